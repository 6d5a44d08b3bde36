/* test_raft_log.c — the KRaft metadata log on a simulated host's disk: appends, epochs,
 * follower appends, truncation, flushes, crash and power-failure recovery, rolls, a full disk. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world/host.h"
#include "protocol/record_batch.h"
#include "raft/log.h"
#include "world/world.h"

#define MS NS_PER_MS
#define US NS_PER_US
#define SEED 42
#define DIR "meta"
#define PART "meta/__cluster_metadata-0/"
#define SEGMENT_BYTES_BIG (UINT64_C(1) << 30) /* metadata.log.segment.bytes default, 1 GiB */
#define RECORDS_MAX 8
#define NOTES_MAX 16

/* ---- the harness: a world whose hosts run one process each, holding one raft log ---------- */

/* A host's process is a raft log and nothing else: start() opens it from the host's disk, as a
 * node does at boot; step() routes fsync completions to it; destroy() frees it as a crash does. */
struct node {
    struct raft_log log;
    uint64_t segment_bytes;
    int open_rc;
    int disk_events;
    bool up;
};

struct notes { /* the raft-log trace notes a run emitted, and the read faults it suffered */
    char text[NOTES_MAX][TRACE_DETAIL_MAX];
    int count;
    int read_faults;
};

static struct world *w;
static struct node nodes[2];
static struct notes notes;

static void *node_start(const struct env *env, const void *config)
{
    struct node *n = (struct node *)config;
    n->open_rc = raft_log_open(&n->log, env, DIR, n->segment_bytes);
    n->up = true;
    return n;
}

static void node_step(void *proc, const struct env_event *e)
{
    struct node *n = proc;
    ck_assert_int_eq(e->kind, ENV_EVENT_DISK);
    ck_assert(raft_log_on_flushed(&n->log, e->u.disk.token, e->u.disk.err));
    ck_assert(raft_log_check(&n->log));
    n->disk_events++;
}

static void node_destroy(void *proc)
{
    struct node *n = proc;
    raft_log_close(&n->log);
    n->up = false;
}

static const struct process_ops node_ops = {
    .name = "raft-log-test", .start = node_start, .step = node_step, .destroy = node_destroy};

static void record_note(void *ctx, const struct trace_event *event)
{
    struct notes *ns = ctx;
    const char *detail = trace_event_detail(event);
    if (event->kind == TRACE_NOTE && strncmp(detail, "raft-log recover", 16) == 0 &&
        ns->count < NOTES_MAX) {
        snprintf(ns->text[ns->count++], TRACE_DETAIL_MAX, "%s", detail);
    }
    if (event->kind == TRACE_DISK_FAULT && strncmp(detail, "read-corrupt file=", 18) == 0) {
        ns->read_faults++;
    }
}

/* A world of `hosts` hosts whose fsyncs take exactly 1 ms, each host booted with its log. */
static void boot(int hosts, uint64_t segment_bytes, bool power_loss_keeps_none)
{
    struct disk_cfg cfg = disk_cfg_default();
    cfg.fsync_latency_min = 1 * MS;
    cfg.fsync_latency_max = 1 * MS;
    cfg.power_loss_keeps_none = power_loss_keeps_none;
    w = world_create(SEED, hosts, NULL, NULL, &cfg);
    trace_add_sink(&w->trace, (struct trace_sink){.event = record_note, .ctx = &notes});
    for (int i = 0; i < hosts; i++) {
        nodes[i] = (struct node){.segment_bytes = segment_bytes};
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

static struct raft_log *log_of(int i)
{
    ck_assert(nodes[i].up);
    ck_assert(raft_log_check(&nodes[i].log));
    return &nodes[i].log;
}

static struct disk *disk_of(int i) { return &world_host(w, i)->disk; }

static void run_for(time_ns d) { world_run_until(w, world_now(w) + d); }

/* Kill -9 and boot again: the page cache survives, the log reopens from it. */
static void crash_and_restart(int i)
{
    host_crash(world_host(w, i));
    ck_assert(!nodes[i].up);
    ck_assert(host_start(world_host(w, i)));
    ck_assert_int_eq(nodes[i].open_rc, 0);
}

static void seg_name(int64_t base, char *out, size_t cap)
{
    snprintf(out, cap, PART "%020lld.log", (long long)base);
}

static int64_t seg_size(int i, int64_t base)
{
    char name[128];
    seg_name(base, name, sizeof name);
    return disk_size(disk_of(i), name);
}

/* ---- records and batches ------------------------------------------------------------------ */

struct records {
    struct record_batch_record r[RECORDS_MAX];
    char keys[RECORDS_MAX][24];
    char values[RECORDS_MAX][40];
};

/* Records for offsets base.. : key "k<offset>", value "value-of-<offset>". */
static void records_fill(struct records *rs, int64_t base, int32_t count)
{
    ck_assert_int_le(count, RECORDS_MAX);
    memset(rs, 0, sizeof *rs);
    for (int32_t i = 0; i < count; i++) {
        int kn = snprintf(rs->keys[i], sizeof rs->keys[i], "k%lld", (long long)(base + i));
        int vn = snprintf(rs->values[i], sizeof rs->values[i], "value-of-%lld",
                          (long long)(base + i));
        rs->r[i].key = (struct wire_bytes){(const uint8_t *)rs->keys[i], kn};
        rs->r[i].value = (struct wire_bytes){(const uint8_t *)rs->values[i], vn};
    }
}

/* Leader-appends one batch of `count` records on node i; the log must stay consistent. */
static int64_t append(int i, int32_t epoch, int32_t count, bool control)
{
    struct raft_log *l = log_of(i);
    struct records rs;
    records_fill(&rs, raft_log_end_offset(l), count);
    int64_t base = raft_log_append_leader(l, epoch, world_now(w) / MS, control, rs.r, count);
    ck_assert(raft_log_check(l));
    return base;
}

/* A batch as a leader would have sent it, built here so tests can make bad ones. */
static void encode_batch(struct wire_writer *out, int64_t base, int32_t epoch, int32_t count)
{
    struct records rs;
    records_fill(&rs, base, count);
    for (int32_t i = 0; i < count; i++) {
        rs.r[i].offset_delta = i;
    }
    struct record_batch b;
    record_batch_init(&b);
    b.base_offset = base;
    b.partition_leader_epoch = epoch;
    b.last_offset_delta = count - 1;
    b.record_count = count;
    b.records = rs.r;
    ck_assert_int_eq(record_batch_encode(out, &b), 0);
}

/* Reads the whole log of node i (every byte of every batch). */
static int64_t read_all(int i, uint8_t **out)
{
    struct raft_log *l = log_of(i);
    int64_t n = raft_log_read(l, raft_log_start_offset(l), UINT32_MAX, out);
    ck_assert_int_ge(n, 0);
    return n;
}

static void assert_epoch_for(const struct raft_log *l, int32_t asked, int32_t epoch, int64_t end)
{
    struct raft_log_snapshot_id got = raft_log_end_offset_for_epoch(l, asked);
    ck_assert_msg(got.epoch == epoch && got.end_offset == end,
                  "endOffsetForEpoch(%d) = (%d, %lld), want (%d, %lld)", asked, got.epoch,
                  (long long)got.end_offset, epoch, (long long)end);
}

/* ---- appends and reads -------------------------------------------------------------------- */

START_TEST(leader_appends_control_and_data_batches_and_reads_them_back_decoded)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    run_for(5 * MS);
    /* The new leader's LeaderChange control batch, then two data batches. */
    ck_assert_int_eq(append(0, 1, 1, true), 0);
    ck_assert_int_eq(append(0, 1, 3, false), 1);
    ck_assert_int_eq(append(0, 2, 2, false), 4);
    struct raft_log *l = log_of(0);
    ck_assert_int_eq(raft_log_end_offset(l), 6);
    ck_assert_int_eq(raft_log_last_epoch(l), 2);
    ck_assert_int_eq(raft_log_batch_at(l, 3)->base_offset, 1);
    ck_assert_ptr_null(raft_log_batch_at(l, 6));
    /* Read everything and decode batch by batch. */
    uint8_t *bytes = NULL;
    int64_t n = read_all(0, &bytes);
    ck_assert_int_eq(n, (int64_t)(l->batches[0].size + l->batches[1].size + l->batches[2].size));
    ck_assert_int_eq(seg_size(0, 0), n);
    const int64_t bases[] = {0, 1, 4};
    const int32_t epochs[] = {1, 1, 2};
    const int32_t counts[] = {1, 3, 2};
    size_t at = 0;
    for (int b = 0; b < 3; b++) {
        struct wire_arena a;
        wire_arena_init(&a);
        struct record_batch rb;
        size_t size = 0;
        ck_assert_int_eq(record_batch_decode(bytes + at, (size_t)n - at, &a, &rb, &size), 0);
        ck_assert_int_eq(rb.base_offset, bases[b]);
        ck_assert_int_eq(rb.partition_leader_epoch, epochs[b]);
        ck_assert_int_eq(rb.attributes, b == 0 ? RECORD_BATCH_CONTROL : 0);
        ck_assert_int_eq(rb.last_offset_delta, counts[b] - 1);
        ck_assert_int_eq(rb.record_count, counts[b]);
        ck_assert_int_eq(rb.producer_id, -1);
        ck_assert_int_eq(rb.producer_epoch, -1);
        ck_assert_int_eq(rb.base_sequence, -1);
        ck_assert_int_eq(rb.base_timestamp, 5);
        ck_assert_int_eq(rb.max_timestamp, 5);
        for (int32_t r = 0; r < rb.record_count; r++) {
            char want[40];
            snprintf(want, sizeof want, "value-of-%lld", (long long)(bases[b] + r));
            ck_assert_int_eq(rb.records[r].offset_delta, r);
            ck_assert_int_eq(rb.records[r].timestamp_delta, 0);
            ck_assert_int_eq(rb.records[r].value.len, (int32_t)strlen(want));
            ck_assert(memcmp(rb.records[r].value.ptr, want, strlen(want)) == 0);
        }
        wire_arena_free(&a);
        at += size;
    }
    ck_assert_uint_eq(at, (size_t)n);
    free(bytes);
    /* Reading from inside batch [1, 3] starts at that batch; at the end reads nothing. */
    ck_assert_int_eq(raft_log_read(l, 2, UINT32_MAX, &bytes), n - l->batches[0].size);
    ck_assert_int_eq(bytes[7], 1); /* the low byte of BaseOffset 1 */
    free(bytes);
    ck_assert_int_eq(raft_log_read(l, 6, UINT32_MAX, &bytes), 0);
    ck_assert_ptr_null(bytes);
    ck_assert_int_eq(raft_log_read(l, 7, UINT32_MAX, &bytes), -ENV_EINVAL);
    ck_assert_int_eq(l->last_error_source, RAFT_LOG_ERR_ENV);
    ck_assert(raft_log_check(l));
}
END_TEST

START_TEST(end_offset_for_epoch_over_batches_of_epochs_1_1_3_3_5)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    struct raft_log *l = log_of(0);
    /* An empty log has no cached epoch: KafkaRaftLog answers (end offset, last epoch). */
    assert_epoch_for(l, 0, 0, 0);
    assert_epoch_for(l, 3, 0, 0);
    ck_assert_int_eq(raft_log_last_epoch(l), 0);
    /* Two records a batch: epoch 1 starts at 0, epoch 3 at 4, epoch 5 at 8; the end is 10. */
    const int32_t epochs[] = {1, 1, 3, 3, 5};
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(append(0, epochs[i], 2, false), 2 * i);
    }
    ck_assert_uint_eq(l->epoch_count, 3);
    ck_assert_int_eq(raft_log_last_epoch(l), 5);
    assert_epoch_for(l, 0, 0, 0);   /* below every epoch: (asked, first start); no snapshot */
    assert_epoch_for(l, 1, 1, 4);
    assert_epoch_for(l, 2, 1, 4);   /* never led: the epoch below, ending where 3 starts */
    assert_epoch_for(l, 3, 3, 8);
    assert_epoch_for(l, 4, 3, 8);
    assert_epoch_for(l, 5, 5, 10);  /* the latest epoch ends at the end offset */
    assert_epoch_for(l, 6, 5, 10);  /* above the latest: the cache has no answer */
    assert_epoch_for(l, -1, 5, 10); /* UNDEFINED_EPOCH likewise */
}
END_TEST

static int64_t truncation(const struct raft_log *l, int64_t end_offset, int32_t epoch)
{
    return raft_log_truncation_offset(l, (struct raft_log_snapshot_id){end_offset, epoch});
}

/* RaftLog.truncateToEndOffset over epochs 1 [0,4), 3 [4,8), 5 [8,10). The case that matters: a
 * follower holding entries of an epoch the leader never had (5 here) and a leader whose epoch 3
 * ran longer than ours (to 12): we cut where our epoch 3 ends, 8, not at the leader's 12,
 * which lies past our end and would change nothing (the follower fetched the same divergence
 * forever: workload seed 920). */
START_TEST(truncation_offset_on_a_diverging_epoch_follows_our_own_end_for_that_epoch)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    struct raft_log *l = log_of(0);
    const int32_t epochs[] = {1, 1, 3, 3, 5};
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(append(0, epochs[i], 2, false), 2 * i);
    }
    ck_assert_int_eq(truncation(l, 12, 3), 8);  /* our epoch 3 ends first */
    ck_assert_int_eq(truncation(l, 6, 3), 6);   /* the leader's epoch 3 ends first */
    ck_assert_int_eq(truncation(l, 7, 2), 4);   /* no epoch 2 here: where our epoch 1 ends */
    ck_assert_int_eq(truncation(l, 3, 0), 3);   /* epoch 0: min(leader's, our end) */
    ck_assert_int_eq(truncation(l, 30, 0), 10);
    ck_assert_int_eq(truncation(l, 9, 5), 9);
    /* applying it: the next fetch from the cut continues a log the leader agrees with */
    ck_assert_int_eq(raft_log_truncate_to(l, truncation(l, 12, 3)), 8);
    ck_assert_int_eq(raft_log_last_epoch(l), 3);
}
END_TEST

START_TEST(read_with_max_bytes_below_one_batch_returns_exactly_one_batch)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    for (int i = 0; i < 4; i++) {
        append(0, 1, 3, false);
    }
    struct raft_log *l = log_of(0);
    uint8_t *bytes = NULL;
    ck_assert_int_eq(raft_log_read(l, 0, 1, &bytes), l->batches[0].size);
    free(bytes);
    ck_assert_int_eq(raft_log_read(l, 4, 0, &bytes), l->batches[1].size);
    free(bytes);
    /* Room for two batches and a bit: two whole batches, never a partial third. */
    uint32_t two = l->batches[1].size + l->batches[2].size;
    ck_assert_int_eq(raft_log_read(l, 3, two + 10, &bytes), two);
    free(bytes);
}
END_TEST

/* ---- follower appends --------------------------------------------------------------------- */

START_TEST(follower_appends_leader_bytes_and_holds_a_byte_identical_segment)
{
    boot(2, SEGMENT_BYTES_BIG, false);
    append(0, 1, 1, true);
    append(0, 1, 4, false);
    append(0, 3, 2, false);
    append(0, 3, 1, true);
    uint8_t *fetched = NULL;
    int64_t n = read_all(0, &fetched);
    /* The follower appends what it fetched, in two responses. */
    struct raft_log *leader = log_of(0);
    struct raft_log *follower = log_of(1);
    uint32_t first_two = leader->batches[0].size + leader->batches[1].size;
    ck_assert_int_eq(raft_log_append_follower(follower, fetched, first_two), 2);
    ck_assert_int_eq(raft_log_append_follower(follower, fetched + first_two,
                                              (size_t)n - first_two), 2);
    free(fetched);
    ck_assert(raft_log_check(follower));
    ck_assert_int_eq(raft_log_end_offset(follower), raft_log_end_offset(leader));
    ck_assert_int_eq(raft_log_last_epoch(follower), 3);
    ck_assert_uint_eq(follower->epoch_count, 2);
    ck_assert(follower->batches[3].control);
    /* Same files, byte for byte. */
    uint8_t a[1024];
    uint8_t b[1024];
    ck_assert_int_eq(seg_size(1, 0), n);
    ck_assert_int_lt(n, (int64_t)sizeof a);
    ck_assert_int_eq(disk_read(disk_of(0), PART "00000000000000000000.log", 0, a, sizeof a), n);
    ck_assert_int_eq(disk_read(disk_of(1), PART "00000000000000000000.log", 0, b, sizeof b), n);
    ck_assert(memcmp(a, b, (size_t)n) == 0);
    /* Empty input appends nothing. */
    ck_assert_int_eq(raft_log_append_follower(follower, NULL, 0), 0);
}
END_TEST

START_TEST(follower_rejects_a_gap_in_base_offsets_and_keeps_the_batches_before_it)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    struct raft_log *l = log_of(0);
    struct wire_writer wr;
    wire_writer_init(&wr);
    encode_batch(&wr, 0, 1, 2);
    encode_batch(&wr, 2, 1, 2);
    encode_batch(&wr, 5, 1, 2); /* should start at 4 */
    encode_batch(&wr, 7, 1, 2);
    ck_assert_int_eq(raft_log_append_follower(l, wr.bytes, wr.len), -WIRE_EMALFORMED);
    ck_assert_int_eq(l->last_error_source, RAFT_LOG_ERR_WIRE);
    ck_assert_ptr_nonnull(strstr(l->last_error, "base-offset-not-end-offset"));
    ck_assert_int_eq(raft_log_end_offset(l), 4);
    ck_assert_uint_eq(l->batch_count, 2);
    ck_assert(raft_log_check(l));
    wire_writer_free(&wr);
}
END_TEST

START_TEST(follower_rejects_a_flipped_byte_with_a_crc_error_and_keeps_the_batches_before_it)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    struct raft_log *l = log_of(0);
    struct wire_writer wr;
    wire_writer_init(&wr);
    encode_batch(&wr, 0, 2, 3);
    size_t second = wr.len;
    encode_batch(&wr, 3, 2, 3);
    wr.bytes[second + RECORD_BATCH_HEADER_SIZE + 5] ^= 0x10; /* inside the second's records */
    ck_assert_int_eq(raft_log_append_follower(l, wr.bytes, wr.len), -WIRE_ECRC);
    ck_assert_int_eq(l->last_error_source, RAFT_LOG_ERR_WIRE);
    ck_assert_int_eq(raft_log_end_offset(l), 3);
    ck_assert_int_eq(seg_size(0, 0), (int64_t)second);
    ck_assert(raft_log_check(l));
    wire_writer_free(&wr);
}
END_TEST

START_TEST(follower_rejects_an_epoch_going_backwards_and_keeps_the_batches_before_it)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    struct raft_log *l = log_of(0);
    struct wire_writer wr;
    wire_writer_init(&wr);
    encode_batch(&wr, 0, 3, 2);
    encode_batch(&wr, 2, 2, 2); /* epoch 2 after epoch 3 */
    ck_assert_int_eq(raft_log_append_follower(l, wr.bytes, wr.len), -WIRE_EMALFORMED);
    ck_assert_ptr_nonnull(strstr(l->last_error, "epoch-below-last-epoch"));
    ck_assert_int_eq(raft_log_end_offset(l), 2);
    ck_assert_int_eq(raft_log_last_epoch(l), 3);
    ck_assert(raft_log_check(l));
    wire_writer_free(&wr);
}
END_TEST

START_TEST(follower_at_epoch_3_skips_a_late_epoch_4_batch_without_error)
{
    /* KAFKA-18723: batches above the follower's leader epoch are skipped, with all after. */
    boot(1, SEGMENT_BYTES_BIG, false);
    struct raft_log *l = log_of(0);
    struct wire_writer wr;
    wire_writer_init(&wr);
    encode_batch(&wr, 0, 3, 2);
    encode_batch(&wr, 2, 4, 2);
    encode_batch(&wr, 4, 4, 2);
    ck_assert_int_eq(raft_log_append_follower_epoch(l, wr.bytes, wr.len, 3), 1);
    ck_assert_int_eq(raft_log_end_offset(l), 2);
    ck_assert_int_eq(raft_log_last_epoch(l), 3);
    wire_writer_free(&wr);
}
END_TEST

START_TEST(read_corruption_on_the_leader_never_lands_in_the_follower_log)
{
    /* Every leader read flips one bit. The follower fetches from its end offset 40 times: the
     * leader's own epoch check or the follower's (CRC, base offset, magic) must reject the
     * corrupt batch of every response, keeping only the intact batches before it. */
    boot(2, SEGMENT_BYTES_BIG, false);
    for (int i = 0; i < 8; i++) {
        append(0, 1 + i / 3, 2, false);
    }
    disk_set_read_corruption(disk_of(0), 1000000);
    struct raft_log *leader = log_of(0);
    struct raft_log *follower = log_of(1);
    int rejected = 0;
    for (int i = 0; i < 40 && raft_log_end_offset(follower) < 16; i++) {
        uint8_t *bytes = NULL;
        int64_t n = raft_log_read(leader, raft_log_end_offset(follower), UINT32_MAX, &bytes);
        if (n < 0) {
            ck_assert_int_eq(n, -ENV_EIO); /* the flip hit a PartitionLeaderEpoch */
            rejected++;
            continue;
        }
        int got = raft_log_append_follower(follower, bytes, (size_t)n);
        ck_assert_int_lt(got, 0); /* one bit of the response is wrong: never all accepted */
        ck_assert_int_eq(follower->last_error_source, RAFT_LOG_ERR_WIRE);
        ck_assert(raft_log_check(follower));
        rejected++;
        free(bytes);
    }
    ck_assert_int_gt(rejected, 0);
    /* What the follower did accept is the leader's log, byte for byte. */
    disk_set_read_corruption(disk_of(0), 0);
    int64_t end = raft_log_end_offset(follower);
    ck_assert_int_gt(end, 0);
    uint8_t *mine = NULL;
    uint8_t *theirs = NULL;
    int64_t n = read_all(1, &mine);
    ck_assert_int_eq(raft_log_read(leader, 0, (uint32_t)n, &theirs), n);
    ck_assert(memcmp(mine, theirs, (size_t)n) == 0);
    ck_assert_int_eq(raft_log_last_epoch(follower), raft_log_batch_at(leader, end - 1)->epoch);
    free(mine);
    free(theirs);
}
END_TEST

/* ---- truncation --------------------------------------------------------------------------- */

START_TEST(truncate_inside_a_batch_drops_it_whole_and_the_epoch_cache_follows)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    const int32_t epochs[] = {1, 1, 3, 3, 5};
    for (int i = 0; i < 5; i++) {
        append(0, epochs[i], 2, false);
    }
    struct raft_log *l = log_of(0);
    uint64_t three = l->batches[0].size + l->batches[1].size + l->batches[2].size;
    /* Offset 7 lies inside batch [6, 7]: it goes whole, and so does epoch 5's batch. */
    ck_assert_int_eq(raft_log_truncate_to(l, 7), 6);
    ck_assert(raft_log_check(l));
    ck_assert_int_eq(raft_log_end_offset(l), 6);
    ck_assert_uint_eq(l->batch_count, 3);
    ck_assert_uint_eq(l->epoch_count, 2);
    assert_epoch_for(l, 3, 3, 6);
    assert_epoch_for(l, 5, 3, 6);
    ck_assert_int_eq(raft_log_last_epoch(l), 3);
    ck_assert_int_eq(seg_size(0, 0), (int64_t)three);
    /* At or past the end nothing happens. */
    ck_assert_int_eq(raft_log_truncate_to(l, 6), 6);
    ck_assert_int_eq(raft_log_truncate_to(l, 100), 6);
    /* Cutting at epoch 3's first offset drops epoch 3 from the cache. */
    ck_assert_int_eq(raft_log_truncate_to(l, 4), 4);
    ck_assert_uint_eq(l->epoch_count, 1);
    assert_epoch_for(l, 3, 1, 4);
    /* A new leader of epoch 6 appends where the log now ends. */
    ck_assert_int_eq(append(0, 6, 3, false), 4);
    assert_epoch_for(l, 1, 1, 4);
    assert_epoch_for(l, 6, 6, 7);
    uint8_t *bytes = NULL;
    int64_t n = raft_log_read(l, 4, UINT32_MAX, &bytes);
    struct wire_arena a;
    wire_arena_init(&a);
    struct record_batch rb;
    ck_assert_int_eq(record_batch_decode(bytes, (size_t)n, &a, &rb, NULL), 0);
    ck_assert_int_eq(rb.base_offset, 4);
    ck_assert_int_eq(rb.partition_leader_epoch, 6);
    wire_arena_free(&a);
    free(bytes);
    /* Truncating to the start empties the log but keeps its first segment file. */
    ck_assert_int_eq(raft_log_truncate_to(l, 0), 0);
    ck_assert_int_eq(seg_size(0, 0), 0);
    ck_assert_int_eq(raft_log_last_epoch(l), 0);
    ck_assert_int_eq(append(0, 7, 1, true), 0);
}
END_TEST

/* ---- flushing ----------------------------------------------------------------------------- */

START_TEST(flushed_offset_advances_exactly_when_the_fsync_completes_1ms_later)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    run_for(10 * MS);
    struct raft_log *l = log_of(0);
    raft_log_flush(l); /* nothing written: no fsync */
    ck_assert(!raft_log_flush_in_flight(l));
    ck_assert_uint_eq(disk_fsync_inflight_count(disk_of(0)), 0);
    append(0, 1, 2, false);
    append(0, 1, 3, false);
    time_ns t0 = world_now(w);
    raft_log_flush(l);
    ck_assert(raft_log_flush_in_flight(l));
    raft_log_flush(l); /* already covered: no second fsync */
    ck_assert_uint_eq(disk_fsync_inflight_count(disk_of(0)), 1);
    world_run_until(w, t0 + 1 * MS - 1);
    ck_assert_int_eq(raft_log_flushed_offset(l), 0);
    world_run_until(w, t0 + 1 * MS);
    ck_assert_int_eq(world_now(w), 11 * MS);
    ck_assert_int_eq(raft_log_flushed_offset(l), 5);
    ck_assert(!raft_log_flush_in_flight(l));
    ck_assert_int_eq(nodes[0].disk_events, 1);
    ck_assert_int_eq(disk_pending_count(disk_of(0), PART "00000000000000000000.log"), 0);
}
END_TEST

START_TEST(flush_in_flight_across_a_truncate_does_not_vouch_for_reappended_bytes)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    struct raft_log *l = log_of(0);
    for (int i = 0; i < 5; i++) {
        append(0, 1, 2, false);
    }
    time_ns t0 = world_now(w);
    raft_log_flush(l); /* vouches for 10 */
    /* Before it completes: a new leader makes us truncate to 4, and we append to 7. */
    world_run_until(w, t0 + 500 * US);
    ck_assert_int_eq(raft_log_truncate_to(l, 4), 4);
    ck_assert_int_eq(append(0, 2, 3, false), 4);
    ck_assert_int_eq(raft_log_end_offset(l), 7);
    world_run_until(w, t0 + 1 * MS);
    ck_assert_int_eq(raft_log_flushed_offset(l), 4); /* not 7, and never 10 */
    /* The re-appended bytes become durable with a flush of their own. */
    raft_log_flush(l);
    world_run_until(w, t0 + 2 * MS);
    ck_assert_int_eq(raft_log_flushed_offset(l), 7);
}
END_TEST

START_TEST(failed_fsync_keeps_the_flushed_offset_and_the_next_flush_retries)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    struct raft_log *l = log_of(0);
    append(0, 1, 2, false);
    raft_log_flush(l);
    uint64_t token = l->fsyncs[0].token;
    /* The disk reports an I/O error for this fsync (fed by hand; the simulated disk only
     * fails fsyncs of missing files). */
    ck_assert(raft_log_on_flushed(l, token, -ENV_EIO));
    ck_assert(raft_log_check(l));
    ck_assert_int_eq(raft_log_flushed_offset(l), 0);
    ck_assert_int_eq(l->last_error_source, RAFT_LOG_ERR_ENV);
    ck_assert_int_eq(l->last_error_code, -ENV_EIO);
    ck_assert(l->segments[0].dirty);
    ck_assert(!raft_log_on_flushed(l, 42, ENV_OK)); /* not the log's */
    /* Crash, so the real completion of that fsync never arrives; the reopened log flushes. */
    crash_and_restart(0);
    l = log_of(0);
    ck_assert(raft_log_flush_in_flight(l));
    run_for(1 * MS);
    ck_assert_int_eq(raft_log_flushed_offset(l), 2);
}
END_TEST

/* ---- crash and power failure -------------------------------------------------------------- */

START_TEST(crash_then_reopen_keeps_unflushed_batches_from_the_page_cache)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    append(0, 1, 1, true);
    append(0, 1, 3, false);
    append(0, 2, 2, false);
    uint8_t *before = NULL;
    int64_t n = read_all(0, &before);
    run_for(3 * MS);
    crash_and_restart(0);
    time_ns t0 = world_now(w);
    struct raft_log *l = log_of(0);
    ck_assert_int_eq(raft_log_end_offset(l), 6);
    ck_assert_int_eq(raft_log_last_epoch(l), 2);
    ck_assert_uint_eq(l->epoch_count, 2);
    ck_assert(l->batches[0].control);
    /* Nothing is vouched for until the recovery flush completes. */
    ck_assert_int_eq(raft_log_flushed_offset(l), 0);
    world_run_until(w, t0 + 1 * MS);
    ck_assert_int_eq(raft_log_flushed_offset(l), 6);
    uint8_t *after = NULL;
    ck_assert_int_eq(read_all(0, &after), n);
    ck_assert(memcmp(before, after, (size_t)n) == 0);
    free(before);
    free(after);
    ck_assert_int_eq(notes.count, 0); /* nothing to recover */
}
END_TEST

START_TEST(power_failure_loses_unflushed_batches_exactly_down_to_the_flushed_offset)
{
    boot(1, SEGMENT_BYTES_BIG, true);
    struct raft_log *l = log_of(0);
    append(0, 1, 1, true);
    append(0, 1, 3, false);
    raft_log_flush(l);
    run_for(1 * MS);
    ck_assert_int_eq(raft_log_flushed_offset(l), 4);
    int64_t durable = seg_size(0, 0);
    /* Two more batches: one flush in flight when the power goes, one never flushed. */
    append(0, 2, 2, false);
    raft_log_flush(l);
    append(0, 2, 2, false);
    run_for(500 * US);
    host_power_fail(world_host(w, 0));
    ck_assert(host_start(world_host(w, 0)));
    ck_assert_int_eq(nodes[0].open_rc, 0);
    l = log_of(0);
    ck_assert_int_eq(raft_log_end_offset(l), 4);
    ck_assert_int_eq(raft_log_last_epoch(l), 1);
    ck_assert_int_eq(seg_size(0, 0), durable);
    run_for(1 * MS);
    ck_assert_int_eq(raft_log_flushed_offset(l), 4);
    /* Life goes on at offset 4. */
    ck_assert_int_eq(append(0, 3, 1, true), 4);
}
END_TEST

START_TEST(torn_tail_cut_inside_the_last_batch_is_truncated_at_open)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    for (int i = 0; i < 3; i++) {
        append(0, 1, 2, false);
    }
    struct raft_log *l = log_of(0);
    uint64_t last_at = l->batches[2].position;
    /* A crash tore the last write: only its first 30 bytes reached the file. */
    ck_assert_int_eq(disk_truncate(disk_of(0), PART "00000000000000000000.log", last_at + 30),
                     ENV_OK);
    crash_and_restart(0);
    l = log_of(0);
    ck_assert_int_eq(raft_log_end_offset(l), 4);
    ck_assert_int_eq(seg_size(0, 0), (int64_t)last_at);
    ck_assert_int_eq(notes.count, 1);
    ck_assert_ptr_nonnull(strstr(notes.text[0], "reason=WIRE_ETRUNCATED"));
    ck_assert_int_eq(append(0, 1, 2, false), 4);
}
END_TEST

START_TEST(garbled_last_batch_fails_its_crc_and_is_truncated_at_open)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    for (int i = 0; i < 3; i++) {
        append(0, 1, 2, false);
    }
    struct raft_log *l = log_of(0);
    uint64_t last_at = l->batches[2].position;
    static const uint8_t junk[8] = {0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef};
    ck_assert_int_eq(disk_write(disk_of(0), PART "00000000000000000000.log",
                                last_at + RECORD_BATCH_HEADER_SIZE, junk, sizeof junk),
                     ENV_OK);
    crash_and_restart(0);
    l = log_of(0);
    ck_assert_int_eq(raft_log_end_offset(l), 4);
    ck_assert_int_eq(seg_size(0, 0), (int64_t)last_at);
    ck_assert_int_eq(notes.count, 1);
    ck_assert_ptr_nonnull(strstr(notes.text[0], "reason=WIRE_ECRC"));
}
END_TEST

/* ---- segments ----------------------------------------------------------------------------- */

struct names {
    char name[16][128];
    int count;
};

static void collect_name(void *arg, const char *name)
{
    struct names *ns = arg;
    ck_assert_int_lt(ns->count, 16);
    snprintf(ns->name[ns->count++], sizeof ns->name[0], "%s", name);
}

/* Appends ten batches of two records at a segment size that holds two of them. */
static void fill_ten_batches_in_five_segments(void)
{
    for (int i = 0; i < 10; i++) {
        append(0, 1 + i / 4, 2, false);
    }
}

START_TEST(small_segment_bytes_rolls_20_digit_named_segments_and_open_reads_them_all)
{
    /* Each batch here is 100-110 bytes: 240 bytes hold two, never three. */
    boot(1, 240, false);
    fill_ten_batches_in_five_segments();
    struct raft_log *l = log_of(0);
    ck_assert_uint_eq(l->segment_count, 5);
    struct names ns = {.count = 0};
    disk_list(disk_of(0), PART, collect_name, &ns);
    ck_assert_int_eq(ns.count, 5);
    for (int s = 0; s < 5; s++) {
        char want[128];
        seg_name(4 * s, want, sizeof want);
        ck_assert_str_eq(ns.name[s], want);
        ck_assert_int_le(seg_size(0, 4 * s), 240);
        ck_assert_int_eq(seg_size(0, 4 * s),
                         l->batches[2 * s].size + l->batches[2 * s + 1].size);
    }
    ck_assert_str_eq(ns.name[1], PART "00000000000000000004.log");
    /* One read may span segments. */
    uint8_t *bytes = NULL;
    uint32_t three = l->batches[1].size + l->batches[2].size + l->batches[3].size;
    ck_assert_int_eq(raft_log_read(l, 2, three, &bytes), three);
    ck_assert_int_eq(bytes[7], 2);
    free(bytes);
    /* The recovery flush after a restart fsyncs all five; flushed moves when the last is done. */
    crash_and_restart(0);
    l = log_of(0);
    ck_assert_uint_eq(l->segment_count, 5);
    ck_assert_int_eq(raft_log_end_offset(l), 20);
    ck_assert_uint_eq(l->epoch_count, 3);
    ck_assert_uint_eq(l->fsync_count, 5);
    run_for(1 * MS);
    ck_assert_int_eq(raft_log_flushed_offset(l), 20);
    ck_assert_int_eq(nodes[0].disk_events, 5);
}
END_TEST

/* metadata.log.segment.ms: a batch more than segment_ms newer than the active segment's first
 * rolls (timeWaitedForRoll compares record timestamps), and the first batch's timestamp is
 * read back at open, so an old segment rolls on the first append after a restart. */
START_TEST(a_batch_segment_ms_newer_than_the_first_rolls_even_after_a_restart)
{
    boot(1, 1 << 20, false);
    struct raft_log *l = log_of(0);
    l->segment_ms = 1000;
    append(0, 1, 1, false); /* t = 0: the first batch of segment 0 */
    run_for(1000 * MS);
    append(0, 1, 1, false); /* exactly segment_ms newer: not over it */
    ck_assert_uint_eq(l->segment_count, 1);
    run_for(1 * MS);
    ck_assert_int_eq(append(0, 1, 1, false), 2); /* 1001 ms: rolls */
    ck_assert_uint_eq(l->segment_count, 2);
    ck_assert_int_eq(l->segments[1].base_offset, 2);
    ck_assert_int_eq(l->segments[1].roll_timestamp, 1001);
    run_for(600 * MS);
    crash_and_restart(0);
    l = log_of(0);
    ck_assert_uint_eq(l->segment_count, 2);
    ck_assert_int_eq(l->segments[0].roll_timestamp, 0);
    ck_assert_int_eq(l->segments[1].roll_timestamp, 1001);
    l->segment_ms = 1000;
    run_for(500 * MS); /* 2101 ms */
    append(0, 1, 1, false);
    ck_assert_uint_eq(l->segment_count, 3);
}
END_TEST

START_TEST(batch_larger_than_segment_bytes_gets_a_segment_of_its_own)
{
    boot(1, 64, false);
    ck_assert_int_eq(append(0, 1, 4, false), 0);
    ck_assert_int_eq(append(0, 1, 4, false), 4);
    struct raft_log *l = log_of(0);
    ck_assert_uint_eq(l->segment_count, 2);
    ck_assert_int_eq(seg_size(0, 4), l->batches[1].size);
}
END_TEST

START_TEST(truncate_into_an_earlier_segment_removes_the_later_segment_files)
{
    boot(1, 240, false);
    fill_ten_batches_in_five_segments();
    struct raft_log *l = log_of(0);
    /* Offset 9 is in batch [8, 9], the first of segment 8: segments 12 and 16 go, 8 stays
     * empty as the active segment. */
    ck_assert_int_eq(raft_log_truncate_to(l, 9), 8);
    ck_assert_uint_eq(l->segment_count, 3);
    ck_assert_int_eq(seg_size(0, 8), 0);
    ck_assert_int_eq(seg_size(0, 12), -ENV_ENOENT);
    ck_assert_int_eq(seg_size(0, 16), -ENV_ENOENT);
    /* Offset 6 is in batch [6, 7] at the middle of segment 4. */
    ck_assert_int_eq(raft_log_truncate_to(l, 6), 6);
    ck_assert_uint_eq(l->segment_count, 2);
    ck_assert_int_eq(seg_size(0, 4), l->batches[2].size);
    ck_assert_int_eq(seg_size(0, 8), -ENV_ENOENT);
    ck_assert_int_eq(append(0, 9, 2, false), 6);
    ck_assert_uint_eq(l->segment_count, 2);
    ck_assert_int_eq(append(0, 9, 2, false), 8);
    ck_assert_uint_eq(l->segment_count, 3); /* segment 8 again: a new file of the same name */
    /* The reopened log agrees. */
    crash_and_restart(0);
    l = log_of(0);
    ck_assert_uint_eq(l->segment_count, 3);
    ck_assert_int_eq(raft_log_end_offset(l), 10);
    assert_epoch_for(l, 2, 1, 6); /* epoch 2 began at 8 and was cut away */
    assert_epoch_for(l, 9, 9, 10);
}
END_TEST

START_TEST(corrupt_batch_in_a_middle_segment_drops_it_and_every_later_segment_at_open)
{
    boot(1, 240, false);
    fill_ten_batches_in_five_segments();
    struct raft_log *l = log_of(0);
    uint64_t second_at = l->batches[5].position; /* batch [10, 11], second in segment 8 */
    static const uint8_t junk[4] = {0xff, 0xff, 0xff, 0xff};
    ck_assert_int_eq(disk_write(disk_of(0), PART "00000000000000000008.log",
                                second_at + RECORD_BATCH_HEADER_SIZE + 2, junk, sizeof junk),
                     ENV_OK);
    crash_and_restart(0);
    l = log_of(0);
    ck_assert_int_eq(raft_log_end_offset(l), 10);
    ck_assert_uint_eq(l->segment_count, 3);
    ck_assert_int_eq(seg_size(0, 8), (int64_t)second_at);
    ck_assert_int_eq(seg_size(0, 12), -ENV_ENOENT);
    ck_assert_int_eq(seg_size(0, 16), -ENV_ENOENT);
    ck_assert_int_eq(notes.count, 3); /* the cut, then the two removals */
    ck_assert_ptr_nonnull(strstr(notes.text[0], "reason=WIRE_ECRC"));
    ck_assert_ptr_nonnull(strstr(notes.text[2], "00000000000000000016.log"));
}
END_TEST

START_TEST(open_recovers_every_segment_even_long_after_all_were_flushed)
{
    /* KafkaMetadataLog opens its UnifiedLog with recoveryPoint 0 and lastShutdownClean false
     * and keeps no recovery-point-offset-checkpoint (that file belongs to LogManager's logs):
     * every start recovers every segment from the first, flushed long ago or not. So damage in
     * the oldest segment is found even after every segment is durable and minutes have passed
     * (past log.flush.offset.checkpoint.interval.ms, 60 s), and the log ends there. */
    boot(1, 240, false);
    fill_ten_batches_in_five_segments();
    struct raft_log *l = log_of(0);
    raft_log_flush(l);
    run_for(120000 * MS);
    ck_assert_int_eq(raft_log_flushed_offset(l), 20);
    ck_assert_int_eq(disk_durable_size(disk_of(0), PART "00000000000000000000.log"),
                     seg_size(0, 0));
    uint64_t second_at = l->batches[1].position; /* batch [2, 3], second in segment 0 */
    static const uint8_t junk[4] = {0xff, 0xff, 0xff, 0xff};
    ck_assert_int_eq(disk_write(disk_of(0), PART "00000000000000000000.log",
                                second_at + RECORD_BATCH_HEADER_SIZE + 2, junk, sizeof junk),
                     ENV_OK);
    crash_and_restart(0);
    l = log_of(0);
    ck_assert_int_eq(raft_log_end_offset(l), 2);
    ck_assert_uint_eq(l->segment_count, 1);
    ck_assert_int_eq(seg_size(0, 0), (int64_t)second_at);
    for (int s = 1; s < 5; s++) {
        ck_assert_int_eq(seg_size(0, 4 * s), -ENV_ENOENT);
    }
    ck_assert_int_eq(notes.count, 5); /* the cut, then the four removals */
    ck_assert_ptr_nonnull(strstr(notes.text[0], "reason=WIRE_ECRC"));
    /* Nothing but the one segment is in the directory: no recovery-point file. */
    struct names ns = {.count = 0};
    disk_list(disk_of(0), PART, collect_name, &ns);
    ck_assert_int_eq(ns.count, 1);
}
END_TEST

START_TEST(open_keeps_a_batch_whose_crc_holds_though_its_records_do_not_parse)
{
    /* LogSegment.recover asks of a batch only batch.ensureValid: its size and CRC. It does not
     * parse records, so a batch with a record count its records do not hold, under a CRC
     * computed over those bytes, is kept (the full decode would call it malformed). */
    boot(1, SEGMENT_BYTES_BIG, false);
    append(0, 1, 2, false);
    append(0, 1, 2, false);
    struct wire_writer wr;
    wire_writer_init(&wr);
    encode_batch(&wr, 4, 1, 2);
    wr.bytes[RECORD_BATCH_RECORDS_COUNT_AT + 3] = 3;
    uint32_t crc = wire_crc32c(0, wr.bytes + RECORD_BATCH_ATTRIBUTES_AT,
                               wr.len - RECORD_BATCH_ATTRIBUTES_AT);
    for (int k = 0; k < 4; k++) {
        wr.bytes[RECORD_BATCH_CRC_AT + k] = (uint8_t)(crc >> (24 - 8 * k));
    }
    struct wire_arena a;
    wire_arena_init(&a);
    struct record_batch rb;
    ck_assert_int_eq(record_batch_decode(wr.bytes, wr.len, &a, &rb, NULL), -WIRE_EMALFORMED);
    wire_arena_free(&a);
    int64_t end = seg_size(0, 0);
    ck_assert_int_eq(disk_write(disk_of(0), PART "00000000000000000000.log", (uint64_t)end,
                                wr.bytes, wr.len), ENV_OK);
    crash_and_restart(0);
    struct raft_log *l = log_of(0);
    ck_assert_int_eq(raft_log_end_offset(l), 6);
    ck_assert_uint_eq(l->batch_count, 3);
    ck_assert_int_eq(seg_size(0, 0), end + (int64_t)wr.len);
    ck_assert_int_eq(notes.count, 0);
    wire_writer_free(&wr);
}
END_TEST

static void fsync_ignored(void *ctx, uint64_t token, int err)
{
    (void)ctx;
    (void)token;
    ck_assert_int_eq(err, ENV_OK);
}

START_TEST(power_failure_after_a_roll_drops_the_orphaned_later_segment)
{
    /* Batches 0-1 fill segment 0, batch 2 rolls into segment 4. Segment 4 reaches the platter
     * but segment 0 does not, as a power failure between the two fsyncs of one flush can leave
     * them: segment 0 comes back empty, and segment 4 no longer continues the log. */
    boot(1, 240, true);
    for (int i = 0; i < 3; i++) {
        append(0, 1, 2, false);
    }
    struct raft_log *l = log_of(0);
    ck_assert_uint_eq(l->segment_count, 2);
    disk_fsync(disk_of(0), PART "00000000000000000004.log", fsync_ignored, NULL, 0);
    run_for(1 * MS);
    host_power_fail(world_host(w, 0));
    ck_assert(host_start(world_host(w, 0)));
    l = log_of(0);
    ck_assert_int_eq(raft_log_end_offset(l), 0);
    ck_assert_uint_eq(l->segment_count, 1);
    ck_assert_int_eq(seg_size(0, 0), 0);
    ck_assert_int_eq(seg_size(0, 4), -ENV_ENOENT);
    ck_assert_int_eq(notes.count, 1);
    ck_assert_ptr_nonnull(strstr(notes.text[0], "removed=" PART "00000000000000000004.log"));
    ck_assert_int_eq(append(0, 2, 1, true), 0);
}
END_TEST

START_TEST(open_with_foreign_files_and_the_bootstrap_snapshot_is_an_empty_log_keeping_them)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    host_crash(world_host(w, 0));
    ck_assert_int_eq(disk_write(disk_of(0), PART "quorum-state", 0, "{}", 2), ENV_OK);
    ck_assert_int_eq(disk_write(disk_of(0), PART "00000000000000000000-0000000000.checkpoint",
                                0, "x", 1), ENV_OK);
    ck_assert_int_eq(disk_write(disk_of(0), "meta/__cluster_metadata-01/00000000000000000000.log",
                                0, "garbage", 7), ENV_OK);
    ck_assert(host_start(world_host(w, 0)));
    struct raft_log *l = log_of(0);
    ck_assert_str_eq(l->dir, "meta/__cluster_metadata-0");
    ck_assert_int_eq(raft_log_start_offset(l), 0);
    ck_assert_int_eq(raft_log_end_offset(l), 0);
    ck_assert_uint_eq(l->segment_count, 0);
    ck_assert(!raft_log_flush_in_flight(l));
    /* The bootstrap checkpoint 0-0 (Snapshots.BOOTSTRAP_SNAPSHOT_ID) is a snapshot like any
     * other to the log; it is not ahead of the empty log, so nothing is truncated. */
    ck_assert_int_eq(raft_log_latest_snapshot(l).end_offset, 0);
    ck_assert_int_eq(raft_log_latest_snapshot(l).epoch, 0);
    ck_assert_int_eq(raft_log_snapshot_size(l, raft_log_latest_snapshot(l)), 1);
    ck_assert_int_eq(disk_size(disk_of(0), PART "quorum-state"), 2);
    ck_assert_int_eq(disk_size(disk_of(0), "meta/__cluster_metadata-01/00000000000000000000.log"),
                     7);
}
END_TEST

START_TEST(open_recovers_every_batch_despite_read_corruption_on_one_read_in_five)
{
    /* A flipped bit in what a read returns must not pass for a torn or corrupt batch: recovery
     * would cut durable, committed batches away. */
    boot(1, 240, false);
    fill_ten_batches_in_five_segments();
    disk_set_read_corruption(disk_of(0), 200000);
    for (int restart = 0; restart < 8; restart++) {
        crash_and_restart(0);
        struct raft_log *l = log_of(0);
        ck_assert_int_eq(raft_log_end_offset(l), 20);
        ck_assert_uint_eq(l->segment_count, 5);
    }
    ck_assert_int_gt(notes.read_faults, 8);
    ck_assert_int_eq(notes.count, 0);
}
END_TEST

/* ---- a full disk -------------------------------------------------------------------------- */

START_TEST(full_disk_fails_appends_with_enospc_and_leaves_the_log_unchanged)
{
    boot(2, 240, false);
    struct raft_log *l = log_of(0);
    append(0, 1, 2, false);
    append(0, 1, 2, false); /* segment 0 is now full: the next batch rolls */
    struct wire_writer wr;
    wire_writer_init(&wr);
    encode_batch(&wr, 4, 1, 2);
    disk_set_capacity(disk_of(0), disk_used_bytes(disk_of(0)));
    /* Leader append at a roll: no new file appears. */
    ck_assert_int_eq(append(0, 1, 2, false), -ENV_ENOSPC);
    ck_assert_int_eq(l->last_error_source, RAFT_LOG_ERR_ENV);
    ck_assert_ptr_nonnull(strstr(l->last_error, "no space left on device"));
    ck_assert_int_eq(raft_log_end_offset(l), 4);
    ck_assert_uint_eq(l->segment_count, 1);
    ck_assert_int_eq(seg_size(0, 4), -ENV_ENOENT);
    /* Follower append likewise, told apart from a bad batch by last_error_source. */
    ck_assert_int_eq(raft_log_append_follower(l, wr.bytes, wr.len), -ENV_ENOSPC);
    ck_assert_int_eq(l->last_error_source, RAFT_LOG_ERR_ENV);
    ck_assert_int_eq(raft_log_end_offset(l), 4);
    /* Space again: the same append succeeds. */
    disk_set_capacity(disk_of(0), 0);
    ck_assert_int_eq(raft_log_append_follower(l, wr.bytes, wr.len), 1);
    ck_assert_int_eq(raft_log_end_offset(l), 6);
    wire_writer_free(&wr);
    /* Within a segment, too: nothing is written. */
    struct raft_log *other = log_of(1);
    append(1, 1, 1, false);
    int64_t size = seg_size(1, 0);
    disk_set_capacity(disk_of(1), disk_used_bytes(disk_of(1)));
    ck_assert_int_eq(append(1, 1, 1, false), -ENV_ENOSPC);
    ck_assert_int_eq(seg_size(1, 0), size);
    ck_assert_uint_eq(other->batch_count, 1);
}
END_TEST

/* ---- snapshots ---------------------------------------------------------------------------- */

#define SNAPSHOT_BYTES 300

static struct raft_log_snapshot_id snap(int64_t end_offset, int32_t epoch)
{
    return (struct raft_log_snapshot_id){.end_offset = end_offset, .epoch = epoch};
}

static void assert_id(struct raft_log_snapshot_id got, int64_t end_offset, int32_t epoch)
{
    ck_assert_msg(got.end_offset == end_offset && got.epoch == epoch,
                  "snapshot id (%lld, %d), want (%lld, %d)", (long long)got.end_offset,
                  got.epoch, (long long)end_offset, epoch);
}

/* The page-cache size of "<id>.checkpoint" on node i's disk, or -ENV_ENOENT. */
static int64_t snap_size(int i, struct raft_log_snapshot_id id)
{
    char name[128];
    snprintf(name, sizeof name, PART "%020lld-%010d.checkpoint", (long long)id.end_offset,
             id.epoch);
    return disk_size(disk_of(i), name);
}

struct suffix_count {
    const char *suffix;
    int count;
};

static void count_suffix(void *arg, const char *name)
{
    struct suffix_count *c = arg;
    size_t n = strlen(name);
    size_t k = strlen(c->suffix);
    c->count += n >= k && strcmp(name + n - k, c->suffix) == 0;
}

/* How many files in node i's partition directory end with `suffix`. */
static int files_ending(int i, const char *suffix)
{
    struct suffix_count c = {.suffix = suffix, .count = 0};
    disk_list(disk_of(i), PART, count_suffix, &c);
    return c.count;
}

/* Snapshot content that tells every byte apart from its neighbours. */
static void fill_content(uint8_t *buf, size_t n, int seed)
{
    for (size_t k = 0; k < n; k++) {
        buf[k] = (uint8_t)(k * 7 + (size_t)seed);
    }
}

/* Writes `len` bytes as snapshot `id` on node i, in two chunks, and starts its freeze. */
static void write_and_freeze(int i, struct raft_log_snapshot_id id, const uint8_t *bytes,
                             size_t len, bool install)
{
    struct raft_log *l = log_of(i);
    ck_assert_int_eq(raft_log_snapshot_begin(l, id), 0);
    ck_assert_int_eq(raft_log_snapshot_write(l, 0, bytes, len / 2), 0);
    ck_assert_int_eq(raft_log_snapshot_write(l, len / 2, bytes + len / 2, len - len / 2), 0);
    ck_assert_int_eq(raft_log_snapshot_freeze(l, install), 0);
    ck_assert(raft_log_check(l));
}

/* FetchSnapshot as a follower drives it: Position = bytes held, `chunk` bytes a response. */
static void download(int leader, int follower, struct raft_log_snapshot_id id, uint32_t chunk)
{
    struct raft_log *from = log_of(leader);
    struct raft_log *to = log_of(follower);
    int64_t size = raft_log_snapshot_size(from, id);
    ck_assert_int_gt(size, 0);
    ck_assert_int_eq(raft_log_snapshot_begin(to, id), 0);
    while (raft_log_snapshot_partial_size(to) < size) {
        int64_t at = raft_log_snapshot_partial_size(to);
        uint8_t *bytes = NULL;
        int64_t n = raft_log_snapshot_read(from, id, (uint64_t)at, chunk, &bytes);
        ck_assert_int_gt(n, 0);
        ck_assert_int_eq(raft_log_snapshot_write(to, (uint64_t)at, bytes, (size_t)n), 0);
        ck_assert(raft_log_check(to));
        free(bytes);
    }
}

START_TEST(snapshot_written_in_two_chunks_becomes_its_checkpoint_exactly_when_fsynced_1ms_later)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    for (int i = 0; i < 3; i++) {
        append(0, 1, 2, false);
    }
    struct raft_log *l = log_of(0);
    uint8_t content[SNAPSHOT_BYTES];
    fill_content(content, sizeof content, 1);
    /* Begin: an empty .part file, nothing frozen. */
    ck_assert_int_eq(raft_log_snapshot_begin(l, snap(6, 1)), 0);
    ck_assert_int_eq(files_ending(0, ".checkpoint.part"), 1);
    ck_assert_int_eq(raft_log_snapshot_partial_size(l), 0);
    assert_id(raft_log_snapshot_partial_id(l), 6, 1);
    assert_id(raft_log_latest_snapshot(l), -1, -1);
    /* Chunks arrive in order; one at the wrong position is refused and changes nothing. */
    ck_assert_int_eq(raft_log_snapshot_write(l, 0, content, 100), 0);
    ck_assert_int_eq(raft_log_snapshot_write(l, 50, content, 10), -ENV_EINVAL);
    ck_assert_int_eq(l->last_error_source, RAFT_LOG_ERR_ENV);
    ck_assert_int_eq(raft_log_snapshot_write(l, 100, content + 100, 200), 0);
    ck_assert_int_eq(raft_log_snapshot_partial_size(l), SNAPSHOT_BYTES);
    ck_assert(raft_log_check(l));
    /* One partial snapshot at a time. */
    ck_assert_int_eq(raft_log_snapshot_begin(l, snap(4, 1)), -ENV_EINVAL);
    /* Freeze at 10 ms: the .part is fsynced; the checkpoint appears only when that is done. */
    run_for(10 * MS);
    time_ns t0 = world_now(w);
    ck_assert_int_eq(raft_log_snapshot_freeze(l, false), 0);
    ck_assert(raft_log_snapshot_pending(l));
    ck_assert(raft_log_flush_in_flight(l));
    world_run_until(w, t0 + 1 * MS - 1);
    ck_assert(raft_log_snapshot_pending(l));
    ck_assert_int_eq(snap_size(0, snap(6, 1)), -ENV_ENOENT);
    ck_assert_int_eq(files_ending(0, ".checkpoint.part"), 1);
    assert_id(raft_log_latest_snapshot(l), -1, -1);
    ck_assert(raft_log_check(l));
    world_run_until(w, t0 + 1 * MS);
    ck_assert_int_eq(world_now(w), 11 * MS);
    ck_assert(!raft_log_snapshot_pending(l));
    ck_assert_int_eq(nodes[0].disk_events, 1);
    ck_assert_int_eq(snap_size(0, snap(6, 1)), SNAPSHOT_BYTES);
    ck_assert_int_eq(disk_durable_size(disk_of(0), PART
                                       "00000000000000000006-0000000001.checkpoint"),
                     SNAPSHOT_BYTES);
    ck_assert_int_eq(files_ending(0, ".checkpoint.part"), 0);
    ck_assert_int_eq(files_ending(0, ".checkpoint"), 1);
    assert_id(raft_log_latest_snapshot(l), 6, 1);
    assert_id(raft_log_earliest_snapshot(l), 6, 1);
    ck_assert_int_eq(raft_log_snapshot_partial_size(l), -1);
    assert_id(raft_log_snapshot_partial_id(l), -1, -1);
    /* The log itself is untouched, and the same id cannot be written twice. */
    ck_assert_int_eq(raft_log_start_offset(l), 0);
    ck_assert_int_eq(raft_log_end_offset(l), 6);
    ck_assert_int_eq(raft_log_snapshot_begin(l, snap(6, 1)), -ENV_EINVAL);
    ck_assert(raft_log_check(l));
}
END_TEST

START_TEST(snapshot_read_back_by_position_in_128_byte_chunks_and_out_of_range_is_einval)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    for (int i = 0; i < 3; i++) {
        append(0, 1, 2, false);
    }
    struct raft_log *l = log_of(0);
    uint8_t content[SNAPSHOT_BYTES];
    fill_content(content, sizeof content, 2);
    write_and_freeze(0, snap(6, 1), content, sizeof content, false);
    run_for(1 * MS);
    ck_assert_int_eq(raft_log_snapshot_size(l, snap(6, 1)), SNAPSHOT_BYTES);
    /* Positions 0, 128, 256: 128, 128 and the last 44 bytes. */
    for (uint64_t at = 0; at < SNAPSHOT_BYTES; at += 128) {
        uint8_t *bytes = NULL;
        int64_t want = SNAPSHOT_BYTES - at < 128 ? (int64_t)(SNAPSHOT_BYTES - at) : 128;
        ck_assert_int_eq(raft_log_snapshot_read(l, snap(6, 1), at, 128, &bytes), want);
        ck_assert(memcmp(bytes, content + at, (size_t)want) == 0);
        free(bytes);
    }
    /* POSITION_OUT_OF_RANGE: at or past the size. SNAPSHOT_NOT_FOUND: another id. */
    uint8_t *bytes = NULL;
    ck_assert_int_eq(raft_log_snapshot_read(l, snap(6, 1), SNAPSHOT_BYTES, 128, &bytes),
                     -ENV_EINVAL);
    ck_assert_ptr_null(bytes);
    ck_assert_int_eq(raft_log_snapshot_read(l, snap(6, 1), 5000, 128, &bytes), -ENV_EINVAL);
    ck_assert_int_eq(raft_log_snapshot_read(l, snap(6, 2), 0, 128, &bytes), -ENV_ENOENT);
    ck_assert_int_eq(raft_log_snapshot_size(l, snap(6, 2)), -ENV_ENOENT);
    ck_assert_int_eq(raft_log_snapshot_read(l, snap(6, 1), 299, 0, &bytes), 0);
    ck_assert_ptr_null(bytes);
    ck_assert(raft_log_check(l));
}
END_TEST

START_TEST(delete_before_snapshot_12_of_segments_0_4_8_12_16_removes_0_4_8_and_moves_the_start)
{
    /* Segments 0, 4, 8, 12, 16 of two batches each; epochs 1 (0-7), 2 (8-15), 3 (16-19). */
    boot(1, 240, false);
    fill_ten_batches_in_five_segments();
    struct raft_log *l = log_of(0);
    uint8_t content[SNAPSHOT_BYTES];
    fill_content(content, sizeof content, 3);
    /* An older snapshot at 4, then the latest at 12 (record 11 has epoch 2). */
    write_and_freeze(0, snap(4, 1), content, 100, false);
    run_for(1 * MS);
    write_and_freeze(0, snap(12, 2), content, sizeof content, false);
    run_for(1 * MS);
    assert_id(raft_log_earliest_snapshot(l), 4, 1);
    assert_id(raft_log_latest_snapshot(l), 12, 2);
    ck_assert_int_eq(raft_log_flushed_offset(l), 0); /* no log flush was asked for */
    /* Segments 0, 4 and 8 lie wholly below 12; 12 and the active 16 stay. */
    ck_assert_int_eq(raft_log_delete_before_snapshot(l), 12);
    ck_assert(raft_log_check(l));
    ck_assert_int_eq(raft_log_start_offset(l), 12);
    ck_assert_int_eq(raft_log_end_offset(l), 20);
    ck_assert_int_eq(raft_log_flushed_offset(l), 12); /* durable in the snapshot */
    ck_assert_uint_eq(l->segment_count, 2);
    ck_assert_int_eq(seg_size(0, 0), -ENV_ENOENT);
    ck_assert_int_eq(seg_size(0, 4), -ENV_ENOENT);
    ck_assert_int_eq(seg_size(0, 8), -ENV_ENOENT);
    ck_assert_int_eq(seg_size(0, 12), l->batches[0].size + l->batches[1].size);
    ck_assert_uint_eq(l->batch_count, 4);
    ck_assert_int_eq(l->batches[0].base_offset, 12);
    /* The older snapshot went (via .checkpoint.deleted, which is gone too). */
    ck_assert_int_eq(snap_size(0, snap(4, 1)), -ENV_ENOENT);
    ck_assert_int_eq(files_ending(0, ".checkpoint.deleted"), 0);
    ck_assert_int_eq(files_ending(0, ".checkpoint"), 1);
    assert_id(raft_log_earliest_snapshot(l), 12, 2);
    /* Nothing below the start can be read; the start can. */
    uint8_t *bytes = NULL;
    ck_assert_int_eq(raft_log_read(l, 11, UINT32_MAX, &bytes), -ENV_EINVAL);
    ck_assert_int_gt(raft_log_read(l, 12, 1, &bytes), 0);
    ck_assert_int_eq(bytes[7], 12);
    free(bytes);
    /* Again: nothing more to do. A snapshot below the start cannot be begun. */
    ck_assert_int_eq(raft_log_delete_before_snapshot(l), 12);
    ck_assert_int_eq(raft_log_snapshot_begin(l, snap(10, 2)), -ENV_EINVAL);
    ck_assert_ptr_nonnull(strstr(l->last_error, "less than the log start offset"));
    /* The recovery after a restart finds the same start (12 is a segment base) and snapshot. */
    crash_and_restart(0);
    l = log_of(0);
    ck_assert_int_eq(raft_log_start_offset(l), 12);
    ck_assert_int_eq(raft_log_end_offset(l), 20);
    assert_id(raft_log_latest_snapshot(l), 12, 2);
    assert_id(raft_log_earliest_snapshot(l), 12, 2);
    ck_assert_uint_eq(l->epoch_count, 2);
}
END_TEST

START_TEST(after_delete_before_snapshot_12_end_offset_for_epoch_and_validation_follow_kafka)
{
    boot(1, 240, false);
    fill_ten_batches_in_five_segments();
    struct raft_log *l = log_of(0);
    uint8_t content[SNAPSHOT_BYTES];
    fill_content(content, sizeof content, 4);
    write_and_freeze(0, snap(12, 2), content, sizeof content, false);
    run_for(1 * MS);
    ck_assert_int_eq(raft_log_delete_before_snapshot(l), 12);
    /* truncateFromStart(12): (1, 0) and (2, 8) collapse into (2, 12); (3, 16) stays. */
    ck_assert_uint_eq(l->epoch_count, 2);
    ck_assert_int_eq(l->epochs[0].epoch, 2);
    ck_assert_int_eq(l->epochs[0].start_offset, 12);
    /* Below every cached epoch the cache answers (asked, 12): 12 is the earliest snapshot's
     * end, so KafkaRaftLog answers with that snapshot's id. */
    assert_epoch_for(l, 0, 2, 12);
    assert_epoch_for(l, 1, 2, 12);
    assert_epoch_for(l, 2, 2, 16);
    assert_epoch_for(l, 3, 3, 20);
    assert_epoch_for(l, 4, 3, 20);
    /* validateOffsetAndEpoch for Fetch requests. */
    struct raft_log_valid v = raft_log_validate_offset_and_epoch(l, 10, 2);
    ck_assert_int_eq(v.kind, RAFT_LOG_SNAPSHOT); /* below the log start */
    assert_id(v.id, 12, 2);
    v = raft_log_validate_offset_and_epoch(l, 12, 1);
    ck_assert_int_eq(v.kind, RAFT_LOG_SNAPSHOT); /* at it, with another epoch */
    v = raft_log_validate_offset_and_epoch(l, 14, 1);
    ck_assert_int_eq(v.kind, RAFT_LOG_SNAPSHOT); /* an epoch below the earliest snapshot's */
    v = raft_log_validate_offset_and_epoch(l, 12, 2);
    ck_assert_int_eq(v.kind, RAFT_LOG_VALID);
    v = raft_log_validate_offset_and_epoch(l, 18, 2);
    ck_assert_int_eq(v.kind, RAFT_LOG_DIVERGING); /* epoch 2 ends at 16 */
    assert_id(v.id, 16, 2);
    v = raft_log_validate_offset_and_epoch(l, 20, 3);
    ck_assert_int_eq(v.kind, RAFT_LOG_VALID);
    assert_id(v.id, 20, 3);
    v = raft_log_validate_offset_and_epoch(l, 0, 0);
    ck_assert_int_eq(v.kind, RAFT_LOG_SNAPSHOT); /* offset 0 is valid only at log start 0 */
}
END_TEST

START_TEST(delete_before_snapshot_10_inside_segment_8_keeps_it_and_reopen_starts_at_its_base)
{
    boot(1, 240, false);
    fill_ten_batches_in_five_segments();
    struct raft_log *l = log_of(0);
    uint8_t content[SNAPSHOT_BYTES];
    fill_content(content, sizeof content, 5);
    write_and_freeze(0, snap(10, 2), content, sizeof content, false);
    run_for(1 * MS);
    /* Segment 8 holds [8, 9] and [10, 11]: it straddles 10 and stays, [8, 9] indexed in it. */
    ck_assert_int_eq(raft_log_delete_before_snapshot(l), 10);
    ck_assert(raft_log_check(l));
    ck_assert_uint_eq(l->segment_count, 3);
    ck_assert_int_eq(l->segments[0].base_offset, 8);
    ck_assert_int_eq(l->batches[0].base_offset, 8);
    ck_assert_int_eq(seg_size(0, 4), -ENV_ENOENT);
    ck_assert_int_eq(l->epochs[0].start_offset, 10);
    uint8_t *bytes = NULL;
    ck_assert_int_eq(raft_log_read(l, 9, UINT32_MAX, &bytes), -ENV_EINVAL);
    ck_assert_int_eq(raft_log_read(l, 10, 1, &bytes), l->batches[1].size);
    free(bytes);
    assert_epoch_for(l, 1, 2, 10); /* the snapshot's id, as the first cached start is 10 */
    /* KafkaRaftLog keeps no log start checkpoint: after a restart the log starts at the first
     * segment's base offset again, and the snapshot at 10 (>= 8) stays. */
    crash_and_restart(0);
    l = log_of(0);
    ck_assert_int_eq(raft_log_start_offset(l), 8);
    assert_id(raft_log_latest_snapshot(l), 10, 2);
    assert_epoch_for(l, 1, 1, 8); /* (asked, 8): 8 is no snapshot's end */
    /* The next delete moves it to 10 again. */
    ck_assert_int_eq(raft_log_delete_before_snapshot(l), 10);
    ck_assert(raft_log_check(l));
}
END_TEST

START_TEST(delete_before_a_snapshot_at_the_end_keeps_only_the_active_segment_and_no_epochs)
{
    boot(1, 240, false);
    fill_ten_batches_in_five_segments();
    struct raft_log *l = log_of(0);
    uint8_t content[SNAPSHOT_BYTES];
    fill_content(content, sizeof content, 6);
    write_and_freeze(0, snap(20, 3), content, sizeof content, false);
    run_for(1 * MS);
    ck_assert_int_eq(raft_log_delete_before_snapshot(l), 20);
    ck_assert(raft_log_check(l));
    /* Segment 16 is the active one: never deleted, though wholly below the start. */
    ck_assert_uint_eq(l->segment_count, 1);
    ck_assert_int_eq(l->segments[0].base_offset, 16);
    ck_assert_int_eq(raft_log_end_offset(l), 20);
    ck_assert_int_eq(raft_log_flushed_offset(l), 20);
    ck_assert_uint_eq(l->epoch_count, 0);
    ck_assert_int_eq(raft_log_last_epoch(l), 3); /* the snapshot's (lastFetchedEpoch) */
    assert_epoch_for(l, 1, 3, 20);
    assert_epoch_for(l, 3, 3, 20);
    assert_epoch_for(l, 7, 3, 20);
    uint8_t *bytes = NULL;
    ck_assert_int_eq(raft_log_read(l, 20, UINT32_MAX, &bytes), 0);
    /* A new leader of epoch 4 appends at 20. */
    ck_assert_int_eq(append(0, 4, 2, true), 20);
    ck_assert_uint_eq(l->epoch_count, 1);
    assert_epoch_for(l, 3, 3, 20); /* (3, 20) from the cache is the snapshot's id anyway */
    assert_epoch_for(l, 4, 4, 22);
    /* Reopened, the log starts at segment 16 and the cache covers it again. */
    crash_and_restart(0);
    l = log_of(0);
    ck_assert_int_eq(raft_log_start_offset(l), 16);
    ck_assert_int_eq(raft_log_end_offset(l), 22);
    ck_assert_uint_eq(l->epoch_count, 2);
    assert_id(raft_log_latest_snapshot(l), 20, 3);
}
END_TEST

/* A leader (node 0) with ten batches in five segments, its snapshot (16, 2) frozen and the log
 * deleted before it; a follower (node 1) far behind at end offset 4, epoch 1. */
static void leader_with_snapshot_16_and_follower_at_4(void)
{
    fill_ten_batches_in_five_segments();
    append(1, 1, 2, false);
    append(1, 1, 2, false);
    uint8_t content[SNAPSHOT_BYTES];
    fill_content(content, sizeof content, 7);
    write_and_freeze(0, snap(16, 2), content, sizeof content, false);
    run_for(1 * MS);
    ck_assert_int_eq(raft_log_delete_before_snapshot(log_of(0)), 16);
}

START_TEST(follower_install_replaces_its_log_at_16_then_appends_the_leader_batches_from_there)
{
    boot(2, 240, false);
    leader_with_snapshot_16_and_follower_at_4();
    struct raft_log *leader = log_of(0);
    struct raft_log *follower = log_of(1);
    /* The follower's Fetch (4, epoch 1) is below the leader's log start: fetch the snapshot. */
    struct raft_log_valid v = raft_log_validate_offset_and_epoch(leader, 4, 1);
    ck_assert_int_eq(v.kind, RAFT_LOG_SNAPSHOT);
    assert_id(v.id, 16, 2);
    download(0, 1, v.id, 128);
    ck_assert_int_eq(raft_log_snapshot_partial_size(follower), SNAPSHOT_BYTES);
    time_ns t0 = world_now(w);
    ck_assert_int_eq(raft_log_snapshot_freeze(follower, true), 0);
    /* Until the snapshot is durable the log is what it was. */
    world_run_until(w, t0 + 1 * MS - 1);
    ck_assert(raft_log_snapshot_pending(follower));
    ck_assert_int_eq(raft_log_end_offset(follower), 4);
    ck_assert_int_eq(seg_size(1, 0), follower->batches[0].size + follower->batches[1].size);
    ck_assert(raft_log_check(follower));
    /* Durable: frozen, and the whole log replaced by an empty segment at 16. */
    world_run_until(w, t0 + 1 * MS);
    ck_assert(!raft_log_snapshot_pending(follower));
    ck_assert(raft_log_check(follower));
    assert_id(raft_log_latest_snapshot(follower), 16, 2);
    ck_assert_int_eq(raft_log_start_offset(follower), 16);
    ck_assert_int_eq(raft_log_end_offset(follower), 16);
    ck_assert_int_eq(raft_log_flushed_offset(follower), 16);
    ck_assert_int_eq(raft_log_last_epoch(follower), 2);
    ck_assert_uint_eq(follower->epoch_count, 0);
    ck_assert_uint_eq(follower->segment_count, 1);
    ck_assert_int_eq(seg_size(1, 0), -ENV_ENOENT);
    ck_assert_int_eq(seg_size(1, 16), 0);
    assert_epoch_for(follower, 2, 2, 16);
    assert_epoch_for(follower, 1, 2, 16);
    /* Both hold the same snapshot bytes. */
    uint8_t *mine = NULL;
    uint8_t *theirs = NULL;
    ck_assert_int_eq(raft_log_snapshot_read(follower, v.id, 0, UINT32_MAX, &mine),
                     SNAPSHOT_BYTES);
    ck_assert_int_eq(raft_log_snapshot_read(leader, v.id, 0, UINT32_MAX, &theirs),
                     SNAPSHOT_BYTES);
    ck_assert(memcmp(mine, theirs, SNAPSHOT_BYTES) == 0);
    free(mine);
    free(theirs);
    /* Its next Fetch (16, epoch 2) is valid on the leader; the batches from 16 append. */
    ck_assert_int_eq(raft_log_validate_offset_and_epoch(leader, 16, 2).kind, RAFT_LOG_VALID);
    uint8_t *bytes = NULL;
    int64_t n = raft_log_read(leader, 16, UINT32_MAX, &bytes);
    ck_assert_int_eq(raft_log_append_follower(follower, bytes, (size_t)n), 2);
    free(bytes);
    ck_assert_int_eq(raft_log_end_offset(follower), 20);
    ck_assert_int_eq(raft_log_last_epoch(follower), 3);
    ck_assert(raft_log_check(follower));
    /* A restart finds the same log start and snapshot. */
    crash_and_restart(1);
    follower = log_of(1);
    ck_assert_int_eq(raft_log_start_offset(follower), 16);
    ck_assert_int_eq(raft_log_end_offset(follower), 20);
    assert_id(raft_log_latest_snapshot(follower), 16, 2);
}
END_TEST

START_TEST(crash_mid_download_leaves_no_part_file_and_no_deleted_file_after_reopen)
{
    boot(2, 240, false);
    leader_with_snapshot_16_and_follower_at_4();
    struct raft_log *follower = log_of(1);
    /* Half the snapshot arrives, then the follower crashes; a `.deleted` lies about too. */
    ck_assert_int_eq(raft_log_snapshot_begin(follower, snap(16, 2)), 0);
    uint8_t *bytes = NULL;
    int64_t n = raft_log_snapshot_read(log_of(0), snap(16, 2), 0, 150, &bytes);
    ck_assert_int_eq(raft_log_snapshot_write(follower, 0, bytes, (size_t)n), 0);
    free(bytes);
    ck_assert_int_eq(disk_write(disk_of(1), PART "00000000000000000002-0000000001"
                                ".checkpoint.deleted", 0, "x", 1), ENV_OK);
    ck_assert_int_eq(files_ending(1, ".checkpoint.part"), 1);
    crash_and_restart(1);
    follower = log_of(1);
    ck_assert_int_eq(files_ending(1, ".checkpoint.part"), 0);
    ck_assert_int_eq(files_ending(1, ".checkpoint.deleted"), 0);
    ck_assert_int_eq(files_ending(1, ".checkpoint"), 0);
    ck_assert_int_eq(notes.count, 2); /* "raft-log recover removed=..." for each */
    ck_assert_ptr_nonnull(strstr(notes.text[0], ".checkpoint.deleted"));
    ck_assert_ptr_nonnull(strstr(notes.text[1], ".checkpoint.part"));
    ck_assert_int_eq(raft_log_snapshot_partial_size(follower), -1);
    assert_id(raft_log_latest_snapshot(follower), -1, -1);
    ck_assert_int_eq(raft_log_end_offset(follower), 4);
    /* The download starts over. */
    download(0, 1, snap(16, 2), 128);
    ck_assert_int_eq(raft_log_snapshot_freeze(follower, true), 0);
    run_for(1 * MS);
    ck_assert_int_eq(raft_log_end_offset(follower), 16);
}
END_TEST

START_TEST(power_failure_before_the_freeze_is_durable_loses_the_snapshot_and_after_keeps_it)
{
    boot(1, SEGMENT_BYTES_BIG, true);
    for (int i = 0; i < 3; i++) {
        append(0, 1, 2, false);
    }
    raft_log_flush(log_of(0));
    run_for(1 * MS);
    uint8_t content[SNAPSHOT_BYTES];
    fill_content(content, sizeof content, 8);
    /* The power fails half way through the freeze's fsync. */
    write_and_freeze(0, snap(6, 1), content, sizeof content, false);
    run_for(500 * US);
    host_power_fail(world_host(w, 0));
    ck_assert(host_start(world_host(w, 0)));
    struct raft_log *l = log_of(0);
    assert_id(raft_log_latest_snapshot(l), -1, -1);
    ck_assert_int_eq(files_ending(0, ".checkpoint"), 0);
    ck_assert_int_eq(files_ending(0, ".checkpoint.part"), 0);
    ck_assert_int_eq(raft_log_end_offset(l), 6);
    /* Again, and the power fails only after the freeze is durable. */
    write_and_freeze(0, snap(6, 1), content, sizeof content, false);
    run_for(1 * MS);
    ck_assert(!raft_log_snapshot_pending(l));
    host_power_fail(world_host(w, 0));
    ck_assert(host_start(world_host(w, 0)));
    l = log_of(0);
    assert_id(raft_log_latest_snapshot(l), 6, 1);
    uint8_t *bytes = NULL;
    ck_assert_int_eq(raft_log_snapshot_read(l, snap(6, 1), 0, UINT32_MAX, &bytes),
                     SNAPSHOT_BYTES);
    ck_assert(memcmp(bytes, content, SNAPSHOT_BYTES) == 0);
    free(bytes);
}
END_TEST

START_TEST(power_failure_during_an_install_keeps_the_old_log_and_after_it_reopens_at_16)
{
    boot(2, 240, true);
    leader_with_snapshot_16_and_follower_at_4();
    struct raft_log *follower = log_of(1);
    raft_log_flush(follower);
    run_for(1 * MS);
    ck_assert_int_eq(raft_log_flushed_offset(follower), 4);
    /* Power fails while the install's freeze is in flight: the old log, no snapshot. */
    download(0, 1, snap(16, 2), 200);
    ck_assert_int_eq(raft_log_snapshot_freeze(follower, true), 0);
    run_for(500 * US);
    host_power_fail(world_host(w, 1));
    ck_assert(host_start(world_host(w, 1)));
    follower = log_of(1);
    ck_assert_int_eq(raft_log_start_offset(follower), 0);
    ck_assert_int_eq(raft_log_end_offset(follower), 4);
    assert_id(raft_log_latest_snapshot(follower), -1, -1);
    /* Again; the power fails after the install: the log reopens empty at 16. */
    download(0, 1, snap(16, 2), 200);
    ck_assert_int_eq(raft_log_snapshot_freeze(follower, true), 0);
    run_for(1 * MS);
    ck_assert_int_eq(raft_log_end_offset(follower), 16);
    host_power_fail(world_host(w, 1));
    ck_assert(host_start(world_host(w, 1)));
    follower = log_of(1);
    ck_assert_int_eq(raft_log_start_offset(follower), 16);
    ck_assert_int_eq(raft_log_end_offset(follower), 16);
    ck_assert_int_eq(raft_log_flushed_offset(follower), 16);
    ck_assert_int_eq(raft_log_last_epoch(follower), 2);
    assert_id(raft_log_latest_snapshot(follower), 16, 2);
    ck_assert_int_eq(seg_size(1, 16), 0);
}
END_TEST

START_TEST(follower_crashed_after_a_download_froze_but_before_truncation_reopens_at_16)
{
    /* KafkaRaftLog.createLog's truncateToLatestSnapshot: the latest snapshot (16, 2) is ahead
     * of the log (epoch 2 > 1), which a crash between freeze and truncation leaves behind. */
    boot(2, 240, false);
    leader_with_snapshot_16_and_follower_at_4();
    struct raft_log *follower = log_of(1);
    download(0, 1, snap(16, 2), 128);
    ck_assert_int_eq(raft_log_snapshot_freeze(follower, false), 0);
    run_for(1 * MS);
    assert_id(raft_log_latest_snapshot(follower), 16, 2);
    ck_assert_int_eq(raft_log_end_offset(follower), 4);
    ck_assert(raft_log_check(follower));
    crash_and_restart(1);
    follower = log_of(1);
    ck_assert_int_eq(raft_log_start_offset(follower), 16);
    ck_assert_int_eq(raft_log_end_offset(follower), 16);
    ck_assert_int_eq(raft_log_flushed_offset(follower), 16);
    ck_assert_int_eq(seg_size(1, 0), -ENV_ENOENT);
    ck_assert_int_eq(seg_size(1, 16), 0);
    ck_assert_uint_eq(follower->epoch_count, 0);
    ck_assert_int_eq(raft_log_last_epoch(follower), 2);
    assert_id(raft_log_latest_snapshot(follower), 16, 2);
}
END_TEST

START_TEST(open_refuses_a_log_start_above_0_without_a_snapshot_at_or_past_it)
{
    /* KafkaRaftLog.recoverSnapshots: "Inconsistent snapshot state". Segments 0-8 went for the
     * snapshot at 12; if that snapshot then vanished, nothing covers offsets 0-11. */
    boot(1, 240, false);
    fill_ten_batches_in_five_segments();
    uint8_t content[SNAPSHOT_BYTES];
    fill_content(content, sizeof content, 11);
    write_and_freeze(0, snap(12, 2), content, sizeof content, false);
    run_for(1 * MS);
    ck_assert_int_eq(raft_log_delete_before_snapshot(log_of(0)), 12);
    host_crash(world_host(w, 0));
    ck_assert_int_eq(disk_remove(disk_of(0), PART "00000000000000000012-0000000002.checkpoint"),
                     ENV_OK);
    ck_assert(host_start(world_host(w, 0)));
    ck_assert_int_eq(nodes[0].open_rc, -ENV_EIO);
    ck_assert_ptr_nonnull(strstr(nodes[0].log.last_error, "Inconsistent snapshot state"));
    ck_assert_int_gt(seg_size(0, 12), 0); /* refusing to open removes nothing */
    ck_assert_int_gt(seg_size(0, 16), 0);
}
END_TEST

START_TEST(install_refused_when_the_snapshot_is_not_ahead_and_abort_drops_only_an_unfrozen_part)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    const int32_t epochs[] = {1, 1, 3, 3, 5};
    for (int i = 0; i < 5; i++) {
        append(0, epochs[i], 2, false);
    }
    struct raft_log *l = log_of(0);
    uint8_t content[SNAPSHOT_BYTES];
    fill_content(content, sizeof content, 9);
    /* (4, 1) is behind a log at epoch 5: installing it would not truncate; Kafka throws. */
    ck_assert_int_eq(raft_log_snapshot_begin(l, snap(4, 1)), 0);
    ck_assert_int_eq(raft_log_snapshot_write(l, 0, content, 100), 0);
    ck_assert_int_eq(raft_log_snapshot_freeze(l, true), -ENV_EINVAL);
    ck_assert_ptr_nonnull(strstr(l->last_error, "Full log truncation expected"));
    ck_assert(!raft_log_snapshot_pending(l));
    ck_assert_int_eq(raft_log_snapshot_partial_size(l), 100);
    ck_assert(raft_log_check(l));
    /* Abort drops the .part. */
    raft_log_snapshot_abort(l);
    ck_assert_int_eq(files_ending(0, ".checkpoint.part"), 0);
    ck_assert_int_eq(raft_log_snapshot_partial_size(l), -1);
    ck_assert(raft_log_check(l));
    raft_log_snapshot_abort(l); /* nothing to drop */
    /* A freeze in flight is not aborted: it completes as issued. */
    write_and_freeze(0, snap(4, 1), content, sizeof content, false);
    raft_log_snapshot_abort(l);
    ck_assert(raft_log_snapshot_pending(l));
    run_for(1 * MS);
    assert_id(raft_log_latest_snapshot(l), 4, 1);
    ck_assert_int_eq(raft_log_end_offset(l), 10);
    ck_assert(raft_log_check(l));
}
END_TEST

START_TEST(freeze_of_a_vanished_part_fails_keeps_the_partial_and_a_second_freeze_succeeds)
{
    boot(1, SEGMENT_BYTES_BIG, false);
    append(0, 1, 2, false);
    struct raft_log *l = log_of(0);
    uint8_t content[SNAPSHOT_BYTES];
    fill_content(content, sizeof content, 10);
    ck_assert_int_eq(raft_log_snapshot_begin(l, snap(2, 1)), 0);
    ck_assert_int_eq(raft_log_snapshot_write(l, 0, content, sizeof content), 0);
    /* The .part vanishes behind the log's back: its fsync fails with ENOENT. */
    char part[RAFT_LOG_SNAPSHOT_NAME_MAX];
    snprintf(part, sizeof part, "%s", l->partial.name);
    ck_assert_int_eq(disk_remove(disk_of(0), part), ENV_OK);
    ck_assert_int_eq(raft_log_snapshot_freeze(l, false), 0);
    run_for(1 * MS);
    ck_assert(!raft_log_snapshot_pending(l));
    ck_assert_int_eq(l->last_error_code, -ENV_ENOENT);
    ck_assert_ptr_nonnull(strstr(l->last_error, "fsync of snapshot"));
    assert_id(raft_log_latest_snapshot(l), -1, -1);
    ck_assert_int_eq(raft_log_snapshot_partial_size(l), SNAPSHOT_BYTES);
    ck_assert(raft_log_check(l));
    /* Put it back and freeze again. */
    ck_assert_int_eq(disk_write(disk_of(0), part, 0, content, sizeof content), ENV_OK);
    ck_assert_int_eq(raft_log_snapshot_freeze(l, false), 0);
    run_for(1 * MS);
    assert_id(raft_log_latest_snapshot(l), 2, 1);
    ck_assert_int_eq(snap_size(0, snap(2, 1)), SNAPSHOT_BYTES);
    ck_assert(raft_log_check(l));
}
END_TEST

/* ---- the suite ---------------------------------------------------------------------------- */

static TCase *snapshot_cases(void)
{
    TCase *tc = tcase_create("snapshots");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc,
        snapshot_written_in_two_chunks_becomes_its_checkpoint_exactly_when_fsynced_1ms_later);
    tcase_add_test(tc,
        snapshot_read_back_by_position_in_128_byte_chunks_and_out_of_range_is_einval);
    tcase_add_test(tc,
        delete_before_snapshot_12_of_segments_0_4_8_12_16_removes_0_4_8_and_moves_the_start);
    tcase_add_test(tc,
        after_delete_before_snapshot_12_end_offset_for_epoch_and_validation_follow_kafka);
    tcase_add_test(tc,
        delete_before_snapshot_10_inside_segment_8_keeps_it_and_reopen_starts_at_its_base);
    tcase_add_test(tc,
        delete_before_a_snapshot_at_the_end_keeps_only_the_active_segment_and_no_epochs);
    tcase_add_test(tc,
        follower_install_replaces_its_log_at_16_then_appends_the_leader_batches_from_there);
    tcase_add_test(tc, crash_mid_download_leaves_no_part_file_and_no_deleted_file_after_reopen);
    tcase_add_test(tc,
        power_failure_before_the_freeze_is_durable_loses_the_snapshot_and_after_keeps_it);
    tcase_add_test(tc,
        power_failure_during_an_install_keeps_the_old_log_and_after_it_reopens_at_16);
    tcase_add_test(tc,
        follower_crashed_after_a_download_froze_but_before_truncation_reopens_at_16);
    tcase_add_test(tc,
        install_refused_when_the_snapshot_is_not_ahead_and_abort_drops_only_an_unfrozen_part);
    tcase_add_test(tc,
        freeze_of_a_vanished_part_fails_keeps_the_partial_and_a_second_freeze_succeeds);
    tcase_add_test(tc, open_refuses_a_log_start_above_0_without_a_snapshot_at_or_past_it);
    return tc;
}

int main(void)
{
    Suite *s = suite_create("raft_log");
    TCase *tc = tcase_create("appends and reads");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, leader_appends_control_and_data_batches_and_reads_them_back_decoded);
    tcase_add_test(tc, end_offset_for_epoch_over_batches_of_epochs_1_1_3_3_5);
    tcase_add_test(tc, truncation_offset_on_a_diverging_epoch_follows_our_own_end_for_that_epoch);
    tcase_add_test(tc, read_with_max_bytes_below_one_batch_returns_exactly_one_batch);
    suite_add_tcase(s, tc);
    tc = tcase_create("follower appends");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, follower_appends_leader_bytes_and_holds_a_byte_identical_segment);
    tcase_add_test(tc, follower_rejects_a_gap_in_base_offsets_and_keeps_the_batches_before_it);
    tcase_add_test(tc,
        follower_rejects_a_flipped_byte_with_a_crc_error_and_keeps_the_batches_before_it);
    tcase_add_test(tc,
        follower_rejects_an_epoch_going_backwards_and_keeps_the_batches_before_it);
    tcase_add_test(tc, follower_at_epoch_3_skips_a_late_epoch_4_batch_without_error);
    tcase_add_test(tc, read_corruption_on_the_leader_never_lands_in_the_follower_log);
    suite_add_tcase(s, tc);
    tc = tcase_create("truncation");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, truncate_inside_a_batch_drops_it_whole_and_the_epoch_cache_follows);
    tcase_add_test(tc, truncate_into_an_earlier_segment_removes_the_later_segment_files);
    suite_add_tcase(s, tc);
    tc = tcase_create("flushing");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, flushed_offset_advances_exactly_when_the_fsync_completes_1ms_later);
    tcase_add_test(tc, flush_in_flight_across_a_truncate_does_not_vouch_for_reappended_bytes);
    tcase_add_test(tc, failed_fsync_keeps_the_flushed_offset_and_the_next_flush_retries);
    suite_add_tcase(s, tc);
    tc = tcase_create("crash, power failure, recovery");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, crash_then_reopen_keeps_unflushed_batches_from_the_page_cache);
    tcase_add_test(tc, power_failure_loses_unflushed_batches_exactly_down_to_the_flushed_offset);
    tcase_add_test(tc, torn_tail_cut_inside_the_last_batch_is_truncated_at_open);
    tcase_add_test(tc, garbled_last_batch_fails_its_crc_and_is_truncated_at_open);
    tcase_add_test(tc,
        corrupt_batch_in_a_middle_segment_drops_it_and_every_later_segment_at_open);
    tcase_add_test(tc, open_recovers_every_segment_even_long_after_all_were_flushed);
    tcase_add_test(tc, open_keeps_a_batch_whose_crc_holds_though_its_records_do_not_parse);
    tcase_add_test(tc, power_failure_after_a_roll_drops_the_orphaned_later_segment);
    tcase_add_test(tc,
        open_with_foreign_files_and_the_bootstrap_snapshot_is_an_empty_log_keeping_them);
    tcase_add_test(tc, open_recovers_every_batch_despite_read_corruption_on_one_read_in_five);
    suite_add_tcase(s, tc);
    tc = tcase_create("segments and a full disk");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, small_segment_bytes_rolls_20_digit_named_segments_and_open_reads_them_all);
    tcase_add_test(tc, batch_larger_than_segment_bytes_gets_a_segment_of_its_own);
    tcase_add_test(tc, a_batch_segment_ms_newer_than_the_first_rolls_even_after_a_restart);
    tcase_add_test(tc, full_disk_fails_appends_with_enospc_and_leaves_the_log_unchanged);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, snapshot_cases());
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
