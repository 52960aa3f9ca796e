/* A branch that restarts catches up before it serves: it reads every peer's history of applied
 * writes (bank.Branch/Snapshot, page by page: checkpoints and log), rebuilds its replica from its
 * initial balance and the union of those and of what it holds itself (read back from its disk,
 * or nothing), and owes every peer the writes of the union that peer lacks (its own writes that
 * reached only some peers before the crash included). */
#ifndef BANK_RPC_RECOVERY_H
#define BANK_RPC_RECOVERY_H

#include <stddef.h>
#include <stdint.h>

#include "core/history.h"
#include "sender.h"

/* Reads the whole history of every peer but self into logs[i] (n entries, zeroed by the caller;
 * free each with bank_history_free), over mutual TLS with the branch's own certificate when tls
 * is set. A peer that is down or itself recovering (UNAVAILABLE) is asked again every 100 ms;
 * every peer must answer within deadline_ms. 0, or -1 with err. */
int bank_recovery_collect(int64_t self, const bank_peer *peers, size_t n, int deadline_ms,
                          const bank_tls *tls, bank_history *logs, char *err, size_t errlen);

/* Rebuilds r from initial_balance and the union of r's own history and logs (each normalized in
 * place), then owes every peer, through the sender, the writes of the union it lacks (*owed counts
 * them). With own_writes_only (under TLS, where a peer accepts a write only from its origin,
 * spec R5) only this branch's own writes are owed: every other origin still owes its own.
 * promised: r's own writes 1..promised were answered (its pending mark): when the union lacks
 * one of them, nothing is changed and -1 says which is lost. Call under the branch's lock. 0, or
 * -1 with err: r unchanged when it could not be rebuilt, rebuilt when only owing failed (out of
 * memory); either way the branch should not serve. */
int bank_recovery_install(bank_replica *r, int64_t initial_balance, const bank_peer *peers,
                          size_t n, bank_history *logs, uint64_t promised, bank_sender *sender,
                          int own_writes_only, size_t *owed, char *err, size_t errlen);

/* After install, outside the branch's lock (the sender's hooks take it): tells the sender how far
 * each peer has self's own writes, by its history (logs[i] normalized). */
void bank_recovery_tell_acked(int64_t self, const bank_peer *peers, size_t n, const bank_history *logs,
                              bank_sender *sender);

#endif
