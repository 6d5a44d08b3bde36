/* log.c — the KRaft metadata log: segments on the env disk, batch index, epoch cache, flushes. */
#include "log.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"

#define PARTITION_DIR "__cluster_metadata-0" /* topic __cluster_metadata, partition 0 */
#define SEGMENT_SUFFIX ".log"
#define OFFSET_DIGITS 20 /* LogFileUtils.filenamePrefixFromOffset: %020d */
#define EPOCH_DIGITS 10  /* Snapshots.EPOCH_WIDTH */
#define SNAPSHOT_SUFFIX ".checkpoint"                 /* Snapshots.SUFFIX */
#define SNAPSHOT_PARTIAL_SUFFIX ".checkpoint.part"    /* Snapshots.PARTIAL_SUFFIX */
#define SNAPSHOT_DELETED_SUFFIX ".checkpoint.deleted" /* Snapshots.DELETE_SUFFIX */

/* ---- errors ------------------------------------------------------------------------------- */

static int fail(struct raft_log *l, enum raft_log_err_source source, int err, const char *fmt,
                ...) __attribute__((format(printf, 4, 5)));

/* Records a one-line message and returns `err`, so error paths read `return fail(...)`. */
static int fail(struct raft_log *l, enum raft_log_err_source source, int err, const char *fmt,
                ...)
{
    KS_ASSERT(err < 0);
    KS_ASSERT(source != RAFT_LOG_ERR_NONE);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->last_error, sizeof l->last_error, fmt, ap);
    va_end(ap);
    l->last_error_source = source;
    l->last_error_code = err;
    return err;
}

/* ---- growable arrays ---------------------------------------------------------------------- */

/* ---- lookups ------------------------------------------------------------------------------ */

/* The O(1) part of raft_log_check, asserted on the hot paths (append, flush completion), where
 * the whole check would make a long run quadratic: the offsets and the last batch. */
static bool check_tail(const struct raft_log *l)
{
    if (!(l->log_start_offset <= l->flushed_offset && l->flushed_offset <= l->end_offset)) {
        return false;
    }
    if (l->batch_count == 0) {
        return l->epoch_count == 0 && l->end_offset == l->log_start_offset;
    }
    const struct raft_log_batch *b = &l->batches[l->batch_count - 1];
    const struct raft_log_segment *s = &l->segments[b->segment];
    if (b->last_offset + 1 != l->end_offset || b->position + b->size != s->size) {
        return false;
    }
    if (b->last_offset < l->log_start_offset) {
        return l->epoch_count == 0; /* every batch lies below the start: the cache is empty */
    }
    return l->epoch_count > 0 && b->epoch == l->epochs[l->epoch_count - 1].epoch;
}

static bool check_snapshots(const struct raft_log *l);

/* check_tail, plus what moving the log start changes: the first segment at or below it, the
 * epoch cache's first entry starting at it (or empty), the snapshots' rules. */
static bool check_start(const struct raft_log *l)
{
    if (!check_tail(l) || !check_snapshots(l)) {
        return false;
    }
    if (l->segment_count == 0 || l->segments[0].base_offset > l->log_start_offset) {
        return false;
    }
    return l->epoch_count == 0 || l->epochs[0].start_offset == l->log_start_offset;
}

/* Index of the batch holding `offset`, or batch_count. Binary search: base offsets ascend. */
static uint32_t batch_index(const struct raft_log *l, int64_t offset)
{
    uint32_t lo = 0;
    uint32_t hi = l->batch_count;
    while (lo < hi) { /* find the first batch whose last offset >= offset */
        uint32_t mid = lo + (hi - lo) / 2;
        if (l->batches[mid].last_offset < offset) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo < l->batch_count && l->batches[lo].base_offset <= offset) {
        return lo;
    }
    return l->batch_count;
}

const struct raft_log_batch *raft_log_batch_at(const struct raft_log *l, int64_t offset)
{
    KS_ASSERT(l != NULL);
    uint32_t i = batch_index(l, offset);
    return i < l->batch_count ? &l->batches[i] : NULL;
}

static struct raft_log_segment *segment_by_base(struct raft_log *l, int64_t base_offset)
{
    for (uint32_t i = 0; i < l->segment_count; i++) {
        if (l->segments[i].base_offset == base_offset) {
            return &l->segments[i];
        }
    }
    return NULL;
}

int32_t raft_log_last_epoch(const struct raft_log *l)
{
    KS_ASSERT(l != NULL);
    if (l->epoch_count > 0) {
        return l->epochs[l->epoch_count - 1].epoch;
    }
    if (l->latest_snapshot.end_offset >= 0) {
        return l->latest_snapshot.epoch; /* KafkaMetadataLog.lastFetchedEpoch */
    }
    return 0;
}

/* LeaderEpochFileCache.endOffsetFor, as UnifiedLog.endOffsetForEpoch wraps it: false when the
 * cache has no answer (UNDEFINED_EPOCH asked, no entries, or an epoch above the latest). */
static bool cache_end_offset_for(const struct raft_log *l, int32_t epoch,
                                 struct raft_log_snapshot_id *found)
{
    if (epoch == -1 || l->epoch_count == 0) {
        return false;
    }
    if (epoch == l->epochs[l->epoch_count - 1].epoch) {
        *found = (struct raft_log_snapshot_id){.end_offset = l->end_offset, .epoch = epoch};
        return true;
    }
    uint32_t lo = 0;
    uint32_t hi = l->epoch_count;
    while (lo < hi) { /* the higher entry: the first with an epoch above `epoch` */
        uint32_t mid = lo + (hi - lo) / 2;
        if (l->epochs[mid].epoch <= epoch) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == l->epoch_count) {
        return false; /* above every epoch ("should never be hit": the latest is the largest) */
    }
    /* No floor entry: "the data has already been removed from the log", so the requested epoch
     * ends where the first known one starts. */
    int32_t floor = lo == 0 ? epoch : l->epochs[lo - 1].epoch;
    *found = (struct raft_log_snapshot_id){.end_offset = l->epochs[lo].start_offset,
                                           .epoch = floor};
    return true;
}

/* KafkaRaftLog.endOffsetForEpoch. */
struct raft_log_snapshot_id raft_log_end_offset_for_epoch(const struct raft_log *l,
                                                          int32_t epoch)
{
    KS_ASSERT(l != NULL);
    struct raft_log_snapshot_id found;
    if (!cache_end_offset_for(l, epoch, &found)) {
        return (struct raft_log_snapshot_id){.end_offset = l->end_offset,
                                             .epoch = raft_log_last_epoch(l)};
    }
    KS_ASSERT(found.end_offset <= l->end_offset);
    struct raft_log_snapshot_id earliest = raft_log_earliest_snapshot(l);
    if (earliest.end_offset >= 0 && found.end_offset == earliest.end_offset &&
        found.epoch == epoch) {
        /* "The epoch is equal to the smallest epoch on the log. Override the diverging epoch to
         * the oldest snapshot which should be the snapshot at the log start offset." */
        return earliest;
    }
    return found;
}

/* RaftLog.truncateToEndOffset's choice: the leader's (end offset, epoch) is its view; where our
 * own log ends that epoch decides, or a follower whose extra entries come from an epoch the
 * leader never had would truncate to an offset past its end and fetch the same divergence
 * forever. */
int64_t raft_log_truncation_offset(const struct raft_log *l, struct raft_log_snapshot_id end)
{
    KS_ASSERT(l != NULL);
    if (end.epoch == 0) {
        return end.end_offset < l->end_offset ? end.end_offset : l->end_offset;
    }
    struct raft_log_snapshot_id local = raft_log_end_offset_for_epoch(l, end.epoch);
    if (local.epoch != end.epoch) {
        return local.end_offset;
    }
    return local.end_offset < end.end_offset ? local.end_offset : end.end_offset;
}

/* ---- the in-memory index ------------------------------------------------------------------ */

static void segment_name(const struct raft_log *l, int64_t base_offset, char *out, size_t cap)
{
    KS_ASSERT(base_offset >= 0);
    int n = snprintf(out, cap, "%s/%0*" PRId64 SEGMENT_SUFFIX, l->dir, OFFSET_DIGITS,
                     base_offset);
    KS_ASSERT(n > 0 && (size_t)n < cap);
}

static struct raft_log_segment *segment_push(struct raft_log *l, int64_t base_offset)
{
    KS_ASSERT(l->segment_count == 0 || l->segments[l->segment_count - 1].size > 0);
    l->segments = array_grow(l->segments, l->segment_count, &l->segment_capacity,
                       sizeof *l->segments);
    struct raft_log_segment *s = &l->segments[l->segment_count++];
    *s = (struct raft_log_segment){.base_offset = base_offset, .roll_timestamp = -1};
    segment_name(l, base_offset, s->name, sizeof s->name);
    return s;
}

/* Adds a batch already written at the end of the last segment. Keeps the epoch cache as
 * LeaderEpochFileCache.assign does: a new entry only when the epoch rises. */
static void index_push(struct raft_log *l, const struct raft_log_batch *b)
{
    KS_ASSERT(l->segment_count > 0);
    KS_ASSERT(b->base_offset == l->end_offset);
    KS_ASSERT(b->last_offset >= b->base_offset);
    KS_ASSERT(b->epoch >= raft_log_last_epoch(l));
    l->batches = array_grow(l->batches, l->batch_count, &l->batch_capacity, sizeof *l->batches);
    l->batches[l->batch_count++] = *b;
    if (l->epoch_count == 0 || b->epoch > l->epochs[l->epoch_count - 1].epoch) {
        l->epochs = array_grow(l->epochs, l->epoch_count, &l->epoch_capacity, sizeof *l->epochs);
        l->epochs[l->epoch_count++] = (struct raft_log_epoch){b->epoch, b->base_offset};
    }
    l->end_offset = b->last_offset + 1;
}

/* ---- appending ---------------------------------------------------------------------------- */

/*
 * Writes one whole batch at the end of the log and indexes it. Rolls to a new segment first when
 * the batch would push a non-empty active segment past segment_bytes, or when its timestamp is
 * over segment_ms past the segment's first batch's (UnifiedLog.maybeRoll, LogSegment.shouldRoll;
 * the metadata log has no roll jitter); a batch is never split, and one larger than
 * segment_bytes gets a segment of its own. On a disk error nothing changes: a failed write
 * creates no file, so a segment pushed for the roll is simply forgotten.
 */
static int append_bytes(struct raft_log *l, const uint8_t *bytes, struct raft_log_batch *b,
                        int64_t max_timestamp)
{
    KS_ASSERT(b->size >= RECORD_BATCH_HEADER_SIZE);
    struct raft_log_segment *active =
        l->segment_count > 0 ? &l->segments[l->segment_count - 1] : NULL;
    bool rolled = false;
    /* timeWaitedForRoll: the batch's timestamp against the segment's first batch's */
    bool aged = active != NULL && active->size > 0 && active->roll_timestamp >= 0 &&
                max_timestamp - active->roll_timestamp > l->segment_ms;
    if (active == NULL || aged ||
        (active->size > 0 && active->size + b->size > l->segment_bytes)) {
        active = segment_push(l, l->end_offset);
        rolled = true;
    }
    KS_ASSERT(active->size > 0 || active->base_offset == l->end_offset);
    int rc = l->env->ops->disk_write(l->env->ctx, active->name, active->size, bytes, b->size);
    if (rc != ENV_OK) {
        KS_ASSERT(rc == -ENV_ENOSPC); /* EINVAL would mean a bad name: ours to prevent */
        if (rolled) {
            l->segment_count--;
        }
        return fail(l, RAFT_LOG_ERR_ENV, rc, "append at offset %" PRId64 " to %s: %s",
                    l->end_offset, active->name, env_err_message(rc));
    }
    b->segment = l->segment_count - 1;
    b->position = active->size;
    if (active->size == 0) {
        active->roll_timestamp = max_timestamp;
    }
    active->size += b->size;
    active->dirty = true;
    index_push(l, b);
    /* A roll is once per segment: the whole walk there costs O(1) per append. */
    KS_ASSERT(!rolled || raft_log_check(l));
    return 0;
}

int64_t raft_log_append_leader(struct raft_log *l, int32_t epoch, int64_t timestamp_ms,
                               bool control, const struct record_batch_record *records,
                               int32_t count)
{
    KS_ASSERT(l != NULL);
    KS_ASSERT(count > 0 && records != NULL); /* KafkaMetadataLog: no empty appends */
    KS_ASSERT(epoch >= 0);
    KS_ASSERT(epoch >= raft_log_last_epoch(l)); /* a leader's epoch only grows */
    int64_t base_offset = l->end_offset;
    /* The records the caller gives carry key, value and headers; the batch owns the rest
     * (MemoryRecordsBuilder: offset deltas 0..count-1, timestamp deltas from the base). */
    struct record_batch_record *recs = calloc((size_t)count, sizeof *recs);
    KS_ASSERT(recs != NULL);
    for (int32_t i = 0; i < count; i++) {
        recs[i] = records[i];
        recs[i].attributes = 0;
        recs[i].timestamp_delta = 0;
        recs[i].offset_delta = i;
    }
    struct record_batch batch;
    record_batch_init(&batch); /* ProducerId, ProducerEpoch, BaseSequence -1 */
    batch.base_offset = base_offset;
    batch.partition_leader_epoch = epoch;
    batch.attributes = control ? RECORD_BATCH_CONTROL : 0; /* CreateTime, uncompressed */
    batch.last_offset_delta = count - 1;
    batch.base_timestamp = timestamp_ms;
    batch.max_timestamp = timestamp_ms;
    batch.record_count = count;
    batch.records = recs;
    struct wire_writer w;
    wire_writer_init(&w);
    int rc = record_batch_encode(&w, &batch);
    free(recs);
    KS_ASSERT(rc == 0); /* uncompressed, with keys and header keys given: always encodable */
    KS_ASSERT(w.len <= UINT32_MAX);
    struct raft_log_batch b = {.base_offset = base_offset,
                               .last_offset = base_offset + count - 1,
                               .epoch = epoch,
                               .size = (uint32_t)w.len,
                               .control = control};
    rc = append_bytes(l, w.bytes, &b, timestamp_ms);
    wire_writer_free(&w);
    KS_ASSERT(check_tail(l));
    return rc < 0 ? rc : base_offset;
}

/* What a decoded batch must satisfy, beyond its own CRC, to continue this log: start at the end
 * offset, have a sane LastOffsetDelta, and keep epochs from falling. Returns NULL if it does,
 * else the name of the broken rule (for messages and traces). */
static const char *batch_mismatch(const struct raft_log *l, const struct record_batch *rb)
{
    if (rb->base_offset != l->end_offset) {
        return "base-offset-not-end-offset";
    }
    if (rb->last_offset_delta < 0 || rb->base_offset > INT64_MAX - rb->last_offset_delta) {
        return "bad-last-offset-delta";
    }
    if (rb->partition_leader_epoch < raft_log_last_epoch(l)) {
        return "epoch-below-last-epoch";
    }
    return NULL;
}

static struct raft_log_batch batch_from(const struct record_batch *rb, uint32_t size)
{
    return (struct raft_log_batch){.base_offset = rb->base_offset,
                                   .last_offset = rb->base_offset + rb->last_offset_delta,
                                   .epoch = rb->partition_leader_epoch,
                                   .size = size,
                                   .control = (rb->attributes & RECORD_BATCH_CONTROL) != 0};
}

int raft_log_append_follower_epoch(struct raft_log *l, const uint8_t *bytes, size_t len,
                                   int32_t leader_epoch)
{
    KS_ASSERT(l != NULL);
    KS_ASSERT(bytes != NULL || len == 0);
    struct record_batch_iter it;
    record_batch_iter_init(&it, bytes, len);
    int appended = 0;
    int rc = 0;
    for (;;) {
        struct wire_arena arena;
        wire_arena_init(&arena);
        struct record_batch rb;
        size_t pos = it.pos;
        rc = record_batch_iter_next(&it, &arena, &rb);
        wire_arena_free(&arena);
        if (rc <= 0) {
            if (rc < 0) {
                rc = fail(l, RAFT_LOG_ERR_WIRE, rc, "follower append: batch at byte %zu of %zu:"
                          " %s", pos, len, wire_err_message(rc));
            }
            break;
        }
        if (rb.partition_leader_epoch > leader_epoch) {
            rc = 0; /* KAFKA-18723: a deposed leader's late response; skip the rest */
            break;
        }
        const char *why = batch_mismatch(l, &rb);
        if (why != NULL) {
            rc = fail(l, RAFT_LOG_ERR_WIRE, -WIRE_EMALFORMED, "follower append: batch at offset %"
                      PRId64 " epoch %" PRId32 ": %s (end offset %" PRId64 ", last epoch %"
                      PRId32 ")", rb.base_offset, rb.partition_leader_epoch, why,
                      l->end_offset, raft_log_last_epoch(l));
            break;
        }
        struct raft_log_batch b = batch_from(&rb, (uint32_t)(it.pos - pos));
        rc = append_bytes(l, bytes + pos, &b, rb.max_timestamp);
        if (rc < 0) {
            break;
        }
        appended++;
    }
    KS_ASSERT(check_tail(l));
    return rc < 0 ? rc : appended;
}

int raft_log_append_follower(struct raft_log *l, const uint8_t *bytes, size_t len)
{
    return raft_log_append_follower_epoch(l, bytes, len, INT32_MAX);
}

/* ---- truncating --------------------------------------------------------------------------- */

/* What every in-memory structure does when the end offset drops to `end`. */
static void forget_above(struct raft_log *l, int64_t end)
{
    /* LeaderEpochFileCache.truncateFromEnd: drop the epochs that start at or past the end. */
    while (l->epoch_count > 0 && l->epochs[l->epoch_count - 1].start_offset >= end) {
        l->epoch_count--;
    }
    if (l->flushed_offset > end) {
        l->flushed_offset = end;
    }
    /* A flush issued before the truncation covers none of the bytes appended after it. */
    for (uint32_t i = 0; i < l->fsync_count; i++) {
        if (l->fsyncs[i].end_offset > end) {
            l->fsyncs[i].end_offset = end;
        }
    }
    l->end_offset = end;
}

int64_t raft_log_truncate_to(struct raft_log *l, int64_t offset)
{
    KS_ASSERT(l != NULL);
    KS_ASSERT(offset >= l->log_start_offset);
    if (offset >= l->end_offset) {
        return l->end_offset; /* LocalLog.truncateTo: nothing at or past the end to remove */
    }
    uint32_t first = batch_index(l, offset);
    KS_ASSERT(first < l->batch_count); /* start <= offset < end: some batch holds it */
    const struct raft_log_batch *cut = &l->batches[first];
    int64_t end = cut->base_offset;
    uint32_t keep = cut->segment;
    /* LocalLog.truncateTo deletes the segments after the one holding the cut, then truncates
     * that one at the cut batch's position (LogSegment.truncateTo). Both are journaled by the
     * disk, durable at once, so no fsync is needed for the removal itself. */
    for (uint32_t i = l->segment_count; i-- > keep + 1;) {
        int rc = l->env->ops->disk_remove(l->env->ctx, l->segments[i].name);
        KS_ASSERT(rc == ENV_OK);
    }
    l->segment_count = keep + 1;
    struct raft_log_segment *s = &l->segments[keep];
    int rc = l->env->ops->disk_truncate(l->env->ctx, s->name, cut->position);
    KS_ASSERT(rc == ENV_OK);
    s->size = cut->position;
    l->batch_count = first;
    forget_above(l, end);
    if (end < l->log_start_offset) {
        /* Only a log start inside the cut batch (a snapshot not batch aligned) gets here:
         * UnifiedLog.truncateTo sets logStartOffset = min(target, logStartOffset). */
        l->log_start_offset = end;
    }
    KS_ASSERT(raft_log_check(l));
    return end;
}

/* ---- reading ------------------------------------------------------------------------------ */

static int32_t read_be32(const uint8_t *p)
{
    return (int32_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) |
                     (uint32_t)p[3]);
}

/* Reads batches [first, last] (consecutive, so contiguous within each segment) into buf. */
static int read_batches(struct raft_log *l, uint32_t first, uint32_t last, uint8_t *buf)
{
    size_t at = 0;
    for (uint32_t i = first; i <= last;) {
        const struct raft_log_batch *b = &l->batches[i];
        uint32_t j = i;
        uint64_t run = b->size;
        while (j < last && l->batches[j + 1].segment == b->segment) {
            run += l->batches[++j].size;
        }
        const char *name = l->segments[b->segment].name;
        int64_t n = l->env->ops->disk_read(l->env->ctx, name, b->position, buf + at, run);
        if (n != (int64_t)run) {
            int err = n < 0 ? (int)n : -ENV_EIO;
            return fail(l, RAFT_LOG_ERR_ENV, err, "read %s at %" PRIu64 ": %s", name,
                        b->position, n < 0 ? env_err_message(err) : "short read");
        }
        at += run;
        i = j + 1;
    }
    return 0;
}

int64_t raft_log_read(struct raft_log *l, int64_t offset, uint32_t max_bytes, uint8_t **out)
{
    KS_ASSERT(l != NULL && out != NULL);
    *out = NULL;
    if (offset < l->log_start_offset || offset > l->end_offset) {
        return fail(l, RAFT_LOG_ERR_ENV, -ENV_EINVAL,
                    "read at offset %" PRId64 " outside the log [%" PRId64 ", %" PRId64 "]",
                    offset, l->log_start_offset, l->end_offset);
    }
    if (offset == l->end_offset) {
        return 0;
    }
    uint32_t first = batch_index(l, offset);
    KS_ASSERT(first < l->batch_count);
    /* Whole batches only, and at least one (Kafka's minOneMessage for replica fetches). */
    uint32_t last = first;
    uint64_t total = l->batches[first].size;
    while (last + 1 < l->batch_count && total + l->batches[last + 1].size <= max_bytes) {
        total += l->batches[++last].size;
    }
    uint8_t *buf = malloc(total);
    KS_ASSERT(buf != NULL);
    int rc = read_batches(l, first, last, buf);
    for (uint64_t at = 0, i = first; rc == 0 && i <= last; at += l->batches[i++].size) {
        /* The CRC covers Attributes onwards; a flipped PartitionLeaderEpoch would pass every
         * check a follower makes and plant a wrong epoch in its log. The index knows better. */
        if (read_be32(buf + at + RECORD_BATCH_LEADER_EPOCH_AT) != l->batches[i].epoch) {
            rc = fail(l, RAFT_LOG_ERR_ENV, -ENV_EIO, "read at offset %" PRId64 ": batch %"
                      PRId64 " reads back with another epoch", offset, l->batches[i].base_offset);
        }
    }
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    return (int64_t)total;
}

/* ---- flushing ----------------------------------------------------------------------------- */

static void snapshot_fsynced(struct raft_log *l, int err);

void raft_log_flush(struct raft_log *l)
{
    KS_ASSERT(l != NULL);
    uint32_t last = UINT32_MAX;
    for (uint32_t i = 0; i < l->segment_count; i++) {
        if (l->segments[i].dirty) {
            last = i;
        }
    }
    if (last == UINT32_MAX) {
        return; /* nothing written since the flushes already issued */
    }
    /* KafkaRaftClient flushes after every append (leader: in the same poll; voter follower:
     * before its next Fetch). Every segment written since its last fsync goes in this flush,
     * and the flush vouches for the end offset only once all of them are back. */
    for (uint32_t i = 0; i <= last; i++) {
        struct raft_log_segment *s = &l->segments[i];
        if (!s->dirty) {
            continue;
        }
        KS_ASSERT(l->flush_token_next < RAFT_LOG_TOKEN_FLAG);
        uint64_t token = RAFT_LOG_TOKEN_FLAG | l->flush_token_next++;
        l->fsyncs = array_grow(l->fsyncs, l->fsync_count, &l->fsync_capacity, sizeof *l->fsyncs);
        l->fsyncs[l->fsync_count++] = (struct raft_log_fsync){.token = token,
                                                              .end_offset = l->end_offset,
                                                              .segment_base = s->base_offset,
                                                              .flush_last = i == last};
        s->dirty = false;
        l->env->ops->disk_fsync(l->env->ctx, s->name, token);
    }
}

bool raft_log_on_flushed(struct raft_log *l, uint64_t token, int err)
{
    KS_ASSERT(l != NULL);
    if ((token & RAFT_LOG_TOKEN_FLAG) == 0 || l->fsync_count == 0) {
        return false;
    }
    /* env.h: completions on one disk come back in issue order, so ours is the oldest. */
    KS_ASSERT(l->fsyncs[0].token == token);
    struct raft_log_fsync done = l->fsyncs[0];
    l->fsync_count--;
    memmove(l->fsyncs, l->fsyncs + 1, l->fsync_count * sizeof *l->fsyncs);
    if (done.snapshot) {
        snapshot_fsynced(l, err); /* a freeze vouches for no offset and voids no flush */
        KS_ASSERT(check_tail(l));
        return true;
    }
    if (err != ENV_OK) {
        struct raft_log_segment *s = segment_by_base(l, done.segment_base);
        if (s != NULL) {
            s->dirty = true; /* the next flush tries again */
        }
        /* Every flush in flight may count on this segment (a later flush fsyncs only what
         * was written after this one began), so none of them may vouch for anything. */
        l->flush_failed_through = l->fsync_count > 0 ? l->fsyncs[l->fsync_count - 1].token
                                                      : done.token;
        fail(l, RAFT_LOG_ERR_ENV, err < 0 ? err : -err, "fsync of segment %" PRId64 ": %s",
             done.segment_base, env_err_message(err));
    }
    if (done.flush_last && done.token > l->flush_failed_through) {
        int64_t upto = done.end_offset < l->end_offset ? done.end_offset : l->end_offset;
        if (upto > l->flushed_offset) {
            l->flushed_offset = upto;
        }
    }
    KS_ASSERT(check_tail(l));
    return true;
}

/* ---- snapshots: names and the frozen set ------------------------------------------------- */

/* Snapshots.filenameFromSnapshotId: "<end offset, 20 digits>-<epoch, 10 digits>" + suffix. */
static void snapshot_name(const struct raft_log *l, struct raft_log_snapshot_id id,
                          const char *suffix, char *out, size_t cap)
{
    KS_ASSERT(id.end_offset >= 0 && id.epoch >= 0);
    int n = snprintf(out, cap, "%s/%0*" PRId64 "-%0*" PRId32 "%s", l->dir, OFFSET_DIGITS,
                     id.end_offset, EPOCH_DIGITS, id.epoch, suffix);
    KS_ASSERT(n > 0 && (size_t)n < cap);
}

/* OffsetAndEpoch.compareTo: end offset first, then epoch. */
static int snapshot_id_cmp(struct raft_log_snapshot_id a, struct raft_log_snapshot_id b)
{
    if (a.end_offset != b.end_offset) {
        return a.end_offset < b.end_offset ? -1 : 1;
    }
    return a.epoch < b.epoch ? -1 : a.epoch > b.epoch;
}

/* Index of frozen snapshot `id`, or snapshot_count. */
static uint32_t snapshot_index(const struct raft_log *l, struct raft_log_snapshot_id id)
{
    for (uint32_t i = 0; i < l->snapshot_count; i++) {
        if (snapshot_id_cmp(l->snapshots[i], id) == 0) {
            return i;
        }
    }
    return l->snapshot_count;
}

static void snapshot_latest_update(struct raft_log *l)
{
    l->latest_snapshot = l->snapshot_count > 0
                             ? l->snapshots[l->snapshot_count - 1]
                             : (struct raft_log_snapshot_id){.end_offset = -1, .epoch = -1};
}

/* KafkaRaftLog.onSnapshotFrozen: the id joins the ordered set. */
static void snapshot_insert(struct raft_log *l, struct raft_log_snapshot_id id)
{
    KS_ASSERT(snapshot_index(l, id) == l->snapshot_count);
    l->snapshots = array_grow(l->snapshots, l->snapshot_count, &l->snapshot_capacity,
                        sizeof *l->snapshots);
    uint32_t at = l->snapshot_count;
    while (at > 0 && snapshot_id_cmp(l->snapshots[at - 1], id) > 0) {
        l->snapshots[at] = l->snapshots[at - 1];
        at--;
    }
    l->snapshots[at] = id;
    l->snapshot_count++;
    snapshot_latest_update(l);
}

/* forgetSnapshotsBefore + removeSnapshots: every snapshot older than `id` is renamed to
 * `.checkpoint.deleted` (Snapshots.markForDelete) and removed (deleteSnapshotFiles, which Kafka
 * runs file.delete.delay.ms later). Returns how many went. */
static uint32_t snapshots_forget_before(struct raft_log *l, struct raft_log_snapshot_id id)
{
    uint32_t gone = 0;
    while (gone < l->snapshot_count && snapshot_id_cmp(l->snapshots[gone], id) < 0) {
        char frozen[RAFT_LOG_SNAPSHOT_NAME_MAX];
        char deleted[RAFT_LOG_SNAPSHOT_NAME_MAX];
        snapshot_name(l, l->snapshots[gone], SNAPSHOT_SUFFIX, frozen, sizeof frozen);
        snapshot_name(l, l->snapshots[gone], SNAPSHOT_DELETED_SUFFIX, deleted, sizeof deleted);
        int rc = l->env->ops->disk_rename(l->env->ctx, frozen, deleted);
        KS_ASSERT(rc == ENV_OK);
        rc = l->env->ops->disk_remove(l->env->ctx, deleted);
        KS_ASSERT(rc == ENV_OK);
        gone++;
    }
    l->snapshot_count -= gone;
    memmove(l->snapshots, l->snapshots + gone, l->snapshot_count * sizeof *l->snapshots);
    snapshot_latest_update(l);
    return gone;
}

struct raft_log_snapshot_id raft_log_latest_snapshot(const struct raft_log *l)
{
    KS_ASSERT(l != NULL);
    return l->latest_snapshot;
}

struct raft_log_snapshot_id raft_log_earliest_snapshot(const struct raft_log *l)
{
    KS_ASSERT(l != NULL);
    return l->snapshot_count > 0 ? l->snapshots[0]
                                 : (struct raft_log_snapshot_id){.end_offset = -1, .epoch = -1};
}

/* ---- snapshots: truncating to one, deleting before one ------------------------------------ */

/* KafkaRaftLog.truncateToLatestSnapshot's test: the snapshot is ahead of the whole log, by
 * log.latestEpoch.getOrElse(0). One corner differs: after delete_before_snapshot moved the start
 * to the end, Kafka's cache still holds (e, start) where ours is empty (advance_log_start), so
 * Kafka compares with e and we with 0. Only a snapshot ending past the end with an epoch below e
 * tells them apart, which one history cannot hold: Kafka would throw, we truncate fully. */
static bool snapshot_ahead_of_log(const struct raft_log *l, struct raft_log_snapshot_id s)
{
    int32_t latest_epoch = l->epoch_count > 0 ? l->epochs[l->epoch_count - 1].epoch : 0;
    return s.end_offset >= 0 &&
           (s.epoch > latest_epoch || (s.epoch == latest_epoch && s.end_offset > l->end_offset));
}

/* UnifiedLog.truncateFullyAndStartAt: every segment goes and a new empty one is created at
 * `start` (LocalLog.truncateFullyAndStartAt); the epoch cache is cleared (clearAndFlush). The
 * snapshot ending at `start` is durable, so everything below it is: flushed moves there. */
static void truncate_fully_and_start_at(struct raft_log *l, int64_t start)
{
    for (uint32_t i = 0; i < l->segment_count; i++) {
        int rc = l->env->ops->disk_remove(l->env->ctx, l->segments[i].name);
        KS_ASSERT(rc == ENV_OK);
    }
    l->segment_count = 0;
    l->batch_count = 0;
    l->epoch_count = 0;
    for (uint32_t i = 0; i < l->fsync_count; i++) {
        if (l->fsyncs[i].end_offset > start) {
            l->fsyncs[i].end_offset = start; /* they vouch for nothing the log still holds */
        }
    }
    l->log_start_offset = start;
    l->end_offset = start;
    l->flushed_offset = start;
    struct raft_log_segment *s = segment_push(l, start);
    int rc = l->env->ops->disk_write(l->env->ctx, s->name, 0, "", 0); /* creates it, empty */
    KS_ASSERT(rc == ENV_OK);
}

/* KafkaRaftLog.truncateToLatestSnapshot. Returns true if it truncated the log. */
static bool truncate_to_latest_snapshot(struct raft_log *l)
{
    struct raft_log_snapshot_id s = l->latest_snapshot;
    if (!snapshot_ahead_of_log(l, s)) {
        return false;
    }
    int64_t end = l->end_offset;
    int32_t epoch = raft_log_last_epoch(l);
    truncate_fully_and_start_at(l, s.end_offset);
    uint32_t gone = snapshots_forget_before(l, s); /* "Forget snapshots less than the log start" */
    env_tracef(l->env, TRACE_NOTE, "raft-log snapshot truncate-fully id=%" PRId64 "-%" PRId32
               " log_end=%" PRId64 " last_epoch=%" PRId32 " snapshots_deleted=%" PRIu32,
               s.end_offset, s.epoch, end, epoch, gone);
    KS_ASSERT(raft_log_check(l));
    return true;
}

/* UnifiedLog.maybeIncrementLogStartOffset. The epoch cache follows truncateFromStartAsyncFlush:
 * the entries starting at or below the new start collapse into the last of them, which now
 * starts there. When no batch is left at or past the start (start == end) the cache is left
 * empty instead of holding that one entry: every answer it would give (last epoch,
 * endOffsetForEpoch) is then the latest snapshot's, whose end is the start and whose epoch is
 * that entry's epoch, so the two agree (see log.h "Offsets"). */
static void advance_log_start(struct raft_log *l, int64_t start)
{
    KS_ASSERT(start > l->log_start_offset && start <= l->end_offset);
    uint32_t k = 0;
    while (k < l->epoch_count && l->epochs[k].start_offset <= start) {
        k++;
    }
    if (start == l->end_offset) {
        l->epoch_count = 0;
    } else if (k > 0) {
        l->epoch_count -= k - 1;
        memmove(l->epochs, l->epochs + k - 1, l->epoch_count * sizeof *l->epochs);
        l->epochs[0].start_offset = start;
    }
    l->log_start_offset = start;
    if (l->flushed_offset < start) {
        l->flushed_offset = start; /* durable in the snapshot that ends there */
    }
}

/* deleteLogStartOffsetBreachedSegments: from the oldest, each segment whose successor's base
 * offset <= the log start goes, with its batches; never the last. Returns how many went. */
static uint32_t delete_segments_below_start(struct raft_log *l)
{
    uint32_t gone = 0;
    while (gone + 1 < l->segment_count &&
           l->segments[gone + 1].base_offset <= l->log_start_offset) {
        int rc = l->env->ops->disk_remove(l->env->ctx, l->segments[gone].name);
        KS_ASSERT(rc == ENV_OK);
        gone++;
    }
    if (gone == 0) {
        return 0;
    }
    uint32_t first = 0;
    while (first < l->batch_count && l->batches[first].segment < gone) {
        first++;
    }
    l->batch_count -= first;
    memmove(l->batches, l->batches + first, l->batch_count * sizeof *l->batches);
    for (uint32_t i = 0; i < l->batch_count; i++) {
        l->batches[i].segment -= gone;
    }
    l->segment_count -= gone;
    memmove(l->segments, l->segments + gone, l->segment_count * sizeof *l->segments);
    return gone;
}

int64_t raft_log_delete_before_snapshot(struct raft_log *l)
{
    KS_ASSERT(l != NULL);
    struct raft_log_snapshot_id s = l->latest_snapshot;
    /* deleteBeforeSnapshot: startOffset < snapshotId.offset, and maybeIncrementLogStartOffset
     * refuses an offset past the high watermark (here: past the end). */
    if (s.end_offset < 0 || s.end_offset <= l->log_start_offset || s.end_offset > l->end_offset) {
        return l->log_start_offset;
    }
    advance_log_start(l, s.end_offset);
    uint32_t segments_gone = delete_segments_below_start(l);
    uint32_t snapshots_gone = snapshots_forget_before(l, s);
    env_tracef(l->env, TRACE_NOTE, "raft-log snapshot delete-before id=%" PRId64 "-%" PRId32
               " start=%" PRId64 " segments_deleted=%" PRIu32 " snapshots_deleted=%" PRIu32,
               s.end_offset, s.epoch, l->log_start_offset, segments_gone, snapshots_gone);
    /* The whole walk when segments went (once per segment, as costly as the memmove above);
     * otherwise only the start moved: the tail, the cache's head and the snapshots. */
    KS_ASSERT(segments_gone > 0 ? raft_log_check(l) : check_start(l));
    return l->log_start_offset;
}

/* ---- snapshots: writing, freezing, reading ------------------------------------------------ */

int raft_log_snapshot_begin(struct raft_log *l, struct raft_log_snapshot_id id)
{
    KS_ASSERT(l != NULL);
    KS_ASSERT(id.end_offset >= 0 && id.epoch >= 0);
    if (l->partial.active) {
        return fail(l, RAFT_LOG_ERR_ENV, -ENV_EINVAL, "snapshot %" PRId64 "-%" PRId32 ": %s is"
                    " being written", id.end_offset, id.epoch, l->partial.name);
    }
    if (snapshot_index(l, id) < l->snapshot_count) {
        return fail(l, RAFT_LOG_ERR_ENV, -ENV_EINVAL, "snapshot %" PRId64 "-%" PRId32
                    ": exists already", id.end_offset, id.epoch);
    }
    if (id.end_offset < l->log_start_offset) {
        return fail(l, RAFT_LOG_ERR_ENV, -ENV_EINVAL, "Cannot create a snapshot with an id (%"
                    PRId64 "-%" PRId32 ") less than the log start offset (%" PRId64 ")",
                    id.end_offset, id.epoch, l->log_start_offset);
    }
    /* Snapshots.createTempFile: "<id>-<unique>.checkpoint.part", created empty. */
    struct raft_log_partial p = {.active = true, .id = id};
    char suffix[48];
    snprintf(suffix, sizeof suffix, "-%" PRIu64 SNAPSHOT_PARTIAL_SUFFIX, l->partial_name_next++);
    snapshot_name(l, id, suffix, p.name, sizeof p.name);
    int rc = l->env->ops->disk_write(l->env->ctx, p.name, 0, "", 0);
    if (rc == ENV_OK) {
        rc = l->env->ops->disk_truncate(l->env->ctx, p.name, 0);
    }
    if (rc != ENV_OK) {
        return fail(l, RAFT_LOG_ERR_ENV, rc, "create %s: %s", p.name, env_err_message(rc));
    }
    l->partial = p;
    /* Only the partial snapshot changed: the whole walk here, once per snapshot, would make a
     * long run's cost grow with its segment (see raft_log_check). */
    KS_ASSERT(check_tail(l));
    KS_ASSERT(check_snapshots(l));
    return 0;
}

int raft_log_snapshot_write(struct raft_log *l, uint64_t position, const uint8_t *bytes,
                            size_t len)
{
    KS_ASSERT(l != NULL);
    KS_ASSERT(l->partial.active && !l->partial.freezing);
    KS_ASSERT(bytes != NULL || len == 0);
    struct raft_log_partial *p = &l->partial;
    if (position != p->size) {
        return fail(l, RAFT_LOG_ERR_ENV, -ENV_EINVAL, "write to %s at %" PRIu64 ": %" PRIu64
                    " bytes written so far", p->name, position, p->size);
    }
    if (len == 0) {
        return 0;
    }
    int rc = l->env->ops->disk_write(l->env->ctx, p->name, position, bytes, len);
    if (rc != ENV_OK) {
        return fail(l, RAFT_LOG_ERR_ENV, rc, "write to %s at %" PRIu64 ": %s", p->name,
                    position, env_err_message(rc));
    }
    p->size += len;
    return 0;
}

int64_t raft_log_snapshot_partial_size(const struct raft_log *l)
{
    KS_ASSERT(l != NULL);
    return l->partial.active ? (int64_t)l->partial.size : -1;
}

struct raft_log_snapshot_id raft_log_snapshot_partial_id(const struct raft_log *l)
{
    KS_ASSERT(l != NULL);
    return l->partial.active ? l->partial.id
                             : (struct raft_log_snapshot_id){.end_offset = -1, .epoch = -1};
}

void raft_log_snapshot_abort(struct raft_log *l)
{
    KS_ASSERT(l != NULL);
    if (!l->partial.active || l->partial.freezing) {
        return; /* nothing to drop, or a freeze that completes as issued (log.h) */
    }
    int rc = l->env->ops->disk_remove(l->env->ctx, l->partial.name);
    KS_ASSERT(rc == ENV_OK);
    l->partial = (struct raft_log_partial){.active = false};
}

int raft_log_snapshot_freeze(struct raft_log *l, bool install)
{
    KS_ASSERT(l != NULL);
    KS_ASSERT(l->partial.active && !l->partial.freezing);
    struct raft_log_partial *p = &l->partial;
    if (install) {
        struct raft_log_snapshot_id latest = l->latest_snapshot;
        if (snapshot_id_cmp(p->id, latest) > 0) {
            latest = p->id; /* what truncateToLatestSnapshot will look at once it is frozen */
        }
        if (!snapshot_ahead_of_log(l, latest)) {
            return fail(l, RAFT_LOG_ERR_ENV, -ENV_EINVAL, "Full log truncation expected but "
                        "would not happen. Snapshot of %" PRId64 "-%" PRId32 ", log end offset %"
                        PRId64 ", last fetched %" PRId32, latest.end_offset, latest.epoch,
                        l->end_offset, raft_log_last_epoch(l));
        }
    }
    /* FileRawSnapshotWriter.freeze: channel.force(true) before the atomic move. */
    KS_ASSERT(l->flush_token_next < RAFT_LOG_TOKEN_FLAG);
    uint64_t token = RAFT_LOG_TOKEN_FLAG | l->flush_token_next++;
    l->fsyncs = array_grow(l->fsyncs, l->fsync_count, &l->fsync_capacity, sizeof *l->fsyncs);
    l->fsyncs[l->fsync_count++] = (struct raft_log_fsync){.token = token,
                                                          .end_offset = l->end_offset,
                                                          .segment_base = -1,
                                                          .snapshot = true};
    p->freezing = true;
    p->install = install;
    l->env->ops->disk_fsync(l->env->ctx, p->name, token);
    return 0;
}

bool raft_log_snapshot_pending(const struct raft_log *l)
{
    KS_ASSERT(l != NULL);
    return l->partial.freezing;
}

/* The freeze's fsync is back: on success the atomic move, onSnapshotFrozen, and for a download
 * truncateToLatestSnapshot. */
static void snapshot_fsynced(struct raft_log *l, int err)
{
    struct raft_log_partial p = l->partial;
    KS_ASSERT(p.active && p.freezing);
    if (err != ENV_OK) {
        l->partial.freezing = false;
        l->partial.install = false;
        fail(l, RAFT_LOG_ERR_ENV, err < 0 ? err : -err, "fsync of snapshot %s: %s", p.name,
             env_err_message(err));
        return;
    }
    char frozen[RAFT_LOG_SNAPSHOT_NAME_MAX];
    snapshot_name(l, p.id, SNAPSHOT_SUFFIX, frozen, sizeof frozen);
    int rc = l->env->ops->disk_rename(l->env->ctx, p.name, frozen);
    KS_ASSERT(rc == ENV_OK);
    l->partial = (struct raft_log_partial){.active = false};
    snapshot_insert(l, p.id);
    env_tracef(l->env, TRACE_NOTE, "raft-log snapshot frozen id=%" PRId64 "-%" PRId32
               " size=%" PRIu64 " install=%d", p.id.end_offset, p.id.epoch, p.size, p.install);
    if (p.install && !truncate_to_latest_snapshot(l)) {
        /* The log changed while the fsync was in flight. KafkaRaftClient would throw. */
        fail(l, RAFT_LOG_ERR_ENV, -ENV_EINVAL, "Full log truncation expected but didn't happen."
             " Snapshot of %" PRId64 "-%" PRId32 ", log end offset %" PRId64 ", last fetched %"
             PRId32, p.id.end_offset, p.id.epoch, l->end_offset, raft_log_last_epoch(l));
        env_tracef(l->env, TRACE_NOTE, "raft-log snapshot install-skipped %s", l->last_error);
    }
}

int64_t raft_log_snapshot_size(const struct raft_log *l, struct raft_log_snapshot_id id)
{
    KS_ASSERT(l != NULL);
    if (id.end_offset < 0 || id.epoch < 0 || snapshot_index(l, id) == l->snapshot_count) {
        return -ENV_ENOENT;
    }
    char name[RAFT_LOG_SNAPSHOT_NAME_MAX];
    snapshot_name(l, id, SNAPSHOT_SUFFIX, name, sizeof name);
    return l->env->ops->disk_size(l->env->ctx, name);
}

int64_t raft_log_snapshot_read(struct raft_log *l, struct raft_log_snapshot_id id,
                               uint64_t position, uint32_t max_bytes, uint8_t **out)
{
    KS_ASSERT(l != NULL && out != NULL);
    *out = NULL;
    int64_t size = raft_log_snapshot_size(l, id);
    if (size < 0) {
        return fail(l, RAFT_LOG_ERR_ENV, (int)size, "snapshot %" PRId64 "-%" PRId32 ": %s",
                    id.end_offset, id.epoch, env_err_message((int)size));
    }
    if (position >= (uint64_t)size) {
        return fail(l, RAFT_LOG_ERR_ENV, -ENV_EINVAL, "snapshot %" PRId64 "-%" PRId32
                    ": position %" PRIu64 " out of range (size %" PRId64 ")", id.end_offset,
                    id.epoch, position, size);
    }
    uint64_t want = (uint64_t)size - position < max_bytes ? (uint64_t)size - position : max_bytes;
    if (want == 0) {
        return 0;
    }
    char name[RAFT_LOG_SNAPSHOT_NAME_MAX];
    snapshot_name(l, id, SNAPSHOT_SUFFIX, name, sizeof name);
    uint8_t *buf = malloc(want);
    KS_ASSERT(buf != NULL);
    int64_t n = l->env->ops->disk_read(l->env->ctx, name, position, buf, want);
    if (n != (int64_t)want) {
        free(buf);
        int err = n < 0 ? (int)n : -ENV_EIO;
        return fail(l, RAFT_LOG_ERR_ENV, err, "read %s at %" PRIu64 ": %s", name, position,
                    n < 0 ? env_err_message(err) : "short read");
    }
    *out = buf;
    return n;
}

/* RaftLog.validateOffsetAndEpoch. */
struct raft_log_valid raft_log_validate_offset_and_epoch(const struct raft_log *l,
                                                         int64_t offset, int32_t epoch)
{
    KS_ASSERT(l != NULL);
    struct raft_log_snapshot_id asked = {.end_offset = offset, .epoch = epoch};
    if (l->log_start_offset == 0 && offset == 0) {
        return (struct raft_log_valid){RAFT_LOG_VALID, {.end_offset = 0, .epoch = 0}};
    }
    struct raft_log_snapshot_id earliest = raft_log_earliest_snapshot(l);
    if (earliest.end_offset >= 0 &&
        (offset < l->log_start_offset ||
         (offset == l->log_start_offset && epoch != earliest.epoch) || epoch < earliest.epoch)) {
        /* "Send a snapshot if the leader has a snapshot at the log start offset and ..." */
        return (struct raft_log_valid){RAFT_LOG_SNAPSHOT, l->latest_snapshot};
    }
    struct raft_log_snapshot_id end = raft_log_end_offset_for_epoch(l, epoch);
    if (end.epoch != epoch || end.end_offset < offset) {
        return (struct raft_log_valid){RAFT_LOG_DIVERGING, end};
    }
    return (struct raft_log_valid){RAFT_LOG_VALID, asked};
}

/* ---- opening and recovery ----------------------------------------------------------------- */

/* What one listing of the partition directory found: segments, frozen snapshots, and the
 * `.part` and `.deleted` snapshot files to remove. */
struct listing {
    const char *prefix;
    size_t prefix_len;
    int64_t *bases;
    uint32_t count;
    uint32_t capacity;
    struct raft_log_snapshot_id *snapshots; /* in name order, which is id order */
    uint32_t snapshot_count;
    uint32_t snapshot_capacity;
    char (*strays)[RAFT_LOG_SNAPSHOT_NAME_MAX];
    uint32_t stray_count;
    uint32_t stray_capacity;
};

/* Parses `digits` decimal digits into *v; false if any is not a digit or *v would pass `max`. */
static bool parse_digits(const char *p, int digits, int64_t max, int64_t *v)
{
    uint64_t x = 0;
    for (int i = 0; i < digits; i++) {
        if (p[i] < '0' || p[i] > '9' || x > ((uint64_t)max - (uint64_t)(p[i] - '0')) / 10) {
            return false;
        }
        x = x * 10 + (uint64_t)(p[i] - '0');
    }
    *v = (int64_t)x;
    return true;
}

/* Parses "<prefix><20 digits>.log" into a base offset; anything else is not a segment. */
static bool parse_segment_name(const char *name, const struct listing *ls, int64_t *base)
{
    const char *p = name + ls->prefix_len;
    if (strlen(p) != OFFSET_DIGITS + strlen(SEGMENT_SUFFIX) ||
        strcmp(p + OFFSET_DIGITS, SEGMENT_SUFFIX) != 0) {
        return false;
    }
    return parse_digits(p, OFFSET_DIGITS, INT64_MAX, base);
}

enum snapshot_file { SNAPSHOT_FILE_NONE, SNAPSHOT_FILE_FROZEN, SNAPSHOT_FILE_STRAY };

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s);
    size_t k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Snapshots.parse: "<20 digits>-<10 digits>" then `.checkpoint` (frozen), or anything ending in
 * `.checkpoint.part` or `.checkpoint.deleted` (stray: a crash's leftovers). */
static enum snapshot_file parse_snapshot_name(const char *name, const struct listing *ls,
                                              struct raft_log_snapshot_id *id)
{
    const char *p = name + ls->prefix_len;
    const char *rest = p + OFFSET_DIGITS + 1 + EPOCH_DIGITS;
    int64_t end = 0;
    int64_t epoch = 0;
    if (strlen(p) < OFFSET_DIGITS + 1 + EPOCH_DIGITS || p[OFFSET_DIGITS] != '-' ||
        strchr(p, '/') != NULL || !parse_digits(p, OFFSET_DIGITS, INT64_MAX, &end) ||
        !parse_digits(p + OFFSET_DIGITS + 1, EPOCH_DIGITS, INT32_MAX, &epoch)) {
        return SNAPSHOT_FILE_NONE;
    }
    *id = (struct raft_log_snapshot_id){.end_offset = end, .epoch = (int32_t)epoch};
    if (strcmp(rest, SNAPSHOT_SUFFIX) == 0) {
        return SNAPSHOT_FILE_FROZEN;
    }
    if (ends_with(rest, SNAPSHOT_PARTIAL_SUFFIX) || ends_with(rest, SNAPSHOT_DELETED_SUFFIX)) {
        return SNAPSHOT_FILE_STRAY;
    }
    return SNAPSHOT_FILE_NONE;
}

static void list_snapshot(struct listing *ls, const char *name)
{
    struct raft_log_snapshot_id id;
    enum snapshot_file kind = parse_snapshot_name(name, ls, &id);
    if (kind == SNAPSHOT_FILE_FROZEN) {
        ls->snapshots = array_grow(ls->snapshots, ls->snapshot_count, &ls->snapshot_capacity,
                             sizeof *ls->snapshots);
        ls->snapshots[ls->snapshot_count++] = id;
    } else if (kind == SNAPSHOT_FILE_STRAY) {
        KS_ASSERT(strlen(name) < sizeof ls->strays[0]);
        ls->strays = array_grow(ls->strays, ls->stray_count, &ls->stray_capacity,
                          sizeof *ls->strays);
        memcpy(ls->strays[ls->stray_count++], name, strlen(name) + 1);
    }
}

static void list_one(void *arg, const char *name)
{
    struct listing *ls = arg;
    int64_t base;
    if (!parse_segment_name(name, ls, &base)) {
        list_snapshot(ls, name); /* or quorum-state, or anything else in the directory */
        return;
    }
    KS_ASSERT(ls->count == 0 || base > ls->bases[ls->count - 1]); /* byte order = offset order */
    ls->bases = array_grow(ls->bases, ls->count, &ls->capacity, sizeof *ls->bases);
    ls->bases[ls->count++] = base;
}

/* A whole segment as env_read_file reads it (until two reads agree). */
static int64_t read_stable(struct raft_log *l, const char *name, uint8_t **out)
{
    char *bytes = NULL;
    int64_t size = env_read_file(l->env, name, &bytes);
    *out = (uint8_t *)bytes;
    if (size < 0) {
        return fail(l, RAFT_LOG_ERR_ENV, (int)size, "open %s: %s", name,
                    env_err_message((int)size));
    }
    return size;
}

/* Scans one segment's bytes and indexes its batches (LogSegment.recover). Returns the bytes of
 * whole valid batches that continue the log; *why gets the reason it stopped early, or NULL.
 * As in Kafka a batch is checked by its frame and CRC (batch.ensureValid) and its header is
 * read, its records are not: every record in the log was decoded before it was written. */
static uint64_t recover_batches(struct raft_log *l, const uint8_t *bytes, size_t len,
                                const char **why)
{
    size_t pos = 0;
    *why = NULL;
    while (pos < len) {
        struct record_batch rb;
        size_t size = 0;
        int rc = record_batch_decode_header(bytes + pos, len - pos, &rb, &size, true);
        *why = rc < 0 ? wire_err_name(rc) : batch_mismatch(l, &rb);
        if (*why != NULL) {
            return pos; /* ETRUNCATED: the torn tail of a crash; anything else: corruption */
        }
        struct raft_log_batch b = batch_from(&rb, (uint32_t)size);
        b.segment = l->segment_count - 1;
        b.position = pos;
        if (pos == 0) {
            l->segments[b.segment].roll_timestamp = rb.max_timestamp;
        }
        l->segments[b.segment].size += b.size;
        index_push(l, &b);
        pos += size;
    }
    return pos;
}

/* Recovers the segment at `base`. Returns 1 to go on with the next segment, 0 when the log ends
 * in (or before) this one, or a negative disk error. */
static int recover_segment(struct raft_log *l, int64_t base)
{
    if (l->segment_count == 0) {
        l->end_offset = base; /* the log starts at its first segment */
    } else if (base != l->end_offset) {
        return 0; /* a gap (the previous segment lost its tail): not a continuation */
    }
    struct raft_log_segment *s = segment_push(l, base);
    uint8_t *bytes = NULL;
    int64_t size = read_stable(l, s->name, &bytes);
    if (size < 0) {
        return (int)size;
    }
    const char *why = NULL;
    uint64_t valid = recover_batches(l, bytes, (size_t)size, &why);
    free(bytes);
    if (valid == (uint64_t)size) {
        return 1;
    }
    KS_ASSERT(why != NULL);
    int rc = l->env->ops->disk_truncate(l->env->ctx, s->name, valid);
    KS_ASSERT(rc == ENV_OK);
    env_tracef(l->env, TRACE_NOTE, "raft-log recover file=%s size=%" PRId64 " truncated_at=%"
               PRIu64 " reason=%s", s->name, size, valid, why);
    return 0;
}

/* Removes the listed segment files from index `from` on: they lie past the recovered end. */
static void remove_segments(struct raft_log *l, const struct listing *ls, uint32_t from)
{
    for (uint32_t i = from; i < ls->count; i++) {
        char name[sizeof l->segments[0].name];
        segment_name(l, ls->bases[i], name, sizeof name);
        int rc = l->env->ops->disk_remove(l->env->ctx, name);
        KS_ASSERT(rc == ENV_OK);
        env_tracef(l->env, TRACE_NOTE, "raft-log recover removed=%s", name);
    }
}

/* Removes a snapshot file recovery does not keep. */
static void remove_snapshot_file(struct raft_log *l, const char *name)
{
    int rc = l->env->ops->disk_remove(l->env->ctx, name);
    KS_ASSERT(rc == ENV_OK);
    env_tracef(l->env, TRACE_NOTE, "raft-log recover removed=%s", name);
}

/* KafkaRaftLog.recoverSnapshots: the consistency check first, then partial, deleted and older
 * snapshots go; then createLog's truncateToLatestSnapshot, for "a follower [that] crashes after
 * downloading a snapshot from the leader but before it could truncate the log fully". */
static int recover_snapshots(struct raft_log *l, const struct listing *ls)
{
    struct raft_log_snapshot_id latest = {.end_offset = -1, .epoch = -1};
    if (ls->snapshot_count > 0) {
        latest = ls->snapshots[ls->snapshot_count - 1]; /* name order is id order */
    }
    if (l->log_start_offset > 0 && latest.end_offset < l->log_start_offset) {
        return fail(l, RAFT_LOG_ERR_ENV, -ENV_EIO, "Inconsistent snapshot state: there must be "
                    "a snapshot at an offset larger than the current log start offset %" PRId64
                    ", but the latest snapshot is %" PRId64 "-%" PRId32, l->log_start_offset,
                    latest.end_offset, latest.epoch);
    }
    for (uint32_t i = 0; i < ls->stray_count; i++) {
        remove_snapshot_file(l, ls->strays[i]);
    }
    for (uint32_t i = 0; i < ls->snapshot_count; i++) {
        if (ls->snapshots[i].end_offset >= l->log_start_offset) {
            snapshot_insert(l, ls->snapshots[i]);
            continue;
        }
        char name[RAFT_LOG_SNAPSHOT_NAME_MAX];
        snapshot_name(l, ls->snapshots[i], SNAPSHOT_SUFFIX, name, sizeof name);
        remove_snapshot_file(l, name);
    }
    truncate_to_latest_snapshot(l);
    return 0;
}

static int recover(struct raft_log *l)
{
    char prefix[RAFT_LOG_DIR_MAX + 1];
    snprintf(prefix, sizeof prefix, "%s/", l->dir);
    struct listing ls = {.prefix = prefix, .prefix_len = strlen(prefix)};
    int rc = l->env->ops->disk_list(l->env->ctx, prefix, list_one, &ls);
    KS_ASSERT(rc == ENV_OK);
    rc = 1;
    for (uint32_t i = 0; i < ls.count && rc == 1; i++) {
        rc = recover_segment(l, ls.bases[i]);
    }
    if (rc >= 0) {
        /* The recovered segments are the first segment_count listed; the rest go. */
        remove_segments(l, &ls, l->segment_count);
        /* LogLoader: the log start is the first segment's base offset (KafkaRaftLog passes a
         * log start offset of 0 and keeps no checkpoint of it). */
        l->log_start_offset = l->segment_count > 0 ? l->segments[0].base_offset : 0;
        if (l->segment_count == 0) {
            l->end_offset = 0;
        }
        rc = recover_snapshots(l, &ls);
    }
    free(ls.bases);
    free(ls.snapshots);
    free(ls.strays);
    return rc < 0 ? rc : 0;
}

int raft_log_open(struct raft_log *l, const struct env *env, const char *metadata_log_dir,
                  uint64_t segment_bytes)
{
    KS_ASSERT(l != NULL && env != NULL && metadata_log_dir != NULL);
    KS_ASSERT(segment_bytes > 0);
    memset(l, 0, sizeof *l);
    l->env = env;
    l->segment_bytes = segment_bytes;
    l->segment_ms = INT64_C(604800000);
    l->latest_snapshot = (struct raft_log_snapshot_id){.end_offset = -1, .epoch = -1};
    l->flush_token_next = 1;
    int n = snprintf(l->dir, sizeof l->dir, "%s/" PARTITION_DIR, metadata_log_dir);
    if (n < 0 || (size_t)n >= sizeof l->dir) {
        l->dir[0] = '\0';
        return fail(l, RAFT_LOG_ERR_ENV, -ENV_EINVAL, "metadata.log.dir %s: name too long",
                    metadata_log_dir);
    }
    int rc = recover(l);
    if (rc < 0) {
        goto err_free_index;
    }
    /* Nothing is known to be durable until the recovery flush comes back. */
    l->flushed_offset = l->log_start_offset;
    for (uint32_t i = 0; i < l->segment_count; i++) {
        l->segments[i].dirty = true;
    }
    raft_log_flush(l);
    env_tracef(env, TRACE_NOTE, "raft-log open dir=%s segments=%" PRIu32 " start=%" PRId64
               " end=%" PRId64 " epoch=%" PRId32, l->dir, l->segment_count, l->log_start_offset,
               l->end_offset, raft_log_last_epoch(l));
    KS_ASSERT(raft_log_check(l));
    return 0;

err_free_index:;
    char why[sizeof l->last_error];
    memcpy(why, l->last_error, sizeof why);
    enum raft_log_err_source source = l->last_error_source;
    raft_log_close(l);
    memcpy(l->last_error, why, sizeof why);
    l->last_error_source = source;
    l->last_error_code = rc;
    return rc;
}

void raft_log_close(struct raft_log *l)
{
    KS_ASSERT(l != NULL);
    free(l->batches);
    free(l->segments);
    free(l->epochs);
    free(l->fsyncs);
    free(l->snapshots);
    const struct env *env = l->env;
    memset(l, 0, sizeof *l);
    l->env = env;
    l->latest_snapshot = (struct raft_log_snapshot_id){.end_offset = -1, .epoch = -1};
}

/* ---- invariants --------------------------------------------------------------------------- */

/* Segments ascend, carry their canonical names, hold exactly their batches back to back, and
 * only the last may be empty (then at the end offset). */
static bool check_segments(const struct raft_log *l)
{
    uint32_t b = 0;
    for (uint32_t i = 0; i < l->segment_count; i++) {
        const struct raft_log_segment *s = &l->segments[i];
        char name[sizeof s->name];
        segment_name(l, s->base_offset, name, sizeof name);
        if (strcmp(name, s->name) != 0 || (i > 0 && s->base_offset <= s[-1].base_offset)) {
            return false;
        }
        uint64_t position = 0;
        for (; b < l->batch_count && l->batches[b].segment == i; b++) {
            const struct raft_log_batch *x = &l->batches[b];
            if (x->position != position || (position == 0 && x->base_offset != s->base_offset)) {
                return false;
            }
            position += x->size;
        }
        if (position != s->size) {
            return false;
        }
        if (s->size == 0 && (i + 1 != l->segment_count || s->base_offset != l->end_offset)) {
            return false;
        }
    }
    return b == l->batch_count;
}

/* Batches are contiguous from the first segment's base offset to the end, epochs never fall,
 * and the epoch cache is exactly what the batches whose last offset >= log start imply, its
 * first entry starting at the log start (see log.h "Offsets"). */
static bool check_batches(const struct raft_log *l)
{
    int64_t next = l->segment_count > 0 ? l->segments[0].base_offset : l->log_start_offset;
    uint32_t e = 0;
    for (uint32_t i = 0; i < l->batch_count; i++) {
        const struct raft_log_batch *x = &l->batches[i];
        if (x->base_offset != next || x->last_offset < x->base_offset ||
            x->size < RECORD_BATCH_HEADER_SIZE || x->segment >= l->segment_count) {
            return false;
        }
        if (i > 0 && x->epoch < x[-1].epoch) {
            return false;
        }
        next = x->last_offset + 1;
        if (x->last_offset < l->log_start_offset || (e > 0 && x->epoch == x[-1].epoch)) {
            continue; /* below the start, or no new epoch */
        }
        int64_t start = x->base_offset > l->log_start_offset ? x->base_offset
                                                             : l->log_start_offset;
        if (e >= l->epoch_count || l->epochs[e].epoch != x->epoch ||
            l->epochs[e].start_offset != start) {
            return false;
        }
        e++;
    }
    return next == l->end_offset && e == l->epoch_count;
}

static bool check_flushes(const struct raft_log *l)
{
    for (uint32_t i = 0; i < l->fsync_count; i++) {
        const struct raft_log_fsync *f = &l->fsyncs[i];
        if ((f->token & RAFT_LOG_TOKEN_FLAG) == 0 || f->end_offset > l->end_offset ||
            (i > 0 && f->token <= f[-1].token)) {
            return false;
        }
    }
    return l->fsync_count <= l->fsync_capacity;
}

/* Frozen snapshots ascend, none lies below the log start, and a log start above 0 has one
 * (recoverSnapshots' consistency rule); the partial snapshot keeps its rules (log.h). */
static bool check_snapshots(const struct raft_log *l)
{
    for (uint32_t i = 0; i < l->snapshot_count; i++) {
        const struct raft_log_snapshot_id *s = &l->snapshots[i];
        if (s->epoch < 0 || s->end_offset < l->log_start_offset ||
            (i > 0 && snapshot_id_cmp(s[-1], *s) >= 0)) {
            return false;
        }
    }
    struct raft_log_snapshot_id latest = l->snapshot_count > 0
                                             ? l->snapshots[l->snapshot_count - 1]
                                             : (struct raft_log_snapshot_id){-1, -1};
    if (snapshot_id_cmp(latest, l->latest_snapshot) != 0 ||
        l->snapshot_count > l->snapshot_capacity ||
        (l->log_start_offset > 0 && l->snapshot_count == 0)) {
        return false;
    }
    const struct raft_log_partial *p = &l->partial;
    if (!p->active) {
        return !p->freezing && !p->install && p->size == 0;
    }
    uint32_t freezes = 0;
    for (uint32_t i = 0; i < l->fsync_count; i++) {
        freezes += l->fsyncs[i].snapshot;
    }
    return p->id.end_offset >= 0 && p->id.epoch >= 0 && (!p->install || p->freezing) &&
           freezes == (p->freezing ? 1u : 0u);
}

bool raft_log_check(const struct raft_log *l)
{
    KS_ASSERT(l != NULL);
    if (!(l->log_start_offset >= 0 && l->log_start_offset <= l->flushed_offset &&
          l->flushed_offset <= l->end_offset)) {
        return false;
    }
    if (l->batch_count > l->batch_capacity || l->segment_count > l->segment_capacity ||
        l->epoch_count > l->epoch_capacity) {
        return false;
    }
    /* The first segment starts at or below the log start. Whole segments below it may remain
     * (a roll after delete_before_snapshot) until the next delete_before_snapshot. */
    if (l->segment_count > 0 && l->segments[0].base_offset > l->log_start_offset) {
        return false;
    }
    if (l->segment_count == 0 && (l->batch_count > 0 || l->end_offset != l->log_start_offset)) {
        return false;
    }
    return check_segments(l) && check_batches(l) && check_flushes(l) && check_snapshots(l);
}
