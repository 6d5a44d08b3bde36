/* ping.c — kraft.ping{ hosts = 3 }: hosts that ping each other in a ring, and their checker. */
#include "lua/ping_ring.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "lua/runtime.h"
#include "lua/sandbox.h"
#include "ping.h"
#include "scenario/fault_log.h"
#include "trace/db.h"
#include "text.h"
#include "world/world.h"

/*
 * The simulator's smallest world: host ping-N pings ping-N+1 (the last pings ping-1), persisting
 * each sequence number before it sends it. The checker reads the trace as it is written: the
 * numbers a host sends only ever grow, across crashes and power failures — which a host that
 * sends before its fsync (the planted bug "ping-send-before-fsync") breaks.
 *
 * A scenario builds one world: kraft.ping or kraft.cluster, not both. The verbs take a host by
 * number (1) or name ("ping-1"), and host sets as one host or an array.
 */

#define PING_HOSTS_MAX 8

static const char ping_mt[] = "kraftsim.ping";

struct lua_ping {
    struct lua_run *run;
    struct lua_ping **ud;
    struct world *w;
    int hosts;
    char names[PING_HOSTS_MAX][16];
    const char *name_of[PING_HOSTS_MAX];
    struct ping_config configs[PING_HOSTS_MAX];
    bool started;
    /* the checker */
    uint64_t last_sent[PING_HOSTS_MAX];
    bool sent_any[PING_HOSTS_MAX];
    uint64_t sent_count, pong_count, timeout_count;
    struct fault_log faults; /* every fault injected, as the summary lists them */
    struct trace_console console; /* --trace's printer, with its filter */
};

/* ---- the checker: sequence numbers a host sends only ever grow ----------------------------- */

static void violation(struct lua_ping *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void violation(struct lua_ping *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    scenario_violationv(p->w, p->run->result, "ping", fmt, ap); /* counted per checker */
    va_end(ap);
}

static void checker_event(void *ctx, const struct trace_event *e)
{
    struct lua_ping *p = ctx;
    int64_t seq = 0;
    if (e->kind == TRACE_PONG_RECV) {
        p->pong_count++;
    } else if (e->kind == TRACE_PING_TIMEOUT) {
        p->timeout_count++;
    }
    if (e->kind != TRACE_PING_SEND || !trace_event_int(e, "seq", &seq)) {
        return;
    }
    KS_ASSERT(e->host >= 0 && e->host < p->hosts);
    p->sent_count++;
    if (p->sent_any[e->host] && (uint64_t)seq <= p->last_sent[e->host]) {
        char when[32];
        trace_format_time(e->time, when, sizeof when);
        violation(p, "ping-monotonic: at%s s host %s sent seq %" PRId64 " after seq %" PRIu64, when,
                  p->name_of[e->host], seq, p->last_sent[e->host]);
    }
    p->sent_any[e->host] = true;
    p->last_sent[e->host] = (uint64_t)seq;
}

/* ---- faults, as the summary lists them ----------------------------------------------------- */

static void fault_begin(struct lua_ping *p, const char *kind, const char *target)
{
    trace_emitf(&p->w->trace, world_now(p->w), TRACE_HOST_NONE, TRACE_NOTE, "fault %s %s", kind,
                target);
    fault_log_begin(&p->faults, world_now(p->w), kind, target);
}

/* Ends the open faults of `kind` (NULL: any) on `target` (NULL: any). */
static void fault_end(struct lua_ping *p, const char *kind, const char *target)
{
    fault_log_end_matching(&p->faults, kind, target, world_now(p->w));
}

/* ---- the handle and its hosts ------------------------------------------------------------- */

static struct lua_ping *check_ping(lua_State *L)
{
    struct lua_ping **u = luaL_checkudata(L, 1, ping_mt);
    if (*u == NULL) {
        lua_run_error(L, "the ping ring is gone (the run is over)");
    }
    return *u;
}

static int host_arg(lua_State *L, struct lua_ping *p, int arg, const char *verb)
{
    if (lua_type(L, arg) == LUA_TNUMBER && lua_isinteger(L, arg)) {
        lua_Integer n = lua_tointeger(L, arg);
        if (n >= 1 && n <= p->hosts) {
            return (int)n - 1;
        }
    } else if (lua_type(L, arg) == LUA_TSTRING) {
        for (int i = 0; i < p->hosts; i++) {
            if (strcmp(lua_tostring(L, arg), p->name_of[i]) == 0) {
                return i;
            }
        }
    }
    lua_run_error(L, "%s: no host %s (the hosts are 1 (ping-1) to %d (ping-%d))", verb,
                  sandbox_tostring(L, arg), p->hosts, p->hosts);
    return -1;
}

static struct host *host_of(struct lua_ping *p, int i) { return world_host(p->w, i); }

/* The prologue of a verb on one host: the ring is started, the host named. */
static int verb_host(lua_State *L, struct lua_ping **p, const char *verb)
{
    *p = check_ping(L);
    if (!(*p)->started) {
        lua_run_error(L, "%s: the ring is not started (call p:start() first)", verb);
    }
    return host_arg(L, *p, 2, verb);
}

static int not_running(lua_State *L, struct lua_ping *p, int i, const char *verb)
{
    return lua_run_error(L, "%s: %s is not running (it is %s)", verb, p->name_of[i],
                         host_state_name(host_of(p, i)->state));
}

static int l_start(lua_State *L)
{
    struct lua_ping *p = check_ping(L);
    if (p->started) {
        return lua_run_error(L, "start: the ring is started already (p:restart(n) starts one "
                             "host again)");
    }
    p->started = true;
    for (int i = 0; i < p->hosts; i++) {
        host_start(host_of(p, i));
    }
    return 0;
}

static int l_crash(lua_State *L)
{
    struct lua_ping *p;
    int i = verb_host(L, &p, "crash");
    if (host_of(p, i)->state != HOST_UP && host_of(p, i)->state != HOST_PAUSED) {
        return not_running(L, p, i, "crash");
    }
    host_crash(host_of(p, i));
    fault_begin(p, "crash", p->name_of[i]);
    return 0;
}

static int l_power_fail(lua_State *L)
{
    struct lua_ping *p;
    int i = verb_host(L, &p, "power_fail");
    host_power_fail(host_of(p, i));
    fault_begin(p, "power-failure", p->name_of[i]);
    return 0;
}

static int l_restart(lua_State *L)
{
    struct lua_ping *p;
    int i = verb_host(L, &p, "restart");
    struct host *h = host_of(p, i);
    if (h->state == HOST_UP || h->state == HOST_PAUSED) {
        return lua_run_error(L, "restart: %s is running; crash it first", p->name_of[i]);
    }
    lua_pushboolean(L, host_start(h));
    fault_end(p, "crash", p->name_of[i]);
    fault_end(p, "power-failure", p->name_of[i]);
    return 1;
}

static void resume_tick(void *ctx, uint64_t i)
{
    struct lua_ping *p = ctx;
    if (host_of(p, (int)i)->state == HOST_PAUSED) {
        host_resume(host_of(p, (int)i));
        fault_end(p, "pause", p->name_of[i]);
    }
}

/* p:pause(n [, d]): frozen (a GC pause, a stopped VM) until p:resume(n), or for d. */
static int l_pause(lua_State *L)
{
    struct lua_ping *p;
    int i = verb_host(L, &p, "pause");
    if (host_of(p, i)->state != HOST_UP) {
        return not_running(L, p, i, "pause");
    }
    time_ns d = lua_isnoneornil(L, 3) ? -1 : lua_run_duration_arg(L, 3, "pause");
    host_pause(host_of(p, i));
    fault_begin(p, "pause", p->name_of[i]);
    if (d >= 0) {
        world_at(p->w, time_add(world_now(p->w), d), resume_tick, p, (uint64_t)i);
    }
    return 0;
}

static int l_resume(lua_State *L)
{
    struct lua_ping *p;
    int i = verb_host(L, &p, "resume");
    if (host_of(p, i)->state != HOST_PAUSED) {
        return lua_run_error(L, "resume: %s is not paused", p->name_of[i]);
    }
    resume_tick(p, (uint64_t)i);
    return 0;
}

static int l_isolate(lua_State *L)
{
    struct lua_ping *p;
    int i = verb_host(L, &p, "isolate");
    net_isolate(&p->w->net, i);
    fault_begin(p, "isolate", p->name_of[i]);
    return 0;
}

/* One host or an array of them, as indices into out; returns the count. */
static int host_set(lua_State *L, struct lua_ping *p, int arg, const char *verb, int *out)
{
    if (lua_type(L, arg) != LUA_TTABLE) {
        out[0] = host_arg(L, p, arg, verb);
        return 1;
    }
    int n = (int)lua_rawlen(L, arg);
    if (n == 0 || n > p->hosts) {
        lua_run_error(L, "%s: a host set is a host or an array of 1 to %d hosts", verb, p->hosts);
    }
    for (int k = 0; k < n; k++) {
        lua_rawgeti(L, arg, k + 1);
        out[k] = host_arg(L, p, lua_gettop(L), verb);
        lua_pop(L, 1);
    }
    return n;
}

/* p:partition(a [, b]): no frame crosses between the sets; b defaults to every other host. */
static int l_partition(lua_State *L)
{
    struct lua_ping *p = check_ping(L);
    int a[PING_HOSTS_MAX], b[PING_HOSTS_MAX], an = host_set(L, p, 2, "partition", a), bn = 0;
    if (lua_isnoneornil(L, 3)) {
        for (int i = 0; i < p->hosts; i++) {
            bool in_a = false;
            for (int k = 0; k < an; k++) {
                in_a |= a[k] == i;
            }
            if (!in_a) {
                b[bn++] = i;
            }
        }
    } else {
        bn = host_set(L, p, 3, "partition", b);
    }
    for (int i = 0; i < an; i++) {
        for (int k = 0; k < bn; k++) {
            if (a[i] == b[k]) {
                return lua_run_error(L, "partition: %s is on both sides", p->name_of[a[i]]);
            }
        }
    }
    if (bn == 0) {
        return lua_run_error(L, "partition: the other side is empty");
    }
    net_partition(&p->w->net, a, an, b, bn);
    char t[48];
    struct text tx = text_init(t, sizeof t);
    for (int k = 0; k < an + bn; k++) {
        text_printf(&tx, "%s%s", k == 0 ? "" : k == an ? " | " : " ",
                    p->name_of[k < an ? a[k] : b[k - an]]);
    }
    fault_begin(p, "partition", t);
    return 0;
}

static int l_heal(lua_State *L)
{
    struct lua_ping *p = check_ping(L);
    net_heal(&p->w->net);
    fault_end(p, "partition", NULL);
    fault_end(p, "isolate", NULL);
    return 0;
}

/* p:drift(n, rate): n's clock runs at rate (1.05: 5% fast). */
static int l_drift(lua_State *L)
{
    struct lua_ping *p;
    int i = verb_host(L, &p, "drift");
    lua_Number rate = luaL_checknumber(L, 3);
    if (!(rate >= 0.01 && rate <= 100)) {
        return lua_run_error(L, "drift: rate wants a clock speed from 0.01 to 100 (1 = exact, "
                             "1.05 = a clock 5%% fast), got %g", (double)rate);
    }
    int64_t ppm = (int64_t)(rate * 1e6 + 0.5);
    host_set_clock_rate(host_of(p, i), ppm);
    fault_end(p, "clock-drift", p->name_of[i]);
    if (ppm != 1000000) {
        fault_begin(p, "clock-drift", p->name_of[i]);
    }
    return 0;
}

static int ping_gc(lua_State *L)
{
    struct lua_ping **u = luaL_checkudata(L, 1, ping_mt);
    *u = NULL; /* at lua_close: lua_ping_finish freed the ring already */
    return 0;
}

/* Once kraft.ping built the world, kraft.cluster cannot build another. */
static int l_no_cluster(lua_State *L)
{
    return lua_run_error(L, "kraft.cluster: a scenario builds one world, and kraft.ping{...} "
                         "built it");
}

/* kraft.ping{ hosts = 3 } */
static int l_ping(lua_State *L)
{
    struct lua_run *r = lua_run_of(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    if (r->world != NULL) {
        return lua_run_error(L, "kraft.ping: a scenario builds one world (kraft.ping or "
                             "kraft.cluster), and this one has it");
    }
    lua_getfield(L, 1, "hosts");
    lua_Integer hosts = lua_isnil(L, -1) ? 3 : lua_isinteger(L, -1) ? lua_tointeger(L, -1) : -1;
    if (hosts < 2 || hosts > PING_HOSTS_MAX) {
        return lua_run_error(L, "kraft.ping: hosts wants a whole number from 2 to %d, got %s",
                             PING_HOSTS_MAX, sandbox_tostring(L, -1));
    }
    lua_pop(L, 1);
    struct lua_ping **ud = lua_newuserdatauv(L, sizeof *ud, 0);
    struct lua_ping *p = calloc(1, sizeof *p);
    KS_ASSERT(p != NULL);
    *ud = p;
    luaL_setmetatable(L, ping_mt);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, "kraftsim.ping.the"); /* lives until lua_close */
    p->run = r;
    p->ud = ud;
    p->hosts = (int)hosts;
    for (int i = 0; i < p->hosts; i++) {
        snprintf(p->names[i], sizeof p->names[i], "ping-%d", i + 1);
        p->name_of[i] = p->names[i];
    }
    p->w = world_create(r->opts->seed, p->hosts, p->name_of, NULL, NULL);
    fault_log_init(&p->faults);
    struct net_link_cfg link = net_link_default();
    link.jitter = 200 * NS_PER_US;
    net_set_all_links(&p->w->net, &link);
    r->world = p->w;
    r->ping = p;
    trace_add_sink(&p->w->trace, (struct trace_sink){.event = checker_event, .ctx = p});
    scenario_trace_console(r->opts, &p->w->trace, &p->console); /* --trace[=KINDS] */
    if (r->opts->db != NULL) {
        for (int i = 0; i < p->hosts; i++) {
            run_db_host_name(r->opts->db, i, p->name_of[i]);
        }
        trace_add_sink(&p->w->trace, run_db_sink(r->opts->db));
    }
    for (int i = 0; i < p->hosts; i++) {
        p->configs[i] = ping_config_default();
        p->configs[i].peer = p->name_of[(i + 1) % p->hosts];
        p->configs[i].unsafe_send_before_fsync = planted(r->opts, "ping-send-before-fsync");
        host_install(host_of(p, i), &ping_process, &p->configs[i]);
    }
    trace_emitf(&p->w->trace, 0, TRACE_HOST_NONE, TRACE_RUN_START,
                "scenario=%s seed=%" PRIu64 " hosts=%d", r->chunk, r->opts->seed, p->hosts);
    lua_getglobal(L, "kraft");
    lua_pushcfunction(L, l_no_cluster);
    lua_setfield(L, -2, "cluster");
    lua_pop(L, 1);
    return 1;
}

void lua_ping_open(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"start", l_start},     {"crash", l_crash},         {"power_fail", l_power_fail},
        {"restart", l_restart}, {"pause", l_pause},         {"resume", l_resume},
        {"isolate", l_isolate}, {"partition", l_partition}, {"heal", l_heal},
        {"drift", l_drift},     {NULL, NULL}};
    luaL_newmetatable(L, ping_mt);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, ping_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
    lua_getglobal(L, "kraft");
    lua_pushcfunction(L, l_ping);
    lua_setfield(L, -2, "ping");
    lua_pop(L, 1);
}

void lua_ping_finish(struct lua_run *r)
{
    struct lua_ping *p = r->ping;
    if (p == NULL) {
        return;
    }
    FILE *out = r->opts->out;
    struct run_result *res = r->result;
    KS_ASSERT(world_check(p->w));
    trace_emitf(&p->w->trace, world_now(p->w), TRACE_HOST_NONE, TRACE_RUN_END, "violations=%u",
                res->violations);
    if (r->error[0] == '\0') {
        fprintf(out, "ping: %" PRIu64 " pings sent, %" PRIu64 " answered, %" PRIu64
                " timed out; %" PRIu64 " frames sent, %" PRIu64 " dropped\n", p->sent_count,
                p->pong_count, p->timeout_count, p->w->net.sent_count, p->w->net.dropped_count);
        fprintf(out, "ring: %d hosts\n", p->hosts);
        fault_log_print(&p->faults, out);
    }
    res->faults = fault_log_total(&p->faults);
    if (r->opts->db != NULL) {
        lua_record_faults(r->opts->db, &p->faults);
    }
    res->trace_hash = trace_hash(&p->w->trace);
    res->trace_events = p->w->trace.event_count;
    res->sched_events = sched_fired_count(&p->w->sched);
    res->virtual_end = world_now(p->w);
    world_destroy(p->w);
    r->world = NULL;
    r->ping = NULL;
    *p->ud = NULL;
    free(p);
}
