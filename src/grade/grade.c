#include "grade.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balance_value.h"
#include "core/model.h"
#include "grader.h"
#include "verdict_add.h"

const char *bank_verdict_name(bank_verdict_kind k)
{
    switch (k) {
    case BANK_VERDICT_OK: return "ok";
    case BANK_VERDICT_WRONG_VALUE: return "wrong value";
    case BANK_VERDICT_WRONG_RESULT: return "wrong result";
    case BANK_VERDICT_MISSING: return "missing";
    case BANK_VERDICT_EXTRA: return "extra";
    case BANK_VERDICT_WRONG_INTERFACE: return "wrong interface";
    case BANK_VERDICT_UNDECIDED: return "undecided";
    case BANK_VERDICT_CLOCK_ORDER: return "clock order";
    case BANK_VERDICT_WRONG_CLOCK: return "wrong clock";
    }
    return "?";
}

/* ---- recording verdicts ---- */

static size_t add_verdict(grader *g, bank_verdict_kind kind, size_t entry, size_t event,
                          const bank_reply *reply, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static size_t add_verdict(grader *g, bank_verdict_kind kind, size_t entry, size_t event,
                          const bank_reply *reply, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t i = bank_verdict_add(g->rep, g->w, kind, entry, event, reply, &g->oom, fmt, ap);
    va_end(ap);
    return i;
}

void bank_grader_set_verdict(grader *g, size_t index, bank_verdict_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bank_verdict_rejudge(g->rep, index, kind, &g->oom, fmt, ap);
    va_end(ap);
}

/* ---- matching records to customer entries ---- */

static int same_reply(const bank_reply *a, const bank_reply *b)
{
    return a->op_known == b->op_known && (!a->op_known || a->op == b->op) &&
           a->result == b->result && a->has_value == b->has_value &&
           (!a->has_value || a->value_real == b->value_real);
}

/* a's replies are a prefix of b's (or the same): a is an earlier snapshot of b's list. */
static int is_snapshot_of(const bank_record *a, const bank_record *b)
{
    if (a->n_replies > b->n_replies) return 0;
    for (size_t i = 0; i < a->n_replies; i++)
        if (!same_reply(&a->replies[i], &b->replies[i])) return 0;
    return 1;
}

/* One object per event, gathered by id (G4), for an id that several entries share: the replies
 * go to those entries in order, each taking as many as it has events, the last the rest. 1 when
 * the id's entries were matched so. */
static int split_flat(grader *g, size_t first, char *used)
{
    const bank_workload *w = g->w;
    const bank_student_output *so = g->so;
    int64_t id = w->customers[first].id;
    size_t f = 0, entries = 0;
    while (f < so->n_records && !(so->records[f].id == id && so->records[f].flat)) f++;
    for (size_t d = first; d < w->n_customers; d++) entries += w->customers[d].id == id;
    if (f == so->n_records || entries < 2) return 0;
    const bank_record *rec = &so->records[f];
    size_t taken = 0;
    for (size_t d = first; d < w->n_customers && taken < rec->n_replies; d++) {
        if (w->customers[d].id != id) continue;
        size_t n = rec->n_replies - taken;
        if (--entries > 0 && n > w->customers[d].n_events) n = w->customers[d].n_events;
        bank_record *slice = &g->flat_slices[d];
        *slice = *rec;
        slice->replies = rec->replies + taken;
        slice->n_replies = n;
        slice->line = slice->replies[0].line;
        slice->col = slice->replies[0].col;
        g->entry_record[d] = slice;
        taken += n;
    }
    used[f] = 1;
    return 1;
}

/* Records of one id go to that id's entries in order. When a file has more records of an id
 * than the input has entries (one line per snapshot of a customer's list, printed again after
 * every reply), earlier snapshots are dropped, and only then the surplus counts as extra. */
static int match_records(grader *g, const bank_record ***extra, size_t *n_extra)
{
    const bank_workload *w = g->w;
    const bank_student_output *so = g->so;
    size_t R = so->n_records;
    char *used = calloc(R ? R : 1, 1);
    char *dropped = calloc(R ? R : 1, 1);
    *extra = calloc(R ? R : 1, sizeof **extra);
    *n_extra = 0;
    if (!used || !dropped || !*extra) goto oom;
    for (size_t c = 0; c < w->n_customers; c++) {
        int64_t id = w->customers[c].id;
        if (c > 0) {
            int seen = 0;
            for (size_t d = 0; d < c && !seen; d++) seen = w->customers[d].id == id;
            if (seen) continue; /* this id's entries were handled at its first entry */
        }
        size_t entries = 0, records = 0;
        for (size_t d = c; d < w->n_customers; d++) entries += w->customers[d].id == id;
        for (size_t i = 0; i < R; i++) records += so->records[i].id == id;
        for (size_t i = 0; i < R && records > entries; i++) {
            if (so->records[i].id != id) continue;
            for (size_t j = i + 1; j < R; j++) {
                if (so->records[j].id == id && is_snapshot_of(&so->records[i], &so->records[j])) {
                    dropped[i] = 1;
                    records--;
                    if (so->records[i].n_replies == so->records[j].n_replies && j == i + 1)
                        g->rep->repeated_records = 1; /* written twice, back to back */
                    else
                        g->rep->merged_snapshots = 1;
                    break;
                }
            }
        }
        if (split_flat(g, c, used)) continue;
        size_t next = 0;
        for (size_t d = c; d < w->n_customers; d++) {
            if (w->customers[d].id != id) continue;
            while (next < R && (so->records[next].id != id || dropped[next])) next++;
            if (next < R) {
                g->entry_record[d] = &so->records[next];
                used[next++] = 1;
            }
        }
    }
    for (size_t i = 0; i < R; i++)
        if (!used[i] && !dropped[i]) (*extra)[(*n_extra)++] = &so->records[i];
    free(used);
    free(dropped);
    return 0;
oom:
    free(used);
    free(dropped);
    free(*extra);
    *extra = NULL;
    return -1;
}

/* ---- reading the claims ---- */

/* Where a reply stands in the file: ties among smallest sets of wrong answers go to the earliest
 * (G17). */
static uint64_t file_rank(const bank_reply *rp)
{
    return ((uint64_t)(uint32_t)rp->line << 32) | (uint32_t)rp->col;
}

/* Records a verdict per event of the entry: ok for now when the reply can be judged (the claim
 * is printed), or the structural fault. */
static void read_entry(grader *g, size_t c)
{
    const bank_customer *cu = &g->w->customers[c];
    const bank_record *rec = g->entry_record[c];
    for (size_t e = 0; e < cu->n_events; e++) {
        const bank_event *ev = &cu->events[e];
        bank_claim *cl = &g->claims[c][e];
        if (!rec) {
            g->verdict_of[c][e] = add_verdict(g, BANK_VERDICT_MISSING, c, e, NULL,
                                              "no record for this customer entry");
            continue;
        }
        if (e >= rec->n_replies) {
            g->verdict_of[c][e] = add_verdict(g, BANK_VERDICT_MISSING, c, e, NULL,
                                              "its record (line %d) has only %zu replies",
                                              rec->line, rec->n_replies);
            continue;
        }
        const bank_reply *rp = &rec->replies[e];
        if (!rp->op_known || rp->op != ev->op) {
            g->verdict_of[c][e] = add_verdict(g, BANK_VERDICT_WRONG_INTERFACE, c, e, rp,
                                              "expected %s, got %s%s%s", bank_op_name(ev->op),
                                              rp->interface ? "\"" : "",
                                              rp->interface ? rp->interface : "no interface",
                                              rp->interface ? "\"" : "");
            continue;
        }
        if (ev->op == BANK_OP_QUERY) {
            if (!rp->has_value) {
                g->verdict_of[c][e] = add_verdict(g, BANK_VERDICT_WRONG_VALUE, c, e, rp,
                                                  "no balance printed");
                continue;
            }
            if (!rp->value_is_integer) {
                char detail[128];
                bank_unusable_balance_detail(detail, sizeof detail, rp);
                g->verdict_of[c][e] = add_verdict(g, BANK_VERDICT_WRONG_VALUE, c, e, rp, "%s", detail);
                continue;
            }
            cl->printed = 1;
            cl->balance = rp->value;
            cl->rank = file_rank(rp);
        } else {
            if (rp->result == BANK_SAID_NOTHING || rp->result == BANK_SAID_OTHER) {
                g->verdict_of[c][e] = add_verdict(
                    g, BANK_VERDICT_WRONG_RESULT, c, e, rp, "%s%s%s", rp->result_text ? "result \"" : "no result printed",
                    rp->result_text ? rp->result_text : "", rp->result_text ? "\" is neither success nor fail" : "");
                continue;
            }
            cl->printed = 1;
            cl->success = rp->result == BANK_SAID_SUCCESS;
            cl->rank = file_rank(rp);
        }
        g->verdict_of[c][e] = add_verdict(g, BANK_VERDICT_OK, c, e, rp, NULL);
    }
    /* the replies beyond the events: one verdict for the whole run (a runaway loop may print
     * millions, G20) */
    size_t first = cu->n_events, n_extra = rec && rec->n_replies > first ? rec->n_replies - first : 0;
    if (n_extra == 1)
        add_verdict(g, BANK_VERDICT_EXTRA, c, SIZE_MAX, &rec->replies[first],
                    "reply %zu of a customer with %zu events", first + 1, cu->n_events);
    else if (n_extra > 1) {
        size_t v = add_verdict(g, BANK_VERDICT_EXTRA, c, SIZE_MAX, &rec->replies[first],
                               "replies %zu to %zu of a customer with %zu events (%zu extra replies, the first here)",
                               first + 1, rec->n_replies, cu->n_events, n_extra);
        if (v != SIZE_MAX) g->rep->verdicts[v].count = n_extra;
    }
}

/* ---- judging: exact ---- */

static int judge_exact(grader *g, bank_schedule schedule)
{
    const bank_workload *w = g->w;
    bank_plan plan;
    bank_outcome expected;
    if (bank_plan_build(w, schedule, &plan) != 0) return -1;
    if (bank_outcome_init(&expected, w) != 0) {
        bank_plan_free(&plan);
        return -1;
    }
    int rc = bank_model_run(w, &plan, &expected, NULL);
    for (size_t c = 0; rc == 0 && c < w->n_customers; c++) {
        for (size_t e = 0; e < w->customers[c].n_events; e++) {
            const bank_claim *cl = &g->claims[c][e];
            const bank_result *x = &expected.results[c][e];
            if (!cl->printed) continue;
            if (x->op == BANK_OP_QUERY && cl->balance != x->balance)
                bank_grader_set_verdict(g, g->verdict_of[c][e], BANK_VERDICT_WRONG_VALUE,
                            "expected %" PRId64 ", got %" PRId64 " (--exact, %s schedule)",
                            x->balance, cl->balance, bank_schedule_name(schedule));
            if (x->op != BANK_OP_QUERY && cl->success != x->success)
                bank_grader_set_verdict(g, g->verdict_of[c][e], BANK_VERDICT_WRONG_RESULT,
                            "expected %s, got %s (--exact, %s schedule)", x->success ? "success" : "fail",
                            cl->success ? "success" : "fail", bank_schedule_name(schedule));
        }
    }
    bank_outcome_free(&expected);
    bank_plan_free(&plan);
    return rc;
}

/* ---- the whole ---- */

static void free_tables(grader *g)
{
    for (size_t c = 0; c < g->w->n_customers; c++) {
        if (g->claims) free(g->claims[c]);
        if (g->verdict_of) free(g->verdict_of[c]);
    }
    free(g->claims);
    free(g->verdict_of);
    free(g->entry_record);
    free(g->flat_slices);
}

int bank_grade(const bank_workload *w, const bank_student_output *so, const bank_grade_options *opt,
               bank_grade_report *rep, char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    grader g = {.w = w, .so = so, .rep = rep};
    size_t C = w->n_customers;
    const bank_record **extra = NULL;
    size_t n_extra = 0;
    int rc = -1;
    g.entry_record = calloc(C ? C : 1, sizeof *g.entry_record);
    g.claims = calloc(C ? C : 1, sizeof *g.claims);
    g.verdict_of = calloc(C ? C : 1, sizeof *g.verdict_of);
    g.flat_slices = calloc(C ? C : 1, sizeof *g.flat_slices);
    if (!g.entry_record || !g.claims || !g.verdict_of || !g.flat_slices) goto out;
    for (size_t c = 0; c < C; c++) {
        size_t n = w->customers[c].n_events ? w->customers[c].n_events : 1;
        g.claims[c] = calloc(n, sizeof **g.claims);
        g.verdict_of[c] = calloc(n, sizeof **g.verdict_of);
        if (!g.claims[c] || !g.verdict_of[c]) goto out;
    }
    if (match_records(&g, &extra, &n_extra) != 0) goto out;
    for (size_t c = 0; c < C; c++) read_entry(&g, c);
    for (size_t i = 0; i < n_extra; i++)
        add_verdict(&g, BANK_VERDICT_EXTRA, SIZE_MAX, SIZE_MAX,
                    extra[i]->n_replies ? &extra[i]->replies[0] : NULL,
                    "a record for customer %" PRId64 ", for which the input has no entry left",
                    extra[i]->id);
    if (g.oom) goto out; /* then the last n_extra verdicts are not all the extras' */
    for (size_t i = 0; i < n_extra; i++) {
        bank_verdict *v = &rep->verdicts[rep->n - n_extra + i];
        v->customer_id = extra[i]->id;
        v->line = extra[i]->line;
        v->col = extra[i]->col;
    }
    int judged = opt->mode == BANK_GRADE_EXACT ? judge_exact(&g, opt->schedule)
                                               : bank_grader_judge_consistent(&g, opt->budget);
    if (judged != 0 || g.oom) goto out;
    rep->n_events = bank_workload_event_count(w);
    rep->first_wrong = SIZE_MAX;
    for (size_t i = 0; i < rep->n; i++) {
        bank_verdict_kind k = rep->verdicts[i].kind;
        if (k == BANK_VERDICT_OK && rep->verdicts[i].entry != SIZE_MAX &&
            rep->verdicts[i].event != SIZE_MAX)
            rep->n_correct++;
        else if (k == BANK_VERDICT_UNDECIDED)
            rep->n_undecided++;
        else if (k != BANK_VERDICT_OK)
            rep->n_wrong += rep->verdicts[i].count ? rep->verdicts[i].count : 1;
        if (k != BANK_VERDICT_OK && k != BANK_VERDICT_UNDECIDED && rep->first_wrong == SIZE_MAX)
            rep->first_wrong = i;
    }
    rc = 0;
out:
    free(extra);
    free_tables(&g);
    if (rc != 0) {
        snprintf(err, errlen, "out of memory while grading");
        bank_grade_report_free(rep);
    }
    return rc;
}

void bank_grade_report_free(bank_grade_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->verdicts[i].detail);
        free(r->verdicts[i].label);
    }
    free(r->verdicts);
    free(r->witness);
    memset(r, 0, sizeof *r);
}
