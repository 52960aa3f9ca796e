/* Seeded workload generator, shared by tests, benchmarks and fuzzing. Pure C. */
#ifndef BANK_CORE_WORKLOAD_GEN_H
#define BANK_CORE_WORKLOAD_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "workload.h"

typedef struct {
    size_t branches;            /* ids 1..branches */
    size_t customers;           /* customer k talks to branch (k mod branches) + 1, so ids repeat */
    size_t events;              /* per customer */
    int64_t balance;            /* every branch's initial balance */
    int64_t max_money;          /* money is uniform in [0, max_money]; above the balance, some
                                   withdrawals fail */
    unsigned query_percent;     /* the rest split evenly between deposit and withdraw */
    uint64_t seed;
} bank_gen_config;

/* The same config and seed always give the same workload. 0, or -1 when out of memory or when
 * branches is 0. */
int bank_workload_generate(const bank_gen_config *cfg, bank_workload *out);

/* splitmix64: a small, well-mixed generator whose whole state is one number. */
uint64_t bank_rng_next(uint64_t *state);
/* Uniform in [0, bound) (bound > 0). */
uint64_t bank_rng_below(uint64_t *state, uint64_t bound);

#endif
