/* A branch's history: checkpoints and the writes after them (see history.h). */
#include "history.h"

#include <stdlib.h>
#include <string.h>

void bank_history_free(bank_history *h)
{
    free(h->checkpoints.items);
    bank_write_log_free(&h->tail);
    memset(h, 0, sizeof *h);
}

const bank_checkpoint *bank_checkpoint_find(const bank_checkpoints *c, int64_t origin)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->items[i].origin == origin) return &c->items[i];
    return NULL;
}

static bank_status reserve_checkpoint(bank_checkpoints *c)
{
    if (c->n < c->cap) return BANK_OK;
    size_t cap = c->cap ? 2 * c->cap : 8;
    bank_checkpoint *grown = realloc(c->items, cap * sizeof *grown);
    if (!grown) return BANK_NO_MEMORY;
    c->items = grown;
    c->cap = cap;
    return BANK_OK;
}

bank_status bank_checkpoints_merge(bank_checkpoints *c, const bank_checkpoint *cp)
{
    bank_checkpoint *have = (bank_checkpoint *)bank_checkpoint_find(c, cp->origin);
    if (have) {
        if (cp->through > have->through) *have = *cp;
        return BANK_OK;
    }
    if (reserve_checkpoint(c) != BANK_OK) return BANK_NO_MEMORY;
    c->items[c->n++] = *cp;
    return BANK_OK;
}

static int covered(const bank_checkpoints *c, int64_t origin, uint64_t sequence)
{
    const bank_checkpoint *cp = bank_checkpoint_find(c, origin);
    return cp && sequence <= cp->through;
}

void bank_history_normalize(bank_history *h)
{
    size_t n = bank_logged_sort_unique(h->tail.items, h->tail.n), kept = 0;
    for (size_t i = 0; i < n; i++)
        if (!covered(&h->checkpoints, h->tail.items[i].origin, h->tail.items[i].sequence))
            h->tail.items[kept++] = h->tail.items[i];
    h->tail.n = kept;
}

bank_status bank_history_add(bank_history *into, const bank_history *from)
{
    size_t n_cps = into->checkpoints.n, n_tail = into->tail.n;
    bank_checkpoint *saved = NULL;
    if (n_cps && !(saved = malloc(n_cps * sizeof *saved))) return BANK_NO_MEMORY;
    if (n_cps) memcpy(saved, into->checkpoints.items, n_cps * sizeof *saved);
    bank_status st = BANK_OK;
    for (size_t i = 0; i < from->checkpoints.n && st == BANK_OK; i++)
        st = bank_checkpoints_merge(&into->checkpoints, &from->checkpoints.items[i]);
    for (size_t i = 0; i < from->tail.n && st == BANK_OK; i++)
        st = bank_write_log_add(&into->tail, &from->tail.items[i]);
    if (st != BANK_OK) { /* as it was: the tail's old entries are untouched */
        if (n_cps) memcpy(into->checkpoints.items, saved, n_cps * sizeof *saved);
        into->checkpoints.n = n_cps;
        into->tail.n = n_tail;
    }
    free(saved);
    return st;
}

bank_status bank_history_merge(bank_history *into, const bank_history *from)
{
    bank_status st = bank_history_add(into, from);
    if (st == BANK_OK) bank_history_normalize(into);
    return st;
}

static int compare(const bank_logged_write *a, int64_t origin, uint64_t sequence)
{
    if (a->origin != origin) return a->origin < origin ? -1 : 1;
    if (a->sequence != sequence) return a->sequence < sequence ? -1 : 1;
    return 0;
}

/* The index of the first tail write at or after (origin, sequence). */
static size_t lower_bound(const bank_write_log *tail, int64_t origin, uint64_t sequence)
{
    size_t lo = 0, hi = tail->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (compare(&tail->items[mid], origin, sequence) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

int bank_history_has(const bank_history *h, int64_t origin, uint64_t sequence)
{
    if (covered(&h->checkpoints, origin, sequence)) return 1;
    size_t i = lower_bound(&h->tail, origin, sequence);
    return i < h->tail.n && compare(&h->tail.items[i], origin, sequence) == 0;
}

uint64_t bank_history_contiguous(const bank_history *h, int64_t origin)
{
    const bank_checkpoint *cp = bank_checkpoint_find(&h->checkpoints, origin);
    uint64_t through = cp ? cp->through : 0;
    for (size_t i = lower_bound(&h->tail, origin, through + 1);
         i < h->tail.n && h->tail.items[i].origin == origin && h->tail.items[i].sequence == through + 1; i++)
        through++;
    return through;
}

bank_status bank_history_missing(const bank_history *u, const bank_history *p, int64_t peer,
                                 bank_write_log *out)
{
    size_t was = out->n;
    for (size_t i = 0; i < u->tail.n; i++) {
        const bank_logged_write *w = &u->tail.items[i];
        if (w->origin == peer || bank_history_has(p, w->origin, w->sequence)) continue;
        if (bank_write_log_add(out, w) != BANK_OK) {
            out->n = was;
            return BANK_NO_MEMORY;
        }
    }
    return BANK_OK;
}

static bank_status add_money(int64_t *balance, bank_write_kind kind, int64_t money)
{
    if (money < 0) return BANK_BAD_MONEY;
    int64_t delta = kind == BANK_WRITE_DEPOSIT ? money : -money;
    return __builtin_add_overflow(*balance, delta, balance) ? BANK_OVERFLOW : BANK_OK;
}

bank_status bank_replica_restore(bank_replica *r, int64_t initial_balance, const bank_history *u)
{
    bank_replica t;
    bank_replica_init(&t, r->branch_id, initial_balance);
    bank_status s = BANK_OK;
    if (u->tail.n > 0) {
        t.log.items = malloc(u->tail.n * sizeof *t.log.items);
        if (!t.log.items) s = BANK_NO_MEMORY;
        t.log.cap = t.log.items ? u->tail.n : 0;
    }
    if (s == BANK_OK && u->checkpoints.n > 0) {
        t.checkpoints.items = malloc(u->checkpoints.n * sizeof *t.checkpoints.items);
        if (!t.checkpoints.items) s = BANK_NO_MEMORY;
        t.checkpoints.cap = t.checkpoints.items ? u->checkpoints.n : 0;
    }
    for (size_t i = 0; i < u->checkpoints.n && s == BANK_OK; i++) {
        const bank_checkpoint *cp = &u->checkpoints.items[i];
        if (__builtin_add_overflow(t.balance, cp->net, &t.balance)) s = BANK_OVERFLOW;
        else s = bank_replica_mark_through(&t, cp->origin, cp->through);
        if (s == BANK_OK) t.checkpoints.items[t.checkpoints.n++] = *cp;
    }
    for (size_t i = 0; i < u->tail.n && s == BANK_OK; i++) {
        const bank_logged_write *e = &u->tail.items[i];
        if (e->origin == t.branch_id) { /* its own write, committed here before the crash */
            s = add_money(&t.balance, e->kind, e->money);
            if (e->sequence > t.last_sequence) t.last_sequence = e->sequence;
        } else {
            bank_write w = {e->kind, e->origin, e->sequence, e->money};
            s = bank_replica_apply(&t, &w);
        }
        if (s == BANK_OK) t.log.items[t.log.n++] = *e;
    }
    if (s != BANK_OK) {
        bank_replica_free(&t);
        return s;
    }
    t.clock = r->clock; /* the clock is the process's, not the replica's state (L2) */
    bank_replica_free(r);
    *r = t;
    return BANK_OK;
}

bank_status bank_replica_history(const bank_replica *r, bank_history *out)
{
    memset(out, 0, sizeof *out);
    bank_status s = BANK_OK;
    for (size_t i = 0; i < r->checkpoints.n && s == BANK_OK; i++)
        s = bank_checkpoints_merge(&out->checkpoints, &r->checkpoints.items[i]);
    for (size_t i = 0; i < r->log.n && s == BANK_OK; i++) s = bank_write_log_add(&out->tail, &r->log.items[i]);
    if (s != BANK_OK) bank_history_free(out);
    return s;
}

bank_status bank_replica_fold(bank_replica *r, int64_t origin, uint64_t through)
{
    uint64_t have = bank_replica_contiguous(r, origin);
    if (through > have) through = have;
    const bank_checkpoint *cp = bank_checkpoint_find(&r->checkpoints, origin);
    uint64_t from = cp ? cp->through : 0;
    if (through <= from) return BANK_OK;
    int64_t net = cp ? cp->net : 0;
    for (size_t i = 0; i < r->log.n; i++) {
        const bank_logged_write *e = &r->log.items[i];
        if (e->origin == origin && e->sequence > from && e->sequence <= through &&
            add_money(&net, e->kind, e->money) != BANK_OK)
            return BANK_OVERFLOW;
    }
    bank_checkpoint next = {origin, through, net};
    if (bank_checkpoints_merge(&r->checkpoints, &next) != BANK_OK) return BANK_NO_MEMORY;
    size_t kept = 0;
    for (size_t i = 0; i < r->log.n; i++) {
        const bank_logged_write *e = &r->log.items[i];
        if (!(e->origin == origin && e->sequence <= through)) r->log.items[kept++] = *e;
    }
    r->log_base += r->log.n - kept;
    r->log.n = kept;
    r->folds++;
    return BANK_OK;
}
