/* A student's .proto read for bank drive: the roles found in it (methods by name, exactly or by
 * their start; fields by name and type; an enum interface's values), the lines that name what
 * cannot serve, and each wire's description and bounds (the course's int32 fields). */
#include <criterion/criterion.h>
#include <grpc/grpc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/wire.h"
#include "rpc/wire_roles.h"
#include "wire_fixture.h"

/* rule: D3; the interface as the request's first field (an enum whose values are not in the
 * operations' order), a bool result and an int64 balance: every role found, each operation's
 * enum value read by name, and the whole description bank drive prints */
Test(wire_roles, an_enum_interface_first_in_its_message_is_found_with_its_values)
{
    char err[1200];
    bank_proto_schema s;
    load_text("syntax = \"proto3\";\npackage first;\n"
              "enum Op { NONE = 0; WITHDRAW_OP = 1; QUERY_OP = 2; DEPOSIT_OP = 3; }\n"
              "message Req { Op op = 1; int64 id = 2; int64 amount = 3; }\n"
              "message Rep { bool ok = 1; int64 total = 2; }\n"
              "service Branch { rpc MsgDelivery(Req) returns (Rep); }\n", &s);
    bank_wire_roles r;
    bank_wire_choices none = {0};
    cr_assert_eq(bank_wire_roles_find(&s, &none, &r, err, sizeof err), 0, "%s", err);
    cr_expect_eq(r.op[BANK_OP_QUERY].interface_enum_value, 2);
    cr_expect_eq(r.op[BANK_OP_DEPOSIT].interface_enum_value, 3);
    cr_expect_eq(r.op[BANK_OP_WITHDRAW].interface_enum_value, 1);
    for (int op = 0; op < 3; op++) {
        cr_expect(r.op[op].shared, "one method for every operation");
        cr_expect_eq(r.op[op].field[BANK_ROLE_INTERFACE], 0);
        cr_expect_eq(r.op[op].field[BANK_ROLE_ID], 1);
        cr_expect_eq(r.op[op].field[BANK_ROLE_CUSTOMER], -1);
        cr_expect_eq(r.op[op].field[BANK_ROLE_MONEY], 2);
        cr_expect_eq(r.op[op].field[BANK_ROLE_RESULT], 0);
        cr_expect_eq(r.op[op].field[BANK_ROLE_BALANCE], 1);
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    bank_wire_roles_describe(&r, f, "> ");
    fclose(f);
    cr_expect_str_eq(text, "> query, deposit, withdraw -> /first.Branch/MsgDelivery (Req -> Rep)\n"
                           ">   request Req: id = id (int64, guessed), customer: none, interface = op (enum, "
                           "guessed), money = amount (int64, guessed)\n"
                           ">   reply Rep: result = ok (bool, guessed), balance = total (int64, guessed)\n");
    free(text);
    bank_wire *w = bank_wire_proto(&s, &r);
    cr_assert_not_null(w);
    cr_expect_str_eq(bank_wire_describe(w), "proto (/first.Branch/MsgDelivery)");
    grpc_init();
    cr_expect_eq(bank_wire_check(w, BANK_OP_DEPOSIT, 1, 2, 30, err, sizeof err), 0, "the enum's value packs: %s", err);
    grpc_shutdown();
    bank_wire_free(w);
    bank_proto_schema_free(&s); /* emptied: the wire took it */
}

/* rule: D3; what cannot be a customer's call is refused with one line that names the method:
 * a streaming method, a method asked for that is not there, a field asked for that is not there */
Test(wire_roles, a_method_or_field_that_cannot_serve_is_named)
{
    char err[1200];
    bank_proto_schema s;
    load_text("syntax = \"proto3\";\npackage first;\n"
              "message Req { int64 id = 1; string kind = 2; int64 amount = 3; }\n"
              "message Rep { string status = 1; int64 balance = 2; }\n"
              "service Bank { rpc MsgDelivery(stream Req) returns (Rep); rpc Other(Req) returns (Rep); }\n",
              &s);
    bank_wire_roles r;
    bank_wire_choices none = {0};
    cr_expect_eq(bank_wire_roles_find(&s, &none, &r, err, sizeof err), -1);
    cr_expect_str_eq(err, "first.Bank/MsgDelivery: a streaming method; a customer's call is unary");
    bank_wire_choices other = {{"Bank/Other", "first.Bank/Other", "Bank/Other"}, {0}};
    cr_expect_eq(bank_wire_roles_find(&s, &other, &r, err, sizeof err), 0, "%s", err);
    other.method[BANK_OP_DEPOSIT] = "Bank/other";
    cr_expect_eq(bank_wire_roles_find(&s, &other, &r, err, sizeof err), -1);
    cr_expect_str_eq(err, "--method deposit=Bank/other: the proto has no such method (its methods: "
                          "first.Bank/MsgDelivery, first.Bank/Other)");
    other.method[BANK_OP_DEPOSIT] = "Bank/Other";
    other.field[BANK_ROLE_MONEY] = "sum";
    cr_expect_eq(bank_wire_roles_find(&s, &other, &r, err, sizeof err), -1);
    cr_expect_str_eq(err, "--field money=sum: Req (the request of a deposit) has no field sum; its fields: "
                          "id (int64), kind (string), amount (int64)");
    bank_proto_schema_free(&s);
}

/* rule: D3; the money and the balance are numbers of any kind, float included, or strings: a
 * bool, an enum or bytes asked to carry money is refused with the line that says so */
Test(wire_roles, money_is_a_number_of_any_kind_or_a_string)
{
    char err[1200];
    bank_proto_schema s;
    load_text("syntax = \"proto3\";\npackage first;\nenum Kind { KIND_ZERO = 0; }\n"
              "message Req { int64 id = 1; string interface = 2; float money = 3; bool flag = 4;"
              " Kind kind = 5; bytes blob = 6; }\n"
              "message Rep { string result = 1; float balance = 2; }\n"
              "service Bank { rpc MsgDelivery(Req) returns (Rep); }\n", &s);
    bank_wire_roles r;
    bank_wire_choices none = {0};
    cr_expect_eq(bank_wire_roles_find(&s, &none, &r, err, sizeof err), 0, "%s", err);
    const char *not_money[][2] = {{"flag", "bool"}, {"kind", "enum"}, {"blob", "bytes"}};
    for (size_t i = 0; i < sizeof not_money / sizeof *not_money; i++) {
        bank_wire_choices c = {0};
        c.field[BANK_ROLE_MONEY] = not_money[i][0];
        cr_expect_eq(bank_wire_roles_find(&s, &c, &r, err, sizeof err), -1, "%s", not_money[i][0]);
        char want[300];
        snprintf(want, sizeof want, "--field money=%s: Req.%s is %s; the money must be a number or a "
                 "string", not_money[i][0], not_money[i][0], not_money[i][1]);
        cr_expect_str_eq(err, want);
    }
    bank_proto_schema_free(&s);
}

/* rule: D3; every role asked of a field of every scalar type: taken where the type can play
 * it (ids: integers or strings; the interface: a string or an enum; money and balance: numbers
 * or strings; the result: a string, a bool or an enum), refused with its line everywhere else */
Test(wire_roles, each_role_takes_the_types_that_can_play_it)
{
    static const char *const types[] = {"double",   "float",    "int64",  "uint64", "int32",  "fixed64",
                                        "fixed32",  "bool",     "string", "bytes",  "uint32", "sfixed32",
                                        "sfixed64", "sint32",   "sint64", "Kind"};
    char fields[1200] = "", text[3000];
    size_t len = 0;
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
        len += (size_t)snprintf(fields + len, sizeof fields - len, " %s t_%s = %zu;", types[t], types[t], t + 10);
    snprintf(text, sizeof text,
             "syntax = \"proto3\";\npackage first;\nenum Kind { QUERY = 0; DEPOSIT = 1; WITHDRAW = 2; }\n"
             "message Req { int64 id = 1; string interface = 2; int64 money = 3;%s }\n"
             "message Rep { string result = 1; int64 balance = 2;%s }\n"
             "service Bank { rpc MsgDelivery(Req) returns (Rep); }\n",
             fields, fields);
    bank_proto_schema s;
    load_text(text, &s);
    /* by role (id, customer, interface, money, result, balance): which kinds fit */
    enum { INTEGER = 1, REAL = 2, BOOL = 4, STRING = 8, ENUM = 16 };
    static const int fits[BANK_ROLE_COUNT] = {INTEGER | STRING, INTEGER | STRING, STRING | ENUM,
                                               INTEGER | REAL | STRING, STRING | BOOL | ENUM,
                                               INTEGER | REAL | STRING};
    static const char *const wanted[BANK_ROLE_COUNT] = {"an integer or a string", "an integer or a string",
                                                         "a string or an enum", "a number or a string",
                                                         "a string, a bool or an enum", "a number or a string"};
    char err[1200];
    for (int role = 0; role < BANK_ROLE_COUNT; role++)
        for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
            const char *type = types[t];
            int kind = strcmp(type, "double") == 0 || strcmp(type, "float") == 0 ? REAL
                       : strcmp(type, "bool") == 0                              ? BOOL
                       : strcmp(type, "string") == 0                            ? STRING
                       : strcmp(type, "Kind") == 0                              ? ENUM
                       : strcmp(type, "bytes") == 0                             ? 0
                                                                                : INTEGER;
            char name[40];
            snprintf(name, sizeof name, "t_%s", type);
            bank_wire_choices c = {0};
            c.field[role] = name;
            bank_wire_roles r;
            int rc = bank_wire_roles_find(&s, &c, &r, err, sizeof err);
            if (fits[role] & kind) {
                cr_expect_eq(rc, 0, "%s = %s: %s", bank_role_name((bank_role)role), name, err);
                if (rc == 0) {
                    cr_expect_eq(r.op[BANK_OP_DEPOSIT].field[role], (int)t + (role >= BANK_ROLE_RESULT ? 2 : 3),
                                 "%s = %s", bank_role_name((bank_role)role), name);
                    cr_expect_eq(r.op[BANK_OP_DEPOSIT].guessed[role], 0);
                }
            } else {
                char want[300];
                snprintf(want, sizeof want, "--field %s=%s: %s.%s is %s; the %s must be %s",
                         bank_role_name((bank_role)role), name, role >= BANK_ROLE_RESULT ? "Rep" : "Req", name,
                         kind == ENUM ? "enum" : type, bank_role_name((bank_role)role), wanted[role]);
                cr_expect_eq(rc, -1, "%s = %s", bank_role_name((bank_role)role), name);
                cr_expect_str_eq(err, want);
            }
        }
    /* a message's first field is checked as any other */
    bank_wire_choices first = {0};
    first.field[BANK_ROLE_INTERFACE] = "id";
    bank_wire_roles r;
    cr_expect_eq(bank_wire_roles_find(&s, &first, &r, err, sizeof err), -1);
    cr_expect_str_eq(err, "--field interface=id: Req.id is int64; the interface must be a string or an enum");
    bank_proto_schema_free(&s);

    /* each role by its name, and back; no other name is a role */
    static const char *const names[BANK_ROLE_COUNT] = {"id", "customer", "interface", "money", "result", "balance"};
    for (int role = 0; role < BANK_ROLE_COUNT; role++) {
        bank_role got = BANK_ROLE_COUNT;
        cr_expect_eq(bank_role_parse(names[role], &got), 0, "%s", names[role]);
        cr_expect_eq((int)got, role, "%s", names[role]);
        cr_expect_str_eq(bank_role_name((bank_role)role), names[role]);
    }
    bank_role untouched = BANK_ROLE_COUNT;
    cr_expect_eq(bank_role_parse("amount", &untouched), -1);
    cr_expect_eq(bank_role_parse("Money", &untouched), -1, "names are exact");
    cr_expect_eq((int)untouched, BANK_ROLE_COUNT);
    cr_expect_str_eq(bank_role_name(BANK_ROLE_COUNT), "?");
}

/* rule: D3; each wire says what it speaks, and the course's wire refuses, naming it, a value
 * its int32 fields cannot hold: the event id first, then the money (0 to 2^31 - 1) */
Test(wire_roles, each_wire_is_described_and_the_course_wire_takes_int32_values_only)
{
    grpc_init();
    char err[300] = "";
    bank_wire *course = bank_wire_course(NULL), *named = bank_wire_course("example.Branch"), *bank = bank_wire_bank();
    cr_assert(course && named && bank);
    cr_expect_str_eq(bank_wire_describe(course), "course (/Branch/MsgDelivery)");
    cr_expect_str_eq(bank_wire_describe(named), "course (/example.Branch/MsgDelivery)");
    cr_expect_str_eq(bank_wire_describe(bank), "bank (/bank.Branch/Query, Deposit, Withdraw)");
    cr_expect_eq(bank_wire_check(course, BANK_OP_DEPOSIT, 1, INT32_MIN, INT32_MAX, err, sizeof err), 0, "%s", err);
    cr_expect_eq(bank_wire_check(course, BANK_OP_WITHDRAW, 1, INT32_MAX, 0, err, sizeof err), 0, "%s", err);
    static const struct {
        int64_t event_id, money;
        const char *says;
    } bad[] = {
        {(int64_t)INT32_MIN - 1, 5, "event id -2147483649 does not fit the course's int32 field"},
        {(int64_t)INT32_MAX + 1, 5, "event id 2147483648 does not fit the course's int32 field"},
        {(int64_t)INT32_MAX + 1, -1, "event id 2147483648 does not fit the course's int32 field"},
        {INT32_MIN, (int64_t)INT32_MAX + 1, "money 2147483648 does not fit the course's int32 field"},
        {INT32_MAX, -1, "money -1 does not fit the course's int32 field"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_expect_eq(bank_wire_check(course, BANK_OP_DEPOSIT, 1, bad[i].event_id, bad[i].money, err, sizeof err), -1);
        cr_expect_str_eq(err, bad[i].says);
    }
    cr_expect_eq(bank_wire_check(bank, BANK_OP_DEPOSIT, 1, INT64_MAX, INT64_MAX, err, sizeof err), 0,
                 "this project's wire is int64");
    bank_wire_free(course);
    bank_wire_free(named);
    bank_wire_free(bank);

    bank_proto_schema s;
    bank_wire_roles r;
    bank_wire_choices none = {0};
    char why[1200];
    load(PROJECT_DIR "/tests/integration/drive/own.proto", &s);
    cr_assert_eq(bank_wire_roles_find(&s, &none, &r, why, sizeof why), 0, "%s", why);
    bank_wire *own = bank_wire_proto(&s, &r);
    cr_assert_not_null(own);
    cr_expect_str_eq(bank_wire_describe(own), "proto (/studentbank.Bank/Query, /studentbank.Bank/Deposit, "
                                              "/studentbank.Bank/Withdraw)");
    bank_wire_free(own);
    bank_proto_schema_free(&s);
    grpc_shutdown();
}

/* rule: D3; without a MsgDelivery, each operation's method is the one named after it, exactly
 * or else by its start (QueryBalance), whatever comes before it in the service */
Test(wire_roles, a_method_named_after_its_operation_is_found_by_the_start_of_its_name)
{
    char err[1200];
    bank_proto_schema s;
    load_text("syntax = \"proto3\";\npackage first;\n"
              "message Req { int64 id = 1; int64 amount = 2; }\n"
              "message Rep { string status = 1; int64 balance = 2; }\n"
              "service Bank { rpc Ping(Req) returns (Rep); rpc Query_Balance(Req) returns (Rep);\n"
              "  rpc DepositMoney(Req) returns (Rep); rpc Withdraw(Req) returns (Rep);\n"
              "  rpc WithdrawMoney(Req) returns (Rep); }\n", &s);
    bank_wire_roles r;
    bank_wire_choices none = {0};
    cr_assert_eq(bank_wire_roles_find(&s, &none, &r, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(r.op[BANK_OP_QUERY].method->path, "/first.Bank/Query_Balance");
    cr_expect_str_eq(r.op[BANK_OP_DEPOSIT].method->path, "/first.Bank/DepositMoney");
    cr_expect_str_eq(r.op[BANK_OP_WITHDRAW].method->path, "/first.Bank/Withdraw", "the exact name first");
    for (int op = 0; op < 3; op++) cr_expect_not(r.op[op].shared);
    bank_proto_schema_free(&s);
}

/* rule: D3; of two methods that start with an operation's name the first is taken, and a method
 * that starts with none of them is no operation's: with nothing named after the query, the
 * line says so (the first method is not taken for it) */
Test(wire_roles, the_first_method_by_the_start_of_its_name_and_none_when_no_name_starts_so)
{
    char err[1200];
    bank_proto_schema s;
    load_text("syntax = \"proto3\";\npackage first;\n"
              "message Req { int64 id = 1; int64 amount = 2; }\n"
              "message Rep { string status = 1; int64 balance = 2; }\n"
              "service Bank { rpc Ping(Req) returns (Rep); rpc QueryBalance(Req) returns (Rep);\n"
              "  rpc QueryAll(Req) returns (Rep); rpc DepositMoney(Req) returns (Rep);\n"
              "  rpc DepositCash(Req) returns (Rep); rpc WithdrawMoney(Req) returns (Rep); }\n", &s);
    bank_wire_roles r;
    bank_wire_choices none = {0};
    cr_assert_eq(bank_wire_roles_find(&s, &none, &r, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(r.op[BANK_OP_QUERY].method->path, "/first.Bank/QueryBalance");
    cr_expect_str_eq(r.op[BANK_OP_DEPOSIT].method->path, "/first.Bank/DepositMoney");
    cr_expect_str_eq(r.op[BANK_OP_WITHDRAW].method->path, "/first.Bank/WithdrawMoney");
    bank_proto_schema_free(&s);

    load_text("syntax = \"proto3\";\npackage first;\n"
              "message Req { int64 id = 1; int64 amount = 2; }\n"
              "message Rep { string status = 1; int64 balance = 2; }\n"
              "service Bank { rpc Ping(Req) returns (Rep); rpc Deposit(Req) returns (Rep);\n"
              "  rpc Withdraw(Req) returns (Rep); }\n", &s);
    cr_expect_eq(bank_wire_roles_find(&s, &none, &r, err, sizeof err), -1);
    cr_expect_str_eq(err, "which method does a query? none is named MsgDelivery or after the operation "
                          "(its methods: first.Bank/Ping, first.Bank/Deposit, first.Bank/Withdraw); "
                          "say it with --method query=Service/Method");
    bank_proto_schema_free(&s);
}

/* rule: D3; names of any length: a package of 300 characters, with its request and reply nested
 * in a message and an enum nested in the request, is read whole (every type found, the method's
 * path not cut), as is the course wire's service named on the command line */
Test(wire_roles, a_package_or_service_name_of_any_length_is_kept_whole)
{
    char package[301], proto[1200], err[1200];
    for (int i = 0; i < 300; i++) package[i] = i % 10 == 9 ? '.' : (char)('a' + i % 10);
    package[299] = 'z'; /* not ending on a dot */
    package[300] = '\0';
    snprintf(proto, sizeof proto,
             "syntax = \"proto3\";\npackage %s;\n"
             "message Outer { message Req { enum Op { QUERY = 0; DEPOSIT = 1; WITHDRAW = 2; } Op op = 1; int64 id = 2;"
             " int64 money = 3; } message Rep { string result = 1; int64 balance = 2; } }\n"
             "service Branch { rpc MsgDelivery(Outer.Req) returns (Outer.Rep); }\n", package);
    bank_proto_schema s;
    load_text(proto, &s);
    cr_assert_eq(s.n_methods, 1);
    char want[400];
    snprintf(want, sizeof want, "/%s.Branch/MsgDelivery", package);
    cr_expect_str_eq(s.methods[0].path, want);
    cr_assert_not_null(s.methods[0].input, "the nested request is found");
    cr_expect_str_eq(s.methods[0].input->name, "Req");
    cr_assert_not_null(s.methods[0].output, "the nested reply is found");
    cr_expect_str_eq(s.methods[0].output->name, "Rep");
    char enum_name[400];
    snprintf(enum_name, sizeof enum_name, ".%s.Outer.Req.Op", package);
    cr_expect_not_null(bank_proto_find_enum(&s, enum_name));
    enum_name[strlen(enum_name) - 1] = '\0'; /* ".Outer.Req.O": no such enum */
    cr_expect_null(bank_proto_find_enum(&s, enum_name));
    bank_wire_roles r;
    bank_wire_choices none = {0};
    cr_assert_eq(bank_wire_roles_find(&s, &none, &r, err, sizeof err), 0, "%s", err);
    bank_wire *w = bank_wire_proto(&s, &r);
    cr_assert_not_null(w);
    char described[500];
    snprintf(described, sizeof described, "proto (%s)", want);
    cr_expect_str_eq(bank_wire_describe(w), described);
    bank_wire_free(w);
    bank_proto_schema_free(&s);

    bank_wire *course = bank_wire_course(package);
    cr_assert_not_null(course);
    snprintf(described, sizeof described, "course (/%s/MsgDelivery)", package);
    cr_expect_str_eq(bank_wire_describe(course), described);
    bank_wire_free(course);
}
