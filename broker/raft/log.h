/* log.h — the KRaft metadata log (__cluster_metadata-0): batches on disk, epochs, flushing. */
#ifndef KRAFTSIM_RAFT_LOG_H
#define KRAFTSIM_RAFT_LOG_H

/*
 * The replicated log of the controller quorum, stored as Kafka stores it: record batch v2
 * (magic 2) segments named by their 20-digit base offset under
 * `<metadata.log.dir>/__cluster_metadata-0/`, e.g. `meta/__cluster_metadata-0/
 * 00000000000000000000.log`. Mirrors raft/RaftLog.java and KafkaMetadataLog.scala.
 *
 * What lives where:
 * - On the simulated disk: the segment bytes (read back for Fetch responses, so a read
 *   corruption fault reaches the follower, whose CRC check then rejects the batch; only the
 *   PartitionLeaderEpoch lies outside the CRC, and raft_log_read checks it against the index)
 *   and, later, the snapshots `<endOffset 20 digits>-<epoch 10 digits>.checkpoint`.
 * - In memory: an index of batches (base offset, last offset, epoch, segment, position, size),
 *   the leader-epoch cache (epoch, start offset), log start and end offsets, the flushed offset.
 *   The epoch cache is rebuilt from batch headers at open (Kafka keeps it in
 *   `leader-epoch-checkpoint`; rebuilding gives the same answer and cannot disagree with the log).
 *
 * Offsets. At all times: log_start_offset <= flushed_offset <= end_offset, and every batch's
 * base offset is the previous batch's last offset + 1. end_offset (LEO) is one past the last
 * record. A batch's epoch is its PartitionLeaderEpoch.
 *
 * Durability. Appends and truncations change the page cache at once; raft_log_flush starts a
 * flush and, when the env reports it done (raft_log_on_flushed with the token), the flushed
 * offset moves to the end offset as it was when that flush began. Voters report, and the leader
 * counts toward the high watermark, only flushed offsets.
 * - A flush fsyncs every segment written since its last fsync (the `dirty` ones), not only the
 *   active one: after a roll the previous segment may still hold unsynced bytes. The flush
 *   completes with the last of its fsyncs (completions on one disk come back in issue order),
 *   and only if every one of them succeeded. A failed fsync also voids the flushes issued after
 *   it that are still in flight: they did not fsync that segment again.
 * - Truncation is journaled by the disk (durable at once), so it needs no fsync; but a flush
 *   still in flight has its end offset clamped to the new end, so it can never vouch for bytes
 *   appended after the truncation.
 *
 * Recovery (raft_log_open). Segments are read in base-offset order; the first batch that is
 * truncated (a torn tail), fails its CRC, does not continue the offsets, or lowers the epoch
 * ends the log: the segment is truncated there and later segments are removed, as Kafka's
 * recovery of an unflushed tail does (LogSegment.recover, LogLoader.recoverLog). A segment whose
 * base offset does not continue the previous one is removed with all after it. Everything that
 * remains is then flushed (the page cache may hold writes a crash did not lose): until that
 * flush completes, flushed_offset is log_start_offset. Each segment is read until two reads
 * agree, so a read-corruption fault cannot make recovery cut away durable, committed batches.
 *
 * Snapshots come later: latest_snapshot.end_offset stays -1, log_start_offset is the first
 * segment's base offset (0 for an empty log) and nothing below it is ever asked for.
 *
 * Errors are returned as negative ENV_ or WIRE_ codes with a one-line message in `last_error`.
 * The two tables overlap (-2 is both -ENV_ENOSPC and -WIRE_EMALFORMED), so `last_error_source`
 * says which table the last error's code is from: ENV means the disk failed (or an offset was
 * out of range), WIRE means the bytes offered to raft_log_append_follower* were bad.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "env.h"
#include "protocol/record_batch.h"

#define RAFT_LOG_DIR_MAX 200
#define RAFT_LOG_TOKEN_FLAG (UINT64_C(1) << 38) /* env fsync tokens the log owns */

struct raft_log_batch {
    int64_t base_offset;
    int64_t last_offset;
    int32_t epoch;
    uint32_t segment;  /* index into `segments` */
    uint64_t position; /* byte position in the segment file */
    uint32_t size;     /* whole batch bytes on disk */
    bool control;
};

/* Rules: base_offset is the base offset of its first batch; only the last segment may be empty,
 * and then its base offset is the log's end offset. */
struct raft_log_segment {
    int64_t base_offset;
    uint64_t size; /* bytes: exactly the sum of its batches' sizes */
    bool dirty;    /* written (in this incarnation: at open, all) since its last fsync issue */
    char name[RAFT_LOG_DIR_MAX + 64];
};

struct raft_log_epoch {
    int32_t epoch;
    int64_t start_offset;
};

struct raft_log_snapshot_id {
    int64_t end_offset; /* -1 when there is no snapshot */
    int32_t epoch;
};

/* One fsync in flight. The fsyncs of one flush are issued together; the last one carries
 * `flush_last`, and the flush vouches for end_offset when it completes. */
struct raft_log_fsync {
    uint64_t token;
    int64_t end_offset;   /* the log's end offset at issue, clamped by later truncations */
    int64_t segment_base; /* the segment fsynced, to mark it dirty again if the fsync fails */
    bool flush_last;
};

/* Which error table `last_error_code` comes from (see "Errors" above). */
enum raft_log_err_source { RAFT_LOG_ERR_NONE, RAFT_LOG_ERR_ENV, RAFT_LOG_ERR_WIRE };

struct raft_log {
    const struct env *env;
    char dir[RAFT_LOG_DIR_MAX]; /* ".../__cluster_metadata-0" */
    uint64_t segment_bytes;     /* roll a new segment past this (metadata.log.segment.bytes) */
    struct raft_log_batch *batches;
    uint32_t batch_count;
    uint32_t batch_capacity;
    struct raft_log_segment *segments;
    uint32_t segment_count;
    uint32_t segment_capacity;
    struct raft_log_epoch *epochs;
    uint32_t epoch_count;
    uint32_t epoch_capacity;
    int64_t log_start_offset;
    int64_t end_offset;
    int64_t flushed_offset;
    struct raft_log_snapshot_id latest_snapshot;
    /* fsyncs in flight, in issue order (which is completion order) */
    struct raft_log_fsync *fsyncs;
    uint32_t fsync_count;
    uint32_t fsync_capacity;
    uint64_t flush_failed_through; /* flushes ending at or below this token vouch nothing */
    uint64_t flush_token_next; /* tokens are RAFT_LOG_TOKEN_FLAG | counter, counter from 1 */
    enum raft_log_err_source last_error_source;
    int last_error_code; /* the negative code last returned, 0 if none */
    char last_error[256];
};

/* Opens (and recovers) the log under `metadata_log_dir`, creating it if empty (the first append
 * creates the first segment file). Issues the recovery flush, so the env's host must be up.
 * Returns 0 or a negative error (-ENV_EINVAL for a directory name too long, a disk error); on
 * error `l` holds no memory and raft_log_close is still safe. */
int raft_log_open(struct raft_log *l, const struct env *env, const char *metadata_log_dir,
                  uint64_t segment_bytes);
/* Frees memory only, as a crash would: nothing is written or flushed. */
void raft_log_close(struct raft_log *l);

static inline int64_t raft_log_end_offset(const struct raft_log *l) { return l->end_offset; }
static inline int64_t raft_log_start_offset(const struct raft_log *l)
{
    return l->log_start_offset;
}
static inline int64_t raft_log_flushed_offset(const struct raft_log *l)
{
    return l->flushed_offset;
}
/* The epoch of the last batch, or of the latest snapshot if the log is empty past it; 0 when
 * there is neither (KafkaRaftClient's lastFetchedEpoch for an empty log). */
int32_t raft_log_last_epoch(const struct raft_log *l);

/* OffsetAndEpoch endOffsetForEpoch(epoch): the largest epoch e' <= `epoch` the log knows, and
 * the start offset of the epoch after e' (the end offset if e' is the latest). With no such
 * epoch (below every cached epoch, or an empty log): (-1 epoch, -1 offset). Once snapshots
 * exist, a snapshot covering the start will answer with its (epoch, end) instead
 * (KafkaMetadataLog.endOffsetForEpoch); without them Kafka's LeaderEpochFileCache would answer
 * (epoch, first start offset) for an epoch below every cached one, which the caller must map. */
struct raft_log_snapshot_id raft_log_end_offset_for_epoch(const struct raft_log *l,
                                                          int32_t epoch);

/* Leader append: one batch of `count` records at the end offset, with PartitionLeaderEpoch =
 * epoch, base timestamp `timestamp_ms`, and the control bit if `control`. Records carry only
 * key and value; offset and timestamp deltas are filled in. Returns the base offset or a
 * negative error (-ENV_ENOSPC from a full disk). */
int64_t raft_log_append_leader(struct raft_log *l, int32_t epoch, int64_t timestamp_ms,
                               bool control, const struct record_batch_record *records,
                               int32_t count);
/* Follower append: whole batches as fetched, their bytes written unchanged. Each must start at
 * the end offset, pass its CRC and carry an epoch >= the last epoch. Returns the number of
 * batches appended, or a negative error: -WIRE_* for a bad batch (a wrong base offset or a
 * falling epoch is -WIRE_EMALFORMED), -ENV_ENOSPC for a full disk. The batches before the first
 * bad one stay appended (Kafka's analyzeAndValidateRecords rejects the whole fetch instead; a
 * valid prefix is an equally valid continuation and saves a refetch). Empty input returns 0. */
int raft_log_append_follower(struct raft_log *l, const uint8_t *bytes, size_t len);
/* The same, fenced by the follower's current leader epoch (UnifiedLog.appendAsFollower(records,
 * leaderEpoch), KAFKA-18723): the first batch with an epoch above `leader_epoch` and everything
 * after it are skipped, not an error, because a deposed leader's slow Fetch response may carry
 * them. Returns the number of batches appended. */
int raft_log_append_follower_epoch(struct raft_log *l, const uint8_t *bytes, size_t len,
                                   int32_t leader_epoch);

/* Removes every batch whose last offset >= offset (so a batch that straddles `offset` goes
 * whole, as LogSegment.truncateTo does); the epoch cache follows (LeaderEpochFileCache.
 * truncateFromEnd). Segments after the cut are removed; the segment holding it is kept, even
 * when emptied (LocalLog.truncateTo). An offset at or past the end changes nothing. Asserts
 * offset >= log_start_offset; never truncating below the high watermark is the caller's rule.
 * Returns the new end offset (which is below `offset` when the cut falls inside a batch). */
int64_t raft_log_truncate_to(struct raft_log *l, int64_t offset);

/* Reads whole batches starting with the one that contains `offset`, up to max_bytes (at least
 * one batch even if larger). Returns bytes read into *out (malloc'd; caller frees), 0 at the
 * end (*out NULL), or a negative error: -ENV_EINVAL for an offset outside [start, end], a disk
 * read error, or -ENV_EIO when a batch read back carries another epoch than the index says (the
 * PartitionLeaderEpoch lies outside the CRC, so a follower could not catch that corruption). */
int64_t raft_log_read(struct raft_log *l, int64_t offset, uint32_t max_bytes, uint8_t **out);
/* The batch that contains `offset`, or NULL. */
const struct raft_log_batch *raft_log_batch_at(const struct raft_log *l, int64_t offset);

/* Starts a flush: an fsync of every dirty segment, vouching for the current end offset.
 * A no-op when no segment is dirty (a flush in flight already covers the end offset). */
void raft_log_flush(struct raft_log *l);
/* Feed every env disk event whose token has RAFT_LOG_TOKEN_FLAG here (the process owns no other
 * tokens with that bit, and opens one log per incarnation: the host drops a dead incarnation's
 * completions, so token counters restarting at 1 cannot collide). Returns true if it was
 * the log's. When the last fsync of a flush completes and all of its fsyncs succeeded,
 * flushed_offset = max(flushed_offset, min(that flush's end offset, end_offset)). A failed
 * fsync leaves flushed_offset, marks its segment dirty again (the next flush retries) and sets
 * last_error. */
bool raft_log_on_flushed(struct raft_log *l, uint64_t token, int err);
/* True while an fsync the log issued has not come back. */
static inline bool raft_log_flush_in_flight(const struct raft_log *l)
{
    return l->fsync_count > 0;
}

/* Every invariant, O(batches): offsets start <= flushed <= end; batches contiguous from the
 * start, each inside its segment and back to back; segments ascending, canonically named;
 * epochs never falling and the epoch cache exactly what the batches imply; fsyncs in flight
 * never vouching past the end. Open and truncate assert it; the hot paths (append, flush
 * completion) assert its O(1) tail, and tests call it after every step. */
bool raft_log_check(const struct raft_log *l);

#endif
