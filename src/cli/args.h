/* The command line of every bank subcommand: one table-driven option parser (over getopt_long),
 * the options several commands share, and the exit statuses. */
#ifndef BANK_CLI_ARGS_H
#define BANK_CLI_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include "core/schedule.h"
#include "io/output.h"
#include "store/store.h"

/* Exit statuses of every subcommand. */
enum { BANK_EXIT_OK = 0, BANK_EXIT_FAILED = 1, BANK_EXIT_USAGE = 2 };

typedef enum {
    BANK_OPT_FLAG,   /* no value: *(int *)target = flag_value (1 unless set) */
    BANK_OPT_STRING, /* *(const char **)target = the value */
    BANK_OPT_INT,    /* a whole number in [min, max] into *(int *)target */
    BANK_OPT_INT64,  /* ... into *(int64_t *)target */
    BANK_OPT_SIZE,   /* ... into *(size_t *)target */
    BANK_OPT_UINT64, /* ... into *(uint64_t *)target */
    BANK_OPT_CALL    /* parse(cmd, "--name", value, target) */
} bank_opt_kind;

typedef struct {
    const char *name; /* the long name, without "--" */
    char short_name;  /* or 0 */
    bank_opt_kind kind;
    void *target;
    int64_t min, max;
    int flag_value;
    /* BANK_OPT_CALL: 0, or -1 after printing one line (bank_arg_int and bank_usage_error do) */
    int (*parse)(const char *cmd, const char *opt, const char *value, void *target);
    int optional; /* BANK_OPT_CALL: the value may be left out (--name=VALUE or nothing; value NULL) */
    int *seen;    /* optional: set to 1 when the option is given */
    int required; /* a usage error when the option is not given */
} bank_opt;

/* A pointer checked (at compile time) to be a T *. */
#define BANK_TARGET(T, p) ((void *)(1 ? (p) : (T *)0))

#define BANK_OPT_FLAG_(n, s, p) {.name = n, .short_name = s, .kind = BANK_OPT_FLAG, .target = BANK_TARGET(int, p), .flag_value = 1}
#define BANK_OPT_SET_(n, p, v) {.name = n, .kind = BANK_OPT_FLAG, .target = BANK_TARGET(int, p), .flag_value = v}
#define BANK_OPT_STRING_(n, s, p) {.name = n, .short_name = s, .kind = BANK_OPT_STRING, .target = BANK_TARGET(const char *, p)}
#define BANK_OPT_INT_(n, s, p, lo, hi) {.name = n, .short_name = s, .kind = BANK_OPT_INT, .target = BANK_TARGET(int, p), .min = lo, .max = hi}
#define BANK_OPT_INT64_(n, s, p, lo, hi) {.name = n, .short_name = s, .kind = BANK_OPT_INT64, .target = BANK_TARGET(int64_t, p), .min = lo, .max = hi}
#define BANK_OPT_SIZE_(n, s, p, lo, hi) {.name = n, .short_name = s, .kind = BANK_OPT_SIZE, .target = BANK_TARGET(size_t, p), .min = lo, .max = hi}
#define BANK_OPT_UINT64_(n, s, p, lo, hi) {.name = n, .short_name = s, .kind = BANK_OPT_UINT64, .target = BANK_TARGET(uint64_t, p), .min = lo, .max = hi}
#define BANK_OPT_CALL_(n, s, fn, p) {.name = n, .short_name = s, .kind = BANK_OPT_CALL, .target = p, .parse = fn}

/* Options several commands take, each defined once. */
#define BANK_OPT_SCHEDULE(p) BANK_OPT_CALL_("schedule", 0, bank_arg_schedule, BANK_TARGET(bank_schedule, p))
#define BANK_OPT_STYLE(p) BANK_OPT_CALL_("style", 0, bank_arg_style, BANK_TARGET(bank_style, p))
#define BANK_OPT_DEADLINE(p) BANK_OPT_INT_("deadline-ms", 0, p, 1, 3600000)
#define BANK_OPT_THREADS(p) BANK_OPT_INT_("threads", 0, p, 1, 64)
#define BANK_OPT_ATTEMPTS(p) BANK_OPT_INT_("attempts", 0, p, 1, 1000)
#define BANK_OPT_BACKOFF(p) BANK_OPT_INT_("retry-backoff-ms", 0, p, 1, 2000)
/* --data-dir DIR and --sync always|batch|none (seen: whether --sync was given). */
#define BANK_OPT_DATA_DIR(p) BANK_OPT_STRING_("data-dir", 0, p)
#define BANK_OPT_SYNC(p) BANK_OPT_CALL_("sync", 0, bank_arg_sync, BANK_TARGET(bank_sync, p))
/* --faults SPEC (checked here, kept as text: parse it with bank_faults_parse) and --seed N. */
#define BANK_OPT_FAULTS(spec, seed)                                                             \
    BANK_OPT_CALL_("faults", 0, bank_arg_faults, BANK_TARGET(const char *, spec)),             \
        BANK_OPT_UINT64_("seed", 0, seed, 0, INT64_MAX)

/* --tls-ca FILE --tls-cert FILE --tls-key FILE: one side's mutual TLS files (all three or none;
 * check with bank_tls_options_given). */
typedef struct {
    const char *ca, *cert, *key;
} bank_tls_options;
#define BANK_OPT_TLS(p)                                                                         \
    BANK_OPT_STRING_("tls-ca", 0, &(p)->ca), BANK_OPT_STRING_("tls-cert", 0, &(p)->cert),      \
        BANK_OPT_STRING_("tls-key", 0, &(p)->key)

/* 1 when all three TLS files were given, 0 when none was, -1 after one line on standard error
 * (a usage error) when only some were. */
int bank_tls_options_given(const char *cmd, const bank_tls_options *t);

/* What bank_parse_options returns besides an exit status: --help was printed. */
enum { BANK_PARSE_HELP = -1 };

/* Parses argv[1..argc) (argv[0] is the command's name) against opts[0..n); -h/--help prints
 * usage on standard output. Options and operands may mix; "--" ends the options. Returns 0 with
 * the operands at argv[*operands..argc) (getopt moves them to the end), BANK_PARSE_HELP, or
 * BANK_EXIT_USAGE after one line on standard error (BANK_EXIT_FAILED: out of memory). */
int bank_parse_options(const char *cmd, const char *usage, const bank_opt *opts, size_t n, int argc,
                       char **argv, int *operands);

/* Parses a whole decimal integer in [min, max] from the value of option opt; prints one line
 * "bank <cmd>: --opt: ..." and returns -1 when it is not one. */
int bank_arg_int(const char *cmd, const char *opt, const char *text, int64_t min, int64_t max,
                 int64_t *out);

/* BANK_OPT_CALL parsers: --faults (the SPEC must parse, bank_faults_parse; kept as text),
 * --schedule (a bank_schedule), --style (a bank_style), --sync (a bank_sync). */
int bank_arg_faults(const char *cmd, const char *opt, const char *value, void *target);
int bank_arg_schedule(const char *cmd, const char *opt, const char *value, void *target);
int bank_arg_style(const char *cmd, const char *opt, const char *value, void *target);
int bank_arg_sync(const char *cmd, const char *opt, const char *value, void *target);

/* Prints "bank <cmd>: <message>" and a hint to see --help, on stderr; returns BANK_EXIT_USAGE. */
int bank_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The path of the running bank binary, for starting branch processes. */
const char *bank_self_exe(void);

#endif
