/* A branch: its replica, timers, fault dice, journal, server and sender put together, and their
 * life cycle (see branch_server.h). */
#include "branch_server.h"

#include <grpc/grpc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/history.h"
#include "recovery.h"
#include "server.h"
#include "store/journal.h"
#include "timers.h"

struct bank_branch_server {
    int64_t id;
    int64_t initial_balance;
    const bank_tls *tls;
    pthread_mutex_t lock; /* guards replica */
    bank_replica replica;
    bank_engine *engine;
    int own_engine; /* started for this branch alone: stopped with it */
    bank_timers *timers;
    bank_fault_dice faults;
    bank_server *server;
    bank_sender *sender; /* set with the peers */
    bank_sender_config sender_cfg;
    bank_journal *journal;  /* --data-dir */
    int must_recover;
    uint64_t promised;      /* its own writes 1..promised were answered PENDING (DIR/pending) */
    bank_peer_ack *acked;   /* how far each peer had its own writes, by its store */
    size_t n_acked;
    char notice[600];
    char failure[600];      /* set once, by the journal's thread */
    atomic_int failed;
    void (*on_failure)(void *ctx);
    void *failure_ctx;
};

/* ---- the journal's hooks ---- */

static uint64_t durable_note(void *ctx)
{
    bank_branch_server *b = ctx;
    return bank_journal_note(b->journal, &b->replica);
}

static void durable_then(void *ctx, uint64_t ticket, void (*fn)(void *arg, int ok, const char *why), void *arg)
{
    bank_branch_server *b = ctx;
    bank_journal_then(b->journal, ticket, fn, arg);
}

static void journal_failed(void *ctx, const char *why)
{
    bank_branch_server *b = ctx;
    snprintf(b->failure, sizeof b->failure, "%s", why);
    atomic_store(&b->failed, 1);
    if (b->on_failure) b->on_failure(b->failure_ctx);
}

/* ---- the sender's hooks ---- */

static void peer_acked(void *ctx, int64_t peer, uint64_t through)
{
    bank_branch_server *b = ctx;
    if (b->journal) bank_journal_acked(b->journal, peer, through);
}

/* Every peer has its writes 1..through: they leave the log for its checkpoint (on disk with the
 * next commit). */
static void writes_stable(void *ctx, uint64_t through)
{
    bank_branch_server *b = ctx;
    pthread_mutex_lock(&b->lock);
    bank_replica_fold(&b->replica, b->id, through);
    if (b->journal) bank_journal_note(b->journal, &b->replica);
    pthread_mutex_unlock(&b->lock);
}

static void mark_pending(void *ctx, uint64_t sequence, void (*then)(void *arg, int ok, const char *why),
                         void *arg)
{
    bank_branch_server *b = ctx;
    bank_journal_pending(b->journal, sequence, then, arg);
}

/* ---- its data dir ---- */

/* Reads its store back into the replica and starts the journal on it. 0, or -1 with err. */
static int open_disk(bank_branch_server *b, const bank_branch_config *cfg, char *err, size_t errlen)
{
    bank_store_state st;
    char why[500];
    bank_store *store = bank_store_open(cfg->data_dir, cfg->id, cfg->balance, cfg->sync, &st, why, sizeof why);
    if (!store) {
        snprintf(err, errlen, "branch %lld: %s", (long long)cfg->id, why);
        return -1;
    }
    bank_status rs = BANK_OK;
    if (st.damaged) {
        snprintf(b->notice, sizeof b->notice, "%s is damaged (%s): it is set aside (*.damaged) once the "
                 "peers' logs have brought back what it held", bank_store_path(store), st.why);
    } else if (!st.fresh) {
        rs = bank_replica_restore(&b->replica, cfg->balance, &st.history);
        snprintf(b->notice, sizeof b->notice, "read back from %s: %zu writes and %zu checkpoints, balance %lld",
                 cfg->data_dir, st.history.tail.n, st.history.checkpoints.n, (long long)b->replica.balance);
    }
    if (rs != BANK_OK) {
        snprintf(err, errlen, "branch %lld: %s: its writes do not add up (%s)", (long long)cfg->id,
                 bank_store_path(store), bank_status_text(rs));
        bank_store_state_free(&st);
        bank_store_close(store);
        return -1;
    }
    b->must_recover |= !st.fresh;
    b->promised = st.answered_pending;
    b->acked = st.acked;
    b->n_acked = st.n_acked;
    st.acked = NULL;
    st.n_acked = 0;
    bank_store_state_free(&st);
    if (!(b->journal = bank_journal_start(store, &b->replica, journal_failed, b, why, sizeof why))) {
        snprintf(err, errlen, "branch %lld: %s", (long long)cfg->id, why);
        return -1;
    }
    b->sender_cfg.mark_pending = mark_pending;
    return 0;
}

static void free_branch(bank_branch_server *b)
{
    bank_server_free(b->server);
    bank_sender_free(b->sender);
    bank_journal_free(b->journal);
    free(b->acked);
    bank_timers_free(b->timers);
    if (b->own_engine) bank_engine_stop(b->engine);
    bank_fault_dice_destroy(&b->faults);
    bank_replica_free(&b->replica);
    pthread_mutex_destroy(&b->lock);
    free(b);
    grpc_shutdown();
}

bank_branch_server *bank_branch_server_start(const bank_branch_config *cfg, char *err,
                                             size_t errlen)
{
    bank_branch_server *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errlen, "branch %lld: out of memory", (long long)cfg->id);
        return NULL;
    }
    grpc_init();
    b->id = cfg->id;
    b->initial_balance = cfg->balance;
    b->must_recover = cfg->recover;
    b->on_failure = cfg->on_failure;
    b->failure_ctx = cfg->failure_ctx;
    b->tls = cfg->tls;
    pthread_mutex_init(&b->lock, NULL);
    bank_replica_init(&b->replica, cfg->id, cfg->balance);
    bank_fault_dice_init(&b->faults, cfg->faults, cfg->id);
    char why[200];
    b->engine = cfg->engine;
    if (!b->engine) {
        b->engine = bank_engine_start(cfg->threads, why, sizeof why);
        b->own_engine = b->engine != NULL;
    }
    b->timers = b->engine ? bank_timers_start() : NULL;
    if (!b->engine || !b->timers) {
        snprintf(err, errlen, "branch %lld: %s", (long long)cfg->id,
                 b->engine ? "cannot start a thread" : why);
        free_branch(b);
        return NULL;
    }
    b->sender_cfg = (bank_sender_config){
        .self = cfg->id,
        .engine = b->engine,
        .timers = b->timers,
        .faults = &b->faults,
        .deadline_ms = cfg->propagate_deadline_ms,
        .max_attempts = cfg->propagate_attempts,
        .backoff_ms = cfg->retry_backoff_ms,
        .acked = peer_acked,
        .stable = writes_stable,
        .hook_ctx = b,
        .tls = cfg->tls,
    };
    if (cfg->data_dir && open_disk(b, cfg, err, errlen) != 0) {
        free_branch(b);
        return NULL;
    }
    bank_server_config sc = {
        .id = cfg->id,
        .listen = cfg->listen,
        .engine = b->engine,
        .serve_echo = cfg->serve_echo,
        .replica = &b->replica,
        .replica_lock = &b->lock,
        .timers = b->timers,
        .faults = &b->faults,
        .trace = cfg->trace,
        .trace_ctx = cfg->trace_ctx,
        .recovering = b->must_recover,
        .snapshot_while_recovering = b->journal != NULL,
        .durable_note = b->journal ? durable_note : NULL,
        .durable_then = durable_then,
        .durable_ctx = b,
        .hold_ms = cfg->propagate_deadline_ms,
        .tls = cfg->tls,
    };
    if (!(b->server = bank_server_start(&sc, err, errlen))) {
        free_branch(b);
        return NULL;
    }
    return b;
}

int bank_branch_server_port(const bank_branch_server *b) { return bank_server_port(b->server); }

int bank_branch_server_must_recover(const bank_branch_server *b) { return b->must_recover; }

const char *bank_branch_server_disk_notice(const bank_branch_server *b) { return b->notice; }

const char *bank_branch_server_failure(bank_branch_server *b)
{
    return atomic_load(&b->failed) ? b->failure : NULL;
}

size_t bank_branch_server_log_length(bank_branch_server *b)
{
    pthread_mutex_lock(&b->lock);
    size_t n = b->replica.log.n;
    pthread_mutex_unlock(&b->lock);
    return n;
}


int bank_branch_server_set_peers(bank_branch_server *b, const bank_peer *peers, size_t n,
                                 char *err, size_t errlen)
{
    if (b->sender) {
        snprintf(err, errlen, "branch %lld: peers already set", (long long)b->id);
        return -1;
    }
    char why[200];
    if (!(b->sender = bank_sender_start(&b->sender_cfg, peers, n, why, sizeof why))) {
        snprintf(err, errlen, "branch %lld: %s", (long long)b->id, why);
        return -1;
    }
    size_t others = 0;
    for (size_t i = 0; i < n; i++) others += peers[i].id != b->id;
    pthread_mutex_lock(&b->lock);
    b->replica.clock.fan_out = others; /* one send per peer (spec L2) */
    pthread_mutex_unlock(&b->lock);
    bank_server_use_sender(b->server, b->sender);
    for (size_t i = 0; i < b->n_acked; i++) bank_sender_set_acked(b->sender, b->acked[i].peer, b->acked[i].through);
    return 0;
}

int64_t bank_branch_server_balance(bank_branch_server *b)
{
    pthread_mutex_lock(&b->lock);
    int64_t balance = b->replica.balance;
    pthread_mutex_unlock(&b->lock);
    return balance;
}

int bank_branch_server_recover(bank_branch_server *b, const bank_peer *peers, size_t n,
                               int deadline_ms, size_t *owed, char *err, size_t errlen)
{
    *owed = 0;
    if (!bank_server_recovering(b->server) || !b->sender) {
        snprintf(err, errlen, "branch %lld: not started to recover, or peers not set", (long long)b->id);
        return -1;
    }
    bank_history *logs = calloc(n ? n : 1, sizeof *logs);
    if (!logs) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = bank_recovery_collect(b->id, peers, n, deadline_ms, b->tls, logs, err, errlen);
    if (rc == 0) {
        pthread_mutex_lock(&b->lock);
        rc = bank_recovery_install(&b->replica, b->initial_balance, peers, n, logs, b->promised,
                                   b->sender, b->tls != NULL, owed, err, errlen);
        if (rc == 0 && b->journal) rc = bank_journal_reset(b->journal, &b->replica, err, errlen);
        pthread_mutex_unlock(&b->lock);
    }
    if (rc == 0) bank_recovery_tell_acked(b->id, peers, n, logs, b->sender);
    for (size_t i = 0; i < n; i++) bank_history_free(&logs[i]);
    free(logs);
    if (rc == 0) bank_server_recovered(b->server);
    return rc;
}

size_t bank_branch_server_owed(bank_branch_server *b)
{
    return b->sender ? bank_sender_owed(b->sender) : 0;
}

/* The order matters: retries and held-back replies first, while the server can still answer the
 * customers waiting on them; then the writes still queued or in flight; then what waits on the
 * disk; then the server, whose new writes now fail at once; only then is anything freed. */
void bank_branch_server_stop(bank_branch_server *b)
{
    if (!b) return;
    bank_timers_stop(b->timers);
    if (b->sender) bank_sender_stop(b->sender);
    bank_journal_stop(b->journal); /* answers what waited on it, while the server still can */
    bank_server_shutdown(b->server);
    free_branch(b);
}
