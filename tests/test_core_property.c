/* Properties of the core, each checked on many seeded random cases (ctest label `property`).
 * Every failure names its seed; BANK_SEED=<seed> reruns from that seed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "core/replica.h"
#include "core/schedule.h"
#include "core/workload_gen.h"

static uint64_t test_seed(void)
{
    const char *s = getenv("BANK_SEED");
    return s ? strtoull(s, NULL, 10) : 531;
}

/* rule: P4, P8 */
/* Random writes at a few replicas; every propagation delivered in random order, some twice.
 * Afterwards every replica holds initial + successful deposits - successful withdrawals and
 * has applied every write exactly once. Rerun a failure with BANK_SEED=<seed>. */
Test(replica, random_delivery_converges)
{
    uint64_t seed0 = test_seed();
    for (uint64_t round = 0; round < 200; round++) {
        uint64_t seed = seed0 + round, rng = seed;
        size_t n = 3 + (size_t)bank_rng_below(&rng, 3);
        bank_replica reps[5];
        for (size_t i = 0; i < n; i++) bank_replica_init(&reps[i], (int64_t)i + 1, 100);
        bank_write pending[400];
        size_t dest[400], n_pending = 0;
        int64_t net = 0;
        size_t writes = 0;
        for (size_t step = 0; step < 60; step++) {
            size_t at = (size_t)bank_rng_below(&rng, n);
            int64_t money = (int64_t)bank_rng_below(&rng, 60);
            bank_write w;
            bank_status st = bank_rng_below(&rng, 2) ? bank_replica_deposit(&reps[at], money, &w)
                                                     : bank_replica_withdraw(&reps[at], money, &w);
            if (st != BANK_OK) continue;
            writes++;
            net += w.kind == BANK_WRITE_DEPOSIT ? money : -money;
            for (size_t p = 0; p < n; p++)
                if (p != at) {
                    pending[n_pending] = w;
                    dest[n_pending++] = p;
                }
            /* deliver a random pending message now and then, possibly twice */
            while (n_pending && bank_rng_below(&rng, 3) == 0) {
                size_t k = (size_t)bank_rng_below(&rng, n_pending);
                bank_status a = bank_replica_apply(&reps[dest[k]], &pending[k]);
                cr_assert_eq(a, BANK_OK, "seed %llu: first delivery refused", (unsigned long long)seed);
                if (bank_rng_below(&rng, 4) == 0)
                    cr_assert_eq(bank_replica_apply(&reps[dest[k]], &pending[k]), BANK_DUPLICATE,
                                 "seed %llu: duplicate applied", (unsigned long long)seed);
                pending[k] = pending[n_pending - 1];
                dest[k] = dest[--n_pending];
            }
        }
        while (n_pending) {
            size_t k = (size_t)bank_rng_below(&rng, n_pending);
            cr_assert_eq(bank_replica_apply(&reps[dest[k]], &pending[k]), BANK_OK,
                         "seed %llu", (unsigned long long)seed);
            pending[k] = pending[n_pending - 1];
            dest[k] = dest[--n_pending];
        }
        for (size_t i = 0; i < n; i++) {
            cr_assert_eq(reps[i].balance, 100 + net, "seed %llu: replica %zu holds %lld, want %lld",
                         (unsigned long long)seed, i, (long long)reps[i].balance, (long long)(100 + net));
            for (size_t o = 0; o < n; o++)
                if (o != i)
                    for (uint64_t s = 1; s <= reps[o].last_sequence; s++)
                        cr_assert(bank_replica_has_applied(&reps[i], (int64_t)o + 1, s),
                                  "seed %llu: replica %zu lost write (%zu, %llu)", (unsigned long long)seed,
                                  i, o + 1, (unsigned long long)s);
        }
        cr_assert_gt(writes, 0, "seed %llu made no write", (unsigned long long)seed);
        for (size_t i = 0; i < n; i++) bank_replica_free(&reps[i]);
    }
}

/* A generated workload whose customers have between 0 and cfg->events events (the generator
 * gives each the same number), so plans see customers of every length. */
static void random_workload(uint64_t seed, bank_workload *w)
{
    uint64_t rng = seed;
    bank_gen_config cfg = {1 + (size_t)bank_rng_below(&rng, 4), (size_t)bank_rng_below(&rng, 8),
                           (size_t)bank_rng_below(&rng, 8), (int64_t)bank_rng_below(&rng, 200),
                           1 + (int64_t)bank_rng_below(&rng, 150), (unsigned)bank_rng_below(&rng, 101),
                           seed};
    cr_assert_eq(bank_workload_generate(&cfg, w), 0, "seed %llu", (unsigned long long)seed);
    for (size_t c = 0; c < w->n_customers; c++)
        w->customers[c].n_events = (size_t)bank_rng_below(&rng, cfg.events + 1);
}

/* The replicas and the model are written independently. Running a plan's steps on one replica
 * per branch, each write delivered to every other branch before the next step, must give
 * exactly the model's answers and final balances, in both schedules. */
Test(property, replicas_with_prompt_delivery_answer_as_the_model)
{
    uint64_t seed0 = test_seed();
    int failed_withdrawals = 0;
    for (uint64_t seed = seed0; seed < seed0 + 300; seed++) {
        bank_workload w;
        random_workload(seed, &w);
        for (int sched = 0; sched < 2; sched++) {
            bank_schedule s = sched ? BANK_SCHEDULE_ROUNDS : BANK_SCHEDULE_SEQUENTIAL;
            bank_plan plan;
            bank_outcome want;
            int64_t finals[4];
            cr_assert_eq(bank_plan_build(&w, s, &plan), 0);
            cr_assert_eq(bank_outcome_init(&want, &w), 0);
            cr_assert_eq(bank_model_run(&w, &plan, &want, finals), 0);
            bank_replica reps[4];
            for (size_t b = 0; b < w.n_branches; b++)
                bank_replica_init(&reps[b], w.branches[b].id, w.branches[b].balance);
            for (size_t k = 0; k < plan.n_steps; k++) {
                const bank_customer *cu = &w.customers[plan.steps[k].customer];
                const bank_event *ev = &cu->events[plan.steps[k].event];
                bank_replica *at = &reps[cu->branch_index];
                bank_write out;
                bank_status st = ev->op == BANK_OP_QUERY     ? BANK_OK
                                 : ev->op == BANK_OP_DEPOSIT ? bank_replica_deposit(at, ev->money, &out)
                                                             : bank_replica_withdraw(at, ev->money, &out);
                if (ev->op != BANK_OP_QUERY && st == BANK_OK)
                    for (size_t b = 0; b < w.n_branches; b++)
                        if (b != cu->branch_index)
                            cr_assert_eq(bank_replica_apply(&reps[b], &out), BANK_OK, "seed %llu",
                                         (unsigned long long)seed);
                if (ev->op == BANK_OP_WITHDRAW && st != BANK_OK) failed_withdrawals++;
                const bank_result *m = &want.results[plan.steps[k].customer][plan.steps[k].event];
                cr_assert_eq(st == BANK_OK, m->success, "seed %llu %s: event %lld (%s %lld): replica %s, model %s",
                             (unsigned long long)seed, bank_schedule_name(s), (long long)ev->id,
                             bank_op_name(ev->op), (long long)ev->money, bank_status_text(st),
                             m->success ? "success" : "fail");
                cr_assert_eq(at->balance, m->balance, "seed %llu %s: event %lld: replica %lld, model %lld",
                             (unsigned long long)seed, bank_schedule_name(s), (long long)ev->id,
                             (long long)at->balance, (long long)m->balance);
            }
            for (size_t b = 0; b < w.n_branches; b++) {
                cr_assert_eq(reps[b].balance, finals[b], "seed %llu %s: branch %zu", (unsigned long long)seed,
                             bank_schedule_name(s), b);
                bank_replica_free(&reps[b]);
            }
            bank_outcome_free(&want);
            bank_plan_free(&plan);
        }
        bank_workload_free(&w);
    }
    cr_expect_gt(failed_withdrawals, 0, "the workloads include withdrawals that fail");
}

/* Whatever the workload: a plan runs every event exactly once, each customer's events in its
 * own order. Sequential: one step a phase, customers in input order. Rounds: a write is a phase
 * of its own; a query phase holds queries of distinct customers, the k-th query phase every
 * k-th query and nothing else; the writes between two query phases run customers in input order. */
Test(property, plans_run_every_event_once_in_the_schedules_order)
{
    uint64_t seed0 = test_seed();
    for (uint64_t seed = seed0; seed < seed0 + 500; seed++) {
        bank_workload w;
        random_workload(seed, &w);
        for (int sched = 0; sched < 2; sched++) {
            bank_schedule s = sched ? BANK_SCHEDULE_ROUNDS : BANK_SCHEDULE_SEQUENTIAL;
            const char *name = bank_schedule_name(s);
            bank_plan p;
            cr_assert_eq(bank_plan_build(&w, s, &p), 0);
            cr_assert_eq(p.n_steps, bank_workload_event_count(&w), "seed %llu %s", (unsigned long long)seed, name);
            cr_assert_eq(p.phase_start[0], 0);
            cr_assert_eq(p.phase_start[p.n_phases], p.n_steps);
            size_t next[8] = {0}, queries_seen[8] = {0};
            size_t query_phases = 0, last_writer = 0, last_customer = 0;
            for (size_t ph = 0; ph < p.n_phases; ph++) {
                size_t from = p.phase_start[ph], to = p.phase_start[ph + 1];
                cr_assert_lt(from, to, "seed %llu %s: phase %zu is empty", (unsigned long long)seed, name, ph);
                const bank_step *first = &p.steps[from];
                int is_query = w.customers[first->customer].events[first->event].op == BANK_OP_QUERY;
                if (s == BANK_SCHEDULE_SEQUENTIAL)
                    cr_assert_eq(to - from, 1, "seed %llu: sequential phase %zu", (unsigned long long)seed, ph);
                if (is_query) {
                    query_phases++;
                    last_writer = 0;
                } else {
                    cr_assert_eq(to - from, 1, "seed %llu %s: a write shares phase %zu", (unsigned long long)seed, name, ph);
                }
                if (s == BANK_SCHEDULE_ROUNDS && !is_query) {
                    cr_assert_geq(first->customer, last_writer, "seed %llu: window before query phase %zu out of "
                                  "customer order", (unsigned long long)seed, query_phases + 1);
                    last_writer = first->customer;
                }
                size_t in_phase = 0;
                for (size_t k = from; k < to; k++) {
                    size_t c = p.steps[k].customer, e = p.steps[k].event;
                    cr_assert_lt(c, w.n_customers);
                    cr_assert_eq(e, next[c], "seed %llu %s: customer %zu runs event %zu before %zu",
                                 (unsigned long long)seed, name, c, e, next[c]);
                    next[c]++;
                    int q = w.customers[c].events[e].op == BANK_OP_QUERY;
                    cr_assert_eq(q, is_query, "seed %llu %s: phase %zu mixes queries and writes",
                                 (unsigned long long)seed, name, ph);
                    if (s == BANK_SCHEDULE_SEQUENTIAL) {
                        cr_assert_geq(c, last_customer, "seed %llu: sequential goes back to customer %zu",
                                      (unsigned long long)seed, c);
                        last_customer = c;
                    }
                    if (q) {
                        queries_seen[c]++;
                        if (s == BANK_SCHEDULE_ROUNDS)
                            cr_assert_eq(queries_seen[c], query_phases, "seed %llu: customer %zu's query %zu "
                                         "in query phase %zu", (unsigned long long)seed, c, queries_seen[c], query_phases);
                        in_phase++;
                    }
                }
                if (s == BANK_SCHEDULE_ROUNDS && is_query) {
                    size_t due = 0; /* customers with a query_phases-th query */
                    for (size_t c = 0; c < w.n_customers; c++) {
                        size_t nq = 0;
                        for (size_t e = 0; e < w.customers[c].n_events; e++)
                            nq += w.customers[c].events[e].op == BANK_OP_QUERY;
                        due += nq >= query_phases;
                    }
                    cr_assert_eq(in_phase, due, "seed %llu: query phase %zu holds %zu queries, %zu are due",
                                 (unsigned long long)seed, query_phases, in_phase, due);
                }
            }
            for (size_t c = 0; c < w.n_customers; c++)
                cr_assert_eq(next[c], w.customers[c].n_events, "seed %llu %s: customer %zu", (unsigned long long)seed, name, c);
            bank_plan_free(&p);
        }
        bank_workload_free(&w);
    }
}
