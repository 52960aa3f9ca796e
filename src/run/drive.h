/* bank drive's run: every customer of an input acted out against branches that are already
 * running (a student's system, or ours), over a chosen wire, with replica probes; then every
 * answer judged as bank grade judges an output file. */
#ifndef BANK_RUN_DRIVE_H
#define BANK_RUN_DRIVE_H

#include <stddef.h>
#include <stdint.h>

#include "branches.h"
#include "core/schedule.h"
#include "core/workload.h"
#include "grade/grade.h"
#include "probe.h"
#include "rpc/wire.h"

typedef struct {
    bank_schedule schedule;
    int query_delay_ms; /* live: before every query */
    int deadline_ms;    /* of every call */
    const bank_wire *wire;
    int progress;       /* print progress on standard error once the run passes a second */
    size_t budget;      /* live: states the consistency check may visit (0: the grader's default) */
} bank_system_config;

/* One event's call. */
typedef struct {
    int called, answered;
    int64_t sent_us, answered_us; /* CLOCK_REALTIME */
    bank_wire_error error;        /* called and not answered: why */
} bank_system_call;

typedef struct {
    bank_outcome out;          /* what each customer was told (answered events only) */
    bank_system_call **calls;  /* calls[c][e] */
    size_t n_events, n_answered;
    int stopped;               /* a call failed (liveness); the run stopped there: */
    size_t stop_customer, stop_event;
    bank_wire_error stop_error;
    bank_prober *prober;       /* what the probes saw: bank_prober_log */
    int setup_unreachable;     /* the probe before the run could not read every branch */
    int setup_off;             /* ... or a branch did not hold its input balance; nothing ran */
    bank_grade_report answers; /* every event judged (when something ran) */
    char judged[64];           /* "exact (sequential schedule)", "consistent (...)" */
    double seconds;
} bank_system_run;

/* Runs w against b. 0 with *run filled whatever the system did (even when nothing could run:
 * see setup_*), or -1 with err when this process itself failed (out of memory). */
int bank_system_drive(const bank_workload *w, const bank_branches *b, const bank_system_config *cfg,
                      bank_system_run *run, char *err, size_t errlen);
void bank_system_run_free(bank_system_run *run, const bank_workload *w);

/* The answers judged (sequential and rounds against the reference model, live as bank grade
 * --consistent), into run->answers. 0, or -1 out of memory. (drive_answers.c) */
int bank_system_judge(const bank_workload *w, bank_schedule schedule, size_t budget,
                      bank_system_run *run, char *err, size_t errlen);

/* w cut to what was answered: each entry's events up to its first one without an answer (the
 * output file holds those). out->customers is malloc'ed (free it alone); 0, or -1 out of memory. */
int bank_system_answered(const bank_workload *w, const bank_system_run *run, bank_workload *out);

/* Did the system behave as the reference: every call answered, no answer judged wrong, every
 * probe in agreement? (Answers the consistency check left undecided are not wrong.) */
int bank_system_behaved(const bank_system_run *run);

#endif
