/* describe.h — operator text: kafka-metadata-quorum.sh describe, kafka-topics.sh --describe. */
#ifndef KRAFTSIM_DESCRIBE_H
#define KRAFTSIM_DESCRIBE_H

#include <stdbool.h>
#include <stdio.h>

#include "protocol/kraft_rpc.h"

struct metadata_image;

/*
 * The tools a run prints with are its release's own scripts: `release` is the run's
 * kafka_release.number (304 for 3.4, 405 for trunk). broker_configs are the topic configs the
 * answering broker's server.properties sets through their broker synonym
 * (describe_static_topic_configs); kafka-topics.sh shows them (see describe.c).
 */
struct describe_config {
    const char *name; /* the topic config: "min.insync.replicas", "segment.bytes" */
    const char *value;
};

struct describe_tool {
    int release;
    const struct describe_config *broker_configs;
    int broker_config_count;
};

struct kafka_config;
/* ServerTopicConfigSynonyms.TOPIC_CONFIG_SYNONYMS: for each topic config whose first broker
 * synonym `k` sets (log.segment.bytes for segment.bytes, min.insync.replicas for itself), the
 * topic config's name and the value as written. Returns how many (at most `cap`); the strings
 * point into `k`. */
int describe_static_topic_configs(const struct kafka_config *k, struct describe_config *out,
                                  int cap);

/*
 * kafka-metadata-quorum.sh (tools/.../MetadataQuorumCommand.java; KRAFT.md 7), which Kafka has
 * from 3.3 on (false before). describe_quorum_prompt prints the command line as the release's
 * tool takes it: --bootstrap-controller <controller>:9093 from 3.7 (KIP-919), before that
 * --bootstrap-server <broker>:9092 (the only option). `what` is "--status" or
 * "--replication". Returns false, after one line saying why, when the release has no such
 * tool or needs a broker and `broker` is NULL (a cluster of controllers only).
 */
bool describe_quorum_tool_exists(int release);
bool describe_quorum_prompt(FILE *out, int release, const char *controller, const char *broker,
                            const char *what);

struct describe_endpoint {
    int32_t node_id;
    const char *host;
    int port;
};

/*
 * --status: lines with values from column 25. MaxFollowerLag and MaxFollowerLagTimeMs compare
 * the leader with the first voter of lowest LogEndOffset (0 ms when that is the leader; -1
 * when either lacks a caught-up time). CurrentVoters/CurrentObservers: up to 3.8 the ids,
 * "[1,2,3]"; 3.9 and 4.0 {"id": 1, "directoryId": null, "endpoints": ["CONTROLLER://h:9093"]};
 * from 4.1 the zero directory id is left out. --replication: NodeId, (3.9+) DirectoryId,
 * LogEndOffset, Lag, LastFetchTimestamp, LastCaughtUpTimestamp, Status, as
 * ToolsUtils.prettyPrintTable pads them (each cell to its column's widest, then a tab); the
 * leader's row first, then the other voters, then the observers. Timestamps are virtual
 * milliseconds since the start of the run. Nothing is printed for a release without the tool.
 */
/*
 * Cuts `resp` down to what DescribeQuorumResponse `version` carries (the version the tool's
 * AdminClient and the controller negotiate: raft.rpc.describe.quorum.max): v0 has no
 * LastFetchTimestamp / LastCaughtUpTimestamp (they read -1), v1 no ReplicaDirectoryId (zero)
 * and no Nodes. Returns how many of `endpoint_count` voter endpoints the tool can print: all
 * from v2, none below (QuorumInfo.nodes() is empty, so Node.toString leaves them out).
 */
int describe_quorum_at_version(struct describe_quorum_response *resp, int16_t version,
                               int endpoint_count);

void describe_status(FILE *out, int release, const char *cluster_id,
                     const struct describe_quorum_response *resp,
                     const struct describe_endpoint *endpoints, int endpoint_count);
void describe_replication(FILE *out, int release, const struct describe_quorum_response *resp);

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
 * to which 3.9+ tools add "\tElr: a,b\tLastKnownElr: a,b" before the newline.
 * `topic` NULL describes every topic, in the order Kafka's java.util.HashMap of descriptions
 * yields them (not by name; see describe.c). Returns 0, or -1 when the named topic does not
 * exist: then nothing is printed, and the caller prints DESCRIBE_TOPIC_MISSING_FORMAT to
 * stderr and exits 1, as Kafka does.
 */
int describe_topics(FILE *out, const struct describe_tool *tool,
                    const struct metadata_image *img, const char *topic);

/* TopicCommand.ensureTopicExists: the IllegalArgumentException's message, which mainNoExit
 * prints alone on stderr before exiting with status 1. */
#define DESCRIBE_TOPIC_MISSING_FORMAT "Topic '%s' does not exist as expected"

#endif
