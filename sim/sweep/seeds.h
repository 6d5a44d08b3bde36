/* seeds.h — which seeds a sweep runs: a range, a shard of it, the ones it runs twice. */
#ifndef KRAFTSIM_SWEEP_SEEDS_H
#define KRAFTSIM_SWEEP_SEEDS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A sweep runs the seeds first..last (both included). `--shard I/N` keeps those whose place in
 * the range is I modulo N, so N processes given 0/N .. N-1/N (a Kubernetes Indexed Job's
 * JOB_COMPLETION_INDEX, a GitHub Actions matrix, a Slurm array) run every seed exactly once
 * between them, and each shard's seeds spread over the whole range. `--recheck P` runs about
 * P% of the passing seeds a second time, picked by a hash of the seed, so every shard and every
 * repetition picks the same ones.
 */
struct sweep_seeds {
    uint64_t first, last;
    uint32_t shard_index, shard_count; /* 0/1: the whole range */
};

/* "A..B" with A ≤ B, or one seed "A". False, with the reason in `why`, for anything else. */
bool sweep_seeds_parse_range(const char *text, struct sweep_seeds *s, const char **why);
/* "I/N" with 0 ≤ I < N. */
bool sweep_seeds_parse_shard(const char *text, struct sweep_seeds *s, const char **why);
bool sweep_seeds_contains(const struct sweep_seeds *s, uint64_t seed);
/* How many seeds the shard runs. */
uint64_t sweep_seeds_count(const struct sweep_seeds *s);
/* The shard's k-th seed (k < sweep_seeds_count). */
uint64_t sweep_seeds_at(const struct sweep_seeds *s, uint64_t k);
bool sweep_seeds_recheck(uint64_t seed, uint32_t percent);

#endif
