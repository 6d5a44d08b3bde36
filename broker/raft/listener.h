/* listener.h — the committed-record listener: replays what the quorum commits, snapshots it. */
#ifndef KRAFTSIM_RAFT_LISTENER_H
#define KRAFTSIM_RAFT_LISTENER_H

/*
 * Kafka's RaftClient.Listener for the metadata partition (MetadataLoader): handleLoadSnapshot
 * when the log has moved past what was applied (a new listener, or a follower that installed a
 * snapshot), then handleCommit for every committed batch up to the high watermark, never
 * beyond it. Each data record is a metadata record; it is decoded and applied to the metadata
 * image (broker/metadata/image.c), so every node, controller or broker, holds the same image
 * at the same offset, which a checker verifies.
 *
 * Snapshots (SnapshotGenerator): once metadata.log.max.record.bytes.between.snapshots of
 * committed batches have been applied since the last one, a snapshot is written at the applied
 * offset: a control batch with a SnapshotHeaderRecord, a data batch with the image as records
 * (metadata_image_records), a control batch with a SnapshotFooterRecord, base offsets from 0
 * as RecordsSnapshotWriter writes them. When it is durable and the log holds more than
 * metadata.max.retention.bytes, the log is cleaned up to it (KafkaMetadataLog.maybeClean).
 */

#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "metadata/image.h"
#include "raft/log.h"

struct raft_listener_config {
    int64_t snapshot_bytes;       /* metadata.log.max.record.bytes.between.snapshots */
    int64_t snapshot_interval_ms; /* metadata.log.max.snapshot.interval.ms; 0 = never */
    int64_t retention_bytes;      /* metadata.max.retention.bytes; -1 = no limit */
    int64_t retention_ms;         /* metadata.max.retention.ms; -1 = no limit */
};

struct raft_listener {
    const struct env *env;
    int64_t applied_offset; /* every committed offset below has been applied */
    int32_t applied_epoch;  /* the epoch of the last applied batch (or of the snapshot) */
    uint64_t record_count; /* metadata records applied, snapshots included */
    struct metadata_image image;
    int64_t bytes_since_snapshot;
    int64_t last_timestamp_ms;
    struct raft_listener_config cfg;
    time_ns last_snapshot_at; /* SnapshotGenerator.lastSnapshotTimeNs: start, or the last one */
    struct raft_log_snapshot_id writing; /* a snapshot of ours being frozen; end -1 if none */
    uint64_t snapshots_written;
    uint64_t snapshots_loaded;
    /* Planted bug (a compiled-in test hook, unreachable from config): snapshots leave out the
     * image's last record, so they no longer agree with the log they replace. */
    bool planted_snapshot_drops_a_record;
    /* For the harness's checkers: called with every record applied from the log (not from a
     * snapshot), before it is applied, with its offset; r is NULL for the offsets of control
     * batches. NULL: nobody watches. */
    void (*on_record)(void *arg, int64_t offset, const struct metadata_record *r);
    void *on_record_arg;
};

void raft_listener_init(struct raft_listener *s, const struct env *env,
                        const struct raft_listener_config *cfg);
void raft_listener_free(struct raft_listener *s);
/* Catches up with the log up to `high_watermark` (-1: unknown, apply nothing new). */
void raft_listener_update(struct raft_listener *s, struct raft_log *log, int64_t high_watermark);

#endif
