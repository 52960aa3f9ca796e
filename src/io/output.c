#include "output.h"

#include <inttypes.h>
#include <string.h>

int bank_style_parse(const char *name, bank_style *out)
{
    if (strcmp(name, "result") == 0) *out = BANK_STYLE_RESULT;
    else if (strcmp(name, "balance") == 0) *out = BANK_STYLE_BALANCE;
    else if (strcmp(name, "money") == 0) *out = BANK_STYLE_MONEY;
    else return -1;
    return 0;
}

static void write_item(FILE *f, const bank_result *r, bank_style style)
{
    if (r->op != BANK_OP_QUERY) {
        fprintf(f, "{\"interface\": \"%s\", \"result\": \"%s\"}", bank_op_name(r->op),
                r->pending ? "pending" : r->success ? "success" : "fail");
        return;
    }
    switch (style) {
    case BANK_STYLE_RESULT:
        fprintf(f, "{\"interface\": \"query\", \"result\": {\"balance\": %" PRId64 "}}", r->balance);
        break;
    case BANK_STYLE_BALANCE:
        fprintf(f, "{\"interface\": \"query\", \"balance\": %" PRId64 "}", r->balance);
        break;
    case BANK_STYLE_MONEY:
        fprintf(f, "{\"interface\": \"query\", \"result\": \"success\", \"money\": %" PRId64 "}",
                r->balance);
        break;
    }
}

static void write_customer(FILE *f, const bank_customer *c, const bank_result *results,
                           bank_style style)
{
    fprintf(f, "{\"id\": %" PRId64 ", \"recv\": [", c->id);
    for (size_t e = 0; e < c->n_events; e++) {
        if (e) fputs(", ", f);
        write_item(f, &results[e], style);
    }
    fputs("]}", f);
}

int bank_output_write(FILE *f, const bank_workload *w, const bank_outcome *o, bank_style style,
                      int lines)
{
    if (!lines) fputs(w->n_customers ? "[\n" : "[", f);
    for (size_t c = 0; c < w->n_customers; c++) {
        if (!lines) fputs("  ", f);
        write_customer(f, &w->customers[c], o->results[c], style);
        fputs(!lines && c + 1 < w->n_customers ? ",\n" : "\n", f);
    }
    if (!lines) fputs("]\n", f);
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

int bank_output_write_branches(FILE *f, const bank_workload *w, const int64_t *balances)
{
    fputs("[", f);
    for (size_t b = 0; b < w->n_branches; b++)
        fprintf(f, "%s{\"id\": %" PRId64 ", \"balance\": %" PRId64 "}", b ? ", " : "",
                w->branches[b].id, balances[b]);
    fputs("]\n", f);
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
