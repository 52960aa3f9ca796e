/* bank.Branch/Snapshot: a page of a branch's history (its checkpoints and its write log),
 * answered and read without the network (protobuf-c and the core only), so the server, the
 * recovering branch and tests share it. */
#ifndef BANK_RPC_SNAPSHOT_H
#define BANK_RPC_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "core/history.h"

enum { BANK_SNAPSHOT_PAGE = 4096 }; /* writes per reply at most */

/* The packed SnapshotReply to request bytes data[0..len) from the branch holding r (call under
 * its lock: the page, the checkpoints and the balance are taken at one instant). Returns a gRPC
 * status: 0 with *out (malloc'd, *out_len bytes; may be NULL for an empty message), or
 * INVALID_ARGUMENT / RESOURCE_EXHAUSTED with *details (static text). */
int bank_snapshot_answer(const bank_replica *r, const uint8_t *data, size_t len, uint8_t **out,
                         size_t *out_len, const char **details);

/* The packed SnapshotRequest for the page starting at position first (malloc'd). NULL when out
 * of memory. */
uint8_t *bank_snapshot_request(uint64_t first, size_t *len);

/* What a page said besides its writes. */
typedef struct {
    uint64_t next;  /* the position after its last write: where the next page starts */
    uint64_t total; /* the position after the branch's last logged write */
    int64_t balance;
} bank_snapshot_page;

/* Reads a packed SnapshotReply: appends its writes to into's tail, merges its checkpoints into
 * into's (not normalized: bank_history_normalize once every page is read), fills *page.
 * 0, or -1 with into as it was (malformed bytes, or out of memory). */
int bank_snapshot_read(const uint8_t *data, size_t len, bank_history *into, bank_snapshot_page *page);

#endif
