/* test_metadata_image.c — replaying metadata records into the image, and back out again. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "metadata/image.h"

static const struct kuuid orders_id = {0x0102030405060708u, 0x090a0b0c0d0e0f10u};

static void apply_ok(struct metadata_image *img, const struct metadata_record *r)
{
    char err[200] = "";
    ck_assert_msg(metadata_image_apply(img, r, err, sizeof err) == 0, "%s", err);
    ck_assert(metadata_image_check(img));
}

static void register_broker(struct metadata_image *img, int32_t id, int64_t epoch)
{
    struct metadata_record r;
    metadata_record_init(&r, METADATA_REGISTER_BROKER, 1);
    r.u.register_broker.broker_id = id;
    r.u.register_broker.broker_epoch = epoch;
    apply_ok(img, &r); /* registers fenced: the schema's default */
}

static void build_cluster(struct metadata_image *img)
{
    struct metadata_record r;
    metadata_record_init(&r, METADATA_FEATURE_LEVEL, 0);
    r.u.feature_level = (struct metadata_feature_level){"metadata.version", 25};
    apply_ok(img, &r);
    register_broker(img, 3, 30);
    register_broker(img, 1, 10);
    register_broker(img, 2, 20);
    metadata_record_init(&r, METADATA_BROKER_REGISTRATION_CHANGE, 0);
    r.u.broker_registration_change.broker_id = 1;
    r.u.broker_registration_change.broker_epoch = 10;
    r.u.broker_registration_change.fenced = -1; /* unfenced */
    apply_ok(img, &r);
    metadata_record_init(&r, METADATA_TOPIC, 0);
    r.u.topic = (struct metadata_topic){"orders", orders_id};
    apply_ok(img, &r);
    static const int32_t replicas[] = {1, 2, 3};
    for (int32_t p = 1; p >= 0; p--) {
        metadata_record_init(&r, METADATA_PARTITION, 0);
        r.u.partition.partition_id = p;
        r.u.partition.topic_id = orders_id;
        r.u.partition.replicas = (struct metadata_int32s){3, replicas};
        r.u.partition.isr = (struct metadata_int32s){3, replicas};
        r.u.partition.leader = 1;
        r.u.partition.leader_epoch = 0;
        r.u.partition.partition_epoch = 0;
        apply_ok(img, &r);
    }
    metadata_record_init(&r, METADATA_CONFIG, 0);
    r.u.config = (struct metadata_config){2, "orders", "min.insync.replicas", "2"};
    apply_ok(img, &r);
}

START_TEST(replay_builds_brokers_topics_partitions_configs_in_order)
{
    struct metadata_image img;
    metadata_image_init(&img);
    build_cluster(&img);
    ck_assert_uint_eq(img.broker_count, 3);
    ck_assert_int_eq(img.brokers[0].id, 1); /* sorted by id whatever the order of arrival */
    ck_assert(!img.brokers[0].fenced);
    ck_assert(img.brokers[1].fenced);
    const struct image_topic *t = metadata_image_topic(&img, "orders");
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(t->partition_count, 2);
    ck_assert_int_eq(t->partitions[0].id, 0);
    ck_assert_uint_eq(img.config_count, 1);
    ck_assert_uint_eq(img.records_applied, 9);
    metadata_image_free(&img);
}
END_TEST

START_TEST(partition_change_moves_the_leader_and_bumps_both_epochs)
{
    struct metadata_image img;
    metadata_image_init(&img);
    build_cluster(&img);
    static const int32_t isr[] = {2, 3};
    struct metadata_record r;
    metadata_record_init(&r, METADATA_PARTITION_CHANGE, 0);
    r.u.partition_change.partition_id = 0;
    r.u.partition_change.topic_id = orders_id;
    r.u.partition_change.leader = 2;
    r.u.partition_change.isr = (struct metadata_int32s){2, isr};
    apply_ok(&img, &r);
    const struct image_partition *p = &metadata_image_topic(&img, "orders")->partitions[0];
    ck_assert_int_eq(p->leader, 2);
    ck_assert_int_eq(p->leader_epoch, 1);
    ck_assert_int_eq(p->partition_epoch, 1);
    ck_assert_int_eq(p->isr.count, 2);
    /* An ISR-only change: the partition epoch moves, the leader epoch does not. */
    metadata_record_init(&r, METADATA_PARTITION_CHANGE, 0);
    r.u.partition_change.partition_id = 0;
    r.u.partition_change.topic_id = orders_id;
    r.u.partition_change.isr = (struct metadata_int32s){1, isr};
    apply_ok(&img, &r);
    ck_assert_int_eq(p->leader_epoch, 1);
    ck_assert_int_eq(p->partition_epoch, 2);
    metadata_image_free(&img);
}
END_TEST

START_TEST(remove_topic_takes_its_configs_and_null_config_deletes_a_key)
{
    struct metadata_image img;
    metadata_image_init(&img);
    build_cluster(&img);
    struct metadata_record r;
    metadata_record_init(&r, METADATA_CONFIG, 0);
    r.u.config = (struct metadata_config){4, "", "log.retention.ms", "1000"};
    apply_ok(&img, &r);
    ck_assert_uint_eq(img.config_count, 2);
    metadata_record_init(&r, METADATA_REMOVE_TOPIC, 0);
    r.u.remove_topic.topic_id = orders_id;
    apply_ok(&img, &r);
    ck_assert_ptr_null(metadata_image_topic(&img, "orders"));
    ck_assert_uint_eq(img.config_count, 1);
    metadata_record_init(&r, METADATA_CONFIG, 0);
    r.u.config = (struct metadata_config){4, "", "log.retention.ms", NULL};
    apply_ok(&img, &r);
    ck_assert_uint_eq(img.config_count, 0);
    metadata_image_free(&img);
}
END_TEST

START_TEST(records_that_do_not_fit_the_image_are_refused)
{
    struct metadata_image img;
    metadata_image_init(&img);
    struct metadata_record r;
    char err[200];
    metadata_record_init(&r, METADATA_PARTITION, 0);
    r.u.partition.partition_id = 0;
    r.u.partition.topic_id = orders_id;
    ck_assert_int_eq(metadata_image_apply(&img, &r, err, sizeof err), -1);
    metadata_record_init(&r, METADATA_BROKER_REGISTRATION_CHANGE, 0);
    r.u.broker_registration_change.broker_id = 9;
    r.u.broker_registration_change.broker_epoch = 1;
    ck_assert_int_eq(metadata_image_apply(&img, &r, err, sizeof err), -1);
    ck_assert_str_eq(err, "broker 9 epoch 1 is not registered");
    ck_assert_uint_eq(img.records_applied, 0);
    metadata_image_free(&img);
}
END_TEST

static void replay(void *arg, const struct metadata_record *r) { apply_ok(arg, r); }

START_TEST(image_written_as_records_replays_to_the_same_hash)
{
    struct metadata_image img, copy, other;
    metadata_image_init(&img);
    metadata_image_init(&copy);
    metadata_image_init(&other);
    build_cluster(&img);
    metadata_image_records(&img, replay, &copy); /* what a snapshot holds */
    ck_assert_uint_eq(metadata_image_hash(&img), metadata_image_hash(&copy));
    build_cluster(&other);
    struct metadata_record r;
    metadata_record_init(&r, METADATA_CONFIG, 0);
    r.u.config = (struct metadata_config){2, "orders", "min.insync.replicas", "1"};
    apply_ok(&other, &r);
    ck_assert_uint_ne(metadata_image_hash(&img), metadata_image_hash(&other));
    metadata_image_free(&img);
    metadata_image_free(&copy);
    metadata_image_free(&other);
}
END_TEST

/* What metadata_image_records hands out, summarised during the call (a record is valid only
 * then), each one also checked to survive its own bytes unchanged. */
struct written {
    int count;
    struct metadata_record records[16]; /* pointers inside are not to be followed */
    char feature_names[16][48];         /* FeatureLevelRecord: the name */
    int32_t broker_feature_count;
    char broker_feature_names[2][48];
    int16_t broker_feature_min[2], broker_feature_max[2];
};

static void keep(void *arg, const struct metadata_record *r)
{
    struct written *w = arg;
    ck_assert_int_lt(w->count, 16);
    if (r->type == METADATA_FEATURE_LEVEL) {
        snprintf(w->feature_names[w->count], 48, "%s", r->u.feature_level.name);
    }
    if (r->type == METADATA_REGISTER_BROKER) {
        const struct metadata_register_broker *b = &r->u.register_broker;
        w->broker_feature_count = b->feature_count;
        for (int32_t i = 0; i < b->feature_count && i < 2; i++) {
            snprintf(w->broker_feature_names[i], 48, "%s", b->features[i].name);
            w->broker_feature_min[i] = b->features[i].min_supported_version;
            w->broker_feature_max[i] = b->features[i].max_supported_version;
        }
    }
    struct wire_writer out;
    wire_writer_init(&out);
    ck_assert_int_eq(metadata_record_encode(&out, r), 0);
    struct wire_arena a;
    wire_arena_init(&a);
    struct metadata_record back;
    ck_assert_int_eq(metadata_record_decode(out.bytes, out.len, &a, &back), 0);
    ck_assert(metadata_record_equal(&back, r)); /* the in-memory copy = what the bytes give */
    wire_arena_free(&a);
    wire_writer_free(&out);
    w->records[w->count++] = *r;
}

static const struct metadata_feature broker_features[] = {{"metadata.version", 7, 25},
                                                         {"kraft.version", 0, 1}};

/* An image at metadata.version `mv` (none when 0) with one broker in controlled shutdown
 * that registered two features, and one partition with an (empty) ELR. */
static void build_at(struct metadata_image *img, int16_t mv)
{
    struct metadata_record r;
    if (mv > 0) {
        metadata_record_init(&r, METADATA_FEATURE_LEVEL, 0);
        r.u.feature_level = (struct metadata_feature_level){"kraft.version", 1};
        apply_ok(img, &r); /* sorts before metadata.version */
        r.u.feature_level = (struct metadata_feature_level){"metadata.version", mv};
        apply_ok(img, &r);
    }
    metadata_record_init(&r, METADATA_REGISTER_BROKER, 4);
    r.u.register_broker.broker_id = 1;
    r.u.register_broker.broker_epoch = 10;
    r.u.register_broker.in_controlled_shutdown = true;
    r.u.register_broker.feature_count = 2;
    r.u.register_broker.features = broker_features;
    apply_ok(img, &r);
    metadata_record_init(&r, METADATA_TOPIC, 0);
    r.u.topic = (struct metadata_topic){"orders", orders_id};
    apply_ok(img, &r);
    static const int32_t replicas[] = {1};
    metadata_record_init(&r, METADATA_PARTITION, 2);
    r.u.partition.partition_id = 0;
    r.u.partition.topic_id = orders_id;
    r.u.partition.replicas = (struct metadata_int32s){1, replicas};
    r.u.partition.isr = (struct metadata_int32s){1, replicas};
    r.u.partition.leader = 1;
    r.u.partition.eligible_leader_replicas = (struct metadata_int32s){0, NULL};
    r.u.partition.last_known_elr = (struct metadata_int32s){0, NULL};
    apply_ok(img, &r);
}

/* MetadataImage.write with ImageWriterOptions.metadataVersion = the image's:
 * FeaturesImage.writeFeatureLevels (metadata.version first), BrokerRegistration.toRecord
 * (registerBrokerRecordVersion, supportedFeatures), PartitionRegistration.toRecord
 * (partitionRecordVersion; ELR only when isElrSupported). Trunk d79bd502ec, 3.4, 3.1. */
START_TEST(snapshot_records_have_the_versions_of_the_images_metadata_version)
{
    static const struct {
        int16_t mv;
        int feature_records;
        int16_t register_version, partition_version;
        bool in_controlled_shutdown;
    } cases[] = {
        {33, 2, 4, 2, true}, /* 4.4-IV2 (trunk) */
        {25, 2, 3, 2, true}, /* 4.0-IV3 */
        {19, 2, 3, 1, true}, /* 3.7-IV4 */
        {8, 2, 2, 0, true},  /* 3.4-IV0 */
        {0, 0, 0, 0, false}, /* 3.1: no metadata.version, i.e. 3.0-IV1 */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct metadata_image img, copy;
        metadata_image_init(&img);
        metadata_image_init(&copy);
        build_at(&img, cases[c].mv);
        struct written w = {0};
        metadata_image_records(&img, keep, &w);
        int f = cases[c].feature_records;
        ck_assert_int_eq(w.count, f + 3);
        if (f > 0) {
            ck_assert_str_eq(w.feature_names[0], "metadata.version");
            ck_assert_int_eq(w.records[0].u.feature_level.feature_level, cases[c].mv);
            ck_assert_str_eq(w.feature_names[1], "kraft.version");
        }
        const struct metadata_record *rb = &w.records[f];
        ck_assert_int_eq(rb->type, METADATA_REGISTER_BROKER);
        ck_assert_int_eq(rb->version, cases[c].register_version);
        ck_assert_int_eq(rb->u.register_broker.in_controlled_shutdown,
                         cases[c].in_controlled_shutdown);
        ck_assert_int_eq(w.broker_feature_count, 2);
        ck_assert_str_eq(w.broker_feature_names[0], "metadata.version");
        ck_assert_str_eq(w.broker_feature_names[1], "kraft.version");
        ck_assert_int_eq(w.broker_feature_min[0], 7);
        ck_assert_int_eq(w.broker_feature_max[0], 25);
        ck_assert_int_eq(w.broker_feature_max[1], 1);
        const struct metadata_record *pr = &w.records[f + 2];
        ck_assert_int_eq(pr->type, METADATA_PARTITION);
        ck_assert_int_eq(pr->version, cases[c].partition_version);
        ck_assert_int_eq(pr->u.partition.eligible_leader_replicas.count,
                         cases[c].partition_version >= 2 ? 0 : -1);
        metadata_image_records(&img, replay, &copy);
        ck_assert_int_eq(copy.brokers[0].feature_count, 2);
        metadata_image_free(&img);
        metadata_image_free(&copy);
    }
}
END_TEST

START_TEST(broker_features_are_part_of_the_image_and_its_hash)
{
    struct metadata_image a, b;
    metadata_image_init(&a);
    metadata_image_init(&b);
    build_at(&a, 25);
    build_at(&b, 25);
    ck_assert_uint_eq(metadata_image_hash(&a), metadata_image_hash(&b));
    ck_assert_int_eq(metadata_image_mv_level(&a), 25);
    b.brokers[0].features[1].max_version = 0;
    ck_assert_uint_ne(metadata_image_hash(&a), metadata_image_hash(&b));
    struct metadata_image none;
    metadata_image_init(&none);
    ck_assert_int_eq(metadata_image_mv_level(&none), 1); /* FeaturesImage.EMPTY: 3.0-IV1 */
    metadata_image_free(&a);
    metadata_image_free(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("metadata_image");
    TCase *tc = tcase_create("replay");
    tcase_add_test(tc, replay_builds_brokers_topics_partitions_configs_in_order);
    tcase_add_test(tc, partition_change_moves_the_leader_and_bumps_both_epochs);
    tcase_add_test(tc, remove_topic_takes_its_configs_and_null_config_deletes_a_key);
    tcase_add_test(tc, records_that_do_not_fit_the_image_are_refused);
    tcase_add_test(tc, image_written_as_records_replays_to_the_same_hash);
    tcase_add_test(tc, snapshot_records_have_the_versions_of_the_images_metadata_version);
    tcase_add_test(tc, broker_features_are_part_of_the_image_and_its_hash);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
