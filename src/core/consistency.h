/* Could some legal execution have produced these answers? A legal execution runs every event of
 * every customer entry once, each customer's own events in its order, one at a time, on one
 * shared balance (each branch reads its initial balance plus every write applied so far). The
 * answers claim, per event, a query's balance and a write's success or failure; the question is
 * whether one interleaving gives all of them at once. Pure C. */
#ifndef BANK_CORE_CONSISTENCY_H
#define BANK_CORE_CONSISTENCY_H

#include <stddef.h>
#include <stdint.h>

#include "schedule.h"
#include "workload.h"

typedef struct {
    int printed;        /* the answer is known; otherwise anything goes (a missing reply) */
    int success;        /* a write: what was claimed */
    int64_t balance;    /* a query: what was claimed */
} bank_claim;

typedef enum { BANK_CONSISTENT, BANK_INCONSISTENT, BANK_UNDECIDED } bank_consistency;

typedef struct {
    bank_consistency verdict;
    size_t states;        /* distinct states the search visited */
    /* BANK_CONSISTENT: an interleaving that gives every claim (n_events steps). */
    bank_step *order;
    size_t n_order;
    /* BANK_INCONSISTENT: the furthest the search got. blocked[c] is the index of the first event
     * of entry c that no execution reaching that point could answer as claimed (n_events when
     * the entry got through). */
    size_t *blocked;
} bank_consistency_result;

/* claims[c][e] for customer entry c and its event e. budget bounds the states visited (0: the
 * default, 1,000,000); past it the verdict is BANK_UNDECIDED. 0 ok, -1 out of memory. */
int bank_consistency_check(const bank_workload *w, bank_claim *const *claims, size_t budget,
                           bank_consistency_result *out);
void bank_consistency_result_free(bank_consistency_result *r);

/* What one claim alone allows, ignoring every other claim except the write outcomes printed:
 * the nets (balance minus the branch's initial balance) that the event could see, over every
 * choice of how far each other entry has got. */
typedef struct {
    int exact;            /* every reachable net is listed (else the set grew past the cap) */
    size_t n_nets;
    int64_t *nets;        /* sorted */
} bank_reachable;

int bank_reachable_nets(const bank_workload *w, bank_claim *const *claims, size_t customer,
                        size_t event, bank_reachable *out);
void bank_reachable_free(bank_reachable *r);

/* One way to see `net` at (customer, event): for each entry, how many of its events come first
 * (prefix[c]; for `customer` itself, event). 0 found, 1 no such way, -1 out of memory. */
int bank_writes_for_net(const bank_workload *w, bank_claim *const *claims, size_t customer,
                        size_t event, int64_t net, size_t *prefix);

#endif
