/* The table-driven option parser every subcommand uses, and its shared pieces (see args.h). */
#include "args.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef BANK_GRADE_ONLY
#include "rpc/faults.h"
#endif

enum { FIRST_LONG_ONLY = 256 };

static int take_value(const char *cmd, const bank_opt *o, const char *value)
{
    char opt[64];
    snprintf(opt, sizeof opt, "--%s", o->name);
    int64_t v;
    switch (o->kind) {
    case BANK_OPT_FLAG: *(int *)o->target = o->flag_value; return 0;
    case BANK_OPT_STRING: *(const char **)o->target = value; return 0;
    case BANK_OPT_INT:
    case BANK_OPT_INT64:
    case BANK_OPT_SIZE:
    case BANK_OPT_UINT64:
        if (bank_arg_int(cmd, opt, value, o->min, o->max, &v) != 0) return -1;
        if (o->kind == BANK_OPT_INT) *(int *)o->target = (int)v;
        else if (o->kind == BANK_OPT_INT64) *(int64_t *)o->target = v;
        else if (o->kind == BANK_OPT_SIZE) *(size_t *)o->target = (size_t)v;
        else *(uint64_t *)o->target = (uint64_t)v;
        return 0;
    case BANK_OPT_CALL: return o->parse(cmd, opt, value, o->target);
    }
    return -1;
}

int bank_parse_options(const char *cmd, const char *usage, const bank_opt *opts, size_t n, int argc,
                       char **argv, int *operands)
{
    struct option *longs = calloc(n + 2, sizeof *longs);
    char *shorts = malloc(2 * n + 4);
    int *given = calloc(n ? n : 1, sizeof *given);
    if (!longs || !shorts || !given) {
        free(longs);
        free(shorts);
        free(given);
        fprintf(stderr, "bank %s: out of memory\n", cmd);
        return BANK_EXIT_FAILED; /* not a usage error */
    }
    size_t s = 0;
    shorts[s++] = ':'; /* a missing value is ':', not a message from getopt */
    shorts[s++] = 'h';
    for (size_t i = 0; i < n; i++) {
        int has_arg = opts[i].kind == BANK_OPT_FLAG ? no_argument
                      : opts[i].optional            ? optional_argument
                                                    : required_argument;
        longs[i] = (struct option){opts[i].name, has_arg, NULL,
                                   opts[i].short_name ? opts[i].short_name : FIRST_LONG_ONLY + (int)i};
        if (opts[i].short_name) {
            shorts[s++] = opts[i].short_name;
            if (has_arg != no_argument) shorts[s++] = ':';
            if (has_arg == optional_argument) shorts[s++] = ':';
        }
    }
    shorts[s] = '\0';
    longs[n] = (struct option){"help", no_argument, NULL, 'h'};

    int rc = 0, c;
    opterr = 0;
    optind = 1;
    while (rc == 0 && (c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage, stdout);
            rc = BANK_PARSE_HELP;
        } else if (c == ':') {
            rc = bank_usage_error(cmd, "%s needs a value", argv[optind - 1]);
        } else if (c == '?') {
            rc = bank_usage_error(cmd, "unknown option %s", argv[optind - 1]);
        } else {
            size_t i = 0;
            while (i < n && (opts[i].short_name ? opts[i].short_name != c : FIRST_LONG_ONLY + (int)i != c)) i++;
            if (i == n || take_value(cmd, &opts[i], optarg) != 0) rc = BANK_EXIT_USAGE;
            else {
                given[i] = 1;
                if (opts[i].seen) *opts[i].seen = 1;
            }
        }
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (opts[i].required && !given[i]) rc = bank_usage_error(cmd, "--%s is required", opts[i].name);
    *operands = optind;
    free(longs);
    free(shorts);
    free(given);
    return rc;
}

int bank_arg_int(const char *cmd, const char *opt, const char *text, int64_t min, int64_t max,
                 int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE || v < min || v > max) {
        fprintf(stderr, "bank %s: %s: expected a whole number from %lld to %lld, got \"%s\"\n", cmd,
                opt, (long long)min, (long long)max, text);
        return -1;
    }
    *out = v;
    return 0;
}

#ifndef BANK_GRADE_ONLY /* no branches, so no faults or data dirs, in the grade-only build */
int bank_arg_faults(const char *cmd, const char *opt, const char *value, void *target)
{
    (void)opt; /* bank_faults_parse names --faults itself */
    bank_faults f;
    char err[200];
    if (bank_faults_parse(value, &f, err, sizeof err) != 0) {
        bank_usage_error(cmd, "%s", err);
        return -1;
    }
    *(const char **)target = value;
    return 0;
}

int bank_arg_sync(const char *cmd, const char *opt, const char *value, void *target)
{
    if (bank_sync_parse(value, target) == 0) return 0;
    bank_usage_error(cmd, "%s: unknown mode \"%s\" (always, batch or none)", opt, value);
    return -1;
}
#endif

int bank_arg_schedule(const char *cmd, const char *opt, const char *value, void *target)
{
    if (bank_schedule_parse(value, target) == 0) return 0;
    bank_usage_error(cmd, "%s: unknown schedule \"%s\" (sequential, rounds or live)", opt, value);
    return -1;
}

int bank_arg_style(const char *cmd, const char *opt, const char *value, void *target)
{
    if (bank_style_parse(value, target) == 0) return 0;
    bank_usage_error(cmd, "%s: unknown style \"%s\" (result, balance or money)", opt, value);
    return -1;
}

int bank_tls_options_given(const char *cmd, const bank_tls_options *t)
{
    const char *given[3] = {t->ca, t->cert, t->key}, *names[3] = {"--tls-ca", "--tls-cert", "--tls-key"};
    char missing[64] = "";
    int n = 0;
    for (int i = 0; i < 3; i++) {
        if (given[i]) n++;
        else snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%s",
                      missing[0] ? " and " : "", names[i]);
    }
    if (n == 0 || n == 3) return n == 3;
    bank_usage_error(cmd, "--tls-ca, --tls-cert and --tls-key go together: %s missing", missing);
    return -1;
}

int bank_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bank %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see bank %s --help)\n", cmd);
    va_end(ap);
    return BANK_EXIT_USAGE;
}

const char *bank_self_exe(void)
{
    static char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return "bank";
    path[n] = '\0';
    return path;
}
