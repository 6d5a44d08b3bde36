/* cluster.c — kraft.cluster{...}: building the nodes, and the verbs that act on them. */
#include "lua/cluster.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "config.h"
#include "lifecycle.h"
#include "lua/sandbox.h"
#include "lua/shrunk.h"
#include "protocol/header.h"
#include "raft/listener.h"
#include "raft/quorum.h"
#include "release.h"
#include "scenario/capture.h"
#include "text.h"
#include "tools/admin.h"
#include "trace/db.h"
#include "world/world.h"

static const char cluster_mt[] = "kraftsim.cluster";
#define STOP_POLL_NS (10 * NS_PER_MS)

struct lua_cluster *lua_cluster_check(lua_State *L, int arg)
{
    struct lua_cluster **p = luaL_checkudata(L, arg, cluster_mt);
    if (*p == NULL) {
        lua_run_error(L, "the cluster is gone (the run is over)");
    }
    return *p;
}

/* ---- naming nodes ------------------------------------------------------------------------ */

static void node_list_text(struct lua_cluster *c, char *buf, size_t cap)
{
    struct text t = text_init(buf, cap);
    for (int i = 0; i < c->node_count; i++) {
        text_printf(&t, "%s%d (%s)", i ? ", " : "", c->nodes[i].id, c->nodes[i].name);
    }
}

static int node_by_value(struct lua_cluster *c, lua_State *L, int arg)
{
    if (lua_type(L, arg) == LUA_TNUMBER && lua_isinteger(L, arg)) {
        lua_Integer id = lua_tointeger(L, arg);
        for (int i = 0; i < c->node_count; i++) {
            if (c->nodes[i].id == id) {
                return i;
            }
        }
    } else if (lua_type(L, arg) == LUA_TSTRING) {
        const char *name = lua_tostring(L, arg);
        for (int i = 0; i < c->node_count; i++) {
            if (strcmp(c->nodes[i].name, name) == 0) {
                return i;
            }
        }
    }
    return -1;
}

int lua_cluster_node_arg(lua_State *L, struct lua_cluster *c, int arg, const char *verb)
{
    int i = node_by_value(c, L, arg);
    if (i < 0) {
        char nodes[400];
        node_list_text(c, nodes, sizeof nodes);
        lua_run_error(L, "%s: no node %s (the nodes are %s)", verb, sandbox_tostring(L, arg),
                      nodes);
    }
    return i;
}

int lua_cluster_nodes_arg(lua_State *L, struct lua_cluster *c, int arg, const char *verb,
                          int *out, int cap)
{
    arg = lua_absindex(L, arg);
    if (lua_type(L, arg) != LUA_TTABLE) {
        KS_ASSERT(cap >= 1);
        out[0] = lua_cluster_node_arg(L, c, arg, verb);
        return 1;
    }
    int n = (int)lua_rawlen(L, arg);
    if (n == 0 || n > cap) {
        lua_run_error(L, "%s: a node set is a node or an array of 1 to %d nodes", verb, cap);
    }
    for (int k = 0; k < n; k++) {
        lua_rawgeti(L, arg, k + 1);
        out[k] = lua_cluster_node_arg(L, c, -1, verb);
        lua_pop(L, 1);
        for (int j = 0; j < k; j++) {
            if (out[j] == out[k]) {
                lua_run_error(L, "%s: node %s is in the set twice", verb, c->nodes[out[k]].name);
            }
        }
    }
    return n;
}

static void names_into(struct lua_cluster *c, const int *idx, int n, struct text *t)
{
    for (int k = 0; k < n; k++) {
        text_printf(t, "%s%s", k ? " " : "", idx[k] < c->node_count ? c->nodes[idx[k]].name
                                                                    : "admin");
    }
}

/* "kafka-1 kafka-2 | kafka-3": a display line, cut with "..." if it must be. */
static void targets_done(struct text *t, char *buf, size_t cap)
{
    if (!text_fits(t)) {
        memcpy(buf + cap - 4, "...", 4);
    }
}

/* ---- faults as the summary lists them ----------------------------------------------------- */

int lua_cluster_fault_begin(struct lua_cluster *c, const char *kind, const char *targets)
{
    trace_emitf(&c->w->trace, world_now(c->w), TRACE_HOST_NONE, TRACE_NOTE, "fault %s %s",
                kind, targets);
    return fault_log_begin(&c->faults, world_now(c->w), kind, targets);
}

void lua_cluster_fault_end(struct lua_cluster *c, int fault)
{
    if (fault >= 0) {
        fault_log_end(&c->faults, fault, world_now(c->w));
    }
}

/* Ends every open fault of `kind` on `targets` (NULL: any kind / any targets). */
static void faults_end_matching(struct lua_cluster *c, const char *kind, const char *targets)
{
    fault_log_end_matching(&c->faults, kind, targets, world_now(c->w));
}

/* ---- configuration ------------------------------------------------------------------------ */

/* One server.properties line's value from a Lua value; false if it cannot be one. */
static bool value_text(lua_State *L, int index, char *buf, size_t cap)
{
    switch (lua_type(L, index)) {
    case LUA_TSTRING:
    case LUA_TNUMBER: {
        const char *s = lua_tostring(L, index);
        for (const char *p = s; *p != '\0'; p++) {
            if ((unsigned char)*p < 0x20 || *p == 0x7f) {
                return false;
            }
        }
        return (size_t)snprintf(buf, cap, "%s", s) < cap;
    }
    case LUA_TBOOLEAN:
        snprintf(buf, cap, "%s", lua_toboolean(L, index) ? "true" : "false");
        return true;
    default:
        return false;
    }
}

/* The keys of the config table at `index`, in the sandbox's order (numbers first, so a
 * number key is found first). Pushes nothing; fills keys[]/count. */
static int user_config_keys(lua_State *L, int index, const char *who, char keys[][96], int cap)
{
    index = lua_absindex(L, index);
    sandbox_sorted_keys(L, index, who);
    int n = (int)lua_rawlen(L, -1);
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        if (lua_type(L, -1) != LUA_TSTRING) {
            lua_run_error(L, "%s: config keys are strings such as \"min.insync.replicas\", got "
                          "%s", who, sandbox_tostring(L, -1));
        }
        const char *k = lua_tostring(L, -1);
        if (strlen(k) >= 96 || k[strcspn(k, "=:\n\r\t #!")] != '\0' || k[0] == '\0') {
            lua_run_error(L, "%s: '%s' is not a config key", who, k);
        }
        if (i > cap) {
            lua_run_error(L, "%s: more than %d config keys", who, cap);
        }
        snprintf(keys[i - 1], 96, "%.95s", k);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return n;
}

/* The first key of the table at t (in the sandbox's order) that is not in known, or NULL;
 * its text is pushed when found. */
const char *lua_cluster_unknown_key(lua_State *L, int t, const char *who,
                                    const char *const *known)
{
    t = lua_absindex(L, t);
    sandbox_sorted_keys(L, t, who);
    int n = (int)lua_rawlen(L, -1);
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        bool ok = false;
        for (int k = 0; known[k] != NULL && lua_type(L, -1) == LUA_TSTRING; k++) {
            ok |= strcmp(lua_tostring(L, -1), known[k]) == 0;
        }
        if (!ok) {
            const char *bad = sandbox_tostring(L, -1);
            lua_remove(L, -2);
            lua_remove(L, -2);
            return bad;
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return NULL;
}

/* A server.properties as key = value lines, in order: kraftsim's own lines, then the
 * scenario's keys, then the node's; a later key replaces an earlier one in its place. */
#define PROPS_MAX 96

struct prop {
    char key[96];
    char value[1024];
    const char *from; /* "kraft.cluster config", "node kafka-1 config", NULL for kraftsim's */
};

struct props {
    struct prop items[PROPS_MAX];
    int count;
};

static void props_set(lua_State *L, struct props *p, const char *key, const char *value,
                      const char *from)
{
    int i = 0;
    while (i < p->count && strcmp(p->items[i].key, key) != 0) {
        i++;
    }
    if (i == PROPS_MAX) {
        lua_run_error(L, "%s: more than %d config keys", from != NULL ? from : "config",
                      PROPS_MAX);
    }
    p->count += i == p->count;
    snprintf(p->items[i].key, sizeof p->items[i].key, "%.95s", key);
    snprintf(p->items[i].value, sizeof p->items[i].value, "%s", value);
    p->items[i].from = from;
}

/* The scenario's keys from the table at `index`, in sorted order. */
static void props_from_table(lua_State *L, int index, const char *who, struct props *p)
{
    static char keys[64][96];
    int n = user_config_keys(L, index, who, keys, 64);
    for (int k = 0; k < n; k++) {
        lua_getfield(L, index, keys[k]);
        char value[1024];
        if (!value_text(L, -1, value, sizeof value)) {
            lua_run_error(L, "%s: %s wants a string, number or boolean on one line, got %s",
                          who, keys[k], luaL_typename(L, -1));
        }
        lua_pop(L, 1);
        props_set(L, p, keys[k], value, who);
    }
}

/* Node i's own lines: what any KRaft deployment's server.properties holds. */
static void base_properties(lua_State *L, struct lua_cluster *c, int i, const char *version,
                            struct props *p)
{
    const struct lua_node *n = &c->nodes[i];
    char v[1024];
    props_set(L, p, "process.roles",
              n->broker && n->controller ? "broker,controller" : n->broker ? "broker"
                                                                           : "controller",
              NULL);
    snprintf(v, sizeof v, "%d", n->id);
    props_set(L, p, "node.id", v, NULL);
    props_set(L, p, "controller.listener.names", "CONTROLLER", NULL);
    struct text t = text_init(v, sizeof v);
    if (n->broker) {
        text_printf(&t, "PLAINTEXT://%s:9092", n->name);
    }
    if (n->controller) {
        text_printf(&t, "%sCONTROLLER://%s:9093", n->broker ? "," : "", n->name);
    }
    props_set(L, p, "listeners", v, NULL);
    props_set(L, p, "log.dirs", "/var/lib/kafka/data", NULL);
    t = text_init(v, sizeof v);
    for (int k = 0, first = 1; k < c->node_count; k++) {
        if (c->nodes[k].controller) {
            text_printf(&t, "%s%d@%s:9093", first ? "" : ",", c->nodes[k].id, c->nodes[k].name);
            first = 0;
        }
    }
    props_set(L, p, "controller.quorum.voters", v, NULL);
    if (version != NULL) {
        props_set(L, p, "kafka.version", version, NULL);
    }
}

/* The node refused its config: "kafka-1/server.properties:12: message" names a line of ours,
 * so say the key and who set it instead. */
static void config_refused(lua_State *L, struct lua_cluster *c, int i, const struct props *p,
                           const char *file, const char *msg)
{
    size_t flen = strlen(file);
    int lineno = 0;
    if (strncmp(msg, file, flen) == 0) {
        msg += flen;
        if (*msg == ':' && isdigit((unsigned char)msg[1])) {
            lineno = atoi(msg + 1);
            msg += 1 + strspn(msg + 1, "0123456789");
        }
        msg += strspn(msg, ": ");
    }
    const struct prop *bad = lineno >= 1 && lineno <= p->count ? &p->items[lineno - 1] : NULL;
    if (bad != NULL && bad->from != NULL) {
        lua_run_error(L, "%s %s: %s", bad->from, bad->key, msg);
    }
    lua_run_error(L, "node %s: %s", c->nodes[i].name, msg);
}

/* Each node's server.properties text, kept (registry table, by node index + 1) for a restart
 * with new keys. */
static const char props_key[] = "kraftsim.cluster.props";

/* Node i's server.properties as it started: kafka-topics.sh reads the static broker configs
 * (topic-config synonyms) from it, and a restart with new keys starts from it. */
static void remember_props(lua_State *L, struct lua_cluster *c, int i, const char *text,
                           size_t len)
{
    c->nodes[i].properties[0] = '\0';
    if (len < sizeof c->nodes[i].properties) {
        memcpy(c->nodes[i].properties, text, len + 1);
    }
    if (lua_getfield(L, LUA_REGISTRYINDEX, props_key) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, props_key);
    }
    lua_pushlstring(L, text, len);
    lua_rawseti(L, -2, i + 1);
    lua_pop(L, 1);
}

/* Renders p as node i's server.properties and parses it into `into` as the node would; a
 * refusal raises at the user's line. */
static void apply_props(lua_State *L, struct lua_cluster *c, int i, const struct props *p,
                        struct node_config *into, struct run_result *res)
{
    static char text[PROPS_MAX * 1200];
    struct text t = text_init(text, sizeof text);
    for (int k = 0; k < p->count; k++) {
        text_printf(&t, "%s=%s\n", p->items[k].key, p->items[k].value);
    }
    if (!text_fits(&t)) {
        lua_run_error(L, "node %s: its server.properties would pass %zu bytes",
                      c->nodes[i].name, sizeof text);
    }
    char file[64];
    snprintf(file, sizeof file, "%s/server.properties", c->nodes[i].name);
    if (!scenario_node_config(text, t.len, file, into, i == 0, res)) {
        config_refused(L, c, i, p, file, res->config_error);
    }
    remember_props(L, c, i, text, t.len);
}

/* Parses node i's properties as the node would; a refusal raises at the user's line. */
static void configure_node(lua_State *L, struct lua_cluster *c, int i, const char *version,
                           int cluster_config, int node_config)
{
    static struct props p;
    p.count = 0;
    base_properties(L, c, i, version, &p);
    if (cluster_config != 0) {
        props_from_table(L, cluster_config, "kraft.cluster config", &p);
    }
    if (node_config != 0) {
        /* The name lives on the stack while the props point at it. */
        const char *who = lua_pushfstring(L, "node %s config", c->nodes[i].name);
        props_from_table(L, node_config, who, &p);
    }
    struct run_result res;
    memset(&res, 0, sizeof res);
    apply_props(L, c, i, &p, &c->nodes[i].config, &res);
    if (i == 0) {
        snprintf(c->switches, sizeof c->switches, "%s", res.switches);
    }
}

/* c:restart(n, { config = {...} }): the operator edited server.properties while the node was
 * down. The node's last properties, then the new keys; the next start reads them. */
static void reconfigure_node(lua_State *L, struct lua_cluster *c, int i, int opts)
{
    static struct props p;
    p.count = 0;
    lua_getfield(L, LUA_REGISTRYINDEX, props_key);
    lua_rawgeti(L, -1, i + 1);
    const char *line = lua_tostring(L, -1);
    while (line != NULL && *line != '\0') {
        size_t len = strcspn(line, "\n"), eq = strcspn(line, "=");
        char key[96], value[1024];
        snprintf(key, sizeof key, "%.*s", (int)(eq < sizeof key ? eq : sizeof key - 1), line);
        snprintf(value, sizeof value, "%.*s", (int)(len - eq - 1), line + eq + 1);
        props_set(L, &p, key, value, NULL);
        line += len + (line[len] == '\n');
    }
    lua_pop(L, 2);
    lua_getfield(L, opts, "config");
    if (!lua_istable(L, -1)) {
        lua_run_error(L, "restart: the options are { config = { [\"key\"] = value } }");
    }
    const char *who = lua_pushfstring(L, "restart %s config", c->nodes[i].name);
    props_from_table(L, lua_gettop(L) - 1, who, &p);
    static struct node_config parsed; /* static: a refusal raises (longjmp) from in here */
    struct node_config *next = &parsed;
    struct run_result res;
    memset(&res, 0, sizeof res);
    apply_props(L, c, i, &p, next, &res);
    /* The compiled-in test hooks stay as the run set them. */
    struct node_config *nc = &c->nodes[i].config;
    next->quorum.planted_vote_without_log_check = nc->quorum.planted_vote_without_log_check;
    next->quorum.planted_high_watermark_on_minority =
        nc->quorum.planted_high_watermark_on_minority;
    next->quorum.planted_observer_fetches_leader_only =
        nc->quorum.planted_observer_fetches_leader_only;
    next->planted_snapshot_drops_a_record = nc->planted_snapshot_drops_a_record;
    next->planted_fence_before_leader_moves = nc->planted_fence_before_leader_moves;
    *nc = *next;
    lua_pop(L, 2);
}

struct shape {
    int combined, controllers, brokers, clients;
};


/* The integer field `name` of the table at 1, or `def`. */
static int int_field(lua_State *L, int t, const char *name, int def, int lo, int hi)
{
    lua_getfield(L, t, name);
    int v = def;
    if (!lua_isnil(L, -1)) {
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < lo || lua_tointeger(L, -1) > hi) {
            lua_run_error(L, "kraft.cluster: %s wants a whole number from %d to %d, got %s",
                          name, lo, hi, sandbox_tostring(L, -1));
        }
        v = (int)lua_tointeger(L, -1);
    }
    lua_pop(L, 1);
    return v;
}

static void after_step(void *ctx, int host);

/* A node that refuses to start says why in a node-refuse event; c:node(n).refused shows it. */
static void on_trace(void *ctx, const struct trace_event *ev)
{
    struct lua_cluster *c = ctx;
    if (ev->kind == TRACE_NODE_REFUSE && ev->host >= 0 && ev->host < c->node_count) {
        snprintf(c->nodes[ev->host].refused, sizeof c->nodes[ev->host].refused, "%s",
                 trace_event_detail(ev));
    }
}

/* What lua_cluster_settled needs before it hashes images: a quorum leader, every node up and
 * following it, every broker RUNNING, every node at the leader's applied offset. Asked after
 * every step while check.liveness waits, so the hashes run only when the rest holds. */
static bool may_be_settled(struct lua_cluster *c)
{
    int l = lua_cluster_leader(c);
    if (l < 0) {
        return false;
    }
    const struct quorum *lq = node_quorum(world_host(c->w, l)->proc);
    int64_t applied = node_listener(world_host(c->w, l)->proc)->applied_offset;
    for (int i = 0; i < c->node_count; i++) {
        struct host *h = world_host(c->w, i);
        if (h->state != HOST_UP || h->proc == NULL || c->nodes[i].stopping ||
            node_listener(h->proc)->applied_offset != applied) {
            return false;
        }
        const struct quorum *q = node_quorum(h->proc);
        if (i != l && (q->election.epoch != lq->election.epoch ||
                       q->election.leader_id != c->nodes[l].id)) {
            return false;
        }
        const struct lifecycle *lc = node_lifecycle(h->proc);
        if (c->nodes[i].broker && (lc == NULL || lc->state != LIFECYCLE_RUNNING)) {
            return false;
        }
    }
    return true;
}

static void settle_watch_step(struct lua_cluster *c)
{
    if (c->settle_watch && may_be_settled(c) && lua_cluster_settled(c)) {
        c->settle_watch = false;
        c->settled_at = world_now(c->w);
    }
}

/* check._settle_watch(): from now on, note the first step after which the cluster is settled
 * (it may be now); check._settle_watch(false): stop looking (a wait that gave up, so the rest
 * of the run does not pay for it after every step). check._settled_at(): that time, or nil. */
static int l_settle_watch(lua_State *L)
{
    struct lua_run *r = lua_run_of(L);
    if (r->cluster == NULL) {
        return lua_run_error(L, "check.liveness: there is no cluster to check (build one with "
                             "kraft.cluster{...})");
    }
    if (lua_isboolean(L, 1) && !lua_toboolean(L, 1)) {
        r->cluster->settle_watch = false;
        return 0;
    }
    r->cluster->settle_watch = true;
    r->cluster->settled_at = -1;
    settle_watch_step(r->cluster);
    return 0;
}

static int l_settled_at(lua_State *L)
{
    struct lua_run *r = lua_run_of(L);
    if (r->cluster == NULL || r->cluster->settled_at < 0) {
        lua_pushnil(L);
    } else {
        lua_pushinteger(L, r->cluster->settled_at);
    }
    return 1;
}

static void on_record(void *arg, int64_t offset, const struct metadata_record *rec)
{
    struct lua_cluster *c = arg;
    bool fresh = c->parts.next_offset < 0 || offset == c->parts.next_offset;
    if (fresh && rec != NULL) {
        fencing_checker_record(&c->fencing, &c->parts.shadow, rec, lua_cluster_leader(c),
                               world_now(c->w));
    }
    partition_checker_record(&c->parts, offset, rec, world_now(c->w));
}

static void after_step(void *ctx, int host)
{
    struct lua_cluster *c = ctx;
    raft_checker_after_step(&c->raft, host);
    settle_watch_step(c);
    struct host *h = world_host(c->w, host);
    if (host >= c->node_count || h->proc == NULL) {
        return;
    }
    const struct raft_listener *l = node_listener(h->proc);
    /* A node ahead of the partition checker got there by loading a snapshot. */
    if (l->applied_offset > c->parts.next_offset && c->parts.next_offset >= 0) {
        partition_checker_resync(&c->parts, &l->image, l->applied_offset);
    }
}

/* The cluster's shape and release from kraft.cluster{...}'s table at 1. */
static struct shape read_shape(lua_State *L, const char **version)
{
    static const char *const known[] = {"combined", "controllers", "brokers", "kafka_version",
                                        "config", "nodes", "clients", NULL};
    const char *bad = lua_cluster_unknown_key(L, 1, "kraft.cluster", known);
    if (bad != NULL) {
        lua_run_error(L, "kraft.cluster: unknown field %s (it takes combined, controllers, "
                      "brokers, clients, kafka_version, config and nodes)", bad);
    }
    struct shape s = {int_field(L, 1, "combined", 0, 0, 9),
                      int_field(L, 1, "controllers", 0, 0, 9),
                      int_field(L, 1, "brokers", 0, 0, LUA_CLUSTER_NODES_MAX),
                      int_field(L, 1, "clients", 2, 0, LUA_CLUSTER_CLIENTS_MAX)};
    const struct lua_run *r = lua_run_of(L);
    if (r->shrunk != NULL && r->shrunk->cluster) { /* kraftsim shrink's smaller cluster */
        s.combined = r->shrunk->combined;
        s.controllers = r->shrunk->controllers;
        s.brokers = r->shrunk->brokers;
    }
    if (r->opts->capture != NULL) {
        r->opts->capture->cluster = true;
        r->opts->capture->combined = s.combined;
        r->opts->capture->controllers = s.controllers;
        r->opts->capture->brokers = s.brokers;
    }
    int total = s.combined + s.controllers + s.brokers;
    if (s.combined + s.controllers == 0 || total > LUA_CLUSTER_NODES_MAX) {
        lua_run_error(L, "kraft.cluster: a cluster needs 1 to 9 voters (combined or "
                      "controllers) and at most %d nodes in all", LUA_CLUSTER_NODES_MAX);
    }
    lua_getfield(L, 1, "kafka_version"); /* left on the stack: the string stays alive */
    if (!lua_isnil(L, -1) && *version == NULL) {
        *version = luaL_checkstring(L, -1);
        const struct kafka_release *rel = release_find(*version);
        if (rel == NULL || !release_supports(rel, RELEASE_MODE_KRAFT)) {
            lua_run_error(L, "kraft.cluster: kafka_version '%s' is not a Kafka release "
                          "kraftsim models in KRaft mode (see kraftsim --help)", *version);
        }
    }
    return s;
}

void lua_cluster_node_name(int combined, int controllers, int i, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s-%d",
             i < combined ? "kafka" : i < combined + controllers ? "controller" : "broker", i + 1);
}

/* Ids count up from 1: combined nodes (kafka-N), controllers (controller-N), brokers. */
static void name_nodes(struct lua_cluster *c, const struct shape *s)
{
    int total = s->combined + s->controllers + s->brokers;
    for (int i = 0; i < total; i++) {
        struct lua_node *n = &c->nodes[i];
        n->id = i + 1;
        n->controller = i < s->combined + s->controllers;
        n->broker = i < s->combined || i >= s->combined + s->controllers;
        lua_cluster_node_name(s->combined, s->controllers, i, n->name, sizeof n->name);
        c->host_names[i] = n->name;
        c->voter_count += n->controller;
    }
    c->node_count = total;
    lua_cluster_name_hosts(c, s->clients);
}

void lua_cluster_name_hosts(struct lua_cluster *c, int clients)
{
    int total = c->node_count;
    c->host_names[total] = "admin";
    c->admin_host = total;
    c->client_count = clients;
    for (int k = 0; k < clients; k++) {
        snprintf(c->client_names[k], sizeof c->client_names[k], "client-%d", k + 1);
        c->host_names[total + 1 + k] = c->client_names[k];
    }
}

/* nodes = { [4] = {...}, ["broker-5"] = {...} } names only nodes the cluster has. */
static void check_nodes_table(lua_State *L, struct lua_cluster *c, int nodes)
{
    if (!lua_istable(L, nodes)) {
        lua_run_error(L, "kraft.cluster: nodes wants { [id] = { config = {...} } }");
    }
    sandbox_sorted_keys(L, nodes, "kraft.cluster nodes");
    for (int k = 1; k <= (int)lua_rawlen(L, -1); k++) {
        lua_rawgeti(L, -1, k);
        if (node_by_value(c, L, -1) < 0) {
            char list[400];
            node_list_text(c, list, sizeof list);
            lua_run_error(L, "kraft.cluster: nodes names node %s, which this cluster does not "
                          "have (its nodes are %s)", sandbox_tostring(L, -1), list);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* nodes = { [3] = { cluster_id = "..." } }: the operator formatted this node's storage for
 * another cluster (kafka-storage.sh format --cluster-id takes a Uuid: 22 base64url chars). */
static void node_cluster_id(lua_State *L, struct lua_cluster *c, int i, int t)
{
    lua_getfield(L, t, "cluster_id");
    if (!lua_isnil(L, -1)) {
        const char *id = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
        if (strlen(id) != KAFKA_STORAGE_UUID_TEXT - 1 ||
            id[strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")] !=
                '\0') {
            lua_run_error(L, "kraft.cluster: node %s cluster_id wants a Uuid as kafka-storage.sh "
                          "random-uuid prints it (22 characters of A-Z a-z 0-9 - _), got %s",
                          c->nodes[i].name, sandbox_tostring(L, -1));
        }
        snprintf(c->nodes[i].cluster_id, sizeof c->nodes[i].cluster_id, "%s", id);
    }
    lua_pop(L, 1);
}

static void configure_nodes(lua_State *L, struct lua_cluster *c, const char *version,
                            int cluster_config, int nodes)
{
    int base = lua_gettop(L);
    for (int i = 0; i < c->node_count; i++) {
        int node_config = 0;
        if (nodes != 0) {
            lua_rawgeti(L, nodes, c->nodes[i].id);
            if (lua_isnil(L, -1)) {
                lua_pop(L, 1);
                lua_getfield(L, nodes, c->nodes[i].name);
            }
            if (lua_istable(L, -1)) {
                node_cluster_id(L, c, i, lua_gettop(L));
                lua_getfield(L, -1, "config");
                node_config = lua_istable(L, -1) ? lua_gettop(L) : 0;
            }
        }
        configure_node(L, c, i, version, cluster_config, node_config);
        lua_settop(L, base);
    }
}

/* The world, its processes, and the checkers that watch every step. */
static void build_world(struct lua_cluster *c, struct lua_run *r)
{
    int hosts = c->node_count + 1 + c->client_count;
    c->w = world_create(r->opts->seed, hosts, c->host_names, NULL, NULL);
    r->world = c->w;
    r->cluster = c;
    raft_checker_init(&c->raft, c->w, &c->raft_result);
    int32_t ids[LUA_CLUSTER_NODES_MAX];
    for (int i = 0; i < c->node_count; i++) {
        /* Compiled-in test hooks (run_opts.planted_bug), which no script or flag reaches. */
        struct node_config *nc = &c->nodes[i].config;
        const struct run_opts *o = r->opts;
        nc->quorum.planted_vote_without_log_check = planted(o, "vote-without-log-check");
        nc->quorum.planted_high_watermark_on_minority = planted(o, "hw-on-minority");
        nc->planted_snapshot_drops_a_record = planted(o, "snapshot-drops-a-record");
        nc->planted_fence_before_leader_moves = planted(o, "fence-before-leader-moves");
        nc->quorum.planted_observer_fetches_leader_only =
            planted(o, "observer-fetches-leader-only");
        nc->data.replica.planted_hw_past_lagging_isr = planted(o, "hw-past-lagging-isr");
        nc->data.replica.planted_consumer_fetch_skips_batch =
            planted(o, "consumer-fetch-skips-batch");
        nc->data.replica.planted_append_then_refuse = planted(o, "append-then-refuse");
        struct host *h = world_host(c->w, i);
        host_install(h, &node_process, nc);
        h->after_step = after_step;
        h->after_step_ctx = c;
        ids[i] = c->nodes[i].id;
    }
    host_install(world_host(c->w, c->admin_host), &admin_process, &c->nodes[0].config.api);
    fencing_checker_init(&c->fencing, c->w, &c->fencing_result,
                         c->nodes[0].config.broker_session_timeout, c->node_count, ids,
                         c->host_names);
    partition_checker_init(&c->parts, &c->parts_result,
                           c->nodes[0].config.replication.unclean_leader_election_enable);
    scenario_trace_console(r->opts, &c->w->trace, &c->console); /* --trace[=KINDS] */
    trace_add_sink(&c->w->trace, (struct trace_sink){on_trace, c});
    if (r->opts->db != NULL) {
        for (int i = 0; i < hosts; i++) {
            run_db_host_name(r->opts->db, i, c->host_names[i]);
        }
        trace_add_sink(&c->w->trace, run_db_sink(r->opts->db));
    }
    trace_emitf(&c->w->trace, 0, TRACE_HOST_NONE, TRACE_RUN_START, "scenario=%s seed=%" PRIu64
                " %s", r->chunk, r->opts->seed, c->switches);
    c->nemesis.open_fault = -1;
    fault_log_init(&c->faults);
    c->settled_at = -1;
}

/* kraft.cluster{ controllers =, brokers =, combined =, kafka_version =, config =, nodes = } */
static int l_cluster(lua_State *L)
{
    struct lua_run *r = lua_run_of(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    if (r->cluster != NULL) {
        return lua_run_error(L, "kraft.cluster: a scenario builds one cluster");
    }
    const char *version = r->opts->kafka_version; /* the flag wins over the scenario's */
    if (version == NULL && r->shrunk != NULL && r->shrunk->kafka_version[0] != '\0') {
        version = r->shrunk->kafka_version; /* the flag the shrunk run had */
    }
    struct shape s = read_shape(L, &version);
    int self;
    struct lua_cluster *c = lua_cluster_new(L, &self);
    name_nodes(c, &s);
    lua_getfield(L, 1, "config");
    int cluster_config = lua_isnil(L, -1) ? 0 : lua_gettop(L);
    if (cluster_config != 0 && !lua_istable(L, -1)) {
        return lua_run_error(L, "kraft.cluster: config wants a table of server.properties keys");
    }
    lua_getfield(L, 1, "nodes");
    int nodes = lua_isnil(L, -1) ? 0 : lua_gettop(L);
    if (nodes != 0) {
        check_nodes_table(L, c, nodes);
    }
    configure_nodes(L, c, version, cluster_config, nodes);
    return lua_cluster_build_world(L, c, version, self);
}

struct lua_cluster *lua_cluster_new(lua_State *L, int *self)
{
    /* The userdata owns the cluster from here: a refused config raises, and its __gc frees
     * a cluster that never got a world. */
    struct lua_cluster **ud = lua_newuserdatauv(L, sizeof *ud, 0);
    *ud = calloc(1, sizeof **ud);
    KS_ASSERT(*ud != NULL);
    luaL_setmetatable(L, cluster_mt);
    *self = lua_gettop(L);
    struct lua_cluster *c = *ud;
    c->run = lua_run_of(L);
    c->ud = ud;
    return c;
}

int lua_cluster_build_world(lua_State *L, struct lua_cluster *c, const char *version, int self)
{
    c->release = scenario_release_number(&(struct run_opts){.kafka_version = version});
    c->release_name = (version != NULL ? release_find(version) : release_default())->name;
    c->describe_quorum_version =
        switches_from_release(release_find(version != NULL ? version : "trunk"))
            .raft_rpc.describe_quorum_version_max;
    build_world(c, c->run);
    lua_pushvalue(L, self);
    lua_setfield(L, LUA_REGISTRYINDEX, "kraftsim.cluster.the");
    lua_pushvalue(L, self);
    return 1;
}

void lua_cluster_configure_text(lua_State *L, struct lua_cluster *c, int i, const char *text,
                                size_t len, const char *file)
{
    struct run_result res;
    memset(&res, 0, sizeof res);
    if (!scenario_node_config(text, len, file, &c->nodes[i].config, i == 0, &res)) {
        lua_run_error(L, "%s", res.config_error); /* FILE:LINE of the operator's own file */
    }
    if (i == 0) {
        snprintf(c->switches, sizeof c->switches, "%s", res.switches);
    }
    /* the lines with a key, for kafka-topics.sh's synonyms and a restart's new keys */
    static char compact[sizeof c->nodes[i].properties];
    struct text t = text_init(compact, sizeof compact);
    for (const char *line = text; line < text + len;) {
        size_t n = strcspn(line, "\n");
        if (n > 0) {
            text_printf(&t, "%.*s\n", (int)n, line);
        }
        line += n + 1;
    }
    remember_props(L, c, i, text_fits(&t) ? compact : "", text_fits(&t) ? t.len : 0);
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

void lua_cluster_start_node(struct lua_cluster *c, int i)
{
    struct host *h = world_host(c->w, i);
    if (h->state != HOST_UP && h->state != HOST_PAUSED) {
        c->nodes[i].refused[0] = '\0';
    }
    if (h->state != HOST_UP && h->state != HOST_PAUSED && host_start(h)) {
        struct raft_listener *l = node_listener(h->proc);
        l->on_record = on_record;
        l->on_record_arg = c;
    }
}

static int l_start(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    if (c->started) {
        return lua_run_error(L, "start: the cluster is started already (c:restart(n) starts "
                             "one node again)");
    }
    c->started = true;
    struct rng storage;
    rng_init(&storage, c->run->opts->seed, "storage", UINT64_MAX);
    kafka_storage_random_uuid(&storage, c->cluster_id);
    for (int i = 0; i < c->node_count; i++) {
        const char *id = c->nodes[i].cluster_id[0] != '\0' ? c->nodes[i].cluster_id
                                                          : c->cluster_id;
        KS_ASSERT(kafka_storage_format(c->w, i, &c->nodes[i].config, id) == ENV_OK);
        lua_cluster_start_node(c, i);
    }
    host_start(world_host(c->w, c->admin_host));
    return 0;
}

static void need_started(lua_State *L, struct lua_cluster *c, const char *verb)
{
    if (!c->started) {
        lua_run_error(L, "%s: the cluster is not started (call c:start() first)", verb);
    }
}

static struct host *host_of(struct lua_cluster *c, int i) { return world_host(c->w, i); }

void lua_cluster_crash_node(struct lua_cluster *c, int i)
{
    struct host *h = host_of(c, i);
    c->nodes[i].stopping = false;
    if (c->nodes[i].lose_unsynced) {
        host_power_fail(h); /* the machine went down with the process: no page cache, no RST */
    } else {
        host_crash(h);
    }
}

static int node_verb_prologue(lua_State *L, struct lua_cluster **c, const char *verb)
{
    *c = lua_cluster_check(L, 1);
    need_started(L, *c, verb);
    return lua_cluster_node_arg(L, *c, 2, verb);
}

static int l_crash(lua_State *L)
{
    struct lua_cluster *c;
    int i = node_verb_prologue(L, &c, "crash");
    struct host *h = host_of(c, i);
    if (h->state != HOST_UP && h->state != HOST_PAUSED) {
        return lua_run_error(L, "crash: %s is not running (it is %s)", c->nodes[i].name,
                             host_state_name(h->state));
    }
    lua_cluster_crash_node(c, i);
    lua_cluster_fault_begin(c, "crash", c->nodes[i].name);
    return 0;
}

static int l_power_fail(lua_State *L)
{
    struct lua_cluster *c;
    int i = node_verb_prologue(L, &c, "power_fail");
    c->nodes[i].stopping = false;
    host_power_fail(host_of(c, i));
    lua_cluster_fault_begin(c, "power-failure", c->nodes[i].name);
    return 0;
}

static int l_restart(lua_State *L)
{
    struct lua_cluster *c;
    int i = node_verb_prologue(L, &c, "restart");
    struct host *h = host_of(c, i);
    if (h->state == HOST_UP || h->state == HOST_PAUSED) {
        return lua_run_error(L, "restart: %s is running; crash or stop it first",
                             c->nodes[i].name);
    }
    if (lua_istable(L, 3)) {
        reconfigure_node(L, c, i, 3);
    } else if (!lua_isnoneornil(L, 3)) {
        return lua_run_error(L, "restart: the options are { config = { [\"key\"] = value } }");
    }
    lua_cluster_start_node(c, i);
    faults_end_matching(c, "crash", c->nodes[i].name);
    faults_end_matching(c, "power-failure", c->nodes[i].name);
    faults_end_matching(c, "stop", c->nodes[i].name);
    lua_pushboolean(L, h->state == HOST_UP);
    return 1;
}

/* A clean stop under way: the process exits once the broker's controlled shutdown and the
 * raft client's graceful shutdown are done (kafka-server-stop.sh: SIGTERM, then wait). */
static void stop_tick(void *ctx, uint64_t arg)
{
    struct lua_cluster *c = ctx;
    int i = (int)arg;
    struct host *h = host_of(c, i);
    if (!c->nodes[i].stopping || h->state == HOST_CRASHED || h->state == HOST_DOWN) {
        c->nodes[i].stopping = false;
        return;
    }
    if (h->state == HOST_UP && node_shutdown_done(h->proc)) {
        host_stop(h);
        c->nodes[i].stopping = false;
        return;
    }
    world_at(c->w, world_now(c->w) + STOP_POLL_NS, stop_tick, c, (uint64_t)i);
}

void lua_cluster_begin_stop(struct lua_cluster *c, int i)
{
    struct host *h = host_of(c, i);
    c->nodes[i].stopping = true;
    node_begin_shutdown(h->proc);
    world_at(c->w, world_now(c->w) + STOP_POLL_NS, stop_tick, c, (uint64_t)i);
}

static int l_stop(lua_State *L)
{
    struct lua_cluster *c;
    int i = node_verb_prologue(L, &c, "stop");
    struct host *h = host_of(c, i);
    if (h->state != HOST_UP || c->nodes[i].stopping) {
        return lua_run_error(L, "stop: %s is not running (it is %s)", c->nodes[i].name,
                             c->nodes[i].stopping ? "stopping" : host_state_name(h->state));
    }
    lua_cluster_begin_stop(c, i);
    lua_cluster_fault_begin(c, "stop", c->nodes[i].name);
    return 0;
}

static void resume_tick(void *ctx, uint64_t arg)
{
    struct lua_cluster *c = ctx;
    struct host *h = host_of(c, (int)arg);
    if (h->state == HOST_PAUSED) {
        host_resume(h);
        faults_end_matching(c, "pause", c->nodes[arg].name);
    }
}

static int l_pause(lua_State *L)
{
    struct lua_cluster *c;
    int i = node_verb_prologue(L, &c, "pause");
    struct host *h = host_of(c, i);
    if (h->state != HOST_UP) {
        return lua_run_error(L, "pause: %s is not running (it is %s)", c->nodes[i].name,
                             host_state_name(h->state));
    }
    time_ns d = lua_isnoneornil(L, 3) ? -1 : lua_run_duration_arg(L, 3, "pause");
    host_pause(h);
    lua_cluster_fault_begin(c, "pause", c->nodes[i].name);
    if (d >= 0) {
        world_at(c->w, time_add(world_now(c->w), d), resume_tick, c, (uint64_t)i);
    }
    return 0;
}

static int l_resume(lua_State *L)
{
    struct lua_cluster *c;
    int i = node_verb_prologue(L, &c, "resume");
    if (host_of(c, i)->state != HOST_PAUSED) {
        return lua_run_error(L, "resume: %s is not paused", c->nodes[i].name);
    }
    resume_tick(c, (uint64_t)i);
    return 0;
}

/* ---- the network ---------------------------------------------------------------------------- */

static int others_of(struct lua_cluster *c, const int *set, int n, int *out)
{
    int m = 0;
    for (int i = 0; i < c->node_count; i++) {
        bool in = false;
        for (int k = 0; k < n; k++) {
            in |= set[k] == i;
        }
        if (!in) {
            out[m++] = i;
        }
    }
    return m;
}

static void group_targets(struct lua_cluster *c, const int *a, int an, const char *sep,
                          const int *b, int bn, char *buf, size_t cap)
{
    struct text t = text_init(buf, cap);
    names_into(c, a, an, &t);
    text_printf(&t, " %s ", sep);
    names_into(c, b, bn, &t);
    targets_done(&t, buf, cap);
}

static void disjoint(lua_State *L, struct lua_cluster *c, const int *a, int an, const int *b,
                     int bn, const char *verb)
{
    for (int i = 0; i < an; i++) {
        for (int k = 0; k < bn; k++) {
            if (a[i] == b[k]) {
                lua_run_error(L, "%s: %s is on both sides", verb, c->nodes[a[i]].name);
            }
        }
    }
}

/* c:partition(a [, b]): no frame crosses between the sets; b defaults to every other node. */
static int l_partition(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int a[LUA_CLUSTER_NODES_MAX], b[LUA_CLUSTER_NODES_MAX + 1];
    int an = lua_cluster_nodes_arg(L, c, 2, "partition", a, LUA_CLUSTER_NODES_MAX);
    int bn = lua_isnoneornil(L, 3)
                 ? others_of(c, a, an, b)
                 : lua_cluster_nodes_arg(L, c, 3, "partition", b, LUA_CLUSTER_NODES_MAX);
    disjoint(L, c, a, an, b, bn, "partition");
    if (bn == 0) {
        return lua_run_error(L, "partition: the other side is empty");
    }
    net_partition(&c->w->net, a, an, b, bn);
    char t[96];
    group_targets(c, a, an, "|", b, bn, t, sizeof t);
    lua_cluster_fault_begin(c, "partition", t);
    return 0;
}

static int l_cut(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int a[LUA_CLUSTER_NODES_MAX], b[LUA_CLUSTER_NODES_MAX];
    int an = lua_cluster_nodes_arg(L, c, 2, "cut", a, LUA_CLUSTER_NODES_MAX);
    int bn = lua_isnoneornil(L, 3) ? others_of(c, a, an, b)
                                   : lua_cluster_nodes_arg(L, c, 3, "cut", b,
                                                           LUA_CLUSTER_NODES_MAX);
    disjoint(L, c, a, an, b, bn, "cut");
    net_cut_oneway(&c->w->net, a, an, b, bn);
    char t[96];
    group_targets(c, a, an, "->", b, bn, t, sizeof t);
    lua_cluster_fault_begin(c, "one-way-cut", t);
    return 0;
}

/* c:bridge(a, n, b): a and b cannot talk to each other, both talk to n. */
static int l_bridge(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int a[LUA_CLUSTER_NODES_MAX], b[LUA_CLUSTER_NODES_MAX];
    int an = lua_cluster_nodes_arg(L, c, 2, "bridge", a, LUA_CLUSTER_NODES_MAX);
    int mid = lua_cluster_node_arg(L, c, 3, "bridge");
    int bn = lua_cluster_nodes_arg(L, c, 4, "bridge", b, LUA_CLUSTER_NODES_MAX);
    disjoint(L, c, a, an, b, bn, "bridge");
    disjoint(L, c, a, an, &mid, 1, "bridge");
    disjoint(L, c, b, bn, &mid, 1, "bridge");
    net_bridge(&c->w->net, a, an, mid, b, bn);
    char t[96];
    struct text tx = text_init(t, sizeof t);
    names_into(c, a, an, &tx);
    text_printf(&tx, " | %s | ", c->nodes[mid].name);
    names_into(c, b, bn, &tx);
    targets_done(&tx, t, sizeof t);
    lua_cluster_fault_begin(c, "bridge", t);
    return 0;
}

static int l_isolate(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int i = lua_cluster_node_arg(L, c, 2, "isolate");
    net_isolate(&c->w->net, i);
    lua_cluster_fault_begin(c, "isolate", c->nodes[i].name);
    return 0;
}

static const char *const net_kinds[] = {"partition", "one-way-cut", "bridge", "isolate",
                                        "link", "slow-net", NULL};

static void heal_network(struct lua_cluster *c)
{
    net_heal(&c->w->net);
    struct net_link_cfg calm = net_link_default();
    net_set_all_links(&c->w->net, &calm);
    for (int k = 0; net_kinds[k] != NULL; k++) {
        faults_end_matching(c, net_kinds[k], NULL);
    }
}

static int l_heal(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    heal_network(c);
    return 0;
}

static uint32_t ppm_field(lua_State *L, int t, const char *name, const char *verb)
{
    lua_getfield(L, t, name);
    uint32_t v = 0;
    if (!lua_isnil(L, -1)) {
        lua_Number p = lua_tonumber(L, -1);
        if (!lua_isnumber(L, -1) || !(p >= 0 && p <= 1)) {
            lua_run_error(L, "%s: %s wants a chance from 0 to 1, got %s", verb, name,
                          sandbox_tostring(L, -1));
        }
        v = (uint32_t)(p * RNG_PPM + 0.5);
    }
    lua_pop(L, 1);
    return v;
}

static time_ns time_field(lua_State *L, int t, const char *name, const char *verb, time_ns def)
{
    lua_getfield(L, t, name);
    char what[64];
    snprintf(what, sizeof what, "%s %s", verb, name);
    time_ns v = lua_isnil(L, -1) ? def : lua_run_duration_arg(L, -1, what);
    lua_pop(L, 1);
    return v;
}

/* A vm sysctl in centiseconds, as /proc/sys/vm takes it: a whole number from 0 to INT_MAX
 * (proc_dointvec, with 0 as its minimum). Returns -1 when the field is absent. */
static int64_t centisecs_field(lua_State *L, int t, const char *name, const char *verb)
{
    lua_getfield(L, t, name);
    int64_t v = -1;
    if (!lua_isnil(L, -1)) {
        int exact = 0;
        lua_Integer n = lua_tointegerx(L, -1, &exact);
        if (!exact || lua_type(L, -1) != LUA_TNUMBER || n < 0 || n > INT32_MAX) {
            lua_run_error(L, "%s: %s wants a whole number of centiseconds from 0 to %" PRId32
                          " (as /proc/sys/vm/%s takes it: 100 = 1 s), got %s",
                          verb, name, INT32_MAX, name,
                          lua_type(L, -1) == LUA_TNUMBER ? sandbox_tostring(L, -1)
                                                         : luaL_typename(L, -1));
        }
        v = (int64_t)n;
    }
    lua_pop(L, 1);
    return v;
}

/* A byte count, a whole number >= 0 (0 = none). Returns -1 when the field is absent. */
static int64_t bytes_field(lua_State *L, int t, const char *name, const char *verb)
{
    lua_getfield(L, t, name);
    int64_t v = -1;
    if (!lua_isnil(L, -1)) {
        int exact = 0;
        lua_Integer n = lua_tointegerx(L, -1, &exact);
        if (!exact || lua_type(L, -1) != LUA_TNUMBER || n < 0) {
            lua_run_error(L, "%s: %s wants a whole number of bytes, 0 for none, got %s", verb,
                          name,
                          lua_type(L, -1) == LUA_TNUMBER ? sandbox_tostring(L, -1)
                                                         : luaL_typename(L, -1));
        }
        v = (int64_t)n;
    }
    lua_pop(L, 1);
    return v;
}

static void check_fields(lua_State *L, int t, const char *verb, const char *const *known)
{
    const char *bad = lua_cluster_unknown_key(L, t, verb, known);
    if (bad != NULL) {
        char list[256];
        struct text tx = text_init(list, sizeof list);
        for (int k = 0; known[k] != NULL; k++) {
            text_printf(&tx, "%s%s", k ? ", " : "", known[k]);
        }
        lua_run_error(L, "%s: unknown option %s (it takes %s)", verb, bad, list);
    }
}

/* c:link(a, b, { latency =, jitter =, drop =, dup =, reorder =, bandwidth = }), both ways. */
static int l_link(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int a[LUA_CLUSTER_NODES_MAX], b[LUA_CLUSTER_NODES_MAX];
    int an = lua_cluster_nodes_arg(L, c, 2, "link", a, LUA_CLUSTER_NODES_MAX);
    int bn = lua_cluster_nodes_arg(L, c, 3, "link", b, LUA_CLUSTER_NODES_MAX);
    luaL_checktype(L, 4, LUA_TTABLE);
    static const char *const known[] = {"latency", "jitter", "drop", "dup", "reorder",
                                        "bandwidth", NULL};
    check_fields(L, 4, "link", known);
    struct net_link_cfg cfg = net_link_default();
    time_ns latency = time_field(L, 4, "latency", "link", -1);
    if (latency >= 0) {
        cfg.latency_min = cfg.latency_mean = latency;
    }
    cfg.jitter = time_field(L, 4, "jitter", "link", cfg.jitter);
    cfg.drop_ppm = ppm_field(L, 4, "drop", "link");
    cfg.duplicate_ppm = ppm_field(L, 4, "dup", "link");
    cfg.reorder_ppm = ppm_field(L, 4, "reorder", "link");
    lua_getfield(L, 4, "bandwidth");
    if (!lua_isnil(L, -1)) {
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) <= 0) {
            return lua_run_error(L, "link: bandwidth wants bytes per second, a whole number "
                                 "above 0");
        }
        cfg.bandwidth_bytes_per_s = (uint64_t)lua_tointeger(L, -1);
    }
    for (int i = 0; i < an; i++) {
        for (int k = 0; k < bn; k++) {
            if (a[i] == b[k]) {
                continue; /* loopback is not the network (net_set_all_links) */
            }
            net_set_link(&c->w->net, a[i], b[k], &cfg);
            net_set_link(&c->w->net, b[k], a[i], &cfg);
        }
    }
    char t[96];
    group_targets(c, a, an, "<->", b, bn, t, sizeof t);
    lua_cluster_fault_begin(c, "link", t);
    return 0;
}

/* c:slow(n, { net = extra latency, disk = extra fsync time }) */
static int l_slow(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int i = lua_cluster_node_arg(L, c, 2, "slow");
    luaL_checktype(L, 3, LUA_TTABLE);
    static const char *const known[] = {"net", "disk", NULL};
    check_fields(L, 3, "slow", known);
    time_ns net = time_field(L, 3, "net", "slow", -1);
    time_ns disk = time_field(L, 3, "disk", "slow", -1);
    if (net >= 0) {
        int hosts = c->node_count + 1;
        for (int k = 0; k < hosts; k++) {
            if (k == i) {
                continue;
            }
            struct net_link_cfg out = *net_link_cfg(&c->w->net, i, k);
            struct net_link_cfg in = *net_link_cfg(&c->w->net, k, i);
            out.latency_min += net;
            out.latency_mean += net;
            in.latency_min += net;
            in.latency_mean += net;
            net_set_link(&c->w->net, i, k, &out);
            net_set_link(&c->w->net, k, i, &in);
        }
        lua_cluster_fault_begin(c, "slow-net", c->nodes[i].name);
    }
    if (disk >= 0) {
        disk_set_slow(&host_of(c, i)->disk, disk);
        faults_end_matching(c, "slow-disk", c->nodes[i].name);
        if (disk > 0) {
            lua_cluster_fault_begin(c, "slow-disk", c->nodes[i].name);
        }
    }
    return 0;
}

/* ---- time and disks -------------------------------------------------------------------------- */

static int l_drift(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int i = lua_cluster_node_arg(L, c, 2, "drift");
    lua_Number rate = luaL_checknumber(L, 3);
    if (!(rate >= 0.01 && rate <= 100)) {
        return lua_run_error(L, "drift: rate wants a clock speed from 0.01 to 100 (1 = exact, "
                             "1.001 = a clock 0.1%% fast), got %g", (double)rate);
    }
    host_set_clock_rate(host_of(c, i), (int64_t)(rate * 1e6 + 0.5));
    faults_end_matching(c, "clock-drift", c->nodes[i].name);
    if ((int64_t)(rate * 1e6 + 0.5) != 1000000) {
        lua_cluster_fault_begin(c, "clock-drift", c->nodes[i].name);
    }
    return 0;
}

static int l_jump(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int i = lua_cluster_node_arg(L, c, 2, "jump");
    time_ns d = lua_run_duration_arg(L, 3, "jump");
    host_clock_jump(host_of(c, i), d);
    int f = lua_cluster_fault_begin(c, "clock-jump", c->nodes[i].name);
    lua_cluster_fault_end(c, f);
    return 0;
}

/* c:disk's sysctl fields: the ones given change, the others keep the host's values. */
static void disk_vm_fields(lua_State *L, int t, struct disk *d)
{
    int64_t writeback = centisecs_field(L, t, "dirty_writeback_centisecs", "disk");
    int64_t expire = centisecs_field(L, t, "dirty_expire_centisecs", "disk");
    int64_t background = bytes_field(L, t, "dirty_background_bytes", "disk");
    if (writeback < 0 && expire < 0 && background < 0) {
        return;
    }
    struct disk_vm vm = d->cfg.vm;
    if (writeback >= 0) {
        vm.dirty_writeback_centisecs = (uint32_t)writeback;
    }
    if (expire >= 0) {
        vm.dirty_expire_centisecs = (uint32_t)expire;
    }
    if (background >= 0) {
        vm.dirty_background_bytes = (uint64_t)background;
    }
    disk_set_vm(d, &vm);
}

/* c:disk(n, { full =, stall =, corrupt =, slow =, lose_unsynced =, dirty_writeback_centisecs =,
 * dirty_expire_centisecs =, dirty_background_bytes = }). The last three are the host's vm
 * sysctls (world/disk.h, kernel writeback): settings, not faults, so they are not in the fault
 * log and recover leaves them. */
static int l_disk(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int i = lua_cluster_node_arg(L, c, 2, "disk");
    luaL_checktype(L, 3, LUA_TTABLE);
    static const char *const known[] = {"full",
                                        "stall",
                                        "corrupt",
                                        "slow",
                                        "lose_unsynced",
                                        "dirty_writeback_centisecs",
                                        "dirty_expire_centisecs",
                                        "dirty_background_bytes",
                                        NULL};
    check_fields(L, 3, "disk", known);
    struct disk *d = &host_of(c, i)->disk;
    const char *name = c->nodes[i].name;
    lua_getfield(L, 3, "full");
    if (!lua_isnil(L, -1)) {
        bool full = lua_toboolean(L, -1);
        disk_set_capacity(d, full ? (disk_used_bytes(d) > 0 ? disk_used_bytes(d) : 1) : 0);
        faults_end_matching(c, "disk-full", name);
        if (full) {
            lua_cluster_fault_begin(c, "disk-full", name);
        }
    }
    lua_pop(L, 1);
    time_ns stall = time_field(L, 3, "stall", "disk", -1);
    if (stall >= 0) {
        disk_stall(d, time_add(world_now(c->w), stall));
        int f = lua_cluster_fault_begin(c, "disk-stall", name);
        if (f >= 0) {
            fault_log_end(&c->faults, f, time_add(world_now(c->w), stall)); /* known already */
        }
    }
    uint32_t corrupt = ppm_field(L, 3, "corrupt", "disk");
    lua_getfield(L, 3, "corrupt");
    if (!lua_isnil(L, -1)) {
        disk_set_read_corruption(d, corrupt);
        faults_end_matching(c, "disk-corrupt", name);
        if (corrupt > 0) {
            lua_cluster_fault_begin(c, "disk-corrupt", name);
        }
    }
    lua_pop(L, 1);
    time_ns slow = time_field(L, 3, "slow", "disk", -1);
    if (slow >= 0) {
        disk_set_slow(d, slow);
        faults_end_matching(c, "slow-disk", name);
        if (slow > 0) {
            lua_cluster_fault_begin(c, "slow-disk", name);
        }
    }
    lua_getfield(L, 3, "lose_unsynced");
    if (!lua_isnil(L, -1)) {
        c->nodes[i].lose_unsynced = lua_toboolean(L, -1);
    }
    lua_pop(L, 1);
    disk_vm_fields(L, 3, d);
    return 0;
}

/* Everything back: the network, paused and stopped nodes, clocks and disks. */
void lua_cluster_recover(struct lua_cluster *c)
{
    heal_network(c);
    for (int i = 0; i < c->node_count; i++) {
        struct host *h = host_of(c, i);
        if (h->state == HOST_PAUSED) {
            host_resume(h);
        }
        if (h->state == HOST_UP && c->nodes[i].stopping) {
            host_stop(h); /* an operator whose rolling restart is over starts it again */
            c->nodes[i].stopping = false;
        }
        if (h->clock_rate_ppm != 1000000) {
            host_set_clock_rate(h, 1000000);
        }
        disk_set_slow(&h->disk, 0);
        disk_set_capacity(&h->disk, 0);
        disk_set_read_corruption(&h->disk, 0);
        if (c->started) {
            lua_cluster_start_node(c, i);
        }
    }
    fault_log_end_all(&c->faults, world_now(c->w));
}

static int l_recover(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    lua_nemesis_stop(c);
    lua_cluster_recover(c);
    return 0;
}

/* ---- topics, through the admin client -------------------------------------------------- */

/* config = { ["min.insync.replicas"] = 2 } as CreateTopics' "k=v,k=v". */
static void admin_configs(lua_State *L, int t, const char *verb, struct admin_call *call)
{
    static char keys[32][96];
    int n = user_config_keys(L, t, verb, keys, 32);
    struct text tx = text_init(call->configs, sizeof call->configs);
    for (int k = 0; k < n; k++) {
        lua_getfield(L, t, keys[k]);
        char v[256];
        if (!value_text(L, -1, v, sizeof v) || strchr(v, ',') != NULL) {
            lua_run_error(L, "%s: config %s wants one value without commas", verb, keys[k]);
        }
        text_printf(&tx, "%s%s=%s", k ? "," : "", keys[k], v);
        lua_pop(L, 1);
    }
    if (!text_fits(&tx)) {
        lua_run_error(L, "%s: the topic's configs pass %zu bytes", verb, sizeof call->configs);
    }
}

/* assignment = { {4, 5}, {5, 4} } as "4,5;5,4". */
static void admin_assignment(lua_State *L, int t, const char *verb, struct admin_call *call)
{
    struct text tx = text_init(call->assignment, sizeof call->assignment);
    for (lua_Integer p = 1; p <= (lua_Integer)lua_rawlen(L, t); p++) {
        lua_rawgeti(L, t, p);
        if (!lua_istable(L, -1)) {
            lua_run_error(L, "%s: assignment wants { {4, 5}, {5, 4} }", verb);
        }
        for (lua_Integer r = 1; r <= (lua_Integer)lua_rawlen(L, -1); r++) {
            lua_rawgeti(L, -1, r);
            if (!lua_isinteger(L, -1)) {
                lua_run_error(L, "%s: assignment lists node ids", verb);
            }
            text_printf(&tx, "%s%lld", r > 1 ? "," : p > 1 ? ";" : "",
                        (long long)lua_tointeger(L, -1));
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    if (!text_fits(&tx)) {
        lua_run_error(L, "%s: the assignment is too long", verb);
    }
}

/* The options table of an admin verb at `opts`. */
static void admin_options(lua_State *L, struct lua_cluster *c, int opts, const char *verb,
                          struct admin_call *call)
{
    static const char *const known[] = {"partitions", "replication_factor", "config",
                                        "assignment", "via", "auto_create", "partition",
                                        "type", NULL};
    check_fields(L, opts, verb, known);
    lua_getfield(L, opts, "via");
    if (!lua_isnil(L, -1)) {
        call->to_host = lua_cluster_node_arg(L, c, -1, verb);
    }
    lua_pop(L, 1);
    bool elect = call->api_key == KAFKA_API_ELECT_LEADERS;
    call->partitions = (int32_t)int_field(L, opts, elect ? "partition" : "partitions",
                                          call->partitions, -1, 100000);
    call->replication_factor = (int16_t)int_field(L, opts, "replication_factor", -1, -1, 32767);
    lua_getfield(L, opts, "auto_create");
    call->allow_auto_create = lua_toboolean(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, opts, "type");
    if (!lua_isnil(L, -1)) {
        const char *type = lua_tostring(L, -1);
        if (type != NULL && strcmp(type, "unclean") == 0) {
            call->election_type = ELECTION_TYPE_UNCLEAN;
        } else if (type == NULL || strcmp(type, "preferred") != 0) {
            lua_run_error(L, "%s: type is \"preferred\" or \"unclean\"", verb);
        }
    }
    lua_pop(L, 1);
    lua_getfield(L, opts, "config");
    if (lua_istable(L, -1)) {
        admin_configs(L, lua_gettop(L), verb, call);
    } else if (!lua_isnil(L, -1)) {
        lua_run_error(L, "%s: config wants a table of topic configs", verb);
    }
    lua_pop(L, 1);
    lua_getfield(L, opts, "assignment");
    if (lua_istable(L, -1)) {
        admin_assignment(L, lua_gettop(L), verb, call);
    }
    lua_pop(L, 1);
}

/* c:_admin(api, verb, topic, opts): starts an admin call; lib/kraft.lua waits for it. */
static int l_admin(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    need_started(L, c, "admin");
    static const struct {
        const char *name;
        int16_t api_key;
    } apis[] = {{"create", KAFKA_API_CREATE_TOPICS},
                {"delete", KAFKA_API_DELETE_TOPICS},
                {"metadata", KAFKA_API_METADATA},
                {"elect", KAFKA_API_ELECT_LEADERS}};
    const char *api = luaL_checkstring(L, 2);
    const char *verb = luaL_checkstring(L, 3);
    size_t tlen;
    const char *topic = luaL_checklstring(L, 4, &tlen);
    /* --bootstrap-server: the first broker (a dedicated controller has no client listener). */
    int bootstrap = 0;
    while (bootstrap < c->node_count - 1 && !c->nodes[bootstrap].broker) {
        bootstrap++;
    }
    struct admin_call call = {.to_host = bootstrap, .partitions = -1, .replication_factor = -1};
    for (size_t k = 0; k < sizeof apis / sizeof apis[0]; k++) {
        call.api_key = strcmp(apis[k].name, api) == 0 ? apis[k].api_key : call.api_key;
    }
    KS_ASSERT(call.api_key != 0); /* lib/kraft.lua names one of the four */
    if (call.api_key == KAFKA_API_ELECT_LEADERS) {
        call.partitions = 0;
        call.election_type = ELECTION_TYPE_PREFERRED;
    }
    if (tlen == 0 || tlen >= sizeof call.topic) {
        return lua_run_error(L, "%s: a topic name has 1 to %zu characters", verb,
                             sizeof call.topic - 1);
    }
    memcpy(call.topic, topic, tlen + 1);
    if (lua_istable(L, 5)) {
        admin_options(L, c, 5, verb, &call);
    } else if (!lua_isnoneornil(L, 5)) {
        return lua_run_error(L, "%s: options are a table", verb);
    }
    c->admin_busy = true;
    admin_start(host_of(c, c->admin_host)->proc, &call);
    return 0;
}

/* c:_admin_done(): nil while the call runs; then ok (true), or nil, "ERROR_NAME: message",
 * and the answer's partitions for Metadata. */
static int l_admin_done(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    const struct admin_outcome *o = admin_outcome(host_of(c, c->admin_host)->proc);
    if (!o->done) {
        lua_pushboolean(L, 0);
        return 1;
    }
    c->admin_busy = false;
    lua_pushboolean(L, 1);
    if (o->error == KAFKA_NONE) {
        lua_pushboolean(L, 1);
        lua_pushnil(L);
    } else {
        lua_pushnil(L);
        lua_pushfstring(L, "%s%s%s", kafka_error_name(o->error), o->message[0] ? ": " : "",
                        o->message);
    }
    lua_createtable(L, o->partition_count, 0);
    for (int32_t p = 0; p < o->partition_count; p++) {
        const struct admin_partition *ap = &o->partitions[p];
        lua_createtable(L, 0, 5);
        lua_pushinteger(L, ap->id);
        lua_setfield(L, -2, "partition");
        lua_pushinteger(L, ap->leader);
        lua_setfield(L, -2, "leader");
        lua_pushinteger(L, ap->leader_epoch);
        lua_setfield(L, -2, "leader_epoch");
        lua_createtable(L, ap->replica_count, 0);
        for (int32_t k = 0; k < ap->replica_count; k++) {
            lua_pushinteger(L, ap->replicas[k]);
            lua_rawseti(L, -2, k + 1);
        }
        lua_setfield(L, -2, "replicas");
        lua_createtable(L, ap->isr_count, 0);
        for (int32_t k = 0; k < ap->isr_count; k++) {
            lua_pushinteger(L, ap->isr[k]);
            lua_rawseti(L, -2, k + 1);
        }
        lua_setfield(L, -2, "isr");
        lua_rawseti(L, -2, p + 1);
    }
    return 4;
}

static int l_admin_busy(lua_State *L)
{
    lua_pushboolean(L, lua_cluster_check(L, 1)->admin_busy);
    return 1;
}

static int cluster_gc(lua_State *L)
{
    struct lua_cluster **p = luaL_checkudata(L, 1, cluster_mt);
    /* A cluster that never got a world (its config was refused) is freed here; one with a
     * world is freed by lua_cluster_finish. */
    if (*p != NULL && (*p)->w == NULL) {
        free(*p);
    }
    *p = NULL;
    return 0;
}

static int cluster_tostring(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    lua_pushfstring(L, "cluster of %d nodes", c->node_count);
    return 1;
}

void lua_cluster_open(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"start", l_start},         {"crash", l_crash},       {"power_fail", l_power_fail},
        {"restart", l_restart},     {"stop", l_stop},         {"pause", l_pause},
        {"resume", l_resume},       {"partition", l_partition}, {"cut", l_cut},
        {"bridge", l_bridge},       {"isolate", l_isolate},   {"heal", l_heal},
        {"link", l_link},           {"slow", l_slow},         {"drift", l_drift},
        {"jump", l_jump},           {"disk", l_disk},         {"recover", l_recover},
        {"_admin", l_admin},        {"_admin_done", l_admin_done},
        {"_admin_busy", l_admin_busy}, {NULL, NULL}};
    luaL_newmetatable(L, cluster_mt);
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, cluster_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, cluster_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_getfield(L, -1, "__index");
    lua_views_register(L);
    lua_views_seed_register(L);
    lua_nemesis_register(L);
    lua_workload_register(L);
    lua_clients_register(L);
    lua_pop(L, 2);
    lua_getglobal(L, "kraft");
    lua_pushcfunction(L, l_cluster);
    lua_setfield(L, -2, "cluster");
    lua_load_register(L);
    lua_pop(L, 1);
    lua_checks_register(L);
    lua_getglobal(L, "check");
    lua_pushcfunction(L, l_settle_watch);
    lua_setfield(L, -2, "_settle_watch");
    lua_pushcfunction(L, l_settled_at);
    lua_setfield(L, -2, "_settled_at");
    lua_pop(L, 1);
}

void lua_cluster_methods(lua_State *L)
{
    luaL_getmetatable(L, cluster_mt);
    lua_getfield(L, -1, "__index");
    lua_remove(L, -2);
}

/* ---- the end of the run ---------------------------------------------------------------------- */

/* Each checker's violations, counted into the run's result by checker. */
static void add_result(struct run_result *into, const struct run_result *from)
{
    for (int k = 0; k < from->checker_count; k++) {
        const struct checker_count *cc = &from->checkers[k];
        for (uint32_t v = 0; v < cc->violations; v++) {
            /* The first one keeps its text; the rest only count. */
            run_result_violation(into, cc->name, v == 0 ? cc->first : "");
        }
    }
}

void lua_cluster_finish(struct lua_run *r)
{
    struct lua_cluster *c = r->cluster;
    if (c == NULL) {
        return;
    }
    FILE *out = r->opts->out;
    struct run_result *res = r->result;
    lua_clients_free(c); /* judges a history check.history() did not */
    add_result(res, &c->history_result);
    add_result(res, &c->raft_result);
    add_result(res, &c->parts_result);
    add_result(res, &c->fencing_result);
    add_result(res, &c->liveness_result);
    KS_ASSERT(world_check(c->w));
    trace_emitf(&c->w->trace, world_now(c->w), TRACE_HOST_NONE, TRACE_RUN_END, "violations=%u",
                res->violations);
    if (r->error[0] == '\0') {
        fprintf(out, "release: %s\n", c->switches);
        fprintf(out, "cluster: %d nodes (%d voters)\n", c->node_count, c->voter_count);
        fault_log_print(&c->faults, out);
    }
    snprintf(res->switches, sizeof res->switches, "%s", c->switches);
    res->faults = fault_log_total(&c->faults);
    res->disk_peak_bytes = c->w->disks.peak;
    if (r->opts->db != NULL) {
        lua_record_faults(r->opts->db, &c->faults);
        /* The partition checker sees records, not the world: it traces nothing, so its
         * violations go in here, the first with its evidence. */
        const struct checker_count *pc = run_result_checker(&c->parts_result, "partitions");
        if (pc != NULL) {
            char text[400];
            snprintf(text, sizeof text, "%s (%u in all)", pc->first, pc->violations);
            run_db_violation(r->opts->db, "partitions", -1, text);
        }
    }
    res->trace_hash = trace_hash(&c->w->trace);
    res->trace_events = c->w->trace.event_count;
    res->sched_events = sched_fired_count(&c->w->sched);
    res->virtual_end = world_now(c->w);
    res->elections = c->w->trace.kind_counts[TRACE_RAFT_BECAME_LEADER];
    partition_checker_free(&c->parts);
    raft_checker_free(&c->raft);
    world_destroy(c->w);
    r->world = NULL;
    r->cluster = NULL;
    /* The userdata outlives this (lua_close collects it next): it must not see c again. */
    *c->ud = NULL;
    free(c);
}
