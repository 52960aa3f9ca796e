#include "claim_search.h"

#include <stdlib.h>
#include <string.h>

__extension__ typedef __int128 wide; /* exact sums of many int64 bounds */

#define NONE UINT32_MAX
#define LB_INFINITE UINT32_MAX

enum { T_MOVE, T_DROP, T_CREDIT };
enum { C_MOVE, C_CREDIT, C_DROP };

typedef struct {
    uint8_t kind, opt, prev_dropped, prev_x;
    uint32_t agent, pos; /* pos: the agent's position before */
    int64_t prev_net;
} trail_entry;

typedef struct {
    uint8_t kind, opt, prio; /* prio: tried in rising order */
    uint32_t who;            /* agent, or group for a credit */
    int32_t score;
    uint32_t seq;
    uint64_t rank;           /* a drop among the picks: earlier answers first */
} cand;

typedef struct {
    size_t mark, lo, hi, next;
    uint32_t bound;
    bank_state_key key;
} frame;

/* walk_bound's events (see there). */
typedef struct {
    int64_t x;    /* where it takes effect, for a window [x, x + width] */
    uint8_t kind; /* 0 a query comes into the window, 1 it leaves; 2 a withdrawal may now succeed,
                     3 it may no longer fail */
    uint8_t type, kept;
} walk_event;

/* What the loops over agents read, kept at hand as each agent moves. */
typedef struct {
    const cs_event *ev;   /* its current event; NULL when done */
    const cs_option *opt; /* that event's options as they stand (free ones when dropped) */
    uint32_t n, cls;      /* how many; the class of its rest */
    uint8_t salt;         /* a real entry at its first answer, which a credit may stand for */
    uint8_t zero;         /* a single option that changes nothing, allowed in [zlo, zhi] */
    uint8_t guarded;      /* some option may run only at some nets */
    int64_t zlo, zhi;
    int64_t mn, mx, tl, th, fmn, fmx; /* what its rest adds to the bounds */
    size_t picks, deps, wds;
} agent_view;

typedef struct {
    const cs_instance *in;
    size_t n_agents, cap_agents;
    agent_view *view;
    uint32_t *alive, *where; /* the agents not done, in no order; where[a]: a's place in alive */
    uint32_t *in_class;      /* agents not done and not at a first answer, per class */
    size_t n_alive;
    uint32_t *chain, *pos;
    uint8_t *dropped, *real;
    int64_t net;
    wide smn, smx, stl, sth, fmn, fmx;
    size_t picks; /* CS_PICK answers not yet passed nor dropped */
    size_t deps, wds, credits_total; /* writes left to run (see account), credits taken */
    walk_event *walk;               /* walk_bound's scratch: two entries per answer left */
    uint32_t *forced, n_forced;     /* lower_bound: agents whose query no execution can give */
    uint32_t *deadmark;             /* lower_bound: deadmark[a] == wnow when a's answer is dead */
    size_t wcap_regions;
    uint64_t k1, k2;
    /* credits: groups of entries whose first answer may be dropped and whose rest is alike */
    size_t n_groups;
    uint32_t *group_of, *at0, *credits, *rep;
    uint64_t *grank; /* the earliest first answer of each group */
    uint8_t *pick, *write;
    size_t mismatched, over, at0_total, active;
    int xflag, need_pick;
    trail_entry *trail;
    size_t n_trail, cap_trail;
    cand *cands;
    size_t n_cands, cap_cands;
    frame *frames;
    size_t n_frames, cap_frames;
    /* per-node scratch */
    uint32_t *stamp, *gstamp, *dead, *soft, *touched, now;
    size_t n_touched;
    int64_t *wkey;
    uint32_t *wcount, *wgen, wnow;
    size_t wcap;
    bank_state_table *tt;
    size_t budget, states;
} search;

/* ---- hashing ---- */

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t mix2(uint64_t x) { return mix(x ^ 0x6a09e667f3bcc909ull) * 0x2545f4914f6cdd1dull; }

#define SALT_CREDIT 0x3c6ef372fe94f82bull
#define SALT_PICK 0xa54ff53a5f1d36f1ull
#define SALT_NET 0x510e527fade682d1ull

/* ---- the state, kept incrementally ---- */

static const cs_event *current(const search *s, size_t a, const cs_option **opts, size_t *n)
{
    *opts = s->view[a].opt;
    *n = s->view[a].n;
    return s->view[a].ev;
}

static int done(const search *s, size_t a) { return s->view[a].ev == NULL; }

/* A real entry still at its first answer, which a credit may stand for. */
static int creditable(const search *s, size_t a) { return s->view[a].salt; }

static void group_balance(search *s, uint32_t g, int before)
{
    /* before: take g out of the counts; after: put it back */
    int d = before ? -1 : 1;
    if (s->at0[g] != s->credits[g]) s->mismatched += d;
    if (s->credits[g] > s->at0[g]) s->over += d;
}

static void view_of(const search *s, size_t a, agent_view *v)
{
    const cs_chain *ch = &s->in->chains[s->chain[a]];
    uint32_t p = s->pos[a];
    int d = s->dropped[a] && p < ch->n;
    v->salt = s->real[a] && p == 0 && !s->dropped[a] && p < ch->n && s->group_of[s->chain[a]] != NONE;
    v->mn = d ? ch->dmn[p] : ch->mn[p];
    v->mx = d ? ch->dmx[p] : ch->mx[p];
    v->tl = d || v->salt ? ch->dtl[p] : ch->tl[p];
    v->th = d || v->salt ? ch->dth[p] : ch->th[p];
    v->fmn = ch->fmn[p];
    v->fmx = ch->fmx[p];
    v->picks = ch->picks[p] - (d && ch->ev[p].tag == CS_PICK);
    v->deps = ch->deps[p];
    v->wds = ch->wds[p];
    v->ev = p < ch->n ? &ch->ev[p] : NULL;
    v->opt = !v->ev ? NULL : d ? v->ev->free_opt : v->ev->opt;
    v->n = !v->ev ? 0 : d ? v->ev->n_free : v->ev->n_opt;
    v->cls = !v->ev ? 0 : d ? ch->dcls[p] : ch->cls[p];
    v->zero = v->n == 1 && v->opt[0].delta == 0;
    v->zlo = v->zero ? v->opt[0].lo : 0;
    v->zhi = v->zero ? v->opt[0].hi : 0;
    v->guarded = 0;
    for (uint32_t k = 0; k < v->n; k++) v->guarded |= v->opt[k].lo != INT64_MIN || v->opt[k].hi != INT64_MAX;
    if (v->ev && v->n == 0) v->guarded = 1;
}

static void set_alive(search *s, size_t a, int alive)
{
    if (alive) {
        s->where[a] = (uint32_t)s->n_alive;
        s->alive[s->n_alive++] = (uint32_t)a;
    } else {
        uint32_t last = s->alive[--s->n_alive], at = s->where[a];
        s->alive[at] = last;
        s->where[last] = at;
        s->where[a] = NONE;
    }
}

/* Adds (sign 1) or takes out (-1) what agent a contributes to the state: its class to the key,
 * its rest to the bounds. The final net counts, for an entry still at its first answer, its rest
 * with that answer either way (it may run so, or be the one a credit stands for: then the token
 * runs the same rest, and do_credit takes one such rest out again). Taking out uses the view the
 * adding made. */
static void account(search *s, size_t a, int sign)
{
    agent_view *v = &s->view[a];
    if (sign > 0) {
        view_of(s, a, v);
        if (v->ev && s->where[a] == NONE) set_alive(s, a, 1);
        if (!v->ev && s->where[a] != NONE) set_alive(s, a, 0);
    }
    s->smn += sign * (wide)v->mn;
    s->smx += sign * (wide)v->mx;
    s->stl += sign * (wide)v->tl;
    s->sth += sign * (wide)v->th;
    s->fmn += sign * (wide)v->fmn;
    s->fmx += sign * (wide)v->fmx;
    s->picks += (size_t)sign * v->picks;
    s->deps += (size_t)sign * v->deps;
    s->wds += (size_t)sign * v->wds;
    if (!v->ev) return;
    uint64_t u = 2 * (uint64_t)v->cls + v->salt;
    s->k1 += (uint64_t)sign * mix(u);
    s->k2 += (uint64_t)sign * mix2(u);
    s->active += sign;
    if (!v->salt) s->in_class[v->cls] += sign;
    if (v->salt) {
        uint32_t g = s->group_of[s->chain[a]];
        group_balance(s, g, 1);
        s->at0[g] += sign;
        s->at0_total += sign;
        group_balance(s, g, 0);
    }
}

static void set_x(search *s, int x)
{
    if (s->xflag == x) return;
    s->k1 += x ? SALT_PICK : -SALT_PICK;
    s->xflag = x;
}

static int push_trail(search *s, trail_entry t)
{
    if (s->n_trail == s->cap_trail) {
        size_t ncap = s->cap_trail * 2;
        trail_entry *n = realloc(s->trail, ncap * sizeof *n);
        if (!n) return -1;
        s->trail = n;
        s->cap_trail = ncap;
    }
    s->trail[s->n_trail++] = t;
    return 0;
}

static int do_move(search *s, size_t a, size_t k)
{
    const cs_option *o;
    size_t n;
    current(s, a, &o, &n);
    trail_entry t = {T_MOVE, (uint8_t)k, s->dropped[a], (uint8_t)s->xflag, (uint32_t)a, s->pos[a], s->net};
    if (push_trail(s, t) != 0) return -1;
    account(s, a, -1);
    s->pos[a]++;
    s->dropped[a] = 0;
    account(s, a, 1);
    s->net += o[k].delta; /* checked by the caller */
    return 0;
}

static int do_drop(search *s, size_t a)
{
    const cs_option *o;
    size_t n;
    const cs_event *e = current(s, a, &o, &n);
    trail_entry t = {T_DROP, 0, 0, (uint8_t)s->xflag, (uint32_t)a, s->pos[a], s->net};
    if (push_trail(s, t) != 0) return -1;
    account(s, a, -1);
    s->dropped[a] = 1;
    account(s, a, 1);
    if (e->tag == CS_PICK) set_x(s, 1);
    return 0;
}

static int do_credit(search *s, uint32_t g)
{
    size_t a = s->n_agents;
    trail_entry t = {T_CREDIT, 0, 0, (uint8_t)s->xflag, (uint32_t)a, 0, s->net};
    if (a == s->cap_agents || push_trail(s, t) != 0) return -1;
    s->n_agents++;
    s->chain[a] = s->rep[g];
    s->pos[a] = 0;
    s->dropped[a] = 1;
    s->real[a] = 0;
    account(s, a, 1);
    group_balance(s, g, 1);
    s->credits[g]++;
    group_balance(s, g, 0);
    s->k1 += mix(SALT_CREDIT + g);
    s->k2 += mix2(SALT_CREDIT + g);
    s->stl -= s->in->chains[s->rep[g]].dtl[0]; /* the entry it stands for will not run its rest */
    s->sth -= s->in->chains[s->rep[g]].dth[0];
    s->deps -= s->in->chains[s->rep[g]].deps[0];
    s->wds -= s->in->chains[s->rep[g]].wds[0];
    s->credits_total++;
    if (s->pick[g]) set_x(s, 1);
    return 0;
}

static void undo_to(search *s, size_t mark)
{
    while (s->n_trail > mark) {
        trail_entry *t = &s->trail[--s->n_trail];
        size_t a = t->agent;
        if (t->kind == T_MOVE) {
            account(s, a, -1);
            s->pos[a]--;
            s->dropped[a] = t->prev_dropped;
            account(s, a, 1);
        } else if (t->kind == T_DROP) {
            account(s, a, -1);
            s->dropped[a] = 0;
            account(s, a, 1);
        } else {
            uint32_t g = s->group_of[s->chain[a]]; /* a token runs its group's representative */
            account(s, a, -1);
            group_balance(s, g, 1);
            s->credits[g]--;
            group_balance(s, g, 0);
            s->k1 -= mix(SALT_CREDIT + g);
            s->k2 -= mix2(SALT_CREDIT + g);
            s->stl += s->in->chains[s->rep[g]].dtl[0];
            s->sth += s->in->chains[s->rep[g]].dth[0];
            s->deps += s->in->chains[s->rep[g]].deps[0];
            s->wds += s->in->chains[s->rep[g]].wds[0];
            s->credits_total--;
            if (s->where[a] != NONE) set_alive(s, a, 0);
            s->n_agents--;
        }
        set_x(s, t->prev_x);
        s->net = t->prev_net;
    }
}

/* ---- moves that change nothing ---- */

static int guard_holds(const cs_option *o, int64_t net) { return o->lo <= net && net <= o->hi; }

/* The agent's event can be taken now at no cost to any solution: it changes nothing, its guard
 * holds, and it could not be taken any other way (a query, dropped or not, changes nothing; a
 * withdrawal answered "fail" could, dropped, succeed later, so with drops to spare it is a
 * choice). */
static int free_move(const search *s, size_t a, uint32_t bound)
{
    const cs_option *o;
    size_t n;
    const cs_event *e = current(s, a, &o, &n);
    if (n != 1 || o[0].delta != 0 || !guard_holds(&o[0], s->net)) return 0;
    if (bound > 0 && !s->dropped[a] && e->is_write && (e->tag == CS_CLAIM || e->tag == CS_PICK)) return 0;
    /* an entry at its first answer, while its group has no entry to spare for the credits */
    if (creditable(s, a) && s->at0[s->group_of[s->chain[a]]] <= s->credits[s->group_of[s->chain[a]]])
        return 0;
    return 1;
}

/* Takes every free move, until none is left. Safe: any execution from here can take it first. An
 * entry still at its first answer is no exception while its group has more such entries than
 * credits: an execution that leaves it there to the end starts some run of the group's rest
 * after now (more runs are left than started), by another entry or a later credit, and this entry
 * can run that one instead, for as much or one drop less. One pass is enough: free moves leave
 * the net as it is, so only the mover's next event can become free. */
static int closure(search *s, uint32_t bound)
{
    /* the list changes as agents finish: walk it from the end, which stays put */
    for (size_t i = s->n_alive; i-- > 0;) {
        if (i >= s->n_alive) continue;
        size_t a = s->alive[i];
        while (!done(s, a) && s->view[a].zero && s->view[a].zlo <= s->net && s->net <= s->view[a].zhi &&
               free_move(s, a, bound))
            if (do_move(s, a, 0) != 0) return -1;
    }
    return 0;
}

/* ---- the lower bound, and who waits for which net ---- */

static void next_stamp(search *s)
{
    if (++s->now == 0) {
        memset(s->stamp, 0, 2 * (size_t)s->in->n_classes * sizeof *s->stamp);
        memset(s->gstamp, 0, (s->n_groups ? s->n_groups : 1) * sizeof *s->gstamp);
        s->now = 1;
    }
}

static void wait_add(search *s, int64_t v)
{
    size_t j = mix((uint64_t)v) & (s->wcap - 1);
    while (s->wgen[j] == s->wnow && s->wkey[j] != v) j = (j + 1) & (s->wcap - 1);
    if (s->wgen[j] != s->wnow) {
        s->wgen[j] = s->wnow;
        s->wkey[j] = v;
        s->wcount[j] = 0;
    }
    s->wcount[j]++;
}

static uint32_t waiting(const search *s, int64_t v)
{
    size_t j = mix((uint64_t)v) & (s->wcap - 1);
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
    next_stamp(s);
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
static uint32_t lower_bound(search *s)
{
    if (++s->wnow == 0) {
        memset(s->wgen, 0, s->wcap * sizeof *s->wgen);
        s->wnow = 1;
    }
    if (s->net < s->in->net_lo || s->net > s->in->net_hi || s->over) return LB_INFINITE;
    if (s->need_pick && !s->xflag && s->picks == 0) return LB_INFINITE;
    next_stamp(s);
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

/* ---- branching ---- */

static int push_cand(search *s, cand c)
{
    if (s->n_cands == s->cap_cands) {
        size_t ncap = s->cap_cands ? 2 * s->cap_cands : 256;
        cand *n = realloc(s->cands, ncap * sizeof *n);
        if (!n) return -1;
        s->cands = n;
        s->cap_cands = ncap;
    }
    c.seq = (uint32_t)s->n_cands;
    s->cands[s->n_cands++] = c;
    return 0;
}

static int cmp_cand(const void *x, const void *y)
{
    const cand *a = x, *b = y;
    if (a->prio != b->prio) return a->prio - b->prio;
    if (a->rank != b->rank) return (a->rank > b->rank) - (a->rank < b->rank);
    if (a->score != b->score) return b->score - a->score;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Moves first, then credits, then drops; but while a drop among the picks is owed, those drops
 * go first, the earliest answers first: the solution found is then likely the earliest. */
enum { PRIO_PICK, PRIO_MOVE, PRIO_CREDIT, PRIO_DROP };

static uint8_t prio_of(const search *s, uint8_t kind, int pick)
{
    if (pick && s->need_pick && !s->xflag) return PRIO_PICK;
    return kind == C_MOVE ? PRIO_MOVE : kind == C_CREDIT ? PRIO_CREDIT : PRIO_DROP;
}

/* A move that lets queries read what they claim goes first: those waiting for the new net, and
 * the mover's own next event. */
static int32_t score_of(const search *s, size_t a, int64_t after)
{
    int32_t score = (int32_t)waiting(s, after);
    const cs_chain *ch = &s->in->chains[s->chain[a]];
    uint32_t p = s->pos[a] + 1;
    if (p < ch->n) {
        const cs_event *e = &ch->ev[p];
        if (e->tag != CS_FREE && e->n_opt == 1 && e->opt[0].delta == 0 && guard_holds(&e->opt[0], after))
            score++;
    }
    return score;
}

#define NO_MOVE 255

/* The free moves of one agent (see closure); how many of them honoured an answer. */
static int settle(search *s, size_t a, uint32_t bound, size_t *honoured)
{
    while (!done(s, a) && free_move(s, a, bound)) {
        const cs_option *o;
        size_t n;
        const cs_event *e = current(s, a, &o, &n);
        *honoured += e->tag != CS_FREE && !s->dropped[a];
        if (do_move(s, a, 0) != 0) return -1;
    }
    return 0;
}

/* The net after option k of agent a's current event, when it may run now. */
static int can_take(const search *s, size_t a, size_t k, int64_t *after)
{
    const cs_option *o;
    size_t n;
    current(s, a, &o, &n);
    return k < n && guard_holds(&o[k], s->net) && !__builtin_add_overflow(s->net, o[k].delta, after) &&
           *after >= s->in->net_lo && *after <= s->in->net_hi;
}

/* A drop is worth taking only to run the event otherwise than answered, at once: one candidate
 * per such option, of the given kind (C_DROP, or a credit whose token then drops). */
static int drop_candidates(search *s, size_t a, uint8_t kind, uint32_t who, uint8_t flag)
{
    const cs_event *e = &s->in->chains[s->chain[a]].ev[s->pos[a]];
    for (size_t k = 0; k < e->n_free; k++) {
        const cs_option *f = &e->free_opt[k];
        int64_t after;
        if (e->n_opt == 1 && e->opt[0].delta == f->delta && e->opt[0].success == f->success &&
            guard_holds(&e->opt[0], s->net))
            continue; /* taken as answered: no drop needed */
        if (!guard_holds(f, s->net) || __builtin_add_overflow(s->net, f->delta, &after) ||
            after < s->in->net_lo || after > s->in->net_hi)
            continue;
        int pick = e->tag == CS_PICK || (kind == C_CREDIT && s->pick[who]);
        cand c = {kind, (uint8_t)(flag | k), prio_of(s, kind, pick), who, score_of(s, a, after), 0,
                  kind == C_CREDIT ? s->grank[who] : e->rank};
        if (kind == C_DROP && s->deadmark[a] == s->wnow) c.prio = PRIO_PICK; /* it must go anyway */
        if (push_cand(s, c) != 0) return -1;
    }
    return 0;
}

/* A credit is worth taking only together with what its token does at once: a move (as answered,
 * or dropping the answer too), or answers honoured at the net of now. Taken earlier, the token
 * would only wait; so each candidate is the credit and that move (CREDIT_DROP | k for a move
 * with the token's answer dropped, NO_MOVE when honouring answers is the point). */
#define CREDIT_DROP 0x80
static int credit_candidates(search *s, uint32_t g, uint32_t bound)
{
    size_t mark = s->n_trail, honoured = 0, t = s->n_agents;
    if (do_credit(s, g) != 0 || settle(s, t, bound - 1, &honoured) != 0) return -1;
    int rc = 0;
    /* an agent already here with the token's rest could make its move: the credit can wait
     * until that agent has moved, and is taken then if needed at all (unless it honours answers
     * at the net of now) */
    if (!honoured && !done(s, t) && s->in_class[s->view[t].cls] > 1) {
        undo_to(s, mark);
        return 0;
    }
    uint8_t prio = prio_of(s, C_CREDIT, s->pick[g]);
    if (honoured || done(s, t)) rc = push_cand(s, (cand){C_CREDIT, NO_MOVE, prio, g, 1, 0, s->grank[g]});
    for (size_t k = 0; rc == 0 && !done(s, t) && k < 2; k++) {
        int64_t after;
        if (can_take(s, t, k, &after))
            rc = push_cand(s, (cand){C_CREDIT, (uint8_t)k, prio, g, score_of(s, t, after), 0, s->grank[g]});
    }
    if (rc == 0 && !done(s, t) && bound > 1 && !s->dropped[t]) {
        const cs_event *e = &s->in->chains[s->chain[t]].ev[s->pos[t]];
        if (e->tag == CS_CLAIM || e->tag == CS_PICK) rc = drop_candidates(s, t, C_CREDIT, g, CREDIT_DROP);
    }
    undo_to(s, mark);
    return rc;
}

/* One candidate per class of alike agents: moves, then credits, then drops. */
static int expand(search *s, uint32_t bound)
{
    size_t first = s->n_cands;
    next_stamp(s);
    for (size_t i = 0; i < s->n_alive; i++) {
        size_t a = s->alive[i];
        int salt = creditable(s, a);
        size_t slot = 2 * (size_t)s->view[a].cls + (size_t)salt;
        if (s->stamp[slot] == s->now) continue;
        s->stamp[slot] = s->now;
        const cs_option *o;
        size_t n;
        const cs_event *e = current(s, a, &o, &n);
        uint32_t g = salt ? s->group_of[s->chain[a]] : NONE;
        for (size_t k = 0; k < n; k++) {
            int64_t after;
            if (!can_take(s, a, k, &after)) continue;
            if (n == 1 && o[k].delta == 0 && (free_move(s, a, bound) || (salt && s->at0[g] <= s->credits[g])))
                continue; /* closure's, or one that would leave a credit unmatched */
            if (push_cand(s, (cand){C_MOVE, (uint8_t)k, PRIO_MOVE, (uint32_t)a, score_of(s, a, after), 0, 0}) != 0)
                return -1;
        }
        if (bound == 0) continue;
        if (salt) {
            if (s->credits[g] < s->at0[g] && s->gstamp[g] != s->now) {
                s->gstamp[g] = s->now;
                if (credit_candidates(s, g, bound) != 0) return -1;
            }
        } else if (!s->dropped[a] && (e->tag == CS_CLAIM || e->tag == CS_PICK)) {
            if (drop_candidates(s, a, C_DROP, (uint32_t)a, 0) != 0) return -1;
        }
    }
    if (s->n_cands - first > 1) qsort(s->cands + first, s->n_cands - first, sizeof *s->cands, cmp_cand);
    return 0;
}

/* ---- the depth-first walk ---- */

enum { NODE_DEAD, NODE_SOLVED, NODE_OPEN, NODE_BUDGET, NODE_OOM };

static bank_state_key state_key(const search *s)
{
    return (bank_state_key){s->k1 + mix((uint64_t)s->net ^ SALT_NET), s->k2 + mix2((uint64_t)s->net ^ SALT_NET)};
}

static int solved(const search *s)
{
    return s->active == s->at0_total && s->mismatched == 0 && (!s->need_pick || s->xflag) &&
           (!s->in->backward || s->net == 0);
}

/* Enters the state reached (mark: the trail before the step that reached it). */
static int node(search *s, uint32_t bound, size_t mark)
{
    uint32_t lb;
    for (;;) {
        if (closure(s, bound) != 0) return NODE_OOM;
        if (solved(s)) return NODE_SOLVED;
        lb = lower_bound(s);
        if (lb > bound || s->n_forced == 0) break;
        /* a query no execution can give must be dropped: at once, as it changes nothing */
        for (uint32_t i = 0; i < s->n_forced; i++) {
            bound--;
            if (do_drop(s, s->forced[i]) != 0 || do_move(s, s->forced[i], 0) != 0) return NODE_OOM;
        }
    }
    bank_state_key key = state_key(s);
    if (lb > bound || bank_state_table_failed(s->tt, key) >= (long)bound) {
        undo_to(s, mark);
        return NODE_DEAD;
    }
    /* a state costs more where more agents are left to look at (G12) */
    s->states += 1 + s->n_alive / 16;
    if (s->states > s->budget) return NODE_BUDGET;
    size_t lo = s->n_cands;
    if (expand(s, bound) != 0) return NODE_OOM;
    if (s->n_frames == s->cap_frames) {
        size_t ncap = 2 * s->cap_frames;
        frame *f = realloc(s->frames, ncap * sizeof *f);
        if (!f) return NODE_OOM;
        s->frames = f;
        s->cap_frames = ncap;
    }
    s->frames[s->n_frames++] = (frame){mark, lo, s->n_cands, lo, bound, key};
    return NODE_OPEN;
}

static int apply(search *s, const cand *c, uint32_t *bound)
{
    size_t honoured = 0, t = s->n_agents;
    switch (c->kind) {
    case C_MOVE: return do_move(s, c->who, c->opt);
    case C_CREDIT:
        (*bound)--;
        if (do_credit(s, c->who) != 0 || settle(s, t, *bound, &honoured) != 0) return -1;
        if (c->opt == NO_MOVE) return 0;
        if (c->opt & CREDIT_DROP) {
            (*bound)--;
            if (do_drop(s, t) != 0) return -1;
        }
        return do_move(s, t, c->opt & ~CREDIT_DROP);
    default: (*bound)--; return do_drop(s, c->who) != 0 ? -1 : do_move(s, c->who, c->opt);
    }
}

/* From the state the trail holds: NODE_SOLVED with the trail kept, NODE_DEAD with the trail
 * undone, or NODE_BUDGET / NODE_OOM. */
static int walk(search *s, uint32_t bound)
{
    int r = node(s, bound, 0);
    while (r == NODE_OPEN || (r == NODE_DEAD && s->n_frames > 0)) {
        frame *f = &s->frames[s->n_frames - 1];
        if (f->next == f->hi) {
            if (bank_state_table_fail(s->tt, f->key, f->bound) != 0) return NODE_OOM;
            undo_to(s, f->mark);
            s->n_cands = f->lo;
            s->n_frames--;
            r = NODE_DEAD;
            continue;
        }
        cand c = s->cands[f->next++];
        size_t mark = s->n_trail;
        uint32_t b = f->bound;
        if (apply(s, &c, &b) != 0) return NODE_OOM;
        r = node(s, b, mark);
        if (r == NODE_SOLVED || r == NODE_BUDGET || r == NODE_OOM) return r;
    }
    return r;
}

/* ---- the answer: the execution and the answers it dropped ---- */

/* Each credit token becomes one of the entries of its group that never got past their first
 * answer (in entry order: any pairing is an execution, the entries being alike past it). */
static int extract(const search *s, cs_outcome *out)
{
    const cs_instance *in = s->in;
    size_t A = s->n_agents, C = in->n_chains;
    uint32_t *who = malloc((A ? A : 1) * sizeof *who), *next = calloc(s->n_groups + 1, sizeof *next);
    out->steps = malloc((s->n_trail ? s->n_trail : 1) * sizeof *out->steps);
    out->dropped = malloc((s->n_trail + C + 1) * sizeof *out->dropped);
    if (!who || !next || !out->steps || !out->dropped) {
        free(who);
        free(next);
        return -1;
    }
    for (size_t a = 0; a < C; a++) who[a] = (uint32_t)a;
    for (size_t a = C; a < A; a++) {
        uint32_t g = s->group_of[s->chain[a]];
        while (next[g] < C && !(creditable(s, next[g]) && s->group_of[next[g]] == g)) next[g]++;
        who[a] = next[g]++;
    }
    for (size_t a = 0; a < C; a++)
        if (creditable(s, a)) out->dropped[out->n_dropped++] = (cs_answer){(uint32_t)a, (uint32_t)cs_event_index(in, a, 0)};
    for (size_t i = 0; i < s->n_trail; i++) {
        const trail_entry *t = &s->trail[i];
        uint32_t entry = who[t->agent];
        if (t->kind == T_DROP) {
            out->dropped[out->n_dropped++] = (cs_answer){entry, (uint32_t)cs_event_index(in, entry, t->pos)};
            continue;
        }
        if (t->kind != T_MOVE) continue;
        const cs_event *e = &in->chains[s->chain[t->agent]].ev[t->pos];
        const cs_option *o = t->prev_dropped ? &e->free_opt[t->opt] : &e->opt[t->opt];
        /* forward the net a write leaves is after it; undone backward, it is the net before */
        int64_t net = in->backward || o->delta == 0 ? t->prev_net : t->prev_net + o->delta;
        out->steps[out->n_steps++] = (cs_step){entry, (uint32_t)cs_event_index(in, entry, t->pos), o->success, net};
    }
    for (size_t i = 0; in->backward && i < out->n_steps / 2; i++) { /* undone from the end */
        cs_step tmp = out->steps[i];
        out->steps[i] = out->steps[out->n_steps - 1 - i];
        out->steps[out->n_steps - 1 - i] = tmp;
    }
    free(who);
    free(next);
    return 0;
}

/* ---- setting up ---- */

typedef struct {
    uint32_t cls, pick, chain;
} group_key;

static int cmp_group_key(const void *x, const void *y)
{
    const group_key *a = x, *b = y;
    if (a->cls != b->cls) return (a->cls > b->cls) - (a->cls < b->cls);
    if (a->pick != b->pick) return (a->pick > b->pick) - (a->pick < b->pick);
    return (a->chain > b->chain) - (a->chain < b->chain);
}

/* Entries whose first answer may be dropped, grouped by what is left once it is. */
static int make_groups(search *s)
{
    const cs_instance *in = s->in;
    size_t C = in->n_chains, n = 0;
    group_key *keys = malloc((C ? C : 1) * sizeof *keys);
    if (!keys) return -1;
    for (size_t c = 0; c < C; c++) {
        const cs_chain *ch = &in->chains[c];
        s->group_of[c] = NONE;
        if (ch->n && (ch->ev[0].tag == CS_CLAIM || ch->ev[0].tag == CS_PICK))
            keys[n++] = (group_key){ch->dcls[0], ch->ev[0].tag == CS_PICK, (uint32_t)c};
    }
    qsort(keys, n, sizeof *keys, cmp_group_key);
    s->n_groups = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || keys[i].cls != keys[i - 1].cls || keys[i].pick != keys[i - 1].pick) {
            s->rep[s->n_groups] = keys[i].chain;
            s->grank[s->n_groups] = UINT64_MAX;
            s->pick[s->n_groups] = (uint8_t)keys[i].pick;
            s->write[s->n_groups] = in->chains[keys[i].chain].ev[0].is_write;
            s->n_groups++;
        }
        s->group_of[keys[i].chain] = (uint32_t)(s->n_groups - 1);
        uint64_t r = in->chains[keys[i].chain].ev[0].rank;
        if (r < s->grank[s->n_groups - 1]) s->grank[s->n_groups - 1] = r;
    }
    free(keys);
    return 0;
}

static void search_free(search *s)
{
    void *blocks[] = {s->chain, s->view, s->alive, s->where, s->pos, s->dropped, s->real, s->group_of, s->at0, s->credits, s->rep, s->grank,
                      s->pick, s->write, s->trail, s->cands, s->frames, s->stamp, s->walk, s->forced, s->deadmark, s->in_class, s->gstamp, s->dead, s->soft,
                      s->touched, s->wkey, s->wcount, s->wgen};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) free(blocks[i]);
}

static int search_init(search *s, const cs_instance *in, uint32_t bound, int need_pick, size_t budget,
                       bank_state_table *tt)
{
    memset(s, 0, sizeof *s);
    s->in = in;
    s->need_pick = need_pick;
    s->budget = budget;
    s->tt = tt;
    size_t C = in->n_chains, events = 0;
    for (size_t c = 0; c < C; c++) events += in->chains[c].n;
    s->cap_agents = C + bound + 1;
    s->cap_trail = s->cap_frames = events + bound + 16;
    for (s->wcap = 64; s->wcap < 2 * s->cap_agents; s->wcap *= 2) {}
    size_t G = C ? C : 1;
    s->chain = malloc(s->cap_agents * sizeof *s->chain);
    s->view = calloc(s->cap_agents, sizeof *s->view);
    s->alive = malloc(s->cap_agents * sizeof *s->alive);
    s->where = malloc(s->cap_agents * sizeof *s->where);
    s->pos = calloc(s->cap_agents, sizeof *s->pos);
    s->dropped = calloc(s->cap_agents, 1);
    s->real = calloc(s->cap_agents, 1);
    s->group_of = malloc(G * sizeof *s->group_of);
    s->at0 = calloc(G, sizeof *s->at0);
    s->credits = calloc(G, sizeof *s->credits);
    s->rep = calloc(G, sizeof *s->rep);
    s->grank = calloc(G, sizeof *s->grank);
    s->pick = calloc(G, 1);
    s->write = calloc(G, 1);
    s->gstamp = calloc(G, sizeof *s->gstamp);
    s->dead = calloc(G, sizeof *s->dead);
    s->soft = calloc(G, sizeof *s->soft);
    s->touched = calloc(G, sizeof *s->touched);
    s->trail = malloc(s->cap_trail * sizeof *s->trail);
    s->frames = malloc(s->cap_frames * sizeof *s->frames);
    s->stamp = calloc(2 * (size_t)in->n_classes, sizeof *s->stamp);
    /* the walk bound sorts its answers at every state: worth it up to a few hundred */
    s->wcap_regions = 2 * (events < 512 ? events : 512);
    s->forced = malloc(s->cap_agents * sizeof *s->forced);
    s->deadmark = calloc(s->cap_agents, sizeof *s->deadmark);
    s->walk = malloc((s->wcap_regions ? s->wcap_regions : 1) * sizeof *s->walk);
    s->in_class = calloc(in->n_classes, sizeof *s->in_class);
    s->wkey = calloc(s->wcap, sizeof *s->wkey);
    s->wcount = calloc(s->wcap, sizeof *s->wcount);
    s->wgen = calloc(s->wcap, sizeof *s->wgen);
    if (!s->chain || !s->view || !s->alive || !s->where || !s->pos || !s->dropped || !s->real || !s->group_of || !s->at0 || !s->credits ||
        !s->rep || !s->grank || !s->pick || !s->write || !s->gstamp || !s->dead || !s->soft || !s->touched || !s->trail ||
        !s->frames || !s->stamp || !s->walk || !s->forced || !s->deadmark || !s->in_class || !s->wkey || !s->wcount || !s->wgen || make_groups(s) != 0)
        return -1;
    s->n_agents = C;
    for (size_t a = 0; a < s->cap_agents; a++) s->where[a] = NONE;
    for (size_t a = 0; a < C; a++) {
        s->chain[a] = (uint32_t)a;
        s->real[a] = 1;
    }
    for (size_t a = 0; a < C; a++) account(s, a, 1);
    return 0;
}

int cs_search(const cs_instance *in, const int64_t *starts, size_t n_starts, uint32_t bound,
              int need_pick, size_t budget, bank_state_table *tt, cs_outcome *out)
{
    memset(out, 0, sizeof *out);
    search s;
    int rc = -1;
    if (search_init(&s, in, bound, need_pick, budget, tt) != 0) goto done;
    rc = 0;
    for (size_t i = 0; i < n_starts && rc == 0; i++) {
        s.net = starts[i];
        int r = walk(&s, bound);
        if (r == NODE_OOM) rc = -1;
        else if (r == NODE_BUDGET) out->out_of_budget = 1;
        else if (r == NODE_SOLVED) {
            out->found = 1;
            if (extract(&s, out) != 0) rc = -1;
        }
        if (r != NODE_DEAD) break;
        s.n_frames = 0;
        s.n_cands = 0;
    }
done:
    out->states = s.states;
    search_free(&s);
    if (rc != 0) cs_outcome_free(out);
    return rc;
}

void cs_outcome_free(cs_outcome *o)
{
    free(o->steps);
    free(o->dropped);
    size_t states = o->states;
    memset(o, 0, sizeof *o);
    o->states = states;
}
