/* What store.c (opening the store, writing to it) and store_read.c (reading it back and checking
 * it) share: the store itself and its records' checksums. Not for use outside src/store. */
#ifndef BANK_STORE_STORE_PRIVATE_H
#define BANK_STORE_STORE_PRIVATE_H

#include <sqlite3.h>

#include "pending_mark.h"
#include "store.h"

enum { BANK_STORE_FORMAT = 1 };

/* The statements every commit uses, prepared once. */
enum { ST_INSERT, ST_CHECKPOINT, ST_FOLD, ST_ACK, ST_COUNT };

struct bank_store {
    char dir[4096], path[4200];
    int64_t id, balance;
    bank_sync sync;
    int lock_fd;
    bank_pending_mark *pending;
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    int synchronous; /* the PRAGMA synchronous in force: 2 FULL, 1 NORMAL, 0 OFF */
    int damaged;
};

/* One line "PATH: DOING: SQLite's message" into err; returns -1. */
int bank_store_fail(bank_store *s, char *err, size_t errlen, const char *doing);

/* Runs a one-column query: *value is its first row's int64 (*found 0 when no row). SQLite's status. */
int bank_store_query_int(sqlite3 *db, const char *sql, int64_t *value, int *found);

/* Each record's checksum, as stored. */
uint64_t bank_store_log_sum(const bank_logged_write *w);
uint64_t bank_store_checkpoint_sum(const bank_checkpoint *c);
uint64_t bank_store_ack_sum(const bank_peer_ack *a);
uint64_t bank_store_identity_sum(int64_t id, int64_t balance);

/* store_read.c. Whose store branch.db is, or that there is none yet (st->fresh) or it is damaged
 * (st->damaged); 0, or -1 with err: not a branch store, another branch's, unreadable. had_mark:
 * DIR/pending is there, so a store was made here before. */
int bank_store_identify(bank_store *s, bank_store_state *st, int had_mark, char *err, size_t errlen);

/* SQLite's own look at the file's structure; SQLITE_OK (st->damaged when it found damage). */
int bank_store_quick_check(bank_store *s, bank_store_state *st);

/* Every table into st, each record's checksum checked; SQLITE_OK (st->damaged when a record or
 * SQLite says the file is damaged), or another status for an error (I/O, memory). */
int bank_store_load(bank_store *s, bank_store_state *st);

#endif
