/* The summary at the top of bank grade's HTML report: the four classes of files and the mean
 * score, on hand-made grading results (the report in a browser is report_browser's). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "grade/report.h"

static char *table_of(bank_table_kind kind, const bank_report_context *ctx, const bank_graded_file *files,
                      size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert(f);
    cr_assert_eq(bank_report_table(f, kind, ctx, files, n), 0);
    fclose(f);
    return text;
}

static char *html_of(const bank_graded_file *files, size_t n)
{
    bank_report_context ctx = {.input = "input.json", .mode = "consistent"};
    return table_of(BANK_TABLE_HTML, &ctx, files, n);
}

static bank_grade_report result(size_t events, size_t correct, size_t wrong, size_t undecided)
{
    bank_grade_report r = {.n_events = events, .n_correct = correct, .n_wrong = wrong,
                           .n_undecided = undecided, .first_wrong = SIZE_MAX};
    return r;
}

/* rule: G39 */
Test(report_summary, counts_each_class_and_the_mean_of_the_graded_files)
{
    bank_grade_report all = result(4, 4, 0, 0), half = result(4, 2, 2, 0), maybe = result(4, 3, 0, 1),
                      none = result(0, 0, 0, 0);
    bank_graded_file files[] = {
        {.path = "a", .format = "JSON", .report = &all},   {.path = "b", .format = "JSON", .report = &half},
        {.path = "c", .format = "JSON", .report = &maybe}, {.path = "d", .format = "JSON", .report = &none},
        {.path = "e", .error = "cannot open"},
    };
    char *html = html_of(files, 5);
    /* (1 + 0.5 + 0.75 + 1) / 4: an input without events counts 1 when nothing is wrong */
    cr_assert(strstr(html, "<th>files</th><th>all correct</th><th>some wrong</th><th>undecided</th>"
                           "<th>unusable</th><th>mean score</th>"), "%s", html);
    cr_assert(strstr(html, "<td>5</td><td class=\"ok\">2</td><td class=\"wrong\">1</td>"
                           "<td class=\"undecided\">1</td><td class=\"bad\">1</td>"
                           "<td>81.2% <small>(of the 4 graded files)</small>"), "%s", html);
    cr_assert(strstr(html, "<tr class=\"undecided\">"), "the undecided file's row has its class");
    free(html);
}

/* rule: G39 */
Test(report_summary, no_undecided_column_without_one_and_no_mean_without_a_graded_file)
{
    bank_graded_file files[] = {{.path = "e", .error = "cannot open"}};
    char *html = html_of(files, 1);
    cr_assert_null(strstr(html, "undecided</th>"));
    cr_assert(strstr(html, "<td>1</td><td class=\"ok\">0</td><td class=\"wrong\">0</td><td class=\"bad\">1</td>"
                           "<td>- <small>(no file could be graded)</small>"), "%s", html);
    free(html);
}

static char *text_with(const bank_report_context *ctx, const bank_graded_file *g)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert(f);
    cr_assert_eq(bank_report_text(f, ctx, g), 0);
    fclose(f);
    return text;
}

static char *text_of(const bank_graded_file *g)
{
    bank_report_context ctx = {.input = "input.json", .mode = "consistent"};
    return text_with(&ctx, g);
}

/* rule: G19; the text report: a file that could not be read is one line; a set of wrong answers
 * the budget did not prove smallest says how many are wrong at least, in words that agree */
Test(report_text, unusable_and_not_proven_smallest)
{
    bank_graded_file bad = {.path = "out.json", .error = "out.json:1:2: not JSON"};
    char *text = text_of(&bad);
    cr_expect_str_eq(text, "out.json: unusable: out.json:1:2: not JSON\n");
    free(text);
    bank_grade_report r = result(4, 2, 2, 0);
    r.consistent = 1;
    r.lower_bound = 1;
    bank_graded_file g = {.path = "out.json", .format = "JSON", .report = &r};
    text = text_of(&g);
    cr_expect(strstr(text, " (not proven smallest within --budget: at least 1 is wrong)\n"), "%s", text);
    free(text);
    r.lower_bound = 2;
    text = text_of(&g);
    cr_expect(strstr(text, " (not proven smallest within --budget: at least 2 are wrong)\n"), "%s", text);
    free(text);
}

/* rule: G17, G18; the note on the answers set aside and the budget's suffix, word for word: two
 * set aside, proven smallest but not proven the earliest; and without the input (a class's row)
 * there is no witness to name, so none is printed */
Test(report_text, set_aside_not_proven_earliest)
{
    bank_grade_report r = result(5, 3, 2, 0);
    r.consistent = 1;
    r.smallest = 1;
    r.set_aside = 2;
    r.lower_bound = 2;
    bank_witness_step steps[1] = {{0}};
    r.witness = steps;
    r.n_witness = 1;
    bank_graded_file g = {.path = "out.json", .format = "JSON", .report = &r};
    bank_report_context ctx = {.input = "input.json", .mode = "consistent", .witness = 1};
    char *text = text_with(&ctx, &g);
    cr_expect_str_eq(text, "out.json: JSON; judged consistent\n"
                           "note: the 2 answers marked wrong are the smallest set whose removal leaves the rest "
                           "consistent; --witness prints an execution that gives the rest\n"
                           "3/5 events correct, 2 wrong (the smallest sets were not all compared within --budget: "
                           "this one is not proven the earliest)\n");
    free(text);
}

/* ---- every row of each table, whole ---- */

/* One verdict of each way a report names its event: an event, an extra reply, an extra record,
 * a Project 2 label; with and without a detail, a place, another file and a count. */
static bank_verdict verdicts[] = {
    {.kind = BANK_VERDICT_OK, .customer_id = 1, .entry = 0, .event_id = 1, .event = 0, .interface = "query",
     .line = 1, .col = 5},
    {.kind = BANK_VERDICT_WRONG_VALUE, .customer_id = 2, .entry = 1, .event_id = 3, .event = 1,
     .interface = "query", .line = 2, .col = 67, .detail = "got 400, expected 500"},
    {.kind = BANK_VERDICT_EXTRA, .customer_id = 2, .entry = 1, .event_id = -1, .event = SIZE_MAX,
     .interface = "deposit", .line = 2, .col = 90, .detail = "no event 4", .count = 3},
    {.kind = BANK_VERDICT_EXTRA, .customer_id = 9, .entry = SIZE_MAX, .event_id = -1, .event = SIZE_MAX,
     .interface = "", .line = 3, .col = 1, .detail = "no customer 9", .file = "other.json"},
    {.kind = BANK_VERDICT_MISSING, .customer_id = 3, .entry = 2, .event_id = 7, .event = 0,
     .interface = "withdraw", .label = "branch 1 <receive> \"withdraw\" & more"},
};

/* rule: G19, G33; a table of files: the text, the CSV and the HTML rows of a file with wrong
 * answers (its first the wrong value, the row's details every verdict), one all correct, one
 * unusable and one undecided, escaped where each table escapes */
Test(report_table, every_row_of_a_table_of_files)
{
    bank_grade_report wrong = result(3, 1, 4, 0), all = result(2, 2, 0, 0), maybe = result(2, 1, 0, 1);
    wrong.verdicts = verdicts;
    wrong.n = sizeof verdicts / sizeof verdicts[0];
    wrong.first_wrong = 1;
    bank_graded_file files[] = {
        {.path = "a/out \"1\".json", .format = "JSON", .report = &wrong},
        {.path = "b.txt", .format = "Python literals", .report = &all},
        {.path = "c<d>.json", .error = "c<d>.json:1:2: not JSON"},
        {.path = "e.json", .format = "JSON", .report = &maybe},
    };
    bank_report_context ctx = {.input = "in & put.json", .mode = "exact (sequential)"};
    char *text = table_of(BANK_TABLE_TEXT, &ctx, files, 4);
    cr_expect_str_eq(text,
                     "file            score      format           first wrong event\n"
                     "a/out \"1\".json  1/3        JSON             customer 2 event 3 query: wrong value: got 400, "
                     "expected 500\n"
                     "b.txt           2/2        Python literals  \n"
                     "c<d>.json       -                           unusable: c<d>.json:1:2: not JSON\n"
                     "e.json          1/2        JSON             none wrong; 1 undecided: the consistency check "
                     "ran out of --budget\n");
    free(text);
    char *csv = table_of(BANK_TABLE_CSV, &ctx, files, 4);
    cr_expect_str_eq(csv,
                     "file,score,correct,events,first_wrong,format\n"
                     "\"a/out \"\"1\"\".json\",\"1/3\",1,3,\"customer 2 event 3 query: wrong value: got 400, "
                     "expected 500\",\"JSON\"\n"
                     "\"b.txt\",\"2/2\",2,2,\"\",\"Python literals\"\n"
                     "\"c<d>.json\",\"-\",,,\"unusable: c<d>.json:1:2: not JSON\",\"\"\n"
                     "\"e.json\",\"1/2\",1,2,\"none wrong; 1 undecided: the consistency check ran out of "
                     "--budget\",\"JSON\"\n");
    free(csv);
    char *html = table_of(BANK_TABLE_HTML, &ctx, files, 4);
    const char *body = strstr(html, "<body>\n");
    cr_assert(body, "%s", html);
    cr_expect_str_eq(body,
                     "<body>\n<h1>bank grade</h1>\n<p>input: in &amp; put.json; judged exact (sequential)</p>\n"
                     "<table id=\"summary\" class=\"summary\">\n<tr><th>files</th><th>all correct</th>"
                     "<th>some wrong</th><th>undecided</th><th>unusable</th><th>mean score</th></tr>\n"
                     "<tr><td>4</td><td class=\"ok\">1</td><td class=\"wrong\">1</td><td class=\"undecided\">1</td>"
                     "<td class=\"bad\">1</td><td>61.1% <small>(of the 3 graded files)</small></td></tr>\n</table>\n"
                     "<table class=\"files\">\n<tr><th class=\"who\">file</th><th class=\"score\">score</th>"
                     "<th class=\"first\">first wrong event</th><th>format</th></tr>\n"
                     "<tr class=\"wrong\"><td>a/out &quot;1&quot;.json</td><td class=\"score\">1/3</td>"
                     "<td class=\"first\">customer 2 event 3 query: wrong value: got 400, expected 500</td>"
                     "<td>JSON</td></tr>\n"
                     "<tr><td></td><td colspan=\"3\"><details><summary>every verdict</summary>\n<ul>\n"
                     "<li class=\"ok\">customer 1 event 1 query: ok</li>\n"
                     "<li class=\"wrong\">customer 2 event 3 query: wrong value: got 400, expected 500</li>\n"
                     "<li class=\"wrong\">customer 2 extra reply deposit: extra: no event 4</li>\n"
                     "<li class=\"wrong\">customer 9 (extra record): extra: no customer 9</li>\n"
                     "<li class=\"wrong\">branch 1 &lt;receive&gt; &quot;withdraw&quot; &amp; more: missing</li>\n"
                     "</ul>\n</details></td></tr>\n"
                     "<tr class=\"ok\"><td>b.txt</td><td class=\"score\">2/2</td><td class=\"first\"></td>"
                     "<td>Python literals</td></tr>\n"
                     "<tr class=\"bad\"><td>c&lt;d&gt;.json</td><td class=\"score\">-</td>"
                     "<td class=\"first\">unusable: c&lt;d&gt;.json:1:2: not JSON</td><td></td></tr>\n"
                     "<tr class=\"undecided\"><td>e.json</td><td class=\"score\">1/2</td>"
                     "<td class=\"first\">none wrong; 1 undecided: the consistency check ran out of --budget</td>"
                     "<td>JSON</td></tr>\n"
                     "<tr><td></td><td colspan=\"3\"><details><summary>every verdict</summary>\n<ul>\n</ul>\n"
                     "</details></td></tr>\n"
                     "</table>\n</body></html>\n");
    free(html);
}

/* rule: G19, G20; one file's text report with every verdict: each way of naming the event, the
 * detail, the place (in another file when the verdict says so), the notes and the counts */
Test(report_text, every_verdict_named_and_placed)
{
    bank_grade_report r = result(3, 1, 4, 0);
    r.verdicts = verdicts;
    r.n = sizeof verdicts / sizeof verdicts[0];
    r.first_wrong = 1;
    r.repeated_records = 1;
    r.merged_snapshots = 1;
    bank_graded_file g = {.path = "out.json", .format = "JSON", .report = &r};
    bank_report_context ctx = {.input = "input.json", .mode = "exact (sequential)", .all_verdicts = 1};
    char *text = text_with(&ctx, &g);
    cr_expect_str_eq(text, "out.json: JSON; judged exact (sequential)\n"
                           "customer 1 event 1 query: ok [out.json:1:5]\n"
                           "customer 2 event 3 query: wrong value: got 400, expected 500 [out.json:2:67]\n"
                           "customer 2 extra reply deposit: extra: no event 4 [out.json:2:90]\n"
                           "customer 9 (extra record): extra: no customer 9 [other.json:3:1]\n"
                           "branch 1 <receive> \"withdraw\" & more: missing\n"
                           "note: records written twice, back to back, were graded once\n"
                           "note: lines that repeat a customer with a growing list were read as snapshots; the "
                           "last one counts\n"
                           "1/3 events correct, 4 wrong\n");
    free(text);
}

/* rule: G33, G34; a class: a row per student as text, CSV and HTML: graded with a Canvas id,
 * other outputs and notes; nothing graded with the input's events (0/M) and notes; unusable
 * with no events (0); escaped where each table escapes */
Test(report_table, every_row_of_a_class)
{
    bank_grade_report wrong = result(3, 1, 4, 0);
    wrong.verdicts = verdicts;
    wrong.n = 2;
    wrong.first_wrong = 1;
    bank_graded_file rows[] = {
        {.student = "ann \"a\"", .canvas_id = "123", .path = "sub/ann.zip", .file = "out.json", .format = "JSON",
         .report = &wrong, .others = "b.json, c.txt", .notes = "late"},
        {.student = "bo<b>", .error = "no output file", .n_events = 5, .notes = "their own input.json"},
        {.student = "cy", .error = "unusable: x", .file = "x.txt", .path = "sub/cy/x.txt"},
    };
    bank_report_context ctx = {.input = "input.json", .mode = "consistent"};
    char *text = table_of(BANK_TABLE_TEXT, &ctx, rows, 3);
    cr_expect_str_eq(text,
                     "student  score      file      format  first wrong event / notes\n"
                     "ann \"a\"  1/3        out.json  JSON    customer 2 event 3 query: wrong value: got 400, "
                     "expected 500; also read as outputs: b.json, c.txt; late\n"
                     "bo<b>    0/5        -                 no output file; their own input.json\n"
                     "cy       0          x.txt             unusable: x\n");
    free(text);
    char *csv = table_of(BANK_TABLE_CSV, &ctx, rows, 3);
    cr_expect_str_eq(csv,
                     "student,canvas_id,score,correct,events,file,others,format,first_wrong,notes,source\n"
                     "\"ann \"\"a\"\"\",\"123\",\"1/3\",1,3,\"out.json\",\"b.json, c.txt\",\"JSON\",\"customer 2 "
                     "event 3 query: wrong value: got 400, expected 500\",\"late\",\"sub/ann.zip\"\n"
                     "\"bo<b>\",\"\",\"0/5\",0,5,\"\",\"\",\"\",\"no output file\",\"their own input.json\",\"\"\n"
                     "\"cy\",\"\",\"0\",0,0,\"x.txt\",\"\",\"\",\"unusable: x\",\"\",\"sub/cy/x.txt\"\n");
    free(csv);
    char *html = table_of(BANK_TABLE_HTML, &ctx, rows, 3);
    const char *table = strstr(html, "<table class=\"files students\">");
    cr_assert(table, "%s", html);
    cr_expect_str_eq(table,
                     "<table class=\"files students\">\n<tr><th class=\"who\">student</th><th class=\"file\">file</th>"
                     "<th class=\"score\">score</th><th class=\"first\">first wrong event</th>"
                     "<th>format; notes</th></tr>\n"
                     "<tr class=\"wrong\"><td>ann &quot;a&quot;</td><td>out.json</td><td class=\"score\">1/3</td>"
                     "<td class=\"first\">customer 2 event 3 query: wrong value: got 400, expected 500</td>"
                     "<td>JSON<br><small>also read as outputs: b.json, c.txt; late</small></td></tr>\n"
                     "<tr><td></td><td colspan=\"4\"><details><summary>every verdict</summary>\n<ul>\n"
                     "<li class=\"ok\">customer 1 event 1 query: ok</li>\n"
                     "<li class=\"wrong\">customer 2 event 3 query: wrong value: got 400, expected 500</li>\n"
                     "</ul>\n</details></td></tr>\n"
                     "<tr class=\"bad\"><td>bo&lt;b&gt;</td><td>-</td><td class=\"score\">0/5</td>"
                     "<td class=\"first\">no output file</td><td><br><small>their own input.json</small></td></tr>\n"
                     "<tr class=\"bad\"><td>cy</td><td>x.txt</td><td class=\"score\">0</td>"
                     "<td class=\"first\">unusable: x</td><td></td></tr>\n"
                     "</table>\n</body></html>\n");
    free(html);
}

/* The JSON text, compact: the tables pin every key and value in order, not cJSON's layout. */
static char *compact(char *json)
{
    cJSON *o = cJSON_Parse(json);
    cr_assert(o, "%s", json);
    free(json);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* rule: G19, G33; the JSON table of files and of a class, and one file's JSON report: every key
 * of a graded file (its first wrong answer, the counts, the states searched), of an unusable
 * one, of a student graded and one with nothing graded; every verdict's keys as it names its
 * event */
Test(report_table, every_key_of_the_json_reports)
{
    bank_grade_report wrong = result(3, 1, 4, 0), maybe = result(2, 1, 0, 1);
    wrong.verdicts = verdicts;
    wrong.n = sizeof verdicts / sizeof verdicts[0];
    wrong.first_wrong = 1;
    wrong.repeated_records = 1;
    maybe.states = 12;
    maybe.merged_snapshots = 1;
    bank_graded_file files[] = {
        {.path = "a.json", .format = "JSON", .report = &wrong},
        {.path = "c.json", .error = "c.json:1:2: not JSON"},
        {.path = "e.json", .format = "JSON", .report = &maybe},
    };
    bank_report_context ctx = {.input = "in.json", .mode = "exact (sequential)"};
    const char *first = "\"first_wrong\":{\"customer\":2,\"entry\":2,\"event\":3,\"interface\":\"query\","
                        "\"verdict\":\"wrong value\",\"detail\":\"got 400, expected 500\",\"line\":2,\"column\":67}";
    char want[4096];
    snprintf(want, sizeof want,
             "{\"files\":[{\"file\":\"a.json\",\"mode\":\"exact (sequential)\",\"format\":\"JSON\",\"events\":3,"
             "\"correct\":1,\"wrong\":4,\"undecided\":0,\"snapshots_merged\":false,\"records_repeated\":true,%s},"
             "{\"file\":\"c.json\",\"mode\":\"exact (sequential)\",\"error\":\"c.json:1:2: not JSON\"},"
             "{\"file\":\"e.json\",\"mode\":\"exact (sequential)\",\"format\":\"JSON\",\"events\":2,\"correct\":1,"
             "\"wrong\":0,\"undecided\":1,\"states\":12,\"snapshots_merged\":true,\"records_repeated\":false}],"
             "\"input\":\"in.json\",\"mode\":\"exact (sequential)\"}",
             first);
    char *json = compact(table_of(BANK_TABLE_JSON, &ctx, files, 3));
    cr_expect_str_eq(json, want);
    free(json);
    bank_graded_file rows[] = {
        {.student = "ann", .canvas_id = "123", .path = "sub/ann.zip", .file = "out.json", .format = "JSON",
         .report = &wrong, .others = "b.json", .notes = "late"},
        {.student = "bo", .error = "no output file", .n_events = 5},
    };
    snprintf(want, sizeof want,
             "{\"students\":[{\"student\":\"ann\",\"canvas_id\":\"123\",\"graded\":\"out.json\",\"others\":\"b.json\","
             "\"notes\":\"late\",\"file\":\"sub/ann.zip\",\"mode\":\"exact (sequential)\",\"format\":\"JSON\","
             "\"events\":3,\"correct\":1,\"wrong\":4,\"undecided\":0,\"snapshots_merged\":false,"
             "\"records_repeated\":true,%s},{\"student\":\"bo\",\"events\":5,\"correct\":0,"
             "\"mode\":\"exact (sequential)\",\"error\":\"no output file\"}],\"input\":\"in.json\","
             "\"mode\":\"exact (sequential)\"}",
             first);
    json = compact(table_of(BANK_TABLE_JSON, &ctx, rows, 2));
    cr_expect_str_eq(json, want);
    free(json);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert(f);
    bank_grade_report judged = wrong; /* consistent: the answers set aside too */
    judged.consistent = 1;
    judged.set_aside = 4;
    judged.smallest = 1;
    judged.lower_bound = 4;
    bank_graded_file one = {.path = "a.json", .format = "JSON", .report = &judged};
    cr_assert_eq(bank_report_json(f, &ctx, &one), 0);
    fclose(f);
    snprintf(want, sizeof want,
             "{\"file\":\"a.json\",\"mode\":\"exact (sequential)\",\"format\":\"JSON\",\"events\":3,\"correct\":1,"
             "\"wrong\":4,\"undecided\":0,\"snapshots_merged\":false,\"records_repeated\":true,%s,\"verdicts\":["
             "{\"customer\":1,\"entry\":1,\"event\":1,\"interface\":\"query\",\"verdict\":\"ok\",\"line\":1,"
             "\"column\":5},"
             "{\"customer\":2,\"entry\":2,\"event\":3,\"interface\":\"query\",\"verdict\":\"wrong value\","
             "\"detail\":\"got 400, expected 500\",\"line\":2,\"column\":67},"
             "{\"customer\":2,\"entry\":2,\"interface\":\"deposit\",\"verdict\":\"extra\",\"detail\":\"no event 4\","
             "\"count\":3,\"line\":2,\"column\":90},"
             "{\"customer\":9,\"interface\":\"\",\"verdict\":\"extra\",\"detail\":\"no customer 9\","
             "\"in\":\"other.json\",\"line\":3,\"column\":1},"
             "{\"customer\":3,\"entry\":3,\"event\":7,\"interface\":\"withdraw\",\"verdict\":\"missing\","
             "\"what\":\"branch 1 <receive> \\\"withdraw\\\" & more\"}],"
             "\"set_aside\":4,\"smallest\":true,\"earliest\":false,\"lower_bound\":4,\"input\":\"in.json\"}",
             first);
    json = compact(text);
    cr_expect_str_eq(json, want);
    free(json);
}
