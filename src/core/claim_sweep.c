#include "claim_sweep.h"

#include <stdlib.h>
#include <string.h>

#include "state_table.h"

typedef struct {
    size_t mark0;   /* the trail before this state's free moves */
    size_t mark1;   /* after them: the state its choices start from */
    uint32_t next;  /* the next choice to try */
    bank_state_key key;
} sweep_frame;

typedef struct {
    uint32_t chain;
    int64_t delta;
} sweep_move;

/* The order in which an attempt tries the writes at a state. Live runs of many entries are found
 * by the first; small hard ones more often by the others, so attempts take turns. */
typedef enum {
    ORDER_LIVE,          /* toward the answer waiting longest, least advanced writer first */
    ORDER_MOST_ADVANCED, /* the entry nearest its end first */
    ORDER_ENTRY          /* entry order (shaken: a random order) */
} sweep_order;

typedef struct {
    uint32_t chain;
    uint32_t opt;      /* which option of its head event (backward, a withdrawal whose outcome is
                          free may be undone either way at the same net) */
    int sign;          /* which way it moves the net: -1, 0 or 1 */
    uint32_t mismatch; /* 0 moves the net the way the waiting answer needs, 1 neither, 2 away */
    double progress;
    uint32_t cls;
} sweep_cand;

typedef struct {
    const cs_instance *in;
    size_t C, total;
    uint32_t *pos;
    double *nudge;   /* this attempt's shake of each entry's progress */
    int order;       /* this attempt's order of the writes (sweep_order) */
    int64_t net;
    uint64_t ka, kb;
    sweep_move *trail;
    size_t n_trail;
    sweep_frame *frames;
    size_t n_frames;
    sweep_cand *cands;
    size_t n_cands;
    uint64_t *seen, stamp; /* per class and option: seen[2 * cls + opt] == stamp when listed here
                              (64-bit: it never wraps, so nothing clears it) */
    bank_state_table *tt;
    size_t work;
    /* what the writes not yet run can move the net by, all together: up and down for sure, and
     * up and down maybe (a withdrawal whose outcome is free) */
    __int128 pool[4];
} sweep;

enum { POOL_UP, POOL_DOWN, POOL_MAYBE_UP, POOL_MAYBE_DOWN };

static const cs_event *head(const sweep *s, size_t c)
{
    const cs_chain *ch = &s->in->chains[c];
    return s->pos[c] < ch->n ? &ch->ev[s->pos[c]] : NULL;
}

static uint32_t class_of(const sweep *s, size_t c) { return s->in->chains[c].cls[s->pos[c]]; }

/* A state's fingerprint: the net, and the multiset of the classes of what every entry has left
 * (alike entries are interchangeable, so states that differ only in which of them has got how far
 * are one), kept as sums of two independent hashes per class, updated as entries move. */
static void hash_class(sweep *s, uint32_t cls, int sign)
{
    uint64_t a = bank_mix(cls), b = bank_mix2(cls);
    s->ka += sign > 0 ? a : -a;
    s->kb += sign > 0 ? b : -b;
}

static bank_state_key state_key(const sweep *s)
{
    uint64_t n = (uint64_t)s->net;
    return (bank_state_key){s->ka ^ bank_mix(n ^ 0x510e527fade682d1ull), s->kb ^ bank_mix2(n ^ 0x9b05688c2b3e6c1full)};
}

/* Adds (sign 1) or takes (sign -1) what ev can move the net by to pool. */
static void count_event(__int128 *pool, const cs_event *ev, int sign)
{
    for (size_t k = 0; k < ev->n_opt; k++) {
        int64_t d = ev->opt[k].delta;
        if (d == 0) continue;
        int maybe = ev->n_opt > 1;
        __int128 size = d > 0 ? (__int128)d : -(__int128)d;
        pool[d > 0 ? (maybe ? POOL_MAYBE_UP : POOL_UP) : (maybe ? POOL_MAYBE_DOWN : POOL_DOWN)] += sign * size;
    }
}

static void move(sweep *s, size_t c, int64_t delta)
{
    count_event(s->pool, head(s, c), -1);
    hash_class(s, class_of(s, c), -1);
    s->pos[c]++;
    hash_class(s, class_of(s, c), +1);
    s->net += delta;
    s->trail[s->n_trail++] = (sweep_move){(uint32_t)c, delta};
}

static void undo_to(sweep *s, size_t mark)
{
    while (s->n_trail > mark) {
        sweep_move m = s->trail[--s->n_trail];
        s->net -= m.delta;
        hash_class(s, class_of(s, m.chain), -1);
        s->pos[m.chain]--;
        hash_class(s, class_of(s, m.chain), +1);
        count_event(s->pool, head(s, m.chain), +1);
    }
}

static int may_run(const cs_option *o, int64_t net) { return o->lo <= net && net <= o->hi; }

/* The option of ev that may run at this net, or NULL. */
static const cs_option *runnable(const cs_event *ev, int64_t net)
{
    for (size_t k = 0; k < ev->n_opt; k++)
        if (may_run(&ev->opt[k], net)) return &ev->opt[k];
    return NULL;
}

static int changes_nothing(const cs_event *ev)
{
    for (size_t k = 0; k < ev->n_opt; k++)
        if (ev->opt[k].delta != 0) return 0;
    return ev->n_opt > 0;
}

/* Takes every head that changes nothing and may run now (a query reading what it claims, a
 * withdrawal failing as claimed): any execution may as well take it now. Returns how many
 * entries are still running (0: every one is done). */
static size_t take_free_moves(sweep *s)
{
    size_t running = 0;
    for (size_t c = 0; c < s->C; c++) {
        const cs_event *ev;
        while ((ev = head(s, c)) && changes_nothing(ev) && runnable(ev, s->net)) move(s, c, 0);
        running += ev != NULL;
    }
    return running;
}

static double progress(const sweep *s, size_t c)
{
    return (double)s->pos[c] / (double)s->in->chains[c].n + s->nudge[c];
}

/* What cmp_cand sorts on, after the direction, under this attempt's order. */
static double sort_key(const sweep *s, size_t c)
{
    switch (s->order) {
    case ORDER_LIVE: return progress(s, c);
    case ORDER_MOST_ADVANCED: return -progress(s, c);
    default: return s->nudge[c];
    }
}

/* Which way the net must go for ev to run (-1 down, 1 up, 0 it may run now), and how far. */
static int direction_for(const cs_event *ev, int64_t net, uint64_t *far)
{
    int dir = 0;
    *far = UINT64_MAX;
    for (size_t k = 0; k < ev->n_opt; k++) {
        const cs_option *o = &ev->opt[k];
        uint64_t dist;
        int d;
        if (net < o->lo) {
            dist = (uint64_t)o->lo - (uint64_t)net;
            d = 1;
        } else if (net > o->hi) {
            dist = (uint64_t)net - (uint64_t)o->hi;
            d = -1;
        } else {
            *far = 0;
            return 0;
        }
        if (dist < *far) {
            *far = dist;
            dir = d;
        }
    }
    return dir;
}

static int cmp_cand(const void *x, const void *y)
{
    const sweep_cand *a = x, *b = y;
    if (a->mismatch != b->mismatch) return a->mismatch < b->mismatch ? -1 : 1;
    if (a->progress != b->progress) return a->progress < b->progress ? -1 : 1;
    return (a->chain > b->chain) - (a->chain < b->chain);
}

/* The writes that may run now, best first, one per class: the waiting answer of the least
 * advanced entry says which way the net should go, and the least advanced writers go first. */
static void list_choices(sweep *s)
{
    double waited = 0;
    uint64_t nearest = 0;
    int dir = 0, any_waiting = 0;
    s->n_cands = 0;
    for (size_t c = 0; c < s->C; c++) {
        const cs_event *ev = head(s, c);
        if (!ev) continue;
        if (runnable(ev, s->net)) {
            for (uint32_t k = 0; k < ev->n_opt; k++) {
                const cs_option *o = &ev->opt[k];
                int64_t after;
                if (!may_run(o, s->net) || __builtin_add_overflow(s->net, o->delta, &after)) continue;
                int sign = (o->delta > 0) - (o->delta < 0);
                s->cands[s->n_cands++] = (sweep_cand){(uint32_t)c, k, sign, 1, sort_key(s, c), class_of(s, c)};
            }
            continue;
        }
        /* of the least advanced, the nearest: entries alike in progress (every entry of the
         * course's input is a write then a query) are served along the way */
        double p = progress(s, c);
        uint64_t far;
        int d = direction_for(ev, s->net, &far);
        if (!any_waiting || p < waited || (p == waited && far < nearest)) {
            any_waiting = 1;
            waited = p;
            nearest = far;
            dir = d;
        }
    }
    for (size_t i = 0; i < s->n_cands && dir != 0 && s->order == ORDER_LIVE; i++) {
        sweep_cand *k = &s->cands[i];
        k->mismatch = k->sign == 0 ? 1 : k->sign == dir ? 0 : 2;
    }
    qsort(s->cands, s->n_cands, sizeof *s->cands, cmp_cand);
    /* one of each class: alike entries lead to alike states */
    s->stamp++;
    size_t kept = 0;
    for (size_t i = 0; i < s->n_cands; i++) {
        uint32_t k = 2 * s->cands[i].cls + s->cands[i].opt;
        if (s->seen[k] == s->stamp) continue;
        s->seen[k] = s->stamp;
        s->cands[kept++] = s->cands[i];
    }
    s->n_cands = kept;
}

/* Can entry c still honour the rest of its answers, were every other entry's writes free to run
 * in any order in between? The net must then walk through each of c's answers in turn (its own
 * writes moving it too), and every step up or down that walk takes beyond c's own must come from
 * the others' writes: at least as much up and down as the shortest such walk needs. A walk is
 * shortest when it moves only as far as the next answer needs (into the range it allows). Only
 * a relaxation, so a no is a proof. An event whose outcome is free ends what is checked. */
static int may_finish(const sweep *s, size_t c)
{
    const cs_chain *ch = &s->in->chains[c];
    /* in __int128: sums of many int64 amounts */
    __int128 own[4] = {0};
    for (size_t p = s->pos[c]; p < ch->n; p++) count_event(own, &ch->ev[p], 1);
    __int128 up = s->pool[POOL_UP] - own[POOL_UP], down = s->pool[POOL_DOWN] - own[POOL_DOWN];
    __int128 may_up = up + s->pool[POOL_MAYBE_UP] - own[POOL_MAYBE_UP];
    __int128 may_down = down + s->pool[POOL_MAYBE_DOWN] - own[POOL_MAYBE_DOWN];
    __int128 at = 0, moved_up = 0, moved_down = 0, mine = (__int128)s->net;
    int exact_end = s->pool[POOL_MAYBE_UP] == own[POOL_MAYBE_UP] && s->pool[POOL_MAYBE_DOWN] == own[POOL_MAYBE_DOWN];
    for (size_t p = s->pos[c]; p < ch->n; p++) {
        const cs_event *ev = &ch->ev[p];
        if (ev->n_opt != 1) {
            exact_end = 0;
            break;
        }
        const cs_option *o = &ev->opt[0];
        __int128 lo = (__int128)o->lo - mine, hi = (__int128)o->hi - mine;
        if (at < lo) {
            moved_up += lo - at;
            at = lo;
        } else if (at > hi) {
            moved_down += at - hi;
            at = hi;
        }
        if (moved_up > may_up || moved_down > may_down) return 0;
        mine += o->delta;
    }
    if (exact_end) { /* the others end where their writes add up to */
        __int128 end = up - down;
        if (at < end) moved_up += end - at;
        else moved_down += at - end;
    }
    return moved_up <= may_up && moved_down <= may_down;
}

static int every_entry_may_finish(const sweep *s)
{
    for (size_t c = 0; c < s->C; c++)
        if (head(s, c) && !may_finish(s, c)) return 0;
    return 1;
}

typedef enum { ENTER_DONE, ENTER_PUSHED, ENTER_FAILED } enter_result;

static enter_result enter(sweep *s)
{
    size_t mark0 = s->n_trail, running = take_free_moves(s);
    if (running == 0) {
        if (!s->in->backward || s->net == 0) return ENTER_DONE;
        undo_to(s, mark0); /* undone back to the start, the net must be where it began */
        return ENTER_FAILED;
    }
    bank_state_key key = state_key(s);
    s->work += 1 + running / 16; /* G12: once, and once more for every 16 entries running */
    if (bank_state_table_failed(s->tt, key) >= 0 || !every_entry_may_finish(s)) {
        undo_to(s, mark0);
        return ENTER_FAILED;
    }
    s->frames[s->n_frames++] = (sweep_frame){mark0, s->n_trail, 0, key};
    return ENTER_PUSHED;
}

/* One attempt from one start: 1 found (the trail holds the execution), 0 gave up (budget), 2 the
 * whole tree failed, -1 out of memory. */
static int attempt(sweep *s, int64_t start, size_t budget)
{
    s->net = start;
    s->n_trail = s->n_frames = 0;
    enter_result r = enter(s);
    if (r == ENTER_DONE) return 1;
    if (r == ENTER_FAILED) return 2;
    while (s->n_frames > 0) {
        sweep_frame *f = &s->frames[s->n_frames - 1];
        undo_to(s, f->mark1);
        list_choices(s);
        if (f->next >= s->n_cands) {
            if (bank_state_table_fail(s->tt, f->key, 0) != 0) return -1;
            undo_to(s, f->mark0);
            s->n_frames--;
            continue;
        }
        if (s->work >= budget) return 0;
        const sweep_cand *c = &s->cands[f->next++];
        move(s, c->chain, head(s, c->chain)->opt[c->opt].delta);
        r = enter(s);
        if (r == ENTER_DONE) return 1;
    }
    return 2;
}

static uint64_t next_random(uint64_t *state)
{
    *state += 0x9e3779b97f4a7c15ull;
    return bank_mix(*state);
}

static int write_order(const sweep *s, bank_step **order, size_t *n_order)
{
    uint32_t *at = calloc(s->C ? s->C : 1, sizeof *at);
    bank_step *o = malloc((s->n_trail ? s->n_trail : 1) * sizeof *o);
    if (!at || !o) {
        free(at);
        free(o);
        return -1;
    }
    for (size_t i = 0; i < s->n_trail; i++) {
        size_t c = s->trail[i].chain, k = s->in->backward ? s->n_trail - 1 - i : i;
        o[k] = (bank_step){s->in->chains[c].entry, cs_event_index(s->in, c, at[c]++)};
    }
    free(at);
    *order = o;
    *n_order = s->n_trail;
    return 0;
}

int cs_sweep(const cs_instance *in, const int64_t *starts, size_t n_starts, size_t budget, uint64_t seed,
             cs_sweep_result *result, bank_step **order, size_t *n_order, size_t *spent)
{
    sweep s = {.in = in, .C = in->n_chains};
    bank_state_table tt;
    bank_state_table_init(&tt);
    s.tt = &tt;
    for (size_t c = 0; c < s.C; c++) s.total += in->chains[c].n;
    size_t C1 = s.C ? s.C : 1, T1 = s.total ? s.total : 1;
    s.pos = calloc(C1, sizeof *s.pos);
    s.nudge = calloc(C1, sizeof *s.nudge);
    s.trail = malloc(T1 * sizeof *s.trail);
    s.frames = malloc((T1 + 1) * sizeof *s.frames);
    s.cands = malloc(2 * C1 * sizeof *s.cands);
    s.seen = calloc(2 * (in->n_classes + 1), sizeof *s.seen);
    int rc = s.pos && s.nudge && s.trail && s.frames && s.cands && s.seen ? 0 : -1;
    *result = CS_SWEEP_GAVE_UP;
    for (size_t c = 0; rc == 0 && c < s.C; c++) {
        hash_class(&s, class_of(&s, c), +1);
        for (size_t p = 0; p < in->chains[c].n; p++) count_event(s.pool, &in->chains[c].ev[p], 1);
    }
    /* Attempts take the three orders in turn, plain the first time round and shaken after; each
     * round's share of the budget doubles, so a hard instance gets deep searches too. */
    size_t share = 2 * (s.total + 64) * (1 + s.C / 16);
    uint64_t rng = seed;
    for (unsigned round = 0; rc == 0 && *result == CS_SWEEP_GAVE_UP && s.work < budget; round++) {
        s.order = (int)(round % 3);
        double shake = round < 3 ? 0 : s.order == ORDER_ENTRY ? 1.0 : 0.3;
        for (size_t c = 0; c < s.C; c++) s.nudge[c] = shake * (double)(next_random(&rng) >> 11) / 9007199254740992.0;
        if (round > 0 && round % 3 == 0 && share < budget) share *= 2;
        size_t failed_whole = 0;
        for (size_t i = 0; i < n_starts && rc == 0 && s.work < budget; i++) {
            size_t until = s.work + share < budget ? s.work + share : budget;
            int a = attempt(&s, starts[i], until);
            if (a < 0) rc = -1;
            if (a == 1) {
                *result = CS_SWEEP_FOUND;
                rc = write_order(&s, order, n_order);
                break;
            }
            if (a == 2) failed_whole++;
            undo_to(&s, 0);
        }
        /* every start's tree failed whole: the table holds the proof */
        if (rc == 0 && *result == CS_SWEEP_GAVE_UP && n_starts > 0 && failed_whole == n_starts)
            *result = CS_SWEEP_NONE;
    }
    *spent = s.work;
    free(s.pos);
    free(s.nudge);
    free(s.trail);
    free(s.frames);
    free(s.cands);
    free(s.seen);
    bank_state_table_free(&tt);
    return rc;
}
