/* What grade_p3.c (matching and structure) and grade_p3_judge.c (the session rules) share while
 * one Project 3 file is graded. Not for use outside src/grade. */
#ifndef BANK_GRADE_GRADE_P3_STATE_H
#define BANK_GRADE_GRADE_P3_STATE_H

#include "core/consistency.h"
#include "grade_p3.h"

typedef struct {
    const bank_workload *w;
    const bank_routes *routes;
    bank_grade_report *rep;
    bank_claim **claims;  /* per entry and event: what the student printed, if anything */
    size_t **verdict_of;  /* per entry and event: its verdict's index, SIZE_MAX when not judged */
    int oom;
} p3_grader;

/* Appends a verdict (entry/event SIZE_MAX: none); reply may be NULL. Its index, or SIZE_MAX
 * when out of memory (then g->oom). */
size_t p3_add_verdict(p3_grader *g, bank_verdict_kind kind, size_t entry, size_t event,
                      const bank_reply *reply, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Judges verdict `index` again. */
void p3_set_verdict(p3_grader *g, size_t index, bank_verdict_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* grade_p3_judge.c: every printed claim by the session rules. 0, or -1 out of memory. */
int p3_judge(p3_grader *g, size_t budget);

#endif
