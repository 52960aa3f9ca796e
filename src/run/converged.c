#include "converged.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "customers.h"

int bank_check_replicas(const bank_workload *w, const bank_outcome *out, const int64_t *finals,
                        char *err, size_t errlen)
{
    int64_t net = 0;
    for (size_t c = 0; c < w->n_customers; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++) {
            const bank_result *r = &out->results[c][e];
            int64_t m = w->customers[c].events[e].money;
            if (r->success && r->op == BANK_OP_DEPOSIT) net += m;
            if (r->success && r->op == BANK_OP_WITHDRAW) net -= m;
        }
    for (size_t b = 0; b < w->n_branches; b++)
        if (finals[b] != w->branches[b].balance + net) {
            snprintf(err, errlen,
                     "replicas disagree: branch %lld holds %" PRId64 ", expected %" PRId64
                     " (its initial %" PRId64 " plus the successful writes' %" PRId64 ")",
                     (long long)w->branches[b].id, finals[b], w->branches[b].balance + net,
                     w->branches[b].balance, net);
            return -1;
        }
    return 0;
}

int bank_check_converged(const bank_workload *w, const bank_branches *br, const bank_outcome *out,
                         int deadline_ms, int64_t *finals, char *err, size_t errlen)
{
    int64_t *now = finals ? finals : calloc(w->n_branches ? w->n_branches : 1, sizeof *now);
    int rc = now ? 0 : -1;
    if (rc != 0) snprintf(err, errlen, "out of memory");
    if (rc == 0) rc = bank_read_balances(w, br, deadline_ms, now, err, errlen);
    if (rc == 0) rc = bank_check_replicas(w, out, now, err, errlen);
    if (!finals) free(now);
    return rc;
}
