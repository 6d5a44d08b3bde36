/* array.h — growable arrays: one way to make room, so each module's arrays grow alike. */
#ifndef KRAFTSIM_ARRAY_H
#define KRAFTSIM_ARRAY_H

#include <stdint.h>
#include <stdlib.h>

#include "env.h"

/* Returns `items` (or its moved copy) with room for at least count + 1 elements of `size`
 * bytes, doubling *capacity (from 8) when it is full. Out of memory is not an operating error
 * a run models: it is an assertion. Usage: `a = array_grow(a, n, &cap, sizeof *a); a[n++] = x`. */
static inline void *array_grow(void *items, uint32_t count, uint32_t *capacity, size_t size)
{
    if (count < *capacity) {
        return items;
    }
    uint32_t grown = *capacity == 0 ? 8 : *capacity * 2;
    KS_ASSERT(grown > *capacity);
    void *moved = realloc(items, (size_t)grown * size);
    KS_ASSERT(moved != NULL);
    *capacity = grown;
    return moved;
}

#endif
