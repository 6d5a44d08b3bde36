/* seeds.c — seed ranges, shards and the recheck pick (see seeds.h). */
#include "sweep/seeds.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Decimal digits only, as `run --seed` takes them; `end` gets what follows. */
static bool parse_u64(const char *text, uint64_t *out, const char **end)
{
    size_t digits = strspn(text, "0123456789");
    if (digits == 0 || digits > 20) {
        return false;
    }
    errno = 0;
    char *stop = NULL;
    unsigned long long v = strtoull(text, &stop, 10);
    if (errno != 0 || stop != text + digits) {
        return false;
    }
    *out = v;
    *end = stop;
    return true;
}

bool sweep_seeds_parse_range(const char *text, struct sweep_seeds *s, const char **why)
{
    const char *rest = NULL;
    uint64_t a = 0, b = 0;
    *why = "wants A..B, two seeds in decimal with A at most B, e.g. 1..1000";
    if (!parse_u64(text, &a, &rest)) {
        return false;
    }
    if (*rest == '\0') {
        b = a;
    } else if (strncmp(rest, "..", 2) != 0 || !parse_u64(rest + 2, &b, &rest) || *rest != '\0') {
        return false;
    }
    if (a > b) {
        *why = "gives an empty range: its first seed is above its last";
        return false;
    }
    s->first = a;
    s->last = b;
    return true;
}

bool sweep_seeds_parse_shard(const char *text, struct sweep_seeds *s, const char **why)
{
    const char *rest = NULL;
    uint64_t i = 0, n = 0;
    *why = "wants I/N with 0 <= I < N, e.g. 0/4 (JOB_COMPLETION_INDEX counts from 0)";
    if (!parse_u64(text, &i, &rest) || *rest != '/' || !parse_u64(rest + 1, &n, &rest) ||
        *rest != '\0' || n == 0 || n > UINT32_MAX || i >= n) {
        return false;
    }
    s->shard_index = (uint32_t)i;
    s->shard_count = (uint32_t)n;
    return true;
}

static uint32_t shards(const struct sweep_seeds *s)
{
    return s->shard_count == 0 ? 1 : s->shard_count;
}

bool sweep_seeds_contains(const struct sweep_seeds *s, uint64_t seed)
{
    return seed >= s->first && seed <= s->last &&
           (seed - s->first) % shards(s) == s->shard_index;
}

uint64_t sweep_seeds_count(const struct sweep_seeds *s)
{
    uint64_t span = s->last - s->first; /* seeds in the range, less one (no overflow) */
    uint64_t n = shards(s);
    if (s->shard_index > span) {
        return 0;
    }
    return (span - s->shard_index) / n + 1;
}

uint64_t sweep_seeds_at(const struct sweep_seeds *s, uint64_t k)
{
    return s->first + s->shard_index + k * shards(s);
}

/* splitmix64's finaliser: neighbouring seeds land far apart. */
static uint64_t mix(uint64_t x)
{
    x += UINT64_C(0x9E3779B97F4A7C15);
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

bool sweep_seeds_recheck(uint64_t seed, uint32_t percent)
{
    return mix(seed) % 100 < percent;
}
