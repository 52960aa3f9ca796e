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
    if (v->label)
        snprintf(buf, n, "%s", v->label);
    else if (v->entry == SIZE_MAX)
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

/* A row's score: N/M; a student with nothing graded has 0 (spec G33), a file "-". */
static void row_score(char *buf, size_t n, const bank_graded_file *g)
{
    if (g->report) score(buf, n, g->report);
    else if (g->student && g->n_events) snprintf(buf, n, "0/%zu", g->n_events);
    else if (g->student) snprintf(buf, n, "0");
    else snprintf(buf, n, "-");
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
        char what[256];
        name_event(what, sizeof what, v);
        fprintf(f, "%s: %s", what, bank_verdict_name(v->kind));
        if (v->detail) fprintf(f, ": %s", v->detail);
        if (v->line) fprintf(f, " [%s:%d:%d]", v->file ? v->file : g->path, v->line, v->col);
        fputc('\n', f);
    }
    if (ctx->witness) bank_report_witness_text(f, ctx->workload, r);
    if (r->repeated_records)
        fprintf(f, "note: records written twice, back to back, were graded once\n");
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
    int ok = 1; /* cJSON's adders return NULL when out of memory */
    ok &= cJSON_AddNumberToObject(o, "customer", (double)v->customer_id) != NULL;
    if (v->entry != SIZE_MAX) ok &= cJSON_AddNumberToObject(o, "entry", (double)v->entry + 1) != NULL;
    if (v->event_id >= 0) ok &= cJSON_AddNumberToObject(o, "event", (double)v->event_id) != NULL;
    ok &= cJSON_AddStringToObject(o, "interface", v->interface) != NULL;
    ok &= cJSON_AddStringToObject(o, "verdict", bank_verdict_name(v->kind)) != NULL;
    if (v->detail) ok &= cJSON_AddStringToObject(o, "detail", v->detail) != NULL;
    if (v->count > 1) ok &= cJSON_AddNumberToObject(o, "count", (double)v->count) != NULL;
    if (v->label) ok &= cJSON_AddStringToObject(o, "what", v->label) != NULL;
    if (v->file) ok &= cJSON_AddStringToObject(o, "in", v->file) != NULL;
    if (v->line) {
        ok &= cJSON_AddNumberToObject(o, "line", v->line) != NULL;
        ok &= cJSON_AddNumberToObject(o, "column", v->col) != NULL;
    }
    if (!ok) cJSON_Delete(o);
    return ok ? o : NULL;
}

static cJSON *file_json(const bank_report_context *ctx, const bank_graded_file *g, int verdicts)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    int ok = 1; /* cJSON's adders return NULL when out of memory */
    if (g->student) {
        ok &= cJSON_AddStringToObject(o, "student", g->student) != NULL;
        if (g->canvas_id) ok &= cJSON_AddStringToObject(o, "canvas_id", g->canvas_id) != NULL;
        if (g->file) ok &= cJSON_AddStringToObject(o, "graded", g->file) != NULL;
        if (g->others) ok &= cJSON_AddStringToObject(o, "others", g->others) != NULL;
        if (g->notes) ok &= cJSON_AddStringToObject(o, "notes", g->notes) != NULL;
        if (!g->report) {
            ok &= cJSON_AddNumberToObject(o, "events", (double)g->n_events) != NULL;
            ok &= cJSON_AddNumberToObject(o, "correct", 0) != NULL;
        }
    }
    if (g->path) ok &= cJSON_AddStringToObject(o, "file", g->path) != NULL;
    ok &= cJSON_AddStringToObject(o, "mode", ctx->mode) != NULL;
    if (g->error) {
        ok &= cJSON_AddStringToObject(o, "error", g->error) != NULL;
        goto done;
    }
    const bank_grade_report *r = g->report;
    ok &= cJSON_AddStringToObject(o, "format", g->format) != NULL;
    ok &= cJSON_AddNumberToObject(o, "events", (double)r->n_events) != NULL;
    ok &= cJSON_AddNumberToObject(o, "correct", (double)r->n_correct) != NULL;
    ok &= cJSON_AddNumberToObject(o, "wrong", (double)r->n_wrong) != NULL;
    ok &= cJSON_AddNumberToObject(o, "undecided", (double)r->n_undecided) != NULL;
    if (r->states) ok &= cJSON_AddNumberToObject(o, "states", (double)r->states) != NULL;
    ok &= cJSON_AddBoolToObject(o, "snapshots_merged", r->merged_snapshots) != NULL;
    ok &= cJSON_AddBoolToObject(o, "records_repeated", r->repeated_records) != NULL;
    if (r->first_wrong != SIZE_MAX) {
        cJSON *v = verdict_json(&r->verdicts[r->first_wrong]);
        if (!cJSON_AddItemToObject(o, "first_wrong", v)) { /* its key is copied: it may fail */
            cJSON_Delete(v);
            ok = 0;
        }
    }
    if (verdicts) {
        cJSON *arr = cJSON_AddArrayToObject(o, "verdicts");
        ok &= arr != NULL;
        for (size_t i = 0; arr && i < r->n; i++) ok &= cJSON_AddItemToArray(arr, verdict_json(&r->verdicts[i]));
        ok &= bank_report_consistent_json(o, ctx->workload, r) == 0;
    }
done:
    if (!ok) cJSON_Delete(o);
    return ok ? o : NULL;
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

cJSON *bank_report_json_value(const bank_report_context *ctx, const bank_graded_file *g)
{
    cJSON *o = file_json(ctx, g, 1);
    if (o && !cJSON_AddStringToObject(o, "input", ctx->input)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int bank_report_json(FILE *f, const bank_report_context *ctx, const bank_graded_file *g)
{
    return print_json(f, bank_report_json_value(ctx, g));
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
        snprintf(buf, n, g->student ? "%s" : "unusable: %s", g->error);
        return;
    }
    const bank_grade_report *r = g->report;
    if (r->first_wrong == SIZE_MAX) { /* nothing wrong: say why the row is not whole, if it is not */
        if (r->n_undecided)
            snprintf(buf, n, "none wrong; %zu undecided: the consistency check ran out of --budget", r->n_undecided);
        return;
    }
    const bank_verdict *v = &r->verdicts[r->first_wrong];
    char what[256];
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

void bank_report_html_text(FILE *f, const char *s)
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

/* Long paths and verdicts wrap inside their cells (a path breaks anywhere), so a table never
 * runs past the window; the score stays on one line; a diagram wider than the window scrolls in
 * its own box instead of the page. */
static const char html_style[] =
    "<style>body{font-family:sans-serif;margin:1em 2em;line-height:1.35}"
    "table{border-collapse:collapse;margin:0.5em 0}"
    "td,th{border:1px solid #999;padding:2px 6px;text-align:left;vertical-align:top}"
    "table.files{width:100%;table-layout:fixed}table.files td,table.files th{overflow-wrap:anywhere}"
    "table.files th.who{width:30%}table.files th.score{width:4.5em}table.files th.first{width:45%}"
    "table.students th.who{width:15%}table.students th.file{width:15%}table.students th.first{width:40%}"
    "table.files td.score{white-space:nowrap}"
    "table.files details ul{margin:0.3em 0;padding-left:1.5em}"
    "table.summary td{text-align:right;font-size:1.2em}table.summary small{font-size:0.7em}"
    ".ok{background:#dfd}.wrong{background:#fdd}.bad{background:#ddd}.undecided{background:#ffc}"
    ".diagram{overflow-x:auto;max-width:100%}.diagram svg{display:block}</style>";

void bank_report_html_begin(FILE *f, const char *title)
{
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>", f);
    bank_report_html_text(f, title);
    fprintf(f, "</title>\n<meta name=\"viewport\" content=\"width=device-width\">\n%s</head><body>\n<h1>",
            html_style);
    bank_report_html_text(f, title);
    fputs("</h1>\n", f);
}

void bank_report_html_end(FILE *f) { fputs("</body></html>\n", f); }

void bank_report_html_verdicts(FILE *f, const bank_grade_report *r)
{
    fputs("<ul>\n", f);
    for (size_t k = 0; k < r->n; k++) {
        const bank_verdict *v = &r->verdicts[k];
        char what[256];
        name_event(what, sizeof what, v);
        fprintf(f, "<li class=\"%s\">", v->kind == BANK_VERDICT_OK ? "ok" : "wrong");
        bank_report_html_text(f, what);
        fputs(": ", f);
        bank_report_html_text(f, bank_verdict_name(v->kind));
        if (v->detail) {
            fputs(": ", f);
            bank_report_html_text(f, v->detail);
        }
        fputs("</li>\n", f);
    }
    fputs("</ul>\n", f);
}

/* A file's class in the HTML report (its row's colour): all correct ("ok"), some verdict
 * wrong, nothing wrong but something undecided, or unusable ("bad"). */
static const char *file_class(const bank_graded_file *g)
{
    if (g->error) return "bad";
    if (g->report->n_wrong) return "wrong";
    return g->report->n_correct == g->report->n_events ? "ok" : "undecided";
}

/* The counts of each class at the top of the HTML report, and the mean score of the files that
 * could be graded. */
static void html_summary(FILE *f, const bank_graded_file *files, size_t n, const char *what)
{
    size_t correct = 0, wrong = 0, undecided = 0, unusable = 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        const char *cls = file_class(&files[i]);
        const bank_grade_report *r = files[i].report;
        correct += strcmp(cls, "ok") == 0;
        wrong += strcmp(cls, "wrong") == 0;
        undecided += strcmp(cls, "undecided") == 0;
        unusable += strcmp(cls, "bad") == 0;
        if (!files[i].error)
            sum += r->n_events ? (double)r->n_correct / (double)r->n_events : r->n_wrong ? 0 : 1;
    }
    size_t graded = n - unusable;
    fprintf(f, "<table id=\"summary\" class=\"summary\">\n<tr><th>%s</th><th>all correct</th>"
               "<th>some wrong</th>", what);
    if (undecided) fputs("<th>undecided</th>", f);
    fprintf(f, "<th>unusable</th><th>mean score</th></tr>\n<tr><td>%zu</td><td class=\"ok\">%zu</td>"
               "<td class=\"wrong\">%zu</td>", n, correct, wrong);
    if (undecided) fprintf(f, "<td class=\"undecided\">%zu</td>", undecided);
    fprintf(f, "<td class=\"bad\">%zu</td>", unusable);
    if (graded)
        fprintf(f, "<td>%.1f%% <small>(of the %zu graded file%s)</small></td></tr>\n</table>\n",
                100.0 * sum / (double)graded, graded, graded == 1 ? "" : "s");
    else
        fputs("<td>- <small>(no file could be graded)</small></td></tr>\n</table>\n", f);
}

static void html_table(FILE *f, const bank_report_context *ctx, const bank_graded_file *files, size_t n)
{
    bank_report_html_begin(f, "bank grade");
    fputs("<p>input: ", f);
    bank_report_html_text(f, ctx->input);
    fputs("; judged ", f);
    bank_report_html_text(f, ctx->mode);
    fputs("</p>\n", f);
    int by_student = n && files[0].student;
    html_summary(f, files, n, by_student ? "students" : "files");
    fprintf(f, "<table class=\"files%s\">\n<tr>%s<th class=\"score\">score</th>"
               "<th class=\"first\">first wrong event</th><th>%s</th></tr>\n",
            by_student ? " students" : "",
            by_student ? "<th class=\"who\">student</th><th class=\"file\">file</th>" : "<th class=\"who\">file</th>",
            by_student ? "format; notes" : "format");
    for (size_t i = 0; i < n; i++) {
        const bank_graded_file *g = &files[i];
        const char *cls = file_class(g);
        char sc[64], first[1024];
        row_score(sc, sizeof sc, g);
        first_wrong_text(first, sizeof first, g);
        fprintf(f, "<tr class=\"%s\"><td>", cls);
        if (by_student) {
            bank_report_html_text(f, g->student);
            fputs("</td><td>", f);
            bank_report_html_text(f, g->file ? g->file : "-");
        } else {
            bank_report_html_text(f, g->path);
        }
        fprintf(f, "</td><td class=\"score\">%s</td><td class=\"first\">", sc);
        bank_report_html_text(f, first);
        fputs("</td><td>", f);
        bank_report_html_text(f, g->format ? g->format : "");
        if (by_student && (g->others || g->notes)) { /* under the format: a narrow page has room */
            fputs("<br><small>", f);
            if (g->others) {
                fputs("also read as outputs: ", f);
                bank_report_html_text(f, g->others);
                if (g->notes) fputs("; ", f);
            }
            bank_report_html_text(f, g->notes ? g->notes : "");
            fputs("</small>", f);
        }
        fputs("</td></tr>\n", f);
        if (!g->error && g->report->n_wrong + g->report->n_undecided > 0) {
            fprintf(f, "<tr><td></td><td colspan=\"%d\"><details><summary>every verdict</summary>\n",
                    by_student ? 4 : 3);
            bank_report_html_verdicts(f, g->report);
            fputs("</details></td></tr>\n", f);
        }
    }
    fputs("</table>\n", f);
    if (ctx->diagram_svg) {
        fputs("<h2>The reference run</h2>\n<p>Who sent what to whom, in order; drawn by "
              "<code>bank run --trace</code> and <code>bank diagram</code>.</p>\n", f);
        bank_report_html_svg(f, ctx->diagram_svg);
    }
    bank_report_html_end(f);
}

void bank_report_html_svg(FILE *f, const char *svg_document)
{
    /* inline, without the XML declaration, which may only open a document; in a box of its own
     * that scrolls when the diagram is wider than the window */
    const char *svg = strstr(svg_document, "<svg");
    fputs("<div class=\"diagram\">", f);
    fputs(svg ? svg : "", f);
    fputs("</div>\n", f);
}

/* A class: a row per student (spec G33), as text or CSV. */
static int class_table(FILE *f, bank_table_kind kind, const bank_graded_file *rows, size_t n)
{
    size_t sw = 7, fw = 4, mw = 6;
    for (size_t i = 0; i < n; i++) {
        if (strlen(rows[i].student) > sw) sw = strlen(rows[i].student);
        if (rows[i].file && strlen(rows[i].file) > fw) fw = strlen(rows[i].file);
        if (rows[i].format && strlen(rows[i].format) > mw) mw = strlen(rows[i].format);
    }
    if (kind == BANK_TABLE_CSV)
        fputs("student,canvas_id,score,correct,events,file,others,format,first_wrong,notes,source\n", f);
    else
        fprintf(f, "%-*s  %-9s  %-*s  %-*s  %s\n", (int)sw, "student", "score", (int)fw, "file",
                (int)mw, "format", "first wrong event / notes");
    for (size_t i = 0; i < n; i++) {
        const bank_graded_file *g = &rows[i];
        char sc[64], first[1024];
        row_score(sc, sizeof sc, g);
        first_wrong_text(first, sizeof first, g);
        if (kind == BANK_TABLE_CSV) {
            const char *fields[] = {g->student, g->canvas_id ? g->canvas_id : "", sc};
            for (size_t k = 0; k < 3; k++) {
                csv_field(f, fields[k]);
                fputc(',', f);
            }
            fprintf(f, "%zu,%zu,", g->report ? g->report->n_correct : 0,
                    g->report ? g->report->n_events : g->n_events);
            const char *rest[] = {g->file ? g->file : "", g->others ? g->others : "",
                                  g->format ? g->format : "", first, g->notes ? g->notes : "",
                                  g->path ? g->path : ""};
            for (size_t k = 0; k < 6; k++) {
                if (k) fputc(',', f);
                csv_field(f, rest[k]);
            }
            fputc('\n', f);
            continue;
        }
        fprintf(f, "%-*s  %-9s  %-*s  %-*s  %s", (int)sw, g->student, sc, (int)fw, g->file ? g->file : "-",
                (int)mw, g->format ? g->format : "", first);
        const char *sep = first[0] ? "; " : "";
        if (g->others) fprintf(f, "%salso read as outputs: %s", sep, g->others), sep = "; ";
        if (g->notes) fprintf(f, "%s%s", sep, g->notes);
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

int bank_report_table(FILE *f, bank_table_kind kind, const bank_report_context *ctx,
                      const bank_graded_file *files, size_t n)
{
    if (kind == BANK_TABLE_JSON) {
        cJSON *o = cJSON_CreateObject();
        cJSON *arr = o ? cJSON_AddArrayToObject(o, n && files[0].student ? "students" : "files") : NULL;
        if (!arr) {
            cJSON_Delete(o);
            return -1;
        }
        int ok = cJSON_AddStringToObject(o, "input", ctx->input) && cJSON_AddStringToObject(o, "mode", ctx->mode);
        for (size_t i = 0; ok && i < n; i++) ok = cJSON_AddItemToArray(arr, file_json(ctx, &files[i], 0));
        if (!ok) {
            cJSON_Delete(o);
            return -1;
        }
        return print_json(f, o);
    }
    if (kind == BANK_TABLE_HTML) {
        html_table(f, ctx, files, n);
        return ferror(f) ? -1 : 0;
    }
    if (n && files[0].student) return class_table(f, kind, files, n);
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
        char sc[64], first[1024];
        row_score(sc, sizeof sc, g);
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
