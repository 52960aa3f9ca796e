/* bank grade: judges students' output files against an input, one file or a folder of them. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "diagram/diagram.h"
#include "grade/grade.h"
#include "grade/report.h"
#include "io/input.h"
#include "io/read_file.h"
#include "io/student_output.h"
#include "reference_diagram.h"

static const char grade_usage[] =
    "usage: bank grade --input INPUT.json [OPTIONS] OUTPUT_FILE\n"
    "       bank grade --input INPUT.json --batch DIR [--report FILE.csv|.json|.html] [OPTIONS]\n"
    "\n"
    "Reads a student's output file for INPUT.json and prints a verdict for every event: ok, wrong\n"
    "value (a query's balance), wrong result (a write's success or fail), missing, extra, or wrong\n"
    "interface; then \"N/M events correct\".\n"
    "\n"
    "The reader accepts the forms real submissions use: a JSON array (pretty or on one line), one\n"
    "JSON object a line, Python dict lines (single quotes, True/False/None), several arrays glued\n"
    "\"][\" (the last run is graded), log lines around the JSON, the protobuf text dump, interface\n"
    "and result in any case, the balance under \"balance\", \"money\", \"result\": {\"balance\": N} or\n"
    "in a string (\"balance: 600.0\"), ints or whole floats, keys and customers in any order, and one\n"
    "line per snapshot of a customer's growing list. Customers are matched by id; repeated ids by\n"
    "their order.\n"
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
    "\n"
    "output:\n"
    "  --json              one JSON object per file instead of text (with the witness)\n"
    "  --witness           --consistent: also print the witness, an execution that gives every\n"
    "                      answer not marked wrong, one line per event\n"
    "  --wrong-only        list only the events that are not ok\n"
    "  --batch DIR         grade every file in DIR (and in its subfolders, one level down); print a\n"
    "                      table: file, score, first wrong event, format\n"
    "  --report FILE       also write the table to FILE, as CSV, JSON or HTML by its extension\n"
    "  --diagram           with an HTML --report: add the space-time diagram of the reference\n"
    "                      run (the --schedule one; sequential by default) below the table\n"
    "  -h, --help          this text\n"
    "\n"
    "exit status: 0 every event correct (in every file), 1 some event wrong or a file unusable,\n"
    "2 bad usage or an unusable input (or, for one file, an unusable output file), 3 nothing\n"
    "wrong but some answer undecided within --budget.\n";

enum { EXIT_UNDECIDED = 3 };

typedef struct {
    const char *input, *batch, *report, *file;
    bank_grade_options grade;
    int json, wrong_only, diagram, witness;
} grade_options;

static int parse_options(int argc, char **argv, grade_options *o)
{
    enum { OPT_INPUT = 256, OPT_EXACT, OPT_CONSISTENT, OPT_SCHEDULE, OPT_BUDGET, OPT_JSON,
           OPT_WRONG_ONLY, OPT_BATCH, OPT_REPORT, OPT_DIAGRAM, OPT_WITNESS };
    static const struct option longs[] = {
        {"input", required_argument, 0, OPT_INPUT},       {"exact", no_argument, 0, OPT_EXACT},
        {"consistent", no_argument, 0, OPT_CONSISTENT},   {"schedule", required_argument, 0, OPT_SCHEDULE},
        {"budget", required_argument, 0, OPT_BUDGET},     {"json", no_argument, 0, OPT_JSON},
        {"wrong-only", no_argument, 0, OPT_WRONG_ONLY},   {"batch", required_argument, 0, OPT_BATCH},
        {"report", required_argument, 0, OPT_REPORT},     {"diagram", no_argument, 0, OPT_DIAGRAM},
        {"witness", no_argument, 0, OPT_WITNESS},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->grade.mode = BANK_GRADE_CONSISTENT;
    o->grade.schedule = BANK_SCHEDULE_SEQUENTIAL;
    int schedule_given = 0, c;
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
        case 'h': fputs(grade_usage, stdout); return -1;
        case ':': return bank_usage_error("grade", "%s needs a value", argv[optind - 1]);
        default: return bank_usage_error("grade", "unknown option %s", argv[optind - 1]);
        }
    }
    if (!o->input) return bank_usage_error("grade", "--input INPUT.json is required");
    if (o->batch && optind != argc)
        return bank_usage_error("grade", "--batch DIR grades a folder; leave out \"%s\"", argv[optind]);
    if (!o->batch) {
        if (optind + 1 != argc)
            return bank_usage_error("grade", optind == argc ? "which output file? (or --batch DIR)"
                                                            : "one output file at a time (or --batch DIR)");
        o->file = argv[optind];
    }
    if (o->witness && (o->grade.mode != BANK_GRADE_CONSISTENT || o->batch))
        return bank_usage_error("grade", "--witness shows --consistent's execution for one file; drop --exact or --batch");
    if (schedule_given && o->grade.mode != BANK_GRADE_EXACT)
        return bank_usage_error("grade", "--schedule chooses the reference run of --exact; add --exact");
    bank_table_kind k = BANK_TABLE_TEXT;
    if (o->report && bank_table_kind_for(o->report, &k) != 0)
        return bank_usage_error("grade", "--report: \"%s\" does not end in .csv, .json, .html or .txt", o->report);
    if (o->diagram && (!o->report || k != BANK_TABLE_HTML))
        return bank_usage_error("grade", "--diagram goes into an HTML report: add --report FILE.html");
    return 0;
}

/* Reads and grades one file; on an unreadable file, *error says why (and no report). */
typedef struct {
    char *path;
    char error[600];
    bank_student_output so;
    bank_grade_report report;
    bank_graded_file view;
} graded;

static int grade_file(const bank_workload *w, const bank_grade_options *opt, graded *g)
{
    char *data;
    size_t len;
    g->view.path = g->path;
    if (bank_read_file(g->path, &data, &len, g->error, sizeof g->error) != 0) {
        g->view.error = g->error;
        return 0;
    }
    int unreadable = bank_student_output_parse(data, len, g->path, &g->so, g->error, sizeof g->error);
    free(data);
    if (unreadable) {
        g->view.error = g->error;
        return 0;
    }
    if (bank_grade(w, &g->so, opt, &g->report, g->error, sizeof g->error) != 0) return -1;
    g->view.format = g->so.format;
    g->view.report = &g->report;
    return 0;
}

static void graded_free(graded *g)
{
    bank_student_output_free(&g->so);
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

static int cmp_path(const void *a, const void *b)
{
    return strcmp(((const graded *)a)->path, ((const graded *)b)->path);
}

static int add_path(graded **files, size_t *n, size_t *cap, const char *dir, const char *name)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        graded *nf = realloc(*files, ncap * sizeof *nf);
        if (!nf) return -1;
        *files = nf;
        *cap = ncap;
    }
    graded *g = &(*files)[*n];
    memset(g, 0, sizeof *g);
    size_t len = strlen(dir) + strlen(name) + 2;
    if (!(g->path = malloc(len))) return -1;
    snprintf(g->path, len, "%s/%s", dir, name);
    (*n)++;
    return 0;
}

/* Regular files of dir and of its subfolders (one level), hidden ones left out. */
static int list_folder(const char *dir, int depth, graded **files, size_t *n, size_t *cap, char *err,
                       size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot open the folder: %m", dir);
        return -1;
    }
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0) continue;
        if (S_ISREG(st.st_mode)) rc = add_path(files, n, cap, dir, de->d_name);
        else if (S_ISDIR(st.st_mode) && depth == 0) rc = list_folder(path, 1, files, n, cap, err, errlen);
        if (rc != 0 && !err[0]) snprintf(err, errlen, "out of memory listing %s", dir);
    }
    closedir(d);
    return rc;
}

static int grade_batch(const grade_options *o, const bank_workload *w, const bank_report_context *ctx)
{
    graded *files = NULL;
    size_t n = 0, cap = 0;
    char err[600] = "";
    if (list_folder(o->batch, 0, &files, &n, &cap, err, sizeof err) != 0) {
        fprintf(stderr, "bank grade: %s\n", err);
        for (size_t i = 0; i < n; i++) free(files[i].path);
        free(files);
        return BANK_EXIT_USAGE;
    }
    if (n) qsort(files, n, sizeof *files, cmp_path);
    int tty = isatty(STDERR_FILENO), status = BANK_EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        if (grade_file(w, &o->grade, &files[i]) != 0) {
            fprintf(stderr, "bank grade: %s: %s\n", files[i].path, files[i].error);
            status = BANK_EXIT_FAILED;
            n = i + 1;
            break;
        }
        if (tty) fprintf(stderr, "\rgraded %zu/%zu", i + 1, n);
    }
    if (tty && n) fputc('\n', stderr);
    bank_graded_file *views = malloc((n ? n : 1) * sizeof *views);
    if (!views) {
        fputs("bank grade: out of memory\n", stderr);
        status = BANK_EXIT_FAILED;
    } else {
        for (size_t i = 0; i < n; i++) views[i] = files[i].view;
        if (o->json) bank_report_table(stdout, BANK_TABLE_JSON, ctx, views, n);
        else bank_report_table(stdout, BANK_TABLE_TEXT, ctx, views, n);
        if (o->report) {
            bank_table_kind kind;
            bank_table_kind_for(o->report, &kind);
            FILE *f = fopen(o->report, "w");
            if (!f || bank_report_table(f, kind, ctx, views, n) != 0 || fclose(f) != 0) {
                fprintf(stderr, "bank grade: --report %s: cannot write: %m\n", o->report);
                status = BANK_EXIT_FAILED;
            } else {
                fprintf(stderr, "bank grade: wrote %s\n", o->report);
            }
        }
        size_t perfect = 0;
        for (size_t i = 0; i < n; i++)
            perfect += !files[i].view.error && files[i].report.n_correct == files[i].report.n_events &&
                       !files[i].report.n_wrong;
        fprintf(stderr, "bank grade: %zu files, %zu with every event correct\n", n, perfect);
        if (status == BANK_EXIT_OK) status = status_of(files, n);
        if (n == 0) {
            fprintf(stderr, "bank grade: %s holds no file to grade\n", o->batch);
            status = BANK_EXIT_USAGE;
        }
    }
    free(views);
    for (size_t i = 0; i < n; i++) graded_free(&files[i]);
    free(files);
    return status;
}

int bank_cmd_grade(int argc, char **argv)
{
    grade_options o;
    int rc = parse_options(argc, argv, &o);
    if (rc != 0) return rc < 0 ? BANK_EXIT_OK : rc;
    bank_workload w;
    char err[600];
    if (bank_input_load(o.input, &w, err, sizeof err) != 0) {
        fprintf(stderr, "bank grade: %s\n", err);
        return BANK_EXIT_USAGE;
    }
    char mode[64];
    if (o.grade.mode == BANK_GRADE_EXACT)
        snprintf(mode, sizeof mode, "exact (%s schedule)", bank_schedule_name(o.grade.schedule));
    else
        snprintf(mode, sizeof mode, "consistent (some legal execution)");
    bank_report_context ctx = {o.input, mode, !o.wrong_only, NULL, NULL, 0};
    char *svg = NULL;
    if (o.diagram && bank_reference_diagram_svg(&w, o.grade.schedule, &svg, err, sizeof err) != 0) {
        fprintf(stderr, "bank grade: --diagram: %s\n", err);
        bank_workload_free(&w);
        return BANK_EXIT_FAILED;
    }
    ctx.diagram_svg = svg;
    int status;
    if (o.batch) {
        status = grade_batch(&o, &w, &ctx);
    } else {
        ctx.workload = &w;
        ctx.witness = o.witness;
        graded g = {0};
        g.path = strdup(o.file);
        if (!g.path || grade_file(&w, &o.grade, &g) != 0) {
            fprintf(stderr, "bank grade: %s\n", g.path ? g.error : "out of memory");
            status = BANK_EXIT_FAILED;
        } else if (g.view.error) {
            fprintf(stderr, "bank grade: %s\n", g.error);
            if (o.json) bank_report_json(stdout, &ctx, &g.view);
            status = BANK_EXIT_USAGE;
        } else {
            if (o.json) bank_report_json(stdout, &ctx, &g.view);
            else bank_report_text(stdout, &ctx, &g.view);
            status = status_of(&g, 1);
            if (o.report) {
                bank_table_kind kind;
                bank_table_kind_for(o.report, &kind);
                FILE *f = fopen(o.report, "w");
                if (!f || bank_report_table(f, kind, &ctx, &g.view, 1) != 0 || fclose(f) != 0) {
                    fprintf(stderr, "bank grade: --report %s: cannot write: %m\n", o.report);
                    status = BANK_EXIT_FAILED;
                }
            }
        }
        graded_free(&g);
    }
    free(svg);
    if (o.diagram) bank_diagram_release();
    bank_workload_free(&w);
    return status;
}
