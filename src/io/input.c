#include "input.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "char_name.h"
#include "json_positions.h"
#include "read_file.h"

typedef struct {
    const char *source;
    const char *text;
    bank_json_positions pos;
    char *err;
    size_t errlen;
    bank_routes *routes; /* Project 3: every event's "branch" or "dest" (NULL: not read) */
} reader;

/* An error is one line, whatever text it quotes. */
static void one_line(char *msg)
{
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t') *p = ' ';
}

/* Writes "<source>:<line>:<column>: <what>" for the value node (position left out if unknown). */
__attribute__((format(printf, 3, 4))) static int fail_at(reader *r, const cJSON *node,
                                                         const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const bank_json_span *at = bank_json_positions_find(&r->pos, node);
    if (at)
        snprintf(r->err, r->errlen, "%s:%u:%u: %s", r->source, at->line, at->column, what);
    else
        snprintf(r->err, r->errlen, "%s: %s", r->source, what);
    one_line(r->err);
    return -1;
}

static const char *kind_of(const cJSON *v)
{
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    return "something else";
}

typedef enum { INT_OK, INT_NOT_NUMBER, INT_NOT_WHOLE, INT_TOO_BIG } int_status;

/* Reads a JSON integer exactly from its lexeme (cJSON's double would round past 2^53). */
static int_status exact_int(reader *r, const cJSON *v, int64_t *out)
{
    if (!cJSON_IsNumber(v)) return INT_NOT_NUMBER;
    const bank_json_span *at = bank_json_positions_find(&r->pos, v);
    if (!at) return INT_NOT_NUMBER;
    const char *s = r->text + at->offset;
    size_t n = at->length, i = 0;
    int negative = n > 0 && s[0] == '-';
    if (negative) i++;
    if (i == n) return INT_NOT_NUMBER;
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t mag = 0;
    int too_big = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return INT_NOT_WHOLE; /* a fraction or an exponent */
        unsigned d = (unsigned)(s[i] - '0');
        if (mag > (limit - d) / 10) too_big = 1;
        else mag = mag * 10 + d;
    }
    if (too_big) return INT_TOO_BIG;
    *out = negative ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
    return INT_OK;
}

static const char *lexeme(reader *r, const cJSON *v, char *buf, size_t cap)
{
    const bank_json_span *at = bank_json_positions_find(&r->pos, v);
    if (!at || !cJSON_IsNumber(v)) return kind_of(v);
    snprintf(buf, cap, "%.*s", (int)(at->length < 40 ? at->length : 40), r->text + at->offset);
    return buf;
}

/* An integer in [min, max]; ctx names where (e.g. "branch 1 (process 4)"), field the key. */
static int read_int(reader *r, const cJSON *v, const char *ctx, const char *field, int64_t min,
                    int64_t max, int64_t *out)
{
    char buf[48];
    const char *range = min == 0 ? "a non-negative integer" : "an integer";
    switch (exact_int(r, v, out)) {
    case INT_NOT_NUMBER:
        return fail_at(r, v, "%s: %s must be %s, got %s", ctx, field, range, kind_of(v));
    case INT_NOT_WHOLE:
        return fail_at(r, v, "%s: %s must be a whole number, got %s", ctx, field,
                       lexeme(r, v, buf, sizeof buf));
    case INT_TOO_BIG:
        return fail_at(r, v, "%s: %s %s does not fit in int64", ctx, field,
                       lexeme(r, v, buf, sizeof buf));
    case INT_OK: break;
    }
    if (*out < min)
        return fail_at(r, v, "%s: %s must be %s, got %" PRId64, ctx, field,
                       min == 0 ? "a non-negative integer" : "larger", *out);
    if (*out > max)
        return fail_at(r, v, "%s: %s %" PRId64 " is larger than %" PRId64, ctx, field, *out, max);
    return 0;
}

/* Rejects a key that appears twice in one object: cJSON would silently keep the first. */
static int check_duplicate_keys(reader *r, const cJSON *obj, const char *ctx)
{
    for (const cJSON *a = obj->child; a; a = a->next)
        for (const cJSON *b = a->next; b; b = b->next)
            if (a->string && b->string && strcmp(a->string, b->string) == 0)
                return fail_at(r, b, "%s: duplicate key \"%s\"", ctx, b->string);
    return 0;
}

/* Project 3: the branch an event names, "branch" (the course's new form) or "dest" (the old),
 * as its id for now (link_events makes it an index); NO_ROUTE when it names none. */
#define NO_ROUTE SIZE_MAX
static int read_route(reader *r, const cJSON *ev, const char *ctx, size_t *route)
{
    const cJSON *branch = cJSON_GetObjectItemCaseSensitive(ev, "branch");
    const cJSON *dest = cJSON_GetObjectItemCaseSensitive(ev, "dest");
    if (branch && dest)
        return fail_at(r, dest, "%s: both \"branch\" and \"dest\" (they say the same; give one)", ctx);
    *route = NO_ROUTE;
    if (!branch) branch = dest;
    int64_t id;
    if (branch && read_int(r, branch, ctx, branch == dest ? "dest" : "branch", 0, BANK_MAX_PROCESS_ID, &id) != 0)
        return -1;
    if (branch) *route = (size_t)id;
    return 0;
}

/* An item of "events" (its id under "id") or of Project 2's "customer-requests" (its id under
 * "customer-request-id"); Project 3's route with it (route NULL: not read). */
static int read_event(reader *r, const cJSON *ev, const char *cust_ctx, size_t position,
                      int request, bank_event *out, size_t *route)
{
    char ctx[160];
    snprintf(ctx, sizeof ctx, "%s, %s %zu", cust_ctx, request ? "request" : "event", position);
    if (!cJSON_IsObject(ev)) return fail_at(r, ev, "%s: must be an object, got %s", ctx, kind_of(ev));
    if (check_duplicate_keys(r, ev, ctx) != 0) return -1;
    const cJSON *iface = cJSON_GetObjectItemCaseSensitive(ev, "interface");
    if (!iface) return fail_at(r, ev, "%s: \"interface\" is missing", ctx);
    if (!cJSON_IsString(iface))
        return fail_at(r, iface, "%s: interface must be a string, got %s", ctx, kind_of(iface));
    static const struct { const char *name; bank_op op; } ops[] = {
        {"query", BANK_OP_QUERY}, {"deposit", BANK_OP_DEPOSIT}, {"withdraw", BANK_OP_WITHDRAW}};
    size_t k = 0;
    while (k < 3 && strcmp(iface->valuestring, ops[k].name) != 0) k++;
    if (k == 3)
        return fail_at(r, iface, "%s: unknown interface \"%.40s\" (query, deposit or withdraw)", ctx,
                       iface->valuestring);
    out->op = ops[k].op;
    out->money = 0;
    out->id = (int64_t)position;
    const char *id_key = request ? "customer-request-id" : "id";
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(ev, id_key);
    if (id && read_int(r, id, ctx, id_key, INT64_MIN, INT64_MAX, &out->id) != 0) return -1;
    if (route && read_route(r, ev, ctx, route) != 0) return -1;
    if (out->op == BANK_OP_QUERY) return 0; /* money on a query (old course inputs) is ignored */
    const cJSON *money = cJSON_GetObjectItemCaseSensitive(ev, "money");
    if (!money) return fail_at(r, ev, "%s: \"money\" is missing (a %s needs it)", ctx, ops[k].name);
    return read_int(r, money, ctx, "money", 0, INT64_MAX, &out->money);
}

static int read_customer(reader *r, const cJSON *proc, const char *ctx, bank_customer *c,
                         size_t *events_so_far)
{
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(proc, "events");
    const cJSON *requests = cJSON_GetObjectItemCaseSensitive(proc, "customer-requests");
    if (events && requests)
        return fail_at(r, requests, "%s: both \"events\" and \"customer-requests\"", ctx);
    const char *list = requests ? "customer-requests" : "events";
    if (requests) events = requests; /* Project 2's form of the same list */
    if (!events) return fail_at(r, proc, "%s: \"events\" is missing", ctx);
    if (!cJSON_IsArray(events))
        return fail_at(r, events, "%s: %s must be an array, got %s", ctx, list, kind_of(events));
    size_t n = (size_t)cJSON_GetArraySize(events);
    if (n > BANK_MAX_EVENTS - *events_so_far)
        return fail_at(r, events, "%s: more than %d events in the input", ctx, BANK_MAX_EVENTS);
    *events_so_far += n;
    c->events = calloc(n ? n : 1, sizeof *c->events);
    if (!c->events) return fail_at(r, events, "%s: out of memory", ctx);
    size_t *routes = NULL;
    if (r->routes) {
        routes = r->routes->branch[r->routes->n_customers] = malloc((n ? n : 1) * sizeof *routes);
        if (!routes) return fail_at(r, events, "%s: out of memory", ctx);
        r->routes->n_customers++;
    }
    size_t k = 0;
    for (const cJSON *ev = events->child; ev; ev = ev->next, k++)
        if (read_event(r, ev, ctx, k + 1, requests != NULL, &c->events[k], routes ? &routes[k] : NULL) != 0)
            return -1;
    c->n_events = n;
    return 0;
}

typedef enum { PROC_CUSTOMER, PROC_BRANCH } proc_kind;

static int read_process(reader *r, const cJSON *proc, size_t index, bank_workload *w,
                        const cJSON **branch_nodes, size_t *events_so_far)
{
    char ctx[96];
    snprintf(ctx, sizeof ctx, "process %zu", index);
    if (!cJSON_IsObject(proc)) return fail_at(r, proc, "%s: must be an object, got %s", ctx, kind_of(proc));
    if (check_duplicate_keys(r, proc, ctx) != 0) return -1;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(proc, "type");
    if (!type) return fail_at(r, proc, "%s: \"type\" is missing", ctx);
    if (!cJSON_IsString(type))
        return fail_at(r, type, "%s: type must be a string, got %s", ctx, kind_of(type));
    proc_kind kind;
    if (strcmp(type->valuestring, "customer") == 0 || strcmp(type->valuestring, "client") == 0)
        kind = PROC_CUSTOMER;
    else if (strcmp(type->valuestring, "branch") == 0 || strcmp(type->valuestring, "bank") == 0)
        kind = PROC_BRANCH;
    else
        return fail_at(r, type, "%s: unknown type \"%.40s\" (customer or branch)", ctx, type->valuestring);
    const cJSON *idv = cJSON_GetObjectItemCaseSensitive(proc, "id");
    if (!idv) return fail_at(r, proc, "%s: \"id\" is missing", ctx);
    int64_t id;
    if (read_int(r, idv, ctx, "id", 0, BANK_MAX_PROCESS_ID, &id) != 0) return -1;
    snprintf(ctx, sizeof ctx, "%s %" PRId64 " (process %zu)", kind == PROC_BRANCH ? "branch" : "customer",
             id, index);

    if (kind == PROC_BRANCH) {
        for (size_t b = 0; b < w->n_branches; b++)
            if (w->branches[b].id == id) {
                const bank_json_span *first = bank_json_positions_find(&r->pos, branch_nodes[b]);
                return first ? fail_at(r, idv, "%s: duplicate branch id %" PRId64 " (first at line %u)",
                                       ctx, id, first->line)
                             : fail_at(r, idv, "%s: duplicate branch id %" PRId64, ctx, id);
            }
        if (w->n_branches == BANK_MAX_BRANCHES)
            return fail_at(r, proc, "%s: more than %d branches", ctx, BANK_MAX_BRANCHES);
        const cJSON *bal = cJSON_GetObjectItemCaseSensitive(proc, "balance");
        if (!bal) return fail_at(r, proc, "%s: \"balance\" is missing", ctx);
        bank_branch *br = &w->branches[w->n_branches];
        if (read_int(r, bal, ctx, "balance", 0, INT64_MAX, &br->balance) != 0) return -1;
        br->id = id;
        branch_nodes[w->n_branches++] = idv;
        return 0;
    }
    if (w->n_customers == BANK_MAX_CUSTOMERS)
        return fail_at(r, proc, "%s: more than %d customers", ctx, BANK_MAX_CUSTOMERS);
    bank_customer *c = &w->customers[w->n_customers++];
    c->id = id;
    return read_customer(r, proc, ctx, c, events_so_far);
}

/* Project 3: every event to the branch it names, else to its customer's own (then there must be
 * one); the customer's own branch, when there is none, is its first event's. */
static int link_events(reader *r, const cJSON *root, bank_workload *w, const cJSON **customer_ids)
{
    const cJSON *proc = root->child;
    for (size_t c = 0; c < w->n_customers; c++) {
        bank_customer *cu = &w->customers[c];
        while (proc && cJSON_GetObjectItemCaseSensitive(proc, "id") != customer_ids[c]) proc = proc->next;
        const cJSON *list = proc ? cJSON_GetObjectItemCaseSensitive(proc, "events") : NULL;
        if (proc && !list) list = cJSON_GetObjectItemCaseSensitive(proc, "customer-requests");
        const cJSON *ev = list ? list->child : NULL;
        size_t own = bank_workload_branch_index(w, cu->id);
        cu->branch_index = own;
        for (size_t e = 0; e < cu->n_events; e++, ev = ev ? ev->next : NULL) {
            size_t *route = &r->routes->branch[c][e];
            if (*route == NO_ROUTE && own == SIZE_MAX)
                return fail_at(r, ev, "customer %" PRId64 ", event %zu: names no branch (\"branch\" or "
                               "\"dest\") and there is no branch %" PRId64 " for customer %" PRId64
                               " to talk to", cu->id, e + 1, cu->id, cu->id);
            size_t b = *route == NO_ROUTE ? own : bank_workload_branch_index(w, (int64_t)*route);
            if (b == SIZE_MAX) {
                const cJSON *at = cJSON_GetObjectItemCaseSensitive(ev, "branch");
                return fail_at(r, at ? at : cJSON_GetObjectItemCaseSensitive(ev, "dest"),
                               "customer %" PRId64 ", event %zu: there is no branch %zu", cu->id, e + 1,
                               *route);
            }
            *route = b;
            if (cu->branch_index == SIZE_MAX) cu->branch_index = b;
        }
        if (cu->branch_index == SIZE_MAX) cu->branch_index = 0;
        proc = proc ? proc->next : NULL;
    }
    return 0;
}

/* Customer N talks to branch N (Project 3: see link_events); and no run may overflow a balance:
 * every branch's balance plus every deposit in the input must fit int64. */
static int link_and_bound(reader *r, const cJSON *root, bank_workload *w, const cJSON **customer_ids)
{
    if (r->routes && link_events(r, root, w, customer_ids) != 0) return -1;
    for (size_t c = 0; c < w->n_customers && !r->routes; c++) {
        size_t b = bank_workload_branch_index(w, w->customers[c].id);
        if (b == SIZE_MAX)
            return fail_at(r, customer_ids[c], "customer %" PRId64 ": there is no branch %" PRId64
                           " for it to talk to", w->customers[c].id, w->customers[c].id);
        w->customers[c].branch_index = b;
    }
    int64_t deposits = 0;
    for (size_t c = 0; c < w->n_customers; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++) {
            const bank_event *ev = &w->customers[c].events[e];
            if (ev->op == BANK_OP_DEPOSIT && __builtin_add_overflow(deposits, ev->money, &deposits))
                return fail_at(r, root, "the deposits add up to more than int64 can hold");
        }
    for (size_t b = 0; b < w->n_branches; b++) {
        int64_t sum;
        if (__builtin_add_overflow(w->branches[b].balance, deposits, &sum))
            return fail_at(r, root, "branch %" PRId64 ": its balance plus all the deposits (%" PRId64
                           ") would overflow int64", w->branches[b].id, deposits);
    }
    return 0;
}

static int read_workload(reader *r, const cJSON *root, bank_workload *w)
{
    if (!cJSON_IsArray(root))
        return fail_at(r, root, "the input must be a JSON array of processes, got %s", kind_of(root));
    size_t n = (size_t)cJSON_GetArraySize(root);
    w->branches = calloc(n ? n : 1, sizeof *w->branches);
    w->customers = calloc(n ? n : 1, sizeof *w->customers);
    const cJSON **branch_nodes = calloc(n ? n : 1, sizeof *branch_nodes);
    const cJSON **customer_ids = calloc(n ? n : 1, sizeof *customer_ids);
    int rc = 0;
    if (r->routes && !(r->routes->branch = calloc(n ? n : 1, sizeof *r->routes->branch)))
        rc = fail_at(r, root, "out of memory");
    if (rc == 0 && (!w->branches || !w->customers || !branch_nodes || !customer_ids))
        rc = fail_at(r, root, "out of memory");
    size_t index = 1, events = 0;
    for (const cJSON *p = root->child; p && rc == 0; p = p->next, index++) {
        size_t before = w->n_customers;
        rc = read_process(r, p, index, w, branch_nodes, &events);
        if (w->n_customers > before)
            customer_ids[before] = cJSON_GetObjectItemCaseSensitive(p, "id");
    }
    if (rc == 0 && w->n_branches == 0) rc = fail_at(r, root, "no branch in the input");
    if (rc == 0) rc = link_and_bound(r, root, w, customer_ids);
    free(branch_nodes);
    free(customer_ids);
    return rc;
}

/* Whether the byte at off closes a list or an object right after a comma (Python allows that,
 * JSON does not); *comma is where the comma is. */
static int trailing_comma(const char *text, size_t off, size_t *comma)
{
    if (text[off] != ']' && text[off] != '}') return 0;
    size_t i = off;
    while (i > 0 && strchr(" \t\r\n", text[i - 1])) i--;
    if (i == 0 || text[i - 1] != ',') return 0;
    *comma = i - 1;
    return 1;
}

static void describe_syntax_error(reader *r, const char *text, size_t len, const char *at)
{
    size_t off = at && at >= text && at <= text + len ? (size_t)(at - text) : len, comma;
    unsigned line, col;
    bank_json_line_column(text, off, &line, &col);
    if (off >= len)
        snprintf(r->err, r->errlen, "%s:%u:%u: not valid JSON: the text ends too early", r->source,
                 line, col);
    else if ((unsigned char)text[off] < 0x20 || (unsigned char)text[off] >= 0x7f) {
        char what[96];
        bank_char_name(text, len, &off, what, sizeof what);
        bank_json_line_column(text, off, &line, &col);
        snprintf(r->err, r->errlen, "%s:%u:%u: not valid JSON: %s", r->source, line, col, what);
    }
    else if (trailing_comma(text, off, &comma)) {
        bank_json_line_column(text, comma, &line, &col);
        snprintf(r->err, r->errlen, "%s:%u:%u: not valid JSON: a comma before '%c' (JSON allows no "
                 "trailing comma; remove it)", r->source, line, col, text[off]);
    } else
        snprintf(r->err, r->errlen, "%s:%u:%u: not valid JSON near '%.12s'", r->source, line, col,
                 text + off);
    one_line(r->err);
}

int bank_input_parse(const char *text, size_t len, const char *source, bank_workload *out,
                     char *err, size_t errlen)
{
    return bank_input_parse_routed(text, len, source, out, NULL, err, errlen);
}

int bank_input_parse_routed(const char *text, size_t len, const char *source, bank_workload *out,
                            bank_routes *routes, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (routes) memset(routes, 0, sizeof *routes);
    reader r = {source, NULL, {0, NULL, NULL}, err, errlen, routes};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) { /* a UTF-8 byte order mark */
        text += 3;
        len -= 3;
    }
    size_t first = 0;
    while (first < len && strchr(" \t\r\n", text[first]) && text[first] != '\0') first++;
    if (first == len) {
        snprintf(err, errlen, "%s: empty file", source);
        return -1;
    }
    /* cJSON wants a NUL-terminated text (a NUL inside was refused above) */
    /* JSON allows no raw control characters; cJSON would take them as spaces */
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] < 0x20 && text[i] != '\t' && text[i] != '\n' && text[i] != '\r') {
            unsigned line, col;
            bank_json_line_column(text, i, &line, &col);
            snprintf(err, errlen, "%s:%u:%u: not valid JSON: unexpected byte 0x%02x", source, line,
                     col, (unsigned char)text[i]);
            return -1;
        }
    char *copy = malloc(len + 1);
    if (!copy) {
        snprintf(err, errlen, "%s: out of memory", source);
        return -1;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    r.text = copy;
    const char *end = NULL;
    errno = 0;
    cJSON *root = cJSON_ParseWithLengthOpts(copy, len + 1, &end, 1);
    int rc = -1;
    if (!root && errno == ENOMEM) { /* cJSON says only "failed"; its malloc says why */
        snprintf(err, errlen, "%s: out of memory", source);
    } else if (!root) {
        describe_syntax_error(&r, copy, len, end);
    } else if (bank_json_positions_build(copy, len, root, &r.pos) != 0) {
        /* out of memory, or a text the scanner reads differently from cJSON: a bug to report */
        snprintf(err, errlen, "%s: cannot locate the values of this JSON text (out of memory?)", source);
        cJSON_Delete(root);
    } else {
        rc = read_workload(&r, root, out);
        cJSON_Delete(root);
        bank_json_positions_free(&r.pos);
    }
    free(copy);
    if (rc != 0) {
        bank_workload_free(out);
        if (routes) bank_routes_free(routes);
    }
    return rc;
}

int bank_input_load(const char *path, bank_workload *out, char *err, size_t errlen)
{
    return bank_input_load_routed(path, out, NULL, err, errlen);
}

int bank_input_load_routed(const char *path, bank_workload *out, bank_routes *routes, char *err,
                           size_t errlen)
{
    char *text;
    size_t len;
    memset(out, 0, sizeof *out);
    if (routes) memset(routes, 0, sizeof *routes);
    if (bank_read_file(path, &text, &len, err, errlen) != 0) return -1;
    int rc = bank_input_parse_routed(text, len, strcmp(path, "-") == 0 ? "standard input" : path, out,
                                     routes, err, errlen);
    free(text);
    return rc;
}
