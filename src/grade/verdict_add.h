/* Appending a verdict to a report and judging one again: what Project 1's and Project 3's graders
 * share (Project 2's verdicts carry a label and the said event's place instead, grade_p2.c). */
#ifndef BANK_GRADE_VERDICT_ADD_H
#define BANK_GRADE_VERDICT_ADD_H

#include <stdarg.h>
#include <stddef.h>

#include "core/workload.h"
#include "grade.h"

/* Appends to r a verdict on event `event` of w's entry `entry` (SIZE_MAX: none, an extra record)
 * at reply's place (NULL: none), its detail made from fmt (NULL: no detail). Returns its index;
 * SIZE_MAX, with *oom set and r as it was, when the list cannot grow. A detail that cannot be
 * allocated sets *oom and leaves the verdict, appended, without one. */
size_t bank_verdict_add(bank_grade_report *r, const bank_workload *w, bank_verdict_kind kind, size_t entry,
                        size_t event, const bank_reply *reply, int *oom, const char *fmt, va_list ap);

/* Judges r's verdict `index` again: its kind, and its detail made from fmt (NULL: none); a detail
 * that cannot be allocated sets *oom. */
void bank_verdict_rejudge(bank_grade_report *r, size_t index, bank_verdict_kind kind, int *oom, const char *fmt,
                          va_list ap);

#endif
