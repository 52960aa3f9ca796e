/* Propagation between branches, real gRPC servers on loopback and the sender's parts: a
 * duplicate acknowledged but not applied and one from the branch itself refused, a batch decided
 * write by write, a peer that never answers leaving the write pending, a write fanned out after
 * the sender stopped failed at once, and acknowledgements counted up to the writes every peer
 * has (the stable prefix). */
#include <criterion/criterion.h>
#include <grpc/grpc.h>
#include <stdio.h>

#include "rpc/ack_count.h"
#include "rpc/branch_server.h"
#include "rpc/client.h"
#include "rpc/codec.h"
#include "rpc/engine.h"
#include "rpc/sender.h"
#include "rpc/timers.h"
#include "rpc_fixture.h"

/* rule: B5, P4 */
Test(rpc, duplicate_propagation_is_acknowledged_not_applied)
{
    bank_branch_config cfg = {.id = 7, .balance = 100, .listen = "127.0.0.1:0",
                              .threads = 1, .propagate_deadline_ms = 5000};
    char target[64];
    bank_branch_server *s = start_server(&cfg, target, sizeof target);
    raw_client rc = raw_open(target);

    Bank__PropagateRequest p = BANK__PROPAGATE_REQUEST__INIT;
    p.origin_branch = 3;
    p.sequence = 1;
    p.money = 30;
    uint8_t buf[64];
    size_t n = bank__propagate_request__pack(&p, buf);
    for (int i = 0; i < 2; i++) {
        grpc_byte_buffer *reply;
        cr_assert_eq(raw_call(&rc, BANK_PATH_PROPAGATE_DEPOSIT, buf, n, &reply), GRPC_STATUS_OK);
        Bank__PropagateReply *r =
            (Bank__PropagateReply *)bank_codec_unpack(&bank__propagate_reply__descriptor, reply);
        grpc_byte_buffer_destroy(reply);
        cr_assert_not_null(r);
        cr_expect_eq(r->applied, i == 0, "delivery %d applied=%d", i, r->applied);
        cr_expect_eq(r->balance, 130);
        bank__propagate_reply__free_unpacked(r, NULL);
    }
    cr_expect_eq(bank_branch_server_balance(s), 130);

    /* a propagation that names this branch as its origin is refused: a branch applies its own
       writes when it takes them, never again through a propagation */
    p.origin_branch = 7;
    p.sequence = 2;
    n = bank__propagate_request__pack(&p, buf);
    for (int kind = 0; kind < 2; kind++)
        expect_refused(&rc, kind ? BANK_PATH_PROPAGATE_WITHDRAW : BANK_PATH_PROPAGATE_DEPOSIT, buf, n,
                       GRPC_STATUS_INVALID_ARGUMENT, "a propagation from the branch itself");
    cr_expect_eq(bank_branch_server_balance(s), 130);

    /* a write before the branch knows its peers is refused: it could not be propagated */
    Bank__CustomerRequest d = BANK__CUSTOMER_REQUEST__INIT;
    d.money = 5;
    n = bank__customer_request__pack(&d, buf);
    expect_refused(&rc, BANK_PATH_DEPOSIT, buf, n, GRPC_STATUS_UNAVAILABLE, "a deposit before the peers");
    cr_expect_eq(bank_branch_server_balance(s), 130);

    raw_close(&rc);
    bank_branch_server_stop(s);
}

/* rule: P12, P4, P5, L1 */
/* A batch is decided write by write, answered in order: one refused does not stop the others,
 * and the same batch sent again applies nothing twice. */
Test(rpc, a_batch_of_propagations_is_answered_write_by_write)
{
    bank_branch_config cfg = {.id = 7, .balance = 100, .listen = "127.0.0.1:0",
                              .threads = 1, .propagate_deadline_ms = 5000};
    char target[64];
    bank_branch_server *s = start_server(&cfg, target, sizeof target);
    raw_client rc = raw_open(target);

    Bank__PropagateRequest w[4];
    Bank__PropagateRequest *ptrs[4];
    for (int i = 0; i < 4; i++) {
        bank__propagate_request__init(&w[i]);
        w[i].origin_branch = 3;
        w[i].sequence = (uint64_t)i + 1;
        w[i].money = 10 * (i + 1);
        ptrs[i] = &w[i];
    }
    w[1].withdraw = 1;   /* -20 */
    w[2].money = -5;     /* refused: negative money */
    w[3].origin_branch = 7; /* refused: from the branch itself */
    w[0].clock = 5;      /* Project 2's clocks (L1): each write's receive is an event */
    w[1].clock = 3;
    w[2].clock = 40;
    Bank__PropagateBatch batch = BANK__PROPAGATE_BATCH__INIT;
    batch.n_writes = 4;
    batch.writes = ptrs;
    uint8_t buf[256];
    size_t n = bank__propagate_batch__pack(&batch, buf);
    for (int round = 0; round < 2; round++) {
        grpc_byte_buffer *reply;
        cr_assert_eq(raw_call(&rc, BANK_PATH_PROPAGATE_BATCH, buf, n, &reply), GRPC_STATUS_OK);
        Bank__PropagateBatchReply *r = (Bank__PropagateBatchReply *)bank_codec_unpack(
            &bank__propagate_batch_reply__descriptor, reply);
        grpc_byte_buffer_destroy(reply);
        cr_assert_not_null(r);
        cr_assert_eq(r->n_replies, 4);
        cr_expect_eq(r->replies[0]->applied, round == 0, "round %d", round);
        cr_expect_eq(r->replies[1]->applied, round == 0, "round %d", round);
        cr_expect_eq(r->replies[0]->error_status, 0);
        /* an applied write's balance is the branch's right after it (bank.proto), as alone */
        if (round == 0) cr_expect_eq(r->replies[0]->balance, 110);
        cr_expect_eq(r->replies[1]->balance, 90);
        cr_expect_eq(r->replies[2]->error_status, GRPC_STATUS_INVALID_ARGUMENT);
        cr_expect_str_eq(r->replies[2]->error, "money must not be negative");
        cr_expect_eq(r->replies[3]->error_status, GRPC_STATUS_INVALID_ARGUMENT);
        cr_expect_eq(r->replies[3]->applied, 0);
        /* the receiver's clock at each receive, max(its own, the write's) + 1; 0 for no event:
         * a duplicate or a refused write (bank.proto) */
        cr_expect_eq(r->replies[0]->clock, round == 0 ? 6 : 0, "round %d", round);
        cr_expect_eq(r->replies[1]->clock, round == 0 ? 7 : 0, "round %d", round);
        cr_expect_eq(r->replies[2]->clock, 0);
        bank__propagate_batch_reply__free_unpacked(r, NULL);
    }
    cr_expect_eq(bank_branch_server_balance(s), 90);

    /* bytes that are not a batch: the call is refused and nothing changes */
    static const uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff};
    expect_refused(&rc, BANK_PATH_PROPAGATE_BATCH, junk, sizeof junk, GRPC_STATUS_INVALID_ARGUMENT, "junk as a batch");
    cr_expect_eq(bank_branch_server_balance(s), 90);

    raw_close(&rc);
    bank_branch_server_stop(s);
}

/* rule: B2, B4, P11 */
Test(rpc, a_peer_that_never_answers_leaves_the_write_pending)
{
    bank_branch_config cfg = {.id = 1, .balance = 100, .listen = "127.0.0.1:0",
                              .threads = 1, .propagate_deadline_ms = 300};
    char err[512];
    bank_branch_server *s = bank_branch_server_start(&cfg, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    /* port 1 on loopback: nobody listens there */
    bank_peer peers[] = {{1, "unused"}, {2, "127.0.0.1:1"}};
    cr_assert_eq(bank_branch_server_set_peers(s, peers, 2, err, sizeof err), 0, "%s", err);
    err[0] = '\0';
    cr_expect_eq(bank_branch_server_set_peers(s, peers, 2, err, sizeof err), -1, "peers are set once");
    cr_expect_str_eq(err, "branch 1: peers already set");
    char target[64];
    snprintf(target, sizeof target, "127.0.0.1:%d", bank_branch_server_port(s));
    bank_channel *ch = bank_channel_open(target, NULL);
    grpc_completion_queue *cq = bank_client_cq_create();
    bank_result r;
    cr_expect_eq(bank_client_call(ch, cq, BANK_OP_DEPOSIT, 1, 1, 10, 5000, &r, err, sizeof err), 0, "%s", err);
    cr_expect(r.pending, "applied here, owed to branch 2");
    cr_expect_eq(bank_branch_server_owed(s), 1);
    /* a query still works, and a failed withdrawal needs no peer at all */
    cr_expect_eq(bank_client_call(ch, cq, BANK_OP_QUERY, 1, 2, 0, 5000, &r, err, sizeof err), 0, "%s", err);
    cr_expect_eq(r.balance, 110);
    cr_expect_eq(bank_client_call(ch, cq, BANK_OP_WITHDRAW, 1, 3, 1000, 5000, &r, err, sizeof err), 0, "%s", err);
    cr_expect_not(r.success);
    bank_client_cq_destroy(cq);
    bank_channel_close(ch);
    bank_branch_server_stop(s);
}

typedef struct {
    int calls;
    bank_delivery outcome;
    char failure[256];
} delivery_told;

static void note_delivery(void *waiter, bank_delivery outcome, const char *failure)
{
    delivery_told *t = waiter;
    t->calls++;
    t->outcome = outcome;
    snprintf(t->failure, sizeof t->failure, "%s", failure);
}

/* rule: P7; a write fanned out once its branch has stopped sending is failed at once, its
 * customer told which peer was not told and why: never left waiting */
Test(rpc, a_write_after_the_sender_stopped_is_failed_at_once)
{
    char err[256];
    bank_engine *e = bank_engine_start(1, err, sizeof err);
    cr_assert_not_null(e, "%s", err);
    bank_timers *timers = bank_timers_start();
    cr_assert_not_null(timers);
    const bank_peer peers[] = {{1, "127.0.0.1:9"}, {2, "127.0.0.1:9"}, {3, "127.0.0.1:9"}};
    bank_sender_config cfg = {.self = 1, .engine = e, .timers = timers, .deadline_ms = 1000,
                              .max_attempts = 1, .backoff_ms = 10};
    bank_sender *s = bank_sender_start(&cfg, peers, 3, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    bank_timers_stop(timers);
    bank_sender_stop(s);
    bank_logged_write w = {BANK_WRITE_DEPOSIT, 1, 1, 50, 7, 8};
    delivery_told told = {0};
    bank_sender_fan_out(s, &w, 0, note_delivery, &told);
    cr_expect_eq(told.calls, 1, "the customer was told %d times", told.calls);
    cr_expect_eq(told.outcome, BANK_DELIVERY_FAILED);
    cr_expect_str_eq(told.failure, "branch 2 was not told: this branch stopped");
    bank_sender_free(s);
    bank_timers_free(timers);
    bank_engine_stop(e);
}

typedef struct {
    uint64_t stable[8];
    size_t n_stable, n_acked;
} ack_seen;

static void seen_acked(void *ctx, int64_t peer, uint64_t through)
{
    (void)peer;
    (void)through;
    ((ack_seen *)ctx)->n_acked++;
}

static void seen_stable(void *ctx, uint64_t through)
{
    ack_seen *s = ctx;
    if (s->n_stable < 8) s->stable[s->n_stable] = through;
    s->n_stable++;
}

/* rule: K5; a branch is told that every peer has its writes 1..N once, when N grows: not again
 * for the same N when a peer that was ahead moves further */
Test(rpc, the_stable_prefix_is_told_once_each_time_it_grows)
{
    ack_seen s = {{0}, 0, 0};
    bank_ack_count *c = bank_ack_count_new(2, (bank_ack_hooks){seen_acked, seen_stable, &s});
    cr_assert_not_null(c);
    bank_ack_count_add(c, 0, 2, 1, 0); /* peer 2 has write 1: not every peer yet */
    cr_expect_eq(s.n_stable, 0);
    bank_ack_count_add(c, 1, 3, 1, 0); /* peer 3 too: 1 is everywhere */
    bank_ack_count_add(c, 0, 2, 2, 0); /* peer 2 ahead: still 1 */
    bank_ack_count_add(c, 0, 2, 3, 0);
    cr_expect(s.n_stable == 1 && s.stable[0] == 1, "told %zu times, first %llu", s.n_stable,
              (unsigned long long)s.stable[0]);
    bank_ack_count_add(c, 1, 3, 3, 1); /* peer 3 has 1..3 at once */
    cr_expect(s.n_stable == 2 && s.stable[1] == 3, "told %zu times, last %llu", s.n_stable,
              (unsigned long long)s.stable[s.n_stable > 1 ? 1 : 0]);
    cr_expect_eq(bank_ack_count_stable(c), 3);
    cr_expect_eq(s.n_acked, 5, "every move of a peer is told");
    bank_ack_count_free(c);
}

/* rule: K5; an acknowledgement that moves no peer tells nothing; with peers, "every peer has it"
 * comes only from them; a branch with no peers has each of its writes everywhere at once */
Test(rpc, an_acknowledgement_that_moves_nothing_tells_nothing)
{
    ack_seen s = {{0}, 0, 0};
    bank_ack_count *c = bank_ack_count_new(2, (bank_ack_hooks){seen_acked, seen_stable, &s});
    cr_assert_not_null(c);
    bank_ack_count_add(c, 0, 2, 2, 1);
    bank_ack_count_add(c, 1, 3, 1, 0);
    cr_expect(s.n_acked == 2 && s.n_stable == 1 && s.stable[0] == 1, "acked %zu, stable %zu", s.n_acked, s.n_stable);
    bank_ack_count_add(c, 0, 2, 1, 0); /* peer 2 had 1 already */
    bank_ack_count_add(c, 0, 2, 2, 1);
    bank_ack_count_add(c, 1, 3, 3, 0); /* 3 without 2: peer 3 still has 1..1 */
    bank_ack_count_add(c, 2, 4, 9, 1); /* no peer 2 at index 2 */
    cr_expect_eq(s.n_acked, 2, "no peer moved");
    cr_expect_eq(s.n_stable, 1);
    bank_ack_count_all(c, 7); /* only a branch without peers has its writes everywhere at once */
    cr_expect_eq(bank_ack_count_stable(c), 1);
    cr_expect_eq(s.n_stable, 1);
    bank_ack_count_free(c);

    ack_seen alone = {{0}, 0, 0};
    c = bank_ack_count_new(0, (bank_ack_hooks){seen_acked, seen_stable, &alone});
    cr_assert_not_null(c);
    bank_ack_count_all(c, 1);
    bank_ack_count_all(c, 2);
    bank_ack_count_all(c, 2);
    cr_expect_eq(bank_ack_count_stable(c), 2);
    cr_expect(alone.n_stable == 2 && alone.stable[0] == 1 && alone.stable[1] == 2, "told %zu times", alone.n_stable);
    cr_expect_eq(alone.n_acked, 0);
    bank_ack_count_free(c);
}
