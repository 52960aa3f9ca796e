/* Building a class (class_build.h): students found by name or Canvas id, their files, their notes,
 * which names are never read, an archive a student submitted opened one level, and the last
 * touches (Canvas names, order); freeing it all. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "class_build.h"
#include "class_choice.h"

void bank_class_note(bank_student *s, const char *fmt, ...)
{
    char line[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* the row would not say what was left out: bank_class_finish fails the load */
    if (bank_class_join(&s->notes, "; ", line) != 0) s->lost_note = 1;
}

int bank_class_join(char **list, const char *sep, const char *item)
{
    size_t old = *list ? strlen(*list) : 0, gap = old ? strlen(sep) : 0;
    char *n = realloc(*list, old + gap + strlen(item) + 1);
    if (!n) return -1;
    memcpy(n + old, sep, gap);
    strcpy(n + old + gap, item);
    *list = n;
    return 0;
}

/* Students are looked up by key while files arrive (100,000 members may name 100,000 students):
 * an open-addressed table of index + 1, keyed by Canvas id or by name. */
static uint64_t key_hash(const char *name, const char *canvas_id)
{
    uint64_t h = 1469598103934665603ULL ^ (canvas_id ? 'c' : 'n');
    for (const char *k = canvas_id ? canvas_id : name; *k; k++) h = (h ^ (unsigned char)*k) * 1099511628211ULL;
    return h;
}

static int same_key(const bank_student *s, const char *name, const char *canvas_id)
{
    return canvas_id ? s->canvas_id && strcmp(s->canvas_id, canvas_id) == 0
                     : !s->canvas_id && strcmp(s->name, name) == 0;
}

size_t bank_class_find(const bank_class *c, const char *name, const char *canvas_id)
{
    if (!c->index_cap) return SIZE_MAX;
    for (size_t i = key_hash(name, canvas_id) & (c->index_cap - 1);; i = (i + 1) & (c->index_cap - 1)) {
        size_t v = c->index[i];
        if (v == 0) return SIZE_MAX;
        if (same_key(&c->students[v - 1], name, canvas_id)) return v - 1;
    }
}

static int index_student(bank_class *c, size_t at)
{
    if ((c->n + 1) * 2 > c->index_cap) { /* keep it at most half full: rebuild it twice as big */
        size_t cap = c->index_cap ? c->index_cap * 2 : 128;
        size_t *slots = calloc(cap, sizeof *slots);
        if (!slots) return -1;
        free(c->index);
        c->index = slots;
        c->index_cap = cap;
        for (size_t k = 0; k < c->n; k++)
            if (k != at) index_student(c, k);
    }
    const bank_student *s = &c->students[at];
    size_t i = key_hash(s->name, s->canvas_id) & (c->index_cap - 1);
    while (c->index[i]) i = (i + 1) & (c->index_cap - 1);
    c->index[i] = at + 1;
    return 0;
}

bank_student *bank_class_student(bank_class *c, const char *name, const char *canvas_id, int late)
{
    size_t found = bank_class_find(c, name, canvas_id);
    if (found != SIZE_MAX) {
        c->students[found].late |= late;
        return &c->students[found];
    }
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 64;
        bank_student *ns = realloc(c->students, ncap * sizeof *ns);
        if (!ns) return NULL;
        c->students = ns;
        c->cap = ncap;
    }
    bank_student *s = &c->students[c->n];
    memset(s, 0, sizeof *s);
    s->name = strdup(name);
    s->canvas_id = canvas_id ? strdup(canvas_id) : NULL;
    if (!s->name || (canvas_id && !s->canvas_id) || index_student(c, c->n) != 0) {
        free(s->name);
        free(s->canvas_id);
        return NULL;
    }
    s->late = late;
    c->n++;
    return s;
}

int bank_class_add_file(bank_student *s, const char *name, const char *source, const char *disk_path,
                        char *data, size_t len)
{
    if (s->n_files == s->cap_files) {
        size_t ncap = s->cap_files ? s->cap_files * 2 : 8;
        bank_class_file *nf = realloc(s->files, ncap * sizeof *nf);
        if (!nf) return -1;
        s->files = nf;
        s->cap_files = ncap;
    }
    char *copy = strdup(name), *where = strdup(source), *disk = disk_path ? strdup(disk_path) : NULL;
    if (!copy || !where || (disk_path && !disk)) {
        free(copy);
        free(where);
        free(disk);
        return -1;
    }
    s->files[s->n_files++] =
        (bank_class_file){.name = copy, .source = where, .disk_path = disk, .data = data, .len = len};
    return 0;
}

/* Names that are code, documents, media or build output: never an output, never read. */
int bank_class_never_output(const char *name)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    static const char *const stems[] = {"readme", "license", "licence", "makefile", "dockerfile",
                                        "cmakelists.txt", "requirements.txt"};
    for (size_t i = 0; i < sizeof stems / sizeof stems[0]; i++)
        if (strncasecmp(base, stems[i], strlen(stems[i])) == 0) return 1;
    const char *dot = strrchr(base, '.');
    if (!dot) return 0;
    static const char *const exts[] = {
        "py", "pyc", "pyo", "pyi", "ipynb", "proto", "c", "h", "cc", "cpp", "cxx", "hpp", "hh",
        "java", "class", "jar", "kt", "scala", "go", "rs", "rb", "js", "mjs", "cjs", "ts", "tsx",
        "jsx", "cs", "swift", "php", "pl", "lua", "r", "m", "sh", "bash", "zsh", "bat", "cmd",
        "ps1", "sql", "md", "markdown", "rst", "pdf", "doc", "docx", "odt", "rtf", "ppt", "pptx",
        "xls", "xlsx", "tex", "html", "htm", "css", "xml", "svg", "png", "jpg", "jpeg", "gif",
        "bmp", "ico", "webp", "mp4", "mov", "avi", "mkv", "webm", "mp3", "wav", "m4a", "o", "a",
        "so", "dll", "exe", "dylib", "whl", "egg", "pkl", "pickle", "pb", "lock", "toml", "yml",
        "yaml", "cfg", "ini", "mod", "sum", "gradle", "iml", "gz", "bz2", "xz", "7z", "rar"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (strcasecmp(dot + 1, exts[i]) == 0) return !bank_archive_name(base);
    return 0;
}

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const bank_class_file *)a)->name, ((const bank_class_file *)b)->name);
}

static int cmp_student(const void *a, const void *b)
{
    return strcmp(((const bank_student *)a)->name, ((const bank_student *)b)->name);
}

int bank_class_finish(bank_class *c, char *err, size_t errlen)
{
    free(c->index);
    c->index = NULL;
    c->index_cap = 0;
    if (c->n > 1) qsort(c->students, c->n, sizeof *c->students, cmp_student);
    /* Canvas students go by their name part; two with one name (or none) by name and id. Sorted,
     * students of one name are neighbours: mark them all, then rename. */
    int lost = 0;
    for (size_t i = 0; i < c->n; i++) lost |= c->students[i].lost_note;
    char *shared = lost ? NULL : calloc(c->n ? c->n : 1, 1);
    if (!shared) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < c->n; i++) {
        const char *name = c->students[i].name;
        shared[i] = !name[0] || (i > 0 && strcmp(c->students[i - 1].name, name) == 0) ||
                    (i + 1 < c->n && strcmp(c->students[i + 1].name, name) == 0);
    }
    int rc = 0, renamed = 0;
    for (size_t i = 0; i < c->n && rc == 0; i++) {
        bank_student *s = &c->students[i];
        if (s->n_files > 1) qsort(s->files, s->n_files, sizeof *s->files, cmp_file);
        if (!s->canvas_id || !shared[i]) continue;
        size_t len = strlen(s->name) + strlen(s->canvas_id) + 2;
        char *n = malloc(len);
        if (!n) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
            break;
        }
        snprintf(n, len, "%s%s%s", s->name, s->name[0] ? "_" : "", s->canvas_id);
        free(s->name);
        s->name = n;
        renamed = 1;
    }
    free(shared);
    if (renamed) qsort(c->students, c->n, sizeof *c->students, cmp_student);
    return rc;
}

/* ---- an archive a student submitted ---- */

typedef struct {
    bank_student *s;
    const char *prefix; /* the archive's name inside the submission, "p.zip" */
    const char *source; /* the archive's source, "class/bob/p.zip" */
    int oom;
} nested_ctx;

static size_t nested_want(void *ctx, const char *path)
{
    nested_ctx *n = ctx;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (base[0] == '.') return 0;
    if (bank_archive_name(path)) {
        bank_class_note(n->s, "%s/%s not opened: an archive inside an archive", n->prefix, path);
        return 0;
    }
    return bank_class_never_output(path) ? 0 : BANK_CLASS_MAX_FILE;
}

static int nested_take(void *ctx, const char *path, char *data, size_t len, char *err, size_t errlen)
{
    nested_ctx *n = ctx;
    char name[4096], source[4096 + 256];
    snprintf(name, sizeof name, "%s/%s", n->prefix, path);
    snprintf(source, sizeof source, "%s:%s", n->source, path);
    if (bank_class_add_file(n->s, name, source, NULL, data, len) != 0) {
        free(data);
        snprintf(err, errlen, "out of memory");
        n->oom = 1;
        return -1;
    }
    return 0;
}

static void nested_too_big(void *ctx, const char *path, size_t limit)
{
    nested_ctx *n = ctx;
    bank_class_note(n->s, "%s/%s not read: larger than %zu MiB", n->prefix, path, limit >> 20);
}

int bank_class_open_nested(bank_student *s, const char *name, const char *source, const char *disk_path,
                           const char *data, size_t len, bank_archive_budget *b, char *err,
                           size_t errlen)
{
    nested_ctx n = {s, name, source, 0};
    bank_archive_visitor v = {&n, nested_want, nested_take, nested_too_big};
    char why[600];
    size_t files_before = s->n_files;
    errno = 0;
    int rc = disk_path ? bank_archive_read_file(disk_path, b, &v, why, sizeof why)
                       : bank_archive_read_memory(data, len, source, b, &v, why, sizeof why);
    if (rc == 0) return 0;
    if (n.oom || bank_reader_out_of_memory(why)) { /* not the archive's fault: no note for it */
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    /* A student's own archive that is refused costs that student its members, not the class. */
    while (s->n_files > files_before) {
        bank_class_file *f = &s->files[--s->n_files];
        free(f->name);
        free(f->source);
        free(f->disk_path);
        free(f->data);
    }
    /* "SOURCE: what; refused" says "NAME not opened: what" in the student's row */
    const char *what = why;
    size_t src_len = strlen(source);
    if (strncmp(what, source, src_len) == 0 && what[src_len] == ':' && what[src_len + 1] == ' ')
        what += src_len + 2;
    size_t what_len = strlen(what);
    if (what_len >= 9 && strcmp(what + what_len - 9, "; refused") == 0) what_len -= 9;
    bank_class_note(s, "%s not opened: %.*s", name, (int)what_len, what);
    return 0;
}

void bank_student_release(bank_student *s)
{
    for (size_t i = 0; i < s->n_files; i++) {
        free(s->files[i].data);
        s->files[i].data = NULL;
    }
}

void bank_class_free(bank_class *c)
{
    for (size_t i = 0; i < c->n; i++) {
        bank_student *s = &c->students[i];
        for (size_t j = 0; j < s->n_files; j++) {
            free(s->files[j].name);
            free(s->files[j].source);
            free(s->files[j].disk_path);
            free(s->files[j].data);
        }
        free(s->files);
        free(s->name);
        free(s->canvas_id);
        free(s->notes);
    }
    free(c->students);
    free(c->index);
    memset(c, 0, sizeof *c);
}
