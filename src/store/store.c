/* A branch's state on disk, in SQLite (see store.h). */
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

#include "checksum.h"
#include "pending_mark.h"

enum { FORMAT = 1 };

static const char schema[] =
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE log (origin INTEGER NOT NULL, seq INTEGER NOT NULL, withdraw INTEGER NOT NULL,"
    " money INTEGER NOT NULL, customer INTEGER NOT NULL, event INTEGER NOT NULL, sum INTEGER NOT NULL,"
    " PRIMARY KEY (origin, seq)) WITHOUT ROWID;"
    "CREATE TABLE checkpoint (origin INTEGER PRIMARY KEY, through INTEGER NOT NULL,"
    " net INTEGER NOT NULL, sum INTEGER NOT NULL);"
    "CREATE TABLE acked (peer INTEGER PRIMARY KEY, through INTEGER NOT NULL, sum INTEGER NOT NULL);";

enum { ST_INSERT, ST_CHECKPOINT, ST_FOLD, ST_ACK, ST_COUNT };
static const char *const statement_sql[ST_COUNT] = {
    "INSERT OR IGNORE INTO log VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    "INSERT OR REPLACE INTO checkpoint VALUES (?1, ?2, ?3, ?4)",
    "DELETE FROM log WHERE origin = ?1 AND seq <= ?2",
    "INSERT OR REPLACE INTO acked VALUES (?1, ?2, ?3)",
};

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
const char *bank_store_dir(const bank_store *s) { return s->dir; }
bank_sync bank_store_sync_mode(const bank_store *s) { return s->sync; }

static int fail(bank_store *s, char *err, size_t errlen, const char *doing)
{
    snprintf(err, errlen, "%s: %s: %s", s->path, doing, s->db ? sqlite3_errmsg(s->db) : "out of memory");
    return -1;
}

static int exec(bank_store *s, const char *sql, char *err, size_t errlen)
{
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : fail(s, err, errlen, "cannot write");
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

static uint64_t log_sum(const bank_logged_write *w)
{
    int64_t v[6] = {w->origin, (int64_t)w->sequence, w->kind == BANK_WRITE_WITHDRAW, w->money,
                    w->customer_id, w->event_id};
    return bank_checksum_fields(v, 6);
}

static uint64_t checkpoint_sum(const bank_checkpoint *c)
{
    int64_t v[3] = {c->origin, (int64_t)c->through, c->net};
    return bank_checksum_fields(v, 3);
}

static uint64_t ack_sum(const bank_peer_ack *a)
{
    int64_t v[2] = {a->peer, (int64_t)a->through};
    return bank_checksum_fields(v, 2);
}

static uint64_t identity_sum(int64_t id, int64_t balance)
{
    int64_t v[3] = {FORMAT, id, balance};
    return bank_checksum_fields(v, 3);
}

/* ---- reading it back ---- */

/* Runs a one-column query; *value is its int64 (or NULL-as-absent: *found 0). SQLite's status. */
static int query_int(sqlite3 *db, const char *sql, int64_t *value, int *found)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    if (rc != SQLITE_OK) return rc;
    *found = 0;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *found = 1;
        *value = sqlite3_column_int64(q, 0);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    return rc;
}

static int is_damage(int rc) { return (rc & 0xff) == SQLITE_CORRUPT; }

static void damaged(bank_store *s, bank_store_state *st, const char *why)
{
    s->damaged = st->damaged = 1;
    const char *header = "*** in database main ***"; /* quick_check's, before its findings */
    if (strncmp(why, header, strlen(header)) == 0) why += strlen(header);
    while (*why == '\n' || *why == ' ') why++;
    snprintf(st->why, sizeof st->why, "%s", why);
    for (char *c = st->why; *c; c++)
        if (*c == '\n') *c = ';'; /* one line */
    bank_store_state_free(st);
    memset(&st->history, 0, sizeof st->history);
}

/* Reads every table into st, checking each row's sum. SQLITE_OK (st->damaged when a row or
 * SQLite says the file is damaged), or another status for an error (I/O, memory). */
static int load(bank_store *s, bank_store_state *st)
{
    static const char *const sql[3] = {
        "SELECT origin, through, net, sum FROM checkpoint",
        "SELECT origin, seq, withdraw, money, customer, event, sum FROM log",
        "SELECT peer, through, sum FROM acked"};
    for (int t = 0; t < 3 && !st->damaged; t++) {
        sqlite3_stmt *q;
        int rc = sqlite3_prepare_v2(s->db, sql[t], -1, &q, NULL);
        while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
            rc = SQLITE_OK;
            int64_t c[7] = {0};
            for (int i = 0; i < sqlite3_column_count(q) && i < 7; i++) c[i] = sqlite3_column_int64(q, i);
            int ok = 1;
            bank_status added = BANK_OK;
            if (t == 0) {
                bank_checkpoint cp = {c[0], (uint64_t)c[1], c[2]};
                ok = checkpoint_sum(&cp) == (uint64_t)c[3];
                if (ok) added = bank_checkpoints_merge(&st->history.checkpoints, &cp);
            } else if (t == 1) {
                bank_logged_write w = {c[2] ? BANK_WRITE_WITHDRAW : BANK_WRITE_DEPOSIT, c[0],
                                       (uint64_t)c[1], c[3], c[4], c[5]};
                ok = log_sum(&w) == (uint64_t)c[6] && w.sequence > 0 && w.money >= 0;
                if (ok) added = bank_write_log_add(&st->history.tail, &w);
            } else {
                bank_peer_ack a = {c[0], (uint64_t)c[1]};
                ok = ack_sum(&a) == (uint64_t)c[2];
                bank_peer_ack *grown = ok ? realloc(st->acked, (st->n_acked + 1) * sizeof *grown) : st->acked;
                if (!grown) added = BANK_NO_MEMORY;
                else if (ok) (st->acked = grown)[st->n_acked++] = a;
            }
            if (added != BANK_OK) rc = SQLITE_NOMEM;
            else if (!ok) {
                damaged(s, st, "a record's checksum does not match it");
                rc = SQLITE_DONE;
            }
        }
        sqlite3_finalize(q);
        if (is_damage(rc)) damaged(s, st, sqlite3_errstr(rc));
        else if (rc != SQLITE_DONE && rc != SQLITE_OK) return rc;
    }
    if (!st->damaged) bank_history_normalize(&st->history);
    return SQLITE_OK;
}

/* SQLite's own look at the file's structure (a cut or torn page shows here). */
static int quick_check(bank_store *s, bank_store_state *st)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &q, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *verdict = (const char *)sqlite3_column_text(q, 0);
        if (!verdict || strcmp(verdict, "ok") != 0) damaged(s, st, verdict ? verdict : "quick_check failed");
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    if (is_damage(rc)) {
        damaged(s, st, sqlite3_errstr(rc));
        rc = SQLITE_OK;
    }
    return rc;
}

/* A new store: the schema and who it belongs to, in one commit. */
static int create(bank_store *s, char *err, size_t errlen)
{
    char identity[300];
    snprintf(identity, sizeof identity,
             "INSERT INTO meta VALUES ('format', %d), ('branch', %lld), ('balance', %lld), ('sum', %lld);",
             FORMAT, (long long)s->id, (long long)s->balance, (long long)identity_sum(s->id, s->balance));
    if (exec(s, "BEGIN", err, errlen) != 0) return -1;
    if (exec(s, schema, err, errlen) != 0 || exec(s, identity, err, errlen) != 0 ||
        exec(s, "COMMIT", err, errlen) != 0) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

/* Whose store it is: 0 this branch's (or damaged, noted in st), -1 with err another's. */
static int check_identity(bank_store *s, bank_store_state *st, char *err, size_t errlen)
{
    int64_t format = 0, id = 0, balance = 0, sum = 0;
    int f1, f2, f3, f4;
    int rc = query_int(s->db, "SELECT value FROM meta WHERE key = 'format'", &format, &f1);
    if (rc == SQLITE_OK) rc = query_int(s->db, "SELECT value FROM meta WHERE key = 'branch'", &id, &f2);
    if (rc == SQLITE_OK) rc = query_int(s->db, "SELECT value FROM meta WHERE key = 'balance'", &balance, &f3);
    if (rc == SQLITE_OK) rc = query_int(s->db, "SELECT value FROM meta WHERE key = 'sum'", &sum, &f4);
    if (is_damage(rc) || (rc == SQLITE_OK && (!f1 || !f2 || !f3 || !f4 ||
                                               (uint64_t)sum != identity_sum(id, balance) || format != FORMAT))) {
        if (rc == SQLITE_OK && f1 && format != FORMAT) {
            snprintf(err, errlen, "%s: store format %lld, this bank reads format %d", s->path,
                     (long long)format, FORMAT);
            return -1;
        }
        damaged(s, st, is_damage(rc) ? sqlite3_errstr(rc) : "its identity record is damaged");
        return 0;
    }
    if (rc != SQLITE_OK) return fail(s, err, errlen, "cannot read");
    if (id != s->id) {
        snprintf(err, errlen, "%s holds branch %lld's state, not branch %lld's (give each branch its own "
                              "--data-dir)", s->dir, (long long)id, (long long)s->id);
        return -1;
    }
    if (balance != s->balance) {
        snprintf(err, errlen, "%s was made for branch %lld with --balance %lld, not %lld", s->dir,
                 (long long)id, (long long)balance, (long long)s->balance);
        return -1;
    }
    return 0;
}

static int open_db(bank_store *s, char *err, size_t errlen)
{
    int rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) return fail(s, err, errlen, "cannot open");
    sqlite3_extended_result_codes(s->db, 1);
    s->synchronous = -1;
    return 0;
}

/* The store's way of writing, set once it is known to be this branch's. */
static int use_wal(bank_store *s, char *err, size_t errlen)
{
    int64_t ignored;
    int found;
    if (query_int(s->db, "PRAGMA journal_mode=WAL", &ignored, &found) != SQLITE_OK)
        return fail(s, err, errlen, "cannot write");
    /* The WAL is restarted after each checkpoint; this keeps its file from staying large. */
    if (exec(s, "PRAGMA journal_size_limit=8388608", err, errlen) != 0) return -1;
    return set_synchronous(s, s->sync == BANK_SYNC_ALWAYS ? 2 : s->sync == BANK_SYNC_BATCH ? 1 : 0, err, errlen);
}

static int prepare(bank_store *s, char *err, size_t errlen)
{
    for (int i = 0; i < ST_COUNT; i++)
        if (sqlite3_prepare_v3(s->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK)
            return fail(s, err, errlen, "cannot prepare its statements");
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

/* Whose store branch.db is, or that there is none yet (st->fresh) or it is damaged. 0, or -1
 * with err: not a branch store, another branch's, unreadable. had_mark: DIR/pending is there,
 * so a store was made here before. */
static int identify(bank_store *s, bank_store_state *st, int had_mark, char *err, size_t errlen)
{
    int64_t tables = 0, has_meta = 0;
    int found;
    int rc = query_int(s->db, "SELECT count(*) FROM sqlite_master", &tables, &found);
    if (rc == SQLITE_OK)
        rc = query_int(s->db, "SELECT count(*) FROM sqlite_master WHERE name = 'meta'", &has_meta, &found);
    if ((rc & 0xff) == SQLITE_NOTADB && had_mark) { /* its first page torn */
        damaged(s, st, sqlite3_errstr(rc));
        return 0;
    }
    if ((rc & 0xff) == SQLITE_NOTADB) {
        snprintf(err, errlen, "%s is not a bank branch store (%s)", s->path, sqlite3_errstr(rc));
        return -1;
    }
    if (is_damage(rc)) damaged(s, st, sqlite3_errstr(rc));
    else if (rc != SQLITE_OK) return fail(s, err, errlen, "cannot read");
    else if (tables == 0 && had_mark)
        damaged(s, st, "it is empty, but DIR/pending says a store was made here");
    else if (tables == 0) st->fresh = 1;
    else if (!has_meta) {
        snprintf(err, errlen, "%s is not a bank branch store (an SQLite database of something else)", s->path);
        return -1;
    } else {
        return check_identity(s, st, err, errlen);
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
    if (open_db(s, err, errlen) != 0 || identify(s, st, had_mark, err, errlen) != 0 ||
        (!st->damaged && use_wal(s, err, errlen) != 0) || (st->fresh && create(s, err, errlen) != 0) ||
        !(s->pending = bank_pending_mark_open(dir, id, !had_mark, &st->answered_pending, err, errlen)))
        goto fail;
    int rc;
    if (!st->damaged && (rc = quick_check(s, st)) != SQLITE_OK) {
        fail(s, err, errlen, "cannot read");
        goto fail;
    }
    if (!st->damaged && (rc = load(s, st)) != SQLITE_OK) {
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
                        w->customer_id, w->event_id, (int64_t)log_sum(w)};
        if (bind_run(s->st[ST_INSERT], v, 7) != 0) return -1;
    }
    for (size_t i = 0; i < n_folds; i++) {
        const bank_checkpoint *c = &folds[i];
        int64_t v[4] = {c->origin, (int64_t)c->through, c->net, (int64_t)checkpoint_sum(c)};
        if (bind_run(s->st[ST_CHECKPOINT], v, 4) != 0 || bind_run(s->st[ST_FOLD], v, 2) != 0) return -1;
    }
    for (size_t i = 0; i < n_acks; i++) {
        int64_t v[3] = {acks[i].peer, (int64_t)acks[i].through, (int64_t)ack_sum(&acks[i])};
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
        fail(s, err, errlen, "cannot write");
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
        return fail(s, err, errlen, "cannot sync");
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
        fail(s, err, errlen, "cannot write");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    for (size_t i = 0; i < h->checkpoints.n; i++) {
        const bank_checkpoint *c = &h->checkpoints.items[i];
        int64_t v[4] = {c->origin, (int64_t)c->through, c->net, (int64_t)checkpoint_sum(c)};
        if (bind_run(s->st[ST_CHECKPOINT], v, 4) != 0) {
            fail(s, err, errlen, "cannot write");
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

uint64_t bank_store_disk_bytes(const bank_store *s)
{
    uint64_t total = 0;
    static const char *const suffix[] = {"", "-wal"};
    for (int i = 0; i < 2; i++) {
        char p[4300];
        struct stat sb;
        snprintf(p, sizeof p, "%s%s", s->path, suffix[i]);
        if (stat(p, &sb) == 0) total += (uint64_t)sb.st_size;
    }
    return total;
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
