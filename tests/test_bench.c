/* bank bench's report and figures line, byte for byte, from a result made by hand (every ratio,
 * target line and optional part); a tiny real run's every count and its phases' figures; and the
 * failures a run names by phase (no branch; client threads refused, linked with
 * --wrap=pthread_create). */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "run/bench.h"
#include "stand_in.h"

int __real_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg);
/* bench's client threads (a static start routine) are the first created three times in a row
 * with one argument: learnt in a first run, then refused after refuse_after of them started. */
static void *(*learnt)(void *), *(*last_fn)(void *);
static void *last_arg;
static int streak, refuse_after = -1;
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg)
{
    streak = fn == last_fn && arg == last_arg ? streak + 1 : 1;
    last_fn = fn;
    last_arg = arg;
    if (!learnt && streak == 3) learnt = fn;
    if (refuse_after >= 0 && fn == learnt) {
        if (refuse_after == 0) return EAGAIN;
        refuse_after--;
    }
    return __real_pthread_create(t, a, fn, arg);
}

static char *print_to_text(const bank_bench_config *cfg, const bank_bench_result *r, int figures)
{
    static char text[8192];
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    if (figures) bank_bench_print_figures(f, cfg, r);
    else bank_bench_print(f, cfg, r);
    rewind(f);
    text[fread(text, 1, sizeof text - 1, f)] = '\0';
    fclose(f);
    return text;
}

/* Figures chosen so every ratio differs from its neighbours' and none is 0 or 1. */
static bank_bench_result made_up(void)
{
    bank_bench_result r = {0};
    r.startup_seconds = 0.0123;
    r.rss_before_kib = 10240;
    r.rss_started_kib = 14336;
    r.rss_peak_kib = 20480;
    r.child_rss_peak_kib = 7168;
    r.bare = (bank_latency_summary){100000, 250000, 40};
    r.bare_fanout = (bank_latency_summary){150000, 300000, 10};
    r.bare_parallel = (bank_bench_throughput){0.5, 2000, 1000};
    r.sequential = (bank_bench_phase){2.0, 50, {120000, 200000, 30}, {300000, 400000, 20}, {350000, 500000, 10}};
    r.live = (bank_bench_phase){1.0, 800, {130000, 210000, 31}, {310000, 410000, 21}, {360000, 510000, 11}};
    r.connect = (bank_latency_summary){900000, 1500000, 50};
    r.tls_bare = (bank_latency_summary){200000, 0, 40};
    r.tls_connect = (bank_latency_summary){2700000, 0, 50};
    r.tls_sequential = (bank_bench_phase){0, 0, {180000, 0, 30}, {600000, 0, 20}, {525000, 0, 10}};
    return r;
}

Test(bench, the_report_of_a_result_line_by_line)
{
    bank_bench_config cfg = {.branches = 5, .customers = 4, .events = 25, .seed = 77};
    bank_bench_result r = made_up();
    const char *want =
        "bench: 5 branches, 4 customers x 25 events (100 operations), seed 77\n"
        "  start-up of the branches                12.3 ms\n"
        "  memory: RSS before start 10.0 MB, after start 14.0 MB (0.80 MB per branch), peak 20.0 MB\n"
        "  bare RPC (echo, one at a time)     p50    100.0 us   p99    250.0 us   (40 calls)\n"
        "  bare RPC, all threads at once:          2000 ops/s  (0.500 s, 4 threads x 25 echoes at one branch)\n"
        "  bare fan-out (an echo to each of the other 4 branches at once)\n"
        "                                     p50    150.0 us   p99    300.0 us   (10 rounds)\n"
        "  one operation at a time:                  50 ops/s  (2.000 s)\n"
        "    query     p50    120.0 us   p99    200.0 us   (30 calls)\n"
        "    deposit   p50    300.0 us   p99    400.0 us   (20 calls)\n"
        "    withdraw  p50    350.0 us   p99    500.0 us   (10 calls)\n"
        "  all customers at once (live):            800 ops/s  (1.000 s)\n"
        "    query     p50    130.0 us   p99    210.0 us   (31 calls)\n"
        "    deposit   p50    310.0 us   p99    410.0 us   (21 calls)\n"
        "    withdraw  p50    360.0 us   p99    510.0 us   (11 calls)\n"
        "  a new channel's first call         p50    900.0 us   p99   1500.0 us   (50 channels, one after "
        "another: connecting included)\n"
        "  ratio query/bare = 1.20   (target <= 1.3; p50, one at a time)\n"
        "  ratio deposit/(bare + bare fan-out) = 1.20   withdraw = 1.40   (target <= 1.3 at 10 branches; 1.00: a "
        "write costs what gRPC takes to reach its branch, then every peer)\n"
        "  RPC-equivalent efficiency = 1.21   (target >= 1.0: live ops/s x (1 + write share x (B-1)) / bare "
        "calls/s)\n"
        "  plain figures: deposit/bare = 3.00   withdraw/bare = 3.50   live/bare throughput = 0.40\n";
    cr_expect_str_eq(print_to_text(&cfg, &r, 0), want);

    /* branch processes, state on disk and TLS: their lines; one branch: no fan-out */
    cfg.branches = 1;
    cfg.bank_exe = "/usr/bin/bank";
    cfg.data_dir = "/tmp/d";
    cfg.sync = BANK_SYNC_BATCH;
    cfg.tls_dir = "/etc/certs";
    r.bare_fanout.count = 0;
    r.rss_started_kib = r.rss_before_kib; /* no growth: 0 per branch */
    r.bare_parallel.ops_per_second = 0;   /* no ratio against nothing */
    char want2[4096];
    snprintf(want2, sizeof want2,
             "bench: 1 branches, 4 customers x 25 events (100 operations), seed 77; state on disk, --sync %s\n"
             "  start-up of the branches                12.3 ms\n"
             "  memory: RSS before start 10.0 MB, after start 10.0 MB (0.00 MB per branch), peak 20.0 MB\n"
             "  branch processes: the largest one's peak RSS 7.0 MB (the figures above are this process's, "
             "the customers')\n"
             "  bare RPC (echo, one at a time)     p50    100.0 us   p99    250.0 us   (40 calls)\n"
             "  bare RPC, all threads at once:             0 ops/s  (0.500 s, 4 threads x 25 echoes at one branch)\n"
             "  one operation at a time:                  50 ops/s  (2.000 s)\n"
             "    query     p50    120.0 us   p99    200.0 us   (30 calls)\n"
             "    deposit   p50    300.0 us   p99    400.0 us   (20 calls)\n"
             "    withdraw  p50    350.0 us   p99    500.0 us   (10 calls)\n"
             "  all customers at once (live):            800 ops/s  (1.000 s)\n"
             "    query     p50    130.0 us   p99    210.0 us   (31 calls)\n"
             "    deposit   p50    310.0 us   p99    410.0 us   (21 calls)\n"
             "    withdraw  p50    360.0 us   p99    510.0 us   (11 calls)\n"
             "  a new channel's first call         p50    900.0 us   p99   1500.0 us   (50 channels, one after "
             "another: connecting included)\n"
             "  ratio query/bare = 1.20   (target <= 1.3; p50, one at a time)\n"
             "  RPC-equivalent efficiency = 0.00   (target >= 1.0: live ops/s x (1 + write share x (B-1)) / bare "
             "calls/s)\n"
             "  plain figures: deposit/bare = 3.00   withdraw/bare = 3.50   live/bare throughput = 0.00\n"
             "  over mutual TLS (new branches, certificates from /etc/certs; one operation at a time):\n"
             "    bare RPC                 p50    200.0 us   (plaintext    100.0 us: x 2.00)\n"
             "    query                    p50    180.0 us   (plaintext    120.0 us: x 1.50)\n"
             "    deposit                  p50    600.0 us   (plaintext    300.0 us: x 2.00)\n"
             "    withdraw                 p50    525.0 us   (plaintext    350.0 us: x 1.50)\n"
             "    new channel's first call p50   2700.0 us   (plaintext    900.0 us: x 3.00)\n",
             bank_sync_name(BANK_SYNC_BATCH));
    cr_expect_str_eq(print_to_text(&cfg, &r, 0), want2);
}

Test(bench, the_figures_line_key_by_key)
{
    bank_bench_config cfg = {.branches = 5, .customers = 4, .events = 25, .seed = 77};
    bank_bench_result r = made_up();
    const char *want =
        "figures branches=5 customers=4 events=25 startup_ms=12.3 bare_p50_us=100.0 bare_p99_us=250.0 "
        "fanout_p50_us=150.0 query_p50_us=120.0 deposit_p50_us=300.0 withdraw_p50_us=350.0 query_ratio=1.20 "
        "deposit_ratio=3.00 withdraw_ratio=3.50 sequential_ops=50 live_ops=800 bare_ops=2000 live_bare_ratio=0.40 "
        "rss_before_mb=10.0 rss_started_mb=14.0 rss_peak_mb=20.0 rss_per_branch_mb=0.80 query_calls=30 "
        "deposit_calls=20 withdraw_calls=10 deposit_fanout_ratio=1.20 rpc_efficiency=1.21 connect_p50_us=900.0\n";
    cr_expect_str_eq(print_to_text(&cfg, &r, 1), want);
    cfg.tls_dir = "/etc/certs";
    char want2[4096];
    snprintf(want2, sizeof want2,
             "%.*s tls_bare_p50_us=200.0 tls_connect_p50_us=2700.0 tls_query_p50_us=180.0 "
             "tls_deposit_p50_us=600.0 tls_withdraw_p50_us=525.0 tls_query_ratio=1.50 tls_deposit_ratio=2.00\n",
             (int)strlen(want) - 1, want);
    cr_expect_str_eq(print_to_text(&cfg, &r, 1), want2);
}

/* A tiny run: every phase measured as many times as it says, each figure positive. */
Test(bench, a_tiny_run_counts_every_phase)
{
    bank_bench_config cfg = {.branches = 3, .customers = 2, .events = 6, .seed = 5, .bare_calls = 9,
                             .server_threads = 1};
    bank_bench_result r;
    char err[512] = "";
    cr_assert_eq(bank_bench_run(&cfg, &r, err, sizeof err), 0, "%s", err);
    cr_expect_eq(r.bare.count, 9);
    cr_expect_eq(r.bare_fanout.count, 2, "bare_calls / 4 rounds of fan-out");
    cr_expect_eq(r.bare_parallel.calls, 12);
    cr_expect_eq(r.connect.count, 50);
    const bank_bench_phase *phases[] = {&r.sequential, &r.live};
    for (int i = 0; i < 2; i++) {
        const bank_bench_phase *p = phases[i];
        cr_expect_eq(p->query.count + p->deposit.count + p->withdraw.count, 12, "phase %d", i);
        cr_expect(p->seconds > 0 && p->ops_per_second > 0, "phase %d", i);
        cr_expect_float_eq(p->ops_per_second, 12 / p->seconds, 1e-6 * p->ops_per_second);
        const bank_latency_summary *s[] = {&p->query, &p->deposit, &p->withdraw};
        for (int k = 0; k < 3; k++)
            cr_expect(s[k]->count == 0 ? s[k]->p50_ns == 0 && s[k]->p99_ns == 0
                                       : s[k]->p50_ns > 0 && s[k]->p50_ns <= s[k]->p99_ns,
                      "phase %d, op %d: p50 %llu p99 %llu of %zu", i, k, (unsigned long long)s[k]->p50_ns,
                      (unsigned long long)s[k]->p99_ns, s[k]->count);
    }
    cr_expect(r.sequential.query.count > 0 && r.sequential.deposit.count + r.sequential.withdraw.count > 0);
    const bank_latency_summary *all[] = {&r.bare, &r.bare_fanout, &r.connect};
    for (int k = 0; k < 3; k++) cr_expect(all[k]->p50_ns > 0 && all[k]->p50_ns <= all[k]->p99_ns, "summary %d", k);
    cr_expect(r.bare_parallel.seconds > 0);
    cr_expect_float_eq(r.bare_parallel.ops_per_second, 12 / r.bare_parallel.seconds,
                       1e-6 * r.bare_parallel.ops_per_second);
    cr_expect(r.startup_seconds > 0);
    cr_expect(r.rss_before_kib > 0 && r.rss_started_kib > 0 && r.rss_peak_kib >= r.rss_started_kib);
    cr_expect_eq(r.child_rss_peak_kib, 0, "no branch process");
}

Test(bench, a_run_with_no_branch_cannot_generate_its_workload)
{
    bank_bench_config cfg = {.branches = 0, .customers = 2, .events = 2, .seed = 5, .bare_calls = 1};
    bank_bench_result r;
    char err[512] = "";
    cr_expect_eq(bank_bench_run(&cfg, &r, err, sizeof err), -1);
    cr_expect_str_eq(err, "cannot generate the workload (out of memory, or no branch)");
}

/* Client threads refused after one started: the run names the phase, how long it had run, why. */
Test(bench, client_threads_refused_name_the_phase)
{
    bank_bench_config cfg = {.branches = 2, .customers = 3, .events = 2, .seed = 5, .bare_calls = 4,
                             .server_threads = 1};
    bank_bench_result r;
    char err[512] = "";
    cr_assert_eq(bank_bench_run(&cfg, &r, err, sizeof err), 0, "%s", err);
    cr_assert_not_null(learnt, "no start routine was used three times in a row");
    refuse_after = 1;
    cr_expect_eq(bank_bench_run(&cfg, &r, err, sizeof err), -1);
    refuse_after = -1;
    cr_expect(text_matches(err, "^bare RPC, all threads at once, after [0-9]+\\.[0-9] s: bare throughput: cannot start 3 "
                           "client threads$"),
              "%s", err);
}

/* The TLS phase failing (no certificates there): named, after the plaintext ones passed. */
Test(bench, a_tls_phase_that_cannot_load_its_certificates_is_named)
{
    bank_bench_config cfg = {.branches = 2, .customers = 1, .events = 2, .seed = 5, .bare_calls = 2,
                             .server_threads = 1, .tls_dir = "/nonexistent"};
    bank_bench_result r;
    char err[512] = "";
    cr_expect_eq(bank_bench_run(&cfg, &r, err, sizeof err), -1);
    cr_expect(text_matches(err, "^over mutual TLS, after [0-9]+\\.[0-9] s: /nonexistent/ca\\.crt: "), "%s", err);
    cr_expect_eq(r.connect.count, 50, "the plaintext phases ran");
}

/* State on disk: every branch's data dir made for the run and removed after it. */
Test(bench, a_run_on_disk_leaves_no_data_dir)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/bank-bench-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    bank_bench_config cfg = {.branches = 2, .customers = 1, .events = 2, .seed = 5, .bare_calls = 2,
                             .server_threads = 1, .data_dir = dir};
    bank_bench_result r;
    char err[512] = "";
    cr_expect_eq(bank_bench_run(&cfg, &r, err, sizeof err), 0, "%s", err);
    cr_expect_eq(rmdir(dir), 0, "%s is not empty after the run", dir);
}
