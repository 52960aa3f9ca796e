/* What a branch still owes its peers: propagations a peer did not acknowledge within a write's
 * tries (its customer was answered PENDING), and after a recovery the writes a peer lacks.
 * One thread, started by the first write owed, delivers them (over channels it opens when it
 * first needs them), per peer in the order owed, retrying every failed try after a
 * backoff that doubles up to 2 s, until the peer acknowledges or the branch stops. */
#ifndef BANK_RPC_OUTBOX_H
#define BANK_RPC_OUTBOX_H

#include <grpc/grpc.h>
#include <stddef.h>
#include <stdint.h>

#include "branch_server.h"
#include "core/replica.h"
#include "core/write_log.h"

enum { BANK_OUTBOX_MAX_BACKOFF_MS = 2000 };

typedef struct bank_outbox bank_outbox;

/* Starts the delivering thread for these peers (self skipped). deadline_ms: of each try;
 * backoff_ms: the first wait after a failed try. NULL with err on failure. */
bank_outbox *bank_outbox_start(int64_t self, const bank_peer *peers, size_t n, int deadline_ms,
                               int backoff_ms, char *err, size_t errlen);

/* Owes peer the write w, sent as the ordinary propagation its origin sent. 0, or -1 (out of
 * memory, or no such peer). */
int bank_outbox_owe(bank_outbox *o, int64_t peer, const bank_logged_write *w);

/* How many propagations are owed now (to every peer), and how many were given up because a
 * peer refused them for good (an error other than UNAVAILABLE or DEADLINE_EXCEEDED). */
size_t bank_outbox_owed(bank_outbox *o);
size_t bank_outbox_refused(bank_outbox *o);

/* Stops the thread (a try under way is cancelled) and drops what is still owed. NULL is fine. */
void bank_outbox_stop(bank_outbox *o);

#endif
