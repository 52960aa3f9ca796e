/* Writes an outcome in the assignment's output format, in one of the styles the course used. */
#ifndef BANK_IO_OUTPUT_H
#define BANK_IO_OUTPUT_H

#include <stdio.h>

#include "core/workload.h"

typedef enum {
    BANK_STYLE_RESULT,  /* query {"interface": "query", "result": {"balance": 400}} (the sample's) */
    BANK_STYLE_BALANCE, /* query {"interface": "query", "balance": 400} */
    BANK_STYLE_MONEY    /* query {"interface": "query", "result": "success", "money": 400} */
} bank_style;

int bank_style_parse(const char *name, bank_style *out); /* 0 ok, -1 unknown */

/* One {"id": N, "recv": [...]} object per customer entry, in input order: as a JSON array with
 * one entry a line, or (lines != 0) one object a line. Returns 0, or -1 on a write error. */
int bank_output_write(FILE *f, const bank_workload *w, const bank_outcome *o, bank_style style,
                      int lines);

/* {"id": N, "balance": B} per branch, in input order, as a JSON array. */
int bank_output_write_branches(FILE *f, const bank_workload *w, const int64_t *balances);

#endif
