/* Which method of a student's .proto does a query, a deposit and a withdrawal, and which field of
 * its request and reply plays which part (the event id, the interface, the money, the result,
 * the balance): guessed from the names students use, or said with --method and --field. */
#ifndef BANK_RPC_WIRE_ROLES_H
#define BANK_RPC_WIRE_ROLES_H

#include <stdio.h>

#include "core/workload.h"
#include "proto_schema.h"

typedef enum {
    BANK_ROLE_ID,        /* request: the event id */
    BANK_ROLE_CUSTOMER,  /* request: the customer id */
    BANK_ROLE_INTERFACE, /* request: "query", "deposit" or "withdraw" (a string or an enum) */
    BANK_ROLE_MONEY,     /* request: the money */
    BANK_ROLE_RESULT,    /* reply: success or fail (a string, a bool or an enum) */
    BANK_ROLE_BALANCE,   /* reply: the balance */
    BANK_ROLE_COUNT
} bank_role;

/* "id", "customer", "interface", "money", "result", "balance" */
const char *bank_role_name(bank_role r);
int bank_role_parse(const char *name, bank_role *out); /* 0, or -1 for another name */

/* What the user said: --method per interface ("Service/Method", NULL: guess) and --field per
 * role (a field name, NULL: guess). */
typedef struct {
    const char *method[3]; /* by bank_op */
    const char *field[BANK_ROLE_COUNT];
} bank_wire_choices;

typedef struct {
    const bank_proto_method *method;
    int shared;                  /* the method serves another interface too */
    int field[BANK_ROLE_COUNT];  /* index into the request's (ID..MONEY) or the reply's
                                    (RESULT, BALANCE) fields; -1: none */
    int guessed[BANK_ROLE_COUNT];
    int interface_enum_value;    /* the interface field is an enum: this operation's number */
} bank_wire_op;

typedef struct {
    bank_wire_op op[3]; /* by bank_op */
} bank_wire_roles;

/* 0 and *out, or -1 with one line in err naming what is missing and the candidates. */
int bank_wire_roles_find(const bank_proto_schema *s, const bank_wire_choices *c,
                         bank_wire_roles *out, char *err, size_t errlen);

/* What was chosen, a line each ("query -> /Bank/Query (Request -> Response): id = id (int64,
 * guessed), ..."), each line starting with prefix. */
void bank_wire_roles_describe(const bank_wire_roles *r, FILE *f, const char *prefix);

#endif
