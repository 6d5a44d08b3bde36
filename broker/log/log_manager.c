/* log_manager.c — one log dir: loading its logs, the periodic tasks, the checkpoints, and the
 * controlled shutdown that ends with the clean shutdown marker. */
#include "log/log_manager.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LM_PARTITIONS_MAX 1024 /* lines a checkpoint file may hold at load */
#define LM_MARKER LM_FILE_COUNT /* the marker's token, after the three files */

static const char *const file_names[LM_FILE_COUNT] = {
    [LM_RECOVERY_POINT] = CHECKPOINT_RECOVERY_POINT,
    [LM_LOG_START] = CHECKPOINT_LOG_START_OFFSET,
    [LM_HIGH_WATERMARK] = CHECKPOINT_REPLICATION_OFFSET,
};

struct log_manager_config log_manager_config_default(const char *log_dir)
{
    return (struct log_manager_config){
        .log_dir = log_dir,
        .defaults = log_config_default(),
        .initial_delay_ms = 30000,
        .retention_check_ms = 300000,
        .flush_check_ms = INT64_MAX,
        .recovery_checkpoint_ms = 60000,
        .start_checkpoint_ms = 60000,
        .hw_checkpoint_ms = 5000,
    };
}

static uint64_t own_token(unsigned which)
{
    return PARTITION_LOG_TOKEN_FLAG |
           ((uint64_t)PARTITION_LOG_ID_MAX << PARTITION_LOG_TOKEN_ID_SHIFT) | which;
}

/* now + ms, where Long.MAX milliseconds is never. */
static time_ns after_ms(time_ns now, int64_t ms)
{
    if (ms >= (TIME_NS_MAX - now) / NS_PER_MS) {
        return TIME_NS_MAX;
    }
    return now + ms * NS_PER_MS;
}

static int64_t period_ms(const struct log_manager *m, enum log_manager_file f)
{
    switch (f) {
    case LM_RECOVERY_POINT:
        return m->cfg.recovery_checkpoint_ms;
    case LM_LOG_START:
        return m->cfg.start_checkpoint_ms;
    default:
        return m->cfg.hw_checkpoint_ms;
    }
}

/* ---- checkpoints ------------------------------------------------------------------------ */

static int by_topic_partition(const void *a, const void *b)
{
    const struct partition_log *x = *(struct partition_log *const *)a;
    const struct partition_log *y = *(struct partition_log *const *)b;
    int c = strcmp(x->topic, y->topic);
    return c != 0 ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

/* The offset file `f` records for log l, or false when l has no line in it. */
static bool offset_of(enum log_manager_file f, const struct partition_log *l, int64_t *out)
{
    switch (f) {
    case LM_RECOVERY_POINT:
        *out = partition_log_recovery_point(l);
        return true;
    case LM_LOG_START:
        *out = partition_log_start_offset(l);
        return l->segment_count > 0 && *out > l->segments[0].base_offset;
    default:
        *out = partition_log_high_watermark(l);
        return true;
    }
}

/* Writes checkpoint `f` now, or once the write in flight is back. */
static void write_checkpoint(struct log_manager *m, enum log_manager_file f)
{
    if (m->files[f].in_flight) {
        m->rewrite[f] = true;
        return;
    }
    m->rewrite[f] = false;
    struct partition_log **sorted = malloc((m->log_count + 1) * sizeof *sorted);
    struct checkpoint_offset *entries = malloc((m->log_count + 1) * sizeof *entries);
    KS_ASSERT(sorted != NULL && entries != NULL);
    uint32_t live = 0;
    for (uint32_t i = 0; i < m->log_count; i++) {
        if (m->logs[i] != NULL) { /* NULL: removed */
            sorted[live++] = m->logs[i];
        }
    }
    qsort(sorted, live, sizeof *sorted, by_topic_partition); /* keys are unique */
    uint32_t count = 0;
    for (uint32_t i = 0; i < live; i++) {
        struct checkpoint_offset *e = &entries[count];
        if (offset_of(f, sorted[i], &e->offset)) {
            snprintf(e->topic, sizeof e->topic, "%s", sorted[i]->topic);
            e->partition = sorted[i]->partition;
            count++;
        }
    }
    size_t cap = 32 + (size_t)count * (CHECKPOINT_TOPIC_MAX + 48);
    char *buf = malloc(cap);
    KS_ASSERT(buf != NULL);
    struct text t = text_init(buf, cap);
    checkpoint_offsets_format(&t, entries, count);
    KS_ASSERT(text_fits(&t));
    int rc = checkpoint_file_begin(m->env, &m->files[f], buf, t.len, own_token(f));
    if (rc != ENV_OK) {
        /* Kafka marks the dir offline; here the next run of the task tries again. */
        snprintf(m->last_error, sizeof m->last_error, "%s: %s", m->files[f].path,
                 env_err_message(rc));
    }
    free(buf);
    free(entries);
    free(sorted);
}

/* ---- loading ------------------------------------------------------------------------------ */

struct dir_list {
    const char *prefix; /* "<log dir>/" */
    char (*names)[CHECKPOINT_TOPIC_MAX + 16]; /* "<topic>-<p>", unique, in byte order */
    uint32_t count;
    uint32_t capacity;
};

static void list_one(void *arg, const char *file)
{
    struct dir_list *ls = arg;
    const char *rest = file + strlen(ls->prefix);
    const char *slash = strchr(rest, '/');
    if (slash == NULL || (size_t)(slash - rest) >= sizeof ls->names[0]) {
        return; /* a file of the dir itself (a checkpoint), or a name no partition has */
    }
    size_t n = (size_t)(slash - rest);
    if (ls->count > 0 && strlen(ls->names[ls->count - 1]) == n &&
        memcmp(ls->names[ls->count - 1], rest, n) == 0) {
        return; /* names come in byte order: a directory's files are together */
    }
    if (ls->count == ls->capacity) {
        ls->capacity = ls->capacity ? 2 * ls->capacity : 16;
        ls->names = realloc(ls->names, ls->capacity * sizeof ls->names[0]);
        KS_ASSERT(ls->names != NULL);
    }
    memcpy(ls->names[ls->count], rest, n);
    ls->names[ls->count++][n] = '\0';
}

/* "<topic>-<partition>" split at its last '-'; false for any other directory (Kafka's
 * "-delete" and "-future" directories included). */
static bool parse_partition_dir(char *name, int32_t *partition)
{
    char *dash = strrchr(name, '-');
    if (dash == NULL || dash == name || dash[1] == '\0' || strlen(dash + 1) > 9) {
        return false;
    }
    int64_t p = 0;
    for (const char *c = dash + 1; *c != '\0'; c++) {
        if (*c < '0' || *c > '9') {
            return false;
        }
        p = p * 10 + (*c - '0');
    }
    *dash = '\0';
    *partition = (int32_t)p;
    return true;
}

struct loaded_checkpoints {
    struct checkpoint_offset *entries[LM_FILE_COUNT];
    int count[LM_FILE_COUNT];
};

static int64_t loaded_offset(const struct loaded_checkpoints *c, enum log_manager_file f,
                             const char *topic, int32_t partition)
{
    for (int i = 0; i < c->count[f]; i++) {
        const struct checkpoint_offset *e = &c->entries[f][i];
        if (e->partition == partition && strcmp(e->topic, topic) == 0) {
            return e->offset;
        }
    }
    return 0;
}

static int read_checkpoints(struct log_manager *m, struct loaded_checkpoints *c)
{
    for (int f = 0; f < LM_FILE_COUNT; f++) {
        c->entries[f] = calloc(LM_PARTITIONS_MAX, sizeof *c->entries[f]);
        KS_ASSERT(c->entries[f] != NULL);
        char *text = NULL;
        int64_t n = env_read_file(m->env, m->files[f].path, &text);
        if (n == -ENV_ENOENT) {
            continue;
        }
        if (n < 0) {
            snprintf(m->last_error, sizeof m->last_error, "%s: %s", m->files[f].path,
                     env_err_message((int)n));
            return -PLOG_ESTORAGE;
        }
        c->count[f] = checkpoint_offsets_parse(text, (size_t)n, m->files[f].path,
                                               c->entries[f], LM_PARTITIONS_MAX, m->last_error,
                                               sizeof m->last_error);
        free(text);
        if (c->count[f] < 0) {
            return -PLOG_ESTORAGE;
        }
    }
    return 0;
}

/* Opens (recovering) or creates the log of topic-partition with its checkpointed offsets. */
static struct partition_log *open_log(struct log_manager *m, const char *topic,
                                      int32_t partition, struct kuuid topic_id,
                                      const struct log_config *config,
                                      const struct loaded_checkpoints *c)
{
    if (m->log_count == PARTITION_LOG_ID_MAX) {
        snprintf(m->last_error, sizeof m->last_error, "%s: more than %u partitions", m->dir,
                 PARTITION_LOG_ID_MAX);
        return NULL;
    }
    struct partition_log_open_args a = {
        .log_dir = m->dir,
        .topic = topic,
        .partition = partition,
        .topic_id = topic_id,
        .id = m->log_count,
        .config = config != NULL ? *config : m->cfg.defaults,
        .clean_shutdown = m->clean_at_start,
    };
    if (c != NULL) {
        a.recovery_point = loaded_offset(c, LM_RECOVERY_POINT, topic, partition);
        a.log_start_offset = loaded_offset(c, LM_LOG_START, topic, partition);
        a.high_watermark = loaded_offset(c, LM_HIGH_WATERMARK, topic, partition);
    }
    struct partition_log *l = calloc(1, sizeof *l);
    KS_ASSERT(l != NULL);
    if (partition_log_open(l, m->env, &a) != 0) {
        snprintf(m->last_error, sizeof m->last_error, "%s", l->last_error);
        partition_log_close(l);
        free(l);
        return NULL;
    }
    if (m->log_count == m->log_capacity) {
        m->log_capacity = m->log_capacity ? 2 * m->log_capacity : 16;
        m->logs = realloc(m->logs, m->log_capacity * sizeof *m->logs);
        KS_ASSERT(m->logs != NULL);
    }
    m->logs[m->log_count++] = l;
    return l;
}

static int open_listed(struct log_manager *m, const struct dir_list *ls,
                       const struct loaded_checkpoints *c)
{
    for (uint32_t i = 0; i < ls->count; i++) {
        char topic[CHECKPOINT_TOPIC_MAX + 16];
        int32_t partition;
        snprintf(topic, sizeof topic, "%s", ls->names[i]);
        /* The metadata log shares the dir when metadata.log.dir is unset: it is the raft
         * client's, not a partition's (LogManager.loadLogs skips KafkaRaftServer's topic). */
        if (parse_partition_dir(topic, &partition) && strcmp(topic, "__cluster_metadata") != 0 &&
            open_log(m, topic, partition, KUUID_ZERO, NULL, c) == NULL) {
            return -PLOG_ESTORAGE;
        }
    }
    return 0;
}

int log_manager_open(struct log_manager *m, const struct env *env,
                     const struct log_manager_config *cfg)
{
    memset(m, 0, sizeof *m);
    m->env = env;
    m->cfg = *cfg;
    snprintf(m->dir, sizeof m->dir, "%s", cfg->log_dir);
    for (int f = 0; f < LM_FILE_COUNT; f++) {
        snprintf(m->files[f].path, sizeof m->files[f].path, "%s/%s", m->dir, file_names[f]);
    }
    snprintf(m->marker.path, sizeof m->marker.path, "%s/%s", m->dir, CHECKPOINT_CLEAN_SHUTDOWN);
    m->clean_at_start = env->ops->disk_size(env->ctx, m->marker.path) >= 0;
    struct loaded_checkpoints c = {0};
    int rc = read_checkpoints(m, &c);
    if (rc == 0) {
        char prefix[LOG_MANAGER_DIR_MAX + 2];
        snprintf(prefix, sizeof prefix, "%s/", m->dir);
        struct dir_list ls = {.prefix = prefix};
        env->ops->disk_list(env->ctx, prefix, list_one, &ls);
        rc = open_listed(m, &ls, &c);
        free(ls.names);
    }
    for (int f = 0; f < LM_FILE_COUNT; f++) {
        free(c.entries[f]);
    }
    if (rc != 0) {
        return rc;
    }
    if (m->clean_at_start) {
        env->ops->disk_remove(env->ctx, m->marker.path); /* loaded: a crash now is unclean */
    }
    time_ns now = env_now(env);
    m->next_retention = after_ms(now, cfg->initial_delay_ms);
    m->next_flush = after_ms(now, cfg->initial_delay_ms);
    m->next_checkpoint[LM_RECOVERY_POINT] = after_ms(now, cfg->initial_delay_ms);
    m->next_checkpoint[LM_LOG_START] = after_ms(now, cfg->initial_delay_ms);
    m->next_checkpoint[LM_HIGH_WATERMARK] = now; /* ReplicaManager starts it at once */
    m->state = LM_RUNNING;
    return 0;
}

void log_manager_close(struct log_manager *m)
{
    for (uint32_t i = 0; i < m->log_count; i++) {
        if (m->logs[i] != NULL) {
            partition_log_close(m->logs[i]);
            free(m->logs[i]);
        }
    }
    free(m->logs);
    m->logs = NULL;
    m->log_count = 0;
}

struct partition_log *log_manager_get(struct log_manager *m, const char *topic,
                                      int32_t partition)
{
    for (uint32_t i = 0; i < m->log_count; i++) {
        if (m->logs[i] != NULL && m->logs[i]->partition == partition &&
            strcmp(m->logs[i]->topic, topic) == 0) {
            return m->logs[i];
        }
    }
    return NULL;
}

struct partition_log *log_manager_get_or_create(struct log_manager *m, const char *topic,
                                                int32_t partition, struct kuuid topic_id,
                                                const struct log_config *config)
{
    struct partition_log *l = log_manager_get(m, topic, partition);
    return l != NULL ? l : open_log(m, topic, partition, topic_id, config, NULL);
}

/* ---- the periodic tasks ------------------------------------------------------------------- */

void log_manager_tick(struct log_manager *m)
{
    if (m->state != LM_RUNNING) {
        return; /* shutting down: the shutdown writes what is left */
    }
    time_ns now = env_now(m->env);
    if (now >= m->next_retention) {
        for (uint32_t i = 0; i < m->log_count; i++) {
            if (m->logs[i] != NULL) {
                partition_log_delete_old_segments(m->logs[i]);
            }
        }
        m->next_retention = after_ms(now, m->cfg.retention_check_ms);
    }
    if (now >= m->next_flush) {
        for (uint32_t i = 0; i < m->log_count; i++) {
            if (m->logs[i] != NULL) {
                partition_log_flush_if_due(m->logs[i]);
            }
        }
        m->next_flush = after_ms(now, m->cfg.flush_check_ms);
    }
    for (int f = 0; f < LM_FILE_COUNT; f++) {
        if (now >= m->next_checkpoint[f]) {
            write_checkpoint(m, (enum log_manager_file)f);
            m->next_checkpoint[f] = after_ms(now, period_ms(m, (enum log_manager_file)f));
        }
    }
}

time_ns log_manager_next_deadline(const struct log_manager *m)
{
    if (m->state != LM_RUNNING) {
        return TIME_NS_MAX;
    }
    time_ns next = m->next_retention < m->next_flush ? m->next_retention : m->next_flush;
    for (int f = 0; f < LM_FILE_COUNT; f++) {
        next = m->next_checkpoint[f] < next ? m->next_checkpoint[f] : next;
    }
    return next;
}

/* ---- controlled shutdown ------------------------------------------------------------------ */

static bool any_file_in_flight(const struct log_manager *m)
{
    for (int f = 0; f < LM_FILE_COUNT; f++) {
        if (m->files[f].in_flight || m->rewrite[f]) {
            return true;
        }
    }
    return false;
}

/* Moves the shutdown on as far as what has come back allows. */
static void advance_shutdown(struct log_manager *m)
{
    if (m->state == LM_SHUTDOWN_FLUSH) {
        for (uint32_t i = 0; i < m->log_count; i++) {
            if (m->logs[i] != NULL && partition_log_flush_in_flight(m->logs[i])) {
                return;
            }
        }
        m->state = LM_SHUTDOWN_CHECKPOINTS;
        for (int f = 0; f < LM_FILE_COUNT; f++) {
            write_checkpoint(m, (enum log_manager_file)f);
        }
    }
    if (m->state == LM_SHUTDOWN_CHECKPOINTS && !any_file_in_flight(m)) {
        char text[64];
        struct text t = text_init(text, sizeof text);
        checkpoint_clean_shutdown_format(&t, m->broker_epoch);
        KS_ASSERT(text_fits(&t));
        m->state = LM_SHUTDOWN_MARKER;
        if (checkpoint_file_begin(m->env, &m->marker, text, t.len, own_token(LM_MARKER)) != 0) {
            m->state = LM_SHUT; /* no marker: the next start recovers, as after a crash */
        }
    }
}

void log_manager_shutdown(struct log_manager *m, int64_t broker_epoch)
{
    KS_ASSERT(m->state == LM_RUNNING);
    m->broker_epoch = broker_epoch;
    m->state = LM_SHUTDOWN_FLUSH;
    for (uint32_t i = 0; i < m->log_count; i++) {
        if (m->logs[i] != NULL) {
            partition_log_flush(m->logs[i]); /* log.flush(true): up to the log end */
        }
    }
    advance_shutdown(m);
}

bool log_manager_on_disk(struct log_manager *m, uint64_t token, int err)
{
    int64_t id = partition_log_token_id(token);
    if (id < 0) {
        return false;
    }
    if (id == PARTITION_LOG_ID_MAX) {
        uint64_t which = token & PARTITION_LOG_TOKEN_SEQ_MASK;
        if (which == LM_MARKER && m->marker.in_flight && m->marker.token == token) {
            checkpoint_file_done(m->env, &m->marker, token, err);
            m->state = LM_SHUT;
            return true;
        }
        if (which >= LM_FILE_COUNT || !m->files[which].in_flight ||
            m->files[which].token != token) {
            return false;
        }
        if (!checkpoint_file_done(m->env, &m->files[which], token, err)) {
            m->rewrite[which] = true; /* failed: write it again */
        }
        if (m->rewrite[which]) {
            write_checkpoint(m, (enum log_manager_file)which);
        }
    } else if ((uint64_t)id < m->log_count && m->logs[id] != NULL) {
        if (!partition_log_on_disk(m->logs[id], token, err)) {
            return false;
        }
    } else {
        return false; /* a log removed since (its fsyncs still come back) */
    }
    advance_shutdown(m);
    return true;
}

void log_manager_remove(struct log_manager *m, struct partition_log *l)
{
    KS_ASSERT(l->id < m->log_count && m->logs[l->id] == l);
    uint32_t id = l->id;
    partition_log_remove(l);
    free(l);
    m->logs[id] = NULL; /* ids stay where they are: fsyncs in flight still name them */
}
