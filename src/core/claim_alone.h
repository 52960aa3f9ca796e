/* What one answer allows on its own: the balances a query could read and the outcomes a
 * withdrawal could have, over every choice of how far each other customer entry has got and of how
 * every withdrawal went (no other answer trusted). An answer outside that is wrong whatever the
 * other answers are, so it is in every smallest set of wrong answers (G11, G16). Computed for every answer at once:
 * the sums over the other entries are built from both ends (entries before, entries after), so
 * the cost grows with the number of entries, not with its square. Pure C. */
#ifndef BANK_CORE_CLAIM_ALONE_H
#define BANK_CORE_CLAIM_ALONE_H

#include <stddef.h>
#include <stdint.h>

#include "consistency.h"
#include "net_set.h"
#include "workload.h"

typedef struct {
    const bank_workload *w;
    int64_t unit;           /* every write's money is a multiple of it: sets are kept in units */
    bank_net_set *others;   /* others[c]: what the other entries can add, in units */
    int same_balances;      /* every branch starts with the same balance: none goes below 0 */
} bank_alone;

/* 0 ok, -1 out of memory (nothing left allocated). */
int bank_alone_build(const bank_workload *w, bank_alone *a);
void bank_alone_free(bank_alone *a);
/* 1 the answer cl of (c, e) is possible alone, 0 it is not, -1 out of memory. Unprinted: 1. */
int bank_alone_possible(const bank_alone *a, const bank_claim *cl, size_t c, size_t e);
/* The balances (c, e) could see alone, as values: at most cap of them listed (the lowest), *total
 * counts them all and *highest is the largest (both upper bounds when the set was widened, see
 * net_set.h). Balances below zero are left out when every branch starts alike. 0 ok, -1 out of
 * memory. */
int bank_alone_balances(const bank_alone *a, size_t c, size_t e, int64_t *values, size_t cap,
                        size_t *n_values, uint64_t *total, int64_t *highest, int *exact);

#endif
