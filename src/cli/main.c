/* bank: the reference implementation of the CSE 531 replicated bank. Dispatches to the
 * commands listed in one table, which also makes the command list of `bank help`. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"

typedef struct {
    const char *name;
    const char *args;    /* what follows the name in the list of `bank help` */
    const char *summary;
    int (*run)(int argc, char **argv);
} bank_command;

static int cmd_help(int argc, char **argv);

#ifdef BANK_GRADE_ONLY
/* The grade-only build (CMake BANK_GRADE_ONLY, for autograder images) has no gRPC and no cairo:
 * the commands that need them say so. */
static int not_in_this_build(int argc, char **argv)
{
    (void)argc;
    fprintf(stderr, "bank: %s is not in this grade-only build (built with BANK_GRADE_ONLY)\n", argv[0]);
    return BANK_EXIT_USAGE;
}
#define FULL_BUILD(fn) not_in_this_build
#else
#define FULL_BUILD(fn) fn
#endif

/* Every command, in the order `bank help` lists them. The man page and the bash completion are
 * generated at build time from this list (`bank help --commands`) and each command's --help. */
static const bank_command commands[] = {
    {"run", "INPUT.json", "run the input's customers against its branches; print the output", FULL_BUILD(bank_cmd_run)},
    {"branch", "", "run one branch server (for --processes and multi-host clusters)", FULL_BUILD(bank_cmd_branch)},
    {"bench", "", "measure operations per second and latency against a bare RPC", FULL_BUILD(bank_cmd_bench)},
    {"soak", "", "repeat live runs on fresh branches for a while; watch memory", FULL_BUILD(bank_cmd_soak)},
    {"grade", "", "judge students' output files against an input (one file or a folder)", bank_cmd_grade},
    {"drive", "INPUT.json", "act as the input's customers against a running system (a student's branches "
     "or ours) and judge what it does, not only what it prints", FULL_BUILD(bank_cmd_drive)},
    {"diagram", "", "draw a trace of bank run --trace as a space-time diagram", FULL_BUILD(bank_cmd_diagram)},
    {"version", "", "the version and the git commit it was built from (also bank --version)", bank_cmd_version},
    {"help", "[COMMAND]", "this text, or COMMAND's (the same as bank COMMAND --help)", cmd_help},
};
enum { N_COMMANDS = sizeof commands / sizeof commands[0] };

static void usage(FILE *f)
{
    fputs("usage: bank COMMAND [OPTIONS]\n"
          "       bank --version\n"
          "\n"
          "The reference implementation of the CSE 531 \"Distributed Banking System using gRPC\":\n"
          "branches are gRPC servers that each keep a replica of one shared balance, customers are\n"
          "gRPC clients, and every write is propagated to every other branch before it is answered.\n"
          "\n"
          "commands:\n",
          f);
    for (size_t i = 0; i < N_COMMANDS; i++) {
        char head[64];
        snprintf(head, sizeof head, "%s%s%s", commands[i].name, commands[i].args[0] ? " " : "",
                 commands[i].args);
        /* the summary word by word, wrapped under itself before column 96 */
        int col = fprintf(f, "  %-17s", head);
        for (const char *w = commands[i].summary; *w;) {
            int len = (int)strcspn(w, " ");
            if (col + 1 + len > 96) col = fprintf(f, "\n%19s", "") - 1;
            col += fprintf(f, " %.*s", len, w);
            w += len + (w[len] == ' ');
        }
        fputc('\n', f);
    }
    fputs("\n"
          "`bank COMMAND --help` describes each command; `bank help --commands` prints the command\n"
          "names alone, one a line.\n",
          f);
}

static const bank_command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

static int cmd_help(int argc, char **argv)
{
    if (argc == 1 || (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))) {
        usage(stdout);
        return BANK_EXIT_OK;
    }
    if (argc > 2) return bank_usage_error("help", "one command at a time, got \"%s\" too", argv[2]);
    if (strcmp(argv[1], "--commands") == 0) {
        for (size_t i = 0; i < N_COMMANDS; i++) puts(commands[i].name);
        return BANK_EXIT_OK;
    }
    const bank_command *c = find_command(argv[1]);
    if (!c) return bank_usage_error("help", "unknown command \"%s\"", argv[1]);
    char *args[] = {(char *)c->name, "--help", NULL};
    return c->run(2, args);
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    /* bank waits for the processes it starts (bench --table's rows, --processes' branches,
     * drive --start's servers). A SIGCHLD ignored by whoever started bank stays ignored across
     * exec, and then the kernel reaps each child itself and every wait fails: every row of
     * bench --table showed FAILED (exit -1) with its figures printed. */
    signal(SIGCHLD, SIG_DFL);
    /* A run's customers are threads (1,000 in a large live run), and glibc gives threads up to
     * 8 heaps per core that each keep what was freed in them: a soak of 100 branches x 1,000
     * customers then drifted from 155 to 338 MB after repetitions that free everything, with a
     * 503 MB peak. Two heaps kept it at 232-240 MB from the second repetition on (peak 306 MB),
     * at the same ops/s. MALLOC_ARENA_MAX in the environment still overrides this. */
    if (!getenv("MALLOC_ARENA_MAX")) mallopt(M_ARENA_MAX, 2);
    /* bank reports every failure in its own words; gRPC's log lines would only repeat them.
     * GRPC_VERBOSITY=error (or debug) in the environment brings them back. */
    setenv("GRPC_VERBOSITY", "NONE", 0);
    if (argc < 2) {
        usage(stderr);
        return BANK_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) return cmd_help(1, argv + 1);
    if (strcmp(cmd, "--version") == 0) return bank_cmd_version(argc - 1, argv + 1);
    const bank_command *c = find_command(cmd);
    if (c) return c->run(argc - 1, argv + 1);
    fprintf(stderr, "bank: unknown command \"%s\" (see bank help)\n", cmd);
    return BANK_EXIT_USAGE;
}
