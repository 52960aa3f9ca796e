/* Reads a trace file written by `bank run --trace` back into records. */
#ifndef BANK_IO_TRACE_READ_H
#define BANK_IO_TRACE_READ_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t t_recv_us, t_reply_us;
    int from_branch;
    int64_t from_id, to_branch;
    char rpc[32];
    int64_t customer, event, money, balance;
    char reply[160]; /* cut to fit */
    uint64_t clock_sent, clock; /* Lamport clocks (spec L3); 0 when the trace has none */
} bank_trace_entry;

typedef struct {
    size_t n;
    bank_trace_entry *entries; /* file order */
} bank_trace;

/* 0 and *out, or -1 with "<path>:<line>:<column>: <what>" in err (and *out empty). */
int bank_trace_load(const char *path, bank_trace *out, char *err, size_t errlen);
void bank_trace_free(bank_trace *t);

#endif
