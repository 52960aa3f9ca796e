/* Fuzz target: the reader of students' Project 3 output files (every shape of session_student.h,
 * in every syntax the tolerant reader takes), and the grader behind it: whatever is read is
 * graded against two inputs (the old monotonic-writes one, and one of two customers moving
 * between branches), and the counts must add up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grade/grade_p3.h"
#include "io/input.h"
#include "io/session_student.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const inputs[] = {
    "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"interface\": \"deposit\", \"money\": 400, \"dest\": 1},"
    " {\"interface\": \"withdraw\", \"money\": 400, \"dest\": 2}, {\"interface\": \"query\", \"dest\": 2}]},"
    " {\"id\": 1, \"type\": \"bank\", \"balance\": 0}, {\"id\": 2, \"type\": \"bank\", \"balance\": 0}]",
    "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"query\", \"branch\": 1},"
    " {\"id\": 2, \"interface\": \"deposit\", \"money\": 10, \"branch\": 1}, {\"id\": 3, \"interface\": \"query\", \"branch\": 2},"
    " {\"id\": 4, \"interface\": \"withdraw\", \"money\": 5, \"branch\": 2}]},"
    " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 5, \"interface\": \"withdraw\", \"money\": 10, \"branch\": 2},"
    " {\"id\": 6, \"interface\": \"query\", \"branch\": 1}]},"
    " {\"id\": 1, \"type\": \"branch\", \"balance\": 0}, {\"id\": 2, \"type\": \"branch\", \"balance\": 5}]",
};

static void grade_and_check(const bank_workload *w, const bank_routes *rt, const bank_session_output *so)
{
    bank_grade_report r;
    char err[256];
    if (bank_grade_p3(w, rt, so, 2000, &r, err, sizeof err) != 0) abort(); /* only out of memory */
    size_t judged = 0, queries = 0;
    for (size_t c = 0; c < w->n_customers; c++) {
        int has_query = 0;
        for (size_t e = 0; e < w->customers[c].n_events; e++) has_query |= w->customers[c].events[e].op == BANK_OP_QUERY;
        queries += has_query;
    }
    for (size_t i = 0; i < r.n; i++) {
        const bank_verdict *v = &r.verdicts[i];
        if (v->entry != SIZE_MAX && v->event != SIZE_MAX) judged++;
        if (v->kind != BANK_VERDICT_OK && !v->detail) abort(); /* every verdict but ok says why */
    }
    /* one verdict per event, or per entry with a query for final balances */
    if (judged != r.n_events || r.n_events != (so->final_balances ? queries : bank_workload_event_count(w))) abort();
    if (r.n_correct + r.n_undecided > r.n_events || r.n_correct + r.n_wrong + r.n_undecided < r.n_events) abort();
    bank_grade_report_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bank_workload w[2];
    static bank_routes rt[2];
    static int loaded;
    char err[512];
    for (int i = 0; !loaded && i < 2; i++)
        if (bank_input_parse_routed(inputs[i], strlen(inputs[i]), "input", &w[i], &rt[i], err, sizeof err) != 0) abort();
    loaded = 1;
    bank_session_output so;
    if (bank_session_output_parse((const char *)data, size, "out", &so, err, sizeof err) != 0) {
        if (strncmp(err, "out:", 4) != 0 || so.n_records != 0 || so.records) abort();
        return 0;
    }
    if (so.n_records == 0) abort(); /* an empty file is an error, not zero records */
    for (int i = 0; i < 2; i++) grade_and_check(&w[i], &rt[i], &so);
    bank_session_output_free(&so);
    return 0;
}
