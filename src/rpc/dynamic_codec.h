/* Encodes and decodes protobuf messages whose shape is known only at run time, from their
 * descriptors (a student's .proto): the scalar fields only, which is all a bank's requests and
 * replies hold. */
#ifndef BANK_RPC_DYNAMIC_CODEC_H
#define BANK_RPC_DYNAMIC_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "proto_schema.h"

typedef enum {
    BANK_DYN_NONE,   /* not set: left out when encoding, absent when decoded */
    BANK_DYN_INT,    /* int32, int64, sint32, sint64, sfixed32, sfixed64 */
    BANK_DYN_UINT,   /* uint32, uint64, fixed32, fixed64 */
    BANK_DYN_DOUBLE, /* double, float */
    BANK_DYN_BOOL,
    BANK_DYN_ENUM,   /* the value's number, in i */
    BANK_DYN_STRING  /* string or bytes (NUL-terminated; an embedded NUL ends it early) */
} bank_dyn_kind;

typedef struct {
    bank_dyn_kind kind;
    int64_t i; /* INT, BOOL, ENUM */
    uint64_t u;
    double d;
    char *s;   /* STRING: decoded ones are malloc'ed (bank_dyn_values_free) */
} bank_dyn_value;

/* Packs message m with values[k] in m->field[k] (m->n_field values). A value is converted to
 * its field's type: an INT into any number field (exactly, else an error: 2^31 into an int32,
 * 2^53 + 1 into a double), or written in decimal into a string; an ENUM or INT into an enum.
 * 0 and *out (malloc'ed, *len bytes), or -1 with one line in err. */
int bank_dyn_encode(const bank_proto_message *m, const bank_dyn_value *values, unsigned char **out,
                    size_t *len, char *err, size_t errlen);

/* Reads bytes as message m into values[k] for m->field[k] (the last occurrence wins; unknown,
 * repeated and message fields are skipped). 0, or -1 with one line in err when the bytes are
 * not a protobuf message (then nothing is left allocated). */
int bank_dyn_decode(const bank_proto_message *m, const unsigned char *buf, size_t len,
                    bank_dyn_value *values, char *err, size_t errlen);
void bank_dyn_values_free(bank_dyn_value *values, size_t n);

/* A decoded number as an int64 when it is a whole one (570.0 too): 0 and *out, else -1. */
int bank_dyn_whole(const bank_dyn_value *v, int64_t *out);

#endif
