/* scenario.c — the built-in C scenarios: today the ping ring under faults. */
#include "scenario/scenario.h"
#include "scenario/fault_log.h"
#include "scenario/scenario_cluster.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "text.h"
#include "node.h"
#include "ping.h"
#include "trace/filter.h"
#include "trace/trace.h"
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
    char text[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    run_result_violation(c->result, "ping", text);
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
        violation(c, "ping-monotonic: host %s sent seq %llu after seq %" PRIu64 " at %s s",
                  world_host(c->world, e->host)->name, seq, c->last_sent[e->host],
                  when + strspn(when, " "));
    }
    c->sent_any[e->host] = true;
    c->last_sent[e->host] = seq;
}

/* ---- the ping scenario ---------------------------------------------------------------------- */

enum fault { F_PARTITION, F_HEAL, F_CRASH, F_RESTART, F_PAUSE, F_RESUME, F_DRIFT, F_POWER };

#define PING_HOSTS 3
#define PING_FAULTS 5

struct ping_run {
    struct world *w;
    struct fault_log faults;
    int fault_id[PING_FAULTS]; /* the log's id of planned fault k, once it began */
};

/* A fault began: the log names it and its host as the config does. */
static void ping_fault_begin(struct ping_run *r, int k, const char *kind, int host)
{
    const struct host *h = world_host(r->w, host);
    char targets[FAULT_LOG_TARGET_TEXT];
    struct text t = text_init(targets, sizeof targets);
    text_printf(&t, "%s", h->name);
    if (strcmp(kind, "clock-drift") == 0) {
        text_printf(&t, " (clock x%" PRId64 ".%06" PRId64 ")", h->clock_rate_ppm / 1000000,
                    h->clock_rate_ppm % 1000000);
    }
    r->fault_id[k] = fault_log_begin(&r->faults, world_now(r->w), kind, targets);
}

static void fault_fire(void *ctx, uint64_t arg)
{
    struct ping_run *r = ctx;
    struct world *w = r->w;
    enum fault f = (enum fault)(arg >> 16);
    int k = (int)((arg >> 8) & 0xff);
    int host = (int)(arg & 0xff);
    KS_ASSERT(k < PING_FAULTS);
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
        ping_fault_begin(r, k, "isolate", host);
        break;
    }
    case F_CRASH:
        host_crash(world_host(w, host));
        ping_fault_begin(r, k, "crash", host);
        break;
    case F_POWER:
        host_power_fail(world_host(w, host));
        ping_fault_begin(r, k, "power-failure", host);
        break;
    case F_PAUSE:
        host_pause(world_host(w, host));
        ping_fault_begin(r, k, "pause", host);
        break;
    case F_DRIFT:
        /* 2% to 8% fast: a badly drifting VM clock. */
        host_set_clock_rate(world_host(w, host), 1020000 + (int64_t)rng_below(&w->nemesis, 60000));
        ping_fault_begin(r, k, "clock-drift", host);
        break;
    case F_HEAL:
        net_heal(&w->net);
        fault_log_end(&r->faults, r->fault_id[k], world_now(w));
        break;
    case F_RESTART:
        host_start(world_host(w, host));
        fault_log_end(&r->faults, r->fault_id[k], world_now(w));
        break;
    case F_RESUME:
        host_resume(world_host(w, host));
        fault_log_end(&r->faults, r->fault_id[k], world_now(w));
        break;
    }
}

static void plan(struct ping_run *r, time_ns when, enum fault f, int k, int host)
{
    world_at(r->w, when, fault_fire, r, ((uint64_t)f << 16) | ((uint64_t)k << 8) | (uint64_t)host);
}

/* Three hosts ping each other in a ring while the seed picks which host suffers which fault and
 * when: an isolating partition, a crash and restart, a pause, clock drift and a power failure,
 * each in its own sixth of the run (so they never overlap), lasting a quarter to a half of it.
 */
static void plan_faults(struct ping_run *pr, time_ns duration)
{
    struct world *w = pr->w;
    struct rng *r = &w->nemesis;
    time_ns slot = duration / 6;
    for (int k = 0; k < PING_FAULTS; k++) {
        int host = (int)rng_below(r, (uint64_t)w->host_count);
        time_ns start = slot * (k + 1) - slot / 2 + (time_ns)rng_below(r, (uint64_t)slot / 2);
        time_ns length = slot / 4 + (time_ns)rng_below(r, (uint64_t)slot / 4);
        switch (k) {
        case 0:
            plan(pr, start, F_PARTITION, k, host);
            plan(pr, start + length, F_HEAL, k, host);
            break;
        case 1:
            plan(pr, start, F_CRASH, k, host);
            plan(pr, start + length, F_RESTART, k, host);
            break;
        case 2:
            plan(pr, start, F_PAUSE, k, host);
            plan(pr, start + length, F_RESUME, k, host);
            break;
        case 3:
            plan(pr, start, F_DRIFT, k, host);
            break;
        default:
            plan(pr, start, F_POWER, k, host);
            plan(pr, start + length, F_RESTART, k, host);
            break;
        }
    }
}

static const struct scenario ping_scenario;

static void run_ping(const struct run_opts *opts, struct run_result *result)
{
    static const char *const names[] = {"ping-1", "ping-2", "ping-3"};
    if (!scenario_duration_ok(&ping_scenario, opts, result)) {
        return;
    }
    struct ping_run *pr = calloc(1, sizeof *pr);
    KS_ASSERT(pr != NULL);
    fault_log_init(&pr->faults);
    struct world *w = world_create(opts->seed, PING_HOSTS, names, NULL, NULL);
    pr->w = w;
    struct net_link_cfg link = net_link_default();
    link.jitter = 200 * NS_PER_US;
    net_set_all_links(&w->net, &link);

    struct ping_checker checker = {.world = w, .result = result};
    trace_add_sink(&w->trace, (struct trace_sink){.event = ping_checker_event, .ctx = &checker});
    struct trace_console console;
    scenario_trace_console(opts, &w->trace, &console);
    struct ping_config configs[PING_HOSTS];
    for (int i = 0; i < PING_HOSTS; i++) {
        configs[i] = ping_config_default();
        configs[i].peer = names[(i + 1) % PING_HOSTS];
        configs[i].unsafe_send_before_fsync = planted(opts, "ping-send-before-fsync");
        host_install(world_host(w, i), &ping_process, &configs[i]);
    }
    time_ns duration = opts->duration > 0 ? opts->duration : ping_scenario.duration;
    trace_emitf(&w->trace, 0, TRACE_HOST_NONE, TRACE_RUN_START,
                "scenario=ping seed=%" PRIu64 " hosts=%d", opts->seed, PING_HOSTS);
    for (int i = 0; i < PING_HOSTS; i++) {
        host_start(world_host(w, i));
    }
    plan_faults(pr, duration);
    world_run_until(w, duration);
    KS_ASSERT(world_check(w));
    trace_emitf(&w->trace, world_now(w), TRACE_HOST_NONE, TRACE_RUN_END,
                "violations=%u", result->violations);

    fprintf(opts->out, "ping: %" PRIu64 " pings sent, %" PRIu64 " answered, %" PRIu64
            " timed out; %" PRIu64 " frames sent, %" PRIu64 " dropped\n",
            checker.sent_count, checker.pong_count, checker.timeout_count, w->net.sent_count,
            w->net.dropped_count);
    fault_log_print(&pr->faults, opts->out);
    result->faults = fault_log_total(&pr->faults);
    result->trace_hash = trace_hash(&w->trace);
    result->trace_events = w->trace.event_count;
    result->sched_events = sched_fired_count(&w->sched);
    result->virtual_end = world_now(w);
    world_destroy(w);
    free(pr);
}

static const struct scenario ping_scenario = {
    .name = "ping",
    .summary = "three hosts ping in a ring through a partition, crash, pause, drift and power "
               "failure; checks persist-before-send",
    .duration = 15 * NS_PER_S,
    /* Each fault lasts at least a 24th of the run: 250 ms, one ping interval, from 6 s. */
    .min_duration = 6 * NS_PER_S,
    .min_duration_why = "5 faults in 6 slots, each lasting at least one 250 ms ping interval",
    .run = run_ping,
};

static const struct scenario *const scenarios[] = {
    &scenario_cluster, &scenario_broker_failover, &scenario_offline_partition,
    &scenario_unclean_election, &scenario_quorum3,
    &scenario_quorum5, &scenario_failover, &scenario_calm, &ping_scenario,
    NULL};

const struct scenario *const *scenario_all(void) { return scenarios; }

const struct scenario *scenario_default(void) { return &scenario_cluster; }

const struct scenario *scenario_find(const char *name)
{
    for (int i = 0; scenarios[i] != NULL; i++) {
        if (strcmp(scenarios[i]->name, name) == 0) {
            return scenarios[i];
        }
    }
    return NULL;
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

void run_result_violation(struct run_result *r, const char *checker, const char *text)
{
    KS_ASSERT(r != NULL && checker != NULL && checker[0] != '\0' && text != NULL);
    if (r->violations++ == 0) {
        snprintf(r->first_violation, sizeof r->first_violation, "%s", text);
    }
    int i = 0;
    while (i < r->checker_count && strncmp(r->checkers[i].name, checker, RUN_CHECKER_NAME) != 0) {
        i++;
    }
    if (i == r->checker_count && i == RUN_CHECKERS_MAX) {
        i = RUN_CHECKERS_MAX - 1; /* more checkers than the table: the last counts the rest */
        snprintf(r->checkers[i].name, sizeof r->checkers[i].name, "other");
    } else if (i == r->checker_count) {
        r->checker_count++;
        snprintf(r->checkers[i].name, sizeof r->checkers[i].name, "%s", checker);
    }
    if (r->checkers[i].violations++ == 0) {
        snprintf(r->checkers[i].first, sizeof r->checkers[i].first, "%s", text);
    }
}

const struct checker_count *run_result_checker(const struct run_result *r, const char *checker)
{
    for (int i = 0; i < r->checker_count; i++) {
        if (strncmp(r->checkers[i].name, checker, RUN_CHECKER_NAME) == 0) {
            return &r->checkers[i];
        }
    }
    return NULL;
}

void scenario_violation(struct world *w, struct run_result *result, const char *checker,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    scenario_violationv(w, result, checker, fmt, ap);
    va_end(ap);
}

void scenario_violationv(struct world *w, struct run_result *result, const char *checker,
                         const char *fmt, va_list ap)
{
    char text[200];
    vsnprintf(text, sizeof text, fmt, ap);
    char when[32], line[256];
    trace_format_time(world_now(w), when, sizeof when);
    snprintf(line, sizeof line, "%s at %s s", text, when + strspn(when, " "));
    run_result_violation(result, checker, line);
    trace_emitf(&w->trace, world_now(w), TRACE_HOST_NONE, TRACE_NOTE, "violation %s", text);
}

void scenario_format_duration(time_ns d, char *buf, size_t cap)
{
    static const struct {
        const char *unit;
        time_ns scale;
    } units[] = {{"h", 3600 * NS_PER_S}, {"m", 60 * NS_PER_S}, {"s", NS_PER_S},
                 {"ms", NS_PER_MS},      {"us", NS_PER_US},     {"ns", 1}};
    KS_ASSERT(d >= 0);
    size_t i = d == 0 ? 2 : 0; /* "0s" */
    while (d % units[i].scale != 0) {
        i++; /* the largest unit that says it exactly: "90s", "2m", "500ms" */
    }
    snprintf(buf, cap, "%" PRId64 "%s", d / units[i].scale, units[i].unit);
}

bool scenario_duration_ok(const struct scenario *s, const struct run_opts *opts,
                          struct run_result *result)
{
    if (opts->duration <= 0 || opts->duration >= s->min_duration) {
        return true;
    }
    char given[32], least[32];
    scenario_format_duration(opts->duration, given, sizeof given);
    scenario_format_duration(s->min_duration, least, sizeof least);
    snprintf(result->config_error, sizeof result->config_error,
             "--duration %s: scenario %s needs at least %s (%s)", given, s->name, least,
             s->min_duration_why);
    return false;
}

void scenario_trace_console(const struct run_opts *opts, struct trace *t,
                            struct trace_console *console)
{
    if (opts->trace_console) {
        trace_console_attach(console, t, opts->out, opts->trace_filter);
    }
}
