/* A student's Project 2 output, read with tolerance for every form real submissions use (spec
 * L8): the course's three parts (per customer, per branch, every event) in separate files or in
 * one (with comment headers between them, or as our one-object form), in JSON, JSON lines or
 * Python literals, keys in any order, `propagate_` / `propogate_` / `deposit_propagate`, the
 * comment spellings students use; and the old form, {"pid", "data": [{"id", "name", "clock"}]}
 * (also as the protobuf text dump's clock_events blocks). What is read is kept as written and
 * normalised (which event, which request, which peer); judging it is the grader's job. This is
 * the entry point the fuzz harness calls. */
#ifndef BANK_IO_P2_STUDENT_H
#define BANK_IO_P2_STUDENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/workload.h"

/* Where an event was read. The customer and branch parts together are one view of the run, the
 * flat list of every event another; the old form is its own. */
typedef enum { BANK_P2_IN_CUSTOMERS, BANK_P2_IN_BRANCHES, BANK_P2_IN_ALL, BANK_P2_IN_OLD } bank_p2_place;

/* The old form's events, by the last word of their name (and whether it names a propagation:
 * propagate, propogate or broadcast). */
typedef enum {
    BANK_P2_OLD_REQUEST,        /* the branch receives its customer's request */
    BANK_P2_OLD_EXECUTE,        /* ... applies it */
    BANK_P2_OLD_RESPONSE,       /* ... answers the customer */
    BANK_P2_OLD_PROP_REQUEST,   /* a peer receives the propagation */
    BANK_P2_OLD_PROP_EXECUTE,   /* ... applies it */
    BANK_P2_OLD_PROP_RESPONSE   /* the acknowledgement: received at the origin, or sent by a peer */
} bank_p2_old_kind;

typedef struct {
    bank_p2_place place;
    int64_t process;     /* the record's id (old form: pid) */
    int has_process;
    int has_request;     /* customer-request-id (old form: the event's id) */
    int64_t request;
    size_t position;     /* 1-based place in its customer's list, for a list without request ids */
    int has_clock;       /* a whole number from 0 */
    uint64_t clock;
    char *clock_text;    /* a clock that is not one, as written (NULL otherwise) */
    char *interface;     /* as written (old form: the name); NULL when missing */
    char *comment;       /* as written; NULL when missing */
    /* what it says, normalised */
    int kind;            /* a bank_clock_kind, or -1 when it cannot be told (new form) */
    int old_kind;        /* a bank_p2_old_kind, or -1 (old form) */
    int op_known;
    bank_op op;
    int propagation;     /* the interface (or old name) names a propagation */
    int has_peer;        /* the number the comment names: the customer, or the other branch */
    int64_t peer;
    const char *file;    /* the file it was read from (owned by the bank_p2_student) */
    int line, col;
} bank_p2_said;

typedef struct {
    size_t n, cap;
    bank_p2_said *items; /* file after file, each in file order */
    size_t n_files;
    char **files;
    size_t ignored;      /* objects read that hold no event (the old form's per-request lists) */
    char format[240];    /* what was read, for reports */
} bank_p2_student;

/* Reads text[0..len) of the file named source and adds its events to *out (which starts
 * zeroed, and may already hold other files'). 0, or -1 with "<source>:<line>:<column>: <what>"
 * (or "<source>: <what>") in err and *out as it was. A file without any Project 2 event is an
 * error. */
int bank_p2_student_parse(const char *text, size_t len, const char *source, bank_p2_student *out,
                          char *err, size_t errlen);
void bank_p2_student_free(bank_p2_student *out);

#endif
