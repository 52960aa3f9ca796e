/* Project 3's write-set rule: the ids a customer carries, what a replica lacks of them, where
 * events go, and the answers the guarantees fix one customer at a time (see session.h). */
#include "session.h"

#include <stdlib.h>
#include <string.h>

int bank_routes_init(bank_routes *r, const bank_workload *w)
{
    memset(r, 0, sizeof *r);
    r->branch = calloc(w->n_customers ? w->n_customers : 1, sizeof *r->branch);
    if (!r->branch) return -1;
    r->n_customers = w->n_customers;
    for (size_t c = 0; c < w->n_customers; c++) {
        const bank_customer *cu = &w->customers[c];
        r->branch[c] = malloc((cu->n_events ? cu->n_events : 1) * sizeof **r->branch);
        if (!r->branch[c]) {
            bank_routes_free(r);
            return -1;
        }
        for (size_t e = 0; e < cu->n_events; e++) r->branch[c][e] = cu->branch_index;
    }
    return 0;
}

void bank_routes_free(bank_routes *r)
{
    for (size_t c = 0; r->branch && c < r->n_customers; c++) free(r->branch[c]);
    free(r->branch);
    memset(r, 0, sizeof *r);
}

int bank_write_set_add(bank_write_set *s, bank_write_id id)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        bank_write_id *grown = realloc(s->ids, cap * sizeof *grown);
        if (!grown) return -1;
        s->ids = grown;
        s->cap = cap;
    }
    s->ids[s->n++] = id;
    return 0;
}

void bank_write_set_free(bank_write_set *s)
{
    free(s->ids);
    memset(s, 0, sizeof *s);
}

bank_write_id bank_write_set_last(const bank_write_set *s)
{
    bank_write_id none = {0, 0};
    return s->n ? s->ids[s->n - 1] : none;
}

int bank_replica_holds(const bank_replica *r, bank_write_id id)
{
    if (id.sequence == 0) return 1;
    if (id.origin == r->branch_id) return id.sequence <= r->last_sequence;
    return bank_replica_has_applied(r, id.origin, id.sequence);
}

size_t bank_write_set_first_missing(const bank_replica *r, const bank_write_id *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!bank_replica_holds(r, ids[i])) return i;
    return n;
}

int bank_session_expected(const bank_workload *w, const bank_routes *routes, bank_outcome *out,
                          int64_t *finals)
{
    int64_t net = 0; /* every write has reached every branch: one net for all of them */
    for (size_t c = 0; c < w->n_customers; c++) {
        const bank_customer *cu = &w->customers[c];
        for (size_t e = 0; e < cu->n_events; e++) {
            const bank_event *ev = &cu->events[e];
            bank_result *r = &out->results[c][e];
            int64_t before;
            if (__builtin_add_overflow(w->branches[routes->branch[c][e]].balance, net, &before)) return -1;
            *r = (bank_result){ev->op, 1, before, 0};
            if (ev->op == BANK_OP_QUERY) continue;
            int64_t delta = ev->op == BANK_OP_DEPOSIT ? ev->money : -ev->money;
            if (ev->op == BANK_OP_WITHDRAW && before < ev->money) {
                r->success = 0;
                continue;
            }
            if (__builtin_add_overflow(net, delta, &net) || __builtin_add_overflow(before, delta, &r->balance))
                return -1;
        }
    }
    for (size_t b = 0; finals && b < w->n_branches; b++)
        if (__builtin_add_overflow(w->branches[b].balance, net, &finals[b])) return -1;
    return 0;
}
