/* A customer's write on its way to every peer, as the sender settles it peer by peer: once every
 * peer has acknowledged it, been owed it (pending), or failed it, the customer is told once, the
 * first failure named. A pending answer is recorded first when a branch keeps a pending mark
 * (--data-dir). No gRPC here. */
#ifndef BANK_RPC_DELIVERY_H
#define BANK_RPC_DELIVERY_H

#include <stddef.h>
#include <stdint.h>

/* What became of a write a customer waits on. */
typedef enum {
    BANK_DELIVERY_ACKNOWLEDGED, /* every peer has it */
    BANK_DELIVERY_PENDING,      /* some peer did not acknowledge it within the tries: still owed */
    BANK_DELIVERY_FAILED        /* some peer refused it for good, or the branch stopped */
} bank_delivery;

/* Called once per fan-out, from whichever thread settles it; failure names the first peer that
 * failed and why (BANK_DELIVERY_FAILED only). */
typedef void (*bank_delivery_fn)(void *waiter, bank_delivery outcome, const char *failure);

/* Optional: records that write `sequence` is answered PENDING, then calls then(arg, ok, why). */
typedef void (*bank_mark_pending_fn)(void *ctx, uint64_t sequence,
                                     void (*then)(void *arg, int ok, const char *why), void *arg);

typedef struct bank_fan_out bank_fan_out;

/* For write `sequence` going to `peers` peers. NULL when out of memory. */
bank_fan_out *bank_fan_out_new(size_t peers, uint64_t sequence, bank_delivery_fn done, void *waiter,
                               bank_mark_pending_fn mark_pending, void *mark_ctx);

/* One peer is settled: it acknowledged (as it is), is owed the write (after _pending), or failed
 * it (after _failed). The last one tells the customer and frees f. */
void bank_fan_out_settled(bank_fan_out *f);
void bank_fan_out_pending(bank_fan_out *f);
void bank_fan_out_failed(bank_fan_out *f, const char *what, int64_t peer, const char *why);

#endif
