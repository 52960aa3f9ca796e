/* Room for one more item in a growing array, for the core and the layers around it. Pure C. */
#ifndef BANK_CORE_GROW_H
#define BANK_CORE_GROW_H

#include <stdlib.h>

/* The array items (elements of `size` bytes, *cap allocated) with room for item n: as it was
 * when there is, else reallocated to twice the room (64 the first time). NULL when out of memory,
 * and then items is still valid and *cap unchanged. */
static inline void *bank_grow(void *items, size_t n, size_t *cap, size_t size)
{
    if (n < *cap) return items;
    size_t want = *cap ? 2 * *cap : 64;
    void *grown = realloc(items, want * size);
    if (grown) *cap = want;
    return grown;
}

#endif
