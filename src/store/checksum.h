/* The checksum every record the store writes carries: 64-bit FNV-1a, enough to tell a record
 * damaged behind SQLite's back (or a torn slot of DIR/pending) from a whole one. */
#ifndef BANK_STORE_CHECKSUM_H
#define BANK_STORE_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t bank_checksum(const void *data, size_t n)
{
    const uint8_t *p = data;
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* The checksum of up to 8 int64 fields, as stored (little-endian order of each value). */
static inline uint64_t bank_checksum_fields(const int64_t *v, size_t n)
{
    uint8_t bytes[64];
    size_t len = 0;
    for (size_t i = 0; i < n && i < 8; i++)
        for (int b = 0; b < 8; b++) bytes[len++] = (uint8_t)((uint64_t)v[i] >> (8 * b));
    return bank_checksum(bytes, len);
}

#endif
