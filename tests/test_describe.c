/* test_describe.c — kafka-topics.sh --describe, byte for byte, from a replayed metadata image. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tools/describe.h"
#include "metadata/image.h"

/* Uuid.toString of bytes 01..10 is AQIDBAUGBwgJCgsMDQ4PEA (URL-safe base64, no padding). */
static const struct kuuid orders_id = {0x0102030405060708u, 0x090a0b0c0d0e0f10u};
static const struct kuuid payments_id = {0x1111111111111111u, 0x2222222222222222u};
static const struct kuuid shipments_id = {0x3333333333333333u, 0x4444444444444444u};

static const int32_t r123[] = {1, 2, 3};
static const int32_t r231[] = {2, 3, 1};
static const int32_t r312[] = {3, 1, 2};

#define IDS(array) ((struct metadata_int32s){(int32_t)(sizeof(array) / sizeof *(array)), array})

static void apply_ok(struct metadata_image *img, const struct metadata_record *r)
{
    char err[200] = "";
    ck_assert_msg(metadata_image_apply(img, r, err, sizeof err) == 0, "%s", err);
}

static void register_unfenced(struct metadata_image *img, int32_t id)
{
    struct metadata_record r;
    metadata_record_init(&r, METADATA_REGISTER_BROKER, 1);
    r.u.register_broker.broker_id = id;
    r.u.register_broker.broker_epoch = 10 * id;
    r.u.register_broker.fenced = false;
    apply_ok(img, &r);
}

static void add_topic(struct metadata_image *img, const char *name, struct kuuid id)
{
    struct metadata_record r;
    metadata_record_init(&r, METADATA_TOPIC, 0);
    r.u.topic = (struct metadata_topic){name, id};
    apply_ok(img, &r);
}

/* A version 2 PartitionRecord, as 4.x writes it: ELR and LastKnownElr left null. */
static void add_partition(struct metadata_image *img, struct kuuid topic, int32_t id,
                          int32_t leader, struct metadata_int32s replicas,
                          struct metadata_int32s isr)
{
    struct metadata_record r;
    metadata_record_init(&r, METADATA_PARTITION, 2);
    r.u.partition.partition_id = id;
    r.u.partition.topic_id = topic;
    r.u.partition.replicas = replicas;
    r.u.partition.isr = isr;
    r.u.partition.leader = leader;
    r.u.partition.leader_epoch = 0;
    r.u.partition.partition_epoch = 0;
    apply_ok(img, &r);
}

static void add_config(struct metadata_image *img, int8_t type, const char *resource,
                       const char *name, const char *value)
{
    struct metadata_record r;
    metadata_record_init(&r, METADATA_CONFIG, 0);
    r.u.config = (struct metadata_config){type, resource, name, value};
    apply_ok(img, &r);
}

/* Brokers 1-3 unfenced; "orders": 3 partitions, RF 3, min.insync.replicas=2, partition 2's
 * ISR down to 3 and 1. The records are applied out of partition order on purpose. */
static void build_orders(struct metadata_image *img)
{
    static const int32_t isr31[] = {3, 1};
    metadata_image_init(img);
    register_unfenced(img, 1);
    register_unfenced(img, 2);
    register_unfenced(img, 3);
    add_topic(img, "orders", orders_id);
    add_partition(img, orders_id, 2, 3, IDS(r312), IDS(isr31));
    add_partition(img, orders_id, 0, 1, IDS(r123), IDS(r123));
    add_partition(img, orders_id, 1, 2, IDS(r231), IDS(r231));
    add_config(img, 2, "orders", "min.insync.replicas", "2");
}

/* What describe_topics wrote, as one malloc'd string; *rc gets its return value. */
static char *describe_text(const struct metadata_image *img, const char *topic, bool elr_fields,
                           int *rc)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(out);
    /* kafka-topics.sh of 3.5 (no ELR fields) or of trunk (with them). */
    struct describe_tool tool = {elr_fields ? 405 : 305, NULL, 0};
    *rc = describe_topics(out, &tool, img, topic);
    ck_assert_int_eq(fclose(out), 0);
    ck_assert_uint_eq(strlen(text), len); /* no NUL inside the text */
    return text;
}

static void assert_describe(const struct metadata_image *img, const char *topic,
                            bool elr_fields, const char *expected)
{
    int rc;
    char *text = describe_text(img, topic, elr_fields, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq(text, expected);
    free(text);
}

#define ORDERS_TOPIC_LINE                                                                      \
    "Topic: orders\tTopicId: AQIDBAUGBwgJCgsMDQ4PEA\tPartitionCount: 3\t"                      \
    "ReplicationFactor: 3\tConfigs: min.insync.replicas=2\n"

START_TEST(three_partitions_rf3_one_config_without_elr_fields)
{
    struct metadata_image img;
    build_orders(&img);
    /* 3.5-style text: the topic line, then the partitions by id, no ELR columns. */
    assert_describe(&img, "orders", false,
                    ORDERS_TOPIC_LINE
                    "\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3\n"
                    "\tTopic: orders\tPartition: 1\tLeader: 2\tReplicas: 2,3,1\tIsr: 2,3,1\n"
                    "\tTopic: orders\tPartition: 2\tLeader: 3\tReplicas: 3,1,2\tIsr: 3,1\n");
    metadata_image_free(&img);
}
END_TEST

START_TEST(three_partitions_rf3_one_config_with_elr_fields_null_elr_prints_empty)
{
    struct metadata_image img;
    build_orders(&img);
    /* The records left ELR null; PartitionRegistration makes that an empty array, so 3.9+
     * prints "Elr: " with nothing after it, never "N/A". */
    assert_describe(&img, NULL, true,
                    ORDERS_TOPIC_LINE
                    "\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3"
                    "\tElr: \tLastKnownElr: \n"
                    "\tTopic: orders\tPartition: 1\tLeader: 2\tReplicas: 2,3,1\tIsr: 2,3,1"
                    "\tElr: \tLastKnownElr: \n"
                    "\tTopic: orders\tPartition: 2\tLeader: 3\tReplicas: 3,1,2\tIsr: 3,1"
                    "\tElr: \tLastKnownElr: \n");
    metadata_image_free(&img);
}
END_TEST

START_TEST(isr_below_min_isr_moves_replicas_to_elr_and_both_lists_print)
{
    struct metadata_image img;
    build_orders(&img);
    /* Partition 2's ISR shrinks to the leader alone: replicas 1 and 2 become ELR (KIP-966). */
    static const int32_t isr3[] = {3}, elr12[] = {1, 2};
    struct metadata_record r;
    metadata_record_init(&r, METADATA_PARTITION_CHANGE, 2);
    r.u.partition_change.partition_id = 2;
    r.u.partition_change.topic_id = orders_id;
    r.u.partition_change.isr = IDS(isr3);
    r.u.partition_change.eligible_leader_replicas = IDS(elr12);
    apply_ok(&img, &r);
    /* Partition 0 lost its leader and ISR; 1 is the last known ELR member. */
    static const int32_t lkelr1[] = {1};
    metadata_record_init(&r, METADATA_PARTITION_CHANGE, 2);
    r.u.partition_change.partition_id = 0;
    r.u.partition_change.topic_id = orders_id;
    r.u.partition_change.leader = METADATA_NO_LEADER;
    r.u.partition_change.isr = (struct metadata_int32s){0, NULL};
    r.u.partition_change.last_known_elr = IDS(lkelr1);
    apply_ok(&img, &r);
    assert_describe(&img, "orders", true,
                    ORDERS_TOPIC_LINE
                    "\tTopic: orders\tPartition: 0\tLeader: none\tReplicas: 1,2,3\tIsr: "
                    "\tElr: \tLastKnownElr: 1\n"
                    "\tTopic: orders\tPartition: 1\tLeader: 2\tReplicas: 2,3,1\tIsr: 2,3,1"
                    "\tElr: \tLastKnownElr: \n"
                    "\tTopic: orders\tPartition: 2\tLeader: 3\tReplicas: 3,1,2\tIsr: 3"
                    "\tElr: 1,2\tLastKnownElr: \n");
    metadata_image_free(&img);
}
END_TEST

START_TEST(leaderless_and_fenced_leader_partitions_print_leader_none)
{
    struct metadata_image img;
    build_orders(&img);
    /* Partition 1 loses its leader (-1). */
    struct metadata_record r;
    metadata_record_init(&r, METADATA_PARTITION_CHANGE, 0);
    r.u.partition_change.partition_id = 1;
    r.u.partition_change.topic_id = orders_id;
    r.u.partition_change.leader = METADATA_NO_LEADER;
    apply_ok(&img, &r);
    /* Broker 3, still partition 2's leader in the image, is fenced: describeCluster leaves it
     * out of the nodes, so the client has no Node for the leader id. */
    metadata_record_init(&r, METADATA_BROKER_REGISTRATION_CHANGE, 0);
    r.u.broker_registration_change.broker_id = 3;
    r.u.broker_registration_change.broker_epoch = 30;
    r.u.broker_registration_change.fenced = 1;
    apply_ok(&img, &r);
    assert_describe(&img, "orders", false,
                    ORDERS_TOPIC_LINE
                    "\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3\n"
                    "\tTopic: orders\tPartition: 1\tLeader: none\tReplicas: 2,3,1\tIsr: 2,3,1\n"
                    "\tTopic: orders\tPartition: 2\tLeader: none\tReplicas: 3,1,2\tIsr: 3,1\n");
    metadata_image_free(&img);
}
END_TEST

START_TEST(filter_by_name_prints_one_topic_and_rf_comes_from_partition_0)
{
    struct metadata_image img;
    build_orders(&img);
    /* "payments": partition 0 has one replica, partition 1 two; Kafka reports partition 0's. */
    static const int32_t r2[] = {2}, r13[] = {1, 3};
    add_topic(&img, "payments", payments_id);
    add_partition(&img, payments_id, 1, 1, IDS(r13), IDS(r13));
    add_partition(&img, payments_id, 0, 2, IDS(r2), IDS(r2));
    assert_describe(&img, "payments", false,
                    "Topic: payments\tTopicId: EREREREREREiIiIiIiIiIg\tPartitionCount: 2\t"
                    "ReplicationFactor: 1\tConfigs: \n"
                    "\tTopic: payments\tPartition: 0\tLeader: 2\tReplicas: 2\tIsr: 2\n"
                    "\tTopic: payments\tPartition: 1\tLeader: 1\tReplicas: 1,3\tIsr: 1,3\n");
    metadata_image_free(&img);
}
END_TEST

START_TEST(unknown_topic_prints_nothing_and_returns_minus_one)
{
    struct metadata_image img;
    build_orders(&img);
    int rc;
    char *text = describe_text(&img, "nope", true, &rc);
    ck_assert_int_eq(rc, -1);
    ck_assert_str_eq(text, "");
    free(text);
    /* What the caller then prints on stderr before exiting 1. */
    char line[100];
    snprintf(line, sizeof line, DESCRIBE_TOPIC_MISSING_FORMAT, "nope");
    ck_assert_str_eq(line, "Topic 'nope' does not exist as expected");
    /* An empty --topic passes ensureTopicExists and matches nothing: no error, no text. */
    text = describe_text(&img, "", true, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq(text, "");
    free(text);
    metadata_image_free(&img);
}
END_TEST

START_TEST(all_topics_come_in_java_hashmap_order_not_name_order)
{
    struct metadata_image img;
    build_orders(&img);
    static const int32_t r2[] = {2}, r3[] = {3};
    add_topic(&img, "payments", payments_id);
    add_partition(&img, payments_id, 0, 2, IDS(r2), IDS(r2));
    add_topic(&img, "shipments", shipments_id);
    add_partition(&img, shipments_id, 0, 3, IDS(r3), IDS(r3));
    /* The order a JDK 21 HashMap chain gives (checked with java): shipments first. */
    const char *names[] = {"shipments", "orders", "payments"};
    size_t cap = 1;
    char *expected = calloc(cap, 1);
    for (int i = 0; i < 3; i++) {
        int rc;
        char *one = describe_text(&img, names[i], false, &rc);
        ck_assert_int_eq(rc, 0);
        cap += strlen(one);
        expected = realloc(expected, cap);
        strcat(expected, one);
        free(one);
    }
    assert_describe(&img, NULL, false, expected);
    free(expected);
    metadata_image_free(&img);
}
END_TEST

START_TEST(configs_are_the_topics_own_in_java_hashmap_order)
{
    struct metadata_image img;
    build_orders(&img);
    add_config(&img, 2, "orders", "retention.ms", "86400000");
    add_config(&img, 2, "orders", "cleanup.policy", "compact");
    add_config(&img, 2, "orders", "segment.bytes", "1048576");
    add_config(&img, 4, "", "log.retention.ms", "1000"); /* a broker config: not listed */
    static const int32_t r2[] = {2};
    add_topic(&img, "payments", payments_id);
    add_partition(&img, payments_id, 0, 2, IDS(r2), IDS(r2));
    add_config(&img, 2, "payments", "retention.ms", "1"); /* another topic's */
    /* Buckets of a 64-long table (checked with java): min.insync.replicas 10, cleanup.policy
     * 18, then segment.bytes and retention.ms share 27 and come by hash, as the broker's Scala
     * HashMap keeps them: -2023006565 before -1339183525. */
    add_topic(&img, "zero", (struct kuuid){0, 0});
    add_partition(&img, (struct kuuid){0, 0}, 0, 1, IDS(r123), IDS(r123));
    assert_describe(&img, "orders", false,
                    "Topic: orders\tTopicId: AQIDBAUGBwgJCgsMDQ4PEA\tPartitionCount: 3\t"
                    "ReplicationFactor: 3\t"
                    "Configs: min.insync.replicas=2,cleanup.policy=compact,"
                    "segment.bytes=1048576,retention.ms=86400000\n"
                    "\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3\n"
                    "\tTopic: orders\tPartition: 1\tLeader: 2\tReplicas: 2,3,1\tIsr: 2,3,1\n"
                    "\tTopic: orders\tPartition: 2\tLeader: 3\tReplicas: 3,1,2\tIsr: 3,1\n");
    /* A topic with the zero Uuid has no TopicId column. */
    assert_describe(&img, "zero", false,
                    "Topic: zero\tPartitionCount: 1\tReplicationFactor: 3\tConfigs: \n"
                    "\tTopic: zero\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3\n");
    metadata_image_free(&img);
}
END_TEST

/* ---- kafka-topics.sh Configs: static broker synonyms ---------------------------------- */

/* ConfigHelper.createTopicConfigEntry (3.4 and trunk d79bd502ec): a topic config the topic does
 * not set takes the source of its first broker synonym (ServerTopicConfigSynonyms), and
 * STATIC_BROKER_CONFIG is not isDefault(), so TopicCommand prints it. log.retention.hours is
 * not retention.ms's first synonym (log.retention.ms is), so configSynonyms' dropWhile drops it:
 * retention.ms stays default. */
START_TEST(static_broker_synonyms_show_in_configs_and_the_topics_own_value_wins)
{
    static const char props[] =
        "process.roles=broker,controller\nnode.id=1\ncontroller.listener.names=CONTROLLER\n"
        "listeners=PLAINTEXT://h1:9092,CONTROLLER://h1:9093\n"
        "controller.quorum.voters=1@h1:9093\nlog.dirs=/data\n"
        "min.insync.replicas=2\nlog.segment.bytes=1073741824\nlog.retention.hours=168\n"
        "num.partitions=3\n";
    struct kafka_config *k = malloc(sizeof *k);
    ck_assert_ptr_nonnull(k);
    struct config_error err;
    ck_assert_int_eq(config_parse(props, strlen(props), "server.properties", k, &err), CONFIG_OK);
    struct describe_config statics[8];
    int n = describe_static_topic_configs(k, statics, 8);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(statics[0].name, "segment.bytes");
    ck_assert_str_eq(statics[0].value, "1073741824");
    ck_assert_str_eq(statics[1].name, "min.insync.replicas");
    struct metadata_image img;
    build_orders(&img); /* orders sets min.insync.replicas=2 itself */
    static const int32_t r2[] = {2};
    add_topic(&img, "payments", payments_id);
    add_partition(&img, payments_id, 0, 2, IDS(r2), IDS(r2));
    static const struct describe_config mine[] = {{"min.insync.replicas", "3"},
                                                  {"segment.bytes", "1073741824"}};
    struct describe_tool tool = {405, mine, 2};
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ck_assert_int_eq(describe_topics(out, &tool, &img, "orders"), 0);
    ck_assert_int_eq(describe_topics(out, &tool, &img, "payments"), 0);
    fclose(out);
    /* Config's 64-long HashMap: min.insync.replicas in bucket 10, segment.bytes in 27. */
    ck_assert_ptr_nonnull(strstr(text, "ReplicationFactor: 3\tConfigs: min.insync.replicas=2,"
                                       "segment.bytes=1073741824\n"));
    ck_assert_ptr_nonnull(strstr(text, "ReplicationFactor: 1\tConfigs: min.insync.replicas=3,"
                                       "segment.bytes=1073741824\n"));
    free(text);
    metadata_image_free(&img);
    free(k);
}
END_TEST

/* ---- kafka-metadata-quorum.sh ------------------------------------------------------------ */

static struct describe_quorum_replica_state voters[3], observers[2];
static struct describe_quorum_response_partition quorum_partition;
static struct describe_quorum_response_topic quorum_topic;
static struct describe_quorum_response quorum;

/* Leader 2 (listed second, as LeaderState lists voters by id); voter 3 is the laggiest by
 * LogEndOffset, voter 1 the one caught up longest ago; observer 5 never fetched. */
static const struct describe_quorum_response *build_quorum(void)
{
    static const struct describe_quorum_replica_state v[3] = {
        {1, {0, 0}, 100, 9000, 7000}, {2, {0, 0}, 100, 10000, 10000},
        {3, {0, 0}, 90, 9500, 9400}};
    static const struct describe_quorum_replica_state o[2] = {{4, {0, 0}, 100, 9990, 9990},
                                                              {5, {0, 0}, -1, -1, -1}};
    memcpy(voters, v, sizeof v);
    memcpy(observers, o, sizeof o);
    quorum_partition = (struct describe_quorum_response_partition){
        .leader_id = 2, .leader_epoch = 7, .high_watermark = 95, .current_voter_count = 3,
        .current_voters = voters, .observer_count = 2, .observers = observers};
    quorum_topic = (struct describe_quorum_response_topic){"__cluster_metadata", 1,
                                                           &quorum_partition};
    quorum = (struct describe_quorum_response){.topic_count = 1, .topics = &quorum_topic};
    return &quorum;
}

static const struct describe_endpoint endpoints[] = {
    {1, "c1", 9093}, {2, "c2", 9093}, {3, "c3", 9093}};

static char *status_text(int release, const struct describe_quorum_response *resp)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    describe_status(out, release, "CLUSTER", resp, endpoints, 3);
    fclose(out);
    return text;
}

#define STATUS_HEAD(lag_ms)                                                                    \
    "ClusterId:              CLUSTER\nLeaderId:               2\n"                             \
    "LeaderEpoch:            7\nHighWatermark:          95\n"                                  \
    "MaxFollowerLag:         10\nMaxFollowerLagTimeMs:   " lag_ms "\n"

/* MetadataQuorumCommand.handleDescribeStatus at 3.4 (ids, Utils.mkString), 3.9 and 4.0
 * (Node.toString: "directoryId": null for the zero Uuid), 4.1 and trunk (left out). The lag
 * time is the leader's caught-up time minus that of the voter with the lowest LogEndOffset
 * (voter 3: 10000 - 9400), not of the one caught up longest ago (voter 1). */
START_TEST(status_text_per_release_and_lag_time_of_the_lowest_log_end_offset)
{
    const struct describe_quorum_response *resp = build_quorum();
    char *text = status_text(304, resp);
    ck_assert_str_eq(text, STATUS_HEAD("600") "CurrentVoters:          [1,2,3]\n"
                                              "CurrentObservers:       [4,5]\n");
    free(text);
    static const char *const v39 =
        "CurrentVoters:          [{\"id\": 1, \"directoryId\": null, \"endpoints\": "
        "[\"CONTROLLER://c1:9093\"]}, {\"id\": 2, \"directoryId\": null, \"endpoints\": "
        "[\"CONTROLLER://c2:9093\"]}, {\"id\": 3, \"directoryId\": null, \"endpoints\": "
        "[\"CONTROLLER://c3:9093\"]}]\n"
        "CurrentObservers:       [{\"id\": 4, \"directoryId\": null}, "
        "{\"id\": 5, \"directoryId\": null}]\n";
    for (int release = 309; release <= 400; release += 91) {
        text = status_text(release, resp);
        ck_assert_ptr_nonnull(strstr(text, STATUS_HEAD("600")));
        ck_assert_str_eq(text + strlen(STATUS_HEAD("600")), v39);
        free(text);
    }
    voters[0].replica_directory_id = (struct kuuid){0x0102030405060708u, 0x090a0b0c0d0e0f10u};
    text = status_text(401, resp);
    ck_assert_str_eq(text + strlen(STATUS_HEAD("600")),
                     "CurrentVoters:          [{\"id\": 1, \"directoryId\": "
                     "\"AQIDBAUGBwgJCgsMDQ4PEA\", \"endpoints\": [\"CONTROLLER://c1:9093\"]}, "
                     "{\"id\": 2, \"endpoints\": [\"CONTROLLER://c2:9093\"]}, {\"id\": 3, "
                     "\"endpoints\": [\"CONTROLLER://c3:9093\"]}]\n"
                     "CurrentObservers:       [{\"id\": 4}, {\"id\": 5}]\n");
    free(text);
    /* All level: Stream.min keeps the first, voter 1, not the leader: 10000 - 7000. */
    voters[2].log_end_offset = 100;
    text = status_text(405, resp);
    ck_assert_ptr_nonnull(strstr(text, "MaxFollowerLag:         0\n"
                                       "MaxFollowerLagTimeMs:   3000\n"));
    free(text);
    /* The leader itself first among the lowest: 0. */
    voters[0].log_end_offset = 101;
    text = status_text(405, resp);
    ck_assert_ptr_nonnull(strstr(text, "MaxFollowerLagTimeMs:   0\n"));
    free(text);
    /* A laggiest voter that never caught up: -1. */
    voters[2].log_end_offset = 50;
    voters[2].last_caught_up_timestamp = -1;
    text = status_text(405, resp);
    ck_assert_ptr_nonnull(strstr(text, "MaxFollowerLag:         50\n"
                                       "MaxFollowerLagTimeMs:   -1\n"));
    free(text);
    text = status_text(301, resp); /* Kafka 3.1 has no kafka-metadata-quorum.sh */
    ck_assert_str_eq(text, "");
    free(text);
}
END_TEST

static char *replication_text(int release)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    describe_replication(out, release, build_quorum());
    fclose(out);
    return text;
}

/* handleDescribeReplication + ToolsUtils.prettyPrintTable (3.4, trunk): the leader's row first,
 * every cell padded to its column's widest and followed by a tab (the last one too); Lag =
 * leader LEO - LEO even for an unknown (-1) one; absent timestamps print -1. DirectoryId is a
 * column from 3.9. */
START_TEST(replication_table_is_tab_separated_padded_leader_first)
{
    char *text = replication_text(304);
    ck_assert_str_eq(text,
                     "NodeId\tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\t"
                     "Status  \t\n"
                     "2     \t100         \t0  \t10000             \t10000                \t"
                     "Leader  \t\n"
                     "1     \t100         \t0  \t9000              \t7000                 \t"
                     "Follower\t\n"
                     "3     \t90          \t10 \t9500              \t9400                 \t"
                     "Follower\t\n"
                     "4     \t100         \t0  \t9990              \t9990                 \t"
                     "Observer\t\n"
                     "5     \t-1          \t101\t-1                \t-1                   \t"
                     "Observer\t\n");
    free(text);
    text = replication_text(405);
    ck_assert_ptr_eq(strstr(text, "NodeId\tDirectoryId           \tLogEndOffset\t"), text);
    ck_assert_ptr_nonnull(strstr(text, "\n2     \tAAAAAAAAAAAAAAAAAAAAAA\t100         \t"));
    free(text);
    text = replication_text(301);
    ck_assert_str_eq(text, "");
    free(text);
}
END_TEST

/* --bootstrap-controller came with 3.7 (KIP-919: MetadataQuorumCommand's connectionOptions);
 * 3.3 to 3.6 have only --bootstrap-server; 3.1 has no kafka-metadata-quorum.sh (3.3). */
START_TEST(quorum_prompt_per_release)
{
    static const struct {
        int release;
        const char *broker;
        bool runs;
        const char *text;
    } cases[] = {
        {307, "b4", true, "\n$ kafka-metadata-quorum.sh --bootstrap-controller c1:9093 describe "
                          "--status\n"},
        {304, "b4", true, "\n$ kafka-metadata-quorum.sh --bootstrap-server b4:9092 describe "
                          "--status\n"},
        {305, NULL, false, "\n(kafka-metadata-quorum.sh in Kafka 3.5 takes only "
                           "--bootstrap-server, and this cluster has no broker)\n"},
        {301, "b4", false, "\n(no kafka-metadata-quorum.sh in Kafka 3.1: the tool came with "
                           "3.3)\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        bool runs = describe_quorum_prompt(out, cases[i].release, "c1", cases[i].broker,
                                           "--status");
        fclose(out);
        ck_assert_int_eq(runs, cases[i].runs);
        ck_assert_str_eq(text, cases[i].text);
        free(text);
    }
}
END_TEST

/* raft.rpc.describe.quorum.max is read: DescribeQuorumResponse.json v1 adds the timestamps
 * (KIP-836), v2 ReplicaDirectoryId and Nodes (KIP-853). A trunk tool against a v1 answer
 * prints no endpoints and no directory; against v0, -1 for every timestamp, so the lag time is
 * -1 (handleDescribeStatus: lastCaughtUpTimestamp absent). */
START_TEST(describe_quorum_version_cuts_what_the_tool_can_print)
{
    struct describe_quorum_response *resp = (struct describe_quorum_response *)build_quorum();
    voters[0].replica_directory_id = (struct kuuid){1, 2};
    ck_assert_int_eq(describe_quorum_at_version(resp, 2, 3), 3);
    ck_assert_uint_eq(voters[0].replica_directory_id.lo, 2);
    ck_assert_int_eq(describe_quorum_at_version(resp, 1, 3), 0);
    ck_assert_uint_eq(voters[0].replica_directory_id.lo, 0);
    ck_assert_int_eq(voters[2].last_caught_up_timestamp, 9400);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    describe_status(out, 405, "CLUSTER", resp, endpoints, 0);
    fclose(out);
    ck_assert_ptr_nonnull(strstr(text, "CurrentVoters:          [{\"id\": 1}, {\"id\": 2}, "
                                       "{\"id\": 3}]\n"));
    free(text);
    ck_assert_int_eq(describe_quorum_at_version(resp, 0, 3), 0);
    ck_assert_int_eq(voters[2].last_caught_up_timestamp, -1);
    ck_assert_int_eq(observers[0].last_fetch_timestamp, -1);
    text = status_text(304, resp);
    ck_assert_ptr_nonnull(strstr(text, "MaxFollowerLagTimeMs:   -1\n"));
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("describe");
    TCase *tc = tcase_create("topics");
    tcase_add_test(tc, three_partitions_rf3_one_config_without_elr_fields);
    tcase_add_test(tc, three_partitions_rf3_one_config_with_elr_fields_null_elr_prints_empty);
    tcase_add_test(tc, isr_below_min_isr_moves_replicas_to_elr_and_both_lists_print);
    tcase_add_test(tc, leaderless_and_fenced_leader_partitions_print_leader_none);
    tcase_add_test(tc, filter_by_name_prints_one_topic_and_rf_comes_from_partition_0);
    tcase_add_test(tc, unknown_topic_prints_nothing_and_returns_minus_one);
    tcase_add_test(tc, all_topics_come_in_java_hashmap_order_not_name_order);
    tcase_add_test(tc, configs_are_the_topics_own_in_java_hashmap_order);
    tcase_add_test(tc, static_broker_synonyms_show_in_configs_and_the_topics_own_value_wins);
    tcase_add_test(tc, status_text_per_release_and_lag_time_of_the_lowest_log_end_offset);
    tcase_add_test(tc, replication_table_is_tab_separated_padded_leader_first);
    tcase_add_test(tc, quorum_prompt_per_release);
    tcase_add_test(tc, describe_quorum_version_cuts_what_the_tool_can_print);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
