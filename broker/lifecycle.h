/* lifecycle.h — a broker's life with the controller: register, heartbeat, get unfenced. */
#ifndef KRAFTSIM_LIFECYCLE_H
#define KRAFTSIM_LIFECYCLE_H

/*
 * BrokerLifecycleManager (core/server/BrokerLifecycleManager.scala), as a state machine:
 *
 *   STARTING --registered, heartbeat: caught up--> RECOVERY --heartbeat: unfenced--> RUNNING
 *      ^                                                |                             |
 *      +---- STALE_BROKER_EPOCH / BROKER_ID_NOT_REGISTERED (register again) ---------+
 *
 * In STARTING a registered broker heartbeats every 10 ms with WantFence until the controller
 * says it has caught up with its own registration; from RECOVERY it asks to be unfenced.
 *
 * Requests go to the active controller, which a broker finds as the leader of the metadata
 * quorum it observes; NOT_CONTROLLER or silence sends it looking again after a backoff. A
 * heartbeat carries the broker's metadata offset: once it has replayed its own registration the
 * controller unfences it. Heartbeats go every broker.heartbeat.interval.ms.
 *
 * Controlled shutdown (beginControlledShutdown): PENDING_CONTROLLED_SHUTDOWN sends a heartbeat
 * with WantShutDown at once, the next 50 ms after the first answer without ShouldShutDown
 * ("a little bit sooner than we usually would", 3.1-trunk), then every interval, until the
 * controller, having moved every leadership away and seen every other active broker report
 * its shutdown records, answers ShouldShutDown: SHUTTING_DOWN, and the process may stop. A
 * broker that never registered goes to SHUTTING_DOWN at once.
 */

#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "protocol/wire.h"
#include "raft/quorum.h"
#include "release.h"

/* BrokerState names: STARTING, RECOVERY, RUNNING, PENDING_CONTROLLED_SHUTDOWN, SHUTTING_DOWN. */
enum lifecycle_state {
    LIFECYCLE_STARTING,
    LIFECYCLE_RECOVERY,
    LIFECYCLE_RUNNING,
    LIFECYCLE_PENDING_CONTROLLED_SHUTDOWN,
    LIFECYCLE_SHUTTING_DOWN
};

struct lifecycle {
    int32_t broker_id;
    const char *cluster_id;
    struct kuuid incarnation_id;
    const char *listener_name;
    const char *listener_host;
    uint16_t listener_port;
    time_ns heartbeat_interval; /* broker.heartbeat.interval.ms */
    time_ns request_timeout;
    time_ns retry_backoff;
    enum lifecycle_state state;
    int64_t broker_epoch; /* -1 until registered */
    int64_t previous_broker_epoch; /* from the clean shutdown file, -1 after a crash (KIP-966) */
    bool in_flight;
    int16_t in_flight_api;
    time_ns deadline;  /* of the request in flight */
    time_ns next_send; /* the next registration or heartbeat */
    time_ns unfenced_at; /* when it last became RUNNING, -1 never */
    bool waiting_for_controller;
    /* What the release sends (release_api_versions, BrokerFeatures.defaultSupportedFeatures);
     * lifecycle_init sets trunk's, the node its release's. */
    int16_t registration_version;
    int16_t heartbeat_version;
    const struct release_feature *features;
    int feature_count;
    bool got_controlled_shutdown_response; /* gotControlledShutdownResponse */
};

void lifecycle_init(struct lifecycle *l, int32_t broker_id, const char *cluster_id,
                    struct kuuid incarnation_id, time_ns heartbeat_interval);
/* Sends what is due to the controller the quorum knows as leader. */
void lifecycle_poll(struct lifecycle *l, time_ns now, const struct quorum *q,
                    int64_t metadata_offset, struct quorum_out *out);
void lifecycle_on_response(struct lifecycle *l, time_ns now, int16_t api_key, int16_t version,
                           struct wire_reader *body, struct quorum_out *out);
time_ns lifecycle_next_deadline(const struct lifecycle *l);
const char *lifecycle_state_name(enum lifecycle_state s);
void lifecycle_begin_shutdown(struct lifecycle *l, time_ns now, struct quorum_out *out);

#endif
