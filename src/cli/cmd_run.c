/* bank run: the main job. Reads input.json, runs its customers against real gRPC branches and
 * writes the assignment's output. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "core/model.h"
#include "core/schedule.h"
#include "io/input.h"
#include "io/output.h"
#include "run/branches.h"
#include "run/converged.h"
#include "run/customers.h"
#include "run/tls_files.h"
#include "run_p2.h"

static const char run_usage[] =
    "usage: bank run [OPTIONS] INPUT.json\n"
    "\n"
    "Starts the input's branches as gRPC servers on 127.0.0.1 (ports chosen by the OS), runs\n"
    "its customers as gRPC client threads, and writes one {\"id\", \"recv\"} object per customer\n"
    "entry, in input order. INPUT.json may be - for standard input.\n"
    "\n"
    "schedules (the two readings of the assignment, and a free run):\n"
    "  --schedule sequential  (default) customer entries run one after another in input order,\n"
    "                         each running all its events; every write has reached every branch\n"
    "                         before the next event starts. What the course's large input expects.\n"
    "  --schedule rounds      the course's timing: all customers start together and each waits\n"
    "                         3 s before every query. Reproduced without the waiting: window 0 runs\n"
    "                         every customer's writes before its first query (customers in input\n"
    "                         order, then event order); round r runs every customer's r-th query\n"
    "                         together; window r runs the writes between the r-th and (r+1)-th\n"
    "                         query; and so on.\n"
    "  --schedule live        all customers run at once as threads, with --query-delay before\n"
    "                         each query; reports whatever happened, then checks that every branch\n"
    "                         holds the same balance.\n"
    "\n"
    "output:\n"
    "  --style result         (default) query {\"interface\": \"query\", \"result\": {\"balance\": 400}}\n"
    "  --style balance        query {\"interface\": \"query\", \"balance\": 400}\n"
    "  --style money          query {\"interface\": \"query\", \"result\": \"success\", \"money\": 400}\n"
    "                         (deposit and withdraw are {\"interface\": ..., \"result\": \"success\"|\"fail\"}\n"
    "                         in every style)\n"
    "  --lines                one object a line instead of a JSON array\n"
    "  -o, --output FILE      write the output to FILE instead of standard output\n"
    "  --project 2            Project 2, logical clocks: every process keeps a Lamport clock and\n"
    "                         every message carries it; write the course's three parts instead,\n"
    "                         per customer, per branch and every event, each with its\n"
    "                         logical_clock, interface and comment: with -o DIR, as\n"
    "                         DIR/customer_events.json, branch_events.json and all_events.json;\n"
    "                         otherwise as one JSON object on standard output. The clocks are\n"
    "                         checked against the tick rules (and, sequential or rounds, against\n"
    "                         the reference model). Not with --style, --lines, --cluster or --kill.\n"
    "                         (--project 1, the default: Project 1's output; --project 3: see\n"
    "                         bank run --project 3 --help)\n"
    "  --branches             also print every branch's final balance, as JSON, on standard error\n"
    "\n"
    "branches:\n"
    "  (default)              every branch a gRPC server inside this process\n"
    "  --processes            every branch its own `bank branch` process\n"
    "  --cluster FILE         branches already running elsewhere, listed in FILE as \"ID HOST:PORT\"\n"
    "                         lines; they must hold the input's balances\n"
    "  --threads N            threads serving the branches: in this process, shared by all of\n"
    "                         them; with --processes, each branch's own (default 1)\n"
    "  --attempts N           tries of a propagation a peer does not acknowledge (it timed out or\n"
    "                         was unavailable) before the customer is told the write was not\n"
    "                         acknowledged (default 5); a peer recognises a propagation it has\n"
    "                         applied already and does not apply it twice\n"
    "  --retry-backoff-ms MS  wait before the second try, doubling after, at most 2000 (default 50)\n"
    "  --faults SPEC          inject faults, for chaos runs: comma-separated NAME=PERCENT[:MS] with\n"
    "                         drop (a propagation is lost; its sender sees a timeout within 100 ms\n"
    "                         and retries), dup (sent twice), delay=P:MS (sent up to MS late),\n"
    "                         reply-delay=P:MS (an answer held back up to MS); e.g.\n"
    "                         --faults drop=10,dup=10,delay=20:30,reply-delay=10:20\n"
    "  --seed N               the faults' seed (default 1; every branch its own stream of it)\n"
    "  --kill B[,B...]@N      --processes, sequential or rounds: once N events are answered (after\n"
    "                         that phase), kill the processes of branches B (SIGKILL, all of them\n"
    "                         first; \"all\" names every branch) and start each again, in the order\n"
    "                         given, with --recover on its address; the run goes on while they\n"
    "                         catch up. N is at most the input's number of events. May be given\n"
    "                         several times (at most 64)\n"
    "  --data-dir DIR         every branch keeps its state on disk in DIR/branch-ID (see bank\n"
    "                         branch --help); DIR is made when missing and must hold no branch's\n"
    "                         dir yet. Not with --cluster\n"
    "  --sync MODE            with --data-dir: always (default), batch or none (bank branch --help)\n"
    "  --tls-dir DIR          mutual TLS (tools/certs.sh DIR N makes DIR): branch N serves and\n"
    "                         calls its peers with DIR/branch-N.crt and .key, the customers call\n"
    "                         with DIR/customer.crt and .key, all signed by DIR/ca.crt; only\n"
    "                         branches may propagate (see bank branch --help)\n"
    "  --tls-ca FILE, --tls-cert FILE, --tls-key FILE\n"
    "                         with --cluster: the customers' CA, certificate and key, for branches\n"
    "                         that serve TLS (instead of --tls-dir's customer files)\n"
    "  --trace FILE           record every message a branch answers in FILE, one JSON object a\n"
    "                         line (times, sender, receiver, RPC, customer and event, money, the\n"
    "                         balance after, the reply); `bank diagram FILE` draws it\n"
    "\n"
    "  --query-delay MS       live: pause before every query (default 0; the course used 3000)\n"
    "  --deadline-ms MS       deadline of every RPC, and of branch start-up (default 10000)\n"
    "  -h, --help             this text\n"
    "\n"
    "Every run checks that all branches end with the same balance change; sequential and rounds\n"
    "runs also check every answer against the reference model. A write answered \"pending\" (a\n"
    "branch did not acknowledge it within --attempts tries; it gets it later) counts as done, is\n"
    "written \"pending\", counted on standard error, and waited for until every branch has it.\n"
    "exit status: 0 done, 1 the run failed (an RPC failed, or a check did), 2 bad usage or input.\n";

enum { MAX_KILLS = 64, MAX_KILLED = 64 };

/* --kill: once `after` events are answered, these branches crash and restart. */
typedef struct {
    size_t after;
    int all;
    int64_t ids[MAX_KILLED];
    size_t n;
    int done;
} kill_point;

typedef struct {
    const char *input;
    const char *output;
    bank_schedule schedule;
    bank_style style;
    int lines;
    int print_branches;
    bank_branches_config branches;
    bank_drive_config drive;
    kill_point kills[MAX_KILLS]; /* --kill; drive.kill_after is the first one's N */
    size_t n_kills;
    int sync_seen;
    bank_tls_options tls; /* --cluster: the customers' TLS files */
    int use_tls_files;
    int project;         /* 1, or 2: the clocks' three parts instead (run_p2.h) */
} run_options;

/* --kill B[,B...]@N (or all@N): one more kill point. */
static int parse_kill(const char *cmd, const char *opt, const char *value, void *target)
{
    run_options *o = target;
    const char *at = strchr(value, '@');
    if (!at) return bank_usage_error(cmd, "%s: expected BRANCH[,BRANCH...]@N, got \"%s\"", opt, value), -1;
    if (o->n_kills == MAX_KILLS) return bank_usage_error(cmd, "%s: at most %d kill points", opt, MAX_KILLS), -1;
    kill_point *k = &o->kills[o->n_kills];
    memset(k, 0, sizeof *k);
    int64_t n;
    if (bank_arg_int(cmd, "--kill N", at + 1, 1, INT64_MAX, &n) != 0) return -1;
    k->after = (size_t)n;
    if (at - value == 3 && strncmp(value, "all", 3) == 0) {
        k->all = 1;
    } else {
        for (const char *p = value; p < at;) {
            char branch[32];
            size_t len = strcspn(p, ",@");
            snprintf(branch, sizeof branch, "%.*s", (int)(len < 31 ? len : 31), p);
            if (k->n == MAX_KILLED)
                return bank_usage_error(cmd, "%s: at most %d branches a kill point", opt, MAX_KILLED), -1;
            if (bank_arg_int(cmd, "--kill BRANCH", branch, 0, INT32_MAX, &k->ids[k->n++]) != 0) return -1;
            p += len + (p[len] == ',');
        }
    }
    o->n_kills++;
    if (!o->drive.kill_after || k->after < o->drive.kill_after) o->drive.kill_after = k->after;
    return 0;
}

static int parse_options(int argc, char **argv, run_options *o)
{
    memset(o, 0, sizeof *o);
    o->schedule = BANK_SCHEDULE_SEQUENTIAL;
    o->style = BANK_STYLE_RESULT;
    o->branches = bank_branches_run_defaults();
    o->project = 1;
    int processes = 0;
    const bank_opt opts[] = {
        BANK_OPT_SCHEDULE(&o->schedule),
        BANK_OPT_STYLE(&o->style),
        BANK_OPT_FLAG_("lines", 0, &o->lines),
        BANK_OPT_STRING_("output", 'o', &o->output),
        BANK_OPT_FLAG_("branches", 0, &o->print_branches),
        BANK_OPT_FLAG_("processes", 0, &processes),
        BANK_OPT_STRING_("cluster", 0, &o->branches.cluster_file),
        BANK_OPT_INT_("query-delay", 0, &o->drive.query_delay_ms, 0, 3600000),
        BANK_OPT_DEADLINE(&o->branches.deadline_ms),
        BANK_OPT_THREADS(&o->branches.server_threads),
        BANK_OPT_STRING_("trace", 0, &o->branches.trace_path),
        BANK_OPT_ATTEMPTS(&o->branches.propagate_attempts),
        BANK_OPT_BACKOFF(&o->branches.retry_backoff_ms),
        BANK_OPT_FAULTS(&o->branches.faults, &o->branches.fault_seed),
        BANK_OPT_CALL_("kill", 0, parse_kill, o),
        BANK_OPT_TLS(&o->tls),
        BANK_OPT_STRING_("tls-dir", 0, &o->branches.tls_dir),
        BANK_OPT_INT_("project", 0, &o->project, 1, 3), /* 3 went to bank_cmd_run_p3 */
        BANK_OPT_DATA_DIR(&o->branches.data_dir),
        {.name = "sync", .kind = BANK_OPT_CALL, .target = &o->branches.sync, .parse = bank_arg_sync,
         .seen = &o->sync_seen},
    };
    int first;
    int rc = bank_parse_options("run", run_usage, opts, sizeof opts / sizeof opts[0], argc, argv, &first);
    if (rc != 0) return rc;
    if (processes && o->branches.cluster_file)
        return bank_usage_error("run", "--processes and --cluster exclude each other");
    if (processes) o->branches.mode = BANK_MODE_PROCESSES;
    if (o->branches.cluster_file) o->branches.mode = BANK_MODE_CLUSTER;
    if (first != argc - 1)
        return bank_usage_error("run", first == argc ? "no input file given"
                                                      : "one input file expected, got several");
    if (o->drive.query_delay_ms && o->schedule != BANK_SCHEDULE_LIVE)
        return bank_usage_error("run", "--query-delay applies to --schedule live only");
    if ((o->branches.faults || o->branches.propagate_attempts || o->branches.retry_backoff_ms) &&
        o->branches.mode == BANK_MODE_CLUSTER)
        return bank_usage_error("run", "--faults, --attempts and --retry-backoff-ms set up the branches "
                                       "this run starts; a --cluster's branches take them themselves");
    if (o->branches.trace_path && o->branches.mode == BANK_MODE_CLUSTER)
        return bank_usage_error("run", "--trace records what the branches this run starts answer; "
                                       "a --cluster's branches take --trace themselves");
    if ((o->use_tls_files = bank_tls_options_given("run", &o->tls)) < 0) return BANK_EXIT_USAGE;
    if (o->use_tls_files && o->branches.tls_dir)
        return bank_usage_error("run", "--tls-dir and --tls-ca/--tls-cert/--tls-key exclude each other");
    if (o->use_tls_files && o->branches.mode != BANK_MODE_CLUSTER)
        return bank_usage_error("run", "--tls-ca, --tls-cert and --tls-key are the customers' files for a "
                                       "--cluster; the branches this run starts take --tls-dir DIR");
    if (o->drive.kill_after && (o->branches.mode != BANK_MODE_PROCESSES || o->schedule == BANK_SCHEDULE_LIVE))
        return bank_usage_error("run", "--kill needs --processes and the sequential or rounds schedule");
    if (o->project == 2 && (o->style != BANK_STYLE_RESULT || o->lines))
        return bank_usage_error("run", "--style and --lines shape Project 1's output; --project 2 "
                                       "writes the course's three parts");
    if (o->project == 2 && (o->branches.mode == BANK_MODE_CLUSTER || o->drive.kill_after))
        return bank_usage_error("run", "--project 2 reads the clocks from the branches it starts (not "
                                       "a --cluster's), and a branch restarted by --kill would start "
                                       "its clock again");
    if (o->branches.data_dir && o->branches.mode == BANK_MODE_CLUSTER)
        return bank_usage_error("run", "--data-dir sets up the branches this run starts; a --cluster's "
                                       "branches take --data-dir themselves");
    if (o->sync_seen && !o->branches.data_dir) return bank_usage_error("run", "--sync goes with --data-dir");
    o->input = argv[first];
    o->branches.bank_exe = bank_self_exe();
    o->drive.schedule = o->schedule;
    o->drive.deadline_ms = o->branches.deadline_ms;
    return 0;
}

/* The reference model's answer to every event must be exactly what the branches said. */
static int check_against_model(const bank_workload *w, const run_options *o, const bank_outcome *got,
                               char *err, size_t errlen)
{
    bank_plan plan;
    bank_outcome want;
    if (bank_plan_build(w, o->schedule, &plan) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = bank_outcome_init(&want, w) == 0 ? bank_model_run(w, &plan, &want, NULL) : -1;
    if (rc != 0) snprintf(err, errlen, "out of memory");
    for (size_t c = 0; c < w->n_customers && rc == 0; c++)
        for (size_t e = 0; e < w->customers[c].n_events && rc == 0; e++) {
            const bank_result *a = &want.results[c][e], *b = &got->results[c][e];
            if (a->success != b->success || (a->op == BANK_OP_QUERY && a->balance != b->balance)) {
                snprintf(err, errlen,
                         "customer %lld, event %lld (%s): the branches answered %s %" PRId64
                         ", the reference model %s %" PRId64,
                         (long long)w->customers[c].id, (long long)w->customers[c].events[e].id,
                         bank_op_name(a->op), b->success ? "success" : "fail", b->balance,
                         a->success ? "success" : "fail", a->balance);
                rc = -1;
            }
        }
    bank_outcome_free(&want);
    bank_plan_free(&plan);
    return rc;
}

/* After every write has been acknowledged everywhere, each branch must have moved by the sum of
 * the successful writes. */
static int check_cluster_balances(const bank_workload *w, const bank_branches *br, int deadline_ms,
                                  char *err, size_t errlen)
{
    int64_t *now = calloc(w->n_branches ? w->n_branches : 1, sizeof *now);
    int rc = now ? bank_read_balances(w, br, deadline_ms, now, err, errlen) : -1;
    for (size_t b = 0; b < w->n_branches && rc == 0; b++)
        if (now[b] != w->branches[b].balance) {
            snprintf(err, errlen, "branch %lld at %s holds %" PRId64 ", the input says %" PRId64,
                     (long long)w->branches[b].id, bank_branches_target(br, b), now[b],
                     w->branches[b].balance);
            rc = -1;
        }
    free(now);
    return rc;
}

static int write_output(const run_options *o, const bank_workload *w, const bank_outcome *out,
                        char *err, size_t errlen)
{
    FILE *f = o->output ? fopen(o->output, "w") : stdout;
    if (!f) {
        snprintf(err, errlen, "%s: cannot write", o->output);
        return -1;
    }
    int rc = bank_output_write(f, w, out, o->style, o->lines);
    if (o->output && fclose(f) != 0) rc = -1;
    if (rc != 0) snprintf(err, errlen, "%s: write failed", o->output ? o->output : "standard output");
    return rc;
}

typedef struct {
    bank_branches *br;
    const bank_workload *w;
    run_options *o;
} kill_target;

/* After a phase: every kill point now due crashes its branches and restarts them. */
static int kill_and_recover(void *ctx, size_t answered, char *err, size_t errlen)
{
    kill_target *t = ctx;
    for (size_t p = 0; p < t->o->n_kills; p++) {
        kill_point *k = &t->o->kills[p];
        if (k->done || k->after > answered) continue;
        k->done = 1;
        if (k->all) {
            k->n = t->w->n_branches < MAX_KILLED ? t->w->n_branches : MAX_KILLED;
            for (size_t i = 0; i < k->n; i++) k->ids[i] = t->w->branches[i].id;
        }
        if (bank_branches_crash_and_recover(t->br, t->w, k->ids, k->n, err, errlen) != 0) return -1;
        char names[400] = "";
        size_t len = 0;
        for (size_t i = 0; i < k->n && len < sizeof names - 40; i++)
            len += (size_t)snprintf(names + len, sizeof names - len, "%s%lld", i ? ", " : "", (long long)k->ids[i]);
        fprintf(stderr, "bank: killed branch%s %s (SIGKILL) and started %s again with --recover\n",
                k->n == 1 ? "" : "es", names, k->n == 1 ? "it" : "them");
    }
    return 0;
}

/* The net of the writes answered success (pending ones included). */
static int64_t answered_net(const bank_workload *w, const bank_outcome *o)
{
    int64_t net = 0;
    for (size_t c = 0; c < w->n_customers; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++) {
            const bank_result *r = &o->results[c][e];
            int64_t m = w->customers[c].events[e].money;
            if (r->success && r->op == BANK_OP_DEPOSIT) net += m;
            if (r->success && r->op == BANK_OP_WITHDRAW) net -= m;
        }
    return net;
}

/* Writes answered pending are counted, and waited for until every branch has them. */
static int settle_pending(const bank_workload *w, const run_options *o, const bank_branches *br,
                          const bank_outcome *out, char *err, size_t errlen)
{
    size_t pending = bank_outcome_pending(w, out);
    if (pending == 0 && !o->drive.kill_after) return 0;
    if (pending)
        fprintf(stderr, "bank: %zu write%s answered pending (applied at their branch, owed to a "
                        "branch that had not acknowledged them)\n", pending, pending == 1 ? "" : "s");
    return bank_wait_converged(w, br, answered_net(w, out), o->drive.deadline_ms, err, errlen);
}

/* The customers' certificate, and (with --tls-dir, for the branches this run starts) every
 * branch's, read and checked before anything starts (spec R7). 0, or -1 with err. */
static int load_tls(const run_options *o, const bank_workload *w, bank_tls **client, char *err,
                    size_t errlen)
{
    const char *dir = o->branches.tls_dir;
    if (o->use_tls_files)
        *client = bank_tls_load(o->tls.ca, o->tls.cert, o->tls.key, BANK_TLS_CUSTOMER, err, errlen);
    else if (dir)
        *client = bank_tls_load_dir(dir, BANK_TLS_CUSTOMER, err, errlen);
    if ((o->use_tls_files || dir) && !*client) return -1;
    for (size_t i = 0; dir && o->branches.mode != BANK_MODE_CLUSTER && i < w->n_branches; i++) {
        bank_tls *t = bank_tls_load_dir(dir, w->branches[i].id, err, errlen);
        if (!t) {
            bank_tls_free(*client);
            *client = NULL;
            return -1;
        }
        bank_tls_free(t);
    }
    return 0;
}

int bank_cmd_run(int argc, char **argv)
{
    if (bank_argv_project(argc, argv) == 3) return bank_cmd_run_p3(argc, argv);
    run_options o;
    int rc = parse_options(argc, argv, &o);
    if (rc != 0) return rc == BANK_PARSE_HELP ? BANK_EXIT_OK : rc;

    char err[1024];
    bank_workload w;
    if (bank_input_load(o.input, &w, err, sizeof err) != 0) {
        fprintf(stderr, "bank: %s\n", err);
        return BANK_EXIT_USAGE;
    }
    for (size_t p = 0; p < o.n_kills; p++)
        for (size_t i = 0; i < o.kills[p].n; i++)
            if (bank_workload_branch_index(&w, o.kills[p].ids[i]) == SIZE_MAX) {
                fprintf(stderr, "bank run: --kill: %s has no branch %lld\n", o.input, (long long)o.kills[p].ids[i]);
                bank_workload_free(&w);
                return BANK_EXIT_USAGE;
            }
    size_t n_events = bank_workload_event_count(&w);
    for (size_t p = 0; p < o.n_kills; p++)
        if (o.kills[p].after > n_events) { /* it would never come */
            fprintf(stderr, "bank run: --kill ...@%zu: %s has only %zu events\n", o.kills[p].after, o.input,
                    n_events);
            bank_workload_free(&w);
            return BANK_EXIT_USAGE;
        }
    bank_tls *client_tls = NULL;
    if (load_tls(&o, &w, &client_tls, err, sizeof err) != 0) {
        fprintf(stderr, "bank run: %s\n", err);
        bank_workload_free(&w);
        return BANK_EXIT_USAGE;
    }
    o.branches.client_tls = client_tls;
    bank_outcome out;
    int64_t *finals = calloc(w.n_branches, sizeof *finals);
    if (!finals || bank_outcome_init(&out, &w) != 0) {
        fprintf(stderr, "bank: out of memory\n");
        free(finals);
        bank_tls_free(client_tls);
        bank_workload_free(&w);
        return BANK_EXIT_FAILED;
    }
    rc = -1;
    bank_run_p2 p2 = {0};
    if (o.project == 2) {
        if (bank_run_p2_start(&p2, &w, o.branches.trace_path, err, sizeof err) != 0) {
            fprintf(stderr, "bank: %s\n", err);
            bank_outcome_free(&out);
            free(finals);
            bank_workload_free(&w);
            return BANK_EXIT_FAILED;
        }
        o.branches.trace_path = p2.trace_path; /* the branches' clocks are read back from it */
        o.drive.stamps = p2.stamps;
    }
    bank_branches *br = bank_branches_start(&w, &o.branches, err, sizeof err);
    kill_target kill = {br, &w, &o};
    if (o.drive.kill_after) {
        o.drive.kill_fn = kill_and_recover;
        o.drive.kill_ctx = &kill;
    }
    if (br && (o.branches.mode != BANK_MODE_CLUSTER ||
               check_cluster_balances(&w, br, o.drive.deadline_ms, err, sizeof err) == 0) &&
        bank_drive(&w, br, &o.drive, &out, NULL, err, sizeof err) == 0 &&
        settle_pending(&w, &o, br, &out, err, sizeof err) == 0 &&
        bank_read_balances(&w, br, o.drive.deadline_ms, finals, err, sizeof err) == 0 &&
        bank_check_replicas(&w, &out, finals, err, sizeof err) == 0 &&
        (o.schedule == BANK_SCHEDULE_LIVE || check_against_model(&w, &o, &out, err, sizeof err) == 0))
        rc = o.project == 2 ? 0 : write_output(&o, &w, &out, err, sizeof err);
    if (rc != 0) fprintf(stderr, "bank: %s\n", err);
    if (rc == 0 && o.print_branches) bank_output_write_branches(stderr, &w, finals);
    if (rc == 0 && o.schedule == BANK_SCHEDULE_LIVE)
        fprintf(stderr, "bank: live run done; replicas agree: every branch moved by the same "
                        "amount (branch %lld holds %" PRId64 ")\n",
                (long long)w.branches[0].id, finals[0]);
    if (bank_branches_stop(br, err, sizeof err) != 0) {
        fprintf(stderr, "bank: %s\n", err);
        rc = -1;
    }
    if (rc == 0 && o.project == 2 &&
        (rc = bank_run_p2_finish(&p2, &w, o.schedule, &out, o.output, err, sizeof err)) != 0)
        fprintf(stderr, "bank: %s\n", err);
    bank_run_p2_free(&p2);
    bank_outcome_free(&out);
    free(finals);
    bank_tls_free(client_tls);
    bank_workload_free(&w);
    return rc == 0 ? BANK_EXIT_OK : BANK_EXIT_FAILED;
}
