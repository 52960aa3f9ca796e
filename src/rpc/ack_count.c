/* Acknowledgements of a branch's own writes, peer by peer (see ack_count.h). */
#include "ack_count.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/replica.h"

struct bank_ack_count {
    bank_ack_hooks hooks;
    pthread_mutex_t lock; /* guards peers */
    size_t n;
    bank_origin_log *peers; /* each peer's acknowledged sequences */
    _Atomic uint64_t stable;
};

bank_ack_count *bank_ack_count_new(size_t n, bank_ack_hooks hooks)
{
    bank_ack_count *c = calloc(1, sizeof *c);
    if (c) c->peers = calloc(n ? n : 1, sizeof *c->peers);
    if (!c || !c->peers) {
        free(c);
        return NULL;
    }
    c->hooks = hooks;
    c->n = n;
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void bank_ack_count_add(bank_ack_count *c, size_t i, int64_t peer, uint64_t seq, int whole_prefix)
{
    if (i >= c->n) return;
    uint64_t through = 0, stable = 0;
    pthread_mutex_lock(&c->lock);
    bank_origin_log *p = &c->peers[i];
    uint64_t before = p->contiguous;
    if (whole_prefix) bank_origin_log_mark_through(p, seq);
    else bank_origin_log_add(p, seq);
    if (p->contiguous > before) {
        through = p->contiguous;
        uint64_t lowest = UINT64_MAX;
        for (size_t k = 0; k < c->n; k++)
            if (c->peers[k].contiguous < lowest) lowest = c->peers[k].contiguous;
        if (lowest > atomic_load(&c->stable)) atomic_store(&c->stable, stable = lowest);
    }
    pthread_mutex_unlock(&c->lock);
    if (through && c->hooks.acked) c->hooks.acked(c->hooks.ctx, peer, through);
    if (stable && c->hooks.stable) c->hooks.stable(c->hooks.ctx, stable);
}

void bank_ack_count_all(bank_ack_count *c, uint64_t seq)
{
    if (c->n > 0 || seq <= atomic_load(&c->stable)) return;
    atomic_store(&c->stable, seq);
    if (c->hooks.stable) c->hooks.stable(c->hooks.ctx, seq);
}

uint64_t bank_ack_count_stable(bank_ack_count *c) { return atomic_load(&c->stable); }

void bank_ack_count_free(bank_ack_count *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) bank_origin_log_free(&c->peers[i]);
    free(c->peers);
    pthread_mutex_destroy(&c->lock);
    free(c);
}
