/* Event-driven: every incoming call, reply and propagation is a tag on one completion queue,
 * so a write's fan-out never blocks a thread. Two branches writing at once can therefore never
 * deadlock waiting for each other's propagation handler. */
#include "branch_server.h"

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "branch_logic.h"
#include "codec.h"
#include "engine.h"
#include "outbox.h"
#include "recovery.h"
#include "snapshot.h"
#include "core/replica.h"
#include "core/workload.h"
#include "core/workload_gen.h"

enum method {
    M_QUERY,
    M_DEPOSIT,
    M_WITHDRAW,
    M_PROPAGATE_DEPOSIT,
    M_PROPAGATE_WITHDRAW,
    M_MSG_DELIVERY,
    M_MSG_PROPAGATION,
    M_PROPAGATE_BATCH,
    M_ECHO,
    M_SNAPSHOT, /* a page of the write log, for a branch that recovers (recovery.c) */
    M_COUNT,
    /* A call to a path no method is registered for: answered UNIMPLEMENTED at once. Without a
     * request posted for such calls, the C core would hold them until the caller's deadline. */
    M_UNKNOWN = M_COUNT
};

static const char *const method_path[M_COUNT] = {
    BANK_PATH_QUERY,    BANK_PATH_DEPOSIT,      BANK_PATH_WITHDRAW,
    BANK_PATH_PROPAGATE_DEPOSIT, BANK_PATH_PROPAGATE_WITHDRAW, BANK_PATH_MSG_DELIVERY,
    BANK_PATH_MSG_PROPAGATION,   BANK_PATH_PROPAGATE_BATCH, BANK_PATH_ECHO,
    BANK_PATH_SNAPSHOT,
};

/* The method names a trace uses. */
static const char *const method_name[M_COUNT] = {
    "Query", "Deposit", "Withdraw", "Propagate_Deposit", "Propagate_Withdraw", "MsgDelivery",
    "MsgPropagation", "Propagate_Batch", "Echo", "Snapshot",
};

/* The method each path asks for, as branch_logic.h names it (the echo has none). */
static const bank_request_kind request_kind[M_ECHO] = {
    BANK_REQ_QUERY,    BANK_REQ_DEPOSIT,       BANK_REQ_WITHDRAW,       BANK_REQ_PROPAGATE_DEPOSIT,
    BANK_REQ_PROPAGATE_WITHDRAW, BANK_REQ_MSG_DELIVERY, BANK_REQ_MSG_PROPAGATION,
    BANK_REQ_PROPAGATE_BATCH,
};

enum { REQUESTS_POSTED_PER_METHOD = 4 };

enum tag_kind { TAG_INCOMING, TAG_REPLIED, TAG_PEER_DONE, TAG_SHUTDOWN };
struct tag {
    bank_engine_tag base; /* first: the engine hands this back */
    enum tag_kind kind;
    bank_branch_server *srv;
};

typedef struct owed owed;
typedef struct batch_call batch_call;
typedef struct peer peer;

struct peer {
    int64_t id;
    bank_branch_server *srv; /* the branch that sends to this peer */
    grpc_channel *channel;   /* the engine's, shared with every branch it serves */
    void *batch_handle;      /* Propagate_Batch registered on it */
    /* guarded by the branch's queue_lock */
    owed *queued, *queued_tail; /* propagations waiting for the next call */
    int call_open;              /* a call to this peer is under way */
    int in_ready;               /* in the branch's ready list */
    peer *ready_next;
    owed *starting; /* taken for a call about to start */
    size_t n_starting;
    peer *start_next;
};

/* Work due later: a propagation's next try, an injected delay. Run by the branch's timer
 * thread, or at once with cancelled set when the branch is stopping. */
typedef struct timed_work timed_work;
struct timed_work {
    int64_t due_ms;
    void (*fn)(void *arg, int cancelled);
    void *arg;
    timed_work *next;
};

struct bank_branch_server {
    int64_t id;
    int port;
    int propagate_deadline_ms;
    int serve_echo;
    grpc_server *server;
    bank_engine *engine;
    int own_engine; /* started for this branch alone: stopped with it */
    grpc_completion_queue *cq; /* the engine's */
    void *method_handle[M_COUNT];

    pthread_mutex_t lock; /* guards replica */
    bank_replica replica;

    pthread_mutex_t queue_lock; /* guards what follows and every peer's queue */
    batch_call *open_calls;     /* propagation calls under way, cancelled on stop */
    size_t calls_open;          /* their number: CALL_WINDOW at most */
    peer *ready, *ready_tail;   /* peers with writes queued and no call open, oldest first */

    peer *peers;
    size_t n_peers;
    atomic_int peers_ready;

    atomic_int stopping;
    pthread_mutex_t drain_lock; /* guards outstanding and shutdown_seen */
    pthread_cond_t drained;
    long outstanding;  /* tags given to the queue whose event has not been handled yet */
    int shutdown_seen; /* the server's shutdown completed */
    struct tag shutdown_tag;

    bank_trace_fn trace;
    void *trace_ctx;

    int max_attempts, backoff_ms;
    bank_faults faults;
    int faults_on;
    uint64_t fault_rng; /* guarded by timer_lock */

    pthread_mutex_t timer_lock; /* guards timed, timer_stopped, fault_rng */
    pthread_cond_t timer_cond;
    timed_work *timed;          /* sorted by due_ms */
    int timer_stopped;
    pthread_t timer_thread;
    int timer_started;

    bank_outbox *outbox;   /* propagations owed to peers beyond a write's tries (outbox.c) */
    atomic_int recovering; /* started with --recover and not caught up yet: refuse everything */
    int64_t initial_balance;
};

/* What a customer's write answers once every peer has acknowledged it. */
typedef enum { REPLY_BANK, REPLY_COURSE } reply_form;

typedef struct {
    struct tag tag;
    bank_branch_server *srv;
    enum method method;
    grpc_call *call;
    gpr_timespec deadline;
    grpc_metadata_array request_md;
    grpc_call_details details; /* M_UNKNOWN: which path was called */
    grpc_byte_buffer *payload;
    grpc_byte_buffer *reply;
    int cancelled;

    reply_form form;
    const char *course_interface;
    int64_t balance;
    bank_write write;
    int64_t customer_id, event_id;
    int64_t t_recv_us, money, from_id; /* for the trace */
    int from_branch;
    atomic_size_t peers_pending;
    atomic_int failed;
    atomic_int answer_pending; /* some peer did not acknowledge within the tries: it is owed
                                  the write, and the customer is answered PENDING */
    char failure[256];
} server_call;

static void track(bank_branch_server *s)
{
    pthread_mutex_lock(&s->drain_lock);
    s->outstanding++;
    pthread_mutex_unlock(&s->drain_lock);
}

/* The branch may be freed once its server has shut down and every tag of it is handled; the
 * lock is held while signalling so the stopping thread cannot free it under this one. */
static void untrack(bank_branch_server *s)
{
    pthread_mutex_lock(&s->drain_lock);
    if (--s->outstanding == 0 && s->shutdown_seen) pthread_cond_signal(&s->drained);
    pthread_mutex_unlock(&s->drain_lock);
}

static void on_event(bank_engine_tag *base, int ok);

static void tag_init(struct tag *t, enum tag_kind kind, bank_branch_server *s)
{
    t->base.on_event = on_event;
    t->kind = kind;
    t->srv = s;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs fn(arg, 0) on the timer thread in delay_ms; or fn(arg, 1) at once when the branch is
 * stopping (or memory ran out), so that no work is forgotten. */
static void run_later(bank_branch_server *s, int delay_ms, void (*fn)(void *, int), void *arg)
{
    timed_work *t = malloc(sizeof *t);
    pthread_mutex_lock(&s->timer_lock);
    if (!t || s->timer_stopped) {
        pthread_mutex_unlock(&s->timer_lock);
        free(t);
        fn(arg, 1);
        return;
    }
    t->due_ms = mono_ms() + delay_ms;
    t->fn = fn;
    t->arg = arg;
    timed_work **at = &s->timed;
    while (*at && (*at)->due_ms <= t->due_ms) at = &(*at)->next;
    t->next = *at;
    *at = t;
    pthread_cond_signal(&s->timer_cond);
    pthread_mutex_unlock(&s->timer_lock);
}

static void *timer_main(void *arg)
{
    bank_branch_server *s = arg;
    pthread_mutex_lock(&s->timer_lock);
    while (!s->timer_stopped) {
        if (!s->timed) {
            pthread_cond_wait(&s->timer_cond, &s->timer_lock);
            continue;
        }
        int64_t now = mono_ms();
        if (s->timed->due_ms > now) {
            struct timespec until = {(time_t)(s->timed->due_ms / 1000), (long)(s->timed->due_ms % 1000) * 1000000};
            pthread_cond_timedwait(&s->timer_cond, &s->timer_lock, &until);
            continue;
        }
        timed_work *t = s->timed;
        s->timed = t->next;
        pthread_mutex_unlock(&s->timer_lock);
        t->fn(t->arg, 0);
        free(t);
        pthread_mutex_lock(&s->timer_lock);
    }
    pthread_mutex_unlock(&s->timer_lock);
    return NULL;
}

/* Stops the timer thread and runs everything still due as cancelled. */
static void stop_timer(bank_branch_server *s)
{
    pthread_mutex_lock(&s->timer_lock);
    s->timer_stopped = 1;
    pthread_cond_signal(&s->timer_cond);
    pthread_mutex_unlock(&s->timer_lock);
    if (s->timer_started) pthread_join(s->timer_thread, NULL);
    for (;;) {
        pthread_mutex_lock(&s->timer_lock);
        timed_work *t = s->timed;
        if (t) s->timed = t->next;
        pthread_mutex_unlock(&s->timer_lock);
        if (!t) break;
        t->fn(t->arg, 1);
        free(t);
    }
}

/* 1 with probability pct percent, from the branch's seeded fault generator. */
static int fault_hits(bank_branch_server *s, unsigned pct)
{
    if (pct == 0) return 0;
    pthread_mutex_lock(&s->timer_lock);
    int hit = bank_rng_below(&s->fault_rng, 100) < pct;
    pthread_mutex_unlock(&s->timer_lock);
    return hit;
}

static int fault_delay_ms(bank_branch_server *s, unsigned max_ms)
{
    pthread_mutex_lock(&s->timer_lock);
    int ms = 1 + (int)bank_rng_below(&s->fault_rng, max_ms ? max_ms : 1);
    pthread_mutex_unlock(&s->timer_lock);
    return ms;
}

static void free_server_call(server_call *c)
{
    grpc_metadata_array_destroy(&c->request_md);
    if (c->method == M_UNKNOWN) grpc_call_details_destroy(&c->details);
    if (c->payload) grpc_byte_buffer_destroy(c->payload);
    if (c->reply) grpc_byte_buffer_destroy(c->reply);
    if (c->call) grpc_call_unref(c->call);
    free(c);
}

static int post_request(bank_branch_server *s, enum method m)
{
    server_call *c = calloc(1, sizeof *c);
    if (!c) return -1;
    tag_init(&c->tag, TAG_INCOMING, s);
    c->srv = s;
    c->method = m;
    grpc_metadata_array_init(&c->request_md);
    track(s);
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
        free_server_call(c);
        untrack(s);
        return -1;
    }
    return 0;
}

/* Sends c's answer: status, optional details, and c->reply when it is set. */
static void send_reply_now(server_call *c, grpc_status_code status, const char *details)
{
    bank_branch_server *s = c->srv;
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
    tag_init(&c->tag, TAG_REPLIED, s);
    track(s);
    grpc_call_error e = grpc_call_start_batch(c->call, ops, n, &c->tag, NULL);
    grpc_slice_unref(detail_slice);
    if (e != GRPC_CALL_OK) {
        free_server_call(c);
        untrack(s);
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
    send_reply_now(d->c, d->status, d->details);
    free(d->details);
    free(d);
}

/* Answers c with status, optional details and optional message; c is freed when it completes.
 * An injected fault may hold the answer back for a while. */
static void send_reply(server_call *c, grpc_status_code status, const char *details,
                       const ProtobufCMessage *msg)
{
    bank_branch_server *s = c->srv;
    if (msg) c->reply = bank_codec_pack(msg);
    if (s->faults_on && fault_hits(s, s->faults.reply_delay_pct)) {
        delayed_reply *d = malloc(sizeof *d);
        if (d) {
            *d = (delayed_reply){c, status, details ? strdup(details) : NULL};
            if (!details || d->details) {
                run_later(s, fault_delay_ms(s, s->faults.reply_delay_max_ms), delayed_reply_fire, d);
                return;
            }
            free(d);
        }
    }
    send_reply_now(c, status, details);
}

static void reply_customer(server_call *c, int success, int64_t balance)
{
    Bank__CustomerReply r = BANK__CUSTOMER_REPLY__INIT;
    r.result = success ? BANK__RESULT__SUCCESS : BANK__RESULT__FAIL;
    r.balance = balance;
    send_reply(c, GRPC_STATUS_OK, NULL, &r.base);
}

static int fits_int32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

static void reply_course(server_call *c, const char *interface, int success, int64_t balance)
{
    if (!fits_int32(balance)) {
        send_reply(c, GRPC_STATUS_OUT_OF_RANGE,
                   "the balance does not fit the course's int32 money field", NULL);
        return;
    }
    MsgResponse r = MSG_RESPONSE__INIT;
    r.interface = (char *)interface;
    r.result = success ? "success" : "fail";
    r.money = (int32_t)balance;
    send_reply(c, GRPC_STATUS_OK, NULL, &r.base);
}

static int64_t read_balance(bank_branch_server *s);

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Tells the trace, if there is one, how c was answered. */
static void trace_reply(server_call *c, const char *reply, int64_t balance)
{
    bank_branch_server *s = c->srv;
    if (!s->trace) return;
    bank_trace_record r = {c->t_recv_us, now_us(),
                           c->method < M_COUNT ? method_name[c->method] : "unknown", c->from_branch,
                           c->from_id, s->id, c->customer_id, c->event_id, c->money, balance, reply};
    s->trace(s->trace_ctx, &r);
}

/* One trace record per write of a batch, as if each had come alone (Propagate_Deposit or
 * Propagate_Withdraw): the batch is how they travel, not what they are. */
static void trace_batch(server_call *c, const bank_answer *batch)
{
    bank_branch_server *s = c->srv;
    if (!s->trace) return;
    int64_t now = now_us();
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
                               s->id,
                               a->customer_id,
                               a->event_id,
                               a->money,
                               a->kind == BANK_ANSWER_ERROR ? batch->balance : a->balance,
                               reply};
        s->trace(s->trace_ctx, &r);
    }
}

static void trace_error(server_call *c, const char *details)
{
    char reply[440];
    snprintf(reply, sizeof reply, "error: %s", details);
    trace_reply(c, reply, read_balance(c->srv));
}

static void reply_pending(server_call *c);

static void finish_write(server_call *c)
{
    if (atomic_load(&c->failed)) {
        char details[400];
        snprintf(details, sizeof details, "write applied at branch %lld but %s",
                 (long long)c->srv->id, c->failure);
        trace_error(c, details);
        send_reply(c, GRPC_STATUS_UNAVAILABLE, details, NULL);
        return;
    }
    if (atomic_load(&c->answer_pending)) {
        reply_pending(c);
        return;
    }
    trace_reply(c, "success", c->balance);
    if (c->form == REPLY_BANK) reply_customer(c, 1, c->balance);
    else reply_course(c, c->course_interface, 1, c->balance);
}

static void note_failure(server_call *c, const char *fmt_peer, long long peer_id, const char *why)
{
    if (atomic_exchange(&c->failed, 1) == 0)
        snprintf(c->failure, sizeof c->failure, fmt_peer, peer_id, why);
}

static void peer_done(server_call *c)
{
    if (atomic_fetch_sub(&c->peers_pending, 1) == 1) finish_write(c);
}

/* ---- propagations, queued per peer and sent in batches ----
 * Every write a peer is owed waits in that peer's queue. A peer has at most one call open, and
 * a branch at most CALL_WINDOW; a call takes everything queued for its peer (up to
 * BATCH_LIMIT writes). Idle, a write goes out at once alone; under load, the writes that queued
 * while the previous call was open share one call, so a branch makes far fewer calls than
 * writes x peers. A write is answered to its customer once every peer acknowledged it. */

/* 8, measured with bench against 32 (and 128 before batches): more open calls only queue
 * longer for the same two cores and hold more memory. 100 branches x 1,000 customers: peak
 * 186 MB against 260, live 1,006 ops/s against 651; 50 x 100: deposit p50 2.5 ms against 3.4;
 * 10 x 10: deposit p50 within 10%. The cost: one write alone at 100 branches reaches its 99
 * peers 8 calls at a time (p50 8.9 ms against 6.3). */
enum { CALL_WINDOW = 8, BATCH_LIMIT = 64 };

/* One propagation owed to one peer: a try of it. */
struct owed {
    server_call *c; /* NULL for a copy a fault sent: its answer is not counted */
    peer *to;
    bank_write write;
    int64_t customer_id, event_id;
    int attempt; /* 1, 2, ... */
    owed *next;
};

static owed *new_owed(server_call *c, peer *to, int attempt)
{
    owed *o = malloc(sizeof *o);
    if (o) *o = (owed){c, to, c->write, c->customer_id, c->event_id, attempt, NULL};
    return o;
}

/* The peer of o will never be told: its customer learns it when every peer is done. */
static void give_up(owed *o, const char *why)
{
    if (o->c) {
        note_failure(o->c, "branch %lld was not told: %s", (long long)o->to->id, why);
        peer_done(o->c);
    }
    free(o);
}

static void enqueue(owed *o);

static void retry_fire(void *arg, int cancelled)
{
    owed *o = arg;
    if (cancelled || atomic_load(&o->c->srv->stopping))
        give_up(o, "this branch stopped before it could try again");
    else
        enqueue(o);
}

/* A try that a peer did not acknowledge (it timed out, was unavailable, or was lost): tried
 * again after a backoff, up to the limit; then it is owed to the peer (P11), or, when it cannot
 * be, reported as not acknowledged. The
 * peer recognises a propagation it already applied by (origin, sequence), so a retry never
 * applies a write twice. Takes o. */
static int owe_later(owed *o);

static void attempt_failed(owed *o, const char *why)
{
    if (!o->c) { /* a copy: the original's fate is the one that counts */
        free(o);
        return;
    }
    bank_branch_server *s = o->c->srv;
    if (o->attempt < s->max_attempts && !atomic_load(&s->stopping)) {
        int shift = o->attempt - 1 < 6 ? o->attempt - 1 : 6;
        int backoff = s->backoff_ms << shift;
        o->attempt++;
        run_later(s, backoff < 2000 ? backoff : 2000, retry_fire, o);
        return;
    }
    if (owe_later(o)) return;
    char text[200];
    snprintf(text, sizeof text, "%s (after %d %s)", why, o->attempt, o->attempt == 1 ? "try" : "tries");
    note_failure(o->c, "branch %lld did not acknowledge it: %s", (long long)o->to->id, text);
    peer_done(o->c);
    free(o);
}

/* The peer answered o: acknowledged, or refused with a status. Takes o. */
static void owed_answered(owed *o, grpc_status_code status, const char *why)
{
    if (status == GRPC_STATUS_OK) {
        if (o->c) peer_done(o->c);
        free(o);
    } else if (status == GRPC_STATUS_UNAVAILABLE || status == GRPC_STATUS_DEADLINE_EXCEEDED) {
        attempt_failed(o, why);
    } else {
        if (o->c) {
            note_failure(o->c, "branch %lld did not acknowledge it: %s", (long long)o->to->id, why);
            peer_done(o->c);
        }
        free(o);
    }
}

static void lost_fire(void *arg, int cancelled)
{
    owed *o = arg;
    if (cancelled) give_up(o, "this branch stopped");
    else attempt_failed(o, "lost (an injected fault)");
}

static void delayed_send_fire(void *arg, int cancelled)
{
    owed *o = arg;
    if (cancelled) give_up(o, "this branch stopped");
    else enqueue(o);
}

/* Sends one try of o, through the injected faults when they are on: lost (the sender learns it
 * as a timeout would tell it, after at most 100 ms), sent late, or sent twice. Takes o. */
static void send_attempt(owed *o)
{
    bank_branch_server *s = o->c->srv;
    if (s->faults_on) {
        if (fault_hits(s, s->faults.drop_pct)) {
            int wait = s->propagate_deadline_ms < 100 ? s->propagate_deadline_ms : 100;
            run_later(s, wait, lost_fire, o);
            return;
        }
        if (fault_hits(s, s->faults.dup_pct)) {
            owed *copy = malloc(sizeof *copy);
            if (copy) {
                *copy = *o;
                copy->c = NULL;
                enqueue(copy);
            }
        }
        if (fault_hits(s, s->faults.delay_pct)) {
            run_later(s, fault_delay_ms(s, s->faults.delay_max_ms), delayed_send_fire, o);
            return;
        }
    }
    enqueue(o);
}

struct batch_call {
    struct tag tag;
    bank_branch_server *srv;
    peer *to;
    owed *items; /* in the order of the batch's writes */
    size_t n_items;
    grpc_call *call;
    grpc_metadata_array initial_md, trailing_md;
    grpc_byte_buffer *send, *recv;
    grpc_status_code status;
    grpc_slice details;
    batch_call *prev, *next; /* in the branch's list of open calls, cancelled on stop */
};

static void free_batch_call(batch_call *b)
{
    grpc_metadata_array_destroy(&b->initial_md);
    grpc_metadata_array_destroy(&b->trailing_md);
    if (b->send) grpc_byte_buffer_destroy(b->send);
    if (b->recv) grpc_byte_buffer_destroy(b->recv);
    grpc_slice_unref(b->details);
    if (b->call) grpc_call_unref(b->call);
    free(b);
}

static grpc_byte_buffer *pack_batch(const owed *items, size_t n)
{
    Bank__PropagateRequest *writes = calloc(n, sizeof *writes);
    Bank__PropagateRequest **ptrs = calloc(n, sizeof *ptrs);
    grpc_byte_buffer *bb = NULL;
    if (writes && ptrs) {
        size_t i = 0;
        for (const owed *o = items; o; o = o->next, i++) {
            bank__propagate_request__init(&writes[i]);
            writes[i].origin_branch = o->write.origin;
            writes[i].sequence = o->write.sequence;
            writes[i].money = o->write.money;
            writes[i].customer_id = o->customer_id;
            writes[i].event_id = o->event_id;
            writes[i].withdraw = o->write.kind == BANK_WRITE_WITHDRAW;
            ptrs[i] = &writes[i];
        }
        Bank__PropagateBatch batch = BANK__PROPAGATE_BATCH__INIT;
        batch.n_writes = n;
        batch.writes = ptrs;
        bb = bank_codec_pack(&batch.base);
    }
    free(writes);
    free(ptrs);
    return bb;
}

static void call_ended(bank_branch_server *s, peer *to);
static void on_batch_done(batch_call *b);

static void fail_items(owed *items, grpc_status_code status, const char *why)
{
    while (items) {
        owed *next = items->next;
        owed_answered(items, status, why);
        items = next;
    }
}

/* Starts the call carrying items (a list of n) to `to`, its place in the window taken. */
static void start_batch(bank_branch_server *s, peer *to, owed *items, size_t n)
{
    batch_call *b = calloc(1, sizeof *b);
    grpc_byte_buffer *bytes = b ? pack_batch(items, n) : NULL;
    if (!bytes) {
        free(b);
        call_ended(s, to);
        fail_items(items, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    tag_init(&b->tag, TAG_PEER_DONE, s);
    b->srv = s;
    b->to = to;
    b->items = items;
    b->n_items = n;
    b->send = bytes;
    b->details = grpc_empty_slice();
    grpc_metadata_array_init(&b->initial_md);
    grpc_metadata_array_init(&b->trailing_md);
    gpr_timespec deadline = gpr_time_add(
        gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(s->propagate_deadline_ms, GPR_TIMESPAN));
    b->call = grpc_channel_create_registered_call(to->channel, NULL, GRPC_PROPAGATE_DEFAULTS, s->cq,
                                                  to->batch_handle, deadline, NULL);
    grpc_op ops[6];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[0].flags = GRPC_INITIAL_METADATA_WAIT_FOR_READY;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = b->send;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &b->initial_md;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &b->recv;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &b->trailing_md;
    ops[5].data.recv_status_on_client.status = &b->status;
    ops[5].data.recv_status_on_client.status_details = &b->details;

    pthread_mutex_lock(&s->queue_lock);
    b->next = s->open_calls;
    if (s->open_calls) s->open_calls->prev = b;
    s->open_calls = b;
    pthread_mutex_unlock(&s->queue_lock);
    track(s);
    if (grpc_call_start_batch(b->call, ops, 6, &b->tag, NULL) != GRPC_CALL_OK) {
        b->status = GRPC_STATUS_INTERNAL;
        b->details = grpc_slice_from_static_string("cannot start the call");
        on_batch_done(b); /* as if it had ended so */
    }
}

/* Under queue_lock: takes the next peers' queued writes while the window has room. Returns the
 * calls to start, as peers whose `starting` list is set. */
static peer *take_ready(bank_branch_server *s)
{
    peer *start = NULL, **tail = &start;
    while (s->calls_open < CALL_WINDOW && s->ready) {
        peer *p = s->ready;
        s->ready = p->ready_next;
        if (!s->ready) s->ready_tail = NULL;
        p->in_ready = 0;
        p->call_open = 1;
        s->calls_open++;
        owed *items = p->queued, **cut = &p->queued;
        size_t n = 0;
        while (*cut && n < BATCH_LIMIT) {
            cut = &(*cut)->next;
            n++;
        }
        p->queued = *cut;
        if (!p->queued) p->queued_tail = NULL;
        *cut = NULL;
        p->starting = items;
        p->n_starting = n;
        p->start_next = NULL;
        *tail = p;
        tail = &p->start_next;
    }
    return start;
}

static void mark_ready(bank_branch_server *s, peer *p)
{
    if (p->in_ready || p->call_open || !p->queued) return;
    p->in_ready = 1;
    p->ready_next = NULL;
    if (s->ready_tail) s->ready_tail->ready_next = p;
    else s->ready = p;
    s->ready_tail = p;
}

static void start_taken(bank_branch_server *s, peer *start)
{
    while (start) {
        peer *next = start->start_next;
        start_batch(s, start, start->starting, start->n_starting);
        start = next;
    }
}

static void enqueue(owed *o)
{
    peer *p = o->to;
    bank_branch_server *s = p->srv;
    pthread_mutex_lock(&s->queue_lock);
    o->next = NULL;
    if (p->queued_tail) p->queued_tail->next = o;
    else p->queued = o;
    p->queued_tail = o;
    mark_ready(s, p);
    peer *start = take_ready(s);
    pthread_mutex_unlock(&s->queue_lock);
    start_taken(s, start);
}

/* A call to `to` ended (or never started): the peer may send again, the window has a place. */
static void call_ended(bank_branch_server *s, peer *to)
{
    pthread_mutex_lock(&s->queue_lock);
    s->calls_open--;
    to->call_open = 0;
    mark_ready(s, to);
    peer *start = atomic_load(&s->stopping) ? NULL : take_ready(s);
    pthread_mutex_unlock(&s->queue_lock);
    start_taken(s, start);
}

static void on_batch_done(batch_call *b)
{
    bank_branch_server *s = b->srv;
    pthread_mutex_lock(&s->queue_lock);
    if (b->prev) b->prev->next = b->next;
    else if (s->open_calls == b) s->open_calls = b->next;
    if (b->next) b->next->prev = b->prev;
    pthread_mutex_unlock(&s->queue_lock);
    call_ended(s, b->to);
    owed *items = b->items;
    b->items = NULL;
    if (b->status != GRPC_STATUS_OK) {
        char *why = grpc_slice_to_c_string(b->details);
        fail_items(items, b->status, why);
        gpr_free(why);
        free_batch_call(b);
        return;
    }
    Bank__PropagateBatchReply *reply = (Bank__PropagateBatchReply *)bank_codec_unpack(
        &bank__propagate_batch_reply__descriptor, b->recv);
    if (!reply || reply->n_replies != b->n_items) {
        fail_items(items, GRPC_STATUS_INTERNAL, "malformed PropagateBatchReply");
    } else {
        for (size_t i = 0; items; i++) {
            owed *next = items->next;
            const Bank__PropagateReply *r = reply->replies[i];
            owed_answered(items, (grpc_status_code)r->error_status, r->error);
            items = next;
        }
    }
    if (reply) protobuf_c_message_free_unpacked(&reply->base, NULL);
    free_batch_call(b);
}

/* Stopping: what still waits in the queues is given up; open calls are cancelled. */
static void abandon_queued(bank_branch_server *s)
{
    for (size_t i = 0; i < s->n_peers; i++) {
        peer *p = &s->peers[i];
        pthread_mutex_lock(&s->queue_lock);
        owed *items = p->queued;
        p->queued = p->queued_tail = NULL;
        pthread_mutex_unlock(&s->queue_lock);
        while (items) {
            owed *next = items->next;
            give_up(items, "this branch stopped");
            items = next;
        }
    }
}

/* Sends c's committed write to every peer at once; c is answered when the last one is done. */
static void fan_out(server_call *c)
{
    bank_branch_server *s = c->srv;
    if (s->n_peers == 0) {
        finish_write(c);
        return;
    }
    atomic_store(&c->peers_pending, s->n_peers);
    for (size_t i = 0; i < s->n_peers; i++) {
        owed *o = new_owed(c, &s->peers[i], 1);
        if (o) {
            send_attempt(o);
        } else {
            note_failure(c, "branch %lld was not told: %s", (long long)s->peers[i].id, "out of memory");
            peer_done(c);
        }
    }
}

static int64_t read_balance(bank_branch_server *s)
{
    pthread_mutex_lock(&s->lock);
    int64_t b = s->replica.balance;
    pthread_mutex_unlock(&s->lock);
    return b;
}

/* Every method but the echo: branch_logic.c decides, under the lock; this only carries it out. */
static int refuse_while_recovering(server_call *c);

/* The request's bytes (1), or 0 once it has been answered: refused while the branch recovers,
 * or unreadable. */
static int take_payload(server_call *c, grpc_slice *bytes)
{
    if (refuse_while_recovering(c)) return 0;
    if (bank_codec_flatten(c->payload, bytes) == 0) return 1;
    trace_error(c, "unreadable message");
    send_reply(c, GRPC_STATUS_INVALID_ARGUMENT, "unreadable message", NULL);
    return 0;
}

static void handle_request(server_call *c)
{
    bank_branch_server *s = c->srv;
    grpc_slice bytes;
    if (!take_payload(c, &bytes)) return;
    bank_answer a;
    pthread_mutex_lock(&s->lock);
    bank_branch_decide(&s->replica, atomic_load(&s->peers_ready), request_kind[c->method],
                       GRPC_SLICE_START_PTR(bytes), GRPC_SLICE_LENGTH(bytes), &a);
    pthread_mutex_unlock(&s->lock);
    grpc_slice_unref(bytes);
    c->customer_id = a.customer_id;
    c->event_id = a.event_id;
    c->money = a.money;
    c->from_branch = a.from_branch;
    c->from_id = a.from_id;
    if (a.kind == BANK_ANSWER_ERROR) trace_error(c, a.details);
    else if (a.kind == BANK_ANSWER_PROPAGATE) trace_reply(c, a.applied ? "applied" : "duplicate", a.balance);
    else if (a.kind == BANK_ANSWER_BATCH) trace_batch(c, &a);
    else if (a.kind != BANK_ANSWER_FAN_OUT) trace_reply(c, a.success ? "success" : "fail", a.balance);
    switch (a.kind) {
    case BANK_ANSWER_ERROR:
        send_reply(c, (grpc_status_code)a.status, a.details, NULL);
        break;
    case BANK_ANSWER_CUSTOMER:
        reply_customer(c, a.success, a.balance);
        break;
    case BANK_ANSWER_PROPAGATE: {
        Bank__PropagateReply r = BANK__PROPAGATE_REPLY__INIT;
        r.applied = a.applied;
        r.balance = a.balance;
        send_reply(c, GRPC_STATUS_OK, NULL, &r.base);
        break;
    }
    case BANK_ANSWER_COURSE:
        reply_course(c, a.interface, a.success, a.balance);
        break;
    case BANK_ANSWER_BATCH: {
        grpc_slice bytes = grpc_slice_from_copied_buffer((const char *)a.reply, a.reply_len);
        c->reply = grpc_raw_byte_buffer_create(&bytes, 1);
        grpc_slice_unref(bytes);
        bank_answer_release(&a);
        send_reply(c, GRPC_STATUS_OK, NULL, NULL);
        break;
    }
    case BANK_ANSWER_FAN_OUT:
        c->write = a.write;
        c->balance = a.balance;
        c->form = a.course_form ? REPLY_COURSE : REPLY_BANK;
        c->course_interface = a.interface;
        fan_out(c);
        break;
    }
}

static void handle_echo(server_call *c)
{
    tag_init(&c->tag, TAG_REPLIED, c->srv);
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
    track(c->srv);
    bank_branch_server *s = c->srv;
    if (!c->reply || grpc_call_start_batch(c->call, ops, 4, &c->tag, NULL) != GRPC_CALL_OK) {
        free_server_call(c);
        untrack(s);
    }
}

static void handle_unknown(server_call *c)
{
    char *path = grpc_slice_to_c_string(c->details.method);
    char details[300];
    snprintf(details, sizeof details, "no method %.200s here (bank.Branch and the course's Branch "
                                      "are served)", path);
    gpr_free(path);
    trace_error(c, details);
    send_reply(c, GRPC_STATUS_UNIMPLEMENTED, details, NULL);
}

static void handle_snapshot(server_call *c);

static void on_incoming(server_call *c, int ok)
{
    bank_branch_server *s = c->srv;
    if (!ok) { /* a posted request given back at shutdown */
        free_server_call(c);
        return;
    }
    c->t_recv_us = s->trace ? now_us() : 0;
    if (!atomic_load(&s->stopping)) post_request(s, c->method);
    if (c->method == M_ECHO) handle_echo(c);
    else if (c->method < M_ECHO) handle_request(c);
    else if (c->method == M_SNAPSHOT) handle_snapshot(c);
    else if (c->method == M_UNKNOWN) handle_unknown(c);
    else free_server_call(c);
}

static void on_event(bank_engine_tag *base, int ok)
{
    struct tag *t = (struct tag *)base;
    bank_branch_server *s = t->srv;
    switch (t->kind) {
    case TAG_INCOMING: on_incoming((server_call *)t, ok); break;
    case TAG_REPLIED: free_server_call((server_call *)t); break;
    case TAG_PEER_DONE: on_batch_done((batch_call *)t); break;
    case TAG_SHUTDOWN:
        pthread_mutex_lock(&s->drain_lock);
        s->shutdown_seen = 1;
        pthread_mutex_unlock(&s->drain_lock);
        break;
    }
    untrack(s);
}

/* Shuts the server down (it may be running or not) and waits until the engine has handled
 * every tag of this branch: after that nothing refers to it. */
static void shut_down_and_drain(bank_branch_server *s)
{
    tag_init(&s->shutdown_tag, TAG_SHUTDOWN, s);
    track(s);
    grpc_server_shutdown_and_notify(s->server, s->cq, &s->shutdown_tag);
    grpc_server_cancel_all_calls(s->server);
    pthread_mutex_lock(&s->queue_lock);
    for (batch_call *b = s->open_calls; b; b = b->next) grpc_call_cancel(b->call, NULL);
    pthread_mutex_unlock(&s->queue_lock);
    pthread_mutex_lock(&s->drain_lock);
    while (s->outstanding > 0 || !s->shutdown_seen) pthread_cond_wait(&s->drained, &s->drain_lock);
    pthread_mutex_unlock(&s->drain_lock);
    grpc_server_destroy(s->server);
}

static void free_branch(bank_branch_server *s)
{
    if (s->own_engine) bank_engine_stop(s->engine);
    free(s->peers);
    bank_replica_free(&s->replica);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->queue_lock);
    pthread_mutex_destroy(&s->timer_lock);
    pthread_cond_destroy(&s->timer_cond);
    pthread_mutex_destroy(&s->drain_lock);
    pthread_cond_destroy(&s->drained);
    free(s);
    grpc_shutdown();
}

bank_branch_server *bank_branch_server_start(const bank_branch_config *cfg, char *err,
                                             size_t errlen)
{
    bank_branch_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "branch %lld: out of memory", (long long)cfg->id);
        return NULL;
    }
    grpc_init();
    s->id = cfg->id;
    s->initial_balance = cfg->balance;
    atomic_store(&s->recovering, cfg->recover != 0);
    s->propagate_deadline_ms = cfg->propagate_deadline_ms > 0 ? cfg->propagate_deadline_ms : 10000;
    s->serve_echo = cfg->serve_echo;
    s->trace = cfg->trace;
    s->trace_ctx = cfg->trace_ctx;
    s->max_attempts = cfg->propagate_attempts > 0 ? cfg->propagate_attempts : 5;
    s->backoff_ms = cfg->retry_backoff_ms > 0 ? cfg->retry_backoff_ms : 50;
    if (cfg->faults && bank_faults_any(cfg->faults)) {
        s->faults = *cfg->faults;
        s->faults_on = 1;
        /* one seed for the run; each branch its own stream of it */
        s->fault_rng = cfg->faults->seed ^ ((uint64_t)cfg->id * 0x9e3779b97f4a7c15ull);
    }
    pthread_mutex_init(&s->timer_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->timer_cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->queue_lock, NULL);
    pthread_mutex_init(&s->drain_lock, NULL);
    pthread_cond_init(&s->drained, NULL);
    bank_replica_init(&s->replica, cfg->id, cfg->balance);
    s->engine = cfg->engine;
    if (!s->engine) {
        char why[128];
        s->engine = bank_engine_start(cfg->threads, why, sizeof why);
        if (!s->engine) {
            snprintf(err, errlen, "branch %lld: %s", (long long)cfg->id, why);
            free_branch(s);
            return NULL;
        }
        s->own_engine = 1;
    }
    s->cq = bank_engine_cq(s->engine);

    /* SO_REUSEPORT would let a second server share a busy port silently. */
    grpc_arg arg = {GRPC_ARG_INTEGER, GRPC_ARG_ALLOW_REUSEPORT, {.integer = 0}};
    grpc_channel_args args = {1, &arg};
    s->server = grpc_server_create(&args, NULL);
    grpc_server_register_completion_queue(s->server, s->cq, NULL);
    for (int m = 0; m < M_COUNT; m++)
        if (m != M_ECHO || s->serve_echo)
            s->method_handle[m] = grpc_server_register_method(
                s->server, method_path[m], NULL,
                GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
    grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
    s->port = grpc_server_add_http2_port(s->server, cfg->listen, creds);
    grpc_server_credentials_release(creds);
    if (s->port == 0) {
        snprintf(err, errlen, "branch %lld: cannot listen on %s (address in use or not valid)",
                 (long long)cfg->id, cfg->listen);
        shut_down_and_drain(s);
        free_branch(s);
        return NULL;
    }
    grpc_server_start(s->server);
    for (int m = 0; m < M_COUNT; m++)
        if (s->method_handle[m])
            for (int i = 0; i < REQUESTS_POSTED_PER_METHOD; i++) post_request(s, (enum method)m);
    post_request(s, M_UNKNOWN);
    s->timer_started = pthread_create(&s->timer_thread, NULL, timer_main, s) == 0;
    if (!s->timer_started) s->timer_stopped = 1; /* run_later then runs work at once, cancelled */
    return s;
}

int bank_branch_server_port(const bank_branch_server *s) { return s->port; }

static const char *const batch_path[1] = {BANK_PATH_PROPAGATE_BATCH};

static int start_outbox(bank_branch_server *s, const bank_peer *peers, size_t n, char *err,
                        size_t errlen);

int bank_branch_server_set_peers(bank_branch_server *s, const bank_peer *peers, size_t n,
                                 char *err, size_t errlen)
{
    if (atomic_load(&s->peers_ready)) {
        snprintf(err, errlen, "branch %lld: peers already set", (long long)s->id);
        return -1;
    }
    s->peers = calloc(n ? n : 1, sizeof *s->peers);
    if (!s->peers) {
        snprintf(err, errlen, "branch %lld: out of memory", (long long)s->id);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (peers[i].id == s->id) continue;
        peer *p = &s->peers[s->n_peers];
        p->id = peers[i].id;
        p->srv = s;
        p->channel = bank_engine_channel(s->engine, peers[i].target, batch_path, 1,
                                         &p->batch_handle);
        if (!p->channel) {
            snprintf(err, errlen, "branch %lld: out of memory", (long long)s->id);
            free(s->peers);
            s->peers = NULL;
            s->n_peers = 0;
            return -1;
        }
        s->n_peers++;
    }
    if (start_outbox(s, peers, n, err, errlen) != 0) return -1;
    atomic_store(&s->peers_ready, 1);
    return 0;
}

int64_t bank_branch_server_balance(bank_branch_server *s) { return read_balance(s); }

void bank_branch_server_stop(bank_branch_server *s)
{
    if (!s) return;
    atomic_store(&s->stopping, 1);
    /* first the retries and delays still due: they answer their customers while the server can */
    stop_timer(s);
    abandon_queued(s); /* their customers are told now */
    shut_down_and_drain(s);
    /* only now: no thread is left that could owe it something. What is still owed is dropped. */
    bank_outbox_stop(s->outbox);
    free_branch(s);
}

/* ---- owed propagations, snapshots and recovery (outbox.c, snapshot.c, recovery.c) ---- */

static int start_outbox(bank_branch_server *s, const bank_peer *peers, size_t n, char *err,
                        size_t errlen)
{
    char why[200];
    s->outbox = bank_outbox_start(s->id, peers, n, s->propagate_deadline_ms, s->backoff_ms, why,
                                  sizeof why);
    if (!s->outbox) snprintf(err, errlen, "branch %lld: %s", (long long)s->id, why);
    return s->outbox ? 0 : -1;
}

/* The last try of c's propagation to `to` failed: the write stays owed to that peer, and c's
 * customer will be answered PENDING. 0 when it cannot be owed (the branch is stopping, or out
 * of memory): then the write is reported as not acknowledged, as before. */
static int owe_later(owed *o)
{
    server_call *c = o->c;
    bank_branch_server *s = c->srv;
    if (!s->outbox || atomic_load(&s->stopping)) return 0;
    bank_logged_write w = {o->write.kind, o->write.origin, o->write.sequence, o->write.money,
                           o->customer_id, o->event_id};
    if (bank_outbox_owe(s->outbox, o->to->id, &w) != 0) return 0;
    atomic_store(&c->answer_pending, 1);
    peer_done(c);
    free(o);
    return 1;
}

/* A write applied here and at every peer that acknowledged it, still owed to the others. The
 * course's MsgResponse has no such value: its result is the string "pending". */
static void reply_pending(server_call *c)
{
    trace_reply(c, "pending", c->balance);
    if (c->form == REPLY_COURSE) {
        if (!fits_int32(c->balance)) {
            send_reply(c, GRPC_STATUS_OUT_OF_RANGE,
                       "the balance does not fit the course's int32 money field", NULL);
            return;
        }
        MsgResponse r = MSG_RESPONSE__INIT;
        r.interface = (char *)c->course_interface;
        r.result = "pending";
        r.money = (int32_t)c->balance;
        send_reply(c, GRPC_STATUS_OK, NULL, &r.base);
        return;
    }
    Bank__CustomerReply r = BANK__CUSTOMER_REPLY__INIT;
    r.result = BANK__RESULT__PENDING;
    r.balance = c->balance;
    send_reply(c, GRPC_STATUS_OK, NULL, &r.base);
}

#define RECOVERING_DETAILS "recovering"

/* A branch that has not caught up after a crash answers nothing from its stale replica. */
static int refuse_while_recovering(server_call *c)
{
    if (!atomic_load(&c->srv->recovering)) return 0;
    c->from_branch = c->method == M_PROPAGATE_DEPOSIT || c->method == M_PROPAGATE_WITHDRAW ||
                     c->method == M_PROPAGATE_BATCH ||
                     c->method == M_SNAPSHOT; /* for the trace: the request is not read */
    trace_error(c, RECOVERING_DETAILS);
    send_reply(c, GRPC_STATUS_UNAVAILABLE, RECOVERING_DETAILS, NULL);
    return 1;
}

static void handle_snapshot(server_call *c)
{
    bank_branch_server *s = c->srv;
    grpc_slice bytes;
    if (!take_payload(c, &bytes)) return;
    uint8_t *packed;
    size_t len;
    const char *details = NULL;
    pthread_mutex_lock(&s->lock); /* the page and the balance at one instant */
    int st = bank_snapshot_answer(&s->replica, GRPC_SLICE_START_PTR(bytes), GRPC_SLICE_LENGTH(bytes),
                                  &packed, &len, &details);
    int64_t balance = s->replica.balance;
    pthread_mutex_unlock(&s->lock);
    grpc_slice_unref(bytes);
    if (st != GRPC_STATUS_OK) {
        trace_error(c, details);
        send_reply(c, (grpc_status_code)st, details, NULL);
        return;
    }
    grpc_slice out = grpc_slice_from_copied_buffer((const char *)packed, len);
    free(packed);
    c->reply = grpc_raw_byte_buffer_create(&out, 1);
    grpc_slice_unref(out);
    trace_reply(c, "success", balance);
    send_reply(c, GRPC_STATUS_OK, NULL, NULL);
}

int bank_branch_server_recover(bank_branch_server *s, const bank_peer *peers, size_t n,
                               int deadline_ms, size_t *owed, char *err, size_t errlen)
{
    *owed = 0;
    if (!atomic_load(&s->recovering) || !s->outbox) {
        snprintf(err, errlen, "branch %lld: not started to recover, or peers not set", (long long)s->id);
        return -1;
    }
    bank_write_log *logs = calloc(n ? n : 1, sizeof *logs);
    if (!logs) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = bank_recovery_collect(s->id, peers, n, deadline_ms, logs, err, errlen);
    if (rc == 0) {
        pthread_mutex_lock(&s->lock);
        rc = bank_recovery_install(&s->replica, s->initial_balance, peers, n, logs, s->outbox, owed,
                                   err, errlen);
        pthread_mutex_unlock(&s->lock);
    }
    for (size_t i = 0; i < n; i++) bank_write_log_free(&logs[i]);
    free(logs);
    if (rc == 0) atomic_store(&s->recovering, 0);
    return rc;
}

size_t bank_branch_server_owed(bank_branch_server *s)
{
    return s->outbox ? bank_outbox_owed(s->outbox) : 0;
}
