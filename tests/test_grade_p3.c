/* bank grade --project 3's verdicts on hand-made outputs of every form the course's students
 * write: what is read, what is judged right or wrong, and how a wrong answer is named. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade/grade_p3.h"
#include "io/input.h"
#include "io/session_student.h"

static const char course_mw[] =
    "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"interface\": \"deposit\", \"money\": 400, \"dest\": 1},"
    " {\"interface\": \"withdraw\", \"money\": 400, \"dest\": 2}, {\"interface\": \"query\", \"dest\": 2}]},"
    " {\"id\": 1, \"type\": \"bank\", \"balance\": 0}, {\"id\": 2, \"type\": \"bank\", \"balance\": 0}]";

/* course_mw with a query at another branch and a write at the withdrawal's own branch before it:
 * neither is among "the customer's earlier writes" a failed withdrawal is told of */
static const char course_mw_more[] =
    "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"interface\": \"query\", \"dest\": 1},"
    " {\"interface\": \"deposit\", \"money\": 400, \"dest\": 1}, {\"interface\": \"deposit\", \"money\": 5, \"dest\": 2},"
    " {\"interface\": \"withdraw\", \"money\": 400, \"dest\": 2}, {\"interface\": \"query\", \"dest\": 2}]},"
    " {\"id\": 1, \"type\": \"bank\", \"balance\": 0}, {\"id\": 2, \"type\": \"bank\", \"balance\": 0}]";

static const char moving[] =
    "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"query\", \"branch\": 1},"
    " {\"id\": 2, \"interface\": \"deposit\", \"money\": 10, \"branch\": 1}, {\"id\": 3, \"interface\": \"query\", \"branch\": 2},"
    " {\"id\": 4, \"interface\": \"deposit\", \"money\": 10, \"branch\": 2}, {\"id\": 5, \"interface\": \"query\", \"branch\": 3}]},"
    " {\"id\": 1, \"type\": \"branch\", \"balance\": 0}, {\"id\": 2, \"type\": \"branch\", \"balance\": 0},"
    " {\"id\": 3, \"type\": \"branch\", \"balance\": 0}]";

/* Grades output against input; returns the report's summary as "correct/events wrong", and the
 * first wrong verdict's detail (or the reader's error) in detail; with all, every verdict that is
 * not ok, "event N: kind: detail", joined by " | ". */
static void grade_verdicts(const char *input, const char *output, char *summary, char *detail, int all)
{
    bank_workload w;
    bank_routes rt;
    char err[400];
    cr_assert_eq(bank_input_parse_routed(input, strlen(input), "in", &w, &rt, err, sizeof err), 0, "%s", err);
    bank_session_output so;
    detail[0] = '\0';
    if (bank_session_output_parse(output, strlen(output), "out", &so, err, 400) != 0) {
        sprintf(summary, "unusable");
        strcpy(detail, err);
    } else {
        bank_grade_report r;
        cr_assert_eq(bank_grade_p3(&w, &rt, &so, 0, &r, err, sizeof err), 0);
        sprintf(summary, "%zu/%zu %zu", r.n_correct, r.n_events, r.n_wrong);
        if (r.first_wrong != SIZE_MAX && !all)
            snprintf(detail, 400, "%s: %s", bank_verdict_name(r.verdicts[r.first_wrong].kind),
                     r.verdicts[r.first_wrong].detail ? r.verdicts[r.first_wrong].detail : "");
        for (size_t i = 0, len = 0; all && i < r.n && len < 1000; i++)
            if (r.verdicts[i].kind != BANK_VERDICT_OK)
                len += (size_t)snprintf(detail + len, 1000 - len, "%sevent %" PRId64 ": %s: %s", len ? " | " : "",
                                        r.verdicts[i].event_id, bank_verdict_name(r.verdicts[i].kind),
                                        r.verdicts[i].detail ? r.verdicts[i].detail : "");
        bank_grade_report_free(&r);
        bank_session_output_free(&so);
    }
    bank_routes_free(&rt);
    bank_workload_free(&w);
}

static void grade(const char *input, const char *output, char *summary, char *detail)
{
    grade_verdicts(input, output, summary, detail, 0);
}

#define EXPECT(input, output, want_summary, want_detail)                                                     \
    do {                                                                                                     \
        char s_[64], d_[400];                                                                                \
        grade(input, output, s_, d_);                                                                        \
        cr_assert_str_eq(s_, want_summary, "%s: %s", s_, d_);                                                \
        cr_assert(strstr(d_, want_detail) != NULL, "detail \"%s\" lacks \"%s\"", d_, want_detail);           \
    } while (0)

/* rule: C12, C13 */
Test(grade_p3, reads_every_form_of_the_course)
{
    /* the new form, pretty or not, in any key order, "Success", a balance in a string */
    EXPECT(moving,
           "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"branch\": 1, \"balance\": 0}]},\n"
           " {\"id\": 1, \"recv\": [{\"branch\": 1, \"interface\": \"deposit\", \"result\": \"Success\"}]},\n"
           " {\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": \"10\", \"branch\": 2}]},\n"
           " {\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"branch\": 2, \"result\": \"success\"}]},\n"
           " {\"id\": 1, \"recv\": [{\"interface\": \"query\", \"branch\": 3, \"balance\": 20.0}]}]",
           "5/5 0", "");
    /* a list per customer under "balance" */
    EXPECT(moving,
           "[{\"id\": 1, \"balance\": [{\"id\": 1, \"interface\": \"query\", \"branch\": 1, \"balance\": 0},"
           " {\"id\": 2, \"interface\": \"deposit\", \"branch\": 1, \"result\": \"success\"},"
           " {\"id\": 3, \"interface\": \"query\", \"branch\": 2, \"balance\": 10},"
           " {\"id\": 4, \"interface\": \"deposit\", \"branch\": 2, \"result\": \"success\"},"
           " {\"id\": 5, \"interface\": \"query\", \"branch\": 3, \"balance\": 20}]}]",
           "5/5 0", "");
    /* one flat record per reply, Python literals, a logger's tag */
    EXPECT(moving,
           "[PID 7] {'id': 1, 'interface': 'query', 'balance': 0}\n{'id': 1, 'interface': 'deposit', 'result': 'success'}\n"
           "{'id': 1, 'interface': 'query', 'balance': 10}\n{'id': 1, 'interface': 'deposit', 'result': 'success'}\n"
           "[PID 7] {'id': 1, 'interface': 'query', 'balance': 20}\n",
           "5/5 0", "");
    /* one customer's replies in two lists, neither a snapshot of the other: both are read */
    EXPECT(course_mw,
           "{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"withdraw\","
           " \"result\": \"success\"}]}\n{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 0}]}\n",
           "3/3 0", "");
    /* final balances, one object, then printed by two runs: the last counts */
    EXPECT(course_mw, "{\"id\": 1, \"balance\": 0.0}", "1/1 0", "");
    EXPECT(course_mw, "{\"id\": 1, \"balance\": 400}\n{\"id\": 1, \"balance\": 0}\n", "1/1 0", "");
    /* missing and extra */
    EXPECT(moving, "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"branch\": 1, \"balance\": 0}]}]", "1/5 4",
           "missing: its record (line 1) has only 1 replies");
    EXPECT(course_mw, "[{\"id\": 1, \"balance\": 0}, {\"id\": 2, \"balance\": 0}]", "1/1 1",
           "extra: a record for customer 2");
    /* unusable */
    EXPECT(course_mw, "[{\"id\": 1, \"balance\": 0}, {\"id\": 1, \"recv\": []}]", "unusable",
           "out:1:2: a final balance ({\"id\", \"balance\": N}) among records of replies");
    EXPECT(course_mw, "[{\"balance\": 0}]", "unusable", "out:1:2: an object without \"id\"");
}

/* rule: G8; a balance that is no claim is named as G8 names it, as written */
Test(grade_p3, a_balance_not_a_64_bit_whole_number_is_named_as_written)
{
    EXPECT(course_mw, "{\"id\": 1, \"balance\": 2.5}", "0/1 1", "wrong value: got 2.5: a balance is a whole number");
    EXPECT(course_mw, "{\"id\": 1, \"balance\": 9223372036854775808}", "0/1 1",
           "wrong value: got 9223372036854775808: no balance is that large (a 64-bit whole number)");
    EXPECT(course_mw, "{\"id\": 1, \"balance\": 1e30}", "0/1 1",
           "wrong value: got 1e+30: no balance is that large (a 64-bit whole number)");
    EXPECT(course_mw,
           "{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"withdraw\","
           " \"result\": \"success\"}, {\"interface\": \"query\"}]}",
           "2/3 1", "wrong value: no balance printed");
}

/* rule: C9, C15 */
Test(grade_p3, a_wrong_answer_names_the_guarantee_and_the_write_it_missed)
{
    EXPECT(moving,
           "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"branch\": 1, \"balance\": 0}]},"
           " {\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"branch\": 1, \"result\": \"success\"}]},"
           " {\"id\": 1, \"recv\": [{\"interface\": \"query\", \"branch\": 2, \"balance\": 0}]},"
           " {\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"branch\": 2, \"result\": \"success\"}]},"
           " {\"id\": 1, \"recv\": [{\"interface\": \"query\", \"branch\": 3, \"balance\": 10}]}]",
           "3/5 2",
           "wrong value: read-your-writes broken: got 0, expected 10; the answer misses the customer's own write "
           "event 2 (deposit 10 at branch 1), made before this query at branch 2");
    EXPECT(course_mw, "[{\"id\": 1, \"balance\": 400}]", "0/1 1",
           "wrong value: monotonic writes broken: got 400, expected 0; it reads as if the customer's event 2 "
           "(withdraw 400 at branch 2) had failed");
    EXPECT(course_mw,
           "{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"withdraw\","
           " \"result\": \"fail\"}, {\"interface\": \"query\", \"balance\": 400}]}",
           "1/3 2",
           "wrong result: monotonic writes broken: got fail, but with the customer's earlier writes event 1 "
           "(deposit 400 at branch 1) branch 2 holds at least 400, enough for 400");
    EXPECT(course_mw_more,
           "{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 0}, {\"interface\": \"deposit\", \"result\": "
           "\"success\"}, {\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"withdraw\", \"result\": "
           "\"fail\"}, {\"interface\": \"query\", \"balance\": 405}]}",
           "3/5 2",
           "wrong result: monotonic writes broken: got fail, but with the customer's earlier writes event 2 "
           "(deposit 400 at branch 1) branch 2 holds at least 405, enough for 400");
    EXPECT(course_mw,
           "{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"result\": \"fail\"}, {\"interface\": \"withdraw\","
           " \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 0}]}",
           "2/3 1", "wrong result: expected success, got fail: a deposit always succeeds");
}

/* rule: C7, C14, C15 */
Test(grade_p3, several_customers_see_prefixes_of_each_others_writes)
{
    static const char two[] =
        "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"interface\": \"deposit\", \"money\": 10, \"dest\": 1},"
        " {\"interface\": \"deposit\", \"money\": 20, \"dest\": 1}]},"
        " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"interface\": \"query\", \"dest\": 2}]},"
        " {\"id\": 1, \"type\": \"bank\", \"balance\": 0}, {\"id\": 2, \"type\": \"bank\", \"balance\": 0}]";
    const char *ok[] = {"0", "10", "30"};
    for (size_t i = 0; i < 3; i++) {
        char out[300];
        snprintf(out, sizeof out, "{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"},"
                 " {\"interface\": \"deposit\", \"result\": \"success\"}]}\n"
                 "{\"id\": 2, \"recv\": [{\"interface\": \"query\", \"balance\": %s}]}", ok[i]);
        EXPECT(two, out, "3/3 0", "");
    }
    /* 20 alone would need the second write without the first: monotonic writes forbid it */
    EXPECT(two,
           "{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"deposit\","
           " \"result\": \"success\"}]}\n{\"id\": 2, \"recv\": [{\"interface\": \"query\", \"balance\": 20}]}",
           "2/3 1", "got 20: no execution that keeps the session guarantees reads that at branch 2; it could read one of 0, 10, 30");
}

/* rule: C14, C15; answers each possible alone, but not together: each customer's query saw the
 * other's deposit, made after the other's query; the search blames the claims it is blocked at
 * and grades the rest, a customer that got through included */
Test(grade_p3, answers_possible_alone_but_not_together_are_each_named)
{
    static const char crossed[] =
        "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"query\", \"branch\": 1},"
        " {\"id\": 2, \"interface\": \"deposit\", \"money\": 10, \"branch\": 1}]},"
        " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 3, \"interface\": \"withdraw\", \"money\": 10, \"branch\": 1},"
        " {\"id\": 4, \"interface\": \"deposit\", \"money\": 20, \"branch\": 1}]},"
        " {\"id\": 3, \"type\": \"customer\", \"events\": [{\"id\": 5, \"interface\": \"query\", \"branch\": 1}]},"
        " {\"id\": 1, \"type\": \"branch\", \"balance\": 0}]";
    char s[64], d[1000];
    grade_verdicts(crossed,
                   "{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 10},"
                   " {\"interface\": \"deposit\", \"result\": \"success\"}]}\n"
                   "{\"id\": 2, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"},"
                   " {\"interface\": \"deposit\", \"result\": \"success\"}]}\n"
                   "{\"id\": 3, \"recv\": [{\"interface\": \"query\", \"balance\": 0}]}\n",
                   s, d, 1);
    cr_expect_str_eq(s, "3/5 2");
    cr_expect_str_eq(d, "event 1: wrong value: got 10: possible alone, but not together with the other answers | "
                        "event 3: wrong result: got success: possible alone, but not together with the other answers");
}

/* rule: C15; many balances a query could read are shown as the first six and the range; a
 * withdrawal claimed to succeed where the branch can never hold enough */
Test(grade_p3, impossible_answers_name_the_range_and_the_most_a_branch_holds)
{
    static const char nine[] =
        "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"query\", \"branch\": 1}]},"
        " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"deposit\", \"money\": 10, \"branch\": 2},"
        " {\"id\": 3, \"interface\": \"deposit\", \"money\": 10, \"branch\": 2}, {\"id\": 4, \"interface\": \"deposit\", \"money\": 10, \"branch\": 2},"
        " {\"id\": 5, \"interface\": \"deposit\", \"money\": 10, \"branch\": 2}, {\"id\": 6, \"interface\": \"deposit\", \"money\": 10, \"branch\": 2},"
        " {\"id\": 7, \"interface\": \"deposit\", \"money\": 10, \"branch\": 2}, {\"id\": 8, \"interface\": \"deposit\", \"money\": 10, \"branch\": 2},"
        " {\"id\": 9, \"interface\": \"deposit\", \"money\": 10, \"branch\": 2}, {\"id\": 10, \"interface\": \"withdraw\", \"money\": 5, \"branch\": 2}]},"
        " {\"id\": 1, \"type\": \"branch\", \"balance\": 100}, {\"id\": 2, \"type\": \"branch\", \"balance\": 0}]";
    char ok[600] = "{\"id\": 2, \"recv\": [";
    for (int i = 0; i < 8; i++) strcat(ok, "{\"interface\": \"deposit\", \"result\": \"success\"}, ");
    strcat(ok, "{\"interface\": \"withdraw\", \"result\": \"success\"}]}\n");
    char out[800];
    snprintf(out, sizeof out, "%s{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 101}]}\n", ok);
    EXPECT(nine, out, "9/10 1",
           "wrong value: got 101: no execution that keeps the session guarantees reads that at branch 1; it could read "
           "one of 100, 110, 120, 130, 140, 150, ... (10 values from 100 to 180)");
    static const char short_of[] =
        "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"withdraw\", \"money\": 10, \"branch\": 1}]},"
        " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"deposit\", \"money\": 5, \"branch\": 1}]},"
        " {\"id\": 1, \"type\": \"branch\", \"balance\": 2}]";
    EXPECT(short_of,
           "{\"id\": 1, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}]}\n"
           "{\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}]}\n",
           "1/2 1", "wrong result: got success: withdrawing 10 at branch 1 always fails (it holds at most 7)");
}

/* rule: C13; runs appended to one file: the last is graded, and the format says so; an id
 * written as a string */
Test(grade_p3, appended_runs_grade_the_last)
{
    static const char two_runs[] = "[{\"id\": 1, \"balance\": 400}]\n[{\"id\": \"1\", \"balance\": \"0\"}]\n";
    bank_session_output so;
    char err[400];
    cr_assert_eq(bank_session_output_parse(two_runs, strlen(two_runs), "out", &so, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(so.format, "JSON, one array, final balances, 2 runs appended (graded the last), balance as a string");
    bank_session_output_free(&so);
    EXPECT(course_mw, two_runs, "1/1 0", "");
    EXPECT(course_mw, "[{\"id\": 1, \"balance\": 0}]\n[{\"id\": \"1\", \"balance\": 400}]\n", "0/1 1", "got 400");
    /* final balances dumped as protobuf text are named so, not as JSON */
    static const char dumped[] = "id: 1\nbalance: 400\n";
    cr_assert_eq(bank_session_output_parse(dumped, strlen(dumped), "out", &so, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(so.format, "protobuf text, a single object, final balances");
    bank_session_output_free(&so);
}

/* rule: C13; final balances answer a customer's entry that queries: an entry of the same id
 * without a query takes none */
Test(grade_p3, final_balances_go_to_the_entry_that_queries)
{
    static const char split[] =
        "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"interface\": \"deposit\", \"money\": 10, \"dest\": 1}]},"
        " {\"id\": 1, \"type\": \"customer\", \"events\": [{\"interface\": \"query\", \"dest\": 1}]},"
        " {\"id\": 1, \"type\": \"bank\", \"balance\": 0}]";
    EXPECT(split, "{\"id\": 1, \"balance\": 10}", "1/1 0", "");
    EXPECT(split, "{\"id\": 1, \"balance\": 20}", "0/1 1", "got 20");
}

/* rule: C13; one record per entry when an id has as many records as entries: a short record
 * leaves its entry's later events missing, it does not take the next entry's record */
Test(grade_p3, a_short_record_does_not_take_the_next_entry_s)
{
    static const char twice[] =
        "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"interface\": \"deposit\", \"money\": 10, \"dest\": 1},"
        " {\"interface\": \"query\", \"dest\": 1}]},"
        " {\"id\": 1, \"type\": \"customer\", \"events\": [{\"interface\": \"query\", \"dest\": 1}]},"
        " {\"id\": 1, \"type\": \"bank\", \"balance\": 0}]";
    char s[64], d[1000];
    grade_verdicts(twice,
                   "[{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}]},\n"
                   " {\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 10}]}]\n",
                   s, d, 1);
    cr_expect_str_eq(s, "2/3 1");
    cr_expect_str_eq(d, "event 2: missing: its record (line 1) has only 1 replies");
}

/* rule: C12; a query that misses the customer's own deposit made at that very branch breaks no
 * session guarantee by name (no branch lacked it): the answer is only named impossible there */
Test(grade_p3, a_missed_deposit_at_the_same_branch_names_no_guarantee)
{
    static const char here[] =
        "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"interface\": \"deposit\", \"money\": 10, \"dest\": 1},"
        " {\"interface\": \"query\", \"dest\": 1}]},"
        " {\"id\": 1, \"type\": \"bank\", \"balance\": 0}]";
    char s[64], d[1000];
    grade_verdicts(here,
                   "[{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"},"
                   " {\"interface\": \"query\", \"balance\": 0}]}]\n",
                   s, d, 1);
    cr_expect_str_eq(s, "1/2 1");
    cr_expect_str_eq(d, "event 2: wrong value: got 0: no execution that keeps the session guarantees reads that at "
                        "branch 1; it could read 10");
}

/* rule: C13; a reply that is no object makes the file unusable, named where it is */
Test(grade_p3, a_reply_that_is_no_object)
{
    EXPECT(course_mw, "[{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, 5]}]", "unusable",
           "out:1:68: a reply of customer 1 that is not an object");
}

/* rule: C12; more events than the verdict list first holds (64): every one graded, the list
 * grown as it fills (one customer's 70 queries, then one wrong among them) */
Test(grade_p3, more_verdicts_than_the_first_allocation)
{
    enum { N = 70 };
    static char input[N * 40 + 200], output[N * 50 + 100];
    size_t in = (size_t)snprintf(input, sizeof input, "[{\"id\": 1, \"type\": \"customer\", \"events\": [");
    size_t out = (size_t)snprintf(output, sizeof output, "{\"id\": 1, \"recv\": [");
    for (int i = 0; i < N; i++) {
        in += (size_t)snprintf(input + in, sizeof input - in, "%s{\"interface\": \"query\", \"dest\": 1}", i ? ", " : "");
        out += (size_t)snprintf(output + out, sizeof output - out, "%s{\"interface\": \"query\", \"balance\": %d}",
                                i ? ", " : "", i == N - 1 ? 5 : 0);
    }
    snprintf(input + in, sizeof input - in, "]}, {\"id\": 1, \"type\": \"bank\", \"balance\": 0}]");
    snprintf(output + out, sizeof output - out, "]}");
    EXPECT(input, output, "69/70 1", "wrong value: got 5");
}

/* rule: C15; a budget spent before the search is done: the answer impossible alone is wrong, every
 * other printed answer undecided, saying how many states were visited */
Test(grade_p3, a_budget_too_small_leaves_every_printed_answer_undecided)
{
    bank_workload w;
    bank_routes rt;
    char err[400];
    static const char two[] =
        "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"interface\": \"deposit\", \"money\": 10, \"dest\": 1},"
        " {\"interface\": \"deposit\", \"money\": 20, \"dest\": 1}]},"
        " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"interface\": \"query\", \"dest\": 2}]},"
        " {\"id\": 1, \"type\": \"bank\", \"balance\": 0}, {\"id\": 2, \"type\": \"bank\", \"balance\": 0}]";
    cr_assert_eq(bank_input_parse_routed(two, strlen(two), "in", &w, &rt, err, sizeof err), 0, "%s", err);
    static const char out[] = "{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"},"
                              " {\"interface\": \"deposit\", \"result\": \"success\"}]}\n"
                              "{\"id\": 2, \"recv\": [{\"interface\": \"query\", \"balance\": 20}]}";
    bank_session_output so;
    cr_assert_eq(bank_session_output_parse(out, strlen(out), "out", &so, err, sizeof err), 0, "%s", err);
    bank_grade_report r;
    cr_assert_eq(bank_grade_p3(&w, &rt, &so, 1, &r, err, sizeof err), 0, "%s", err);
    char got[2000] = "";
    for (size_t i = 0, len = 0; i < r.n; i++)
        len += (size_t)snprintf(got + len, sizeof got - len, "%zu.%zu %s: %s\n", r.verdicts[i].entry, r.verdicts[i].event,
                                bank_verdict_name(r.verdicts[i].kind), r.verdicts[i].detail ? r.verdicts[i].detail : "");
    cr_expect_str_eq(got, "0.0 undecided: not decided: the session search visited 1 states (--budget) without an answer\n"
                          "0.1 undecided: not decided: the session search visited 1 states (--budget) without an answer\n"
                          "1.0 wrong value: got 20: no execution that keeps the session guarantees reads that at branch 2; "
                          "it could read one of 0, 10, 30\n");
    cr_expect_eq(r.n_undecided, 2);
    cr_expect_eq(r.n_wrong, 1);
    cr_expect_eq(r.n_correct, 0);
    bank_grade_report_free(&r);
    bank_session_output_free(&so);
    bank_routes_free(&rt);
    bank_workload_free(&w);
}

/* rule: C12; a query that misses several of the customer's own writes names them all, in event
 * order, up to six and then how many more */
Test(grade_p3, a_query_that_misses_many_writes_names_them)
{
    static const char two[] = "wrong value: read-your-writes broken: got 0, expected 3; the answer misses the customer's "
                              "own writes event 1 (deposit 1 at branch 1), event 2 (deposit 2 at branch 1), made before "
                              "this query at branch 2";
    static const char nine[] = "wrong value: read-your-writes broken: got 0, expected 45; the answer misses the customer's "
                               "own writes event 1 (deposit 1 at branch 1), event 2 (deposit 2 at branch 1), event 3 "
                               "(deposit 3 at branch 1), event 4 (deposit 4 at branch 1), event 5 (deposit 5 at branch 1), "
                               "event 6 (deposit 6 at branch 1) and 3 more, made before this query at branch 2";
    for (int n = 2; n <= 9; n += 7) {
        char input[2048], output[2048], summary[64], detail[1000];
        size_t in = (size_t)snprintf(input, sizeof input, "[{\"id\": 1, \"type\": \"customer\", \"events\": [");
        size_t out = (size_t)snprintf(output, sizeof output, "{\"id\": 1, \"recv\": [");
        for (int i = 0; i < n; i++) {
            in += (size_t)snprintf(input + in, sizeof input - in, "{\"interface\": \"deposit\", \"money\": %d, \"dest\": 1}, ", i + 1);
            out += (size_t)snprintf(output + out, sizeof output - out, "{\"interface\": \"deposit\", \"result\": \"success\"}, ");
        }
        snprintf(input + in, sizeof input - in, "{\"interface\": \"query\", \"dest\": 2}]},"
                 " {\"id\": 1, \"type\": \"bank\", \"balance\": 0}, {\"id\": 2, \"type\": \"bank\", \"balance\": 0}]");
        snprintf(output + out, sizeof output - out, "{\"interface\": \"query\", \"balance\": 0}]}");
        grade(input, output, summary, detail);
        cr_expect_str_eq(summary, n == 2 ? "2/3 1" : "9/10 1");
        cr_expect_str_eq(detail, n == 2 ? two : nine);
    }
}

/* rule: C13; a record of customer 0, an id no entry has: extra, in either form (0 is also what
 * an entry past the input's last would read as) */
Test(grade_p3, a_record_of_customer_0_is_extra)
{
    EXPECT(course_mw, "[{\"id\": 1, \"balance\": 0}, {\"id\": 0, \"balance\": 0}]", "1/1 1",
           "extra: a record for customer 0");
    EXPECT(course_mw,
           "{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"withdraw\","
           " \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 0}]}\n"
           "{\"id\": 0, \"recv\": [{\"interface\": \"query\", \"balance\": 0}]}\n",
           "3/3 1", "extra: a record for customer 0");
}

/* rule: C13; one record per reply, as many as the reader's list first holds (16): each reply dealt
 * to its event in order, nothing read past the list */
Test(grade_p3, sixteen_records_of_one_reply_each)
{
    static char input[16 * 60 + 200], output[16 * 80];
    size_t in = (size_t)snprintf(input, sizeof input, "[{\"id\": 1, \"type\": \"customer\", \"events\": [");
    size_t out = 0;
    for (int i = 0; i < 16; i++) {
        in += (size_t)snprintf(input + in, sizeof input - in, "%s{\"interface\": \"deposit\", \"money\": 1, \"dest\": 1}",
                               i ? ", " : "");
        out += (size_t)snprintf(output + out, sizeof output - out, "{'id': 1, 'interface': 'deposit', 'result': '%s'}\n",
                                i == 15 ? "fail" : "success");
    }
    snprintf(input + in, sizeof input - in, "]}, {\"id\": 1, \"type\": \"bank\", \"balance\": 0}]");
    EXPECT(input, output, "15/16 1", "wrong result: expected success, got fail: a deposit always succeeds");
}
