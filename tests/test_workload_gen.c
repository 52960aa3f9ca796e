/* The seeded workload generator's mix at its boundaries: queries at 0 and 100 percent and just
 * inside them, deposits and withdrawals splitting the rest, money at 0 and at its maximum, ids
 * and branches (src/core/workload_gen.c; the mutation sample found these unpinned). */
#include <criterion/criterion.h>
#include <stdint.h>

#include "core/workload_gen.h"

typedef struct {
    size_t ops[3]; /* by bank_op */
    int64_t min_money, max_money;
    int money_seen[3]; /* for max_money <= 2: which of 0, 1, 2 came up among the writes */
} mix;

static mix mix_of(unsigned query_percent, int64_t max_money, uint64_t seed)
{
    bank_gen_config cfg = {.branches = 3, .customers = 20, .events = 100, .balance = 50,
                           .max_money = max_money, .query_percent = query_percent, .seed = seed};
    bank_workload w;
    cr_assert_eq(bank_workload_generate(&cfg, &w), 0);
    mix m = {.min_money = INT64_MAX, .max_money = INT64_MIN};
    for (size_t c = 0; c < w.n_customers; c++)
        for (size_t e = 0; e < w.customers[c].n_events; e++) {
            const bank_event *ev = &w.customers[c].events[e];
            cr_assert_lt((unsigned)ev->op, 3u);
            m.ops[ev->op]++;
            if (ev->op == BANK_OP_QUERY) {
                cr_expect_eq(ev->money, 0, "a query carries no money");
                continue;
            }
            if (ev->money < m.min_money) m.min_money = ev->money;
            if (ev->money > m.max_money) m.max_money = ev->money;
            if (ev->money >= 0 && ev->money <= 2) m.money_seen[ev->money] = 1;
        }
    bank_workload_free(&w);
    return m;
}

Test(generator_mix, no_queries_at_0_percent_and_the_writes_split_evenly)
{
    mix m = mix_of(0, 100, 7);
    cr_expect_eq(m.ops[BANK_OP_QUERY], 0);
    cr_expect_eq(m.ops[BANK_OP_DEPOSIT] + m.ops[BANK_OP_WITHDRAW], 2000);
    /* even and odd draws of 0..99 alike: 1,000 each, give or take chance (a 1/100 bias would not
     * pass: the bound is 5 standard deviations) */
    cr_expect(m.ops[BANK_OP_DEPOSIT] > 890 && m.ops[BANK_OP_DEPOSIT] < 1110, "%zu deposits of 2000",
              m.ops[BANK_OP_DEPOSIT]);
}

Test(generator_mix, only_queries_at_100_percent)
{
    mix m = mix_of(100, 100, 7);
    cr_expect_eq(m.ops[BANK_OP_QUERY], 2000);
}

/* 99%: the one draw in 100 that is not a query is 99, and 99 - 99 is even: a deposit. 1%: a
 * query only on 0. */
Test(generator_mix, one_percent_either_side)
{
    mix m = mix_of(99, 100, 11);
    cr_expect_eq(m.ops[BANK_OP_WITHDRAW], 0, "at 99%% the rest is deposits");
    cr_expect_gt(m.ops[BANK_OP_DEPOSIT], 0);
    cr_expect_lt(m.ops[BANK_OP_DEPOSIT], 60, "about 20 of 2000 are not queries: %zu", m.ops[BANK_OP_DEPOSIT]);
    m = mix_of(1, 100, 11);
    cr_expect_gt(m.ops[BANK_OP_QUERY], 0);
    cr_expect_lt(m.ops[BANK_OP_QUERY], 60, "about 20 of 2000 are queries: %zu", m.ops[BANK_OP_QUERY]);
    /* 98%: draws 98 and 99 are a deposit and a withdrawal */
    m = mix_of(98, 100, 11);
    cr_expect_gt(m.ops[BANK_OP_WITHDRAW], 0);
    cr_expect_gt(m.ops[BANK_OP_DEPOSIT], 0);
}

Test(generator_mix, query_percent_splits_as_asked)
{
    mix m = mix_of(40, 100, 3);
    cr_expect(m.ops[BANK_OP_QUERY] > 690 && m.ops[BANK_OP_QUERY] < 910, "%zu queries of 2000 at 40%%",
              m.ops[BANK_OP_QUERY]);
}

Test(generator_mix, money_from_0_to_its_maximum_inclusive)
{
    mix m = mix_of(0, 0, 5);
    cr_expect_eq(m.min_money, 0);
    cr_expect_eq(m.max_money, 0, "max_money 0: every write moves 0");
    m = mix_of(0, 1, 5);
    cr_expect(m.money_seen[0] && m.money_seen[1], "max_money 1: both 0 and 1 come up");
    cr_expect_eq(m.max_money, 1);
    m = mix_of(20, 2, 5);
    cr_expect(m.money_seen[0] && m.money_seen[1] && m.money_seen[2]);
    cr_expect_eq(m.max_money, 2);
    m = mix_of(0, 1000, 5);
    cr_expect_geq(m.min_money, 0);
    cr_expect_leq(m.max_money, 1000);
    cr_expect_gt(m.max_money, 900, "the top of the range comes up: %lld", (long long)m.max_money);
}

Test(generator_mix, ids_branches_and_balances)
{
    bank_gen_config cfg = {.branches = 4, .customers = 6, .events = 3, .balance = 77, .max_money = 10,
                           .query_percent = 50, .seed = 1};
    bank_workload w;
    cr_assert_eq(bank_workload_generate(&cfg, &w), 0);
    cr_assert_eq(w.n_branches, 4);
    for (size_t b = 0; b < 4; b++) {
        cr_expect_eq(w.branches[b].id, (int64_t)b + 1);
        cr_expect_eq(w.branches[b].balance, 77);
    }
    cr_assert_eq(w.n_customers, 6);
    int64_t next = 1;
    for (size_t c = 0; c < 6; c++) {
        cr_expect_eq(w.customers[c].branch_index, c % 4);
        cr_expect_eq(w.customers[c].id, (int64_t)(c % 4) + 1, "customer k talks to branch k mod B, ids repeat");
        cr_assert_eq(w.customers[c].n_events, 3);
        for (size_t e = 0; e < 3; e++) cr_expect_eq(w.customers[c].events[e].id, next++, "event ids run on from 1");
    }
    bank_workload_free(&w);
    cfg.branches = 1;
    cr_assert_eq(bank_workload_generate(&cfg, &w), 0);
    for (size_t c = 0; c < 6; c++) cr_expect_eq(w.customers[c].id, 1, "one branch: every customer is 1");
    bank_workload_free(&w);
}

Test(generator_mix, below_one_is_always_zero_and_below_stays_below)
{
    uint64_t rng = 9;
    for (int k = 0; k < 100; k++) cr_expect_eq(bank_rng_below(&rng, 1), 0);
    int seen[3] = {0};
    for (int k = 0; k < 300; k++) {
        uint64_t v = bank_rng_below(&rng, 3);
        cr_assert_lt(v, 3);
        seen[v] = 1;
    }
    cr_expect(seen[0] && seen[1] && seen[2]);
}
