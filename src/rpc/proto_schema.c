/* Reads a FileDescriptorSet (protoc's description of a .proto) into methods, messages and
 * enums that can be looked up by their full names. */
#include "proto_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef Google__Protobuf__FileDescriptorProto file_proto;

/* "pkg." + name, or name alone without a package. */
static void qualify(char *out, size_t n, const char *package, const char *name)
{
    if (package && *package) snprintf(out, n, "%s.%s", package, name);
    else snprintf(out, n, "%s", name);
}

static int add_methods(bank_proto_schema *s, const file_proto *f)
{
    for (size_t i = 0; i < f->n_service; i++) {
        const Google__Protobuf__ServiceDescriptorProto *sv = f->service[i];
        for (size_t k = 0; k < sv->n_method; k++) {
            bank_proto_method *grown = realloc(s->methods, (s->n_methods + 1) * sizeof *grown);
            if (!grown) return -1;
            s->methods = grown;
            const Google__Protobuf__MethodDescriptorProto *md = sv->method[k];
            bank_proto_method *m = &s->methods[s->n_methods++];
            memset(m, 0, sizeof *m);
            qualify(m->service, sizeof m->service, f->package, sv->name ? sv->name : "");
            m->name = md->name ? md->name : "";
            snprintf(m->path, sizeof m->path, "/%s/%s", m->service, m->name);
            m->input = md->input_type ? bank_proto_find_message(s, md->input_type) : NULL;
            m->output = md->output_type ? bank_proto_find_message(s, md->output_type) : NULL;
            m->streaming = (md->has_client_streaming && md->client_streaming) ||
                           (md->has_server_streaming && md->server_streaming);
        }
    }
    return 0;
}

int bank_proto_schema_load(const unsigned char *bytes, size_t len, const char *source,
                           bank_proto_schema *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->set = google__protobuf__file_descriptor_set__unpack(NULL, len, bytes);
    if (!out->set) {
        snprintf(err, errlen, "%s: protoc's descriptor set cannot be read", source);
        return -1;
    }
    for (size_t i = 0; i < out->set->n_file; i++)
        if (add_methods(out, out->set->file[i]) != 0) {
            snprintf(err, errlen, "out of memory");
            bank_proto_schema_free(out);
            return -1;
        }
    if (out->n_methods == 0) {
        snprintf(err, errlen, "%s: declares no service with a method to call", source);
        bank_proto_schema_free(out);
        return -1;
    }
    return 0;
}

void bank_proto_schema_free(bank_proto_schema *s)
{
    if (s->set) google__protobuf__file_descriptor_set__free_unpacked(s->set, NULL);
    free(s->methods);
    memset(s, 0, sizeof *s);
}

/* Looks for full_name (".a.b.C") among messages nested under scope, or one of their enums. */
static const void *find_in(const char *scope, const char *full_name, bank_proto_message *const *msgs,
                           size_t n_msgs, bank_proto_enum *const *enums, size_t n_enums, int want_enum)
{
    char name[512];
    for (size_t i = 0; want_enum && i < n_enums; i++) {
        snprintf(name, sizeof name, "%s.%s", scope, enums[i]->name ? enums[i]->name : "");
        if (strcmp(name, full_name) == 0) return enums[i];
    }
    for (size_t i = 0; i < n_msgs; i++) {
        const bank_proto_message *m = msgs[i];
        snprintf(name, sizeof name, "%s.%s", scope, m->name ? m->name : "");
        if (!want_enum && strcmp(name, full_name) == 0) return m;
        size_t k = strlen(name);
        if (strncmp(name, full_name, k) == 0 && full_name[k] == '.') {
            const void *found = find_in(name, full_name, m->nested_type, m->n_nested_type,
                                        m->enum_type, m->n_enum_type, want_enum);
            if (found) return found;
        }
    }
    return NULL;
}

static const void *find_type(const bank_proto_schema *s, const char *full_name, int want_enum)
{
    for (size_t i = 0; i < s->set->n_file; i++) {
        const file_proto *f = s->set->file[i];
        char scope[256] = "";
        if (f->package && *f->package) snprintf(scope, sizeof scope, ".%s", f->package);
        const void *found = find_in(scope, full_name, f->message_type, f->n_message_type,
                                    f->enum_type, f->n_enum_type, want_enum);
        if (found) return found;
    }
    return NULL;
}

const bank_proto_message *bank_proto_find_message(const bank_proto_schema *s, const char *full_name)
{
    return find_type(s, full_name, 0);
}

const bank_proto_enum *bank_proto_find_enum(const bank_proto_schema *s, const char *full_name)
{
    return find_type(s, full_name, 1);
}

const char *bank_proto_type_name(const bank_proto_field *f)
{
    static const char *const names[] = {"?", "double", "float", "int64", "uint64", "int32",
                                        "fixed64", "fixed32", "bool", "string", "group",
                                        "message", "bytes", "uint32", "enum", "sfixed32",
                                        "sfixed64", "sint32", "sint64"};
    unsigned t = (unsigned)f->type;
    return t < sizeof names / sizeof names[0] ? names[t] : "?";
}
