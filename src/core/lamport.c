/* The Lamport clock's tick rules, and the events an input requires (see lamport.h). */
#include "lamport.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

static uint64_t plus(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

uint64_t bank_lamport_send(bank_lamport *c)
{
    c->now = plus(c->now, 1);
    return c->now;
}

uint64_t bank_lamport_receive(bank_lamport *c, uint64_t message)
{
    if (message == 0) return 0;
    c->now = plus(message > c->now ? message : c->now, 1);
    return c->now;
}

uint64_t bank_lamport_fan_out(bank_lamport *c)
{
    if (c->fan_out == 0) return 0;
    uint64_t first = plus(c->now, 1);
    c->now = plus(c->now, c->fan_out);
    return first;
}

int bank_clock_log_add(bank_clock_log *l, const bank_clock_event *e)
{
    bank_clock_event *grown = bank_grow(l->items, l->n, &l->cap, sizeof *grown);
    if (!grown) return -1;
    l->items = grown;
    l->items[l->n++] = *e;
    return 0;
}

void bank_clock_log_free(bank_clock_log *l)
{
    free(l->items);
    memset(l, 0, sizeof *l);
}

typedef struct {
    int64_t id;
    size_t index;
} branch_ref;

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const branch_ref *)a)->id, y = ((const branch_ref *)b)->id;
    return (x > y) - (x < y);
}

size_t *bank_branches_by_id(const bank_workload *w)
{
    size_t n = w->n_branches ? w->n_branches : 1;
    branch_ref *refs = malloc(n * sizeof *refs);
    size_t *order = malloc(n * sizeof *order);
    if (!refs || !order) {
        free(refs);
        free(order);
        return NULL;
    }
    for (size_t b = 0; b < w->n_branches; b++) refs[b] = (branch_ref){w->branches[b].id, b};
    qsort(refs, w->n_branches, sizeof *refs, by_id);
    for (size_t b = 0; b < w->n_branches; b++) order[b] = refs[b].index;
    free(refs);
    return order;
}

int bank_clock_required(const bank_workload *w, const unsigned char *propagates, bank_clock_log *out)
{
    memset(out, 0, sizeof *out);
    size_t *peers = bank_branches_by_id(w);
    if (!peers) return -1;
    int rc = 0;
    size_t k = 0;
    for (size_t c = 0; c < w->n_customers && rc == 0; c++) {
        const bank_customer *cu = &w->customers[c];
        int64_t home = w->branches[cu->branch_index].id;
        for (size_t e = 0; e < cu->n_events && rc == 0; e++, k++) {
            bank_clock_event sent = {BANK_CLOCK_CUSTOMER_SENT, c, e, cu->id, home, 0};
            bank_clock_event recv = {BANK_CLOCK_CUSTOMER_RECV, c, e, home, cu->id, 0};
            rc = bank_clock_log_add(out, &sent) | bank_clock_log_add(out, &recv);
            if (!propagates || !propagates[k] || cu->events[e].op == BANK_OP_QUERY) continue;
            for (size_t p = 0; p < w->n_branches && rc == 0; p++) {
                if (peers[p] == cu->branch_index) continue;
                int64_t peer = w->branches[peers[p]].id;
                bank_clock_event to = {BANK_CLOCK_BRANCH_SENT, c, e, home, peer, 0};
                bank_clock_event at = {BANK_CLOCK_BRANCH_RECV, c, e, peer, home, 0};
                rc = bank_clock_log_add(out, &to) | bank_clock_log_add(out, &at);
            }
        }
    }
    free(peers);
    if (rc != 0) bank_clock_log_free(out);
    return rc;
}
