/* Writing grading results: one student's verdicts (text or JSON), and a folder's table
 * (terminal text, CSV, JSON or HTML). */
#ifndef BANK_GRADE_REPORT_H
#define BANK_GRADE_REPORT_H

#include <stdio.h>

#include "grade.h"

/* One student's file, graded or not. */
typedef struct {
    const char *path;
    const char *format;              /* as detected; NULL when unreadable */
    const char *error;               /* why it could not be graded; NULL when graded */
    const bank_grade_report *report; /* NULL when unreadable */
} bank_graded_file;

typedef struct {
    const char *input;    /* the input's path */
    const char *mode;     /* "consistent" or "exact (sequential)" ... */
    int all_verdicts;     /* text: every event (else only the ones not ok) */
    const char *diagram_svg; /* HTML: the reference run's diagram, drawn after the table */
    const bank_workload *workload; /* one file: the input, to name the witness's events (G18) */
    int witness;          /* text: print the witness */
} bank_report_context;

/* "customer 2 event 2 query: wrong value: ..." per verdict and "N/M events correct". */
int bank_report_text(FILE *f, const bank_report_context *ctx, const bank_graded_file *g);
/* One JSON object: file, format, mode, events, correct, verdicts [...]. */
int bank_report_json(FILE *f, const bank_report_context *ctx, const bank_graded_file *g);

/* A folder: per student score, first wrong event and format. */
typedef enum { BANK_TABLE_TEXT, BANK_TABLE_CSV, BANK_TABLE_JSON, BANK_TABLE_HTML } bank_table_kind;
/* The kind a report file's extension names (.csv .json .html/.htm .txt); -1 for another. */
int bank_table_kind_for(const char *path, bank_table_kind *out);
int bank_report_table(FILE *f, bank_table_kind kind, const bank_report_context *ctx,
                      const bank_graded_file *files, size_t n);

#endif
