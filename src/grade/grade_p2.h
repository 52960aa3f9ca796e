/* Grading a student's Project 2 output against an input (spec L9-L13): which logged events the
 * input requires, which are missing or extra, and whether the clocks are consistent with
 * happens-before (or, --strict, exactly what the tick rule gives). The verdicts go into the same
 * report as Project 1's (grade.h), so report.c prints and tabulates them. No I/O. */
#ifndef BANK_GRADE_GRADE_P2_H
#define BANK_GRADE_GRADE_P2_H

#include <stddef.h>

#include "grade.h"
#include "io/p2_student.h"

typedef struct {
    int strict; /* also judge every clock against the tick rule (L12) */
} bank_p2_grade_options;

/* 0 and *report (every view the student gave judged; n_events counts each required event once
 * per view), or -1 (out of memory) with err filled. */
int bank_grade_p2(const bank_workload *w, const bank_p2_student *st, const bank_p2_grade_options *opt,
                  bank_grade_report *report, char *err, size_t errlen);

/* ---- shared by grade_p2.c and grade_p2_old.c ---- */

/* Appends a verdict: on the request (entry, event) of w (SIZE_MAX, SIZE_MAX for an extra item),
 * named by label (copied), pointing at said (may be NULL), with a detail (printf format; NULL
 * for none). -1 when out of memory. */
int bank_p2_verdict(bank_grade_report *r, const bank_workload *w, bank_verdict_kind kind, size_t entry,
                    size_t event, const char *label, const bank_p2_said *said, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* The entry and event whose request id is `request`, made by the customer of branch `at`
 * (INT64_MIN: any) and not by branch `not_at` (INT64_MIN: none), skipping the first `skip` such
 * requests. 0, or -1 when there is none. */
int bank_p2_find_request(const bank_workload *w, int64_t request, int64_t at, int64_t not_at,
                         size_t skip, size_t *entry, size_t *event);

/* L9: whether request k (counting every entry's events) must propagate: 1 a deposit, or a
 * withdrawal no legal execution can refuse; 0 a query; -1 a withdrawal that some could refuse
 * (required only when the student logged a propagation of it). */
int bank_p2_must_propagate(const bank_workload *w, size_t entry, size_t event);

/* L13: the old {"pid", "data"} form's events of st, judged into r. -1 when out of memory. */
int bank_grade_p2_old(const bank_workload *w, const bank_p2_student *st, bank_grade_report *r);

#endif
