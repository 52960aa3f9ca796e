/* The seeded workload generator and its random numbers (core/workload_gen.c): the same workload
 * for the same seed, empty workloads, splitmix64's reference outputs, and bank_rng_below
 * rejecting the biased tail. (Its mix at the boundaries is test_workload_gen.c's.) */
#include <criterion/criterion.h>
#include <stdint.h>

#include "core/workload_gen.h"

Test(generator, deterministic_per_seed)
{
    bank_gen_config cfg = {4, 9, 7, 100, 150, 40, 42};
    bank_workload a, b, c;
    cr_assert_eq(bank_workload_generate(&cfg, &a), 0);
    cr_assert_eq(bank_workload_generate(&cfg, &b), 0);
    cfg.seed = 43;
    cr_assert_eq(bank_workload_generate(&cfg, &c), 0);
    int differs = 0;
    for (size_t k = 0; k < 9; k++) {
        cr_expect_eq(a.customers[k].branch_index, k % 4);
        cr_expect_eq(a.customers[k].id, (int64_t)(k % 4) + 1);
        for (size_t e = 0; e < 7; e++) {
            const bank_event *x = &a.customers[k].events[e], *y = &b.customers[k].events[e];
            cr_expect(x->op == y->op && x->money == y->money, "same seed, same workload");
            cr_expect(x->money >= 0 && x->money <= 150);
            if (x->op == BANK_OP_QUERY) cr_expect_eq(x->money, 0);
            differs |= x->op != c.customers[k].events[e].op || x->money != c.customers[k].events[e].money;
        }
    }
    cr_expect(differs, "another seed, another workload");
    bank_workload_free(&a);
    bank_workload_free(&b);
    bank_workload_free(&c);
    cfg.branches = 0;
    cr_expect_eq(bank_workload_generate(&cfg, &a), -1);
}

Test(generator, no_customers_or_no_events)
{
    bank_gen_config cfg = {3, 0, 5, 100, 150, 40, 1};
    bank_workload w;
    cr_assert_eq(bank_workload_generate(&cfg, &w), 0);
    cr_expect_eq(w.n_branches, 3);
    cr_expect_eq(w.n_customers, 0);
    bank_workload_free(&w);
    cfg.customers = 4;
    cfg.events = 0;
    cr_assert_eq(bank_workload_generate(&cfg, &w), 0);
    cr_expect_eq(w.n_customers, 4);
    cr_expect_eq(bank_workload_event_count(&w), 0);
    bank_workload_free(&w);
    cr_expect_eq(w.n_customers, 0);
    cr_expect_null(w.customers);
}

/* A bound just above 2^63 rejects almost half of all draws: every value is still below the
 * bound, and both halves of the range come up. */
Test(generator, below_rejects_the_biased_tail)
{
    uint64_t rng = 5, bound = (UINT64_C(1) << 63) + 1;
    int high = 0, low = 0;
    for (int k = 0; k < 200; k++) {
        uint64_t v = bank_rng_below(&rng, bound);
        cr_assert_lt(v, bound);
        if (v >= UINT64_C(1) << 62) high++;
        else low++;
    }
    cr_expect_gt(high, 50);
    cr_expect_gt(low, 50);
    rng = 5;
    for (int k = 0; k < 100; k++) cr_expect_eq(bank_rng_below(&rng, 1), 0);
}

/* splitmix64's reference outputs (seed 0, as published with the algorithm): every seeded test,
 * benchmark and fuzz case of the project draws from it, so a changed step changes them all. */
Test(generator, splitmix64_gives_its_reference_outputs)
{
    uint64_t rng = 0, want[3] = {0xe220a8397b1dcdafull, 0x6e789e6aa1b965f4ull, 0x06c45d188009454full};
    for (int k = 0; k < 3; k++) cr_expect_eq(bank_rng_next(&rng), want[k], "output %d", k);
    cr_expect_eq(rng, 3 * 0x9e3779b97f4a7c15ull, "the state moves by the golden gamma per output");
}

static uint64_t unxorshift(uint64_t x, int k)
{
    uint64_t y = x;
    for (int i = 0; i < 64 / k + 1; i++) y = x ^ (y >> k);
    return y;
}

static uint64_t inverse_odd(uint64_t a)
{
    uint64_t inv = a; /* Newton's iteration: each step doubles the correct low bits */
    for (int i = 0; i < 6; i++) inv *= 2 - a * inv;
    return inv;
}

/* The state from which bank_rng_next's next output is v (splitmix64's mix is a bijection). */
static uint64_t state_before(uint64_t v)
{
    uint64_t z = unxorshift(v, 31) * inverse_odd(0x94d049bb133111ebull);
    z = unxorshift(z, 27) * inverse_odd(0xbf58476d1ce4e5b9ull);
    return unxorshift(z, 30) - 0x9e3779b97f4a7c15ull;
}

/* A draw at the biased tail's very first value is rejected too: with bound 3 the tail starts at
 * UINT64_MAX (2^64 - 1 is a multiple of 3), so a state whose next output is UINT64_MAX draws again
 * and answers the next output's remainder. */
Test(generator, below_rejects_the_first_value_of_the_tail)
{
    uint64_t rng = state_before(UINT64_MAX), probe = rng;
    cr_assert_eq(bank_rng_next(&probe), UINT64_MAX, "state_before inverts the mix");
    uint64_t second = bank_rng_next(&probe);
    cr_expect_eq(bank_rng_below(&rng, 3), second % 3);
    cr_expect_eq(rng, probe, "two draws taken");
}
