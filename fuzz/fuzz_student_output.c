/* Fuzz target: the grader's tolerant reader of students' output files (JSON arrays and lines,
 * Python literals, glued arrays, the protobuf text dump), and the grader behind it: whatever is
 * read is graded against the course sample, both ways, and the counts must add up. A student's
 * file is untrusted (G20): what is read, and the report, must stay within a fixed multiple of the
 * file's size, and the report's lines must not grow with the replies (a run of extra replies is
 * one verdict). */
#include <malloc.h>
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

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BANK_FUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(BANK_FUZZ_ASAN)
size_t __sanitizer_get_current_allocated_bytes(void);
static size_t heap_in_use(void) { return __sanitizer_get_current_allocated_bytes(); }
#else
static size_t heap_in_use(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}
#endif

/* What may be held for a file of `size` bytes: every reply object costs at most a few bytes of
 * text ("{}," is three) and a fixed-size reply; the reader's string chunks are 64 KiB. */
static int within_bound(size_t before, size_t size)
{
    size_t now = heap_in_use();
    return now <= before || now - before <= 64 * size + (256u << 10);
}

static void grade_and_check(const bank_workload *w, const bank_student_output *so, bank_grade_mode mode,
                            size_t size, size_t before)
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
    /* beyond the events: at most one verdict per record (its run of extra replies, or the record
     * itself) */
    if (r.n > r.n_events + so->n_records) abort();
    if (!within_bound(before, size)) abort();
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
    size_t before = heap_in_use();
    if (bank_student_output_parse((const char *)data, size, "out", &so, err, sizeof err) != 0) {
        if (strncmp(err, "out:", 4) != 0 || so.n_records != 0 || so.records) abort();
        return 0;
    }
    if (!within_bound(before, size)) abort();
    /* zero records only for a file of empty arrays ([]: every event missing, G4) */
    if (so.n_records == 0 && !strstr(so.format, "empty: no record")) abort();
    grade_and_check(&w, &so, BANK_GRADE_EXACT, size, before);
    grade_and_check(&w, &so, BANK_GRADE_CONSISTENT, size, before);
    bank_student_output_free(&so);
    return 0;
}
