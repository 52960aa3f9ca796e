/* Fuzz target: what bank grade --batch does with bytes from students' archives and Canvas's file
 * names. The bytes are opened as an archive (archive_read.c over libarchive, the zip, tar and
 * gzip readers): the reading stays within its budget, every member handed over has a path inside
 * the archive and no more bytes than it was allowed. Their first line is parsed as a Canvas name
 * (canvas_name.c): a name that parses is put back together from its parts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grade/archive_read.h"
#include "grade/canvas_name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { ALLOWED = 1 << 16 };

static size_t want(void *ctx, const char *path)
{
    (void)ctx;
    if (!bank_archive_path_safe(path)) abort(); /* refused before it is offered */
    return strlen(path) % 3 == 0 ? 0 : ALLOWED; /* some members are left unread */
}

static int take(void *ctx, const char *path, char *bytes, size_t len, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    (*(size_t *)ctx)++;
    if (!bank_archive_path_safe(path) || len > ALLOWED || bytes[len] != '\0') abort();
    free(bytes);
    return 0;
}

static void too_big(void *ctx, const char *path, size_t limit)
{
    (void)ctx;
    if (!bank_archive_path_safe(path) || limit != ALLOWED) abort();
}

static void canvas(const uint8_t *data, size_t size)
{
    char member[256];
    size_t n = 0;
    while (n < size && n < sizeof member - 1 && data[n] != '\n' && data[n] != '\0') n++;
    memcpy(member, data, n);
    member[n] = '\0';
    bank_canvas_name c;
    if (bank_canvas_name_parse(member, &c) != 0) return;
    /* NAME_ (when there is one), LATE_ (any case), ID_, then the rest ending in FILE */
    size_t at = 0, len = strlen(c.name);
    if (len && (strncmp(member, c.name, len) != 0 || member[len] != '_')) abort();
    at = len ? len + 1 : 0;
    if (c.late) {
        if (strncasecmp(member + at, "late_", 5) != 0) abort();
        at += 5;
    }
    size_t id = strlen(c.id);
    if (!id || strncmp(member + at, c.id, id) != 0 || member[at + id] != '_') abort();
    if (c.file < member + at + id + 1 || c.file >= member + n || !*c.file) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    canvas(data, size);
    bank_archive_budget b;
    bank_archive_budget_init(&b);
    b.max_total = 4 << 20; /* small, so that a fuzzed bomb is cheap to find refused */
    b.max_members = 1000;
    size_t taken = 0;
    bank_archive_visitor v = {&taken, want, take, too_big};
    char err[600];
    int rc = bank_archive_read_memory(data, size, "fuzz.zip", &b, &v, err, sizeof err);
    if (rc != 0 && strncmp(err, "fuzz.zip", 8) != 0) abort(); /* a refusal names the archive */
    if (rc == 0 && (b.inflated > b.max_total || b.members > b.max_members || taken > b.members)) abort();
    return 0;
}
