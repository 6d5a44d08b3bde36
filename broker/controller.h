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
 * - BrokerRegistration appends a RegisterBrokerRecord (fenced). The broker epoch is the offset
 *   of the operation's first record (QuorumController.registerBroker passes writeOffset + 1,
 *   3.6+ offsetControl.nextWriteOffset()): the RegisterBrokerRecord's own offset unless
 *   shutdown records for an old incarnation go before it. A live registration of the same id
 *   with another incarnation is DUPLICATE_BROKER_REGISTRATION; a new incarnation otherwise
 *   first leaves every ISR and leadership (handleBrokerShutdown). The same incarnation again
 *   (a retry after a lost answer) gets a new epoch and is fenced anew before Kafka 3.9; from
 *   3.9 (KAFKA-16952, switch controller.registration.amend) its registration is amended: the
 *   epoch, fencing and controlled-shutdown state stay.
 * - BrokerHeartbeat: an unknown id is BROKER_ID_NOT_REGISTERED, another epoch
 *   STALE_BROKER_EPOCH. A fenced broker that has caught up with its RegisterBrokerRecord is
 *   unfenced and leaderless partitions elect again. WantShutDown
 *   (BrokerHeartbeatManager.calculateNextBrokerState): a fenced broker, or an unfenced one that
 *   leads nothing, is fenced and told ShouldShutDown at once (SHUTDOWN_NOW); an unfenced leader
 *   enters controlled shutdown (its leaderships move away, InControlledShutdown), and its
 *   records' last offset becomes its controlledShutdownOffset. A later heartbeat lets it go
 *   once it leads nothing and controlledShutdownOffset <= lowestActiveOffset(), the smallest
 *   offset any other unfenced broker not in controlled shutdown reported in its last heartbeat
 *   (none: at once). So it takes as long as the others' heartbeats take to report it.
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

/*
 * BrokerHeartbeatManager.BrokerHeartbeatState, one per registered broker.
 * Rules: shutdown_offset >= 0 iff controlled_shutdown; a fenced broker is never in controlled
 * shutdown (touch with fenced clears it).
 */
struct controller_session {
    int32_t broker_id;
    time_ns last_heartbeat;
    bool controlled_shutdown; /* entered controlled shutdown in this registration */
    /* metadataOffset: the CurrentMetadataOffset of its last heartbeat to this controller, -1
     * before one (a newly active controller knows none). */
    int64_t metadata_offset;
    /* controlledShutdownOffset: the last offset of the records that began its controlled
     * shutdown; it may go once every active broker reported at least that. -1 if none. */
    int64_t shutdown_offset;
    /* registerBrokerRecordOffsets: the offset of the RegisterBrokerRecord this controller
     * wrote for it, -1 if another controller wrote it (then the epoch stands in). */
    int64_t register_offset;
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
