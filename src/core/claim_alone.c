#include "claim_alone.h"

#include <stdlib.h>
#include <string.h>

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static int64_t floor_div(int64_t a, int64_t b) /* b > 0 */
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

static int64_t ceil_div(int64_t a, int64_t b) /* b > 0 */
{
    int64_t q = a / b;
    return (a % b != 0 && a > 0) ? q + 1 : q;
}

/* sets[p] for p = 0..n: what entry c's first p events add, in units: a deposit adds, a
 * withdrawal takes or not. No other answer is trusted: any of them may be one of those set aside
 * (a withdrawal answered "fail" may have succeeded), so an answer found impossible here is
 * wrong in every case (G11, G16). */
static int own_prefixes(const bank_alone *a, size_t c, size_t limit,
                        bank_net_set *sets)
{
    const bank_customer *cu = &a->w->customers[c];
    for (size_t p = 0; p <= cu->n_events; p++) {
        bank_net_set_init(&sets[p]);
        sets[p].limit = limit;
    }
    if (bank_net_set_add_point(&sets[0], 0) != 0) return -1;
    for (size_t p = 1; p <= cu->n_events; p++) {
        const bank_event *ev = &cu->events[p - 1];
        int64_t m = ev->money / a->unit;
        bank_net_set step;
        bank_net_set_init(&step);
        int rc = bank_net_set_add_point(&step, 0);
        if (rc == 0 && ev->op == BANK_OP_DEPOSIT) step.v[0] = (bank_interval){m, m};
        if (rc == 0 && ev->op == BANK_OP_WITHDRAW) {
            rc = bank_net_set_add_point(&step, -m);
            bank_net_set_normalize(&step);
        }
        if (rc == 0) rc = bank_net_set_sum(&sets[p], &sets[p - 1], &step);
        bank_net_set_free(&step);
        if (rc != 0) return -1;
    }
    return 0;
}

static void free_sets(bank_net_set *sets, size_t n)
{
    for (size_t i = 0; sets && i < n; i++) bank_net_set_free(&sets[i]);
    free(sets);
}

/* Every net entry c's prefixes add (the union over p). */
static int any_prefix(const bank_alone *a, size_t c, size_t limit,
                      bank_net_set *out)
{
    size_t n = a->w->customers[c].n_events + 1;
    bank_net_set *sets = calloc(n, sizeof *sets);
    if (!sets) return -1;
    int rc = own_prefixes(a, c, limit, sets);
    bank_net_set_init(out);
    out->limit = limit;
    for (size_t p = 0; rc == 0 && p < n; p++)
        for (size_t i = 0; rc == 0 && i < sets[p].n; i++) {
            rc = bank_net_set_add_point(out, sets[p].v[i].lo);
            if (rc == 0) out->v[out->n - 1].hi = sets[p].v[i].hi;
        }
    bank_net_set_normalize(out);
    for (size_t p = 0; p < n; p++) out->exact &= sets[p].exact;
    free_sets(sets, n);
    if (rc != 0) bank_net_set_free(out);
    return rc;
}

void bank_alone_free(bank_alone *a)
{
    if (a->others)
        for (size_t c = 0; c < a->w->n_customers; c++) bank_net_set_free(&a->others[c]);
    free(a->others);
    memset(a, 0, sizeof *a);
}

int bank_alone_build(const bank_workload *w, bank_alone *a)
{
    memset(a, 0, sizeof *a);
    a->w = w;
    size_t C = w->n_customers;
    a->unit = 0;
    for (size_t c = 0; c < C; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++)
            if (w->customers[c].events[e].op != BANK_OP_QUERY)
                a->unit = gcd64(a->unit, w->customers[c].events[e].money);
    if (a->unit == 0) a->unit = 1;
    a->same_balances = 1;
    for (size_t b = 1; b < w->n_branches; b++)
        if (w->branches[b].balance != w->branches[0].balance) a->same_balances = 0;
    /* bounds the memory of C stored sets whatever the input: sets past it are widened */
    size_t limit = C ? (1u << 20) / C : BANK_NET_SET_CAP;
    if (limit > BANK_NET_SET_CAP) limit = BANK_NET_SET_CAP;
    if (limit < 16) limit = 16;
    a->others = calloc(C ? C : 1, sizeof *a->others);
    bank_net_set *after = calloc(C + 1, sizeof *after); /* after[c]: entries c.. */
    bank_net_set before, u;
    bank_net_set_init(&before);
    bank_net_set_init(&u);
    int rc = (a->others && after) ? 0 : -1;
    for (size_t c = 0; c <= C && after; c++) {
        bank_net_set_init(&after[c]);
        after[c].limit = limit;
    }
    if (rc == 0) rc = bank_net_set_add_point(&after[C], 0);
    for (size_t c = C; rc == 0 && c-- > 0;) {
        rc = any_prefix(a, c, limit, &u);
        if (rc == 0) rc = bank_net_set_sum(&after[c], &u, &after[c + 1]);
        bank_net_set_free(&u);
    }
    before.limit = limit;
    if (rc == 0) rc = bank_net_set_add_point(&before, 0);
    for (size_t c = 0; rc == 0 && c < C; c++) {
        bank_net_set_init(&a->others[c]);
        a->others[c].limit = limit;
        rc = bank_net_set_sum(&a->others[c], &before, &after[c + 1]);
        bank_net_set_free(&after[c + 1]);
        bank_net_set next;
        bank_net_set_init(&next);
        next.limit = limit;
        if (rc == 0) rc = any_prefix(a, c, limit, &u);
        if (rc == 0) rc = bank_net_set_sum(&next, &before, &u);
        bank_net_set_free(&u);
        bank_net_set_free(&before);
        before = next;
    }
    bank_net_set_free(&before);
    free_sets(after, after ? C + 1 : 0);
    if (rc != 0) bank_alone_free(a);
    return rc;
}

/* The nets (c, e) could see, in units: others ⊕ own prefix. */
static int reachable(const bank_alone *a, size_t c, size_t e,
                     bank_net_set *out)
{
    size_t n = a->w->customers[c].n_events + 1;
    bank_net_set *sets = calloc(n, sizeof *sets);
    if (!sets) return -1;
    int rc = own_prefixes(a, c, a->others[c].limit, sets);
    bank_net_set_init(out);
    out->limit = a->others[c].limit;
    if (rc == 0) rc = bank_net_set_sum(out, &a->others[c], &sets[e]);
    free_sets(sets, n);
    if (rc != 0) bank_net_set_free(out);
    return rc;
}

/* The nets in money between lo and hi (inclusive) as units: [ceil(lo/u), floor(hi/u)]. */
static int meets_money(const bank_alone *a, const bank_net_set *s, int64_t lo, int64_t hi)
{
    if (lo > hi) return 0;
    return bank_net_set_meets(s, ceil_div(lo, a->unit), floor_div(hi, a->unit));
}

int bank_alone_possible(const bank_alone *a, const bank_claim *cl, size_t c, size_t e)
{
    const bank_customer *cu = &a->w->customers[c];
    const bank_event *ev = &cu->events[e];
    if (!cl->printed) return 1;
    if (ev->op == BANK_OP_DEPOSIT) return cl->success;
    int64_t base = a->w->branches[cu->branch_index].balance, lo, hi;
    /* the balance base + net must lie in [lo + base, hi + base]: the nets allowed */
    if (ev->op == BANK_OP_QUERY) {
        if (__builtin_sub_overflow(cl->balance, base, &lo)) return 0;
        if (a->same_balances && cl->balance < 0) return 0;
        if (lo % a->unit != 0) return 0;
        hi = lo;
    } else if (cl->success) {
        lo = ev->money - base;
        hi = INT64_MAX;
    } else {
        lo = a->same_balances ? -base : INT64_MIN;
        hi = ev->money - base - 1;
    }
    bank_net_set r;
    if (reachable(a, c, e, &r) != 0) return -1;
    int ok = meets_money(a, &r, lo, hi);
    bank_net_set_free(&r);
    return ok;
}

int bank_alone_balances(const bank_alone *a, size_t c, size_t e, int64_t *values, size_t cap,
                        size_t *n_values, uint64_t *total, int64_t *highest, int *exact)
{
    int64_t base = a->w->branches[a->w->customers[c].branch_index].balance;
    int64_t umin = a->same_balances ? ceil_div(-base, a->unit) : INT64_MIN;
    bank_net_set r;
    *n_values = 0;
    *total = 0;
    if (reachable(a, c, e, &r) != 0) return -1;
    *exact = r.exact;
    for (size_t i = 0; i < r.n; i++) {
        int64_t lo = r.v[i].lo > umin ? r.v[i].lo : umin, hi = r.v[i].hi;
        if (lo > hi) continue;
        uint64_t count = (uint64_t)hi - (uint64_t)lo + 1;
        int64_t top;
        if (!__builtin_mul_overflow(hi, a->unit, &top) && !__builtin_add_overflow(base, top, &top)) *highest = top;
        *total = *total > UINT64_MAX - count ? UINT64_MAX : *total + count;
        for (int64_t u = lo; *n_values < cap; u++) {
            int64_t net, bal;
            if (!__builtin_mul_overflow(u, a->unit, &net) && !__builtin_add_overflow(base, net, &bal))
                values[(*n_values)++] = bal;
            if (u == hi) break;
        }
    }
    bank_net_set_free(&r);
    return 0;
}
