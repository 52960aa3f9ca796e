#include "trace_read.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read_file.h"

static int get_int(const cJSON *o, const char *key, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    /* within int64 before converting: converting a double beyond it is undefined */
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || fabs(v->valuedouble) >= 9.2e18)
        return -1;
    *out = (int64_t)v->valuedouble;
    return 0;
}

static int get_text(const cJSON *o, const char *key, char *out, size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v)) return -1;
    snprintf(out, cap, "%s", v->valuestring);
    return 0;
}

/* An optional Lamport clock: 0 when absent, -1 when not a whole number in [0, 2^63). */
static int get_clock(const cJSON *o, const char *key, uint64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = 0;
    if (!v) return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < 0 ||
        v->valuedouble >= 9223372036854775808.0)
        return -1;
    *out = (uint64_t)v->valuedouble;
    return 0;
}

/* One line into e; the name of the first missing or malformed field otherwise. */
static const char *read_entry(const cJSON *o, bank_trace_entry *e)
{
    char from[16];
    if (!cJSON_IsObject(o)) return "a JSON object";
    if (get_int(o, "t_recv_us", &e->t_recv_us)) return "\"t_recv_us\"";
    if (get_int(o, "t_reply_us", &e->t_reply_us)) return "\"t_reply_us\"";
    if (get_text(o, "from", from, sizeof from)) return "\"from\"";
    if (strcmp(from, "branch") != 0 && strcmp(from, "customer") != 0) return "\"from\": \"branch\" or \"customer\"";
    e->from_branch = from[0] == 'b';
    if (get_int(o, "from_id", &e->from_id)) return "\"from_id\"";
    if (get_int(o, "to_branch", &e->to_branch)) return "\"to_branch\"";
    if (get_text(o, "rpc", e->rpc, sizeof e->rpc)) return "\"rpc\"";
    if (get_int(o, "customer", &e->customer)) return "\"customer\"";
    if (get_int(o, "event", &e->event)) return "\"event\"";
    if (get_int(o, "money", &e->money)) return "\"money\"";
    if (get_int(o, "balance", &e->balance)) return "\"balance\"";
    if (get_text(o, "reply", e->reply, sizeof e->reply)) return "\"reply\"";
    /* traces written before Project 2 have no clocks */
    if (get_clock(o, "clock_sent", &e->clock_sent)) return "\"clock_sent\": a whole number from 0";
    if (get_clock(o, "clock", &e->clock)) return "\"clock\": a whole number from 0";
    return NULL;
}

int bank_trace_load(const char *path, bank_trace *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char *text;
    size_t len;
    if (bank_read_file(path, &text, &len, err, errlen) != 0) return -1;
    size_t cap = 0, line_no = 0;
    int rc = 0;
    for (char *line = text; rc == 0 && line < text + len;) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        size_t n = nl ? (size_t)(nl - line) : (size_t)(text + len - line);
        line_no++;
        char *next = line + n + (nl ? 1 : 0);
        size_t k = 0;
        while (k < n && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r')) k++;
        if (k == n) { /* a blank line */
            line = next;
            continue;
        }
        const char *end = NULL;
        errno = 0;
        cJSON *o = cJSON_ParseWithLengthOpts(line, n, &end, 0);
        if (!o && errno == ENOMEM) { /* cJSON says only "failed"; its malloc says why */
            snprintf(err, errlen, "%s:%zu:1: out of memory", path, line_no);
            rc = -1;
            break;
        }
        if (!o) {
            size_t col = end && end >= line ? (size_t)(end - line) + 1 : 1;
            snprintf(err, errlen, "%s:%zu:%zu: not a JSON object (a trace has one a line)", path, line_no, col);
            rc = -1;
            break;
        }
        if (out->n == cap) {
            cap = cap ? 2 * cap : 256;
            bank_trace_entry *grown = realloc(out->entries, cap * sizeof *grown);
            if (!grown) {
                cJSON_Delete(o);
                snprintf(err, errlen, "%s:%zu:1: out of memory", path, line_no);
                rc = -1;
                break;
            }
            out->entries = grown;
        }
        bank_trace_entry *e = &out->entries[out->n];
        memset(e, 0, sizeof *e);
        const char *missing = read_entry(o, e);
        cJSON_Delete(o);
        if (missing) {
            snprintf(err, errlen, "%s:%zu:1: a trace record needs %s", path, line_no, missing);
            rc = -1;
            break;
        }
        out->n++;
        line = next;
    }
    free(text);
    if (rc != 0) bank_trace_free(out);
    return rc;
}

void bank_trace_free(bank_trace *t)
{
    free(t->entries);
    memset(t, 0, sizeof *t);
}
