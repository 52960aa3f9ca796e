/* bank soak: live runs repeated on fresh branches for a while, to see memory stay flat. */
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
    "  --data-dir DIR        one set of branches serves every repetition (each starting from the\n"
    "                        balances the last left), keeping its state in DIR/branch-ID as bank\n"
    "                        branch --data-dir does; samples add the branches' logs (writes not yet\n"
    "                        at every branch) and their files' size, and the summary says whether\n"
    "                        they stayed flat as memory does (the log: within a batch of 64 writes\n"
    "                        a branch). DIR must hold no branch's dir yet; it is left in place.\n"
    "  --sync MODE           with --data-dir: always (default), batch or none (bank branch --help)\n"
    "  -h, --help            this text\n"
    "exit status: 0 every repetition converged; 1 one failed; 2 bad usage. Memory growth is\n"
    "reported, not an exit status.\n";

int bank_cmd_soak(int argc, char **argv)
{
    bank_soak_config cfg = {100, 1000, 10, 60, 10, 1, 10000, 1, NULL, BANK_SYNC_ALWAYS};
    int sync_seen = 0;
    int64_t seconds = 60;
    const bank_opt opts[] = {
        BANK_OPT_SIZE_("branches", 'b', &cfg.branches, 1, 1000),
        BANK_OPT_SIZE_("customers", 'c', &cfg.customers, 1, 100000),
        BANK_OPT_SIZE_("events", 'e', &cfg.events, 1, 100000),
        BANK_OPT_INT64_("seconds", 0, &seconds, 0, 7 * 86400),
        BANK_OPT_INT_("every", 0, &cfg.every_s, 1, 86400),
        BANK_OPT_UINT64_("seed", 0, &cfg.seed, 0, INT64_MAX / 2),
        BANK_OPT_DEADLINE(&cfg.deadline_ms),
        BANK_OPT_THREADS(&cfg.server_threads),
        BANK_OPT_DATA_DIR(&cfg.data_dir),
        {.name = "sync", .kind = BANK_OPT_CALL, .target = &cfg.sync, .parse = bank_arg_sync, .seen = &sync_seen},
    };
    int first;
    int rc = bank_parse_options("soak", soak_usage, opts, sizeof opts / sizeof opts[0], argc, argv, &first);
    if (rc != 0) return rc == BANK_PARSE_HELP ? BANK_EXIT_OK : rc;
    if (first != argc) return bank_usage_error("soak", "unexpected argument \"%s\"", argv[first]);
    if (sync_seen && !cfg.data_dir) return bank_usage_error("soak", "--sync goes with --data-dir");
    cfg.seconds = (double)seconds;

    bank_soak_result r;
    rc = bank_soak_run(&cfg, stdout, &r);
    bank_soak_print_summary(stdout, &cfg, &r);
    return rc == 0 ? BANK_EXIT_OK : BANK_EXIT_FAILED;
}
