/* A branch: one replica, served over gRPC (server.c) in both wire forms, with every write it
 * takes propagated to all other branches (sender.c) before it is answered, optionally kept on
 * disk (store/journal.h: nothing is answered before it is durable), and catching up from its
 * disk and its peers after a crash (recovery.c). This file puts those parts together and runs
 * their life cycle; it is the one the rest of the program uses. */
#ifndef BANK_RPC_BRANCH_SERVER_H
#define BANK_RPC_BRANCH_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "faults.h"
#include "sender.h"
#include "store/store.h"
#include "tls.h"
#include "trace.h"

typedef struct bank_branch_server bank_branch_server;

typedef struct {
    int64_t id;
    int64_t balance;
    const char *listen;         /* "127.0.0.1:0" lets the OS pick the port */
    int threads;                /* threads of the branch's own engine (0: 1) */
    int propagate_deadline_ms;  /* per propagation call */
    int serve_echo;             /* also serve BANK_PATH_ECHO (benchmarks only) */
    bank_trace_fn trace;        /* optional: told of every request this branch answers */
    void *trace_ctx;
    int propagate_attempts;     /* tries of a propagation a peer does not acknowledge (it timed
                                   out or was unavailable) before the write is reported as not
                                   acknowledged; 0: 5 */
    int retry_backoff_ms;       /* wait before the second try, doubling for each next one (at most
                                   2000); 0: 50 */
    const bank_faults *faults;  /* optional: faults to inject into this branch's traffic */
    bank_engine *engine;        /* optional: shared with other branches of this process (then
                                   `threads` is unused); NULL: the branch starts its own */
    int recover;                /* start recovering: every request is answered UNAVAILABLE
                                   "recovering" until bank_branch_server_recover has caught up */
    const bank_tls *tls;        /* optional, kept until the branch (and a shared engine) stops:
                                   mutual TLS with this certificate for everything the branch
                                   serves and sends, and methods authorised by the caller's role
                                   (spec R1-R5); NULL: plaintext */
    const char *data_dir;       /* optional: keep the branch's state there (made when missing);
                                   one that holds state makes the branch recover, serving
                                   Snapshot from it meanwhile */
    bank_sync sync;             /* with data_dir: how far a commit goes before it is answered */
    void (*on_failure)(void *ctx); /* optional: the disk failed (bank_branch_server_failure says
                                      how); nothing more can be answered, so stop the branch */
    void *failure_ctx;
} bank_branch_config;

/* Binds and starts serving. NULL and one line in err on failure (a busy port included). */
bank_branch_server *bank_branch_server_start(const bank_branch_config *cfg, char *err,
                                             size_t errlen);
int bank_branch_server_port(const bank_branch_server *s);

/* Started to recover, or its data dir held state: bank_branch_server_recover must run before it
 * serves. */
int bank_branch_server_must_recover(const bank_branch_server *s);

/* What the branch found in its data dir, as a line for its standard error ("" without one). */
const char *bank_branch_server_disk_notice(const bank_branch_server *s);

/* Why the disk failed, or NULL. */
const char *bank_branch_server_failure(bank_branch_server *s);

/* Writes in its log (not folded into checkpoints), a figure. */
size_t bank_branch_server_log_length(bank_branch_server *s);

/* Tells the branch every other branch (its own id, if listed, is skipped). Until this is done,
 * writes are refused with UNAVAILABLE. Call once. 0 ok, -1 with err. */
int bank_branch_server_set_peers(bank_branch_server *s, const bank_peer *peers, size_t n,
                                 char *err, size_t errlen);

int64_t bank_branch_server_balance(bank_branch_server *s);

/* For a branch that must recover, after set_peers: reads every peer's history, rebuilds the
 * replica from the initial balance and the union of theirs and its own (from its disk), owes
 * every peer what it lacks, writes the result to its disk, and then serves. It refuses (-1) when
 * a write of its own it answered PENDING is nowhere. 0 (*owed: the writes now owed to peers), or
 * -1 with err (the branch keeps refusing). */
int bank_branch_server_recover(bank_branch_server *s, const bank_peer *peers, size_t n,
                               int deadline_ms, size_t *owed, char *err, size_t errlen);

/* Propagations this branch still owes its peers (answered PENDING, or owed after a recovery). */
size_t bank_branch_server_owed(bank_branch_server *s);

/* Stops accepting, cancels what is in flight, joins its threads and frees everything. */
void bank_branch_server_stop(bank_branch_server *s);

#endif
