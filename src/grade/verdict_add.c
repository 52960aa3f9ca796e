#include "verdict_add.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_detail(bank_verdict *v, int *oom, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    v->detail = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (v->detail)
        vsnprintf(v->detail, (size_t)n + 1, fmt, ap);
    else
        *oom = 1;
}

size_t bank_verdict_add(bank_grade_report *r, const bank_workload *w, bank_verdict_kind kind, size_t entry,
                        size_t event, const bank_reply *reply, int *oom, const char *fmt, va_list ap)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 64;
        bank_verdict *grown = realloc(r->verdicts, cap * sizeof *grown);
        if (!grown) {
            *oom = 1;
            return SIZE_MAX;
        }
        r->verdicts = grown;
        r->cap = cap;
    }
    bank_verdict *v = &r->verdicts[r->n];
    memset(v, 0, sizeof *v);
    *v = (bank_verdict){.kind = kind, .entry = entry, .event = event, .event_id = -1};
    if (entry != SIZE_MAX) {
        const bank_customer *cu = &w->customers[entry];
        v->customer_id = cu->id;
        if (event < cu->n_events) {
            v->event_id = cu->events[event].id;
            snprintf(v->interface, sizeof v->interface, "%s", bank_op_name(cu->events[event].op));
        }
    }
    if (reply) {
        v->line = reply->line;
        v->col = reply->col;
        if (!v->interface[0])
            snprintf(v->interface, sizeof v->interface, "%s", reply->interface ? reply->interface : "?");
    }
    if (fmt) set_detail(v, oom, fmt, ap);
    return r->n++;
}

void bank_verdict_rejudge(bank_grade_report *r, size_t index, bank_verdict_kind kind, int *oom, const char *fmt,
                          va_list ap)
{
    bank_verdict *v = &r->verdicts[index];
    v->kind = kind;
    free(v->detail);
    v->detail = NULL;
    if (fmt) set_detail(v, oom, fmt, ap);
}
