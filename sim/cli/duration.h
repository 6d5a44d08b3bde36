/* duration.h — durations as people type them on the command line: 30s, 500ms, 2m, 1h. */
#ifndef KRAFTSIM_DURATION_H
#define KRAFTSIM_DURATION_H

#include <stdbool.h>
#include <stddef.h>

#include "env.h"

/* The first `len` bytes of `text`: digits, then "", "s", "ms", "us", "ns", "m" or "h" ("" is
 * seconds). Zero only when allow_zero. False for anything else, or an overflow. */
bool duration_parse(const char *text, size_t len, bool allow_zero, time_ns *out);

#endif
