/* test_check_partitions.c — the partition-leadership checker against crafted metadata logs. */
#include <check.h>
#include <string.h>

#include "check/check_partitions.h"

static const struct kuuid orders_id = {0x0102030405060708u, 0x090a0b0c0d0e0f10u};

/* A list literal for a record field: LIST(1, 2, 3). Lives until the end of the block. */
#define LIST(...)                                                                              \
    ((struct metadata_int32s){(int32_t)(sizeof((int32_t[]){__VA_ARGS__}) / sizeof(int32_t)),  \
                              (int32_t[]){__VA_ARGS__}})
#define EMPTY ((struct metadata_int32s){0, NULL})

#define MS (INT64_C(1000000))

/* A committed metadata log being written, and the checker it is fed to: offset n commits at
 * virtual time (n + 1) ms. */
struct feed {
    struct partition_checker pc;
    struct run_result result;
    int64_t offset;
    int64_t broker_epoch[8]; /* index: broker id; the offset it registered at */
};

static void feed_init(struct feed *f, bool unclean_default)
{
    memset(f, 0, sizeof *f);
    partition_checker_init(&f->pc, &f->result, unclean_default);
}

static void feed_free(struct feed *f) { partition_checker_free(&f->pc); }

static void feed(struct feed *f, const struct metadata_record *r)
{
    ck_assert(partition_checker_record(&f->pc, f->offset, r, (f->offset + 1) * MS));
    f->offset++;
}

/* An offset holding a control record (a LeaderChangeMessage batch): no metadata record. */
static void feed_control(struct feed *f)
{
    ck_assert(partition_checker_record(&f->pc, f->offset, NULL, (f->offset + 1) * MS));
    f->offset++;
}

static void register_broker(struct feed *f, int32_t id)
{
    struct metadata_record r;
    metadata_record_init(&r, METADATA_REGISTER_BROKER, 1);
    r.u.register_broker.broker_id = id;
    r.u.register_broker.broker_epoch = f->offset; /* QuorumController: epoch = offset */
    f->broker_epoch[id] = f->offset;
    feed(f, &r); /* fenced: the schema's default */
}

/* BrokerRegistrationChangeRecord: fenced -1 unfences, 1 fences; shutdown 1 starts a controlled
 * shutdown. */
static void broker_change(struct feed *f, int32_t id, int8_t fenced, int8_t shutdown)
{
    struct metadata_record r;
    metadata_record_init(&r, METADATA_BROKER_REGISTRATION_CHANGE, shutdown != 0 ? 1 : 0);
    r.u.broker_registration_change.broker_id = id;
    r.u.broker_registration_change.broker_epoch = f->broker_epoch[id];
    r.u.broker_registration_change.fenced = fenced;
    r.u.broker_registration_change.in_controlled_shutdown = shutdown;
    feed(f, &r);
}

static void partition(struct feed *f, int32_t id, struct metadata_int32s replicas,
                      int32_t leader)
{
    struct metadata_record r;
    metadata_record_init(&r, METADATA_PARTITION, 2);
    r.u.partition.partition_id = id;
    r.u.partition.topic_id = orders_id;
    r.u.partition.replicas = replicas;
    r.u.partition.isr = replicas;
    r.u.partition.leader = leader;
    r.u.partition.leader_epoch = 0;
    r.u.partition.partition_epoch = 0;
    feed(f, &r);
}

static void config(struct feed *f, int8_t type, const char *resource, const char *value)
{
    struct metadata_record r;
    metadata_record_init(&r, METADATA_CONFIG, 0);
    r.u.config = (struct metadata_config){type, resource, "unclean.leader.election.enable",
                                          value};
    feed(f, &r);
}

/* A PartitionChangeRecord for orders-`id` that changes nothing yet. */
static struct metadata_record change_of(int32_t id)
{
    struct metadata_record r;
    metadata_record_init(&r, METADATA_PARTITION_CHANGE, 2);
    r.u.partition_change.partition_id = id;
    r.u.partition_change.topic_id = orders_id;
    return r;
}

/* Brokers 1-3 registered and unfenced; topic "orders" with partitions 0-2, replicas rotated so
 * each broker leads one: orders-0 [1,2,3], orders-1 [2,3,1], orders-2 [3,1,2]. Offsets 0-10. */
static void cluster(struct feed *f)
{
    struct metadata_record r;
    metadata_record_init(&r, METADATA_FEATURE_LEVEL, 0);
    r.u.feature_level = (struct metadata_feature_level){"metadata.version", 25};
    feed(f, &r);
    for (int32_t id = 1; id <= 3; id++) {
        register_broker(f, id);
        broker_change(f, id, -1, 0);
    }
    metadata_record_init(&r, METADATA_TOPIC, 0);
    r.u.topic = (struct metadata_topic){"orders", orders_id};
    feed(f, &r);
    partition(f, 0, LIST(1, 2, 3), 1);
    partition(f, 1, LIST(2, 3, 1), 2);
    partition(f, 2, LIST(3, 1, 2), 3);
    ck_assert_int_eq(f->offset, 11);
    ck_assert_uint_eq(f->result.violations, 0);
}

static const struct image_partition *orders(const struct feed *f, int32_t id)
{
    const struct image_topic *t = metadata_image_topic(&f->pc.shadow, "orders");
    ck_assert_ptr_nonnull(t);
    ck_assert_int_lt(id, t->partition_count);
    return &t->partitions[id];
}

/* The latest violation's text starts with `prefix`. */
static void ck_last(const struct feed *f, const char *prefix)
{
    ck_assert_msg(strncmp(f->pc.last, prefix, strlen(prefix)) == 0, "last violation: \"%s\"",
                  f->pc.last);
}

START_TEST(clean_history_three_brokers_fence_one_after_its_leaders_move_then_reelect)
{
    struct feed f;
    feed_init(&f, false);
    cluster(&f);
    /* Broker 1 misses its heartbeats: handleBrokerFenced moves orders-0 to 2 and drops 1 from
     * every ISR, and only then fences it. */
    struct metadata_record r = change_of(0);
    r.u.partition_change.leader = 2;
    r.u.partition_change.isr = LIST(2, 3);
    feed(&f, &r);
    r = change_of(1);
    r.u.partition_change.isr = LIST(2, 3);
    feed(&f, &r);
    r = change_of(2);
    r.u.partition_change.isr = LIST(3, 2);
    feed(&f, &r);
    broker_change(&f, 1, 1, 0);
    /* A leader change message's control batch takes an offset of its own. */
    feed_control(&f);
    /* Broker 1 comes back, catches up into orders-0's ISR and is elected preferred leader. */
    broker_change(&f, 1, -1, 0);
    r = change_of(0);
    r.u.partition_change.isr = LIST(2, 3, 1);
    feed(&f, &r);
    r = change_of(0);
    r.u.partition_change.leader = 1;
    feed(&f, &r);

    ck_assert_uint_eq(f.result.violations, 0);
    ck_assert_str_eq(f.result.first_violation, "");
    ck_assert_str_eq(f.pc.last, "");
    ck_assert_uint_eq(f.pc.records_checked, 18);
    ck_assert_uint_eq(f.pc.leader_changes, 2);
    ck_assert_uint_eq(f.pc.unclean_elections, 0);
    ck_assert_int_eq(f.pc.next_offset, 19);
    ck_assert_int_eq(orders(&f, 0)->leader, 1);
    ck_assert_int_eq(orders(&f, 0)->leader_epoch, 2);
    ck_assert_int_eq(orders(&f, 0)->partition_epoch, 3);
    feed_free(&f);
}
END_TEST

START_TEST(leader_in_isr_leader_dropped_from_isr_and_leader_outside_replicas)
{
    struct feed f;
    feed_init(&f, false);
    cluster(&f);
    /* orders-1 keeps leader 2 but the record's ISR leaves 2 out. */
    struct metadata_record r = change_of(1);
    r.u.partition_change.isr = LIST(3, 1);
    feed(&f, &r);
    ck_assert_uint_eq(f.result.violations, 1);
    ck_assert_str_eq(f.pc.last, "leader-in-isr: orders-1 leader 2 is not in isr [3,1] at offset "
                                "11 (leader epoch 0, partition epoch 1)");
    ck_assert_str_eq(f.result.first_violation,
                     "leader-in-isr: orders-1 leader 2 is not in isr [3,1] at offset 11 (leader "
                     "epoch 0, partition epoch 1) at 0.012000 s");
    /* orders-2 elects 1 (in its ISR) while the same record drops 1 from the replicas. */
    r = change_of(2);
    r.u.partition_change.leader = 1;
    r.u.partition_change.replicas = LIST(3, 2);
    r.u.partition_change.isr = LIST(3, 1, 2);
    feed(&f, &r);
    ck_assert_uint_eq(f.result.violations, 2);
    ck_last(&f, "leader-in-isr: orders-2 leader 1 is not among replicas [3,2] at offset 12");
    feed_free(&f);
}
END_TEST

START_TEST(leader_epoch_monotonic_partition_record_redeclares_with_older_epochs)
{
    struct feed f;
    feed_init(&f, false);
    cluster(&f);
    struct metadata_record r = change_of(0);
    r.u.partition_change.leader = 2; /* leader epoch 1, partition epoch 1 */
    r.u.partition_change.isr = LIST(2, 3);
    feed(&f, &r);
    r = change_of(0);
    r.u.partition_change.isr = LIST(2); /* partition epoch 2 */
    feed(&f, &r);
    /* Kafka would replace orders-0 with this (TopicDelta.replay): epochs back to 0. */
    metadata_record_init(&r, METADATA_PARTITION, 2);
    r.u.partition.partition_id = 0;
    r.u.partition.topic_id = orders_id;
    r.u.partition.replicas = LIST(1, 2, 3);
    r.u.partition.isr = LIST(2);
    r.u.partition.leader = 2;
    r.u.partition.leader_epoch = 0;
    r.u.partition.partition_epoch = 0;
    feed(&f, &r);
    /* Both epochs went back, and our image refuses a second PartitionRecord. */
    ck_assert_uint_eq(f.result.violations, 3);
    ck_assert_str_eq(f.result.first_violation, "leader-epoch-monotonic: orders-0 leader epoch 1 "
                     "-> 0 at offset 13 (leader 2 -> 2) at 0.014000 s");
    ck_last(&f, "record-fits-image: PartitionRecord at offset 13 does not fit the image");
    ck_assert_int_eq(orders(&f, 0)->leader_epoch, 1);
    feed_free(&f);
}
END_TEST

START_TEST(one_leader_per_epoch_partition_record_changes_leader_in_the_same_epoch)
{
    struct feed f;
    feed_init(&f, false);
    cluster(&f);
    struct metadata_record r = change_of(0);
    r.u.partition_change.leader = 2; /* leader epoch 1 */
    feed(&f, &r);
    metadata_record_init(&r, METADATA_PARTITION, 2);
    r.u.partition.partition_id = 0;
    r.u.partition.topic_id = orders_id;
    r.u.partition.replicas = LIST(1, 2, 3);
    r.u.partition.isr = LIST(1, 2, 3);
    r.u.partition.leader = 3;
    r.u.partition.leader_epoch = 1; /* a second leader in epoch 1 */
    r.u.partition.partition_epoch = 5;
    feed(&f, &r);
    ck_assert_uint_eq(f.result.violations, 2);
    ck_assert_str_eq(f.result.first_violation, "one-leader-per-epoch: orders-0 leader 2 -> 3 "
                     "without a new leader epoch (1 -> 1) at offset 12 at 0.013000 s");
    ck_last(&f, "record-fits-image: PartitionRecord at offset 12");
    feed_free(&f);
}
END_TEST

START_TEST(fenced_never_leader_fenced_shutting_down_and_unknown_brokers_elected)
{
    struct feed f;
    feed_init(&f, false);
    cluster(&f);
    /* Broker 3 fenced the pre-3.3 way (leaders moved first: it leads orders-2). */
    struct metadata_record r = change_of(2);
    r.u.partition_change.leader = 1;
    r.u.partition_change.isr = LIST(1, 2);
    feed(&f, &r);
    metadata_record_init(&r, METADATA_FENCE_BROKER, 0);
    r.u.fencing = (struct metadata_broker_fencing){3, f.broker_epoch[3]};
    feed(&f, &r);
    ck_assert_uint_eq(f.result.violations, 0);
    r = change_of(1); /* 3 is still in orders-1's ISR: only the fencing stops it */
    r.u.partition_change.leader = 3;
    feed(&f, &r);
    ck_assert_uint_eq(f.result.violations, 1);
    ck_assert_str_eq(f.pc.last, "fenced-never-leader: orders-1 elects broker 3, which is fenced, "
                                "at offset 13 (leader epoch 1)");
    /* Broker 1 starts a controlled shutdown and is then elected for orders-0 again. */
    broker_change(&f, 1, 0, 1);
    r = change_of(0);
    r.u.partition_change.leader = 1;
    feed(&f, &r);
    ck_assert_uint_eq(f.result.violations, 2);
    ck_last(&f, "fenced-never-leader: orders-0 elects broker 1, which is in controlled shutdown,"
                " at offset 15");
    /* A new partition led by broker 9, which never registered. */
    partition(&f, 3, LIST(9), 9);
    ck_assert_uint_eq(f.result.violations, 3);
    ck_last(&f, "fenced-never-leader: orders-3 elects broker 9, which is not registered, at "
                "offset 16 (leader epoch 0)");
    feed_free(&f);
}
END_TEST

START_TEST(fenced_never_leader_broker_fenced_while_it_still_leads)
{
    struct feed f;
    feed_init(&f, false);
    cluster(&f);
    /* Broker 2 is fenced before orders-1 moves away from it. */
    broker_change(&f, 2, 1, 0);
    ck_assert_uint_eq(f.result.violations, 1);
    ck_assert_str_eq(f.pc.last, "fenced-never-leader: orders-1 still led by broker 2, fenced, at "
                                "offset 11 (leader epoch 0)");
    /* Broker 3 unregistered while it leads orders-2. */
    struct metadata_record r;
    metadata_record_init(&r, METADATA_UNREGISTER_BROKER, 0);
    r.u.unregister_broker = (struct metadata_unregister_broker){3, f.broker_epoch[3]};
    feed(&f, &r);
    ck_assert_uint_eq(f.result.violations, 2);
    ck_last(&f, "fenced-never-leader: orders-2 still led by broker 3, not registered, at offset "
                "12");
    /* A controlled shutdown alone is no violation: leaders move right after the flag. */
    broker_change(&f, 1, 0, 1);
    ck_assert_uint_eq(f.result.violations, 2);
    feed_free(&f);
}
END_TEST

/* orders-0's ISR shrinks to its leader 1 alone (offset 11). */
static void shrink_orders0_to_leader(struct feed *f)
{
    struct metadata_record r = change_of(0);
    r.u.partition_change.isr = LIST(1);
    feed(f, &r);
}

START_TEST(unclean_election_disabled_by_default_is_a_violation_and_counted)
{
    struct feed f;
    feed_init(&f, false);
    cluster(&f);
    shrink_orders0_to_leader(&f);
    struct metadata_record r = change_of(0);
    r.u.partition_change.leader = 2; /* not in ISR [1], ELR null */
    r.u.partition_change.isr = LIST(2);
    r.u.partition_change.leader_recovery_state = METADATA_LRS_RECOVERING;
    feed(&f, &r);
    ck_assert_uint_eq(f.result.violations, 1);
    ck_assert_str_eq(f.pc.last, "unclean-election: orders-0 elects broker 2 from outside isr [1] "
                                "and elr [] at offset 12 (leader epoch 0) with "
                                "unclean.leader.election.enable=false");
    ck_assert_uint_eq(f.pc.unclean_elections, 1);
    ck_assert_uint_eq(f.pc.leader_changes, 1);
    feed_free(&f);
}
END_TEST

START_TEST(unclean_election_enabled_by_topic_config_must_still_flag_recovering)
{
    struct feed f;
    feed_init(&f, false);
    cluster(&f);
    config(&f, 2, "orders", "True");
    shrink_orders0_to_leader(&f);
    /* Enabled for the topic, but the record leaves LeaderRecoveryState RECOVERED. */
    struct metadata_record r = change_of(0);
    r.u.partition_change.leader = 2;
    r.u.partition_change.isr = LIST(2);
    feed(&f, &r);
    ck_assert_uint_eq(f.result.violations, 1);
    ck_assert_str_eq(f.pc.last, "unclean-election: orders-0 elects broker 2 uncleanly at offset "
                                "13 (leader epoch 0 -> 1) but leaves LeaderRecoveryState 0, not "
                                "RECOVERING");
    /* Flagged this time, from ISR [2] to broker 3: allowed. */
    r = change_of(0);
    r.u.partition_change.leader = 3;
    r.u.partition_change.isr = LIST(3);
    r.u.partition_change.leader_recovery_state = METADATA_LRS_RECOVERING;
    feed(&f, &r);
    /* Already RECOVERING: tryElection leaves the field out, and that is fine too. */
    r = change_of(0);
    r.u.partition_change.leader = 1;
    r.u.partition_change.isr = LIST(1);
    feed(&f, &r);
    ck_assert_uint_eq(f.result.violations, 1);
    ck_assert_uint_eq(f.pc.unclean_elections, 3);
    ck_assert_int_eq(orders(&f, 0)->leader_recovery_state, METADATA_LRS_RECOVERING);
    feed_free(&f);
}
END_TEST

START_TEST(unclean_election_config_precedence_topic_then_cluster_then_default)
{
    struct feed f;
    feed_init(&f, true); /* the static cluster default allows it */
    cluster(&f);
    config(&f, 2, "orders", "false"); /* ... but the topic does not */
    shrink_orders0_to_leader(&f);
    struct metadata_record r = change_of(0);
    r.u.partition_change.leader = 2;
    r.u.partition_change.isr = LIST(2);
    r.u.partition_change.leader_recovery_state = METADATA_LRS_RECOVERING;
    feed(&f, &r);
    ck_assert_uint_eq(f.result.violations, 1);
    ck_last(&f, "unclean-election: orders-0 elects broker 2 from outside isr [1]");
    /* The topic value is deleted and the dynamic cluster default says no: still refused. */
    config(&f, 2, "orders", NULL);
    config(&f, 4, "", "false");
    r.u.partition_change.leader = 3;
    r.u.partition_change.isr = LIST(3);
    feed(&f, &r);
    ck_assert_uint_eq(f.result.violations, 2);
    /* With the dynamic default gone, the static one applies again: allowed. */
    config(&f, 4, "", NULL);
    r.u.partition_change.leader = 1;
    r.u.partition_change.isr = LIST(1);
    feed(&f, &r);
    ck_assert_uint_eq(f.result.violations, 2);
    ck_assert_uint_eq(f.pc.unclean_elections, 3);
    feed_free(&f);
}
END_TEST

START_TEST(elr_member_elected_is_clean_last_known_leader_is_unclean_but_allowed)
{
    struct feed f;
    feed_init(&f, false);
    cluster(&f);
    /* KIP-966: orders-0's ISR empties with 2 and 3 kept eligible; 1 is the last known leader. */
    struct metadata_record r = change_of(0);
    r.u.partition_change.leader = METADATA_NO_LEADER;
    r.u.partition_change.isr = EMPTY;
    r.u.partition_change.eligible_leader_replicas = LIST(2, 3);
    r.u.partition_change.last_known_elr = LIST(1);
    feed(&f, &r);
    /* Electing an ELR member is clean. */
    r = change_of(0);
    r.u.partition_change.leader = 3;
    r.u.partition_change.isr = LIST(3);
    r.u.partition_change.eligible_leader_replicas = LIST(2);
    r.u.partition_change.last_known_elr = EMPTY;
    feed(&f, &r);
    ck_assert_uint_eq(f.pc.unclean_elections, 0);
    /* Leaderless again with ISR and ELR empty: the last known leader 3 may come back uncleanly,
     * flagged, whatever unclean.leader.election.enable says. */
    r = change_of(0);
    r.u.partition_change.leader = METADATA_NO_LEADER;
    r.u.partition_change.isr = EMPTY;
    r.u.partition_change.eligible_leader_replicas = EMPTY;
    r.u.partition_change.last_known_elr = LIST(3);
    feed(&f, &r);
    r = change_of(0);
    r.u.partition_change.leader = 3;
    r.u.partition_change.isr = LIST(3);
    r.u.partition_change.last_known_elr = EMPTY;
    r.u.partition_change.leader_recovery_state = METADATA_LRS_RECOVERING;
    feed(&f, &r);
    ck_assert_uint_eq(f.result.violations, 0);
    ck_assert_uint_eq(f.pc.unclean_elections, 1);
    ck_assert_uint_eq(f.pc.leader_changes, 4);
    /* Anyone else from an empty ISR and ELR needs the config. */
    r = change_of(1);
    r.u.partition_change.leader = METADATA_NO_LEADER;
    r.u.partition_change.isr = EMPTY;
    r.u.partition_change.last_known_elr = LIST(2);
    feed(&f, &r);
    r = change_of(1);
    r.u.partition_change.leader = 3;
    r.u.partition_change.isr = LIST(3);
    r.u.partition_change.leader_recovery_state = METADATA_LRS_RECOVERING;
    feed(&f, &r);
    ck_assert_uint_eq(f.result.violations, 1);
    ck_last(&f, "unclean-election: orders-1 elects broker 3 from outside isr [] and elr []");
    feed_free(&f);
}
END_TEST

/* Seen on workload seeds 42 and 91: orders-0 has ISR [] and ELR [2], last known leader 3; 2
 * re-registers after an unclean shutdown, and one record both drops it from the ELR and brings
 * back 3 (PartitionChangeBuilder empties the target ELR before it elects). That is the
 * last-known-leader election, allowed with unclean.leader.election.enable=false. */
START_TEST(last_known_leader_elected_in_the_record_that_empties_the_elr)
{
    struct feed f;
    feed_init(&f, false);
    cluster(&f);
    struct metadata_record r = change_of(0);
    r.u.partition_change.leader = METADATA_NO_LEADER;
    r.u.partition_change.isr = EMPTY;
    r.u.partition_change.eligible_leader_replicas = LIST(2);
    r.u.partition_change.last_known_elr = LIST(3);
    feed(&f, &r);
    r = change_of(0);
    r.u.partition_change.leader = 3;
    r.u.partition_change.isr = LIST(3);
    r.u.partition_change.eligible_leader_replicas = EMPTY;
    r.u.partition_change.last_known_elr = EMPTY;
    r.u.partition_change.leader_recovery_state = METADATA_LRS_RECOVERING;
    feed(&f, &r);
    ck_assert_uint_eq(f.result.violations, 0);
    ck_assert_uint_eq(f.pc.unclean_elections, 1);
    /* The same election with the ELR left as it was ([2]) is not the last known leader's. */
    r = change_of(1);
    r.u.partition_change.leader = METADATA_NO_LEADER;
    r.u.partition_change.isr = EMPTY;
    r.u.partition_change.eligible_leader_replicas = LIST(1);
    r.u.partition_change.last_known_elr = LIST(3);
    feed(&f, &r);
    r = change_of(1);
    r.u.partition_change.leader = 3;
    r.u.partition_change.isr = LIST(3);
    r.u.partition_change.leader_recovery_state = METADATA_LRS_RECOVERING;
    feed(&f, &r);
    ck_assert_uint_eq(f.result.violations, 1);
    ck_last(&f, "unclean-election: orders-1 elects broker 3 from outside isr [] and elr [1]");
    feed_free(&f);
}
END_TEST

START_TEST(out_of_order_offsets_are_ignored_and_control_records_advance)
{
    struct feed f;
    feed_init(&f, false);
    cluster(&f); /* offsets 0-10: the next one expected is 11 */
    struct metadata_record bad = change_of(1);
    bad.u.partition_change.isr = LIST(3); /* would drop leader 2 from the ISR */
    ck_assert(!partition_checker_record(&f.pc, 10, &bad, 0)); /* a repeat */
    ck_assert(!partition_checker_record(&f.pc, 12, &bad, 0)); /* a gap */
    ck_assert(!partition_checker_record(&f.pc, 3, NULL, 0));
    ck_assert_uint_eq(f.pc.records_ignored, 3);
    ck_assert_uint_eq(f.pc.records_checked, 11);
    ck_assert_uint_eq(f.result.violations, 0);
    ck_assert_int_eq(orders(&f, 1)->isr.count, 3);
    /* The control record at 11 moves the expectation to 12, where the bad record now counts. */
    ck_assert(partition_checker_record(&f.pc, 11, NULL, 0));
    ck_assert(partition_checker_record(&f.pc, 12, &bad, 13 * MS));
    ck_assert_uint_eq(f.result.violations, 1);
    ck_assert_int_eq(f.pc.next_offset, 13);
    feed_free(&f);
}
END_TEST

START_TEST(first_call_sets_the_start_offset)
{
    struct partition_checker pc;
    struct run_result result;
    memset(&result, 0, sizeof result);
    partition_checker_init(&pc, &result, false);
    ck_assert_int_eq(pc.next_offset, -1);
    struct metadata_record r;
    metadata_record_init(&r, METADATA_NO_OP, 0);
    ck_assert(partition_checker_record(&pc, 40, &r, 0));
    ck_assert(!partition_checker_record(&pc, 0, &r, 0));
    ck_assert(partition_checker_record(&pc, 41, &r, 0));
    ck_assert_int_eq(pc.next_offset, 42);
    ck_assert_uint_eq(pc.records_checked, 2);
    partition_checker_free(&pc);
}
END_TEST

/* The cluster, then orders-0's leader moved to each of `leaders` in turn (offsets 11...). */
static void history(struct feed *f, const int32_t *leaders, int count)
{
    feed_init(f, false);
    cluster(f);
    for (int i = 0; i < count; i++) {
        struct metadata_record r = change_of(0);
        r.u.partition_change.leader = leaders[i];
        feed(f, &r);
    }
}

START_TEST(resync_to_a_node_ahead_replays_its_image_and_moves_the_offset)
{
    struct feed checker, node;
    history(&checker, NULL, 0);
    history(&node, (const int32_t[]){2, 3, 2}, 3); /* node applied up to offset 14 */
    partition_checker_resync(&checker.pc, &node.pc.shadow, 14);
    ck_assert_uint_eq(checker.result.violations, 0);
    ck_assert_uint_eq(checker.pc.resyncs, 1);
    ck_assert_int_eq(checker.pc.next_offset, 14);
    ck_assert_uint_eq(metadata_image_hash(&checker.pc.shadow),
                      metadata_image_hash(&node.pc.shadow));
    ck_assert_int_eq(orders(&checker, 0)->leader_epoch, 3);
    /* Feeding goes on from the node's offset; the old position is behind now. */
    struct metadata_record r = change_of(0);
    r.u.partition_change.leader = 3;
    ck_assert(!partition_checker_record(&checker.pc, 11, &r, 0));
    ck_assert(partition_checker_record(&checker.pc, 14, &r, 15 * MS));
    ck_assert_int_eq(orders(&checker, 0)->leader_epoch, 4);
    ck_assert_uint_eq(checker.result.violations, 0);
    feed_free(&checker);
    feed_free(&node);
}
END_TEST

START_TEST(resync_ahead_with_older_epochs_or_a_second_leader_in_an_epoch)
{
    struct feed checker, node;
    /* The checker saw orders-0 reach leader 2 in epoch 3; the node's image, said to be later,
     * has it at leader 2 in epoch 1. */
    history(&checker, (const int32_t[]){2, 3, 2}, 3);
    history(&node, (const int32_t[]){2}, 1);
    partition_checker_resync(&checker.pc, &node.pc.shadow, 50);
    ck_assert_uint_eq(checker.result.violations, 2);
    ck_assert_str_eq(checker.result.first_violation, "leader-epoch-monotonic: orders-0 leader "
                     "epoch 3 -> 1 across a resync to offset 50 (leader 2 -> 2) at 0.014000 s");
    ck_last(&checker, "leader-epoch-monotonic: orders-0 partition epoch 3 -> 1 across a resync "
                      "to offset 50");
    feed_free(&checker);
    feed_free(&node);
    /* Leader 2 in epoch 1 here, leader 3 in epoch 1 on the node. */
    history(&checker, (const int32_t[]){2}, 1);
    history(&node, (const int32_t[]){3}, 1);
    partition_checker_resync(&checker.pc, &node.pc.shadow, 12);
    ck_assert_uint_eq(checker.result.violations, 1);
    ck_assert_str_eq(checker.pc.last, "one-leader-per-epoch: orders-0 leader 2 -> 3 without a "
                     "new leader epoch (1 -> 1) across a resync to offset 12");
    feed_free(&checker);
    feed_free(&node);
}
END_TEST

START_TEST(resync_behind_compares_nothing_but_checks_the_state_it_loads)
{
    struct feed checker, node;
    history(&checker, (const int32_t[]){2, 3, 2}, 3); /* next expected: 14 */
    history(&node, (const int32_t[]){2}, 1);
    partition_checker_resync(&checker.pc, &node.pc.shadow, 12);
    ck_assert_uint_eq(checker.result.violations, 0);
    ck_assert_int_eq(checker.pc.next_offset, 12);
    ck_assert_int_eq(orders(&checker, 0)->leader_epoch, 1);
    feed_free(&checker);
    feed_free(&node);
    /* A checker that starts from a node whose image has orders-1 led from outside its ISR. */
    feed_init(&checker, false);
    feed_init(&node, false);
    cluster(&node);
    struct metadata_record r = change_of(1);
    r.u.partition_change.isr = LIST(3, 1);
    feed(&node, &r);
    partition_checker_resync(&checker.pc, &node.pc.shadow, 12);
    ck_assert_uint_eq(checker.result.violations, 1);
    ck_assert_str_eq(checker.pc.last, "leader-in-isr: orders-1 leader 2 is not in isr [3,1] "
                     "across a resync to offset 12 (leader epoch 0, partition epoch 1)");
    ck_assert_int_eq(checker.pc.next_offset, 12);
    feed_free(&checker);
    feed_free(&node);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("check_partitions");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, clean_history_three_brokers_fence_one_after_its_leaders_move_then_reelect);
    tcase_add_test(tc, leader_in_isr_leader_dropped_from_isr_and_leader_outside_replicas);
    tcase_add_test(tc, leader_epoch_monotonic_partition_record_redeclares_with_older_epochs);
    tcase_add_test(tc, one_leader_per_epoch_partition_record_changes_leader_in_the_same_epoch);
    tcase_add_test(tc, fenced_never_leader_fenced_shutting_down_and_unknown_brokers_elected);
    tcase_add_test(tc, fenced_never_leader_broker_fenced_while_it_still_leads);
    tcase_add_test(tc, unclean_election_disabled_by_default_is_a_violation_and_counted);
    tcase_add_test(tc, unclean_election_enabled_by_topic_config_must_still_flag_recovering);
    tcase_add_test(tc, unclean_election_config_precedence_topic_then_cluster_then_default);
    tcase_add_test(tc, elr_member_elected_is_clean_last_known_leader_is_unclean_but_allowed);
    tcase_add_test(tc, last_known_leader_elected_in_the_record_that_empties_the_elr);
    suite_add_tcase(s, tc);
    TCase *feeding = tcase_create("feeding");
    tcase_add_test(feeding, out_of_order_offsets_are_ignored_and_control_records_advance);
    tcase_add_test(feeding, first_call_sets_the_start_offset);
    tcase_add_test(feeding, resync_to_a_node_ahead_replays_its_image_and_moves_the_offset);
    tcase_add_test(feeding, resync_ahead_with_older_epochs_or_a_second_leader_in_an_epoch);
    tcase_add_test(feeding, resync_behind_compares_nothing_but_checks_the_state_it_loads);
    suite_add_tcase(s, feeding);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
