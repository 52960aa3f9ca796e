/* Finding a class's students and their files in a folder: a subfolder per student, a loose file per
 * student (or grouped by Canvas's name prefix when the loose files are Canvas's), archives inside a
 * submission opened one level (class_build.c). Archives of a whole class are class_zip.c's. */
#include "class_batch.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "canvas_name.h"
#include "class_build.h"
#include "io/read_file.h"

#define MAX_DEPTH 8           /* folders below a student's own */
#define MAX_STUDENT_FILES 10000

typedef struct {
    bank_class *c;
    bank_student *s;
    size_t files;
    char *err;
    size_t errlen;
} walk_ctx;

/* Folders that hold no student's output: tool caches and installed packages. */
static int skipped_folder(const char *name)
{
    static const char *const skip[] = {"__pycache__", "node_modules", "venv", "site-packages",
                                       "__MACOSX"};
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
        if (strcmp(name, skip[i]) == 0) return 1;
    return 0;
}

static int add_disk_file(walk_ctx *w, const char *rel, const char *path, const struct stat *st)
{
    if (bank_class_never_output(rel)) return 0;
    if (++w->files > MAX_STUDENT_FILES) {
        if (w->files == MAX_STUDENT_FILES + 1)
            bank_class_note(w->s, "more than %d files: the rest not looked at", MAX_STUDENT_FILES);
        return 0;
    }
    if (bank_archive_name(rel)) {
        if ((size_t)st->st_size > BANK_CLASS_MAX_ARCHIVE) {
            bank_class_note(w->s, "%s not opened: larger than %zu MiB", rel, BANK_CLASS_MAX_ARCHIVE >> 20);
            return 0;
        }
        bank_archive_budget b;
        bank_archive_budget_init(&b);
        return bank_class_open_nested(w->s, rel, path, path, NULL, 0, &b, w->err, w->errlen);
    }
    if ((size_t)st->st_size > BANK_CLASS_MAX_FILE) {
        bank_class_note(w->s, "%s not read: larger than %zu MiB", rel, BANK_CLASS_MAX_FILE >> 20);
        return 0;
    }
    if (bank_class_add_file(w->s, rel, path, path, NULL, 0) != 0) {
        snprintf(w->err, w->errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* Every file under dir (rel names it inside the submission), hidden names and tool folders left out. */
static int walk(walk_ctx *w, const char *dir, const char *rel, int depth)
{
    DIR *d = opendir(dir);
    if (!d) {
        bank_class_note(w->s, "%s not read: %s", rel[0] ? rel : "the folder", strerror(errno));
        return 0;
    }
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        char path[4096], sub[4096];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= sizeof path ||
            (size_t)snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name) >= sizeof sub)
            continue;
        struct stat st;
        if (stat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth < MAX_DEPTH && !skipped_folder(de->d_name)) rc = walk(w, path, sub, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            rc = add_disk_file(w, sub, path, &st);
        }
    }
    closedir(d);
    return rc;
}

/* A loose file of the class folder: its own student, or its Canvas student's. */
static int add_loose_file(bank_class *c, size_t folders, const char *dir, const char *file, int canvas,
                          char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    struct stat st;
    if (stat(path, &st) != 0) return 0;
    bank_canvas_name cn;
    bank_student *s;
    const char *name = file;
    if (canvas && bank_canvas_name_parse(file, &cn) == 0) {
        s = bank_class_student(c, cn.name, cn.id, cn.late);
        name = cn.file;
    } else {
        char stem[256];
        snprintf(stem, sizeof stem, "%s", file);
        char *dot = strchr(stem, '.');
        if (dot && dot != stem) *dot = '\0';
        if (bank_class_find(c, stem, NULL) < folders) /* a folder of that name is another student */
            snprintf(stem, sizeof stem, "%s", file);
        s = bank_class_student(c, stem, NULL, 0);
    }
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    walk_ctx w = {c, s, s->n_files, err, errlen};
    char rel[4096];
    snprintf(rel, sizeof rel, "%s", name);
    return add_disk_file(&w, rel, path, &st);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_folder(const char *dir, bank_class *c, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot open the folder: %s", dir, strerror(errno));
        return -1;
    }
    char **loose = NULL;
    size_t n_loose = 0, cap = 0, canvas = 0;
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            if (skipped_folder(de->d_name)) continue;
            bank_student *s = bank_class_student(c, de->d_name, NULL, 0);
            walk_ctx w = {c, s, 0, err, errlen};
            rc = s ? walk(&w, path, "", 0) : -1;
        } else if (S_ISREG(st.st_mode)) {
            if (n_loose == cap) {
                cap = cap ? cap * 2 : 64;
                char **nl = realloc(loose, cap * sizeof *nl);
                if (!nl) {
                    rc = -1;
                    break;
                }
                loose = nl;
            }
            if (!(loose[n_loose] = strdup(de->d_name))) rc = -1;
            else n_loose++;
            bank_canvas_name cn;
            canvas += bank_canvas_name_parse(de->d_name, &cn) == 0;
        }
    }
    closedir(d);
    if (n_loose > 1) qsort(loose, n_loose, sizeof *loose, cmp_str);
    /* Canvas's names are grouped when they are what the folder mostly holds (an unzipped
     * download), so that a stray "output_1_2_x.txt" elsewhere stays its own student. */
    int grouped = canvas > 0 && canvas * 2 >= n_loose;
    size_t folders = c->n; /* the students made so far are the subfolders */
    for (size_t i = 0; rc == 0 && i < n_loose; i++) rc = add_loose_file(c, folders, dir, loose[i], grouped, err, errlen);
    for (size_t i = 0; i < n_loose; i++) free(loose[i]);
    free(loose);
    if (rc != 0 && !err[0]) snprintf(err, errlen, "out of memory reading %s", dir);
    return rc;
}

int bank_class_load(const char *path, bank_class *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    err[0] = '\0';
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    int rc = S_ISDIR(st.st_mode) ? load_folder(path, out, err, errlen)
                                 : bank_class_load_archive(path, out, err, errlen);
    if (rc == 0) rc = bank_class_finish(out, err, errlen);
    if (rc != 0) bank_class_free(out);
    return rc;
}

int bank_class_load_student(const char *path, const char *name, bank_class *out, char *err,
                            size_t errlen)
{
    memset(out, 0, sizeof *out);
    err[0] = '\0';
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    bank_student *s = bank_class_student(out, name, NULL, 0);
    int rc = -1;
    if (s && S_ISDIR(st.st_mode)) {
        walk_ctx w = {out, s, 0, err, errlen};
        rc = walk(&w, path, "", 0);
    } else if (s) {
        bank_archive_budget b;
        bank_archive_budget_init(&b);
        rc = bank_class_open_nested(s, name, path, path, NULL, 0, &b, err, errlen);
    }
    if (rc == 0) rc = bank_class_finish(out, err, errlen);
    if (rc != 0) {
        if (!err[0]) snprintf(err, errlen, "out of memory");
        bank_class_free(out);
    }
    return rc;
}

int bank_class_file_read(const bank_class_file *f, const char **data, size_t *len, char **owned,
                         char *err, size_t errlen)
{
    *owned = NULL;
    if (!f->disk_path) {
        *data = f->data;
        *len = f->len;
        return 0;
    }
    char *buf;
    if (bank_read_file(f->disk_path, &buf, len, err, errlen) != 0) return -1;
    *owned = buf;
    *data = buf;
    return 0;
}

