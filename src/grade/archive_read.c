/* Students' archives through libarchive, into memory, with every byte counted: a member is
 * inflated only up to what the caller allows it, and the whole reading up to a budget. */
#include "archive_read.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void bank_archive_budget_init(bank_archive_budget *b)
{
    memset(b, 0, sizeof *b);
    b->max_total = BANK_ARCHIVE_MAX_TOTAL;
    b->max_members = BANK_ARCHIVE_MAX_MEMBERS;
    b->max_ratio = BANK_ARCHIVE_MAX_RATIO;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcasecmp(s + n - m, suffix) == 0;
}

int bank_archive_name(const char *name)
{
    return ends_with(name, ".zip") || ends_with(name, ".tar") || ends_with(name, ".tar.gz") ||
           ends_with(name, ".tgz");
}

int bank_archive_path_safe(const char *path)
{
    if (path[0] == '/' || path[0] == '\\' || path[0] == '\0') return 0;
    if (((path[0] | 0x20) >= 'a' && (path[0] | 0x20) <= 'z') && path[1] == ':') return 0; /* C:\ */
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, "/\\");
        if (n == 2 && p[0] == '.' && p[1] == '.') return 0;
        p += n;
        if (*p) p++;
    }
    return 1;
}

/* Members named under __MACOSX/ are Finder's resource forks, never a student's file. */
static int macos_fork(const char *path)
{
    return strncmp(path, "__MACOSX/", 9) == 0 || strstr(path, "/__MACOSX/") != NULL;
}

/* Reads the current member: 0 and its bytes, 1 when it holds more than limit (and is no bomb),
 * -1 with err. */
static int read_member(struct archive *a, const char *source, const char *path, size_t limit,
                       bank_archive_budget *b, char **out, size_t *out_len, char *err, size_t errlen)
{
    int64_t start = archive_filter_bytes(a, -1);
    size_t cap = limit < 65536 ? limit + 1 : 65536, len = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        snprintf(err, errlen, "%s: %s: out of memory", source, path);
        errno = ENOMEM;
        return -1;
    }
    for (;;) {
        if (len == cap) {
            size_t ncap = cap * 2 > limit + 1 ? limit + 1 : cap * 2;
            char *nb = ncap > cap ? realloc(buf, ncap + 1) : NULL;
            if (!nb) {
                free(buf);
                snprintf(err, errlen, "%s: %s: out of memory", source, path);
                errno = ENOMEM;
                return -1;
            }
            buf = nb;
            cap = ncap;
        }
        la_ssize_t got = archive_read_data(a, buf + len, cap - len);
        if (got < 0) {
            snprintf(err, errlen, "%s: %s: cannot inflate: %s", source, path, archive_error_string(a));
            free(buf);
            return -1;
        }
        if (got == 0) break;
        len += (size_t)got;
        b->inflated += (uint64_t)got;
        if (b->inflated > b->max_total) {
            snprintf(err, errlen,
                     "%s: more than %" PRIu64 " MiB inflated in all by %s (a zip bomb?); refused",
                     source, b->max_total >> 20, path);
            free(buf);
            return -1;
        }
        if (len > limit) {
            int64_t packed = archive_filter_bytes(a, -1) - start;
            free(buf);
            if (packed < 1) packed = 1;
            if ((uint64_t)len > (uint64_t)packed * b->max_ratio) {
                snprintf(err, errlen,
                         "%s: %s inflates past %zu MiB from %" PRId64 " bytes (%" PRIu64 ":1, a zip "
                         "bomb); refused", source, path, limit >> 20, packed,
                         (uint64_t)len / (uint64_t)packed);
                return -1;
            }
            return 1;
        }
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return 0;
}

static int read_all(struct archive *a, const char *source, bank_archive_budget *b,
                    const bank_archive_visitor *v, char *err, size_t errlen)
{
    struct archive_entry *e;
    for (;;) {
        int r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF) return 0;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            snprintf(err, errlen, "%s: not a zip or tar archive it can read: %s", source,
                     archive_error_string(a) ? archive_error_string(a) : "unknown format");
            return -1;
        }
        if (++b->members > b->max_members) {
            snprintf(err, errlen, "%s: more than %zu members (a zip bomb?); refused",
                     source, b->max_members);
            return -1;
        }
        const char *path = archive_entry_pathname(e);
        if (!path) path = archive_entry_pathname_utf8(e);
        if (!path) {
            snprintf(err, errlen, "%s: member %zu has a name that cannot be read; refused",
                     source, b->members);
            return -1;
        }
        if (!bank_archive_path_safe(path)) {
            snprintf(err, errlen, "%s: %s: a path that leaves the archive; refused",
                     source, path);
            return -1;
        }
        if (archive_entry_filetype(e) != AE_IFREG || macos_fork(path)) continue;
        size_t limit = v->want(v->ctx, path);
        if (limit == 0) continue;
        char *data = NULL;
        size_t len = 0;
        int got = read_member(a, source, path, limit, b, &data, &len, err, errlen);
        if (got < 0) return -1;
        if (got > 0) {
            if (v->too_big) v->too_big(v->ctx, path, limit);
            continue;
        }
        if (v->take(v->ctx, path, data, len, err, errlen) != 0) return -1;
    }
}

static struct archive *reader(void)
{
    struct archive *a = archive_read_new();
    if (!a) return NULL;
    /* Only formats whose members are bytes in the archive: mtree, for one, would open files on
     * this machine that the archive names. */
    archive_read_support_format_zip(a);
    archive_read_support_format_tar(a);
    archive_read_support_filter_gzip(a);
    return a;
}

int bank_archive_read_file(const char *path, bank_archive_budget *b, const bank_archive_visitor *v,
                           char *err, size_t errlen)
{
    struct archive *a = reader();
    if (!a) {
        snprintf(err, errlen, "%s: out of memory", path);
        errno = ENOMEM;
        return -1;
    }
    int rc;
    if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
        snprintf(err, errlen, "%s: cannot open as a zip or tar archive: %s", path,
                 archive_error_string(a) ? archive_error_string(a) : "unknown error");
        rc = -1;
    } else {
        rc = read_all(a, path, b, v, err, errlen);
    }
    int e = errno; /* out of memory is told by its ENOMEM (archive_read.h) */
    archive_read_free(a);
    errno = e;
    return rc;
}

int bank_archive_read_memory(const void *buf, size_t len, const char *source, bank_archive_budget *b,
                             const bank_archive_visitor *v, char *err, size_t errlen)
{
    struct archive *a = reader();
    if (!a) {
        snprintf(err, errlen, "%s: out of memory", source);
        errno = ENOMEM;
        return -1;
    }
    int rc;
    if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
        snprintf(err, errlen, "%s: cannot open as a zip or tar archive: %s", source,
                 archive_error_string(a) ? archive_error_string(a) : "unknown error");
        rc = -1;
    } else {
        rc = read_all(a, source, b, v, err, errlen);
    }
    int e = errno;
    archive_read_free(a);
    errno = e;
    return rc;
}
