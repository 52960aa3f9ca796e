/* A branch's store on disk (store/store.c, store_read.c, pending_mark.c): what is committed is
 * read back, the pending mark through a torn write or a reopen, a store read back when memory runs
 * out, each --sync mode's synchronous level, the descriptors a store opens and closes, a state
 * freed twice, a query that finds no row. Damage: test_store_damage.c; refusals:
 * test_store_refusals.c; the journal: test_store_journal.c. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/history.h"
#include "core/write_log.h"
#include "oom_sweep.h"
#include "store/pending_mark.h"
#include "store/store.h"
#include "store/store_private.h" /* the PRAGMA synchronous in force: K2 says which, nothing else shows it */
#include "store_fixture.h"

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
    bank_store *s = new_store(dir, sizeof dir);
    bank_store_state st;
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

/* A torn second slot leaves the first: the mark goes back at most to the one before. */
/* rule: K3 */
Test(store, the_pending_mark_survives_a_torn_write)
{
    char dir[64], path[200];
    bank_store *s = new_store(dir, sizeof dir);
    bank_store_state st;
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
