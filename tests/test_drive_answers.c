/* bank drive's answers judged (drive_answers.c) from a run made by hand: every verdict and why
 * each missing answer is missing (a failed call, a customer that stopped at its own failure, the
 * run stopped, a probe), the schedule it was judged against, the input cut to what was answered;
 * and every allocation refused in turn (oom_wrap.h): "out of memory", nothing left allocated. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oom_wrap.h"
#include "run/drive.h"

/* rule: D7 */

/* One branch at 100. Customer 1: deposit 10, query, withdraw 500 (fails). Customer 2: query,
 * deposit 5. Customer 3: query. Customer 4: query. The sequential reference: 110, 110, fail;
 * 110, 115; 115; 115. */
static bank_event c1_events[] = {{1, BANK_OP_DEPOSIT, 10}, {2, BANK_OP_QUERY, 0}, {3, BANK_OP_WITHDRAW, 500}};
static bank_event c2_events[] = {{4, BANK_OP_QUERY, 0}, {5, BANK_OP_DEPOSIT, 5}};
static bank_event c3_events[] = {{6, BANK_OP_QUERY, 0}};
static bank_event c4_events[] = {{7, BANK_OP_QUERY, 0}};
static bank_branch one_branch[] = {{1, 100}};
static bank_customer four[] = {{1, 0, 3, c1_events}, {2, 0, 2, c2_events}, {3, 0, 1, c3_events},
                               {4, 0, 1, c4_events}};
static const bank_workload w = {1, one_branch, 4, four};

/* Customer 1 answered everything (its query wrongly, 999); customer 2's query was called and
 * failed; customer 3's was never sent; customer 4's query answered `last`. */
static void made_run(bank_system_run *run, int stopped, int64_t last)
{
    memset(run, 0, sizeof *run);
    cr_assert_eq(bank_outcome_init(&run->out, &w), 0);
    run->calls = calloc(4, sizeof *run->calls);
    for (size_t c = 0; c < 4; c++) run->calls[c] = calloc(3, sizeof **run->calls);
    run->calls[3][0].called = run->calls[3][0].answered = 1;
    run->out.results[3][0] = (bank_result){.op = BANK_OP_QUERY, .success = 1, .balance = last};
    for (size_t e = 0; e < 3; e++) run->calls[0][e].called = run->calls[0][e].answered = 1;
    run->out.results[0][0] = (bank_result){.op = BANK_OP_DEPOSIT, .success = 1, .balance = 110};
    run->out.results[0][1] = (bank_result){.op = BANK_OP_QUERY, .success = 1, .balance = 999};
    run->out.results[0][2] = (bank_result){.op = BANK_OP_WITHDRAW, .success = 0, .balance = 110};
    run->calls[1][0].called = 1;
    run->calls[1][0].error.status = GRPC_STATUS_UNAVAILABLE;
    snprintf(run->calls[1][0].error.details, sizeof run->calls[1][0].error.details, "connection refused");
    run->stopped = stopped;
    run->stop_customer = 1;
    run->stop_event = 0;
}

static void free_run(bank_system_run *run)
{
    for (size_t c = 0; c < 4; c++) free(run->calls[c]);
    free(run->calls);
    run->calls = NULL;
    bank_outcome_free(&run->out);
    bank_grade_report_free(&run->answers);
}

static void expect_verdicts(const bank_system_run *run, const bank_verdict_kind kinds[7], const char *details[7])
{
    cr_assert_eq(run->answers.n, 7);
    for (size_t i = 0; i < 7; i++) {
        const bank_verdict *v = &run->answers.verdicts[i];
        cr_expect_eq(v->kind, kinds[i], "verdict %zu: kind %d", i, (int)v->kind);
        if (details[i]) cr_expect_str_eq(v->detail ? v->detail : "(none)", details[i], "verdict %zu", i);
    }
}

Test(drive_answers, a_sequential_run_judged_exactly)
{
    bank_system_run run;
    made_run(&run, 1, 115);
    char err[256] = "";
    cr_assert_eq(bank_system_judge(&w, BANK_SCHEDULE_SEQUENTIAL, 0, &run, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(run.judged, "exact (sequential schedule)");
    const bank_verdict_kind kinds[7] = {BANK_VERDICT_OK,      BANK_VERDICT_WRONG_VALUE, BANK_VERDICT_OK,
                                        BANK_VERDICT_MISSING, BANK_VERDICT_MISSING,     BANK_VERDICT_MISSING,
                                        BANK_VERDICT_OK};
    const char *details[7] = {NULL, NULL, NULL, "no answer: UNAVAILABLE: connection refused",
                              "not sent: the run stopped after customer 2 event 4 got no answer",
                              "not sent: the run stopped after customer 2 event 4 got no answer", NULL};
    expect_verdicts(&run, kinds, details);
    cr_expect_eq(run.answers.n_wrong, 4, "%zu", run.answers.n_wrong); /* the missing ones too */
    cr_expect_eq(run.answers.n_correct, 3);

    bank_workload cut;
    cr_assert_eq(bank_system_answered(&w, &run, &cut), 0);
    cr_expect(cut.n_branches == 1 && cut.branches == w.branches && cut.n_customers == 4);
    cr_expect(cut.customers[0].n_events == 3 && cut.customers[1].n_events == 0 && cut.customers[2].n_events == 0 &&
              cut.customers[3].n_events == 1);
    cr_expect(cut.customers[0].id == 1 && cut.customers[1].id == 2 && cut.customers[2].id == 3 &&
              cut.customers[1].events == c2_events);
    free(cut.customers);
    free_run(&run);
    cr_expect_eq(alive, 0);
}

/* Live: consistent; a customer stops at its own failed call; a run not stopped by a call
 * stopped after a probe. */
Test(drive_answers, a_live_run_judged_as_consistent)
{
    bank_system_run run;
    made_run(&run, 0, 110);
    char err[256] = "";
    cr_assert_eq(bank_system_judge(&w, BANK_SCHEDULE_LIVE, 0, &run, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(run.judged, "consistent (some legal execution)");
    const bank_verdict_kind kinds[7] = {BANK_VERDICT_OK,      BANK_VERDICT_WRONG_VALUE, BANK_VERDICT_OK,
                                        BANK_VERDICT_MISSING, BANK_VERDICT_MISSING,     BANK_VERDICT_MISSING,
                                        BANK_VERDICT_OK};
    const char *details[7] = {NULL, NULL, NULL, "no answer: UNAVAILABLE: connection refused",
                              "not sent: customer 2 sent nothing more after event 4 got no answer",
                              "not sent: the run stopped after a probe failed", NULL};
    expect_verdicts(&run, kinds, details);
    free_run(&run);

    /* the same run stopped: a customer's own failure still comes first */
    made_run(&run, 1, 110);
    cr_assert_eq(bank_system_judge(&w, BANK_SCHEDULE_LIVE, 0, &run, err, sizeof err), 0, "%s", err);
    details[5] = "not sent: the run stopped after customer 2 event 4 got no answer";
    expect_verdicts(&run, kinds, details);
    free_run(&run);
    cr_expect_eq(alive, 0);
}

Test(drive_answers, rounds_judged_exactly_against_their_own_reference)
{
    bank_system_run run;
    made_run(&run, 1, 115);
    char err[256] = "";
    cr_assert_eq(bank_system_judge(&w, BANK_SCHEDULE_ROUNDS, 0, &run, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(run.judged, "exact (rounds schedule)");
    free_run(&run);
}

Test(drive_answers, every_allocation_refused_in_turn)
{
    int done = 0;
    for (long k = 0; k < 2000 && !done; k++) {
        long before = alive;
        bank_system_run run;
        made_run(&run, 1, 115);
        char err[256] = "";
        arm(k);
        int rc = bank_system_judge(&w, BANK_SCHEDULE_SEQUENTIAL, 0, &run, err, sizeof err);
        int hit = disarm();
        if (hit) {
            cr_expect_eq(rc, -1, "allocation %ld refused, yet judged", k);
            /* ours, or the grader's "out of memory while grading" */
            cr_expect(strcmp(err, "out of memory") == 0 || strcmp(err, "out of memory while grading") == 0,
                      "allocation %ld: %s", k, err);
        } else {
            cr_expect_eq(rc, 0, "%s", err);
            done = 1;
        }
        free_run(&run);
        cr_expect_eq(alive, before, "allocation %ld refused: %ld blocks left", k, (long)(alive - before));
    }
    cr_expect(done);
    bank_system_run run;
    made_run(&run, 1, 115);
    bank_workload cut;
    arm(0);
    cr_expect_eq(bank_system_answered(&w, &run, &cut), -1);
    disarm();
    free_run(&run);
}
