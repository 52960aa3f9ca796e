/* The sequential reference model: what a correct bank answers when a plan's steps run in
 * order and every write reaches every branch before the next step. Independent of the
 * replica code on purpose, so the two can check each other. Pure C. */
#ifndef BANK_CORE_MODEL_H
#define BANK_CORE_MODEL_H

#include "schedule.h"
#include "workload.h"

/* Fills *out (initialised by bank_outcome_init) with the expected results of every event and,
 * if final_balances is not NULL, each branch's balance at the end (n_branches entries).
 * Returns 0, or -1 when out of memory. */
int bank_model_run(const bank_workload *w, const bank_plan *plan, bank_outcome *out,
                   int64_t *final_balances);

#endif
