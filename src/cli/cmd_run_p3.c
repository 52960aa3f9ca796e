/* bank run --project 3: Project 3's reference run (client-centric consistency). Reads an input
 * whose events name their branch, runs every customer entry as a session over gRPC, checks the
 * answers and the replicas against the session rules, and writes the course's output. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "io/input.h"
#include "io/session_output.h"
#include "run/branches.h"
#include "run/converged.h"
#include "run/session_run.h"
#include "run/session_verify.h"

static const char usage[] =
    "usage: bank run --project 3 [OPTIONS] INPUT.json\n"
    "\n"
    "Project 3, client-centric consistency. Every event goes to the branch it names (\"branch\",\n"
    "or the older \"dest\"; without one, to its customer's own). Every customer entry is a\n"
    "session: each request carries the ids of the entry's own writes, and a branch holds the\n"
    "request until it has applied all of them (read-your-writes, monotonic writes), at most\n"
    "--deadline-ms. A write is answered once applied at its branch; the other branches get it\n"
    "later, in the order its customer made its writes. Then the output: one {\"id\", \"recv\"}\n"
    "record per event, with its branch and balance or result (the course's new form).\n"
    "\n"
    "schedules:\n"
    "  --schedule sequential  (default) entries one after another in input order; before the\n"
    "                         next starts, every branch holds every write made so far. The\n"
    "                         answers are then fixed: they are checked against the session rules.\n"
    "  --schedule live        every entry at once; the answers must be ones some execution that\n"
    "                         keeps the guarantees gives (one customer alone: exactly the fixed ones)\n"
    "\n"
    "output:\n"
    "  --style events         (default) a record per event: {\"id\": 1, \"recv\": [{\"interface\":\n"
    "                         \"query\", \"branch\": 2, \"balance\": 10}]}, writes with \"result\"\n"
    "  --style final          the older form: per entry that has a query, {\"id\": 1, \"balance\": B},\n"
    "                         B what its last query read\n"
    "  --lines                one object a line instead of a JSON array\n"
    "  -o, --output FILE      write the output to FILE instead of standard output\n"
    "  --branches             also print every branch's final balance, as JSON, on standard error\n"
    "\n"
    "branches (as for Project 1; see bank run --help):\n"
    "  --processes, --threads N, --attempts N, --retry-backoff-ms MS, --faults SPEC, --seed N,\n"
    "  --trace FILE, --deadline-ms MS. --faults delay=P:MS holds propagations back, so that a\n"
    "  customer's next request waits for them at its branch (the trace shows it).\n"
    "  -h, --help             this text\n"
    "\n"
    "exit status: 0 done, 1 the run failed (an RPC failed, a request waited past --deadline-ms,\n"
    "or a check did), 2 bad usage or input.\n";

typedef struct {
    const char *input, *output;
    bank_schedule schedule;
    bank_session_style style;
    int lines, print_branches;
    bank_branches_config branches;
} options;

static int parse_style(const char *cmd, const char *opt, const char *value, void *target)
{
    if (bank_session_style_parse(value, target) == 0) return 0;
    bank_usage_error(cmd, "%s: unknown style \"%s\" with --project 3 (events or final)", opt, value);
    return -1;
}

static int parse_options(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->schedule = BANK_SCHEDULE_SEQUENTIAL;
    o->style = BANK_SESSION_EVENTS;
    o->branches = bank_branches_run_defaults();
    int processes = 0, project = 3;
    const bank_opt opts[] = {
        BANK_OPT_INT_("project", 0, &project, 3, 3),
        BANK_OPT_SCHEDULE(&o->schedule),
        BANK_OPT_CALL_("style", 0, parse_style, BANK_TARGET(bank_session_style, &o->style)),
        BANK_OPT_FLAG_("lines", 0, &o->lines),
        BANK_OPT_STRING_("output", 'o', &o->output),
        BANK_OPT_FLAG_("branches", 0, &o->print_branches),
        BANK_OPT_FLAG_("processes", 0, &processes),
        BANK_OPT_DEADLINE(&o->branches.deadline_ms),
        BANK_OPT_THREADS(&o->branches.server_threads),
        BANK_OPT_STRING_("trace", 0, &o->branches.trace_path),
        BANK_OPT_ATTEMPTS(&o->branches.propagate_attempts),
        BANK_OPT_BACKOFF(&o->branches.retry_backoff_ms),
        BANK_OPT_FAULTS(&o->branches.faults, &o->branches.fault_seed),
    };
    int first;
    int rc = bank_parse_options("run", usage, opts, sizeof opts / sizeof opts[0], argc, argv, &first);
    if (rc != 0) return rc;
    if (first != argc - 1)
        return bank_usage_error("run", first == argc ? "no input file given" : "one input file expected, got several");
    if (o->schedule == BANK_SCHEDULE_ROUNDS)
        return bank_usage_error("run", "--schedule rounds is Project 1's; --project 3 runs sequential or live");
    if (processes) o->branches.mode = BANK_MODE_PROCESSES;
    o->input = argv[first];
    o->branches.bank_exe = bank_self_exe();
    return 0;
}

static int write_output(const options *o, const bank_workload *w, const bank_routes *routes,
                        const bank_outcome *out, char *err, size_t errlen)
{
    FILE *f = o->output ? fopen(o->output, "w") : stdout;
    if (!f) {
        snprintf(err, errlen, "%s: cannot write", o->output);
        return -1;
    }
    int rc = bank_session_output_write(f, w, routes, out, o->style, o->lines);
    if (o->output && fclose(f) != 0) rc = -1;
    if (rc != 0) snprintf(err, errlen, "%s: write failed", o->output ? o->output : "standard output");
    return rc;
}

int bank_cmd_run_p3(int argc, char **argv)
{
    options o;
    int rc = parse_options(argc, argv, &o);
    if (rc != 0) return rc == BANK_PARSE_HELP ? BANK_EXIT_OK : rc;
    char err[1024];
    bank_workload w;
    bank_routes routes;
    if (bank_input_load_routed(o.input, &w, &routes, err, sizeof err) != 0) {
        fprintf(stderr, "bank: %s\n", err);
        return BANK_EXIT_USAGE;
    }
    bank_outcome out;
    bank_write_set all = {0, 0, NULL};
    int64_t *finals = calloc(w.n_branches, sizeof *finals);
    if (!finals || bank_outcome_init(&out, &w) != 0) {
        fprintf(stderr, "bank: out of memory\n");
        free(finals);
        bank_routes_free(&routes);
        bank_workload_free(&w);
        return BANK_EXIT_FAILED;
    }
    bank_session_config cfg = {o.schedule, o.branches.deadline_ms};
    rc = -1;
    bank_branches *br = bank_branches_start(&w, &o.branches, err, sizeof err);
    if (br && bank_session_drive(&w, &routes, br, &cfg, &out, &all, err, sizeof err) == 0 &&
        bank_session_settle(&w, br, &all, o.branches.deadline_ms, finals, err, sizeof err) == 0 &&
        bank_check_replicas(&w, &out, finals, err, sizeof err) == 0 &&
        bank_session_verify(&w, &routes, o.schedule, &out, err, sizeof err) == 0)
        rc = write_output(&o, &w, &routes, &out, err, sizeof err);
    if (rc != 0) fprintf(stderr, "bank: %s\n", err);
    if (rc == 0 && o.print_branches) bank_output_write_branches(stderr, &w, finals);
    if (bank_branches_stop(br, err, sizeof err) != 0) {
        fprintf(stderr, "bank: %s\n", err);
        rc = -1;
    }
    bank_write_set_free(&all);
    bank_outcome_free(&out);
    free(finals);
    bank_routes_free(&routes);
    bank_workload_free(&w);
    return rc == 0 ? BANK_EXIT_OK : BANK_EXIT_FAILED;
}

int bank_argv_project(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        const char *v = strncmp(argv[i], "--project=", 10) == 0                 ? argv[i] + 10
                        : strcmp(argv[i], "--project") == 0 && i + 1 < argc ? argv[i + 1]
                                                                             : NULL;
        if (!v) continue;
        char *end;
        long n = strtol(v, &end, 10);
        return end != v && *end == '\0' && n > 0 && n < 100 ? (int)n : -1;
    }
    return 1;
}
