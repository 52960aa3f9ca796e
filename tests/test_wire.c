/* The wires bank drive speaks: a .proto read through protoc's descriptor set, the dynamic codec
 * (checked byte for byte against protobuf-c's generated code), and the roles found in a
 * student's proto. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpc/codec.h"
#include "rpc/dynamic_codec.h"
#include "rpc/proto_schema.h"
#include "rpc/wire_roles.h"
#include "wire_fixture.h"

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

    /* proto3 leaves a 0 out: decoded as absent, whatever the caller's array held */
    r.result = "fail";
    r.money = 0;
    len = msg_response__pack(&r, buf);
    memset(got, 0x5a, sizeof got);
    cr_assert_eq(bank_dyn_decode(rep, buf, len, got, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(got[1].s, "fail");
    cr_expect_eq(got[2].kind, BANK_DYN_NONE, "a money of 0, left out, read as absent: kind %d", (int)got[2].kind);
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

/* rule: D3; enums declared inside a message are found by the full names fields give them (the
 * interface's values read from one), and a name no enum has is found as nothing */
Test(wire, enums_nested_in_messages_are_found_by_full_name)
{
    bank_proto_schema s;
    bank_wire_roles r;
    bank_wire_choices none = {0};
    char err[1200];
    load(PROJECT_DIR "/tests/integration/drive/nested.proto", &s);
    const bank_proto_enum *e = bank_proto_find_enum(&s, ".nestedbank.Response.Result");
    cr_assert_not_null(e);
    cr_expect_eq(e->n_value, 3);
    cr_expect_null(bank_proto_find_enum(&s, ".nestedbank.Response.Status"));
    cr_expect_null(bank_proto_find_enum(&s, ".nestedbank.Result"), "nested, not at the top");
    cr_expect_null(bank_proto_find_message(&s, ".nestedbank.Request.Interface"), "an enum is no message");
    cr_assert_eq(bank_wire_roles_find(&s, &none, &r, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(r.op[BANK_OP_WITHDRAW].method->path, "/nestedbank.Branch/MsgDelivery");
    cr_expect(r.op[BANK_OP_WITHDRAW].shared);
    cr_expect_eq(r.op[BANK_OP_QUERY].interface_enum_value, 0);
    cr_expect_eq(r.op[BANK_OP_DEPOSIT].interface_enum_value, 1);
    cr_expect_eq(r.op[BANK_OP_WITHDRAW].interface_enum_value, 2);
    bank_proto_schema_free(&s);
}

/* rule: D3; a balance or money written as a string is read only when it is a whole number, and
 * a value of another kind (absent, a bool, an enum) not at all */
Test(wire, a_number_in_a_string_is_read_only_when_whole)
{
    struct {
        const char *text;
        int rc;
        int64_t value;
    } cases[] = {{"570", 0, 570}, {"-70", 0, -70}, {"570.0", 0, 570}, {" 570 ", 0, 570}, {"1e3", 0, 1000},
                 {"400.5", -1, 0}, {"abc", -1, 0}, {"", -1, 0}, {"570 dollars", -1, 0}, {"1e19", -1, 0},
                 {"nan", -1, 0}, {"inf", -1, 0}, {"9.2e18", -1, 0}, {"-9.2e18", -1, 0},
                 {"9.1e18", 0, 9100000000000000000LL}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[32];
        snprintf(text, sizeof text, "%s", cases[i].text);
        bank_dyn_value v = {.kind = BANK_DYN_STRING, .s = text};
        int64_t got = 12345;
        int rc = bank_dyn_whole(&v, &got);
        cr_expect_eq(rc, cases[i].rc, "\"%s\": %d", cases[i].text, rc);
        if (rc == 0) cr_expect_eq(got, cases[i].value, "\"%s\" read as %lld", cases[i].text, (long long)got);
        else cr_expect_eq(got, 12345, "\"%s\": nothing read, yet %lld written", cases[i].text, (long long)got);
    }
    bank_dyn_value none = {.kind = BANK_DYN_STRING, .s = NULL};
    int64_t got = 12345;
    cr_expect_eq(bank_dyn_whole(&none, &got), -1, "no string");
    /* a value of no number kind is no number, whatever it holds */
    const bank_dyn_kind other[] = {BANK_DYN_NONE, BANK_DYN_BOOL, BANK_DYN_ENUM};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        bank_dyn_value v = {.kind = other[i], .i = 7};
        cr_expect_eq(bank_dyn_whole(&v, &got), -1, "kind %d read as a number", (int)other[i]);
    }
    cr_expect_eq(got, 12345, "nothing read, yet %lld written", (long long)got);
}

/* rule: D3; a number of each kind is whole within int64's range, short of 9.2e18 for a real */
Test(wire, a_number_of_each_kind_is_read_whole_within_its_bounds)
{
    struct {
        bank_dyn_value v;
        int rc;
        int64_t value;
    } cases[] = {
        {{.kind = BANK_DYN_INT, .i = INT64_MIN}, 0, INT64_MIN},
        {{.kind = BANK_DYN_UINT, .u = INT64_MAX}, 0, INT64_MAX},
        {{.kind = BANK_DYN_UINT, .u = (uint64_t)INT64_MAX + 1}, -1, 0},
        {{.kind = BANK_DYN_DOUBLE, .d = -570}, 0, -570},
        {{.kind = BANK_DYN_DOUBLE, .d = 9.1e18}, 0, 9100000000000000000LL},
        {{.kind = BANK_DYN_DOUBLE, .d = 9.2e18}, -1, 0},
        {{.kind = BANK_DYN_DOUBLE, .d = -9.2e18}, -1, 0},
        {{.kind = BANK_DYN_DOUBLE, .d = 0.5}, -1, 0},
        {{.kind = BANK_DYN_DOUBLE, .d = INFINITY}, -1, 0},
        {{.kind = BANK_DYN_DOUBLE, .d = NAN}, -1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t got = 12345;
        int rc = bank_dyn_whole(&cases[i].v, &got);
        cr_expect_eq(rc, cases[i].rc, "case %zu: %d", i, rc);
        cr_expect_eq(got, rc == 0 ? cases[i].value : 12345, "case %zu: %lld", i, (long long)got);
    }
}

/* The bytes protobuf gives field `number` holding x, by its type (the spec's encodings). */
static size_t wire_bytes(int number, const char *type, int64_t x, unsigned char *out)
{
    int zigzag = strncmp(type, "sint", 4) == 0, fixed32 = strstr(type, "fixed32") != NULL,
        fixed64 = strstr(type, "fixed64") != NULL;
    size_t n = 0;
    out[n++] = (unsigned char)(number << 3 | (fixed32 ? 5 : fixed64 ? 1 : 0));
    uint64_t u = zigzag ? ((uint64_t)x << 1) ^ (uint64_t)(x >> 63) : (uint64_t)x;
    if (fixed32 || fixed64)
        for (int i = 0; i < (fixed32 ? 4 : 8); i++) out[n++] = (unsigned char)(u >> (8 * i));
    else
        do {
            out[n++] = (unsigned char)((u & 0x7f) | (u > 0x7f ? 0x80 : 0));
            u >>= 7;
        } while (u);
    return n;
}

/* rule: D3; every scalar number type at its least and greatest value is packed as protobuf packs
 * it and read back; one past either end is refused, naming the field and its type */
Test(wire, every_number_type_at_its_ends)
{
    static const struct {
        const char *name, *type;
        int64_t lo, hi;
        int below, above; /* whether lo - 1, hi + 1 exist as int64 (and must be refused) */
    } f[] = {
        {"i32", "int32", INT32_MIN, INT32_MAX, 1, 1},     {"i64", "int64", INT64_MIN, INT64_MAX, 0, 0},
        {"u32", "uint32", 0, UINT32_MAX, 1, 1},           {"u64", "uint64", 0, INT64_MAX, 1, 0},
        {"s32", "sint32", INT32_MIN, INT32_MAX, 1, 1},    {"s64", "sint64", INT64_MIN, INT64_MAX, 0, 0},
        {"f32", "fixed32", 0, UINT32_MAX, 1, 1},          {"f64", "fixed64", 0, INT64_MAX, 1, 0},
        {"sf32", "sfixed32", INT32_MIN, INT32_MAX, 1, 1}, {"sf64", "sfixed64", INT64_MIN, INT64_MAX, 0, 0},
        {"b", "bool", 0, 1, 1, 1},
    };
    bank_proto_schema s;
    load(PROJECT_DIR "/tests/integration/drive/scalars.proto", &s);
    const bank_proto_message *m = message(&s, ".scalars.All");
    cr_assert_eq(m->n_field, 11);
    char err[300];
    for (int k = 0; k < 11; k++) {
        const int64_t ends[4] = {f[k].lo, f[k].hi, f[k].lo - f[k].below, f[k].hi + f[k].above};
        for (int e = 0; e < 4; e++) {
            if (e >= 2 && !(e == 2 ? f[k].below : f[k].above)) continue;
            bank_dyn_value v[11] = {{0}};
            v[k] = (bank_dyn_value){.kind = BANK_DYN_INT, .i = ends[e]};
            unsigned char *out = NULL, want[16];
            size_t n = 0;
            int rc = bank_dyn_encode(m, v, &out, &n, err, sizeof err);
            if (e >= 2) {
                char says[120];
                snprintf(says, sizeof says, "%lld does not fit field %s (%s)", (long long)ends[e], f[k].name, f[k].type);
                cr_expect(rc == -1 && strstr(err, says), "%s = %lld: refused (%d, %s)", f[k].name, (long long)ends[e],
                          rc, rc ? err : "");
                if (rc == 0) free(out);
                continue;
            }
            cr_assert_eq(rc, 0, "%s = %lld: %s", f[k].name, (long long)ends[e], err);
            size_t wn = wire_bytes(k + 1, f[k].type, ends[e], want);
            cr_expect(n == wn && memcmp(out, want, n) == 0, "%s = %lld: packed as protobuf packs it",
                      f[k].name, (long long)ends[e]);
            bank_dyn_value got[11];
            cr_assert_eq(bank_dyn_decode(m, out, n, got, err, sizeof err), 0, "%s", err);
            int64_t back = -1;
            int read = got[k].kind == BANK_DYN_BOOL ? (back = got[k].i, 1) : bank_dyn_whole(&got[k], &back) == 0;
            cr_expect(read && back == ends[e], "%s = %lld: read back as %lld", f[k].name, (long long)ends[e],
                      (long long)back);
            bank_dyn_values_free(got, 11);
            free(out);
        }
    }
    bank_proto_schema_free(&s);
}

/* rule: D3; a float is packed in 4 bytes, as protobuf packs it, and read back; a whole number
 * is put in a float only when the float holds it exactly (up to 2^24); an unsigned value past
 * int64 does not fit an int64; a repeated or message field takes no single value */
Test(wire, reals_unsigned_values_and_fields_of_many_values)
{
    bank_proto_schema s;
    load(PROJECT_DIR "/tests/integration/drive/scalars.proto", &s);
    const bank_proto_message *m = message(&s, ".scalars.Reals");
    cr_assert_eq(m->n_field, 4);
    char err[300] = "";
    unsigned char *out = NULL;
    size_t n = 0;
    bank_dyn_value v[4] = {{.kind = BANK_DYN_DOUBLE, .d = 1.5}};
    cr_assert_eq(bank_dyn_encode(m, v, &out, &n, err, sizeof err), 0, "%s", err);
    const unsigned char one_and_a_half[] = {0x0d, 0x00, 0x00, 0xc0, 0x3f}; /* field 1, fixed32, 1.5f */
    cr_expect(n == sizeof one_and_a_half && memcmp(out, one_and_a_half, n) == 0, "1.5 packed as a float");
    bank_dyn_value got[4];
    cr_assert_eq(bank_dyn_decode(m, out, n, got, err, sizeof err), 0, "%s", err);
    cr_expect(got[0].kind == BANK_DYN_DOUBLE && got[0].d == 1.5, "read back: %g", got[0].d);
    bank_dyn_values_free(got, 4);
    free(out);

    bank_dyn_value d[4] = {{0}, {.kind = BANK_DYN_DOUBLE, .d = -2.5}};
    cr_assert_eq(bank_dyn_encode(m, d, &out, &n, err, sizeof err), 0, "%s", err);
    const unsigned char minus_two_and_a_half[] = {0x11, 0, 0, 0, 0, 0, 0, 0x04, 0xc0}; /* field 2, fixed64 */
    cr_expect(n == sizeof minus_two_and_a_half && memcmp(out, minus_two_and_a_half, n) == 0, "-2.5 packed as a double");
    cr_assert_eq(bank_dyn_decode(m, out, n, got, err, sizeof err), 0, "%s", err);
    cr_expect(got[1].kind == BANK_DYN_DOUBLE && got[1].d == -2.5, "read back: %g", got[1].d);
    bank_dyn_values_free(got, 4);
    free(out);
    d[1] = (bank_dyn_value){.kind = BANK_DYN_INT, .i = -(INT64_C(1) << 53)}; /* a double holds it exactly */
    cr_assert_eq(bank_dyn_encode(m, d, &out, &n, err, sizeof err), 0, "%s", err);
    cr_assert_eq(bank_dyn_decode(m, out, n, got, err, sizeof err), 0, "%s", err);
    cr_expect(got[1].kind == BANK_DYN_DOUBLE && got[1].d == -9007199254740992.0, "-2^53 read back: %g", got[1].d);
    bank_dyn_values_free(got, 4);
    free(out);

    v[0] = (bank_dyn_value){.kind = BANK_DYN_INT, .i = INT64_C(1) << 24};
    cr_assert_eq(bank_dyn_encode(m, v, &out, &n, err, sizeof err), 0, "%s", err);
    cr_assert_eq(bank_dyn_decode(m, out, n, got, err, sizeof err), 0, "%s", err);
    int64_t back = 0;
    cr_expect(bank_dyn_whole(&got[0], &back) == 0 && back == INT64_C(1) << 24, "2^24 read back: %lld", (long long)back);
    bank_dyn_values_free(got, 4);
    free(out);
    v[0].i++;
    cr_expect_eq(bank_dyn_encode(m, v, &out, &n, err, sizeof err), -1);
    cr_expect_str_eq(err, "16777217 does not fit field f (float) exactly");

    bank_dyn_value many[4] = {{.kind = BANK_DYN_DOUBLE, .d = 1}, {0}, {.kind = BANK_DYN_INT, .i = 1}}; /* after a field packed */
    cr_expect_eq(bank_dyn_encode(m, many, &out, &n, err, sizeof err), -1);
    cr_expect(strstr(err, "field many of ") && strstr(err, "Reals is not a single scalar value"), "%s", err);
    bank_dyn_value inner[4] = {{0}, {.kind = BANK_DYN_DOUBLE, .d = 1}, {0}, {.kind = BANK_DYN_INT, .i = 1}};
    cr_expect_eq(bank_dyn_encode(m, inner, &out, &n, err, sizeof err), -1);
    cr_expect(strstr(err, "field inner of ") && strstr(err, "Reals is not a single scalar value"), "%s", err);
    bank_proto_schema_free(&s);

    load(PROJECT_DIR "/tests/integration/drive/scalars.proto", &s);
    const bank_proto_message *all = message(&s, ".scalars.All");
    bank_dyn_value u[11] = {{0}, {.kind = BANK_DYN_UINT, .u = (uint64_t)INT64_MAX}};
    cr_assert_eq(bank_dyn_encode(all, u, &out, &n, err, sizeof err), 0, "%s", err);
    bank_dyn_value got_all[11];
    cr_assert_eq(bank_dyn_decode(all, out, n, got_all, err, sizeof err), 0, "%s", err);
    cr_expect(got_all[1].kind == BANK_DYN_INT && got_all[1].i == INT64_MAX, "2^63 - 1 read back");
    bank_dyn_values_free(got_all, 11);
    free(out);
    u[1].u++;
    cr_expect_eq(bank_dyn_encode(all, u, &out, &n, err, sizeof err), -1);
    cr_expect_str_eq(err, "9223372036854775808 does not fit field i64 (int64)");
    bank_proto_schema_free(&s);
}

/* rule: D3; what protoc gives back is read only when it is a descriptor set, and a proto with
 * no method to call (no service, or a service of none) is named for that, keeping nothing */
Test(wire, a_proto_without_a_method_or_a_set_that_cannot_be_read_is_named)
{
    bank_proto_schema s;
    char err[700];
    static const unsigned char garbage[] = {0x0a, 0x50, 'x'};
    cr_expect_eq(bank_proto_schema_load(garbage, sizeof garbage, "bad.proto", &s, err, sizeof err), -1);
    cr_expect_str_eq(err, "bad.proto: protoc's descriptor set cannot be read");
    cr_expect(s.set == NULL && s.n_methods == 0 && s.methods == NULL, "nothing kept");

    static const char *const texts[] = {
        "syntax = \"proto3\";\nmessage A { int32 x = 1; }\n",
        "syntax = \"proto3\";\nmessage A { int32 x = 1; }\nservice Idle {}\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char dir[] = "/tmp/bank-wire-XXXXXX", path[600], want[700];
        write_proto(dir, path, sizeof path, texts[i]);
        unsigned char *bytes;
        size_t len;
        cr_assert_eq(bank_proto_compile(path, &bytes, &len, err, sizeof err), 0, "%s", err);
        cr_expect_eq(bank_proto_schema_load(bytes, len, path, &s, err, sizeof err), -1, "%s", texts[i]);
        snprintf(want, sizeof want, "%s: declares no service with a method to call", path);
        cr_expect_str_eq(err, want);
        cr_expect(s.set == NULL && s.n_methods == 0 && s.methods == NULL, "nothing kept");
        free(bytes);
        unlink_proto(dir, path);
    }
}

/* rule: D3; a reply's bytes are read field by field: malformed ones are refused at the byte
 * where they stop making sense (and nothing read before is kept), while fields the message does
 * not have, or has with another wire type, are skipped, and a field sent twice keeps its last */
Test(wire, a_replys_bytes_are_read_or_refused_at_the_byte_that_breaks_them)
{
    bank_proto_schema s;
    load(PROJECT_DIR "/proto/course.proto", &s);
    const bank_proto_message *rep = message(&s, ".MsgResponse"); /* interface, result: strings; money: int32 */
    static const struct {
        const char *what;
        unsigned char bytes[16];
        size_t n, at; /* refused at byte `at` */
    } bad[] = {
        {"a value's varint cut off", {0x18, 0x80}, 2, 2},
        {"a key of 11 varint bytes", {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 11, 10},
        {"a value of 11 varint bytes",
         {0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 12, 11},
        {"field number 0", {0x00, 0x01}, 2, 1},
        {"field number 2^29, one past the greatest", {0x80, 0x80, 0x80, 0x80, 0x10, 0x01}, 6, 5},
        {"a fixed64 cut off", {0x12, 0x01, 'a', 0x49, 1, 2, 3, 4, 5, 6, 7}, 11, 4},
        {"a fixed32 cut off", {0x4d, 1, 2, 3}, 4, 1},
        {"a string longer than what is left", {0x0a, 0x02, 'x'}, 3, 2},
        {"a string's length cut off", {0x0a, 0x80}, 2, 2},
        {"a group's start", {0x0b, 0x0c}, 2, 1},
        {"a group's end", {0x0c}, 1, 1},
        {"wire type 6", {0x0e, 0x00}, 2, 1},
        {"wire type 7", {0x1f}, 1, 1},
    };
    char err[300], want[300];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bank_dyn_value got[3];
        memset(got, 0x5a, sizeof got);
        cr_expect_eq(bank_dyn_decode(rep, bad[i].bytes, bad[i].n, got, err, sizeof err), -1, "%s: read",
                     bad[i].what);
        snprintf(want, sizeof want, "the reply is not a protobuf message (byte %zu of %zu)", bad[i].at, bad[i].n);
        cr_expect_str_eq(err, want, "%s", bad[i].what);
        for (int k = 0; k < 3; k++)
            cr_expect_eq(got[k].kind, BANK_DYN_NONE, "%s: field %d kept", bad[i].what, k + 1);
    }

    static const unsigned char good[] = {
        0x20, 0x05,                                     /* field 4 (none), varint */
        0x29, 1, 2, 3, 4, 5, 6, 7, 8,                   /* field 5 (none), fixed64 */
        0x35, 1, 2, 3, 4,                               /* field 6 (none), fixed32 */
        0x3a, 0x01, 'z',                                /* field 7 (none), a string */
        0xf8, 0xff, 0xff, 0xff, 0x0f, 0x01,             /* field 2^29 - 1, the greatest, varint */
        0x08, 0x05,                                     /* interface as a varint: not a string */
        0x1a, 0x01, 'q',                                /* money as a string: not an int32 */
        0x1d, 1, 2, 3, 4,                               /* money as a fixed32: not an int32 */
        0x12, 0x01, 'a', 0x12, 0x02, 'o', 'k',          /* result twice: the last kept */
        0x18, 0x07, 0x18, 0xf6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, /* money 7, then -10 */
    };
    bank_dyn_value got[3];
    memset(got, 0x5a, sizeof got);
    cr_assert_eq(bank_dyn_decode(rep, good, sizeof good, got, err, sizeof err), 0, "%s", err);
    cr_expect_eq(got[0].kind, BANK_DYN_NONE, "interface sent only with the wrong wire type");
    cr_expect_eq(got[1].kind, BANK_DYN_STRING);
    if (got[1].kind == BANK_DYN_STRING) cr_expect_str_eq(got[1].s, "ok");
    cr_expect_eq(got[2].kind, BANK_DYN_INT);
    cr_expect_eq(got[2].i, -10);
    bank_dyn_values_free(got, 3);
    for (int k = 0; k < 3; k++) cr_expect_eq(got[k].kind, BANK_DYN_NONE, "field %d freed", k + 1);

    /* the last byte of each fixed width read, and nothing at all: a message */
    static const unsigned char ends[] = {0x29, 1, 2, 3, 4, 5, 6, 7, 8, 0x35, 1, 2, 3, 4, 0x0a, 0x00};
    cr_expect_eq(bank_dyn_decode(rep, ends, sizeof ends, got, err, sizeof err), 0, "%s", err);
    cr_expect(got[0].kind == BANK_DYN_STRING && got[0].s[0] == '\0', "an empty string is a string");
    bank_dyn_values_free(got, 3);
    memset(got, 0x5a, sizeof got);
    cr_expect_eq(bank_dyn_decode(rep, ends, 0, got, err, sizeof err), 0, "%s", err);
    for (int k = 0; k < 3; k++) cr_expect_eq(got[k].kind, BANK_DYN_NONE, "no bytes: field %d", k + 1);
    bank_proto_schema_free(&s);
}

/* A .proto that is not there, or a folder: one line naming it, nothing compiled (and no
 * failure of an earlier call named for the folder). */
Test(wire, a_proto_that_is_no_file_is_named)
{
    unsigned char *bytes = (unsigned char *)"x";
    size_t len = 9;
    char err[600];
    cr_assert_eq(bank_proto_compile(PROJECT_DIR "/proto/none.proto", &bytes, &len, err, sizeof err), -1);
    cr_expect_str_eq(err, PROJECT_DIR "/proto/none.proto: cannot open: No such file or directory");
    cr_expect(bytes == NULL && len == 0);
    errno = ENOENT;
    cr_assert_eq(bank_proto_compile(PROJECT_DIR "/proto", &bytes, &len, err, sizeof err), -1);
    cr_expect_str_eq(err, PROJECT_DIR "/proto: cannot open: not a regular file");
}

/* rule: D3; protoc is told to look in the .proto's own folder: a proto that imports a sibling
 * by its bare name is read with the messages the sibling declares (looking from / instead,
 * protoc finds no "second.proto") */
Test(wire, a_proto_that_imports_a_file_beside_it_is_read_with_it)
{
    char dir[] = "/tmp/bank-wire-XXXXXX", path[600], second[600];
    write_proto(dir, path, sizeof path,
                "syntax = \"proto3\";\npackage first;\nimport \"second.proto\";\n"
                "service Bank { rpc MsgDelivery(second.Req) returns (second.Rep); }\n");
    snprintf(second, sizeof second, "%s/second.proto", dir);
    FILE *f = fopen(second, "w");
    cr_assert_not_null(f);
    fputs("syntax = \"proto3\";\npackage second;\n"
          "message Req { int64 id = 1; string interface = 2; int64 money = 3; }\n"
          "message Rep { string result = 1; int64 money = 2; }\n", f);
    cr_assert_eq(fclose(f), 0);
    unsigned char *bytes;
    size_t len;
    char err[600];
    int rc = bank_proto_compile(path, &bytes, &len, err, sizeof err);
    unlink(second);
    unlink_proto(dir, path);
    cr_assert_eq(rc, 0, "%s", err);
    bank_proto_schema s;
    cr_assert_eq(bank_proto_schema_load(bytes, len, path, &s, err, sizeof err), 0, "%s", err);
    free(bytes);
    cr_assert_eq(s.n_methods, 1);
    cr_expect_str_eq(s.methods[0].path, "/first.Bank/MsgDelivery");
    cr_assert_not_null(s.methods[0].input, "the request, declared in second.proto, is found");
    cr_expect_str_eq(s.methods[0].input->name, "Req");
    cr_expect_not_null(bank_proto_find_message(&s, ".second.Rep"));
    bank_proto_schema_free(&s);
}

/* mkdtemp as bank_proto_compile calls it (linked with --wrap=mkdtemp): each folder it makes is
 * noted, so that a test can see it gone afterwards. */
static char made[16][64];
static int n_made;
char *__real_mkdtemp(char *tmpl);
char *__wrap_mkdtemp(char *tmpl)
{
    char *r = __real_mkdtemp(tmpl);
    if (r && n_made < 16) snprintf(made[n_made++], sizeof made[0], "%s", r);
    return r;
}

/* protoc runs in a temporary folder of its own, removed with all it wrote, whether protoc read
 * the .proto or not. */
Test(wire, protocs_temporary_folder_is_removed)
{
    unsigned char *bytes;
    size_t len;
    char err[600];
    cr_assert_eq(bank_proto_compile(PROJECT_DIR "/proto/course.proto", &bytes, &len, err, sizeof err), 0, "%s", err);
    free(bytes);
    cr_expect_eq(bank_proto_compile(PROJECT_DIR "/README.md", &bytes, &len, err, sizeof err), -1);
    cr_expect(strncmp(err, "protoc cannot read " PROJECT_DIR "/README.md: ", strlen("protoc cannot read " PROJECT_DIR "/README.md: ")) == 0,
              "%s", err);
    cr_assert_eq(n_made, 2, "%d temporary folders made", n_made);
    for (int i = 0; i < n_made; i++) cr_expect(access(made[i], F_OK) != 0, "%s left behind", made[i]);
}
