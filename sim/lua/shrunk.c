/* shrunk.c — kraft.shrunk{...}: the schedule a shrunk scenario plays (lua/shrunk.h). */
#include "lua/shrunk.h"

#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "lua/cluster.h"
#include "lua/runtime.h"
#include "lua/sandbox.h"
#include "release.h"

static int count_field(lua_State *L, int t, const char *name)
{
    lua_getfield(L, t, name);
    lua_Integer v = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : -1;
    if (v < 0 || v > LUA_CLUSTER_NODES_MAX) {
        lua_run_error(L, "kraft.shrunk: cluster.%s wants a whole number from 0 to %d, got %s",
                      name, LUA_CLUSTER_NODES_MAX, sandbox_tostring(L, -1));
    }
    lua_pop(L, 1);
    return (int)v;
}

/* cluster = { combined = N, controllers = N, brokers = N }, the table at the top. */
static void read_cluster(lua_State *L, struct lua_shrunk *s)
{
    static const char *const known[] = {"combined", "controllers", "brokers", NULL};
    int t = lua_gettop(L);
    if (!lua_istable(L, t) || lua_cluster_unknown_key(L, t, "kraft.shrunk cluster", known)) {
        lua_run_error(L, "kraft.shrunk: cluster wants { combined = N, controllers = N, "
                      "brokers = N }");
    }
    s->cluster = true;
    s->combined = count_field(L, t, "combined");
    s->controllers = count_field(L, t, "controllers");
    s->brokers = count_field(L, t, "brokers");
}

#define FAULT_SHAPE \
    "%s wants { at = T, length = L, \"kind\", \"targets\" } with a kind c:nemesis injects"

/* Whether the table at t has only the keys a fault entry takes: 1, 2, at and length. */
static bool fault_keys_ok(lua_State *L, int t)
{
    sandbox_sorted_keys(L, t, "kraft.shrunk faults");
    bool ok = true;
    for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, -1); i++) {
        lua_rawgeti(L, -1, i);
        if (lua_isinteger(L, -1)) {
            ok &= lua_tointeger(L, -1) == 1 || lua_tointeger(L, -1) == 2;
        } else {
            const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
            ok &= strcmp(k, "at") == 0 || strcmp(k, "length") == 0;
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return ok;
}

/* One entry of faults, the table at the top: { at = T, length = L, "kind", "targets" }. */
static void read_fault(lua_State *L, int k, struct lua_shrunk_fault *f, time_ns after)
{
    int t = lua_gettop(L);
    char what[48];
    snprintf(what, sizeof what, "kraft.shrunk faults[%d]", k);
    if (!lua_istable(L, t) || !fault_keys_ok(L, t)) {
        lua_run_error(L, FAULT_SHAPE, what);
    }
    lua_rawgeti(L, t, 1);
    lua_rawgeti(L, t, 2);
    if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING ||
        !lua_nemesis_kind_known(lua_tostring(L, -2))) {
        lua_run_error(L, FAULT_SHAPE, what);
    }
    snprintf(f->kind, sizeof f->kind, "%s", lua_tostring(L, -2));
    snprintf(f->targets, sizeof f->targets, "%s", lua_tostring(L, -1));
    lua_pop(L, 2);
    lua_getfield(L, t, "at");
    f->at = lua_run_duration_arg(L, -1, what);
    lua_getfield(L, t, "length");
    f->length = lua_isnil(L, -1) ? -1 : lua_run_duration_arg(L, -1, what);
    lua_pop(L, 2);
    if (f->at < after) {
        lua_run_error(L, "%s starts before the fault listed ahead of it: list them in order",
                      what);
    }
}

static void read_faults(lua_State *L, struct lua_shrunk *s)
{
    int t = lua_gettop(L);
    if (!lua_istable(L, t)) {
        lua_run_error(L, "kraft.shrunk: faults wants a list of { at = T, length = L, "
                      "\"kind\", \"targets\" }");
    }
    int n = (int)lua_rawlen(L, t);
    if (n > LUA_SHRUNK_FAULTS_MAX) {
        lua_run_error(L, "kraft.shrunk: at most %d faults", LUA_SHRUNK_FAULTS_MAX);
    }
    for (int k = 0; k < n; k++) {
        lua_rawgeti(L, t, k + 1);
        read_fault(L, k + 1, &s->faults[k], k > 0 ? s->faults[k - 1].at : 0);
        lua_pop(L, 1);
    }
    s->fault_count = n;
    s->faults_given = true;
}

/* kraft.shrunk{ seed = N, duration = D, cluster = {...}, faults = {...} } */
static int l_shrunk(lua_State *L)
{
    struct lua_run *r = lua_run_of(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    static const char *const known[] = {"seed", "kafka_version", "duration", "cluster",
                                        "faults", NULL};
    const char *bad = lua_cluster_unknown_key(L, 1, "kraft.shrunk", known);
    if (bad != NULL) {
        return lua_run_error(L, "kraft.shrunk: unknown field %s (it takes seed, kafka_version, "
                             "duration, cluster and faults)", bad);
    }
    if (r->shrunk != NULL || r->world != NULL) {
        return lua_run_error(L, "kraft.shrunk: once, before kraft.cluster{...}");
    }
    struct lua_shrunk *s = lua_newuserdatauv(L, sizeof *s, 0);
    memset(s, 0, sizeof *s);
    luaL_ref(L, LUA_REGISTRYINDEX); /* lives as long as the run's state */
    lua_getfield(L, 1, "seed");
    if (!lua_isinteger(L, -1)) {
        return lua_run_error(L, "kraft.shrunk: seed wants the seed that was shrunk");
    }
    s->seed = (uint64_t)lua_tointeger(L, -1);
    if (s->seed != r->opts->seed) {
        return lua_run_error(L, "kraft.shrunk: this scenario was shrunk from seed %llu; run it "
                             "with --seed %llu", (unsigned long long)s->seed,
                             (unsigned long long)s->seed);
    }
    lua_getfield(L, 1, "kafka_version");
    if (!lua_isnil(L, -1)) {
        const char *v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
        const struct kafka_release *rel = release_find(v);
        if (rel == NULL || strlen(v) >= sizeof s->kafka_version) {
            return lua_run_error(L, "kraft.shrunk: kafka_version '%s' is not a Kafka release "
                                 "kraftsim models", v[0] ? v : sandbox_tostring(L, -1));
        }
        snprintf(s->kafka_version, sizeof s->kafka_version, "%s", v);
    }
    lua_getfield(L, 1, "duration");
    s->duration = lua_isnil(L, -1) ? 0 : lua_run_duration_arg(L, -1, "kraft.shrunk duration");
    lua_getfield(L, 1, "cluster");
    if (!lua_isnil(L, -1)) {
        read_cluster(L, s);
    }
    lua_getfield(L, 1, "faults");
    if (!lua_isnil(L, -1)) {
        read_faults(L, s);
    }
    r->shrunk = s;
    return 0;
}

void lua_shrunk_register(lua_State *L)
{
    lua_pushcfunction(L, l_shrunk);
    lua_setfield(L, -2, "shrunk");
}
