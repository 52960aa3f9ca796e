/* bank grade: judges students' output files against an input: one file, one student's folder, or
 * a class (grade_class.c). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "commands.h"
#include "grade/archive_read.h"
#include "grade/class_choice.h"
#include "grade/grade.h"
#include "grade/grade_p3.h"
#include "grade/report.h"
#include "grade_class.h"
#include "io/input.h"
#include "io/read_file.h"
#include "io/session_student.h"
#include "io/student_output.h"
#ifndef BANK_GRADE_ONLY
#include "diagram/diagram.h"
#include "reference_diagram.h"
#endif

static const char grade_usage[] =
    "usage: bank grade --input INPUT.json [OPTIONS] OUTPUT_FILE|SUBMISSION\n"
    "       bank grade --input INPUT.json --batch DIR|ZIP [--report FILE.csv|.json|.html] [OPTIONS]\n"
    "       bank grade --input-pattern GLOB [--input INPUT.json] --batch DIR|ZIP [OPTIONS]\n"
    "\n"
    "Reads a student's output file for INPUT.json and prints a verdict for every event: ok, wrong\n"
    "value (a query's balance), wrong result (a write's success or fail), missing, extra, or wrong\n"
    "interface; then \"N/M events correct\". Given a SUBMISSION, one student's folder or archive\n"
    "(.zip, .tar, .tar.gz, .tgz), it grades the output found in it as --batch does for each one.\n"
    "\n"
    "The reader accepts the forms real submissions use: a JSON array (pretty or on one line), one\n"
    "JSON object a line, Python dict lines (single quotes, True/False/None), several arrays glued\n"
    "\"][\" (the last run is graded), log lines around the JSON, the protobuf text dump, interface\n"
    "and result in any case, the balance under \"balance\", \"money\", \"result\": {\"balance\": N} or\n"
    "in a string (\"balance: 600.0\") or as the whole response message, ints or whole floats, keys\n"
    "and customers in any order, one line per snapshot of a customer's growing list, records\n"
    "written twice, one object per event without \"recv\" (grouped by customer id), an empty array\n"
    "(every event missing), and \"pending\" as a write applied. Customers are matched by id;\n"
    "repeated ids by their order. A run of extra replies is one verdict line.\n"
    "\n"
    "how queries and writes are judged:\n"
    "  --consistent        (default) accept the answers if one legal execution gives them all: an\n"
    "                      interleaving of every customer's events, each customer's own in order,\n"
    "                      on one shared balance. If none does, the smallest set of answers whose\n"
    "                      removal leaves the rest consistent is marked wrong (of several, the\n"
    "                      earliest in the file) and every other answer ok; an answer no execution\n"
    "                      gives at all lists the balances it could have read.\n"
    "  --exact             compare with the reference run of --schedule\n"
    "  --schedule S        sequential (default) or rounds; see bank run --help\n"
    "  --budget N          --consistent: the work the searches may do, in states (default\n"
    "                      1000000; never reached on the course's inputs); past it, answers not\n"
    "                      settled are \"undecided\"\n"
    "  --max-bytes N       read at most N bytes of the output file (default 67108864, 64 MiB); a\n"
    "                      larger one is unusable, exit 2 (a class's files: 8 MiB each, G34)\n"
    "\n"
    "output:\n"
    "  --json              one JSON object (a file's verdicts with the witness, or the class's\n"
    "                      rows) instead of text\n"
    "  --witness           --consistent, one file: also print the witness, an execution that gives\n"
    "                      every answer not marked wrong, one line per event\n"
    "  --wrong-only        list only the events that are not ok\n"
    "\n"
    "a class:\n"
    "  --batch DIR|ZIP     a row per student: each subfolder of DIR is a student, each loose file\n"
    "                      one too; a ZIP is Canvas's \"Download Submissions\" zip (files grouped by\n"
    "                      Canvas's name prefix, \"late\" noted) or a zipped class folder. Archives\n"
    "                      in a submission are opened, one level. The row says the file graded,\n"
    "                      the other files that read as outputs, and why a student has 0\n"
    "  --pattern GLOB      the output is the file GLOB names (matched on its path in the\n"
    "                      submission or on its name); default: the file that reads as an output\n"
    "                      for INPUT.json, names like output* first; code, READMEs and the student's\n"
    "                      input are not outputs\n"
    "  --input-pattern GLOB  grade each student against their own input, the first file GLOB\n"
    "                      names that reads as one (--input, if given, when none does)\n"
    "  --report FILE       also write the table to FILE, as CSV, JSON or HTML by its extension\n"
    "  --diagram           with an HTML --report: add the space-time diagram of the reference\n"
    "                      run (the --schedule one; sequential by default) below the table\n"
    "  --project 2         Project 2, logical clocks: see bank grade --project 2 --help\n"
    "\n"
    "  --project 3         Project 3, client-centric consistency: events name their branch; the\n"
    "                      course's record per event, a list per customer, or final balances are\n"
    "                      read, and answers are judged by read-your-writes and monotonic writes\n"
    "                      (some execution that keeps both must give them; a wrong one names the\n"
    "                      guarantee it breaks and the customer's own write it missed). Not with\n"
    "                      --exact, --schedule, --diagram or --input-pattern.\n"
    "\n"
    "autograders (one submission: a file or a folder):\n"
    "  --gradescope FILE   also write Gradescope's results.json to FILE (tools/gradescope/)\n"
    "  --gradescope-granularity event|customer   a test per event (default) or per customer\n"
    "  --gradescope-visibility V, --gradescope-stdout-visibility V\n"
    "                      hidden, after_due_date, after_published or visible\n"
    "  --points P          the submission's points (default: one an event); N/M scales to it\n"
    "  --github            GitHub Actions: a workflow command (::error file=,line=,col=::) per\n"
    "                      event not ok, a table appended to $GITHUB_STEP_SUMMARY, and\n"
    "                      \"Points N/M\" last (action.yml)\n"
    "  -h, --help          this text\n"
    "\n"
    "exit status: 0 every event correct (in every file), 1 some event wrong or a file unusable (in\n"
    "a class or a folder: a student with no output file too), 2 bad usage or an unusable input\n"
    "(or, for one file, an unusable output file), 3 nothing wrong but some answer undecided within\n"
    "--budget. Out of memory, or a report that cannot be printed or written: 1, with one line on\n"
    "standard error.\n";

enum { EXIT_UNDECIDED = 3 };
#define BANK_GRADE_MAX_BYTES ((size_t)64 << 20)

typedef struct {
    const char *input, *batch, *report, *file;
    bank_grade_options grade;
    int json, wrong_only, diagram, witness;
    size_t max_bytes;       /* the output file read at most (G20) */
    bank_class_args cls;
    int project; /* 1, or 3 (grade_p3.h) */
} grade_options;

static int parse_visibility(const char *opt, const char *v, const char **out)
{
    if (!bank_gradescope_visibility_ok(v))
        return bank_usage_error("grade", "%s: \"%s\" is not hidden, after_due_date, after_published or visible", opt, v);
    *out = v;
    return 0;
}

/* A folder, or an archive (.zip, .tar, .tar.gz, .tgz): one student's whole submission. */
static int submission(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && (S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && bank_archive_name(path)));
}

static int parse_options(int argc, char **argv, grade_options *o)
{
    enum { OPT_INPUT = 256, OPT_EXACT, OPT_CONSISTENT, OPT_SCHEDULE, OPT_BUDGET, OPT_JSON,
           OPT_WRONG_ONLY, OPT_BATCH, OPT_REPORT, OPT_DIAGRAM, OPT_PATTERN, OPT_INPUT_PATTERN,
           OPT_GRADESCOPE, OPT_GS_GRANULARITY, OPT_GS_VISIBILITY, OPT_GS_STDOUT, OPT_POINTS, OPT_GITHUB,
           OPT_PROJECT, OPT_WITNESS, OPT_MAX_BYTES };
    static const struct option longs[] = {
        {"input", required_argument, 0, OPT_INPUT},       {"exact", no_argument, 0, OPT_EXACT},
        {"consistent", no_argument, 0, OPT_CONSISTENT},   {"schedule", required_argument, 0, OPT_SCHEDULE},
        {"budget", required_argument, 0, OPT_BUDGET},     {"json", no_argument, 0, OPT_JSON},
        {"wrong-only", no_argument, 0, OPT_WRONG_ONLY},   {"batch", required_argument, 0, OPT_BATCH},
        {"report", required_argument, 0, OPT_REPORT},     {"diagram", no_argument, 0, OPT_DIAGRAM},
        {"pattern", required_argument, 0, OPT_PATTERN},   {"input-pattern", required_argument, 0, OPT_INPUT_PATTERN},
        {"gradescope", required_argument, 0, OPT_GRADESCOPE},
        {"gradescope-granularity", required_argument, 0, OPT_GS_GRANULARITY},
        {"gradescope-visibility", required_argument, 0, OPT_GS_VISIBILITY},
        {"gradescope-stdout-visibility", required_argument, 0, OPT_GS_STDOUT},
        {"points", required_argument, 0, OPT_POINTS},     {"github", no_argument, 0, OPT_GITHUB},
        {"project", required_argument, 0, OPT_PROJECT}, /* 3 (bank_grade_project took out 1, sent 2 on) */
        {"witness", no_argument, 0, OPT_WITNESS},       {"max-bytes", required_argument, 0, OPT_MAX_BYTES},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->project = 1;
    o->max_bytes = BANK_GRADE_MAX_BYTES;
    o->grade.mode = BANK_GRADE_CONSISTENT;
    o->grade.schedule = BANK_SCHEDULE_SEQUENTIAL;
    int schedule_given = 0, gradescope_shaped = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        int64_t v;
        switch (c) {
        case OPT_INPUT: o->input = optarg; break;
        case OPT_EXACT: o->grade.mode = BANK_GRADE_EXACT; break;
        case OPT_CONSISTENT: o->grade.mode = BANK_GRADE_CONSISTENT; break;
        case OPT_SCHEDULE:
            if (bank_schedule_parse(optarg, &o->grade.schedule) != 0 ||
                o->grade.schedule == BANK_SCHEDULE_LIVE)
                return bank_usage_error("grade", "--schedule: \"%s\" is not sequential or rounds", optarg);
            schedule_given = 1;
            break;
        case OPT_BUDGET:
            if (bank_arg_int("grade", "--budget", optarg, 1, 1000000000, &v) != 0) return BANK_EXIT_USAGE;
            o->grade.budget = (size_t)v;
            break;
        case OPT_JSON: o->json = 1; break;
        case OPT_WRONG_ONLY: o->wrong_only = 1; break;
        case OPT_BATCH: o->batch = optarg; break;
        case OPT_REPORT: o->report = optarg; break;
        case OPT_DIAGRAM: o->diagram = 1; break;
        case OPT_WITNESS: o->witness = 1; break;
        case OPT_MAX_BYTES:
            if (bank_arg_int("grade", "--max-bytes", optarg, 1, (int64_t)1 << 40, &v) != 0) return BANK_EXIT_USAGE;
            o->max_bytes = (size_t)v;
            break;
        case OPT_PATTERN: o->cls.pattern = optarg; break;
        case OPT_INPUT_PATTERN: o->cls.input_pattern = optarg; break;
        case OPT_GRADESCOPE: o->cls.out.gradescope = optarg; break;
        case OPT_GS_GRANULARITY:
            gradescope_shaped = 1;
            if (strcmp(optarg, "event") == 0) o->cls.out.gs.granularity = BANK_GS_PER_EVENT;
            else if (strcmp(optarg, "customer") == 0) o->cls.out.gs.granularity = BANK_GS_PER_CUSTOMER;
            else return bank_usage_error("grade", "--gradescope-granularity: \"%s\" is not event or customer", optarg);
            break;
        case OPT_GS_VISIBILITY:
            gradescope_shaped = 1;
            if (parse_visibility("--gradescope-visibility", optarg, &o->cls.out.gs.visibility) != 0) return BANK_EXIT_USAGE;
            break;
        case OPT_GS_STDOUT:
            gradescope_shaped = 1;
            if (parse_visibility("--gradescope-stdout-visibility", optarg, &o->cls.out.gs.stdout_visibility) != 0)
                return BANK_EXIT_USAGE;
            break;
        case OPT_POINTS:
            if (bank_arg_int("grade", "--points", optarg, 1, 1000000, &v) != 0) return BANK_EXIT_USAGE;
            o->cls.out.gs.points = (double)v;
            break;
        case OPT_GITHUB: o->cls.out.github = 1; break;
        case OPT_PROJECT: o->project = 3; break;
        case 'h': fputs(grade_usage, stdout); return -1;
        case ':': return bank_usage_error("grade", "%s needs a value", argv[optind - 1]);
        default: return bank_usage_error("grade", "unknown option %s", argv[optind - 1]);
        }
    }
    if (!o->input && !o->cls.input_pattern)
        return bank_usage_error("grade", "--input INPUT.json is required (or --input-pattern GLOB)");
    if (o->batch && optind != argc)
        return bank_usage_error("grade", "--batch DIR grades a folder; leave out \"%s\"", argv[optind]);
    if (!o->batch) {
        if (optind + 1 != argc)
            return bank_usage_error("grade", optind == argc ? "which output file? (or --batch DIR)"
                                                            : "one output file at a time (or --batch DIR)");
        o->file = argv[optind];
    }
    int folder = o->file && submission(o->file);
    if ((o->cls.pattern || o->cls.input_pattern) && !o->batch && !folder)
        return bank_usage_error("grade", "--pattern and --input-pattern choose among a submission's files: "
                                         "give a folder, an archive or --batch");
    if ((o->cls.out.gradescope || o->cls.out.github) && o->batch)
        return bank_usage_error("grade", "--gradescope and --github grade one submission; leave out --batch");
    if (gradescope_shaped && !o->cls.out.gradescope)
        return bank_usage_error("grade", "--gradescope-* options shape --gradescope FILE; add it");
    if (o->cls.out.gs.points && !o->cls.out.gradescope && !o->cls.out.github)
        return bank_usage_error("grade", "--points scales --gradescope and --github; add one");
    if (o->witness && (o->grade.mode != BANK_GRADE_CONSISTENT || o->batch || folder || o->project != 1))
        return bank_usage_error("grade", "--witness shows --consistent's execution for one output file; "
                                         "drop --exact, --batch or --project");
    if (schedule_given && o->grade.mode != BANK_GRADE_EXACT)
        return bank_usage_error("grade", "--schedule chooses the reference run of --exact; add --exact");
    bank_table_kind k = BANK_TABLE_TEXT;
    if (o->report && bank_table_kind_for(o->report, &k) != 0)
        return bank_usage_error("grade", "--report: \"%s\" does not end in .csv, .json, .html or .txt", o->report);
    if (o->project == 3 && (o->grade.mode == BANK_GRADE_EXACT || o->diagram || o->cls.input_pattern))
        return bank_usage_error("grade", "--exact, --schedule, --diagram and --input-pattern are Project 1's; "
                                         "--project 3 judges by the session rules against --input");
    if (o->diagram && (!o->report || k != BANK_TABLE_HTML))
        return bank_usage_error("grade", "--diagram goes into an HTML report: add --report FILE.html");
    if (o->diagram && !o->input) return bank_usage_error("grade", "--diagram draws the run of --input; add it");
#ifdef BANK_GRADE_ONLY
    if (o->diagram) return bank_usage_error("grade", "--diagram: this bank is the grade-only build (no diagrams)");
#endif
    o->cls.report = o->report;
    o->cls.json = o->json;
    o->cls.wrong_only = o->wrong_only;
    return 0;
}

/* Reads and grades one file; on an unreadable file, *error says why (and no report). -1 when out
 * of memory, g->error saying so. */
typedef struct {
    char *path;
    char error[600];
    bank_student_output so;
    bank_session_output p3; /* --project 3 */
    bank_grade_report report;
    bank_graded_file view;
} graded;

static int grade_file(const bank_workload *w, const grade_options *o, graded *g)
{
    const bank_grade_options *opt = &o->grade;
    char *data;
    size_t len;
    g->view.path = g->path;
    errno = 0;
    if (bank_read_file_max(g->path, o->max_bytes, &data, &len, g->error, sizeof g->error) != 0) {
        if (bank_reader_out_of_memory(g->error)) return -1; /* not the file's fault */
        g->view.error = g->error;
        return 0;
    }
    int p3 = o->project == 3;
    errno = 0;
    int unreadable = p3 ? bank_session_output_parse(data, len, g->path, &g->p3, g->error, sizeof g->error)
                        : bank_student_output_parse(data, len, g->path, &g->so, g->error, sizeof g->error);
    free(data);
    if (unreadable) {
        if (bank_reader_out_of_memory(g->error)) return -1;
        g->view.error = g->error;
        return 0;
    }
    if (p3 ? bank_grade_p3(w, o->cls.routes, &g->p3, opt->budget, &g->report, g->error, sizeof g->error)
           : bank_grade(w, &g->so, opt, &g->report, g->error, sizeof g->error))
        return -1;
    g->view.format = p3 ? g->p3.format : g->so.format;
    g->view.report = &g->report;
    return 0;
}

static void graded_free(graded *g)
{
    bank_student_output_free(&g->so);
    bank_session_output_free(&g->p3);
    if (g->view.report) bank_grade_report_free(&g->report);
    free(g->path);
}

static int status_of(const graded *g, size_t n)
{
    int undecided = 0;
    for (size_t i = 0; i < n; i++) {
        if (g[i].view.error || g[i].report.n_wrong || g[i].report.n_correct < g[i].report.n_events -
                                                                                  g[i].report.n_undecided)
            return BANK_EXIT_FAILED;
        undecided |= g[i].report.n_undecided > 0;
    }
    return undecided ? EXIT_UNDECIDED : BANK_EXIT_OK;
}

int bank_cmd_grade(int argc, char **argv)
{
    int project = bank_grade_project(&argc, argv); /* --project 3 stays for parse_options */
    if (project == 2) return bank_cmd_grade_p2(argc, argv);
    if (project < 0) return BANK_EXIT_USAGE;
    grade_options o;
    int rc = parse_options(argc, argv, &o);
    if (rc != 0) return rc < 0 ? BANK_EXIT_OK : rc;
    bank_workload w = {0};
    bank_routes routes = {0, NULL};
    char err[600];
    errno = 0;
    if (o.input && (o.project == 3 ? bank_input_load_routed(o.input, &w, &routes, err, sizeof err)
                                   : bank_input_load(o.input, &w, err, sizeof err)) != 0) {
        fprintf(stderr, "bank grade: %s\n", err);
        return bank_reader_out_of_memory(err) ? BANK_EXIT_FAILED : BANK_EXIT_USAGE; /* not the input's fault */
    }
    if (o.project == 3) o.cls.routes = &routes;
    char mode[64];
    if (o.project == 3)
        snprintf(mode, sizeof mode, "session guarantees (read-your-writes, monotonic writes)");
    else if (o.grade.mode == BANK_GRADE_EXACT)
        snprintf(mode, sizeof mode, "exact (%s schedule)", bank_schedule_name(o.grade.schedule));
    else
        snprintf(mode, sizeof mode, "consistent (some legal execution)");
    bank_report_context ctx = {.input = o.input ? o.input : "each student's own input", .mode = mode,
                               .all_verdicts = !o.wrong_only};
    char *svg = NULL;
#ifndef BANK_GRADE_ONLY
    if (o.diagram && bank_reference_diagram_svg(&w, o.grade.schedule, &svg, err, sizeof err) != 0) {
        fprintf(stderr, "bank grade: --diagram: %s\n", err);
        bank_workload_free(&w);
        return BANK_EXIT_FAILED;
    }
#endif
    ctx.diagram_svg = svg;
    o.cls.grade = &o.grade;
    const bank_workload *course = o.input ? &w : NULL;
    int status;
    if (o.batch) {
        status = bank_grade_batch(o.batch, &o.cls, course, &ctx);
    } else if (submission(o.file)) {
        status = bank_grade_folder(o.file, &o.cls, course, &ctx);
    } else {
        ctx.workload = &w;
        ctx.witness = o.witness;
        graded g = {0};
        g.path = strdup(o.file);
        if (!g.path || grade_file(&w, &o, &g) != 0) {
            fprintf(stderr, "bank grade: %s\n", g.path ? g.error : "out of memory");
            status = BANK_EXIT_FAILED;
        } else if (g.view.error) {
            fprintf(stderr, "bank grade: %s\n", g.error);
            status = BANK_EXIT_USAGE;
            if (o.json && bank_grade_printed(bank_report_json(stdout, &ctx, &g.view)) != BANK_EXIT_OK) {
                status = BANK_EXIT_FAILED; /* nothing published for a report that was not printed */
            } else {
                g.view.n_events = bank_workload_event_count(&w);
                if (bank_grade_publish(&o.cls.out, &w, &ctx, &g.view) != BANK_EXIT_OK) status = BANK_EXIT_FAILED;
            }
        } else if (bank_grade_printed(o.json ? bank_report_json(stdout, &ctx, &g.view)
                                             : bank_report_text(stdout, &ctx, &g.view)) != BANK_EXIT_OK) {
            status = BANK_EXIT_FAILED;
        } else {
            status = status_of(&g, 1);
            if (o.report && bank_grade_write_report(o.report, &ctx, &g.view, 1) != BANK_EXIT_OK) {
                status = BANK_EXIT_FAILED; /* nothing published for a report that was not written */
            } else if (bank_grade_publish(&o.cls.out, &w, &ctx, &g.view) != BANK_EXIT_OK) {
                status = BANK_EXIT_FAILED;
                if (o.report) remove(o.report); /* a failed run leaves neither file (G14) */
            }
        }
        graded_free(&g);
    }
    free(svg);
#ifndef BANK_GRADE_ONLY
    if (o.diagram) bank_diagram_release();
#endif
    bank_routes_free(&routes);
    bank_workload_free(&w);
    return status;
}
