/* checkpoint.h — Kafka's small text files beside the logs: offset and leader-epoch checkpoints,
 * partition.metadata, the clean shutdown marker, and their write-fsync-rename. */
#ifndef KRAFTSIM_LOG_CHECKPOINT_H
#define KRAFTSIM_LOG_CHECKPOINT_H

/*
 * Formats, byte for byte (server-common CheckpointFile, storage/internals/checkpoint/):
 *
 * - Offset checkpoints, one per log dir (OffsetCheckpointFile, version 0), written by LogManager
 *   (`recovery-point-offset-checkpoint` every log.flush.offset.checkpoint.interval.ms = 60 s,
 *   `log-start-offset-checkpoint` every log.flush.start.offset.checkpoint.interval.ms = 60 s)
 *   and by ReplicaManager (`replication-offset-checkpoint`, the high watermarks, every
 *   replica.high.watermark.checkpoint.interval.ms = 5 s):
 *       0\n2\nfoo 0 120\nfoo 1 7\n           (version, count, "topic partition offset" lines)
 * - `<topic>-<p>/leader-epoch-checkpoint` (LeaderEpochCheckpointFile, version 0):
 *       0\n2\n1 0\n3 57\n                    (version, count, "epoch startOffset" lines)
 * - `<topic>-<p>/partition.metadata` (PartitionMetadata.encode; no trailing newline):
 *       version: 0\ntopic_id: kB0d2wDDQYC7xAxyyxHGMQ
 * - `<log dir>/.kafka_cleanshutdown` (CleanShutdownFileHandler, Jackson's field order):
 *       {"version":0,"brokerEpoch":12}
 *
 * Reading follows CheckpointReadBuffer: an empty file is no entries; a version other than 0, a
 * line that does not parse, or a count that does not match is an error naming the file.
 *
 * Writing follows CheckpointFile.write: the text goes to `<file>.tmp`, which is fsynced, then
 * renamed over `<file>` (Utils.atomicMoveWithFallback). Kafka does the three synchronously; the
 * env's fsync completes later as an event, so a checkpoint_file is a two-step write: begin
 * (write the .tmp, issue the fsync with the caller's token) and done (the fsync is back: rename).
 * Renames are journaled by the disk, so the file is replaced exactly when the fsync completes;
 * a crash or power failure before that leaves the old file and a stray `.tmp` (which Kafka
 * ignores and overwrites; open removes it here).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "env.h"
#include "protocol/wire.h"
#include "text.h"

#define CHECKPOINT_VERSION 0
#define CHECKPOINT_TOPIC_MAX 250 /* a topic name is at most 249 characters */
#define CHECKPOINT_PATH_MAX 320
#define CHECKPOINT_RECOVERY_POINT "recovery-point-offset-checkpoint"
#define CHECKPOINT_REPLICATION_OFFSET "replication-offset-checkpoint"
#define CHECKPOINT_LOG_START_OFFSET "log-start-offset-checkpoint"
#define CHECKPOINT_LEADER_EPOCH "leader-epoch-checkpoint"
#define CHECKPOINT_PARTITION_METADATA "partition.metadata"
#define CHECKPOINT_CLEAN_SHUTDOWN ".kafka_cleanshutdown"
#define CHECKPOINT_TMP_SUFFIX ".tmp"

/* One "topic partition offset" line. */
struct checkpoint_offset {
    char topic[CHECKPOINT_TOPIC_MAX];
    int32_t partition;
    int64_t offset;
};

/* One "epoch startOffset" line (EpochEntry). */
struct checkpoint_epoch {
    int32_t epoch;
    int64_t start_offset;
};

/* The texts. Each appends to `t`; the caller checks text_fits. */
void checkpoint_offsets_format(struct text *t, const struct checkpoint_offset *entries,
                               uint32_t count);
void checkpoint_epochs_format(struct text *t, const struct checkpoint_epoch *entries,
                              uint32_t count);
void checkpoint_partition_metadata_format(struct text *t, struct kuuid topic_id);
void checkpoint_clean_shutdown_format(struct text *t, int64_t broker_epoch);

/* Parsers. Each returns the number of entries (at most `cap`; more is an error) or -1 with a
 * one-line message naming `path` in err. */
int checkpoint_offsets_parse(const char *text, size_t len, const char *path,
                             struct checkpoint_offset *out, uint32_t cap, char *err,
                             size_t err_cap);
int checkpoint_epochs_parse(const char *text, size_t len, const char *path,
                            struct checkpoint_epoch *out, uint32_t cap, char *err,
                            size_t err_cap);
/* Returns 0 with the topic id, or -1 with a message (PartitionMetadataReadBuffer). */
int checkpoint_partition_metadata_parse(const char *text, size_t len, const char *path,
                                        struct kuuid *topic_id, char *err, size_t err_cap);


/* A checkpoint file being replaced: write-fsync-rename as two steps (see above). Rules:
 * in_flight => the fsync of `<path>.tmp` with `token` is outstanding. */
struct checkpoint_file {
    char path[CHECKPOINT_PATH_MAX];
    bool in_flight;
    uint64_t token;
};

/* Writes `text` to `<path>.tmp` and issues its fsync with `token`. Asserts no write in flight.
 * Returns 0 or a disk error (-ENV_ENOSPC; nothing is then in flight). */
int checkpoint_file_begin(const struct env *env, struct checkpoint_file *f, const char *text,
                          size_t len, uint64_t token);
/* The fsync with `token` is back: on success renames `<path>.tmp` over `<path>`. Returns true
 * if the file now holds the text written at begin. */
bool checkpoint_file_done(const struct env *env, struct checkpoint_file *f, uint64_t token,
                          int err);

#endif
