/* The trace file of `bank run --trace`: one JSON object a line per message a branch answered.
 * Several processes may append to one file (each line is one write to an O_APPEND file). */
#ifndef BANK_RUN_TRACE_FILE_H
#define BANK_RUN_TRACE_FILE_H

#include <stddef.h>

#include "rpc/trace.h"

typedef struct bank_trace_file bank_trace_file;

/* Opens path for appending; truncate empties it first. NULL and one line in err on failure. */
bank_trace_file *bank_trace_file_open(const char *path, int truncate, char *err, size_t errlen);
/* A bank_trace_fn: ctx is the bank_trace_file. Thread-safe. */
void bank_trace_file_write(void *ctx, const bank_trace_record *r);
/* 0, or -1 when a line could not be written (err says which file). */
int bank_trace_file_close(bank_trace_file *t, char *err, size_t errlen);

#endif
