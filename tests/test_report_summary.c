/* The summary at the top of bank grade's HTML report: the four classes of files and the mean
 * score, on hand-made grading results (the report in a browser is report_browser's). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade/report.h"

static char *html_of(const bank_graded_file *files, size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert(f);
    bank_report_context ctx = {.input = "input.json", .mode = "consistent"};
    cr_assert_eq(bank_report_table(f, BANK_TABLE_HTML, &ctx, files, n), 0);
    fclose(f);
    return text;
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

static char *text_of(const bank_graded_file *g)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert(f);
    bank_report_context ctx = {.input = "input.json", .mode = "consistent"};
    cr_assert_eq(bank_report_text(f, &ctx, g), 0);
    fclose(f);
    return text;
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
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert(f);
    bank_report_context ctx = {.input = "input.json", .mode = "consistent", .witness = 1};
    cr_assert_eq(bank_report_text(f, &ctx, &g), 0);
    fclose(f);
    cr_expect_str_eq(text, "out.json: JSON; judged consistent\n"
                           "note: the 2 answers marked wrong are the smallest set whose removal leaves the rest "
                           "consistent; --witness prints an execution that gives the rest\n"
                           "3/5 events correct, 2 wrong (the smallest sets were not all compared within --budget: "
                           "this one is not proven the earliest)\n");
    free(text);
}
