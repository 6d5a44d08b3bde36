/* listener.h — the committed-record listener: replays what the quorum commits, snapshots it. */
#ifndef KRAFTSIM_RAFT_LISTENER_H
#define KRAFTSIM_RAFT_LISTENER_H

/*
 * Kafka's RaftClient.Listener for the metadata partition: handleLoadSnapshot when the log has
 * moved past what was applied (a new listener, or a follower that installed a snapshot), then
 * handleCommit for every committed batch up to the high watermark, never beyond it. The
 * controller's state machine is, until the metadata image arrives, a count of the committed
 * data records and a 64-bit digest over their values: enough for a checker to prove that
 * every node applied the same records in the same order, and that a snapshot holds exactly the
 * state of the log it replaces.
 *
 * Snapshots (SnapshotGenerator): once metadata.log.max.record.bytes.between.snapshots of
 * committed batches have been applied since the last one, a snapshot is written at the applied
 * offset: a control batch with a SnapshotHeaderRecord, a data batch with one record (the count
 * and digest, 16 bytes big-endian), a control batch with a SnapshotFooterRecord, base offsets
 * from 0 as RecordsSnapshotWriter writes them. When it is durable and the log holds more than
 * metadata.max.retention.bytes, the log is cleaned up to it (KafkaMetadataLog.maybeClean).
 */

#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "raft/log.h"

struct raft_listener {
    const struct env *env;
    int64_t applied_offset; /* every committed offset below has been applied */
    int32_t applied_epoch;  /* the epoch of the last applied batch (or of the snapshot) */
    uint64_t record_count;
    uint64_t digest;
    int64_t bytes_since_snapshot;
    int64_t last_timestamp_ms;
    int64_t snapshot_bytes;  /* metadata.log.max.record.bytes.between.snapshots */
    int64_t retention_bytes; /* metadata.max.retention.bytes; -1 = no limit */
    struct raft_log_snapshot_id writing; /* a snapshot of ours being frozen; end -1 if none */
    uint64_t snapshots_written;
    uint64_t snapshots_loaded;
    /* Planted bug (a compiled-in test hook, unreachable from config): snapshots leave out the
     * last record, so they no longer agree with the log they replace. */
    bool planted_snapshot_drops_a_record;
};

void raft_listener_init(struct raft_listener *s, const struct env *env, int64_t snapshot_bytes,
                        int64_t retention_bytes);
/* Catches up with the log up to `high_watermark` (-1: unknown, apply nothing new). */
void raft_listener_update(struct raft_listener *s, struct raft_log *log, int64_t high_watermark);

/* The digest after `count` records: digest_next(d, value) folds one record's value in. */
uint64_t raft_listener_fold(uint64_t digest, const uint8_t *value, int32_t len);

#endif
