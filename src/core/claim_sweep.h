/* A fast search for an execution that honours every answer of a cs_instance (the ones tagged
 * CS_FREE excepted), made for outputs of live runs that mix queries and writes over many
 * customers, where claim_search.c's exhaustive walk gets lost. It walks like a live run: the
 * answer waiting longest (its entry the least advanced) says which way the net must move, and of
 * the writes that move it so, the least advanced entry's goes first. Queries that read what they
 * claim are taken at once, entries whose rest is alike are tried once, and states shown to lead
 * nowhere are remembered (bank_state_table); a dead end backtracks, and an attempt that uses its
 * share of the budget restarts with the entries' order shaken by a seeded random nudge. Every
 * state it rejects truly has no way on, so an attempt that runs to the end without a budget cut
 * proves that no such execution exists. Pure C; used by consistency.c. */
#ifndef BANK_CORE_CLAIM_SWEEP_H
#define BANK_CORE_CLAIM_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "claim_instance.h"
#include "schedule.h"

typedef enum { CS_SWEEP_FOUND, CS_SWEEP_GAVE_UP, CS_SWEEP_NONE } cs_sweep_result;

/* Tries each start net (forward: the single start 0). budget bounds the states expanded (counted
 * into *spent); seed shakes the restarts. On CS_SWEEP_FOUND, *order (caller frees) holds every
 * event once, in forward order. CS_SWEEP_NONE: proven that no execution honours every answer.
 * 0 ok with *result set, -1 out of memory. */
int cs_sweep(const cs_instance *in, const int64_t *starts, size_t n_starts, size_t budget, uint64_t seed,
             cs_sweep_result *result, bank_step **order, size_t *n_order, size_t *spent);

#endif
