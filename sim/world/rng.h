/* rng.h — seeded random streams: one run seed, one independent stream per purpose. */
#ifndef KRAFTSIM_RNG_H
#define KRAFTSIM_RNG_H

/*
 * Every random choice in a run comes from a stream derived from the run seed and a purpose
 * ("net", "disk", "host", ...) plus an index (a host number, say). Streams are independent: a new
 * consumer of randomness gets its own stream and shifts nobody else's numbers.
 *
 * The generator is xoshiro256** (Blackman and Vigna); its state is seeded by splitmix64 over a
 * mix of the seed, a 64-bit FNV-1a hash of the purpose and the index. No floating point: chances
 * are given in parts per million.
 */

#include <stdbool.h>
#include <stdint.h>

struct rng {
    uint64_t s[4];
};

#define RNG_PPM 1000000u

void rng_init(struct rng *r, uint64_t seed, const char *purpose, uint64_t index);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, bound); bound > 0. Unbiased (Lemire's method with rejection). */
uint64_t rng_below(struct rng *r, uint64_t bound);
/* Uniform in [lo, hi], both inclusive; lo <= hi. */
int64_t rng_range(struct rng *r, int64_t lo, int64_t hi);
/* True with probability ppm / 1,000,000. */
bool rng_chance(struct rng *r, uint32_t ppm);

uint64_t rng_splitmix64(uint64_t *state);
uint64_t rng_hash_string(const char *text);

#endif
