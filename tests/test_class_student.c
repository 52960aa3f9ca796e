/* One student of a class: which of their files is their output (names first, then what answers
 * the most events of the class's input; unusable files and none at all), which is their own
 * input, and their grade when memory for its note runs out. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade/class_batch.h"
#include "grade/class_choice.h"
#include "grade/class_grade.h"
#include "grade/grade_p3.h"
#include "io/input.h"

static const char sample_input[] =
    "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"query\"}]},\n"
    " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"deposit\", \"money\": 170},"
    " {\"id\": 3, \"interface\": \"query\"}]},\n"
    " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", \"balance\": 400}]";
static const char all[] = "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}]},"
                          " {\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"},"
                          " {\"interface\": \"query\", \"balance\": 570}]}]";
static const char one[] = "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}]}]";
static const char none[] = "[{\"id\": 9, \"recv\": [{\"interface\": \"query\", \"balance\": 1}]}]";
static const char broken[] = "{'id': 1, 'recv': [{'interface': 'query', result: 'success'}]}";

/* A student holding the given (name, text) files, in name order, in memory. */
static bank_student student(bank_class_file *files, size_t n)
{
    bank_student s = {0};
    s.name = "s";
    s.files = files;
    s.n_files = n;
    return s;
}

#define FILE_OF(n, text) {(char *)(n), (char *)(n), NULL, (char *)(text), sizeof(text) - 1}

static const char *chosen(bank_student *s, const char *pattern, const bank_class_file *except,
                          bank_output_choice *c)
{
    bank_workload w;
    char err[512];
    cr_assert_eq(bank_input_parse(sample_input, strlen(sample_input), "in", &w, err, sizeof err), 0);
    cr_assert_eq(bank_choose_output(s, &bank_project1_reader, &w, pattern, except, c, err, sizeof err), 0);
    bank_workload_free(&w);
    return c->output ? c->output->name : NULL;
}

/* rule: G31, C13; Project 3's outputs are chosen the same way: of two output files, the one
 * that answers more events */
Test(choice, project3_the_output_that_answers_most)
{
    static const char input[] =
        "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"interface\": \"deposit\", \"money\": 10, \"dest\": 1},"
        " {\"interface\": \"query\", \"dest\": 1}]}, {\"id\": 1, \"type\": \"bank\", \"balance\": 0}]";
    bank_class_file f[] = {
        FILE_OF("output.json", "[{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"},"
                               " {\"interface\": \"query\", \"balance\": 10}]}]"),
        FILE_OF("output_1.json", "[{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}]}]")};
    bank_workload w;
    bank_routes rt;
    char err[512];
    cr_assert_eq(bank_input_parse_routed(input, strlen(input), "in", &w, &rt, err, sizeof err), 0, "%s", err);
    bank_p3_input in = {&w, &rt};
    for (int swap = 0; swap < 2; swap++) {
        bank_class_file g[2] = {f[swap], f[1 - swap]};
        bank_student s = student(g, 2);
        bank_output_choice c;
        cr_assert_eq(bank_choose_output(&s, &bank_project3_reader, &in, NULL, NULL, &c, err, sizeof err), 0, "%s", err);
        cr_assert_not_null(c.output);
        cr_expect_str_eq(c.output->name, "output.json", "the one answering 2 events, not 1 (swap %d)", swap);
        bank_output_choice_free(&c);
    }
    bank_routes_free(&rt);
    bank_workload_free(&w);
}

/* rule: G31; two files alike in every way (a Canvas resubmission under the same name): the first
 * is graded, the other listed */
Test(choice, of_two_alike_the_first)
{
    bank_class_file f[] = {FILE_OF("output.json", all), FILE_OF("output.json", all)};
    bank_student s = student(f, 2);
    bank_output_choice c;
    cr_assert_str_eq(chosen(&s, NULL, NULL, &c), "output.json");
    cr_expect(c.output == &f[0], "the second of two alike was chosen");
    cr_expect_str_eq(c.others, "output.json");
    bank_output_choice_free(&c);
}

/* rule: G31 */
Test(choice, output_names_first_then_what_answers_most)
{
    bank_class_file f[] = {FILE_OF("a_run.txt", all), FILE_OF("output_small.json", one),
                           FILE_OF("output.json", all), FILE_OF("sub/output.json", all)};
    bank_student s = student(f, 4);
    bank_output_choice c;
    cr_assert_str_eq(chosen(&s, NULL, NULL, &c), "output.json",
                     "output* before other names; most answered; shallowest");
    cr_assert_str_eq(c.others, "a_run.txt, output_small.json, sub/output.json");
    bank_output_choice_free(&c);
    cr_assert_str_eq(chosen(&s, "a_*", NULL, &c), "a_run.txt", "--pattern decides");
    cr_assert_null(c.others);
    bank_output_choice_free(&c);
    cr_assert_str_eq(chosen(&s, "sub/*", NULL, &c), "sub/output.json", "--pattern on the path");
    bank_output_choice_free(&c);
    cr_assert_str_eq(chosen(&s, NULL, &f[2], &c), "sub/output.json", "the student's input is never it");
    bank_output_choice_free(&c);
}

/* rule: G31; "out" names an output only as a word: not inside another (about, stdout, aout,
 * outa, outz, zout), even when those answer more; "out" then a digit or a sign is a word */
Test(choice, out_as_a_word_names_an_output)
{
    bank_class_file f[] = {FILE_OF("about.txt", all),   FILE_OF("stdout.txt", all), FILE_OF("aout.txt", all),
                           FILE_OF("x-outa.txt", all),  FILE_OF("zout.txt", all),   FILE_OF("x-outz.txt", all),
                           FILE_OF("sub/run-out.txt", one)};
    bank_student s = student(f, 7);
    bank_output_choice c;
    cr_assert_str_eq(chosen(&s, NULL, NULL, &c), "sub/run-out.txt");
    cr_expect_str_eq(c.others, "about.txt, stdout.txt, aout.txt, x-outa.txt, zout.txt, x-outz.txt");
    bank_output_choice_free(&c);
    bank_class_file g[] = {FILE_OF("a/out1.txt", one), FILE_OF("b/out.txt", one), FILE_OF("outer.txt", all)};
    s = student(g, 3);
    cr_assert_str_eq(chosen(&s, NULL, NULL, &c), "a/out1.txt", "of two alike words, the first");
    cr_expect_str_eq(c.others, "b/out.txt, outer.txt");
    bank_output_choice_free(&c);
}

/* rule: G31 */
Test(choice, an_output_for_this_input_beats_a_name)
{
    bank_class_file f[] = {FILE_OF("log.txt", all), FILE_OF("output.json", none), FILE_OF("result.txt", one)};
    bank_student s = student(f, 3);
    bank_output_choice c;
    cr_assert_str_eq(chosen(&s, NULL, NULL, &c), "result.txt", "answers some; named like an output");
    bank_output_choice_free(&c);
    bank_class_file g[] = {FILE_OF("log.txt", all), FILE_OF("output.json", none)};
    s = student(g, 2);
    cr_assert_str_eq(chosen(&s, NULL, NULL, &c), "log.txt", "an output of another input comes last");
    bank_output_choice_free(&c);
}

/* rule: G31 */
Test(choice, unusable_or_no_output)
{
    bank_class_file f[] = {FILE_OF("input.json", sample_input), FILE_OF("output.txt", broken),
                           FILE_OF("zzz.txt", "hello")};
    bank_student s = student(f, 3);
    bank_output_choice c;
    cr_assert_null(chosen(&s, NULL, NULL, &c));
    cr_assert_str_eq(c.unusable->name, "output.txt", "named as the output: unusable, with why");
    cr_assert(strstr(c.why, "output.txt:1:43: the key result is not quoted"), "%s", c.why);
    bank_output_choice_free(&c);
    bank_class_file g[] = {FILE_OF("input.json", sample_input), FILE_OF("notes.txt", "hello")};
    s = student(g, 2);
    cr_assert_null(chosen(&s, NULL, NULL, &c));
    cr_assert_null(c.unusable, "nothing meant as an output: no output file");
    bank_output_choice_free(&c);
    bank_class_file h[] = {FILE_OF("submission.txt", broken)};
    s = student(h, 1);
    cr_assert_null(chosen(&s, NULL, NULL, &c));
    cr_assert_str_eq(c.unusable->name, "submission.txt", "all the student sent: meant as the output");
    bank_output_choice_free(&c);
    bank_class_file i[] = {FILE_OF("input.json", sample_input)};
    s = student(i, 1);
    cr_assert_null(chosen(&s, NULL, NULL, &c));
    cr_assert_null(c.unusable, "an input alone is not a broken output");
    bank_output_choice_free(&c);
    /* several unusable: the best named, then the shallowest, then the first */
    bank_class_file j[] = {FILE_OF("0result.txt", broken), FILE_OF("a/output.json", broken),
                           FILE_OF("b/output.json", broken), FILE_OF("c/d/output.json", broken),
                           FILE_OF("result.txt", broken)};
    s = student(j, 5);
    cr_assert_null(chosen(&s, NULL, NULL, &c));
    cr_assert_str_eq(c.unusable->name, "a/output.json");
    bank_output_choice_free(&c);
}

/* rule: G35 */
Test(choice, their_own_input)
{
    bank_class_file f[] = {FILE_OF("in/input.json", sample_input), FILE_OF("input.json", "[]"),
                           FILE_OF("input_2.json", sample_input)};
    bank_student s = student(f, 3);
    const bank_class_file *file;
    bank_workload w;
    char why[600];
    cr_assert_eq(bank_choose_input(&s, "input*.json", &file, &w, why, sizeof why), 0);
    cr_assert_str_eq(file->name, "input_2.json", "shallowest first, then the first that reads");
    bank_workload_free(&w);
    cr_assert_eq(bank_choose_input(&s, "nothing*", &file, &w, why, sizeof why), 1);
    cr_assert_str_eq(why, "no file matches --input-pattern nothing*");
    bank_class_file g[] = {FILE_OF("input.json", "[]")};
    s = student(g, 1);
    cr_assert_eq(bank_choose_input(&s, "input.json", &file, &w, why, sizeof why), 1);
    cr_assert(strstr(why, "input.json") && strstr(why, "no branch"), "%s", why);
}

/* class_build.c's realloc() (test_class_student is linked with --wrap=realloc): the fail_at-th
 * call from now fails. */
void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);
static int fail_at;
void *__wrap_realloc(void *p, size_t n)
{
    if (fail_at > 0 && --fail_at == 0) return NULL;
    return __real_realloc(p, n);
}

/* Out of memory for a row's note ("late", the first thing a late student's grade allocates):
 * the student fails with one line, the grade freed (ASan's leak check sees what was not), not a
 * row that lost its note. */
/* rule: G33 */
Test(class_grade, out_of_memory_for_a_note_fails_the_student)
{
    bank_workload w;
    char err[512] = "";
    cr_assert_eq(bank_input_parse(sample_input, strlen(sample_input), "in", &w, err, sizeof err), 0);
    bank_class_file f[] = {FILE_OF("output.json", all)};
    bank_student s = student(f, 1);
    s.late = 1;
    bank_grade_options go = {BANK_GRADE_EXACT, BANK_SCHEDULE_SEQUENTIAL, 0};
    bank_class_options o = {&w, NULL, NULL, &go, &bank_project1_reader, NULL};
    bank_student_grade g;
    fail_at = 1;
    cr_assert_eq(bank_grade_student(&s, &o, &g, err, sizeof err), -1);
    fail_at = 0;
    cr_assert_str_eq(err, "out of memory");
    cr_assert_eq(bank_grade_student(&s, &o, &g, err, sizeof err), 0, "%s", err);
    cr_expect(g.graded);
    cr_expect_str_eq(g.notes, "late");
    bank_student_grade_free(&g);
    bank_workload_free(&w);
}
