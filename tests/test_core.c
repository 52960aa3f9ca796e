/* The replica and its log (core/replica.c, write_log.c, history.c): deposits, withdrawals and
 * propagated writes by every replica rule, duplicates and the origin log's invariants, int64's
 * limits; the write log, the union of logs, what a peer lacks, folding into checkpoints, and a
 * replica rebuilt from the union. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "core/history.h"
#include "core/replica.h"
#include "core/write_log.h"

/* ---- replica ---- */

/* rule: B1, B3, B4, P2 */
Test(replica, deposit_and_withdraw)
{
    bank_replica r;
    bank_write w;
    bank_replica_init(&r, 1, 400);
    cr_expect_eq(bank_replica_deposit(&r, 170, &w), BANK_OK);
    cr_expect_eq(r.balance, 570);
    cr_expect_eq(w.kind, BANK_WRITE_DEPOSIT);
    cr_expect_eq(w.origin, 1);
    cr_expect_eq(w.sequence, 1);
    cr_expect_eq(w.money, 170);
    cr_expect_eq(bank_replica_withdraw(&r, 70, &w), BANK_OK);
    cr_expect_eq(r.balance, 500);
    cr_expect_eq(w.kind, BANK_WRITE_WITHDRAW);
    cr_expect_eq(w.sequence, 2);
    bank_replica_free(&r);
}

/* rule: B3, B4, P2 */
Test(replica, withdraw_of_the_whole_balance_succeeds_one_more_fails)
{
    bank_replica r;
    bank_write w = {0};
    bank_replica_init(&r, 1, 100);
    cr_expect_eq(bank_replica_withdraw(&r, 101, &w), BANK_INSUFFICIENT_FUNDS);
    cr_expect_eq(r.balance, 100, "a failed withdrawal changes nothing");
    cr_expect_eq(r.last_sequence, 0, "a failed write takes no sequence");
    cr_expect_eq(bank_replica_withdraw(&r, 100, &w), BANK_OK);
    cr_expect_eq(r.balance, 0);
    cr_expect_eq(w.sequence, 1);
    cr_expect_eq(bank_replica_withdraw(&r, 0, &w), BANK_OK, "zero money is a write");
    cr_expect_eq(w.sequence, 2);
    bank_replica_free(&r);
}

/* rule: B3, P5 */
Test(replica, bad_money_and_overflow_change_nothing)
{
    bank_replica r;
    bank_write w;
    bank_replica_init(&r, 1, INT64_MAX - 5);
    cr_expect_eq(bank_replica_deposit(&r, -1, &w), BANK_BAD_MONEY);
    cr_expect_eq(bank_replica_withdraw(&r, -1, &w), BANK_BAD_MONEY);
    cr_expect_eq(bank_replica_deposit(&r, 6, &w), BANK_OVERFLOW);
    cr_expect_eq(r.balance, INT64_MAX - 5);
    cr_expect_eq(r.last_sequence, 0);
    cr_expect_eq(bank_replica_deposit(&r, 5, &w), BANK_OK);
    cr_expect_eq(r.balance, INT64_MAX);
    bank_write in = {BANK_WRITE_DEPOSIT, 2, 1, 1};
    cr_expect_eq(bank_replica_apply(&r, &in), BANK_OVERFLOW);
    cr_expect_not(bank_replica_has_applied(&r, 2, 1), "a refused propagation is not recorded");
    bank_write neg = {BANK_WRITE_DEPOSIT, 2, 1, -1};
    cr_expect_eq(bank_replica_apply(&r, &neg), BANK_BAD_MONEY);
    cr_expect_eq(r.balance, INT64_MAX);
    bank_replica_free(&r);
}

/* rule: P3, P9 */
Test(replica, propagated_withdrawal_is_applied_without_a_balance_check)
{
    bank_replica r;
    bank_replica_init(&r, 2, 50);
    bank_write w = {BANK_WRITE_WITHDRAW, 1, 1, 80};
    cr_expect_eq(bank_replica_apply(&r, &w), BANK_OK);
    cr_expect_eq(r.balance, -30, "committed at its origin: applied even below zero");
    bank_replica_free(&r);
}

/* rule: P4 */
Test(replica, duplicates_out_of_order_and_several_origins)
{
    bank_replica r;
    bank_replica_init(&r, 9, 0);
    uint64_t order[] = {3, 1, 5, 2, 4};
    for (size_t i = 0; i < 5; i++) {
        bank_write w = {BANK_WRITE_DEPOSIT, 1, order[i], 1};
        cr_expect_eq(bank_replica_apply(&r, &w), BANK_OK, "seq %llu", (unsigned long long)order[i]);
        bank_write again = w;
        cr_expect_eq(bank_replica_apply(&r, &again), BANK_DUPLICATE, "seq %llu again", (unsigned long long)order[i]);
    }
    cr_expect_eq(r.balance, 5);
    for (uint64_t s = 1; s <= 5; s++) cr_expect(bank_replica_has_applied(&r, 1, s));
    cr_expect_not(bank_replica_has_applied(&r, 1, 6));
    cr_expect_not(bank_replica_has_applied(&r, 2, 1), "origins are separate");
    bank_write other = {BANK_WRITE_WITHDRAW, 2, 1, 2};
    cr_expect_eq(bank_replica_apply(&r, &other), BANK_OK);
    cr_expect_eq(bank_replica_apply(&r, &other), BANK_DUPLICATE);
    cr_expect_eq(r.balance, 3);
    bank_replica_free(&r);
}

/* The origin log holds what replica.h promises: early arrivals sorted, all above contiguous + 1,
 * and folded into contiguous as soon as the gap below them closes, so a log whose gaps have all
 * closed holds no early arrival at all (its memory does not grow with the writes). */
Test(replica, early_arrivals_stay_sorted_and_fold_away)
{
    bank_replica r;
    bank_replica_init(&r, 9, 0);
    uint64_t order[] = {5, 3, 7, 4, 1, 2, 6};
    uint64_t want_contiguous[] = {0, 0, 0, 0, 1, 5, 7};
    size_t want_ahead[] = {1, 2, 3, 4, 4, 1, 0};
    for (size_t i = 0; i < 7; i++) {
        bank_write w = {BANK_WRITE_DEPOSIT, 4, order[i], 1};
        cr_assert_eq(bank_replica_apply(&r, &w), BANK_OK);
        cr_assert_eq(r.n_origins, 1);
        const bank_origin_log *log = &r.origins[0];
        cr_expect_eq(log->contiguous, want_contiguous[i], "after seq %llu", (unsigned long long)order[i]);
        cr_expect_eq(log->n_ahead, want_ahead[i], "after seq %llu", (unsigned long long)order[i]);
        for (size_t k = 0; k < log->n_ahead; k++) {
            cr_expect_gt(log->ahead[k], log->contiguous + 1, "after seq %llu", (unsigned long long)order[i]);
            if (k) cr_expect_gt(log->ahead[k], log->ahead[k - 1], "after seq %llu: ahead not sorted",
                                (unsigned long long)order[i]);
        }
    }
    cr_expect_eq(r.balance, 7);
    bank_replica_free(&r);
}

/* A checkpoint marked through a sequence drops the early arrivals it covers and folds those
 * that then follow it without a gap. */
Test(replica, marking_through_folds_the_early_arrivals_that_follow)
{
    bank_origin_log log = {0};
    log.origin = 2;
    uint64_t seqs[] = {1, 2, 4, 5, 6, 8};
    for (size_t i = 0; i < 6; i++) cr_assert_eq(bank_origin_log_add(&log, seqs[i]), BANK_OK);
    cr_assert_eq(log.contiguous, 2);
    cr_assert_eq(log.n_ahead, 4);
    bank_origin_log_mark_through(&log, 4);
    cr_expect_eq(log.contiguous, 6, "4 covered, then 5 and 6 fold: %llu", (unsigned long long)log.contiguous);
    cr_assert_eq(log.n_ahead, 1);
    cr_expect_eq(log.ahead[0], 8);
    bank_origin_log_mark_through(&log, 3);
    cr_expect_eq(log.contiguous, 6, "marking below contiguous changes nothing");
    cr_expect_eq(log.n_ahead, 1);
    bank_origin_log_mark_through(&log, 7);
    cr_expect_eq(log.contiguous, 8);
    cr_expect_eq(log.n_ahead, 0);
    bank_origin_log_free(&log);
}

/* rule: B7 */
Test(replica, unsequenced_writes_apply_every_time)
{
    bank_replica r;
    bank_replica_init(&r, 1, 0);
    bank_write w = {BANK_WRITE_DEPOSIT, 0, 0, 7};
    cr_expect_eq(bank_replica_apply(&r, &w), BANK_OK);
    cr_expect_eq(bank_replica_apply(&r, &w), BANK_OK);
    cr_expect_eq(r.balance, 14);
    bank_replica_free(&r);
}

Test(replica, every_status_has_its_own_text)
{
    cr_expect_str_eq(bank_status_text(BANK_OK), "ok");
    cr_expect_str_eq(bank_status_text(BANK_INSUFFICIENT_FUNDS), "insufficient funds");
    cr_expect_str_eq(bank_status_text(BANK_BAD_MONEY), "money must not be negative");
    cr_expect_str_eq(bank_status_text(BANK_OVERFLOW), "the balance would overflow int64");
    cr_expect_str_eq(bank_status_text(BANK_DUPLICATE), "already applied");
    cr_expect_str_eq(bank_status_text(BANK_NO_MEMORY), "out of memory");
    cr_expect_str_eq(bank_status_text((bank_status)99), "unknown status");
}

/* A propagated withdrawal that would take the balance below INT64_MIN is refused like an
 * overflowing deposit: nothing applied, nothing recorded, so a later retry is not a duplicate. */
Test(replica, propagated_withdrawal_below_int64_min_is_refused)
{
    bank_replica r;
    bank_replica_init(&r, 2, INT64_MIN + 10);
    bank_write w = {BANK_WRITE_WITHDRAW, 1, 1, 11};
    cr_expect_eq(bank_replica_apply(&r, &w), BANK_OVERFLOW);
    cr_expect_eq(r.balance, INT64_MIN + 10);
    cr_expect_not(bank_replica_has_applied(&r, 1, 1));
    w.money = 10;
    cr_expect_eq(bank_replica_apply(&r, &w), BANK_OK);
    cr_expect_eq(r.balance, INT64_MIN);
    bank_replica_free(&r);
}

/* More origins than the first allocation holds, each with writes arriving out of order: every
 * origin keeps its own log, and freeing the replica leaves it empty and reusable. */
Test(replica, many_origins_each_out_of_order)
{
    bank_replica r;
    bank_replica_init(&r, 100, 0);
    for (int64_t o = 1; o <= 20; o++)
        for (uint64_t s = 10; s >= 1; s--) {
            bank_write w = {BANK_WRITE_DEPOSIT, o, s, o};
            cr_assert_eq(bank_replica_apply(&r, &w), BANK_OK, "origin %lld seq %llu", (long long)o,
                         (unsigned long long)s);
        }
    cr_expect_eq(r.n_origins, 20);
    cr_expect_eq(r.balance, 10 * (20 * 21 / 2));
    for (int64_t o = 1; o <= 20; o++) {
        cr_expect(bank_replica_has_applied(&r, o, 10));
        cr_expect_not(bank_replica_has_applied(&r, o, 11));
        bank_write again = {BANK_WRITE_DEPOSIT, o, 7, 1};
        cr_expect_eq(bank_replica_apply(&r, &again), BANK_DUPLICATE);
    }
    cr_expect_eq(r.balance, 2100, "duplicates changed nothing");
    bank_replica_free(&r);
    cr_expect_eq(r.n_origins, 0);
    cr_expect_not(bank_replica_has_applied(&r, 1, 1));
    bank_replica_free(&r);
}

/* Found by fuzzing (fuzz/regressions/proto): a large write resent after it was applied must be
 * acknowledged as a duplicate, not refused as an overflow of the balance it already raised. */
Test(replica, resent_large_write_is_a_duplicate_not_an_overflow)
{
    bank_replica r;
    bank_replica_init(&r, 2, 1000);
    bank_write w = {BANK_WRITE_DEPOSIT, 1, 1, INT64_MAX - 1000};
    cr_assert_eq(bank_replica_apply(&r, &w), BANK_OK);
    cr_expect_eq(r.balance, INT64_MAX);
    cr_expect_eq(bank_replica_apply(&r, &w), BANK_DUPLICATE);
    cr_expect_eq(r.balance, INT64_MAX);
    bank_write other = {BANK_WRITE_DEPOSIT, 1, 2, 1};
    cr_expect_eq(bank_replica_apply(&r, &other), BANK_OVERFLOW, "a new write still cannot overflow");
    cr_expect(!bank_replica_has_applied(&r, 1, 2), "and is not recorded");
    bank_replica_free(&r);
}

/* ---- the write log and recovery ---- */

/* rule: B9 */
Test(write_log, logs_every_sequenced_write_applied_once)
{
    bank_replica r;
    bank_write w;
    bank_replica_init(&r, 1, 100);
    cr_expect_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 10, 7, 70, &w), BANK_OK);
    cr_expect_eq(bank_logged_local(&r, BANK_WRITE_WITHDRAW, 500, 7, 71, &w), BANK_INSUFFICIENT_FUNDS);
    bank_write p = {BANK_WRITE_WITHDRAW, 2, 1, 5};
    cr_expect_eq(bank_logged_apply(&r, &p, 8, 80), BANK_OK);
    cr_expect_eq(bank_logged_apply(&r, &p, 8, 80), BANK_DUPLICATE);
    bank_write course = {BANK_WRITE_DEPOSIT, 0, 0, 1}; /* unsequenced: applied, not logged */
    cr_expect_eq(bank_logged_apply(&r, &course, 9, 90), BANK_OK);
    cr_expect_eq(r.balance, 106);
    cr_assert_eq(r.log.n, 2, "the failed withdrawal, the duplicate and the unsequenced write are not logged");
    bank_logged_write a = r.log.items[0], b = r.log.items[1];
    cr_expect(a.kind == BANK_WRITE_DEPOSIT && a.origin == 1 && a.sequence == 1 && a.money == 10 &&
              a.customer_id == 7 && a.event_id == 70);
    cr_expect(b.kind == BANK_WRITE_WITHDRAW && b.origin == 2 && b.sequence == 1 && b.money == 5 &&
              b.customer_id == 8 && b.event_id == 80);
    bank_replica_free(&r);
}

static bank_logged_write lw(int64_t origin, uint64_t seq, bank_write_kind k, int64_t money)
{
    return (bank_logged_write){k, origin, seq, money, origin * 100, (int64_t)seq};
}

static bank_history history_of(const bank_logged_write *w, size_t n, const bank_checkpoint *cps,
                               size_t n_cps)
{
    bank_history h = {0};
    for (size_t i = 0; i < n; i++) cr_assert_eq(bank_write_log_add(&h.tail, &w[i]), BANK_OK);
    for (size_t i = 0; i < n_cps; i++) cr_assert_eq(bank_checkpoints_merge(&h.checkpoints, &cps[i]), BANK_OK);
    bank_history_normalize(&h);
    return h;
}

/* rule: B10 */
Test(write_log, union_and_what_a_peer_lacks)
{
    bank_logged_write all[] = {lw(2, 2, BANK_WRITE_DEPOSIT, 1), lw(1, 1, BANK_WRITE_DEPOSIT, 5),
                               lw(2, 1, BANK_WRITE_WITHDRAW, 3), lw(1, 1, BANK_WRITE_DEPOSIT, 5),
                               lw(3, 1, BANK_WRITE_DEPOSIT, 9), lw(2, 2, BANK_WRITE_DEPOSIT, 1)};
    size_t n = bank_logged_sort_unique(all, 6);
    cr_assert_eq(n, 4);
    cr_expect(all[0].origin == 1 && all[1].origin == 2 && all[1].sequence == 1 &&
              all[2].sequence == 2 && all[3].origin == 3);
    cr_expect_eq(bank_logged_sort_unique(all, 0), 0);
    bank_history u = history_of(all, n, NULL, 0);
    bank_logged_write peer2_w[] = {lw(2, 1, BANK_WRITE_WITHDRAW, 3)}; /* branch 2 knows only (2, 1) */
    bank_history peer2 = history_of(peer2_w, 1, NULL, 0);
    bank_write_log out = {0};
    cr_assert_eq(bank_history_missing(&u, &peer2, 2, &out), BANK_OK);
    cr_assert_eq(out.n, 2, "(1, 1) and (3, 1); (2, 2) is branch 2's own");
    cr_expect(out.items[0].origin == 1 && out.items[1].origin == 3);
    bank_write_log_free(&out);
    /* a peer whose checkpoint of origin 1 covers (1, 1) lacks only (3, 1) */
    bank_checkpoint cp1 = {1, 1, 5};
    bank_history peer3 = history_of(NULL, 0, &cp1, 1);
    cr_assert_eq(bank_history_missing(&u, &peer3, 3, &out), BANK_OK);
    cr_assert_eq(out.n, 2, "(2, 1) and (2, 2): (1, 1) is under its checkpoint, (3, 1) its own");
    cr_expect(out.items[0].origin == 2 && out.items[1].origin == 2);
    bank_write_log_free(&out);
    bank_history_free(&u);
    bank_history_free(&peer2);
    bank_history_free(&peer3);
}

/* rule: B10, K5 */
Test(history, union_keeps_the_furthest_checkpoint_and_drops_what_it_covers)
{
    bank_checkpoint a_cps[] = {{1, 3, 30}, {2, 1, -5}};
    bank_logged_write a_w[] = {lw(1, 4, BANK_WRITE_DEPOSIT, 7), lw(2, 2, BANK_WRITE_DEPOSIT, 1),
                               lw(2, 3, BANK_WRITE_DEPOSIT, 2)};
    bank_checkpoint b_cps[] = {{2, 2, -4}};
    bank_logged_write b_w[] = {lw(1, 2, BANK_WRITE_DEPOSIT, 10), lw(1, 3, BANK_WRITE_DEPOSIT, 10),
                               lw(1, 4, BANK_WRITE_DEPOSIT, 7), lw(3, 1, BANK_WRITE_WITHDRAW, 1)};
    bank_history a = history_of(a_w, 3, a_cps, 2), b = history_of(b_w, 4, b_cps, 1);
    bank_history u = {0};
    cr_assert_eq(bank_history_merge(&u, &a), BANK_OK);
    cr_assert_eq(bank_history_merge(&u, &b), BANK_OK);
    cr_expect_eq(bank_checkpoint_find(&u.checkpoints, 1)->through, 3);
    cr_expect_eq(bank_checkpoint_find(&u.checkpoints, 2)->through, 2);
    cr_expect_eq(bank_checkpoint_find(&u.checkpoints, 2)->net, -4);
    cr_assert_eq(u.tail.n, 3, "(1, 4), (2, 3), (3, 1): the rest is under a checkpoint");
    cr_expect(bank_history_has(&u, 1, 1) && bank_history_has(&u, 2, 3) && !bank_history_has(&u, 3, 2));
    cr_expect_eq(bank_history_contiguous(&u, 1), 4);
    cr_expect_eq(bank_history_contiguous(&u, 3), 1);
    cr_expect_eq(bank_history_contiguous(&u, 4), 0);
    bank_replica r;
    bank_replica_init(&r, 2, 100);
    cr_assert_eq(bank_replica_restore(&r, 100, &u), BANK_OK);
    cr_expect_eq(r.balance, 100 + 30 - 4 + 7 + 2 - 1);
    cr_expect_eq(r.last_sequence, 3, "its own: (2, 2) under the checkpoint, (2, 3) in the tail");
    cr_expect(bank_replica_has_applied(&r, 1, 2), "under the checkpoint of origin 1");
    bank_write again = {BANK_WRITE_DEPOSIT, 1, 3, 10};
    cr_expect_eq(bank_replica_apply(&r, &again), BANK_DUPLICATE);
    cr_expect_eq(r.checkpoints.n, 2);
    cr_expect_eq(r.log.n, 3);
    bank_replica_free(&r);
    bank_history_free(&a);
    bank_history_free(&b);
    bank_history_free(&u);
}

/* rule: K5 */
Test(history, fold_moves_an_acknowledged_prefix_into_the_checkpoint)
{
    bank_replica r;
    bank_write w;
    bank_replica_init(&r, 1, 100);
    for (int i = 0; i < 3; i++) cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 10, 0, i, &w), BANK_OK);
    bank_write p1 = {BANK_WRITE_WITHDRAW, 2, 1, 5}, p3 = {BANK_WRITE_DEPOSIT, 2, 3, 1};
    cr_assert_eq(bank_logged_apply(&r, &p1, 0, 0), BANK_OK);
    cr_assert_eq(bank_logged_apply(&r, &p3, 0, 0), BANK_OK);
    cr_assert_eq(r.log.n, 5);
    cr_expect_eq(bank_replica_fold(&r, 1, 2), BANK_OK);
    cr_expect_eq(r.log.n, 3);
    cr_expect_eq(r.log_base, 2);
    cr_expect_eq(r.folds, 1);
    const bank_checkpoint *cp = bank_checkpoint_find(&r.checkpoints, 1);
    cr_assert(cp);
    cr_expect(cp->through == 2 && cp->net == 20);
    cr_expect_eq(bank_replica_fold(&r, 1, 2), BANK_OK, "nothing new: nothing changes");
    cr_expect_eq(r.folds, 1);
    cr_expect_eq(bank_replica_fold(&r, 1, 9), BANK_OK, "cut to its own last write, 3");
    cr_expect_eq(bank_checkpoint_find(&r.checkpoints, 1)->through, 3);
    cr_expect_eq(bank_replica_fold(&r, 2, 3), BANK_OK, "origin 2: only (2, 1), then a gap");
    cr_expect_eq(bank_checkpoint_find(&r.checkpoints, 2)->through, 1);
    cr_expect_eq(bank_checkpoint_find(&r.checkpoints, 2)->net, -5);
    cr_assert_eq(r.log.n, 1);
    cr_expect(r.log.items[0].origin == 2 && r.log.items[0].sequence == 3);
    cr_expect_eq(r.log_base, 4);
    cr_expect_eq(r.balance, 100 + 30 - 5 + 1, "folding changes no balance");
    bank_write dup = {BANK_WRITE_WITHDRAW, 2, 1, 5};
    cr_expect_eq(bank_logged_apply(&r, &dup, 0, 0), BANK_DUPLICATE, "a folded write is still known");

    bank_history h;
    cr_assert_eq(bank_replica_history(&r, &h), BANK_OK);
    bank_replica back;
    bank_replica_init(&back, 1, 100);
    cr_assert_eq(bank_replica_restore(&back, 100, &h), BANK_OK);
    cr_expect_eq(back.balance, r.balance);
    cr_expect_eq(back.last_sequence, 3);
    cr_expect(bank_replica_has_applied(&back, 2, 1) && bank_replica_has_applied(&back, 2, 3) &&
              !bank_replica_has_applied(&back, 2, 2));
    bank_history_free(&h);
    bank_replica_free(&back);

    bank_checkpoint big = {3, 1, INT64_MAX};
    bank_replica o;
    bank_replica_init(&o, 1, 0);
    cr_assert_eq(bank_logged_local(&o, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    bank_history hb = {0};
    cr_assert_eq(bank_checkpoints_merge(&hb.checkpoints, &big), BANK_OK);
    cr_assert_eq(bank_write_log_add(&hb.tail, &(bank_logged_write){BANK_WRITE_DEPOSIT, 1, 1, 1, 0, 0}), BANK_OK);
    cr_expect_eq(bank_replica_restore(&o, 0, &hb), BANK_OVERFLOW, "a checkpoint beyond int64 leaves it as it was");
    cr_expect_eq(o.balance, 1);
    bank_history_free(&hb);
    bank_replica_free(&o);
    bank_replica_free(&r);
}

/* rule: K5; a replica restored with eight checkpoints (exactly what the first growth of a
 * checkpoint list holds) folds a ninth origin's writes: the restored list knows its own size and
 * grows past it, every checkpoint kept (restore once left the list's capacity 0, and the ninth
 * was then written past a list regrown to eight) */
Test(history, a_restored_replica_folds_a_new_origin_past_its_restored_checkpoints)
{
    bank_checkpoint cps[8];
    for (int i = 0; i < 8; i++) cps[i] = (bank_checkpoint){i + 2, 1, i + 1}; /* origins 2..9 */
    bank_history h = history_of(NULL, 0, cps, 8);
    bank_replica r;
    bank_replica_init(&r, 1, 100);
    cr_assert_eq(bank_replica_restore(&r, 100, &h), BANK_OK);
    cr_assert_eq(r.checkpoints.n, 8);
    bank_write p = {BANK_WRITE_DEPOSIT, 10, 1, 50};
    cr_assert_eq(bank_logged_apply(&r, &p, 0, 0), BANK_OK);
    cr_assert_eq(bank_replica_fold(&r, 10, 1), BANK_OK);
    cr_assert_eq(r.checkpoints.n, 9);
    for (int i = 0; i < 8; i++) {
        const bank_checkpoint *cp = bank_checkpoint_find(&r.checkpoints, i + 2);
        cr_assert_not_null(cp, "origin %d's checkpoint kept", i + 2);
        cr_expect(cp->through == 1 && cp->net == i + 1, "origin %d", i + 2);
    }
    const bank_checkpoint *cp = bank_checkpoint_find(&r.checkpoints, 10);
    cr_assert_not_null(cp);
    cr_expect(cp->through == 1 && cp->net == 50);
    cr_expect_eq(r.log.n, 0);
    cr_expect_eq(r.balance, 100 + 36 + 50);
    bank_history_free(&h);
    bank_replica_free(&r);
}

/* rule: B10 */
Test(write_log, rebuild_from_the_union)
{
    bank_logged_write uw[] = {lw(1, 1, BANK_WRITE_DEPOSIT, 10), lw(1, 3, BANK_WRITE_WITHDRAW, 4),
                              lw(2, 1, BANK_WRITE_DEPOSIT, 100), lw(3, 2, BANK_WRITE_WITHDRAW, 50)};
    bank_history u = history_of(uw, 4, NULL, 0);
    bank_replica r;
    bank_replica_init(&r, 1, 400);
    cr_assert_eq(bank_replica_restore(&r, 400, &u), BANK_OK);
    cr_expect_eq(r.balance, 400 + 10 - 4 + 100 - 50);
    cr_expect_eq(r.last_sequence, 3, "the next write of its own is (1, 4)");
    cr_expect(bank_replica_has_applied(&r, 2, 1));
    cr_expect(bank_replica_has_applied(&r, 3, 2));
    cr_expect_not(bank_replica_has_applied(&r, 3, 1), "(3, 1) was nowhere: it is still to come");
    cr_expect_eq(r.log.n, 4);
    bank_write again = {BANK_WRITE_DEPOSIT, 2, 1, 100};
    cr_expect_eq(bank_logged_apply(&r, &again, 0, 0), BANK_DUPLICATE, "a redelivery is a duplicate");
    bank_write w;
    cr_expect_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 0, 0, &w), BANK_OK);
    cr_expect_eq(w.sequence, 4);

    /* a union that overflows leaves the replica as it was */
    bank_logged_write bigw[] = {lw(2, 1, BANK_WRITE_DEPOSIT, INT64_MAX)};
    bank_history big = history_of(bigw, 1, NULL, 0);
    int64_t before = r.balance;
    cr_expect_eq(bank_replica_restore(&r, 400, &big), BANK_OVERFLOW);
    cr_expect_eq(r.balance, before);
    cr_expect_eq(r.log.n, 5);
    bank_logged_write own_bigw[] = {lw(1, 1, BANK_WRITE_WITHDRAW, INT64_MAX), lw(1, 2, BANK_WRITE_WITHDRAW, INT64_MAX)};
    bank_history own_big = history_of(own_bigw, 2, NULL, 0);
    cr_expect_eq(bank_replica_restore(&r, 0, &own_big), BANK_OVERFLOW);
    cr_expect_eq(r.balance, before);
    bank_history none = {0};
    cr_expect_eq(bank_replica_restore(&r, 7, &none), BANK_OK, "nothing anywhere: the initial balance");
    cr_expect_eq(r.balance, 7);
    cr_expect_eq(r.last_sequence, 0);
    bank_history_free(&u);
    bank_history_free(&big);
    bank_history_free(&own_big);
    bank_replica_free(&r);
}
