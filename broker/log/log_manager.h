/* log_manager.h — a broker's log dir: its partition logs, their checkpoints, retention, the
 * flush scheduler and the clean shutdown marker (Kafka's LogManager). */
#ifndef KRAFTSIM_LOG_MANAGER_H
#define KRAFTSIM_LOG_MANAGER_H

/*
 * Mirrors core/src/main/scala/kafka/log/LogManager.scala (trunk) for one log dir (log.dirs
 * with one entry), and ReplicaManager's high-watermark checkpoint, against env.h only.
 *
 * Start (LogManager.loadLogs): the dir's `.kafka_cleanshutdown` marker says whether the last
 * shutdown was clean; `recovery-point-offset-checkpoint`, `log-start-offset-checkpoint` and
 * `replication-offset-checkpoint` give each partition its recovery point, log start and high
 * watermark (0 when it has no line); every `<topic>-<partition>/` directory is opened and
 * recovered by partition_log_open; then the marker is deleted, so a crash from here on is an
 * unclean shutdown. A corrupt checkpoint file fails the start, as Kafka fails the log dir.
 *
 * Running (LogManager.startupWithConfigOverrides; ReplicaManager.startHighWatermarkCheckPoint
 * Thread), each a periodic task on the broker's own clock, first run after the initial delay
 * (log.initial.task.delay.ms, 30000; the high watermarks at once):
 *   retention       log.retention.check.interval.ms           300000  deleteOldSegments
 *   flusher         log.flush.scheduler.interval.ms           Long.MAX flush.ms per log
 *   recovery points log.flush.offset.checkpoint.interval.ms    60000
 *   log starts      log.flush.start.offset.checkpoint.interval.ms 60000 (only logs whose start
 *                   is past their first segment's base, as checkpointLogStartOffsetsInDir)
 *   high watermarks replica.high.watermark.checkpoint.interval.ms 5000
 * A checkpoint is write-fsync-rename (checkpoint.h); one write of a file is in flight at a
 * time, and a run of its task while one is in flight writes again when it completes. Kafka
 * writes a checkpoint's lines in its map's hash order; here they are sorted by topic and
 * partition, so the bytes are the same on every run.
 *
 * Controlled shutdown (LogManager.shutdown): every log is flushed to its end, then the three
 * checkpoints are written, then the marker `{"version":0,"brokerEpoch":N}`; each step starts
 * when the fsyncs of the one before have come back. A crash at any point leaves no marker.
 *
 * Tokens: partition logs carry their index in the log manager as their id; the manager's own
 * files use id PARTITION_LOG_ID_MAX, so partition_log_token_id tells every token's owner.
 */

#include <stdbool.h>
#include <stdint.h>

#include "log/checkpoint.h"
#include "log/partition_log.h"

#define LOG_MANAGER_DIR_MAX 200

struct log_manager_config {
    const char *log_dir;         /* log.dirs (its first entry) */
    struct log_config defaults;  /* the broker's log.* settings, topic configs on top */
    int64_t initial_delay_ms;    /* log.initial.task.delay.ms: 30000 */
    int64_t retention_check_ms;  /* log.retention.check.interval.ms: 300000 */
    int64_t flush_check_ms;      /* log.flush.scheduler.interval.ms: INT64_MAX */
    int64_t recovery_checkpoint_ms; /* log.flush.offset.checkpoint.interval.ms: 60000 */
    int64_t start_checkpoint_ms; /* log.flush.start.offset.checkpoint.interval.ms: 60000 */
    int64_t hw_checkpoint_ms;    /* replica.high.watermark.checkpoint.interval.ms: 5000 */
};

struct log_manager_config log_manager_config_default(const char *log_dir);

/* The three checkpoint files of the dir, in this order. */
enum log_manager_file { LM_RECOVERY_POINT, LM_LOG_START, LM_HIGH_WATERMARK, LM_FILE_COUNT };

enum log_manager_state {
    LM_RUNNING,
    LM_SHUTDOWN_FLUSH,       /* flushing every log */
    LM_SHUTDOWN_CHECKPOINTS, /* writing the three checkpoints */
    LM_SHUTDOWN_MARKER,      /* writing .kafka_cleanshutdown */
    LM_SHUT,                 /* done: the process may stop */
};

struct log_manager {
    const struct env *env;
    struct log_manager_config cfg;
    char dir[LOG_MANAGER_DIR_MAX];
    struct partition_log **logs; /* by creation; a log's index is its id; each log stays
                                  * where it is, so callers may keep pointers to it */
    uint32_t log_count;
    uint32_t log_capacity;
    bool clean_at_start; /* the marker was there when the dir was loaded */
    struct checkpoint_file files[LM_FILE_COUNT];
    bool rewrite[LM_FILE_COUNT]; /* asked for while its write was in flight */
    struct checkpoint_file marker;
    int64_t broker_epoch;        /* for the marker */
    time_ns next_retention, next_flush, next_checkpoint[LM_FILE_COUNT];
    enum log_manager_state state;
    char last_error[CHECKPOINT_PATH_MAX + 128]; /* a path and what went wrong with it */
};

/* Loads the log dir (see "Start"). Returns 0, or -PLOG_ESTORAGE with last_error set (a corrupt
 * checkpoint, a log that cannot be opened); log_manager_close is safe either way. */
int log_manager_open(struct log_manager *m, const struct env *env,
                     const struct log_manager_config *cfg);
/* Frees memory only, as a crash would. */
void log_manager_close(struct log_manager *m);

/* The log of topic-partition, or NULL. */
struct partition_log *log_manager_get(struct log_manager *m, const char *topic,
                                      int32_t partition);
/* LogManager.getOrCreateLog: the log, created empty with `config` (NULL: the defaults) if it
 * does not exist. NULL with last_error if it cannot be created. */
struct partition_log *log_manager_get_or_create(struct log_manager *m, const char *topic,
                                                int32_t partition, struct kuuid topic_id,
                                                const struct log_config *config);

/* LogManager.asyncDelete (topic deletion, a replica moved away): the log's files and memory go
 * (partition_log_remove); its slot stays empty, so its id is never reused and its late fsyncs
 * are dropped. `l` is invalid afterwards. */
void log_manager_remove(struct log_manager *m, struct partition_log *l);

/* Runs the periodic tasks that are due at the local time now. */
void log_manager_tick(struct log_manager *m);
/* When log_manager_tick next has work (local time), or TIME_NS_MAX. */
time_ns log_manager_next_deadline(const struct log_manager *m);
/* Feed every disk event whose token is a partition log's (partition_log_token_id >= 0).
 * Returns false for a token that is not the manager's or one of its logs'. */
bool log_manager_on_disk(struct log_manager *m, uint64_t token, int err);

/* Starts the controlled shutdown (see above); log_manager_state then says when it is done. */
void log_manager_shutdown(struct log_manager *m, int64_t broker_epoch);

#endif
