/* Fuzz target: the reader of students' Project 2 outputs (the three parts in any packaging, the
 * old {pid, data} form, the protobuf dump's clock_events) and the grader behind it: whatever is
 * read is graded against the TA's input, by happens-before and strictly, and every required
 * event must get exactly one verdict. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grade/grade_p2.h"
#include "io/input.h"
#include "io/p2_student.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char ta_input[] =
    "[{\"id\": 1, \"type\": \"customer\", \"customer-requests\": [{\"customer-request-id\": 1, \"interface\": \"deposit\", \"money\": 10},"
    " {\"customer-request-id\": 2, \"interface\": \"withdraw\", \"money\": 10}]},"
    " {\"id\": 2, \"type\": \"customer\", \"customer-requests\": [{\"customer-request-id\": 3, \"interface\": \"deposit\", \"money\": 10},"
    " {\"customer-request-id\": 4, \"interface\": \"withdraw\", \"money\": 500}]},"
    " {\"id\": 3, \"type\": \"customer\", \"events\": [{\"id\": 5, \"interface\": \"query\"}]},"
    " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", \"balance\": 400},"
    " {\"id\": 3, \"type\": \"branch\", \"balance\": 400}]";

static void grade_and_check(const bank_workload *w, const bank_p2_student *st, int strict)
{
    bank_p2_grade_options opt = {strict};
    bank_grade_report r;
    char err[256];
    if (bank_grade_p2(w, st, &opt, &r, err, sizeof err) != 0) abort(); /* only out of memory */
    size_t judged = 0, ok = 0;
    for (size_t i = 0; i < r.n; i++) {
        const bank_verdict *v = &r.verdicts[i];
        if (!v->label) abort();
        if (v->kind == BANK_VERDICT_EXTRA) continue;
        judged += v->kind != BANK_VERDICT_CLOCK_ORDER || v->entry != SIZE_MAX;
        ok += v->kind == BANK_VERDICT_OK;
    }
    if (ok != r.n_correct || r.n_correct > r.n_events || r.n_correct + r.n_wrong != r.n) abort();
    if (judged < r.n_events) abort(); /* every required event has a verdict */
    if (!strict && r.n_events == 0) abort(); /* something was read, so some view was judged */
    bank_grade_report_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bank_workload w;
    static int loaded;
    char err[512];
    if (!loaded) {
        if (bank_input_parse(ta_input, strlen(ta_input), "ta", &w, err, sizeof err) != 0) abort();
        loaded = 1;
    }
    bank_p2_student st = {0};
    if (bank_p2_student_parse((const char *)data, size, "out", &st, err, sizeof err) != 0) {
        if (strncmp(err, "out:", 4) != 0 || st.n != 0) abort();
        bank_p2_student_free(&st);
        return 0;
    }
    if (st.n == 0) abort(); /* a file without events is an error, not an empty result */
    for (size_t i = 0; i < st.n; i++)
        if (st.items[i].line < 1 || st.items[i].col < 1 || !st.items[i].file) abort();
    grade_and_check(&w, &st, 0);
    grade_and_check(&w, &st, 1);
    bank_p2_student_free(&st);
    return 0;
}
