/* host.h — one simulated machine: a process that runs, crashes, pauses; its clock and disk. */
#ifndef KRAFTSIM_HOST_H
#define KRAFTSIM_HOST_H

/*
 * A host runs at most one process (a Kafka node, or the ping process) and implements the
 * environment (env.h) for it.
 *
 *            host_start               host_pause
 *   DOWN ----------------> UP ----------------------> PAUSED
 *    ^   <----------------  |  <---------------------   |
 *    |       host_stop      |        host_resume        |
 *    |                      | host_crash                | host_crash
 *    |     host_start       v host_power_fail           v host_power_fail
 *    +---------------- CRASHED <------------------------+
 *
 * - UP: events reach the process at once.
 * - PAUSED (SIGSTOP, a long GC): time passes, nothing runs. Frames, timer fires and fsync
 *   completions queue in arrival order and are stepped, in that order, at host_resume.
 * - CRASHED (kill -9) and DOWN (stopped, or never started): the process is gone. Frames sent to
 *   it are dropped, and a request is answered by the OS with a reset (an empty frame on
 *   ENV_CHANNEL_RESET back to the sender, over the same links), unless the host lost power:
 *   then nothing answers. Its timers and fsyncs are forgotten.
 *   host_crash keeps the disk's page cache; host_power_fail also loses what was not durable.
 *   The kernel is the disk's, not the process's: its writeback (world/disk.h) goes on while
 *   the process is paused, crashed or stopped, and only a power failure stops it.
 * - host_start from DOWN or CRASHED boots a new incarnation of the process from its disk.
 *
 * Every timer and fsync carries the incarnation that asked for it; a completion for an older
 * incarnation is dropped, so a restarted process never hears its predecessor's timers.
 *
 * Clock: the host's local clock runs at `clock_rate_ppm` parts per million of true time
 * (1,000,000 = exact). local = clock_base_local + (global - clock_base_global) * rate / 1e6.
 * A timer for a local delay d fires after ceil(d * 1e6 / rate) of true time. Changing the rate
 * rebases the clock so local time never jumps; host_clock_jump moves it forward at once.
 */

#include <stdbool.h>
#include <stdint.h>

#include "world/disk.h"
#include "env.h"
#include "world/net.h"
#include "world/rng.h"
#include "world/sched.h"
#include "trace/trace.h"

#define HOST_NAME_MAX_LEN 64
#define HOST_TOKEN_BITS 40 /* process timer and fsync tokens must fit below 2^40 */

enum host_state { HOST_DOWN, HOST_UP, HOST_PAUSED, HOST_CRASHED };

struct host_deferred; /* an event held while the host is paused */

struct host {
    int index;
    char name[HOST_NAME_MAX_LEN];
    enum host_state state;
    uint32_t incarnation; /* bumped at every start; 0 before the first */
    bool powered_off;     /* since host_power_fail, until host_start: no OS answers resets */
    uint64_t seed;
    struct sched *sched;
    struct net *net;
    struct trace *trace;
    struct disk disk;
    struct rng rng; /* the process's stream; reseeded per incarnation */
    struct env env;
    const struct process_ops *ops;
    const void *config;
    void *proc;
    int64_t clock_rate_ppm;
    time_ns clock_base_global;
    time_ns clock_base_local;
    struct host_deferred *deferred_head;
    struct host_deferred *deferred_tail;
    uint32_t deferred_count;
    uint64_t steps; /* events stepped into the process, all incarnations */
    uint32_t start_count;
    /* Called after every step of the process (the world's invariant checkers). */
    void (*after_step)(void *ctx, int host);
    void *after_step_ctx;
    /* Resolves host names for the env; set by the world. */
    int (*resolve)(void *ctx, const char *name, int port);
    void *resolve_ctx;
};

void host_init(struct host *h, int index, const char *name, uint64_t seed, struct sched *sched,
               struct net *net, struct trace *trace, const struct disk_cfg *disk_cfg);
void host_free(struct host *h);

/* Gives the host its program; the next host_start runs it. */
void host_install(struct host *h, const struct process_ops *ops, const void *config);
/* Boots the installed process. Returns false if it refused to start (state stays DOWN). */
bool host_start(struct host *h);
void host_stop(struct host *h);
void host_crash(struct host *h);
void host_power_fail(struct host *h);
void host_pause(struct host *h);
void host_resume(struct host *h);
void host_set_clock_rate(struct host *h, int64_t rate_ppm);
void host_clock_jump(struct host *h, time_ns forward);

time_ns host_local_now(const struct host *h);
/* The network's delivery entry point for frames addressed to this host. */
void host_deliver(struct host *h, int from, int channel, const uint8_t *bytes, size_t len);

/* The index of the host whose process is being stepped, or -1: for assertion reports. */
extern int host_stepping;

const char *host_state_name(enum host_state state);
bool host_check(const struct host *h);

#endif
