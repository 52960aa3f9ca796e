#include "claim_instance.h"

#include <stdlib.h>
#include <string.h>

/* ---- events as options ---- */

static cs_option opt(int64_t delta, int64_t lo, int64_t hi, int success)
{
    return (cs_option){delta, lo, hi, (uint8_t)success};
}

/* Forward, a withdrawal of m at a branch of balance b succeeds when b + net >= m and then takes m;
 * undone backward, the net after it (what the search holds) was at least -b, and undoing it gives
 * m back. A failed one leaves the net below m - b either way. */
static void make_event(const bank_event *e, const bank_claim *cl, uint8_t tag, int64_t b, int backward,
                       cs_event *out)
{
    memset(out, 0, sizeof *out);
    int64_t m = e->money, t;
    switch (e->op) {
    case BANK_OP_QUERY:
        out->free_opt[0] = opt(0, INT64_MIN, INT64_MAX, 1);
        out->n_free = 1;
        if (tag != CS_FREE && !__builtin_sub_overflow(cl->balance, b, &t)) {
            out->opt[0] = opt(0, t, t, 1);
            out->n_opt = 1;
        }
        break;
    case BANK_OP_DEPOSIT:
        out->free_opt[0] = opt(backward ? -m : m, INT64_MIN, INT64_MAX, 1);
        out->n_free = 1;
        /* a deposit's "success" is what every execution gives: nothing to honour or drop */
        if (tag != CS_FREE && cl->success) tag = CS_FREE;
        break;
    case BANK_OP_WITHDRAW:
        out->free_opt[0] = backward ? opt(m, -b, INT64_MAX, 1) : opt(-m, m - b, INT64_MAX, 1);
        out->free_opt[1] = opt(0, INT64_MIN, m - b - 1, 0);
        out->n_free = 2;
        if (tag != CS_FREE) {
            out->opt[0] = out->free_opt[cl->success ? 0 : 1];
            out->n_opt = 1;
        }
        out->is_write = m != 0;
        break;
    }
    out->tag = tag;
    if (tag == CS_FREE) {
        memcpy(out->opt, out->free_opt, sizeof out->opt);
        out->n_opt = out->n_free;
    }
}

/* ---- classes: the rest of a chain, interned ---- */

/* Fields spelled out (no padding): keys are hashed and compared as bytes. */
typedef struct {
    int64_t delta[2], lo[2], hi[2];
    uint32_t success[2], n, tag, next, pad;
} class_key;

typedef struct {
    size_t n, cap;
    class_key *keys;
    uint32_t *ids; /* 0: empty slot */
} interner;

static uint64_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

static int intern(interner *t, const class_key *k, uint32_t *id)
{
    if (2 * (t->n + 1) > t->cap) {
        size_t ncap = t->cap ? 2 * t->cap : 1024;
        class_key *nk = malloc(ncap * sizeof *nk);
        uint32_t *ni = calloc(ncap, sizeof *ni);
        if (!nk || !ni) {
            free(nk);
            free(ni);
            return -1;
        }
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->ids[i]) continue;
            size_t j = hash_bytes(&t->keys[i], sizeof *k) & (ncap - 1);
            while (ni[j]) j = (j + 1) & (ncap - 1);
            nk[j] = t->keys[i];
            ni[j] = t->ids[i];
        }
        free(t->keys);
        free(t->ids);
        t->keys = nk;
        t->ids = ni;
        t->cap = ncap;
    }
    size_t j = hash_bytes(k, sizeof *k) & (t->cap - 1);
    while (t->ids[j]) {
        if (memcmp(&t->keys[j], k, sizeof *k) == 0) {
            *id = t->ids[j];
            return 0;
        }
        j = (j + 1) & (t->cap - 1);
    }
    t->keys[j] = *k;
    t->ids[j] = (uint32_t)++t->n; /* 0 stands for "nothing left" */
    *id = t->ids[j];
    return 0;
}

static int class_of(interner *t, const cs_event *e, int dropped, uint32_t next, uint32_t *id)
{
    class_key k;
    memset(&k, 0, sizeof k);
    const cs_option *o = dropped ? e->free_opt : e->opt;
    k.n = dropped ? e->n_free : e->n_opt;
    k.tag = dropped ? CS_FREE : e->tag;
    for (size_t i = 0; i < k.n; i++) {
        k.delta[i] = o[i].delta;
        k.lo[i] = o[i].lo;
        k.hi[i] = o[i].hi;
        k.success[i] = o[i].success;
    }
    k.next = next;
    return intern(t, &k, id);
}

/* ---- bounds ---- */

static int64_t sat_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return a > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

static void delta_range(const cs_option *o, size_t n, int64_t *lo, int64_t *hi)
{
    *lo = *hi = n ? o[0].delta : 0;
    for (size_t i = 1; i < n; i++) {
        if (o[i].delta < *lo) *lo = o[i].delta;
        if (o[i].delta > *hi) *hi = o[i].delta;
    }
}

/* An event no execution gives (n_opt 0) is bounded as if dropped: the bounds stay bounds. */
static void bounds_at(cs_chain *ch, size_t p, int dropped, int64_t *mn, int64_t *mx, int64_t *tl, int64_t *th)
{
    const cs_event *e = &ch->ev[p];
    int64_t lo, hi;
    if (dropped || e->n_opt == 0) delta_range(e->free_opt, e->n_free, &lo, &hi);
    else delta_range(e->opt, e->n_opt, &lo, &hi);
    int64_t a = sat_add(lo, ch->mn[p + 1]), b = sat_add(hi, ch->mx[p + 1]);
    *mn = a < 0 ? a : 0;
    *mx = b > 0 ? b : 0;
    *tl = sat_add(lo, ch->tl[p + 1]);
    *th = sat_add(hi, ch->th[p + 1]);
}

/* ---- the instance ---- */

static void chain_free(cs_chain *ch)
{
    free(ch->ev);
    free(ch->cls);
    free(ch->dcls);
    free(ch->mn);
    free(ch->mx);
    free(ch->tl);
    free(ch->th);
    free(ch->dmn);
    free(ch->dmx);
    free(ch->dtl);
    free(ch->dth);
    free(ch->fmn);
    free(ch->fmx);
    free(ch->picks);
    free(ch->deps);
    free(ch->wds);
}

void cs_instance_free(cs_instance *in)
{
    for (size_t c = 0; in->chains && c < in->n_chains; c++) chain_free(&in->chains[c]);
    free(in->chains);
    memset(in, 0, sizeof *in);
}

size_t cs_event_index(const cs_instance *in, size_t c, size_t p)
{
    return in->backward ? in->chains[c].n - 1 - p : p;
}

static int build_chain(const bank_workload *w, bank_claim *const *claims, uint8_t *const *tags, size_t c,
                       cs_instance *in, interner *t)
{
    const bank_customer *cu = &w->customers[c];
    cs_chain *ch = &in->chains[c];
    size_t n = cu->n_events;
    ch->n = n;
    ch->entry = (uint32_t)c;
    ch->base = w->branches[cu->branch_index].balance;
    ch->ev = calloc(n ? n : 1, sizeof *ch->ev);
    ch->cls = calloc(n + 1, sizeof *ch->cls);
    ch->dcls = calloc(n ? n : 1, sizeof *ch->dcls);
    int64_t **arrays[] = {&ch->mn, &ch->mx, &ch->tl, &ch->th, &ch->dmn, &ch->dmx, &ch->dtl, &ch->dth, &ch->fmn, &ch->fmx};
    for (size_t i = 0; i < 10; i++) *arrays[i] = calloc(n + 1, sizeof **arrays[i]);
    ch->picks = calloc(n + 1, sizeof *ch->picks);
    ch->deps = calloc(n + 1, sizeof *ch->deps);
    ch->wds = calloc(n + 1, sizeof *ch->wds);
    if (!ch->picks || !ch->deps || !ch->wds || !ch->ev || !ch->cls || !ch->dcls || !ch->mn || !ch->mx || !ch->tl || !ch->th || !ch->dmn ||
        !ch->dmx || !ch->dtl || !ch->dth || !ch->fmn || !ch->fmx)
        return -1;
    for (size_t p = 0; p < n; p++) {
        size_t e = in->backward ? n - 1 - p : p;
        make_event(&cu->events[e], &claims[c][e], claims[c][e].printed ? tags[c][e] : CS_FREE, ch->base,
                   in->backward, &ch->ev[p]);
        ch->ev[p].rank = claims[c][e].rank;
        if (ch->ev[p].is_write && ch->ev[p].tag != CS_FREE && ch->ev[p].tag != CS_KEPT &&
            cu->events[e].money > in->max_flip)
            in->max_flip = cu->events[e].money;
    }
    for (size_t p = n; p-- > 0;) {
        if (class_of(t, &ch->ev[p], 0, ch->cls[p + 1], &ch->cls[p]) != 0) return -1;
        if (class_of(t, &ch->ev[p], 1, ch->cls[p + 1], &ch->dcls[p]) != 0) return -1;
        bounds_at(ch, p, 0, &ch->mn[p], &ch->mx[p], &ch->tl[p], &ch->th[p]);
        bounds_at(ch, p, 1, &ch->dmn[p], &ch->dmx[p], &ch->dtl[p], &ch->dth[p]);
        ch->picks[p] = ch->picks[p + 1] + (ch->ev[p].tag == CS_PICK);
        size_t at = in->backward ? n - 1 - p : p;
        ch->deps[p] = ch->deps[p + 1] + (cu->events[at].op == BANK_OP_DEPOSIT);
        ch->wds[p] = ch->wds[p + 1] + (cu->events[at].op == BANK_OP_WITHDRAW);
        const cs_event *e = &ch->ev[p];
        int may_drop = e->tag == CS_CLAIM || e->tag == CS_PICK || e->n_opt == 0;
        int64_t lo, hi;
        if (may_drop) delta_range(e->free_opt, e->n_free, &lo, &hi);
        else delta_range(e->opt, e->n_opt, &lo, &hi);
        int64_t a = sat_add(lo, ch->fmn[p + 1]), b = sat_add(hi, ch->fmx[p + 1]);
        ch->fmn[p] = a < 0 ? a : 0;
        ch->fmx[p] = b > 0 ? b : 0;
    }
    return 0;
}

int cs_instance_build(const bank_workload *w, bank_claim *const *claims, uint8_t *const *tags,
                      int backward, cs_instance *in)
{
    memset(in, 0, sizeof *in);
    in->backward = backward;
    in->n_chains = w->n_customers;
    in->chains = calloc(w->n_customers ? w->n_customers : 1, sizeof *in->chains);
    interner t = {0};
    int rc = in->chains ? 0 : -1;
    for (size_t c = 0; rc == 0 && c < w->n_customers; c++) rc = build_chain(w, claims, tags, c, in, &t);
    in->n_classes = (uint32_t)t.n + 1;
    free(t.keys);
    free(t.ids);
    /* A legal execution's net never drops below -(the largest initial balance): a withdrawal
     * needs its branch's balance. It never exceeds the sum of the deposits (at most int64, I10). */
    int64_t top = 0, bottom = 0;
    for (size_t b = 0; b < w->n_branches; b++)
        if (-w->branches[b].balance < bottom) bottom = -w->branches[b].balance;
    for (size_t c = 0; c < w->n_customers; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++)
            if (w->customers[c].events[e].op == BANK_OP_DEPOSIT)
                top = sat_add(top, w->customers[c].events[e].money);
    in->net_lo = bottom;
    in->net_hi = top;
    /* one amount for every write: the net walks on a lattice one step at a time */
    in->step = -1;
    for (size_t c = 0; c < w->n_customers; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++) {
            const bank_event *ev = &w->customers[c].events[e];
            if (ev->op == BANK_OP_QUERY) continue;
            if (in->step == -1) in->step = ev->money;
            else if (in->step != ev->money) in->step = 0;
        }
    if (in->step < 0) in->step = 0;
    if (rc != 0) cs_instance_free(in);
    return rc;
}

/* ---- where a backward search starts ---- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

typedef struct {
    uint64_t distance;
    int64_t net;
} ranked_net;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked_net *x = a, *y = b;
    if (x->distance != y->distance) return (x->distance > y->distance) - (x->distance < y->distance);
    return (x->net > y->net) - (x->net < y->net);
}

int cs_start_nets(const cs_instance *in, size_t cap, int64_t **starts, size_t *n_starts)
{
    /* every net the writes can add up to, each write taken as answered or (when its answer may be
     * dropped or is missing) either way; the undone deltas are the negated forward ones */
    size_t n = 1, room = 2 * cap + 2;
    int64_t *v = malloc(room * sizeof *v), *next = malloc(room * sizeof *next), anchor = 0;
    if (!v || !next) {
        free(v);
        free(next);
        return -1;
    }
    v[0] = 0;
    int rc = 0;
    for (size_t c = 0; c < in->n_chains && rc == 0; c++) {
        const cs_chain *ch = &in->chains[c];
        for (size_t p = 0; p < ch->n && rc == 0; p++) {
            const cs_event *e = &ch->ev[p];
            int as_answered = e->tag == CS_KEPT && e->n_opt > 0;
            const cs_option *o = as_answered ? e->opt : e->free_opt;
            size_t no = as_answered ? e->n_opt : e->n_free;
            if (e->tag != CS_FREE && e->n_opt) anchor = sat_add(anchor, -e->opt[0].delta);
            else anchor = sat_add(anchor, -e->free_opt[0].delta);
            if (no == 1 && o[0].delta == 0) continue;
            size_t m = 0;
            for (size_t i = 0; i < n; i++)
                for (size_t k = 0; k < no; k++) next[m++] = sat_add(v[i], -o[k].delta);
            qsort(next, m, sizeof *next, cmp_i64);
            n = 0;
            for (size_t i = 0; i < m; i++)
                if (n == 0 || next[n - 1] != next[i]) next[n++] = next[i];
            int64_t *tmp = v;
            v = next;
            next = tmp;
            if (n > cap) rc = 1;
        }
    }
    free(next);
    if (rc != 0) {
        free(v);
        return rc;
    }
    ranked_net *r = malloc((n ? n : 1) * sizeof *r);
    if (!r) {
        free(v);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        r[i] = (ranked_net){v[i] > anchor ? (uint64_t)v[i] - (uint64_t)anchor : (uint64_t)anchor - (uint64_t)v[i], v[i]};
    qsort(r, n, sizeof *r, cmp_ranked);
    for (size_t i = 0; i < n; i++) v[i] = r[i].net;
    free(r);
    *starts = v;
    *n_starts = n;
    return 0;
}
