/* bank grade --project 2: judges students' Project 2 outputs (the logical clocks) against an
 * input, one submission (one or several files) or a folder of them (spec L8-L14). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "grade/class_choice.h"
#include "grade/grade_p2.h"
#include "grade/report.h"
#include "grade_class.h"
#include "io/input.h"
#include "io/read_file.h"

static const char usage[] =
    "usage: bank grade --project 2 --input INPUT.json [OPTIONS] FILE...\n"
    "       bank grade --project 2 --input INPUT.json --batch DIR [--report FILE] [OPTIONS]\n"
    "\n"
    "Project 2, logical clocks. Reads one student's output, the course's three parts (per\n"
    "customer, per branch, every event) in separate FILEs or in one (comment headers between\n"
    "them are fine), or the old {\"pid\", \"data\": [{\"id\", \"name\", \"clock\"}]} form, and gives\n"
    "every event the input requires a verdict, in each part given: ok, missing, extra, clock\n"
    "order (names both events: a receive not after its send, or a process's clocks not\n"
    "increasing), and with --strict wrong clock; then \"N/M events correct\". The customer and\n"
    "branch parts are judged together, the all-events part on its own.\n"
    "\n"
    "The reader takes JSON (pretty, one line, one object a line), Python literals, keys in any\n"
    "order, propagate_/propogate_/deposit_propagate, event_sent/Event_sent/event sent,\n"
    "event_recv from/by branch or bank, the old form's request/execute/response names with\n"
    "propagate, propogate or broadcast, and the protobuf dump's clock_events blocks.\n"
    "\n"
    "  --strict            also check every clock against the tick rule (spec L2): a send is\n"
    "                      the process's previous clock + 1, a receive max(previous, sent) + 1.\n"
    "                      Without it, any clocks consistent with happens-before pass.\n"
    "  --json              one JSON object per submission instead of text\n"
    "  --wrong-only        list only the events that are not ok\n"
    "  --batch DIR         grade every submission in DIR: each regular file is one, and each\n"
    "                      subfolder is one (all its files together); print a table\n"
    "  --report FILE       also write the table to FILE, as CSV, JSON, HTML or text by its\n"
    "                      extension\n"
    "  -h, --help          this text\n"
    "\n"
    "exit status: 0 every event correct (in every submission), 1 some event wrong or (with\n"
    "--batch) a submission unusable, 2 bad usage, an unusable input, or (one submission) an\n"
    "unusable file. Out of memory, or a report that cannot be printed: 1, with one line on standard\n"
    "error.\n";

enum { MAX_FILE_BYTES = 64 << 20 }; /* a student's file is untrusted: bounded */

typedef struct {
    char *name;           /* what the report calls it: the file, or "a + b + c", or the folder */
    char **paths;
    size_t n_paths;
    char error[700];
    bank_p2_student st;
    bank_grade_report report;
    bank_graded_file view;
} submission;

/* Reads and grades s's files; on an unreadable one, s->error says why (and no report). -1 when
 * out of memory. */
static int read_submission(const bank_workload *w, const bank_p2_grade_options *opt, submission *s)
{
    s->view.path = s->name;
    for (size_t i = 0; i < s->n_paths; i++) {
        struct stat st;
        char *data;
        size_t len;
        if (stat(s->paths[i], &st) == 0 && st.st_size > MAX_FILE_BYTES) {
            snprintf(s->error, sizeof s->error, "%s: larger than %d MB", s->paths[i], MAX_FILE_BYTES >> 20);
            s->view.error = s->error;
            return 0;
        }
        errno = 0;
        if (bank_read_file(s->paths[i], &data, &len, s->error, sizeof s->error) != 0) {
            if (bank_reader_out_of_memory(s->error)) return -1; /* not the file's fault */
            s->view.error = s->error;
            return 0;
        }
        errno = 0;
        int bad = bank_p2_student_parse(data, len, s->paths[i], &s->st, s->error, sizeof s->error);
        free(data);
        if (bad) {
            if (bank_reader_out_of_memory(s->error)) return -1;
            s->view.error = s->error;
            return 0;
        }
    }
    if (bank_grade_p2(w, &s->st, opt, &s->report, s->error, sizeof s->error) != 0) return -1;
    s->view.format = s->st.format;
    s->view.report = &s->report;
    return 0;
}

static void submission_free(submission *s)
{
    bank_p2_student_free(&s->st);
    if (s->view.report) bank_grade_report_free(&s->report);
    for (size_t i = 0; i < s->n_paths; i++) free(s->paths[i]);
    free(s->paths);
    free(s->name);
}

/* Out of memory: the -2 of add_path, add_folder and list_batch (-1: a folder cannot be read). */
enum { OUT_OF_MEMORY = -2 };

static int add_path(submission *s, const char *dir, const char *name)
{
    char **grown = realloc(s->paths, (s->n_paths + 1) * sizeof *grown);
    if (!grown) return OUT_OF_MEMORY;
    s->paths = grown;
    size_t n = (dir ? strlen(dir) + 1 : 0) + strlen(name) + 1;
    if (!(s->paths[s->n_paths] = malloc(n))) return OUT_OF_MEMORY;
    snprintf(s->paths[s->n_paths++], n, "%s%s%s", dir ? dir : "", dir ? "/" : "", name);
    return 0;
}

static int cmp_text(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The regular files of dir, not hidden, sorted, into s. */
static int add_folder(submission *s, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (de->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) rc = add_path(s, dir, de->d_name);
    }
    closedir(d);
    if (rc == 0 && s->n_paths) qsort(s->paths, s->n_paths, sizeof *s->paths, cmp_text);
    return rc;
}

static int status_of(const submission *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i].view.error || s[i].report.n_wrong || s[i].report.n_correct < s[i].report.n_events)
            return BANK_EXIT_FAILED;
    return BANK_EXIT_OK;
}

static int cmp_submission(const void *a, const void *b)
{
    return strcmp(((const submission *)a)->name, ((const submission *)b)->name);
}

/* Each regular file of dir, and each subfolder, one submission. */
static int list_batch(const char *dir, submission **out, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    struct dirent *de;
    int rc = 0;
    size_t cap = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (de->d_name[0] == '.' || stat(path, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 32;
            submission *grown = realloc(*out, cap * sizeof *grown);
            if (!grown) {
                rc = OUT_OF_MEMORY;
                break;
            }
            *out = grown;
        }
        submission *s = &(*out)[(*n)++];
        memset(s, 0, sizeof *s);
        if (!(s->name = strdup(path))) rc = OUT_OF_MEMORY;
        else rc = S_ISDIR(st.st_mode) ? add_folder(s, path) : add_path(s, NULL, path);
    }
    closedir(d);
    if (rc == 0 && *n) qsort(*out, *n, sizeof **out, cmp_submission);
    return rc;
}

static int grade_batch(const char *dir, const char *report, int json, const bank_workload *w,
                       const bank_p2_grade_options *opt, const bank_report_context *ctx)
{
    submission *subs = NULL;
    size_t n = 0;
    int status = BANK_EXIT_OK;
    int listed = list_batch(dir, &subs, &n);
    if (listed == OUT_OF_MEMORY) {
        fprintf(stderr, "bank grade: %s: out of memory\n", dir);
        status = BANK_EXIT_FAILED;
    } else if (listed != 0) {
        fprintf(stderr, "bank grade: %s: cannot read the folder: %m\n", dir);
        status = BANK_EXIT_USAGE;
    } else if (n == 0) {
        fprintf(stderr, "bank grade: %s holds no file to grade\n", dir);
        status = BANK_EXIT_USAGE;
    }
    bank_graded_file *views = malloc((n ? n : 1) * sizeof *views);
    int tty = isatty(STDERR_FILENO);
    for (size_t i = 0; status == BANK_EXIT_OK && i < n; i++) {
        if (subs[i].n_paths == 0) {
            snprintf(subs[i].error, sizeof subs[i].error, "%s: an empty folder", subs[i].name);
            subs[i].view = (bank_graded_file){.path = subs[i].name, .error = subs[i].error};
        } else if (!views || read_submission(w, opt, &subs[i]) != 0) {
            fprintf(stderr, "bank grade: %s: out of memory\n", subs[i].name);
            status = BANK_EXIT_FAILED;
            break;
        }
        views[i] = subs[i].view;
        if (tty) fprintf(stderr, "\rgraded %zu/%zu", i + 1, n);
    }
    if (tty && n) fputc('\n', stderr);
    if (status == BANK_EXIT_OK) /* no --report for a table that was not printed */
        status = bank_grade_printed(
            bank_report_table(stdout, json ? BANK_TABLE_JSON : BANK_TABLE_TEXT, ctx, views, n));
    if (status == BANK_EXIT_OK) {
        if (report && bank_grade_write_batch_report(report, ctx, views, n) != BANK_EXIT_OK) status = BANK_EXIT_FAILED;
        size_t perfect = 0;
        for (size_t i = 0; i < n; i++)
            perfect += !subs[i].view.error && !subs[i].report.n_wrong && subs[i].report.n_correct == subs[i].report.n_events;
        fprintf(stderr, "bank grade: %zu submissions, %zu with every event correct\n", n, perfect);
        if (status == BANK_EXIT_OK) status = status_of(subs, n);
    }
    for (size_t i = 0; i < n; i++) submission_free(&subs[i]);
    free(subs);
    free(views);
    return status;
}

int bank_grade_project(int *argc, char **argv)
{
    for (int i = 1; i < *argc; i++) {
        const char *value = NULL;
        int taken = 1;
        if (strcmp(argv[i], "--") == 0) break;
        if (strncmp(argv[i], "--project=", 10) == 0) value = argv[i] + 10;
        else if (strcmp(argv[i], "--project") == 0 && i + 1 < *argc) value = argv[i + 1], taken = 2;
        else if (strcmp(argv[i], "--project") == 0) return bank_usage_error("grade", "--project needs a value"), -1;
        else continue;
        int64_t project;
        if (bank_arg_int("grade", "--project", value, 1, 3, &project) != 0) return -1;
        if (project != 1) return (int)project;
        for (int k = i; k + taken <= *argc; k++) argv[k] = argv[k + taken]; /* --project 1: as if absent */
        *argc -= taken;
        i--;
    }
    return 1;
}

int bank_cmd_grade_p2(int argc, char **argv)
{
    const char *input = NULL, *batch = NULL, *report = NULL;
    int strict = 0, json = 0, wrong_only = 0, project = 2;
    const bank_opt opts[] = {
        BANK_OPT_STRING_("input", 0, &input),     BANK_OPT_FLAG_("strict", 0, &strict),
        BANK_OPT_FLAG_("json", 0, &json),         BANK_OPT_FLAG_("wrong-only", 0, &wrong_only),
        BANK_OPT_STRING_("batch", 0, &batch),     BANK_OPT_STRING_("report", 0, &report),
        BANK_OPT_INT_("project", 0, &project, 2, 2),
    };
    int first;
    int rc = bank_parse_options("grade", usage, opts, sizeof opts / sizeof opts[0], argc, argv, &first);
    if (rc != 0) return rc == BANK_PARSE_HELP ? BANK_EXIT_OK : rc;
    bank_table_kind kind;
    if (!input) return bank_usage_error("grade", "--input INPUT.json is required");
    if (batch && first != argc)
        return bank_usage_error("grade", "--batch DIR grades a folder; leave out \"%s\"", argv[first]);
    if (!batch && first == argc) return bank_usage_error("grade", "which output files? (or --batch DIR)");
    if (report && bank_table_kind_for(report, &kind) != 0)
        return bank_usage_error("grade", "--report: \"%s\" does not end in .csv, .json, .html or .txt", report);
    bank_workload w;
    char err[700];
    errno = 0;
    if (bank_input_load(input, &w, err, sizeof err) != 0) {
        fprintf(stderr, "bank grade: %s\n", err);
        return bank_reader_out_of_memory(err) ? BANK_EXIT_FAILED : BANK_EXIT_USAGE; /* not the input's fault */
    }
    bank_p2_grade_options opt = {strict};
    bank_report_context ctx = {.input = input,
                               .mode = strict ? "strict (every clock as the tick rule L2 gives it)"
                                              : "happens-before (any clocks consistent with it)",
                               .all_verdicts = !wrong_only};
    if (batch) {
        rc = grade_batch(batch, report, json, &w, &opt, &ctx);
    } else {
        submission s = {0};
        size_t name_len = 1;
        for (int i = first; i < argc; i++) name_len += strlen(argv[i]) + 3;
        s.name = calloc(name_len, 1); /* "a + b + c" */
        for (int i = first; s.name && i < argc && add_path(&s, NULL, argv[i]) == 0; i++) {
            if (i > first) strcat(s.name, " + ");
            strcat(s.name, argv[i]);
        }
        if (!s.name || s.n_paths != (size_t)(argc - first) || read_submission(&w, &opt, &s) != 0) {
            fprintf(stderr, "bank grade: out of memory\n");
            rc = BANK_EXIT_FAILED;
        } else if (s.view.error) {
            fprintf(stderr, "bank grade: %s\n", s.error);
            rc = BANK_EXIT_USAGE;
            if (json && bank_grade_printed(bank_report_json(stdout, &ctx, &s.view)) != BANK_EXIT_OK)
                rc = BANK_EXIT_FAILED;
        } else if (bank_grade_printed(json ? bank_report_json(stdout, &ctx, &s.view)
                                           : bank_report_text(stdout, &ctx, &s.view)) != BANK_EXIT_OK) {
            rc = BANK_EXIT_FAILED;
        } else {
            rc = status_of(&s, 1);
            if (report && bank_grade_write_report(report, &ctx, &s.view, 1) != BANK_EXIT_OK) rc = BANK_EXIT_FAILED;
        }
        submission_free(&s);
    }
    bank_workload_free(&w);
    return rc;
}
