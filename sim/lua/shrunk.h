/* shrunk.h — kraft.shrunk{...}: what kraftsim shrink kept of a failing run, played back. */
#ifndef KRAFTSIM_LUA_SHRUNK_H
#define KRAFTSIM_LUA_SHRUNK_H

/*
 * A scenario kraftsim shrink writes is the recorded script with one call put in front:
 *
 *   kraft.shrunk{
 *     seed = 17, kafka_version = "3.4", duration = 21 * s,
 *     cluster = { combined = 3, controllers = 0, brokers = 0 },
 *     faults = {
 *       { at = 12.345678912 * s, length = 1.5 * s, "isolate", "kafka-2" },
 *       { at = 20.5 * s, "crash", "kafka-3" },      -- no length: until the nemesis stops
 *     },
 *   }
 *
 * Then the script's own c:nemesis{...} injects these faults at these times instead of drawing
 * its own (one at a time, as the nemesis does: a fault that starts while another lasts ends
 * it); kraft.duration{...} answers `duration` unless --duration is given; kraft.cluster{...}
 * builds `cluster`'s counts instead of the script's, running `kafka_version` (the release
 * the shrunk run was given by --kafka-version) unless --kafka-version says another. A run
 * with another seed than `seed` is refused, since only that seed fails this way.
 */

#include <stdbool.h>
#include <stdint.h>

#include <lua.h>

#include "env.h"
#include "scenario/fault_log.h"

#define LUA_SHRUNK_FAULTS_MAX FAULT_LOG_MAX

struct lua_shrunk_fault {
    char kind[FAULT_LOG_KIND_TEXT];
    char targets[FAULT_LOG_TARGET_TEXT];
    time_ns at;
    time_ns length; /* -1: until the nemesis stops */
};

struct lua_shrunk {
    uint64_t seed;
    char kafka_version[32]; /* the release the run had from --kafka-version, or "" */
    time_ns duration; /* 0: the script's own */
    bool cluster;     /* these counts replace kraft.cluster's: */
    int combined, controllers, brokers;
    bool faults_given; /* c:nemesis plays faults[] (none, if the list is empty) */
    int fault_count;
    struct lua_shrunk_fault faults[LUA_SHRUNK_FAULTS_MAX];
};

/* Sets kraft.shrunk in the table at the top of L's stack. */
void lua_shrunk_register(lua_State *L);

#endif
