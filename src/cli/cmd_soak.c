/* bank soak: live runs repeated on fresh branches for a while, to see memory stay flat. */
#include <getopt.h>
#include <stdio.h>

#include "args.h"
#include "commands.h"
#include "run/soak.h"

static const char soak_usage[] =
    "usage: bank soak [OPTIONS]\n"
    "\n"
    "Repeats, until --seconds have passed (a repetition under way is finished): start a fresh\n"
    "set of branches in this process, run a newly seeded generated workload with every customer\n"
    "at once (the live schedule), check that the replicas converged (every branch moved by the\n"
    "successful writes), stop the branches. Every --every seconds a sample line gives the\n"
    "operations answered, ops/s over the last period, and resident memory (now and peak); every\n"
    "repetition prints a line with its RSS after its branches stopped. The summary gives total\n"
    "operations, failed repetitions, RSS after the first and last repetitions and the peak, and\n"
    "whether memory stayed flat: the RSS after the last repetition at most max(10%, 8 MB) above\n"
    "the largest RSS after a repetition of the first half, by when the allocator has settled (a\n"
    "leak keeps climbing past it; under AddressSanitizer freed memory is held\n"
    "in quarantine, so RSS grows without a leak; LeakSanitizer's report at exit is the check).\n"
    "A repetition that fails (branches do not start, an RPC fails or misses its deadline, the\n"
    "replicas disagree) prints its error; the soak goes on and exits 1 at the end.\n"
    "\n"
    "  -b, --branches B      branches (default 100)\n"
    "  -c, --customers C     customers (default 1000)\n"
    "  -e, --events E        events per customer (default 10)\n"
    "  --seconds S           how long to keep starting repetitions (default 60)\n"
    "  --every S             seconds between samples (default 10)\n"
    "  --seed S              repetition r's workload uses seed S + r (default 1)\n"
    "  --deadline-ms MS      deadline of every RPC, and of branch start-up (default 10000)\n"
    "  --threads N           threads serving all the in-process branches (default 1)\n"
    "  -h, --help            this text\n"
    "exit status: 0 every repetition converged; 1 one failed; 2 bad usage. Memory growth is\n"
    "reported, not an exit status.\n";

int bank_cmd_soak(int argc, char **argv)
{
    enum { OPT_SECONDS = 256, OPT_EVERY, OPT_SEED, OPT_DEADLINE, OPT_THREADS };
    static const struct option longs[] = {
        {"branches", required_argument, 0, 'b'}, {"customers", required_argument, 0, 'c'},
        {"events", required_argument, 0, 'e'},   {"seconds", required_argument, 0, OPT_SECONDS},
        {"every", required_argument, 0, OPT_EVERY}, {"seed", required_argument, 0, OPT_SEED},
        {"deadline-ms", required_argument, 0, OPT_DEADLINE},
        {"threads", required_argument, 0, OPT_THREADS},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0},
    };
    bank_soak_config cfg = {100, 1000, 10, 60, 10, 1, 10000, 1};
    int64_t v;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":b:c:e:h", longs, NULL)) != -1) {
        switch (c) {
        case 'b':
            if (bank_arg_int("soak", "--branches", optarg, 1, 1000, &v) != 0) return BANK_EXIT_USAGE;
            cfg.branches = (size_t)v;
            break;
        case 'c':
            if (bank_arg_int("soak", "--customers", optarg, 1, 100000, &v) != 0) return BANK_EXIT_USAGE;
            cfg.customers = (size_t)v;
            break;
        case 'e':
            if (bank_arg_int("soak", "--events", optarg, 1, 100000, &v) != 0) return BANK_EXIT_USAGE;
            cfg.events = (size_t)v;
            break;
        case OPT_SECONDS:
            if (bank_arg_int("soak", "--seconds", optarg, 0, 7 * 86400, &v) != 0) return BANK_EXIT_USAGE;
            cfg.seconds = (double)v;
            break;
        case OPT_EVERY:
            if (bank_arg_int("soak", "--every", optarg, 1, 86400, &v) != 0) return BANK_EXIT_USAGE;
            cfg.every_s = (int)v;
            break;
        case OPT_SEED:
            if (bank_arg_int("soak", "--seed", optarg, 0, INT64_MAX / 2, &v) != 0) return BANK_EXIT_USAGE;
            cfg.seed = (uint64_t)v;
            break;
        case OPT_DEADLINE:
            if (bank_arg_int("soak", "--deadline-ms", optarg, 1, 3600000, &v) != 0) return BANK_EXIT_USAGE;
            cfg.deadline_ms = (int)v;
            break;
        case OPT_THREADS:
            if (bank_arg_int("soak", "--threads", optarg, 1, 64, &v) != 0) return BANK_EXIT_USAGE;
            cfg.server_threads = (int)v;
            break;
        case 'h': fputs(soak_usage, stdout); return BANK_EXIT_OK;
        case ':': return bank_usage_error("soak", "%s needs a value", argv[optind - 1]);
        default: return bank_usage_error("soak", "unknown option %s", argv[optind - 1]);
        }
    }
    if (optind != argc) return bank_usage_error("soak", "unexpected argument \"%s\"", argv[optind]);

    bank_soak_result r;
    int rc = bank_soak_run(&cfg, stdout, &r);
    bank_soak_print_summary(stdout, &cfg, &r);
    return rc == 0 ? BANK_EXIT_OK : BANK_EXIT_FAILED;
}
