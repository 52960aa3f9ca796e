/* Reads a FileDescriptorSet (protoc's description of a .proto) into methods, messages and
 * enums that can be looked up by their full names. */
#include "proto_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef Google__Protobuf__FileDescriptorProto file_proto;

/* a + sep + b in a new string (sep and b may be empty); NULL when out of memory. */
static char *joined(const char *a, const char *sep, const char *b)
{
    size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
    char *s = malloc(la + ls + lb + 1);
    if (!s) return NULL;
    memcpy(s, a, la);
    memcpy(s + la, sep, ls);
    memcpy(s + la + ls, b, lb + 1);
    return s;
}

char *bank_proto_path(const char *service, const char *method)
{
    char *slashed = joined("/", "", service);
    char *path = slashed ? joined(slashed, "/", method) : NULL;
    free(slashed);
    return path;
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
            const char *package = f->package ? f->package : "";
            m->service = joined(package, *package ? "." : "", sv->name ? sv->name : "");
            m->name = md->name ? md->name : "";
            m->path = m->service ? bank_proto_path(m->service, m->name) : NULL;
            if (!m->path) return -1;
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
    for (size_t i = 0; i < s->n_methods; i++) {
        free(s->methods[i].service);
        free(s->methods[i].path);
    }
    free(s->methods);
    memset(s, 0, sizeof *s);
}

/* Does full_name continue, after its first scope_len characters, with "." + name? Then *end is
 * where that name ends in full_name. Names are matched in place: a package or a nesting of any
 * length is found. */
static int names_next(const char *full_name, size_t scope_len, const char *name, size_t *end)
{
    size_t n = strlen(name);
    if (full_name[scope_len] != '.' || strncmp(full_name + scope_len + 1, name, n) != 0) return 0;
    *end = scope_len + 1 + n;
    return 1;
}

/* Looks for full_name (".a.b.C") among the messages nested under its first scope_len
 * characters, or one of their enums. */
static const void *find_in(size_t scope_len, const char *full_name, bank_proto_message *const *msgs,
                           size_t n_msgs, bank_proto_enum *const *enums, size_t n_enums, int want_enum)
{
    size_t end;
    for (size_t i = 0; want_enum && i < n_enums; i++)
        if (names_next(full_name, scope_len, enums[i]->name ? enums[i]->name : "", &end) &&
            full_name[end] == '\0')
            return enums[i];
    for (size_t i = 0; i < n_msgs; i++) {
        const bank_proto_message *m = msgs[i];
        if (!names_next(full_name, scope_len, m->name ? m->name : "", &end)) continue;
        if (!want_enum && full_name[end] == '\0') return m;
        if (full_name[end] == '.') {
            const void *found = find_in(end, full_name, m->nested_type, m->n_nested_type,
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
        size_t scope_len = 0;
        if (f->package && *f->package && !names_next(full_name, 0, f->package, &scope_len)) continue;
        const void *found = find_in(scope_len, full_name, f->message_type, f->n_message_type,
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
