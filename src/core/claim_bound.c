/* The search's lower bound on the answers still to drop from a state, and the queries waiting
 * for each net (which the branching reads to order moves). See claim_state.h. Pure C. */
#include "claim_state.h"

#include <stdlib.h>
#include <string.h>

/* ---- the lower bound, and who waits for which net ---- */

static void wait_add(search *s, int64_t v)
{
    size_t j = bank_mix((uint64_t)v) & (s->wcap - 1);
    while (s->wgen[j] == s->wnow && s->wkey[j] != v) j = (j + 1) & (s->wcap - 1);
    if (s->wgen[j] != s->wnow) {
        s->wgen[j] = s->wnow;
        s->wkey[j] = v;
        s->wcount[j] = 0;
    }
    s->wcount[j]++;
}

uint32_t cs_waiting(const search *s, int64_t v)
{
    size_t j = bank_mix((uint64_t)v) & (s->wcap - 1);
    while (s->wgen[j] == s->wnow) {
        if (s->wkey[j] == v) return s->wcount[j];
        j = (j + 1) & (s->wcap - 1);
    }
    return 0;
}


/* ---- the walk bound ---- */

enum { W_SUCC, W_FAIL, W_FREE }; /* a withdrawal answered success, fail, or either way */

static int cmp_walk(const void *p, const void *q)
{
    const walk_event *a = p, *b = q;
    return (a->x > b->x) - (a->x < b->x);
}

static int64_t ceil_div(int64_t a, int64_t m) { return -((-a) / m) + ((-a) % m < 0); }
static int64_t floor_div(int64_t a, int64_t m) { return a / m - (a % m < 0); }
static int64_t sat(wide x) { return x > INT64_MAX ? INT64_MAX : x < INT64_MIN ? INT64_MIN : (int64_t)x; }

enum { A_CLAIM, A_KEPT, A_PICK }; /* what may be done with an answer (tags, in short) */

typedef struct {
    size_t missed[3];     /* queries outside the window, by what may be done with them */
    size_t w[3][3][2][2]; /* withdrawals by type, by that, by may succeed, by may fail */
} walk_counts;

/* The drops a window forces: queries outside it, withdrawals whose answer it cannot give, and
 * enough flips to make exactly U of the withdrawals succeed; and one more when a pick is owed and
 * none of those can be it. LB_INFINITE: none can do. */
static uint64_t window_cost(const walk_counts *c, int64_t U, int pick_owed)
{
    if (c->missed[A_KEPT] || c->w[W_SUCC][A_KEPT][0][1] || c->w[W_FAIL][A_KEPT][1][0]) return LB_INFINITE;
    uint64_t cost = c->missed[A_CLAIM] + c->missed[A_PICK], S = 0, flex = 0, up = 0, down = 0, up_pick = 0,
             down_pick = 0;
    uint64_t picked = c->missed[A_PICK] + c->w[W_SUCC][A_PICK][0][1] + c->w[W_FAIL][A_PICK][1][0];
    for (int k = 0; k < 3; k++) {
        for (int t = 0; t < 3; t++)
            if (c->w[t][k][0][0]) return LB_INFINITE;
        cost += c->w[W_SUCC][k][0][1] + c->w[W_FAIL][k][1][0]; /* dropped, run the other way */
        S += c->w[W_SUCC][k][1][0] + c->w[W_SUCC][k][1][1] + c->w[W_FAIL][k][1][0] + c->w[W_FREE][k][1][0];
        flex += c->w[W_FREE][k][1][1];
        if (k != A_KEPT) {
            up += c->w[W_FAIL][k][1][1];
            down += c->w[W_SUCC][k][1][1];
        }
    }
    up_pick = c->w[W_FAIL][A_PICK][1][1];
    down_pick = c->w[W_SUCC][A_PICK][1][1];
    if ((uint64_t)U > S + flex) {
        uint64_t need = (uint64_t)U - S - flex;
        if (need > up) return LB_INFINITE;
        cost += need;
        picked += up_pick;
    } else if ((uint64_t)U < S) {
        uint64_t need = S - (uint64_t)U;
        if (need > down) return LB_INFINITE;
        cost += need;
        picked += down_pick;
    }
    return cost + (pick_owed && !picked);
}

/* Backward, every write one step of the same size: the rest of the walk, from the net now to 0
 * with D steps down (deposits undone) and U up (withdrawals that succeeded), passes through every
 * net of one window [x, x + width] that holds both ends, width = max(U, D) (up to the top first,
 * or down to the bottom first), and through nothing else. Every answer left is given inside the
 * window or dropped: a query is one net; a withdrawal succeeds only where the balance allows and
 * fails only where it does not; and exactly U withdrawals succeed. The fewest drops over every
 * window is a lower bound (less the credits already taken, which may stand for some of them).
 * Counted: every answer left of every agent, but of the entries at their first answer only as
 * many runs as no token makes already (the group's rest is run once per entry, by the entry or by
 * a token; the first answers all count, as queries). Runs after lower_bound, which leaves the
 * group counts free. LB_INFINITE: no walk. */
static uint32_t walk_bound(search *s)
{
    int64_t m = s->in->step, n = s->net / m;
    int64_t D = (int64_t)s->deps, U = D - n;
    if (s->net % m != 0 || U < 0 || U > (int64_t)s->wds) return LB_INFINITE;
    int64_t width = U > D ? U : D, x0 = (n > 0 ? n : 0) - width, x1 = n < 0 ? n : 0;
    if (x0 > x1) return LB_INFINITE;
    walk_counts c;
    memset(&c, 0, sizeof c);
    size_t r = 0, never = 0;
    s->now++; /* a new stamp: what this node marks */
    for (size_t i = 0; i < s->n_alive; i++) {
        size_t a = s->alive[i];
        const cs_chain *ch = &s->in->chains[s->chain[a]];
        size_t last = ch->n;
        int spare = 0; /* an entry beyond those the group still runs: only its answer counts */
        if (s->view[a].salt) {
            uint32_t g = s->group_of[s->chain[a]];
            if (s->gstamp[g] != s->now) {
                s->gstamp[g] = s->now;
                s->dead[g] = 0;
            }
            spare = s->dead[g]++ >= s->at0[g] - s->credits[g];
            if (spare) last = s->pos[a] + 1;
        }
        for (size_t q = s->pos[a]; q < last; q++) {
            const cs_event *e = &ch->ev[q];
            if (spare && e->is_write) continue;
            int dropped = q == s->pos[a] && s->dropped[a];
            int kept = e->tag == CS_KEPT ? A_KEPT : e->tag == CS_PICK ? A_PICK : A_CLAIM;
            if (e->is_write) {
                /* may succeed when x >= g - width; may fail while x <= f. The first answer of an
                 * entry a credit may stand for counts either way: the entry may not run it. */
                int loose = dropped || e->tag == CS_FREE || e->n_opt == 0 || (q == s->pos[a] && s->view[a].salt);
                int type = loose ? W_FREE : e->opt[0].success ? W_SUCC : W_FAIL;
                int64_t g = ceil_div(e->free_opt[0].lo, m), f = floor_div(e->free_opt[1].hi, m);
                int cs = x0 >= sat((wide)g - width), cf = x0 <= f;
                c.w[type][kept][cs][cf]++;
                if (r + 2 > s->wcap_regions) return 0; /* too many to weigh here */
                if (!cs) s->walk[r++] = (walk_event){sat((wide)g - width), 2, (uint8_t)type, (uint8_t)kept};
                if (cf && f < INT64_MAX) s->walk[r++] = (walk_event){f + 1, 3, (uint8_t)type, (uint8_t)kept};
                continue;
            }
            if (e->tag == CS_FREE || dropped || e->opt[0].lo == INT64_MIN) continue; /* no answer, or any net */
            if (e->n_opt == 0) {
                never++;
                continue;
            }
            /* a query: the window holds its net when x lies in [t - width, t] */
            int64_t t = e->opt[0].lo;
            if (t % m != 0) {
                never++;
                continue;
            }
            t /= m;
            int in = x0 >= t - width && x0 <= t;
            if (!in) c.missed[kept]++;
            if (r + 2 > s->wcap_regions) return 0;
            if (x0 < t - width) s->walk[r++] = (walk_event){t - width, 0, 0, (uint8_t)kept};
            if (x0 <= t) s->walk[r++] = (walk_event){t + 1, 1, 0, (uint8_t)kept};
        }
    }
    qsort(s->walk, r, sizeof *s->walk, cmp_walk);
    int owed = s->need_pick && !s->xflag;
    uint64_t best = window_cost(&c, U, owed), cur;
    for (size_t i = 0; i < r && s->walk[i].x <= x1;) {
        int64_t x = s->walk[i].x;
        for (; i < r && s->walk[i].x == x; i++) {
            const walk_event *ev = &s->walk[i];
            size_t *q = &c.missed[ev->kept];
            switch (ev->kind) {
            case 0: (*q)--; break;
            case 1: (*q)++; break;
            case 2: /* may now succeed */
                for (int f = 0; f < 2; f++)
                    if (c.w[ev->type][ev->kept][0][f]) {
                        c.w[ev->type][ev->kept][0][f]--;
                        c.w[ev->type][ev->kept][1][f]++;
                        break;
                    }
                break;
            default: /* may no longer fail */
                for (int cs = 1; cs >= 0; cs--)
                    if (c.w[ev->type][ev->kept][cs][1]) {
                        c.w[ev->type][ev->kept][cs][1]--;
                        c.w[ev->type][ev->kept][cs][0]++;
                        break;
                    }
                break;
            }
        }
        if (x >= x0 && (cur = window_cost(&c, U, owed)) < best) best = cur;
    }
    if (best >= LB_INFINITE) return LB_INFINITE;
    best += never;
    return best > s->credits_total ? (uint32_t)(best - s->credits_total) : 0;
}

/* Answers no execution from here can give, each costing a drop. "Dead" is judged twice: with the
 * other answers honoured, and with every other answer that may be dropped taken either way. One
 * dead both ways needs its own drop (those of entries at their first answer count per group,
 * less the credits taken). One dead only the first way needs some drop: its own, or another
 * write's. Drops of queries and of writes are told apart: only a write's drop can widen what
 * others reach or mend the final net (backward, the search must end at 0); the one drop owed
 * among the picks, when no dead answer is one, counts on the writes' side too.
 * LB_INFINITE: nothing can help. */
uint32_t cs_lower_bound(search *s)
{
    s->wnow++;
    if (s->net < s->in->net_lo || s->net > s->in->net_hi || s->over) return LB_INFINITE;
    if (s->need_pick && !s->xflag && s->picks == 0) return LB_INFINITE;
    s->now++; /* a new stamp: what this node marks */
    s->n_touched = 0;
    s->n_forced = 0;
    uint64_t reads = 0, writes = 0, soft = 0;
    int dead_pick = 0;
    for (size_t i = 0; i < s->n_alive; i++) {
        size_t a = s->alive[i];
        if (!s->view[a].guarded) continue;
        const cs_option *o;
        size_t n;
        const cs_event *e = current(s, a, &o, &n);
        int d = s->dropped[a];
        if (!d && e->tag != CS_FREE && n == 1 && o[0].delta == 0 && o[0].lo == o[0].hi) wait_add(s, o[0].lo);
        wide lo = s->net + s->smn - s->view[a].mn;
        wide hi = s->net + s->smx - s->view[a].mx;
        int ok = 0;
        for (size_t k = 0; k < n && !ok; k++) ok = o[k].lo <= hi && o[k].hi >= lo;
        if (ok) continue;
        lo = s->net + s->fmn - s->view[a].fmn;
        hi = s->net + s->fmx - s->view[a].fmx;
        for (size_t k = 0; k < n && !ok; k++) ok = o[k].lo <= hi && o[k].hi >= lo;
        /* ok now: another write's drop may yet bring it within reach */
        if (creditable(s, a)) {
            uint32_t g = s->group_of[s->chain[a]];
            if (s->gstamp[g] != s->now) {
                s->gstamp[g] = s->now;
                s->dead[g] = s->soft[g] = 0;
                s->touched[s->n_touched++] = g;
            }
            (ok ? s->soft : s->dead)[g]++;
        } else if (ok) {
            soft = 1;
        } else if (!d && (e->tag == CS_CLAIM || e->tag == CS_PICK)) {
            if (e->is_write) writes++;
            else reads++;
            if (!e->is_write) s->forced[s->n_forced++] = (uint32_t)a;
            s->deadmark[a] = s->wnow;
            dead_pick |= e->tag == CS_PICK;
        } else {
            return LB_INFINITE;
        }
    }
    for (size_t i = 0; i < s->n_touched; i++) {
        uint32_t g = s->touched[i];
        if (s->dead[g] > s->credits[g]) {
            *(s->write[g] ? &writes : &reads) += s->dead[g] - s->credits[g];
            dead_pick |= s->pick[g];
        } else if (s->soft[g] > s->credits[g] - s->dead[g]) {
            soft = 1; /* more than the spare credits can stand for */
        }
    }
    uint64_t owed = s->need_pick && !s->xflag && !dead_pick;
    uint64_t end = 0;
    if (s->in->backward) {
        wide lo = s->net + s->stl, hi = s->net + s->sth, dist = lo > 0 ? lo : (hi < 0 ? -hi : 0);
        if (dist > 0) {
            if (s->in->max_flip == 0) return LB_INFINITE;
            wide flips = (dist + s->in->max_flip - 1) / s->in->max_flip;
            end = flips > LB_INFINITE - 1 ? LB_INFINITE - 1 : (uint64_t)flips;
        }
    }
    uint64_t w = writes + owed;
    if (end > w) w = end;
    if (soft > w) w = soft;
    uint64_t lb = reads + w;
    if (s->in->backward && s->in->step > 0) {
        uint32_t walk = walk_bound(s);
        if (walk == LB_INFINITE) return LB_INFINITE;
        if (walk > lb) lb = walk;
    }
    return lb >= LB_INFINITE ? LB_INFINITE - 1 : (uint32_t)lb;
}

