/* What a branch knows its peers hold (bank_sender_set_acked: read back from its data dir, or
 * from their logs in a recovery): each acknowledgement counts for its own peer alone, and the
 * writes become foldable only once every peer holds them. */
#include <criterion/criterion.h>
#include <grpc/grpc.h>

#include "rpc/engine.h"
#include "rpc/sender.h"
#include "rpc/timers.h"

typedef struct {
    int acked_calls, stable_calls;
    int64_t acked_peer;
    uint64_t acked_through, stable_through;
} heard;

static void on_acked(void *ctx, int64_t peer, uint64_t through)
{
    heard *h = ctx;
    h->acked_calls++;
    h->acked_peer = peer;
    h->acked_through = through;
}

static void on_stable(void *ctx, uint64_t through)
{
    heard *h = ctx;
    h->stable_calls++;
    h->stable_through = through;
}

/* rule: K5; peers 2 and 3 of branch 1: peer 2 known to hold 1..3 makes nothing foldable, an
 * unknown peer or a count of 0 changes nothing, and peer 3's count then makes the lower of the
 * two foldable */
Test(sender_acks, a_known_acknowledgement_counts_for_its_peer_alone)
{
    char err[256];
    grpc_init();
    bank_engine *e = bank_engine_start(1, err, sizeof err);
    cr_assert_not_null(e, "%s", err);
    bank_timers *timers = bank_timers_start();
    cr_assert_not_null(timers);
    heard h = {0};
    const bank_peer peers[] = {{1, "127.0.0.1:9"}, {2, "127.0.0.1:9"}, {3, "127.0.0.1:9"}};
    bank_sender_config cfg = {.self = 1, .engine = e, .timers = timers, .deadline_ms = 1000, .max_attempts = 1,
                              .backoff_ms = 10, .acked = on_acked, .stable = on_stable, .hook_ctx = &h};
    bank_sender *s = bank_sender_start(&cfg, peers, 3, err, sizeof err);
    cr_assert_not_null(s, "%s", err);

    bank_sender_set_acked(s, 2, 3);
    cr_expect_eq(h.acked_calls, 1, "peer 2 acknowledged %d times", h.acked_calls);
    cr_expect_eq(h.acked_peer, 2);
    cr_expect_eq(h.acked_through, 3);
    cr_expect_eq(h.stable_calls, 0, "foldable through %llu before peer 3 holds anything",
                 (unsigned long long)h.stable_through);

    bank_sender_set_acked(s, 9, 5); /* no such peer */
    bank_sender_set_acked(s, 3, 0); /* holds nothing */
    bank_sender_set_acked(s, 1, 4); /* this branch itself: no peer */
    cr_expect_eq(h.acked_calls, 1);
    cr_expect_eq(h.stable_calls, 0);

    bank_sender_set_acked(s, 3, 2);
    cr_expect_eq(h.acked_calls, 2);
    cr_expect_eq(h.acked_peer, 3);
    cr_expect_eq(h.acked_through, 2);
    cr_expect_eq(h.stable_calls, 1);
    cr_expect_eq(h.stable_through, 2, "1..2 everywhere");

    bank_sender_set_acked(s, 3, 5);
    cr_expect_eq(h.acked_calls, 3);
    cr_expect_eq(h.stable_calls, 2);
    cr_expect_eq(h.stable_through, 3, "peer 2 holds 1..3 only");

    bank_timers_stop(timers);
    bank_sender_stop(s);
    bank_sender_free(s);
    bank_timers_free(timers);
    bank_engine_stop(e);
    grpc_shutdown();
}
