/* admin.h — an admin client on its own host: what kafka-topics.sh drives through AdminClient. */
#ifndef KRAFTSIM_ADMIN_H
#define KRAFTSIM_ADMIN_H

/*
 * One call at a time, sent as a real Kafka frame to the node the harness names (the
 * --bootstrap-server). Retriable answers (NOT_CONTROLLER, REQUEST_TIMED_OUT, a topic still
 * being created) and silence past request.timeout.ms (30 s, KafkaAdminClient) are retried
 * after retry.backoff.ms (100 ms) until default.api.timeout.ms (60 s); then the call fails
 * with the last error. Every attempt and the outcome go into the trace as "admin" lines.
 *
 *   CreateTopics: one topic, NumPartitions/ReplicationFactor (-1 = the broker's default)
 *                 or a manual assignment, Configs "k=v,k=v";
 *   DeleteTopics: one topic by name;
 *   Metadata:     one topic, AllowAutoTopicCreation false (what describe does): the answer
 *                 is kept, partition by partition, in the outcome.
 *
 * Each at the highest version the release has (v7, v6, and Metadata v12 up to 3.9, v13 from
 * 4.0): the process's config is a `const struct release_api_versions *` (release.h), NULL
 * for trunk's.
 */

#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "protocol/wire.h"

#define ADMIN_PARTITIONS_MAX 64
#define ADMIN_REPLICAS_MAX 8

struct admin_call {
    int16_t api_key; /* KAFKA_API_CREATE_TOPICS, KAFKA_API_DELETE_TOPICS, KAFKA_API_METADATA,
                        KAFKA_API_ELECT_LEADERS */
    int to_host;     /* the bootstrap server */
    char topic[128];
    int32_t partitions; /* ElectLeaders: the one partition to elect a leader for */
    int16_t replication_factor;
    char configs[256];
    /* A manual assignment, partitions separated by ';': "4,5;5,4" (then partitions and
     * replication_factor must be -1). */
    char assignment[128];
    bool allow_auto_create; /* Metadata only */
    int8_t election_type;   /* ElectLeaders: ELECTION_TYPE_PREFERRED or _UNCLEAN */
};

struct admin_partition {
    int16_t error;
    int32_t id;
    int32_t leader;
    int32_t leader_epoch;
    int32_t replica_count;
    int32_t replicas[ADMIN_REPLICAS_MAX];
    int32_t isr_count;
    int32_t isr[ADMIN_REPLICAS_MAX];
};

struct admin_outcome {
    bool done;
    int16_t error; /* the topic's error code (0 = success) */
    char message[256];
    int attempts;
    time_ns started;
    time_ns finished;
    struct kuuid topic_id;
    int32_t num_partitions;     /* CreateTopics: NumPartitions in the answer */
    int16_t replication_factor; /* CreateTopics: ReplicationFactor in the answer */
    int32_t partition_count;    /* Metadata */
    struct admin_partition partitions[ADMIN_PARTITIONS_MAX];
};

extern const struct process_ops admin_process;

/* Starts a call (the previous one must be done). */
void admin_start(void *proc, const struct admin_call *call);
const struct admin_outcome *admin_outcome(void *proc);

#endif
