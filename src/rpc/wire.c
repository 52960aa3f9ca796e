/* Encoding a customer's operation for the chosen wire form, calling it, and reading the answer. */
#include "wire.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codec.h"
#include "core/result_words.h"
#include "dynamic_codec.h"

typedef enum { WIRE_COURSE, WIRE_BANK, WIRE_PROTO } wire_kind;

struct bank_wire {
    wire_kind kind;
    const char *paths[3]; /* by bank_op: literals, course_path, or the schema's methods' */
    char *course_path;
    bank_proto_schema schema;
    bank_wire_roles roles;
    char description[900];
};

bank_wire *bank_wire_course(const char *service)
{
    bank_wire *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->kind = WIRE_COURSE;
    w->course_path = bank_proto_path(service ? service : "Branch", "MsgDelivery");
    if (!w->course_path) {
        free(w);
        return NULL;
    }
    for (int op = 0; op < 3; op++) w->paths[op] = w->course_path;
    snprintf(w->description, sizeof w->description, "course (%s)", w->paths[0]);
    return w;
}

bank_wire *bank_wire_bank(void)
{
    bank_wire *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->kind = WIRE_BANK;
    w->paths[BANK_OP_QUERY] = BANK_PATH_QUERY;
    w->paths[BANK_OP_DEPOSIT] = BANK_PATH_DEPOSIT;
    w->paths[BANK_OP_WITHDRAW] = BANK_PATH_WITHDRAW;
    snprintf(w->description, sizeof w->description, "bank (/bank.Branch/Query, Deposit, Withdraw)");
    return w;
}

bank_wire *bank_wire_proto(bank_proto_schema *schema, const bank_wire_roles *roles)
{
    bank_wire *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->kind = WIRE_PROTO;
    w->schema = *schema;
    memset(schema, 0, sizeof *schema);
    w->roles = *roles;
    for (int op = 0; op < 3; op++) /* the methods stay where the schema's arrays are */
        w->paths[op] = roles->op[op].method->path;
    if (strcmp(w->paths[0], w->paths[1]) == 0 && strcmp(w->paths[1], w->paths[2]) == 0)
        snprintf(w->description, sizeof w->description, "proto (%s)", w->paths[0]);
    else
        snprintf(w->description, sizeof w->description, "proto (%s, %s, %s)", w->paths[0],
                 w->paths[1], w->paths[2]);
    return w;
}

void bank_wire_free(bank_wire *w)
{
    if (!w) return;
    bank_proto_schema_free(&w->schema);
    free(w->course_path);
    free(w);
}

const char *bank_wire_describe(const bank_wire *w) { return w->description; }

const char *bank_grpc_status_name(grpc_status_code s)
{
    static const char *const names[] = {
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
        "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
        "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
        "UNAUTHENTICATED"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "UNKNOWN";
}

/* ---- requests ---- */

static grpc_byte_buffer *bytes_buffer(const unsigned char *p, size_t n)
{
    grpc_slice s = grpc_slice_from_copied_buffer((const char *)p, n);
    grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&s, 1);
    grpc_slice_unref(s);
    return bb;
}

static int encode_proto(const bank_wire *w, bank_op op, int64_t customer_id, int64_t event_id,
                        int64_t money, grpc_byte_buffer **out, char *err, size_t errlen)
{
    const bank_wire_op *o = &w->roles.op[op];
    const bank_proto_message *m = o->method->input;
    bank_dyn_value *v = calloc(m->n_field ? m->n_field : 1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    const int *f = o->field;
    if (f[BANK_ROLE_ID] >= 0) v[f[BANK_ROLE_ID]] = (bank_dyn_value){.kind = BANK_DYN_INT, .i = event_id};
    if (f[BANK_ROLE_CUSTOMER] >= 0)
        v[f[BANK_ROLE_CUSTOMER]] = (bank_dyn_value){.kind = BANK_DYN_INT, .i = customer_id};
    if (f[BANK_ROLE_MONEY] >= 0)
        v[f[BANK_ROLE_MONEY]] = (bank_dyn_value){.kind = BANK_DYN_INT, .i = op == BANK_OP_QUERY ? 0 : money};
    if (f[BANK_ROLE_INTERFACE] >= 0) {
        int is_enum = m->field[f[BANK_ROLE_INTERFACE]]->type ==
                      GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_ENUM;
        v[f[BANK_ROLE_INTERFACE]] = is_enum ? (bank_dyn_value){.kind = BANK_DYN_ENUM, .i = o->interface_enum_value}
                                            : (bank_dyn_value){.kind = BANK_DYN_STRING, .s = (char *)bank_op_name(op)};
    }
    unsigned char *bytes;
    size_t len;
    int rc = bank_dyn_encode(m, v, &bytes, &len, err, errlen);
    free(v);
    if (rc != 0) return -1;
    *out = bytes_buffer(bytes, len);
    free(bytes);
    return 0;
}

static int encode(const bank_wire *w, bank_op op, int64_t customer_id, int64_t event_id, int64_t money,
                  grpc_byte_buffer **out, char *err, size_t errlen)
{
    if (w->kind == WIRE_PROTO) return encode_proto(w, op, customer_id, event_id, money, out, err, errlen);
    if (w->kind == WIRE_BANK) {
        Bank__CustomerRequest req = BANK__CUSTOMER_REQUEST__INIT;
        req.customer_id = customer_id;
        req.event_id = event_id;
        req.money = op == BANK_OP_QUERY ? 0 : money;
        *out = bank_codec_pack(&req.base);
        return 0;
    }
    if (event_id < INT32_MIN || event_id > INT32_MAX || money < 0 || money > INT32_MAX) {
        snprintf(err, errlen, "%s %" PRId64 " does not fit the course's int32 field",
                 event_id < INT32_MIN || event_id > INT32_MAX ? "event id" : "money",
                 event_id < INT32_MIN || event_id > INT32_MAX ? event_id : money);
        return -1;
    }
    MsgRequest req = MSG_REQUEST__INIT;
    req.id = (int32_t)event_id;
    req.interface = (char *)bank_op_name(op);
    req.money = op == BANK_OP_QUERY ? 0 : (int32_t)money;
    *out = bank_codec_pack(&req.base);
    return 0;
}

int bank_wire_check(const bank_wire *w, bank_op op, int64_t customer_id, int64_t event_id,
                    int64_t money, char *err, size_t errlen)
{
    grpc_byte_buffer *bb = NULL;
    if (encode(w, op, customer_id, event_id, money, &bb, err, errlen) != 0) return -1;
    grpc_byte_buffer_destroy(bb);
    return 0;
}

/* ---- replies ---- */

/* A result word's meaning for op: 0 and out->success/pending, or -1 with err. */
static int read_word(bank_word word, const char *shown, bank_op op, bank_result *out, char *err,
                     size_t errlen)
{
    if (op == BANK_OP_QUERY && word != BANK_WORD_FAIL) return 0; /* a query's result is not judged */
    if (word == BANK_WORD_OTHER || (op == BANK_OP_QUERY && word == BANK_WORD_FAIL)) {
        snprintf(err, errlen, "the %s was answered with result \"%s\"%s", bank_op_name(op), shown,
                 op == BANK_OP_QUERY ? "" : ", neither success nor fail");
        return -1;
    }
    out->success = word != BANK_WORD_FAIL;
    out->pending = word == BANK_WORD_PENDING;
    return 0;
}

/* An enum value's name as a result word: "RESULT_SUCCESS", "FAILED", "PENDING", ... */
static bank_word enum_word(const char *name)
{
    if (strcasestr(name, "pending")) return BANK_WORD_PENDING;
    if (strcasestr(name, "success") || strcasecmp(name, "ok") == 0) return BANK_WORD_SUCCESS;
    if (strcasestr(name, "fail") || strcasestr(name, "error") || strcasestr(name, "insufficient"))
        return BANK_WORD_FAIL;
    return BANK_WORD_OTHER;
}

static int decode_proto(const bank_wire *w, bank_op op, const unsigned char *p, size_t n,
                        bank_result *out, char *err, size_t errlen)
{
    const bank_wire_op *o = &w->roles.op[op];
    const bank_proto_message *m = o->method->output;
    bank_dyn_value *v = calloc(m->n_field ? m->n_field : 1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = bank_dyn_decode(m, p, n, v, err, errlen);
    int rk = o->field[BANK_ROLE_RESULT], bk = o->field[BANK_ROLE_BALANCE];
    if (rc == 0 && rk >= 0) {
        /* proto3 leaves out a false bool, an empty string and an enum's 0: absent reads so */
        const bank_dyn_value *r = &v[rk];
        const bank_proto_field *f = m->field[rk];
        char shown[64] = "";
        bank_word word = BANK_WORD_OTHER;
        if (f->type == GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_ENUM) {
            const bank_proto_enum *e = bank_proto_find_enum(&w->schema, f->type_name);
            snprintf(shown, sizeof shown, "%" PRId64, r->i);
            for (size_t i = 0; e && i < e->n_value; i++)
                if (e->value[i]->number == r->i) {
                    snprintf(shown, sizeof shown, "%s", e->value[i]->name);
                    word = enum_word(e->value[i]->name);
                }
        } else if (f->type == GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_BOOL) {
            word = r->i ? BANK_WORD_SUCCESS : BANK_WORD_FAIL;
            snprintf(shown, sizeof shown, "%s", r->i ? "true" : "false");
        } else {
            snprintf(shown, sizeof shown, "%s", r->s ? r->s : "");
            word = bank_result_word(shown);
        }
        rc = read_word(word, shown, op, out, err, errlen);
    } else if (rc == 0) {
        out->success = 1; /* a query's reply may carry no result */
    }
    if (rc == 0 && bk >= 0 && v[bk].kind != BANK_DYN_NONE && bank_dyn_whole(&v[bk], &out->balance) != 0) {
        snprintf(err, errlen, "the balance (%s) is not a whole number", m->field[bk]->name);
        rc = -1;
    }
    bank_dyn_values_free(v, m->n_field);
    free(v);
    return rc;
}

static int decode(const bank_wire *w, bank_op op, grpc_byte_buffer *bb, bank_result *out, char *err,
                  size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->op = op;
    out->success = 1;
    grpc_slice all;
    if (bank_codec_flatten(bb, &all) != 0) {
        snprintf(err, errlen, "the reply cannot be read");
        return -1;
    }
    const unsigned char *p = GRPC_SLICE_START_PTR(all);
    size_t n = GRPC_SLICE_LENGTH(all);
    int rc = 0;
    if (w->kind == WIRE_PROTO) {
        rc = decode_proto(w, op, p, n, out, err, errlen);
    } else if (w->kind == WIRE_BANK) {
        Bank__CustomerReply *r = bank__customer_reply__unpack(NULL, n, p);
        if (!r || r->result == BANK__RESULT__RESULT_UNSPECIFIED) {
            snprintf(err, errlen, "malformed CustomerReply");
            rc = -1;
        } else {
            out->success = r->result != BANK__RESULT__FAIL;
            out->pending = r->result == BANK__RESULT__PENDING;
            out->balance = r->balance;
        }
        if (r) bank__customer_reply__free_unpacked(r, NULL);
    } else {
        MsgResponse *r = msg_response__unpack(NULL, n, p);
        if (!r) {
            snprintf(err, errlen, "the reply is not a MsgResponse");
            rc = -1;
        } else {
            rc = read_word(bank_result_word(r->result), r->result, op, out, err, errlen);
            out->balance = r->money;
            msg_response__free_unpacked(r, NULL);
        }
    }
    grpc_slice_unref(all);
    return rc;
}

/* ---- calls ---- */

int bank_wire_call(const bank_wire *w, bank_channel *ch, grpc_completion_queue *cq, bank_op op,
                   int64_t customer_id, int64_t event_id, int64_t money, int deadline_ms,
                   bank_result *out, bank_wire_error *e)
{
    grpc_byte_buffer *request = NULL, *reply = NULL;
    e->status = GRPC_STATUS_OK;
    if (encode(w, op, customer_id, event_id, money, &request, e->details, sizeof e->details) != 0)
        return -1;
    e->status = bank_client_unary(ch, cq, w->paths[op], request, deadline_ms, 1, &reply, e->details,
                                  sizeof e->details);
    grpc_byte_buffer_destroy(request);
    int rc = -1;
    if (e->status == GRPC_STATUS_OK && !reply) snprintf(e->details, sizeof e->details, "no reply");
    else if (e->status == GRPC_STATUS_OK) rc = decode(w, op, reply, out, e->details, sizeof e->details);
    if (reply) grpc_byte_buffer_destroy(reply);
    return rc;
}

int bank_wire_query_all(const bank_wire *w, bank_channel *const *chs, size_t n,
                        grpc_completion_queue *cq, int deadline_ms, int64_t *balances, int *ok,
                        bank_wire_error *errs)
{
    bank_client_answer *answers = calloc(n ? n : 1, sizeof *answers);
    grpc_byte_buffer *request = NULL;
    char err[256];
    if (!answers || encode(w, BANK_OP_QUERY, 0, 0, 0, &request, err, sizeof err) != 0 ||
        bank_client_unary_all(chs, n, cq, w->paths[BANK_OP_QUERY], request, deadline_ms, 1, answers) != 0) {
        free(answers);
        if (request) grpc_byte_buffer_destroy(request);
        return -1;
    }
    grpc_byte_buffer_destroy(request);
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        bank_result r;
        errs[i].status = answers[i].status;
        snprintf(errs[i].details, sizeof errs[i].details, "%s", answers[i].details);
        ok[i] = 0;
        if (answers[i].status == GRPC_STATUS_OK && !answers[i].reply)
            snprintf(errs[i].details, sizeof errs[i].details, "no reply");
        else if (answers[i].status == GRPC_STATUS_OK)
            ok[i] = decode(w, BANK_OP_QUERY, answers[i].reply, &r, errs[i].details, sizeof errs[i].details) == 0;
        if (ok[i]) balances[i] = r.balance;
        failed += !ok[i];
        if (answers[i].reply) grpc_byte_buffer_destroy(answers[i].reply);
    }
    free(answers);
    return failed;
}
