/* The search for an execution that keeps the session guarantees and gives every claimed answer
 * (see session_check.h). */
#include "session_check.h"

#include <stdlib.h>
#include <string.h>

#include "state_table.h"

#define DEFAULT_BUDGET 1000000u
#define SUMS_CAP 65536u /* distinct sums a query's check may hold before it cannot tell */
#define NETS_CAP 4096u  /* nets a report lists */

/* ---- a small set of int64 (sorted, unique once normalised) ---- */

typedef struct {
    size_t n, cap;
    int64_t *v;
} i64set;

static int set_add(i64set *s, int64_t x)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        int64_t *v = realloc(s->v, cap * sizeof *v);
        if (!v) return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = x;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void set_normalise(i64set *s)
{
    if (s->n) qsort(s->v, s->n, sizeof *s->v, cmp_i64);
    size_t o = 0;
    for (size_t i = 0; i < s->n; i++)
        if (o == 0 || s->v[o - 1] != s->v[i]) s->v[o++] = s->v[i];
    s->n = o;
}

/* *acc := {a + b : a in acc, b in with[0..n)}. 0, -1 out of memory, 2 past SUMS_CAP. */
static int set_plus(i64set *acc, const int64_t *with, size_t n)
{
    i64set next = {0, 0, NULL};
    for (size_t i = 0; i < acc->n; i++)
        for (size_t j = 0; j < n; j++) {
            int64_t x;
            if (__builtin_add_overflow(acc->v[i], with[j], &x)) continue;
            if (set_add(&next, x) != 0) {
                free(next.v);
                return -1;
            }
        }
    set_normalise(&next);
    free(acc->v);
    *acc = next;
    return acc->n > SUMS_CAP ? 2 : 0;
}

/* ---- the predicate ---- */

static int64_t own_net(const bank_session_view *v, size_t c) { return v->prefix[c][v->n_prefix[c] - 1]; }

/* The least and the most the other entries' prefixes can add. */
static void others_range(const bank_session_view *v, size_t c, int64_t *lo, int64_t *hi)
{
    *lo = *hi = 0;
    for (size_t d = 0; d < v->w->n_customers; d++) {
        if (d == c) continue;
        int64_t mn = 0, mx = 0;
        for (size_t k = 0; k < v->n_prefix[d]; k++) {
            if (v->prefix[d][k] < mn) mn = v->prefix[d][k];
            if (v->prefix[d][k] > mx) mx = v->prefix[d][k];
        }
        if (__builtin_add_overflow(*lo, mn, lo)) *lo = INT64_MIN;
        if (__builtin_add_overflow(*hi, mx, hi)) *hi = INT64_MAX;
    }
}

/* 1 some choice of the others' prefixes adds exactly target, 0 none, -1 out of memory, 2 too
 * many sums to tell. */
static int others_can_add(const bank_session_view *v, size_t c, int64_t target)
{
    int64_t lo, hi;
    others_range(v, c, &lo, &hi);
    if (target < lo || target > hi) return 0;
    i64set acc = {0, 0, NULL};
    int rc = set_add(&acc, 0);
    for (size_t d = 0; rc == 0 && d < v->w->n_customers; d++)
        if (d != c && v->n_prefix[d] > 1) rc = set_plus(&acc, v->prefix[d], v->n_prefix[d]);
    if (rc == 0) rc = bsearch(&target, acc.v, acc.n, sizeof target, cmp_i64) != NULL;
    free(acc.v);
    return rc;
}

int bank_session_admits(const bank_session_view *v, size_t c, const bank_claim *claim)
{
    const bank_event *ev = &v->w->customers[c].events[v->pos[c]];
    if (!claim->printed) return 1;
    int64_t base;
    if (__builtin_add_overflow(v->w->branches[v->routes->branch[c][v->pos[c]]].balance, own_net(v, c), &base))
        return 0;
    int64_t lo, hi, target;
    switch (ev->op) {
    case BANK_OP_QUERY:
        if (__builtin_sub_overflow(claim->balance, base, &target)) return 0;
        return others_can_add(v, c, target);
    case BANK_OP_DEPOSIT:
        return claim->success;
    case BANK_OP_WITHDRAW:
        others_range(v, c, &lo, &hi);
        return claim->success ? (__int128)base + hi >= ev->money : (__int128)base + lo < ev->money;
    }
    return 0;
}

/* ---- the search ---- */

typedef struct {
    size_t customer;
    int appended;
    uint64_t old_choice;
} move;

typedef struct {
    bank_session_view v;
    bank_claim *const *claims;
    uint64_t *choice; /* per entry: a fingerprint of its unprinted withdrawals' outcomes */
    move *trail;
    size_t n_trail, done, total;
    uint64_t *seen;
    size_t seen_cap, seen_n;
} search;

/* Runs the next event of c with the given outcome (success appends its delta). */
static void take(search *s, size_t c, int success)
{
    const bank_event *ev = &s->v.w->customers[c].events[s->v.pos[c]];
    int appended = ev->op != BANK_OP_QUERY && success;
    move m = {c, appended, s->choice[c]};
    if (ev->op == BANK_OP_WITHDRAW && !s->claims[c][s->v.pos[c]].printed)
        s->choice[c] = bank_mix(s->choice[c] ^ ((uint64_t)s->v.pos[c] << 1 | (uint64_t)success));
    if (appended) {
        int64_t delta = ev->op == BANK_OP_DEPOSIT ? ev->money : -ev->money, next;
        if (__builtin_add_overflow(own_net(&s->v, c), delta, &next)) next = own_net(&s->v, c);
        s->v.prefix[c][s->v.n_prefix[c]++] = next;
    }
    s->v.pos[c]++;
    s->done++;
    s->trail[s->n_trail++] = m;
}

static void undo_to(search *s, size_t mark)
{
    while (s->n_trail > mark) {
        move m = s->trail[--s->n_trail];
        s->v.pos[m.customer]--;
        if (m.appended) s->v.n_prefix[m.customer]--;
        s->choice[m.customer] = m.old_choice;
        s->done--;
    }
}

/* Takes every claimed event the predicate admits (and every unprinted query and deposit), until
 * none is left; unprinted withdrawals wait for a choice. 0, -1 out of memory, 2 cannot tell. */
static int closure(search *s)
{
    for (int progress = 1; progress;) {
        progress = 0;
        for (size_t c = 0; c < s->v.w->n_customers; c++)
            while (s->v.pos[c] < s->v.w->customers[c].n_events) {
                const bank_claim *cl = &s->claims[c][s->v.pos[c]];
                bank_op op = s->v.w->customers[c].events[s->v.pos[c]].op;
                if (op == BANK_OP_WITHDRAW && !cl->printed) break;
                int ok = bank_session_admits(&s->v, c, cl);
                if (ok != 1) {
                    if (ok != 0) return ok;
                    break;
                }
                take(s, c, cl->printed ? cl->success : 1);
                progress = 1;
            }
    }
    return 0;
}

/* 1 newly seen, 0 seen before, -1 out of memory (a 64-bit fingerprint of positions and choices;
 * a collision could only prune an execution, never accept answers). */
static int remember(search *s)
{
    uint64_t key = 0;
    for (size_t c = 0; c < s->v.w->n_customers; c++)
        key ^= bank_mix(((uint64_t)c << 40) ^ s->v.pos[c] ^ bank_mix(s->choice[c]));
    if (key == 0) key = 1;
    if (2 * (s->seen_n + 1) > s->seen_cap) {
        size_t cap = s->seen_cap ? 2 * s->seen_cap : 1024;
        uint64_t *t = calloc(cap, sizeof *t);
        if (!t) return -1;
        for (size_t i = 0; i < s->seen_cap; i++) {
            if (!s->seen[i]) continue;
            size_t j = s->seen[i] & (cap - 1);
            while (t[j]) j = (j + 1) & (cap - 1);
            t[j] = s->seen[i];
        }
        free(s->seen);
        s->seen = t;
        s->seen_cap = cap;
    }
    size_t j = key & (s->seen_cap - 1);
    for (; s->seen[j]; j = (j + 1) & (s->seen_cap - 1))
        if (s->seen[j] == key) return 0;
    s->seen[j] = key;
    s->seen_n++;
    return 1;
}

typedef struct {
    size_t mark;     /* trail length when this state was entered */
    size_t next;     /* next choice to try: entry next / 2, outcome next % 2 (1 success) */
} frame;

/* May entry c's next event, an unprinted withdrawal, end with this outcome here? */
static int outcome_possible(search *s, size_t c, int success)
{
    const bank_customer *cu = &s->v.w->customers[c];
    if (s->v.pos[c] >= cu->n_events || cu->events[s->v.pos[c]].op != BANK_OP_WITHDRAW ||
        s->claims[c][s->v.pos[c]].printed)
        return 0;
    bank_claim as = {.printed = 1, .success = success};
    return bank_session_admits(&s->v, c, &as) == 1;
}

static int search_init(search *s, const bank_workload *w, const bank_routes *routes,
                       bank_claim *const *claims)
{
    size_t C = w->n_customers;
    memset(s, 0, sizeof *s);
    s->v.w = w;
    s->v.routes = routes;
    s->claims = claims;
    s->total = bank_workload_event_count(w);
    s->v.pos = calloc(C ? C : 1, sizeof *s->v.pos);
    s->v.prefix = calloc(C ? C : 1, sizeof *s->v.prefix);
    s->v.n_prefix = calloc(C ? C : 1, sizeof *s->v.n_prefix);
    s->choice = calloc(C ? C : 1, sizeof *s->choice);
    s->trail = malloc((s->total ? s->total : 1) * sizeof *s->trail);
    if (!s->v.pos || !s->v.prefix || !s->v.n_prefix || !s->choice || !s->trail) return -1;
    for (size_t c = 0; c < C; c++) {
        s->v.prefix[c] = malloc((w->customers[c].n_events + 1) * sizeof **s->v.prefix);
        if (!s->v.prefix[c]) return -1;
        s->v.prefix[c][0] = 0;
        s->v.n_prefix[c] = 1;
    }
    return 0;
}

static void search_free(search *s)
{
    for (size_t c = 0; s->v.prefix && c < s->v.w->n_customers; c++) free(s->v.prefix[c]);
    free(s->v.prefix);
    free(s->v.pos);
    free(s->v.n_prefix);
    free(s->choice);
    free(s->trail);
    free(s->seen);
}

int bank_session_check(const bank_workload *w, const bank_routes *routes, bank_claim *const *claims,
                       size_t budget, bank_session_result *out)
{
    memset(out, 0, sizeof *out);
    if (budget == 0) budget = DEFAULT_BUDGET;
    size_t C = w->n_customers;
    search s;
    frame *frames = NULL;
    int rc = -1;
    out->blocked = calloc(C ? C : 1, sizeof *out->blocked);
    if (search_init(&s, w, routes, claims) != 0 || !out->blocked) goto done;
    frames = malloc((s.total + 1) * sizeof *frames);
    if (!frames) goto done;
    size_t depth = 0, best = 0;
    int st = closure(&s);
    out->verdict = BANK_INCONSISTENT;
    memcpy(out->blocked, s.v.pos, C * sizeof *s.v.pos);
    best = s.done;
    if (st < 0 || remember(&s) < 0) goto done;
    out->states = 1;
    if (st == 2) out->verdict = BANK_UNDECIDED;
    else if (s.done == s.total) out->verdict = BANK_CONSISTENT;
    else frames[depth++] = (frame){0, 0};
    while (depth > 0) {
        frame *f = &frames[depth - 1];
        while (f->next < 2 * C && !outcome_possible(&s, f->next / 2, (int)(f->next % 2))) f->next++;
        if (f->next == 2 * C) { /* every choice from here is explored: back out */
            undo_to(&s, f->mark);
            depth--;
            continue;
        }
        size_t choice = f->next++, mark = s.n_trail;
        take(&s, choice / 2, (int)(choice % 2));
        if ((st = closure(&s)) < 0) goto done;
        if (st == 2) {
            out->verdict = BANK_UNDECIDED;
            break;
        }
        if (s.done == s.total) {
            out->verdict = BANK_CONSISTENT;
            break;
        }
        int fresh = remember(&s);
        if (fresh < 0) goto done;
        if (!fresh) {
            undo_to(&s, mark);
            continue;
        }
        if (++out->states > budget) {
            out->verdict = BANK_UNDECIDED;
            break;
        }
        if (s.done > best) {
            best = s.done;
            memcpy(out->blocked, s.v.pos, C * sizeof *s.v.pos);
        }
        frames[depth++] = (frame){mark, 0};
    }
    rc = 0;
done:
    free(frames);
    search_free(&s);
    if (rc != 0) bank_session_result_free(out);
    return rc;
}

void bank_session_result_free(bank_session_result *r)
{
    free(r->blocked);
    memset(r, 0, sizeof *r);
}

/* ---- one claim alone ---- */

/* Where an unprinted withdrawal of the entry whose own nets are being worked out may end (the
 * others add from lo to hi); NULL for another entry's, which may end either way. */
typedef struct {
    const int64_t *initial; /* the balance of each of the entry's events' branches */
    int64_t lo, hi;
} own_bounds;

/* The nets entry's successful writes among its first `upto` events can add up to, and, when
 * every_prefix, those of every shorter prefix too. */
static int prefix_nets(const bank_customer *cu, const bank_claim *claims, size_t upto,
                       int every_prefix, const own_bounds *own, i64set *out)
{
    i64set cur = {0, 0, NULL};
    int rc = set_add(&cur, 0);
    for (size_t e = 0; rc == 0 && e <= upto; e++) {
        if (every_prefix || e == upto)
            for (size_t i = 0; rc == 0 && i < cur.n; i++) rc = set_add(out, cur.v[i]);
        if (e == upto) break;
        const bank_event *ev = &cu->events[e];
        const bank_claim *cl = &claims[e];
        int succeeds = ev->op != BANK_OP_QUERY && (!cl->printed || cl->success);
        int fails = ev->op == BANK_OP_QUERY || (cl->printed && !cl->success) ||
                    (ev->op == BANK_OP_WITHDRAW && !cl->printed);
        int open = ev->op == BANK_OP_WITHDRAW && !cl->printed && own;
        int64_t delta = ev->op == BANK_OP_DEPOSIT ? ev->money : -ev->money;
        i64set next = {0, 0, NULL};
        for (size_t i = 0; rc == 0 && i < cur.n; i++) {
            int64_t x;
            __int128 base = open ? (__int128)own->initial[e] + cur.v[i] : 0;
            if (fails && (!open || base + own->lo < ev->money)) rc = set_add(&next, cur.v[i]);
            if (rc == 0 && succeeds && (!open || base + own->hi >= ev->money) &&
                !__builtin_add_overflow(cur.v[i], delta, &x))
                rc = set_add(&next, x);
        }
        set_normalise(&next);
        if (next.n > NETS_CAP) next.n = NETS_CAP;
        free(cur.v);
        cur = next;
    }
    free(cur.v);
    set_normalise(out);
    return rc;
}

int bank_session_alone_nets(const bank_workload *w, const bank_routes *routes, bank_claim *const *claims,
                            size_t c, size_t e, bank_session_alone *out)
{
    memset(out, 0, sizeof *out);
    const bank_customer *cu = &w->customers[c];
    i64set own = {0, 0, NULL}, acc = {0, 0, NULL}, others = {0, 0, NULL};
    int64_t *initial = malloc((cu->n_events ? cu->n_events : 1) * sizeof *initial);
    int rc = initial ? set_add(&acc, 0) : -1;
    int capped = 0;
    for (size_t d = 0; rc == 0 && d < w->n_customers; d++) {
        if (d == c) continue;
        i64set pd = {0, 0, NULL};
        rc = prefix_nets(&w->customers[d], claims[d], w->customers[d].n_events, 1, NULL, &pd);
        if (rc == 0 && pd.n > 1) rc = set_plus(&acc, pd.v, pd.n);
        if (rc == 2) { /* too many sums: keep the first ones, say it is not all */
            capped = 1;
            acc.n = SUMS_CAP;
            rc = 0;
        }
        free(pd.v);
    }
    for (size_t k = 0; rc == 0 && k < cu->n_events; k++) initial[k] = w->branches[routes->branch[c][k]].balance;
    own_bounds bounds = {initial, acc.n ? acc.v[0] : 0, acc.n ? acc.v[acc.n - 1] : 0};
    if (rc == 0) rc = prefix_nets(cu, claims[c], e, 0, &bounds, &own);
    for (size_t i = 0; rc == 0 && i < acc.n; i++) rc = set_add(&others, acc.v[i]);
    if (rc == 0 && (rc = set_plus(&acc, own.v, own.n)) == 2) rc = 0, capped = 1;
    if (rc == 0 && acc.n > NETS_CAP) acc.n = NETS_CAP, capped = 1;
    free(initial);
    if (rc != 0) {
        free(acc.v);
        free(own.v);
        free(others.v);
        return -1;
    }
    *out = (bank_session_alone){!capped, acc.n, acc.v, own.n, own.v, others.n, others.v};
    return 0;
}

void bank_session_alone_free(bank_session_alone *a)
{
    free(a->nets);
    free(a->own_nets);
    free(a->others);
    memset(a, 0, sizeof *a);
}
