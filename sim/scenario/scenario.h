/* scenario.h — built-in scenarios written in C, and the result of running one. */
#ifndef KRAFTSIM_SCENARIO_H
#define KRAFTSIM_SCENARIO_H

/*
 * Until the Lua runtime lands, scenarios are C functions that build a world, plan faults on the
 * virtual clock and run it. Each ends with a verdict from its checkers. The default scenario,
 * the seed deployment, is Lua now: scenarios/cluster.lua.
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
    /* Compiled-in test hook, never reachable from a config file or the CLI: the name of a
     * planted bug to switch on ("vote-without-log-check", "hw-on-minority",
     * "snapshot-drops-a-record", "ping-send-before-fsync", "fence-before-leader-moves",
     * "observer-fetches-leader-only"), or NULL. */
    const char *planted_bug;
    const char *kafka_version; /* kafka.version for every node; NULL = the newest (trunk) */
};

struct run_result {
    uint64_t trace_hash;
    uint64_t trace_events;
    uint64_t sched_events;
    time_ns virtual_end;
    uint32_t violations;
    char first_violation[320];
    uint64_t elections;     /* leaders elected (quorum scenarios) */
    int64_t committed;      /* the highest high watermark at the end (quorum scenarios) */
    char config_error[520]; /* set (and nothing run) when the scenario's config is bad */
    char switches[512];     /* the release and switches the nodes ran with */
};

struct scenario {
    const char *name;
    const char *summary;
    time_ns duration;
    void (*run)(const struct run_opts *opts, struct run_result *result);
    /* Optional: checks the scenario's configuration without running it, filling
     * result->config_error when it is refused, so the CLI can refuse before it prints. */
    void (*prepare)(const struct run_opts *opts, struct run_result *result);
};

/*
 * What a run's nemesis injected, by kind in the order the kinds first occurred, so a run's
 * summary can say which faults it injected ("3 faults: 2 crash, 1 isolate"). Kinds are
 * static strings; at most FAULT_TALLY_KINDS of them.
 */
#define FAULT_TALLY_KINDS 12

struct fault_tally {
    const char *kind[FAULT_TALLY_KINDS];
    uint64_t count[FAULT_TALLY_KINDS];
    int kinds;
    uint64_t total;
};

void fault_tally_add(struct fault_tally *t, const char *kind);
/* "3 faults: 2 crash, 1 isolate" (or "no faults"), cut to cap with "..." if it must be. */
void fault_tally_text(const struct fault_tally *t, char *buf, size_t cap);

extern const struct scenario scenario_quorum3;
extern const struct scenario scenario_quorum5;
extern const struct scenario scenario_failover;
extern const struct scenario scenario_calm;

static inline bool planted(const struct run_opts *opts, const char *bug)
{
    return opts->planted_bug != NULL && __builtin_strcmp(opts->planted_bug, bug) == 0;
}

/* The kafka_release.number the run models (--kafka-version, trunk without it): the release
 * whose tools print the run's describe blocks. Only after the configs parsed. */
int scenario_release_number(const struct run_opts *opts);

/* Parses one node's server.properties text as the node would, into its config (the cluster id
 * comes later, from kafka-storage.sh format); the first node's release and switches go into
 * result->switches. False, with the one-line error naming the file and key in
 * result->config_error, if it is refused. */
struct node_config;
/* False, with a one-line error naming the file in result->config_error, when a scenario's
 * generated server.properties did not fit its buffer of `cap` bytes (len is 0). */
bool scenario_properties_fit(size_t len, const char *file, size_t cap, struct run_result *result);
bool scenario_node_config(const char *text, size_t len, const char *file,
                          struct node_config *node, bool first, struct run_result *result);

const struct scenario *scenario_find(const char *name);
/* All built-in scenarios, NULL-terminated, in a fixed order. */
const struct scenario *const *scenario_all(void);

#endif
