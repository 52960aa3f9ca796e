/* What a branch's trace (rpc/trace.h, `bank run --trace`) records of each request it answers:
 * the method, who sent it (a customer or a branch, and which), the customer and event it
 * carries, its money, the reply and the balance after, in every wire form a branch serves; and
 * what a recovering branch refused. */
#include <criterion/criterion.h>
#include <grpc/grpc.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "bank.pb-c.h"
#include "course.pb-c.h"
#include "rpc/branch_server.h"
#include "rpc/client.h"
#include "rpc/codec.h"
#include "rpc_fixture.h"

enum { KEPT = 8 };

typedef struct {
    pthread_mutex_t lock;
    size_t n;
    bank_trace_record r[KEPT];
    char rpc[KEPT][32], reply[KEPT][64];
} trace_kept;

static void keep(void *ctx, const bank_trace_record *r)
{
    trace_kept *t = ctx;
    pthread_mutex_lock(&t->lock);
    if (t->n < KEPT) {
        t->r[t->n] = *r;
        snprintf(t->rpc[t->n], sizeof t->rpc[0], "%s", r->rpc);
        snprintf(t->reply[t->n], sizeof t->reply[0], "%s", r->reply);
    }
    t->n++;
    pthread_mutex_unlock(&t->lock);
}

static void expect_record(const trace_kept *t, size_t i, const char *rpc, int from_branch, int64_t from_id,
                          int64_t customer_id, int64_t event_id, int64_t money, const char *reply, int64_t balance)
{
    cr_assert_gt(t->n, i, "record %zu", i);
    const bank_trace_record *r = &t->r[i];
    cr_expect_str_eq(t->rpc[i], rpc, "record %zu", i);
    cr_expect_eq(r->from_branch, from_branch, "%s: from_branch", rpc);
    cr_expect_eq(r->from_id, from_id, "%s: from_id", rpc);
    cr_expect_eq(r->to_id, 4, "%s: to_id", rpc);
    cr_expect_eq(r->customer_id, customer_id, "%s: customer_id", rpc);
    cr_expect_eq(r->event_id, event_id, "%s: event_id", rpc);
    cr_expect_eq(r->money, money, "%s: money", rpc);
    cr_expect_str_eq(t->reply[i], reply, "%s: reply", rpc);
    cr_expect_eq(r->balance, balance, "%s: balance", rpc);
    cr_expect_leq(r->t_recv_us, r->t_reply_us, "%s: received before answered", rpc);
}

/* rule: B5, B6, P1 */
Test(rpc_trace, each_request_is_traced_with_who_sent_it_and_what_it_carried)
{
    trace_kept t = {.lock = PTHREAD_MUTEX_INITIALIZER};
    bank_branch_config cfg = {.id = 4, .balance = 100, .listen = "127.0.0.1:0", .threads = 1,
                              .trace = keep, .trace_ctx = &t};
    char err[512], addr[64];
    bank_branch_server *s = start_server(&cfg, addr, sizeof addr);
    const bank_peer self[] = {{4, addr}};
    cr_assert_eq(bank_branch_server_set_peers(s, self, 1, err, sizeof err), 0, "%s", err);
    bank_channel *ch = bank_channel_open(addr, NULL);
    grpc_completion_queue *cq = bank_client_cq_create();

    bank_result res;
    cr_assert_eq(bank_client_call(ch, cq, BANK_OP_DEPOSIT, 5, 9, 30, 5000, &res, err, sizeof err), 0, "%s", err);
    cr_assert_eq(bank_client_call(ch, cq, BANK_OP_WITHDRAW, 5, 10, 1000, 5000, &res, err, sizeof err), 0, "%s", err);

    Bank__PropagateRequest p = BANK__PROPAGATE_REQUEST__INIT;
    p.origin_branch = 3;
    p.sequence = 1;
    p.money = 7;
    p.customer_id = 11;
    p.event_id = 12;
    uint8_t buf[128];
    size_t n = bank__propagate_request__pack(&p, buf);
    grpc_byte_buffer *reply = NULL;
    cr_assert_eq(bank_client_raw(ch, cq, BANK_PATH_PROPAGATE_DEPOSIT, buf, n, 5000, &reply), GRPC_STATUS_OK);
    grpc_byte_buffer_destroy(reply);

    MsgRequest m = MSG_REQUEST__INIT;
    m.id = 21;
    m.interface = "deposit";
    m.money = 4;
    n = msg_request__pack(&m, buf);
    cr_assert_eq(bank_client_raw(ch, cq, BANK_PATH_MSG_DELIVERY, buf, n, 5000, &reply), GRPC_STATUS_OK);
    grpc_byte_buffer_destroy(reply);

    bank_client_cq_destroy(cq);
    bank_channel_close(ch);
    bank_branch_server_stop(s);
    cr_assert_eq(t.n, 4);
    expect_record(&t, 0, "Deposit", 0, 5, 5, 9, 30, "success", 130);
    expect_record(&t, 1, "Withdraw", 0, 5, 5, 10, 1000, "fail", 130);
    expect_record(&t, 2, "Propagate_Deposit", 1, 3, 11, 12, 7, "applied", 137);
    expect_record(&t, 3, "MsgDelivery", 0, 21, 21, 0, 4, "success", 141);
}

/* rule: B10; a recovering branch answers every method UNAVAILABLE "recovering" without reading
 * the request, and its trace still tells a branch's calls (propagations, Snapshot) from a
 * customer's by the method alone */
Test(rpc_trace, a_recovering_branch_refuses_every_method_and_traces_who_called)
{
    trace_kept t = {.lock = PTHREAD_MUTEX_INITIALIZER};
    bank_branch_config cfg = {.id = 4, .balance = 100, .listen = "127.0.0.1:0", .threads = 1,
                              .recover = 1, .trace = keep, .trace_ctx = &t};
    char addr[64];
    bank_branch_server *s = start_server(&cfg, addr, sizeof addr);
    static const struct {
        const char *path, *rpc;
        int from_branch;
    } calls[] = {
        {BANK_PATH_QUERY, "Query", 0},
        {BANK_PATH_DEPOSIT, "Deposit", 0},
        {BANK_PATH_PROPAGATE_DEPOSIT, "Propagate_Deposit", 1},
        {BANK_PATH_PROPAGATE_WITHDRAW, "Propagate_Withdraw", 1},
        {BANK_PATH_PROPAGATE_BATCH, "Propagate_Batch", 1},
        {BANK_PATH_SNAPSHOT, "Snapshot", 1},
        {BANK_PATH_MSG_DELIVERY, "MsgDelivery", 0},
    };
    bank_channel *ch = bank_channel_open(addr, NULL);
    grpc_completion_queue *cq = bank_client_cq_create();
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        grpc_byte_buffer *reply = NULL;
        char details[128] = "";
        grpc_status_code st = bank_client_raw_detailed(ch, cq, calls[i].path, "", 0, 5000, &reply, details,
                                                       sizeof details);
        cr_expect_eq(st, GRPC_STATUS_UNAVAILABLE, "%s", calls[i].path);
        cr_expect_str_eq(details, "recovering", "%s", calls[i].path);
        cr_expect_null(reply);
        if (reply) grpc_byte_buffer_destroy(reply);
    }
    bank_client_cq_destroy(cq);
    bank_channel_close(ch);
    bank_branch_server_stop(s);
    cr_assert_eq(t.n, sizeof calls / sizeof calls[0], "one record per call");
    for (size_t i = 0; i < t.n; i++) {
        cr_expect_str_eq(t.rpc[i], calls[i].rpc);
        cr_expect_eq(t.r[i].from_branch, calls[i].from_branch, "%s", calls[i].rpc);
        cr_expect_str_eq(t.reply[i], "error: recovering", "%s", calls[i].rpc);
    }
}
