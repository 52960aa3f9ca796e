/* Guessing, from common names, which methods and fields of a student's .proto a customer uses. */
#include "wire_roles.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define T(name) GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_##name

static const char *const role_names[BANK_ROLE_COUNT] = {"id", "customer", "interface",
                                                        "money", "result", "balance"};

/* The names students give each role, most telling first, compared without case and '_'. */
static const char *const candidates[BANK_ROLE_COUNT][9] = {
    {"id", "eventid", "requestid", "eid", "transactionid", "txid", NULL},
    {"customerid", "customer", "cid", "clientid", "client", "custid", NULL},
    {"interface", "interfacetype", "type", "op", "operation", "action", "method", "kind", NULL},
    {"money", "amount", "value", "sum", NULL},
    {"result", "status", "outcome", "success", "ok", NULL},
    {"balance", "money", "amount", "value", "total", "currentbalance", "newbalance", NULL},
};

const char *bank_role_name(bank_role r) { return r < BANK_ROLE_COUNT ? role_names[r] : "?"; }

int bank_role_parse(const char *name, bank_role *out)
{
    for (int r = 0; r < BANK_ROLE_COUNT; r++)
        if (strcmp(name, role_names[r]) == 0) {
            *out = (bank_role)r;
            return 0;
        }
    return -1;
}

static int is_request_role(int r) { return r <= BANK_ROLE_MONEY; }

/* Lower case without '_': "Event_Id" -> "eventid". */
static void normalize(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++)
        if (*s != '_') out[k++] = (char)tolower((unsigned char)*s);
    out[k] = '\0';
}

static int is_integer_type(int t)
{
    return t == T(INT32) || t == T(INT64) || t == T(UINT32) || t == T(UINT64) || t == T(SINT32) ||
           t == T(SINT64) || t == T(FIXED32) || t == T(FIXED64) || t == T(SFIXED32) ||
           t == T(SFIXED64);
}

/* Can a field of this type play the role? */
static int type_fits(int role, const bank_proto_field *f)
{
    if (f->label == GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__LABEL__LABEL_REPEATED) return 0;
    int t = f->type, number = is_integer_type(t) || t == T(DOUBLE) || t == T(FLOAT);
    switch (role) {
    case BANK_ROLE_ID: case BANK_ROLE_CUSTOMER: return is_integer_type(t) || t == T(STRING);
    case BANK_ROLE_INTERFACE: return t == T(STRING) || t == T(ENUM);
    case BANK_ROLE_MONEY: case BANK_ROLE_BALANCE: return number || t == T(STRING);
    case BANK_ROLE_RESULT: return t == T(STRING) || t == T(BOOL) || t == T(ENUM);
    }
    return 0;
}

static const char *type_wanted(int role)
{
    switch (role) {
    case BANK_ROLE_ID: case BANK_ROLE_CUSTOMER: return "an integer or a string";
    case BANK_ROLE_INTERFACE: return "a string or an enum";
    case BANK_ROLE_RESULT: return "a string, a bool or an enum";
    default: return "a number or a string";
    }
}

/* "serial (int64), verb (string)" */
static void list_fields(const bank_proto_message *m, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < m->n_field && len < n; k++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s (%s)", k ? ", " : "", m->field[k]->name,
                                bank_proto_type_name(m->field[k]));
    if (m->n_field == 0) snprintf(buf, n, "none");
}

/* ---- methods ---- */

static void list_methods(const bank_proto_schema *s, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s->n_methods && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", s->methods[i].path + 1);
}

/* "Service/Method" or "pkg.Service/Method", the service also by its short name. */
static const bank_proto_method *method_named(const bank_proto_schema *s, const char *spec)
{
    const char *slash = strchr(spec, '/');
    if (!slash) return NULL;
    size_t svc_len = (size_t)(slash - spec);
    for (size_t i = 0; i < s->n_methods; i++) {
        const bank_proto_method *m = &s->methods[i];
        const char *dot = strrchr(m->service, '.');
        const char *short_name = dot ? dot + 1 : m->service;
        int service_ok = (strlen(m->service) == svc_len && strncmp(m->service, spec, svc_len) == 0) ||
                         (strlen(short_name) == svc_len && strncmp(short_name, spec, svc_len) == 0);
        if (service_ok && strcmp(m->name, slash + 1) == 0) return m;
    }
    return NULL;
}

/* The method a course-style customer would call for op: one named MsgDelivery, else one named
 * after the operation (Query, Deposit, Withdraw or Withdrawal, QueryBalance, ...). */
static const bank_proto_method *guess_method(const bank_proto_schema *s, bank_op op)
{
    const char *want = bank_op_name(op);
    const bank_proto_method *prefix = NULL;
    for (size_t i = 0; i < s->n_methods; i++) {
        char name[128];
        normalize(s->methods[i].name, name, sizeof name);
        if (strcmp(name, "msgdelivery") == 0) return &s->methods[i];
    }
    for (size_t i = 0; i < s->n_methods; i++) {
        char name[128];
        normalize(s->methods[i].name, name, sizeof name);
        if (strcmp(name, want) == 0) return &s->methods[i];
        if (!prefix && strncmp(name, want, strlen(want)) == 0) prefix = &s->methods[i];
    }
    return prefix;
}

static int choose_methods(const bank_proto_schema *s, const bank_wire_choices *c, bank_wire_roles *out,
                          char *err, size_t errlen)
{
    char all[1024];
    list_methods(s, all, sizeof all);
    for (int op = 0; op < 3; op++) {
        const char *spec = c->method[op];
        const bank_proto_method *m = spec ? method_named(s, spec) : guess_method(s, (bank_op)op);
        if (!m) {
            if (spec)
                snprintf(err, errlen, "--method %s=%s: the proto has no such method (its methods: %s)",
                         bank_op_name((bank_op)op), spec, all);
            else
                snprintf(err, errlen, "which method does a %s? none is named MsgDelivery or after "
                         "the operation (its methods: %s); say it with --method %s=Service/Method",
                         bank_op_name((bank_op)op), all, bank_op_name((bank_op)op));
            return -1;
        }
        if (m->streaming || !m->input || !m->output) {
            snprintf(err, errlen, "%s: %s", m->path + 1,
                     m->streaming ? "a streaming method; a customer's call is unary"
                                  : "its request or reply type is not in the proto");
            return -1;
        }
        out->op[op].method = m;
    }
    for (int op = 0; op < 3; op++)
        for (int other = 0; other < 3; other++)
            if (other != op && out->op[other].method == out->op[op].method) out->op[op].shared = 1;
    return 0;
}

/* ---- fields ---- */

static int field_named(const bank_proto_message *m, const char *name)
{
    for (size_t k = 0; k < m->n_field; k++)
        if (strcmp(m->field[k]->name, name) == 0) return (int)k;
    for (size_t k = 0; k < m->n_field; k++)
        if (strcasecmp(m->field[k]->name, name) == 0) return (int)k;
    return -1;
}

static int guess_field(const bank_proto_message *m, int role, const int *taken)
{
    for (int i = 0; candidates[role][i]; i++)
        for (size_t k = 0; k < m->n_field; k++) {
            char name[128];
            normalize(m->field[k]->name, name, sizeof name);
            int used = 0;
            for (int r = 0; r < BANK_ROLE_COUNT; r++) /* each side has its own message */
                used |= is_request_role(r) == is_request_role(role) && taken[r] == (int)k;
            if (!used && strcmp(name, candidates[role][i]) == 0 && type_fits(role, m->field[k]))
                return (int)k;
        }
    return -1;
}

/* Must operation op's request or reply have the role? */
static int required(const bank_wire_op *o, bank_op op, int role)
{
    switch (role) {
    case BANK_ROLE_INTERFACE: return o->shared;
    case BANK_ROLE_MONEY: case BANK_ROLE_RESULT: return op != BANK_OP_QUERY;
    case BANK_ROLE_BALANCE: return op == BANK_OP_QUERY;
    default: return 0;
    }
}

/* The enum value that names op ("WITHDRAW", "WITHDRAWAL", "INTERFACE_QUERY", ...). */
static int enum_value_for(const bank_proto_schema *s, const bank_proto_field *f, bank_op op, int *out,
                          char *err, size_t errlen)
{
    const bank_proto_enum *e = f->type_name ? bank_proto_find_enum(s, f->type_name) : NULL;
    char names[512] = "";
    size_t len = 0;
    for (size_t i = 0; e && i < e->n_value; i++) {
        char name[128];
        normalize(e->value[i]->name, name, sizeof name);
        if (strstr(name, bank_op_name(op))) {
            *out = e->value[i]->number;
            return 0;
        }
        if (len < sizeof names)
            len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "", e->value[i]->name);
    }
    snprintf(err, errlen, "field %s (enum %s) has no value for %s (its values: %s)", f->name,
             f->type_name ? f->type_name : "?", bank_op_name(op), names[0] ? names : "none");
    return -1;
}

static int choose_fields(const bank_proto_schema *s, const bank_wire_choices *c, bank_op op,
                         bank_wire_op *o, char *err, size_t errlen)
{
    for (int r = 0; r < BANK_ROLE_COUNT; r++) o->field[r] = -1;
    for (int pass = 0; pass < 2; pass++) /* what the user said first, so guesses avoid it */
        for (int r = 0; r < BANK_ROLE_COUNT; r++) {
            const bank_proto_message *m = is_request_role(r) ? o->method->input : o->method->output;
            if ((pass == 0) != (c->field[r] != NULL)) continue;
            int k = c->field[r] ? field_named(m, c->field[r]) : guess_field(m, r, o->field);
            o->guessed[r] = !c->field[r];
            if (k >= 0 && !type_fits(r, m->field[k])) {
                snprintf(err, errlen, "--field %s=%s: %s.%s is %s; the %s must be %s", role_names[r],
                         c->field[r], m->name, m->field[k]->name, bank_proto_type_name(m->field[k]),
                         role_names[r], type_wanted(r));
                return -1;
            }
            o->field[r] = k;
            if (k < 0 && required(o, op, r)) {
                char fields[600], tried[200] = "";
                size_t len = 0;
                list_fields(m, fields, sizeof fields);
                for (int i = 0; candidates[r][i] && len < sizeof tried; i++)
                    len += (size_t)snprintf(tried + len, sizeof tried - len, "%s%s", i ? ", " : "",
                                            candidates[r][i]);
                if (c->field[r])
                    snprintf(err, errlen, "--field %s=%s: %s (the %s of a %s) has no field %s; its "
                             "fields: %s", role_names[r], c->field[r], m->name,
                             is_request_role(r) ? "request" : "reply", bank_op_name(op), c->field[r], fields);
                else
                    snprintf(err, errlen, "which field of %s (the %s of a %s) is the %s? none is "
                             "named %s as %s; its fields: %s; say it with --field %s=NAME",
                             m->name, is_request_role(r) ? "request" : "reply", bank_op_name(op),
                             role_names[r], tried, type_wanted(r), fields, role_names[r]);
                return -1;
            }
        }
    int k = o->field[BANK_ROLE_INTERFACE];
    if (k >= 0 && o->method->input->field[k]->type == T(ENUM))
        return enum_value_for(s, o->method->input->field[k], op, &o->interface_enum_value, err, errlen);
    return 0;
}

int bank_wire_roles_find(const bank_proto_schema *s, const bank_wire_choices *c,
                         bank_wire_roles *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (choose_methods(s, c, out, err, errlen) != 0) return -1;
    for (int op = 0; op < 3; op++)
        if (choose_fields(s, c, (bank_op)op, &out->op[op], err, errlen) != 0) return -1;
    return 0;
}

static void describe_field(FILE *f, const bank_proto_message *m, const bank_wire_op *o, int r)
{
    int k = o->field[r];
    if (k < 0) fprintf(f, "%s: none", role_names[r]);
    else fprintf(f, "%s = %s (%s, %s)", role_names[r], m->field[k]->name,
                 bank_proto_type_name(m->field[k]), o->guessed[r] ? "guessed" : "--field");
}

void bank_wire_roles_describe(const bank_wire_roles *r, FILE *f, const char *prefix)
{
    for (int op = 0; op < 3; op++) {
        const bank_wire_op *o = &r->op[op];
        int same = 0;
        for (int p = 0; p < op; p++) same |= r->op[p].method == o->method;
        if (same) continue;
        fprintf(f, "%s", prefix);
        for (int q = op, first = 1; q < 3; q++)
            if (r->op[q].method == o->method) {
                fprintf(f, "%s%s", first ? "" : ", ", bank_op_name((bank_op)q));
                first = 0;
            }
        fprintf(f, " -> %s (%s -> %s)\n%s  request %s: ", o->method->path, o->method->input->name,
                o->method->output->name, prefix, o->method->input->name);
        for (int k = BANK_ROLE_ID; k <= BANK_ROLE_MONEY; k++) {
            if (k > BANK_ROLE_ID) fprintf(f, ", ");
            describe_field(f, o->method->input, o, k);
        }
        fprintf(f, "\n%s  reply %s: ", prefix, o->method->output->name);
        describe_field(f, o->method->output, o, BANK_ROLE_RESULT);
        fprintf(f, ", ");
        describe_field(f, o->method->output, o, BANK_ROLE_BALANCE);
        fputc('\n', f);
    }
}
