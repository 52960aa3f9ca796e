/* Grading Project 2's old form, {"pid", "data": [{"id", "name", "clock"}]} (spec L13): each
 * branch's request, execute and response events, and its peers' propagate request and execute,
 * judged by happens-before only (the old form's tick rules differed between courses). */
#include "grade_p2.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/lamport.h"

/* One event the old form logs, needed or (when is_needed is 0) accepted when logged. */
typedef struct {
    int kind; /* bank_p2_old_kind */
    size_t entry, event;
    int64_t process;
    int needed;
    size_t said; /* the item logged for it, or SIZE_MAX */
} slot;

typedef struct {
    const bank_workload *w;
    const bank_p2_student *st;
    slot *slots;
    size_t n, cap;
} old_run;

static int add_slot(old_run *o, slot s)
{
    slot *grown = bank_grow(o->slots, o->n, &o->cap, sizeof *grown);
    if (!grown) return -1;
    o->slots = grown;
    o->slots[o->n++] = s;
    return 0;
}

/* Every write needs its request and execute at its branch and, when it propagates, a
 * propagate request and execute at every other branch. */
static int needed_slots(old_run *o, const unsigned char *propagates)
{
    const bank_workload *w = o->w;
    for (size_t c = 0, k = 0; c < w->n_customers; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++, k++) {
            if (w->customers[c].events[e].op == BANK_OP_QUERY) continue;
            int64_t home = w->branches[w->customers[c].branch_index].id;
            if (add_slot(o, (slot){BANK_P2_OLD_REQUEST, c, e, home, 1, SIZE_MAX}) != 0 ||
                add_slot(o, (slot){BANK_P2_OLD_EXECUTE, c, e, home, 1, SIZE_MAX}) != 0)
                return -1;
            for (size_t b = 0; propagates[k] && b < w->n_branches; b++) {
                if (b == w->customers[c].branch_index) continue;
                if (add_slot(o, (slot){BANK_P2_OLD_PROP_REQUEST, c, e, w->branches[b].id, 1, SIZE_MAX}) != 0 ||
                    add_slot(o, (slot){BANK_P2_OLD_PROP_EXECUTE, c, e, w->branches[b].id, 1, SIZE_MAX}) != 0)
                    return -1;
            }
        }
    return 0;
}

enum { ORIGIN_BROADCAST = BANK_P2_OLD_PROP_RESPONSE + 1 }; /* "propagate_execute" at the origin */

/* What an event named `kind` is where it was logged: the names differ between courses (a
 * peer's "deposit_execute" and "deposit_broadcast_execute" both apply a propagation), so the
 * branch it was logged at decides. -1: none of the form's events. */
static int effective(int kind, int at_home)
{
    switch (kind) {
    case BANK_P2_OLD_REQUEST: return at_home ? BANK_P2_OLD_REQUEST : BANK_P2_OLD_PROP_REQUEST;
    case BANK_P2_OLD_EXECUTE: return at_home ? BANK_P2_OLD_EXECUTE : BANK_P2_OLD_PROP_EXECUTE;
    case BANK_P2_OLD_RESPONSE: return at_home ? BANK_P2_OLD_RESPONSE : BANK_P2_OLD_PROP_RESPONSE;
    case BANK_P2_OLD_PROP_REQUEST: return at_home ? -1 : BANK_P2_OLD_PROP_REQUEST;
    case BANK_P2_OLD_PROP_EXECUTE: return at_home ? ORIGIN_BROADCAST : BANK_P2_OLD_PROP_EXECUTE;
    case BANK_P2_OLD_PROP_RESPONSE: return BANK_P2_OLD_PROP_RESPONSE; /* received at the origin, or
                                                                        sent by a peer */
    }
    return -1;
}

/* Matches item i to a slot (1), or to none (0, and why); -1 out of memory. */
static int take(old_run *o, size_t i, char *why, size_t n)
{
    const bank_p2_said *s = &o->st->items[i];
    snprintf(why, n, "names no event of the input (no such request)");
    if (s->old_kind < 0 || !s->op_known) {
        snprintf(why, n, "an event name the old form does not have (<deposit|withdraw|query>"
                         "[_propagate]_<request|execute|response>)");
        return 0;
    }
    size_t entry, event;
    for (size_t skip = 0; s->has_request &&
                          bank_p2_find_request(o->w, s->request, INT64_MIN, INT64_MIN, skip, &entry, &event) == 0;
         skip++) {
        const bank_event *want = &o->w->customers[entry].events[event];
        if (want->op != s->op) {
            snprintf(why, n, "request %" PRId64 " is a %s", want->id, bank_op_name(want->op));
            continue;
        }
        int at_home = o->w->branches[o->w->customers[entry].branch_index].id == s->process;
        int kind = effective(s->old_kind, at_home);
        if (kind < 0) {
            snprintf(why, n, "a propagation's request logged at the branch the request came from");
            continue;
        }
        int twice = 0;
        for (size_t k = 0; k < o->n; k++) {
            slot *sl = &o->slots[k];
            if (sl->kind != kind || sl->entry != entry || sl->event != event || sl->process != s->process) continue;
            if (sl->said == SIZE_MAX) {
                sl->said = i;
                return 1;
            }
            twice = 1;
        }
        /* a response, an acknowledgement (the origin gets one per peer), the origin's broadcast,
           or a query's events: accepted when logged */
        int optional = kind == BANK_P2_OLD_PROP_RESPONSE ? !twice || at_home
                       : kind == BANK_P2_OLD_RESPONSE || kind == ORIGIN_BROADCAST ||
                               (want->op == BANK_OP_QUERY && at_home)
                           ? !twice
                           : 0;
        if (optional) return add_slot(o, (slot){kind, entry, event, s->process, 0, i}) == 0 ? 1 : -1;
        if (twice) snprintf(why, n, "logged twice");
    }
    return 0;
}

typedef struct {
    bank_clock_edge *items;
    size_t n, cap;
} edges;

static int edge(edges *e, size_t from, size_t to, int message)
{
    bank_clock_edge *grown = bank_grow(e->items, e->n, &e->cap, sizeof *grown);
    if (!grown) return -1;
    e->items = grown;
    e->items[e->n++] = (bank_clock_edge){from, to, message};
    return 0;
}

typedef struct {
    size_t entry, event;
    uint64_t clock;
    size_t slot;
} placed;

static int by_request_clock(const void *a, const void *b)
{
    const placed *x = a, *y = b;
    if (x->entry != y->entry) return x->entry < y->entry ? -1 : 1;
    if (x->event != y->event) return x->event < y->event ? -1 : 1;
    if (x->clock != y->clock) return x->clock < y->clock ? -1 : 1;
    return (x->slot > y->slot) - (x->slot < y->slot);
}

/* The edges among one request's events g[0..n) (clock order), points[] numbering the slots;
 * `before` lists the request's events at its branch that its customer's next request follows. */
static int request_edges(const old_run *o, const placed *g, size_t n, const size_t *point, edges *out)
{
    int64_t home = o->w->branches[o->w->customers[g[0].entry].branch_index].id;
    size_t req = SIZE_MAX, exe = SIZE_MAX;
    for (size_t k = 0; k < n; k++) {
        const slot *s = &o->slots[g[k].slot];
        if (s->kind == BANK_P2_OLD_REQUEST) req = point[g[k].slot];
        if (s->kind == BANK_P2_OLD_EXECUTE) exe = point[g[k].slot];
    }
    int rc = req != SIZE_MAX && exe != SIZE_MAX ? edge(out, req, exe, 0) : 0;
    size_t acks = 0, executed = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        const slot *s = &o->slots[g[k].slot];
        size_t at = point[g[k].slot];
        int at_home = s->process == home;
        if ((s->kind == BANK_P2_OLD_RESPONSE || s->kind == ORIGIN_BROADCAST) && exe != SIZE_MAX)
            rc = edge(out, exe, at, 0);
        if (s->kind == BANK_P2_OLD_PROP_REQUEST && exe != SIZE_MAX) rc = edge(out, exe, at, 1);
        if (s->kind == BANK_P2_OLD_PROP_RESPONSE && at_home && exe != SIZE_MAX) rc = edge(out, exe, at, 0);
        for (size_t j = 0; j < n && rc == 0 && !at_home; j++) { /* a peer's own order */
            const slot *t = &o->slots[g[j].slot];
            if (t->process != s->process) continue;
            if ((s->kind == BANK_P2_OLD_PROP_EXECUTE && t->kind == BANK_P2_OLD_PROP_REQUEST) ||
                (s->kind == BANK_P2_OLD_PROP_RESPONSE && t->kind == BANK_P2_OLD_PROP_EXECUTE))
                rc = edge(out, point[g[j].slot], at, 0);
        }
        acks += s->kind == BANK_P2_OLD_PROP_RESPONSE && at_home;
        executed += s->kind == BANK_P2_OLD_PROP_EXECUTE;
    }
    /* The i-th acknowledgement the branch received, in clock order, came from some peer after
     * its execute: pairing both in clock order is the assignment that can satisfy them all. */
    for (size_t i = 0, a = 0, x = 0; rc == 0 && i < (acks < executed ? acks : executed); i++) {
        while (!(o->slots[g[a].slot].kind == BANK_P2_OLD_PROP_RESPONSE && o->slots[g[a].slot].process == home)) a++;
        while (o->slots[g[x].slot].kind != BANK_P2_OLD_PROP_EXECUTE) x++;
        rc = edge(out, point[g[x++].slot], point[g[a++].slot], 1);
    }
    return rc;
}

static void label_of(const old_run *o, const slot *s, char *buf, size_t n)
{
    static const char *const phase[] = {"request", "execute", "response"};
    int prop = s->kind >= BANK_P2_OLD_PROP_REQUEST;
    int kind = s->kind == ORIGIN_BROADCAST ? BANK_P2_OLD_PROP_EXECUTE : s->kind;
    snprintf(buf, n, "branch %" PRId64 ": request %" PRId64 " %s%s_%s (old form)", s->process,
             o->w->customers[s->entry].events[s->event].id,
             bank_op_name(o->w->customers[s->entry].events[s->event].op), prop ? "_propagate" : "",
             phase[prop ? kind - BANK_P2_OLD_PROP_REQUEST : kind]);
}

static int verdicts(const old_run *o, const bank_clock_problem *problems, size_t n_problems,
                    const size_t *point, bank_grade_report *r)
{
    int rc = 0;
    for (size_t k = 0; k < o->n && rc == 0; k++) {
        const slot *s = &o->slots[k];
        const bank_p2_said *said = s->said == SIZE_MAX ? NULL : &o->st->items[s->said];
        char label[256];
        label_of(o, s, label, sizeof label);
        if (!said) {
            rc = bank_p2_verdict(r, o->w, BANK_VERDICT_MISSING, s->entry, s->event, label, NULL,
                                 "the input requires it; not logged");
            r->n_events++;
            continue;
        }
        r->n_events += s->needed;
        if (point[k] == SIZE_MAX) {
            rc = bank_p2_verdict(r, o->w, BANK_VERDICT_MISSING, s->entry, s->event, label, said,
                                 "logged without a clock (%s)", said->clock_text ? said->clock_text : "none");
            continue;
        }
        const bank_clock_problem *p = NULL;
        for (size_t j = 0; j < n_problems && !p; j++)
            if (problems[j].event == point[k]) p = &problems[j];
        if (!p) {
            if (s->needed) rc = bank_p2_verdict(r, o->w, BANK_VERDICT_OK, s->entry, s->event, label, said, NULL);
            continue;
        }
        const char *why = p->fault == BANK_CLOCK_NOT_AFTER_SEND ? "not after the message it received"
                          : p->fault == BANK_CLOCK_SAME_AS_OTHER ? "the same clock as another event of this branch"
                                                                 : "not after an event its branch had before it";
        uint64_t other = 0;
        for (size_t j = 0; j < o->n; j++)
            if (point[j] == p->other) other = o->st->items[o->slots[j].said].clock;
        rc = bank_p2_verdict(r, o->w, BANK_VERDICT_CLOCK_ORDER, s->entry, s->event, label, said,
                             "clock %" PRIu64 ", %s (at clock %" PRIu64 ")", said->clock, why, other);
    }
    return rc;
}

int bank_grade_p2_old(const bank_workload *w, const bank_p2_student *st, bank_grade_report *r)
{
    old_run o = {w, st, NULL, 0, 0};
    size_t n_events = bank_workload_event_count(w);
    unsigned char *propagates = malloc(n_events ? n_events : 1);
    int rc = propagates ? 0 : -1;
    for (size_t c = 0, k = 0; rc == 0 && c < w->n_customers; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++, k++) {
            int must = bank_p2_must_propagate(w, c, e);
            propagates[k] = must == 1;
            for (size_t i = 0; must < 0 && i < st->n; i++) { /* logged as propagated: then it did */
                const bank_p2_said *s = &st->items[i];
                size_t entry, event;
                if (s->place == BANK_P2_IN_OLD && s->has_request && /* logged at another branch */
                    bank_p2_find_request(w, s->request, INT64_MIN, s->process, 0, &entry, &event) == 0 &&
                    entry == c && event == e)
                    propagates[k] = 1;
            }
        }
    if (rc == 0) rc = needed_slots(&o, propagates);
    free(propagates);
    for (size_t i = 0; rc == 0 && i < st->n; i++) {
        if (st->items[i].place != BANK_P2_IN_OLD) continue;
        char why[200];
        int taken = take(&o, i, why, sizeof why);
        if (taken < 0) rc = -1;
        else if (!taken) {
            const bank_p2_said *s = &st->items[i];
            char label[256];
            snprintf(label, sizeof label, "branch %" PRId64 ": request %" PRId64 " %s (old form)", s->process,
                     s->request, s->interface ? s->interface : "(no name)");
            rc = bank_p2_verdict(r, w, BANK_VERDICT_EXTRA, SIZE_MAX, SIZE_MAX, label, s, "%s", why);
        }
    }
    /* the events logged with a clock, request by request in clock order */
    size_t *point = malloc((o.n ? o.n : 1) * sizeof *point);
    placed *order = malloc((o.n ? o.n : 1) * sizeof *order);
    bank_clock_point *points = malloc((o.n ? o.n : 1) * sizeof *points);
    edges e = {0};
    bank_clock_problem *problems = NULL;
    size_t m = 0, n_problems = 0;
    if (rc == 0 && (!point || !order || !points)) rc = -1;
    for (size_t k = 0; rc == 0 && k < o.n; k++) {
        const bank_p2_said *s = o.slots[k].said == SIZE_MAX ? NULL : &st->items[o.slots[k].said];
        point[k] = SIZE_MAX;
        if (!s || !s->has_clock) continue;
        size_t b = bank_workload_branch_index(w, o.slots[k].process);
        /* not a receive: only --strict reads that, and the old form is checked without it (its
           events name no message whose clock a receive ticks from) */
        points[m] = (bank_clock_point){s->clock, b, 0};
        order[m] = (placed){o.slots[k].entry, o.slots[k].event, s->clock, k};
        point[k] = m++;
    }
    if (rc == 0) qsort(order, m, sizeof *order, by_request_clock);
    size_t prev_from = SIZE_MAX, prev_to = 0;
    for (size_t k = 0; rc == 0 && k < m;) {
        size_t end = k;
        while (end < m && order[end].entry == order[k].entry && order[end].event == order[k].event) end++;
        rc = request_edges(&o, order + k, end - k, point, &e);
        /* the customer's next request at its branch follows this one's events there */
        int64_t home = w->branches[w->customers[order[k].entry].branch_index].id;
        if (prev_from != SIZE_MAX && order[prev_from].entry == order[k].entry)
            for (size_t j = prev_from; rc == 0 && j < prev_to; j++)
                for (size_t i = k; rc == 0 && i < end; i++)
                    if (o.slots[order[j].slot].process == home && o.slots[order[i].slot].kind == BANK_P2_OLD_REQUEST)
                        rc = edge(&e, point[order[j].slot], point[order[i].slot], 0);
        prev_from = k;
        prev_to = end;
        k = end;
    }
    if (rc == 0) rc = bank_clock_check(points, m, e.items, e.n, 0, &problems, &n_problems);
    if (rc == 0) rc = verdicts(&o, problems, n_problems, point, r);
    free(point);
    free(order);
    free(points);
    free(e.items);
    free(problems);
    free(o.slots);
    return rc;
}
