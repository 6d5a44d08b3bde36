/* scenario.h — built-in scenarios written in C, and the result of running one. */
#ifndef KRAFTSIM_SCENARIO_H
#define KRAFTSIM_SCENARIO_H

/*
 * Until the Lua runtime lands, scenarios are C functions that build a world, plan faults on the
 * virtual clock and run it. Each ends with a verdict from its checkers. The default scenario is
 * what `kraftsim run` runs with no --scenario and what scripts/demo shows.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "env.h"

struct run_opts {
    uint64_t seed;
    time_ns duration;    /* 0: the scenario's own */
    bool trace_console;  /* print every trace event */
    FILE *out;           /* where summaries and traces go */
    bool planted_bug;    /* compiled-in test hook: turns on the scenario's planted bug */
};

struct run_result {
    uint64_t trace_hash;
    uint64_t trace_events;
    uint64_t sched_events;
    time_ns virtual_end;
    uint32_t violations;
    char first_violation[256];
};

struct scenario {
    const char *name;
    const char *summary;
    time_ns duration;
    void (*run)(const struct run_opts *opts, struct run_result *result);
};

const struct scenario *scenario_default(void);
const struct scenario *scenario_find(const char *name);
/* All built-in scenarios, NULL-terminated, in a fixed order. */
const struct scenario *const *scenario_all(void);

#endif
