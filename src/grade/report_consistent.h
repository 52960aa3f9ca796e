/* The parts of a one-file report that --consistent adds: the note on the answers set aside, what
 * the summary line says when the budget ran out, and the witness execution (text and JSON).
 * Internal to src/grade (report.c calls it). spec/semantics.md G15-G19. */
#ifndef BANK_GRADE_REPORT_CONSISTENT_H
#define BANK_GRADE_REPORT_CONSISTENT_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "core/workload.h"
#include "grade.h"

/* "note: ..." before the summary line, when answers were set aside. */
void bank_report_set_aside_note(FILE *f, const bank_grade_report *r);
/* What follows "N/M events correct, ..." on the summary line when the budget ran out (G19). */
void bank_report_budget_suffix(FILE *f, const bank_grade_report *r);
/* "witness: ..." and a line per step (G18). */
void bank_report_witness_text(FILE *f, const bank_workload *w, const bank_grade_report *r);
/* Adds set_aside, smallest, earliest, lower_bound and the witness to a file's JSON object: 0,
 * or -1 out of memory (o then holds part of it). */
int bank_report_consistent_json(cJSON *o, const bank_workload *w, const bank_grade_report *r);

#endif
