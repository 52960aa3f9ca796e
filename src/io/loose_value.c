#include "loose_value.h"

#include "loose_lexer.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void lv_value_release(lv_value *v)
{
    if (v->type == LV_ARRAY || v->type == LV_OBJECT) {
        for (size_t i = 0; i < v->n; i++) lv_value_release(&v->items[i]);
        free(v->items);
        free(v->keys);
    }
    memset(v, 0, sizeof *v);
}

/* ---- JSON / Python values ---- */

static int parse_value(lexer *lx, lv_value *v, int depth);

static int parse_container(lexer *lx, lv_value *v, int depth)
{
    int open = lx_peek(lx), close = open == '[' ? ']' : '}';
    v->type = open == '[' ? LV_ARRAY : LV_OBJECT;
    v->line = lx->line;
    v->col = lx->col;
    if (depth >= LV_MAX_DEPTH)
        return lx_fail(lx, lx->line, lx->col, "values nested more than %d deep", LV_MAX_DEPTH);
    lx_advance(lx);
    size_t cap = 0;
    for (;;) {
        lx_skip_space(lx);
        int c = lx_peek(lx);
        if (c == close) {
            lx_advance(lx);
            lx_trim(v);
            return 0;
        }
        char *key = NULL;
        if (v->type == LV_OBJECT) {
            int kline = lx->line, kcol = lx->col;
            if (c == '"' || c == '\'') {
                if (lx_parse_string(lx, &key) != 0) return -1;
            } else if (isalpha(c) || c == '_') {
                size_t s = lx->pos;
                while (isalnum(lx_peek(lx)) || lx_peek(lx) == '_') lx_advance(lx);
                return lx_fail(lx, kline, kcol,
                            "the key %.*s is not quoted (neither JSON nor a Python literal)",
                            (int)(lx->pos - s > 40 ? 40 : lx->pos - s), lx->s + s);
            } else {
                char b[16];
                return lx_fail(lx, kline, kcol, "expected a quoted key or '}', found %s",
                            lx_describe(c, b, sizeof b));
            }
            lx_skip_space(lx);
            if (lx_peek(lx) != ':') {
                char b[16];
                return lx_fail(lx, lx->line, lx->col, "expected ':' after the key, found %s",
                            lx_describe(lx_peek(lx), b, sizeof b));
            }
            lx_advance(lx);
            lx_skip_space(lx);
        }
        lv_value item = {0};
        if (parse_value(lx, &item, depth + 1) != 0) {
            lv_value_release(&item);
            return -1;
        }
        if (lx_push(lx, v, &item, key, &cap) != 0) return -1;
        lx_skip_space(lx);
        c = lx_peek(lx);
        if (c == ',') {
            lx_advance(lx); /* a trailing comma before the close is Python, and harmless */
            continue;
        }
        if (c != close) {
            char b[16];
            return lx_fail(lx, lx->line, lx->col, "expected ',' or '%c', found %s", close,
                        lx_describe(c, b, sizeof b));
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
    int c = lx_peek(lx);
    v->line = lx->line;
    v->col = lx->col;
    if (c == '[' || c == '{') return parse_container(lx, v, depth);
    if (c == '"' || c == '\'') {
        v->type = LV_STRING;
        return lx_parse_string(lx, &v->string);
    }
    if (c == '-' || c == '+' || c == '.' || isdigit(c)) return lx_parse_number(lx, v);
    static const struct { const char *word; lv_type type; int boolean, python; } words[] = {
        {"true", LV_BOOL, 1, 0},  {"false", LV_BOOL, 0, 0}, {"null", LV_NULL, 0, 0},
        {"True", LV_BOOL, 1, 1},  {"False", LV_BOOL, 0, 1}, {"None", LV_NULL, 0, 1},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (!word_is(lx, words[i].word)) continue;
        v->type = words[i].type;
        v->boolean = words[i].boolean;
        if (words[i].python) lx->syntax = LV_SYNTAX_PYTHON;
        for (size_t k = strlen(words[i].word); k > 0; k--) lx_advance(lx);
        return 0;
    }
    char b[16];
    return lx_fail(lx, lx->line, lx->col, "expected a value, found %s", lx_describe(c, b, sizeof b));
}

/* ---- the document ---- */

static int add_top(lexer *lx, lv_document *doc, size_t *cap, lv_value *v)
{
    if (doc->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        lv_value *nv = realloc(doc->values, ncap * sizeof *nv);
        if (!nv) {
            lv_value_release(v);
            return lx_fail(lx, lx->line, lx->col, "out of memory");
        }
        doc->values = nv;
        *cap = ncap;
    }
    doc->values[doc->n++] = *v;
    return 0;
}

static void skip_line(lexer *lx)
{
    while (lx_peek(lx) >= 0 && lx_peek(lx) != '\n') lx_advance(lx);
}

int lv_parse(const char *text, size_t len, lv_document *doc, char *err, size_t errlen)
{
    memset(doc, 0, sizeof *doc);
    lexer lx = {.s = text, .len = len, .line = 1, .col = 1, .syntax = LV_SYNTAX_JSON, .err = err,
                .errlen = errlen, .arena = &doc->arena};
    size_t cap = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) lx.pos = 3; /* a UTF-8 byte order mark */
    if (lx_looks_like_textproto(text + lx.pos, len - lx.pos)) {
        lx.syntax = LV_SYNTAX_TEXTPROTO;
        for (lx_skip_space(&lx); lx_peek(&lx) >= 0; lx_skip_space(&lx)) {
            lv_value msg = {0};
            if (lx_textproto_message(&lx, &msg, 0, 0) != 0) {
                lv_value_release(&msg);
                goto failed;
            }
            if (msg.n == 0) {
                char b[16];
                lv_value_release(&msg);
                lx_fail(&lx, lx.line, lx.col, "expected a field name, found %s",
                     lx_describe(lx_peek(&lx), b, sizeof b));
                goto failed;
            }
            if (add_top(&lx, doc, &cap, &msg) != 0) goto failed;
        }
    } else {
        for (;;) {
            lx_skip_space(&lx);
            int c = lx_peek(&lx);
            if (c < 0) break;
            if (c == ',') { /* values separated by commas at the top level */
                lx_advance(&lx);
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
        lx_fail(&lx, 1, 1, "no JSON, Python or protobuf-text value in the file");
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

int lv_error_at(char *err, size_t errlen, const char *source, int line, int col, const char *fmt, va_list ap)
{
    int n = snprintf(err, errlen, "%s:%d:%d: ", source, line, col);
    if (n >= 0 && (size_t)n < errlen) vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    return -1;
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
