/* bank bench: figures, not a test. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "run/bench.h"

static const char bench_usage[] =
    "usage: bank bench [OPTIONS]\n"
    "\n"
    "Generates a seeded workload, starts its branches in this process, and prints: the cost\n"
    "of a bare unary RPC to one of those servers (an echo with no logic); then customer\n"
    "operations per second and p50/p99 latency of query, deposit and withdraw, first one\n"
    "operation at a time (the sequential schedule), then with every customer at once (live).\n"
    "Without -b/-c/-e it runs two sizes: 10/10/10 and 50/100/10.\n"
    "\n"
    "  -b, --branches B      branches\n"
    "  -c, --customers C     customers (customer k talks to branch k mod B + 1)\n"
    "  -e, --events E        events per customer (40% queries, the rest deposits and withdrawals)\n"
    "  --seed S              workload seed (default 1)\n"
    "  --bare-calls N        bare RPCs timed (default 2000)\n"
    "  --threads N           server threads per branch (default 1)\n"
    "  -h, --help            this text\n";

int bank_cmd_bench(int argc, char **argv)
{
    enum { OPT_SEED = 256, OPT_BARE, OPT_THREADS };
    static const struct option longs[] = {
        {"branches", required_argument, 0, 'b'}, {"customers", required_argument, 0, 'c'},
        {"events", required_argument, 0, 'e'},   {"seed", required_argument, 0, OPT_SEED},
        {"bare-calls", required_argument, 0, OPT_BARE},
        {"threads", required_argument, 0, OPT_THREADS},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0},
    };
    bank_bench_config cfg = {10, 10, 10, 1, 2000, 1};
    int sized = 0;
    int64_t v;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":b:c:e:h", longs, NULL)) != -1) {
        switch (c) {
        case 'b':
            if (bank_arg_int("bench", "--branches", optarg, 1, 1000, &v) != 0) return BANK_EXIT_USAGE;
            cfg.branches = (size_t)v;
            sized = 1;
            break;
        case 'c':
            if (bank_arg_int("bench", "--customers", optarg, 1, 100000, &v) != 0) return BANK_EXIT_USAGE;
            cfg.customers = (size_t)v;
            sized = 1;
            break;
        case 'e':
            if (bank_arg_int("bench", "--events", optarg, 1, 100000, &v) != 0) return BANK_EXIT_USAGE;
            cfg.events = (size_t)v;
            sized = 1;
            break;
        case OPT_SEED:
            if (bank_arg_int("bench", "--seed", optarg, 0, INT64_MAX, &v) != 0) return BANK_EXIT_USAGE;
            cfg.seed = (uint64_t)v;
            break;
        case OPT_BARE:
            if (bank_arg_int("bench", "--bare-calls", optarg, 1, 10000000, &v) != 0) return BANK_EXIT_USAGE;
            cfg.bare_calls = (size_t)v;
            break;
        case OPT_THREADS:
            if (bank_arg_int("bench", "--threads", optarg, 1, 64, &v) != 0) return BANK_EXIT_USAGE;
            cfg.server_threads = (int)v;
            break;
        case 'h': fputs(bench_usage, stdout); return BANK_EXIT_OK;
        case ':': return bank_usage_error("bench", "%s needs a value", argv[optind - 1]);
        default: return bank_usage_error("bench", "unknown option %s", argv[optind - 1]);
        }
    }
    if (optind != argc) return bank_usage_error("bench", "unexpected argument \"%s\"", argv[optind]);

    bank_bench_config sizes[2] = {cfg, cfg};
    size_t n_sizes = 1;
    if (!sized) {
        sizes[1].branches = 50;
        sizes[1].customers = 100;
        n_sizes = 2;
    }
    for (size_t i = 0; i < n_sizes; i++) {
        bank_bench_result r;
        char err[1024];
        if (bank_bench_run(&sizes[i], &r, err, sizeof err) != 0) {
            fprintf(stderr, "bank bench: %s\n", err);
            return BANK_EXIT_FAILED;
        }
        bank_bench_print(stdout, &sizes[i], &r);
        fflush(stdout);
    }
    return BANK_EXIT_OK;
}
