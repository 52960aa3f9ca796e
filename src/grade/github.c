/* Workflow commands and a job summary for GitHub Actions. */
#include "github.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void bank_github_escape(FILE *f, const char *s, int property)
{
    for (; *s; s++) {
        switch (*s) {
        case '%': fputs("%25", f); break;
        case '\r': fputs("%0D", f); break;
        case '\n': fputs("%0A", f); break;
        case ':': property ? fputs("%3A", f) : fputc(':', f); break;
        case ',': property ? fputs("%2C", f) : fputc(',', f); break;
        default: fputc(*s, f);
        }
    }
}

/* The path GitHub knows the file by: relative to the workspace, without "./". */
static const char *repo_path(const char *path)
{
    const char *ws = getenv("GITHUB_WORKSPACE");
    size_t n = ws ? strlen(ws) : 0;
    if (n && strncmp(path, ws, n) == 0 && path[n] == '/') path += n + 1;
    while (strncmp(path, "./", 2) == 0) path += 2;
    return path;
}

static void command(FILE *f, const char *level, const char *path, int line, int col, const char *msg)
{
    fprintf(f, "::%s", level);
    if (path) {
        fputs(" file=", f);
        bank_github_escape(f, repo_path(path), 1);
        if (line > 0) fprintf(f, ",line=%d,col=%d", line, col);
    }
    fputs("::", f);
    bank_github_escape(f, msg, 0);
    fputc('\n', f);
}

static void name_verdict(char *buf, size_t n, const bank_verdict *v)
{
    int k;
    if (v->entry == SIZE_MAX) k = snprintf(buf, n, "customer %" PRId64 " (extra record)", v->customer_id);
    else if (v->kind == BANK_VERDICT_EXTRA) k = snprintf(buf, n, "customer %" PRId64 " extra reply %s", v->customer_id, v->interface);
    else k = snprintf(buf, n, "customer %" PRId64 " event %" PRId64 " %s", v->customer_id, v->event_id, v->interface);
    if (k >= 0 && (size_t)k < n)
        snprintf(buf + k, n - (size_t)k, ": %s%s%s", bank_verdict_name(v->kind), v->detail ? ": " : "",
                 v->detail ? v->detail : "");
}

/* "SOURCE:LINE:COL: what" -> line, column and "what", when the message has them. */
static const char *fault_position(const char *msg, const char *source, int *line, int *col)
{
    size_t n = strlen(source);
    int used = 0;
    if (strncmp(msg, source, n) != 0 || sscanf(msg + n, ":%d:%d: %n", line, col, &used) != 2 || !used) {
        *line = *col = 0;
        return NULL;
    }
    return msg + n + used;
}

int bank_github_annotate(FILE *f, const bank_graded_file *row)
{
    if (!row->report) {
        const char *why = row->error ? row->error : "nothing graded";
        const char *unusable = "unusable: ", *what = NULL;
        int line = 0, col = 0;
        if (row->path && strncmp(why, unusable, strlen(unusable)) == 0)
            what = fault_position(why + strlen(unusable), row->path, &line, &col);
        else if (row->path && !row->student)
            what = fault_position(why, row->path, &line, &col);
        char msg[1400];
        if (what) snprintf(msg, sizeof msg, "unusable: %s", what);
        command(f, "error", row->path, line, col, what ? msg : why);
        return ferror(f) ? -1 : 0;
    }
    for (size_t i = 0; i < row->report->n; i++) {
        const bank_verdict *v = &row->report->verdicts[i];
        if (v->kind == BANK_VERDICT_OK) continue;
        char msg[1400];
        name_verdict(msg, sizeof msg, v);
        command(f, v->kind == BANK_VERDICT_UNDECIDED ? "warning" : "error", row->path, v->line, v->col, msg);
    }
    return ferror(f) ? -1 : 0;
}

/* Text in a Markdown table cell: no pipes, no line ends, no HTML. */
static void md_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '|': fputs("\\|", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '`': fputs("\\`", f); break;
        case '*': fputs("\\*", f); break;
        case '_': fputs("\\_", f); break;
        case '[': fputs("\\[", f); break;
        case ']': fputs("\\]", f); break;
        case '\n': case '\r': fputc(' ', f); break;
        default: fputc(*s, f);
        }
    }
}

int bank_github_summary(FILE *f, const bank_report_context *ctx, const bank_graded_file *row,
                        double score, double max)
{
    fprintf(f, "### bank grade: %g/%g points\n\n", score, max);
    const char *file = row->file ? row->file : row->path;
    if (!row->report) {
        md_cell(f, row->error ? row->error : "nothing graded");
        fputs("\n\n", f);
        return ferror(f) ? -1 : 0;
    }
    fputs("Graded ", f);
    md_cell(f, file);
    fputs(" (", f);
    md_cell(f, row->format);
    fputs(") against ", f);
    md_cell(f, ctx->input);
    fputs(", judged ", f);
    md_cell(f, ctx->mode);
    fprintf(f, ": %zu/%zu events correct", row->report->n_correct, row->report->n_events);
    if (row->report->n_wrong) fprintf(f, ", %zu wrong", row->report->n_wrong);
    if (row->report->n_undecided) fprintf(f, ", %zu undecided", row->report->n_undecided);
    fputs(".\n\n", f);
    if (row->others) {
        fputs("Also read as outputs (not graded): ", f);
        md_cell(f, row->others);
        fputs(".\n\n", f);
    }
    fputs("| customer | event | interface | verdict | why | where |\n|---|---|---|---|---|---|\n", f);
    for (size_t i = 0; i < row->report->n; i++) {
        const bank_verdict *v = &row->report->verdicts[i];
        fprintf(f, "| %" PRId64 " | ", v->customer_id);
        if (v->entry == SIZE_MAX) fputs("(extra record)", f);
        else if (v->kind == BANK_VERDICT_EXTRA) fputs("(extra reply)", f);
        else fprintf(f, "%" PRId64, v->event_id);
        fputs(" | ", f);
        md_cell(f, v->interface);
        fprintf(f, " | %s%s%s | ", v->kind == BANK_VERDICT_OK ? "" : "**", bank_verdict_name(v->kind),
                v->kind == BANK_VERDICT_OK ? "" : "**");
        md_cell(f, v->detail ? v->detail : "");
        fputs(" | ", f);
        if (v->line) {
            md_cell(f, repo_path(row->path));
            fprintf(f, ":%d:%d", v->line, v->col);
        }
        fputs(" |\n", f);
    }
    fputc('\n', f);
    return ferror(f) ? -1 : 0;
}
