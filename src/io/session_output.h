/* Writes a Project 3 run in the course's forms (spec O6, O7): one {"id", "recv"} record per event
 * with its branch (the new form), or every entry's final balance (the old form). */
#ifndef BANK_IO_SESSION_OUTPUT_H
#define BANK_IO_SESSION_OUTPUT_H

#include <stdio.h>

#include "core/session.h"
#include "core/workload.h"

typedef enum {
    BANK_SESSION_EVENTS, /* {"id": 1, "recv": [{"interface": "query", "branch": 2, "balance": 10}]} */
    BANK_SESSION_FINAL   /* {"id": 1, "balance": 10}: what the entry's last query read */
} bank_session_style;

/* "events" or "final": 0 and *out, -1 for another name. */
int bank_session_style_parse(const char *name, bank_session_style *out);

/* In input order (entries, then their events); as a JSON array with one object a line, or
 * (lines != 0) one object a line. The final form leaves out an entry that has no query. 0, or -1
 * on a write error. */
int bank_session_output_write(FILE *f, const bank_workload *w, const bank_routes *routes,
                              const bank_outcome *o, bank_session_style style, int lines);

#endif
