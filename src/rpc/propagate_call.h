/* One Propagate_Batch call to a peer: the writes packed into one message, sent on the engine's
 * completion queue, and each write's answer read from the reply. What is sent when, and what is
 * tried again, is the sender's (sender.c). */
#ifndef BANK_RPC_PROPAGATE_CALL_H
#define BANK_RPC_PROPAGATE_CALL_H

#include <grpc/grpc.h>
#include <stddef.h>

#include "core/session.h"
#include "core/write_log.h"

typedef struct {
    grpc_status_code status; /* OK: the peer has the write (applied now, or a duplicate) */
    const char *why;         /* what went wrong, when not OK */
} bank_write_answer;

/* answers[0..n): each write's answer, in the order sent; when the call as a whole failed, its
 * status for every write. Runs on an engine thread; the call is freed once it returns. */
typedef void (*bank_propagate_done_fn)(void *ctx, const bank_write_answer *answers, size_t n);

typedef struct bank_propagate_call bank_propagate_call;

/* One write as it goes to a peer: the write, the Lamport clock it is sent with (spec L3; 0: none),
 * and the write it must follow there (Project 3, spec C5; sequence 0: none). */
typedef struct {
    bank_logged_write w;
    uint64_t clock;
    bank_write_id after;
} bank_outgoing_write;

/* What a batch says besides its writes: every branch has acknowledged the sending branch's own
 * writes 1..acknowledged_through (0: nothing said), so the receiver may fold them (spec K5). */
typedef struct {
    int64_t from;
    uint64_t acknowledged_through;
} bank_batch_header;

/* Starts the call on ch (batch_handle: Propagate_Batch registered on it) carrying header and writes[0..n),
 * with no wait for a peer that is not ready: a refused connection ends it at once, UNAVAILABLE.
 * NULL when out of memory or when gRPC refuses to start it; done is then never called. */
bank_propagate_call *bank_propagate_call_start(grpc_channel *ch, void *batch_handle,
                                               grpc_completion_queue *cq, int deadline_ms,
                                               const bank_batch_header *header,
                                               const bank_outgoing_write *writes, size_t n,
                                               bank_propagate_done_fn done, void *ctx);

/* Ends it early: done follows, CANCELLED. */
void bank_propagate_call_cancel(bank_propagate_call *c);

#endif
