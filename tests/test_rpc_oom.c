/* Out of memory in the gRPC layer's own allocations: bank_propagate_call_start, the call a branch
 * makes per batch of writes to a peer, made to fail at each of its allocations (the call, its
 * answers, the message's parts): NULL, nothing left allocated, and done never called. Also what a
 * branch answers without the network: a batch of propagations (bank_branch_decide) and a page of
 * its history (bank_snapshot_answer). gRPC's and protobuf-c's own allocations (shared libraries)
 * are not reached by the wrappers (oom_wrap.h). */
#include <criterion/criterion.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <stdio.h>

#include "oom_sweep.h"
#include "oom_wrap.h"
#include "rpc/client.h"
#include "rpc/codec.h"
#include "rpc/engine.h"
#include "rpc/propagate_call.h"
#include "rpc/sender.h"
#include "io/proto_compile.h"
#include "rpc/branch_logic.h"
#include "rpc/branch_server.h"
#include "rpc/dynamic_codec.h"
#include "rpc/parked.h"
#include "rpc/timers.h"
#include "rpc/proto_schema.h"
#include "rpc/snapshot.h"
#include "bank.pb-c.h"
#include <string.h>

typedef struct {
    grpc_channel *ch;
    void *handle;
    grpc_completion_queue *cq;
    int done_calls;
    grpc_status_code status;
} call_case;

static void on_answers(void *ctx, const bank_write_answer *answers, size_t n)
{
    call_case *c = ctx;
    c->done_calls++;
    c->status = n ? answers[0].status : GRPC_STATUS_OK;
}

/* One batch of two writes (the second with a write to follow, C5) to a target nothing listens
 * on: started, it ends UNAVAILABLE and is freed; refused for memory, done is never called. */
static int start_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    call_case *c = arg;
    bank_batch_header h = {1, 0};
    bank_outgoing_write w[2] = {{{BANK_WRITE_DEPOSIT, 1, 1, 10, 1, 1}, 0, {0, 0}},
                                {{BANK_WRITE_WITHDRAW, 1, 2, 5, 1, 2}, 3, {2, 1}}};
    c->done_calls = 0;
    bank_propagate_call *call = bank_propagate_call_start(c->ch, c->handle, c->cq, 5000, &h, w, 2, on_answers, c);
    if (!call) {
        snprintf(err, errlen, "out of memory");
        *ok = c->done_calls == 0;
        return -1;
    }
    grpc_event ev = grpc_completion_queue_next(c->cq, gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                                                    gpr_time_from_seconds(10, GPR_TIMESPAN)), NULL);
    if (ev.type == GRPC_OP_COMPLETE) ((bank_engine_tag *)ev.tag)->on_event(ev.tag, ev.success);
    *ok = c->done_calls == 1 && c->status == GRPC_STATUS_UNAVAILABLE;
    return 0;
}

Test(rpc_oom, a_propagate_call_fails_cleanly_at_every_allocation)
{
    grpc_init();
    call_case c = {0};
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();
    c.ch = grpc_channel_create("127.0.0.1:1", creds, NULL);
    grpc_channel_credentials_release(creds);
    c.handle = grpc_channel_register_call(c.ch, BANK_PATH_PROPAGATE_BATCH, NULL, NULL);
    c.cq = grpc_completion_queue_create_for_next(NULL);
    oom_counts k = oom_sweep("bank_propagate_call_start", start_attempt, &c, -1, "", "out of memory");
    cr_expect_geq(k.failed, 5, "the call, its answers and the message's three arrays");
    cr_expect_eq(k.absorbed, 0);
    grpc_channel_destroy(c.ch);
    grpc_completion_queue_shutdown(c.cq);
    while (grpc_completion_queue_next(c.cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(c.cq);
    grpc_shutdown();
}

/* ---- answers decided without the network ---- */

typedef struct {
    uint8_t batch[256];
    size_t len;
    int64_t balance_before, balance_after; /* the replica's, before the batch and after it */
    int64_t balance_refused;               /* after it, but for the writes refused for memory */
    uint8_t *want;                         /* the unarmed run's packed reply */
    size_t want_len;
} batch_case;

static const int64_t batch_delta[3] = {10, -20, 30};

/* Whether a write of the batch's answer a was refused for memory; *balance: the replica's after
 * the writes not refused. */
static int refused_in_batch(const bank_answer *a, int64_t *balance)
{
    int refused = 0;
    *balance = 100;
    for (size_t i = 0; i < a->n_writes; i++) {
        const bank_answer *x = &a->writes[i];
        if (x->kind == BANK_ANSWER_ERROR && x->status == BANK_RPC_RESOURCE_EXHAUSTED) refused = 1;
        else *balance += batch_delta[i];
    }
    return refused;
}

/* Branch 7 (balance 100) decides a batch of three writes from branch 3 (batch_delta). Refused
 * for memory as a whole, it answers RESOURCE_EXHAUSTED "out of memory", its writes applied all or
 * none; a write refused for memory alone is answered so in the batch's reply, the others applied. */
static int batch_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    batch_case *c = arg;
    bank_replica r;
    bank_replica_init(&r, 7, 100);
    bank_answer a;
    memset(&a, 0, sizeof a);
    bank_branch_decide(&r, 1, BANK_SENDER_UNAUTHENTICATED, BANK_REQ_PROPAGATE_BATCH, c->batch, c->len, &a);
    int rc = 0;
    if (a.kind == BANK_ANSWER_ERROR) {
        snprintf(err, errlen, "%s", a.details);
        *ok = a.status == BANK_RPC_RESOURCE_EXHAUSTED && a.reply == NULL && a.writes == NULL &&
              (r.balance == c->balance_before || r.balance == c->balance_after);
        rc = -1;
    } else if (refused_in_batch(&a, &c->balance_refused)) {
        snprintf(err, errlen, "out of memory");
        *ok = a.kind == BANK_ANSWER_BATCH && r.balance == c->balance_refused;
        rc = -1;
    } else if (!c->want) {
        c->want = malloc(a.reply_len);
        memcpy(c->want, a.reply, a.reply_len);
        c->want_len = a.reply_len;
        c->balance_after = r.balance;
        *ok = 1;
    } else {
        *ok = a.kind == BANK_ANSWER_BATCH && a.n_writes == 3 && a.reply_len == c->want_len &&
              memcmp(a.reply, c->want, a.reply_len) == 0 && r.balance == c->balance_after;
    }
    bank_answer_release(&a);
    bank_replica_free(&r);
    return rc;
}

/* rule: C5 */
Test(rpc_oom, a_batch_is_answered_whole_or_refused_at_every_allocation)
{
    batch_case c = {.balance_before = 100};
    Bank__PropagateRequest w[3], *ptrs[3];
    for (int i = 0; i < 3; i++) {
        bank__propagate_request__init(&w[i]);
        w[i].origin_branch = 3;
        w[i].sequence = (uint64_t)i + 1;
        w[i].money = 10 * (i + 1);
        ptrs[i] = &w[i];
    }
    w[1].withdraw = 1;
    Bank__PropagateBatch batch = BANK__PROPAGATE_BATCH__INIT;
    batch.n_writes = 3;
    batch.writes = ptrs;
    c.len = bank__propagate_batch__pack(&batch, c.batch);
    char err[64];
    int ok;
    long base = alive;
    cr_assert_eq(batch_attempt(&c, err, sizeof err, &ok), 0, "unarmed: %s", err);
    cr_assert_eq(c.balance_after, 100 + 10 - 20 + 30);
    oom_counts k = oom_sweep("bank_branch_decide (a batch)", batch_attempt, &c, -1, "out of memory", "");
    cr_expect_geq(k.failed, 4, "the answers, the replies, their pointers and the packed reply");
    free(c.want);
    cr_expect_eq(alive, base);
}

typedef struct {
    bank_replica r;
    uint8_t *req;
    size_t req_len;
    uint8_t *want;
    size_t want_len;
} page_case;

static int page_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    page_case *c = arg;
    uint8_t *out = (uint8_t *)"untouched";
    size_t out_len = 99;
    const char *details = "";
    int st = bank_snapshot_answer(&c->r, c->req, c->req_len, &out, &out_len, &details);
    if (st != BANK_RPC_OK) {
        snprintf(err, errlen, "%s", details);
        *ok = st == BANK_RPC_RESOURCE_EXHAUSTED && out_len == 0;
        return -1;
    }
    if (!c->want) {
        c->want = out;
        c->want_len = out_len;
        *ok = 1;
        return 0;
    }
    *ok = out_len == c->want_len && memcmp(out, c->want, out_len) == 0;
    free(out);
    return 0;
}

/* rule: K6 */
Test(rpc_oom, a_page_of_history_is_answered_or_refused_at_every_allocation)
{
    page_case c;
    memset(&c, 0, sizeof c);
    bank_replica_init(&c.r, 2, 50);
    for (uint64_t i = 1; i <= 4; i++) {
        bank_write x = {BANK_WRITE_DEPOSIT, 1, i, 5};
        cr_assert_eq(bank_logged_apply(&c.r, &x, 0, 0), BANK_OK);
    }
    cr_assert_eq(bank_replica_fold(&c.r, 1, 2), BANK_OK); /* a checkpoint, and two writes left */
    c.req = bank_snapshot_request(0, &c.req_len);
    cr_assert_not_null(c.req);
    char err[64];
    int ok;
    cr_assert_eq(page_attempt(&c, err, sizeof err, &ok), 0, "unarmed: %s", err);
    oom_counts k = oom_sweep("bank_snapshot_answer", page_attempt, &c, -1, "out of memory", "");
    cr_expect_geq(k.failed, 5, "four arrays and the packed reply");
    free(c.want);
    free(c.req);
    bank_replica_free(&c.r);
}

/* ---- a student's proto, packed by its descriptor ---- */

typedef struct {
    const bank_proto_message *m;
    bank_dyn_value v[11];
    unsigned char *want;
    size_t want_len;
} encode_case;

static int encode_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    encode_case *c = arg;
    unsigned char *out = (unsigned char *)"untouched";
    size_t len = 99;
    if (bank_dyn_encode(c->m, c->v, &out, &len, err, errlen) != 0) {
        *ok = 1;
        return -1;
    }
    *ok = len == c->want_len && memcmp(out, c->want, len) == 0;
    free(out);
    return 0;
}

/* rule: D3; every field of a message packed, its buffer growing past its first 64 bytes */
Test(rpc_oom, a_message_is_packed_or_refused_at_every_allocation)
{
    unsigned char *bytes;
    size_t len;
    char err[512];
    cr_assert_eq(bank_proto_compile(PROJECT_DIR "/tests/integration/drive/scalars.proto", &bytes, &len, err, sizeof err),
                 0, "%s", err);
    bank_proto_schema s;
    cr_assert_eq(bank_proto_schema_load(bytes, len, "scalars.proto", &s, err, sizeof err), 0, "%s", err);
    free(bytes);
    encode_case c = {.m = bank_proto_find_message(&s, ".scalars.All")};
    cr_assert_not_null(c.m);
    for (int k = 0; k < 11; k++) c.v[k] = (bank_dyn_value){.kind = BANK_DYN_INT, .i = k == 10 ? 1 : -1 - k};
    static const int unsigned_fields[] = {2, 3, 6, 7}; /* u32, u64, fixed32, fixed64 */
    for (int k = 0; k < 4; k++) c.v[unsigned_fields[k]] = (bank_dyn_value){.kind = BANK_DYN_INT, .i = 1000 + k};
    c.v[4].i = INT32_MIN; /* the sint fields at their widest */
    c.v[5].i = INT64_MIN;
    cr_assert_eq(bank_dyn_encode(c.m, c.v, &c.want, &c.want_len, err, sizeof err), 0, "%s", err);
    cr_assert_gt(c.want_len, 64, "more than the buffer's first block");
    oom_counts k = oom_sweep("bank_dyn_encode", encode_attempt, &c, -1, "out of memory", "");
    cr_expect_geq(k.failed, 2, "the first block and its growth");
    free(c.want);
    bank_proto_schema_free(&s);
}

/* ---- a gRPC layer's engine, and project 3's parked calls ---- */

static int engine_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    (void)arg;
    bank_engine *e = bank_engine_start(3, err, errlen);
    *ok = 1;
    if (!e) return -1;
    bank_engine_stop(e);
    return 0;
}

/* The engine (its threads and their queue), refused for memory: NULL, one line, nothing kept. */
Test(rpc_oom, an_engine_starts_or_is_refused_at_every_allocation)
{
    oom_counts k = oom_sweep("bank_engine_start", engine_attempt, NULL, -1, "out of memory", "");
    cr_expect_eq(k.failed, 2, "the engine and its threads' array");
}

static void count_fired(void *arg, int cancelled) { *(int *)arg += 1 + cancelled; }

static int resumed;
static void count_resumed(server_call *c) { resumed += c->customer_id == 77; }

/* rule: C4; a call parked for a write its branch already holds (it arrived after the call was
 * decided) is decided again at once, and one parked for a write still missing is decided again
 * when a propagation brings it: nothing of its parking is left allocated either way */
Test(rpc_oom, a_parked_call_is_decided_again_once_its_write_is_held)
{
    bank_replica r;
    bank_replica_init(&r, 1, 100);
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    bank_timers *timers = bank_timers_start();
    cr_assert_not_null(timers);
    bank_server s;
    memset(&s, 0, sizeof s);
    s.cfg.id = 1;
    s.cfg.replica = &r;
    s.cfg.replica_lock = &lock;
    s.cfg.timers = timers;
    bank_parked *p = bank_parked_new(&s, 60000, count_resumed);
    cr_assert_not_null(p);
    server_call c;
    memset(&c, 0, sizeof c);
    c.srv = &s;
    c.customer_id = 77;
    c.deadline = gpr_inf_future(GPR_CLOCK_REALTIME);
    bank_write w;
    cr_assert_eq(bank_replica_deposit(&r, 10, &w), BANK_OK);

    long base = alive;
    resumed = 0;
    bank_parked_hold(p, &c, (bank_write_id){1, 1}); /* held already */
    cr_expect_eq(resumed, 1, "decided again at once");
    cr_expect_eq(alive, base, "nothing kept for a call not parked");

    bank_parked_hold(p, &c, (bank_write_id){2, 1}); /* branch 2's first write: not yet */
    long parking = alive - base; /* the entry and its timer */
    cr_expect_eq(resumed, 1, "parked");
    cr_expect_geq(c.hold_until_ms, c.hold_since_ms + 60000, "held 60 s: its own deadline is none");
    bank_parked_wake(p);
    cr_expect_eq(resumed, 1, "woken by nothing new");
    bank_write from2 = {BANK_WRITE_DEPOSIT, 2, 1, 5};
    pthread_mutex_lock(&lock);
    cr_assert_eq(bank_replica_apply(&r, &from2), BANK_OK);
    pthread_mutex_unlock(&lock);
    base = alive - parking; /* the replica's log holds the write now */
    bank_parked_wake(p);
    cr_expect_eq(resumed, 2, "decided again once its write arrived");
    arm(1L << 40); /* counts allocations, fails none */
    bank_parked_wake(p);
    long made = allocations;
    disarm();
    cr_expect_eq(made, 0, "nothing parked any more: a wake takes nothing (its fast path)");
    cr_expect_eq(resumed, 2);
    bank_timers_stop(timers); /* the parked entry's timer, cancelled, frees it */
    cr_expect_eq(alive, base, "nothing of the parking kept");
    int fired = 0;
    bank_timers_after(timers, 10, count_fired, &fired); /* stopped: at once, cancelled */
    cr_expect_eq(fired, 2, "run at once, cancelled");
    cr_expect_eq(alive, base, "nothing kept for work that came after the stop");
    bank_timers_free(timers);
    bank_parked_free(p);
    bank_replica_free(&r);
}

/* ---- a customer's calls ---- */

/* Two channels to an address nothing listens on, the same request to both at once (a drive's
 * query of every branch), then a bare echo to both: UNAVAILABLE from each, said with the
 * target (or, once the channel waits to connect again, DEADLINE_EXCEEDED); refused for memory:
 * -1 (the caller says so), nothing kept. */
static int client_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    grpc_completion_queue *cq = arg;
    bank_channel *ch[2] = {bank_channel_open("127.0.0.1:1", NULL), bank_channel_open("127.0.0.1:1", NULL)};
    int rc = 0;
    *ok = 1;
    if (!ch[0] || !ch[1]) {
        snprintf(err, errlen, "out of memory (a channel)");
        rc = -1;
    }
    if (rc == 0) {
        grpc_slice s = grpc_slice_from_static_string("x");
        grpc_byte_buffer *request = grpc_raw_byte_buffer_create(&s, 1);
        bank_client_answer answers[2];
        memset(answers, 0, sizeof answers);
        if (bank_client_unary_all(ch, 2, cq, BANK_PATH_QUERY, request, 5000, 1, answers) != 0) {
            snprintf(err, errlen, "out of memory (the calls)");
            rc = -1;
        } else {
            for (int i = 0; i < 2; i++)
                *ok &= answers[i].status == GRPC_STATUS_UNAVAILABLE && !answers[i].reply && answers[i].details[0];
        }
        grpc_byte_buffer_destroy(request);
    }
    if (rc == 0) {
        char why[300] = "";
        /* UNAVAILABLE, or past its deadline while its channel waits to connect again */
        if (bank_client_echo_all(ch, 2, cq, "x", 1, 300, why, sizeof why) == 0) *ok = 0;
        else if (strcmp(why, "out of memory") == 0) rc = -1;
        else *ok &= strncmp(why, "127.0.0.1:1: gRPC status 14: ", 29) == 0 ||
                    strncmp(why, "127.0.0.1:1: gRPC status 4: ", 28) == 0;
        if (rc != 0) snprintf(err, errlen, "%s", why);
    }
    bank_channel_close(ch[0]);
    bank_channel_close(ch[1]);
    return rc;
}

Test(rpc_oom, a_customers_calls_are_made_or_refused_at_every_allocation)
{
    grpc_init();
    grpc_completion_queue *cq = bank_client_cq_create();
    oom_counts k = oom_sweep("bank_client_unary_all, bank_client_echo_all", client_attempt, cq, -1, "out of memory", "");
    cr_expect_geq(k.failed, 2 + 3 + 4, "two channels, the calls' three arrays, the echoes' four");
    bank_client_cq_destroy(cq);
    grpc_shutdown();
}

/* ---- a branch's sender ---- */

/* Branch 1's sender to peers 2 and 3 (and itself, skipped), on an engine of its own: made whole
 * (its peers, and only they) or refused for memory, nothing kept. */
static int sender_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    (void)arg;
    *ok = 1;
    bank_engine *e = bank_engine_start(1, err, errlen);
    if (!e) return -1;
    static const bank_peer peers[] = {{2, "127.0.0.1:2"}, {1, "127.0.0.1:1"}, {3, "127.0.0.1:3"}};
    bank_sender_config cfg = {.self = 1, .engine = e};
    bank_sender *s = bank_sender_start(&cfg, peers, 3, err, errlen);
    if (s) {
        *ok = bank_sender_has_peer(s, 2) == 1 && bank_sender_has_peer(s, 3) == 1 &&
              bank_sender_has_peer(s, 1) == 0 && bank_sender_has_peer(s, 0) == 0 &&
              bank_sender_has_peer(s, 4) == 0 && bank_sender_owed(s) == 0;
        bank_sender_stop(s);
        bank_sender_free(s);
    }
    bank_engine_stop(e);
    return s ? 0 : -1;
}

Test(rpc_oom, a_sender_starts_or_is_refused_at_every_allocation)
{
    oom_counts k = oom_sweep("bank_sender_start", sender_attempt, NULL, -1, "out of memory", "");
    cr_expect_geq(k.failed, 2 + 2 + 2 * 2 + 1, "the engine, the sender and its peers, each peer's channel, the count");
}

/* ---- a branch ---- */

/* A branch on a port of the OS's choosing, with its own engine: started whole, or refused for
 * memory with one line that names it, nothing kept; a request posted fewer times is absorbed. */
static int branch_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    (void)arg;
    bank_branch_config cfg = {.id = 1, .balance = 10, .listen = "127.0.0.1:0", .threads = 1};
    bank_branch_server *b = bank_branch_server_start(&cfg, err, errlen);
    *ok = 1;
    if (!b) return -1;
    *ok = bank_branch_server_port(b) > 0 && bank_branch_server_balance(b) == 10;
    bank_branch_server_stop(b);
    return 0;
}

Test(rpc_oom, a_branch_starts_or_is_refused_at_every_allocation)
{
    oom_counts k = oom_sweep("bank_branch_server_start", branch_attempt, NULL, -1, "branch 1: ", "");
    cr_expect_geq(k.failed, 5, "the branch, its engine and threads, its timers, its server");
}

/* rule: S9; a branch refused its port (another holds it) keeps nothing of what it started */
Test(rpc_oom, a_branch_refused_its_port_keeps_nothing)
{
    bank_branch_config cfg = {.id = 1, .listen = "127.0.0.1:0", .threads = 1};
    char err[512];
    bank_branch_server *a = bank_branch_server_start(&cfg, err, sizeof err);
    cr_assert_not_null(a, "%s", err);
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", bank_branch_server_port(a));
    bank_branch_config again = {.id = 2, .listen = listen, .threads = 1};
    long base = alive;
    cr_expect_null(bank_branch_server_start(&again, err, sizeof err));
    cr_expect_eq(alive, base, "%ld block(s) kept by the branch refused", alive - base);
    char want[200];
    snprintf(want, sizeof want, "branch 2: cannot listen on %s (address in use or not valid)", listen);
    cr_expect_str_eq(err, want);
    bank_branch_server_stop(a);
}

/* rule: D3; a message refused after some of its fields were packed (a field of many values, a
 * value its field cannot hold) keeps nothing of them */
Test(rpc_oom, a_message_refused_midway_keeps_nothing)
{
    unsigned char *bytes, *out = NULL;
    size_t len, n = 0;
    char err[512];
    cr_assert_eq(bank_proto_compile(PROJECT_DIR "/tests/integration/drive/scalars.proto", &bytes, &len, err, sizeof err),
                 0, "%s", err);
    bank_proto_schema s;
    cr_assert_eq(bank_proto_schema_load(bytes, len, "scalars.proto", &s, err, sizeof err), 0, "%s", err);
    free(bytes);
    const bank_proto_message *reals = bank_proto_find_message(&s, ".scalars.Reals");
    const bank_proto_message *all = bank_proto_find_message(&s, ".scalars.All");
    cr_assert(reals && all);
    long base = alive;
    bank_dyn_value r[4] = {{.kind = BANK_DYN_DOUBLE, .d = 1.5}, {.kind = BANK_DYN_DOUBLE, .d = 2.5},
                           {.kind = BANK_DYN_INT, .i = 1}};
    cr_expect_eq(bank_dyn_encode(reals, r, &out, &n, err, sizeof err), -1);
    cr_expect_str_eq(err, "field many of Reals is not a single scalar value");
    cr_expect_eq(alive, base, "%ld block(s) kept", alive - base);
    bank_dyn_value a[11] = {{.kind = BANK_DYN_INT, .i = 5}, {.kind = BANK_DYN_INT, .i = 6},
                            {.kind = BANK_DYN_INT, .i = -1}};
    cr_expect_eq(bank_dyn_encode(all, a, &out, &n, err, sizeof err), -1);
    cr_expect_str_eq(err, "-1 does not fit field u32 (uint32)");
    cr_expect_eq(alive, base, "%ld block(s) kept", alive - base);
    cr_expect(out == NULL && n == 0, "nothing given back");
    bank_proto_schema_free(&s);
}

/* An engine keeps one channel per target, its array growing past its first 16: each of 20
 * targets gets its own, asked again the same one, and stopping the engine keeps nothing. */
Test(rpc_oom, an_engine_keeps_a_channel_per_target_past_its_first_sixteen)
{
    char err[200];
    long base = alive;
    bank_engine *e = bank_engine_start(1, err, sizeof err);
    cr_assert_not_null(e, "%s", err);
    static const char *const paths[1] = {BANK_PATH_PROPAGATE_BATCH};
    grpc_channel *ch[20];
    for (int i = 0; i < 20; i++) {
        char target[32];
        snprintf(target, sizeof target, "127.0.0.1:%d", i + 1);
        void *handle = NULL;
        ch[i] = bank_engine_channel(e, target, NULL, paths, 1, &handle);
        cr_assert_not_null(ch[i], "%s", target);
        cr_expect_not_null(handle, "%s", target);
        for (int k = 0; k < i; k++) cr_expect_neq(ch[k], ch[i], "%s", target);
    }
    void *handle = NULL;
    cr_expect_eq(bank_engine_channel(e, "127.0.0.1:1", NULL, paths, 1, &handle), ch[0], "the first target's, again");
    cr_expect_eq(bank_engine_channel(e, "127.0.0.1:20", NULL, paths, 1, &handle), ch[19], "the last target's, again");
    bank_engine_stop(e);
    cr_expect_eq(alive, base, "%ld block(s) kept", alive - base);
}
