/* replica_manager.c — a broker's partition replicas, their requests, fetchers and ISR changes. */
#include "replica/replica_manager.h"

#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "protocol/controller_rpc.h"
#include "protocol/data_rpc.h"
#include "protocol/fetch.h"
#include "protocol/header.h"
#include "text.h"

#define GROW(a, n, cap) ((a) = array_grow((a), (n), &(cap), sizeof *(a)))

#define RM_CORRELATION_BASE (1 << 30) /* apart from node.c's correlation ids */
#define RESOURCE_TOPIC 2              /* ConfigResource.Type.TOPIC */
#define METADATA_TOPIC "__cluster_metadata"

struct rm_produce_part {
    char topic[IMAGE_NAME_MAX];
    struct kuuid topic_id;
    int32_t partition;
    bool done;
    struct replica_produce_result result;
};

struct rm_produce {
    uint64_t id;
    uint64_t reply_ctx;
    int16_t version;
    int32_t count;
    int32_t pending;
    struct rm_produce_part *parts;
    bool internal; /* rm_append_internal's: its result goes to internal_done, not a client */
    uint64_t token;
};

/* A Fetch in purgatory (DelayedFetch), decoded once: it is answered again each time a log
 * moves, and decoding it every time was a tenth of a data workload's time. */
struct rm_fetch_wait {
    uint64_t reply_ctx;
    int16_t version;
    uint8_t *body;           /* the request's bytes, which `req` may point into */
    size_t len;
    struct wire_arena arena; /* what decoding `req` allocated */
    struct fetch_request req;
    time_ns deadline;
};

struct rm_fetcher {
    int32_t leader_id;
    int host;
    int32_t corr; /* 0: none in flight */
    time_ns sent_at;
    bool epoch_round; /* the request out is OffsetsForLeaderEpoch, not Fetch */
};

/* The OffsetForLeaderEpoch version a follower sends (v4 in every modelled release that has a
 * KRaft mode; the fetcher sends it only with last.fetched.epoch off). */
#define RM_OFFSET_FOR_LEADER_EPOCH_VERSION 4

struct rm_config rm_config_default(int32_t broker_id, const char *log_dir)
{
    return (struct rm_config){
        .broker_id = broker_id, .log_dir = log_dir,
        .replica = replica_config_default(broker_id),
        .logs = log_manager_config_default(log_dir),
        .fetch_wait_max_ms = 500, .fetch_min_bytes = 1, .fetch_response_max_bytes = 10485760,
        .socket_timeout = 30000 * NS_PER_MS, .alter_retry_backoff = 50 * NS_PER_MS,
        .fetch_version = 15, .alter_partition_version = 3};
}

/* Topic names fit IMAGE_NAME_MAX (the image holds them so); a longer one is cut. */
static void copy_name(char dst[IMAGE_NAME_MAX], const char *src)
{
    struct text t = text_init(dst, IMAGE_NAME_MAX);
    text_printf(&t, "%s", src != NULL ? src : "");
}

static time_ns now_of(const struct replica_manager *rm) { return env_now(rm->env); }

int rm_open(struct replica_manager *rm, const struct env *env, const struct rm_config *cfg)
{
    memset(rm, 0, sizeof *rm);
    rm->env = env;
    rm->cfg = *cfg;
    rm->correlation_next = RM_CORRELATION_BASE;
    rm->broker_epoch = -1;
    rm->alter_host = -1;
    replica_out_init(&rm->rout);
    struct text id = text_init(rm->client_id, sizeof rm->client_id);
    text_printf(&id, "broker-%d-fetcher-0", cfg->broker_id);
    struct log_manager_config lc = cfg->logs;
    lc.log_dir = cfg->log_dir;
    int rc = log_manager_open(&rm->logs, env, &lc);
    rm->logs_open = rc == 0;
    rm->next_isr_expiration = env_now(env) + replica_isr_expiration_interval(&cfg->replica);
    return rc;
}

void rm_free(struct replica_manager *rm)
{
    for (uint32_t i = 0; i < rm->part_count; i++) {
        replica_free(&rm->parts[i]->replica);
        free(rm->parts[i]);
    }
    free(rm->parts);
    for (uint32_t i = 0; i < rm->produce_count; i++) {
        free(rm->produces[i].parts);
    }
    free(rm->produces);
    free(rm->internal_done);
    for (uint32_t i = 0; i < rm->wait_count; i++) {
        free(rm->waits[i].body);
        wire_arena_free(&rm->waits[i].arena);
    }
    free(rm->waits);
    free(rm->fetchers);
    replica_out_free(&rm->rout);
    log_manager_close(&rm->logs);
    memset(rm, 0, sizeof *rm);
}

void rm_out_init(struct rm_out *out) { memset(out, 0, sizeof *out); }

void rm_out_reset(struct rm_out *out)
{
    for (uint32_t i = 0; i < out->count; i++) {
        free(out->frames[i].bytes);
    }
    out->count = 0;
}

/* ---- frames ------------------------------------------------------------------------------- */

static void push_frame(struct rm_out *out, int host, int channel, struct wire_writer *w)
{
    KS_ASSERT(w->err == 0);
    GROW(out->frames, out->count, out->capacity);
    out->frames[out->count++] = (struct rm_frame){host, channel, w->bytes, w->len};
    memset(w, 0, sizeof *w);
}

void rm_out_push(struct rm_out *out, int to_host, int channel, struct wire_writer *w)
{
    push_frame(out, to_host, channel, w);
}

static size_t response_begin(struct wire_writer *w, uint64_t reply_ctx, int16_t key,
                             int16_t version)
{
    wire_writer_init(w);
    size_t mark = kheader_frame_begin(w);
    struct kheader_response h = {.correlation_id = (int32_t)(uint32_t)reply_ctx};
    kheader_response_encode(w, &h, kheader_response_version(key, version));
    return mark;
}

static void response_end(struct rm_out *out, struct wire_writer *w, size_t mark,
                         uint64_t reply_ctx)
{
    kheader_frame_end(w, mark);
    push_frame(out, (int)(reply_ctx >> 32), ENV_CHANNEL_RESPONSE, w);
}

static size_t request_begin(struct replica_manager *rm, struct wire_writer *w, int16_t key,
                            int16_t version, int32_t *corr)
{
    *corr = ++rm->correlation_next;
    wire_writer_init(w);
    size_t mark = kheader_frame_begin(w);
    struct kheader_request h = {.api_key = key, .api_version = version,
                                .correlation_id = *corr, .client_id = rm->client_id};
    kheader_request_encode(w, &h, kheader_request_version(key, version));
    return mark;
}

/* ---- partitions --------------------------------------------------------------------------- */

struct rm_partition *rm_partition_find(struct replica_manager *rm, const char *topic,
                                       int32_t partition)
{
    for (uint32_t i = 0; i < rm->part_count; i++) {
        struct rm_partition *p = rm->parts[i];
        if (p->partition == partition && strcmp(p->topic, topic) == 0) {
            return p;
        }
    }
    return NULL;
}

static struct rm_partition *find_by_id(struct replica_manager *rm, struct kuuid id,
                                       int32_t partition)
{
    for (uint32_t i = 0; i < rm->part_count; i++) {
        struct rm_partition *p = rm->parts[i];
        if (p->partition == partition && wire_uuid_equal(p->topic_id, id)) {
            return p;
        }
    }
    return NULL;
}

static struct rm_partition *find_named(struct replica_manager *rm, const char *name,
                                       struct kuuid id, bool by_id, int32_t partition)
{
    return by_id ? find_by_id(rm, id, partition)
                 : (name != NULL ? rm_partition_find(rm, name, partition) : NULL);
}

static void complete_produce(struct replica_manager *rm, const struct replica_produce_result *r,
                             struct rm_out *out);

/* Takes what a replica call left in rm->rout: produce completions and an AlterPartition. */
static void drain(struct replica_manager *rm, struct rm_partition *p, struct rm_out *out)
{
    struct replica_out *ro = &rm->rout;
    if (ro->send_alter) {
        p->alter_queued = true;
        p->alter = ro->alter;
    }
    uint32_t n = ro->done_count;
    struct replica_produce_result done[n > 0 ? n : 1];
    if (n > 0) {
        memcpy(done, ro->done, n * sizeof *done);
    }
    replica_out_reset(ro);
    for (uint32_t i = 0; i < n; i++) {
        complete_produce(rm, &done[i], out);
    }
}

static const char *topic_config(const struct metadata_image *img, const char *topic,
                                const char *key)
{
    for (uint32_t i = 0; i < img->config_count; i++) {
        const struct image_config *c = &img->configs[i];
        if (c->resource_type == RESOURCE_TOPIC && strcmp(c->resource_name, topic) == 0 &&
            strcmp(c->name, key) == 0) {
            return c->value;
        }
    }
    return NULL;
}

static void config_int(const struct metadata_image *img, const char *topic, const char *key,
                       int64_t *into)
{
    const char *v = topic_config(img, topic, key);
    if (v != NULL) {
        *into = strtoll(v, NULL, 10);
    }
}

static struct rm_partition *create_part(struct replica_manager *rm,
                                        const struct metadata_image *img,
                                        const struct image_topic *t, int32_t partition)
{
    struct log_config lc = rm->cfg.logs.defaults;
    config_int(img, t->name, "segment.bytes", &lc.segment_bytes);
    config_int(img, t->name, "retention.ms", &lc.retention_ms);
    config_int(img, t->name, "retention.bytes", &lc.retention_bytes);
    config_int(img, t->name, "flush.messages", &lc.flush_messages);
    config_int(img, t->name, "flush.ms", &lc.flush_ms);
    config_int(img, t->name, "segment.ms", &lc.segment_ms);
    int64_t max_message = lc.max_message_bytes;
    config_int(img, t->name, "max.message.bytes", &max_message);
    lc.max_message_bytes = (int32_t)max_message;
    struct partition_log *log = log_manager_get_or_create(&rm->logs, t->name, partition, t->id,
                                                          &lc);
    if (log == NULL) {
        env_tracef(rm->env, TRACE_NOTE, "replica-manager create-log-failed topic=%s "
                   "partition=%d", t->name, partition);
        return NULL;
    }
    /* A log loaded from disk at startup opened with the broker's defaults, before the metadata
     * image named its topic's overrides; the image's overrides apply now, as LogManager's
     * startup(topicConfigOverrides) and updateTopicConfig give a loaded log its topic config
     * (without this a restarted broker would keep 1 GiB segments and no retention.bytes). */
    log->config = lc;
    struct replica_config rc = rm->cfg.replica;
    int64_t min_isr = rc.min_insync_replicas;
    config_int(img, t->name, "min.insync.replicas", &min_isr);
    rc.min_insync_replicas = (int32_t)min_isr;
    struct rm_partition *p = calloc(1, sizeof *p);
    KS_ASSERT(p != NULL);
    copy_name(p->topic, t->name);
    p->topic_id = t->id;
    p->partition = partition;
    p->partition_epoch = -1;
    replica_init(&p->replica, &rc, log);
    p->replica.broker_epoch = rm->broker_epoch;
    GROW(rm->parts, rm->part_count, rm->part_capacity);
    rm->parts[rm->part_count++] = p;
    return p;
}

static bool holds(const struct image_partition *ip, int32_t broker_id)
{
    for (int32_t i = 0; i < ip->replicas.count; i++) {
        if (ip->replicas.items[i] == broker_id) {
            return true;
        }
    }
    return false;
}

static struct replica_registration registration_of(const struct image_partition *ip)
{
    struct replica_registration r = {.leader_id = ip->leader, .leader_epoch = ip->leader_epoch,
                                     .partition_epoch = ip->partition_epoch};
    for (int32_t i = 0; i < ip->replicas.count && r.replica_count < REPLICA_MAX; i++) {
        r.replicas[r.replica_count++] = ip->replicas.items[i];
    }
    for (int32_t i = 0; i < ip->isr.count && r.isr_count < REPLICA_MAX; i++) {
        r.isr[r.isr_count++] = ip->isr.items[i];
    }
    return r;
}

static void set_brokers(struct replica_manager *rm, struct rm_partition *p,
                        const struct metadata_image *img)
{
    for (int i = 0; i < p->replica.replica_count; i++) {
        int32_t id = p->replica.replicas[i];
        if (id == rm->cfg.broker_id) {
            continue;
        }
        const struct image_broker *b = metadata_image_broker(img, id);
        bool eligible = b != NULL && !b->fenced && !b->in_controlled_shutdown;
        replica_set_broker(&p->replica, id, eligible, b != NULL ? b->epoch : -1);
    }
}

/* ReplicaManager.applyDelta for one partition this broker holds. */
static void apply_partition(struct replica_manager *rm, const struct metadata_image *img,
                            struct rm_partition *p, const struct image_partition *ip,
                            struct rm_out *out)
{
    p->seen = true;
    if (ip->partition_epoch != p->partition_epoch) {
        struct replica_registration r = registration_of(ip);
        time_ns now = now_of(rm);
        bool changed = ip->leader == rm->cfg.broker_id
                           ? replica_make_leader(&p->replica, &r, now, &rm->rout)
                           : replica_make_follower(&p->replica, &r, now, &rm->rout);
        if (changed || ip->partition_epoch > p->partition_epoch) {
            p->partition_epoch = ip->partition_epoch;
        }
        if (p->replica.role != REPLICA_FOLLOWER) {
            p->fetch_id = 0;
        }
        drain(rm, p, out);
    }
    if (p->replica.role == REPLICA_LEADER) {
        set_brokers(rm, p, img);
    }
}

/* The topic is gone or the replica moved away (StopReplica with deletion): pending produces
 * complete NOT_LEADER_OR_FOLLOWER, the log and its files go. */
static void remove_part(struct replica_manager *rm, struct rm_partition *p, struct rm_out *out)
{
    replica_stop(&p->replica, &rm->rout);
    drain(rm, p, out);
    log_manager_remove(&rm->logs, p->replica.log);
    replica_free(&p->replica);
    free(p);
}

void rm_apply_image(struct replica_manager *rm, const struct metadata_image *img,
                    struct rm_out *out)
{
    if (!rm->logs_open) {
        return;
    }
    for (uint32_t i = 0; i < rm->part_count; i++) {
        rm->parts[i]->seen = false;
    }
    for (uint32_t t = 0; t < img->topic_count; t++) {
        const struct image_topic *it = &img->topics[t];
        for (int32_t k = 0; k < it->partition_count; k++) {
            const struct image_partition *ip = &it->partitions[k];
            if (!holds(ip, rm->cfg.broker_id)) {
                continue;
            }
            struct rm_partition *p = find_by_id(rm, it->id, ip->id);
            p = p != NULL ? p : create_part(rm, img, it, ip->id);
            if (p != NULL) {
                apply_partition(rm, img, p, ip, out);
            }
        }
    }
    uint32_t kept = 0;
    for (uint32_t i = 0; i < rm->part_count; i++) {
        struct rm_partition *p = rm->parts[i];
        if (p->seen) {
            rm->parts[kept++] = p;
        } else {
            remove_part(rm, p, out);
        }
    }
    rm->part_count = kept;
}

void rm_set_broker_epoch(struct replica_manager *rm, int64_t broker_epoch)
{
    rm->broker_epoch = broker_epoch;
    for (uint32_t i = 0; i < rm->part_count; i++) {
        rm->parts[i]->replica.broker_epoch = broker_epoch;
    }
}

/* ---- Produce ------------------------------------------------------------------------------ */

static void answer_produce(struct replica_manager *rm, const struct rm_produce *pr,
                           struct rm_out *out)
{
    (void)rm;
    struct produce_response resp;
    produce_response_init(&resp);
    struct produce_response_topic topics[pr->count > 0 ? pr->count : 1];
    struct produce_response_partition parts[pr->count > 0 ? pr->count : 1];
    for (int32_t i = 0; i < pr->count; i++) {
        const struct rm_produce_part *pp = &pr->parts[i];
        bool same = resp.topic_count > 0 && strcmp(pp->topic, pr->parts[i - 1].topic) == 0 &&
                    wire_uuid_equal(pp->topic_id, pr->parts[i - 1].topic_id);
        if (!same) {
            struct produce_response_topic *t = &topics[resp.topic_count++];
            produce_response_topic_init(t);
            t->name = pp->topic;
            t->topic_id = pp->topic_id;
            t->partitions = &parts[i];
        }
        struct produce_response_partition *rp = &parts[i];
        produce_response_partition_init(rp);
        rp->index = pp->partition;
        rp->error_code = pp->result.error;
        rp->base_offset = pp->result.base_offset;
        rp->log_append_time_ms = pp->result.log_append_time;
        rp->log_start_offset = pp->result.log_start_offset;
        topics[resp.topic_count - 1].partition_count++;
    }
    resp.topics = topics;
    struct wire_writer w;
    size_t mark = response_begin(&w, pr->reply_ctx, KAFKA_API_PRODUCE, pr->version);
    produce_response_encode(&w, &resp, pr->version);
    response_end(out, &w, mark, pr->reply_ctx);
}

static void internal_done(struct replica_manager *rm, uint64_t token, int16_t error)
{
    rm->internal_done = array_grow(rm->internal_done, rm->internal_done_count,
                                   &rm->internal_done_capacity, sizeof *rm->internal_done);
    rm->internal_done[rm->internal_done_count++] = (struct rm_internal_result){token, error};
}

static void complete_produce(struct replica_manager *rm, const struct replica_produce_result *r,
                             struct rm_out *out)
{
    uint64_t id = r->ctx >> 16;
    uint32_t slot = (uint32_t)(r->ctx & 0xffff);
    for (uint32_t i = 0; i < rm->produce_count; i++) {
        struct rm_produce *pr = &rm->produces[i];
        if (pr->id != id || slot >= (uint32_t)pr->count || pr->parts[slot].done) {
            continue;
        }
        pr->parts[slot].done = true;
        pr->parts[slot].result = *r;
        if (--pr->pending == 0) {
            if (pr->internal) {
                internal_done(rm, pr->token, r->error);
            } else {
                answer_produce(rm, pr, out);
            }
            free(pr->parts);
            memmove(pr, pr + 1, (rm->produce_count - i - 1) * sizeof *pr);
            rm->produce_count--;
        }
        return;
    }
}

static void produce_one(struct replica_manager *rm, struct rm_produce *pr, int32_t slot,
                        const struct produce_request *req,
                        const struct produce_request_partition *rp, struct rm_out *out)
{
    struct rm_produce_part *pp = &pr->parts[slot];
    struct rm_partition *p = find_named(rm, pp->topic, pp->topic_id, pr->version >= 13,
                                        rp->index);
    struct replica_produce_result res = {.ctx = pr->id << 16 | (uint32_t)slot,
                                         .error = KAFKA_UNKNOWN_TOPIC_OR_PARTITION,
                                         .base_offset = -1, .log_append_time = -1,
                                         .log_start_offset = -1};
    bool now_done = true;
    if (p != NULL) {
        size_t len = rp->records.len > 0 ? (size_t)rp->records.len : 0;
        now_done = replica_produce(&p->replica, rp->records.ptr, len, req->acks,
                                   (time_ns)req->timeout_ms * NS_PER_MS, res.ctx, now_of(rm),
                                   &rm->rout, &res);
        drain(rm, p, out);
    }
    if (now_done) {
        pp->done = true;
        pp->result = res;
        pr->pending--;
    }
}

static void handle_produce(struct replica_manager *rm, int16_t version, struct wire_reader *r,
                           uint64_t reply_ctx, struct wire_arena *a, struct rm_out *out)
{
    struct produce_request req;
    if (produce_request_decode(r, version, a, &req) != 0) {
        return; /* unreadable: the connection closes */
    }
    int32_t count = 0;
    for (int32_t t = 0; t < req.topic_count; t++) {
        count += req.topics[t].partition_count;
    }
    if (count > 0xffff) {
        return;
    }
    GROW(rm->produces, rm->produce_count, rm->produce_capacity);
    struct rm_produce *pr = &rm->produces[rm->produce_count++];
    *pr = (struct rm_produce){.id = ++rm->produce_seq, .reply_ctx = reply_ctx,
                              .version = version, .count = count, .pending = count,
                              .parts = calloc(count > 0 ? (size_t)count : 1, sizeof *pr->parts)};
    KS_ASSERT(pr->parts != NULL);
    uint64_t id = pr->id;
    int32_t slot = 0;
    for (int32_t t = 0; t < req.topic_count; t++) {
        const struct produce_request_topic *rt = &req.topics[t];
        for (int32_t k = 0; k < rt->partition_count; k++, slot++) {
            pr = &rm->produces[rm->produce_count - 1]; /* produce_one may not move it */
            copy_name(pr->parts[slot].topic, rt->name);
            pr->parts[slot].topic_id = rt->topic_id;
            pr->parts[slot].partition = rt->partitions[k].index;
            produce_one(rm, pr, slot, &req, &rt->partitions[k], out);
        }
    }
    pr = &rm->produces[rm->produce_count - 1];
    if (pr->id == id && pr->pending == 0) { /* else it waits for acks=-1 */
        if (req.acks != 0) {
            answer_produce(rm, pr, out); /* acks=0 has no response */
        }
        free(pr->parts);
        rm->produce_count--;
    }
}

void rm_append_internal(struct replica_manager *rm, const char *topic, int32_t partition,
                        const uint8_t *records, size_t len, time_ns timeout, uint64_t token,
                        struct rm_out *out)
{
    GROW(rm->produces, rm->produce_count, rm->produce_capacity);
    struct rm_produce *pr = &rm->produces[rm->produce_count++];
    *pr = (struct rm_produce){.id = ++rm->produce_seq, .count = 1, .pending = 1,
                              .parts = calloc(1, sizeof *pr->parts), .internal = true,
                              .token = token};
    KS_ASSERT(pr->parts != NULL);
    copy_name(pr->parts[0].topic, topic);
    pr->parts[0].partition = partition;
    struct rm_partition *p = rm_partition_find(rm, topic, partition);
    struct replica_produce_result res = {.ctx = pr->id << 16, .error =
                                             KAFKA_NOT_LEADER_OR_FOLLOWER,
                                         .base_offset = -1, .log_append_time = -1,
                                         .log_start_offset = -1};
    bool now_done = true;
    if (p != NULL) {
        now_done = replica_produce(&p->replica, records, len, -1, timeout, res.ctx, now_of(rm),
                                   &rm->rout, &res);
        drain(rm, p, out);
    }
    pr = &rm->produces[rm->produce_count - 1];
    if (now_done && pr->internal && pr->token == token && pr->pending == 1) {
        internal_done(rm, token, res.error);
        free(pr->parts);
        rm->produce_count--;
    }
}

uint32_t rm_take_internal_done(struct replica_manager *rm, struct rm_internal_result *out,
                               uint32_t cap)
{
    uint32_t n = rm->internal_done_count < cap ? rm->internal_done_count : cap;
    if (n == 0) {
        return 0; /* no array yet: memcpy must not see its NULL */
    }
    memcpy(out, rm->internal_done, n * sizeof *out);
    memmove(rm->internal_done, rm->internal_done + n,
            (rm->internal_done_count - n) * sizeof *out);
    rm->internal_done_count -= n;
    return n;
}

int64_t rm_read_log(struct replica_manager *rm, const char *topic, int32_t partition,
                    int64_t offset, uint8_t **out)
{
    *out = NULL;
    struct rm_partition *p = rm_partition_find(rm, topic, partition);
    if (p == NULL || p->replica.log == NULL) {
        return -1;
    }
    struct partition_log *l = p->replica.log;
    int64_t from = offset > partition_log_start_offset(l) ? offset : partition_log_start_offset(l);
    return partition_log_read(l, from, UINT32_MAX / 2, partition_log_end_offset(l), true, out);
}

/* ---- Fetch (leader side) ------------------------------------------------------------------ */

/* Reads only as far as the first topic (FetchRequest.json, flexible from v12): ReplicaId to
 * v14, MaxWaitMs, MinBytes, MaxBytes, IsolationLevel, SessionId, SessionEpoch, then Topics,
 * whose first entry opens with its name (to v12) or id (v13+); ClusterId and ReplicaState are
 * tagged fields, at the end. Every Fetch a broker receives asks this, so it does not decode
 * the whole request; a request this cannot read is not data (the raft listener refuses it). */
bool rm_fetch_is_data(const uint8_t *body, size_t len, int16_t version)
{
    struct wire_reader r;
    wire_reader_init(&r, body, len);
    if (version < 12) {
        return false;
    }
    wire_read_raw(&r, version <= 14 ? 25 : 21);
    uint32_t topics = wire_read_uvarint(&r); /* compact: count + 1 */
    bool data = false;
    if (version >= 13) {
        const struct kuuid metadata_id = {0, 1}; /* Uuid.METADATA_TOPIC_ID */
        struct kuuid id = wire_read_uuid(&r);
        data = !wire_uuid_equal(id, metadata_id);
    } else {
        uint32_t n = wire_read_uvarint(&r); /* compact: length + 1 */
        const uint8_t *name = n > 0 ? wire_read_raw(&r, n - 1) : NULL;
        data = name == NULL || n - 1 != strlen(METADATA_TOPIC) ||
               memcmp(name, METADATA_TOPIC, n - 1) != 0;
    }
    return r.err == 0 && topics > 1 && data;
}

struct fetch_answer {
    struct fetch_response resp;
    int64_t bytes;
    bool error;
    uint8_t **records; /* to free after encoding */
    int32_t record_count;
};

static void fetch_partition(struct replica_manager *rm, const struct fetch_request *req,
                            const struct fetch_request_topic *rt, int32_t k, int16_t version,
                            struct fetch_response_partition *out_p, struct fetch_answer *ans,
                            struct rm_out *out)
{
    const struct fetch_request_partition *fp = &rt->partitions[k];
    fetch_response_partition_init(out_p);
    out_p->partition_index = fp->partition;
    struct rm_partition *p = find_named(rm, rt->topic, rt->topic_id, version >= 13,
                                        fp->partition);
    if (p == NULL) {
        out_p->error_code = version >= 13 ? KAFKA_UNKNOWN_TOPIC_ID
                                          : KAFKA_UNKNOWN_TOPIC_OR_PARTITION;
        out_p->high_watermark = -1;
        ans->error = true;
        return;
    }
    struct replica_fetch_request fr = {
        .replica_id = req->replica_id, .broker_epoch = req->replica_epoch,
        .current_leader_epoch = fp->current_leader_epoch, .fetch_offset = fp->fetch_offset,
        .last_fetched_epoch = fp->last_fetched_epoch, .log_start_offset = fp->log_start_offset,
        .max_bytes = fp->partition_max_bytes > 0 ? (uint32_t)fp->partition_max_bytes : 0};
    struct replica_fetch_response r;
    replica_fetch(&p->replica, &fr, now_of(rm), &rm->rout, &r);
    drain(rm, p, out);
    out_p->error_code = r.error;
    out_p->high_watermark = r.high_watermark;
    out_p->last_stable_offset = r.last_stable_offset;
    out_p->log_start_offset = r.log_start_offset;
    out_p->diverging_epoch = (struct fetch_epoch_end_offset){r.diverging_epoch,
                                                            r.diverging_end_offset};
    out_p->records = r.records != NULL
                         ? (struct wire_bytes){r.records, (int32_t)r.records_len}
                         : (struct wire_bytes){NULL, 0};
    ans->error |= r.error != KAFKA_NONE || r.diverging_epoch >= 0;
    ans->bytes += (int64_t)r.records_len;
    if (r.records != NULL) {
        ans->records[ans->record_count++] = r.records;
    }
}

/* Reads every partition of the Fetch; sends the answer unless it should wait (fewer than
 * MinBytes, no error, MaxWaitMs left and `final` false). Returns whether it was sent. */
static bool answer_decoded(struct replica_manager *rm, int16_t version,
                           const struct fetch_request *req_in, uint64_t reply_ctx, bool final,
                           struct rm_out *out)
{
    const struct fetch_request req = *req_in;
    struct wire_arena a;
    wire_arena_init(&a);
    int32_t total = 0;
    for (int32_t t = 0; t < req.topic_count; t++) {
        total += req.topics[t].partition_count;
    }
    struct fetch_answer ans = {.records = wire_arena_alloc(&a, (size_t)(total + 1) * 8)};
    fetch_response_init(&ans.resp);
    ans.resp.topic_count = req.topic_count;
    ans.resp.topics = wire_arena_alloc(&a, (size_t)(req.topic_count + 1) * sizeof *ans.resp.topics);
    for (int32_t t = 0; t < req.topic_count; t++) {
        const struct fetch_request_topic *rt = &req.topics[t];
        struct fetch_response_topic *ot = &ans.resp.topics[t];
        ot->topic = rt->topic;
        ot->topic_id = rt->topic_id;
        ot->partition_count = rt->partition_count;
        ot->partitions = wire_arena_alloc(&a, (size_t)(rt->partition_count + 1) *
                                                  sizeof *ot->partitions);
        for (int32_t k = 0; k < rt->partition_count; k++) {
            fetch_partition(rm, &req, rt, k, version, &ot->partitions[k], &ans, out);
        }
    }
    bool send = final || ans.error || ans.bytes >= req.min_bytes || req.max_wait_ms <= 0;
    if (send) {
        struct wire_writer w;
        size_t mark = response_begin(&w, reply_ctx, KAFKA_API_FETCH, version);
        fetch_response_encode(&w, &ans.resp, version);
        response_end(out, &w, mark, reply_ctx);
    }
    for (int32_t i = 0; i < ans.record_count; i++) {
        free(ans.records[i]);
    }
    wire_arena_free(&a);
    return send;
}

/* What DelayedFetch waits on: any log's end or high watermark moved. */
static uint64_t data_version(const struct replica_manager *rm)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < rm->part_count; i++) {
        const struct partition_log *l = rm->parts[i]->replica.log;
        v = v * 1000003u + (uint64_t)partition_log_end_offset(l) * 31u +
            (uint64_t)partition_log_high_watermark(l);
    }
    return v;
}

static void handle_fetch(struct replica_manager *rm, int16_t version, const uint8_t *body,
                         size_t len, uint64_t reply_ctx, struct rm_out *out)
{
    struct wire_reader r;
    wire_reader_init(&r, body, len);
    struct wire_arena a;
    wire_arena_init(&a);
    struct fetch_request req;
    bool sent = fetch_request_decode(&r, version, &a, &req) != 0 || /* unreadable: dropped */
                answer_decoded(rm, version, &req, reply_ctx, false, out);
    wire_arena_free(&a);
    if (sent) {
        return;
    }
    if (rm->wait_count == 0) {
        rm->data_version = data_version(rm);
    }
    GROW(rm->waits, rm->wait_count, rm->wait_capacity);
    struct rm_fetch_wait *fw = &rm->waits[rm->wait_count++];
    *fw = (struct rm_fetch_wait){.reply_ctx = reply_ctx, .version = version,
                                 .body = malloc(len > 0 ? len : 1), .len = len};
    KS_ASSERT(fw->body != NULL);
    memcpy(fw->body, body, len);
    wire_arena_init(&fw->arena);
    wire_reader_init(&r, fw->body, len);
    int rc = fetch_request_decode(&r, version, &fw->arena, &fw->req);
    KS_ASSERT(rc == 0);
    fw->deadline = now_of(rm) + (time_ns)fw->req.max_wait_ms * NS_PER_MS;
}

static void poll_waits(struct replica_manager *rm, struct rm_out *out)
{
    if (rm->wait_count == 0) {
        return; /* handle_fetch notes the version when a wait begins */
    }
    uint64_t v = data_version(rm);
    bool moved = v != rm->data_version;
    rm->data_version = v;
    time_ns now = now_of(rm);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < rm->wait_count; i++) {
        struct rm_fetch_wait fw = rm->waits[i];
        bool final = now >= fw.deadline;
        if ((moved || final) &&
            answer_decoded(rm, fw.version, &fw.req, fw.reply_ctx, final, out)) {
            free(fw.body);
            wire_arena_free(&fw.arena);
            continue;
        }
        rm->waits[kept++] = fw;
    }
    rm->wait_count = kept;
}

/* ---- ListOffsets, OffsetForLeaderEpoch ------------------------------------------------------ */

static int64_t offset_for_time(const struct partition_log *l, int64_t ts)
{
    for (uint32_t i = 0; i < l->batch_count; i++) {
        const struct partition_log_batch *b = &l->batches[i];
        if (b->last_offset >= l->log_start_offset && b->max_timestamp >= ts &&
            b->last_offset < l->high_watermark) {
            return b->base_offset > l->log_start_offset ? b->base_offset : l->log_start_offset;
        }
    }
    return -1;
}

static void list_one(struct replica_manager *rm, const struct list_offsets_request *req,
                     const char *topic, const struct list_offsets_partition *lp,
                     struct list_offsets_partition_response *o)
{
    list_offsets_partition_response_init(o);
    o->partition_index = lp->partition_index;
    struct rm_partition *p = rm_partition_find(rm, topic, lp->partition_index);
    if (p == NULL || p->replica.role != REPLICA_LEADER) {
        o->error_code = p == NULL ? KAFKA_UNKNOWN_TOPIC_OR_PARTITION
                                  : KAFKA_NOT_LEADER_OR_FOLLOWER;
        return;
    }
    if (lp->current_leader_epoch >= 0 && lp->current_leader_epoch != p->replica.leader_epoch) {
        o->error_code = lp->current_leader_epoch < p->replica.leader_epoch
                            ? KAFKA_FENCED_LEADER_EPOCH : KAFKA_UNKNOWN_LEADER_EPOCH;
        return;
    }
    const struct partition_log *l = p->replica.log;
    bool consumer = req->replica_id < 0;
    if (lp->timestamp == -2) {
        o->offset = partition_log_start_offset(l);
    } else if (lp->timestamp == -1) {
        o->offset = consumer ? partition_log_high_watermark(l) : partition_log_end_offset(l);
    } else {
        o->offset = offset_for_time(l, lp->timestamp);
        o->timestamp = o->offset >= 0 ? lp->timestamp : -1;
    }
    o->leader_epoch = p->replica.leader_epoch;
}

static void handle_list_offsets(struct replica_manager *rm, int16_t version,
                                struct wire_reader *r, uint64_t reply_ctx,
                                struct wire_arena *a, struct rm_out *out)
{
    struct list_offsets_request req;
    if (list_offsets_request_decode(r, version, a, &req) != 0) {
        return;
    }
    struct list_offsets_response resp;
    list_offsets_response_init(&resp);
    resp.topic_count = req.topic_count;
    resp.topics = wire_arena_alloc(a, (size_t)(req.topic_count + 1) * sizeof *resp.topics);
    for (int32_t t = 0; t < req.topic_count; t++) {
        const struct list_offsets_topic *rt = &req.topics[t];
        struct list_offsets_topic_response *ot = &resp.topics[t];
        list_offsets_topic_response_init(ot);
        ot->name = rt->name;
        ot->partition_count = rt->partition_count;
        ot->partitions = wire_arena_alloc(a, (size_t)(rt->partition_count + 1) *
                                                 sizeof *ot->partitions);
        for (int32_t k = 0; k < rt->partition_count; k++) {
            list_one(rm, &req, rt->name, &rt->partitions[k], &ot->partitions[k]);
        }
    }
    struct wire_writer w;
    size_t mark = response_begin(&w, reply_ctx, KAFKA_API_LIST_OFFSETS, version);
    list_offsets_response_encode(&w, &resp, version);
    response_end(out, &w, mark, reply_ctx);
}

static void handle_offset_for_epoch(struct replica_manager *rm, int16_t version,
                                    struct wire_reader *r, uint64_t reply_ctx,
                                    struct wire_arena *a, struct rm_out *out)
{
    struct offset_for_leader_epoch_request req;
    if (offset_for_leader_epoch_request_decode(r, version, a, &req) != 0) {
        return;
    }
    struct offset_for_leader_epoch_response resp;
    offset_for_leader_epoch_response_init(&resp);
    resp.topic_count = req.topic_count;
    resp.topics = wire_arena_alloc(a, (size_t)(req.topic_count + 1) * sizeof *resp.topics);
    for (int32_t t = 0; t < req.topic_count; t++) {
        const struct offset_for_leader_topic *rt = &req.topics[t];
        struct offset_for_leader_topic_result *ot = &resp.topics[t];
        offset_for_leader_topic_result_init(ot);
        ot->topic = rt->topic;
        ot->partition_count = rt->partition_count;
        ot->partitions = wire_arena_alloc(a, (size_t)(rt->partition_count + 1) *
                                                 sizeof *ot->partitions);
        for (int32_t k = 0; k < rt->partition_count; k++) {
            const struct offset_for_leader_partition *lp = &rt->partitions[k];
            struct epoch_end_offset *o = &ot->partitions[k];
            epoch_end_offset_init(o);
            o->partition = lp->partition;
            struct rm_partition *p = rm_partition_find(rm, rt->topic, lp->partition);
            o->error_code = p == NULL ? KAFKA_UNKNOWN_TOPIC_OR_PARTITION
                                      : replica_offset_for_epoch(&p->replica,
                                                                 lp->current_leader_epoch,
                                                                 lp->leader_epoch,
                                                                 &o->leader_epoch,
                                                                 &o->end_offset);
        }
    }
    struct wire_writer w;
    size_t mark = response_begin(&w, reply_ctx, KAFKA_API_OFFSET_FOR_LEADER_EPOCH, version);
    offset_for_leader_epoch_response_encode(&w, &resp, version);
    response_end(out, &w, mark, reply_ctx);
}

static bool decode_answer(const uint8_t *frame, size_t len, int16_t key, int16_t version,
                          struct wire_reader *body)
{
    struct kheader_response h;
    return kheader_response_decode_frame(frame, len, key, version, &h, body) == 0;
}

/* ---- InitProducerId, AllocateProducerIds ----------------------------------------------------- */

/* TransactionCoordinator.handleInitProducerId for a null transactional id: a fresh id, epoch 0.
 * Transactions are not modelled: a transactional id is refused (the clients never send one). */
static void handle_init_producer_id(struct replica_manager *rm, int16_t version,
                                    struct wire_reader *r, uint64_t reply_ctx,
                                    struct wire_arena *a, struct rm_out *out)
{
    struct init_producer_id_request req;
    struct init_producer_id_response resp;
    init_producer_id_response_init(&resp);
    if (init_producer_id_request_decode(r, version, a, &req) != 0 ||
        req.transactional_id != NULL) {
        resp.error_code = KAFKA_INVALID_REQUEST;
    } else {
        int64_t id = producer_ids_generate(&rm->producer_ids);
        resp.error_code = id >= 0 ? KAFKA_NONE : KAFKA_COORDINATOR_LOAD_IN_PROGRESS;
        resp.producer_id = id;
        resp.producer_epoch = id >= 0 ? 0 : -1;
    }
    struct wire_writer w;
    size_t mark = response_begin(&w, reply_ctx, KAFKA_API_INIT_PRODUCER_ID, version);
    init_producer_id_response_encode(&w, &resp, version);
    response_end(out, &w, mark, reply_ctx);
}

static void poll_producer_ids(struct replica_manager *rm, int controller_host,
                              struct rm_out *out)
{
    time_ns now = now_of(rm);
    if (rm->producer_ids_corr != 0 && now - rm->producer_ids_sent_at >= rm->cfg.socket_timeout) {
        rm->producer_ids_corr = 0; /* no answer: as a failed request */
        producer_ids_on_answer(&rm->producer_ids, KAFKA_REQUEST_TIMED_OUT, -1, 0, now);
    }
    if (controller_host < 0 || rm->broker_epoch < 0 ||
        !producer_ids_send(&rm->producer_ids, now)) {
        return;
    }
    struct allocate_producer_ids_request req = {.broker_id = rm->cfg.broker_id,
                                                .broker_epoch = rm->broker_epoch};
    struct wire_writer w;
    size_t mark = request_begin(rm, &w, KAFKA_API_ALLOCATE_PRODUCER_IDS, 0,
                                &rm->producer_ids_corr);
    allocate_producer_ids_request_encode(&w, &req, 0);
    kheader_frame_end(&w, mark);
    push_frame(out, controller_host, ENV_CHANNEL_REQUEST, &w);
    rm->producer_ids_host = controller_host;
    rm->producer_ids_sent_at = now;
}

static void on_producer_ids_answer(struct replica_manager *rm, const uint8_t *frame, size_t len)
{
    struct wire_reader body;
    struct wire_arena a;
    wire_arena_init(&a);
    struct allocate_producer_ids_response r;
    bool ok = decode_answer(frame, len, KAFKA_API_ALLOCATE_PRODUCER_IDS, 0, &body) &&
              allocate_producer_ids_response_decode(&body, 0, &a, &r) == 0;
    rm->producer_ids_corr = 0;
    producer_ids_on_answer(&rm->producer_ids, ok ? r.error_code : KAFKA_CORRUPT_MESSAGE,
                           ok ? r.producer_id_start : -1, ok ? r.producer_id_len : 0,
                           now_of(rm));
    wire_arena_free(&a);
}

bool rm_handle_request(struct replica_manager *rm, int16_t api_key, int16_t version,
                       const uint8_t *body, size_t len, uint64_t reply_ctx,
                       struct rm_out *out)
{
    if (!rm->logs_open) {
        return false;
    }
    struct wire_reader r;
    wire_reader_init(&r, body, len);
    struct wire_arena a;
    wire_arena_init(&a);
    bool taken = true;
    switch (api_key) {
    case KAFKA_API_PRODUCE:
        handle_produce(rm, version, &r, reply_ctx, &a, out);
        break;
    case KAFKA_API_FETCH:
        handle_fetch(rm, version, body, len, reply_ctx, out);
        break;
    case KAFKA_API_LIST_OFFSETS:
        handle_list_offsets(rm, version, &r, reply_ctx, &a, out);
        break;
    case KAFKA_API_OFFSET_FOR_LEADER_EPOCH:
        handle_offset_for_epoch(rm, version, &r, reply_ctx, &a, out);
        break;
    case KAFKA_API_INIT_PRODUCER_ID:
        handle_init_producer_id(rm, version, &r, reply_ctx, &a, out);
        break;
    default:
        taken = false;
    }
    wire_arena_free(&a);
    return taken;
}

/* ---- the follower fetchers (ReplicaFetcherManager) ---------------------------------------- */

static struct rm_fetcher *fetcher_of(struct replica_manager *rm, int32_t leader_id)
{
    for (uint32_t i = 0; i < rm->fetcher_count; i++) {
        if (rm->fetchers[i].leader_id == leader_id) {
            return &rm->fetchers[i];
        }
    }
    GROW(rm->fetchers, rm->fetcher_count, rm->fetcher_capacity);
    struct rm_fetcher *f = &rm->fetchers[rm->fetcher_count++];
    *f = (struct rm_fetcher){.leader_id = leader_id, .host = -1};
    return f;
}

static bool follows(const struct rm_partition *p, int32_t leader_id)
{
    return p->replica.role == REPLICA_FOLLOWER && p->replica.leader_id == leader_id;
}

/* Every partition of the fetcher's OffsetsForLeaderEpoch in flight fails with `error`. */
static void fail_epoch_round(struct replica_manager *rm, struct rm_fetcher *f, int16_t error)
{
    f->corr = 0;
    f->epoch_round = false;
    for (uint32_t i = 0; i < rm->part_count; i++) {
        struct rm_partition *p = rm->parts[i];
        if (p->fetch_id != 0 && follows(p, f->leader_id)) {
            replica_on_offset_for_epoch(&p->replica, p->fetch_id, error, -1, -1, now_of(rm));
        }
        p->fetch_id = follows(p, f->leader_id) ? 0 : p->fetch_id;
    }
}

/* Every partition of the fetcher's Fetch in flight fails with `error` (it backs off). */
static void fail_fetch(struct replica_manager *rm, struct rm_fetcher *f, int16_t error)
{
    if (f->epoch_round) {
        fail_epoch_round(rm, f, error);
        return;
    }
    f->corr = 0;
    struct replica_fetch_response r = {.error = error, .high_watermark = -1,
                                       .last_stable_offset = -1, .log_start_offset = -1,
                                       .diverging_epoch = -1, .diverging_end_offset = -1};
    for (uint32_t i = 0; i < rm->part_count; i++) {
        struct rm_partition *p = rm->parts[i];
        if (p->fetch_id != 0 && follows(p, f->leader_id)) {
            replica_on_fetch_response(&p->replica, p->fetch_id, &r, now_of(rm));
        }
        p->fetch_id = follows(p, f->leader_id) ? 0 : p->fetch_id;
    }
}

/* A round this fetcher does not speak (OffsetsForLeaderEpoch, ListOffsets) fails: backoff. */
static void refuse_round(struct replica_manager *rm, struct rm_partition *p,
                         const struct replica_next *n)
{
    time_ns now = now_of(rm);
    if (n->kind == REPLICA_SEND_OFFSETS_FOR_LEADER_EPOCH) {
        replica_on_offset_for_epoch(&p->replica, n->id, KAFKA_UNKNOWN_SERVER_ERROR, -1, -1, now);
    } else {
        replica_on_leader_offsets(&p->replica, n->id, KAFKA_UNKNOWN_SERVER_ERROR, -1, -1, now);
    }
}

static void add_fetch_partition(struct fetch_request *req, struct wire_arena *a,
                                int32_t cap, const struct rm_partition *p,
                                const struct replica_next *n)
{
    struct fetch_request_topic *t = NULL;
    for (int32_t i = 0; i < req->topic_count; i++) {
        t = wire_uuid_equal(req->topics[i].topic_id, p->topic_id) ? &req->topics[i] : t;
    }
    if (t == NULL) {
        t = &req->topics[req->topic_count++];
        t->topic = p->topic;
        t->topic_id = p->topic_id;
        t->partitions = wire_arena_alloc(a, (size_t)cap * sizeof *t->partitions);
    }
    struct fetch_request_partition *fp = &t->partitions[t->partition_count++];
    fetch_request_partition_init(fp);
    fp->partition = p->partition;
    fp->current_leader_epoch = n->fetch.current_leader_epoch;
    fp->fetch_offset = n->fetch.fetch_offset;
    fp->last_fetched_epoch = n->fetch.last_fetched_epoch;
    fp->log_start_offset = n->fetch.log_start_offset;
    fp->partition_max_bytes = (int32_t)n->fetch.max_bytes;
}

/* Whether replica_next_fetch may have something for this leader now (cheap, before a Fetch
 * is built: every event polls the fetchers). */
static bool fetch_due(const struct replica_manager *rm, int32_t leader_id)
{
    time_ns now = now_of(rm);
    for (uint32_t i = 0; i < rm->part_count; i++) {
        const struct replica_partition *r = &rm->parts[i]->replica;
        if (follows(rm->parts[i], leader_id) && !r->request_in_flight &&
            r->fetch_state != REPLICA_FETCH_IDLE && now >= r->backoff_until) {
            return true;
        }
    }
    return false;
}

/* A partition of this fetcher due for its truncation round (no LastFetchedEpoch: KIP-320 off). */
static bool truncation_due(const struct replica_manager *rm, const struct rm_partition *p,
                           int32_t leader_id)
{
    const struct replica_partition *r = &p->replica;
    return follows(p, leader_id) && !r->request_in_flight &&
           r->fetch_state == REPLICA_FETCH_TRUNCATING && now_of(rm) >= r->backoff_until;
}

static void add_epoch_partition(struct offset_for_leader_epoch_request *req,
                                struct wire_arena *a, int32_t cap, const struct rm_partition *p,
                                const struct replica_next *n)
{
    struct offset_for_leader_topic *t = NULL;
    for (int32_t i = 0; i < req->topic_count; i++) {
        t = strcmp(req->topics[i].topic, p->topic) == 0 ? &req->topics[i] : t;
    }
    if (t == NULL) {
        t = &req->topics[req->topic_count++];
        t->topic = p->topic;
        t->partitions = wire_arena_alloc(a, (size_t)cap * sizeof *t->partitions);
    }
    t->partitions[t->partition_count++] = (struct offset_for_leader_partition){
        .partition = p->partition, .current_leader_epoch = n->current_leader_epoch,
        .leader_epoch = n->epoch};
}

/* AbstractFetcherThread.maybeTruncate before KIP-320: one OffsetsForLeaderEpoch for every
 * partition that must learn where the leader's epoch ended; their fetches wait for it. */
static bool send_epoch_round(struct replica_manager *rm, struct rm_fetcher *f,
                             struct rm_out *out)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct offset_for_leader_epoch_request req = {.replica_id = rm->cfg.broker_id};
    int32_t cap = (int32_t)rm->part_count + 1;
    req.topics = wire_arena_alloc(&a, (size_t)cap * sizeof *req.topics);
    for (uint32_t i = 0; i < rm->part_count; i++) {
        struct rm_partition *p = rm->parts[i];
        struct replica_next n;
        if (truncation_due(rm, p, f->leader_id) &&
            replica_next_fetch(&p->replica, now_of(rm), &n) ==
                REPLICA_SEND_OFFSETS_FOR_LEADER_EPOCH) {
            p->fetch_id = n.id;
            add_epoch_partition(&req, &a, cap, p, &n);
        }
    }
    bool sent = req.topic_count > 0;
    if (sent) {
        int16_t v = RM_OFFSET_FOR_LEADER_EPOCH_VERSION;
        struct wire_writer w;
        size_t mark = request_begin(rm, &w, KAFKA_API_OFFSET_FOR_LEADER_EPOCH, v, &f->corr);
        offset_for_leader_epoch_request_encode(&w, &req, v);
        kheader_frame_end(&w, mark);
        push_frame(out, f->host, ENV_CHANNEL_REQUEST, &w);
        f->sent_at = now_of(rm);
        f->epoch_round = true;
    }
    wire_arena_free(&a);
    return sent;
}

static void on_epoch_answer(struct replica_manager *rm, struct rm_fetcher *f,
                            const struct offset_for_leader_epoch_response *resp)
{
    for (int32_t t = 0; t < resp->topic_count; t++) {
        const struct offset_for_leader_topic_result *rt = &resp->topics[t];
        for (int32_t k = 0; k < rt->partition_count; k++) {
            const struct epoch_end_offset *o = &rt->partitions[k];
            struct rm_partition *p = rm_partition_find(rm, rt->topic, o->partition);
            if (p == NULL || p->fetch_id == 0 || !follows(p, f->leader_id)) {
                continue;
            }
            replica_on_offset_for_epoch(&p->replica, p->fetch_id, o->error_code,
                                        o->leader_epoch, o->end_offset, now_of(rm));
            p->fetch_id = 0;
        }
    }
    fail_epoch_round(rm, f, KAFKA_UNKNOWN_SERVER_ERROR); /* those the answer left out */
}

static void send_fetch(struct replica_manager *rm, struct rm_fetcher *f, struct rm_out *out)
{
    if (send_epoch_round(rm, f, out)) {
        return;
    }
    struct wire_arena a;
    wire_arena_init(&a);
    struct fetch_request req;
    fetch_request_init(&req);
    int32_t cap = (int32_t)rm->part_count + 1;
    req.topics = wire_arena_alloc(&a, (size_t)cap * sizeof *req.topics);
    req.replica_id = rm->cfg.broker_id;
    req.replica_epoch = rm->broker_epoch;
    req.max_wait_ms = rm->cfg.fetch_wait_max_ms;
    req.min_bytes = rm->cfg.fetch_min_bytes;
    req.max_bytes = rm->cfg.fetch_response_max_bytes;
    for (uint32_t i = 0; i < rm->part_count; i++) {
        struct rm_partition *p = rm->parts[i];
        struct replica_next n;
        if (!follows(p, f->leader_id) ||
            replica_next_fetch(&p->replica, now_of(rm), &n) == REPLICA_SEND_NOTHING) {
            continue;
        }
        if (n.kind != REPLICA_SEND_FETCH) {
            refuse_round(rm, p, &n);
            continue;
        }
        p->fetch_id = n.id;
        add_fetch_partition(&req, &a, cap, p, &n);
    }
    if (req.topic_count > 0) {
        struct wire_writer w;
        size_t mark = request_begin(rm, &w, KAFKA_API_FETCH, rm->cfg.fetch_version, &f->corr);
        fetch_request_encode(&w, &req, rm->cfg.fetch_version);
        kheader_frame_end(&w, mark);
        push_frame(out, f->host, ENV_CHANNEL_REQUEST, &w);
        f->sent_at = now_of(rm);
    }
    wire_arena_free(&a);
}

static int host_of_broker(const struct replica_manager *rm, const struct metadata_image *img,
                          int32_t id)
{
    const struct image_broker *b = metadata_image_broker(img, id);
    if (b == NULL || b->host[0] == '\0') {
        return -1;
    }
    return rm->env->ops->resolve(rm->env->ctx, b->host, b->port);
}

static void poll_fetchers(struct replica_manager *rm, const struct metadata_image *img,
                          struct rm_out *out)
{
    for (uint32_t i = 0; i < rm->part_count; i++) {
        const struct rm_partition *p = rm->parts[i];
        if (p->replica.role == REPLICA_FOLLOWER && p->replica.leader_id >= 0 &&
            p->replica.leader_id != rm->cfg.broker_id) {
            (void)fetcher_of(rm, p->replica.leader_id); /* in the order leaders first appear */
        }
    }
    time_ns now = now_of(rm);
    for (uint32_t i = 0; i < rm->fetcher_count; i++) {
        struct rm_fetcher *f = &rm->fetchers[i];
        if (f->corr != 0 && now - f->sent_at >= rm->cfg.socket_timeout) {
            fail_fetch(rm, f, KAFKA_REQUEST_TIMED_OUT);
        }
        if (f->corr == 0 && fetch_due(rm, f->leader_id)) {
            f->host = host_of_broker(rm, img, f->leader_id);
            if (f->host >= 0) {
                send_fetch(rm, f, out);
            }
        }
    }
}

static void on_fetch_answer(struct replica_manager *rm, struct rm_fetcher *f,
                            const struct fetch_response *resp)
{
    time_ns now = now_of(rm);
    for (int32_t t = 0; t < resp->topic_count && resp->error_code == KAFKA_NONE; t++) {
        const struct fetch_response_topic *rt = &resp->topics[t];
        for (int32_t k = 0; k < rt->partition_count; k++) {
            const struct fetch_response_partition *fp = &rt->partitions[k];
            struct rm_partition *p = find_named(rm, rt->topic, rt->topic_id,
                                                rm->cfg.fetch_version >= 13,
                                                fp->partition_index);
            if (p == NULL || p->fetch_id == 0 || !follows(p, f->leader_id)) {
                continue;
            }
            struct replica_fetch_response r = {
                .error = fp->error_code, .high_watermark = fp->high_watermark,
                .last_stable_offset = fp->last_stable_offset,
                .log_start_offset = fp->log_start_offset,
                .diverging_epoch = fp->diverging_epoch.epoch,
                .diverging_end_offset = fp->diverging_epoch.end_offset,
                .records = fp->records.len > 0 ? (uint8_t *)fp->records.ptr : NULL,
                .records_len = fp->records.len > 0 ? (size_t)fp->records.len : 0};
            replica_on_fetch_response(&p->replica, p->fetch_id, &r, now);
            p->fetch_id = 0;
        }
    }
    fail_fetch(rm, f, resp->error_code != KAFKA_NONE ? resp->error_code
                                                     : KAFKA_UNKNOWN_SERVER_ERROR);
}

/* ---- AlterPartition (AlterPartitionManager) ---------------------------------------------- */

static void add_alter(struct alter_partition_request *req, struct wire_arena *a, int32_t cap,
                      const struct rm_partition *p)
{
    struct alter_partition_request_topic *t = NULL;
    for (int32_t i = 0; i < req->topic_count; i++) {
        t = wire_uuid_equal(req->topics[i].topic_id, p->topic_id) ? &req->topics[i] : t;
    }
    if (t == NULL) {
        t = &req->topics[req->topic_count++];
        t->topic_name = p->topic;
        t->topic_id = p->topic_id;
        t->partitions = wire_arena_alloc(a, (size_t)cap * sizeof *t->partitions);
    }
    struct alter_partition_request_partition *ap = &t->partitions[t->partition_count++];
    const struct replica_alter *al = &p->alter;
    ap->partition_index = p->partition;
    ap->leader_epoch = al->leader_epoch;
    ap->partition_epoch = al->partition_epoch;
    ap->new_isr_count = al->isr_count;
    ap->new_isr = wire_arena_alloc(a, (size_t)(al->isr_count + 1) * sizeof *ap->new_isr);
    for (int i = 0; i < al->isr_count; i++) {
        ap->new_isr[i] = (struct alter_partition_broker_state){al->isr[i], al->broker_epochs[i]};
    }
}

static void send_alter(struct replica_manager *rm, int controller_host, struct rm_out *out)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct alter_partition_request req;
    alter_partition_request_init(&req);
    int32_t cap = (int32_t)rm->part_count + 1;
    req.topics = wire_arena_alloc(&a, (size_t)cap * sizeof *req.topics);
    req.broker_id = rm->cfg.broker_id;
    req.broker_epoch = rm->broker_epoch;
    for (uint32_t i = 0; i < rm->part_count; i++) {
        struct rm_partition *p = rm->parts[i];
        if (p->alter_queued) {
            add_alter(&req, &a, cap, p);
            p->alter_queued = false;
            p->alter_sent = true;
        }
    }
    if (req.topic_count > 0) {
        int16_t v = rm->cfg.alter_partition_version;
        struct wire_writer w;
        size_t mark = request_begin(rm, &w, KAFKA_API_ALTER_PARTITION, v, &rm->alter_corr);
        alter_partition_request_encode(&w, &req, v);
        kheader_frame_end(&w, mark);
        push_frame(out, controller_host, ENV_CHANNEL_REQUEST, &w);
        rm->alter_host = controller_host;
        rm->alter_sent_at = now_of(rm);
    }
    wire_arena_free(&a);
}

static void alter_answer(struct replica_manager *rm, struct rm_partition *p,
                         const struct alter_partition_response_partition *ap, int16_t error,
                         struct rm_out *out)
{
    struct replica_alter_answer ans = {.id = p->alter.id, .error = error, .leader_id = -1,
                                       .leader_epoch = -1, .partition_epoch = -1};
    if (ap != NULL) {
        ans.error = ap->error_code;
        ans.leader_id = ap->leader_id;
        ans.leader_epoch = ap->leader_epoch;
        ans.partition_epoch = ap->partition_epoch;
        for (int32_t i = 0; i < ap->isr_count && ans.isr_count < REPLICA_MAX; i++) {
            ans.isr[ans.isr_count++] = ap->isr[i];
        }
    }
    p->alter_sent = false;
    replica_on_alter_partition(&p->replica, &ans, now_of(rm), &rm->rout);
    drain(rm, p, out);
}

/* The answer (NULL: none came, REQUEST_TIMED_OUT) for every partition of the request. */
static void on_alter_answer(struct replica_manager *rm, const struct alter_partition_response *r,
                            struct rm_out *out)
{
    rm->alter_corr = 0;
    int16_t top = r == NULL ? KAFKA_REQUEST_TIMED_OUT : r->error_code;
    for (int32_t t = 0; r != NULL && top == KAFKA_NONE && t < r->topic_count; t++) {
        const struct alter_partition_response_topic *rt = &r->topics[t];
        for (int32_t k = 0; k < rt->partition_count; k++) {
            const struct alter_partition_response_partition *ap = &rt->partitions[k];
            struct rm_partition *p = find_named(rm, rt->topic_name, rt->topic_id,
                                                rm->cfg.alter_partition_version >= 2,
                                                ap->partition_index);
            if (p != NULL && p->alter_sent) {
                alter_answer(rm, p, ap, KAFKA_NONE, out);
            }
        }
    }
    for (uint32_t i = 0; i < rm->part_count; i++) {
        if (rm->parts[i]->alter_sent) { /* top-level error or left out: retried */
            alter_answer(rm, rm->parts[i], NULL,
                         top == KAFKA_NONE ? KAFKA_UNKNOWN_SERVER_ERROR : top, out);
        }
    }
    if (top != KAFKA_NONE) {
        rm->alter_retry_at = now_of(rm) + rm->cfg.alter_retry_backoff;
    }
}

static bool alter_queued(const struct replica_manager *rm)
{
    for (uint32_t i = 0; i < rm->part_count; i++) {
        if (rm->parts[i]->alter_queued) {
            return true;
        }
    }
    return false;
}

static void poll_alter(struct replica_manager *rm, int controller_host, struct rm_out *out)
{
    time_ns now = now_of(rm);
    if (rm->alter_corr != 0 && now - rm->alter_sent_at >= rm->cfg.socket_timeout) {
        on_alter_answer(rm, NULL, out);
    }
    if (rm->alter_corr == 0 && now >= rm->alter_retry_at && controller_host >= 0 &&
        rm->broker_epoch >= 0 && alter_queued(rm)) {
        send_alter(rm, controller_host, out);
    }
}

/* ---- responses, resets, disk ------------------------------------------------------------- */


bool rm_on_response(struct replica_manager *rm, int from_host, const uint8_t *frame,
                    size_t len, struct rm_out *out)
{
    int32_t corr = 0;
    if (kheader_response_peek(frame, len, &corr) != 0 || corr <= RM_CORRELATION_BASE) {
        return false;
    }
    struct wire_reader body;
    struct wire_arena a;
    wire_arena_init(&a);
    if (corr == rm->producer_ids_corr && from_host == rm->producer_ids_host) {
        on_producer_ids_answer(rm, frame, len);
    }
    if (corr == rm->alter_corr && from_host == rm->alter_host) {
        struct alter_partition_response r;
        int16_t v = rm->cfg.alter_partition_version;
        bool ok = decode_answer(frame, len, KAFKA_API_ALTER_PARTITION, v, &body) &&
                  alter_partition_response_decode(&body, v, &a, &r) == 0;
        on_alter_answer(rm, ok ? &r : NULL, out);
    }
    for (uint32_t i = 0; i < rm->fetcher_count; i++) {
        struct rm_fetcher *f = &rm->fetchers[i];
        if (f->corr != corr || f->host != from_host) {
            continue;
        }
        if (f->epoch_round) {
            struct offset_for_leader_epoch_response er;
            int16_t ev = RM_OFFSET_FOR_LEADER_EPOCH_VERSION;
            if (decode_answer(frame, len, KAFKA_API_OFFSET_FOR_LEADER_EPOCH, ev, &body) &&
                offset_for_leader_epoch_response_decode(&body, ev, &a, &er) == 0) {
                on_epoch_answer(rm, f, &er);
            } else {
                fail_epoch_round(rm, f, KAFKA_CORRUPT_MESSAGE);
            }
            continue;
        }
        struct fetch_response r;
        int16_t v = rm->cfg.fetch_version;
        if (decode_answer(frame, len, KAFKA_API_FETCH, v, &body) &&
            fetch_response_decode(&body, v, &a, &r) == 0) {
            on_fetch_answer(rm, f, &r);
        } else {
            fail_fetch(rm, f, KAFKA_CORRUPT_MESSAGE);
        }
    }
    wire_arena_free(&a);
    return true;
}

void rm_on_reset(struct replica_manager *rm, int host, struct rm_out *out)
{
    for (uint32_t i = 0; i < rm->fetcher_count; i++) {
        if (rm->fetchers[i].corr != 0 && rm->fetchers[i].host == host) {
            fail_fetch(rm, &rm->fetchers[i], KAFKA_NOT_LEADER_OR_FOLLOWER);
        }
    }
    if (rm->alter_corr != 0 && rm->alter_host == host) {
        on_alter_answer(rm, NULL, out);
    }
}

bool rm_on_disk(struct replica_manager *rm, uint64_t token, int err)
{
    return rm->logs_open && log_manager_on_disk(&rm->logs, token, err);
}

/* ---- time --------------------------------------------------------------------------------- */

static void poll_replicas(struct replica_manager *rm, struct rm_out *out)
{
    time_ns now = now_of(rm);
    bool expire = now >= rm->next_isr_expiration;
    if (expire) {
        rm->next_isr_expiration = now + replica_isr_expiration_interval(&rm->cfg.replica);
    }
    for (uint32_t i = 0; i < rm->part_count; i++) {
        struct rm_partition *p = rm->parts[i];
        if (expire && p->replica.role == REPLICA_LEADER) {
            replica_maybe_shrink_isr(&p->replica, now, &rm->rout);
        }
        if (replica_next_deadline(&p->replica) <= now) {
            replica_tick(&p->replica, now, &rm->rout);
        }
        if (rm->rout.send_alter || rm->rout.done_count > 0) {
            drain(rm, p, out);
        }
    }
}

void rm_poll(struct replica_manager *rm, const struct metadata_image *img, int controller_host,
             struct rm_out *out)
{
    if (!rm->logs_open) {
        return;
    }
    if (rm->logs.state == LM_RUNNING && log_manager_next_deadline(&rm->logs) <= now_of(rm)) {
        log_manager_tick(&rm->logs);
    }
    poll_replicas(rm, out);
    poll_waits(rm, out);
    poll_fetchers(rm, img, out);
    poll_alter(rm, controller_host, out);
    poll_producer_ids(rm, controller_host, out);
    poll_waits(rm, out); /* a follower's answer may have moved a leader's HW */
}

static time_ns later_than(time_ns now, time_ns due, time_ns best)
{
    return due > now && due < best ? due : best;
}

time_ns rm_next_deadline(const struct replica_manager *rm)
{
    if (!rm->logs_open) {
        return TIME_NS_MAX;
    }
    time_ns now = now_of(rm);
    time_ns due = later_than(now, rm->next_isr_expiration, TIME_NS_MAX);
    if (rm->logs.state == LM_RUNNING) {
        due = later_than(now, log_manager_next_deadline(&rm->logs), due);
    }
    for (uint32_t i = 0; i < rm->part_count; i++) {
        due = later_than(now, replica_next_deadline(&rm->parts[i]->replica), due);
    }
    for (uint32_t i = 0; i < rm->wait_count; i++) {
        due = later_than(now, rm->waits[i].deadline, due);
    }
    for (uint32_t i = 0; i < rm->fetcher_count; i++) {
        const struct rm_fetcher *f = &rm->fetchers[i];
        due = f->corr != 0 ? later_than(now, f->sent_at + rm->cfg.socket_timeout, due) : due;
    }
    if (rm->alter_corr != 0) {
        due = later_than(now, rm->alter_sent_at + rm->cfg.socket_timeout, due);
    } else if (alter_queued(rm)) {
        due = later_than(now, rm->alter_retry_at, due);
    }
    return due;
}

void rm_shutdown(struct replica_manager *rm, int64_t broker_epoch)
{
    if (rm->logs_open && rm->logs.state == LM_RUNNING) {
        log_manager_shutdown(&rm->logs, broker_epoch);
    }
}

bool rm_shutdown_done(const struct replica_manager *rm)
{
    return !rm->logs_open || rm->logs.state == LM_SHUT;
}
