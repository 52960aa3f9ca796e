/* Small helpers shared by the bank subcommands. */
#ifndef BANK_CLI_ARGS_H
#define BANK_CLI_ARGS_H

#include <stdint.h>

/* Exit statuses of every subcommand. */
enum { BANK_EXIT_OK = 0, BANK_EXIT_FAILED = 1, BANK_EXIT_USAGE = 2 };

/* Parses a whole decimal integer in [min, max] from the value of option opt; prints one line
 * "bank <cmd>: --opt: ..." and returns -1 when it is not one. */
int bank_arg_int(const char *cmd, const char *opt, const char *text, int64_t min, int64_t max,
                 int64_t *out);

/* Prints "bank <cmd>: <message>" and a hint to see --help, on stderr; returns BANK_EXIT_USAGE. */
int bank_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The path of the running bank binary, for starting branch processes. */
const char *bank_self_exe(void);

#endif
