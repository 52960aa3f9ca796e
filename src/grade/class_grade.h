/* Grading one student of a class: their input (the course's, or their own with --input-pattern),
 * their output (class_choice.h), the verdicts, and the row that says all of it (spec G30-G35). */
#ifndef BANK_GRADE_CLASS_GRADE_H
#define BANK_GRADE_CLASS_GRADE_H

#include "class_batch.h"
#include "class_choice.h"
#include "core/session.h"
#include "grade.h"
#include "io/session_student.h"
#include "report.h"

typedef struct {
    const bank_workload *course;       /* the course's input; NULL when every student brings one */
    const char *pattern;               /* --pattern: the output's name (a glob), or NULL */
    const char *input_pattern;         /* --input-pattern: the student's own input, or NULL */
    const bank_grade_options *grade;
    const bank_project_reader *reader; /* &bank_project1_reader, or &bank_project3_reader */
    const bank_routes *routes;         /* Project 3: where the course input's events go; else NULL */
} bank_class_options;

typedef struct {
    bank_output_choice choice;
    const bank_workload *input;        /* what the student was graded against */
    bank_workload own;                 /* their own input, when they had one */
    int has_own;
    bank_student_output so;
    bank_session_output p3so;          /* Project 3's output, read instead of so */
    bank_grade_report report;
    int graded;                        /* so and report hold a graded output */
    char error[800];                   /* why nothing was graded */
    char *notes;
    bank_graded_file row;              /* the row, pointing into the above and the student */
} bank_student_grade;

/* Grades s (whose files it reads; the student's data stays held). 0 and *g, or -1 with err:
 * out of memory only; whatever is wrong with the student's files is in the row. */
int bank_grade_student(const bank_student *s, const bank_class_options *o, bank_student_grade *g,
                       char *err, size_t errlen);
/* Whether the student's row is a full score: every event ok, nothing extra, nothing missing. */
int bank_student_grade_perfect(const bank_student_grade *g);
void bank_student_grade_free(bank_student_grade *g);

/* A row's score and maximum on a scale of `points` (0: one point an event): its correct events
 * times points / the input's events (spec G36, G37). */
void bank_row_points(double points, const bank_graded_file *row, double *score, double *max);

#endif
