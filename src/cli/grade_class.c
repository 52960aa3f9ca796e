/* bank grade --batch over a class (a row per student), one submission folder, and the Gradescope
 * and GitHub outputs of one submission. */
#include "grade_class.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "grade/class_batch.h"
#include "grade/class_grade.h"
#include "grade/github.h"
#include "grade/grade_p3.h"

enum { EXIT_UNDECIDED = 3 };

static int row_status(const bank_student_grade *g)
{
    if (!g->graded || g->report.n_wrong ||
        g->report.n_correct < g->report.n_events - g->report.n_undecided)
        return BANK_EXIT_FAILED;
    return g->report.n_undecided ? EXIT_UNDECIDED : BANK_EXIT_OK;
}

/* Why a report was not written: a JSON report is built in memory first. */
static const char *why_not(int e)
{
    return e == ENOMEM ? "out of memory" : strerror(e);
}

int bank_grade_close_written(FILE *f, int rc, const char *option, const char *path)
{
    int e = errno;
    if (f && fclose(f) != 0 && rc == 0) rc = -1, e = errno;
    if (rc == 0) return BANK_EXIT_OK;
    if (f) unlink(path);
    fprintf(stderr, "bank grade: %s %s: cannot write: %s\n", option, path, why_not(e));
    return BANK_EXIT_FAILED;
}

int bank_grade_printed(int rc)
{
    /* a short report is still in stdout's buffer: only flushing it shows that it could not be written */
    if (rc == 0 && fflush(stdout) != 0) rc = -1;
    if (rc == 0) return BANK_EXIT_OK;
    fprintf(stderr, "bank grade: cannot print the report: %s\n", why_not(errno));
    return BANK_EXIT_FAILED;
}

int bank_grade_write_report(const char *path, const bank_report_context *ctx, const bank_graded_file *rows,
                            size_t n)
{
    bank_table_kind kind;
    bank_table_kind_for(path, &kind);
    FILE *f = fopen(path, "w");
    return bank_grade_close_written(f, f ? bank_report_table(f, kind, ctx, rows, n) : -1, "--report", path);
}

int bank_grade_write_batch_report(const char *path, const bank_report_context *ctx, const bank_graded_file *rows,
                                  size_t n)
{
    if (bank_grade_write_report(path, ctx, rows, n) != BANK_EXIT_OK) return BANK_EXIT_FAILED;
    fprintf(stderr, "bank grade: wrote %s\n", path);
    return BANK_EXIT_OK;
}

static bank_class_options class_options(const bank_class_args *a, const bank_workload *course)
{
    bank_class_options o = {course, a->pattern, a->input_pattern, a->grade,
                            a->routes ? &bank_project3_reader : &bank_project1_reader, a->routes};
    return o;
}

int bank_grade_batch(const char *path, const bank_class_args *a, const bank_workload *course,
                     const bank_report_context *ctx)
{
    bank_class cls;
    char err[800];
    if (bank_class_load(path, &cls, err, sizeof err) != 0) {
        fprintf(stderr, "bank grade: %s\n", err);
        return BANK_EXIT_USAGE;
    }
    if (cls.n == 0) {
        fprintf(stderr, "bank grade: %s holds no student's submission\n", path);
        bank_class_free(&cls);
        return BANK_EXIT_USAGE;
    }
    bank_student_grade *grades = calloc(cls.n, sizeof *grades);
    bank_graded_file *rows = calloc(cls.n, sizeof *rows);
    if (!grades || !rows) {
        fputs("bank grade: out of memory\n", stderr);
        free(grades);
        free(rows);
        bank_class_free(&cls);
        return BANK_EXIT_FAILED;
    }
    bank_class_options o = class_options(a, course);
    int tty = isatty(STDERR_FILENO), status = BANK_EXIT_OK, failed = 0;
    size_t n = 0, perfect = 0, no_output = 0;
    for (; n < cls.n; n++) {
        if (bank_grade_student(&cls.students[n], &o, &grades[n], err, sizeof err) != 0) {
            if (tty) fputc('\n', stderr);
            fprintf(stderr, "bank grade: %s: %s\n", cls.students[n].name, err);
            failed = 1;
            break;
        }
        bank_student_release(&cls.students[n]); /* an archive member's bytes are not needed again */
        rows[n] = grades[n].row;
        perfect += bank_student_grade_perfect(&grades[n]);
        no_output += !grades[n].graded;
        int s = row_status(&grades[n]);
        if (s == BANK_EXIT_FAILED || (s == EXIT_UNDECIDED && status == BANK_EXIT_OK)) status = s;
        if (tty) fprintf(stderr, "\rgraded %zu/%zu students", n + 1, cls.n);
    }
    if (tty && !failed) fputc('\n', stderr);
    /* no table at all rather than one without the students after the failed one */
    bank_table_kind kind = a->json ? BANK_TABLE_JSON : BANK_TABLE_TEXT;
    if (!failed) failed = bank_grade_printed(bank_report_table(stdout, kind, ctx, rows, n)) != BANK_EXIT_OK;
    if (failed) {
        status = BANK_EXIT_FAILED;
    } else {
        if (a->report && bank_grade_write_batch_report(a->report, ctx, rows, n) != BANK_EXIT_OK)
            status = BANK_EXIT_FAILED;
        fprintf(stderr, "bank grade: %zu students, %zu with every event correct, %zu with nothing graded\n",
                n, perfect, no_output);
    }
    for (size_t i = 0; i < n; i++) bank_student_grade_free(&grades[i]);
    free(grades);
    free(rows);
    bank_class_free(&cls);
    return status;
}

int bank_grade_folder(const char *path, const bank_class_args *a, const bank_workload *course,
                      const bank_report_context *ctx)
{
    char *copy = strdup(path), err[800];
    if (!copy) {
        fputs("bank grade: out of memory\n", stderr);
        return BANK_EXIT_FAILED;
    }
    bank_class cls;
    int rc = bank_class_load_student(path, basename(copy), &cls, err, sizeof err);
    free(copy);
    if (rc != 0) {
        fprintf(stderr, "bank grade: %s\n", err);
        return BANK_EXIT_USAGE;
    }
    bank_class_options o = class_options(a, course);
    bank_student_grade g;
    if (bank_grade_student(&cls.students[0], &o, &g, err, sizeof err) != 0) {
        fprintf(stderr, "bank grade: %s: %s\n", path, err);
        bank_class_free(&cls);
        return BANK_EXIT_FAILED;
    }
    int status = row_status(&g);
    rc = 0;
    if (a->json) {
        rc = bank_report_json(stdout, ctx, &g.row);
    } else {
        if (g.row.others) printf("note: also read as outputs, not graded: %s\n", g.row.others);
        if (g.row.notes) printf("note: %s\n", g.row.notes);
        if (g.graded) rc = bank_report_text(stdout, ctx, &g.row);
    }
    if (bank_grade_printed(rc) != BANK_EXIT_OK) { /* nothing published for a report that was not printed */
        status = BANK_EXIT_FAILED;
    } else {
        if (!g.graded) fprintf(stderr, "bank grade: %s: %s\n", path, g.error);
        if (bank_grade_publish(&a->out, g.input, ctx, &g.row) != BANK_EXIT_OK) status = BANK_EXIT_FAILED;
    }
    bank_student_grade_free(&g);
    bank_class_free(&cls);
    return status;
}

int bank_grade_publish(const bank_grade_outputs *o, const bank_workload *w,
                       const bank_report_context *ctx, const bank_graded_file *row)
{
    int status = BANK_EXIT_OK;
    if (o->gradescope) {
        FILE *f = fopen(o->gradescope, "w");
        status = bank_grade_close_written(f, f ? bank_gradescope_write(f, &o->gs, w, ctx, row) : -1, "--gradescope",
                                          o->gradescope);
    }
    if (o->github) {
        double score = 0, max = 0;
        if (w) bank_row_points(o->gs.points, row, &score, &max);
        bank_github_annotate(stdout, row);
        const char *summary = getenv("GITHUB_STEP_SUMMARY");
        if (summary && summary[0]) {
            FILE *f = fopen(summary, "a");
            int rc = f ? bank_github_summary(f, ctx, row, score, max) : -1;
            if ((f && fclose(f) != 0) || rc != 0) {
                fprintf(stderr, "bank grade: GITHUB_STEP_SUMMARY %s: cannot append: %m\n", summary);
                status = BANK_EXIT_FAILED;
            }
        }
        printf("Points %g/%g\n", score, max);
    }
    fflush(stdout);
    return status;
}
