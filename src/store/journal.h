/* The journal: makes what a branch's replica did durable in its store, many requests at once.
 * Every request that changed or read the replica is noted under the branch's lock; what the
 * notes hold collects into the next commit while one writer thread commits the one before (group
 * commit: the writes that arrive during one sync share the next), and an answer that shows
 * something noted is held back until the commit holding it is durable (bank_sync says how far:
 * the disk, or the OS). Also the lazy part of the state: the checkpoints folds make and how far
 * each peer has acknowledged this branch's writes ride along with the next commit; and the mark
 * of writes answered PENDING. No gRPC here. */
#ifndef BANK_STORE_JOURNAL_H
#define BANK_STORE_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/replica.h"
#include "store.h"

typedef struct bank_journal bank_journal;

/* ok 1: durable; ok 0: it could not be made durable (why), or the journal stopped. */
typedef void (*bank_journal_fn)(void *arg, int ok, const char *why);

/* Starts the writer on store (which it now owns), everything r holds counting as durable already.
 * on_failure(ctx, why) is called once, from the writer, when a commit fails: nothing more will be
 * durable, and the branch must stop. NULL with err when the thread cannot start. */
bank_journal *bank_journal_start(bank_store *store, const bank_replica *r,
                                 void (*on_failure)(void *ctx, const char *why), void *ctx,
                                 char *err, size_t errlen);

/* Under the branch's lock, after a request changed or read r: takes what r logged and folded
 * since the last note into the next commit, and returns the ticket an answer that shows r must
 * wait for (0: what it shows is durable already). */
uint64_t bank_journal_note(bank_journal *j, const bank_replica *r);

/* fn(arg, 1, "") once ticket is durable (at once, on this thread, when it is already), or
 * fn(arg, 0, why) when it cannot be. Runs on the writer thread otherwise. */
void bank_journal_then(bank_journal *j, uint64_t ticket, bank_journal_fn fn, void *arg);

/* peer has acknowledged this branch's own writes 1..through: recorded with the next commit (a
 * record that lags only makes a restart send some writes again). */
void bank_journal_acked(bank_journal *j, int64_t peer, uint64_t through);

/* Records (DIR/pending, synced) that this branch's write `sequence` is answered PENDING, then
 * fn(arg, ok, why) from the writer. */
void bank_journal_pending(bank_journal *j, uint64_t sequence, bank_journal_fn fn, void *arg);

/* After a recovery rebuilt r: the store is made to hold exactly r's history, in one commit synced
 * to the disk, before this returns. 0, or -1 with err. */
int bank_journal_reset(bank_journal *j, const bank_replica *r, char *err, size_t errlen);

/* The commits that held writes so far (a figure: writes per sync). */
uint64_t bank_journal_commits(bank_journal *j);

/* Commits what is noted, answers every waiter, stops the writer; later calls answer at once
 * (ok 0). Then frees it, the store included. NULL is fine. */
void bank_journal_stop(bank_journal *j);
void bank_journal_free(bank_journal *j);

#endif
