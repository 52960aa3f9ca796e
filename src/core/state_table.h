/* The search's memory of states already explored: a 128-bit fingerprint of a state mapped to the
 * largest number of further dropped answers with which that state was shown to lead nowhere.
 * Two independent 64-bit hashes make a collision (which could only prune a branch, so make a
 * consistent file look inconsistent) about as likely as 2^-100 per pair of states. Pure C. */
#ifndef BANK_CORE_STATE_TABLE_H
#define BANK_CORE_STATE_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t a, b;
} bank_state_key;

/* The searches' hashes (splitmix64's finaliser, and a second one independent of it). */
static inline uint64_t bank_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static inline uint64_t bank_mix2(uint64_t x) { return bank_mix(x ^ 0x6a09e667f3bcc909ull) * 0x2545f4914f6cdd1dull; }

typedef struct {
    bank_state_key key;
    uint32_t failed; /* 1 + the largest bound that failed; 0: empty slot */
} bank_state_slot;

typedef struct {
    size_t n, cap; /* cap a power of two */
    bank_state_slot *slots;
} bank_state_table;

void bank_state_table_init(bank_state_table *t);
void bank_state_table_free(bank_state_table *t);
/* The largest bound recorded as failed for key, or -1. */
long bank_state_table_failed(const bank_state_table *t, bank_state_key key);
/* Records that key fails with `bound` more drops (keeps the larger). 0 ok, -1 out of memory. */
int bank_state_table_fail(bank_state_table *t, bank_state_key key, uint32_t bound);

#endif
