/* What the store's tests share (tests/test_store*.c): a temporary directory, a write, a store
 * opened or refused, read back, changed behind SQLite's back, one holding a single write, and the
 * rows a WAL checkpoint has put in branch.db itself. */
#ifndef BANK_TESTS_STORE_FIXTURE_H
#define BANK_TESTS_STORE_FIXTURE_H

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/write_log.h"
#include "store/store.h"

static inline void temp_dir(char *out, size_t n)
{
    snprintf(out, n, "/tmp/bank-store-XXXXXX");
    cr_assert_not_null(mkdtemp(out));
}

static inline void remove_tree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static inline bank_logged_write lw(int64_t origin, uint64_t seq, int64_t money)
{
    return (bank_logged_write){BANK_WRITE_DEPOSIT, origin, seq, money, origin, (int64_t)seq};
}

static inline bank_store *open_ok(const char *dir, int64_t id, int64_t balance, bank_store_state *st)
{
    char err[600];
    bank_store *s = bank_store_open(dir, id, balance, BANK_SYNC_ALWAYS, st, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    return s;
}

static inline void refused(const char *dir, int64_t id, int64_t balance, const char *says)
{
    bank_store_state st;
    char err[600] = "";
    cr_assert_null(bank_store_open(dir, id, balance, BANK_SYNC_ALWAYS, &st, err, sizeof err));
    cr_expect(strstr(err, says) != NULL, "\"%s\" should say \"%s\"", err, says);
    cr_expect(strchr(err, '\n') == NULL, "one line");
}

/* Reads dir's store of branch 2 (--balance 100) back into st and closes it. */
static inline void read_back(const char *dir, bank_store_state *st)
{
    bank_store_close(open_ok(dir, 2, 100, st));
}

/* Runs sql on dir/branch.db through a connection of this test, behind the store's back (what a
 * torn page or another program can do); the rows it changed. */
static inline int change_behind_sqlites_back(const char *dir, const char *sql)
{
    char path[200];
    snprintf(path, sizeof path, "%s/branch.db", dir);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
    int changed = sqlite3_changes(db);
    sqlite3_close(db);
    return changed;
}

/* Rows of the log in branch.db itself, its WAL left out: what a checkpoint has put there. A copy
 * of the file alone, in copy_dir, is read (the journal's connection keeps the WAL); -1 when the
 * copy cannot be read (taken half way through a checkpoint). */
static inline int checkpointed_rows(const char *dir, const char *copy_dir)
{
    char from[200], to[200], side[220];
    snprintf(from, sizeof from, "%s/branch.db", dir);
    snprintf(to, sizeof to, "%s/copy.db", copy_dir);
    for (int i = 0; i < 2; i++) { /* the last copy's WAL and shared memory: this copy has none */
        snprintf(side, sizeof side, "%s%s", to, i ? "-shm" : "-wal");
        unlink(side);
    }
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    cr_assert(in && out);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) cr_assert_eq(fwrite(buf, 1, n, out), n);
    fclose(in);
    cr_assert_eq(fclose(out), 0);
    sqlite3 *db;
    sqlite3_stmt *q;
    int rows = -1;
    if (sqlite3_open(to, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM log", -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW) rows = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    return rows;
}

/* A store of branch 2 (balance 100) in a new dir, into dir; what it read back is dropped. */
static inline bank_store *new_store(char *dir, size_t dirlen)
{
    temp_dir(dir, dirlen);
    bank_store_state st;
    bank_store *s = open_ok(dir, 2, 100, &st);
    bank_store_state_free(&st);
    return s;
}

/* A store of branch 2 in a new dir, holding one committed write, 2.1. */
static inline bank_store *store_with_one_write(char *dir, size_t dirlen)
{
    char err[600];
    bank_store *s = new_store(dir, dirlen);
    bank_logged_write w = lw(2, 1, 10);
    cr_assert_eq(bank_store_commit(s, &w, 1, NULL, 0, NULL, 0, 0, err, sizeof err), 0, "%s", err);
    return s;
}

#endif
