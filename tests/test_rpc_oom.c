/* Out of memory in the gRPC layer's own allocations: bank_propagate_call_start, the call a branch
 * makes per batch of writes to a peer, made to fail at each of its allocations (the call, its
 * answers, the message's parts): NULL, nothing left allocated, and done never called. Also what a
 * branch answers without the network: a batch of propagations (bank_branch_decide) and a page of
 * its history (bank_snapshot_answer); and a student's message packed (bank_dyn_encode), or refused
 * midway keeping nothing. gRPC's and protobuf-c's own allocations (shared libraries) are not
 * reached by the wrappers (oom_wrap.h). */
#include <criterion/criterion.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <stdio.h>

#include "oom_sweep.h"
#include "oom_wrap.h"
#include "rpc/codec.h"
#include "rpc/engine.h"
#include "rpc/propagate_call.h"
#include "io/proto_compile.h"
#include "rpc/branch_logic.h"
#include "rpc/dynamic_codec.h"
#include "rpc/proto_schema.h"
#include "rpc/snapshot.h"
#include "wire_fixture.h"
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
    char err[512];
    bank_proto_schema s;
    load(PROJECT_DIR "/tests/integration/drive/scalars.proto", &s);
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

typedef struct {
    const bank_proto_message *m;
    const unsigned char *bytes;
    size_t n;
} decode_case;

static int decode_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    decode_case *c = arg;
    bank_dyn_value got[3];
    if (bank_dyn_decode(c->m, c->bytes, c->n, got, err, errlen) != 0) {
        *ok = oom_zeroed(got, sizeof got); /* nothing kept */
        return -1;
    }
    *ok = got[0].kind == BANK_DYN_STRING && strcmp(got[0].s, "query") == 0 && got[1].kind == BANK_DYN_STRING &&
          strcmp(got[1].s, "success") == 0 && got[2].kind == BANK_DYN_INT && got[2].i == 570;
    bank_dyn_values_free(got, 3);
    return 0;
}

/* rule: D3; a reply read field by field, each string its own block: read whole, or refused
 * as out of memory keeping nothing */
Test(rpc_oom, a_reply_is_read_or_refused_at_every_allocation)
{
    bank_proto_schema s;
    load(PROJECT_DIR "/proto/course.proto", &s);
    decode_case c = {.m = bank_proto_find_message(&s, ".MsgResponse")};
    cr_assert_not_null(c.m);
    static const unsigned char reply[] = {0x0a, 5, 'q', 'u', 'e', 'r', 'y', 0x12, 7, 's', 'u', 'c', 'c',
                                          'e', 's', 's', 0x18, 0xba, 0x04};
    c.bytes = reply;
    c.n = sizeof reply;
    oom_counts k = oom_sweep("bank_dyn_decode", decode_attempt, &c, -1, "out of memory", "");
    cr_expect_eq(k.failed, 2, "the two strings");
    bank_proto_schema_free(&s);
}

/* rule: D3; a message refused after some of its fields were packed (a field of many values, a
 * value its field cannot hold) keeps nothing of them */
Test(rpc_oom, a_message_refused_midway_keeps_nothing)
{
    unsigned char *out = NULL;
    size_t n = 0;
    char err[512];
    bank_proto_schema s;
    load(PROJECT_DIR "/tests/integration/drive/scalars.proto", &s);
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


/* rule: C5; a batch whose writes come before the ones they follow applies each once the one
 * before it is there, however long the chain: all of it, each answered with its balance */
Test(rpc_oom, a_batch_applies_each_write_after_the_one_it_follows)
{
    Bank__WriteId after[2] = {BANK__WRITE_ID__INIT, BANK__WRITE_ID__INIT};
    Bank__PropagateRequest w[3];
    Bank__PropagateRequest *ptrs[3];
    for (int i = 0; i < 3; i++) {
        bank__propagate_request__init(&w[i]);
        w[i].origin_branch = 3;
        w[i].sequence = (uint64_t)(3 - i); /* (3, 3), (3, 2), (3, 1): each before the one it follows */
        w[i].money = 1 << i;
        if (i < 2) {
            after[i].origin_branch = 3;
            after[i].sequence = (uint64_t)(2 - i);
            w[i].after = &after[i];
        }
        ptrs[i] = &w[i];
    }
    Bank__PropagateBatch batch = BANK__PROPAGATE_BATCH__INIT;
    batch.n_writes = 3;
    batch.writes = ptrs;
    uint8_t buf[256];
    size_t len = bank__propagate_batch__pack(&batch, buf);
    bank_replica r;
    bank_replica_init(&r, 7, 100);
    bank_answer a;
    memset(&a, 0, sizeof a);
    bank_branch_decide(&r, 1, BANK_SENDER_UNAUTHENTICATED, BANK_REQ_PROPAGATE_BATCH, buf, len, &a);
    cr_assert_eq(a.kind, BANK_ANSWER_BATCH);
    cr_assert_eq(a.n_writes, 3);
    static const int64_t balance[3] = {107, 106, 104}; /* applied (3, 1), then (3, 2), then (3, 3) */
    for (int i = 0; i < 3; i++) {
        cr_expect(a.writes[i].kind == BANK_ANSWER_PROPAGATE && a.writes[i].applied, "write %d: kind %d, %s", i,
                  (int)a.writes[i].kind, a.writes[i].details ? a.writes[i].details : "");
        cr_expect_eq(a.writes[i].balance, balance[i], "write %d", i);
    }
    cr_expect_eq(r.balance, 107);
    bank_answer_release(&a);
    bank_replica_free(&r);
}
