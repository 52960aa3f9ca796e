/* The reference schedules: in which order, and with what concurrency, customers' events run.
 * A plan is a list of phases; the steps of one phase may run concurrently (they are all
 * queries that see the same state), phases run one after another. */
#ifndef BANK_CORE_SCHEDULE_H
#define BANK_CORE_SCHEDULE_H

#include <stddef.h>

#include "workload.h"

typedef enum {
    BANK_SCHEDULE_SEQUENTIAL, /* customer entries one after another, in input order */
    BANK_SCHEDULE_ROUNDS,     /* all customers at once, a pause before every query */
    BANK_SCHEDULE_LIVE        /* truly concurrent; no plan, whatever the system does */
} bank_schedule;

/* "sequential", "rounds", "live" -> 0 and *out; -1 for an unknown name. */
int bank_schedule_parse(const char *name, bank_schedule *out);
const char *bank_schedule_name(bank_schedule s);

typedef struct {
    size_t customer; /* index into bank_workload.customers */
    size_t event;    /* index into that customer's events */
} bank_step;

typedef struct {
    size_t n_steps;
    bank_step *steps;
    size_t n_phases;
    size_t *phase_start; /* n_phases + 1 entries: phase p is steps[phase_start[p] .. phase_start[p+1]) */
} bank_plan;

/* Builds the plan of a sequential or rounds schedule. 0 ok, -1 out of memory or live. */
int bank_plan_build(const bank_workload *w, bank_schedule s, bank_plan *out);
void bank_plan_free(bank_plan *p);

#endif
