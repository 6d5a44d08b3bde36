/* world.h — the simulated world of one run: scheduler, trace, network and hosts. */
#ifndef KRAFTSIM_WORLD_H
#define KRAFTSIM_WORLD_H

/*
 * A world is everything one seed drives. It is created with a seed and a number of hosts, owns
 * every simulated part, and routes the network's deliveries to hosts. Host names resolve to host
 * indexes for processes (env resolve), so a Kafka config that names "kafka-zk01:9093" reaches
 * host 0 if host 0 is called kafka-zk01.
 *
 * Random streams derive from the seed by purpose: "net", "disk"/host, "process"/host+incarnation,
 * "nemesis" and "workload" (for scenarios). None of them shifts another.
 */

#include <stdbool.h>
#include <stdint.h>

#include "world/disk.h"
#include "world/host.h"
#include "world/net.h"
#include "world/rng.h"
#include "world/sched.h"
#include "trace/trace.h"

struct world {
    uint64_t seed;
    struct sched sched;
    struct trace trace;
    struct net net;
    int host_count;
    struct host hosts[NET_HOST_MAX];
    struct rng nemesis;  /* fault choices made by scenarios */
    struct rng workload; /* client choices made by scenarios */
    struct disk_total disks; /* every host's disk bytes, and their peak (what retention kept) */
    /* Other names a host answers to (a deployment's addresses: "10.1.11.53"). */
    struct world_alias {
        char name[128];
        int host;
    } aliases[NET_HOST_MAX];
    int alias_count;
};

/* Names may be NULL: hosts are then called h0, h1, ... */
struct world *world_create(uint64_t seed, int host_count, const char *const *names,
                           const struct net_link_cfg *link, const struct disk_cfg *disk);
void world_destroy(struct world *w);
/* Host `host` also answers to `name` (an address from a deployment's files). False if there is
 * no room or the name is too long. */
bool world_alias_host(struct world *w, int host, const char *name);

static inline time_ns world_now(const struct world *w) { return sched_now(&w->sched); }
struct host *world_host(struct world *w, int index);
int world_find_host(const struct world *w, const char *name);

/* Schedules `fn(ctx, arg)` at an absolute virtual time: how scenarios plan faults. */
sched_timer world_at(struct world *w, time_ns when, sched_fn fn, void *ctx, uint64_t arg);
void world_run_until(struct world *w, time_ns until);

bool world_check(const struct world *w);

#endif
