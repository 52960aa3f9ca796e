/* What grade.c and judge_consistent.c share: the state of one grading, and how verdicts are
 * recorded. Internal to src/grade. */
#ifndef BANK_GRADE_GRADER_H
#define BANK_GRADE_GRADER_H

#include <stddef.h>

#include "core/consistency.h"
#include "grade.h"

typedef struct {
    const bank_workload *w;
    const bank_student_output *so;
    bank_grade_report *rep;
    const bank_record **entry_record; /* per entry, the record matched to it, or NULL */
    bank_claim **claims;              /* what the student claims per event (printed or not) */
    size_t **verdict_of;              /* per entry and event, its index in rep->verdicts */
    bank_record *flat_slices;         /* per entry of an id that several share, its part of the
                                         id's one-object-per-event record (G4) */
    int oom;
} grader;

/* Re-judges a verdict already recorded (ok -> wrong once the search has spoken). */
void bank_grader_set_verdict(grader *g, size_t index, bank_verdict_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* --consistent: every printed claim judged (G10-G12, G15-G19). 0, or -1 out of memory. */
int bank_grader_judge_consistent(grader *g, size_t budget);

#endif
