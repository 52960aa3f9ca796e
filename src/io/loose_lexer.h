/* The lexer that loose_value.c (JSON and Python literals) and loose_textproto.c (the protobuf
 * text dump) share: the position with its line and column, the first error, the arena every
 * string is kept in, and the scalars both syntaxes read alike. Not for use outside src/io. */
#ifndef BANK_IO_LOOSE_LEXER_H
#define BANK_IO_LOOSE_LEXER_H

#include <stddef.h>

#include "loose_value.h"

#define LV_MAX_DEPTH 64

typedef struct {
    const char *s;
    size_t len, pos;
    int line, col;
    lv_syntax syntax;
    char *err;
    size_t errlen;
    int failed;
    struct lv_chunk **arena; /* the document's: every string and key is kept there */
    char *scratch;           /* a string being decoded */
    size_t scratch_cap;
} lexer;

/* Strings and keys live in chunks owned by the document, freed with it: a file of millions of
 * small objects costs their text, not a heap block each (G20). */
struct lv_chunk {
    struct lv_chunk *next;
    size_t used, cap;
    char data[];
};

/* The three every character goes through, inline as they were in one file. */
static inline int lx_peek(const lexer *lx) { return lx->pos < lx->len ? (unsigned char)lx->s[lx->pos] : -1; }

static inline void lx_advance(lexer *lx)
{
    if (lx->pos >= lx->len) return;
    if (lx->s[lx->pos] == '\n') {
        lx->line++;
        lx->col = 1;
    } else {
        lx->col++;
    }
    lx->pos++;
}

static inline void lx_skip_space(lexer *lx)
{
    for (int c = lx_peek(lx); c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
         c = lx_peek(lx))
        lx_advance(lx);
}

/* c as an error message names it ('x', byte 0x01, the end of the file), in buf. */
const char *lx_describe(int c, char *buf, size_t n);
/* Records "<line>:<column>: <what>" once (the first error wins). Always -1. */
int lx_fail(lexer *lx, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A copy of s[0..n) in the document's arena, or NULL out of memory. */
char *lx_arena_dup(lexer *lx, const char *s, size_t n);
/* Appends item (and key, for objects) to container c; takes ownership of both. */
int lx_push(lexer *lx, lv_value *c, lv_value *item, char *key, size_t *cap);
/* Gives back what a closed container's doubling left unused. */
void lx_trim(lv_value *c);
/* A quoted string, single or double quotes, escapes decoded, into the arena. */
int lx_parse_string(lexer *lx, char **out);
int lx_parse_number(lexer *lx, lv_value *v);

/* loose_textproto.c: whether a file is the text dump, and one message of it. */
int lx_looks_like_textproto(const char *s, size_t len);
int lx_textproto_message(lexer *lx, lv_value *msg, int depth, int in_list);

#endif
