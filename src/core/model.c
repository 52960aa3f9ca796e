#include "model.h"

#include <stdlib.h>
#include <string.h>

/* Every branch's balance moves by the same delta on every successful write, so the model keeps
 * one balance per branch and applies each write to all of them at once. */
static int apply_everywhere(int64_t *balances, size_t n, int64_t delta)
{
    for (size_t b = 0; b < n; b++) {
        int64_t ignored;
        if (__builtin_add_overflow(balances[b], delta, &ignored)) return -1;
    }
    for (size_t b = 0; b < n; b++) balances[b] += delta;
    return 0;
}

static bank_result run_event(int64_t *balances, size_t n_branches, size_t at, const bank_event *ev)
{
    bank_result r = {ev->op, 1, 0, 0};
    switch (ev->op) {
    case BANK_OP_QUERY:
        break;
    case BANK_OP_DEPOSIT:
        r.success = ev->money >= 0 && apply_everywhere(balances, n_branches, ev->money) == 0;
        break;
    case BANK_OP_WITHDRAW:
        r.success = ev->money >= 0 && balances[at] >= ev->money &&
                    apply_everywhere(balances, n_branches, -ev->money) == 0;
        break;
    }
    r.balance = balances[at];
    return r;
}

int bank_model_run(const bank_workload *w, const bank_plan *plan, bank_outcome *out,
                   int64_t *final_balances)
{
    int64_t *balances = malloc((w->n_branches ? w->n_branches : 1) * sizeof *balances);
    if (!balances) return -1;
    for (size_t b = 0; b < w->n_branches; b++) balances[b] = w->branches[b].balance;
    for (size_t s = 0; s < plan->n_steps; s++) {
        const bank_step *st = &plan->steps[s];
        const bank_customer *cu = &w->customers[st->customer];
        out->results[st->customer][st->event] =
            run_event(balances, w->n_branches, cu->branch_index, &cu->events[st->event]);
    }
    if (final_balances) memcpy(final_balances, balances, w->n_branches * sizeof *balances);
    free(balances);
    return 0;
}
