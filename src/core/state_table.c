#include "state_table.h"

#include <stdlib.h>
#include <string.h>

void bank_state_table_init(bank_state_table *t)
{
    memset(t, 0, sizeof *t);
}

void bank_state_table_free(bank_state_table *t)
{
    free(t->slots);
    bank_state_table_init(t);
}

static size_t find(const bank_state_slot *slots, size_t cap, bank_state_key key)
{
    size_t j = (size_t)key.a & (cap - 1);
    while (slots[j].failed && (slots[j].key.a != key.a || slots[j].key.b != key.b)) j = (j + 1) & (cap - 1);
    return j;
}

long bank_state_table_failed(const bank_state_table *t, bank_state_key key)
{
    if (!t->cap) return -1;
    const bank_state_slot *s = &t->slots[find(t->slots, t->cap, key)];
    return s->failed ? (long)s->failed - 1 : -1;
}

static int grow(bank_state_table *t)
{
    size_t ncap = t->cap ? t->cap * 2 : 4096;
    bank_state_slot *ns = calloc(ncap, sizeof *ns);
    if (!ns) return -1;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].failed) ns[find(ns, ncap, t->slots[i].key)] = t->slots[i];
    free(t->slots);
    t->slots = ns;
    t->cap = ncap;
    return 0;
}

int bank_state_table_fail(bank_state_table *t, bank_state_key key, uint32_t bound)
{
    if (2 * (t->n + 1) > t->cap && grow(t) != 0) return -1;
    bank_state_slot *s = &t->slots[find(t->slots, t->cap, key)];
    if (!s->failed) {
        s->key = key;
        t->n++;
    }
    if (bound + 1 > s->failed) s->failed = bound + 1;
    return 0;
}
