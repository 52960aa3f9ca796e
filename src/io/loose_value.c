#include "loose_value.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

static char *arena_dup(lexer *lx, const char *s, size_t n)
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

static int fail(lexer *lx, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(lexer *lx, int line, int col, const char *fmt, ...)
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

static int peek(const lexer *lx) { return lx->pos < lx->len ? (unsigned char)lx->s[lx->pos] : -1; }

static void advance(lexer *lx)
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

static void skip_space(lexer *lx)
{
    for (int c = peek(lx); c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
         c = peek(lx))
        advance(lx);
}

static const char *describe(int c, char *buf, size_t n)
{
    if (c < 0) return "the end of the file";
    if (c >= 0x20 && c < 0x7f) snprintf(buf, n, "'%c'", c);
    else snprintf(buf, n, "byte 0x%02x", (unsigned)c);
    return buf;
}

void lv_value_release(lv_value *v)
{
    if (v->type == LV_ARRAY || v->type == LV_OBJECT) {
        for (size_t i = 0; i < v->n; i++) lv_value_release(&v->items[i]);
        free(v->items);
        free(v->keys);
    }
    memset(v, 0, sizeof *v);
}

/* Gives back what a closed container's doubling left unused: a file of millions of small objects
 * would otherwise hold up to twice their size (G20: memory within a small multiple of the file). */
static void trim(lv_value *c)
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
static int push(lexer *lx, lv_value *c, lv_value *item, char *key, size_t *cap)
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
    return fail(lx, lx->line, lx->col, "out of memory");
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
        int c = peek(lx);
        if (!isxdigit(c)) {
            char b[16];
            return fail(lx, lx->line, lx->col, "expected a hex digit in an escape, found %s",
                        describe(c, b, sizeof b));
        }
        v = v * 16 + (unsigned long)(isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10));
        advance(lx);
    }
    *out = v;
    return 0;
}

/* A string in double quotes (JSON) or single quotes (Python). Decoded escapes: JSON's, and
 * Python's \' and \xHH; any other backslash is kept as written, as Python does. */
static int parse_string(lexer *lx, char **out)
{
    int quote = peek(lx), line = lx->line, col = lx->col;
    if (quote == '\'') lx->syntax = LV_SYNTAX_PYTHON;
    advance(lx);
    size_t o = 0;
    char *buf = lx->scratch;
    for (;;) {
        int c = peek(lx);
        if (c < 0 || c == '\n')
            return fail(lx, line, col, "a string that is never closed (opened with %c)", quote);
        if (o + 8 >= lx->scratch_cap) {
            size_t ncap = lx->scratch_cap ? 2 * lx->scratch_cap : 256;
            char *nb = realloc(lx->scratch, ncap);
            if (!nb) return fail(lx, line, col, "out of memory");
            buf = lx->scratch = nb;
            lx->scratch_cap = ncap;
        }
        advance(lx);
        if (c == quote) break;
        if (c != '\\') {
            buf[o++] = (char)c;
            continue;
        }
        int e = peek(lx);
        if (e < 0) continue;
        advance(lx);
        unsigned long cp = 0;
        switch (e) {
        case 'n': buf[o++] = '\n'; break;
        case 't': buf[o++] = '\t'; break;
        case 'r': buf[o++] = '\r'; break;
        case 'b': buf[o++] = '\b'; break;
        case 'f': buf[o++] = '\f'; break;
        case '"': case '\'': case '\\': case '/': buf[o++] = (char)e; break;
        case 'u':
            if (hex_digits(lx, 4, &cp) != 0) return -1;
            put_utf8(buf, &o, cp);
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
    if (!(*out = arena_dup(lx, buf, o))) return fail(lx, line, col, "out of memory");
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
static int parse_number(lexer *lx, lv_value *v)
{
    size_t start = lx->pos;
    int line = lx->line, col = lx->col, is_int = 1;
    if (peek(lx) == '-' || peek(lx) == '+') advance(lx);
    if (!isdigit(peek(lx)) && peek(lx) != '.') return fail(lx, line, col, "a sign without a number");
    while (isdigit(peek(lx))) advance(lx);
    if (peek(lx) == '.') {
        is_int = 0;
        advance(lx);
        while (isdigit(peek(lx))) advance(lx);
    }
    if (peek(lx) == 'e' || peek(lx) == 'E') {
        is_int = 0;
        advance(lx);
        if (peek(lx) == '-' || peek(lx) == '+') advance(lx);
        if (!isdigit(peek(lx))) return fail(lx, line, col, "a number with an empty exponent");
        while (isdigit(peek(lx))) advance(lx);
    }
    size_t n = lx->pos - start;
    char buf[64];
    if (n >= sizeof buf) return fail(lx, line, col, "a number of more than 63 characters");
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

/* ---- JSON / Python values ---- */

static int parse_value(lexer *lx, lv_value *v, int depth);

static int parse_container(lexer *lx, lv_value *v, int depth)
{
    int open = peek(lx), close = open == '[' ? ']' : '}';
    v->type = open == '[' ? LV_ARRAY : LV_OBJECT;
    v->line = lx->line;
    v->col = lx->col;
    if (depth >= LV_MAX_DEPTH)
        return fail(lx, lx->line, lx->col, "values nested more than %d deep", LV_MAX_DEPTH);
    advance(lx);
    size_t cap = 0;
    for (;;) {
        skip_space(lx);
        int c = peek(lx);
        if (c == close) {
            advance(lx);
            trim(v);
            return 0;
        }
        char *key = NULL;
        if (v->type == LV_OBJECT) {
            int kline = lx->line, kcol = lx->col;
            if (c == '"' || c == '\'') {
                if (parse_string(lx, &key) != 0) return -1;
            } else if (isalpha(c) || c == '_') {
                size_t s = lx->pos;
                while (isalnum(peek(lx)) || peek(lx) == '_') advance(lx);
                return fail(lx, kline, kcol,
                            "the key %.*s is not quoted (neither JSON nor a Python literal)",
                            (int)(lx->pos - s > 40 ? 40 : lx->pos - s), lx->s + s);
            } else {
                char b[16];
                return fail(lx, kline, kcol, "expected a quoted key or '}', found %s",
                            describe(c, b, sizeof b));
            }
            skip_space(lx);
            if (peek(lx) != ':') {
                char b[16];
                return fail(lx, lx->line, lx->col, "expected ':' after the key, found %s",
                            describe(peek(lx), b, sizeof b));
            }
            advance(lx);
            skip_space(lx);
        }
        lv_value item = {0};
        if (parse_value(lx, &item, depth + 1) != 0) {
            lv_value_release(&item);
            return -1;
        }
        if (push(lx, v, &item, key, &cap) != 0) return -1;
        skip_space(lx);
        c = peek(lx);
        if (c == ',') {
            advance(lx); /* a trailing comma before the close is Python, and harmless */
            continue;
        }
        if (c != close) {
            char b[16];
            return fail(lx, lx->line, lx->col, "expected ',' or '%c', found %s", close,
                        describe(c, b, sizeof b));
        }
    }
}

static int word_is(const lexer *lx, const char *w)
{
    size_t n = strlen(w);
    if (lx->len - lx->pos < n || memcmp(lx->s + lx->pos, w, n) != 0) return 0;
    return lx->pos + n == lx->len || !(isalnum((unsigned char)lx->s[lx->pos + n]) ||
                                       lx->s[lx->pos + n] == '_');
}

static int parse_value(lexer *lx, lv_value *v, int depth)
{
    int c = peek(lx);
    v->line = lx->line;
    v->col = lx->col;
    if (c == '[' || c == '{') return parse_container(lx, v, depth);
    if (c == '"' || c == '\'') {
        v->type = LV_STRING;
        return parse_string(lx, &v->string);
    }
    if (c == '-' || c == '+' || c == '.' || isdigit(c)) return parse_number(lx, v);
    static const struct { const char *word; lv_type type; int boolean, python; } words[] = {
        {"true", LV_BOOL, 1, 0},  {"false", LV_BOOL, 0, 0}, {"null", LV_NULL, 0, 0},
        {"True", LV_BOOL, 1, 1},  {"False", LV_BOOL, 0, 1}, {"None", LV_NULL, 0, 1},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (!word_is(lx, words[i].word)) continue;
        v->type = words[i].type;
        v->boolean = words[i].boolean;
        if (words[i].python) lx->syntax = LV_SYNTAX_PYTHON;
        for (size_t k = strlen(words[i].word); k > 0; k--) advance(lx);
        return 0;
    }
    char b[16];
    return fail(lx, lx->line, lx->col, "expected a value, found %s", describe(c, b, sizeof b));
}

/* ---- protobuf text dump ---- */

static int is_ident_start(int c) { return isalpha(c) || c == '_'; }

static int read_ident(lexer *lx, char **out)
{
    size_t s = lx->pos;
    while (isalnum(peek(lx)) || peek(lx) == '_') advance(lx);
    *out = arena_dup(lx, lx->s + s, lx->pos - s);
    return *out ? 0 : fail(lx, lx->line, lx->col, "out of memory");
}

static int tp_message(lexer *lx, lv_value *msg, int depth, int in_list);

static int has_key(const lv_value *o, const char *key)
{
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->keys[i], key) == 0) return 1;
    return 0;
}

/* A field's value: a scalar (number, quoted string or bare word), a [list] or a {message}. */
static int tp_field_value(lexer *lx, lv_value *v, int depth)
{
    int c = peek(lx);
    v->line = lx->line;
    v->col = lx->col;
    if (depth >= LV_MAX_DEPTH)
        return fail(lx, lx->line, lx->col, "values nested more than %d deep", LV_MAX_DEPTH);
    if (c == '[') {
        v->type = LV_ARRAY;
        advance(lx);
        size_t cap = 0;
        for (;;) {
            skip_space(lx);
            if (peek(lx) == ']') {
                advance(lx);
                trim(v);
                return 0;
            }
            lv_value item = {0};
            int r = is_ident_start(peek(lx)) ? tp_message(lx, &item, depth + 1, 1)
                                             : tp_field_value(lx, &item, depth + 1);
            if (r != 0) {
                lv_value_release(&item);
                return -1;
            }
            if (push(lx, v, &item, NULL, &cap) != 0) return -1;
            skip_space(lx);
            if (peek(lx) == ',') {
                advance(lx);
            } else if (peek(lx) != ']') {
                char b[16];
                return fail(lx, lx->line, lx->col, "expected ',' or ']' in a list, found %s",
                            describe(peek(lx), b, sizeof b));
            }
        }
    }
    if (c == '{') {
        advance(lx);
        if (tp_message(lx, v, depth + 1, 0) != 0) return -1;
        skip_space(lx);
        if (peek(lx) != '}') {
            char b[16];
            return fail(lx, lx->line, lx->col, "expected '}', found %s",
                        describe(peek(lx), b, sizeof b));
        }
        advance(lx);
        return 0;
    }
    if (c == '"' || c == '\'') {
        v->type = LV_STRING;
        return parse_string(lx, &v->string);
    }
    if (c == '-' || isdigit(c)) return parse_number(lx, v);
    if (is_ident_start(c)) {
        v->type = LV_STRING;
        return read_ident(lx, &v->string);
    }
    char b[16];
    return fail(lx, lx->line, lx->col, "expected a field value, found %s",
                describe(c, b, sizeof b));
}

/* Fields "name: value" separated by spaces or newlines (and, outside a list, commas). Inside a
 * list a comma ends the element; at the top level a repeated field name starts a new message
 * (the dump prints messages back to back), which the caller handles by stopping here. */
static int tp_message(lexer *lx, lv_value *msg, int depth, int in_list)
{
    msg->type = LV_OBJECT;
    msg->line = lx->line;
    msg->col = lx->col;
    size_t cap = 0;
    for (;;) {
        skip_space(lx);
        if (!in_list && peek(lx) == ',') {
            advance(lx);
            skip_space(lx);
        }
        if (!is_ident_start(peek(lx))) return 0;
        size_t save_pos = lx->pos;
        int save_line = lx->line, save_col = lx->col;
        char *key;
        if (read_ident(lx, &key) != 0) return -1;
        if (depth == 0 && has_key(msg, key)) {
            lx->pos = save_pos;
            lx->line = save_line;
            lx->col = save_col;
            return 0;
        }
        skip_space(lx);
        if (peek(lx) == ':') advance(lx);
        skip_space(lx);
        lv_value item = {0};
        if (tp_field_value(lx, &item, depth) != 0) {
            lv_value_release(&item);
            return -1;
        }
        if (push(lx, msg, &item, key, &cap) != 0) return -1;
    }
}

/* The dump form: the file's first line is "name: value..." and nothing in it is JSON. */
static int looks_like_textproto(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && isspace((unsigned char)s[i])) i++;
    if (i == len || !is_ident_start((unsigned char)s[i])) return 0;
    while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_')) i++;
    while (i < len && (s[i] == ' ' || s[i] == '\t')) i++;
    if (i == len || s[i] != ':') return 0;
    return memchr(s, '{', len) == NULL;
}

/* ---- the document ---- */

static int add_top(lexer *lx, lv_document *doc, size_t *cap, lv_value *v)
{
    if (doc->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        lv_value *nv = realloc(doc->values, ncap * sizeof *nv);
        if (!nv) {
            lv_value_release(v);
            return fail(lx, lx->line, lx->col, "out of memory");
        }
        doc->values = nv;
        *cap = ncap;
    }
    doc->values[doc->n++] = *v;
    return 0;
}

static void skip_line(lexer *lx)
{
    while (peek(lx) >= 0 && peek(lx) != '\n') advance(lx);
}

int lv_parse(const char *text, size_t len, lv_document *doc, char *err, size_t errlen)
{
    memset(doc, 0, sizeof *doc);
    lexer lx = {.s = text, .len = len, .line = 1, .col = 1, .syntax = LV_SYNTAX_JSON, .err = err,
                .errlen = errlen, .arena = &doc->arena};
    size_t cap = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) lx.pos = 3; /* a UTF-8 byte order mark */
    if (looks_like_textproto(text + lx.pos, len - lx.pos)) {
        lx.syntax = LV_SYNTAX_TEXTPROTO;
        for (skip_space(&lx); peek(&lx) >= 0; skip_space(&lx)) {
            lv_value msg = {0};
            if (tp_message(&lx, &msg, 0, 0) != 0) {
                lv_value_release(&msg);
                goto failed;
            }
            if (msg.n == 0) {
                char b[16];
                lv_value_release(&msg);
                fail(&lx, lx.line, lx.col, "expected a field name, found %s",
                     describe(peek(&lx), b, sizeof b));
                goto failed;
            }
            if (add_top(&lx, doc, &cap, &msg) != 0) goto failed;
        }
    } else {
        for (;;) {
            skip_space(&lx);
            int c = peek(&lx);
            if (c < 0) break;
            if (c == ',') { /* values separated by commas at the top level */
                advance(&lx);
                continue;
            }
            if (c != '[' && c != '{') {
                /* A line on which no value starts: a log line, a comment, a heading. */
                doc->noise_lines++;
                skip_line(&lx);
                continue;
            }
            lv_value v = {0};
            if (parse_value(&lx, &v, 0) != 0) {
                lv_value_release(&v);
                goto failed;
            }
            if (add_top(&lx, doc, &cap, &v) != 0) goto failed;
        }
    }
    if (doc->n == 0) {
        fail(&lx, 1, 1, "no JSON, Python or protobuf-text value in the file");
        goto failed;
    }
    doc->syntax = lx.syntax;
    free(lx.scratch);
    return 0;
failed:
    free(lx.scratch);
    lv_document_free(doc);
    return -1;
}

void lv_document_free(lv_document *doc)
{
    for (size_t i = 0; i < doc->n; i++) lv_value_release(&doc->values[i]);
    free(doc->values);
    while (doc->arena) {
        struct lv_chunk *next = doc->arena->next;
        free(doc->arena);
        doc->arena = next;
    }
    memset(doc, 0, sizeof *doc);
}

const lv_value *lv_get(const lv_value *o, const char *key)
{
    if (!o || o->type != LV_OBJECT) return NULL;
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->keys[i], key) == 0) return &o->items[i];
    for (size_t i = 0; i < o->n; i++)
        if (strcasecmp(o->keys[i], key) == 0) return &o->items[i];
    return NULL;
}
