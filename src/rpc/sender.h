/* Every write a branch owes its peers, and the one way it is delivered. Each peer has one queue;
 * a call (Propagate_Batch) takes up to BANK_SENDER_BATCH_LIMIT writes of it, with at most one call
 * open per peer and BANK_SENDER_CALL_WINDOW per branch. A try the peer does not acknowledge (it
 * timed out, the peer was down or refused the connection, the message was lost) is tried again
 * after a backoff that doubles up to BANK_SENDER_MAX_BACKOFF_MS, until the peer acknowledges it
 * or the branch stops. A customer waiting on a write (its fan-out) is told once every peer has
 * acknowledged it, or, once some peer has not within the write's tries, that it is pending: the
 * write then simply stays in that peer's queue. It also keeps count of how far each peer has
 * acknowledged the branch's own writes: once every peer has a prefix of them, the branch may
 * fold that prefix into a checkpoint, and every batch says how far that is (compaction). */
#ifndef BANK_RPC_SENDER_H
#define BANK_RPC_SENDER_H

#include <stddef.h>
#include <stdint.h>

#include "core/session.h"
#include "core/write_log.h"
#include "delivery.h"
#include "engine.h"
#include "faults.h"
#include "timers.h"
#include "tls.h"

enum { BANK_SENDER_MAX_BACKOFF_MS = 2000 };

typedef struct {
    int64_t id;
    const char *target; /* host:port */
} bank_peer;

typedef struct bank_sender bank_sender;

typedef struct {
    int64_t self;            /* the sending branch (skipped among the peers) */
    bank_engine *engine;     /* its queue carries the calls; its channels reach the peers */
    bank_timers *timers;     /* retries and injected delays */
    bank_fault_dice *faults; /* optional: drop, duplicate or delay a write's first try */
    int deadline_ms;         /* of each call */
    int max_attempts;        /* tries before a waiting customer is told the write is pending */
    int backoff_ms;          /* the wait after a first failed try */
    const bank_tls *tls;     /* the branch's certificate for its calls to peers; NULL: plaintext */
    /* Optional, each called with hook_ctx, on whichever thread learns it, outside the sender's
     * lock: peer has acknowledged the branch's own writes 1..through (acked); every peer has
     * (stable: they may be folded); a write is about to be answered PENDING: mark_pending must
     * record that and then call then(arg, ok, why), at once or later (ok 0: it could not be
     * recorded, and the customer is told the write failed instead). */
    void (*acked)(void *hook_ctx, int64_t peer, uint64_t through);
    void (*stable)(void *hook_ctx, uint64_t through);
    bank_mark_pending_fn mark_pending;
    void *hook_ctx;
} bank_sender_config;

/* The queues for peers[0..n) but cfg->self. NULL with err when out of memory. */
bank_sender *bank_sender_start(const bank_sender_config *cfg, const bank_peer *peers, size_t n,
                               char *err, size_t errlen);

/* Sends w to every peer; done(waiter, ...) is called once, maybe before this returns (no peers,
 * out of memory, or the sender stopping). first_clock: the Lamport clock of the first send (spec
 * L2); the peer k-th in ascending id (from 0) gets first_clock + k; 0: no clock. */
void bank_sender_fan_out(bank_sender *s, const bank_logged_write *w, uint64_t first_clock,
                         bank_delivery_fn done, void *waiter);

/* Project 3's asynchronous propagation (spec C3): sends w to every peer with nobody waiting on
 * it, each first try through the injected faults as a fan-out's, owed until acknowledged; at
 * each peer it must follow `after` (sequence 0: nothing). A write that cannot be queued (out of
 * memory, or stopping) is not sent to that peer. */
void bank_sender_send(bank_sender *s, const bank_logged_write *w, bank_write_id after);

/* Owes peer the write w with nobody waiting on it (a recovered branch's catch-up). 0, or -1
 * (no such peer, out of memory, or stopping). */
int bank_sender_owe(bank_sender *s, int64_t peer, const bank_logged_write *w);

/* Whether id is one of the peers this sender reaches (never its own branch). */
int bank_sender_has_peer(const bank_sender *s, int64_t id);

/* Writes owed with nobody waiting: answered pending, owed after a recovery, or sent
 * asynchronously (bank_sender_send) and not yet acknowledged. */
size_t bank_sender_owed(bank_sender *s);

/* peer is known to have the branch's own writes 1..through (its store, or its log read in a
 * recovery). Nothing happens for a peer the sender does not know. */
void bank_sender_set_acked(bank_sender *s, int64_t peer, uint64_t through);


/* Stops sending: new writes fail at once, queued ones are given up (their customers told),
 * open calls are cancelled, and it returns once every call has ended. Stop the timers first,
 * or at least before bank_sender_free, so that no retry is left waiting. */
void bank_sender_stop(bank_sender *s);

/* After bank_sender_stop and bank_timers_stop. NULL is fine. */
void bank_sender_free(bank_sender *s);

#endif
