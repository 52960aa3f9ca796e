/* Net sets (core/net_set.c): the sums the "possible alone" test is built from. Points sorted
 * and merged, a set past its limit widened just enough and marked inexact, copies, unions, and
 * sums past int64 left out. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "core/net_set.h"

static bank_net_set points(size_t limit, const int64_t *x, size_t n)
{
    bank_net_set s;
    bank_net_set_init(&s);
    s.limit = limit;
    for (size_t i = 0; i < n; i++) cr_assert_eq(bank_net_set_add_point(&s, x[i]), 0);
    bank_net_set_normalize(&s);
    return s;
}

static void expect_intervals(const bank_net_set *s, const bank_interval *want, size_t n)
{
    cr_assert_eq(s->n, n, "%zu intervals, not %zu", s->n, n);
    for (size_t i = 0; i < n; i++) {
        cr_expect_eq(s->v[i].lo, want[i].lo, "interval %zu starts at %lld", i, (long long)s->v[i].lo);
        cr_expect_eq(s->v[i].hi, want[i].hi, "interval %zu ends at %lld", i, (long long)s->v[i].hi);
    }
}

Test(net_set, points_sort_and_touching_ones_merge)
{
    int64_t x[] = {7, 3, 4, 5, 3, 10};
    bank_net_set s = points(BANK_NET_SET_CAP, x, 6);
    expect_intervals(&s, (bank_interval[]){{3, 5}, {7, 7}, {10, 10}}, 3);
    cr_expect(s.exact);
    cr_expect(bank_net_set_contains(&s, 4));
    cr_expect_not(bank_net_set_contains(&s, 6));
    cr_expect(bank_net_set_meets(&s, 8, 10));
    cr_expect_not(bank_net_set_meets(&s, 8, 9));
    cr_expect_not(bank_net_set_meets(&s, 5, 4), "an empty range meets nothing");
    bank_net_set_free(&s);
    cr_expect_eq(s.n, 0);
    cr_expect_eq(s.limit, BANK_NET_SET_CAP);
}

/* Past its limit a set is widened: the closest neighbours merge first, the gap doubling until
 * it fits, and no further; the set is then marked inexact (a superset). */
Test(net_set, a_set_past_its_limit_widens_just_enough, .timeout = 5)
{
    int64_t x[] = {0, 2, 5};
    bank_net_set s = points(2, x, 3);
    expect_intervals(&s, (bank_interval[]){{0, 2}, {5, 5}}, 2);
    cr_expect_not(s.exact);
    bank_net_set_free(&s);
    cr_expect_eq(s.limit, 2, "free keeps the limit");

    int64_t y[] = {0, 2, 4, 10, 30, 31};
    s = points(3, y, 6); /* [30, 31] touch; gap 2 merges 0..4, the rest stay apart */
    expect_intervals(&s, (bank_interval[]){{0, 4}, {10, 10}, {30, 31}}, 3);
    cr_expect_not(s.exact);
    bank_net_set_free(&s);

    int64_t z[] = {0, 9, 3, 1, 20};
    s = points(2, z, 5); /* {0,1} {3} {9} {20}: gap 2 joins 0..3, gap 8 joins 9 */
    expect_intervals(&s, (bank_interval[]){{0, 9}, {20, 20}}, 2);
    cr_expect_not(s.exact);
    bank_net_set_free(&s);

    int64_t v[] = {0, 900, 1000};
    s = points(2, v, 3); /* the nearer pair merges, not the first */
    expect_intervals(&s, (bank_interval[]){{0, 0}, {900, 1000}}, 2);
    bank_net_set_free(&s);

    int64_t w[] = {1, 2, 3};
    s = points(1, w, 3);
    expect_intervals(&s, (bank_interval[]){{1, 3}}, 1);
    cr_expect(s.exact, "merging touching points loses nothing");
    bank_net_set_free(&s);
}

/* The widest gap there is: the gap saturates rather than wrapping to 0. */
Test(net_set, the_two_ends_of_int64_merge_into_everything, .timeout = 5)
{
    int64_t x[] = {INT64_MAX, INT64_MIN};
    bank_net_set s = points(1, x, 2);
    expect_intervals(&s, (bank_interval[]){{INT64_MIN, INT64_MAX}}, 1);
    cr_expect_not(s.exact);
    bank_net_set_free(&s);
}

Test(net_set, a_copy_has_the_members_the_limit_and_the_exactness, .timeout = 5)
{
    int64_t x[] = {0, 2, 5, 40};
    bank_net_set src = points(3, x, 4), dst;
    memset(&dst, 0xff, sizeof dst); /* copy starts from nothing */
    cr_assert_eq(bank_net_set_copy(&dst, &src), 0);
    cr_expect_eq(dst.limit, 3);
    cr_expect_eq(dst.exact, src.exact);
    cr_expect_not(dst.exact);
    expect_intervals(&dst, src.v, src.n);
    cr_expect_neq(dst.v, src.v, "its own storage");
    bank_net_set_free(&dst);
    bank_net_set empty;
    bank_net_set_init(&empty);
    memset(&dst, 0xff, sizeof dst);
    cr_assert_eq(bank_net_set_copy(&dst, &empty), 0);
    cr_expect_eq(dst.n, 0);
    cr_expect(dst.exact);
    cr_expect_eq(dst.limit, BANK_NET_SET_CAP);
    bank_net_set_free(&dst);
    bank_net_set_free(&src);
}

Test(net_set, a_union_merges_and_is_exact_only_when_both_are, .timeout = 5)
{
    int64_t a[] = {1, 2, 10}, b[] = {3, 20, 21};
    bank_net_set sa = points(BANK_NET_SET_CAP, a, 3), sb = points(BANK_NET_SET_CAP, b, 3), u;
    bank_net_set_init(&u);
    cr_assert_eq(bank_net_set_union(&u, &sa, &sb), 0);
    expect_intervals(&u, (bank_interval[]){{1, 3}, {10, 10}, {20, 21}}, 3);
    cr_expect(u.exact);
    bank_net_set_free(&u);

    sb.exact = 0;
    cr_assert_eq(bank_net_set_union(&u, &sa, &sb), 0);
    cr_expect_not(u.exact);
    cr_expect_eq(u.n, 3);
    bank_net_set_free(&u);
    cr_assert_eq(bank_net_set_union(&u, &sb, &sa), 0);
    cr_expect_not(u.exact, "either side inexact is enough");
    bank_net_set_free(&u);

    u.limit = 1; /* the union widens to the out set's limit */
    cr_assert_eq(bank_net_set_union(&u, &sa, &sa), 0);
    expect_intervals(&u, (bank_interval[]){{1, 10}}, 1);
    cr_expect_not(u.exact);
    bank_net_set_free(&u);

    bank_net_set none;
    bank_net_set_init(&none);
    bank_net_set_init(&u);
    cr_assert_eq(bank_net_set_union(&u, &none, &none), 0, "two empty sets: no storage to copy");
    cr_expect_eq(u.n, 0);
    cr_assert_eq(bank_net_set_union(&u, &none, &sb), 0);
    expect_intervals(&u, sb.v, sb.n);
    bank_net_set_free(&u);
    cr_assert_eq(bank_net_set_union(&u, &sa, &none), 0);
    expect_intervals(&u, sa.v, sa.n);
    bank_net_set_free(&u);
    bank_net_set_free(&sa);
    bank_net_set_free(&sb);
}

/* Sums past int64 are left out; a sum interval that only partly overflows is kept, saturated. */
Test(net_set, sums_beyond_int64_are_left_out)
{
    int64_t a[] = {INT64_MAX - 1, INT64_MAX}, one[] = {1}, neg[] = {INT64_MIN + 1, INT64_MIN + 1};
    bank_net_set sa = points(BANK_NET_SET_CAP, a, 2), s1 = points(BANK_NET_SET_CAP, one, 1), out;
    bank_net_set_init(&out);
    cr_assert_eq(bank_net_set_sum(&out, &sa, &s1), 0);
    expect_intervals(&out, (bank_interval[]){{INT64_MAX, INT64_MAX}}, 1);
    cr_expect(out.exact);
    bank_net_set_free(&out);

    bank_net_set top = points(BANK_NET_SET_CAP, (int64_t[]){INT64_MAX}, 1);
    cr_assert_eq(bank_net_set_sum(&out, &top, &s1), 0);
    cr_expect_eq(out.n, 0, "INT64_MAX + 1 is no member");
    bank_net_set_free(&out);

    bank_net_set sn = points(BANK_NET_SET_CAP, neg, 2), m2 = points(BANK_NET_SET_CAP, (int64_t[]){-2}, 1);
    cr_assert_eq(bank_net_set_sum(&out, &sn, &m2), 0);
    cr_expect_eq(out.n, 0, "INT64_MIN - 1 is no member");
    bank_net_set_free(&out);

    bank_net_set m1 = points(BANK_NET_SET_CAP, (int64_t[]){-1, 0}, 2);
    cr_assert_eq(bank_net_set_sum(&out, &sn, &m1), 0);
    expect_intervals(&out, (bank_interval[]){{INT64_MIN, INT64_MIN + 1}}, 1);
    bank_net_set_free(&out);
    bank_net_set_free(&sa);
    bank_net_set_free(&s1);
    bank_net_set_free(&top);
    bank_net_set_free(&sn);
    bank_net_set_free(&m2);
    bank_net_set_free(&m1);
}
