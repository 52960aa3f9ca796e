/* Incoming calls: posted, decided by branch_logic.c, answered or handed to the sender (see
 * server.h). */
#include "server.h"

#include <grpc/grpc.h>
#include <grpc/support/alloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "parked.h"
#include "replies.h"
#include "server_call.h"
#include "snapshot.h"

static const char *const method_path[M_COUNT] = {
    BANK_PATH_QUERY,    BANK_PATH_DEPOSIT,      BANK_PATH_WITHDRAW,
    BANK_PATH_PROPAGATE_DEPOSIT, BANK_PATH_PROPAGATE_WITHDRAW, BANK_PATH_MSG_DELIVERY,
    BANK_PATH_MSG_PROPAGATION,   BANK_PATH_PROPAGATE_BATCH, BANK_PATH_ECHO,
    BANK_PATH_SNAPSHOT,
};

const char *const bank_method_name[M_COUNT] = {
    "Query", "Deposit", "Withdraw", "Propagate_Deposit", "Propagate_Withdraw", "MsgDelivery",
    "MsgPropagation", "Propagate_Batch", "Echo", "Snapshot",
};

/* The method each path asks for, as branch_logic.h names it (the echo has none). */
static const bank_request_kind request_kind[M_ECHO] = {
    BANK_REQ_QUERY,    BANK_REQ_DEPOSIT,       BANK_REQ_WITHDRAW,       BANK_REQ_PROPAGATE_DEPOSIT,
    BANK_REQ_PROPAGATE_WITHDRAW, BANK_REQ_MSG_DELIVERY, BANK_REQ_MSG_PROPAGATION,
    BANK_REQ_PROPAGATE_BATCH,
};

/* Who may call each method under TLS (spec R3); a path nobody serves: anyone with a role. */
static const bank_access method_access[M_COUNT + 1] = {
    [M_PROPAGATE_DEPOSIT] = BANK_ACCESS_BRANCH, [M_PROPAGATE_WITHDRAW] = BANK_ACCESS_BRANCH,
    [M_MSG_PROPAGATION] = BANK_ACCESS_BRANCH,   [M_PROPAGATE_BATCH] = BANK_ACCESS_BRANCH,
    [M_SNAPSHOT] = BANK_ACCESS_BRANCH, /* the others: BANK_ACCESS_CUSTOMER (0) */
};

enum { REQUESTS_POSTED_PER_METHOD = 4 };

#define RECOVERING_DETAILS "recovering"

static void on_incoming(bank_engine_tag *tag, int ok);

static int post_request(bank_server *s, enum method m)
{
    server_call *c = calloc(1, sizeof *c);
    if (!c) return -1;
    c->tag.on_event = on_incoming;
    c->srv = s;
    c->method = m;
    grpc_metadata_array_init(&c->request_md);
    bank_server_track(s);
    grpc_call_error e;
    if (m == M_UNKNOWN) {
        grpc_call_details_init(&c->details);
        e = grpc_server_request_call(s->server, &c->call, &c->details, &c->request_md, s->cq, s->cq,
                                     &c->tag);
    } else {
        e = grpc_server_request_registered_call(s->server, s->method_handle[m], &c->call,
                                                &c->deadline, &c->request_md, &c->payload, s->cq,
                                                s->cq, &c->tag);
    }
    if (e != GRPC_CALL_OK) {
        bank_server_call_free(c);
        bank_server_untrack(s);
        return -1;
    }
    return 0;
}

/* Under TLS, whether the caller's certificate lets it call this method at all (spec R3): decided
 * before the request is read. A refusal is answered and traced here (1: go on). */
static int authorized(server_call *c)
{
    bank_server *s = c->srv;
    c->sender_branch = BANK_SENDER_UNAUTHENTICATED;
    if (!s->cfg.tls) return 1;
    bank_tls_peer_identity(c->call, &c->caller);
    int is_branch = c->caller.role == BANK_CALLER_BRANCH;
    c->sender_branch = is_branch ? c->caller.branch : BANK_SENDER_NOT_A_BRANCH;
    bank_sender *sender = atomic_load(&s->sender);
    bank_peer_match peer = !sender                                               ? BANK_PEERS_UNKNOWN
                           : is_branch && bank_sender_has_peer(sender, c->caller.branch) ? BANK_A_PEER
                                                                                 : BANK_NOT_A_PEER;
    char *path = c->method == M_UNKNOWN ? grpc_slice_to_c_string(c->details.method) : NULL;
    char details[400];
    int st = bank_tls_authorize(path ? path : bank_method_name[c->method], method_access[c->method],
                                &c->caller, peer, details, sizeof details);
    gpr_free(path);
    if (st == GRPC_STATUS_OK) return 1;
    c->from_branch = is_branch;
    c->from_id = is_branch ? c->caller.branch : 0;
    bank_trace_error(c, details);
    bank_reply(c, (grpc_status_code)st, details, NULL);
    return 0;
}

/* A branch that has not caught up after a crash answers nothing from its stale replica. */
static int refuse_while_recovering(server_call *c)
{
    if (!atomic_load(&c->srv->recovering) || (c->method == M_SNAPSHOT && c->srv->cfg.snapshot_while_recovering))
        return 0;
    c->from_branch = c->method == M_PROPAGATE_DEPOSIT || c->method == M_PROPAGATE_WITHDRAW ||
                     c->method == M_PROPAGATE_BATCH ||
                     c->method == M_SNAPSHOT; /* for the trace: the request is not read */
    bank_trace_error(c, RECOVERING_DETAILS);
    bank_reply(c, GRPC_STATUS_UNAVAILABLE, RECOVERING_DETAILS, NULL);
    return 1;
}

/* The request's bytes (1), or 0 once it has been answered: refused while the branch recovers,
 * or unreadable. */
static int take_payload(server_call *c, grpc_slice *bytes)
{
    if (refuse_while_recovering(c)) return 0;
    if (bank_codec_flatten(c->payload, bytes) == 0) return 1;
    bank_trace_error(c, "unreadable message");
    bank_reply(c, GRPC_STATUS_INVALID_ARGUMENT, "unreadable message", NULL);
    return 0;
}

static void carry_out(server_call *c, bank_answer a, bank_sender *sender);

/* An answer held back until what it shows is durable (--data-dir). */
typedef struct {
    server_call *c;
    bank_answer a;
    int raw; /* a is unused: c->reply is the answer, ready to send */
    bank_sender *sender;
} held_answer;

static void release_held(void *arg, int ok, const char *why)
{
    held_answer *h = arg;
    if (ok && h->raw) bank_reply_raw(h->c, GRPC_STATUS_OK, NULL);
    else if (ok) carry_out(h->c, h->a, h->sender);
    else {
        char details[600];
        snprintf(details, sizeof details, "not answered: it could not be made durable: %s", why);
        bank_answer_release(&h->a);
        if (h->c->reply) grpc_byte_buffer_destroy(h->c->reply);
        h->c->reply = NULL;
        bank_trace_error(h->c, details);
        bank_reply(h->c, GRPC_STATUS_UNAVAILABLE, details, NULL);
    }
    free(h);
}

/* a NULL: c->reply is ready. */
static void held_until_durable(server_call *c, const bank_answer *a, bank_sender *sender, uint64_t ticket)
{
    held_answer *h = calloc(1, sizeof *h);
    if (h) {
        *h = (held_answer){c, a ? *a : (bank_answer){0}, a == NULL, sender};
        c->srv->cfg.durable_then(c->srv->cfg.durable_ctx, ticket, release_held, h);
        return;
    }
    bank_answer copy = a ? *a : (bank_answer){0};
    bank_answer_release(&copy);
    if (c->reply) grpc_byte_buffer_destroy(c->reply);
    c->reply = NULL;
    bank_reply(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory", NULL);
}

/* Every method but the echo and the snapshot: branch_logic.c decides, under the lock; this only
 * carries it out. */
static void handle_request(server_call *c)
{
    bank_server *s = c->srv;
    grpc_slice bytes;
    if (!take_payload(c, &bytes)) return;
    bank_sender *sender = atomic_load(&s->sender);
    bank_answer a;
    uint64_t ticket = 0;
    pthread_mutex_lock(s->cfg.replica_lock);
    bank_branch_decide(s->cfg.replica, sender != NULL, c->sender_branch, request_kind[c->method],
                       GRPC_SLICE_START_PTR(bytes), GRPC_SLICE_LENGTH(bytes), &a);
    if (s->cfg.durable_note) ticket = s->cfg.durable_note(s->cfg.durable_ctx);
    pthread_mutex_unlock(s->cfg.replica_lock);
    grpc_slice_unref(bytes);
    c->customer_id = a.customer_id;
    c->event_id = a.event_id;
    c->money = a.money;
    c->from_branch = a.from_branch;
    c->from_id = a.from_id;
    c->clock_sent = a.clock_sent;
    c->clock = a.clock;
    if (a.kind == BANK_ANSWER_HOLD) { /* Project 3: it waits for a write of its customer's */
        bank_parked_hold(s->parked, c, a.missing);
        return;
    }
    int applied = a.kind == BANK_ANSWER_PROPAGATE && a.applied;
    for (size_t i = 0; i < a.n_writes; i++) applied |= a.writes[i].kind == BANK_ANSWER_PROPAGATE && a.writes[i].applied;
    char forged[400];
    if (a.kind == BANK_ANSWER_ERROR && a.status == BANK_RPC_PERMISSION_DENIED) { /* spec R4 */
        snprintf(forged, sizeof forged, "%s refused: the caller is %s, and the write's origin is "
                 "branch %lld (a branch propagates only its own writes)", bank_method_name[c->method],
                 c->caller.name, (long long)a.write.origin);
        a.details = forged;
    }
    if (a.kind == BANK_ANSWER_ERROR) bank_trace_error(c, a.details);
    else if (a.kind == BANK_ANSWER_PROPAGATE) bank_trace_reply(c, a.applied ? "applied" : "duplicate", a.balance);
    else if (a.kind == BANK_ANSWER_BATCH) bank_trace_batch(c, &a);
    else if (a.kind != BANK_ANSWER_FAN_OUT) bank_trace_reply(c, a.success ? "success" : "fail", a.balance);
    if (ticket) held_until_durable(c, &a, sender, ticket);
    else carry_out(c, a, sender);
    /* Project 3: calls parked for a write this request applied may go on (a resumed call's own
     * answer waits for the disk, as any answer does) */
    if (applied) bank_parked_wake(s->parked);
}

/* Answers c as a says, or hands its write to the sender. */
static void carry_out(server_call *c, bank_answer a, bank_sender *sender)
{
    switch (a.kind) {
    case BANK_ANSWER_ERROR:
        bank_reply(c, (grpc_status_code)a.status, a.details, NULL);
        break;
    case BANK_ANSWER_CUSTOMER:
        bank_reply_customer(c, a.success, a.balance);
        break;
    case BANK_ANSWER_PROPAGATE: {
        Bank__PropagateReply r = BANK__PROPAGATE_REPLY__INIT;
        r.applied = a.applied;
        r.balance = a.balance;
        r.clock = a.clock;
        bank_reply(c, GRPC_STATUS_OK, NULL, &r.base);
        break;
    }
    case BANK_ANSWER_COURSE:
        bank_reply_course(c, a.interface, a.success ? "success" : "fail", a.balance);
        break;
    case BANK_ANSWER_BATCH: {
        grpc_slice out = grpc_slice_from_copied_buffer((const char *)a.reply, a.reply_len);
        c->reply = grpc_raw_byte_buffer_create(&out, 1);
        grpc_slice_unref(out);
        bank_answer_release(&a);
        bank_reply_raw(c, GRPC_STATUS_OK, NULL);
        break;
    }
    case BANK_ANSWER_FAN_OUT: {
        c->balance = a.balance;
        c->form = a.course_form ? REPLY_COURSE : REPLY_BANK;
        c->course_interface = a.interface;
        bank_logged_write w = {a.write.kind, a.write.origin, a.write.sequence, a.write.money,
                               a.customer_id, a.event_id};
        if (!a.session) {
            bank_sender_fan_out(sender, &w, a.first_send, bank_reply_write_settled, c);
            break;
        }
        /* Project 3: answered now, the peers get it later (C3). Queued first, so that a customer
         * told of the write finds it owed (the send only queues: nobody waits on a peer). */
        bank_sender_send(sender, &w, a.after);
        bank_reply_session_write(c, a.balance, (bank_write_id){a.write.origin, a.write.sequence});
        break;
    }
    case BANK_ANSWER_HOLD: break;
    }
}

static void handle_echo(server_call *c)
{
    bank_server *s = c->srv;
    c->tag.on_event = bank_server_on_replied;
    grpc_op ops[4];
    memset(ops, 0, sizeof ops);
    c->reply = c->payload ? grpc_byte_buffer_copy(c->payload) : NULL;
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = c->reply;
    ops[2].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[2].data.send_status_from_server.status = GRPC_STATUS_OK;
    ops[3].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    ops[3].data.recv_close_on_server.cancelled = &c->cancelled;
    bank_server_track(s);
    if (!c->reply || grpc_call_start_batch(c->call, ops, 4, &c->tag, NULL) != GRPC_CALL_OK) {
        bank_server_call_free(c);
        bank_server_untrack(s);
    }
}

static void handle_unknown(server_call *c)
{
    char *path = grpc_slice_to_c_string(c->details.method);
    char details[300];
    snprintf(details, sizeof details, "no method %.200s here (bank.Branch and the course's Branch "
                                      "are served)", path);
    gpr_free(path);
    bank_trace_error(c, details);
    bank_reply(c, GRPC_STATUS_UNIMPLEMENTED, details, NULL);
}

static void handle_snapshot(server_call *c)
{
    bank_server *s = c->srv;
    grpc_slice bytes;
    if (!take_payload(c, &bytes)) return;
    uint8_t *packed;
    size_t len;
    const char *details = NULL;
    uint64_t ticket = 0;
    pthread_mutex_lock(s->cfg.replica_lock); /* the page and the balance at one instant */
    int st = bank_snapshot_answer(s->cfg.replica, GRPC_SLICE_START_PTR(bytes),
                                  GRPC_SLICE_LENGTH(bytes), &packed, &len, &details);
    int64_t balance = s->cfg.replica->balance;
    if (s->cfg.durable_note) ticket = s->cfg.durable_note(s->cfg.durable_ctx);
    pthread_mutex_unlock(s->cfg.replica_lock);
    grpc_slice_unref(bytes);
    if (st != GRPC_STATUS_OK) {
        bank_trace_error(c, details);
        bank_reply(c, (grpc_status_code)st, details, NULL);
        return;
    }
    grpc_slice out = grpc_slice_from_copied_buffer((const char *)packed, len);
    free(packed);
    c->reply = grpc_raw_byte_buffer_create(&out, 1);
    grpc_slice_unref(out);
    bank_trace_reply(c, "success", balance);
    if (ticket) held_until_durable(c, NULL, NULL, ticket);
    else bank_reply_raw(c, GRPC_STATUS_OK, NULL);
}

static void dispatch(server_call *c)
{
    if (c->method == M_ECHO) handle_echo(c);
    else if (c->method < M_ECHO) handle_request(c);
    else if (c->method == M_SNAPSHOT) handle_snapshot(c);
    else handle_unknown(c);
}

static void on_incoming(bank_engine_tag *tag, int ok)
{
    server_call *c = (server_call *)tag;
    bank_server *s = c->srv;
    if (!ok) { /* a posted request given back at shutdown */
        bank_server_call_free(c);
    } else {
        c->t_recv_us = s->cfg.trace ? bank_now_us() : 0;
        if (!atomic_load(&s->stopping)) post_request(s, c->method);
        if (authorized(c)) dispatch(c);
    }
    bank_server_untrack(s);
}

static void on_shutdown(bank_engine_tag *tag, int ok)
{
    (void)ok;
    bank_server *s = (bank_server *)((char *)tag - offsetof(bank_server, shutdown_tag));
    pthread_mutex_lock(&s->drain_lock);
    s->shutdown_seen = 1;
    pthread_mutex_unlock(&s->drain_lock);
    bank_server_untrack(s);
}

bank_server *bank_server_start(const bank_server_config *cfg, char *err, size_t errlen)
{
    bank_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "branch %lld: out of memory", (long long)cfg->id);
        return NULL;
    }
    grpc_init();
    s->cfg = *cfg;
    s->cq = bank_engine_cq(cfg->engine);
    atomic_store(&s->recovering, cfg->recovering != 0);
    if (!(s->parked = bank_parked_new(s, cfg->hold_ms, handle_request))) {
        snprintf(err, errlen, "branch %lld: out of memory", (long long)cfg->id);
        free(s);
        grpc_shutdown();
        return NULL;
    }
    pthread_mutex_init(&s->drain_lock, NULL);
    pthread_cond_init(&s->drained, NULL);

    /* SO_REUSEPORT would let a second server share a busy port silently. */
    grpc_arg arg = {GRPC_ARG_INTEGER, GRPC_ARG_ALLOW_REUSEPORT, {.integer = 0}};
    grpc_channel_args args = {1, &arg};
    s->server = grpc_server_create(&args, NULL);
    grpc_server_register_completion_queue(s->server, s->cq, NULL);
    for (int m = 0; m < M_COUNT; m++)
        if (m != M_ECHO || cfg->serve_echo)
            s->method_handle[m] = grpc_server_register_method(
                s->server, method_path[m], NULL, GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
    grpc_server_credentials *creds = bank_tls_server_credentials(cfg->tls);
    s->port = grpc_server_add_http2_port(s->server, cfg->listen, creds);
    grpc_server_credentials_release(creds);
    if (s->port == 0) {
        snprintf(err, errlen, "branch %lld: cannot listen on %s (address in use or not valid)",
                 (long long)cfg->id, cfg->listen);
        bank_server_shutdown(s);
        bank_server_free(s);
        return NULL;
    }
    grpc_server_start(s->server);
    for (int m = 0; m < M_COUNT; m++)
        if (s->method_handle[m])
            for (int i = 0; i < REQUESTS_POSTED_PER_METHOD; i++) post_request(s, (enum method)m);
    post_request(s, M_UNKNOWN);
    return s;
}

int bank_server_port(const bank_server *s) { return s->port; }

void bank_server_use_sender(bank_server *s, bank_sender *sender) { atomic_store(&s->sender, sender); }

void bank_server_recovered(bank_server *s) { atomic_store(&s->recovering, 0); }

int bank_server_recovering(const bank_server *s) { return atomic_load(&s->recovering); }

void bank_server_shutdown(bank_server *s)
{
    atomic_store(&s->stopping, 1);
    s->shutdown_tag.on_event = on_shutdown;
    bank_server_track(s);
    grpc_server_shutdown_and_notify(s->server, s->cq, &s->shutdown_tag);
    grpc_server_cancel_all_calls(s->server);
    pthread_mutex_lock(&s->drain_lock);
    while (s->outstanding > 0 || !s->shutdown_seen) pthread_cond_wait(&s->drained, &s->drain_lock);
    pthread_mutex_unlock(&s->drain_lock);
    grpc_server_destroy(s->server);
    s->server = NULL;
}

void bank_server_free(bank_server *s)
{
    if (!s) return;
    bank_parked_free(s->parked);
    pthread_mutex_destroy(&s->drain_lock);
    pthread_cond_destroy(&s->drained);
    free(s);
    grpc_shutdown();
}
