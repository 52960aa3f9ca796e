/* Choosing a student's output among their files: what reads as an output for the input comes
 * first, then names like output*, then the file that answers most of the input's events, then the
 * shallowest, then by name. The project's reader decides what reads as an output. */
#include "class_choice.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "class_build.h"
#include "grade.h"
#include "io/input.h"
#include "io/student_output.h"

/* ---- Project 1's reader ---- */

static int p1_probe(const void *input, const char *source, const char *data, size_t len,
                    size_t *answered, char *err, size_t errlen)
{
    bank_student_output so;
    errno = 0;
    if (bank_student_output_parse(data, len, source, &so, err, errlen) != 0)
        return bank_reader_out_of_memory(err) ? -1 : 1;
    /* How much of the input it answers is the same in every mode (the structural verdicts,
     * spec G8); --exact is the cheap one. */
    bank_grade_options opt = {BANK_GRADE_EXACT, BANK_SCHEDULE_SEQUENTIAL, 0};
    bank_grade_report rep;
    int rc = bank_grade(input, &so, &opt, &rep, err, errlen);
    bank_student_output_free(&so);
    if (rc != 0) return -1;
    *answered = 0;
    for (size_t i = 0; i < rep.n; i++) {
        bank_verdict_kind k = rep.verdicts[i].kind;
        *answered += k != BANK_VERDICT_MISSING && k != BANK_VERDICT_WRONG_INTERFACE &&
                     k != BANK_VERDICT_EXTRA;
    }
    bank_grade_report_free(&rep);
    return 0;
}

const bank_project_reader bank_project1_reader = {"Project 1", p1_probe};

int bank_reader_out_of_memory(const char *why)
{
    return errno == ENOMEM && strstr(why, "out of memory") != NULL;
}

/* ---- names ---- */

static const char *last_part(const char *name)
{
    const char *slash = strrchr(name, '/');
    return slash ? slash + 1 : name;
}

int bank_class_name_matches(const char *pattern, const char *name)
{
    return fnmatch(pattern, name, 0) == 0 || fnmatch(pattern, last_part(name), 0) == 0;
}

/* 0: "output*"; 1: "output", "result" or a word "out" in it; 2: anything else. */
static int name_rank(const char *name)
{
    const char *base = last_part(name);
    if (strncasecmp(base, "output", 6) == 0) return 0;
    if (strcasestr(base, "output") || strcasestr(base, "result")) return 1;
    for (const char *p = base; (p = strcasestr(p, "out")) != NULL; p += 3) {
        int before = p == base || !((p[-1] | 0x20) >= 'a' && (p[-1] | 0x20) <= 'z');
        int after = !((p[3] | 0x20) >= 'a' && (p[3] | 0x20) <= 'z');
        if (before && after) return 1;
    }
    return 2;
}

static size_t depth(const char *name)
{
    size_t d = 0;
    for (; *name; name++) d += *name == '/';
    return d;
}

typedef struct {
    const bank_class_file *f;
    int reads, rank;
    size_t answered, depth;
    char why[600];
} candidate;

/* Negative when a is the better output. */
static int better(const candidate *a, const candidate *b)
{
    if ((a->answered > 0) != (b->answered > 0)) return a->answered > 0 ? -1 : 1;
    if (a->rank != b->rank) return a->rank - b->rank;
    if (a->answered != b->answered) return a->answered > b->answered ? -1 : 1;
    if (a->depth != b->depth) return a->depth < b->depth ? -1 : 1;
    return strcmp(a->f->name, b->f->name);
}

int bank_choose_output(const bank_student *s, const bank_project_reader *r, const void *input,
                       const char *pattern, const bank_class_file *except, bank_output_choice *out,
                       char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    candidate *cs = calloc(s->n_files ? s->n_files : 1, sizeof *cs);
    if (!cs) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; i < s->n_files && rc == 0; i++) {
        const bank_class_file *f = &s->files[i];
        if (f == except || (pattern && !bank_class_name_matches(pattern, f->name))) continue;
        candidate *c = &cs[n++];
        c->f = f;
        c->rank = name_rank(f->name);
        c->depth = depth(f->name);
        const char *data;
        size_t len;
        char *owned;
        errno = 0;
        if (bank_class_file_read(f, &data, &len, &owned, c->why, sizeof c->why) != 0) {
            if (bank_reader_out_of_memory(c->why)) { /* not the file's fault: the student cannot be judged */
                snprintf(err, errlen, "%s", c->why);
                rc = -1;
            }
            continue;
        }
        int p = r->probe(input, f->source, data, len, &c->answered, c->why, sizeof c->why);
        free(owned);
        if (p < 0) {
            snprintf(err, errlen, "%s", c->why);
            rc = -1;
        }
        c->reads = p == 0;
    }
    const candidate *best = NULL, *meant = NULL;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const candidate *c = &cs[i];
        if (c->reads && (!best || better(c, best) < 0)) best = c;
        /* a file meant as the output that does not read is reported rather than passed over in
         * silence: it matches --pattern, is named like an output, or is all the student sent */
        int alone = s->n_files == 1 && !strcasestr(last_part(c->f->name), "input");
        if (!c->reads && (pattern || c->rank < 2 || alone) &&
            (!meant || c->rank < meant->rank || (c->rank == meant->rank && c->depth < meant->depth)))
            meant = c;
    }
    if (best) {
        out->output = best->f;
        for (size_t i = 0; i < n && rc == 0; i++)
            if (cs[i].reads && &cs[i] != best && bank_class_join(&out->others, ", ", cs[i].f->name) != 0) {
                snprintf(err, errlen, "out of memory");
                rc = -1;
            }
    } else if (meant) {
        out->unusable = meant->f;
        snprintf(out->why, sizeof out->why, "%s", meant->why);
    }
    free(cs);
    if (rc != 0) bank_output_choice_free(out);
    return rc;
}

void bank_output_choice_free(bank_output_choice *c)
{
    free(c->others);
    memset(c, 0, sizeof *c);
}

int bank_choose_input(const bank_student *s, const char *pattern, const bank_class_file **file,
                      bank_workload *w, char *why, size_t whylen)
{
    *file = NULL;
    why[0] = '\0';
    /* shallowest first: files are sorted by name, so walk the depths in turn */
    size_t deepest = 0;
    for (size_t i = 0; i < s->n_files; i++)
        if (depth(s->files[i].name) > deepest) deepest = depth(s->files[i].name);
    for (size_t d = 0; d <= deepest; d++) {
        for (size_t i = 0; i < s->n_files; i++) {
            const bank_class_file *f = &s->files[i];
            if (depth(f->name) != d || !bank_class_name_matches(pattern, f->name)) continue;
            const char *data;
            size_t len;
            char *owned, line[600];
            errno = 0;
            int rc = bank_class_file_read(f, &data, &len, &owned, line, sizeof line);
            if (rc == 0) rc = bank_input_parse(data, len, f->source, w, line, sizeof line);
            free(owned);
            if (rc == 0) {
                *file = f;
                return 0;
            }
            if (bank_reader_out_of_memory(line)) { /* not a file that does not read: none can be chosen */
                snprintf(why, whylen, "%s", line);
                return -1;
            }
            if (!why[0]) snprintf(why, whylen, "%s", line);
        }
    }
    if (!why[0]) snprintf(why, whylen, "no file matches --input-pattern %s", pattern);
    return 1;
}
