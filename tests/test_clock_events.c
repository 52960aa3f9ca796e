/* bank run --project 2's clocked events (clock_events.c) from a hand-made run: every event's
 * clock, from the customers' stamps and the trace's applied propagations (each matched to the
 * write it follows, in a trace out of order and with records that are no events), and each
 * trace that cannot be placed as its one line. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "run/clock_events.h"

/* rule: L1, L2, L4 */

/* Branches 1, 2, 3; customer 10 at branch 1 deposits twice; customer 20 at branch 2 withdraws 30
 * (success), then 999 (fails: it does not propagate). */
static bank_event c10_events[] = {{1, BANK_OP_DEPOSIT, 50}, {2, BANK_OP_DEPOSIT, 5}};
static bank_event c20_events[] = {{3, BANK_OP_WITHDRAW, 30}, {4, BANK_OP_WITHDRAW, 999}};
static bank_branch branches[] = {{1, 400}, {2, 400}, {3, 400}};
static bank_customer customers[] = {{10, 0, 2, c10_events}, {20, 1, 2, c20_events}};
static const bank_workload w = {3, branches, 2, customers};

static bank_clock_stamp c10_stamps[] = {{1, 2}, {3, 6}};
static bank_clock_stamp c20_stamps[] = {{1, 3}, {2, 7}};
static bank_clock_stamp *const stamps[] = {c10_stamps, c20_stamps};

static bank_trace_entry applied(int64_t from, int64_t to, uint64_t sent, uint64_t clock)
{
    bank_trace_entry e = {.from_branch = 1, .from_id = from, .to_branch = to, .clock_sent = sent, .clock = clock};
    snprintf(e.reply, sizeof e.reply, "applied");
    return e;
}

static void answers(bank_outcome *o)
{
    cr_assert_eq(bank_outcome_init(o, &w), 0);
    o->results[0][0].success = o->results[0][1].success = o->results[1][0].success = 1;
    o->results[1][1].success = 0;
}

static int events(bank_trace_entry *entries, size_t n, bank_clock_log *log, char *err, size_t errlen)
{
    bank_outcome o;
    answers(&o);
    bank_trace t = {n, entries};
    int rc = bank_run_clock_events(&w, &o, stamps, &t, log, err, errlen);
    bank_outcome_free(&o);
    return rc;
}

/* The whole trace: each applied propagation placed after the write it follows. */
static bank_trace_entry whole[] = {
    {0}, /* replaced: a customer's request (not from a branch) */
    {0}, /* replaced: a duplicate (not applied) */
    {0}, /* replaced: a message without a clock */
    {0}, {0}, {0}, {0}, {0}, {0},
};

static void fill_whole(void)
{
    whole[0] = applied(2, 3, 5, 11);
    whole[0].from_branch = 0; /* a customer's */
    whole[1] = applied(1, 2, 3, 0);
    snprintf(whole[1].reply, sizeof whole[1].reply, "duplicate");
    whole[2] = applied(1, 3, 0, 0);
    whole[3] = applied(2, 3, 5, 11);
    whole[4] = applied(1, 2, 7, 9);
    whole[5] = applied(1, 3, 4, 6);
    whole[6] = applied(1, 2, 3, 5);
    whole[7] = applied(2, 1, 4, 8);
    whole[8] = applied(1, 3, 8, 10);
}

Test(clock_events, every_event_with_its_clock)
{
    fill_whole();
    bank_clock_log log;
    char err[256] = "";
    cr_assert_eq(events(whole, 9, &log, err, sizeof err), 0, "%s", err);
    const struct {
        bank_clock_kind kind;
        size_t entry, event;
        int64_t process, peer;
        uint64_t clock;
    } want[] = {
        {BANK_CLOCK_CUSTOMER_SENT, 0, 0, 10, 1, 1}, {BANK_CLOCK_CUSTOMER_RECV, 0, 0, 1, 10, 2},
        {BANK_CLOCK_BRANCH_SENT, 0, 0, 1, 2, 3},    {BANK_CLOCK_BRANCH_RECV, 0, 0, 2, 1, 5},
        {BANK_CLOCK_BRANCH_SENT, 0, 0, 1, 3, 4},    {BANK_CLOCK_BRANCH_RECV, 0, 0, 3, 1, 6},
        {BANK_CLOCK_CUSTOMER_SENT, 0, 1, 10, 1, 3}, {BANK_CLOCK_CUSTOMER_RECV, 0, 1, 1, 10, 6},
        {BANK_CLOCK_BRANCH_SENT, 0, 1, 1, 2, 7},    {BANK_CLOCK_BRANCH_RECV, 0, 1, 2, 1, 9},
        {BANK_CLOCK_BRANCH_SENT, 0, 1, 1, 3, 8},    {BANK_CLOCK_BRANCH_RECV, 0, 1, 3, 1, 10},
        {BANK_CLOCK_CUSTOMER_SENT, 1, 0, 20, 2, 1}, {BANK_CLOCK_CUSTOMER_RECV, 1, 0, 2, 20, 3},
        {BANK_CLOCK_BRANCH_SENT, 1, 0, 2, 1, 4},    {BANK_CLOCK_BRANCH_RECV, 1, 0, 1, 2, 8},
        {BANK_CLOCK_BRANCH_SENT, 1, 0, 2, 3, 5},    {BANK_CLOCK_BRANCH_RECV, 1, 0, 3, 2, 11},
        {BANK_CLOCK_CUSTOMER_SENT, 1, 1, 20, 2, 2}, {BANK_CLOCK_CUSTOMER_RECV, 1, 1, 2, 20, 7},
    };
    size_t n = sizeof want / sizeof want[0];
    cr_assert_eq(log.n, n);
    for (size_t i = 0; i < n; i++) {
        const bank_clock_event *e = &log.items[i];
        cr_expect(e->kind == want[i].kind && e->entry == want[i].entry && e->event == want[i].event &&
                      e->process == want[i].process && e->peer == want[i].peer && e->clock == want[i].clock,
                  "event %zu: kind %d entry %zu event %zu process %" PRId64 " peer %" PRId64 " clock %" PRIu64, i,
                  (int)e->kind, e->entry, e->event, e->process, e->peer, e->clock);
    }
    bank_clock_log_free(&log);
}

/* Each trace that cannot be placed: its line, and the log left empty. */
Test(clock_events, each_trace_that_cannot_be_placed)
{
    const struct {
        int slot;              /* the record of whole[] replaced (-1: one removed, the last) */
        bank_trace_entry with; /* by this */
        const char *err;
    } cases[] = {
        {7, applied(2, 1, 3, 8),
         "the trace holds a propagation branch 2 sent to branch 1 at clock 3, which follows no write it received"},
        {7, applied(2, 1, 6, 8),
         "the trace holds a propagation branch 2 sent to branch 1 at clock 6, which follows no write it received"},
        {7, applied(9, 1, 4, 8),
         "the trace holds a propagation branch 9 sent to branch 1 at clock 4, which follows no write it received"},
        {7, applied(1, 3, 4, 7), "the trace says branch 3 applied customer 10's request 1 twice"},
        {7, applied(1, 1, 3, 7), "the trace holds a propagation to branch 1 that no write sent"},
        {7, applied(2, 2, 4, 7), "the trace holds a propagation to branch 2 that no write sent"},
        {-1, {0}, "the trace has no record of branch 3 applying customer 10's request 2"},
        {3, applied(2, 1, 4, 8), "the trace says branch 1 applied customer 20's request 3 twice"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        fill_whole();
        size_t n = 9;
        if (cases[k].slot < 0) n--;
        else whole[cases[k].slot] = cases[k].with;
        bank_clock_log log = {7, 7, NULL};
        char err[256] = "";
        cr_expect_eq(events(whole, n, &log, err, sizeof err), -1, "case %zu", k);
        cr_expect_str_eq(err, cases[k].err, "case %zu", k);
        cr_expect(log.n == 0 && log.items == NULL, "case %zu: the log left with %zu events", k, log.n);
    }
}

/* No event at all: an empty log, no error. */
Test(clock_events, a_run_without_events)
{
    static bank_customer none[] = {{10, 0, 0, NULL}};
    const bank_workload empty = {1, branches, 1, none};
    bank_outcome o;
    cr_assert_eq(bank_outcome_init(&o, &empty), 0);
    bank_trace t = {0, NULL};
    bank_clock_log log = {5, 5, NULL};
    char err[64] = "";
    cr_expect_eq(bank_run_clock_events(&empty, &o, NULL, &t, &log, err, sizeof err), 0);
    cr_expect_eq(log.n, 0);
    cr_expect_str_eq(err, "");
    bank_clock_log_free(&log);
    bank_outcome_free(&o);
}
