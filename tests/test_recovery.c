/* Writes a peer did not acknowledge (PENDING, still in its queue), the write log's Snapshot pages, and a
 * branch that recovers from its peers after a crash: real servers on loopback, in this process. */
#include <criterion/criterion.h>
#include <grpc/grpc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/history.h"
#include "core/write_log.h"
#include "rpc/branch_server.h"
#include "rpc/client.h"
#include "rpc/codec.h"
#include "rpc/snapshot.h"

static bank_branch_server *start_branch(int64_t id, int64_t balance, const char *listen, int recover)
{
    /* a 300 ms propagation deadline and 2 quick tries: a peer that is down is given up on fast */
    bank_branch_config cfg = {.id = id, .balance = balance, .listen = listen, .threads = 1,
                              .propagate_deadline_ms = 300, .propagate_attempts = 2,
                              .retry_backoff_ms = 10, .recover = recover};
    char err[512];
    bank_branch_server *s = bank_branch_server_start(&cfg, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    return s;
}

static void address_of(bank_branch_server *s, char *buf, size_t n)
{
    snprintf(buf, n, "127.0.0.1:%d", bank_branch_server_port(s));
}

static void set_peers(bank_branch_server *s, const bank_peer *peers, size_t n)
{
    char err[512];
    cr_assert_eq(bank_branch_server_set_peers(s, peers, n, err, sizeof err), 0, "%s", err);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits up to 15 s for s to hold want and owe nothing. */
static int settles_at(bank_branch_server *s, int64_t want)
{
    for (int i = 0; i < 300; i++) {
        if (bank_branch_server_balance(s) == want && bank_branch_server_owed(s) == 0) return 1;
        sleep_ms(50);
    }
    return 0;
}

static int call(const char *target, bank_op op, int64_t money, bank_result *r, char *err, size_t errlen)
{
    bank_channel *ch = bank_channel_open(target, NULL);
    grpc_completion_queue *cq = bank_client_cq_create();
    int rc = bank_client_call(ch, cq, op, 1, 1, money, 5000, r, err, errlen);
    bank_client_cq_destroy(cq);
    bank_channel_close(ch);
    return rc;
}

/* A course-form MsgDelivery; returns the MsgResponse's result ("" when the call failed). */
static void course_deposit(const char *target, int32_t money, char *result, size_t n)
{
    bank_channel *ch = bank_channel_open(target, NULL);
    grpc_completion_queue *cq = bank_client_cq_create();
    MsgRequest m = MSG_REQUEST__INIT;
    m.id = 1;
    m.interface = "deposit";
    m.money = money;
    uint8_t buf[64];
    size_t len = msg_request__pack(&m, buf);
    grpc_byte_buffer *reply = NULL;
    snprintf(result, n, "%s", "");
    if (bank_client_raw(ch, cq, BANK_PATH_MSG_DELIVERY, buf, len, 5000, &reply) == GRPC_STATUS_OK) {
        MsgResponse *r = (MsgResponse *)bank_codec_unpack(&msg_response__descriptor, reply);
        if (r) snprintf(result, n, "%s", r->result);
        if (r) protobuf_c_message_free_unpacked(&r->base, NULL);
    }
    if (reply) grpc_byte_buffer_destroy(reply);
    bank_client_cq_destroy(cq);
    bank_channel_close(ch);
}

/* rule: P11, B6 */
Test(recovery, a_write_a_down_peer_missed_is_answered_pending_and_delivered_when_it_is_back)
{
    bank_branch_server *b = start_branch(2, 100, "127.0.0.1:0", 0);
    char a_addr[64], b_addr[64];
    address_of(b, b_addr, sizeof b_addr);
    bank_branch_server_stop(b); /* branch 2 is down */

    bank_branch_server *a = start_branch(1, 100, "127.0.0.1:0", 0);
    address_of(a, a_addr, sizeof a_addr);
    bank_peer peers[] = {{1, a_addr}, {2, b_addr}};
    set_peers(a, peers, 2);
    bank_result r;
    char err[512];
    cr_assert_eq(call(a_addr, BANK_OP_DEPOSIT, 10, &r, err, sizeof err), 0, "%s", err);
    cr_expect(r.pending, "branch 2 is down: the write is pending");
    cr_expect(r.success);
    cr_expect_eq(r.balance, 110, "applied here");
    char result[32];
    course_deposit(a_addr, 5, result, sizeof result);
    cr_expect_str_eq(result, "pending", "the course's form says pending in its result string");
    cr_expect_eq(bank_branch_server_owed(a), 2, "both writes owed to branch 2");
    cr_assert_eq(call(a_addr, BANK_OP_QUERY, 0, &r, err, sizeof err), 0, "%s", err);
    cr_expect_eq(r.balance, 115);

    b = start_branch(2, 100, b_addr, 0); /* back, on the same address */
    set_peers(b, peers, 2);
    cr_expect(settles_at(b, 115), "branch 2 got both owed writes: it holds %lld",
              (long long)bank_branch_server_balance(b));
    cr_expect(settles_at(a, 115), "and branch 1 owes nothing more");
    bank_branch_server_stop(a);
    bank_branch_server_stop(b);
}

/* A peer whose port refuses connections is known down at once: each try fails at once and the
 * next follows the backoff, so with the defaults (5 tries, 10 s deadline, 50 ms backoff) a write
 * is pending after about 50+100+200+400 ms, not after five deadlines (50.8 s before). The bound
 * is generous on purpose: it tells a deadline per try from none, not a fast machine from a slow
 * one.
 * rule: P10, P11 */
Test(recovery, a_refusing_peer_makes_a_write_pending_in_seconds_not_deadlines)
{
    bank_branch_server *b = start_branch(2, 100, "127.0.0.1:0", 0);
    char a_addr[64], b_addr[64];
    address_of(b, b_addr, sizeof b_addr);
    bank_branch_server_stop(b); /* nobody listens on b_addr now */

    bank_branch_config cfg = {.id = 1, .balance = 100, .listen = "127.0.0.1:0", .threads = 1};
    char err[512];
    bank_branch_server *a = bank_branch_server_start(&cfg, err, sizeof err);
    cr_assert_not_null(a, "%s", err);
    address_of(a, a_addr, sizeof a_addr);
    bank_peer peers[] = {{1, a_addr}, {2, b_addr}};
    set_peers(a, peers, 2);
    bank_channel *ch = bank_channel_open(a_addr, NULL);
    grpc_completion_queue *cq = bank_client_cq_create();
    for (int64_t event = 1; event <= 3; event++) { /* the first, and writes after it */
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        bank_result r;
        cr_assert_eq(bank_client_call(ch, cq, BANK_OP_DEPOSIT, 1, event, 10, 60000, &r, err, sizeof err),
                     0, "%s", err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        cr_expect(r.pending, "write %lld: branch 2 refuses connections", (long long)event);
        cr_expect_lt(s, 5.0, "write %lld answered pending after %.2f s", (long long)event, s);
    }
    cr_expect_eq(bank_branch_server_owed(a), 3);
    bank_client_cq_destroy(cq);
    bank_channel_close(ch);
    bank_branch_server_stop(a);
}

/* Reads r's history page by page from position 0; fold_after: fold origin fold_origin through
 * fold_through once that many pages are read (compaction while a reader pages). */
static int read_pages(bank_replica *r, bank_history *got, bank_snapshot_page *last, int fold_after,
                      int64_t fold_origin, uint64_t fold_through)
{
    uint64_t first = 0;
    int pages = 0;
    do {
        if (pages == fold_after) cr_assert_eq(bank_replica_fold(r, fold_origin, fold_through), BANK_OK);
        size_t len, out_len;
        uint8_t *req = bank_snapshot_request(first, &len), *out;
        const char *details = NULL;
        cr_assert_eq(bank_snapshot_answer(r, req, len, &out, &out_len, &details), 0);
        free(req);
        size_t before = got->tail.n;
        cr_assert_eq(bank_snapshot_read(out, out_len, got, last), 0);
        cr_assert_leq(got->tail.n - before, BANK_SNAPSHOT_PAGE, "a page holds at most 4096 writes");
        cr_assert_geq(last->next, first, "a position never moves back");
        free(out);
        first = last->next;
        pages++;
    } while (first < last->total);
    return pages;
}

/* rule: B9, K6 */
Test(recovery, snapshot_pages_cover_the_log_exactly)
{
    bank_replica r;
    bank_replica_init(&r, 4, 0);
    bank_write w;
    for (int i = 0; i < BANK_SNAPSHOT_PAGE + 904; i++)
        cr_assert_eq(bank_logged_local(&r, BANK_WRITE_DEPOSIT, 1, 9, i, &w), BANK_OK);
    bank_history got = {0};
    bank_snapshot_page last;
    cr_expect_eq(read_pages(&r, &got, &last, -1, 0, 0), 2);
    cr_expect_eq(last.total, BANK_SNAPSHOT_PAGE + 904);
    cr_expect_eq(last.balance, BANK_SNAPSHOT_PAGE + 904, "the balance after exactly those writes");
    cr_assert_eq(got.tail.n, last.total);
    cr_expect_eq(got.checkpoints.n, 0);
    for (size_t i = 0; i < got.tail.n; i++)
        cr_assert(got.tail.items[i].origin == 4 && got.tail.items[i].sequence == i + 1 &&
                  got.tail.items[i].event_id == (int64_t)i && got.tail.items[i].customer_id == 9);
    bank_history_free(&got);

    /* folded while a reader pages: the checkpoint stands for what left the log, and the
     * reader's union is still the whole history */
    bank_write p = {BANK_WRITE_WITHDRAW, 5, 1, 3};
    cr_assert_eq(bank_logged_apply(&r, &p, 0, 0), BANK_OK);
    cr_expect_eq(read_pages(&r, &got, &last, 1, 4, 5000), 2);
    bank_history_normalize(&got);
    const bank_checkpoint *cp = bank_checkpoint_find(&got.checkpoints, 4);
    cr_assert(cp && cp->through == 5000 && cp->net == 5000);
    cr_expect_eq(bank_history_contiguous(&got, 4), BANK_SNAPSHOT_PAGE + 904);
    cr_expect(bank_history_has(&got, 5, 1));
    cr_expect_eq(got.tail.n, BANK_SNAPSHOT_PAGE + 904 - 5000 + 1);
    cr_expect_eq(last.total, BANK_SNAPSHOT_PAGE + 905, "positions of folded writes are kept");
    bank_history_free(&got);

    /* past the end: an empty page; bad bytes: refused */
    size_t len, out_len;
    uint8_t *req = bank_snapshot_request(1u << 20, &len), *out;
    const char *details = NULL;
    cr_assert_eq(bank_snapshot_answer(&r, req, len, &out, &out_len, &details), 0);
    bank_history none = {0};
    cr_expect_eq(bank_snapshot_read(out, out_len, &none, &last), 0);
    cr_expect_eq(none.tail.n, 0);
    cr_expect_eq(none.checkpoints.n, 1, "the checkpoints come with every page");
    bank_history_free(&none);
    free(req);
    free(out);
    uint8_t junk[] = {0xff, 0xff, 0xff};
    cr_expect_eq(bank_snapshot_answer(&r, junk, sizeof junk, &out, &out_len, &details), 3);
    cr_expect_str_eq(details, "malformed SnapshotRequest");
    cr_expect_eq(bank_snapshot_read(junk, sizeof junk, &none, &last), -1);
    bank_replica_free(&r);
}

/* rule: B10, P11 */
Test(recovery, a_crashed_branch_catches_up_from_its_peers_before_it_serves)
{
    bank_branch_server *s[3];
    char addr[3][64];
    for (int i = 0; i < 3; i++) {
        s[i] = start_branch(i + 1, 100, "127.0.0.1:0", 0);
        address_of(s[i], addr[i], sizeof addr[i]);
    }
    bank_peer peers[] = {{1, addr[0]}, {2, addr[1]}, {3, addr[2]}};
    for (int i = 0; i < 3; i++) set_peers(s[i], peers, 3);
    bank_result r;
    char err[512];
    cr_assert_eq(call(addr[0], BANK_OP_DEPOSIT, 10, &r, err, sizeof err), 0, "%s", err);
    cr_assert_eq(call(addr[2], BANK_OP_WITHDRAW, 5, &r, err, sizeof err), 0, "%s", err);
    cr_expect_not(r.pending);
    bank_branch_server_stop(s[2]); /* branch 3 crashes: everything it held is gone */
    cr_assert_eq(call(addr[0], BANK_OP_DEPOSIT, 20, &r, err, sizeof err), 0, "%s", err);
    cr_expect(r.pending, "branch 3 is down");

    s[2] = start_branch(3, 100, addr[2], 1);
    cr_expect_eq(call(addr[2], BANK_OP_QUERY, 0, &r, err, sizeof err), -1, "no answer from a stale replica");
    cr_expect(strstr(err, "gRPC status 14: recovering") != NULL, "%s", err);
    set_peers(s[2], peers, 3);
    size_t owed = 0;
    cr_assert_eq(bank_branch_server_recover(s[2], peers, 3, 10000, &owed, err, sizeof err), 0, "%s", err);
    cr_expect_eq(bank_branch_server_balance(s[2]), 125, "100 + 10 - 5 + 20");
    cr_expect_eq(owed, 0, "branches 1 and 2 had every write already");
    cr_expect_eq(bank_branch_server_recover(s[2], peers, 3, 10000, &owed, err, sizeof err), -1,
                 "recovering twice is refused");
    /* its next own write is (3, 2): branches 1 and 2 have (3, 1) and must apply this one */
    cr_assert_eq(call(addr[2], BANK_OP_DEPOSIT, 1, &r, err, sizeof err), 0, "%s", err);
    cr_expect_not(r.pending);
    for (int i = 0; i < 3; i++)
        cr_expect(settles_at(s[i], 126), "branch %d holds %lld", i + 1,
                  (long long)bank_branch_server_balance(s[i]));
    for (int i = 0; i < 3; i++) bank_branch_server_stop(s[i]);
}

/* A peer that refuses a propagation for good (here: it would overflow there) is not owed it:
 * trying again could not help, so the customer hears of it at once. */
/* rule: P7 */
Test(recovery, a_peer_that_refuses_the_write_fails_it_loudly_not_pending)
{
    bank_branch_server *a = start_branch(1, 0, "127.0.0.1:0", 0);
    bank_branch_server *b = start_branch(2, INT64_MAX, "127.0.0.1:0", 0);
    char a_addr[64], b_addr[64];
    address_of(a, a_addr, sizeof a_addr);
    address_of(b, b_addr, sizeof b_addr);
    bank_peer peers[] = {{1, a_addr}, {2, b_addr}};
    set_peers(a, peers, 2);
    set_peers(b, peers, 2);
    bank_result r;
    char err[512];
    cr_expect_eq(call(a_addr, BANK_OP_DEPOSIT, 1, &r, err, sizeof err), -1);
    cr_expect(strstr(err, "write applied at branch 1 but branch 2 did not acknowledge it") != NULL, "%s", err);
    cr_expect_eq(bank_branch_server_owed(a), 0);
    bank_branch_server_stop(a);
    bank_branch_server_stop(b);
}

/* A write of the crashed branch's own that reached only some peers before the crash: the branch
 * that recovers finds it in one peer's log and owes it to the peer that lacks it. */
/* rule: B10 */
Test(recovery, an_own_write_that_reached_only_some_peers_reaches_all_after_recovery)
{
    bank_branch_server *s[3];
    char addr[3][64];
    for (int i = 0; i < 3; i++) {
        s[i] = start_branch(i + 1, 100, "127.0.0.1:0", 0);
        address_of(s[i], addr[i], sizeof addr[i]);
    }
    bank_peer peers[] = {{1, addr[0]}, {2, addr[1]}, {3, addr[2]}};
    bank_peer cut_off[] = {{1, addr[0]}, {2, "127.0.0.1:1"}, {3, addr[2]}}; /* 3 cannot reach 2 */
    set_peers(s[0], peers, 3);
    set_peers(s[1], peers, 3);
    set_peers(s[2], cut_off, 3);
    bank_result r;
    char err[512];
    cr_assert_eq(call(addr[2], BANK_OP_DEPOSIT, 7, &r, err, sizeof err), 0, "%s", err);
    cr_expect(r.pending, "branch 2 is out of branch 3's reach");
    cr_expect(settles_at(s[0], 107), "branch 1 acknowledged (3, 1)");
    cr_expect_eq(bank_branch_server_balance(s[1]), 100, "branch 2 never got it");
    bank_branch_server_stop(s[2]); /* and branch 3 crashes with (3, 1) still owed to branch 2 */

    s[2] = start_branch(3, 100, addr[2], 1);
    set_peers(s[2], peers, 3);
    size_t owed = 0;
    cr_assert_eq(bank_branch_server_recover(s[2], peers, 3, 10000, &owed, err, sizeof err), 0, "%s", err);
    cr_expect_eq(owed, 1, "(3, 1), owed to branch 2");
    cr_expect_eq(bank_branch_server_balance(s[2]), 107);
    for (int i = 0; i < 3; i++)
        cr_expect(settles_at(s[i], 107), "branch %d holds %lld", i + 1,
                  (long long)bank_branch_server_balance(s[i]));
    cr_assert_eq(call(addr[2], BANK_OP_DEPOSIT, 1, &r, err, sizeof err), 0, "%s", err);
    cr_expect_not(r.pending);
    for (int i = 0; i < 3; i++) cr_expect(settles_at(s[i], 108), "(3, 2) is a new write everywhere");
    for (int i = 0; i < 3; i++) bank_branch_server_stop(s[i]);
}

/* rule: K5, B9 */
Test(recovery, writes_every_branch_has_leave_every_log)
{
    bank_branch_server *s[3];
    char addr[3][64];
    for (int i = 0; i < 3; i++) {
        s[i] = start_branch(i + 1, 100, "127.0.0.1:0", 0);
        address_of(s[i], addr[i], sizeof addr[i]);
    }
    bank_peer peers[3] = {{1, addr[0]}, {2, addr[1]}, {3, addr[2]}};
    for (int i = 0; i < 3; i++) set_peers(s[i], peers, 3);
    char err[512];
    bank_result r;
    for (int k = 0; k < 40; k++) /* one at a time: each answered once every branch has it */
        for (int b = 0; b < 2; b++) cr_assert_eq(call(addr[b], BANK_OP_DEPOSIT, 1, &r, err, sizeof err), 0, "%s", err);
    for (int i = 0; i < 3; i++) {
        cr_expect(settles_at(s[i], 180));
        /* the last batch of each origin said how far every branch had its writes before it */
        cr_expect_leq(bank_branch_server_log_length(s[i]), 2, "branch %d logs %zu writes", i + 1,
                      bank_branch_server_log_length(s[i]));
    }
    /* a branch that recovers from them gets the checkpoints, and the balance they stand for */
    bank_branch_server_stop(s[2]);
    s[2] = start_branch(3, 100, addr[2], 1);
    set_peers(s[2], peers, 3);
    size_t owed;
    cr_assert_eq(bank_branch_server_recover(s[2], peers, 3, 5000, &owed, err, sizeof err), 0, "%s", err);
    cr_expect_eq(bank_branch_server_balance(s[2]), 180);
    cr_expect_eq(owed, 0);
    cr_assert_eq(call(addr[2], BANK_OP_DEPOSIT, 5, &r, err, sizeof err), 0, "%s", err);
    for (int i = 0; i < 3; i++) cr_expect(settles_at(s[i], 185));
    for (int i = 0; i < 3; i++) bank_branch_server_stop(s[i]);
}
