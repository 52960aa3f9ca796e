/* Reads a student's Project 2 output into normalised events (see p2_student.h). */
#include "p2_student.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/lamport.h"
#include "loose_value.h"

/* What a file turned out to hold, for the format line (bits). */
enum { SEEN_JSON = 1, SEEN_PYTHON = 2, SEEN_TEXTPROTO = 4, SEEN_CUSTOMERS = 8, SEEN_BRANCHES = 16,
       SEEN_ALL = 32, SEEN_OLD = 64, SEEN_REPLIES = 128 };

typedef struct {
    bank_p2_student *out;
    const char *file;
    unsigned seen;
    char *err;
    size_t errlen;
} reader;

static char *dup_text(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static int contains(const char *s, const char *word) { return s && strstr(s, word) != NULL; }

static void said_free(bank_p2_said *s)
{
    free(s->clock_text);
    free(s->interface);
    free(s->comment);
}

static int add(reader *r, bank_p2_said *s)
{
    bank_p2_student *o = r->out;
    bank_p2_said *grown = bank_grow(o->items, o->n, &o->cap, sizeof *grown);
    if (!grown) {
        said_free(s);
        return -1;
    }
    o->items = grown;
    s->file = r->file;
    o->items[o->n++] = *s;
    return 0;
}

/* A lower-case copy, at most 159 bytes. */
static void lower(const char *s, char *buf, size_t n)
{
    size_t i = 0;
    for (; s && s[i] && i + 1 < n; i++) buf[i] = (char)tolower((unsigned char)s[i]);
    buf[i] = '\0';
}

/* deposit / withdraw / query, and whether it is a propagation, from an interface or old name. */
static void read_op(bank_p2_said *s, const char *text)
{
    char t[160];
    lower(text, t, sizeof t);
    s->op_known = 1;
    if (contains(t, "deposit")) s->op = BANK_OP_DEPOSIT;
    else if (contains(t, "withdraw")) s->op = BANK_OP_WITHDRAW;
    else if (contains(t, "query")) s->op = BANK_OP_QUERY;
    else s->op_known = 0;
    s->propagation = contains(t, "propagat") || contains(t, "propogat") || contains(t, "broadcast");
}

/* "event_sent from customer 1", "event_recv by branch 2", "Event_sent ...", "event sent ...":
 * which event, and the number named. */
static void read_comment(bank_p2_said *s, int customer_record)
{
    char t[160];
    lower(s->comment, t, sizeof t);
    int sent = contains(t, "sent") || contains(t, "send");
    int recv = contains(t, "recv") || contains(t, "receiv");
    int of_customer = contains(t, "customer") || contains(t, "client");
    int of_branch = contains(t, "branch") || contains(t, "bank");
    const char *digits = NULL;
    for (const char *p = t; *p; p++)
        if (isdigit((unsigned char)*p) && (p == t || !isdigit((unsigned char)p[-1]))) digits = p;
    if (digits && strlen(digits) < 19) {
        s->has_peer = 1;
        s->peer = strtoll(digits, NULL, 10);
    }
    s->kind = -1;
    if (sent != recv && of_customer != of_branch) {
        s->kind = of_customer ? (sent ? BANK_CLOCK_CUSTOMER_SENT : BANK_CLOCK_CUSTOMER_RECV)
                              : (sent ? BANK_CLOCK_BRANCH_SENT : BANK_CLOCK_BRANCH_RECV);
        return;
    }
    /* no comment that says it: a customer only sends; a branch takes its customer's requests */
    if (customer_record == 1) s->kind = BANK_CLOCK_CUSTOMER_SENT;
    else if (customer_record == 0 && !s->propagation) s->kind = BANK_CLOCK_CUSTOMER_RECV;
}

static int whole(const lv_value *v, int64_t *out)
{
    if (v && v->type == LV_NUMBER && v->is_integer) {
        *out = v->integer;
        return 1;
    }
    if (v && v->type == LV_STRING && v->string[0] && strlen(v->string) < 19) {
        for (const char *p = v->string; *p; p++)
            if (!isdigit((unsigned char)*p)) return 0;
        *out = strtoll(v->string, NULL, 10);
        return 1;
    }
    return 0;
}

static const char *text_of(const lv_value *v)
{
    return v && v->type == LV_STRING ? v->string : NULL;
}

/* 0, or -1 out of memory. */
static int read_clock(bank_p2_said *s, const lv_value *v)
{
    int64_t c;
    if (!v) return 0;
    if (whole(v, &c) && c >= 0) {
        s->has_clock = 1;
        s->clock = (uint64_t)c;
        return 0;
    }
    char buf[64];
    if (v->type == LV_NUMBER) snprintf(buf, sizeof buf, "%g", v->number);
    else if (v->type == LV_STRING) snprintf(buf, sizeof buf, "\"%.40s\"", v->string);
    else snprintf(buf, sizeof buf, "%s", v->type == LV_NULL ? "null" : "not a number");
    s->clock_text = dup_text(buf);
    return s->clock_text ? 0 : -1;
}

/* -1: which kind of process the record is cannot be told from it; 1 customer; 0 branch. */
static int record_type(const lv_value *o)
{
    char t[160];
    lower(text_of(lv_get(o, "type")), t, sizeof t);
    if (strcmp(t, "customer") == 0 || strcmp(t, "client") == 0) return 1;
    if (strcmp(t, "branch") == 0 || strcmp(t, "bank") == 0) return 0;
    return -1;
}

/* One event of the new form: in a process's list (process known; the customer part or the
 * branch part by what the event is), or flat (BANK_P2_IN_ALL: its own id and type). `seen`: what
 * it shows of the file's form, or 0 for the part it lands in. */
static int read_event(reader *r, const lv_value *o, int customer_record, int has_process,
                      int64_t process, size_t position, bank_p2_place place, unsigned seen)
{
    bank_p2_said s;
    memset(&s, 0, sizeof s);
    s.old_kind = -1;
    s.line = o->line;
    s.col = o->col;
    s.position = position;
    s.has_process = has_process || whole(lv_get(o, "id"), &process);
    s.process = process;
    const lv_value *req = lv_get(o, "customer-request-id");
    if (!req) req = lv_get(o, "customer_request_id");
    s.has_request = whole(req, &s.request);
    const lv_value *clock = lv_get(o, "logical_clock");
    int clock_read = read_clock(&s, clock ? clock : lv_get(o, "clock"));
    const char *interface = text_of(lv_get(o, "interface")), *comment = text_of(lv_get(o, "comment"));
    s.interface = dup_text(interface);
    s.comment = dup_text(comment);
    if (clock_read != 0 || (interface && !s.interface) || (comment && !s.comment)) {
        said_free(&s);
        return -1;
    }
    read_op(&s, s.interface);
    if (place == BANK_P2_IN_ALL) customer_record = record_type(o);
    read_comment(&s, customer_record);
    int customer = s.kind == BANK_CLOCK_CUSTOMER_SENT || (s.kind < 0 && customer_record == 1);
    s.place = place == BANK_P2_IN_ALL ? place : customer ? BANK_P2_IN_CUSTOMERS : BANK_P2_IN_BRANCHES;
    r->seen |= seen ? seen : customer ? SEEN_CUSTOMERS : SEEN_BRANCHES;
    return add(r, &s);
}

/* One {"id", "name", "clock"} of the old form, at branch pid. */
static int read_old(reader *r, int64_t pid, int64_t request, int has_request, const char *name,
                    const lv_value *clock, uint64_t text_clock, int line, int col)
{
    bank_p2_said s;
    memset(&s, 0, sizeof s);
    s.place = BANK_P2_IN_OLD;
    s.kind = -1;
    s.has_process = 1;
    s.process = pid;
    s.has_request = has_request;
    s.request = request;
    s.line = line;
    s.col = col;
    if (clock && read_clock(&s, clock) != 0) return -1;
    if (!clock) s.has_clock = 1, s.clock = text_clock;
    if (name && !(s.interface = dup_text(name))) {
        said_free(&s); /* the clock's text */
        return -1;
    }
    read_op(&s, name);
    char t[160];
    lower(name, t, sizeof t);
    size_t n = strlen(t);
    s.old_kind = -1;
    static const char *const phases[] = {"request", "execute", "response"};
    for (int k = 0; k < 3; k++)
        if (n >= strlen(phases[k]) && strcmp(t + n - strlen(phases[k]), phases[k]) == 0)
            s.old_kind = (s.propagation ? BANK_P2_OLD_PROP_REQUEST : BANK_P2_OLD_REQUEST) + k;
    r->seen |= SEEN_OLD;
    return add(r, &s);
}

static int walk(reader *r, const lv_value *v, int depth);

static int read_object(reader *r, const lv_value *o, int depth)
{
    const lv_value *events = lv_get(o, "events"), *data = lv_get(o, "data"), *recv = lv_get(o, "recv");
    int64_t id = 0, request;
    int has_id = whole(lv_get(o, "id"), &id);
    int found = 0;
    for (size_t k = 0; k < o->n; k++) /* our one-object form: {"customer_events": [...], ...} */
        if (o->items[k].type == LV_ARRAY && strstr(o->keys[k], "_events")) {
            found = 1;
            if (walk(r, &o->items[k], depth + 1) != 0) return -1;
        }
    if (found) return 0;
    if (events && events->type == LV_ARRAY) {
        int type = record_type(o);
        for (size_t k = 0; k < events->n; k++)
            if (events->items[k].type == LV_OBJECT &&
                read_event(r, &events->items[k], type, has_id, id, k + 1, BANK_P2_IN_CUSTOMERS, 0) != 0)
                return -1;
        return 0;
    }
    int64_t pid;
    if (data && data->type == LV_ARRAY && whole(lv_get(o, "pid"), &pid)) {
        for (size_t k = 0; k < data->n; k++) {
            const lv_value *d = &data->items[k];
            if (d->type != LV_OBJECT) continue;
            int has_request = whole(lv_get(d, "id"), &request);
            if (read_old(r, pid, request, has_request, text_of(lv_get(d, "name")), lv_get(d, "clock"), 0,
                         d->line, d->col) != 0)
                return -1;
        }
        return 0;
    }
    if (recv && recv->type == LV_ARRAY && has_id) { /* a customer's replies, each with its clock */
        for (size_t k = 0; k < recv->n; k++)
            if (recv->items[k].type == LV_OBJECT && lv_get(&recv->items[k], "clock") &&
                read_event(r, &recv->items[k], 1, 1, id, k + 1, BANK_P2_IN_CUSTOMERS, SEEN_REPLIES) != 0)
                return -1;
        return 0;
    }
    if (lv_get(o, "logical_clock") || (lv_get(o, "clock") && (lv_get(o, "comment") || lv_get(o, "interface"))))
        return read_event(r, o, -1, 0, 0, 0, BANK_P2_IN_ALL, SEEN_ALL);
    r->out->ignored++; /* e.g. the old form's {"eventid", "data"} lists: no process to judge */
    return 0;
}

static int walk(reader *r, const lv_value *v, int depth)
{
    if (depth > 8) return 0;
    if (v->type == LV_OBJECT) return read_object(r, v, depth);
    if (v->type != LV_ARRAY) return 0;
    for (size_t k = 0; k < v->n; k++)
        if (walk(r, &v->items[k], depth + 1) != 0) return -1;
    return 0;
}

/* The value after "key:" in block (NUL-terminated; the key starting a word), or NULL. */
static const char *field(const char *block, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = strstr(block, key); p; p = strstr(p + 1, key))
        if ((p == block || strchr(" \t\r\n{", p[-1])) && p[n] == ':') return p + n + 1;
    return NULL;
}

/* The protobuf text dump's "clock_events { id: 2 event_id: 2 name: "deposit_request" clock: 3 }"
 * blocks (the old form, id the branch). Returns how many were read, or -1 out of memory. */
static int read_clock_events(reader *r, const char *text, size_t len)
{
    int found = 0, line = 1;
    const char *end = text + len;
    for (const char *p = text; p < end; p++) {
        if (*p == '\n') line++;
        if ((size_t)(end - p) < 12 || memcmp(p, "clock_events", 12) != 0) continue;
        const char *close = memchr(p, '}', (size_t)(end - p));
        if (!close) break;
        char block[512];
        size_t n = (size_t)(close - p) < sizeof block - 1 ? (size_t)(close - p) : sizeof block - 1;
        memcpy(block, p, n);
        block[n] = '\0';
        const char *id = field(block, "id"), *event = field(block, "event_id"),
                   *clock = field(block, "clock"), *name = field(block, "name");
        int at = line;
        for (const char *q = p; q < close; q++) line += *q == '\n';
        p = close;
        if (!clock || !isdigit((unsigned char)clock[strspn(clock, " ")])) continue;
        char name_text[80] = "";
        if (name) {
            name += strspn(name, " \"");
            size_t k = strcspn(name, "\"\n");
            snprintf(name_text, sizeof name_text, "%.*s", (int)(k < 79 ? k : 79), name);
        }
        found++;
        if (read_old(r, id ? strtoll(id, NULL, 10) : 0, event ? strtoll(event, NULL, 10) : 0, event != NULL,
                     name_text, NULL, strtoull(clock, NULL, 10), at, 1) != 0)
            return -1;
    }
    if (found) r->seen |= SEEN_TEXTPROTO;
    return found;
}

static void describe(bank_p2_student *o, unsigned seen)
{
    static const struct { unsigned bit; const char *what; } names[] = {
        {SEEN_JSON, "JSON"}, {SEEN_PYTHON, "Python literals"}, {SEEN_TEXTPROTO, "protobuf text"},
        {SEEN_CUSTOMERS, "customer part"}, {SEEN_BRANCHES, "branch part"}, {SEEN_ALL, "all-events part"},
        {SEEN_OLD, "old pid/data form"}, {SEEN_REPLIES, "customer replies with clocks"}};
    char buf[240] = "";
    size_t n = 0;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if ((seen & names[k].bit) && !strstr(o->format, names[k].what))
            n += (size_t)snprintf(buf + n, n < sizeof buf ? sizeof buf - n : 0, "%s%s",
                                  n || o->format[0] ? ", " : "", names[k].what);
    size_t used = strlen(o->format);
    snprintf(o->format + used, sizeof o->format - used, "%s", buf);
}

int bank_p2_student_parse(const char *text, size_t len, const char *source, bank_p2_student *out,
                          char *err, size_t errlen)
{
    char **files = realloc(out->files, (out->n_files + 1) * sizeof *files);
    if (files) out->files = files;
    char *file = files ? dup_text(source) : NULL;
    if (!file) {
        snprintf(err, errlen, "%s: out of memory", source);
        return -1;
    }
    out->files[out->n_files++] = file;
    reader r = {out, file, 0, err, errlen};
    size_t before = out->n, ignored = out->ignored;
    int rc = memmem(text, len, "clock_events", 12) ? read_clock_events(&r, text, len) : 0;
    if (rc == 0) {
        lv_document doc;
        char why[400];
        if (lv_parse(text, len, &doc, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s:%s", source, why);
            rc = -2;
        } else {
            r.seen |= doc.syntax == LV_SYNTAX_PYTHON      ? SEEN_PYTHON
                      : doc.syntax == LV_SYNTAX_TEXTPROTO ? SEEN_TEXTPROTO : SEEN_JSON;
            for (size_t k = 0; k < doc.n && rc == 0; k++) rc = walk(&r, &doc.values[k], 0);
            lv_document_free(&doc);
        }
    }
    if (rc == -1) snprintf(err, errlen, "%s: out of memory", source);
    if (rc >= 0 && out->n == before) {
        snprintf(err, errlen, "%s: no Project 2 event in it (the course's customer, branch or all-events "
                              "lists, or the old {\"pid\", \"data\"} form)", source);
        rc = -1;
    }
    if (rc < 0) { /* as it was */
        for (size_t k = before; k < out->n; k++) said_free(&out->items[k]);
        out->n = before;
        out->ignored = ignored;
        free(out->files[--out->n_files]);
        return -1;
    }
    describe(out, r.seen);
    return 0;
}

void bank_p2_student_free(bank_p2_student *out)
{
    for (size_t k = 0; k < out->n; k++) said_free(&out->items[k]);
    for (size_t k = 0; k < out->n_files; k++) free(out->files[k]);
    free(out->items);
    free(out->files);
    memset(out, 0, sizeof *out);
}
