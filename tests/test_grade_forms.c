/* Output forms seen in real submissions beyond ../shared/corpus (issue 19): a query's balance
 * that is the whole response message, one object per event, an empty array, records written
 * twice, the result "pending"; and an input with a typographic quote. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade_fixture.h"

/* rule: G5 */
Test(forms, query_balance_as_the_whole_response_message)
{
    const char *text =
        "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": {\"interface\": \"query\", \"balance\": 400}}]},\n"
        " {\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"},"
        " {\"interface\": \"query\", \"balance\": {\"interface\": \"query\", \"balance\": 570}}]},\n"
        " {\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"},"
        " {\"interface\": \"query\", \"balance\": {\"result\": {\"money\": 500}, \"money\": 500}}]}]\n";
    bank_student_output so;
    read_ok(text, &so);
    cr_expect(strstr(so.format, "query balance as the whole response message") != NULL, "%s", so.format);
    cr_expect(so.records[0].replies[0].has_value && so.records[0].replies[0].value == 400);
    bank_student_output_free(&so);
    bank_grade_report r = grade_text(sample_input, text, BANK_GRADE_EXACT, BANK_SCHEDULE_SEQUENTIAL);
    cr_expect_eq(r.n_correct, 5);
    bank_grade_report_free(&r);
}

/* rule: G5; an object in a balance's place that holds no balance or money is no balance: the
 * reply's other keys are read for one (here "money"), and a reply with none has none */
Test(forms, a_balance_object_without_a_balance_is_no_balance)
{
    const char *text = "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": {\"interface\": \"query\"}, "
                       "\"money\": 400}, {\"interface\": \"query\", \"balance\": {\"interface\": \"query\"}}]}]\n";
    bank_student_output so;
    read_ok(text, &so);
    cr_assert_eq(so.n_records, 1);
    cr_assert_eq(so.records[0].n_replies, 2);
    cr_expect(so.records[0].replies[0].has_value && so.records[0].replies[0].value == 400,
              "the balance under \"money\" was not read");
    cr_expect(!so.records[0].replies[1].has_value, "a balance read from an object without one");
    bank_student_output_free(&so);
}

/* rule: G4 */
Test(forms, one_object_per_event_grouped_by_customer_in_file_order)
{
    /* interleaved as a live run logs them; balances as strings */
    const char *text =
        "[{\"id\": 2, \"interface\": \"deposit\", \"result\": \"success\"},\n"
        " {\"id\": 1, \"interface\": \"query\", \"result\": \"success\", \"balance\": \"570\"},\n"
        " {\"id\": 3, \"interface\": \"withdraw\", \"result\": \"success\"},\n"
        " {\"id\": 2, \"interface\": \"query\", \"result\": \"success\", \"balance\": \"500\"},\n"
        " {\"id\": 3, \"interface\": \"query\", \"result\": \"success\", \"balance\": \"500\"}]\n";
    bank_student_output so;
    read_ok(text, &so);
    cr_expect(strstr(so.format, "one object per event (grouped by customer id)") != NULL, "%s", so.format);
    cr_assert_eq(so.n_records, 3);
    cr_expect_eq(so.records[0].id, 2);
    cr_expect_eq(so.records[0].n_replies, 2);
    cr_expect_eq(so.records[0].line, 1);
    cr_expect_eq(so.records[1].id, 1);
    bank_student_output_free(&so);
    bank_grade_report r = grade_text(sample_input, text, BANK_GRADE_CONSISTENT, BANK_SCHEDULE_SEQUENTIAL);
    cr_expect_eq(r.n_correct, 5, "%zu/5", r.n_correct);
    cr_expect_eq(r.n_wrong, 0);
    bank_grade_report_free(&r);
}

/* rule: G4, G6 */
Test(forms, one_object_per_event_shared_by_entries_of_one_id)
{
    /* customer 1 twice: deposit 10 then query, withdraw 10 then query */
    const char *input =
        "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"deposit\", \"money\": 10},"
        " {\"id\": 2, \"interface\": \"query\"}]},\n"
        " {\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 3, \"interface\": \"withdraw\", \"money\": 10},"
        " {\"id\": 4, \"interface\": \"query\"}]},\n"
        " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}]";
    const char *text = "{\"id\": 1, \"interface\": \"deposit\", \"result\": \"success\"}\n"
                       "{\"id\": 1, \"interface\": \"query\", \"balance\": 410}\n"
                       "{\"id\": 1, \"interface\": \"withdraw\", \"result\": \"success\"}\n"
                       "{\"id\": 1, \"interface\": \"query\", \"balance\": 400}\n"
                       "{\"id\": 1, \"interface\": \"query\", \"balance\": 400}\n";
    bank_grade_report r = grade_text(input, text, BANK_GRADE_CONSISTENT, BANK_SCHEDULE_SEQUENTIAL);
    cr_expect_eq(r.n_correct, 4, "%zu/4", r.n_correct);
    /* the last entry takes the rest: one reply beyond its events */
    size_t extra = 0;
    for (size_t i = 0; i < r.n; i++) extra += r.verdicts[i].kind == BANK_VERDICT_EXTRA;
    cr_expect_eq(extra, 1);
    const bank_verdict *v = verdict_for(&r, 1, 3);
    cr_assert_not_null(v);
    cr_expect_eq(v->line, 3);
    bank_grade_report_free(&r);
}

/* rule: G4, G8 */
Test(forms, an_empty_array_is_usable_and_every_event_missing)
{
    const char *forms[] = {"[]", "[]\n", "  [ ]  \n", "[[]]"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        bank_student_output so;
        read_ok(forms[i], &so);
        cr_expect_eq(so.n_records, 0);
        cr_expect(strstr(so.format, "empty: no record") != NULL, "%s", so.format);
        bank_student_output_free(&so);
        bank_grade_report r = grade_text(sample_input, forms[i], BANK_GRADE_CONSISTENT, BANK_SCHEDULE_SEQUENTIAL);
        cr_expect_eq(r.n_correct, 0);
        cr_expect_eq(r.n_wrong, 5);
        expect_verdict(&r, 2, 3, BANK_VERDICT_MISSING, "no record");
        bank_grade_report_free(&r);
    }
    /* an array of something else is still no record at all */
    read_fails("[1, 2]", "expected a customer's");
}

/* rule: G7 */
Test(forms, records_written_twice_back_to_back_are_graded_once)
{
    const char *text = "{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}]}\n"
                       "{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}]}\n"
                       "{\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 570}]}\n"
                       "{\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 570}]}\n"
                       "{\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 500}]}\n"
                       "{\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 500}]}\n";
    bank_grade_report r = grade_text(sample_input, text, BANK_GRADE_EXACT, BANK_SCHEDULE_SEQUENTIAL);
    cr_expect_eq(r.n_correct, 5);
    cr_expect_eq(r.n_wrong, 0);
    cr_expect(r.repeated_records);
    cr_expect(!r.merged_snapshots);
    bank_grade_report_free(&r);
}

/* rule: G5 */
Test(forms, pending_is_a_write_that_was_applied)
{
    const char *text = "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}]},"
                       " {\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"PENDING\"}, {\"interface\": \"query\", \"balance\": 570}]},"
                       " {\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": {\"status\": \"pending\"}}, {\"interface\": \"query\", \"balance\": 500}]}]";
    bank_student_output so;
    read_ok(text, &so);
    cr_expect_eq(so.records[1].replies[0].result, BANK_SAID_SUCCESS);
    cr_expect_eq(so.records[2].replies[0].result, BANK_SAID_SUCCESS);
    cr_expect(strstr(so.format, "result pending read as applied") != NULL, "%s", so.format);
    bank_student_output_free(&so);
    bank_grade_report r = grade_text(sample_input, text, BANK_GRADE_EXACT, BANK_SCHEDULE_SEQUENTIAL);
    cr_expect_eq(r.n_correct, 5);
    bank_grade_report_free(&r);
}

/* rule: I2 */
Test(forms, a_typographic_quote_in_the_input_is_named)
{
    const char *cases[][2] = {
        {"[{\"id\": 1, \xE2\x80\x9Ctype\xE2\x80\x9D: \"branch\", \"balance\": 1}]",
         "in.json:1:12: not valid JSON: unexpected character \xE2\x80\x9C (U+201C), a typographic quote: JSON needs the straight \""},
        {"[{\"id\": 1, \"type\": \xE2\x80\x98" "branch\", \"balance\": 1}]",
         "in.json:1:20: not valid JSON: unexpected character \xE2\x80\x98 (U+2018), a typographic apostrophe"},
        {"[{\"id\": 1,\xC2\xA0\"type\": \"branch\", \"balance\": 1}]",
         "in.json:1:11: not valid JSON: unexpected character \xC2\xA0 (U+00A0), a no-break space"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bank_workload w;
        char err[512] = "";
        cr_expect_eq(bank_input_parse(cases[i][0], strlen(cases[i][0]), "in.json", &w, err, sizeof err), -1);
        cr_expect(strstr(err, cases[i][1]) == err, "case %zu: \"%s\", expected \"%s\"", i, err, cases[i][1]);
    }
}

static void expect_extra_detail(const bank_grade_report *r, const char *want)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->verdicts[i].kind == BANK_VERDICT_EXTRA) {
            cr_expect(r->verdicts[i].detail && strcmp(r->verdicts[i].detail, want) == 0, "\"%s\", expected \"%s\"",
                      r->verdicts[i].detail ? r->verdicts[i].detail : "", want);
            cr_expect_eq(r->verdicts[i].count, 0);
            return;
        }
    cr_expect_fail("no extra verdict");
}

/* rule: G20 */
Test(forms, a_run_of_extra_replies_is_one_verdict)
{
    /* customer 1 has one event; its record holds 1 + 5000 replies, as a runaway loop writes */
    size_t extra = 5000, cap = 200 + 48 * (extra + 1);
    char *text = malloc(cap);
    cr_assert_not_null(text);
    size_t n = (size_t)snprintf(text, cap, "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}");
    for (size_t i = 0; i < extra; i++) n += (size_t)snprintf(text + n, cap - n, ", {\"interface\": \"query\", \"balance\": 400}");
    snprintf(text + n, cap - n, "]}]");
    bank_grade_report r = grade_text(sample_input, text, BANK_GRADE_CONSISTENT, BANK_SCHEDULE_SEQUENTIAL);
    size_t runs = 0;
    for (size_t i = 0; i < r.n; i++) {
        const bank_verdict *v = &r.verdicts[i];
        if (v->kind != BANK_VERDICT_EXTRA) continue;
        runs++;
        cr_expect_eq(v->count, extra);
        cr_expect(v->detail && strstr(v->detail, "replies 2 to 5001 of a customer with 1 events (5000 extra replies"),
                  "%s", v->detail ? v->detail : "");
        cr_expect_eq(v->col, 61, "the first extra reply's place, got column %d", v->col);
    }
    cr_expect_eq(runs, 1);
    cr_expect_eq(r.n_wrong, extra + 4, "5000 extra replies and four missing events, got %zu", r.n_wrong);
    bank_grade_report_free(&r);
    free(text);
    /* one extra reply keeps its own wording */
    r = grade_text(sample_input,
                   "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}, {\"interface\": \"query\", \"balance\": 400}]}]",
                   BANK_GRADE_CONSISTENT, BANK_SCHEDULE_SEQUENTIAL);
    expect_extra_detail(&r, "reply 2 of a customer with 1 events");
    bank_grade_report_free(&r);
}

/* rule: G4, G5; one object per event of many customers (past the id table's first growth), ids
 * written as strings, a balance key holding no number passed over for the next key */
Test(forms, one_object_per_event_of_forty_customers)
{
    char text[16384];
    size_t n = (size_t)snprintf(text, sizeof text, "[");
    for (int round = 0; round < 2; round++)
        for (int id = 1; id <= 40; id++)
            n += (size_t)snprintf(text + n, sizeof text - n,
                                  "{\"id\": %s%d%s, \"interface\": \"query\", \"balance\": \"n/a\", \"money\": %d},\n",
                                  id % 2 ? "\"" : "", id, id % 2 ? "\"" : "", 100 * round + id);
    snprintf(text + n - 2, sizeof text - (n - 2), "]\n");
    bank_student_output so;
    read_ok(text, &so);
    cr_assert_eq(so.n_records, 40);
    for (size_t i = 0; i < 40; i++) {
        const bank_record *rec = &so.records[i];
        cr_expect_eq(rec->id, (int64_t)i + 1);
        cr_assert_eq(rec->n_replies, 2, "customer %zu", i + 1);
        for (size_t k = 0; k < 2; k++) {
            cr_expect(rec->replies[k].has_value, "customer %zu reply %zu", i + 1, k);
            cr_expect_eq(rec->replies[k].value, (int64_t)(100 * k + i + 1));
        }
    }
    bank_student_output_free(&so);
}
