/* The benchmark: customer operations per second and latency, next to the cost of a bare RPC
 * measured in the same run against the same kind of server; start-up time and memory. */
#ifndef BANK_RUN_BENCH_H
#define BANK_RUN_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

typedef struct {
    size_t branches, customers, events;
    uint64_t seed;
    size_t bare_calls; /* echo round trips timed for the baseline */
    int server_threads;
    const char *bank_exe; /* set: every branch a `bank branch` process started from it */
    int deadline_ms;      /* of every call, propagations included; 0: 10000 */
    const char *tls_dir;  /* set: also measure over mutual TLS, certificates from this directory
                             (tools/certs.sh DIR B) */
    const char *data_dir; /* set: every branch keeps its state in DATA_DIR/branch-ID (removed
                             after the run) */
    bank_sync sync;
} bank_bench_config;

typedef struct {
    uint64_t p50_ns, p99_ns;
    size_t count;
} bank_latency_summary;

typedef struct {
    double seconds;
    double ops_per_second;
    bank_latency_summary query, deposit, withdraw;
} bank_bench_phase;

typedef struct {
    double seconds;
    double ops_per_second;
    size_t calls;
} bank_bench_throughput;

typedef struct {
    double startup_seconds; /* bank_branches_start, wall time */
    uint64_t rss_before_kib, rss_started_kib, rss_peak_kib;
    uint64_t child_rss_peak_kib; /* processes: the largest branch process's peak */
    bank_latency_summary bare;
    bank_latency_summary bare_fanout;    /* an echo to each other branch at once: a write's floor */
    bank_bench_throughput bare_parallel; /* C threads x E echoes at one branch, like live */
    bank_bench_phase sequential;         /* one operation at a time: latency without contention */
    bank_bench_phase live;               /* every customer at once: throughput */
    bank_latency_summary connect;        /* a new channel's first echo: connecting included */
    /* with tls_dir: the same measures on new branches over mutual TLS */
    bank_latency_summary tls_bare, tls_connect;
    bank_bench_phase tls_sequential;
} bank_bench_result;

/* Runs the benchmark on a generated workload with in-process branches (then, with tls_dir, the
 * bare RPC and one operation at a time again over mutual TLS). 0, or -1 with err. */
int bank_bench_run(const bank_bench_config *cfg, bank_bench_result *r, char *err, size_t errlen);

/* Prints the result as a small report, ratios and their targets included. */
void bank_bench_print(FILE *f, const bank_bench_config *cfg, const bank_bench_result *r);

/* Prints the result as one line "figures key=value ..." for scripts and bench --table. */
void bank_bench_print_figures(FILE *f, const bank_bench_config *cfg, const bank_bench_result *r);

#endif
