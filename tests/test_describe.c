/* test_describe.c — kafka-topics.sh --describe, byte for byte, from a replayed metadata image. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "describe.h"
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
    *rc = describe_topics(out, img, topic, elr_fields);
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
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
