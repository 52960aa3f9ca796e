/* What the --consistent judge's tests share (tests/test_consistency*.c): workloads made from a
 * seed (the course's shape at full size, mixed, mixed of many entries), and the answers of one
 * random live interleaving of one. */
#ifndef BANK_TESTS_CONSISTENCY_FIXTURE_H
#define BANK_TESTS_CONSISTENCY_FIXTURE_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/consistency.h"
#include "core/workload_gen.h"

/* Makes the workload of a seed into *w, drawing from *rng. */
typedef void (*workload_maker)(uint64_t seed, uint64_t *rng, bank_workload *w);

/* claims[c][e] of one random live interleaving; ranks in file order (entry by entry). */
static inline bank_claim **live_answers(const bank_workload *w, uint64_t *rng)
{
    size_t C = w->n_customers, live = 0, rank = 0;
    bank_claim **claims = calloc(C, sizeof *claims);
    size_t *pos = calloc(C, sizeof *pos), *alive = calloc(C, sizeof *alive);
    cr_assert(claims && pos && alive);
    for (size_t c = 0; c < C; c++) {
        claims[c] = calloc(w->customers[c].n_events + 1, sizeof **claims);
        cr_assert_not_null(claims[c]);
        for (size_t e = 0; e < w->customers[c].n_events; e++) claims[c][e].rank = rank++;
        if (w->customers[c].n_events) alive[live++] = c;
    }
    int64_t net = 0;
    while (live) {
        size_t k = bank_rng_below(rng, live), c = alive[k];
        const bank_customer *cu = &w->customers[c];
        const bank_event *ev = &cu->events[pos[c]];
        bank_claim *cl = &claims[c][pos[c]];
        int64_t bal = w->branches[cu->branch_index].balance + net;
        cl->printed = 1;
        cl->success = 1;
        if (ev->op == BANK_OP_QUERY) cl->balance = bal;
        else if (ev->op == BANK_OP_DEPOSIT) net += ev->money;
        else if (bal >= ev->money) net -= ev->money;
        else cl->success = 0;
        if (++pos[c] == cu->n_events) alive[k] = alive[--live];
    }
    free(pos);
    free(alive);
    return claims;
}

static inline void free_answers(const bank_workload *w, bank_claim **claims)
{
    for (size_t c = 0; c < w->n_customers; c++) free(claims[c]);
    free(claims);
}

/* The course's shape at full size: up to 100 entries, each a write of 10 then a query. */
static inline void course_large(uint64_t seed, uint64_t *rng, bank_workload *w)
{
    size_t n = 20 + bank_rng_below(rng, 81);
    bank_gen_config cfg = {n / 2, n, 2, 400, 10, 0, seed};
    cr_assert_eq(bank_workload_generate(&cfg, w), 0);
    for (size_t c = 0; c < n; c++) {
        w->customers[c].events[0].op = c < n / 2 ? BANK_OP_DEPOSIT : BANK_OP_WITHDRAW;
        w->customers[c].events[0].money = 10;
        w->customers[c].events[1].op = BANK_OP_QUERY;
        w->customers[c].events[1].money = 0;
    }
}

/* Mixed: up to 8 entries of up to 4 events, some withdrawals failing (branches poor). */
static inline void mixed_large(uint64_t seed, uint64_t *rng, bank_workload *w)
{
    bank_gen_config cfg = {1 + bank_rng_below(rng, 4), 4 + bank_rng_below(rng, 5), 2 + bank_rng_below(rng, 3),
                           (int64_t)bank_rng_below(rng, 60), 30, 40, seed};
    cr_assert_eq(bank_workload_generate(&cfg, w), 0);
}

/* Live runs that mix queries and writes of 10 over many entries (the benchmark's mixed shape,
 * tools/grade_cases.py): 40 to 200 entries of 10 events each. */
static inline void mixed_many(uint64_t seed, uint64_t *rng, bank_workload *w)
{
    size_t n = 40 + bank_rng_below(rng, 161);
    bank_gen_config cfg = {n / 2, n, 10, 400, 10, 50, seed};
    cr_assert_eq(bank_workload_generate(&cfg, w), 0);
    for (size_t c = 0; c < n; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++)
            if (w->customers[c].events[e].op != BANK_OP_QUERY) w->customers[c].events[e].money = 10;
}

#endif
