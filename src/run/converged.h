/* Did the replicas converge? After every write of a run has been acknowledged everywhere, each
 * branch must have moved from its initial balance by the sum of the successful writes. */
#ifndef BANK_RUN_CONVERGED_H
#define BANK_RUN_CONVERGED_H

#include <stddef.h>
#include <stdint.h>

#include "branches.h"
#include "core/workload.h"

/* Checks finals[b] (every branch's balance now) against w's initial balances and the writes out
 * says succeeded. 0, or -1 with the first branch that disagrees in err. */
int bank_check_replicas(const bank_workload *w, const bank_outcome *out, const int64_t *finals,
                        char *err, size_t errlen);

/* Reads every branch's balance (bank_read_balances) and checks it with bank_check_replicas.
 * finals may be NULL when the caller does not need the balances. 0, or -1 with err. */
int bank_check_converged(const bank_workload *w, const bank_branches *br, const bank_outcome *out,
                         int deadline_ms, int64_t *finals, char *err, size_t errlen);

#endif
