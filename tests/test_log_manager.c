/* test_log_manager.c — a broker's log dir on a simulated host: loading its partition logs, the
 * checkpoint files and their timers, the controlled shutdown's clean shutdown marker, and what
 * a crash or a power failure leaves of them. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log_manager.h"
#include "protocol/record_batch.h"
#include "world/host.h"
#include "world/world.h"

#define MS NS_PER_MS
#define S NS_PER_S
#define DIR "data"
#define TOKEN_TICK 1

/* ---- the harness: a process that is a log dir and nothing else ------------------------- */

struct node {
    struct log_manager lm;
    struct log_manager_config cfg;
    int open_rc;
    bool up;
    uint64_t timer;
};

static struct world *w;
static struct node node;

static void arm(struct node *n)
{
    const struct env *env = n->lm.env;
    if (n->timer != 0) {
        env->ops->timer_cancel(env->ctx, n->timer);
        n->timer = 0;
    }
    time_ns next = log_manager_next_deadline(&n->lm);
    if (next != TIME_NS_MAX) {
        time_ns now = env_now(env);
        n->timer = env->ops->timer_set(env->ctx, next > now ? next - now : 0, TOKEN_TICK);
    }
}

static void *node_start(const struct env *env, const void *config)
{
    struct node *n = (struct node *)config;
    n->timer = 0;
    n->open_rc = log_manager_open(&n->lm, env, &n->cfg);
    n->up = true;
    if (n->open_rc == 0) {
        arm(n);
    }
    return n;
}

static void node_step(void *proc, const struct env_event *e)
{
    struct node *n = proc;
    if (e->kind == ENV_EVENT_TIMER) {
        n->timer = 0;
        log_manager_tick(&n->lm);
    } else {
        ck_assert_int_eq(e->kind, ENV_EVENT_DISK);
        ck_assert(log_manager_on_disk(&n->lm, e->u.disk.token, e->u.disk.err));
    }
    for (uint32_t i = 0; i < n->lm.log_count; i++) {
        ck_assert(partition_log_check(n->lm.logs[i]));
    }
    arm(n);
}

static void node_destroy(void *proc)
{
    struct node *n = proc;
    log_manager_close(&n->lm);
    n->up = false;
}

static const struct process_ops node_ops = {
    .name = "log-manager-test", .start = node_start, .step = node_step,
    .destroy = node_destroy};

static void boot(void)
{
    struct disk_cfg cfg = disk_cfg_default();
    cfg.fsync_latency_min = 1 * MS;
    cfg.fsync_latency_max = 1 * MS;
    cfg.power_loss_keeps_none = true;
    w = world_create(11, 1, NULL, NULL, &cfg);
    node = (struct node){.cfg = log_manager_config_default(DIR)};
    host_install(world_host(w, 0), &node_ops, &node);
    ck_assert(host_start(world_host(w, 0)));
    ck_assert_int_eq(node.open_rc, 0);
}

static void teardown(void)
{
    world_destroy(w);
    w = NULL;
}

static const struct env *env(void) { return &world_host(w, 0)->env; }
static void run_until(time_ns t) { world_run_until(w, t); }

static void restart(void)
{
    ck_assert(host_start(world_host(w, 0)));
    ck_assert_msg(node.open_rc == 0, "%s", node.lm.last_error);
}

static struct partition_log *log_of(const char *topic, int32_t p)
{
    struct partition_log *l = log_manager_get(&node.lm, topic, p);
    ck_assert_ptr_nonnull(l);
    return l;
}

static struct partition_log *create(const char *topic, int32_t p)
{
    struct partition_log *l = log_manager_get_or_create(&node.lm, topic, p, KUUID_ZERO, NULL);
    ck_assert_msg(l != NULL, "%s", node.lm.last_error);
    return l;
}

/* Appends `count` records as leader at epoch 0; returns the first offset. */
static int64_t produce(struct partition_log *l, int32_t count)
{
    struct record_batch_record recs[8];
    memset(recs, 0, sizeof recs);
    ck_assert_int_le(count, 8);
    for (int32_t i = 0; i < count; i++) {
        recs[i].offset_delta = i;
        recs[i].value = (struct wire_bytes){(const uint8_t *)"value", 5};
    }
    struct record_batch b;
    record_batch_init(&b);
    b.last_offset_delta = count - 1;
    b.base_timestamp = b.max_timestamp = 1000;
    b.producer_id = -1;
    b.producer_epoch = -1;
    b.base_sequence = -1;
    b.record_count = count;
    b.records = recs;
    struct wire_writer wr;
    wire_writer_init(&wr);
    ck_assert_int_eq(record_batch_encode(&wr, &b), 0);
    struct partition_log_append_info info;
    int rc = partition_log_append_leader(l, wr.bytes, wr.len, 0, &info);
    wire_writer_free(&wr);
    ck_assert_msg(rc == 0, "%s", l->last_error);
    return info.first_offset;
}

/* A file's text on the disk (page cache), "" when absent. */
static const char *text_of(const char *name)
{
    static char buf[4096];
    int64_t n = disk_peek(&world_host(w, 0)->disk, name, 0, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

/* Four partitions created out of order; foo-0 holds 3 records with the HW at 3. */
static void four_partitions(void)
{
    create("foo", 10);
    create("bar", 1);
    struct partition_log *foo0 = create("foo", 0);
    create("foo", 2);
    ck_assert_int_eq(produce(foo0, 3), 0);
    partition_log_set_high_watermark(foo0, 3);
}

/* ---- tests -------------------------------------------------------------------------------- */

/* Kafka's checkpoint text, its lines sorted by topic then partition (Kafka's own order is its
 * map's hash order), each file on its own timer: high watermarks at once and every 5 s,
 * recovery points and log starts after the 30 s initial delay. */
START_TEST(checkpoints_are_kafka_text_on_kafka_timers)
{
    boot();
    four_partitions();
    run_until(6 * S); /* the high-watermark task ran at 0 s (nothing yet) and at 5 s */
    ck_assert_str_eq(text_of(DIR "/" CHECKPOINT_REPLICATION_OFFSET),
                     "0\n4\nbar 1 0\nfoo 0 3\nfoo 2 0\nfoo 10 0\n");
    ck_assert_str_eq(text_of(DIR "/" CHECKPOINT_RECOVERY_POINT), "");
    run_until(29 * S);
    ck_assert_str_eq(text_of(DIR "/" CHECKPOINT_RECOVERY_POINT), "");
    run_until(31 * S);
    /* Nothing was flushed (flush.messages is Long.MAX): every recovery point is still 0. */
    ck_assert_str_eq(text_of(DIR "/" CHECKPOINT_RECOVERY_POINT),
                     "0\n4\nbar 1 0\nfoo 0 0\nfoo 2 0\nfoo 10 0\n");
    /* Only logs whose start is past their first segment's base have a log start line. */
    ck_assert_str_eq(text_of(DIR "/" CHECKPOINT_LOG_START_OFFSET), "0\n0\n");
    partition_log_increment_log_start(log_of("foo", 0), 2); /* DeleteRecords */
    run_until(92 * S);
    ck_assert_str_eq(text_of(DIR "/" CHECKPOINT_LOG_START_OFFSET), "0\n1\nfoo 0 2\n");
}
END_TEST

/* A crash keeps what reached the disk: the directories are found again, each log gets its
 * checkpointed offsets, and the start is not clean. */
START_TEST(a_restart_finds_every_partition_with_its_checkpoints)
{
    boot();
    four_partitions();
    run_until(31 * S);
    host_crash(world_host(w, 0));
    restart();
    ck_assert(!node.lm.clean_at_start);
    ck_assert_uint_eq(node.lm.log_count, 4);
    ck_assert_int_eq(partition_log_high_watermark(log_of("foo", 0)), 3);
    ck_assert_int_eq(partition_log_end_offset(log_of("foo", 0)), 3); /* the page cache kept it */
    ck_assert_int_eq(partition_log_end_offset(log_of("foo", 10)), 0);
    ck_assert_ptr_null(log_manager_get(&node.lm, "foo", 1));
}
END_TEST

/* Controlled shutdown: flush, the three checkpoints, then the marker with the broker epoch;
 * the next start is clean (no recovery), and deletes the marker once loaded. */
START_TEST(a_controlled_shutdown_leaves_the_clean_shutdown_marker)
{
    boot();
    four_partitions();
    run_until(1 * S);
    log_manager_shutdown(&node.lm, 12);
    ck_assert_int_eq(node.lm.state, LM_SHUTDOWN_FLUSH);
    run_until(2 * S);
    ck_assert_int_eq(node.lm.state, LM_SHUT);
    ck_assert_str_eq(text_of(DIR "/" CHECKPOINT_CLEAN_SHUTDOWN),
                     "{\"version\":0,\"brokerEpoch\":12}");
    ck_assert_str_eq(text_of(DIR "/" CHECKPOINT_RECOVERY_POINT),
                     "0\n4\nbar 1 0\nfoo 0 3\nfoo 2 0\nfoo 10 0\n");
    host_power_fail(world_host(w, 0)); /* everything above was fsynced before the marker */
    restart();
    ck_assert(node.lm.clean_at_start);
    ck_assert_int_eq(partition_log_end_offset(log_of("foo", 0)), 3);
    ck_assert_int_eq(partition_log_recovery_point(log_of("foo", 0)), 3);
    ck_assert_int_lt(env()->ops->disk_size(env()->ctx, DIR "/" CHECKPOINT_CLEAN_SHUTDOWN), 0);
    /* ... so a crash now is an unclean shutdown again. */
    host_crash(world_host(w, 0));
    restart();
    ck_assert(!node.lm.clean_at_start);
}
END_TEST

/* Power fails before the shutdown finished: no marker, and what was never flushed is gone. */
START_TEST(a_shutdown_cut_short_leaves_no_marker)
{
    boot();
    four_partitions();
    run_until(1 * S);
    log_manager_shutdown(&node.lm, 12);
    host_power_fail(world_host(w, 0)); /* the flush's fsyncs never came back */
    restart();
    ck_assert(!node.lm.clean_at_start);
    ck_assert_int_eq(partition_log_end_offset(log_of("foo", 0)), 0);
}
END_TEST

/* A checkpoint that does not parse fails the log dir in one line naming the file. */
START_TEST(a_corrupt_checkpoint_fails_the_start_naming_it)
{
    boot();
    four_partitions();
    host_crash(world_host(w, 0));
    const char junk[] = "0\n1\nfoo zero 3\n";
    ck_assert_int_eq(env()->ops->disk_write(env()->ctx, DIR "/" CHECKPOINT_RECOVERY_POINT, 0,
                                            junk, sizeof junk - 1),
                     ENV_OK);
    ck_assert(host_start(world_host(w, 0)));
    ck_assert_int_eq(node.open_rc, -PLOG_ESTORAGE);
    ck_assert_msg(strstr(node.lm.last_error, CHECKPOINT_RECOVERY_POINT) != NULL &&
                      strchr(node.lm.last_error, '\n') == NULL,
                  "%s", node.lm.last_error);
}
END_TEST

/* Retention runs after the initial delay and then every 5 minutes: a log of 1 ms retention
 * keeps only its active segment once the HW is past the old ones. */
START_TEST(retention_runs_on_its_timer)
{
    boot();
    struct log_config c = log_config_default();
    c.segment_bytes = 200;
    c.retention_ms = 1;
    struct partition_log *l = log_manager_get_or_create(&node.lm, "old", 0, KUUID_ZERO, &c);
    ck_assert_ptr_nonnull(l);
    for (int i = 0; i < 4; i++) {
        produce(l, 2);
    }
    ck_assert_uint_gt(l->segment_count, 1);
    partition_log_set_high_watermark(l, partition_log_end_offset(l));
    run_until(29 * S);
    uint32_t before = l->segment_count;
    ck_assert_uint_gt(before, 1);
    run_until(31 * S);
    ck_assert_uint_lt(l->segment_count, before);
    ck_assert_int_gt(partition_log_start_offset(l), 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("log manager");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, checkpoints_are_kafka_text_on_kafka_timers);
    tcase_add_test(tc, a_restart_finds_every_partition_with_its_checkpoints);
    tcase_add_test(tc, a_controlled_shutdown_leaves_the_clean_shutdown_marker);
    tcase_add_test(tc, a_shutdown_cut_short_leaves_no_marker);
    tcase_add_test(tc, a_corrupt_checkpoint_fails_the_start_naming_it);
    tcase_add_test(tc, retention_runs_on_its_timer);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed == 0 ? 0 : 1;
}
