/* One branch process of a run (bank run --processes): a `bank branch --peers -` child started
 * from the run's settings, which prints "listening ADDR", reads the peer list up to "end", prints
 * "ready", and stops when its standard input closes. */
#ifndef BANK_RUN_BRANCH_CHILD_H
#define BANK_RUN_BRANCH_CHILD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "branches.h"

typedef struct {
    int64_t id;
    pid_t pid;
    int to_child;   /* its stdin: the peer list, then EOF when the run is over */
    int from_child; /* its stdout: "listening ADDR", then "ready" */
    char buf[512];
    size_t buffered;
} bank_child;

/* Starts br's process listening on listen (with --recover when recover). 0, or -1 with err. */
int bank_child_spawn(bank_child *c, const char *exe, const bank_branch *br, const bank_branches_config *cfg,
                     const char *listen, int recover, char *err, size_t errlen);

/* One line from the child into line (without '\n'), waiting until deadline (bank_mono_now_ms).
 * 0, or -1 when none came in time or the child closed its output. */
int bank_child_read_line(bank_child *c, char *line, size_t cap, int64_t deadline);

/* Writes s[0..n) to the child's standard input. 0, or -1 when it is gone. */
int bank_child_write_all(bank_child *c, const char *s, size_t n);

/* Closes the child's standard input (its signal to stop) and waits for it, killing it if it
 * lingers past 10 s. 0 when it exited 0; -1 with err otherwise. A child never started is fine. */
int bank_child_reap(bank_child *c, char *err, size_t errlen);

/* A crash: SIGKILL, nothing flushed, nothing said to its peers. */
void bank_child_kill(bank_child *c);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t bank_mono_now_ms(void);

#endif
