/* Out of memory in the core: every allocation the core makes is made to fail in turn, and each
 * failure must be reported (-1 or BANK_NO_MEMORY), change nothing that the caller can see, and
 * free whatever was half built. The wrappers that fail and count are oom_wrap.h's; the judges'
 * own allocations are test_judge_oom.c's. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/history.h"
#include "core/model.h"
#include "core/net_set.h"
#include "core/replica.h"
#include "core/schedule.h"
#include "core/session.h"
#include "core/state_table.h"
#include "core/workload_gen.h"
#include "core/write_log.h"
#include "oom_workload.h"
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
