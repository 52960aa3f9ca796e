/* What the search behind --consistent shares among its files (claim_search.c the branching, the
 * walk and the answer; claim_state.c the state kept incrementally and the moves that change
 * nothing; claim_bound.c the lower bound): the search's state and its small helpers. Internal to
 * those three files. Pure C. */
#ifndef BANK_CORE_CLAIM_STATE_H
#define BANK_CORE_CLAIM_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "claim_search.h"

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
    uint64_t *deadmark;             /* lower_bound: deadmark[a] == wnow when a's answer is dead */
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
    /* per-node scratch; the stamps and generations are 64-bit: they never wrap, so nothing clears them */
    uint64_t *stamp, *gstamp, now;
    uint32_t *dead, *soft, *touched;
    size_t n_touched;
    int64_t *wkey;
    uint32_t *wcount;
    uint64_t *wgen, wnow;
    size_t wcap;
    bank_state_table *tt;
    size_t budget, states;
} search;

/* ---- hashing (bank_mix, bank_mix2: state_table.h) ---- */

#define SALT_CREDIT 0x3c6ef372fe94f82bull
#define SALT_PICK 0xa54ff53a5f1d36f1ull
#define SALT_NET 0x510e527fade682d1ull

/* ---- reading the state ---- */

static inline const cs_event *current(const search *s, size_t a, const cs_option **opts, size_t *n)
{
    *opts = s->view[a].opt;
    *n = s->view[a].n;
    return s->view[a].ev;
}

static inline int done(const search *s, size_t a) { return s->view[a].ev == NULL; }

/* A real entry still at its first answer, which a credit may stand for. */
static inline int creditable(const search *s, size_t a) { return s->view[a].salt; }

static inline int guard_holds(const cs_option *o, int64_t net) { return o->lo <= net && net <= o->hi; }

/* claim_state.c: moves, drops and credits, recorded on the trail; undone back to a mark. */
void cs_account(search *s, size_t a, int sign);
int cs_do_move(search *s, size_t a, size_t k);
int cs_do_drop(search *s, size_t a);
int cs_do_credit(search *s, uint32_t g);
void cs_undo_to(search *s, size_t mark);
/* The moves that change nothing, taken without branching. */
int cs_free_move(const search *s, size_t a, uint32_t bound);
int cs_closure(search *s, uint32_t bound);

/* claim_bound.c: the drops still needed from here (LB_INFINITE: none will do), and who waits. */
uint32_t cs_lower_bound(search *s);
uint32_t cs_waiting(const search *s, int64_t v);

#endif
