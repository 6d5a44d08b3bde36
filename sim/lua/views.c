/* views.c — what a scenario can look at: nodes, the quorum, topics, as tables and as text. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "config.h"
#include "lifecycle.h"
#include "lua/cluster.h"
#include "metadata/image.h"
#include "protocol/kraft_rpc.h"
#include "raft/listener.h"
#include "raft/quorum.h"
#include "tools/describe.h"
#include "world/world.h"

static struct host *host_of(struct lua_cluster *c, int i) { return world_host(c->w, i); }

static const struct quorum *quorum_of(struct lua_cluster *c, int i)
{
    struct host *h = host_of(c, i);
    return h->state == HOST_UP && h->proc != NULL ? node_quorum(h->proc) : NULL;
}

int lua_cluster_leader(struct lua_cluster *c)
{
    int best = -1;
    int32_t best_epoch = -1;
    for (int i = 0; i < c->node_count; i++) {
        const struct quorum *q = c->nodes[i].controller ? quorum_of(c, i) : NULL;
        if (q != NULL && q->role == QUORUM_LEADER && q->election.epoch > best_epoch) {
            best = i;
            best_epoch = q->election.epoch;
        }
    }
    return best;
}

static int l_leader(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int i = lua_cluster_leader(c);
    if (i < 0) {
        lua_pushnil(L);
    } else {
        lua_pushinteger(L, c->nodes[i].id);
    }
    return 1;
}

static int l_epoch(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int32_t epoch = -1;
    for (int i = 0; i < c->node_count; i++) {
        const struct quorum *q = c->nodes[i].controller ? quorum_of(c, i) : NULL;
        if (q != NULL && q->election.epoch > epoch) {
            epoch = q->election.epoch;
        }
    }
    if (epoch < 0) {
        lua_pushnil(L);
    } else {
        lua_pushinteger(L, epoch);
    }
    return 1;
}

/* An array of node ids: those for which keep(node) holds. */
static void push_ids(lua_State *L, struct lua_cluster *c, bool (*keep)(const struct lua_node *),
                     const int *except, int except_count)
{
    lua_newtable(L);
    int n = 0;
    for (int i = 0; i < c->node_count; i++) {
        bool out = false;
        for (int k = 0; k < except_count; k++) {
            out |= except[k] == i;
        }
        if (!out && (keep == NULL || keep(&c->nodes[i]))) {
            lua_pushinteger(L, c->nodes[i].id);
            lua_rawseti(L, -2, ++n);
        }
    }
}

static bool is_controller(const struct lua_node *n) { return n->controller; }
static bool is_broker(const struct lua_node *n) { return n->broker; }

static int l_nodes(lua_State *L)
{
    push_ids(L, lua_cluster_check(L, 1), NULL, NULL, 0);
    return 1;
}

static int l_controllers(lua_State *L)
{
    push_ids(L, lua_cluster_check(L, 1), is_controller, NULL, 0);
    return 1;
}

static int l_brokers(lua_State *L)
{
    push_ids(L, lua_cluster_check(L, 1), is_broker, NULL, 0);
    return 1;
}

static int l_others(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int set[LUA_CLUSTER_NODES_MAX];
    int n = lua_cluster_nodes_arg(L, c, 2, "others", set, LUA_CLUSTER_NODES_MAX);
    push_ids(L, c, NULL, set, n);
    return 1;
}

static int l_name(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    lua_pushstring(L, c->nodes[lua_cluster_node_arg(L, c, 2, "name")].name);
    return 1;
}

static void set_int(lua_State *L, const char *k, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

static void set_str(lua_State *L, const char *k, const char *v)
{
    lua_pushstring(L, v);
    lua_setfield(L, -2, k);
}

/* The committed image as the active controller's node applied it (NULL if no leader). */
static const struct metadata_image *leader_image(struct lua_cluster *c)
{
    int l = lua_cluster_leader(c);
    return l >= 0 ? &node_listener(host_of(c, l)->proc)->image : NULL;
}

/* c:node(n): { id, name, roles, host, refused, role, epoch, leader, voted, leo, hw, broker_state,
 * fenced } */
static int l_node(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int i = lua_cluster_node_arg(L, c, 2, "node");
    const struct lua_node *n = &c->nodes[i];
    struct host *h = host_of(c, i);
    lua_newtable(L);
    set_int(L, "id", n->id);
    set_str(L, "name", n->name);
    set_str(L, "roles", n->broker && n->controller ? "broker,controller"
                        : n->broker                ? "broker"
                                                   : "controller");
    set_str(L, "host", n->stopping && h->state == HOST_UP ? "stopping" : host_state_name(h->state));
    lua_pushboolean(L, n->controller);
    lua_setfield(L, -2, "voter");
    /* Fenced is the active controller's word, so a paused or crashed broker has it too. */
    const struct metadata_image *img = n->broker ? leader_image(c) : NULL;
    const struct image_broker *b = img != NULL ? metadata_image_broker(img, n->id) : NULL;
    if (b != NULL) {
        lua_pushboolean(L, b->fenced);
        lua_setfield(L, -2, "fenced");
    }
    if (n->refused[0] != '\0') {
        set_str(L, "refused", n->refused); /* its last start refused, and said why */
    }
    if (h->state != HOST_UP || h->proc == NULL) {
        return 1; /* a process that is not running shows nothing of its own state */
    }
    struct quorum_view v;
    quorum_view(node_quorum(h->proc), &v);
    set_str(L, "role", quorum_role_name(v.role));
    set_int(L, "epoch", v.epoch);
    if (v.leader_id >= 0) {
        set_int(L, "leader", v.leader_id);
    }
    if (v.voted_id >= 0) {
        set_int(L, "voted", v.voted_id);
    }
    set_int(L, "leo", v.log_end_offset);
    set_int(L, "hw", v.high_watermark);
    set_int(L, "applied", node_listener(h->proc)->applied_offset);
    const struct lifecycle *lc = node_lifecycle(h->proc);
    if (lc != NULL) {
        set_str(L, "broker_state", lifecycle_state_name(lc->state));
        set_int(L, "broker_epoch", lc->broker_epoch);
    }
    return 1;
}

static int view_tostring(lua_State *L)
{
    lua_getfield(L, 1, "text");
    return 1;
}

static void set_view_metatable(lua_State *L, char *text, size_t len)
{
    lua_pushlstring(L, text, len);
    lua_setfield(L, -2, "text");
    lua_newtable(L);
    lua_pushcfunction(L, view_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_setmetatable(L, -2);
    free(text);
}

/* c:describe_quorum(): kafka-metadata-quorum.sh describe --status and --replication. */
static int l_describe_quorum(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int l = lua_cluster_leader(c);
    if (l < 0) {
        lua_pushnil(L);
        lua_pushliteral(L, "no quorum leader");
        return 2;
    }
    struct wire_arena a;
    wire_arena_init(&a);
    struct describe_quorum_response resp;
    KS_ASSERT(quorum_describe(node_quorum(host_of(c, l)->proc), &a, &resp));
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    KS_ASSERT(out != NULL);
    struct describe_endpoint eps[LUA_CLUSTER_NODES_MAX];
    int ne = 0;
    for (int i = 0; i < c->node_count; i++) {
        if (c->nodes[i].controller) {
            eps[ne++] = (struct describe_endpoint){c->nodes[i].id, c->nodes[i].name, 9093};
        }
    }
    const char *broker = NULL;
    for (int i = 0; i < c->node_count && broker == NULL; i++) {
        broker = c->nodes[i].broker ? c->nodes[i].name : NULL;
    }
    int shown = describe_quorum_at_version(
        &resp, c->describe_quorum_version, ne);
    if (describe_quorum_prompt(out, c->release, c->nodes[l].name, broker, "--status")) {
        describe_status(out, c->release, c->cluster_id, &resp, eps, shown);
    }
    if (describe_quorum_prompt(out, c->release, c->nodes[l].name, broker, "--replication")) {
        describe_replication(out, c->release, &resp);
    }
    fclose(out);
    lua_newtable(L);
    struct quorum_view v;
    quorum_view(node_quorum(host_of(c, l)->proc), &v);
    set_int(L, "leader", c->nodes[l].id);
    set_int(L, "epoch", v.epoch);
    set_int(L, "high_watermark", v.high_watermark);
    lua_newtable(L);
    for (int i = 0, k = 0; i < c->node_count; i++) {
        if (!c->nodes[i].controller) {
            continue;
        }
        lua_newtable(L);
        set_int(L, "id", c->nodes[i].id);
        const struct quorum *q = quorum_of(c, i);
        if (q != NULL) {
            struct quorum_view qv;
            quorum_view(q, &qv);
            set_int(L, "log_end_offset", qv.log_end_offset);
            set_str(L, "role", quorum_role_name(qv.role));
        }
        lua_rawseti(L, -2, ++k);
    }
    lua_setfield(L, -2, "voters");
    set_view_metatable(L, text, len);
    wire_arena_free(&a);
    return 1;
}

static void push_ints(lua_State *L, const struct image_ints *v)
{
    lua_createtable(L, v->count > 0 ? v->count : 0, 0);
    for (int32_t k = 0; k < v->count; k++) {
        lua_pushinteger(L, v->items[k]);
        lua_rawseti(L, -2, k + 1);
    }
}

/* The broker kafka-topics.sh would bootstrap from: the first running node with a broker
 * listener, or -1. */
static int bootstrap_broker(struct lua_cluster *c)
{
    for (int i = 0; i < c->node_count; i++) {
        if (c->nodes[i].broker && quorum_of(c, i) != NULL) {
            return i;
        }
    }
    return -1;
}

/* c:describe_topic(name): kafka-topics.sh --describe --topic name. The answer is the
 * committed metadata as the active controller's node applied it (a broker's own image may lag
 * it by a fetch); the prompt bootstraps from the first running broker, as an operator would.
 * nil, message if there is no quorum leader or no such topic. */
static int l_describe_topic(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    const char *name = luaL_checkstring(L, 2);
    const struct metadata_image *img = leader_image(c);
    const struct image_topic *t = img != NULL ? metadata_image_topic(img, name) : NULL;
    if (t == NULL) {
        lua_pushnil(L);
        lua_pushfstring(L, img == NULL ? "no quorum leader" : DESCRIBE_TOPIC_MISSING_FORMAT,
                        name);
        return 2;
    }
    int l = bootstrap_broker(c);
    l = l >= 0 ? l : lua_cluster_leader(c);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    KS_ASSERT(out != NULL);
    fprintf(out, "$ kafka-topics.sh --bootstrap-server %s:9092 --describe --topic %s\n",
            c->nodes[l].name, name);
    struct describe_tool tool = {c->release, NULL, 0};
    describe_topics(out, &tool, img, name);
    fclose(out);
    lua_newtable(L);
    set_str(L, "name", t->name);
    set_int(L, "partition_count", t->partition_count);
    lua_createtable(L, t->partition_count, 0);
    for (int32_t p = 0; p < t->partition_count; p++) {
        const struct image_partition *ip = &t->partitions[p];
        lua_newtable(L);
        set_int(L, "partition", ip->id);
        if (ip->leader >= 0) {
            set_int(L, "leader", ip->leader);
        }
        set_int(L, "leader_epoch", ip->leader_epoch);
        push_ints(L, &ip->replicas);
        lua_setfield(L, -2, "replicas");
        push_ints(L, &ip->isr);
        lua_setfield(L, -2, "isr");
        push_ints(L, &ip->elr);
        lua_setfield(L, -2, "elr");
        push_ints(L, &ip->last_known_elr);
        lua_setfield(L, -2, "last_known_elr");
        lua_pushboolean(L, ip->leader_recovery_state == METADATA_LRS_RECOVERING);
        lua_setfield(L, -2, "recovering");
        lua_rawseti(L, -2, p + 1);
    }
    lua_setfield(L, -2, "partitions");
    set_view_metatable(L, text, len);
    return 1;
}

bool lua_cluster_settled(struct lua_cluster *c)
{
    int l = lua_cluster_leader(c);
    if (l < 0) {
        return false;
    }
    const struct quorum *lq = quorum_of(c, l);
    const struct raft_listener *ll = node_listener(host_of(c, l)->proc);
    const struct metadata_image *img = &ll->image;
    uint64_t hash = metadata_image_hash(img);
    for (int i = 0; i < c->node_count; i++) {
        const struct quorum *q = quorum_of(c, i);
        if (q == NULL || c->nodes[i].stopping) {
            return false;
        }
        if (i != l && (q->election.epoch != lq->election.epoch ||
                       q->election.leader_id != c->nodes[l].id)) {
            return false;
        }
        const struct raft_listener *nl = node_listener(host_of(c, i)->proc);
        if (nl->applied_offset != ll->applied_offset || metadata_image_hash(&nl->image) != hash) {
            return false;
        }
        const struct lifecycle *lc = node_lifecycle(host_of(c, i)->proc);
        if (c->nodes[i].broker) {
            const struct image_broker *b = metadata_image_broker(img, c->nodes[i].id);
            if (lc == NULL || lc->state != LIFECYCLE_RUNNING || b == NULL || b->fenced ||
                b->epoch != lc->broker_epoch) {
                return false;
            }
        }
    }
    for (uint32_t t = 0; t < img->topic_count; t++) {
        for (int32_t p = 0; p < img->topics[t].partition_count; p++) {
            if (img->topics[t].partitions[p].leader < 0) {
                return false;
            }
        }
    }
    return lq->high_watermark >= 0;
}

static int l_settled(lua_State *L)
{
    lua_pushboolean(L, lua_cluster_settled(lua_cluster_check(L, 1)));
    return 1;
}

/* c:faults(): every fault injected so far, { kind =, targets =, start =, ["end"] = }. */
static int l_faults(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int kept = fault_log_kept(&c->faults);
    lua_createtable(L, kept, 0);
    for (int f = 0; f < kept; f++) {
        const struct fault_log_entry *e = &c->faults.entries[f];
        lua_newtable(L);
        set_str(L, "kind", e->kind);
        set_str(L, "targets", e->targets);
        set_int(L, "start", e->start);
        if (e->end >= 0) {
            set_int(L, "end", e->end);
        }
        lua_rawseti(L, -2, f + 1);
    }
    return 1;
}

/* c:release(): the Kafka release the nodes run ("trunk", "3.4", ...). */
static int l_release(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    lua_pushstring(L, c->release_name);
    return 1;
}

static int l_stats(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    lua_newtable(L);
    set_int(L, "leader_changes", (lua_Integer)c->parts.leader_changes);
    set_int(L, "unclean_elections", (lua_Integer)c->parts.unclean_elections);
    set_int(L, "records_checked", (lua_Integer)c->parts.records_checked);
    set_int(L, "fences_checked", (lua_Integer)c->fencing.fences_checked);
    set_int(L, "elections", (lua_Integer)c->w->trace.kind_counts[TRACE_RAFT_BECAME_LEADER]);
    set_int(L, "session_timeout", c->nodes[0].config.broker_session_timeout);
    return 1;
}

/* ---- c:watch(kinds...) and c:events(kind): trace events a scenario can read -------------- */

#define WATCH_EVENTS_MAX 1024
#define WATCH_DETAIL_MAX 240

struct watched_event {
    time_ns time;
    int host;
    enum trace_kind kind;
    char detail[WATCH_DETAIL_MAX];
};

/* Lives in a Lua userdata (the registry holds it): the world, and so the sink, is gone before
 * lua_close collects it. */
struct watch {
    bool kinds[TRACE_KIND_COUNT];
    int count;
    uint64_t missed; /* past WATCH_EVENTS_MAX */
    struct watched_event events[WATCH_EVENTS_MAX];
};

static const char watch_key[] = "kraftsim.watch";

static void watch_event(void *ctx, const struct trace_event *ev)
{
    struct watch *w = ctx;
    if (!w->kinds[ev->kind]) {
        return;
    }
    if (w->count == WATCH_EVENTS_MAX) {
        w->missed++;
        return;
    }
    struct watched_event *e = &w->events[w->count++];
    *e = (struct watched_event){.time = ev->time, .host = ev->host, .kind = ev->kind};
    snprintf(e->detail, sizeof e->detail, "%s", trace_event_detail(ev));
}

static struct watch *watch_of(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, watch_key);
    struct watch *w = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return w;
}

static enum trace_kind kind_arg(lua_State *L, int arg, const char *verb)
{
    const char *name = luaL_checkstring(L, arg);
    for (int k = 0; k < TRACE_KIND_COUNT; k++) {
        if (strcmp(trace_kind_name((enum trace_kind)k), name) == 0) {
            return (enum trace_kind)k;
        }
    }
    return lua_run_error(L, "%s: no trace kind '%s' (a kind is what kraftsim run --trace "
                         "prints in its third column, such as vote, became-leader, resign or "
                         "node-refuse)", verb, name);
}

/* c:watch("vote", "became-leader", ...): from now on, keep those trace events for c:events. */
static int l_watch(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    if (lua_gettop(L) < 2) {
        return lua_run_error(L, "watch: name one trace kind or more, such as \"vote\"");
    }
    struct watch *w = watch_of(L);
    if (w == NULL) {
        w = lua_newuserdatauv(L, sizeof *w, 0);
        memset(w, 0, sizeof *w);
        lua_setfield(L, LUA_REGISTRYINDEX, watch_key);
        if (c->w->trace.sink_count == TRACE_SINK_MAX) {
            return lua_run_error(L, "watch: the trace has no room for another sink");
        }
        trace_add_sink(&c->w->trace, (struct trace_sink){watch_event, w});
    }
    for (int a = 2; a <= lua_gettop(L); a++) {
        w->kinds[kind_arg(L, a, "watch")] = true;
    }
    return 0;
}

/* c:events([kind]): the watched events so far, oldest first: { time, node, name, kind,
 * detail } (node and name absent for the world's own events). */
static int l_events(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    bool only = !lua_isnoneornil(L, 2);
    enum trace_kind want = only ? kind_arg(L, 2, "events") : TRACE_NOTE;
    struct watch *w = watch_of(L);
    if (only && (w == NULL || !w->kinds[want])) {
        return lua_run_error(L, "events: '%s' is not watched (call c:watch(\"%s\") first)",
                             trace_kind_name(want), trace_kind_name(want));
    }
    lua_newtable(L);
    for (int k = 0, n = 0; w != NULL && k < w->count; k++) {
        const struct watched_event *e = &w->events[k];
        if (only && e->kind != want) {
            continue;
        }
        lua_newtable(L);
        set_int(L, "time", e->time);
        if (e->host >= 0 && e->host < c->node_count) {
            set_int(L, "node", c->nodes[e->host].id);
            set_str(L, "name", c->nodes[e->host].name);
        }
        set_str(L, "kind", trace_kind_name(e->kind));
        set_str(L, "detail", e->detail);
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

void lua_views_register(lua_State *L)
{
    static const luaL_Reg views[] = {
        {"leader", l_leader},       {"epoch", l_epoch},
        {"nodes", l_nodes},         {"controllers", l_controllers},
        {"brokers", l_brokers},     {"others", l_others},
        {"name", l_name},           {"node", l_node},
        {"describe_quorum", l_describe_quorum}, {"describe_topic", l_describe_topic},
        {"_settled", l_settled},    {"faults", l_faults},
        {"stats", l_stats},         {"release", l_release},
        {"watch", l_watch},         {"events", l_events},
        {NULL, NULL}};
    luaL_setfuncs(L, views, 0);
}

/* ---- the quorum scenarios' views: convergence, the controller's brokers, the fault tally ---- */

/* c:converged(): the leader's id and high watermark when every node is running and follows
 * that leader in its epoch; nil otherwise. (The quorum's liveness: then the scenario asks the
 * high watermark to move.) */
static int l_converged(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int l = lua_cluster_leader(c);
    if (l < 0) {
        lua_pushnil(L);
        return 1;
    }
    struct quorum_view lv;
    quorum_view(quorum_of(c, l), &lv);
    for (int i = 0; i < c->node_count; i++) {
        const struct quorum *q = quorum_of(c, i);
        struct quorum_view v;
        if (q == NULL) {
            lua_pushnil(L);
            return 1;
        }
        quorum_view(q, &v);
        if (v.epoch != lv.epoch || v.leader_id != c->nodes[l].id) {
            lua_pushnil(L);
            return 1;
        }
    }
    lua_pushinteger(L, c->nodes[l].id);
    lua_pushinteger(L, lv.high_watermark);
    return 2;
}

/* c:highest_watermark(): the highest high watermark any running node reports, or -1. */
static int l_highest_watermark(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int64_t hw = -1;
    for (int i = 0; i < c->node_count; i++) {
        const struct quorum *q = quorum_of(c, i);
        if (q != NULL) {
            struct quorum_view v;
            quorum_view(q, &v);
            hw = v.high_watermark > hw ? v.high_watermark : hw;
        }
    }
    lua_pushinteger(L, hw);
    return 1;
}

/* c:image_brokers(): the brokers registered in the active controller's committed image, by
 * id: { { id =, fenced =, epoch = }, ... }; nil, "no quorum leader" without one. */
static int l_image_brokers(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    const struct metadata_image *img = leader_image(c);
    if (img == NULL) {
        lua_pushnil(L);
        lua_pushliteral(L, "no quorum leader");
        return 2;
    }
    lua_createtable(L, (int)img->broker_count, 0);
    for (uint32_t b = 0; b < img->broker_count; b++) {
        lua_createtable(L, 0, 3);
        set_int(L, "id", img->brokers[b].id);
        lua_pushboolean(L, img->brokers[b].fenced);
        lua_setfield(L, -2, "fenced");
        set_int(L, "epoch", img->brokers[b].epoch);
        lua_rawseti(L, -2, (lua_Integer)b + 1);
    }
    return 1;
}

/* c:fault_tally(): "3 faults: 2 crash, 1 isolate" (kinds in the order they first came), or
 * "no faults injected": the fault log's own tally. */
static int l_fault_tally(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    char text[512];
    fault_log_tally(&c->faults, text, sizeof text);
    lua_pushstring(L, text);
    return 1;
}

void lua_views_quorum_register(lua_State *L)
{
    static const luaL_Reg views[] = {{"converged", l_converged},
                                     {"highest_watermark", l_highest_watermark},
                                     {"image_brokers", l_image_brokers},
                                     {"fault_tally", l_fault_tally},
                                     {NULL, NULL}};
    luaL_setfuncs(L, views, 0);
}

/* ---- the seed deployment's views (scenarios/lib/seed.lua) ----------------------------------- */

/* c:led_by(n): the partitions node n leads in the committed metadata, as "topic-partition"
 * strings, topics in the image's order: what a failover clock waits to see emptied. */
static int l_led_by(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int32_t id = c->nodes[lua_cluster_node_arg(L, c, 2, "led_by")].id;
    const struct metadata_image *img = &c->parts.shadow;
    lua_newtable(L);
    int n = 0;
    for (uint32_t t = 0; t < img->topic_count; t++) {
        for (int32_t p = 0; p < img->topics[t].partition_count; p++) {
            if (img->topics[t].partitions[p].leader == id) {
                lua_pushfstring(L, "%s-%d", img->topics[t].name,
                                (int)img->topics[t].partitions[p].id);
                lua_rawseti(L, -2, ++n);
            }
        }
    }
    return 1;
}

/* c:describe_topics(): kafka-topics.sh --describe (every topic) against the committed
 * metadata of the active controller's node, with the topic-config synonyms of that node's
 * server.properties (min.insync.replicas=2 there shows on every topic); nil, message without
 * a quorum leader. */
static int l_describe_topics(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int l = lua_cluster_leader(c);
    if (l < 0) {
        lua_pushnil(L);
        lua_pushliteral(L, "no quorum leader");
        return 2;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    KS_ASSERT(out != NULL);
    fprintf(out, "$ kafka-topics.sh --bootstrap-server %s:9092 --describe\n", c->nodes[l].name);
    /* The node parsed this text at kraft.cluster{...}; parsed again, its statics are here. */
    struct kafka_config *k = malloc(sizeof *k);
    KS_ASSERT(k != NULL);
    struct config_error err;
    const char *props = c->nodes[l].properties;
    struct describe_config statics[16];
    struct describe_tool tool = {c->release, statics, 0};
    if (props[0] != '\0' &&
        config_parse(props, strlen(props), c->nodes[l].name, k, &err) == CONFIG_OK) {
        tool.broker_config_count = describe_static_topic_configs(k, statics, 16);
    }
    describe_topics(out, &tool, &node_listener(host_of(c, l)->proc)->image, NULL);
    fclose(out);
    free(k);
    if (len > 0 && text[len - 1] == '\n') {
        len--; /* print adds it */
    }
    lua_newtable(L);
    set_view_metatable(L, text, len);
    return 1;
}

/* c:leads_any(n, tps): whether node n leads any of the "topic-partition" strings in tps in
 * the committed metadata. A failover clock asks it every 10 ms, so it is C. */
static int l_leads_any(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int32_t id = c->nodes[lua_cluster_node_arg(L, c, 2, "leads_any")].id;
    luaL_checktype(L, 3, LUA_TTABLE);
    const struct metadata_image *img = &c->parts.shadow;
    bool leads = false;
    for (lua_Integer k = 1; k <= (lua_Integer)lua_rawlen(L, 3) && !leads; k++) {
        lua_rawgeti(L, 3, k);
        size_t len;
        const char *tp = lua_tolstring(L, -1, &len);
        const char *dash = tp != NULL ? strrchr(tp, '-') : NULL;
        char topic[256];
        if (dash != NULL && (size_t)(dash - tp) < sizeof topic) {
            snprintf(topic, sizeof topic, "%.*s", (int)(dash - tp), tp);
            int32_t p = (int32_t)strtol(dash + 1, NULL, 10);
            const struct image_topic *t = metadata_image_topic(img, topic);
            for (int32_t i = 0; t != NULL && i < t->partition_count; i++) {
                leads |= t->partitions[i].id == p && t->partitions[i].leader == id;
            }
        }
        lua_pop(L, 1);
    }
    lua_pushboolean(L, leads);
    return 1;
}

/* c:followed_leader(): the quorum leader's id and epoch when every running broker (combined
 * nodes too, in a controlled shutdown or not) follows it in its epoch; nil otherwise. Asked
 * every 10 ms after an active controller's crash, so it is C. */
static int l_followed_leader(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    int l = lua_cluster_leader(c);
    if (l < 0) {
        lua_pushnil(L);
        return 1;
    }
    const struct quorum *lq = quorum_of(c, l);
    for (int i = 0; i < c->node_count; i++) {
        const struct quorum *q = quorum_of(c, i);
        if (i == l || !c->nodes[i].broker || q == NULL) {
            continue;
        }
        if (q->role != QUORUM_FOLLOWER || q->election.epoch != lq->election.epoch ||
            q->election.leader_id != c->nodes[l].id) {
            lua_pushnil(L);
            return 1;
        }
    }
    lua_pushinteger(L, c->nodes[l].id);
    lua_pushinteger(L, lq->election.epoch);
    return 2;
}

void lua_views_seed_register(lua_State *L)
{
    static const luaL_Reg views[] = {{"led_by", l_led_by},
                                     {"describe_topics", l_describe_topics},
                                     {"leads_any", l_leads_any},
                                     {"followed_leader", l_followed_leader},
                                     {NULL, NULL}};
    luaL_setfuncs(L, views, 0);
}
