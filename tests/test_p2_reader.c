/* Project 2's reader of students' output files, on every form students write (one test each):
 * parts with comment headers, the corpus's spellings, clocks as written, the one-object form,
 * the old form and its protobuf dump, and unusable files named by line and column. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lamport.h"
#include "io/p2_student.h"

static void parse(const char *text, bank_p2_student *st)
{
    char err[512];
    cr_assert_eq(bank_p2_student_parse(text, strlen(text), "out", st, err, sizeof err), 0, "%s", err);
}

/* rule: L8 */
Test(p2_reader, parts_in_one_file_with_comment_headers)
{
    bank_p2_student st = {0};
    parse("// Part 1: List all the events taken place on each customer\n"
          "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"customer-request-id\": 1, \"logical_clock\": 1, "
          "\"interface\": \"deposit\", \"comment\": \"event_sent from customer 1\"}]}]\n"
          "// Part 2: List all the events taken place on each branch\n"
          "[{\"id\": 1, \"type\": \"branch\", \"events\": [{\"customer-request-id\": 1, \"logical_clock\": 2, "
          "\"interface\": \"deposit\", \"comment\": \"event_recv from customer 1\"}]}]\n"
          "// Part 3: List all the events (along with their logical times)\n"
          "[{\"id\": 1, \"customer-request-id\": 1, \"type\": \"branch\", \"logical_clock\": 3, "
          "\"interface\": \"propogate_deposit\", \"comment\": \"event_sent to branch 2\"}]\n",
          &st);
    cr_assert_eq(st.n, 3);
    cr_expect_str_eq(st.format, "JSON, customer part, branch part, all-events part");
    cr_expect(st.items[0].place == BANK_P2_IN_CUSTOMERS && st.items[0].kind == BANK_CLOCK_CUSTOMER_SENT);
    cr_expect(st.items[1].place == BANK_P2_IN_BRANCHES && st.items[1].kind == BANK_CLOCK_CUSTOMER_RECV &&
              st.items[1].peer == 1 && st.items[1].clock == 2);
    cr_expect(st.items[2].place == BANK_P2_IN_ALL && st.items[2].kind == BANK_CLOCK_BRANCH_SENT &&
              st.items[2].peer == 2 && st.items[2].propagation && st.items[2].op == BANK_OP_DEPOSIT);
    cr_expect_eq(st.items[2].line, 6);
    bank_p2_student_free(&st);
}

/* rule: L8 */
Test(p2_reader, spellings_students_use)
{
    static const struct {
        const char *comment, *interface;
        int type_customer;
        int kind;
        long long peer;
    } cases[] = {
        {"Event_sent from customer 4", "deposit", 1, BANK_CLOCK_CUSTOMER_SENT, 4},
        {"event sent from customer 1", "withdraw", 1, BANK_CLOCK_CUSTOMER_SENT, 1},
        {"event_recvfrom customer 3", "deposit", 0, BANK_CLOCK_CUSTOMER_RECV, 3},
        {"event_recv by branch 2", "propogate_deposit", 0, BANK_CLOCK_BRANCH_RECV, 2},
        {"event_recv from bank 7", "deposit_propagate", 0, BANK_CLOCK_BRANCH_RECV, 7},
        {"event_sent to branch 10", "PROPAGATE_WITHDRAW", 0, BANK_CLOCK_BRANCH_SENT, 10},
        {NULL, "deposit", 0, BANK_CLOCK_CUSTOMER_RECV, -1},
        {NULL, "deposit", 1, BANK_CLOCK_CUSTOMER_SENT, -1},
        {"something else", "propagate_deposit", 0, -1, -1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char text[400];
        snprintf(text, sizeof text,
                 "{'interface': '%s', 'logical_clock': 3, %s%s%s 'customer-request-id': 1, 'id': 1, 'type': '%s',}\n",
                 cases[k].interface, cases[k].comment ? "'comment': '" : "", cases[k].comment ? cases[k].comment : "",
                 cases[k].comment ? "'," : "", cases[k].type_customer ? "customer" : "branch");
        bank_p2_student st = {0};
        parse(text, &st);
        cr_assert_eq(st.n, 1, "%s", text);
        cr_expect_eq(st.items[0].kind, cases[k].kind, "%s", text);
        if (cases[k].peer >= 0) cr_expect_eq(st.items[0].peer, cases[k].peer, "%s", text);
        cr_expect_str_eq(st.format, "Python literals, all-events part");
        bank_p2_student_free(&st);
    }
}

/* rule: L8; the number a comment names is its peer when it surely fits int64 (18 digits), and
 * none when it may not (19) */
Test(p2_reader, a_comments_number_is_a_peer_up_to_18_digits)
{
    bank_p2_student st = {0};
    parse("{'interface': 'deposit', 'logical_clock': 3, 'comment': 'event_recv from branch 123456789012345678', "
          "'customer-request-id': 1, 'id': 1, 'type': 'branch'}\n"
          "{'interface': 'deposit', 'logical_clock': 4, 'comment': 'event_recv from branch 1234567890123456789', "
          "'customer-request-id': 1, 'id': 1, 'type': 'branch'}\n",
          &st);
    cr_assert_eq(st.n, 2);
    cr_expect(st.items[0].has_peer && st.items[0].peer == 123456789012345678, "%lld", (long long)st.items[0].peer);
    cr_expect(!st.items[1].has_peer, "19 digits read as peer %lld", (long long)st.items[1].peer);
    bank_p2_student_free(&st);
}

/* rule: L8 */
Test(p2_reader, clocks_as_written)
{
    bank_p2_student st = {0};
    parse("[{\"id\": 1, \"type\": \"customer\", \"events\": ["
          "{\"customer-request-id\": \"1\", \"clock\": \"4\", \"interface\": \"deposit\"},"
          "{\"customer-request-id\": 2, \"logical_clock\": 2.5, \"interface\": \"withdraw\"},"
          "{\"customer-request-id\": 3, \"interface\": \"withdraw\"},"
          "{\"customer-request-id\": \"999999999999999999\", \"interface\": \"deposit\"},"
          "{\"customer-request-id\": \"9999999999999999999\", \"interface\": \"deposit\"},"
          "{\"customer-request-id\": 6, \"logical_clock\": -3, \"interface\": \"deposit\"}]}]",
          &st);
    cr_assert_eq(st.n, 6);
    cr_expect(st.items[0].has_request && st.items[0].request == 1 && st.items[0].has_clock && st.items[0].clock == 4);
    cr_expect(!st.items[1].has_clock && st.items[1].clock_text && strcmp(st.items[1].clock_text, "2.5") == 0);
    cr_expect(!st.items[2].has_clock && !st.items[2].clock_text);
    /* a number in a string: 18 digits always fit int64, 19 may not and are no id */
    cr_expect(st.items[3].has_request && st.items[3].request == 999999999999999999);
    cr_expect(!st.items[4].has_request);
    cr_expect(!st.items[5].has_clock && st.items[5].clock_text && strcmp(st.items[5].clock_text, "-3") == 0,
              "a negative clock kept as written: %s", st.items[5].clock_text ? st.items[5].clock_text : "(none)");
    bank_p2_student_free(&st);
}

/* rule: L8; records are looked for in lists nested up to 8 deep, no deeper */
Test(p2_reader, records_nested_eight_lists_deep_are_read_and_no_deeper)
{
    static const char record[] =
        "{\"id\": 1, \"type\": \"customer\", \"events\": [{\"customer-request-id\": 1, \"clock\": 1, "
        "\"interface\": \"deposit\"}]}";
    for (int lists = 8; lists <= 9; lists++) {
        char text[400];
        snprintf(text, sizeof text, "%.*s%s%.*s", lists, "[[[[[[[[[[", record, lists, "]]]]]]]]]]");
        bank_p2_student st = {0};
        char err[512] = "";
        int rc = bank_p2_student_parse(text, strlen(text), "out", &st, err, sizeof err);
        if (lists == 8) cr_expect(rc == 0 && st.n == 1, "8 lists deep: %s", err);
        else cr_expect(rc == -1 && strstr(err, "no Project 2 event in it"), "9 lists deep: %d events read", (int)st.n);
        bank_p2_student_free(&st);
    }
}

/* rule: L4, L8 */
Test(p2_reader, our_one_object_form_and_replies_with_clocks)
{
    bank_p2_student st = {0};
    parse("{\"customer_events\": [{\"id\": 1, \"type\": \"customer\", \"events\": []}], \"branch_events\": [],"
          " \"all_events\": [{\"id\": 1, \"customer-request-id\": 1, \"type\": \"customer\", \"logical_clock\": 1,"
          " \"interface\": \"deposit\", \"comment\": \"event_sent from customer 1\"}]}\n"
          "[{\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\", \"clock\": 1,"
          " \"comment\": \"event sent from customer 2\"}]}]",
          &st);
    cr_assert_eq(st.n, 2);
    cr_expect_eq(st.items[0].place, BANK_P2_IN_ALL);
    cr_expect(st.items[1].place == BANK_P2_IN_CUSTOMERS && !st.items[1].has_request && st.items[1].position == 1);
    cr_expect_str_eq(st.format, "JSON, all-events part, customer replies with clocks");
    bank_p2_student_free(&st);
}

/* rule: L8, L13 */
Test(p2_reader, the_old_form_and_its_protobuf_dump)
{
    bank_p2_student st = {0};
    parse("{'pid':2,'data':[{'id':2,'name':'deposit_request','clock':2},{'id':2,'name':'deposit_broadcast_execute','clock':3}]}\n"
          "{'eventid': 2, 'data': [{'clock': 1, 'name': 'deposit_request'}]}\n", &st);
    cr_assert_eq(st.n, 2);
    cr_expect(st.items[0].place == BANK_P2_IN_OLD && st.items[0].old_kind == BANK_P2_OLD_REQUEST && st.items[0].process == 2);
    cr_expect_eq(st.items[1].old_kind, BANK_P2_OLD_PROP_EXECUTE);
    cr_expect_eq(st.ignored, 1, "a per-request list names no process");
    parse("id: 2, recv:[id: 2\ninterface: deposit\nresult: success\nclock_events {\n  id: 1\n  event_id: 2\n"
          "  name: \"deposit_propogate_request\"\n  clock: 5\n}\nclock_events { id: 3 event_id: 2 name: \"deposit_propagate_execute\" clock: 9 }\n]",
          &st);
    cr_assert_eq(st.n, 4);
    cr_expect(st.items[2].process == 1 && st.items[2].request == 2 && st.items[2].clock == 5 &&
              st.items[2].old_kind == BANK_P2_OLD_PROP_REQUEST && st.items[2].line == 4);
    cr_expect(st.items[3].process == 3 && st.items[3].clock == 9 && st.items[3].old_kind == BANK_P2_OLD_PROP_EXECUTE);
    cr_expect_str_eq(st.format, "Python literals, old pid/data form, protobuf text");
    bank_p2_student_free(&st);
    /* a protobuf text dump without clock_events blocks is read as values, and named as what it is */
    bank_p2_student dump = {0};
    parse("id: 2, recv:[id: 2\ninterface: 'deposit'\nresult: 'success'\nclock: 1\n]\n", &dump);
    cr_expect_eq(dump.n, 1);
    cr_expect_str_eq(dump.format, "protobuf text, customer replies with clocks");
    bank_p2_student_free(&dump);
}

/* rule: L8; a comment or an interface is read by its first 159 characters: what comes after
 * them (here the second digit of the number, and the operation) is not read */
Test(p2_reader, only_the_first_159_characters_of_a_text_are_read)
{
    char text[1400], pad[301];
    memset(pad, ' ', 300);
    pad[300] = '\0';
    snprintf(text, sizeof text,
             "{\"id\": 1, \"logical_clock\": 2, \"type\": \"branch\", \"interface\": \"x%.157sdeposit\","
             " \"comment\": \"event_recv from customer%.133s 37 again\"}\n",
             pad, pad);
    bank_p2_student st = {0};
    parse(text, &st);
    cr_assert_eq(st.n, 1);
    const bank_p2_said *a = &st.items[0];
    cr_expect(a->kind == BANK_CLOCK_CUSTOMER_RECV && a->has_peer && a->peer == 3, "kind %d, peer %lld", a->kind,
              (long long)a->peer);
    cr_expect(!a->op_known && strlen(a->interface) == 165, "the interface's op is past its 159th character");
    bank_p2_student_free(&st);
}

/* rule: L8; a flat object is an event by its logical_clock, or by a clock with a comment or an
 * interface: a clock, a comment or an interface alone is set aside, and each event read keeps
 * every field as written (a branch's event without a comment is its customer's request taken) */
Test(p2_reader, a_clock_comment_or_interface_alone_is_no_event)
{
    bank_p2_student st = {0};
    parse("{\"clock\": 3, \"name\": \"deposit_request\"}\n"
          "{\"interface\": \"deposit\"}\n"
          "{\"comment\": \"event_sent from customer 1\"}\n"
          "{\"id\": 2, \"clock\": 4, \"comment\": \"event_recv from customer 1\"}\n"
          "{\"type\": \"branch\", \"clock\": 5, \"interface\": \"withdraw\"}\n",
          &st);
    cr_expect_eq(st.ignored, 3, "a clock, a comment or an interface alone holds no event");
    cr_assert_eq(st.n, 2);
    const bank_p2_said *a = &st.items[0], *b = &st.items[1];
    cr_expect(a->place == BANK_P2_IN_ALL && a->has_process && a->process == 2 && !a->has_request &&
              a->has_clock && a->clock == 4 && !a->clock_text && !a->interface && a->line == 4 && a->col == 1,
              "the clock with a comment: %d %d/%lld clock %d/%llu at %d:%d", a->place, a->has_process,
              (long long)a->process, a->has_clock, (unsigned long long)a->clock, a->line, a->col);
    cr_expect(a->comment && strcmp(a->comment, "event_recv from customer 1") == 0 &&
              a->kind == BANK_CLOCK_CUSTOMER_RECV && a->has_peer && a->peer == 1 && !a->op_known &&
              a->old_kind == -1);
    cr_expect(b->place == BANK_P2_IN_ALL && !b->has_process && !b->has_request && b->has_clock &&
              b->clock == 5 && !b->comment && b->kind == BANK_CLOCK_CUSTOMER_RECV && !b->has_peer && b->line == 5 && b->col == 1,
              "the clock with an interface: %d %d clock %d/%llu kind %d at %d:%d", b->place, b->has_process,
              b->has_clock, (unsigned long long)b->clock, b->kind, b->line, b->col);
    cr_expect(b->interface && strcmp(b->interface, "withdraw") == 0 && b->op_known && b->op == BANK_OP_WITHDRAW &&
              !b->propagation);
    cr_expect_str_eq(st.format, "JSON, all-events part");
    bank_p2_student_free(&st);
}

/* rule: L8 */
Test(p2_reader, unusable_files_say_where)
{
    bank_p2_student st = {0};
    char err[512];
    const char *broken = "[{\"id\": 1,\n \"events\": [}]";
    cr_expect_eq(bank_p2_student_parse(broken, strlen(broken), "f.json", &st, err, sizeof err), -1);
    cr_expect(strncmp(err, "f.json:2:13: ", 13) == 0, "%s", err);
    const char *p1 = "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}]}]";
    cr_expect_eq(bank_p2_student_parse(p1, strlen(p1), "p1.json", &st, err, sizeof err), -1);
    cr_expect(strstr(err, "p1.json: no Project 2 event in it") == err, "%s", err);
    cr_expect_eq(st.n, 0);
    /* a per-request list is read, and set aside, before the file is found to hold no event */
    const char *lists = "{'eventid': 2, 'data': [{'clock': 1, 'name': 'deposit_request'}]}\n";
    cr_expect_eq(bank_p2_student_parse(lists, strlen(lists), "lists.py", &st, err, sizeof err), -1);
    cr_expect(strstr(err, "lists.py: no Project 2 event in it") == err, "%s", err);
    cr_expect(st.n == 0 && st.ignored == 0 && st.n_files == 0,
              "a file that does not read leaves the reading as it was: %zu events, %zu set aside, %zu files",
              st.n, st.ignored, st.n_files);
    bank_p2_student_free(&st);
}
