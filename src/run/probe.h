/* Replica probes for bank drive: every branch's balance read with a query over the run's own
 * wire (customer and event id 0), compared with what the reference holds at that point, and the
 * first point at which the branches disagree kept. */
#ifndef BANK_RUN_PROBE_H
#define BANK_RUN_PROBE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "branches.h"
#include "core/workload.h"
#include "rpc/wire.h"

typedef enum { BANK_PROBE_BEFORE, BANK_PROBE_AFTER_WRITE, BANK_PROBE_FINAL } bank_probe_when;

typedef struct {
    bank_probe_when when;
    size_t customer, event; /* AFTER_WRITE: the write (indices) just answered */
    int64_t *seen;          /* every branch's balance (w->n_branches) */
    int64_t *expected;      /* what the reference holds at each branch then */
} bank_probe_point;

typedef struct bank_prober bank_prober;

typedef struct {
    atomic_size_t n_probes;    /* probes taken (each reads every branch once or more) */
    int diverged;              /* some probe found a branch off the reference */
    bank_probe_point first;    /* the first such probe */
    int final_taken;
    bank_probe_point final;    /* the last probe of the run */
    int failed;                /* a probe's call failed: */
    size_t failed_branch;      /* index of the branch */
    bank_probe_when failed_when;
    bank_wire_error failure;
} bank_probe_log;

bank_prober *bank_prober_open(const bank_workload *w, const bank_branches *b, const bank_wire *wire,
                              int deadline_ms);
void bank_prober_close(bank_prober *p);
const bank_probe_log *bank_prober_log(const bank_prober *p);

/* One probe: reads every branch and checks each holds its initial balance plus net (the writes
 * answered success or pending so far). When settle_ms > 0 and they do not, reads again every
 * 50 ms for up to settle_ms (writes answered pending reach the others later). The outcome goes
 * into the log. 0 when every branch answered (agreeing or not), -1 when a call failed (logged),
 * -2 when this process ran out of memory (not logged: no branch failed). */
int bank_probe(bank_prober *p, bank_probe_when when, size_t customer, size_t event, int64_t net,
               int settle_ms);

#endif
