/* bench --table's rows, byte for byte: each row's process is a stand-in script that prints the
 * figures a `bank bench --figures` would (or fails, or hangs), so every cell, every failed row's
 * line and the summary are pinned; pipe() or fork() refused for a row (linked with
 * --wrap=pipe,--wrap=fork: the table goes on, the row says why); a wait a signal interrupts,
 * waited again, and one that cannot be had, said. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "run/bench_table.h"
#include "stand_in.h"

int __real_pipe(int fd[2]);
pid_t __real_fork(void);
int __wrap_pipe(int fd[2]);
pid_t __wrap_fork(void);
static int refuse_pipe, refuse_fork; /* the next one fails once */
int __wrap_pipe(int fd[2])
{
    if (refuse_pipe) {
        refuse_pipe = 0;
        errno = EMFILE;
        return -1;
    }
    return __real_pipe(fd);
}
pid_t __wrap_fork(void)
{
    if (refuse_fork) {
        refuse_fork = 0;
        errno = EAGAIN;
        return -1;
    }
    return __real_fork();
}

/* A stand-in for bank: its arguments to ARGS, then by the row's B (argument 3):
 *   2, 3, 4: figures (B=3 without deposits; decoy keys that only end or begin like a real one)
 *   5: output, then exit 3        6: nothing, exit 0       7: hangs past --row-timeout
 *   8: figures, then its output closed and a second before it exits 0 */
static const char script[] =
    "#!/bin/sh\n"
    "echo \"$*\" >> \"$(dirname \"$0\")/args\"\n"
    "out=$(readlink /proc/$$/fd/1)\n" /* no descriptor of the row's pipe but its output */
    "for f in /proc/$$/fd/*; do case $f in */1|*/2) ;; *) [ \"$(readlink $f)\" = \"$out\" ] && "
    "echo \"also $f\" >> \"$(dirname \"$0\")/args\";; esac; done\n"
    "case $3 in\n"
    "5) echo 'first words'; printf 'bank bench: last words  \\n\\n'; exit 3;;\n"
    "6) exit 0;;\n"
    "7) exec sleep 30;;\n"
    "esac\n"
    "echo 'starting'\n"
    "d=7; [ $3 = 3 ] && d=0\n"
    "echo \"figures xstartup_ms=999 startup_ms=1$3.4 bare_p50_us=8$5.6 query_calls=5 query_p50_us=12.5 "
    "query_ratio=1.456 query_calls_x=0 deposit_calls=$d deposit_p50_us=3$3 deposit_ratio=2.5 "
    "withdraw_calls=1 withdraw_p50_us=40 withdraw_ratio=0.333 deposit_fanout_ratio=1.125 "
    "sequential_ops=1234.4 live_ops=5678.6 bare_ops=9000 live_bare_ratio=0.631 rpc_efficiency=1.005 "
    "rss_peak_mb=45.25 rss_per_branch_mb=0.125\"\n"
    "echo 'done'\n"
    "[ $3 = 8 ] && { exec >&- 2>&-; sleep 1; }\n"
    "exit 0\n";

static char dir[64], exe[128];

static void make_exe(void)
{
    snprintf(dir, sizeof dir, "/tmp/bank-table-XXXXXX");
    stand_in_write(dir, exe, sizeof exe, script);
}

static void remove_exe(void)
{
    char path[160];
    snprintf(path, sizeof path, "%s/args", dir);
    unlink(path);
    unlink(exe);
    rmdir(dir);
}

/* The table f holds, read back. */
static char *contents(FILE *f)
{
    static char text[16384];
    rewind(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    return text;
}

/* text with every "after N s" of a failed row made "after T s" (how long it took is not pinned). */
static void mask_took(char *text)
{
    for (char *p = text; (p = strstr(p, "(exit ")) != NULL; p++) {
        char *after = strstr(p, " after ");
        if (!after) break;
        char *num = after + 7, *end = num;
        while (*end >= '0' && *end <= '9') end++;
        *num = 'T';
        memmove(num + 1, end, strlen(end) + 1);
    }
}

static const char header[] =
    "    B     C  start ms   bare us  query us (/bare) deposit us (/bare) withdraw us (/bare) d/(b+f) "
    "1-by-1 op/s live op/s bare op/s    l/b    eff  peak MB MB/brnch\n";

static const char legend_head[] =
    "us: p50 latency in microseconds, one operation at a time; (/bare): its ratio to the bare RPC's p50; "
    "d/(b+f): deposit p50 / (bare + bare fan-out p50), target <= 1.3;\n"
    "l/b: live/bare throughput; eff: RPC-equivalent efficiency, live ops/s x (1 + write share x (B-1)) "
    "/ bare calls/s, target >= 1.0;\n"
    "peak MB: the row's peak resident set; MB/brnch: (RSS after start - RSS before) / B.";

Test(bench_table, every_cell_of_every_row_and_each_failure_line)
{
    make_exe();
    bank_bench_table_config cfg = {.bank_exe = exe,
                                   .branch_sizes = {2, 3},
                                   .n_branch_sizes = 2,
                                   .fixed_customers = 9,
                                   .customer_sizes = {1, 2},
                                   .n_customer_sizes = 2,
                                   .fixed_branches = 4,
                                   .extra_branches = {5, 6, 7},
                                   .extra_customers = {1, 1, 1},
                                   .n_extra = 3,
                                   .events = 11,
                                   .seed = 12345678901ULL,
                                   .bare_calls = 77,
                                   .server_threads = 3,
                                   .row_timeout_s = 5};
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    size_t failed = bank_bench_table_run(&cfg, f);
    char *text = contents(f);
    fclose(f);
    mask_took(text);
    char want[16384];
    snprintf(want, sizeof want,
             "bench --table: 11 events per customer, seed 12345678901, each row a fresh process (at most 5 s)\n"
             "branches grow, 9 customers:\n%s"
             "    2     9        12        90         12 (1.46)         32 (2.50)         40 (0.33)    1.12       1234      5679      9000   0.63   1.00     45.2     0.12\n"
             "    3     9        13        90         12 (1.46)                 -         40 (0.33)    1.12       1234      5679      9000   0.63   1.00     45.2     0.12\n"
             "customers grow, 4 branches:\n%s"
             "    4     1        14        82         12 (1.46)         34 (2.50)         40 (0.33)    1.12       1234      5679      9000   0.63   1.00     45.2     0.12\n"
             "    4     2        14        83         12 (1.46)         34 (2.50)         40 (0.33)    1.12       1234      5679      9000   0.63   1.00     45.2     0.12\n"
             "and:\n%s"
             "    5     1   FAILED (exit 3 after T s): bank bench: last words\n"
             "    6     1   FAILED (exit 0 after T s): (no output)\n"
             "    7     1   FAILED: still running after 5 s (--row-timeout); killed\n"
             "%s 3 of 7 rows failed.\n",
             header, header, header, legend_head);
    cr_expect_str_eq(text, want);
    cr_expect_eq(failed, 3);

    /* each row's process had bench's arguments for its size */
    char path[160], args[2048] = "";
    snprintf(path, sizeof path, "%s/args", dir);
    FILE *a = fopen(path, "r");
    cr_assert_not_null(a);
    args[fread(args, 1, sizeof args - 1, a)] = '\0';
    fclose(a);
    const char *rest = " -e 11 --seed 12345678901 --bare-calls 77 --threads 3 --figures\n";
    char want_args[2048];
    snprintf(want_args, sizeof want_args,
             "bench -b 2 -c 9%sbench -b 3 -c 9%sbench -b 4 -c 1%sbench -b 4 -c 2%s"
             "bench -b 5 -c 1%sbench -b 6 -c 1%sbench -b 7 -c 1%s",
             rest, rest, rest, rest, rest, rest, rest);
    cr_expect_str_eq(args, want_args);
    remove_exe();
}

/* No extra pairs: no "and:" part; a binary that cannot be run fails its row with the child's line. */
Test(bench_table, a_binary_that_cannot_run_fails_each_row_with_why)
{
    bank_bench_table_config cfg = {.bank_exe = "/nonexistent/bank",
                                   .branch_sizes = {2},
                                   .n_branch_sizes = 1,
                                   .fixed_customers = 1,
                                   .n_customer_sizes = 0,
                                   .fixed_branches = 2,
                                   .events = 1,
                                   .seed = 1,
                                   .bare_calls = 1,
                                   .server_threads = 1,
                                   .row_timeout_s = 10};
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    cr_expect_eq(bank_bench_table_run(&cfg, f), 1);
    char *text = contents(f);
    fclose(f);
    mask_took(text);
    char want[4096];
    snprintf(want, sizeof want,
             "bench --table: 1 events per customer, seed 1, each row a fresh process (at most 10 s)\n"
             "branches grow, 1 customers:\n%s"
             "    2     1   FAILED (exit 127 after T s): cannot run /nonexistent/bank: No such file or directory\n"
             "customers grow, 2 branches:\n%s"
             "%s 1 of 1 rows failed.\n",
             header, header, legend_head);
    cr_expect_str_eq(text, want);
}

/* The highest descriptor open now. */
static int highest_open(void)
{
    int top = -1;
    for (int fd = 0; fd < 4096; fd++)
        if (fcntl(fd, F_GETFD) != -1) top = fd;
    return top;
}

/* pipe() or fork() refused: the row says which and why, leaves no descriptor open, and the
 * table goes on to the next row. */
Test(bench_table, a_row_that_cannot_pipe_or_fork_says_why_and_the_table_goes_on)
{
    make_exe();
    bank_bench_table_config cfg = {.bank_exe = exe,
                                   .branch_sizes = {2, 2},
                                   .n_branch_sizes = 2,
                                   .fixed_customers = 9,
                                   .customer_sizes = {1},
                                   .n_customer_sizes = 1,
                                   .fixed_branches = 4,
                                   .events = 1,
                                   .seed = 1,
                                   .bare_calls = 1,
                                   .server_threads = 1,
                                   .row_timeout_s = 10};
    for (int which = 0; which < 2; which++) {
        int top = highest_open();
        FILE *f = tmpfile();
        cr_assert_not_null(f);
        if (which == 0) refuse_pipe = 1;
        else refuse_fork = 1;
        cr_expect_eq(bank_bench_table_run(&cfg, f), 1);
        char *text = contents(f);
        fclose(f);
        mask_took(text);
        cr_expect_eq(highest_open(), top, "a descriptor left open after a refused %s", which ? "fork" : "pipe");
        char want[4096];
        snprintf(want, sizeof want,
                 "bench --table: 1 events per customer, seed 1, each row a fresh process (at most 10 s)\n"
                 "branches grow, 9 customers:\n%s"
                 "    2     9   FAILED (exit -1 after T s): %s\n"
                 "    2     9        12        90         12 (1.46)         32 (2.50)         40 (0.33)    1.12       1234      5679      9000   0.63   1.00     45.2     0.12\n"
                 "customers grow, 4 branches:\n%s"
                 "    4     1        14        82         12 (1.46)         34 (2.50)         40 (0.33)    1.12       1234      5679      9000   0.63   1.00     45.2     0.12\n"
                 "%s 1 of 3 rows failed.\n",
                 header, which ? "fork: Resource temporarily unavailable" : "pipe: Too many open files", header,
                 legend_head);
        cr_expect_str_eq(text, want);
    }
    remove_exe();
}

/* A table of one row, b branches x 1 customer, each row run with exe; its text in *text. */
static size_t one_row_table(const char *bank_exe, size_t b, char **text)
{
    bank_bench_table_config cfg = {.bank_exe = bank_exe,
                                   .branch_sizes = {b},
                                   .n_branch_sizes = 1,
                                   .fixed_customers = 1,
                                   .n_customer_sizes = 0,
                                   .fixed_branches = b,
                                   .events = 1,
                                   .seed = 1,
                                   .bare_calls = 1,
                                   .server_threads = 1,
                                   .row_timeout_s = 20};
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    size_t failed = bank_bench_table_run(&cfg, f);
    *text = contents(f);
    fclose(f);
    return failed;
}

static void on_alarm(int sig) { (void)sig; }

/* A wait that a signal interrupts is waited again: a row whose process closed its output and
 * took a second more to exit, while a timer's signal (its handler installed without SA_RESTART)
 * came every 50 ms, is that row's figures, not a failure. */
Test(bench_table, a_wait_a_signal_interrupts_is_waited_again, .timeout = 30)
{
    make_exe();
    struct sigaction sa = {.sa_handler = on_alarm}, was;
    sigemptyset(&sa.sa_mask);
    cr_assert_eq(sigaction(SIGALRM, &sa, &was), 0);
    struct itimerval every = {{0, 50000}, {0, 50000}}, off = {{0, 0}, {0, 0}};
    cr_assert_eq(setitimer(ITIMER_REAL, &every, NULL), 0);
    char *text;
    size_t failed = one_row_table(exe, 8, &text);
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &was, NULL);
    cr_expect_eq(failed, 0, "%s", text);
    cr_expect(strstr(text, "    8     1        18        82         12 (1.46)") != NULL, "%s", text);
    remove_exe();
}

/* A row whose exit status cannot be had (SIGCHLD ignored in this process: the kernel reaps the
 * child, and waitpid fails) says so, not the child's last line; bank itself sets SIGCHLD back
 * to its default first (bench_smoke). */
Test(bench_table, a_row_whose_status_cannot_be_waited_for_says_why, .timeout = 30)
{
    make_exe();
    void (*was)(int) = signal(SIGCHLD, SIG_IGN);
    char *text;
    size_t failed = one_row_table(exe, 2, &text);
    signal(SIGCHLD, was);
    mask_took(text);
    cr_expect_eq(failed, 1, "%s", text);
    cr_expect(strstr(text, "    2     1   FAILED (exit -1 after T s): waitpid: No child processes\n") != NULL, "%s", text);
    remove_exe();
}
