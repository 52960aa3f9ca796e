/* How far each peer has acknowledged a branch's own writes, and how far every peer has: the
 * prefix of its writes the branch may fold into a checkpoint (compaction), which its batches
 * announce. Thread-safe; no gRPC. */
#ifndef BANK_RPC_ACK_COUNT_H
#define BANK_RPC_ACK_COUNT_H

#include <stddef.h>
#include <stdint.h>

typedef struct bank_ack_count bank_ack_count;

/* For n peers (0 to n-1). NULL when out of memory. */
bank_ack_count *bank_ack_count_new(size_t n);

/* Peer i has acknowledged write seq (whole_prefix: every write 1..seq). *peer_through is how far
 * peer i now has every write, when that moved (else 0); *stable how far every peer has, when
 * that moved (else 0). Out of memory only makes the count lag, which is safe. */
void bank_ack_count_add(bank_ack_count *c, size_t i, uint64_t seq, int whole_prefix,
                        uint64_t *peer_through, uint64_t *stable);

/* No peers: every write the branch makes is everywhere at once. */
void bank_ack_count_all(bank_ack_count *c, uint64_t seq);

uint64_t bank_ack_count_stable(bank_ack_count *c);

void bank_ack_count_free(bank_ack_count *c);

#endif
