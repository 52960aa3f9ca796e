/* A student's Project 3 output file, read with tolerance for every form real submissions use
 * (spec C12): records {"id", "recv": [...]} (one per event with its "branch", the course's new
 * form, or one per customer), a customer's list under "balance" ({"id", "balance": [...]}), one
 * flat reply per record ({"id", "interface", ...}), and final balances ({"id", "balance": N}); in
 * any syntax the tolerant reader takes (loose_value.h). What is read is kept as written; judging
 * it is the grader's job. */
#ifndef BANK_IO_SESSION_STUDENT_H
#define BANK_IO_SESSION_STUDENT_H

#include <stddef.h>
#include <stdint.h>

#include "student_output.h"

#define BANK_NO_BRANCH INT64_MIN /* a reply that names no branch */

typedef struct {
    bank_record r;    /* the customer id and its replies, as Project 1's reader keeps them */
    int64_t *branch;  /* branch[i]: the branch reply i names, or BANK_NO_BRANCH */
} bank_session_record;

typedef struct {
    int final_balances;           /* {"id", "balance": N} records: each reply is the balance a
                                     customer's last query read */
    int names_branches;           /* some reply names its branch (the new form) */
    size_t n_records;
    bank_session_record *records; /* file order (of the graded run) */
    char format[200];             /* what was detected, for reports */
} bank_session_output;

/* Reads text[0..len). 0 and *out, or -1 with "<source>:<line>:<column>: <what>" in err and *out
 * empty; out of memory, "<source>: out of memory" or "<source>:<line>:<column>: out of memory",
 * with errno ENOMEM. */
int bank_session_output_parse(const char *text, size_t len, const char *source,
                              bank_session_output *out, char *err, size_t errlen);
void bank_session_output_free(bank_session_output *out);

#endif
