/* Grading Project 2's current form: the per-process parts and the all-events part, each a view
 * of the whole run judged on its own (see grade_p2.h). */
#include "grade_p2.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/lamport.h"
#include "io/p2_output.h"

int bank_p2_verdict(bank_grade_report *r, const bank_workload *w, bank_verdict_kind kind, size_t entry,
                    size_t event, const char *label, const bank_p2_said *said, const char *fmt, ...)
{
    bank_verdict *grown = bank_grow(r->verdicts, r->n, &r->cap, sizeof *grown);
    if (!grown) return -1;
    r->verdicts = grown;
    bank_verdict *v = &r->verdicts[r->n];
    memset(v, 0, sizeof *v);
    v->kind = kind;
    v->entry = entry;
    v->event = event;
    v->event_id = -1;
    if (entry != SIZE_MAX) {
        v->customer_id = w->customers[entry].id;
        v->event_id = w->customers[entry].events[event].id;
        snprintf(v->interface, sizeof v->interface, "%s", bank_op_name(w->customers[entry].events[event].op));
    }
    if (said) {
        v->file = said->file;
        v->line = said->line;
        v->col = said->col;
    }
    size_t n = strlen(label) + 1;
    if (!(v->label = malloc(n))) return -1;
    memcpy(v->label, label, n);
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        char buf[600];
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        n = strlen(buf) + 1;
        if (!(v->detail = malloc(n))) {
            free(v->label);
            return -1;
        }
        memcpy(v->detail, buf, n);
    }
    r->n++;
    return 0;
}

int bank_p2_find_request(const bank_workload *w, int64_t request, int64_t at, int64_t not_at,
                         size_t skip, size_t *entry, size_t *event)
{
    for (size_t c = 0; c < w->n_customers; c++) {
        int64_t branch = w->branches[w->customers[c].branch_index].id;
        if ((at != INT64_MIN && branch != at) || (not_at != INT64_MIN && branch == not_at)) continue;
        for (size_t e = 0; e < w->customers[c].n_events; e++)
            if (w->customers[c].events[e].id == request && skip-- == 0) {
                *entry = c;
                *event = e;
                return 0;
            }
    }
    return -1;
}

int bank_p2_must_propagate(const bank_workload *w, size_t entry, size_t event)
{
    const bank_event *ev = &w->customers[entry].events[event];
    if (ev->op != BANK_OP_WITHDRAW) return ev->op == BANK_OP_DEPOSIT;
    int64_t low = w->branches[w->customers[entry].branch_index].balance; /* the balance before it
                                                                           can go no lower */
    for (size_t c = 0; c < w->n_customers; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++)
            if ((c != entry || e != event) && w->customers[c].events[e].op == BANK_OP_WITHDRAW &&
                __builtin_sub_overflow(low, w->customers[c].events[e].money, &low))
                return -1;
    return ev->money <= low ? 1 : -1;
}

/* ---- one view ---- */

typedef struct {
    const bank_workload *w;
    const bank_p2_student *st;
    bank_grade_report *rep;
    int all;              /* the all-events view (else the per-process one) */
    size_t *by_id;        /* branch indices in ascending id */
    bank_clock_log need;  /* what this view must hold */
    size_t *start;        /* [entry base + event]: where a request's events start in need */
    size_t *base;         /* [entry]: its first event's number among all */
    size_t *taken;        /* [need index]: the said item matched to it, or SIZE_MAX */
} view;

static int in_view(const view *v, const bank_p2_said *s)
{
    return v->all ? s->place == BANK_P2_IN_ALL : s->place == BANK_P2_IN_CUSTOMERS || s->place == BANK_P2_IN_BRANCHES;
}

/* The index in need of (kind, entry, event, other: the peer sent to, or the branch that
 * received), or SIZE_MAX. */
static size_t needed(const view *v, int kind, size_t entry, size_t event, int64_t other)
{
    size_t i = v->start[v->base[entry] + event];
    if (kind == BANK_CLOCK_CUSTOMER_SENT || kind == BANK_CLOCK_CUSTOMER_RECV) return i + (size_t)kind;
    size_t home = v->w->customers[entry].branch_index;
    for (size_t r = 0, k = 0; r < v->w->n_branches; r++) {
        if (v->by_id[r] == home) continue;
        size_t at = i + 2 + 2 * k++;
        if (at >= v->need.n || v->need.items[at].kind != BANK_CLOCK_BRANCH_SENT || v->need.items[at].entry != entry ||
            v->need.items[at].event != event)
            return SIZE_MAX; /* the request does not propagate */
        if (v->w->branches[v->by_id[r]].id == other) return at + (kind == BANK_CLOCK_BRANCH_RECV);
    }
    return SIZE_MAX;
}

/* The request s names, the skip-th candidate: -1 when there is none. */
static int resolve(const view *v, const bank_p2_said *s, size_t skip, size_t *entry, size_t *event)
{
    const bank_workload *w = v->w;
    if (!s->has_request) { /* a customer's list without request ids: by position */
        for (size_t c = 0; s->kind == BANK_CLOCK_CUSTOMER_SENT && s->position && c < w->n_customers; c++)
            if (w->customers[c].id == s->process && s->position <= w->customers[c].n_events && skip-- == 0) {
                *entry = c;
                *event = s->position - 1;
                return 0;
            }
        return -1;
    }
    switch (s->kind) {
    case BANK_CLOCK_CUSTOMER_SENT:
    case BANK_CLOCK_CUSTOMER_RECV:
    case BANK_CLOCK_BRANCH_SENT: /* the customer N of branch N */
        return bank_p2_find_request(w, s->request, s->process, INT64_MIN, skip, entry, event);
    case BANK_CLOCK_BRANCH_RECV: /* the comment's sender first; the request names it anyway */
        if (s->has_peer && bank_p2_find_request(w, s->request, s->peer, s->process, skip, entry, event) == 0)
            return 0;
        return bank_p2_find_request(w, s->request, INT64_MIN, s->process, skip, entry, event);
    }
    return -1;
}

/* Which event of need s is (SIZE_MAX: none, and why in why[0..n)). */
static size_t match(view *v, const bank_p2_said *s, char *why, size_t n)
{
    snprintf(why, n, "names no event the input requires (no such request at that branch, or one "
                     "that does not propagate)");
    if (s->kind < 0) {
        snprintf(why, n, "cannot tell which event it is (its comment says neither a send nor a "
                         "receive, from or to a customer or a branch)");
        return SIZE_MAX;
    }
    if (!s->has_process) {
        snprintf(why, n, "names no process (no \"id\")");
        return SIZE_MAX;
    }
    int64_t other = s->kind == BANK_CLOCK_BRANCH_SENT ? (s->has_peer ? s->peer : INT64_MIN) : s->process;
    size_t entry, event;
    for (size_t skip = 0; resolve(v, s, skip, &entry, &event) == 0; skip++) {
        const bank_event *want = &v->w->customers[entry].events[event];
        if (s->op_known && s->op != want->op) {
            snprintf(why, n, "request %" PRId64 " is a %s, not a %s", want->id, bank_op_name(want->op),
                     bank_op_name(s->op));
            continue;
        }
        size_t i = needed(v, s->kind, entry, event, other);
        if (i == SIZE_MAX) continue;
        if (v->taken[i] == SIZE_MAX) return i;
        snprintf(why, n, "logged twice");
    }
    return SIZE_MAX;
}

static void label_of(const view *v, const bank_clock_event *e, char *buf, size_t n)
{
    char what[256];
    bank_p2_describe(v->w, e, what, sizeof what);
    snprintf(buf, n, "%s (%s)", what,
             v->all ? "all-events part" : e->kind == BANK_CLOCK_CUSTOMER_SENT ? "customer part" : "branch part");
}

static int extra(view *v, const bank_p2_said *s, const char *why)
{
    char label[320], request[40] = "";
    if (s->has_request) snprintf(request, sizeof request, "request %" PRId64 " ", s->request);
    int customer = s->place == BANK_P2_IN_CUSTOMERS || s->kind == BANK_CLOCK_CUSTOMER_SENT;
    snprintf(label, sizeof label, "%s %" PRId64 ": %s%s, %s (%s)", customer ? "customer" : "branch",
             s->process, request, s->interface ? s->interface : "(no interface)",
             s->comment ? s->comment : "(no comment)",
             v->all ? "all-events part" : customer ? "customer part" : "branch part");
    return bank_p2_verdict(v->rep, v->w, BANK_VERDICT_EXTRA, SIZE_MAX, SIZE_MAX, label, s, "%s", why);
}

/* L9: what this view must hold. A withdrawal that could have failed must propagate only when
 * the view logs a propagation of it. */
static int what_is_needed(view *v)
{
    const bank_workload *w = v->w;
    size_t n = bank_workload_event_count(w);
    unsigned char *propagates = calloc(n ? n : 1, 1);
    if (!propagates) return -1;
    for (size_t c = 0, k = 0; c < w->n_customers; c++) {
        v->base[c] = k;
        for (size_t e = 0; e < w->customers[c].n_events; e++, k++) propagates[k] = bank_p2_must_propagate(w, c, e) == 1;
    }
    for (size_t i = 0; i < v->st->n; i++) {
        const bank_p2_said *s = &v->st->items[i];
        size_t entry, event;
        if (in_view(v, s) && (s->kind == BANK_CLOCK_BRANCH_SENT || s->kind == BANK_CLOCK_BRANCH_RECV) &&
            resolve(v, s, 0, &entry, &event) == 0 && w->customers[entry].events[event].op == BANK_OP_WITHDRAW)
            propagates[v->base[entry] + event] = 1;
    }
    int rc = bank_clock_required(w, propagates, &v->need);
    free(propagates);
    for (size_t i = 0, k = 0; rc == 0 && i < v->need.n; i++)
        if (v->need.items[i].kind == BANK_CLOCK_CUSTOMER_SENT) v->start[k++] = i;
    return rc;
}

static int clock_verdict(view *v, size_t i, const bank_clock_problem *p, const bank_clock_event *ev,
                         const char *label)
{
    const bank_p2_said *s = &v->st->items[v->taken[i]];
    const bank_clock_event *e = &v->need.items[i];
    char other[256] = "";
    uint64_t other_clock = 0;
    if (p->other != SIZE_MAX) {
        bank_p2_describe(v->w, &ev[p->other], other, sizeof other);
        other_clock = ev[p->other].clock;
    }
    switch (p->fault) {
    case BANK_CLOCK_NOT_AFTER_SEND:
        return bank_p2_verdict(v->rep, v->w, BANK_VERDICT_CLOCK_ORDER, e->entry, e->event, label, s,
                               "a receive at %" PRIu64 ", not after its send at %" PRIu64 " (%s)",
                               s->clock, other_clock, other);
    case BANK_CLOCK_NOT_AFTER_PREVIOUS:
        return bank_p2_verdict(v->rep, v->w, BANK_VERDICT_CLOCK_ORDER, e->entry, e->event, label, s,
                               "clock %" PRIu64 ", not after %" PRIu64 " of an event its process had "
                               "before it (%s)", s->clock, other_clock, other);
    case BANK_CLOCK_SAME_AS_OTHER:
        return bank_p2_verdict(v->rep, v->w, BANK_VERDICT_CLOCK_ORDER, e->entry, e->event, label, s,
                               "clock %" PRIu64 " is also its process's clock at another event (%s): "
                               "a process's clocks increase", s->clock, other);
    case BANK_CLOCK_NOT_TICK:
        return bank_p2_verdict(v->rep, v->w, BANK_VERDICT_WRONG_CLOCK, e->entry, e->event, label, s,
                               "L2 gives %" PRIu64 ", got %" PRIu64 "%s%s%s", p->expected, s->clock,
                               other[0] ? " (after " : "", other, other[0] ? ")" : "");
    }
    return 0;
}

/* Every needed event's verdict, in need's order. */
static int judge(view *v, int strict)
{
    size_t n = v->need.n, m = 0;
    bank_clock_event *ev = malloc((n ? n : 1) * sizeof *ev);
    size_t *at = malloc((n ? n : 1) * sizeof *at);
    bank_clock_point *points = malloc((n ? n : 1) * sizeof *points);
    bank_clock_edge *edges = NULL;
    bank_clock_problem *problems = NULL;
    size_t n_edges = 0, n_problems = 0;
    int rc = ev && at && points ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) { /* the events logged with a clock */
        at[i] = SIZE_MAX;
        if (v->taken[i] == SIZE_MAX || !v->st->items[v->taken[i]].has_clock) continue;
        ev[m] = v->need.items[i];
        ev[m].clock = v->st->items[v->taken[i]].clock;
        at[i] = m++;
    }
    if (rc == 0 && (bank_clock_edges(v->w, ev, m, points, &edges, &n_edges) != 0 ||
                    bank_clock_check(points, m, edges, n_edges, strict, &problems, &n_problems) != 0))
        rc = -1;
    size_t p = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char label[320];
        label_of(v, &v->need.items[i], label, sizeof label);
        const bank_clock_event *e = &v->need.items[i];
        const bank_p2_said *s = v->taken[i] == SIZE_MAX ? NULL : &v->st->items[v->taken[i]];
        if (!s) {
            rc = bank_p2_verdict(v->rep, v->w, BANK_VERDICT_MISSING, e->entry, e->event, label, NULL,
                                 "the input requires it; not in the %s", v->all ? "all-events part" :
                                 e->kind == BANK_CLOCK_CUSTOMER_SENT ? "customer part" : "branch part");
            continue;
        }
        if (at[i] == SIZE_MAX) {
            rc = bank_p2_verdict(v->rep, v->w, BANK_VERDICT_MISSING, e->entry, e->event, label, s,
                                 "logged without a clock (logical_clock %s)",
                                 s->clock_text ? s->clock_text : "is missing");
            continue;
        }
        while (p < n_problems && problems[p].event < at[i]) p++;
        if (p < n_problems && problems[p].event == at[i]) rc = clock_verdict(v, i, &problems[p], ev, label);
        else rc = bank_p2_verdict(v->rep, v->w, BANK_VERDICT_OK, e->entry, e->event, label, s, NULL);
    }
    free(ev);
    free(at);
    free(points);
    free(edges);
    free(problems);
    return rc;
}

static int grade_view(const bank_workload *w, const bank_p2_student *st, int all, int strict,
                      bank_grade_report *rep)
{
    size_t n_events = bank_workload_event_count(w);
    view v = {w, st, rep, all, bank_branches_by_id(w), {0}, NULL, NULL, NULL};
    v.start = malloc((n_events ? n_events : 1) * sizeof *v.start);
    v.base = malloc((w->n_customers ? w->n_customers : 1) * sizeof *v.base);
    int rc = v.by_id && v.start && v.base && what_is_needed(&v) == 0 ? 0 : -1;
    if (rc == 0 && !(v.taken = malloc((v.need.n ? v.need.n : 1) * sizeof *v.taken))) rc = -1;
    for (size_t i = 0; rc == 0 && i < v.need.n; i++) v.taken[i] = SIZE_MAX;
    unsigned char *unmatched = calloc(st->n ? st->n : 1, 1);
    if (!unmatched) rc = -1;
    for (size_t i = 0; rc == 0 && i < st->n; i++) {
        if (!in_view(&v, &st->items[i])) continue;
        char why[200];
        size_t at = match(&v, &st->items[i], why, sizeof why);
        if (at != SIZE_MAX) v.taken[at] = i;
        else unmatched[i] = 1;
    }
    if (rc == 0) rc = judge(&v, strict);
    for (size_t i = 0; rc == 0 && i < st->n; i++) { /* the items no needed event took, last */
        char why[200];
        if (unmatched[i] && match(&v, &st->items[i], why, sizeof why) == SIZE_MAX)
            rc = extra(&v, &st->items[i], why);
    }
    free(unmatched);
    if (rc == 0) rep->n_events += v.need.n;
    free(v.by_id);
    free(v.start);
    free(v.base);
    free(v.taken);
    bank_clock_log_free(&v.need);
    return rc;
}

int bank_grade_p2(const bank_workload *w, const bank_p2_student *st, const bank_p2_grade_options *opt,
                  bank_grade_report *report, char *err, size_t errlen)
{
    memset(report, 0, sizeof *report);
    int views[3] = {0, 0, 0}; /* per-process, all events, old form */
    for (size_t i = 0; i < st->n; i++)
        views[st->items[i].place == BANK_P2_IN_ALL ? 1 : st->items[i].place == BANK_P2_IN_OLD ? 2 : 0] = 1;
    int rc = 0;
    if (views[0]) rc = grade_view(w, st, 0, opt->strict, report);
    if (rc == 0 && views[1]) rc = grade_view(w, st, 1, opt->strict, report);
    if (rc == 0 && views[2]) rc = bank_grade_p2_old(w, st, report);
    if (rc != 0) {
        snprintf(err, errlen, "out of memory");
        bank_grade_report_free(report);
        return -1;
    }
    report->first_wrong = SIZE_MAX;
    for (size_t i = 0; i < report->n; i++) {
        bank_verdict_kind k = report->verdicts[i].kind;
        if (k == BANK_VERDICT_OK) report->n_correct++;
        else report->n_wrong++;
        if (k != BANK_VERDICT_OK && report->first_wrong == SIZE_MAX) report->first_wrong = i;
    }
    return 0;
}
