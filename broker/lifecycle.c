/* lifecycle.c — BrokerLifecycleManager: registration and heartbeats to the active controller. */
#include "lifecycle.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "protocol/controller_rpc.h"
#include "protocol/header.h"

const char *lifecycle_state_name(enum lifecycle_state s)
{
    static const char *const names[] = {"STARTING", "RECOVERY", "RUNNING",
                                        "PENDING_CONTROLLED_SHUTDOWN", "SHUTTING_DOWN"};
    KS_ASSERT(s <= LIFECYCLE_SHUTTING_DOWN);
    return names[s];
}

void lifecycle_init(struct lifecycle *l, int32_t broker_id, const char *cluster_id,
                    struct kuuid incarnation_id, time_ns heartbeat_interval)
{
    memset(l, 0, sizeof *l);
    l->broker_id = broker_id;
    l->cluster_id = cluster_id;
    l->incarnation_id = incarnation_id;
    l->listener_name = "PLAINTEXT";
    l->listener_host = "";
    l->listener_port = 9092;
    l->heartbeat_interval = heartbeat_interval;
    l->request_timeout = 2 * heartbeat_interval;
    l->retry_backoff = 100 * NS_PER_MS;
    l->state = LIFECYCLE_STARTING;
    l->previous_broker_epoch = -1;
    l->broker_epoch = -1;
    l->unfenced_at = -1;
    const struct kafka_release *trunk = release_default();
    l->registration_version = trunk->api.broker_registration_version_max;
    l->heartbeat_version = trunk->api.broker_heartbeat_version_max;
    l->features = release_broker_features(trunk, &l->feature_count);
}

static void trace_state(struct lifecycle *l, struct quorum_out *out, const char *why)
{
    struct quorum_trace *t = quorum_out_trace(out, TRACE_BROKER_STATE);
    snprintf(t->detail, sizeof t->detail, "broker=%d state=%s epoch=%" PRId64 " %s",
             l->broker_id, lifecycle_state_name(l->state), l->broker_epoch, why);
}

static void send_registration(struct lifecycle *l, int32_t controller, struct quorum_out *out)
{
    struct registration_listener listener = {
        .name = l->listener_name, .host = l->listener_host, .port = l->listener_port,
        .security_protocol = 0};
    /* BrokerLifecycleManager.sendBrokerRegistration: the release's supported features. */
    struct registration_feature features[RELEASE_FEATURE_MAX];
    KS_ASSERT(l->feature_count >= 0 && l->feature_count <= RELEASE_FEATURE_MAX);
    for (int i = 0; i < l->feature_count; i++) {
        features[i] = (struct registration_feature){l->features[i].name,
                                                    l->features[i].min_version,
                                                    l->features[i].max_version};
    }
    struct broker_registration_request req;
    broker_registration_request_init(&req);
    req.broker_id = l->broker_id;
    req.cluster_id = l->cluster_id;
    req.incarnation_id = l->incarnation_id;
    req.previous_broker_epoch = l->previous_broker_epoch;
    req.listener_count = 1;
    req.listeners = &listener;
    req.feature_count = l->feature_count;
    req.features = l->feature_count > 0 ? features : NULL;
    KS_ASSERT(l->registration_version >= 0);
    struct quorum_msg *m = quorum_out_msg(out, KAFKA_API_BROKER_REGISTRATION,
                                          l->registration_version);
    m->controller = true;
    m->to_node = controller;
    broker_registration_request_encode(&m->body, &req, l->registration_version);
}

static void send_heartbeat(struct lifecycle *l, int32_t controller, int64_t metadata_offset,
                           struct quorum_out *out)
{
    struct broker_heartbeat_request req;
    broker_heartbeat_request_init(&req);
    req.broker_id = l->broker_id;
    req.broker_epoch = l->broker_epoch;
    req.current_metadata_offset = metadata_offset;
    req.want_shut_down = l->state == LIFECYCLE_PENDING_CONTROLLED_SHUTDOWN;
    /* Not ready to be unfenced before it has caught up (BrokerServer.setReadyToUnfence;
     * kraftsim's broker has no log recovery to wait for after that). */
    req.want_fence = l->state == LIFECYCLE_STARTING;
    KS_ASSERT(l->heartbeat_version >= 0);
    struct quorum_msg *m = quorum_out_msg(out, KAFKA_API_BROKER_HEARTBEAT, l->heartbeat_version);
    m->controller = true;
    m->to_node = controller;
    broker_heartbeat_request_encode(&m->body, &req, l->heartbeat_version);
}

void lifecycle_poll(struct lifecycle *l, time_ns now, const struct quorum *q,
                    int64_t metadata_offset, struct quorum_out *out)
{
    if (l->in_flight && now >= l->deadline) {
        l->in_flight = false; /* no answer: the controller may be gone; look again */
        l->next_send = now + l->retry_backoff;
    }
    if (l->state == LIFECYCLE_SHUTTING_DOWN) {
        return;
    }
    int32_t controller = q->election.leader_id;
    /* With no controller known, wait for the quorum to name one (any event polls again). */
    l->waiting_for_controller = controller < 0;
    if (l->in_flight || now < l->next_send || controller < 0) {
        return;
    }
    if (l->state == LIFECYCLE_STARTING && l->broker_epoch < 0) {
        send_registration(l, controller, out);
        l->in_flight_api = KAFKA_API_BROKER_REGISTRATION;
    } else {
        send_heartbeat(l, controller, metadata_offset, out);
        l->in_flight_api = KAFKA_API_BROKER_HEARTBEAT;
    }
    l->in_flight = true;
    l->deadline = now + l->request_timeout;
}

static void on_registration(struct lifecycle *l, time_ns now,
                            const struct broker_registration_response *r,
                            struct quorum_out *out)
{
    if (r->error_code != KAFKA_NONE) {
        /* BrokerLifecycleManager logs it and tries again (DUPLICATE_BROKER_REGISTRATION for
         * as long as the other process with this node.id keeps its session). */
        struct quorum_trace *t = quorum_out_trace(out, TRACE_BROKER_STATE);
        snprintf(t->detail, sizeof t->detail, "broker=%d Unable to register broker %d because "
                 "the controller returned error %s", l->broker_id, l->broker_id,
                 kafka_error_name(r->error_code));
        l->next_send = now + l->retry_backoff;
        return;
    }
    l->broker_epoch = r->broker_epoch;
    l->next_send = now; /* heartbeat at once, to learn when it has caught up */
    trace_state(l, out, "registered");
}

static void on_heartbeat(struct lifecycle *l, time_ns now,
                         const struct broker_heartbeat_response *r, struct quorum_out *out)
{
    if (r->error_code == KAFKA_STALE_BROKER_EPOCH ||
        r->error_code == KAFKA_BROKER_ID_NOT_REGISTERED) {
        l->state = LIFECYCLE_STARTING; /* the controller forgot us: register again */
        l->broker_epoch = -1;
        l->next_send = now + l->retry_backoff;
        trace_state(l, out, kafka_error_name(r->error_code));
        return;
    }
    if (r->error_code != KAFKA_NONE) {
        l->next_send = now + l->retry_backoff;
        return;
    }
    if (l->state == LIFECYCLE_PENDING_CONTROLLED_SHUTDOWN) {
        if (r->should_shut_down) {
            l->state = LIFECYCLE_SHUTTING_DOWN;
            trace_state(l, out, "controlled shutdown complete");
        } else {
            /* BrokerLifecycleManager.HeartbeatResponseEvent: 50 ms after the first answer
             * that keeps it waiting, "in the case where controlled shutdown completes
             * quickly"; the interval after later ones. */
            l->next_send = now + (l->got_controlled_shutdown_response ? l->heartbeat_interval
                                                                       : 50 * NS_PER_MS);
        }
        l->got_controlled_shutdown_response = true;
        return;
    }
    if (l->state == LIFECYCLE_STARTING) {
        if (r->is_caught_up) {
            l->state = LIFECYCLE_RECOVERY;
            trace_state(l, out, "The broker has caught up. Transitioning from STARTING to "
                        "RECOVERY.");
        }
        /* "Schedule the heartbeat after only 10 ms so that in the case where there is no
         * recovery work to be done, we start up a bit quicker." */
        l->next_send = now + 10 * NS_PER_MS;
        return;
    }
    enum lifecycle_state next = r->is_fenced ? LIFECYCLE_RECOVERY : LIFECYCLE_RUNNING;
    if (next != l->state) {
        l->state = next;
        if (next == LIFECYCLE_RUNNING) {
            l->unfenced_at = now;
        }
        trace_state(l, out, r->is_fenced ? "fenced" : "unfenced");
    }
    l->next_send = now + l->heartbeat_interval;
}

void lifecycle_on_response(struct lifecycle *l, time_ns now, int16_t api_key, int16_t version,
                           struct wire_reader *body, struct quorum_out *out)
{
    if (!l->in_flight || api_key != l->in_flight_api) {
        return;
    }
    l->in_flight = false;
    struct wire_arena a;
    wire_arena_init(&a);
    if (api_key == KAFKA_API_BROKER_REGISTRATION) {
        struct broker_registration_response r;
        if (broker_registration_response_decode(body, version, &a, &r) == 0) {
            on_registration(l, now, &r, out);
        }
    } else {
        struct broker_heartbeat_response r;
        if (broker_heartbeat_response_decode(body, version, &a, &r) == 0) {
            on_heartbeat(l, now, &r, out);
        }
    }
    wire_arena_free(&a);
}

void lifecycle_begin_shutdown(struct lifecycle *l, time_ns now, struct quorum_out *out)
{
    if (l->state == LIFECYCLE_SHUTTING_DOWN || l->state == LIFECYCLE_PENDING_CONTROLLED_SHUTDOWN) {
        return;
    }
    l->state = l->broker_epoch < 0 ? LIFECYCLE_SHUTTING_DOWN
                                   : LIFECYCLE_PENDING_CONTROLLED_SHUTDOWN;
    l->next_send = now; /* scheduleNextCommunicationImmediately */
    trace_state(l, out, "begin controlled shutdown");
}

time_ns lifecycle_next_deadline(const struct lifecycle *l)
{
    if (l->state == LIFECYCLE_SHUTTING_DOWN) {
        return TIME_NS_MAX;
    }
    if (l->in_flight) {
        return l->deadline;
    }
    return l->waiting_for_controller ? TIME_NS_MAX : l->next_send;
}
