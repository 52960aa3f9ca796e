#include "bench_table.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROW_OUTPUT_MAX 65536

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs argv with stdout and stderr into out (NUL-terminated, truncated at outlen). Returns the
 * exit status, 128+signal when killed, or -1 with why in out when it could not be run; *timed_out
 * is set when it was killed for running past timeout_s. */
static int run_child(char *const argv[], int timeout_s, char *out, size_t outlen, int *timed_out)
{
    int fd[2];
    *timed_out = 0;
    if (pipe(fd) != 0) {
        snprintf(out, outlen, "pipe: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(out, outlen, "fork: %s", strerror(errno));
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        dup2(fd[1], STDERR_FILENO);
        close(fd[0]);
        close(fd[1]);
        execv(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fd[1]);
    size_t len = 0;
    double deadline = now_s() + timeout_s;
    for (;;) {
        int left_ms = (int)((deadline - now_s()) * 1000);
        if (left_ms <= 0) {
            *timed_out = 1;
            kill(pid, SIGKILL);
            break;
        }
        struct pollfd p = {fd[0], POLLIN, 0};
        int n = poll(&p, 1, left_ms);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) continue; /* the deadline check above ends it */
        char buf[4096];
        ssize_t got = read(fd[0], buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        size_t keep = (size_t)got < outlen - 1 - len ? (size_t)got : outlen - 1 - len;
        memcpy(out + len, buf, keep);
        len += keep;
    }
    out[len] = '\0';
    close(fd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            snprintf(out, outlen, "waitpid: %s", strerror(errno));
            return -1;
        }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The value of key in a "figures k=v ..." line, or -1 when absent. */
static double figure(const char *line, const char *key)
{
    size_t klen = strlen(key);
    for (const char *p = line; (p = strstr(p, key)) != NULL; p += klen)
        if ((p == line || p[-1] == ' ') && p[klen] == '=') return strtod(p + klen + 1, NULL);
    return -1;
}

/* The last non-empty line of text, for a failed row's error, into buf. */
static void last_line(const char *text, char *buf, size_t buflen)
{
    size_t end = strlen(text);
    while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == ' ')) end--;
    size_t start = end;
    while (start > 0 && text[start - 1] != '\n') start--;
    snprintf(buf, buflen, "%.*s", (int)(end - start), text + start);
    if (!buf[0]) snprintf(buf, buflen, "(no output)");
}

/* "p50 (ratio)" of one operation, or "-" when the workload had none of it. */
static void op_cell(const char *line, const char *op, char *buf, size_t buflen)
{
    char k_calls[32], k_p50[32], k_ratio[32];
    snprintf(k_calls, sizeof k_calls, "%s_calls", op);
    snprintf(k_p50, sizeof k_p50, "%s_p50_us", op);
    snprintf(k_ratio, sizeof k_ratio, "%s_ratio", op);
    if (figure(line, k_calls) <= 0) snprintf(buf, buflen, "-");
    else snprintf(buf, buflen, "%.0f (%.2f)", figure(line, k_p50), figure(line, k_ratio));
}

static void print_header(FILE *f)
{
    fprintf(f, "%5s %5s %9s %9s %17s %17s %17s %7s %10s %9s %9s %6s %6s %8s %8s\n", "B", "C",
            "start ms", "bare us", "query us (/bare)", "deposit us (/bare)", "withdraw us (/bare)",
            "d/(b+f)", "1-by-1 op/s", "live op/s", "bare op/s", "l/b", "eff", "peak MB", "MB/brnch");
}

/* Runs one row; 0 when it produced its figures. */
static int table_row(const bank_bench_table_config *cfg, size_t b, size_t c, FILE *f)
{
    char sb[32], sc[32], se[32], ss[32], sn[32], st[32];
    snprintf(sb, sizeof sb, "%zu", b);
    snprintf(sc, sizeof sc, "%zu", c);
    snprintf(se, sizeof se, "%zu", cfg->events);
    snprintf(ss, sizeof ss, "%llu", (unsigned long long)cfg->seed);
    snprintf(sn, sizeof sn, "%zu", cfg->bare_calls);
    snprintf(st, sizeof st, "%d", cfg->server_threads);
    char *const argv[] = {(char *)cfg->bank_exe, "bench", "-b", sb, "-c", sc, "-e", se, "--seed", ss,
                          "--bare-calls", sn, "--threads", st, "--figures", NULL};
    static char out[ROW_OUTPUT_MAX];
    int timed_out;
    double t0 = now_s();
    int status = run_child(argv, cfg->row_timeout_s, out, sizeof out, &timed_out);
    double took = now_s() - t0;
    const char *line = strstr(out, "figures ");
    char why[600];
    if (timed_out) {
        fprintf(f, "%5zu %5zu   FAILED: still running after %d s (--row-timeout); killed\n", b, c,
                cfg->row_timeout_s);
    } else if (status != 0 || !line) {
        last_line(out, why, sizeof why);
        fprintf(f, "%5zu %5zu   FAILED (exit %d after %.0f s): %s\n", b, c, status, took, why);
    } else {
        char q[32], d[32], w[32];
        op_cell(line, "query", q, sizeof q);
        op_cell(line, "deposit", d, sizeof d);
        op_cell(line, "withdraw", w, sizeof w);
        fprintf(f, "%5zu %5zu %9.0f %9.0f %17s %17s %17s %7.2f %10.0f %9.0f %9.0f %6.2f %6.2f %8.1f %8.2f\n",
                b, c, figure(line, "startup_ms"), figure(line, "bare_p50_us"), q, d, w,
                figure(line, "deposit_fanout_ratio"), figure(line, "sequential_ops"),
                figure(line, "live_ops"), figure(line, "bare_ops"), figure(line, "live_bare_ratio"),
                figure(line, "rpc_efficiency"), figure(line, "rss_peak_mb"),
                figure(line, "rss_per_branch_mb"));
    }
    fflush(f);
    return timed_out || status != 0 || !line ? -1 : 0;
}

size_t bank_bench_table_run(const bank_bench_table_config *cfg, FILE *f)
{
    size_t failed = 0, rows = cfg->n_branch_sizes + cfg->n_customer_sizes + cfg->n_extra;
    fprintf(f, "bench --table: %zu events per customer, seed %llu, each row a fresh process "
               "(at most %d s)\n",
            cfg->events, (unsigned long long)cfg->seed, cfg->row_timeout_s);
    fprintf(f, "branches grow, %zu customers:\n", cfg->fixed_customers);
    print_header(f);
    for (size_t i = 0; i < cfg->n_branch_sizes; i++)
        if (table_row(cfg, cfg->branch_sizes[i], cfg->fixed_customers, f) != 0) failed++;
    fprintf(f, "customers grow, %zu branches:\n", cfg->fixed_branches);
    print_header(f);
    for (size_t i = 0; i < cfg->n_customer_sizes; i++)
        if (table_row(cfg, cfg->fixed_branches, cfg->customer_sizes[i], f) != 0) failed++;
    if (cfg->n_extra) {
        fprintf(f, "and:\n");
        print_header(f);
    }
    for (size_t i = 0; i < cfg->n_extra; i++)
        if (table_row(cfg, cfg->extra_branches[i], cfg->extra_customers[i], f) != 0) failed++;
    fprintf(f, "us: p50 latency in microseconds, one operation at a time; (/bare): its ratio to the "
               "bare RPC's p50; d/(b+f): deposit p50 / (bare + bare fan-out p50), target <= 1.3;\n"
               "l/b: live/bare throughput; eff: RPC-equivalent efficiency, live ops/s x (1 + write "
               "share x (B-1)) / bare calls/s, target >= 1.0;\npeak MB: the row's peak resident set; "
               "MB/brnch: (RSS after start - RSS before) / B. %zu of %zu rows failed.\n",
            failed, rows);
    return failed;
}
