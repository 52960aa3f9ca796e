/* The --consistent judge against brute force, and its properties on workloads too large for it
 * (ctest `consistency_property`; its hand-made and pinned cases are test_consistency.c's).
 *
 * Brute force: on small random workloads every interleaving is enumerated. For answers with some
 * changed and some left out, the smallest sets of answers whose removal leaves the rest consistent
 * are exactly the smallest disagreement sets of the executions; the judge must mark wrong the one
 * that comes first in file order (G16, G17) and give a witness that replays.
 *
 * Properties (larger, the course's shape and mixed workloads): a real execution's answers are
 * always accepted whole; one changed answer leaves at most one answer wrong, never a later one
 * than the changed answer.
 *
 * Seeded: a failure prints its seed; BANK_SEED=<seed> reruns from it. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/claim_sweep.h"
#include "core/consistency.h"
#include "core/workload_gen.h"
#include "consistency_fixture.h"

#define MAX_EVENTS 12

typedef struct {
    size_t n;
    bank_claim c[MAX_EVENTS]; /* flattened: entry by entry, event by event */
} answers;

typedef struct {
    size_t n, cap;
    answers *v;
} answer_set;

static uint64_t first_seed(void)
{
    const char *s = getenv("BANK_SEED");
    return s ? strtoull(s, NULL, 10) : 531;
}

static int same(const answers *a, const answers *b)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->c[i].success != b->c[i].success || a->c[i].balance != b->c[i].balance) return 0;
    return 1;
}

static void add_unique(answer_set *s, const answers *a)
{
    for (size_t i = 0; i < s->n; i++)
        if (same(&s->v[i], a)) return;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        cr_assert_not_null(s->v);
    }
    s->v[s->n++] = *a;
}

static size_t offset_of(const bank_workload *w, size_t c)
{
    size_t o = 0;
    for (size_t d = 0; d < c; d++) o += w->customers[d].n_events;
    return o;
}

/* Every interleaving, on one shared balance (each branch: its initial balance plus the net). */
static void enumerate(const bank_workload *w, size_t *pos, int64_t net, answers *cur, size_t done,
                      size_t total, answer_set *out)
{
    if (done == total) {
        add_unique(out, cur);
        return;
    }
    for (size_t c = 0; c < w->n_customers; c++) {
        const bank_customer *cu = &w->customers[c];
        if (pos[c] == cu->n_events) continue;
        const bank_event *ev = &cu->events[pos[c]];
        int64_t bal = w->branches[cu->branch_index].balance + net, delta = 0;
        bank_claim *cl = &cur->c[offset_of(w, c) + pos[c]];
        cl->printed = 1;
        cl->success = 1;
        cl->balance = 0;
        if (ev->op == BANK_OP_QUERY) cl->balance = bal;
        else if (ev->op == BANK_OP_DEPOSIT) delta = ev->money;
        else if (bal >= ev->money) delta = -ev->money;
        else cl->success = 0;
        pos[c]++;
        enumerate(w, pos, net + delta, cur, done + 1, total, out);
        pos[c]--;
    }
}

/* The answers of every execution of w, each distinct vector once. */
static answer_set all_executions(const bank_workload *w)
{
    size_t total = bank_workload_event_count(w);
    cr_assert_leq(total, MAX_EVENTS);
    answer_set all = {0};
    answers cur = {total, {{0}}};
    size_t pos[8] = {0};
    enumerate(w, pos, 0, &cur, 0, total, &all);
    return all;
}

/* The answers an execution disagrees with, as a bit set over the flattened answers. */
static unsigned disagreement(const answers *exec, const answers *a)
{
    unsigned d = 0;
    for (size_t k = 0; k < a->n; k++)
        if (a->c[k].printed && (exec->c[k].success != a->c[k].success || exec->c[k].balance != a->c[k].balance))
            d |= 1u << k;
    return d;
}

/* Set x comes before set y (same size) when the earliest answer, by rank, in which they differ is
 * in x (G17). */
static int earlier(unsigned x, unsigned y, const answers *a)
{
    unsigned diff = x ^ y;
    size_t best = MAX_EVENTS;
    for (size_t k = 0; k < a->n; k++)
        if (diff >> k & 1 && (best == MAX_EVENTS || a->c[k].rank < a->c[best].rank)) best = k;
    return best < MAX_EVENTS && (x >> best & 1);
}

/* The smallest disagreement set, the earliest of them. */
static unsigned brute_minimum(const answer_set *all, const answers *a)
{
    unsigned best = 0;
    int have = 0;
    for (size_t i = 0; i < all->n; i++) {
        unsigned d = disagreement(&all->v[i], a);
        int pd = __builtin_popcount(d), pb = __builtin_popcount(best);
        if (!have || pd < pb || (pd == pb && earlier(d, best, a))) best = d;
        have = 1;
    }
    return best;
}

/* Replays the witness: every event once, each entry in order, outcomes as the rules give them,
 * and every answer not marked wrong as printed. */
static void check_witness(const bank_workload *w, bank_claim *const *claims, const bank_consistency_result *r,
                          const char *what)
{
    size_t total = 0, C = w->n_customers;
    for (size_t c = 0; c < C; c++) total += w->customers[c].n_events;
    cr_assert_eq(r->n_witness, total, "%s: the witness has %zu steps, the input %zu events", what, r->n_witness, total);
    size_t *pos = calloc(C ? C : 1, sizeof *pos);
    int64_t net = 0;
    for (size_t i = 0; i < r->n_witness; i++) {
        const bank_witness_step *s = &r->witness[i];
        cr_assert_lt(s->customer, C, "%s", what);
        cr_assert_eq(s->event, pos[s->customer], "%s: step %zu runs customer %zu out of order", what, i, s->customer);
        pos[s->customer]++;
        const bank_customer *cu = &w->customers[s->customer];
        const bank_event *ev = &cu->events[s->event];
        int64_t bal = w->branches[cu->branch_index].balance + net;
        int success = 1;
        if (ev->op == BANK_OP_DEPOSIT) net += ev->money;
        else if (ev->op == BANK_OP_WITHDRAW && bal >= ev->money) net -= ev->money;
        else if (ev->op == BANK_OP_WITHDRAW) success = 0;
        int64_t shown = ev->op == BANK_OP_QUERY ? bal : w->branches[cu->branch_index].balance + net;
        cr_assert_eq(s->success, success, "%s: step %zu", what, i);
        cr_assert_eq(s->balance, shown, "%s: step %zu", what, i);
        const bank_claim *cl = &claims[s->customer][s->event];
        if (!cl->printed || r->status[s->customer][s->event] != BANK_CLAIM_OK) continue;
        if (ev->op == BANK_OP_QUERY) cr_assert_eq(cl->balance, bal, "%s: step %zu reads %lld, claimed %lld", what, i, (long long)bal, (long long)cl->balance);
        else cr_assert_eq(cl->success, success, "%s: step %zu", what, i);
    }
    free(pos);
}

static void judge(const bank_workload *w, const answers *a, bank_consistency_result *r)
{
    static bank_claim rows[8][MAX_EVENTS];
    static bank_claim *claims[8];
    for (size_t c = 0, k = 0; c < w->n_customers; c++) {
        claims[c] = rows[c];
        for (size_t e = 0; e < w->customers[c].n_events; e++, k++) rows[c][e] = a->c[k];
    }
    cr_assert_eq(bank_consistency_judge(w, claims, 0, r), 0);
}

static bank_claim *const *claims_of(const bank_workload *w, const answers *a)
{
    static bank_claim rows[8][MAX_EVENTS];
    static bank_claim *claims[8];
    for (size_t c = 0, k = 0; c < w->n_customers; c++) {
        claims[c] = rows[c];
        for (size_t e = 0; e < w->customers[c].n_events; e++, k++) rows[c][e] = a->c[k];
    }
    return claims;
}

static unsigned judged_set(const bank_workload *w, const bank_consistency_result *r)
{
    unsigned s = 0;
    for (size_t c = 0, k = 0; c < w->n_customers; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++, k++)
            if (r->status[c][e] == BANK_CLAIM_WRONG || r->status[c][e] == BANK_CLAIM_WRONG_ALONE) s |= 1u << k;
    return s;
}

/* Prints the case, so that a failure can be read. */
static void dump(const bank_workload *w, const answers *a, const bank_consistency_result *r)
{
    for (size_t b = 0; b < w->n_branches; b++) fprintf(stderr, "branch %zu: %lld\n", b, (long long)w->branches[b].balance);
    for (size_t c = 0, k = 0; c < w->n_customers; c++) {
        fprintf(stderr, "entry %zu (branch %zu):", c, w->customers[c].branch_index);
        for (size_t e = 0; e < w->customers[c].n_events; e++, k++) {
            const bank_event *ev = &w->customers[c].events[e];
            const bank_claim *cl = &a->c[k];
            fprintf(stderr, " [%zu] %s %lld", k, ev->op == BANK_OP_QUERY ? "q" : ev->op == BANK_OP_DEPOSIT ? "d" : "w", (long long)ev->money);
            if (!cl->printed) fprintf(stderr, " (-)");
            else if (ev->op == BANK_OP_QUERY) fprintf(stderr, " =%lld", (long long)cl->balance);
            else fprintf(stderr, " %s", cl->success ? "ok" : "FAIL");
            fprintf(stderr, " r%llu st%d;", (unsigned long long)cl->rank, r->status ? (int)r->status[c][e] : -1);
        }
        fprintf(stderr, "\n");
    }
    for (size_t i = 0; i < r->n_witness; i++)
        fprintf(stderr, "  step %zu: entry %zu event %zu -> %d %lld\n", i, r->witness[i].customer, r->witness[i].event, r->witness[i].success, (long long)r->witness[i].balance);
}

static bank_op op_at(const bank_workload *w, size_t k)
{
    for (size_t c = 0; c < w->n_customers; c++) {
        if (k < w->customers[c].n_events) return w->customers[c].events[k].op;
        k -= w->customers[c].n_events;
    }
    return BANK_OP_QUERY;
}

/* Checks the judge against brute force on `rounds` workloads from make(seed). */
static void against_brute_force(workload_maker make, uint64_t rounds, size_t min_inconsistent, size_t min_ties)
{
    uint64_t seed0 = first_seed();
    size_t consistent = 0, inconsistent = 0, ties = 0;
    for (uint64_t round = 0; round < rounds; round++) {
        uint64_t seed = seed0 + round, rng = seed * 7919 + 1;
        bank_workload w;
        make(seed, &rng, &w);
        size_t total = bank_workload_event_count(&w);
        answer_set all = all_executions(&w);
        for (int trial = 0; trial < 24 && total > 0; trial++) {
            answers a = all.v[bank_rng_below(&rng, all.n)];
            int changes = (int)bank_rng_below(&rng, 4);
            for (int i = 0; i < changes; i++) {
                size_t k = bank_rng_below(&rng, total);
                if (op_at(&w, k) == BANK_OP_QUERY) a.c[k].balance += (int64_t)bank_rng_below(&rng, 61) - 30;
                else a.c[k].success = !a.c[k].success;
            }
            for (size_t k = 0; k < total; k++) {
                a.c[k].printed = trial % 2 ? bank_rng_below(&rng, 4) != 0 : 1;
                a.c[k].rank = trial % 3 ? bank_rng_below(&rng, 5) : k; /* ties in rank too */
            }
            unsigned want = brute_minimum(&all, &a);
            bank_consistency_result r;
            judge(&w, &a, &r);
            unsigned got = judged_set(&w, &r);
            if (got != want || r.n_witness != total) dump(&w, &a, &r);
            check_witness(&w, claims_of(&w, &a), &r, "witness");
            cr_assert_eq(got, want, "seed %llu trial %d: judged set %#x, brute force %#x (rerun: BANK_SEED=%llu)",
                         (unsigned long long)seed, trial, got, want, (unsigned long long)seed0);
            cr_assert(r.smallest && r.earliest, "seed %llu trial %d: not proven on a tiny case", (unsigned long long)seed, trial);
            cr_assert_eq(r.n_undecided, 0);
            cr_assert_eq(r.lower_bound, (size_t)__builtin_popcount(want));
            want ? inconsistent++ : consistent++;
            for (size_t i = 0; i < all.n; i++) {
                unsigned d = disagreement(&all.v[i], &a);
                if (d != want && __builtin_popcount(d) == __builtin_popcount(want)) {
                    ties++;
                    break;
                }
            }
            bank_consistency_result_free(&r);
        }
        free(all.v);
        bank_workload_free(&w);
    }
    cr_log_info("consistency: %zu consistent and %zu inconsistent answer vectors agreed with brute force (%zu with tied smallest sets)",
                consistent, inconsistent, ties);
    cr_expect_geq(inconsistent, min_inconsistent, "the changes must produce inconsistent answers, or the test proves nothing");
    cr_expect_geq(ties, min_ties, "ties among smallest sets must occur, or the tie rule is not tested");
}

/* Up to three entries of up to three random events; now and then unequal starting balances (a
 * poorer branch may then go below zero). */
static void mixed_workload(uint64_t seed, uint64_t *rng, bank_workload *w)
{
    bank_gen_config cfg = {1 + bank_rng_below(rng, 3), 1 + bank_rng_below(rng, 3), 1 + bank_rng_below(rng, 3),
                           (int64_t)bank_rng_below(rng, 40), 30, 40, seed};
    cr_assert_eq(bank_workload_generate(&cfg, w), 0);
    if (w->n_branches > 1 && bank_rng_below(rng, 4) == 0) w->branches[0].balance += 25;
}

/* The course's shape in small: two to four entries, each a write then a query (some queries
 * first), amounts that repeat: the backward search and its credits at work. */
static void course_workload(uint64_t seed, uint64_t *rng, bank_workload *w)
{
    size_t n = 2 + bank_rng_below(rng, 3);
    bank_gen_config cfg = {1 + bank_rng_below(rng, 2), n, 2, (int64_t)bank_rng_below(rng, 30), 10, 0, seed};
    cr_assert_eq(bank_workload_generate(&cfg, w), 0);
    int one_amount = bank_rng_below(rng, 4) != 0; /* mostly, as in the course: the walk bound */
    for (size_t c = 0; c < w->n_customers; c++) {
        bank_event *ev = w->customers[c].events;
        int query_first = bank_rng_below(rng, 5) == 0;
        ev[query_first ? 1 : 0].op = bank_rng_below(rng, 2) ? BANK_OP_DEPOSIT : BANK_OP_WITHDRAW;
        ev[query_first ? 1 : 0].money = one_amount ? 10 : 10 * (int64_t)(1 + bank_rng_below(rng, 2));
        ev[query_first ? 0 : 1].op = BANK_OP_QUERY;
        ev[query_first ? 0 : 1].money = 0;
    }
}

/* The sweep alone, forward and backward, on every tiny answer vector: it finds an execution that
 * gives every printed answer exactly when brute force has one (the order it returns replays to
 * them), and otherwise, its tree being tiny, proves that there is none: never a wrong proof. */
static void sweep_against_brute_force(workload_maker make, uint64_t rounds)
{
    uint64_t seed0 = first_seed();
    size_t found = 0, none = 0;
    for (uint64_t round = 0; round < rounds; round++) {
        uint64_t seed = seed0 + round, rng = seed * 6151 + 3;
        bank_workload w;
        make(seed, &rng, &w);
        size_t total = bank_workload_event_count(&w);
        answer_set all = all_executions(&w);
        for (int trial = 0; trial < 12 && total > 0; trial++) {
            answers a = all.v[bank_rng_below(&rng, all.n)];
            for (int i = (int)bank_rng_below(&rng, 3); i > 0; i--) {
                size_t k = bank_rng_below(&rng, total);
                if (op_at(&w, k) == BANK_OP_QUERY) a.c[k].balance += 10 * ((int64_t)bank_rng_below(&rng, 7) - 3);
                else a.c[k].success = !a.c[k].success;
            }
            for (size_t k = 0; k < total; k++) a.c[k].printed = bank_rng_below(&rng, 5) != 0;
            int consistent = 0;
            for (size_t i = 0; i < all.n && !consistent; i++) consistent = disagreement(&all.v[i], &a) == 0;
            bank_claim *const *claims = claims_of(&w, &a);
            static uint8_t tag_rows[8][MAX_EVENTS];
            uint8_t *tags[8];
            for (size_t c = 0; c < w.n_customers; c++) {
                tags[c] = tag_rows[c];
                for (size_t e = 0; e < w.customers[c].n_events; e++) tags[c][e] = claims[c][e].printed ? CS_CLAIM : CS_FREE;
            }
            for (int backward = 0; backward < 2; backward++) {
                cs_instance in;
                cr_assert_eq(cs_instance_build(&w, claims, tags, backward, &in), 0);
                int64_t zero = 0, *starts = &zero;
                size_t n_starts = 1;
                if (backward) cr_assert_eq(cs_start_nets(&in, 4096, &starts, &n_starts), 0);
                cs_sweep_result res;
                bank_step *order = NULL;
                size_t n = 0, spent = 0;
                cr_assert_eq(cs_sweep(&in, starts, n_starts, 1000000, seed, &res, &order, &n, &spent), 0);
                if (res != (consistent ? CS_SWEEP_FOUND : CS_SWEEP_NONE)) {
                    bank_consistency_result empty = {0};
                    dump(&w, &a, &empty);
                }
                cr_assert_eq(res, consistent ? CS_SWEEP_FOUND : CS_SWEEP_NONE,
                             "seed %llu trial %d %s: the sweep says %d, brute force %s (rerun: BANK_SEED=%llu)",
                             (unsigned long long)seed, trial, backward ? "backward" : "forward", (int)res,
                             consistent ? "consistent" : "inconsistent", (unsigned long long)seed0);
                if (res == CS_SWEEP_FOUND) {
                    cr_assert_eq(n, total);
                    size_t at[8] = {0};
                    int64_t net = 0;
                    for (size_t i = 0; i < n; i++) {
                        size_t c = order[i].customer, e = order[i].event;
                        cr_assert_eq(e, at[c]++, "seed %llu: entry %zu out of order", (unsigned long long)seed, c);
                        const bank_customer *cu = &w.customers[c];
                        const bank_event *ev = &cu->events[e];
                        int64_t bal = w.branches[cu->branch_index].balance + net;
                        int success = ev->op != BANK_OP_WITHDRAW || bal >= ev->money;
                        if (ev->op == BANK_OP_DEPOSIT) net += ev->money;
                        else if (ev->op == BANK_OP_WITHDRAW && success) net -= ev->money;
                        if (!claims[c][e].printed) continue;
                        if (ev->op == BANK_OP_QUERY) cr_assert_eq(claims[c][e].balance, bal, "seed %llu step %zu", (unsigned long long)seed, i);
                        else cr_assert_eq(claims[c][e].success, success, "seed %llu step %zu", (unsigned long long)seed, i);
                    }
                    found++;
                } else {
                    none++;
                }
                free(order);
                if (backward) free(starts);
                cs_instance_free(&in);
            }
        }
        free(all.v);
        bank_workload_free(&w);
    }
    cr_log_info("consistency: the sweep found %zu executions and proved %zu answer vectors impossible, as brute force did",
                found, none);
    cr_expect_geq(found, rounds, "consistent answers must occur, or the test proves little");
    cr_expect_geq(none, rounds, "inconsistent answers must occur, or the proofs go untested");
}

/* rule: G10, G19 */
Test(consistency_property, sweep_agrees_with_brute_force, .timeout = 300)
{
    sweep_against_brute_force(mixed_workload, 400);
    sweep_against_brute_force(course_workload, 200);
}

/* rule: G10, G11, G15, G16, G17, G18 */
Test(consistency_property, smallest_earliest_set_agrees_with_brute_force, .timeout = 300)
{
    against_brute_force(mixed_workload, 300, 500, 100);
}

/* rule: G15, G16, G17, G18 */
Test(consistency_property, course_shaped_cases_agree_with_brute_force, .timeout = 300)
{
    against_brute_force(course_workload, 200, 500, 100);
}

/* ---- properties on workloads too large for brute force ---- */

/* A real execution's answers are accepted whole; with one answer changed, at most one answer is
 * marked wrong, never one later in the file than the changed one (the changed one alone would
 * do, G16, G17), and when the file stays consistent the witness proves it. */
static void live_properties(workload_maker make, uint64_t rounds)
{
    uint64_t seed0 = first_seed();
    size_t named = 0, other_earlier = 0, still_consistent = 0;
    for (uint64_t round = 0; round < rounds; round++) {
        uint64_t seed = seed0 + round, rng = seed * 104729 + 7;
        bank_workload w;
        make(seed, &rng, &w);
        bank_claim **claims = live_answers(&w, &rng);
        bank_consistency_result r;
        cr_assert_eq(bank_consistency_judge(&w, claims, 0, &r), 0);
        cr_assert(r.n_wrong == 0 && r.n_alone == 0 && r.n_undecided == 0,
                  "seed %llu: a real execution's answers: %zu wrong, %zu impossible alone, %zu undecided (rerun: BANK_SEED=%llu)",
                  (unsigned long long)seed, r.n_wrong, r.n_alone, r.n_undecided, (unsigned long long)seed);
        check_witness(&w, claims, &r, "a real execution");
        bank_consistency_result_free(&r);

        size_t total = bank_workload_event_count(&w), k = bank_rng_below(&rng, total), c = 0, e = k;
        while (e >= w.customers[c].n_events) e -= w.customers[c++].n_events;
        bank_claim *cl = &claims[c][e];
        if (w.customers[c].events[e].op == BANK_OP_QUERY)
            cl->balance += (bank_rng_below(&rng, 2) ? 10 : -10) * (int64_t)(1 + bank_rng_below(&rng, 5));
        else
            cl->success = !cl->success;
        cr_assert_eq(bank_consistency_judge(&w, claims, 0, &r), 0);
        size_t marked = 0, mc = 0, me = 0;
        for (size_t d = 0; d < w.n_customers; d++)
            for (size_t f = 0; f < w.customers[d].n_events; f++)
                if (r.status[d][f] == BANK_CLAIM_WRONG || r.status[d][f] == BANK_CLAIM_WRONG_ALONE) {
                    marked++;
                    mc = d;
                    me = f;
                }
        cr_assert(r.n_undecided == 0 && marked <= 1 && r.smallest && r.earliest,
                  "seed %llu: one changed answer (entry %zu event %zu): %zu marked, %zu undecided (rerun: BANK_SEED=%llu)",
                  (unsigned long long)seed, c, e, marked, r.n_undecided, (unsigned long long)seed);
        check_witness(&w, claims, &r, "one changed answer");
        if (marked == 0) still_consistent++;
        else if (mc == c && me == e) named++;
        else {
            cr_assert_lt(claims[mc][me].rank, cl->rank, "seed %llu: marked a later answer than the changed one (rerun: BANK_SEED=%llu)",
                         (unsigned long long)seed, (unsigned long long)seed);
            other_earlier++;
        }
        bank_consistency_result_free(&r);
        free_answers(&w, claims);
        bank_workload_free(&w);
    }
    cr_log_info("consistency: %zu changed answers named, %zu explained by an earlier one, %zu still consistent",
                named, other_earlier, still_consistent);
    cr_expect_geq(named, rounds / 4, "the changed answer must be found in most cases, or the test proves little");
}

/* rule: G10, G15, G16, G17, G18 */
Test(consistency_property, course_shape_live_answers_accepted_and_one_change_found, .timeout = 300)
{
    live_properties(course_large, 60);
}

/* rule: G10, G15, G16, G17, G18 */
Test(consistency_property, mixed_live_answers_accepted_and_one_change_found, .timeout = 300)
{
    live_properties(mixed_large, 60);
}

/* The sweep (claim_sweep.c) finds these whole: before it, 30 such entries were already undecided.
 * rule: G10, G18, G19 */
Test(consistency_property, mixed_live_answers_of_many_entries_accepted_whole, .timeout = 300)
{
    uint64_t seed0 = first_seed();
    for (uint64_t round = 0; round < 8; round++) {
        uint64_t seed = seed0 + round, rng = seed * 104729 + 7;
        bank_workload w;
        mixed_many(seed, &rng, &w);
        bank_claim **claims = live_answers(&w, &rng);
        bank_consistency_result r;
        cr_assert_eq(bank_consistency_judge(&w, claims, 0, &r), 0);
        cr_assert(r.n_wrong == 0 && r.n_alone == 0 && r.n_undecided == 0 && r.smallest,
                  "seed %llu, %zu entries: a real execution's answers: %zu wrong, %zu impossible alone, %zu undecided (rerun: BANK_SEED=%llu)",
                  (unsigned long long)seed, w.n_customers, r.n_wrong, r.n_alone, r.n_undecided, (unsigned long long)seed);
        check_witness(&w, claims, &r, "a real execution of many entries");
        bank_consistency_result_free(&r);
        free_answers(&w, claims);
        bank_workload_free(&w);
    }
}
