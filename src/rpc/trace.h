/* One message a branch answered, as `bank run --trace` records it. The branch that receives a
 * request records it when it replies, so a record has both times on one clock. */
#ifndef BANK_RPC_TRACE_H
#define BANK_RPC_TRACE_H

#include <stdint.h>

typedef struct {
    int64_t t_recv_us;  /* when the branch took the request (CLOCK_REALTIME, microseconds) */
    int64_t t_reply_us; /* when it answered */
    const char *rpc;    /* "Query", "Deposit", ..., "Propagate_Deposit", "MsgDelivery", ... */
    int from_branch;    /* the sender is a branch (a propagation), else a customer */
    int64_t from_id;    /* the sender's id */
    int64_t to_id;      /* the branch that answered */
    int64_t customer_id, event_id;
    int64_t money;
    int64_t balance;    /* the answering branch's balance when it answered */
    const char *reply;  /* "success", "fail", "applied", "duplicate", or "error: <details>" */
    uint64_t clock_sent; /* the request's Lamport clock: its send's (0: it carried none) */
    uint64_t clock;      /* the answering branch's clock at its receive (0: no event, spec L1) */
} bank_trace_record;

/* Called from the branch's threads, possibly at once: the sink serialises. */
typedef void (*bank_trace_fn)(void *ctx, const bank_trace_record *r);

#endif
