/* bank run --project 2: the trace and stamps a run gathers its clocks with, their checks, and
 * the three parts written (see run_p2.h). */
#include "run_p2.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/lamport_model.h"
#include "io/p2_output.h"
#include "io/trace_read.h"
#include "run/clock_events.h"

int bank_run_p2_start(bank_run_p2 *p, const bank_workload *w, const char *trace, char *err,
                      size_t errlen)
{
    memset(p, 0, sizeof *p);
    if (trace) {
        snprintf(p->trace_path, sizeof p->trace_path, "%s", trace);
    } else {
        const char *dir = getenv("TMPDIR");
        snprintf(p->trace_path, sizeof p->trace_path, "%s/bank-p2-trace-XXXXXX", dir && *dir ? dir : "/tmp");
        int fd = mkstemp(p->trace_path);
        if (fd < 0) {
            snprintf(err, errlen, "cannot make a temporary trace file in %s: %s", dir && *dir ? dir : "/tmp",
                     strerror(errno));
            return -1;
        }
        close(fd);
        p->temporary = 1;
    }
    p->n_customers = w->n_customers;
    p->stamps = calloc(w->n_customers ? w->n_customers : 1, sizeof *p->stamps);
    for (size_t c = 0; p->stamps && c < w->n_customers; c++)
        if (!(p->stamps[c] = calloc(w->customers[c].n_events + 1, sizeof **p->stamps))) {
            bank_run_p2_free(p);
            break;
        }
    if (!p->stamps) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

void bank_run_p2_free(bank_run_p2 *p)
{
    if (p->temporary) unlink(p->trace_path);
    p->temporary = 0;
    for (size_t c = 0; p->stamps && c < p->n_customers; c++) free(p->stamps[c]);
    free(p->stamps);
    p->stamps = NULL;
}

/* L6: every clock is what L2 gives; none is out of order. */
static int check_rules(const bank_workload *w, const bank_clock_log *log, char *err, size_t errlen)
{
    bank_clock_point *points = malloc((log->n ? log->n : 1) * sizeof *points);
    bank_clock_edge *edges = NULL;
    bank_clock_problem *problems = NULL;
    size_t n_edges = 0, n_problems = 0;
    int rc = points && bank_clock_edges(w, log->items, log->n, points, &edges, &n_edges) == 0 &&
                     bank_clock_check(points, log->n, edges, n_edges, 1, &problems, &n_problems) == 0
                 ? 0
                 : -1;
    if (rc != 0) snprintf(err, errlen, "out of memory");
    if (rc == 0 && n_problems > 0) {
        const bank_clock_problem *pr = &problems[0];
        char what[256], other[256] = "";
        bank_p2_describe(w, &log->items[pr->event], what, sizeof what);
        if (pr->other != SIZE_MAX) bank_p2_describe(w, &log->items[pr->other], other, sizeof other);
        if (pr->fault == BANK_CLOCK_NOT_TICK)
            snprintf(err, errlen, "the run's clocks break L2: %s has clock %" PRIu64 ", L2 gives %" PRIu64,
                     what, log->items[pr->event].clock, pr->expected);
        else
            snprintf(err, errlen, "the run's clocks break happens-before: %s (clock %" PRIu64
                     ") is not after %s (clock %" PRIu64 ")", what, log->items[pr->event].clock, other,
                     log->items[pr->other].clock);
        rc = -1;
    }
    free(points);
    free(edges);
    free(problems);
    return rc;
}

/* L6: a sequential or rounds run's clocks are the model's, where the plan decides them. */
static int check_model(const bank_workload *w, bank_schedule schedule, const bank_outcome *answers,
                       const bank_clock_log *log, char *err, size_t errlen)
{
    if (schedule == BANK_SCHEDULE_LIVE) return 0;
    bank_plan plan;
    bank_clock_log model;
    int determined = 0;
    if (bank_plan_build(w, schedule, &plan) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = bank_clock_model(w, &plan, answers, &model, &determined);
    bank_plan_free(&plan);
    if (rc != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; determined && i < log->n && rc == 0; i++) {
        if (i < model.n && model.items[i].clock == log->items[i].clock) continue;
        char what[256];
        bank_p2_describe(w, &log->items[i], what, sizeof what);
        snprintf(err, errlen, "%s: the branches' clock is %" PRIu64 ", the reference model's %" PRIu64,
                 what, log->items[i].clock, i < model.n ? model.items[i].clock : 0);
        rc = -1;
    }
    bank_clock_log_free(&model);
    return rc;
}

static int write_parts(const bank_workload *w, const bank_clock_log *log, const char *dir, char *err,
                       size_t errlen)
{
    if (!dir) {
        if (bank_p2_write_object(stdout, w, log) == 0 && fflush(stdout) == 0) return 0;
        snprintf(err, errlen, "standard output: write failed");
        return -1;
    }
    struct stat st;
    if (mkdir(dir, 0777) != 0 && (errno != EEXIST || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        snprintf(err, errlen, "-o %s: cannot make the folder: %s", dir,
                 errno == EEXIST ? "a file of that name is in the way" : strerror(errno));
        return -1;
    }
    for (int p = 0; p < BANK_P2_PARTS; p++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s.json", dir, bank_p2_part_name[p]);
        FILE *f = fopen(path, "w");
        int rc = f ? bank_p2_write_part(f, w, log, (bank_p2_part)p) : -1;
        if (f && fclose(f) != 0) rc = -1;
        if (rc != 0) {
            snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
            return -1;
        }
    }
    return 0;
}

int bank_run_p2_finish(const bank_run_p2 *p, const bank_workload *w, bank_schedule schedule,
                       const bank_outcome *answers, const char *dir, char *err, size_t errlen)
{
    bank_trace trace;
    if (bank_trace_load(p->trace_path, &trace, err, errlen) != 0) return -1;
    bank_clock_log log;
    int rc = bank_run_clock_events(w, answers, p->stamps, &trace, &log, err, errlen);
    bank_trace_free(&trace);
    if (rc != 0) return -1;
    if (check_rules(w, &log, err, errlen) != 0 || check_model(w, schedule, answers, &log, err, errlen) != 0 ||
        write_parts(w, &log, dir, err, errlen) != 0)
        rc = -1;
    bank_clock_log_free(&log);
    return rc;
}
