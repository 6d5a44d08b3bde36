/* verdict.h — how a run ends on the console: its figures, its verdict and how to replay it. */
#ifndef KRAFTSIM_VERDICT_H
#define KRAFTSIM_VERDICT_H

/*
 * The lines every run ends with:
 *   virtual time reached: 60.000000 s
 *   events: 10382 scheduled, 8532 traced
 *   trace hash: 0x5b3608f0382e18e9
 *   verdict: PASS (0 violations, 3 faults injected)
 * A PASS says whether the run injected any fault, so "PASS" never hides an untested run. A
 * FAIL adds, per checker, its count and first violation, and the command that replays the run:
 *   verdict: FAIL (2 violations; first: hw-majority: ... at 14.2 s)
 *     raft: 2 violations; first: hw-majority: ... at 14.2 s
 *   replay: kraftsim run --scenario quorum --seed 7 --kafka-version 3.4
 * The replay names only the flags the run was given (the seed and scenario always).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "env.h"
#include "scenario/scenario.h"

/* What the run was asked: enough to say how to run it again. */
struct run_request {
    const char *scenario;      /* a built-in scenario's name (--scenario), or NULL */
    const char *file;          /* a scenario file (the Lua runtime), or NULL */
    uint64_t seed;
    const char *kafka_version; /* as given, or NULL */
    time_ns duration;          /* as given, or 0 */
    const char *planted_bug;   /* a test's hook: the replay says it needs one */
    const char *const *config_files; /* --config FILE...: the deployment kraft.load reads */
    int config_file_count;
    bool expect;               /* --expect-hash was given */
    uint64_t expected_hash;
    int interrupted_by;        /* the signal that stopped the run (SIGINT, SIGTERM), or 0 */
};

enum verdict { VERDICT_PASS, VERDICT_FAIL, VERDICT_INTERRUPTED };

/* "kraftsim run --scenario quorum --seed 7 --kafka-version 3.4", cut to fit cap. */
void verdict_replay_command(const struct run_request *q, char *buf, size_t cap);
/* Prints the closing lines of a run that ran (config errors are the caller's) to out. */
enum verdict verdict_print(FILE *out, const struct run_request *q, const struct run_result *r);

#endif
