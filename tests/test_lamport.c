/* Project 2's clock rules in the core: the ticks, the events an input requires, the model of a
 * plan's clocks with the spec's worked example (L7), the TA's run replayed through the ticks, and
 * the happens-before checks. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/lamport.h"
#include "core/lamport_model.h"
#include "core/schedule.h"

/* The TA's input: branches 1, 2, 3 at 400; customer k deposits 10 (request 2k-1), then
 * withdraws 10 (request 2k). */
static bank_workload ta_input(void)
{
    bank_workload w = {0};
    w.n_branches = 3;
    w.branches = calloc(3, sizeof *w.branches);
    w.n_customers = 3;
    w.customers = calloc(3, sizeof *w.customers);
    for (int k = 0; k < 3; k++) {
        w.branches[k] = (bank_branch){k + 1, 400};
        bank_customer *c = &w.customers[k];
        c->id = k + 1;
        c->branch_index = (size_t)k;
        c->n_events = 2;
        c->events = calloc(2, sizeof *c->events);
        c->events[0] = (bank_event){2 * k + 1, BANK_OP_DEPOSIT, 10};
        c->events[1] = (bank_event){2 * k + 2, BANK_OP_WITHDRAW, 10};
    }
    return w;
}

static void all_succeed(const bank_workload *w, bank_outcome *o)
{
    cr_assert_eq(bank_outcome_init(o, w), 0);
    for (size_t c = 0; c < w->n_customers; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++)
            o->results[c][e] = (bank_result){w->customers[c].events[e].op, 1, 0, 0};
}

/* The clocks of log in canonical order, for one branch: its events in clock order. */
static size_t clocks_at(const bank_clock_log *l, int64_t branch, uint64_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].kind != BANK_CLOCK_CUSTOMER_SENT && l->items[i].process == branch) out[n++] = l->items[i].clock;
    for (size_t i = 1; i < n; i++) /* insertion sort: a branch's clocks are distinct */
        for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
            uint64_t t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return n;
}

/* rule: L2 */
Test(lamport, ticks)
{
    bank_lamport c = {0, 2};
    cr_expect_eq(bank_lamport_send(&c), 1);
    cr_expect_eq(bank_lamport_receive(&c, 5), 6, "a receive is max(local, message) + 1");
    cr_expect_eq(bank_lamport_receive(&c, 2), 7, "an older message still ticks");
    cr_expect_eq(bank_lamport_receive(&c, 0), 0, "a message without a clock is no event");
    cr_expect_eq(c.now, 7);
    cr_expect_eq(bank_lamport_fan_out(&c), 8, "the first send of a fan-out");
    cr_expect_eq(c.now, 9, "one send per peer");
    bank_lamport alone = {3, 0};
    cr_expect_eq(bank_lamport_fan_out(&alone), 0, "no peer, no send");
    cr_expect_eq(alone.now, 3);
    bank_lamport top = {UINT64_MAX - 1, 5};
    cr_expect_eq(bank_lamport_send(&top), UINT64_MAX);
    cr_expect_eq(bank_lamport_send(&top), UINT64_MAX, "the clock never wraps");
    cr_expect_eq(bank_lamport_receive(&top, UINT64_MAX), UINT64_MAX);
    cr_expect_eq(bank_lamport_fan_out(&top), UINT64_MAX);
}

/* rule: L1, L9 */
Test(lamport, required_events)
{
    bank_workload w = ta_input();
    unsigned char propagates[6] = {1, 1, 1, 0, 1, 1}; /* request 4 a failed withdrawal */
    bank_clock_log l;
    cr_assert_eq(bank_clock_required(&w, propagates, &l), 0);
    cr_expect_eq(l.n, 5 * 6 + 2, "a write: its send, its receive, a send and a receive per peer");
    const bank_clock_event *r3 = &l.items[12]; /* customer 2's deposit */
    cr_expect(r3[0].kind == BANK_CLOCK_CUSTOMER_SENT && r3[0].process == 2 && r3[0].peer == 2);
    cr_expect(r3[1].kind == BANK_CLOCK_CUSTOMER_RECV && r3[1].process == 2 && r3[1].peer == 2);
    cr_expect(r3[2].kind == BANK_CLOCK_BRANCH_SENT && r3[2].process == 2 && r3[2].peer == 1,
              "the peers in ascending id");
    cr_expect(r3[3].kind == BANK_CLOCK_BRANCH_RECV && r3[3].process == 1 && r3[3].peer == 2);
    cr_expect(r3[4].kind == BANK_CLOCK_BRANCH_SENT && r3[4].peer == 3);
    cr_expect(r3[6].kind == BANK_CLOCK_CUSTOMER_SENT && r3[6].event == 1);
    cr_expect(r3[7].kind == BANK_CLOCK_CUSTOMER_RECV, "a failed withdrawal: no propagation");
    cr_expect(r3[8].kind == BANK_CLOCK_CUSTOMER_SENT && r3[8].entry == 2);
    bank_clock_log_free(&l);
    bank_workload_free(&w);
}

/* rule: L5, L7 */
Test(lamport, the_worked_example)
{
    bank_workload w = ta_input();
    bank_outcome o;
    all_succeed(&w, &o);
    static const uint64_t want[3][10] = {{2, 3, 4, 5, 6, 7, 10, 13, 17, 20},
                                         {4, 7, 8, 9, 10, 11, 12, 13, 18, 21},
                                         {5, 8, 11, 14, 15, 16, 17, 18, 19, 20}};
    for (int s = 0; s < 2; s++) { /* no query: rounds' window 0 is the sequential plan */
        bank_plan plan;
        bank_clock_log l;
        int determined = 0;
        cr_assert_eq(bank_plan_build(&w, s ? BANK_SCHEDULE_ROUNDS : BANK_SCHEDULE_SEQUENTIAL, &plan), 0);
        cr_assert_eq(bank_clock_model(&w, &plan, &o, &l, &determined), 0);
        cr_expect(determined);
        for (size_t i = 0; i < l.n; i++)
            if (l.items[i].kind == BANK_CLOCK_CUSTOMER_SENT)
                cr_expect_eq(l.items[i].clock, l.items[i].event + 1, "a customer's k-th send is at k");
        for (int b = 0; b < 3; b++) {
            uint64_t got[16];
            cr_assert_eq(clocks_at(&l, b + 1, got), 10);
            for (int k = 0; k < 10; k++)
                cr_expect_eq(got[k], want[b][k], "branch %d, event %d: %llu, L7 says %llu", b + 1, k,
                             (unsigned long long)got[k], (unsigned long long)want[b][k]);
        }
        bank_clock_log_free(&l);
        bank_plan_free(&plan);
    }
    bank_outcome_free(&o);
    bank_workload_free(&w);
}

/* The TA's run, each branch's events in the order its expected files list them: received from
 * a customer (peer 0) or a branch, or sent to a branch. */
typedef struct {
    int send;
    int request;
    int peer; /* 0: the branch's customer */
} ta_step;

static const ta_step ta_order[3][10] = {
    {{0, 1, 0}, {1, 1, 2}, {1, 1, 3}, {0, 3, 2}, {0, 5, 3}, {0, 2, 0}, {1, 2, 2}, {1, 2, 3}, {0, 4, 2}, {0, 6, 3}},
    {{0, 1, 1}, {0, 3, 0}, {1, 3, 1}, {1, 3, 3}, {0, 2, 1}, {0, 4, 0}, {1, 4, 1}, {0, 5, 3}, {1, 4, 3}, {0, 6, 3}},
    {{0, 5, 0}, {1, 5, 1}, {0, 1, 1}, {1, 5, 2}, {0, 3, 2}, {0, 2, 1}, {0, 6, 0}, {1, 6, 1}, {0, 4, 2}, {1, 6, 2}},
};
/* What customer_events.json, branch_events.json and all_events.json say, where they agree, and
 * what the rules follow where they do not (L7). */
static const uint64_t ta_clocks[3][10] = {{2, 3, 4, 7, 8, 9, 10, 11, 14, 15},
                                          {4, 5, 6, 7, 11, 12, 13, 14, 15, 18},
                                          {2, 3, 5, 6, 8, 12, 13, 14, 16, 17}};

/* rule: L2, L7 */
Test(lamport, the_ta_run_replayed)
{
    bank_lamport branch[3] = {{0, 2}, {0, 2}, {0, 2}};
    uint64_t sent[7][4] = {{0}}; /* [request][to branch] */
    uint64_t got[3][10];
    size_t next[3] = {0, 0, 0};
    /* Each branch takes its next event once the message it receives has been sent. */
    for (int progress = 1; progress;) {
        progress = 0;
        for (int b = 0; b < 3; b++) {
            if (next[b] == 10) continue;
            const ta_step *s = &ta_order[b][next[b]];
            uint64_t m = s->peer == 0 ? (uint64_t)((s->request + 1) % 2 + 1) /* k-th send at k */
                                      : sent[s->request][b + 1];
            if (s->send) m = 0;
            else if (m == 0) continue; /* not sent yet */
            uint64_t c = s->send ? bank_lamport_send(&branch[b]) : bank_lamport_receive(&branch[b], m);
            if (s->send) sent[s->request][s->peer] = c;
            got[b][next[b]++] = c;
            progress = 1;
        }
    }
    for (int b = 0; b < 3; b++) {
        cr_assert_eq(next[b], 10, "branch %d's order never got stuck", b + 1);
        for (int k = 0; k < 10; k++)
            cr_expect_eq(got[b][k], ta_clocks[b][k], "branch %d, event %d: %llu, the TA's file %llu", b + 1,
                         k + 1, (unsigned long long)got[b][k], (unsigned long long)ta_clocks[b][k]);
    }
    cr_expect_eq(sent[3][3], 7, "branch 2 sends request 3 to branch 3 at 7, not branch_events.json's 10");
}

/* The TA's run as clocked events in canonical order, with (request, branch) -> clock overrides. */
static void ta_events(const bank_workload *w, bank_clock_log *l)
{
    unsigned char all[6] = {1, 1, 1, 1, 1, 1};
    cr_assert_eq(bank_clock_required(w, all, l), 0);
    for (size_t i = 0; i < l->n; i++) {
        bank_clock_event *e = &l->items[i];
        int request = (int)w->customers[e->entry].events[e->event].id;
        if (e->kind == BANK_CLOCK_CUSTOMER_SENT) {
            e->clock = e->event + 1;
            continue;
        }
        int b = (int)e->process - 1;
        for (int k = 0; k < 10; k++) {
            const ta_step *s = &ta_order[b][k];
            int is_send = e->kind == BANK_CLOCK_BRANCH_SENT;
            int peer = e->kind == BANK_CLOCK_CUSTOMER_RECV ? 0 : (int)e->peer;
            if (s->request == request && s->send == is_send && s->peer == peer) e->clock = ta_clocks[b][k];
        }
    }
}

static size_t problems_of(const bank_workload *w, const bank_clock_log *l, int strict, bank_clock_problem **p)
{
    bank_clock_point *pts = calloc(l->n, sizeof *pts);
    bank_clock_edge *edges;
    size_t n_edges, n;
    cr_assert_eq(bank_clock_edges(w, l->items, l->n, pts, &edges, &n_edges), 0);
    cr_assert_eq(bank_clock_check(pts, l->n, edges, n_edges, strict, p, &n), 0);
    free(pts);
    free(edges);
    return n;
}

static size_t find(const bank_clock_log *l, bank_clock_kind kind, int64_t process, int64_t peer, int request)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].kind == kind && l->items[i].process == process && l->items[i].peer == peer &&
            (int)l->items[i].entry * 2 + (int)l->items[i].event + 1 == request)
            return i;
    cr_assert_fail("no such event");
    return 0;
}

/* rule: L7, L11, L12 */
Test(lamport, the_ta_files_disagreements)
{
    bank_workload w = ta_input();
    bank_clock_log l;
    bank_clock_problem *p;
    ta_events(&w, &l);
    cr_expect_eq(problems_of(&w, &l, 1, &p), 0, "the TA's run, as the rules follow it, passes --strict");
    free(p);

    /* branch_events.json: branch 2 sends request 3 to branch 3 at 10 */
    size_t send = find(&l, BANK_CLOCK_BRANCH_SENT, 2, 3, 3), recv = find(&l, BANK_CLOCK_BRANCH_RECV, 3, 2, 3);
    l.items[send].clock = 10;
    cr_assert_eq(problems_of(&w, &l, 0, &p), 1);
    cr_expect(p[0].event == recv && p[0].other == send && p[0].fault == BANK_CLOCK_NOT_AFTER_SEND,
              "branch 3 receives it at 8, before it was sent");
    free(p);
    cr_assert_eq(problems_of(&w, &l, 1, &p), 3);
    cr_expect(p[0].event == send && p[0].fault == BANK_CLOCK_NOT_TICK && p[0].expected == 7,
              "--strict: L2 gives the send 7");
    cr_expect(p[1].event == recv && p[1].fault == BANK_CLOCK_NOT_AFTER_SEND);
    cr_expect(p[2].event == recv && p[2].fault == BANK_CLOCK_NOT_TICK && p[2].expected == 11);
    free(p);
    l.items[send].clock = 7;

    /* all_events.json: customer 1 sends request 1 at 2 */
    size_t c1 = find(&l, BANK_CLOCK_CUSTOMER_SENT, 1, 1, 1), c2 = find(&l, BANK_CLOCK_CUSTOMER_SENT, 1, 1, 2);
    size_t b1 = find(&l, BANK_CLOCK_CUSTOMER_RECV, 1, 1, 1);
    l.items[c1].clock = 2;
    cr_assert_eq(problems_of(&w, &l, 0, &p), 3);
    cr_expect(p[0].event == b1 && p[0].other == c1 && p[0].fault == BANK_CLOCK_NOT_AFTER_SEND);
    cr_expect(p[1].event == c2 && p[1].other == c1 && p[1].fault == BANK_CLOCK_NOT_AFTER_PREVIOUS,
              "customer 1's clocks do not increase");
    cr_expect(p[2].event == c2 && p[2].fault == BANK_CLOCK_SAME_AS_OTHER);
    free(p);
    bank_clock_log_free(&l);
    bank_workload_free(&w);
}

/* rule: L11, L12 */
Test(lamport, any_receive_tick_passes_by_default_not_strictly)
{
    bank_workload w = ta_input();
    bank_clock_log l;
    bank_clock_problem *p;
    ta_events(&w, &l);
    for (size_t i = 0; i < l.n; i++) l.items[i].clock *= 3; /* every gap wider: still in order */
    cr_expect_eq(problems_of(&w, &l, 0, &p), 0);
    free(p);
    cr_expect_gt(problems_of(&w, &l, 1, &p), 0);
    free(p);
    /* two events of branch 1 at one clock */
    size_t a = find(&l, BANK_CLOCK_BRANCH_RECV, 1, 2, 3), b = find(&l, BANK_CLOCK_BRANCH_RECV, 1, 3, 5);
    l.items[b].clock = l.items[a].clock;
    cr_assert_eq(problems_of(&w, &l, 0, &p), 1);
    cr_expect(p[0].fault == BANK_CLOCK_SAME_AS_OTHER && (p[0].event == a || p[0].event == b));
    free(p);
    bank_clock_log_free(&l);
    bank_workload_free(&w);
}

/* rule: L5 */
Test(lamport, two_queries_at_one_branch_in_one_round_are_not_determined)
{
    bank_workload w = {0};
    w.n_branches = 1;
    w.branches = calloc(1, sizeof *w.branches);
    w.branches[0] = (bank_branch){1, 100};
    w.n_customers = 2;
    w.customers = calloc(2, sizeof *w.customers);
    for (int k = 0; k < 2; k++) {
        w.customers[k] = (bank_customer){1, 0, 1, calloc(1, sizeof(bank_event))};
        w.customers[k].events[0] = (bank_event){k + 1, BANK_OP_QUERY, 0};
    }
    bank_outcome o;
    all_succeed(&w, &o);
    for (int s = 0; s < 2; s++) {
        bank_plan plan;
        bank_clock_log l;
        int determined = -1;
        cr_assert_eq(bank_plan_build(&w, s ? BANK_SCHEDULE_ROUNDS : BANK_SCHEDULE_SEQUENTIAL, &plan), 0);
        cr_assert_eq(bank_clock_model(&w, &plan, &o, &l, &determined), 0);
        cr_expect_eq(determined, !s, "sequential decides the order, a round does not");
        cr_expect_eq(l.n, 4);
        bank_clock_log_free(&l);
        bank_plan_free(&plan);
    }
    bank_outcome_free(&o);
    bank_workload_free(&w);
}

/* rule: L11; a request's sends at its branch come before that branch receives the entry's next
 * request (the branch's own order), as edges of the check */
Test(lamport, the_next_request_follows_the_sends_of_the_one_before)
{
    bank_workload w = ta_input();
    bank_clock_log l;
    ta_events(&w, &l);
    size_t to2 = find(&l, BANK_CLOCK_BRANCH_SENT, 1, 2, 1), to3 = find(&l, BANK_CLOCK_BRANCH_SENT, 1, 3, 1);
    size_t next = find(&l, BANK_CLOCK_CUSTOMER_RECV, 1, 1, 2);
    bank_clock_point *pts = calloc(l.n, sizeof *pts);
    bank_clock_edge *edges;
    size_t n_edges;
    cr_assert_eq(bank_clock_edges(&w, l.items, l.n, pts, &edges, &n_edges), 0);
    int from2 = 0, from3 = 0;
    for (size_t i = 0; i < n_edges; i++)
        if (edges[i].to == next && !edges[i].message) {
            from2 |= edges[i].from == to2;
            from3 |= edges[i].from == to3;
        }
    cr_expect(from2 && from3, "branch 1 receives request 2 after its sends of request 1 to branch 2 (%d) and 3 (%d)",
              from2, from3);
    free(pts);
    free(edges);
    bank_clock_log_free(&l);
    bank_workload_free(&w);
}

/* rule: L4, L11; every event an input requires and every happens-before edge between them, pinned
 * whole on an input with a query before a write (the query leaves no send at its branch, yet the
 * branch receives the next request after it), a write that does not propagate, and branch ids
 * out of order (a branch's process number is its rank among the ids); then on a subset of them. */
Test(lamport, every_required_event_and_every_edge_of_a_small_input)
{
    bank_workload w = {0};
    w.n_branches = 2;
    w.branches = calloc(2, sizeof *w.branches);
    w.branches[0] = (bank_branch){7, 100};
    w.branches[1] = (bank_branch){3, 100};
    w.n_customers = 2;
    w.customers = calloc(2, sizeof *w.customers);
    w.customers[0] = (bank_customer){7, 0, 3, calloc(3, sizeof(bank_event))};
    w.customers[0].events[0] = (bank_event){1, BANK_OP_QUERY, 0};
    w.customers[0].events[1] = (bank_event){2, BANK_OP_DEPOSIT, 5};
    w.customers[0].events[2] = (bank_event){3, BANK_OP_WITHDRAW, 300};
    w.customers[1] = (bank_customer){3, 1, 1, calloc(1, sizeof(bank_event))};
    w.customers[1].events[0] = (bank_event){4, BANK_OP_DEPOSIT, 1};
    unsigned char propagates[4] = {0, 1, 0, 1};
    bank_clock_log l;
    cr_assert_eq(bank_clock_required(&w, propagates, &l), 0);
    enum { CS = BANK_CLOCK_CUSTOMER_SENT, CR = BANK_CLOCK_CUSTOMER_RECV, BS = BANK_CLOCK_BRANCH_SENT,
           BR = BANK_CLOCK_BRANCH_RECV };
    const struct {
        int kind;
        size_t entry, event;
        int64_t process, peer;
        size_t at;  /* its point's process: the entry, or 2 + the branch's rank by id */
        int receive;
    } want[] = {
        {CS, 0, 0, 7, 7, 0, 0}, {CR, 0, 0, 7, 7, 3, 1},
        {CS, 0, 1, 7, 7, 0, 0}, {CR, 0, 1, 7, 7, 3, 1}, {BS, 0, 1, 7, 3, 3, 0}, {BR, 0, 1, 3, 7, 2, 1},
        {CS, 0, 2, 7, 7, 0, 0}, {CR, 0, 2, 7, 7, 3, 1},
        {CS, 1, 0, 3, 3, 1, 0}, {CR, 1, 0, 3, 3, 2, 1}, {BS, 1, 0, 3, 7, 2, 0}, {BR, 1, 0, 7, 3, 3, 1},
    };
    size_t n = sizeof want / sizeof *want;
    cr_assert_eq(l.n, n);
    for (size_t i = 0; i < n; i++) {
        const bank_clock_event *e = &l.items[i];
        cr_expect(e->kind == (bank_clock_kind)want[i].kind && e->entry == want[i].entry &&
                      e->event == want[i].event && e->process == want[i].process && e->peer == want[i].peer &&
                      e->clock == 0,
                  "event %zu: kind %d, request (%zu, %zu), process %lld, peer %lld, clock %llu", i, (int)e->kind,
                  e->entry, e->event, (long long)e->process, (long long)e->peer, (unsigned long long)e->clock);
        l.items[i].clock = 10 * i + 1;
    }
    bank_clock_point pts[12];
    bank_clock_edge *edges;
    size_t n_edges;
    cr_assert_eq(bank_clock_edges(&w, l.items, l.n, pts, &edges, &n_edges), 0);
    for (size_t i = 0; i < n; i++)
        cr_expect(pts[i].clock == 10 * i + 1 && pts[i].process == want[i].at && pts[i].receive == want[i].receive,
                  "point %zu: clock %llu, process %zu, receive %d", i, (unsigned long long)pts[i].clock,
                  pts[i].process, pts[i].receive);
    /* from, to, message: in the order of their `to`, each one's message first */
    const bank_clock_edge edge[] = {
        {0, 1, 1},                       /* the query received */
        {0, 2, 0},                       /* the customer's next request */
        {2, 3, 1}, {1, 3, 0},            /* the deposit received, after the query at its branch */
        {3, 4, 0}, {4, 5, 1},            /* sent on after its receive; received by branch 3 */
        {2, 6, 0}, {6, 7, 1}, {3, 7, 0}, /* the withdrawal, after the deposit's receive */
        {4, 7, 0},                       /* and after its send */
        {8, 9, 1}, {9, 10, 0}, {10, 11, 1},
    };
    size_t n_edge = sizeof edge / sizeof *edge;
    cr_expect_eq(n_edges, n_edge);
    for (size_t i = 0; i < n_edge && i < n_edges; i++)
        cr_expect(edges[i].from == edge[i].from && edges[i].to == edge[i].to && edges[i].message == edge[i].message,
                  "edge %zu: %zu -> %zu (message %d), not %zu -> %zu (message %d)", i, edges[i].from, edges[i].to,
                  edges[i].message, edge[i].from, edge[i].to, edge[i].message);
    free(edges);
    /* A student's log may lack events: without the query's receive, the deposit's send to branch
     * 3 and entry 2's send, no edge leads from or to what is missing (nor to a neighbour of it). */
    bank_clock_event some[9];
    const size_t kept[9] = {0, 2, 3, 5, 6, 7, 9, 10, 11};
    for (size_t i = 0; i < 9; i++) some[i] = l.items[kept[i]];
    cr_assert_eq(bank_clock_edges(&w, some, 9, pts, &edges, &n_edges), 0);
    for (size_t i = 0; i < 9; i++)
        cr_expect(pts[i].clock == some[i].clock && pts[i].process == want[kept[i]].at &&
                      pts[i].receive == want[kept[i]].receive,
                  "of some, point %zu: clock %llu, process %zu, receive %d", i, (unsigned long long)pts[i].clock,
                  pts[i].process, pts[i].receive);
    const bank_clock_edge some_edge[] = {
        {0, 1, 0}, {1, 2, 1}, {1, 4, 0}, {4, 5, 1}, {2, 5, 0}, /* the deposit's receive before the withdrawal's */
        {6, 7, 0}, {7, 8, 1},                                  /* entry 2's write received, sent on, received */
    };
    size_t n_some = sizeof some_edge / sizeof *some_edge;
    cr_expect_eq(n_edges, n_some);
    for (size_t i = 0; i < n_some && i < n_edges; i++)
        cr_expect(edges[i].from == some_edge[i].from && edges[i].to == some_edge[i].to &&
                      edges[i].message == some_edge[i].message,
                  "of some, edge %zu: %zu -> %zu (message %d), not %zu -> %zu (message %d)", i, edges[i].from,
                  edges[i].to, edges[i].message, some_edge[i].from, some_edge[i].to, some_edge[i].message);
    free(edges);
    bank_clock_log_free(&l);
    bank_workload_free(&w);
}
