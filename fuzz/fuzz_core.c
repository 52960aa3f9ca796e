/* Fuzz target: the replica state machine as a replicated system. The bytes are a program for
 * three replicas and the network between them:
 *   byte b, then (for a write) one money byte:
 *     b % 4 == 0: a deposit at replica (b / 4) % 3
 *     b % 4 == 1: a withdrawal at replica (b / 4) % 3 (it fails when the local balance is short)
 *     b % 4 == 2: deliver the pending propagation number (b / 4) % pending, if any
 *     b % 4 == 3: deliver it, and keep a copy to deliver again (a duplicate)
 * At the end every pending propagation is delivered. Then every replica must hold the model's
 * balance (initial + successful deposits - successful withdrawals), every write must be applied
 * exactly once everywhere, and a withdrawal must have been refused exactly when its own replica
 * was short at that moment. */
#include <stdint.h>
#include <stdlib.h>

#include "core/replica.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N 3
#define MAX_PENDING 4096

typedef struct {
    bank_write w;
    int to;
} message;

static message pending[MAX_PENDING];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bank_replica reps[N];
    for (int i = 0; i < N; i++) bank_replica_init(&reps[i], i + 1, 100);
    int64_t model = 100;
    size_t n_pending = 0, writes = 0;
    for (size_t at = 0; at < size; at++) {
        uint8_t b = data[at];
        int op = b % 4, who = (b / 4) % N;
        if (op <= 1) {
            if (at + 1 >= size) break;
            int64_t money = data[++at];
            int64_t before = reps[who].balance;
            bank_write w;
            bank_status st = op == 0 ? bank_replica_deposit(&reps[who], money, &w)
                                     : bank_replica_withdraw(&reps[who], money, &w);
            if (op == 1 && (st == BANK_INSUFFICIENT_FUNDS) != (before < money)) abort();
            if (st != BANK_OK) {
                if (reps[who].balance != before) abort(); /* a refused write changes nothing */
                continue;
            }
            writes++;
            model += op == 0 ? money : -money;
            for (int to = 0; to < N; to++)
                if (to != who && n_pending < MAX_PENDING) pending[n_pending++] = (message){w, to};
                else if (to != who) abort(); /* the program is too long to hold: cannot happen */
        } else if (n_pending > 0) {
            size_t k = (size_t)(b / 4) % n_pending;
            message m = pending[k];
            bank_status st = bank_replica_apply(&reps[m.to], &m.w);
            if (st != BANK_OK && st != BANK_DUPLICATE) abort();
            if (op == 2 || st == BANK_DUPLICATE) pending[k] = pending[--n_pending];
        }
    }
    while (n_pending > 0) {
        message m = pending[--n_pending];
        bank_status st = bank_replica_apply(&reps[m.to], &m.w);
        if (st != BANK_OK && st != BANK_DUPLICATE) abort();
    }
    for (int i = 0; i < N; i++) {
        if (reps[i].balance != model) abort(); /* converged, to the model's balance */
        for (int o = 0; o < N; o++)
            for (uint64_t seq = 1; seq <= reps[o].last_sequence; seq++)
                if (o != i && !bank_replica_has_applied(&reps[i], o + 1, seq)) abort();
    }
    (void)writes;
    for (int i = 0; i < N; i++) bank_replica_free(&reps[i]);
    return 0;
}
