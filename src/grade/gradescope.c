/* results.json for Gradescope's autograder harness. */
#include "gradescope.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "class_grade.h"

int bank_gradescope_visibility_ok(const char *v)
{
    return strcmp(v, "hidden") == 0 || strcmp(v, "after_due_date") == 0 ||
           strcmp(v, "after_published") == 0 || strcmp(v, "visible") == 0;
}

/* "ok", or "wrong value: ... [output.json:2:68]" */
static void verdict_text(char *buf, size_t n, const bank_verdict *v, const char *file)
{
    int k = snprintf(buf, n, "%s%s%s", bank_verdict_name(v->kind), v->detail ? ": " : "",
                     v->detail ? v->detail : "");
    if (v->line && k >= 0 && (size_t)k < n) snprintf(buf + k, n - (size_t)k, " [%s:%d:%d]", file, v->line, v->col);
}

/* An entry's name: "customer 2", or "customer 2 (entry 5)" when its id repeats. */
static void entry_name(char *buf, size_t n, const bank_workload *w, size_t c)
{
    int repeated = 0;
    for (size_t d = 0; d < w->n_customers && !repeated; d++) repeated = d != c && w->customers[d].id == w->customers[c].id;
    if (repeated) snprintf(buf, n, "customer %" PRId64 " (entry %zu)", w->customers[c].id, c + 1);
    else snprintf(buf, n, "customer %" PRId64, w->customers[c].id);
}

static cJSON *test(const char *name, const char *number, double score, double max, int passed,
                   const char *output)
{
    cJSON *t = cJSON_CreateObject();
    if (!t) return NULL;
    int ok = 1; /* cJSON's adders return NULL when out of memory */
    ok &= cJSON_AddStringToObject(t, "name", name) != NULL;
    ok &= cJSON_AddStringToObject(t, "number", number) != NULL;
    ok &= cJSON_AddNumberToObject(t, "score", score) != NULL;
    ok &= cJSON_AddNumberToObject(t, "max_score", max) != NULL;
    ok &= cJSON_AddStringToObject(t, "status", passed ? "passed" : "failed") != NULL;
    ok &= cJSON_AddStringToObject(t, "output", output) != NULL;
    if (!ok) cJSON_Delete(t);
    return ok ? t : NULL;
}

/* The verdict of every event (input order), from the report; NULL entries when not graded. */
static const bank_verdict **event_verdicts(const bank_workload *w, const bank_graded_file *row, size_t **first)
{
    size_t total = bank_workload_event_count(w);
    const bank_verdict **by_event = calloc(total ? total : 1, sizeof *by_event);
    *first = calloc(w->n_customers + 1, sizeof **first);
    if (!by_event || !*first) {
        free(by_event);
        free(*first);
        return NULL;
    }
    for (size_t c = 0; c < w->n_customers; c++) (*first)[c + 1] = (*first)[c] + w->customers[c].n_events;
    const bank_grade_report *r = row->report;
    for (size_t i = 0; r && i < r->n; i++) {
        const bank_verdict *v = &r->verdicts[i];
        if (v->kind != BANK_VERDICT_EXTRA && v->entry < w->n_customers && v->event < w->customers[v->entry].n_events)
            by_event[(*first)[v->entry] + v->event] = v;
    }
    return by_event;
}

static int add_tests(cJSON *tests, const bank_gradescope_options *o, const bank_workload *w,
                     const bank_graded_file *row)
{
    size_t *first;
    const bank_verdict **by_event = event_verdicts(w, row, &first);
    if (!by_event) return -1;
    size_t total = first[w->n_customers];
    double each = total ? (o->points > 0 ? o->points / (double)total : 1.0) : 0;
    const char *file = row->file ? row->file : row->path;
    const char *nothing = row->error ? row->error : "not graded";
    int rc = 0;
    for (size_t c = 0; c < w->n_customers && rc == 0; c++) {
        const bank_customer *cu = &w->customers[c];
        char who[96], name[192], number[48], line[1400];
        entry_name(who, sizeof who, w, c);
        size_t ok = 0;
        char *text = NULL;
        size_t text_len = 0;
        for (size_t e = 0; e < cu->n_events && rc == 0; e++) {
            const bank_verdict *v = by_event[first[c] + e];
            int passed = v && v->kind == BANK_VERDICT_OK;
            ok += passed;
            if (v) verdict_text(line, sizeof line, v, file);
            else snprintf(line, sizeof line, "%s", nothing);
            snprintf(name, sizeof name, "%s event %" PRId64 " %s", who, cu->events[e].id, bank_op_name(cu->events[e].op));
            if (o->granularity == BANK_GS_PER_EVENT) {
                snprintf(number, sizeof number, "%zu.%zu", c + 1, e + 1);
                cJSON *t = test(name, number, passed ? each : 0, each, passed, line);
                if (!t || !cJSON_AddItemToArray(tests, t)) rc = -1;
                continue;
            }
            size_t add = strlen(name) + strlen(line) + 4;
            char *grown = realloc(text, text_len + add);
            if (!grown) {
                rc = -1;
                break;
            }
            text = grown;
            text_len += (size_t)snprintf(text + text_len, add, "%s: %s\n", name, line);
        }
        if (o->granularity == BANK_GS_PER_CUSTOMER && rc == 0) {
            snprintf(number, sizeof number, "%zu", c + 1);
            cJSON *t = test(who, number, each * (double)ok, each * (double)cu->n_events,
                            ok == cu->n_events, text ? text : "no events");
            if (!t || !cJSON_AddItemToArray(tests, t)) rc = -1;
        }
        free(text);
    }
    free(by_event);
    free(first);
    /* Replies and records beyond the input: shown, worth nothing (the score counts events, G13). */
    const bank_grade_report *r = row->report;
    char *extra = NULL;
    size_t extra_len = 0;
    for (size_t i = 0; r && i < r->n && rc == 0; i++) {
        const bank_verdict *v = &r->verdicts[i];
        if (v->kind != BANK_VERDICT_EXTRA) continue;
        char line[1400];
        verdict_text(line, sizeof line, v, file);
        size_t add = strlen(line) + 64;
        char *grown = realloc(extra, extra_len + add);
        if (!grown) {
            rc = -1;
            break;
        }
        extra = grown;
        extra_len += (size_t)snprintf(extra + extra_len, add, "customer %" PRId64 ": %s\n", v->customer_id, line);
    }
    if (extra && rc == 0) {
        cJSON *t = test("replies for no event of the input", "0", 0, 0, 0, extra);
        if (!t || !cJSON_AddItemToArray(tests, t)) rc = -1;
    }
    free(extra);
    return rc;
}

int bank_gradescope_write(FILE *f, const bank_gradescope_options *o, const bank_workload *w,
                          const bank_report_context *ctx, const bank_graded_file *row)
{
    cJSON *root = cJSON_CreateObject();
    if (!root) return -1;
    int ok = 1; /* cJSON's adders return NULL when out of memory */
    double score = 0, max = 0;
    if (w) bank_row_points(o->points, row, &score, &max);
    ok &= cJSON_AddNumberToObject(root, "score", score) != NULL;
    char summary[2400];
    const char *file = row->file ? row->file : row->path;
    if (row->report)
        snprintf(summary, sizeof summary, "Graded %s (%s), judged %s: %zu/%zu events correct.", file,
                 row->format, ctx->mode, row->report->n_correct, row->report->n_events);
    else
        snprintf(summary, sizeof summary, "Nothing graded: %s.", row->error ? row->error : "no output file");
    size_t k = strlen(summary);
    if (row->others && k < sizeof summary)
        k += (size_t)snprintf(summary + k, sizeof summary - k, "\nAlso read as outputs (not graded): %s.", row->others);
    if (row->notes && k < sizeof summary) snprintf(summary + k, sizeof summary - k, "\nNotes: %s.", row->notes);
    ok &= cJSON_AddStringToObject(root, "output", summary) != NULL;
    /* Everything shown is plain text: names and values come from the student's files. */
    ok &= cJSON_AddStringToObject(root, "output_format", "text") != NULL;
    ok &= cJSON_AddStringToObject(root, "test_output_format", "text") != NULL;
    ok &= cJSON_AddStringToObject(root, "test_name_format", "text") != NULL;
    if (o->visibility) ok &= cJSON_AddStringToObject(root, "visibility", o->visibility) != NULL;
    if (o->stdout_visibility) ok &= cJSON_AddStringToObject(root, "stdout_visibility", o->stdout_visibility) != NULL;
    cJSON *extra = cJSON_AddObjectToObject(root, "extra_data");
    ok &= extra != NULL;
    if (extra) {
        ok &= cJSON_AddStringToObject(extra, "mode", ctx->mode) != NULL;
        if (file) ok &= cJSON_AddStringToObject(extra, "graded", file) != NULL;
        if (row->format) ok &= cJSON_AddStringToObject(extra, "format", row->format) != NULL;
        ok &= cJSON_AddNumberToObject(extra, "max_score", max) != NULL;
    }
    cJSON *tests = cJSON_AddArrayToObject(root, "tests");
    int rc = !ok || !tests ? -1 : w ? add_tests(tests, o, w, row) : 0;
    char *text = rc == 0 ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text) return -1;
    fprintf(f, "%s\n", text);
    cJSON_free(text);
    return ferror(f) ? -1 : 0;
}
