/* The server's configuration and state, and one incoming call, as server.c, replies.c and
 * server_call.c share them (outside src/rpc, only bank_server_config is for use). */
#ifndef BANK_RPC_SERVER_CALL_H
#define BANK_RPC_SERVER_CALL_H

#include <grpc/grpc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "core/replica.h"
#include "engine.h"
#include "faults.h"
#include "sender.h"
#include "timers.h"
#include "tls.h"
#include "trace.h"

typedef struct bank_server bank_server;
typedef struct bank_parked bank_parked; /* parked.h */

typedef struct {
    int64_t id;
    const char *listen;           /* "127.0.0.1:0" lets the OS pick the port */
    bank_engine *engine;
    int serve_echo;               /* also serve BANK_PATH_ECHO (benchmarks only) */
    bank_replica *replica;        /* the branch's, guarded by replica_lock */
    pthread_mutex_t *replica_lock;
    bank_timers *timers;          /* for replies an injected fault holds back */
    bank_fault_dice *faults;      /* optional */
    bank_trace_fn trace;          /* optional: told of every request answered */
    void *trace_ctx;
    int recovering;               /* refuse every request UNAVAILABLE "recovering" until
                                     bank_server_recovered */
    int hold_ms;                  /* Project 3: the longest a session's request waits for its
                                     customer's writes (parked.h); 0: 10000 */
    const bank_tls *tls;          /* mutual TLS, and every method authorised by the caller's
                                     role (spec R3); NULL: plaintext, anyone may call anything */
    int snapshot_while_recovering; /* but serve Snapshot (a replica read back from its disk) */
    /* Optional (--data-dir): no answer shows what is not durable. durable_note(durable_ctx),
     * under the replica's lock after a request changed or read it, gives the ticket its answer
     * waits for (0: none); durable_then calls fn once that ticket is durable (ok 1) or cannot be
     * (ok 0, why). */
    uint64_t (*durable_note)(void *durable_ctx);
    void (*durable_then)(void *durable_ctx, uint64_t ticket,
                         void (*fn)(void *arg, int ok, const char *why), void *arg);
    void *durable_ctx;
} bank_server_config;


enum method {
    M_QUERY,
    M_DEPOSIT,
    M_WITHDRAW,
    M_PROPAGATE_DEPOSIT,
    M_PROPAGATE_WITHDRAW,
    M_MSG_DELIVERY,
    M_MSG_PROPAGATION,
    M_PROPAGATE_BATCH,
    M_ECHO,
    M_SNAPSHOT, /* a page of the write log, for a branch that recovers (recovery.c) */
    M_COUNT,
    /* A call to a path no method is registered for: answered UNIMPLEMENTED at once. Without a
     * request posted for such calls, the C core would hold them until the caller's deadline. */
    M_UNKNOWN = M_COUNT
};

/* The method names a trace uses. */
extern const char *const bank_method_name[M_COUNT];

struct bank_server {
    bank_server_config cfg;
    int port;
    grpc_server *server;
    grpc_completion_queue *cq; /* the engine's */
    void *method_handle[M_COUNT];
    _Atomic(bank_sender *) sender; /* NULL until the peers are known */
    bank_parked *parked;           /* Project 3's held requests */
    atomic_int recovering;
    atomic_int stopping;

    pthread_mutex_t drain_lock; /* guards outstanding and shutdown_seen */
    pthread_cond_t drained;
    long outstanding;  /* tags given to the queue whose event has not been handled yet */
    int shutdown_seen; /* the server's shutdown completed */
    bank_engine_tag shutdown_tag;
};

/* What a customer's write answers once the sender has settled it. */
typedef enum { REPLY_BANK, REPLY_COURSE } reply_form;

typedef struct {
    bank_engine_tag tag; /* first: the engine hands this back */
    bank_server *srv;
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
    int64_t customer_id, event_id;
    int64_t t_recv_us, money, from_id; /* for the trace */
    int from_branch;
    long long hold_since_ms, hold_until_ms; /* Project 3: parked since, until (0: never parked) */

    bank_identity caller;  /* under TLS: who called, from the certificate */
    int64_t sender_branch; /* what branch_logic.c takes as the sender (BANK_SENDER_...) */
    uint64_t clock_sent, clock; /* the request's Lamport clock, and this branch's at its receive */
} server_call;

/* server_call.c: counts a tag given to the queue; untrack once its event is handled. */
void bank_server_track(bank_server *s);
void bank_server_untrack(bank_server *s);
void bank_server_call_free(server_call *c);
/* The tag event of a reply sent: frees the call, untracks it. */
void bank_server_on_replied(bank_engine_tag *tag, int ok);

#endif
