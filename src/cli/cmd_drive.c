/* bank drive: tests a running system, not only its output file. Acts as every customer of an
 * input against branches that are already running (or that it starts with --start), over the
 * course's wire, ours, or a student's own .proto, and says whether the system behaved as the
 * reference does. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* optind */
#include <time.h>

#include "args.h"
#include "commands.h"
#include "diagram/diagram.h"
#include "drive_report.h"
#include "grade/report.h"
#include "io/input.h"
#include "io/peers_file.h"
#include "io/proto_compile.h"
#include "run/tls_files.h"
#include "run/start_processes.h"

static const char drive_usage[] =
    "usage: bank drive [OPTIONS] INPUT.json\n"
    "\n"
    "Acts as every customer of INPUT.json against branches that are already running (a student's\n"
    "system, or `bank branch` processes), writes the output in the assignment's format, and says\n"
    "whether the system behaved as the reference does: every answer against the reference model\n"
    "(a live run: against every legal execution, as bank grade --consistent), every branch's\n"
    "balance read after each answered write (a probe: a query with customer and event id 0), and\n"
    "every call answered within --deadline-ms.\n"
    "\n"
    "where the branches are (one of these, or --start alone):\n"
    "  --cluster FILE         \"ID HOST:PORT\" lines, as for bank run --cluster\n"
    "  --course-ports [BASE]  branch N at 127.0.0.1:BASE+N (BASE 50000 by default, the course's\n"
    "                         convention)\n"
    "  --start 'COMMAND'      start one process per branch first, from COMMAND (run by /bin/sh) with\n"
    "                         {id}, {balance}, {port}, {host}, {peers} (a file of \"ID HOST:PORT\"\n"
    "                         lines it writes) and {input} put in; ports are the --cluster or\n"
    "                         --course-ports ones, else free ones it picks. It waits until every\n"
    "                         port accepts connections (within --deadline-ms) and stops every\n"
    "                         process it started at the end (SIGTERM, then SIGKILL after 3 s), also\n"
    "                         on failure and on Ctrl-C. E.g. --start 'bank branch --id {id}\n"
    "                         --balance {balance} --listen 127.0.0.1:{port} --peers {peers}'\n"
    "\n"
    "the wire:\n"
    "  --wire course          (default) NAME/MsgDelivery(MsgRequest {id: the event id, interface,\n"
    "                         money}) -> MsgResponse {interface, result, money: the balance}\n"
    "  --service NAME         the course wire's service, with its package: --service example.Branch\n"
    "                         calls /example.Branch/MsgDelivery (default Branch, no package)\n"
    "  --wire bank            this project's bank.proto (bank.Branch/Query, Deposit, Withdraw)\n"
    "  --tls-ca FILE, --tls-cert FILE, --tls-key FILE\n"
    "                         call the branches over mutual TLS with this customer certificate\n"
    "                         (branches started with bank branch --tls-*; see README, Security)\n"
    "  --tls-dir DIR          the same, with DIR's ca.crt and customer.crt/.key (tools/certs.sh)\n"
    "  --proto FILE           the student's own .proto (read with protoc): the methods and the\n"
    "                         fields are found by their names and printed on standard error\n"
    "  --method INTERFACE=Service/Method\n"
    "                         with --proto: the method for query, deposit, withdraw (or all)\n"
    "  --field ROLE=NAME      with --proto: which field plays ROLE: id (the event id), customer,\n"
    "                         interface, money (in the request), result, balance (in the reply)\n"
    "\n"
    "the run:\n"
    "  --schedule sequential|rounds|live   as bank run (default sequential)\n"
    "  --query-delay MS       live: pause before every query (default 0)\n"
    "  --deadline-ms MS       deadline of every call, and of --start's start-up (default 10000)\n"
    "  --budget N             live: states the consistency check may visit before it calls the\n"
    "                         answers undecided (default 1000000), as bank grade --budget\n"
    "\n"
    "output:\n"
    "  -o, --output FILE      the output file (else standard output, before the report)\n"
    "  --style S, --lines     the output's style and layout, as bank run\n"
    "  --json                 the report as one JSON object (the output inside it, without -o)\n"
    "  --wrong-only           list only the answers that are not as the reference\n"
    "  --report FILE.html     also an HTML page, with the customers' calls drawn\n"
    "  -h, --help             this text\n"
    "\n"
    "exit status: 0 the system behaved as the reference, 1 it did not (a wrong answer, branches\n"
    "that disagree, a call unanswered), 2 bad usage, an unusable input or proto, or branches that\n"
    "cannot be reached or started, 3 nothing wrong but some live answers undecided (--budget).\n";

enum { EXIT_UNDECIDED = 3 }; /* as bank grade's */

typedef struct {
    const char *input, *output, *cluster, *start, *service, *proto, *report;
    int course_ports, base, wire_bank, json, lines, wrong_only;
    bank_style style;
    bank_system_config run;
    bank_wire_choices choices;
    bank_tls_options tls; /* the customers' certificate for branches that serve TLS */
    const char *tls_dir;
    int argc; /* for --course-ports BASE given as its own argument */
    char **argv;
} drive_options;

static int parse_method(const char *cmd, const char *opt, const char *arg, void *target)
{
    (void)cmd, (void)opt;
    drive_options *o = target;
    const char *eq = strchr(arg, '=');
    if (!eq || !strchr(eq, '/'))
        return bank_usage_error("drive", "--method: expected INTERFACE=Service/Method, got \"%s\"", arg);
    static const char *const names[] = {"query", "deposit", "withdraw"};
    size_t k = (size_t)(eq - arg);
    int all = k == 3 && strncmp(arg, "all", 3) == 0, found = 0;
    for (int op = 0; op < 3; op++)
        if (all || (k == strlen(names[op]) && strncmp(arg, names[op], k) == 0)) {
            o->choices.method[op] = eq + 1;
            found = 1;
        }
    return found ? 0 : (bank_usage_error("drive", "--method: \"%.*s\" is not query, deposit, withdraw or all",
                                         (int)(eq - arg), arg), -1);
}

static int parse_field(const char *cmd, const char *opt, const char *arg, void *target)
{
    (void)cmd, (void)opt;
    drive_options *o = target;
    const char *eq = strchr(arg, '=');
    bank_role role;
    if (!eq || !eq[1]) return bank_usage_error("drive", "--field: expected ROLE=NAME, got \"%s\"", arg), -1;
    char name[32];
    snprintf(name, sizeof name, "%.*s", (int)(eq - arg < 31 ? eq - arg : 31), arg);
    if (bank_role_parse(name, &role) != 0)
        return bank_usage_error("drive", "--field: \"%.*s\" is not a role (id, customer, interface, money, "
                                "result or balance)", (int)(eq - arg), arg), -1;
    o->choices.field[role] = eq + 1;
    return 0;
}

/* --course-ports [BASE]: "--course-ports 50000 input.json", a number that is not the last
 * argument, is BASE too. */
static int parse_course_ports(const char *cmd, const char *opt, const char *value, void *target)
{
    drive_options *o = target;
    o->course_ports = 1;
    if (!value && optind < o->argc - 1 && isdigit((unsigned char)o->argv[optind][0]))
        value = o->argv[optind++];
    int64_t v;
    if (value && bank_arg_int(cmd, opt, value, 1, 65535, &v) != 0) return -1;
    if (value) o->base = (int)v;
    return 0;
}

static int parse_wire(const char *cmd, const char *opt, const char *value, void *target)
{
    (void)opt;
    drive_options *o = target;
    if (strcmp(value, "course") != 0 && strcmp(value, "bank") != 0)
        return bank_usage_error(cmd, "--wire: \"%s\" is not course or bank (a proto of its own: --proto FILE)",
                                value), -1;
    o->wire_bank = strcmp(value, "bank") == 0;
    return 0;
}

static int parse_options(int argc, char **argv, drive_options *o)
{
    memset(o, 0, sizeof *o);
    o->base = 50000;
    o->run.deadline_ms = 10000;
    o->argc = argc;
    o->argv = argv;
    int proto_only = 0;
    bank_opt opts[] = {
        BANK_OPT_STRING_("cluster", 0, &o->cluster),
        BANK_OPT_CALL_("course-ports", 0, parse_course_ports, o),
        BANK_OPT_STRING_("start", 0, &o->start),
        BANK_OPT_CALL_("wire", 0, parse_wire, o),
        BANK_OPT_STRING_("service", 0, &o->service),
        BANK_OPT_STRING_("proto", 0, &o->proto),
        BANK_OPT_CALL_("method", 0, parse_method, o),
        BANK_OPT_CALL_("field", 0, parse_field, o),
        BANK_OPT_SCHEDULE(&o->run.schedule),
        BANK_OPT_INT_("query-delay", 0, &o->run.query_delay_ms, 0, 3600000),
        BANK_OPT_DEADLINE(&o->run.deadline_ms),
        BANK_OPT_STRING_("output", 'o', &o->output),
        BANK_OPT_STYLE(&o->style),
        BANK_OPT_FLAG_("lines", 0, &o->lines),
        BANK_OPT_FLAG_("json", 0, &o->json),
        BANK_OPT_FLAG_("wrong-only", 0, &o->wrong_only),
        BANK_OPT_STRING_("report", 0, &o->report),
        BANK_OPT_SIZE_("budget", 0, &o->run.budget, 1, 1000000000),
        BANK_OPT_TLS(&o->tls),
        BANK_OPT_STRING_("tls-dir", 0, &o->tls_dir),
    };
    opts[1].optional = 1;
    opts[6].seen = opts[7].seen = &proto_only;
    int first;
    int rc = bank_parse_options("drive", drive_usage, opts, sizeof opts / sizeof opts[0], argc, argv, &first);
    if (rc != 0) return rc;
    int tls_files = bank_tls_options_given("drive", &o->tls);
    if (tls_files < 0) return BANK_EXIT_USAGE;
    if (tls_files && o->tls_dir)
        return bank_usage_error("drive", "--tls-dir and --tls-ca/--tls-cert/--tls-key exclude each other");
    if (first != argc - 1)
        return bank_usage_error("drive", first == argc ? "no input file given" : "one input file expected, got several");
    o->input = argv[first];
    if (o->cluster && o->course_ports)
        return bank_usage_error("drive", "--cluster and --course-ports both say where the branches are; give one");
    if (!o->cluster && !o->course_ports && !o->start)
        return bank_usage_error("drive", "where are the branches? give --cluster FILE, --course-ports [BASE] "
                                "or --start 'COMMAND'");
    if (o->proto && o->wire_bank) return bank_usage_error("drive", "--proto is a wire of its own; leave out --wire bank");
    if (o->service && (o->proto || o->wire_bank))
        return bank_usage_error("drive", "--service names the course wire's service; %s", o->proto
                                ? "with --proto the methods come from the proto (--method)" : "--wire bank has its own");
    if (proto_only && !o->proto) return bank_usage_error("drive", "--method and --field go with --proto FILE");
    if (o->run.query_delay_ms && o->run.schedule != BANK_SCHEDULE_LIVE)
        return bank_usage_error("drive", "--query-delay applies to --schedule live only");
    bank_table_kind k;
    if (o->report && (bank_table_kind_for(o->report, &k) != 0 || k != BANK_TABLE_HTML))
        return bank_usage_error("drive", "--report: \"%s\" does not end in .html", o->report);
    return 0;
}

/* The wire the options ask for; NULL with a line on standard error. */
static bank_wire *make_wire(const drive_options *o)
{
    if (!o->proto) {
        bank_wire *w = o->wire_bank ? bank_wire_bank() : bank_wire_course(o->service);
        if (!w) fputs("bank drive: out of memory\n", stderr);
        return w;
    }
    char err[1200];
    unsigned char *bytes;
    size_t len;
    bank_proto_schema schema;
    bank_wire_roles roles;
    if (bank_proto_compile(o->proto, &bytes, &len, err, sizeof err) != 0) {
        fprintf(stderr, "bank drive: --proto: %s\n", err);
        return NULL;
    }
    int rc = bank_proto_schema_load(bytes, len, o->proto, &schema, err, sizeof err);
    free(bytes);
    if (rc == 0 && bank_wire_roles_find(&schema, &o->choices, &roles, err, sizeof err) != 0) {
        bank_proto_schema_free(&schema);
        rc = -1;
    }
    if (rc != 0) {
        fprintf(stderr, "bank drive: --proto %s: %s\n", o->proto, err);
        return NULL;
    }
    fprintf(stderr, "bank drive: --proto %s: what a customer calls (say otherwise with --method and --field):\n", o->proto);
    bank_wire_roles_describe(&roles, stderr, "  ");
    bank_wire *w = bank_wire_proto(&schema, &roles);
    if (!w) fputs("bank drive: out of memory\n", stderr);
    bank_proto_schema_free(&schema);
    return w;
}

/* Every event must fit the wire's fields before anything is sent. */
static int check_events(const bank_workload *w, const bank_wire *wire, const char *input)
{
    char err[400];
    for (size_t c = 0; c < w->n_customers; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++) {
            const bank_event *ev = &w->customers[c].events[e];
            if (bank_wire_check(wire, ev->op, w->customers[c].id, ev->id, ev->money, err, sizeof err) != 0) {
                fprintf(stderr, "bank drive: %s: customer %" PRId64 " event %" PRId64 " cannot be sent over "
                        "the %s wire: %s\n", input, w->customers[c].id, ev->id, bank_wire_describe(wire), err);
                return -1;
            }
        }
    return 0;
}

/* Where each branch is: targets[i] for w->branches[i] ("" when --start picks). */
static int locate(const drive_options *o, const bank_workload *w, char (*targets)[256])
{
    for (size_t i = 0; i < w->n_branches; i++) {
        targets[i][0] = '\0';
        if (o->course_ports && o->base + w->branches[i].id > 65535) {
            fprintf(stderr, "bank drive: --course-ports %d: branch %" PRId64 " would be on port %" PRId64
                    ", past 65535\n", o->base, w->branches[i].id, o->base + w->branches[i].id);
            return -1;
        }
        if (o->course_ports) snprintf(targets[i], 256, "127.0.0.1:%" PRId64, o->base + w->branches[i].id);
    }
    if (!o->cluster) return 0;
    bank_peer_entry *entries;
    size_t n;
    char err[600];
    if (bank_peers_load(o->cluster, &entries, &n, err, sizeof err) != 0) {
        fprintf(stderr, "bank drive: %s\n", err);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < w->n_branches && rc == 0; i++) {
        size_t k = 0;
        while (k < n && entries[k].id != w->branches[i].id) k++;
        if (k < n) snprintf(targets[i], 256, "%s", entries[k].target);
        else rc = -1, fprintf(stderr, "bank drive: %s: branch %" PRId64 " of the input is not listed\n",
                              o->cluster, w->branches[i].id);
    }
    free(entries);
    return rc;
}

static int write_output(const drive_options *o, const bank_workload *w, const bank_system_run *run)
{
    if (!o->output && o->json) return 0; /* it is inside the JSON report */
    bank_workload answered;
    if (bank_system_answered(w, run, &answered) != 0) {
        fputs("bank drive: out of memory\n", stderr);
        return -1;
    }
    FILE *f = o->output ? fopen(o->output, "w") : stdout;
    int rc = f ? bank_output_write(f, &answered, &run->out, o->style, o->lines) : -1;
    free(answered.customers);
    if (o->output && f && fclose(f) != 0) rc = -1;
    if (rc != 0) fprintf(stderr, "bank drive: %s: cannot write the output\n", o->output ? o->output : "standard output");
    return rc;
}

static int report(const drive_options *o, const bank_drive_report *r)
{
    char err[600];
    int rc = o->json ? bank_drive_report_json(stdout, r) : bank_drive_report_text(stdout, r);
    if (o->report) {
        if (bank_drive_report_html(o->report, r, err, sizeof err) != 0) {
            fprintf(stderr, "bank drive: %s\n", err);
            rc = -1;
        } else {
            fprintf(stderr, "bank drive: wrote %s\n", o->report);
        }
        bank_diagram_release();
    }
    return rc;
}

int bank_cmd_drive(int argc, char **argv)
{
    drive_options o;
    int rc = parse_options(argc, argv, &o);
    if (rc != 0) return rc == BANK_PARSE_HELP ? BANK_EXIT_OK : rc;
    if (o.start) bank_start_block_signals(); /* before gRPC starts any thread */
    char err[1200];
    bank_workload w;
    if (bank_input_load(o.input, &w, err, sizeof err) != 0) {
        fprintf(stderr, "bank: %s\n", err);
        return BANK_EXIT_USAGE;
    }
    bank_tls *tls = NULL;
    if (o.tls.ca) tls = bank_tls_load(o.tls.ca, o.tls.cert, o.tls.key, BANK_TLS_CUSTOMER, err, sizeof err);
    else if (o.tls_dir) tls = bank_tls_load_dir(o.tls_dir, BANK_TLS_CUSTOMER, err, sizeof err);
    if ((o.tls.ca || o.tls_dir) && !tls) {
        fprintf(stderr, "bank drive: %s\n", err);
        bank_workload_free(&w);
        return BANK_EXIT_USAGE;
    }
    bank_wire *wire = make_wire(&o);
    char (*targets)[256] = calloc(w.n_branches, sizeof *targets);
    const char **target_list = calloc(w.n_branches, sizeof *target_list);
    bank_started *started = NULL;
    bank_branches *br = NULL;
    int status = BANK_EXIT_USAGE;
    if (!wire || !targets || !target_list || check_events(&w, wire, o.input) != 0 || locate(&o, &w, targets) != 0)
        goto done;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (o.start && !(started = bank_start_processes(&w, o.start, o.input, targets, o.run.deadline_ms, err, sizeof err))) {
        fprintf(stderr, "bank drive: --start: %s\n", err);
        goto done;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (started)
        fprintf(stderr, "bank drive: --start: %zu branch processes accept connections (%.1f s)\n", w.n_branches,
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    for (size_t i = 0; i < w.n_branches; i++) target_list[i] = targets[i];
    if (!(br = bank_branches_at(&w, target_list, tls))) {
        fputs("bank drive: out of memory\n", stderr);
        goto done;
    }
    o.run.wire = wire;
    o.run.progress = 1;
    bank_system_run run;
    if (bank_system_drive(&w, br, &o.run, &run, err, sizeof err) != 0) {
        fprintf(stderr, "bank drive: %s\n", err);
        status = BANK_EXIT_FAILED;
        goto done;
    }
    bank_stop_processes(started);
    started = NULL;
    bank_drive_report r = {o.input, &w, br, bank_wire_describe(wire), o.run.schedule, o.run.deadline_ms,
                           o.wrong_only, o.style, &run};
    if (run.setup_unreachable || run.setup_off) {
        bank_drive_report_setup(&r, err, sizeof err);
        fprintf(stderr, "bank drive: %s\n", err);
        status = run.setup_unreachable ? BANK_EXIT_USAGE : BANK_EXIT_FAILED;
    } else {
        int wrote = write_output(&o, &w, &run) == 0 && report(&o, &r) == 0;
        status = !wrote || !bank_system_behaved(&run) ? BANK_EXIT_FAILED
                 : run.answers.n_undecided            ? EXIT_UNDECIDED
                                                      : BANK_EXIT_OK;
    }
    bank_system_run_free(&run, &w);
done:
    bank_stop_processes(started);
    char ignored[64];
    bank_branches_stop(br, ignored, sizeof ignored);
    bank_wire_free(wire);
    bank_tls_free(tls);
    free(targets);
    free(target_list);
    bank_workload_free(&w);
    return status;
}
