/* The reference model of Project 2's clocks (spec L5): what a sequential or rounds run's Lamport
 * clocks are, from the plan and the answers alone. Pure C. */
#ifndef BANK_CORE_LAMPORT_MODEL_H
#define BANK_CORE_LAMPORT_MODEL_H

#include "lamport.h"
#include "schedule.h"

/* Every event of the plan's run, in bank_clock_required's order, with the clock L2 gives when
 * the plan's steps happen in order (a write that answered success propagates, and its fan-out's
 * receives come before the next step). *determined is 0 when some phase holds two steps at one
 * branch (a rounds round where two entries query one branch): which of them that branch takes
 * first is not the plan's to say, so neither are the clocks from there on. 0, or -1 out of
 * memory. */
int bank_clock_model(const bank_workload *w, const bank_plan *plan, const bank_outcome *answers,
                     bank_clock_log *out, int *determined);

#endif
