/* The --consistent search against brute force: on small random workloads every interleaving is
 * enumerated, and the search must accept exactly the answer vectors some interleaving gives
 * (and, with answers left out, exactly those that agree with one on the rest). Seeded: a failure
 * prints its seed; BANK_SEED=<seed> reruns from it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/consistency.h"
#include "core/workload_gen.h"

#define MAX_EVENTS 12

typedef struct {
    size_t n;
    bank_claim c[MAX_EVENTS]; /* flattened: entry by entry, event by event */
} answers;

typedef struct {
    size_t n, cap;
    answers *v;
} answer_set;

static int same(const answers *a, const answers *b)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->c[i].success != b->c[i].success || a->c[i].balance != b->c[i].balance) return 0;
    return 1;
}

static void add_unique(answer_set *s, const answers *a)
{
    for (size_t i = 0; i < s->n; i++)
        if (same(&s->v[i], a)) return;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        cr_assert_not_null(s->v);
    }
    s->v[s->n++] = *a;
}

static size_t offset_of(const bank_workload *w, size_t c)
{
    size_t o = 0;
    for (size_t d = 0; d < c; d++) o += w->customers[d].n_events;
    return o;
}

/* Every interleaving, on one shared balance (each branch: its initial balance plus the net). */
static void enumerate(const bank_workload *w, size_t *pos, int64_t net, answers *cur, size_t done,
                      size_t total, answer_set *out)
{
    if (done == total) {
        add_unique(out, cur);
        return;
    }
    for (size_t c = 0; c < w->n_customers; c++) {
        const bank_customer *cu = &w->customers[c];
        if (pos[c] == cu->n_events) continue;
        const bank_event *ev = &cu->events[pos[c]];
        int64_t bal = w->branches[cu->branch_index].balance + net, delta = 0;
        bank_claim *cl = &cur->c[offset_of(w, c) + pos[c]];
        cl->printed = 1;
        cl->success = 1;
        cl->balance = 0;
        if (ev->op == BANK_OP_QUERY) cl->balance = bal;
        else if (ev->op == BANK_OP_DEPOSIT) delta = ev->money;
        else if (bal >= ev->money) delta = -ev->money;
        else cl->success = 0;
        pos[c]++;
        enumerate(w, pos, net + delta, cur, done + 1, total, out);
        pos[c]--;
    }
}

static bank_consistency judge(const bank_workload *w, const answers *a, const int *printed)
{
    bank_claim rows[8][MAX_EVENTS];
    bank_claim *claims[8];
    for (size_t c = 0, k = 0; c < w->n_customers; c++) {
        claims[c] = rows[c];
        for (size_t e = 0; e < w->customers[c].n_events; e++, k++) {
            rows[c][e] = a->c[k];
            rows[c][e].printed = printed[k];
        }
    }
    bank_consistency_result res;
    cr_assert_eq(bank_consistency_check(w, claims, 0, &res), 0);
    bank_consistency v = res.verdict;
    bank_consistency_result_free(&res);
    return v;
}

/* Does some interleaving agree with a on every printed answer? */
static int brute_accepts(const answer_set *all, const answers *a, const int *printed)
{
    for (size_t i = 0; i < all->n; i++) {
        int ok = 1;
        for (size_t k = 0; k < a->n && ok; k++)
            if (printed[k])
                ok = all->v[i].c[k].success == a->c[k].success && all->v[i].c[k].balance == a->c[k].balance;
        if (ok) return 1;
    }
    return 0;
}

static bank_op op_at(const bank_workload *w, size_t k)
{
    for (size_t c = 0; c < w->n_customers; c++) {
        if (k < w->customers[c].n_events) return w->customers[c].events[k].op;
        k -= w->customers[c].n_events;
    }
    return BANK_OP_QUERY;
}

static uint64_t first_seed(void)
{
    const char *s = getenv("BANK_SEED");
    return s ? strtoull(s, NULL, 10) : 531;
}

Test(consistency_property, search_agrees_with_brute_force, .timeout = 120)
{
    uint64_t seed0 = first_seed();
    size_t accepted = 0, rejected = 0;
    for (uint64_t round = 0; round < 300; round++) {
        uint64_t seed = seed0 + round, rng = seed * 7919 + 1;
        bank_gen_config cfg = {1 + bank_rng_below(&rng, 3), 1 + bank_rng_below(&rng, 3),
                               1 + bank_rng_below(&rng, 3), (int64_t)bank_rng_below(&rng, 40), 30,
                               40, seed};
        bank_workload w;
        cr_assert_eq(bank_workload_generate(&cfg, &w), 0);
        size_t total = bank_workload_event_count(&w);
        cr_assert_leq(total, MAX_EVENTS);
        answer_set all = {0};
        answers cur = {total, {{0}}};
        size_t pos[8] = {0};
        enumerate(&w, pos, 0, &cur, 0, total, &all);
        int every[MAX_EVENTS];
        for (size_t k = 0; k < MAX_EVENTS; k++) every[k] = 1;
        /* every answer vector some interleaving gives is accepted */
        for (size_t i = 0; i < all.n; i++) {
            cr_assert_eq(judge(&w, &all.v[i], every), BANK_CONSISTENT,
                         "seed %llu: a real interleaving's answers %zu rejected", (unsigned long long)seed, i);
            accepted++;
        }
        /* one answer changed: accepted exactly when brute force finds it; and with some answers
         * left out, accepted exactly when one interleaving agrees on the rest */
        for (int trial = 0; trial < 20 && total > 0; trial++) {
            answers a = all.v[bank_rng_below(&rng, all.n)];
            size_t k = bank_rng_below(&rng, total);
            if (op_at(&w, k) == BANK_OP_QUERY) a.c[k].balance += (int64_t)bank_rng_below(&rng, 61) - 30;
            else a.c[k].success = !a.c[k].success;
            int printed[MAX_EVENTS];
            for (size_t j = 0; j < MAX_EVENTS; j++) printed[j] = trial % 2 ? bank_rng_below(&rng, 4) != 0 : 1;
            int want = brute_accepts(&all, &a, printed);
            bank_consistency got = judge(&w, &a, printed);
            cr_assert_eq(got, want ? BANK_CONSISTENT : BANK_INCONSISTENT,
                         "seed %llu trial %d: search says %d, brute force %s (rerun: BANK_SEED=%llu)",
                         (unsigned long long)seed, trial, got, want ? "accepts" : "rejects",
                         (unsigned long long)seed);
            want ? accepted++ : rejected++;
        }
        free(all.v);
        bank_workload_free(&w);
    }
    cr_log_info("consistency: %zu accepted and %zu rejected answer vectors agreed with brute force",
                accepted, rejected);
    cr_expect_gt(rejected, 100, "the mutations must produce rejections, or the test proves nothing");
}
