/* shrink.h — from a failing seed, the smallest scenario that still fails the same way. */
#ifndef KRAFTSIM_SHRINK_H
#define KRAFTSIM_SHRINK_H

/*
 * kraftsim shrink takes a Lua scenario and a seed on which a checker fails, and writes the
 * scenario again with a kraft.shrunk{...} call in front (lua/shrunk.h) that keeps as little of
 * the run as still fails that checker. It runs the seed once with a capture (scenario/
 * capture.h) to learn what the nemesis drew, then tries smaller versions, each a scenario
 * text run in a forked worker (sweep/pool.h), keeping one whenever the same checker still
 * fails:
 *   1. the run: kraft.duration's answer, halved towards the shortest that fails;
 *   2. the faults: Zeller's ddmin over the nemesis faults (drop halves, then quarters, ...);
 *   3. the cluster: one node fewer at a time, the last of a role, while no kept fault names
 *      a node that would go or be renamed;
 *   4. each fault's length: the shortest of a sixteenth, an eighth, a quarter or a half.
 * Candidates run `jobs` at a time; of a batch the first in order that fails is kept, so the
 * outcome is the same on one core or many. Every step is verified by a run: what is written
 * is a scenario that was seen to fail.
 */

#include <stdbool.h>
#include <stdint.h>

#include "lua/shrunk.h"
#include "scenario/capture.h"
#include "scenario/scenario.h"

/* One candidate: what of the run it keeps. */
struct shrink_case {
    int fault_count;
    struct lua_shrunk_fault faults[LUA_SHRUNK_FAULTS_MAX]; /* the kept ones, in order */
    time_ns duration;                                       /* 0: the script never asked */
    bool cluster;                                           /* 0 nodes: never built one */
    int combined, controllers, brokers;
};

/* What a step did, for the progress lines: "faults: 31 -> 2 (40 runs)". */
struct shrink_step {
    char line[160];
    uint64_t runs;
};

struct shrink {
    /* What to shrink: the recorded scenario and seed. */
    const char *chunk; /* its chunk name: scenarios/NAME.lua or the path it ran from */
    const char *text;
    size_t len;
    bool shipped;
    uint64_t seed;
    const char *kafka_version; /* --kafka-version it ran with, or NULL */
    time_ns duration;          /* --duration it ran with, or 0 */
    const char *planted_bug;   /* a test hook (run_opts.planted_bug), or NULL */
    const char *const *config_files; /* --config FILE... it ran with (kraft.load's) */
    int config_file_count;
    int jobs;
    /* Told after each step (may be NULL). */
    void (*progress)(void *ctx, const struct shrink_step *step);
    void *progress_ctx;

    /* What shrink_run found. */
    struct run_result original;  /* the seed's run, with the capture */
    struct run_capture capture;
    char checker[RUN_CHECKER_NAME]; /* the checker that must still fail */
    struct shrink_case best;        /* the smallest case seen to fail */
    struct run_result best_result;  /* its run */
    bool exact;                     /* replaying every drawn fault gave the seed's trace hash */
    uint64_t runs;                  /* candidate runs */
    char error[640];                /* why shrink_run could not shrink, if it returned false */
};

/* Shrinks s's run; false with the reason in s->error (the seed passes, the run cannot be
 * replayed from its faults, ...). */
bool shrink_run(struct shrink *s);

/* Runs a scenario text with s's seed and test hook, here in this process, as the file `path`
 * would run (NULL: as the recorded script, which candidates are): 0 pass, 1 a check failed,
 * 2 a scenario error; r gets the result. */
int shrink_try(const struct shrink *s, const char *path, const char *text, struct run_result *r);

/* The scenario text of case k (malloc'd, NUL-terminated): a header saying what it is and
 * how to run it (`path`: where it will be written, for the command it prints; `from`: what it
 * was shrunk from), the kraft.shrunk{...} call, then the recorded script. */
char *shrink_script(const struct shrink *s, const struct shrink_case *k, const char *path,
                    const char *from);

/* " --config A --config B": the flags a shrunk scenario's command needs (or ""). */
void shrink_config_flags(const struct shrink *s, char *buf, size_t cap);

/* "12.345678912": a time in seconds, as few digits as say it exactly. */
void shrink_format_seconds(time_ns t, char *buf, size_t cap);

#endif
