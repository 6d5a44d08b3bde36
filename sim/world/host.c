/* host.c — a simulated machine: process lifecycle, the environment it sees, its clock. */
#include "world/host.h"

#include <stdlib.h>
#include <string.h>

#define TOKEN_MASK ((UINT64_C(1) << HOST_TOKEN_BITS) - 1)
#define INCARNATION_MASK ((UINT64_C(1) << (64 - HOST_TOKEN_BITS)) - 1)
#define RATE_EXACT INT64_C(1000000)

struct host_deferred {
    struct host_deferred *next;
    struct env_event event; /* `now` is filled in at resume */
    uint64_t timer_id;      /* for timer events: the id the process may still cancel */
    uint8_t *bytes;         /* the frame's own copy, for messages */
};

static const struct env_ops host_env_ops;

int host_stepping = -1;

const char *host_state_name(enum host_state state)
{
    switch (state) {
    case HOST_DOWN:
        return "down";
    case HOST_UP:
        return "up";
    case HOST_PAUSED:
        return "paused";
    case HOST_CRASHED:
        return "crashed";
    }
    return "?";
}

void host_init(struct host *h, int index, const char *name, uint64_t seed, struct sched *sched,
               struct net *net, struct trace *trace, const struct disk_cfg *disk_cfg)
{
    KS_ASSERT(index >= 0);
    KS_ASSERT(strlen(name) < HOST_NAME_MAX_LEN);
    memset(h, 0, sizeof *h);
    h->index = index;
    strcpy(h->name, name);
    trace_name_host(trace, index, h->name);
    h->state = HOST_DOWN;
    h->seed = seed;
    h->sched = sched;
    h->net = net;
    h->trace = trace;
    h->clock_rate_ppm = RATE_EXACT;
    disk_init(&h->disk, sched, trace, seed, index, disk_cfg);
    h->env = (struct env){.ops = &host_env_ops, .ctx = h, .host = index};
}

static void deferred_clear(struct host *h)
{
    struct host_deferred *d = h->deferred_head;
    while (d != NULL) {
        struct host_deferred *next = d->next;
        free(d->bytes);
        free(d);
        d = next;
    }
    h->deferred_head = NULL;
    h->deferred_tail = NULL;
    h->deferred_count = 0;
}

static void process_destroy(struct host *h)
{
    if (h->proc != NULL) {
        h->ops->destroy(h->proc);
        h->proc = NULL;
    }
    deferred_clear(h);
}

void host_free(struct host *h)
{
    process_destroy(h);
    disk_free(&h->disk);
}

void host_install(struct host *h, const struct process_ops *ops, const void *config)
{
    KS_ASSERT(ops != NULL);
    KS_ASSERT(h->state == HOST_DOWN || h->state == HOST_CRASHED);
    h->ops = ops;
    h->config = config;
}

/* ---- the clock ---------------------------------------------------------------------------- */

time_ns host_local_now(const struct host *h)
{
    time_ns elapsed = sched_now(h->sched) - h->clock_base_global;
    KS_ASSERT(elapsed >= 0);
    if (h->clock_rate_ppm == RATE_EXACT) {
        return h->clock_base_local + elapsed; /* no drift: the same value, no 128-bit divide */
    }
    __int128 scaled = (__int128)elapsed * h->clock_rate_ppm / RATE_EXACT;
    return h->clock_base_local + (time_ns)scaled;
}

/* True time for a local delay: ceil(delay * 1e6 / rate), so a timer never fires early by the
 * host's own clock. */
static time_ns global_delay(const struct host *h, time_ns local_delay)
{
    KS_ASSERT(local_delay >= 0);
    if (h->clock_rate_ppm == RATE_EXACT) {
        return local_delay;
    }
    __int128 d = ((__int128)local_delay * RATE_EXACT + h->clock_rate_ppm - 1) / h->clock_rate_ppm;
    return d > TIME_NS_MAX ? TIME_NS_MAX : (time_ns)d;
}

void host_set_clock_rate(struct host *h, int64_t rate_ppm)
{
    KS_ASSERT(rate_ppm > 0);
    h->clock_base_local = host_local_now(h);
    h->clock_base_global = sched_now(h->sched);
    h->clock_rate_ppm = rate_ppm;
    trace_fields(h->trace, sched_now(h->sched), h->index, TRACE_HOST_CLOCK,
                 TF_INT("rate_ppm", rate_ppm));
}

void host_clock_jump(struct host *h, time_ns forward)
{
    KS_ASSERT(forward >= 0);
    h->clock_base_local = time_add(h->clock_base_local, forward);
    trace_fields(h->trace, sched_now(h->sched), h->index, TRACE_HOST_CLOCK,
                 TF_INT("jump_ns", forward));
}

/* ---- stepping the process ----------------------------------------------------------------- */

static void step(struct host *h, struct env_event *event)
{
    KS_ASSERT(h->state == HOST_UP);
    KS_ASSERT(h->proc != NULL);
    event->now = host_local_now(h);
    h->steps++;
    int outer = host_stepping;
    host_stepping = h->index;
    h->ops->step(h->proc, event);
    host_stepping = outer;
    if (h->after_step != NULL) {
        h->after_step(h->after_step_ctx, h->index);
    }
}

/* Hands an event to the process now, or holds it while paused. `bytes` is copied if held. */
static void dispatch(struct host *h, struct env_event *event, uint64_t timer_id)
{
    if (h->state == HOST_UP) {
        step(h, event);
        return;
    }
    KS_ASSERT(h->state == HOST_PAUSED);
    struct host_deferred *d = calloc(1, sizeof *d);
    KS_ASSERT(d != NULL);
    d->event = *event;
    d->timer_id = timer_id;
    if (event->kind == ENV_EVENT_MESSAGE) {
        d->bytes = malloc(event->u.message.len > 0 ? event->u.message.len : 1);
        KS_ASSERT(d->bytes != NULL);
        memcpy(d->bytes, event->u.message.bytes, event->u.message.len);
        d->event.u.message.bytes = d->bytes;
    }
    if (h->deferred_tail == NULL) {
        h->deferred_head = d;
    } else {
        h->deferred_tail->next = d;
    }
    h->deferred_tail = d;
    h->deferred_count++;
}

static uint64_t pack(const struct host *h, uint64_t token)
{
    KS_ASSERT(token <= TOKEN_MASK);
    return ((uint64_t)(h->incarnation & INCARNATION_MASK) << HOST_TOKEN_BITS) | token;
}

static bool current(const struct host *h, uint64_t packed)
{
    bool alive = h->state == HOST_UP || h->state == HOST_PAUSED;
    return alive && (packed >> HOST_TOKEN_BITS) == (h->incarnation & INCARNATION_MASK);
}

static void timer_fired(void *ctx, uint64_t packed)
{
    struct host *h = ctx;
    if (!current(h, packed)) {
        return; /* a timer of a process that has since died */
    }
    struct env_event event = {.kind = ENV_EVENT_TIMER, .u.timer.token = packed & TOKEN_MASK};
    dispatch(h, &event, sched_firing(h->sched));
}

static void fsync_done(void *ctx, uint64_t packed, int err)
{
    struct host *h = ctx;
    if (!current(h, packed)) {
        return;
    }
    struct env_event event = {.kind = ENV_EVENT_DISK,
                              .u.disk = {.token = packed & TOKEN_MASK, .err = err}};
    dispatch(h, &event, 0);
}

void host_deliver(struct host *h, int from, int channel, const uint8_t *bytes, size_t len)
{
    if (h->state != HOST_UP && h->state != HOST_PAUSED) {
        char reason[32];
        snprintf(reason, sizeof reason, "host-%s", host_state_name(h->state));
        trace_fields(h->trace, sched_now(h->sched), h->index, TRACE_NET_DROP,
                     TF_HOST("from", from), TF_HOST("to", h->index), TF_UINT("bytes", len),
                     TF_STR("reason", reason));
        if (channel == ENV_CHANNEL_REQUEST && !h->powered_off && from != h->index) {
            /* Nobody listens: the OS refuses the connection (RST). */
            net_reset(h->net, h->index, from);
        }
        return;
    }
    struct env_event event = {.kind = ENV_EVENT_MESSAGE,
                              .u.message = {.from_host = from,
                                            .channel = channel,
                                            .bytes = bytes,
                                            .len = len}};
    dispatch(h, &event, 0);
}

/* ---- lifecycle ----------------------------------------------------------------------------- */

bool host_start(struct host *h)
{
    KS_ASSERT(h->ops != NULL);
    KS_ASSERT(h->state == HOST_DOWN || h->state == HOST_CRASHED);
    KS_ASSERT(h->proc == NULL);
    h->incarnation++;
    h->start_count++;
    h->powered_off = false;
    rng_init(&h->rng, h->seed, "process", ((uint64_t)h->index << 32) | h->incarnation);
    h->state = HOST_UP;
    trace_fields(h->trace, sched_now(h->sched), h->index, TRACE_HOST_START,
                 TF_STR("name", h->name), TF_STR("process", h->ops->name),
                 TF_UINT("incarnation", h->incarnation));
    int outer = host_stepping;
    host_stepping = h->index;
    h->proc = h->ops->start(&h->env, h->config);
    host_stepping = outer;
    if (h->proc == NULL) {
        h->state = HOST_DOWN; /* it said why in the trace */
        return false;
    }
    if (h->after_step != NULL) {
        h->after_step(h->after_step_ctx, h->index);
    }
    return true;
}

void host_stop(struct host *h)
{
    KS_ASSERT(h->state == HOST_UP || h->state == HOST_PAUSED);
    process_destroy(h);
    h->state = HOST_DOWN;
    trace_fields(h->trace, sched_now(h->sched), h->index, TRACE_HOST_STOP, TF_STR("name", h->name));
}

void host_crash(struct host *h)
{
    if (h->state == HOST_UP || h->state == HOST_PAUSED) {
        process_destroy(h);
        h->state = HOST_CRASHED;
    }
    disk_crash(&h->disk);
    trace_fields(h->trace, sched_now(h->sched), h->index, TRACE_HOST_CRASH,
                 TF_STR("name", h->name));
}

void host_power_fail(struct host *h)
{
    if (h->state == HOST_UP || h->state == HOST_PAUSED) {
        process_destroy(h);
        h->state = HOST_CRASHED;
    }
    h->powered_off = true;
    trace_fields(h->trace, sched_now(h->sched), h->index, TRACE_HOST_POWER_FAIL,
                 TF_STR("name", h->name));
    disk_power_fail(&h->disk);
}

void host_pause(struct host *h)
{
    KS_ASSERT(h->state == HOST_UP);
    h->state = HOST_PAUSED;
    trace_fields(h->trace, sched_now(h->sched), h->index, TRACE_HOST_PAUSE,
                 TF_STR("name", h->name));
}

void host_resume(struct host *h)
{
    KS_ASSERT(h->state == HOST_PAUSED);
    h->state = HOST_UP;
    trace_fields(h->trace, sched_now(h->sched), h->index, TRACE_HOST_RESUME,
                 TF_STR("name", h->name), TF_UINT("held", h->deferred_count));
    /* Step the held events in arrival order. A step may crash or pause nothing (only the world
     * does that), but it may not resume re-entrantly either, so the list is ours alone. */
    while (h->deferred_head != NULL && h->state == HOST_UP) {
        struct host_deferred *d = h->deferred_head;
        h->deferred_head = d->next;
        if (h->deferred_head == NULL) {
            h->deferred_tail = NULL;
        }
        h->deferred_count--;
        step(h, &d->event);
        free(d->bytes);
        free(d);
    }
}

bool host_check(const struct host *h)
{
    if ((h->state == HOST_UP || h->state == HOST_PAUSED) != (h->proc != NULL)) {
        return false;
    }
    if (h->state != HOST_PAUSED && h->deferred_count != 0) {
        return false;
    }
    uint32_t count = 0;
    for (const struct host_deferred *d = h->deferred_head; d != NULL; d = d->next) {
        count++;
    }
    return count == h->deferred_count && h->clock_rate_ppm > 0;
}

/* ---- the environment, as this host provides it ------------------------------------------- */

static time_ns env_now_impl(void *ctx) { return host_local_now(ctx); }

static uint64_t env_timer_set(void *ctx, time_ns delay, uint64_t token)
{
    struct host *h = ctx;
    KS_ASSERT(h->state == HOST_UP);
    return sched_after(h->sched, global_delay(h, delay), timer_fired, h, pack(h, token));
}

static void env_timer_cancel(void *ctx, uint64_t id)
{
    struct host *h = ctx;
    if (sched_cancel(h->sched, id) || h->deferred_head == NULL) {
        return;
    }
    /* The timer may have fired while the host was paused and still wait among the held events
     * being stepped at resume: a cancelled timer must not fire, so take it out. */
    struct host_deferred **link = &h->deferred_head;
    struct host_deferred *prev = NULL;
    while (*link != NULL) {
        struct host_deferred *d = *link;
        if (d->event.kind == ENV_EVENT_TIMER && d->timer_id == id) {
            *link = d->next;
            if (h->deferred_tail == d) {
                h->deferred_tail = prev;
            }
            h->deferred_count--;
            free(d);
            return;
        }
        prev = d;
        link = &d->next;
    }
}

static void env_send(void *ctx, int to_host, int channel, const uint8_t *bytes, size_t len)
{
    struct host *h = ctx;
    KS_ASSERT(h->state == HOST_UP);
    KS_ASSERT(channel == ENV_CHANNEL_REQUEST || channel == ENV_CHANNEL_RESPONSE);
    net_send(h->net, h->index, to_host, (uint8_t)channel, bytes, len);
}

static int env_resolve(void *ctx, const char *name, int port)
{
    struct host *h = ctx;
    return h->resolve != NULL ? h->resolve(h->resolve_ctx, name, port) : -1;
}

static int env_disk_write(void *ctx, const char *file, uint64_t offset, const void *bytes,
                          size_t len)
{
    return disk_write(&((struct host *)ctx)->disk, file, offset, bytes, len);
}

static int64_t env_disk_read(void *ctx, const char *file, uint64_t offset, void *buf,
                             size_t len)
{
    return disk_read(&((struct host *)ctx)->disk, file, offset, buf, len);
}

static int64_t env_disk_size(void *ctx, const char *file)
{
    return disk_size(&((struct host *)ctx)->disk, file);
}

static int env_disk_truncate(void *ctx, const char *file, uint64_t size)
{
    return disk_truncate(&((struct host *)ctx)->disk, file, size);
}

static int env_disk_rename(void *ctx, const char *from, const char *to)
{
    return disk_rename(&((struct host *)ctx)->disk, from, to);
}

static int env_disk_remove(void *ctx, const char *file)
{
    return disk_remove(&((struct host *)ctx)->disk, file);
}

static int env_disk_list(void *ctx, const char *prefix, void (*each)(void *, const char *),
                         void *arg)
{
    return disk_list(&((struct host *)ctx)->disk, prefix, each, arg);
}

static void env_disk_fsync(void *ctx, const char *file, uint64_t token)
{
    struct host *h = ctx;
    KS_ASSERT(h->state == HOST_UP);
    disk_fsync(&h->disk, file, fsync_done, h, pack(h, token));
}

static uint64_t env_random_impl(void *ctx) { return rng_next(&((struct host *)ctx)->rng); }

static void env_trace_impl(void *ctx, enum trace_kind kind, const struct trace_field *fields,
                           size_t count)
{
    struct host *h = ctx;
    trace_emit_fields(h->trace, sched_now(h->sched), h->index, kind, fields, count);
}

static const struct env_ops host_env_ops = {
    .now = env_now_impl,
    .timer_set = env_timer_set,
    .timer_cancel = env_timer_cancel,
    .send = env_send,
    .resolve = env_resolve,
    .disk_write = env_disk_write,
    .disk_read = env_disk_read,
    .disk_size = env_disk_size,
    .disk_truncate = env_disk_truncate,
    .disk_rename = env_disk_rename,
    .disk_remove = env_disk_remove,
    .disk_list = env_disk_list,
    .disk_fsync = env_disk_fsync,
    .random = env_random_impl,
    .trace = env_trace_impl,
};
