/* runtime.h — one Lua scenario run: the script as a coroutine on the virtual clock. */
#ifndef KRAFTSIM_LUA_RUNTIME_H
#define KRAFTSIM_LUA_RUNTIME_H

/*
 * The scenario's main chunk runs as a coroutine. `sleep(d)` schedules its own resumption on
 * the world's clock and yields; `at(t, fn)` and `every(period, fn)` start further coroutines
 * at their times. Between those, the world runs: nothing a script does happens "between"
 * events, so a run is a pure function of the script, the seed and the flags.
 *
 * The run ends when the main coroutine returns, or at the first error. Errors come in two
 * kinds, as the CLI reports them:
 *   - a scenario error (a syntax error, a runtime error, a bad argument, an unknown node or
 *     config key): one line "FILE:LINE: message", where FILE:LINE is in the user's script
 *     (never kraftsim's C or its own Lua library), and exit 2;
 *   - a check that failed (check.raft(), ...): the checker's violation, and exit 1.
 *
 * The one cluster a scenario builds (kraft.cluster{...}) owns the world; until it exists
 * there is no clock, and sleeping is an error.
 */

#include <lua.h>

#include "scenario/scenario.h"

struct world;
struct lua_cluster;
struct lua_ping;

struct lua_run {
    lua_State *L;
    const struct run_opts *opts;
    struct run_result *result;
    const char *chunk; /* the chunk name: the path the user gave, or scenarios/NAME.lua */
    char dir[512];     /* the script's folder, where require looks first ("" = shipped) */
    bool shipped;      /* a scenario embedded in kraftsim: require looks in the embedded set */
    struct world *world;        /* set by kraft.cluster */
    struct lua_cluster *cluster;
    struct lua_ping *ping;      /* set by kraft.ping instead (lua/ping_ring.h) */
    lua_State *main;            /* the main chunk's coroutine */
    lua_State *running;         /* the coroutine being resumed, or NULL */
    bool yield_planned;         /* sleep scheduled the running coroutine's wake-up */
    bool main_done;
    bool failed;                /* a check raised: the run stops, exit 1 */
    bool duration_asked;        /* the script read kraft.duration */
    const struct lua_shrunk *shrunk; /* kraft.shrunk{...}, or NULL (lua/shrunk.h) */
    char error[512];            /* a scenario error: the run stops, exit 2 */
};

/* The run a state belongs to. */
struct lua_run *lua_run_of(lua_State *L);

/* Raises a scenario error located at the innermost line of the user's script on L's stack:
 * "FILE:LINE: message". Never returns. */
int lua_run_error(lua_State *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "FILE:LINE" of the innermost frame of the user's script on L's stack, or the chunk name. */
void lua_run_where(lua_State *L, char *buf, size_t cap);

/* The value a check raises: the run records the checker's violation and fails (exit 1). */
int lua_run_check_failed(lua_State *L);

/* A duration argument (integer nanoseconds, or a float rounded to one): >= 0. */
time_ns lua_run_duration_arg(lua_State *L, int arg, const char *what);

/* Writes every fault the log holds into the run database (the cluster's and the ping ring's). */
struct fault_log;
struct run_db;
void lua_record_faults(struct run_db *db, const struct fault_log *faults);

/* Starts fn (at the top of L's stack, popped) as a new coroutine at virtual time `when`. */
void lua_run_spawn_at(struct lua_run *r, lua_State *L, time_ns when);

/*
 * Runs a scenario: its text (len bytes) under the chunk name `chunk` (a file path, or
 * scenarios/NAME.lua for a shipped one). A scenario error leaves its line in
 * result->config_error (exit 2); violations are in result as for every run.
 */
void lua_scenario_run(const char *chunk, const char *text, size_t len, bool shipped,
                      const struct run_opts *opts, struct run_result *result);
/* Runs the script up to its first wait with nothing printed or recorded: a syntax error, a
 * refused config or --duration goes to result->config_error before the run prints a line. */
void lua_scenario_prepare(const char *chunk, const char *text, size_t len, bool shipped,
                          const struct run_opts *opts, struct run_result *result);

#endif
