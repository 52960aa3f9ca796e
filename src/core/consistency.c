#include "consistency.h"

#include <stdlib.h>
#include <string.h>

#include "claim_alone.h"
#include "claim_greedy.h"
#include "claim_instance.h"
#include "claim_search.h"
#include "claim_sweep.h"
#include "schedule.h"

#define DEFAULT_BUDGET 1000000u
#define MAX_STARTS 4096u

/* ---- the answers and what the searches may do with them ---- */

typedef struct {
    const bank_workload *w;
    bank_claim *const *claims;
    bank_consistency_result *out;
    uint8_t **tags;      /* per answer: CS_FREE, CS_CLAIM, CS_KEPT or CS_PICK */
    size_t budget, spent;
} judge;

typedef struct {
    int backward;
    cs_instance in;
    int64_t *starts;
    size_t n_starts;
    int usable;
} direction;

static int droppable(const judge *j, size_t c, size_t e)
{
    const bank_claim *cl = &j->claims[c][e];
    const bank_event *ev = &j->w->customers[c].events[e];
    return cl->printed && j->out->status[c][e] == BANK_CLAIM_OK && !(ev->op == BANK_OP_DEPOSIT && cl->success);
}

static int build_direction(judge *j, int backward, direction *d)
{
    memset(d, 0, sizeof *d);
    d->backward = backward;
    if (cs_instance_build(j->w, j->claims, j->tags, backward, &d->in) != 0) return -1;
    d->usable = 1;
    if (!backward) {
        d->starts = malloc(sizeof *d->starts);
        if (!d->starts) return -1;
        d->starts[0] = 0;
        d->n_starts = 1;
        return 0;
    }
    int rc = cs_start_nets(&d->in, MAX_STARTS, &d->starts, &d->n_starts);
    if (rc == 1) d->usable = 0; /* too many possible final nets: forward only */
    return rc < 0 ? -1 : 0;
}

static void direction_free(direction *d)
{
    cs_instance_free(&d->in);
    free(d->starts);
    memset(d, 0, sizeof *d);
}

/* How many kinds of entries are left once each has honoured its first answer: the direction
 * with fewer finds entries alike sooner. */
static int kinds_after_first_answer(const cs_instance *in, size_t *n)
{
    size_t C = in->n_chains;
    uint32_t *seen = calloc(in->n_classes + 1, sizeof *seen);
    *n = 0;
    if (!seen) return -1;
    for (size_t c = 0; c < C; c++) {
        const cs_chain *ch = &in->chains[c];
        size_t p = 0;
        while (p < ch->n && ch->ev[p].tag == CS_FREE) p++;
        uint32_t k = p < ch->n ? ch->cls[p + 1] : ch->cls[0];
        if (!seen[k]) (*n)++;
        seen[k] = 1;
    }
    free(seen);
    return 0;
}

static size_t left(const judge *j) { return j->budget > j->spent ? j->budget - j->spent : 0; }

/* One search with its own table of states. */
static int run(judge *j, const direction *d, uint32_t bound, int need_pick, size_t budget,
               bank_state_table *tt, cs_outcome *o)
{
    int rc = cs_search(&d->in, d->starts, d->n_starts, bound, need_pick, budget, tt, o);
    j->spent += o->states;
    return rc;
}

/* ---- the smallest number of answers to set aside (G16) ---- */

typedef struct {
    int found, proven;
    uint32_t lower;      /* fewer drops than this are impossible */
    const direction *dir;
    cs_outcome best;     /* found: a solution (the smallest when proven) */
    cs_answer *pre;      /* answers set aside before best's search began (it drops the rest) */
    size_t n_pre;
} minimum;

/* An order run on the answers: every answer it does not give is dropped. A solution in linear
 * time; the smallest when the file came from that order. */
static int run_order(judge *j, const bank_step *order, size_t n, cs_outcome *o)
{
    const bank_workload *w = j->w;
    memset(o, 0, sizeof *o);
    o->steps = malloc((n ? n : 1) * sizeof *o->steps);
    o->dropped = malloc((n ? n : 1) * sizeof *o->dropped);
    if (!o->steps || !o->dropped) {
        cs_outcome_free(o);
        return -1;
    }
    int64_t net = 0;
    for (size_t i = 0; i < n; i++) {
        size_t c = order[i].customer, e = order[i].event;
        const bank_event *ev = &w->customers[c].events[e];
        const bank_claim *cl = &j->claims[c][e];
        int64_t bal = w->branches[w->customers[c].branch_index].balance + net, before = net;
        int success = 1, agrees = 1;
        if (ev->op == BANK_OP_QUERY) agrees = cl->balance == bal;
        else if (ev->op == BANK_OP_DEPOSIT) net += ev->money;
        else if ((success = bal >= ev->money)) net -= ev->money;
        if (ev->op != BANK_OP_QUERY) agrees = cl->success == success;
        if (j->tags[c][e] == CS_CLAIM && !agrees) o->dropped[o->n_dropped++] = (cs_answer){(uint32_t)c, (uint32_t)e};
        o->steps[o->n_steps++] = (cs_step){(uint32_t)c, (uint32_t)e, (uint8_t)success, ev->op == BANK_OP_QUERY ? before : net};
    }
    o->found = 1;
    return 0;
}

/* The orders tried before any search: the two reference schedules (S3, S4; most files come
 * from one of them) and the greedy guess at a live run's (claim_greedy.h). 0 ok (o->found 0 when
 * there is no such order), -1 out of memory. */
static int probe(judge *j, int which, cs_outcome *o)
{
    bank_step *order = NULL;
    size_t n = 0;
    int rc;
    memset(o, 0, sizeof *o);
    if (which < 2) {
        bank_plan plan;
        if (bank_plan_build(j->w, which ? BANK_SCHEDULE_ROUNDS : BANK_SCHEDULE_SEQUENTIAL, &plan) != 0) return -1;
        rc = run_order(j, plan.steps, plan.n_steps, o);
        bank_plan_free(&plan);
        return rc;
    }
    rc = bank_greedy_order(j->w, j->claims, (const uint8_t *const *)j->tags, &order, &n);
    if (rc == 0) rc = run_order(j, order, n, o);
    free(order);
    return rc < 0 ? -1 : 0;
}

/* The sweep (claim_sweep.h) looks for an execution that honours every answer with up to `share`
 * of the budget, two thirds forward and the rest backward (a state of many entries costs many
 * units, G12: one forward pass over 1,000 entries of 10 events takes about a quarter of the
 * default budget). Found, it is the answer (nothing to set aside); proven impossible, at least
 * one answer must go. 0 ok, -1 out of memory. */
static int sweep_all(judge *j, const direction *dirs, size_t n_dirs, size_t share, minimum *m)
{
    cs_sweep_result r = CS_SWEEP_GAVE_UP;
    bank_step *order = NULL;
    size_t n = 0;
    /* forward first (a live run's order), then backward: each finds some the other does not */
    for (int backward = 0; backward < 2 && r == CS_SWEEP_GAVE_UP; backward++) {
        const direction *d = NULL;
        for (size_t i = 0; i < n_dirs; i++)
            if (dirs[i].backward == backward && dirs[i].usable) d = &dirs[i];
        if (!d) continue;
        size_t spent = 0;
        size_t mine = backward ? share / 3 : share - share / 3;
        if (cs_sweep(&d->in, d->starts, d->n_starts, mine, 1, &r, &order, &n, &spent) != 0) return -1;
        j->spent += spent;
        if (r == CS_SWEEP_FOUND) m->dir = d;
    }
    if (r == CS_SWEEP_NONE && m->lower < 1) m->lower = 1;
    if (r != CS_SWEEP_FOUND) return 0;
    cs_outcome o;
    int rc = run_order(j, order, n, &o);
    free(order);
    if (rc != 0) return -1;
    if (o.n_dropped < m->best.n_dropped) {
        cs_outcome_free(&m->best);
        m->best = o;
    } else {
        cs_outcome_free(&o);
    }
    return 0;
}

/* Iterative deepening on the number of drops, below the best the reference schedules give: each
 * bound searched to the end proves that fewer are impossible, and when every bound below theirs
 * is, their solution is a smallest one. The preferred direction may spend half the budget, the
 * other up to nine tenths in all (G12, G19). The sweep goes before it (sweep_first, with three
 * quarters of the budget) or after it, with what is left. */
static int find_minimum(judge *j, const direction *dirs, size_t n_dirs, int sweep_first, minimum *m)
{
    memset(m, 0, sizeof *m);
    for (int which = 0; which < 3; which++) {
        cs_outcome o;
        if (probe(j, which, &o) != 0) return -1;
        if (o.found && (!m->found || o.n_dropped < m->best.n_dropped)) {
            cs_outcome_free(&m->best);
            m->best = o;
            m->found = 1;
            m->dir = &dirs[0];
        } else {
            cs_outcome_free(&o);
        }
    }
    if (sweep_first && m->best.n_dropped > 0 && sweep_all(j, dirs, n_dirs, j->budget - j->budget / 4, m) != 0)
        return -1;
    uint32_t most = (uint32_t)m->best.n_dropped; /* a solution with that many is known */
    if (most == 0) m->proven = 1;
    for (size_t i = 0; i < n_dirs && !m->proven; i++) {
        const direction *d = &dirs[i];
        size_t until = i + 1 < n_dirs ? j->budget / 2 : j->budget - j->budget / 10;
        bank_state_table tt;
        bank_state_table_init(&tt);
        for (uint32_t b = m->lower; b < most && j->spent < until; b++) {
            cs_outcome o;
            if (run(j, d, b, 0, until - j->spent, &tt, &o) != 0) {
                bank_state_table_free(&tt);
                return -1;
            }
            if (o.found) {
                cs_outcome_free(&m->best);
                m->best = o;
                m->proven = 1;
                m->lower = b;
                m->dir = d;
                break;
            }
            int out_of_budget = o.out_of_budget;
            cs_outcome_free(&o);
            if (out_of_budget) break;
            m->lower = b + 1;
        }
        bank_state_table_free(&tt);
        if (m->lower == most) m->proven = 1; /* every bound below the schedules' failed */
    }
    if (!sweep_first && !m->proven && sweep_all(j, dirs, n_dirs, left(j), m) != 0) return -1;
    if (m->best.n_dropped == 0) m->proven = 1;
    return 0;
}

/* ---- which smallest set: the earliest in the file (G17) ---- */

typedef struct {
    uint64_t rank;
    uint32_t c, e;
} answer_ref;

static int cmp_answer(const void *x, const void *y)
{
    const answer_ref *a = x, *b = y;
    if (a->rank != b->rank) return (a->rank > b->rank) - (a->rank < b->rank);
    if (a->c != b->c) return (a->c > b->c) - (a->c < b->c);
    return (a->e > b->e) - (a->e < b->e);
}

typedef struct {
    answer_ref *cands; /* every answer that may be set aside, earliest first */
    size_t n;
    size_t *offset;    /* offset[c]: entry c's first event in place[] */
    size_t *place;     /* place[offset[c] + e]: the answer's index in cands, or SIZE_MAX */
} ranking;

static void ranking_free(ranking *r)
{
    free(r->cands);
    free(r->offset);
    free(r->place);
}

static int make_ranking(const judge *j, ranking *r)
{
    size_t C = j->w->n_customers, total = bank_workload_event_count(j->w);
    memset(r, 0, sizeof *r);
    r->cands = malloc((total ? total : 1) * sizeof *r->cands);
    r->offset = malloc((C + 1) * sizeof *r->offset);
    r->place = malloc((total ? total : 1) * sizeof *r->place);
    if (!r->cands || !r->offset || !r->place) return -1;
    for (size_t c = 0, o = 0; c < C; c++) {
        r->offset[c] = o;
        for (size_t e = 0; e < j->w->customers[c].n_events; e++, o++) {
            r->place[o] = SIZE_MAX;
            if (droppable(j, c, e))
                r->cands[r->n++] = (answer_ref){j->claims[c][e].rank, (uint32_t)c, (uint32_t)e};
        }
    }
    qsort(r->cands, r->n, sizeof *r->cands, cmp_answer);
    for (size_t i = 0; i < r->n; i++) r->place[r->offset[r->cands[i].c] + r->cands[i].e] = i;
    return 0;
}

/* The earliest answer (index in cands) o drops at or after `from`; r->n if none. */
static size_t first_dropped(const ranking *r, const cs_outcome *o, size_t from)
{
    size_t best = r->n;
    for (size_t i = 0; i < o->n_dropped; i++) {
        size_t at = r->place[r->offset[o->dropped[i].entry] + o->dropped[i].event];
        if (at != SIZE_MAX && at >= from && at < best) best = at;
    }
    return best;
}

/* Is there a solution with `need` more drops, one of them among cands[from..upto), the earlier
 * answers kept and those chosen already set aside? */
static int test(judge *j, const ranking *r, const uint8_t *chosen, size_t from, size_t upto, uint32_t need,
                int backward, cs_outcome *o)
{
    for (size_t i = 0; i < r->n; i++)
        j->tags[r->cands[i].c][r->cands[i].e] = chosen[i] ? CS_FREE
                                                : i < from ? CS_KEPT
                                                : i < upto ? CS_PICK
                                                           : CS_CLAIM;
    direction d;
    int rc = build_direction(j, backward, &d);
    bank_state_table tt;
    bank_state_table_init(&tt);
    if (rc == 0) rc = run(j, &d, need, 1, left(j), &tt, o);
    bank_state_table_free(&tt);
    direction_free(&d);
    return rc;
}

/* Among the smallest sets, the first in file order (compared at their earliest difference): for
 * each place of the set in turn, is there a solution that sets aside an answer earlier than the
 * incumbent's (along with those chosen before, every answer passed over kept)? If so it is the
 * new incumbent and the question is asked again; if not, the incumbent's answer is chosen. 1
 * done, 0 the budget ran out first (m->best stays a smallest set), -1 out of memory. */
static int break_ties(judge *j, minimum *m)
{
    ranking r;
    uint8_t *chosen = NULL;
    int rc = -1;
    if (make_ranking(j, &r) != 0 || !(chosen = calloc(r.n ? r.n : 1, 1)) ||
        !(m->pre = malloc((r.n ? r.n : 1) * sizeof *m->pre)))
        goto out;
    size_t from = 0;
    rc = 1;
    for (uint32_t need = m->lower; need > 0 && rc == 1; need--) {
        size_t hi = first_dropped(&r, &m->best, from); /* the incumbent sets it aside */
        while (hi > from && rc == 1) {
            cs_outcome o;
            if (test(j, &r, chosen, from, hi, need, m->dir->backward, &o) != 0) {
                rc = -1;
            } else if (o.found) {
                cs_outcome_free(&m->best);
                m->best = o;
                hi = first_dropped(&r, &m->best, from);
                m->n_pre = 0;
                for (size_t i = 0; i < r.n; i++)
                    if (chosen[i]) m->pre[m->n_pre++] = (cs_answer){r.cands[i].c, r.cands[i].e};
            } else {
                rc = o.out_of_budget ? 0 : 1;
                cs_outcome_free(&o);
                break;
            }
        }
        if (rc != 1 || hi >= r.n) break;
        chosen[hi] = 1;
        from = hi + 1;
    }
out:
    /* back to the plain tags for whoever reads them next */
    for (size_t i = 0; r.cands && i < r.n; i++) j->tags[r.cands[i].c][r.cands[i].e] = CS_CLAIM;
    free(chosen);
    ranking_free(&r);
    return rc;
}

/* ---- the judgement ---- */

static int make_witness(judge *j, const cs_outcome *o)
{
    bank_consistency_result *out = j->out;
    out->witness = malloc((o->n_steps ? o->n_steps : 1) * sizeof *out->witness);
    if (!out->witness) return -1;
    for (size_t i = 0; i < o->n_steps; i++) {
        const cs_step *s = &o->steps[i];
        int64_t base = j->w->branches[j->w->customers[s->entry].branch_index].balance;
        out->witness[i] = (bank_witness_step){s->entry, s->event, s->success, base + s->net};
    }
    out->n_witness = o->n_steps;
    return 0;
}

static int judge_alone(judge *j)
{
    bank_alone a;
    if (bank_alone_build(j->w, &a) != 0) return -1;
    int rc = 0;
    for (size_t c = 0; c < j->w->n_customers && rc == 0; c++)
        for (size_t e = 0; e < j->w->customers[c].n_events && rc == 0; e++) {
            int possible = bank_alone_possible(&a, &j->claims[c][e], c, e);
            if (possible < 0) rc = -1;
            if (possible == 0) {
                j->out->status[c][e] = BANK_CLAIM_WRONG_ALONE;
                j->out->n_alone++;
            }
        }
    bank_alone_free(&a);
    return rc;
}

static int decide(judge *j)
{
    bank_consistency_result *out = j->out;
    for (size_t c = 0; c < j->w->n_customers; c++)
        for (size_t e = 0; e < j->w->customers[c].n_events; e++)
            j->tags[c][e] = droppable(j, c, e) ? CS_CLAIM : CS_FREE;
    direction dirs[2];
    memset(dirs, 0, sizeof dirs);
    size_t n_dirs = 0;
    int rc = build_direction(j, 1, &dirs[0]);
    if (rc == 0) rc = build_direction(j, 0, &dirs[1]);
    minimum m = {0};
    if (rc == 0) {
        /* the direction whose entries become alike sooner goes first; backward needs few starts */
        size_t kb = 0, kf = 0;
        if (kinds_after_first_answer(&dirs[0].in, &kb) != 0 || kinds_after_first_answer(&dirs[1].in, &kf) != 0)
            rc = -1;
        if (!dirs[0].usable || kf < kb) {
            direction t = dirs[0];
            dirs[0] = dirs[1];
            dirs[1] = t;
        }
        n_dirs = dirs[1].usable ? 2 : 1;
        /* Where entries soon become alike (the course's inputs: a write then a query each), the
         * exact search is quick and the sweep no help; elsewhere the sweep goes first. */
        size_t kinds = kf < kb ? kf : kb;
        int sweep_first = kinds * 4 > j->w->n_customers;
        if (rc == 0) rc = find_minimum(j, dirs, n_dirs, sweep_first, &m);
    }
    if (rc == 0 && m.proven) {
        out->smallest = 1;
        out->backward = m.dir->backward;
        int broken = m.lower > 0 ? break_ties(j, &m) : 1;
        if (broken < 0) rc = -1;
        out->earliest = broken == 1;
    }
    out->lower_bound = out->n_alone + m.lower;
    /* The answers outside the set fit the witness: ok. Those in it are wrong when the set is
     * proven smallest, or when some answer is surely wrong; else nothing is known of them (G19). */
    if (rc == 0 && m.found) {
        bank_claim_status st = m.proven || m.lower > 0 ? BANK_CLAIM_WRONG : BANK_CLAIM_UNDECIDED;
        for (size_t i = 0; i < m.best.n_dropped + m.n_pre; i++) {
            const cs_answer *a = i < m.n_pre ? &m.pre[i] : &m.best.dropped[i - m.n_pre];
            out->status[a->entry][a->event] = st;
            *(st == BANK_CLAIM_WRONG ? &out->n_wrong : &out->n_undecided) += 1;
        }
        rc = make_witness(j, &m.best);
    }
    cs_outcome_free(&m.best);
    free(m.pre);
    for (size_t i = 0; i < 2; i++) direction_free(&dirs[i]);
    return rc;
}

int bank_consistency_judge(const bank_workload *w, bank_claim *const *claims, size_t budget,
                           bank_consistency_result *out)
{
    memset(out, 0, sizeof *out);
    judge j = {w, claims, out, NULL, budget ? budget : DEFAULT_BUDGET, 0};
    size_t C = w->n_customers;
    int rc = -1;
    out->status = calloc(C ? C : 1, sizeof *out->status);
    out->n_customers = C;
    j.tags = calloc(C ? C : 1, sizeof *j.tags);
    if (!out->status || !j.tags) goto done;
    for (size_t c = 0; c < C; c++) {
        size_t n = w->customers[c].n_events ? w->customers[c].n_events : 1;
        out->status[c] = calloc(n, sizeof **out->status); /* BANK_CLAIM_OK */
        j.tags[c] = calloc(n, 1);
        if (!out->status[c] || !j.tags[c]) goto done;
    }
    if (judge_alone(&j) != 0 || decide(&j) != 0) goto done;
    rc = 0;
done:
    out->states = j.spent;
    for (size_t c = 0; j.tags && c < C; c++) free(j.tags[c]);
    free(j.tags);
    if (rc != 0) bank_consistency_result_free(out);
    return rc;
}

void bank_consistency_result_free(bank_consistency_result *r)
{
    for (size_t c = 0; r->status && c < r->n_customers; c++) free(r->status[c]);
    free(r->status);
    free(r->witness);
    memset(r, 0, sizeof *r);
}
