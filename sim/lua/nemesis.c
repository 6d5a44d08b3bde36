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
 *
 * A scenario can state other timings and victims:
 *   length = { lo, hi }   each fault lasts lo up to (not including) hi;
 *   gap = { lo, hi }      the next fault comes lo to hi after the last one's undo (instead of
 *                         every `every`): a fault-free stretch of random length between faults;
 *   victim = "leader-half" (the default), "leader" (the quorum leader when there is one) or
 *                         "any" (any node, drawn evenly).
 * The quorum scenarios' nemesis is { length = { 500 * ms, 3500 * ms }, gap = { 0, 2 * s } }.
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

/* The quorum leader, whoever the victim is; with no leader, the victim (a round that draws
 * isolate-leader mid-election still cuts someone off, as a flaky switch port would). */
static bool inject_isolate_leader(struct lua_cluster *c, int v, time_ns len, char *buf,
                                  size_t cap)
{
    int leader = lua_cluster_leader(c);
    return inject_isolate(c, leader >= 0 ? leader : v, len, buf, cap);
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
    {"isolate-leader", inject_isolate_leader, undo_net},
    {"split", inject_split, undo_net},           {"one-way-cut", inject_oneway, undo_net},
    {"bridge", inject_bridge, undo_net},         {"crash", inject_crash, undo_restart},
    {"power-failure", inject_power, undo_restart}, {"stop", inject_stop, undo_restart},
    {"pause", inject_pause, undo_pause},         {"clock", inject_clock, undo_clock},
    /* the name c:drift logs its fault under; "clock" is the same fault */
    {"clock-drift", inject_clock, undo_clock},
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

enum victim_rule { VICTIM_LEADER_HALF, VICTIM_LEADER, VICTIM_ANY };
static const char *const victim_rules[] = {"leader-half", "leader", "any", NULL};

static int pick_victim(struct lua_cluster *c)
{
    int leader = lua_cluster_leader(c);
    switch ((enum victim_rule)c->nemesis.victim_rule) {
    case VICTIM_LEADER:
        if (leader >= 0) {
            return leader;
        }
        break;
    case VICTIM_LEADER_HALF:
        if (leader >= 0 && rng_below(draw(c), 2) == 0) {
            return leader;
        }
        break;
    case VICTIM_ANY:
        break;
    }
    return (int)rng_below(draw(c), (uint64_t)c->node_count);
}

/* lo + [0, hi - lo): a draw in a range; lo when the range is empty. */
static time_ns draw_between(struct lua_cluster *c, time_ns lo, time_ns hi)
{
    return hi > lo ? lo + (time_ns)rng_below(draw(c), (uint64_t)(hi - lo)) : lo;
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
    int victim = pick_victim(c);
    time_ns length = n->length_hi > 0
                         ? draw_between(c, n->length_lo, n->length_hi)
                         : n->every / 4 + (time_ns)rng_below(draw(c), (uint64_t)(n->every / 2));
    time_ns undo = time_add(now, length);
    undo = undo < n->until ? undo : n->until;
    char targets[96];
    if (k->inject(c, victim, length, targets, sizeof targets)) {
        n->open_kind = k->name;
        n->victim = victim;
        n->open_fault = lua_cluster_fault_begin(c, k->name, targets);
        world_at(c->w, undo, undo_tick, c, n->generation);
    }
    time_ns next = n->gap_timed ? time_add(undo, draw_between(c, n->gap_lo, n->gap_hi))
                                : time_add(now, n->every);
    world_at(c->w, next, nemesis_tick, c, n->generation);
}

/* A { lo, hi } range of durations at field `name` of the table at 2; false if it is absent. */
static bool range_field(lua_State *L, const char *name, time_ns *lo, time_ns *hi)
{
    lua_getfield(L, 2, name);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return false;
    }
    if (!lua_istable(L, -1) || lua_rawlen(L, -1) != 2) {
        lua_run_error(L, "nemesis: %s wants { lo, hi }, two durations such as { 500 * ms, "
                      "3500 * ms }", name);
    }
    char what[48];
    snprintf(what, sizeof what, "nemesis %s", name);
    lua_rawgeti(L, -1, 1);
    *lo = lua_run_duration_arg(L, -1, what);
    lua_rawgeti(L, -2, 2);
    *hi = lua_run_duration_arg(L, -1, what);
    lua_pop(L, 3);
    if (*hi < *lo) {
        lua_run_error(L, "nemesis: %s wants lo <= hi", name);
    }
    return true;
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

/* The options of c:nemesis{...} at 2 that say when, how long and whom: every, length, gap,
 * victim and until_, into t's fields of those names. */
static void read_timing(lua_State *L, struct lua_nemesis *t)
{
    lua_getfield(L, 2, "every");
    bool every_given = !lua_isnil(L, -1);
    t->every = every_given ? lua_run_duration_arg(L, -1, "nemesis every") : 5 * NS_PER_S;
    lua_pop(L, 1);
    if (t->every < 4 * NS_PER_MS) {
        lua_run_error(L, "nemesis: every wants at least 4 ms");
    }
    t->length_lo = t->length_hi = t->gap_lo = t->gap_hi = 0;
    if (range_field(L, "length", &t->length_lo, &t->length_hi) && t->length_hi < NS_PER_MS) {
        lua_run_error(L, "nemesis: length wants hi of at least 1 ms");
    }
    t->gap_timed = range_field(L, "gap", &t->gap_lo, &t->gap_hi);
    if (t->gap_timed && every_given) {
        lua_run_error(L, "nemesis: every and gap are two ways to time the next fault; give one");
    }
    if (t->gap_timed && t->length_hi == 0) {
        lua_run_error(L, "nemesis: gap times the next fault from the last one's end, so it "
                      "wants length = { lo, hi } too");
    }
    t->victim_rule = VICTIM_LEADER_HALF;
    lua_getfield(L, 2, "victim");
    if (!lua_isnil(L, -1)) {
        const char *v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
        t->victim_rule = -1;
        for (int k = 0; victim_rules[k] != NULL; k++) {
            t->victim_rule = strcmp(v, victim_rules[k]) == 0 ? k : t->victim_rule;
        }
        if (t->victim_rule < 0) {
            lua_run_error(L, "nemesis: victim is \"leader-half\", \"leader\" or \"any\", "
                          "got %s", sandbox_tostring(L, -1));
        }
    }
    lua_pop(L, 1);
    lua_getfield(L, 2, "until_");
    t->until = lua_isnil(L, -1) ? TIME_NS_MAX : lua_run_duration_arg(L, -1, "nemesis until_");
    lua_pop(L, 1);
}

/* c:nemesis{ faults = { "partition", "crash", ... }, every = 5 * s, until_ = 60 * s,
 *            length = { lo, hi }, gap = { lo, hi }, victim = "leader-half" } */
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
    static const char *const known[] = {"faults", "every", "until_", "length", "gap",
                                        "victim", NULL};
    const char *bad = lua_cluster_unknown_key(L, 2, "nemesis", known);
    if (bad != NULL) {
        return lua_run_error(L, "nemesis: unknown option %s (it takes faults, every, until_, "
                             "length, gap and victim)", bad);
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
    struct lua_nemesis timing;
    read_timing(L, &timing);
    n->kind_count = count;
    n->every = timing.every;
    n->length_lo = timing.length_lo;
    n->length_hi = timing.length_hi;
    n->gap_timed = timing.gap_timed;
    n->gap_lo = timing.gap_lo;
    n->gap_hi = timing.gap_hi;
    n->victim_rule = timing.victim_rule;
    n->until = timing.until;
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
