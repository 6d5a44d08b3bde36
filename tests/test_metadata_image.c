/* test_metadata_image.c — replaying metadata records into the image, and back out again. */
#include <check.h>
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

int main(void)
{
    Suite *s = suite_create("metadata_image");
    TCase *tc = tcase_create("replay");
    tcase_add_test(tc, replay_builds_brokers_topics_partitions_configs_in_order);
    tcase_add_test(tc, partition_change_moves_the_leader_and_bumps_both_epochs);
    tcase_add_test(tc, remove_topic_takes_its_configs_and_null_config_deletes_a_key);
    tcase_add_test(tc, records_that_do_not_fit_the_image_are_refused);
    tcase_add_test(tc, image_written_as_records_replays_to_the_same_hash);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
