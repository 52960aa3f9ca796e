/* The search's state, kept incrementally as agents move, drop answers and take credits (every
 * step on the trail, undone back to a mark), and the moves that change nothing, taken without
 * branching. See claim_state.h. Pure C. */
#include "claim_state.h"

#include <stdlib.h>
#include <string.h>

/* ---- the state, kept incrementally ---- */




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
void cs_account(search *s, size_t a, int sign)
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
    s->k1 += (uint64_t)sign * bank_mix(u);
    s->k2 += (uint64_t)sign * bank_mix2(u);
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

int cs_do_move(search *s, size_t a, size_t k)
{
    const cs_option *o;
    size_t n;
    current(s, a, &o, &n);
    trail_entry t = {T_MOVE, (uint8_t)k, s->dropped[a], (uint8_t)s->xflag, (uint32_t)a, s->pos[a], s->net};
    if (push_trail(s, t) != 0) return -1;
    cs_account(s, a, -1);
    s->pos[a]++;
    s->dropped[a] = 0;
    cs_account(s, a, 1);
    s->net += o[k].delta; /* checked by the caller */
    return 0;
}

int cs_do_drop(search *s, size_t a)
{
    const cs_option *o;
    size_t n;
    const cs_event *e = current(s, a, &o, &n);
    trail_entry t = {T_DROP, 0, 0, (uint8_t)s->xflag, (uint32_t)a, s->pos[a], s->net};
    if (push_trail(s, t) != 0) return -1;
    cs_account(s, a, -1);
    s->dropped[a] = 1;
    cs_account(s, a, 1);
    if (e->tag == CS_PICK) set_x(s, 1);
    return 0;
}

int cs_do_credit(search *s, uint32_t g)
{
    size_t a = s->n_agents;
    trail_entry t = {T_CREDIT, 0, 0, (uint8_t)s->xflag, (uint32_t)a, 0, s->net};
    if (a == s->cap_agents || push_trail(s, t) != 0) return -1;
    s->n_agents++;
    s->chain[a] = s->rep[g];
    s->pos[a] = 0;
    s->dropped[a] = 1;
    s->real[a] = 0;
    cs_account(s, a, 1);
    group_balance(s, g, 1);
    s->credits[g]++;
    group_balance(s, g, 0);
    s->k1 += bank_mix(SALT_CREDIT + g);
    s->k2 += bank_mix2(SALT_CREDIT + g);
    s->stl -= s->in->chains[s->rep[g]].dtl[0]; /* the entry it stands for will not run its rest */
    s->sth -= s->in->chains[s->rep[g]].dth[0];
    s->deps -= s->in->chains[s->rep[g]].deps[0];
    s->wds -= s->in->chains[s->rep[g]].wds[0];
    s->credits_total++;
    if (s->pick[g]) set_x(s, 1);
    return 0;
}

void cs_undo_to(search *s, size_t mark)
{
    while (s->n_trail > mark) {
        trail_entry *t = &s->trail[--s->n_trail];
        size_t a = t->agent;
        if (t->kind == T_MOVE) {
            cs_account(s, a, -1);
            s->pos[a]--;
            s->dropped[a] = t->prev_dropped;
            cs_account(s, a, 1);
        } else if (t->kind == T_DROP) {
            cs_account(s, a, -1);
            s->dropped[a] = 0;
            cs_account(s, a, 1);
        } else {
            uint32_t g = s->group_of[s->chain[a]]; /* a token runs its group's representative */
            cs_account(s, a, -1);
            group_balance(s, g, 1);
            s->credits[g]--;
            group_balance(s, g, 0);
            s->k1 -= bank_mix(SALT_CREDIT + g);
            s->k2 -= bank_mix2(SALT_CREDIT + g);
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


/* The agent's event can be taken now at no cost to any solution: it changes nothing, its guard
 * holds, and it could not be taken any other way (a query, dropped or not, changes nothing; a
 * withdrawal answered "fail" could, dropped, succeed later, so with drops to spare it is a
 * choice). */
int cs_free_move(const search *s, size_t a, uint32_t bound)
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
int cs_closure(search *s, uint32_t bound)
{
    /* the list changes as agents finish: walk it from the end, which stays put */
    for (size_t i = s->n_alive; i-- > 0;) {
        if (i >= s->n_alive) continue;
        size_t a = s->alive[i];
        while (!done(s, a) && s->view[a].zero && s->view[a].zlo <= s->net && s->net <= s->view[a].zhi &&
               cs_free_move(s, a, bound))
            if (cs_do_move(s, a, 0) != 0) return -1;
    }
    return 0;
}

