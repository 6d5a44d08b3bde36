/* clients.c — c:producer{} and c:consumer{}: Kafka clients on the client hosts, their history
 * and check.history(). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "check/history.h"
#include "lua/cluster.h"
#include "lua/sandbox.h"
#include "world/world.h"
#include "workload/consumer.h"
#include "workload/producer.h"

/*
 * c:producer{ topic = "orders", rate = 100, acks = "all", ["linger.ms"] = 5 } starts a
 * producer on the first free client host (client-1, client-2, ...; kraft.cluster{ clients = N }
 * makes N of them, 2 by default). `topic` (required) and `rate` (records a second, default 10;
 * 0 sends nothing) are the verb's own; every other field is a Kafka producer setting by its own
 * key, given as a string, integer or boolean, fed to client_config_set in sorted key order
 * (sandbox_sorted_keys) with the cluster's release, so an unknown key or a bad value is an
 * error naming it. c:consumer{ topic = , ... } likewise with consumer settings; it assigns
 * itself every partition (no group membership yet: group.id is accepted and does nothing).
 *
 * Both report to one history checker (check/history.h) and, when the run has a database, to
 * its op table. check.history() stops every client (its host crashes: Jepsen's end of run,
 * where what is still open becomes info), judges the history once and raises on a finding:
 * every class is a violation, except "unseen", which is one only after some consumer was
 * drained (q:drain()), since consumers that never caught up prove nothing.
 */

#define DEFAULT_RATE 10
#define VALUE_SPAN INT64_C(1000000000) /* values of client-k are k * 10^9 + n */

static const char client_mt[] = "kraftsim.client";

struct lua_client {
    bool used;
    bool consumer;
    bool drained; /* q:drain() finished */
    char name[32];
    char topic[128];
    struct producer_config producer;
    struct consumer_config cons;
};

struct lua_clients {
    struct history *history;
    bool judged;
    uint32_t expected; /* classes a lesson claims the checker finds (1u << class) */
    int producers, consumers;
    struct lua_client slot[LUA_CLUSTER_CLIENTS_MAX];
};

struct client_handle {
    struct lua_cluster *c;
    int slot;
};

static struct lua_clients *clients_of(struct lua_cluster *c)
{
    if (c->clients == NULL) {
        c->clients = calloc(1, sizeof *c->clients);
        KS_ASSERT(c->clients != NULL);
        struct history_config hc = {0};
        c->clients->history = history_create(&hc);
    }
    return c->clients;
}

static int client_host(const struct lua_cluster *c, int slot) { return c->admin_host + 1 + slot; }

static int bootstrap_host(const struct lua_cluster *c)
{
    for (int i = 0; i < c->node_count; i++) {
        if (c->nodes[i].broker) {
            return i;
        }
    }
    return 0;
}

/* A setting's value as Kafka parses text: "5", "true", "all" (a float stays "5.0"). */
static const char *setting_text(lua_State *L, int index, const char *verb, const char *key,
                                char *buf, size_t cap)
{
    int t = lua_type(L, index);
    if (t == LUA_TBOOLEAN) {
        return lua_toboolean(L, index) ? "true" : "false";
    }
    if (t != LUA_TSTRING && t != LUA_TNUMBER) {
        lua_run_error(L, "%s: %s wants a string, an integer or a boolean, got %s", verb, key,
                      luaL_typename(L, index));
    }
    lua_pushvalue(L, index);
    snprintf(buf, cap, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    return buf;
}

/* The table at 2: the verb's own fields into topic/rate, every other one into cfg. */
static void read_settings(lua_State *L, struct lua_cluster *c, const char *verb,
                          struct client_config *cfg, struct lua_client *cl, int64_t *rate)
{
    const struct kafka_release *rel = release_find(c->release_name);
    client_config_init(cfg, cl->consumer ? CLIENT_CONSUMER : CLIENT_PRODUCER, rel);
    sandbox_sorted_keys(L, 2, verb);
    int keys = lua_gettop(L);
    char err[512], buf[256];
    for (lua_Integer k = 1; k <= (lua_Integer)lua_rawlen(L, keys); k++) {
        lua_rawgeti(L, keys, k);
        if (lua_type(L, -1) != LUA_TSTRING) {
            lua_run_error(L, "%s: field %s is not a name (settings are keyed by Kafka's names)",
                          verb, sandbox_tostring(L, -1));
        }
        const char *key = lua_tostring(L, -1);
        lua_getfield(L, 2, key);
        if (strcmp(key, "topic") == 0) {
            if (lua_type(L, -1) != LUA_TSTRING || lua_rawlen(L, -1) >= sizeof cl->topic) {
                lua_run_error(L, "%s: topic wants a topic name", verb);
            }
            snprintf(cl->topic, sizeof cl->topic, "%s", lua_tostring(L, -1));
        } else if (strcmp(key, "rate") == 0 && !cl->consumer) {
            if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0 ||
                lua_tointeger(L, -1) > 1000000) {
                lua_run_error(L, "%s: rate wants records a second, an integer 0 to 1000000",
                              verb);
            }
            *rate = lua_tointeger(L, -1);
        } else if (client_config_set(cfg, key, setting_text(L, -1, verb, key, buf, sizeof buf),
                                     err, sizeof err) != CLIENT_CONFIG_OK) {
            lua_run_error(L, "%s: %s", verb, err);
        }
        lua_pop(L, 2);
    }
    lua_settop(L, keys - 1);
    if (cl->topic[0] == '\0') {
        lua_run_error(L, "%s: topic is required (%s{ topic = \"name\", ... })", verb, verb);
    }
    if (client_config_finish(cfg, err, sizeof err) != CLIENT_CONFIG_OK) {
        lua_run_error(L, "%s: %s", verb, err);
    }
}

static int free_slot(lua_State *L, struct lua_cluster *c, const char *verb)
{
    struct lua_clients *cs = clients_of(c);
    if (cs->judged) {
        lua_run_error(L, "%s: check.history() has ended the history; start clients before it",
                      verb);
    }
    for (int k = 0; k < c->client_count; k++) {
        if (!cs->slot[k].used) {
            return k;
        }
    }
    return lua_run_error(L, "%s: every client host is taken (this cluster has %d; "
                         "kraft.cluster{ clients = N } makes N, at most %d)", verb,
                         c->client_count, LUA_CLUSTER_CLIENTS_MAX);
}

static int push_handle(lua_State *L, struct lua_cluster *c, int slot)
{
    struct client_handle *hd = lua_newuserdatauv(L, sizeof *hd, 0);
    *hd = (struct client_handle){c, slot};
    luaL_setmetatable(L, client_mt);
    return 1;
}

static int start_client(lua_State *L, bool consumer)
{
    const char *verb = consumer ? "consumer" : "producer";
    struct lua_cluster *c = lua_cluster_check(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    if (!c->started) {
        return lua_run_error(L, "%s: the cluster is not started (call c:start() first)", verb);
    }
    int slot = free_slot(L, c, verb);
    struct lua_clients *cs = c->clients;
    struct lua_client *cl = &cs->slot[slot];
    memset(cl, 0, sizeof *cl);
    cl->consumer = consumer;
    int64_t rate = DEFAULT_RATE;
    struct client_config cfg;
    read_settings(L, c, verb, &cfg, cl, &rate);
    snprintf(cl->name, sizeof cl->name, "%s-%d", verb,
             consumer ? ++cs->consumers : ++cs->producers);
    struct client_sinks sinks = {.history = cs->history, .db = c->run->opts->db};
    struct host *h = world_host(c->w, client_host(c, slot));
    if (consumer) {
        cl->cons = (struct consumer_config){
            .name = cl->name, .topic = cl->topic, .bootstrap_host = bootstrap_host(c),
            .settings = cfg, .sinks = sinks,
            .history_id = history_consumer(cs->history, cl->name,
                                           cfg.group_id.set ? cfg.group_id.text : NULL)};
        host_install(h, &consumer_process, &cl->cons);
    } else {
        cl->producer = (struct producer_config){
            .name = cl->name, .topic = cl->topic, .bootstrap_host = bootstrap_host(c),
            .settings = cfg, .rate = rate, .value_base = (slot + 1) * VALUE_SPAN,
            .sinks = sinks,
            .history_id = history_producer(cs->history, cl->name, cfg.idempotent ||
                                           cfg.max_in_flight_requests_per_connection == 1)};
        host_install(h, &producer_process, &cl->producer);
    }
    cl->used = true;
    KS_ASSERT(host_start(h));
    return push_handle(L, c, slot);
}

static int l_producer(lua_State *L) { return start_client(L, false); }
static int l_consumer(lua_State *L) { return start_client(L, true); }

/* ---- the handle ---------------------------------------------------------------------------- */

static struct lua_client *handle_client(lua_State *L, void **proc)
{
    struct client_handle *hd = luaL_checkudata(L, 1, client_mt);
    struct lua_cluster *c = hd->c;
    if (lua_run_of(L)->cluster != c || c->clients == NULL) {
        lua_run_error(L, "this client's run is over");
    }
    struct host *h = world_host(c->w, client_host(c, hd->slot));
    *proc = h->state == HOST_UP ? h->proc : NULL;
    return &c->clients->slot[hd->slot];
}

/* p:stop(): no new values; what is in flight still completes. q:stop() ends the consumer. */
static int l_stop(lua_State *L)
{
    void *proc;
    struct lua_client *cl = handle_client(L, &proc);
    if (proc != NULL && !cl->consumer) {
        producer_stop(proc);
    } else if (proc != NULL) {
        struct client_handle *hd = lua_touserdata(L, 1);
        host_stop(world_host(hd->c->w, client_host(hd->c, hd->slot)));
    }
    return 0;
}

static void set_int(lua_State *L, const char *k, uint64_t v)
{
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, k);
}

/* p:stats(): { invoked, ok, failed, unknown, open, retries, attempts (Produce requests) } /
 * q:stats(): { records, ... } */
static int l_stats(lua_State *L)
{
    void *proc;
    struct lua_client *cl = handle_client(L, &proc);
    lua_newtable(L);
    if (proc != NULL && !cl->consumer) {
        struct producer_stats s = producer_stats(proc);
        set_int(L, "invoked", s.invoked);
        set_int(L, "ok", s.ok);
        set_int(L, "failed", s.failed);
        set_int(L, "unknown", s.unknown);
        set_int(L, "open", s.open);
        set_int(L, "retries", s.retries);
        set_int(L, "attempts", s.attempts);
    } else if (proc != NULL) {
        struct consumer_stats s = consumer_stats(proc);
        set_int(L, "records", s.records);
        set_int(L, "fetches", s.fetches);
        set_int(L, "resets", s.resets);
        set_int(L, "rebalances", s.rebalances);
        set_int(L, "owned", (uint64_t)s.owned);
        set_int(L, "partitions", (uint64_t)s.partitions);
    }
    return 1;
}

static int l_drain_begin(lua_State *L)
{
    void *proc;
    struct lua_client *cl = handle_client(L, &proc);
    if (!cl->consumer) {
        return lua_run_error(L, "drain: a producer has nothing to drain (p:stop() stops it)");
    }
    if (proc != NULL) {
        consumer_drain(proc);
    }
    return 0;
}

static int l_drained(lua_State *L)
{
    void *proc;
    struct lua_client *cl = handle_client(L, &proc);
    bool done = proc != NULL && consumer_drained(proc);
    cl->drained = cl->drained || done;
    lua_pushboolean(L, done);
    return 1;
}

static int l_tostring(lua_State *L)
{
    void *proc;
    struct lua_client *cl = handle_client(L, &proc);
    lua_pushfstring(L, "%s (topic %s%s)", cl->name, cl->topic, proc == NULL ? ", stopped" : "");
    return 1;
}

/* ---- the history --------------------------------------------------------------------------- */

struct judge {
    struct lua_cluster *c;
    bool unseen_counts;
    uint32_t expected;
};

static void to_violation(void *ctx, enum history_class k, const char *text)
{
    struct judge *j = ctx;
    if ((j->expected & (1u << k)) != 0) {
        /* the finding a lesson set out to show: evidence, printed, not a violation */
        trace_emitf(&j->c->w->trace, world_now(j->c->w), TRACE_HOST_NONE, TRACE_NOTE,
                    "expected %s", text);
        return;
    }
    if (k == HISTORY_EXPIRED) { /* retention's doing, not a broken guarantee: reported only */
        trace_emitf(&j->c->w->trace, world_now(j->c->w), TRACE_HOST_NONE, TRACE_NOTE, "%s",
                    text);
        return;
    }
    if (k != HISTORY_UNSEEN || j->unseen_counts) {
        scenario_violation(j->c->w, &j->c->history_result, "history", "%s", text);
    }
}

static void expected_found(struct lua_cluster *c);

bool lua_clients_any(const struct lua_cluster *c) { return c->clients != NULL; }

const char *lua_clients_summary(struct lua_cluster *c, char *buf, size_t cap)
{
    lua_clients_check(c);
    return history_summary_text(c->clients->history, buf, cap);
}

void lua_clients_check(struct lua_cluster *c)
{
    struct lua_clients *cs = c->clients;
    if (cs == NULL || cs->judged) {
        return;
    }
    struct judge j = {c, false, cs->expected};
    for (int k = 0; k < c->client_count; k++) {
        struct host *h = world_host(c->w, client_host(c, k));
        if (cs->slot[k].used && (h->state == HOST_UP || h->state == HOST_PAUSED)) {
            host_crash(h); /* the end of its history: nothing more is fed */
        }
        j.unseen_counts = j.unseen_counts || cs->slot[k].drained;
    }
    history_finish(cs->history);
    cs->judged = true;
    history_write_findings(cs->history, to_violation, &j);
    expected_found(c);
}

/* A lesson that claims a finding fails when the checker found none of the classes it named. */
static void expected_found(struct lua_cluster *c)
{
    const struct lua_clients *cs = c->clients;
    if (cs->expected == 0) {
        return;
    }
    struct history_summary st = history_summary(cs->history);
    char names[256];
    struct text t = text_init(names, sizeof names);
    for (int k = 0; k < HISTORY_CLASSES; k++) {
        if ((cs->expected & (1u << k)) != 0) {
            if (st.count[k] > 0) {
                return;
            }
            text_printf(&t, "%s%s", t.len > 0 ? " or " : "", history_class_name(k));
        }
    }
    scenario_violation(c->w, &c->history_result, "history",
                       "expected %s, but the checker found none", names);
}

bool lua_clients_expect(struct lua_cluster *c, uint32_t classes)
{
    struct lua_clients *cs = clients_of(c);
    if (cs->judged) {
        return false;
    }
    cs->expected = classes;
    return true;
}

void lua_clients_free(struct lua_cluster *c)
{
    if (c->clients == NULL) {
        return;
    }
    lua_clients_check(c);
    history_destroy(c->clients->history);
    free(c->clients);
    c->clients = NULL;
}

void lua_clients_register(lua_State *L)
{
    static const luaL_Reg handle[] = {{"stop", l_stop},
                                      {"stats", l_stats},
                                      {"_drain_begin", l_drain_begin},
                                      {"_drained", l_drained},
                                      {NULL, NULL}};
    luaL_newmetatable(L, client_mt);
    luaL_newlib(L, handle);
    lua_pushvalue(L, -1);
    lua_setfield(L, -4, "_client_methods"); /* scenarios/lib/kraft.lua adds q:drain() */
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pop(L, 1);
    lua_pushcfunction(L, l_producer);
    lua_setfield(L, -2, "producer");
    lua_pushcfunction(L, l_consumer);
    lua_setfield(L, -2, "consumer");
}
