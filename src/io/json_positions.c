#include "json_positions.h"

#include <stdlib.h>
#include <string.h>

struct node_index {
    const cJSON *node;
    size_t span;
};

typedef struct {
    const char *text;
    size_t len, at;
    unsigned line;
    size_t line_start;
} scanner;

static void advance(scanner *s)
{
    if (s->text[s->at] == '\n') {
        s->line++;
        s->line_start = s->at + 1;
    }
    s->at++;
}

static void skip_space(scanner *s)
{
    while (s->at < s->len && strchr(" \t\r\n", s->text[s->at]) && s->text[s->at] != '\0') advance(s);
}

static void skip_string(scanner *s)
{
    advance(s); /* opening quote */
    while (s->at < s->len && s->text[s->at] != '"') {
        if (s->text[s->at] == '\\' && s->at + 1 < s->len) advance(s);
        advance(s);
    }
    if (s->at < s->len) advance(s); /* closing quote */
}

/* A string followed by ':' is an object key, not a value. */
static int string_is_key(const scanner *s)
{
    scanner look = *s;
    skip_string(&look);
    skip_space(&look);
    return look.at < look.len && look.text[look.at] == ':';
}

static int push_span(bank_json_positions *p, size_t *cap, bank_json_span span)
{
    if (p->n == *cap) {
        size_t grown_cap = *cap ? 2 * *cap : 64;
        bank_json_span *grown = realloc(p->spans, grown_cap * sizeof *grown);
        if (!grown) return -1;
        p->spans = grown;
        *cap = grown_cap;
    }
    p->spans[p->n++] = span;
    return 0;
}

static int scan_values(const char *text, size_t len, bank_json_positions *p)
{
    scanner s = {text, len, 0, 1, 0};
    size_t cap = 0;
    for (;;) {
        skip_space(&s);
        if (s.at >= len || text[s.at] == '\0') return 0;
        char c = text[s.at];
        if (strchr("}],:", c)) {
            advance(&s);
            continue;
        }
        bank_json_span span = {s.at, 1, s.line, (unsigned)(s.at - s.line_start + 1)};
        if (c == '"') {
            if (string_is_key(&s)) {
                skip_string(&s);
                continue;
            }
            skip_string(&s);
            span.length = s.at - span.offset;
        } else if (c == '{' || c == '[') {
            advance(&s);
        } else {
            while (s.at < len && !strchr(" \t\r\n,}]:", text[s.at]) && text[s.at] != '\0') advance(&s);
            span.length = s.at - span.offset;
        }
        if (push_span(p, &cap, span) != 0) return -1;
    }
}

static size_t count_nodes(const cJSON *n)
{
    size_t k = 1;
    for (const cJSON *c = n->child; c; c = c->next) k += count_nodes(c);
    return k;
}

static void index_nodes(const cJSON *n, struct node_index *idx, size_t *k)
{
    idx[*k].node = n;
    idx[*k].span = *k;
    (*k)++;
    for (const cJSON *c = n->child; c; c = c->next) index_nodes(c, idx, k);
}

static int by_address(const void *a, const void *b)
{
    const cJSON *x = ((const struct node_index *)a)->node, *y = ((const struct node_index *)b)->node;
    return x < y ? -1 : x > y;
}

int bank_json_positions_build(const char *text, size_t len, const cJSON *root,
                              bank_json_positions *out)
{
    memset(out, 0, sizeof *out);
    if (scan_values(text, len, out) != 0 || count_nodes(root) != out->n) {
        bank_json_positions_free(out);
        return -1;
    }
    out->by_node = malloc(out->n * sizeof *out->by_node);
    if (!out->by_node) {
        bank_json_positions_free(out);
        return -1;
    }
    size_t k = 0;
    index_nodes(root, out->by_node, &k);
    qsort(out->by_node, out->n, sizeof *out->by_node, by_address);
    return 0;
}

const bank_json_span *bank_json_positions_find(const bank_json_positions *p, const cJSON *node)
{
    if (!p->by_node || !node) return NULL;
    struct node_index key = {node, 0};
    const struct node_index *hit = bsearch(&key, p->by_node, p->n, sizeof key, by_address);
    return hit ? &p->spans[hit->span] : NULL;
}

void bank_json_positions_free(bank_json_positions *p)
{
    free(p->spans);
    free(p->by_node);
    memset(p, 0, sizeof *p);
}

void bank_json_line_column(const char *text, size_t offset, unsigned *line, unsigned *column)
{
    unsigned l = 1;
    size_t start = 0;
    for (size_t i = 0; i < offset; i++)
        if (text[i] == '\n') {
            l++;
            start = i + 1;
        }
    *line = l;
    *column = (unsigned)(offset - start + 1);
}
