/* A customer's write on its way to every peer, settled peer by peer (see delivery.h). */
#include "delivery.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

struct bank_fan_out {
    bank_delivery_fn done;
    void *waiter;
    uint64_t sequence;
    bank_mark_pending_fn mark_pending;
    void *mark_ctx;
    atomic_size_t peers_left;
    atomic_int failed, pending;
    char failure[256];
};

bank_fan_out *bank_fan_out_new(size_t peers, uint64_t sequence, bank_delivery_fn done, void *waiter,
                               bank_mark_pending_fn mark_pending, void *mark_ctx)
{
    bank_fan_out *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->done = done;
    f->waiter = waiter;
    f->sequence = sequence;
    f->mark_pending = mark_pending;
    f->mark_ctx = mark_ctx;
    atomic_store(&f->peers_left, peers);
    return f;
}

/* The pending mark is recorded (or could not be): now the customer is told. */
static void pending_recorded(void *arg, int ok, const char *why)
{
    bank_fan_out *f = arg;
    if (!ok) snprintf(f->failure, sizeof f->failure, "its answer, pending, could not be recorded: %s", why);
    f->done(f->waiter, ok ? BANK_DELIVERY_PENDING : BANK_DELIVERY_FAILED, f->failure);
    free(f);
}

void bank_fan_out_settled(bank_fan_out *f)
{
    if (atomic_fetch_sub(&f->peers_left, 1) != 1) return;
    bank_delivery outcome = atomic_load(&f->failed)    ? BANK_DELIVERY_FAILED
                            : atomic_load(&f->pending) ? BANK_DELIVERY_PENDING
                                                       : BANK_DELIVERY_ACKNOWLEDGED;
    if (outcome == BANK_DELIVERY_PENDING && f->mark_pending) {
        f->mark_pending(f->mark_ctx, f->sequence, pending_recorded, f);
        return;
    }
    f->done(f->waiter, outcome, f->failure);
    free(f);
}

void bank_fan_out_pending(bank_fan_out *f) { atomic_store(&f->pending, 1); }

void bank_fan_out_failed(bank_fan_out *f, const char *what, int64_t peer, const char *why)
{
    if (atomic_exchange(&f->failed, 1) == 0)
        snprintf(f->failure, sizeof f->failure, "branch %lld %s: %s", (long long)peer, what, why);
}
