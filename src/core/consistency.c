#include "consistency.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_BUDGET 1000000u
#define NETS_CAP 4096u

/* ---- the search over interleavings ----
 *
 * A state is how far each entry has got plus the net change of the balance (the net is not a
 * function of the positions when a missing reply leaves a withdrawal's outcome open). Two moves
 * never need branching: a query that reads what it claims, and a withdrawal that fails as
 * claimed, change nothing, so taking them at once loses no execution (any execution from here
 * can take them first and reach the same states). Writes that move the balance branch, and so
 * does a withdrawal with no printed answer that would fail here: it might succeed later. */

typedef struct {
    const bank_workload *w;
    bank_claim *const *claims;
    size_t *pos;
    int64_t net;
    size_t done, total;
    size_t *trail; /* the entry of every event taken, in order */
    size_t n_trail;
    uint64_t hash; /* of pos */
    uint64_t *seen;
    size_t seen_cap, seen_n;
} search;

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t pos_key(size_t c, size_t p) { return mix(((uint64_t)c << 32) ^ p ^ 0x5bd1e995ull); }

static int64_t balance_of(const search *s, size_t c)
{
    return s->w->branches[s->w->customers[c].branch_index].balance + s->net;
}

/* 1 the next event of entry c can run and changes nothing; 2 it can run and moves the balance by
 * *delta; 0 it cannot run as claimed here (or c is done). */
static int next_move(const search *s, size_t c, int64_t *delta)
{
    const bank_customer *cu = &s->w->customers[c];
    size_t e = s->pos[c];
    if (e >= cu->n_events) return 0;
    const bank_event *ev = &cu->events[e];
    const bank_claim *cl = &s->claims[c][e];
    int64_t bal = balance_of(s, c);
    switch (ev->op) {
    case BANK_OP_QUERY:
        return !cl->printed || cl->balance == bal ? 1 : 0;
    case BANK_OP_DEPOSIT:
        if (cl->printed && !cl->success) return 0;
        *delta = ev->money;
        return 2;
    case BANK_OP_WITHDRAW:
        if (bal < ev->money) {
            if (cl->printed) return cl->success ? 0 : 1;
            /* No answer printed: failing here is one choice, succeeding later another. */
            *delta = 0;
            return 2;
        }
        if (cl->printed && !cl->success) return 0;
        *delta = -ev->money;
        return 2;
    }
    return 0;
}

static void step(search *s, size_t c, int64_t delta)
{
    s->hash ^= pos_key(c, s->pos[c]) ^ pos_key(c, s->pos[c] + 1);
    s->pos[c]++;
    s->net += delta;
    s->done++;
    s->trail[s->n_trail++] = c;
}

/* Takes every move that changes nothing, until none is left. */
static void closure(search *s)
{
    int progress = 1;
    while (progress) {
        progress = 0;
        for (size_t c = 0; c < s->w->n_customers; c++) {
            int64_t d;
            while (next_move(s, c, &d) == 1) {
                step(s, c, 0);
                progress = 1;
            }
        }
    }
}

static void undo_to(search *s, size_t mark, int64_t net)
{
    while (s->n_trail > mark) {
        size_t c = s->trail[--s->n_trail];
        s->pos[c]--;
        s->hash ^= pos_key(c, s->pos[c]) ^ pos_key(c, s->pos[c] + 1);
        s->done--;
    }
    s->net = net;
}

/* 1 newly recorded, 0 seen before, -1 out of memory. A 64-bit fingerprint stands for the state:
 * a collision (odds about n^2 / 2^65) could only prune a branch, never accept a wrong output. */
static int remember(search *s)
{
    uint64_t key = s->hash ^ mix((uint64_t)s->net);
    if (key == 0) key = 1;
    if (2 * (s->seen_n + 1) > s->seen_cap) {
        size_t ncap = s->seen_cap ? s->seen_cap * 2 : 1024;
        uint64_t *t = calloc(ncap, sizeof *t);
        if (!t) return -1;
        for (size_t i = 0; i < s->seen_cap; i++) {
            if (!s->seen[i]) continue;
            size_t j = s->seen[i] & (ncap - 1);
            while (t[j]) j = (j + 1) & (ncap - 1);
            t[j] = s->seen[i];
        }
        free(s->seen);
        s->seen = t;
        s->seen_cap = ncap;
    }
    size_t j = key & (s->seen_cap - 1);
    while (s->seen[j]) {
        if (s->seen[j] == key) return 0;
        j = (j + 1) & (s->seen_cap - 1);
    }
    s->seen[j] = key;
    s->seen_n++;
    return 1;
}

typedef struct {
    size_t mark;  /* trail length before the move that entered this state */
    int64_t net;  /* net before that move */
    size_t next;  /* next entry whose move to try */
} frame;

int bank_consistency_check(const bank_workload *w, bank_claim *const *claims, size_t budget,
                           bank_consistency_result *out)
{
    memset(out, 0, sizeof *out);
    if (budget == 0) budget = DEFAULT_BUDGET;
    size_t C = w->n_customers, total = bank_workload_event_count(w);
    search s = {0};
    s.w = w;
    s.claims = claims;
    s.total = total;
    s.pos = calloc(C ? C : 1, sizeof *s.pos);
    s.trail = malloc((total ? total : 1) * sizeof *s.trail);
    out->blocked = calloc(C ? C : 1, sizeof *out->blocked);
    frame *frames = malloc((total + 1) * sizeof *frames);
    int rc = -1;
    if (!s.pos || !s.trail || !out->blocked || !frames) goto done;
    for (size_t c = 0; c < C; c++) s.hash ^= pos_key(c, 0);

    size_t best = 0, depth = 0;
    closure(&s);
    if (remember(&s) < 0) goto done;
    out->states = 1;
    frames[depth++] = (frame){0, 0, 0};
    out->verdict = BANK_INCONSISTENT;
    if (s.done == total) {
        out->verdict = BANK_CONSISTENT;
    }
    best = s.done;
    memcpy(out->blocked, s.pos, C * sizeof *s.pos);
    while (depth > 0 && out->verdict == BANK_INCONSISTENT) {
        frame *f = &frames[depth - 1];
        int64_t delta = 0;
        size_t c = f->next;
        while (c < C && next_move(&s, c, &delta) != 2) c++;
        if (c == C) { /* every move from here is explored: back out */
            undo_to(&s, f->mark, f->net);
            depth--;
            continue;
        }
        f->next = c + 1;
        size_t mark = s.n_trail;
        int64_t net = s.net;
        step(&s, c, delta);
        closure(&s);
        if (s.done == total) {
            out->verdict = BANK_CONSISTENT;
            break;
        }
        int fresh = remember(&s);
        if (fresh < 0) goto done;
        if (!fresh) {
            undo_to(&s, mark, net);
            continue;
        }
        if (++out->states > budget) {
            out->verdict = BANK_UNDECIDED;
            break;
        }
        if (s.done > best) {
            best = s.done;
            memcpy(out->blocked, s.pos, C * sizeof *s.pos);
        }
        frames[depth++] = (frame){mark, net, 0};
    }
    if (out->verdict == BANK_CONSISTENT) {
        out->order = malloc((total ? total : 1) * sizeof *out->order);
        if (!out->order) goto done;
        memset(s.pos, 0, C * sizeof *s.pos);
        for (size_t i = 0; i < s.n_trail; i++) {
            size_t cu = s.trail[i];
            out->order[i] = (bank_step){cu, s.pos[cu]++};
        }
        out->n_order = s.n_trail;
    }
    rc = 0;
done:
    free(frames);
    free(s.pos);
    free(s.trail);
    free(s.seen);
    if (rc != 0) bank_consistency_result_free(out);
    return rc;
}

void bank_consistency_result_free(bank_consistency_result *r)
{
    free(r->order);
    free(r->blocked);
    memset(r, 0, sizeof *r);
}

/* ---- what one claim alone allows ---- */

typedef struct {
    size_t n, cap;
    int64_t *v;
    int exact;
} netset;

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int netset_add(netset *s, int64_t x)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 8;
        int64_t *v = realloc(s->v, ncap * sizeof *v);
        if (!v) return -1;
        s->v = v;
        s->cap = ncap;
    }
    s->v[s->n++] = x;
    return 0;
}

/* Sorts, removes repeats, and keeps at most NETS_CAP values (then the set is no longer exact). */
static void netset_normalize(netset *s)
{
    qsort(s->v, s->n, sizeof *s->v, cmp_i64);
    size_t o = 0;
    for (size_t i = 0; i < s->n; i++)
        if (o == 0 || s->v[o - 1] != s->v[i]) s->v[o++] = s->v[i];
    s->n = o;
    if (s->n > NETS_CAP) {
        s->n = NETS_CAP;
        s->exact = 0;
    }
}

static int netset_has(const netset *s, int64_t x)
{
    return bsearch(&x, s->v, s->n, sizeof x, cmp_i64) != NULL;
}

/* The nets the first p events of entry c can add up to, for p = 0..upto (sets[p]). Writes count
 * as claimed; a write with no printed answer may have gone either way when it is a withdrawal. */
static int prefix_sets(const bank_workload *w, bank_claim *const *claims, size_t c, size_t upto,
                       netset *sets)
{
    const bank_customer *cu = &w->customers[c];
    sets[0].exact = 1;
    if (netset_add(&sets[0], 0) != 0) return -1;
    for (size_t p = 1; p <= upto; p++) {
        const bank_event *ev = &cu->events[p - 1];
        const bank_claim *cl = &claims[c][p - 1];
        netset *prev = &sets[p - 1], *cur = &sets[p];
        cur->exact = prev->exact;
        for (size_t i = 0; i < prev->n; i++) {
            int64_t x = prev->v[i], less;
            int ok = 0;
            switch (ev->op) {
            case BANK_OP_QUERY:
                ok = netset_add(cur, x);
                break;
            case BANK_OP_DEPOSIT:
                if (cl->printed && !cl->success) ok = netset_add(cur, x);
                else if (!__builtin_add_overflow(x, ev->money, &less)) ok = netset_add(cur, less);
                break;
            case BANK_OP_WITHDRAW:
                if (!cl->printed || !cl->success) ok |= netset_add(cur, x);
                if ((!cl->printed || cl->success) && !__builtin_sub_overflow(x, ev->money, &less))
                    ok |= netset_add(cur, less);
                break;
            }
            if (ok != 0) return -1;
        }
        netset_normalize(cur);
    }
    return 0;
}

/* All the sets the search for one claim needs: per entry, the union over its prefixes (only
 * the given prefix for the claim's own entry), and the running sums over entries. */
typedef struct {
    size_t C;
    netset **per_prefix; /* per_prefix[c][p] */
    size_t *n_prefix;    /* sets in per_prefix[c] */
    netset *sums;        /* sums[k]: nets over entries 0..k */
} analysis;

static void analysis_free(analysis *a)
{
    for (size_t c = 0; c < a->C; c++) {
        if (!a->per_prefix || !a->per_prefix[c]) continue;
        for (size_t p = 0; p < a->n_prefix[c]; p++) free(a->per_prefix[c][p].v);
        free(a->per_prefix[c]);
    }
    free(a->per_prefix);
    free(a->n_prefix);
    if (a->sums)
        for (size_t c = 0; c < a->C; c++) free(a->sums[c].v);
    free(a->sums);
}

static int analyse(const bank_workload *w, bank_claim *const *claims, size_t customer, size_t event,
                   analysis *a)
{
    size_t C = w->n_customers;
    memset(a, 0, sizeof *a);
    a->C = C;
    a->per_prefix = calloc(C, sizeof *a->per_prefix);
    a->n_prefix = calloc(C, sizeof *a->n_prefix);
    a->sums = calloc(C, sizeof *a->sums);
    if (!a->per_prefix || !a->n_prefix || !a->sums) return -1;
    for (size_t c = 0; c < C; c++) {
        size_t upto = c == customer ? event : w->customers[c].n_events;
        a->per_prefix[c] = calloc(upto + 1, sizeof **a->per_prefix);
        if (a->per_prefix[c]) a->n_prefix[c] = upto + 1;
        if (!a->per_prefix[c] || prefix_sets(w, claims, c, upto, a->per_prefix[c]) != 0) return -1;
        netset options = {0, 0, NULL, 1};
        size_t from = c == customer ? event : 0;
        for (size_t p = from; p <= upto; p++) {
            options.exact &= a->per_prefix[c][p].exact;
            for (size_t i = 0; i < a->per_prefix[c][p].n; i++)
                if (netset_add(&options, a->per_prefix[c][p].v[i]) != 0) {
                    free(options.v);
                    return -1;
                }
        }
        netset_normalize(&options);
        netset *sum = &a->sums[c];
        sum->exact = options.exact;
        if (c == 0) {
            *sum = options;
            continue;
        }
        const netset *prev = &a->sums[c - 1];
        sum->exact &= prev->exact;
        for (size_t i = 0; i < prev->n; i++) {
            for (size_t j = 0; j < options.n; j++) {
                int64_t x;
                if (__builtin_add_overflow(prev->v[i], options.v[j], &x)) continue;
                if (netset_add(sum, x) != 0) {
                    free(options.v);
                    return -1;
                }
            }
            if (sum->n > 8 * NETS_CAP) netset_normalize(sum); /* bounds memory; marks inexact */
        }
        free(options.v);
        netset_normalize(sum);
    }
    return 0;
}

int bank_reachable_nets(const bank_workload *w, bank_claim *const *claims, size_t customer,
                        size_t event, bank_reachable *out)
{
    memset(out, 0, sizeof *out);
    analysis a;
    int rc = -1;
    if (analyse(w, claims, customer, event, &a) == 0 && w->n_customers > 0) {
        netset *last = &a.sums[w->n_customers - 1];
        out->exact = last->exact;
        out->n_nets = last->n;
        out->nets = malloc((last->n ? last->n : 1) * sizeof *out->nets);
        if (out->nets) {
            memcpy(out->nets, last->v, last->n * sizeof *out->nets);
            rc = 0;
        }
    }
    analysis_free(&a);
    return rc;
}

void bank_reachable_free(bank_reachable *r)
{
    free(r->nets);
    memset(r, 0, sizeof *r);
}

int bank_writes_for_net(const bank_workload *w, bank_claim *const *claims, size_t customer,
                        size_t event, int64_t net, size_t *prefix)
{
    size_t C = w->n_customers;
    analysis a;
    int rc = -1;
    if (C == 0 || analyse(w, claims, customer, event, &a) != 0) goto out;
    rc = 1;
    if (!netset_has(&a.sums[C - 1], net)) goto out;
    /* Walk back over the entries: pick a prefix of entry c whose contribution leaves a target
     * that the entries before it can still make. */
    int64_t target = net;
    for (size_t k = C; k-- > 0;) {
        size_t from = k == customer ? event : 0;
        size_t upto = k == customer ? event : w->customers[k].n_events;
        int found = 0;
        for (size_t p = from; p <= upto && !found; p++) {
            const netset *ps = &a.per_prefix[k][p];
            for (size_t i = 0; i < ps->n && !found; i++) {
                int64_t rest = target - ps->v[i];
                if (k == 0 ? rest == 0 : netset_has(&a.sums[k - 1], rest)) {
                    prefix[k] = p;
                    target = rest;
                    found = 1;
                }
            }
        }
        if (!found) goto out; /* only when a capped set dropped the way */
    }
    rc = 0;
out:
    if (C > 0) analysis_free(&a);
    return rc;
}
