/* Grading a student's output against an input: which events are right, which are wrong, why.
 * No I/O: the caller reads the files and prints the report (report.h). */
#ifndef BANK_GRADE_GRADE_H
#define BANK_GRADE_GRADE_H

#include <stddef.h>
#include <stdint.h>

#include "core/consistency.h"
#include "core/schedule.h"
#include "core/workload.h"
#include "io/student_output.h"

typedef enum {
    BANK_VERDICT_OK,
    BANK_VERDICT_WRONG_VALUE,     /* a query's balance */
    BANK_VERDICT_WRONG_RESULT,    /* a write's success or failure */
    BANK_VERDICT_MISSING,         /* no reply for this event */
    BANK_VERDICT_EXTRA,           /* a reply (or a whole record) for no event of the input */
    BANK_VERDICT_WRONG_INTERFACE, /* the reply names another interface than the event */
    BANK_VERDICT_UNDECIDED,       /* --consistent ran out of budget before deciding this one */
    BANK_VERDICT_CLOCK_ORDER,     /* Project 2: a clock not after one that happened before it */
    BANK_VERDICT_WRONG_CLOCK      /* Project 2, --strict: not the clock the tick rule gives */
} bank_verdict_kind;

const char *bank_verdict_name(bank_verdict_kind k); /* "ok", "wrong value", ... */

typedef struct {
    bank_verdict_kind kind;
    int64_t customer_id;
    size_t entry;        /* customer entry (input order); SIZE_MAX for an extra record */
    int64_t event_id;    /* -1 for an extra reply */
    size_t event;        /* index in the entry; the reply's index for an extra one */
    char interface[16];  /* the event's (or, for an extra reply, the reply's) */
    int line, col;       /* of the reply in the student's file; 0 when there is none */
    char *detail;        /* why, in words; NULL for ok */
    char *label;         /* Project 2: names the event in reports instead of customer, event
                            and interface; NULL otherwise */
    const char *file;    /* the student's file line and col are in, when not the graded path */
    size_t count;        /* extra: the replies of a run it stands for (G20); 0 means one */
} bank_verdict;

typedef enum { BANK_GRADE_CONSISTENT, BANK_GRADE_EXACT } bank_grade_mode;

typedef struct {
    bank_grade_mode mode;
    bank_schedule schedule; /* exact: which reference run */
    size_t budget;          /* consistent: states the search may visit (0: default) */
} bank_grade_options;

typedef struct {
    size_t n, cap;
    bank_verdict *verdicts; /* input order (entry, event), then extra replies and records */
    size_t n_events;        /* events in the input */
    size_t n_correct;       /* of those, judged ok */
    size_t n_wrong;         /* verdicts that are not ok (extras included) */
    size_t n_undecided;
    size_t states;          /* consistent: states the search visited */
    int merged_snapshots;   /* records merged as snapshots of one growing list */
    int repeated_records;   /* records written twice, back to back, graded once (G7) */
    size_t first_wrong;     /* index into verdicts of the first wrong one (neither ok nor
                               undecided); SIZE_MAX if none */
    /* --consistent (G15-G19): the answers set aside so that the rest is consistent */
    int consistent;         /* judged so */
    size_t set_aside;       /* answers marked wrong by the search (impossible alone ones too) */
    int smallest;           /* no smaller set would do */
    int earliest;           /* the first such set in the file */
    size_t lower_bound;     /* answers wrong in every case, as far as proven */
    bank_witness_step *witness; /* an execution that gives every answer left; NULL if none */
    size_t n_witness;
} bank_grade_report;

/* 0 and *report, or -1 (out of memory) with err filled. */
int bank_grade(const bank_workload *w, const bank_student_output *so, const bank_grade_options *opt,
               bank_grade_report *report, char *err, size_t errlen);
void bank_grade_report_free(bank_grade_report *r);

#endif
