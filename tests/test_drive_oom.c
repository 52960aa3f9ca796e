/* Out of memory on the thread that drives a run (bank_drive, and bank drive's bank_system_drive
 * with its probes and its judge): every allocation it makes fails in turn, and the run fails with
 * one line, or, once none is left to fail, answers every event. The
 * branches' and the customers' own threads allocate too, and in an order no run repeats, so the
 * failure is armed for the driving thread alone (thread-local counts), not by oom_wrap.h's one
 * count for the whole process. Linked with --wrap for malloc, calloc, realloc, strdup, strndup. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "run/branches.h"
#include "run/customers.h"
#include "run/drive.h"
#include "course_sample.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

static _Thread_local long fail_at = -1; /* this thread's allocation (from 0 once armed) that fails */
static _Thread_local long allocations;

static int refuse(void)
{
    if (fail_at < 0 || allocations++ != fail_at) return 0;
    errno = ENOMEM;
    return 1;
}

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n) { return refuse() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return refuse() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return refuse() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return refuse() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return refuse() ? NULL : __real_strndup(s, n); }

static void sweep(bank_schedule schedule)
{
    bank_branches_config bc = {.mode = BANK_MODE_EMBEDDED, .server_threads = 1, .deadline_ms = 10000};
    char err[512];
    bank_branches *b = bank_branches_start(&sample, &bc, err, sizeof err);
    cr_assert_not_null(b, "%s", err);
    bank_drive_config cfg = {.schedule = schedule, .deadline_ms = 10000};
    int finished = 0;
    for (long k = 0; k < 1000 && !finished; k++) {
        bank_outcome out;
        cr_assert_eq(bank_outcome_init(&out, &sample), 0);
        err[0] = '\0';
        allocations = 0;
        fail_at = k;
        int rc = bank_drive(&sample, b, &cfg, &out, NULL, err, sizeof err);
        int hit = allocations > k;
        fail_at = -1;
        if (hit) {
            cr_expect_eq(rc, -1, "%s: allocation %ld failed, yet the run went on", bank_schedule_name(schedule), k);
            cr_expect_str_eq(err, "out of memory", "%s: allocation %ld: %s", bank_schedule_name(schedule), k, err);
        } else {
            cr_expect_eq(rc, 0, "%s: %s", bank_schedule_name(schedule), err);
            for (size_t c = 0; c < sample.n_customers; c++)
                for (size_t e = 0; e < sample.customers[c].n_events; e++)
                    cr_expect(out.results[c][e].op == sample.customers[c].events[e].op && out.results[c][e].success,
                              "%s: customer %zu, event %zu", bank_schedule_name(schedule), c + 1, e + 1);
            finished = 1;
        }
        bank_outcome_free(&out);
    }
    cr_expect(finished, "%s: a run that never ran out of memory", bank_schedule_name(schedule));
    cr_assert_eq(bank_branches_stop(b, err, sizeof err), 0, "%s", err);
}

/* rule: S3, S10 */
Test(drive_oom, a_sequential_run_fails_cleanly_at_every_allocation) { sweep(BANK_SCHEDULE_SEQUENTIAL); }

/* rule: S5, S10 */
Test(drive_oom, a_live_run_fails_cleanly_at_every_allocation) { sweep(BANK_SCHEDULE_LIVE); }

/* bank drive's whole run: out of memory is this process's failure (-1, "out of memory"), never
 * reported as the branches' (not answering, a probe that failed, a wrong answer). */
static void system_sweep(bank_schedule schedule)
{
    bank_branches_config bc = {.mode = BANK_MODE_EMBEDDED, .server_threads = 1, .deadline_ms = 10000};
    char err[512];
    bank_wire *wire = bank_wire_bank();
    cr_assert_not_null(wire);
    bank_system_config cfg = {.schedule = schedule, .deadline_ms = 10000, .wire = wire};
    int finished = 0;
    for (long k = 0; k < 3000 && !finished; k++) {
        /* fresh branches: a run stopped midway leaves its writes behind */
        bank_branches *b = bank_branches_start(&sample, &bc, err, sizeof err);
        cr_assert_not_null(b, "%s", err);
        bank_system_run run;
        err[0] = '\0';
        allocations = 0;
        fail_at = k;
        int rc = bank_system_drive(&sample, b, &cfg, &run, err, sizeof err);
        int hit = allocations > k;
        fail_at = -1;
        if (hit) {
            cr_expect_eq(rc, -1, "%s: allocation %ld failed, yet the run was judged (behaved: %d)",
                         bank_schedule_name(schedule), k, rc == 0 && bank_system_behaved(&run));
            cr_expect(strncmp(err, "out of memory", 13) == 0, "%s: allocation %ld: %s", bank_schedule_name(schedule),
                      k, err);
            if (rc == 0) bank_system_run_free(&run, &sample);
        } else {
            cr_expect_eq(rc, 0, "%s: %s", bank_schedule_name(schedule), err);
            cr_expect(rc == 0 && bank_system_behaved(&run), "%s: the run without a failure misbehaved",
                      bank_schedule_name(schedule));
            cr_expect_eq(run.n_answered, 5);
            if (rc == 0) bank_system_run_free(&run, &sample);
            finished = 1;
        }
        cr_assert_eq(bank_branches_stop(b, err, sizeof err), 0, "%s", err);
    }
    cr_expect(finished, "%s: a run that never ran out of memory", bank_schedule_name(schedule));
    bank_wire_free(wire);
}

/* rule: D1, S10 */
Test(drive_oom, bank_drives_sequential_run_fails_cleanly_at_every_allocation) { system_sweep(BANK_SCHEDULE_SEQUENTIAL); }

/* rule: D1, S10 */
Test(drive_oom, bank_drives_live_run_fails_cleanly_at_every_allocation) { system_sweep(BANK_SCHEDULE_LIVE); }
