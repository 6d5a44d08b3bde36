/* scenario.c — the built-in C scenarios: today the ping ring under faults. */
#include "scenario/scenario.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "text.h"
#include "node.h"
#include "ping.h"
#include "world/world.h"

/* ---- the ping checker: sequence numbers a host sends only ever grow ----------------------- */

struct ping_checker {
    struct world *world;
    struct run_result *result;
    uint64_t last_sent[NET_HOST_MAX];
    bool sent_any[NET_HOST_MAX];
    uint64_t sent_count;
    uint64_t pong_count;
    uint64_t timeout_count;
};

static void violation(struct ping_checker *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void violation(struct ping_checker *c, const char *fmt, ...)
{
    if (c->result->violations++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->result->first_violation, sizeof c->result->first_violation, fmt, ap);
        va_end(ap);
    }
}

static void ping_checker_event(void *ctx, const struct trace_event *e)
{
    struct ping_checker *c = ctx;
    unsigned long long seq = 0;
    if (e->kind == TRACE_PONG_RECV) {
        c->pong_count++;
    } else if (e->kind == TRACE_PING_TIMEOUT) {
        c->timeout_count++;
    }
    if (e->kind != TRACE_PING_SEND || sscanf(e->detail, "seq=%llu", &seq) != 1) {
        return;
    }
    KS_ASSERT(e->host >= 0 && e->host < NET_HOST_MAX);
    c->sent_count++;
    if (c->sent_any[e->host] && seq <= c->last_sent[e->host]) {
        char when[32];
        trace_format_time(e->time, when, sizeof when);
        violation(c, "ping-monotonic: at%s s host %s sent seq %llu after seq %" PRIu64, when,
                  world_host(c->world, e->host)->name, seq, c->last_sent[e->host]);
    }
    c->sent_any[e->host] = true;
    c->last_sent[e->host] = seq;
}

/* ---- the ping scenario ---------------------------------------------------------------------- */

enum fault { F_PARTITION, F_HEAL, F_CRASH, F_RESTART, F_PAUSE, F_RESUME, F_DRIFT, F_POWER };

static void fault_fire(void *ctx, uint64_t arg)
{
    struct world *w = ctx;
    enum fault f = (enum fault)(arg >> 8);
    int host = (int)(arg & 0xff);
    switch (f) {
    case F_PARTITION: {
        int a[] = {host};
        int b[NET_HOST_MAX];
        int n = 0;
        for (int i = 0; i < w->host_count; i++) {
            if (i != host) {
                b[n++] = i;
            }
        }
        net_partition(&w->net, a, 1, b, n);
        break;
    }
    case F_HEAL:
        net_heal(&w->net);
        break;
    case F_CRASH:
        host_crash(world_host(w, host));
        break;
    case F_POWER:
        host_power_fail(world_host(w, host));
        break;
    case F_RESTART:
        host_start(world_host(w, host));
        break;
    case F_PAUSE:
        host_pause(world_host(w, host));
        break;
    case F_RESUME:
        host_resume(world_host(w, host));
        break;
    case F_DRIFT:
        /* 2% to 8% fast: a badly drifting VM clock. */
        host_set_clock_rate(world_host(w, host), 1020000 + (int64_t)rng_below(&w->nemesis, 60000));
        break;
    }
}

static void plan(struct world *w, time_ns when, enum fault f, int host)
{
    world_at(w, when, fault_fire, w, ((uint64_t)f << 8) | (uint64_t)host);
}

/* Three hosts ping each other in a ring while the seed picks which host suffers which fault and
 * when: an isolating partition, a crash and restart, a pause, clock drift and a power failure.
 */
static void plan_faults(struct world *w, time_ns duration)
{
    struct rng *r = &w->nemesis;
    time_ns slot = duration / 6;
    for (int k = 0; k < 5; k++) {
        int host = (int)rng_below(r, (uint64_t)w->host_count);
        time_ns start = slot * (k + 1) - slot / 2 + (time_ns)rng_below(r, (uint64_t)slot / 2);
        time_ns length = slot / 4 + (time_ns)rng_below(r, (uint64_t)slot / 4);
        switch (k) {
        case 0:
            plan(w, start, F_PARTITION, host);
            plan(w, start + length, F_HEAL, host);
            break;
        case 1:
            plan(w, start, F_CRASH, host);
            plan(w, start + length, F_RESTART, host);
            break;
        case 2:
            plan(w, start, F_PAUSE, host);
            plan(w, start + length, F_RESUME, host);
            break;
        case 3:
            plan(w, start, F_DRIFT, host);
            break;
        default:
            plan(w, start, F_POWER, host);
            plan(w, start + length, F_RESTART, host);
            break;
        }
    }
}

static void run_ping(const struct run_opts *opts, struct run_result *result)
{
    static const char *const names[] = {"ping-1", "ping-2", "ping-3"};
    enum { HOSTS = 3 };
    struct world *w = world_create(opts->seed, HOSTS, names, NULL, NULL);
    struct net_link_cfg link = net_link_default();
    link.jitter = 200 * NS_PER_US;
    net_set_all_links(&w->net, &link);

    struct ping_checker checker = {.world = w, .result = result};
    trace_add_sink(&w->trace, (struct trace_sink){.event = ping_checker_event, .ctx = &checker});
    if (opts->trace_console) {
        trace_add_sink(&w->trace, trace_console_sink(opts->out));
    }
    struct ping_config configs[HOSTS];
    for (int i = 0; i < HOSTS; i++) {
        configs[i] = ping_config_default();
        configs[i].peer = names[(i + 1) % HOSTS];
        configs[i].unsafe_send_before_fsync = planted(opts, "ping-send-before-fsync");
        host_install(world_host(w, i), &ping_process, &configs[i]);
    }
    time_ns duration = opts->duration > 0 ? opts->duration : 15 * NS_PER_S;
    trace_emitf(&w->trace, 0, TRACE_HOST_NONE, TRACE_RUN_START,
                "scenario=ping seed=%" PRIu64 " hosts=%d", opts->seed, HOSTS);
    for (int i = 0; i < HOSTS; i++) {
        host_start(world_host(w, i));
    }
    plan_faults(w, duration);
    world_run_until(w, duration);
    KS_ASSERT(world_check(w));
    trace_emitf(&w->trace, world_now(w), TRACE_HOST_NONE, TRACE_RUN_END,
                "violations=%u", result->violations);

    fprintf(opts->out, "ping: %" PRIu64 " pings sent, %" PRIu64 " answered, %" PRIu64
            " timed out; %" PRIu64 " frames sent, %" PRIu64 " dropped\n",
            checker.sent_count, checker.pong_count, checker.timeout_count, w->net.sent_count,
            w->net.dropped_count);
    result->trace_hash = trace_hash(&w->trace);
    result->trace_events = w->trace.event_count;
    result->sched_events = sched_fired_count(&w->sched);
    result->virtual_end = world_now(w);
    world_destroy(w);
}

static const struct scenario ping_scenario = {
    .name = "ping",
    .summary = "three hosts ping in a ring through a partition, crash, pause, drift and power "
               "failure; checks persist-before-send",
    .duration = 15 * NS_PER_S,
    .run = run_ping,
};

static const struct scenario *const scenarios[] = {
    &scenario_quorum3,
    &scenario_quorum5, &scenario_failover, &scenario_calm, &ping_scenario,
    NULL};

const struct scenario *const *scenario_all(void) { return scenarios; }

const struct scenario *scenario_find(const char *name)
{
    for (int i = 0; scenarios[i] != NULL; i++) {
        if (strcmp(scenarios[i]->name, name) == 0) {
            return scenarios[i];
        }
    }
    return NULL;
}

void fault_tally_add(struct fault_tally *t, const char *kind)
{
    KS_ASSERT(t != NULL && kind != NULL);
    int i = 0;
    while (i < t->kinds && strcmp(t->kind[i], kind) != 0) {
        i++;
    }
    if (i == t->kinds) {
        KS_ASSERT(t->kinds < FAULT_TALLY_KINDS);
        t->kind[t->kinds++] = kind;
    }
    t->count[i]++;
    t->total++;
}

void fault_tally_text(const struct fault_tally *t, char *buf, size_t cap)
{
    KS_ASSERT(t != NULL && buf != NULL && cap > 4);
    struct text out = text_init(buf, cap);
    if (t->total == 0) {
        text_printf(&out, "no faults");
    } else {
        text_printf(&out, "%" PRIu64 " fault%s:", t->total, t->total == 1 ? "" : "s");
    }
    for (int i = 0; i < t->kinds; i++) {
        text_printf(&out, "%s %" PRIu64 " %s", i == 0 ? "" : ",", t->count[i], t->kind[i]);
    }
    if (!text_fits(&out)) {
        memcpy(buf + cap - 4, "...", 4); /* a display line: cut, and saying so */
    }
}

int scenario_release_number(const struct run_opts *opts)
{
    const struct kafka_release *r =
        opts->kafka_version != NULL ? release_find(opts->kafka_version) : release_default();
    KS_ASSERT(r != NULL); /* the configs, which name it too, parsed */
    return r->number;
}

bool scenario_properties_fit(size_t len, const char *file, size_t cap, struct run_result *result)
{
    if (len > 0) {
        return true;
    }
    snprintf(result->config_error, sizeof result->config_error,
             "%s: the generated file does not fit in %zu bytes (is a flag value too long?)", file,
             cap);
    return false;
}

bool scenario_node_config(const char *text, size_t len, const char *file,
                          struct node_config *node, bool first, struct run_result *result)
{
    struct kafka_config *k = malloc(sizeof *k);
    KS_ASSERT(k != NULL);
    struct config_error cerr;
    char err[256];
    int rc = config_parse(text, len, file, k, &cerr);
    if (rc == CONFIG_OK && node_config_from_kafka(node, k, "", err, sizeof err) != 0) {
        rc = CONFIG_EINVALID;
        snprintf(cerr.message, sizeof cerr.message, "%s: %s", file, err);
    }
    if (rc == CONFIG_OK && first) {
        switches_describe(&k->switches, result->switches, sizeof result->switches);
    }
    free(k);
    if (rc != CONFIG_OK) {
        snprintf(result->config_error, sizeof result->config_error, "%s", cerr.message);
        return false;
    }
    return true;
}
