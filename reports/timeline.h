/* timeline.h — a run database drawn as a leadership timeline, with Graphviz's libraries. */
#ifndef KRAFTSIM_TIMELINE_H
#define KRAFTSIM_TIMELINE_H

/*
 * One lane per node: its raft role spans (Unattached, Prospective, Candidate, Leader,
 * Follower, Resigned, each with its epoch) and, for brokers, a thinner band of broker states;
 * the faults on that node (crash, pause, power failure, ...) as red spans under it; a network
 * lane for partitions, cuts and link faults; violations as red marks at their time; below, one
 * lane per topic-partition with its leader, leader epoch and ISR over time; at the bottom a
 * time axis. Every element is a node pinned at its virtual time (the "nop" engine, Graphviz's
 * neato -n), so the picture is a true timeline.
 *
 * Each Graphviz node is named for what it shows ("role|kafka-1|3|Leader|1219486364",
 * "lane|kafka-1", "fault|crash|broker-4|...", "violation|...", "axis|2s"), so tests can read
 * the graph's structure back, not just check that a file exists.
 */

#include <stdbool.h>
#include <stddef.h>

#include <graphviz/cgraph.h>
#include <sqlite3.h>

#include "env.h"

struct timeline_window {
    time_ns from;
    time_ns to; /* TIME_NS_MAX: to the end of the run */
};

/* Builds the graph from an open run database (run_db_open_read). NULL, with one line in err,
 * if the run holds nothing to draw. */
Agraph_t *timeline_build(sqlite3 *db, struct timeline_window window, char *err, size_t cap);
/* Lays the graph out and writes it as svg or png (from the file's extension) to `path`. */
bool timeline_render(Agraph_t *g, const char *path, char *err, size_t cap);
void timeline_free(Agraph_t *g);

#endif
