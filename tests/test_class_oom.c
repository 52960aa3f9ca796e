/* Out of memory while a class is read and graded: every allocation of bank_class_load (a folder,
 * Canvas's zip), bank_class_load_student (a folder, an archive), bank_archive_read_memory,
 * bank_choose_output, bank_choose_input and bank_grade_student is made to fail in turn, on a
 * small class made in a temporary folder. Each failure must return the error status with "out of
 * memory" in err, leak nothing and leave the output empty, and a run that can allocate must give
 * what an unarmed run gives. libarchive's own allocations are not the project's (a shared
 * library): what is swept is every allocation around it. */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/grade_class.h"
#include "grade/archive_read.h"
#include "grade/class_batch.h"
#include "grade/class_choice.h"
#include "grade/class_grade.h"
#include "io/input.h"
#include "oom_cli.h"

TestSuite(class_oom, .init = oom_count_cjson);

/* ---- the class ---- */

static const char sample_input[] =
    "[{\"id\": 1, \"type\": \"customer\", \"events\": [{\"id\": 1, \"interface\": \"query\"}]},\n"
    " {\"id\": 2, \"type\": \"customer\", \"events\": [{\"id\": 2, \"interface\": \"deposit\", \"money\": 170},"
    " {\"id\": 3, \"interface\": \"query\"}]},\n"
    " {\"id\": 1, \"type\": \"branch\", \"balance\": 400}, {\"id\": 2, \"type\": \"branch\", \"balance\": 400}]";
static const char all_right[] = "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}]},"
                                " {\"id\": 2, \"recv\": [{\"interface\": \"deposit\", \"result\": \"success\"},"
                                " {\"interface\": \"query\", \"balance\": 570}]}]";
static const char one_wrong[] = "{'id': 1, 'recv': [{'interface': 'query', 'balance': 400}]}\n"
                                "{'id': 2, 'recv': [{'interface': 'deposit', 'result': 'success'}, "
                                "{'interface': 'query', 'balance': 999}]}\n";
static const char all_right_python[] = "{'id': 1, 'recv': [{'interface': 'query', 'balance': 400}]}\n"
                                       "{'id': 2, 'recv': [{'interface': 'deposit', 'result': 'success'}, "
                                       "{'interface': 'query', 'balance': 570}]}\n";
static const char one_answer[] = "[{\"id\": 1, \"recv\": [{\"interface\": \"query\", \"balance\": 400}]}]";
static const char broken[] = "{'id': 1, 'recv': [{'interface': 'query', result: 'success'}]}";

typedef struct {
    const char *name, *data;
    size_t len; /* 0: strlen(data) */
} member;

/* A zip of the members, malloc'ed into *len bytes. */
static char *zip_of(const member *m, size_t n, size_t *len)
{
    size_t cap = 1 << 16;
    char *buf = malloc(cap);
    struct archive *a = archive_write_new();
    cr_assert_eq(archive_write_set_format_zip(a), ARCHIVE_OK);
    cr_assert_eq(archive_write_open_memory(a, buf, cap, len), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        size_t size = m[i].len ? m[i].len : strlen(m[i].data);
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, m[i].name);
        archive_entry_set_size(e, (la_int64_t)size);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK);
        cr_assert_eq(archive_write_data(a, m[i].data, size), (la_ssize_t)size);
        archive_entry_free(e);
    }
    cr_assert_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    return buf;
}

static char root[] = "/tmp/bank-class-oom-XXXXXX";

/* Writes root/rel (its folders made), len bytes (0: strlen(data)). */
static void put(const char *rel, const char *data, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0700);
        *p = '/';
    }
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    fwrite(data, 1, len ? len : strlen(data), f);
    fclose(f);
}

/* carol's submission: a zip of a folder, a document (never read) and an archive inside it. */
static char *carol_zip(size_t *len)
{
    size_t inner_len;
    char *inner = zip_of((member[]){{"output.json", all_right, 0}}, 1, &inner_len);
    member m[] = {{"project/output.json", one_wrong, 0}, {"project/README.md", "# p1", 0},
                  {"project/old.zip", inner, inner_len}};
    char *zip = zip_of(m, 3, len);
    free(inner);
    return zip;
}

/* root/class: alice (an output and code), bob (his own input, two outputs in a nested folder),
 * carol (a zip), dave (a loose file that does not read); root/canvas.zip: Canvas's download of
 * alice, bob (late) and carol; root/ok: a class with every event right (a folder, a nested
 * folder, a loose zip); root/folders.zip: a class zipped as a folder per student, and a loose
 * alice.txt, another student than the folder alice (G30); root/namesakes.zip: Canvas's download
 * of two students of one name. */
static void make_class(void)
{
    cr_assert_not_null(mkdtemp(root));
    put("class/alice/output.json", all_right, 0);
    put("class/alice/main.py", "print('hi')\n", 0);
    put("class/bob/input.json", sample_input, 0);
    put("class/bob/run/out.txt", one_wrong, 0);
    put("class/bob/run/log.txt", one_answer, 0);
    size_t carol_len, canvas_len;
    char *carol = carol_zip(&carol_len);
    put("class/carol/project.zip", carol, carol_len);
    put("class/dave.txt", broken, 0);
    member canvas[] = {{"alice_1001_5001_output.json", all_right, 0},
                       {"bob_LATE_1002_5002_out.txt", one_wrong, 0},
                       {"carol_1003_5003_project.zip", carol, carol_len}};
    char *zip = zip_of(canvas, 3, &canvas_len);
    put("canvas.zip", zip, canvas_len);
    free(zip);
    put("ok/alice/output.json", all_right, 0);
    put("ok/frank/run/out.txt", all_right_python, 0);
    zip = zip_of((member[]){{"output.json", all_right, 0}}, 1, &canvas_len);
    put("ok/gina.zip", zip, canvas_len);
    free(zip);
    zip = zip_of((member[]){{"alice/output.json", all_right, 0}, {"bob/run/out.txt", one_wrong, 0},
                            {"bob/input.json", sample_input, 0}, {"alice.txt", one_answer, 0}}, 4, &canvas_len);
    put("folders.zip", zip, canvas_len);
    free(zip);
    zip = zip_of((member[]){{"smith_1001_5001_output.json", all_right, 0}, {"smith_1002_5002_output.json", one_wrong, 0}},
                 2, &canvas_len);
    put("namesakes.zip", zip, canvas_len);
    free(zip);
    free(carol);
}

static void remove_class(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_expect_eq(system(cmd), 0);
}

/* ---- reading a class ---- */

static int same_file(const bank_class_file *a, const bank_class_file *b)
{
    return strcmp(a->name, b->name) == 0 && strcmp(a->source, b->source) == 0 &&
           oom_same_text(a->disk_path, b->disk_path) && a->len == b->len && (a->data == NULL) == (b->data == NULL) &&
           (!a->data || memcmp(a->data, b->data, a->len) == 0);
}

static int same_class(const bank_class *a, const bank_class *b)
{
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++) {
        const bank_student *x = &a->students[i], *y = &b->students[i];
        if (strcmp(x->name, y->name) != 0 || !oom_same_text(x->canvas_id, y->canvas_id) || x->late != y->late ||
            !oom_same_text(x->notes, y->notes) || x->n_files != y->n_files)
            return 0;
        for (size_t f = 0; f < x->n_files; f++)
            if (!same_file(&x->files[f], &y->files[f])) return 0;
    }
    return 1;
}

typedef struct {
    char path[256];
    const char *student; /* bank_class_load_student's name; NULL: bank_class_load */
    bank_class want;
} load_case;

static int load(load_case *c, bank_class *cls, char *err, size_t errlen)
{
    return c->student ? bank_class_load_student(c->path, c->student, cls, err, errlen)
                      : bank_class_load(c->path, cls, err, errlen);
}

static int load_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    load_case *c = arg;
    bank_class cls;
    int rc = load(c, &cls, err, errlen);
    *ok = rc == 0 ? same_class(&cls, &c->want) : oom_zeroed(&cls, sizeof cls);
    bank_class_free(&cls);
    return rc;
}

Test(class_oom, class_load_fails_cleanly_at_every_allocation, .init = make_class, .fini = remove_class)
{
    struct {
        const char *rel, *student;
        size_t students, least; /* the students it holds; the least allocation failures expected */
    } cases[] = {
        {"class", NULL, 4, 20},                 /* a folder */
        {"canvas.zip", NULL, 3, 15},            /* Canvas's zip (bank_class_load_archive) */
        {"folders.zip", NULL, 3, 20},           /* a zip of the students' folders */
        {"namesakes.zip", NULL, 2, 10},         /* two Canvas students of one name, named by id too */
        {"class/bob", "bob", 1, 6},             /* one submission, a folder */
        {"class/carol/project.zip", "carol", 1, 5}, /* one submission, an archive */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        load_case c = {"", cases[i].student, {0}};
        char err[800], what[300];
        snprintf(c.path, sizeof c.path, "%s/%s", root, cases[i].rel);
        cr_assert_eq(load(&c, &c.want, err, sizeof err), 0, "%s", err);
        cr_assert_eq(c.want.n, cases[i].students, "%s", c.path);
        snprintf(what, sizeof what, "%s (%s)", c.student ? "bank_class_load_student" : "bank_class_load",
                 cases[i].rel);
        oom_counts k = oom_sweep(what, load_attempt, &c, -1, "", "out of memory");
        cr_expect_geq(k.failed, cases[i].least, "%s", what);
        bank_class_free(&c.want);
    }
}

/* ---- an archive in memory ---- */

typedef struct {
    size_t members, bytes;
} taken;

static size_t want_all(void *ctx, const char *path)
{
    (void)ctx, (void)path;
    return 1 << 20;
}

static int take_count(void *ctx, const char *path, char *data, size_t len, char *err, size_t errlen)
{
    (void)path, (void)err, (void)errlen;
    taken *t = ctx;
    t->members++;
    t->bytes += len;
    free(data);
    return 0;
}

typedef struct {
    char *zip;
    size_t len;
} memory_case;

static int memory_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    memory_case *c = arg;
    taken t = {0, 0};
    bank_archive_visitor v = {&t, want_all, take_count, NULL};
    bank_archive_budget b;
    bank_archive_budget_init(&b);
    int rc = bank_archive_read_memory(c->zip, c->len, "mem.zip", &b, &v, err, errlen);
    *ok = rc != 0 || (t.members == 2 && t.bytes == 70002);
    return rc;
}

Test(class_oom, archive_read_memory_fails_cleanly_at_every_allocation)
{
    char *big = malloc(70000);
    memset(big, 'x', 70000);
    memory_case c = {NULL, 0};
    c.zip = zip_of((member[]){{"big.txt", big, 70000}, {"small.txt", "hi", 0}}, 2, &c.len);
    free(big);
    oom_counts k = oom_sweep("bank_archive_read_memory", memory_attempt, &c, -1, "mem.zip: ", "out of memory");
    cr_expect_eq(k.failed, 3, "the big member's buffer and its growth past 64 KiB, the small one's");
    free(c.zip);
}

/* ---- choosing and grading ---- */

typedef struct {
    const bank_student *s;
    const char *input_pattern;
    bank_class_options o;
    bank_output_choice choice;  /* unarmed */
    const bank_class_file *own; /* unarmed */
    bank_workload own_w;
    char own_why[600];
    int own_rc;
    bank_student_grade want;
} grade_case;

static int choose_output_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    grade_case *c = arg;
    bank_output_choice ch;
    int rc = bank_choose_output(c->s, &bank_project1_reader, c->o.course, NULL, NULL, &ch, err, errlen);
    *ok = rc == 0 ? ch.output == c->choice.output && ch.unusable == c->choice.unusable &&
                        oom_same_text(ch.others, c->choice.others) && strcmp(ch.why, c->choice.why) == 0
                  : oom_zeroed(&ch, sizeof ch);
    bank_output_choice_free(&ch);
    return rc;
}

static int choose_input_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    grade_case *c = arg;
    const bank_class_file *f = (void *)c; /* not NULL: it must be set */
    bank_workload w;
    int rc = bank_choose_input(c->s, "input*.json", &f, &w, err, errlen);
    if (rc < 0) {
        *ok = f == NULL;
        return rc;
    }
    /* "none reads" is the unarmed answer for most students: as a 0 here, it must be theirs */
    *ok = rc == c->own_rc && f == c->own &&
          (rc != 0 || bank_workload_event_count(&w) == bank_workload_event_count(&c->own_w));
    if (rc == 0) bank_workload_free(&w);
    return 0;
}

static int same_row(const bank_student_grade *a, const bank_student_grade *b)
{
    const bank_graded_file *x = &a->row, *y = &b->row;
    return a->graded == b->graded && a->has_own == b->has_own && strcmp(a->error, b->error) == 0 &&
           oom_same_text(x->student, y->student) && oom_same_text(x->file, y->file) &&
           oom_same_text(x->path, y->path) && oom_same_text(x->others, y->others) &&
           oom_same_text(x->notes, y->notes) && oom_same_text(x->format, y->format) && x->n_events == y->n_events &&
           (x->report == NULL) == (y->report == NULL) &&
           (!x->report || (x->report->n_correct == y->report->n_correct && x->report->n_wrong == y->report->n_wrong &&
                           x->report->first_wrong == y->report->first_wrong));
}

static int grade_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    grade_case *c = arg;
    bank_student_grade g;
    int rc = bank_grade_student(c->s, &c->o, &g, err, errlen);
    *ok = rc == 0 ? same_row(&g, &c->want) : oom_zeroed(&g, sizeof g);
    bank_student_grade_free(&g);
    return rc;
}

Test(class_oom, choosing_and_grading_fail_cleanly_at_every_allocation, .init = make_class, .fini = remove_class)
{
    char path[256], err[800];
    snprintf(path, sizeof path, "%s/class", root);
    bank_class cls;
    bank_workload course;
    cr_assert_eq(bank_class_load(path, &cls, err, sizeof err), 0, "%s", err);
    cr_assert_eq(bank_input_parse(sample_input, strlen(sample_input), "in.json", &course, err, sizeof err), 0);
    bank_grade_options go = {BANK_GRADE_CONSISTENT, BANK_SCHEDULE_SEQUENTIAL, 0};
    long graded = 0;
    for (size_t i = 0; i < cls.n; i++)
        for (int own = 0; own < 2; own++) {
            grade_case c = {.s = &cls.students[i],
                            .o = {&course, NULL, own ? "input*.json" : NULL, &go, &bank_project1_reader, NULL}};
            char what[300];
            cr_assert_eq(bank_grade_student(c.s, &c.o, &c.want, err, sizeof err), 0, "%s", err);
            graded += c.want.graded;
            snprintf(what, sizeof what, "bank_grade_student (%s%s)", c.s->name, own ? ", --input-pattern" : "");
            oom_counts k = oom_sweep(what, grade_attempt, &c, -1, "", "out of memory");
            cr_expect_geq(k.failed, 1, "%s", what);
            bank_student_grade_free(&c.want);
            if (own) continue;
            /* the two choices on their own */
            cr_assert_eq(bank_choose_output(c.s, &bank_project1_reader, &course, NULL, NULL, &c.choice, err,
                                            sizeof err), 0, "%s", err);
            snprintf(what, sizeof what, "bank_choose_output (%s)", c.s->name);
            oom_sweep(what, choose_output_attempt, &c, -1, "", "out of memory");
            bank_output_choice_free(&c.choice);
            c.own_rc = bank_choose_input(c.s, "input*.json", &c.own, &c.own_w, c.own_why, sizeof c.own_why);
            cr_assert_geq(c.own_rc, 0, "%s", c.own_why);
            snprintf(what, sizeof what, "bank_choose_input (%s)", c.s->name);
            oom_sweep(what, choose_input_attempt, &c, -1, "", "out of memory");
            if (c.own_rc == 0) bank_workload_free(&c.own_w);
        }
    cr_expect_eq(graded, 6, "alice, bob and carol graded, with and without their own input");
    bank_workload_free(&course);
    bank_class_free(&cls);
}

/* ---- the command line's class: bank_grade_batch and bank_grade_folder ---- */

typedef struct {
    oom_command cmd; /* arg: this case */
    char path[256], report[256];
    int folder; /* bank_grade_folder, else bank_grade_batch */
    bank_class_args args;
    const bank_workload *course;
    bank_report_context ctx;
} cli_case;

static int run_cli(void *arg)
{
    cli_case *c = arg;
    return c->folder ? bank_grade_folder(c->path, &c->args, c->course, &c->ctx)
                     : bank_grade_batch(c->path, &c->args, c->course, &c->ctx);
}

Test(class_oom, the_command_lines_class_fails_cleanly_at_every_allocation, .init = make_class,
     .fini = remove_class)
{
    bank_workload course;
    char err[512];
    cr_assert_eq(bank_input_parse(sample_input, strlen(sample_input), "in.json", &course, err, sizeof err), 0);
    bank_grade_options go = {BANK_GRADE_CONSISTENT, BANK_SCHEDULE_SEQUENTIAL, 0};
    for (int run = 0; run < 4; run++) {
        static cli_case c;
        memset(&c, 0, sizeof c);
        int folder = run & 1, json = run >> 1;
        snprintf(c.path, sizeof c.path, "%s/%s", root, folder ? "ok/frank" : "ok");
        snprintf(c.report, sizeof c.report, "%s/%s", root,
                 folder ? "results.json" : json ? "report.json" : "report.csv");
        c.folder = folder;
        c.args.grade = &go;
        c.args.json = json;
        c.args.report = folder ? NULL : c.report;
        c.args.out.gradescope = folder && json ? c.report : NULL;
        c.course = &course;
        c.ctx = (bank_report_context){.input = "in.json", .mode = "consistent"};
        /* G14 gives a class that cannot be read 2, and a failure while grading 1: both are errors */
        c.cmd = (oom_command){.run = run_cli, .arg = &c, .file = c.report, .usage_fails = 1};
        oom_command_run(&c.cmd, &c.cmd.want);
        cr_assert_eq(c.cmd.want.status, BANK_EXIT_OK, "%s", c.cmd.want.errs);
        const char *what = (const char *[]){"bank_grade_batch (--report CSV)", "bank_grade_folder",
                                             "bank_grade_batch (--json, --report JSON)",
                                             "bank_grade_folder (--json, --gradescope)"}[run];
        oom_counts k = oom_sweep(what, oom_command_attempt, &c.cmd, BANK_EXIT_FAILED, "bank grade: ", "out of memory");
        cr_expect_geq(k.failed, 20, "%s", what);
    }
    bank_workload_free(&course);
}

/* libarchive's reader cannot be made (out of memory inside the library): each way in fails with
 * "SOURCE: out of memory" and ENOMEM, the visitor never called. */
static int fail_reader;
struct archive *__real_archive_read_new(void);
struct archive *__wrap_archive_read_new(void);
struct archive *__wrap_archive_read_new(void) { return fail_reader ? NULL : __real_archive_read_new(); }

static size_t never_want(void *ctx, const char *path)
{
    (void)path;
    ++*(int *)ctx;
    return 0;
}

/* rule: G34 */
Test(class_oom, no_archive_reader_is_out_of_memory)
{
    size_t len;
    member m[] = {{"output.json", all_right, 0}};
    char *zip = zip_of(m, 1, &len);
    char path[] = "/tmp/bank-class-oom-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, zip, len), (ssize_t)len);
    close(fd);
    int called = 0;
    bank_archive_visitor v = {&called, never_want, NULL, NULL};
    bank_archive_budget b;
    bank_archive_budget_init(&b);
    char err[512] = "";
    fail_reader = 1;
    errno = 0;
    cr_expect_eq(bank_archive_read_memory(zip, len, "s.zip", &b, &v, err, sizeof err), -1);
    cr_expect_eq(errno, ENOMEM);
    cr_expect_str_eq(err, "s.zip: out of memory");
    errno = 0;
    cr_expect_eq(bank_archive_read_file(path, &b, &v, err, sizeof err), -1);
    cr_expect_eq(errno, ENOMEM);
    char want[600];
    snprintf(want, sizeof want, "%s: out of memory", path);
    cr_expect_str_eq(err, want);
    fail_reader = 0;
    cr_expect_eq(called, 0);
    cr_expect_eq(bank_archive_read_memory(zip, len, "s.zip", &b, &v, err, sizeof err), 0, "%s", err);
    cr_expect_eq(bank_archive_read_file(path, &b, &v, err, sizeof err), 0, "%s", err);
    cr_expect_eq(called, 2, "read once each when the reader can be made");
    unlink(path);
    free(zip);
}
