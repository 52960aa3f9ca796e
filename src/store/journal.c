/* Group commit of a branch's changes into its store, and answers held until durable (see
 * journal.h). */
#include "journal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/history.h"

enum { BATCH_SYNC_MS = 100 }; /* --sync batch: the longest a commit waits for the disk */

typedef struct callback {
    uint64_t key; /* a waiter's ticket, or a pending mark's sequence */
    bank_journal_fn fn;
    void *arg;
    struct callback *next;
} callback;

struct bank_journal {
    bank_store *store;
    bank_sync sync;
    void (*on_failure)(void *ctx, const char *why);
    void *ctx;
    pthread_t thread;
    int started;

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t wake;  /* the writer: something to commit, or stop */
    pthread_cond_t idle;  /* bank_journal_reset: the writer is between commits */
    bank_write_log writes; /* the open commit's writes */
    bank_checkpoints folds; /* ... and checkpoints, each origin's furthest */
    bank_peer_ack *acks;    /* each peer's furthest acknowledgement, carried by every commit */
    size_t n_acks, cap_acks;
    int acks_changed;
    uint64_t open;    /* the commit notes go into now */
    uint64_t durable; /* the last commit made durable (commits are counted by it) */
    uint64_t mark;    /* the replica's log positions noted so far */
    uint64_t folds_seen;      /* the replica's fold count at the last note */
    bank_checkpoints known;   /* the replica's checkpoints as last noted */
    callback *waiters, *marks;
    int busy;     /* the writer is committing */
    int stopping, stopped, failed, failure_told;
    char why[512];
    int unsynced; /* --sync batch: commits not yet on the disk */
    long long synced_ms;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fire(callback *list, int ok, const char *why)
{
    while (list) {
        callback *next = list->next;
        list->fn(list->arg, ok, why);
        free(list);
        list = next;
    }
}

/* Under the lock: the waiters whose commit is durable into *durable, and, once the journal failed
 * or stopped, every other one into *never. */
static void take_due(bank_journal *j, callback **durable, callback **never)
{
    callback **keep = &j->waiters;
    *durable = *never = NULL;
    while (*keep) {
        callback *c = *keep;
        callback **into = c->key <= j->durable ? durable : j->failed || j->stopped ? never : NULL;
        if (into) {
            *keep = c->next;
            c->next = *into;
            *into = c;
        } else {
            keep = &c->next;
        }
    }
}

/* Under the lock: a commit failed or memory ran out; nothing more will be durable. */
static void set_failed(bank_journal *j, const char *why)
{
    if (j->failed) return;
    j->failed = 1;
    snprintf(j->why, sizeof j->why, "%s", why);
}

static int something_to_commit(const bank_journal *j)
{
    return j->writes.n > 0 || j->marks || (j->stopping && (j->folds.n > 0 || j->acks_changed));
}

static void *writer(void *arg)
{
    bank_journal *j = arg;
    pthread_mutex_lock(&j->lock);
    for (;;) {
        while (!something_to_commit(j) && !j->stopping && !j->failed) {
            if (j->unsynced) {
                long long due = j->synced_ms + BATCH_SYNC_MS;
                if (now_ms() >= due) break;
                struct timespec until;
                clock_gettime(CLOCK_MONOTONIC, &until);
                long long wait = due - now_ms();
                until.tv_sec += wait / 1000;
                until.tv_nsec += (wait % 1000) * 1000000;
                if (until.tv_nsec >= 1000000000) {
                    until.tv_sec++;
                    until.tv_nsec -= 1000000000;
                }
                pthread_cond_timedwait(&j->wake, &j->lock, &until);
            } else {
                pthread_cond_wait(&j->wake, &j->lock);
            }
        }
        if ((j->stopping || j->failed) && !something_to_commit(j)) break;
        bank_write_log writes = j->writes;
        bank_checkpoints folds = j->folds;
        memset(&j->writes, 0, sizeof j->writes);
        memset(&j->folds, 0, sizeof j->folds);
        size_t n_acks = j->acks_changed ? j->n_acks : 0;
        bank_peer_ack *acks = n_acks ? malloc(n_acks * sizeof *acks) : NULL;
        if (acks) memcpy(acks, j->acks, n_acks * sizeof *acks);
        else n_acks = 0;
        j->acks_changed = 0;
        callback *marks = j->marks;
        j->marks = NULL;
        int has_commit = writes.n > 0 || folds.n > 0 || n_acks > 0;
        uint64_t id = writes.n > 0 ? j->open++ : 0;
        int to_disk = j->sync == BANK_SYNC_BATCH && j->unsynced && now_ms() >= j->synced_ms + BATCH_SYNC_MS;
        j->busy = 1;
        int failed = j->failed;
        pthread_mutex_unlock(&j->lock);

        char why[512] = "";
        int rc = failed ? -1 : 0;
        if (rc == 0 && has_commit)
            rc = bank_store_commit(j->store, writes.items, writes.n, folds.items, folds.n, acks, n_acks,
                                   to_disk, why, sizeof why);
        else if (rc == 0 && to_disk)
            rc = bank_store_commit(j->store, NULL, 0, NULL, 0, NULL, 0, 1, why, sizeof why);
        uint64_t highest = 0;
        for (callback *m = marks; m; m = m->next)
            if (m->key > highest) highest = m->key;
        int mark_rc = rc == 0 && marks ? bank_store_mark_pending(j->store, highest, why, sizeof why) : rc;
        bank_write_log_free(&writes);
        free(folds.items);
        free(acks);

        pthread_mutex_lock(&j->lock);
        j->busy = 0;
        pthread_cond_broadcast(&j->idle);
        if (rc != 0 || mark_rc != 0) set_failed(j, why);
        int newly_failed = j->failed && !j->failure_told;
        j->failure_told |= j->failed;
        if (rc == 0 && id) j->durable = id;
        if (rc == 0 && j->sync == BANK_SYNC_BATCH) {
            if (to_disk) j->unsynced = 0, j->synced_ms = now_ms();
            else if (has_commit && !j->unsynced) j->unsynced = 1, j->synced_ms = now_ms();
        }
        callback *due, *never;
        take_due(j, &due, &never);
        char said[512];
        snprintf(said, sizeof said, "%s", j->why);
        pthread_mutex_unlock(&j->lock);
        fire(due, 1, "");
        fire(never, 0, said);
        fire(marks, mark_rc == 0, said);
        if (newly_failed && j->on_failure) j->on_failure(j->ctx, said);
        pthread_mutex_lock(&j->lock);
    }
    j->stopped = 1;
    callback *due, *left, *marks = j->marks;
    take_due(j, &due, &left);
    j->marks = NULL;
    int newly_failed = j->failed && !j->failure_told;
    j->failure_told |= j->failed;
    char said[512];
    snprintf(said, sizeof said, "%s", j->failed ? j->why : "this branch is stopping");
    pthread_mutex_unlock(&j->lock);
    fire(due, 1, "");
    fire(left, 0, said);
    fire(marks, 0, said);
    if (newly_failed && j->on_failure) j->on_failure(j->ctx, said);
    return NULL;
}

static void note_known(bank_journal *j, const bank_replica *r)
{
    j->mark = r->log_base + r->log.n;
    j->folds_seen = r->folds;
    j->known.n = 0;
    for (size_t i = 0; i < r->checkpoints.n; i++)
        if (bank_checkpoints_merge(&j->known, &r->checkpoints.items[i]) != BANK_OK) j->folds_seen--; /* look again */
}

bank_journal *bank_journal_start(bank_store *store, const bank_replica *r,
                                 void (*on_failure)(void *ctx, const char *why), void *ctx,
                                 char *err, size_t errlen)
{
    bank_journal *j = calloc(1, sizeof *j);
    if (!j) {
        snprintf(err, errlen, "out of memory");
        bank_store_close(store);
        return NULL;
    }
    j->store = store;
    j->sync = bank_store_sync_mode(store);
    j->on_failure = on_failure;
    j->ctx = ctx;
    j->open = 1;
    pthread_mutex_init(&j->lock, NULL);
    pthread_condattr_t monotonic; /* the writer's timed wait counts on CLOCK_MONOTONIC */
    pthread_condattr_init(&monotonic);
    pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
    pthread_cond_init(&j->wake, &monotonic);
    pthread_condattr_destroy(&monotonic);
    pthread_cond_init(&j->idle, NULL);
    note_known(j, r);
    if (pthread_create(&j->thread, NULL, writer, j) != 0) {
        snprintf(err, errlen, "cannot start the journal's thread");
        bank_journal_free(j);
        return NULL;
    }
    j->started = 1;
    return j;
}

uint64_t bank_journal_note(bank_journal *j, const bank_replica *r)
{
    pthread_mutex_lock(&j->lock);
    uint64_t end = r->log_base + r->log.n;
    size_t from = j->mark > r->log_base ? (size_t)(j->mark - r->log_base) : 0;
    int added = from < r->log.n;
    for (size_t i = from; i < r->log.n; i++)
        if (bank_write_log_add(&j->writes, &r->log.items[i]) != BANK_OK) set_failed(j, "out of memory");
    if (end > j->mark) j->mark = end;
    if (r->folds != j->folds_seen) {
        j->folds_seen = r->folds;
        for (size_t i = 0; i < r->checkpoints.n; i++) {
            const bank_checkpoint *cp = &r->checkpoints.items[i];
            const bank_checkpoint *had = bank_checkpoint_find(&j->known, cp->origin);
            if (had && had->through >= cp->through) continue;
            if (bank_checkpoints_merge(&j->known, cp) != BANK_OK || bank_checkpoints_merge(&j->folds, cp) != BANK_OK)
                set_failed(j, "out of memory");
        }
    }
    uint64_t ticket = j->writes.n > 0 ? j->open : j->durable + 1 < j->open ? j->open - 1 : 0;
    if (added || j->failed) pthread_cond_signal(&j->wake);
    pthread_mutex_unlock(&j->lock);
    return ticket;
}

void bank_journal_then(bank_journal *j, uint64_t ticket, bank_journal_fn fn, void *arg)
{
    pthread_mutex_lock(&j->lock);
    if (ticket <= j->durable) {
        pthread_mutex_unlock(&j->lock);
        fn(arg, 1, "");
        return;
    }
    callback *c = j->failed || j->stopped ? NULL : malloc(sizeof *c);
    if (c) {
        *c = (callback){ticket, fn, arg, j->waiters};
        j->waiters = c;
    }
    char why[512];
    snprintf(why, sizeof why, "%s", j->failed ? j->why : j->stopped ? "this branch is stopping" : "out of memory");
    pthread_mutex_unlock(&j->lock);
    if (!c) fn(arg, 0, why);
}

void bank_journal_acked(bank_journal *j, int64_t peer, uint64_t through)
{
    pthread_mutex_lock(&j->lock);
    size_t i = 0;
    while (i < j->n_acks && j->acks[i].peer != peer) i++;
    if (i == j->n_acks && j->n_acks == j->cap_acks) {
        size_t cap = j->cap_acks ? 2 * j->cap_acks : 8;
        bank_peer_ack *grown = realloc(j->acks, cap * sizeof *grown);
        if (grown) {
            j->acks = grown;
            j->cap_acks = cap;
        }
    }
    if (i < j->n_acks && through > j->acks[i].through) {
        j->acks[i].through = through;
        j->acks_changed = 1;
    } else if (i == j->n_acks && i < j->cap_acks) { /* else dropped: a lagging record is safe */
        j->acks[j->n_acks++] = (bank_peer_ack){peer, through};
        j->acks_changed = 1;
    }
    pthread_mutex_unlock(&j->lock);
}

void bank_journal_pending(bank_journal *j, uint64_t sequence, bank_journal_fn fn, void *arg)
{
    pthread_mutex_lock(&j->lock);
    callback *c = j->failed || j->stopped ? NULL : malloc(sizeof *c);
    if (c) {
        *c = (callback){sequence, fn, arg, j->marks};
        j->marks = c;
        pthread_cond_signal(&j->wake);
    }
    char why[512];
    snprintf(why, sizeof why, "%s", j->failed ? j->why : j->stopped ? "this branch is stopping" : "out of memory");
    pthread_mutex_unlock(&j->lock);
    if (!c) fn(arg, 0, why);
}

int bank_journal_reset(bank_journal *j, const bank_replica *r, char *err, size_t errlen)
{
    bank_history h;
    if (bank_replica_history(r, &h) != BANK_OK) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pthread_mutex_lock(&j->lock);
    while (j->busy) pthread_cond_wait(&j->idle, &j->lock);
    int rc = j->failed ? -1 : bank_store_replace(j->store, &h, err, errlen);
    if (j->failed) snprintf(err, errlen, "%s", j->why);
    if (rc == 0) { /* the store holds all of r now */
        j->writes.n = 0;
        j->folds.n = 0;
        note_known(j, r);
    }
    pthread_mutex_unlock(&j->lock);
    bank_history_free(&h);
    return rc;
}

uint64_t bank_journal_commits(bank_journal *j)
{
    pthread_mutex_lock(&j->lock);
    uint64_t n = j->durable;
    pthread_mutex_unlock(&j->lock);
    return n;
}

void bank_journal_stop(bank_journal *j)
{
    if (!j || !j->started) return;
    pthread_mutex_lock(&j->lock);
    j->stopping = 1;
    pthread_cond_signal(&j->wake);
    pthread_mutex_unlock(&j->lock);
    pthread_join(j->thread, NULL);
    j->started = 0;
}

void bank_journal_free(bank_journal *j)
{
    if (!j) return;
    bank_journal_stop(j);
    bank_store_close(j->store);
    bank_write_log_free(&j->writes);
    free(j->folds.items);
    free(j->known.items);
    free(j->acks);
    pthread_mutex_destroy(&j->lock);
    pthread_cond_destroy(&j->wake);
    pthread_cond_destroy(&j->idle);
    free(j);
}
