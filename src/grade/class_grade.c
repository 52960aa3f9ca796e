/* One student of a class, from their files to their row. */
#include "class_grade.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "class_build.h"
#include "grade_p3.h"

static int note(bank_student_grade *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int note(bank_student_grade *g, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    return bank_class_join(&g->notes, "; ", line);
}

/* Reads and grades the chosen output; a file that will not read now is the row's error, unless
 * it is memory that ran out. */
static int grade_output(bank_student_grade *g, const bank_class_file *f, const bank_class_options *o,
                        char *err, size_t errlen)
{
    const char *data;
    size_t len;
    char *owned, why[600];
    errno = 0;
    if (bank_class_file_read(f, &data, &len, &owned, why, sizeof why) != 0 ||
        (o->routes ? bank_session_output_parse(data, len, f->source, &g->p3so, why, sizeof why)
                   : bank_student_output_parse(data, len, f->source, &g->so, why, sizeof why)) != 0) {
        free(owned);
        if (bank_reader_out_of_memory(why)) {
            snprintf(err, errlen, "%s", why);
            return -1;
        }
        snprintf(g->error, sizeof g->error, "unusable: %s", why);
        return 0;
    }
    free(owned);
    if (o->routes ? bank_grade_p3(g->input, o->routes, &g->p3so, o->grade->budget, &g->report, err, errlen)
                  : bank_grade(g->input, &g->so, o->grade, &g->report, err, errlen)) {
        bank_student_output_free(&g->so);
        bank_session_output_free(&g->p3so);
        return -1;
    }
    g->graded = 1;
    return 0;
}

int bank_grade_student(const bank_student *s, const bank_class_options *o, bank_student_grade *g,
                       char *err, size_t errlen)
{
    memset(g, 0, sizeof *g);
    int oom = 0;
    if (s->late) oom |= note(g, "late") != 0;
    const bank_class_file *own_file = NULL;
    g->input = o->course;
    if (o->input_pattern) {
        char why[600];
        int rc = bank_choose_input(s, o->input_pattern, &own_file, &g->own, why, sizeof why);
        if (rc < 0) {
            snprintf(err, errlen, "%s", why);
            bank_student_grade_free(g);
            return -1;
        }
        if (rc == 0) {
            g->has_own = 1;
            g->input = &g->own;
            oom |= note(g, "graded against their own input %s", own_file->name) != 0;
        } else if (o->course) {
            oom |= note(g, "graded against the course's input: %s", why) != 0;
        } else {
            snprintf(g->error, sizeof g->error, "no input to grade against: %s", why);
        }
    }
    if (g->input) {
        g->row.n_events = bank_workload_event_count(g->input);
        bank_p3_input p3 = {g->input, o->routes};
        if (bank_choose_output(s, o->reader, o->routes ? (const void *)&p3 : g->input, o->pattern, own_file,
                               &g->choice, err, errlen) != 0) {
            bank_student_grade_free(g);
            return -1;
        }
        const bank_class_file *out = g->choice.output;
        if (out) {
            if (grade_output(g, out, o, err, errlen) != 0) {
                bank_student_grade_free(g);
                return -1;
            }
        } else if (g->choice.unusable) {
            out = g->choice.unusable;
            snprintf(g->error, sizeof g->error, "unusable: %s", g->choice.why);
        } else if (o->pattern) {
            snprintf(g->error, sizeof g->error, "no output file (none matching --pattern %s reads as one)",
                     o->pattern);
        } else {
            snprintf(g->error, sizeof g->error, "no output file");
        }
        if (out) {
            g->row.file = out->name;
            g->row.path = out->source;
        }
    }
    if (s->notes) oom |= note(g, "%s", s->notes) != 0;
    if (oom) {
        snprintf(err, errlen, "out of memory");
        bank_student_grade_free(g);
        return -1;
    }
    g->row.student = s->name;
    g->row.canvas_id = s->canvas_id;
    g->row.others = g->choice.others;
    g->row.notes = g->notes;
    if (g->graded) {
        g->row.format = o->routes ? g->p3so.format : g->so.format;
        g->row.report = &g->report;
    } else {
        g->row.error = g->error;
    }
    return 0;
}

int bank_student_grade_perfect(const bank_student_grade *g)
{
    return g->graded && g->report.n_correct == g->report.n_events && !g->report.n_wrong;
}

void bank_student_grade_free(bank_student_grade *g)
{
    if (g->graded) {
        bank_student_output_free(&g->so);
        bank_session_output_free(&g->p3so);
        bank_grade_report_free(&g->report);
    }
    if (g->has_own) bank_workload_free(&g->own);
    bank_output_choice_free(&g->choice);
    free(g->notes);
    memset(g, 0, sizeof *g);
}

void bank_row_points(double points, const bank_graded_file *row, double *score, double *max)
{
    size_t events = row->report ? row->report->n_events : row->n_events;
    size_t correct = row->report ? row->report->n_correct : 0;
    *max = points > 0 ? points : (double)events;
    *score = events ? *max * (double)correct / (double)events : 0;
}
