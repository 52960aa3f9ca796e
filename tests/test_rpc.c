/* Branches as real gRPC servers on loopback, customers as real clients: the rules of the
 * assignment checked over HTTP/2, in this process (no input file, no CLI). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <time.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/model.h"
#include "core/workload_gen.h"
#include "rpc/ack_count.h"
#include "rpc/branch_server.h"
#include "rpc/client.h"
#include "rpc/codec.h"
#include "rpc/engine.h"
#include "rpc/sender.h"
#include "rpc/timers.h"
#include "rpc/wire.h"
#include "rpc/wire_roles.h"
#include "run/branch_child.h"
#include "run/branches.h"
#include "run/customers.h"
#include "wire_fixture.h"

/* The course's sample: branches 1-3 at 400; c1 query; c2 deposit 170, query; c3 withdraw 70, query. */
static bank_event c1_events[] = {{1, BANK_OP_QUERY, 0}};
static bank_event c2_events[] = {{2, BANK_OP_DEPOSIT, 170}, {3, BANK_OP_QUERY, 0}};
static bank_event c3_events[] = {{4, BANK_OP_WITHDRAW, 70}, {5, BANK_OP_QUERY, 0}};
static bank_branch sample_branches[] = {{1, 400}, {2, 400}, {3, 400}};
static bank_customer sample_customers[] = {
    {1, 0, 1, c1_events}, {2, 1, 2, c2_events}, {3, 2, 2, c3_events}};
static const bank_workload sample = {3, sample_branches, 3, sample_customers};

static bank_branches *start(const bank_workload *w)
{
    bank_branches_config cfg = {.mode = BANK_MODE_EMBEDDED, .server_threads = 1, .deadline_ms = 10000, .serve_echo = 1};
    char err[512];
    bank_branches *b = bank_branches_start(w, &cfg, err, sizeof err);
    cr_assert_not_null(b, "cannot start branches: %s", err);
    return b;
}

static void stop(bank_branches *b)
{
    char err[512];
    cr_assert_eq(bank_branches_stop(b, err, sizeof err), 0, "%s", err);
}

static void run_and_compare_with_model(const bank_workload *w, bank_schedule s)
{
    bank_branches *b = start(w);
    bank_outcome got, want;
    cr_assert_eq(bank_outcome_init(&got, w), 0);
    cr_assert_eq(bank_outcome_init(&want, w), 0);
    bank_drive_config cfg = {.schedule = s, .deadline_ms = 10000};
    char err[512];
    cr_assert_eq(bank_drive(w, b, &cfg, &got, NULL, err, sizeof err), 0, "%s", err);
    bank_plan plan;
    cr_assert_eq(bank_plan_build(w, s, &plan), 0);
    int64_t *model_finals = calloc(w->n_branches, sizeof *model_finals);
    int64_t *finals = calloc(w->n_branches, sizeof *finals);
    cr_assert_eq(bank_model_run(w, &plan, &want, model_finals), 0);
    for (size_t c = 0; c < w->n_customers; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++) {
            cr_expect_eq(got.results[c][e].success, want.results[c][e].success,
                         "%s: customer %zu event %zu success", bank_schedule_name(s), c, e);
            cr_expect_eq(got.results[c][e].balance, want.results[c][e].balance,
                         "%s: customer %zu event %zu balance %lld, model %lld",
                         bank_schedule_name(s), c, e, (long long)got.results[c][e].balance,
                         (long long)want.results[c][e].balance);
        }
    cr_assert_eq(bank_read_balances(w, b, 10000, finals, err, sizeof err), 0, "%s", err);
    for (size_t i = 0; i < w->n_branches; i++)
        cr_expect_eq(finals[i], model_finals[i], "branch %zu holds %lld, model %lld", i,
                     (long long)finals[i], (long long)model_finals[i]);
    free(finals);
    free(model_finals);
    bank_plan_free(&plan);
    bank_outcome_free(&got);
    bank_outcome_free(&want);
    stop(b);
}

/* Runs w on fresh in-process branches under s; the caller frees *o. */
static void drive_fresh(const bank_workload *w, bank_schedule s, bank_outcome *o)
{
    bank_branches *b = start(w);
    cr_assert_eq(bank_outcome_init(o, w), 0);
    bank_drive_config cfg = {.schedule = s, .deadline_ms = 10000};
    char err[512];
    cr_assert_eq(bank_drive(w, b, &cfg, o, NULL, err, sizeof err), 0, "%s", err);
    stop(b);
}

/* rule: B2, P6, S8 */
Test(rpc, sample_sequential_reads_400_570_500)
{
    bank_outcome o;
    drive_fresh(&sample, BANK_SCHEDULE_SEQUENTIAL, &o);
    cr_expect_eq(o.results[0][0].balance, 400);
    cr_expect(o.results[1][0].success);
    cr_expect_eq(o.results[1][1].balance, 570);
    cr_expect(o.results[2][0].success);
    cr_expect_eq(o.results[2][1].balance, 500);
    bank_outcome_free(&o);
}

/* rule: S4, S8 */
Test(rpc, sample_rounds_reads_500_everywhere)
{
    bank_outcome o;
    drive_fresh(&sample, BANK_SCHEDULE_ROUNDS, &o);
    cr_expect_eq(o.results[0][0].balance, 500);
    cr_expect_eq(o.results[1][1].balance, 500);
    cr_expect_eq(o.results[2][1].balance, 500);
    bank_outcome_free(&o);
}

/* rule: P1, S2, S6 */
Test(rpc, generated_workloads_match_the_model_in_both_schedules)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        bank_gen_config g = {4, 7, 6, 100, 80, 40, seed};
        bank_workload w;
        cr_assert_eq(bank_workload_generate(&g, &w), 0);
        run_and_compare_with_model(&w, BANK_SCHEDULE_SEQUENTIAL);
        run_and_compare_with_model(&w, BANK_SCHEDULE_ROUNDS);
        bank_workload_free(&w);
    }
}

/* rule: B1, P8, S5 */
Test(rpc, live_run_converges)
{
    bank_gen_config g = {5, 12, 10, 50, 60, 30, 7};
    bank_workload w;
    cr_assert_eq(bank_workload_generate(&g, &w), 0);
    bank_branches *b = start(&w);
    bank_outcome o;
    cr_assert_eq(bank_outcome_init(&o, &w), 0);
    bank_drive_config cfg = {.schedule = BANK_SCHEDULE_LIVE, .deadline_ms = 10000};
    char err[512];
    cr_assert_eq(bank_drive(&w, b, &cfg, &o, NULL, err, sizeof err), 0, "%s", err);
    int64_t net = 0;
    for (size_t c = 0; c < w.n_customers; c++)
        for (size_t e = 0; e < w.customers[c].n_events; e++)
            if (o.results[c][e].success && o.results[c][e].op != BANK_OP_QUERY)
                net += o.results[c][e].op == BANK_OP_DEPOSIT ? w.customers[c].events[e].money
                                                              : -w.customers[c].events[e].money;
    int64_t finals[5];
    cr_assert_eq(bank_read_balances(&w, b, 10000, finals, err, sizeof err), 0, "%s", err);
    for (size_t i = 0; i < 5; i++) cr_expect_eq(finals[i], 50 + net, "branch %zu: %lld", i, (long long)finals[i]);
    bank_outcome_free(&o);
    stop(b);
    bank_workload_free(&w);
}

/* rule: S3, S4, S5; an input without customers runs on every schedule, live too: nothing is
 * sent, and the run succeeds */
Test(rpc, a_run_without_customers_succeeds_on_every_schedule)
{
    const bank_workload w = {3, sample_branches, 0, NULL};
    bank_branches *b = start(&w);
    for (int s = 0; s < 3; s++) {
        bank_schedule schedule = s == 0 ? BANK_SCHEDULE_SEQUENTIAL : s == 1 ? BANK_SCHEDULE_ROUNDS : BANK_SCHEDULE_LIVE;
        bank_outcome o;
        cr_assert_eq(bank_outcome_init(&o, &w), 0);
        bank_drive_config cfg = {.schedule = schedule, .deadline_ms = 10000};
        char err[512] = "";
        cr_expect_eq(bank_drive(&w, b, &cfg, &o, NULL, err, sizeof err), 0, "%s: \"%s\"",
                     bank_schedule_name(schedule), err);
        bank_outcome_free(&o);
    }
    stop(b);
}

/* ---- the course's wire form, and bad requests, straight at one branch ---- */

/* A client that sends raw bytes to one branch. */
typedef struct {
    bank_channel *ch;
    grpc_completion_queue *cq;
} raw_client;

static raw_client raw_open(const char *target)
{
    raw_client rc = {bank_channel_open(target, NULL), bank_client_cq_create()};
    cr_assert_not_null(rc.ch);
    return rc;
}

static void raw_close(raw_client *rc)
{
    bank_client_cq_destroy(rc->cq);
    bank_channel_close(rc->ch);
}

static grpc_status_code raw_call(raw_client *rc, const char *method, const void *bytes, size_t n,
                                 grpc_byte_buffer **reply)
{
    return bank_client_raw(rc->ch, rc->cq, method, bytes, n, 5000, reply);
}

static MsgResponse *course_call(raw_client *rc, const char *method, const char *interface, int32_t money)
{
    MsgRequest m = MSG_REQUEST__INIT;
    m.id = 1;
    m.interface = (char *)interface;
    m.money = money;
    uint8_t buf[128];
    size_t n = msg_request__pack(&m, buf);
    grpc_byte_buffer *reply;
    cr_assert_eq(raw_call(rc, method, buf, n, &reply), GRPC_STATUS_OK, "%s %s", method, interface);
    MsgResponse *r = (MsgResponse *)bank_codec_unpack(&msg_response__descriptor, reply);
    grpc_byte_buffer_destroy(reply);
    cr_assert_not_null(r);
    return r;
}

static void expect_course(raw_client *rc, const char *method, const char *interface, int32_t money,
                          const char *result, int32_t balance)
{
    MsgResponse *r = course_call(rc, method, interface, money);
    cr_expect_str_eq(r->result, result, "%s %s %d", method, interface, money);
    cr_expect_eq(r->money, balance, "%s %s %d: balance %d, want %d", method, interface, money,
                 r->money, balance);
    msg_response__free_unpacked(r, NULL);
}

/* rule: B5, B6, B7, P1, P3 */
Test(rpc, course_wire_form_drives_the_branches)
{
    bank_branches *b = start(&sample);
    raw_client rc = raw_open(bank_branches_target(b, 1));

    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "query", 0, "success", 400);
    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "deposit", 170, "success", 570);
    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "withdraw", 1000, "fail", 570);
    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "withdraw", -5, "fail", 570);
    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "transfer", 5, "fail", 570);
    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "WITHDRAW", 70, "success", 500);
    /* a balance the course's int32 money field could not carry is refused, not wrapped; one
       that reaches INT32_MAX exactly fits */
    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "deposit", INT32_MAX, "fail", 500);
    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "deposit", INT32_MAX - 499, "fail", 500);
    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "deposit", INT32_MAX - 500, "success", INT32_MAX);
    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "withdraw", INT32_MAX - 500, "success", 500);
    /* a course-style propagation to this branch applies without a balance check */
    expect_course(&rc, BANK_PATH_MSG_PROPAGATION, "withdraw", 600, "success", -100);
    expect_course(&rc, BANK_PATH_MSG_PROPAGATION, "propagate_deposit", 600, "success", 500);

    /* the writes taken through MsgDelivery reached the other branches */
    int64_t finals[3];
    char err[512];
    cr_assert_eq(bank_read_balances(&sample, b, 10000, finals, err, sizeof err), 0, "%s", err);
    cr_expect_eq(finals[0], 500);
    cr_expect_eq(finals[2], 500);

    /* malformed bytes are refused and the branch keeps serving */
    grpc_byte_buffer *reply;
    static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    const char *const paths[] = {BANK_PATH_MSG_DELIVERY, BANK_PATH_MSG_PROPAGATION, BANK_PATH_QUERY,
                                 BANK_PATH_DEPOSIT, BANK_PATH_PROPAGATE_DEPOSIT};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        cr_expect_eq(raw_call(&rc, paths[i], garbage, sizeof garbage, &reply),
                     GRPC_STATUS_INVALID_ARGUMENT, "%s", paths[i]);
        cr_expect_null(reply);
    }
    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "query", 0, "success", 500);

    /* "propagate_" names a propagation's write only: a customer's is unknown; a propagation
       names no query */
    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "propagate_deposit", 5, "fail", 500);
    expect_course(&rc, BANK_PATH_MSG_PROPAGATION, "query", 0, "fail", 500);
    expect_course(&rc, BANK_PATH_MSG_PROPAGATION, "PROPAGATE_WITHDRAW", 0, "success", 500);
    /* the reply names the interface as the course spells it, or none when it is unknown */
    static const struct {
        const char *method, *interface, *named;
    } names[] = {{BANK_PATH_MSG_DELIVERY, "QUERY", "query"},
                 {BANK_PATH_MSG_DELIVERY, "Deposit", "deposit"},
                 {BANK_PATH_MSG_PROPAGATION, "Propagate_Withdraw", "withdraw"},
                 {BANK_PATH_MSG_DELIVERY, "transfer", ""}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        MsgResponse *r = course_call(&rc, names[i].method, names[i].interface, 0);
        cr_expect_str_eq(r->interface, names[i].named, "%s %s", names[i].method, names[i].interface);
        msg_response__free_unpacked(r, NULL);
    }

    raw_close(&rc);
    stop(b);
}

/* rule: B5, B6, P1; course-style propagations (applied without a balance check) can take a
 * branch's balance down to int32's least value, which the course's form still carries: a write
 * that ends there is taken, one that would end below it is refused */
Test(rpc, course_wire_form_carries_a_balance_down_to_int32s_least)
{
    static bank_branch one_branch[] = {{1, 0}};
    static const bank_workload one = {1, one_branch, 0, NULL};
    bank_branches *b = start(&one);
    raw_client rc = raw_open(bank_branches_target(b, 0));
    expect_course(&rc, BANK_PATH_MSG_PROPAGATION, "withdraw", INT32_MAX, "success", -INT32_MAX);
    expect_course(&rc, BANK_PATH_MSG_PROPAGATION, "withdraw", 1, "success", INT32_MIN);
    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "deposit", 0, "success", INT32_MIN);
    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "withdraw", 1, "fail", INT32_MIN);
    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "deposit", 5, "success", INT32_MIN + 5);
    raw_close(&rc);
    stop(b);
}

/* rule: B5, P4 */
Test(rpc, duplicate_propagation_is_acknowledged_not_applied)
{
    bank_branch_config cfg = {.id = 7, .balance = 100, .listen = "127.0.0.1:0",
                              .threads = 1, .propagate_deadline_ms = 5000};
    char err[512];
    bank_branch_server *s = bank_branch_server_start(&cfg, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    char target[64];
    snprintf(target, sizeof target, "127.0.0.1:%d", bank_branch_server_port(s));
    raw_client rc = raw_open(target);

    Bank__PropagateRequest p = BANK__PROPAGATE_REQUEST__INIT;
    p.origin_branch = 3;
    p.sequence = 1;
    p.money = 30;
    uint8_t buf[64];
    size_t n = bank__propagate_request__pack(&p, buf);
    for (int i = 0; i < 2; i++) {
        grpc_byte_buffer *reply;
        cr_assert_eq(raw_call(&rc, BANK_PATH_PROPAGATE_DEPOSIT, buf, n, &reply), GRPC_STATUS_OK);
        Bank__PropagateReply *r =
            (Bank__PropagateReply *)bank_codec_unpack(&bank__propagate_reply__descriptor, reply);
        grpc_byte_buffer_destroy(reply);
        cr_assert_not_null(r);
        cr_expect_eq(r->applied, i == 0, "delivery %d applied=%d", i, r->applied);
        cr_expect_eq(r->balance, 130);
        bank__propagate_reply__free_unpacked(r, NULL);
    }
    cr_expect_eq(bank_branch_server_balance(s), 130);

    /* a propagation that names this branch as its origin is refused: a branch applies its own
       writes when it takes them, never again through a propagation */
    p.origin_branch = 7;
    p.sequence = 2;
    n = bank__propagate_request__pack(&p, buf);
    for (int kind = 0; kind < 2; kind++) {
        grpc_byte_buffer *reply;
        cr_expect_eq(raw_call(&rc, kind ? BANK_PATH_PROPAGATE_WITHDRAW : BANK_PATH_PROPAGATE_DEPOSIT, buf, n,
                              &reply),
                     GRPC_STATUS_INVALID_ARGUMENT, "a propagation from the branch itself");
        cr_expect_null(reply);
    }
    cr_expect_eq(bank_branch_server_balance(s), 130);

    /* a write before the branch knows its peers is refused: it could not be propagated */
    Bank__CustomerRequest d = BANK__CUSTOMER_REQUEST__INIT;
    d.money = 5;
    n = bank__customer_request__pack(&d, buf);
    grpc_byte_buffer *reply;
    cr_expect_eq(raw_call(&rc, BANK_PATH_DEPOSIT, buf, n, &reply), GRPC_STATUS_UNAVAILABLE);
    cr_expect_null(reply);
    cr_expect_eq(bank_branch_server_balance(s), 130);

    raw_close(&rc);
    bank_branch_server_stop(s);
}

/* rule: P12, P4, P5, L1 */
/* A batch is decided write by write, answered in order: one refused does not stop the others,
 * and the same batch sent again applies nothing twice. */
Test(rpc, a_batch_of_propagations_is_answered_write_by_write)
{
    bank_branch_config cfg = {.id = 7, .balance = 100, .listen = "127.0.0.1:0",
                              .threads = 1, .propagate_deadline_ms = 5000};
    char err[512];
    bank_branch_server *s = bank_branch_server_start(&cfg, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    char target[64];
    snprintf(target, sizeof target, "127.0.0.1:%d", bank_branch_server_port(s));
    raw_client rc = raw_open(target);

    Bank__PropagateRequest w[4];
    Bank__PropagateRequest *ptrs[4];
    for (int i = 0; i < 4; i++) {
        bank__propagate_request__init(&w[i]);
        w[i].origin_branch = 3;
        w[i].sequence = (uint64_t)i + 1;
        w[i].money = 10 * (i + 1);
        ptrs[i] = &w[i];
    }
    w[1].withdraw = 1;   /* -20 */
    w[2].money = -5;     /* refused: negative money */
    w[3].origin_branch = 7; /* refused: from the branch itself */
    w[0].clock = 5;      /* Project 2's clocks (L1): each write's receive is an event */
    w[1].clock = 3;
    w[2].clock = 40;
    Bank__PropagateBatch batch = BANK__PROPAGATE_BATCH__INIT;
    batch.n_writes = 4;
    batch.writes = ptrs;
    uint8_t buf[256];
    size_t n = bank__propagate_batch__pack(&batch, buf);
    for (int round = 0; round < 2; round++) {
        grpc_byte_buffer *reply;
        cr_assert_eq(raw_call(&rc, BANK_PATH_PROPAGATE_BATCH, buf, n, &reply), GRPC_STATUS_OK);
        Bank__PropagateBatchReply *r = (Bank__PropagateBatchReply *)bank_codec_unpack(
            &bank__propagate_batch_reply__descriptor, reply);
        grpc_byte_buffer_destroy(reply);
        cr_assert_not_null(r);
        cr_assert_eq(r->n_replies, 4);
        cr_expect_eq(r->replies[0]->applied, round == 0, "round %d", round);
        cr_expect_eq(r->replies[1]->applied, round == 0, "round %d", round);
        cr_expect_eq(r->replies[0]->error_status, 0);
        /* an applied write's balance is the branch's right after it (bank.proto), as alone */
        if (round == 0) cr_expect_eq(r->replies[0]->balance, 110);
        cr_expect_eq(r->replies[1]->balance, 90);
        cr_expect_eq(r->replies[2]->error_status, GRPC_STATUS_INVALID_ARGUMENT);
        cr_expect_str_eq(r->replies[2]->error, "money must not be negative");
        cr_expect_eq(r->replies[3]->error_status, GRPC_STATUS_INVALID_ARGUMENT);
        cr_expect_eq(r->replies[3]->applied, 0);
        /* the receiver's clock at each receive, max(its own, the write's) + 1; 0 for no event:
         * a duplicate or a refused write (bank.proto) */
        cr_expect_eq(r->replies[0]->clock, round == 0 ? 6 : 0, "round %d", round);
        cr_expect_eq(r->replies[1]->clock, round == 0 ? 7 : 0, "round %d", round);
        cr_expect_eq(r->replies[2]->clock, 0);
        bank__propagate_batch_reply__free_unpacked(r, NULL);
    }
    cr_expect_eq(bank_branch_server_balance(s), 90);

    /* bytes that are not a batch: the call is refused and nothing changes */
    static const uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff};
    grpc_byte_buffer *reply;
    cr_expect_eq(raw_call(&rc, BANK_PATH_PROPAGATE_BATCH, junk, sizeof junk, &reply),
                 GRPC_STATUS_INVALID_ARGUMENT);
    cr_expect_null(reply);
    cr_expect_eq(bank_branch_server_balance(s), 90);

    raw_close(&rc);
    bank_branch_server_stop(s);
}

/* rule: S9 */
Test(rpc, busy_port_is_refused_with_a_clear_error)
{
    bank_branch_config cfg = {.id = 1, .balance = 0, .listen = "127.0.0.1:0",
                              .threads = 1, .propagate_deadline_ms = 5000};
    char err[512];
    bank_branch_server *a = bank_branch_server_start(&cfg, err, sizeof err);
    cr_assert_not_null(a, "%s", err);
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", bank_branch_server_port(a));
    bank_branch_config again = {.id = 2, .balance = 0, .listen = listen,
                                .threads = 1, .propagate_deadline_ms = 5000};
    bank_branch_server *b = bank_branch_server_start(&again, err, sizeof err);
    cr_expect_null(b);
    cr_expect(strstr(err, "cannot listen on") != NULL, "%s", err);
    if (b) bank_branch_server_stop(b);
    bank_branch_server_stop(a);
}

/* rule: B2, B4, P11 */
Test(rpc, a_peer_that_never_answers_leaves_the_write_pending)
{
    bank_branch_config cfg = {.id = 1, .balance = 100, .listen = "127.0.0.1:0",
                              .threads = 1, .propagate_deadline_ms = 300};
    char err[512];
    bank_branch_server *s = bank_branch_server_start(&cfg, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    /* port 1 on loopback: nobody listens there */
    bank_peer peers[] = {{1, "unused"}, {2, "127.0.0.1:1"}};
    cr_assert_eq(bank_branch_server_set_peers(s, peers, 2, err, sizeof err), 0, "%s", err);
    err[0] = '\0';
    cr_expect_eq(bank_branch_server_set_peers(s, peers, 2, err, sizeof err), -1, "peers are set once");
    cr_expect_str_eq(err, "branch 1: peers already set");
    char target[64];
    snprintf(target, sizeof target, "127.0.0.1:%d", bank_branch_server_port(s));
    bank_channel *ch = bank_channel_open(target, NULL);
    grpc_completion_queue *cq = bank_client_cq_create();
    bank_result r;
    cr_expect_eq(bank_client_call(ch, cq, BANK_OP_DEPOSIT, 1, 1, 10, 5000, &r, err, sizeof err), 0, "%s", err);
    cr_expect(r.pending, "applied here, owed to branch 2");
    cr_expect_eq(bank_branch_server_owed(s), 1);
    /* a query still works, and a failed withdrawal needs no peer at all */
    cr_expect_eq(bank_client_call(ch, cq, BANK_OP_QUERY, 1, 2, 0, 5000, &r, err, sizeof err), 0, "%s", err);
    cr_expect_eq(r.balance, 110);
    cr_expect_eq(bank_client_call(ch, cq, BANK_OP_WITHDRAW, 1, 3, 1000, 5000, &r, err, sizeof err), 0, "%s", err);
    cr_expect_not(r.success);
    bank_client_cq_destroy(cq);
    bank_channel_close(ch);
    bank_branch_server_stop(s);
}

/* Bad calls at every door: an unknown method, a message over the size limit, a call whose
 * deadline has passed, empty and truncated messages. Each gets a prompt error status, and the
 * branch answers the next good request as if nothing happened. */
Test(rpc, bad_calls_get_a_status_and_the_branch_keeps_serving)
{
    bank_branches *b = start(&sample);
    raw_client rc = raw_open(bank_branches_target(b, 0));
    grpc_byte_buffer *reply;
    struct timespec t0, t1;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    cr_expect_eq(bank_client_raw(rc.ch, rc.cq, "/bank.Branch/Transfer", "", 0, 5000, &reply),
                 GRPC_STATUS_UNIMPLEMENTED, "an unknown method");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cr_expect_lt(t1.tv_sec - t0.tv_sec, 4, "an unknown method is refused at once, not at the deadline");
    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "query", 0, "success", 400);

    size_t big = 5u << 20; /* over gRPC's default 4 MiB limit on received messages */
    uint8_t *huge = calloc(1, big);
    cr_assert_not_null(huge);
    cr_expect_eq(raw_call(&rc, BANK_PATH_DEPOSIT, huge, big, &reply), GRPC_STATUS_RESOURCE_EXHAUSTED,
                 "an oversize message");
    free(huge);
    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "query", 0, "success", 400);

    cr_expect_eq(bank_client_raw(rc.ch, rc.cq, BANK_PATH_QUERY, "", 0, -1000, &reply),
                 GRPC_STATUS_DEADLINE_EXCEEDED, "a call whose deadline has already passed");
    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "query", 0, "success", 400);

    /* an empty message is a valid protobuf (every field zero): a query of customer 0 */
    cr_expect_eq(raw_call(&rc, BANK_PATH_QUERY, "", 0, &reply), GRPC_STATUS_OK, "an empty query");
    if (reply) grpc_byte_buffer_destroy(reply);
    static const uint8_t truncated[] = {0x18, 0x80}; /* money: a varint cut off */
    cr_expect_eq(raw_call(&rc, BANK_PATH_WITHDRAW, truncated, sizeof truncated, &reply),
                 GRPC_STATUS_INVALID_ARGUMENT, "a truncated message");
    expect_course(&rc, BANK_PATH_MSG_DELIVERY, "query", 0, "success", 400);

    raw_close(&rc);
    stop(b);
}

/* One call of method on target that sends no message at all, only its close; *reply gets the
 * answer or NULL (caller destroys). */
static grpc_status_code call_without_message(const char *target, const char *method,
                                             grpc_byte_buffer **reply)
{
    grpc_init();
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();
    grpc_channel *ch = grpc_channel_create(target, creds, NULL);
    grpc_channel_credentials_release(creds);
    grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
    gpr_timespec deadline =
        gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(5000, GPR_TIMESPAN));
    grpc_call *call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq,
                                               grpc_slice_from_static_string(method), NULL, deadline, NULL);
    grpc_metadata_array initial_md, trailing_md;
    grpc_metadata_array_init(&initial_md);
    grpc_metadata_array_init(&trailing_md);
    grpc_status_code status = GRPC_STATUS_UNKNOWN;
    grpc_slice details = grpc_empty_slice();
    *reply = NULL;
    grpc_op ops[5];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[2].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[2].data.recv_initial_metadata.recv_initial_metadata = &initial_md;
    ops[3].op = GRPC_OP_RECV_MESSAGE;
    ops[3].data.recv_message.recv_message = reply;
    ops[4].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[4].data.recv_status_on_client.trailing_metadata = &trailing_md;
    ops[4].data.recv_status_on_client.status = &status;
    ops[4].data.recv_status_on_client.status_details = &details;
    cr_assert_eq(grpc_call_start_batch(call, ops, 5, call, NULL), GRPC_CALL_OK);
    grpc_completion_queue_pluck(cq, call, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    grpc_slice_unref(details);
    grpc_metadata_array_destroy(&initial_md);
    grpc_metadata_array_destroy(&trailing_md);
    grpc_call_unref(call);
    grpc_completion_queue_shutdown(cq);
    while (grpc_completion_queue_pluck(cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
           GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(cq);
    grpc_channel_destroy(ch);
    grpc_shutdown();
    return status;
}

/* rule: B2; a call that sends no message at all is read as an empty message (every field zero),
 * in either form: the bank form's query of customer 0, the course form's unknown interface */
Test(rpc, a_call_without_a_message_is_read_as_an_empty_one)
{
    bank_branches *b = start(&sample);
    const char *target = bank_branches_target(b, 0);
    for (int round = 0; round < 3; round++) {
        grpc_byte_buffer *reply;
        cr_assert_eq(call_without_message(target, BANK_PATH_QUERY, &reply), GRPC_STATUS_OK);
        Bank__CustomerReply *r = (Bank__CustomerReply *)bank_codec_unpack(&bank__customer_reply__descriptor, reply);
        grpc_byte_buffer_destroy(reply);
        cr_assert_not_null(r);
        cr_expect_eq(r->result, BANK__RESULT__SUCCESS);
        cr_expect_eq(r->balance, 400);
        cr_expect_eq(r->clock, 0);
        cr_expect_null(r->write);
        bank__customer_reply__free_unpacked(r, NULL);

        cr_assert_eq(call_without_message(target, BANK_PATH_MSG_DELIVERY, &reply), GRPC_STATUS_OK);
        MsgResponse *m = (MsgResponse *)bank_codec_unpack(&msg_response__descriptor, reply);
        grpc_byte_buffer_destroy(reply);
        cr_assert_not_null(m);
        cr_expect_str_eq(m->interface, "");
        cr_expect_str_eq(m->result, "fail", "an unknown interface (none) fails");
        cr_expect_eq(m->money, 400);
        msg_response__free_unpacked(m, NULL);
    }
    stop(b);
}

/* rule: D2, D5; a probe asks every branch at once: each answer's balance, or the status and the
 * details its branch gave (a method the branch does not serve: UNIMPLEMENTED, naming it) */
Test(rpc, a_probe_reads_every_balance_or_says_what_each_branch_answered)
{
    bank_branches *b = start(&sample);
    bank_channel *chs[3];
    for (size_t i = 0; i < 3; i++) chs[i] = bank_channel_open(bank_branches_target(b, i), NULL);
    grpc_completion_queue *cq = bank_client_cq_create();
    int64_t balances[3] = {-1, -1, -1};
    int ok[3] = {-1, -1, -1};
    bank_wire_error errs[3];
    bank_wire *bank = bank_wire_bank(), *nope = bank_wire_course("Nope");
    cr_assert(bank && nope);
    cr_expect_eq(bank_wire_query_all(bank, chs, 3, cq, 5000, balances, ok, errs), 0);
    for (size_t i = 0; i < 3; i++) {
        cr_expect(ok[i] == 1 && balances[i] == 400, "branch %zu: ok %d, balance %lld", i, ok[i],
                  (long long)balances[i]);
        cr_expect_eq(errs[i].status, GRPC_STATUS_OK);
    }
    cr_expect_eq(bank_wire_query_all(nope, chs, 3, cq, 5000, balances, ok, errs), 3, "all three refused");
    for (size_t i = 0; i < 3; i++) {
        cr_expect_eq(ok[i], 0);
        cr_expect_eq(balances[i], 400, "branch %zu: no balance read, none written", i);
        cr_expect_eq(errs[i].status, GRPC_STATUS_UNIMPLEMENTED);
        cr_expect_str_eq(errs[i].details, "no method /Nope/MsgDelivery here (bank.Branch and the course's "
                                          "Branch are served)");
    }
    cr_expect_str_eq(bank_wire_describe(bank), "bank (/bank.Branch/Query, Deposit, Withdraw)");
    cr_expect_str_eq(bank_wire_describe(nope), "course (/Nope/MsgDelivery)");
    /* each operation over the bank's own form, its whole result */
    static const struct {
        bank_op op;
        int64_t money;
        int success;
        int64_t balance;
    } steps[] = {{BANK_OP_DEPOSIT, 10, 1, 410}, {BANK_OP_WITHDRAW, 1000, 0, 410}, {BANK_OP_WITHDRAW, 10, 1, 400},
                 {BANK_OP_QUERY, 0, 1, 400}};
    bank_wire *course = bank_wire_course(NULL);
    cr_assert_not_null(course);
    cr_expect_str_eq(bank_wire_describe(course), "course (/Branch/MsgDelivery)");
    for (size_t i = 0; i < 2 * sizeof steps / sizeof steps[0]; i++) { /* the bank's form, then the course's */
        size_t k = i % (sizeof steps / sizeof steps[0]);
        bank_wire *w = i < sizeof steps / sizeof steps[0] ? bank : course;
        bank_result out;
        memset(&out, 0x5a, sizeof out);
        bank_wire_error e = {GRPC_STATUS_UNKNOWN, "untouched"};
        cr_expect_eq(bank_wire_call(w, chs[0], cq, steps[k].op, 1, (int64_t)i + 1, steps[k].money, 5000, &out, &e),
                     0, "step %zu: %s", i, e.details);
        cr_expect_eq(e.status, GRPC_STATUS_OK, "step %zu", i);
        cr_expect(out.op == steps[k].op && out.success == steps[k].success && out.pending == 0 &&
                      out.balance == steps[k].balance,
                  "step %zu: op %d, success %d, pending %d, balance %lld", i, (int)out.op, out.success,
                  out.pending, (long long)out.balance);
    }
    /* money the course's int32 cannot carry: refused before any call, with no gRPC status */
    bank_result out;
    bank_wire_error e = {GRPC_STATUS_UNKNOWN, ""};
    cr_expect_eq(bank_wire_call(course, chs[0], cq, BANK_OP_DEPOSIT, 1, 99, INT64_C(1) << 31, 5000, &out, &e), -1);
    cr_expect_eq(e.status, GRPC_STATUS_OK, "no call was made");
    cr_expect_str_eq(e.details, "money 2147483648 does not fit the course's int32 field");
    bank_wire_free(course);
    bank_wire_free(bank);
    bank_wire_free(nope);
    bank_client_cq_destroy(cq);
    for (size_t i = 0; i < 3; i++) bank_channel_close(chs[i]);
    stop(b);
}

/* A stand-in branch that answers every call, whatever its method, with the next of a list of
 * replies (status OK, the bytes as given): what no branch of ours would answer. Served on a
 * thread of its own, 127.0.0.1, port 0. */
typedef struct {
    const unsigned char *bytes;
    size_t n;
} canned_reply;

typedef struct {
    grpc_server *server;
    grpc_completion_queue *cq;
    pthread_t thread;
    char target[64];
    const canned_reply *replies;
    size_t n_replies, served, refused; /* refused: batches grpc would not start */
} canned_server;

enum { CANNED_CALL = 1, CANNED_ANSWERED, CANNED_STOPPED };

static void *canned_serve(void *arg)
{
    canned_server *s = arg;
    grpc_call *call = NULL;
    grpc_call_details details;
    grpc_metadata_array md;
    grpc_byte_buffer *request = NULL, *reply = NULL;
    int cancelled = 0;
    grpc_call_details_init(&details);
    grpc_metadata_array_init(&md);
    grpc_server_request_call(s->server, &call, &details, &md, s->cq, s->cq, (void *)CANNED_CALL);
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN) break;
        if (ev.tag == (void *)CANNED_STOPPED) {
            grpc_completion_queue_shutdown(s->cq);
        } else if (ev.tag == (void *)CANNED_CALL && ev.success) {
            const canned_reply *r = &s->replies[s->served < s->n_replies ? s->served : s->n_replies - 1];
            s->served++;
            grpc_slice bytes = grpc_slice_from_copied_buffer((const char *)r->bytes, r->n);
            reply = grpc_raw_byte_buffer_create(&bytes, 1);
            grpc_slice_unref(bytes);
            grpc_op ops[5];
            memset(ops, 0, sizeof ops);
            ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
            ops[1].op = GRPC_OP_RECV_MESSAGE;
            ops[1].data.recv_message.recv_message = &request;
            ops[2].op = GRPC_OP_SEND_MESSAGE;
            ops[2].data.send_message.send_message = reply;
            ops[3].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
            ops[3].data.send_status_from_server.status = GRPC_STATUS_OK;
            ops[4].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
            ops[4].data.recv_close_on_server.cancelled = &cancelled;
            if (grpc_call_start_batch(call, ops, 5, (void *)CANNED_ANSWERED, NULL) != GRPC_CALL_OK) s->refused++;
        } else if (ev.tag == (void *)CANNED_ANSWERED) { /* done with it: wait for the next call */
            if (request) grpc_byte_buffer_destroy(request);
            grpc_byte_buffer_destroy(reply);
            request = reply = NULL;
            grpc_call_unref(call);
            call = NULL;
            grpc_call_details_destroy(&details);
            grpc_metadata_array_destroy(&md);
            grpc_call_details_init(&details);
            grpc_metadata_array_init(&md);
            grpc_server_request_call(s->server, &call, &details, &md, s->cq, s->cq, (void *)CANNED_CALL);
        } /* else a call asked for and refused: the server is stopping */
    }
    grpc_call_details_destroy(&details);
    grpc_metadata_array_destroy(&md);
    return NULL;
}

static void canned_start(canned_server *s, const canned_reply *replies, size_t n)
{
    memset(s, 0, sizeof *s);
    grpc_init();
    s->replies = replies;
    s->n_replies = n;
    s->cq = grpc_completion_queue_create_for_next(NULL);
    s->server = grpc_server_create(NULL, NULL);
    grpc_server_register_completion_queue(s->server, s->cq, NULL);
    grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
    int port = grpc_server_add_http2_port(s->server, "127.0.0.1:0", creds);
    grpc_server_credentials_release(creds);
    cr_assert_gt(port, 0);
    snprintf(s->target, sizeof s->target, "127.0.0.1:%d", port);
    grpc_server_start(s->server);
    cr_assert_eq(pthread_create(&s->thread, NULL, canned_serve, s), 0);
}

static void canned_stop(canned_server *s)
{
    grpc_server_shutdown_and_notify(s->server, s->cq, (void *)CANNED_STOPPED);
    grpc_server_cancel_all_calls(s->server);
    pthread_join(s->thread, NULL);
    grpc_server_destroy(s->server);
    grpc_completion_queue_destroy(s->cq);
    grpc_shutdown();
}

/* rule: D2; a reply the call got through with is read only when it is whole: a CustomerReply
 * without a result (a balance alone) or bytes that are no CustomerReply are refused with a line
 * that says so, status OK, as bytes that are no MsgResponse are in the course's form */
Test(rpc, a_reply_without_a_result_or_that_is_no_message_is_refused)
{
    static const unsigned char success_5[] = {0x08, 0x01, 0x10, 0x05}, balance_5[] = {0x10, 0x05},
                               cut_off[] = {0x10};
    static const canned_reply replies[] = {{success_5, sizeof success_5}, {balance_5, sizeof balance_5},
                                           {cut_off, sizeof cut_off}, {cut_off, sizeof cut_off}};
    canned_server srv;
    canned_start(&srv, replies, sizeof replies / sizeof replies[0]);
    bank_channel *ch = bank_channel_open(srv.target, NULL);
    grpc_completion_queue *cq = bank_client_cq_create();
    bank_wire *bank = bank_wire_bank(), *course = bank_wire_course(NULL);
    cr_assert(ch && cq && bank && course);
    bank_result out;
    bank_wire_error e;
    cr_expect_eq(bank_wire_call(bank, ch, cq, BANK_OP_QUERY, 1, 1, 0, 5000, &out, &e), 0, "%s", e.details);
    cr_expect(out.success == 1 && out.balance == 5, "the stand-in's whole reply is read");
    static const char *const why[] = {"malformed CustomerReply", "malformed CustomerReply",
                                      "the reply is not a MsgResponse"};
    for (int i = 0; i < 3; i++) {
        memset(&e, 0, sizeof e);
        cr_expect_eq(bank_wire_call(i < 2 ? bank : course, ch, cq, BANK_OP_QUERY, 1, 2 + i, 0, 5000, &out, &e), -1,
                     "reply %d", i + 1);
        cr_expect_eq(e.status, GRPC_STATUS_OK, "reply %d: the call went through", i + 1);
        cr_expect_str_eq(e.details, why[i], "reply %d", i + 1);
    }
    bank_wire_free(bank);
    bank_wire_free(course);
    bank_client_cq_destroy(cq);
    bank_channel_close(ch);
    canned_stop(&srv);
    cr_expect(srv.served == 4 && srv.refused == 0, "%zu served, %zu refused", srv.served, srv.refused);
}

/* The course's proto, given as a student's: read through protoc and the dynamic codec (its
 * fields declared in another order: the interface and the balance are each message's first). */
static const char course_as_a_students[] =
    "syntax = \"proto3\";\n"
    "service Branch {\n"
    "  rpc MsgDelivery(MsgRequest) returns (MsgResponse);\n"
    "  rpc MsgPropagation(MsgRequest) returns (MsgResponse);\n"
    "}\n"
    "message MsgRequest { string interface = 2; int32 money = 3; int32 id = 1; }\n"
    "message MsgResponse { int32 money = 3; string result = 2; string interface = 1; }\n";

/* rule: D2, D3; a student's proto drives the branches field by field: every operation's reply
 * read whole (a fail, a balance of 0 that proto3 leaves out), and the probe of a branch */
Test(rpc, a_students_proto_drives_the_branches_field_by_field)
{
    bank_proto_schema s;
    load_text(course_as_a_students, &s);
    bank_wire_roles roles;
    bank_wire_choices none = {0};
    char err[1200];
    cr_assert_eq(bank_wire_roles_find(&s, &none, &roles, err, sizeof err), 0, "%s", err);
    bank_wire *w = bank_wire_proto(&s, &roles);
    cr_assert_not_null(w);
    bank_proto_schema_free(&s); /* emptied: the wire took it */
    cr_expect_str_eq(bank_wire_describe(w), "proto (/Branch/MsgDelivery)");

    bank_branches *b = start(&sample);
    bank_channel *ch = bank_channel_open(bank_branches_target(b, 1), NULL);
    grpc_completion_queue *cq = bank_client_cq_create();
    static const struct {
        bank_op op;
        int64_t money;
        int success;
        int64_t balance;
    } steps[] = {
        {BANK_OP_QUERY, 0, 1, 400},      {BANK_OP_DEPOSIT, 170, 1, 570}, {BANK_OP_WITHDRAW, 1000, 0, 570},
        {BANK_OP_WITHDRAW, 570, 1, 0},   {BANK_OP_QUERY, 0, 1, 0},       {BANK_OP_DEPOSIT, 30, 1, 30},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        bank_result out;
        memset(&out, 0x5a, sizeof out);
        bank_wire_error e = {GRPC_STATUS_UNKNOWN, "untouched"};
        int rc = bank_wire_call(w, ch, cq, steps[i].op, 2, (int64_t)i + 1, steps[i].money, 5000, &out, &e);
        cr_expect_eq(rc, 0, "step %zu: %s", i, e.details);
        cr_expect_eq(e.status, GRPC_STATUS_OK, "step %zu", i);
        cr_expect(out.op == steps[i].op && out.success == steps[i].success && out.pending == 0 &&
                      out.balance == steps[i].balance,
                  "step %zu: op %d, success %d, pending %d, balance %lld", i, (int)out.op, out.success,
                  out.pending, (long long)out.balance);
    }
    int64_t balance = -1;
    int ok = -1;
    bank_wire_error e;
    cr_expect_eq(bank_wire_query_all(w, &ch, 1, cq, 5000, &balance, &ok, &e), 0);
    cr_expect(ok == 1 && balance == 30, "the probe: ok %d, balance %lld", ok, (long long)balance);
    bank_client_cq_destroy(cq);
    bank_channel_close(ch);
    bank_wire_free(w);
    stop(b);
}

/* Writes script as dir/branch.sh (dir: a new folder from the template in dir), an executable
 * that stands in for `bank branch --peers -`; its path in exe. */
static void stand_in(char *dir, const char *script, char *exe, size_t n)
{
    cr_assert_not_null(mkdtemp(dir));
    snprintf(exe, n, "%s/branch.sh", dir);
    FILE *f = fopen(exe, "w");
    cr_assert_not_null(f);
    fputs(script, f);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(chmod(exe, 0755), 0);
}

/* The end of a stand-in that reads its peers, says ready, and ends when its input does. */
#define STAND_IN_READY "while read line && [ \"$line\" != end ]; do :; done\necho ready\nexec cat >/dev/null\n"

/* The sample's branches started as stand-ins running script (see stand_in); they must start. */
static bank_branches *start_stand_ins(char *dir, const char *script, char *exe, size_t n)
{
    stand_in(dir, script, exe, n);
    bank_branches_config cfg = {.mode = BANK_MODE_PROCESSES, .bank_exe = exe, .deadline_ms = 20000};
    char err[512] = "";
    bank_branches *b = bank_branches_start(&sample, &cfg, err, sizeof err);
    cr_assert_not_null(b, "%s", err);
    return b;
}

/* rule: B2; a branch process that no longer reads when it is given its peers is named for that
 * at once (the write to it fails), not waited for and reported as never ready */
Test(rpc, a_branch_process_that_stops_reading_is_named)
{
    char dir[] = "/tmp/bank-rpc-XXXXXX", exe[64];
    /* its input closed, it says it listens, then leaves */
    stand_in(dir, "#!/bin/sh\nexec 0<&-\necho listening 127.0.0.1:9\n", exe, sizeof exe);
    bank_branches_config cfg = {.mode = BANK_MODE_PROCESSES, .bank_exe = exe, .deadline_ms = 20000};
    char err[512] = "";
    int64_t t0 = bank_mono_now_ms();
    bank_branches *b = bank_branches_start(&sample, &cfg, err, sizeof err);
    cr_expect_null(b);
    cr_expect(strstr(err, "branch 1 (pid ") && strstr(err, ") stopped before it got its peers"), "%s", err);
    cr_expect_lt(bank_mono_now_ms() - t0, 15000, "the failed write was not noticed: the start waited");
    unlink(exe);
    rmdir(dir);
}

typedef struct {
    int calls;
    bank_delivery outcome;
    char failure[256];
} delivery_told;

static void note_delivery(void *waiter, bank_delivery outcome, const char *failure)
{
    delivery_told *t = waiter;
    t->calls++;
    t->outcome = outcome;
    snprintf(t->failure, sizeof t->failure, "%s", failure);
}

/* rule: P7; a write fanned out once its branch has stopped sending is failed at once, its
 * customer told which peer was not told and why: never left waiting */
Test(rpc, a_write_after_the_sender_stopped_is_failed_at_once)
{
    char err[256];
    bank_engine *e = bank_engine_start(1, err, sizeof err);
    cr_assert_not_null(e, "%s", err);
    bank_timers *timers = bank_timers_start();
    cr_assert_not_null(timers);
    const bank_peer peers[] = {{1, "127.0.0.1:9"}, {2, "127.0.0.1:9"}, {3, "127.0.0.1:9"}};
    bank_sender_config cfg = {.self = 1, .engine = e, .timers = timers, .deadline_ms = 1000,
                              .max_attempts = 1, .backoff_ms = 10};
    bank_sender *s = bank_sender_start(&cfg, peers, 3, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    bank_timers_stop(timers);
    bank_sender_stop(s);
    bank_logged_write w = {BANK_WRITE_DEPOSIT, 1, 1, 50, 7, 8};
    delivery_told told = {0};
    bank_sender_fan_out(s, &w, 0, note_delivery, &told);
    cr_expect_eq(told.calls, 1, "the customer was told %d times", told.calls);
    cr_expect_eq(told.outcome, BANK_DELIVERY_FAILED);
    cr_expect_str_eq(told.failure, "branch 2 was not told: this branch stopped");
    bank_sender_free(s);
    bank_timers_free(timers);
    bank_engine_stop(e);
}

/* Descriptors this process has open. */
static int open_descriptors(void)
{
    DIR *d = opendir("/proc/self/fd");
    cr_assert_not_null(d);
    int n = 0;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

/* rule: S12; branch processes killed and started again (bank run --kill) leave no descriptor of
 * the killed ones open: a run with many kills would run out of them */
Test(rpc, a_crash_and_restart_leaves_no_descriptor_behind)
{
    char dir[] = "/tmp/bank-rpc-XXXXXX", exe[64];
    /* says where it listens (port 1ID for port 0), reads its peers, says ready, and ends when its
     * input does */
    bank_branches *b = start_stand_ins(dir,
                                       "#!/bin/sh\n"
                                       "while [ $# -gt 0 ]; do case \"$1\" in --id) id=$2; shift;; --listen) at=$2; shift;; esac; shift; done\n"
                                       "case \"$at\" in *:0) at=127.0.0.1:1$id;; esac\n"
                                       "echo listening $at\n" STAND_IN_READY,
                                       exe, sizeof exe);
    char err[512] = "";
    int before = open_descriptors();
    const int64_t ids[] = {2, 3};
    cr_expect_eq(bank_branches_crash_and_recover(b, &sample, ids, 2, err, sizeof err), 0, "%s", err);
    cr_expect_eq(open_descriptors(), before, "descriptors open before the kills: %d", before);
    cr_expect_eq(bank_branches_stop(b, err, sizeof err), 0, "%s", err);
    unlink(exe);
    rmdir(dir);
}

/* Reads the first line of path into buf ("" when there is none). */
static void first_line(const char *path, char *buf, size_t n)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    if (!fgets(buf, (int)n, f)) buf[0] = '\0';
    fclose(f);
}

/* rule: B2; a configuration left at 0 (as branches.h allows) starts each branch process with the
 * documented defaults, never with a 0 that `bank branch` would refuse: one server thread, five
 * attempts per propagation, a first retry after 50 ms */
Test(rpc, a_branch_process_gets_the_defaults_for_settings_left_at_0)
{
    char dir[] = "/tmp/bank-rpc-XXXXXX", exe[64];
    /* writes its arguments to args-ID beside itself, then behaves as a branch that is ready */
    bank_branches *b = start_stand_ins(dir,
                                       "#!/bin/sh\n"
                                       "for a in \"$@\"; do case \"$prev\" in --id) id=$a;; esac; prev=$a; done\n"
                                       "echo \" $* \" > \"$(dirname \"$0\")/args-$id\"\n"
                                       "echo listening 127.0.0.1:1$id\n" STAND_IN_READY,
                                       exe, sizeof exe);
    char err[512] = "";
    cr_expect_eq(bank_branches_stop(b, err, sizeof err), 0, "%s", err);
    for (int id = 1; id <= 3; id++) {
        char path[96], args[512];
        snprintf(path, sizeof path, "%s/args-%d", dir, id);
        first_line(path, args, sizeof args);
        cr_expect(strstr(args, " --threads 1 ") && strstr(args, " --attempts 5 ") &&
                      strstr(args, " --retry-backoff-ms 50 "),
                  "branch %d started with:%s", id, args);
        unlink(path);
    }
    unlink(exe);
    rmdir(dir);
}

typedef struct {
    uint64_t stable[8];
    size_t n_stable, n_acked;
} ack_seen;

static void seen_acked(void *ctx, int64_t peer, uint64_t through)
{
    (void)peer;
    (void)through;
    ((ack_seen *)ctx)->n_acked++;
}

static void seen_stable(void *ctx, uint64_t through)
{
    ack_seen *s = ctx;
    if (s->n_stable < 8) s->stable[s->n_stable] = through;
    s->n_stable++;
}

/* rule: K5; a branch is told that every peer has its writes 1..N once, when N grows: not again
 * for the same N when a peer that was ahead moves further */
Test(rpc, the_stable_prefix_is_told_once_each_time_it_grows)
{
    ack_seen s = {{0}, 0, 0};
    bank_ack_count *c = bank_ack_count_new(2, (bank_ack_hooks){seen_acked, seen_stable, &s});
    cr_assert_not_null(c);
    bank_ack_count_add(c, 0, 2, 1, 0); /* peer 2 has write 1: not every peer yet */
    cr_expect_eq(s.n_stable, 0);
    bank_ack_count_add(c, 1, 3, 1, 0); /* peer 3 too: 1 is everywhere */
    bank_ack_count_add(c, 0, 2, 2, 0); /* peer 2 ahead: still 1 */
    bank_ack_count_add(c, 0, 2, 3, 0);
    cr_expect(s.n_stable == 1 && s.stable[0] == 1, "told %zu times, first %llu", s.n_stable,
              (unsigned long long)s.stable[0]);
    bank_ack_count_add(c, 1, 3, 3, 1); /* peer 3 has 1..3 at once */
    cr_expect(s.n_stable == 2 && s.stable[1] == 3, "told %zu times, last %llu", s.n_stable,
              (unsigned long long)s.stable[s.n_stable > 1 ? 1 : 0]);
    cr_expect_eq(bank_ack_count_stable(c), 3);
    cr_expect_eq(s.n_acked, 5, "every move of a peer is told");
    bank_ack_count_free(c);
}

/* rule: K5; an acknowledgement that moves no peer tells nothing; with peers, "every peer has it"
 * comes only from them; a branch with no peers has each of its writes everywhere at once */
Test(rpc, an_acknowledgement_that_moves_nothing_tells_nothing)
{
    ack_seen s = {{0}, 0, 0};
    bank_ack_count *c = bank_ack_count_new(2, (bank_ack_hooks){seen_acked, seen_stable, &s});
    cr_assert_not_null(c);
    bank_ack_count_add(c, 0, 2, 2, 1);
    bank_ack_count_add(c, 1, 3, 1, 0);
    cr_expect(s.n_acked == 2 && s.n_stable == 1 && s.stable[0] == 1, "acked %zu, stable %zu", s.n_acked, s.n_stable);
    bank_ack_count_add(c, 0, 2, 1, 0); /* peer 2 had 1 already */
    bank_ack_count_add(c, 0, 2, 2, 1);
    bank_ack_count_add(c, 1, 3, 3, 0); /* 3 without 2: peer 3 still has 1..1 */
    bank_ack_count_add(c, 2, 4, 9, 1); /* no peer 2 at index 2 */
    cr_expect_eq(s.n_acked, 2, "no peer moved");
    cr_expect_eq(s.n_stable, 1);
    bank_ack_count_all(c, 7); /* only a branch without peers has its writes everywhere at once */
    cr_expect_eq(bank_ack_count_stable(c), 1);
    cr_expect_eq(s.n_stable, 1);
    bank_ack_count_free(c);

    ack_seen alone = {{0}, 0, 0};
    c = bank_ack_count_new(0, (bank_ack_hooks){seen_acked, seen_stable, &alone});
    cr_assert_not_null(c);
    bank_ack_count_all(c, 1);
    bank_ack_count_all(c, 2);
    bank_ack_count_all(c, 2);
    cr_expect_eq(bank_ack_count_stable(c), 2);
    cr_expect(alone.n_stable == 2 && alone.stable[0] == 1 && alone.stable[1] == 2, "told %zu times", alone.n_stable);
    cr_expect_eq(alone.n_acked, 0);
    bank_ack_count_free(c);
}
