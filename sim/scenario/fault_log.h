/* fault_log.h — every fault a run injected: what, on which nodes, from when to when. */
#ifndef KRAFTSIM_FAULT_LOG_H
#define KRAFTSIM_FAULT_LOG_H

/*
 * A run's summary names the faults it injected, so a reader knows what a PASS was tested
 * against. The log is bounded: it keeps the first FAULT_LOG_MAX faults in full (kind, targets,
 * start, end) and only counts the rest, by kind, so a virtual day of nemesis stays small.
 * Kinds and targets are copied in (a Lua string may not outlive the call); targets are written
 * as a person reads them, with node names as the config has them ("broker-4",
 * "kafka-1 kafka-2 | kafka-3 broker-4 broker-5"). Nothing here reaches the trace or its hash.
 */

#include <stdint.h>
#include <stdio.h>

#include "env.h"

#define FAULT_LOG_MAX 256      /* faults kept in full */
#define FAULT_LOG_KINDS 16     /* distinct kinds counted; more fold into "other" */
#define FAULT_LOG_KIND_TEXT 24 /* a kind's name, cut to fit */
#define FAULT_LOG_TARGET_TEXT 128
#define FAULT_LOG_PRINTED 24   /* fault lines a summary prints before "... and K more" */

struct fault_log_entry {
    char kind[FAULT_LOG_KIND_TEXT];
    char targets[FAULT_LOG_TARGET_TEXT];
    time_ns start;
    time_ns end; /* -1 while the fault lasts */
};

struct fault_log_kind {
    char name[FAULT_LOG_KIND_TEXT];
    uint64_t count;
};

struct fault_log {
    struct fault_log_entry entries[FAULT_LOG_MAX];
    uint64_t total;   /* faults begun; entries holds the first min(total, FAULT_LOG_MAX) */
    struct fault_log_kind kinds[FAULT_LOG_KINDS]; /* in the order kinds first occurred */
    int kind_count;
};

void fault_log_init(struct fault_log *l);
/* A fault began at `start`: its kind ("crash", "isolate", "split", "pause", ...) and targets.
 * Returns its id, for fault_log_end. */
int fault_log_begin(struct fault_log *l, time_ns start, const char *kind, const char *targets);
/* Fault `id` was undone at `end` (a fault past FAULT_LOG_MAX is only counted: nothing to do). */
void fault_log_end(struct fault_log *l, int id, time_ns end);
/* Everything healed at `end`: every fault still open ends. */
void fault_log_end_all(struct fault_log *l, time_ns end);
/* Every open fault of `kind` on `targets` ends at `end` (NULL matches any kind / targets). */
void fault_log_end_matching(struct fault_log *l, const char *kind, const char *targets,
                            time_ns end);
uint64_t fault_log_total(const struct fault_log *l);
/* How many faults the log holds in full: entries[0 .. kept). */
int fault_log_kept(const struct fault_log *l);
/* "3 faults: 2 crash, 1 isolate" or "no faults injected", cut with "..." to fit cap. */
void fault_log_tally(const struct fault_log *l, char *buf, size_t cap);
/* The summary: the tally, then a line per fault, the first FAULT_LOG_PRINTED of them, then
 * "... and K more":
 *   3 faults injected: 1 isolate, 2 crash
 *     8.000000 s to 11.443655 s  isolate broker-5
 *    12.653799 s to 24.653799 s  crash   broker-5
 *    27.338795 s until the end   crash   broker-4                                          */
void fault_log_print(const struct fault_log *l, FILE *out);

#endif
