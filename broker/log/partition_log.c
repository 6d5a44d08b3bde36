/* partition_log.c — one partition's log: segments, indexes, epoch cache, flushes, recovery. */
#include "partition_log.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"

#define OFFSET_DIGITS 20 /* LogFileUtils.filenamePrefixFromOffset: %020d */
#define LOG_SUFFIX ".log"
#define INDEX_SUFFIX ".index"
#define TIME_INDEX_SUFFIX ".timeindex"
#define INDEX_ENTRY_SIZE 8       /* OffsetIndex: int32 relative offset, int32 position */
#define TIME_INDEX_ENTRY_SIZE 12 /* TimeIndex: int64 timestamp, int32 relative offset */
#define NO_TIMESTAMP (-1)        /* RecordBatch.NO_TIMESTAMP */
#define NAME_MAX_LEN (PARTITION_LOG_DIR_MAX + 48)

struct log_config log_config_default(void)
{
    return (struct log_config){.segment_bytes = INT64_C(1073741824),
                               .segment_ms = INT64_C(604800000),
                               .retention_bytes = -1,
                               .retention_ms = INT64_C(604800000),
                               .flush_messages = INT64_MAX,
                               .flush_ms = INT64_MAX,
                               .index_interval_bytes = 4096,
                               .segment_index_bytes = 10485760,
                               .max_message_bytes = 1048588,
                               .log_append_time = false};
}

static const char *const err_names[] = {
#define PLOG_ERR_NAME(name, kafka) kafka,
    PARTITION_LOG_ERRORS(PLOG_ERR_NAME)
#undef PLOG_ERR_NAME
};

const char *partition_log_err_name(int err)
{
    int e = err < 0 ? -err : err;
    return e < PLOG_ERR_COUNT ? err_names[e] : "UNKNOWN_SERVER_ERROR";
}

/* ---- errors, arrays, names ---------------------------------------------------------------- */

static int fail(struct partition_log *l, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records a one-line message and returns `err`, so error paths read `return fail(...)`. */
static int fail(struct partition_log *l, int err, const char *fmt, ...)
{
    KS_ASSERT(err < 0);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->last_error, sizeof l->last_error, fmt, ap);
    va_end(ap);
    l->last_error_code = err;
    return err;
}

void partition_log_file_name(const struct partition_log *l, int64_t base_offset,
                             const char *suffix, char *out, size_t cap)
{
    KS_ASSERT(base_offset >= 0);
    int n = snprintf(out, cap, "%s/%0*" PRId64 "%s", l->dir, OFFSET_DIGITS, base_offset, suffix);
    KS_ASSERT(n > 0 && (size_t)n < cap);
}

static int64_t now_ms(const struct partition_log *l) { return env_now(l->env) / NS_PER_MS; }

static void put_be(uint8_t *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static uint64_t get_be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

/* ---- lookups ------------------------------------------------------------------------------ */

/* Index of the first batch whose last offset >= offset (batch_count if none). */
static uint32_t batch_from(const struct partition_log *l, int64_t offset)
{
    uint32_t lo = 0;
    uint32_t hi = l->batch_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (l->batches[mid].last_offset < offset) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

const struct partition_log_batch *partition_log_batch_at(const struct partition_log *l,
                                                         int64_t offset)
{
    uint32_t i = batch_from(l, offset);
    return i < l->batch_count && l->batches[i].base_offset <= offset ? &l->batches[i] : NULL;
}

/* Index of the segment holding `offset`: the last whose base offset <= offset (0 if none). */
static uint32_t segment_floor(const struct partition_log *l, int64_t offset)
{
    uint32_t lo = 0;
    uint32_t hi = l->segment_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (l->segments[mid].base_offset <= offset) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo > 0 ? lo - 1 : 0;
}

/* Index of the segment holding batch `b`. */
static uint32_t segment_of_batch(const struct partition_log *l, uint32_t b)
{
    uint32_t s = segment_floor(l, l->batches[b].base_offset);
    KS_ASSERT(b >= l->segments[s].first_batch &&
              b < l->segments[s].first_batch + l->segments[s].batch_count);
    return s;
}

static struct partition_log_segment *active(struct partition_log *l)
{
    KS_ASSERT(l->segment_count > 0);
    return &l->segments[l->segment_count - 1];
}

int32_t partition_log_latest_epoch(const struct partition_log *l)
{
    return l->epoch_count > 0 ? l->epochs[l->epoch_count - 1].epoch : -1;
}

uint64_t partition_log_size(const struct partition_log *l)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < l->segment_count; i++) {
        total += l->segments[i].size;
    }
    return total;
}

struct partition_log_index_entry partition_log_index_lookup(const struct partition_log *l,
                                                            int64_t offset)
{
    KS_ASSERT(offset >= l->log_start_offset && offset <= l->end_offset);
    const struct partition_log_segment *s = &l->segments[segment_floor(l, offset)];
    struct partition_log_index_entry found = {.offset = s->base_offset, .position = 0};
    uint32_t lo = 0;
    uint32_t hi = s->index_count;
    while (lo < hi) { /* the first entry above `offset`; the one before it is the answer */
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->index[mid].offset <= offset) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo > 0 ? s->index[lo - 1] : found;
}

/* ---- the fsync queue ---------------------------------------------------------------------- */

int64_t partition_log_token_id(uint64_t token)
{
    if ((token & PARTITION_LOG_TOKEN_FLAG) == 0) {
        return -1;
    }
    return (int64_t)((token >> PARTITION_LOG_TOKEN_ID_SHIFT) & PARTITION_LOG_ID_MAX);
}

static uint64_t token_of(const struct partition_log *l, uint64_t seq)
{
    return PARTITION_LOG_TOKEN_FLAG | ((uint64_t)l->id << PARTITION_LOG_TOKEN_ID_SHIFT) |
           (seq & PARTITION_LOG_TOKEN_SEQ_MASK);
}

/* Queues an fsync (and issues it, unless `file` is NULL: the caller issues it with the token
 * returned). */
static uint64_t fsync_issue(struct partition_log *l, const char *file,
                            struct partition_log_fsync f)
{
    KS_ASSERT(l->fsync_count < PARTITION_LOG_TOKEN_SEQ_MASK);
    f.seq = l->seq_next++;
    l->fsyncs = array_grow(l->fsyncs, l->fsync_count, &l->fsync_capacity, sizeof *l->fsyncs);
    l->fsyncs[l->fsync_count++] = f;
    uint64_t token = token_of(l, f.seq);
    if (file != NULL) {
        l->env->ops->disk_fsync(l->env->ctx, file, token);
    }
    return token;
}

/* ---- the leader-epoch checkpoint ---------------------------------------------------------- */

/* Starts a rewrite of leader-epoch-checkpoint if the cache changed and none is in flight. */
static void epochs_write(struct partition_log *l)
{
    if (!l->epochs_dirty || l->epoch_file.in_flight) {
        return;
    }
    size_t cap = 32 + (size_t)l->epoch_count * 40;
    char *buf = malloc(cap);
    KS_ASSERT(buf != NULL);
    struct text t = text_init(buf, cap);
    checkpoint_epochs_format(&t, l->epochs, l->epoch_count);
    KS_ASSERT(text_fits(&t));
    char tmp[CHECKPOINT_PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s" CHECKPOINT_TMP_SUFFIX, l->epoch_file.path);
    /* The token is issued first so the fsync joins the queue in issue order. */
    uint64_t token = fsync_issue(l, NULL, (struct partition_log_fsync){.kind = PLOG_FSYNC_EPOCHS});
    int rc = checkpoint_file_begin(l->env, &l->epoch_file, buf, t.len, token);
    free(buf);
    if (rc != ENV_OK) {
        l->fsync_count--; /* never issued: a full disk; the next change tries again */
        fail(l, -PLOG_ESTORAGE, "write %s: %s", l->epoch_file.path, env_err_message(rc));
        return;
    }
    l->epochs_dirty = false;
}

/* LeaderEpochFileCache.assign(epoch, startOffset): isUpdateNeeded, then
 * maybeTruncateNonMonotonicEntries, then the new entry. */
static void epoch_assign(struct partition_log *l, int32_t epoch, int64_t start)
{
    KS_ASSERT(epoch >= 0 && start >= 0);
    if (l->epoch_count > 0) {
        const struct checkpoint_epoch *last = &l->epochs[l->epoch_count - 1];
        if (last->epoch == epoch && start >= last->start_offset) {
            return;
        }
    }
    while (l->epoch_count > 0 && (l->epochs[l->epoch_count - 1].epoch >= epoch ||
                                  l->epochs[l->epoch_count - 1].start_offset >= start)) {
        l->epoch_count--;
    }
    l->epochs = array_grow(l->epochs, l->epoch_count, &l->epoch_capacity, sizeof *l->epochs);
    l->epochs[l->epoch_count++] = (struct checkpoint_epoch){.epoch = epoch, .start_offset = start};
    l->epochs_dirty = true;
}

/* truncateFromEnd: entries starting at or past `end` go. */
static void epochs_truncate_from_end(struct partition_log *l, int64_t end)
{
    while (l->epoch_count > 0 && l->epochs[l->epoch_count - 1].start_offset >= end) {
        l->epoch_count--;
        l->epochs_dirty = true;
    }
}

/* truncateFromStart: entries starting at or below `start` collapse into the last of them,
 * which now starts there. */
static void epochs_truncate_from_start(struct partition_log *l, int64_t start)
{
    uint32_t k = 0;
    while (k < l->epoch_count && l->epochs[k].start_offset <= start) {
        k++;
    }
    if (k == 0 || (k == 1 && l->epochs[0].start_offset == start)) {
        return;
    }
    l->epoch_count -= k - 1;
    memmove(l->epochs, l->epochs + k - 1, l->epoch_count * sizeof *l->epochs);
    l->epochs[0].start_offset = start;
    l->epochs_dirty = true;
}

bool partition_log_end_offset_for_epoch(const struct partition_log *l, int32_t epoch,
                                        int64_t *end_offset, int32_t *found_epoch)
{
    if (epoch == -1 || l->epoch_count == 0) {
        return false; /* UNDEFINED_EPOCH asked, or nothing known */
    }
    if (epoch == l->epochs[l->epoch_count - 1].epoch) {
        *end_offset = l->end_offset;
        *found_epoch = epoch;
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
        return false; /* above every epoch */
    }
    *end_offset = l->epochs[lo].start_offset;
    *found_epoch = lo == 0 ? epoch : l->epochs[lo - 1].epoch;
    return true;
}

/* ---- segments and their index files ------------------------------------------------------- */

static int create_file(struct partition_log *l, int64_t base, const char *suffix)
{
    char name[NAME_MAX_LEN];
    partition_log_file_name(l, base, suffix, name, sizeof name);
    return l->env->ops->disk_write(l->env->ctx, name, 0, "", 0);
}

/* LogSegment.open: a new empty segment with its three files. */
static int segment_create(struct partition_log *l, int64_t base)
{
    KS_ASSERT(l->segment_count == 0 || active(l)->base_offset < base);
    static const char *const suffixes[] = {LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX};
    for (int i = 0; i < 3; i++) {
        int rc = create_file(l, base, suffixes[i]);
        if (rc != ENV_OK) {
            return fail(l, -PLOG_ESTORAGE, "create segment %" PRId64 ": %s", base,
                        env_err_message(rc));
        }
    }
    l->segments = array_grow(l->segments, l->segment_count, &l->segment_capacity,
                       sizeof *l->segments);
    int64_t now = now_ms(l);
    l->segments[l->segment_count++] = (struct partition_log_segment){
        .base_offset = base,
        .first_batch = l->batch_count,
        .created_ms = now,
        .last_modified_ms = now,
        .max_timestamp = NO_TIMESTAMP,
        .offset_of_max_timestamp = -1,
    };
    return 0;
}

static void segment_free(struct partition_log_segment *s)
{
    free(s->index);
    free(s->time_index);
    s->index = NULL;
    s->time_index = NULL;
}

static void segment_remove_files(struct partition_log *l, int64_t base)
{
    static const char *const suffixes[] = {LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX};
    for (int i = 0; i < 3; i++) {
        char name[NAME_MAX_LEN];
        partition_log_file_name(l, base, suffixes[i], name, sizeof name);
        (void)l->env->ops->disk_remove(l->env->ctx, name); /* an index may never have existed */
    }
}

/* Writes an index file's entries from `from` on (the file is cut there first). */
static void index_files_write(struct partition_log *l, struct partition_log_segment *s,
                              uint32_t from_index, uint32_t from_time)
{
    char name[NAME_MAX_LEN];
    uint8_t e[TIME_INDEX_ENTRY_SIZE];
    partition_log_file_name(l, s->base_offset, INDEX_SUFFIX, name, sizeof name);
    int rc = l->env->ops->disk_truncate(l->env->ctx, name, (uint64_t)from_index * 8);
    for (uint32_t i = from_index; rc == ENV_OK && i < s->index_count; i++) {
        put_be(e, (uint64_t)(s->index[i].offset - s->base_offset), 4);
        put_be(e + 4, s->index[i].position, 4);
        rc = l->env->ops->disk_write(l->env->ctx, name, (uint64_t)i * 8, e, INDEX_ENTRY_SIZE);
    }
    partition_log_file_name(l, s->base_offset, TIME_INDEX_SUFFIX, name, sizeof name);
    if (rc == ENV_OK) {
        rc = l->env->ops->disk_truncate(l->env->ctx, name, (uint64_t)from_time * 12);
    }
    for (uint32_t i = from_time; rc == ENV_OK && i < s->time_count; i++) {
        put_be(e, (uint64_t)s->time_index[i].timestamp, 8);
        put_be(e + 8, (uint64_t)(s->time_index[i].offset - s->base_offset), 4);
        rc = l->env->ops->disk_write(l->env->ctx, name, (uint64_t)i * 12, e,
                                     TIME_INDEX_ENTRY_SIZE);
    }
    if (rc != ENV_OK) { /* a full disk: the index is rebuilt at the next recovery */
        fail(l, -PLOG_ESTORAGE, "write index of segment %" PRId64 ": %s", s->base_offset,
             env_err_message(rc));
    }
}

/* OffsetIndex.append (in memory; the caller writes the file). */
static void index_append(struct partition_log_segment *s, int64_t offset, uint32_t position)
{
    KS_ASSERT(s->index_count == 0 || offset > s->index[s->index_count - 1].offset);
    s->index = array_grow(s->index, s->index_count, &s->index_capacity, sizeof *s->index);
    s->index[s->index_count++] = (struct partition_log_index_entry){offset, position};
}

/* TimeIndex.maybeAppend: only a timestamp above the last entry's (NO_TIMESTAMP when empty). */
static bool time_index_maybe_append(struct partition_log_segment *s, int64_t timestamp,
                                    int64_t offset)
{
    int64_t last = s->time_count > 0 ? s->time_index[s->time_count - 1].timestamp
                                     : NO_TIMESTAMP;
    if (timestamp <= last) {
        return false;
    }
    s->time_index = array_grow(s->time_index, s->time_count, &s->time_capacity,
                         sizeof *s->time_index);
    s->time_index[s->time_count++] = (struct partition_log_time_entry){timestamp, offset};
    return true;
}

static bool index_full(const struct partition_log *l, const struct partition_log_segment *s)
{
    return s->index_count >= (uint32_t)(l->config.segment_index_bytes / INDEX_ENTRY_SIZE) ||
           s->time_count >= (uint32_t)(l->config.segment_index_bytes / TIME_INDEX_ENTRY_SIZE);
}

/* Indexes batch `b` as the last of segment `s` (LogSegment.append's loop body, or recover's
 * with `recovering`): max timestamp, then maybe an index entry, then the byte count. */
static void segment_index_batch(struct partition_log *l, struct partition_log_segment *s,
                                const struct partition_log_batch *b, bool recovering)
{
    if (b->max_timestamp > s->max_timestamp) {
        s->max_timestamp = b->max_timestamp;
        s->offset_of_max_timestamp = b->last_offset;
    }
    bool entry = recovering ? b->position - (s->index_count > 0
                                                 ? s->index[s->index_count - 1].position
                                                 : 0) > (uint32_t)l->config.index_interval_bytes
                            : s->bytes_since_index > (uint32_t)l->config.index_interval_bytes;
    if (entry) {
        index_append(s, b->last_offset, b->position);
        (void)time_index_maybe_append(s, s->max_timestamp, s->offset_of_max_timestamp);
        s->bytes_since_index = 0;
    }
    s->bytes_since_index += b->size;
}

/* ---- flushing ----------------------------------------------------------------------------- */

/* LocalLog.flush(offset) then markFlushed(offset): fsyncs every dirty segment from the one
 * holding the recovery point up to those below `offset`; the last fsync vouches for it. */
static void flush_to(struct partition_log *l, int64_t offset)
{
    if (offset > l->end_offset) {
        offset = l->end_offset;
    }
    if (offset <= l->recovery_point) {
        return;
    }
    bool issued = false;
    for (uint32_t i = segment_floor(l, l->recovery_point); i < l->segment_count; i++) {
        struct partition_log_segment *s = &l->segments[i];
        if (s->base_offset >= offset) {
            break; /* holds nothing below the flush offset */
        }
        if (!s->dirty) {
            continue;
        }
        static const char *const suffixes[] = {LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX};
        for (int k = 0; k < 3; k++) { /* LogSegment.flush: log, offset index, time index */
            char name[NAME_MAX_LEN];
            partition_log_file_name(l, s->base_offset, suffixes[k], name, sizeof name);
            fsync_issue(l, name, (struct partition_log_fsync){.kind = PLOG_FSYNC_SEGMENT,
                                                              .segment_base = s->base_offset});
        }
        s->dirty = false;
        issued = true;
    }
    if (!issued && l->fsync_count == 0) {
        l->recovery_point = offset; /* every byte below it is durable already */
        l->last_flush_ms = now_ms(l);
        return;
    }
    /* Nothing new to fsync: the fsyncs in flight cover every byte, so the last vouches. */
    struct partition_log_fsync *last = &l->fsyncs[l->fsync_count - 1];
    if (!last->flush_last || last->flush_offset < offset) {
        last->flush_offset = offset;
    }
    last->flush_last = true;
}

void partition_log_flush(struct partition_log *l) { flush_to(l, l->end_offset); }

bool partition_log_flush_if_due(struct partition_log *l)
{
    if (l->config.flush_ms == INT64_MAX || now_ms(l) - l->last_flush_ms < l->config.flush_ms ||
        l->recovery_point >= l->end_offset) {
        return false;
    }
    flush_to(l, l->end_offset);
    return true;
}

static struct partition_log_segment *segment_by_base(struct partition_log *l, int64_t base)
{
    for (uint32_t i = 0; i < l->segment_count; i++) {
        if (l->segments[i].base_offset == base) {
            return &l->segments[i];
        }
    }
    return NULL;
}

bool partition_log_on_disk(struct partition_log *l, uint64_t token, int err)
{
    if (partition_log_token_id(token) != (int64_t)l->id || l->fsync_count == 0) {
        return false;
    }
    KS_ASSERT(token_of(l, l->fsyncs[0].seq) == token); /* completions come in issue order */
    struct partition_log_fsync done = l->fsyncs[0];
    l->fsync_count--;
    memmove(l->fsyncs, l->fsyncs + 1, l->fsync_count * sizeof *l->fsyncs);
    if (done.kind == PLOG_FSYNC_SEGMENT && err != ENV_OK) {
        struct partition_log_segment *s = segment_by_base(l, done.segment_base);
        if (s != NULL) {
            s->dirty = true;
        }
        l->flush_failed_through = l->fsync_count > 0 ? l->fsyncs[l->fsync_count - 1].seq
                                                      : done.seq;
        fail(l, -PLOG_ESTORAGE, "fsync of segment %" PRId64 ": %s", done.segment_base,
             env_err_message(err < 0 ? -err : err));
    } else if (done.kind == PLOG_FSYNC_EPOCHS) {
        if (!checkpoint_file_done(l->env, &l->epoch_file, token, err)) {
            l->epochs_dirty = true;
        }
        epochs_write(l);
    } else if (done.kind == PLOG_FSYNC_METADATA) {
        (void)checkpoint_file_done(l->env, &l->metadata_file, token, err);
    }
    if (done.flush_last && done.seq > l->flush_failed_through) {
        int64_t upto = done.flush_offset < l->end_offset ? done.flush_offset : l->end_offset;
        if (upto > l->recovery_point) {
            l->recovery_point = upto;
        }
        l->last_flush_ms = now_ms(l);
    }
    return true;
}

/* ---- appending ---------------------------------------------------------------------------- */

/* LocalLog.roll: the active segment becomes inactive (its time index gets the max timestamp
 * entry), a new segment starts at max(next, end); then, as UnifiedLog.roll schedules it, a
 * flush up to the new base offset. */
static int roll(struct partition_log *l, int64_t next)
{
    struct partition_log_segment *s = active(l);
    int64_t base = next > l->end_offset ? next : l->end_offset;
    if (s->base_offset == base && s->size == 0) {
        return 0; /* Kafka deletes and recreates the same empty segment */
    }
    if (time_index_maybe_append(s, s->max_timestamp, s->offset_of_max_timestamp)) {
        index_files_write(l, s, s->index_count, s->time_count - 1);
        s->dirty = true;
    }
    int rc = segment_create(l, base);
    if (rc < 0) {
        return rc;
    }
    env_tracef(l->env, TRACE_NOTE, "partition-log roll dir=%s base=%" PRId64, l->dir, base);
    flush_to(l, base);
    return 0;
}

/* LogSegment.shouldRoll for an append of `size` bytes ending at `last_offset`. */
static bool should_roll(const struct partition_log *l, int64_t size, int64_t max_timestamp,
                        int64_t last_offset)
{
    const struct partition_log_segment *s = &l->segments[l->segment_count - 1];
    int64_t first_ts = s->batch_count > 0 ? l->batches[s->first_batch].max_timestamp : -1;
    int64_t waited = first_ts >= 0 ? max_timestamp - first_ts : now_ms(l) - s->created_ms;
    return (int64_t)s->size > l->config.segment_bytes - size ||
           (s->size > 0 && waited > l->config.segment_ms) || index_full(l, s) ||
           last_offset - s->base_offset > INT32_MAX;
}

/* One batch about to be written: its header fields. */
struct pending {
    int64_t base_offset;
    int64_t last_offset;
    int64_t max_timestamp;
    int64_t producer_id;
    int32_t epoch;
    int32_t base_sequence;
    int16_t producer_epoch;
    uint32_t size;
    int32_t records;
};

/* The producer-state entry of an indexed batch (producer_id >= 0). */
static struct producer_batch_meta batch_meta(const struct partition_log_batch *b)
{
    return (struct producer_batch_meta){
        .first_seq = b->base_sequence,
        .last_seq = producer_last_seq(b->base_sequence, (int32_t)(b->last_offset - b->base_offset)),
        .first_offset = b->base_offset,
        .last_offset = b->last_offset};
}

/* The producer state from the retained batches (see producer_state.h: Kafka's snapshots and
 * replay give the same entries). After a load, a truncation, a deletion of segments. */
static void producers_rebuild(struct partition_log *l)
{
    producer_state_clear(&l->producers);
    for (uint32_t i = 0; i < l->batch_count; i++) {
        const struct partition_log_batch *b = &l->batches[i];
        if (b->producer_id >= 0 && b->base_sequence >= 0) {
            struct producer_batch_meta m = batch_meta(b);
            producer_state_update(&l->producers, b->producer_id, b->producer_epoch, &m);
        }
    }
}

/* Writes validated batches (bytes final) at the end of the log with one disk write: roll
 * first if due, index each batch, assign its epoch, then the flush.messages check. */
static int write_batches(struct partition_log *l, const uint8_t *bytes, size_t len,
                         const struct pending *p, uint32_t n)
{
    if ((int64_t)len > l->config.segment_bytes) {
        return fail(l, -PLOG_EBATCH_TOO_LARGE, "Message batch size is %zu bytes in append to "
                    "partition %s-%" PRId32 " which exceeds the maximum configured segment size"
                    " of %" PRId64 ".", len, l->topic, l->partition, l->config.segment_bytes);
    }
    int64_t max_ts = NO_TIMESTAMP;
    for (uint32_t i = 0; i < n; i++) {
        max_ts = p[i].max_timestamp > max_ts ? p[i].max_timestamp : max_ts;
    }
    if (should_roll(l, (int64_t)len, max_ts, p[n - 1].last_offset)) {
        int rc = roll(l, p[0].base_offset);
        if (rc < 0) {
            return rc;
        }
    }
    struct partition_log_segment *s = active(l);
    char name[NAME_MAX_LEN];
    partition_log_file_name(l, s->base_offset, LOG_SUFFIX, name, sizeof name);
    int rc = l->env->ops->disk_write(l->env->ctx, name, s->size, bytes, len);
    if (rc != ENV_OK) {
        return fail(l, -PLOG_ESTORAGE, "append at offset %" PRId64 " to %s: %s",
                    p[0].base_offset, name, env_err_message(rc));
    }
    uint32_t index_before = s->index_count;
    uint32_t time_before = s->time_count;
    uint64_t position = s->size;
    for (uint32_t i = 0; i < n; i++) {
        l->batches = array_grow(l->batches, l->batch_count, &l->batch_capacity, sizeof *l->batches);
        struct partition_log_batch *b = &l->batches[l->batch_count++];
        *b = (struct partition_log_batch){.base_offset = p[i].base_offset,
                                          .last_offset = p[i].last_offset,
                                          .max_timestamp = p[i].max_timestamp,
                                          .producer_id = p[i].producer_id,
                                          .epoch = p[i].epoch,
                                          .base_sequence = p[i].base_sequence,
                                          .producer_epoch = p[i].producer_epoch,
                                          .position = (uint32_t)position,
                                          .size = p[i].size};
        s->batch_count++;
        if (b->producer_id >= 0 && b->base_sequence >= 0) {
            struct producer_batch_meta m = batch_meta(b);
            producer_state_update(&l->producers, b->producer_id, b->producer_epoch, &m);
        }
        segment_index_batch(l, s, b, false);
        position += p[i].size;
        if (p[i].epoch >= 0) {
            epoch_assign(l, p[i].epoch, p[i].base_offset); /* maybeAssignEpochStartOffset */
        }
    }
    s->size = position;
    s->dirty = true;
    s->last_modified_ms = now_ms(l);
    l->end_offset = p[n - 1].last_offset + 1;
    if (s->index_count > index_before || s->time_count > time_before) {
        index_files_write(l, s, index_before, time_before);
    }
    epochs_write(l);
    if (l->end_offset - l->recovery_point >= l->config.flush_messages) {
        flush_to(l, l->end_offset); /* UnifiedLog.append: unflushedMessages >= flushInterval */
    }
    return 0;
}

/* Decodes every batch's header (frame and CRC checks) into p[]; returns the count or an error. */
static int scan_input(struct partition_log *l, const uint8_t *bytes, size_t len,
                      struct pending **out)
{
    struct pending *p = NULL;
    uint32_t n = 0;
    uint32_t cap = 0;
    size_t pos = 0;
    while (pos < len) {
        struct record_batch rb;
        size_t size = 0;
        int rc = record_batch_decode_header(bytes + pos, len - pos, &rb, &size, true);
        if (rc < 0) {
            free(p);
            return fail(l, -PLOG_ECORRUPT, "batch at byte %zu of %zu in append to %s-%" PRId32
                        ": %s", pos, len, l->topic, l->partition, wire_err_message(rc));
        }
        if (rb.last_offset_delta < 0 || rb.base_offset > INT64_MAX - rb.last_offset_delta) {
            free(p);
            return fail(l, -PLOG_ECORRUPT, "batch at byte %zu: bad LastOffsetDelta %" PRId32,
                        pos, rb.last_offset_delta);
        }
        p = array_grow(p, n, &cap, sizeof *p);
        p[n++] = (struct pending){.base_offset = rb.base_offset,
                                  .last_offset = rb.base_offset + rb.last_offset_delta,
                                  .max_timestamp = rb.max_timestamp,
                                  .producer_id = rb.producer_id,
                                  .epoch = rb.partition_leader_epoch,
                                  .base_sequence = rb.base_sequence,
                                  .producer_epoch = rb.producer_epoch,
                                  .size = (uint32_t)size,
                                  .records = rb.record_count};
        pos += size;
    }
    *out = p;
    return (int)n;
}

static void fill_info(const struct pending *p, uint32_t n, int64_t append_time,
                      struct partition_log_append_info *info)
{
    *info = (struct partition_log_append_info){.first_offset = p[0].base_offset,
                                               .last_offset = p[n - 1].last_offset,
                                               .max_timestamp = NO_TIMESTAMP,
                                               .log_append_time = append_time,
                                               .batch_count = (int32_t)n};
    for (uint32_t i = 0; i < n; i++) {
        info->max_timestamp = p[i].max_timestamp > info->max_timestamp ? p[i].max_timestamp
                                                                       : info->max_timestamp;
        info->record_count += p[i].records;
    }
}

/* LogValidator's checks of a producer's batch, in the order it makes them. */
static int validate_produced(struct partition_log *l, const struct pending *p, uint32_t i)
{
    if ((int64_t)p[i].size > l->config.max_message_bytes) {
        return fail(l, -PLOG_ETOO_LARGE, "The record batch size in the append to %s-%" PRId32
                    " is %" PRIu32 " bytes which exceeds the maximum configured value of %"
                    PRId32 ".", l->topic, l->partition, p[i].size, l->config.max_message_bytes);
    }
    if (p[i].base_offset != 0) {
        return fail(l, -PLOG_EINVALID_RECORD, "The baseOffset of the record batch in the append"
                    " to %s-%" PRId32 " should be 0, but it is %" PRId64, l->topic,
                    l->partition, p[i].base_offset);
    }
    if (p[i].records <= 0 || p[i].last_offset - p[i].base_offset + 1 != p[i].records) {
        return fail(l, -PLOG_EINVALID_RECORD, "Inner record count %" PRId32 " of the batch in"
                    " the append to %s-%" PRId32 " does not match its offsets", p[i].records,
                    l->topic, l->partition);
    }
    return 0;
}

/* UnifiedLog.analyzeAndValidateProducerState for a client's batches: the first duplicate
 * answers for the whole append (its offsets into *info); 0 to append; else the error. */
static int check_producers(struct partition_log *l, const struct pending *p, uint32_t n,
                           struct partition_log_append_info *info)
{
    for (uint32_t i = 0; i < n; i++) {
        if (p[i].producer_id < 0 || p[i].base_sequence < 0) {
            continue;
        }
        int32_t last = producer_last_seq(p[i].base_sequence,
                                         (int32_t)(p[i].last_offset - p[i].base_offset));
        struct producer_batch_meta dup;
        switch (producer_state_check(&l->producers, p[i].producer_id, p[i].producer_epoch,
                                     p[i].base_sequence, last, &dup)) {
        case PRODUCER_APPEND:
            break;
        case PRODUCER_DUPLICATE:
            *info = (struct partition_log_append_info){
                .first_offset = dup.first_offset, .last_offset = dup.last_offset,
                .max_timestamp = NO_TIMESTAMP, .log_append_time = NO_TIMESTAMP,
                .batch_count = 1,
                .record_count = (int32_t)(dup.last_offset - dup.first_offset + 1)};
            return PLOG_DUPLICATE;
        case PRODUCER_OUT_OF_ORDER:
            return fail(l, -PLOG_EOUT_OF_ORDER_SEQUENCE, "Out of order sequence number for "
                        "producer %" PRId64 " in partition %s-%" PRId32 ": %" PRId32
                        " (incoming seq. number)", p[i].producer_id, l->topic, l->partition,
                        p[i].base_sequence);
        case PRODUCER_FENCED_EPOCH:
            return fail(l, -PLOG_EINVALID_PRODUCER_EPOCH, "Epoch of producer %" PRId64 " in "
                        "%s-%" PRId32 " is %d, which is smaller than the last seen epoch",
                        p[i].producer_id, l->topic, l->partition, p[i].producer_epoch);
        }
    }
    return 0;
}

int partition_log_append_leader(struct partition_log *l, const uint8_t *bytes, size_t len,
                                int32_t leader_epoch, struct partition_log_append_info *info)
{
    KS_ASSERT(leader_epoch >= 0 && info != NULL);
    struct pending *p = NULL;
    int n = scan_input(l, bytes, len, &p);
    if (n <= 0) {
        return n < 0 ? n : fail(l, -PLOG_EINVALID_RECORD, "empty append to %s-%" PRId32,
                                l->topic, l->partition);
    }
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        rc = validate_produced(l, p, (uint32_t)i);
    }
    if (rc == 0) {
        rc = check_producers(l, p, (uint32_t)n, info);
        if (rc == PLOG_DUPLICATE) {
            free(p);
            return rc;
        }
    }
    int64_t append_time = l->config.log_append_time ? now_ms(l) : NO_TIMESTAMP;
    uint8_t *copy = rc == 0 ? malloc(len) : NULL;
    if (copy != NULL) {
        memcpy(copy, bytes, len);
        int64_t next = l->end_offset;
        for (size_t i = 0, at = 0; i < (size_t)n; at += p[i++].size) {
            uint8_t *b = copy + at;
            p[i].last_offset = next + (p[i].last_offset - p[i].base_offset);
            p[i].base_offset = next;
            p[i].epoch = leader_epoch;
            put_be(b + RECORD_BATCH_BASE_OFFSET_AT, (uint64_t)next, 8);
            put_be(b + RECORD_BATCH_LEADER_EPOCH_AT, (uint32_t)leader_epoch, 4);
            if (append_time != NO_TIMESTAMP) { /* setMaxTimestamp(LOG_APPEND_TIME, now) */
                uint16_t attrs = (uint16_t)get_be(b + RECORD_BATCH_ATTRIBUTES_AT, 2);
                put_be(b + RECORD_BATCH_ATTRIBUTES_AT, attrs | RECORD_BATCH_LOG_APPEND_TIME, 2);
                put_be(b + RECORD_BATCH_MAX_TIMESTAMP_AT, (uint64_t)append_time, 8);
                p[i].max_timestamp = append_time;
                uint32_t crc = wire_crc32c(0, b + RECORD_BATCH_ATTRIBUTES_AT,
                                           p[i].size - RECORD_BATCH_ATTRIBUTES_AT);
                put_be(b + RECORD_BATCH_CRC_AT, crc, 4);
            }
            next = p[i].last_offset + 1;
        }
        rc = write_batches(l, copy, len, p, (uint32_t)n);
        free(copy);
    }
    if (rc == 0) {
        fill_info(p, (uint32_t)n, append_time, info);
    }
    free(p);
    KS_ASSERT(rc < 0 || l->end_offset == info->last_offset + 1);
    return rc;
}

int partition_log_append_follower(struct partition_log *l, const uint8_t *bytes, size_t len,
                                  struct partition_log_append_info *info)
{
    KS_ASSERT(info != NULL);
    memset(info, 0, sizeof *info);
    struct pending *p = NULL;
    int n = scan_input(l, bytes, len, &p);
    if (n <= 0) {
        return n;
    }
    int rc = 0;
    if (p[0].base_offset < l->end_offset) {
        rc = fail(l, -PLOG_EUNEXPECTED_OFFSET, "Unexpected offset in append to %s-%" PRId32
                  ". First offset %" PRId64 " is less than the next offset %" PRId64 ".",
                  l->topic, l->partition, p[0].base_offset, l->end_offset);
    }
    for (int i = 1; i < n && rc == 0; i++) {
        if (p[i].base_offset <= p[i - 1].last_offset) {
            rc = fail(l, -PLOG_EOUT_OF_ORDER, "Out of order offsets found in append to %s-%"
                      PRId32 ": batch at %" PRId64 " after one ending at %" PRId64, l->topic,
                      l->partition, p[i].base_offset, p[i - 1].last_offset);
        }
    }
    if (rc == 0) {
        rc = write_batches(l, bytes, len, p, (uint32_t)n);
    }
    if (rc == 0) {
        fill_info(p, (uint32_t)n, NO_TIMESTAMP, info);
    }
    free(p);
    return rc;
}

/* ---- reading ------------------------------------------------------------------------------ */

int64_t partition_log_read(struct partition_log *l, int64_t offset, uint32_t max_bytes,
                           int64_t max_offset, bool min_one_message, uint8_t **out)
{
    KS_ASSERT(out != NULL);
    *out = NULL;
    if (offset < l->log_start_offset || offset > l->end_offset) {
        return fail(l, -PLOG_EOUT_OF_RANGE, "Received request for offset %" PRId64 " for "
                    "partition %s-%" PRId32 ", but we only have log segments from offset %"
                    PRId64 " up to %" PRId64 ".", offset, l->topic, l->partition,
                    l->log_start_offset, l->end_offset);
    }
    uint32_t first = batch_from(l, offset);
    if (first == l->batch_count || l->batches[first].last_offset >= max_offset) {
        return 0;
    }
    uint32_t seg = segment_of_batch(l, first);
    const struct partition_log_segment *s = &l->segments[seg];
    uint32_t end_batch = s->first_batch + s->batch_count;
    uint32_t last = first;
    uint64_t total = l->batches[first].size;
    if (total > max_bytes && !min_one_message) {
        return 0;
    }
    while (last + 1 < end_batch && l->batches[last + 1].last_offset < max_offset &&
           total + l->batches[last + 1].size <= max_bytes) {
        total += l->batches[++last].size;
    }
    uint8_t *buf = malloc(total);
    KS_ASSERT(buf != NULL);
    char name[NAME_MAX_LEN];
    partition_log_file_name(l, s->base_offset, LOG_SUFFIX, name, sizeof name);
    int64_t n = l->env->ops->disk_read(l->env->ctx, name, l->batches[first].position, buf,
                                       total);
    if (n != (int64_t)total) {
        free(buf);
        return fail(l, -PLOG_ESTORAGE, "read %s at %" PRIu32 ": %s", name,
                    l->batches[first].position,
                    n < 0 ? env_err_message((int)-n) : "short read");
    }
    *out = buf;
    return (int64_t)total;
}

int64_t partition_log_set_high_watermark(struct partition_log *l, int64_t hw)
{
    if (hw < l->log_start_offset) {
        hw = l->log_start_offset;
    } else if (hw > l->end_offset) {
        hw = l->end_offset;
    }
    l->high_watermark = hw;
    return hw;
}

/* ---- truncating --------------------------------------------------------------------------- */

/* What every offset does when the end drops to `end`. */
static void clamp_to_end(struct partition_log *l, int64_t end)
{
    l->end_offset = end;
    epochs_truncate_from_end(l, end);
    if (l->recovery_point > end) {
        l->recovery_point = end;
    }
    if (l->high_watermark > end) {
        l->high_watermark = end;
    }
    for (uint32_t i = 0; i < l->fsync_count; i++) {
        if (l->fsyncs[i].flush_offset > end) {
            l->fsyncs[i].flush_offset = end; /* vouches for nothing appended after this */
        }
    }
}

/* Removes segments [from, segment_count) with their files and batches. */
static void segments_drop_tail(struct partition_log *l, uint32_t from)
{
    for (uint32_t i = l->segment_count; i-- > from;) {
        segment_remove_files(l, l->segments[i].base_offset);
        l->batch_count = l->segments[i].first_batch;
        segment_free(&l->segments[i]);
    }
    l->segment_count = from;
}

/* LogSegment.truncateTo within segment `s` at batch `first` (a batch of s, or s's end). */
static void segment_cut(struct partition_log *l, uint32_t seg, uint32_t first)
{
    struct partition_log_segment *s = &l->segments[seg];
    uint32_t keep = first - s->first_batch;
    uint64_t position = keep < s->batch_count ? l->batches[first].position : s->size;
    int64_t cut = keep < s->batch_count ? l->batches[first].base_offset : INT64_MAX;
    char name[NAME_MAX_LEN];
    partition_log_file_name(l, s->base_offset, LOG_SUFFIX, name, sizeof name);
    int rc = l->env->ops->disk_truncate(l->env->ctx, name, position);
    KS_ASSERT(rc == ENV_OK);
    s->size = position;
    s->batch_count = keep;
    l->batch_count = first;
    /* OffsetIndex.truncateTo / TimeIndex.truncateTo: entries at or past the cut go. */
    while (s->index_count > 0 && s->index[s->index_count - 1].offset >= cut) {
        s->index_count--;
    }
    while (s->time_count > 0 && s->time_index[s->time_count - 1].offset >= cut) {
        s->time_count--;
    }
    s->max_timestamp = NO_TIMESTAMP;
    s->offset_of_max_timestamp = -1;
    for (uint32_t i = s->first_batch; i < first; i++) {
        if (l->batches[i].max_timestamp > s->max_timestamp) {
            s->max_timestamp = l->batches[i].max_timestamp;
            s->offset_of_max_timestamp = l->batches[i].last_offset;
        }
    }
    s->bytes_since_index = 0;
    index_files_write(l, s, s->index_count, s->time_count);
}

void partition_log_truncate_fully(struct partition_log *l, int64_t offset)
{
    KS_ASSERT(offset >= 0);
    segments_drop_tail(l, 0);
    l->epoch_count = 0;
    l->epochs_dirty = true; /* clearAndFlush */
    int rc = segment_create(l, offset);
    KS_ASSERT(rc == 0);
    clamp_to_end(l, offset);
    l->log_start_offset = offset;
    l->end_offset = offset;
    l->high_watermark = offset;
    l->recovery_point = offset;
    epochs_write(l);
    producers_rebuild(l);
    env_tracef(l->env, TRACE_NOTE, "partition-log truncate-fully dir=%s offset=%" PRId64, l->dir,
               offset);
    KS_ASSERT(partition_log_check(l));
}

int64_t partition_log_truncate_to(struct partition_log *l, int64_t offset)
{
    KS_ASSERT(offset >= 0);
    if (offset >= l->end_offset) {
        epochs_truncate_from_end(l, l->end_offset); /* an epoch assigned with no batch yet */
        epochs_write(l);
        return l->end_offset;
    }
    if (l->segments[0].base_offset > offset) {
        partition_log_truncate_fully(l, offset);
        return offset;
    }
    uint32_t first = batch_from(l, offset);
    KS_ASSERT(first < l->batch_count);
    uint32_t seg = segment_floor(l, offset);
    segments_drop_tail(l, seg + 1);
    if (first > l->batch_count) {
        first = l->batch_count; /* `offset` falls in a gap after segment seg's batches */
    }
    segment_cut(l, seg, first);
    const struct partition_log_segment *s = &l->segments[seg];
    /* Kafka sets the end to `offset` itself (LocalLog.truncateTo); a batch straddling it is
     * gone whole, so the end here is what the kept batches reach. */
    int64_t end = s->batch_count > 0 ? l->batches[l->batch_count - 1].last_offset + 1
                                     : s->base_offset;
    clamp_to_end(l, end);
    if (l->log_start_offset > end) {
        l->log_start_offset = end; /* logStartOffset = min(targetOffset, logStartOffset) */
    }
    epochs_write(l);
    producers_rebuild(l);
    env_tracef(l->env, TRACE_NOTE, "partition-log truncate dir=%s offset=%" PRId64
               " end=%" PRId64, l->dir, offset, end);
    KS_ASSERT(partition_log_check(l));
    return end;
}

/* ---- the log start and retention ---------------------------------------------------------- */

/* UnifiedLog.updateLogStartOffset: the high watermark and recovery point are never below it;
 * the epoch cache is truncated from the start. */
static void log_start_move(struct partition_log *l, int64_t start)
{
    KS_ASSERT(start > l->log_start_offset && start <= l->end_offset);
    l->log_start_offset = start;
    if (l->high_watermark < start) {
        l->high_watermark = start;
    }
    if (l->recovery_point < start) {
        l->recovery_point = start;
    }
    epochs_truncate_from_start(l, start);
    epochs_write(l);
}

int64_t partition_log_increment_log_start(struct partition_log *l, int64_t offset)
{
    if (offset > l->high_watermark) {
        offset = l->high_watermark; /* "Cannot increment the log start offset ... beyond HW" */
    }
    if (offset > l->log_start_offset) {
        log_start_move(l, offset);
    }
    return l->log_start_offset;
}

/* Removes the first `count` segments (LocalLog.removeAndDeleteSegments). */
static void segments_drop_head(struct partition_log *l, uint32_t count)
{
    KS_ASSERT(count < l->segment_count);
    uint32_t batches = l->segments[count].first_batch;
    for (uint32_t i = 0; i < count; i++) {
        segment_remove_files(l, l->segments[i].base_offset);
        segment_free(&l->segments[i]);
    }
    l->segment_count -= count;
    memmove(l->segments, l->segments + count, l->segment_count * sizeof *l->segments);
    l->batch_count -= batches;
    memmove(l->batches, l->batches + batches, l->batch_count * sizeof *l->batches);
    for (uint32_t i = 0; i < l->segment_count; i++) {
        l->segments[i].first_batch -= batches;
    }
    producers_rebuild(l); /* a producer with no batch left is evicted, as Kafka evicts it */
}

enum retention_rule { RULE_LOG_START, RULE_SIZE, RULE_TIME };

/* The deletion condition of one rule for segment i; `diff` is the size rule's running excess. */
static bool deletable(const struct partition_log *l, enum retention_rule rule, uint32_t i,
                      int64_t *diff, int64_t now)
{
    const struct partition_log_segment *s = &l->segments[i];
    switch (rule) {
    case RULE_LOG_START:
        return i + 1 < l->segment_count && l->segments[i + 1].base_offset <= l->log_start_offset;
    case RULE_SIZE:
        if (*diff - (int64_t)s->size < 0) {
            return false;
        }
        *diff -= (int64_t)s->size;
        return true;
    case RULE_TIME: { /* largestTimestamp: the max record timestamp, else last modified */
        int64_t largest = s->max_timestamp >= 0 ? s->max_timestamp : s->last_modified_ms;
        return now - largest > l->config.retention_ms;
    }
    }
    return false;
}

/* UnifiedLog.deleteOldSegments(predicate): deletableSegments, then deleteSegments. */
static int delete_by(struct partition_log *l, enum retention_rule rule)
{
    int64_t diff = (int64_t)partition_log_size(l) - l->config.retention_bytes;
    int64_t now = now_ms(l);
    uint32_t count = 0;
    for (uint32_t i = 0; i < l->segment_count; i++) {
        bool last = i + 1 == l->segment_count;
        int64_t upper = last ? l->end_offset : l->segments[i + 1].base_offset;
        if (l->high_watermark < upper || (last && l->segments[i].size == 0) ||
            !deletable(l, rule, i, &diff, now)) {
            break;
        }
        count++;
    }
    if (count == 0) {
        return 0;
    }
    if (count == l->segment_count) { /* "we must always have at least one segment" */
        int rc = roll(l, l->end_offset);
        if (rc < 0) {
            return 0;
        }
    }
    int64_t start = l->segments[count].base_offset;
    if (start > l->log_start_offset) {
        log_start_move(l, start); /* maybeIncrementLogStartOffset(SegmentDeletion) */
    }
    segments_drop_head(l, count);
    static const char *const rules[] = {"log-start-offset", "retention-size", "retention-ms"};
    env_tracef(l->env, TRACE_NOTE, "partition-log delete dir=%s segments=%" PRIu32 " rule=%s"
               " start=%" PRId64, l->dir, count, rules[rule], l->log_start_offset);
    return (int)count;
}

int partition_log_delete_old_segments(struct partition_log *l)
{
    int deleted = delete_by(l, RULE_LOG_START);
    if (l->config.retention_bytes >= 0 &&
        (int64_t)partition_log_size(l) >= l->config.retention_bytes) {
        deleted += delete_by(l, RULE_SIZE);
    }
    if (l->config.retention_ms >= 0) {
        deleted += delete_by(l, RULE_TIME);
    }
    KS_ASSERT(partition_log_check(l));
    return deleted;
}

void partition_log_assign_epoch(struct partition_log *l, int32_t epoch, int64_t start_offset)
{
    KS_ASSERT(start_offset >= l->log_start_offset && start_offset <= l->end_offset);
    epoch_assign(l, epoch, start_offset);
    epochs_write(l);
}

/* ---- opening and recovery ----------------------------------------------------------------- */

/* What one listing of the partition directory found. */
struct listing {
    size_t prefix_len;
    int64_t *bases; /* .log files, ascending */
    uint32_t count;
    uint32_t capacity;
    int64_t *index_bases; /* .index and .timeindex files, to find orphans */
    uint32_t index_count;
    uint32_t index_capacity;
    char (*strays)[NAME_MAX_LEN]; /* *.tmp: a checkpoint write a crash cut short */
    uint32_t stray_count;
    uint32_t stray_capacity;
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s);
    size_t k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* "<20 digits><suffix>" into a base offset. */
static bool parse_offset_name(const char *p, const char *suffix, int64_t *base)
{
    if (strlen(p) != OFFSET_DIGITS + strlen(suffix) || strcmp(p + OFFSET_DIGITS, suffix) != 0) {
        return false;
    }
    uint64_t x = 0;
    for (int i = 0; i < OFFSET_DIGITS; i++) {
        if (p[i] < '0' || p[i] > '9' || x > ((uint64_t)INT64_MAX - (uint64_t)(p[i] - '0')) / 10) {
            return false;
        }
        x = x * 10 + (uint64_t)(p[i] - '0');
    }
    *base = (int64_t)x;
    return true;
}

static void list_one(void *arg, const char *name)
{
    struct listing *ls = arg;
    const char *p = name + ls->prefix_len;
    int64_t base = 0;
    if (strchr(p, '/') != NULL) {
        return;
    }
    if (parse_offset_name(p, LOG_SUFFIX, &base)) {
        ls->bases = array_grow(ls->bases, ls->count, &ls->capacity, sizeof *ls->bases);
        ls->bases[ls->count++] = base; /* byte order of names is offset order */
    } else if (parse_offset_name(p, INDEX_SUFFIX, &base) ||
               parse_offset_name(p, TIME_INDEX_SUFFIX, &base)) {
        ls->index_bases = array_grow(ls->index_bases, ls->index_count, &ls->index_capacity,
                               sizeof *ls->index_bases);
        ls->index_bases[ls->index_count++] = base;
    } else if (ends_with(p, CHECKPOINT_TMP_SUFFIX) && strlen(name) < NAME_MAX_LEN) {
        ls->strays = array_grow(ls->strays, ls->stray_count, &ls->stray_capacity,
                          sizeof *ls->strays);
        memcpy(ls->strays[ls->stray_count++], name, strlen(name) + 1);
    }
}

static void listing_free(struct listing *ls)
{
    free(ls->bases);
    free(ls->index_bases);
    free(ls->strays);
}

/* A whole file as env_read_file reads it (until two reads agree). */
static int64_t read_stable(struct partition_log *l, const char *name, uint8_t **out)
{
    char *text = NULL;
    int64_t size = env_read_file(l->env, name, &text);
    *out = (uint8_t *)text;
    if (size < 0) {
        return fail(l, -PLOG_ESTORAGE, "read %s: %s", name, env_err_message((int)-size));
    }
    return size;
}

/* A segment already on the disk, indexed in memory with nothing yet. */
static struct partition_log_segment *segment_push(struct partition_log *l, int64_t base)
{
    l->segments = array_grow(l->segments, l->segment_count, &l->segment_capacity,
                       sizeof *l->segments);
    int64_t now = now_ms(l);
    struct partition_log_segment *s = &l->segments[l->segment_count++];
    *s = (struct partition_log_segment){.base_offset = base,
                                        .first_batch = l->batch_count,
                                        .created_ms = now,
                                        .last_modified_ms = now,
                                        .max_timestamp = NO_TIMESTAMP,
                                        .offset_of_max_timestamp = -1};
    return s;
}

/* Loads a trusted segment's index files in place of the rebuilt ones, if they hold a whole
 * number of ascending entries inside the segment (OffsetIndex/TimeIndex.sanityCheck). */
static bool index_files_load(struct partition_log *l, struct partition_log_segment *s)
{
    char name[NAME_MAX_LEN];
    uint8_t *ix = NULL;
    uint8_t *tx = NULL;
    partition_log_file_name(l, s->base_offset, INDEX_SUFFIX, name, sizeof name);
    int64_t ni = l->env->ops->disk_size(l->env->ctx, name) >= 0 ? read_stable(l, name, &ix) : -1;
    partition_log_file_name(l, s->base_offset, TIME_INDEX_SUFFIX, name, sizeof name);
    int64_t nt = l->env->ops->disk_size(l->env->ctx, name) >= 0 ? read_stable(l, name, &tx) : -1;
    int64_t last = s->batch_count > 0 ? l->batches[l->batch_count - 1].last_offset
                                      : s->base_offset;
    bool ok = ni >= 0 && nt >= 0 && ni % INDEX_ENTRY_SIZE == 0 && nt % TIME_INDEX_ENTRY_SIZE == 0;
    struct partition_log_segment loaded = *s;
    loaded.index = NULL;
    loaded.time_index = NULL;
    loaded.index_count = loaded.index_capacity = loaded.time_count = loaded.time_capacity = 0;
    for (int64_t at = 0; ok && at < ni; at += INDEX_ENTRY_SIZE) {
        int64_t offset = s->base_offset + (int64_t)get_be(ix + at, 4);
        uint32_t position = (uint32_t)get_be(ix + at + 4, 4);
        ok = offset <= last && position < s->size &&
             (loaded.index_count == 0 || offset > loaded.index[loaded.index_count - 1].offset);
        if (ok) {
            index_append(&loaded, offset, position);
        }
    }
    for (int64_t at = 0; ok && at < nt; at += TIME_INDEX_ENTRY_SIZE) {
        int64_t ts = (int64_t)get_be(tx + at, 8);
        int64_t offset = s->base_offset + (int64_t)get_be(tx + at + 8, 4);
        ok = offset <= last && time_index_maybe_append(&loaded, ts, offset);
    }
    free(ix);
    free(tx);
    if (!ok) {
        segment_free(&loaded);
        return false;
    }
    segment_free(s);
    s->index = loaded.index;
    s->index_count = loaded.index_count;
    s->index_capacity = loaded.index_capacity;
    s->time_index = loaded.time_index;
    s->time_count = loaded.time_count;
    s->time_capacity = loaded.time_capacity;
    return true;
}

/* Walks a segment's bytes batch by batch (LogSegment.recover): frame and CRC, offsets going on
 * from the previous batch. A trusted segment's CRCs go unchecked: Kafka reads no batch below
 * the recovery point, and computing them was a fifth of what a restart cost. Returns the
 * valid bytes; *why says why it stopped early. */
static uint64_t scan_batches(struct partition_log *l, struct partition_log_segment *s,
                             const uint8_t *bytes, size_t len, bool trusted, const char **why)
{
    size_t pos = 0;
    *why = NULL;
    while (pos < len) {
        struct record_batch rb;
        size_t size = 0;
        int rc = record_batch_decode_header(bytes + pos, len - pos, &rb, &size, !trusted);
        int64_t floor = l->batch_count > 0 ? l->batches[l->batch_count - 1].last_offset + 1
                                           : s->base_offset;
        if (rc < 0) {
            *why = wire_err_name(rc); /* ETRUNCATED: a torn tail; else corruption */
        } else if (rb.base_offset < floor || rb.base_offset < s->base_offset ||
                   rb.last_offset_delta < 0 ||
                   rb.base_offset + rb.last_offset_delta - s->base_offset > INT32_MAX) {
            *why = "offsets-do-not-continue";
        }
        if (*why != NULL) {
            return pos;
        }
        l->batches = array_grow(l->batches, l->batch_count, &l->batch_capacity, sizeof *l->batches);
        struct partition_log_batch *b = &l->batches[l->batch_count++];
        *b = (struct partition_log_batch){.base_offset = rb.base_offset,
                                          .last_offset = rb.base_offset + rb.last_offset_delta,
                                          .max_timestamp = rb.max_timestamp,
                                          .producer_id = rb.producer_id,
                                          .epoch = rb.partition_leader_epoch,
                                          .base_sequence = rb.base_sequence,
                                          .producer_epoch = rb.producer_epoch,
                                          .position = (uint32_t)pos,
                                          .size = (uint32_t)size};
        s->batch_count++;
        segment_index_batch(l, s, b, true);
        if (b->epoch >= 0 && b->epoch > partition_log_latest_epoch(l)) {
            epoch_assign(l, b->epoch, b->base_offset);
        }
        pos += size;
    }
    return pos;
}

/* Loads or recovers the segment at `base`. Returns 1 to go on, 0 when the log ends in it (it
 * was truncated), or an error. */
static int load_segment(struct partition_log *l, int64_t base, bool trusted)
{
    if (l->segment_count > 0 && base <= l->end_offset - 1) {
        return 0; /* overlaps the previous segment: not a continuation */
    }
    struct partition_log_segment *s = segment_push(l, base);
    char name[NAME_MAX_LEN];
    partition_log_file_name(l, base, LOG_SUFFIX, name, sizeof name);
    uint8_t *bytes = NULL;
    int64_t size = read_stable(l, name, &bytes);
    if (size < 0) {
        return (int)size;
    }
    const char *why = NULL;
    uint64_t valid = scan_batches(l, s, bytes, (size_t)size, trusted, &why);
    free(bytes);
    s->size = valid;
    s->dirty = !trusted;
    l->end_offset = s->batch_count > 0 ? l->batches[l->batch_count - 1].last_offset + 1 : base;
    if (valid < (uint64_t)size) {
        int rc = l->env->ops->disk_truncate(l->env->ctx, name, valid);
        KS_ASSERT(rc == ENV_OK);
        env_tracef(l->env, TRACE_NOTE, "partition-log recover file=%s size=%" PRId64
                   " truncated_at=%" PRIu64 " reason=%s trusted=%d", name, size, valid, why,
                   trusted);
        trusted = false;
        s->dirty = true;
    }
    if (!trusted || !index_files_load(l, s)) {
        /* recover's closing entry: the biggest timestamp seen, skipping the full check */
        (void)time_index_maybe_append(s, s->max_timestamp, s->offset_of_max_timestamp);
        index_files_write(l, s, 0, 0);
    }
    s->bytes_since_index = 0;
    return valid == (uint64_t)size ? 1 : 0;
}

/* Removes what recovery does not keep: the segments after the recovered end, index files with
 * no segment, and *.tmp leftovers. */
static void remove_leftovers(struct partition_log *l, const struct listing *ls)
{
    for (uint32_t i = 0; i < ls->count; i++) {
        if (segment_by_base(l, ls->bases[i]) == NULL) {
            segment_remove_files(l, ls->bases[i]);
            env_tracef(l->env, TRACE_NOTE, "partition-log recover dir=%s removed=%" PRId64,
                       l->dir, ls->bases[i]);
        }
    }
    for (uint32_t i = 0; i < ls->index_count; i++) {
        if (segment_by_base(l, ls->index_bases[i]) == NULL) {
            segment_remove_files(l, ls->index_bases[i]); /* "Found an orphaned index file" */
        }
    }
    for (uint32_t i = 0; i < ls->stray_count; i++) {
        (void)l->env->ops->disk_remove(l->env->ctx, ls->strays[i]);
    }
}

/* The segments: LogLoader.loadSegmentFiles and recoverLog. */
static int load_segments(struct partition_log *l, const struct partition_log_open_args *a)
{
    char prefix[PARTITION_LOG_DIR_MAX + 2];
    snprintf(prefix, sizeof prefix, "%s/", l->dir);
    struct listing ls = {.prefix_len = strlen(prefix)};
    int rc = l->env->ops->disk_list(l->env->ctx, prefix, list_one, &ls);
    KS_ASSERT(rc == ENV_OK);
    rc = 1;
    for (uint32_t i = 0; i < ls.count && rc == 1; i++) {
        /* segments.values(recoveryPoint, MAX): the one holding the recovery point on. */
        bool trusted = a->clean_shutdown ||
                       (i + 1 < ls.count && ls.bases[i + 1] <= a->recovery_point);
        rc = load_segment(l, ls.bases[i], trusted);
    }
    if (rc >= 0) {
        remove_leftovers(l, &ls);
    }
    listing_free(&ls);
    if (rc < 0) {
        return rc;
    }
    int64_t start = a->log_start_offset;
    if (l->segment_count > 0 && start > l->end_offset) {
        segments_drop_tail(l, 0); /* deleteSegmentsIfLogStartGreaterThanLogEnd */
    }
    if (l->segment_count == 0) {
        rc = segment_create(l, start);
        l->end_offset = start;
        if (rc < 0) {
            return rc;
        }
    }
    l->log_start_offset = start > l->segments[0].base_offset ? start : l->segments[0].base_offset;
    return 0;
}

/* The epoch cache as the LeaderEpochFileCache constructor reads it. */
static int load_epochs(struct partition_log *l)
{
    char *text = NULL;
    int64_t n = env_read_file(l->env, l->epoch_file.path, &text);
    if (n == -ENV_ENOENT) {
        return 0;
    }
    if (n < 0) {
        return fail(l, -PLOG_ESTORAGE, "read %s: %s", l->epoch_file.path,
                    env_err_message((int)-n));
    }
    uint32_t cap = (uint32_t)(n / 4 + 1);
    struct checkpoint_epoch *entries = malloc(cap * sizeof *entries);
    KS_ASSERT(entries != NULL);
    char err[CHECKPOINT_PATH_MAX + 120];
    int count = checkpoint_epochs_parse(text, (size_t)n, l->epoch_file.path, entries, cap, err,
                                        sizeof err);
    free(text);
    for (int i = 0; i < count; i++) {
        if (entries[i].epoch < 0 || entries[i].start_offset < 0) {
            count = -1;
            snprintf(err, sizeof err, "Received invalid partition leader epoch entry in %s",
                     l->epoch_file.path);
        } else {
            epoch_assign(l, entries[i].epoch, entries[i].start_offset);
        }
    }
    free(entries);
    l->epochs_dirty = false;
    return count < 0 ? fail(l, -PLOG_ESTORAGE, "%s", err) : 0;
}

/* partition.metadata: checked against the topic id, or written if absent. */
static int load_metadata(struct partition_log *l, struct kuuid topic_id)
{
    char *text = NULL;
    int64_t n = env_read_file(l->env, l->metadata_file.path, &text);
    if (n >= 0) {
        struct kuuid stored;
        char err[CHECKPOINT_PATH_MAX + 120];
        int rc = checkpoint_partition_metadata_parse(text, (size_t)n, l->metadata_file.path,
                                                     &stored, err, sizeof err);
        free(text);
        if (rc < 0) {
            return fail(l, -PLOG_ESTORAGE, "%s", err);
        }
        if (!wire_uuid_equal(topic_id, KUUID_ZERO) && !wire_uuid_equal(stored, topic_id)) {
            char want[WIRE_UUID_TEXT_LEN + 1];
            char have[WIRE_UUID_TEXT_LEN + 1];
            wire_uuid_to_text(topic_id, want);
            wire_uuid_to_text(stored, have);
            return fail(l, -PLOG_ESTORAGE, "InconsistentTopicIdException: Tried to assign topic"
                        " ID %s to log for topic partition %s-%" PRId32 ", but log already"
                        " contained topic ID %s", want, l->topic, l->partition, have);
        }
        return 0;
    }
    if (wire_uuid_equal(topic_id, KUUID_ZERO)) {
        return 0;
    }
    char buf[96];
    struct text t = text_init(buf, sizeof buf);
    checkpoint_partition_metadata_format(&t, topic_id);
    KS_ASSERT(text_fits(&t));
    uint64_t token = fsync_issue(l, NULL,
                                 (struct partition_log_fsync){.kind = PLOG_FSYNC_METADATA});
    int rc = checkpoint_file_begin(l->env, &l->metadata_file, buf, t.len, token);
    if (rc != ENV_OK) {
        l->fsync_count--;
        return fail(l, -PLOG_ESTORAGE, "write %s: %s", l->metadata_file.path,
                    env_err_message(rc));
    }
    return 0;
}

static int open_names(struct partition_log *l, const struct partition_log_open_args *a)
{
    int n = snprintf(l->dir, sizeof l->dir, "%s/%s-%" PRId32, a->log_dir, a->topic,
                     a->partition);
    int m = snprintf(l->epoch_file.path, sizeof l->epoch_file.path, "%s/" CHECKPOINT_LEADER_EPOCH,
                     l->dir);
    int k = snprintf(l->metadata_file.path, sizeof l->metadata_file.path,
                     "%s/" CHECKPOINT_PARTITION_METADATA, l->dir);
    if (n < 0 || (size_t)n + 40 >= sizeof l->dir || strlen(a->topic) >= sizeof l->topic ||
        m < 0 || (size_t)m >= sizeof l->epoch_file.path || k < 0 ||
        (size_t)k >= sizeof l->metadata_file.path) {
        return fail(l, -PLOG_ESTORAGE, "log dir %s, topic %s: name too long", a->log_dir,
                    a->topic);
    }
    snprintf(l->topic, sizeof l->topic, "%s", a->topic);
    return 0;
}

int partition_log_open(struct partition_log *l, const struct env *env,
                       const struct partition_log_open_args *a)
{
    KS_ASSERT(l != NULL && env != NULL && a != NULL && a->log_dir != NULL && a->topic != NULL);
    KS_ASSERT(a->id <= PARTITION_LOG_ID_MAX && a->config.segment_bytes > 0);
    memset(l, 0, sizeof *l);
    l->env = env;
    l->config = a->config;
    l->partition = a->partition;
    l->id = a->id;
    l->seq_next = 1;
    l->last_flush_ms = now_ms(l);
    int rc = open_names(l, a);
    if (rc == 0) {
        rc = load_epochs(l);
    }
    if (rc == 0) {
        rc = load_segments(l, a); /* first: it removes stray .tmp files */
    }
    if (rc == 0) {
        rc = load_metadata(l, a->topic_id);
    }
    if (rc < 0) {
        char why[sizeof l->last_error];
        memcpy(why, l->last_error, sizeof why);
        partition_log_close(l);
        memcpy(l->last_error, why, sizeof why);
        l->last_error_code = rc;
        return rc;
    }
    /* LogLoader.load: truncateFromEnd(nextOffset), then truncateFromStart(logStart). */
    epochs_truncate_from_end(l, l->end_offset);
    epochs_truncate_from_start(l, l->log_start_offset);
    epochs_write(l);
    l->recovery_point = a->clean_shutdown || a->recovery_point > l->end_offset
                            ? l->end_offset
                            : a->recovery_point;
    if (l->recovery_point < l->log_start_offset) {
        l->recovery_point = l->log_start_offset;
    }
    partition_log_set_high_watermark(l, a->high_watermark);
    producers_rebuild(l);
    env_tracef(env, TRACE_NOTE, "partition-log open dir=%s segments=%" PRIu32 " start=%" PRId64
               " end=%" PRId64 " recovery_point=%" PRId64 " epoch=%" PRId32 " clean=%d", l->dir,
               l->segment_count, l->log_start_offset, l->end_offset, l->recovery_point,
               partition_log_latest_epoch(l), a->clean_shutdown);
    KS_ASSERT(partition_log_check(l));
    return 0;
}

void partition_log_close(struct partition_log *l)
{
    for (uint32_t i = 0; i < l->segment_count; i++) {
        segment_free(&l->segments[i]);
    }
    free(l->segments);
    free(l->batches);
    free(l->epochs);
    free(l->fsyncs);
    producer_state_free(&l->producers);
    const struct env *env = l->env;
    memset(l, 0, sizeof *l);
    l->env = env;
}

void partition_log_remove(struct partition_log *l)
{
    segments_drop_tail(l, 0);
    const char *files[] = {l->epoch_file.path, l->metadata_file.path};
    for (int i = 0; i < 2; i++) {
        char tmp[CHECKPOINT_PATH_MAX + 8];
        snprintf(tmp, sizeof tmp, "%s" CHECKPOINT_TMP_SUFFIX, files[i]);
        (void)l->env->ops->disk_remove(l->env->ctx, files[i]);
        (void)l->env->ops->disk_remove(l->env->ctx, tmp);
    }
    env_tracef(l->env, TRACE_NOTE, "partition-log remove dir=%s", l->dir);
    partition_log_close(l);
}

/* ---- invariants --------------------------------------------------------------------------- */

/* Segment i's batches lie back to back from position 0, inside it, and its index entries
 * ascend inside it. */
static bool check_segment(const struct partition_log *l, uint32_t i, uint32_t expect_first)
{
    const struct partition_log_segment *s = &l->segments[i];
    if (s->first_batch != expect_first || (i > 0 && s->base_offset <= s[-1].base_offset)) {
        return false;
    }
    uint64_t position = 0;
    for (uint32_t b = s->first_batch; b < s->first_batch + s->batch_count; b++) {
        const struct partition_log_batch *x = &l->batches[b];
        if (b >= l->batch_count || x->position != position || x->base_offset < s->base_offset ||
            x->last_offset < x->base_offset || x->size < RECORD_BATCH_HEADER_SIZE ||
            (b > 0 && x->base_offset <= x[-1].last_offset)) {
            return false;
        }
        position += x->size;
    }
    if (position != s->size) {
        return false;
    }
    for (uint32_t k = 0; k < s->index_count; k++) {
        if (s->index[k].offset < s->base_offset || s->index[k].position >= s->size ||
            (k > 0 && s->index[k].offset <= s->index[k - 1].offset)) {
            return false;
        }
    }
    for (uint32_t k = 0; k < s->time_count; k++) {
        if (k > 0 && s->time_index[k].timestamp <= s->time_index[k - 1].timestamp) {
            return false;
        }
    }
    return true;
}

bool partition_log_check(const struct partition_log *l)
{
    if (l->segment_count == 0 || l->log_start_offset < l->segments[0].base_offset ||
        l->log_start_offset > l->high_watermark || l->high_watermark > l->end_offset ||
        l->recovery_point > l->end_offset) {
        return false;
    }
    uint32_t next = 0;
    for (uint32_t i = 0; i < l->segment_count; i++) {
        if (!check_segment(l, i, next)) {
            return false;
        }
        next += l->segments[i].batch_count;
    }
    const struct partition_log_segment *act = &l->segments[l->segment_count - 1];
    int64_t reached = l->batch_count > 0 ? l->batches[l->batch_count - 1].last_offset + 1 : 0;
    if (next != l->batch_count || l->end_offset < reached ||
        (act->batch_count > 0 && l->end_offset != reached) ||
        (act->batch_count == 0 && l->end_offset > act->base_offset && l->end_offset != reached)) {
        return false;
    }
    for (uint32_t i = 0; i < l->epoch_count; i++) {
        const struct checkpoint_epoch *e = &l->epochs[i];
        if (e->start_offset > l->end_offset || e->start_offset < l->log_start_offset ||
            (i > 0 && (e->epoch <= e[-1].epoch || e->start_offset <= e[-1].start_offset))) {
            return false;
        }
    }
    for (uint32_t i = 0; i < l->fsync_count; i++) {
        if (l->fsyncs[i].flush_offset > l->end_offset ||
            (i > 0 && l->fsyncs[i].seq <= l->fsyncs[i - 1].seq)) {
            return false;
        }
    }
    return true;
}
