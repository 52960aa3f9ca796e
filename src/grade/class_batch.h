/* A class to grade: its students and each one's files, found in a folder (a subfolder per student,
 * a loose file per student) or in a zip (Canvas's "Download Submissions" zip, or a zipped class
 * folder). Files that can be nothing but code or documents are listed by name and never read;
 * archives inside a student's submission are opened, one level. No grading here: class_choice.h
 * picks each student's output, the caller grades it. */
#ifndef BANK_GRADE_CLASS_BATCH_H
#define BANK_GRADE_CLASS_BATCH_H

#include <stddef.h>

#include "archive_read.h"

/* A file larger than this is never a student's output or input; it is not read. */
#define BANK_CLASS_MAX_FILE ((size_t)8 << 20)
/* An archive inside a submission larger than this is not opened. */
#define BANK_CLASS_MAX_ARCHIVE ((size_t)64 << 20)

typedef struct {
    char *name;      /* inside the student's submission: "output.json", "src/out.txt",
                        "project.zip/output.json"; for a Canvas file, the name the student gave it */
    char *source;    /* where it is, for messages: "class/alice/output.json",
                        "subs.zip:alice_1001_5001_output.json", "class/bob/p.zip:out.txt" */
    char *disk_path; /* a file in a folder, read when asked for; NULL for an archive member */
    char *data;      /* an archive member's bytes (NUL-terminated); NULL for a file on disk */
    size_t len;
} bank_class_file;

typedef struct {
    char *name;      /* the folder's name, the loose file's name without its extension, or the
                        Canvas name ("smithjohn"; with its id when two students share it) */
    char *canvas_id; /* the Canvas user id ("12345", "anon_x7k2p"); NULL outside Canvas */
    int late;        /* Canvas marked the submission late */
    size_t n_files, cap_files;
    bank_class_file *files; /* by name */
    char *notes;     /* what was not read and why ("p.zip not opened: ..."); NULL when nothing */
    int lost_note;   /* a note could not be kept for want of memory: the load fails */
} bank_student;

typedef struct {
    size_t n, cap;
    bank_student *students; /* by name */
    size_t *index, index_cap; /* while it is built: students by name or Canvas id (class_build.h) */
} bank_class;

/* Builds the class from path: a folder, or a zip/tar archive. Returns 0 and *out, or -1 with one
 * line in err and *out empty: the folder or archive cannot be read, or an archive is refused (a
 * member path leaving it, a zip bomb: archive_read.h). A refused archive inside a student's
 * submission is not an error: it goes into the student's notes. */
int bank_class_load(const char *path, bank_class *out, char *err, size_t errlen);
void bank_class_free(bank_class *c);

/* One student's submission, for graders that see one at a time (Gradescope's
 * /autograder/submission): a folder's files, or an archive's members (named "NAME/MEMBER"), to
 * the same rules, as one student named name. */
int bank_class_load_student(const char *path, const char *name, bank_class *out, char *err,
                            size_t errlen);

/* The bytes of f: 0 and *data (owned by f, or, for a file on disk, malloc'ed into *owned for the
 * caller to free), or -1 with "<source>: cannot ..." in err. */
int bank_class_file_read(const bank_class_file *f, const char **data, size_t *len, char **owned,
                         char *err, size_t errlen);

/* Drops the bytes held for the student's archive members (once the student is graded). */
void bank_student_release(bank_student *s);

#endif
