/* Fuzz target: a branch's request handler (branch_logic.c) on arbitrary bytes of both wire
 * forms, with no sockets. The input is a sequence of requests, each framed as
 *   [method byte] [length byte] [length bytes of message]
 * sent to one branch (id 2, balance 1000) whose peers are known once a method byte has its high
 * bit set; a method byte with bit 0x40 set comes from branch 3 as TLS authenticated it (spec R4:
 * only propagations of origin 3 are taken, every other one is refused PERMISSION_DENIED), else
 * from an unauthenticated sender. After every request the replica must hold exactly what the answers say was applied;
 * a rejected request changes nothing; a sequenced propagation sent again is acknowledged as a
 * duplicate and not applied twice. The write log and the checkpoints hold exactly the sequenced
 * writes applied (their net is the balance's move, but for the course's unsequenced
 * propagations; a batch that says every branch has its sender's writes folds them), and the
 * whole input, read as a SnapshotRequest and as a SnapshotReply, is refused or served exactly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bank.pb-c.h"
#include "core/history.h"
#include "core/replica.h"
#include "course.pb-c.h"
#include "core/write_log.h"
#include "rpc/branch_logic.h"
#include "rpc/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The money a propagation that was applied carried (its answer does not repeat it). */
static int64_t propagated_money(bank_request_kind kind, const uint8_t *msg, size_t len)
{
    int64_t money = 0;
    if (kind == BANK_REQ_MSG_PROPAGATION) {
        MsgRequest *m = msg_request__unpack(NULL, len, msg);
        if (!m) abort(); /* it was applied, so it unpacked */
        money = m->money;
        msg_request__free_unpacked(m, NULL);
    } else {
        Bank__PropagateRequest *p = bank__propagate_request__unpack(NULL, len, msg);
        if (!p) abort();
        money = p->money;
        bank__propagate_request__free_unpacked(p, NULL);
    }
    return money;
}

/* The checkpoints' and the log's net, plus what was applied without being logged, is the
 * balance's move; no logged write is under a checkpoint. */
static void check_log(const bank_replica *r, int64_t initial, int64_t unlogged)
{
    int64_t net = 0;
    for (size_t i = 0; i < r->checkpoints.n; i++) net += r->checkpoints.items[i].net;
    for (size_t i = 0; i < r->log.n; i++) {
        const bank_logged_write *e = &r->log.items[i];
        if (e->sequence == 0 || e->money < 0) abort();
        for (size_t k = 0; k < i; k++) /* each write once */
            if (r->log.items[k].origin == e->origin && r->log.items[k].sequence == e->sequence) abort();
        const bank_checkpoint *cp = bank_checkpoint_find(&r->checkpoints, e->origin);
        if (cp && e->sequence <= cp->through) abort();
        net += e->kind == BANK_WRITE_DEPOSIT ? e->money : -e->money;
    }
    if (initial + net + unlogged != r->balance) abort();
}

/* The input's bytes as a SnapshotRequest (served or refused) and as a SnapshotReply (read or
 * refused, leaving the log it reads into as it was). */
static void check_snapshot(const bank_replica *r, const uint8_t *data, size_t size)
{
    uint8_t *out = NULL;
    size_t out_len = 0;
    const char *details = NULL;
    int st = bank_snapshot_answer(r, data, size, &out, &out_len, &details);
    if (st != BANK_RPC_OK) {
        if (!details || out) abort();
    } else {
        bank_history got = {0};
        bank_snapshot_page page;
        if (bank_snapshot_read(out, out_len, &got, &page) != 0) abort();
        if (page.total != r->log_base + r->log.n || page.balance != r->balance ||
            got.tail.n > BANK_SNAPSHOT_PAGE || got.checkpoints.n != r->checkpoints.n)
            abort();
        Bank__SnapshotRequest *req = bank__snapshot_request__unpack(NULL, size, data);
        if (!req) abort(); /* it was served, so it unpacked */
        uint64_t want = req->first;
        bank__snapshot_request__free_unpacked(req, NULL);
        size_t first = want <= r->log_base ? 0 : want - r->log_base < r->log.n ? (size_t)(want - r->log_base) : r->log.n;
        if (got.tail.n != (r->log.n - first < BANK_SNAPSHOT_PAGE ? r->log.n - first : BANK_SNAPSHOT_PAGE) ||
            page.next != r->log_base + first + got.tail.n)
            abort();
        for (size_t i = 0; i < got.tail.n; i++) {
            const bank_logged_write *x = &got.tail.items[i], *y = &r->log.items[first + i];
            if (x->kind != y->kind || x->origin != y->origin || x->sequence != y->sequence ||
                x->money != y->money || x->customer_id != y->customer_id || x->event_id != y->event_id)
                abort();
        }
        for (size_t i = 0; i < got.checkpoints.n; i++) {
            const bank_checkpoint *x = &got.checkpoints.items[i];
            const bank_checkpoint *y = bank_checkpoint_find(&r->checkpoints, x->origin);
            if (!y || x->through != y->through || x->net != y->net) abort();
        }
        bank_history_free(&got);
    }
    free(out);
    bank_history into = {0};
    bank_snapshot_page page = {7, 7, 7};
    if (bank_snapshot_read(data, size, &into, &page) != 0 &&
        (into.tail.n != 0 || into.checkpoints.n != 0 || page.next != 7 || page.total != 7 || page.balance != 7))
        abort();
    bank_history_free(&into);
}

/* R4: from an authenticated branch, a propagation is taken only when that branch is its origin,
 * and refused PERMISSION_DENIED only then. */
static void check_origin(const bank_answer *a, int64_t sender)
{
    if (a->kind == BANK_ANSWER_PROPAGATE && sender != BANK_SENDER_UNAUTHENTICATED &&
        a->write.origin != sender)
        abort();
    if (a->kind == BANK_ANSWER_ERROR && a->status == BANK_RPC_PERMISSION_DENIED &&
        (sender == BANK_SENDER_UNAUTHENTICATED || a->write.origin == sender))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t unlogged = 0;
    bank_replica r;
    bank_replica_init(&r, 2, 1000);
    int64_t expected = 1000;
    int peers_ready = 0;
    size_t at = 0;
    while (at + 2 <= size) {
        uint8_t method = data[at], len = data[at + 1];
        at += 2;
        if (len > size - at) len = (uint8_t)(size - at);
        const uint8_t *msg = data + at;
        at += len;
        if (method & 0x80) peers_ready = 1;
        int64_t sender = method & 0x40 ? 3 : BANK_SENDER_UNAUTHENTICATED;
        bank_request_kind kind = (bank_request_kind)((method & 0x3f) % BANK_REQ_COUNT);
        int64_t before = r.balance;
        bank_answer a;
        bank_branch_decide(&r, peers_ready, sender, kind, msg, len, &a);
        check_origin(&a, sender);
        int64_t delta = 0;
        switch (a.kind) {
        case BANK_ANSWER_ERROR:
            if (a.status == BANK_RPC_OK || !a.details) abort();
            break;
        case BANK_ANSWER_FAN_OUT:
            if (!a.success || a.write.origin != 2 || a.write.money < 0) abort();
            if (kind != BANK_REQ_DEPOSIT && kind != BANK_REQ_WITHDRAW && kind != BANK_REQ_MSG_DELIVERY) abort();
            if (!peers_ready) abort(); /* no write before the branch knows where to send it */
            delta = a.write.kind == BANK_WRITE_DEPOSIT ? a.write.money : -a.write.money;
            if (a.write.kind == BANK_WRITE_WITHDRAW && before < a.write.money) abort(); /* overdrawn */
            break;
        case BANK_ANSWER_PROPAGATE:
            if (a.applied) {
                int64_t m = propagated_money(kind, msg, len);
                delta = kind == BANK_REQ_PROPAGATE_DEPOSIT ? m : -m;
                /* the same bytes again: a duplicate, acknowledged and not applied */
                bank_answer again;
                bank_branch_decide(&r, peers_ready, sender, kind, msg, len, &again);
                if (again.kind != BANK_ANSWER_PROPAGATE || again.applied) abort();
            }
            break;
        case BANK_ANSWER_COURSE:
            if (kind == BANK_REQ_MSG_PROPAGATION && a.success) {
                int64_t m = propagated_money(kind, msg, len);
                delta = strcmp(a.interface, "deposit") == 0 ? m : -m;
                unlogged += delta;
            }
            break;
        case BANK_ANSWER_CUSTOMER:
            if (a.success && kind != BANK_REQ_QUERY) abort(); /* a write that succeeds fans out */
            break;
        case BANK_ANSWER_HOLD: /* a session's request waiting for a write this branch lacks */
            if (kind > BANK_REQ_WITHDRAW || bank_replica_holds(&r, a.missing)) abort();
            break;
        case BANK_ANSWER_BATCH: {
            if (kind != BANK_REQ_PROPAGATE_BATCH || !a.reply) abort();
            for (size_t i = 0; i < a.n_writes; i++) {
                const bank_answer *w = &a.writes[i];
                check_origin(w, sender);
                if (w->kind == BANK_ANSWER_ERROR) {
                    if (w->status == BANK_RPC_OK || !w->details) abort();
                } else if (w->kind != BANK_ANSWER_PROPAGATE) {
                    abort();
                } else if (w->applied) {
                    delta += w->write.kind == BANK_WRITE_DEPOSIT ? w->write.money : -w->write.money;
                }
            }
            /* the same batch again: nothing in it is applied twice */
            bank_answer again;
            int64_t held = r.balance;
            bank_branch_decide(&r, peers_ready, sender, kind, msg, len, &again);
            for (size_t i = 0; again.kind == BANK_ANSWER_BATCH && i < again.n_writes; i++)
                if (again.writes[i].kind == BANK_ANSWER_PROPAGATE && again.writes[i].applied) abort();
            if (r.balance != held) abort();
            bank_answer_release(&again);
            bank_answer_release(&a);
            break;
        }
        }
        expected += delta;
        if (r.balance != expected) abort();
        if (a.kind != BANK_ANSWER_ERROR && a.kind != BANK_ANSWER_HOLD && a.balance != r.balance) abort();
        bank_answer_release(&a);
    }
    check_log(&r, 1000, unlogged);
    check_snapshot(&r, data, size);
    bank_replica_free(&r);
    return 0;
}
