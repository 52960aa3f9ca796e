/* A quick order for the --consistent judge to try before it searches: every event once, each
 * entry's own in order, built greedily so that as many answers as it can manage read what they
 * claim (a live run's order is what it guesses at: a query is taken as soon as the net is what it
 * claims, and of the writes at hand the one that lets the most waiting queries read what they
 * claim, or moves the net toward them). Linear in events times entries, no search: its answers
 * left unhonoured only bound the smallest set from above (G19). Pure C. */
#ifndef BANK_CORE_CLAIM_GREEDY_H
#define BANK_CORE_CLAIM_GREEDY_H

#include <stddef.h>
#include <stdint.h>

#include "consistency.h"
#include "schedule.h"
#include "workload.h"

/* honour[c][e]: the claim counts (printed and not already set aside). *order (caller frees)
 * holds every event once. 0 ok, 1 no order (the net would leave int64), -1 out of memory. */
int bank_greedy_order(const bank_workload *w, bank_claim *const *claims, const uint8_t *const *honour,
                      bank_step **order, size_t *n_order);

#endif
