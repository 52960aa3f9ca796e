/* The lexer both loose syntaxes share (loose_lexer.h): positions, errors, the arena, containers
 * growing and shrinking, and the scalars: strings with their escapes, and numbers. */
#include "loose_lexer.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *lx_arena_dup(lexer *lx, const char *s, size_t n)
{
    struct lv_chunk *c = *lx->arena;
    if (!c || c->cap - c->used < n + 1) {
        size_t cap = n + 1 > 65536 ? n + 1 : 65536;
        c = malloc(sizeof *c + cap);
        if (!c) return NULL;
        c->next = *lx->arena;
        c->used = 0;
        c->cap = cap;
        *lx->arena = c;
    }
    char *d = c->data + c->used;
    memcpy(d, s, n);
    d[n] = '\0';
    c->used += n + 1;
    return d;
}

int lx_fail(lexer *lx, int line, int col, const char *fmt, ...)
{
    if (lx->failed) return -1;
    lx->failed = 1;
    int n = snprintf(lx->err, lx->errlen, "%d:%d: ", line, col);
    if (n >= 0 && (size_t)n < lx->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(lx->err + n, lx->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

const char *lx_describe(int c, char *buf, size_t n)
{
    if (c < 0) return "the end of the file";
    if (c >= 0x20 && c < 0x7f) snprintf(buf, n, "'%c'", c);
    else snprintf(buf, n, "byte 0x%02x", (unsigned)c);
    return buf;
}

/* Gives back what a closed container's doubling left unused: a file of millions of small objects
 * would otherwise hold up to twice their size (G20: memory within a small multiple of the file). */
void lx_trim(lv_value *c)
{
    if (c->n == 0) return;
    lv_value *items = realloc(c->items, c->n * sizeof *items);
    if (items) c->items = items;
    if (c->keys) {
        char **keys = realloc(c->keys, c->n * sizeof *keys);
        if (keys) c->keys = keys;
    }
}

/* Appends item (and key, for objects) to a container; takes ownership of both. */
int lx_push(lexer *lx, lv_value *c, lv_value *item, char *key, size_t *cap)
{
    if (c->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 2;
        lv_value *items = realloc(c->items, ncap * sizeof *items);
        if (!items) goto oom;
        c->items = items;
        if (c->type == LV_OBJECT) {
            char **keys = realloc(c->keys, ncap * sizeof *keys);
            if (!keys) goto oom;
            c->keys = keys;
        }
        *cap = ncap;
    }
    c->items[c->n] = *item;
    if (c->type == LV_OBJECT) c->keys[c->n] = key;
    c->n++;
    return 0;
oom:
    lv_value_release(item);
    (void)key; /* the arena's */
    return lx_fail(lx, lx->line, lx->col, "out of memory");
}

/* ---- scalars ---- */

static void put_utf8(char *out, size_t *o, unsigned long cp)
{
    if (cp < 0x80) {
        out[(*o)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*o)++] = (char)(0xc0 | (cp >> 6));
        out[(*o)++] = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out[(*o)++] = (char)(0xe0 | (cp >> 12));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[(*o)++] = (char)(0x80 | (cp & 0x3f));
    } else {
        out[(*o)++] = (char)(0xf0 | (cp >> 18));
        out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[(*o)++] = (char)(0x80 | (cp & 0x3f));
    }
}

static int hex_digits(lexer *lx, int count, unsigned long *out)
{
    unsigned long v = 0;
    for (int i = 0; i < count; i++) {
        int c = lx_peek(lx);
        if (!isxdigit(c)) {
            char b[16];
            return lx_fail(lx, lx->line, lx->col, "expected a hex digit in an escape, found %s",
                        lx_describe(c, b, sizeof b));
        }
        v = v * 16 + (unsigned long)(isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10));
        lx_advance(lx);
    }
    *out = v;
    return 0;
}

/* After "\\u": its four hex digits into out[*o...] as UTF-8. JSON writes a character past U+FFFF
 * as a surrogate pair, "\\uD83D\\uDE00": one character; a high half without its low one is kept as
 * it is. 0, or -1 (lx_fail) when the digits are not hex. Writes 6 bytes at most. */
static int unicode_escape(lexer *lx, char *out, size_t *o)
{
    unsigned long cp, low;
    if (hex_digits(lx, 4, &cp) != 0) return -1;
    if (cp >= 0xd800 && cp < 0xdc00 && lx->pos + 1 < lx->len && lx->s[lx->pos] == '\\' && lx->s[lx->pos + 1] == 'u') {
        lx_advance(lx);
        lx_advance(lx);
        if (hex_digits(lx, 4, &low) != 0) return -1;
        if (low >= 0xdc00 && low < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        } else {
            put_utf8(out, o, cp);
            cp = low;
        }
    }
    put_utf8(out, o, cp);
    return 0;
}

/* A string in double quotes (JSON) or single quotes (Python, or protobuf text, which allows both).
 * Decoded escapes: JSON's, and Python's \' and \xHH; any other backslash is kept as written, as
 * Python does. */
int lx_parse_string(lexer *lx, char **out)
{
    int quote = lx_peek(lx), line = lx->line, col = lx->col;
    if (quote == '\'' && lx->syntax == LV_SYNTAX_JSON) lx->syntax = LV_SYNTAX_PYTHON;
    lx_advance(lx);
    size_t o = 0;
    char *buf = lx->scratch;
    for (;;) {
        int c = lx_peek(lx);
        if (c < 0 || c == '\n')
            return lx_fail(lx, line, col, "a string that is never closed (opened with %c)", quote);
        if (o + 8 >= lx->scratch_cap) {
            size_t ncap = lx->scratch_cap ? 2 * lx->scratch_cap : 256;
            char *nb = realloc(lx->scratch, ncap);
            if (!nb) return lx_fail(lx, line, col, "out of memory");
            buf = lx->scratch = nb;
            lx->scratch_cap = ncap;
        }
        lx_advance(lx);
        if (c == quote) break;
        if (c != '\\') {
            buf[o++] = (char)c;
            continue;
        }
        int e = lx_peek(lx);
        if (e < 0) continue;
        lx_advance(lx);
        unsigned long cp = 0;
        switch (e) {
        case 'n': buf[o++] = '\n'; break;
        case 't': buf[o++] = '\t'; break;
        case 'r': buf[o++] = '\r'; break;
        case 'b': buf[o++] = '\b'; break;
        case 'f': buf[o++] = '\f'; break;
        case '"': case '\'': case '\\': case '/': buf[o++] = (char)e; break;
        case 'u':
            if (unicode_escape(lx, buf, &o) != 0) return -1;
            break;
        case 'x':
            if (hex_digits(lx, 2, &cp) != 0) return -1;
            put_utf8(buf, &o, cp);
            break;
        default:
            buf[o++] = '\\';
            buf[o++] = (char)e;
        }
    }
    if (!(*out = lx_arena_dup(lx, buf, o))) return lx_fail(lx, line, col, "out of memory");
    return 0;
}

static void set_number(lv_value *v, double d)
{
    v->type = LV_NUMBER;
    v->number = d;
    /* 2^63 is exactly representable; everything strictly inside (-2^63, 2^63) fits int64. */
    if (isfinite(d) && d == floor(d) && d > -9223372036854775808.0 && d < 9223372036854775808.0) {
        v->is_integer = 1;
        v->integer = (int64_t)d;
    }
}

/* A number as JSON or Python writes it. Integers are read exactly (not through double). */
int lx_parse_number(lexer *lx, lv_value *v)
{
    size_t start = lx->pos;
    int line = lx->line, col = lx->col, is_int = 1;
    if (lx_peek(lx) == '-' || lx_peek(lx) == '+') lx_advance(lx);
    if (!isdigit(lx_peek(lx)) && lx_peek(lx) != '.') return lx_fail(lx, line, col, "a sign without a number");
    while (isdigit(lx_peek(lx))) lx_advance(lx);
    if (lx_peek(lx) == '.') {
        is_int = 0;
        lx_advance(lx);
        while (isdigit(lx_peek(lx))) lx_advance(lx);
    }
    if (lx_peek(lx) == 'e' || lx_peek(lx) == 'E') {
        is_int = 0;
        lx_advance(lx);
        if (lx_peek(lx) == '-' || lx_peek(lx) == '+') lx_advance(lx);
        if (!isdigit(lx_peek(lx))) return lx_fail(lx, line, col, "a number with an empty exponent");
        while (isdigit(lx_peek(lx))) lx_advance(lx);
    }
    size_t n = lx->pos - start;
    char buf[64];
    if (n >= sizeof buf) return lx_fail(lx, line, col, "a number of more than 63 characters");
    memcpy(buf, lx->s + start, n);
    buf[n] = '\0';
    v->line = line;
    v->col = col;
    if (is_int) {
        errno = 0;
        long long ll = strtoll(buf, NULL, 10);
        if (errno != ERANGE) {
            v->type = LV_NUMBER;
            v->number = (double)ll;
            v->is_integer = 1;
            v->integer = ll;
            return 0;
        }
    }
    set_number(v, strtod(buf, NULL));
    return 0;
}
