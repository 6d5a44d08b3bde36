/* check_raft.c — election safety, monotonic epochs and high watermarks, committed stability. */
#include "check/check_raft.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "raft/listener.h"
#include "raft/log.h"
#include "raft/quorum.h"

/* Errors a node reports that only a broken protocol can cause: Kafka treats each as fatal. */
static void watch_errors(void *ctx, const struct trace_event *e)
{
    static const char *const fatal[] = {"conflicting-leader", "truncate-below-high-watermark",
                                        "truncate-below-log-start", "metadata-record"};
    if (e->kind != TRACE_RAFT_ERROR) {
        return;
    }
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        if (strncmp(trace_event_detail(e), fatal[i], strlen(fatal[i])) == 0) {
            struct raft_checker *c = ctx;
            raft_checker_violation(c, "node-fatal: %s reported %s",
                                   world_host(c->world, e->host)->name, trace_event_detail(e));
        }
    }
}

void raft_checker_init(struct raft_checker *c, struct world *w, struct run_result *result)
{
    memset(c, 0, sizeof *c);
    c->world = w;
    c->result = result;
    for (int i = 0; i < NET_HOST_MAX; i++) {
        c->first_segment_base[i] = -1;
    }
    trace_add_sink(&w->trace, (struct trace_sink){.event = watch_errors, .ctx = c});
}

void raft_checker_free(struct raft_checker *c)
{
    for (int i = 0; i < NET_HOST_MAX; i++) {
        free(c->durable[i].epochs);
    }
    free(c->leader_of_epoch);
    free(c->committed.items);
    free(c->states.items);
    c->leader_of_epoch = NULL;
    c->committed.items = NULL;
    c->states.items = NULL;
}

void raft_checker_violation(struct raft_checker *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    scenario_violationv(c->world, c->result, "raft", fmt, ap);
    va_end(ap);
}

static void check_election_safety(struct raft_checker *c, const struct quorum_view *v)
{
    if (v->role != QUORUM_LEADER) {
        return;
    }
    KS_ASSERT(v->epoch >= 0);
    if ((uint32_t)v->epoch >= c->epoch_capacity) {
        uint32_t cap = (uint32_t)v->epoch * 2 + 16;
        c->leader_of_epoch = realloc(c->leader_of_epoch, cap * sizeof *c->leader_of_epoch);
        KS_ASSERT(c->leader_of_epoch != NULL);
        for (uint32_t i = c->epoch_capacity; i < cap; i++) {
            c->leader_of_epoch[i] = -1;
        }
        c->epoch_capacity = cap;
    }
    int32_t *seen = &c->leader_of_epoch[v->epoch];
    if (*seen >= 0 && *seen != v->node_id) {
        raft_checker_violation(c, "election-safety: nodes %d and %d both led epoch %d", *seen,
                               v->node_id, v->epoch);
    }
    *seen = v->node_id;
}

static void check_monotonic(struct raft_checker *c, int host, const struct quorum_view *v)
{
    struct raft_checker_host *h = &c->hosts[host];
    uint32_t incarnation = world_host(c->world, host)->incarnation;
    if (h->incarnation != incarnation) {
        *h = (struct raft_checker_host){incarnation, v->epoch, v->high_watermark, 0, -1};
        return;
    }
    if (v->epoch < h->epoch) {
        raft_checker_violation(c, "epoch-monotonic: node %d went from epoch %d to %d",
                               v->node_id, h->epoch, v->epoch);
    }
    /* A new leader starts without a high watermark (LeaderState: Optional.empty()) until a
     * majority has fetched in its epoch: unknown is not a step back, but once known again it
     * must not be below what this node knew before. */
    if (v->high_watermark >= 0 && v->high_watermark < h->high_watermark) {
        raft_checker_violation(c, "hw-monotonic: node %d high watermark %" PRId64 " -> %" PRId64,
                               v->node_id, h->high_watermark, v->high_watermark);
    }
    if (v->high_watermark > v->log_end_offset) {
        raft_checker_violation(c, "hw-within-log: node %d high watermark %" PRId64
                               " past its log end %" PRId64, v->node_id, v->high_watermark,
                               v->log_end_offset);
    }
    h->epoch = v->epoch;
    if (v->high_watermark > h->high_watermark) {
        h->high_watermark = v->high_watermark;
    }
}

/* The batch's stored CRC (it covers everything after the leader epoch), read straight from
 * the page cache with disk_peek so that looking draws no random number and meets no fault. */
static uint32_t batch_crc(const struct disk *d, const struct raft_log *log,
                          const struct raft_log_batch *b)
{
    uint8_t crc[4] = {0, 0, 0, 0};
    disk_peek(d, log->segments[b->segment].name, b->position + RECORD_BATCH_CRC_AT, crc, 4);
    return ((uint32_t)crc[0] << 24) | ((uint32_t)crc[1] << 16) | ((uint32_t)crc[2] << 8) |
           crc[3];
}

/* The window's slot for offset `at`, grown zero-filled (zero = nothing seen there yet) to
 * cover it. Offsets below the window's base were dropped as unreachable: asking for one means
 * that reasoning broke, so it is an assertion, never a silently skipped check. */
static void *window_at(struct raft_checker_window *w, int64_t at, size_t size)
{
    KS_ASSERT(at >= w->base);
    uint64_t index = (uint64_t)(at - w->base);
    if (index >= w->capacity) {
        uint64_t cap = index + index / 4 + 1024; /* modest slack: the live span is long */
        w->items = realloc(w->items, cap * size);
        KS_ASSERT(w->items != NULL);
        memset((char *)w->items + w->capacity * size, 0, (cap - w->capacity) * size);
        w->capacity = cap;
    }
    return (char *)w->items + index * size;
}

/* Forgets every offset below `floor`, moving the live slots down. The floor moves only when
 * some node deletes a segment, so this runs once per segment and node: O(1) per offset. */
static void window_trim(struct raft_checker_window *w, int64_t floor, size_t size)
{
    if (floor <= w->base) {
        return;
    }
    uint64_t drop = (uint64_t)(floor - w->base);
    if (drop >= w->capacity) {
        memset(w->items, 0, w->capacity * size);
    } else {
        uint64_t keep = w->capacity - drop;
        memmove(w->items, (char *)w->items + drop * size, keep * size);
        memset((char *)w->items + keep * size, 0, drop * size);
    }
    w->base = floor;
}

static struct raft_checker_batch *committed_at(struct raft_checker *c, int64_t base)
{
    return window_at(&c->committed, base, sizeof(struct raft_checker_batch));
}

/* Every batch below this node's high watermark must match what was committed there first. */
static void check_committed(struct raft_checker *c, int host, const struct raft_log *log,
                            const struct quorum_view *v)
{
    struct raft_checker_host *h = &c->hosts[host];
    if (log->end_offset < h->verified_end) {
        raft_checker_violation(c, "committed-stable: node %d truncated its log to %" PRId64
                               " below its committed offset %" PRId64, v->node_id,
                               log->end_offset, h->verified_end);
        h->verified_end = log->end_offset;
    }
    /* Batches below verified_end were checked in an earlier step of this incarnation and a
     * truncation below it is caught above: only the new ones need a look. */
    /* A log that starts at a snapshot has nothing below its start to look at. */
    int64_t from = h->verified_end > log->log_start_offset ? h->verified_end
                                                           : log->log_start_offset;
    const struct raft_log_batch *first = raft_log_batch_at(log, from);
    uint32_t start = first != NULL ? (uint32_t)(first - log->batches) : log->batch_count;
    for (uint32_t i = start; i < log->batch_count; i++) {
        const struct raft_log_batch *b = &log->batches[i];
        if (b->last_offset >= v->high_watermark) {
            break;
        }
        h->verified_end = b->last_offset + 1;
        struct raft_checker_batch *seen = committed_at(c, b->base_offset);
        if (b->base_offset < c->committed_end && seen->records == 0) {
            raft_checker_violation(c, "committed-stable: node %d has a batch at %" PRId64
                                   " where the committed log has none", v->node_id,
                                   b->base_offset);
            continue;
        }
        uint32_t crc = batch_crc(&world_host(c->world, host)->disk, log, b);
        KS_ASSERT(b->last_offset - b->base_offset < INT32_MAX); /* a batch's record count */
        uint32_t records = (uint32_t)(b->last_offset - b->base_offset + 1);
        int64_t seen_last = b->base_offset + (int64_t)seen->records - 1;
        if (seen->records == 0) {
            *seen = (struct raft_checker_batch){records, b->epoch, crc};
        } else if (seen->epoch != b->epoch || seen->records != records || seen->crc != crc) {
            raft_checker_violation(c, "committed-stable: node %d batch %" PRId64 "-%" PRId64
                                   " epoch %d differs from committed %" PRId64 "-%" PRId64
                                   " epoch %d", v->node_id, b->base_offset, b->last_offset,
                                   b->epoch, b->base_offset, seen_last, seen->epoch);
        }
    }
    if (v->high_watermark > c->committed_end) {
        c->committed_end = v->high_watermark;
    }
}

static void record_durable(struct raft_checker *c, int host, const struct raft_log *log,
                           int32_t node_id)
{
    struct raft_checker_durable *d = &c->durable[host];
    d->node_id = node_id;
    d->flushed_end = log->flushed_offset;
    d->log_start = log->log_start_offset;
    if (log->epoch_count > d->epoch_capacity) {
        d->epoch_capacity = log->epoch_count * 2;
        d->epochs = realloc(d->epochs, d->epoch_capacity * sizeof *d->epochs);
        KS_ASSERT(d->epochs != NULL);
    }
    if (log->epoch_count > 0) {
        memcpy(d->epochs, log->epochs, log->epoch_count * sizeof *d->epochs);
    }
    d->epoch_count = log->epoch_count;
}

/* The epoch of the record at `offset` by an epoch cache, or -1. */
static int32_t epoch_at(const struct raft_log_epoch *epochs, uint32_t count, int64_t offset)
{
    int32_t e = -1;
    for (uint32_t i = 0; i < count && epochs[i].start_offset <= offset; i++) {
        e = epochs[i].epoch;
    }
    return e;
}

static void check_hw_majority(struct raft_checker *c, int host, const struct quorum_view *v,
                              int64_t previous_hw)
{
    if (v->role != QUORUM_LEADER || v->high_watermark <= previous_hw || v->high_watermark <= 0) {
        return;
    }
    const struct raft_checker_durable *me = &c->durable[host];
    int32_t epoch = epoch_at(me->epochs, me->epoch_count, v->high_watermark - 1);
    int holders = 0;
    for (int i = 0; i < c->world->host_count; i++) {
        const struct raft_checker_durable *d = &c->durable[i];
        /* A log that starts past the offset holds it in the snapshot it starts at (the start
         * moves there only once that snapshot is frozen), and its epoch cache no longer
         * reaches back to it: a stale leader's late high watermark at 15.6 h of the quorum
         * scenario (seed 1) looked unheld that way. */
        bool in_snapshot = d->log_start >= v->high_watermark;
        if (d->flushed_end >= v->high_watermark &&
            (in_snapshot || epoch_at(d->epochs, d->epoch_count, v->high_watermark - 1) == epoch)) {
            holders++;
        }
    }
    int needed = node_quorum(world_host(c->world, host)->proc)->cfg.voter_count / 2 + 1;
    if (holders < needed) {
        raft_checker_violation(c, "hw-majority: leader %d moved its high watermark to %" PRId64
                               " but only %d voters hold it durably (majority %d)", v->node_id,
                               v->high_watermark, holders, needed);
    }
}

static void check_state_machine(struct raft_checker *c, int host, const struct raft_listener *l,
                                int32_t node_id)
{
    int64_t at = l->applied_offset;
    /* The image only changes when the applied offset does: hash it once per offset. */
    if (at <= 0 || at == c->hosts[host].state_checked_at) {
        return;
    }
    c->hosts[host].state_checked_at = at;
    struct raft_checker_state *seen = window_at(&c->states, at, sizeof *seen);
    uint64_t hash = metadata_image_hash(&l->image);
    if (!seen->known) {
        *seen = (struct raft_checker_state){hash, node_id, true};
    } else if (seen->image_hash != hash) {
        raft_checker_violation(c, "state-machine: at offset %" PRId64 " node %d's metadata image "
                               "%016" PRIx64 " differs from node %d's %016" PRIx64, at, node_id,
                               hash, seen->node_id, seen->image_hash);
    }
}

/* The lowest offset any node can still look at: the least first-segment base over every host
 * that runs (or ran, or will run) a node. A node host not yet seen running may start from
 * offset 0, so until every one has been seen nothing is dropped. */
static int64_t reachable_floor(const struct raft_checker *c)
{
    int64_t floor = INT64_MAX;
    for (int i = 0; i < c->world->host_count; i++) {
        if (world_host(c->world, i)->ops != &node_process) {
            continue;
        }
        int64_t base = c->first_segment_base[i];
        floor = base < floor ? (base < 0 ? 0 : base) : floor;
    }
    return floor == INT64_MAX ? 0 : floor;
}

/* Keeps the per-offset tables to what can still be compared (see raft_checker_window). */
static void slide_windows(struct raft_checker *c, int host, const struct raft_log *log)
{
    int64_t base = log->segment_count > 0 ? log->segments[0].base_offset
                                          : log->log_start_offset;
    KS_ASSERT(base <= log->log_start_offset);
    if (base == c->first_segment_base[host]) {
        return;
    }
    c->first_segment_base[host] = base;
    int64_t floor = reachable_floor(c);
    window_trim(&c->committed, floor, sizeof(struct raft_checker_batch));
    window_trim(&c->states, floor, sizeof(struct raft_checker_state));
}

void raft_checker_after_step(struct raft_checker *c, int host)
{
    struct host *h = world_host(c->world, host);
    if (h->proc == NULL || h->ops != &node_process) {
        return;
    }
    struct quorum_view v;
    quorum_view(node_quorum(h->proc), &v);
    c->checks++;
    record_durable(c, host, node_log(h->proc), v.node_id);
    int64_t previous_hw = c->hosts[host].incarnation == h->incarnation
                              ? c->hosts[host].high_watermark : -1;
    check_election_safety(c, &v);
    check_monotonic(c, host, &v);
    check_hw_majority(c, host, &v, previous_hw);
    check_state_machine(c, host, node_listener(h->proc), v.node_id);
    if (v.high_watermark > 0) {
        check_committed(c, host, node_log(h->proc), &v);
    }
    slide_windows(c, host, node_log(h->proc));
}
