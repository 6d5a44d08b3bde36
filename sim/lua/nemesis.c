/* nemesis.c — c:nemesis{...}: faults at random from the run seed, one at a time. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "lua/cluster.h"
#include "lua/sandbox.h"
#include "text.h"
#include "world/world.h"

/*
 * Every `every`, the nemesis draws a fault kind from the scenario's list, a victim (the quorum
 * leader half the time, else any node) and a length (a quarter to three quarters of `every`),
 * injects it and undoes it when the length is up. Draws come from the world's "nemesis"
 * stream, so the same seed draws the same faults. It stops at `until_`, at check.liveness or
 * at c:recover(), undoing the fault it holds.
 */

struct fault_kind {
    const char *name;
    /* Injects on node `victim`; returns the fault's targets for the log in buf. False if it
     * could not (the victim is down): then nothing is injected this round. */
    bool (*inject)(struct lua_cluster *c, int victim, time_ns length, char *buf, size_t cap);
    void (*undo)(struct lua_cluster *c, int victim);
};

static struct host *host_of(struct lua_cluster *c, int i) { return world_host(c->w, i); }
static struct rng *draw(struct lua_cluster *c) { return &c->w->nemesis; }

static bool running(struct lua_cluster *c, int i)
{
    return host_of(c, i)->state == HOST_UP && !c->nodes[i].stopping;
}

static void names(struct lua_cluster *c, const int *set, int n, struct text *t)
{
    for (int k = 0; k < n; k++) {
        text_printf(t, "%s%s", k ? " " : "", set[k] < c->node_count ? c->nodes[set[k]].name
                                                                    : "admin");
    }
}

/* Splits the nodes at random into two non-empty groups (the admin client goes with a). */
static void split(struct lua_cluster *c, int *a, int *an, int *b, int *bn)
{
    *an = *bn = 0;
    uint64_t mask = 1 + rng_below(draw(c), (UINT64_C(1) << c->node_count) - 2);
    for (int i = 0; i < c->node_count; i++) {
        if (mask & (UINT64_C(1) << i)) {
            a[(*an)++] = i;
        } else {
            b[(*bn)++] = i;
        }
    }
}

static bool inject_isolate(struct lua_cluster *c, int v, time_ns len, char *buf, size_t cap)
{
    (void)len;
    net_isolate(&c->w->net, v);
    snprintf(buf, cap, "%s", c->nodes[v].name);
    return true;
}

static bool inject_split(struct lua_cluster *c, int v, time_ns len, char *buf, size_t cap)
{
    (void)v;
    (void)len;
    if (c->node_count < 2) {
        return false;
    }
    int a[LUA_CLUSTER_NODES_MAX + 1], b[LUA_CLUSTER_NODES_MAX], an, bn;
    split(c, a, &an, b, &bn);
    struct text t = text_init(buf, cap);
    names(c, a, an, &t);
    text_printf(&t, " | ");
    names(c, b, bn, &t);
    a[an++] = c->admin_host;
    net_partition(&c->w->net, a, an, b, bn);
    return true;
}

static bool inject_partition(struct lua_cluster *c, int v, time_ns len, char *buf, size_t cap)
{
    return rng_below(draw(c), 2) == 0 ? inject_isolate(c, v, len, buf, cap)
                                      : inject_split(c, v, len, buf, cap);
}

static bool inject_oneway(struct lua_cluster *c, int v, time_ns len, char *buf, size_t cap)
{
    (void)v;
    (void)len;
    if (c->node_count < 2) {
        return false;
    }
    int a[LUA_CLUSTER_NODES_MAX], b[LUA_CLUSTER_NODES_MAX], an, bn;
    split(c, a, &an, b, &bn);
    net_cut_oneway(&c->w->net, a, an, b, bn);
    struct text t = text_init(buf, cap);
    names(c, a, an, &t);
    text_printf(&t, " -> ");
    names(c, b, bn, &t);
    return true;
}

static bool inject_bridge(struct lua_cluster *c, int v, time_ns len, char *buf, size_t cap)
{
    (void)v;
    (void)len;
    if (c->node_count < 3) {
        return false;
    }
    int a[LUA_CLUSTER_NODES_MAX], b[LUA_CLUSTER_NODES_MAX], an, bn;
    split(c, a, &an, b, &bn);
    int mid = an > 1 ? a[--an] : b[--bn];
    if (an == 0 || bn == 0) {
        return false;
    }
    net_bridge(&c->w->net, a, an, mid, b, bn);
    struct text t = text_init(buf, cap);
    names(c, a, an, &t);
    text_printf(&t, " | %s | ", c->nodes[mid].name);
    names(c, b, bn, &t);
    return true;
}

static void undo_net(struct lua_cluster *c, int v)
{
    (void)v;
    net_heal(&c->w->net);
}

static bool inject_crash(struct lua_cluster *c, int v, time_ns len, char *buf, size_t cap)
{
    (void)len;
    if (!running(c, v) && host_of(c, v)->state != HOST_PAUSED) {
        return false;
    }
    lua_cluster_crash_node(c, v);
    snprintf(buf, cap, "%s", c->nodes[v].name);
    return true;
}

static bool inject_power(struct lua_cluster *c, int v, time_ns len, char *buf, size_t cap)
{
    (void)len;
    c->nodes[v].stopping = false;
    host_power_fail(host_of(c, v));
    snprintf(buf, cap, "%s", c->nodes[v].name);
    return true;
}

static bool inject_stop(struct lua_cluster *c, int v, time_ns len, char *buf, size_t cap)
{
    (void)len;
    if (!running(c, v)) {
        return false;
    }
    lua_cluster_begin_stop(c, v);
    snprintf(buf, cap, "%s", c->nodes[v].name);
    return true;
}

static void undo_restart(struct lua_cluster *c, int v)
{
    struct host *h = host_of(c, v);
    if (h->state == HOST_UP && c->nodes[v].stopping) {
        host_stop(h); /* a stop still under way is finished, as an operator would */
    }
    c->nodes[v].stopping = false;
    lua_cluster_start_node(c, v);
}

static bool inject_pause(struct lua_cluster *c, int v, time_ns len, char *buf, size_t cap)
{
    (void)len;
    if (!running(c, v)) {
        return false;
    }
    host_pause(host_of(c, v));
    snprintf(buf, cap, "%s", c->nodes[v].name);
    return true;
}

static void undo_pause(struct lua_cluster *c, int v)
{
    if (host_of(c, v)->state == HOST_PAUSED) {
        host_resume(host_of(c, v));
    }
}

static bool inject_clock(struct lua_cluster *c, int v, time_ns len, char *buf, size_t cap)
{
    (void)len;
    int64_t rate = 700000 + (int64_t)rng_below(draw(c), 600001);
    host_set_clock_rate(host_of(c, v), rate);
    snprintf(buf, cap, "%s rate %.3f", c->nodes[v].name, (double)rate / 1e6);
    return true;
}

static void undo_clock(struct lua_cluster *c, int v)
{
    host_set_clock_rate(host_of(c, v), 1000000);
}

static bool inject_disk(struct lua_cluster *c, int v, time_ns len, char *buf, size_t cap)
{
    struct disk *d = &host_of(c, v)->disk;
    if (rng_below(draw(c), 2) == 0) {
        time_ns extra = (5 + (time_ns)rng_below(draw(c), 46)) * NS_PER_MS;
        disk_set_slow(d, extra);
        snprintf(buf, cap, "%s slow %" PRId64 " ms", c->nodes[v].name, extra / NS_PER_MS);
    } else {
        disk_stall(d, time_add(world_now(c->w), len));
        snprintf(buf, cap, "%s stall", c->nodes[v].name);
    }
    return true;
}

static void undo_disk(struct lua_cluster *c, int v)
{
    struct disk *d = &host_of(c, v)->disk;
    disk_set_slow(d, 0);
    disk_stall(d, world_now(c->w));
}

static bool inject_lossy(struct lua_cluster *c, int v, time_ns len, char *buf, size_t cap)
{
    (void)v;
    (void)len;
    struct net_link_cfg chaos = net_link_default();
    chaos.jitter = 2 * NS_PER_MS;
    chaos.drop_ppm = 50000;
    chaos.duplicate_ppm = 20000;
    chaos.reorder_ppm = 50000;
    net_set_all_links(&c->w->net, &chaos);
    snprintf(buf, cap, "every link: 5%% drop, 2%% dup, 5%% reorder");
    return true;
}

static void undo_lossy(struct lua_cluster *c, int v)
{
    (void)v;
    struct net_link_cfg calm = net_link_default();
    net_set_all_links(&c->w->net, &calm);
}

static const struct fault_kind kinds[] = {
    {"partition", inject_partition, undo_net},   {"isolate", inject_isolate, undo_net},
    {"split", inject_split, undo_net},           {"one-way-cut", inject_oneway, undo_net},
    {"bridge", inject_bridge, undo_net},         {"crash", inject_crash, undo_restart},
    {"power-failure", inject_power, undo_restart}, {"stop", inject_stop, undo_restart},
    {"pause", inject_pause, undo_pause},         {"clock", inject_clock, undo_clock},
    {"disk", inject_disk, undo_disk},            {"lossy-network", inject_lossy, undo_lossy},
};
#define KIND_COUNT (sizeof kinds / sizeof kinds[0])

static const struct fault_kind *kind_named(const char *name)
{
    for (size_t k = 0; k < KIND_COUNT; k++) {
        if (strcmp(kinds[k].name, name) == 0) {
            return &kinds[k];
        }
    }
    return NULL;
}

static void undo_open(struct lua_cluster *c)
{
    struct lua_nemesis *n = &c->nemesis;
    if (n->open_kind != NULL) {
        kind_named(n->open_kind)->undo(c, n->victim);
        lua_cluster_fault_end(c, n->open_fault);
        n->open_kind = NULL;
        n->open_fault = -1;
    }
}

static void undo_tick(void *ctx, uint64_t generation)
{
    struct lua_cluster *c = ctx;
    if (generation == c->nemesis.generation) {
        undo_open(c);
    }
}

static void nemesis_tick(void *ctx, uint64_t generation)
{
    struct lua_cluster *c = ctx;
    struct lua_nemesis *n = &c->nemesis;
    time_ns now = world_now(c->w);
    if (generation != n->generation || !n->on) {
        return;
    }
    if (now >= n->until) {
        lua_nemesis_stop(c);
        return;
    }
    undo_open(c);
    const struct fault_kind *k = kind_named(n->kinds[rng_below(draw(c), (uint64_t)n->kind_count)]);
    int leader = lua_cluster_leader(c);
    int victim = leader >= 0 && rng_below(draw(c), 2) == 0
                     ? leader
                     : (int)rng_below(draw(c), (uint64_t)c->node_count);
    time_ns length = n->every / 4 + (time_ns)rng_below(draw(c), (uint64_t)(n->every / 2));
    char targets[96];
    if (k->inject(c, victim, length, targets, sizeof targets)) {
        n->open_kind = k->name;
        n->victim = victim;
        n->open_fault = lua_cluster_fault_begin(c, k->name, targets);
        time_ns undo = time_add(now, length);
        world_at(c->w, undo < n->until ? undo : n->until, undo_tick, c, n->generation);
    }
    world_at(c->w, time_add(now, n->every), nemesis_tick, c, n->generation);
}

void lua_nemesis_stop(struct lua_cluster *c)
{
    struct lua_nemesis *n = &c->nemesis;
    if (!n->on) {
        return;
    }
    undo_open(c);
    n->on = false;
    n->generation++;
}

/* c:nemesis{ faults = { "partition", "crash", ... }, every = 5 * s, until_ = 60 * s } */
static int l_nemesis(lua_State *L)
{
    struct lua_cluster *c = lua_cluster_check(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    if (!c->started) {
        return lua_run_error(L, "nemesis: the cluster is not started (call c:start() first)");
    }
    if (c->nemesis.on) {
        return lua_run_error(L, "nemesis: one is running already");
    }
    char list[256];
    struct text t = text_init(list, sizeof list);
    for (size_t k = 0; k < KIND_COUNT; k++) {
        text_printf(&t, "%s%s", k ? ", " : "", kinds[k].name);
    }
    static const char *const known[] = {"faults", "every", "until_", NULL};
    const char *bad = lua_cluster_unknown_key(L, 2, "nemesis", known);
    if (bad != NULL) {
        return lua_run_error(L, "nemesis: unknown option %s (it takes faults, every and "
                             "until_)", bad);
    }
    struct lua_nemesis *n = &c->nemesis;
    lua_getfield(L, 2, "faults");
    int count = lua_istable(L, -1) ? (int)lua_rawlen(L, -1) : 0;
    if (count == 0 || count > 16) {
        return lua_run_error(L, "nemesis: faults wants an array of 1 to 16 of: %s", list);
    }
    for (int i = 0; i < count; i++) {
        lua_rawgeti(L, -1, i + 1);
        const struct fault_kind *k =
            lua_type(L, -1) == LUA_TSTRING ? kind_named(lua_tostring(L, -1)) : NULL;
        if (k == NULL) {
            return lua_run_error(L, "nemesis: unknown fault %s (the faults are %s)",
                                 sandbox_tostring(L, -1), list);
        }
        n->kinds[i] = k->name;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lua_getfield(L, 2, "every");
    time_ns every = lua_isnil(L, -1) ? 5 * NS_PER_S : lua_run_duration_arg(L, -1, "nemesis every");
    lua_pop(L, 1);
    if (every < 4 * NS_PER_MS) {
        return lua_run_error(L, "nemesis: every wants at least 4 ms");
    }
    lua_getfield(L, 2, "until_");
    time_ns until = lua_isnil(L, -1) ? TIME_NS_MAX : lua_run_duration_arg(L, -1, "nemesis until_");
    lua_pop(L, 1);
    n->kind_count = count;
    n->every = every;
    n->until = until;
    n->on = true;
    n->open_kind = NULL;
    n->open_fault = -1;
    world_at(c->w, world_now(c->w), nemesis_tick, c, n->generation);
    return 0;
}

void lua_nemesis_register(lua_State *L)
{
    lua_pushcfunction(L, l_nemesis);
    lua_setfield(L, -2, "nemesis");
}
