/* checks.c — the check table: a scenario asks the checkers, and a failed check ends the run. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "check/history.h"
#include "lua/cluster.h"
#include "text.h"
#include "world/world.h"

/*
 * The checkers run after every step whatever the script does; a check only asks one of them
 * whether it has found anything yet, and raises if so (exit 1, the checker's first violation
 * on the verdict line). check.liveness is the one that acts: it stops the nemesis, undoes
 * every fault and waits for the cluster to settle (a quorum leader every node follows, every
 * broker running and unfenced, every partition led, the same image everywhere).
 */

static struct lua_cluster *the_cluster(lua_State *L, const char *who)
{
    struct lua_run *r = lua_run_of(L);
    if (r->cluster == NULL) {
        lua_run_error(L, "%s: there is no cluster to check (build one with kraft.cluster{...})",
                      who);
    }
    return r->cluster;
}

static int ask(lua_State *L, const struct run_result *res)
{
    if (res->violations > 0) {
        return lua_run_check_failed(L);
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int l_raft(lua_State *L) { return ask(L, &the_cluster(L, "check.raft")->raft_result); }

static int l_partitions(lua_State *L)
{
    return ask(L, &the_cluster(L, "check.partitions")->parts_result);
}

static int l_fencing(lua_State *L)
{
    return ask(L, &the_cluster(L, "check.fencing")->fencing_result);
}

static int l_safety(lua_State *L)
{
    struct lua_cluster *c = the_cluster(L, "check.all");
    ask(L, &c->raft_result);
    ask(L, &c->parts_result);
    ask(L, &c->fencing_result);
    if (lua_clients_any(c)) {
        lua_clients_check(c);
        ask(L, &c->history_result);
    }
    return ask(L, &c->liveness_result);
}

/* check.history{ expect = { "lost-write", ... } }: the classes a lesson about an unsafe setting
 * claims the checker finds, by their names in the summary. */
static uint32_t expected_classes(lua_State *L, int index)
{
    luaL_checktype(L, index, LUA_TTABLE);
    lua_getfield(L, index, "expect");
    int list = lua_gettop(L);
    if (lua_type(L, list) != LUA_TTABLE || lua_rawlen(L, list) == 0) {
        lua_run_error(L, "check.history: expect wants a list of finding classes, as the "
                      "summary names them (\"lost-write\", \"duplicate\", ...)");
    }
    uint32_t mask = 0;
    for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, list); i++) {
        lua_rawgeti(L, list, i);
        const char *name = lua_tostring(L, -1);
        int k = 0;
        while (k < HISTORY_CLASSES && (name == NULL || strcmp(history_class_name(k), name))) {
            k++;
        }
        if (k == HISTORY_CLASSES) {
            lua_run_error(L, "check.history: expect: no finding class is called %s",
                          name != NULL ? name : "(not a string)");
        }
        mask |= 1u << k;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return mask;
}

/* check.history(): the clients stop, the history is judged (see clients.c). */
static int l_history(lua_State *L)
{
    struct lua_cluster *c = the_cluster(L, "check.history");
    if (!lua_isnoneornil(L, 1) && !lua_clients_expect(c, expected_classes(L, 1))) {
        return lua_run_error(L, "check.history: expect must come before the history is "
                             "judged (check.history_summary or check.all judge it)");
    }
    lua_clients_check(c);
    return ask(L, &c->history_result);
}

/* check.history_summary(): "lost-write=0 duplicate=2 ..." for every class (judging the
 * history first, as check.history() does); nil when the run has no clients. */
static int l_history_summary(lua_State *L)
{
    struct lua_cluster *c = the_cluster(L, "check.history_summary");
    if (!lua_clients_any(c)) {
        lua_pushnil(L);
        return 1;
    }
    char buf[512];
    lua_pushstring(L, lua_clients_summary(c, buf, sizeof buf));
    return 1;
}

/* check.expect(cond, message, ...): the scenario's own claim about the run (a lesson's
 * outcome, a measured bound); false records "expect: message" as a violation and fails. */
static int l_expect(lua_State *L)
{
    struct lua_run *r = lua_run_of(L);
    luaL_checkany(L, 1);
    if (lua_toboolean(L, 1)) {
        lua_pushboolean(L, 1);
        return 1;
    }
    int n = lua_gettop(L);
    const char *message = "(no message)";
    if (n >= 2) {
        lua_getglobal(L, "string");
        lua_getfield(L, -1, "format");
        for (int i = 2; i <= n; i++) {
            lua_pushvalue(L, i);
        }
        lua_call(L, n - 1, 1);
        message = lua_tostring(L, -1);
    }
    char where[300];
    lua_run_where(L, where, sizeof where);
    struct run_result *res = r->cluster != NULL ? &r->cluster->liveness_result : r->result;
    char when[32] = "0.000000";
    if (r->world != NULL) {
        trace_format_time(world_now(r->world), when, sizeof when);
        trace_emitf(&r->world->trace, world_now(r->world), TRACE_HOST_NONE, TRACE_NOTE,
                    "violation expect (%s): %s", where, message != NULL ? message : "");
    }
    char text[320];
    struct text t = text_init(text, sizeof text);
    text_printf(&t, "expect (%s): %s at %s s", where, message != NULL ? message : "",
                when + strspn(when, " "));
    run_result_violation(res, "expect", text);
    return lua_run_check_failed(L);
}

/* check._recover(): the nemesis stops and every fault is undone. */
static int l_recover(lua_State *L)
{
    struct lua_cluster *c = the_cluster(L, "check.liveness");
    lua_nemesis_stop(c);
    lua_cluster_recover(c);
    return 0;
}

/* check._liveness_failed(within): records the violation and raises. */
static int l_liveness_failed(lua_State *L)
{
    struct lua_cluster *c = the_cluster(L, "check.liveness");
    time_ns within = lua_run_duration_arg(L, 1, "check.liveness within");
    struct run_result *res = &c->liveness_result;
    scenario_violation(c->w, res, "liveness", "liveness: %.3g s after healing the cluster has "
                       "not settled (a quorum leader every node follows, every broker running "
                       "and unfenced, every partition led, the same image on every node)",
                       (double)within / NS_PER_S);
    return lua_run_check_failed(L);
}

void lua_checks_register(lua_State *L)
{
    static const luaL_Reg fns[] = {{"raft", l_raft},
                                   {"partitions", l_partitions},
                                   {"fencing", l_fencing},
                                   {"history", l_history},
                                   {"history_summary", l_history_summary},
                                   {"all", l_safety},
                                   {"expect", l_expect},
                                   {"_recover", l_recover},
                                   {"_liveness_failed", l_liveness_failed},
                                   {NULL, NULL}};
    luaL_newlib(L, fns); /* check.liveness is in scenarios/lib/kraft.lua */
    lua_setglobal(L, "check");
}
