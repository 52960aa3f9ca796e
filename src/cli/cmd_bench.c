/* bank bench: figures, not a test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "run/bench.h"
#include "run/bench_table.h"

static const char bench_usage[] =
    "usage: bank bench [OPTIONS]\n"
    "       bank bench --table [OPTIONS]\n"
    "\n"
    "Generates a seeded workload, starts its branches in this process, and prints:\n"
    "  - the branches' start-up time (bank_branches_start, wall time) and memory: resident set\n"
    "    before and after the start, per branch ((after - before) / B), and the peak (VmHWM);\n"
    "  - a bare unary RPC to one of those servers (an echo with no logic): p50/p99 one at a\n"
    "    time, and throughput with C client threads at once (C = customers), E echoes each,\n"
    "    released together and timed like the live phase;\n"
    "  - customer operations per second and p50/p99 latency of query, deposit and withdraw,\n"
    "    first one operation at a time (the sequential schedule), then every customer at once\n"
    "    (live);\n"
    "  - a new channel's first call, one channel after another (what connecting costs);\n"
    "  - the ratios the targets are read from, with the targets: query/bare <= 1.3 (p50, one\n"
    "    at a time); deposit/(bare + bare fan-out) <= 1.3 at 10 branches (a write is its own\n"
    "    call, then one to every other branch); the RPC-equivalent efficiency >= 1.0: live ops/s\n"
    "    x (1 + write share x (B-1)) / bare calls/s, the live operations counted as the calls\n"
    "    they make; and, as plain figures, deposit/bare, withdraw/bare and live/bare throughput.\n"
    "Without -b/-c/-e it runs two sizes: 10/10/10 and 50/100/10.\n"
    "\n"
    "  -b, --branches B      branches\n"
    "  -c, --customers C     customers (customer k talks to branch k mod B + 1)\n"
    "  -e, --events E        events per customer (40% queries, the rest deposits and withdrawals)\n"
    "  --seed S              workload seed (default 1)\n"
    "  --bare-calls N        bare RPCs timed one at a time for p50/p99 (default 2000)\n"
    "  --threads N           threads serving all the in-process branches (default 1); with\n"
    "                        --processes, each branch process's own\n"
    "  --processes           every branch its own `bank branch` process (memory is then the\n"
    "                        customers' process, plus the largest branch process's peak)\n"
    "  --deadline-ms MS      deadline of every call, propagations included (default 10000)\n"
    "  --data-dir DIR        every branch keeps its state on disk in DIR/branch-ID, as bank\n"
    "                        branch --data-dir does (made, and removed after each size)\n"
    "  --sync MODE           with --data-dir: always (default), batch or none (bank branch --help)\n"
    "  --figures             print only one line \"figures key=value ...\" (for scripts)\n"
    "  --tls                 then measure again over mutual TLS, on new branches: the bare RPC,\n"
    "                        query, deposit and withdraw p50 one at a time, and a new channel's\n"
    "                        first call, each next to its plaintext figure\n"
    "  --tls-dir DIR         the certificates for --tls, as tools/certs.sh DIR B makes them (it\n"
    "                        needs branch-1 ... branch-B); tools/bench.sh --tls makes them itself\n"
    "\n"
    "growth table:\n"
    "  --table               one row per size, each row a fresh `bank bench --figures` process\n"
    "                        (so its peak memory is its own): B = 2, 10, 50, 100 at C = -c\n"
    "                        (default 10), then C = 1, 10, 100, 1000 at B = -b (default 10),\n"
    "                        then B x C = 100 x 1000; -e events per customer (default 4).\n"
    "                        A row shows start-up ms, bare p50, query/deposit/withdraw p50 and\n"
    "                        their ratios to bare, one-at-a-time, live and bare ops/s,\n"
    "                        live/bare, peak RSS and RSS per branch. A row that fails shows its\n"
    "                        error (which phase, after how long) and the table goes on.\n"
    "  --table-branches LIST    the B series instead, e.g. 2,10,50,100\n"
    "  --table-customers LIST   the C series instead, e.g. 1,10,100,1000\n"
    "  --table-extra LIST    rows after both series, as BxC pairs (default 100x1000, the issue's\n"
    "                        target size; none for no extra row)\n"
    "  --row-timeout S       a row still running after S seconds is killed and shown as failed\n"
    "                        (default 180)\n"
    "\n"
    "  -h, --help            this text\n"
    "exit status: 0 done; 1 a run failed (with --table: any row failed); 2 bad usage.\n";

/* A --table-branches or --table-customers list, "2,10,50", into sizes (1..max each). */
typedef struct {
    size_t *sizes, *n;
    size_t max;
} size_list;

static int parse_sizes(const char *cmd, const char *opt, const char *text, void *target)
{
    size_list *l = target;
    *l->n = 0;
    for (const char *p = text;;) {
        char item[32];
        size_t len = strcspn(p, ",");
        int64_t v;
        if (*l->n == BANK_TABLE_MAX_SIZES)
            return bank_usage_error(cmd, "%s: at most %d sizes", opt, BANK_TABLE_MAX_SIZES), -1;
        snprintf(item, sizeof item, "%.*s", (int)(len < sizeof item - 1 ? len : sizeof item - 1), p);
        if (bank_arg_int(cmd, opt, item, 1, (int64_t)l->max, &v) != 0) return -1;
        l->sizes[(*l->n)++] = (size_t)v;
        if (p[len] == '\0') return 0;
        p += len + 1;
    }
}

/* --table-extra "100x1000,50x100" (or "none") into the table's extra pairs. */
static int parse_pairs(const char *cmd, const char *opt, const char *text, void *target)
{
    bank_bench_table_config *t = target;
    t->n_extra = 0;
    if (strcmp(text, "none") == 0) return 0;
    for (const char *p = text;;) {
        size_t len = strcspn(p, ",");
        unsigned long long b, c;
        int used = 0;
        if (t->n_extra == BANK_TABLE_MAX_SIZES)
            return bank_usage_error(cmd, "%s: at most %d sizes", opt, BANK_TABLE_MAX_SIZES), -1;
        if (sscanf(p, "%llux%llu%n", &b, &c, &used) != 2 || (size_t)used != len || p[0] == '-' ||
            b < 1 || b > 1000 || c < 1 || c > 100000)
            return bank_usage_error(cmd, "%s: \"%.*s\" is not BxC (B in 1..1000, C in 1..100000)", opt,
                                    (int)len, p), -1;
        t->extra_branches[t->n_extra] = (size_t)b;
        t->extra_customers[t->n_extra++] = (size_t)c;
        if (p[len] == '\0') return 0;
        p += len + 1;
    }
}

int bank_cmd_bench(int argc, char **argv)
{
    bank_bench_config cfg = {10, 10, 10, 1, 2000, 1, NULL, 0, NULL, NULL, BANK_SYNC_ALWAYS};
    int sync_seen = 0;
    bank_bench_table_config table = {.branch_sizes = {2, 10, 50, 100}, .n_branch_sizes = 4,
                                     .customer_sizes = {1, 10, 100, 1000}, .n_customer_sizes = 4,
                                     .extra_branches = {100}, .extra_customers = {1000}, .n_extra = 1,
                                     .row_timeout_s = 180};
    size_list table_b = {table.branch_sizes, &table.n_branch_sizes, 1000};
    size_list table_c = {table.customer_sizes, &table.n_customer_sizes, 100000};
    int set_b = 0, set_c = 0, set_e = 0, figures = 0, want_table = 0, table_only = 0, processes = 0, tls = 0;
    const char *tls_dir = NULL;
    bank_opt opts[] = {
        BANK_OPT_SIZE_("branches", 'b', &cfg.branches, 1, 1000),
        BANK_OPT_SIZE_("customers", 'c', &cfg.customers, 1, 100000),
        BANK_OPT_SIZE_("events", 'e', &cfg.events, 1, 100000),
        BANK_OPT_UINT64_("seed", 0, &cfg.seed, 0, INT64_MAX),
        BANK_OPT_SIZE_("bare-calls", 0, &cfg.bare_calls, 1, 10000000),
        BANK_OPT_THREADS(&cfg.server_threads),
        BANK_OPT_FLAG_("processes", 0, &processes),
        BANK_OPT_DEADLINE(&cfg.deadline_ms),
        BANK_OPT_FLAG_("figures", 0, &figures),
        BANK_OPT_FLAG_("table", 0, &want_table),
        BANK_OPT_CALL_("table-branches", 0, parse_sizes, &table_b),
        BANK_OPT_CALL_("table-customers", 0, parse_sizes, &table_c),
        BANK_OPT_CALL_("table-extra", 0, parse_pairs, &table),
        BANK_OPT_INT_("row-timeout", 0, &table.row_timeout_s, 1, 86400),
        BANK_OPT_FLAG_("tls", 0, &tls),
        BANK_OPT_STRING_("tls-dir", 0, &tls_dir),
        BANK_OPT_DATA_DIR(&cfg.data_dir),
        {.name = "sync", .kind = BANK_OPT_CALL, .target = &cfg.sync, .parse = bank_arg_sync, .seen = &sync_seen},
    };
    opts[0].seen = &set_b;
    opts[1].seen = &set_c;
    opts[2].seen = &set_e;
    for (size_t i = 10; i < 14; i++) opts[i].seen = &table_only;
    int first;
    int rc = bank_parse_options("bench", bench_usage, opts, sizeof opts / sizeof opts[0], argc, argv, &first);
    if (rc != 0) return rc == BANK_PARSE_HELP ? BANK_EXIT_OK : rc;
    if (first != argc) return bank_usage_error("bench", "unexpected argument \"%s\"", argv[first]);
    if (processes) cfg.bank_exe = bank_self_exe();
    if (table_only && !want_table)
        return bank_usage_error("bench", "--table-branches, --table-customers, --table-extra and "
                                         "--row-timeout go with --table");
    if (want_table && figures) return bank_usage_error("bench", "--figures and --table exclude each other");
    if (tls && !tls_dir)
        return bank_usage_error("bench", "--tls needs --tls-dir DIR: tools/certs.sh DIR B makes one "
                                         "(tools/bench.sh --tls does it for you)");
    if (tls_dir && !tls) return bank_usage_error("bench", "--tls-dir goes with --tls");
    if (tls && want_table) return bank_usage_error("bench", "--tls measures one size, not --table");
    cfg.tls_dir = tls_dir;
    if (want_table && cfg.data_dir) return bank_usage_error("bench", "--data-dir goes with one size, not --table");
    if (sync_seen && !cfg.data_dir) return bank_usage_error("bench", "--sync goes with --data-dir");

    if (want_table) {
        table.bank_exe = bank_self_exe();
        table.fixed_customers = set_c ? cfg.customers : 10;
        table.fixed_branches = set_b ? cfg.branches : 10;
        table.events = set_e ? cfg.events : 4;
        table.seed = cfg.seed;
        table.bare_calls = cfg.bare_calls;
        table.server_threads = cfg.server_threads;
        return bank_bench_table_run(&table, stdout) == 0 ? BANK_EXIT_OK : BANK_EXIT_FAILED;
    }

    bank_bench_config sizes[2] = {cfg, cfg};
    size_t n_sizes = 1;
    if (!set_b && !set_c && !set_e) {
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
        if (figures) bank_bench_print_figures(stdout, &sizes[i], &r);
        else bank_bench_print(stdout, &sizes[i], &r);
        fflush(stdout);
    }
    return BANK_EXIT_OK;
}
