/* Grading a class, the parts below the command line: Canvas's file names, which member paths
 * stay inside an archive, GitHub's escaping, Gradescope's results (loading a class from the
 * disk: test_class_load.c; one student's files and grade: test_class_student.c). */
#include <archive.h>
#include <archive_entry.h>
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grade/archive_read.h"
#include "grade/canvas_name.h"
#include "grade/class_batch.h"
#include "grade/github.h"
#include "grade/gradescope.h"
#include "io/input.h"

/* rule: G32 */
Test(canvas, names_canvas_gives)
{
    bank_canvas_name n;
    cr_assert_eq(bank_canvas_name_parse("smithjohn_12345_67890_output.json", &n), 0);
    cr_assert_str_eq(n.name, "smithjohn");
    cr_assert_str_eq(n.id, "12345");
    cr_assert_eq(n.late, 0);
    cr_assert_str_eq(n.file, "output.json");
    cr_assert_eq(bank_canvas_name_parse("smithjohn_LATE_12345_67890_out_1_2.txt", &n), 0);
    cr_assert(n.late);
    cr_assert_str_eq(n.file, "out_1_2.txt", "the student's own name keeps its underscores and digits");
    cr_assert_eq(bank_canvas_name_parse("smithjohn_late_12345_67890_output-1.json", &n), 0,
                 "older Canvas wrote the whole prefix in lower case");
    cr_assert(n.late);
    cr_assert_eq(bank_canvas_name_parse("o_brien_555_666_x.txt", &n), 0);
    cr_assert_str_eq(n.name, "o_brien");
    cr_assert_eq(bank_canvas_name_parse("anon_x7k2p_67890_output.json", &n), 0, "anonymous grading");
    cr_assert_str_eq(n.name, "");
    cr_assert_str_eq(n.id, "anon_x7k2p");
    cr_assert_eq(bank_canvas_name_parse("LATE_anon_ab1_2_f", &n), 0);
    cr_assert(n.late);
    cr_assert_str_eq(n.id, "anon_ab1");
    cr_assert_eq(bank_canvas_name_parse("smithjohn_12345_text.html", &n), 0, "a text entry");
    cr_assert_str_eq(n.file, "text.html");
    cr_assert_eq(bank_canvas_name_parse("jöns_7_8_output.json", &n), 0, "a name in another script");
    cr_assert_str_eq(n.name, "jöns");
}

/* rule: G32 */
Test(canvas, other_names_are_not_canvas)
{
    bank_canvas_name n;
    const char *others[] = {"output.json", "output_2.json", "alice/1_2_output.json", "my-file_1_2_x",
                            "smithjohn_12345_output.json", "smithjohn_12345_67890_", "_1_2",
                            "smithjohn_anon__5_x", "", "_0_0_0"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        cr_assert_eq(bank_canvas_name_parse(others[i], &n), -1, "%s", others[i]);
}

/* rule: G34 */
Test(archive, member_paths_that_leave_it)
{
    const char *safe[] = {"a", "a/b.json", "..foo", "a/..b/c", "a/b..", "a/./b"};
    const char *unsafe[] = {"../x", "a/../b", "a/..", "..", "/etc/passwd", "a\\..\\b", "..\\x",
                            "\\abs", "C:\\x", "c:x", ""};
    for (size_t i = 0; i < sizeof safe / sizeof safe[0]; i++)
        cr_assert(bank_archive_path_safe(safe[i]), "%s", safe[i]);
    for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++)
        cr_assert(!bank_archive_path_safe(unsafe[i]), "%s", unsafe[i]);
    cr_assert(bank_archive_name("P.ZIP") && bank_archive_name("a.tar.gz") && bank_archive_name("b.tgz"));
    cr_assert(!bank_archive_name("zip") && !bank_archive_name("a.gz") && !bank_archive_name("a.7z"));
}

/* rule: G37 */
Test(github, workflow_command_escapes)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    bank_github_escape(f, "a%b\r\nc:d,e", 0);
    fputc('|', f);
    bank_github_escape(f, "a%b\r\nc:d,e", 1);
    fclose(f);
    cr_assert_str_eq(buf, "a%25b%0D%0Ac:d,e|a%25b%0D%0Ac%3Ad%2Ce");
    free(buf);
}

static char *github_of(const bank_graded_file *row, int summary)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert(f);
    bank_report_context ctx = {.input = "in|put.json", .mode = "consistent"};
    if (summary) cr_assert_eq(bank_github_summary(f, &ctx, row, 2.5, 4), 0);
    else cr_assert_eq(bank_github_annotate(f, row), 0);
    fclose(f);
    return buf;
}

/* rule: G37; a graded file's annotations and summary, whole: each verdict not ok is one command
 * at its reply (a warning when undecided, no place when it has none), named as the event, an
 * extra reply or an extra record; the path relative to $GITHUB_WORKSPACE without "./"; the
 * summary's table has every verdict, Markdown escaped */
Test(github, annotations_and_summary_of_a_graded_file)
{
    bank_verdict v[] = {
        {.kind = BANK_VERDICT_OK, .customer_id = 1, .entry = 0, .event_id = 1, .interface = "query", .line = 1, .col = 5},
        {.kind = BANK_VERDICT_WRONG_VALUE, .customer_id = 2, .entry = 1, .event_id = 3, .interface = "query",
         .line = 2, .col = 67, .detail = "got 400, expected 500"},
        {.kind = BANK_VERDICT_EXTRA, .customer_id = 2, .entry = 1, .event_id = -1, .event = SIZE_MAX,
         .interface = "deposit", .line = 2, .col = 90, .detail = "no event"},
        {.kind = BANK_VERDICT_EXTRA, .customer_id = 9, .entry = SIZE_MAX, .event_id = -1, .event = SIZE_MAX,
         .interface = "", .line = 3, .col = 1},
        {.kind = BANK_VERDICT_UNDECIDED, .customer_id = 3, .entry = 2, .event_id = 7, .interface = "with_draw",
         .detail = "a|b"},
    };
    bank_grade_report r = {.verdicts = v, .n = 5, .n_events = 3, .n_correct = 1, .n_wrong = 3, .n_undecided = 1};
    bank_graded_file row = {.path = "./ws/sub/out.json", .file = "out.json", .format = "JSON", .report = &r,
                            .others = "b*.json"};
    cr_assert_eq(setenv("GITHUB_WORKSPACE", "./ws", 1), 0);
    char *text = github_of(&row, 0);
    cr_expect_str_eq(text, "::error file=sub/out.json,line=2,col=67::customer 2 event 3 query: wrong value: got 400, "
                           "expected 500\n"
                           "::error file=sub/out.json,line=2,col=90::customer 2 extra reply deposit: extra: no event\n"
                           "::error file=sub/out.json,line=3,col=1::customer 9 (extra record): extra\n"
                           "::warning file=sub/out.json::customer 3 event 7 with_draw: undecided: a|b\n");
    free(text);
    text = github_of(&row, 1);
    cr_expect_str_eq(text, "### bank grade: 2.5/4 points\n\n"
                           "Graded out.json (JSON) against in\\|put.json, judged consistent: 1/3 events correct, "
                           "3 wrong, 1 undecided.\n\n"
                           "Also read as outputs (not graded): b\\*.json.\n\n"
                           "| customer | event | interface | verdict | why | where |\n|---|---|---|---|---|---|\n"
                           "| 1 | 1 | query | ok |  | sub/out.json:1:5 |\n"
                           "| 2 | 3 | query | **wrong value** | got 400, expected 500 | sub/out.json:2:67 |\n"
                           "| 2 | (extra reply) | deposit | **extra** | no event | sub/out.json:2:90 |\n"
                           "| 9 | (extra record) |  | **extra** |  | sub/out.json:3:1 |\n"
                           "| 3 | 7 | with\\_draw | **undecided** | a\\|b |  |\n\n");
    free(text);
    cr_assert_eq(unsetenv("GITHUB_WORKSPACE"), 0);
}

/* rule: G37; what could not be graded is one error: at the fault an unusable file names (its
 * own or a student's "unusable: " one), else on the file, else with no file at all */
Test(github, an_ungraded_row_is_one_error)
{
    const struct { bank_graded_file row; const char *want; } cases[] = {
        {{.path = "o.json", .error = "o.json:4:2: not JSON"}, "::error file=o.json,line=4,col=2::unusable: not JSON\n"},
        {{.path = "o.json", .student = "ann", .error = "unusable: o.json:1:9: bad, very"},
         "::error file=o.json,line=1,col=9::unusable: bad, very\n"},
        {{.path = "o.json", .student = "ann", .error = "o.json:1:9: not read"}, "::error file=o.json::o.json:1:9: not read\n"},
        {{.path = "o.json", .error = "o.json: empty"}, "::error file=o.json::o.json: empty\n"},
        {{.path = "o.json", .error = "other.json:4:2: not JSON"}, "::error file=o.json::other.json:4:2: not JSON\n"},
        {{.student = "bo", .error = "no output file"}, "::error::no output file\n"},
        {{.path = "a:b,c.json"}, "::error file=a%3Ab%2Cc.json::nothing graded\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = github_of(&cases[i].row, 0);
        cr_expect_str_eq(text, cases[i].want, "case %zu", i);
        free(text);
    }
    bank_graded_file none = {.student = "bo", .error = "no output | file"};
    char *text = github_of(&none, 1);
    cr_expect_str_eq(text, "### bank grade: 2.5/4 points\n\nno output \\| file\n\n");
    free(text);
}

/* A zip of n members "mK" of size bytes each, written into buf; its length. */
static size_t make_zip(char *buf, size_t cap, int n, size_t size)
{
    struct archive *a = archive_write_new();
    size_t used = 0;
    cr_assert_eq(archive_write_set_format_zip(a), ARCHIVE_OK);
    cr_assert_eq(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
    char *data = malloc(size);
    memset(data, 'x', size);
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof name, "m%d", i);
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, name);
        archive_entry_set_size(e, (la_int64_t)size);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK);
        cr_assert_eq(archive_write_data(a, data, size), (la_ssize_t)size);
        archive_entry_free(e);
    }
    cr_assert_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    free(data);
    return used;
}

static size_t want_all(void *ctx, const char *path)
{
    (void)ctx, (void)path;
    return 1 << 20;
}

static int take_and_drop(void *ctx, const char *path, char *data, size_t len, char *err, size_t errlen)
{
    (void)ctx, (void)path, (void)len, (void)err, (void)errlen;
    free(data);
    return 0;
}

/* The budget of bytes inflated in all counts every member: three members, each within it, are
 * refused together past it (G34's "more than 1 GiB inflated in all", made small here). */
/* rule: G34 */
Test(archive, what_every_member_inflates_counts_against_one_budget)
{
    static char zip[1 << 16];
    size_t len = make_zip(zip, sizeof zip, 3, 4000);
    bank_archive_visitor v = {NULL, want_all, take_and_drop, NULL};
    bank_archive_budget b;
    char err[512] = "";
    bank_archive_budget_init(&b);
    cr_assert_eq(bank_archive_read_memory(zip, len, "class.zip", &b, &v, err, sizeof err), 0, "%s", err);
    cr_expect_eq(b.inflated, 12000);
    bank_archive_budget_init(&b);
    b.max_total = 10000;
    cr_assert_eq(bank_archive_read_memory(zip, len, "class.zip", &b, &v, err, sizeof err), -1);
    cr_expect(strstr(err, "class.zip: more than 0 MiB inflated in all by m2 (a zip bomb?); refused") == err, "%s", err);
}

static int take_and_refuse(void *ctx, const char *path, char *data, size_t len, char *err, size_t errlen)
{
    (void)ctx, (void)len;
    free(data);
    snprintf(err, errlen, "%s: refused by the caller", path);
    return -1;
}

/* An archive refused for its count of members, a member that does not inflate, a header that
 * does not read, and what the caller's take() refused: -1 and one line naming it, nothing read past it. */
/* rule: G34 */
Test(archive, too_many_members_bad_data_and_a_refused_member_stop_the_read)
{
    static char zip[1 << 16];
    size_t len = make_zip(zip, sizeof zip, 3, 4000);
    bank_archive_visitor v = {NULL, want_all, take_and_drop, NULL};
    bank_archive_budget b;
    char err[512] = "";
    bank_archive_budget_init(&b);
    b.max_members = 2;
    cr_assert_eq(bank_archive_read_memory(zip, len, "class.zip", &b, &v, err, sizeof err), -1);
    cr_expect_str_eq(err, "class.zip: more than 2 members (a zip bomb?); refused");
    cr_expect_eq(b.inflated, 8000, "the first two members were read");
    bank_archive_budget_init(&b);
    bank_archive_visitor refuse = {NULL, want_all, take_and_refuse, NULL};
    cr_assert_eq(bank_archive_read_memory(zip, len, "class.zip", &b, &refuse, err, sizeof err), -1);
    cr_expect_str_eq(err, "m0: refused by the caller");
    cr_expect_eq(b.members, 1);
    /* the first member's deflated bytes: past its 30-byte header, its name and its extra field */
    size_t data = 30 + (size_t)(zip[26] | zip[27] << 8) + (size_t)(zip[28] | zip[29] << 8);
    memset(zip + data, 0xff, 8);
    static char bad_header[1 << 16];
    memcpy(bad_header, zip, len);
    bad_header[28] = bad_header[29] = (char)0xff; /* an extra field longer than the archive */
    bank_archive_budget_init(&b);
    cr_assert_eq(bank_archive_read_memory(bad_header, len, "class.zip", &b, &v, err, sizeof err), -1);
    cr_expect(strstr(err, "class.zip: not a zip or tar archive it can read: ") == err, "%s", err);
    cr_expect_eq(b.inflated, 0);
    bank_archive_budget_init(&b);
    cr_assert_eq(bank_archive_read_memory(zip, len, "class.zip", &b, &v, err, sizeof err), -1);
    cr_expect(strstr(err, "class.zip: m0: cannot inflate: ") == err, "%s", err);
    cr_expect_eq(b.members, 1);
}

/* ---- Gradescope's results.json ---- */

static char *gradescope_of(const bank_gradescope_options *o, const bank_workload *w, const bank_graded_file *row)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert(f);
    bank_report_context ctx = {.input = "input.json", .mode = "consistent"};
    cr_assert_eq(bank_gradescope_write(f, o, w, &ctx, row), 0);
    fclose(f);
    cJSON *j = cJSON_Parse(buf); /* compact: every key and value in order, not cJSON's layout */
    cr_assert(j, "%s", buf);
    free(buf);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return text;
}

/* rule: G36; results.json whole, per event and per customer: each test's name (an entry whose id
 * repeats named by its entry too), number, score, maximum, status and output (the verdict, its
 * reason and place; an event with no verdict says so), the replies for no event as a test worth
 * nothing, the summary with other outputs and notes, visibility when asked */
Test(gradescope, results_per_event_and_per_customer)
{
    static const char in[] =
        "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"query\"}]},\n"
        " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"deposit\", \"money\": 170},"
        " {\"id\": 3, \"interface\": \"query\"}]},\n"
        " {\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 4, \"interface\": \"withdraw\", \"money\": 5}]},\n"
        " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", \"balance\": 400}]";
    bank_workload w;
    char err[512] = "";
    cr_assert_eq(bank_input_parse(in, strlen(in), "in", &w, err, sizeof err), 0, "%s", err);
    bank_verdict v[] = {
        {.kind = BANK_VERDICT_OK, .customer_id = 1, .entry = 0, .event = 0, .line = 1, .col = 5},
        {.kind = BANK_VERDICT_OK, .customer_id = 2, .entry = 1, .event = 0},
        {.kind = BANK_VERDICT_WRONG_VALUE, .customer_id = 2, .entry = 1, .event = 1, .line = 2, .col = 67,
         .detail = "got 400, expected 570"},
        {.kind = BANK_VERDICT_EXTRA, .customer_id = 2, .entry = 1, .event = 2, .line = 2, .col = 90,
         .detail = "no event"},
        {.kind = BANK_VERDICT_EXTRA, .customer_id = 9, .entry = SIZE_MAX, .event = SIZE_MAX, .line = 3, .col = 1},
    };
    bank_grade_report r = {.verdicts = v, .n = 5, .n_events = 4, .n_correct = 2, .n_wrong = 1};
    bank_graded_file row = {.path = "sub/out.json", .file = "out.json", .format = "JSON", .report = &r,
                            .others = "b.json", .notes = "late"};
    bank_gradescope_options o = {BANK_GS_PER_EVENT, 10, "after_due_date", "visible"};
    char *json = gradescope_of(&o, &w, &row);
    cr_expect_str_eq(json, "{\"score\":5,\"output\":\"Graded out.json (JSON), judged consistent: 2/4 events correct.\\nAlso "
                     "read as outputs (not graded): b.json.\\nNotes: late.\",\"output_format\":\"text\",\"test_output_"
                     "format\":\"text\",\"test_name_format\":\"text\",\"visibility\":\"after_due_date\",\"stdout_visib"
                     "ility\":\"visible\",\"extra_data\":{\"mode\":\"consistent\",\"graded\":\"out.json\",\"format\":"
                     "\"JSON\",\"max_score\":10},\"tests\":[{\"name\":\"customer 1 (entry 1) event 1 query\",\"number"
                     "\":\"1.1\",\"score\":2.5,\"max_score\":2.5,\"status\":\"passed\",\"output\":\"ok [out.json:1:5]"
                     "\"},{\"name\":\"customer 2 event 2 deposit\",\"number\":\"2.1\",\"score\":2.5,\"max_score\":2.5,"
                     "\"status\":\"passed\",\"output\":\"ok\"},{\"name\":\"customer 2 event 3 query\",\"number\":\"2.2"
                     "\",\"score\":0,\"max_score\":2.5,\"status\":\"failed\",\"output\":\"wrong value: got 400, expect"
                     "ed 570 [out.json:2:67]\"},{\"name\":\"customer 1 (entry 3) event 4 withdraw\",\"number\":\"3.1\""
                     ",\"score\":0,\"max_score\":2.5,\"status\":\"failed\",\"output\":\"not graded\"},{\"name\":\"repl"
                     "ies for no event of the input\",\"number\":\"0\",\"score\":0,\"max_score\":0,\"status\":\"failed"
                     "\",\"output\":\"customer 2: extra: no event [out.json:2:90]\\ncustomer 9: extra [out.json:3:1]\\"
                     "n\"}]}");
    free(json);
    o = (bank_gradescope_options){BANK_GS_PER_CUSTOMER, 0, NULL, NULL};
    json = gradescope_of(&o, &w, &row);
    cr_expect_str_eq(json, "{\"score\":2,\"output\":\"Graded out.json (JSON), judged consistent: 2/4 events correct.\\nAlso "
                     "read as outputs (not graded): b.json.\\nNotes: late.\",\"output_format\":\"text\",\"test_output_"
                     "format\":\"text\",\"test_name_format\":\"text\",\"extra_data\":{\"mode\":\"consistent\",\"graded"
                     "\":\"out.json\",\"format\":\"JSON\",\"max_score\":4},\"tests\":[{\"name\":\"customer 1 (entry 1)"
                     "\",\"number\":\"1\",\"score\":1,\"max_score\":1,\"status\":\"passed\",\"output\":\"customer 1 (e"
                     "ntry 1) event 1 query: ok [out.json:1:5]\\n\"},{\"name\":\"customer 2\",\"number\":\"2\",\"score"
                     "\":1,\"max_score\":2,\"status\":\"failed\",\"output\":\"customer 2 event 2 deposit: ok\\ncustome"
                     "r 2 event 3 query: wrong value: got 400, expected 570 [out.json:2:67]\\n\"},{\"name\":\"customer"
                     " 1 (entry 3)\",\"number\":\"3\",\"score\":0,\"max_score\":1,\"status\":\"failed\",\"output\":\"c"
                     "ustomer 1 (entry 3) event 4 withdraw: not graded\\n\"},{\"name\":\"replies for no event of the i"
                     "nput\",\"number\":\"0\",\"score\":0,\"max_score\":0,\"status\":\"failed\",\"output\":\"customer "
                     "2: extra: no event [out.json:2:90]\\ncustomer 9: extra [out.json:3:1]\\n\"}]}");
    free(json);
    bank_graded_file none = {.path = "sub", .error = "no output file", .n_events = 4};
    json = gradescope_of(&o, &w, &none);
    cr_expect_str_eq(json, "{\"score\":0,\"output\":\"Nothing graded: no output file.\",\"output_format\":\"text\",\"test_ou"
                     "tput_format\":\"text\",\"test_name_format\":\"text\",\"extra_data\":{\"mode\":\"consistent\",\"g"
                     "raded\":\"sub\",\"max_score\":4},\"tests\":[{\"name\":\"customer 1 (entry 1)\",\"number\":\"1\","
                     "\"score\":0,\"max_score\":1,\"status\":\"failed\",\"output\":\"customer 1 (entry 1) event 1 quer"
                     "y: no output file\\n\"},{\"name\":\"customer 2\",\"number\":\"2\",\"score\":0,\"max_score\":2,\""
                     "status\":\"failed\",\"output\":\"customer 2 event 2 deposit: no output file\\ncustomer 2 event 3"
                     " query: no output file\\n\"},{\"name\":\"customer 1 (entry 3)\",\"number\":\"3\",\"score\":0,\"m"
                     "ax_score\":1,\"status\":\"failed\",\"output\":\"customer 1 (entry 3) event 4 withdraw: no output"
                     " file\\n\"}]}");
    free(json);
    json = gradescope_of(&o, NULL, &none);
    cr_expect_str_eq(json, "{\"score\":0,\"output\":\"Nothing graded: no output file.\",\"output_format\":\"text\",\"test_ou"
                     "tput_format\":\"text\",\"test_name_format\":\"text\",\"extra_data\":{\"mode\":\"consistent\",\"g"
                     "raded\":\"sub\",\"max_score\":0},\"tests\":[]}");
    free(json);
    bank_workload_free(&w);
}

/* rule: G30, G34; a class zip of folders: each top folder a student, its members named inside
 * it; hidden names and tool folders anywhere in a path left out, with no student of their own */
Test(class_zip, hidden_and_tool_folders_are_left_out_anywhere)
{
    static const char *const members[] = {"ann/output.json",        "ann/.git/config.json",   "ann/a/__pycache__/x.json",
                                          "ann/node_modules/y.json", "ann/b/venv/z.json",     "ann/site-packages/w.json",
                                          ".DS_Store",              "__pycache__/q.json",     "bob/out.txt",
                                          "bob/.hidden.txt",        "bob/c/d/e.json"};
    size_t n = sizeof members / sizeof members[0];
    char path[] = "/tmp/bank-test-zip-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    struct archive *a = archive_write_new();
    cr_assert_eq(archive_write_set_format_zip(a), ARCHIVE_OK);
    cr_assert_eq(archive_write_open_fd(a, fd), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, members[i]);
        archive_entry_set_size(e, 2);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK);
        cr_assert_eq(archive_write_data(a, "[]", 2), 2);
        archive_entry_free(e);
    }
    cr_assert_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    close(fd);
    bank_class c;
    char err[512] = "";
    cr_assert_eq(bank_class_load(path, &c, err, sizeof err), 0, "%s", err);
    char got[1024] = "";
    for (size_t i = 0; i < c.n; i++) {
        strcat(got, c.students[i].name);
        strcat(got, ":");
        for (size_t j = 0; j < c.students[i].n_files; j++) {
            strcat(got, " ");
            strcat(got, c.students[i].files[j].name);
        }
        strcat(got, "; ");
    }
    cr_expect_str_eq(got, "ann: output.json; bob: c/d/e.json out.txt; ");
    bank_class_free(&c);
    unlink(path);
}
