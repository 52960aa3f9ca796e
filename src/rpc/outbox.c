#include "outbox.h"

#include <grpc/grpc_security.h>
#include <grpc/support/time.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec.h"
#include "engine.h"

typedef struct owed {
    bank_write_kind kind;
    grpc_byte_buffer *request;
    struct owed *next;
} owed;

typedef struct {
    int64_t id;
    char *target;
    grpc_channel *channel; /* opened by the first try: most branches never owe anything */
    void *handle[2]; /* [BANK_WRITE_DEPOSIT], [BANK_WRITE_WITHDRAW] */
    owed *head, *tail;
    int64_t due_ms; /* the next try, not before */
    int backoff_ms; /* the wait after the next failure */
} peer_box;

struct bank_outbox {
    pthread_mutex_t lock; /* guards everything below but the channels */
    pthread_cond_t changed;
    peer_box *peers;
    size_t n_peers;
    size_t owed, refused;
    int stopping;
    grpc_call *current; /* the try under way, cancelled on stop */
    int deadline_ms, first_backoff_ms;
    grpc_completion_queue *cq;
    pthread_t thread; /* started by the first write owed */
    int has_thread;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One try, without waiting for a peer that is down (it fails at once, UNAVAILABLE). */
static void open_channel(peer_box *p)
{
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();
    p->channel = grpc_channel_create(p->target, creds, bank_peer_channel_args());
    grpc_channel_credentials_release(creds);
    p->handle[BANK_WRITE_DEPOSIT] =
        grpc_channel_register_call(p->channel, BANK_PATH_PROPAGATE_DEPOSIT, NULL, NULL);
    p->handle[BANK_WRITE_WITHDRAW] =
        grpc_channel_register_call(p->channel, BANK_PATH_PROPAGATE_WITHDRAW, NULL, NULL);
}

static grpc_status_code try_once(bank_outbox *o, peer_box *p, const owed *w)
{
    if (!p->channel) open_channel(p); /* only this thread opens them */
    gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                         gpr_time_from_millis(o->deadline_ms, GPR_TIMESPAN));
    grpc_call *call = grpc_channel_create_registered_call(p->channel, NULL, GRPC_PROPAGATE_DEFAULTS,
                                                          o->cq, p->handle[w->kind], deadline, NULL);
    pthread_mutex_lock(&o->lock);
    int stopping = o->stopping;
    if (!stopping) o->current = call;
    pthread_mutex_unlock(&o->lock);
    if (stopping) {
        grpc_call_unref(call);
        return GRPC_STATUS_CANCELLED;
    }
    grpc_metadata_array initial_md, trailing_md;
    grpc_metadata_array_init(&initial_md);
    grpc_metadata_array_init(&trailing_md);
    grpc_byte_buffer *reply = NULL;
    grpc_status_code status = GRPC_STATUS_UNKNOWN;
    grpc_slice details = grpc_empty_slice();
    grpc_op ops[6];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    grpc_byte_buffer *wire = grpc_byte_buffer_copy(w->request); /* gRPC may empty what it sends */
    ops[1].data.send_message.send_message = wire;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial_md;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &reply;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &trailing_md;
    ops[5].data.recv_status_on_client.status = &status;
    ops[5].data.recv_status_on_client.status_details = &details;
    int tag;
    if (grpc_call_start_batch(call, ops, 6, &tag, NULL) == GRPC_CALL_OK)
        grpc_completion_queue_pluck(o->cq, &tag, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    pthread_mutex_lock(&o->lock);
    o->current = NULL;
    pthread_mutex_unlock(&o->lock);
    if (status == GRPC_STATUS_OK) { /* an acknowledgement is a well-formed PropagateReply */
        ProtobufCMessage *ack = bank_codec_unpack(&bank__propagate_reply__descriptor, reply);
        if (ack) protobuf_c_message_free_unpacked(ack, NULL);
        else status = GRPC_STATUS_INTERNAL;
    }
    if (reply) grpc_byte_buffer_destroy(reply);
    grpc_byte_buffer_destroy(wire);
    grpc_slice_unref(details);
    grpc_metadata_array_destroy(&initial_md);
    grpc_metadata_array_destroy(&trailing_md);
    grpc_call_unref(call);
    return status;
}

static void drop_head(bank_outbox *o, peer_box *p)
{
    owed *w = p->head;
    p->head = w->next;
    if (!p->head) p->tail = NULL;
    o->owed--;
    grpc_byte_buffer_destroy(w->request);
    free(w);
}

/* The peer whose next try is due first, with *due its time; NULL when nothing is owed. */
static peer_box *next_due(bank_outbox *o, int64_t *due)
{
    peer_box *best = NULL;
    for (size_t i = 0; i < o->n_peers; i++) {
        peer_box *p = &o->peers[i];
        if (p->head && (!best || p->due_ms < best->due_ms)) best = p;
    }
    if (best) *due = best->due_ms;
    return best;
}

static void *deliver(void *arg)
{
    bank_outbox *o = arg;
    pthread_mutex_lock(&o->lock);
    while (!o->stopping) {
        int64_t due = 0;
        peer_box *p = next_due(o, &due);
        int64_t now = mono_ms();
        if (!p || due > now) {
            if (!p) {
                pthread_cond_wait(&o->changed, &o->lock);
            } else {
                struct timespec until = {(time_t)(due / 1000), (long)(due % 1000) * 1000000};
                pthread_cond_timedwait(&o->changed, &o->lock, &until);
            }
            continue;
        }
        owed *w = p->head; /* only this thread removes items, so w stays while unlocked */
        pthread_mutex_unlock(&o->lock);
        grpc_status_code st = try_once(o, p, w);
        pthread_mutex_lock(&o->lock);
        if (o->stopping) break;
        if (st == GRPC_STATUS_OK) {
            drop_head(o, p);
            p->backoff_ms = o->first_backoff_ms;
        } else if (st == GRPC_STATUS_UNAVAILABLE || st == GRPC_STATUS_DEADLINE_EXCEEDED) {
            p->due_ms = mono_ms() + p->backoff_ms;
            p->backoff_ms = p->backoff_ms * 2 < BANK_OUTBOX_MAX_BACKOFF_MS ? p->backoff_ms * 2
                                                                           : BANK_OUTBOX_MAX_BACKOFF_MS;
        } else { /* refused for good (bad request, overflow there): trying again cannot help */
            drop_head(o, p);
            o->refused++;
        }
    }
    pthread_mutex_unlock(&o->lock);
    return NULL;
}

bank_outbox *bank_outbox_start(int64_t self, const bank_peer *peers, size_t n, int deadline_ms,
                               int backoff_ms, char *err, size_t errlen)
{
    bank_outbox *o = calloc(1, sizeof *o);
    if (o) o->peers = calloc(n ? n : 1, sizeof *o->peers);
    if (!o || !o->peers) {
        if (o) free(o);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    grpc_init();
    o->deadline_ms = deadline_ms > 0 ? deadline_ms : 10000;
    o->first_backoff_ms = backoff_ms > 0 ? backoff_ms : 50;
    if (o->first_backoff_ms > BANK_OUTBOX_MAX_BACKOFF_MS) o->first_backoff_ms = BANK_OUTBOX_MAX_BACKOFF_MS;
    o->cq = grpc_completion_queue_create_for_pluck(NULL);
    pthread_mutex_init(&o->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&o->changed, &ca);
    pthread_condattr_destroy(&ca);
    for (size_t i = 0; i < n; i++) {
        if (peers[i].id == self) continue;
        peer_box *p = &o->peers[o->n_peers++];
        p->id = peers[i].id;
        p->backoff_ms = o->first_backoff_ms;
        if (!(p->target = strdup(peers[i].target))) {
            snprintf(err, errlen, "out of memory");
            bank_outbox_stop(o);
            return NULL;
        }
    }
    return o;
}

int bank_outbox_owe(bank_outbox *o, int64_t peer, const bank_logged_write *e)
{
    Bank__PropagateRequest req = BANK__PROPAGATE_REQUEST__INIT;
    req.origin_branch = e->origin;
    req.sequence = e->sequence;
    req.money = e->money;
    req.customer_id = e->customer_id;
    req.event_id = e->event_id;
    owed *w = malloc(sizeof *w);
    if (!w) return -1;
    w->request = bank_codec_pack(&req.base);
    if (!w->request) {
        free(w);
        return -1;
    }
    w->kind = e->kind;
    w->next = NULL;
    pthread_mutex_lock(&o->lock);
    peer_box *p = NULL;
    for (size_t i = 0; i < o->n_peers && !p; i++)
        if (o->peers[i].id == peer) p = &o->peers[i];
    if (p && !o->has_thread && !o->stopping)
        o->has_thread = pthread_create(&o->thread, NULL, deliver, o) == 0;
    if (!o->has_thread) p = NULL; /* nothing would deliver it */
    if (p) {
        if (!p->head) p->due_ms = mono_ms(); /* right away: the caller's own tries are over */
        if (p->tail) p->tail->next = w;
        else p->head = w;
        p->tail = w;
        o->owed++;
        pthread_cond_signal(&o->changed);
    }
    pthread_mutex_unlock(&o->lock);
    if (!p) {
        grpc_byte_buffer_destroy(w->request);
        free(w);
        return -1;
    }
    return 0;
}

size_t bank_outbox_owed(bank_outbox *o)
{
    pthread_mutex_lock(&o->lock);
    size_t n = o->owed;
    pthread_mutex_unlock(&o->lock);
    return n;
}

size_t bank_outbox_refused(bank_outbox *o)
{
    pthread_mutex_lock(&o->lock);
    size_t n = o->refused;
    pthread_mutex_unlock(&o->lock);
    return n;
}

void bank_outbox_stop(bank_outbox *o)
{
    if (!o) return;
    pthread_mutex_lock(&o->lock);
    o->stopping = 1;
    if (o->current) grpc_call_cancel(o->current, NULL);
    pthread_cond_signal(&o->changed);
    pthread_mutex_unlock(&o->lock);
    if (o->has_thread) pthread_join(o->thread, NULL);
    for (size_t i = 0; i < o->n_peers; i++) {
        while (o->peers[i].head) drop_head(o, &o->peers[i]);
        if (o->peers[i].channel) grpc_channel_destroy(o->peers[i].channel);
        free(o->peers[i].target);
    }
    grpc_completion_queue_shutdown(o->cq);
    while (grpc_completion_queue_pluck(o->cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
           GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(o->cq);
    pthread_mutex_destroy(&o->lock);
    pthread_cond_destroy(&o->changed);
    free(o->peers);
    free(o);
    grpc_shutdown();
}
