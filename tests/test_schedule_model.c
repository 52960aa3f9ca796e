/* The schedules' plans and the reference model (core/schedule.c, model.c, workload.c): every
 * step of a sequential and a rounds plan, the model's answers and final balances on the worked
 * example, the course's large input and int64's limits, and a workload's names and outcome. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>

#include "core/model.h"
#include "core/schedule.h"
#include "core/workload.h"

/* ---- schedules ---- */

static bank_event s1[] = {{1, BANK_OP_QUERY, 0}};
static bank_event s2[] = {{2, BANK_OP_DEPOSIT, 170}, {3, BANK_OP_QUERY, 0}};
static bank_event s3[] = {{4, BANK_OP_WITHDRAW, 70}, {5, BANK_OP_QUERY, 0}};
static bank_branch sample_branches[] = {{1, 400}, {2, 400}, {3, 400}};
static bank_customer sample_customers[] = {{1, 0, 1, s1}, {2, 1, 2, s2}, {3, 2, 2, s3}};
static const bank_workload sample = {3, sample_branches, 3, sample_customers};

/* "c.e c.e | c.e" : steps, with '|' between phases */
static void expect_plan(const bank_workload *w, bank_schedule s, const char *want)
{
    bank_plan p;
    cr_assert_eq(bank_plan_build(w, s, &p), 0);
    char got[512] = "";
    size_t n = 0;
    for (size_t ph = 0; ph < p.n_phases; ph++) {
        if (ph) n += (size_t)snprintf(got + n, sizeof got - n, " |");
        for (size_t k = p.phase_start[ph]; k < p.phase_start[ph + 1]; k++)
            n += (size_t)snprintf(got + n, sizeof got - n, " %zu.%zu", p.steps[k].customer, p.steps[k].event);
    }
    cr_expect_str_eq(got, want, "%s plan", bank_schedule_name(s));
    cr_expect_eq(p.phase_start[p.n_phases], p.n_steps);
    cr_expect_eq(p.n_steps, bank_workload_event_count(w));
    bank_plan_free(&p);
}

/* rule: S1 */
Test(schedule, names)
{
    bank_schedule s;
    cr_expect_eq(bank_schedule_parse("rounds", &s), 0);
    cr_expect_eq(s, BANK_SCHEDULE_ROUNDS);
    cr_expect_eq(bank_schedule_parse("live", &s), 0);
    cr_expect_eq(s, BANK_SCHEDULE_LIVE);
    cr_expect_eq(bank_schedule_parse("sequential", &s), 0);
    cr_expect_eq(s, BANK_SCHEDULE_SEQUENTIAL);
    cr_expect_eq(bank_schedule_parse("Rounds", &s), -1);
    cr_expect_str_eq(bank_schedule_name(BANK_SCHEDULE_ROUNDS), "rounds");
    cr_expect_str_eq(bank_schedule_name(BANK_SCHEDULE_SEQUENTIAL), "sequential");
    cr_expect_str_eq(bank_schedule_name(BANK_SCHEDULE_LIVE), "live");
    cr_expect_str_eq(bank_schedule_name((bank_schedule)7), "?");
    cr_expect_eq(bank_schedule_parse("", &s), -1);
    bank_plan p;
    cr_expect_eq(bank_plan_build(&sample, BANK_SCHEDULE_LIVE, &p), -1, "live has no plan");
}

/* rule: S3, S4, S8 */
Test(schedule, sample_plans)
{
    expect_plan(&sample, BANK_SCHEDULE_SEQUENTIAL, " 0.0 | 1.0 | 1.1 | 2.0 | 2.1");
    expect_plan(&sample, BANK_SCHEDULE_ROUNDS, " 1.0 | 2.0 | 0.0 1.1 2.1");
}

/* rule: S2, S3, S4 */
Test(schedule, rounds_with_several_queries_and_trailing_writes)
{
    bank_event a[] = {{1, BANK_OP_QUERY, 0}, {2, BANK_OP_DEPOSIT, 1}, {3, BANK_OP_QUERY, 0},
                      {4, BANK_OP_WITHDRAW, 1}};
    bank_event b[] = {{5, BANK_OP_DEPOSIT, 1}, {6, BANK_OP_DEPOSIT, 1}};
    bank_event c[] = {{7, BANK_OP_QUERY, 0}, {8, BANK_OP_QUERY, 0}, {9, BANK_OP_QUERY, 0}};
    bank_branch br[] = {{1, 0}};
    bank_customer cu[] = {{1, 0, 4, a}, {1, 0, 0, NULL}, {1, 0, 2, b}, {1, 0, 3, c}};
    bank_workload w = {1, br, 4, cu};
    /* window 0: b's two writes; round 1: a.0, c.0; window 1: a.1; round 2: a.2, c.1;
       window 2: a.3; round 3: c.2 */
    expect_plan(&w, BANK_SCHEDULE_ROUNDS, " 2.0 | 2.1 | 0.0 3.0 | 0.1 | 0.2 3.1 | 0.3 | 3.2");
    expect_plan(&w, BANK_SCHEDULE_SEQUENTIAL, " 0.0 | 0.1 | 0.2 | 0.3 | 2.0 | 2.1 | 3.0 | 3.1 | 3.2");
}

/* More phases than the builder's first allocation (16) holds. */
Test(schedule, long_plans_grow)
{
    bank_event ev[40];
    for (int k = 0; k < 40; k++) ev[k] = (bank_event){k + 1, k % 2 ? BANK_OP_QUERY : BANK_OP_DEPOSIT, 1};
    bank_branch br[] = {{1, 0}};
    bank_customer cu[] = {{1, 0, 40, ev}};
    bank_workload w = {1, br, 1, cu};
    bank_schedule schedules[] = {BANK_SCHEDULE_SEQUENTIAL, BANK_SCHEDULE_ROUNDS};
    for (int i = 0; i < 2; i++) {
        bank_plan p;
        cr_assert_eq(bank_plan_build(&w, schedules[i], &p), 0);
        cr_expect_eq(p.n_steps, 40);
        cr_expect_eq(p.n_phases, 40, "one customer: every step is its own phase");
        for (size_t k = 0; k < p.n_steps; k++) {
            cr_expect_eq(p.steps[k].event, k, "%s step %zu", bank_schedule_name(schedules[i]), k);
            cr_expect_eq(p.phase_start[k], k);
        }
        cr_expect_eq(p.phase_start[40], 40);
        bank_plan_free(&p);
        cr_expect_null(p.steps);
        cr_expect_eq(p.n_phases, 0);
    }
}

/* No customers, or customers without events: a plan with no step and no phase. */
Test(schedule, empty_workloads)
{
    bank_branch br[] = {{1, 5}};
    bank_customer none[] = {{1, 0, 0, NULL}, {1, 0, 0, NULL}};
    bank_workload empty = {1, br, 0, NULL};
    bank_workload idle = {1, br, 2, none};
    const bank_workload *ws[] = {&empty, &idle};
    for (int k = 0; k < 2; k++)
        for (int s = 0; s < 2; s++) {
            bank_plan p;
            cr_assert_eq(bank_plan_build(ws[k], s ? BANK_SCHEDULE_ROUNDS : BANK_SCHEDULE_SEQUENTIAL, &p), 0);
            cr_expect_eq(p.n_steps, 0);
            cr_expect_eq(p.n_phases, 0);
            cr_expect_eq(p.phase_start[0], 0);
            bank_plan_free(&p);
        }
}

/* ---- model ---- */

static void run_model(const bank_workload *w, bank_schedule s, bank_outcome *o, int64_t *finals)
{
    bank_plan p;
    cr_assert_eq(bank_plan_build(w, s, &p), 0);
    cr_assert_eq(bank_outcome_init(o, w), 0);
    cr_assert_eq(bank_model_run(w, &p, o, finals), 0);
    bank_plan_free(&p);
}

/* rule: S6, S8 */
Test(model, the_worked_example)
{
    bank_outcome o;
    int64_t finals[3];
    run_model(&sample, BANK_SCHEDULE_SEQUENTIAL, &o, finals);
    cr_expect_eq(o.results[0][0].balance, 400);
    cr_expect(o.results[1][0].success);
    cr_expect_eq(o.results[1][0].balance, 570);
    cr_expect_eq(o.results[1][1].balance, 570);
    cr_expect(o.results[2][0].success);
    cr_expect_eq(o.results[2][1].balance, 500);
    for (int b = 0; b < 3; b++) cr_expect_eq(finals[b], 500);
    bank_outcome_free(&o);
    run_model(&sample, BANK_SCHEDULE_ROUNDS, &o, NULL);
    cr_expect_eq(o.results[0][0].balance, 500);
    cr_expect_eq(o.results[1][1].balance, 500);
    cr_expect_eq(o.results[2][1].balance, 500);
    bank_outcome_free(&o);
}

/* rule: S6, B4 */
Test(model, failed_withdrawal_changes_nothing_anywhere)
{
    bank_event a[] = {{1, BANK_OP_WITHDRAW, 401}, {2, BANK_OP_QUERY, 0}};
    bank_event b[] = {{3, BANK_OP_QUERY, 0}, {4, BANK_OP_WITHDRAW, 400}, {5, BANK_OP_QUERY, 0}};
    bank_branch br[] = {{1, 400}, {2, 400}};
    bank_customer cu[] = {{1, 0, 2, a}, {2, 1, 3, b}};
    bank_workload w = {2, br, 2, cu};
    bank_outcome o;
    int64_t finals[2];
    run_model(&w, BANK_SCHEDULE_SEQUENTIAL, &o, finals);
    cr_expect_not(o.results[0][0].success);
    cr_expect_eq(o.results[0][0].balance, 400);
    cr_expect_eq(o.results[0][1].balance, 400);
    cr_expect_eq(o.results[1][0].balance, 400);
    cr_expect(o.results[1][1].success, "withdrawing the whole balance succeeds");
    cr_expect_eq(o.results[1][2].balance, 0);
    cr_expect_eq(finals[0], 0);
    cr_expect_eq(finals[1], 0);
    bank_outcome_free(&o);
}

/* rule: S3, S6, I9 */
Test(model, the_course_large_input)
{
    bank_branch br[50];
    bank_customer cu[100];
    bank_event ev[100][2];
    for (int k = 1; k <= 50; k++) {
        br[k - 1] = (bank_branch){k, 400};
        ev[k - 1][0] = (bank_event){1, BANK_OP_DEPOSIT, 10};
        ev[k - 1][1] = (bank_event){2, BANK_OP_QUERY, 0};
        ev[49 + k][0] = (bank_event){1, BANK_OP_WITHDRAW, 10};
        ev[49 + k][1] = (bank_event){2, BANK_OP_QUERY, 0};
        cu[k - 1] = (bank_customer){k, (size_t)k - 1, 2, ev[k - 1]};
        cu[49 + k] = (bank_customer){k, (size_t)k - 1, 2, ev[49 + k]};
    }
    bank_workload w = {50, br, 100, cu};
    cr_expect_eq(bank_workload_branch_index(&w, 50), 49);
    cr_expect_eq(bank_workload_branch_index(&w, 51), SIZE_MAX);
    cr_expect_eq(bank_workload_event_count(&w), 200);
    bank_outcome o;
    run_model(&w, BANK_SCHEDULE_SEQUENTIAL, &o, NULL);
    for (int k = 1; k <= 50; k++) {
        cr_expect_eq(o.results[k - 1][1].balance, 400 + 10 * k, "deposit entry %d", k);
        cr_expect_eq(o.results[49 + k][1].balance, 900 - 10 * k, "withdraw entry %d", k);
    }
    bank_outcome_free(&o);
}

/* A write the model cannot apply at every branch without leaving int64 fails and changes
 * nothing; so does negative money. Branches may start at different balances. */
Test(model, writes_that_would_leave_int64_or_carry_negative_money_fail)
{
    bank_event a[] = {{1, BANK_OP_DEPOSIT, 11}, {2, BANK_OP_DEPOSIT, 10}, {3, BANK_OP_DEPOSIT, -1},
                      {4, BANK_OP_WITHDRAW, -1}, {5, BANK_OP_QUERY, 0}};
    bank_event b[] = {{6, BANK_OP_WITHDRAW, 21}, {7, BANK_OP_WITHDRAW, 20}, {8, BANK_OP_QUERY, 0}};
    bank_branch br[] = {{1, INT64_MAX - 10}, {2, INT64_MIN + 10}, {3, 100}};
    bank_customer cu[] = {{1, 0, 5, a}, {3, 2, 3, b}};
    bank_workload w = {3, br, 2, cu};
    bank_outcome o;
    int64_t finals[3];
    run_model(&w, BANK_SCHEDULE_SEQUENTIAL, &o, finals);
    cr_expect_not(o.results[0][0].success, "branch 1 would pass INT64_MAX");
    cr_expect_eq(o.results[0][0].balance, INT64_MAX - 10);
    cr_expect(o.results[0][1].success);
    cr_expect_eq(o.results[0][1].balance, INT64_MAX);
    cr_expect_not(o.results[0][2].success, "negative deposit");
    cr_expect_not(o.results[0][3].success, "negative withdrawal");
    cr_expect_eq(o.results[0][4].balance, INT64_MAX);
    /* branches now at INT64_MAX, INT64_MIN + 20, 110 */
    cr_expect_not(o.results[1][0].success, "branch 2 would pass INT64_MIN, though branch 3 has 110");
    cr_expect_eq(o.results[1][0].balance, 110);
    cr_expect(o.results[1][1].success);
    cr_expect_eq(o.results[1][2].balance, 90);
    cr_expect_eq(finals[0], INT64_MAX - 20);
    cr_expect_eq(finals[1], INT64_MIN);
    cr_expect_eq(finals[2], 90);
    bank_outcome_free(&o);
}

Test(model, an_empty_workload)
{
    bank_workload w = {0, NULL, 0, NULL};
    bank_outcome o;
    run_model(&w, BANK_SCHEDULE_ROUNDS, &o, NULL);
    cr_expect_eq(o.n_customers, 0);
    bank_outcome_free(&o);
    cr_expect_null(o.results);
    bank_outcome_free(&o);
    bank_outcome_free(NULL);
}

Test(workload, names_counts_and_free)
{
    cr_expect_str_eq(bank_op_name(BANK_OP_QUERY), "query");
    cr_expect_str_eq(bank_op_name(BANK_OP_DEPOSIT), "deposit");
    cr_expect_str_eq(bank_op_name(BANK_OP_WITHDRAW), "withdraw");
    cr_expect_str_eq(bank_op_name((bank_op)9), "?");
    bank_outcome o;
    cr_assert_eq(bank_outcome_init(&o, &sample), 0);
    cr_expect_eq(o.n_customers, 3);
    cr_expect_eq(o.results[1][0].op, BANK_OP_DEPOSIT, "results start with their event's op");
    cr_expect_eq(o.results[2][0].op, BANK_OP_WITHDRAW);
    cr_expect_eq(o.results[2][1].op, BANK_OP_QUERY);
    cr_expect_not(o.results[2][0].success, "and nothing else");
    bank_outcome_free(&o);
    bank_workload_free(NULL);
}
