/* A class in one archive: Canvas's "Download Submissions" zip (every file at the top, renamed
 * "<name>[_LATE]_<id>_<attachment>_<file>", grouped into students by that prefix), or a zipped class
 * folder (a folder per student; one folder around everything is looked through). Read in two
 * passes: the names first (nothing inflated), to know the layout; then the members a student's
 * output or input could be, into memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas_name.h"
#include "class_build.h"

typedef struct {
    char **paths;
    size_t n, cap;
    int oom;
} name_list;

/* Appends s (taken over); -1 when out of memory. */
static int push(name_list *l, char *s)
{
    if (s && l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 256;
        char **np = realloc(l->paths, ncap * sizeof *np);
        if (!np) {
            free(s);
            s = NULL;
        } else {
            l->paths = np;
            l->cap = ncap;
        }
    }
    if (!s) {
        l->oom = 1;
        return -1;
    }
    l->paths[l->n++] = s;
    return 0;
}

static size_t list_name(void *ctx, const char *path)
{
    push(ctx, strdup(path));
    return 0; /* names only: nothing is inflated in this pass */
}

typedef struct {
    bank_class *c;
    const char *archive;
    size_t strip;          /* a folder around everything, with its '/': left out of every name */
    int canvas;            /* top-level members are grouped by Canvas's prefix */
    name_list folders;     /* the students' folders' names, sorted */
    bank_archive_budget *b;
    int oom;               /* a member's student could not be made: the reading fails */
} zip_ctx;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bank_student *student(zip_ctx *z, const char *name, const char *canvas_id, int late)
{
    bank_student *s = bank_class_student(z->c, name, canvas_id, late);
    z->oom |= s == NULL;
    return s;
}

/* Where a member belongs: its student (made when new) and its name inside the submission, or
 * NULL for members no student owns (hidden names, tool folders) and when out of memory. */
static bank_student *locate(zip_ctx *z, const char *path, const char **name, char *buf, size_t buflen)
{
    const char *p = path + z->strip;
    for (const char *q = p; q; q = strchr(q, '/')) { /* hidden or tool folders anywhere */
        if (*q == '/') q++;
        if (*q == '.' || strncmp(q, "__pycache__/", 12) == 0 || strncmp(q, "node_modules/", 13) == 0 ||
            strncmp(q, "venv/", 5) == 0 || strncmp(q, "site-packages/", 14) == 0)
            return NULL;
    }
    const char *slash = strchr(p, '/');
    if (slash) {
        snprintf(buf, buflen, "%.*s", (int)(slash - p), p);
        *name = slash + 1;
        return student(z, buf, NULL, 0);
    }
    bank_canvas_name cn;
    if (z->canvas && bank_canvas_name_parse(p, &cn) == 0) {
        *name = cn.file;
        return student(z, cn.name, cn.id, cn.late);
    }
    *name = p;
    snprintf(buf, buflen, "%s", p);
    char *dot = strchr(buf, '.');
    if (dot && dot != buf) *dot = '\0';
    const char *key = buf;
    if (z->folders.n && bsearch(&key, z->folders.paths, z->folders.n, sizeof *z->folders.paths, cmp_str))
        snprintf(buf, buflen, "%s", p); /* a folder of that name is another student */
    return student(z, buf, NULL, 0);
}

static size_t zip_want(void *ctx, const char *path)
{
    zip_ctx *z = ctx;
    char buf[4096];
    const char *name;
    if (!locate(z, path, &name, buf, sizeof buf)) return 0;
    if (bank_archive_name(name)) return BANK_CLASS_MAX_ARCHIVE;
    return bank_class_never_output(name) ? 0 : BANK_CLASS_MAX_FILE;
}

static int zip_take(void *ctx, const char *path, char *data, size_t len, char *err, size_t errlen)
{
    zip_ctx *z = ctx;
    char buf[4096], source[4400];
    const char *name;
    bank_student *s = locate(z, path, &name, buf, sizeof buf);
    snprintf(source, sizeof source, "%s:%s", z->archive, path);
    int rc;
    if (!s) {
        free(data);
        rc = -1;
    } else if (bank_archive_name(name)) {
        rc = bank_class_open_nested(s, name, source, NULL, data, len, z->b, err, errlen);
        free(data);
    } else {
        rc = bank_class_add_file(s, name, source, NULL, data, len);
        if (rc != 0) free(data);
    }
    if (rc != 0 && !err[0]) snprintf(err, errlen, "out of memory");
    return rc;
}

static void zip_too_big(void *ctx, const char *path, size_t limit)
{
    zip_ctx *z = ctx;
    char buf[4096];
    const char *name;
    bank_student *s = locate(z, path, &name, buf, sizeof buf);
    if (s) bank_class_note(s, "%s not read: larger than %zu MiB", name, limit >> 20);
}

/* The length of a folder every member is under ("class/"), or 0. */
static size_t common_folder(const name_list *l)
{
    if (l->n == 0) return 0;
    const char *first = l->paths[0], *slash = strchr(first, '/');
    if (!slash) return 0;
    size_t len = (size_t)(slash - first) + 1;
    for (size_t i = 1; i < l->n; i++)
        if (strncmp(l->paths[i], first, len) != 0) return 0;
    return len;
}

int bank_class_load_archive(const char *path, bank_class *c, char *err, size_t errlen)
{
    name_list layout = {0};
    bank_archive_budget b;
    bank_archive_budget_init(&b);
    bank_archive_visitor list = {&layout, list_name, NULL, NULL};
    int rc = bank_archive_read_file(path, &b, &list, err, errlen);
    if (rc == 0 && layout.oom) {
        snprintf(err, errlen, "out of memory listing %s", path);
        rc = -1;
    }
    zip_ctx z = {c, path, common_folder(&layout), 0, {0}, &b, 0};
    size_t loose = 0, canvas = 0;
    for (size_t i = 0; rc == 0 && i < layout.n; i++) {
        const char *p = layout.paths[i] + z.strip, *slash = strchr(p, '/');
        if (slash) {
            if (push(&z.folders, strndup(p, (size_t)(slash - p))) != 0) {
                snprintf(err, errlen, "out of memory listing %s", path);
                rc = -1;
            }
            continue;
        }
        if (p[0] == '.') continue;
        bank_canvas_name cn;
        loose++;
        canvas += bank_canvas_name_parse(p, &cn) == 0;
    }
    if (rc == 0) {
        if (z.folders.n > 1) qsort(z.folders.paths, z.folders.n, sizeof *z.folders.paths, cmp_str);
        z.canvas = canvas > 0 && canvas * 2 >= loose;
        bank_archive_budget_init(&b);
        bank_archive_visitor read = {&z, zip_want, zip_take, zip_too_big};
        err[0] = '\0';
        rc = bank_archive_read_file(path, &b, &read, err, errlen);
    }
    if (rc == 0 && z.oom) { /* want() and too_big() cannot stop the reading: it fails here */
        snprintf(err, errlen, "out of memory reading %s", path);
        rc = -1;
    }
    size_t e = strlen(err);
    if (rc != 0 && e >= 9 && strcmp(err + e - 9, "; refused") == 0)
        snprintf(err + e, errlen - e, ", nothing graded"); /* the whole class, spec G34 */
    for (size_t i = 0; i < layout.n; i++) free(layout.paths[i]);
    free(layout.paths);
    for (size_t i = 0; i < z.folders.n; i++) free(z.folders.paths[i]);
    free(z.folders.paths);
    return rc;
}
