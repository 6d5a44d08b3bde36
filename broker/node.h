/* node.h — one Kafka process in KRaft mode: the quorum (voter or observer) on the world. */
#ifndef KRAFTSIM_NODE_H
#define KRAFTSIM_NODE_H

/*
 * A node is what a host runs: it owns the quorum state machine and its metadata log, and does
 * for them what Kafka's KafkaRaftClient, KafkaNetworkChannel and FileQuorumStateStore do:
 *
 * - Transport. Quorum messages go out as Kafka frames: request header v2 (v1 for a
 *   non-flexible version) with ClientId "raft-client-<node.id>" and a fresh correlation id;
 *   responses echo the correlation id of the request they answer. Only the newest request to
 *   each peer is awaited: a response whose correlation id is older is dropped, as
 *   KafkaRaftClient ignores answers to requests it has given up on. A refused connection (an
 *   ENV_CHANNEL_RESET from a host whose process is gone) fails the raft request awaiting that
 *   host, and raft requests to it fail at once for NetworkClient's reconnect backoff (50 ms,
 *   doubling to 1 s) until the host answers again.
 * - Persistence. When the quorum's election state changes, the node writes quorum-state the way
 *   FileQuorumStateStore does (quorum-state.tmp, fsync, rename) and holds back every message
 *   from that step and later steps until the fsync is durable: persist before send.
 * - Time. One env timer, always set to the quorum's next deadline.
 *
 * - Brokers answer Metadata from their image (auto-creating unknown topics when
 *   auto.create.topics.enable says so) and forward CreateTopics and DeleteTopics to the active
 *   controller inside an Envelope (ForwardingManager), resending to the new controller after
 *   NOT_CONTROLLER until forward_timeout; the controller's inner answer goes back to the
 *   client as it came. A node that is only a controller takes them directly (KIP-919).
 *
 * The quorum-state file is one line of JSON with no line end, in data_version 0 (kraft.version
 * 0: every cluster with static controller.quorum.voters) with clusterId, appliedOffset and
 * currentVoters, or data_version 1 (kraft.version 1, dynamic quorums):
 *   {"leaderId":1,"leaderEpoch":2,"votedId":-1,"votedDirectoryId":"AAAAAAAAAAAAAAAAAAAAAA",
 *    "data_version":1}
 */

#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "raft/listener.h"
#include "raft/quorum.h"
#include "release.h"
#include "group/coordinator.h"
#include "replica/replica_manager.h"
#include "replication.h"

#define NODE_HOST_MAX 64

struct node_voter {
    int32_t id;
    char host[256];
    int port;
};

struct node_config {
    int32_t node_id;
    char roles[24]; /* process.roles as text; a node outside the voters is an observer */
    char cluster_id[64];
    int voter_count;
    struct node_voter voters[QUORUM_VOTER_MAX]; /* controller.quorum.voters */
    char metadata_log_dir[256];                 /* metadata.log.dir (or the first log.dirs) */
    int log_dir_count;                          /* log.dirs; each must be formatted */
    char log_dirs[8][256];
    uint64_t metadata_log_segment_bytes;
    int64_t metadata_log_segment_ms;
    /* metadata.log.max.record.bytes.between.snapshots, metadata.log.max.snapshot.interval.ms
     * (0: never, and before 3.4), metadata.max.retention.bytes and .ms */
    struct raft_listener_config metadata_snapshots;
    time_ns broker_heartbeat_interval; /* broker.heartbeat.interval.ms */
    time_ns broker_session_timeout;    /* broker.session.timeout.ms */
    char listener_name[64];            /* the listener it registers ("" = PLAINTEXT) */
    char listener_host[256];           /* its advertised host and port */
    int listener_port;
    int quorum_state_version; /* the file's data_version: 0 (static voters) or 1 */
    struct replication_config replication; /* topics and leaders, on the active controller */
    bool auto_create_topics_enable;        /* auto.create.topics.enable */
    /* A broker hosts the partition replicas the metadata assigns it (replica/replica_manager.h):
     * Produce, Fetch, ListOffsets, OffsetForLeaderEpoch, follower fetchers, AlterPartition, and
     * its log dir (the first log.dirs) opened before it registers. */
    bool data_path;
    /* The broker's log.* and replica.* settings and the release's replication switches, for
     * its replica manager (log_dir is filled in at open, from log_dirs[0]). */
    struct rm_config data;
    /* The group coordinator's offsets.topic.* and group.* settings. */
    struct gc_config group;
    int16_t offsets_topic_replication_factor; /* offsets.topic.replication.factor: 3 */
    /* kafka-storage.sh format wrote bootstrap metadata (3.3+): the first active controller
     * writes it (FeatureLevelRecords) before anything else. */
    bool bootstrap_metadata;
    time_ns metadata_max_idle_interval; /* metadata.max.idle.interval.ms (0: no NoOpRecords) */
    time_ns forward_timeout; /* how long a broker keeps forwarding a request (request.timeout) */
    time_ns forward_retry_backoff;
    struct quorum_config quorum;
    /* The release's request versions and broker features (kafka_release.api and
     * broker_features): what its BrokerLifecycleManager, ForwardingManager and
     * AutoTopicCreationManager send. */
    struct release_api_versions api;
    const struct release_feature *broker_features;
    int broker_feature_count;
    bool planted_snapshot_drops_a_record; /* test hook; see raft/listener.h */
    bool planted_fence_before_leader_moves; /* test hook; see controller.h */
};

/* Kafka's defaults (KRAFT.md 4) for a controller `node_id` of the given voters. */
void node_config_default(struct node_config *c, int32_t node_id);

/* The directories kafka-storage.sh format must have formatted: log.dirs, then
 * metadata.log.dir if it is not one of them. Returns how many (at most `cap`). */
int node_config_dirs(const struct node_config *c, const char **dirs, int cap);

/* Builds a controller's node config from a parsed server.properties (its release switches
 * included) and the cluster id `kafka-storage.sh format` gave it. Returns 0, or -1 with one
 * line in `err` naming the key. */
struct kafka_config;
int node_config_from_kafka(struct node_config *c, const struct kafka_config *k,
                           const char *cluster_id, char *err, size_t err_cap);

extern const struct process_ops node_process;

/* For scenarios and checkers (the harness may look inside; broker code never looks out). */
struct node;
struct quorum *node_quorum(void *proc);
struct raft_log *node_log(void *proc);
struct raft_listener;
struct raft_listener *node_listener(void *proc);
struct lifecycle;
/* The broker's lifecycle, or NULL for a node that is not a broker. */
const struct lifecycle *node_lifecycle(void *proc);
/* Leader only: hands a record to the quorum. Returns false if this node is not the leader. */
bool node_append(void *proc, const uint8_t *value, uint32_t len);
/* Leader only: resign gracefully (EndQuorumEpoch). */
void node_resign(void *proc);
/* Begin a clean stop (what SIGTERM does): a broker's controlled shutdown first, then the raft
 * client's graceful shutdown (a leader resigns, KafkaRaftClient.shutdown). */
void node_begin_shutdown(void *proc);
/* Whether the clean stop is over and the process may exit: the broker's controlled shutdown
 * is done and the raft client's shutdown completed or timed out. */
bool node_shutdown_done(void *proc);
/* The broker's replica manager (replica/replica_manager.h), or NULL without a data path. */
struct replica_manager;
struct replica_manager *node_replica_manager(void *proc);
/* The active controller's own image (NULL unless this node is the active controller). */
const struct metadata_image *node_controller_image(void *proc);

#endif
