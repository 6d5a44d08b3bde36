/* controller.c — the active controller: ClusterControlManager, BrokerHeartbeatManager and the
 * request side of ReplicationControlManager. */
#include "controller.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metadata/image.h"
#include "metadata/records.h"
#include "protocol/admin_rpc.h"
#include "protocol/controller_rpc.h"
#include "protocol/data_rpc.h"
#include "protocol/header.h"

struct controller_reply {
    uint64_t reply_ctx;
    int16_t api_key;
    int16_t api_version;
    struct controller_envelope envelope;
    int32_t epoch;           /* the epoch the controller was active in when it parked this */
    int64_t offset;          /* answered once every offset up to this one is applied */
    struct wire_writer ok;   /* the answer then */
    struct wire_writer lost; /* the answer if this controller is deposed first */
};

static int64_t emit_record(void *ctx, const struct metadata_record *r);
static uint64_t sink_random(void *ctx);
static void sink_trace(void *ctx, const char *line);
static bool sink_in_shutdown(void *ctx, int32_t broker_id);

void controller_init(struct controller *c, struct quorum *q, struct raft_listener *l,
                     const struct controller_config *cfg)
{
    memset(c, 0, sizeof *c);
    c->quorum = q;
    c->listener = l;
    c->cfg = *cfg;
    c->active_epoch = -1;
    c->last_emitted = -1;
    metadata_image_init(&c->work);
    c->repl = (struct replication){
        .cfg = &c->cfg.replication, .image = &c->work,
        .sink = {.ctx = c, .emit = emit_record, .draw = sink_random, .trace = sink_trace,
                 .in_shutdown = sink_in_shutdown}};
}

static void reply_free(struct controller_reply *r)
{
    wire_writer_free(&r->ok);
    wire_writer_free(&r->lost);
}

void controller_free(struct controller *c)
{
    for (uint32_t i = 0; i < c->reply_count; i++) {
        reply_free(&c->replies[i]);
    }
    free(c->replies);
    c->replies = NULL;
    metadata_image_free(&c->work);
}

bool controller_active(const struct controller *c)
{
    const struct quorum *q = c->quorum;
    return q->role == QUORUM_LEADER && c->listener->applied_offset >= q->epoch_start_offset;
}

bool controller_handles(int16_t api_key)
{
    return api_key == KAFKA_API_BROKER_REGISTRATION || api_key == KAFKA_API_BROKER_HEARTBEAT ||
           api_key == KAFKA_API_ALTER_PARTITION || api_key == KAFKA_API_ENVELOPE ||
           api_key == KAFKA_API_ALLOCATE_PRODUCER_IDS;
}

const struct metadata_image *controller_image(const struct controller *c)
{
    return c->active_epoch >= 0 ? &c->work : NULL;
}

/* ---- the sink replication.c writes through ------------------------------------------------- */

static void trace_line(struct controller *c, const char *line)
{
    if (c->out != NULL) {
        struct quorum_trace *t = quorum_out_trace(c->out, TRACE_CONTROLLER);
        snprintf(t->detail, sizeof t->detail, "%s", line);
    }
}

static void sink_trace(void *ctx, const char *line)
{
    struct controller *c = ctx;
    if (c->out != NULL) {
        struct quorum_trace *t = quorum_out_trace(c->out, TRACE_PARTITION);
        snprintf(t->detail, sizeof t->detail, "%s", line);
    }
}

static bool sink_in_shutdown(void *ctx, int32_t broker_id)
{
    const struct controller *c = ctx;
    for (int i = 0; i < c->session_count; i++) {
        if (c->sessions[i].broker_id == broker_id) {
            return c->sessions[i].controlled_shutdown;
        }
    }
    return false;
}

static uint64_t sink_random(void *ctx)
{
    struct controller *c = ctx;
    return c->cfg.draw(c->cfg.random_ctx);
}

/* Appends one record through the quorum and replays it into the controller's image. */
static int64_t emit_record(void *ctx, const struct metadata_record *rec)
{
    struct controller *c = ctx;
    struct wire_writer w;
    wire_writer_init(&w);
    KS_ASSERT(metadata_record_encode(&w, rec) == 0);
    int64_t offset = quorum_append(c->quorum, c->now, w.bytes, (uint32_t)w.len);
    wire_writer_free(&w);
    if (offset < 0) {
        return -1;
    }
    char err[200] = "";
    /* The controller's own record must fit its own image: anything else is a kraftsim bug. */
    if (metadata_image_apply(&c->work, rec, err, sizeof err) != 0) {
        fprintf(stderr, "controller record does not fit its image: %s\n", err);
        KS_ASSERT(!"controller record does not fit its image");
    }
    c->last_emitted = offset;
    return offset;
}

static void copy_record(void *arg, const struct metadata_record *r)
{
    char err[200];
    KS_ASSERT(metadata_image_apply(arg, r, err, sizeof err) == 0);
}

static int64_t append_fencing(struct controller *c, int32_t id, int64_t epoch, int8_t fenced,
                              int8_t shutdown)
{
    struct metadata_record rec;
    if (c->cfg.replication.mv_level < METADATA_MV_3_3_IV2) {
        /* Before BrokerRegistrationChangeRecord: Fence/UnfenceBrokerRecord, and no record
         * for controlled shutdown (it lived in the controller's memory only). */
        if (fenced == 0) {
            return c->last_emitted;
        }
        metadata_record_init(&rec, fenced > 0 ? METADATA_FENCE_BROKER : METADATA_UNFENCE_BROKER,
                             0);
        rec.u.fencing = (struct metadata_broker_fencing){id, epoch};
        return emit_record(c, &rec);
    }
    metadata_record_init(&rec, METADATA_BROKER_REGISTRATION_CHANGE,
                         (int16_t)metadata_record_version_for(METADATA_BROKER_REGISTRATION_CHANGE,
                                                              c->cfg.replication.mv_level));
    rec.u.broker_registration_change.broker_id = id;
    rec.u.broker_registration_change.broker_epoch = epoch;
    rec.u.broker_registration_change.fenced = fenced;
    rec.u.broker_registration_change.in_controlled_shutdown = shutdown;
    return emit_record(c, &rec);
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
    *s = (struct controller_session){.broker_id = broker_id, .metadata_offset = -1,
                                     .shutdown_offset = -1, .register_offset = -1};
    return s;
}

static void bootstrap(struct controller *c)
{
    bool have_mv = false;
    for (uint32_t i = 0; i < c->work.feature_count; i++) {
        have_mv |= strcmp(c->work.features[i].name, "metadata.version") == 0;
    }
    /* metadata.version exists since 3.3-IV0 (KIP-778); 3.0-3.2 logs start without it. */
    if (have_mv || !c->cfg.bootstrap || c->cfg.replication.mv_level < 4) {
        return;
    }
    struct metadata_record rec;
    metadata_record_init(&rec, METADATA_FEATURE_LEVEL, 0);
    rec.u.feature_level.name = "metadata.version";
    rec.u.feature_level.feature_level = (int16_t)c->cfg.replication.mv_level;
    emit_record(c, &rec);
    if (replication_elr_on(&c->cfg.replication)) {
        rec.u.feature_level.name = "eligible.leader.replicas.version";
        rec.u.feature_level.feature_level = 1;
        emit_record(c, &rec);
    }
    trace_line(c, "bootstrap metadata.version written");
}

/* A newly active controller copies the committed image, knows the registrations from it and
 * gives each broker a full session from now (BrokerHeartbeatManager starts empty). */
static void become_active(struct controller *c)
{
    c->active_epoch = c->quorum->election.epoch;
    metadata_image_free(&c->work);
    metadata_image_init(&c->work);
    metadata_image_records(&c->listener->image, copy_record, &c->work);
    c->session_count = 0;
    c->next_noop = c->now + c->cfg.max_idle_interval;
    for (uint32_t i = 0; i < c->work.broker_count && i < CONTROLLER_BROKER_MAX; i++) {
        struct controller_session *s = session_of(c, c->work.brokers[i].id);
        s->last_heartbeat = c->now;
    }
    bootstrap(c);
}

static void resign_active(struct controller *c)
{
    c->active_epoch = -1;
    metadata_image_free(&c->work);
    metadata_image_init(&c->work);
}

/* Whether this controller is active now, taking up or giving up its image as that changes. */
static bool refresh_active(struct controller *c)
{
    bool active = controller_active(c);
    if (active && c->active_epoch != c->quorum->election.epoch) {
        become_active(c);
    } else if (!active && c->active_epoch >= 0) {
        resign_active(c);
    }
    return active;
}

/* ---- answers ------------------------------------------------------------------------------ */

/* Sends `body` as the answer to `r`, wrapped in an EnvelopeResponse if it came in one. */
static void send_body(struct controller_reply *r, struct quorum_out *out,
                      const struct wire_writer *body, int16_t envelope_error)
{
    if (!r->envelope.wrapped) {
        struct quorum_msg *m = quorum_out_msg(out, r->api_key, r->api_version);
        m->response = true;
        m->reply_ctx = r->reply_ctx;
        wire_write_raw(&m->body, body->bytes, body->len);
        return;
    }
    struct quorum_msg *m = quorum_out_msg(out, KAFKA_API_ENVELOPE, 0);
    m->response = true;
    m->reply_ctx = r->reply_ctx;
    struct envelope_response resp;
    envelope_response_init(&resp);
    resp.error_code = envelope_error;
    struct wire_writer inner;
    wire_writer_init(&inner);
    if (envelope_error == KAFKA_NONE) {
        struct kheader_response h = {.correlation_id = r->envelope.correlation_id};
        kheader_response_encode(&inner, &h, kheader_response_version(r->envelope.api_key,
                                                                      r->envelope.api_version));
        wire_write_raw(&inner, body->bytes, body->len);
        resp.response_data = (struct wire_bytes){inner.bytes, (int32_t)inner.len};
    }
    envelope_response_encode(&m->body, &resp, 0);
    wire_writer_free(&inner);
}

static void answer(struct controller *c, struct controller_reply *r, bool lost)
{
    send_body(r, c->out, lost ? &r->lost : &r->ok, lost ? KAFKA_NOT_CONTROLLER : KAFKA_NONE);
    reply_free(r);
}

/* Answers now, or parks the answer until the records appended so far are applied. */
static void finish(struct controller *c, struct controller_reply *r, int64_t before)
{
    if (c->last_emitted == before) {
        answer(c, r, false);
        return;
    }
    r->offset = c->last_emitted;
    r->epoch = c->active_epoch;
    if (c->reply_count == c->reply_capacity) {
        c->reply_capacity = c->reply_capacity ? c->reply_capacity * 2 : 8;
        c->replies = realloc(c->replies, c->reply_capacity * sizeof *c->replies);
        KS_ASSERT(c->replies != NULL);
    }
    c->replies[c->reply_count++] = *r;
}

/* ---- the broker lifecycle ------------------------------------------------------------------- */

/* ClusterControlManager.registerBroker. */
static int16_t register_broker(struct controller *c, const struct broker_registration_request *req,
                               struct broker_registration_response *resp)
{
    if (req->cluster_id == NULL || strcmp(req->cluster_id, c->cfg.cluster_id) != 0) {
        return KAFKA_INCONSISTENT_CLUSTER_ID;
    }
    const struct image_broker *existing = metadata_image_broker(&c->work, req->broker_id);
    struct controller_session *s = session_of(c, req->broker_id);
    if (s == NULL) {
        return KAFKA_UNKNOWN_SERVER_ERROR;
    }
    bool live = existing != NULL && !existing->fenced &&
                c->now - s->last_heartbeat < c->cfg.session_timeout;
    bool same = existing != NULL && wire_uuid_equal(existing->incarnation_id,
                                                    req->incarnation_id);
    if (live && !same) {
        return KAFKA_DUPLICATE_BROKER_REGISTRATION;
    }
    /* offsetControl.nextWriteOffset() (writeOffset + 1 before 3.6): where this operation's
     * first record goes, taken before any record is generated. */
    int64_t first = raft_log_end_offset(c->quorum->log) + c->quorum->pending_count;
    bool amend = same && c->cfg.replication.registration_amend;
    struct image_broker old = existing != NULL ? *existing : (struct image_broker){0};
    if (existing != NULL && !same) {
        /* A new incarnation leaves every ISR and leadership before it registers again
         * (BrokerShutdownHandler.addRecordsForShutdown); with ELR, one that did not shut down
         * cleanly in its last epoch leaves every ELR too (handleBrokerUncleanShutdown). */
        if (replication_elr_on(&c->cfg.replication) &&
            req->previous_broker_epoch != existing->epoch) {
            replication_broker_unclean_shutdown(&c->repl, req->broker_id);
        } else {
            replication_broker_leaving(&c->repl, req->broker_id, "re-registration");
        }
    }
    struct metadata_record rec;
    metadata_record_init(&rec, METADATA_REGISTER_BROKER,
                         (int16_t)metadata_record_version_for(METADATA_REGISTER_BROKER,
                                                              c->cfg.replication.mv_level));
    struct metadata_register_broker *rb = &rec.u.register_broker;
    rb->broker_id = req->broker_id;
    rb->incarnation_id = req->incarnation_id;
    rb->endpoint_count = req->listener_count;
    rb->endpoints = (const struct metadata_endpoint *)req->listeners; /* same layout */
    rb->feature_count = req->feature_count;
    rb->features = (const struct metadata_feature *)req->features;
    rb->rack = req->rack;
    /* "Amending registration of broker N, incarnation ID I. Broker epoch remains E." (3.9+);
     * before, the same incarnation is registered anew: a new epoch, fenced. */
    rb->fenced = amend ? old.fenced : true;
    rb->in_controlled_shutdown = amend && old.in_controlled_shutdown &&
                                 rec.version >= 1;
    rb->broker_epoch = amend ? old.epoch : first;
    int64_t offset = emit_record(c, &rec);
    if (offset < 0) {
        return KAFKA_NOT_CONTROLLER;
    }
    KS_ASSERT(offset >= first);
    KS_ASSERT(amend || offset == first || (existing != NULL && !same));
    s->last_heartbeat = c->now;
    s->register_offset = offset;
    if (!amend) { /* BrokerHeartbeatManager.register: a fenced broker, out of shutdown */
        s->controlled_shutdown = false;
        s->shutdown_offset = -1;
        s->metadata_offset = -1;
    }
    resp->broker_epoch = rb->broker_epoch;
    char line[128];
    snprintf(line, sizeof line, "register broker=%d epoch=%" PRId64 " record_offset=%" PRId64
             "%s", rb->broker_id, rb->broker_epoch, offset, amend ? " amended" : "");
    trace_line(c, line);
    return KAFKA_NONE;
}

/* lowestActiveOffset: the smallest metadata offset an unfenced broker outside controlled
 * shutdown reported; INT64_MAX when there is none. */
static int64_t lowest_active_offset(const struct controller *c)
{
    int64_t lowest = INT64_MAX;
    for (int i = 0; i < c->session_count; i++) {
        const struct controller_session *s = &c->sessions[i];
        const struct image_broker *b = metadata_image_broker(&c->work, s->broker_id);
        if (b != NULL && !b->fenced && !s->controlled_shutdown && s->metadata_offset < lowest) {
            lowest = s->metadata_offset;
        }
    }
    return lowest;
}

/* SHUTDOWN_NOW: handleBrokerFenced, the partitions first, then the fence. */
static void shutdown_now(struct controller *c, struct controller_session *s, int32_t id,
                         int64_t epoch, const char *why)
{
    replication_broker_leaving(&c->repl, id, "shutdown");
    append_fencing(c, id, epoch, 1, 0);
    s->controlled_shutdown = false;
    s->shutdown_offset = -1;
    char line[160];
    snprintf(line, sizeof line, "fence broker=%d epoch=%" PRId64 " reason=controlled-shutdown "
             "%s", id, epoch, why);
    trace_line(c, line);
}

/* An unfenced broker asks to shut down (calculateNextBrokerState, UNFENCED + WantShutDown):
 * one that leads nothing goes at once; a leader enters CONTROLLED_SHUTDOWN
 * (handleBrokerInControlledShutdown: InControlledShutdown first, from 3.3-IV3, then its ISR
 * places and leaderships), and the records' last offset is its controlledShutdownOffset
 * (processBatchEndOffset). Returns whether it may shut down now. */
static bool begin_controlled_shutdown(struct controller *c, struct controller_session *s,
                                      int32_t id, int64_t epoch)
{
    KS_ASSERT(!s->controlled_shutdown);
    if (replication_leader_count(&c->work, id) == 0) {
        shutdown_now(c, s, id, epoch, "leaderships=0");
        return true;
    }
    s->controlled_shutdown = true;
    if (c->cfg.replication.mv_level >= METADATA_MV_3_3_IV3) {
        append_fencing(c, id, epoch, 0, 1);
    }
    replication_broker_leaving(&c->repl, id, "controlled-shutdown");
    s->shutdown_offset = c->last_emitted;
    KS_ASSERT(s->shutdown_offset >= 0);
    char line[128];
    snprintf(line, sizeof line, "controlled-shutdown broker=%d epoch=%" PRId64
             " controlled_shutdown_offset=%" PRId64, id, epoch, s->shutdown_offset);
    trace_line(c, line);
    return false;
}

/* CONTROLLED_SHUTDOWN: it may go once it leads nothing and every active broker has reported
 * the offset its shutdown records end at. */
static bool continue_controlled_shutdown(struct controller *c, struct controller_session *s,
                                         int32_t id, int64_t epoch)
{
    KS_ASSERT(s->controlled_shutdown && s->shutdown_offset >= 0);
    if (replication_leader_count(&c->work, id) > 0) {
        return false;
    }
    int64_t lowest = lowest_active_offset(c);
    if (s->shutdown_offset > lowest) {
        return false;
    }
    char why[96];
    snprintf(why, sizeof why, "controlled_shutdown_offset=%" PRId64 " lowest_active_offset=%s",
             s->shutdown_offset, lowest == INT64_MAX ? "none" : "");
    if (lowest != INT64_MAX) {
        snprintf(why + strlen(why), sizeof why - strlen(why), "%" PRId64, lowest);
    }
    shutdown_now(c, s, id, epoch, why);
    return true;
}

/* ReplicationControlManager.processBrokerHeartbeat with BrokerHeartbeatManager's
 * calculateNextBrokerState (current state: CONTROLLED_SHUTDOWN if the session is in it, else
 * FENCED or UNFENCED as the image has it) and touch. */
static int16_t heartbeat(struct controller *c, const struct broker_heartbeat_request *req,
                         struct broker_heartbeat_response *resp)
{
    const struct image_broker *b = metadata_image_broker(&c->work, req->broker_id);
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
    s->last_heartbeat = c->now;
    int32_t id = b->id;
    int64_t epoch = b->epoch;
    bool fenced = b->fenced;
    int64_t registered_at = s->register_offset >= 0 ? s->register_offset : epoch;
    resp->is_caught_up = req->current_metadata_offset >= registered_at;
    if (s->controlled_shutdown && !fenced) {
        resp->should_shut_down = continue_controlled_shutdown(c, s, id, epoch);
    } else if (fenced) {
        s->controlled_shutdown = false; /* touch(fenced): out of controlled shutdown */
        s->shutdown_offset = -1;
        if (req->want_shut_down) {
            resp->should_shut_down = true;
        } else if (resp->is_caught_up && !req->want_fence) {
            append_fencing(c, id, epoch, -1, 0);
            replication_broker_unfenced(&c->repl, id);
        }
    } else if (req->want_fence) {
        replication_broker_leaving(&c->repl, id, "want-fence");
        append_fencing(c, id, epoch, 1, 0);
        resp->should_shut_down = req->want_shut_down;
    } else if (req->want_shut_down) {
        resp->should_shut_down = begin_controlled_shutdown(c, s, id, epoch);
    }
    s->metadata_offset = req->current_metadata_offset; /* touch */
    b = metadata_image_broker(&c->work, id);
    resp->is_fenced = b->fenced;
    KS_ASSERT(!resp->should_shut_down || resp->is_fenced);
    return KAFKA_NONE;
}

static void expire_sessions(struct controller *c)
{
    for (int i = 0; i < c->session_count; i++) {
        struct controller_session *s = &c->sessions[i];
        const struct image_broker *b = metadata_image_broker(&c->work, s->broker_id);
        if (b == NULL || b->fenced || c->now - s->last_heartbeat < c->cfg.session_timeout) {
            continue;
        }
        int32_t id = b->id;
        int64_t epoch = b->epoch;
        char line[160];
        snprintf(line, sizeof line, "fence broker=%d epoch=%" PRId64
                 " reason=session-timeout last_heartbeat_ms=%" PRId64, id, epoch,
                 s->last_heartbeat / NS_PER_MS);
        trace_line(c, line);
        /* handleBrokerFenced: the partitions first, then the fence, in one batch. */
        if (c->cfg.planted_fence_before_leader_moves) {
            append_fencing(c, id, epoch, 1, 0);
        }
        replication_broker_leaving(&c->repl, id, "fenced");
        if (!c->cfg.planted_fence_before_leader_moves) {
            append_fencing(c, id, epoch, 1, 0);
        }
        s->controlled_shutdown = false; /* a fenced broker leaves controlled shutdown */
        s->shutdown_offset = -1;
        c->fenced_by_timeout++;
    }
}

static bool noops_on(const struct controller *c)
{
    return c->cfg.max_idle_interval > 0 && c->cfg.replication.mv_level >= METADATA_MV_3_3_IV1;
}

/* QuorumController's periodic writeNoOpRecord task. */
static void write_noop(struct controller *c)
{
    if (!noops_on(c) || c->now < c->next_noop) {
        return;
    }
    struct metadata_record rec;
    metadata_record_init(&rec, METADATA_NO_OP, 0);
    if (emit_record(c, &rec) >= 0) {
        c->noops++;
    }
    c->next_noop = c->now + c->cfg.max_idle_interval;
}

/* ---- dispatch ----------------------------------------------------------------------------- */

static void do_registration(struct controller *c, struct controller_reply *r,
                            struct wire_reader *body, struct wire_arena *a, bool active)
{
    int16_t v = r->api_version;
    struct broker_registration_response resp, lost;
    broker_registration_response_init(&resp);
    broker_registration_response_init(&lost);
    struct broker_registration_request req;
    int16_t err = KAFKA_NOT_CONTROLLER;
    if (broker_registration_request_decode(body, v, a, &req) != 0) {
        err = KAFKA_INVALID_REQUEST;
    } else if (active) {
        err = register_broker(c, &req, &resp);
    }
    if (err != KAFKA_NONE) {
        resp.error_code = err;
        resp.broker_epoch = -1;
    }
    lost.error_code = KAFKA_NOT_CONTROLLER;
    lost.broker_epoch = -1;
    broker_registration_response_encode(&r->ok, &resp, v);
    broker_registration_response_encode(&r->lost, &lost, v);
}

static void do_heartbeat(struct controller *c, struct controller_reply *r,
                         struct wire_reader *body, struct wire_arena *a, bool active)
{
    int16_t v = r->api_version;
    struct broker_heartbeat_response resp, lost;
    broker_heartbeat_response_init(&resp);
    broker_heartbeat_response_init(&lost);
    struct broker_heartbeat_request req;
    int16_t err = KAFKA_NOT_CONTROLLER;
    if (broker_heartbeat_request_decode(body, v, a, &req) != 0) {
        err = KAFKA_INVALID_REQUEST;
    } else if (active) {
        err = heartbeat(c, &req, &resp);
    }
    resp.error_code = err;
    lost.error_code = KAFKA_NOT_CONTROLLER;
    broker_heartbeat_response_encode(&r->ok, &resp, v);
    broker_heartbeat_response_encode(&r->lost, &lost, v);
}

/* CreateTopics: the controller's answer, and NOT_CONTROLLER for every topic should it be
 * deposed before the records commit (or when it is not active at all). */
static void do_create_topics(struct controller *c, struct controller_reply *r,
                             struct wire_reader *body, struct wire_arena *a, bool active)
{
    int16_t v = r->api_version;
    struct create_topics_request req;
    if (create_topics_request_decode(body, v, a, &req) != 0) {
        req.topic_count = 0;
    }
    struct create_topics_response resp;
    create_topics_error_response(&req, KAFKA_NOT_CONTROLLER, a, &resp);
    create_topics_response_encode(&r->lost, &resp, v);
    if (active) {
        replication_create_topics(&c->repl, &req, v, a, &resp);
    }
    create_topics_response_encode(&r->ok, &resp, v);
}

static void do_delete_topics(struct controller *c, struct controller_reply *r,
                             struct wire_reader *body, struct wire_arena *a, bool active)
{
    int16_t v = r->api_version;
    struct delete_topics_request req;
    if (delete_topics_request_decode(body, v, a, &req) != 0) {
        req.topic_count = 0;
    }
    struct delete_topics_response resp;
    delete_topics_error_response(&req, KAFKA_NOT_CONTROLLER, a, &resp);
    delete_topics_response_encode(&r->lost, &resp, v);
    if (active) {
        replication_delete_topics(&c->repl, &req, v, a, &resp);
    }
    delete_topics_response_encode(&r->ok, &resp, v);
}

static void do_alter_partition(struct controller *c, struct controller_reply *r,
                               struct wire_reader *body, struct wire_arena *a, bool active)
{
    int16_t v = r->api_version;
    struct alter_partition_request req;
    struct alter_partition_response resp, lost;
    memset(&resp, 0, sizeof resp);
    memset(&lost, 0, sizeof lost);
    if (alter_partition_request_decode(body, v, a, &req) != 0) {
        resp.error_code = KAFKA_INVALID_REQUEST;
    } else if (active) {
        replication_alter_partition(&c->repl, &req, v, a, &resp);
    } else {
        resp.error_code = KAFKA_NOT_CONTROLLER;
    }
    lost.error_code = KAFKA_NOT_CONTROLLER;
    alter_partition_response_encode(&r->ok, &resp, v);
    alter_partition_response_encode(&r->lost, &lost, v);
}

/* ProducerIdControlManager.generateNextProducerId: checkBrokerEpoch, then the next block of
 * ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE ids, answered once its ProducerIdsRecord commits. */
#define PRODUCER_ID_BLOCK_SIZE 1000
static int16_t allocate_producer_ids(struct controller *c,
                                     const struct allocate_producer_ids_request *req,
                                     struct allocate_producer_ids_response *resp)
{
    const struct image_broker *b = metadata_image_broker(&c->work, req->broker_id);
    if (b == NULL) {
        return KAFKA_BROKER_ID_NOT_REGISTERED;
    }
    if (b->epoch != req->broker_epoch) {
        return KAFKA_STALE_BROKER_EPOCH;
    }
    int64_t first = c->work.next_producer_id >= 0 ? c->work.next_producer_id : 0;
    if (first > INT64_MAX - PRODUCER_ID_BLOCK_SIZE) {
        return KAFKA_UNKNOWN_SERVER_ERROR; /* "Exhausted all producerIds" */
    }
    struct metadata_record rec;
    metadata_record_init(&rec, METADATA_PRODUCER_IDS, 0);
    rec.u.producer_ids = (struct metadata_producer_ids){
        .broker_id = req->broker_id, .broker_epoch = req->broker_epoch,
        .next_producer_id = first + PRODUCER_ID_BLOCK_SIZE};
    if (emit_record(c, &rec) < 0) {
        return KAFKA_NOT_CONTROLLER;
    }
    resp->producer_id_start = first;
    resp->producer_id_len = PRODUCER_ID_BLOCK_SIZE;
    return KAFKA_NONE;
}

static void do_allocate_producer_ids(struct controller *c, struct controller_reply *r,
                                     struct wire_reader *body, struct wire_arena *a, bool active)
{
    int16_t v = r->api_version;
    struct allocate_producer_ids_request req;
    struct allocate_producer_ids_response resp, lost;
    allocate_producer_ids_response_init(&resp);
    allocate_producer_ids_response_init(&lost);
    int16_t err = KAFKA_NOT_CONTROLLER;
    if (allocate_producer_ids_request_decode(body, v, a, &req) != 0) {
        err = KAFKA_INVALID_REQUEST;
    } else if (active) {
        err = allocate_producer_ids(c, &req, &resp);
    }
    resp.error_code = err;
    lost.error_code = KAFKA_NOT_CONTROLLER;
    allocate_producer_ids_response_encode(&r->ok, &resp, v);
    allocate_producer_ids_response_encode(&r->lost, &lost, v);
}

/* ElectLeaders (ControllerApis.handleElectLeaders -> QuorumController.electLeaders). */
static void do_elect_leaders(struct controller *c, struct controller_reply *r,
                             struct wire_reader *body, struct wire_arena *a, bool active)
{
    int16_t v = r->api_version;
    struct elect_leaders_request req;
    struct elect_leaders_response resp;
    if (elect_leaders_request_decode(body, v, a, &req) != 0) {
        req = (struct elect_leaders_request){.topic_count = 0};
        elect_leaders_error_response(&req, KAFKA_INVALID_REQUEST, a, &resp);
        elect_leaders_response_encode(&r->ok, &resp, v);
        elect_leaders_response_encode(&r->lost, &resp, v);
        return;
    }
    elect_leaders_error_response(&req, KAFKA_NOT_CONTROLLER, a, &resp);
    elect_leaders_response_encode(&r->lost, &resp, v);
    if (active) {
        replication_elect_leaders(&c->repl, &req, a, &resp);
    }
    elect_leaders_response_encode(&r->ok, &resp, v);
}

/* Handles one (inner) request; fills the reply's two answers. */
static void dispatch(struct controller *c, struct controller_reply *r, struct wire_reader *body,
                     struct wire_arena *a, bool active)
{
    switch (r->api_key) {
    case KAFKA_API_BROKER_REGISTRATION:
        do_registration(c, r, body, a, active);
        break;
    case KAFKA_API_BROKER_HEARTBEAT:
        do_heartbeat(c, r, body, a, active);
        break;
    case KAFKA_API_CREATE_TOPICS:
        do_create_topics(c, r, body, a, active);
        break;
    case KAFKA_API_DELETE_TOPICS:
        do_delete_topics(c, r, body, a, active);
        break;
    case KAFKA_API_ALTER_PARTITION:
        do_alter_partition(c, r, body, a, active);
        break;
    case KAFKA_API_ELECT_LEADERS:
        do_elect_leaders(c, r, body, a, active);
        break;
    case KAFKA_API_ALLOCATE_PRODUCER_IDS:
        do_allocate_producer_ids(c, r, body, a, active);
        break;
    default:
        KS_ASSERT(!"controller_handle: an API the controller does not take");
    }
}

/* Opens an EnvelopeRequest: the inner request's header into r->envelope, its body into
 * `inner`. Returns false if it does not decode. */
static bool open_envelope(struct wire_reader *body, struct wire_arena *a,
                          struct controller_reply *r, struct wire_reader *inner)
{
    struct envelope_request env;
    if (envelope_request_decode(body, 0, a, &env) != 0 || env.request_data.len < 4) {
        return false;
    }
    const uint8_t *d = env.request_data.ptr;
    int16_t key = (int16_t)((d[0] << 8) | d[1]);
    int16_t ver = (int16_t)((d[2] << 8) | d[3]);
    int hv = kheader_request_version(key, ver);
    if (hv < 0 || (key != KAFKA_API_CREATE_TOPICS && key != KAFKA_API_DELETE_TOPICS &&
                   key != KAFKA_API_ELECT_LEADERS)) {
        return false;
    }
    wire_reader_init(inner, d, (size_t)env.request_data.len);
    struct kheader_request h;
    if (kheader_request_decode(inner, hv, a, &h) != 0) {
        return false;
    }
    r->envelope = (struct controller_envelope){true, h.correlation_id, key, ver};
    r->api_key = key;
    r->api_version = ver;
    return true;
}

void controller_handle(struct controller *c, time_ns now, int16_t api_key, int16_t version,
                       struct wire_reader *body, uint64_t reply_ctx, struct quorum_out *out)
{
    c->now = now;
    c->out = out;
    bool active = refresh_active(c);
    struct wire_arena a;
    wire_arena_init(&a);
    struct controller_reply r = {.reply_ctx = reply_ctx, .api_key = api_key,
                                 .api_version = version, .offset = -1};
    wire_writer_init(&r.ok);
    wire_writer_init(&r.lost);
    struct wire_reader inner;
    if (api_key == KAFKA_API_ENVELOPE) {
        if (!open_envelope(body, &a, &r, &inner) || !active) {
            /* The forwarding broker looks for the controller again and resends. */
            r.envelope.wrapped = true;
            answer(c, &r, true);
            wire_arena_free(&a);
            c->out = NULL;
            return;
        }
        body = &inner;
    }
    int64_t before = c->last_emitted;
    dispatch(c, &r, body, &a, active);
    finish(c, &r, before);
    wire_arena_free(&a);
    c->out = NULL;
}

void controller_poll(struct controller *c, time_ns now, struct quorum_out *out)
{
    c->now = now;
    c->out = out;
    bool active = refresh_active(c);
    if (active) {
        expire_sessions(c);
        write_noop(c);
    }
    uint32_t kept = 0;
    for (uint32_t i = 0; i < c->reply_count; i++) {
        struct controller_reply *r = &c->replies[i];
        if (!active || r->epoch != c->active_epoch) {
            answer(c, r, true); /* its records may be gone with the old epoch */
        } else if (r->offset < c->listener->applied_offset) {
            answer(c, r, false);
        } else {
            c->replies[kept++] = *r;
        }
    }
    c->reply_count = kept;
    c->out = NULL;
}

time_ns controller_next_deadline(const struct controller *c)
{
    time_ns t = TIME_NS_MAX;
    if (c->active_epoch < 0) {
        return t;
    }
    if (noops_on(c)) {
        t = c->next_noop;
    }
    for (int i = 0; i < c->session_count; i++) {
        const struct controller_session *s = &c->sessions[i];
        const struct image_broker *b = metadata_image_broker(&c->work, s->broker_id);
        if (b != NULL && !b->fenced && s->last_heartbeat + c->cfg.session_timeout < t) {
            t = s->last_heartbeat + c->cfg.session_timeout;
        }
    }
    return t;
}
