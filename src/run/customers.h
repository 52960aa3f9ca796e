/* Customers as gRPC client threads: runs a workload's events against its branches under a
 * schedule and collects what every customer was told. */
#ifndef BANK_RUN_CUSTOMERS_H
#define BANK_RUN_CUSTOMERS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "branches.h"
#include "core/lamport.h"
#include "core/schedule.h"
#include "core/workload.h"
#include "rpc/wire.h"

/* One call a customer made: when it was sent and answered (CLOCK_REALTIME, microseconds), and
 * the answer (NULL when the call failed; then err says why). */
typedef void (*bank_call_fn)(void *ctx, size_t customer, size_t event, int64_t sent_us,
                             int64_t answered_us, const bank_result *answer,
                             const bank_wire_error *err);

typedef struct {
    bank_schedule schedule;
    int query_delay_ms; /* live: pause before every query */
    int deadline_ms;    /* per customer call */
    int workers;        /* sequential/rounds: client threads; 0 picks one */
    /* sequential/rounds: after every phase once kill_after events are answered, call
       kill_fn with how many are (bank run --kill: branches crash and restart); 0 or NULL: never */
    size_t kill_after;
    int (*kill_fn)(void *ctx, size_t answered, char *err, size_t errlen);
    void *kill_ctx;
    /* bank drive: every call goes over this wire (failing fast when a branch is not listening)
       instead of bank.proto, and after_phase_fn takes over the wait for pending writes */
    const bank_wire *wire;
    /* sequential/rounds: called after every phase, with its steps; non-zero stops the run */
    int (*after_phase_fn)(void *ctx, const bank_step *steps, size_t n, char *err, size_t errlen);
    bank_call_fn call_fn; /* told of every call, answered or failed, from its customer's thread */
    void *hook_ctx;
    /* optional, shaped like a bank_outcome: stamps[c][e] gets the clock customer entry c sent
       its event e at, and the clock its branch received it at (spec L3; bank run --project 2) */
    bank_clock_stamp **stamps;
} bank_drive_config;

/* Optional per-event latencies in nanoseconds, shaped like a bank_outcome: ns[c][e]. */
typedef struct {
    uint64_t **ns;
} bank_latencies;

/* Fills out (from bank_outcome_init). 0, or -1 with one line in err after the first failed call
 * (the remaining events are not run). lat may be NULL. */
int bank_drive(const bank_workload *w, const bank_branches *b, const bank_drive_config *cfg,
               bank_outcome *out, bank_latencies *lat, char *err, size_t errlen);

/* bank_drive that also adds 1 to *answered after every answered event, so another thread can
 * follow a long run's progress (bank soak's sampler). */
int bank_drive_counted(const bank_workload *w, const bank_branches *b, const bank_drive_config *cfg,
                       bank_outcome *out, bank_latencies *lat, atomic_size_t *answered, char *err,
                       size_t errlen);
/* How many writes were answered PENDING in out. */
size_t bank_outcome_pending(const bank_workload *w, const bank_outcome *out);

/* Waits until every branch holds its initial balance plus net (the writes answered so far have
 * reached everywhere), reading balances every 50 ms, up to deadline_ms. 0, or -1 with err. */
int bank_wait_converged(const bank_workload *w, const bank_branches *b, int64_t net,
                        int deadline_ms, char *err, size_t errlen);

/* Queries every branch's balance into balances[i] (w->n_branches entries). 0, or -1 with err. */
int bank_read_balances(const bank_workload *w, const bank_branches *b, int deadline_ms,
                       int64_t *balances, char *err, size_t errlen);

#endif
