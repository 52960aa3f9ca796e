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
    BANK_PATH_MSG_PROPAGATION,   BANK_PATH_ECHO,    BANK_PATH_SNAPSHOT,
};

/* The method names a trace uses. */
static const char *const method_name[M_COUNT] = {
    "Query", "Deposit", "Withdraw", "Propagate_Deposit", "Propagate_Withdraw", "MsgDelivery",
    "MsgPropagation", "Echo", "Snapshot",
};

/* The method each path asks for, as branch_logic.h names it (the echo has none). */
static const bank_request_kind request_kind[M_ECHO] = {
    BANK_REQ_QUERY,    BANK_REQ_DEPOSIT,       BANK_REQ_WITHDRAW,       BANK_REQ_PROPAGATE_DEPOSIT,
    BANK_REQ_PROPAGATE_WITHDRAW, BANK_REQ_MSG_DELIVERY, BANK_REQ_MSG_PROPAGATION,
};

enum { REQUESTS_POSTED_PER_METHOD = 4 };

enum tag_kind { TAG_INCOMING, TAG_REPLIED, TAG_PEER_DONE, TAG_SHUTDOWN };
struct tag {
    enum tag_kind kind;
};

typedef struct {
    int64_t id;
    grpc_channel *channel;
    void *propagate_handle[2]; /* [BANK_WRITE_DEPOSIT], [BANK_WRITE_WITHDRAW] */
} peer;

typedef struct peer_call peer_call;

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
    grpc_completion_queue *cq;
    void *method_handle[M_COUNT];

    pthread_mutex_t lock; /* guards replica, in_flight, calls_open and the call queue */
    bank_replica replica;
    peer_call *in_flight; /* propagations under way, cancelled on stop */
    size_t calls_open;    /* propagation calls started and not yet ended (CALL_WINDOW at most) */
    struct queued_call *queue_head, *queue_tail; /* calls waiting for a free place */

    peer *peers;
    size_t n_peers;
    atomic_int peers_ready;

    atomic_int stopping;
    atomic_long outstanding; /* tags whose event has not been handled yet */
    atomic_int shutdown_seen;
    atomic_int cq_shut;
    struct tag shutdown_tag;

    pthread_t *threads;
    int n_threads;

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
    atomic_int owed; /* some peer did not acknowledge within the tries: it is owed the write */
    char failure[256];
} server_call;

struct peer_call {
    struct tag tag;
    bank_branch_server *srv;
    server_call *origin; /* for a duplicate, possibly answered and freed already: not used */
    const peer *to;
    int attempt;   /* 1, 2, ... */
    int duplicate; /* an injected copy: its answer is not counted */
    grpc_call *call;
    grpc_metadata_array initial_md, trailing_md;
    grpc_byte_buffer *send, *recv;
    grpc_byte_buffer *wire; /* the copy gRPC sends: it may empty it, and send is kept for a retry */
    grpc_status_code status;
    grpc_slice details;
    peer_call *prev, *next;
};

static void track(bank_branch_server *s) { atomic_fetch_add(&s->outstanding, 1); }

/* The completion queue may shut down once the server has shut down and every tag is handled. */
static void untrack(bank_branch_server *s)
{
    if (atomic_fetch_sub(&s->outstanding, 1) == 1 && atomic_load(&s->shutdown_seen) &&
        atomic_exchange(&s->cq_shut, 1) == 0)
        grpc_completion_queue_shutdown(s->cq);
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
    c->tag.kind = TAG_INCOMING;
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
    c->tag.kind = TAG_REPLIED;
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
    if (atomic_load(&c->owed)) {
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

static void unlink_in_flight(bank_branch_server *s, peer_call *p)
{
    pthread_mutex_lock(&s->lock);
    if (p->prev) p->prev->next = p->next;
    else s->in_flight = p->next;
    if (p->next) p->next->prev = p->prev;
    pthread_mutex_unlock(&s->lock);
}

static void free_peer_call(peer_call *p)
{
    grpc_metadata_array_destroy(&p->initial_md);
    grpc_metadata_array_destroy(&p->trailing_md);
    if (p->send) grpc_byte_buffer_destroy(p->send);
    if (p->wire) grpc_byte_buffer_destroy(p->wire);
    if (p->recv) grpc_byte_buffer_destroy(p->recv);
    grpc_slice_unref(p->details);
    if (p->call) grpc_call_unref(p->call);
    free(p);
}

static void peer_done(server_call *c)
{
    if (atomic_fetch_sub(&c->peers_pending, 1) == 1) finish_write(c);
}

/* One try of a propagation that is still owed to a peer. */
typedef struct {
    server_call *c;
    const peer *to;
    grpc_byte_buffer *request;
    int attempt;
} attempt_work;

static void send_attempt(server_call *c, const peer *to, const grpc_byte_buffer *request, int attempt);
static void start_call(server_call *c, const peer *to, const grpc_byte_buffer *request, int attempt,
                       int duplicate);

static attempt_work *new_attempt(server_call *c, const peer *to, const grpc_byte_buffer *request,
                                 int attempt)
{
    attempt_work *a = malloc(sizeof *a);
    if (!a) return NULL;
    *a = (attempt_work){c, to, grpc_byte_buffer_copy((grpc_byte_buffer *)request), attempt};
    return a;
}

static void free_attempt(attempt_work *a)
{
    grpc_byte_buffer_destroy(a->request);
    free(a);
}

/* The peer of a will never be told: its customer learns it when every peer is done. */
static void give_up(attempt_work *a, const char *why)
{
    note_failure(a->c, "branch %lld was not told: %s", (long long)a->to->id, why);
    peer_done(a->c);
}

static void retry_fire(void *arg, int cancelled)
{
    attempt_work *a = arg;
    if (cancelled || atomic_load(&a->c->srv->stopping)) {
        give_up(a, "this branch stopped before it could try again");
    } else {
        send_attempt(a->c, a->to, a->request, a->attempt);
    }
    free_attempt(a);
}

/* A try that a peer did not acknowledge (it timed out, was unavailable, or was lost): try again
 * after a backoff, up to the limit; then the write is reported as not acknowledged. The peer
 * recognises a propagation it already applied by (origin, sequence), so a retry never applies a
 * write twice. */
static int owe_later(server_call *c, const peer *to, const grpc_byte_buffer *request);

static void attempt_failed(server_call *c, const peer *to, const grpc_byte_buffer *request,
                           int attempt, const char *why)
{
    bank_branch_server *s = c->srv;
    if (attempt < s->max_attempts && !atomic_load(&s->stopping)) {
        attempt_work *a = new_attempt(c, to, request, attempt + 1);
        if (a) {
            int shift = attempt - 1 < 6 ? attempt - 1 : 6;
            int backoff = s->backoff_ms << shift;
            run_later(s, backoff < 2000 ? backoff : 2000, retry_fire, a);
            return;
        }
    }
    if (owe_later(c, to, request)) return;
    char text[200];
    snprintf(text, sizeof text, "%s (after %d %s)", why, attempt, attempt == 1 ? "try" : "tries");
    note_failure(c, "branch %lld did not acknowledge it: %s", (long long)to->id, text);
    peer_done(c);
}

static void lost_fire(void *arg, int cancelled)
{
    attempt_work *a = arg;
    if (cancelled) give_up(a, "this branch stopped");
    else attempt_failed(a->c, a->to, a->request, a->attempt, "lost (an injected fault)");
    free_attempt(a);
}

static void delayed_send_fire(void *arg, int cancelled)
{
    attempt_work *a = arg;
    if (cancelled) give_up(a, "this branch stopped");
    else start_call(a->c, a->to, a->request, a->attempt, 0);
    free_attempt(a);
}

/* Sends one try, through the injected faults when they are on: lost (the sender learns it as a
 * timeout would tell it, after at most 100 ms), sent late, or sent twice. */
static void send_attempt(server_call *c, const peer *to, const grpc_byte_buffer *request, int attempt)
{
    bank_branch_server *s = c->srv;
    if (s->faults_on) {
        if (fault_hits(s, s->faults.drop_pct)) {
            attempt_work *a = new_attempt(c, to, request, attempt);
            if (a) {
                int wait = s->propagate_deadline_ms < 100 ? s->propagate_deadline_ms : 100;
                run_later(s, wait, lost_fire, a);
                return;
            }
        }
        if (fault_hits(s, s->faults.dup_pct)) start_call(c, to, request, attempt, 1);
        if (fault_hits(s, s->faults.delay_pct)) {
            attempt_work *a = new_attempt(c, to, request, attempt);
            if (a) {
                run_later(s, fault_delay_ms(s, s->faults.delay_max_ms), delayed_send_fire, a);
                return;
            }
        }
    }
    start_call(c, to, request, attempt, 0);
}

static void call_closed(bank_branch_server *s);

static void start_call_now(server_call *c, const peer *to, const grpc_byte_buffer *request,
                           int attempt, int duplicate)
{
    bank_branch_server *s = c->srv;
    peer_call *p = calloc(1, sizeof *p);
    if (!p) {
        call_closed(s);
        if (duplicate) return;
        note_failure(c, "branch %lld was not told: %s", (long long)to->id, "out of memory");
        peer_done(c);
        return;
    }
    p->tag.kind = TAG_PEER_DONE;
    p->srv = s;
    p->origin = c;
    p->to = to;
    p->attempt = attempt;
    p->duplicate = duplicate;
    p->details = grpc_empty_slice();
    grpc_metadata_array_init(&p->initial_md);
    grpc_metadata_array_init(&p->trailing_md);
    p->send = grpc_byte_buffer_copy((grpc_byte_buffer *)request);
    p->wire = grpc_byte_buffer_copy((grpc_byte_buffer *)request);
    gpr_timespec deadline = gpr_time_add(
        gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(s->propagate_deadline_ms, GPR_TIMESPAN));
    p->call = grpc_channel_create_registered_call(to->channel, NULL, GRPC_PROPAGATE_DEFAULTS, s->cq,
                                                  to->propagate_handle[c->write.kind], deadline, NULL);
    grpc_op ops[6];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[0].flags = GRPC_INITIAL_METADATA_WAIT_FOR_READY;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = p->wire;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &p->initial_md;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &p->recv;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &p->trailing_md;
    ops[5].data.recv_status_on_client.status = &p->status;
    ops[5].data.recv_status_on_client.status_details = &p->details;

    pthread_mutex_lock(&s->lock);
    p->next = s->in_flight;
    if (s->in_flight) s->in_flight->prev = p;
    s->in_flight = p;
    pthread_mutex_unlock(&s->lock);
    track(s);
    if (grpc_call_start_batch(p->call, ops, 6, &p->tag, NULL) != GRPC_CALL_OK) {
        unlink_in_flight(s, p);
        free_peer_call(p);
        untrack(s);
        call_closed(s);
        if (duplicate) return;
        note_failure(c, "branch %lld was not told: %s", (long long)to->id, "cannot start the call");
        peer_done(c);
    }
}

/* At most CALL_WINDOW propagation calls of one branch are open at once; the others wait in a
 * queue as their bytes (a few dozen each) rather than as gRPC calls (kilobytes each): 100
 * branches with 1,000 customers writing at once opened 99,000 calls and took gigabytes. */
enum { CALL_WINDOW = 128 };

typedef struct queued_call {
    attempt_work work;
    int duplicate;
    struct queued_call *next;
} queued_call;

static void fail_queued(queued_call *q, const char *why)
{
    if (!q->duplicate) give_up(&q->work, why);
    grpc_byte_buffer_destroy(q->work.request);
    free(q);
}

static void start_call(server_call *c, const peer *to, const grpc_byte_buffer *request, int attempt,
                       int duplicate)
{
    bank_branch_server *s = c->srv;
    pthread_mutex_lock(&s->lock);
    if (s->calls_open < CALL_WINDOW) {
        s->calls_open++;
        pthread_mutex_unlock(&s->lock);
        start_call_now(c, to, request, attempt, duplicate);
        return;
    }
    queued_call *q = malloc(sizeof *q);
    if (q) {
        *q = (queued_call){{c, to, grpc_byte_buffer_copy((grpc_byte_buffer *)request), attempt},
                           duplicate, NULL};
        if (s->queue_tail) s->queue_tail->next = q;
        else s->queue_head = q;
        s->queue_tail = q;
    }
    pthread_mutex_unlock(&s->lock);
    if (!q && !duplicate) {
        note_failure(c, "branch %lld was not told: %s", (long long)to->id, "out of memory");
        peer_done(c);
    }
}

static queued_call *pop_queued(bank_branch_server *s)
{
    queued_call *q = s->queue_head;
    if (q) {
        s->queue_head = q->next;
        if (!s->queue_head) s->queue_tail = NULL;
    }
    return q;
}

/* A call of this branch ended (or never started): its place goes to the next one waiting. */
static void call_closed(bank_branch_server *s)
{
    pthread_mutex_lock(&s->lock);
    queued_call *q = pop_queued(s);
    if (!q) s->calls_open--;
    pthread_mutex_unlock(&s->lock);
    if (!q) return;
    if (atomic_load(&s->stopping)) {
        pthread_mutex_lock(&s->lock);
        s->calls_open--;
        pthread_mutex_unlock(&s->lock);
        fail_queued(q, "this branch stopped");
        return;
    }
    start_call_now(q->work.c, q->work.to, q->work.request, q->work.attempt, q->duplicate);
    grpc_byte_buffer_destroy(q->work.request);
    free(q);
}

static int worth_retrying(grpc_status_code st)
{
    return st == GRPC_STATUS_UNAVAILABLE || st == GRPC_STATUS_DEADLINE_EXCEEDED;
}

static void on_peer_done(peer_call *p)
{
    unlink_in_flight(p->srv, p);
    call_closed(p->srv);
    if (p->duplicate) { /* the copy a fault sent: the original's answer is the one that counts */
        free_peer_call(p);
        return;
    }
    server_call *c = p->origin;
    if (p->status != GRPC_STATUS_OK && worth_retrying(p->status)) {
        char *why = grpc_slice_to_c_string(p->details);
        attempt_failed(c, p->to, p->send, p->attempt, why);
        gpr_free(why);
        free_peer_call(p);
        return;
    }
    if (p->status != GRPC_STATUS_OK) {
        char *why = grpc_slice_to_c_string(p->details);
        note_failure(c, "branch %lld did not acknowledge it: %s", (long long)p->to->id, why);
        gpr_free(why);
    } else {
        ProtobufCMessage *ack = bank_codec_unpack(&bank__propagate_reply__descriptor, p->recv);
        if (!ack)
            note_failure(c, "branch %lld did not acknowledge it: %s", (long long)p->to->id,
                         "malformed PropagateReply");
        else
            protobuf_c_message_free_unpacked(ack, NULL);
    }
    free_peer_call(p);
    peer_done(c);
}

/* Sends c's committed write to every peer at once; c is answered when the last one is done. */
static void fan_out(server_call *c)
{
    bank_branch_server *s = c->srv;
    if (s->n_peers == 0) {
        finish_write(c);
        return;
    }
    Bank__PropagateRequest req = BANK__PROPAGATE_REQUEST__INIT;
    req.origin_branch = c->write.origin;
    req.sequence = c->write.sequence;
    req.money = c->write.money;
    req.customer_id = c->customer_id;
    req.event_id = c->event_id;
    grpc_byte_buffer *bb = bank_codec_pack(&req.base);
    atomic_store(&c->peers_pending, s->n_peers);
    for (size_t i = 0; i < s->n_peers; i++) send_attempt(c, &s->peers[i], bb, 1);
    grpc_byte_buffer_destroy(bb);
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

static void handle_request(server_call *c)
{
    bank_branch_server *s = c->srv;
    if (refuse_while_recovering(c)) return;
    grpc_slice bytes;
    if (bank_codec_flatten(c->payload, &bytes) != 0) {
        trace_error(c, "unreadable message");
        send_reply(c, GRPC_STATUS_INVALID_ARGUMENT, "unreadable message", NULL);
        return;
    }
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
    c->tag.kind = TAG_REPLIED;
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

static void *serve(void *arg)
{
    bank_branch_server *s = arg;
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN) break;
        if (ev.type != GRPC_OP_COMPLETE) continue;
        struct tag *t = ev.tag;
        switch (t->kind) {
        case TAG_INCOMING: on_incoming((server_call *)t, ev.success); break;
        case TAG_REPLIED: free_server_call((server_call *)t); break;
        case TAG_PEER_DONE: on_peer_done((peer_call *)t); break;
        case TAG_SHUTDOWN: atomic_store(&s->shutdown_seen, 1); break;
        }
        untrack(s);
    }
    return NULL;
}

/* Shuts the server down and drains its queue from this thread (no worker threads running). */
static void shutdown_unstarted(bank_branch_server *s)
{
    s->shutdown_tag.kind = TAG_SHUTDOWN;
    grpc_server_shutdown_and_notify(s->server, s->cq, &s->shutdown_tag);
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        if (ev.type == GRPC_OP_COMPLETE && ev.tag == &s->shutdown_tag) break;
    }
    grpc_server_destroy(s->server);
    grpc_completion_queue_shutdown(s->cq);
    while (grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
           GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(s->cq);
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
    s->n_threads = cfg->threads > 0 ? cfg->threads : 1;
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
    bank_replica_init(&s->replica, cfg->id, cfg->balance);

    /* SO_REUSEPORT would let a second server share a busy port silently. */
    grpc_arg arg = {GRPC_ARG_INTEGER, GRPC_ARG_ALLOW_REUSEPORT, {.integer = 0}};
    grpc_channel_args args = {1, &arg};
    s->server = grpc_server_create(&args, NULL);
    s->cq = grpc_completion_queue_create_for_next(NULL);
    grpc_server_register_completion_queue(s->server, s->cq, NULL);
    for (int m = 0; m < M_COUNT; m++)
        if (m != M_ECHO || s->serve_echo)
            s->method_handle[m] = grpc_server_register_method(
                s->server, method_path[m], NULL, GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
    grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
    s->port = grpc_server_add_http2_port(s->server, cfg->listen, creds);
    grpc_server_credentials_release(creds);
    if (s->port == 0) {
        snprintf(err, errlen, "branch %lld: cannot listen on %s (address in use or not valid)",
                 (long long)cfg->id, cfg->listen);
        shutdown_unstarted(s);
        bank_replica_free(&s->replica);
        pthread_mutex_destroy(&s->lock);
        free(s);
        grpc_shutdown();
        return NULL;
    }
    grpc_server_start(s->server);
    for (int m = 0; m < M_COUNT; m++)
        if (s->method_handle[m])
            for (int i = 0; i < REQUESTS_POSTED_PER_METHOD; i++) post_request(s, (enum method)m);
    post_request(s, M_UNKNOWN);
    s->threads = calloc((size_t)s->n_threads, sizeof *s->threads);
    for (int i = 0; i < s->n_threads; i++) pthread_create(&s->threads[i], NULL, serve, s);
    s->timer_started = pthread_create(&s->timer_thread, NULL, timer_main, s) == 0;
    if (!s->timer_started) s->timer_stopped = 1; /* run_later then runs work at once, cancelled */
    return s;
}

int bank_branch_server_port(const bank_branch_server *s) { return s->port; }

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
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();
    for (size_t i = 0; i < n; i++) {
        if (peers[i].id == s->id) continue;
        peer *p = &s->peers[s->n_peers++];
        p->id = peers[i].id;
        p->channel = grpc_channel_create(peers[i].target, creds, bank_peer_channel_args());
        p->propagate_handle[BANK_WRITE_DEPOSIT] =
            grpc_channel_register_call(p->channel, BANK_PATH_PROPAGATE_DEPOSIT, NULL, NULL);
        p->propagate_handle[BANK_WRITE_WITHDRAW] =
            grpc_channel_register_call(p->channel, BANK_PATH_PROPAGATE_WITHDRAW, NULL, NULL);
    }
    grpc_channel_credentials_release(creds);
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
    for (;;) { /* calls still waiting for a place: their customers are told now */
        pthread_mutex_lock(&s->lock);
        queued_call *q = pop_queued(s);
        pthread_mutex_unlock(&s->lock);
        if (!q) break;
        fail_queued(q, "this branch stopped");
    }
    s->shutdown_tag.kind = TAG_SHUTDOWN;
    track(s);
    grpc_server_shutdown_and_notify(s->server, s->cq, &s->shutdown_tag);
    grpc_server_cancel_all_calls(s->server);
    pthread_mutex_lock(&s->lock);
    for (peer_call *p = s->in_flight; p; p = p->next) grpc_call_cancel(p->call, NULL);
    pthread_mutex_unlock(&s->lock);
    for (int i = 0; i < s->n_threads; i++) pthread_join(s->threads[i], NULL);
    free(s->threads);
    /* only now: no thread is left that could owe it something. What is still owed is dropped. */
    bank_outbox_stop(s->outbox);
    grpc_server_destroy(s->server);
    grpc_completion_queue_destroy(s->cq);
    for (size_t i = 0; i < s->n_peers; i++) grpc_channel_destroy(s->peers[i].channel);
    free(s->peers);
    bank_replica_free(&s->replica);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->timer_lock);
    pthread_cond_destroy(&s->timer_cond);
    free(s);
    grpc_shutdown();
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
static int owe_later(server_call *c, const peer *to, const grpc_byte_buffer *request)
{
    bank_branch_server *s = c->srv;
    grpc_slice bytes;
    if (!s->outbox || atomic_load(&s->stopping) ||
        bank_codec_flatten((grpc_byte_buffer *)request, &bytes) != 0)
        return 0;
    int rc = bank_outbox_owe(s->outbox, to->id, c->write.kind, GRPC_SLICE_START_PTR(bytes),
                             GRPC_SLICE_LENGTH(bytes));
    grpc_slice_unref(bytes);
    if (rc != 0) return 0;
    atomic_store(&c->owed, 1);
    peer_done(c);
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
                     c->method == M_SNAPSHOT; /* for the trace: the request is not read */
    trace_error(c, RECOVERING_DETAILS);
    send_reply(c, GRPC_STATUS_UNAVAILABLE, RECOVERING_DETAILS, NULL);
    return 1;
}

static void handle_snapshot(server_call *c)
{
    bank_branch_server *s = c->srv;
    if (refuse_while_recovering(c)) return;
    grpc_slice bytes;
    if (bank_codec_flatten(c->payload, &bytes) != 0) {
        trace_error(c, "unreadable message");
        send_reply(c, GRPC_STATUS_INVALID_ARGUMENT, "unreadable message", NULL);
        return;
    }
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
