/* The clocks a sequential or rounds run gives, computed without the network (spec L5): the
 * plan's steps in order, every customer's and branch's clock kept as L2 says. */
#include "lamport_model.h"

#include <stdlib.h>
#include <string.h>

/* Where each request's events start in the canonical log (bank_clock_required's order). */
static size_t *request_starts(const bank_workload *w, const bank_clock_log *log)
{
    size_t n = bank_workload_event_count(w);
    size_t *start = malloc((n ? n : 1) * sizeof *start);
    if (!start) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < log->n; i++)
        if (log->items[i].kind == BANK_CLOCK_CUSTOMER_SENT) start[k++] = i;
    return start;
}

int bank_clock_model(const bank_workload *w, const bank_plan *plan, const bank_outcome *answers,
                     bank_clock_log *out, int *determined)
{
    memset(out, 0, sizeof *out);
    *determined = 1;
    size_t n_events = bank_workload_event_count(w);
    unsigned char *propagates = malloc(n_events ? n_events : 1);
    size_t *base = malloc((w->n_customers ? w->n_customers : 1) * sizeof *base);
    bank_lamport *customer = calloc(w->n_customers ? w->n_customers : 1, sizeof *customer);
    bank_lamport *branch = calloc(w->n_branches ? w->n_branches : 1, sizeof *branch);
    size_t *start = NULL, *by_id = bank_branches_by_id(w);
    int rc = propagates && base && customer && branch && by_id ? 0 : -1;
    for (size_t c = 0, k = 0; rc == 0 && c < w->n_customers; c++) {
        base[c] = k;
        for (size_t e = 0; e < w->customers[c].n_events; e++, k++)
            propagates[k] = answers->results[c][e].success && w->customers[c].events[e].op != BANK_OP_QUERY;
    }
    if (rc == 0) rc = bank_clock_required(w, propagates, out);
    if (rc == 0 && !(start = request_starts(w, out))) rc = -1;
    for (size_t b = 0; rc == 0 && b < w->n_branches; b++) branch[b].fan_out = w->n_branches - 1;

    for (size_t ph = 0; rc == 0 && ph < plan->n_phases; ph++) {
        for (size_t s = plan->phase_start[ph]; s < plan->phase_start[ph + 1]; s++) {
            const bank_step *st = &plan->steps[s];
            size_t b = w->customers[st->customer].branch_index;
            for (size_t t = plan->phase_start[ph]; t < s; t++) /* two steps at one branch at once */
                if (w->customers[plan->steps[t].customer].branch_index == b) *determined = 0;
            bank_clock_event *ev = &out->items[start[base[st->customer] + st->event]];
            ev[0].clock = bank_lamport_send(&customer[st->customer]);
            ev[1].clock = bank_lamport_receive(&branch[b], ev[0].clock);
            if (!propagates[base[st->customer] + st->event]) continue;
            uint64_t first = bank_lamport_fan_out(&branch[b]);
            /* the canonical log lists the peers in ascending id, as the fan-out sends to them */
            size_t k = 0;
            for (size_t r = 0; r < w->n_branches; r++) {
                if (by_id[r] == b) continue;
                ev[2 + 2 * k].clock = first + k;
                ev[3 + 2 * k].clock = bank_lamport_receive(&branch[by_id[r]], first + k);
                k++;
            }
        }
    }
    free(propagates);
    free(base);
    free(customer);
    free(branch);
    free(start);
    free(by_id);
    if (rc != 0) bank_clock_log_free(out);
    return rc;
}
