/* Fuzz target: the grader's tolerant reader of students' output files (JSON arrays and lines,
 * Python literals, glued arrays, the protobuf text dump), and the grader behind it: whatever is
 * read is graded against the course sample, both ways, and the counts must add up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grade/grade.h"
#include "io/input.h"
#include "io/student_output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char sample[] =
    "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"query\"}]},"
    " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"deposit\", \"money\": 170},"
    " {\"id\": 3, \"interface\": \"query\"}]},"
    " {\"id\": 3, \"type\": \"customer\", \"events\": [{\"id\": 4, \"interface\": \"withdraw\", \"money\": 70},"
    " {\"id\": 5, \"interface\": \"query\"}]},"
    " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", \"balance\": 400},"
    " {\"id\": 3, \"type\": \"branch\", \"balance\": 400}]";

static void grade_and_check(const bank_workload *w, const bank_student_output *so, bank_grade_mode mode)
{
    bank_grade_options opt = {mode, BANK_SCHEDULE_SEQUENTIAL, 2000};
    bank_grade_report r;
    char err[256];
    if (bank_grade(w, so, &opt, &r, err, sizeof err) != 0) abort(); /* only out of memory */
    if (r.n_events != 5 || r.n_correct + r.n_undecided > r.n_events) abort();
    size_t per_event = 0;
    for (size_t i = 0; i < r.n; i++)
        if (r.verdicts[i].entry != SIZE_MAX && r.verdicts[i].event != SIZE_MAX) per_event++;
    if (per_event != r.n_events) abort(); /* exactly one verdict per input event */
    bank_grade_report_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bank_workload w;
    static int loaded;
    char err[512];
    if (!loaded) {
        if (bank_input_parse(sample, strlen(sample), "sample", &w, err, sizeof err) != 0) abort();
        loaded = 1;
    }
    bank_student_output so;
    if (bank_student_output_parse((const char *)data, size, "out", &so, err, sizeof err) != 0) {
        if (strncmp(err, "out:", 4) != 0 || so.n_records != 0 || so.records) abort();
        return 0;
    }
    if (so.n_records == 0) abort(); /* an empty file is an error, not zero records */
    grade_and_check(&w, &so, BANK_GRADE_EXACT);
    grade_and_check(&w, &so, BANK_GRADE_CONSISTENT);
    bank_student_output_free(&so);
    return 0;
}
