/* client_net.c — framing, Metadata and history records shared by the simulated clients. */
#include "workload/client_net.h"

#include "protocol/admin_rpc.h"
#include "protocol/header.h"
#include "trace/db.h"

size_t client_frame_begin(struct wire_writer *w, int16_t api_key, int16_t version,
                          int32_t correlation_id, const char *client_id)
{
    wire_writer_init(w);
    size_t mark = kheader_frame_begin(w);
    struct kheader_request h = {.api_key = api_key, .api_version = version,
                                .correlation_id = correlation_id, .client_id = client_id};
    kheader_request_encode(w, &h, kheader_request_version(api_key, version));
    return mark;
}

void client_send(const struct env *env, int host, struct wire_writer *w, size_t mark)
{
    kheader_frame_end(w, mark);
    KS_ASSERT(w->err == 0);
    env->ops->send(env->ctx, host, ENV_CHANNEL_REQUEST, w->bytes, w->len);
    wire_writer_free(w);
}

void client_metadata_request(const struct env *env, int host, int16_t version,
                             int32_t correlation_id, const char *client_id, const char *topic)
{
    struct wire_writer w;
    size_t mark = client_frame_begin(&w, KAFKA_API_METADATA, version, correlation_id,
                                     client_id);
    struct metadata_request_topic t = {.name = topic};
    struct metadata_request req;
    metadata_request_init(&req);
    req.topic_count = 1;
    req.topics = &t;
    req.allow_auto_topic_creation = false;
    metadata_request_encode(&w, &req, version);
    client_send(env, host, &w, mark);
}

static int host_of(const struct env *env, const struct metadata_response *r, int32_t node)
{
    for (int32_t i = 0; i < r->broker_count; i++) {
        if (r->brokers[i].node_id == node) {
            return env->ops->resolve(env->ctx, r->brokers[i].host, r->brokers[i].port);
        }
    }
    return -1;
}

int16_t client_metadata_response(const struct env *env, const uint8_t *bytes, size_t len,
                                 int16_t version, struct client_topic *t)
{
    struct wire_arena arena;
    wire_arena_init(&arena);
    struct kheader_response h;
    struct wire_reader body;
    struct metadata_response r;
    int16_t error = KAFKA_UNKNOWN_SERVER_ERROR;
    if (kheader_response_decode_frame(bytes, len, KAFKA_API_METADATA, version, &h, &body) == 0 &&
        metadata_response_decode(&body, version, &arena, &r) == 0 && r.topic_count == 1) {
        const struct metadata_response_topic *mt = &r.topics[0];
        error = mt->error_code;
        if (error == KAFKA_NONE) {
            int32_t n = mt->partition_count < CLIENT_PARTITIONS_MAX ? mt->partition_count
                                                                    : CLIENT_PARTITIONS_MAX;
            t->partition_count = n;
            for (int32_t i = 0; i < n; i++) {
                t->leader[i] = -1;
                t->leader_host[i] = -1;
                t->leader_epoch[i] = -1;
            }
            for (int32_t i = 0; i < mt->partition_count; i++) {
                const struct metadata_response_partition *p = &mt->partitions[i];
                if (p->partition_index < 0 || p->partition_index >= n) {
                    continue;
                }
                t->leader[p->partition_index] = p->leader_id;
                t->leader_epoch[p->partition_index] = p->leader_epoch;
                t->leader_host[p->partition_index] =
                    p->leader_id >= 0 ? host_of(env, &r, p->leader_id) : -1;
            }
        }
    }
    wire_arena_free(&arena);
    return error;
}

bool client_error_stale_metadata(int16_t e)
{
    return e == KAFKA_NOT_LEADER_OR_FOLLOWER || e == KAFKA_LEADER_NOT_AVAILABLE ||
           e == KAFKA_UNKNOWN_TOPIC_OR_PARTITION || e == KAFKA_FENCED_LEADER_EPOCH ||
           e == KAFKA_UNKNOWN_LEADER_EPOCH || e == KAFKA_KAFKA_STORAGE_ERROR ||
           e == KAFKA_BROKER_NOT_AVAILABLE;
}

void client_record(const struct client_sinks *s, const struct run_db_op *op)
{
    if (s->db != NULL) {
        run_db_op(s->db, op);
    }
    if (s->on_op != NULL) {
        s->on_op(s->ctx, op);
    }
}
