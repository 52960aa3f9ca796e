#include "workload_gen.h"

#include <stdlib.h>
#include <string.h>

uint64_t bank_rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t bank_rng_below(uint64_t *state, uint64_t bound)
{
    /* rejection sampling keeps it unbiased */
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t v;
    do v = bank_rng_next(state);
    while (v >= limit);
    return v % bound;
}

static bank_op pick_op(uint64_t *rng, unsigned query_percent)
{
    uint64_t r = bank_rng_below(rng, 100);
    if (r < query_percent) return BANK_OP_QUERY;
    return (r - query_percent) % 2 == 0 ? BANK_OP_DEPOSIT : BANK_OP_WITHDRAW;
}

int bank_workload_generate(const bank_gen_config *cfg, bank_workload *out)
{
    memset(out, 0, sizeof *out);
    if (cfg->branches == 0) return -1;
    uint64_t rng = cfg->seed;
    out->branches = calloc(cfg->branches, sizeof *out->branches);
    out->customers = calloc(cfg->customers ? cfg->customers : 1, sizeof *out->customers);
    if (!out->branches || !out->customers) goto oom;
    out->n_branches = cfg->branches;
    for (size_t b = 0; b < cfg->branches; b++)
        out->branches[b] = (bank_branch){(int64_t)b + 1, cfg->balance};
    int64_t event_id = 1;
    for (size_t c = 0; c < cfg->customers; c++) {
        bank_customer *cu = &out->customers[c];
        cu->branch_index = c % cfg->branches;
        cu->id = (int64_t)cu->branch_index + 1;
        cu->events = calloc(cfg->events ? cfg->events : 1, sizeof *cu->events);
        if (!cu->events) goto oom;
        out->n_customers = c + 1;
        cu->n_events = cfg->events;
        for (size_t e = 0; e < cfg->events; e++) {
            bank_op op = pick_op(&rng, cfg->query_percent);
            int64_t money = op == BANK_OP_QUERY ? 0
                            : (int64_t)bank_rng_below(&rng, (uint64_t)cfg->max_money + 1);
            cu->events[e] = (bank_event){event_id++, op, money};
        }
    }
    return 0;
oom:
    bank_workload_free(out);
    return -1;
}
