/* Loading a class from the disk: a folder (a subfolder or loose files per student, Canvas's
 * download unzipped), what a submission may cost, and folders that cannot be read. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grade/class_batch.h"
#include "grade/class_build.h"

/* A class or a student's submission that is not there (gone since the command line saw it):
 * one line naming it, nothing loaded. */
Test(class_load, a_path_that_is_not_there)
{
    bank_class cls;
    char err[512];
    cr_assert_eq(bank_class_load_student("/nonexistent/bank-test/alice", "alice", &cls, err, sizeof err), -1);
    cr_assert_str_eq(err, "/nonexistent/bank-test/alice: cannot open: No such file or directory");
    cr_assert_eq(bank_class_load("/nonexistent/bank-test/class", &cls, err, sizeof err), -1);
    cr_assert_str_eq(err, "/nonexistent/bank-test/class: cannot open: No such file or directory");
}

/* An empty file at dir/name, size bytes long (sparse: no disk is spent on it). */
static void touch(const char *dir, const char *name, off_t size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert_geq(fd, 0, "%s", path);
    cr_assert_eq(ftruncate(fd, size), 0);
    close(fd);
}

/* dir/name, made, into sub. */
static void subfolder(const char *dir, const char *name, char *sub, size_t n)
{
    snprintf(sub, n, "%s/%s", dir, name);
    cr_assert_eq(mkdir(sub, 0755), 0, "%s", sub);
}

static char *temp_class(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/bank-test-class-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    return dir;
}

static void remove_tree(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static const bank_student *named(const bank_class *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->students[i].name, name) == 0) return &c->students[i];
    cr_assert_fail("no student named %s", name);
    return NULL;
}

/* An unzipped Canvas download: a loose file per submission, grouped by Canvas id past the index's
 * first rebuild (70 students); students of one name, and an anonymous one, named by their id. */
/* rule: G32 */
Test(class_load, an_unzipped_canvas_download_groups_its_loose_files)
{
    char *dir = temp_class(), name[128];
    for (int i = 0; i < 70; i++) {
        snprintf(name, sizeof name, "student%02d_%d_%d_output.json", i, 1000 + i, 5000 + i);
        touch(dir, name, 1);
    }
    touch(dir, "student00_1000_5070_input.json", 1);
    touch(dir, "smithjohn_1_5071_output.json", 1);
    touch(dir, "smithjohn_LATE_9_5072_out.txt", 1);
    touch(dir, "anon_x7k2p_5073_output.json", 1);
    touch(dir, "smithjohn_5_5074_output.json", 1);
    touch(dir, "aaa_4_5075_output.json", 1); /* after the anonymous one's "" and before its id */
    bank_class cls;
    char err[512] = "";
    cr_assert_eq(bank_class_load(dir, &cls, err, sizeof err), 0, "%s", err);
    cr_expect_eq(cls.n, 75);
    for (size_t i = 1; i < cls.n; i++) /* by name, the renamed in their place */
        cr_expect_lt(strcmp(cls.students[i - 1].name, cls.students[i].name), 0, "%s, then %s",
                     cls.students[i - 1].name, cls.students[i].name);
    cr_expect_str_eq(named(&cls, "smithjohn_5")->canvas_id, "5");
    const bank_student *s = named(&cls, "student00");
    cr_assert_eq(s->n_files, 2);
    cr_expect_str_eq(s->canvas_id, "1000");
    cr_expect_str_eq(s->files[0].name, "input.json");
    cr_expect_str_eq(s->files[1].name, "output.json");
    s = named(&cls, "student69");
    cr_expect_eq(s->n_files, 1);
    cr_expect_str_eq(s->files[0].name, "output.json");
    s = named(&cls, "smithjohn_1");
    cr_expect_str_eq(s->files[0].name, "output.json");
    cr_expect_not(s->late);
    s = named(&cls, "smithjohn_9");
    cr_expect_str_eq(s->files[0].name, "out.txt");
    cr_expect(s->late);
    cr_expect_str_eq(named(&cls, "anon_x7k2p")->files[0].name, "output.json");
    bank_class_free(&cls);
    remove_tree(dir);
}

/* What a student's folder may cost: a file over 8 MiB is not read, an archive over 64 MiB not
 * opened, files past the 10,000th not looked at; each said once in the student's notes. */
/* rule: G33 */
Test(class_load, a_submission_past_the_limits_is_noted_not_read)
{
    char *dir = temp_class(), sub[4096];
    subfolder(dir, "big", sub, sizeof sub);
    touch(sub, "output.json", (off_t)BANK_CLASS_MAX_FILE + 1);
    touch(sub, "output2.json", (off_t)BANK_CLASS_MAX_FILE);
    touch(sub, "p.zip", (off_t)BANK_CLASS_MAX_ARCHIVE + 1);
    subfolder(dir, "many", sub, sizeof sub);
    touch(sub, "f00000.txt", 0);
    char first[4096 + 16], other[4096 + 16];
    snprintf(first, sizeof first, "%s/f00000.txt", sub);
    for (int i = 1; i < 10003; i++) { /* links to one file: far quicker to make than files */
        snprintf(other, sizeof other, "%s/f%05d.txt", sub, i);
        cr_assert_eq(link(first, other), 0, "%s", other);
    }
    bank_class cls;
    char err[512] = "";
    cr_assert_eq(bank_class_load(dir, &cls, err, sizeof err), 0, "%s", err);
    cr_assert_eq(cls.n, 2);
    const bank_student *s = named(&cls, "big");
    cr_assert_eq(s->n_files, 1);
    cr_expect_str_eq(s->files[0].name, "output2.json");
    cr_assert_not_null(s->notes);
    cr_expect(strstr(s->notes, "output.json not read: larger than 8 MiB"), "%s", s->notes);
    cr_expect(strstr(s->notes, "p.zip not opened: larger than 64 MiB"), "%s", s->notes);
    s = named(&cls, "many");
    cr_expect_eq(s->n_files, 10000);
    cr_expect_str_eq(s->notes, "more than 10000 files: the rest not looked at");
    bank_class_free(&cls);
    remove_tree(dir);
}

/* Out of file descriptors (the one failure of opendir root cannot be spared): the class folder
 * that cannot be opened fails the load with one line; a student's folder is noted, not read. */
Test(class_load, a_folder_that_cannot_be_opened)
{
    char *dir = temp_class(), sub[4096];
    subfolder(dir, "alice", sub, sizeof sub);
    touch(sub, "output.json", 1);
    struct rlimit lim;
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &lim), 0);
    rlim_t was = lim.rlim_cur;
    lim.rlim_cur = 256;
    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &lim), 0);
    int fds[256], n = 0;
    while (n < 256 && (fds[n] = dup(0)) >= 0) n++;
    cr_assert(n > 1 && n < 256, "%d descriptors", n);
    bank_class cls;
    char err[512] = "";
    int rc = bank_class_load(dir, &cls, err, sizeof err);
    close(fds[--n]); /* one left: the class folder opens, the student's does not */
    char err2[512] = "";
    bank_class one;
    int rc2 = bank_class_load(dir, &one, err2, sizeof err2);
    while (n > 0) close(fds[--n]);
    lim.rlim_cur = was;
    setrlimit(RLIMIT_NOFILE, &lim);
    cr_expect_eq(rc, -1);
    char want[600];
    snprintf(want, sizeof want, "%s: cannot open the folder: Too many open files", dir);
    cr_expect_str_eq(err, want);
    cr_assert_eq(rc2, 0, "%s", err2);
    cr_assert_eq(one.n, 1);
    cr_expect_eq(one.students[0].n_files, 0);
    cr_expect_str_eq(one.students[0].notes, "the folder not read: Too many open files");
    bank_class_free(&one);
    remove_tree(dir);
}

/* A loose file named like a student's folder is a student of its own, past the index's first
 * rebuild (70 folders). */
/* rule: G32 */
Test(class_load, a_loose_file_named_like_a_folder_is_its_own_student)
{
    char *dir = temp_class(), name[4096];
    for (int i = 0; i < 70; i++) {
        snprintf(name, sizeof name, "%s/dir%02d", dir, i);
        cr_assert_eq(mkdir(name, 0755), 0);
        touch(name, "output.json", 1);
        snprintf(name, sizeof name, "dir%02d.json", i);
        touch(dir, name, 1);
    }
    bank_class cls;
    char err[512] = "";
    cr_assert_eq(bank_class_load(dir, &cls, err, sizeof err), 0, "%s", err);
    cr_expect_eq(cls.n, 140);
    for (int i = 0; i < 70; i++) {
        snprintf(name, sizeof name, "dir%02d.json", i);
        cr_expect_str_eq(named(&cls, name)->files[0].name, name);
        snprintf(name, sizeof name, "dir%02d", i);
        cr_expect_str_eq(named(&cls, name)->files[0].name, "output.json");
    }
    bank_class_free(&cls);
    remove_tree(dir);
}

/* rule: G30; a student's files: at most 8 folders down; no hidden names, no tool folders; the
 * names of code, documents and build files never read */
Test(class_load, a_student_s_files_eight_folders_down_and_not_the_tools)
{
    char *dir = temp_class(), sub[4096], deep[4096];
    subfolder(dir, "ann", sub, sizeof sub);
    snprintf(deep, sizeof deep, "%s", sub);
    for (int d = 0; d <= 9; d++) {
        char name[16], next[4096];
        snprintf(name, sizeof name, "f%d.txt", d);
        touch(deep, name, 1);
        snprintf(name, sizeof name, "d%d", d + 1);
        subfolder(deep, name, next, sizeof next);
        snprintf(deep, sizeof deep, "%s", next);
    }
    static const char *const skipped[] = {"__pycache__", "node_modules", "venv", "site-packages", "__MACOSX", ".git"};
    for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++) {
        subfolder(sub, skipped[i], deep, sizeof deep);
        touch(deep, "out.txt", 1);
    }
    static const char *const never[] = {".hidden.txt", "CMakeLists.txt", "requirements.txt", "README.txt",
                                        "LICENSE", "Makefile", "Dockerfile", "main.py", "notes.md"};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++) touch(sub, never[i], 1);
    bank_class cls;
    char err[512] = "";
    cr_assert_eq(bank_class_load(dir, &cls, err, sizeof err), 0, "%s", err);
    cr_assert_eq(cls.n, 1);
    const bank_student *s = named(&cls, "ann");
    char names[2048] = "";
    for (size_t i = 0; i < s->n_files; i++) {
        strcat(names, s->files[i].name);
        strcat(names, " ");
    }
    cr_expect_str_eq(names, "d1/d2/d3/d4/d5/d6/d7/d8/f8.txt d1/d2/d3/d4/d5/d6/d7/f7.txt d1/d2/d3/d4/d5/d6/f6.txt "
                            "d1/d2/d3/d4/d5/f5.txt d1/d2/d3/d4/f4.txt d1/d2/d3/f3.txt d1/d2/f2.txt d1/f1.txt f0.txt ");
    cr_expect_null(s->notes, "%s", s->notes);
    bank_class_free(&cls);
    remove_tree(dir);
}

/* bank_class_add_file as class_batch.c calls it (test_class_load is linked with
 * --wrap=bank_class_add_file): refused once, as when out of memory, when refuse_add is set. */
static int refuse_add;
int __real_bank_class_add_file(bank_student *s, const char *name, const char *source, const char *disk_path,
                               char *data, size_t len);
int __wrap_bank_class_add_file(bank_student *s, const char *name, const char *source, const char *disk_path,
                               char *data, size_t len);
int __wrap_bank_class_add_file(bank_student *s, const char *name, const char *source, const char *disk_path,
                               char *data, size_t len)
{
    if (refuse_add) {
        refuse_add = 0;
        return -1;
    }
    return __real_bank_class_add_file(s, name, source, disk_path, data, len);
}

/* A student's file in their folder that cannot be added (out of memory) fails the loading of the
 * class with the line its failure set, "out of memory" (the folder's fallback line, "out of
 * memory reading DIR", is for failures that set none). */
Test(class_load, a_file_that_cannot_be_added_fails_the_load_out_of_memory)
{
    char *dir = temp_class(), sub[4096];
    subfolder(dir, "ann", sub, sizeof sub);
    touch(sub, "out.txt", 1);
    bank_class cls;
    char err[512] = "";
    refuse_add = 1;
    cr_expect_eq(bank_class_load(dir, &cls, err, sizeof err), -1);
    cr_expect_eq(refuse_add, 0, "ann's out.txt was not offered to the class");
    cr_expect_str_eq(err, "out of memory");
    refuse_add = 0;
    remove_tree(dir);
}
