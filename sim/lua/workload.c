/* workload.c — c:metadata_client{...}: a client that keeps the metadata quorum writing. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "lua/cluster.h"
#include "metadata/records.h"
#include "node.h"
#include "protocol/wire.h"
#include "raft/quorum.h"
#include "world/world.h"

/*
 * Until the controller takes requests from a scenario, the quorum's load is what an admin
 * altering a cluster-wide broker config would make the active controller append: a small
 * ConfigRecord. Every `every` the client appends one to whichever node leads the quorum (the
 * highest epoch among running voters), or counts a refusal when none does. It runs in C on the
 * world's clock, a scheduler event per append, so a Lua scenario loads the quorum as fast as
 * the C scenarios did; the handle it returns reads its counts and stops it.
 *
 * The handle's userdata stays referenced from the registry for the whole run: a pending append
 * always finds it, whatever the script dropped.
 */

static const char workload_mt[] = "kraftsim.metadata_client";

struct workload {
    struct lua_cluster *c;
    time_ns every;
    uint64_t appended;
    uint64_t refused;
    uint64_t leader_changes; /* the leader it wrote to differed from the one before */
    int last_leader;         /* node index, -1 before the first */
    bool stopped;
};

/* The highest high watermark any running node reports: what the quorum has committed. */
static int64_t highest_watermark(struct lua_cluster *c)
{
    int64_t hw = -1;
    for (int i = 0; i < c->node_count; i++) {
        struct host *h = world_host(c->w, i);
        if (h->state == HOST_UP && h->proc != NULL) {
            struct quorum_view v;
            quorum_view(node_quorum(h->proc), &v);
            hw = v.high_watermark > hw ? v.high_watermark : hw;
        }
    }
    return hw;
}

static void append_tick(void *ctx, uint64_t seq)
{
    struct workload *wl = ctx;
    if (wl->stopped) {
        return;
    }
    struct lua_cluster *c = wl->c;
    int leader = lua_cluster_leader(c);
    if (leader >= 0) {
        static const char *const keys[] = {
            "log.retention.ms",      "log.retention.bytes",        "log.segment.bytes",
            "message.max.bytes",     "log.cleaner.threads",        "num.io.threads",
            "log.flush.interval.ms", "log.flush.interval.messages"};
        char value[24];
        snprintf(value, sizeof value, "%" PRIu64, 1000 + seq);
        struct metadata_record rec;
        metadata_record_init(&rec, METADATA_CONFIG, 0);
        rec.u.config = (struct metadata_config){4, "", keys[seq % 8], value};
        struct wire_writer w;
        wire_writer_init(&w);
        KS_ASSERT(metadata_record_encode(&w, &rec) == 0);
        if (node_append(world_host(c->w, leader)->proc, w.bytes, (uint32_t)w.len)) {
            wl->appended++;
        }
        wire_writer_free(&w);
        if (leader != wl->last_leader) {
            wl->leader_changes++;
            wl->last_leader = leader;
        }
    } else {
        wl->refused++;
    }
    world_at(c->w, time_add(world_now(c->w), wl->every), append_tick, wl, seq + 1);
}

static struct workload *check_workload(lua_State *L)
{
    return luaL_checkudata(L, 1, workload_mt);
}

/* w:stats(): { appended =, refused =, leader_changes = } */
static int l_stats(lua_State *L)
{
    struct workload *wl = check_workload(L);
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, (lua_Integer)wl->appended);
    lua_setfield(L, -2, "appended");
    lua_pushinteger(L, (lua_Integer)wl->refused);
    lua_setfield(L, -2, "refused");
    lua_pushinteger(L, (lua_Integer)wl->leader_changes);
    lua_setfield(L, -2, "leader_changes");
    return 1;
}

/* w:stop(): no more appends. The run's result records what the quorum committed by then (the
 * benchmark's records-committed figure). */
static int l_stop(lua_State *L)
{
    struct workload *wl = check_workload(L);
    if (!wl->stopped && lua_run_of(L)->cluster == wl->c) {
        wl->stopped = true;
        lua_run_of(L)->result->committed = highest_watermark(wl->c);
    }
    return 0;
}

static int l_tostring(lua_State *L)
{
    struct workload *wl = check_workload(L);
    lua_pushfstring(L, "metadata client: %I appended, %I refused", (lua_Integer)wl->appended,
                    (lua_Integer)wl->refused);
    return 1;
}

/* c:metadata_client{ every = 10 * ms }: starts appending now. */
static int l_metadata_client(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    if (lua_isnoneornil(L, 2)) {
        lua_newtable(L);
        lua_replace(L, 2);
    }
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    static const char *const known[] = {"every", NULL};
    const char *bad = lua_cluster_unknown_key(L, 2, "metadata_client", known);
    if (bad != NULL) {
        return lua_run_error(L, "metadata_client: unknown option %s (it takes every)", bad);
    }
    if (!c->started) {
        return lua_run_error(L, "metadata_client: the cluster is not started (call c:start() "
                             "first)");
    }
    lua_getfield(L, 2, "every");
    time_ns every = lua_isnil(L, -1) ? 10 * NS_PER_MS
                                     : lua_run_duration_arg(L, -1, "metadata_client every");
    lua_pop(L, 1);
    if (every < NS_PER_US) {
        return lua_run_error(L, "metadata_client: every wants at least 1 us");
    }
    struct workload *wl = lua_newuserdatauv(L, sizeof *wl, 0);
    *wl = (struct workload){.c = c, .every = every, .last_leader = -1};
    luaL_setmetatable(L, workload_mt);
    lua_pushvalue(L, -1);
    luaL_ref(L, LUA_REGISTRYINDEX); /* never released: see the top of the file */
    world_at(c->w, world_now(c->w), append_tick, wl, 1);
    return 1;
}

void lua_workload_register(lua_State *L)
{
    static const luaL_Reg handle[] = {{"stats", l_stats}, {"stop", l_stop}, {NULL, NULL}};
    luaL_newmetatable(L, workload_mt);
    luaL_newlib(L, handle);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pop(L, 1);
    lua_pushcfunction(L, l_metadata_client);
    lua_setfield(L, -2, "metadata_client");
    lua_views_quorum_register(L);
}
