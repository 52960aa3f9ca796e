/* Writing grading results: one student's verdicts (text or JSON), and a folder's table
 * (terminal text, CSV, JSON or HTML). */
#ifndef BANK_GRADE_REPORT_H
#define BANK_GRADE_REPORT_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "grade.h"

/* One student's file, graded or not. */
typedef struct {
    const char *path;
    const char *format;              /* as detected; NULL when unreadable */
    const char *error;               /* why it could not be graded; NULL when graded */
    const bank_grade_report *report; /* NULL when unreadable */
    /* A class's row (a student, spec G30-G35); NULL in a table of files. */
    const char *student;
    const char *file;      /* the graded file's name inside the submission; NULL when none */
    const char *others;    /* other files that read as outputs, ", "-joined */
    const char *notes;     /* late, their own input, what was not read */
    const char *canvas_id;
    size_t n_events;       /* the input's events, for the 0/M of a row with nothing graded */
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

/* The same object, to be put into another (caller deletes it); NULL when out of memory. */
cJSON *bank_report_json_value(const bank_report_context *ctx, const bank_graded_file *g);

/* Pieces of the HTML pages, for other reports of the same kind (bank drive's): the page's
 * opening (style and a heading) and end, text escaped, the verdicts as a list, and an SVG
 * document inlined. */
void bank_report_html_begin(FILE *f, const char *title);
void bank_report_html_end(FILE *f);
void bank_report_html_text(FILE *f, const char *s);
void bank_report_html_verdicts(FILE *f, const bank_grade_report *r);
void bank_report_html_svg(FILE *f, const char *svg_document);

/* A folder: per student (or per file) score, first wrong event and format. */
typedef enum { BANK_TABLE_TEXT, BANK_TABLE_CSV, BANK_TABLE_JSON, BANK_TABLE_HTML } bank_table_kind;
/* The kind a report file's extension names (.csv .json .html/.htm .txt); -1 for another. */
int bank_table_kind_for(const char *path, bank_table_kind *out);
int bank_report_table(FILE *f, bank_table_kind kind, const bank_report_context *ctx,
                      const bank_graded_file *files, size_t n);

#endif
