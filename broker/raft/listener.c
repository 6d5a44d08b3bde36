/* listener.c — handleLoadSnapshot, handleCommit and snapshot generation for the controller. */
#include "raft/listener.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/record_batch.h"

#define READ_CHUNK (256 * 1024)

void raft_listener_init(struct raft_listener *s, const struct env *env,
                        const struct raft_listener_config *cfg)
{
    memset(s, 0, sizeof *s);
    s->env = env;
    s->cfg = *cfg;
    s->last_snapshot_at = env_now(env);
    s->writing = (struct raft_log_snapshot_id){-1, -1};
    metadata_image_init(&s->image);
}

void raft_listener_free(struct raft_listener *s) { metadata_image_free(&s->image); }

/* Decodes and applies every record of one data batch. A record that is not a metadata record,
 * or that does not fit the image, is a fatal error in Kafka (the loader faults); here it is a
 * raft-error trace, so the checkers and the run's verdict see it. */
static void apply_records(struct raft_listener *s, struct metadata_image *img,
                          const struct record_batch *b, int64_t base, bool from_log)
{
    for (int32_t i = 0; i < b->record_count; i++) {
        const struct wire_bytes *v = &b->records[i].value;
        struct wire_arena a;
        wire_arena_init(&a);
        struct metadata_record r;
        char err[200] = "";
        int rc = v->len > 0 ? metadata_record_decode(v->ptr, (size_t)v->len, &a, &r) : -1;
        if (rc == 0 && from_log && s->on_record != NULL) {
            s->on_record(s->on_record_arg, base + i, &r);
        }
        if (rc != 0 || metadata_image_apply(img, &r, err, sizeof err) != 0) {
            env_tracef(s->env, TRACE_RAFT_ERROR, "metadata-record offset=%" PRId64 " rc=%d %s",
                       base + i, rc, err);
        } else {
            s->record_count++;
        }
        wire_arena_free(&a);
    }
}

/* handleLoadSnapshot: the image is whatever the latest snapshot's records say. */
static bool load_snapshot(struct raft_listener *s, struct raft_log *log,
                          struct raft_log_snapshot_id id)
{
    uint8_t *bytes = NULL;
    int64_t size = raft_log_snapshot_size(log, id);
    int64_t n = size > 0 ? raft_log_snapshot_read(log, id, 0, (uint32_t)size, &bytes) : -1;
    if (n != size || n <= 0) {
        free(bytes);
        env_tracef(s->env, TRACE_RAFT_ERROR, "snapshot-unreadable end=%" PRId64 " epoch=%d",
                   id.end_offset, id.epoch);
        return false;
    }
    metadata_image_free(&s->image);
    metadata_image_init(&s->image);
    s->record_count = 0;
    struct wire_arena a;
    wire_arena_init(&a);
    struct record_batch_iter it;
    struct record_batch b;
    record_batch_iter_init(&it, bytes, (size_t)n);
    while (record_batch_iter_next(&it, &a, &b) == 1) {
        if (!(b.attributes & RECORD_BATCH_CONTROL)) {
            apply_records(s, &s->image, &b, b.base_offset, false);
        }
    }
    wire_arena_free(&a);
    free(bytes);
    s->applied_offset = id.end_offset;
    s->applied_epoch = id.epoch;
    s->bytes_since_snapshot = 0; /* publishSnapshot: resetSnapshotCounters */
    s->last_snapshot_at = env_now(s->env);
    s->snapshots_loaded++;
    env_tracef(s->env, TRACE_RAFT_SNAPSHOT, "load end=%" PRId64 " epoch=%d records=%" PRIu64
               " image=%016" PRIx64, id.end_offset, id.epoch, s->record_count,
               metadata_image_hash(&s->image));
    return true;
}

/* handleCommit for the batches in `bytes` that lie wholly below the high watermark. */
static void apply_batches(struct raft_listener *s, const uint8_t *bytes, size_t len,
                          int64_t high_watermark)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct record_batch_iter it;
    struct record_batch b;
    record_batch_iter_init(&it, bytes, len);
    size_t before = 0;
    while (record_batch_iter_next(&it, &a, &b) == 1) {
        int64_t last = b.base_offset + b.last_offset_delta;
        if (b.base_offset != s->applied_offset || last >= high_watermark) {
            break;
        }
        if (!(b.attributes & RECORD_BATCH_CONTROL)) {
            apply_records(s, &s->image, &b, b.base_offset, true);
        } else if (s->on_record != NULL) {
            for (int64_t o = b.base_offset; o <= last; o++) {
                s->on_record(s->on_record_arg, o, NULL); /* an offset with no metadata record */
            }
        }
        s->applied_offset = last + 1;
        s->applied_epoch = b.partition_leader_epoch;
        s->last_timestamp_ms = b.max_timestamp;
        s->bytes_since_snapshot += (int64_t)(it.pos - before);
        before = it.pos;
    }
    wire_arena_free(&a);
}

static void encode_control(struct wire_writer *w, int64_t offset, int16_t type,
                           const struct wire_writer *value, const struct raft_listener *s)
{
    struct wire_writer key;
    wire_writer_init(&key);
    record_batch_control_key_encode(&key, type);
    struct record_batch_record rec = {.key = {key.bytes, (int32_t)key.len},
                                      .value = {value->bytes, (int32_t)value->len}};
    struct record_batch b;
    record_batch_init(&b);
    b.base_offset = offset;
    b.partition_leader_epoch = s->applied_epoch;
    b.attributes = RECORD_BATCH_CONTROL;
    b.base_timestamp = b.max_timestamp = s->last_timestamp_ms;
    b.record_count = 1;
    b.records = &rec;
    record_batch_encode(w, &b);
    wire_writer_free(&key);
}

/* Collects the image's records, each encoded as a metadata record value. */
struct image_dump {
    struct wire_writer values; /* the encoded values back to back */
    size_t *ends;
    int32_t count;
    int32_t capacity;
};

static void dump_record(void *arg, const struct metadata_record *r)
{
    struct image_dump *d = arg;
    if (d->count == d->capacity) {
        d->capacity = d->capacity ? d->capacity * 2 : 64;
        d->ends = realloc(d->ends, (size_t)d->capacity * sizeof *d->ends);
        KS_ASSERT(d->ends != NULL);
    }
    KS_ASSERT(metadata_record_encode(&d->values, r) == 0);
    d->ends[d->count++] = d->values.len;
}

/* Returns how many records the batch holds. */
static int32_t encode_image_batch(const struct raft_listener *s, struct wire_writer *w)
{
    struct image_dump d = {.count = 0};
    wire_writer_init(&d.values);
    metadata_image_records(&s->image, dump_record, &d);
    int32_t count = d.count;
    if (s->planted_snapshot_drops_a_record && count > 0) {
        count--; /* the planted bug */
    }
    struct record_batch_record *recs = calloc((size_t)(count > 0 ? count : 1), sizeof *recs);
    KS_ASSERT(recs != NULL);
    for (int32_t i = 0; i < count; i++) {
        size_t from = i == 0 ? 0 : d.ends[i - 1];
        recs[i] = (struct record_batch_record){
            .offset_delta = i, .key = WIRE_BYTES_NULL,
            .value = {d.values.bytes + from, (int32_t)(d.ends[i] - from)}};
    }
    if (count > 0) {
        struct record_batch b;
        record_batch_init(&b);
        b.base_offset = 1;
        b.partition_leader_epoch = s->applied_epoch;
        b.base_timestamp = b.max_timestamp = s->last_timestamp_ms;
        b.last_offset_delta = count - 1;
        b.record_count = count;
        b.records = recs;
        record_batch_encode(w, &b);
    }
    free(recs);
    free(d.ends);
    wire_writer_free(&d.values);
    return count;
}

/* The snapshot's bytes: header, the image, footer (RecordsSnapshotWriter, offsets from 0). */
static void encode_snapshot(const struct raft_listener *s, struct wire_writer *w)
{
    struct wire_writer value;
    wire_writer_init(&value);
    struct record_batch_snapshot_header header = {
        .version = 0, .last_contained_log_timestamp = s->last_timestamp_ms};
    record_batch_snapshot_header_encode(&value, &header);
    encode_control(w, 0, RECORD_BATCH_CONTROL_SNAPSHOT_HEADER, &value, s);
    int32_t count = encode_image_batch(s, w);
    wire_writer_reset(&value);
    struct record_batch_snapshot_footer footer = {.version = 0};
    record_batch_snapshot_footer_encode(&value, &footer);
    encode_control(w, 1 + count, RECORD_BATCH_CONTROL_SNAPSHOT_FOOTER, &value, s);
    wire_writer_free(&value);
}

/* SnapshotGenerator.publishLogDelta: a snapshot once the bytes replayed since the last one
 * reach snapshot_bytes, or (3.4+, KIP-876) once snapshot_interval_ms passed since it (or since
 * the start: the generator's clock starts with the process). */
static void maybe_snapshot(struct raft_listener *s, struct raft_log *log)
{
    struct raft_log_snapshot_id latest = raft_log_latest_snapshot(log);
    time_ns now = env_now(s->env);
    bool bytes = s->bytes_since_snapshot >= s->cfg.snapshot_bytes;
    bool aged = s->cfg.snapshot_interval_ms > 0 && s->bytes_since_snapshot > 0 &&
                now - s->last_snapshot_at >= (time_ns)s->cfg.snapshot_interval_ms * NS_PER_MS;
    if (!(bytes || aged) || s->applied_offset <= latest.end_offset ||
        raft_log_snapshot_partial_size(log) >= 0 || raft_log_snapshot_pending(log)) {
        return;
    }
    struct raft_log_snapshot_id id = {s->applied_offset, s->applied_epoch};
    struct wire_writer w;
    wire_writer_init(&w);
    encode_snapshot(s, &w);
    int rc = raft_log_snapshot_begin(log, id);
    rc = rc == 0 ? raft_log_snapshot_write(log, 0, w.bytes, w.len) : rc;
    rc = rc == 0 ? raft_log_snapshot_freeze(log, false) : rc;
    wire_writer_free(&w);
    if (rc != 0) {
        raft_log_snapshot_abort(log);
        env_tracef(s->env, TRACE_RAFT_ERROR, "snapshot-write end=%" PRId64 " err=%d %s",
                   id.end_offset, rc, log->last_error);
        return;
    }
    s->writing = id;
    s->bytes_since_snapshot = 0;
    s->last_snapshot_at = now;
    s->snapshots_written++;
    env_tracef(s->env, TRACE_RAFT_SNAPSHOT, "write end=%" PRId64 " epoch=%d records=%" PRIu64
               " image=%016" PRIx64, id.end_offset, id.epoch, s->record_count,
               metadata_image_hash(&s->image));
}

/* KafkaMetadataLog.maybeClean: once our snapshot is durable and the log is over its retention
 * bytes, or keeps a batch older than its retention ms, everything below the snapshot may go.
 * Kafka walks its snapshots oldest first and judges each by its last contained timestamp;
 * kraftsim keeps no snapshot timestamps and judges the oldest batch the log keeps. */
static void maybe_clean(struct raft_listener *s, struct raft_log *log)
{
    if (s->writing.end_offset < 0 || raft_log_snapshot_pending(log)) {
        return;
    }
    s->writing = (struct raft_log_snapshot_id){-1, -1};
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < log->segment_count; i++) {
        bytes += log->segments[i].size;
    }
    int64_t now_ms = env_now(s->env) / NS_PER_MS;
    int64_t oldest = log->segment_count > 0 ? log->segments[0].roll_timestamp : -1;
    bool aged = s->cfg.retention_ms >= 0 && oldest >= 0 && now_ms - oldest > s->cfg.retention_ms;
    if ((s->cfg.retention_bytes >= 0 && bytes > (uint64_t)s->cfg.retention_bytes) || aged) {
        int64_t before = raft_log_start_offset(log);
        int64_t start = raft_log_delete_before_snapshot(log);
        env_tracef(s->env, TRACE_RAFT_SNAPSHOT, "clean log_start=%" PRId64 "->%" PRId64
                   " log_bytes=%" PRIu64, before, start, bytes);
    }
}

void raft_listener_update(struct raft_listener *s, struct raft_log *log, int64_t high_watermark)
{
    struct raft_log_snapshot_id latest = raft_log_latest_snapshot(log);
    if (latest.end_offset > s->applied_offset && !raft_log_snapshot_pending(log) &&
        (raft_log_start_offset(log) > s->applied_offset || s->applied_offset == 0)) {
        load_snapshot(s, log, latest);
    }
    while (high_watermark > s->applied_offset &&
           s->applied_offset < raft_log_end_offset(log)) {
        uint8_t *bytes = NULL;
        int64_t n = raft_log_read(log, s->applied_offset, READ_CHUNK, &bytes);
        int64_t before = s->applied_offset;
        if (n > 0) {
            apply_batches(s, bytes, (size_t)n, high_watermark);
        }
        free(bytes);
        if (s->applied_offset == before) {
            break; /* the next batch straddles the high watermark, or the read failed */
        }
    }
    maybe_clean(s, log);
    maybe_snapshot(s, log);
}
