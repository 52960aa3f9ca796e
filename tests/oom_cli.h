/* The out-of-memory sweep of a command-line path (oom_sweep.h): the command run with standard
 * output and error captured into temporary files and the file it may write read back, then
 * judged against an unarmed run. A run that fails must exit BANK_EXIT_FAILED with the message on
 * standard error's first line, print nothing or what it prints unarmed, and leave no file. Needs
 * oom_sweep.h and Criterion. */
#ifndef BANK_TESTS_OOM_CLI_H
#define BANK_TESTS_OOM_CLI_H

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "oom_sweep.h"

/* A suite's .init: cJSON's allocations (a shared library's) go through the wrappers too. */
static void oom_count_cjson(void)
{
    cJSON_InitHooks(&(cJSON_Hooks){__wrap_malloc, __wrap_free});
}

typedef struct {
    int status;
    char out[16384], errs[2048], file[8192]; /* file: "" when absent */
} oom_printed;

typedef struct {
    int (*run)(void *arg); /* the command: its exit status */
    void *arg;
    const char *file; /* the --report or --gradescope file it writes, or NULL */
    int usage_fails;  /* BANK_EXIT_USAGE is how it reports a failure too */
    oom_printed want; /* an unarmed run */
} oom_command;

/* What fd held since it was made empty (a temporary file), at most n - 1 bytes. */
static void oom_drain(int fd, char *buf, size_t n)
{
    ssize_t got = pread(fd, buf, n - 1, 0);
    buf[got > 0 ? got : 0] = '\0';
}

/* Runs c (its file removed first), standard output and error into temporary files. */
static void oom_command_run(const oom_command *c, oom_printed *p)
{
    if (c->file) unlink(c->file);
    fflush(stdout);
    fflush(stderr);
    int saved[2] = {dup(1), dup(2)}, fds[2];
    for (int i = 0; i < 2; i++) {
        char name[] = "/tmp/bank-oom-out-XXXXXX";
        fds[i] = mkstemp(name);
        cr_assert_geq(fds[i], 0);
        unlink(name);
        dup2(fds[i], i + 1);
    }
    p->status = c->run(c->arg);
    fflush(stdout);
    fflush(stderr);
    for (int i = 0; i < 2; i++) {
        dup2(saved[i], i + 1);
        close(saved[i]);
        oom_drain(fds[i], i ? p->errs : p->out, i ? sizeof p->errs : sizeof p->out);
        close(fds[i]);
    }
    p->file[0] = '\0';
    FILE *f = c->file ? fopen(c->file, "r") : NULL;
    if (f) {
        p->file[fread(p->file, 1, sizeof p->file - 1, f)] = '\0';
        fclose(f);
        if (!p->file[0]) snprintf(p->file, sizeof p->file, "(an empty file)");
    }
}

/* An oom_attempt of the command (arg: the oom_command). */
static int oom_command_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    oom_command *c = arg;
    static oom_printed p;
    oom_command_run(c, &p);
    if (p.status == c->want.status && strcmp(p.out, c->want.out) == 0 && strcmp(p.errs, c->want.errs) == 0 &&
        strcmp(p.file, c->want.file) == 0) {
        *ok = 1;
        return 0;
    }
    /* standard error's first line is the message; standard output holds nothing or what it holds
     * unarmed (the report that a failed --report or --gradescope came after); no file is left */
    snprintf(err, errlen, "%s", p.errs);
    err[strcspn(err, "\n")] = '\0';
    *ok = (p.out[0] == '\0' || strcmp(p.out, c->want.out) == 0) && p.file[0] == '\0';
    if (c->usage_fails && p.status == BANK_EXIT_USAGE) return BANK_EXIT_FAILED;
    return p.status ? p.status : -1;
}

#endif
