/* bank.Branch/Snapshot: a page of a branch's write log, answered and read without the network
 * (protobuf-c and the core only), so the server, the recovering branch and tests share it. */
#ifndef BANK_RPC_SNAPSHOT_H
#define BANK_RPC_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "core/write_log.h"

enum { BANK_SNAPSHOT_PAGE = 4096 }; /* writes per reply at most */

/* The packed SnapshotReply to request bytes data[0..len) from the branch holding r (call under
 * its lock: the page and the balance are taken at one instant). Returns a gRPC status: 0 with
 * *out (malloc'd, *out_len bytes; may be NULL for an empty message), or INVALID_ARGUMENT /
 * RESOURCE_EXHAUSTED with *details (static text). */
int bank_snapshot_answer(const bank_replica *r, const uint8_t *data, size_t len, uint8_t **out,
                         size_t *out_len, const char **details);

/* The packed SnapshotRequest for the page starting at first (malloc'd). NULL when out of memory. */
uint8_t *bank_snapshot_request(uint64_t first, size_t *len);

/* Reads a packed SnapshotReply: appends its writes to into, sets *total and *balance.
 * 0, or -1 with into as it was (malformed bytes, or out of memory). */
int bank_snapshot_read(const uint8_t *data, size_t len, bank_write_log *into, uint64_t *total,
                       int64_t *balance);

#endif
