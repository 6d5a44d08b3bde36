/* log.h — the KRaft metadata log (__cluster_metadata-0): batches on disk, epochs, flushing. */
#ifndef KRAFTSIM_RAFT_LOG_H
#define KRAFTSIM_RAFT_LOG_H

/*
 * The replicated log of the controller quorum, stored as Kafka stores it: record batch v2
 * (magic 2) segments named by their 20-digit base offset under
 * `<metadata.log.dir>/__cluster_metadata-0/`, e.g. `meta/__cluster_metadata-0/
 * 00000000000000000000.log`. Mirrors raft/RaftLog.java and KafkaMetadataLog.scala (in trunk
 * raft/.../internals/KafkaRaftLog.java).
 *
 * What lives where:
 * - On the simulated disk: the segment bytes (read back for Fetch responses, so a read
 *   corruption fault reaches the follower, whose CRC check then rejects the batch; only the
 *   PartitionLeaderEpoch lies outside the CRC, and raft_log_read checks it against the index)
 *   and the snapshots `<endOffset 20 digits>-<epoch 10 digits>.checkpoint` (Snapshots.java).
 * - In memory: an index of batches (base offset, last offset, epoch, segment, position, size),
 *   the leader-epoch cache (epoch, start offset), log start and end offsets, the flushed offset,
 *   the ids of the frozen snapshots and the one partial snapshot being written.
 *   The epoch cache is rebuilt from batch headers at open (Kafka keeps it in
 *   `leader-epoch-checkpoint`; rebuilding gives the same answer and cannot disagree with the log).
 *
 * Offsets. At all times: first segment's base offset <= log_start_offset <= flushed_offset <=
 * end_offset, and every batch's base offset is the previous batch's last offset + 1. end_offset
 * (LEO) is one past the last record. A batch's epoch is its PartitionLeaderEpoch. Batches below
 * the log start stay indexed while their segment does (Kafka deletes whole segments only), but
 * are never read; the epoch cache covers the batches whose last offset >= log start only, its
 * first entry starting at the log start (LeaderEpochFileCache.truncateFromStartAsyncFlush).
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
 * - Everything below the latest snapshot's end offset is durable in the snapshot, so when the
 *   log start moves to it (delete_before_snapshot, install) the flushed offset moves with it.
 *
 * Recovery (raft_log_open). Every segment is recovered at every open, however long ago it was
 * flushed: KafkaMetadataLog opens its UnifiedLog with recoveryPoint 0 and lastShutdownClean
 * false, and the metadata log, not being one of LogManager's, has no recovery-point-offset-
 * checkpoint, so LogLoader.recoverLog recovers segments.values(0, MAX). Segments are read in
 * base-offset order and each batch is checked as LogSegment.recover checks it: its frame and
 * CRC (batch.ensureValid) and its header, not its records. The first batch that is
 * truncated (a torn tail), fails its CRC, does not continue the offsets, or lowers the epoch
 * ends the log: the segment is truncated there and later segments are removed, as Kafka's
 * recovery of an unflushed tail does (LogSegment.recover, LogLoader.recoverLog). A segment whose
 * base offset does not continue the previous one is removed with all after it. Everything that
 * remains is then flushed (the page cache may hold writes a crash did not lose): until that
 * flush completes, flushed_offset is log_start_offset. Each segment is read until two reads
 * agree, so a read-corruption fault cannot make recovery cut away durable, committed batches.
 * Then the snapshots (KafkaRaftLog.recoverSnapshots, createLog): see "Snapshots" below.
 *
 * Snapshots (raft/.../snapshot/{Snapshots,FileRawSnapshotWriter,FileRawSnapshotReader}.java,
 * KafkaRaftLog.java, formerly core/.../raft/KafkaMetadataLog.scala). A snapshot id (end offset,
 * epoch) says the snapshot holds everything below end_offset, and epoch is the epoch of the
 * record at end_offset - 1; ids order by end offset, then epoch (OffsetAndEpoch.compareTo).
 *
 *          begin                      freeze                   fsync done: rename
 *   none ---------> partial (.part) ----------> freezing ---------------------------> frozen
 *    ^   abort / crash  |  ^  write (in order)     |  fsync failed: back to partial   (latest
 *    +------------------+  +-------------------+   |  crash / power failure: lost     if max)
 *                                                  +-- install: then truncate fully (below)
 *
 * - Files. A snapshot is written as `<id>-<n>.checkpoint.part` (Files.createTempFile; our <n>
 *   is a counter, not random), fsynced, then renamed to `<id>.checkpoint` (FileRawSnapshotWriter
 *   .freeze). Renames are journaled by the disk, so a snapshot is frozen exactly when that fsync
 *   completes: a crash or power failure before then leaves only a `.part`, which open removes.
 *   A snapshot deleted is renamed to `<id>.checkpoint.deleted` and removed (Kafka removes it
 *   file.delete.delay.ms later; we at once, and open removes any `.deleted` left).
 * - Install (KafkaRaftClient.handleFetchSnapshotResponse: freeze, then truncateToLatestSnapshot):
 *   if the latest snapshot's epoch is above the log's last cached epoch (0 if none), or equal
 *   with its end offset past the log end, the log is truncated fully
 *   (UnifiedLog.truncateFullyAndStartAt): every segment goes, a new empty one named by the
 *   snapshot's end offset is created, log start = end = flushed = that offset, the epoch cache
 *   is cleared (LeaderEpochFileCache.clearAndFlush, so last_epoch is the snapshot's epoch:
 *   KafkaRaftLog.lastFetchedEpoch), and older snapshots are deleted.
 * - Open: stray `.part` and `.deleted` files are removed, so are snapshots below the log start;
 *   a log start above 0 with no snapshot at or past it refuses to open (recoverSnapshots'
 *   "Inconsistent snapshot state"); then the install rule above applies, as createLog calls
 *   truncateToLatestSnapshot for a follower that crashed after a download. The log start is
 *   the first segment's base offset: KafkaRaftLog opens its UnifiedLog with logStartOffset 0
 *   and no log-start-offset-checkpoint, so a log start that delete_before_snapshot moved inside
 *   a segment falls back to that segment's base offset after a restart.
 * - Deleting (KafkaRaftLog.deleteBeforeSnapshot with the latest snapshot, as maybeClean does
 *   when retention is exceeded; here the caller decides when): see raft_log_delete_before_snapshot.
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
#define RAFT_LOG_SNAPSHOT_NAME_MAX (RAFT_LOG_DIR_MAX + 96) /* dir + id + "-<n>.checkpoint.part" */
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
    int64_t roll_timestamp; /* max timestamp of its first batch (rollingBasedTimestamp); -1 */
    char name[RAFT_LOG_DIR_MAX + 64];
};

struct raft_log_epoch {
    int32_t epoch;
    int64_t start_offset;
};

/* OffsetAndEpoch: a snapshot id, or any (offset, epoch) answer of the log. */
struct raft_log_snapshot_id {
    int64_t end_offset; /* -1 when there is no snapshot */
    int32_t epoch;
};

/* The one snapshot being written (FileRawSnapshotWriter). Rules: !active => nothing else is set;
 * freezing => active and the fsync of `name` is in `fsyncs`; install => freezing. */
struct raft_log_partial {
    bool active;
    bool freezing; /* raft_log_snapshot_freeze issued its fsync, not yet back */
    bool install;  /* truncate fully to it once frozen (a follower's download) */
    struct raft_log_snapshot_id id;
    uint64_t size; /* bytes written: exactly the .part file's size */
    char name[RAFT_LOG_SNAPSHOT_NAME_MAX];
};

/* One fsync in flight. The fsyncs of one flush are issued together; the last one carries
 * `flush_last`, and the flush vouches for end_offset when it completes. A `snapshot` fsync is
 * the freeze of the partial snapshot and vouches for no offset. */
struct raft_log_fsync {
    uint64_t token;
    int64_t end_offset;   /* the log's end offset at issue, clamped by later truncations */
    int64_t segment_base; /* the segment fsynced, to mark it dirty again if the fsync fails */
    bool flush_last;
    bool snapshot;
};

/* Which error table `last_error_code` comes from (see "Errors" above). */
enum raft_log_err_source { RAFT_LOG_ERR_NONE, RAFT_LOG_ERR_ENV, RAFT_LOG_ERR_WIRE };

struct raft_log {
    const struct env *env;
    char dir[RAFT_LOG_DIR_MAX]; /* ".../__cluster_metadata-0" */
    uint64_t segment_bytes;     /* roll a new segment past this (metadata.log.segment.bytes) */
    int64_t segment_ms; /* or once a batch is this much newer than the segment's first
                         * (metadata.log.segment.ms; raft_log_open sets Kafka's 7 days) */
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
    /* The frozen snapshots, ascending by (end offset, epoch), all with end_offset >=
     * log_start_offset; latest_snapshot is the last of them, or end_offset -1 when none. */
    struct raft_log_snapshot_id *snapshots;
    uint32_t snapshot_count;
    uint32_t snapshot_capacity;
    struct raft_log_snapshot_id latest_snapshot;
    struct raft_log_partial partial;
    uint64_t partial_name_next; /* the <n> of the next `.part` name */
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
/* The epoch of the last batch at or past the log start (the latest cached epoch), else of the
 * latest snapshot (the log is empty past a snapshot's end), else 0: KafkaRaftLog.
 * lastFetchedEpoch. */
int32_t raft_log_last_epoch(const struct raft_log *l);

/* OffsetAndEpoch endOffsetForEpoch(epoch), as KafkaRaftLog answers it from
 * LeaderEpochFileCache.endOffsetFor over the epoch cache:
 * - `epoch` is the latest cached epoch: (epoch, end offset);
 * - between cached epochs: (largest cached epoch <= `epoch`, start of the next cached epoch);
 * - below every cached epoch: (`epoch`, the first cached start offset), unless that offset is
 *   the earliest snapshot's end offset: then the earliest snapshot's id;
 * - no answer from the cache (no entries, `epoch` -1 or above the latest):
 *   (end offset, raft_log_last_epoch). An empty log answers (0, 0). */
struct raft_log_snapshot_id raft_log_end_offset_for_epoch(const struct raft_log *l,
                                                          int32_t epoch);

/* Where a follower truncates on a Fetch response's DivergingEpoch `end` (RaftLog.
 * truncateToEndOffset): epoch 0 takes min(end offset, our end); otherwise our own end offset for
 * that epoch, capped by the leader's when we hold the same epoch. Never past our end. */
int64_t raft_log_truncation_offset(const struct raft_log *l, struct raft_log_snapshot_id end);

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
 * Returns the new end offset (which is below `offset` when the cut falls inside a batch; if
 * that is below a log start inside the batch, the log start follows it down, as
 * UnifiedLog.truncateTo sets logStartOffset = min(target, logStartOffset)). */
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

/* ---- snapshots (see "Snapshots" above) ---- */

/* latestSnapshotId / earliestSnapshotId: the largest / smallest frozen snapshot id, or
 * end_offset -1 (epoch -1) when there is none. */
struct raft_log_snapshot_id raft_log_latest_snapshot(const struct raft_log *l);
struct raft_log_snapshot_id raft_log_earliest_snapshot(const struct raft_log *l);

/* Starts writing snapshot `id` (a local one, or a download: createNewSnapshotUnchecked): creates
 * an empty `.part` file. Returns 0, or -ENV_EINVAL (last_error says why) when a partial
 * snapshot exists already (one at a time), `id` is frozen already (Kafka returns no writer),
 * or id.end_offset is below the log start (createNewSnapshot returns no writer); or a disk
 * error. Validating a local id against the high watermark and the log (createNewSnapshot's
 * other checks, raft_log_validate_offset_and_epoch) is the caller's. */
int raft_log_snapshot_begin(struct raft_log *l, struct raft_log_snapshot_id id);
/* Appends bytes to the partial snapshot (FileRawSnapshotWriter.append). `position` must equal
 * the bytes written so far (a download's FetchSnapshot Position), else -ENV_EINVAL; a full disk
 * is -ENV_ENOSPC with nothing written. Asserts a partial snapshot not yet freezing. */
int raft_log_snapshot_write(struct raft_log *l, uint64_t position, const uint8_t *bytes,
                            size_t len);
/* The partial snapshot's size in bytes and id, or -1 (id end_offset -1) when there is none. */
int64_t raft_log_snapshot_partial_size(const struct raft_log *l);
struct raft_log_snapshot_id raft_log_snapshot_partial_id(const struct raft_log *l);
/* Drops the partial snapshot and its `.part` file (FileRawSnapshotWriter.close unfrozen). No
 * partial: nothing. A freeze in flight is NOT aborted: Kafka's freeze() is synchronous, so no
 * state change can come between it and the rename; ours completes (and installs) as issued. */
void raft_log_snapshot_abort(struct raft_log *l);
/* FileRawSnapshotWriter.freeze: fsyncs the `.part` (token with RAFT_LOG_TOKEN_FLAG, completed
 * through raft_log_on_flushed like a log flush, which returns true for it); when it is durable
 * the file is renamed to `<id>.checkpoint` and the snapshot joins the frozen ones
 * (onSnapshotFrozen). With `install` (a follower's finished download) the install rule of
 * "Snapshots" then applies; the caller should append nothing while the freeze is in flight,
 * since a full truncation drops it. Returns 0, or -ENV_EINVAL when `install` is asked but the
 * rule would not truncate this log (KafkaRaftClient throws "Full log truncation expected but
 * didn't happen"; nothing starts then). Should the log change so that the rule no longer holds
 * by the time the fsync completes, the snapshot is frozen but the log kept, with a trace note
 * and last_error. A failed fsync leaves the partial snapshot, not freezing, and sets last_error:
 * freeze again or abort. Asserts a partial snapshot not yet freezing. */
int raft_log_snapshot_freeze(struct raft_log *l, bool install);
/* True while a freeze's fsync is in flight. */
bool raft_log_snapshot_pending(const struct raft_log *l);

/* FetchSnapshot on the leader (FileRawSnapshotReader.slice): up to max_bytes of frozen snapshot
 * `id` from byte `position` (fewer at its end). Returns the bytes read into *out (malloc'd;
 * caller frees), -ENV_ENOENT for an id not frozen here (SNAPSHOT_NOT_FOUND), -ENV_EINVAL for a
 * position at or past its size (POSITION_OUT_OF_RANGE), or a disk read error. The bytes are
 * what the disk returns: a read corruption fault reaches the follower, whose snapshot reader
 * checks batch CRCs when loading. Refusing the bootstrap id (0, 0) is the caller's. */
int64_t raft_log_snapshot_read(struct raft_log *l, struct raft_log_snapshot_id id,
                               uint64_t position, uint32_t max_bytes, uint8_t **out);
/* The frozen snapshot's size in bytes (FetchSnapshot's Size), or -ENV_ENOENT. */
int64_t raft_log_snapshot_size(const struct raft_log *l, struct raft_log_snapshot_id id);

/* KafkaRaftLog.deleteBeforeSnapshot(latest snapshot): if log start < latest.end_offset <= end
 * offset (Kafka requires <= the high watermark, which the caller keeps <= end), the log start
 * moves to latest.end_offset (maybeIncrementLogStartOffset; the epoch cache is truncated from
 * the start, the flushed offset moves up with it), then every segment whose successor's base
 * offset <= the new log start is removed with its batches (deleteLogStartOffsetBreachedSegments:
 * whole segments, never the last), then every snapshot older than the latest (forgetSnapshots
 * Before, removeSnapshots). Otherwise nothing changes. Returns the log start offset. */
int64_t raft_log_delete_before_snapshot(struct raft_log *l);

/* RaftLog.validateOffsetAndEpoch(offset, epoch) for a Fetch (FetchOffset, LastFetchedEpoch):
 * VALID; SNAPSHOT with the latest snapshot id when a snapshot exists and the offset is below
 * the log start, or at it with an epoch other than the earliest snapshot's, or the epoch is
 * below the earliest snapshot's; else DIVERGING with endOffsetForEpoch(epoch) when that answer
 * has another epoch or ends before `offset`. Offset 0 at log start 0 is always VALID. */
enum raft_log_valid_kind { RAFT_LOG_VALID, RAFT_LOG_DIVERGING, RAFT_LOG_SNAPSHOT };
struct raft_log_valid {
    enum raft_log_valid_kind kind;
    struct raft_log_snapshot_id id; /* the offset and epoch asked, the diverging end, or the
                                       snapshot to fetch */
};
struct raft_log_valid raft_log_validate_offset_and_epoch(const struct raft_log *l,
                                                         int64_t offset, int32_t epoch);

/* Every invariant, O(batches + snapshots): offsets first segment base <= start <= flushed <=
 * end, with no whole segment below the start; batches contiguous from the first segment's base,
 * each inside its segment and back to back; segments ascending, canonically named; epochs never
 * falling and the epoch cache exactly what the batches from the log start imply; fsyncs in
 * flight never vouching past the end; snapshots ascending, none below the log start, the
 * latest at or past a log start above 0; the partial snapshot's rules. Open, truncate and the
 * snapshot calls assert it; the hot paths (append, flush completion) assert its O(1) tail, and
 * tests call it after every step. */
bool raft_log_check(const struct raft_log *l);

#endif
