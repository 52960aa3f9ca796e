/* The protobuf text dump of a message list, as students' programs print it with print(response):
 * "id: 1, recv:[id: 1\ninterface: query\n...]", messages back to back. */
#include "loose_lexer.h"

#include <ctype.h>
#include <string.h>

static int is_ident_start(int c) { return isalpha(c) || c == '_'; }

static int read_ident(lexer *lx, char **out)
{
    size_t s = lx->pos;
    while (isalnum(lx_peek(lx)) || lx_peek(lx) == '_') lx_advance(lx);
    *out = lx_arena_dup(lx, lx->s + s, lx->pos - s);
    return *out ? 0 : lx_fail(lx, lx->line, lx->col, "out of memory");
}

static int has_key(const lv_value *o, const char *key)
{
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->keys[i], key) == 0) return 1;
    return 0;
}

/* A field's value: a scalar (number, quoted string or bare word) or a [list]. No {message}: a
 * document with a '{' anywhere is not read as the dump (lx_looks_like_textproto). */
static int tp_field_value(lexer *lx, lv_value *v, int depth)
{
    int c = lx_peek(lx);
    v->line = lx->line;
    v->col = lx->col;
    if (depth >= LV_MAX_DEPTH)
        return lx_fail(lx, lx->line, lx->col, "values nested more than %d deep", LV_MAX_DEPTH);
    if (c == '[') {
        v->type = LV_ARRAY;
        lx_advance(lx);
        size_t cap = 0;
        for (;;) {
            lx_skip_space(lx);
            if (lx_peek(lx) == ']') {
                lx_advance(lx);
                lx_trim(v);
                return 0;
            }
            lv_value item = {0};
            int r = is_ident_start(lx_peek(lx)) ? lx_textproto_message(lx, &item, depth + 1, 1)
                                             : tp_field_value(lx, &item, depth + 1);
            if (r != 0) {
                lv_value_release(&item);
                return -1;
            }
            if (lx_push(lx, v, &item, NULL, &cap) != 0) return -1;
            lx_skip_space(lx);
            if (lx_peek(lx) == ',') {
                lx_advance(lx);
            } else if (lx_peek(lx) != ']') {
                char b[16];
                return lx_fail(lx, lx->line, lx->col, "expected ',' or ']' in a list, found %s",
                            lx_describe(lx_peek(lx), b, sizeof b));
            }
        }
    }
    if (c == '"' || c == '\'') {
        v->type = LV_STRING;
        return lx_parse_string(lx, &v->string);
    }
    if (c == '-' || isdigit(c)) return lx_parse_number(lx, v);
    if (is_ident_start(c)) {
        v->type = LV_STRING;
        return read_ident(lx, &v->string);
    }
    char b[16];
    return lx_fail(lx, lx->line, lx->col, "expected a field value, found %s",
                lx_describe(c, b, sizeof b));
}

/* Fields "name: value" separated by spaces or newlines (and, outside a list, commas). Inside a
 * list a comma ends the element; at the top level a repeated field name starts a new message
 * (the dump prints messages back to back), which the caller handles by stopping here. */
int lx_textproto_message(lexer *lx, lv_value *msg, int depth, int in_list)
{
    msg->type = LV_OBJECT;
    msg->line = lx->line;
    msg->col = lx->col;
    size_t cap = 0;
    for (;;) {
        lx_skip_space(lx);
        if (!in_list && lx_peek(lx) == ',') {
            lx_advance(lx);
            lx_skip_space(lx);
        }
        if (!is_ident_start(lx_peek(lx))) return 0;
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
        lx_skip_space(lx);
        if (lx_peek(lx) == ':') lx_advance(lx);
        lx_skip_space(lx);
        lv_value item = {0};
        if (tp_field_value(lx, &item, depth) != 0) {
            lv_value_release(&item);
            return -1;
        }
        if (lx_push(lx, msg, &item, key, &cap) != 0) return -1;
    }
}

/* The dump form: the file's first line is "name: value..." and nothing in it is JSON. */
int lx_looks_like_textproto(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && isspace((unsigned char)s[i])) i++;
    if (i == len || !is_ident_start((unsigned char)s[i])) return 0;
    while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_')) i++;
    while (i < len && (s[i] == ' ' || s[i] == '\t')) i++;
    if (i == len || s[i] != ':') return 0;
    return memchr(s, '{', len) == NULL;
}
