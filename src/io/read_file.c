#include "read_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdint.h>

int bank_read_file(const char *path, char **data, size_t *len, char *err, size_t errlen)
{
    return bank_read_file_max(path, SIZE_MAX - 1, data, len, err, errlen);
}

int bank_read_file_max(const char *path, size_t max, char **data, size_t *len, char *err, size_t errlen)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (!is_stdin && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
        fclose(f);
        snprintf(err, errlen, "%s: larger than %zu bytes (--max-bytes); not read", path, max);
        return -1;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    int oom = buf == NULL, too_big = 0;
    while (!oom) {
        if (n > max) {
            too_big = 1;
            break;
        }
        if (cap - n < 2) {
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                oom = 1;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        size_t want = cap - n - 1;
        if (want > max + 1 - n) want = max + 1 - n; /* one byte past max tells it is too big */
        size_t got = fread(buf + n, 1, want, f);
        n += got;
        if (got == 0) break;
    }
    int saved = errno, unread = !oom && ferror(f);
    if (!is_stdin) fclose(f);
    if (too_big) {
        snprintf(err, errlen, "%s: larger than %zu bytes (--max-bytes); not read", path, max);
        free(buf);
        return -1;
    }
    if (oom || unread) {
        if (oom) snprintf(err, errlen, "%s: out of memory", path);
        else snprintf(err, errlen, "%s: cannot read: %s", path, strerror(saved));
        free(buf);
        errno = oom ? ENOMEM : saved; /* fclose may have changed it; a caller tells the two apart */
        return -1;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}
