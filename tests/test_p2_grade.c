/* Project 2's grader: the verdicts of hand-made files: required events, matching, the old form.
 * The reader of those files is tested in test_p2_reader.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lamport.h"
#include "grade/grade_p2.h"
#include "io/input.h"
#include "io/p2_student.h"

/* The TA's input, in the old form of its events (ids 1-6). */
static const char ta_input[] =
    "[{\"id\": 1, \"type\": \"customer\", \"customer-requests\": [{\"customer-request-id\": 1, \"interface\": \"deposit\", \"money\": 10},"
    " {\"customer-request-id\": 2, \"interface\": \"withdraw\", \"money\": 10}]},"
    " {\"id\": 2, \"type\": \"customer\", \"customer-requests\": [{\"customer-request-id\": 3, \"interface\": \"deposit\", \"money\": 10},"
    " {\"customer-request-id\": 4, \"interface\": \"withdraw\", \"money\": 10}]},"
    " {\"id\": 3, \"type\": \"customer\", \"customer-requests\": [{\"customer-request-id\": 5, \"interface\": \"deposit\", \"money\": 10},"
    " {\"customer-request-id\": 6, \"interface\": \"withdraw\", \"money\": 10}]},"
    " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", \"balance\": 400},"
    " {\"id\": 3, \"type\": \"branch\", \"balance\": 400}]";

static bank_workload load(const char *text)
{
    bank_workload w;
    char err[256];
    cr_assert_eq(bank_input_parse(text, strlen(text), "input", &w, err, sizeof err), 0, "%s", err);
    return w;
}

static void parse(const char *text, bank_p2_student *st)
{
    char err[512];
    cr_assert_eq(bank_p2_student_parse(text, strlen(text), "out", st, err, sizeof err), 0, "%s", err);
}

static void grade(const bank_workload *w, const bank_p2_student *st, int strict, bank_grade_report *r)
{
    char err[128];
    bank_p2_grade_options opt = {strict};
    cr_assert_eq(bank_grade_p2(w, st, &opt, r, err, sizeof err), 0);
}

/* The TA input's events at their sequential clocks (golden/p2-ta), flat, one a line; `skip` is a
 * line left out, `clock_of`/`clock` a clock changed. */
static const char *ta_lines[] = {
    "{\"id\": 1, \"customer-request-id\": 1, \"type\": \"customer\", \"logical_clock\": 1, \"interface\": \"deposit\", \"comment\": \"event_sent from customer 1\"}",
    "{\"id\": 1, \"customer-request-id\": 1, \"type\": \"branch\", \"logical_clock\": 2, \"interface\": \"deposit\", \"comment\": \"event_recv from customer 1\"}",
    "{\"id\": 1, \"customer-request-id\": 1, \"type\": \"branch\", \"logical_clock\": 3, \"interface\": \"propagate_deposit\", \"comment\": \"event_sent to branch 2\"}",
    "{\"id\": 1, \"customer-request-id\": 1, \"type\": \"branch\", \"logical_clock\": 4, \"interface\": \"propagate_deposit\", \"comment\": \"event_sent to branch 3\"}",
    "{\"id\": 2, \"customer-request-id\": 1, \"type\": \"branch\", \"logical_clock\": 4, \"interface\": \"propagate_deposit\", \"comment\": \"event_recv from branch 1\"}",
    "{\"id\": 3, \"customer-request-id\": 1, \"type\": \"branch\", \"logical_clock\": 5, \"interface\": \"propagate_deposit\", \"comment\": \"event_recv from branch 1\"}",
};

static void first_request(bank_p2_student *st, int skip, const char *extra)
{
    char text[2048] = "";
    for (int k = 0; k < 6; k++)
        if (k != skip) {
            strcat(text, ta_lines[k]);
            strcat(text, "\n");
        }
    if (extra) strcat(text, extra);
    parse(text, st);
}

static size_t count(const bank_grade_report *r, bank_verdict_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) n += r->verdicts[i].kind == k;
    return n;
}

/* The report's first wrong event (G33's table column, the JSON's "first_wrong"): the first
 * verdict that is not ok, or none. */
static void expect_first_wrong(const bank_grade_report *r)
{
    size_t i = 0;
    while (i < r->n && r->verdicts[i].kind == BANK_VERDICT_OK) i++;
    cr_expect_eq(r->first_wrong, i < r->n ? i : SIZE_MAX, "first_wrong %zu, the first not ok %zu",
                 r->first_wrong, i);
}

/* rule: L9, L10, G33 */
Test(p2_grade, missing_extra_and_twice)
{
    bank_workload w = load(ta_input);
    bank_p2_student st = {0};
    bank_grade_report r;
    first_request(&st, -1, NULL);
    grade(&w, &st, 1, &r);
    cr_expect_eq(r.n_events, 36, "every event of every request, once per view given");
    cr_expect_eq(r.n_correct, 6);
    cr_expect_eq(count(&r, BANK_VERDICT_MISSING), 30, "requests 2-6 are not logged");
    cr_expect_eq(count(&r, BANK_VERDICT_EXTRA), 0);
    expect_first_wrong(&r);
    bank_grade_report_free(&r);
    bank_p2_student_free(&st);

    first_request(&st, 5, "{\"id\": 1, \"customer-request-id\": 1, \"type\": \"branch\", \"logical_clock\": 9, "
                          "\"interface\": \"propagate_deposit\", \"comment\": \"event_sent to branch 2\"}\n"
                          "{\"id\": 2, \"customer-request-id\": 1, \"type\": \"branch\", \"logical_clock\": 9, "
                          "\"interface\": \"propagate_withdraw\", \"comment\": \"event_recv from branch 1\"}\n");
    grade(&w, &st, 0, &r);
    cr_expect_eq(r.n_correct, 5);
    cr_expect_eq(count(&r, BANK_VERDICT_EXTRA), 2);
    cr_expect_str_eq(r.verdicts[r.n - 2].detail, "logged twice");
    cr_expect_str_eq(r.verdicts[r.n - 1].detail, "request 1 is a deposit, not a withdraw");
    cr_expect_str_eq(r.verdicts[5].label, "branch 3: request 1 propagate_deposit, event_recv from branch 1 (all-events part)");
    cr_expect_eq(r.verdicts[5].kind, BANK_VERDICT_MISSING);
    cr_expect_eq(r.first_wrong, 5, "the missing receive is the first wrong event");
    bank_grade_report_free(&r);
    bank_p2_student_free(&st);

    /* a customer's record logged twice in the all-events part is named as the customer's */
    char twice[400];
    snprintf(twice, sizeof twice, "%s\n", ta_lines[0]);
    first_request(&st, -1, twice);
    grade(&w, &st, 0, &r);
    cr_assert_eq(count(&r, BANK_VERDICT_EXTRA), 1);
    cr_expect_str_eq(r.verdicts[r.n - 1].label, "customer 1: request 1 deposit, event_sent from customer 1 (all-events part)");
    cr_expect_str_eq(r.verdicts[r.n - 1].detail, "logged twice");
    bank_grade_report_free(&r);
    bank_p2_student_free(&st);
    bank_workload_free(&w);
}

/* rule: L9 */
Test(p2_grade, a_withdrawal_that_could_fail_propagates_only_when_logged)
{
    bank_workload w = load("[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"withdraw\", \"money\": 300}]},"
                           " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"withdraw\", \"money\": 300}]},"
                           " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", \"balance\": 400}]");
    cr_expect_eq(bank_p2_must_propagate(&w, 0, 0), -1, "300 after the other's 300 would fail");
    bank_p2_student st = {0};
    bank_grade_report r;
    parse("{'id': 1, 'customer-request-id': 1, 'type': 'customer', 'logical_clock': 1, 'interface': 'withdraw', 'comment': 'event_sent from customer 1'}\n"
          "{'id': 1, 'customer-request-id': 1, 'type': 'branch', 'logical_clock': 2, 'interface': 'withdraw', 'comment': 'event_recv from customer 1'}\n"
          "{'id': 2, 'customer-request-id': 2, 'type': 'customer', 'logical_clock': 1, 'interface': 'withdraw', 'comment': 'event_sent from customer 2'}\n"
          "{'id': 2, 'customer-request-id': 2, 'type': 'branch', 'logical_clock': 2, 'interface': 'withdraw', 'comment': 'event_recv from customer 2'}\n"
          "{'id': 2, 'customer-request-id': 2, 'type': 'branch', 'logical_clock': 3, 'interface': 'propagate_withdraw', 'comment': 'event_sent to branch 1'}\n",
          &st);
    grade(&w, &st, 0, &r);
    cr_expect_eq(r.n_events, 6, "request 1 failed (nothing logged of its propagation); request 2 propagated");
    cr_expect_eq(r.n_correct, 5);
    cr_expect_str_eq(r.verdicts[5].label, "branch 1: request 2 propagate_withdraw, event_recv from branch 2 (all-events part)");
    cr_expect_eq(r.verdicts[5].kind, BANK_VERDICT_MISSING);
    bank_grade_report_free(&r);
    bank_p2_student_free(&st);
    bank_workload_free(&w);
}

/* rule: L13 */
Test(p2_grade, the_old_form)
{
    bank_workload w = load("[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"query\", \"money\": 400}]},"
                           " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"deposit\", \"money\": 170}]},"
                           " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", \"balance\": 400}]");
    static const char *good =
        "[{'pid': 1, 'data': [{'id': 2, 'name': 'deposit_propagate_request', 'clock': 4}, {'id': 2, 'name': 'deposit_propagate_execute', 'clock': 5}]},"
        " {'pid': 2, 'data': [{'id': 2, 'name': 'deposit_request', 'clock': 2}, {'id': 2, 'name': 'deposit_execute', 'clock': 3},"
        " {'id': 2, 'name': 'deposit_propagate_response', 'clock': 6}, {'id': 2, 'name': 'deposit_response', 'clock': 7}]}]";
    bank_p2_student st = {0};
    bank_grade_report r;
    parse(good, &st);
    grade(&w, &st, 1, &r);
    cr_expect_eq(r.n_events, 4, "request and execute at the origin, propagate request and execute at the peer");
    cr_expect_eq(r.n_correct, 4);
    cr_expect_eq(r.n_wrong, 0, "the response and the acknowledgement are taken as logged");
    cr_expect_eq(r.first_wrong, SIZE_MAX, "nothing wrong");
    bank_grade_report_free(&r);
    bank_p2_student_free(&st);

    /* the acknowledgement received before the peer applied the write; a peer's "execute" in a
       course that named it without "propagate" */
    parse("[{'pid': 1, 'data': [{'id': 2, 'name': 'deposit_broadcast_request', 'clock': 4}, {'id': 2, 'name': 'deposit_execute', 'clock': 8}]},"
          " {'pid': 2, 'data': [{'id': 2, 'name': 'deposit_request', 'clock': 2}, {'id': 2, 'name': 'deposit_execute', 'clock': 3},"
          " {'id': 2, 'name': 'deposit_broadcast_response', 'clock': 6}]}]",
          &st);
    grade(&w, &st, 0, &r);
    cr_expect_eq(r.n_correct, 4);
    cr_expect_eq(count(&r, BANK_VERDICT_CLOCK_ORDER), 1);
    cr_expect_str_eq(r.verdicts[r.n - 1].label, "branch 2: request 2 deposit_propagate_response (old form)");
    cr_expect_str_eq(r.verdicts[r.n - 1].detail, "clock 6, not after the message it received (at clock 8)");
    expect_first_wrong(&r);
    bank_grade_report_free(&r);
    bank_p2_student_free(&st);

    /* an acknowledgement received before the branch executed the write, the peer silent: the
       branch's own order alone shows it */
    parse("[{'pid': 2, 'data': [{'id': 2, 'name': 'deposit_request', 'clock': 2}, {'id': 2, 'name': 'deposit_execute', 'clock': 3},"
          " {'id': 2, 'name': 'deposit_propagate_response', 'clock': 1}]}]",
          &st);
    grade(&w, &st, 0, &r);
    cr_expect_eq(r.n_correct, 2);
    cr_expect_eq(count(&r, BANK_VERDICT_MISSING), 2, "the peer's propagate request and execute");
    cr_expect_eq(count(&r, BANK_VERDICT_CLOCK_ORDER), 1);
    cr_expect_str_eq(r.verdicts[r.n - 1].label, "branch 2: request 2 deposit_propagate_response (old form)");
    cr_expect_str_eq(r.verdicts[r.n - 1].detail, "clock 1, not after an event its branch had before it (at clock 3)");
    bank_grade_report_free(&r);
    bank_p2_student_free(&st);
    bank_workload_free(&w);
}

/* Old-form events no slot of the input takes: each an extra, saying why, the rest graded. */
/* rule: L9, L13 */
Test(p2_grade, the_old_form_s_extras_say_why)
{
    bank_workload w = load("[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"query\", \"money\": 400}]},"
                           " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"deposit\", \"money\": 170}]},"
                           " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", \"balance\": 400}]");
    bank_p2_student st = {0};
    bank_grade_report r;
    parse("[{'pid': 1, 'data': [{'id': 1, 'name': 'query_request', 'clock': 1}, {'id': 2, 'name': 'deposit_propagate_request', 'clock': 4},"
          " {'id': 2, 'name': 'deposit_propagate_execute', 'clock': 5}]},"
          " {'pid': 2, 'data': [{'id': 2, 'name': 'deposit_request', 'clock': 2}, {'id': 2, 'name': 'deposit_execute', 'clock': 3},"
          " {'id': 2, 'name': 'deposit_propagate_response', 'clock': 6}, {'id': 2, 'name': 'deposit_response', 'clock': 7},"
          " {'id': 2, 'name': 'withdraw_request', 'clock': 8}, {'id': 2, 'name': 'deposit_propagate_request', 'clock': 9},"
          " {'id': 2, 'name': 'deposit_execute', 'clock': 10}, {'id': 2, 'name': 'deposit_frobnicate', 'clock': 11},"
          " {'id': 1, 'name': 'query_request', 'clock': 12}]}]",
          &st);
    grade(&w, &st, 0, &r);
    cr_expect_eq(r.n_correct, 4);
    static const char *const want[][2] = {
        {"branch 2: request 2 withdraw_request (old form)", "request 2 is a deposit"},
        {"branch 2: request 2 deposit_propagate_request (old form)",
         "a propagation's request logged at the branch the request came from"},
        {"branch 2: request 2 deposit_execute (old form)", "logged twice"},
        {"branch 2: request 2 deposit_frobnicate (old form)",
         "an event name the old form does not have (<deposit|withdraw|query>[_propagate]_<request|execute|response>)"},
        {"branch 2: request 1 query_request (old form)", "names no event of the input (no such request)"}};
    size_t n = 0;
    for (size_t i = 0; i < r.n; i++) {
        if (r.verdicts[i].kind == BANK_VERDICT_OK) continue;
        cr_assert_lt(n, 5);
        cr_expect_eq(r.verdicts[i].kind, BANK_VERDICT_EXTRA);
        cr_expect_str_eq(r.verdicts[i].label, want[n][0]);
        cr_expect_str_eq(r.verdicts[i].detail, want[n][1]);
        n++;
    }
    cr_expect_eq(n, 5, "the query's request at its own branch is taken as logged; at another, it is extra");
    expect_first_wrong(&r);
    bank_grade_report_free(&r);
    bank_p2_student_free(&st);
    bank_workload_free(&w);
}

/* rule: L9; withdrawals that could take the balance past a 64-bit number: one could be refused */
Test(p2_grade, withdrawals_past_64_bits_could_fail)
{
    bank_workload w = load("[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"withdraw\", \"money\": 10}]},"
                           " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"withdraw\", \"money\": 9223372036854775807}]},"
                           " {\"id\": 3, \"type\": \"customer\", \"events\": [{\"id\": 3, \"interface\": \"withdraw\", \"money\": 9223372036854775807}]},"
                           " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", \"balance\": 400},"
                           " {\"id\": 3, \"type\": \"branch\", \"balance\": 400}]");
    cr_expect_eq(bank_p2_must_propagate(&w, 0, 0), -1);
    bank_workload_free(&w);
}

/* rule: L9; an entry that names no process, and a branch's entry without a request id: extras,
 * each saying why */
Test(p2_grade, entries_that_name_no_process_or_no_request)
{
    bank_workload w = load(ta_input);
    bank_p2_student st = {0};
    bank_grade_report r;
    parse("{'id': 1, 'customer-request-id': 1, 'type': 'customer', 'logical_clock': 1, 'interface': 'deposit', 'comment': 'event_sent from customer 1'}\n"
          "{'customer-request-id': 1, 'type': 'branch', 'logical_clock': 2, 'interface': 'deposit', 'comment': 'event_recv from customer 1'}\n"
          "{'id': 1, 'type': 'branch', 'logical_clock': 3, 'interface': 'deposit', 'comment': 'event_recv from customer 1'}\n",
          &st);
    grade(&w, &st, 0, &r);
    cr_assert_geq(r.n, 2);
    cr_expect_eq(r.verdicts[r.n - 2].kind, BANK_VERDICT_EXTRA);
    cr_expect_str_eq(r.verdicts[r.n - 2].detail, "names no process (no \"id\")");
    cr_expect_eq(r.verdicts[r.n - 1].kind, BANK_VERDICT_EXTRA);
    cr_expect_str_eq(r.verdicts[r.n - 1].label, "branch 1: deposit, event_recv from customer 1 (all-events part)");
    cr_expect_str_eq(r.verdicts[r.n - 1].detail, "names no event the input requires (no such request at that "
                                                 "branch, or one that does not propagate)");
    cr_expect_eq(r.n_wrong - count(&r, BANK_VERDICT_MISSING), 2, "the two extras, and only them");
    bank_grade_report_free(&r);
    bank_p2_student_free(&st);
    bank_workload_free(&w);
}

/* rule: L9; a clock that is null or no number, and a record of a type neither customer nor branch */
Test(p2_grade, clocks_that_are_no_number_and_records_of_no_type)
{
    bank_workload w = load(ta_input);
    bank_p2_student st = {0};
    bank_grade_report r;
    parse("{'id': 1, 'customer-request-id': 1, 'type': 'customer', 'logical_clock': None, 'interface': 'deposit', 'comment': 'event_sent from customer 1'}\n"
          "{'id': 1, 'customer-request-id': 1, 'type': 'branch', 'logical_clock': True, 'interface': 'deposit', 'comment': 'event_recv from customer 1'}\n"
          "{'id': 1, 'customer-request-id': 1, 'type': 'server', 'logical_clock': 3, 'interface': 'deposit'}\n",
          &st);
    grade(&w, &st, 0, &r);
    cr_assert_geq(r.n, 2);
    cr_expect_eq(r.verdicts[0].kind, BANK_VERDICT_MISSING);
    cr_expect_str_eq(r.verdicts[0].detail, "logged without a clock (logical_clock null)");
    cr_expect_eq(r.verdicts[1].kind, BANK_VERDICT_MISSING);
    cr_expect_str_eq(r.verdicts[1].detail, "logged without a clock (logical_clock not a number)");
    /* neither its type nor a comment says which process's event the third is */
    cr_expect_eq(r.verdicts[r.n - 1].kind, BANK_VERDICT_EXTRA);
    cr_expect_str_eq(r.verdicts[r.n - 1].detail, "cannot tell which event it is (its comment says neither a send "
                                                 "nor a receive, from or to a customer or a branch)");
    bank_grade_report_free(&r);
    bank_p2_student_free(&st);
    bank_workload_free(&w);
}

/* Every verdict of a report, one a line: "kind: label: detail" (OK ones too), then the counts. */
static char *every_verdict(const bank_grade_report *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert(f);
    for (size_t i = 0; i < r->n; i++)
        fprintf(f, "%s: %s%s%s\n", bank_verdict_name(r->verdicts[i].kind), r->verdicts[i].label ? r->verdicts[i].label : "?",
                r->verdicts[i].detail ? ": " : "", r->verdicts[i].detail ? r->verdicts[i].detail : "");
    fprintf(f, "%zu/%zu, %zu wrong, first wrong %zd\n", r->n_correct, r->n_events, r->n_wrong,
            r->first_wrong == SIZE_MAX ? (ssize_t)-1 : (ssize_t)r->first_wrong);
    fclose(f);
    return text;
}

static void expect_verdicts(const bank_workload *w, const char *output, int strict, const char *want)
{
    bank_p2_student st = {0};
    bank_grade_report r;
    parse(output, &st);
    grade(w, &st, strict, &r);
    char *got = every_verdict(&r);
    cr_expect_str_eq(got, want);
    free(got);
    bank_grade_report_free(&r);
    bank_p2_student_free(&st);
}

/* rule: L13; the old form, whole: a customer's second request at its branch comes after its
 * first one's events there; the peer's propagation after the origin's request; with the
 * propagation's acknowledgement, a clock not after what came before is named */
Test(p2_grade, the_old_form_with_two_requests_of_one_customer_every_verdict)
{
    bank_workload w = load("[{\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"deposit\", \"money\": 170},"
                           " {\"id\": 3, \"interface\": \"withdraw\", \"money\": 10}]},"
                           " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", \"balance\": 400}]");
    /* all in order */
    expect_verdicts(&w,
                    "[{'pid': 1, 'data': [{'id': 2, 'name': 'deposit_propagate_request', 'clock': 4}, {'id': 2, 'name': 'deposit_propagate_execute', 'clock': 5},"
                    " {'id': 3, 'name': 'withdraw_propagate_request', 'clock': 10}, {'id': 3, 'name': 'withdraw_propagate_execute', 'clock': 11}]},"
                    " {'pid': 2, 'data': [{'id': 2, 'name': 'deposit_request', 'clock': 2}, {'id': 2, 'name': 'deposit_execute', 'clock': 3},"
                    " {'id': 2, 'name': 'deposit_propagate_response', 'clock': 6}, {'id': 2, 'name': 'deposit_response', 'clock': 7},"
                    " {'id': 3, 'name': 'withdraw_request', 'clock': 8}, {'id': 3, 'name': 'withdraw_execute', 'clock': 9},"
                    " {'id': 3, 'name': 'withdraw_propagate_response', 'clock': 12}]}]",
                    0,
                    "ok: branch 2: request 2 deposit_request (old form)\n"
                    "ok: branch 2: request 2 deposit_execute (old form)\n"
                    "ok: branch 1: request 2 deposit_propagate_request (old form)\n"
                    "ok: branch 1: request 2 deposit_propagate_execute (old form)\n"
                    "ok: branch 2: request 3 withdraw_request (old form)\n"
                    "ok: branch 2: request 3 withdraw_execute (old form)\n"
                    "ok: branch 1: request 3 withdraw_propagate_request (old form)\n"
                    "ok: branch 1: request 3 withdraw_propagate_execute (old form)\n"
                    "8/8, 0 wrong, first wrong -1\n");
    /* the second request's clock not after the first's events at its branch; the peer's
       propagate request not after the origin's execute */
    expect_verdicts(&w,
                    "[{'pid': 1, 'data': [{'id': 2, 'name': 'deposit_propagate_request', 'clock': 1}, {'id': 2, 'name': 'deposit_propagate_execute', 'clock': 5},"
                    " {'id': 3, 'name': 'withdraw_propagate_request', 'clock': 10}, {'id': 3, 'name': 'withdraw_propagate_execute', 'clock': 11}]},"
                    " {'pid': 2, 'data': [{'id': 2, 'name': 'deposit_request', 'clock': 2}, {'id': 2, 'name': 'deposit_execute', 'clock': 3},"
                    " {'id': 2, 'name': 'deposit_propagate_response', 'clock': 6}, {'id': 2, 'name': 'deposit_response', 'clock': 7},"
                    " {'id': 3, 'name': 'withdraw_request', 'clock': 5}, {'id': 3, 'name': 'withdraw_execute', 'clock': 9},"
                    " {'id': 3, 'name': 'withdraw_propagate_response', 'clock': 12}]}]",
                    0,
                    "ok: branch 2: request 2 deposit_request (old form)\n"
                    "ok: branch 2: request 2 deposit_execute (old form)\n"
                    "clock order: branch 1: request 2 deposit_propagate_request (old form): clock 1, not after the "
                    "message it received (at clock 3)\n"
                    "ok: branch 1: request 2 deposit_propagate_execute (old form)\n"
                    "clock order: branch 2: request 3 withdraw_request (old form): clock 5, not after an event its "
                    "branch had before it (at clock 6)\n"
                    "ok: branch 2: request 3 withdraw_execute (old form)\n"
                    "ok: branch 1: request 3 withdraw_propagate_request (old form)\n"
                    "ok: branch 1: request 3 withdraw_propagate_execute (old form)\n"
                    "6/8, 2 wrong, first wrong 2\n");
    bank_workload_free(&w);
}

/* rule: L8, L9, L2; the customer and branch parts, whole: a customer's events without request
 * ids are its requests by position; each branch's receive and propagation in its own part;
 * --strict names a clock the tick rule does not give, and a receive not after its send */
Test(p2_grade, the_customer_and_branch_parts_every_verdict)
{
    bank_workload w = load("[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"deposit\", \"money\": 10},"
                           " {\"id\": 2, \"interface\": \"query\"}]},"
                           " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", \"balance\": 400}]");
    expect_verdicts(&w,
                    "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"logical_clock\": 1, \"interface\": \"deposit\","
                    " \"comment\": \"event_sent from customer 1\"}, {\"logical_clock\": 5, \"interface\": \"query\","
                    " \"comment\": \"event_sent from customer 1\"}]}]\n"
                    "[{\"id\": 1, \"type\": \"branch\", \"events\": [{\"customer-request-id\": 1, \"logical_clock\": 2,"
                    " \"interface\": \"deposit\", \"comment\": \"event_recv from customer 1\"}, {\"customer-request-id\": 1,"
                    " \"logical_clock\": 3, \"interface\": \"propagate_deposit\", \"comment\": \"event_sent to branch 2\"},"
                    " {\"customer-request-id\": 2, \"logical_clock\": 4, \"interface\": \"query\","
                    " \"comment\": \"event_recv from customer 1\"}]},"
                    " {\"id\": 2, \"type\": \"branch\", \"events\": [{\"customer-request-id\": 1, \"logical_clock\": 4,"
                    " \"interface\": \"propagate_deposit\", \"comment\": \"event_recv from branch 1\"}]}]\n",
                    1,
                    "ok: customer 1: request 1 deposit, event_sent from customer 1 (customer part)\n"
                    "ok: branch 1: request 1 deposit, event_recv from customer 1 (branch part)\n"
                    "ok: branch 1: request 1 propagate_deposit, event_sent to branch 2 (branch part)\n"
                    "ok: branch 2: request 1 propagate_deposit, event_recv from branch 1 (branch part)\n"
                    "wrong clock: customer 1: request 2 query, event_sent from customer 1 (customer part): L2 gives 2, "
                    "got 5 (after customer 1: request 1 deposit, event_sent from customer 1)\n"
                    "clock order: branch 1: request 2 query, event_recv from customer 1 (branch part): a receive at 4, "
                    "not after its send at 5 (customer 1: request 2 query, event_sent from customer 1)\n"
                    "4/6, 2 wrong, first wrong 4\n");
    bank_workload_free(&w);
}
