/* bank drive --start: one process per branch from a command template, started, waited for until
 * its port accepts connections, and stopped at the end, on failure and on Ctrl-C, so that no
 * process is left behind. */
#ifndef BANK_RUN_START_PROCESSES_H
#define BANK_RUN_START_PROCESSES_H

#include <stddef.h>

#include "core/workload.h"

typedef struct bank_started bank_started;

/* Blocks SIGINT, SIGTERM and SIGHUP in the calling thread and every thread it creates later;
 * call first, before anything starts a thread (gRPC does), when processes will be started. */
void bank_start_block_signals(void);

/* Starts, for each branch i of w, `/bin/sh -c COMMAND` with {id}, {balance}, {port}, {host},
 * {peers} (a file of "ID HOST:PORT" lines it writes) and {input} (input_path) put in, each in
 * its own process group, its output in a log file. targets[i] is where branch i must listen:
 * "" picks a free port on 127.0.0.1 (and is filled in). Then waits until every port accepts
 * connections, within deadline_ms. From the start on, SIGINT, SIGTERM or SIGHUP stop every
 * process and end this one (status 128 + the signal). NULL with one line in err when a process
 * cannot be started, ends early, or does not listen in time; then none is left running. */
bank_started *bank_start_processes(const bank_workload *w, const char *command, const char *input_path,
                                   char (*targets)[256], int deadline_ms, char *err, size_t errlen);

/* SIGTERM to every process group, then SIGKILL to what is left after 3 s; removes the peers
 * file and the logs. Says on standard error which processes had ended on their own before (with
 * their last lines of output) and how many needed SIGKILL. Frees s. NULL does nothing. */
void bank_stop_processes(bank_started *s);

#endif
