/* The tolerant reader of students' Project 3 output files (see session_student.h). */
#include "session_student.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loose_value.h"

typedef struct {
    const char *source;
    char *err;
    size_t errlen;
    bank_session_output *out;
    size_t cap;
    int kinds;  /* which record shapes were seen: a bit each */
    int final_line, final_col; /* the first final balance */
    int notes;  /* what the replies turned out to use: a bit each */
} reader;

enum { SHAPE_RECV = 1, SHAPE_LIST = 2, SHAPE_FLAT = 4, SHAPE_FINAL = 8 };
enum { NOTE_CAPITALS = 1, NOTE_STRING_VALUE = 2 };

static int fail_at(reader *r, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail_at(reader *r, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lv_error_at(r->err, r->errlen, r->source, line, col, fmt, ap);
    va_end(ap);
    return -1;
}

static void record_free(bank_session_record *rec)
{
    for (size_t i = 0; i < rec->r.n_replies; i++) bank_student_reply_free(&rec->r.replies[i]);
    free(rec->r.replies);
    free(rec->branch);
}

static int whole_id(const lv_value *v, int64_t *id)
{
    if (v && v->type == LV_NUMBER && v->is_integer) {
        *id = v->integer;
        return 0;
    }
    if (v && v->type == LV_STRING && isdigit((unsigned char)v->string[0])) {
        char *end;
        long long x = strtoll(v->string, &end, 10);
        if (*end == '\0') {
            *id = x;
            return 0;
        }
    }
    return -1;
}

/* What a reply used that a format note names. */
static void note_reply(reader *r, const lv_value *item)
{
    const lv_value *iface = lv_get(item, "interface");
    for (const char *p = iface && iface->type == LV_STRING ? iface->string : ""; *p; p++)
        if (isupper((unsigned char)*p)) r->notes |= NOTE_CAPITALS;
    const lv_value *res = lv_get(item, "result");
    if (res && res->type == LV_STRING && isupper((unsigned char)res->string[0])) r->notes |= NOTE_CAPITALS;
    const lv_value *bal = lv_get(item, "balance");
    if (!bal) bal = lv_get(item, "money");
    if (bal && bal->type == LV_STRING) r->notes |= NOTE_STRING_VALUE;
}

/* Appends a record of id with n replies read from items[0..n) (each an object). */
static int add_record(reader *r, const lv_value *at, int64_t id, const lv_value *items, size_t n)
{
    bank_session_record rec = {{.id = id, .line = at->line, .col = at->col}, NULL};
    rec.r.replies = calloc(n ? n : 1, sizeof *rec.r.replies);
    rec.branch = malloc((n ? n : 1) * sizeof *rec.branch);
    if (!rec.r.replies || !rec.branch) {
        record_free(&rec);
        return fail_at(r, at->line, at->col, "out of memory");
    }
    rec.r.n_replies = n;
    for (size_t i = 0; i < n; i++) {
        const lv_value *item = &items[i];
        char why[200];
        if (item->type != LV_OBJECT) {
            rec.r.n_replies = i;
            record_free(&rec);
            return fail_at(r, item->line, item->col, "a reply of customer %lld that is not an object", (long long)id);
        }
        if (bank_student_reply_read(item, &rec.r.replies[i], why, sizeof why) != 0) {
            rec.r.n_replies = i;
            record_free(&rec);
            return fail_at(r, item->line, item->col, "out of memory");
        }
        note_reply(r, item);
        int64_t b;
        rec.branch[i] = whole_id(lv_get(item, "branch"), &b) == 0 ? b : BANK_NO_BRANCH;
        if (rec.branch[i] != BANK_NO_BRANCH) r->out->names_branches = 1;
    }
    bank_session_output *out = r->out;
    if (out->n_records == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        bank_session_record *grown = realloc(out->records, cap * sizeof *grown);
        if (!grown) {
            record_free(&rec);
            return fail_at(r, at->line, at->col, "out of memory");
        }
        out->records = grown;
        r->cap = cap;
    }
    out->records[out->n_records++] = rec;
    return 0;
}

/* {"id": 1, "balance": 0}: one reply, a query that read the balance. */
static int add_final(reader *r, const lv_value *obj, int64_t id, const lv_value *bal)
{
    char interface[] = "interface", query[] = "query", balance[] = "balance";
    lv_value members[2] = {{.type = LV_STRING, .line = obj->line, .col = obj->col, .string = query}, *bal};
    char *names[2] = {interface, balance};
    lv_value reply = {.type = LV_OBJECT, .line = obj->line, .col = obj->col, .n = 2, .items = members,
                      .keys = names};
    return add_record(r, obj, id, &reply, 1);
}

static int read_object(reader *r, const lv_value *obj)
{
    int64_t id;
    const lv_value *idv = lv_get(obj, "id");
    if (!idv)
        return fail_at(r, obj->line, obj->col, "an object without \"id\": expected {\"id\": N, \"recv\": [...]} "
                       "or {\"id\": N, \"balance\": B}");
    if (whole_id(idv, &id) != 0) return fail_at(r, idv->line, idv->col, "\"id\" is not a whole number");
    const lv_value *recv = lv_get(obj, "recv"), *bal = lv_get(obj, "balance");
    if (recv && (recv->type == LV_ARRAY || recv->type == LV_OBJECT)) {
        r->kinds |= SHAPE_RECV;
        return add_record(r, obj, id, recv->type == LV_ARRAY ? recv->items : recv,
                          recv->type == LV_ARRAY ? recv->n : 1);
    }
    if (recv) return fail_at(r, recv->line, recv->col, "\"recv\" of customer %lld is not a list", (long long)id);
    if (bal && bal->type == LV_ARRAY) {
        r->kinds |= SHAPE_LIST;
        return add_record(r, obj, id, bal->items, bal->n);
    }
    if (lv_get(obj, "interface")) {
        r->kinds |= SHAPE_FLAT;
        return add_record(r, obj, id, obj, 1);
    }
    if (bal && (bal->type == LV_NUMBER || bal->type == LV_STRING)) {
        if (!(r->kinds & SHAPE_FINAL)) r->final_line = obj->line, r->final_col = obj->col;
        r->kinds |= SHAPE_FINAL;
        r->out->final_balances = 1;
        return add_final(r, obj, id, bal);
    }
    return fail_at(r, obj->line, obj->col, "the record of customer %lld has no \"recv\" list and no "
                   "\"balance\"", (long long)id);
}

/* Every record of a value, looking through arrays nested in it (lv_parse bounds the depth). */
static int read_value(reader *r, const lv_value *v)
{
    if (v->type == LV_OBJECT) return read_object(r, v);
    if (v->type != LV_ARRAY)
        return fail_at(r, v->line, v->col, "expected a customer's record, an object");
    for (size_t i = 0; i < v->n; i++)
        if (read_value(r, &v->items[i]) != 0) return -1;
    return 0;
}

static void describe(reader *r, const lv_document *doc, size_t first)
{
    size_t arrays = 0, values = doc->n - first;
    for (size_t i = first; i < doc->n; i++) arrays += doc->values[i].type == LV_ARRAY;
    const char *shape = r->kinds == SHAPE_FINAL   ? "final balances"
                        : r->kinds == SHAPE_LIST  ? "a list per customer under \"balance\""
                        : r->kinds == SHAPE_FLAT  ? "a flat record per reply"
                        : r->out->names_branches  ? "a record per event with its branch"
                                                  : "{\"id\", \"recv\"} records";
    char *f = r->out->format;
    size_t cap = sizeof r->out->format;
    int n = snprintf(f, cap, "%s, %s, %s", doc->syntax == LV_SYNTAX_PYTHON      ? "Python literals"
                     : doc->syntax == LV_SYNTAX_TEXTPROTO ? "protobuf text" : "JSON",
                     arrays == 1 && values == 1 ? "one array" : values == 1 ? "a single object"
                     : arrays == 0 ? "one object a line" : "several arrays", shape);
    if (first && n >= 0 && (size_t)n < cap)
        n += snprintf(f + n, cap - (size_t)n, ", %zu runs appended (graded the last)", doc->n);
    struct { int on; const char *text; } notes[] = {
        {(r->notes & NOTE_CAPITALS) != 0, ", words in capitals"},
        {(r->notes & NOTE_STRING_VALUE) != 0, ", balance as a string"},
        {doc->noise_lines > 0, ", other lines skipped"},
    };
    for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++)
        if (notes[i].on && n >= 0 && (size_t)n < cap) n += snprintf(f + n, cap - (size_t)n, "%s", notes[i].text);
}

/* A copy of text in which a tag in brackets that opens a line ("[PID 14893] {'id': 1, ...}", a
 * logger's prefix) is blanked out, so that such a line reads as its value or as a log line. The
 * columns stay where they were. NULL when no line has one (or out of memory). */
static char *blank_line_tags(const char *text, size_t len)
{
    char *copy = NULL;
    for (size_t i = 0; i < len; i++) {
        size_t j = i, k;
        while (j < len && (text[j] == ' ' || text[j] == '\t')) j++;
        for (k = j + 1; j < len && text[j] == '[' && k < len && !strchr("[]{}\"'\n", text[k]); k++) {
        }
        if (j < len && text[j] == '[' && k < len && text[k] == ']' && k > j + 1) {
            if (!copy && (copy = malloc(len))) memcpy(copy, text, len);
            if (!copy) return NULL;
            memset(copy + j, ' ', k + 1 - j);
        }
        while (i < len && text[i] != '\n') i++;
    }
    return copy;
}

int bank_session_output_parse(const char *text, size_t len, const char *source,
                              bank_session_output *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    lv_document doc;
    char lverr[256];
    errno = 0;
    if (lv_parse(text, len, &doc, lverr, sizeof lverr) != 0) {
        /* memory that ran out, reading it as it is or without the tags, is why, not the text */
        int out_of_memory = errno == ENOMEM && strstr(lverr, "out of memory");
        char *untagged = NULL;
        errno = 0;
        if (!out_of_memory) untagged = blank_line_tags(text, len);
        char ignored[256];
        int again = untagged ? lv_parse(untagged, len, &doc, ignored, sizeof ignored) : -1;
        free(untagged);
        if (again != 0) {
            if (out_of_memory || errno == ENOMEM) {
                errno = ENOMEM;
                snprintf(err, errlen, "%s: out of memory", source);
            } else {
                snprintf(err, errlen, "%s:%s", source, lverr);
            }
            return -1;
        }
        doc.noise_lines += !doc.noise_lines; /* the tags are log text: say that something was skipped */
    }
    reader r = {.source = source, .err = err, .errlen = errlen, .out = out};
    /* several top-level arrays are several runs appended: the last is graded */
    size_t first = 0, arrays = 0;
    for (size_t i = 0; i < doc.n; i++) arrays += doc.values[i].type == LV_ARRAY;
    if (arrays == doc.n && doc.n > 1) first = doc.n - 1;
    int rc = 0;
    for (size_t i = first; i < doc.n && rc == 0; i++) rc = read_value(&r, &doc.values[i]);
    if (rc == 0 && out->n_records == 0)
        rc = fail_at(&r, doc.n ? doc.values[0].line : 1, doc.n ? doc.values[0].col : 1,
                     "no customer record in the file");
    if (rc == 0 && (r.kinds & SHAPE_FINAL) && r.kinds != SHAPE_FINAL)
        rc = fail_at(&r, r.final_line, r.final_col, "a final balance ({\"id\", \"balance\": N}) among "
                     "records of replies: one form, please");
    if (rc == 0) describe(&r, &doc, first);
    lv_document_free(&doc);
    if (rc != 0) bank_session_output_free(out);
    return rc;
}

void bank_session_output_free(bank_session_output *out)
{
    for (size_t i = 0; i < out->n_records; i++) record_free(&out->records[i]);
    free(out->records);
    memset(out, 0, sizeof *out);
}
