/* Answering an incoming call, and tracing the answer (see replies.h). */
#include "replies.h"

#include <grpc/grpc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec.h"

/* Sends c's answer now: status, optional details, and c->reply when it is set. */
static void send_now(server_call *c, grpc_status_code status, const char *details)
{
    bank_server *s = c->srv;
    grpc_op ops[4];
    memset(ops, 0, sizeof ops);
    size_t n = 0;
    ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
    if (c->reply) {
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n++].data.send_message.send_message = c->reply;
    }
    grpc_slice detail_slice = grpc_slice_from_copied_string(details ? details : "");
    ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[n].data.send_status_from_server.status = status;
    ops[n++].data.send_status_from_server.status_details = details ? &detail_slice : NULL;
    ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    ops[n++].data.recv_close_on_server.cancelled = &c->cancelled;
    bank_server_track(s);
    c->tag.on_event = bank_server_on_replied;
    grpc_call_error e = grpc_call_start_batch(c->call, ops, n, &c->tag, NULL);
    grpc_slice_unref(detail_slice);
    if (e != GRPC_CALL_OK) {
        bank_server_call_free(c);
        bank_server_untrack(s);
    }
}

typedef struct {
    server_call *c;
    grpc_status_code status;
    char *details;
} delayed_reply;

static void delayed_reply_fire(void *arg, int cancelled)
{
    delayed_reply *d = arg;
    (void)cancelled; /* stopping: answer now */
    send_now(d->c, d->status, d->details);
    free(d->details);
    free(d);
}

void bank_reply_raw(server_call *c, grpc_status_code status, const char *details)
{
    bank_server *s = c->srv;
    bank_fault_dice *f = s->cfg.faults;
    if (f && bank_fault_hits(f, f->spec.reply_delay_pct)) {
        delayed_reply *d = malloc(sizeof *d);
        if (d) {
            *d = (delayed_reply){c, status, details ? strdup(details) : NULL};
            if (!details || d->details) {
                bank_timers_after(s->cfg.timers, bank_fault_delay_ms(f, f->spec.reply_delay_max_ms),
                                  delayed_reply_fire, d);
                return;
            }
            free(d);
        }
    }
    send_now(c, status, details);
}

void bank_reply(server_call *c, grpc_status_code status, const char *details,
                const ProtobufCMessage *msg)
{
    if (msg) c->reply = bank_codec_pack(msg);
    bank_reply_raw(c, status, details);
}

void bank_reply_customer(server_call *c, int success, int64_t balance)
{
    Bank__CustomerReply r = BANK__CUSTOMER_REPLY__INIT;
    r.result = success ? BANK__RESULT__SUCCESS : BANK__RESULT__FAIL;
    r.balance = balance;
    r.clock = c->clock;
    bank_reply(c, GRPC_STATUS_OK, NULL, &r.base);
}

void bank_reply_course(server_call *c, const char *interface, const char *result, int64_t balance)
{
    if (balance < INT32_MIN || balance > INT32_MAX) {
        bank_reply(c, GRPC_STATUS_OUT_OF_RANGE,
                   "the balance does not fit the course's int32 money field", NULL);
        return;
    }
    MsgResponse r = MSG_RESPONSE__INIT;
    r.interface = (char *)interface;
    r.result = (char *)result;
    r.money = (int32_t)balance;
    bank_reply(c, GRPC_STATUS_OK, NULL, &r.base);
}

void bank_reply_session_write(server_call *c, int64_t balance, bank_write_id id)
{
    bank_trace_reply(c, "success", balance);
    Bank__WriteId write = BANK__WRITE_ID__INIT;
    write.origin_branch = id.origin;
    write.sequence = id.sequence;
    Bank__CustomerReply r = BANK__CUSTOMER_REPLY__INIT;
    r.result = BANK__RESULT__SUCCESS;
    r.balance = balance;
    r.write = &write;
    bank_reply(c, GRPC_STATUS_OK, NULL, &r.base);
}

/* A write applied here and at every peer that acknowledged it, still owed to the others, is
 * answered PENDING; the course's MsgResponse has no such value: its result is "pending". */
void bank_reply_write_settled(void *call, bank_delivery outcome, const char *failure)
{
    server_call *c = call;
    if (outcome == BANK_DELIVERY_FAILED) {
        char details[400];
        snprintf(details, sizeof details, "write applied at branch %lld but %s",
                 (long long)c->srv->cfg.id, failure);
        bank_trace_error(c, details);
        bank_reply(c, GRPC_STATUS_UNAVAILABLE, details, NULL);
        return;
    }
    int pending = outcome == BANK_DELIVERY_PENDING;
    bank_trace_reply(c, pending ? "pending" : "success", c->balance);
    if (c->form == REPLY_COURSE) {
        bank_reply_course(c, c->course_interface, pending ? "pending" : "success", c->balance);
        return;
    }
    Bank__CustomerReply r = BANK__CUSTOMER_REPLY__INIT;
    r.result = pending ? BANK__RESULT__PENDING : BANK__RESULT__SUCCESS;
    r.balance = c->balance;
    r.clock = c->clock;
    bank_reply(c, GRPC_STATUS_OK, NULL, &r.base);
}

/* ---- the trace ---- */

int64_t bank_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void bank_trace_reply(server_call *c, const char *reply, int64_t balance)
{
    bank_server *s = c->srv;
    if (!s->cfg.trace) return;
    bank_trace_record r = {c->t_recv_us, bank_now_us(),
                           c->method < M_COUNT ? bank_method_name[c->method] : "unknown",
                           c->from_branch, c->from_id, s->cfg.id, c->customer_id, c->event_id,
                           c->money, balance, reply, c->clock_sent, c->clock};
    s->cfg.trace(s->cfg.trace_ctx, &r);
}

void bank_trace_error(server_call *c, const char *details)
{
    bank_server *s = c->srv;
    if (!s->cfg.trace) return;
    char reply[440];
    snprintf(reply, sizeof reply, "error: %s", details);
    pthread_mutex_lock(s->cfg.replica_lock);
    int64_t balance = s->cfg.replica->balance;
    pthread_mutex_unlock(s->cfg.replica_lock);
    bank_trace_reply(c, reply, balance);
}

/* One record per write of a batch, as if each had come alone (Propagate_Deposit or
 * Propagate_Withdraw): the batch is how they travel, not what they are. */
void bank_trace_batch(server_call *c, const bank_answer *batch)
{
    bank_server *s = c->srv;
    if (!s->cfg.trace) return;
    int64_t now = bank_now_us();
    for (size_t i = 0; i < batch->n_writes; i++) {
        const bank_answer *a = &batch->writes[i];
        char error[200];
        const char *reply = a->kind == BANK_ANSWER_ERROR ? error
                            : a->applied                ? "applied"
                                                        : "duplicate";
        if (a->kind == BANK_ANSWER_ERROR) snprintf(error, sizeof error, "error: %s", a->details);
        bank_trace_record r = {c->t_recv_us,
                               now,
                               a->write.kind == BANK_WRITE_WITHDRAW ? "Propagate_Withdraw"
                                                                    : "Propagate_Deposit",
                               1,
                               a->from_id,
                               s->cfg.id,
                               a->customer_id,
                               a->event_id,
                               a->money,
                               a->kind == BANK_ANSWER_ERROR ? batch->balance : a->balance,
                               reply,
                               a->clock_sent,
                               a->clock};
        s->cfg.trace(s->cfg.trace_ctx, &r);
    }
}
