/* Gradescope's autograder results.json for one submission (spec G36), in the format of
 * https://gradescope-autograders.readthedocs.io/en/latest/specs/ : a test per event or per
 * customer, each with its score, maximum, status and the verdict's reason. */
#ifndef BANK_GRADE_GRADESCOPE_H
#define BANK_GRADE_GRADESCOPE_H

#include <stdio.h>

#include "core/workload.h"
#include "report.h"

typedef enum { BANK_GS_PER_EVENT, BANK_GS_PER_CUSTOMER } bank_gs_granularity;

typedef struct {
    bank_gs_granularity granularity;
    double points;                 /* the submission's maximum; 0: one point an event */
    const char *visibility;        /* "visibility" of every test, or NULL (Gradescope: visible) */
    const char *stdout_visibility; /* "stdout_visibility", or NULL (Gradescope: hidden) */
} bank_gradescope_options;

/* Whether v is one of Gradescope's visibility settings: hidden, after_due_date, after_published,
 * visible. */
int bank_gradescope_visibility_ok(const char *v);

/* Writes the results of row (graded or not) against w (NULL when there was no input to grade
 * against: no tests then, score 0). 0, or -1 (out of memory, or f failed). */
int bank_gradescope_write(FILE *f, const bank_gradescope_options *o, const bank_workload *w,
                          const bank_report_context *ctx, const bank_graded_file *row);

#endif
