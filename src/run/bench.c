#include "bench.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>
#include <time.h>

#include "branches.h"
#include "core/workload_gen.h"
#include "customers.h"
#include "data_dirs.h"
#include "rpc/client.h"
#include "rss.h"
#include "tls_files.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorts v in place. Nearest-rank percentiles. */
static bank_latency_summary summarize(uint64_t *v, size_t n)
{
    bank_latency_summary s = {0, 0, n};
    if (n == 0) return s;
    qsort(v, n, sizeof *v, cmp_u64);
    s.p50_ns = v[(n * 50 + 99) / 100 - 1];
    s.p99_ns = v[(n * 99 + 99) / 100 - 1];
    return s;
}

/* the size of a packed CustomerRequest, so only the branch's work differs */
static const char bare_payload[13] = "bare-rpc-test";

static int measure_bare(const bank_branches *br, size_t calls, bank_latency_summary *out, char *err,
                        size_t errlen)
{
    uint64_t *ns = calloc(calls ? calls : 1, sizeof *ns);
    bank_channel *ch = bank_branches_channel(br, 0);
    grpc_completion_queue *cq = bank_client_cq_create();
    int rc = ns && ch ? 0 : -1;
    if (rc != 0) snprintf(err, errlen, "out of memory");
    for (size_t i = 0; i < 200 && rc == 0; i++) /* warm-up: connection, allocator */
        rc = bank_client_echo(ch, cq, bare_payload, sizeof bare_payload, 10000, err, errlen);
    for (size_t i = 0; i < calls && rc == 0; i++) {
        uint64_t t = now_ns();
        rc = bank_client_echo(ch, cq, bare_payload, sizeof bare_payload, 10000, err, errlen);
        ns[i] = now_ns() - t;
    }
    if (rc == 0) *out = summarize(ns, calls);
    bank_client_cq_destroy(cq);
    bank_channel_close(ch);
    free(ns);
    return rc;
}

/* What a new connection costs: a new channel's first echo (TCP and HTTP/2 set-up, and the TLS
 * handshake when there is one), one channel after another. */
static int measure_connect(const bank_branches *br, size_t rounds, bank_latency_summary *out, char *err,
                           size_t errlen)
{
    uint64_t *ns = calloc(rounds ? rounds : 1, sizeof *ns);
    grpc_completion_queue *cq = bank_client_cq_create();
    int rc = ns ? 0 : -1;
    if (rc != 0) snprintf(err, errlen, "out of memory");
    for (size_t i = 0; i < rounds && rc == 0; i++) {
        uint64_t t = now_ns();
        bank_channel *ch = bank_branches_channel(br, 0);
        rc = ch ? bank_client_echo(ch, cq, bare_payload, sizeof bare_payload, 10000, err, errlen) : -1;
        ns[i] = now_ns() - t;
        bank_channel_close(ch);
    }
    if (rc == 0) *out = summarize(ns, rounds);
    bank_client_cq_destroy(cq);
    free(ns);
    return rc;
}

/* The floor of a write: one echo from a client to every branch but the first, all at once (a
 * write at the first branch propagates to exactly those). */
static int measure_bare_fanout(const bank_branches *br, size_t n_branches, size_t rounds,
                               bank_latency_summary *out, char *err, size_t errlen)
{
    size_t n = n_branches - 1;
    if (n == 0) return 0;
    uint64_t *ns = calloc(rounds ? rounds : 1, sizeof *ns);
    bank_channel **chs = calloc(n, sizeof *chs);
    grpc_completion_queue *cq = bank_client_cq_create();
    int rc = ns && chs ? 0 : -1;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (!(chs[i] = bank_branches_channel(br, i + 1))) rc = -1;
    if (rc != 0) snprintf(err, errlen, "out of memory");
    for (size_t i = 0; i < 20 && rc == 0; i++) /* warm-up: connections */
        rc = bank_client_echo_all(chs, n, cq, bare_payload, sizeof bare_payload, 10000, err, errlen);
    for (size_t i = 0; i < rounds && rc == 0; i++) {
        uint64_t t = now_ns();
        rc = bank_client_echo_all(chs, n, cq, bare_payload, sizeof bare_payload, 10000, err, errlen);
        ns[i] = now_ns() - t;
    }
    if (rc == 0) *out = summarize(ns, rounds);
    bank_client_cq_destroy(cq);
    for (size_t i = 0; chs && i < n; i++) bank_channel_close(chs[i]);
    free(chs);
    free(ns);
    return rc;
}

/* ---- bare throughput: shaped like the live phase (C threads released together, E calls each,
 * timed from opening the channel to the last join) but every call an echo at branch 0 ---- */

typedef struct {
    bank_channel *ch;
    size_t calls;
    pthread_mutex_t lock;
    pthread_cond_t go;
    int released, failed;
    char err[512];
} bare_parallel;

static void *bare_worker(void *arg)
{
    bare_parallel *bp = arg;
    grpc_completion_queue *cq = bank_client_cq_create();
    char why[400];
    pthread_mutex_lock(&bp->lock);
    while (!bp->released) pthread_cond_wait(&bp->go, &bp->lock);
    pthread_mutex_unlock(&bp->lock);
    for (size_t i = 0; i < bp->calls; i++)
        if (bank_client_echo(bp->ch, cq, bare_payload, sizeof bare_payload, 10000, why, sizeof why) != 0) {
            pthread_mutex_lock(&bp->lock);
            if (!bp->failed) snprintf(bp->err, sizeof bp->err, "bare echo: %s", why);
            bp->failed = 1;
            pthread_mutex_unlock(&bp->lock);
            break;
        }
    bank_client_cq_destroy(cq);
    return NULL;
}

static int measure_bare_parallel(const bank_branches *br, size_t threads, size_t calls,
                                 bank_bench_throughput *out, char *err, size_t errlen)
{
    bare_parallel bp = {.calls = calls};
    pthread_t *tid = calloc(threads ? threads : 1, sizeof *tid);
    pthread_mutex_init(&bp.lock, NULL);
    pthread_cond_init(&bp.go, NULL);
    uint64_t t = now_ns();
    bp.ch = bank_branches_channel(br, 0);
    size_t started = 0;
    while (tid && bp.ch && started < threads &&
           pthread_create(&tid[started], NULL, bare_worker, &bp) == 0)
        started++;
    pthread_mutex_lock(&bp.lock);
    if (started < threads) {
        bp.failed = 1;
        snprintf(bp.err, sizeof bp.err, "bare throughput: cannot start %zu client threads", threads);
    }
    bp.released = 1;
    pthread_cond_broadcast(&bp.go);
    pthread_mutex_unlock(&bp.lock);
    for (size_t i = 0; i < started; i++) pthread_join(tid[i], NULL);
    bank_channel_close(bp.ch);
    out->seconds = (double)(now_ns() - t) / 1e9;
    out->calls = threads * calls;
    out->ops_per_second = out->seconds > 0 ? (double)out->calls / out->seconds : 0;
    pthread_cond_destroy(&bp.go);
    pthread_mutex_destroy(&bp.lock);
    free(tid);
    if (bp.failed) snprintf(err, errlen, "%s", bp.err);
    return bp.failed ? -1 : 0;
}

static int timed_drive(const bank_workload *w, const bank_branches *br, bank_schedule schedule,
                       int deadline_ms, bank_bench_phase *phase, char *err, size_t errlen)
{
    size_t total = bank_workload_event_count(w);
    bank_outcome out;
    bank_latencies lat = {calloc(w->n_customers ? w->n_customers : 1, sizeof(uint64_t *))};
    uint64_t *by_op[3] = {calloc(total + 1, sizeof(uint64_t)), calloc(total + 1, sizeof(uint64_t)),
                          calloc(total + 1, sizeof(uint64_t))};
    int rc = lat.ns && by_op[0] && by_op[1] && by_op[2] && bank_outcome_init(&out, w) == 0 ? 0 : -1;
    for (size_t c = 0; c < w->n_customers && rc == 0; c++)
        if (!(lat.ns[c] = calloc(w->customers[c].n_events + 1, sizeof(uint64_t)))) rc = -1;
    if (rc != 0) snprintf(err, errlen, "out of memory");
    if (rc == 0) {
        bank_drive_config cfg = {.schedule = schedule, .deadline_ms = deadline_ms};
        uint64_t t = now_ns();
        rc = bank_drive(w, br, &cfg, &out, &lat, err, errlen);
        phase->seconds = (double)(now_ns() - t) / 1e9;
        phase->ops_per_second = phase->seconds > 0 ? (double)total / phase->seconds : 0;
    }
    if (rc == 0) {
        size_t n[3] = {0, 0, 0};
        for (size_t c = 0; c < w->n_customers; c++)
            for (size_t e = 0; e < w->customers[c].n_events; e++) {
                bank_op op = w->customers[c].events[e].op;
                by_op[op][n[op]++] = lat.ns[c][e];
            }
        phase->query = summarize(by_op[BANK_OP_QUERY], n[BANK_OP_QUERY]);
        phase->deposit = summarize(by_op[BANK_OP_DEPOSIT], n[BANK_OP_DEPOSIT]);
        phase->withdraw = summarize(by_op[BANK_OP_WITHDRAW], n[BANK_OP_WITHDRAW]);
        bank_outcome_free(&out);
    }
    for (size_t c = 0; lat.ns && c < w->n_customers; c++) free(lat.ns[c]);
    free(lat.ns);
    for (int i = 0; i < 3; i++) free(by_op[i]);
    return rc;
}

enum { CONNECT_ROUNDS = 50 };

/* The bare RPC, a new connection and one operation at a time again, on new branches that serve
 * mutual TLS with the certificates of cfg->tls_dir. 0, or -1 with err. */
static int measure_tls(const bank_bench_config *cfg, const bank_workload *w, const bank_branches_config *plain,
                       bank_bench_result *r, char *err, size_t errlen)
{
    bank_tls *customer = bank_tls_load_dir(cfg->tls_dir, BANK_TLS_CUSTOMER, err, errlen);
    if (!customer) return -1;
    bank_branches_config bc = *plain;
    bc.tls_dir = cfg->tls_dir;
    bc.client_tls = customer;
    bank_branches *br = bank_branches_start(w, &bc, err, errlen);
    int rc = br ? measure_bare(br, cfg->bare_calls, &r->tls_bare, err, errlen) : -1;
    if (rc == 0) rc = measure_connect(br, CONNECT_ROUNDS, &r->tls_connect, err, errlen);
    if (rc == 0) rc = timed_drive(w, br, BANK_SCHEDULE_SEQUENTIAL, bc.deadline_ms, &r->tls_sequential, err, errlen);
    char stop_err[256];
    if (br && bank_branches_stop(br, stop_err, sizeof stop_err) != 0 && rc == 0) {
        snprintf(err, errlen, "stopping the branches: %s", stop_err);
        rc = -1;
    }
    bank_tls_free(customer);
    return rc;
}

int bank_bench_run(const bank_bench_config *cfg, bank_bench_result *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    bank_gen_config gen = {cfg->branches, cfg->customers, cfg->events, 1000, 100, 40, cfg->seed};
    bank_workload w;
    if (bank_workload_generate(&gen, &w) != 0) {
        snprintf(err, errlen, "cannot generate the workload (out of memory, or no branch)");
        return -1;
    }
    int deadline_ms = cfg->deadline_ms > 0 ? cfg->deadline_ms : 10000;
    bank_branches_config bc = {.mode = cfg->bank_exe ? BANK_MODE_PROCESSES : BANK_MODE_EMBEDDED,
                               .bank_exe = cfg->bank_exe, .server_threads = cfg->server_threads,
                               .deadline_ms = deadline_ms, .serve_echo = 1,
                               .data_dir = cfg->data_dir, .sync = cfg->sync};
    r->rss_before_kib = bank_rss_now_kib();
    uint64_t t = now_ns();
    char why[1024] = "";
    const char *phase = "starting the branches";
    bank_branches *br = bank_branches_start(&w, &bc, why, sizeof why);
    r->startup_seconds = (double)(now_ns() - t) / 1e9;
    r->rss_started_kib = bank_rss_now_kib();
    int rc = br ? 0 : -1;
    if (rc == 0) {
        phase = "bare RPC, one at a time";
        rc = measure_bare(br, cfg->bare_calls, &r->bare, why, sizeof why);
    }
    if (rc == 0) {
        phase = "bare fan-out";
        size_t rounds = cfg->bare_calls / 4 > 0 ? cfg->bare_calls / 4 : 1;
        rc = measure_bare_fanout(br, cfg->branches, rounds, &r->bare_fanout, why, sizeof why);
    }
    if (rc == 0) {
        phase = "bare RPC, all threads at once";
        rc = measure_bare_parallel(br, cfg->customers, cfg->events, &r->bare_parallel, why, sizeof why);
    }
    if (rc == 0) {
        phase = "one operation at a time";
        rc = timed_drive(&w, br, BANK_SCHEDULE_SEQUENTIAL, deadline_ms, &r->sequential, why, sizeof why);
    }
    if (rc == 0) {
        phase = "all customers at once (live)";
        rc = timed_drive(&w, br, BANK_SCHEDULE_LIVE, deadline_ms, &r->live, why, sizeof why);
    }
    if (rc == 0) {
        phase = "a new channel's first call";
        rc = measure_connect(br, CONNECT_ROUNDS, &r->connect, why, sizeof why);
    }
    char stop_err[256];
    if (br && bank_branches_stop(br, stop_err, sizeof stop_err) != 0 && rc == 0) {
        phase = "stopping the branches";
        snprintf(why, sizeof why, "%s", stop_err);
        rc = -1;
    }
    if (rc == 0 && cfg->tls_dir) {
        phase = "over mutual TLS";
        rc = measure_tls(cfg, &w, &bc, r, why, sizeof why);
    }
    if (br && cfg->data_dir) bank_data_dirs_remove(&w, cfg->data_dir);
    /* which phase failed, with how long it had run, says what did not scale */
    if (rc != 0)
        snprintf(err, errlen, "%s, after %.1f s: %s", phase, (double)(now_ns() - t) / 1e9, why);
    bank_workload_free(&w);
    r->rss_peak_kib = bank_rss_peak_kib();
    struct rusage children;
    if (cfg->bank_exe && getrusage(RUSAGE_CHILDREN, &children) == 0)
        r->child_rss_peak_kib = (uint64_t)children.ru_maxrss;
    return rc;
}

static double us(uint64_t ns) { return (double)ns / 1000.0; }

static void print_phase(FILE *f, const char *name, const bank_bench_phase *p)
{
    fprintf(f, "  %-34s %9.0f ops/s  (%.3f s)\n", name, p->ops_per_second, p->seconds);
    const struct { const char *op; const bank_latency_summary *s; } rows[] = {
        {"query", &p->query}, {"deposit", &p->deposit}, {"withdraw", &p->withdraw}};
    for (size_t i = 0; i < 3; i++)
        fprintf(f, "    %-9s p50 %8.1f us   p99 %8.1f us   (%zu calls)\n", rows[i].op,
                us(rows[i].s->p50_ns), us(rows[i].s->p99_ns), rows[i].s->count);
}

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0; }

static double mib(uint64_t kib) { return (double)kib / 1024.0; }

static double throughput_ratio(const bank_bench_result *r)
{
    return r->bare_parallel.ops_per_second > 0
               ? r->live.ops_per_second / r->bare_parallel.ops_per_second
               : 0;
}

/* A write is 1 + (B - 1) calls (its own, then one to every peer), a query one: the live phase's
 * operations counted as the calls they make, against the bare calls per second. 1.0: the bank
 * adds nothing to what gRPC takes for the same calls. */
static double rpc_efficiency(const bank_bench_config *cfg, const bank_bench_result *r)
{
    size_t writes = r->live.deposit.count + r->live.withdraw.count;
    size_t ops = writes + r->live.query.count;
    if (!ops || r->bare_parallel.ops_per_second <= 0) return 0;
    double write_share = (double)writes / (double)ops;
    double calls_per_op = 1 + write_share * (double)(cfg->branches - 1);
    return r->live.ops_per_second * calls_per_op / r->bare_parallel.ops_per_second;
}

static double fanout_ratio(uint64_t write_p50, const bank_bench_result *r)
{
    return ratio(write_p50, r->bare.p50_ns + r->bare_fanout.p50_ns);
}

static double rss_per_branch_kib(const bank_bench_config *cfg, const bank_bench_result *r)
{
    return r->rss_started_kib > r->rss_before_kib
               ? (double)(r->rss_started_kib - r->rss_before_kib) / (double)cfg->branches
               : 0;
}

/* The TLS run against the plaintext one: p50s, and their ratio. */
static void print_tls(FILE *f, const bank_bench_config *cfg, const bank_bench_result *r)
{
    const struct { const char *what; uint64_t tls, plain; } rows[] = {
        {"bare RPC", r->tls_bare.p50_ns, r->bare.p50_ns},
        {"query", r->tls_sequential.query.p50_ns, r->sequential.query.p50_ns},
        {"deposit", r->tls_sequential.deposit.p50_ns, r->sequential.deposit.p50_ns},
        {"withdraw", r->tls_sequential.withdraw.p50_ns, r->sequential.withdraw.p50_ns},
        {"new channel's first call", r->tls_connect.p50_ns, r->connect.p50_ns}};
    fprintf(f, "  over mutual TLS (new branches, certificates from %s; one operation at a time):\n",
            cfg->tls_dir);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        fprintf(f, "    %-24s p50 %8.1f us   (plaintext %8.1f us: x %.2f)\n", rows[i].what, us(rows[i].tls),
                us(rows[i].plain), ratio(rows[i].tls, rows[i].plain));
}

void bank_bench_print(FILE *f, const bank_bench_config *cfg, const bank_bench_result *r)
{
    fprintf(f, "bench: %zu branches, %zu customers x %zu events (%zu operations), seed %llu%s%s\n",
            cfg->branches, cfg->customers, cfg->events, cfg->customers * cfg->events,
            (unsigned long long)cfg->seed, cfg->data_dir ? "; state on disk, --sync " : "",
            cfg->data_dir ? bank_sync_name(cfg->sync) : "");
    fprintf(f, "  start-up of the branches           %9.1f ms\n", r->startup_seconds * 1e3);
    fprintf(f, "  memory: RSS before start %.1f MB, after start %.1f MB (%.2f MB per branch), "
               "peak %.1f MB\n",
            mib(r->rss_before_kib), mib(r->rss_started_kib), rss_per_branch_kib(cfg, r) / 1024.0,
            mib(r->rss_peak_kib));
    if (cfg->bank_exe)
        fprintf(f, "  branch processes: the largest one's peak RSS %.1f MB (the figures above are this "
                   "process's, the customers')\n",
                mib(r->child_rss_peak_kib));
    fprintf(f, "  bare RPC (echo, one at a time)     p50 %8.1f us   p99 %8.1f us   (%zu calls)\n",
            us(r->bare.p50_ns), us(r->bare.p99_ns), r->bare.count);
    fprintf(f, "  %-34s %9.0f ops/s  (%.3f s, %zu threads x %zu echoes at one branch)\n",
            "bare RPC, all threads at once:", r->bare_parallel.ops_per_second,
            r->bare_parallel.seconds, cfg->customers, cfg->events);
    if (r->bare_fanout.count)
        fprintf(f, "  bare fan-out (an echo to each of the other %zu branches at once)\n"
                   "                                     p50 %8.1f us   p99 %8.1f us   (%zu rounds)\n",
                cfg->branches - 1, us(r->bare_fanout.p50_ns), us(r->bare_fanout.p99_ns),
                r->bare_fanout.count);
    print_phase(f, "one operation at a time:", &r->sequential);
    print_phase(f, "all customers at once (live):", &r->live);
    fprintf(f, "  a new channel's first call         p50 %8.1f us   p99 %8.1f us   (%zu channels, one after "
               "another: connecting included)\n",
            us(r->connect.p50_ns), us(r->connect.p99_ns), r->connect.count);
    fprintf(f, "  ratio query/bare = %.2f   (target <= 1.3; p50, one at a time)\n",
            ratio(r->sequential.query.p50_ns, r->bare.p50_ns));
    if (r->bare_fanout.count)
        fprintf(f, "  ratio deposit/(bare + bare fan-out) = %.2f   withdraw = %.2f   (target <= 1.3 at 10 "
                   "branches; 1.00: a write costs what gRPC takes to reach its branch, then every peer)\n",
                fanout_ratio(r->sequential.deposit.p50_ns, r), fanout_ratio(r->sequential.withdraw.p50_ns, r));
    fprintf(f, "  RPC-equivalent efficiency = %.2f   (target >= 1.0: live ops/s x (1 + write share x (B-1)) "
               "/ bare calls/s)\n",
            rpc_efficiency(cfg, r));
    fprintf(f, "  plain figures: deposit/bare = %.2f   withdraw/bare = %.2f   live/bare throughput = %.2f\n",
            ratio(r->sequential.deposit.p50_ns, r->bare.p50_ns),
            ratio(r->sequential.withdraw.p50_ns, r->bare.p50_ns), throughput_ratio(r));
    if (cfg->tls_dir) print_tls(f, cfg, r);
}

void bank_bench_print_figures(FILE *f, const bank_bench_config *cfg, const bank_bench_result *r)
{
    fprintf(f,
            "figures branches=%zu customers=%zu events=%zu startup_ms=%.1f bare_p50_us=%.1f "
            "bare_p99_us=%.1f fanout_p50_us=%.1f query_p50_us=%.1f deposit_p50_us=%.1f withdraw_p50_us=%.1f "
            "query_ratio=%.2f deposit_ratio=%.2f withdraw_ratio=%.2f sequential_ops=%.0f "
            "live_ops=%.0f bare_ops=%.0f live_bare_ratio=%.2f rss_before_mb=%.1f "
            "rss_started_mb=%.1f rss_peak_mb=%.1f rss_per_branch_mb=%.2f query_calls=%zu "
            "deposit_calls=%zu withdraw_calls=%zu deposit_fanout_ratio=%.2f rpc_efficiency=%.2f",
            cfg->branches, cfg->customers, cfg->events, r->startup_seconds * 1e3, us(r->bare.p50_ns),
            us(r->bare.p99_ns), us(r->bare_fanout.p50_ns), us(r->sequential.query.p50_ns),
            us(r->sequential.deposit.p50_ns),
            us(r->sequential.withdraw.p50_ns), ratio(r->sequential.query.p50_ns, r->bare.p50_ns),
            ratio(r->sequential.deposit.p50_ns, r->bare.p50_ns),
            ratio(r->sequential.withdraw.p50_ns, r->bare.p50_ns), r->sequential.ops_per_second,
            r->live.ops_per_second, r->bare_parallel.ops_per_second, throughput_ratio(r),
            mib(r->rss_before_kib), mib(r->rss_started_kib), mib(r->rss_peak_kib),
            rss_per_branch_kib(cfg, r) / 1024.0, r->sequential.query.count,
            r->sequential.deposit.count, r->sequential.withdraw.count,
            fanout_ratio(r->sequential.deposit.p50_ns, r), rpc_efficiency(cfg, r));
    fprintf(f, " connect_p50_us=%.1f", us(r->connect.p50_ns));
    if (cfg->tls_dir)
        fprintf(f, " tls_bare_p50_us=%.1f tls_connect_p50_us=%.1f tls_query_p50_us=%.1f tls_deposit_p50_us=%.1f "
                   "tls_withdraw_p50_us=%.1f tls_query_ratio=%.2f tls_deposit_ratio=%.2f",
                us(r->tls_bare.p50_ns), us(r->tls_connect.p50_ns), us(r->tls_sequential.query.p50_ns),
                us(r->tls_sequential.deposit.p50_ns), us(r->tls_sequential.withdraw.p50_ns),
                ratio(r->tls_sequential.query.p50_ns, r->sequential.query.p50_ns),
                ratio(r->tls_sequential.deposit.p50_ns, r->sequential.deposit.p50_ns));
    fputc('\n', f);
}
