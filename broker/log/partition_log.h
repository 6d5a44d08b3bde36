/* partition_log.h — one topic partition's log on a broker's log dir: segments, indexes, the
 * leader-epoch cache, flush policy, retention and crash recovery (Kafka's UnifiedLog). */
#ifndef KRAFTSIM_PARTITION_LOG_H
#define KRAFTSIM_PARTITION_LOG_H

/*
 * Mirrors storage/internals/log/{UnifiedLog,LocalLog,LogSegment,LogLoader,OffsetIndex,
 * TimeIndex}.java and epoch/LeaderEpochFileCache.java (trunk), against env.h only.
 *
 * On the disk, under `<log dir>/<topic>-<partition>/`, as Kafka lays it out:
 *   00000000000000000000.log        record batches v2, back to back (LogFileUtils: %020d)
 *   00000000000000000000.index      offset index: int32 relative offset, int32 position (8 B)
 *   00000000000000000000.timeindex  time index: int64 timestamp, int32 relative offset (12 B)
 *   leader-epoch-checkpoint         "0\n<count>\n<epoch> <startOffset>\n..." (checkpoint.h)
 *   partition.metadata              "version: 0\ntopic_id: <base64url>"
 * The per-log-dir checkpoints (recovery-point-offset-checkpoint, replication-offset-checkpoint,
 * log-start-offset-checkpoint) hold one line per partition of the dir: their owner is the
 * caller (LogManager / ReplicaManager), which reads them before partition_log_open and writes
 * them from partition_log_recovery_point / _log_start_offset / _high_watermark (checkpoint.h).
 *
 * Index entries are written as LogSegment.append writes them: an entry (the batch's LAST
 * offset, the batch's position) before a batch once more than index.interval.bytes have been
 * appended since the last entry; the time index gets (max timestamp so far, its offset) at the
 * same moment if the timestamp grew, and once more when the segment is rolled. Kafka
 * preallocates the active segment's index files (segment.index.bytes, 10 MiB) and trims them
 * at the roll; here they grow entry by entry, which is the trimmed file Kafka leaves. An index
 * that is full (segment.index.bytes / 8 or / 12 entries) rolls the segment, as in Kafka.
 * Reads and truncation find batches through an in-memory list of every batch (offsets, epoch,
 * position, size, max timestamp), not by scanning from an index entry as Kafka does: the
 * answer is the same and the sim's memory is bounded by retention anyway.
 *
 * Offsets. log_start <= high_watermark <= end (LEO), recovery_point <= end. Batches ascend:
 * each batch's base offset is above the previous batch's last offset (a follower may append
 * gaps, as Kafka allows). Segments ascend by base offset; only the last (active) one may be
 * empty; there is always one. Whole segments may lie below the log start until retention
 * deletes them (deleteLogStartOffsetBreachedSegments); nothing below the log start is read.
 *
 * The leader-epoch cache (LeaderEpochFileCache): (epoch, start offset) entries, both strictly
 * ascending; assign(e, o) adds an entry when e differs from the latest, first removing every
 * entry with an epoch >= e or a start >= o (maybeTruncateNonMonotonicEntries). Truncation from
 * the end drops entries starting at or past the new end; moving the log start drops entries
 * before it and moves the last of them to start there. Every change rewrites
 * leader-epoch-checkpoint (write .tmp, fsync, rename); one write is in flight at a time and a
 * change during it is written when it completes.
 *
 * Durability and the flush policy (flush.messages, flush.ms). Appends write the page cache
 * only. A flush (partition_log_flush; on its own when LEO - recovery point >= flush.messages
 * after an append; when partition_log_flush_if_due finds flush.ms passed since the last flush;
 * and, as UnifiedLog.roll schedules it, up to the new base offset after every roll) fsyncs
 * the .log, .index and .timeindex of every segment written since its last fsync that holds
 * offsets below the flush offset, and when the last of those fsyncs completes, all of them
 * successful, the recovery point moves to the flush offset (LocalLog.markFlushed). A failed
 * fsync leaves the recovery point, marks its segment to be fsynced again, and voids the flushes
 * issued after it that are still in flight. Truncation is journaled (durable at once) and
 * clamps flushes in flight to the new end.
 *
 * Recovery (partition_log_open; LogLoader.load and recoverLog). The caller passes the recovery
 * point and log start offset from the log dir's checkpoints (0 when the partition has no line)
 * and whether the log dir had a clean shutdown (a `.kafka_cleanshutdown` marker, which the
 * caller deletes after loading, as LogManager does). Without a clean shutdown, every segment
 * from the one holding the recovery point on is recovered as LogSegment.recover does: read
 * batch by batch, each checked by its frame and CRC (record_batch_decode_header); the first
 * batch that is torn, fails its CRC, or does not continue the offsets ends the segment, which
 * is truncated there, and every later segment is removed; the indexes of a recovered segment
 * are rebuilt (offset index every index.interval.bytes of valid bytes, time index, and the
 * rolled time index entry) and rewritten; every recovered batch's epoch is assigned to the
 * epoch cache. Segments below are trusted, as Kafka trusts them: no truncation and their index
 * files loaded as they are (rebuilt if missing or not a whole number of ascending entries
 * inside the segment, as LogLoader rebuilds a corrupt index). Kafka does not read their
 * batches at all; we walk them the same way to list the batches in memory, and assign their
 * epochs too (the leader-epoch-checkpoint here is written after the fact, so it may lag a
 * power failure that Kafka's synchronous write would not; the log's own epochs cannot). A
 * trusted segment that does not walk cleanly, which only a fault outside the disk model could
 * cause, is recovered like an unflushed one. Then: log start = max(checkpoint, first segment
 * base); a log start past the end empties the log and starts it there; the epoch cache (read
 * from leader-epoch-checkpoint, then the batches' epochs) is truncated from the end at the
 * recovered end and from the start at the log start; recovery point = min(checkpoint, end),
 * or the end after a clean shutdown. Kafka does not flush at open, nor do we: recovered bytes
 * past the recovery point may still be only in the page cache, and are flushed by the policy.
 * Every file read at open is read until a read agrees with an earlier one
 * (env_read_file), so a read-corruption fault cannot make recovery cut data.
 *
 * Retention (partition_log_delete_old_segments, LogManager's cleanupLogs every
 * log.retention.check.interval.ms = 300000): deleteLogStartOffsetBreachedSegments, then
 * deleteRetentionSizeBreachedSegments, then deleteRetentionMsBreachedSegments, each deleting
 * from the oldest while its rule holds, and only segments wholly below the high watermark.
 * Kafka deletes the active segment too: if it is not empty and every segment is deletable,
 * the log rolls first (deleteSegments) and only the new empty segment stays. The log start
 * moves to the first kept segment's base.
 *
 * Errors are negative PLOG_E* codes (the table below: each is the Kafka error code, or the
 * exception, a Produce or Fetch answer turns it into) with a one-line message in `last_error`.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "env.h"
#include "log/checkpoint.h"
#include "log/producer_state.h"
#include "protocol/record_batch.h"

#define PARTITION_LOG_ERRORS(X)                                                                \
    X(PLOG_OK, "NONE")                                                                         \
    X(PLOG_ECORRUPT, "CORRUPT_MESSAGE")                                                        \
    X(PLOG_EINVALID_RECORD, "INVALID_RECORD")                                                  \
    X(PLOG_ETOO_LARGE, "MESSAGE_TOO_LARGE")                                                    \
    X(PLOG_EBATCH_TOO_LARGE, "RECORD_BATCH_TOO_LARGE")                                         \
    X(PLOG_EOUT_OF_RANGE, "OFFSET_OUT_OF_RANGE")                                               \
    X(PLOG_EUNEXPECTED_OFFSET, "UnexpectedAppendOffsetException")                              \
    X(PLOG_EOUT_OF_ORDER, "OffsetsOutOfOrderException")                                        \
    X(PLOG_ESTORAGE, "KAFKA_STORAGE_ERROR")                                                    \
    X(PLOG_EOUT_OF_ORDER_SEQUENCE, "OUT_OF_ORDER_SEQUENCE_NUMBER")                             \
    X(PLOG_EINVALID_PRODUCER_EPOCH, "INVALID_PRODUCER_EPOCH")

/* partition_log_append_leader's answer for a retried batch: nothing appended, `info` holds the
 * offsets it was first written at. */
#define PLOG_DUPLICATE 1

enum partition_log_err {
#define PLOG_ERR_ENUM(name, kafka) name,
    PARTITION_LOG_ERRORS(PLOG_ERR_ENUM)
#undef PLOG_ERR_ENUM
        PLOG_ERR_COUNT
};

/* The Kafka name of a (negative or positive) PLOG_E code. */
const char *partition_log_err_name(int err);

/* Env fsync tokens of partition logs: FLAG | id << ID_SHIFT | (sequence mod 2^24). The host
 * takes tokens below 2^40 (sim/world/host.h HOST_TOKEN_BITS); in a broker node, bit 38 is the
 * metadata log's and bit 37 the quorum-state writes', so partition logs take bit 39 (which
 * only the ping process, never a node, uses). Fewer than 2^24 fsyncs of one log are ever in
 * flight, so the low bits of the sequence tell them apart. */
#define PARTITION_LOG_TOKEN_FLAG (UINT64_C(1) << 39)
#define PARTITION_LOG_TOKEN_ID_SHIFT 24
#define PARTITION_LOG_TOKEN_SEQ_MASK ((UINT64_C(1) << PARTITION_LOG_TOKEN_ID_SHIFT) - 1)
#define PARTITION_LOG_ID_MAX ((UINT32_C(1) << 15) - 1)
#define PARTITION_LOG_DIR_MAX 300

/*
 * The log's configuration: topic-level key (broker-level key): Kafka's default.
 * Milliseconds and bytes as Kafka has them; INT64_MAX is Java's Long.MAX_VALUE.
 */
struct log_config {
    int64_t segment_bytes;        /* segment.bytes (log.segment.bytes): 1073741824 */
    int64_t segment_ms;           /* segment.ms (log.roll.ms, log.roll.hours=168): 604800000 */
    int64_t retention_bytes;      /* retention.bytes (log.retention.bytes): -1, none */
    int64_t retention_ms;         /* retention.ms (log.retention.ms, log.retention.hours=168):
                                     604800000; -1 none */
    int64_t flush_messages;       /* flush.messages (log.flush.interval.messages): INT64_MAX */
    int64_t flush_ms;             /* flush.ms (log.flush.interval.ms, else
                                     log.flush.scheduler.interval.ms): INT64_MAX */
    int32_t index_interval_bytes; /* index.interval.bytes (log.index.interval.bytes): 4096 */
    int32_t segment_index_bytes;  /* segment.index.bytes (log.index.size.max.bytes): 10485760 */
    int32_t max_message_bytes;    /* max.message.bytes (message.max.bytes): 1048588 */
    bool log_append_time;         /* message.timestamp.type (log.message.timestamp.type):
                                     CreateTime (false); LogAppendTime (true) */
};

struct log_config log_config_default(void);

/* What partition_log_open is told by the log dir (LogManager.loadLog). */
struct partition_log_open_args {
    const char *log_dir;     /* e.g. "data/kafka-logs" */
    const char *topic;       /* the directory is <log_dir>/<topic>-<partition> */
    int32_t partition;
    struct kuuid topic_id;   /* written to partition.metadata if absent; KUUID_ZERO: none */
    uint32_t id;             /* the caller's number for this log, in its fsync tokens */
    struct log_config config;
    int64_t recovery_point;  /* recovery-point-offset-checkpoint, 0 if absent */
    int64_t log_start_offset; /* log-start-offset-checkpoint, 0 if absent */
    int64_t high_watermark;  /* replication-offset-checkpoint, 0 if absent */
    bool clean_shutdown;     /* the log dir had a .kafka_cleanshutdown marker */
};

struct partition_log_batch {
    int64_t base_offset;
    int64_t last_offset;
    int64_t max_timestamp;
    int64_t producer_id; /* -1: not an idempotent producer's */
    int32_t epoch;       /* PartitionLeaderEpoch */
    int32_t base_sequence;
    int16_t producer_epoch;
    uint32_t position;
    uint32_t size;
};

struct partition_log_index_entry { /* OffsetPosition, absolute offset */
    int64_t offset;
    uint32_t position;
};

struct partition_log_time_entry { /* TimestampOffset, absolute offset */
    int64_t timestamp;
    int64_t offset;
};

/* One LogSegment. Its batches are the log's batches[first_batch, first_batch + batch_count). */
struct partition_log_segment {
    int64_t base_offset;
    uint64_t size;
    uint32_t first_batch;
    uint32_t batch_count;
    int64_t created_ms;             /* for segment.ms when the first batch has no timestamp */
    int64_t last_modified_ms;       /* for retention.ms when no batch has a timestamp */
    int64_t max_timestamp;          /* maxTimestampAndOffsetSoFar, -1 when none */
    int64_t offset_of_max_timestamp;
    uint32_t bytes_since_index;     /* bytesSinceLastIndexEntry */
    struct partition_log_index_entry *index;
    uint32_t index_count;
    uint32_t index_capacity;
    struct partition_log_time_entry *time_index;
    uint32_t time_count;
    uint32_t time_capacity;
    bool dirty; /* written since its last fsync was issued */
};

enum partition_log_fsync_kind { PLOG_FSYNC_SEGMENT, PLOG_FSYNC_EPOCHS, PLOG_FSYNC_METADATA };

struct partition_log_fsync {
    uint64_t seq; /* ascending; the env token carries its low bits */
    enum partition_log_fsync_kind kind;
    int64_t segment_base; /* PLOG_FSYNC_SEGMENT: to mark it dirty again if the fsync fails */
    int64_t flush_offset; /* the last fsync of a flush: the recovery point it vouches for */
    bool flush_last;
};

struct partition_log {
    const struct env *env;
    struct log_config config;
    char dir[PARTITION_LOG_DIR_MAX]; /* <log_dir>/<topic>-<partition> */
    char topic[CHECKPOINT_TOPIC_MAX];
    int32_t partition;
    uint32_t id;
    struct partition_log_segment *segments;
    uint32_t segment_count;
    uint32_t segment_capacity;
    struct partition_log_batch *batches;
    uint32_t batch_count;
    uint32_t batch_capacity;
    struct checkpoint_epoch *epochs;
    uint32_t epoch_count;
    uint32_t epoch_capacity;
    int64_t log_start_offset;
    int64_t end_offset;
    int64_t high_watermark;
    int64_t recovery_point;
    int64_t last_flush_ms;
    struct partition_log_fsync *fsyncs; /* in flight, in issue order (= completion order) */
    uint32_t fsync_count;
    uint32_t fsync_capacity;
    uint64_t flush_failed_through; /* flushes ending at or below this seq vouch nothing */
    uint64_t seq_next;
    struct checkpoint_file epoch_file;
    bool epochs_dirty; /* the cache changed since the write in flight (or last) began */
    struct checkpoint_file metadata_file;
    struct producer_state producers; /* rebuilt from `batches` after a load or a cut */
    int last_error_code; /* the negative PLOG_E code last returned, 0 if none */
    char last_error[256];
};

/* Opens and recovers the log (see "Recovery"), creating the directory's first segment if it
 * has none. Returns 0 or -PLOG_ESTORAGE (a name too long, a disk error, a corrupt
 * leader-epoch-checkpoint, a partition.metadata with another topic id: InconsistentTopicId);
 * on error `l` holds no memory but last_error, and partition_log_close is still safe. */
int partition_log_open(struct partition_log *l, const struct env *env,
                       const struct partition_log_open_args *args);
/* Frees memory only, as a crash would. */
void partition_log_close(struct partition_log *l);
/* UnifiedLog.delete (topic deletion, a replica moved away): every file of the partition goes,
 * at once (Kafka renames the directory to `<topic>-<p>.<uuid>-delete` and removes it
 * file.delete.delay.ms later), then the memory. Fsyncs still in flight come back with the
 * log's id: the caller drops them. */
void partition_log_remove(struct partition_log *l);

static inline int64_t partition_log_start_offset(const struct partition_log *l)
{
    return l->log_start_offset;
}
static inline int64_t partition_log_end_offset(const struct partition_log *l)
{
    return l->end_offset;
}
static inline int64_t partition_log_high_watermark(const struct partition_log *l)
{
    return l->high_watermark;
}
static inline int64_t partition_log_recovery_point(const struct partition_log *l)
{
    return l->recovery_point;
}
/* The latest epoch in the cache, or -1 (UNDEFINED_EPOCH) when empty. */
int32_t partition_log_latest_epoch(const struct partition_log *l);
/* Bytes of all segments (UnifiedLog.size). */
uint64_t partition_log_size(const struct partition_log *l);

/* What an append assigned (LogAppendInfo). */
struct partition_log_append_info {
    int64_t first_offset;
    int64_t last_offset;
    int64_t max_timestamp;
    int64_t log_append_time; /* -1 unless message.timestamp.type is LogAppendTime */
    int32_t batch_count;
    int32_t record_count;
};

/*
 * Leader append (UnifiedLog.appendAsLeader with LogValidator's in-place assignment for v2
 * uncompressed batches): `bytes` are a Produce request's records, one or more batches. Each
 * must decode with a valid CRC, have base offset 0 as a producer sends it, a record count of
 * last_offset_delta + 1 and at most max.message.bytes; then each gets its base offset from the
 * log end and PartitionLeaderEpoch = `leader_epoch`, and keeps attributes, timestamps and
 * producer id, epoch and sequence as given. Neither field is under the CRC (it covers
 * Attributes onwards), so the CRC changes only with LogAppendTime, which sets the timestamp
 * type bit and MaxTimestamp = now and recomputes the CRC-32C. All batches are validated before
 * any is written, and are written with one disk write. Returns 0 with *info, or -PLOG_ECORRUPT
 * (a frame or CRC error), -PLOG_EINVALID_RECORD (base offset, count), -PLOG_ETOO_LARGE (a
 * batch over max.message.bytes), -PLOG_EBATCH_TOO_LARGE (an append over segment.bytes), or
 * -PLOG_ESTORAGE (a full disk). Nothing is appended on error.
 * An idempotent producer's batch is first checked against the producer state (see
 * producer_state.h): a retried one returns PLOG_DUPLICATE with the offsets it was written at
 * (nothing appended), an out-of-order one -PLOG_EOUT_OF_ORDER_SEQUENCE, an old epoch's
 * -PLOG_EINVALID_PRODUCER_EPOCH.
 */
int partition_log_append_leader(struct partition_log *l, const uint8_t *bytes, size_t len,
                                int32_t leader_epoch, struct partition_log_append_info *info);
/* Follower append (UnifiedLog.appendAsFollower): batches fetched from the leader, offsets and
 * epochs as assigned there, bytes written unchanged. Each must pass its CRC; the first base
 * offset must be >= the log end (else -PLOG_EUNEXPECTED_OFFSET) and every batch's base offset
 * above the previous batch's last (else -PLOG_EOUT_OF_ORDER). Each batch's epoch is assigned
 * to the epoch cache. Same errors otherwise; empty input appends nothing and returns 0. */
int partition_log_append_follower(struct partition_log *l, const uint8_t *bytes, size_t len,
                                  struct partition_log_append_info *info);

/* LocalLog.read: whole batches from the one that holds `offset`, within that one segment (Kafka
 * reads one segment per call; the next call goes on), only batches whose last offset is below
 * `max_offset` (the high watermark for consumers, the log end for followers), up to max_bytes
 * (at least one batch if min_one_message). Returns the bytes read into *out (malloc'd; caller
 * frees), 0 when nothing is readable (*out NULL), -PLOG_EOUT_OF_RANGE for an offset below the
 * log start or past the end, or -PLOG_ESTORAGE for a disk read error. */
int64_t partition_log_read(struct partition_log *l, int64_t offset, uint32_t max_bytes,
                           int64_t max_offset, bool min_one_message, uint8_t **out);

/* UnifiedLog.updateHighWatermark: clamped to [log start, log end]; returns the value set. */
int64_t partition_log_set_high_watermark(struct partition_log *l, int64_t hw);

/* UnifiedLog.endOffsetForEpoch (OffsetsForLeaderEpoch, and a leader's DivergingEpoch): false
 * when the cache has no answer (UNDEFINED_EPOCH asked, an empty cache, an epoch above the
 * latest); else the end offset and epoch LeaderEpochFileCache.endOffsetFor gives: the log end
 * for the latest epoch; the next entry's start and the floor entry's epoch between entries;
 * the first entry's start and the epoch asked below every entry. */
bool partition_log_end_offset_for_epoch(const struct partition_log *l, int32_t epoch,
                                        int64_t *end_offset, int32_t *found_epoch);

/* UnifiedLog.maybeAssignEpochStartOffset: Partition.makeLeader assigns (leader epoch, log end)
 * when the replica becomes leader, before any batch of that epoch exists. */
void partition_log_assign_epoch(struct partition_log *l, int32_t epoch, int64_t start_offset);

/* UnifiedLog.truncateTo: removes every batch whose last offset >= offset (a batch that
 * straddles it goes whole; Kafka then sets the log end to `offset` itself, here it is where
 * the kept batches end), the segments after the one holding the cut, and the index entries
 * at or past it; the epoch cache follows (truncateFromEnd at the new end); the recovery point
 * and high watermark are clamped to the new end. An offset at or past the end changes nothing;
 * one below the log start truncates fully and starts there. Returns the new end offset. */
int64_t partition_log_truncate_to(struct partition_log *l, int64_t offset);
/* UnifiedLog.truncateFullyAndStartAt: every segment goes, a new empty one at `offset`; log
 * start = end = high watermark = recovery point = offset; the epoch cache is emptied. */
void partition_log_truncate_fully(struct partition_log *l, int64_t offset);

/* UnifiedLog.maybeIncrementLogStartOffset (DeleteRecords, a follower following its leader's
 * log start): moves the log start up to `offset` if above it and at most the high watermark;
 * the epoch cache is truncated from the start. Segments go at the next retention pass.
 * Returns the log start. */
int64_t partition_log_increment_log_start(struct partition_log *l, int64_t offset);
/* UnifiedLog.deleteOldSegments at local time `now` (see "Retention"). Returns the number of
 * segments deleted. */
int partition_log_delete_old_segments(struct partition_log *l);

/* UnifiedLog.flush(false): a flush up to the log end (see "Durability"); nothing happens when
 * the recovery point is already there. */
void partition_log_flush(struct partition_log *l);
/* LogManager.flushDirtyLogs, for one log: flushes if flush.ms have passed since the last flush
 * (the caller runs it every log.flush.scheduler.interval.ms). Returns true if it flushed. */
bool partition_log_flush_if_due(struct partition_log *l);
/* The log id an env token belongs to, or -1 if it is no partition log's. */
int64_t partition_log_token_id(uint64_t token);
/* Feed the log each env disk event whose token it owns. Returns true if it was its. */
bool partition_log_on_disk(struct partition_log *l, uint64_t token, int err);
static inline bool partition_log_flush_in_flight(const struct partition_log *l)
{
    return l->fsync_count > 0;
}

/* The batch holding `offset`, or NULL. */
const struct partition_log_batch *partition_log_batch_at(const struct partition_log *l,
                                                         int64_t offset);
/* OffsetIndex.lookup: the largest offset index entry of the segment holding `offset` whose
 * offset <= `offset`, else (segment base, 0). Asserts log start <= offset <= end. */
struct partition_log_index_entry partition_log_index_lookup(const struct partition_log *l,
                                                            int64_t offset);
/* The file name of a segment's file with `suffix` (".log", ".index", ".timeindex"). */
void partition_log_file_name(const struct partition_log *l, int64_t base_offset,
                             const char *suffix, char *out, size_t cap);

/* Every invariant (see "Offsets"), O(batches + entries). Tests call it after every step. */
bool partition_log_check(const struct partition_log *l);

#endif
