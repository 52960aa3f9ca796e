/* The forms on the wire, real gRPC servers on loopback: the course's (MsgDelivery and
 * MsgPropagation, its int32 limits exactly) straight at one branch, the bank's own as a probe
 * reads every branch, a student's proto read field by field; and what is refused on them:
 * malformed bytes, bad calls at every door, a call without a message, and replies our branches
 * never send (a stand-in gRPC server answers with them). */
#include <criterion/criterion.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc/client.h"
#include "rpc/codec.h"
#include "rpc/wire.h"
#include "rpc/wire_roles.h"
#include "run/branches.h"
#include "run/customers.h"
#include "rpc_fixture.h"
#include "wire_fixture.h"

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
    static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    const char *const paths[] = {BANK_PATH_MSG_DELIVERY, BANK_PATH_MSG_PROPAGATION, BANK_PATH_QUERY,
                                 BANK_PATH_DEPOSIT, BANK_PATH_PROPAGATE_DEPOSIT};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        expect_refused(&rc, paths[i], garbage, sizeof garbage, GRPC_STATUS_INVALID_ARGUMENT, paths[i]);
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
