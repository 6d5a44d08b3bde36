/* listener.c — handleLoadSnapshot, handleCommit and snapshot generation for the controller. */
#include "raft/listener.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/record_batch.h"

#define READ_CHUNK (256 * 1024)
#define STATE_RECORD_BYTES 16

void raft_listener_init(struct raft_listener *s, const struct env *env, int64_t snapshot_bytes,
                        int64_t retention_bytes)
{
    memset(s, 0, sizeof *s);
    s->env = env;
    s->snapshot_bytes = snapshot_bytes;
    s->retention_bytes = retention_bytes;
    s->writing = (struct raft_log_snapshot_id){-1, -1};
    s->digest = UINT64_C(0x6d65746164617461); /* the digest of no records */
}

uint64_t raft_listener_fold(uint64_t digest, const uint8_t *value, int32_t len)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (int32_t i = 0; i < len; i++) {
        h = (h ^ value[i]) * UINT64_C(0x100000001b3);
    }
    digest ^= h + UINT64_C(0x9e3779b97f4a7c15) + (digest << 6) + (digest >> 2);
    return digest * UINT64_C(0xff51afd7ed558ccd);
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8) {
        p[i] = (uint8_t)v;
    }
}

static uint64_t get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

/* handleLoadSnapshot: the state is whatever the latest snapshot says. */
static bool load_snapshot(struct raft_listener *s, struct raft_log *log,
                          struct raft_log_snapshot_id id)
{
    uint8_t *bytes = NULL;
    int64_t size = raft_log_snapshot_size(log, id);
    int64_t n = size > 0 ? raft_log_snapshot_read(log, id, 0, (uint32_t)size, &bytes) : -1;
    bool loaded = false;
    struct wire_arena a;
    wire_arena_init(&a);
    struct record_batch_iter it;
    struct record_batch b;
    record_batch_iter_init(&it, bytes, n > 0 ? (size_t)n : 0);
    while (n == size && record_batch_iter_next(&it, &a, &b) == 1) {
        bool control = (b.attributes & RECORD_BATCH_CONTROL) != 0;
        if (!control && b.record_count == 1 && b.records[0].value.len == STATE_RECORD_BYTES) {
            s->record_count = get_be64(b.records[0].value.ptr);
            s->digest = get_be64(b.records[0].value.ptr + 8);
            loaded = true;
        }
    }
    wire_arena_free(&a);
    free(bytes);
    if (!loaded) {
        env_tracef(s->env, TRACE_RAFT_ERROR, "snapshot-unreadable end=%" PRId64 " epoch=%d",
                   id.end_offset, id.epoch);
        return false;
    }
    s->applied_offset = id.end_offset;
    s->applied_epoch = id.epoch;
    s->bytes_since_snapshot = 0;
    s->snapshots_loaded++;
    env_tracef(s->env, TRACE_RAFT_SNAPSHOT, "load end=%" PRId64 " epoch=%d records=%" PRIu64
               " digest=%016" PRIx64, id.end_offset, id.epoch, s->record_count, s->digest);
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
            for (int32_t i = 0; i < b.record_count; i++) {
                const struct wire_bytes *v = &b.records[i].value;
                s->digest = raft_listener_fold(s->digest, v->ptr, v->len > 0 ? v->len : 0);
                s->record_count++;
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

static void encode_one(struct wire_writer *w, int64_t offset, bool control, struct wire_bytes key,
                       struct wire_bytes value, int64_t timestamp_ms, int32_t epoch)
{
    struct record_batch_record rec = {.key = key, .value = value};
    struct record_batch b;
    record_batch_init(&b);
    b.base_offset = offset;
    b.partition_leader_epoch = epoch;
    b.attributes = control ? RECORD_BATCH_CONTROL : 0;
    b.base_timestamp = b.max_timestamp = timestamp_ms;
    b.record_count = 1;
    b.records = &rec;
    record_batch_encode(w, &b);
}

/* The snapshot's bytes: header, state, footer (RecordsSnapshotWriter, base offsets from 0). */
static void encode_snapshot(const struct raft_listener *s, struct wire_writer *w)
{
    struct wire_writer key, value;
    wire_writer_init(&key);
    wire_writer_init(&value);
    record_batch_control_key_encode(&key, RECORD_BATCH_CONTROL_SNAPSHOT_HEADER);
    struct record_batch_snapshot_header header = {
        .version = 0, .last_contained_log_timestamp = s->last_timestamp_ms};
    record_batch_snapshot_header_encode(&value, &header);
    encode_one(w, 0, true, (struct wire_bytes){key.bytes, (int32_t)key.len},
               (struct wire_bytes){value.bytes, (int32_t)value.len}, s->last_timestamp_ms,
               s->applied_epoch);
    uint8_t state[STATE_RECORD_BYTES];
    put_be64(state, s->record_count - (s->planted_snapshot_drops_a_record ? 1 : 0));
    put_be64(state + 8, s->digest);
    encode_one(w, 1, false, WIRE_BYTES_NULL, (struct wire_bytes){state, STATE_RECORD_BYTES},
               s->last_timestamp_ms, s->applied_epoch);
    wire_writer_reset(&key);
    wire_writer_reset(&value);
    record_batch_control_key_encode(&key, RECORD_BATCH_CONTROL_SNAPSHOT_FOOTER);
    struct record_batch_snapshot_footer footer = {.version = 0};
    record_batch_snapshot_footer_encode(&value, &footer);
    encode_one(w, 2, true, (struct wire_bytes){key.bytes, (int32_t)key.len},
               (struct wire_bytes){value.bytes, (int32_t)value.len}, s->last_timestamp_ms,
               s->applied_epoch);
    wire_writer_free(&key);
    wire_writer_free(&value);
}

static void maybe_snapshot(struct raft_listener *s, struct raft_log *log)
{
    struct raft_log_snapshot_id latest = raft_log_latest_snapshot(log);
    if (s->bytes_since_snapshot < s->snapshot_bytes || s->applied_offset <= latest.end_offset ||
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
    s->snapshots_written++;
    env_tracef(s->env, TRACE_RAFT_SNAPSHOT, "write end=%" PRId64 " epoch=%d records=%" PRIu64
               " digest=%016" PRIx64, id.end_offset, id.epoch, s->record_count, s->digest);
}

/* KafkaMetadataLog.maybeClean: once our snapshot is durable and the log is over its retention
 * bytes, everything below the snapshot may go. */
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
    if (s->retention_bytes >= 0 && bytes > (uint64_t)s->retention_bytes) {
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
