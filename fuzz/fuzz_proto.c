/* Fuzz target: a branch's request handler (branch_logic.c) on arbitrary bytes of both wire
 * forms, with no sockets. The input is a sequence of requests, each framed as
 *   [method byte] [length byte] [length bytes of message]
 * sent to one branch (id 2, balance 1000) whose peers are known once a method byte has its high
 * bit set. After every request the replica must hold exactly what the answers say was applied;
 * a rejected request changes nothing; a sequenced propagation sent again is acknowledged as a
 * duplicate and not applied twice. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bank.pb-c.h"
#include "core/replica.h"
#include "course.pb-c.h"
#include "rpc/branch_logic.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
        bank_request_kind kind = (bank_request_kind)((method & 0x7f) % BANK_REQ_COUNT);
        int64_t before = r.balance;
        bank_answer a;
        bank_branch_decide(&r, peers_ready, kind, msg, len, &a);
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
                bank_branch_decide(&r, peers_ready, kind, msg, len, &again);
                if (again.kind != BANK_ANSWER_PROPAGATE || again.applied) abort();
            }
            break;
        case BANK_ANSWER_COURSE:
            if (kind == BANK_REQ_MSG_PROPAGATION && a.success) {
                int64_t m = propagated_money(kind, msg, len);
                delta = strcmp(a.interface, "deposit") == 0 ? m : -m;
            }
            break;
        case BANK_ANSWER_CUSTOMER:
            if (a.success && kind != BANK_REQ_QUERY) abort(); /* a write that succeeds fans out */
            break;
        case BANK_ANSWER_BATCH: {
            if (kind != BANK_REQ_PROPAGATE_BATCH || !a.reply) abort();
            for (size_t i = 0; i < a.n_writes; i++) {
                const bank_answer *w = &a.writes[i];
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
            bank_branch_decide(&r, peers_ready, kind, msg, len, &again);
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
        if (a.kind != BANK_ANSWER_ERROR && a.balance != r.balance) abort();
        bank_answer_release(&a);
    }
    bank_replica_free(&r);
    return 0;
}
