/* Grading a student's Project 3 output (spec G15-G18): the replies matched to the input's events,
 * the structural verdicts of Project 1 (missing, extra, wrong interface, ...), and every printed
 * answer judged by the session rules (session_check.h): accepted when some execution that keeps
 * read-your-writes and monotonic writes gives them all; a wrong one names the guarantee it breaks
 * and the customer's own write it missed. No I/O. */
#ifndef BANK_GRADE_GRADE_P3_H
#define BANK_GRADE_GRADE_P3_H

#include <stddef.h>

#include "class_choice.h"
#include "core/session.h"
#include "grade.h"
#include "io/session_student.h"

/* budget: states the session search may visit (0: 1,000,000). 0 and *report, or -1 (out of
 * memory) with err. A final-balances file is judged on each entry's last query only: that is
 * every event it counts. */
int bank_grade_p3(const bank_workload *w, const bank_routes *routes, const bank_session_output *so,
                  size_t budget, bank_grade_report *report, char *err, size_t errlen);

/* What reads as a Project 3 output, for choosing a student's output among their files
 * (class_choice.h); its input is a bank_p3_input. */
typedef struct {
    const bank_workload *w;
    const bank_routes *routes;
} bank_p3_input;
extern const bank_project_reader bank_project3_reader;

#endif
