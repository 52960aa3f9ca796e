/* bench --table: the benchmark at growing sizes, one row per size, each row a fresh
 * `bank bench --figures` process so its peak memory is its own. */
#ifndef BANK_RUN_BENCH_TABLE_H
#define BANK_RUN_BENCH_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BANK_TABLE_MAX_SIZES 16

typedef struct {
    const char *bank_exe;                        /* the binary each row runs */
    size_t branch_sizes[BANK_TABLE_MAX_SIZES];   /* first series: these B ... */
    size_t n_branch_sizes, fixed_customers;      /* ... at this C */
    size_t customer_sizes[BANK_TABLE_MAX_SIZES]; /* second series: these C ... */
    size_t n_customer_sizes, fixed_branches;     /* ... at this B */
    size_t extra_branches[BANK_TABLE_MAX_SIZES]; /* then these B x C pairs (the target */
    size_t extra_customers[BANK_TABLE_MAX_SIZES]; /* size, 100 x 1000, by default) */
    size_t n_extra;
    size_t events;
    uint64_t seed;
    size_t bare_calls;
    int server_threads;
    int row_timeout_s; /* a row still running then is killed and reported as timed out */
} bank_bench_table_config;

/* Prints the table to f, a row as soon as it is done; a row that fails shows its error and the
 * table goes on. Returns how many rows failed. */
size_t bank_bench_table_run(const bank_bench_table_config *cfg, FILE *f);

#endif
