/* Out of memory in the readers of src/io: every allocation a reader makes (cJSON's too, through
 * counting hooks) is made to fail in turn, on inputs of every form the reader takes; each failure
 * must be reported as the reader's header promises, leak nothing and leave the output empty (or
 * as it was), and a run that can allocate must read what an unarmed run reads. */
#include <criterion/criterion.h>
#include <malloc.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/lamport.h"
#include "io/input.h"
#include "io/loose_value.h"
#include "io/p2_output.h"
#include "io/p2_student.h"
#include "io/peers_file.h"
#include "io/proto_compile.h"
#include "io/read_file.h"
#include "io/session_student.h"
#include "io/student_output.h"
#include "io/trace_read.h"
#include "oom_sweep.h"

static void count_cjson(void)
{
    cJSON_InitHooks(&(cJSON_Hooks){__wrap_malloc, __wrap_free});
}

TestSuite(io_oom, .init = count_cjson);

/* cJSON's allocations are counted and fail like the others. */
Test(io_oom, cjson_allocates_through_the_wrappers)
{
    long before = alive;
    cJSON *o = cJSON_Parse("{\"a\": [1, 2]}");
    cr_assert_not_null(o);
    cr_expect_gt(alive, before);
    cJSON_Delete(o);
    cr_expect_eq(alive, before);
    arm(0);
    cr_expect_null(cJSON_Parse("{\"a\": 1}"));
    cr_expect(disarm());
}


/* ---- input.json ---- */

static const char input_p1[] =
    "[\n  {\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"query\"}]},\n"
    "  {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"deposit\", \"money\": 170},"
    " {\"id\": 3, \"interface\": \"query\"}]},\n"
    "  {\"id\": 1, \"type\": \"branch\", \"balance\": 400},\n  {\"id\": 2, \"type\": \"branch\", \"balance\": 400}\n]\n";
static const char input_p3[] =
    "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"query\", \"branch\": 2},"
    " {\"id\": 2, \"interface\": \"deposit\", \"money\": 10, \"dest\": 1}]},\n"
    " {\"id\": 7, \"type\": \"customer\", \"events\": [{\"id\": 3, \"interface\": \"query\", \"branch\": 1}]},\n"
    " {\"id\": 1, \"type\": \"branch\", \"balance\": 0}, {\"id\": 2, \"type\": \"branch\", \"balance\": 5}]";

static int same_workload(const bank_workload *a, const bank_workload *b)
{
    if (a->n_branches != b->n_branches || a->n_customers != b->n_customers) return 0;
    for (size_t i = 0; i < a->n_branches; i++)
        if (a->branches[i].id != b->branches[i].id || a->branches[i].balance != b->branches[i].balance) return 0;
    for (size_t c = 0; c < a->n_customers; c++) {
        const bank_customer *x = &a->customers[c], *y = &b->customers[c];
        if (x->id != y->id || x->branch_index != y->branch_index || x->n_events != y->n_events) return 0;
        for (size_t e = 0; e < x->n_events; e++)
            if (x->events[e].id != y->events[e].id || x->events[e].op != y->events[e].op ||
                x->events[e].money != y->events[e].money)
                return 0;
    }
    return 1;
}

typedef struct {
    const char *text;
    int routed;
    bank_workload want;
    bank_routes want_routes;
} input_case;

static int parse_input(input_case *c, bank_workload *w, bank_routes *r, char *err, size_t errlen)
{
    return c->routed ? bank_input_parse_routed(c->text, strlen(c->text), "in.json", w, r, err, errlen)
                     : bank_input_parse(c->text, strlen(c->text), "in.json", w, err, errlen);
}

static int input_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    input_case *c = arg;
    bank_workload w;
    bank_routes r = {0};
    int rc = parse_input(c, &w, &r, err, errlen);
    if (rc != 0) {
        *ok = oom_zeroed(&w, sizeof w) && oom_zeroed(&r, sizeof r);
        return rc;
    }
    *ok = same_workload(&w, &c->want) && r.n_customers == c->want_routes.n_customers;
    for (size_t i = 0; *ok && c->routed && i < w.n_customers; i++)
        *ok = memcmp(r.branch[i], c->want_routes.branch[i], w.customers[i].n_events * sizeof **r.branch) == 0;
    bank_workload_free(&w);
    if (c->routed) bank_routes_free(&r);
    return 0;
}

Test(io_oom, input_parse_fails_cleanly_at_every_allocation)
{
    input_case cases[] = {{input_p1, 0, {0}, {0}}, {input_p3, 1, {0}, {0}}};
    for (size_t i = 0; i < 2; i++) {
        char err[512];
        cr_assert_eq(parse_input(&cases[i], &cases[i].want, &cases[i].want_routes, err, sizeof err), 0, "%s", err);
        oom_counts k = oom_sweep(i ? "bank_input_parse_routed" : "bank_input_parse", input_attempt, &cases[i],
                                 -1, "in.json", "out of memory");
        cr_expect_geq(k.failed, 30, "the copy, cJSON's nodes and strings, the positions, the workload");
        cr_expect_eq(k.absorbed, 0);
        bank_workload_free(&cases[i].want);
        if (cases[i].routed) bank_routes_free(&cases[i].want_routes);
    }
}

/* ---- a student's Project 1 output ---- */

static int same_reply(const bank_reply *a, const bank_reply *b)
{
    return oom_same_text(a->interface, b->interface) && a->op_known == b->op_known && a->op == b->op &&
           a->result == b->result && oom_same_text(a->result_text, b->result_text) && a->has_value == b->has_value &&
           a->value_is_integer == b->value_is_integer && a->value == b->value &&
           (a->value_real == b->value_real || a->value_real != a->value_real) && a->line == b->line &&
           a->col == b->col;
}

static int same_record(const bank_record *a, const bank_record *b)
{
    if (a->id != b->id || a->line != b->line || a->col != b->col || a->flat != b->flat ||
        a->n_replies != b->n_replies)
        return 0;
    for (size_t i = 0; i < a->n_replies; i++)
        if (!same_reply(&a->replies[i], &b->replies[i])) return 0;
    return 1;
}

static int same_output(const bank_student_output *a, const bank_student_output *b)
{
    if (a->n_records != b->n_records || strcmp(a->format, b->format) != 0) return 0;
    for (size_t i = 0; i < a->n_records; i++)
        if (!same_record(&a->records[i], &b->records[i])) return 0;
    return 1;
}

typedef struct {
    const char *text;
    bank_student_output want;
} output_case;

static int output_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    output_case *c = arg;
    bank_student_output so;
    int rc = bank_student_output_parse(c->text, strlen(c->text), "out.json", &so, err, errlen);
    *ok = rc == 0 ? same_output(&so, &c->want) : oom_zeroed(&so, sizeof so);
    bank_student_output_free(&so);
    return rc;
}

/* 17 one-object-per-event records: the list of records grows past its first 16. */
static const char output_flat[] =
    "{\"id\": 1, \"interface\": \"query\", \"balance\": 400}\n{\"id\": 2, \"interface\": \"deposit\", \"result\": \"success\"}\n"
    "{\"id\": 1, \"interface\": \"Query\", \"balance\": \"400\"}\n{\"id\": 3, \"interface\": \"withdraw\", \"result\": \"fail\"}\n"
    "{\"id\": 4, \"interface\": \"query\", \"money\": 1}\n{\"id\": 5, \"interface\": \"query\", \"money\": 2}\n"
    "{\"id\": 6, \"interface\": \"query\", \"money\": 3}\n{\"id\": 7, \"interface\": \"query\", \"money\": 4}\n"
    "{\"id\": 8, \"interface\": \"query\", \"money\": 5}\n{\"id\": 9, \"interface\": \"query\", \"money\": 6}\n"
    "{\"id\": 10, \"interface\": \"query\", \"money\": 7}\n{\"id\": 11, \"interface\": \"query\", \"money\": 8}\n"
    "{\"id\": 12, \"interface\": \"query\", \"money\": 9}\n{\"id\": 13, \"interface\": \"query\", \"money\": 10}\n"
    "{\"id\": 14, \"interface\": \"query\", \"money\": 11}\n{\"id\": 15, \"interface\": \"query\", \"money\": 12}\n"
    "{\"id\": 16, \"interface\": \"query\", \"money\": 13}\n{\"id\": 17, \"interface\": \"query\", \"money\": 14}\n";

Test(io_oom, student_output_parse_fails_cleanly_at_every_allocation)
{
    output_case cases[] = {
        /* JSON, the course's form */
        {"[\n  {\"id\": 1, \"recv\": [{\"interface\": \"query\", \"result\": {\"balance\": 400}}]},\n"
         "  {\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}, {\"interface\": \"query\", "
         "\"result\": {\"balance\": 570}}]}\n]\n", {0}},
        /* Python literals, a log line, two runs appended (the last graded) */
        {"starting...\n[{'id': 1, 'recv': [{'interface': 'query', 'result': 'success', 'money': 400},]}]\n"
         "[{'id': 1, 'recv': [{'interface': 'query', 'result': 'balance: 600.0'}]}, {'id': 2, 'recv': "
         "[{'interface': 'DEPOSIT', 'result': True}]}]\n", {0}},
        /* the protobuf text dump */
        {"id: 1, recv:[id: 1\ninterface: query\nmoney: 400\nresult: success\n]"
         "id: 2, recv:[id: 2\ninterface: deposit\nresult: success\n, id: 2\ninterface: query\nmoney: 570\nresult: success\n]\n",
         {0}},
        {output_flat, {0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[512], what[300];
        cr_assert_eq(bank_student_output_parse(cases[i].text, strlen(cases[i].text), "out.json", &cases[i].want,
                                               err, sizeof err), 0, "%s", err);
        snprintf(what, sizeof what, "bank_student_output_parse (%s)", cases[i].want.format);
        oom_counts k = oom_sweep(what, output_attempt, &cases[i], -1, "out.json:", "out of memory");
        cr_expect_geq(k.failed, 5, "%s", what);
        bank_student_output_free(&cases[i].want);
    }
}

/* ---- a student's Project 2 output ---- */

static int same_said(const bank_p2_said *a, const bank_p2_said *b)
{
    return a->place == b->place && a->process == b->process && a->has_process == b->has_process &&
           a->has_request == b->has_request && a->request == b->request && a->position == b->position &&
           a->has_clock == b->has_clock && a->clock == b->clock && oom_same_text(a->clock_text, b->clock_text) &&
           oom_same_text(a->interface, b->interface) && oom_same_text(a->comment, b->comment) && a->kind == b->kind &&
           a->old_kind == b->old_kind && a->op_known == b->op_known && a->op == b->op &&
           a->propagation == b->propagation && a->has_peer == b->has_peer && a->peer == b->peer &&
           oom_same_text(a->file, b->file) && a->line == b->line && a->col == b->col;
}

static int same_p2(const bank_p2_student *a, const bank_p2_student *b)
{
    if (a->n != b->n || a->n_files != b->n_files || a->ignored != b->ignored || strcmp(a->format, b->format) != 0)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (!same_said(&a->items[i], &b->items[i])) return 0;
    for (size_t i = 0; i < a->n_files; i++)
        if (strcmp(a->files[i], b->files[i]) != 0) return 0;
    return 1;
}

static const char p2_customers[] =
    "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"customer-request-id\": 1, \"logical_clock\": 1, "
    "\"interface\": \"query\", \"comment\": \"event_sent from customer 1\"}]}]";

typedef struct {
    const char *text;
    bank_p2_student before, want; /* before: another file already read */
} p2_case;

static int p2_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    p2_case *c = arg;
    bank_p2_student st = {0};
    char e[64];
    long armed = oom_pause();
    cr_assert_eq(bank_p2_student_parse(p2_customers, strlen(p2_customers), "customers.json", &st, e, sizeof e), 0);
    oom_resume(armed);
    int rc = bank_p2_student_parse(c->text, strlen(c->text), "out.json", &st, err, errlen);
    *ok = same_p2(&st, rc == 0 ? &c->want : &c->before);
    bank_p2_student_free(&st);
    return rc;
}

Test(io_oom, p2_student_parse_fails_cleanly_at_every_allocation)
{
    /* past the 64 events the list of what was read first holds: it grows while this file is read */
    char many[70 * 150] = "";
    for (int k = 1; k <= 70; k++)
        snprintf(many + strlen(many), sizeof many - strlen(many),
                 "{\"id\": 1, \"customer-request-id\": %d, \"type\": \"customer\", \"logical_clock\": %d, "
                 "\"interface\": \"deposit\", \"comment\": \"event_sent from customer 1\"}\n", k, k);
    p2_case cases[] = {
        /* the all-events part, one a line, with a clock that is not one */
        {"{\"id\": 1, \"customer-request-id\": 1, \"type\": \"branch\", \"logical_clock\": 2, \"interface\": "
         "\"query\", \"comment\": \"event_recv from customer 1\"}\n{\"id\": 2, \"customer-request-id\": 2, "
         "\"type\": \"customer\", \"logical_clock\": \"two\", \"interface\": \"deposit\", \"comment\": \"event_sent "
         "from customer 2\"}\n{'id': 1, 'type': 'branch', 'logical_clock': 4, 'interface': 'propagate_deposit', "
         "'comment': 'event_recv from branch 2'}\n", {0}, {0}},
        /* the old form, in Python literals, and a list of requests (ignored) */
        {"[{'pid': 2, 'data': [{'id': 2, 'name': 'deposit_request', 'clock': 2}, {'id': 2, 'name': "
         "'deposit_broadcast_execute', 'clock': 3.5}]}, {'eventid': 2, 'data': []}]", {0}, {0}},
        /* the protobuf text dump's clock_events blocks */
        {"id: 2, recv:[id: 2\ninterface: deposit\nresult: success\nclock_events {\n  id: 1\n  event_id: 2\n"
         "  name: \"deposit_propogate_request\"\n  clock: 5\n}\nclock_events { id: 3 event_id: 2 name: "
         "\"deposit_propagate_execute\" clock: 9 }\n]", {0}, {0}},
        /* our one-object form: each part a list of processes, each with its list of events */
        {"{\"customer_events\": [{\"id\": 1, \"type\": \"customer\", \"events\": [{\"customer-request-id\": 1, "
         "\"logical_clock\": 1, \"interface\": \"deposit\", \"comment\": \"event_sent from customer 1\"}]}], "
         "\"branch_events\": [{\"id\": 1, \"type\": \"branch\", \"events\": [{\"customer-request-id\": 1, "
         "\"logical_clock\": 2, \"interface\": \"deposit\", \"comment\": \"event_recv from customer 1\"}]}]}",
         {0}, {0}},
        /* 70 events, one a line */
        {many, {0}, {0}},
        /* a customer's replies, each with its clock */
        {"[{\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\", \"clock\": 2},"
         " {\"interface\": \"query\", \"balance\": 570, \"clock\": 5}]}]", {0}, {0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[512], what[300];
        p2_case *c = &cases[i];
        cr_assert_eq(bank_p2_student_parse(p2_customers, strlen(p2_customers), "customers.json", &c->before, err,
                                           sizeof err), 0, "%s", err);
        cr_assert_eq(bank_p2_student_parse(p2_customers, strlen(p2_customers), "customers.json", &c->want, err,
                                           sizeof err), 0, "%s", err);
        cr_assert_eq(bank_p2_student_parse(c->text, strlen(c->text), "out.json", &c->want, err, sizeof err), 0,
                     "%s", err);
        snprintf(what, sizeof what, "bank_p2_student_parse (%s)", c->want.format);
        oom_counts k = oom_sweep(what, p2_attempt, c, -1, "out.json:", "out of memory");
        cr_expect_geq(k.failed, 4, "%s", what);
        bank_p2_student_free(&c->before);
        bank_p2_student_free(&c->want);
    }
}

/* ---- a student's Project 3 output ---- */

static int same_session(const bank_session_output *a, const bank_session_output *b)
{
    if (a->final_balances != b->final_balances || a->names_branches != b->names_branches ||
        a->n_records != b->n_records || strcmp(a->format, b->format) != 0)
        return 0;
    for (size_t i = 0; i < a->n_records; i++)
        if (!same_record(&a->records[i].r, &b->records[i].r) ||
            memcmp(a->records[i].branch, b->records[i].branch, a->records[i].r.n_replies * sizeof(int64_t)) != 0)
            return 0;
    return 1;
}

typedef struct {
    const char *text;
    bank_session_output want;
} session_case;

static int session_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    session_case *c = arg;
    bank_session_output so;
    int rc = bank_session_output_parse(c->text, strlen(c->text), "out.json", &so, err, errlen);
    *ok = rc == 0 ? same_session(&so, &c->want) : oom_zeroed(&so, sizeof so);
    bank_session_output_free(&so);
    return rc;
}

Test(io_oom, session_output_parse_fails_cleanly_at_every_allocation)
{
    session_case cases[] = {
        /* a record per event with its branch (the course's new form) */
        {"[\n  {\"id\": 1, \"recv\": [{\"interface\": \"query\", \"branch\": 1, \"balance\": 0}]},\n"
         "  {\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"branch\": 2, \"result\": \"success\"}]}\n]\n", {0}},
        /* final balances */
        {"[{\"id\": 1, \"balance\": 0}, {\"id\": 2, \"balance\": \"10\"}]", {0}},
        /* a list per customer under "balance", Python, behind a logger's tags */
        {"[PID 7] {'id': 1, 'balance': [{'interface': 'query', 'balance': 0}, {'interface': 'deposit', "
         "'result': 'success'}]}\n[PID 7] {'id': 2, 'interface': 'Query', 'balance': 20}\n", {0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[512], what[300];
        cr_assert_eq(bank_session_output_parse(cases[i].text, strlen(cases[i].text), "out.json", &cases[i].want,
                                               err, sizeof err), 0, "%s", err);
        snprintf(what, sizeof what, "bank_session_output_parse (%s)", cases[i].want.format);
        oom_counts k = oom_sweep(what, session_attempt, &cases[i], -1, "out.json:", "out of memory");
        cr_expect_geq(k.failed, 4, "%s", what);
        bank_session_output_free(&cases[i].want);
    }
}

/* ---- Project 2's output, written ---- */

typedef struct {
    const bank_workload *w;
    const bank_clock_log *log;
    bank_p2_part part;
    char want[4096];
} p2_write_case;

/* The part written to a temporary file: on failure nothing is written (and nothing said: -1 is
 * out of memory, which the caller words). */
static int p2_write_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    p2_write_case *c = arg;
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    int rc = bank_p2_write_part(f, c->w, c->log, c->part);
    char got[4096] = "";
    rewind(f);
    size_t n = fread(got, 1, sizeof got - 1, f);
    got[n] = '\0';
    fclose(f);
    if (rc != 0) snprintf(err, errlen, "out of memory");
    *ok = rc == 0 ? strcmp(got, c->want) == 0 : n == 0;
    return rc;
}

Test(io_oom, p2_write_part_fails_cleanly_at_every_allocation)
{
    bank_workload w;
    char err[512];
    cr_assert_eq(bank_input_parse(input_p1, strlen(input_p1), "in", &w, err, sizeof err), 0, "%s", err);
    unsigned char propagates[3] = {0, 1, 0};
    bank_clock_log log;
    cr_assert_eq(bank_clock_required(&w, propagates, &log), 0);
    for (int p = 0; p < BANK_P2_PARTS; p++) {
        static p2_write_case c;
        c = (p2_write_case){&w, &log, (bank_p2_part)p, ""};
        FILE *f = tmpfile();
        cr_assert_not_null(f);
        cr_assert_eq(bank_p2_write_part(f, &w, &log, c.part), 0);
        rewind(f);
        c.want[fread(c.want, 1, sizeof c.want - 1, f)] = '\0';
        fclose(f);
        cr_assert(strstr(c.want, "\"id\"") != NULL, "%s", c.want);
        char what[64];
        snprintf(what, sizeof what, "bank_p2_write_part (%s)", bank_p2_part_name[p]);
        oom_counts k = oom_sweep(what, p2_write_attempt, &c, -1, "", "out of memory");
        cr_expect_geq(k.failed, 2, "%s", what);
    }
    bank_clock_log_free(&log);
    bank_workload_free(&w);
}

/* ---- the peers file, a trace, the loose reader itself ---- */

typedef struct {
    char text[1024];
    bank_peer_entry *want;
    size_t n;
} peers_case;

static int peers_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    peers_case *c = arg;
    bank_peer_entry *e = (void *)&e; /* not NULL: the reader must set it */
    size_t n = 99;
    int rc = bank_peers_parse(c->text, strlen(c->text), "peers", &e, &n, err, errlen);
    *ok = rc == 0 ? n == c->n : e == NULL && n == 0;
    for (size_t i = 0; rc == 0 && *ok && i < n; i++) *ok = e[i].id == c->want[i].id && strcmp(e[i].target, c->want[i].target) == 0;
    if (rc == 0) free(e);
    return rc;
}

Test(io_oom, peers_parse_fails_cleanly_at_every_allocation)
{
    peers_case c = {"# 17 branches: the list grows past its first 16\n", NULL, 0};
    for (int i = 1; i <= 17; i++) {
        size_t used = strlen(c.text);
        snprintf(c.text + used, sizeof c.text - used, "%d 127.0.0.1:%d\n", i, 5000 + i);
    }
    char err[256];
    cr_assert_eq(bank_peers_parse(c.text, strlen(c.text), "peers", &c.want, &c.n, err, sizeof err), 0, "%s", err);
    oom_counts k = oom_sweep("bank_peers_parse", peers_attempt, &c, -1, "peers:", "out of memory");
    cr_expect_eq(k.failed, 2);
    free(c.want);
}

typedef struct {
    char path[64];
    bank_trace want;
} trace_case;

/* Field by field: an entry's padding, and its text past the end of a string, are whatever malloc
 * left there (ASan fills them, glibc does not). */
static int same_trace(const bank_trace *a, const bank_trace *b)
{
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++) {
        const bank_trace_entry *x = &a->entries[i], *y = &b->entries[i];
        if (x->t_recv_us != y->t_recv_us || x->t_reply_us != y->t_reply_us || x->from_branch != y->from_branch ||
            x->from_id != y->from_id || x->to_branch != y->to_branch || strcmp(x->rpc, y->rpc) != 0 ||
            x->customer != y->customer || x->event != y->event || x->money != y->money ||
            x->balance != y->balance || strcmp(x->reply, y->reply) != 0 || x->clock_sent != y->clock_sent ||
            x->clock != y->clock)
            return 0;
    }
    return 1;
}

static int trace_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    trace_case *c = arg;
    bank_trace t;
    int rc = bank_trace_load(c->path, &t, err, errlen);
    *ok = rc == 0 ? same_trace(&t, &c->want)
                  : t.n == 0 && t.entries == NULL;
    bank_trace_free(&t);
    return rc;
}

Test(io_oom, trace_load_fails_cleanly_at_every_allocation)
{
    trace_case c = {"/tmp/bank-io-oom-XXXXXX", {0, NULL}};
    int fd = mkstemp(c.path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    for (int i = 0; i < 3; i++)
        fprintf(f, "{\"t_recv_us\": %d, \"t_reply_us\": %d, \"from\": \"%s\", \"from_id\": 1, \"to_branch\": 2, "
                   "\"rpc\": \"Propagate_Deposit\", \"customer\": 1, \"event\": %d, \"money\": 10, \"balance\": 20, "
                   "\"reply\": \"success\", \"clock_sent\": %d, \"clock\": %d}\n\n",
                10 * i, 10 * i + 5, i ? "branch" : "customer", i, i, i + 1);
    fclose(f);
    char err[512];
    cr_assert_eq(bank_trace_load(c.path, &c.want, err, sizeof err), 0, "%s", err);
    oom_counts k = oom_sweep("bank_trace_load", trace_attempt, &c, -1, c.path, "out of memory");
    cr_expect_geq(k.failed, 3 * 15, "the text, every line's cJSON nodes and strings, the entries");
    bank_trace_free(&c.want);
    unlink(c.path);
}

/* A temporary file holding text; its path in path (at least 32 bytes). */
static void temp_file(char *path, const char *suffix, const char *text)
{
    snprintf(path, 32, "/tmp/bank-io-oom-XXXXXX%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
}

typedef struct {
    char path[64];
    char text[10000]; /* past the first 4 KB buffer: it grows twice */
} file_case;

static int read_file_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    file_case *c = arg;
    char *data = NULL;
    size_t len = 0;
    int rc = bank_read_file(c->path, &data, &len, err, errlen);
    *ok = rc == 0 ? len == strlen(c->text) && memcmp(data, c->text, len + 1) == 0 : data == NULL && len == 0;
    free(data);
    return rc;
}

Test(io_oom, read_file_fails_cleanly_at_every_allocation)
{
    static file_case c;
    memset(c.text, 'x', sizeof c.text - 1);
    temp_file(c.path, "", c.text);
    oom_counts k = oom_sweep("bank_read_file", read_file_attempt, &c, -1, c.path, ": out of memory");
    cr_expect_eq(k.failed, 3, "the first buffer and its two growths");
    unlink(c.path);
}

typedef struct {
    char path[64];
    unsigned char *want;
    size_t len;
} proto_case;

static int proto_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    proto_case *c = arg;
    unsigned char *bytes = (void *)&bytes; /* not NULL: a failure must clear it */
    size_t len = 99;
    int rc = bank_proto_compile(c->path, &bytes, &len, err, errlen);
    *ok = rc == 0 ? len == c->len && memcmp(bytes, c->want, len) == 0 : bytes == NULL && len == 0;
    if (rc == 0) free(bytes);
    return rc;
}

/* protoc runs in its own process: what is swept is the allocations around it. */
Test(io_oom, proto_compile_fails_cleanly_at_every_allocation)
{
    proto_case c = {"", NULL, 0};
    temp_file(c.path, ".proto", "syntax = \"proto3\";\nmessage M { int64 id = 1; }\n");
    char err[600];
    int rc = bank_proto_compile(c.path, &c.want, &c.len, err, sizeof err);
    if (rc != 0 && strstr(err, "cannot run protoc")) {
        unlink(c.path);
        cr_skip_test("protoc is not installed (Debian's protobuf-compiler): %s", err);
    }
    cr_assert_eq(rc, 0, "%s", err);
    oom_counts k = oom_sweep("bank_proto_compile", proto_attempt, &c, -1, "", "out of memory");
    cr_expect_eq(k.failed, 3, "the folder, the -I option, the descriptor set read back");
    free(c.want);
    unlink(c.path);
}

static int same_value(const lv_value *a, const lv_value *b)
{
    if (a->type != b->type || a->line != b->line || a->col != b->col || a->boolean != b->boolean ||
        a->is_integer != b->is_integer || a->n != b->n)
        return 0;
    switch (a->type) {
    case LV_NUMBER: return a->is_integer ? a->integer == b->integer : a->number == b->number;
    case LV_STRING: return strcmp(a->string, b->string) == 0;
    case LV_ARRAY:
    case LV_OBJECT:
        for (size_t i = 0; i < a->n; i++)
            if (!same_value(&a->items[i], &b->items[i]) || (a->type == LV_OBJECT && strcmp(a->keys[i], b->keys[i]) != 0))
                return 0;
        return 1;
    default: return 1;
    }
}

typedef struct {
    char text[2048];
    lv_document want;
} lv_case;

static int lv_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    lv_case *c = arg;
    lv_document doc;
    int rc = lv_parse(c->text, strlen(c->text), &doc, err, errlen);
    *ok = rc != 0 ? oom_zeroed(&doc, sizeof doc)
                  : doc.n == c->want.n && doc.syntax == c->want.syntax && doc.noise_lines == c->want.noise_lines;
    for (size_t i = 0; *ok && rc == 0 && i < doc.n; i++) *ok = same_value(&doc.values[i], &c->want.values[i]);
    lv_document_free(&doc);
    return rc;
}

Test(io_oom, lv_parse_fails_cleanly_at_every_allocation)
{
    static lv_case cases[3] = {
        /* a string longer than the first scratch buffer, and nine values (the list grows past 8) */
        {"", {0}},
        {"# a log line\n[{'a': 1, 'b': [True, None, -2.5e3, \"\\u00e9\\x41\"],}]\n", {0}},
        {"id: 1, recv:[id: 1\ninterface: query\nmoney: 400\nresult: success\n]id: 2, recv:[id: 2\n"
         "interface: \"deposit\"\nresult: success\n]\n", {0}},
    };
    char *t = cases[0].text;
    size_t used = (size_t)snprintf(t, sizeof cases[0].text, "{\"long\": \"%0300d\"}\n", 7);
    for (int i = 0; i < 8; i++) used += (size_t)snprintf(t + used, sizeof cases[0].text - used, "[%d, {\"k%d\": %d}]\n", i, i, i);
    for (size_t i = 0; i < 3; i++) {
        char err[512];
        cr_assert_eq(lv_parse(cases[i].text, strlen(cases[i].text), &cases[i].want, err, sizeof err), 0, "%s", err);
        oom_counts k = oom_sweep("lv_parse", lv_attempt, &cases[i], -1, "", ": out of memory");
        cr_expect_geq(k.failed, 4);
        lv_document_free(&cases[i].want);
    }
}

/* The heap blocks a parsed document holds: a list of two strings of first and second bytes. */
static long blocks_held(size_t first, size_t second)
{
    size_t len = first + second + 8;
    char *text = malloc(len + 1);
    cr_assert_not_null(text);
    size_t at = 0;
    text[at++] = '[';
    text[at++] = '"';
    memset(text + at, 'a', first);
    at += first;
    memcpy(text + at, "\", \"", 4);
    at += 4;
    memset(text + at, 'b', second);
    at += second;
    text[at++] = '"';
    text[at++] = ']';
    text[at] = '\0';
    long before = alive;
    lv_document doc;
    char err[256];
    cr_assert_eq(lv_parse(text, at, &doc, err, sizeof err), 0, "%s", err);
    long held = alive - before;
    lv_document_free(&doc);
    free(text);
    return held;
}

/* The strings of a document share chunks of 65536 bytes, each string with its terminating NUL: a
 * chunk is filled to its last byte before another is taken (G20: a file costs its text). */
Test(io_oom, strings_fill_an_arena_chunk_to_its_last_byte)
{
    const size_t chunk = 65536, first = 1000;
    long short_of_full = blocks_held(first, chunk - (first + 1) - 2);
    cr_expect_eq(blocks_held(first, chunk - (first + 1) - 1), short_of_full,
                 "two strings that fill the chunk exactly took another chunk");
    cr_expect_eq(blocks_held(first, chunk - (first + 1)), short_of_full + 1,
                 "two strings one byte past the chunk did not take another");
}

/* A closed list or object gives back the room its doubling left unused (G20: a file of many
 * small containers costs about their size), and an empty one holds no block at all. */
Test(io_oom, a_closed_container_keeps_only_the_room_it_uses)
{
    static const char text[] = "[[1, 2, 3, 4, 5], {\"a\": 1, \"b\": 2, \"c\": 3, \"d\": 4, \"e\": 5}, [], {}]";
    lv_document doc;
    char err[256];
    cr_assert_eq(lv_parse(text, strlen(text), &doc, err, sizeof err), 0, "%s", err);
    const lv_value *top = &doc.values[0];
    cr_assert_eq(top->n, 4);
    for (size_t i = 0; i < 2; i++) { /* five items: room for eight before the trim */
        const lv_value *c = &top->items[i];
        cr_assert_eq(c->n, 5);
        cr_expect_lt(malloc_usable_size(c->items), 8 * sizeof *c->items, "container %zu keeps %zu bytes", i,
                     malloc_usable_size(c->items));
        if (c->keys) cr_expect_lt(malloc_usable_size(c->keys), 8 * sizeof *c->keys);
    }
    cr_expect_not_null(top->items[1].keys);
    cr_expect_null(top->items[2].items, "an empty list holds a block");
    cr_expect_null(top->items[3].items, "an empty object holds a block");
    lv_document_free(&doc);
}
