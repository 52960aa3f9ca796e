/* bank run --project 2: what the run adds to Project 1's (spec L4-L6): a trace to gather the
 * branches' clocks from (the user's --trace, or a temporary file), the customers' stamps, the
 * check of the run's clocks, and the three parts written. */
#ifndef BANK_CLI_RUN_P2_H
#define BANK_CLI_RUN_P2_H

#include <stddef.h>

#include "core/lamport.h"
#include "core/schedule.h"

typedef struct {
    char trace_path[4096];
    int temporary;             /* the trace is this run's own, removed at the end */
    bank_clock_stamp **stamps; /* [c][e], for bank_drive_config.stamps */
    size_t n_customers;
} bank_run_p2;

/* Sets up p for w: trace is the user's --trace (NULL: a temporary file is made). 0, or -1 with
 * one line in err. */
int bank_run_p2_start(bank_run_p2 *p, const bank_workload *w, const char *trace, char *err,
                      size_t errlen);

/* After the run (its branches stopped): gathers every event's clock, checks them against L2 and,
 * in a sequential or rounds run, against the model (L6), and writes the three parts into the
 * folder dir (made if missing), or as one object on standard output when dir is NULL. 0, or -1
 * with one line in err. */
int bank_run_p2_finish(const bank_run_p2 *p, const bank_workload *w, bank_schedule schedule,
                       const bank_outcome *answers, const char *dir, char *err, size_t errlen);

/* Removes the temporary trace and frees p. */
void bank_run_p2_free(bank_run_p2 *p);

#endif
