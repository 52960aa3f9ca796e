/* The pure core: the replica state machine, the schedules and the reference model. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/history.h"
#include "core/model.h"
#include "core/net_set.h"
#include "core/replica.h"
#include "core/schedule.h"
#include "core/workload_gen.h"
#include "core/write_log.h"

/* ---- replica ---- */

/* rule: B1, B3, B4, P2 */
Test(replica, deposit_and_withdraw)
{
    bank_replica r;
    bank_write w;
    bank_replica_init(&r, 1, 400);
    cr_expect_eq(bank_replica_deposit(&r, 170, &w), BANK_OK);
    cr_expect_eq(r.balance, 570);
    cr_expect_eq(w.kind, BANK_WRITE_DEPOSIT);
    cr_expect_eq(w.origin, 1);
    cr_expect_eq(w.sequence, 1);
    cr_expect_eq(w.money, 170);
    cr_expect_eq(bank_replica_withdraw(&r, 70, &w), BANK_OK);
    cr_expect_eq(r.balance, 500);
    cr_expect_eq(w.kind, BANK_WRITE_WITHDRAW);
    cr_expect_eq(w.sequence, 2);
    bank_replica_free(&r);
}

/* rule: B3, B4, P2 */
Test(replica, withdraw_of_the_whole_balance_succeeds_one_more_fails)
{
    bank_replica r;
    bank_write w = {0};
    bank_replica_init(&r, 1, 100);
    cr_expect_eq(bank_replica_withdraw(&r, 101, &w), BANK_INSUFFICIENT_FUNDS);
    cr_expect_eq(r.balance, 100, "a failed withdrawal changes nothing");
    cr_expect_eq(r.last_sequence, 0, "a failed write takes no sequence");
    cr_expect_eq(bank_replica_withdraw(&r, 100, &w), BANK_OK);
    cr_expect_eq(r.balance, 0);
    cr_expect_eq(w.sequence, 1);
    cr_expect_eq(bank_replica_withdraw(&r, 0, &w), BANK_OK, "zero money is a write");
    cr_expect_eq(w.sequence, 2);
    bank_replica_free(&r);
}

/* rule: B3, P5 */
Test(replica, bad_money_and_overflow_change_nothing)
{
    bank_replica r;
    bank_write w;
    bank_replica_init(&r, 1, INT64_MAX - 5);
    cr_expect_eq(bank_replica_deposit(&r, -1, &w), BANK_BAD_MONEY);
    cr_expect_eq(bank_replica_withdraw(&r, -1, &w), BANK_BAD_MONEY);
    cr_expect_eq(bank_replica_deposit(&r, 6, &w), BANK_OVERFLOW);
    cr_expect_eq(r.balance, INT64_MAX - 5);
    cr_expect_eq(r.last_sequence, 0);
    cr_expect_eq(bank_replica_deposit(&r, 5, &w), BANK_OK);
    cr_expect_eq(r.balance, INT64_MAX);
    bank_write in = {BANK_WRITE_DEPOSIT, 2, 1, 1};
    cr_expect_eq(bank_replica_apply(&r, &in), BANK_OVERFLOW);
    cr_expect_not(bank_replica_has_applied(&r, 2, 1), "a refused propagation is not recorded");
    bank_write neg = {BANK_WRITE_DEPOSIT, 2, 1, -1};
    cr_expect_eq(bank_replica_apply(&r, &neg), BANK_BAD_MONEY);
    cr_expect_eq(r.balance, INT64_MAX);
    bank_replica_free(&r);
}

/* rule: P3, P9 */
Test(replica, propagated_withdrawal_is_applied_without_a_balance_check)
{
    bank_replica r;
    bank_replica_init(&r, 2, 50);
    bank_write w = {BANK_WRITE_WITHDRAW, 1, 1, 80};
    cr_expect_eq(bank_replica_apply(&r, &w), BANK_OK);
    cr_expect_eq(r.balance, -30, "committed at its origin: applied even below zero");
    bank_replica_free(&r);
}

/* rule: P4 */
Test(replica, duplicates_out_of_order_and_several_origins)
{
    bank_replica r;
    bank_replica_init(&r, 9, 0);
    uint64_t order[] = {3, 1, 5, 2, 4};
    for (size_t i = 0; i < 5; i++) {
        bank_write w = {BANK_WRITE_DEPOSIT, 1, order[i], 1};
        cr_expect_eq(bank_replica_apply(&r, &w), BANK_OK, "seq %llu", (unsigned long long)order[i]);
        bank_write again = w;
        cr_expect_eq(bank_replica_apply(&r, &again), BANK_DUPLICATE, "seq %llu again", (unsigned long long)order[i]);
    }
    cr_expect_eq(r.balance, 5);
    for (uint64_t s = 1; s <= 5; s++) cr_expect(bank_replica_has_applied(&r, 1, s));
    cr_expect_not(bank_replica_has_applied(&r, 1, 6));
    cr_expect_not(bank_replica_has_applied(&r, 2, 1), "origins are separate");
    bank_write other = {BANK_WRITE_WITHDRAW, 2, 1, 2};
    cr_expect_eq(bank_replica_apply(&r, &other), BANK_OK);
    cr_expect_eq(bank_replica_apply(&r, &other), BANK_DUPLICATE);
    cr_expect_eq(r.balance, 3);
    bank_replica_free(&r);
}

/* The origin log holds what replica.h promises: early arrivals sorted, all above contiguous + 1,
 * and folded into contiguous as soon as the gap below them closes, so a log whose gaps have all
 * closed holds no early arrival at all (its memory does not grow with the writes). */
Test(replica, early_arrivals_stay_sorted_and_fold_away)
{
    bank_replica r;
    bank_replica_init(&r, 9, 0);
    uint64_t order[] = {5, 3, 7, 4, 1, 2, 6};
    uint64_t want_contiguous[] = {0, 0, 0, 0, 1, 5, 7};
    size_t want_ahead[] = {1, 2, 3, 4, 4, 1, 0};
    for (size_t i = 0; i < 7; i++) {
        bank_write w = {BANK_WRITE_DEPOSIT, 4, order[i], 1};
        cr_assert_eq(bank_replica_apply(&r, &w), BANK_OK);
        cr_assert_eq(r.n_origins, 1);
        const bank_origin_log *log = &r.origins[0];
        cr_expect_eq(log->contiguous, want_contiguous[i], "after seq %llu", (unsigned long long)order[i]);
        cr_expect_eq(log->n_ahead, want_ahead[i], "after seq %llu", (unsigned long long)order[i]);
        for (size_t k = 0; k < log->n_ahead; k++) {
            cr_expect_gt(log->ahead[k], log->contiguous + 1, "after seq %llu", (unsigned long long)order[i]);
            if (k) cr_expect_gt(log->ahead[k], log->ahead[k - 1], "after seq %llu: ahead not sorted",
                                (unsigned long long)order[i]);
        }
    }
    cr_expect_eq(r.balance, 7);
    bank_replica_free(&r);
}

/* A checkpoint marked through a sequence drops the early arrivals it covers and folds those
 * that then follow it without a gap. */
Test(replica, marking_through_folds_the_early_arrivals_that_follow)
{
    bank_origin_log log = {0};
    log.origin = 2;
    uint64_t seqs[] = {1, 2, 4, 5, 6, 8};
    for (size_t i = 0; i < 6; i++) cr_assert_eq(bank_origin_log_add(&log, seqs[i]), BANK_OK);
    cr_assert_eq(log.contiguous, 2);
    cr_assert_eq(log.n_ahead, 4);
    bank_origin_log_mark_through(&log, 4);
    cr_expect_eq(log.contiguous, 6, "4 covered, then 5 and 6 fold: %llu", (unsigned long long)log.contiguous);
    cr_assert_eq(log.n_ahead, 1);
    cr_expect_eq(log.ahead[0], 8);
    bank_origin_log_mark_through(&log, 3);
    cr_expect_eq(log.contiguous, 6, "marking below contiguous changes nothing");
    cr_expect_eq(log.n_ahead, 1);
    bank_origin_log_mark_through(&log, 7);
    cr_expect_eq(log.contiguous, 8);
    cr_expect_eq(log.n_ahead, 0);
    bank_origin_log_free(&log);
}

/* rule: B7 */
Test(replica, unsequenced_writes_apply_every_time)
{
    bank_replica r;
    bank_replica_init(&r, 1, 0);
    bank_write w = {BANK_WRITE_DEPOSIT, 0, 0, 7};
    cr_expect_eq(bank_replica_apply(&r, &w), BANK_OK);
    cr_expect_eq(bank_replica_apply(&r, &w), BANK_OK);
    cr_expect_eq(r.balance, 14);
    bank_replica_free(&r);
}

Test(replica, every_status_has_its_own_text)
{
    cr_expect_str_eq(bank_status_text(BANK_OK), "ok");
    cr_expect_str_eq(bank_status_text(BANK_INSUFFICIENT_FUNDS), "insufficient funds");
    cr_expect_str_eq(bank_status_text(BANK_BAD_MONEY), "money must not be negative");
    cr_expect_str_eq(bank_status_text(BANK_OVERFLOW), "the balance would overflow int64");
    cr_expect_str_eq(bank_status_text(BANK_DUPLICATE), "already applied");
    cr_expect_str_eq(bank_status_text(BANK_NO_MEMORY), "out of memory");
    cr_expect_str_eq(bank_status_text((bank_status)99), "unknown status");
}

/* A propagated withdrawal that would take the balance below INT64_MIN is refused like an
 * overflowing deposit: nothing applied, nothing recorded, so a later retry is not a duplicate. */
Test(replica, propagated_withdrawal_below_int64_min_is_refused)
{
    bank_replica r;
    bank_replica_init(&r, 2, INT64_MIN + 10);
    bank_write w = {BANK_WRITE_WITHDRAW, 1, 1, 11};
    cr_expect_eq(bank_replica_apply(&r, &w), BANK_OVERFLOW);
    cr_expect_eq(r.balance, INT64_MIN + 10);
    cr_expect_not(bank_replica_has_applied(&r, 1, 1));
    w.money = 10;
    cr_expect_eq(bank_replica_apply(&r, &w), BANK_OK);
    cr_expect_eq(r.balance, INT64_MIN);
    bank_replica_free(&r);
}

/* More origins than the first allocation holds, each with writes arriving out of order: every
 * origin keeps its own log, and freeing the replica leaves it empty and reusable. */
Test(replica, many_origins_each_out_of_order)
{
    bank_replica r;
    bank_replica_init(&r, 100, 0);
    for (int64_t o = 1; o <= 20; o++)
        for (uint64_t s = 10; s >= 1; s--) {
            bank_write w = {BANK_WRITE_DEPOSIT, o, s, o};
            cr_assert_eq(bank_replica_apply(&r, &w), BANK_OK, "origin %lld seq %llu", (long long)o,
                         (unsigned long long)s);
        }
    cr_expect_eq(r.n_origins, 20);
    cr_expect_eq(r.balance, 10 * (20 * 21 / 2));
    for (int64_t o = 1; o <= 20; o++) {
        cr_expect(bank_replica_has_applied(&r, o, 10));
        cr_expect_not(bank_replica_has_applied(&r, o, 11));
        bank_write again = {BANK_WRITE_DEPOSIT, o, 7, 1};
        cr_expect_eq(bank_replica_apply(&r, &again), BANK_DUPLICATE);
    }
    cr_expect_eq(r.balance, 2100, "duplicates changed nothing");
    bank_replica_free(&r);
    cr_expect_eq(r.n_origins, 0);
    cr_expect_not(bank_replica_has_applied(&r, 1, 1));
    bank_replica_free(&r);
}

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

/* ---- generator ---- */

Test(generator, deterministic_per_seed)
{
    bank_gen_config cfg = {4, 9, 7, 100, 150, 40, 42};
    bank_workload a, b, c;
    cr_assert_eq(bank_workload_generate(&cfg, &a), 0);
    cr_assert_eq(bank_workload_generate(&cfg, &b), 0);
    cfg.seed = 43;
    cr_assert_eq(bank_workload_generate(&cfg, &c), 0);
    int differs = 0;
    for (size_t k = 0; k < 9; k++) {
        cr_expect_eq(a.customers[k].branch_index, k % 4);
        cr_expect_eq(a.customers[k].id, (int64_t)(k % 4) + 1);
        for (size_t e = 0; e < 7; e++) {
            const bank_event *x = &a.customers[k].events[e], *y = &b.customers[k].events[e];
            cr_expect(x->op == y->op && x->money == y->money, "same seed, same workload");
            cr_expect(x->money >= 0 && x->money <= 150);
            if (x->op == BANK_OP_QUERY) cr_expect_eq(x->money, 0);
            differs |= x->op != c.customers[k].events[e].op || x->money != c.customers[k].events[e].money;
        }
    }
    cr_expect(differs, "another seed, another workload");
    bank_workload_free(&a);
    bank_workload_free(&b);
    bank_workload_free(&c);
    cfg.branches = 0;
    cr_expect_eq(bank_workload_generate(&cfg, &a), -1);
}

Test(generator, no_customers_or_no_events)
{
    bank_gen_config cfg = {3, 0, 5, 100, 150, 40, 1};
    bank_workload w;
    cr_assert_eq(bank_workload_generate(&cfg, &w), 0);
    cr_expect_eq(w.n_branches, 3);
    cr_expect_eq(w.n_customers, 0);
    bank_workload_free(&w);
    cfg.customers = 4;
    cfg.events = 0;
    cr_assert_eq(bank_workload_generate(&cfg, &w), 0);
    cr_expect_eq(w.n_customers, 4);
    cr_expect_eq(bank_workload_event_count(&w), 0);
    bank_workload_free(&w);
    cr_expect_eq(w.n_customers, 0);
    cr_expect_null(w.customers);
}

/* A bound just above 2^63 rejects almost half of all draws: every value is still below the
 * bound, and both halves of the range come up. */
Test(generator, below_rejects_the_biased_tail)
{
    uint64_t rng = 5, bound = (UINT64_C(1) << 63) + 1;
    int high = 0, low = 0;
    for (int k = 0; k < 200; k++) {
        uint64_t v = bank_rng_below(&rng, bound);
        cr_assert_lt(v, bound);
        if (v >= UINT64_C(1) << 62) high++;
        else low++;
    }
    cr_expect_gt(high, 50);
    cr_expect_gt(low, 50);
    rng = 5;
    for (int k = 0; k < 100; k++) cr_expect_eq(bank_rng_below(&rng, 1), 0);
}

/* splitmix64's reference outputs (seed 0, as published with the algorithm): every seeded test,
 * benchmark and fuzz case of the project draws from it, so a changed step changes them all. */
Test(generator, splitmix64_gives_its_reference_outputs)
{
    uint64_t rng = 0, want[3] = {0xe220a8397b1dcdafull, 0x6e789e6aa1b965f4ull, 0x06c45d188009454full};
    for (int k = 0; k < 3; k++) cr_expect_eq(bank_rng_next(&rng), want[k], "output %d", k);
    cr_expect_eq(rng, 3 * 0x9e3779b97f4a7c15ull, "the state moves by the golden gamma per output");
}

static uint64_t unxorshift(uint64_t x, int k)
{
    uint64_t y = x;
    for (int i = 0; i < 64 / k + 1; i++) y = x ^ (y >> k);
    return y;
}

static uint64_t inverse_odd(uint64_t a)
{
    uint64_t inv = a; /* Newton's iteration: each step doubles the correct low bits */
    for (int i = 0; i < 6; i++) inv *= 2 - a * inv;
    return inv;
}

/* The state from which bank_rng_next's next output is v (splitmix64's mix is a bijection). */
static uint64_t state_before(uint64_t v)
{
    uint64_t z = unxorshift(v, 31) * inverse_odd(0x94d049bb133111ebull);
    z = unxorshift(z, 27) * inverse_odd(0xbf58476d1ce4e5b9ull);
    return unxorshift(z, 30) - 0x9e3779b97f4a7c15ull;
}

/* A draw at the biased tail's very first value is rejected too: with bound 3 the tail starts at
 * UINT64_MAX (2^64 - 1 is a multiple of 3), so a state whose next output is UINT64_MAX draws again
 * and answers the next output's remainder. */
Test(generator, below_rejects_the_first_value_of_the_tail)
{
    uint64_t rng = state_before(UINT64_MAX), probe = rng;
    cr_assert_eq(bank_rng_next(&probe), UINT64_MAX, "state_before inverts the mix");
    uint64_t second = bank_rng_next(&probe);
    cr_expect_eq(bank_rng_below(&rng, 3), second % 3);
    cr_expect_eq(rng, probe, "two draws taken");
}

/* Found by fuzzing (fuzz/regressions/proto): a large write resent after it was applied must be
 * acknowledged as a duplicate, not refused as an overflow of the balance it already raised. */
Test(replica, resent_large_write_is_a_duplicate_not_an_overflow)
{
    bank_replica r;
    bank_replica_init(&r, 2, 1000);
    bank_write w = {BANK_WRITE_DEPOSIT, 1, 1, INT64_MAX - 1000};
    cr_assert_eq(bank_replica_apply(&r, &w), BANK_OK);
    cr_expect_eq(r.balance, INT64_MAX);
    cr_expect_eq(bank_replica_apply(&r, &w), BANK_DUPLICATE);
    cr_expect_eq(r.balance, INT64_MAX);
    bank_write other = {BANK_WRITE_DEPOSIT, 1, 2, 1};
    cr_expect_eq(bank_replica_apply(&r, &other), BANK_OVERFLOW, "a new write still cannot overflow");
    cr_expect(!bank_replica_has_applied(&r, 1, 2), "and is not recorded");
    bank_replica_free(&r);
}

/* ---- the write log and recovery ---- */

/* rule: B9 */
Test(write_log, logs_every_sequenced_write_applied_once)
{
    bank_replica r;
    bank_write w;
    bank_replica_init(&r, 1, 100);
    cr_expect_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 10, 7, 70, &w), BANK_OK);
    cr_expect_eq(bank_logged_local(&r, BANK_WRITE_WITHDRAW, 500, 7, 71, &w), BANK_INSUFFICIENT_FUNDS);
    bank_write p = {BANK_WRITE_WITHDRAW, 2, 1, 5};
    cr_expect_eq(bank_logged_apply(&r, &p, 8, 80), BANK_OK);
    cr_expect_eq(bank_logged_apply(&r, &p, 8, 80), BANK_DUPLICATE);
    bank_write course = {BANK_WRITE_DEPOSIT, 0, 0, 1}; /* unsequenced: applied, not logged */
    cr_expect_eq(bank_logged_apply(&r, &course, 9, 90), BANK_OK);
    cr_expect_eq(r.balance, 106);
    cr_assert_eq(r.log.n, 2, "the failed withdrawal, the duplicate and the unsequenced write are not logged");
    bank_logged_write a = r.log.items[0], b = r.log.items[1];
    cr_expect(a.kind == BANK_WRITE_DEPOSIT && a.origin == 1 && a.sequence == 1 && a.money == 10 &&
              a.customer_id == 7 && a.event_id == 70);
    cr_expect(b.kind == BANK_WRITE_WITHDRAW && b.origin == 2 && b.sequence == 1 && b.money == 5 &&
              b.customer_id == 8 && b.event_id == 80);
    bank_replica_free(&r);
}

static bank_logged_write lw(int64_t origin, uint64_t seq, bank_write_kind k, int64_t money)
{
    return (bank_logged_write){k, origin, seq, money, origin * 100, (int64_t)seq};
}

static bank_history history_of(const bank_logged_write *w, size_t n, const bank_checkpoint *cps,
                               size_t n_cps)
{
    bank_history h = {0};
    for (size_t i = 0; i < n; i++) cr_assert_eq(bank_write_log_add(&h.tail, &w[i]), BANK_OK);
    for (size_t i = 0; i < n_cps; i++) cr_assert_eq(bank_checkpoints_merge(&h.checkpoints, &cps[i]), BANK_OK);
    bank_history_normalize(&h);
    return h;
}

/* rule: B10 */
Test(write_log, union_and_what_a_peer_lacks)
{
    bank_logged_write all[] = {lw(2, 2, BANK_WRITE_DEPOSIT, 1), lw(1, 1, BANK_WRITE_DEPOSIT, 5),
                               lw(2, 1, BANK_WRITE_WITHDRAW, 3), lw(1, 1, BANK_WRITE_DEPOSIT, 5),
                               lw(3, 1, BANK_WRITE_DEPOSIT, 9), lw(2, 2, BANK_WRITE_DEPOSIT, 1)};
    size_t n = bank_logged_sort_unique(all, 6);
    cr_assert_eq(n, 4);
    cr_expect(all[0].origin == 1 && all[1].origin == 2 && all[1].sequence == 1 &&
              all[2].sequence == 2 && all[3].origin == 3);
    cr_expect_eq(bank_logged_sort_unique(all, 0), 0);
    bank_history u = history_of(all, n, NULL, 0);
    bank_logged_write peer2_w[] = {lw(2, 1, BANK_WRITE_WITHDRAW, 3)}; /* branch 2 knows only (2, 1) */
    bank_history peer2 = history_of(peer2_w, 1, NULL, 0);
    bank_write_log out = {0};
    cr_assert_eq(bank_history_missing(&u, &peer2, 2, &out), BANK_OK);
    cr_assert_eq(out.n, 2, "(1, 1) and (3, 1); (2, 2) is branch 2's own");
    cr_expect(out.items[0].origin == 1 && out.items[1].origin == 3);
    bank_write_log_free(&out);
    /* a peer whose checkpoint of origin 1 covers (1, 1) lacks only (3, 1) */
    bank_checkpoint cp1 = {1, 1, 5};
    bank_history peer3 = history_of(NULL, 0, &cp1, 1);
    cr_assert_eq(bank_history_missing(&u, &peer3, 3, &out), BANK_OK);
    cr_assert_eq(out.n, 2, "(2, 1) and (2, 2): (1, 1) is under its checkpoint, (3, 1) its own");
    cr_expect(out.items[0].origin == 2 && out.items[1].origin == 2);
    bank_write_log_free(&out);
    bank_history_free(&u);
    bank_history_free(&peer2);
    bank_history_free(&peer3);
}

/* rule: B10, K5 */
Test(history, union_keeps_the_furthest_checkpoint_and_drops_what_it_covers)
{
    bank_checkpoint a_cps[] = {{1, 3, 30}, {2, 1, -5}};
    bank_logged_write a_w[] = {lw(1, 4, BANK_WRITE_DEPOSIT, 7), lw(2, 2, BANK_WRITE_DEPOSIT, 1),
                               lw(2, 3, BANK_WRITE_DEPOSIT, 2)};
    bank_checkpoint b_cps[] = {{2, 2, -4}};
    bank_logged_write b_w[] = {lw(1, 2, BANK_WRITE_DEPOSIT, 10), lw(1, 3, BANK_WRITE_DEPOSIT, 10),
                               lw(1, 4, BANK_WRITE_DEPOSIT, 7), lw(3, 1, BANK_WRITE_WITHDRAW, 1)};
    bank_history a = history_of(a_w, 3, a_cps, 2), b = history_of(b_w, 4, b_cps, 1);
    bank_history u = {0};
    cr_assert_eq(bank_history_merge(&u, &a), BANK_OK);
    cr_assert_eq(bank_history_merge(&u, &b), BANK_OK);
    cr_expect_eq(bank_checkpoint_find(&u.checkpoints, 1)->through, 3);
    cr_expect_eq(bank_checkpoint_find(&u.checkpoints, 2)->through, 2);
    cr_expect_eq(bank_checkpoint_find(&u.checkpoints, 2)->net, -4);
    cr_assert_eq(u.tail.n, 3, "(1, 4), (2, 3), (3, 1): the rest is under a checkpoint");
    cr_expect(bank_history_has(&u, 1, 1) && bank_history_has(&u, 2, 3) && !bank_history_has(&u, 3, 2));
    cr_expect_eq(bank_history_contiguous(&u, 1), 4);
    cr_expect_eq(bank_history_contiguous(&u, 3), 1);
    cr_expect_eq(bank_history_contiguous(&u, 4), 0);
    bank_replica r;
    bank_replica_init(&r, 2, 100);
    cr_assert_eq(bank_replica_restore(&r, 100, &u), BANK_OK);
    cr_expect_eq(r.balance, 100 + 30 - 4 + 7 + 2 - 1);
    cr_expect_eq(r.last_sequence, 3, "its own: (2, 2) under the checkpoint, (2, 3) in the tail");
    cr_expect(bank_replica_has_applied(&r, 1, 2), "under the checkpoint of origin 1");
    bank_write again = {BANK_WRITE_DEPOSIT, 1, 3, 10};
    cr_expect_eq(bank_replica_apply(&r, &again), BANK_DUPLICATE);
    cr_expect_eq(r.checkpoints.n, 2);
    cr_expect_eq(r.log.n, 3);
    bank_replica_free(&r);
    bank_history_free(&a);
    bank_history_free(&b);
    bank_history_free(&u);
}

/* rule: K5 */
Test(history, fold_moves_an_acknowledged_prefix_into_the_checkpoint)
{
    bank_replica r;
    bank_write w;
    bank_replica_init(&r, 1, 100);
    for (int i = 0; i < 3; i++) cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 10, 0, i, &w), BANK_OK);
    bank_write p1 = {BANK_WRITE_WITHDRAW, 2, 1, 5}, p3 = {BANK_WRITE_DEPOSIT, 2, 3, 1};
    cr_assert_eq(bank_logged_apply(&r, &p1, 0, 0), BANK_OK);
    cr_assert_eq(bank_logged_apply(&r, &p3, 0, 0), BANK_OK);
    cr_assert_eq(r.log.n, 5);
    cr_expect_eq(bank_replica_fold(&r, 1, 2), BANK_OK);
    cr_expect_eq(r.log.n, 3);
    cr_expect_eq(r.log_base, 2);
    cr_expect_eq(r.folds, 1);
    const bank_checkpoint *cp = bank_checkpoint_find(&r.checkpoints, 1);
    cr_assert(cp);
    cr_expect(cp->through == 2 && cp->net == 20);
    cr_expect_eq(bank_replica_fold(&r, 1, 2), BANK_OK, "nothing new: nothing changes");
    cr_expect_eq(r.folds, 1);
    cr_expect_eq(bank_replica_fold(&r, 1, 9), BANK_OK, "cut to its own last write, 3");
    cr_expect_eq(bank_checkpoint_find(&r.checkpoints, 1)->through, 3);
    cr_expect_eq(bank_replica_fold(&r, 2, 3), BANK_OK, "origin 2: only (2, 1), then a gap");
    cr_expect_eq(bank_checkpoint_find(&r.checkpoints, 2)->through, 1);
    cr_expect_eq(bank_checkpoint_find(&r.checkpoints, 2)->net, -5);
    cr_assert_eq(r.log.n, 1);
    cr_expect(r.log.items[0].origin == 2 && r.log.items[0].sequence == 3);
    cr_expect_eq(r.log_base, 4);
    cr_expect_eq(r.balance, 100 + 30 - 5 + 1, "folding changes no balance");
    bank_write dup = {BANK_WRITE_WITHDRAW, 2, 1, 5};
    cr_expect_eq(bank_logged_apply(&r, &dup, 0, 0), BANK_DUPLICATE, "a folded write is still known");

    bank_history h;
    cr_assert_eq(bank_replica_history(&r, &h), BANK_OK);
    bank_replica back;
    bank_replica_init(&back, 1, 100);
    cr_assert_eq(bank_replica_restore(&back, 100, &h), BANK_OK);
    cr_expect_eq(back.balance, r.balance);
    cr_expect_eq(back.last_sequence, 3);
    cr_expect(bank_replica_has_applied(&back, 2, 1) && bank_replica_has_applied(&back, 2, 3) &&
              !bank_replica_has_applied(&back, 2, 2));
    bank_history_free(&h);
    bank_replica_free(&back);

    bank_checkpoint big = {3, 1, INT64_MAX};
    bank_replica o;
    bank_replica_init(&o, 1, 0);
    cr_assert_eq(bank_logged_local(&o, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    bank_history hb = {0};
    cr_assert_eq(bank_checkpoints_merge(&hb.checkpoints, &big), BANK_OK);
    cr_assert_eq(bank_write_log_add(&hb.tail, &(bank_logged_write){BANK_WRITE_DEPOSIT, 1, 1, 1, 0, 0}), BANK_OK);
    cr_expect_eq(bank_replica_restore(&o, 0, &hb), BANK_OVERFLOW, "a checkpoint beyond int64 leaves it as it was");
    cr_expect_eq(o.balance, 1);
    bank_history_free(&hb);
    bank_replica_free(&o);
    bank_replica_free(&r);
}

/* rule: K5; a replica restored with eight checkpoints (exactly what the first growth of a
 * checkpoint list holds) folds a ninth origin's writes: the restored list knows its own size and
 * grows past it, every checkpoint kept (restore once left the list's capacity 0, and the ninth
 * was then written past a list regrown to eight) */
Test(history, a_restored_replica_folds_a_new_origin_past_its_restored_checkpoints)
{
    bank_checkpoint cps[8];
    for (int i = 0; i < 8; i++) cps[i] = (bank_checkpoint){i + 2, 1, i + 1}; /* origins 2..9 */
    bank_history h = history_of(NULL, 0, cps, 8);
    bank_replica r;
    bank_replica_init(&r, 1, 100);
    cr_assert_eq(bank_replica_restore(&r, 100, &h), BANK_OK);
    cr_assert_eq(r.checkpoints.n, 8);
    bank_write p = {BANK_WRITE_DEPOSIT, 10, 1, 50};
    cr_assert_eq(bank_logged_apply(&r, &p, 0, 0), BANK_OK);
    cr_assert_eq(bank_replica_fold(&r, 10, 1), BANK_OK);
    cr_assert_eq(r.checkpoints.n, 9);
    for (int i = 0; i < 8; i++) {
        const bank_checkpoint *cp = bank_checkpoint_find(&r.checkpoints, i + 2);
        cr_assert_not_null(cp, "origin %d's checkpoint kept", i + 2);
        cr_expect(cp->through == 1 && cp->net == i + 1, "origin %d", i + 2);
    }
    const bank_checkpoint *cp = bank_checkpoint_find(&r.checkpoints, 10);
    cr_assert_not_null(cp);
    cr_expect(cp->through == 1 && cp->net == 50);
    cr_expect_eq(r.log.n, 0);
    cr_expect_eq(r.balance, 100 + 36 + 50);
    bank_history_free(&h);
    bank_replica_free(&r);
}

/* rule: B10 */
Test(write_log, rebuild_from_the_union)
{
    bank_logged_write uw[] = {lw(1, 1, BANK_WRITE_DEPOSIT, 10), lw(1, 3, BANK_WRITE_WITHDRAW, 4),
                              lw(2, 1, BANK_WRITE_DEPOSIT, 100), lw(3, 2, BANK_WRITE_WITHDRAW, 50)};
    bank_history u = history_of(uw, 4, NULL, 0);
    bank_replica r;
    bank_replica_init(&r, 1, 400);
    cr_assert_eq(bank_replica_restore(&r, 400, &u), BANK_OK);
    cr_expect_eq(r.balance, 400 + 10 - 4 + 100 - 50);
    cr_expect_eq(r.last_sequence, 3, "the next write of its own is (1, 4)");
    cr_expect(bank_replica_has_applied(&r, 2, 1));
    cr_expect(bank_replica_has_applied(&r, 3, 2));
    cr_expect_not(bank_replica_has_applied(&r, 3, 1), "(3, 1) was nowhere: it is still to come");
    cr_expect_eq(r.log.n, 4);
    bank_write again = {BANK_WRITE_DEPOSIT, 2, 1, 100};
    cr_expect_eq(bank_logged_apply(&r, &again, 0, 0), BANK_DUPLICATE, "a redelivery is a duplicate");
    bank_write w;
    cr_expect_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    cr_expect_eq(w.sequence, 4);

    /* a union that overflows leaves the replica as it was */
    bank_logged_write bigw[] = {lw(2, 1, BANK_WRITE_DEPOSIT, INT64_MAX)};
    bank_history big = history_of(bigw, 1, NULL, 0);
    int64_t before = r.balance;
    cr_expect_eq(bank_replica_restore(&r, 400, &big), BANK_OVERFLOW);
    cr_expect_eq(r.balance, before);
    cr_expect_eq(r.log.n, 5);
    bank_logged_write own_bigw[] = {lw(1, 1, BANK_WRITE_WITHDRAW, INT64_MAX), lw(1, 2, BANK_WRITE_WITHDRAW, INT64_MAX)};
    bank_history own_big = history_of(own_bigw, 2, NULL, 0);
    cr_expect_eq(bank_replica_restore(&r, 0, &own_big), BANK_OVERFLOW);
    cr_expect_eq(r.balance, before);
    bank_history none = {0};
    cr_expect_eq(bank_replica_restore(&r, 7, &none), BANK_OK, "nothing anywhere: the initial balance");
    cr_expect_eq(r.balance, 7);
    cr_expect_eq(r.last_sequence, 0);
    bank_history_free(&u);
    bank_history_free(&big);
    bank_history_free(&own_big);
    bank_replica_free(&r);
}

/* ---- net sets (net_set.h): the sums the "possible alone" test is built from ---- */

static bank_net_set points(size_t limit, const int64_t *x, size_t n)
{
    bank_net_set s;
    bank_net_set_init(&s);
    s.limit = limit;
    for (size_t i = 0; i < n; i++) cr_assert_eq(bank_net_set_add_point(&s, x[i]), 0);
    bank_net_set_normalize(&s);
    return s;
}

static void expect_intervals(const bank_net_set *s, const bank_interval *want, size_t n)
{
    cr_assert_eq(s->n, n, "%zu intervals, not %zu", s->n, n);
    for (size_t i = 0; i < n; i++) {
        cr_expect_eq(s->v[i].lo, want[i].lo, "interval %zu starts at %lld", i, (long long)s->v[i].lo);
        cr_expect_eq(s->v[i].hi, want[i].hi, "interval %zu ends at %lld", i, (long long)s->v[i].hi);
    }
}

Test(net_set, points_sort_and_touching_ones_merge)
{
    int64_t x[] = {7, 3, 4, 5, 3, 10};
    bank_net_set s = points(BANK_NET_SET_CAP, x, 6);
    expect_intervals(&s, (bank_interval[]){{3, 5}, {7, 7}, {10, 10}}, 3);
    cr_expect(s.exact);
    cr_expect(bank_net_set_contains(&s, 4));
    cr_expect_not(bank_net_set_contains(&s, 6));
    cr_expect(bank_net_set_meets(&s, 8, 10));
    cr_expect_not(bank_net_set_meets(&s, 8, 9));
    cr_expect_not(bank_net_set_meets(&s, 5, 4), "an empty range meets nothing");
    bank_net_set_free(&s);
    cr_expect_eq(s.n, 0);
    cr_expect_eq(s.limit, BANK_NET_SET_CAP);
}

/* Past its limit a set is widened: the closest neighbours merge first, the gap doubling until
 * it fits, and no further; the set is then marked inexact (a superset). */
Test(net_set, a_set_past_its_limit_widens_just_enough, .timeout = 5)
{
    int64_t x[] = {0, 2, 5};
    bank_net_set s = points(2, x, 3);
    expect_intervals(&s, (bank_interval[]){{0, 2}, {5, 5}}, 2);
    cr_expect_not(s.exact);
    bank_net_set_free(&s);
    cr_expect_eq(s.limit, 2, "free keeps the limit");

    int64_t y[] = {0, 2, 4, 10, 30, 31};
    s = points(3, y, 6); /* [30, 31] touch; gap 2 merges 0..4, the rest stay apart */
    expect_intervals(&s, (bank_interval[]){{0, 4}, {10, 10}, {30, 31}}, 3);
    cr_expect_not(s.exact);
    bank_net_set_free(&s);

    int64_t z[] = {0, 9, 3, 1, 20};
    s = points(2, z, 5); /* {0,1} {3} {9} {20}: gap 2 joins 0..3, gap 8 joins 9 */
    expect_intervals(&s, (bank_interval[]){{0, 9}, {20, 20}}, 2);
    cr_expect_not(s.exact);
    bank_net_set_free(&s);

    int64_t v[] = {0, 900, 1000};
    s = points(2, v, 3); /* the nearer pair merges, not the first */
    expect_intervals(&s, (bank_interval[]){{0, 0}, {900, 1000}}, 2);
    bank_net_set_free(&s);

    int64_t w[] = {1, 2, 3};
    s = points(1, w, 3);
    expect_intervals(&s, (bank_interval[]){{1, 3}}, 1);
    cr_expect(s.exact, "merging touching points loses nothing");
    bank_net_set_free(&s);
}

/* The widest gap there is: the gap saturates rather than wrapping to 0. */
Test(net_set, the_two_ends_of_int64_merge_into_everything, .timeout = 5)
{
    int64_t x[] = {INT64_MAX, INT64_MIN};
    bank_net_set s = points(1, x, 2);
    expect_intervals(&s, (bank_interval[]){{INT64_MIN, INT64_MAX}}, 1);
    cr_expect_not(s.exact);
    bank_net_set_free(&s);
}

Test(net_set, a_copy_has_the_members_the_limit_and_the_exactness, .timeout = 5)
{
    int64_t x[] = {0, 2, 5, 40};
    bank_net_set src = points(3, x, 4), dst;
    memset(&dst, 0xff, sizeof dst); /* copy starts from nothing */
    cr_assert_eq(bank_net_set_copy(&dst, &src), 0);
    cr_expect_eq(dst.limit, 3);
    cr_expect_eq(dst.exact, src.exact);
    cr_expect_not(dst.exact);
    expect_intervals(&dst, src.v, src.n);
    cr_expect_neq(dst.v, src.v, "its own storage");
    bank_net_set_free(&dst);
    bank_net_set empty;
    bank_net_set_init(&empty);
    memset(&dst, 0xff, sizeof dst);
    cr_assert_eq(bank_net_set_copy(&dst, &empty), 0);
    cr_expect_eq(dst.n, 0);
    cr_expect(dst.exact);
    cr_expect_eq(dst.limit, BANK_NET_SET_CAP);
    bank_net_set_free(&dst);
    bank_net_set_free(&src);
}

Test(net_set, a_union_merges_and_is_exact_only_when_both_are, .timeout = 5)
{
    int64_t a[] = {1, 2, 10}, b[] = {3, 20, 21};
    bank_net_set sa = points(BANK_NET_SET_CAP, a, 3), sb = points(BANK_NET_SET_CAP, b, 3), u;
    bank_net_set_init(&u);
    cr_assert_eq(bank_net_set_union(&u, &sa, &sb), 0);
    expect_intervals(&u, (bank_interval[]){{1, 3}, {10, 10}, {20, 21}}, 3);
    cr_expect(u.exact);
    bank_net_set_free(&u);

    sb.exact = 0;
    cr_assert_eq(bank_net_set_union(&u, &sa, &sb), 0);
    cr_expect_not(u.exact);
    cr_expect_eq(u.n, 3);
    bank_net_set_free(&u);
    cr_assert_eq(bank_net_set_union(&u, &sb, &sa), 0);
    cr_expect_not(u.exact, "either side inexact is enough");
    bank_net_set_free(&u);

    u.limit = 1; /* the union widens to the out set's limit */
    cr_assert_eq(bank_net_set_union(&u, &sa, &sa), 0);
    expect_intervals(&u, (bank_interval[]){{1, 10}}, 1);
    cr_expect_not(u.exact);
    bank_net_set_free(&u);

    bank_net_set none;
    bank_net_set_init(&none);
    bank_net_set_init(&u);
    cr_assert_eq(bank_net_set_union(&u, &none, &none), 0, "two empty sets: no storage to copy");
    cr_expect_eq(u.n, 0);
    cr_assert_eq(bank_net_set_union(&u, &none, &sb), 0);
    expect_intervals(&u, sb.v, sb.n);
    bank_net_set_free(&u);
    cr_assert_eq(bank_net_set_union(&u, &sa, &none), 0);
    expect_intervals(&u, sa.v, sa.n);
    bank_net_set_free(&u);
    bank_net_set_free(&sa);
    bank_net_set_free(&sb);
}

/* Sums past int64 are left out; a sum interval that only partly overflows is kept, saturated. */
Test(net_set, sums_beyond_int64_are_left_out)
{
    int64_t a[] = {INT64_MAX - 1, INT64_MAX}, one[] = {1}, neg[] = {INT64_MIN + 1, INT64_MIN + 1};
    bank_net_set sa = points(BANK_NET_SET_CAP, a, 2), s1 = points(BANK_NET_SET_CAP, one, 1), out;
    bank_net_set_init(&out);
    cr_assert_eq(bank_net_set_sum(&out, &sa, &s1), 0);
    expect_intervals(&out, (bank_interval[]){{INT64_MAX, INT64_MAX}}, 1);
    cr_expect(out.exact);
    bank_net_set_free(&out);

    bank_net_set top = points(BANK_NET_SET_CAP, (int64_t[]){INT64_MAX}, 1);
    cr_assert_eq(bank_net_set_sum(&out, &top, &s1), 0);
    cr_expect_eq(out.n, 0, "INT64_MAX + 1 is no member");
    bank_net_set_free(&out);

    bank_net_set sn = points(BANK_NET_SET_CAP, neg, 2), m2 = points(BANK_NET_SET_CAP, (int64_t[]){-2}, 1);
    cr_assert_eq(bank_net_set_sum(&out, &sn, &m2), 0);
    cr_expect_eq(out.n, 0, "INT64_MIN - 1 is no member");
    bank_net_set_free(&out);

    bank_net_set m1 = points(BANK_NET_SET_CAP, (int64_t[]){-1, 0}, 2);
    cr_assert_eq(bank_net_set_sum(&out, &sn, &m1), 0);
    expect_intervals(&out, (bank_interval[]){{INT64_MIN, INT64_MIN + 1}}, 1);
    bank_net_set_free(&out);
    bank_net_set_free(&sa);
    bank_net_set_free(&s1);
    bank_net_set_free(&top);
    bank_net_set_free(&sn);
    bank_net_set_free(&m2);
    bank_net_set_free(&m1);
}
