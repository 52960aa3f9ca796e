/* A branch's store on disk (store/store.c, pending_mark.c) and the journal that commits to it
 * (store/journal.c): what is committed is read back, refusals leave the directory as it was,
 * damage is found, and answers wait for the commit holding what they show. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/history.h"
#include "core/write_log.h"
#include "oom_sweep.h"
#include "store/journal.h"
#include "store/pending_mark.h"
#include "store/store.h"
#include "store/store_private.h" /* the PRAGMA synchronous in force: K2 says which, nothing else shows it */

static void temp_dir(char *out, size_t n)
{
    snprintf(out, n, "/tmp/bank-store-XXXXXX");
    cr_assert_not_null(mkdtemp(out));
}

static void remove_tree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static bank_logged_write lw(int64_t origin, uint64_t seq, int64_t money)
{
    return (bank_logged_write){BANK_WRITE_DEPOSIT, origin, seq, money, origin, (int64_t)seq};
}

static bank_store *open_ok(const char *dir, int64_t id, int64_t balance, bank_store_state *st)
{
    char err[600];
    bank_store *s = bank_store_open(dir, id, balance, BANK_SYNC_ALWAYS, st, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    return s;
}

static void refused(const char *dir, int64_t id, int64_t balance, const char *says)
{
    bank_store_state st;
    char err[600] = "";
    cr_assert_null(bank_store_open(dir, id, balance, BANK_SYNC_ALWAYS, &st, err, sizeof err));
    cr_expect(strstr(err, says) != NULL, "\"%s\" should say \"%s\"", err, says);
    cr_expect(strchr(err, '\n') == NULL, "one line");
}

/* Reads dir's store of branch 2 (--balance 100) back into st and closes it. */
static void read_back(const char *dir, bank_store_state *st)
{
    bank_store_close(open_ok(dir, 2, 100, st));
}

/* Every file of dir and its bytes, as one text, to see that a refusal changed nothing. */
static char *snapshot_dir(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "cd '%s' && ls -lA --time-style=+ . | sed 's/  */ /g' && cat * 2>/dev/null | md5sum", dir);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char *text = calloc(1, 65536);
    size_t n = fread(text, 1, 65535, p);
    text[n] = '\0';
    pclose(p);
    return text;
}

/* Runs sql on dir/branch.db through a connection of this test, behind the store's back (what a
 * torn page or another program can do); the rows it changed. */
static int change_behind_sqlites_back(const char *dir, const char *sql)
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

/* rule: K1, K5 */
Test(store, what_is_committed_is_read_back)
{
    char dir[64];
    temp_dir(dir, sizeof dir);
    bank_store_state st;
    bank_store *s = open_ok(dir, 2, 100, &st);
    cr_expect(st.fresh && !st.damaged && st.history.tail.n == 0 && st.answered_pending == 0);
    bank_store_state_free(&st);
    char err[600];
    bank_logged_write w[] = {lw(2, 1, 10), lw(1, 1, 5), lw(2, 2, 7), lw(1, 2, 3)};
    bank_peer_ack acks[] = {{1, 2}};
    cr_assert_eq(bank_store_commit(s, w, 4, NULL, 0, acks, 1, 0, err, sizeof err), 0, "%s", err);
    bank_checkpoint fold = {1, 1, 5};
    cr_assert_eq(bank_store_commit(s, &w[0], 1, &fold, 1, NULL, 0, 0, err, sizeof err), 0, "%s", err);
    cr_assert_eq(bank_store_mark_pending(s, 2, err, sizeof err), 0, "%s", err);
    cr_assert_eq(bank_store_mark_pending(s, 1, err, sizeof err), 0, "a lower mark changes nothing");
    bank_store_close(s);

    s = open_ok(dir, 2, 100, &st);
    cr_expect(!st.fresh && !st.damaged);
    cr_expect_eq(st.answered_pending, 2);
    cr_assert_eq(st.history.checkpoints.n, 1);
    cr_expect(st.history.checkpoints.items[0].origin == 1 && st.history.checkpoints.items[0].through == 1 &&
              st.history.checkpoints.items[0].net == 5);
    cr_assert_eq(st.history.tail.n, 3, "(1, 1) is under the checkpoint; (2, 1) once");
    cr_expect(bank_history_has(&st.history, 2, 2) && bank_history_has(&st.history, 1, 2));
    cr_assert_eq(st.n_acked, 1);
    cr_expect(st.acked[0].peer == 1 && st.acked[0].through == 2);
    bank_store_state_free(&st);

    bank_history h = {0};
    bank_checkpoint cps[] = {{1, 2, 8}, {2, 1, 10}};
    for (int i = 0; i < 2; i++) cr_assert_eq(bank_checkpoints_merge(&h.checkpoints, &cps[i]), BANK_OK);
    cr_assert_eq(bank_write_log_add(&h.tail, &w[2]), BANK_OK);
    cr_assert_eq(bank_store_replace(s, &h, err, sizeof err), 0, "%s", err);
    bank_store_close(s);
    read_back(dir, &st);
    cr_expect_eq(st.history.checkpoints.n, 2);
    cr_expect_eq(st.history.tail.n, 1, "replaced whole");
    bank_store_state_free(&st);
    bank_history_free(&h);
    remove_tree(dir);
}

/* rule: K1; a write of money 0 is a real write (I5): kept and read back, every field of it, and
 * not taken for damage */
Test(store, a_write_of_no_money_is_read_back_whole)
{
    char dir[64], err[600];
    temp_dir(dir, sizeof dir);
    bank_store_state st;
    bank_store *s = open_ok(dir, 2, 100, &st);
    bank_store_state_free(&st);
    bank_logged_write w[] = {{BANK_WRITE_DEPOSIT, 2, 1, 0, 7, 11}, {BANK_WRITE_WITHDRAW, 3, 1, 0, 8, 12}};
    cr_assert_eq(bank_store_commit(s, w, 2, NULL, 0, NULL, 0, 0, err, sizeof err), 0, "%s", err);
    bank_store_close(s);
    read_back(dir, &st);
    cr_expect(!st.damaged, "%s", st.why);
    cr_assert_eq(st.history.tail.n, 2);
    for (size_t i = 0; i < 2; i++) {
        const bank_logged_write *x = &st.history.tail.items[i], *y = &w[x->origin == 3];
        cr_expect(x->kind == y->kind && x->origin == y->origin && x->sequence == y->sequence &&
                  x->money == 0 && x->customer_id == y->customer_id && x->event_id == y->event_id,
                  "write %zu read back as (%d, %lld, %llu, %lld, %lld, %lld)", i, (int)x->kind,
                  (long long)x->origin, (unsigned long long)x->sequence, (long long)x->money,
                  (long long)x->customer_id, (long long)x->event_id);
    }
    bank_store_state_free(&st);
    remove_tree(dir);
}

/* rule: K7 */
Test(store, refusals_leave_the_directory_as_it_was)
{
    char dir[64], path[200];
    temp_dir(dir, sizeof dir);
    bank_store_state st;
    bank_store *s = open_ok(dir, 2, 100, &st);
    bank_store_state_free(&st);
    refused(dir, 2, 100, "is in use by another process (another branch holds it)");
    char err[600];
    bank_logged_write w = lw(2, 1, 10);
    cr_assert_eq(bank_store_commit(s, &w, 1, NULL, 0, NULL, 0, 0, err, sizeof err), 0, "%s", err);
    bank_store_close(s);
    char *before = snapshot_dir(dir);
    refused(dir, 3, 100, "holds branch 2's state, not branch 3's");
    refused(dir, 2, 150, "with --balance 100, not 150");
    char *after = snapshot_dir(dir);
    cr_expect_str_eq(after, before, "nothing written: before\n%s\nafter\n%s", before, after);
    free(before);
    free(after);

    /* a file that never was a store: garbage, or another program's SQLite database */
    char other[64];
    temp_dir(other, sizeof other);
    snprintf(path, sizeof path, "%s/branch.db", other);
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 2000; i++) fputc("not a database"[i % 14], f);
    fclose(f);
    before = snapshot_dir(other);
    refused(other, 2, 100, "is not a bank branch store");
    after = snapshot_dir(other);
    cr_expect_str_eq(after, before);
    free(before);
    free(after);
    unlink(path);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1);", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    refused(other, 2, 100, "an SQLite database of something else");
    unlink(path);
    cr_assert_eq(mkdir(path, 0755), 0);
    refused(other, 2, 100, "cannot open");
    rmdir(path);
    snprintf(path, sizeof path, "%s/file", other);
    f = fopen(path, "w");
    fclose(f);
    refused(path, 2, 100, "is not a directory");
    char sub[300], says[400];
    snprintf(sub, sizeof sub, "%s/sub", path);
    snprintf(says, sizeof says, "cannot make %s: Not a directory", sub);
    refused(sub, 2, 100, says);
    unlink(path);

    /* DIR/pending that cannot be read (a directory) */
    snprintf(path, sizeof path, "%s/pending", other);
    cr_assert_eq(mkdir(path, 0755), 0);
    snprintf(says, sizeof says, "cannot read %s: Is a directory", path);
    refused(other, 2, 100, says);
    rmdir(path);

    /* DIR/pending with neither slot whole */
    snprintf(path, sizeof path, "%s/pending", dir);
    f = fopen(path, "w");
    for (int i = 0; i < 64; i++) fputc(i * 7, f);
    fclose(f);
    refused(dir, 2, 100, "pending is corrupt");
    remove_tree(dir);
    remove_tree(other);
}

/* rule: K4; a pending file that another branch's store wrote (copied in by hand) is refused,
 * the store left as it was */
Test(store, a_pending_file_of_another_branch_is_refused)
{
    char dir[64], other[64], from[200], to[200], cmd[600];
    temp_dir(dir, sizeof dir);
    temp_dir(other, sizeof other);
    bank_store_state st;
    bank_store_close(open_ok(dir, 2, 100, &st));
    bank_store_state_free(&st);
    bank_store_close(open_ok(other, 3, 100, &st));
    bank_store_state_free(&st);
    snprintf(from, sizeof from, "%s/pending", other);
    snprintf(to, sizeof to, "%s/pending", dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    cr_assert_eq(system(cmd), 0);
    char *before = snapshot_dir(dir);
    refused(dir, 2, 100, "pending belongs to branch 3, not to branch 2");
    char *after = snapshot_dir(dir);
    cr_expect_str_eq(after, before);
    free(before);
    free(after);
    remove_tree(dir);
    remove_tree(other);
}

/* A torn second slot leaves the first: the mark goes back at most to the one before. */
/* rule: K3 */
Test(store, the_pending_mark_survives_a_torn_write)
{
    char dir[64], path[200];
    temp_dir(dir, sizeof dir);
    bank_store_state st;
    bank_store *s = open_ok(dir, 2, 100, &st);
    bank_store_state_free(&st);
    char err[600];
    for (uint64_t m = 1; m <= 5; m++) cr_assert_eq(bank_store_mark_pending(s, m, err, sizeof err), 0, "%s", err);
    bank_store_close(s);
    snprintf(path, sizeof path, "%s/pending", dir);
    int fd = open(path, O_RDWR);
    char slot[32];
    cr_assert_eq(pread(fd, slot, 32, 32), 32);
    slot[20] ^= 0x5a; /* the slot written last (mark 5: the 6th write, slot 1) torn */
    cr_assert_eq(pwrite(fd, slot, 32, 32), 32);
    close(fd);
    read_back(dir, &st);
    cr_expect_eq(st.answered_pending, 4, "the other slot: the mark before");
    bank_store_state_free(&st);
    cr_assert_eq(truncate(path, 40), 0); /* cut inside slot 1 */
    read_back(dir, &st);
    cr_expect_eq(st.answered_pending, 4);
    bank_store_state_free(&st);
    remove_tree(dir);
}

/* rule: K3; a file reopened writes its next mark over the older of its two slots, as one never
 * closed does: whichever slot a crash then tears, the mark read back is the last or the one
 * before it, never an older one */
Test(store, a_mark_set_after_a_reopen_spares_the_newest_slot)
{
    char dir[64], path[200], err[600] = "";
    temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/pending", dir);
    uint64_t mark;
    bank_pending_mark *m = bank_pending_mark_open(dir, 4, 1, &mark, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    cr_assert_eq(bank_pending_mark_set(m, 5, 1, err, sizeof err), 0, "%s", err);
    bank_pending_mark_close(m);
    m = bank_pending_mark_open(dir, 4, 0, &mark, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    cr_expect_eq(mark, 5);
    cr_assert_eq(bank_pending_mark_set(m, 6, 1, err, sizeof err), 0, "%s", err);
    bank_pending_mark_close(m);
    char both[64];
    int fd = open(path, O_RDWR);
    cr_assert_eq(pread(fd, both, 64, 0), 64);
    for (int torn = 0; torn < 2; torn++) {
        char copy[64];
        memcpy(copy, both, 64);
        copy[torn * 32 + 20] ^= 0x5a;
        cr_assert_eq(pwrite(fd, copy, 64, 0), 64);
        m = bank_pending_mark_open(dir, 4, 0, &mark, err, sizeof err);
        cr_assert_not_null(m, "slot %d torn: %s", torn, err);
        cr_expect(mark == 5 || mark == 6, "slot %d torn: mark %llu read back", torn, (unsigned long long)mark);
        bank_pending_mark_close(m);
    }
    close(fd);
    remove_tree(dir);
}

/* rule: K4 */
/* rule: K4; every table's records carry their checksum: a checkpoint or a peer's
 * acknowledgement changed behind SQLite's back is found as a write's is */
Test(store, a_checkpoint_or_acknowledgement_changed_unseen_is_found)
{
    static const char *const changes[] = {"UPDATE checkpoint SET net = net + 1",
                                           "UPDATE acked SET through = through + 1"};
    for (size_t i = 0; i < 2; i++) {
        char dir[64], err[600];
        temp_dir(dir, sizeof dir);
        bank_store_state st;
        bank_store *s = open_ok(dir, 2, 100, &st);
        bank_store_state_free(&st);
        bank_logged_write w = lw(2, 1, 10);
        bank_checkpoint fold = {1, 3, 30};
        bank_peer_ack ack = {3, 1};
        cr_assert_eq(bank_store_commit(s, &w, 1, &fold, 1, &ack, 1, 0, err, sizeof err), 0, "%s", err);
        bank_store_close(s);
        cr_assert_eq(change_behind_sqlites_back(dir, changes[i]), 1, "%s", changes[i]);
        read_back(dir, &st);
        cr_expect(st.damaged && strstr(st.why, "checksum") != NULL, "%s: %s", changes[i], st.why);
        cr_expect(st.history.tail.n == 0 && st.history.checkpoints.n == 0 && st.n_acked == 0,
                  "%s: something of a damaged store was believed", changes[i]);
        bank_store_state_free(&st);
        remove_tree(dir);
    }
}

Test(store, damage_behind_sqlites_back_is_found_and_set_aside)
{
    char dir[64], path[200];
    temp_dir(dir, sizeof dir);
    bank_store_state st;
    bank_store *s = open_ok(dir, 2, 100, &st);
    bank_store_state_free(&st);
    char err[600];
    bank_logged_write w[] = {lw(2, 1, 10), lw(2, 2, 20)};
    cr_assert_eq(bank_store_commit(s, w, 2, NULL, 0, NULL, 0, 0, err, sizeof err), 0, "%s", err);
    bank_store_close(s);
    /* a money value changed without its checksum: what a torn page can do unseen by SQLite */
    change_behind_sqlites_back(dir, "UPDATE log SET money = 99 WHERE seq = 2");
    s = open_ok(dir, 2, 100, &st);
    cr_expect(st.damaged);
    cr_expect(strstr(st.why, "checksum") != NULL, "%s", st.why);
    cr_expect_eq(st.history.tail.n, 0, "nothing of a damaged store is believed");
    bank_store_state_free(&st);
    bank_history h = {0};
    cr_assert_eq(bank_write_log_add(&h.tail, &w[0]), BANK_OK);
    cr_assert_eq(bank_store_replace(s, &h, err, sizeof err), 0, "%s", err);
    bank_history_free(&h);
    bank_logged_write next = lw(2, 2, 20);
    cr_expect_eq(bank_store_commit(s, &next, 1, NULL, 0, NULL, 0, 0, err, sizeof err), 0,
                 "set aside, the store takes commits again: %s", err);
    bank_store_close(s);
    snprintf(path, sizeof path, "%s/branch.db.damaged", dir);
    cr_expect_eq(access(path, F_OK), 0, "the damaged file is kept, set aside");
    read_back(dir, &st);
    cr_expect(!st.damaged && st.history.tail.n == 2);
    bank_store_state_free(&st);

    /* a row of its identity record lost: damaged, not an error that stops the branch */
    cr_assert_eq(change_behind_sqlites_back(dir, "DELETE FROM meta WHERE key = 'sum'"), 1);
    read_back(dir, &st);
    cr_expect(st.damaged && !st.fresh);
    cr_expect(strstr(st.why, "identity record") != NULL, "%s", st.why);
    bank_store_state_free(&st);

    /* emptied (cut to 0 bytes) while DIR/pending says a store was there: damaged, not new */
    snprintf(path, sizeof path, "%s/branch.db", dir);
    cr_assert_eq(truncate(path, 0), 0);
    read_back(dir, &st);
    cr_expect(st.damaged && !st.fresh, "%s", st.why);
    bank_store_state_free(&st);
    remove_tree(dir);
}

/* rule: K1; each row of the identity record lost or changed is damage, even where the rest still
 * adds up: a branch of --balance 0 whose 'balance' row is gone reads 0 from it, and its sum holds */
Test(store, any_row_of_the_identity_record_lost_or_changed_is_damage)
{
    static const char *const changes[] = {
        "DELETE FROM meta WHERE key = 'format'",  "DELETE FROM meta WHERE key = 'branch'",
        "DELETE FROM meta WHERE key = 'balance'", "DELETE FROM meta WHERE key = 'sum'",
        "UPDATE meta SET value = value + 1 WHERE key = 'branch'",
        "UPDATE meta SET value = value + 1 WHERE key = 'balance'",
        "UPDATE meta SET value = value + 1 WHERE key = 'sum'",
    };
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        char dir[64];
        temp_dir(dir, sizeof dir);
        bank_store_state st;
        bank_store_close(open_ok(dir, 2, 0, &st));
        bank_store_state_free(&st);
        cr_assert_eq(change_behind_sqlites_back(dir, changes[i]), 1, "%s", changes[i]);
        bank_store *s = open_ok(dir, 2, 0, &st);
        cr_expect(st.damaged && !st.fresh, "%s: not found damaged", changes[i]);
        cr_expect(strstr(st.why, "its identity record is damaged") != NULL, "%s: %s", changes[i], st.why);
        bank_store_state_free(&st);
        bank_store_close(s);
        remove_tree(dir);
    }
}

/* ---- the journal ---- */

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t done;
    int answered, failed;
    char why[512]; /* the last failure's */
} waiter;

static void answered(void *arg, int ok, const char *why)
{
    waiter *w = arg;
    pthread_mutex_lock(&w->lock);
    w->answered++;
    w->failed += !ok;
    if (!ok) snprintf(w->why, sizeof w->why, "%s", why);
    pthread_cond_broadcast(&w->done);
    pthread_mutex_unlock(&w->lock);
}

static void wait_answers(waiter *w, int n)
{
    pthread_mutex_lock(&w->lock);
    while (w->answered < n) pthread_cond_wait(&w->done, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

/* A journal of branch 1 (balance 0) on a new store in a new dir, under sync; its replica in r;
 * on_failure(ctx, why) told of its failure. */
static bank_journal *new_journal_told(char *dir, size_t dirlen, bank_sync sync, bank_replica *r,
                                      void (*on_failure)(void *ctx, const char *why), void *ctx)
{
    char err[600];
    temp_dir(dir, dirlen);
    bank_store_state st;
    bank_store *s = bank_store_open(dir, 1, 0, sync, &st, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    bank_store_state_free(&st);
    bank_replica_init(r, 1, 0);
    bank_journal *j = bank_journal_start(s, r, on_failure, ctx, err, sizeof err);
    cr_assert_not_null(j, "%s", err);
    return j;
}

static bank_journal *new_journal(char *dir, size_t dirlen, bank_sync sync, bank_replica *r)
{
    return new_journal_told(dir, dirlen, sync, r, NULL, NULL);
}

/* on_failure for a journal: counts the times it is told, into *(int *)ctx. */
static void count_failure(void *ctx, const char *why)
{
    (void)why;
    ++*(int *)ctx;
}

/* A deposit of 1 at r, noted and answered once its commit is durable. */
static void commit_one_deposit(bank_journal *j, bank_replica *r)
{
    bank_write w;
    cr_assert_eq(bank_logged_local(r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    waiter one = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_then(j, bank_journal_note(j, r), answered, &one);
    wait_answers(&one, 1);
    cr_assert_eq(one.failed, 0, "the deposit's commit failed");
}

/* Rows of branch.db's log, read by a connection of this test (the journal holds its own). */
static int logged_rows(const char *dir)
{
    char path[200];
    snprintf(path, sizeof path, "%s/branch.db", dir);
    sqlite3 *db;
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM log", -1, &q, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    int n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}

/* A store read back under a sweep of failed allocations: what an unarmed open read. */
typedef struct {
    char dir[64];
    size_t n_tail, n_checkpoints, n_acked;
} reopen_case;

static int reopen_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    reopen_case *c = arg;
    bank_store_state st;
    bank_store *s = bank_store_open(c->dir, 2, 100, BANK_SYNC_ALWAYS, &st, err, errlen);
    if (!s) {
        *ok = 1;
        return -1;
    }
    *ok = !st.damaged && st.history.tail.n == c->n_tail && st.history.checkpoints.n == c->n_checkpoints &&
          st.n_acked == c->n_acked;
    bank_store_state_free(&st);
    bank_store_close(s);
    return 0;
}

/* rule: K4; a store read back when memory runs out (each of its allocations made to fail in
 * turn: the store, its pending mark, the log, checkpoints and acknowledgements read) is refused
 * with "out of memory", nothing left allocated, and read whole when memory suffices */
Test(store, reading_a_store_back_fails_cleanly_at_every_allocation)
{
    reopen_case c = {.n_tail = 40, .n_checkpoints = 2, .n_acked = 2};
    char err[600];
    temp_dir(c.dir, sizeof c.dir);
    bank_store_state st;
    bank_store *s = open_ok(c.dir, 2, 100, &st);
    bank_store_state_free(&st);
    bank_history h = {0};
    for (uint64_t i = 1; i <= 20; i++) {
        bank_logged_write a = lw(1, 10 + i, 1), b = lw(3, 10 + i, 2);
        cr_assert_eq(bank_write_log_add(&h.tail, &a), BANK_OK);
        cr_assert_eq(bank_write_log_add(&h.tail, &b), BANK_OK);
    }
    for (int64_t origin = 1; origin <= 3; origin += 2) {
        bank_checkpoint cp = {origin, 10, 10};
        cr_assert_eq(bank_checkpoints_merge(&h.checkpoints, &cp), BANK_OK);
    }
    cr_assert_eq(bank_store_replace(s, &h, err, sizeof err), 0, "%s", err);
    bank_history_free(&h);
    bank_peer_ack acks[2] = {{1, 12}, {3, 11}};
    bank_logged_write w = lw(2, 1, 5);
    cr_assert_eq(bank_store_commit(s, &w, 1, NULL, 0, acks, 2, 0, err, sizeof err), 0, "%s", err);
    bank_store_close(s);
    c.n_tail++;
    oom_counts k = oom_sweep("bank_store_open", reopen_attempt, &c, -1, "", "out of memory");
    cr_expect_geq(k.failed, 5, "the store, its pending mark, the log, the checkpoints and the acks");
    remove_tree(c.dir);
}

/* rule: K5; memory that runs out while the journal takes a fold's checkpoint (compaction) fails
 * the journal: the next write is answered failed, saying why, not left undurable in silence; the
 * branch is told once */
Test(journal, a_fold_the_journal_cannot_keep_fails_the_next_write)
{
    char dir[64];
    bank_replica r;
    int told = 0;
    bank_journal *j = new_journal_told(dir, sizeof dir, BANK_SYNC_ALWAYS, &r, count_failure, &told);
    bank_write from_2 = {BANK_WRITE_DEPOSIT, 2, 1, 5};
    cr_assert_eq(bank_logged_apply(&r, &from_2, 0, 0), BANK_OK);
    waiter one = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_then(j, bank_journal_note(j, &r), answered, &one);
    wait_answers(&one, 1);
    cr_assert_eq(one.failed, 0);
    cr_assert_eq(bank_replica_fold(&r, 2, 1), BANK_OK);
    arm(0); /* the journal's copy of the checkpoint */
    bank_journal_note(j, &r);
    cr_assert(disarm(), "the fold's note allocated nothing");
    bank_write w;
    cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    waiter next = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_then(j, bank_journal_note(j, &r), answered, &next);
    wait_answers(&next, 1);
    cr_expect_eq(next.failed, 1, "a write after the lost checkpoint was answered durable");
    cr_expect_str_eq(next.why, "out of memory");
    waiter mark = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_pending(j, 1, answered, &mark);
    cr_expect(mark.answered == 1 && mark.failed == 1, "a pending mark on a failed journal is refused at once");
    cr_expect_str_eq(mark.why, next.why);
    bank_journal_stop(j);
    cr_expect_eq(told, 1, "the branch is told of the failure once, not %d times", told);
    bank_journal_free(j);
    bank_replica_free(&r);
    remove_tree(dir);
}

/* rule: K3; an answer whose commit is already durable (or that needs none) is given at once, on
 * the caller's thread, not held for a next commit that may never come (journal.h) */
Test(journal, an_answer_already_durable_is_given_at_once)
{
    char dir[64];
    bank_replica r;
    bank_journal *j = new_journal(dir, sizeof dir, BANK_SYNC_ALWAYS, &r);
    waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_then(j, bank_journal_note(j, &r), answered, &w);
    cr_expect_eq(w.answered, 1, "nothing to commit yet: answered at once");
    commit_one_deposit(j, &r);
    cr_expect_eq(bank_journal_commits(j), 1);
    bank_journal_then(j, bank_journal_commits(j), answered, &w);
    cr_expect_eq(w.answered, 2, "the ticket of the last durable commit: answered at once");
    bank_journal_then(j, bank_journal_note(j, &r), answered, &w);
    cr_expect_eq(w.answered, 3, "nothing new since: answered at once");
    cr_expect_eq(w.failed, 0, "%s", w.why);
    bank_journal_stop(j);
    bank_journal_free(j);
    bank_replica_free(&r);
    remove_tree(dir);
}

/* rule: K5; a reset writes the replica whole: a checkpoint noted before it and not yet committed
 * is not written after it over the further one the reset wrote */
Test(journal, a_reset_drops_the_checkpoints_it_wrote_further)
{
    char dir[64], err[600];
    bank_replica r;
    bank_journal *j = new_journal(dir, sizeof dir, BANK_SYNC_ALWAYS, &r);
    bank_write from_2[] = {{BANK_WRITE_DEPOSIT, 2, 1, 5}, {BANK_WRITE_DEPOSIT, 2, 2, 7}};
    for (int i = 0; i < 2; i++) cr_assert_eq(bank_logged_apply(&r, &from_2[i], 0, 0), BANK_OK);
    waiter both = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_then(j, bank_journal_note(j, &r), answered, &both);
    wait_answers(&both, 1);
    cr_assert_eq(both.failed, 0, "%s", both.why);
    cr_assert_eq(bank_replica_fold(&r, 2, 1), BANK_OK);
    bank_journal_note(j, &r); /* a checkpoint alone: kept for the next commit */
    cr_assert_eq(bank_replica_fold(&r, 2, 2), BANK_OK);
    cr_assert_eq(bank_journal_reset(j, &r, err, sizeof err), 0, "%s", err);
    bank_journal_stop(j);
    bank_journal_free(j);
    bank_replica_free(&r);
    bank_store_state st;
    bank_store *s = bank_store_open(dir, 1, 0, BANK_SYNC_ALWAYS, &st, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    cr_assert_eq(st.history.checkpoints.n, 1);
    const bank_checkpoint *c = &st.history.checkpoints.items[0];
    cr_expect(c->origin == 2 && c->through == 2 && c->net == 12, "checkpoint (%lld, %llu, %lld) read back",
              (long long)c->origin, (unsigned long long)c->through, (long long)c->net);
    cr_expect_eq(st.history.tail.n, 0);
    bank_store_state_free(&st);
    bank_store_close(s);
    remove_tree(dir);
}

/* rule: K3; a pending mark is on the disk before it is answered, and the store keeps the highest
 * marked; once the journal stops, a mark is refused at once, saying so */
Test(journal, a_pending_mark_is_durable_before_it_is_answered)
{
    char dir[64], err[600];
    bank_replica r;
    bank_journal *j = new_journal(dir, sizeof dir, BANK_SYNC_ALWAYS, &r);
    waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_pending(j, 5, answered, &w);
    bank_journal_pending(j, 3, answered, &w);
    wait_answers(&w, 2);
    cr_expect_eq(w.failed, 0, "%s", w.why);
    bank_journal_stop(j);
    waiter late = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_pending(j, 9, answered, &late);
    cr_expect(late.answered == 1 && late.failed == 1, "a mark after the stop is refused at once");
    cr_expect_str_eq(late.why, "this branch is stopping");
    bank_journal_free(j);
    bank_replica_free(&r);
    bank_store_state st;
    bank_store *s = bank_store_open(dir, 1, 0, BANK_SYNC_ALWAYS, &st, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    cr_expect_eq(st.answered_pending, 5, "the highest mark, not the last");
    bank_store_state_free(&st);
    bank_store_close(s);
    remove_tree(dir);
}

/* A journal that cannot start (out of memory) closes the store it was given: nothing is left
 * allocated, and the dir's lock is released for the next open. */
Test(journal, a_journal_that_cannot_start_closes_its_store)
{
    char dir[64], err[600] = "";
    temp_dir(dir, sizeof dir);
    long base = alive;
    bank_store_state st;
    bank_store *s = bank_store_open(dir, 1, 0, BANK_SYNC_ALWAYS, &st, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    bank_store_state_free(&st);
    bank_replica r;
    bank_replica_init(&r, 1, 0);
    arm(0);
    bank_journal *j = bank_journal_start(s, &r, NULL, NULL, err, sizeof err);
    cr_assert(disarm());
    cr_expect_null(j);
    cr_expect_str_eq(err, "out of memory");
    cr_expect_eq(alive, base, "the store is freed: %ld block(s) left", alive - base);
    s = bank_store_open(dir, 1, 0, BANK_SYNC_ALWAYS, &st, err, sizeof err);
    cr_expect_not_null(s, "the dir is free again: %s", err);
    bank_store_state_free(&st);
    bank_store_close(s);
    bank_replica_free(&r);
    remove_tree(dir);
}

/* pthread_create as this test's objects and bank_store call it (linked with
 * --wrap=pthread_create): refused once, as a process out of threads is (EAGAIN), when
 * refuse_thread is set. */
static int refuse_thread;
int __real_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg)
{
    if (refuse_thread) {
        refuse_thread = 0;
        return EAGAIN;
    }
    return __real_pthread_create(t, a, fn, arg);
}

/* rule: K3; a journal whose thread cannot start says so, in one line, and closes its store: the
 * directory can be opened again at once */
Test(journal, a_journal_whose_thread_cannot_start_says_so_and_closes_its_store)
{
    char dir[64], err[600] = "";
    temp_dir(dir, sizeof dir);
    long base = alive;
    bank_store_state st;
    bank_store *s = bank_store_open(dir, 1, 0, BANK_SYNC_ALWAYS, &st, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    bank_store_state_free(&st);
    bank_replica r;
    bank_replica_init(&r, 1, 0);
    refuse_thread = 1;
    bank_journal *j = bank_journal_start(s, &r, NULL, NULL, err, sizeof err);
    cr_expect_eq(refuse_thread, 0, "the journal asked for its thread");
    refuse_thread = 0;
    cr_expect_null(j);
    cr_expect_str_eq(err, "cannot start the journal's thread");
    cr_expect_eq(alive, base, "the journal and its store are freed: %ld block(s) left", alive - base);
    s = bank_store_open(dir, 1, 0, BANK_SYNC_ALWAYS, &st, err, sizeof err);
    cr_expect_not_null(s, "the dir is free again: %s", err);
    bank_store_state_free(&st);
    bank_store_close(s);
    bank_replica_free(&r);
    remove_tree(dir);
}

/* rule: K3; a mark the disk refuses (the file may not grow to its second slot) fails, saying why,
 * and leaves the mark as it was: the next mark is written once there is room */
Test(store, a_pending_mark_the_disk_refuses_changes_nothing)
{
    char dir[64], err[600] = "", says[200];
    temp_dir(dir, sizeof dir);
    uint64_t mark = 99;
    bank_pending_mark *m = bank_pending_mark_open(dir, 4, 1, &mark, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    cr_expect_eq(mark, 0);
    struct rlimit old, tight;
    cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_IGN);
    tight = (struct rlimit){32, old.rlim_max}; /* one slot */
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &tight), 0);
    int rc = bank_pending_mark_set(m, 7, 1, err, sizeof err);
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    cr_expect_eq(rc, -1);
    snprintf(says, sizeof says, "cannot write %s/pending: File too large", dir);
    cr_expect_str_eq(err, says);
    cr_expect_eq(bank_pending_mark_get(m), 0, "the mark is unchanged");
    cr_expect_eq(bank_pending_mark_set(m, 8, 1, err, sizeof err), 0, "%s", err);
    cr_expect_eq(bank_pending_mark_get(m), 8);
    bank_pending_mark_close(m);
    m = bank_pending_mark_open(dir, 4, 0, &mark, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    cr_expect_eq(mark, 8);
    bank_pending_mark_close(m);
    /* made again where it is: refused, the file kept */
    cr_expect_null(bank_pending_mark_open(dir, 4, 1, &mark, err, sizeof err));
    snprintf(says, sizeof says, "cannot make %s/pending: File exists", dir);
    cr_expect_str_eq(err, says);
    remove_tree(dir);
}

/* rule: K1; a commit the store refuses (another program holds the write lock) fails the journal:
 * the write is answered failed, saying why, and the branch is told once, not again at the stop */
Test(journal, a_commit_the_store_refuses_fails_the_journal_once)
{
    char dir[64], path[200];
    bank_replica r;
    int told = 0;
    bank_journal *j = new_journal_told(dir, sizeof dir, BANK_SYNC_ALWAYS, &r, count_failure, &told);
    snprintf(path, sizeof path, "%s/branch.db", dir);
    sqlite3 *other;
    cr_assert_eq(sqlite3_open(path, &other), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    bank_write w;
    cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    waiter one = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_then(j, bank_journal_note(j, &r), answered, &one);
    wait_answers(&one, 1);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    cr_expect_eq(one.failed, 1, "a write the store refused was answered durable");
    cr_expect(strstr(one.why, "database is locked") != NULL, "%s", one.why);
    bank_journal_stop(j);
    cr_expect_eq(told, 1, "the branch is told of the failure once, not %d times", told);
    bank_journal_free(j);
    bank_replica_free(&r);
    remove_tree(dir);
}

/* An answer that holds the journal's writer (answers run on it) until let go. */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int entered, go;
} gate;

static void hold_writer(void *arg, int ok, const char *why)
{
    (void)ok, (void)why;
    gate *g = arg;
    pthread_mutex_lock(&g->lock);
    g->entered = 1;
    pthread_cond_broadcast(&g->cond);
    while (!g->go) pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

/* Until the writer is held in hold_writer. */
static void gate_wait_held(gate *g)
{
    pthread_mutex_lock(&g->lock);
    while (!g->entered) pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

static void gate_let_go(gate *g)
{
    pthread_mutex_lock(&g->lock);
    g->go = 1;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

/* rule: K3; a pending mark that rides with a commit the store refuses is answered failed, like the
 * write: the mark is not set when its commit failed. The writer is held in an answer while the
 * write and the mark are queued, so that the two go into one commit. */
Test(journal, a_mark_with_a_refused_commit_is_answered_failed)
{
    char dir[64], path[200], err[600];
    bank_replica r;
    int told = 0;
    bank_journal *j = new_journal_told(dir, sizeof dir, BANK_SYNC_ALWAYS, &r, count_failure, &told);
    gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    bank_write w;
    cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    bank_journal_then(j, bank_journal_note(j, &r), hold_writer, &g);
    gate_wait_held(&g);

    snprintf(path, sizeof path, "%s/branch.db", dir);
    sqlite3 *other;
    cr_assert_eq(sqlite3_open(path, &other), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    waiter both = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    bank_journal_then(j, bank_journal_note(j, &r), answered, &both);
    bank_journal_pending(j, 2, answered, &both);
    gate_let_go(&g);
    wait_answers(&both, 2);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    cr_expect_eq(both.failed, 2, "%d of the write and its mark answered durable", 2 - both.failed);
    cr_expect(strstr(both.why, "database is locked") != NULL, "%s", both.why);
    bank_journal_stop(j);
    cr_expect_eq(told, 1);
    bank_journal_free(j);
    bank_replica_free(&r);
    bank_store_state st;
    bank_store *s = bank_store_open(dir, 1, 0, BANK_SYNC_ALWAYS, &st, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    cr_expect_eq(st.answered_pending, 0, "the refused commit's mark is not on the disk");
    cr_expect_eq(st.history.tail.n, 1, "the first write only");
    bank_store_state_free(&st);
    bank_store_close(s);
    remove_tree(dir);
}

/* rule: K5; a reset writes the replica whole: writes noted before it and not yet committed are
 * not written after it (one the reset folded under a checkpoint would come back as a log row) */
Test(journal, a_reset_drops_the_writes_it_wrote)
{
    char dir[64];
    bank_replica r;
    bank_journal *j = new_journal(dir, sizeof dir, BANK_SYNC_ALWAYS, &r);
    gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    bank_write w;
    cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    bank_journal_then(j, bank_journal_note(j, &r), hold_writer, &g);
    gate_wait_held(&g);
    bank_write from_2 = {BANK_WRITE_DEPOSIT, 2, 1, 5};
    cr_assert_eq(bank_logged_apply(&r, &from_2, 0, 0), BANK_OK);
    bank_journal_note(j, &r); /* the writer is held: the write waits in the journal */
    cr_assert_eq(bank_replica_fold(&r, 2, 1), BANK_OK);
    char err[600];
    cr_assert_eq(bank_journal_reset(j, &r, err, sizeof err), 0, "%s", err);
    gate_let_go(&g);
    bank_journal_stop(j);
    bank_journal_free(j);
    bank_replica_free(&r);
    cr_expect_eq(logged_rows(dir), 1, "the log holds branch 1's write only, (2, 1) is under its checkpoint");
    remove_tree(dir);
}

typedef struct {
    bank_journal *j;
    bank_replica *r;
    pthread_mutex_t *lock;
    waiter *w;
    int writes;
} customer;

/* Deposits one at a time, each waiting for its commit, as a customer of the branch would. */
static void *deposit_loop(void *arg)
{
    customer *c = arg;
    for (int i = 0; i < c->writes; i++) {
        bank_write w;
        pthread_mutex_lock(c->lock);
        cr_assert_eq(bank_logged_local(c->r, BANK_WRITE_DEPOSIT, 1, 0, i, &w), BANK_OK);
        uint64_t ticket = bank_journal_note(c->j, c->r);
        pthread_mutex_unlock(c->lock);
        cr_assert_gt(ticket, 0, "a new write waits for its commit");
        waiter one = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
        bank_journal_then(c->j, ticket, answered, &one);
        wait_answers(&one, 1);
        cr_assert_eq(one.failed, 0);
        answered(c->w, 1, "");
    }
    return NULL;
}

/* rule: K1, K2 */
Test(journal, an_answer_waits_for_its_commit_and_writes_together_share_one)
{
    char dir[64];
    bank_replica r;
    bank_journal *j = new_journal(dir, sizeof dir, BANK_SYNC_ALWAYS, &r);
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    cr_expect_eq(bank_journal_note(j, &r), 0, "nothing new: nothing to wait for");

    waiter all = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    enum { CUSTOMERS = 8, EACH = 40 };
    customer c = {j, &r, &lock, &all, EACH};
    pthread_t t[CUSTOMERS];
    for (int i = 0; i < CUSTOMERS; i++) pthread_create(&t[i], NULL, deposit_loop, &c);
    for (int i = 0; i < CUSTOMERS; i++) pthread_join(t[i], NULL);
    cr_expect_eq(all.answered, CUSTOMERS * EACH);
    cr_expect_eq(logged_rows(dir), CUSTOMERS * EACH, "every answered write is in the file");
    uint64_t commits = bank_journal_commits(j);
    cr_expect_lt(commits, CUSTOMERS * EACH, "writes that arrive together share a commit (%llu commits)",
                 (unsigned long long)commits);
    printf("journal: %d writes of %d customers at once in %llu commits (%.1f writes a sync)\n",
           CUSTOMERS * EACH, CUSTOMERS, (unsigned long long)commits, (double)(CUSTOMERS * EACH) / (double)commits);

    /* a read of a write still being committed waits for that commit */
    bank_write w;
    pthread_mutex_lock(&lock);
    cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    uint64_t write_ticket = bank_journal_note(j, &r);
    uint64_t read_ticket = bank_journal_note(j, &r);
    pthread_mutex_unlock(&lock);
    cr_expect_eq(read_ticket, write_ticket);
    waiter one = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_then(j, read_ticket, answered, &one);
    wait_answers(&one, 1);
    cr_expect_eq(logged_rows(dir), CUSTOMERS * EACH + 1);

    /* stopped: what was noted is committed; a later answer is refused, never given unsaved */
    pthread_mutex_lock(&lock);
    cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    uint64_t last = bank_journal_note(j, &r);
    pthread_mutex_unlock(&lock);
    waiter before_stop = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_then(j, last, answered, &before_stop);
    bank_journal_stop(j);
    wait_answers(&before_stop, 1);
    cr_expect_eq(before_stop.failed, 0);
    cr_expect_eq(logged_rows(dir), CUSTOMERS * EACH + 2);
    pthread_mutex_lock(&lock);
    cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    uint64_t after = bank_journal_note(j, &r);
    pthread_mutex_unlock(&lock);
    waiter refused_one = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ""};
    bank_journal_then(j, after, answered, &refused_one);
    cr_expect_eq(refused_one.answered, 1);
    cr_expect_eq(refused_one.failed, 1);
    bank_journal_free(j);
    bank_replica_free(&r);
    remove_tree(dir);
}

/* rule: K5; what each peer has acknowledged rides with the next commit: every peer's furthest
 * acknowledgement read back, a new peer's first one included, a lagging one changing nothing */
Test(journal, each_peers_acknowledgement_is_kept_with_the_next_commit)
{
    char dir[64];
    bank_replica r;
    bank_journal *j = new_journal(dir, sizeof dir, BANK_SYNC_ALWAYS, &r);
    bank_journal_acked(j, 2, 3);
    bank_journal_acked(j, 3, 1);
    bank_journal_acked(j, 2, 5);
    bank_journal_acked(j, 2, 4);
    commit_one_deposit(j, &r);
    bank_journal_stop(j);
    bank_journal_free(j);
    bank_replica_free(&r);
    bank_store_state st;
    bank_store *s = open_ok(dir, 1, 0, &st);
    uint64_t through[4] = {0};
    for (size_t i = 0; i < st.n_acked; i++)
        if (st.acked[i].peer >= 2 && st.acked[i].peer <= 3) through[st.acked[i].peer] = st.acked[i].through;
    cr_expect(st.n_acked == 2 && through[2] == 5 && through[3] == 1,
              "%zu peers read back: branch 2 through %llu, branch 3 through %llu", st.n_acked,
              (unsigned long long)through[2], (unsigned long long)through[3]);
    bank_store_state_free(&st);
    bank_store_close(s);
    remove_tree(dir);
}

/* rule: K5; a branch among many peers: every peer's furthest acknowledgement is kept, each peer
 * once, however many there are (the journal's table of them grows as peers first answer, and
 * only then) */
Test(journal, every_peer_of_a_large_bank_has_its_acknowledgement_kept)
{
    enum { PEERS = 48 };
    char dir[64];
    bank_replica r;
    bank_journal *j = new_journal(dir, sizeof dir, BANK_SYNC_ALWAYS, &r);
    for (int round = 0; round < 2; round++)
        for (int64_t p = 2; p < 2 + PEERS; p++) bank_journal_acked(j, p, (uint64_t)(p * 10 + round));
    commit_one_deposit(j, &r);
    bank_journal_stop(j);
    bank_journal_free(j);
    bank_replica_free(&r);
    bank_store_state st;
    bank_store *s = open_ok(dir, 1, 0, &st);
    cr_expect_eq(st.n_acked, PEERS);
    int seen[2 + PEERS] = {0};
    for (size_t i = 0; i < st.n_acked; i++) {
        int64_t p = st.acked[i].peer;
        cr_assert(p >= 2 && p < 2 + PEERS, "peer %lld read back", (long long)p);
        cr_expect_eq(seen[p]++, 0, "peer %lld read back twice", (long long)p);
        cr_expect_eq(st.acked[i].through, (uint64_t)(p * 10 + 1), "peer %lld through %llu", (long long)p,
                     (unsigned long long)st.acked[i].through);
    }
    bank_store_state_free(&st);
    bank_store_close(s);
    remove_tree(dir);
}

/* Rows of the log in branch.db itself, its WAL left out: what a checkpoint has put there. A copy
 * of the file alone, in copy_dir, is read (the journal's connection keeps the WAL); -1 when the
 * copy cannot be read (taken half way through a checkpoint). */
static int checkpointed_rows(const char *dir, const char *copy_dir)
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

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* --sync batch: an answered write is in branch.db itself (a WAL checkpoint, which syncs) within
 * 100 ms, with no later write to carry it there. Waited for at most 10 s. */
/* rule: K2 */
Test(journal, batch_mode_checkpoints_an_answered_write_on_its_own)
{
    char dir[64], copy_dir[64];
    bank_replica r;
    bank_journal *j = new_journal(dir, sizeof dir, BANK_SYNC_BATCH, &r);
    temp_dir(copy_dir, sizeof copy_dir);
    commit_one_deposit(j, &r);
    double answered_at = seconds_now();
    int rows;
    while ((rows = checkpointed_rows(dir, copy_dir)) != 1 && seconds_now() - answered_at < 10) usleep(10000);
    double waited = seconds_now() - answered_at;
    cr_expect_eq(rows, 1, "the answered write is not in branch.db itself %.1f s after its answer", waited);
    printf("journal: --sync batch put an answered write in branch.db %.0f ms after its answer\n", waited * 1000);
    bank_journal_stop(j);
    bank_journal_free(j);
    bank_replica_free(&r);
    remove_tree(dir);
    remove_tree(copy_dir);
}

/* The largest of dir's files, in bytes. */
static off_t largest_file(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    off_t most = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        char path[600];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > most) most = sb.st_size;
    }
    closedir(d);
    return most;
}

/* A store of branch 2 in a new dir, holding one committed write, 2.1. */
static bank_store *store_with_one_write(char *dir, size_t dirlen)
{
    char err[600];
    temp_dir(dir, dirlen);
    bank_store_state st;
    bank_store *s = open_ok(dir, 2, 100, &st);
    bank_store_state_free(&st);
    bank_logged_write w = lw(2, 1, 10);
    cr_assert_eq(bank_store_commit(s, &w, 1, NULL, 0, NULL, 0, 0, err, sizeof err), 0, "%s", err);
    return s;
}

/* After a replace or commit that failed (rc): the store takes the next commit, 2.2, and read again holds
 * 2.1 and 2.2, nothing of the replace. Closes s and removes dir. */
static void expect_replace_undone(bank_store *s, char *dir, int rc, const char *why)
{
    char err[600];
    cr_expect_eq(rc, -1, "%s", why);
    bank_logged_write w = lw(2, 2, 5);
    cr_expect_eq(bank_store_commit(s, &w, 1, NULL, 0, NULL, 0, 0, err, sizeof err), 0,
                 "the next commit after %s: %s", why, err);
    bank_store_close(s);
    bank_store_state st;
    read_back(dir, &st);
    cr_expect(st.history.tail.n == 2 && bank_history_has(&st.history, 2, 1) && bank_history_has(&st.history, 2, 2),
              "after %s: the history as it was, and the commit after: %zu writes", why, st.history.tail.n);
    bank_store_state_free(&st);
    remove_tree(dir);
}

/* bank_store_replace(s, h) while no file may grow more than 4 KiB past the largest in dir. */
static int replace_on_a_full_disk(bank_store *s, const char *dir, const bank_history *h, char *err, size_t errlen)
{
    struct rlimit old, tight;
    cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_IGN);
    tight = (struct rlimit){(rlim_t)largest_file(dir) + 4096, old.rlim_max};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &tight), 0);
    int rc = bank_store_replace(s, h, err, errlen);
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    return rc;
}

/* rule: K8; a replace the disk refuses halfway (no file may grow past its size now) changes
 * nothing, and the store takes the next commit once the disk has room again */
Test(store, a_replace_the_disk_refuses_leaves_the_store_as_it_was)
{
    char dir[64], err[600];
    bank_store *s = store_with_one_write(dir, sizeof dir);
    bank_history h = {0};
    for (uint64_t i = 1; i <= 3000; i++) {
        bank_logged_write x = lw(1, i, 1);
        cr_assert_eq(bank_write_log_add(&h.tail, &x), BANK_OK);
    }
    int rc = replace_on_a_full_disk(s, dir, &h, err, sizeof err);
    expect_replace_undone(s, dir, rc, "3,000 writes replaced within 4 KiB more");
    bank_history_free(&h);
}

/* rule: K8; a replace the disk refuses while it writes the checkpoints (so many that SQLite
 * spills them to the disk before the commit) changes nothing either */
Test(store, a_replace_refused_at_its_checkpoints_leaves_the_store_as_it_was)
{
    enum { ORIGINS = 300000 };
    char dir[64], err[600];
    bank_store *s = store_with_one_write(dir, sizeof dir);
    bank_history h = {0};
    bank_logged_write x = lw(1, 1, 1);
    cr_assert_eq(bank_write_log_add(&h.tail, &x), BANK_OK);
    h.checkpoints.items = malloc(ORIGINS * sizeof *h.checkpoints.items);
    cr_assert_not_null(h.checkpoints.items);
    h.checkpoints.n = h.checkpoints.cap = ORIGINS;
    for (size_t i = 0; i < ORIGINS; i++) h.checkpoints.items[i] = (bank_checkpoint){(int64_t)i + 3, 1, 1};
    int rc = replace_on_a_full_disk(s, dir, &h, err, sizeof err);
    expect_replace_undone(s, dir, rc, "300,000 checkpoints replaced within 4 KiB more");
    bank_history_free(&h);
}

/* rule: K8; a replace refused on its first write (another program holds branch.db's write lock,
 * which SQLite reports without undoing the transaction) is undone by the store itself: nothing
 * changes, and the store takes the next commit once the lock is gone */
Test(store, a_replace_refused_by_a_lock_leaves_the_store_as_it_was)
{
    char dir[64], err[600], path[600];
    bank_store *s = store_with_one_write(dir, sizeof dir);
    bank_history h = {0};
    bank_logged_write x = lw(1, 1, 1);
    cr_assert_eq(bank_write_log_add(&h.tail, &x), BANK_OK);
    snprintf(path, sizeof path, "%s/branch.db", dir);
    sqlite3 *other;
    cr_assert_eq(sqlite3_open(path, &other), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    int rc = bank_store_replace(s, &h, err, sizeof err);
    cr_expect(rc != 0 && strstr(err, "cannot write: database is locked") != NULL, "%s", err);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    expect_replace_undone(s, dir, rc, "a replace while another program held the write lock");
    bank_history_free(&h);
}

/* rule: K1; a commit refused by a lock (another program holds branch.db's write lock) is rolled
 * back: nothing of it is kept, and the store takes the next commit once the lock is gone */
Test(store, a_commit_refused_by_a_lock_is_rolled_back)
{
    char dir[64], err[600] = "", path[600];
    bank_store *s = store_with_one_write(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/branch.db", dir);
    sqlite3 *other;
    cr_assert_eq(sqlite3_open(path, &other), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    bank_logged_write w = lw(3, 1, 7);
    int rc = bank_store_commit(s, &w, 1, NULL, 0, NULL, 0, 0, err, sizeof err);
    char says[700];
    snprintf(says, sizeof says, "%s: cannot write: database is locked", path);
    cr_expect_str_eq(err, says);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    expect_replace_undone(s, dir, rc, "a commit while another program held the write lock");
}

/* rule: K1, K8; a commit or a replace whose BEGIN SQLite refuses (here: a transaction is already
 * open on the store's connection) fails with SQLite's reason and writes nothing */
Test(store, a_commit_or_replace_whose_begin_is_refused_fails)
{
    char dir[64], err[600] = "", says[700];
    bank_store *s = store_with_one_write(dir, sizeof dir);
    snprintf(says, sizeof says, "%s/branch.db: cannot write: cannot start a transaction within a transaction", dir);
    cr_assert_eq(sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    bank_logged_write w = lw(3, 1, 7);
    cr_expect_eq(bank_store_commit(s, &w, 1, NULL, 0, NULL, 0, 0, err, sizeof err), -1);
    cr_expect_str_eq(err, says);
    bank_history h = {0};
    cr_assert_eq(bank_write_log_add(&h.tail, &w), BANK_OK);
    err[0] = '\0';
    int rc = bank_store_replace(s, &h, err, sizeof err);
    cr_expect_str_eq(err, says);
    cr_assert_eq(sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    bank_history_free(&h);
    expect_replace_undone(s, dir, rc, "a replace whose BEGIN was refused");
}

/* rule: K4; a damaged store takes no commit until it is set aside; a store that cannot be set
 * aside (its *.damaged name is taken by a directory) says so */
Test(store, a_damaged_store_takes_no_commit_until_it_is_set_aside)
{
    char dir[64], err[600] = "", path[600], says[700];
    bank_store *s = store_with_one_write(dir, sizeof dir);
    bank_store_close(s);
    change_behind_sqlites_back(dir, "UPDATE log SET money = 99 WHERE seq = 1");
    snprintf(path, sizeof path, "%s/branch.db", dir);
    bank_store_state st;
    s = open_ok(dir, 2, 100, &st);
    cr_assert(st.damaged);
    bank_store_state_free(&st);
    bank_logged_write w = lw(2, 2, 5);
    cr_expect_eq(bank_store_commit(s, &w, 1, NULL, 0, NULL, 0, 0, err, sizeof err), -1);
    snprintf(says, sizeof says, "%s is damaged and was not set aside yet", path);
    cr_expect_str_eq(err, says);
    char taken[620], inside[640];
    snprintf(taken, sizeof taken, "%s.damaged", path);
    snprintf(inside, sizeof inside, "%s/x", taken);
    cr_assert_eq(mkdir(taken, 0755), 0);
    FILE *f = fopen(inside, "w");
    cr_assert_not_null(f);
    fclose(f);
    bank_history h = {0};
    cr_assert_eq(bank_write_log_add(&h.tail, &w), BANK_OK);
    cr_expect_eq(bank_store_replace(s, &h, err, sizeof err), -1);
    snprintf(says, sizeof says, "cannot set %s aside: Is a directory", path);
    cr_expect_str_eq(err, says);
    bank_history_free(&h);
    bank_store_close(s);
    remove_tree(dir);
}

/* rule: K3; DIR/pending the disk refuses to make (no file may grow at all): refused, saying why */
Test(store, a_pending_file_the_disk_refuses_to_make_is_refused)
{
    char dir[64], err[600] = "", says[200];
    temp_dir(dir, sizeof dir);
    struct rlimit old, none;
    cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_IGN);
    none = (struct rlimit){0, old.rlim_max};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &none), 0);
    uint64_t mark = 99;
    bank_pending_mark *m = bank_pending_mark_open(dir, 4, 1, &mark, err, sizeof err);
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    cr_expect_null(m);
    snprintf(says, sizeof says, "cannot write %s/pending: File too large", dir);
    cr_expect_str_eq(err, says);
    bank_pending_mark_close(m);
    remove_tree(dir);
}

/* rule: K4; an empty DIR/pending (a crash right after it was made) says a store was made here,
 * none answered pending: the store is damaged (not fresh), the mark 0 */
Test(store, an_empty_pending_file_says_a_store_was_here)
{
    char dir[64], path[200];
    temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/pending", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fclose(f);
    bank_store_state st;
    bank_store *s = open_ok(dir, 2, 100, &st);
    cr_expect(st.damaged && !st.fresh);
    cr_expect_eq(st.answered_pending, 0);
    bank_store_state_free(&st);
    bank_store_close(s);
    remove_tree(dir);
}

/* rule: K2; --sync's names, and the SQLite synchronous level each mode keeps, opened and after a
 * commit (FULL 2, NORMAL 1, OFF 0) */
Test(store, each_sync_mode_keeps_its_synchronous_level)
{
    static const char *const names[] = {"always", "batch", "none"};
    static const int level[] = {2, 1, 0};
    bank_sync sync;
    cr_expect_eq(bank_sync_parse("sometimes", &sync), -1);
    cr_expect_eq(bank_sync_parse("", &sync), -1);
    for (int i = 0; i < 3; i++) {
        sync = (bank_sync)7;
        cr_assert_eq(bank_sync_parse(names[i], &sync), 0, "%s", names[i]);
        cr_expect_str_eq(bank_sync_name(sync), names[i]);
        char dir[64], err[600] = "";
        temp_dir(dir, sizeof dir);
        bank_store_state st;
        bank_store *s = bank_store_open(dir, 2, 100, sync, &st, err, sizeof err);
        cr_assert_not_null(s, "%s", err);
        bank_store_state_free(&st);
        cr_expect_eq(bank_store_sync_mode(s), sync);
        for (int commit = 0; commit < 2; commit++) {
            int64_t got = -1;
            int found = 0;
            cr_assert_eq(bank_store_query_int(s->db, "PRAGMA synchronous", &got, &found), SQLITE_OK);
            cr_expect(found && got == level[i], "--sync %s%s: synchronous %lld", names[i],
                      commit ? ", after a commit" : "", (long long)got);
            bank_logged_write w = lw(2, 1, 10);
            cr_assert_eq(bank_store_commit(s, &w, 1, NULL, 0, NULL, 0, 1, err, sizeof err), 0, "%s", err);
        }
        /* a commit to the disk in batch or none mode is checkpointed into branch.db itself; in
           always mode the synced WAL holds it */
        char copy[64];
        temp_dir(copy, sizeof copy);
        int rows = checkpointed_rows(dir, copy);
        cr_expect(i == 0 ? rows != 1 : rows == 1, "--sync %s: %d rows in branch.db without its WAL", names[i], rows);
        remove_tree(copy);
        bank_store_close(s);
        remove_tree(dir);
    }
}

/* A refused open closes only what it opened: the standard input (descriptor 0) stays open. */
Test(store, a_refused_open_leaves_the_standard_input_open)
{
    if (fcntl(0, F_GETFD) == -1) cr_assert_eq(open("/dev/null", O_RDONLY), 0);
    char dir[64], sub[200];
    temp_dir(dir, sizeof dir);
    snprintf(sub, sizeof sub, "%s/file", dir);
    FILE *f = fopen(sub, "w");
    cr_assert_not_null(f);
    fclose(f);
    snprintf(sub, sizeof sub, "%s/file/sub", dir);
    refused(sub, 2, 100, "cannot make");
    cr_expect_neq(fcntl(0, F_GETFD), -1, "descriptor 0 was closed");
    remove_tree(dir);
}

/* A pending file opened as descriptor 0 (a branch started with its standard input closed) is
 * closed with the rest: closing the mark leaves no descriptor open. */
Test(store, a_pending_file_on_descriptor_0_is_closed)
{
    char dir[64], err[600] = "";
    temp_dir(dir, sizeof dir);
    int saved = dup(0);
    close(0);
    uint64_t mark;
    bank_pending_mark *m = bank_pending_mark_open(dir, 4, 1, &mark, err, sizeof err);
    int had_0 = fcntl(0, F_GETFD) != -1;
    bank_pending_mark_close(m);
    int still_0 = fcntl(0, F_GETFD) != -1;
    if (still_0) close(0);
    if (saved >= 0) {
        dup2(saved, 0);
        close(saved);
    }
    cr_assert_not_null(m, "%s", err);
    cr_expect(had_0, "the pending file was not opened as descriptor 0");
    cr_expect(!still_0, "descriptor 0, the pending file, left open");
    remove_tree(dir);
}

/* A state freed twice is harmless: the first free leaves it empty. */
Test(store, a_store_state_freed_twice_is_empty)
{
    char dir[64], err[600] = "";
    bank_store *s = store_with_one_write(dir, sizeof dir);
    bank_peer_ack ack = {1, 3};
    cr_assert_eq(bank_store_commit(s, NULL, 0, NULL, 0, &ack, 1, 0, err, sizeof err), 0, "%s", err);
    bank_store_close(s);
    bank_store_state st;
    read_back(dir, &st);
    cr_assert_eq(st.n_acked, 1);
    bank_store_state_free(&st);
    cr_expect(st.acked == NULL && st.n_acked == 0 && st.history.tail.n == 0);
    bank_store_state_free(&st);
    remove_tree(dir);
}

/* rule: K1; every record's checksum, as an earlier version wrote it: a store made by one version
 * reads back whole in the next (a changed sum would set every store aside as damaged) */
Test(store, the_checksums_on_disk_keep_their_values)
{
    bank_logged_write deposit = {BANK_WRITE_DEPOSIT, 3, 7, 250, 11, 42}, withdraw = {BANK_WRITE_WITHDRAW, 3, 8, 60, 11, 43};
    bank_checkpoint cp = {3, 8, 190};
    bank_peer_ack ack = {2, 8};
    cr_expect_eq(bank_store_log_sum(&deposit), UINT64_C(15556556852733881178));
    cr_expect_eq(bank_store_log_sum(&withdraw), UINT64_C(2507783106490443155));
    cr_expect_eq(bank_store_checkpoint_sum(&cp), UINT64_C(118148840533462800));
    cr_expect_eq(bank_store_ack_sum(&ack), UINT64_C(2157931833992668655));
    cr_expect_eq(bank_store_identity_sum(2, 100), UINT64_C(16082638644015494210));
}

/* A one-value query that finds no row says so, whatever *found held. */
Test(store, a_query_with_no_row_finds_nothing)
{
    char dir[64];
    bank_store *s = store_with_one_write(dir, sizeof dir);
    int64_t value = 5;
    int found = 1;
    cr_assert_eq(bank_store_query_int(s->db, "SELECT seq FROM log WHERE origin = 99", &value, &found), SQLITE_OK);
    cr_expect_eq(found, 0);
    cr_assert_eq(bank_store_query_int(s->db, "SELECT money FROM log WHERE origin = 2", &value, &found), SQLITE_OK);
    cr_expect(found == 1 && value == 10);
    bank_store_close(s);
    remove_tree(dir);
}

/* Overwrites n bytes of dir/branch.db at offset with garbage. */
static void tear(const char *dir, off_t offset, size_t n)
{
    char path[200];
    snprintf(path, sizeof path, "%s/branch.db", dir);
    int fd = open(path, O_RDWR);
    cr_assert_geq(fd, 0);
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)(0xa5 ^ i * 31);
        cr_assert_eq(pwrite(fd, &b, 1, offset + (off_t)i), 1);
    }
    close(fd);
}

/* rule: K4; what SQLite finds torn is damage, set aside, not a refusal: the first page (its
 * header; DIR/pending says a store was made), or a page inside (quick_check), whose findings
 * make one line */
Test(store, torn_pages_are_damage)
{
    for (int inner = 0; inner < 2; inner++) {
        char dir[64], err[600];
        bank_store *s = store_with_one_write(dir, sizeof dir);
        bank_history h = {0};
        for (uint64_t i = 1; i <= 400; i++) { /* several pages of log */
            bank_logged_write x = lw(1, i, 1);
            cr_assert_eq(bank_write_log_add(&h.tail, &x), BANK_OK);
        }
        cr_assert_eq(bank_store_replace(s, &h, err, sizeof err), 0, "%s", err);
        bank_history_free(&h);
        bank_store_close(s);
        if (inner) tear(dir, 4096 * 2, 16); /* the header of page 3 */
        else tear(dir, 0, 100);
        bank_store_state st;
        read_back(dir, &st);
        cr_expect(st.damaged && !st.fresh, "%s: %s", inner ? "a page inside" : "the first page", st.why);
        if (inner) /* quick_check's findings, its header left out, one per ';' */
            cr_expect(strncmp(st.why, "Page 3: ", 8) == 0 && strchr(st.why, ';'), "%s", st.why);
        cr_expect_eq(st.history.tail.n, 0);
        cr_expect(st.why[0] != '\0' && strchr(st.why, '\n') == NULL, "one line: %s", st.why);
        cr_expect(strncmp(st.why, "*** in database main ***", 24) != 0 && st.why[0] != ' ', "%s", st.why);
        bank_store_state_free(&st);
        remove_tree(dir);
    }
}

/* rule: K4; a damaged record first in its table: nothing after it is believed either */
Test(store, nothing_after_a_damaged_record_is_believed)
{
    char dir[64], err[600];
    bank_store *s = store_with_one_write(dir, sizeof dir);
    bank_logged_write w = lw(2, 2, 20);
    cr_assert_eq(bank_store_commit(s, &w, 1, NULL, 0, NULL, 0, 0, err, sizeof err), 0, "%s", err);
    bank_store_close(s);
    change_behind_sqlites_back(dir, "UPDATE log SET money = 99 WHERE seq = 1");
    bank_store_state st;
    read_back(dir, &st);
    cr_expect(st.damaged);
    cr_expect_eq(st.history.tail.n, 0, "write 2.2, after the damaged 2.1, was kept");
    bank_store_state_free(&st);
    remove_tree(dir);
}

/* rule: K1, K4; a write of money 0 reads back; a record whose checksum holds but that no write
 * can be (sequence 0, negative money) is damage */
Test(store, a_record_no_write_can_be_is_damage)
{
    char dir[64], err[600], sql[300];
    bank_store *s = store_with_one_write(dir, sizeof dir);
    bank_logged_write zero = lw(2, 2, 0);
    cr_assert_eq(bank_store_commit(s, &zero, 1, NULL, 0, NULL, 0, 0, err, sizeof err), 0, "%s", err);
    bank_store_close(s);
    bank_store_state st;
    read_back(dir, &st);
    cr_expect(!st.damaged && st.history.tail.n == 2, "money 0: %s", st.why);
    bank_store_state_free(&st);
    const bank_logged_write bad[] = {lw(2, 0, 5), lw(2, 3, -5)};
    for (int i = 0; i < 2; i++) {
        snprintf(sql, sizeof sql, "DELETE FROM log WHERE seq <> 1; INSERT INTO log VALUES (2, %llu, 0, %lld, 2, %llu, %lld)",
                 (unsigned long long)bad[i].sequence, (long long)bad[i].money, (unsigned long long)bad[i].sequence,
                 (long long)bank_store_log_sum(&bad[i]));
        change_behind_sqlites_back(dir, sql);
        read_back(dir, &st);
        cr_expect(st.damaged, "%s", i ? "negative money" : "sequence 0");
        bank_store_state_free(&st);
    }
    remove_tree(dir);
}

/* rule: K7; a store of another format is refused, naming both */
Test(store, a_store_of_another_format_is_refused)
{
    char dir[64], path[200], says[300];
    bank_store *s = store_with_one_write(dir, sizeof dir);
    bank_store_close(s);
    change_behind_sqlites_back(dir, "UPDATE meta SET value = 2 WHERE key = 'format'");
    snprintf(path, sizeof path, "%s/branch.db", dir);
    snprintf(says, sizeof says, "%s: store format 2, this bank reads format 1", path);
    refused(dir, 2, 100, says);
    remove_tree(dir);
}
