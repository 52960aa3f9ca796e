/* Where each value of a parsed JSON text stands in that text. cJSON keeps neither positions
 * nor number lexemes (it stores numbers as double, losing int64 precision); this recovers both
 * with one scan of the text that cJSON has already accepted. */
#ifndef BANK_IO_JSON_POSITIONS_H
#define BANK_IO_JSON_POSITIONS_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct {
    size_t offset, length; /* the value's bytes in the text (for numbers: the exact lexeme) */
    unsigned line, column; /* 1-based; column counts bytes */
} bank_json_span;

typedef struct {
    size_t n;
    bank_json_span *spans; /* in document order */
    struct node_index *by_node; /* sorted by node address */
} bank_json_positions;

/* Scans text (which cJSON parsed into root) and maps every node of root to its span.
 * Returns 0, or -1 when out of memory or when the text and the tree do not line up (then
 * every lookup answers NULL; callers only lose positions). */
int bank_json_positions_build(const char *text, size_t len, const cJSON *root,
                              bank_json_positions *out);
const bank_json_span *bank_json_positions_find(const bank_json_positions *p, const cJSON *node);
void bank_json_positions_free(bank_json_positions *p);

/* 1-based line and column of byte offset in text. */
void bank_json_line_column(const char *text, size_t offset, unsigned *line, unsigned *column);

#endif
