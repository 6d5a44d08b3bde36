/* controller.c — ClusterControlManager and BrokerHeartbeatManager, for the active controller. */
#include "controller.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metadata/image.h"
#include "metadata/records.h"
#include "protocol/controller_rpc.h"
#include "protocol/header.h"

struct controller_reply {
    uint64_t reply_ctx;
    int16_t api_key;
    int16_t api_version;
    int64_t offset; /* answered once every offset up to this one is applied */
    struct broker_registration_response registration;
    struct broker_heartbeat_response heartbeat;
};

void controller_init(struct controller *c, struct quorum *q, struct raft_listener *l,
                     const char *cluster_id, time_ns session_timeout)
{
    memset(c, 0, sizeof *c);
    c->quorum = q;
    c->listener = l;
    c->cluster_id = cluster_id;
    c->session_timeout = session_timeout;
    c->active_epoch = -1;
}

void controller_free(struct controller *c)
{
    free(c->replies);
    c->replies = NULL;
}

bool controller_active(const struct controller *c)
{
    const struct quorum *q = c->quorum;
    return q->role == QUORUM_LEADER && c->listener->applied_offset >= q->epoch_start_offset;
}

static struct controller_session *session_of(struct controller *c, int32_t broker_id)
{
    for (int i = 0; i < c->session_count; i++) {
        if (c->sessions[i].broker_id == broker_id) {
            return &c->sessions[i];
        }
    }
    if (c->session_count == CONTROLLER_BROKER_MAX) {
        return NULL;
    }
    struct controller_session *s = &c->sessions[c->session_count++];
    *s = (struct controller_session){.broker_id = broker_id, .change_pending_offset = -1};
    return s;
}

/* A newly active controller knows the registrations from the image and gives each broker a
 * full session from now. */
static void become_active(struct controller *c, time_ns now)
{
    c->active_epoch = c->quorum->election.epoch;
    c->session_count = 0;
    const struct metadata_image *img = &c->listener->image;
    for (uint32_t i = 0; i < img->broker_count && i < CONTROLLER_BROKER_MAX; i++) {
        struct controller_session *s = session_of(c, img->brokers[i].id);
        s->broker_epoch = img->brokers[i].epoch;
        s->last_heartbeat = now;
    }
}

static void send_reply(struct controller_reply *r, struct quorum_out *out, int16_t error)
{
    struct quorum_msg *m = quorum_out_msg(out, r->api_key, r->api_version);
    m->response = true;
    m->reply_ctx = r->reply_ctx;
    if (r->api_key == KAFKA_API_BROKER_REGISTRATION) {
        if (error != 0) {
            r->registration.error_code = error;
            r->registration.broker_epoch = -1;
        }
        broker_registration_response_encode(&m->body, &r->registration, r->api_version);
    } else {
        if (error != 0) {
            r->heartbeat.error_code = error;
        }
        broker_heartbeat_response_encode(&m->body, &r->heartbeat, r->api_version);
    }
}

static void park(struct controller *c, const struct controller_reply *r)
{
    if (c->reply_count == c->reply_capacity) {
        c->reply_capacity = c->reply_capacity ? c->reply_capacity * 2 : 8;
        c->replies = realloc(c->replies, c->reply_capacity * sizeof *c->replies);
        KS_ASSERT(c->replies != NULL);
    }
    c->replies[c->reply_count++] = *r;
}

/* Appends one metadata record through the quorum; returns its offset or -1. */
static int64_t append(struct controller *c, time_ns now, const struct metadata_record *rec)
{
    struct wire_writer w;
    wire_writer_init(&w);
    KS_ASSERT(metadata_record_encode(&w, rec) == 0);
    int64_t offset = quorum_append(c->quorum, now, w.bytes, (uint32_t)w.len);
    wire_writer_free(&w);
    return offset;
}

static int64_t append_fencing(struct controller *c, time_ns now, int32_t id, int64_t epoch,
                              int8_t fenced)
{
    struct metadata_record rec;
    metadata_record_init(&rec, METADATA_BROKER_REGISTRATION_CHANGE, 0);
    rec.u.broker_registration_change.broker_id = id;
    rec.u.broker_registration_change.broker_epoch = epoch;
    rec.u.broker_registration_change.fenced = fenced;
    return append(c, now, &rec);
}

/* ClusterControlManager.registerBroker. */
static int16_t register_broker(struct controller *c, time_ns now,
                               const struct broker_registration_request *req,
                               struct controller_reply *reply)
{
    if (req->cluster_id == NULL || strcmp(req->cluster_id, c->cluster_id) != 0) {
        return KAFKA_INCONSISTENT_CLUSTER_ID;
    }
    const struct image_broker *existing = metadata_image_broker(&c->listener->image,
                                                                req->broker_id);
    struct controller_session *s = session_of(c, req->broker_id);
    if (s == NULL) {
        return KAFKA_UNKNOWN_SERVER_ERROR;
    }
    bool live = existing != NULL && !existing->fenced &&
                now - s->last_heartbeat < c->session_timeout;
    if (live && !wire_uuid_equal(existing->incarnation_id, req->incarnation_id)) {
        return KAFKA_DUPLICATE_BROKER_REGISTRATION;
    }
    struct metadata_record rec;
    metadata_record_init(&rec, METADATA_REGISTER_BROKER,
                         (int16_t)metadata_record_version_for(METADATA_REGISTER_BROKER,
                                                              METADATA_MV_LATEST));
    struct metadata_register_broker *rb = &rec.u.register_broker;
    rb->broker_id = req->broker_id;
    rb->incarnation_id = req->incarnation_id;
    rb->endpoint_count = req->listener_count;
    rb->endpoints = (const struct metadata_endpoint *)req->listeners; /* same layout */
    rb->feature_count = req->feature_count;
    rb->features = (const struct metadata_feature *)req->features;
    rb->rack = req->rack;
    rb->fenced = true;
    /* The broker epoch is the offset of the record that registers it. */
    rb->broker_epoch = raft_log_end_offset(c->quorum->log) + c->quorum->pending_count;
    int64_t offset = append(c, now, &rec);
    if (offset < 0) {
        return KAFKA_NOT_CONTROLLER;
    }
    KS_ASSERT(offset == rb->broker_epoch);
    s->broker_epoch = offset;
    s->last_heartbeat = now;
    s->change_pending_offset = -1;
    reply->offset = offset;
    reply->registration.broker_epoch = offset;
    return KAFKA_NONE;
}

/* BrokerHeartbeatManager + ClusterControlManager.processBrokerHeartbeat. Returns the error,
 * and in reply->offset the record to wait for (-1: answer now). */
static int16_t heartbeat(struct controller *c, time_ns now,
                         const struct broker_heartbeat_request *req,
                         struct controller_reply *reply)
{
    const struct image_broker *b = metadata_image_broker(&c->listener->image, req->broker_id);
    if (b == NULL) {
        return KAFKA_BROKER_ID_NOT_REGISTERED;
    }
    if (b->epoch != req->broker_epoch) {
        return KAFKA_STALE_BROKER_EPOCH;
    }
    struct controller_session *s = session_of(c, req->broker_id);
    if (s == NULL) {
        return KAFKA_UNKNOWN_SERVER_ERROR;
    }
    s->last_heartbeat = now;
    s->broker_epoch = b->epoch;
    bool caught_up = req->current_metadata_offset >= b->epoch;
    reply->heartbeat.is_caught_up = caught_up;
    reply->heartbeat.is_fenced = b->fenced;
    reply->offset = -1;
    bool unfence = b->fenced && caught_up && !req->want_fence && !req->want_shut_down;
    if (unfence && s->change_pending_offset < 0) {
        s->change_pending_offset = append_fencing(c, now, b->id, b->epoch, -1);
    }
    if (unfence && s->change_pending_offset >= 0) {
        reply->offset = s->change_pending_offset;
        reply->heartbeat.is_fenced = false;
    }
    return KAFKA_NONE;
}

void controller_handle(struct controller *c, time_ns now, int16_t api_key, int16_t version,
                       struct wire_reader *body, uint64_t reply_ctx, struct quorum_out *out)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct controller_reply reply = {.reply_ctx = reply_ctx, .api_key = api_key,
                                     .api_version = version, .offset = -1};
    broker_registration_response_init(&reply.registration);
    broker_heartbeat_response_init(&reply.heartbeat);
    int16_t error = KAFKA_NOT_CONTROLLER;
    if (controller_active(c)) {
        if (c->active_epoch != c->quorum->election.epoch) {
            become_active(c, now);
        }
        if (api_key == KAFKA_API_BROKER_REGISTRATION) {
            struct broker_registration_request req;
            error = broker_registration_request_decode(body, version, &a, &req) == 0
                        ? register_broker(c, now, &req, &reply) : KAFKA_INVALID_REQUEST;
        } else {
            struct broker_heartbeat_request req;
            error = broker_heartbeat_request_decode(body, version, &a, &req) == 0
                        ? heartbeat(c, now, &req, &reply) : KAFKA_INVALID_REQUEST;
        }
    }
    if (error == KAFKA_NONE && reply.offset >= 0) {
        park(c, &reply);
    } else {
        send_reply(&reply, out, error);
    }
    wire_arena_free(&a);
}

static void expire_sessions(struct controller *c, time_ns now, struct quorum_out *out)
{
    const struct metadata_image *img = &c->listener->image;
    for (int i = 0; i < c->session_count; i++) {
        struct controller_session *s = &c->sessions[i];
        const struct image_broker *b = metadata_image_broker(img, s->broker_id);
        if (s->change_pending_offset >= 0 &&
            s->change_pending_offset < c->listener->applied_offset) {
            s->change_pending_offset = -1; /* the change is in the image now */
        }
        if (b == NULL || b->fenced || s->change_pending_offset >= 0 ||
            now - s->last_heartbeat < c->session_timeout) {
            continue;
        }
        s->change_pending_offset = append_fencing(c, now, b->id, b->epoch, 1);
        c->fenced_by_timeout++;
        struct quorum_trace *t = quorum_out_trace(out, TRACE_CONTROLLER);
        snprintf(t->detail, sizeof t->detail, "fence broker=%d epoch=%" PRId64
                 " reason=session-timeout last_heartbeat_ms=%" PRId64, b->id, b->epoch,
                 s->last_heartbeat / NS_PER_MS);
    }
}

void controller_poll(struct controller *c, time_ns now, struct quorum_out *out)
{
    bool active = controller_active(c);
    if (active && c->active_epoch != c->quorum->election.epoch) {
        become_active(c, now);
    }
    if (!active) {
        c->active_epoch = -1;
    }
    uint32_t kept = 0;
    for (uint32_t i = 0; i < c->reply_count; i++) {
        struct controller_reply *r = &c->replies[i];
        if (!active) {
            send_reply(r, out, KAFKA_NOT_CONTROLLER);
        } else if (r->offset < c->listener->applied_offset) {
            send_reply(r, out, KAFKA_NONE);
        } else {
            c->replies[kept++] = *r;
        }
    }
    c->reply_count = kept;
    if (active) {
        expire_sessions(c, now, out);
    }
}

time_ns controller_next_deadline(const struct controller *c)
{
    time_ns t = TIME_NS_MAX;
    if (c->active_epoch < 0) {
        return t;
    }
    const struct metadata_image *img = &c->listener->image;
    for (int i = 0; i < c->session_count; i++) {
        const struct controller_session *s = &c->sessions[i];
        const struct image_broker *b = metadata_image_broker(img, s->broker_id);
        if (b != NULL && !b->fenced && s->change_pending_offset < 0 &&
            s->last_heartbeat + c->session_timeout < t) {
            t = s->last_heartbeat + c->session_timeout;
        }
    }
    return t;
}
