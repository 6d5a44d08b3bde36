/* controller.h — the active controller: broker lifecycle, topics and partition leaders. */
#ifndef KRAFTSIM_CONTROLLER_H
#define KRAFTSIM_CONTROLLER_H

/*
 * On the controller that leads the quorum (QuorumController, ClusterControlManager,
 * BrokerHeartbeatManager, ReplicationControlManager in metadata/src/main/java/org/apache/
 * kafka/controller/):
 *
 * - It is active once its node leads the quorum and has replayed the log up to the start of
 *   its own epoch. It then copies the committed image into its own and replays every record
 *   it appends into that copy at once (Kafka's timeline structures), so each decision sees
 *   the ones before it even while they wait to commit. Losing leadership drops the copy.
 *   Otherwise every request gets NOT_CONTROLLER and the sender looks again.
 * - A newly active controller on an empty log first writes the bootstrap records:
 *   FeatureLevelRecord metadata.version (and eligible.leader.replicas.version with ELR).
 * - BrokerRegistration appends a RegisterBrokerRecord (fenced) whose offset becomes the broker
 *   epoch. A live registration of the same id with another incarnation is
 *   DUPLICATE_BROKER_REGISTRATION; a new incarnation otherwise first leaves every ISR and
 *   leadership (handleBrokerShutdown).
 * - BrokerHeartbeat: an unknown id is BROKER_ID_NOT_REGISTERED, another epoch
 *   STALE_BROKER_EPOCH. A fenced broker that has caught up with its registration is unfenced
 *   and leaderless partitions elect again. WantShutDown: a fenced broker may go at once; an
 *   unfenced one enters controlled shutdown (its leaderships move away first, then
 *   InControlledShutdown), and once it leads nothing it is fenced and told ShouldShutDown.
 * - An unfenced broker without a heartbeat for broker.session.timeout.ms loses its
 *   leaderships and ISR places, then is fenced.
 * - While active, a NoOpRecord every metadata.max.idle.interval.ms (KIP-835, 3.3+), so the
 *   high watermark and every node's applied offset keep moving when nothing else happens.
 * - CreateTopics, DeleteTopics, AlterPartition: see replication.h.
 * - Requests arrive directly (brokers' lifecycle, AlterPartition) or inside an Envelope
 *   (CreateTopics/DeleteTopics forwarded by a broker); an Envelope is answered in kind.
 *
 * Answers that wait for records are parked with the last record's offset and released once
 * it is applied (or answered NOT_CONTROLLER if the controller stops being active first).
 */

#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "raft/listener.h"
#include "raft/quorum.h"
#include "replication.h"

#define CONTROLLER_BROKER_MAX 64

struct controller_config {
    const char *cluster_id;
    time_ns session_timeout; /* broker.session.timeout.ms */
    struct replication_config replication;
    bool bootstrap; /* write bootstrap records on an empty log (metadata.version >= 3.3) */
    time_ns max_idle_interval; /* metadata.max.idle.interval.ms: a NoOpRecord this often; 0 off */
    /* Planted bug (a compiled-in test hook, unreachable from config): a broker whose session
     * expires is fenced before its leaderships move, in a batch of its own. */
    bool planted_fence_before_leader_moves;
    uint64_t (*draw)(void *ctx);
    void *random_ctx;
};

struct controller_session {
    int32_t broker_id;
    time_ns last_heartbeat;
    bool controlled_shutdown; /* entered controlled shutdown in this registration */
};

/* The frame context of a request that came inside an Envelope. */
struct controller_envelope {
    bool wrapped;
    int32_t correlation_id; /* of the inner request */
    int16_t api_key;
    int16_t api_version;
};

struct controller_reply; /* an answer parked until its records are applied */

struct controller {
    struct quorum *quorum;
    struct raft_listener *listener;
    struct controller_config cfg;
    int32_t active_epoch;       /* the quorum epoch this controller is active in, or -1 */
    struct metadata_image work; /* committed image + our records (valid while active) */
    struct replication repl;
    int64_t last_emitted;      /* offset of the newest record appended, or -1 */
    struct quorum_out *out;    /* where traces go during one call */
    time_ns now;
    time_ns next_noop; /* when the next NoOpRecord is due (while active) */
    uint64_t noops;
    struct controller_session sessions[CONTROLLER_BROKER_MAX];
    int session_count;
    struct controller_reply *replies;
    uint32_t reply_count;
    uint32_t reply_capacity;
    uint64_t fenced_by_timeout;
};

void controller_init(struct controller *c, struct quorum *q, struct raft_listener *l,
                     const struct controller_config *cfg);
void controller_free(struct controller *c);
bool controller_active(const struct controller *c);
/* Whether this node's controller takes requests of `api_key` (else the node handles them). */
bool controller_handles(int16_t api_key);
/* A request body; its answer goes into `out` now or once its records are applied. */
void controller_handle(struct controller *c, time_ns now, int16_t api_key, int16_t version,
                       struct wire_reader *body, uint64_t reply_ctx, struct quorum_out *out);
/* Session expiry and parked answers; call after every event. */
void controller_poll(struct controller *c, time_ns now, struct quorum_out *out);
time_ns controller_next_deadline(const struct controller *c);
/* The image the active controller decides on (NULL when not active): for the harness. */
const struct metadata_image *controller_image(const struct controller *c);

#endif
