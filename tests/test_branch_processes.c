/* bank run --processes's branch processes (branches.c and branch_child.c) against a stand-in for
 * `bank branch`: every argument each process is given (every option of the run's settings), the
 * peers list it reads, each way a start, a stop and a restart fails as its one line, and no
 * descriptor left open after; and in-process branches whose faults do not parse. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/branches.h"
#include "stand_in.h"

/* The stand-in, by its --id ($3; $7 is --listen):
 *   2: says nothing and exits          3: closes its input, then says where it listens
 *   4: takes its peers, not ready      6: exits 3 when its input closes
 *   7: killed by signal 9 then         8: listens somewhere else when restarted
 *   any other: listens on 127.0.0.1:40ID (or where --listen says), takes its peers, ready. */
static const char script[] =
    "#!/bin/sh\n"
    "d=$(dirname \"$0\")\n"
    "echo \"$*\" >> \"$d/argv-$3\"\n"
    "at=$7; [ \"$at\" = 127.0.0.1:0 ] && at=127.0.0.1:40$3\n"
    "case $3 in\n"
    "2) exit 0;;\n"
    "3) exec 0<&-; echo \"listening $at\"; exit 0;;\n"
    "8) case \"$*\" in *--recover*) at=127.0.0.1:1;; esac;;\n"
    "esac\n"
    "echo \"listening $at\"\n"
    "while read line; do echo \"$line\" >> \"$d/peers-$3\"; [ \"$line\" = end ] && break; done\n"
    "[ $3 = 4 ] && { echo 'not ready'; exit 0; }\n"
    "echo ready\n"
    "while read line; do :; done\n"
    "[ $3 = 6 ] && exit 3\n"
    "[ $3 = 7 ] && kill -9 $$\n"
    "exit 0\n";

static char dir[64], exe[128];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/bank-branchproc-XXXXXX");
    stand_in_write(dir, exe, sizeof exe, script);
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}

static char *slurp(const char *name)
{
    static char text[8192];
    char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    text[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return text;
    text[fread(text, 1, sizeof text - 1, f)] = '\0';
    fclose(f);
    unlink(path);
    return text;
}

/* dir/name once it ends with the line "end" (within 10 s), read and removed; "" past that. A
 * restarted branch's "ready" is left unread by the run, so the stand-in may still be writing. */
static char *slurp_when_ended(const char *name)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    for (int tries = 0; tries < 1000; tries++) {
        FILE *f = fopen(path, "r");
        char text[8192] = "";
        if (f) {
            text[fread(text, 1, sizeof text - 1, f)] = '\0';
            fclose(f);
        }
        size_t len = strlen(text);
        if (len >= 4 && strcmp(text + len - 4, "end\n") == 0) return slurp(name);
        usleep(10000);
    }
    return "";
}

static int open_descriptors(void)
{
    int n = 0;
    for (int fd = 0; fd < 1024; fd++) n += fcntl(fd, F_GETFD) != -1;
    return n;
}

static bank_branches *start(const bank_workload *w, bank_branches_config *cfg, char *err, size_t errlen)
{
    cfg->mode = BANK_MODE_PROCESSES;
    cfg->bank_exe = exe;
    if (!cfg->deadline_ms) cfg->deadline_ms = 20000;
    return bank_branches_start(w, cfg, err, errlen);
}

Test(branch_processes, every_argument_the_peers_and_a_clean_stop, .init = setup, .fini = teardown)
{
    bank_branch br[] = {{1, 100}, {5, 250}};
    bank_workload w = {2, br, 0, NULL};
    bank_branches_config cfg = {0};
    char err[512] = "";
    int fds = open_descriptors();
    bank_branches *b = start(&w, &cfg, err, sizeof err);
    cr_assert_not_null(b, "%s", err);
    cr_expect_str_eq(bank_branches_target(b, 0), "127.0.0.1:401");
    cr_expect_str_eq(bank_branches_target(b, 1), "127.0.0.1:405");
    cr_expect_eq(bank_branches_stop(b, err, sizeof err), 0, "%s", err);
    cr_expect_eq(open_descriptors(), fds, "a descriptor left open");
    cr_expect_str_eq(slurp("argv-1"),
                     "branch --id 1 --balance 100 --listen 127.0.0.1:0 --peers - --threads 1 --deadline-ms 20000 "
                     "--attempts 5 --retry-backoff-ms 50\n");
    cr_expect_str_eq(slurp("argv-5"),
                     "branch --id 5 --balance 250 --listen 127.0.0.1:0 --peers - --threads 1 --deadline-ms 20000 "
                     "--attempts 5 --retry-backoff-ms 50\n");
    const char *peers = "1 127.0.0.1:401\n5 127.0.0.1:405\nend\n";
    cr_expect_str_eq(slurp("peers-1"), peers);
    cr_expect_str_eq(slurp("peers-5"), peers);

    /* every option the run passes on */
    char data[200], trace[200], want[4096];
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(trace, sizeof trace, "%s/trace.jsonl", dir);
    FILE *t = fopen(trace, "w");
    fputs("old\n", t);
    fclose(t);
    bank_branch one[] = {{9, -3}};
    bank_workload w1 = {1, one, 0, NULL};
    bank_branches_config all = {.server_threads = 3, .deadline_ms = 777, .serve_echo = 1, .trace_path = trace,
                                .propagate_attempts = 2, .retry_backoff_ms = 9, .faults = "drop=0.5",
                                .fault_seed = 18446744073709551615ULL, .data_dir = data, .sync = BANK_SYNC_BATCH,
                                .tls_dir = "/certs"};
    b = start(&w1, &all, err, sizeof err);
    cr_assert_not_null(b, "%s", err);
    struct stat st;
    cr_expect_eq(stat(trace, &st), 0);
    cr_expect_eq(st.st_size, 0, "the trace file emptied");
    cr_expect_eq(bank_branches_log_length(b), 0);
    cr_expect_eq(bank_branches_stop(b, err, sizeof err), 0, "%s", err);
    snprintf(want, sizeof want,
             "branch --id 9 --balance -3 --listen 127.0.0.1:0 --peers - --threads 3 --deadline-ms 777 --attempts 2 "
             "--retry-backoff-ms 9 --trace %s --serve-echo --tls-ca /certs/ca.crt --tls-cert /certs/branch-9.crt "
             "--tls-key /certs/branch-9.key --faults drop=0.5 --seed 18446744073709551615 --data-dir %s/branch-9 "
             "--sync %s\n",
             trace, data, bank_sync_name(BANK_SYNC_BATCH));
    cr_expect_str_eq(slurp("argv-9"), want);
    /* a data dir of this run's branch already there */
    snprintf(want, sizeof want,
             "--data-dir: %s/branch-9 is there already (a run starts from the input's balances: give a new or "
             "empty directory)",
             data);
    cr_expect_eq(mkdir(strcat(strcpy(trace, data), "/branch-9"), 0700), 0);
    b = start(&w1, &all, err, sizeof err);
    cr_expect_null(b);
    cr_expect_str_eq(err, want);
}

/* Each way a start fails: its line, and nothing left open. */
Test(branch_processes, each_failed_start_says_which_branch_and_why, .init = setup, .fini = teardown)
{
    const struct {
        int64_t id;
        const char *pattern;
    } cases[] = {
        {2, "^branch 2 \\(pid [0-9]+\\) did not report its address$"},
        {3, "^branch 3 \\(pid [0-9]+\\) stopped before it got its peers$"},
        {4, "^branch 4 \\(pid [0-9]+\\) did not become ready$"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        bank_branch br[] = {{1, 10}, {cases[k].id, 20}};
        bank_workload w = {2, br, 0, NULL};
        bank_branches_config cfg = {0};
        char err[512] = "";
        int fds = open_descriptors();
        cr_expect_null(start(&w, &cfg, err, sizeof err));
        cr_expect(text_matches(err, cases[k].pattern), "branch %lld: %s", (long long)cases[k].id, err);
        cr_expect_eq(open_descriptors(), fds, "branch %lld: a descriptor left open", (long long)cases[k].id);
    }
    bank_branch br[] = {{1, 10}};
    bank_workload w = {1, br, 0, NULL};
    bank_branches_config cfg = {.mode = BANK_MODE_PROCESSES, .bank_exe = "/nonexistent/bank"};
    char err[512] = "";
    cr_expect_null(bank_branches_start(&w, &cfg, err, sizeof err));
    cr_expect_str_eq(err, "cannot start /nonexistent/bank branch: No such file or directory");
    cfg.mode = (bank_mode)7;
    cr_expect_null(bank_branches_start(&w, &cfg, err, sizeof err));
    cr_expect_str_eq(err, "unknown mode");
}

/* A branch that ends badly when stopped: the stop says which, how, and where it listened. */
Test(branch_processes, a_stop_names_the_branch_that_ended_badly, .init = setup, .fini = teardown)
{
    bank_branch br[] = {{1, 10}, {6, 20}, {7, 30}};
    bank_workload w = {3, br, 0, NULL};
    bank_branches_config cfg = {0};
    char err[512] = "";
    bank_branches *b = start(&w, &cfg, err, sizeof err);
    cr_assert_not_null(b, "%s", err);
    cr_expect_eq(bank_branches_stop(b, err, sizeof err), -1);
    cr_expect(text_matches(err, "^branch 6 \\(pid [0-9]+\\) ended badly \\(exit status 3\\) \\(at 127\\.0\\.0\\.1:406\\)$"),
              "%s", err);
    bank_branch br7[] = {{7, 30}};
    bank_workload w7 = {1, br7, 0, NULL};
    b = start(&w7, &cfg, err, sizeof err);
    cr_assert_not_null(b, "%s", err);
    cr_expect_eq(bank_branches_stop(b, err, sizeof err), -1);
    cr_expect(text_matches(err, "^branch 7 \\(pid [0-9]+\\) ended badly \\(signal 9\\) \\(at 127\\.0\\.0\\.1:407\\)$"), "%s",
              err);
}

/* --kill: a branch restarted with --recover on its own address, given its peers again; the
 * ones that cannot be. */
Test(branch_processes, a_crashed_branch_restarts_where_it_was, .init = setup, .fini = teardown)
{
    bank_branch br[] = {{1, 10}, {8, 20}};
    bank_workload w = {2, br, 0, NULL};
    bank_branches_config cfg = {0};
    char err[512] = "";
    int fds = open_descriptors();
    bank_branches *b = start(&w, &cfg, err, sizeof err);
    cr_assert_not_null(b, "%s", err);
    slurp("argv-1");
    slurp("peers-1");
    int64_t ids[] = {1, 1};
    cr_expect_eq(bank_branches_crash_and_recover(b, &w, ids, 2, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(slurp("argv-1"), "branch --id 1 --balance 10 --listen 127.0.0.1:401 --peers - --threads 1 "
                                    "--deadline-ms 20000 --attempts 5 --retry-backoff-ms 50 --recover\n");
    cr_expect_str_eq(slurp_when_ended("peers-1"), "1 127.0.0.1:401\n8 127.0.0.1:408\nend\n", "the restarted branch's peers");
    int64_t unknown[] = {1, 99};
    cr_expect_eq(bank_branches_crash_and_recover(b, &w, unknown, 2, err, sizeof err), -1);
    cr_expect_str_eq(err, "--kill: branch 99 is not a branch process of this run");
    int64_t elsewhere[] = {8};
    cr_expect_eq(bank_branches_crash_and_recover(b, &w, elsewhere, 1, err, sizeof err), -1);
    cr_expect_str_eq(err, "branch 8 did not listen again on 127.0.0.1:408 after its restart");
    /* the binary gone: the restart cannot start */
    char moved[160];
    snprintf(moved, sizeof moved, "%s/bank-moved", dir);
    cr_assert_eq(rename(exe, moved), 0);
    cr_expect_eq(bank_branches_crash_and_recover(b, &w, ids, 1, err, sizeof err), -1);
    char want[512];
    snprintf(want, sizeof want, "cannot start %s branch: No such file or directory", exe);
    cr_expect_str_eq(err, want);
    cr_assert_eq(rename(moved, exe), 0);
    cr_expect_eq(bank_branches_stop(b, err, sizeof err), 0, "%s", err);
    cr_expect_eq(open_descriptors(), fds, "a descriptor left open");
    cr_expect_str_eq(slurp("peers-1"), "", "no branch 1 took its peers again after the failed restarts");
}

/* In-process branches with faults that do not parse: the parser's line, nothing started. */
Test(branch_processes, embedded_branches_with_faults_that_do_not_parse)
{
    bank_branch br[] = {{1, 10}};
    bank_workload w = {1, br, 0, NULL};
    bank_branches_config cfg = {.mode = BANK_MODE_EMBEDDED, .faults = "bogus=1"};
    char err[512] = "";
    cr_expect_null(bank_branches_start(&w, &cfg, err, sizeof err));
    cr_expect_str_eq(err, "--faults: unknown fault \"bogus\" (drop, dup, delay, reply-delay)");
}

/* In-process branches whose certificates or state cannot be had: the first branch's line. */
Test(branch_processes, embedded_branches_without_certificates_or_a_data_dir, .init = setup, .fini = teardown)
{
    bank_branch br[] = {{1, 10}, {2, 20}};
    bank_workload w = {2, br, 0, NULL};
    bank_branches_config cfg = {.mode = BANK_MODE_EMBEDDED, .tls_dir = "/nonexistent"};
    char err[512] = "";
    cr_expect_null(bank_branches_start(&w, &cfg, err, sizeof err));
    cr_expect_str_eq(err, "/nonexistent/ca.crt: cannot open: No such file or directory");
    cfg.tls_dir = NULL;
    cfg.data_dir = exe; /* a file: no folder can be made in it */
    cr_expect_null(bank_branches_start(&w, &cfg, err, sizeof err));
    cr_expect(strstr(err, "branch-1") != NULL, "%s", err);
}
