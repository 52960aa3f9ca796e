/* An answer a branch with a data dir holds back until what it shows is durable, when the disk
 * cannot make it durable: the call is answered UNAVAILABLE saying why, and whatever the answer
 * held is freed (the test build's LeakSanitizer fails a test that leaks). The journal is stood in
 * for by the server's durable hooks: every request gets a ticket, and every ticket is refused,
 * either at once on the caller's thread (as a journal that has already failed refuses) or later
 * from a writer thread of its own (as a commit that fails refuses the answers waiting on it). */
#include <criterion/criterion.h>
#include <grpc/grpc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bank.pb-c.h"
#include "core/replica.h"
#include "rpc/client.h"
#include "rpc/codec.h"
#include "rpc/engine.h"
#include "rpc/server.h"

#define WHY "the disk refused it"

enum { WAITING_MAX = 8, DEADLINE_MS = 5000 };

typedef void (*durable_fn)(void *arg, int ok, const char *why);

/* The stand-in journal: hands out tickets, makes none of them durable. */
typedef struct {
    int from_writer; /* 0: refused at once, on the thread that asks */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    uint64_t tickets; /* handed out */
    int refused;      /* answers told their ticket cannot be made durable */
    size_t n_waiting;
    durable_fn fn[WAITING_MAX];
    void *arg[WAITING_MAX];
    int stopping;
    pthread_t writer;
} refusing_disk;

static uint64_t note(void *ctx) /* under the replica's lock, as bank_journal_note */
{
    refusing_disk *d = ctx;
    pthread_mutex_lock(&d->lock);
    uint64_t ticket = ++d->tickets;
    pthread_mutex_unlock(&d->lock);
    return ticket;
}

static void refuse(refusing_disk *d, durable_fn fn, void *arg)
{
    pthread_mutex_lock(&d->lock);
    d->refused++;
    pthread_mutex_unlock(&d->lock);
    fn(arg, 0, WHY);
}

static void then(void *ctx, uint64_t ticket, durable_fn fn, void *arg)
{
    refusing_disk *d = ctx;
    (void)ticket;
    pthread_mutex_lock(&d->lock);
    int queued = d->from_writer && !d->stopping && d->n_waiting < WAITING_MAX;
    if (queued) {
        d->fn[d->n_waiting] = fn;
        d->arg[d->n_waiting++] = arg;
        pthread_cond_signal(&d->wake);
    }
    pthread_mutex_unlock(&d->lock);
    if (!queued) refuse(d, fn, arg); /* as bank_journal_then once failed or stopped */
}

/* The writer: every answer that waits is refused, outside the lock; the last ones at the stop. */
static void *writer(void *ctx)
{
    refusing_disk *d = ctx;
    pthread_mutex_lock(&d->lock);
    for (;;) {
        while (d->n_waiting == 0 && !d->stopping) pthread_cond_wait(&d->wake, &d->lock);
        if (d->n_waiting == 0) break;
        durable_fn fn = d->fn[--d->n_waiting];
        void *arg = d->arg[d->n_waiting];
        pthread_mutex_unlock(&d->lock);
        refuse(d, fn, arg);
        pthread_mutex_lock(&d->lock);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

/* Branch 1 at 100, its answers held by d, served on loopback; no peers (no sender). */
typedef struct {
    refusing_disk d;
    bank_replica replica;
    pthread_mutex_t replica_lock;
    bank_engine *engine;
    bank_server *server;
    bank_channel *ch;
    grpc_completion_queue *cq;
} held_branch;

static void start(held_branch *b, int from_writer)
{
    memset(b, 0, sizeof *b);
    b->d.from_writer = from_writer;
    pthread_mutex_init(&b->d.lock, NULL);
    pthread_cond_init(&b->d.wake, NULL);
    if (from_writer) cr_assert_eq(pthread_create(&b->d.writer, NULL, writer, &b->d), 0);
    bank_replica_init(&b->replica, 1, 100);
    pthread_mutex_init(&b->replica_lock, NULL);
    char err[256];
    b->engine = bank_engine_start(1, err, sizeof err);
    cr_assert_not_null(b->engine, "%s", err);
    bank_server_config cfg = {.id = 1, .listen = "127.0.0.1:0", .engine = b->engine,
                              .replica = &b->replica, .replica_lock = &b->replica_lock,
                              .durable_note = note, .durable_then = then, .durable_ctx = &b->d};
    b->server = bank_server_start(&cfg, err, sizeof err);
    cr_assert_not_null(b->server, "%s", err);
    char target[64];
    snprintf(target, sizeof target, "127.0.0.1:%d", bank_server_port(b->server));
    b->ch = bank_channel_open(target, NULL);
    cr_assert_not_null(b->ch);
    b->cq = bank_client_cq_create();
}

/* As bank_branch_server_stop: the disk first (it answers what waits on it), then the server. */
static void stop(held_branch *b)
{
    bank_client_cq_destroy(b->cq);
    bank_channel_close(b->ch);
    pthread_mutex_lock(&b->d.lock);
    b->d.stopping = 1;
    pthread_cond_signal(&b->d.wake);
    pthread_mutex_unlock(&b->d.lock);
    if (b->d.from_writer) pthread_join(b->d.writer, NULL);
    bank_server_shutdown(b->server);
    bank_server_free(b->server);
    bank_engine_stop(b->engine);
    bank_replica_free(&b->replica);
    pthread_mutex_destroy(&b->replica_lock);
    pthread_cond_destroy(&b->d.wake);
    pthread_mutex_destroy(&b->d.lock);
}

/* One call of path with bytes: answered UNAVAILABLE, not durable, saying why, with no message. */
static void expect_not_durable(held_branch *b, const char *path, const void *bytes, size_t n)
{
    grpc_byte_buffer *reply = NULL;
    char details[256] = "";
    grpc_status_code st = bank_client_raw_detailed(b->ch, b->cq, path, bytes, n, DEADLINE_MS, &reply, details,
                                                   sizeof details);
    cr_expect_eq(st, GRPC_STATUS_UNAVAILABLE, "%s: status %d (%s)", path, (int)st, details);
    cr_expect_str_eq(details, "not answered: it could not be made durable: " WHY, "%s", path);
    cr_expect_null(reply, "%s: a message came with the refusal", path);
    if (reply) grpc_byte_buffer_destroy(reply);
}

/* A peer's PropagateBatch of two writes (the answer that owns memory: its packed reply and its
 * writes' answers), a customer's Query (an answer that owns none) and a branch's Snapshot (a
 * reply packed before it is held): each is refused, and nothing is kept. */
static void refused_answers_are_unavailable_and_freed(int from_writer)
{
    held_branch b;
    start(&b, from_writer);

    Bank__PropagateRequest w[2];
    Bank__PropagateRequest *ptrs[2];
    for (int i = 0; i < 2; i++) {
        bank__propagate_request__init(&w[i]);
        w[i].origin_branch = 3;
        w[i].sequence = (uint64_t)i + 1;
        w[i].money = 10 * (i + 1);
        ptrs[i] = &w[i];
    }
    Bank__PropagateBatch batch = BANK__PROPAGATE_BATCH__INIT;
    batch.n_writes = 2;
    batch.writes = ptrs;
    uint8_t buf[128];
    size_t n = bank__propagate_batch__pack(&batch, buf);
    expect_not_durable(&b, BANK_PATH_PROPAGATE_BATCH, buf, n);

    Bank__CustomerRequest q = BANK__CUSTOMER_REQUEST__INIT;
    q.customer_id = 5;
    q.event_id = 6;
    n = bank__customer_request__pack(&q, buf);
    expect_not_durable(&b, BANK_PATH_QUERY, buf, n);

    expect_not_durable(&b, BANK_PATH_SNAPSHOT, "", 0);

    stop(&b);
    cr_expect_eq(b.d.tickets, 3, "%llu tickets asked for", (unsigned long long)b.d.tickets);
    cr_expect_eq(b.d.refused, 3, "%d answers refused", b.d.refused);
}

/* rule: K8; every answer after the disk failed: refused at once, on the engine's thread that
 * decided it (as the journal refuses a ticket once it has failed) */
Test(rpc_durable, answers_a_failed_disk_refuses_at_once_are_unavailable_and_freed)
{
    refused_answers_are_unavailable_and_freed(0);
}

/* rule: K8; every answer waiting on the commit that failed: refused later, from the journal's
 * writer thread */
Test(rpc_durable, answers_a_failing_commit_refuses_later_are_unavailable_and_freed)
{
    refused_answers_are_unavailable_and_freed(1);
}
