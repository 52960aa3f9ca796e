/* Project 3 on real servers in this process: a session's request parked until its customer's
 * write arrives (no thread waits), answered at its hold deadline when it never does, writes
 * answered before any peer has them, and a customer's writes applied in its order everywhere. */
#include <criterion/criterion.h>
#include <grpc/grpc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc/branch_server.h"
#include "rpc/codec.h"
#include "rpc/session_client.h"

static bank_branch_server *start_branch(int64_t id, int hold_ms, const bank_faults *faults, bank_trace_fn trace,
                                        void *trace_ctx)
{
    bank_branch_config cfg = {.id = id, .balance = 0, .listen = "127.0.0.1:0", .threads = 1,
                              .propagate_deadline_ms = hold_ms, .propagate_attempts = 2, .retry_backoff_ms = 10,
                              .faults = faults, .trace = trace, .trace_ctx = trace_ctx};
    char err[512];
    bank_branch_server *s = bank_branch_server_start(&cfg, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    return s;
}

static void peers_of(bank_branch_server **s, size_t n, bank_peer *peers, char (*addr)[32])
{
    for (size_t i = 0; i < n; i++) {
        snprintf(addr[i], 32, "127.0.0.1:%d", bank_branch_server_port(s[i]));
        peers[i] = (bank_peer){(int64_t)i + 1, addr[i]};
    }
    char err[512];
    for (size_t i = 0; i < n; i++) cr_assert_eq(bank_branch_server_set_peers(s[i], peers, n, err, sizeof err), 0, "%s", err);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct {
    const char *target;
    bank_op op;
    int64_t money;
    bank_write_set set;
    int deadline_ms;
    int rc;
    bank_result out;
    bank_write_id written;
    char err[512];
    atomic_llong done_ms;
} call;

static void *run_call(void *arg)
{
    call *c = arg;
    bank_channel *ch = bank_channel_open(c->target, NULL);
    grpc_completion_queue *cq = bank_client_cq_create();
    c->rc = bank_session_call(ch, cq, c->op, 1, 1, c->money, &c->set, c->deadline_ms, &c->out, &c->written, c->err,
                              sizeof c->err);
    atomic_store(&c->done_ms, now_ms());
    bank_client_cq_destroy(cq);
    bank_channel_close(ch);
    return NULL;
}

static void propagate_deposit(const char *target, int64_t origin, uint64_t seq, int64_t money)
{
    Bank__PropagateRequest req = BANK__PROPAGATE_REQUEST__INIT;
    req.origin_branch = origin;
    req.sequence = seq;
    req.money = money;
    uint8_t buf[64];
    size_t len = bank__propagate_request__pack(&req, buf);
    bank_channel *ch = bank_channel_open(target, NULL);
    grpc_completion_queue *cq = bank_client_cq_create();
    grpc_byte_buffer *reply = NULL;
    cr_assert_eq(bank_client_raw(ch, cq, BANK_PATH_PROPAGATE_DEPOSIT, buf, len, 5000, &reply), GRPC_STATUS_OK);
    if (reply) grpc_byte_buffer_destroy(reply);
    bank_client_cq_destroy(cq);
    bank_channel_close(ch);
}

/* rule: C4 */
Test(session_rpc, a_query_waits_parked_until_the_customers_write_arrives)
{
    /* branch 2's hold left at 0: the default, 10 s, not none */
    bank_branch_server *b[2] = {start_branch(1, 10000, NULL, NULL, NULL), start_branch(2, 0, NULL, NULL, NULL)};
    bank_peer peers[2];
    char addr[2][32];
    peers_of(b, 2, peers, addr);
    call c = {.target = addr[1], .op = BANK_OP_QUERY, .deadline_ms = 5000};
    cr_assert_eq(bank_write_set_add(&c.set, (bank_write_id){1, 1}), 0); /* a write branch 1 never made */
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, run_call, &c), 0);
    struct timespec wait = {0, 300 * 1000000L};
    nanosleep(&wait, NULL);
    cr_assert_eq(atomic_load(&c.done_ms), 0, "answered before branch 2 had (1, 1): %s", c.err);
    long long sent = now_ms();
    propagate_deposit(addr[1], 1, 1, 10);
    pthread_join(t, NULL);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    cr_assert_eq(c.out.balance, 10, "the query reads the write it waited for");
    cr_assert_geq(atomic_load(&c.done_ms), sent);
    bank_write_set_free(&c.set);
    bank_branch_server_stop(b[0]);
    bank_branch_server_stop(b[1]);
}

/* rule: C6 */
Test(session_rpc, a_request_whose_write_never_comes_is_answered_at_its_hold_deadline)
{
    bank_branch_server *b = start_branch(2, 300, NULL, NULL, NULL);
    char addr[32];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", bank_branch_server_port(b));
    call c = {.target = addr, .op = BANK_OP_DEPOSIT, .money = 5, .deadline_ms = 5000};
    cr_assert_eq(bank_write_set_add(&c.set, (bank_write_id){1, 5}), 0);
    long long start = now_ms();
    run_call(&c);
    long long took = atomic_load(&c.done_ms) - start;
    cr_assert_neq(c.rc, 0);
    cr_assert(strstr(c.err, "gRPC status 4: branch 2 has not received the customer's write (1, 5) after waiting"),
              "%s", c.err);
    cr_assert(took >= 250 && took < 3000, "held %lld ms, the branch's hold is 300", took);
    cr_assert_eq(bank_branch_server_balance(b), 0, "nothing was done");
    /* a call whose own deadline comes first is answered 100 ms before it, saying why */
    bank_branch_server *b2 = start_branch(3, 10000, NULL, NULL, NULL);
    char addr2[32];
    snprintf(addr2, sizeof addr2, "127.0.0.1:%d", bank_branch_server_port(b2));
    c.target = addr2;
    c.deadline_ms = 700;
    atomic_store(&c.done_ms, 0);
    run_call(&c);
    cr_assert(strstr(c.err, "branch 3 has not received the customer's write (1, 5)"), "%s", c.err);
    bank_write_set_free(&c.set);
    bank_branch_server_stop(b);
    bank_branch_server_stop(b2);
}

/* rule: C3 */
Test(session_rpc, a_sessions_write_is_answered_before_any_peer_has_it)
{
    bank_branch_server *b = start_branch(1, 300, NULL, NULL, NULL);
    char addr[32], err[512];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", bank_branch_server_port(b));
    bank_peer peers[2] = {{1, addr}, {2, "127.0.0.1:1"}}; /* nothing listens there */
    cr_assert_eq(bank_branch_server_set_peers(b, peers, 2, err, sizeof err), 0, "%s", err);
    call c = {.target = addr, .op = BANK_OP_DEPOSIT, .money = 7, .deadline_ms = 5000};
    long long start = now_ms();
    run_call(&c);
    cr_assert_eq(c.rc, 0, "%s", c.err);
    cr_assert(c.out.success && !c.out.pending && c.out.balance == 7);
    cr_assert_eq(c.written.origin, 1);
    cr_assert_eq(c.written.sequence, 1);
    cr_assert_lt(atomic_load(&c.done_ms) - start, 600, "not held for the peer's tries");
    cr_assert_eq(bank_branch_server_owed(b), 1, "still owed to branch 2");

    /* a write refused is answered FAIL with no write id, and a query with the balance only */
    call w = {.target = addr, .op = BANK_OP_WITHDRAW, .money = 100, .deadline_ms = 5000};
    run_call(&w);
    cr_assert_eq(w.rc, 0, "%s", w.err);
    cr_expect(w.out.op == BANK_OP_WITHDRAW && !w.out.success && !w.out.pending && w.out.balance == 7,
              "withdraw 100 of 7: op %d, success %d, pending %d, balance %lld", (int)w.out.op, w.out.success,
              w.out.pending, (long long)w.out.balance);
    cr_expect(w.written.origin == 0 && w.written.sequence == 0, "a refused write has no id");
    call q = {.target = addr, .op = BANK_OP_QUERY, .deadline_ms = 5000};
    run_call(&q);
    cr_assert_eq(q.rc, 0, "%s", q.err);
    cr_expect(q.out.op == BANK_OP_QUERY && q.out.success && !q.out.pending && q.out.balance == 7);
    cr_expect(q.written.origin == 0 && q.written.sequence == 0, "a query writes nothing");
    bank_branch_server_stop(b);
}

/* Applied propagations at branch 3, in order. */
typedef struct {
    pthread_mutex_t lock;
    int64_t origins[16];
    size_t n, refused;
} applied_log;

static void record(void *ctx, const bank_trace_record *r)
{
    applied_log *log = ctx;
    pthread_mutex_lock(&log->lock);
    if (r->from_branch && strcmp(r->reply, "applied") == 0 && log->n < 16) log->origins[log->n++] = r->from_id;
    if (r->from_branch && strstr(r->reply, "has not arrived yet")) log->refused++;
    pthread_mutex_unlock(&log->lock);
}

/* rule: C5 */
Test(session_rpc, a_customers_writes_are_applied_in_its_order_at_every_branch)
{
    size_t refused = 0;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        bank_faults slow = {.delay_pct = 100, .delay_max_ms = 400, .seed = seed}; /* branch 1's sends */
        applied_log log = {PTHREAD_MUTEX_INITIALIZER, {0}, 0, 0};
        bank_branch_server *b[3] = {start_branch(1, 10000, &slow, NULL, NULL), start_branch(2, 10000, NULL, NULL, NULL),
                                    start_branch(3, 10000, NULL, record, &log)};
        bank_peer peers[3];
        char addr[3][32];
        peers_of(b, 3, peers, addr);
        call c = {.target = addr[0], .op = BANK_OP_DEPOSIT, .money = 10, .deadline_ms = 5000};
        run_call(&c);
        cr_assert_eq(c.rc, 0, "%s", c.err);
        cr_assert_eq(bank_write_set_add(&c.set, c.written), 0);
        c.target = addr[1]; /* held at branch 2 until (1, 1) is there, then propagated after it */
        run_call(&c);
        cr_assert_eq(c.rc, 0, "%s", c.err);
        cr_assert_eq(bank_write_set_add(&c.set, c.written), 0);
        c.target = addr[2];
        c.op = BANK_OP_QUERY;
        run_call(&c);
        cr_assert_eq(c.rc, 0, "%s", c.err);
        cr_assert_eq(c.out.balance, 20, "seed %llu", (unsigned long long)seed);
        pthread_mutex_lock(&log.lock);
        cr_assert_eq(log.n, 2);
        cr_assert(log.origins[0] == 1 && log.origins[1] == 2, "seed %llu: branch 3 applied (2, 1) before (1, 1)",
                  (unsigned long long)seed);
        refused += log.refused;
        pthread_mutex_unlock(&log.lock);
        bank_write_set_free(&c.set);
        for (int i = 0; i < 3; i++) bank_branch_server_stop(b[i]);
    }
    cr_log_info("branch 3 refused a write that came before its predecessor %zu times in 6 seeds", refused);
}
