/* Reads the assignment's input.json into a bank_workload, validating everything. */
#ifndef BANK_IO_INPUT_H
#define BANK_IO_INPUT_H

#include <stddef.h>

#include "core/session.h"
#include "core/workload.h"

/* Limits that keep a run within one machine's means; exceeding one is a clear input error. */
#define BANK_MAX_BRANCHES 1000
#define BANK_MAX_CUSTOMERS 100000
#define BANK_MAX_EVENTS 1000000 /* over all customers */
#define BANK_MAX_PROCESS_ID 2147483647 /* ids travel as int32 in the course's wire form */

/* Parses text[0..len) (need not be NUL-terminated). source names the input in messages.
 * Returns 0 and fills *out, or -1 and writes one line to err (no trailing newline):
 *   "<source>:<line>:<column>: <what is wrong>"   (":<line>:<column>" left out when unknown)
 * On failure *out is left empty. */
int bank_input_parse(const char *text, size_t len, const char *source, bank_workload *out,
                     char *err, size_t errlen);

/* Reads the file at path and parses it; "-" reads standard input. Same contract. */
int bank_input_load(const char *path, bank_workload *out, char *err, size_t errlen);

/* Project 3 (spec C1): the same, and every event's branch into *routes: its "branch" (the
 * course's new form) or "dest" (the old), else its customer's own branch, which then must exist.
 * A customer's own branch (customer N, branch N) need not exist when every event names one. On
 * failure *out and *routes are left empty. */
int bank_input_parse_routed(const char *text, size_t len, const char *source, bank_workload *out,
                            bank_routes *routes, char *err, size_t errlen);
int bank_input_load_routed(const char *path, bank_workload *out, bank_routes *routes, char *err,
                           size_t errlen);

#endif
