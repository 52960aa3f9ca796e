/* Every write owed to a peer, queued, batched and retried until acknowledged (see sender.h). */
#include "sender.h"

#include <grpc/grpc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ack_count.h"
#include "codec.h"
#include "propagate_call.h"

/* 8, measured with bench against 32 (and 128 before batches): more open calls only queue
 * longer for the same two cores and hold more memory. 100 branches x 1,000 customers: peak
 * 186 MB against 260, live 1,006 ops/s against 651; 50 x 100: deposit p50 2.5 ms against 3.4;
 * 10 x 10: deposit p50 within 10%. The cost: one write alone at 100 branches reaches its 99
 * peers 8 calls at a time (p50 8.9 ms against 6.3). */
enum { CALL_WINDOW = 8, BATCH_LIMIT = 64 };

typedef struct peer peer;
typedef struct item item;
typedef struct open_call open_call;

/* One write owed to one peer. */
struct item {
    bank_outgoing_write out; /* the write, its clock (every try carries it) and what it follows */
    peer *to;
    bank_fan_out *d; /* the customer waiting on it; NULL once nobody waits (the write is owed) */
    int copy;    /* a second copy an injected fault sent: its fate does not count */
    int tries;   /* made so far, the one under way included */
    item *next;
};

struct peer {
    int64_t id;
    size_t rank; /* among the peers, in ascending id: its send's place in a fan-out (L2) */
    bank_sender *s;
    grpc_channel *channel; /* the engine's, shared with every branch it serves */
    void *batch_handle;    /* Propagate_Batch registered on it */
    /* guarded by the sender's lock */
    item *queued, *queued_tail;
    int call_open;  /* a call to this peer is under way */
    int in_ready;   /* in the sender's ready list */
    peer *ready_next;
    item *starting; /* taken for a call about to start */
    size_t n_starting;
    peer *start_next;
};

/* A call under way, listed so that stopping can cancel it. */
struct open_call {
    peer *to;
    item *items; /* in the order of the call's writes */
    bank_propagate_call *call;
    open_call *prev, *next;
};

struct bank_sender {
    bank_sender_config cfg;
    grpc_completion_queue *cq;
    peer *peers;
    size_t n_peers;
    atomic_int stopping;
    atomic_size_t owed;
    bank_ack_count *acks; /* how far each peer has the branch's own writes */

    pthread_mutex_t lock;     /* guards what follows and every peer's queue */
    pthread_cond_t calls_ended;
    open_call *open_calls;
    size_t calls_open;        /* CALL_WINDOW at most */
    size_t calls_unfinished;  /* started and not yet fully handled: stop waits for 0 */
    peer *ready, *ready_tail; /* peers with writes queued and no call open, oldest first */
};

/* ---- an item's fate ---- */

static void item_free(item *it)
{
    if (!it->d && !it->copy) atomic_fetch_sub(&it->to->s->owed, 1);
    free(it);
}

static void item_acknowledged(item *it)
{
    if (!it->copy && it->out.w.origin == it->to->s->cfg.self)
        bank_ack_count_add(it->to->s->acks, (size_t)(it->to - it->to->s->peers), it->to->id, it->out.w.sequence, 0);
    if (it->d) bank_fan_out_settled(it->d);
    item_free(it);
}

/* The peer will never have it from this branch: refused for good, or the branch stopped. */
static void item_dropped(item *it, const char *what, const char *why)
{
    if (it->d) {
        bank_fan_out_failed(it->d, what, it->to->id, why);
        bank_fan_out_settled(it->d);
    }
    item_free(it);
}

static void enqueue(item *it);

static void retry_fire(void *arg, int cancelled)
{
    item *it = arg;
    if (cancelled) {
        item_dropped(it, "was not told", "this branch stopped before it could try again");
        return;
    }
    it->tries++;
    enqueue(it);
}

static int retry_delay_ms(int first, int tries)
{
    int shift = tries - 1 < 11 ? tries - 1 : 11;
    long long ms = (long long)first << shift;
    return ms < BANK_SENDER_MAX_BACKOFF_MS ? (int)ms : BANK_SENDER_MAX_BACKOFF_MS;
}

/* A try the peer did not acknowledge. Once the write's tries are spent, its customer is told it
 * is pending (P11) and it stays owed; either way it is tried again after the backoff. A peer
 * recognises a write it already applied by (origin, sequence), so a retry never applies twice. */
static void item_unacknowledged(item *it)
{
    bank_sender *s = it->to->s;
    if (it->copy) {
        free(it);
        return;
    }
    if (atomic_load(&s->stopping)) {
        item_dropped(it, "was not told", "this branch stopped");
        return;
    }
    if (it->d && it->tries >= s->cfg.max_attempts) {
        bank_fan_out *d = it->d;
        it->d = NULL;
        atomic_fetch_add(&s->owed, 1);
        bank_fan_out_pending(d);
        bank_fan_out_settled(d);
    }
    bank_timers_after(s->cfg.timers, retry_delay_ms(s->cfg.backoff_ms, it->tries), retry_fire, it);
}

static void item_answered(item *it, grpc_status_code status, const char *why)
{
    if (status == GRPC_STATUS_OK) item_acknowledged(it);
    else if (status == GRPC_STATUS_UNAVAILABLE || status == GRPC_STATUS_DEADLINE_EXCEEDED)
        item_unacknowledged(it);
    else if (it->copy) free(it);
    else item_dropped(it, "did not acknowledge it", why);
}

static void answer_all(item *items, grpc_status_code status, const char *why)
{
    while (items) {
        item *next = items->next;
        item_answered(items, status, why);
        items = next;
    }
}

/* ---- injected faults on a write's first try ---- */

static void lost_fire(void *arg, int cancelled)
{
    item *it = arg;
    if (cancelled) item_dropped(it, "was not told", "this branch stopped");
    else item_unacknowledged(it);
}

static void delayed_fire(void *arg, int cancelled)
{
    item *it = arg;
    if (cancelled) item_dropped(it, "was not told", "this branch stopped");
    else enqueue(it);
}

/* Lost (the sender learns it as a timeout would tell it, after at most 100 ms), sent late, or
 * sent twice; else queued. Takes it. */
static void first_try(item *it)
{
    bank_sender *s = it->to->s;
    bank_fault_dice *f = s->cfg.faults;
    if (f && f->on) {
        if (bank_fault_hits(f, f->spec.drop_pct)) {
            int wait = s->cfg.deadline_ms < 100 ? s->cfg.deadline_ms : 100;
            bank_timers_after(s->cfg.timers, wait, lost_fire, it);
            return;
        }
        if (bank_fault_hits(f, f->spec.dup_pct)) {
            item *copy = malloc(sizeof *copy);
            if (copy) {
                *copy = *it;
                copy->d = NULL;
                copy->copy = 1;
                enqueue(copy);
            }
        }
        if (bank_fault_hits(f, f->spec.delay_pct)) {
            bank_timers_after(s->cfg.timers, bank_fault_delay_ms(f, f->spec.delay_max_ms),
                              delayed_fire, it);
            return;
        }
    }
    enqueue(it);
}

/* ---- calls ---- */

static void call_ended(bank_sender *s, peer *to);

static void on_call_done(void *ctx, const bank_write_answer *answers, size_t n)
{
    open_call *oc = ctx;
    bank_sender *s = oc->to->s;
    pthread_mutex_lock(&s->lock);
    if (oc->prev) oc->prev->next = oc->next;
    else if (s->open_calls == oc) s->open_calls = oc->next;
    if (oc->next) oc->next->prev = oc->prev;
    pthread_mutex_unlock(&s->lock);
    call_ended(s, oc->to);
    item *it = oc->items;
    for (size_t i = 0; it && i < n; i++) {
        item *next = it->next;
        item_answered(it, answers[i].status, answers[i].why);
        it = next;
    }
    free(oc);
    /* last: once it reaches 0 the stopping thread may free s */
    pthread_mutex_lock(&s->lock);
    if (--s->calls_unfinished == 0) pthread_cond_broadcast(&s->calls_ended);
    pthread_mutex_unlock(&s->lock);
}

/* Starts the call carrying items (a list of n) to `to`, its place in the window taken. */
static void start_call(bank_sender *s, peer *to, item *items, size_t n)
{
    open_call *oc = calloc(1, sizeof *oc);
    bank_outgoing_write *writes = calloc(n, sizeof *writes);
    size_t i = 0;
    for (const item *it = items; writes && it; it = it->next) writes[i++] = it->out;
    /* Started and listed under the lock: bank_sender_stop cancels every call listed, and none
     * starts after it. */
    int stopping = 1;
    bank_batch_header header = {s->cfg.self, bank_ack_count_stable(s->acks)};
    pthread_mutex_lock(&s->lock);
    if (oc && writes && !(stopping = atomic_load(&s->stopping))) {
        oc->to = to;
        oc->items = items;
        oc->call = bank_propagate_call_start(to->channel, to->batch_handle, s->cq, s->cfg.deadline_ms,
                                             &header, writes, n, on_call_done, oc);
    }
    int started = oc && oc->call; /* once unlocked, oc may end and be freed at any moment */
    if (started) {
        s->calls_unfinished++;
        oc->next = s->open_calls;
        if (s->open_calls) s->open_calls->prev = oc;
        s->open_calls = oc;
    }
    pthread_mutex_unlock(&s->lock);
    free(writes);
    if (started) return;
    free(oc);
    call_ended(s, to);
    answer_all(items, stopping ? GRPC_STATUS_CANCELLED : GRPC_STATUS_RESOURCE_EXHAUSTED,
               stopping ? "this branch stopped" : "out of memory, or the call could not start");
}

/* Under the lock: takes the next peers' queued writes while the window has room. Returns the
 * calls to start, as peers whose `starting` list is set. */
static peer *take_ready(bank_sender *s)
{
    peer *start = NULL, **tail = &start;
    while (s->calls_open < CALL_WINDOW && s->ready) {
        peer *p = s->ready;
        s->ready = p->ready_next;
        if (!s->ready) s->ready_tail = NULL;
        p->in_ready = 0;
        p->call_open = 1;
        s->calls_open++;
        item *items = p->queued, **cut = &p->queued;
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

static void mark_ready(bank_sender *s, peer *p)
{
    if (p->in_ready || p->call_open || !p->queued) return;
    p->in_ready = 1;
    p->ready_next = NULL;
    if (s->ready_tail) s->ready_tail->ready_next = p;
    else s->ready = p;
    s->ready_tail = p;
}

static void start_taken(bank_sender *s, peer *start)
{
    while (start) {
        peer *next = start->start_next;
        start_call(s, start, start->starting, start->n_starting);
        start = next;
    }
}

/* Stopping: the peer will not get it. */
static void drop_unsent(item *it)
{
    if (it->copy) free(it);
    else item_dropped(it, "was not told", "this branch stopped");
}

static void enqueue(item *it)
{
    peer *p = it->to;
    bank_sender *s = p->s;
    pthread_mutex_lock(&s->lock);
    if (atomic_load(&s->stopping)) { /* read under the lock: bank_sender_stop sets it under it */
        pthread_mutex_unlock(&s->lock);
        drop_unsent(it);
        return;
    }
    it->next = NULL;
    if (p->queued_tail) p->queued_tail->next = it;
    else p->queued = it;
    p->queued_tail = it;
    mark_ready(s, p);
    peer *start = take_ready(s);
    pthread_mutex_unlock(&s->lock);
    start_taken(s, start);
}

/* A call to `to` ended (or never started): the peer may send again, the window has a place. */
static void call_ended(bank_sender *s, peer *to)
{
    pthread_mutex_lock(&s->lock);
    s->calls_open--;
    to->call_open = 0;
    mark_ready(s, to);
    peer *start = atomic_load(&s->stopping) ? NULL : take_ready(s);
    pthread_mutex_unlock(&s->lock);
    start_taken(s, start);
}

/* ---- the sender ---- */

static const char *const batch_path[1] = {BANK_PATH_PROPAGATE_BATCH};

bank_sender *bank_sender_start(const bank_sender_config *cfg, const bank_peer *peers, size_t n,
                               char *err, size_t errlen)
{
    bank_sender *s = calloc(1, sizeof *s);
    if (s) s->peers = calloc(n ? n : 1, sizeof *s->peers);
    if (!s || !s->peers) {
        free(s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    if (s->cfg.deadline_ms <= 0) s->cfg.deadline_ms = 10000;
    if (s->cfg.max_attempts <= 0) s->cfg.max_attempts = 5;
    if (s->cfg.backoff_ms <= 0) s->cfg.backoff_ms = 50;
    s->cq = bank_engine_cq(cfg->engine);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->calls_ended, NULL);
    for (size_t i = 0; i < n; i++) {
        if (peers[i].id == cfg->self) continue;
        peer *p = &s->peers[s->n_peers];
        p->id = peers[i].id;
        p->s = s;
        p->channel = bank_engine_channel(cfg->engine, peers[i].target, cfg->tls, batch_path, 1,
                                         &p->batch_handle);
        if (!p->channel) {
            snprintf(err, errlen, "out of memory");
            bank_sender_free(s);
            return NULL;
        }
        s->n_peers++;
    }
    for (size_t i = 0; i < s->n_peers; i++)
        for (size_t j = 0; j < s->n_peers; j++) s->peers[i].rank += s->peers[j].id < s->peers[i].id;
    if (!(s->acks = bank_ack_count_new(s->n_peers, (bank_ack_hooks){cfg->acked, cfg->stable, cfg->hook_ctx}))) {
        snprintf(err, errlen, "out of memory");
        bank_sender_free(s);
        return NULL;
    }
    return s;
}

void bank_sender_fan_out(bank_sender *s, const bank_logged_write *w, uint64_t first_clock,
                         bank_delivery_fn done, void *waiter)
{
    if (s->n_peers == 0) { /* every branch has it: it may be folded at once */
        bank_ack_count_all(s->acks, w->sequence);
        done(waiter, BANK_DELIVERY_ACKNOWLEDGED, "");
        return;
    }
    bank_fan_out *d = bank_fan_out_new(s->n_peers, w->sequence, done, waiter, s->cfg.mark_pending, s->cfg.hook_ctx);
    if (!d) {
        done(waiter, BANK_DELIVERY_FAILED, "no peer was told: out of memory");
        return;
    }
    for (size_t i = 0; i < s->n_peers; i++) {
        peer *p = &s->peers[i];
        item *it = malloc(sizeof *it);
        if (!it || atomic_load(&s->stopping)) {
            bank_fan_out_failed(d, "was not told", p->id, it ? "this branch stopped" : "out of memory");
            free(it);
            bank_fan_out_settled(d);
            continue;
        }
        *it = (item){{*w, first_clock ? first_clock + p->rank : 0, {0, 0}}, p, d, 0, 1, NULL};
        first_try(it);
    }
}

/* w owed to p, nobody waiting; NULL when stopping (then dropped, as P11 says) or out of memory. */
static item *owed_item(bank_sender *s, peer *p, const bank_logged_write *w, bank_write_id after)
{
    item *it = p && !atomic_load(&s->stopping) ? malloc(sizeof *it) : NULL;
    if (it) *it = (item){{*w, 0, after}, p, NULL, 0, 1, NULL}, atomic_fetch_add(&s->owed, 1);
    return it;
}

void bank_sender_send(bank_sender *s, const bank_logged_write *w, bank_write_id after)
{
    for (size_t i = 0; i < s->n_peers; i++) {
        item *it = owed_item(s, &s->peers[i], w, after);
        if (it) first_try(it);
    }
}

int bank_sender_owe(bank_sender *s, int64_t peer_id, const bank_logged_write *w)
{
    peer *p = NULL;
    for (size_t i = 0; i < s->n_peers && !p; i++)
        if (s->peers[i].id == peer_id) p = &s->peers[i];
    item *it = owed_item(s, p, w, (bank_write_id){0, 0});
    if (!it) return -1;
    enqueue(it);
    return 0;
}

int bank_sender_has_peer(const bank_sender *s, int64_t id)
{
    for (size_t i = 0; i < s->n_peers; i++)
        if (s->peers[i].id == id) return 1;
    return 0;
}

size_t bank_sender_owed(bank_sender *s) { return atomic_load(&s->owed); }

void bank_sender_set_acked(bank_sender *s, int64_t peer_id, uint64_t through)
{
    for (size_t i = 0; i < s->n_peers; i++)
        if (s->peers[i].id == peer_id && through > 0) bank_ack_count_add(s->acks, i, peer_id, through, 1);
}

/* Drops every write still queued. */
static void drop_queued(bank_sender *s)
{
    for (size_t i = 0; i < s->n_peers; i++) {
        peer *p = &s->peers[i];
        pthread_mutex_lock(&s->lock);
        item *items = p->queued;
        p->queued = p->queued_tail = NULL;
        pthread_mutex_unlock(&s->lock);
        while (items) {
            item *next = items->next;
            drop_unsent(items);
            items = next;
        }
    }
}

void bank_sender_stop(bank_sender *s)
{
    pthread_mutex_lock(&s->lock);
    atomic_store(&s->stopping, 1); /* from now on nothing is queued or started */
    pthread_mutex_unlock(&s->lock);
    drop_queued(s);
    pthread_mutex_lock(&s->lock);
    for (open_call *oc = s->open_calls; oc; oc = oc->next) bank_propagate_call_cancel(oc->call);
    while (s->calls_unfinished > 0) pthread_cond_wait(&s->calls_ended, &s->lock);
    pthread_mutex_unlock(&s->lock);
}

void bank_sender_free(bank_sender *s)
{
    if (!s) return;
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->calls_ended);
    bank_ack_count_free(s->acks);
    free(s->peers);
    free(s);
}
