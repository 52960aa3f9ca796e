/* What a branch's store refuses (store/store.c, store_read.c, pending_mark.c), each refusal saying
 * why and leaving the store as it was: a directory of another branch, balance or format, or not a
 * store; a pending file of another branch or that the disk refuses; a replace or commit refused by
 * a full disk, another program's write lock or a BEGIN; the next commit taken once the cause is
 * gone. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/history.h"
#include "core/write_log.h"
#include "store/pending_mark.h"
#include "store/store.h"
#include "store/store_private.h" /* the store's own connection, to open a transaction on it */
#include "store_fixture.h"

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

/* rule: K7 */
Test(store, refusals_leave_the_directory_as_it_was)
{
    char dir[64], path[200];
    bank_store *s = new_store(dir, sizeof dir);
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
