/* --consistent: turns the core's judgement (core/consistency.h) into verdicts with reasons a
 * student can check: what an impossible answer could have been, and what the witness execution
 * gives where an answer was set aside. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/claim_alone.h"
#include "grader.h"

#define SHOWN 8

/* "500 or 570", "one of 400, 410, 420, ... (51 values from 400 to 900)" */
static void list_balances(char *buf, size_t n, const int64_t *v, size_t n_values, uint64_t total,
                          int64_t highest, int exact)
{
    size_t len = 0;
    if (total == 0) {
        snprintf(buf, n, "nothing");
        return;
    }
    if (total > 2) len += (size_t)snprintf(buf, n, "one of ");
    size_t shown = total <= SHOWN ? (size_t)total : SHOWN - 2;
    if (shown > n_values) shown = n_values;
    for (size_t i = 0; i < shown && len < n; i++) {
        const char *sep = i == 0 ? "" : (total == 2 ? " or " : ", ");
        len += (size_t)snprintf(buf + len, n - len, "%s%" PRId64, sep, v[i]);
    }
    if (shown < total && len < n)
        snprintf(buf + len, n - len, ", ... (%s%" PRIu64 " values from %" PRId64 " to %" PRId64 ")",
                 exact ? "" : "at most ", total, v[0], highest);
}

static void wrong_alone(grader *g, const bank_alone *a, size_t c, size_t e)
{
    const bank_event *ev = &g->w->customers[c].events[e];
    const bank_claim *cl = &g->claims[c][e];
    size_t idx = g->verdict_of[c][e];
    if (ev->op == BANK_OP_DEPOSIT) {
        bank_grader_set_verdict(g, idx, BANK_VERDICT_WRONG_RESULT,
                                "expected success, got fail: a deposit always succeeds");
        return;
    }
    int64_t values[SHOWN];
    size_t n_values = 0;
    uint64_t total = 0;
    int64_t highest = 0;
    int exact = 1;
    char seen[256] = "";
    if (a && bank_alone_balances(a, c, e, values, SHOWN, &n_values, &total, &highest, &exact) != 0) {
        g->oom = 1; /* not a verdict whose reason lacks what the answer could have been */
        return;
    }
    if (a) list_balances(seen, sizeof seen, values, n_values, total, highest, exact);
    if (ev->op == BANK_OP_QUERY)
        bank_grader_set_verdict(g, idx, BANK_VERDICT_WRONG_VALUE,
                                "got %" PRId64 ": no execution reads that here, with any choice of the "
                                "other customers' writes before it; it could read %s",
                                cl->balance, seen);
    else
        bank_grader_set_verdict(g, idx, BANK_VERDICT_WRONG_RESULT,
                                "expected %s, got %s: withdrawing %" PRId64 " here always %s (the balance "
                                "here is %s)",
                                cl->success ? "fail" : "success", cl->success ? "success" : "fail",
                                ev->money, cl->success ? "fails" : "succeeds", seen);
}

/* What the witness execution gives at (c, e); NULL when it has no such step. */
static const bank_witness_step *witness_at(const bank_consistency_result *r, size_t c, size_t e)
{
    for (size_t i = 0; i < r->n_witness; i++)
        if (r->witness[i].customer == c && r->witness[i].event == e) return &r->witness[i];
    return NULL;
}

static void wrong_together(grader *g, const bank_consistency_result *r, size_t c, size_t e)
{
    const bank_event *ev = &g->w->customers[c].events[e];
    const bank_claim *cl = &g->claims[c][e];
    const bank_witness_step *s = witness_at(r, c, e);
    const char *why = r->smallest ? "one of a smallest set of answers set aside so that the rest fit one "
                                    "execution"
                                  : "one of a set of answers set aside so that the rest fit one execution "
                                    "(not proven smallest within --budget)";
    if (ev->op == BANK_OP_QUERY) {
        char witness[64] = "";
        if (s) snprintf(witness, sizeof witness, "; the witness execution reads %" PRId64 " here", s->balance);
        bank_grader_set_verdict(g, g->verdict_of[c][e], BANK_VERDICT_WRONG_VALUE,
                                "got %" PRId64 ": possible alone, but not together with the other answers: "
                                "%s%s",
                                cl->balance, why, witness);
    } else {
        bank_grader_set_verdict(g, g->verdict_of[c][e], BANK_VERDICT_WRONG_RESULT,
                                "got %s: possible alone, but not together with the other answers: %s%s%s",
                                cl->success ? "success" : "fail", why,
                                s ? "; the witness execution has it " : "",
                                s ? (s->success ? "succeed" : "fail") : "");
    }
}

int bank_grader_judge_consistent(grader *g, size_t budget)
{
    const bank_workload *w = g->w;
    bank_consistency_result r;
    if (bank_consistency_judge(w, g->claims, budget, &r) != 0) return -1;
    bank_alone a;
    int have_alone = r.n_alone > 0 && bank_alone_build(w, &a) == 0;
    if (r.n_alone > 0 && !have_alone) g->oom = 1; /* as in wrong_alone */
    for (size_t c = 0; c < w->n_customers && !g->oom; c++)
        for (size_t e = 0; e < w->customers[c].n_events && !g->oom; e++) {
            switch (r.status[c][e]) {
            case BANK_CLAIM_OK: break;
            case BANK_CLAIM_WRONG_ALONE: wrong_alone(g, have_alone ? &a : NULL, c, e); break;
            case BANK_CLAIM_WRONG: wrong_together(g, &r, c, e); break;
            case BANK_CLAIM_UNDECIDED:
                bank_grader_set_verdict(g, g->verdict_of[c][e], BANK_VERDICT_UNDECIDED,
                                        "not decided within --budget (%zu states searched): every other "
                                        "answer fits the witness execution, but whether one execution "
                                        "gives this one too was not settled; --exact judges against "
                                        "one schedule instead",
                                        r.states);
                break;
            }
        }
    if (have_alone) bank_alone_free(&a);
    bank_grade_report *rep = g->rep;
    rep->consistent = 1;
    rep->states = r.states;
    rep->set_aside = r.n_alone + r.n_wrong;
    rep->smallest = r.smallest;
    rep->earliest = r.earliest;
    rep->lower_bound = r.lower_bound;
    rep->witness = r.witness; /* handed over */
    rep->n_witness = r.n_witness;
    r.witness = NULL;
    bank_consistency_result_free(&r);
    return g->oom ? -1 : 0;
}
