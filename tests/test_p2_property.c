/* Project 2's clocks over real servers, on seeded random workloads (queries, failing
 * withdrawals, repeated customer ids): in every schedule, with and without injected duplicates
 * and delays, every message's receive is after its send and every clock is L2's; sequential and
 * rounds runs give the model's clocks. BANK_SEED=N reruns from seed N, BANK_P2_SEEDS=N sets how
 * many seeds (default 20). */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/lamport.h"
#include "core/lamport_model.h"
#include "core/model.h"
#include "core/workload_gen.h"
#include "io/trace_read.h"
#include "run/branches.h"
#include "run/clock_events.h"
#include "run/customers.h"

static uint64_t env_u64(const char *name, uint64_t fallback)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 10) : fallback;
}

/* One run of w under schedule s: its clocked events into *log. */
static void run(const bank_workload *w, bank_schedule s, const char *faults, uint64_t seed, bank_outcome *o,
                bank_clock_log *log)
{
    char trace[] = "/tmp/bank-p2-property-XXXXXX", err[512];
    int fd = mkstemp(trace);
    cr_assert_geq(fd, 0);
    close(fd);
    bank_branches_config bc = {.mode = BANK_MODE_EMBEDDED, .server_threads = 2, .deadline_ms = 30000,
                               .trace_path = trace, .faults = faults, .fault_seed = seed};
    bank_branches *b = bank_branches_start(w, &bc, err, sizeof err);
    cr_assert_not_null(b, "seed %" PRIu64 ": %s", seed, err);
    bank_clock_stamp **stamps = calloc(w->n_customers, sizeof *stamps);
    for (size_t c = 0; c < w->n_customers; c++) stamps[c] = calloc(w->customers[c].n_events + 1, sizeof **stamps);
    cr_assert_eq(bank_outcome_init(o, w), 0);
    bank_drive_config dc = {.schedule = s, .deadline_ms = 30000, .stamps = stamps};
    cr_assert_eq(bank_drive(w, b, &dc, o, NULL, err, sizeof err), 0, "seed %" PRIu64 ": %s", seed, err);
    cr_assert_eq(bank_branches_stop(b, err, sizeof err), 0, "%s", err);
    bank_trace t;
    cr_assert_eq(bank_trace_load(trace, &t, err, sizeof err), 0, "%s", err);
    unlink(trace);
    cr_assert_eq(bank_run_clock_events(w, o, stamps, &t, log, err, sizeof err), 0,
                 "seed %" PRIu64 " (rerun: BANK_SEED=%" PRIu64 " BANK_P2_SEEDS=1): %s", seed, seed, err);
    bank_trace_free(&t);
    for (size_t c = 0; c < w->n_customers; c++) free(stamps[c]);
    free(stamps);
}

/* rule: L2, L6, L11 */
Test(p2_property, every_message_is_received_after_it_is_sent, .timeout = 900)
{
    uint64_t seed0 = env_u64("BANK_SEED", 531), n = env_u64("BANK_P2_SEEDS", 20);
    size_t messages = 0;
    for (uint64_t seed = seed0; seed < seed0 + n; seed++) {
        bank_gen_config cfg = {2 + seed % 3, 3 + seed % 4, 2 + seed % 3, 100, 120, 25, seed};
        bank_workload w;
        cr_assert_eq(bank_workload_generate(&cfg, &w), 0);
        for (int s = 0; s < 3; s++) {
            const char *faults = seed % 2 ? "dup=30,delay=30:5,reply-delay=20:5" : NULL;
            bank_outcome o;
            bank_clock_log log;
            run(&w, (bank_schedule)s, faults, seed, &o, &log);
            bank_clock_point *pts = calloc(log.n + 1, sizeof *pts);
            bank_clock_edge *edges;
            bank_clock_problem *p;
            size_t n_edges, n_p;
            cr_assert_eq(bank_clock_edges(&w, log.items, log.n, pts, &edges, &n_edges), 0);
            cr_assert_eq(bank_clock_check(pts, log.n, edges, n_edges, 1, &p, &n_p), 0);
            for (size_t k = 0; k < n_edges; k++) messages += edges[k].message;
            cr_expect_eq(n_p, 0, "seed %" PRIu64 " (rerun: BANK_SEED=%" PRIu64 " BANK_P2_SEEDS=1), %s%s: event %zu "
                         "has clock %" PRIu64 ", fault %d", seed, seed, bank_schedule_name((bank_schedule)s),
                         faults ? " with faults" : "", n_p ? p[0].event : 0, n_p ? log.items[p[0].event].clock : 0,
                         n_p ? (int)p[0].fault : 0);
            if (s != BANK_SCHEDULE_LIVE) { /* the model's clocks, where the plan decides them */
                bank_plan plan;
                bank_clock_log model;
                int determined;
                cr_assert_eq(bank_plan_build(&w, (bank_schedule)s, &plan), 0);
                cr_assert_eq(bank_clock_model(&w, &plan, &o, &model, &determined), 0);
                cr_assert_eq(model.n, log.n);
                for (size_t i = 0; determined && i < log.n; i++)
                    cr_expect_eq(log.items[i].clock, model.items[i].clock,
                                 "seed %" PRIu64 " (rerun: BANK_SEED=%" PRIu64 " BANK_P2_SEEDS=1), %s: event %zu: %" PRIu64
                                 ", the model %" PRIu64, seed, seed, bank_schedule_name((bank_schedule)s), i,
                                 log.items[i].clock, model.items[i].clock);
                bank_clock_log_free(&model);
                bank_plan_free(&plan);
            }
            free(pts);
            free(edges);
            free(p);
            bank_clock_log_free(&log);
            bank_outcome_free(&o);
        }
        bank_workload_free(&w);
    }
    printf("p2_property: %" PRIu64 " seeds x 3 schedules, %zu messages, each received after its send\n", n, messages);
}
