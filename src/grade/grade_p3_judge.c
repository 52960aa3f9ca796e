/* Judging a Project 3 output's printed answers by the session rules (spec C14, C15): the session
 * search first; when it finds no execution, every answer impossible on its own is wrong and names
 * the guarantee it breaks and the customer's own write it missed; then the answers that fit
 * alone but not together. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/session_check.h"
#include "grade_p3_state.h"

enum { ROUNDS = 64 };

/* "event 2 (deposit 10 at branch 1), event 5 (deposit 10 at branch 2)": events[0..n) in event
 * order, as both callers build them (bank_session_missed names its writes in that order). */
static void name_writes(const p3_grader *g, size_t c, const size_t *events, size_t n, char *buf, size_t cap)
{
    const bank_customer *cu = &g->w->customers[c];
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len < cap; i++) {
        const bank_event *ev = &cu->events[events[i]];
        if (i == 6 && n > 7) {
            snprintf(buf + len, cap - len, " and %zu more", n - 6);
            break;
        }
        len += (size_t)snprintf(buf + len, cap - len, "%sevent %" PRId64 " (%s %" PRId64 " at branch %" PRId64 ")",
                                i ? ", " : "", ev->id, bank_op_name(ev->op), ev->money,
                                g->w->branches[g->routes->branch[c][events[i]]].id);
    }
}

/* "10", "10 or 20", "one of 0, 10, 20, ... (9 values from 0 to 80)" */
static void list_balances(char *buf, size_t cap, const bank_session_alone *a, int64_t base)
{
    size_t len = 0, shown = a->n_nets <= 8 ? a->n_nets : 6;
    buf[0] = '\0';
    if (a->n_nets > 2) len += (size_t)snprintf(buf, cap, "one of ");
    for (size_t i = 0; i < shown && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%" PRId64, i == 0 ? "" : a->n_nets == 2 ? " or " : ", ",
                                base + a->nets[i]);
    if (shown < a->n_nets && len < cap)
        snprintf(buf + len, cap - len, ", ... (%s%zu values from %" PRId64 " to %" PRId64 ")", a->exact ? "" : "at least ",
                 a->n_nets, base + a->nets[0], base + a->nets[a->n_nets - 1]);
}

/* A query that no execution explains: which guarantee its answer breaks, and which of the
 * customer's own writes it missed (C12). */
static void explain_query(p3_grader *g, size_t c, size_t e, const bank_session_alone *a, int64_t base)
{
    const bank_claim *cl = &g->claims[c][e];
    size_t *missed = malloc((e ? e : 1) * sizeof *missed), n = 0;
    char could[300], names[400];
    list_balances(could, sizeof could, a, base);
    int found = missed ? bank_session_missed(g->w, g->routes, g->claims, c, e, cl->balance - base, a->others, a->n_others,
                                             missed, &n) : -1;
    if (found < 0) g->oom = 1;
    size_t here = g->routes->branch[c][e], local = 0, local_deposits = 0;
    for (size_t i = 0; found == 1 && i < n; i++)
        if (g->routes->branch[c][missed[i]] == here) {
            local++;
            local_deposits += g->w->customers[c].events[missed[i]].op == BANK_OP_DEPOSIT;
        }
    if (found == 1 && n) name_writes(g, c, missed, n, names, sizeof names);
    int64_t branch = g->w->branches[here].id;
    if (found == 1 && n && local == 0)
        p3_set_verdict(g, g->verdict_of[c][e], BANK_VERDICT_WRONG_VALUE,
                       "read-your-writes broken: got %" PRId64 ", expected %s; the answer misses the customer's own "
                       "write%s %s, made before this query at branch %" PRId64, cl->balance, could, n > 1 ? "s" : "",
                       names, branch);
    else if (found == 1 && n && local_deposits == 0)
        p3_set_verdict(g, g->verdict_of[c][e], BANK_VERDICT_WRONG_VALUE,
                       "monotonic writes broken: got %" PRId64 ", expected %s; it reads as if the customer's %s had "
                       "failed, which a withdrawal does only at a branch that lacks the customer's earlier writes",
                       cl->balance, could, names);
    else
        p3_set_verdict(g, g->verdict_of[c][e], BANK_VERDICT_WRONG_VALUE,
                       "got %" PRId64 ": no execution that keeps the session guarantees reads that at branch %" PRId64
                       "; it could read %s", cl->balance, branch, could);
    free(missed);
}

/* A withdrawal whose outcome no execution gives. */
static void explain_withdrawal(p3_grader *g, size_t c, size_t e, const bank_session_alone *a, int64_t base)
{
    const bank_event *ev = &g->w->customers[c].events[e];
    int64_t branch = g->w->branches[g->routes->branch[c][e]].id;
    if (g->claims[c][e].success) {
        p3_set_verdict(g, g->verdict_of[c][e], BANK_VERDICT_WRONG_RESULT,
                       "got success: withdrawing %" PRId64 " at branch %" PRId64 " always fails (it holds at most %"
                       PRId64 ")", ev->money, branch, base + a->nets[a->n_nets - 1]);
        return;
    }
    char names[400] = "";
    size_t n = 0, *earlier = malloc((e ? e : 1) * sizeof *earlier);
    for (size_t k = 0; earlier && k < e; k++) /* the writes it needs, made at other branches */
        if (g->w->customers[c].events[k].op != BANK_OP_QUERY && g->routes->branch[c][k] != g->routes->branch[c][e] &&
            (!g->claims[c][k].printed || g->claims[c][k].success))
            earlier[n++] = k;
    if (!earlier) g->oom = 1;
    if (n) name_writes(g, c, earlier, n, names, sizeof names);
    p3_set_verdict(g, g->verdict_of[c][e], BANK_VERDICT_WRONG_RESULT,
                   "monotonic writes broken: got fail, but with the customer's earlier writes%s%s branch %" PRId64
                   " holds at least %" PRId64 ", enough for %" PRId64, n ? " " : "", names, branch,
                   base + a->nets[0], ev->money);
    free(earlier);
}

/* Claims no execution gives even alone: wrong, and no longer printed. */
static void judge_alone(p3_grader *g)
{
    for (size_t c = 0; c < g->w->n_customers && !g->oom; c++) {
        const bank_customer *cu = &g->w->customers[c];
        for (size_t e = 0; e < cu->n_events && !g->oom; e++) {
            bank_claim *cl = &g->claims[c][e];
            const bank_event *ev = &cu->events[e];
            if (!cl->printed) continue;
            if (ev->op == BANK_OP_DEPOSIT) {
                if (!cl->success)
                    p3_set_verdict(g, g->verdict_of[c][e], BANK_VERDICT_WRONG_RESULT,
                                   "expected success, got fail: a deposit always succeeds");
                cl->printed = cl->success;
                continue;
            }
            bank_session_alone a;
            if (bank_session_alone_nets(g->w, g->routes, g->claims, c, e, &a) != 0) {
                g->oom = 1;
                return;
            }
            int64_t base = g->w->branches[g->routes->branch[c][e]].balance;
            int possible = !a.exact || a.n_nets == 0;
            for (size_t i = 0; i < a.n_nets && !possible; i++)
                possible = ev->op == BANK_OP_QUERY ? base + a.nets[i] == cl->balance
                           : cl->success           ? base + a.nets[i] >= ev->money
                                                   : base + a.nets[i] < ev->money;
            if (!possible && ev->op == BANK_OP_QUERY) explain_query(g, c, e, &a, base);
            else if (!possible) explain_withdrawal(g, c, e, &a, base);
            if (!possible) cl->printed = 0;
            bank_session_alone_free(&a);
        }
    }
}

/* The claims at the search's furthest point that could not run there. How many. */
static size_t blame_blocked(p3_grader *g, const bank_session_result *res)
{
    size_t blamed = 0;
    for (size_t c = 0; c < g->w->n_customers; c++) {
        size_t e = res->blocked[c];
        if (e >= g->w->customers[c].n_events || !g->claims[c][e].printed) continue;
        bank_claim *cl = &g->claims[c][e];
        if (g->w->customers[c].events[e].op == BANK_OP_QUERY)
            p3_set_verdict(g, g->verdict_of[c][e], BANK_VERDICT_WRONG_VALUE, "got %" PRId64 ": possible alone, "
                           "but not together with the other answers", cl->balance);
        else
            p3_set_verdict(g, g->verdict_of[c][e], BANK_VERDICT_WRONG_RESULT, "got %s: possible alone, but not "
                           "together with the other answers", cl->success ? "success" : "fail");
        cl->printed = 0;
        blamed++;
    }
    return blamed;
}

static void mark_undecided(p3_grader *g, size_t spent)
{
    for (size_t c = 0; c < g->w->n_customers; c++)
        for (size_t e = 0; e < g->w->customers[c].n_events; e++)
            if (g->claims[c][e].printed)
                p3_set_verdict(g, g->verdict_of[c][e], BANK_VERDICT_UNDECIDED, "not decided: the session search "
                               "visited %zu states (--budget) without an answer", spent);
}

int p3_judge(p3_grader *g, size_t budget)
{
    if (budget == 0) budget = 1000000;
    size_t spent = 0;
    int alone_done = 0;
    for (int round = 0; round < ROUNDS && spent < budget && !g->oom; round++) {
        bank_session_result res;
        if (bank_session_check(g->w, g->routes, g->claims, budget - spent, &res) != 0) return -1;
        spent += res.states;
        g->rep->states = spent;
        bank_consistency verdict = res.verdict;
        size_t blamed = verdict == BANK_INCONSISTENT && alone_done ? blame_blocked(g, &res) : 0;
        bank_session_result_free(&res);
        if (verdict == BANK_CONSISTENT) return g->oom ? -1 : 0;
        if (verdict == BANK_UNDECIDED) break;
        if (!alone_done) {
            judge_alone(g);
            alone_done = 1;
        } else if (blamed == 0) {
            return -1; /* cannot happen: the furthest point has a blocked claim */
        }
    }
    mark_undecided(g, spent);
    return g->oom ? -1 : 0;
}
