#include "net_set.h"

#include <stdlib.h>
#include <string.h>

void bank_net_set_init(bank_net_set *s)
{
    memset(s, 0, sizeof *s);
    s->exact = 1;
    s->limit = BANK_NET_SET_CAP;
}

void bank_net_set_free(bank_net_set *s)
{
    size_t limit = s->limit;
    free(s->v);
    bank_net_set_init(s);
    s->limit = limit;
}

static int reserve(bank_net_set *s, size_t n)
{
    if (n <= s->cap) return 0;
    size_t ncap = s->cap ? s->cap : 8;
    while (ncap < n) ncap *= 2;
    bank_interval *v = realloc(s->v, ncap * sizeof *v);
    if (!v) return -1;
    s->v = v;
    s->cap = ncap;
    return 0;
}

static int push(bank_net_set *s, int64_t lo, int64_t hi)
{
    if (reserve(s, s->n + 1) != 0) return -1;
    s->v[s->n++] = (bank_interval){lo, hi};
    return 0;
}

int bank_net_set_add_point(bank_net_set *s, int64_t x)
{
    return push(s, x, x);
}

static int cmp_interval(const void *a, const void *b)
{
    const bank_interval *x = a, *y = b;
    return (x->lo > y->lo) - (x->lo < y->lo);
}

/* Merges neighbours whose gap is at most a width that doubles until the set fits the cap.
 * Widening only adds members, so the set stays a superset of the truth. */
static void widen(bank_net_set *s)
{
    uint64_t gap = 1;
    while (s->n > s->limit) {
        size_t o = 0;
        for (size_t i = 0; i < s->n; i++) {
            if (o > 0 && (uint64_t)s->v[i].lo - (uint64_t)s->v[o - 1].hi <= gap) {
                if (s->v[i].hi > s->v[o - 1].hi) s->v[o - 1].hi = s->v[i].hi;
            } else {
                s->v[o++] = s->v[i];
            }
        }
        s->n = o;
        s->exact = 0;
        gap = gap > UINT64_MAX / 2 ? UINT64_MAX : gap * 2;
    }
}

void bank_net_set_normalize(bank_net_set *s)
{
    if (s->n == 0) return;
    qsort(s->v, s->n, sizeof *s->v, cmp_interval);
    size_t o = 0;
    for (size_t i = 0; i < s->n; i++) {
        /* touching intervals ([1,2] and [3,4]) merge too */
        if (o > 0 && (s->v[o - 1].hi == INT64_MAX || s->v[i].lo <= s->v[o - 1].hi + 1)) {
            if (s->v[i].hi > s->v[o - 1].hi) s->v[o - 1].hi = s->v[i].hi;
        } else {
            s->v[o++] = s->v[i];
        }
    }
    s->n = o;
    widen(s);
}

int bank_net_set_copy(bank_net_set *dst, const bank_net_set *src)
{
    bank_net_set_init(dst);
    dst->limit = src->limit;
    if (reserve(dst, src->n) != 0) return -1;
    if (src->n) memcpy(dst->v, src->v, src->n * sizeof *src->v); /* an empty set has no storage */
    dst->n = src->n;
    dst->exact = src->exact;
    return 0;
}

static int64_t add_sat(int64_t a, int64_t b, int *over)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) {
        *over = 1;
        return a > 0 ? INT64_MAX : INT64_MIN;
    }
    return r;
}

int bank_net_set_sum(bank_net_set *out, const bank_net_set *a, const bank_net_set *b)
{
    out->exact = a->exact && b->exact;
    for (size_t i = 0; i < a->n; i++) {
        for (size_t j = 0; j < b->n; j++) {
            int over_lo = 0, over_hi = 0;
            int64_t lo = add_sat(a->v[i].lo, b->v[j].lo, &over_lo);
            int64_t hi = add_sat(a->v[i].hi, b->v[j].hi, &over_hi);
            if ((over_lo && lo == INT64_MAX) || (over_hi && hi == INT64_MIN)) continue;
            if (push(out, lo, hi) != 0) return -1;
        }
        /* keep the working list bounded on long products */
        if (out->n > 4 * out->limit + 64) bank_net_set_normalize(out);
    }
    bank_net_set_normalize(out);
    return 0;
}

int bank_net_set_union(bank_net_set *out, const bank_net_set *a, const bank_net_set *b)
{
    out->exact = a->exact && b->exact;
    if (reserve(out, a->n + b->n) != 0) return -1;
    if (a->n) memcpy(out->v, a->v, a->n * sizeof *a->v); /* an empty set has no storage */
    if (b->n) memcpy(out->v + a->n, b->v, b->n * sizeof *b->v);
    out->n = a->n + b->n;
    bank_net_set_normalize(out);
    return 0;
}

/* Index of the first interval whose hi >= x (n if none). */
static size_t first_reaching(const bank_net_set *s, int64_t x)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid].hi < x) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

int bank_net_set_contains(const bank_net_set *s, int64_t x)
{
    return bank_net_set_meets(s, x, x);
}

int bank_net_set_meets(const bank_net_set *s, int64_t lo, int64_t hi)
{
    if (lo > hi) return 0;
    size_t i = first_reaching(s, lo);
    return i < s->n && s->v[i].lo <= hi;
}
