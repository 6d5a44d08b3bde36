/* test_partition_log.c — a topic partition's log on a simulated host's disk: leader and follower
 * appends, reads, epochs, truncation, rolls, indexes, retention, the flush policy, checkpoint
 * files, and recovery after crashes, power failures and torn writes. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/checkpoint.h"
#include "log/partition_log.h"
#include "protocol/record_batch.h"
#include "world/host.h"
#include "world/world.h"

#define MS NS_PER_MS
#define SEED 7
#define LOG_DIR "data"
#define PART "data/foo-0/"
#define SEG0 PART "00000000000000000000"
#define RECORDS_MAX 16
#define NOTES_MAX 16
#define TEST_TOKEN (UINT64_C(1) << 35) /* the harness's own checkpoint writes */

/* ---- the harness: each host runs one process holding one partition log, foo-0 ------------- */

/* start() reads the log dir's checkpoints and clean shutdown marker as LogManager does, then
 * opens the log; step() routes fsync completions; destroy() frees memory as a crash does. */
struct node {
    struct partition_log log;
    struct log_config config;
    int open_rc;
    bool up;
    bool clean; /* the marker was there at the last start */
    struct checkpoint_file ckpt; /* the harness's writes of the log dir checkpoints */
    int64_t ckpt_token;
};

struct notes { /* the recovery notes a run emitted, and the read faults it suffered */
    char text[NOTES_MAX][TRACE_DETAIL_MAX];
    int count;
    int read_faults;
};

static struct world *w;
static struct node nodes[2];
static struct notes notes;

/* The offset the log dir checkpoint `file` holds for foo 0, or 0 (no line, no file). */
static int64_t checkpoint_of(const struct env *env, const char *file)
{
    char path[64];
    snprintf(path, sizeof path, LOG_DIR "/%s", file);
    char *text = NULL;
    int64_t n = env_read_file(env, path, &text);
    if (n < 0) {
        return 0;
    }
    struct checkpoint_offset entries[4];
    char err[256];
    int count = checkpoint_offsets_parse(text, (size_t)n, path, entries, 4, err, sizeof err);
    free(text);
    ck_assert_msg(count >= 0, "%s", err);
    ck_assert_int_le(count, 4);
    for (int i = 0; i < count && i < 4; i++) { /* the bound for GCC's LTO, which cannot see it */
        if (strcmp(entries[i].topic, "foo") == 0 && entries[i].partition == 0) {
            return entries[i].offset;
        }
    }
    return 0;
}

static void *node_start(const struct env *env, const void *config)
{
    struct node *n = (struct node *)config;
    const char *marker = LOG_DIR "/" CHECKPOINT_CLEAN_SHUTDOWN;
    n->clean = env->ops->disk_size(env->ctx, marker) >= 0;
    struct partition_log_open_args a = {
        .log_dir = LOG_DIR,
        .topic = "foo",
        .partition = 0,
        .topic_id = {.hi = UINT64_C(0x901d1dbc00c34180), .lo = UINT64_C(0xbbc40c72cb11c631)},
        .id = 5,
        .config = n->config,
        .recovery_point = checkpoint_of(env, CHECKPOINT_RECOVERY_POINT),
        .log_start_offset = checkpoint_of(env, CHECKPOINT_LOG_START_OFFSET),
        .high_watermark = checkpoint_of(env, CHECKPOINT_REPLICATION_OFFSET),
        .clean_shutdown = n->clean,
    };
    n->open_rc = partition_log_open(&n->log, env, &a);
    if (n->clean) {
        env->ops->disk_remove(env->ctx, marker); /* LogManager deletes it once loaded */
    }
    memset(&n->ckpt, 0, sizeof n->ckpt);
    n->up = true;
    return n;
}

static void node_step(void *proc, const struct env_event *e)
{
    struct node *n = proc;
    ck_assert_int_eq(e->kind, ENV_EVENT_DISK);
    if (partition_log_token_id(e->u.disk.token) >= 0) {
        ck_assert(partition_log_on_disk(&n->log, e->u.disk.token, e->u.disk.err));
    } else {
        ck_assert(checkpoint_file_done(n->log.env, &n->ckpt, e->u.disk.token, e->u.disk.err));
    }
    ck_assert(partition_log_check(&n->log));
}

static void node_destroy(void *proc)
{
    struct node *n = proc;
    partition_log_close(&n->log);
    n->up = false;
}

static const struct process_ops node_ops = {
    .name = "partition-log-test", .start = node_start, .step = node_step,
    .destroy = node_destroy};

static void record_note(void *ctx, const struct trace_event *event)
{
    struct notes *ns = ctx;
    const char *detail = trace_event_detail(event);
    if (event->kind == TRACE_NOTE && strncmp(detail, "partition-log recover", 21) == 0 &&
        ns->count < NOTES_MAX) {
        snprintf(ns->text[ns->count++], TRACE_DETAIL_MAX, "%s", detail);
    }
    if (event->kind == TRACE_DISK_FAULT && strncmp(detail, "read-corrupt file=", 18) == 0) {
        ns->read_faults++;
    }
}

/* Small segments and indexes so a test sees rolls and entries; Kafka's defaults otherwise. */
static struct log_config config_small(void)
{
    struct log_config c = log_config_default();
    c.segment_bytes = 1024;
    c.index_interval_bytes = 256;
    return c;
}

static void boot(int hosts, struct log_config config, bool power_loss_keeps_none)
{
    struct disk_cfg cfg = disk_cfg_default();
    cfg.fsync_latency_min = 1 * MS;
    cfg.fsync_latency_max = 1 * MS;
    cfg.power_loss_keeps_none = power_loss_keeps_none;
    w = world_create(SEED, hosts, NULL, NULL, &cfg);
    trace_add_sink(&w->trace, (struct trace_sink){.event = record_note, .ctx = &notes});
    for (int i = 0; i < hosts; i++) {
        nodes[i] = (struct node){.config = config};
        host_install(world_host(w, i), &node_ops, &nodes[i]);
        ck_assert(host_start(world_host(w, i)));
        ck_assert_int_eq(nodes[i].open_rc, 0);
    }
}

static void teardown(void)
{
    world_destroy(w);
    w = NULL;
    memset(&notes, 0, sizeof notes);
}

static struct partition_log *log_of(int i)
{
    ck_assert(nodes[i].up);
    ck_assert(partition_log_check(&nodes[i].log));
    return &nodes[i].log;
}

static struct disk *disk_of(int i) { return &world_host(w, i)->disk; }
static const struct env *env_of(int i) { return &world_host(w, i)->env; }
static void run_for(time_ns d) { world_run_until(w, world_now(w) + d); }

static void restart(int i)
{
    ck_assert(host_start(world_host(w, i)));
    ck_assert_int_eq(nodes[i].open_rc, 0);
}

static void crash_and_restart(int i)
{
    host_crash(world_host(w, i));
    restart(i);
}

static void power_fail_and_restart(int i)
{
    host_power_fail(world_host(w, i));
    restart(i);
}

/* The whole text of a file on host i's disk (page cache), NUL-terminated, in `out`. */
static int64_t file_text(int i, const char *name, char *out, size_t cap)
{
    int64_t n = disk_peek(disk_of(i), name, 0, out, cap - 1);
    out[n > 0 ? n : 0] = '\0';
    return n;
}

/* Writes one log dir checkpoint of host i with foo 0 at `offset`, and waits for its rename. */
static void write_dir_checkpoint(int i, const char *file, int64_t offset)
{
    struct node *n = &nodes[i];
    struct checkpoint_offset entries[1] = {{.topic = "foo", .partition = 0, .offset = offset}};
    char buf[128];
    struct text t = text_init(buf, sizeof buf);
    checkpoint_offsets_format(&t, entries, 1);
    ck_assert(text_fits(&t));
    snprintf(n->ckpt.path, sizeof n->ckpt.path, LOG_DIR "/%s", file);
    ck_assert_int_eq(checkpoint_file_begin(env_of(i), &n->ckpt, buf, t.len, TEST_TOKEN), 0);
    run_for(5 * MS);
    ck_assert(!n->ckpt.in_flight);
}

/* ---- batches as a producer sends them ----------------------------------------------------- */

struct produce {
    int32_t count;
    int64_t timestamp;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t base_sequence;
    int32_t value_len;
    int64_t base_offset; /* 0 from a producer; set for follower input */
    int32_t epoch;       /* -1 from a producer */
};

static struct produce produce_default(int32_t count)
{
    return (struct produce){.count = count, .timestamp = 1000, .producer_id = -1,
                            .producer_epoch = -1, .base_sequence = -1, .value_len = 100,
                            .base_offset = 0, .epoch = -1};
}

static void encode(struct wire_writer *out, struct produce p)
{
    static char value[2048];
    static char keys[RECORDS_MAX][16];
    memset(value, 'v', sizeof value);
    ck_assert_int_le(p.count, RECORDS_MAX);
    struct record_batch_record recs[RECORDS_MAX];
    memset(recs, 0, sizeof recs);
    for (int32_t i = 0; i < p.count; i++) {
        int kn = snprintf(keys[i], sizeof keys[i], "k%d", i);
        recs[i].offset_delta = i;
        recs[i].key = (struct wire_bytes){(const uint8_t *)keys[i], kn};
        recs[i].value = (struct wire_bytes){(const uint8_t *)value, p.value_len};
    }
    struct record_batch b;
    record_batch_init(&b);
    b.base_offset = p.base_offset;
    b.partition_leader_epoch = p.epoch;
    b.last_offset_delta = p.count - 1;
    b.base_timestamp = p.timestamp;
    b.max_timestamp = p.timestamp;
    b.producer_id = p.producer_id;
    b.producer_epoch = p.producer_epoch;
    b.base_sequence = p.base_sequence;
    b.record_count = p.count;
    b.records = recs;
    ck_assert_int_eq(record_batch_encode(out, &b), 0);
}

/* Appends one produced batch as leader at `epoch` on host i; returns its first offset. */
static int64_t produce_at(int i, int32_t epoch, struct produce p)
{
    struct wire_writer wr;
    wire_writer_init(&wr);
    encode(&wr, p);
    struct partition_log_append_info info;
    int rc = partition_log_append_leader(log_of(i), wr.bytes, wr.len, epoch, &info);
    wire_writer_free(&wr);
    ck_assert_msg(rc == 0, "append: %s", log_of(i)->last_error);
    ck_assert(partition_log_check(log_of(i)));
    return info.first_offset;
}

static int64_t produce(int i, int32_t epoch, int32_t count)
{
    return produce_at(i, epoch, produce_default(count));
}

/* Appends one batch as a follower with offsets and epoch given. */
static int follow(int i, int64_t base, int32_t epoch, int32_t count)
{
    struct produce p = produce_default(count);
    p.base_offset = base;
    p.epoch = epoch;
    struct wire_writer wr;
    wire_writer_init(&wr);
    encode(&wr, p);
    struct partition_log_append_info info;
    int rc = partition_log_append_follower(log_of(i), wr.bytes, wr.len, &info);
    wire_writer_free(&wr);
    return rc;
}

static int64_t read_all(int i, uint8_t **out)
{
    struct partition_log *l = log_of(i);
    int64_t n = partition_log_read(l, partition_log_start_offset(l), UINT32_MAX,
                                   partition_log_end_offset(l), true, out);
    ck_assert_int_ge(n, 0);
    return n;
}

static void assert_end_for(const struct partition_log *l, int32_t asked, int32_t epoch,
                           int64_t end)
{
    int64_t got_end = -1;
    int32_t got_epoch = -1;
    bool found = partition_log_end_offset_for_epoch(l, asked, &got_end, &got_epoch);
    if (end < 0) {
        ck_assert_msg(!found, "endOffsetFor(%d) = (%d, %lld), want undefined", asked, got_epoch,
                      (long long)got_end);
        return;
    }
    ck_assert_msg(found && got_epoch == epoch && got_end == end,
                  "endOffsetFor(%d) = (%d, %lld), want (%d, %lld)", asked, got_epoch,
                  (long long)got_end, epoch, (long long)end);
}

static void assert_file(int i, const char *name, const char *want)
{
    char buf[512];
    ck_assert_int_ge(file_text(i, name, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, want);
}

/* ---- appends and reads -------------------------------------------------------------------- */

START_TEST(leader_append_assigns_offsets_and_epoch_and_keeps_producer_fields_and_crc)
{
    boot(1, log_config_default(), false);
    struct produce p = produce_default(3);
    p.producer_id = 77;
    p.producer_epoch = 2;
    p.base_sequence = 10;
    ck_assert_int_eq(produce_at(0, 5, p), 0);
    ck_assert_int_eq(produce(0, 5, 2), 3);
    ck_assert_int_eq(produce(0, 6, 1), 5);
    struct partition_log *l = log_of(0);
    ck_assert_int_eq(partition_log_end_offset(l), 6);
    ck_assert_int_eq(partition_log_latest_epoch(l), 6);
    ck_assert_int_eq(partition_log_recovery_point(l), 0); /* nothing fsynced by default */
    uint8_t *bytes = NULL;
    int64_t n = read_all(0, &bytes);
    const int64_t bases[] = {0, 3, 5};
    const int32_t epochs[] = {5, 5, 6};
    const int32_t counts[] = {3, 2, 1};
    size_t at = 0;
    for (int b = 0; b < 3; b++) {
        struct wire_arena a;
        wire_arena_init(&a);
        struct record_batch rb;
        size_t size = 0;
        ck_assert_int_eq(record_batch_decode(bytes + at, (size_t)n - at, &a, &rb, &size), 0);
        ck_assert_int_eq(rb.base_offset, bases[b]);
        ck_assert_int_eq(rb.partition_leader_epoch, epochs[b]);
        ck_assert_int_eq(rb.record_count, counts[b]);
        ck_assert_int_eq(rb.producer_id, b == 0 ? 77 : -1);
        ck_assert_int_eq(rb.producer_epoch, b == 0 ? 2 : -1);
        ck_assert_int_eq(rb.base_sequence, b == 0 ? 10 : -1);
        ck_assert_int_eq(rb.max_timestamp, 1000);
        ck_assert_int_eq(rb.attributes, 0); /* CreateTime */
        if (b == 0) { /* offset and epoch lie outside the CRC: the producer's CRC stands */
            struct wire_writer wr;
            wire_writer_init(&wr);
            encode(&wr, p);
            ck_assert(memcmp(wr.bytes + RECORD_BATCH_CRC_AT, bytes + RECORD_BATCH_CRC_AT, 4) == 0);
            ck_assert(memcmp(wr.bytes + 21, bytes + 21, size - 21) == 0);
            wire_writer_free(&wr);
        }
        wire_arena_free(&a);
        at += size;
    }
    ck_assert_uint_eq(at, (size_t)n);
    free(bytes);
    ck_assert_int_eq(disk_size(disk_of(0), SEG0 ".log"), n);
    ck_assert_int_eq(disk_size(disk_of(0), SEG0 ".index"), 0); /* under index.interval.bytes */
    ck_assert_int_eq(disk_size(disk_of(0), SEG0 ".timeindex"), 0);
    run_for(5 * MS);
    assert_file(0, PART "partition.metadata", "version: 0\ntopic_id: kB0dvADDQYC7xAxyyxHGMQ");
    assert_file(0, PART "leader-epoch-checkpoint", "0\n2\n5 0\n6 5\n");
    ck_assert_int_lt(disk_size(disk_of(0), PART "leader-epoch-checkpoint.tmp"), 0);
}
END_TEST

START_TEST(log_append_time_sets_the_attribute_and_max_timestamp_and_a_new_crc)
{
    struct log_config c = log_config_default();
    c.log_append_time = true;
    boot(1, c, false);
    run_for(123 * MS);
    struct partition_log_append_info info;
    struct wire_writer wr;
    wire_writer_init(&wr);
    encode(&wr, produce_default(2));
    ck_assert_int_eq(partition_log_append_leader(log_of(0), wr.bytes, wr.len, 1, &info), 0);
    int64_t now_ms = host_local_now(world_host(w, 0)) / MS;
    ck_assert_int_eq(info.log_append_time, now_ms);
    ck_assert_int_eq(info.max_timestamp, now_ms);
    uint8_t *bytes = NULL;
    int64_t n = read_all(0, &bytes);
    struct record_batch rb;
    /* the CRC holds */
    ck_assert_int_eq(record_batch_decode_header(bytes, (size_t)n, &rb, NULL, true), 0);
    ck_assert_int_eq(rb.attributes & RECORD_BATCH_LOG_APPEND_TIME, RECORD_BATCH_LOG_APPEND_TIME);
    ck_assert_int_eq(rb.max_timestamp, now_ms);
    ck_assert(memcmp(wr.bytes + RECORD_BATCH_CRC_AT, bytes + RECORD_BATCH_CRC_AT, 4) != 0);
    free(bytes);
    wire_writer_free(&wr);
}
END_TEST

START_TEST(leader_rejects_corrupt_nonzero_base_and_oversized_batches_appending_nothing)
{
    struct log_config c = config_small();
    c.max_message_bytes = 400;
    boot(1, c, false);
    struct partition_log *l = log_of(0);
    struct partition_log_append_info info;
    struct wire_writer wr;
    wire_writer_init(&wr);
    encode(&wr, produce_default(1));
    encode(&wr, produce_default(1));
    wr.bytes[wr.len - 1] ^= 1; /* the second batch's last byte: its CRC fails */
    ck_assert_int_eq(partition_log_append_leader(l, wr.bytes, wr.len, 1, &info), -PLOG_ECORRUPT);
    wire_writer_free(&wr);
    struct produce p = produce_default(1);
    p.base_offset = 5;
    wire_writer_init(&wr);
    encode(&wr, p);
    ck_assert_int_eq(partition_log_append_leader(l, wr.bytes, wr.len, 1, &info),
                     -PLOG_EINVALID_RECORD);
    ck_assert_str_eq(l->last_error, "The baseOffset of the record batch in the append to foo-0 "
                     "should be 0, but it is 5");
    wire_writer_free(&wr);
    p = produce_default(1);
    p.value_len = 500;
    wire_writer_init(&wr);
    encode(&wr, p);
    ck_assert_int_eq(partition_log_append_leader(l, wr.bytes, wr.len, 1, &info), -PLOG_ETOO_LARGE);
    wire_writer_free(&wr);
    /* Three batches of 330 bytes fit max.message.bytes each, but not segment.bytes together. */
    p.value_len = 250;
    wire_writer_init(&wr);
    for (int i = 0; i < 4; i++) {
        encode(&wr, p);
    }
    ck_assert_int_eq(partition_log_append_leader(l, wr.bytes, wr.len, 1, &info),
                     -PLOG_EBATCH_TOO_LARGE);
    wire_writer_free(&wr);
    ck_assert_str_eq(partition_log_err_name(-PLOG_EBATCH_TOO_LARGE), "RECORD_BATCH_TOO_LARGE");
    ck_assert_int_eq(partition_log_end_offset(l), 0);
    ck_assert_int_eq(disk_size(disk_of(0), SEG0 ".log"), 0);
    ck_assert_int_eq(partition_log_latest_epoch(l), -1);
}
END_TEST

START_TEST(follower_writes_the_leader_bytes_unchanged_and_rejects_offsets_that_go_back)
{
    boot(2, config_small(), false);
    for (int i = 0; i < 6; i++) {
        produce(0, i < 3 ? 1 : 2, 2);
    }
    struct partition_log *leader = log_of(0);
    struct partition_log *follower = log_of(1);
    /* Fetch by fetch, as a replica fetcher does: one segment per read. */
    while (partition_log_end_offset(follower) < partition_log_end_offset(leader)) {
        uint8_t *bytes = NULL;
        int64_t n = partition_log_read(leader, partition_log_end_offset(follower), 1 << 20,
                                       partition_log_end_offset(leader), true, &bytes);
        ck_assert_int_gt(n, 0);
        struct partition_log_append_info info;
        ck_assert_int_eq(partition_log_append_follower(follower, bytes, (size_t)n, &info), 0);
        ck_assert_int_eq(info.first_offset, partition_log_end_offset(follower) - 2 *
                         info.batch_count);
        if (partition_log_end_offset(follower) == partition_log_end_offset(leader)) {
            ck_assert_int_eq(partition_log_append_follower(follower, bytes, (size_t)n, &info),
                             -PLOG_EUNEXPECTED_OFFSET);
        }
        free(bytes);
    }
    ck_assert_uint_eq(follower->segment_count, leader->segment_count);
    for (uint32_t s = 0; s < leader->segment_count; s++) {
        char name[128];
        partition_log_file_name(leader, leader->segments[s].base_offset, ".log", name,
                                sizeof name);
        static uint8_t a[4096];
        static uint8_t b[4096];
        int64_t na = disk_peek(disk_of(0), name, 0, a, sizeof a);
        ck_assert_int_eq(disk_peek(disk_of(1), name, 0, b, sizeof b), na);
        ck_assert(memcmp(a, b, (size_t)na) == 0);
    }
    run_for(5 * MS);
    assert_file(1, PART "leader-epoch-checkpoint", "0\n2\n1 0\n2 6\n");
    /* Two batches whose offsets overlap: "Out of order offsets", nothing appended. */
    struct produce p = produce_default(2);
    p.base_offset = 12;
    p.epoch = 2;
    struct wire_writer wr;
    wire_writer_init(&wr);
    encode(&wr, p);
    p.base_offset = 13;
    encode(&wr, p);
    struct partition_log_append_info info;
    ck_assert_int_eq(partition_log_append_follower(follower, wr.bytes, wr.len, &info),
                     -PLOG_EOUT_OF_ORDER);
    wire_writer_free(&wr);
    ck_assert_int_eq(partition_log_end_offset(follower), 12);
}
END_TEST

START_TEST(read_stops_at_the_upper_bound_max_bytes_and_the_segment_end)
{
    boot(1, config_small(), false);
    for (int i = 0; i < 8; i++) {
        produce(0, 1, 1);
    }
    struct partition_log *l = log_of(0);
    ck_assert_uint_ge(l->segment_count, 2);
    uint32_t one = l->batches[0].size;
    ck_assert_int_eq(partition_log_set_high_watermark(l, 3), 3);
    uint8_t *bytes = NULL;
    /* Up to the high watermark: batches 0, 1, 2. */
    ck_assert_int_eq(partition_log_read(l, 0, 1 << 20, 3, true, &bytes), 3 * one);
    free(bytes);
    ck_assert_int_eq(partition_log_read(l, 3, 1 << 20, 3, true, &bytes), 0);
    ck_assert_ptr_null(bytes);
    /* max_bytes below one batch: one batch with min_one_message, else none. */
    ck_assert_int_eq(partition_log_read(l, 1, 10, 8, true, &bytes), one);
    free(bytes);
    ck_assert_int_eq(partition_log_read(l, 1, 10, 8, false, &bytes), 0);
    ck_assert_int_eq(partition_log_read(l, 1, 2 * one + 1, 8, false, &bytes), 2 * one);
    free(bytes);
    /* From 0 with room for all: only the first segment's batches. */
    int64_t first_segment = (int64_t)l->segments[0].size;
    ck_assert_int_eq(partition_log_read(l, 0, 1 << 20, 8, true, &bytes), first_segment);
    free(bytes);
    ck_assert_int_eq(partition_log_read(l, 8, 1 << 20, 8, true, &bytes), 0);
    ck_assert_int_eq(partition_log_read(l, 9, 1 << 20, 8, true, &bytes), -PLOG_EOUT_OF_RANGE);
    ck_assert_str_eq(l->last_error, "Received request for offset 9 for partition foo-0, but we "
                     "only have log segments from offset 0 up to 8.");
}
END_TEST

/* ---- epochs -------------------------------------------------------------------------------- */

/* The cases of LeaderEpochFileCacheTest, through a log whose batches put the entries there. */
START_TEST(end_offset_for_epoch_answers_as_leader_epoch_file_cache_test)
{
    boot(1, log_config_default(), false);
    struct partition_log *l = log_of(0);
    assert_end_for(l, 0, -1, -1); /* an empty cache: UNDEFINED */
    /* shouldReturnFirstEpochIfRequestedEpochLessThanFirstEpoch: (5,11) (6,12) (7,13) */
    ck_assert_int_eq(follow(0, 11, 5, 1), 0);
    ck_assert_int_eq(follow(0, 12, 6, 1), 0);
    ck_assert_int_eq(follow(0, 13, 7, 1), 0);
    assert_end_for(l, 4, 4, 11);
    assert_end_for(l, 7, 7, 14); /* the latest epoch: the log end */
    assert_end_for(l, 8, -1, -1);
    assert_end_for(l, -1, -1, -1);
    /* shouldTruncateIfMatchingEpochButEarlierStartingOffset: assign(7, 12) */
    partition_log_assign_epoch(l, 7, 12);
    assert_end_for(l, 5, 5, 12);
    assert_end_for(l, 6, 5, 12);
    /* shouldReturnNextAvailableEpochIfThereIsNoExactEpochForTheOneRequested: (0,10) (2,13)
     * (4,17) */
    partition_log_truncate_fully(l, 0);
    ck_assert_int_eq(follow(0, 10, 0, 3), 0);
    ck_assert_int_eq(follow(0, 13, 2, 4), 0);
    ck_assert_int_eq(follow(0, 17, 4, 3), 0);
    assert_end_for(l, 1, 0, 13);
    assert_end_for(l, 2, 2, 17);
    assert_end_for(l, 3, 2, 17);
    assert_end_for(l, 4, 4, 20);
    /* shouldGetFirstOffsetOfSubsequentEpochWhenOffsetRequestedForPreviousEpoch */
    partition_log_truncate_fully(l, 0);
    const int32_t epochs[] = {1, 1, 2, 2, 3, 3};
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(follow(0, 11 + i, epochs[i], 1), 0);
    }
    assert_end_for(l, 2, 2, 15);
    run_for(5 * MS);
    assert_file(0, PART "leader-epoch-checkpoint", "0\n3\n1 11\n2 13\n3 15\n");
    /* shouldNotLetEpochGoBackwardsEvenIfMessageEpochsDo: assign(3, 5) after (2, 6) */
    partition_log_truncate_fully(l, 0);
    ck_assert_int_eq(follow(0, 6, 2, 1), 0);
    partition_log_assign_epoch(l, 3, 5);
    ck_assert_uint_eq(l->epoch_count, 1);
    ck_assert_int_eq(l->epochs[0].epoch, 3);
    ck_assert_int_eq(l->epochs[0].start_offset, 5);
    /* A leader's epoch start before any batch of it (Partition.makeLeader), then a truncation
     * at the end that removes nothing still drops it from the cache. */
    partition_log_truncate_fully(l, 0);
    produce(0, 1, 2);
    partition_log_assign_epoch(l, 2, 2);
    assert_end_for(l, 1, 1, 2);
    ck_assert_int_eq(partition_log_truncate_to(l, 2), 2);
    ck_assert_int_eq(partition_log_latest_epoch(l), 1);
}
END_TEST

/* ---- truncation --------------------------------------------------------------------------- */

START_TEST(truncate_inside_a_batch_drops_it_and_later_segments_and_index_entries)
{
    boot(1, config_small(), false);
    for (int i = 0; i < 12; i++) {
        produce(0, 1 + i / 4, 3); /* epochs 1, 2, 3 from offsets 0, 12, 24 */
    }
    struct partition_log *l = log_of(0);
    uint32_t segments = l->segment_count;
    ck_assert_uint_ge(segments, 3);
    partition_log_set_high_watermark(l, 36);
    /* Offset 13 lies in batch [12, 14], epoch 2's first: the cut is at 12. */
    uint32_t seg = 0;
    while (seg + 1 < l->segment_count && l->segments[seg + 1].base_offset <= 13) {
        seg++;
    }
    int64_t seg_base = l->segments[seg].base_offset;
    char later[128];
    partition_log_file_name(l, l->segments[segments - 1].base_offset, ".index", later,
                            sizeof later);
    ck_assert_int_eq(partition_log_truncate_to(l, 13), 12);
    ck_assert_int_eq(partition_log_end_offset(l), 12);
    ck_assert_int_eq(partition_log_high_watermark(l), 12);
    ck_assert_uint_eq(l->segment_count, seg + 1);
    ck_assert_int_lt(disk_size(disk_of(0), later), 0);
    ck_assert_int_eq(partition_log_latest_epoch(l), 1);
    const struct partition_log_segment *s = &l->segments[seg];
    char name[128];
    partition_log_file_name(l, seg_base, ".index", name, sizeof name);
    ck_assert_int_eq(disk_size(disk_of(0), name), (int64_t)s->index_count * 8);
    for (uint32_t i = 0; i < s->index_count; i++) {
        ck_assert_int_lt(s->index[i].offset, 12);
    }
    partition_log_file_name(l, seg_base, ".log", name, sizeof name);
    ck_assert_int_eq(disk_size(disk_of(0), name), (int64_t)s->size);
    ck_assert_int_eq(partition_log_truncate_to(l, 40), 12); /* past the end: nothing */
    run_for(5 * MS);
    assert_file(0, PART "leader-epoch-checkpoint", "0\n1\n1 0\n");
    /* The log goes on from 12 at a new epoch. */
    ck_assert_int_eq(produce(0, 4, 1), 12);
    crash_and_restart(0);
    ck_assert_int_eq(partition_log_end_offset(log_of(0)), 13);
}
END_TEST

/* ---- segments and indexes ----------------------------------------------------------------- */

START_TEST(segment_bytes_rolls_20_digit_segments_and_flushes_the_old_one_on_roll)
{
    boot(1, config_small(), false);
    struct produce p = produce_default(1);
    p.value_len = 200;
    int64_t base = -1;
    for (int i = 0; i < 6 && base < 0; i++) {
        produce_at(0, 1, p);
        if (log_of(0)->segment_count == 2) {
            base = log_of(0)->segments[1].base_offset;
        }
    }
    ck_assert_int_gt(base, 0);
    struct partition_log *l = log_of(0);
    ck_assert_int_le((int64_t)l->segments[0].size, 1024);
    ck_assert_int_gt((int64_t)l->segments[0].size + l->batches[l->batch_count - 1].size, 1024);
    char name[128];
    snprintf(name, sizeof name, PART "%020lld.log", (long long)base);
    ck_assert_int_eq(disk_size(disk_of(0), name), l->segments[1].size);
    snprintf(name, sizeof name, PART "%020lld.timeindex", (long long)base);
    ck_assert_int_eq(disk_size(disk_of(0), name), 0);
    /* The rolled segment's time index got its closing entry (maxTimestamp, its offset). */
    uint8_t e[12];
    ck_assert_int_eq(disk_peek(disk_of(0), SEG0 ".timeindex", 0, e, 12), 12);
    ck_assert_int_eq((int64_t)(((uint64_t)e[6] << 8) | e[7]), 1000);
    ck_assert_int_eq(e[11], 0); /* every batch at 1000: the first keeps the max */
    /* UnifiedLog.roll's asynchronous flush up to the new base offset. */
    ck_assert_int_eq(partition_log_recovery_point(l), 0);
    run_for(5 * MS);
    ck_assert_int_eq(partition_log_recovery_point(log_of(0)), base);
}
END_TEST

START_TEST(segment_ms_rolls_when_a_batch_is_newer_than_the_first_by_more_than_it)
{
    struct log_config c = log_config_default();
    c.segment_ms = 1000;
    boot(1, c, false);
    struct produce p = produce_default(1);
    p.timestamp = 1000;
    produce_at(0, 1, p);
    p.timestamp = 2000; /* waited 1000: not more than segment.ms */
    produce_at(0, 1, p);
    ck_assert_uint_eq(log_of(0)->segment_count, 1);
    p.timestamp = 2001;
    ck_assert_int_eq(produce_at(0, 1, p), 2);
    ck_assert_uint_eq(log_of(0)->segment_count, 2);
    ck_assert_int_eq(log_of(0)->segments[1].base_offset, 2);
    ck_assert_int_ge(disk_size(disk_of(0), PART "00000000000000000002.log"), 61);
}
END_TEST

/* The offset index entries LogSegment.append (or, rebuilding, recover) writes for the segment's
 * batches: (last offset, position) each time more than `interval` bytes went by. */
static uint32_t expected_index(const struct partition_log *l, bool recovering, uint32_t interval,
                               uint8_t *out)
{
    uint32_t n = 0;
    uint32_t since = 0;
    uint32_t last_entry = 0;
    for (uint32_t i = 0; i < l->batch_count; i++) {
        const struct partition_log_batch *b = &l->batches[i];
        bool entry = recovering ? b->position - last_entry > interval : since > interval;
        if (entry) {
            uint32_t rel = (uint32_t)b->last_offset;
            uint8_t *p = out + n * 8;
            p[0] = (uint8_t)(rel >> 24), p[1] = (uint8_t)(rel >> 16);
            p[2] = (uint8_t)(rel >> 8), p[3] = (uint8_t)rel;
            p[4] = (uint8_t)(b->position >> 24), p[5] = (uint8_t)(b->position >> 16);
            p[6] = (uint8_t)(b->position >> 8), p[7] = (uint8_t)b->position;
            n++;
            since = 0;
            last_entry = b->position;
        }
        since += b->size;
    }
    return n;
}

START_TEST(offset_index_every_index_interval_bytes_as_appended_and_as_rebuilt)
{
    struct log_config c = log_config_default();
    c.index_interval_bytes = 256;
    boot(1, c, false);
    for (int i = 0; i < 20; i++) {
        struct produce p = produce_default(1 + i % 3);
        p.value_len = 30;
        p.timestamp = 1000 + i;
        produce_at(0, 1, p);
    }
    static uint8_t want[512];
    static uint8_t got[512];
    struct partition_log *l = log_of(0);
    uint32_t n = expected_index(l, false, 256, want);
    ck_assert_uint_ge(n, 3);
    ck_assert_int_eq(disk_peek(disk_of(0), SEG0 ".index", 0, got, sizeof got), n * 8);
    ck_assert(memcmp(want, got, n * 8) == 0);
    ck_assert_int_eq(disk_size(disk_of(0), SEG0 ".timeindex"), n * 12);
    /* OffsetIndex.lookup: the largest entry at or below the offset, else (base, 0). */
    struct partition_log_index_entry e0 = l->segments[0].index[0];
    struct partition_log_index_entry found = partition_log_index_lookup(l, e0.offset - 1);
    ck_assert_int_eq(found.offset, 0);
    ck_assert_uint_eq(found.position, 0);
    found = partition_log_index_lookup(l, e0.offset);
    ck_assert_int_eq(found.offset, e0.offset);
    ck_assert_uint_eq(found.position, e0.position);
    found = partition_log_index_lookup(l, partition_log_end_offset(l));
    ck_assert_int_eq(found.offset, l->segments[0].index[n - 1].offset);
    /* A clean shutdown: the index files are loaded as they are, even a valid one holding only
     * its first entry (Kafka trusts what it finds). */
    partition_log_flush(l);
    run_for(5 * MS);
    ck_assert_int_eq(disk_truncate(disk_of(0), SEG0 ".index", 8), 0);
    ck_assert_int_eq(disk_write(disk_of(0), LOG_DIR "/" CHECKPOINT_CLEAN_SHUTDOWN, 0, "{}", 2), 0);
    crash_and_restart(0);
    ck_assert(nodes[0].clean);
    ck_assert_uint_eq(log_of(0)->segments[0].index_count, 1);
    ck_assert_int_eq(disk_size(disk_of(0), SEG0 ".index"), 8);
    /* A torn index file (13 bytes) is rebuilt, as LogLoader rebuilds a corrupt one. */
    ck_assert_int_eq(disk_truncate(disk_of(0), SEG0 ".index", 13), 0);
    ck_assert_int_eq(disk_write(disk_of(0), LOG_DIR "/" CHECKPOINT_CLEAN_SHUTDOWN, 0, "{}", 2), 0);
    crash_and_restart(0);
    uint32_t m = expected_index(log_of(0), true, 256, want);
    ck_assert_uint_eq(m, n); /* per batch, recover's rule and append's agree */
    ck_assert_int_eq(disk_peek(disk_of(0), SEG0 ".index", 0, got, sizeof got), m * 8);
    ck_assert(memcmp(want, got, m * 8) == 0);
    /* A crash with no recovery point: the segment is recovered, its index rebuilt whatever the
     * file held, and the time index gets recover's closing entry. */
    static const uint8_t zeros[16];
    ck_assert_int_eq(disk_write(disk_of(0), SEG0 ".index", 0, zeros, sizeof zeros), 0);
    crash_and_restart(0);
    ck_assert(!nodes[0].clean);
    ck_assert_int_eq(disk_peek(disk_of(0), SEG0 ".index", 0, got, sizeof got), m * 8);
    ck_assert(memcmp(want, got, m * 8) == 0);
    ck_assert_int_eq(disk_size(disk_of(0), SEG0 ".timeindex"), (m + 1) * 12);
}
END_TEST

/* ---- retention ---------------------------------------------------------------------------- */

START_TEST(retention_bytes_deletes_old_segments_below_the_hw_and_moves_the_start)
{
    struct log_config c = config_small();
    c.retention_bytes = 2048;
    boot(1, c, false);
    for (int i = 0; i < 30; i++) {
        produce(0, 1 + i / 10, 2);
    }
    struct partition_log *l = log_of(0);
    uint32_t before = l->segment_count;
    ck_assert_uint_ge(before, 5);
    ck_assert_int_eq(partition_log_delete_old_segments(l), 0); /* high watermark 0 */
    partition_log_set_high_watermark(l, l->segments[2].base_offset);
    ck_assert_int_eq(partition_log_delete_old_segments(l), 2); /* only below the HW */
    ck_assert_int_eq(partition_log_start_offset(l), l->segments[0].base_offset);
    partition_log_set_high_watermark(l, partition_log_end_offset(l));
    int deleted = partition_log_delete_old_segments(l);
    ck_assert_int_gt(deleted, 0);
    ck_assert_uint_eq(l->segment_count, before - 2 - (uint32_t)deleted);
    ck_assert_int_ge((int64_t)partition_log_size(l), 2048);
    ck_assert_int_lt((int64_t)(partition_log_size(l) - l->segments[0].size), 2048);
    int64_t start = partition_log_start_offset(l);
    ck_assert_int_eq(start, l->segments[0].base_offset);
    ck_assert_int_lt(disk_size(disk_of(0), SEG0 ".log"), 0);
    ck_assert_int_lt(disk_size(disk_of(0), SEG0 ".index"), 0);
    uint8_t *bytes = NULL;
    ck_assert_int_eq(partition_log_read(l, start - 1, 100, start, true, &bytes),
                     -PLOG_EOUT_OF_RANGE);
    /* The epoch cache starts at the log start (truncateFromStart). */
    ck_assert_int_eq(l->epochs[0].start_offset, start);
    run_for(5 * MS);
    char want[64];
    snprintf(want, sizeof want, "0\n1\n3 %lld\n", (long long)start);
    assert_file(0, PART "leader-epoch-checkpoint", want);
}
END_TEST

START_TEST(retention_ms_deletes_every_segment_even_the_active_one_after_rolling)
{
    struct log_config c = config_small();
    c.retention_ms = 1000;
    boot(1, c, false);
    for (int i = 0; i < 10; i++) {
        produce(0, 1, 2); /* record timestamps 1000 */
    }
    struct partition_log *l = log_of(0);
    ck_assert_uint_ge(l->segment_count, 2);
    run_for(1500 * MS); /* 1500 - 1000 is not more than 1000 */
    partition_log_set_high_watermark(l, 20);
    ck_assert_int_eq(partition_log_delete_old_segments(l), 0);
    run_for(600 * MS);
    /* Below a high watermark of 19 the active segment stays. */
    partition_log_set_high_watermark(l, 19);
    uint32_t segments = l->segment_count;
    ck_assert_int_eq(partition_log_delete_old_segments(l), (int)segments - 1);
    partition_log_set_high_watermark(l, 20);
    ck_assert_int_eq(partition_log_delete_old_segments(l), 1);
    ck_assert_uint_eq(l->segment_count, 1);
    ck_assert_uint_eq(l->segments[0].size, 0);
    ck_assert_int_eq(l->segments[0].base_offset, 20);
    ck_assert_int_eq(partition_log_start_offset(l), 20);
    ck_assert_int_eq(partition_log_end_offset(l), 20);
    ck_assert_int_eq(disk_size(disk_of(0), PART "00000000000000000020.log"), 0);
    ck_assert_int_eq(produce(0, 1, 1), 20);
}
END_TEST

/* ---- durability and recovery -------------------------------------------------------------- */

START_TEST(crash_keeps_the_page_cache_and_recovery_rereads_every_batch)
{
    boot(1, config_small(), false);
    for (int i = 0; i < 10; i++) {
        produce(0, 1 + i / 5, 2);
    }
    uint8_t *before = NULL;
    int64_t n = read_all(0, &before);
    uint32_t segments = log_of(0)->segment_count;
    crash_and_restart(0);
    struct partition_log *l = log_of(0);
    ck_assert_int_eq(partition_log_end_offset(l), 20);
    ck_assert_uint_eq(l->segment_count, segments);
    ck_assert_int_eq(partition_log_recovery_point(l), 0); /* no checkpoint; no flush at open */
    ck_assert_int_eq(partition_log_latest_epoch(l), 2);
    uint8_t *after = NULL;
    ck_assert_int_eq(read_all(0, &after), n);
    ck_assert(memcmp(before, after, (size_t)n) == 0);
    free(before);
    free(after);
    ck_assert_int_eq(notes.count, 0); /* nothing truncated */
}
END_TEST

START_TEST(power_failure_loses_unflushed_batches_and_recovery_ends_at_the_durable_ones)
{
    boot(1, log_config_default(), true);
    for (int i = 0; i < 4; i++) {
        produce(0, 1, 2);
    }
    partition_log_flush(log_of(0));
    ck_assert_int_eq(partition_log_recovery_point(log_of(0)), 0);
    run_for(5 * MS);
    ck_assert_int_eq(partition_log_recovery_point(log_of(0)), 8);
    write_dir_checkpoint(0, CHECKPOINT_RECOVERY_POINT, 8);
    assert_file(0, LOG_DIR "/" CHECKPOINT_RECOVERY_POINT, "0\n1\nfoo 0 8\n");
    for (int i = 0; i < 3; i++) {
        produce(0, 2, 2); /* acknowledged with acks=1, never fsynced */
    }
    run_for(5 * MS);
    power_fail_and_restart(0);
    struct partition_log *l = log_of(0);
    ck_assert_int_eq(partition_log_end_offset(l), 8);
    ck_assert_int_eq(partition_log_recovery_point(l), 8);
    ck_assert_int_eq(partition_log_latest_epoch(l), 1);
    ck_assert_int_eq(partition_log_check(l), true);
    run_for(5 * MS);
    assert_file(0, PART "leader-epoch-checkpoint", "0\n1\n1 0\n");
    ck_assert_int_eq(produce(0, 3, 1), 8);
}
END_TEST

START_TEST(torn_tail_and_corrupt_last_batch_are_truncated_at_open)
{
    boot(1, log_config_default(), false);
    for (int i = 0; i < 3; i++) {
        produce(0, 1, 2);
    }
    int64_t size = disk_size(disk_of(0), SEG0 ".log");
    /* A crash tore the fourth write: only its first 30 bytes reached the file. */
    struct produce p = produce_default(2);
    p.base_offset = 6;
    p.epoch = 1;
    struct wire_writer wr;
    wire_writer_init(&wr);
    encode(&wr, p);
    ck_assert_int_eq(disk_write(disk_of(0), SEG0 ".log", (uint64_t)size, wr.bytes, 30), 0);
    crash_and_restart(0);
    ck_assert_int_eq(partition_log_end_offset(log_of(0)), 6);
    ck_assert_int_eq(disk_size(disk_of(0), SEG0 ".log"), size);
    ck_assert_int_eq(notes.count, 1);
    ck_assert_ptr_nonnull(strstr(notes.text[0], "reason=WIRE_ETRUNCATED"));
    /* Whole, but garbled: its CRC fails. */
    wr.bytes[wr.len - 3] ^= 0x40;
    ck_assert_int_eq(disk_write(disk_of(0), SEG0 ".log", (uint64_t)size, wr.bytes, wr.len), 0);
    crash_and_restart(0);
    ck_assert_int_eq(partition_log_end_offset(log_of(0)), 6);
    ck_assert_int_eq(disk_size(disk_of(0), SEG0 ".log"), size);
    ck_assert_int_eq(notes.count, 2);
    ck_assert_ptr_nonnull(strstr(notes.text[1], "reason=WIRE_ECRC"));
    wire_writer_free(&wr);
}
END_TEST

/* LogLoader.recoverLog recovers only the segments from the one holding the recovery point on;
 * those below it are trusted and never read (kraftsim reads their headers to index them, and
 * checks no CRC). A record garbled on the disk below the recovery point stays; the same
 * garbling in the segment holding it is truncated away. */
START_TEST(recovery_checks_crcs_from_the_recovery_point_on_and_trusts_segments_below)
{
    boot(1, config_small(), false);
    int64_t base = -1;
    while (base < 0) {
        produce(0, 1, 1);
        if (log_of(0)->segment_count == 2) {
            base = log_of(0)->segments[1].base_offset;
        }
    }
    for (int i = 0; i < 2; i++) {
        produce(0, 1, 1);
    }
    run_for(5 * MS); /* the roll's flush, up to the new base */
    ck_assert_int_eq(partition_log_recovery_point(log_of(0)), base);
    write_dir_checkpoint(0, CHECKPOINT_RECOVERY_POINT, base);
    int64_t end = partition_log_end_offset(log_of(0));
    /* the last byte of each segment's first batch, inside its records: only a CRC sees it */
    char name[128];
    snprintf(name, sizeof name, PART "%020lld.log", (long long)base);
    const char *files[2] = {SEG0 ".log", name};
    uint32_t first_size[2] = {log_of(0)->batches[0].size,
                              log_of(0)->batches[log_of(0)->segments[1].first_batch].size};
    for (int f = 0; f < 2; f++) {
        uint8_t byte;
        ck_assert_int_eq(disk_peek(disk_of(0), files[f], first_size[f] - 1, &byte, 1), 1);
        byte ^= 0x40;
        ck_assert_int_eq(disk_write(disk_of(0), files[f], first_size[f] - 1, &byte, 1), 0);
    }
    ck_assert_int_gt(end, base + 1);
    crash_and_restart(0);
    struct partition_log *l = log_of(0);
    ck_assert_int_eq(partition_log_end_offset(l), base); /* the garbled batch and all after */
    ck_assert_uint_eq(l->segments[0].batch_count, (uint32_t)base); /* one record a batch */
    ck_assert_int_eq(notes.count, 1);
    ck_assert_ptr_nonnull(strstr(notes.text[0], "reason=WIRE_ECRC"));
    ck_assert_ptr_nonnull(strstr(notes.text[0], name));
}
END_TEST

START_TEST(flush_messages_1_keeps_every_acknowledged_write_across_a_power_failure)
{
    struct log_config c = config_small();
    c.flush_messages = 1;
    boot(1, c, true);
    for (int i = 0; i < 12; i++) {
        produce(0, 1, 1);
        ck_assert_int_lt(partition_log_recovery_point(log_of(0)), i + 1);
        run_for(5 * MS); /* an acks=all leader answers once its own flush is back */
        ck_assert_int_eq(partition_log_recovery_point(log_of(0)), i + 1);
    }
    uint32_t segments = log_of(0)->segment_count;
    ck_assert_uint_ge(segments, 2);
    power_fail_and_restart(0);
    ck_assert_int_eq(partition_log_end_offset(log_of(0)), 12);
    ck_assert_uint_eq(log_of(0)->segment_count, segments);
}
END_TEST

START_TEST(flush_ms_flushes_once_it_has_passed_since_the_last_flush)
{
    struct log_config c = log_config_default();
    c.flush_ms = 1000;
    boot(1, c, false);
    produce(0, 1, 3);
    run_for(900 * MS);
    ck_assert(!partition_log_flush_if_due(log_of(0)));
    run_for(101 * MS);
    ck_assert(partition_log_flush_if_due(log_of(0)));
    run_for(5 * MS);
    ck_assert_int_eq(partition_log_recovery_point(log_of(0)), 3);
    ck_assert(!partition_log_flush_if_due(log_of(0))); /* nothing unflushed */
}
END_TEST

START_TEST(clean_shutdown_marker_skips_recovery_and_sets_the_recovery_point_to_the_end)
{
    boot(1, config_small(), false);
    for (int i = 0; i < 8; i++) {
        produce(0, 1, 2);
    }
    partition_log_flush(log_of(0));
    run_for(5 * MS);
    char json[64];
    struct text t = text_init(json, sizeof json);
    checkpoint_clean_shutdown_format(&t, 12);
    ck_assert_str_eq(json, "{\"version\":0,\"brokerEpoch\":12}");
    ck_assert_int_eq(disk_write(disk_of(0), LOG_DIR "/" CHECKPOINT_CLEAN_SHUTDOWN, 0, json,
                                t.len), 0);
    crash_and_restart(0);
    ck_assert(nodes[0].clean);
    ck_assert_int_eq(partition_log_recovery_point(log_of(0)), 16);
    ck_assert_int_lt(disk_size(disk_of(0), LOG_DIR "/" CHECKPOINT_CLEAN_SHUTDOWN), 0);
    for (uint32_t i = 0; i < log_of(0)->segment_count; i++) {
        ck_assert(!log_of(0)->segments[i].dirty);
    }
    crash_and_restart(0); /* the marker is gone: recovery from the (absent) checkpoint */
    ck_assert(!nodes[0].clean);
    ck_assert_int_eq(partition_log_recovery_point(log_of(0)), 0);
    ck_assert_int_eq(partition_log_end_offset(log_of(0)), 16);
}
END_TEST

START_TEST(log_start_and_high_watermark_come_back_from_their_checkpoints)
{
    struct log_config c = config_small();
    c.retention_bytes = 1500;
    boot(1, c, false);
    for (int i = 0; i < 20; i++) {
        produce(0, 1, 2);
    }
    struct partition_log *l = log_of(0);
    partition_log_set_high_watermark(l, 30);
    ck_assert_int_eq(partition_log_increment_log_start(l, 33), 30); /* not past the HW */
    ck_assert_int_eq(partition_log_increment_log_start(l, 5), 30);
    write_dir_checkpoint(0, CHECKPOINT_LOG_START_OFFSET, 30);
    write_dir_checkpoint(0, CHECKPOINT_REPLICATION_OFFSET, 30);
    crash_and_restart(0);
    l = log_of(0);
    ck_assert_int_eq(partition_log_start_offset(l), 30);
    ck_assert_int_eq(partition_log_high_watermark(l), 30);
    ck_assert_int_eq(l->epochs[0].start_offset, 30);
    ck_assert_int_gt(partition_log_delete_old_segments(l), 0); /* the start is breached */
    ck_assert_int_le(l->segments[0].base_offset, 30);
    ck_assert(l->segment_count == 1 || l->segments[1].base_offset > 30);
}
END_TEST

START_TEST(power_failure_after_a_roll_keeps_the_rolled_segment_its_roll_flushed)
{
    boot(1, config_small(), true);
    int64_t base = -1;
    while (base < 0) {
        produce(0, 1, 1);
        if (log_of(0)->segment_count == 2) {
            base = log_of(0)->segments[1].base_offset;
        }
    }
    run_for(5 * MS); /* the flush UnifiedLog.roll schedules, up to the new base */
    ck_assert_int_eq(partition_log_recovery_point(log_of(0)), base);
    write_dir_checkpoint(0, CHECKPOINT_RECOVERY_POINT, base);
    for (int i = 0; i < 2; i++) {
        produce(0, 1, 1);
    }
    run_for(5 * MS);
    power_fail_and_restart(0);
    struct partition_log *l = log_of(0);
    ck_assert_int_eq(partition_log_end_offset(l), base);
    ck_assert_uint_eq(l->segment_count, 2); /* the new segment's file survives, empty */
    ck_assert_uint_eq(l->segments[1].size, 0);
    ck_assert_int_eq(produce(0, 2, 1), base);
}
END_TEST

START_TEST(flush_in_flight_across_a_truncate_does_not_vouch_for_later_appends)
{
    boot(1, log_config_default(), false);
    for (int i = 0; i < 4; i++) {
        produce(0, 1, 1);
    }
    partition_log_flush(log_of(0));
    ck_assert(partition_log_flush_in_flight(log_of(0)));
    ck_assert_int_eq(partition_log_truncate_to(log_of(0), 2), 2);
    for (int i = 0; i < 3; i++) {
        produce(0, 2, 1);
    }
    run_for(5 * MS);
    ck_assert_int_eq(partition_log_recovery_point(log_of(0)), 2);
    partition_log_flush(log_of(0));
    run_for(5 * MS);
    ck_assert_int_eq(partition_log_recovery_point(log_of(0)), 5);
}
END_TEST

START_TEST(recovery_reads_every_batch_back_despite_read_corruption)
{
    boot(1, config_small(), false);
    for (int i = 0; i < 12; i++) {
        produce(0, 1, 2);
    }
    uint8_t *before = NULL;
    int64_t n = read_all(0, &before);
    for (int round = 0; round < 5; round++) {
        host_crash(world_host(w, 0));
        disk_set_read_corruption(disk_of(0), 300000); /* three reads in ten flip a bit */
        restart(0);
        disk_set_read_corruption(disk_of(0), 0);
        ck_assert_int_eq(partition_log_end_offset(log_of(0)), 24);
    }
    ck_assert_int_gt(notes.read_faults, 5);
    ck_assert_int_eq(notes.count, 0);
    uint8_t *after = NULL;
    ck_assert_int_eq(read_all(0, &after), n);
    ck_assert(memcmp(before, after, (size_t)n) == 0);
    free(before);
    free(after);
}
END_TEST

START_TEST(full_disk_fails_an_append_with_kafka_storage_error_and_keeps_the_log)
{
    boot(1, log_config_default(), false);
    produce(0, 1, 2);
    uint64_t used = disk_used_bytes(disk_of(0));
    disk_set_capacity(disk_of(0), used + 100);
    struct wire_writer wr;
    wire_writer_init(&wr);
    encode(&wr, produce_default(2));
    struct partition_log_append_info info;
    struct partition_log *l = log_of(0);
    ck_assert_int_eq(partition_log_append_leader(l, wr.bytes, wr.len, 1, &info), -PLOG_ESTORAGE);
    ck_assert_str_eq(partition_log_err_name(l->last_error_code), "KAFKA_STORAGE_ERROR");
    ck_assert_int_eq(partition_log_end_offset(l), 2);
    ck_assert(partition_log_check(l));
    disk_set_capacity(disk_of(0), 0);
    ck_assert_int_eq(partition_log_append_leader(l, wr.bytes, wr.len, 1, &info), 0);
    ck_assert_int_eq(info.first_offset, 2);
    wire_writer_free(&wr);
}
END_TEST

START_TEST(remove_deletes_every_file_of_the_partition_and_reopen_starts_empty)
{
    boot(1, config_small(), false);
    for (int i = 0; i < 8; i++) {
        produce(0, 1, 2);
    }
    run_for(5 * MS);
    partition_log_flush(log_of(0)); /* one fsync still in flight when the files go */
    partition_log_remove(&nodes[0].log);
    int files = 0;
    for (uint32_t i = 0; i < disk_of(0)->file_count; i++) {
        files += strncmp(disk_of(0)->files[i].name, PART, strlen(PART)) == 0;
    }
    ck_assert_int_eq(files, 0);
    host_crash(world_host(w, 0));
    restart(0);
    ck_assert_int_eq(partition_log_end_offset(log_of(0)), 0);
    ck_assert_uint_eq(log_of(0)->segment_count, 1);
}
END_TEST

/* ---- checkpoint files --------------------------------------------------------------------- */

START_TEST(checkpoint_texts_match_kafka_byte_for_byte_and_parse_back)
{
    char buf[256];
    struct text t = text_init(buf, sizeof buf);
    struct checkpoint_offset offsets[2] = {{"foo", 0, 120}, {"bar", 3, 7}};
    checkpoint_offsets_format(&t, offsets, 2);
    ck_assert_str_eq(buf, "0\n2\nfoo 0 120\nbar 3 7\n");
    struct checkpoint_offset parsed[4];
    char err[256];
    ck_assert_int_eq(checkpoint_offsets_parse(buf, t.len, "x", parsed, 4, err, sizeof err), 2);
    ck_assert_str_eq(parsed[1].topic, "bar");
    ck_assert_int_eq(parsed[1].partition, 3);
    ck_assert_int_eq(parsed[1].offset, 7);
    t = text_init(buf, sizeof buf);
    struct checkpoint_epoch epochs[2] = {{1, 0}, {3, 57}};
    checkpoint_epochs_format(&t, epochs, 2);
    ck_assert_str_eq(buf, "0\n2\n1 0\n3 57\n");
    t = text_init(buf, sizeof buf);
    checkpoint_partition_metadata_format(&t, (struct kuuid){.hi = UINT64_C(0x901d1dbc00c34180),
                                                            .lo = UINT64_C(0xbbc40c72cb11c631)});
    ck_assert_str_eq(buf, "version: 0\ntopic_id: kB0dvADDQYC7xAxyyxHGMQ");
    struct kuuid id;
    ck_assert_int_eq(checkpoint_partition_metadata_parse(buf, t.len, "pm", &id, err, sizeof err),
                     0);
    ck_assert(id.hi == UINT64_C(0x901d1dbc00c34180));
    /* CheckpointReadBuffer's errors, and an empty file is no entries. */
    ck_assert_int_eq(checkpoint_offsets_parse("", 0, "x", parsed, 4, err, sizeof err), 0);
    ck_assert_int_eq(checkpoint_offsets_parse("1\n0\n", 4, "f", parsed, 4, err, sizeof err), -1);
    ck_assert_str_eq(err, "Unrecognised version:1, expected version: 0 in checkpoint file at: f");
    const char *short_count = "0\n3\nfoo 0 1\n";
    ck_assert_int_eq(checkpoint_offsets_parse(short_count, strlen(short_count), "f", parsed, 4,
                                              err, sizeof err), -1);
    ck_assert_str_eq(err, "Expected [3] entries in checkpoint file [f], but found only [1]");
    const char *bad = "0\n1\nfoo zero 1\n";
    ck_assert_int_eq(checkpoint_offsets_parse(bad, strlen(bad), "f", parsed, 4, err, sizeof err),
                     -1);
    ck_assert_str_eq(err, "Malformed line in checkpoint file (f): 'foo zero 1'");
    struct checkpoint_epoch ep[4];
    const char *three = "0\n1\n1 2 3\n";
    ck_assert_int_eq(checkpoint_epochs_parse(three, strlen(three), "f", ep, 4, err, sizeof err),
                     -1);
}
END_TEST

START_TEST(a_checkpoint_replaced_only_once_its_fsync_is_back_survives_a_power_failure)
{
    boot(1, log_config_default(), true);
    write_dir_checkpoint(0, CHECKPOINT_RECOVERY_POINT, 5);
    struct node *n = &nodes[0];
    const char *text = "0\n1\nfoo 0 9\n";
    ck_assert_int_eq(checkpoint_file_begin(env_of(0), &n->ckpt, text, strlen(text), TEST_TOKEN),
                     0);
    host_power_fail(world_host(w, 0)); /* before the fsync is back: the old file stands */
    assert_file(0, LOG_DIR "/" CHECKPOINT_RECOVERY_POINT, "0\n1\nfoo 0 5\n");
    restart(0);
    write_dir_checkpoint(0, CHECKPOINT_RECOVERY_POINT, 9);
    host_power_fail(world_host(w, 0));
    assert_file(0, LOG_DIR "/" CHECKPOINT_RECOVERY_POINT, "0\n1\nfoo 0 9\n");
    restart(0);
}
END_TEST

START_TEST(open_refuses_a_partition_metadata_with_another_topic_id)
{
    boot(1, log_config_default(), false);
    run_for(5 * MS);
    host_crash(world_host(w, 0));
    const char *other = "version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAQ";
    ck_assert_int_eq(disk_truncate(disk_of(0), PART "partition.metadata", 0), 0);
    ck_assert_int_eq(disk_write(disk_of(0), PART "partition.metadata", 0, other, strlen(other)),
                     0);
    ck_assert(host_start(world_host(w, 0)));
    ck_assert_int_eq(nodes[0].open_rc, -PLOG_ESTORAGE);
    ck_assert_ptr_nonnull(strstr(nodes[0].log.last_error, "InconsistentTopicIdException"));
}
END_TEST

/* An idempotent producer's batch with sequence `seq` (count records) at epoch `pepoch`. */
static int append_idempotent(int i, int32_t seq, int32_t count, int16_t pepoch,
                             struct partition_log_append_info *info)
{
    struct produce p = produce_default(count);
    p.producer_id = 42;
    p.producer_epoch = pepoch;
    p.base_sequence = seq;
    struct wire_writer wr;
    wire_writer_init(&wr);
    encode(&wr, p);
    int rc = partition_log_append_leader(log_of(i), wr.bytes, wr.len, 3, info);
    wire_writer_free(&wr);
    ck_assert(partition_log_check(log_of(i)));
    return rc;
}

/* ProducerStateManager through the log: a retry is answered with its first offsets, a gap or
 * an old epoch refused, a new epoch starts at 0; the state survives a restart (rebuilt from
 * the log) and follows a truncation (the cut batch is new again). */
START_TEST(leader_deduplicates_retries_and_checks_sequences_and_epochs)
{
    boot(1, log_config_default(), false);
    struct partition_log_append_info info;
    ck_assert_int_eq(append_idempotent(0, 0, 2, 0, &info), 0); /* offsets 0-1, seq 0-1 */
    ck_assert_int_eq(append_idempotent(0, 2, 3, 0, &info), 0); /* offsets 2-4, seq 2-4 */
    ck_assert_int_eq(append_idempotent(0, 0, 2, 0, &info), PLOG_DUPLICATE);
    ck_assert_int_eq(info.first_offset, 0);
    ck_assert_int_eq(info.last_offset, 1);
    ck_assert_int_eq(partition_log_end_offset(log_of(0)), 5); /* nothing written twice */
    ck_assert_int_eq(append_idempotent(0, 7, 1, 0, &info), -PLOG_EOUT_OF_ORDER_SEQUENCE);
    ck_assert_str_eq(partition_log_err_name(-PLOG_EOUT_OF_ORDER_SEQUENCE),
                     "OUT_OF_ORDER_SEQUENCE_NUMBER");
    ck_assert_int_eq(append_idempotent(0, 3, 1, 1, &info), -PLOG_EOUT_OF_ORDER_SEQUENCE);
    ck_assert_int_eq(append_idempotent(0, 0, 1, 1, &info), 0); /* epoch 1 from seq 0: offset 5 */
    ck_assert_int_eq(append_idempotent(0, 1, 1, 0, &info), -PLOG_EINVALID_PRODUCER_EPOCH);
    ck_assert_int_eq(partition_log_end_offset(log_of(0)), 6);
    /* a crash: the state comes back from the log, so the retry is still recognised */
    crash_and_restart(0);
    ck_assert_int_eq(append_idempotent(0, 0, 1, 1, &info), PLOG_DUPLICATE);
    ck_assert_int_eq(info.first_offset, 5);
    ck_assert_int_eq(append_idempotent(0, 1, 1, 1, &info), 0); /* offset 6 */
    /* truncated away, the batch is no longer known: its retry is appended again */
    ck_assert_int_eq(partition_log_truncate_to(log_of(0), 6), 6);
    ck_assert_int_eq(append_idempotent(0, 1, 1, 1, &info), 0);
    ck_assert_int_eq(info.first_offset, 6);
    const struct producer_entry *e = producer_state_find(&log_of(0)->producers, 42);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->epoch, 1);
    ck_assert_int_eq(e->batch_count, 2);
}
END_TEST

/* Only the last five batches are remembered: a retry of the sixth-newest is out of order. */
START_TEST(producer_state_keeps_five_batches_and_wraps_sequences)
{
    struct producer_state s;
    producer_state_init(&s);
    struct producer_batch_meta dup;
    for (int32_t i = 0; i < 6; i++) {
        ck_assert_int_eq(producer_state_check(&s, 9, 0, i, i, &dup), PRODUCER_APPEND);
        struct producer_batch_meta m = {i, i, 100 + i, 100 + i};
        producer_state_update(&s, 9, 0, &m);
    }
    ck_assert_int_eq(producer_state_check(&s, 9, 0, 1, 1, &dup), PRODUCER_DUPLICATE);
    ck_assert_int_eq(dup.first_offset, 101);
    ck_assert_int_eq(producer_state_check(&s, 9, 0, 0, 0, &dup), PRODUCER_OUT_OF_ORDER);
    ck_assert_int_eq(producer_state_check(&s, 9, 0, 6, 8, &dup), PRODUCER_APPEND);
    ck_assert_int_eq(producer_state_check(&s, 3, 0, 55, 55, &dup), PRODUCER_APPEND); /* unknown */
    /* sequences wrap at INT32_MAX to 0 (DefaultRecordBatch.incrementSequence) */
    ck_assert_int_eq(producer_last_seq(INT32_MAX - 1, 3), 1);
    struct producer_batch_meta top = {INT32_MAX - 1, INT32_MAX, 200, 201};
    producer_state_update(&s, 9, 0, &top);
    ck_assert_int_eq(producer_state_check(&s, 9, 0, 0, 4, &dup), PRODUCER_APPEND);
    /* entries stay sorted by producer id */
    struct producer_batch_meta m = {0, 0, 1, 1};
    producer_state_update(&s, 3, 0, &m);
    producer_state_update(&s, 5, 0, &m);
    ck_assert_uint_eq(s.count, 3);
    ck_assert(s.entries[0].producer_id == 3 && s.entries[1].producer_id == 5 &&
              s.entries[2].producer_id == 9);
    producer_state_free(&s);
}
END_TEST

static Suite *partition_log_suite(void)
{
    Suite *s = suite_create("partition_log");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, leader_append_assigns_offsets_and_epoch_and_keeps_producer_fields_and_crc);
    tcase_add_test(tc, log_append_time_sets_the_attribute_and_max_timestamp_and_a_new_crc);
    tcase_add_test(tc, leader_rejects_corrupt_nonzero_base_and_oversized_batches_appending_nothing);
    tcase_add_test(tc, follower_writes_the_leader_bytes_unchanged_and_rejects_offsets_that_go_back);
    tcase_add_test(tc, read_stops_at_the_upper_bound_max_bytes_and_the_segment_end);
    tcase_add_test(tc, end_offset_for_epoch_answers_as_leader_epoch_file_cache_test);
    tcase_add_test(tc, truncate_inside_a_batch_drops_it_and_later_segments_and_index_entries);
    tcase_add_test(tc, segment_bytes_rolls_20_digit_segments_and_flushes_the_old_one_on_roll);
    tcase_add_test(tc, segment_ms_rolls_when_a_batch_is_newer_than_the_first_by_more_than_it);
    tcase_add_test(tc, offset_index_every_index_interval_bytes_as_appended_and_as_rebuilt);
    tcase_add_test(tc, retention_bytes_deletes_old_segments_below_the_hw_and_moves_the_start);
    tcase_add_test(tc, retention_ms_deletes_every_segment_even_the_active_one_after_rolling);
    tcase_add_test(tc, crash_keeps_the_page_cache_and_recovery_rereads_every_batch);
    tcase_add_test(tc, power_failure_loses_unflushed_batches_and_recovery_ends_at_the_durable_ones);
    tcase_add_test(tc, torn_tail_and_corrupt_last_batch_are_truncated_at_open);
    tcase_add_test(tc, flush_messages_1_keeps_every_acknowledged_write_across_a_power_failure);
    tcase_add_test(tc, flush_ms_flushes_once_it_has_passed_since_the_last_flush);
    tcase_add_test(tc, clean_shutdown_marker_skips_recovery_and_sets_the_recovery_point_to_the_end);
    tcase_add_test(tc, recovery_checks_crcs_from_the_recovery_point_on_and_trusts_segments_below);
    tcase_add_test(tc, log_start_and_high_watermark_come_back_from_their_checkpoints);
    tcase_add_test(tc, power_failure_after_a_roll_keeps_the_rolled_segment_its_roll_flushed);
    tcase_add_test(tc, flush_in_flight_across_a_truncate_does_not_vouch_for_later_appends);
    tcase_add_test(tc, recovery_reads_every_batch_back_despite_read_corruption);
    tcase_add_test(tc, full_disk_fails_an_append_with_kafka_storage_error_and_keeps_the_log);
    tcase_add_test(tc, remove_deletes_every_file_of_the_partition_and_reopen_starts_empty);
    tcase_add_test(tc, checkpoint_texts_match_kafka_byte_for_byte_and_parse_back);
    tcase_add_test(tc, a_checkpoint_replaced_only_once_its_fsync_is_back_survives_a_power_failure);
    tcase_add_test(tc, open_refuses_a_partition_metadata_with_another_topic_id);
    tcase_add_test(tc, leader_deduplicates_retries_and_checks_sequences_and_epochs);
    tcase_add_test(tc, producer_state_keeps_five_batches_and_wraps_sequences);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(partition_log_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
