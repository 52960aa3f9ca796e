#include "student_output.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/result_words.h"
#include "loose_value.h"

typedef struct {
    const char *source;
    char *err;
    size_t errlen;
    bank_student_output *out;
    size_t cap;
    /* what the file turned out to use, for the format line */
    int uppercase, nested_result, result_string_value, string_value, single_object, message_balance,
        pending, flat;
    /* one-object-per-event records: id -> index of its record (open addressing) */
    int64_t *flat_ids;
    size_t *flat_index, flat_cap, flat_n;
} reader;

static int fail_at(reader *r, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail_at(reader *r, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lv_error_at(r->err, r->errlen, r->source, line, col, fmt, ap);
    va_end(ap);
    return -1;
}

static char *dup_text(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* The first number written inside a string ("600.0", "balance: 600.0"), if any. */
static int number_in_text(const char *s, double *out)
{
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p) ||
            ((*p == '-' || *p == '+' || *p == '.') && isdigit((unsigned char)p[1]))) {
            char *end;
            *out = strtod(p, &end);
            return end != p;
        }
    }
    return 0;
}

/* A result word's meaning. "pending" is a write applied at its branch and still owed to some
 * other (P11): applied, so success for the grader (G5). */
static bank_said classify_result(reader *r, const char *text)
{
    switch (bank_result_word(text)) {
    case BANK_WORD_SUCCESS: return BANK_SAID_SUCCESS;
    case BANK_WORD_FAIL: return BANK_SAID_FAIL;
    case BANK_WORD_PENDING: r->pending = 1; return BANK_SAID_SUCCESS;
    default: return BANK_SAID_OTHER;
    }
}

static void set_value(bank_reply *rp, double d)
{
    rp->has_value = 1;
    rp->value_real = d;
    /* the range first: converting a double beyond int64 to int64 is undefined */
    rp->value_is_integer = d > -9.2e18 && d < 9.2e18 && d == (double)(int64_t)d;
    rp->value = rp->value_is_integer ? (int64_t)d : 0;
}

/* A balance printed as a number, or as a string holding one ("10", "balance: 600.0"), or the
 * whole response message printed in its place ({"interface": "query", "balance": 410}: its own
 * balance, a few levels down at most). */
static int take_value(reader *r, bank_reply *rp, const lv_value *v)
{
    for (int depth = 0; v->type == LV_OBJECT && depth < 4; depth++) {
        const lv_value *inner = lv_get(v, "balance");
        if (!inner) inner = lv_get(v, "money");
        if (!inner) return 0;
        r->message_balance = 1;
        v = inner;
    }
    if (v->type == LV_NUMBER) {
        if (v->is_integer) {
            rp->has_value = rp->value_is_integer = 1;
            rp->value = v->integer;
            rp->value_real = v->number;
        } else {
            set_value(rp, v->number);
        }
        return 1;
    }
    double d;
    if (v->type == LV_STRING && number_in_text(v->string, &d)) {
        r->string_value = 1;
        set_value(rp, d);
        return 1;
    }
    return 0;
}

static int read_reply(reader *r, const lv_value *item, bank_reply *rp)
{
    rp->line = item->line;
    rp->col = item->col;
    if (item->type != LV_OBJECT)
        return fail_at(r, item->line, item->col, "a reply in \"recv\" that is not an object");
    const lv_value *iface = lv_get(item, "interface");
    if (iface && iface->type == LV_STRING) {
        if (!(rp->interface = dup_text(iface->string))) return fail_at(r, 1, 1, "out of memory");
        static const struct { const char *name; bank_op op; } ops[] = {
            {"query", BANK_OP_QUERY}, {"deposit", BANK_OP_DEPOSIT}, {"withdraw", BANK_OP_WITHDRAW}};
        for (size_t i = 0; i < 3; i++)
            if (strcasecmp(iface->string, ops[i].name) == 0) {
                rp->op_known = 1;
                rp->op = ops[i].op;
                if (strcmp(iface->string, ops[i].name) != 0) r->uppercase = 1;
            }
    }
    const lv_value *res = lv_get(item, "result");
    if (res && res->type == LV_STRING) {
        if (!(rp->result_text = dup_text(res->string))) return fail_at(r, 1, 1, "out of memory");
        rp->result = classify_result(r, res->string);
        double d;
        if (rp->result == BANK_SAID_OTHER && number_in_text(res->string, &d)) {
            r->result_string_value = 1; /* "balance: 600.0": the answer is the balance */
            rp->result = BANK_SAID_SUCCESS;
            set_value(rp, d);
        }
    } else if (res && res->type == LV_BOOL) {
        rp->result = res->boolean ? BANK_SAID_SUCCESS : BANK_SAID_FAIL;
    } else if (res && res->type == LV_OBJECT) {
        r->nested_result = 1;
        const lv_value *status = lv_get(res, "status");
        if (status && status->type == LV_STRING) rp->result = classify_result(r, status->string);
        const lv_value *bal = lv_get(res, "balance");
        if (!bal) bal = lv_get(res, "money");
        if (bal) take_value(r, rp, bal);
    }
    const char *value_keys[] = {"balance", "money", "value"};
    for (size_t i = 0; i < 3; i++) {
        const lv_value *v = lv_get(item, value_keys[i]);
        if (v && take_value(r, rp, v)) break;
    }
    return 0;
}

int bank_student_reply_read(const lv_value *item, bank_reply *out, char *err, size_t errlen)
{
    reader r = {.source = "reply", .err = err, .errlen = errlen};
    memset(out, 0, sizeof *out);
    if (read_reply(&r, item, out) == 0) return 0;
    bank_student_reply_free(out); /* the interface, when the result's copy is what failed */
    return -1;
}

void bank_student_reply_free(bank_reply *rp)
{
    free(rp->interface);
    free(rp->result_text);
}

static void free_record(bank_record *rec)
{
    for (size_t i = 0; i < rec->n_replies; i++) bank_student_reply_free(&rec->replies[i]);
    free(rec->replies);
}

static int customer_id(const lv_value *v, int64_t *id)
{
    if (v->type == LV_NUMBER && v->is_integer) {
        *id = v->integer;
        return 0;
    }
    if (v->type == LV_STRING) {
        char *end;
        long long x = strtoll(v->string, &end, 10);
        if (end != v->string && *end == '\0') {
            *id = x;
            return 0;
        }
    }
    return -1;
}

static int push_record(reader *r, bank_record *rec, const lv_value *obj)
{
    bank_student_output *out = r->out;
    if (out->n_records == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 16;
        bank_record *nr = realloc(out->records, ncap * sizeof *nr);
        if (!nr) {
            free_record(rec);
            return fail_at(r, obj->line, obj->col, "out of memory");
        }
        out->records = nr;
        r->cap = ncap;
    }
    out->records[out->n_records++] = *rec;
    return 0;
}

static size_t flat_slot(const reader *r, int64_t id)
{
    size_t h = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 20) & (r->flat_cap - 1);
    while (r->flat_index[h] != SIZE_MAX && r->flat_ids[h] != id) h = (h + 1) & (r->flat_cap - 1);
    return h;
}

static int flat_grow(reader *r)
{
    size_t cap = r->flat_cap ? r->flat_cap * 2 : 64;
    int64_t *ids = malloc(cap * sizeof *ids);
    size_t *index = malloc(cap * sizeof *index);
    if (!ids || !index) {
        free(ids);
        free(index);
        return -1;
    }
    for (size_t i = 0; i < cap; i++) index[i] = SIZE_MAX;
    reader old = *r;
    r->flat_ids = ids;
    r->flat_index = index;
    r->flat_cap = cap;
    for (size_t i = 0; i < old.flat_cap; i++)
        if (old.flat_index[i] != SIZE_MAX) {
            size_t h = flat_slot(r, old.flat_ids[i]);
            r->flat_ids[h] = old.flat_ids[i];
            r->flat_index[h] = old.flat_index[i];
        }
    free(old.flat_ids);
    free(old.flat_index);
    return 0;
}

/* {"id": 1, "interface": "query", "balance": 330}: one event, no "recv" list. The events of an id
 * are gathered, in file order, into one record of that id. */
static int read_flat_event(reader *r, const lv_value *obj, int64_t id)
{
    r->flat = 1;
    if (2 * (r->flat_n + 1) > r->flat_cap && flat_grow(r) != 0)
        return fail_at(r, obj->line, obj->col, "out of memory");
    size_t h = flat_slot(r, id);
    if (r->flat_index[h] == SIZE_MAX) {
        bank_record rec = {.id = id, .line = obj->line, .col = obj->col, .flat = 1};
        if (push_record(r, &rec, obj) != 0) return -1;
        r->flat_ids[h] = id;
        r->flat_index[h] = r->out->n_records - 1;
        r->flat_n++;
    }
    bank_record *rec = &r->out->records[r->flat_index[h]];
    size_t n = rec->n_replies;
    if ((n & (n - 1)) == 0) { /* grown at every power of two */
        bank_reply *nr = realloc(rec->replies, (n ? 2 * n : 1) * sizeof *nr);
        if (!nr) return fail_at(r, obj->line, obj->col, "out of memory");
        rec->replies = nr;
    }
    memset(&rec->replies[n], 0, sizeof rec->replies[n]);
    rec->n_replies++;
    return read_reply(r, obj, &rec->replies[n]);
}

static int read_record(reader *r, const lv_value *obj)
{
    const lv_value *idv = lv_get(obj, "id");
    if (!idv)
        return fail_at(r, obj->line, obj->col,
                       "an object without \"id\": expected {\"id\": N, \"recv\": [...]}");
    bank_record rec = {0};
    rec.line = obj->line;
    rec.col = obj->col;
    if (customer_id(idv, &rec.id) != 0)
        return fail_at(r, idv->line, idv->col, "\"id\" is not a whole number");
    const lv_value *recv = lv_get(obj, "recv");
    if (!recv && lv_get(obj, "interface")) return read_flat_event(r, obj, rec.id);
    if (!recv)
        return fail_at(r, obj->line, obj->col, "the record of customer %lld has no \"recv\" list",
                       (long long)rec.id);
    const lv_value *items = recv->type == LV_ARRAY ? recv->items : recv;
    size_t n = recv->type == LV_ARRAY ? recv->n : 1;
    if (recv->type != LV_ARRAY && recv->type != LV_OBJECT)
        return fail_at(r, recv->line, recv->col, "\"recv\" of customer %lld is not a list",
                       (long long)rec.id);
    if (n) {
        rec.replies = calloc(n, sizeof *rec.replies);
        if (!rec.replies) return fail_at(r, obj->line, obj->col, "out of memory");
    }
    rec.n_replies = n;
    for (size_t i = 0; i < n; i++) {
        if (read_reply(r, &items[i], &rec.replies[i]) != 0) {
            free_record(&rec);
            return -1;
        }
        /* read: its memory goes back now, so that the values and the replies are never both
         * held whole (the document is this reader's own, and nothing reads a reply twice) */
        lv_value_release((lv_value *)&items[i]);
    }
    return push_record(r, &rec, obj);
}

/* Every record of an array, looking through arrays nested in it. */
static int read_array(reader *r, const lv_value *a, int depth)
{
    for (size_t i = 0; i < a->n; i++) {
        const lv_value *v = &a->items[i];
        int rc = v->type == LV_ARRAY    ? read_array(r, v, depth + 1)
                 : v->type == LV_OBJECT ? read_record(r, v)
                                        : fail_at(r, v->line, v->col,
                                                  "expected a customer's {\"id\", \"recv\"} object");
        if (rc != 0) return -1;
    }
    return 0;
}

/* 0, or -1 out of memory. */
static int collect_ids(const lv_value *a, int64_t **ids, size_t *n, size_t *cap)
{
    for (size_t i = 0; i < a->n; i++) {
        const lv_value *v = &a->items[i];
        if (v->type == LV_ARRAY) {
            if (collect_ids(v, ids, n, cap) != 0) return -1;
            continue;
        }
        int64_t id;
        const lv_value *idv = lv_get(v, "id");
        if (!idv || customer_id(idv, &id) != 0) continue;
        if (*n == *cap) {
            size_t ncap = *cap ? *cap * 2 : 16;
            int64_t *ni = realloc(*ids, ncap * sizeof *ni);
            if (!ni) return -1;
            *ids = ni;
            *cap = ncap;
        }
        (*ids)[(*n)++] = id;
    }
    return 0;
}

/* 1 or 0, or -1 out of memory. */
static int shares_an_id(const lv_value *a, const lv_value *b)
{
    int64_t *ia = NULL, *ib = NULL;
    size_t na = 0, nb = 0, ca = 0, cb = 0;
    int shared = collect_ids(a, &ia, &na, &ca) == 0 && collect_ids(b, &ib, &nb, &cb) == 0 ? 0 : -1;
    for (size_t i = 0; i < na && !shared; i++)
        for (size_t j = 0; j < nb && !shared; j++) shared = ia[i] == ib[j];
    free(ia);
    free(ib);
    return shared;
}

/* Several top-level arrays that repeat customer ids are several runs appended to one file
 * (a student who re-ran and kept appending): the last one is graded. 0, or -1 out of memory. */
static int first_graded_value(const lv_document *doc, size_t *first, size_t *runs)
{
    *first = 0;
    *runs = 1;
    for (size_t i = 0; i < doc->n; i++)
        if (doc->values[i].type != LV_ARRAY) return 0;
    for (size_t i = 1; i < doc->n; i++) {
        int shared = shares_an_id(&doc->values[i - 1], &doc->values[i]);
        if (shared < 0) return -1;
        if (shared) {
            *first = i;
            (*runs)++;
        }
    }
    return 0;
}

static int only_empty_arrays(const lv_value *v)
{
    if (v->type != LV_ARRAY) return 0;
    for (size_t i = 0; i < v->n; i++)
        if (!only_empty_arrays(&v->items[i])) return 0;
    return 1;
}

static void describe_format(reader *r, const lv_document *doc, size_t runs, size_t first)
{
    char *f = r->out->format;
    size_t n = sizeof r->out->format;
    size_t arrays = 0, objects = 0;
    for (size_t i = first; i < doc->n; i++) {
        if (doc->values[i].type == LV_ARRAY) arrays++;
        else objects++;
    }
    const char *syntax = doc->syntax == LV_SYNTAX_TEXTPROTO ? "protobuf text dump"
                         : doc->syntax == LV_SYNTAX_PYTHON  ? "Python literals"
                                                            : "JSON";
    const char *layout = doc->syntax == LV_SYNTAX_TEXTPROTO ? "messages back to back"
                         : arrays == 1 && objects == 0      ? "one array"
                         : arrays == 0 && objects == 1      ? "a single object"
                         : arrays == 0                      ? "one object a line"
                                                            : "several arrays";
    int len = snprintf(f, n, "%s, %s", syntax, layout);
    if (runs > 1 && len >= 0 && (size_t)len < n)
        len += snprintf(f + len, n - (size_t)len, ", %zu runs appended (graded the last)", runs);
    struct { int on; const char *text; } notes[] = {
        {r->uppercase, ", interface in capitals"},
        {r->nested_result, ", result as an object"},
        {r->result_string_value, ", balance inside the result string"},
        {r->string_value, ", balance as a string"},
        {r->message_balance, ", query balance as the whole response message"},
        {r->flat, ", one object per event (grouped by customer id)"},
        {r->pending, ", result pending read as applied"},
        {r->out->n_records == 0, ", empty: no record"},
        {doc->noise_lines > 0, ", other lines skipped"},
    };
    for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++)
        if (notes[i].on && len >= 0 && (size_t)len < n)
            len += snprintf(f + len, n - (size_t)len, "%s", notes[i].text);
}

int bank_student_output_parse(const char *text, size_t len, const char *source,
                              bank_student_output *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    lv_document doc;
    char lverr[256];
    if (lv_parse(text, len, &doc, lverr, sizeof lverr) != 0) {
        snprintf(err, errlen, "%s:%s", source, lverr);
        return -1;
    }
    reader r = {.source = source, .err = err, .errlen = errlen, .out = out};
    size_t runs, first;
    int rc = first_graded_value(&doc, &first, &runs);
    if (rc != 0) fail_at(&r, doc.values[0].line, doc.values[0].col, "out of memory");
    for (size_t i = first; i < doc.n && rc == 0; i++) {
        const lv_value *v = &doc.values[i];
        rc = v->type == LV_ARRAY    ? read_array(&r, v, 0)
             : v->type == LV_OBJECT ? read_record(&r, v)
                                    : fail_at(&r, v->line, v->col, "expected an array or an object");
    }
    int empty = 1; /* [] (or [[]]): a usable file in which every event is missing (G4) */
    for (size_t i = first; i < doc.n && empty; i++) empty = only_empty_arrays(&doc.values[i]);
    if (rc == 0 && out->n_records == 0 && !empty)
        rc = fail_at(&r, doc.values[first].line, doc.values[first].col,
                     "no customer record ({\"id\", \"recv\"}) in the file");
    if (rc == 0) describe_format(&r, &doc, runs, first);
    free(r.flat_ids);
    free(r.flat_index);
    lv_document_free(&doc);
    if (rc != 0) bank_student_output_free(out);
    return rc;
}

void bank_student_output_free(bank_student_output *out)
{
    for (size_t i = 0; i < out->n_records; i++) free_record(&out->records[i]);
    free(out->records);
    memset(out, 0, sizeof *out);
}
