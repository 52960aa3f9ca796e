/* A student's output file, read with tolerance for every form real submissions use, into
 * records {customer id, replies}. What is read is kept as written (interface text, result,
 * value); judging it is the grader's job. This is the entry point the fuzz harness calls. */
#ifndef BANK_IO_STUDENT_OUTPUT_H
#define BANK_IO_STUDENT_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "core/workload.h"

typedef enum {
    BANK_SAID_NOTHING = 0, /* no result printed */
    BANK_SAID_SUCCESS,
    BANK_SAID_FAIL,
    BANK_SAID_OTHER        /* a result that is neither (its text is in result_text) */
} bank_said;

typedef struct {
    char *interface;     /* as written; NULL when missing */
    int op_known;        /* interface names query, deposit or withdraw (any case) */
    bank_op op;
    bank_said result;
    char *result_text;   /* the result as written, when it was a string */
    int has_value;       /* a balance was printed (balance, money, result.balance, "balance: N") */
    int value_is_integer;
    int64_t value;       /* when value_is_integer */
    double value_real;   /* always */
    int line, col;       /* where the reply starts in the file */
} bank_reply;

typedef struct {
    int64_t id;
    int line, col;
    size_t n_replies;
    bank_reply *replies;
    int flat;            /* gathered from one-object-per-event records of this id, in file order
                            (G4): the replies of every entry with this id, one after another */
} bank_record;

typedef struct {
    size_t n_records;
    bank_record *records; /* file order (of the graded run) */
    char format[160];     /* what was detected, for reports: "JSON lines, Python literals, ..." */
} bank_student_output;

/* Reads text[0..len). 0 and *out, or -1 with "<source>:<line>:<column>: <what>" in err and
 * *out empty. */
int bank_student_output_parse(const char *text, size_t len, const char *source,
                              bank_student_output *out, char *err, size_t errlen);
void bank_student_output_free(bank_student_output *out);

/* One reply object read as above (G5), for readers of other shapes (Project 3's). 0, or -1 with
 * err (not an object, or out of memory) and nothing left to free. Free with
 * bank_student_reply_free. */
struct lv_value;
int bank_student_reply_read(const struct lv_value *item, bank_reply *out, char *err, size_t errlen);
void bank_student_reply_free(bank_reply *rp);

#endif
