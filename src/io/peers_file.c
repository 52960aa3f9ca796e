#include "peers_file.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read_file.h"

static int parse_line(const char *line, size_t len, bank_peer_entry *e, size_t *bad_col,
                      const char **why)
{
    size_t i = 0;
    while (i < len && isspace((unsigned char)line[i])) i++;
    size_t id_start = i;
    int64_t id = 0;
    while (i < len && isdigit((unsigned char)line[i])) {
        if (id > (INT64_MAX - (line[i] - '0')) / 10) {
            *bad_col = id_start;
            *why = "branch id does not fit in int64";
            return -1;
        }
        id = id * 10 + (line[i++] - '0');
    }
    if (i == id_start || i >= len || !isspace((unsigned char)line[i])) {
        *bad_col = i == id_start ? id_start : i;
        *why = "expected \"ID HOST:PORT\"";
        return -1;
    }
    while (i < len && isspace((unsigned char)line[i])) i++;
    size_t t_start = i;
    while (i < len && !isspace((unsigned char)line[i])) i++;
    size_t t_len = i - t_start;
    while (i < len && isspace((unsigned char)line[i])) i++;
    if (t_len == 0 || i != len) {
        *bad_col = t_len == 0 ? t_start : i;
        *why = t_len == 0 ? "expected HOST:PORT after the id" : "unexpected text after HOST:PORT";
        return -1;
    }
    if (t_len >= sizeof e->target || !memchr(line + t_start, ':', t_len)) {
        *bad_col = t_start;
        *why = t_len >= sizeof e->target ? "address too long" : "address must be HOST:PORT";
        return -1;
    }
    e->id = id;
    memcpy(e->target, line + t_start, t_len);
    e->target[t_len] = '\0';
    return 0;
}

int bank_peers_parse(const char *text, size_t len, const char *source, bank_peer_entry **out,
                     size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    size_t count = 0, cap = 0, line_no = 0; /* *n is set on success only */
    bank_peer_entry *v = NULL;
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t line_len = nl ? (size_t)(nl - (text + at)) : len - at;
        const char *line = text + at;
        at += line_len + (nl ? 1 : 0);
        line_no++;
        size_t first = 0;
        while (first < line_len && isspace((unsigned char)line[first])) first++;
        if (first == line_len || line[first] == '#') continue;
        bank_peer_entry e;
        size_t col = 0;
        const char *why = NULL;
        if (parse_line(line, line_len, &e, &col, &why) != 0) {
            snprintf(err, errlen, "%s:%zu:%zu: %s", source, line_no, col + 1, why);
            free(v);
            return -1;
        }
        for (size_t k = 0; k < count; k++)
            if (v[k].id == e.id) {
                snprintf(err, errlen, "%s:%zu:%zu: branch %lld is listed twice", source, line_no,
                         first + 1, (long long)e.id);
                free(v);
                return -1;
            }
        if (count == cap) {
            cap = cap ? 2 * cap : 16;
            bank_peer_entry *grown = realloc(v, cap * sizeof *v);
            if (!grown) {
                snprintf(err, errlen, "%s: out of memory", source);
                free(v);
                return -1;
            }
            v = grown;
        }
        v[count++] = e;
    }
    if (count == 0) {
        snprintf(err, errlen, "%s: no branch listed", source);
        free(v);
        return -1;
    }
    *out = v;
    *n = count;
    return 0;
}

int bank_peers_load(const char *path, bank_peer_entry **out, size_t *n, char *err, size_t errlen)
{
    char *text;
    size_t len;
    if (bank_read_file(path, &text, &len, err, errlen) != 0) return -1;
    int rc = bank_peers_parse(text, len, path, out, n, err, errlen);
    free(text);
    return rc;
}
