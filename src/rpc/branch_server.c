/* A branch: its replica, timers, fault dice, server and sender put together, and their life
 * cycle (see branch_server.h). */
#include "branch_server.h"

#include <grpc/grpc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "recovery.h"
#include "server.h"
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
};

static void free_branch(bank_branch_server *b)
{
    bank_server_free(b->server);
    bank_sender_free(b->sender);
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
        .tls = cfg->tls,
    };
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
        .recovering = cfg->recover,
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
    bank_write_log *logs = calloc(n ? n : 1, sizeof *logs);
    if (!logs) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = bank_recovery_collect(b->id, peers, n, deadline_ms, b->tls, logs, err, errlen);
    if (rc == 0) {
        pthread_mutex_lock(&b->lock);
        rc = bank_recovery_install(&b->replica, b->initial_balance, peers, n, logs, b->sender,
                                   b->tls != NULL, owed, err, errlen);
        pthread_mutex_unlock(&b->lock);
    }
    for (size_t i = 0; i < n; i++) bank_write_log_free(&logs[i]);
    free(logs);
    if (rc == 0) bank_server_recovered(b->server);
    return rc;
}

size_t bank_branch_server_owed(bank_branch_server *b)
{
    return b->sender ? bank_sender_owed(b->sender) : 0;
}

/* The order matters: retries and held-back replies first, while the server can still answer the
 * customers waiting on them; then the writes still queued or in flight; then the server, whose
 * new writes now fail at once; only then is anything freed. */
void bank_branch_server_stop(bank_branch_server *b)
{
    if (!b) return;
    bank_timers_stop(b->timers);
    if (b->sender) bank_sender_stop(b->sender);
    bank_server_shutdown(b->server);
    free_branch(b);
}
