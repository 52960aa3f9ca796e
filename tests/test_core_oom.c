/* Out of memory in the core: every allocation the core makes is made to fail in turn, and each
 * failure must be reported (-1 or BANK_NO_MEMORY), change nothing that the caller can see, and
 * free whatever was half built. The wrappers that fail and count are oom_wrap.h's. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/claim_alone.h"
#include "core/consistency.h"
#include "core/history.h"
#include "core/lamport_model.h"
#include "core/model.h"
#include "core/replica.h"
#include "core/schedule.h"
#include "core/session.h"
#include "core/session_check.h"
#include "core/state_table.h"
#include "core/workload_gen.h"
#include "core/write_log.h"
#include "oom_wrap.h"

/* The wrappers really fail (or the tests below would pass without testing anything). */
Test(oom, the_wrappers_fail_exactly_the_armed_allocation)
{
    arm(1);
    void *a = malloc(8), *b = calloc(1, 8), *c = malloc(8);
    cr_expect(disarm());
    cr_expect_not_null(a);
    cr_expect_null(b);
    cr_expect_not_null(c);
    free(a);
    free(c);
    arm(0);
    void *d = realloc(NULL, 8);
    cr_expect(disarm());
    cr_expect_null(d);
    cr_expect_eq(alive, 0, "every block counted in and out");
    void *e = realloc(NULL, 4);
    e = realloc(e, 64);
    cr_expect_eq(alive, 1);
    free(e);
    cr_expect_eq(alive, 0);
}

static bank_event ev_a[] = {{1, BANK_OP_DEPOSIT, 5}, {2, BANK_OP_QUERY, 0}, {3, BANK_OP_WITHDRAW, 3},
                            {4, BANK_OP_QUERY, 0}};
static bank_event ev_b[] = {{5, BANK_OP_QUERY, 0}, {6, BANK_OP_DEPOSIT, 1}, {7, BANK_OP_DEPOSIT, 2},
                            {8, BANK_OP_WITHDRAW, 1}, {9, BANK_OP_QUERY, 0}};
static bank_branch branches[] = {{1, 10}, {2, 10}};

/* Enough steps that both schedules grow their phase list past its first 16 entries. */
static void make_workload(bank_workload *w, bank_customer *cu, size_t n)
{
    for (size_t c = 0; c < n; c++)
        cu[c] = c % 2 ? (bank_customer){2, 1, 5, ev_b} : (bank_customer){1, 0, 4, ev_a};
    *w = (bank_workload){2, branches, n, cu};
}

static int same_plan(const bank_plan *a, const bank_plan *b)
{
    return a->n_steps == b->n_steps && a->n_phases == b->n_phases &&
           memcmp(a->steps, b->steps, a->n_steps * sizeof *a->steps) == 0 &&
           memcmp(a->phase_start, b->phase_start, (a->n_phases + 1) * sizeof *a->phase_start) == 0;
}

Test(oom, plan_build_fails_cleanly_at_every_allocation)
{
    bank_customer cu[8];
    bank_workload w;
    make_workload(&w, cu, 8);
    bank_schedule schedules[] = {BANK_SCHEDULE_SEQUENTIAL, BANK_SCHEDULE_ROUNDS};
    for (int i = 0; i < 2; i++) {
        bank_plan want;
        cr_assert_eq(bank_plan_build(&w, schedules[i], &want), 0);
        cr_assert_gt(want.n_phases, 16);
        long failures = 0, base = alive;
        for (long n = 0;; n++) {
            bank_plan p;
            arm(n);
            int rc = bank_plan_build(&w, schedules[i], &p);
            if (!disarm()) {
                cr_assert_eq(rc, 0);
                cr_expect(same_plan(&p, &want), "%s", bank_schedule_name(schedules[i]));
                bank_plan_free(&p);
                break;
            }
            failures++;
            cr_expect_eq(alive, base, "%s: allocation %ld failed: a block leaked", bank_schedule_name(schedules[i]), n);
            cr_expect_eq(rc, -1, "%s: allocation %ld failed", bank_schedule_name(schedules[i]), n);
            cr_expect(p.steps == NULL && p.phase_start == NULL && p.n_steps == 0 && p.n_phases == 0,
                      "%s: allocation %ld failed: the plan is left empty", bank_schedule_name(schedules[i]), n);
        }
        cr_expect_geq(failures, 3, "steps, phases and at least one growth of the phases");
        bank_plan_free(&want);
    }
    cr_expect_eq(alive, 0);
}

Test(oom, model_outcome_and_generator_fail_cleanly)
{
    bank_customer cu[4];
    bank_workload w;
    make_workload(&w, cu, 4);
    bank_plan plan;
    cr_assert_eq(bank_plan_build(&w, BANK_SCHEDULE_SEQUENTIAL, &plan), 0);
    long base = alive;

    bank_outcome o;
    for (long n = 0;; n++) {
        arm(n);
        int rc = bank_outcome_init(&o, &w);
        if (!disarm()) {
            cr_assert_eq(rc, 0);
            break;
        }
        cr_expect_eq(rc, -1, "outcome allocation %ld failed", n);
        cr_expect_null(o.results, "nothing half built is left behind");
        cr_expect_eq(alive, base, "outcome allocation %ld failed: a block leaked", n);
        bank_outcome_free(&o); /* and freeing it again is harmless */
    }
    arm(0);
    int rc = bank_model_run(&w, &plan, &o, NULL);
    cr_expect(disarm());
    cr_expect_eq(rc, -1);
    cr_expect_eq(alive, base + 1 + 4, "the outcome's blocks, no more");
    cr_expect_eq(bank_model_run(&w, &plan, &o, NULL), 0);
    cr_expect_eq(o.results[1][4].balance, 14, "the retry ran the plan: 10 +5 -3 +1 +2 -1");
    bank_outcome_free(&o);
    bank_plan_free(&plan);

    bank_gen_config cfg = {3, 5, 4, 100, 50, 30, 9};
    for (long n = 0;; n++) {
        bank_workload g;
        arm(n);
        rc = bank_workload_generate(&cfg, &g);
        if (!disarm()) {
            cr_assert_eq(rc, 0);
            cr_expect_eq(bank_workload_event_count(&g), 20);
            bank_workload_free(&g);
            break;
        }
        cr_expect_eq(rc, -1, "generator allocation %ld failed", n);
        cr_expect(g.branches == NULL && g.customers == NULL && g.n_customers == 0 && g.n_branches == 0);
        cr_expect_eq(alive, 0, "generator allocation %ld failed: a block leaked", n);
    }
    cr_expect_eq(alive, 0);
}

/* A propagation that cannot be recorded is not applied: the balance stays, it is not taken for
 * applied, and the same write delivered again later applies once. */
Test(oom, a_propagation_that_cannot_be_recorded_is_not_applied)
{
    bank_replica r;
    bank_replica_init(&r, 1, 100);
    bank_write first = {BANK_WRITE_DEPOSIT, 2, 1, 10};
    arm(0); /* the list of origins */
    cr_expect_eq(bank_replica_apply(&r, &first), BANK_NO_MEMORY);
    cr_expect(disarm());
    cr_expect_eq(r.balance, 100);
    cr_expect_not(bank_replica_has_applied(&r, 2, 1));
    cr_expect_eq(bank_replica_apply(&r, &first), BANK_OK);
    cr_expect_eq(r.balance, 110);

    bank_write early = {BANK_WRITE_WITHDRAW, 2, 3, 5}; /* overtakes sequence 2 */
    arm(0);                                            /* the list of early arrivals */
    cr_expect_eq(bank_replica_apply(&r, &early), BANK_NO_MEMORY);
    cr_expect(disarm());
    cr_expect_eq(r.balance, 110);
    cr_expect_not(bank_replica_has_applied(&r, 2, 3));
    cr_expect_eq(bank_replica_apply(&r, &early), BANK_OK);
    cr_expect_eq(r.balance, 105);
    cr_expect_eq(bank_replica_apply(&r, &early), BANK_DUPLICATE);

    bank_write in_order = {BANK_WRITE_DEPOSIT, 2, 2, 1}; /* closes the gap: no allocation needed */
    arm(0);
    cr_expect_eq(bank_replica_apply(&r, &in_order), BANK_OK);
    cr_expect_not(disarm());
    cr_expect_eq(r.balance, 106);
    cr_expect(bank_replica_has_applied(&r, 2, 3));
    bank_replica_free(&r);
    cr_expect_eq(alive, 0);
}

/* Net sets: a copy or a union that cannot allocate says so and leaves its output empty;
 * Project 3's routes free the rows they built and leave nothing behind. */
Test(oom, net_sets_and_routes_fail_cleanly)
{
    bank_net_set a, b, out;
    bank_net_set_init(&a);
    bank_net_set_init(&b);
    cr_assert_eq(bank_net_set_add_point(&a, 1), 0);
    cr_assert_eq(bank_net_set_add_point(&b, 5), 0);
    arm(0);
    cr_expect_eq(bank_net_set_copy(&out, &a), -1);
    cr_expect(disarm());
    cr_expect_eq(out.n, 0);
    cr_expect_null(out.v);
    bank_net_set_init(&out);
    arm(0);
    cr_expect_eq(bank_net_set_union(&out, &a, &b), -1);
    cr_expect(disarm());
    cr_expect_eq(out.n, 0);
    bank_net_set_free(&out);
    bank_net_set_free(&a);
    bank_net_set_free(&b);

    bank_customer cu[3];
    bank_workload w;
    make_workload(&w, cu, 3);
    long failures = 0;
    for (long n = 0;; n++) {
        bank_routes r;
        memset(&r, 0xff, sizeof r);
        arm(n);
        int rc = bank_routes_init(&r, &w);
        if (!disarm()) {
            cr_assert_eq(rc, 0);
            cr_expect_eq(r.n_customers, 3);
            cr_expect_eq(r.branch[1][4], 1);
            bank_routes_free(&r);
            break;
        }
        failures++;
        cr_expect_eq(rc, -1, "routes: allocation %ld failed", n);
        cr_expect_eq(r.n_customers, 0, "routes: allocation %ld failed: nothing is left", n);
        cr_expect_null(r.branch);
        cr_expect_eq(alive, 0, "routes: allocation %ld failed: a block leaked", n);
    }
    cr_expect_eq(failures, 4, "the table and a row per entry");
}

/* The write log: a write that cannot be logged is not applied, and a rebuild or a list of
 * missing writes that runs out of memory leaves everything as it was. */
Test(oom, the_write_log_fails_cleanly)
{
    bank_replica r;
    bank_write w;
    bank_replica_init(&r, 1, 100);
    arm(0);
    cr_expect_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 5, 1, 1, &w), BANK_NO_MEMORY);
    cr_expect(disarm());
    cr_expect_eq(r.balance, 100);
    cr_expect_eq(r.last_sequence, 0);
    cr_expect_eq(r.log.n, 0);
    bank_write p = {BANK_WRITE_DEPOSIT, 2, 1, 10};
    arm(0);
    cr_expect_eq(bank_logged_apply(&r, &p, 1, 1), BANK_NO_MEMORY);
    cr_expect(disarm());
    cr_expect_eq(r.balance, 100);
    cr_expect_not(bank_replica_has_applied(&r, 2, 1));
    for (long n = 0;; n++) { /* the log's room, then the list of origins */
        arm(n);
        bank_status st = bank_logged_apply(&r, &p, 1, 1);
        if (!disarm()) {
            cr_expect_eq(st, BANK_OK);
            break;
        }
        cr_expect_eq(st, BANK_NO_MEMORY);
        cr_expect_eq(r.balance, 100);
        cr_expect_eq(r.log.n, 0);
        cr_expect_not(bank_replica_has_applied(&r, 2, 1));
    }
    cr_expect_eq(r.balance, 110);
    cr_expect_eq(r.log.n, 1);

    bank_history u = {0};
    bank_logged_write uw[] = {{BANK_WRITE_DEPOSIT, 1, 1, 5, 0, 0}, {BANK_WRITE_DEPOSIT, 2, 1, 10, 0, 0},
                              {BANK_WRITE_DEPOSIT, 3, 4, 1, 0, 0}};
    for (size_t i = 0; i < 3; i++) cr_assert_eq(bank_write_log_add(&u.tail, &uw[i]), BANK_OK);
    bank_checkpoint cp = {4, 2, 7};
    cr_assert_eq(bank_checkpoints_merge(&u.checkpoints, &cp), BANK_OK);
    long base = alive;
    for (long n = 0;; n++) {
        arm(n);
        bank_status st = bank_replica_restore(&r, 100, &u);
        if (!disarm()) {
            cr_expect_eq(st, BANK_OK);
            break;
        }
        cr_expect_eq(st, BANK_NO_MEMORY);
        cr_expect_eq(r.balance, 110);
        cr_expect_eq(r.log.n, 1);
        cr_expect_eq(alive, base, "nothing half built is kept");
    }
    cr_expect_eq(r.balance, 123);
    cr_expect_eq(r.last_sequence, 1);
    cr_expect(bank_replica_has_applied(&r, 3, 4));
    cr_expect(bank_replica_has_applied(&r, 4, 2));

    bank_write_log out = {0};
    bank_history empty = {0};
    arm(0);
    cr_expect_eq(bank_history_missing(&u, &empty, 9, &out), BANK_NO_MEMORY);
    cr_expect(disarm());
    cr_expect_eq(out.n, 0);
    cr_expect_eq(bank_history_missing(&u, &empty, 9, &out), BANK_OK);
    cr_expect_eq(out.n, 3);
    bank_write_log_free(&out);

    /* a union, a copy and a fold that run out of memory change nothing */
    bank_history into = {0};
    for (long n = 0;; n++) {
        arm(n);
        bank_status st = bank_history_merge(&into, &u);
        if (!disarm()) {
            cr_expect_eq(st, BANK_OK);
            break;
        }
        cr_expect_eq(st, BANK_NO_MEMORY);
        cr_expect_eq(into.tail.n, 0);
        cr_expect_eq(into.checkpoints.n, 0);
    }
    cr_expect_eq(into.tail.n, 3);
    bank_history copy;
    arm(0);
    cr_expect_eq(bank_replica_history(&r, &copy), BANK_NO_MEMORY);
    cr_expect(disarm());
    cr_expect_eq(copy.tail.n, 0);
    bank_history_free(&copy);
    bank_write own;
    cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &own), BANK_OK);
    size_t logged = r.log.n, cps = r.checkpoints.n;
    arm(0);
    bank_status fold = bank_replica_fold(&r, 1, 2);
    cr_expect(disarm(), "a checkpoint for origin 1 needs room");
    cr_expect_eq(fold, BANK_NO_MEMORY);
    cr_expect_eq(r.log.n, logged);
    cr_expect_eq(r.checkpoints.n, cps);
    cr_expect_eq(bank_replica_fold(&r, 1, 2), BANK_OK);
    cr_expect_eq(r.log.n, logged - 2);
    bank_history_free(&into);
    bank_history_free(&u);
    bank_replica_free(&r);
    cr_expect_eq(alive, 0);
}

/* bank_consistency_judge on these answers: -1 with nothing leaked at every allocation that
 * fails, the unarmed answer once none does. */
static void judge_fails_cleanly(const bank_workload *w, bank_claim *const *claims)
{
    bank_consistency_result want;
    cr_assert_eq(bank_consistency_judge(w, claims, 0, &want), 0);
    cr_assert_gt(want.n_alone + want.n_wrong, 0);
    long base = alive, failures = 0;
    for (long n = 0;; n++) {
        bank_consistency_result r;
        arm(n);
        int rc = bank_consistency_judge(w, claims, 0, &r);
        if (!disarm()) {
            cr_assert_eq(rc, 0);
            cr_expect_eq(r.n_alone, want.n_alone);
            cr_expect_eq(r.n_wrong, want.n_wrong);
            cr_expect_eq(r.states, want.states);
            bank_consistency_result_free(&r);
            break;
        }
        failures++;
        cr_expect_eq(rc, -1, "allocation %ld failed", n);
        cr_expect_eq(alive, base, "allocation %ld failed: a block leaked", n);
    }
    cr_expect_geq(failures, 20);
    bank_consistency_result_free(&want);
}

/* The grader's judge (consistency.c and the search it runs): every allocation fails in turn;
 * each call reports -1 and frees what it built, or (when the failure was not reached) gives the
 * answer it gives with memory to spare. The answers are a real execution's with three changed,
 * so the judge runs the alone test, both searches, the iterative deepening and the tie-break. */
Test(oom, consistency_judge_and_sumsets_fail_cleanly)
{
    bank_customer cu[6];
    bank_workload w;
    make_workload(&w, cu, 6);
    bank_claim rows[6][5];
    bank_claim *claims[6];
    int64_t net = 0;
    for (size_t c = 0; c < 6; c++) { /* the sequential execution's answers */
        claims[c] = rows[c];
        for (size_t e = 0; e < cu[c].n_events; e++) {
            const bank_event *ev = &cu[c].events[e];
            int64_t bal = branches[cu[c].branch_index].balance + net;
            int ok = ev->op != BANK_OP_WITHDRAW || bal >= ev->money;
            if (ev->op == BANK_OP_DEPOSIT) net += ev->money;
            if (ev->op == BANK_OP_WITHDRAW && ok) net -= ev->money;
            rows[c][e] = (bank_claim){1, ok, bal, 5 * c + e};
        }
    }
    rows[1][0].balance += 2;  /* possible alone, not together */
    rows[3][0].balance = 999; /* impossible alone */
    rows[4][1].printed = 0;   /* an answer missing */
    judge_fails_cleanly(&w, claims);
    long base = alive;

    bank_alone a;
    int64_t values[8], highest;
    size_t n_values;
    uint64_t total;
    int exact;
    for (long n = 0;; n++) {
        arm(n);
        int built = bank_alone_build(&w, &a) == 0;
        int rc = built ? bank_alone_balances(&a, 2, 4, values, 8, &n_values, &total, &highest, &exact) : -1;
        int done = !disarm();
        if (built) bank_alone_free(&a);
        if (done) {
            cr_assert_eq(rc, 0);
            cr_expect_gt(total, 1);
            break;
        }
        cr_expect_eq(rc, -1, "alone: allocation %ld failed", n);
        cr_expect_eq(alive, base, "alone: allocation %ld failed: a block leaked", n);
    }
    cr_expect_eq(alive, 0);
}

/* Answers that need the iterative deepening after the reference schedules, two bounds of it (a
 * random case of eight events, its answers changed): a failure inside a deepening run, with
 * the states the bound before it left in its table, is reported too. */
Test(oom, the_judges_deepening_fails_cleanly)
{
    bank_branch one[1] = {{1, 20}};
    bank_event e0[3] = {{0, BANK_OP_QUERY, 0}, {1, BANK_OP_WITHDRAW, 10}, {2, BANK_OP_QUERY, 0}};
    bank_event e1[1] = {{10, BANK_OP_WITHDRAW, 10}}, e2[1] = {{20, BANK_OP_WITHDRAW, 10}};
    bank_event e3[1] = {{30, BANK_OP_QUERY, 0}}, e4[2] = {{40, BANK_OP_DEPOSIT, 10}, {41, BANK_OP_DEPOSIT, 10}};
    bank_customer cu[5] = {{1, 0, 3, e0}, {2, 0, 1, e1}, {3, 0, 1, e2}, {4, 0, 1, e3}, {5, 0, 2, e4}};
    bank_claim r0[3] = {{1, 1, 20, 0}, {1, 0, 30, 1}, {1, 0, 20, 2}}, r1[1] = {{1, 0, 20, 4}};
    bank_claim r2[1] = {{1, 0, 0, 8}}, r3[1] = {{0, 1, 0, 12}}, r4[2] = {{0, 1, 0, 16}, {1, 1, 10, 17}};
    bank_claim *claims[5] = {r0, r1, r2, r3, r4};
    bank_workload w = {1, one, 5, cu};
    judge_fails_cleanly(&w, claims);
    cr_expect_eq(alive, 0);
}

/* Answers the sweep finds an order for (a random case of five events, two answers changed): a
 * failure while it writes that order down is reported too. */
Test(oom, the_judges_sweep_fails_cleanly)
{
    bank_branch one[1] = {{1, 20}};
    bank_event e0[2] = {{0, BANK_OP_WITHDRAW, 10}, {1, BANK_OP_WITHDRAW, 10}};
    bank_event e1[3] = {{10, BANK_OP_WITHDRAW, 10}, {11, BANK_OP_DEPOSIT, 10}, {12, BANK_OP_WITHDRAW, 10}};
    bank_customer cu[2] = {{1, 0, 2, e0}, {2, 0, 3, e1}};
    bank_claim r0[2] = {{1, 0, 30, 0}, {0, 1, 10, 1}}, r1[3] = {{1, 1, 10, 4}, {1, 1, 0, 5}, {1, 1, 10, 6}};
    bank_claim *claims[2] = {r0, r1};
    bank_workload w = {1, one, 2, cu};
    judge_fails_cleanly(&w, claims);
    cr_expect_eq(alive, 0);
}

/* Project 3's session checks (C10 to C15): the search, what one answer allows alone and the
 * writes an answer missed fail cleanly at every allocation (-1, nothing leaked, the result left
 * empty), and give the unarmed answer once they can allocate. The answers: every withdrawal's
 * left out (the search branches on them), the queries' those of a sequential run, one changed. */
static int same_alone(const bank_session_alone *a, const bank_session_alone *b)
{
    return a->exact == b->exact && a->n_nets == b->n_nets && a->n_own == b->n_own && a->n_others == b->n_others &&
           memcmp(a->nets, b->nets, a->n_nets * sizeof *a->nets) == 0 &&
           memcmp(a->own_nets, b->own_nets, a->n_own * sizeof *a->own_nets) == 0 &&
           memcmp(a->others, b->others, a->n_others * sizeof *a->others) == 0;
}

Test(oom, the_session_checks_fail_cleanly)
{
    bank_customer cu[4];
    bank_workload w;
    make_workload(&w, cu, 4);
    bank_routes rt;
    cr_assert_eq(bank_routes_init(&rt, &w), 0);
    bank_claim rows[4][5];
    bank_claim *claims[4];
    int64_t net = 0;
    for (size_t c = 0; c < 4; c++) {
        claims[c] = rows[c];
        for (size_t e = 0; e < cu[c].n_events; e++) {
            const bank_event *ev = &cu[c].events[e];
            int64_t bal = branches[cu[c].branch_index].balance + net;
            if (ev->op == BANK_OP_DEPOSIT) net += ev->money;
            if (ev->op == BANK_OP_WITHDRAW && bal >= ev->money) net -= ev->money;
            rows[c][e] = (bank_claim){ev->op != BANK_OP_WITHDRAW, 1, bal, 5 * c + e};
        }
    }
    rows[3][4].balance += 40; /* no execution reads it */
    bank_session_result want;
    cr_assert_eq(bank_session_check(&w, &rt, claims, 0, &want), 0);
    cr_assert_eq(want.verdict, BANK_INCONSISTENT);
    cr_assert_gt(want.states, 1, "the search branches");
    bank_session_alone want_alone;
    cr_assert_eq(bank_session_alone_nets(&w, &rt, claims, 3, 4, &want_alone), 0);
    cr_assert_gt(want_alone.n_others, 1);
    size_t want_missed[5], n_want_missed = 0;
    int want_found = bank_session_missed(&w, &rt, claims, 2, 4, 2, want_alone.others, want_alone.n_others, want_missed,
                                         &n_want_missed);
    cr_assert_geq(want_found, 0);
    long base = alive;
    for (long n = 0;; n++) {
        bank_session_result res;
        arm(n);
        int rc = bank_session_check(&w, &rt, claims, 0, &res);
        if (!disarm()) {
            cr_assert_eq(rc, 0);
            cr_expect(res.verdict == want.verdict && res.states == want.states &&
                      memcmp(res.blocked, want.blocked, 4 * sizeof *res.blocked) == 0);
            bank_session_result_free(&res);
            break;
        }
        cr_expect_eq(rc, -1, "session check: allocation %ld failed", n);
        cr_expect_null(res.blocked, "session check: allocation %ld failed", n);
        cr_expect_eq(alive, base, "session check: allocation %ld failed: a block leaked", n);
    }
    for (long n = 0;; n++) {
        bank_session_alone a;
        arm(n);
        int rc = bank_session_alone_nets(&w, &rt, claims, 3, 4, &a);
        if (!disarm()) {
            cr_assert_eq(rc, 0);
            cr_expect(same_alone(&a, &want_alone));
            bank_session_alone_free(&a);
            break;
        }
        cr_expect_eq(rc, -1, "alone nets: allocation %ld failed", n);
        cr_expect_eq(alive, base, "alone nets: allocation %ld failed: a block leaked", n);
    }
    for (long n = 0;; n++) {
        size_t missed[5], n_missed = 0;
        arm(n);
        int rc = bank_session_missed(&w, &rt, claims, 2, 4, 2, want_alone.others, want_alone.n_others, missed, &n_missed);
        if (!disarm()) {
            cr_assert_eq(rc, want_found);
            cr_expect(n_missed == n_want_missed && memcmp(missed, want_missed, n_missed * sizeof *missed) == 0);
            break;
        }
        cr_expect_eq(rc, -1, "missed writes: allocation %ld failed", n);
        cr_expect_eq(alive, base, "missed writes: allocation %ld failed: a block leaked", n);
    }
    bank_session_alone_free(&want_alone);
    bank_session_result_free(&want);
    bank_routes_free(&rt);
    cr_expect_eq(alive, 0);
}

/* rule: L5, L11; Project 2's clocks: the model, the edges and the checks fail cleanly at every
 * allocation, and give the same answer once they can allocate */
/* Field by field: an event's padding is whatever malloc left there (ASan fills it, glibc does not). */
static int same_clock_log(const bank_clock_log *a, const bank_clock_log *b)
{
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++) {
        const bank_clock_event *x = &a->items[i], *y = &b->items[i];
        if (x->kind != y->kind || x->entry != y->entry || x->event != y->event || x->process != y->process ||
            x->peer != y->peer || x->clock != y->clock)
            return 0;
    }
    return 1;
}

Test(oom, the_clock_model_and_checks_fail_cleanly)
{
    bank_customer cu[6];
    bank_workload w;
    make_workload(&w, cu, 6);
    bank_plan plan;
    bank_outcome o;
    cr_assert_eq(bank_plan_build(&w, BANK_SCHEDULE_SEQUENTIAL, &plan), 0);
    cr_assert_eq(bank_outcome_init(&o, &w), 0);
    cr_assert_eq(bank_model_run(&w, &plan, &o, NULL), 0);
    long base = alive, failures = 0;
    bank_clock_log want, log;
    int determined;
    cr_assert_eq(bank_clock_model(&w, &plan, &o, &want, &determined), 0);
    for (long n = 0;; n++, failures++) {
        arm(n);
        int rc = bank_clock_model(&w, &plan, &o, &log, &determined);
        if (!disarm()) {
            cr_assert_eq(rc, 0);
            cr_expect(same_clock_log(&log, &want));
            bank_clock_log_free(&log);
            break;
        }
        cr_expect(rc == -1 && log.items == NULL && log.n == 0, "model allocation %ld failed", n);
        cr_expect_eq(alive, base + 1, "model allocation %ld failed: a block leaked", n);
    }
    cr_expect_geq(failures, 5, "its arrays, the required events and their growth");
    want.items[3].clock = 0; /* a receive before its send: one problem to find */
    bank_clock_point *pts = malloc(want.n * sizeof *pts);
    for (long n = 0;; n++) {
        bank_clock_edge *edges = NULL;
        bank_clock_problem *p = NULL;
        size_t n_edges = 0, n_p = 0;
        arm(n);
        int rc = bank_clock_edges(&w, want.items, want.n, pts, &edges, &n_edges);
        if (rc == 0) rc = bank_clock_check(pts, want.n, edges, n_edges, 1, &p, &n_p);
        if (!disarm()) {
            cr_assert_eq(rc, 0);
            cr_expect_geq(n_p, 1);
            free(edges);
            free(p);
            break;
        }
        cr_expect_eq(rc, -1, "check allocation %ld failed", n);
        cr_expect_null(p);
        free(edges);
        cr_expect_eq(alive, base + 2, "check allocation %ld failed: a block leaked", n);
    }
    free(pts);
    bank_clock_log_free(&want);
    bank_outcome_free(&o);
    bank_plan_free(&plan);
}

static bank_state_key state_key_of(uint64_t i) { return (bank_state_key){bank_mix(i), i}; }

/* The searches' table of failed states, across its growths: every key keeps the largest bound
 * recorded for it, an absent key answers -1, a growth that cannot allocate leaves the table as
 * it was, and the table holds one block of slots however often it grew, none once freed. */
Test(oom, the_state_table_keeps_every_key_across_its_growths)
{
    long base = alive;
    bank_state_table t;
    bank_state_table_init(&t);
    cr_expect_eq(bank_state_table_failed(&t, state_key_of(0)), -1, "an empty table");
    enum { N = 5000, FULL = 2048 }; /* FULL keys fill the first 4096 slots to half */
    for (uint64_t i = 0; i < FULL; i++) cr_assert_eq(bank_state_table_fail(&t, state_key_of(i), (uint32_t)(i % 7)), 0);
    arm(0);
    cr_expect_eq(bank_state_table_fail(&t, state_key_of(FULL), 1), -1, "the growth fails");
    cr_expect(disarm());
    cr_expect_eq(t.n, FULL);
    cr_expect_eq(bank_state_table_failed(&t, state_key_of(FULL)), -1, "not recorded");
    for (uint64_t i = FULL; i < N; i++) cr_assert_eq(bank_state_table_fail(&t, state_key_of(i), (uint32_t)(i % 7)), 0);
    cr_expect_eq(t.n, N);
    cr_expect_eq(alive, base + 1, "one block of slots: each growth frees the one before");
    for (uint64_t i = 0; i < N; i++)
        cr_expect_eq(bank_state_table_failed(&t, state_key_of(i)), (long)(i % 7), "key %llu", (unsigned long long)i);
    cr_expect_eq(bank_state_table_failed(&t, state_key_of(N)), -1, "a key never recorded");
    cr_assert_eq(bank_state_table_fail(&t, state_key_of(1), 5), 0);
    cr_assert_eq(bank_state_table_fail(&t, state_key_of(1), 2), 0);
    cr_assert_eq(bank_state_table_fail(&t, state_key_of(1), 0), 0);
    cr_expect_eq(bank_state_table_failed(&t, state_key_of(1)), 5, "the largest bound kept");
    cr_expect_eq(t.n, N, "a key recorded again is not counted again");
    bank_state_table_free(&t);
    cr_expect_eq(alive, base);
    cr_expect_eq(bank_state_table_failed(&t, state_key_of(1)), -1, "a freed table is empty");
}

/* rule: B9, B10; a union that runs out of memory past the tail's first growth (16 entries held, the
 * 17th needs room) leaves the history as it was: its tail's count, entries and checkpoints */
Test(oom, a_union_refused_midway_keeps_the_history_as_it_was)
{
    bank_history into = {0}, from = {0};
    bank_logged_write own = {BANK_WRITE_DEPOSIT, 9, 1, 3, 0, 0};
    cr_assert_eq(bank_write_log_add(&into.tail, &own), BANK_OK);
    bank_checkpoint kept = {8, 4, 40};
    cr_assert_eq(bank_checkpoints_merge(&into.checkpoints, &kept), BANK_OK);
    for (int64_t s = 1; s <= 20; s++) {
        bank_logged_write w = {BANK_WRITE_DEPOSIT, 1, s, s, 0, 0};
        cr_assert_eq(bank_write_log_add(&from.tail, &w), BANK_OK);
    }
    bank_checkpoint cp = {2, 3, 30};
    cr_assert_eq(bank_checkpoints_merge(&from.checkpoints, &cp), BANK_OK);
    long failures = 0;
    for (long n = 0;; n++) {
        arm(n);
        bank_status st = bank_history_add(&into, &from);
        if (!disarm()) {
            cr_expect_eq(st, BANK_OK);
            break;
        }
        failures++;
        cr_expect_eq(st, BANK_NO_MEMORY, "allocation %ld failed", n);
        cr_expect_eq(into.tail.n, 1, "allocation %ld failed: %zu entries kept", n, into.tail.n);
        cr_expect_eq(into.tail.items[0].origin, 9);
        cr_expect_eq(into.checkpoints.n, 1, "allocation %ld failed", n);
        cr_expect_eq(into.checkpoints.items[0].origin, 8);
        cr_expect_eq(into.checkpoints.items[0].through, 4);
    }
    cr_expect_geq(failures, 2, "the saved copy and the tail's growth each fail once");
    cr_expect_eq(into.tail.n, 21);
    cr_expect_eq(into.checkpoints.n, 2);
    bank_history_free(&into);
    bank_history_free(&from);
}
