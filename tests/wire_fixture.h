/* The .proto files of the wire tests: one compiled and read into a schema (protoc through
 * bank_proto_compile), and one written for a single test into a fresh folder. */
#ifndef BANK_TESTS_WIRE_FIXTURE_H
#define BANK_TESTS_WIRE_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "io/proto_compile.h"
#include "rpc/proto_schema.h"

/* path compiled by protoc and read into s; a failure fails the test. */
static inline void load(const char *path, bank_proto_schema *s)
{
    unsigned char *bytes;
    size_t len;
    char err[600];
    cr_assert_eq(bank_proto_compile(path, &bytes, &len, err, sizeof err), 0, "%s", err);
    cr_assert_eq(bank_proto_schema_load(bytes, len, path, s, err, sizeof err), 0, "%s", err);
    free(bytes);
}

/* A .proto written for one test into a fresh folder (removed by unlink_proto). */
static inline void write_proto(char *dir, char *path, size_t n, const char *text)
{
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, n, "%s/first.proto", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static inline void unlink_proto(const char *dir, const char *path)
{
    unlink(path);
    rmdir(dir);
}

/* text, a .proto, compiled and read into s (through a file of its own, removed after). */
static inline void load_text(const char *text, bank_proto_schema *s)
{
    char dir[] = "/tmp/bank-wire-XXXXXX", path[600];
    write_proto(dir, path, sizeof path, text);
    load(path, s);
    unlink_proto(dir, path);
}

#endif
