/* A page of a branch's history, answered and read without the network (see snapshot.h). */
#include "snapshot.h"

#include <stdlib.h>

#include "bank.pb-c.h"
#include "branch_logic.h"

int bank_snapshot_answer(const bank_replica *r, const uint8_t *data, size_t len, uint8_t **out,
                         size_t *out_len, const char **details)
{
    static const uint8_t empty[1];
    *out = NULL;
    *out_len = 0;
    Bank__SnapshotRequest *req = bank__snapshot_request__unpack(NULL, len, data ? data : empty);
    if (!req) {
        *details = "malformed SnapshotRequest";
        return BANK_RPC_INVALID_ARGUMENT;
    }
    uint64_t first = req->first;
    bank__snapshot_request__free_unpacked(req, NULL);
    /* positions before log_base were folded: the checkpoints stand for them */
    size_t from = first <= r->log_base ? 0 : first - r->log_base < r->log.n ? (size_t)(first - r->log_base) : r->log.n;
    size_t n = r->log.n - from < BANK_SNAPSHOT_PAGE ? r->log.n - from : BANK_SNAPSHOT_PAGE;
    size_t n_cps = r->checkpoints.n;

    Bank__SnapshotReply reply = BANK__SNAPSHOT_REPLY__INIT;
    reply.branch = r->branch_id;
    reply.balance = r->balance;
    reply.total = r->log_base + r->log.n;
    reply.first = r->log_base + from;
    Bank__LoggedWrite *items = calloc(n ? n : 1, sizeof *items);
    Bank__LoggedWrite **ptrs = calloc(n ? n : 1, sizeof *ptrs);
    Bank__Checkpoint *cps = calloc(n_cps ? n_cps : 1, sizeof *cps);
    Bank__Checkpoint **cp_ptrs = calloc(n_cps ? n_cps : 1, sizeof *cp_ptrs);
    if (!items || !ptrs || !cps || !cp_ptrs) goto no_memory;
    for (size_t i = 0; i < n_cps; i++) {
        bank__checkpoint__init(&cps[i]);
        cps[i].origin_branch = r->checkpoints.items[i].origin;
        cps[i].through = r->checkpoints.items[i].through;
        cps[i].net = r->checkpoints.items[i].net;
        cp_ptrs[i] = &cps[i];
    }
    reply.n_checkpoints = n_cps;
    reply.checkpoints = cp_ptrs;
    for (size_t i = 0; i < n; i++) {
        const bank_logged_write *e = &r->log.items[from + i];
        bank__logged_write__init(&items[i]);
        items[i].withdraw = e->kind == BANK_WRITE_WITHDRAW;
        items[i].origin_branch = e->origin;
        items[i].sequence = e->sequence;
        items[i].money = e->money;
        items[i].customer_id = e->customer_id;
        items[i].event_id = e->event_id;
        ptrs[i] = &items[i];
    }
    reply.n_writes = n;
    reply.writes = ptrs;
    *out_len = bank__snapshot_reply__get_packed_size(&reply);
    *out = malloc(*out_len ? *out_len : 1);
    if (!*out) goto no_memory;
    bank__snapshot_reply__pack(&reply, *out);
    free(items);
    free(ptrs);
    free(cps);
    free(cp_ptrs);
    return BANK_RPC_OK;
no_memory:
    free(items);
    free(ptrs);
    free(cps);
    free(cp_ptrs);
    *out_len = 0;
    *details = "out of memory";
    return BANK_RPC_RESOURCE_EXHAUSTED;
}

uint8_t *bank_snapshot_request(uint64_t first, size_t *len)
{
    Bank__SnapshotRequest req = BANK__SNAPSHOT_REQUEST__INIT;
    req.first = first;
    *len = bank__snapshot_request__get_packed_size(&req);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (buf) bank__snapshot_request__pack(&req, buf);
    return buf;
}

int bank_snapshot_read(const uint8_t *data, size_t len, bank_history *into, bank_snapshot_page *page)
{
    static const uint8_t empty[1];
    Bank__SnapshotReply *r = bank__snapshot_reply__unpack(NULL, len, data ? data : empty);
    if (!r) return -1;
    bank_history got = {0};
    int rc = 0;
    for (size_t i = 0; i < r->n_checkpoints && rc == 0; i++) {
        const Bank__Checkpoint *c = r->checkpoints[i];
        bank_checkpoint cp = {c->origin_branch, c->through, c->net};
        if (bank_checkpoints_merge(&got.checkpoints, &cp) != BANK_OK) rc = -1;
    }
    for (size_t i = 0; i < r->n_writes && rc == 0; i++) {
        const Bank__LoggedWrite *x = r->writes[i];
        bank_logged_write e = {x->withdraw ? BANK_WRITE_WITHDRAW : BANK_WRITE_DEPOSIT,
                               x->origin_branch, x->sequence, x->money, x->customer_id, x->event_id};
        if (x->sequence == 0 || x->money < 0 || bank_write_log_add(&got.tail, &e) != BANK_OK) rc = -1;
    }
    if (rc == 0 && bank_history_add(into, &got) != BANK_OK) rc = -1;
    if (rc == 0) {
        page->next = r->first + r->n_writes;
        page->total = r->total;
        page->balance = r->balance;
    }
    bank_history_free(&got);
    bank__snapshot_reply__free_unpacked(r, NULL);
    return rc;
}
