#include "bench.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "branches.h"
#include "core/workload_gen.h"
#include "customers.h"
#include "rpc/client.h"

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

static int measure_bare(const bank_branches *br, size_t calls, bank_latency_summary *out, char *err,
                        size_t errlen)
{
    uint64_t *ns = calloc(calls ? calls : 1, sizeof *ns);
    bank_channel *ch = bank_channel_open(bank_branches_target(br, 0));
    grpc_completion_queue *cq = bank_client_cq_create();
    /* the size of a packed CustomerRequest, so only the branch's work differs */
    static const char payload[13] = "bare-rpc-test";
    int rc = ns && ch ? 0 : -1;
    if (rc != 0) snprintf(err, errlen, "out of memory");
    for (size_t i = 0; i < 200 && rc == 0; i++) /* warm-up: connection, allocator */
        rc = bank_client_echo(ch, cq, payload, sizeof payload, 10000, err, errlen);
    for (size_t i = 0; i < calls && rc == 0; i++) {
        uint64_t t = now_ns();
        rc = bank_client_echo(ch, cq, payload, sizeof payload, 10000, err, errlen);
        ns[i] = now_ns() - t;
    }
    if (rc == 0) *out = summarize(ns, calls);
    bank_client_cq_destroy(cq);
    bank_channel_close(ch);
    free(ns);
    return rc;
}

static int timed_drive(const bank_workload *w, const bank_branches *br, bank_schedule schedule,
                       bank_bench_phase *phase, char *err, size_t errlen)
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
        bank_drive_config cfg = {schedule, 0, 10000, 0, 0, NULL, NULL};
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

int bank_bench_run(const bank_bench_config *cfg, bank_bench_result *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    bank_gen_config gen = {cfg->branches, cfg->customers, cfg->events, 1000, 100, 40, cfg->seed};
    bank_workload w;
    if (bank_workload_generate(&gen, &w) != 0) {
        snprintf(err, errlen, "cannot generate the workload (out of memory, or no branch)");
        return -1;
    }
    bank_branches_config bc = {.mode = BANK_MODE_EMBEDDED, .server_threads = cfg->server_threads,
                               .deadline_ms = 10000, .serve_echo = 1};
    bank_branches *br = bank_branches_start(&w, &bc, err, errlen);
    int rc = br ? 0 : -1;
    if (rc == 0) rc = measure_bare(br, cfg->bare_calls, &r->bare, err, errlen);
    if (rc == 0) rc = timed_drive(&w, br, BANK_SCHEDULE_SEQUENTIAL, &r->sequential, err, errlen);
    if (rc == 0) rc = timed_drive(&w, br, BANK_SCHEDULE_LIVE, &r->live, err, errlen);
    char stop_err[256];
    if (br && bank_branches_stop(br, stop_err, sizeof stop_err) != 0 && rc == 0) {
        snprintf(err, errlen, "%s", stop_err);
        rc = -1;
    }
    bank_workload_free(&w);
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

void bank_bench_print(FILE *f, const bank_bench_config *cfg, const bank_bench_result *r)
{
    fprintf(f, "bench: %zu branches, %zu customers x %zu events (%zu operations), seed %llu\n",
            cfg->branches, cfg->customers, cfg->events, cfg->customers * cfg->events,
            (unsigned long long)cfg->seed);
    fprintf(f, "  bare RPC (echo, one at a time)     p50 %8.1f us   p99 %8.1f us   (%zu calls)\n",
            us(r->bare.p50_ns), us(r->bare.p99_ns), r->bare.count);
    print_phase(f, "one operation at a time:", &r->sequential);
    print_phase(f, "all customers at once (live):", &r->live);
    fprintf(f, "  ratio query/bare = %.2f   ratio deposit/bare = %.2f   ratio withdraw/bare = %.2f"
               "   (p50, one at a time)\n",
            ratio(r->sequential.query.p50_ns, r->bare.p50_ns),
            ratio(r->sequential.deposit.p50_ns, r->bare.p50_ns),
            ratio(r->sequential.withdraw.p50_ns, r->bare.p50_ns));
}
