/* What the grader's tests share: the course sample as an input, reading and grading a text,
 * and finding a verdict. Included by tests/test_grade*.c only. */
#ifndef BANK_TESTS_GRADE_FIXTURE_H
#define BANK_TESTS_GRADE_FIXTURE_H

#include <criterion/criterion.h>
#include <string.h>

#include "grade/grade.h"
#include "io/input.h"
#include "io/student_output.h"

/* The course sample: c1 query; c2 deposit 170, query; c3 withdraw 70, query; branches at 400.
 * Sequential answers 400 / 570 / 500, rounds 500 / 500 / 500. */
static const char sample_input[] =
    "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"query\"}]},\n"
    " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"deposit\", \"money\": 170},"
    " {\"id\": 3, \"interface\": \"query\"}]},\n"
    " {\"id\": 3, \"type\": \"customer\", \"events\": [{\"id\": 4, \"interface\": \"withdraw\", \"money\": 70},"
    " {\"id\": 5, \"interface\": \"query\"}]},\n"
    " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", \"balance\": 400},"
    " {\"id\": 3, \"type\": \"branch\", \"balance\": 400}]";

static inline bank_workload load(const char *text)
{
    bank_workload w;
    char err[512];
    cr_assert_eq(bank_input_parse(text, strlen(text), "in.json", &w, err, sizeof err), 0, "%s", err);
    return w;
}

static inline void read_ok(const char *text, bank_student_output *so)
{
    char err[512];
    cr_assert_eq(bank_student_output_parse(text, strlen(text), "out", so, err, sizeof err), 0,
                 "rejected: %s\n%s", err, text);
}

static inline void read_fails(const char *text, const char *want)
{
    bank_student_output so;
    char err[512] = "";
    cr_expect_eq(bank_student_output_parse(text, strlen(text), "out", &so, err, sizeof err), -1,
                 "accepted: %s", text);
    cr_expect(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"", err, want);
    cr_expect_eq(so.n_records, 0);
}

/* Grades text against the sample; returns the report (caller frees). */
static inline bank_grade_report grade_text(const char *input, const char *text, bank_grade_mode mode,
                                    bank_schedule schedule)
{
    bank_workload w = load(input);
    bank_student_output so;
    read_ok(text, &so);
    bank_grade_options opt = {mode, schedule, 0};
    bank_grade_report rep;
    char err[256];
    cr_assert_eq(bank_grade(&w, &so, &opt, &rep, err, sizeof err), 0, "%s", err);
    bank_student_output_free(&so);
    bank_workload_free(&w);
    return rep;
}

static inline const bank_verdict *verdict_for(const bank_grade_report *r, int64_t customer, int64_t event)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->verdicts[i].customer_id == customer && r->verdicts[i].event_id == event)
            return &r->verdicts[i];
    return NULL;
}

static inline void expect_verdict(const bank_grade_report *r, int64_t customer, int64_t event,
                           bank_verdict_kind kind, const char *detail_part)
{
    const bank_verdict *v = verdict_for(r, customer, event);
    cr_assert_not_null(v, "no verdict for customer %lld event %lld", (long long)customer, (long long)event);
    cr_expect_eq(v->kind, kind, "customer %lld event %lld: %s (%s), expected %s", (long long)customer,
                 (long long)event, bank_verdict_name(v->kind), v->detail ? v->detail : "",
                 bank_verdict_name(kind));
    if (detail_part)
        cr_expect(v->detail && strstr(v->detail, detail_part), "detail \"%s\" lacks \"%s\"",
                  v->detail ? v->detail : "(none)", detail_part);
}

#endif
