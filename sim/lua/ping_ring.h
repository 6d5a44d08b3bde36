/* ping_ring.h — kraft.ping{ hosts = 3 }: the ping ring, the smallest world, from Lua. */
#ifndef KRAFTSIM_LUA_PING_RING_H
#define KRAFTSIM_LUA_PING_RING_H

#include <lua.h>

struct lua_run;

/* Registers kraft.ping. */
void lua_ping_open(lua_State *L);
/* The run is over: the checker's verdict, the summary, the result; frees the world. Does
 * nothing when the scenario built no ping ring. */
void lua_ping_finish(struct lua_run *r);

#endif
