/* bank grade for a class (--batch DIR|ZIP: a row per student) and for one submission folder, and
 * the Gradescope and GitHub outputs of one submission. cmd_grade.c parses the options. */
#ifndef BANK_CLI_GRADE_CLASS_H
#define BANK_CLI_GRADE_CLASS_H

#include <stdio.h>

#include "core/session.h"
#include "grade/gradescope.h"
#include "grade/report.h"

typedef struct {
    const char *gradescope;       /* --gradescope FILE: results.json to write, or NULL */
    bank_gradescope_options gs;
    int github;                   /* --github */
} bank_grade_outputs;

typedef struct {
    const char *pattern, *input_pattern, *report;
    int json, wrong_only;
    const bank_grade_options *grade;
    bank_grade_outputs out;
    const bank_routes *routes;    /* Project 3: where the course input's events go; NULL: Project 1 */
} bank_class_args;

/* --batch PATH: a row per student; the exit status. course may be NULL (--input-pattern). */
int bank_grade_batch(const char *path, const bank_class_args *a, const bank_workload *course,
                     const bank_report_context *ctx);

/* One student's submission, a folder (Gradescope's /autograder/submission, a student's
 * repository) or an archive: their output chosen as in a batch, graded with a verdict per event;
 * the exit status. */
int bank_grade_folder(const char *path, const bank_class_args *a, const bank_workload *course,
                      const bank_report_context *ctx);

/* Writes --gradescope and --github for one graded (or ungraded) row against w. 0, or
 * BANK_EXIT_FAILED when a file cannot be written. */
int bank_grade_publish(const bank_grade_outputs *o, const bank_workload *w,
                       const bank_report_context *ctx, const bank_graded_file *row);

/* Closes f (NULL: it did not open), written with status rc, errno saying why not. A file cut
 * short is removed: it would pass for a whole one. BANK_EXIT_OK, or BANK_EXIT_FAILED after one
 * line naming the option and the file ("bank grade: --report F: cannot write: out of memory"). */
int bank_grade_close_written(FILE *f, int rc, const char *option, const char *path);

/* --report path: rows[0..n) as the table its extension names (bank_table_kind_for), through
 * bank_grade_close_written: BANK_EXIT_OK, or BANK_EXIT_FAILED after one line (and no file). */
int bank_grade_write_report(const char *path, const bank_report_context *ctx, const bank_graded_file *rows,
                            size_t n);
/* bank_grade_write_report for a batch (a class, P2 submissions), then "bank grade: wrote PATH"
 * on standard error. */
int bank_grade_write_batch_report(const char *path, const bank_report_context *ctx, const bank_graded_file *rows,
                                  size_t n);

/* Standard output's report, printed with status rc (and flushed here): BANK_EXIT_OK, or
 * BANK_EXIT_FAILED after one line saying why not. */
int bank_grade_printed(int rc);

#endif
