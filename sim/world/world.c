/* world.c — creating a world, routing deliveries to hosts, and the assertion context. */
#include "world/world.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void deliver(void *ctx, int from, int to, uint8_t channel, const uint8_t *bytes,
                    size_t len)
{
    struct world *w = ctx;
    KS_ASSERT(to >= 0 && to < w->host_count);
    host_deliver(&w->hosts[to], from, channel, bytes, len);
}

static int resolve(void *ctx, const char *name, int port)
{
    (void)port; /* one process a host: every listener of a host reaches the same process */
    return world_find_host(ctx, name);
}

static void describe(void *arg, char *buf, size_t cap)
{
    const struct world *w = arg;
    char when[32];
    trace_format_time(sched_now(&w->sched), when, sizeof when);
    char *p = when;
    while (*p == ' ') {
        p++;
    }
    if (host_stepping >= 0) {
        snprintf(buf, cap, "(seed %" PRIu64 ", virtual time %s s, host %s)", w->seed, p,
                 w->hosts[host_stepping].name);
    } else {
        snprintf(buf, cap, "(seed %" PRIu64 ", virtual time %s s)", w->seed, p);
    }
}

struct world *world_create(uint64_t seed, int host_count, const char *const *names,
                           const struct net_link_cfg *link, const struct disk_cfg *disk)
{
    KS_ASSERT(host_count > 0);
    KS_ASSERT(host_count <= NET_HOST_MAX);
    struct world *w = calloc(1, sizeof *w);
    KS_ASSERT(w != NULL);
    w->seed = seed;
    w->host_count = host_count;
    sched_init(&w->sched);
    trace_init(&w->trace);
    net_init(&w->net, &w->sched, &w->trace, seed, host_count, deliver, w);
    if (link != NULL) {
        net_set_all_links(&w->net, link);
    }
    struct disk_cfg disk_default = disk_cfg_default();
    for (int i = 0; i < host_count; i++) {
        char fallback[16];
        snprintf(fallback, sizeof fallback, "h%d", i);
        const char *name = names != NULL ? names[i] : fallback;
        host_init(&w->hosts[i], i, name, seed, &w->sched, &w->net, &w->trace,
                  disk != NULL ? disk : &disk_default);
        w->hosts[i].resolve = resolve;
        w->hosts[i].resolve_ctx = w;
        disk_count_into(&w->hosts[i].disk, &w->disks);
    }
    rng_init(&w->nemesis, seed, "nemesis", 0);
    rng_init(&w->workload, seed, "workload", 0);
    ks_assert_set_context(describe, w);
    return w;
}

void world_destroy(struct world *w)
{
    if (w == NULL) {
        return;
    }
    for (int i = 0; i < w->host_count; i++) {
        host_free(&w->hosts[i]);
    }
    net_free(&w->net);
    sched_free(&w->sched);
    ks_assert_set_context(NULL, NULL);
    free(w);
}

struct host *world_host(struct world *w, int index)
{
    KS_ASSERT(index >= 0 && index < w->host_count);
    return &w->hosts[index];
}

int world_find_host(const struct world *w, const char *name)
{
    for (int i = 0; i < w->host_count; i++) {
        if (strcmp(w->hosts[i].name, name) == 0) {
            return i;
        }
    }
    for (int a = 0; a < w->alias_count; a++) {
        if (strcmp(w->aliases[a].name, name) == 0) {
            return w->aliases[a].host;
        }
    }
    return -1;
}

bool world_alias_host(struct world *w, int host, const char *name)
{
    KS_ASSERT(host >= 0 && host < w->host_count);
    if (w->alias_count == NET_HOST_MAX || strlen(name) >= sizeof w->aliases[0].name) {
        return false;
    }
    struct world_alias *a = &w->aliases[w->alias_count++];
    snprintf(a->name, sizeof a->name, "%s", name);
    a->host = host;
    return true;
}

sched_timer world_at(struct world *w, time_ns when, sched_fn fn, void *ctx, uint64_t arg)
{
    KS_ASSERT(when >= world_now(w));
    return sched_at(&w->sched, when, fn, ctx, arg);
}

void world_run_until(struct world *w, time_ns until) { sched_run_until(&w->sched, until); }

bool world_check(const struct world *w)
{
    if (!sched_check(&w->sched) || !net_check(&w->net)) {
        return false;
    }
    for (int i = 0; i < w->host_count; i++) {
        if (!host_check(&w->hosts[i]) || !disk_check(&w->hosts[i].disk)) {
            return false;
        }
    }
    return true;
}
