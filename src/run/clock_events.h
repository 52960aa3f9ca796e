/* bank run --project 2: the run's clocked events (spec L1), gathered from what the customers
 * saw (the clock each request was sent at, and the clock its branch received it at, from the
 * reply) and from what the branches traced (each propagation's send and receive clocks). */
#ifndef BANK_RUN_CLOCK_EVENTS_H
#define BANK_RUN_CLOCK_EVENTS_H

#include <stddef.h>

#include "core/lamport.h"
#include "io/trace_read.h"

/* Every event the run's answers require (bank_clock_required: a write answered success or
 * pending propagates), in its canonical order, with the clocks of stamps[c][e] and of the
 * trace's applied propagations. 0, or -1 with one line in err (out of memory, or a trace that
 * lacks a propagation the answers say happened, or holds one twice). */
int bank_run_clock_events(const bank_workload *w, const bank_outcome *answers,
                          bank_clock_stamp *const *stamps, const bank_trace *trace,
                          bank_clock_log *out, char *err, size_t errlen);

#endif
