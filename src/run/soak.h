/* The soak: live runs repeated for a while, each on a fresh set of in-process branches, with a
 * sampler printing throughput and resident memory, so a leak in start-up, serving or stopping
 * shows as growth. With a data dir, one set of branches with their state on disk serves every
 * repetition, and the sampler also prints their logs' length and their files' size, which
 * compaction must keep flat. */
#ifndef BANK_RUN_SOAK_H
#define BANK_RUN_SOAK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

typedef struct {
    size_t branches, customers, events; /* each repetition's generated workload */
    double seconds;                     /* start repetitions until this much time has passed */
    int every_s;                        /* sampler period */
    uint64_t seed;                      /* repetition r uses seed + r */
    int deadline_ms;                    /* per RPC, and for start-up */
    int server_threads;
    const char *data_dir;               /* set: the branches keep their state in DATA_DIR/branch-ID
                                           and serve every repetition */
    bank_sync sync;
} bank_soak_config;

/* Memory counts as flat when the RSS after the last repetition is at most this much above the
 * largest RSS after a repetition of the first half: the larger of a share of that and a fixed
 * allowance. Measured against the first half, not the first repetition, because the allocator
 * and gRPC's caches settle over the first few (100 x 1,000: 98 MB after the first, then 97-122
 * MB and no higher over the next eleven); a leak keeps climbing past the first half's level. */
#define BANK_SOAK_FLAT_PERCENT 10
#define BANK_SOAK_FLAT_MIB 8

typedef struct {
    double seconds;
    size_t repetitions, failed;  /* failed: did not start, an RPC failed, or did not converge */
    size_t operations;           /* answered customer operations, failed repetitions included */
    uint64_t rss_first_kib;      /* after the first repetition stopped its branches */
    uint64_t rss_last_kib;       /* after the last */
    uint64_t rss_max_after_kib;  /* the largest after any repetition */
    uint64_t rss_settled_kib;    /* the largest after a repetition of the first half */
    uint64_t rss_peak_kib;       /* VmHWM: the highest at any moment */
    /* with a data dir, after each repetition: the branches' logs (writes) and files (bytes) */
    uint64_t log_first, log_settled, log_last, log_max;
    uint64_t disk_first, disk_settled, disk_last, disk_max;
} bank_soak_result;

/* Runs the soak, printing samples and one line per repetition to f. Returns 0 when every
 * repetition started, was answered and converged; -1 otherwise (the errors were printed). */
int bank_soak_run(const bank_soak_config *cfg, FILE *f, bank_soak_result *r);

/* 1 when memory stayed flat (see BANK_SOAK_FLAT_*), 0 when it grew, -1 with one repetition. */
int bank_soak_memory_flat(const bank_soak_result *r);

/* The same judgement of any figure taken after each repetition (in KiB, or in units whose
 * allowance is given). */
int bank_soak_flat(size_t repetitions, uint64_t settled, uint64_t first, uint64_t last, uint64_t allowance);

/* The final summary. */
void bank_soak_print_summary(FILE *f, const bank_soak_config *cfg, const bank_soak_result *r);

#endif
