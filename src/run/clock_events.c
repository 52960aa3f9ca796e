/* The run's clocked events, from the customers' stamps and the branches' trace (see
 * clock_events.h). */
#include "clock_events.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A write that propagates: its origin, the clock the origin received it at (its sends follow
 * at received + 1 ..., spec L2), and where its events start in the log. */
typedef struct {
    int64_t origin;
    uint64_t received;
    size_t start;
} fan_out;

static int by_origin_clock(const void *a, const void *b)
{
    const fan_out *x = a, *y = b;
    if (x->origin != y->origin) return x->origin < y->origin ? -1 : 1;
    return (x->received > y->received) - (x->received < y->received);
}

/* The write of `origin` whose sends a propagation sent at `clock` belongs to: the last one
 * received before it. NULL when there is none. */
static const fan_out *owner(const fan_out *f, size_t n, int64_t origin, uint64_t clock)
{
    size_t lo = 0, hi = n; /* the first one not before (origin, clock) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f[mid].origin < origin || (f[mid].origin == origin && f[mid].received < clock)) lo = mid + 1;
        else hi = mid;
    }
    return lo > 0 && f[lo - 1].origin == origin ? &f[lo - 1] : NULL;
}

static void name_request(char *buf, size_t n, const bank_workload *w, const bank_clock_event *e)
{
    snprintf(buf, n, "customer %" PRId64 "'s request %" PRId64, w->customers[e->entry].id,
             w->customers[e->entry].events[e->event].id);
}

/* The trace's record of one applied propagation into the log. */
static int place(const bank_workload *w, const fan_out *f, size_t n_f, const bank_trace_entry *t,
                 bank_clock_log *log, char *err, size_t errlen)
{
    const fan_out *at = owner(f, n_f, t->from_id, t->clock_sent);
    if (!at || t->clock_sent - at->received >= w->n_branches) {
        snprintf(err, errlen, "the trace holds a propagation branch %" PRId64 " sent to branch %" PRId64
                 " at clock %" PRIu64 ", which follows no write it received",
                 t->from_id, t->to_branch, t->clock_sent);
        return -1;
    }
    bank_clock_event *ev = &log->items[at->start];
    for (size_t i = 2; at->start + i + 1 < log->n && ev[i].kind == BANK_CLOCK_BRANCH_SENT &&
                       ev[i].entry == ev[0].entry && ev[i].event == ev[0].event;
         i += 2) {
        if (ev[i].peer != t->to_branch) continue;
        char what[96];
        name_request(what, sizeof what, w, &ev[0]);
        if (ev[i].clock != 0) {
            snprintf(err, errlen, "the trace says branch %" PRId64 " applied %s twice", t->to_branch, what);
            return -1;
        }
        ev[i].clock = t->clock_sent;
        ev[i + 1].clock = t->clock;
        return 0;
    }
    snprintf(err, errlen, "the trace holds a propagation to branch %" PRId64 " that no write sent",
             t->to_branch);
    return -1;
}

int bank_run_clock_events(const bank_workload *w, const bank_outcome *answers,
                          bank_clock_stamp *const *stamps, const bank_trace *trace,
                          bank_clock_log *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t n_events = bank_workload_event_count(w);
    unsigned char *propagates = malloc(n_events ? n_events : 1);
    fan_out *f = malloc((n_events ? n_events : 1) * sizeof *f);
    size_t n_f = 0;
    int rc = propagates && f ? 0 : -1;
    for (size_t c = 0, k = 0; rc == 0 && c < w->n_customers; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++, k++)
            propagates[k] = answers->results[c][e].success && w->customers[c].events[e].op != BANK_OP_QUERY;
    if (rc == 0) rc = bank_clock_required(w, propagates, out);
    if (rc != 0) snprintf(err, errlen, "out of memory");
    for (size_t i = 0; rc == 0 && i < out->n; i++) {
        bank_clock_event *ev = &out->items[i];
        if (ev->kind != BANK_CLOCK_CUSTOMER_SENT) continue;
        bank_clock_stamp st = stamps[ev->entry][ev->event];
        ev[0].clock = st.sent;
        ev[1].clock = st.received;
        if (i + 2 < out->n && ev[2].kind == BANK_CLOCK_BRANCH_SENT)
            f[n_f++] = (fan_out){ev[1].process, st.received, i};
    }
    if (rc == 0) qsort(f, n_f, sizeof *f, by_origin_clock);
    for (size_t t = 0; rc == 0 && t < trace->n; t++) {
        const bank_trace_entry *e = &trace->entries[t];
        /* duplicates, refusals and messages without a clock are no events (spec L1) */
        if (e->from_branch && e->clock_sent != 0 && strcmp(e->reply, "applied") == 0)
            rc = place(w, f, n_f, e, out, err, errlen);
    }
    for (size_t i = 0; rc == 0 && i < out->n; i++) {
        const bank_clock_event *ev = &out->items[i];
        if (ev->kind == BANK_CLOCK_BRANCH_SENT && ev->clock == 0) {
            char what[96];
            name_request(what, sizeof what, w, ev);
            snprintf(err, errlen, "the trace has no record of branch %" PRId64 " applying %s",
                     ev->peer, what);
            rc = -1;
        }
    }
    free(propagates);
    free(f);
    if (rc != 0) bank_clock_log_free(out);
    return rc;
}
