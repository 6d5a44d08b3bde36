/* nemesis.c — c:nemesis{...}: faults at random from the run seed, one at a time. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "lua/cluster.h"
#include "lua/sandbox.h"
#include "lua/shrunk.h"
#include "scenario/capture.h"
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
 *
 * After kraft.shrunk{ faults = {...} } (lua/shrunk.h) it draws nothing: it injects the listed
 * faults at their times, which kraftsim shrink took from a run of the same seed (the
 * targets as the capture wrote them, scenario/capture.h). Its stream is its own, so a run
 * that plays all the faults it drew is the run that drew them, to the trace hash.
 */

/*
 * A fault kind is a shape (what its targets are: one node, two sides of a cut, ...), a draw
 * of its parameters from the nemesis stream, an injection and an undo. The draw and the
 * injection are apart so that kraft.shrunk's schedule can give the parameters instead: its
 * targets are the text the fault's plan writes (plan_text), read back by plan_read.
 */
enum fault_shape {
    SHAPE_NODE,   /* "kafka-1" */
    SHAPE_SPLIT,  /* "kafka-1 kafka-2 | kafka-3" (the admin client goes with the first side) */
    SHAPE_ONEWAY, /* "kafka-1 -> kafka-2 kafka-3": the first side's packets to the second drop */
    SHAPE_BRIDGE, /* "kafka-1 | kafka-2 | kafka-3": the middle node alone hears both sides */
    SHAPE_CLOCK,  /* "kafka-1 rate 0.812345" */
    SHAPE_DISK,   /* "kafka-1 slow 23 ms" or "kafka-1 stall" */
    SHAPE_ALL,    /* every link */
    SHAPE_PARTITION /* a node or a split, drawn */
};

struct fault_kind {
    const char *name;
    enum fault_shape shape;
    /* Draws the parameters the victim does not give; false if this cluster cannot have the
     * fault (a split of one node): then nothing is injected this round. */
    bool (*draw)(struct lua_cluster *c, struct fault_plan *p);
    /* Injects the plan; false if it cannot now (the victim is down). */
    bool (*inject)(struct lua_cluster *c, const struct fault_plan *p, time_ns length);
    void (*undo)(struct lua_cluster *c, const struct fault_plan *p);
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
        text_printf(t, "%s%s", k ? " " : "", c->nodes[set[k]].name);
    }
}

/* Splits the nodes at random into two non-empty sides. */
static void split(struct lua_cluster *c, struct fault_plan *p)
{
    p->an = p->bn = 0;
    uint64_t mask = 1 + rng_below(draw(c), (UINT64_C(1) << c->node_count) - 2);
    for (int i = 0; i < c->node_count; i++) {
        if (mask & (UINT64_C(1) << i)) {
            p->a[p->an++] = i;
        } else {
            p->b[p->bn++] = i;
        }
    }
}

static bool draw_nothing(struct lua_cluster *c, struct fault_plan *p)
{
    (void)c;
    (void)p;
    return true;
}

/* The quorum leader, whoever the victim is; with no leader, the victim (a round that draws
 * isolate-leader mid-election still cuts someone off, as a flaky switch port would). */
static bool draw_leader(struct lua_cluster *c, struct fault_plan *p)
{
    int leader = lua_cluster_leader(c);
    p->victim = leader >= 0 ? leader : p->victim;
    return true;
}

static bool draw_split(struct lua_cluster *c, struct fault_plan *p)
{
    if (c->node_count < 2) {
        return false;
    }
    split(c, p);
    return true;
}

static bool draw_partition(struct lua_cluster *c, struct fault_plan *p)
{
    p->cut = rng_below(draw(c), 2) != 0;
    return !p->cut || draw_split(c, p);
}

static bool draw_bridge(struct lua_cluster *c, struct fault_plan *p)
{
    if (c->node_count < 3) {
        return false;
    }
    split(c, p);
    p->mid = p->an > 1 ? p->a[--p->an] : p->b[--p->bn];
    return p->an > 0 && p->bn > 0;
}

static bool draw_clock(struct lua_cluster *c, struct fault_plan *p)
{
    p->rate_ppm = 700000 + (int64_t)rng_below(draw(c), 600001);
    return true;
}

static bool draw_disk(struct lua_cluster *c, struct fault_plan *p)
{
    p->slow = rng_below(draw(c), 2) == 0 ? (5 + (time_ns)rng_below(draw(c), 46)) * NS_PER_MS
                                         : 0;
    return true;
}

static bool inject_isolate(struct lua_cluster *c, const struct fault_plan *p, time_ns len)
{
    (void)len;
    net_isolate(&c->w->net, p->victim);
    return true;
}

static bool inject_split(struct lua_cluster *c, const struct fault_plan *p, time_ns len)
{
    (void)len;
    int a[LUA_CLUSTER_NODES_MAX + 1];
    memcpy(a, p->a, sizeof p->a);
    a[p->an] = c->admin_host;
    net_partition(&c->w->net, a, p->an + 1, p->b, p->bn);
    return true;
}

static bool inject_partition(struct lua_cluster *c, const struct fault_plan *p, time_ns len)
{
    return p->cut ? inject_split(c, p, len) : inject_isolate(c, p, len);
}

static bool inject_oneway(struct lua_cluster *c, const struct fault_plan *p, time_ns len)
{
    (void)len;
    net_cut_oneway(&c->w->net, p->a, p->an, p->b, p->bn);
    return true;
}

static bool inject_bridge(struct lua_cluster *c, const struct fault_plan *p, time_ns len)
{
    (void)len;
    net_bridge(&c->w->net, p->a, p->an, p->mid, p->b, p->bn);
    return true;
}

static void undo_net(struct lua_cluster *c, const struct fault_plan *p)
{
    (void)p;
    net_heal(&c->w->net);
}

static bool inject_crash(struct lua_cluster *c, const struct fault_plan *p, time_ns len)
{
    (void)len;
    if (!running(c, p->victim) && host_of(c, p->victim)->state != HOST_PAUSED) {
        return false;
    }
    lua_cluster_crash_node(c, p->victim);
    return true;
}

static bool inject_power(struct lua_cluster *c, const struct fault_plan *p, time_ns len)
{
    (void)len;
    c->nodes[p->victim].stopping = false;
    host_power_fail(host_of(c, p->victim));
    return true;
}

static bool inject_stop(struct lua_cluster *c, const struct fault_plan *p, time_ns len)
{
    (void)len;
    if (!running(c, p->victim)) {
        return false;
    }
    lua_cluster_begin_stop(c, p->victim);
    return true;
}

static void undo_restart(struct lua_cluster *c, const struct fault_plan *p)
{
    struct host *h = host_of(c, p->victim);
    if (h->state == HOST_UP && c->nodes[p->victim].stopping) {
        host_stop(h); /* a stop still under way is finished, as an operator would */
    }
    c->nodes[p->victim].stopping = false;
    lua_cluster_start_node(c, p->victim);
}

static bool inject_pause(struct lua_cluster *c, const struct fault_plan *p, time_ns len)
{
    (void)len;
    if (!running(c, p->victim)) {
        return false;
    }
    host_pause(host_of(c, p->victim));
    return true;
}

static void undo_pause(struct lua_cluster *c, const struct fault_plan *p)
{
    if (host_of(c, p->victim)->state == HOST_PAUSED) {
        host_resume(host_of(c, p->victim));
    }
}

static bool inject_clock(struct lua_cluster *c, const struct fault_plan *p, time_ns len)
{
    (void)len;
    host_set_clock_rate(host_of(c, p->victim), p->rate_ppm);
    return true;
}

static void undo_clock(struct lua_cluster *c, const struct fault_plan *p)
{
    host_set_clock_rate(host_of(c, p->victim), 1000000);
}

static bool inject_disk(struct lua_cluster *c, const struct fault_plan *p, time_ns len)
{
    struct disk *d = &host_of(c, p->victim)->disk;
    if (p->slow > 0) {
        disk_set_slow(d, p->slow);
    } else {
        disk_stall(d, time_add(world_now(c->w), len));
    }
    return true;
}

static void undo_disk(struct lua_cluster *c, const struct fault_plan *p)
{
    struct disk *d = &host_of(c, p->victim)->disk;
    disk_set_slow(d, 0);
    disk_stall(d, world_now(c->w));
}

static bool inject_lossy(struct lua_cluster *c, const struct fault_plan *p, time_ns len)
{
    (void)p;
    (void)len;
    struct net_link_cfg chaos = net_link_default();
    chaos.jitter = 2 * NS_PER_MS;
    chaos.drop_ppm = 50000;
    chaos.duplicate_ppm = 20000;
    chaos.reorder_ppm = 50000;
    net_set_all_links(&c->w->net, &chaos);
    return true;
}

static void undo_lossy(struct lua_cluster *c, const struct fault_plan *p)
{
    (void)p;
    struct net_link_cfg calm = net_link_default();
    net_set_all_links(&c->w->net, &calm);
}

static const struct fault_kind kinds[] = {
    {"partition", SHAPE_PARTITION, draw_partition, inject_partition, undo_net},
    {"isolate", SHAPE_NODE, draw_nothing, inject_isolate, undo_net},
    {"isolate-leader", SHAPE_NODE, draw_leader, inject_isolate, undo_net},
    {"split", SHAPE_SPLIT, draw_split, inject_split, undo_net},
    {"one-way-cut", SHAPE_ONEWAY, draw_split, inject_oneway, undo_net},
    {"bridge", SHAPE_BRIDGE, draw_bridge, inject_bridge, undo_net},
    {"crash", SHAPE_NODE, draw_nothing, inject_crash, undo_restart},
    {"power-failure", SHAPE_NODE, draw_nothing, inject_power, undo_restart},
    {"stop", SHAPE_NODE, draw_nothing, inject_stop, undo_restart},
    {"pause", SHAPE_NODE, draw_nothing, inject_pause, undo_pause},
    {"clock", SHAPE_CLOCK, draw_clock, inject_clock, undo_clock},
    /* the name c:drift logs its fault under; "clock" is the same fault */
    {"clock-drift", SHAPE_CLOCK, draw_clock, inject_clock, undo_clock},
    {"disk", SHAPE_DISK, draw_disk, inject_disk, undo_disk},
    {"lossy-network", SHAPE_ALL, draw_nothing, inject_lossy, undo_lossy},
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

bool lua_nemesis_kind_known(const char *kind) { return kind_named(kind) != NULL; }

static enum fault_shape shape_of(const struct fault_plan *p)
{
    enum fault_shape s = kind_named(p->kind)->shape;
    return s != SHAPE_PARTITION ? s : p->cut ? SHAPE_SPLIT : SHAPE_NODE;
}

/* The plan's targets as the fault log shows them, and (exact) as kraft.shrunk reads them:
 * only a clock's rate differs, to three decimals in the log and six in the schedule. */
static void plan_text(struct lua_cluster *c, const struct fault_plan *p, bool exact, char *buf,
                      size_t cap)
{
    struct text t = text_init(buf, cap);
    const char *victim = c->nodes[p->victim].name;
    switch (shape_of(p)) {
    case SHAPE_NODE:
        text_printf(&t, "%s", victim);
        break;
    case SHAPE_SPLIT:
    case SHAPE_ONEWAY:
        names(c, p->a, p->an, &t);
        text_printf(&t, shape_of(p) == SHAPE_SPLIT ? " | " : " -> ");
        names(c, p->b, p->bn, &t);
        break;
    case SHAPE_BRIDGE:
        names(c, p->a, p->an, &t);
        text_printf(&t, " | %s | ", c->nodes[p->mid].name);
        names(c, p->b, p->bn, &t);
        break;
    case SHAPE_CLOCK:
        text_printf(&t, exact ? "%s rate %.6f" : "%s rate %.3f", victim,
                    (double)p->rate_ppm / 1e6);
        break;
    case SHAPE_DISK:
        if (p->slow > 0) {
            text_printf(&t, "%s slow %" PRId64 " ms", victim, p->slow / NS_PER_MS);
        } else {
            text_printf(&t, "%s stall", victim);
        }
        break;
    case SHAPE_ALL:
    case SHAPE_PARTITION:
        text_printf(&t, "every link: 5%% drop, 2%% dup, 5%% reorder");
        break;
    }
}
/* ---- reading a plan back from kraft.shrunk's schedule -------------------------------------- */

static int node_named(struct lua_cluster *c, const char *name)
{
    for (int i = 0; i < c->node_count; i++) {
        if (strcmp(c->nodes[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

#define PLAN_WORDS 40

/* The words of a schedule entry's targets, at most PLAN_WORDS; -1 if there are more. */
static int plan_words(char *text, char **words)
{
    int n = 0;
    for (char *w = strtok(text, " "); w != NULL; w = strtok(NULL, " ")) {
        if (n == PLAN_WORDS) {
            return -1;
        }
        words[n++] = w;
    }
    return n;
}

/* The sides of a cut, nodes between separator words `sep`: true if there are `sides` of them,
 * none empty, and a bridge's middle (the second of three) is one node. */
static bool plan_sides(struct lua_cluster *c, char **w, int n, const char *sep, int sides,
                       struct fault_plan *p, char *err, size_t cap)
{
    int side = 0, count[3] = {0, 0, 0};
    int nodes[3][LUA_CLUSTER_NODES_MAX] = {{0}};
    bool fits = n >= 0;
    for (int k = 0; k < n && fits; k++) {
        if (strcmp(w[k], sep) == 0) {
            fits = ++side < sides;
            continue;
        }
        int node = node_named(c, w[k]);
        if (node < 0) {
            snprintf(err, cap, "no node named %s in this cluster", w[k]);
            return false;
        }
        fits = count[side] < LUA_CLUSTER_NODES_MAX;
        if (fits) {
            nodes[side][count[side]++] = node;
        }
    }
    fits = fits && side == sides - 1 && count[0] > 0 && count[sides - 1] > 0 &&
           (sides == 2 || count[1] == 1);
    if (!fits) {
        snprintf(err, cap, "wants %s", sides == 3 ? "\"a b | m | c d\"" : strcmp(sep, "|") == 0
                                                                             ? "\"a b | c d\""
                                                                             : "\"a b -> c d\"");
        return false;
    }
    p->an = count[0];
    p->bn = count[sides - 1];
    memcpy(p->a, nodes[0], sizeof p->a);
    memcpy(p->b, nodes[sides - 1], sizeof p->b);
    p->mid = sides == 3 ? nodes[1][0] : 0;
    return true;
}

/* A schedule entry's kind and targets as a plan; false with the reason in err. */
static bool plan_read(struct lua_cluster *c, const struct lua_shrunk_fault *f,
                      struct fault_plan *p, char *err, size_t cap)
{
    const struct fault_kind *k = kind_named(f->kind);
    memset(p, 0, sizeof *p);
    p->kind = k->name;
    p->rate_ppm = 1000000;
    char text[FAULT_LOG_TARGET_TEXT], *w[PLAN_WORDS];
    snprintf(text, sizeof text, "%s", f->targets);
    int n = plan_words(text, w);
    p->cut = k->shape == SHAPE_PARTITION && strstr(f->targets, " | ") != NULL;
    switch (shape_of(p)) {
    case SHAPE_SPLIT:
        return plan_sides(c, w, n, "|", 2, p, err, cap);
    case SHAPE_ONEWAY:
        return plan_sides(c, w, n, "->", 2, p, err, cap);
    case SHAPE_BRIDGE:
        return plan_sides(c, w, n, "|", 3, p, err, cap);
    case SHAPE_ALL:
        return true;
    default:
        break;
    }
    p->victim = n > 0 ? node_named(c, w[0]) : -1;
    if (p->victim < 0) {
        snprintf(err, cap, "no node named %s in this cluster", n > 0 ? w[0] : "(none)");
        return false;
    }
    double rate = 0;
    long long ms = 0;
    bool ok = shape_of(p) == SHAPE_NODE ? n == 1
              : shape_of(p) == SHAPE_CLOCK
                  ? n == 3 && strcmp(w[1], "rate") == 0 && sscanf(w[2], "%lf", &rate) == 1 &&
                        rate > 0 && rate < 100
                  : (n == 2 && strcmp(w[1], "stall") == 0) ||
                        (n == 4 && strcmp(w[1], "slow") == 0 && strcmp(w[3], "ms") == 0 &&
                         sscanf(w[2], "%lld", &ms) == 1 && ms > 0);
    p->rate_ppm = llround(rate * 1e6);
    p->slow = (time_ns)ms * NS_PER_MS;
    if (!ok) {
        snprintf(err, cap, "wants %s", shape_of(p) == SHAPE_NODE    ? "one node name"
                                       : shape_of(p) == SHAPE_CLOCK ? "\"node rate R\""
                                                  : "\"node slow N ms\" or \"node stall\"");
    }
    return ok;
}

/* ---- the nemesis: drawing, or playing a schedule ------------------------------------------ */

static void undo_open(struct lua_cluster *c)
{
    struct lua_nemesis *n = &c->nemesis;
    if (n->open) {
        kind_named(n->plan.kind)->undo(c, &n->plan);
        lua_cluster_fault_end(c, n->open_fault);
        struct run_capture *cap = c->run->opts->capture;
        if (cap != NULL && n->open_capture >= 0) {
            fault_log_end(&cap->nemesis, n->open_capture, world_now(c->w));
        }
        n->open = false;
        n->open_fault = n->open_capture = -1;
        n->open_token++;
    }
}

static void undo_tick(void *ctx, uint64_t token)
{
    struct lua_cluster *c = ctx;
    if (token == c->nemesis.open_token) {
        undo_open(c);
    }
}

/* Injects plan p for `length` (-1: until the nemesis stops); nothing if it cannot now. */
static void inject_plan(struct lua_cluster *c, const struct fault_plan *p, time_ns length)
{
    struct lua_nemesis *n = &c->nemesis;
    time_ns now = world_now(c->w);
    time_ns lasts = length >= 0 ? length : n->until != TIME_NS_MAX ? n->until - now
                                                                    : 365 * 24 * 3600 * NS_PER_S;
    if (!kind_named(p->kind)->inject(c, p, lasts)) {
        return;
    }
    n->plan = *p;
    n->open = true;
    n->open_token++;
    char text[FAULT_LOG_TARGET_TEXT];
    plan_text(c, p, false, text, sizeof text);
    n->open_fault = lua_cluster_fault_begin(c, p->kind, text);
    struct run_capture *cap = c->run->opts->capture;
    if (cap != NULL) {
        plan_text(c, p, true, text, sizeof text);
        n->open_capture = fault_log_begin(&cap->nemesis, now, p->kind, text);
    }
    if (length >= 0) {
        time_ns undo = time_add(now, length);
        world_at(c->w, undo < n->until ? undo : n->until, undo_tick, c, n->open_token);
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

static void nemesis_tick(void *ctx, uint64_t generation);

/* The next fault of the schedule, from now on and before until_; false when there is none. */
static bool schedule_next(struct lua_cluster *c)
{
    struct lua_nemesis *n = &c->nemesis;
    const struct lua_shrunk *s = n->shrunk;
    while (n->next_played < s->fault_count && s->faults[n->next_played].at < world_now(c->w)) {
        n->next_played++;
    }
    if (n->next_played == s->fault_count || s->faults[n->next_played].at >= n->until) {
        return false;
    }
    world_at(c->w, s->faults[n->next_played].at, nemesis_tick, c, n->generation);
    return true;
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
    if (n->played != NULL) {
        int k = n->next_played++;
        inject_plan(c, &n->played[k], n->shrunk->faults[k].length);
        schedule_next(c);
        return;
    }
    struct fault_plan p = {.kind = kind_named(n->kinds[rng_below(draw(c),
                                                                 (uint64_t)n->kind_count)])->name};
    p.victim = pick_victim(c);
    time_ns length = n->length_hi > 0
                         ? draw_between(c, n->length_lo, n->length_hi)
                         : n->every / 4 + (time_ns)rng_below(draw(c), (uint64_t)(n->every / 2));
    if (kind_named(p.kind)->draw(c, &p)) {
        inject_plan(c, &p, length);
    }
    time_ns undo = time_add(now, length);
    undo = undo < n->until ? undo : n->until;
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

/* kraft.shrunk gave the faults: read them as plans (once) and play them from now on. */
static void play_schedule(lua_State *L, struct lua_cluster *c)
{
    struct lua_nemesis *n = &c->nemesis;
    const struct lua_shrunk *s = c->run->shrunk;
    if (n->played == NULL) {
        size_t size = sizeof n->played[0] * (size_t)(s->fault_count > 0 ? s->fault_count : 1);
        n->played = lua_newuserdatauv(L, size, 0);
        luaL_ref(L, LUA_REGISTRYINDEX); /* lives as long as the run's state */
        n->shrunk = s;
        n->next_played = 0;
        for (int k = 0; k < s->fault_count; k++) {
            char err[160];
            if (!plan_read(c, &s->faults[k], &n->played[k], err, sizeof err)) {
                lua_run_error(L, "kraft.shrunk faults[%d] (%s %s): %s", k + 1,
                              s->faults[k].kind, s->faults[k].targets, err);
            }
        }
    }
    schedule_next(c);
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
    n->open = false;
    n->open_fault = n->open_capture = -1;
    if (c->run->shrunk != NULL && c->run->shrunk->faults_given) {
        play_schedule(L, c);
    } else {
        world_at(c->w, world_now(c->w), nemesis_tick, c, n->generation);
    }
    return 0;
}

void lua_nemesis_register(lua_State *L)
{
    lua_pushcfunction(L, l_nemesis);
    lua_setfield(L, -2, "nemesis");
}
