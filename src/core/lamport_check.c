/* The happens-before relation between clocked events, and the checks their clocks must pass
 * (see lamport.h, spec L11 and L12). */
#include "lamport.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

/* ---- finding an event by what it is ---- */

/* The event's name without its clock: BRANCH_SENT is told apart by the peer sent to,
 * BRANCH_RECV by the branch that received. */
typedef struct {
    int kind;
    size_t entry, event;
    int64_t other;
    size_t index; /* in the caller's array */
} event_key;

static int cmp_key(const void *a, const void *b)
{
    const event_key *x = a, *y = b;
    if (x->kind != y->kind) return x->kind - y->kind;
    if (x->entry != y->entry) return x->entry < y->entry ? -1 : 1;
    if (x->event != y->event) return x->event < y->event ? -1 : 1;
    if (x->other != y->other) return x->other < y->other ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static event_key key_of(const bank_clock_event *e, size_t index)
{
    int64_t other = e->kind == BANK_CLOCK_BRANCH_SENT ? e->peer
                    : e->kind == BANK_CLOCK_BRANCH_RECV ? e->process
                                                        : 0;
    return (event_key){(int)e->kind, e->entry, e->event, other, index};
}

typedef struct {
    event_key *keys;
    size_t n;
} lookup;

/* The first key at or after (kind, entry, event, other): its position, or n. */
static size_t lower_bound(const lookup *l, int kind, size_t entry, size_t event, int64_t other)
{
    event_key want = {kind, entry, event, other, 0};
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_key(&l->keys[mid], &want) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static size_t find(const lookup *l, int kind, size_t entry, size_t event, int64_t other)
{
    size_t at = lower_bound(l, kind, entry, event, other);
    if (at < l->n && l->keys[at].kind == kind && l->keys[at].entry == entry &&
        l->keys[at].event == event && l->keys[at].other == other)
        return l->keys[at].index;
    return SIZE_MAX;
}

/* [*first, *last) of the keys of kind for (entry, event), whatever their `other`. */
static void range(const lookup *l, int kind, size_t entry, size_t event, size_t *first, size_t *last)
{
    *first = lower_bound(l, kind, entry, event, INT64_MIN);
    size_t k = *first;
    while (k < l->n && l->keys[k].kind == kind && l->keys[k].entry == entry && l->keys[k].event == event) k++;
    *last = k;
}

/* ---- the edges ---- */

typedef struct {
    bank_clock_edge *items;
    size_t n, cap;
} edge_list;

static int add_edge(edge_list *l, size_t from, size_t to, int message)
{
    if (from == SIZE_MAX) return 0;
    bank_clock_edge *grown = bank_grow(l->items, l->n, &l->cap, sizeof *grown);
    if (!grown) return -1;
    l->items = grown;
    l->items[l->n++] = (bank_clock_edge){from, to, message};
    return 0;
}

/* The entry's latest request before `event` that left an event at its branch. */
static size_t earlier_at_branch(const lookup *l, size_t entry, size_t event)
{
    while (event-- > 0) {
        size_t first, last;
        range(l, BANK_CLOCK_BRANCH_SENT, entry, event, &first, &last);
        if (first < last || find(l, BANK_CLOCK_CUSTOMER_RECV, entry, event, 0) != SIZE_MAX) return event;
    }
    return SIZE_MAX;
}

static int edges_into(const lookup *l, const bank_clock_event *e, size_t i, edge_list *out)
{
    switch (e->kind) {
    case BANK_CLOCK_CUSTOMER_SENT:
        for (size_t k = e->event; k-- > 0;) {
            size_t before = find(l, BANK_CLOCK_CUSTOMER_SENT, e->entry, k, 0);
            if (before != SIZE_MAX) return add_edge(out, before, i, 0);
        }
        return 0;
    case BANK_CLOCK_CUSTOMER_RECV: {
        if (add_edge(out, find(l, BANK_CLOCK_CUSTOMER_SENT, e->entry, e->event, 0), i, 1) != 0) return -1;
        size_t prev = earlier_at_branch(l, e->entry, e->event);
        if (prev == SIZE_MAX) return 0;
        if (add_edge(out, find(l, BANK_CLOCK_CUSTOMER_RECV, e->entry, prev, 0), i, 0) != 0) return -1;
        size_t first, last;
        range(l, BANK_CLOCK_BRANCH_SENT, e->entry, prev, &first, &last);
        for (size_t k = first; k < last; k++)
            if (add_edge(out, l->keys[k].index, i, 0) != 0) return -1;
        return 0;
    }
    case BANK_CLOCK_BRANCH_SENT:
        return add_edge(out, find(l, BANK_CLOCK_CUSTOMER_RECV, e->entry, e->event, 0), i, 0);
    case BANK_CLOCK_BRANCH_RECV:
        return add_edge(out, find(l, BANK_CLOCK_BRANCH_SENT, e->entry, e->event, e->process), i, 1);
    }
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int bank_clock_edges(const bank_workload *w, const bank_clock_event *ev, size_t n,
                     bank_clock_point *points, bank_clock_edge **edges, size_t *n_edges)
{
    *edges = NULL;
    *n_edges = 0;
    lookup l = {malloc((n ? n : 1) * sizeof *l.keys), n};
    int64_t *ids = malloc((w->n_branches ? w->n_branches : 1) * sizeof *ids);
    edge_list out = {0};
    int rc = l.keys && ids ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) l.keys[i] = key_of(&ev[i], i);
    for (size_t b = 0; rc == 0 && b < w->n_branches; b++) ids[b] = w->branches[b].id;
    if (rc == 0) {
        qsort(l.keys, n, sizeof *l.keys, cmp_key);
        qsort(ids, w->n_branches, sizeof *ids, cmp_i64);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        /* a customer entry is a process of its own; a branch is one process whatever entries
           talk to it (numbered after the entries, by its rank among the branch ids) */
        const int64_t *at = ev[i].kind == BANK_CLOCK_CUSTOMER_SENT
                                ? NULL
                                : bsearch(&ev[i].process, ids, w->n_branches, sizeof *ids, cmp_i64);
        points[i].clock = ev[i].clock;
        points[i].process = at ? w->n_customers + (size_t)(at - ids) : ev[i].entry;
        points[i].receive = ev[i].kind == BANK_CLOCK_CUSTOMER_RECV || ev[i].kind == BANK_CLOCK_BRANCH_RECV;
        rc = edges_into(&l, &ev[i], i, &out);
    }
    free(l.keys);
    free(ids);
    if (rc != 0) {
        free(out.items);
        return -1;
    }
    *edges = out.items;
    *n_edges = out.n;
    return 0;
}

/* ---- the checks ---- */

typedef struct {
    bank_clock_problem *items;
    size_t n, cap;
} problem_list;

static int add_problem(problem_list *l, size_t event, size_t other, bank_clock_fault fault,
                       uint64_t expected)
{
    bank_clock_problem *grown = bank_grow(l->items, l->n, &l->cap, sizeof *grown);
    if (!grown) return -1;
    l->items = grown;
    l->items[l->n++] = (bank_clock_problem){event, other, fault, expected};
    return 0;
}

typedef struct {
    size_t process;
    uint64_t clock;
    size_t index;
} placed;

static int by_process_clock(const void *a, const void *b)
{
    const placed *x = a, *y = b;
    if (x->process != y->process) return x->process < y->process ? -1 : 1;
    if (x->clock != y->clock) return x->clock < y->clock ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static int by_event_fault(const void *a, const void *b)
{
    const bank_clock_problem *x = a, *y = b;
    if (x->event != y->event) return x->event < y->event ? -1 : 1;
    return (int)x->fault - (int)y->fault;
}

/* Each process's events in clock order: equal clocks, and (strict) the L2 tick. */
static int check_processes(const bank_clock_point *p, size_t n, const size_t *message_from,
                           int strict, problem_list *out)
{
    placed *order = malloc((n ? n : 1) * sizeof *order);
    if (!order) return -1;
    for (size_t i = 0; i < n; i++) order[i] = (placed){p[i].process, p[i].clock, i};
    qsort(order, n, sizeof *order, by_process_clock);
    int rc = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        size_t j = order[k].index;
        size_t prev = k > 0 && order[k - 1].process == order[k].process ? order[k - 1].index : SIZE_MAX;
        uint64_t before = prev == SIZE_MAX ? 0 : p[prev].clock;
        if (prev != SIZE_MAX && p[prev].clock == p[j].clock) {
            rc = add_problem(out, j, prev, BANK_CLOCK_SAME_AS_OTHER, 0);
            continue;
        }
        if (!strict) continue;
        uint64_t expected;
        if (p[j].receive) {
            if (message_from[j] == SIZE_MAX) continue; /* its send is not known */
            uint64_t m = p[message_from[j]].clock;
            expected = (m > before ? m : before) + 1;
        } else {
            expected = before + 1;
        }
        if (p[j].clock != expected) rc = add_problem(out, j, prev, BANK_CLOCK_NOT_TICK, expected);
    }
    free(order);
    return rc;
}

int bank_clock_check(const bank_clock_point *p, size_t n, const bank_clock_edge *edges,
                     size_t n_edges, int strict, bank_clock_problem **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    problem_list l = {0};
    size_t *message_from = malloc((n ? n : 1) * sizeof *message_from);
    int rc = message_from ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) message_from[i] = SIZE_MAX;
    for (size_t k = 0; rc == 0 && k < n_edges; k++) {
        const bank_clock_edge *e = &edges[k];
        if (e->message) message_from[e->to] = e->from;
        if (p[e->to].clock <= p[e->from].clock)
            rc = add_problem(&l, e->to, e->from,
                             e->message ? BANK_CLOCK_NOT_AFTER_SEND : BANK_CLOCK_NOT_AFTER_PREVIOUS, 0);
    }
    if (rc == 0) rc = check_processes(p, n, message_from, strict, &l);
    free(message_from);
    if (rc != 0) {
        free(l.items);
        return -1;
    }
    if (l.n) qsort(l.items, l.n, sizeof *l.items, by_event_fault);
    *out = l.items;
    *n_out = l.n;
    return 0;
}
