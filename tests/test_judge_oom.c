/* Out of memory in the core's judges: the consistency judge (its sum sets, deepening and sweep),
 * the session checks and the clock model's checks. Every allocation is made to fail in turn; each
 * failure must be reported, change nothing the caller can see, and free whatever was half built.
 * The rest of the core: test_core_oom.c. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/claim_alone.h"
#include "core/consistency.h"
#include "core/lamport_model.h"
#include "core/model.h"
#include "core/schedule.h"
#include "core/session.h"
#include "core/session_check.h"
#include "oom_workload.h"
#include "oom_wrap.h"

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
