/* The wires bank drive speaks: a .proto read through protoc's descriptor set, the dynamic codec
 * (checked byte for byte against protobuf-c's generated code), and the roles found in a
 * student's proto. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "io/proto_compile.h"
#include "rpc/codec.h"
#include "rpc/dynamic_codec.h"
#include "rpc/proto_schema.h"
#include "rpc/wire_roles.h"

static void load(const char *path, bank_proto_schema *s)
{
    unsigned char *bytes;
    size_t len;
    char err[600];
    cr_assert_eq(bank_proto_compile(path, &bytes, &len, err, sizeof err), 0, "%s", err);
    cr_assert_eq(bank_proto_schema_load(bytes, len, path, s, err, sizeof err), 0, "%s", err);
    free(bytes);
}

static const bank_proto_message *message(const bank_proto_schema *s, const char *name)
{
    const bank_proto_message *m = bank_proto_find_message(s, name);
    cr_assert_not_null(m, "%s", name);
    return m;
}

/* rule: D2, D3 */
Test(wire, dynamic_codec_packs_what_protobuf_c_packs)
{
    bank_proto_schema s;
    load(PROJECT_DIR "/proto/course.proto", &s);
    const bank_proto_message *req = message(&s, ".MsgRequest");
    bank_dyn_value v[3] = {{.kind = BANK_DYN_INT, .i = -7}, {.kind = BANK_DYN_STRING, .s = "deposit"},
                           {.kind = BANK_DYN_INT, .i = 170}};
    unsigned char *mine;
    size_t n;
    char err[300];
    cr_assert_eq(bank_dyn_encode(req, v, &mine, &n, err, sizeof err), 0, "%s", err);
    MsgRequest m = MSG_REQUEST__INIT;
    m.id = -7; /* negative int32: ten bytes on the wire */
    m.interface = "deposit";
    m.money = 170;
    size_t want = msg_request__get_packed_size(&m);
    unsigned char *theirs = malloc(want);
    msg_request__pack(&m, theirs);
    cr_assert_eq(n, want);
    cr_assert_eq(memcmp(mine, theirs, n), 0);
    free(mine);
    free(theirs);

    MsgResponse r = MSG_RESPONSE__INIT;
    r.interface = "query";
    r.result = "success";
    r.money = 570;
    unsigned char buf[64];
    size_t len = msg_response__pack(&r, buf);
    const bank_proto_message *rep = message(&s, ".MsgResponse");
    bank_dyn_value got[3];
    cr_assert_eq(bank_dyn_decode(rep, buf, len, got, err, sizeof err), 0, "%s", err);
    cr_assert_eq(got[1].kind, BANK_DYN_STRING);
    cr_assert_str_eq(got[1].s, "success");
    int64_t balance;
    cr_assert_eq(bank_dyn_whole(&got[2], &balance), 0);
    cr_assert_eq(balance, 570);
    bank_dyn_values_free(got, 3);
    bank_proto_schema_free(&s);
}

/* rule: D3 */
Test(wire, values_that_do_not_fit_are_refused_and_garbage_is_not_a_message)
{
    bank_proto_schema s;
    load(PROJECT_DIR "/proto/course.proto", &s);
    const bank_proto_message *req = message(&s, ".MsgRequest");
    bank_dyn_value v[3] = {{.kind = BANK_DYN_INT, .i = 2147483648LL}};
    unsigned char *out;
    size_t n;
    char err[300];
    cr_assert_eq(bank_dyn_encode(req, v, &out, &n, err, sizeof err), -1);
    cr_assert(strstr(err, "2147483648 does not fit field id (int32)"), "%s", err);
    const unsigned char garbage[] = {0x0a, 0x50, 'x'}; /* a string of 80 bytes, 1 there */
    bank_dyn_value got[3];
    cr_assert_eq(bank_dyn_decode(message(&s, ".MsgResponse"), garbage, sizeof garbage, got, err, sizeof err), -1);
    cr_assert(strstr(err, "not a protobuf message"), "%s", err);
    bank_proto_schema_free(&s);

    load(PROJECT_DIR "/tests/integration/drive/own.proto", &s);
    const bank_proto_message *own = message(&s, ".studentbank.Request");
    bank_dyn_value money[5] = {{0}, {0}, {.kind = BANK_DYN_INT, .i = (1LL << 53) + 1}};
    cr_assert_eq(bank_dyn_encode(own, money, &out, &n, err, sizeof err), -1);
    cr_assert(strstr(err, "does not fit field money (double) exactly"), "%s", err);
    bank_proto_schema_free(&s);
}

/* rule: D3 */
Test(wire, roles_are_guessed_from_names_and_said_otherwise)
{
    bank_proto_schema s;
    bank_wire_roles r;
    bank_wire_choices none = {0};
    char err[1200];
    load(PROJECT_DIR "/tests/integration/drive/own.proto", &s);
    cr_assert_eq(bank_wire_roles_find(&s, &none, &r, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(r.op[BANK_OP_WITHDRAW].method->path, "/studentbank.Bank/Withdraw");
    const bank_proto_message *req = r.op[BANK_OP_DEPOSIT].method->input;
    cr_assert_str_eq(req->field[r.op[BANK_OP_DEPOSIT].field[BANK_ROLE_ID]]->name, "id");
    cr_assert_str_eq(req->field[r.op[BANK_OP_DEPOSIT].field[BANK_ROLE_MONEY]]->name, "money");
    cr_assert_eq(r.op[BANK_OP_DEPOSIT].field[BANK_ROLE_CUSTOMER], -1);
    cr_assert_eq(r.op[BANK_OP_DEPOSIT].shared, 0);
    bank_proto_schema_free(&s);

    load(PROJECT_DIR "/tests/integration/drive/odd.proto", &s);
    bank_wire_choices methods = {{"Ledger/Inspect", "ledger.Ledger/Credit", "Ledger/Debit"}, {0}};
    methods.field[BANK_ROLE_BALANCE] = "holding";
    cr_assert_eq(bank_wire_roles_find(&s, &methods, &r, err, sizeof err), -1);
    cr_assert(strstr(err, "which field of Txn (the request of a deposit) is the money? none is named money, "
                          "amount, value, sum as a number or a string; its fields: serial (int64), verb "
                          "(string), quantity (double), teller (int32)"), "%s", err);
    methods.field[BANK_ROLE_MONEY] = "Quantity"; /* case ignored when nothing matches exactly */
    methods.field[BANK_ROLE_RESULT] = "verdict";
    cr_assert_eq(bank_wire_roles_find(&s, &methods, &r, err, sizeof err), 0, "%s", err);
    methods.field[BANK_ROLE_RESULT] = "holding";
    cr_assert_eq(bank_wire_roles_find(&s, &methods, &r, err, sizeof err), -1);
    cr_assert(strstr(err, "--field result=holding: Ack.holding is double; the result must be a string, "
                          "a bool or an enum"), "%s", err);
    bank_proto_schema_free(&s);
}
