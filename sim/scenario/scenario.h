/* scenario.h — built-in scenarios written in C, and the result of running one. */
#ifndef KRAFTSIM_SCENARIO_H
#define KRAFTSIM_SCENARIO_H

/*
 * Until the Lua runtime lands, scenarios are C functions that build a world, plan faults on the
 * virtual clock and run it. Each ends with a verdict from its checkers. The default scenario,
 * the seed deployment, is Lua now: scenarios/cluster.lua.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "env.h"

struct trace_filter;
struct run_db;
struct run_capture;

struct run_opts {
    uint64_t seed;
    time_ns duration;    /* 0: the scenario's own */
    bool trace_console;  /* print every trace event */
    FILE *out;           /* where summaries and traces go */
    /* Compiled-in test hook, never reachable from a config file or the CLI: the name of a
     * planted bug to switch on ("vote-without-log-check", "hw-on-minority",
     * "snapshot-drops-a-record", "ping-send-before-fsync", "fence-before-leader-moves",
     * "observer-fetches-leader-only", and on the data path "hw-past-lagging-isr",
     * "consumer-fetch-skips-batch", "append-then-refuse"), or NULL. */
    const char *planted_bug;
    const char *kafka_version; /* kafka.version for every node; NULL = the newest (trunk) */
    /* What the console trace shows (trace/filter.h); NULL = every event. Printing only. */
    const struct trace_filter *trace_filter;
    struct run_db *db; /* the run database every event goes to, or NULL (trace/db.h) */
    /* kraftsim run --config FILE...: the deployment kraft.load() reads (deploy/). */
    const char *const *config_files;
    int config_file_count;
    /* What the script drew, for kraftsim shrink (scenario/capture.h), or NULL. */
    struct run_capture *capture;
};

/* One checker's share of a run's violations: "raft", "partitions", "fencing", "liveness",
 * "describe", "ping", ... with how many it found and the first, as the verdict prints them. */
#define RUN_CHECKERS_MAX 12
#define RUN_CHECKER_NAME 24

struct checker_count {
    char name[RUN_CHECKER_NAME];
    uint32_t violations;
    char first[320];
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
    char switches[768];     /* the release and switches the nodes ran with */
    uint64_t faults;        /* faults the run injected (fault_log_total) */
    uint64_t disk_peak_bytes; /* the most every simulated disk held at once: what the logs'
                                 retention kept (Lua scenarios; 0 otherwise) */
    /* What a swarm scenario drew for this seed (kraft.draw: "voters=3 ... faults=crash,pause"),
     * which a sweep counts; "" for others. */
    char draw[256];
    /* Violations by checker, in the order the checkers first found one; a checker past
     * RUN_CHECKERS_MAX counts into the last entry, renamed "other". */
    struct checker_count checkers[RUN_CHECKERS_MAX];
    int checker_count;
};

/* Counts one violation that `checker` found: the run's total and first violation, and the
 * checker's own count and first. `text` is the whole message ("hw-majority: ... at 12.3 s"). */
void run_result_violation(struct run_result *r, const char *checker, const char *text);
/* The checker's entry, or NULL if it found nothing. */
const struct checker_count *run_result_checker(const struct run_result *r, const char *checker);

struct scenario {
    const char *name;
    const char *summary;
    time_ns duration;
    /* The shortest --duration the scenario runs as designed (its faults included), and why:
     * a shorter one is refused, never stretched or run without its faults. */
    time_ns min_duration;
    const char *min_duration_why; /* "8 s setup, 1 s of faults, 25 s healing" */
    void (*run)(const struct run_opts *opts, struct run_result *result);
    /* Optional: checks the scenario's configuration without running it, filling
     * result->config_error when it is refused, so the CLI can refuse before it prints. */
    void (*prepare)(const struct run_opts *opts, struct run_result *result);
};


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

/* False, with the one-line refusal in result->config_error ("--duration 5s: scenario cluster
 * needs at least 34s (8 s setup, 1 s of faults, 25 s healing)"), if opts->duration is set and
 * shorter than the scenario's min_duration. */
bool scenario_duration_ok(const struct scenario *s, const struct run_opts *opts,
                          struct run_result *result);
/* A duration as --duration takes it: "34s", "500ms", "90us", "7ns" (the largest exact unit). */
void scenario_format_duration(time_ns d, char *buf, size_t cap);
/* Attaches `console` to the trace if the run prints its trace (opts->trace_console), with the
 * run's filter. */
struct trace;
struct trace_console;
void scenario_trace_console(const struct run_opts *opts, struct trace *t,
                            struct trace_console *console);
/* Records a violation `checker` found at the world's time now: counted in the result, and
 * traced as a note "violation <text>" (the checkers' own format). */
struct world;
void scenario_violation(struct world *w, struct run_result *result, const char *checker,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void scenario_violationv(struct world *w, struct run_result *result, const char *checker,
                         const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

const struct scenario *scenario_default(void);
const struct scenario *scenario_find(const char *name);
/* All built-in scenarios, NULL-terminated, in a fixed order. */
const struct scenario *const *scenario_all(void);

#endif
