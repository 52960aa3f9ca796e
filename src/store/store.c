/* A branch's store: made or opened, written to, replaced, set aside (see store.h). */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pending_mark.h"
#include "store_private.h"

static const char schema[] =
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE log (origin INTEGER NOT NULL, seq INTEGER NOT NULL, withdraw INTEGER NOT NULL,"
    " money INTEGER NOT NULL, customer INTEGER NOT NULL, event INTEGER NOT NULL, sum INTEGER NOT NULL,"
    " PRIMARY KEY (origin, seq)) WITHOUT ROWID;"
    "CREATE TABLE checkpoint (origin INTEGER PRIMARY KEY, through INTEGER NOT NULL,"
    " net INTEGER NOT NULL, sum INTEGER NOT NULL);"
    "CREATE TABLE acked (peer INTEGER PRIMARY KEY, through INTEGER NOT NULL, sum INTEGER NOT NULL);";

static const char *const statement_sql[ST_COUNT] = {
    "INSERT OR IGNORE INTO log VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    "INSERT OR REPLACE INTO checkpoint VALUES (?1, ?2, ?3, ?4)",
    "DELETE FROM log WHERE origin = ?1 AND seq <= ?2",
    "INSERT OR REPLACE INTO acked VALUES (?1, ?2, ?3)",
};

int bank_sync_parse(const char *text, bank_sync *out)
{
    static const char *const names[] = {"always", "batch", "none"};
    for (int i = 0; i < 3; i++)
        if (strcmp(text, names[i]) == 0) {
            *out = (bank_sync)i;
            return 0;
        }
    return -1;
}

const char *bank_sync_name(bank_sync s)
{
    return s == BANK_SYNC_ALWAYS ? "always" : s == BANK_SYNC_BATCH ? "batch" : "none";
}

void bank_store_state_free(bank_store_state *st)
{
    bank_history_free(&st->history);
    free(st->acked);
    st->acked = NULL;
    st->n_acked = 0;
}

const char *bank_store_path(const bank_store *s) { return s->path; }
bank_sync bank_store_sync_mode(const bank_store *s) { return s->sync; }

int bank_store_fail(bank_store *s, char *err, size_t errlen, const char *doing)
{
    snprintf(err, errlen, "%s: %s: %s", s->path, doing, s->db ? sqlite3_errmsg(s->db) : "out of memory");
    return -1;
}

static int exec(bank_store *s, const char *sql, char *err, size_t errlen)
{
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : bank_store_fail(s, err, errlen, "cannot write");
}

static int set_synchronous(bank_store *s, int level, char *err, size_t errlen)
{
    if (level == s->synchronous) return 0;
    static const char *const sql[] = {"PRAGMA synchronous=OFF", "PRAGMA synchronous=NORMAL",
                                      "PRAGMA synchronous=FULL"};
    if (exec(s, sql[level], err, errlen) != 0) return -1;
    s->synchronous = level;
    return 0;
}

/* A new store: the schema and who it belongs to, in one commit. */
static int create(bank_store *s, char *err, size_t errlen)
{
    char identity[300];
    snprintf(identity, sizeof identity,
             "INSERT INTO meta VALUES ('format', %d), ('branch', %lld), ('balance', %lld), ('sum', %lld);",
             BANK_STORE_FORMAT, (long long)s->id, (long long)s->balance, (long long)bank_store_identity_sum(s->id, s->balance));
    if (exec(s, "BEGIN", err, errlen) != 0 || exec(s, schema, err, errlen) != 0 ||
        exec(s, identity, err, errlen) != 0 || exec(s, "COMMIT", err, errlen) != 0) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

static int open_db(bank_store *s, char *err, size_t errlen)
{
    int rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) return bank_store_fail(s, err, errlen, "cannot open");
    sqlite3_extended_result_codes(s->db, 1);
    s->synchronous = -1;
    return 0;
}

/* The store's way of writing, set once it is known to be this branch's. */
static int use_wal(bank_store *s, char *err, size_t errlen)
{
    int64_t ignored;
    int found;
    if (bank_store_query_int(s->db, "PRAGMA journal_mode=WAL", &ignored, &found) != SQLITE_OK)
        return bank_store_fail(s, err, errlen, "cannot write");
    /* The WAL is restarted after each checkpoint; this keeps its file from staying large. */
    if (exec(s, "PRAGMA journal_size_limit=8388608", err, errlen) != 0) return -1;
    return set_synchronous(s, s->sync == BANK_SYNC_ALWAYS ? 2 : s->sync == BANK_SYNC_BATCH ? 1 : 0, err, errlen);
}

static int prepare(bank_store *s, char *err, size_t errlen)
{
    for (int i = 0; i < ST_COUNT; i++)
        if (sqlite3_prepare_v3(s->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK)
            return bank_store_fail(s, err, errlen, "cannot prepare its statements");
    return 0;
}

static void close_db(bank_store *s)
{
    for (int i = 0; i < ST_COUNT; i++) {
        sqlite3_finalize(s->st[i]);
        s->st[i] = NULL;
    }
    sqlite3_close(s->db);
    s->db = NULL;
}

/* DIR made if it is not there, and locked for this process (flock on the directory itself, so
 * that a refused start leaves no file behind). */
static int take_dir(bank_store *s, char *err, size_t errlen)
{
    if (mkdir(s->dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot make %s: %s", s->dir, strerror(errno));
        return -1;
    }
    s->lock_fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s->lock_fd < 0) {
        snprintf(err, errlen, errno == ENOTDIR ? "%s is not a directory" : "cannot open %s: %s", s->dir,
                 strerror(errno));
        return -1;
    }
    if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(err, errlen, "%s is in use by another process (%s)", s->dir,
                 errno == EWOULDBLOCK ? "another branch holds it" : strerror(errno));
        return -1;
    }
    return 0;
}

bank_store *bank_store_open(const char *dir, int64_t id, int64_t balance, bank_sync sync,
                            bank_store_state *st, char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    bank_store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->lock_fd = -1;
    s->id = id;
    s->balance = balance;
    s->sync = sync;
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    snprintf(s->path, sizeof s->path, "%s/branch.db", dir);
    char mark_path[4200];
    snprintf(mark_path, sizeof mark_path, "%s/pending", dir);
    struct stat sb;
    if (take_dir(s, err, errlen) != 0) goto fail;
    int had_mark = stat(mark_path, &sb) == 0;
    /* Nothing is written before the store is known to be this branch's: a refusal leaves DIR as
     * it was. A new store is made whole (one commit) before DIR/pending says it exists. */
    if (open_db(s, err, errlen) != 0 || bank_store_identify(s, st, had_mark, err, errlen) != 0 ||
        (!st->damaged && use_wal(s, err, errlen) != 0) || (st->fresh && create(s, err, errlen) != 0) ||
        !(s->pending = bank_pending_mark_open(dir, id, !had_mark, &st->answered_pending, err, errlen)))
        goto fail;
    int rc;
    if (!st->damaged && (rc = bank_store_quick_check(s, st)) != SQLITE_OK) {
        bank_store_fail(s, err, errlen, "cannot read");
        goto fail;
    }
    if (!st->damaged && (rc = bank_store_load(s, st)) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot read: %s", s->path, sqlite3_errstr(rc));
        goto fail;
    }
    if (!st->damaged && prepare(s, err, errlen) != 0) goto fail;
    return s;
fail:
    bank_store_state_free(st);
    bank_store_close(s);
    return NULL;
}

static int bind_run(sqlite3_stmt *q, const int64_t *v, int n)
{
    sqlite3_reset(q);
    for (int i = 0; i < n; i++) sqlite3_bind_int64(q, i + 1, v[i]);
    return sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
}

static int write_all(bank_store *s, const bank_logged_write *writes, size_t n_writes,
                     const bank_checkpoint *folds, size_t n_folds, const bank_peer_ack *acks, size_t n_acks)
{
    for (size_t i = 0; i < n_writes; i++) {
        const bank_logged_write *w = &writes[i];
        int64_t v[7] = {w->origin, (int64_t)w->sequence, w->kind == BANK_WRITE_WITHDRAW, w->money,
                        w->customer_id, w->event_id, (int64_t)bank_store_log_sum(w)};
        if (bind_run(s->st[ST_INSERT], v, 7) != 0) return -1;
    }
    for (size_t i = 0; i < n_folds; i++) {
        const bank_checkpoint *c = &folds[i];
        int64_t v[4] = {c->origin, (int64_t)c->through, c->net, (int64_t)bank_store_checkpoint_sum(c)};
        if (bind_run(s->st[ST_CHECKPOINT], v, 4) != 0 || bind_run(s->st[ST_FOLD], v, 2) != 0) return -1;
    }
    for (size_t i = 0; i < n_acks; i++) {
        int64_t v[3] = {acks[i].peer, (int64_t)acks[i].through, (int64_t)bank_store_ack_sum(&acks[i])};
        if (bind_run(s->st[ST_ACK], v, 3) != 0) return -1;
    }
    return 0;
}

int bank_store_commit(bank_store *s, const bank_logged_write *writes, size_t n_writes,
                      const bank_checkpoint *folds, size_t n_folds, const bank_peer_ack *acks,
                      size_t n_acks, int to_disk, char *err, size_t errlen)
{
    if (s->damaged) {
        snprintf(err, errlen, "%s is damaged and was not set aside yet", s->path);
        return -1;
    }
    int level = s->sync == BANK_SYNC_ALWAYS ? 2 : s->sync == BANK_SYNC_BATCH ? 1 : 0;
    if (set_synchronous(s, level, err, errlen) != 0 || exec(s, "BEGIN", err, errlen) != 0) return -1;
    if (write_all(s, writes, n_writes, folds, n_folds, acks, n_acks) != 0) {
        bank_store_fail(s, err, errlen, "cannot write");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    if (exec(s, "COMMIT", err, errlen) != 0) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    /* A checkpoint syncs the WAL (then copies it into branch.db and syncs that): what batch mode
     * does every 100 ms. */
    if (to_disk && s->sync != BANK_SYNC_ALWAYS &&
        sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) != SQLITE_OK)
        return bank_store_fail(s, err, errlen, "cannot sync");
    return 0;
}

/* Renames branch.db and its WAL and shared-memory files *.damaged, and makes a new store. */
static int set_aside(bank_store *s, char *err, size_t errlen)
{
    close_db(s);
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char from[4300], to[4320];
        snprintf(from, sizeof from, "%s%s", s->path, suffix[i]);
        snprintf(to, sizeof to, "%s%s.damaged", s->path, suffix[i]);
        if (rename(from, to) != 0 && errno != ENOENT) {
            snprintf(err, errlen, "cannot set %s aside: %s", from, strerror(errno));
            return -1;
        }
    }
    if (open_db(s, err, errlen) != 0 || use_wal(s, err, errlen) != 0 || create(s, err, errlen) != 0 ||
        prepare(s, err, errlen) != 0)
        return -1;
    s->damaged = 0;
    return 0;
}

int bank_store_replace(bank_store *s, const bank_history *h, char *err, size_t errlen)
{
    if (s->damaged && set_aside(s, err, errlen) != 0) return -1;
    if (set_synchronous(s, 2, err, errlen) != 0 || exec(s, "BEGIN", err, errlen) != 0) return -1;
    if (exec(s, "DELETE FROM log; DELETE FROM checkpoint;", err, errlen) != 0 ||
        write_all(s, h->tail.items, h->tail.n, NULL, 0, NULL, 0) != 0) {
        bank_store_fail(s, err, errlen, "cannot write");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    for (size_t i = 0; i < h->checkpoints.n; i++) {
        const bank_checkpoint *c = &h->checkpoints.items[i];
        int64_t v[4] = {c->origin, (int64_t)c->through, c->net, (int64_t)bank_store_checkpoint_sum(c)};
        if (bind_run(s->st[ST_CHECKPOINT], v, 4) != 0) {
            bank_store_fail(s, err, errlen, "cannot write");
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    if (exec(s, "COMMIT", err, errlen) != 0) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

void bank_store_close(bank_store *s)
{
    if (!s) return;
    close_db(s);
    bank_pending_mark_close(s->pending);
    if (s->lock_fd >= 0) close(s->lock_fd);
    free(s);
}

int bank_store_mark_pending(bank_store *s, uint64_t sequence, char *err, size_t errlen)
{
    return bank_pending_mark_set(s->pending, sequence, s->sync != BANK_SYNC_NONE, err, errlen);
}
