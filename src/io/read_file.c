#include "read_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bank_read_file(const char *path, char **data, size_t *len, char *err, size_t errlen)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    int failed = buf == NULL;
    while (!failed) {
        if (cap - n < 2) {
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                failed = 1;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    int saved = errno;
    if (!failed && ferror(f)) failed = 1;
    if (!is_stdin) fclose(f);
    if (failed) {
        snprintf(err, errlen, "%s: cannot read: %s", path, buf ? strerror(saved) : "out of memory");
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}
