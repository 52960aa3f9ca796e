/* The protobuf wire format for scalar fields, driven by a message's descriptor. */
#include "dynamic_codec.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef Google__Protobuf__FieldDescriptorProto__Type field_type;
#define T(name) GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_##name

enum { WIRE_VARINT = 0, WIRE_I64 = 1, WIRE_LEN = 2, WIRE_I32 = 5 };

/* Asked only of a scalar field (is_scalar): never of a group. */
static int wire_type_of(field_type t)
{
    switch (t) {
    case T(DOUBLE): case T(FIXED64): case T(SFIXED64): return WIRE_I64;
    case T(FLOAT): case T(FIXED32): case T(SFIXED32): return WIRE_I32;
    case T(STRING): case T(BYTES): case T(MESSAGE): return WIRE_LEN;
    default: return WIRE_VARINT;
    }
}

static int is_scalar(const bank_proto_field *f)
{
    return f->label != GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__LABEL__LABEL_REPEATED &&
           f->type != T(MESSAGE) && f->type != T(GROUP);
}

/* ---- encoding ---- */

typedef struct {
    unsigned char *p;
    size_t n, cap;
    int oom;
} buffer;

static void put(buffer *b, const void *bytes, size_t n)
{
    if (b->oom) return;
    if (b->n + n > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 64) + n;
        unsigned char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, bytes, n);
    b->n += n;
}

static void put_varint(buffer *b, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    put(b, tmp, n);
}

static void put_fixed(buffer *b, uint64_t v, size_t n)
{
    unsigned char tmp[8];
    for (size_t i = 0; i < n; i++) tmp[i] = (unsigned char)(v >> (8 * i));
    put(b, tmp, n);
}

/* v as an int64 in [lo, hi]; 0, or -1 when it is not one. */
static int value_int(const bank_dyn_value *v, int64_t lo, int64_t hi, int64_t *out)
{
    int64_t x;
    if (v->kind == BANK_DYN_INT || v->kind == BANK_DYN_ENUM || v->kind == BANK_DYN_BOOL) x = v->i;
    else if (v->kind == BANK_DYN_UINT && v->u <= INT64_MAX) x = (int64_t)v->u;
    else return -1;
    if (x < lo || x > hi) return -1;
    *out = x;
    return 0;
}

static int encode_field(buffer *b, const bank_proto_field *f, const bank_dyn_value *v, char *err,
                        size_t errlen)
{
    int64_t x = 0;
    field_type t = f->type;
    int fits = 1;
    put_varint(b, ((uint64_t)f->number << 3) | (uint64_t)wire_type_of(t));
    switch (t) {
    case T(INT32): case T(ENUM):
        fits = value_int(v, INT32_MIN, INT32_MAX, &x) == 0;
        put_varint(b, (uint64_t)x); /* negative: ten bytes, as protobuf writes it */
        break;
    case T(INT64):
        fits = value_int(v, INT64_MIN, INT64_MAX, &x) == 0;
        put_varint(b, (uint64_t)x);
        break;
    case T(UINT32): case T(UINT64): case T(FIXED32): case T(FIXED64): {
        uint64_t u = 0;
        if (v->kind == BANK_DYN_UINT) u = v->u;
        else if (value_int(v, 0, INT64_MAX, &x) == 0) u = (uint64_t)x;
        else fits = 0;
        if ((t == T(UINT32) || t == T(FIXED32)) && u > UINT32_MAX) fits = 0;
        if (t == T(FIXED32)) put_fixed(b, u, 4);
        else if (t == T(FIXED64)) put_fixed(b, u, 8);
        else put_varint(b, u);
        break;
    }
    case T(SINT32): case T(SINT64): {
        int is32 = t == T(SINT32);
        fits = value_int(v, is32 ? INT32_MIN : INT64_MIN, is32 ? INT32_MAX : INT64_MAX, &x) == 0;
        put_varint(b, ((uint64_t)x << 1) ^ (uint64_t)(x >> 63));
        break;
    }
    case T(SFIXED32):
        fits = value_int(v, INT32_MIN, INT32_MAX, &x) == 0;
        put_fixed(b, (uint64_t)(uint32_t)(int32_t)x, 4);
        break;
    case T(SFIXED64):
        fits = value_int(v, INT64_MIN, INT64_MAX, &x) == 0;
        put_fixed(b, (uint64_t)x, 8);
        break;
    case T(BOOL):
        fits = value_int(v, 0, 1, &x) == 0;
        put_varint(b, (uint64_t)x);
        break;
    case T(DOUBLE): case T(FLOAT): {
        double d = v->kind == BANK_DYN_DOUBLE ? v->d : 0;
        int is_float = t == T(FLOAT);
        if (v->kind != BANK_DYN_DOUBLE) {
            int64_t limit = is_float ? (INT64_C(1) << 24) : (INT64_C(1) << 53); /* exact up to */
            fits = value_int(v, -limit, limit, &x) == 0;
            d = (double)x;
        }
        if (is_float) {
            float fl = (float)d;
            uint32_t bits;
            memcpy(&bits, &fl, 4);
            put_fixed(b, bits, 4);
        } else {
            uint64_t bits;
            memcpy(&bits, &d, 8);
            put_fixed(b, bits, 8);
        }
        break;
    }
    case T(STRING): case T(BYTES): {
        char num[32];
        const char *s = v->kind == BANK_DYN_STRING ? (v->s ? v->s : "") : num;
        if (v->kind == BANK_DYN_INT) snprintf(num, sizeof num, "%" PRId64, v->i);
        else if (v->kind == BANK_DYN_UINT) snprintf(num, sizeof num, "%" PRIu64, v->u);
        else if (v->kind != BANK_DYN_STRING) fits = 0, num[0] = '\0';
        put_varint(b, strlen(s));
        put(b, s, strlen(s));
        break;
    }
    default:
        snprintf(err, errlen, "field %s (%s) is not a scalar field", f->name, bank_proto_type_name(f));
        return -1;
    }
    if (!fits) {
        char shown[48];
        if (v->kind == BANK_DYN_UINT) snprintf(shown, sizeof shown, "%" PRIu64, v->u);
        else if (v->kind == BANK_DYN_STRING) snprintf(shown, sizeof shown, "a string");
        else snprintf(shown, sizeof shown, "%" PRId64, v->i);
        snprintf(err, errlen, "%s does not fit field %s (%s)%s", shown, f->name,
                 bank_proto_type_name(f),
                 t == T(DOUBLE) || t == T(FLOAT) ? " exactly" : "");
        return -1;
    }
    return 0;
}

int bank_dyn_encode(const bank_proto_message *m, const bank_dyn_value *values, unsigned char **out,
                    size_t *len, char *err, size_t errlen)
{
    buffer b = {0};
    for (size_t k = 0; k < m->n_field; k++) {
        if (values[k].kind == BANK_DYN_NONE) continue;
        if (!is_scalar(m->field[k])) {
            snprintf(err, errlen, "field %s of %s is not a single scalar value", m->field[k]->name, m->name);
            free(b.p);
            return -1;
        }
        if (encode_field(&b, m->field[k], &values[k], err, errlen) != 0) {
            free(b.p);
            return -1;
        }
    }
    if (b.oom) {
        free(b.p);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *out = b.p ? b.p : malloc(1); /* an empty message is zero bytes, but still a buffer */
    *len = b.n;
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* ---- decoding ---- */

static int get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 70 && *p < end; shift += 7) {
        unsigned char c = *(*p)++;
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

static uint64_t get_fixed(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Stores a value of wire type `wire` (raw: the varint or fixed bits; s, n: the bytes) into v. */
static int store(const bank_proto_field *f, bank_dyn_value *v, uint64_t raw, const unsigned char *s,
                 size_t n)
{
    field_type t = f->type;
    bank_dyn_value x = {0};
    switch (t) {
    case T(INT32): x.kind = BANK_DYN_INT; x.i = (int32_t)(uint32_t)raw; break;
    case T(INT64): case T(SFIXED64): x.kind = BANK_DYN_INT; x.i = (int64_t)raw; break;
    case T(SFIXED32): x.kind = BANK_DYN_INT; x.i = (int32_t)(uint32_t)raw; break;
    case T(SINT32): case T(SINT64): {
        uint64_t u = t == T(SINT32) ? (uint32_t)raw : raw;
        x.kind = BANK_DYN_INT;
        x.i = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
        if (t == T(SINT32)) x.i = (int32_t)x.i;
        break;
    }
    case T(UINT32): case T(FIXED32): x.kind = BANK_DYN_UINT; x.u = (uint32_t)raw; break;
    case T(UINT64): case T(FIXED64): x.kind = BANK_DYN_UINT; x.u = raw; break;
    case T(BOOL): x.kind = BANK_DYN_BOOL; x.i = raw != 0; break;
    case T(ENUM): x.kind = BANK_DYN_ENUM; x.i = (int32_t)(uint32_t)raw; break;
    case T(DOUBLE): {
        x.kind = BANK_DYN_DOUBLE;
        memcpy(&x.d, &raw, 8);
        break;
    }
    case T(FLOAT): {
        uint32_t bits = (uint32_t)raw;
        float fl;
        memcpy(&fl, &bits, 4);
        x.kind = BANK_DYN_DOUBLE;
        x.d = fl;
        break;
    }
    case T(STRING): case T(BYTES):
        x.kind = BANK_DYN_STRING;
        if (!(x.s = malloc(n + 1))) return -1;
        memcpy(x.s, s, n);
        x.s[n] = '\0';
        break;
    default: return 0;
    }
    if (v->kind == BANK_DYN_STRING) free(v->s);
    *v = x;
    return 0;
}

int bank_dyn_decode(const bank_proto_message *m, const unsigned char *buf, size_t len,
                    bank_dyn_value *values, char *err, size_t errlen)
{
    memset(values, 0, m->n_field * sizeof *values);
    const unsigned char *p = buf, *end = buf + len;
    while (p < end) {
        uint64_t key, raw = 0;
        const unsigned char *s = NULL;
        size_t n = 0;
        if (get_varint(&p, end, &key) != 0 || (key >> 3) == 0 || (key >> 3) > 536870911u) goto bad;
        int wire = (int)(key & 7);
        if (wire == WIRE_VARINT) {
            if (get_varint(&p, end, &raw) != 0) goto bad;
        } else if (wire == WIRE_I64 || wire == WIRE_I32) {
            size_t w = wire == WIRE_I64 ? 8 : 4;
            if ((size_t)(end - p) < w) goto bad;
            raw = get_fixed(p, w);
            p += w;
        } else if (wire == WIRE_LEN) {
            if (get_varint(&p, end, &raw) != 0 || raw > (uint64_t)(end - p)) goto bad;
            s = p;
            n = (size_t)raw;
            p += n;
        } else {
            goto bad; /* groups (3, 4) and unknown wire types */
        }
        for (size_t k = 0; k < m->n_field; k++) {
            const bank_proto_field *f = m->field[k];
            if ((uint64_t)f->number != (key >> 3)) continue;
            if (is_scalar(f) && wire_type_of(f->type) == wire && store(f, &values[k], raw, s, n) != 0) {
                bank_dyn_values_free(values, m->n_field);
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            break;
        }
    }
    return 0;
bad:
    bank_dyn_values_free(values, m->n_field);
    snprintf(err, errlen, "the reply is not a protobuf message (byte %zu of %zu)", (size_t)(p - buf), len);
    return -1;
}

void bank_dyn_values_free(bank_dyn_value *values, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (values[k].kind == BANK_DYN_STRING) free(values[k].s);
        memset(&values[k], 0, sizeof values[k]);
    }
}

int bank_dyn_whole(const bank_dyn_value *v, int64_t *out)
{
    switch (v->kind) {
    case BANK_DYN_INT: *out = v->i; return 0;
    case BANK_DYN_UINT:
        if (v->u > INT64_MAX) return -1;
        *out = (int64_t)v->u;
        return 0;
    case BANK_DYN_DOUBLE:
        if (!isfinite(v->d) || v->d != floor(v->d) || fabs(v->d) >= 9.2e18) return -1;
        *out = (int64_t)v->d;
        return 0;
    case BANK_DYN_STRING: {
        char *end;
        double d = v->s ? strtod(v->s, &end) : 0;
        if (!v->s || end == v->s || !isfinite(d) || d != floor(d) || fabs(d) >= 9.2e18) return -1;
        while (*end == ' ') end++;
        if (*end) return -1;
        *out = (int64_t)d;
        return 0;
    }
    default: return -1;
    }
}
