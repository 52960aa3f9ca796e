/* The io layer: the input reader (variants real course inputs use, exact int64, positions),
 * the peers file, and the output styles. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/input.h"
#include "io/loose_value.h"
#include "io/output.h"
#include "io/peers_file.h"
#include "io/trace_read.h"

static int parse(const char *text, bank_workload *w, char *err)
{
    return bank_input_parse(text, strlen(text), "in.json", w, err, 512);
}

static void expect_error(const char *text, const char *want)
{
    bank_workload w;
    char err[512] = "";
    cr_expect_eq(parse(text, &w, err), -1, "accepted: %s", text);
    cr_expect(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"", err, want);
    cr_expect_eq(w.n_customers, 0, "a failed parse leaves the workload empty");
    cr_expect_null(w.branches);
}

/* rule: I8 */
Test(input, course_sample_old_generation)
{
    /* the course's own copy: "money" on queries, odd spacing */
    const char *text =
        "[\n  { \"id\" : 1, \"type\" : \"customer\", \"events\" : [{ \"id\": 1, \"interface\":\"query\", \"money\": 400 }]},\n"
        "  { \"id\" : 2, \"type\" : \"customer\", \"events\" : [{ \"id\": 2, \"interface\":\"deposit\", \"money\": 170 },"
        "{ \"id\": 3, \"interface\":\"query\", \"money\": 400 }]},\n"
        "  {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", \"balance\": 400}\n]";
    bank_workload w;
    char err[512];
    cr_assert_eq(parse(text, &w, err), 0, "%s", err);
    cr_expect_eq(w.n_branches, 2);
    cr_expect_eq(w.n_customers, 2);
    cr_expect_eq(w.customers[0].events[0].op, BANK_OP_QUERY);
    cr_expect_eq(w.customers[0].events[0].money, 0, "money on a query is ignored");
    cr_expect_eq(w.customers[1].events[0].op, BANK_OP_DEPOSIT);
    cr_expect_eq(w.customers[1].events[0].money, 170);
    cr_expect_eq(w.customers[1].events[1].id, 3);
    cr_expect_eq(w.customers[1].branch_index, 1);
    bank_workload_free(&w);
}

/* rule: I4, I8 */
Test(input, client_and_bank_types_and_events_without_id)
{
    const char *text = "[{\"id\": 2, \"type\": \"bank\", \"balance\": 5},\t{\"id\": 7, \"type\": \"bank\", \"balance\": 5},"
                       "{\"id\": 7, \"type\": \"client\", \"events\": [{\"interface\": \"withdraw\", \"money\": 3},"
                       "{\"interface\": \"query\"}, {\"interface\": \"deposit\", \"money\": 0}]}]";
    bank_workload w;
    char err[512];
    cr_assert_eq(parse(text, &w, err), 0, "%s", err);
    cr_expect_eq(w.n_customers, 1);
    cr_expect_eq(w.customers[0].branch_index, 1, "customer 7 talks to branch 7, the second branch");
    for (int e = 0; e < 3; e++) cr_expect_eq(w.customers[0].events[e].id, e + 1, "numbered by position");
    cr_expect_eq(w.customers[0].events[2].money, 0, "zero money is money");
    bank_workload_free(&w);
}

/* rule: I9 */
Test(input, repeated_customer_ids_keep_input_order)
{
    const char *text = "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"interface\": \"deposit\", \"money\": 10}]},"
                       "{\"id\": 1, \"type\": \"branch\", \"balance\": 400},"
                       "{\"id\": 1, \"type\": \"customer\", \"events\": [{\"interface\": \"withdraw\", \"money\": 10}]}]";
    bank_workload w;
    char err[512];
    cr_assert_eq(parse(text, &w, err), 0, "%s", err);
    cr_assert_eq(w.n_customers, 2);
    cr_expect_eq(w.customers[0].events[0].op, BANK_OP_DEPOSIT);
    cr_expect_eq(w.customers[1].events[0].op, BANK_OP_WITHDRAW);
    bank_workload_free(&w);
}

/* rule: I5, I7 */
Test(input, int64_limits_are_exact)
{
    bank_workload w;
    char err[512];
    cr_assert_eq(parse("[{\"id\": 1, \"type\": \"branch\", \"balance\": 9223372036854775807}]", &w, err), 0, "%s", err);
    cr_expect_eq(w.branches[0].balance, INT64_MAX);
    bank_workload_free(&w);
    /* 2^53 + 1 is not a double: only the lexeme keeps it */
    cr_assert_eq(parse("[{\"id\": 1, \"type\": \"branch\", \"balance\": 9007199254740993}]", &w, err), 0, "%s", err);
    cr_expect_eq(w.branches[0].balance, 9007199254740993LL);
    bank_workload_free(&w);
    expect_error("[{\"id\": 1, \"type\": \"branch\", \"balance\": 9223372036854775808}]", "does not fit in int64");
    expect_error("[{\"id\": 1, \"type\": \"branch\", \"balance\": 10.0}]", "must be a whole number, got 10.0");
}

/* rule: I2; a byte where JSON wants a value is named: a whole UTF-8 character by itself and its
 * code point (the edges of each length, the highest), anything else (an overlong form, a
 * surrogate, past U+10FFFF, a cut or broken sequence, a byte no character starts with) by its
 * first byte, at the column where it starts */
Test(input, a_character_json_cannot_start_with_is_named_exactly)
{
    static const char *const cases[][2] = {
        {"[\xF0\x9F\x98\x80]",
         "in.json:1:2: not valid JSON: unexpected character \xF0\x9F\x98\x80 (U+1F600)"},
        {"[\xF4\x8F\xBF\xBF]",
         "in.json:1:2: not valid JSON: unexpected character \xF4\x8F\xBF\xBF (U+10FFFF)"},
        {"[\xF4\x90\x80\x80]",
         "in.json:1:2: not valid JSON: unexpected byte 0xf4"},
        {"[\xF0\x90\x80\x80]",
         "in.json:1:2: not valid JSON: unexpected character \xF0\x90\x80\x80 (U+10000)"},
        {"[\xF0\x8F\xBF\xBF]",
         "in.json:1:2: not valid JSON: unexpected byte 0xf0"},
        {"[\xC2\x80]",
         "in.json:1:2: not valid JSON: unexpected character \xC2\x80 (U+0080)"},
        {"[\xC1\xBF]",
         "in.json:1:2: not valid JSON: unexpected byte 0xc1"},
        {"[\xDF\xBF]",
         "in.json:1:2: not valid JSON: unexpected character \xDF\xBF (U+07FF)"},
        {"[\xE0\xA0\x80]",
         "in.json:1:2: not valid JSON: unexpected character \xE0\xA0\x80 (U+0800)"},
        {"[\xE0\x9F\xBF]",
         "in.json:1:2: not valid JSON: unexpected byte 0xe0"},
        {"[\xED\x9F\xBF]",
         "in.json:1:2: not valid JSON: unexpected character \xED\x9F\xBF (U+D7FF)"},
        {"[\xED\xA0\x80]",
         "in.json:1:2: not valid JSON: unexpected byte 0xed"},
        {"[\xED\xBF\xBF]",
         "in.json:1:2: not valid JSON: unexpected byte 0xed"},
        {"[\xEE\x80\x80]",
         "in.json:1:2: not valid JSON: unexpected character \xEE\x80\x80 (U+E000)"},
        {"[\xE2\x28\xA1]",
         "in.json:1:2: not valid JSON: unexpected byte 0xe2"},
        {"[\xF8\x88\x80\x80\x80]",
         "in.json:1:2: not valid JSON: unexpected byte 0xf8"},
        {"[\xF5\x80\x80\x80]",
         "in.json:1:2: not valid JSON: unexpected byte 0xf5"},
        {"[1,\n \x80]",
         "in.json:2:2: not valid JSON: unexpected byte 0x80"},
        {"[\x7f]",
         "in.json:1:2: not valid JSON: unexpected byte 0x7f"},
        {"[\xE2\x80",
         "in.json:1:2: not valid JSON: unexpected byte 0xe2"},
        /* at the very start */
        {"\xC1\xBF", "in.json:1:1: not valid JSON: unexpected byte 0xc1"},
        {"\xE2\x28\xA1", "in.json:1:1: not valid JSON: unexpected byte 0xe2"},
        {"\xED\xA0\x80", "in.json:1:1: not valid JSON: unexpected byte 0xed"},
        {"\xE2\x80\x9D", "in.json:1:1: not valid JSON: unexpected character \xE2\x80\x9D (U+201D), a typographic quote: JSON needs the straight \""},
        /* JSON cut inside a string: named from the character the last byte belongs to, where it starts */
        {"[\"\xC2\xA0", "in.json:1:3: not valid JSON: unexpected character \xC2\xA0 (U+00A0), a no-break space"},
        {"[\"\xE2\x80\x99", "in.json:1:3: not valid JSON: unexpected character \xE2\x80\x99 (U+2019), a typographic apostrophe: JSON needs the straight \""},
        {"[\"\xC2\xA0\x80", "in.json:1:3: not valid JSON: unexpected character \xC2\xA0 (U+00A0), a no-break space"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bank_workload w;
        char err[512] = "";
        cr_expect_eq(parse(cases[i][0], &w, err), -1, "case %zu", i);
        cr_expect_str_eq(err, cases[i][1], "case %zu", i);
    }
    /* a character cut by the end of the text given is no character, whatever follows it */
    bank_workload w;
    char err[512] = "";
    cr_expect_eq(bank_input_parse("[\xE2\x80\x9C]", 3, "in.json", &w, err, sizeof err), -1);
    cr_expect_str_eq(err, "in.json:1:2: not valid JSON: unexpected byte 0xe2");
}

/* rule: I2, I9, I11 */
Test(input, errors_name_file_line_and_column)
{
    expect_error("[\n {\"id\": 1, \"type\": \"branch\", \"balance\": 1},\n {\"id\": 1, \"type\": \"customer\", \"events\": [{\"interface\": \"withdraw\"}]}\n]",
                 "in.json:3:43: customer 1 (process 2), event 1: \"money\" is missing");
    expect_error("[{\"id\": 1, \"type\": \"branch\", \"balance\": 1}\n,\n  oops]", "in.json:3:3: not valid JSON near 'oops]'");
    expect_error("", "in.json: empty file");
    /* a close where JSON wants more: a trailing comma is named only where there is one */
    expect_error("{\"id\" }", "in.json:1:7: not valid JSON near '}'");
    expect_error("[{\"id\": 1 ]", "in.json:1:11: not valid JSON near ']'");
    expect_error("}", "in.json:1:1: not valid JSON near '}'");
    expect_error("[1,\n ]", "in.json:1:3: not valid JSON: a comma before ']' (JSON allows no trailing comma; remove it)");
    /* a byte no character starts with, or a control character: named by its value */
    expect_error("[{\"id\": 1},\n \xff]", "in.json:2:2: not valid JSON: unexpected byte 0xff");
    expect_error("[\x01]", "in.json:1:2: not valid JSON: unexpected byte 0x01");
    expect_error("[{\"id\": 1, \"type\": \"branch\", \"balance\": 1}, {\"id\": 4, \"type\": \"customer\", \"events\": []}]",
                 "in.json:1:52: customer 4: there is no branch 4");
}

/* rule: I1 */
Test(input, a_byte_order_mark_is_skipped)
{
    bank_workload w;
    char err[512];
    cr_assert_eq(parse("\xEF\xBB\xBF[{\"id\": 1, \"type\": \"branch\", \"balance\": 1}]", &w, err), 0, "%s", err);
    bank_workload_free(&w);
}

/* rule: I7, I10 */
Test(input, limits)
{
    /* more than BANK_MAX_BRANCHES branches */
    size_t cap = (BANK_MAX_BRANCHES + 2) * 64;
    char *text = malloc(cap);
    size_t n = (size_t)snprintf(text, cap, "[");
    for (int i = 0; i <= BANK_MAX_BRANCHES; i++)
        n += (size_t)snprintf(text + n, cap - n, "%s{\"id\": %d, \"type\": \"branch\", \"balance\": 1}", i ? "," : "", i);
    snprintf(text + n, cap - n, "]");
    expect_error(text, "more than 1000 branches");
    free(text);
}

/* Every p1 input in the shared corpus of real student projects is read (the corpus is beside
 * the project when present). */
/* rule: I4, I8 */
Test(input, real_course_inputs_from_the_corpus)
{
    const char *dir = getenv("BANK_CORPUS_P1");
    DIR *top = dir ? opendir(dir) : NULL;
    if (!top) cr_skip_test("BANK_CORPUS_P1 (../shared/corpus/p1) is not available");
    struct dirent *repo;
    int seen = 0;
    while ((repo = readdir(top))) {
        if (repo->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, repo->d_name);
        DIR *d = opendir(path);
        struct dirent *f;
        while (d && (f = readdir(d))) {
            if (!strcasestr(f->d_name, "input") || !strstr(f->d_name, ".json")) continue;
            char file[2048];
            snprintf(file, sizeof file, "%s/%s", path, f->d_name);
            bank_workload w;
            char err[512];
            cr_expect_eq(bank_input_load(file, &w, err, sizeof err), 0, "%s", err);
            cr_expect_gt(w.n_branches, 0, "%s", file);
            bank_workload_free(&w);
            seen++;
        }
        if (d) closedir(d);
    }
    closedir(top);
    cr_expect_gt(seen, 10, "only %d inputs found", seen);
}

/* rule: S9 */
Test(peers, lines_comments_and_errors)
{
    const char *text = "# id address\n1 127.0.0.1:5001\n\n  2\t10.0.0.2:5002  \n";
    bank_peer_entry *e;
    size_t n;
    char err[256];
    cr_assert_eq(bank_peers_parse(text, strlen(text), "p", &e, &n, err, sizeof err), 0, "%s", err);
    cr_expect_eq(n, 2);
    cr_expect_eq(e[1].id, 2);
    cr_expect_str_eq(e[1].target, "10.0.0.2:5002");
    free(e);
    /* int64's largest id is one */
    const char *largest = "9223372036854775807 a:1\n";
    cr_assert_eq(bank_peers_parse(largest, strlen(largest), "p", &e, &n, err, sizeof err), 0, "%s", err);
    cr_expect(n == 1 && e[0].id == INT64_MAX && strcmp(e[0].target, "a:1") == 0);
    free(e);
    struct { const char *text, *want; } bad[] = {
        {"1 127.0.0.1:5001\n1 127.0.0.1:5002\n", "p:2:1: branch 1 is listed twice"},
        {"x 127.0.0.1:5001\n", "p:1:1: expected \"ID HOST:PORT\""},
        {"1\n", "p:1:2: expected \"ID HOST:PORT\""},
        {"1 nohost\n", "p:1:3: address must be HOST:PORT"},
        {"1 a:1 extra\n", "p:1:7: unexpected text after HOST:PORT"},
        {"1 a:1\n  99999999999999999999 a:2\n", "p:2:3: branch id does not fit in int64"},
        {"\t9223372036854775808 a:1\n", "p:1:2: branch id does not fit in int64"},
        {"# nothing\n", "p: no branch listed"},
        {"1 127.0.0.1:5001\n2 127.0.0.1:5002\nx\n", "p:3:1: expected \"ID HOST:PORT\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        e = (void *)&e; /* a failure must set both outputs, whatever was read before the bad line */
        n = 99;
        cr_expect_eq(bank_peers_parse(bad[i].text, strlen(bad[i].text), "p", &e, &n, err, sizeof err), -1);
        cr_expect_str_eq(err, bad[i].want);
        cr_expect(e == NULL && n == 0, "%s: *out %p, *n %zu", bad[i].want, (void *)e, n);
    }
}

/* What bank_output_write writes of o in style (one object a line when lines); the caller frees it. */
static char *output_of(const bank_workload *w, const bank_outcome *o, bank_style style, int lines)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert(f);
    cr_assert_eq(bank_output_write(f, w, o, style, lines), 0);
    fclose(f);
    return buf;
}

/* rule: O1, O2, O3, O4 */
/* Every customer entry is its own output object, in input order, even when ids repeat (the
 * course's large input repeats them): entries are not grouped or merged by id. */
Test(output, repeated_ids_keep_input_order)
{
    bank_event ev[] = {{1, BANK_OP_DEPOSIT, 5}};
    bank_customer cu[] = {{1, 0, 1, ev}, {2, 1, 1, ev}, {1, 0, 1, ev}, {2, 1, 1, ev}};
    bank_branch br[] = {{1, 0}, {2, 0}};
    bank_workload w = {2, br, 4, cu};
    bank_result rs[4][1] = {{{BANK_OP_DEPOSIT, 1, 5, 0}}, {{BANK_OP_DEPOSIT, 0, 5, 0}},
                            {{BANK_OP_DEPOSIT, 0, 5, 0}}, {{BANK_OP_DEPOSIT, 1, 5, 0}}};
    bank_result *rows[] = {rs[0], rs[1], rs[2], rs[3]};
    bank_outcome o = {4, rows};
    char *buf = output_of(&w, &o, BANK_STYLE_RESULT, 1);
    cr_expect_str_eq(buf, "{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}]}\n"
                          "{\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"fail\"}]}\n"
                          "{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"result\": \"fail\"}]}\n"
                          "{\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}]}\n");
    free(buf);
}

/* rule: S11 */
Test(output, a_pending_write_is_written_pending_not_success)
{
    bank_event ev[] = {{1, BANK_OP_DEPOSIT, 5}, {2, BANK_OP_WITHDRAW, 1}};
    bank_customer cu = {3, 0, 2, ev};
    bank_branch br = {3, 1};
    bank_workload w = {1, &br, 1, &cu};
    bank_result rs[] = {{BANK_OP_DEPOSIT, 1, 6, 1}, {BANK_OP_WITHDRAW, 1, 5, 0}};
    bank_result *rows[] = {rs};
    bank_outcome o = {1, rows};
    char *buf = output_of(&w, &o, BANK_STYLE_BALANCE, 1);
    cr_expect_str_eq(buf, "{\"id\": 3, \"recv\": [{\"interface\": \"deposit\", \"result\": \"pending\"}, "
                          "{\"interface\": \"withdraw\", \"result\": \"success\"}]}\n");
    free(buf);
}

Test(output, styles_and_lines)
{
    bank_event ev[] = {{1, BANK_OP_WITHDRAW, 5}, {2, BANK_OP_QUERY, 0}};
    bank_customer cu = {3, 0, 2, ev};
    bank_branch br = {3, 1};
    bank_workload w = {1, &br, 1, &cu};
    bank_result rs[] = {{BANK_OP_WITHDRAW, 0, 1, 0}, {BANK_OP_QUERY, 1, 1, 0}};
    bank_result *rows[] = {rs};
    bank_outcome o = {1, rows};
    struct { bank_style style; int lines; const char *want; } cases[] = {
        {BANK_STYLE_RESULT, 0, "[\n  {\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"fail\"}, "
                               "{\"interface\": \"query\", \"result\": {\"balance\": 1}}]}\n]\n"},
        {BANK_STYLE_BALANCE, 1, "{\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"fail\"}, "
                                "{\"interface\": \"query\", \"balance\": 1}]}\n"},
        {BANK_STYLE_MONEY, 1, "{\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"fail\"}, "
                              "{\"interface\": \"query\", \"result\": \"success\", \"money\": 1}]}\n"},
    };
    for (size_t i = 0; i < 3; i++) {
        char *buf = output_of(&w, &o, cases[i].style, cases[i].lines);
        cr_expect_str_eq(buf, cases[i].want);
        free(buf);
    }
    bank_style s;
    cr_expect_eq(bank_style_parse("money", &s), 0);
    cr_expect_eq(s, BANK_STYLE_MONEY);
    cr_expect_eq(bank_style_parse("xml", &s), -1);
}

/* A trace's Lamport clocks: absent on traces before Project 2 (0), whole numbers from 0 when
 * present; any other clock refuses the trace with the line and the field. */
/* rule: L3 */
Test(trace, clocks_are_whole_numbers_from_0)
{
    static const char entry[] = "{\"t_recv_us\": 1, \"t_reply_us\": 2, \"from\": \"customer\", \"from_id\": 1, "
                                "\"to_branch\": 1, \"rpc\": \"MsgDelivery\", \"customer\": 1, \"event\": 1, "
                                "\"money\": 10, \"balance\": 410, \"reply\": \"success\"";
    struct { const char *clocks, *want; } cases[] = {
        {"", NULL},
        {", \"clock_sent\": 3, \"clock\": 4", NULL},
        {", \"clock_sent\": -1", "t.jsonl:2:1: a trace record needs \"clock_sent\": a whole number from 0"},
        {", \"clock\": 1.5", "t.jsonl:2:1: a trace record needs \"clock\": a whole number from 0"},
        {", \"clock\": \"4\"", "t.jsonl:2:1: a trace record needs \"clock\": a whole number from 0"},
        {", \"clock\": 9223372036854775808", "t.jsonl:2:1: a trace record needs \"clock\": a whole number from 0"},
    };
    char dir[] = "/tmp/bank-test-trace-XXXXXX", path[64], text[1024];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.jsonl", dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(text, sizeof text, "%s}\n%s%s}\n", entry, entry, cases[i].clocks);
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        fputs(text, f);
        fclose(f);
        bank_trace t;
        char err[512] = "";
        int rc = bank_trace_load(path, &t, err, sizeof err);
        if (!cases[i].want) {
            cr_assert_eq(rc, 0, "%s", err);
            cr_expect_eq(t.n, 2);
            cr_expect_eq(t.entries[1].clock, i ? 4u : 0u);
            cr_expect_eq(t.entries[1].clock_sent, i ? 3u : 0u);
            bank_trace_free(&t);
            continue;
        }
        cr_expect_eq(rc, -1, "%s", cases[i].clocks);
        cr_expect(strstr(err, cases[i].want) != NULL && strstr(err, dir) == err, "%s lacks %s", err, cases[i].want);
        cr_expect_eq(t.n, 0);
    }
    remove(path);
    rmdir(dir);
}

/* A member is looked up in an object only: nothing, and no crash, for no value or another kind. */
Test(loose_value, a_member_of_what_is_no_object_is_nothing)
{
    lv_document doc;
    char err[256];
    const char text[] = "{\"a\": 1}\n[{\"a\": 2}]\n";
    cr_assert_eq(lv_parse(text, strlen(text), &doc, err, sizeof err), 0, "%s", err);
    cr_assert_eq(doc.n, 2, "%zu values", doc.n);
    const lv_value *a = lv_get(&doc.values[0], "A");
    cr_expect(a && a->type == LV_NUMBER, "an object's member, its case aside");
    cr_expect_null(lv_get(&doc.values[1], "a"), "an array has no members");
    cr_expect_null(lv_get(&doc.values[0].items[0], "a"), "a number has no members");
    cr_expect_null(lv_get(NULL, "a"));
    lv_document_free(&doc);
}

/* lv_parse reads its len bytes and not one more: each text in a buffer of exactly its length (no
 * NUL after it, AddressSanitizer watching) parses as it does with one, to the same error. */
Test(loose_value, no_byte_past_the_length_is_read)
{
    static const char *const texts[] = {"   ",     " \n\t", "x",        "  x",     "id: 1",  "1: 2",
                                        "[1, 2]",  "[1, 2",  "{'a': True}", "'abc",  "\"\\u12", "-",
                                        "4e",      "None",   "id: 1, recv:[", "{\"a\"", "[[",    "\xEF\xBB\xBF",
                                        "[\"\\uD83D\\", "[\"\\uD83D"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t len = strlen(texts[i]);
        char *exact = malloc(len);
        cr_assert_not_null(exact);
        memcpy(exact, texts[i], len);
        lv_document a, b;
        char ea[256] = "", eb[256] = "";
        int ra = lv_parse(texts[i], len, &a, ea, sizeof ea);
        int rb = lv_parse(exact, len, &b, eb, sizeof eb);
        cr_expect_eq(ra, rb, "\"%s\"", texts[i]);
        cr_expect_str_eq(ea, eb, "\"%s\"", texts[i]);
        if (ra == 0) {
            cr_expect_eq(a.n, b.n, "\"%s\"", texts[i]);
            lv_document_free(&a);
        }
        if (rb == 0) lv_document_free(&b);
        free(exact);
    }
}

/* A value as text, every part with where it starts: i7@1:2 (an int64), n0.5@1:2 (any other
 * number), s"a\x09"@1:2, true@1:2, null@1:2, [..]@1:2, {k=..}@1:2. */
static void dump_value(const lv_value *v, char *out, size_t cap)
{
    size_t n = strlen(out);
    char *at = out + n;
    size_t left = cap - n;
    switch (v->type) {
    case LV_NULL: snprintf(at, left, "null"); break;
    case LV_BOOL: snprintf(at, left, "%s", v->boolean ? "true" : "false"); break;
    case LV_NUMBER:
        if (v->is_integer) snprintf(at, left, "i%lld", (long long)v->integer);
        else snprintf(at, left, "n%.17g", v->number);
        break;
    case LV_STRING:
        snprintf(at, left, "s\"");
        for (const unsigned char *p = (const unsigned char *)v->string; *p; p++) {
            size_t k = strlen(out);
            if (*p >= 0x20 && *p < 0x7f && *p != '\\') snprintf(out + k, cap - k, "%c", *p);
            else snprintf(out + k, cap - k, "\\x%02x", *p);
        }
        n = strlen(out);
        snprintf(out + n, cap - n, "\"");
        break;
    case LV_ARRAY:
    case LV_OBJECT:
        snprintf(at, left, "%c", v->type == LV_ARRAY ? '[' : '{');
        for (size_t i = 0; i < v->n; i++) {
            n = strlen(out);
            if (i) snprintf(out + n, cap - n, ","), n++;
            if (v->type == LV_OBJECT) snprintf(out + n, cap - n, "%s=", v->keys[i]);
            dump_value(&v->items[i], out, cap);
        }
        n = strlen(out);
        snprintf(out + n, cap - n, "%c", v->type == LV_ARRAY ? ']' : '}');
        break;
    }
    n = strlen(out);
    snprintf(out + n, cap - n, "@%d:%d", v->line, v->col);
}

/* rule: G20; each syntax a student's output is written in, read whole: every value's type,
 * number (int64 or not), decoded string and key, and where it starts; the syntax the document
 * shows and how many lines hold no value */
Test(loose_value, documents_are_read_whole_with_every_position)
{
    static const struct {
        const char *text, *want;
        lv_syntax syntax;
        size_t noise;
    } cases[] = {
        {"{\"a\": [1, -2, 3.5, 1e2, true, false, null],\n \"b\": {\"c\": \"x\\ty\\u00e9\\uD83D\\uDE00\\/\\\"\\\\\\b\\f\\n\\r\"}}",
         "{a=[i1@1:8,i-2@1:11,n3.5@1:15,i100@1:20,true@1:25,false@1:31,null@1:38]@1:7,b={c=s\"x\\x09y\\xc3\\xa9\\xf0\\x9f\\x98\\x80/\"\\x5c\\x08\\x0c\\x0a\\x0d\"@2:13}@2:7}@1:1", LV_SYNTAX_JSON, 0},
        {"{'a': True, 'b': None, 'c': 'it\\'s', 'd': [1, 2,], 'e': '\\x41\\q', 'f': False,}",
         "{a=true@1:7,b=null@1:18,c=s\"it's\"@1:29,d=[i1@1:44,i2@1:47]@1:43,e=s\"A\\x5cq\"@1:57,f=false@1:72}@1:1", LV_SYNTAX_PYTHON, 0},
        {"a log line\n[1]\n[2][3]\n , {}\n# done\n",
         "[i1@2:2]@2:1 [i2@3:2]@3:1 [i3@3:5]@3:4 {}@4:4", LV_SYNTAX_JSON, 2},
        {"\xEF\xBB\xBF[1]",
         "[i1@1:2]@1:1", LV_SYNTAX_JSON, 0},
        {"[9223372036854775807, -9223372036854775808, 9223372036854775808, -9223372036854775809, 1.0, 2e0,"
         " 1e300, .5, +3, 9.2233720368547758e18, -9.2233720368547758e18, -0]",
         "[i9223372036854775807@1:2,i-9223372036854775808@1:23,n9.2233720368547758e+18@1:45,n-9.2233720368547758e+18@1:66,i1@1:88,i2@1:93,n1.0000000000000001e+300@1:98,n0.5@1:105,i3@1:109,n9.2233720368547758e+18@1:113,n-9.2233720368547758e+18@1:136,i0@1:160]@1:1", LV_SYNTAX_JSON, 0},
        {"[\"\\uD83D\", \"\\uD83Dx\", \"\\uD83D\\u0041\", \"\\uDE00\", \"\\uD83D\\uD83D\"]",
         "[s\"\\xed\\xa0\\xbd\"@1:2,s\"\\xed\\xa0\\xbdx\"@1:12,s\"\\xed\\xa0\\xbdA\"@1:23,s\"\\xed\\xb8\\x80\"@1:39,s\"\\xed\\xa0\\xbd\\xed\\xa0\\xbd\"@1:49]@1:1", LV_SYNTAX_JSON, 0},
        {"id: 1, recv:[id: 1\ninterface: query\nresult: \"success\"\nbalance: -400\n, id: 2 interface: deposit]\n"
         "id: 2, recv:[], note: \"a b\", x 5\n",
         "{id=i1@1:5,recv=[{id=i1@1:18,interface=s\"query\"@2:12,result=s\"success\"@3:9,balance=i-400@4:10}@1:14,{id=i2@5:7,interface=s\"deposit\"@5:20}@5:3]@1:13}@1:1 {id=i2@6:5,recv=[]@6:13,note=s\"a b\"@6:23,x=i5@6:32}@6:1", LV_SYNTAX_TEXTPROTO, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lv_document doc;
        char err[256] = "", got[4096] = "";
        cr_assert_eq(lv_parse(cases[i].text, strlen(cases[i].text), &doc, err, sizeof err), 0, "%zu: %s", i, err);
        for (size_t k = 0; k < doc.n; k++) {
            if (k) strcat(got, " ");
            dump_value(&doc.values[k], got, sizeof got);
        }
        cr_expect_str_eq(got, cases[i].want, "case %zu", i);
        cr_expect_eq(doc.syntax, cases[i].syntax, "case %zu", i);
        cr_expect_eq(doc.noise_lines, cases[i].noise, "case %zu", i);
        lv_document_free(&doc);
    }
}

/* rule: G20; each way a document can be bad gets its one message, at the line and column where
 * it is bad, and an empty document */
Test(loose_value, each_bad_document_says_what_and_where)
{
    static const char *const cases[][2] = {
        {"{\"a\" 1}",
         "1:6: expected ':' after the key, found '1'"},
        {"{a: 1}",
         "1:2: the key a is not quoted (neither JSON nor a Python literal)"},
        {"{1: 2}",
         "1:2: expected a quoted key or '}', found '1'"},
        {"[1 2]",
         "1:4: expected ',' or ']', found '2'"},
        {"{\"a\": 1 \"b\"}",
         "1:9: expected ',' or '}', found '\"'"},
        {"[\"abc",
         "1:2: a string that is never closed (opened with \")"},
        {"[\"ab\nc\"]",
         "1:2: a string that is never closed (opened with \")"},
        {"[\"\\u12g4\"]",
         "1:7: expected a hex digit in an escape, found 'g'"},
        {"['\\x4']",
         "1:6: expected a hex digit in an escape, found '''"},
        {"[-]",
         "1:2: a sign without a number"},
        {"[1e]",
         "1:2: a number with an empty exponent"},
        {"[1e+]",
         "1:2: a number with an empty exponent"},
        {"[tru]",
         "1:2: expected a value, found 't'"},
        {"[\x01]",
         "1:2: expected a value, found byte 0x01"},
        {"[",
         "1:2: expected a value, found the end of the file"},
        {"[1234567890123456789012345678901234567890123456789012345678901234]",
         "1:2: a number of more than 63 characters"},
        {"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
         "1:65: values nested more than 64 deep"},
        {"no value here\n\n",
         "1:1: no JSON, Python or protobuf-text value in the file"},
        {"",
         "1:1: no JSON, Python or protobuf-text value in the file"},
        {"id: 1, recv: [id: 1 x",
         "1:22: expected a field value, found the end of the file"},
        {"id: ?",
         "1:5: expected a field value, found '?'"},
        {"id: 1\n: 2",
         "2:1: expected a field name, found ':'"},
        {"id: [1, 2 3]",
         "1:11: expected ',' or ']' in a list, found '3'"},
        {"id: 1 x:",
         "1:9: expected a field value, found the end of the file"},
        {"[\"\\u00\"]",
         "1:7: expected a hex digit in an escape, found '\"'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lv_document doc;
        char err[256] = "";
        cr_expect_eq(lv_parse(cases[i][0], strlen(cases[i][0]), &doc, err, sizeof err), -1, "case %zu", i);
        cr_expect_str_eq(err, cases[i][1], "case %zu", i);
        cr_expect(doc.n == 0 && doc.values == NULL && doc.arena == NULL, "case %zu: the document is left empty", i);
    }
}
