#include "args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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
