/* The search behind --consistent: the branching (which moves, credits and drops to try, in which
 * order), the depth-first walk, and the execution it found. See claim_search.h. Pure C. */
#include "claim_search.h"

#include <stdlib.h>
#include <string.h>

#include "claim_state.h"

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
    int32_t score = (int32_t)cs_waiting(s, after);
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
    while (!done(s, a) && cs_free_move(s, a, bound)) {
        const cs_option *o;
        size_t n;
        const cs_event *e = current(s, a, &o, &n);
        *honoured += e->tag != CS_FREE && !s->dropped[a];
        if (cs_do_move(s, a, 0) != 0) return -1;
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
    if (cs_do_credit(s, g) != 0 || settle(s, t, bound - 1, &honoured) != 0) return -1;
    int rc = 0;
    /* an agent already here with the token's rest could make its move: the credit can wait
     * until that agent has moved, and is taken then if needed at all (unless it honours answers
     * at the net of now) */
    if (!honoured && !done(s, t) && s->in_class[s->view[t].cls] > 1) {
        cs_undo_to(s, mark);
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
    cs_undo_to(s, mark);
    return rc;
}

/* One candidate per class of alike agents: moves, then credits, then drops. */
static int expand(search *s, uint32_t bound)
{
    size_t first = s->n_cands;
    s->now++; /* a new stamp: what this node marks */
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
            if (n == 1 && o[k].delta == 0 && (cs_free_move(s, a, bound) || (salt && s->at0[g] <= s->credits[g])))
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
    return (bank_state_key){s->k1 + bank_mix((uint64_t)s->net ^ SALT_NET), s->k2 + bank_mix2((uint64_t)s->net ^ SALT_NET)};
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
        if (cs_closure(s, bound) != 0) return NODE_OOM;
        if (solved(s)) return NODE_SOLVED;
        lb = cs_lower_bound(s);
        if (lb > bound || s->n_forced == 0) break;
        /* a query no execution can give must be dropped: at once, as it changes nothing */
        for (uint32_t i = 0; i < s->n_forced; i++) {
            bound--;
            if (cs_do_drop(s, s->forced[i]) != 0 || cs_do_move(s, s->forced[i], 0) != 0) return NODE_OOM;
        }
    }
    bank_state_key key = state_key(s);
    if (lb > bound || bank_state_table_failed(s->tt, key) >= (long)bound) {
        cs_undo_to(s, mark);
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
    case C_MOVE: return cs_do_move(s, c->who, c->opt);
    case C_CREDIT:
        (*bound)--;
        if (cs_do_credit(s, c->who) != 0 || settle(s, t, *bound, &honoured) != 0) return -1;
        if (c->opt == NO_MOVE) return 0;
        if (c->opt & CREDIT_DROP) {
            (*bound)--;
            if (cs_do_drop(s, t) != 0) return -1;
        }
        return cs_do_move(s, t, c->opt & ~CREDIT_DROP);
    default: (*bound)--; return cs_do_drop(s, c->who) != 0 ? -1 : cs_do_move(s, c->who, c->opt);
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
            cs_undo_to(s, f->mark);
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

/* Entries whose first answer may be dropped, grouped by what is left once it is (once, on a
 * search search_init has just zeroed). */
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
    for (size_t a = 0; a < C; a++) cs_account(s, a, 1);
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
