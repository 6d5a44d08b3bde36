/* controller.h — the active controller's broker lifecycle: registration, heartbeats, fencing. */
#ifndef KRAFTSIM_CONTROLLER_H
#define KRAFTSIM_CONTROLLER_H

/*
 * On the controller that leads the quorum (QuorumController, ClusterControlManager,
 * BrokerHeartbeatManager in metadata/src/main/java/org/apache/kafka/controller/):
 *
 * - It is active once its node leads the quorum and has replayed the log up to the start of
 *   its own epoch (it then knows every committed registration). Otherwise every request gets
 *   NOT_CONTROLLER and the broker looks again.
 * - BrokerRegistration appends a RegisterBrokerRecord (fenced) whose offset becomes the broker
 *   epoch, and answers once that record is committed and applied. A live registration of the
 *   same id with another incarnation is DUPLICATE_BROKER_REGISTRATION.
 * - BrokerHeartbeat: an unknown id is BROKER_ID_NOT_REGISTERED, another epoch
 *   STALE_BROKER_EPOCH. A fenced broker whose metadata offset has reached its registration is
 *   caught up and is unfenced (BrokerRegistrationChangeRecord fenced=-1), answered when that
 *   record is applied.
 * - An unfenced broker that sends no heartbeat for broker.session.timeout.ms is fenced
 *   (BrokerRegistrationChangeRecord fenced=1). A newly active controller gives every broker a
 *   fresh session (BrokerHeartbeatManager starts empty).
 *
 * Answers that wait for a record are parked with the record's offset and released (or, if the
 * controller stops being active, answered NOT_CONTROLLER) by controller_poll.
 */

#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "raft/listener.h"
#include "raft/quorum.h"

#define CONTROLLER_BROKER_MAX 64

struct controller_session {
    int32_t broker_id;
    int64_t broker_epoch;
    time_ns last_heartbeat;
    int64_t change_pending_offset; /* a fence/unfence record on its way, or -1 */
};

struct controller_reply; /* an answer parked until its record is applied */

struct controller {
    struct quorum *quorum;
    struct raft_listener *listener;
    const char *cluster_id;
    time_ns session_timeout; /* broker.session.timeout.ms */
    int32_t active_epoch;    /* the quorum epoch this controller is active in, or -1 */
    struct controller_session sessions[CONTROLLER_BROKER_MAX];
    int session_count;
    struct controller_reply *replies;
    uint32_t reply_count;
    uint32_t reply_capacity;
    uint64_t fenced_by_timeout;
};

void controller_init(struct controller *c, struct quorum *q, struct raft_listener *l,
                     const char *cluster_id, time_ns session_timeout);
void controller_free(struct controller *c);
bool controller_active(const struct controller *c);
/* A BrokerRegistration or BrokerHeartbeat request body; its answer goes into `out` now or
 * once its record is applied. */
void controller_handle(struct controller *c, time_ns now, int16_t api_key, int16_t version,
                       struct wire_reader *body, uint64_t reply_ctx, struct quorum_out *out);
/* Session expiry and parked answers; call after every event. */
void controller_poll(struct controller *c, time_ns now, struct quorum_out *out);
time_ns controller_next_deadline(const struct controller *c);

#endif
