/* Which of a student's files is their output (and, optionally, their input): the file --pattern
 * names, else the one that reads as the project's output for the input, preferring names like
 * output*. The project's reader is a parameter, so that another project's outputs are found by
 * the same rules once it has a reader. */
#ifndef BANK_GRADE_CLASS_CHOICE_H
#define BANK_GRADE_CLASS_CHOICE_H

#include <stddef.h>

#include "class_batch.h"
#include "core/workload.h"

typedef struct {
    const char *name; /* "Project 1" */
    /* Whether data reads as this project's output for input: 0 and *answered (the input's
     * events the file answers, with the right interface), 1 with why not in err
     * ("<source>:<line>:<column>: ..."), or -1 out of memory (err says so; see
     * bank_reader_out_of_memory). */
    int (*probe)(const void *input, const char *source, const char *data, size_t len,
                 size_t *answered, char *err, size_t errlen);
} bank_project_reader;

extern const bank_project_reader bank_project1_reader; /* input: a bank_workload */

/* Whether a reader (of a file, an input, an output) that failed with why did so for want of
 * memory rather than for what it read: the readers say so only in words, so both must hold,
 * the words and the ENOMEM that the failed allocation left in errno (cleared before the call;
 * an allocation whose failure a reader absorbs leaves ENOMEM too). */
int bank_reader_out_of_memory(const char *why);

typedef struct {
    const bank_class_file *output; /* the output to grade; NULL when no file reads as one */
    char *others;                  /* the other files that read as outputs, ", "-joined; or NULL */
    /* With output NULL: the file that was meant as the output (it matches --pattern, or is named
     * like an output) but does not read as one, and why (its error line); else NULL. */
    const bank_class_file *unusable;
    char why[600];
} bank_output_choice;

/* Chooses among s's files (leaving out `except`, the student's input when it is one of them).
 * pattern (fnmatch, on the name inside the submission or on its last part) may be NULL.
 * 0 and *out, or -1 with err (out of memory). */
int bank_choose_output(const bank_student *s, const bank_project_reader *r, const void *input,
                       const char *pattern, const bank_class_file *except, bank_output_choice *out,
                       char *err, size_t errlen);
void bank_output_choice_free(bank_output_choice *c);

/* The student's own input: the first file (shallowest, then by name) matching pattern that reads
 * as an input. 0 and *file, *w (to free) when one does; 1 when none matches (*why says so), or when
 * the matching ones do not read (*why has the first one's error line); -1 out of memory (*why
 * says so). */
int bank_choose_input(const bank_student *s, const char *pattern, const bank_class_file **file,
                      bank_workload *w, char *why, size_t whylen);

/* Whether name (a path inside a submission) matches a --pattern glob: the whole of it, or its
 * last part. */
int bank_class_name_matches(const char *pattern, const char *name);

#endif
