/* rng.c — splitmix64 seeding and xoshiro256** streams. */
#include "world/rng.h"

#include "env.h"

uint64_t rng_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint64_t rng_hash_string(const char *text)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        h ^= *p;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

void rng_init(struct rng *r, uint64_t seed, const char *purpose, uint64_t index)
{
    KS_ASSERT(purpose != NULL);
    uint64_t state = seed;
    uint64_t a = rng_splitmix64(&state);
    state = a ^ rng_hash_string(purpose);
    uint64_t b = rng_splitmix64(&state);
    state = b ^ (index * UINT64_C(0xd1b54a32d192ed03));
    for (int i = 0; i < 4; i++) {
        r->s[i] = rng_splitmix64(&state);
    }
    /* xoshiro's state must not be all zero; splitmix64 makes that practically impossible,
     * but the generator would be stuck forever, so say so. */
    KS_ASSERT((r->s[0] | r->s[1] | r->s[2] | r->s[3]) != 0);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t rng_below(struct rng *r, uint64_t bound)
{
    KS_ASSERT(bound > 0);
    unsigned __int128 m = (unsigned __int128)rng_next(r) * bound;
    uint64_t low = (uint64_t)m;
    if (low < bound) {
        uint64_t threshold = (0 - bound) % bound;
        while (low < threshold) {
            m = (unsigned __int128)rng_next(r) * bound;
            low = (uint64_t)m;
        }
    }
    uint64_t result = (uint64_t)(m >> 64);
    KS_ASSERT(result < bound);
    return result;
}

int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
    KS_ASSERT(lo <= hi);
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    if (span == UINT64_MAX) {
        return (int64_t)rng_next(r);
    }
    return (int64_t)((uint64_t)lo + rng_below(r, span + 1));
}

bool rng_chance(struct rng *r, uint32_t ppm)
{
    if (ppm == 0) {
        return false;
    }
    if (ppm >= RNG_PPM) {
        return true;
    }
    return rng_below(r, RNG_PPM) < ppm;
}
