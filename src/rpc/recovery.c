/* A crashed branch catches up from its peers' logs (see recovery.h). */
#include "recovery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "codec.h"
#include "snapshot.h"
#include "timers.h"

/* The whole history of the peer at ch, page after page, into h. 0, or -1 with err. */
static int read_history(bank_channel *ch, grpc_completion_queue *cq, int64_t id, int64_t until,
                        bank_history *h, char *err, size_t errlen)
{
    uint64_t first = 0;
    for (;;) {
        int64_t left = until - bank_mono_ms();
        if (left <= 0) {
            snprintf(err, errlen, "branch %lld did not give its log in time (--deadline-ms)",
                     (long long)id);
            return -1;
        }
        size_t len;
        uint8_t *req = bank_snapshot_request(first, &len);
        if (!req) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        grpc_byte_buffer *reply = NULL;
        grpc_status_code st = bank_client_raw(ch, cq, BANK_PATH_SNAPSHOT, req, len, (int)left, &reply);
        free(req);
        if (st == GRPC_STATUS_UNAVAILABLE || st == GRPC_STATUS_DEADLINE_EXCEEDED) {
            if (reply) grpc_byte_buffer_destroy(reply);
            struct timespec pause = {0, 100 * 1000000L}; /* down, or recovering itself */
            nanosleep(&pause, NULL);
            continue;
        }
        grpc_slice bytes;
        int ok = st == GRPC_STATUS_OK && bank_codec_flatten(reply, &bytes) == 0;
        if (reply) grpc_byte_buffer_destroy(reply);
        if (!ok) {
            snprintf(err, errlen, "branch %lld refused its log (gRPC status %d)", (long long)id, (int)st);
            return -1;
        }
        bank_snapshot_page page;
        int rc = bank_snapshot_read(GRPC_SLICE_START_PTR(bytes), GRPC_SLICE_LENGTH(bytes), h, &page);
        grpc_slice_unref(bytes);
        if (rc != 0) {
            snprintf(err, errlen, "branch %lld sent a malformed SnapshotReply", (long long)id);
            return -1;
        }
        if (page.total < first) { /* it started again meanwhile: its positions with it */
            bank_history_free(h);
            first = 0;
            continue;
        }
        if (page.next >= page.total) return 0;
        if (page.next <= first) { /* a page that brings nothing would loop for ever */
            snprintf(err, errlen, "branch %lld sent an empty page of its log", (long long)id);
            return -1;
        }
        first = page.next;
    }
}

int bank_recovery_collect(int64_t self, const bank_peer *peers, size_t n, int deadline_ms,
                          const bank_tls *tls, bank_history *logs, char *err, size_t errlen)
{
    int64_t until = bank_mono_ms() + (deadline_ms > 0 ? deadline_ms : 10000);
    grpc_completion_queue *cq = bank_client_cq_create();
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (peers[i].id == self) continue;
        bank_channel *ch = bank_channel_open(peers[i].target, tls);
        if (!ch) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
            break;
        }
        rc = read_history(ch, cq, peers[i].id, until, &logs[i], err, errlen);
        bank_channel_close(ch);
    }
    bank_client_cq_destroy(cq);
    return rc;
}

int bank_recovery_install(bank_replica *r, int64_t initial_balance, const bank_peer *peers,
                          size_t n, bank_history *logs, uint64_t promised, bank_sender *sender,
                          int own_writes_only, size_t *owed, char *err, size_t errlen)
{
    bank_history all;
    *owed = 0;
    int rc = bank_replica_history(r, &all) == BANK_OK ? 0 : -1;
    bank_history_normalize(&all);
    for (size_t i = 0; i < n && rc == 0; i++) {
        bank_history_normalize(&logs[i]);
        if (bank_history_merge(&all, &logs[i]) != BANK_OK) rc = -1;
    }
    if (rc != 0) {
        snprintf(err, errlen, "out of memory");
        bank_history_free(&all);
        return -1;
    }
    uint64_t have = bank_history_contiguous(&all, r->branch_id);
    if (have < promised) {
        snprintf(err, errlen, "its own write %llu was answered (pending) but is neither in its data dir "
                              "nor at any peer (it has its writes 1..%llu, answered up to %llu): "
                              "refusing to start rather than lose it",
                 (unsigned long long)have + 1, (unsigned long long)have, (unsigned long long)promised);
        bank_history_free(&all);
        return -1;
    }
    bank_status st = bank_replica_restore(r, initial_balance, &all);
    if (st != BANK_OK) {
        snprintf(err, errlen, "cannot rebuild the replica from its peers' logs: %s", bank_status_text(st));
        bank_history_free(&all);
        return -1;
    }
    /* What a peer lacks it is owed; failing to owe it is reported, but the replica stands. */
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (peers[i].id == r->branch_id) continue;
        bank_write_log missing = {0};
        if (bank_history_missing(&all, &logs[i], peers[i].id, &missing) != BANK_OK) rc = -1;
        for (size_t k = 0; k < missing.n && rc == 0; k++) {
            if (own_writes_only && missing.items[k].origin != r->branch_id) continue;
            if (bank_sender_owe(sender, peers[i].id, &missing.items[k]) != 0) rc = -1;
            else (*owed)++;
        }
        bank_write_log_free(&missing);
    }
    if (rc != 0) snprintf(err, errlen, "out of memory while owing peers the writes they lack");
    bank_history_free(&all);
    return rc;
}

void bank_recovery_tell_acked(int64_t self, const bank_peer *peers, size_t n, const bank_history *logs,
                              bank_sender *sender)
{
    for (size_t i = 0; i < n; i++)
        if (peers[i].id != self)
            bank_sender_set_acked(sender, peers[i].id, bank_history_contiguous(&logs[i], self));
}
