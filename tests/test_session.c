/* Project 3 without the network: the write-set rule on a replica, the input's branches, what a
 * branch decides for a session's request and a propagation that must wait, the answers one
 * customer's guarantees fix, bank run --project 3's check of its answers, the session search against
 * brute force, and the grader's verdicts. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bank.pb-c.h"
#include "core/session.h"
#include "core/session_check.h"
#include "grade/grade_p3.h"
#include "io/input.h"
#include "io/session_student.h"
#include "rpc/branch_logic.h"
#include "run/session_verify.h"

/* ---- the write-set rule ---- */

/* rule: C2, C4 */
Test(write_set, a_replica_holds_its_own_writes_and_those_it_applied)
{
    bank_replica r;
    bank_replica_init(&r, 2, 0);
    bank_write w;
    cr_assert_eq(bank_replica_deposit(&r, 10, &w), BANK_OK);
    bank_write far = {BANK_WRITE_DEPOSIT, 1, 3, 5};
    cr_assert_eq(bank_replica_apply(&r, &far), BANK_OK);
    bank_write_set s = {0, 0, NULL};
    cr_assert_eq(bank_write_set_last(&s).sequence, 0);
    bank_write_id ids[] = {{2, 1}, {1, 3}, {1, 1}, {2, 2}};
    for (size_t i = 0; i < 4; i++) cr_assert_eq(bank_write_set_add(&s, ids[i]), 0);
    cr_assert(bank_replica_holds(&r, ids[0]) && bank_replica_holds(&r, ids[1]));
    cr_assert(!bank_replica_holds(&r, ids[2]) && !bank_replica_holds(&r, ids[3]));
    cr_assert(bank_replica_holds(&r, (bank_write_id){7, 0}), "sequence 0 names no write");
    cr_assert_eq(bank_write_set_first_missing(&r, s.ids, s.n), 2);
    cr_assert_eq(bank_write_set_first_missing(&r, s.ids, 2), 2, "all of the first two are held");
    cr_assert_eq(bank_write_set_last(&s).origin, 2);
    cr_assert_eq(bank_write_set_last(&s).sequence, 2);
    bank_write_set_free(&s);
    bank_replica_free(&r);
}

/* rule: C7; routes before any "branch" or "dest" is read: every event at its customer's own branch */
Test(write_set, routes_start_at_each_customers_own_branch)
{
    bank_branch branches[3] = {{1, 0}, {2, 0}, {3, 0}};
    bank_event ev[3] = {{1, BANK_OP_DEPOSIT, 5}, {2, BANK_OP_QUERY, 0}, {3, BANK_OP_WITHDRAW, 1}};
    bank_customer cust[3] = {{1, 2, 3, ev}, {2, 1, 0, NULL}, {3, 0, 1, ev}};
    bank_workload w = {3, branches, 3, cust};
    bank_routes r;
    memset(&r, 0xff, sizeof r);
    cr_assert_eq(bank_routes_init(&r, &w), 0);
    cr_assert_eq(r.n_customers, 3);
    for (size_t e = 0; e < 3; e++) cr_expect_eq(r.branch[0][e], 2, "event %zu of the first entry", e);
    cr_expect_not_null(r.branch[1], "an entry with no events still has its row");
    cr_expect_eq(r.branch[2][0], 0);
    bank_routes_free(&r);
    cr_expect_eq(r.n_customers, 0);
    cr_expect_null(r.branch);

    bank_workload none = {3, branches, 0, NULL};
    cr_assert_eq(bank_routes_init(&r, &none), 0);
    cr_expect_eq(r.n_customers, 0);
    cr_expect_not_null(r.branch);
    bank_routes_free(&r);
}

static void load(const char *path, bank_workload *w, bank_routes *rt)
{
    char err[300];
    cr_assert_eq(bank_input_load_routed(path, w, rt, err, sizeof err), 0, "%s", err);
}

/* rule: C9, C10 */
Test(write_set, the_course_input_answers_as_the_spec_works_it_through)
{
    bank_workload w;
    bank_routes rt;
    load(PROJECT_DIR "/golden/p3/course-new/input.json", &w, &rt);
    bank_outcome o;
    int64_t finals[10];
    cr_assert_eq(bank_outcome_init(&o, &w), 0);
    cr_assert_eq(bank_session_expected(&w, &rt, &o, finals), 0);
    cr_assert_eq(w.n_customers, 1);
    for (size_t e = 0; e < 60; e++) {
        int64_t k = (int64_t)(e % 30) / 3 + 1, phase = (int64_t)(e % 3);
        int64_t want = e < 30 ? 10 * (k - 1) + (phase == 2 ? 10 : 0) : 100 - 10 * (k - 1) - (phase == 2 ? 10 : 0);
        cr_assert_eq(rt.branch[0][e], (size_t)(k - 1));
        cr_assert(o.results[0][e].success);
        if (phase != 1) cr_assert_eq(o.results[0][e].balance, want, "event %zu", e + 1);
    }
    for (size_t b = 0; b < 10; b++) cr_assert_eq(finals[b], 0);
    bank_outcome_free(&o);
    bank_routes_free(&rt);
    bank_workload_free(&w);
}

/* rule: C10; a balance past int64, after an event or only at the end at a branch no event
 * used, is refused */
Test(write_set, a_balance_past_int64_is_refused)
{
    bank_branch branches[2] = {{1, 0}, {2, 10}};
    bank_event ev[1] = {{1, BANK_OP_DEPOSIT, INT64_MAX}};
    bank_customer cust[1] = {{1, 0, 1, ev}};
    bank_workload w = {2, branches, 1, cust};
    bank_routes rt;
    cr_assert_eq(bank_routes_init(&rt, &w), 0);
    bank_outcome o;
    cr_assert_eq(bank_outcome_init(&o, &w), 0);
    int64_t finals[2];
    cr_expect_eq(bank_session_expected(&w, &rt, &o, NULL), 0, "the answers alone fit");
    cr_expect_eq(o.results[0][0].balance, INT64_MAX);
    cr_expect_eq(bank_session_expected(&w, &rt, &o, finals), -1, "branch 2 would end at 10 + INT64_MAX");
    branches[1].balance = 0;
    cr_expect_eq(bank_session_expected(&w, &rt, &o, finals), 0);
    cr_expect(finals[0] == INT64_MAX && finals[1] == INT64_MAX);
    branches[0].balance = 1;
    cr_expect_eq(bank_session_expected(&w, &rt, &o, NULL), -1, "the deposit would leave 1 + INT64_MAX");
    bank_outcome_free(&o);
    bank_routes_free(&rt);
}

/* rule: C9, C11; bank run --project 3's own check of its answers: every answer exactly as the
 * rules fix it when entries ran one after another (a query by its balance, a write by its
 * success alone) or one customer ran alone, else some execution keeping the guarantees */
Test(write_set, a_runs_answers_are_judged_exactly_or_by_some_execution, .init = cr_redirect_stderr)
{
    bank_workload w;
    bank_routes rt;
    load(PROJECT_DIR "/golden/p3/two-customers/input.json", &w, &rt);
    bank_outcome want, got;
    cr_assert_eq(bank_outcome_init(&want, &w), 0);
    cr_assert_eq(bank_outcome_init(&got, &w), 0);
    cr_assert_eq(bank_session_expected(&w, &rt, &want, NULL), 0);
    for (size_t c = 0; c < w.n_customers; c++)
        for (size_t e = 0; e < w.customers[c].n_events; e++) got.results[c][e] = want.results[c][e];
    char err[400] = "";
    cr_expect_eq(bank_session_verify(&w, &rt, BANK_SCHEDULE_SEQUENTIAL, &got, err, sizeof err), 0, "%s", err);
    cr_expect_eq(bank_session_verify(&w, &rt, BANK_SCHEDULE_LIVE, &got, err, sizeof err), 0, "%s", err);
    got.results[0][0].balance += 7; /* a write's balance is not its answer */
    cr_expect_eq(bank_session_verify(&w, &rt, BANK_SCHEDULE_SEQUENTIAL, &got, err, sizeof err), 0, "%s", err);
    got.results[0][2].balance += 1000; /* customer 1's query at branch 1 */
    char line[400];
    snprintf(line, sizeof line, "customer 1, event 3 (query at branch 1): the branches answered success %" PRId64
             ", the session rules fix success %" PRId64, want.results[0][2].balance + 1000, want.results[0][2].balance);
    cr_expect_eq(bank_session_verify(&w, &rt, BANK_SCHEDULE_SEQUENTIAL, &got, err, sizeof err), -1);
    cr_expect_str_eq(err, line);
    cr_expect_eq(bank_session_verify(&w, &rt, BANK_SCHEDULE_LIVE, &got, err, sizeof err), -1);
    cr_expect_str_eq(err, "customer 1, event 3 (query): no execution that keeps the session guarantees gives "
                          "what the branches answered");
    bank_workload one = w;
    one.n_customers = 1; /* customer 1 alone: exactly as the rules fix it, live or not */
    cr_expect_eq(bank_session_verify(&one, &rt, BANK_SCHEDULE_LIVE, &got, err, sizeof err), -1);
    cr_expect_str_eq(err, line);
    got.results[0][2].balance -= 1000;
    got.results[0][1].success = !got.results[0][1].success;
    cr_expect_eq(bank_session_verify(&w, &rt, BANK_SCHEDULE_SEQUENTIAL, &got, err, sizeof err), -1);
    snprintf(line, sizeof line, "customer 1, event 2 (withdraw at branch 2): the branches answered %s %" PRId64
             ", the session rules fix %s %" PRId64, got.results[0][1].success ? "success" : "fail",
             got.results[0][1].balance, want.results[0][1].success ? "success" : "fail", want.results[0][1].balance);
    cr_expect_str_eq(err, line);
    fflush(stderr);
    cr_expect_stderr_eq_str("", "a decided check says nothing on standard error");
    bank_outcome_free(&got);
    bank_outcome_free(&want);
    bank_routes_free(&rt);
    bank_workload_free(&w);
}

/* ---- the input ---- */

static int parse(const char *text, bank_workload *w, bank_routes *rt, char *err, size_t n)
{
    return bank_input_parse_routed(text, strlen(text), "in", w, rt, err, n);
}

/* rule: C1 */
Test(input, events_name_their_branch_with_branch_or_dest)
{
    bank_workload w;
    bank_routes rt;
    char err[300];
    cr_assert_eq(parse("[{\"id\": 5, \"type\": \"client\", \"events\": [{\"interface\": \"query\", \"branch\": 2},"
                       " {\"interface\": \"deposit\", \"money\": 1, \"dest\": 1}]},"
                       " {\"id\": 1, \"type\": \"bank\", \"balance\": 3}, {\"id\": 2, \"type\": \"branch\", \"balance\": 4}]",
                       &w, &rt, err, sizeof err), 0, "%s", err);
    cr_assert_eq(rt.branch[0][0], 1);
    cr_assert_eq(rt.branch[0][1], 0);
    cr_assert_eq(w.customers[0].events[1].id, 2, "numbered by position");
    cr_expect_eq(w.customers[0].branch_index, 1, "no branch 5: customer 5's own is its first event's, branch 2");
    bank_routes_free(&rt);
    bank_workload_free(&w);
    cr_assert_eq(parse("[{\"id\": 2, \"type\": \"customer\", \"events\": [{\"interface\": \"query\"}]},"
                       " {\"id\": 1, \"type\": \"branch\", \"balance\": 3}, {\"id\": 2, \"type\": \"branch\", \"balance\": 4}]",
                       &w, &rt, err, sizeof err), 0, "%s", err);
    cr_assert_eq(rt.branch[0][0], 1, "no branch named: its customer's own");
    cr_expect_eq(w.customers[0].branch_index, 1, "customer 2's own branch is branch 2");
    bank_routes_free(&rt);
    bank_workload_free(&w);
    static const struct { const char *text, *want; } bad[] = {
        {"[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"interface\": \"query\", \"branch\": 1, \"dest\": 1}]},"
         " {\"id\": 1, \"type\": \"bank\", \"balance\": 0}]",
         "in:1:87: customer 1 (process 1), event 1: both \"branch\" and \"dest\""},
        {"[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"interface\": \"query\", \"branch\": 9}]},"
         " {\"id\": 1, \"type\": \"bank\", \"balance\": 0}]",
         "in:1:76: customer 1, event 1: there is no branch 9"},
        {"[{\"id\": 3, \"type\": \"customer\", \"events\": [{\"interface\": \"query\", \"branch\": 1}, {\"interface\": \"query\"}]},"
         " {\"id\": 1, \"type\": \"bank\", \"balance\": 0}]",
         "in:1:80: customer 3, event 2: names no branch"},
        {"[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"interface\": \"query\", \"dest\": -1}]}]",
         "in:1:74: customer 1 (process 1), event 1: dest must be a non-negative integer"},
        {"[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"interface\": \"query\", \"dest\": 1},\n ]}]",
         "in:1:76: not valid JSON: a comma before ']' (JSON allows no trailing comma; remove it)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_neq(parse(bad[i].text, &w, &rt, err, sizeof err), 0);
        cr_assert(strncmp(err, bad[i].want, strlen(bad[i].want)) == 0, "got \"%s\", want \"%s\"", err, bad[i].want);
        cr_assert_null(rt.branch, "nothing left behind");
        cr_assert_eq(w.n_customers, 0);
    }
}

/* ---- what a branch decides ---- */

static size_t pack_request(uint8_t *buf, int session, const bank_write_id *ids, size_t n, int64_t money)
{
    Bank__WriteId ws[8], *ptrs[8];
    for (size_t i = 0; i < n; i++) {
        bank__write_id__init(&ws[i]);
        ws[i].origin_branch = ids[i].origin;
        ws[i].sequence = ids[i].sequence;
        ptrs[i] = &ws[i];
    }
    Bank__CustomerRequest req = BANK__CUSTOMER_REQUEST__INIT;
    req.customer_id = 1;
    req.money = money;
    req.session = session;
    req.n_write_set = n;
    req.write_set = ptrs;
    return bank__customer_request__pack(&req, buf);
}

static size_t pack_batch(uint8_t *buf, const bank_write_id *writes, const bank_write_id *after, size_t n)
{
    Bank__PropagateRequest reqs[4], *ptrs[4];
    Bank__WriteId afters[4];
    for (size_t i = 0; i < n; i++) {
        bank__propagate_request__init(&reqs[i]);
        reqs[i].origin_branch = writes[i].origin;
        reqs[i].sequence = writes[i].sequence;
        reqs[i].money = 10;
        if (after[i].sequence) {
            bank__write_id__init(&afters[i]);
            afters[i].origin_branch = after[i].origin;
            afters[i].sequence = after[i].sequence;
            reqs[i].after = &afters[i];
        }
        ptrs[i] = &reqs[i];
    }
    Bank__PropagateBatch b = BANK__PROPAGATE_BATCH__INIT;
    b.n_writes = n;
    b.writes = ptrs;
    return bank__propagate_batch__pack(&b, buf);
}

/* rule: C4 */
Test(logic, a_sessions_request_is_held_until_its_branch_has_the_customers_writes)
{
    bank_replica r;
    bank_replica_init(&r, 2, 0);
    uint8_t buf[256];
    bank_write_id set[] = {{1, 1}, {1, 2}};
    size_t len = pack_request(buf, 1, set, 2, 0);
    bank_answer a;
    bank_branch_decide(&r, 1, BANK_SENDER_UNAUTHENTICATED, BANK_REQ_QUERY, buf, len, &a);
    cr_assert_eq(a.kind, BANK_ANSWER_HOLD);
    cr_assert_eq(a.missing.origin, 1);
    cr_assert_eq(a.missing.sequence, 1);
    bank_write w1 = {BANK_WRITE_DEPOSIT, 1, 1, 10};
    cr_assert_eq(bank_replica_apply(&r, &w1), BANK_OK);
    bank_branch_decide(&r, 1, BANK_SENDER_UNAUTHENTICATED, BANK_REQ_WITHDRAW, buf, pack_request(buf, 1, set, 2, 5), &a);
    cr_assert_eq(a.kind, BANK_ANSWER_HOLD, "a write waits as a query does");
    cr_assert_eq(a.missing.sequence, 2);
    cr_assert_eq(r.balance, 10, "nothing was done");
    bank_write w2 = {BANK_WRITE_DEPOSIT, 1, 2, 10};
    cr_assert_eq(bank_replica_apply(&r, &w2), BANK_OK);
    bank_branch_decide(&r, 1, BANK_SENDER_UNAUTHENTICATED, BANK_REQ_QUERY, buf, pack_request(buf, 1, set, 2, 0), &a);
    cr_assert_eq(a.kind, BANK_ANSWER_CUSTOMER);
    cr_assert_eq(a.balance, 20);
    bank_branch_decide(&r, 1, BANK_SENDER_UNAUTHENTICATED, BANK_REQ_QUERY, buf, pack_request(buf, 0, set, 2, 0), &a);
    cr_assert_eq(a.kind, BANK_ANSWER_CUSTOMER, "without session: Project 1's rules");
    bank_replica_free(&r);
}

/* rule: C3, C5 */
Test(logic, a_sessions_write_follows_the_customers_previous_one_everywhere)
{
    bank_replica r;
    bank_replica_init(&r, 3, 0);
    uint8_t buf[512];
    bank_write_id set[] = {{3, 0}};
    bank_answer a;
    bank_branch_decide(&r, 1, BANK_SENDER_UNAUTHENTICATED, BANK_REQ_DEPOSIT, buf, pack_request(buf, 1, set, 0, 7), &a);
    cr_assert_eq(a.kind, BANK_ANSWER_FAN_OUT);
    cr_assert(a.session);
    cr_assert_eq(a.after.sequence, 0, "its first write follows nothing");
    cr_assert_eq(a.write.origin, 3);
    cr_assert_eq(a.write.sequence, 1);
    /* (2, 1) must follow (1, 1), which has not arrived: refused, nothing applied */
    bank_write_id second[] = {{2, 1}}, first[] = {{1, 1}}, none[] = {{0, 0}};
    bank_branch_decide(&r, 1, BANK_SENDER_UNAUTHENTICATED, BANK_REQ_PROPAGATE_BATCH, buf, pack_batch(buf, second, first, 1), &a);
    cr_assert_eq(a.kind, BANK_ANSWER_BATCH);
    cr_assert_eq(a.writes[0].kind, BANK_ANSWER_ERROR);
    cr_assert_eq(a.writes[0].status, BANK_RPC_UNAVAILABLE);
    cr_assert_eq(r.balance, 7);
    bank_answer_release(&a);
    /* in one batch, the later write is decided again after the earlier one */
    bank_write_id both[] = {{2, 1}, {1, 1}}, afters[] = {{1, 1}, {0, 0}};
    bank_branch_decide(&r, 1, BANK_SENDER_UNAUTHENTICATED, BANK_REQ_PROPAGATE_BATCH, buf, pack_batch(buf, both, afters, 2), &a);
    cr_assert(a.writes[0].kind == BANK_ANSWER_PROPAGATE && a.writes[0].applied);
    cr_assert(a.writes[1].kind == BANK_ANSWER_PROPAGATE && a.writes[1].applied);
    cr_assert_eq(r.balance, 27);
    bank_answer_release(&a);
    /* a chain in one batch, each write after the next: decided again until none can go on */
    bank_write_id chain[] = {{2, 3}, {2, 2}, {1, 2}}, chain_afters[] = {{2, 2}, {1, 2}, {1, 1}};
    bank_branch_decide(&r, 1, BANK_SENDER_UNAUTHENTICATED, BANK_REQ_PROPAGATE_BATCH, buf,
                       pack_batch(buf, chain, chain_afters, 3), &a);
    for (int i = 0; i < 3; i++)
        cr_expect(a.writes[i].kind == BANK_ANSWER_PROPAGATE && a.writes[i].applied, "write %d of the chain", i);
    cr_assert_eq(r.balance, 57);
    bank_answer_release(&a);
    bank_branch_decide(&r, 1, BANK_SENDER_UNAUTHENTICATED, BANK_REQ_PROPAGATE_BATCH, buf, pack_batch(buf, second, none, 1), &a);
    cr_assert(a.writes[0].kind == BANK_ANSWER_PROPAGATE && !a.writes[0].applied, "a duplicate, whatever it follows");
    bank_answer_release(&a);
    bank_replica_free(&r);
}
