/* Project 2's output (spec L4): the course's three parts, per customer, per branch and every
 * event, with `logical_clock`, `interface` and `comment` spelled as the course's expected files
 * spell them. */
#ifndef BANK_IO_P2_OUTPUT_H
#define BANK_IO_P2_OUTPUT_H

#include <stdio.h>

#include "core/lamport.h"

typedef enum { BANK_P2_CUSTOMER_EVENTS, BANK_P2_BRANCH_EVENTS, BANK_P2_ALL_EVENTS, BANK_P2_PARTS } bank_p2_part;

/* "customer_events", "branch_events", "all_events": the files' names without ".json", and the
 * keys of the one-object form. */
extern const char *const bank_p2_part_name[BANK_P2_PARTS];

/* What the course writes for e: its interface ("deposit", "propagate_deposit", ...) and its
 * comment ("event_sent from customer 1", "event_recv from branch 2", ...). */
void bank_p2_interface(const bank_workload *w, const bank_clock_event *e, char *buf, size_t n);
void bank_p2_comment(const bank_clock_event *e, char *buf, size_t n);
/* e in words: "branch 2: request 3 propagate_deposit, event_recv from branch 1". */
void bank_p2_describe(const bank_workload *w, const bank_clock_event *e, char *buf, size_t n);

/* One part of ev (every event of a run, in bank_clock_required's order) as a JSON array. 0, or
 * -1 on a write error or out of memory. */
int bank_p2_write_part(FILE *f, const bank_workload *w, const bank_clock_log *ev, bank_p2_part part);

/* The three parts as one JSON object {"customer_events": [...], "branch_events": [...],
 * "all_events": [...]}. */
int bank_p2_write_object(FILE *f, const bank_workload *w, const bank_clock_log *ev);

#endif
