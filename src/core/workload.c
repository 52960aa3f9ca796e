#include "workload.h"

#include <stdlib.h>

const char *bank_op_name(bank_op op)
{
    switch (op) {
    case BANK_OP_QUERY: return "query";
    case BANK_OP_DEPOSIT: return "deposit";
    case BANK_OP_WITHDRAW: return "withdraw";
    }
    return "?";
}

size_t bank_workload_branch_index(const bank_workload *w, int64_t branch_id)
{
    for (size_t i = 0; i < w->n_branches; i++)
        if (w->branches[i].id == branch_id) return i;
    return SIZE_MAX;
}

size_t bank_workload_event_count(const bank_workload *w)
{
    size_t n = 0;
    for (size_t c = 0; c < w->n_customers; c++) n += w->customers[c].n_events;
    return n;
}

void bank_workload_free(bank_workload *w)
{
    if (!w) return;
    for (size_t c = 0; c < w->n_customers; c++) free(w->customers[c].events);
    free(w->customers);
    free(w->branches);
    w->customers = NULL;
    w->branches = NULL;
    w->n_customers = w->n_branches = 0;
}

int bank_outcome_init(bank_outcome *o, const bank_workload *w)
{
    o->n_customers = w->n_customers;
    o->results = calloc(w->n_customers ? w->n_customers : 1, sizeof *o->results);
    if (!o->results) return -1;
    for (size_t c = 0; c < w->n_customers; c++) {
        size_t n = w->customers[c].n_events;
        o->results[c] = calloc(n ? n : 1, sizeof **o->results);
        if (!o->results[c]) {
            bank_outcome_free(o);
            return -1;
        }
        for (size_t e = 0; e < n; e++) o->results[c][e].op = w->customers[c].events[e].op;
    }
    return 0;
}

void bank_outcome_free(bank_outcome *o)
{
    if (!o || !o->results) return;
    for (size_t c = 0; c < o->n_customers; c++) free(o->results[c]);
    free(o->results);
    o->results = NULL;
    o->n_customers = 0;
}
