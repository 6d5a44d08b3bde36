/* describe.h — operator text: kafka-metadata-quorum.sh describe, kafka-topics.sh --describe. */
#ifndef KRAFTSIM_DESCRIBE_H
#define KRAFTSIM_DESCRIBE_H

/*
 * Prints a DescribeQuorum answer the way tools/MetadataQuorumCommand.java does (KRAFT.md 7):
 * --status lines with values from column 25, voters in the 3.9+ JSON shape; --replication as a
 * table NodeId, DirectoryId, LogEndOffset, Lag, LastFetchTimestamp, LastCaughtUpTimestamp,
 * Status. Timestamps are virtual milliseconds since the start of the run.
 */

#include <stdbool.h>
#include <stdio.h>

#include "protocol/kraft_rpc.h"

struct metadata_image;

struct describe_endpoint {
    int32_t node_id;
    const char *host;
    int port;
};

void describe_status(FILE *out, const char *cluster_id,
                     const struct describe_quorum_response *resp,
                     const struct describe_endpoint *endpoints, int endpoint_count);
void describe_replication(FILE *out, const struct describe_quorum_response *resp);

/*
 * kafka-topics.sh --describe [--topic T], as tools/.../TopicCommand.java prints it from what a
 * broker holding `img` answers (KRAFT.md 7). Per topic one line
 *
 *   Topic: T\tTopicId: <Uuid>\tPartitionCount: N\tReplicationFactor: RF\tConfigs: k=v,...
 *
 * then one line per partition, by partition id,
 *
 *   \tTopic: T\tPartition: P\tLeader: <id|none>\tReplicas: a,b\tIsr: a,b
 *
 * to which `elr_fields` (3.9+ tools) adds "\tElr: a,b\tLastKnownElr: a,b" before the newline.
 * `topic` NULL describes every topic, in the order Kafka's java.util.HashMap of descriptions
 * yields them (not by name; see describe.c). Returns 0, or -1 when the named topic does not
 * exist: then nothing is printed, and the caller prints DESCRIBE_TOPIC_MISSING_FORMAT to
 * stderr and exits 1, as Kafka does.
 */
int describe_topics(FILE *out, const struct metadata_image *img, const char *topic,
                    bool elr_fields);

/* TopicCommand.ensureTopicExists: the IllegalArgumentException's message, which mainNoExit
 * prints alone on stderr before exiting with status 1. */
#define DESCRIBE_TOPIC_MISSING_FORMAT "Topic '%s' does not exist as expected"

#endif
