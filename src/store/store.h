/* A branch's state on disk (bank branch --data-dir DIR): its write log, its checkpoints, and how
 * far each peer has acknowledged its own writes, in DIR/branch.db, an SQLite database in WAL mode
 * (a commit is atomic, and a torn or cut tail of the WAL is dropped back to the last whole
 * commit by SQLite itself); every row carries a checksum, so a page damaged behind SQLite's back
 * is found when the store is opened. DIR/pending (pending_mark.h) says which of its own writes
 * the branch has answered PENDING. DIR/lock keeps a second process out. No gRPC here, and no
 * threads: the journal (journal.h) calls it from one thread at a time. */
#ifndef BANK_STORE_STORE_H
#define BANK_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/history.h"

typedef enum {
    BANK_SYNC_ALWAYS, /* every commit reaches the disk (fsync) before anything it holds is answered */
    BANK_SYNC_BATCH,  /* a commit reaches the OS before its answer; the disk at least every 100 ms */
    BANK_SYNC_NONE    /* a commit reaches the OS before its answer; the disk when the OS likes */
} bank_sync;

/* "always", "batch", "none" into *out; -1 for anything else. */
int bank_sync_parse(const char *text, bank_sync *out);
const char *bank_sync_name(bank_sync s);

typedef struct {
    int64_t peer;
    uint64_t through; /* the peer has acknowledged this branch's writes 1..through */
} bank_peer_ack;

/* What the store held when it was opened. */
typedef struct {
    int fresh;            /* nothing was there: created now */
    int damaged;          /* branch.db could not be read back whole (why says how): history is
                             empty, and bank_store_replace sets the damaged files aside */
    char why[300];
    bank_history history; /* checkpoints and log, normalized */
    bank_peer_ack *acked;
    size_t n_acked;
    uint64_t answered_pending; /* the highest own write answered PENDING (DIR/pending) */
} bank_store_state;

void bank_store_state_free(bank_store_state *st);

typedef struct bank_store bank_store;

/* Opens (creating DIR and the store when they are not there) the store of branch id with
 * initial balance `balance`, and reads it into *st. NULL with one line in err when DIR is not
 * usable: another process holds it, it belongs to another branch or was made with another
 * balance, a file in it cannot be read or is not a branch store, or the disk refuses the first
 * write. Damage a power loss can leave is not an error: see st->damaged. */
bank_store *bank_store_open(const char *dir, int64_t id, int64_t balance, bank_sync sync,
                            bank_store_state *st, char *err, size_t errlen);

/* One commit: writes appended (one already there is left as it is), then checkpoints taken
 * over (the log's writes they cover deleted), then acknowledgements recorded. to_disk: sync
 * this commit to the disk whatever the mode (batch mode's periodic sync). 0, or -1 with err and
 * nothing of it kept. */
int bank_store_commit(bank_store *s, const bank_logged_write *writes, size_t n_writes,
                      const bank_checkpoint *folds, size_t n_folds, const bank_peer_ack *acks,
                      size_t n_acks, int to_disk, char *err, size_t errlen);

/* Replaces the whole history with h (after a recovery), in one commit synced to the disk. A
 * damaged store is first set aside (branch.db and its -wal and -shm renamed *.damaged) and made
 * again. 0, or -1 with err. */
int bank_store_replace(bank_store *s, const bank_history *h, char *err, size_t errlen);

/* Records that this branch's own write `sequence` is answered PENDING (DIR/pending, synced to
 * the disk but with --sync none). 0, or -1 with err. */
int bank_store_mark_pending(bank_store *s, uint64_t sequence, char *err, size_t errlen);

/* The path of DIR/branch.db, for messages. */
const char *bank_store_path(const bank_store *s);
bank_sync bank_store_sync_mode(const bank_store *s);

void bank_store_close(bank_store *s);

#endif
