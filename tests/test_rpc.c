/* Branches as real gRPC servers on loopback, customers as real clients: whole runs checked over
 * HTTP/2, in this process (no input file, no CLI): the course's sample and generated workloads
 * in both schedules against the model, live convergence, a run without customers; and the
 * branches a run starts: a busy port refused, branch processes (stand-ins) that stop reading,
 * are killed and started again, or get the defaults for settings left at 0. Propagation between
 * branches is tested in test_rpc_propagation.c, the wire forms and what they refuse in
 * test_rpc_wire.c. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/model.h"
#include "core/workload_gen.h"
#include "rpc/branch_server.h"
#include "run/branch_child.h"
#include "run/branches.h"
#include "run/customers.h"
#include "rpc_fixture.h"
#include "stand_in.h"

static void run_and_compare_with_model(const bank_workload *w, bank_schedule s)
{
    bank_branches *b = start(w);
    bank_outcome got, want;
    cr_assert_eq(bank_outcome_init(&got, w), 0);
    cr_assert_eq(bank_outcome_init(&want, w), 0);
    bank_drive_config cfg = {.schedule = s, .deadline_ms = 10000};
    char err[512];
    cr_assert_eq(bank_drive(w, b, &cfg, &got, NULL, err, sizeof err), 0, "%s", err);
    bank_plan plan;
    cr_assert_eq(bank_plan_build(w, s, &plan), 0);
    int64_t *model_finals = calloc(w->n_branches, sizeof *model_finals);
    int64_t *finals = calloc(w->n_branches, sizeof *finals);
    cr_assert_eq(bank_model_run(w, &plan, &want, model_finals), 0);
    for (size_t c = 0; c < w->n_customers; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++) {
            cr_expect_eq(got.results[c][e].success, want.results[c][e].success,
                         "%s: customer %zu event %zu success", bank_schedule_name(s), c, e);
            cr_expect_eq(got.results[c][e].balance, want.results[c][e].balance,
                         "%s: customer %zu event %zu balance %lld, model %lld",
                         bank_schedule_name(s), c, e, (long long)got.results[c][e].balance,
                         (long long)want.results[c][e].balance);
        }
    cr_assert_eq(bank_read_balances(w, b, 10000, finals, err, sizeof err), 0, "%s", err);
    for (size_t i = 0; i < w->n_branches; i++)
        cr_expect_eq(finals[i], model_finals[i], "branch %zu holds %lld, model %lld", i,
                     (long long)finals[i], (long long)model_finals[i]);
    free(finals);
    free(model_finals);
    bank_plan_free(&plan);
    bank_outcome_free(&got);
    bank_outcome_free(&want);
    stop(b);
}

/* Runs w on fresh in-process branches under s; the caller frees *o. */
static void drive_fresh(const bank_workload *w, bank_schedule s, bank_outcome *o)
{
    bank_branches *b = start(w);
    cr_assert_eq(bank_outcome_init(o, w), 0);
    bank_drive_config cfg = {.schedule = s, .deadline_ms = 10000};
    char err[512];
    cr_assert_eq(bank_drive(w, b, &cfg, o, NULL, err, sizeof err), 0, "%s", err);
    stop(b);
}

/* rule: B2, P6, S8 */
Test(rpc, sample_sequential_reads_400_570_500)
{
    bank_outcome o;
    drive_fresh(&sample, BANK_SCHEDULE_SEQUENTIAL, &o);
    cr_expect_eq(o.results[0][0].balance, 400);
    cr_expect(o.results[1][0].success);
    cr_expect_eq(o.results[1][1].balance, 570);
    cr_expect(o.results[2][0].success);
    cr_expect_eq(o.results[2][1].balance, 500);
    bank_outcome_free(&o);
}

/* rule: S4, S8 */
Test(rpc, sample_rounds_reads_500_everywhere)
{
    bank_outcome o;
    drive_fresh(&sample, BANK_SCHEDULE_ROUNDS, &o);
    cr_expect_eq(o.results[0][0].balance, 500);
    cr_expect_eq(o.results[1][1].balance, 500);
    cr_expect_eq(o.results[2][1].balance, 500);
    bank_outcome_free(&o);
}

/* rule: P1, S2, S6 */
Test(rpc, generated_workloads_match_the_model_in_both_schedules)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        bank_gen_config g = {4, 7, 6, 100, 80, 40, seed};
        bank_workload w;
        cr_assert_eq(bank_workload_generate(&g, &w), 0);
        run_and_compare_with_model(&w, BANK_SCHEDULE_SEQUENTIAL);
        run_and_compare_with_model(&w, BANK_SCHEDULE_ROUNDS);
        bank_workload_free(&w);
    }
}

/* rule: B1, P8, S5 */
Test(rpc, live_run_converges)
{
    bank_gen_config g = {5, 12, 10, 50, 60, 30, 7};
    bank_workload w;
    cr_assert_eq(bank_workload_generate(&g, &w), 0);
    bank_branches *b = start(&w);
    bank_outcome o;
    cr_assert_eq(bank_outcome_init(&o, &w), 0);
    bank_drive_config cfg = {.schedule = BANK_SCHEDULE_LIVE, .deadline_ms = 10000};
    char err[512];
    cr_assert_eq(bank_drive(&w, b, &cfg, &o, NULL, err, sizeof err), 0, "%s", err);
    int64_t net = 0;
    for (size_t c = 0; c < w.n_customers; c++)
        for (size_t e = 0; e < w.customers[c].n_events; e++)
            if (o.results[c][e].success && o.results[c][e].op != BANK_OP_QUERY)
                net += o.results[c][e].op == BANK_OP_DEPOSIT ? w.customers[c].events[e].money
                                                              : -w.customers[c].events[e].money;
    int64_t finals[5];
    cr_assert_eq(bank_read_balances(&w, b, 10000, finals, err, sizeof err), 0, "%s", err);
    for (size_t i = 0; i < 5; i++) cr_expect_eq(finals[i], 50 + net, "branch %zu: %lld", i, (long long)finals[i]);
    bank_outcome_free(&o);
    stop(b);
    bank_workload_free(&w);
}

/* rule: S3, S4, S5; an input without customers runs on every schedule, live too: nothing is
 * sent, and the run succeeds */
Test(rpc, a_run_without_customers_succeeds_on_every_schedule)
{
    const bank_workload w = {3, sample_branches, 0, NULL};
    bank_branches *b = start(&w);
    for (int s = 0; s < 3; s++) {
        bank_schedule schedule = s == 0 ? BANK_SCHEDULE_SEQUENTIAL : s == 1 ? BANK_SCHEDULE_ROUNDS : BANK_SCHEDULE_LIVE;
        bank_outcome o;
        cr_assert_eq(bank_outcome_init(&o, &w), 0);
        bank_drive_config cfg = {.schedule = schedule, .deadline_ms = 10000};
        char err[512] = "";
        cr_expect_eq(bank_drive(&w, b, &cfg, &o, NULL, err, sizeof err), 0, "%s: \"%s\"",
                     bank_schedule_name(schedule), err);
        bank_outcome_free(&o);
    }
    stop(b);
}

/* rule: S9 */
Test(rpc, busy_port_is_refused_with_a_clear_error)
{
    bank_branch_config cfg = {.id = 1, .balance = 0, .listen = "127.0.0.1:0",
                              .threads = 1, .propagate_deadline_ms = 5000};
    char err[512];
    bank_branch_server *a = bank_branch_server_start(&cfg, err, sizeof err);
    cr_assert_not_null(a, "%s", err);
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", bank_branch_server_port(a));
    bank_branch_config again = {.id = 2, .balance = 0, .listen = listen,
                                .threads = 1, .propagate_deadline_ms = 5000};
    bank_branch_server *b = bank_branch_server_start(&again, err, sizeof err);
    cr_expect_null(b);
    cr_expect(strstr(err, "cannot listen on") != NULL, "%s", err);
    if (b) bank_branch_server_stop(b);
    bank_branch_server_stop(a);
}

/* The end of a stand-in that reads its peers, says ready, and ends when its input does. */
#define STAND_IN_READY "while read line && [ \"$line\" != end ]; do :; done\necho ready\nexec cat >/dev/null\n"

/* The sample's branches started as stand-ins for `bank branch --peers -` running script (see
 * stand_in_write); they must start. */
static bank_branches *start_stand_ins(char *dir, const char *script, char *exe, size_t n)
{
    stand_in_write(dir, exe, n, script);
    bank_branches_config cfg = {.mode = BANK_MODE_PROCESSES, .bank_exe = exe, .deadline_ms = 20000};
    char err[512] = "";
    bank_branches *b = bank_branches_start(&sample, &cfg, err, sizeof err);
    cr_assert_not_null(b, "%s", err);
    return b;
}

/* rule: B2; a branch process that no longer reads when it is given its peers is named for that
 * at once (the write to it fails), not waited for and reported as never ready */
Test(rpc, a_branch_process_that_stops_reading_is_named)
{
    char dir[] = "/tmp/bank-rpc-XXXXXX", exe[64];
    /* its input closed, it says it listens, then leaves */
    stand_in_write(dir, exe, sizeof exe, "#!/bin/sh\nexec 0<&-\necho listening 127.0.0.1:9\n");
    bank_branches_config cfg = {.mode = BANK_MODE_PROCESSES, .bank_exe = exe, .deadline_ms = 20000};
    char err[512] = "";
    int64_t t0 = bank_mono_now_ms();
    bank_branches *b = bank_branches_start(&sample, &cfg, err, sizeof err);
    cr_expect_null(b);
    cr_expect(strstr(err, "branch 1 (pid ") && strstr(err, ") stopped before it got its peers"), "%s", err);
    cr_expect_lt(bank_mono_now_ms() - t0, 15000, "the failed write was not noticed: the start waited");
    unlink(exe);
    rmdir(dir);
}

/* Descriptors this process has open. */
static int open_descriptors(void)
{
    DIR *d = opendir("/proc/self/fd");
    cr_assert_not_null(d);
    int n = 0;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

/* rule: S12; branch processes killed and started again (bank run --kill) leave no descriptor of
 * the killed ones open: a run with many kills would run out of them */
Test(rpc, a_crash_and_restart_leaves_no_descriptor_behind)
{
    char dir[] = "/tmp/bank-rpc-XXXXXX", exe[64];
    /* says where it listens (port 1ID for port 0), reads its peers, says ready, and ends when its
     * input does */
    bank_branches *b = start_stand_ins(dir,
                                       "#!/bin/sh\n"
                                       "while [ $# -gt 0 ]; do case \"$1\" in --id) id=$2; shift;; --listen) at=$2; shift;; esac; shift; done\n"
                                       "case \"$at\" in *:0) at=127.0.0.1:1$id;; esac\n"
                                       "echo listening $at\n" STAND_IN_READY,
                                       exe, sizeof exe);
    char err[512] = "";
    int before = open_descriptors();
    const int64_t ids[] = {2, 3};
    cr_expect_eq(bank_branches_crash_and_recover(b, &sample, ids, 2, err, sizeof err), 0, "%s", err);
    cr_expect_eq(open_descriptors(), before, "descriptors open before the kills: %d", before);
    cr_expect_eq(bank_branches_stop(b, err, sizeof err), 0, "%s", err);
    unlink(exe);
    rmdir(dir);
}

/* Reads the first line of path into buf ("" when there is none). */
static void first_line(const char *path, char *buf, size_t n)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    if (!fgets(buf, (int)n, f)) buf[0] = '\0';
    fclose(f);
}

/* rule: B2; a configuration left at 0 (as branches.h allows) starts each branch process with the
 * documented defaults, never with a 0 that `bank branch` would refuse: one server thread, five
 * attempts per propagation, a first retry after 50 ms */
Test(rpc, a_branch_process_gets_the_defaults_for_settings_left_at_0)
{
    char dir[] = "/tmp/bank-rpc-XXXXXX", exe[64];
    /* writes its arguments to args-ID beside itself, then behaves as a branch that is ready */
    bank_branches *b = start_stand_ins(dir,
                                       "#!/bin/sh\n"
                                       "for a in \"$@\"; do case \"$prev\" in --id) id=$a;; esac; prev=$a; done\n"
                                       "echo \" $* \" > \"$(dirname \"$0\")/args-$id\"\n"
                                       "echo listening 127.0.0.1:1$id\n" STAND_IN_READY,
                                       exe, sizeof exe);
    char err[512] = "";
    cr_expect_eq(bank_branches_stop(b, err, sizeof err), 0, "%s", err);
    for (int id = 1; id <= 3; id++) {
        char path[96], args[512];
        snprintf(path, sizeof path, "%s/args-%d", dir, id);
        first_line(path, args, sizeof args);
        cr_expect(strstr(args, " --threads 1 ") && strstr(args, " --attempts 5 ") &&
                      strstr(args, " --retry-backoff-ms 50 "),
                  "branch %d started with:%s", id, args);
        unlink(path);
    }
    unlink(exe);
    rmdir(dir);
}
