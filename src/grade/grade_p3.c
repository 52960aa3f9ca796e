/* Grading a Project 3 output: the replies matched to the input's events and their structural
 * verdicts; the session rules' judgement is grade_p3_judge.c's (see grade_p3.h). */
#include "grade_p3.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balance_value.h"
#include "grade_p3_state.h"
#include "verdict_add.h"

size_t p3_add_verdict(p3_grader *g, bank_verdict_kind kind, size_t entry, size_t event,
                      const bank_reply *reply, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t i = bank_verdict_add(g->rep, g->w, kind, entry, event, reply, &g->oom, fmt, ap);
    va_end(ap);
    return i;
}

void p3_set_verdict(p3_grader *g, size_t index, bank_verdict_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bank_verdict_rejudge(g->rep, index, kind, &g->oom, fmt, ap);
    va_end(ap);
}

/* ---- the replies each entry got ---- */

typedef struct {
    const bank_reply **replies; /* in order; the entry's events take the first ones */
    size_t n, cap;
    int line;                   /* of its (first) record; 0 when it has none */
} entry_replies;

static int push(entry_replies *er, const bank_reply *rp)
{
    if (er->n == er->cap) {
        size_t cap = er->cap ? 2 * er->cap : 8;
        const bank_reply **grown = realloc(er->replies, cap * sizeof *grown);
        if (!grown) return -1;
        er->replies = grown;
        er->cap = cap;
    }
    er->replies[er->n++] = rp;
    return 0;
}

static int same_reply(const bank_reply *a, const bank_reply *b)
{
    return a->op_known == b->op_known && (!a->op_known || a->op == b->op) && a->result == b->result &&
           a->has_value == b->has_value && (!a->has_value || a->value_real == b->value_real);
}

/* a's replies are b's first ones: an earlier snapshot of one growing list (G7). */
static int is_snapshot_of(const bank_record *a, const bank_record *b)
{
    if (a->n_replies > b->n_replies) return 0;
    for (size_t i = 0; i < a->n_replies; i++)
        if (!same_reply(&a->replies[i], &b->replies[i])) return 0;
    return 1;
}

static int has_query(const bank_customer *cu)
{
    for (size_t e = 0; e < cu->n_events; e++)
        if (cu->events[e].op == BANK_OP_QUERY) return 1;
    return 0;
}

/* The next record of id not used yet, from *next on (R when there is none). */
static size_t next_record(const bank_session_output *so, int64_t id, const char *used, size_t *next)
{
    while (*next < so->n_records && (so->records[*next].r.id != id || used[*next])) (*next)++;
    return *next;
}

static int take_record(const bank_session_output *so, size_t i, char *used, entry_replies *er)
{
    const bank_record *rec = &so->records[i].r;
    if (!er->line) er->line = rec->line;
    used[i] = 1;
    for (size_t k = 0; k < rec->n_replies; k++)
        if (push(er, &rec->replies[k]) != 0) return -1;
    return 0;
}

/* Records of one id go to that id's entries (C13): one record each when there are no more
 * records than entries (after dropping earlier snapshots of a growing list, when some record
 * holds several replies and none names its branch); otherwise, the course's record per event: all their replies in file order, dealt
 * out to the entries in order, what is left going to the last as extra replies. In a
 * final-balances file only entries that have a query get a record, and when an id has more
 * records than that (runs appended), its last ones count. */
static int match(p3_grader *g, const bank_session_output *so, entry_replies *got, char *used)
{
    const bank_workload *w = g->w;
    size_t R = so->n_records;
    for (size_t c = 0; c < w->n_customers; c++) {
        int64_t id = w->customers[c].id;
        int first = 1;
        for (size_t d = 0; d < c && first; d++) first = w->customers[d].id != id;
        if (!first) continue; /* handled with the id's first entry */
        size_t entries = 0, records = 0, last = c;
        for (size_t d = c; d < w->n_customers; d++)
            if (w->customers[d].id == id && (!so->final_balances || has_query(&w->customers[d]))) {
                entries++;
                last = d;
            }
        for (size_t i = 0; i < R; i++) records += so->records[i].r.id == id;
        for (size_t i = 0; i < R && records > entries && so->final_balances; i++)
            if (so->records[i].r.id == id) used[i] = 2, records--; /* an earlier run's: the last counts */
        int lists = 0; /* some record of the id holds several replies: a list, maybe growing */
        for (size_t i = 0; i < R; i++) lists |= so->records[i].r.id == id && so->records[i].r.n_replies > 1;
        for (size_t i = 0; i < R && records > entries && lists && !so->names_branches; i++) {
            if (so->records[i].r.id != id) continue;
            for (size_t j = i + 1; j < R && !used[i]; j++)
                if (so->records[j].r.id == id && is_snapshot_of(&so->records[i].r, &so->records[j].r)) {
                    used[i] = 2; /* dropped */
                    records--;
                    g->rep->merged_snapshots = 1;
                }
        }
        int dealt = records > entries && !so->final_balances;
        size_t next = 0;
        for (size_t d = c; d < w->n_customers; d++) {
            const bank_customer *cu = &w->customers[d];
            if (cu->id != id || (so->final_balances && !has_query(cu))) continue;
            do {
                if (next_record(so, id, used, &next) == R) break;
                if (take_record(so, next, used, &got[d]) != 0) return -1;
            } while (dealt && got[d].n < cu->n_events);
        }
        while (dealt && next_record(so, id, used, &next) < R)
            if (take_record(so, next, used, &got[last]) != 0) return -1;
    }
    return 0;
}

/* ---- structural verdicts (G8) ---- */

static void judge_reply(p3_grader *g, size_t c, size_t e, const bank_reply *rp, const entry_replies *er)
{
    const bank_event *ev = &g->w->customers[c].events[e];
    bank_claim *cl = &g->claims[c][e];
    size_t *v = &g->verdict_of[c][e];
    if (!rp) {
        *v = er->line ? p3_add_verdict(g, BANK_VERDICT_MISSING, c, e, NULL, "its record (line %d) has only %zu "
                                       "replies", er->line, er->n)
                      : p3_add_verdict(g, BANK_VERDICT_MISSING, c, e, NULL, "no record for this customer entry");
    } else if (!rp->op_known || rp->op != ev->op) {
        *v = p3_add_verdict(g, BANK_VERDICT_WRONG_INTERFACE, c, e, rp, "expected %s, got %s%s%s", bank_op_name(ev->op),
                            rp->interface ? "\"" : "", rp->interface ? rp->interface : "no interface",
                            rp->interface ? "\"" : "");
    } else if (ev->op == BANK_OP_QUERY && !rp->has_value) {
        *v = p3_add_verdict(g, BANK_VERDICT_WRONG_VALUE, c, e, rp, "no balance printed");
    } else if (ev->op == BANK_OP_QUERY && !rp->value_is_integer) {
        char detail[128];
        bank_unusable_balance_detail(detail, sizeof detail, rp);
        *v = p3_add_verdict(g, BANK_VERDICT_WRONG_VALUE, c, e, rp, "%s", detail);
    } else if (ev->op != BANK_OP_QUERY && rp->result != BANK_SAID_SUCCESS && rp->result != BANK_SAID_FAIL) {
        *v = p3_add_verdict(g, BANK_VERDICT_WRONG_RESULT, c, e, rp, "%s%s%s",
                            rp->result_text ? "result \"" : "no result printed", rp->result_text ? rp->result_text : "",
                            rp->result_text ? "\" is neither success nor fail" : "");
    } else {
        *cl = (bank_claim){.printed = 1, .success = rp->result == BANK_SAID_SUCCESS, .balance = rp->value};
        *v = p3_add_verdict(g, BANK_VERDICT_OK, c, e, rp, NULL);
    }
}

static void judge_structure(p3_grader *g, const bank_session_output *so, const entry_replies *got)
{
    for (size_t c = 0; c < g->w->n_customers; c++) {
        const bank_customer *cu = &g->w->customers[c];
        const entry_replies *er = &got[c];
        size_t last_query = SIZE_MAX;
        for (size_t e = 0; e < cu->n_events; e++) {
            g->verdict_of[c][e] = SIZE_MAX;
            if (cu->events[e].op == BANK_OP_QUERY) last_query = e;
            if (!so->final_balances) judge_reply(g, c, e, e < er->n ? er->replies[e] : NULL, er);
        }
        if (so->final_balances && last_query != SIZE_MAX)
            judge_reply(g, c, last_query, er->n ? er->replies[0] : NULL, er);
        size_t judged = so->final_balances ? (last_query != SIZE_MAX) : cu->n_events;
        for (size_t i = judged; i < er->n; i++)
            p3_add_verdict(g, BANK_VERDICT_EXTRA, c, SIZE_MAX, er->replies[i], "reply %zu of a customer with %zu %s",
                           i + 1, judged, so->final_balances ? "final balance" : "events");
    }
}

/* ---- the whole ---- */

static void count(bank_grade_report *rep)
{
    rep->first_wrong = SIZE_MAX;
    for (size_t i = 0; i < rep->n; i++) {
        const bank_verdict *v = &rep->verdicts[i];
        if (v->kind == BANK_VERDICT_OK && v->entry != SIZE_MAX && v->event != SIZE_MAX) rep->n_correct++;
        else if (v->kind == BANK_VERDICT_UNDECIDED) rep->n_undecided++;
        else if (v->kind != BANK_VERDICT_OK) rep->n_wrong++;
        if (v->kind != BANK_VERDICT_OK && v->kind != BANK_VERDICT_UNDECIDED && rep->first_wrong == SIZE_MAX)
            rep->first_wrong = i;
    }
}

/* Reads as an output, and how many events it answers with their interface (the structure is
 * enough: no search). */
static int p3_probe(const void *input, const char *source, const char *data, size_t len, size_t *answered,
                    char *err, size_t errlen)
{
    const bank_p3_input *in = input;
    bank_session_output so;
    errno = 0;
    if (bank_session_output_parse(data, len, source, &so, err, errlen) != 0)
        return bank_reader_out_of_memory(err) ? -1 : 1;
    bank_grade_report rep;
    int rc = bank_grade_p3(in->w, in->routes, &so, 1, &rep, err, errlen);
    bank_session_output_free(&so);
    if (rc != 0) return -1;
    *answered = 0;
    for (size_t i = 0; i < rep.n; i++) {
        bank_verdict_kind k = rep.verdicts[i].kind;
        *answered += k != BANK_VERDICT_MISSING && k != BANK_VERDICT_WRONG_INTERFACE && k != BANK_VERDICT_EXTRA;
    }
    bank_grade_report_free(&rep);
    return 0;
}

const bank_project_reader bank_project3_reader = {"Project 3", p3_probe};

int bank_grade_p3(const bank_workload *w, const bank_routes *routes, const bank_session_output *so,
                  size_t budget, bank_grade_report *rep, char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    size_t C = w->n_customers;
    p3_grader g = {w, routes, rep, calloc(C ? C : 1, sizeof *g.claims), calloc(C ? C : 1, sizeof *g.verdict_of), 0};
    entry_replies *got = calloc(C ? C : 1, sizeof *got);
    char *used = calloc(so->n_records ? so->n_records : 1, 1);
    int rc = -1;
    if (!g.claims || !g.verdict_of || !got || !used) goto out;
    for (size_t c = 0; c < C; c++) {
        size_t n = w->customers[c].n_events ? w->customers[c].n_events : 1;
        if (!(g.claims[c] = calloc(n, sizeof **g.claims)) || !(g.verdict_of[c] = calloc(n, sizeof **g.verdict_of)))
            goto out;
    }
    if (match(&g, so, got, used) != 0) goto out;
    judge_structure(&g, so, got);
    for (size_t i = 0; i < so->n_records; i++) {
        if (used[i]) continue;
        const bank_record *rec = &so->records[i].r;
        size_t v = p3_add_verdict(&g, BANK_VERDICT_EXTRA, SIZE_MAX, SIZE_MAX, NULL,
                                  "a record for customer %" PRId64 ", for which the input has no entry left", rec->id);
        if (v != SIZE_MAX) {
            rep->verdicts[v].customer_id = rec->id;
            rep->verdicts[v].line = rec->line;
            rep->verdicts[v].col = rec->col;
        }
    }
    if (g.oom || p3_judge(&g, budget) != 0 || g.oom) goto out;
    for (size_t c = 0; c < C; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++) rep->n_events += g.verdict_of[c][e] != SIZE_MAX;
    count(rep);
    rc = 0;
out:
    for (size_t c = 0; c < C; c++) {
        if (g.claims) free(g.claims[c]);
        if (g.verdict_of) free(g.verdict_of[c]);
        if (got) free(got[c].replies);
    }
    free(g.claims);
    free(g.verdict_of);
    free(got);
    free(used);
    if (rc != 0) {
        snprintf(err, errlen, "out of memory while grading");
        bank_grade_report_free(rep);
    }
    return rc;
}
