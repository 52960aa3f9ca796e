/* Checks a Project 3 run's answers against the session rules (see session_verify.h). */
#include "session_verify.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/session_check.h"

static int exactly_expected(const bank_workload *w, const bank_routes *routes, const bank_outcome *got,
                            char *err, size_t errlen)
{
    bank_outcome want;
    if (bank_outcome_init(&want, w) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = bank_session_expected(w, routes, &want, NULL);
    if (rc != 0) snprintf(err, errlen, "a balance of the reference would leave int64");
    for (size_t c = 0; c < w->n_customers && rc == 0; c++)
        for (size_t e = 0; e < w->customers[c].n_events && rc == 0; e++) {
            const bank_result *a = &want.results[c][e], *b = &got->results[c][e];
            if (a->success == b->success && (a->op != BANK_OP_QUERY || a->balance == b->balance)) continue;
            snprintf(err, errlen, "customer %lld, event %lld (%s at branch %lld): the branches answered %s %"
                     PRId64 ", the session rules fix %s %" PRId64, (long long)w->customers[c].id,
                     (long long)w->customers[c].events[e].id, bank_op_name(a->op),
                     (long long)w->branches[routes->branch[c][e]].id, b->success ? "success" : "fail",
                     b->balance, a->success ? "success" : "fail", a->balance);
            rc = -1;
        }
    bank_outcome_free(&want);
    return rc;
}

static int some_execution_gives(const bank_workload *w, const bank_routes *routes, const bank_outcome *got,
                                char *err, size_t errlen)
{
    size_t C = w->n_customers;
    bank_claim **claims = calloc(C ? C : 1, sizeof *claims);
    int rc = claims ? 0 : -1;
    for (size_t c = 0; c < C && rc == 0; c++) {
        claims[c] = calloc(w->customers[c].n_events + 1, sizeof **claims);
        if (!claims[c]) rc = -1;
        for (size_t e = 0; claims[c] && e < w->customers[c].n_events; e++)
            claims[c][e] = (bank_claim){1, got->results[c][e].success, got->results[c][e].balance};
    }
    bank_session_result res = {0};
    if (rc == 0) rc = bank_session_check(w, routes, claims, 0, &res);
    if (rc != 0) snprintf(err, errlen, "out of memory");
    if (rc == 0 && res.verdict == BANK_INCONSISTENT) {
        size_t c = 0;
        while (c < C && res.blocked[c] >= w->customers[c].n_events) c++;
        const bank_event *ev = &w->customers[c].events[res.blocked[c]];
        snprintf(err, errlen, "customer %lld, event %lld (%s): no execution that keeps the session "
                 "guarantees gives what the branches answered", (long long)w->customers[c].id,
                 (long long)ev->id, bank_op_name(ev->op));
        rc = -1;
    } else if (rc == 0 && res.verdict == BANK_UNDECIDED) {
        fprintf(stderr, "bank: the answers were not checked: the session check could not decide them\n");
    }
    bank_session_result_free(&res);
    for (size_t c = 0; claims && c < C; c++) free(claims[c]);
    free(claims);
    return rc;
}

int bank_session_verify(const bank_workload *w, const bank_routes *routes, bank_schedule schedule,
                        const bank_outcome *got, char *err, size_t errlen)
{
    if (schedule != BANK_SCHEDULE_LIVE || w->n_customers <= 1)
        return exactly_expected(w, routes, got, err, errlen);
    return some_execution_gives(w, routes, got, err, errlen);
}
