/* The grader: the tolerant reader on every output form students write, and every verdict kind
 * on hand-made outputs of the course sample. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/claim_alone.h"
#include "core/consistency.h"

#include "grade_fixture.h"

/* Every form below writes the sequential answers 400 / 570 / 500. */
static void expect_sequential_sample(const char *text)
{
    bank_grade_report r = grade_text(sample_input, text, BANK_GRADE_EXACT, BANK_SCHEDULE_SEQUENTIAL);
    cr_expect_eq(r.n_correct, 5, "%zu/5 correct for:\n%s", r.n_correct, text);
    cr_expect_eq(r.n_wrong, 0);
    bank_grade_report_free(&r);
}

/* text is read as the sample's three customers, in a form its description names with `said`,
 * and grades as the sequential sample. */
static void expect_sample_read_as(const char *text, const char *said)
{
    bank_student_output so;
    read_ok(text, &so);
    cr_expect(strstr(so.format, said) != NULL, "%s", so.format);
    cr_expect_eq(so.n_records, 3);
    bank_student_output_free(&so);
    expect_sequential_sample(text);
}

/* ---- the reader, one test per form ---- */

/* rule: G2, G5 */
Test(reader, json_array_pretty_result_balance)
{
    expect_sequential_sample(
        "[\n  {\n    \"id\": 1,\n    \"recv\": [\n      {\"interface\": \"query\", \"result\": {\"balance\": 400}}\n    ]\n  },\n"
        "  {\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"result\": {\"balance\": 570}}]},\n"
        "  {\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"result\": {\"balance\": 500}}]}\n]\n");
}

/* rule: G2, G5 */
Test(reader, json_array_one_line_balance_no_result)
{
    expect_sequential_sample(
        "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}]}, {\"id\": 2, \"recv\": [{\"interface\": "
        "\"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 570}]}, {\"id\": 3, \"recv\": "
        "[{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 500}]}]");
}

/* rule: G2, G5 */
Test(reader, json_lines_money_float_and_key_order)
{
    bank_student_output so;
    const char *text =
        "{\"recv\": [{\"money\": 400.0, \"result\": \"success\", \"interface\": \"query\"}], \"id\": 1}\n"
        "{\"id\":2,\"recv\":[{\"interface\":\"deposit\",\"result\":\"success\",\"money\":170},{\"interface\":\"query\",\"result\":\"success\",\"money\":570.0}]}\n"
        "{\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"result\": \"success\", \"money\": 500}]}\n";
    read_ok(text, &so);
    cr_expect(strstr(so.format, "one object a line") != NULL, "%s", so.format);
    cr_expect_eq(so.n_records, 3);
    cr_expect_eq(so.records[0].replies[0].value, 400);
    cr_expect(so.records[0].replies[0].value_is_integer);
    bank_student_output_free(&so);
    expect_sequential_sample(text);
}

/* rule: G2 */
Test(reader, python_repr_lines_with_and_without_spaces)
{
    const char *text =
        "{'id': 1, 'recv': [{'interface': 'query', 'result': 'success', 'money': 400}]}\n"
        "{'id':2,'recv':[{'interface':'deposit','result':'success'},{'interface':'query','result':'success','money':570}]}\n"
        "{'id': 3, 'recv': [{'interface': 'withdraw', 'result': 'success', 'ok': True, 'note': None}, "
        "{'interface': 'query', 'result': 'success', 'money': 500,}]}\n";
    expect_sample_read_as(text, "Python literals");
}

/* rule: G5 */
Test(reader, uppercase_and_capitalised_words)
{
    expect_sequential_sample(
        "{\"id\": 1, \"recv\": [{\"interface\": \"QUERY\", \"result\": \"SUCCESS\", \"money\": 400}]}\n"
        "{\"id\": 2, \"recv\": [{\"interface\": \"Deposit\", \"result\": \"Success\"}, {\"interface\": \"QUERY\", \"result\": \"SUCCESS\", \"money\": 570}]}\n"
        "{\"id\": 3, \"recv\": [{\"interface\": \"WITHDRAW\", \"result\": \"SUCCESS\"}, {\"interface\": \"QUERY\", \"money\": 500}]}\n");
}

/* rule: G5 */
Test(reader, balance_inside_result_string_and_balance_as_string)
{
    const char *text =
        "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"result\": \"balance: 400.0\"}]}, "
        "{\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": \"570\"}]}, "
        "{\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": {\"status\": \"success\"}}, {\"interface\": \"query\", \"result\": {\"balance\": 500}}]}]";
    bank_student_output so;
    read_ok(text, &so);
    cr_expect(strstr(so.format, "balance inside the result string") != NULL, "%s", so.format);
    cr_expect(strstr(so.format, "balance as a string") != NULL, "%s", so.format);
    cr_expect(strstr(so.format, "result as an object") != NULL, "%s", so.format);
    bank_student_output_free(&so);
    expect_sequential_sample(text);
}

/* rule: G6 */
Test(reader, customers_in_any_order)
{
    expect_sequential_sample(
        "{\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 500}]}\n"
        "{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}]}\n"
        "{\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 570}]}\n");
}

/* rule: G3 */
Test(reader, arrays_glued_grade_the_last_run)
{
    /* a first run with left-over state (600 / 770 / 700), then the right one */
    const char *text =
        "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 600}]}, {\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 770}]}, {\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 700}]}]"
        "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}]}, {\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 570}]}, {\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 500}]}]";
    expect_sample_read_as(text, "2 runs appended (graded the last)");
}

/* rule: G2 */
Test(reader, log_lines_before_and_after)
{
    const char *text =
        "Starting server. Listening on port 50051\nINFO branch 2 up\n"
        "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}]},\n"
        " {\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 570}]},\n"
        " {\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 500}]}]\n"
        "done in 3.2 s\n";
    expect_sample_read_as(text, "other lines skipped");
}

/* rule: G7 */
Test(reader, snapshot_lines_of_a_growing_list)
{
    /* one line per snapshot: customer 2's list printed after each reply */
    bank_grade_report r = grade_text(
        sample_input,
        "{\"id\": 1, \"recv\": [{\"interface\": \"QUERY\", \"result\": \"SUCCESS\", \"money\": 400}]}\n"
        "{\"id\": 2, \"recv\": [{\"interface\": \"DEPOSIT\", \"result\": \"SUCCESS\"}]}\n"
        "{\"id\": 3, \"recv\": [{\"interface\": \"WITHDRAW\", \"result\": \"SUCCESS\"}]}\n"
        "{\"id\": 2, \"recv\": [{\"interface\": \"DEPOSIT\", \"result\": \"SUCCESS\"}, {\"interface\": \"QUERY\", \"result\": \"SUCCESS\", \"money\": 570}]}\n"
        "{\"id\": 3, \"recv\": [{\"interface\": \"WITHDRAW\", \"result\": \"SUCCESS\"}, {\"interface\": \"QUERY\", \"result\": \"SUCCESS\", \"money\": 500}]}\n",
        BANK_GRADE_EXACT, BANK_SCHEDULE_SEQUENTIAL);
    cr_expect_eq(r.n_correct, 5);
    cr_expect_eq(r.n_wrong, 0);
    cr_expect(r.merged_snapshots);
    bank_grade_report_free(&r);
}

/* rule: G2; only a record of the same id is a later snapshot: another customer's list that
 * happens to begin with the same replies drops nothing, and the id's surplus record is extra */
Test(reader, a_snapshot_is_of_the_same_id)
{
    bank_grade_report r = grade_text(
        sample_input,
        "{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}]}\n"
        "{\"id\": 2, \"recv\": [{\"interface\": \"query\", \"balance\": 400}, {\"interface\": \"query\", \"balance\": 570}]}\n"
        "{\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 500}]}\n"
        "{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 999}]}\n",
        BANK_GRADE_EXACT, BANK_SCHEDULE_SEQUENTIAL);
    expect_verdict(&r, 1, 1, BANK_VERDICT_OK, NULL);
    expect_verdict(&r, 2, 2, BANK_VERDICT_WRONG_INTERFACE, "expected deposit");
    expect_verdict(&r, 2, 3, BANK_VERDICT_OK, NULL);
    cr_expect_eq(r.n_correct, 4);
    cr_expect(!r.merged_snapshots && !r.repeated_records);
    cr_assert_eq(r.verdicts[r.n - 1].kind, BANK_VERDICT_EXTRA);
    cr_expect_eq(r.verdicts[r.n - 1].customer_id, 1);
    cr_expect_eq(r.verdicts[r.n - 1].line, 4);
    bank_grade_report_free(&r);
}

/* rule: G2; records one a line, each followed by a comma (printed as items of a list) */
Test(reader, records_separated_by_commas)
{
    expect_sequential_sample("{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}]},\n"
                             "{\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, "
                             "{\"interface\": \"query\", \"balance\": 570}]},\n"
                             "{\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, "
                             "{\"interface\": \"query\", \"balance\": 500}]},\n");
}

/* rule: G2 */
Test(reader, protobuf_text_dump)
{
    const char *text = "id: 1, recv:[id: 1\ninterface: query\nmoney: 400\nresult: success\n]"
                       "id: 2, recv:[id: 2\ninterface: deposit\nresult: success\n, id: 2\ninterface: query\nmoney: 570\nresult: success\n]"
                       "id: 3, recv:[id: 3\ninterface: withdraw\nresult: success\n, id: 3\ninterface: query\nmoney: 500\nresult: success\n]\n";
    expect_sample_read_as(text, "protobuf text dump");
    bank_student_output so;
    /* spaces or a tab between the first name and its ':' */
    static const char *const spaced[] = {"id : 1, recv:[id: 1\ninterface: query\nmoney: 400\nresult: success\n]\n",
                                         "id\t: 1, recv:[id: 1\ninterface: query\nmoney: 400\nresult: success\n]\n"};
    for (size_t i = 0; i < 2; i++) {
        read_ok(spaced[i], &so);
        cr_expect(strstr(so.format, "protobuf text dump") != NULL, "%s", so.format);
        cr_expect(so.n_records == 1 && so.records[0].n_replies == 1, "%s", spaced[i]);
        bank_student_output_free(&so);
    }
    /* protobuf text allows single quotes too: still a protobuf text dump, not Python */
    read_ok("id: 1, recv:[id: 1\ninterface: 'query'\nmoney: 400\nresult: 'success'\n]\n", &so);
    cr_expect(strstr(so.format, "protobuf text dump") != NULL, "%s", so.format);
    cr_expect(strstr(so.format, "Python") == NULL, "%s", so.format);
    cr_expect(so.n_records == 1 && so.records[0].n_replies == 1);
    bank_student_output_free(&so);
}

/* rule: G4 */
Test(reader, single_object)
{
    bank_student_output so;
    read_ok("{\n  \"id\": 1,\n  \"recv\": [{\"interface\": \"query\", \"balance\": 400}]\n}\n", &so);
    cr_expect_eq(so.n_records, 1);
    cr_expect(strstr(so.format, "a single object") != NULL, "%s", so.format);
    bank_student_output_free(&so);
}

/* rule: G2, G4 */
Test(reader, unreadable_files_name_line_and_column)
{
    read_fails("{'id': 1, 'recv': [{'interface': 'query', result: 'success', 'money': 440.0}]}\n",
               "out:1:43: the key result is not quoted");
    read_fails("[{\"id\": 1, \"recv\": [{\"interface\": \"query\" \"balance\": 400}]}]",
               "out:1:43: expected ',' or '}'");
    read_fails("[{\"id\": 1, \"recv\": [\n", "out:2:1: expected a value, found the end of the file");
    read_fails("[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": \"400}]}]", "a string that is never closed");
    read_fails("nothing here\nat all\n", "out:1:1: no JSON, Python or protobuf-text value");
    read_fails("[{\"recv\": []}]", "out:1:2: an object without \"id\"");
    read_fails("[{\"id\": 1}]", "the record of customer 1 has no \"recv\" list");
    read_fails("[{\"id\": \"one\", \"recv\": []}]", "\"id\" is not a whole number");
    read_fails("[{\"id\": 1.5, \"recv\": []}]", "out:1:9: \"id\" is not a whole number");
    read_fails("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "nested more than 64 deep");
    /* the protobuf text dump bounds its nesting too, lists in lists included */
    char deep[128] = "id: 1, recv:";
    memset(deep + strlen(deep), '[', 70);
    read_fails(deep, "out:1:77: values nested more than 64 deep");
    read_fails("[1, 2]", "expected a customer's {\"id\", \"recv\"} object");
    read_fails("id: 1, recv:[]\n7\n", "out:2:1: expected a field name, found '7'");
    /* "name: value" is the dump's first line only when the name is one: "1: 2" is no dump */
    read_fails("1: 2\n", "out:1:1: no JSON, Python or protobuf-text value in the file");
    /* a NUL byte is a byte like any other, not the end of the file */
    static const char nul[] = "[{\"id\": 1, \"recv\": [\0]}]";
    char err[512] = "";
    bank_student_output bad;
    cr_expect_eq(bank_student_output_parse(nul, sizeof nul - 1, "out", &bad, err, sizeof err), -1);
    cr_expect_str_eq(err, "out:1:21: expected a value, found byte 0x00");
    /* a sign must come with a number; one before a fraction is one (Python reads -.5) */
    read_fails("[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": -x}]}]",
               "out:1:55: a sign without a number");
    read_fails("[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 4e}]}]",
               "out:1:55: a number with an empty exponent");
    bank_student_output so;
    read_ok("[{'id': 1, 'recv': [{'interface': 'query', 'balance': -.5}]}]", &so);
    cr_expect(so.n_records == 1 && so.records[0].n_replies == 1 && so.records[0].replies[0].value_real == -0.5,
              "-.5 read as -0.5");
    bank_student_output_free(&so);
    read_ok("[{'id': 1, 'recv': [{'interface': 'query', 'balance': 400}]}]", &so);
    cr_expect(so.n_records == 1 && so.records[0].n_replies == 1 && so.records[0].replies[0].value == 400 &&
                  so.records[0].replies[0].value_real == 400.0,
              "a whole number read as one, its real value too");
    bank_student_output_free(&so);
}

/* rule: G2; escapes decode to UTF-8: JSON's \\u, a surrogate pair as the one character it
 * stands for; Python's \\x; any other backslash kept as written */
Test(reader, escapes_decode_to_utf8)
{
    bank_student_output so;
    read_ok("[{\"id\": 1, \"recv\": [{\"interface\": \"\\u0071\\u00e9\\u20ac\\ud83d\\ude00\\ud800\\udc00\\q\", \"balance\": 400},"
            " {\"interface\": 'a\\xe9\\x41\\ud83d\\u0041'}]}]", &so);
    cr_assert(so.n_records == 1 && so.records[0].n_replies == 2);
    cr_expect_str_eq(so.records[0].replies[0].interface, "q\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf0\x90\x80\x80\\q");
    /* a high surrogate without its low half stays what it was */
    cr_expect_str_eq(so.records[0].replies[1].interface, "a\xc3\xa9" "A\xed\xa0\xbd" "A");
    bank_student_output_free(&so);
}

/* rule: G2; each \\u escape at the edges of UTF-8's 1, 2, 3 and 4 byte forms */
Test(reader, escapes_at_each_utf8_length_edge)
{
    bank_student_output so;
    read_ok("[{\"id\": 1, \"recv\": [{\"interface\": \"\\u007f\\u0080\\u07ff\\u0800\\uffff\\ud800\\udc00\\udbff\\udfff\", "
            "\"balance\": 400}]}]", &so);
    cr_assert(so.n_records == 1 && so.records[0].n_replies == 1);
    cr_expect_str_eq(so.records[0].replies[0].interface,
                     "\x7f" "\xc2\x80" "\xdf\xbf" "\xe0\xa0\x80" "\xef\xbf\xbf" "\xf0\x90\x80\x80" "\xf4\x8f\xbf\xbf");
    bank_student_output_free(&so);
}

/* ---- verdicts ---- */

/* rule: G8, G9, G13 */
Test(verdicts, every_kind_on_one_wrong_output)
{
    /* c1's query right; c2's deposit claims fail (wrong result), its query missing; c3's first
     * reply names deposit (wrong interface), its query is right for sequential; an extra reply
     * and an extra record for customer 9. */
    bank_grade_report r = grade_text(
        sample_input,
        "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}]},"
        " {\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"fail\"}]},"
        " {\"id\": 3, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 500},"
        "                      {\"interface\": \"query\", \"balance\": 500}]},"
        " {\"id\": 9, \"recv\": []}]",
        BANK_GRADE_EXACT, BANK_SCHEDULE_SEQUENTIAL);
    expect_verdict(&r, 1, 1, BANK_VERDICT_OK, NULL);
    expect_verdict(&r, 2, 2, BANK_VERDICT_WRONG_RESULT, "expected success, got fail");
    expect_verdict(&r, 2, 3, BANK_VERDICT_MISSING, "only 1 replies");
    expect_verdict(&r, 3, 4, BANK_VERDICT_WRONG_INTERFACE, "expected withdraw, got \"deposit\"");
    expect_verdict(&r, 3, 5, BANK_VERDICT_OK, NULL);
    size_t extras = 0;
    for (size_t i = 0; i < r.n; i++)
        if (r.verdicts[i].kind == BANK_VERDICT_EXTRA) extras++;
    cr_expect_eq(extras, 2, "an extra reply of customer 3 and an extra record of customer 9");
    cr_expect_eq(r.n_correct, 2);
    cr_expect_eq(r.n_events, 5);
    cr_expect_eq(r.n_wrong, 5);
    cr_expect_eq(r.verdicts[r.first_wrong].customer_id, 2);
    bank_grade_report_free(&r);
}

/* rule: G9 */
Test(verdicts, wrong_value_exact_names_expected_and_got)
{
    /* the rounds answers judged against the sequential run */
    bank_grade_report r = grade_text(
        sample_input,
        "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 500}]},"
        " {\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 500}]},"
        " {\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 500}]}]",
        BANK_GRADE_EXACT, BANK_SCHEDULE_SEQUENTIAL);
    expect_verdict(&r, 1, 1, BANK_VERDICT_WRONG_VALUE, "expected 400, got 500");
    expect_verdict(&r, 2, 3, BANK_VERDICT_WRONG_VALUE, "expected 570, got 500");
    expect_verdict(&r, 3, 5, BANK_VERDICT_OK, NULL);
    bank_grade_report_free(&r);
}

/* rule: G10, S8 */
Test(verdicts, consistent_accepts_both_readings)
{
    const char *rounds =
        "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 500}]},"
        " {\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 500}]},"
        " {\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 500}]}]";
    const char *sequential =
        "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}]},"
        " {\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 570}]},"
        " {\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 500}]}]";
    /* c3 first (330), then c2 (500), then c1 (500): neither schedule, but legal */
    const char *other =
        "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 500}]},"
        " {\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 500}]},"
        " {\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 330}]}]";
    const char *texts[] = {rounds, sequential, other};
    for (size_t i = 0; i < 3; i++) {
        bank_grade_report r = grade_text(sample_input, texts[i], BANK_GRADE_CONSISTENT, 0);
        cr_expect_eq(r.n_correct, 5, "text %zu: %zu/5", i, r.n_correct);
        cr_expect_eq(r.n_wrong, 0);
        bank_grade_report_free(&r);
    }
    bank_grade_report r = grade_text(sample_input, other, BANK_GRADE_EXACT, BANK_SCHEDULE_ROUNDS);
    expect_verdict(&r, 3, 5, BANK_VERDICT_WRONG_VALUE, "expected 500, got 330");
    bank_grade_report_free(&r);
}

/* rule: G11 */
Test(verdicts, consistent_rejects_an_impossible_value_with_what_was_possible)
{
    /* 400 after its own deposit of 170 is impossible: only 570 or 500 */
    bank_grade_report r = grade_text(
        sample_input,
        "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}]},"
        " {\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 400}]},"
        " {\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 190}]}]",
        BANK_GRADE_CONSISTENT, 0);
    expect_verdict(&r, 1, 1, BANK_VERDICT_OK, NULL);
    expect_verdict(&r, 2, 3, BANK_VERDICT_WRONG_VALUE, "it could read 500 or 570");
    /* its own withdrawal may be the wrong answer too (it may have failed): 400 and 570 count */
    expect_verdict(&r, 3, 5, BANK_VERDICT_WRONG_VALUE, "it could read one of 330, 400, 500, 570");
    bank_grade_report_free(&r);
}

/* rule: G15, G16, G17 */
Test(verdicts, consistent_sets_aside_the_earliest_smallest_set)
{
    /* Each value is possible alone, but not together: c1 read 570 (it saw c2's deposit and not
     * c3's withdraw) while c2 read 500 (it saw c3's withdraw) and c3 read 330 (it did not see
     * c2's deposit). Setting aside c1's answer or c3's leaves the rest consistent; c1's comes
     * first in the file. */
    const char *c1 = "{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 570}]}";
    const char *c2 = "{\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 500}]}";
    const char *c3 = "{\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 330}]}";
    char text[1024];
    snprintf(text, sizeof text, "%s\n%s\n%s\n", c1, c2, c3);
    bank_grade_report r = grade_text(sample_input, text, BANK_GRADE_CONSISTENT, 0);
    cr_expect_eq(r.n_wrong, 1, "one answer is set aside, %zu were", r.n_wrong);
    expect_verdict(&r, 1, 1, BANK_VERDICT_WRONG_VALUE, "not together with the other answers");
    expect_verdict(&r, 1, 1, BANK_VERDICT_WRONG_VALUE, "the witness execution reads 500 here");
    expect_verdict(&r, 3, 5, BANK_VERDICT_OK, NULL);
    cr_expect(r.smallest && r.earliest);
    cr_expect_eq(r.n_witness, 5);
    bank_grade_report_free(&r);
    /* the same answers with c3's record first in the file: now c3's answer goes */
    snprintf(text, sizeof text, "%s\n%s\n%s\n", c3, c1, c2);
    r = grade_text(sample_input, text, BANK_GRADE_CONSISTENT, 0);
    cr_expect_eq(r.n_wrong, 1);
    expect_verdict(&r, 3, 5, BANK_VERDICT_WRONG_VALUE, "the witness execution reads 500 here");
    expect_verdict(&r, 1, 1, BANK_VERDICT_OK, NULL);
    bank_grade_report_free(&r);
}

/* rule: G11 */
Test(consistency, alone_lists_the_balances_an_answer_could_see)
{
    /* c1's query, with c2 before or after its deposit and c3 before or after its withdrawal */
    bank_workload w = load(sample_input);
    bank_alone a;
    cr_assert_eq(bank_alone_build(&w, &a), 0);
    int64_t v[8];
    size_t n;
    uint64_t total;
    int exact;
    int64_t highest;
    cr_assert_eq(bank_alone_balances(&a, 0, 0, v, 8, &n, &total, &highest, &exact), 0);
    cr_expect_eq(highest, 570);
    int64_t want[] = {330, 400, 500, 570};
    cr_assert_eq(n, 4);
    cr_expect_eq(total, 4);
    cr_expect(exact);
    for (size_t i = 0; i < 4; i++) cr_expect_eq(v[i], want[i]);
    bank_claim q = {1, 1, 410, 0};
    cr_expect_eq(bank_alone_possible(&a, &q, 0, 0), 0, "410 is none of them");
    q.balance = 330;
    cr_expect_eq(bank_alone_possible(&a, &q, 0, 0), 1);
    bank_alone_free(&a);
    bank_workload_free(&w);
}

/* rule: G9, G10, G11, P9 */
Test(verdicts, failed_withdrawal_judged_by_the_balance)
{
    /* one branch at 100; two customers each withdraw 80: exactly one can succeed */
    const char *input =
        "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"withdraw\", \"money\": 80}]},"
        " {\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"withdraw\", \"money\": 80}]},"
        " {\"id\": 1, \"type\": \"branch\", \"balance\": 100}]";
    const char *one_fails = "[{\"id\": 1, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"fail\"}]},"
                            " {\"id\": 1, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}]}]";
    bank_grade_report r = grade_text(input, one_fails, BANK_GRADE_CONSISTENT, 0);
    cr_expect_eq(r.n_correct, 2);
    bank_grade_report_free(&r);
    r = grade_text(input, one_fails, BANK_GRADE_EXACT, BANK_SCHEDULE_SEQUENTIAL);
    expect_verdict(&r, 1, 1, BANK_VERDICT_WRONG_RESULT, "expected success, got fail");
    expect_verdict(&r, 1, 2, BANK_VERDICT_WRONG_RESULT, "expected fail, got success");
    bank_grade_report_free(&r);
    const char *both = "[{\"id\": 1, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}]},"
                       " {\"id\": 1, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}]}]";
    r = grade_text(input, both, BANK_GRADE_CONSISTENT, 0);
    cr_expect_eq(r.n_wrong, 1, "one of two overdrawing withdrawals is blamed");
    bank_grade_report_free(&r);
}

/* rule: G8; a balance past int64 is no balance, written as the student wrote it; 2^63 itself,
 * the first whole number past the largest, is not taken for one (the reader's boundary) */
Test(verdicts, a_balance_past_int64_is_too_large)
{
    bank_grade_report r = grade_text(
        sample_input,
        "[{'id': 1, 'recv': [{'interface': 'query', 'balance': 9223372036854775808}]},"
        " {'id': 2, 'recv': [{'interface': 'deposit', 'result': 'success'}, {'interface': 'query', 'balance': 1e30}]},"
        " {'id': 3, 'recv': [{'interface': 'withdraw', 'result': 'success'}, {'interface': 'query', 'balance': -9223372036854775808}]}]",
        BANK_GRADE_CONSISTENT, 0);
    expect_verdict(&r, 1, 1, BANK_VERDICT_WRONG_VALUE,
                   "got 9223372036854775808: no balance is that large (a 64-bit whole number)");
    expect_verdict(&r, 2, 3, BANK_VERDICT_WRONG_VALUE, "got 1e+30: no balance is that large");
    expect_verdict(&r, 3, 5, BANK_VERDICT_WRONG_VALUE, "got -9223372036854775808: no execution reads that");
    bank_grade_report_free(&r);
}

/* rule: G8 */
Test(verdicts, query_without_value_and_fractional_value)
{
    bank_grade_report r = grade_text(
        sample_input,
        "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"result\": {\"status\": \"success\"}}]},"
        " {\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"done\"}, {\"interface\": \"query\", \"balance\": 570.5}]}]",
        BANK_GRADE_CONSISTENT, 0);
    expect_verdict(&r, 1, 1, BANK_VERDICT_WRONG_VALUE, "no balance printed");
    expect_verdict(&r, 2, 2, BANK_VERDICT_WRONG_RESULT, "result \"done\" is neither success nor fail");
    expect_verdict(&r, 2, 3, BANK_VERDICT_WRONG_VALUE, "a balance is a whole number");
    expect_verdict(&r, 3, 4, BANK_VERDICT_MISSING, "no record");
    bank_grade_report_free(&r);
}

/* rule: G6 */
Test(verdicts, repeated_ids_match_in_order)
{
    /* the course's large input repeats ids: entry order decides */
    const char *input =
        "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"deposit\", \"money\": 10}, {\"id\": 2, \"interface\": \"query\"}]},"
        " {\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 3, \"interface\": \"withdraw\", \"money\": 10}, {\"id\": 4, \"interface\": \"query\"}]},"
        " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}]";
    bank_grade_report r = grade_text(input,
                                     "{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 410}]}\n"
                                     "{\"id\": 1, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 400}]}\n",
                                     BANK_GRADE_EXACT, BANK_SCHEDULE_SEQUENTIAL);
    cr_expect_eq(r.n_correct, 4);
    bank_grade_report_free(&r);
    /* swapped: both records then name the wrong interface first */
    r = grade_text(input,
                   "{\"id\": 1, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 400}]}\n"
                   "{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 410}]}\n",
                   BANK_GRADE_EXACT, BANK_SCHEDULE_SEQUENTIAL);
    expect_verdict(&r, 1, 1, BANK_VERDICT_WRONG_INTERFACE, "expected deposit");
    expect_verdict(&r, 1, 3, BANK_VERDICT_WRONG_INTERFACE, "expected withdraw");
    bank_grade_report_free(&r);
}

/* rule: G12, G19 */
Test(verdicts, undecided_when_the_budget_runs_out)
{
    /* One order gives every answer (1 deposit, 2 withdraw, 1 query 0, 3 deposit, 3 query 1, 2
     * deposit, 2 query 2, 3 query 2); neither reference schedule nor the greedy order finds it
     * (customer 1's query is left out): a budget of 5 states cannot decide that query, the
     * default can. */
    const char *input =
        "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"deposit\", \"money\": 1}, {\"id\": 2, \"interface\": \"query\"}]},\n"
        " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 3, \"interface\": \"withdraw\", \"money\": 1}, {\"id\": 4, \"interface\": \"deposit\", \"money\": 1}, {\"id\": 5, \"interface\": \"query\"}]},\n"
        " {\"id\": 3, \"type\": \"customer\", \"events\": [{\"id\": 6, \"interface\": \"deposit\", \"money\": 1}, {\"id\": 7, \"interface\": \"query\"}, {\"id\": 8, \"interface\": \"query\"}]},\n"
        " {\"id\": 1, \"type\": \"branch\", \"balance\": 0}, {\"id\": 2, \"type\": \"branch\", \"balance\": 0}, {\"id\": 3, \"type\": \"branch\", \"balance\": 0}]\n";
    const char *output =
        "[{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 0}]},\n"
        " {\"id\": 2, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 2}]},\n"
        " {\"id\": 3, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 1}, {\"interface\": \"query\", \"balance\": 2}]}]\n";
    bank_workload w = load(input);
    bank_student_output so;
    read_ok(output, &so);
    bank_grade_options opt = {BANK_GRADE_CONSISTENT, BANK_SCHEDULE_SEQUENTIAL, 5};
    bank_grade_report r;
    char err[256];
    cr_assert_eq(bank_grade(&w, &so, &opt, &r, err, sizeof err), 0);
    cr_expect_eq(r.n_undecided, 1, "a tiny budget leaves one query undecided");
    cr_expect_eq(r.n_correct, 7, "the other answers fit the witness");
    const bank_verdict *v = verdict_for(&r, 1, 2);
    cr_assert_not_null(v);
    cr_expect_eq(v->kind, BANK_VERDICT_UNDECIDED);
    cr_expect(strstr(v->detail, "--budget") != NULL, "%s", v->detail);
    bank_grade_report_free(&r);
    /* with the default budget it is decided */
    opt.budget = 0;
    cr_assert_eq(bank_grade(&w, &so, &opt, &r, err, sizeof err), 0);
    cr_expect_eq(r.n_undecided, 0);
    cr_expect_eq(r.n_correct, 8);
    bank_grade_report_free(&r);
    bank_student_output_free(&so);
    bank_workload_free(&w);
}

/* ---- the search itself ---- */

/* rule: G10, G18 */
Test(consistency, witness_order_replays_to_the_claims)
{
    bank_workload w = load(sample_input);
    bank_claim c1[1] = {{1, 0, 500, 0}}, c2[2] = {{1, 1, 0, 1}, {1, 0, 500, 2}}, c3[2] = {{1, 1, 0, 3}, {1, 0, 330, 4}};
    bank_claim *claims[3] = {c1, c2, c3};
    bank_consistency_result res;
    cr_assert_eq(bank_consistency_judge(&w, claims, 0, &res), 0);
    cr_assert_eq(res.n_wrong + res.n_alone + res.n_undecided, 0);
    cr_assert_eq(res.n_witness, 5);
    /* replay the witness on one balance */
    int64_t bal = 400;
    for (size_t i = 0; i < res.n_witness; i++) {
        const bank_witness_step *s = &res.witness[i];
        const bank_event *ev = &w.customers[s->customer].events[s->event];
        const bank_claim *cl = &claims[s->customer][s->event];
        if (ev->op == BANK_OP_QUERY) cr_expect_eq(bal, cl->balance, "step %zu", i);
        else bal += ev->op == BANK_OP_DEPOSIT ? ev->money : -ev->money;
        cr_expect_eq(s->balance, bal, "step %zu shows the balance", i);
    }
    bank_consistency_result_free(&res);
    bank_workload_free(&w);
}

/* rule: G11 */
/* With unequal starting balances a poorer branch can legally go below zero through another
 * branch's withdrawal: that answer is possible, even when another answer is wrong. */
Test(verdicts, a_negative_balance_is_possible_when_branches_start_unequal)
{
    const char *input =
        "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"withdraw\", \"money\": 80},"
        " {\"id\": 2, \"interface\": \"query\"}]},"
        " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 3, \"interface\": \"query\"}]},"
        " {\"id\": 1, \"type\": \"branch\", \"balance\": 100}, {\"id\": 2, \"type\": \"branch\", \"balance\": 0}]";
    bank_grade_report r = grade_text(
        input,
        "[{\"id\": 1, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": \"query\", \"balance\": 999}]},"
        " {\"id\": 2, \"recv\": [{\"interface\": \"query\", \"balance\": -80}]}]",
        BANK_GRADE_CONSISTENT, 0);
    expect_verdict(&r, 1, 2, BANK_VERDICT_WRONG_VALUE, "it could read 20");
    expect_verdict(&r, 2, 3, BANK_VERDICT_OK, NULL);
    bank_grade_report_free(&r);
}
