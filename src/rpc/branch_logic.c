/* What a branch does with one request, decided without the network (see branch_logic.h). */
#include "branch_logic.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bank.pb-c.h"
#include "core/history.h"
#include "core/workload.h"
#include "core/write_log.h"
#include "course.pb-c.h"

static void error_answer(bank_answer *a, int status, const char *details)
{
    a->kind = BANK_ANSWER_ERROR;
    a->status = status;
    a->details = details;
}

static int fits_int32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

/* A customer's write at this branch. The course's form reports the balance as int32, so there a
 * write whose result it could not report is refused. */
static bank_status local_write(bank_replica *r, bank_write_kind kind, int64_t money, int int32_only,
                               int64_t customer_id, int64_t event_id, bank_write *w)
{
    int64_t after;
    int outside = __builtin_add_overflow(r->balance, kind == BANK_WRITE_DEPOSIT ? money : -money, &after);
    if (int32_only && (outside || !fits_int32(after)))
        return kind == BANK_WRITE_DEPOSIT ? BANK_OVERFLOW : BANK_INSUFFICIENT_FUNDS;
    return bank_logged_local(r, kind, money, customer_id, event_id, w); /* logged for recovery */
}

/* Project 3 (C4, C5): a session's request waits until this branch has every write of the
 * customer's; a write of it will follow the customer's latest. 1 when it must wait (a is HOLD). */
static int session_lacks(const bank_replica *r, const Bank__CustomerRequest *req, bank_answer *a)
{
    a->session = 1;
    for (size_t i = 0; i < req->n_write_set; i++) {
        bank_write_id id = {req->write_set[i]->origin_branch, req->write_set[i]->sequence};
        if (!bank_replica_holds(r, id)) {
            a->kind = BANK_ANSWER_HOLD;
            a->missing = id;
            return 1;
        }
        a->after = id;
    }
    return 0;
}

static void decide_customer(bank_replica *r, int peers_ready, bank_request_kind kind,
                            const uint8_t *data, size_t len, bank_answer *a)
{
    Bank__CustomerRequest *req = bank__customer_request__unpack(NULL, len, data);
    if (!req) {
        error_answer(a, BANK_RPC_INVALID_ARGUMENT, "malformed CustomerRequest");
        return;
    }
    int64_t money = req->money;
    a->customer_id = req->customer_id;
    a->event_id = req->event_id;
    a->money = money;
    a->from_id = req->customer_id;
    a->clock_sent = req->clock;
    int held = req->session && session_lacks(r, req, a);
    bank__customer_request__free_unpacked(req, NULL);
    if (held) return;

    a->kind = BANK_ANSWER_CUSTOMER;
    a->balance = r->balance;
    if (kind == BANK_REQ_QUERY) {
        a->success = 1;
        a->clock = bank_lamport_receive(&r->clock, a->clock_sent);
        return;
    }
    if (money < 0) return error_answer(a, BANK_RPC_INVALID_ARGUMENT, "money must not be negative");
    if (!peers_ready) return error_answer(a, BANK_RPC_UNAVAILABLE, "branch does not know its peers yet");
    bank_write_kind wk = kind == BANK_REQ_DEPOSIT ? BANK_WRITE_DEPOSIT : BANK_WRITE_WITHDRAW;
    bank_status st = local_write(r, wk, money, 0, a->customer_id, a->event_id, &a->write);
    if (st == BANK_NO_MEMORY) return error_answer(a, BANK_RPC_RESOURCE_EXHAUSTED, "out of memory");
    a->balance = r->balance;
    a->clock = bank_lamport_receive(&r->clock, a->clock_sent); /* answered: an event (L1) */
    if (st != BANK_OK) {
        a->success = 0;
        return;
    }
    a->kind = BANK_ANSWER_FAN_OUT;
    a->success = 1;
    a->first_send = bank_lamport_fan_out(&r->clock);
}

/* C5: a session's write waits, at every branch, for the same customer's previous one. */
static const char not_yet[] =
    "the same customer's previous write has not arrived yet (monotonic writes): try again";

static void apply_propagation(bank_replica *r, int64_t sender, const Bank__PropagateRequest *req,
                              int withdraw, bank_answer *a)
{
    bank_write w = {withdraw ? BANK_WRITE_WITHDRAW : BANK_WRITE_DEPOSIT, req->origin_branch,
                    req->sequence, req->money};
    a->write = w;
    a->customer_id = req->customer_id;
    a->event_id = req->event_id;
    a->money = w.money;
    a->from_branch = 1;
    a->from_id = w.origin;
    a->clock_sent = req->clock;
    if (sender != BANK_SENDER_UNAUTHENTICATED && (sender < 0 || w.origin != sender))
        return error_answer(a, BANK_RPC_PERMISSION_DENIED,
                            "the write's origin is not the sending branch (a branch propagates only "
                            "its own writes)");
    const char *bad = w.money < 0                 ? "money must not be negative"
                      : w.sequence == 0           ? "sequence must be 1 or more"
                      : w.origin == r->branch_id  ? "a branch does not propagate to itself"
                                                  : NULL;
    if (bad) return error_answer(a, BANK_RPC_INVALID_ARGUMENT, bad);
    bank_write_id self = {w.origin, w.sequence};
    if (req->after && !bank_replica_holds(r, self)) {
        a->after = (bank_write_id){req->after->origin_branch, req->after->sequence};
        if (!bank_replica_holds(r, a->after))
            return error_answer(a, BANK_RPC_UNAVAILABLE, not_yet);
    }
    bank_status st = bank_logged_apply(r, &w, a->customer_id, a->event_id);
    if (st != BANK_OK && st != BANK_DUPLICATE)
        return error_answer(a, st == BANK_NO_MEMORY ? BANK_RPC_RESOURCE_EXHAUSTED : BANK_RPC_OUT_OF_RANGE,
                            bank_status_text(st));
    a->kind = BANK_ANSWER_PROPAGATE;
    a->applied = st == BANK_OK;
    a->balance = r->balance;
    if (a->applied) a->clock = bank_lamport_receive(&r->clock, a->clock_sent); /* L1 */
}

static void decide_propagation(bank_replica *r, int64_t sender, bank_request_kind kind,
                               const uint8_t *data, size_t len, bank_answer *a)
{
    Bank__PropagateRequest *req = bank__propagate_request__unpack(NULL, len, data);
    if (!req) return error_answer(a, BANK_RPC_INVALID_ARGUMENT, "malformed PropagateRequest");
    apply_propagation(r, sender, req, kind == BANK_REQ_PROPAGATE_WITHDRAW, a);
    bank__propagate_request__free_unpacked(req, NULL);
}

/* Each write as a single propagation would be decided; one refused does not stop the others.
 * Memory for the answers is taken before anything is applied; if packing the reply then fails,
 * the batch is answered RESOURCE_EXHAUSTED with its writes applied, and the sender's retry is
 * acknowledged as duplicates. */
static void decide_batch(bank_replica *r, int64_t sender, const uint8_t *data, size_t len,
                         bank_answer *a)
{
    Bank__PropagateBatch *batch = bank__propagate_batch__unpack(NULL, len, data);
    if (!batch) return error_answer(a, BANK_RPC_INVALID_ARGUMENT, "malformed PropagateBatch");
    size_t n = batch->n_writes;
    bank_answer *writes = calloc(n ? n : 1, sizeof *writes);
    Bank__PropagateReply *replies = calloc(n ? n : 1, sizeof *replies);
    Bank__PropagateReply **ptrs = calloc(n ? n : 1, sizeof *ptrs);
    if (!writes || !replies || !ptrs) {
        free(writes);
        free(replies);
        free(ptrs);
        bank__propagate_batch__free_unpacked(batch, NULL);
        return error_answer(a, BANK_RPC_RESOURCE_EXHAUSTED, "out of memory");
    }
    for (size_t i = 0; i < n; i++) apply_propagation(r, sender, batch->writes[i], batch->writes[i]->withdraw, &writes[i]);
    /* a write that waits for an earlier one of the same batch (C5) is decided again after it */
    for (int progress = 1; progress;) {
        progress = 0;
        for (size_t i = 0; i < n; i++)
            if (writes[i].kind == BANK_ANSWER_ERROR && writes[i].details == not_yet &&
                bank_replica_holds(r, writes[i].after)) {
                apply_propagation(r, sender, batch->writes[i], batch->writes[i]->withdraw, &writes[i]);
                progress = 1;
            }
    }
    for (size_t i = 0; i < n; i++) {
        bank__propagate_reply__init(&replies[i]);
        replies[i].applied = writes[i].kind == BANK_ANSWER_PROPAGATE && writes[i].applied;
        replies[i].balance = writes[i].kind == BANK_ANSWER_PROPAGATE ? writes[i].balance : r->balance;
        replies[i].clock = writes[i].clock;
        if (writes[i].kind == BANK_ANSWER_ERROR) {
            replies[i].error_status = writes[i].status;
            replies[i].error = (char *)writes[i].details;
        }
        ptrs[i] = &replies[i];
    }
    /* Every branch has the sender's writes up to this: they may leave the log (a fold that
     * fails, out of memory or past int64, is left to a later batch). Under TLS only the branch
     * whose writes they are may say so (K5, R4). */
    if (batch->acknowledged_through > 0 && batch->from_branch != r->branch_id &&
        (sender == BANK_SENDER_UNAUTHENTICATED || sender == batch->from_branch))
        bank_replica_fold(r, batch->from_branch, batch->acknowledged_through);
    bank__propagate_batch__free_unpacked(batch, NULL);
    Bank__PropagateBatchReply reply = BANK__PROPAGATE_BATCH_REPLY__INIT;
    reply.n_replies = n;
    reply.replies = ptrs;
    size_t size = bank__propagate_batch_reply__get_packed_size(&reply);
    uint8_t *bytes = malloc(size ? size : 1);
    if (bytes) bank__propagate_batch_reply__pack(&reply, bytes);
    free(replies);
    free(ptrs);
    if (!bytes) {
        free(writes);
        return error_answer(a, BANK_RPC_RESOURCE_EXHAUSTED, "out of memory");
    }
    a->kind = BANK_ANSWER_BATCH;
    a->balance = r->balance;
    a->from_branch = 1;
    a->reply = bytes;
    a->reply_len = size;
    a->writes = writes;
    a->n_writes = n;
}

void bank_answer_release(bank_answer *a)
{
    free(a->reply);
    free(a->writes);
    a->reply = NULL;
    a->writes = NULL;
    a->reply_len = a->n_writes = 0;
}

/* The course's interface names, matched without regard to case. */
static const char *course_op(const char *interface, int propagation, bank_op *op)
{
    if (propagation && strncasecmp(interface, "propagate_", 10) == 0) interface += 10;
    if (!propagation && strcasecmp(interface, "query") == 0) {
        *op = BANK_OP_QUERY;
        return "query";
    }
    if (strcasecmp(interface, "deposit") == 0) {
        *op = BANK_OP_DEPOSIT;
        return "deposit";
    }
    if (strcasecmp(interface, "withdraw") == 0) {
        *op = BANK_OP_WITHDRAW;
        return "withdraw";
    }
    return NULL;
}

static void decide_course(bank_replica *r, int peers_ready, bank_request_kind kind,
                          const uint8_t *data, size_t len, bank_answer *a)
{
    int propagation = kind == BANK_REQ_MSG_PROPAGATION;
    MsgRequest *req = msg_request__unpack(NULL, len, data);
    if (!req) return error_answer(a, BANK_RPC_INVALID_ARGUMENT, "malformed MsgRequest");
    bank_op op = BANK_OP_QUERY;
    const char *name = course_op(req->interface, propagation, &op);
    int64_t money = req->money;
    a->customer_id = req->id;
    a->money = money;
    a->from_branch = propagation;
    a->from_id = req->id; /* the course's form names the sender only by this id */
    msg_request__free_unpacked(req, NULL);

    a->kind = BANK_ANSWER_COURSE;
    a->course_form = 1;
    a->interface = name ? name : "";
    a->balance = r->balance;
    if (!name) return; /* an unknown interface: "fail" with the balance */
    if (op == BANK_OP_QUERY) {
        a->success = 1;
        return;
    }
    if (money < 0) return;
    bank_write_kind wk = op == BANK_OP_DEPOSIT ? BANK_WRITE_DEPOSIT : BANK_WRITE_WITHDRAW;
    if (propagation) { /* the course's form carries no (origin, sequence): applied as it comes */
        bank_write w = {wk, 0, 0, money};
        a->success = bank_replica_apply(r, &w) == BANK_OK;
        a->balance = r->balance;
        return;
    }
    if (!peers_ready) return error_answer(a, BANK_RPC_UNAVAILABLE, "branch does not know its peers yet");
    bank_status st = local_write(r, wk, money, 1, a->customer_id, 0, &a->write);
    if (st == BANK_NO_MEMORY) return error_answer(a, BANK_RPC_RESOURCE_EXHAUSTED, "out of memory");
    a->balance = r->balance;
    if (st != BANK_OK) return;
    a->kind = BANK_ANSWER_FAN_OUT;
    a->success = 1;
    a->first_send = bank_lamport_fan_out(&r->clock); /* its sends are events, whatever the form */
}

void bank_branch_decide(bank_replica *r, int peers_ready, int64_t sender_branch,
                        bank_request_kind kind, const uint8_t *data, size_t len, bank_answer *out)
{
    memset(out, 0, sizeof *out);
    static const uint8_t empty[1];
    if (!data) data = empty; /* an absent message unpacks as an empty one */
    switch (kind) {
    case BANK_REQ_QUERY:
    case BANK_REQ_DEPOSIT:
    case BANK_REQ_WITHDRAW:
        decide_customer(r, peers_ready, kind, data, len, out);
        break;
    case BANK_REQ_PROPAGATE_DEPOSIT:
    case BANK_REQ_PROPAGATE_WITHDRAW:
        decide_propagation(r, sender_branch, kind, data, len, out);
        break;
    case BANK_REQ_MSG_DELIVERY:
    case BANK_REQ_MSG_PROPAGATION:
        decide_course(r, peers_ready, kind, data, len, out);
        break;
    case BANK_REQ_PROPAGATE_BATCH:
        decide_batch(r, sender_branch, data, len, out);
        break;
    case BANK_REQ_COUNT:
        error_answer(out, BANK_RPC_INVALID_ARGUMENT, "unknown method");
        break;
    }
}
