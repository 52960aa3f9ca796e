/* Out of memory in bank grade's one-file paths: every allocation of bank_cmd_grade on one output
 * file (text, --json, --gradescope per event and per customer, --report CSV and JSON, --exact; the
 * file has a wrong answer, and for one a record for no customer, so verdicts are built; and --json
 * on a file with every answer right) and of bank grade --project 2 on one submission (text with
 * --report, --json; and one with every event right) and on a --batch folder is made to fail in
 * turn, the input and output read from the disk. Each failure must exit 1 with "out of memory" on
 * standard error, leak nothing and leave no --report or --gradescope file, and a run that can
 * allocate must print and write what an unarmed run does. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "oom_cli.h"

TestSuite(cli_oom, .init = oom_count_cjson);

/* golden/sample's answers with customer 2's query wrong */
static const char one_wrong[] =
    "{'id': 1, 'recv': [{'interface': 'query', 'balance': 400}]}\n"
    "{'id': 2, 'recv': [{'interface': 'deposit', 'result': 'success'}, {'interface': 'query', 'balance': 999}]}\n"
    "{'id': 3, 'recv': [{'interface': 'withdraw', 'result': 'success'}, {'interface': 'query', 'balance': 500}]}\n";

static char root[] = "/tmp/bank-cli-oom-XXXXXX";

static void make_root(void) { cr_assert_not_null(mkdtemp(root)); }

static void remove_root(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_expect_eq(system(cmd), 0);
}

typedef struct {
    oom_command cmd; /* arg: this case */
    int argc;
    const char *argv[16]; /* copied for each run: getopt_long permutes its argv */
} cli_case;

static int run_grade(void *arg)
{
    cli_case *c = arg;
    char *argv[16];
    memcpy(argv, c->argv, sizeof argv);
    return bank_cmd_grade(c->argc, argv);
}

/* Sweeps bank grade with args (NULL-ended); file: the one it writes, or NULL. */
static oom_counts sweep_grade(const char *what, int want_status, const char *file, const char **args)
{
    static cli_case c;
    memset(&c, 0, sizeof c);
    c.argv[c.argc++] = "grade";
    while (*args) c.argv[c.argc++] = *args++;
    c.cmd = (oom_command){.run = run_grade, .arg = &c, .file = file};
    oom_command_run(&c.cmd, &c.cmd.want);
    cr_assert_eq(c.cmd.want.status, want_status, "%s: %s", what, c.cmd.want.errs);
    cr_assert(file == NULL || c.cmd.want.file[0], "%s: %s not written", what, file);
    oom_counts k = oom_sweep(what, oom_command_attempt, &c.cmd, BANK_EXIT_FAILED, "bank grade: ", "out of memory");
    cr_expect_geq(k.failed, 10, "%s", what);
    return k;
}

/* rule: G14 */
Test(cli_oom, one_output_file_fails_cleanly_at_every_allocation, .init = make_root, .fini = remove_root)
{
    char out[256], report[256], report_json[256], gradescope[256];
    snprintf(out, sizeof out, "%s/output.txt", root);
    snprintf(report, sizeof report, "%s/report.csv", root);
    snprintf(report_json, sizeof report_json, "%s/report.json", root);
    snprintf(gradescope, sizeof gradescope, "%s/results.json", root);
    FILE *f = fopen(out, "w");
    cr_assert_not_null(f);
    fputs(one_wrong, f);
    fclose(f);
    const char *input = GOLDEN "/sample/input.json";
    sweep_grade("bank grade FILE", BANK_EXIT_FAILED, NULL, (const char *[]){"--input", input, out, NULL});
    sweep_grade("bank grade --json FILE", BANK_EXIT_FAILED, NULL,
                (const char *[]){"--json", "--input", input, out, NULL});
    sweep_grade("bank grade --gradescope F FILE", BANK_EXIT_FAILED, gradescope,
                (const char *[]){"--input", input, "--gradescope", gradescope, out, NULL});
    sweep_grade("bank grade --report F.csv FILE", BANK_EXIT_FAILED, report,
                (const char *[]){"--input", input, "--report", report, out, NULL});
    sweep_grade("bank grade --report F.json FILE", BANK_EXIT_FAILED, report_json,
                (const char *[]){"--input", input, "--report", report_json, out, NULL});
    sweep_grade("bank grade --report F --gradescope F FILE", BANK_EXIT_FAILED, report,
                (const char *[]){"--input", input, "--report", report, "--gradescope", gradescope, out, NULL});
    sweep_grade("bank grade --exact FILE", BANK_EXIT_FAILED, NULL,
                (const char *[]){"--exact", "--input", input, out, NULL});
    /* per customer, and a record for no customer of the input: the texts Gradescope's tests grow */
    char extra[256];
    snprintf(extra, sizeof extra, "%s/extra.txt", root);
    f = fopen(extra, "w");
    cr_assert_not_null(f);
    fprintf(f, "%s{'id': 9, 'recv': [{'interface': 'query', 'balance': 1}]}\n", one_wrong);
    fclose(f);
    sweep_grade("bank grade --gradescope F --gradescope-granularity customer FILE (an extra record)",
                BANK_EXIT_FAILED, gradescope,
                (const char *[]){"--input", input, "--gradescope", gradescope, "--gradescope-granularity", "customer",
                                 extra, NULL});
    /* every answer right: a failure must not pass for the verdicts' 0 */
    sweep_grade("bank grade --json FILE (every answer right)", BANK_EXIT_OK, NULL,
                (const char *[]){"--json", "--input", input, GOLDEN "/sample/expected.sequential.json", NULL});
}

/* rule: G14, C12 */
Test(cli_oom, one_project3_output_fails_cleanly_at_every_allocation, .init = make_root, .fini = remove_root)
{
    char out[256], report[256];
    snprintf(out, sizeof out, "%s/output.json", root);
    snprintf(report, sizeof report, "%s/report.csv", root);
    FILE *f = fopen(out, "w");
    cr_assert_not_null(f);
    /* read-your-writes broken: the query at branch 2 misses the deposit made at branch 1 */
    fputs("[{\"id\": 1, \"recv\": [{\"interface\": \"deposit\", \"branch\": 1, \"result\": \"success\"}]},\n"
          " {\"id\": 1, \"recv\": [{\"interface\": \"query\", \"branch\": 2, \"balance\": 0}]}]\n",
          f);
    fclose(f);
    const char *input = GOLDEN "/p3/read-your-writes/input.json";
    sweep_grade("bank grade --project 3 --report F.csv FILE", BANK_EXIT_FAILED, report,
                (const char *[]){"--project", "3", "--input", input, "--report", report, out, NULL});
    sweep_grade("bank grade --project 3 --json FILE", BANK_EXIT_FAILED, NULL,
                (const char *[]){"--project", "3", "--json", "--input", input, out, NULL});
    /* every answer right: a failure must not pass for the verdicts' 0 */
    sweep_grade("bank grade --project 3 FILE (every answer right)", BANK_EXIT_OK, NULL,
                (const char *[]){"--project", "3", "--input", input,
                                 GOLDEN "/p3/read-your-writes/expected.sequential.json", NULL});
}

/* rule: G14, L14 */
Test(cli_oom, one_project2_submission_fails_cleanly_at_every_allocation, .init = make_root, .fini = remove_root)
{
    char report[256];
    snprintf(report, sizeof report, "%s/report.csv", root);
    const char *input = GOLDEN "/p2-ta/input.json", *customers = P2_WRONG "/swapped-clock/customer_events.json",
               *branches = P2_WRONG "/swapped-clock/branch_events.json";
    sweep_grade("bank grade --project 2 --report F.csv FILES", BANK_EXIT_FAILED, report,
                (const char *[]){"--project", "2", "--input", input, "--report", report, customers, branches, NULL});
    sweep_grade("bank grade --project 2 --json FILES", BANK_EXIT_FAILED, NULL,
                (const char *[]){"--project", "2", "--json", "--input", input, customers, branches, NULL});
    /* every event right: a failure must not pass for the verdicts' 0 */
    sweep_grade("bank grade --project 2 FILES (every event right)", BANK_EXIT_OK, NULL,
                (const char *[]){"--project", "2", "--input", GOLDEN "/p2-sample/input.json",
                                 GOLDEN "/p2-sample/expected.sequential/customer_events.json",
                                 GOLDEN "/p2-sample/expected.sequential/branch_events.json", NULL});
    /* a --batch folder: one submission a folder of its parts, one a single file; out of memory
     * while listing it is no unreadable folder (exit 2) */
    char batch[256], cmd[1200];
    snprintf(batch, sizeof batch, "%s/batch", root);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/alice' && cp '%s' '%s' '%s/alice/' && cp '%s' '%s/bob.json'", batch,
             GOLDEN "/p2-sample/expected.sequential/customer_events.json",
             GOLDEN "/p2-sample/expected.sequential/branch_events.json", batch,
             GOLDEN "/p2-sample/expected.sequential/customer_events.json", batch);
    cr_assert_eq(system(cmd), 0);
    sweep_grade("bank grade --project 2 --batch DIR --report F.csv", BANK_EXIT_FAILED, report,
                (const char *[]){"--project", "2", "--input", GOLDEN "/p2-sample/input.json", "--batch", batch,
                                 "--report", report, NULL});
}
