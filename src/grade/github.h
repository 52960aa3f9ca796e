/* GitHub Actions and Classroom (spec G37): each event that is not ok as a workflow command
 * that annotates the student's file at the reply, a Markdown table for the job's summary, and the
 * "Points N/M" line the classroom's autograding reads. */
#ifndef BANK_GRADE_GITHUB_H
#define BANK_GRADE_GITHUB_H

#include <stdio.h>

#include "report.h"

/* "::error file=PATH,line=L,col=C::customer 2 event 3 query: wrong value: ..." per verdict that is
 * not ok ("::warning" for undecided), PATH relative to $GITHUB_WORKSPACE when under it; an
 * unusable file is one error at its fault, no output file one error. */
int bank_github_annotate(FILE *f, const bank_graded_file *row);

/* A Markdown section: heading with the score, what was graded, a table of every event. */
int bank_github_summary(FILE *f, const bank_report_context *ctx, const bank_graded_file *row,
                        double score, double max);

/* Workflow commands escape these (GitHub's toolkit, escapeData / escapeProperty): %, CR, LF in
 * a message; also ':' and ',' in a property. */
void bank_github_escape(FILE *f, const char *s, int property);

#endif
