/* A student's .proto as protoc describes it (a FileDescriptorSet, read with protobuf-c's code for
 * google/protobuf/descriptor.proto): its unary methods with their gRPC paths, and its messages
 * and enums by full name. */
#ifndef BANK_RPC_PROTO_SCHEMA_H
#define BANK_RPC_PROTO_SCHEMA_H

#include <stddef.h>

#include "google/protobuf/descriptor.pb-c.h"

typedef Google__Protobuf__DescriptorProto bank_proto_message;
typedef Google__Protobuf__FieldDescriptorProto bank_proto_field;
typedef Google__Protobuf__EnumDescriptorProto bank_proto_enum;

typedef struct {
    char *path;        /* "/pkg.Service/Method" (no "pkg." without a package) */
    char *service;     /* "pkg.Service" */
    const char *name;  /* "Method" */
    const bank_proto_message *input, *output;
    int streaming;     /* client or server streaming: not a unary call */
} bank_proto_method;

typedef struct {
    Google__Protobuf__FileDescriptorSet *set;
    size_t n_methods;
    bank_proto_method *methods; /* every service's, in file order */
} bank_proto_schema;

/* Unpacks a FileDescriptorSet. 0, or -1 with one line in err (source names the .proto). */
int bank_proto_schema_load(const unsigned char *bytes, size_t len, const char *source,
                           bank_proto_schema *out, char *err, size_t errlen);
void bank_proto_schema_free(bank_proto_schema *s);

/* The message or enum with this full name (".pkg.Outer.Inner", as fields name their types). */
const bank_proto_message *bank_proto_find_message(const bank_proto_schema *s, const char *full_name);
const bank_proto_enum *bank_proto_find_enum(const bank_proto_schema *s, const char *full_name);

/* "/service/method", a gRPC method's path, in a new string; NULL when out of memory. */
char *bank_proto_path(const char *service, const char *method);

/* "int32", "double", "string", "enum", "message", ... */
const char *bank_proto_type_name(const bank_proto_field *f);

#endif
