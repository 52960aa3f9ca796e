/* How a verdict names a printed balance that the grader cannot take as a claim: one that is not
 * a whole number, or one past a 64-bit whole number (G8). Internal to src/grade. */
#ifndef BANK_GRADE_BALANCE_VALUE_H
#define BANK_GRADE_BALANCE_VALUE_H

#include <stddef.h>

#include "io/student_output.h"

/* "got V: why" into buf, for a reply whose value is not a 64-bit whole number: V as written when
 * whole (9223372036854775808), else as %g. */
void bank_unusable_balance_detail(char *buf, size_t n, const bank_reply *rp);

#endif
