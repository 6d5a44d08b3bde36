/* consumer.c — the simulated consumer: self-assignment, offset reset, the fetch loop, history. */
#include "workload/consumer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/history.h"
#include "protocol/data_rpc.h"
#include "protocol/fetch.h"
#include "protocol/header.h"
#include "protocol/record_batch.h"
#include "trace/db.h"
#include "workload/group_client.h"

#define LATEST_TIMESTAMP (-1)   /* ListOffsetsRequest.LATEST_TIMESTAMP */
#define EARLIEST_TIMESTAMP (-2) /* ListOffsetsRequest.EARLIEST_TIMESTAMP */
#define CONSUMER_REPLICA_ID (-1)
#define POLL_RECORDS_MAX 4096

enum { TOKEN_META = 1, TOKEN_WAKE = 2, TOKEN_AGE = 3, TOKEN_GROUP = 4, TOKEN_REQUEST = 16 };

struct part {
    int64_t position; /* next offset to read, -1 unknown */
    int64_t high_watermark;
    int64_t drain_target; /* -1: no answer since consumer_drain */
    int32_t list_correlation;
    uint64_t list_timer;
    time_ns list_not_before; /* a ListOffsets abandoned waits retry.backoff.ms to go again */
    int32_t history_tp;
};

/* One Fetch per leader at a time. */
struct slot {
    int host;
    int32_t correlation;
    uint64_t timer;
    time_ns not_before;
};

struct consumer {
    const struct env *env;
    struct consumer_config cfg;
    const struct client_config *s;
    struct client_topic topic;
    struct part parts[CLIENT_PARTITIONS_MAX];
    struct slot slots[CLIENT_PARTITIONS_MAX];
    int slot_count;
    int32_t correlation_next;
    int32_t meta_correlation; /* in flight; -1 a backoff timer; 0 none */
    uint64_t meta_timer, wake_timer, age_timer;
    bool draining;
    struct consumer_stats stats;
    /* group.id set: the group assigns the partitions (group_client.c); else every one. */
    bool grouped;
    struct group_client group;
    uint64_t group_timer;
    time_ns group_timer_due;
};

static struct history *hist(const struct consumer *c) { return c->cfg.sinks.history; }

static time_ns ms(int64_t v) { return (time_ns)v * NS_PER_MS; }

static void record_op(struct consumer *c, const char *type, const char *f, int32_t partition,
                      int64_t offset, bool has_value, int64_t value, const char *detail)
{
    struct run_db_op op = {.time = env_now(c->env), .process = c->cfg.name, .type = type,
                           .f = f, .topic = c->cfg.topic, .partition = partition,
                           .offset = offset, .has_value = has_value, .value = value,
                           .detail = detail};
    client_record(&c->cfg.sinks, &op);
}

static int32_t history_tp(struct consumer *c, int32_t partition)
{
    if (c->parts[partition].history_tp < 0) {
        c->parts[partition].history_tp = history_partition(hist(c), c->cfg.topic, partition);
    }
    return c->parts[partition].history_tp;
}

static int16_t metadata_version(const struct consumer *c)
{
    return c->s->release != NULL ? c->s->release->api.metadata_version_max
                                 : release_default()->api.metadata_version_max;
}

/* ConsumerProtocol's highest version in the client's release: v1 (2.4+), v2 (3.4+, KIP-792),
 * v3 (3.5+, KIP-881). */
static int16_t consumer_protocol_version(const struct consumer *c)
{
    int number = (c->s->release != NULL ? c->s->release : release_default())->number;
    return number >= 305 ? 3 : number >= 304 ? 2 : 1;
}

static void refresh(struct consumer *c)
{
    if (c->meta_correlation != 0) {
        return;
    }
    c->meta_correlation = ++c->correlation_next;
    c->stats.metadata_requests++;
    client_metadata_request(c->env, c->cfg.bootstrap_host, metadata_version(c),
                            c->meta_correlation, c->cfg.name, c->cfg.topic);
    c->env->ops->timer_cancel(c->env->ctx, c->meta_timer);
    c->meta_timer = c->env->ops->timer_set(c->env->ctx, ms(c->s->request_timeout_ms), TOKEN_META);
}

static void consumer_run(struct consumer *c);

static void on_metadata(struct consumer *c, const uint8_t *bytes, size_t len)
{
    c->meta_correlation = 0;
    c->env->ops->timer_cancel(c->env->ctx, c->meta_timer);
    c->meta_timer = 0;
    struct client_topic t = c->topic;
    int16_t e = client_metadata_response(c->env, bytes, len, metadata_version(c), &t);
    bool again = e != KAFKA_NONE || t.partition_count == 0;
    if (!again) {
        bool first = c->topic.partition_count == 0;
        c->topic = t;
        c->group.partition_count = t.partition_count;
        if (c->grouped) {
            group_client_set_hosts(&c->group, t.leader_host, t.partition_count);
        }
        c->env->ops->timer_cancel(c->env->ctx, c->age_timer);
        c->age_timer = c->env->ops->timer_set(c->env->ctx, ms(c->s->metadata_max_age_ms),
                                              TOKEN_AGE);
        for (int32_t i = 0; i < t.partition_count; i++) {
            again = again || t.leader_host[i] < 0;
            if (first && hist(c) != NULL) {
                history_tp(c, i);
            }
        }
        if (first && !c->grouped) {
            record_op(c, "ok", "assign", -1, -1, false, 0, "every partition (assign)");
        }
    }
    if (again) {
        c->meta_correlation = -1;
        c->meta_timer = c->env->ops->timer_set(c->env->ctx, ms(c->s->retry_backoff_ms),
                                               TOKEN_META);
    }
    consumer_run(c);
}

/* ---- positions ----------------------------------------------------------------------------- */

static void send_list_offsets(struct consumer *c, int32_t partition, int host)
{
    struct part *p = &c->parts[partition];
    p->list_correlation = ++c->correlation_next;
    struct wire_writer w;
    size_t mark = client_frame_begin(&w, KAFKA_API_LIST_OFFSETS, CLIENT_LIST_OFFSETS_VERSION,
                                     p->list_correlation, c->cfg.name);
    struct list_offsets_partition lp;
    list_offsets_partition_init(&lp);
    lp.partition_index = partition;
    lp.current_leader_epoch = c->topic.leader_epoch[partition];
    lp.timestamp = c->s->auto_offset_reset == CLIENT_OFFSET_RESET_EARLIEST ? EARLIEST_TIMESTAMP
                                                                           : LATEST_TIMESTAMP;
    struct list_offsets_topic t = {.name = c->cfg.topic, .partition_count = 1,
                                   .partitions = &lp};
    struct list_offsets_request req;
    list_offsets_request_init(&req);
    req.replica_id = CONSUMER_REPLICA_ID;
    req.isolation_level = (int8_t)c->s->isolation_level;
    req.topic_count = 1;
    req.topics = &t;
    list_offsets_request_encode(&w, &req, CLIENT_LIST_OFFSETS_VERSION);
    client_send(c->env, host, &w, mark);
    p->list_timer = c->env->ops->timer_set(c->env->ctx, ms(c->s->request_timeout_ms),
                                           TOKEN_REQUEST + (uint64_t)p->list_correlation);
}

static void on_list_offsets(struct consumer *c, int32_t partition, const uint8_t *bytes,
                            size_t len)
{
    struct part *p = &c->parts[partition];
    p->list_correlation = 0;
    c->env->ops->timer_cancel(c->env->ctx, p->list_timer);
    p->list_timer = 0;
    struct wire_arena arena;
    wire_arena_init(&arena);
    struct kheader_response h;
    struct wire_reader body;
    struct list_offsets_response r;
    int16_t error = KAFKA_UNKNOWN_SERVER_ERROR;
    int64_t offset = -1;
    if (kheader_response_decode_frame(bytes, len, KAFKA_API_LIST_OFFSETS,
                                      CLIENT_LIST_OFFSETS_VERSION, &h, &body) == 0 &&
        list_offsets_response_decode(&body, CLIENT_LIST_OFFSETS_VERSION, &arena, &r) == 0 &&
        r.topic_count == 1 && r.topics[0].partition_count == 1) {
        error = r.topics[0].partitions[0].error_code;
        offset = r.topics[0].partitions[0].offset;
    }
    wire_arena_free(&arena);
    if (error == KAFKA_NONE && offset >= 0) {
        p->position = offset;
        if (hist(c) != NULL && c->grouped) {
            /* auto.offset.reset: the group may commit lower than it did before */
            history_seek(hist(c), c->cfg.history_id, history_tp(c, partition));
        }
        record_op(c, "info", "assign", partition, offset, false, 0,
                  c->s->auto_offset_reset == CLIENT_OFFSET_RESET_EARLIEST
                      ? "auto.offset.reset=earliest"
                      : "auto.offset.reset=latest");
    } else if (client_error_stale_metadata(error)) {
        refresh(c);
    }
}

/* OFFSET_OUT_OF_RANGE: the position goes, auto.offset.reset finds the next. */
static void reset_position(struct consumer *c, int32_t partition)
{
    c->parts[partition].position = -1;
    c->stats.resets++;
    if (hist(c) != NULL) {
        history_seek(hist(c), c->cfg.history_id, history_tp(c, partition));
    }
    record_op(c, "info", "assign", partition, -1, false, 0, "OFFSET_OUT_OF_RANGE");
}

/* ---- fetching ------------------------------------------------------------------------------ */

static struct slot *slot_for(struct consumer *c, int host)
{
    for (int i = 0; i < c->slot_count; i++) {
        if (c->slots[i].host == host) {
            return &c->slots[i];
        }
    }
    KS_ASSERT(c->slot_count < CLIENT_PARTITIONS_MAX);
    struct slot *s = &c->slots[c->slot_count++];
    *s = (struct slot){.host = host};
    return s;
}

static void send_fetch(struct consumer *c, struct slot *s)
{
    struct fetch_request_partition parts[CLIENT_PARTITIONS_MAX];
    int32_t n = 0;
    for (int32_t i = 0; i < c->topic.partition_count; i++) {
        if (c->topic.leader_host[i] == s->host && c->parts[i].position >= 0) {
            fetch_request_partition_init(&parts[n]);
            parts[n].partition = i;
            parts[n].current_leader_epoch = c->topic.leader_epoch[i];
            parts[n].fetch_offset = c->parts[i].position;
            parts[n].partition_max_bytes = c->s->max_partition_fetch_bytes;
            n++;
        }
    }
    if (n == 0) {
        return;
    }
    struct fetch_request_topic t = {.topic = c->cfg.topic, .partition_count = n,
                                    .partitions = parts};
    struct fetch_request req;
    fetch_request_init(&req);
    req.replica_id = CONSUMER_REPLICA_ID;
    req.max_wait_ms = c->s->fetch_max_wait_ms;
    req.min_bytes = c->s->fetch_min_bytes;
    req.max_bytes = c->s->fetch_max_bytes;
    req.isolation_level = (int8_t)c->s->isolation_level;
    req.session_epoch = -1; /* a full fetch, no session (FetchMetadata.FINAL_EPOCH) */
    req.topic_count = 1;
    req.topics = &t;
    s->correlation = ++c->correlation_next;
    struct wire_writer w;
    size_t mark = client_frame_begin(&w, KAFKA_API_FETCH, CLIENT_FETCH_VERSION, s->correlation,
                                     c->cfg.name);
    fetch_request_encode(&w, &req, CLIENT_FETCH_VERSION);
    client_send(c->env, s->host, &w, mark);
    c->stats.fetches++;
    s->timer = c->env->ops->timer_set(c->env->ctx,
                                      ms(c->s->request_timeout_ms + c->s->fetch_max_wait_ms),
                                      TOKEN_REQUEST + (uint64_t)s->correlation);
}

/* A value as the producer wrote it: decimal digits, maybe a '-' (strtoll's reading of them, at
 * a fraction of its cost: a run reads a thousand values a second). */
static int64_t parse_value(const uint8_t *p, int32_t len)
{
    bool negative = len > 0 && p[0] == '-';
    uint64_t v = 0;
    for (int32_t i = negative ? 1 : 0; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    return negative ? -(int64_t)v : (int64_t)v;
}

/* The records of one partition's answer at or past the position, in order. */
static void take_records(struct consumer *c, int32_t partition, struct wire_bytes records)
{
    struct part *p = &c->parts[partition];
    if (records.len <= 0 || p->position < 0) {
        return;
    }
    struct history_record *got = malloc(POLL_RECORDS_MAX * sizeof *got);
    KS_ASSERT(got != NULL);
    size_t n = 0;
    struct wire_arena arena;
    wire_arena_init(&arena);
    struct record_batch_iter it;
    struct record_batch b;
    record_batch_iter_init(&it, records.ptr, (size_t)records.len);
    while (n < POLL_RECORDS_MAX && record_batch_iter_next(&it, &arena, &b) == 1) {
        for (int32_t i = 0; i < b.record_count && n < POLL_RECORDS_MAX; i++) {
            int64_t offset = b.base_offset + b.records[i].offset_delta;
            struct wire_bytes v = b.records[i].value;
            if ((b.attributes & RECORD_BATCH_CONTROL) != 0 || offset < p->position ||
                v.len <= 0 || v.len >= 32) {
                continue;
            }
            got[n++] = (struct history_record){.tp = p->history_tp, .offset = offset,
                                               .value = parse_value(v.ptr, v.len)};
            p->position = offset + 1;
        }
    }
    wire_arena_free(&arena);
    if (n > 0 && hist(c) != NULL) {
        history_poll(hist(c), c->cfg.history_id, got, n);
    }
    for (size_t i = 0; i < n; i++) {
        record_op(c, "ok", "poll", partition, got[i].offset, true, got[i].value, NULL);
    }
    c->stats.records += n;
    free(got);
}

static bool on_fetch_partition(struct consumer *c, const struct fetch_response_partition *fp)
{
    int32_t i = fp->partition_index;
    if (i < 0 || i >= c->topic.partition_count) {
        return false;
    }
    if (fp->error_code == KAFKA_OFFSET_OUT_OF_RANGE) {
        reset_position(c, i);
        return false;
    }
    if (fp->error_code != KAFKA_NONE) {
        return true;
    }
    if (hist(c) != NULL) {
        history_tp(c, i);
    }
    if (hist(c) != NULL && fp->log_start_offset > 0) {
        /* Retention deleted what lies below: no replica the leader's Fetch reads from holds
         * it, so the checker judges those offsets now and forgets them (bounded memory). Before
         * this response's records: a value retention took unread is unseen, not lost, though
         * the records after the new log start read past it. */
        history_log_start(hist(c), c->parts[i].history_tp, fp->log_start_offset);
    }
    take_records(c, i, fp->records);
    c->parts[i].high_watermark = fp->high_watermark;
    if (c->draining && c->parts[i].drain_target < 0) {
        c->parts[i].drain_target = fp->high_watermark;
    }
    return false;
}

static void on_fetch(struct consumer *c, struct slot *s, const uint8_t *bytes, size_t len)
{
    s->correlation = 0;
    c->env->ops->timer_cancel(c->env->ctx, s->timer);
    s->timer = 0;
    struct wire_arena arena;
    wire_arena_init(&arena);
    struct kheader_response h;
    struct wire_reader body;
    struct fetch_response r;
    bool stale = true;
    if (kheader_response_decode_frame(bytes, len, KAFKA_API_FETCH, CLIENT_FETCH_VERSION, &h,
                                      &body) == 0 &&
        fetch_response_decode(&body, CLIENT_FETCH_VERSION, &arena, &r) == 0 &&
        r.error_code == KAFKA_NONE) {
        stale = false;
        for (int32_t t = 0; t < r.topic_count; t++) {
            for (int32_t k = 0; k < r.topics[t].partition_count; k++) {
                stale = on_fetch_partition(c, &r.topics[t].partitions[k]) || stale;
            }
        }
    }
    wire_arena_free(&arena);
    if (stale) {
        s->not_before = env_now(c->env) + ms(c->s->retry_backoff_ms);
        refresh(c);
    }
}

static void wake_after(struct consumer *c, time_ns delay)
{
    if (c->wake_timer == 0) {
        c->wake_timer = c->env->ops->timer_set(c->env->ctx, delay, TOKEN_WAKE);
    }
}

/* ---- the group (group.id set) -------------------------------------------------------------- */

/* The partitions in `which` (NULL: every one) lose their positions, and the history hears of
 * the rebalance. */
static void forget_positions(struct consumer *c, const bool *which)
{
    int32_t tps[CLIENT_PARTITIONS_MAX];
    size_t n = 0;
    for (int32_t i = 0; i < c->topic.partition_count; i++) {
        if (which == NULL || which[i]) {
            if (hist(c) != NULL) {
                tps[n++] = history_tp(c, i);
            }
            c->parts[i].position = -1;
        }
    }
    if (hist(c) != NULL && n > 0) {
        history_rebalance(hist(c), c->cfg.history_id, tps, n);
    }
}

/* Eager: "every partition revoked"; cooperative names them: "revoked 1, 4". */
static void record_revoked(struct consumer *c, const bool *revoked)
{
    char detail[CLIENT_PARTITIONS_MAX * 4 + 32] = "revoked";
    size_t len = strlen(detail);
    for (int32_t i = 0; i < c->topic.partition_count; i++) {
        if (revoked[i] && len + 8 < sizeof detail) {
            len += (size_t)snprintf(detail + len, sizeof detail - len, "%s %d",
                                    len > 7 ? "," : "", (int)i);
        }
    }
    record_op(c, "info", "rebalance", -1, -1, false, 0,
              c->group.cooperative ? detail : "every partition revoked");
}

/* What the group's last answers changed: revoked partitions lose their positions, new ones
 * start at the committed offsets (else auto.offset.reset, by ListOffsets), and a successful
 * commit goes to the history. Eager forgets every position; cooperative keeps what it kept. */
static void group_events(struct consumer *c)
{
    struct group_client *g = &c->group;
    if (g->revoked) {
        forget_positions(c, g->cooperative ? g->revoked_parts : NULL);
        record_revoked(c, g->revoked_parts);
        memset(g->revoked_parts, 0, sizeof g->revoked_parts);
        g->revoked = false;
    }
    if (g->assignment_ready) {
        g->assignment_ready = false;
        forget_positions(c, g->cooperative ? g->added : NULL);
        for (int32_t i = 0; i < c->topic.partition_count; i++) {
            if (!g->added[i]) {
                continue;
            }
            c->parts[i].position = g->committed[i] >= 0 ? g->committed[i] : -1;
            record_op(c, "ok", "assign", i, g->committed[i], false, 0,
                      g->committed[i] >= 0 ? "committed offset" : "no committed offset");
        }
    }
    if (g->commit_done) {
        g->commit_done = false;
        for (int32_t i = 0; i < c->topic.partition_count && hist(c) != NULL; i++) {
            if (g->commit_sent[i] >= 0) {
                history_commit(hist(c), c->cfg.history_id, history_tp(c, i), g->commit_sent[i]);
            }
        }
    }
}

/* Eager members fetch only while Stable; cooperative ones keep fetching what they own through
 * a rebalance (the partitions still waiting for their committed offsets are not in assigned). */
static bool assigned(const struct consumer *c, int32_t partition)
{
    return !c->grouped || (c->group.assigned[partition] &&
                           (c->group.cooperative || c->group.phase == GROUP_CLIENT_STABLE));
}

static void group_run(struct consumer *c)
{
    if (!c->grouped || c->topic.partition_count == 0) {
        return;
    }
    int64_t positions[CLIENT_PARTITIONS_MAX];
    for (int32_t i = 0; i < CLIENT_PARTITIONS_MAX; i++) {
        positions[i] = i < c->topic.partition_count ? c->parts[i].position : -1;
    }
    group_client_poll(&c->group, positions);
    group_events(c);
    time_ns due = group_client_next_deadline(&c->group);
    if (due != c->group_timer_due || c->group_timer == 0) {
        c->env->ops->timer_cancel(c->env->ctx, c->group_timer);
        c->group_timer = 0;
        c->group_timer_due = due;
        if (due != TIME_NS_MAX) {
            time_ns now = env_now(c->env);
            c->group_timer = c->env->ops->timer_set(c->env->ctx, due > now ? due - now : 0,
                                                    TOKEN_GROUP);
        }
    }
}

static void consumer_run(struct consumer *c)
{
    time_ns now = env_now(c->env);
    group_run(c);
    for (int32_t i = 0; i < c->topic.partition_count; i++) {
        int host = c->topic.leader_host[i];
        if (host >= 0 && c->parts[i].position < 0 && c->parts[i].list_correlation == 0 &&
            assigned(c, i)) {
            if (now < c->parts[i].list_not_before) {
                wake_after(c, c->parts[i].list_not_before - now);
            } else {
                send_list_offsets(c, i, host);
            }
        }
    }
    for (int32_t i = 0; i < c->topic.partition_count; i++) {
        int host = c->topic.leader_host[i];
        if (host < 0 || c->parts[i].position < 0) {
            continue;
        }
        struct slot *s = slot_for(c, host);
        if (s->correlation != 0) {
            continue;
        }
        if (s->not_before > now) {
            wake_after(c, s->not_before - now);
            continue;
        }
        send_fetch(c, s);
    }
}

/* ---- the process --------------------------------------------------------------------------- */

static void *consumer_boot(const struct env *env, const void *config)
{
    struct consumer *c = calloc(1, sizeof *c);
    KS_ASSERT(c != NULL && config != NULL);
    c->env = env;
    c->cfg = *(const struct consumer_config *)config;
    c->s = &c->cfg.settings;
    KS_ASSERT(c->s->finished && c->s->kind == CLIENT_CONSUMER);
    for (int i = 0; i < CLIENT_PARTITIONS_MAX; i++) {
        c->parts[i] = (struct part){.position = -1, .high_watermark = -1, .drain_target = -1,
                                    .history_tp = -1};
    }
    c->grouped = c->s->group_id.set && c->s->group_id.text[0] != '\0';
    if (c->grouped) {
        struct group_client_config gc = {
            .group_id = c->s->group_id.text, .client_id = c->cfg.name, .topic = c->cfg.topic,
            .bootstrap_host = c->cfg.bootstrap_host,
            .session_timeout_ms = c->s->session_timeout_ms,
            .rebalance_timeout_ms = c->s->max_poll_interval_ms,
            .heartbeat_interval_ms = c->s->heartbeat_interval_ms,
            .retry_backoff_ms = (int32_t)c->s->retry_backoff_ms,
            .request_timeout_ms = c->s->request_timeout_ms,
            .auto_commit = c->s->enable_auto_commit,
            .auto_commit_interval_ms = c->s->auto_commit_interval_ms,
            .assignor_count = (int)c->s->partition_assignment_strategy.count,
            .protocol_version = consumer_protocol_version(c)};
        for (int i = 0; i < gc.assignor_count; i++) {
            gc.assignors[i] = c->s->partition_assignment_strategy.items[i];
        }
        group_client_init(&c->group, env, &gc, &c->correlation_next);
    }
    refresh(c);
    return c;
}

static void consumer_destroy(void *proc) { free(proc); }

static void on_response(struct consumer *c, const uint8_t *bytes, size_t len)
{
    int32_t corr = 0;
    if (kheader_response_peek(bytes, len, &corr) != 0 || corr <= 0) {
        return;
    }
    if (corr == c->meta_correlation) {
        on_metadata(c, bytes, len);
        return;
    }
    if (c->grouped && group_client_on_response(&c->group, corr, bytes, len)) {
        return; /* consumer_run takes its events */
    }
    for (int32_t i = 0; i < c->topic.partition_count; i++) {
        if (c->parts[i].list_correlation == corr) {
            on_list_offsets(c, i, bytes, len);
        }
    }
    for (int i = 0; i < c->slot_count; i++) {
        if (c->slots[i].correlation == corr) {
            on_fetch(c, &c->slots[i], bytes, len);
        }
    }
}

/* A request unanswered, or the connection reset: forget it, ask for metadata again. */
static void abandon(struct consumer *c, int32_t corr, int host)
{
    for (int32_t i = 0; i < c->topic.partition_count; i++) {
        struct part *p = &c->parts[i];
        if (p->list_correlation != 0 && (p->list_correlation == corr ||
                                         (host >= 0 && c->topic.leader_host[i] == host))) {
            c->env->ops->timer_cancel(c->env->ctx, p->list_timer);
            p->list_correlation = 0;
            p->list_not_before = env_now(c->env) + ms(c->s->retry_backoff_ms);
        }
    }
    for (int i = 0; i < c->slot_count; i++) {
        struct slot *s = &c->slots[i];
        if (s->correlation != 0 && (s->correlation == corr || s->host == host)) {
            c->env->ops->timer_cancel(c->env->ctx, s->timer);
            s->correlation = 0;
            s->not_before = env_now(c->env) + ms(c->s->retry_backoff_ms);
        }
    }
    if (host >= 0 && host == c->cfg.bootstrap_host && c->meta_correlation > 0) {
        /* The Metadata request rode that connection and died with it (NetworkClient.
         * handleDisconnections): ask again after the backoff, not after request.timeout.ms,
         * or a reset bootstrap broker leaves the consumer on stale leaders for 30 s. */
        c->env->ops->timer_cancel(c->env->ctx, c->meta_timer);
        c->meta_correlation = -1;
        c->meta_timer = c->env->ops->timer_set(c->env->ctx, ms(c->s->retry_backoff_ms),
                                               TOKEN_META);
    }
    refresh(c);
}

static void consumer_step(void *proc, const struct env_event *e)
{
    struct consumer *c = proc;
    if (e->kind == ENV_EVENT_MESSAGE && e->u.message.channel == ENV_CHANNEL_RESPONSE) {
        on_response(c, e->u.message.bytes, e->u.message.len);
    } else if (e->kind == ENV_EVENT_MESSAGE && e->u.message.channel == ENV_CHANNEL_RESET) {
        if (c->grouped) {
            group_client_on_reset(&c->group, e->u.message.from_host);
        }
        abandon(c, 0, e->u.message.from_host);
    } else if (e->kind == ENV_EVENT_TIMER && e->u.timer.token == TOKEN_META) {
        c->meta_timer = 0;
        c->meta_correlation = 0;
        refresh(c);
    } else if (e->kind == ENV_EVENT_TIMER && e->u.timer.token == TOKEN_GROUP) {
        c->group_timer = 0;
    } else if (e->kind == ENV_EVENT_TIMER && e->u.timer.token == TOKEN_WAKE) {
        c->wake_timer = 0;
    } else if (e->kind == ENV_EVENT_TIMER && e->u.timer.token == TOKEN_AGE) {
        c->age_timer = 0;
        refresh(c);
    } else if (e->kind == ENV_EVENT_TIMER) {
        abandon(c, (int32_t)(e->u.timer.token - TOKEN_REQUEST), -1);
    }
    consumer_run(c);
}

const struct process_ops consumer_process = {
    .name = "kafka-consumer",
    .start = consumer_boot,
    .step = consumer_step,
    .destroy = consumer_destroy,
};

void consumer_drain(void *proc)
{
    struct consumer *c = proc;
    c->draining = true;
    for (int i = 0; i < CLIENT_PARTITIONS_MAX; i++) {
        c->parts[i].drain_target = -1;
    }
}

bool consumer_drained(const void *proc)
{
    const struct consumer *c = proc;
    if (!c->draining || c->topic.partition_count == 0) {
        return false;
    }
    if (c->grouped && c->group.phase != GROUP_CLIENT_STABLE) {
        return false; /* a rebalance is no place to stop */
    }
    for (int32_t i = 0; i < c->topic.partition_count; i++) {
        const struct part *p = &c->parts[i];
        if (assigned(c, i) && (p->drain_target < 0 || p->position < p->drain_target)) {
            return false;
        }
    }
    return true;
}

struct consumer_stats consumer_stats(const void *proc)
{
    const struct consumer *c = proc;
    struct consumer_stats s = c->stats;
    s.assigned = c->topic.partition_count > 0 &&
                 (!c->grouped || c->group.phase == GROUP_CLIENT_STABLE);
    for (int32_t i = 0; i < c->topic.partition_count; i++) {
        s.assigned = s.assigned && (!assigned(c, i) || c->parts[i].position >= 0);
    }
    s.rebalances = c->grouped ? c->group.rebalances : 0;
    s.owned = 0;
    s.partitions = c->topic.partition_count;
    for (int32_t i = 0; i < c->topic.partition_count; i++) {
        s.owned += assigned(c, i) ? 1 : 0;
    }
    return s;
}

int64_t consumer_position(const void *proc, int32_t partition)
{
    const struct consumer *c = proc;
    return partition >= 0 && partition < CLIENT_PARTITIONS_MAX ? c->parts[partition].position
                                                               : -1;
}
