/* Project 3's output forms: a record per event with its branch, or final balances (see
 * session_output.h). */
#include "session_output.h"

#include <inttypes.h>
#include <string.h>

int bank_session_style_parse(const char *name, bank_session_style *out)
{
    if (strcmp(name, "events") == 0) *out = BANK_SESSION_EVENTS;
    else if (strcmp(name, "final") == 0) *out = BANK_SESSION_FINAL;
    else return -1;
    return 0;
}

/* The array's layout (O4): "[", a line end, objects indented by two spaces and joined by ",", a
 * line end and "]"; or one object a line. */
static void open_item(FILE *f, int lines, size_t index)
{
    if (!lines) fputs(index ? ",\n  " : "[\n  ", f);
}

static void close_all(FILE *f, int lines, size_t written)
{
    if (!lines) fputs(written ? "\n]\n" : "[]\n", f);
    else if (written) fputs("\n", f);
}

int bank_session_output_write(FILE *f, const bank_workload *w, const bank_routes *routes,
                              const bank_outcome *o, bank_session_style style, int lines)
{
    size_t written = 0;
    for (size_t c = 0; c < w->n_customers; c++) {
        const bank_customer *cu = &w->customers[c];
        size_t last_query = SIZE_MAX;
        for (size_t e = 0; e < cu->n_events; e++) {
            const bank_result *r = &o->results[c][e];
            if (r->op == BANK_OP_QUERY) last_query = e;
            if (style != BANK_SESSION_EVENTS) continue;
            if (lines && written) fputs("\n", f);
            open_item(f, lines, written++);
            int64_t branch = w->branches[routes->branch[c][e]].id;
            if (r->op == BANK_OP_QUERY)
                fprintf(f, "{\"id\": %" PRId64 ", \"recv\": [{\"interface\": \"query\", \"branch\": %" PRId64
                        ", \"balance\": %" PRId64 "}]}", cu->id, branch, r->balance);
            else
                fprintf(f, "{\"id\": %" PRId64 ", \"recv\": [{\"interface\": \"%s\", \"branch\": %" PRId64
                        ", \"result\": \"%s\"}]}", cu->id, bank_op_name(r->op), branch,
                        r->success ? "success" : "fail");
        }
        if (style != BANK_SESSION_FINAL || last_query == SIZE_MAX) continue;
        if (lines && written) fputs("\n", f);
        open_item(f, lines, written++);
        fprintf(f, "{\"id\": %" PRId64 ", \"balance\": %" PRId64 "}", cu->id, o->results[c][last_query].balance);
    }
    close_all(f, lines, written);
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
