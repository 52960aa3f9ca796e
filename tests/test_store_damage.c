/* Damage in a branch's store (store/store_read.c, store.c): a record, checkpoint, acknowledgement
 * or identity row changed behind SQLite's back, torn pages, an empty DIR/pending, a record no write
 * can be: found, nothing of it believed, and set aside before the store takes a commit; and the
 * checksums on disk keep the values an earlier version wrote. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/history.h"
#include "core/write_log.h"
#include "store/store.h"
#include "store/store_private.h" /* the checksums a record carries */
#include "store_fixture.h"

/* rule: K4 */
/* rule: K4; every table's records carry their checksum: a checkpoint or a peer's
 * acknowledgement changed behind SQLite's back is found as a write's is */
Test(store, a_checkpoint_or_acknowledgement_changed_unseen_is_found)
{
    static const char *const changes[] = {"UPDATE checkpoint SET net = net + 1",
                                           "UPDATE acked SET through = through + 1"};
    for (size_t i = 0; i < 2; i++) {
        char dir[64], err[600];
        bank_store *s = new_store(dir, sizeof dir);
        bank_store_state st;
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
    bank_store *s = new_store(dir, sizeof dir);
    bank_store_state st;
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
