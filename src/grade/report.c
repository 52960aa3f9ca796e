#include "report.h"

#include "report_consistent.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* "customer 2 event 2 query" (or "customer 7 reply 3" for an extra reply, "customer 9" for an
 * extra record). */
static void name_event(char *buf, size_t n, const bank_verdict *v)
{
    if (v->entry == SIZE_MAX)
        snprintf(buf, n, "customer %" PRId64 " (extra record)", v->customer_id);
    else if (v->event == SIZE_MAX)
        snprintf(buf, n, "customer %" PRId64 " extra reply %s", v->customer_id, v->interface);
    else
        snprintf(buf, n, "customer %" PRId64 " event %" PRId64 " %s", v->customer_id, v->event_id,
                 v->interface);
}

static void score(char *buf, size_t n, const bank_grade_report *r)
{
    snprintf(buf, n, "%zu/%zu", r->n_correct, r->n_events);
}

int bank_report_text(FILE *f, const bank_report_context *ctx, const bank_graded_file *g)
{
    if (g->error) {
        fprintf(f, "%s: unusable: %s\n", g->path, g->error);
        return ferror(f) ? -1 : 0;
    }
    const bank_grade_report *r = g->report;
    fprintf(f, "%s: %s; judged %s\n", g->path, g->format, ctx->mode);
    for (size_t i = 0; i < r->n; i++) {
        const bank_verdict *v = &r->verdicts[i];
        if (v->kind == BANK_VERDICT_OK && !ctx->all_verdicts) continue;
        char what[128];
        name_event(what, sizeof what, v);
        fprintf(f, "%s: %s", what, bank_verdict_name(v->kind));
        if (v->detail) fprintf(f, ": %s", v->detail);
        if (v->line) fprintf(f, " [%s:%d:%d]", g->path, v->line, v->col);
        fputc('\n', f);
    }
    if (ctx->witness) bank_report_witness_text(f, ctx->workload, r);
    if (r->merged_snapshots)
        fprintf(f, "note: lines that repeat a customer with a growing list were read as snapshots; the last one counts\n");
    bank_report_set_aside_note(f, r);
    fprintf(f, "%zu/%zu events correct", r->n_correct, r->n_events);
    if (r->n_wrong) fprintf(f, ", %zu wrong", r->n_wrong);
    if (r->n_undecided) fprintf(f, ", %zu undecided", r->n_undecided);
    bank_report_budget_suffix(f, r);
    fputc('\n', f);
    return ferror(f) ? -1 : 0;
}

static cJSON *verdict_json(const bank_verdict *v)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddNumberToObject(o, "customer", (double)v->customer_id);
    if (v->entry != SIZE_MAX) cJSON_AddNumberToObject(o, "entry", (double)v->entry + 1);
    if (v->event_id >= 0) cJSON_AddNumberToObject(o, "event", (double)v->event_id);
    cJSON_AddStringToObject(o, "interface", v->interface);
    cJSON_AddStringToObject(o, "verdict", bank_verdict_name(v->kind));
    if (v->detail) cJSON_AddStringToObject(o, "detail", v->detail);
    if (v->line) {
        cJSON_AddNumberToObject(o, "line", v->line);
        cJSON_AddNumberToObject(o, "column", v->col);
    }
    return o;
}

static cJSON *file_json(const bank_report_context *ctx, const bank_graded_file *g, int verdicts)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "file", g->path);
    cJSON_AddStringToObject(o, "mode", ctx->mode);
    if (g->error) {
        cJSON_AddStringToObject(o, "error", g->error);
        return o;
    }
    const bank_grade_report *r = g->report;
    cJSON_AddStringToObject(o, "format", g->format);
    cJSON_AddNumberToObject(o, "events", (double)r->n_events);
    cJSON_AddNumberToObject(o, "correct", (double)r->n_correct);
    cJSON_AddNumberToObject(o, "wrong", (double)r->n_wrong);
    cJSON_AddNumberToObject(o, "undecided", (double)r->n_undecided);
    if (r->states) cJSON_AddNumberToObject(o, "states", (double)r->states);
    cJSON_AddBoolToObject(o, "snapshots_merged", r->merged_snapshots);
    if (r->first_wrong != SIZE_MAX)
        cJSON_AddItemToObject(o, "first_wrong", verdict_json(&r->verdicts[r->first_wrong]));
    if (verdicts) {
        cJSON *arr = cJSON_AddArrayToObject(o, "verdicts");
        for (size_t i = 0; arr && i < r->n; i++) cJSON_AddItemToArray(arr, verdict_json(&r->verdicts[i]));
        bank_report_consistent_json(o, ctx->workload, r);
    }
    return o;
}

static int print_json(FILE *f, cJSON *o)
{
    if (!o) return -1;
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text) return -1;
    fprintf(f, "%s\n", text);
    cJSON_free(text);
    return ferror(f) ? -1 : 0;
}

int bank_report_json(FILE *f, const bank_report_context *ctx, const bank_graded_file *g)
{
    cJSON *o = file_json(ctx, g, 1);
    if (o) cJSON_AddStringToObject(o, "input", ctx->input);
    return print_json(f, o);
}

int bank_table_kind_for(const char *path, bank_table_kind *out)
{
    const char *dot = strrchr(path, '.');
    if (!dot) return -1;
    static const struct { const char *ext; bank_table_kind kind; } kinds[] = {
        {".csv", BANK_TABLE_CSV},   {".json", BANK_TABLE_JSON}, {".html", BANK_TABLE_HTML},
        {".htm", BANK_TABLE_HTML},  {".txt", BANK_TABLE_TEXT},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcasecmp(dot, kinds[i].ext) == 0) {
            *out = kinds[i].kind;
            return 0;
        }
    return -1;
}

static void first_wrong_text(char *buf, size_t n, const bank_graded_file *g)
{
    buf[0] = '\0';
    if (g->error) {
        snprintf(buf, n, "unusable: %s", g->error);
        return;
    }
    const bank_grade_report *r = g->report;
    if (r->first_wrong == SIZE_MAX) return;
    const bank_verdict *v = &r->verdicts[r->first_wrong];
    char what[128];
    name_event(what, sizeof what, v);
    snprintf(buf, n, "%s: %s%s%s", what, bank_verdict_name(v->kind), v->detail ? ": " : "",
             v->detail ? v->detail : "");
}

static void csv_field(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void html_table(FILE *f, const bank_report_context *ctx, const bank_graded_file *files, size_t n)
{
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>bank grade</title>\n"
          "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
          "td,th{border:1px solid #999;padding:2px 6px;text-align:left;vertical-align:top}"
          ".ok{background:#dfd}.wrong{background:#fdd}.bad{background:#ddd}</style></head><body>\n",
          f);
    fputs("<h1>bank grade</h1>\n<p>input: ", f);
    html_text(f, ctx->input);
    fputs("; judged ", f);
    html_text(f, ctx->mode);
    fprintf(f, "; %zu files</p>\n<table>\n<tr><th>file</th><th>score</th><th>first wrong event</th>"
               "<th>format</th></tr>\n", n);
    for (size_t i = 0; i < n; i++) {
        const bank_graded_file *g = &files[i];
        const char *cls = g->error ? "bad" : g->report->n_correct == g->report->n_events && !g->report->n_wrong ? "ok" : "wrong";
        char sc[64] = "-", first[1024];
        if (!g->error) score(sc, sizeof sc, g->report);
        first_wrong_text(first, sizeof first, g);
        fprintf(f, "<tr class=\"%s\"><td>", cls);
        html_text(f, g->path);
        fprintf(f, "</td><td>%s</td><td>", sc);
        html_text(f, first);
        fputs("</td><td>", f);
        html_text(f, g->format ? g->format : "");
        fputs("</td></tr>\n", f);
        if (!g->error && g->report->n_wrong + g->report->n_undecided > 0) {
            fputs("<tr><td></td><td colspan=\"3\"><details><summary>every verdict</summary><ul>\n", f);
            for (size_t k = 0; k < g->report->n; k++) {
                const bank_verdict *v = &g->report->verdicts[k];
                char what[128];
                name_event(what, sizeof what, v);
                fputs("<li>", f);
                html_text(f, what);
                fputs(": ", f);
                html_text(f, bank_verdict_name(v->kind));
                if (v->detail) {
                    fputs(": ", f);
                    html_text(f, v->detail);
                }
                fputs("</li>\n", f);
            }
            fputs("</ul></details></td></tr>\n", f);
        }
    }
    fputs("</table>\n", f);
    if (ctx->diagram_svg) {
        /* inline, without the XML declaration, which may only open a document */
        const char *svg = strstr(ctx->diagram_svg, "<svg");
        fputs("<h2>The reference run</h2>\n<p>Who sent what to whom, in order; drawn by "
              "<code>bank run --trace</code> and <code>bank diagram</code>.</p>\n", f);
        fputs(svg ? svg : "", f);
        fputc('\n', f);
    }
    fputs("</body></html>\n", f);
}

int bank_report_table(FILE *f, bank_table_kind kind, const bank_report_context *ctx,
                      const bank_graded_file *files, size_t n)
{
    if (kind == BANK_TABLE_JSON) {
        cJSON *o = cJSON_CreateObject();
        cJSON *arr = o ? cJSON_AddArrayToObject(o, "files") : NULL;
        if (!arr) {
            cJSON_Delete(o);
            return -1;
        }
        cJSON_AddStringToObject(o, "input", ctx->input);
        cJSON_AddStringToObject(o, "mode", ctx->mode);
        for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(arr, file_json(ctx, &files[i], 0));
        return print_json(f, o);
    }
    if (kind == BANK_TABLE_HTML) {
        html_table(f, ctx, files, n);
        return ferror(f) ? -1 : 0;
    }
    if (kind == BANK_TABLE_CSV) fputs("file,score,correct,events,first_wrong,format\n", f);
    size_t width = 4;
    for (size_t i = 0; i < n; i++)
        if (strlen(files[i].path) > width) width = strlen(files[i].path);
    size_t fwidth = 6;
    for (size_t i = 0; i < n; i++)
        if (files[i].format && strlen(files[i].format) > fwidth) fwidth = strlen(files[i].format);
    if (kind == BANK_TABLE_TEXT)
        fprintf(f, "%-*s  %-9s  %-*s  %s\n", (int)width, "file", "score", (int)fwidth, "format",
                "first wrong event");
    for (size_t i = 0; i < n; i++) {
        const bank_graded_file *g = &files[i];
        char sc[64] = "-", first[1024];
        if (!g->error) score(sc, sizeof sc, g->report);
        first_wrong_text(first, sizeof first, g);
        if (kind == BANK_TABLE_CSV) {
            csv_field(f, g->path);
            fputc(',', f);
            csv_field(f, sc);
            if (g->error) fputs(",,", f);
            else fprintf(f, ",%zu,%zu", g->report->n_correct, g->report->n_events);
            fputc(',', f);
            csv_field(f, first);
            fputc(',', f);
            csv_field(f, g->format ? g->format : "");
            fputc('\n', f);
        } else {
            fprintf(f, "%-*s  %-9s  %-*s  %s\n", (int)width, g->path, sc, (int)fwidth,
                    g->format ? g->format : "", first);
        }
    }
    return ferror(f) ? -1 : 0;
}
