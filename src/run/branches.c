/* A run's branches, wherever they are: servers in this process, `bank branch` children
 * (branch_child.c), or a cluster already running (see branches.h). */
#include "branches.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "branch_child.h"
#include "data_dirs.h"
#include "io/peers_file.h"
#include "rpc/branch_server.h"
#include "tls_files.h"
#include "trace_file.h"

struct bank_branches {
    bank_mode mode;
    size_t n;
    char (*targets)[256];
    bank_branch_server **servers; /* embedded */
    bank_engine *engine;          /* embedded: the queue and threads all its branches share */
    bank_child *children;         /* processes */
    bank_trace_file *trace;       /* embedded */
    bank_tls **tls;               /* embedded, with a tls_dir: each branch's certificate */
    const bank_tls *client_tls;
    char *peer_list;              /* processes: what every child was told, for a restart */
    bank_branches_config cfg;     /* processes: how they were started, for a restart */
};

const char *bank_branches_target(const bank_branches *b, size_t i) { return b->targets[i]; }

bank_channel *bank_branches_channel(const bank_branches *b, size_t i)
{
    return bank_channel_open(b->targets[i], b->client_tls);
}

void bank_branches_channels_close(bank_channel **ch, size_t n)
{
    for (size_t i = 0; ch && i < n; i++) bank_channel_close(ch[i]);
    free(ch);
}

bank_channel **bank_branches_channels(const bank_branches *b, size_t n)
{
    bank_channel **ch = calloc(n ? n : 1, sizeof *ch);
    for (size_t i = 0; ch && i < n; i++)
        if (!(ch[i] = bank_branches_channel(b, i))) {
            bank_branches_channels_close(ch, n);
            return NULL;
        }
    return ch;
}

static bank_branches *alloc_branches(size_t n, bank_mode mode, const bank_tls *client_tls)
{
    bank_branches *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->mode = mode;
    b->n = n;
    b->client_tls = client_tls;
    b->targets = calloc(n ? n : 1, sizeof *b->targets);
    if (!b->targets) {
        free(b);
        return NULL;
    }
    return b;
}

static void free_branches(bank_branches *b)
{
    char ignored[8];
    bank_trace_file_close(b->trace, ignored, sizeof ignored);
    for (size_t i = 0; b->tls && i < b->n; i++) bank_tls_free(b->tls[i]);
    free(b->tls);
    free(b->targets);
    free(b->servers);
    free(b->children);
    free(b->peer_list);
    free(b);
}

static bank_peer *peer_list(const bank_workload *w, const bank_branches *b)
{
    bank_peer *peers = calloc(w->n_branches ? w->n_branches : 1, sizeof *peers);
    if (!peers) return NULL;
    for (size_t i = 0; i < w->n_branches; i++) {
        peers[i].id = w->branches[i].id;
        peers[i].target = b->targets[i];
    }
    return peers;
}

/* ---- embedded: every branch a server inside this process ---- */

static void stop_servers(bank_branches *b)
{
    for (size_t i = 0; i < b->n; i++) bank_branch_server_stop(b->servers[i]);
    bank_engine_stop(b->engine);
    b->engine = NULL;
}

static bank_branches *start_embedded(const bank_workload *w, const bank_branches_config *cfg,
                                     char *err, size_t errlen)
{
    bank_branches *b = alloc_branches(w->n_branches, BANK_MODE_EMBEDDED, cfg->client_tls);
    if (!b || !(b->servers = calloc(w->n_branches ? w->n_branches : 1, sizeof *b->servers))) {
        snprintf(err, errlen, "out of memory");
        if (b) free_branches(b);
        return NULL;
    }
    if (cfg->trace_path && !(b->trace = bank_trace_file_open(cfg->trace_path, 1, err, errlen))) {
        free_branches(b);
        return NULL;
    }
    bank_faults faults;
    char dir[4096];
    if (bank_faults_parse(cfg->faults, &faults, err, errlen) != 0) {
        free_branches(b);
        return NULL;
    }
    faults.seed = cfg->fault_seed;
    if (cfg->tls_dir && !(b->tls = calloc(w->n_branches ? w->n_branches : 1, sizeof *b->tls))) {
        snprintf(err, errlen, "out of memory");
        free_branches(b);
        return NULL;
    }
    for (size_t i = 0; cfg->tls_dir && i < w->n_branches; i++)
        if (!(b->tls[i] = bank_tls_load_dir(cfg->tls_dir, w->branches[i].id, err, errlen))) {
            free_branches(b);
            return NULL;
        }
    if (!(b->engine = bank_engine_start(cfg->server_threads, err, errlen))) {
        free_branches(b);
        return NULL;
    }
    for (size_t i = 0; i < w->n_branches; i++) {
        bank_branch_config bc = {.id = w->branches[i].id,
                                 .balance = w->branches[i].balance,
                                 .listen = "127.0.0.1:0",
                                 .propagate_deadline_ms = cfg->deadline_ms,
                                 .serve_echo = cfg->serve_echo,
                                 .trace = b->trace ? bank_trace_file_write : NULL,
                                 .trace_ctx = b->trace,
                                 .propagate_attempts = cfg->propagate_attempts,
                                 .retry_backoff_ms = cfg->retry_backoff_ms,
                                 .faults = &faults,
                                 .engine = b->engine,
                                 .sync = cfg->sync,
                                 .tls = b->tls ? b->tls[i] : NULL};
        if (cfg->data_dir) {
            bank_data_dir_of(cfg->data_dir, w->branches[i].id, dir, sizeof dir);
            bc.data_dir = dir;
        }
        b->servers[i] = bank_branch_server_start(&bc, err, errlen);
        if (!b->servers[i]) {
            stop_servers(b);
            free_branches(b);
            return NULL;
        }
        snprintf(b->targets[i], sizeof b->targets[i], "127.0.0.1:%d",
                 bank_branch_server_port(b->servers[i]));
    }
    bank_peer *peers = peer_list(w, b);
    int rc = peers ? 0 : -1;
    if (!peers) snprintf(err, errlen, "out of memory");
    for (size_t i = 0; i < w->n_branches && rc == 0; i++)
        rc = bank_branch_server_set_peers(b->servers[i], peers, w->n_branches, err, errlen);
    free(peers);
    if (rc != 0) {
        stop_servers(b);
        free_branches(b);
        return NULL;
    }
    return b;
}

/* ---- processes: every branch a `bank branch --peers -` child ---- */

static void reap_all(bank_branches *b)
{
    char ignored[256];
    for (size_t i = 0; i < b->n; i++) bank_child_reap(&b->children[i], ignored, sizeof ignored);
}

static bank_branches *start_processes(const bank_workload *w, const bank_branches_config *cfg,
                                      char *err, size_t errlen)
{
    bank_branches *b = alloc_branches(w->n_branches, BANK_MODE_PROCESSES, cfg->client_tls);
    if (!b || !(b->children = calloc(w->n_branches ? w->n_branches : 1, sizeof *b->children))) {
        snprintf(err, errlen, "out of memory");
        if (b) free_branches(b);
        return NULL;
    }
    if (cfg->trace_path) { /* empty it once; every branch process appends to it */
        bank_trace_file *t = bank_trace_file_open(cfg->trace_path, 1, err, errlen);
        if (!t || bank_trace_file_close(t, err, errlen) != 0) {
            free_branches(b);
            return NULL;
        }
    }
    signal(SIGPIPE, SIG_IGN); /* a child that died must not kill the run through its pipe */
    int64_t deadline = bank_mono_now_ms() + (cfg->deadline_ms > 0 ? cfg->deadline_ms : 10000);
    char line[512];
    for (size_t i = 0; i < w->n_branches; i++)
        if (bank_child_spawn(&b->children[i], cfg->bank_exe, &w->branches[i], cfg, "127.0.0.1:0", 0, err,
                         errlen) != 0)
            goto fail;
    for (size_t i = 0; i < w->n_branches; i++) {
        if (bank_child_read_line(&b->children[i], line, sizeof line, deadline) != 0 ||
            strncmp(line, "listening ", 10) != 0 || strlen(line + 10) >= sizeof b->targets[i]) {
            snprintf(err, errlen, "branch %lld (pid %d) did not report its address",
                     (long long)w->branches[i].id, (int)b->children[i].pid);
            goto fail;
        }
        memcpy(b->targets[i], line + 10, strlen(line + 10) + 1);
    }
    size_t cap = w->n_branches * 300 + 8, len = 0;
    char *list = malloc(cap);
    if (!list) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < w->n_branches; i++)
        len += (size_t)snprintf(list + len, cap - len, "%" PRId64 " %s\n", w->branches[i].id,
                                b->targets[i]);
    len += (size_t)snprintf(list + len, cap - len, "end\n");
    for (size_t i = 0; i < w->n_branches; i++)
        if (bank_child_write_all(&b->children[i], list, len) != 0) {
            snprintf(err, errlen, "branch %lld (pid %d) stopped before it got its peers",
                     (long long)w->branches[i].id, (int)b->children[i].pid);
            free(list);
            goto fail;
        }
    b->peer_list = list;
    b->cfg = *cfg;
    for (size_t i = 0; i < w->n_branches; i++)
        if (bank_child_read_line(&b->children[i], line, sizeof line, deadline) != 0 ||
            strcmp(line, "ready") != 0) {
            snprintf(err, errlen, "branch %lld (pid %d) did not become ready",
                     (long long)w->branches[i].id, (int)b->children[i].pid);
            goto fail;
        }
    return b;
fail:
    reap_all(b); /* children not started have pid 0 */
    free_branches(b);
    return NULL;
}

/* ---- cluster: branches already running, listed in a peers file ---- */

static bank_branches *locate_cluster(const bank_workload *w, const bank_branches_config *cfg,
                                     char *err, size_t errlen)
{
    bank_peer_entry *entries;
    size_t n;
    if (bank_peers_load(cfg->cluster_file, &entries, &n, err, errlen) != 0) return NULL;
    bank_branches *b = alloc_branches(w->n_branches, BANK_MODE_CLUSTER, cfg->client_tls);
    if (!b) {
        snprintf(err, errlen, "out of memory");
        free(entries);
        return NULL;
    }
    for (size_t i = 0; i < w->n_branches; i++) {
        size_t k = 0;
        while (k < n && entries[k].id != w->branches[i].id) k++;
        if (k == n) {
            snprintf(err, errlen, "%s: branch %lld of the input is not listed", cfg->cluster_file,
                     (long long)w->branches[i].id);
            free(entries);
            free_branches(b);
            return NULL;
        }
        snprintf(b->targets[i], sizeof b->targets[i], "%s", entries[k].target);
    }
    free(entries);
    return b;
}

bank_branches *bank_branches_at(const bank_workload *w, const char *const *targets,
                                const bank_tls *client_tls)
{
    bank_branches *b = alloc_branches(w->n_branches, BANK_MODE_CLUSTER, client_tls);
    for (size_t i = 0; b && i < w->n_branches; i++)
        snprintf(b->targets[i], sizeof b->targets[i], "%s", targets[i]);
    return b;
}

bank_branches *bank_branches_start(const bank_workload *w, const bank_branches_config *cfg,
                                   char *err, size_t errlen)
{
    if (cfg->data_dir && cfg->mode != BANK_MODE_CLUSTER && bank_data_dirs_fresh(w, cfg->data_dir, err, errlen) != 0)
        return NULL;
    switch (cfg->mode) {
    case BANK_MODE_EMBEDDED: return start_embedded(w, cfg, err, errlen);
    case BANK_MODE_PROCESSES: return start_processes(w, cfg, err, errlen);
    case BANK_MODE_CLUSTER: return locate_cluster(w, cfg, err, errlen);
    }
    snprintf(err, errlen, "unknown mode");
    return NULL;
}

size_t bank_branches_log_length(const bank_branches *b)
{
    size_t n = 0;
    for (size_t i = 0; b->mode == BANK_MODE_EMBEDDED && i < b->n; i++)
        n += bank_branch_server_log_length(b->servers[i]);
    return n;
}

int bank_branches_stop(bank_branches *b, char *err, size_t errlen)
{
    if (!b) return 0;
    int rc = 0;
    if (b->mode == BANK_MODE_EMBEDDED) stop_servers(b);
    if (bank_trace_file_close(b->trace, err, errlen) != 0) rc = -1;
    b->trace = NULL;
    if (b->mode == BANK_MODE_PROCESSES)
        for (size_t i = 0; i < b->n; i++) {
            char why[256];
            if (bank_child_reap(&b->children[i], why, sizeof why) != 0 && rc == 0) {
                snprintf(err, errlen, "%s (at %s)", why, b->targets[i]);
                rc = -1;
            }
        }
    free_branches(b);
    return rc;
}

int bank_branches_crash_and_recover(bank_branches *b, const bank_workload *w, const int64_t *ids,
                                    size_t n, char *err, size_t errlen)
{
    for (size_t k = 0; k < n; k++) {
        size_t i = bank_workload_branch_index(w, ids[k]);
        if (b->mode != BANK_MODE_PROCESSES || i >= b->n) {
            snprintf(err, errlen, "--kill: branch %lld is not a branch process of this run", (long long)ids[k]);
            return -1;
        }
    }
    for (size_t k = 0; k < n; k++) bank_child_kill(&b->children[bank_workload_branch_index(w, ids[k])]);
    for (size_t k = 0; k < n; k++) {
        size_t i = bank_workload_branch_index(w, ids[k]);
        bank_child *c = &b->children[i];
        if (c->pid > 0) continue; /* listed twice */
        if (bank_child_spawn(c, b->cfg.bank_exe, &w->branches[i], &b->cfg, b->targets[i], 1, err, errlen) != 0)
            return -1;
        char line[512];
        int64_t deadline = bank_mono_now_ms() + (b->cfg.deadline_ms > 0 ? b->cfg.deadline_ms : 10000);
        if (bank_child_read_line(c, line, sizeof line, deadline) != 0 || strncmp(line, "listening ", 10) != 0 ||
            strcmp(line + 10, b->targets[i]) != 0) {
            snprintf(err, errlen, "branch %lld did not listen again on %s after its restart",
                     (long long)ids[k], b->targets[i]);
            return -1;
        }
        /* It recovers while the run goes on: its "ready" is left unread, and if recovering fails
         * it exits 1, which stopping the run reports. */
        if (bank_child_write_all(c, b->peer_list, strlen(b->peer_list)) != 0) {
            snprintf(err, errlen, "branch %lld stopped before it got its peers after its restart",
                     (long long)ids[k]);
            return -1;
        }
    }
    return 0;
}
