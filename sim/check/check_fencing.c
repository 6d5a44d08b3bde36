/* check_fencing.c — fenced-while-reachable: a broker fenced although it could heartbeat. */
#include "check/check_fencing.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lifecycle.h"
#include "node.h"

static void violation(struct fencing_checker *fc, time_ns now, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void violation(struct fencing_checker *fc, time_ns now, const char *fmt, ...)
{
    KS_ASSERT(fc->result != NULL);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fc->last, sizeof fc->last, fmt, ap);
    va_end(ap);
    char when[32];
    trace_format_time(now, when, sizeof when);
    char line[sizeof fc->last + 40];
    snprintf(line, sizeof line, "%s at %s s", fc->last, when + strspn(when, " "));
    run_result_violation(fc->result, "fencing", line);
    trace_emitf(&fc->world->trace, now, TRACE_HOST_NONE, TRACE_NOTE, "violation %s", fc->last);
    KS_ASSERT(fc->result->violations > 0);
}

/* Looks at every host and link now; a state that was bad and is good again was bad until now
 * (the trace events come after the change they report). */
static void sample(struct fencing_checker *fc, time_ns now)
{
    for (int h = 0; h < fc->host_count; h++) {
        bool bad = world_host(fc->world, h)->state != HOST_UP;
        if (bad || fc->host_bad[h]) {
            fc->host_bad_last[h] = now;
        }
        fc->host_bad[h] = bad;
        for (int to = 0; to < fc->host_count; to++) {
            bool cut = to != h && net_is_cut(&fc->world->net, h, to);
            if (cut || fc->link_bad[h][to]) {
                fc->link_bad_last[h][to] = now;
            }
            fc->link_bad[h][to] = cut;
        }
    }
}

static void watch(void *ctx, const struct trace_event *e)
{
    switch (e->kind) {
    case TRACE_HOST_START:
    case TRACE_HOST_STOP:
    case TRACE_HOST_CRASH:
    case TRACE_HOST_POWER_FAIL:
    case TRACE_HOST_PAUSE:
    case TRACE_HOST_RESUME:
    case TRACE_NET_CUT:
    case TRACE_NET_HEAL:
        sample(ctx, e->time);
        break;
    case TRACE_NET_DROP: {
        /* A frame lost on a lossy link: a heartbeat or its answer may have been it, so the
         * path counts as bad at that moment (cheap: drops happen only under faults). */
        struct fencing_checker *fc = ctx;
        int64_t from = -1, to = -1;
        if (trace_event_int(e, "from", &from) && trace_event_int(e, "to", &to) && from >= 0 &&
            to >= 0 && from < fc->host_count && to < fc->host_count) {
            fc->link_bad_last[from][to] = e->time;
        }
        break;
    }
    default:
        break;
    }
}

void fencing_checker_init(struct fencing_checker *fc, struct world *w, struct run_result *result,
                          time_ns session_timeout, int host_count, const int32_t *node_ids,
                          const char *const *names)
{
    KS_ASSERT(host_count > 0 && host_count <= FENCING_HOST_MAX);
    KS_ASSERT(host_count <= w->host_count);
    KS_ASSERT(session_timeout > 0);
    memset(fc, 0, sizeof *fc);
    fc->world = w;
    fc->result = result;
    fc->session_timeout = session_timeout;
    fc->host_count = host_count;
    fc->names = names;
    for (int h = 0; h < host_count; h++) {
        fc->node_ids[h] = node_ids[h];
        fc->host_bad_last[h] = -1;
        for (int to = 0; to < host_count; to++) {
            fc->link_bad_last[h][to] = -1;
        }
    }
    sample(fc, world_now(w));
    trace_add_sink(&w->trace, (struct trace_sink){.event = watch, .ctx = fc});
    KS_ASSERT(fencing_checker_check(fc));
}

static int host_of_node(const struct fencing_checker *fc, int32_t node_id)
{
    for (int h = 0; h < fc->host_count; h++) {
        if (fc->node_ids[h] == node_id) {
            return h;
        }
    }
    return -1;
}

/* The broker a record fences, with the broker epoch it names; -1 if it fences nobody. */
static int32_t fenced_by(const struct metadata_record *r, int64_t *epoch)
{
    if (r->type == METADATA_FENCE_BROKER) {
        *epoch = r->u.fencing.epoch;
        return r->u.fencing.id;
    }
    const struct metadata_broker_registration_change *c = &r->u.broker_registration_change;
    if (r->type == METADATA_BROKER_REGISTRATION_CHANGE && c->fenced > 0) {
        *epoch = c->broker_epoch;
        return c->broker_id;
    }
    return -1;
}

/* Whether a host was up, or a link uncut, for the whole window [since, now]. */
static bool host_good_since(const struct fencing_checker *fc, int h, time_ns since)
{
    return !fc->host_bad[h] && fc->host_bad_last[h] < since;
}

static bool link_good_since(const struct fencing_checker *fc, int from, int to, time_ns since)
{
    return !fc->link_bad[from][to] && fc->link_bad_last[from][to] < since;
}

/* A fence the rule may judge: of an unfenced broker's current registration, not its own
 * controlled shutdown (the shadow's flag, or the RUNNING process for older metadata). */
static bool judged(const struct fencing_checker *fc, const struct metadata_image *before,
                   int32_t id, int64_t epoch, int b)
{
    const struct image_broker *ib = metadata_image_broker(before, id);
    if (ib == NULL || ib->fenced || ib->epoch != epoch || ib->in_controlled_shutdown) {
        return false;
    }
    struct host *h = world_host(fc->world, b);
    const struct lifecycle *lc = h->state == HOST_UP ? node_lifecycle(h->proc) : NULL;
    return h->state != HOST_UP || (lc != NULL && lc->state == LIFECYCLE_RUNNING);
}

void fencing_checker_record(struct fencing_checker *fc, const struct metadata_image *before,
                            const struct metadata_record *r, int controller_host, time_ns now)
{
    KS_ASSERT(fencing_checker_check(fc));
    KS_ASSERT(r != NULL && before != NULL);
    int64_t epoch = -1;
    int32_t id = fenced_by(r, &epoch);
    int b = id >= 0 ? host_of_node(fc, id) : -1;
    int c = controller_host;
    if (b < 0 || c < 0 || c >= fc->host_count || !judged(fc, before, id, epoch, b)) {
        return;
    }
    fc->fences_checked++;
    sample(fc, now);
    time_ns since = now - fc->session_timeout;
    bool reachable = host_good_since(fc, b, since) && host_good_since(fc, c, since) &&
                     (b == c || (link_good_since(fc, b, c, since) &&
                                 link_good_since(fc, c, b, since)));
    if (!reachable) {
        fc->fences_excused++;
        return;
    }
    violation(fc, now, "fenced-while-reachable: %s (node id %d) fenced (broker epoch %" PRId64
              ") by the active controller %s (node id %d), although for the whole "
              "broker.session.timeout.ms (%" PRId64 " ms) before, both hosts were up and the "
              "links between them uncut and lossless", fc->names[b], id, epoch, fc->names[c],
              fc->node_ids[c], fc->session_timeout / NS_PER_MS);
    KS_ASSERT(fencing_checker_check(fc));
}

bool fencing_checker_check(const struct fencing_checker *fc)
{
    if (fc->world == NULL || fc->host_count <= 0 || fc->host_count > FENCING_HOST_MAX) {
        return false;
    }
    for (int h = 0; h < fc->host_count; h++) {
        if (fc->host_bad[h] && fc->host_bad_last[h] < 0) {
            return false; /* bad now, so seen bad */
        }
    }
    return fc->fences_excused <= fc->fences_checked;
}
