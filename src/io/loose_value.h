/* A tolerant reader of the value syntaxes students' output files are written in: JSON, Python
 * literals (print() of a dict: single quotes, True/False/None, trailing commas), several values
 * back to back (JSON lines, arrays glued "]["), log lines around them, and the protobuf text
 * dump of a message list ("id: 1, recv:[id: 1\ninterface: query\n...]"). Every value keeps the
 * line and column where it starts. No semantics here: student_output.c gives them meaning. */
#ifndef BANK_IO_LOOSE_VALUE_H
#define BANK_IO_LOOSE_VALUE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { LV_NULL, LV_BOOL, LV_NUMBER, LV_STRING, LV_ARRAY, LV_OBJECT } lv_type;

typedef struct lv_value lv_value;
struct lv_value {
    lv_type type;
    int line, col;
    int boolean;
    int is_integer;  /* number: integral and within int64 (410 and 410.0 both) */
    size_t n;        /* array items, object members */
    /* by type (48 bytes in all: a file of millions of small objects is held in a few times its
     * size, G20) */
    union {
        struct {
            double number;
            int64_t integer;
        };
        char *string;    /* string (NUL-terminated; an embedded NUL ends it early) */
        struct {
            lv_value *items;
            char **keys; /* object member names, parallel to items */
        };
    };
};

typedef enum { LV_SYNTAX_JSON, LV_SYNTAX_PYTHON, LV_SYNTAX_TEXTPROTO } lv_syntax;

typedef struct {
    size_t n;
    lv_value *values;    /* the top-level values, in file order */
    lv_syntax syntax;    /* PYTHON once any Python-only token was seen */
    size_t noise_lines;  /* lines skipped because no value starts on them */
    struct lv_chunk *arena; /* holds every string and key of the values */
} lv_document;

/* Parses text[0..len). 0 and *doc, or -1 with "<line>:<column>: <what>" in err (no source
 * name: the caller prefixes it) and *doc empty. Nesting deeper than 64 is refused. */
int lv_parse(const char *text, size_t len, lv_document *doc, char *err, size_t errlen);
void lv_document_free(lv_document *doc);
/* Frees what v holds (its string, items and keys) and leaves it LV_NULL: a reader done with a
 * part of a large document gives its memory back early. */
void lv_value_release(lv_value *v);

/* What a reader of a loose document says of a bad place in it: "SOURCE:LINE:COLUMN: what" into
 * err. Always -1. */
int lv_error_at(char *err, size_t errlen, const char *source, int line, int col, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

/* The member named key (exactly, then ignoring ASCII case), or NULL. */
const lv_value *lv_get(const lv_value *object, const char *key);

#endif
