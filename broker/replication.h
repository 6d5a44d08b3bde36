/* replication.h — topics, partitions and their leaders, as the active controller runs them. */
#ifndef KRAFTSIM_REPLICATION_H
#define KRAFTSIM_REPLICATION_H

/*
 * Kafka's ReplicationControlManager and PartitionChangeBuilder
 * (metadata/src/main/java/org/apache/kafka/controller/), working on the controller's own image:
 * the committed image plus every record this controller has appended since (Kafka's timeline
 * data structures). Every record goes out through `emit`, which appends it to the quorum and
 * replays it into that image at once, so the next decision of the same operation sees it. All
 * records of one operation are appended in one step, and so land in one batch: atomically.
 *
 * Leader election (PartitionChangeBuilder.electLeader), for a target ISR:
 *   - the current leader stays if it is in the target ISR and acceptable (registered, unfenced,
 *     not in controlled shutdown, not the broker being removed);
 *   - else the first replica, in replica order, in the target ISR and acceptable;
 *   - else, with ELR (KIP-966) on and an empty ISR, the first acceptable replica in the ELR;
 *   - else, with unclean.leader.election.enable (the topic's, else the cluster's) and a
 *     controller that reads it (switch replication.unclean.election.config: Kafka 3.9+), the
 *     first acceptable replica: an unclean election, ISR = [leader], LeaderRecoveryState
 *     RECOVERING;
 *   - else no leader (-1).
 * Without ELR the ISR never becomes empty: removing its last member keeps it (the partition is
 * offline, "Leader: none Isr: 3"). With ELR it may, and members that leave an ISR smaller than
 * min.insync.replicas become eligible leader replicas.
 * A record changes only what differs (null lists, leader -2); a new leader bumps the leader
 * epoch, and so does an ISR shrink when metadata.version < 3.6-IV0
 * (switch replication.isr.shrink.bumps.leader.epoch).
 */

#include <stdbool.h>
#include <stdint.h>

#include "metadata/image.h"
#include "metadata/records.h"
#include "protocol/admin_rpc.h"
#include "protocol/controller_rpc.h"

struct replication_config {
    int32_t num_partitions;              /* num.partitions */
    int16_t default_replication_factor;  /* default.replication.factor */
    int32_t min_insync_replicas;         /* min.insync.replicas (cluster default) */
    bool unclean_leader_election_enable; /* unclean.leader.election.enable (cluster default) */
    bool delete_topic_enable;            /* delete.topic.enable */
    bool elr;                            /* switch replication.elr */
    bool isr_shrink_bumps_leader_epoch;  /* switch replication.isr.shrink.bumps.leader.epoch */
    bool unclean_election_config;        /* switch replication.unclean.election.config */
    bool registration_amend; /* switch controller.registration.amend (the controller's) */
    int mv_level;                        /* metadata.version feature level of the records */
};

/* How an operation reaches the outside: records, randomness, trace lines. */
struct replication_sink {
    void *ctx;
    /* Appends and replays one record; returns its offset, or -1 (not the leader any more). */
    int64_t (*emit)(void *ctx, const struct metadata_record *r);
    uint64_t (*draw)(void *ctx);
    void (*trace)(void *ctx, const char *line);
    /* Optional: whether the controller holds a broker in controlled shutdown that the image
     * cannot show (metadata.version < 3.3-IV3). */
    bool (*in_shutdown)(void *ctx, int32_t broker_id);
};

struct replication {
    const struct replication_config *cfg;
    struct metadata_image *image; /* the controller's image, records included as they go out */
    struct replication_sink sink;
    uint64_t elections;        /* leader changes written */
    uint64_t unclean_elections;
};

/* CreateTopics: fills `resp` (allocated in `a`) and emits TopicRecord, ConfigRecords and
 * PartitionRecords for every topic that passes. */
void replication_create_topics(struct replication *r, const struct create_topics_request *req,
                               int16_t version, struct wire_arena *a,
                               struct create_topics_response *resp);
/* DeleteTopics: RemoveTopicRecord for each topic found. */
void replication_delete_topics(struct replication *r, const struct delete_topics_request *req,
                               int16_t version, struct wire_arena *a,
                               struct delete_topics_response *resp);
/* AlterPartition from a partition leader. */
void replication_alter_partition(struct replication *r, const struct alter_partition_request *req,
                                 int16_t version, struct wire_arena *a,
                                 struct alter_partition_response *resp);

/* ElectLeaders (KIP-460): PREFERRED moves leadership to the first replica if it is in the ISR
 * and may lead (PREFERRED_LEADER_NOT_AVAILABLE otherwise); UNCLEAN elects a leaderless
 * partition's first live replica even from outside the ISR, whatever
 * unclean.leader.election.enable says (ELIGIBLE_LEADERS_NOT_AVAILABLE if none may lead). A
 * partition that already has the leader asked for is ELECTION_NOT_NEEDED. This is how an
 * operator elects uncleanly on Kafka 3.0-3.8, whose controller ignores the config. */
void replication_elect_leaders(struct replication *r, const struct elect_leaders_request *req,
                               struct wire_arena *a, struct elect_leaders_response *resp);

/* Before a broker is fenced, shuts down or re-registers (handleBrokerFenced,
 * handleBrokerInControlledShutdown, handleBrokerShutdown): it leaves every ISR and every
 * leadership. `reason` names the cause in the trace. */
void replication_broker_leaving(struct replication *r, int32_t broker_id, const char *reason);
/* A broker that comes back from an unclean shutdown (KIP-966: its registration's
 * PreviousBrokerEpoch is not the epoch it had) may have lost unflushed records: with ELR it
 * leaves every ISR and every ELR (handleBrokerUncleanShutdown). */
void replication_broker_unclean_shutdown(struct replication *r, int32_t broker_id);
/* After a broker is unfenced (handleBrokerUnfenced): leaderless partitions elect again. */
void replication_broker_unfenced(struct replication *r, int32_t broker_id);
/* Partitions the broker leads (controlled shutdown waits for none). */
int32_t replication_leader_count(const struct metadata_image *img, int32_t broker_id);

/* Eligible leader replicas are on: the switch, and a metadata.version that has them. */
bool replication_elr_on(const struct replication_config *cfg);

/* The metadata.version feature level a release writes (its newest production version). */
int replication_mv_for_release(int release_number);

/* A Uuid.randomUuid(): never the reserved zero or one ids, and never a '-' in its text. */
struct kuuid replication_random_uuid(uint64_t (*draw)(void *ctx), void *ctx);

#endif
