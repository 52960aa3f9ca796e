/* How far each peer has acknowledged a branch's own writes, and how far every peer has: the
 * prefix of its writes the branch may fold into a checkpoint (compaction), which its batches
 * announce. Thread-safe; no gRPC. */
#ifndef BANK_RPC_ACK_COUNT_H
#define BANK_RPC_ACK_COUNT_H

#include <stddef.h>
#include <stdint.h>

typedef struct bank_ack_count bank_ack_count;

/* Told, outside the count's lock, on whichever thread moved it: a peer now has every write
 * 1..through (acked); every peer has (stable). Either may be NULL. */
typedef struct {
    void (*acked)(void *ctx, int64_t peer, uint64_t through);
    void (*stable)(void *ctx, uint64_t through);
    void *ctx;
} bank_ack_hooks;

/* For n peers, counted by index. NULL when out of memory. */
bank_ack_count *bank_ack_count_new(size_t n, bank_ack_hooks hooks);

/* Peer i (whose id is peer) has acknowledged write seq (whole_prefix: every write 1..seq). Out
 * of memory only makes the count lag, which is safe. */
void bank_ack_count_add(bank_ack_count *c, size_t i, int64_t peer, uint64_t seq, int whole_prefix);

/* No peers: every write the branch makes is everywhere at once. */
void bank_ack_count_all(bank_ack_count *c, uint64_t seq);

uint64_t bank_ack_count_stable(bank_ack_count *c);

void bank_ack_count_free(bank_ack_count *c);

#endif
