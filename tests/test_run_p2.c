/* bank run --project 2's check of its own clocks (spec L6): a run whose branches traced clocks
 * that break L2 or happens-before fails with one line naming the events, and a run whose clocks
 * are right writes its three parts. The run is hand-made (stamps and a trace file), so that a
 * wrong clock can be given to the check. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/run_p2.h"
#include "io/input.h"

/* run_p2.c's calloc() (linked with --wrap=calloc): the fail_at-th call from now fails. */
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
static int fail_at;
void *__wrap_calloc(size_t n, size_t size)
{
    if (fail_at > 0 && --fail_at == 0) return NULL;
    return __real_calloc(n, size);
}

/* Two branches at 400; customer 1 (at branch 1) deposits 10: request 1. Its events (L4): the
 * customer sends it, branch 1 receives it, sends it to branch 2, branch 2 receives it. */
static const char input[] =
    "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"deposit\", \"money\": 10}]},"
    " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", \"balance\": 400}]";

typedef struct {
    char dir[64], trace[96], parts[96];
    bank_workload w;
    bank_outcome answers;
    bank_run_p2 p;
} run;

/* The run: the customer's stamps (sent, received) and branch 1's propagation to branch 2 as
 * the trace holds it (sent at, received at). */
/* The run's folder (in $TMPDIR), with where its trace and parts go. */
static void make_dir(run *r)
{
    snprintf(r->dir, sizeof r->dir, "%s", "/tmp/bank-test-run-p2-XXXXXX");
    const char *tmp = getenv("TMPDIR");
    if (tmp && *tmp) snprintf(r->dir, sizeof r->dir, "%s/bank-test-run-p2-XXXXXX", tmp);
    cr_assert_not_null(mkdtemp(r->dir));
    snprintf(r->trace, sizeof r->trace, "%s/trace.jsonl", r->dir);
    snprintf(r->parts, sizeof r->parts, "%s/parts", r->dir);
}

static void make(run *r, uint64_t sent, uint64_t received, uint64_t prop_sent, uint64_t prop_received)
{
    char err[256];
    make_dir(r);
    cr_assert_eq(bank_input_parse(input, strlen(input), "input", &r->w, err, sizeof err), 0, "%s", err);
    cr_assert_eq(bank_outcome_init(&r->answers, &r->w), 0);
    r->answers.results[0][0] = (bank_result){BANK_OP_DEPOSIT, 1, 410, 0};
    memset(&r->p, 0, sizeof r->p);
    cr_assert_eq(bank_run_p2_start(&r->p, &r->w, r->trace, err, sizeof err), 0, "%s", err);
    r->p.stamps[0][0] = (bank_clock_stamp){sent, received};
    FILE *f = fopen(r->trace, "w");
    cr_assert_not_null(f);
    fprintf(f, "{\"t_recv_us\": 10, \"t_reply_us\": 20, \"from\": \"branch\", \"from_id\": 1, \"to_branch\": 2, "
               "\"rpc\": \"Propagate_Deposit\", \"customer\": 1, \"event\": 1, \"money\": 10, \"balance\": 410, "
               "\"reply\": \"applied\", \"clock_sent\": %llu, \"clock\": %llu}\n",
            (unsigned long long)prop_sent, (unsigned long long)prop_received);
    cr_assert_eq(fclose(f), 0);
}

static void unmake(run *r)
{
    bank_run_p2_free(&r->p);
    bank_outcome_free(&r->answers);
    bank_workload_free(&r->w);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
    cr_assert_eq(system(cmd), 0);
}

static int finish(run *r, char *err, size_t errlen)
{
    return bank_run_p2_finish(&r->p, &r->w, BANK_SCHEDULE_SEQUENTIAL, &r->answers, r->parts, err, errlen);
}

/* rule: L6 */
Test(run_p2, right_clocks_write_the_three_parts)
{
    run r;
    char err[512] = "";
    make(&r, 1, 2, 3, 4);
    cr_assert_eq(finish(&r, err, sizeof err), 0, "%s", err);
    struct stat st;
    cr_assert_eq(stat(r.parts, &st), 0, "the parts' folder was made");
    unmake(&r);
}

/* The parts on standard output, which fails (a full disk): one line and failure, not success.
 * Unbuffered, the first write fails, as it does part way through an output larger than the
 * buffer (criterion runs each test in a process of its own, so stdout is this test's). */
/* rule: L4, S10 */
Test(run_p2, standard_output_that_cannot_be_written_fails_the_run)
{
    run r;
    char err[512] = "";
    make(&r, 1, 2, 3, 4);
    int full = open("/dev/full", O_WRONLY);
    cr_assert_geq(full, 0, "/dev/full");
    cr_assert_eq(dup2(full, STDOUT_FILENO), STDOUT_FILENO);
    close(full);
    cr_assert_eq(setvbuf(stdout, NULL, _IONBF, 0), 0);
    cr_assert_eq(bank_run_p2_finish(&r.p, &r.w, BANK_SCHEDULE_SEQUENTIAL, &r.answers, NULL, err, sizeof err), -1);
    cr_assert_str_eq(err, "standard output: write failed");
    unmake(&r);
}

/* rule: L6 */
Test(run_p2, a_receive_not_after_its_send_names_both_events)
{
    run r;
    char err[512] = "";
    make(&r, 1, 2, 3, 3);
    cr_assert_eq(finish(&r, err, sizeof err), -1);
    cr_assert_str_eq(err, "the run's clocks break happens-before: branch 2: request 1 propagate_deposit, "
                          "event_recv from branch 1 (clock 3) is not after branch 1: request 1 "
                          "propagate_deposit, event_sent to branch 2 (clock 3)");
    struct stat st;
    cr_assert_neq(stat(r.parts, &st), 0, "nothing written");
    unmake(&r);
}

/* rule: L6 */
Test(run_p2, a_clock_that_is_not_l2s_says_what_l2_gives)
{
    run r;
    char err[512] = "";
    make(&r, 1, 3, 4, 5);
    cr_assert_eq(finish(&r, err, sizeof err), -1);
    cr_assert_str_eq(err, "the run's clocks break L2: branch 1: request 1 deposit, event_recv from customer 1 "
                          "has clock 3, L2 gives 2");
    unmake(&r);
}

/* rule: L6; clocks L2 allows that are not the model's: two customers at two branches, and branch 2
 * takes customer 2's deposit (clock 2) before branch 1's propagation of customer 1's (clock 4),
 * where the sequential run has the propagation first (4) and the deposit after it (5) */
Test(run_p2, clocks_l2_allows_but_not_the_models_name_the_first_event_off)
{
    static const char two[] =
        "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"deposit\", \"money\": 10}]},"
        " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"deposit\", \"money\": 20}]},"
        " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", \"balance\": 400}]";
    run r;
    char err[512] = "";
    make_dir(&r);
    cr_assert_eq(bank_input_parse(two, strlen(two), "input", &r.w, err, sizeof err), 0, "%s", err);
    cr_assert_eq(bank_outcome_init(&r.answers, &r.w), 0);
    r.answers.results[0][0] = (bank_result){BANK_OP_DEPOSIT, 1, 410, 0};
    r.answers.results[1][0] = (bank_result){BANK_OP_DEPOSIT, 1, 430, 0};
    cr_assert_eq(bank_run_p2_start(&r.p, &r.w, r.trace, err, sizeof err), 0, "%s", err);
    r.p.stamps[0][0] = (bank_clock_stamp){1, 2};
    r.p.stamps[1][0] = (bank_clock_stamp){1, 2};
    FILE *f = fopen(r.trace, "w");
    cr_assert_not_null(f);
    for (int from = 1; from <= 2; from++)
        fprintf(f, "{\"t_recv_us\": %d, \"t_reply_us\": %d, \"from\": \"branch\", \"from_id\": %d, \"to_branch\": %d, "
                   "\"rpc\": \"Propagate_Deposit\", \"customer\": %d, \"event\": %d, \"money\": %d, \"balance\": 430, "
                   "\"reply\": \"applied\", \"clock_sent\": 3, \"clock\": 4}\n",
                10 * from, 10 * from + 5, from, 3 - from, from, from, 10 * from);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(finish(&r, err, sizeof err), -1);
    cr_assert_str_eq(err, "branch 2: request 2 deposit, event_recv from customer 2: the branches' clock is 2, the "
                          "reference model's 5");
    struct stat st;
    cr_assert_neq(stat(r.parts, &st), 0, "nothing written");
    unmake(&r);
}

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    cr_assert_not_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* Without --trace the run's trace is a temporary file in $TMPDIR: made empty, its descriptor not
 * kept open, and removed when the run is freed. */
Test(run_p2, a_temporary_trace_keeps_no_descriptor_and_is_removed)
{
    run r;
    make(&r, 1, 2, 3, 4);
    bank_run_p2 p;
    char err[256] = "", *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    cr_assert_eq(setenv("TMPDIR", r.dir, 1), 0);
    int before = open_fds();
    cr_assert_eq(bank_run_p2_start(&p, &r.w, NULL, err, sizeof err), 0, "%s", err);
    cr_expect_eq(open_fds(), before, "the temporary trace's descriptor was left open");
    cr_expect_eq(strncmp(p.trace_path, r.dir, strlen(r.dir)), 0, "%s is not in $TMPDIR", p.trace_path);
    struct stat st;
    cr_expect(stat(p.trace_path, &st) == 0 && st.st_size == 0, "%s: not made empty", p.trace_path);
    char path[sizeof p.trace_path];
    snprintf(path, sizeof path, "%s", p.trace_path);
    bank_run_p2_free(&p);
    cr_expect_neq(stat(path, &st), 0, "%s left behind", path);
    if (old) setenv("TMPDIR", old, 1);
    else unsetenv("TMPDIR");
    free(old);
    unmake(&r);
}

/* Out of memory part way through the customers' stamps: one line, and nothing kept (ASan's leak
 * check sees what was not freed). */
Test(run_p2, out_of_memory_for_a_stamp_frees_the_others)
{
    static const char two[] =
        "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"query\"}]},"
        " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"query\"}]},"
        " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", \"balance\": 400}]";
    bank_workload w;
    bank_run_p2 p = {0};
    char err[256] = "";
    cr_assert_eq(bank_input_parse(two, strlen(two), "input", &w, err, sizeof err), 0, "%s", err);
    fail_at = 3; /* the list of stamps, the first customer's, then the second's fails */
    cr_assert_eq(bank_run_p2_start(&p, &w, "unused.jsonl", err, sizeof err), -1);
    fail_at = 0;
    cr_assert_str_eq(err, "out of memory");
    cr_assert_null(p.stamps);
    bank_workload_free(&w);
}

/* rule: L6; out of memory anywhere in the check of a run's clocks (each calloc made to fail in
 * turn) fails the run with a line that says so, never with a blank one */
Test(run_p2, out_of_memory_in_the_clock_check_says_so)
{
    int failed = 0;
    for (int k = 1;; k++) {
        run r;
        char err[512] = "";
        make(&r, 1, 2, 3, 4);
        fail_at = k;
        int rc = finish(&r, err, sizeof err);
        int hit = fail_at == 0;
        fail_at = 0;
        unmake(&r);
        if (!hit) {
            cr_expect_eq(rc, 0, "%s", err);
            break;
        }
        failed++;
        cr_expect_eq(rc, -1, "calloc %d failed, and the run passed", k);
        cr_expect(strstr(err, "out of memory") != NULL, "calloc %d failed: \"%s\"", k, err);
    }
    cr_expect_geq(failed, 2, "the check made %d callocs", failed);
}
