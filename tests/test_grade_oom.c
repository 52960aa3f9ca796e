/* Out of memory in the graders: every allocation bank_grade (Project 1, --consistent and
 * --exact) and bank_grade_p2 make is made to fail in turn, on outputs with every kind of
 * verdict; each failure must return -1 with "out of memory" in err, leak nothing and leave the
 * report empty, and a run that can allocate must give the report an unarmed run gives. The
 * inputs and outputs are read before arming: their readers have io_oom. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "grade/grade.h"
#include "grade/grade_p2.h"
#include "io/input.h"
#include "oom_sweep.h"

static int same_verdict(const bank_verdict *a, const bank_verdict *b)
{
    return a->kind == b->kind && a->customer_id == b->customer_id && a->entry == b->entry &&
           a->event_id == b->event_id && a->event == b->event && strcmp(a->interface, b->interface) == 0 &&
           a->line == b->line && a->col == b->col && oom_same_text(a->detail, b->detail) &&
           oom_same_text(a->label, b->label) && oom_same_text(a->file, b->file) && a->count == b->count;
}

/* Field by field: a step's padding is whatever malloc left there (ASan fills it, glibc does not). */
static int same_step(const bank_witness_step *a, const bank_witness_step *b)
{
    return a->customer == b->customer && a->event == b->event && a->success == b->success &&
           a->balance == b->balance;
}

static int same_report(const bank_grade_report *a, const bank_grade_report *b)
{
    if (a->n != b->n || a->n_events != b->n_events || a->n_correct != b->n_correct || a->n_wrong != b->n_wrong ||
        a->n_undecided != b->n_undecided || a->states != b->states || a->merged_snapshots != b->merged_snapshots ||
        a->repeated_records != b->repeated_records || a->first_wrong != b->first_wrong ||
        a->consistent != b->consistent || a->set_aside != b->set_aside || a->smallest != b->smallest ||
        a->earliest != b->earliest || a->lower_bound != b->lower_bound || a->n_witness != b->n_witness)
        return 0;
    for (size_t i = 0; i < a->n_witness; i++)
        if (!same_step(&a->witness[i], &b->witness[i])) return 0;
    for (size_t i = 0; i < a->n; i++)
        if (!same_verdict(&a->verdicts[i], &b->verdicts[i])) return 0;
    return 1;
}

static bank_workload load(const char *text)
{
    bank_workload w;
    char err[256];
    cr_assert_eq(bank_input_parse(text, strlen(text), "in.json", &w, err, sizeof err), 0, "%s", err);
    return w;
}

/* One grading to sweep: run grades what the case holds (Project 1's output or Project 2's
 * reading) into a report; want is the unarmed run's. */
typedef struct grading grading;
struct grading {
    int (*run)(const grading *g, bank_grade_report *r, char *err, size_t errlen);
    const bank_workload *w;
    bank_student_output so;
    bank_grade_options opt;
    bank_p2_student st;
    bank_p2_grade_options p2_opt;
    bank_grade_report want;
};

static int grade_p1(const grading *g, bank_grade_report *r, char *err, size_t errlen)
{
    return bank_grade(g->w, &g->so, &g->opt, r, err, errlen);
}

static int grade_p2(const grading *g, bank_grade_report *r, char *err, size_t errlen)
{
    return bank_grade_p2(g->w, &g->st, &g->p2_opt, r, err, errlen);
}

static int grading_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    grading *g = arg;
    bank_grade_report r;
    int rc = g->run(g, &r, err, errlen);
    *ok = rc == 0 ? same_report(&r, &g->want) : oom_zeroed(&r, sizeof r);
    bank_grade_report_free(&r);
    return rc;
}

/* Grades unarmed (something must be wrong, so that verdicts carry reasons), then sweeps. */
static void sweep_grading(grading *g, const char *what)
{
    char err[512];
    cr_assert_eq(g->run(g, &g->want, err, sizeof err), 0, "%s: %s", what, err);
    cr_assert_gt(g->want.n_wrong, 0, "%s has something wrong to report", what);
    oom_counts k = oom_sweep(what, grading_attempt, g, -1, "", "out of memory");
    cr_expect_geq(k.failed, 5, "%s", what);
    bank_grade_report_free(&g->want);
}

/* ---- Project 1 ---- */

static const char sample_input[] =
    "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"query\"}]},"
    " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"deposit\", \"money\": 170},"
    " {\"id\": 3, \"interface\": \"query\"}]},"
    " {\"id\": 3, \"type\": \"customer\", \"events\": [{\"id\": 4, \"interface\": \"withdraw\", \"money\": 70},"
    " {\"id\": 5, \"interface\": \"query\"}]},"
    " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", \"balance\": 400},"
    " {\"id\": 3, \"type\": \"branch\", \"balance\": 400}]";
/* Customer 1 appears twice: its one-object-per-event records are split between the entries. */
static const char repeated_input[] =
    "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"deposit\", \"money\": 10}]},"
    " {\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"query\"}]},"
    " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 3, \"interface\": \"query\"}]},"
    " {\"id\": 1, \"type\": \"branch\", \"balance\": 0}, {\"id\": 2, \"type\": \"branch\", \"balance\": 0}]";

Test(grade_oom, grade_fails_cleanly_at_every_allocation)
{
    bank_workload sample = load(sample_input), repeated = load(repeated_input);
    struct { const bank_workload *w; const char *output; } outputs[] = {
        /* 570 and 330 are possible alone, not together; a missing reply, an extra one, an extra record */
        {&sample, "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 570}]},\n"
                  " {\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"}]},\n"
                  " {\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": "
                  "\"query\", \"balance\": 330}, {\"interface\": \"query\", \"balance\": 1}]},\n"
                  " {\"id\": 9, \"recv\": [{\"interface\": \"query\", \"balance\": 7}]}]\n"},
        /* impossible alone, the wrong interface, a balance that is not whole, a result that is no result */
        {&sample, "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 999}]},\n"
                  " {\"id\": 2, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"success\"}, {\"interface\": "
                  "\"query\", \"balance\": 570.5}]},\n"
                  " {\"id\": 3, \"recv\": [{\"interface\": \"withdraw\", \"result\": \"maybe\"}, {\"interface\": "
                  "\"query\", \"balance\": 500}]}]\n"},
        /* one object per event for a repeated id (and a balance no execution reads); snapshots */
        {&repeated, "{\"id\": 1, \"interface\": \"deposit\", \"result\": \"success\"}\n"
                    "{\"id\": 1, \"interface\": \"query\", \"balance\": 11}\n"
                    "{\"id\": 2, \"recv\": []}\n{\"id\": 2, \"recv\": [{\"interface\": \"query\", \"balance\": 10}]}\n"},
    };
    bank_grade_options modes[] = {{BANK_GRADE_CONSISTENT, BANK_SCHEDULE_SEQUENTIAL, 0},
                                  {BANK_GRADE_EXACT, BANK_SCHEDULE_SEQUENTIAL, 0}};
    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++)
        for (size_t m = 0; m < 2; m++) {
            grading g = {.run = grade_p1, .w = outputs[i].w, .opt = modes[m]};
            char err[512], what[64];
            cr_assert_eq(bank_student_output_parse(outputs[i].output, strlen(outputs[i].output), "out.json", &g.so,
                                                   err, sizeof err), 0, "%s", err);
            snprintf(what, sizeof what, "bank_grade (output %zu, %s)", i, m ? "--exact" : "--consistent");
            sweep_grading(&g, what);
            bank_student_output_free(&g.so);
        }
    bank_workload_free(&sample);
    bank_workload_free(&repeated);
}

/* ---- Project 2 ---- */

Test(grade_oom, grade_p2_fails_cleanly_at_every_allocation)
{
    bank_workload w = load("[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"query\"}]},"
                           " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"deposit\", "
                           "\"money\": 170}]},"
                           " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", "
                           "\"balance\": 400}]");
    static const char *files[][2] = {
        /* the per-process view and the all-events view: a clock out of order, one missing, one extra */
        {"[{\"id\": 2, \"type\": \"customer\", \"events\": [{\"customer-request-id\": 2, \"logical_clock\": 1, "
         "\"interface\": \"deposit\", \"comment\": \"event_sent from customer 2\"}]},\n"
         " {\"id\": 2, \"type\": \"branch\", \"events\": [{\"customer-request-id\": 2, \"logical_clock\": 1, "
         "\"interface\": \"deposit\", \"comment\": \"event_recv from customer 2\"}, {\"customer-request-id\": 2, "
         "\"logical_clock\": 3, \"interface\": \"propagate_deposit\", \"comment\": \"event_sent to branch 1\"}]}]\n",
         "{\"id\": 1, \"customer-request-id\": 1, \"type\": \"customer\", \"logical_clock\": 1, \"interface\": "
         "\"query\", \"comment\": \"event_sent from customer 1\"}\n"
         "{\"id\": 1, \"customer-request-id\": 1, \"type\": \"branch\", \"logical_clock\": 2, \"interface\": "
         "\"query\", \"comment\": \"event_recv from customer 1\"}\n"
         "{\"id\": 1, \"customer-request-id\": 2, \"type\": \"branch\", \"logical_clock\": 9, \"interface\": "
         "\"propagate_withdraw\", \"comment\": \"event_recv from branch 2\"}\n"},
        /* the old form: the acknowledgement received before the peer applied the write */
        {"[{'pid': 1, 'data': [{'id': 2, 'name': 'deposit_broadcast_request', 'clock': 4}, {'id': 2, 'name': "
         "'deposit_execute', 'clock': 8}]}, {'pid': 2, 'data': [{'id': 2, 'name': 'deposit_request', 'clock': 2}, "
         "{'id': 2, 'name': 'deposit_execute', 'clock': 3}, {'id': 2, 'name': 'deposit_broadcast_response', "
         "'clock': 6}]}]", NULL},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        for (int strict = 0; strict < 2; strict++) {
            grading g = {.run = grade_p2, .w = &w, .p2_opt = {strict}};
            char err[512], what[64];
            for (size_t f = 0; f < 2 && files[i][f]; f++)
                cr_assert_eq(bank_p2_student_parse(files[i][f], strlen(files[i][f]), f ? "all.json" : "parts.json",
                                                   &g.st, err, sizeof err), 0, "%s", err);
            snprintf(what, sizeof what, "bank_grade_p2 (file set %zu%s)", i, strict ? ", --strict" : "");
            sweep_grading(&g, what);
            bank_p2_student_free(&g.st);
        }
    bank_workload_free(&w);
    /* the old form's table of required events grown while it is filled: 11 deposits, 3 branches
       (66 events, past the first 64) */
    char input[2048];
    size_t n = (size_t)snprintf(input, sizeof input, "[{\"id\": 1, \"type\": \"customer\", \"events\": [");
    for (int e = 1; e <= 11; e++)
        n += (size_t)snprintf(input + n, sizeof input - n, "%s{\"id\": %d, \"interface\": \"deposit\", \"money\": 1}",
                              e > 1 ? ", " : "", e);
    snprintf(input + n, sizeof input - n, "]}, {\"id\": 1, \"type\": \"branch\", \"balance\": 0},"
             " {\"id\": 2, \"type\": \"branch\", \"balance\": 0}, {\"id\": 3, \"type\": \"branch\", \"balance\": 0}]");
    w = load(input);
    static const char old_form[] = "[{'pid': 1, 'data': [{'id': 1, 'name': 'deposit_request', 'clock': 2}]}]";
    grading g = {.run = grade_p2, .w = &w, .p2_opt = {0}};
    char err[512];
    cr_assert_eq(bank_p2_student_parse(old_form, strlen(old_form), "out.json", &g.st, err, sizeof err), 0, "%s", err);
    sweep_grading(&g, "bank_grade_p2 (the old form, 66 events)");
    bank_p2_student_free(&g.st);
    bank_workload_free(&w);
}
