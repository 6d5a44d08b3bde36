/* filter.h — which trace events the console prints: `--trace=raft,controller,fault`. */
#ifndef KRAFTSIM_TRACE_FILTER_H
#define KRAFTSIM_TRACE_FILTER_H

/*
 * A run's trace is thousands of frames and fsyncs; a story is the few events around them. A
 * filter names families of kinds (the groups of env.h's vocabulary) or single kinds by their
 * printed name:
 *   run         run-start, run-end
 *   note        every note (the scenario's story, nemesis notes, violations)
 *   host        host-start ... host-clock
 *   net         net-send ... net-heal
 *   disk        disk-fsync ... disk-loss, disk-writeback
 *   ping        ping-send ... ping-timeout
 *   raft        raft-state ... snapshot (elections, appends, high watermarks, snapshots)
 *   controller  controller
 *   broker      broker-state, partition, broker-api
 *   admin       admin
 *   fault       what the nemesis did and undid: net-cut, net-heal, host-start/stop/crash/
 *               power-fail/pause/resume/clock, disk-fault, disk-loss, and the notes that begin
 *               "nemesis " or "heal:"; `nemesis` is the same family
 *   check       what the checkers found: raft-error and the notes that begin "violation "
 * The filter decides what is printed, never what is traced: the hash covers every event.
 */

#include <stdbool.h>
#include <stddef.h>

#include "env.h"
#include "trace/trace.h"

struct trace_filter {
    bool kinds[TRACE_KIND_COUNT];
    bool fault_notes; /* notes "nemesis ..." and "heal: ..." */
    bool check_notes; /* notes "violation ..." */
};

/* Every event shown: --trace with no list. */
void trace_filter_all(struct trace_filter *f);
/* Parses a comma-separated list of families and kind names. False, with a one-line message
 * naming the bad name and listing the families in err, if a name is empty or unknown. */
bool trace_filter_parse(struct trace_filter *f, const char *spec, char *err, size_t cap);
bool trace_filter_shows(const struct trace_filter *f, const struct trace_event *e);
/* The family names, comma-separated, as --help and the error list them. */
const char *trace_filter_families(void);

#endif
