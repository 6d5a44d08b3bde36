/* sandbox.h — a Lua 5.4 state whose every answer depends on the run seed and the script alone. */
#ifndef KRAFTSIM_LUA_SANDBOX_H
#define KRAFTSIM_LUA_SANDBOX_H

/*
 * Lua 5.4 randomises on its own, and Debian's library cannot be rebuilt: the string hash seed
 * (luai_makeseed: time and addresses) decides `pairs` order over string keys, math.random seeds
 * itself from the time, table.sort picks pivots from clock() and time() for large arrays, and
 * tostring shows addresses. The sandbox replaces each of these so a scenario cannot reach them:
 *
 *   pairs, next      walk keys in a defined order: numbers ascending, then strings by bytes,
 *                    then false before true. Any other key (a table, a function) has no order
 *                    a run can promise, so iterating a table that has one is an error.
 *   math.random      draws from the run seed's "lua" stream; math.randomseed(n) restarts it
 *                    from n (still one stream per n, on every build).
 *   table.sort       a stable merge sort: equal elements keep their order, no random pivot.
 *   tostring, print  a table, function, thread or userdata without __tostring reads as its
 *                    type ("table"), never as an address; string.format refuses %p.
 *   gone             os, io, debug, dofile, loadfile, collectgarbage, string.dump and binary
 *                    chunks in load; `require` finds modules only through the runtime's
 *                    searcher (the scenario's folder, then kraftsim's own library).
 *
 * A count hook bounds the Lua instructions run between two advances of virtual time, so a
 * scenario that loops without sleeping stops with an error instead of hanging the run.
 */

#include <stdint.h>
#include <stdio.h>

#include <lua.h>

#define SANDBOX_INSTRUCTION_BUDGET 200000000ull
#define SANDBOX_HEAP_BYTES ((size_t)512 << 20) /* Lua's own heap, per run */

/* A new sandboxed state: `seed` is the run seed, `out` where print writes. NULL if Lua could
 * not allocate it. */
lua_State *sandbox_open(uint64_t seed, FILE *out);
/* Closes the state and frees its heap accounting. */
void sandbox_close(lua_State *L);
/* Virtual time advanced: the instruction budget starts again. */
void sandbox_budget_reset(lua_State *L);
/* The value at `index` as a person reads it: what the sandbox's tostring returns. Pushes it. */
const char *sandbox_tostring(lua_State *L, int index);

/* Pushes an array of the keys of the table at `t` in the order pairs walks them: C code that
 * looks at a scenario's table walks this, never lua_next's order. `who` names the caller in
 * the error raised for a key with no order (a table or a function). */
void sandbox_sorted_keys(lua_State *L, int t, const char *who);

#endif
