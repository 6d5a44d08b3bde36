/* test_replica.c — the replica state machine (broker/replica/partition.h) on simulated hosts:
 * each host runs a process owning foo-0's partition log and its replica; the test plays the
 * controller and the network (it carries each Fetch to the leader and the answer back), and
 * crashes and power-fails hosts. Acks 0/1/all, min.insync.replicas, the high watermark, ISR
 * shrink and expand, fetch errors, DivergingEpoch and the pre-KIP-101/KIP-320 switches. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/partition_log.h"
#include "protocol/header.h"
#include "protocol/record_batch.h"
#include "replica/partition.h"
#include "replica/producer_ids.h"
#include "world/host.h"
#include "world/world.h"

#define MS NS_PER_MS
#define S NS_PER_S
#define SEED 11
#ifdef KRAFTSIM_SANITIZE
#define SWEEP_SEEDS 40 /* the optimised build runs them all */
#else
#define SWEEP_SEEDS 200
#endif
#define NODES_MAX 3
#define RECORDS_MAX 8
#define REQUEST_TIMEOUT (30 * S) /* the producer's request.timeout.ms: 30000 */
#define FETCH_EVERY (500 * MS)   /* about replica.fetch.wait.max.ms: the leader's long poll */

/* ---- the harness: node i is broker i + 1, with foo-0's log and replica ------------------- */

struct node {
    struct partition_log log;
    struct replica_partition rp;
    struct replica_out out; /* accumulated until a test resets it */
    struct log_config log_config;
    struct replica_config config;
    int64_t hw_checkpoint; /* replication-offset-checkpoint as last written */
    int open_rc;
    bool up;
    bool stalled; /* a follower that sends no Fetch (a stuck fetcher thread) */
};

/* The replica's trace events (kind partition, field event=...), in order. */
#define EVENTS_MAX 64
static char events[EVENTS_MAX][TRACE_DETAIL_MAX];
static int event_count;

static void record_event(void *ctx, const struct trace_event *e)
{
    char what[32];
    if (e->kind == TRACE_PARTITION && event_count < EVENTS_MAX &&
        trace_event_field(e, "event", what, sizeof what)[0] != '\0') {
        snprintf(events[event_count++], TRACE_DETAIL_MAX, "h%d %s", e->host,
                 trace_event_detail(e));
    }
}

/* Whether an event whose text holds `text` was traced. */
static bool traced(const char *text)
{
    for (int i = 0; i < event_count; i++) {
        if (strstr(events[i], text) != NULL) {
            return true;
        }
    }
    return false;
}

static struct world *w;
static uint64_t world_seed = SEED;
static time_ns request_timeout = REQUEST_TIMEOUT;
static struct node nodes[NODES_MAX];
static int node_count;

static void *node_start(const struct env *env, const void *config)
{
    struct node *n = (struct node *)config;
    struct partition_log_open_args a = {
        .log_dir = "data",
        .topic = "foo",
        .partition = 0,
        .id = 1,
        .config = n->log_config,
        .high_watermark = n->hw_checkpoint,
    };
    n->open_rc = partition_log_open(&n->log, env, &a);
    replica_init(&n->rp, &n->config, &n->log);
    replica_out_init(&n->out);
    n->up = true;
    return n;
}

static void node_step(void *proc, const struct env_event *e)
{
    struct node *n = proc;
    ck_assert_int_eq(e->kind, ENV_EVENT_DISK);
    ck_assert(partition_log_on_disk(&n->log, e->u.disk.token, e->u.disk.err));
}

static void node_destroy(void *proc)
{
    struct node *n = proc;
    replica_free(&n->rp);
    replica_out_free(&n->out);
    partition_log_close(&n->log);
    n->up = false;
}

static const struct process_ops node_ops = {
    .name = "replica-test", .start = node_start, .step = node_step, .destroy = node_destroy};

static struct replica_config config_of(int i, int min_insync)
{
    struct replica_config c = replica_config_default(i + 1);
    c.min_insync_replicas = min_insync;
    return c;
}

static void boot(int count, int min_insync)
{
    struct disk_cfg cfg = disk_cfg_default();
    cfg.fsync_latency_min = 1 * MS;
    cfg.fsync_latency_max = 1 * MS;
    cfg.power_loss_keeps_none = true; /* a power failure keeps nothing unflushed */
    w = world_create(world_seed, count, NULL, NULL, &cfg);
    trace_add_sink(&w->trace, (struct trace_sink){.event = record_event, .ctx = NULL});
    node_count = count;
    for (int i = 0; i < count; i++) {
        nodes[i] = (struct node){.log_config = log_config_default(),
                                 .config = config_of(i, min_insync)};
        host_install(world_host(w, i), &node_ops, &nodes[i]);
        ck_assert(host_start(world_host(w, i)));
        ck_assert_int_eq(nodes[i].open_rc, 0);
    }
}

static void teardown(void)
{
    world_destroy(w);
    w = NULL;
    request_timeout = REQUEST_TIMEOUT;
    event_count = 0;
    world_seed = SEED;
}

static struct node *node(int i)
{
    ck_assert_msg(nodes[i].up, "broker %d is down", i + 1);
    ck_assert_msg(replica_check(&nodes[i].rp), "broker %d breaks an invariant", i + 1);
    return &nodes[i];
}

static time_ns now_of(int i) { return host_local_now(world_host(w, i)); }
static int64_t leo_of(int i) { return partition_log_end_offset(&node(i)->log); }
static int64_t hw_of(int i) { return partition_log_high_watermark(&node(i)->log); }

static void restart(int i)
{
    ck_assert(host_start(world_host(w, i)));
    ck_assert_int_eq(nodes[i].open_rc, 0);
}

/* ---- the controller's part ---------------------------------------------------------------- */

static struct replica_registration reg(int32_t leader, int32_t epoch, int32_t partition_epoch,
                                       const int32_t *isr, int isr_count)
{
    struct replica_registration r = {.leader_id = leader, .leader_epoch = epoch,
                                     .partition_epoch = partition_epoch,
                                     .replica_count = node_count, .isr_count = isr_count};
    for (int i = 0; i < node_count; i++) {
        r.replicas[i] = i + 1;
    }
    memcpy(r.isr, isr, (size_t)isr_count * sizeof *isr);
    return r;
}

/* Publishes (leader, epoch, ISR) to every live broker, as the metadata log would. */
static void elect(int32_t leader, int32_t epoch, int32_t partition_epoch, const int32_t *isr,
                  int isr_count)
{
    struct replica_registration r = reg(leader, epoch, partition_epoch, isr, isr_count);
    for (int i = 0; i < node_count; i++) {
        if (!nodes[i].up) {
            continue;
        }
        if (i + 1 == leader) {
            ck_assert(replica_make_leader(&nodes[i].rp, &r, now_of(i), &nodes[i].out));
        } else {
            replica_make_follower(&nodes[i].rp, &r, now_of(i), &nodes[i].out);
        }
        ck_assert(replica_check(&nodes[i].rp));
    }
}

/* The controller accepts the AlterPartition the leader (index i) sent: the next partition
 * epoch, the ISR proposed. Returns the committed ISR size. */
static int accept_alter(int i)
{
    struct node *n = node(i);
    ck_assert_msg(n->out.send_alter, "no AlterPartition was sent");
    const struct replica_alter *a = &n->out.alter;
    struct replica_alter_answer ans = {.id = a->id, .error = KAFKA_NONE,
                                       .leader_id = a->leader_id,
                                       .leader_epoch = a->leader_epoch,
                                       .partition_epoch = a->partition_epoch + 1,
                                       .isr_count = a->isr_count};
    memcpy(ans.isr, a->isr, (size_t)a->isr_count * sizeof *a->isr);
    n->out.send_alter = false;
    replica_on_alter_partition(&n->rp, &ans, now_of(i), &n->out);
    ck_assert(replica_check(&n->rp));
    return n->rp.isr_count;
}

/* ---- the network's part: one round trip between follower i and its leader ----------------- */

static void carry_fetch(int i, int l, const struct replica_next *next)
{
    struct replica_fetch_response resp;
    replica_fetch(&nodes[l].rp, &next->fetch, now_of(l), &nodes[l].out, &resp);
    replica_on_fetch_response(&nodes[i].rp, next->id, &resp, now_of(i));
    replica_fetch_response_free(&resp);
}

/* Returns what follower i sent (REPLICA_SEND_NOTHING if nothing was due or its leader is
 * down: the request then fails as a refused connection, an error that backs off). */
static enum replica_next_kind round_trip(int i)
{
    struct replica_next next;
    enum replica_next_kind kind = replica_next_fetch(&node(i)->rp, now_of(i), &next);
    if (kind == REPLICA_SEND_NOTHING) {
        return kind;
    }
    int l = next.leader_id - 1;
    if (!nodes[l].up) {
        struct replica_fetch_response fail = {.error = KAFKA_NOT_LEADER_OR_FOLLOWER};
        if (kind == REPLICA_SEND_FETCH) {
            replica_on_fetch_response(&nodes[i].rp, next.id, &fail, now_of(i));
        } else if (kind == REPLICA_SEND_OFFSETS_FOR_LEADER_EPOCH) {
            replica_on_offset_for_epoch(&nodes[i].rp, next.id, fail.error, -1, -1, now_of(i));
        } else {
            replica_on_leader_offsets(&nodes[i].rp, next.id, fail.error, -1, -1, now_of(i));
        }
        return REPLICA_SEND_NOTHING;
    }
    if (kind == REPLICA_SEND_FETCH) {
        carry_fetch(i, l, &next);
    } else if (kind == REPLICA_SEND_OFFSETS_FOR_LEADER_EPOCH) {
        int32_t epoch;
        int64_t end;
        int16_t err = replica_offset_for_epoch(&nodes[l].rp, next.current_leader_epoch,
                                               next.epoch, &epoch, &end);
        replica_on_offset_for_epoch(&nodes[i].rp, next.id, err, epoch, end, now_of(i));
    } else {
        struct partition_log *ll = &nodes[l].log;
        replica_on_leader_offsets(&nodes[i].rp, next.id, KAFKA_NONE,
                                  partition_log_start_offset(ll), partition_log_end_offset(ll),
                                  now_of(i));
    }
    ck_assert(replica_check(&nodes[i].rp) && replica_check(&nodes[l].rp));
    return kind;
}

/* Lets the world run for `d`: every FETCH_EVERY each live, unstalled follower fetches once,
 * every leader runs isr-expiration every replica.lag.time.max.ms / 2 of virtual time (the
 * test's scheduler starts at 0, as ReplicaManager's does at startup) and expires produces. */
static void run_for(time_ns d)
{
    time_ns end = world_now(w) + d;
    while (world_now(w) < end) {
        time_ns step = FETCH_EVERY - world_now(w) % FETCH_EVERY;
        world_run_until(w, world_now(w) + step);
        for (int i = 0; i < node_count; i++) {
            struct node *n = &nodes[i];
            if (!n->up) {
                continue;
            }
            replica_tick(&n->rp, now_of(i), &n->out);
            time_ns every = replica_isr_expiration_interval(&n->config);
            if (n->rp.role == REPLICA_LEADER && world_now(w) % every == 0) {
                replica_maybe_shrink_isr(&n->rp, now_of(i), &n->out);
            }
            if (n->rp.role == REPLICA_FOLLOWER && !n->stalled) {
                round_trip(i);
            }
        }
    }
}

/* ---- batches ------------------------------------------------------------------------------ */

/* A producer's batch of `count` records whose values start with `tag`. */
static void encode(struct wire_writer *out, int32_t count, char tag, int32_t value_len)
{
    static char value[2048];
    memset(value, tag, sizeof value);
    struct record_batch_record recs[RECORDS_MAX];
    memset(recs, 0, sizeof recs);
    ck_assert_int_le(count, RECORDS_MAX);
    for (int32_t i = 0; i < count; i++) {
        recs[i].offset_delta = i;
        recs[i].value = (struct wire_bytes){(const uint8_t *)value, value_len};
    }
    struct record_batch b;
    record_batch_init(&b);
    b.last_offset_delta = count - 1;
    b.base_timestamp = 1000;
    b.max_timestamp = 1000;
    b.producer_id = -1;
    b.producer_epoch = -1;
    b.base_sequence = -1;
    b.record_count = count;
    b.records = recs;
    ck_assert_int_eq(record_batch_encode(out, &b), 0);
}

static uint64_t next_ctx = 1;

/* Produces `count` records to broker i; true if it completed at once (result filled). */
static bool produce_sized(int i, int16_t acks, int32_t count, int32_t value_len,
                          struct replica_produce_result *result)
{
    struct wire_writer wr;
    wire_writer_init(&wr);
    encode(&wr, count, 'v', value_len);
    struct node *n = node(i);
    bool done = replica_produce(&n->rp, wr.bytes, wr.len, acks, request_timeout, next_ctx++,
                                now_of(i), &n->out, result);
    wire_writer_free(&wr);
    ck_assert(replica_check(&n->rp));
    return done;
}

static bool produce(int i, int16_t acks, int32_t count, struct replica_produce_result *result)
{
    return produce_sized(i, acks, count, 100, result);
}

/* Produces and expects it acknowledged at once; returns its base offset. */
static int64_t produce_ok(int i, int16_t acks, int32_t count)
{
    struct replica_produce_result r;
    ck_assert(produce(i, acks, count, &r));
    ck_assert_msg(r.error == KAFKA_NONE, "produce: %s", kafka_error_name(r.error));
    return r.base_offset;
}

/* The epoch of the batch holding `offset` on broker i, or -1 if it has none there. */
static int32_t epoch_at(int i, int64_t offset)
{
    const struct partition_log_batch *b = partition_log_batch_at(&node(i)->log, offset);
    return b != NULL ? b->epoch : -1;
}

/* Both logs hold the same batches, byte for byte, from the log start to their end. */
static bool same_log(int a, int b)
{
    struct partition_log *la = &node(a)->log, *lb = &node(b)->log;
    if (partition_log_end_offset(la) != partition_log_end_offset(lb)) {
        return false;
    }
    uint8_t *ba = NULL, *bb = NULL;
    int64_t na = partition_log_read(la, 0, UINT32_MAX, INT64_MAX, true, &ba);
    int64_t nb = partition_log_read(lb, 0, UINT32_MAX, INT64_MAX, true, &bb);
    bool same = na == nb && (na <= 0 || memcmp(ba, bb, (size_t)na) == 0);
    free(ba);
    free(bb);
    return same;
}

static const int32_t ISR_123[] = {1, 2, 3};
static const int32_t ISR_12[] = {1, 2};
static const int32_t ISR_1[] = {1};
static const int32_t ISR_2[] = {2};
static const int32_t ISR_23[] = {2, 3};

/* ---- produce and the high watermark ------------------------------------------------------- */

START_TEST(acks_all_waits_for_every_isr_follower_and_completes_when_the_hw_passes_it)
{
    boot(3, 2);
    elect(1, 1, 1, ISR_123, 3);
    struct replica_produce_result r;
    ck_assert(!produce(0, -1, 3, &r)); /* offsets 0..2: waits */
    ck_assert_int_eq(leo_of(0), 3);
    ck_assert_int_eq(hw_of(0), 0);

    /* Broker 2 fetches twice: the first gets the batch, the second reports LEO 3. Broker 3
     * has not fetched since the election: its LEO is unknown, so the HW stays. */
    ck_assert_int_eq(round_trip(1), REPLICA_SEND_FETCH);
    ck_assert_int_eq(leo_of(1), 3);
    ck_assert_int_eq(round_trip(1), REPLICA_SEND_FETCH);
    ck_assert_int_eq(hw_of(0), 0);
    ck_assert_int_eq(node(0)->out.done_count, 0);
    /* The follower learns a HW one fetch after it moved (the answer carries the HW from
     * before the fetch): broker 2 still has 0. */
    ck_assert_int_eq(hw_of(1), 0);

    ck_assert_int_eq(round_trip(2), REPLICA_SEND_FETCH); /* broker 3 gets the batch */
    ck_assert_int_eq(hw_of(0), 0);
    ck_assert_int_eq(node(0)->out.done_count, 0);
    ck_assert_int_eq(round_trip(2), REPLICA_SEND_FETCH); /* and reports LEO 3: HW 3 */
    ck_assert_int_eq(hw_of(0), 3);
    ck_assert_int_eq(node(0)->out.done_count, 1);
    ck_assert_int_eq(node(0)->out.done[0].error, KAFKA_NONE);
    ck_assert_int_eq(node(0)->out.done[0].base_offset, 0);

    /* acks=1 is answered at the append; acks=0 too (the caller sends no response). */
    ck_assert_int_eq(produce_ok(0, 1, 2), 3);
    ck_assert_int_eq(produce_ok(0, 0, 1), 5);
    ck_assert_int_eq(hw_of(0), 3);
    round_trip(1);
    ck_assert_int_eq(hw_of(1), 3); /* now the follower hears of HW 3 */
}
END_TEST

START_TEST(acks_all_times_out_or_fails_when_leadership_moves)
{
    boot(3, 2);
    elect(1, 1, 1, ISR_123, 3);
    struct replica_produce_result r;
    nodes[1].stalled = nodes[2].stalled = true;
    ck_assert(!produce(0, -1, 1, &r));
    ck_assert_int_eq(replica_next_deadline(&node(0)->rp), now_of(0) + REQUEST_TIMEOUT);
    run_for(29 * S);
    ck_assert_int_eq(node(0)->out.done_count, 0);
    run_for(1 * S);
    ck_assert_int_eq(node(0)->out.done_count, 1);
    ck_assert_int_eq(node(0)->out.done[0].error, KAFKA_REQUEST_TIMED_OUT);
    replica_out_reset(&node(0)->out);

    /* Another waits; then broker 2 is made leader: the old leader fails it at once. */
    ck_assert(!produce(0, -1, 1, &r));
    elect(2, 2, 2, ISR_23, 2);
    ck_assert_int_eq(node(0)->out.done_count, 1);
    ck_assert_int_eq(node(0)->out.done[0].error, KAFKA_NOT_LEADER_OR_FOLLOWER);
    ck_assert_int_eq(node(0)->out.done[0].ctx, r.ctx);
    ck_assert(produce(0, 1, 1, &r));
    ck_assert_int_eq(r.error, KAFKA_NOT_LEADER_OR_FOLLOWER);
}
END_TEST

START_TEST(not_enough_replicas_with_one_of_three_in_sync_and_min_insync_2)
{
    boot(3, 2);
    host_crash(world_host(w, 1));
    host_crash(world_host(w, 2));
    elect(1, 1, 1, ISR_1, 1); /* the controller has fenced the two others out of the ISR */
    struct replica_produce_result r;
    ck_assert(produce(0, -1, 2, &r));
    ck_assert_int_eq(r.error, KAFKA_NOT_ENOUGH_REPLICAS);
    ck_assert_int_eq(r.base_offset, -1);
    ck_assert_int_eq(leo_of(0), 0); /* refused before the append */
    /* acks=1 is written; since KAFKA-15583 (3.7) the HW stays while under min ISR, so no
     * consumer sees it. */
    ck_assert_int_eq(produce_ok(0, 1, 2), 0);
    ck_assert_int_eq(leo_of(0), 2);
    ck_assert_int_eq(hw_of(0), 0);
    /* Before 3.7 the lone leader's HW moves at once. */
    nodes[0].rp.cfg.hw_frozen_below_min_isr = false;
    ck_assert_int_eq(produce_ok(0, 1, 1), 2);
    ck_assert_int_eq(hw_of(0), 3);
    /* Invalid acks. */
    ck_assert(produce(0, 2, 1, &r));
    ck_assert_int_eq(r.error, KAFKA_INVALID_REQUIRED_ACKS);
}
END_TEST

/* An acks=-1 produce waits; broker 3 stalls and is shrunk out, leaving 2 in sync, 3 needed. */
static void shrink_under_a_waiting_produce(bool frozen, struct replica_produce_result *r)
{
    boot(3, 3);
    request_timeout = 60 * S; /* outlasts the 45 s the shrink takes */
    nodes[0].rp.cfg.hw_frozen_below_min_isr = frozen;
    elect(1, 1, 1, ISR_123, 3);
    run_for(1 * S); /* both fetch: ISR members with known LEOs */
    nodes[2].stalled = true;
    ck_assert(!produce(0, -1, 1, r));
    run_for(29 * S);
    ck_assert(!node(0)->out.send_alter);
    run_for(16 * S); /* the check at 45 s finds broker 3 31 s behind */
    ck_assert(node(0)->out.send_alter);
    ck_assert_int_eq(accept_alter(0), 2);
}

START_TEST(not_enough_replicas_after_append_when_the_isr_shrank_below_min_meanwhile)
{
    struct replica_produce_result r;
    shrink_under_a_waiting_produce(false, &r);
    /* Before KAFKA-15583: the HW passes the produce on the smaller ISR, which is under min. */
    ck_assert_int_eq(node(0)->out.done_count, 1);
    ck_assert_int_eq(node(0)->out.done[0].error, KAFKA_NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    ck_assert_int_eq(node(0)->out.done[0].base_offset, 0);
    ck_assert_int_eq(hw_of(0), 1);
}
END_TEST

START_TEST(with_the_hw_frozen_below_min_isr_the_same_produce_times_out_instead)
{
    struct replica_produce_result r;
    shrink_under_a_waiting_produce(true, &r);
    ck_assert_int_eq(hw_of(0), 0); /* two in sync, three needed: the HW stays */
    ck_assert_int_eq(node(0)->out.done_count, 0);
    run_for(15 * S); /* produced at 1 s with a 60 s timeout */
    ck_assert_int_eq(hw_of(0), 0);
    ck_assert_int_eq(node(0)->out.done_count, 1);
    ck_assert_int_eq(node(0)->out.done[0].error, KAFKA_REQUEST_TIMED_OUT);
}
END_TEST

START_TEST(message_max_bytes_is_message_too_large_and_appends_nothing)
{
    boot(1, 1);
    nodes[0].rp.cfg.min_insync_replicas = 1;
    node(0)->log.config.max_message_bytes = 1000;
    struct replica_registration r = reg(1, 1, 1, ISR_1, 1);
    r.replica_count = 1;
    ck_assert(replica_make_leader(&node(0)->rp, &r, now_of(0), &node(0)->out));
    struct replica_produce_result res;
    ck_assert(produce_sized(0, 1, 1, 2000, &res));
    ck_assert_int_eq(res.error, KAFKA_MESSAGE_TOO_LARGE);
    ck_assert_int_eq(leo_of(0), 0);
    ck_assert(produce_sized(0, -1, 1, 500, &res)); /* RF 1: acks=-1 is done at once */
    ck_assert_int_eq(res.error, KAFKA_NONE);
    ck_assert_int_eq(hw_of(0), 1);
}
END_TEST

/* ---- losing and keeping acknowledged writes ----------------------------------------------- */

START_TEST(acks_1_loses_an_acknowledged_write_when_the_leader_crashes_before_a_fetch)
{
    boot(3, 1);
    elect(1, 1, 1, ISR_123, 3);
    produce_ok(0, 1, 2); /* 0..1 */
    run_for(2 * S);
    ck_assert_int_eq(hw_of(0), 2);
    ck_assert_int_eq(hw_of(1), 2);
    int64_t acked = produce_ok(0, 1, 1); /* offset 2, acknowledged, on broker 1 only */
    ck_assert_int_eq(acked, 2);
    host_crash(world_host(w, 0)); /* before either follower fetched it */

    /* The controller elects broker 2 from the ISR; broker 3 follows it. */
    elect(2, 2, 2, ISR_23, 2);
    ck_assert_int_eq(leo_of(1), 2);
    produce_ok(1, 1, 1); /* offset 2 again, epoch 2 */
    run_for(1 * S);
    ck_assert(same_log(1, 2));

    /* Broker 1 comes back (a crash keeps the page cache: its offset 2 is there, epoch 1) and
     * follows broker 2: DivergingEpoch (epoch 1 ends at 2 on the leader) truncates it. */
    restart(0);
    ck_assert_int_eq(leo_of(0), 3);
    ck_assert_int_eq(epoch_at(0, acked), 1);
    elect(2, 2, 2, ISR_23, 2);
    ck_assert_int_eq(round_trip(0), REPLICA_SEND_FETCH);
    ck_assert_int_eq(leo_of(0), 2); /* the acknowledged write is gone */
    ck_assert_int_eq(round_trip(0), REPLICA_SEND_FETCH);
    ck_assert_int_eq(leo_of(0), 3);
    ck_assert_int_eq(epoch_at(0, acked), 2); /* offset 2 holds the new leader's record */
    ck_assert(traced("h0 tp=foo-0 event=truncate from=3 to=2 reason=diverging-epoch"));
    ck_assert(same_log(0, 1));
}
END_TEST

START_TEST(acks_all_with_min_insync_2_and_rf_3_loses_nothing_under_the_same_crash)
{
    boot(3, 2);
    elect(1, 1, 1, ISR_123, 3);
    struct replica_produce_result r;
    ck_assert(!produce(0, -1, 2, &r));
    run_for(2 * S);
    ck_assert_int_eq(node(0)->out.done_count, 1);
    ck_assert_int_eq(node(0)->out.done[0].error, KAFKA_NONE);
    int64_t acked_end = node(0)->out.done[0].base_offset + 2;
    /* The next one waits: the leader crashes before either follower fetches it. */
    ck_assert(!produce(0, -1, 1, &r));
    host_crash(world_host(w, 0)); /* never acknowledged: the producer saw no answer */
    elect(2, 2, 2, ISR_23, 2);
    produce(1, -1, 1, &r);
    run_for(2 * S);
    restart(0);
    elect(2, 2, 2, ISR_23, 2);
    run_for(2 * S);
    /* Every acknowledged offset holds the same epoch-1 batch on all three. */
    for (int i = 0; i < 3; i++) {
        for (int64_t o = 0; o < acked_end; o++) {
            ck_assert_int_eq(epoch_at(i, o), 1);
        }
    }
    ck_assert(same_log(0, 1) && same_log(1, 2));
    ck_assert_int_eq(hw_of(1), 3);
}
END_TEST

/* ---- ISR shrink and expand ---------------------------------------------------------------- */

START_TEST(isr_shrinks_after_30_s_of_a_stalled_follower_and_expands_when_it_catches_up)
{
    boot(3, 1);
    elect(1, 1, 1, ISR_123, 3);
    run_for(1 * S);
    nodes[2].stalled = true; /* broker 3's last fetch is at 1 s */
    for (int k = 0; k < 20; k++) {
        produce_ok(0, 1, 1);
        run_for(1 * S);
    }
    /* 21 s: the HW waits for broker 3 (maximal ISR). */
    ck_assert_int_eq(hw_of(0), 0);
    run_for(10 * S); /* the checks at 15 and 30 s see 14 and 29 s: within the lag */
    ck_assert(!node(0)->out.send_alter);
    run_for(14 * S); /* 45 s: 44 s behind */
    ck_assert(node(0)->out.send_alter);
    const struct replica_alter *a = &node(0)->out.alter;
    ck_assert(!a->expand);
    ck_assert_int_eq(a->isr_count, 2);
    ck_assert_int_eq(a->isr[0], 1);
    ck_assert_int_eq(a->isr[1], 2);
    ck_assert_int_eq(a->leader_epoch, 1);
    ck_assert_int_eq(a->partition_epoch, 1);
    /* In flight, a shrink still counts the old ISR: the HW does not move yet. */
    ck_assert_int_eq(hw_of(0), 0);
    ck_assert_int_eq(accept_alter(0), 2);
    ck_assert_int_eq(node(0)->rp.partition_epoch, 2);
    ck_assert_int_eq(hw_of(0), 20); /* committed: the HW is broker 2's LEO */

    /* Broker 3 resumes: it fetches up to the HW and is proposed back. */
    nodes[2].stalled = false;
    run_for(1 * S);
    ck_assert(node(0)->out.send_alter);
    ck_assert(node(0)->out.alter.expand);
    ck_assert_int_eq(node(0)->out.alter.isr_count, 3);
    ck_assert(replica_in_isr(&node(0)->rp, 3) == false); /* not committed yet */
    int32_t maximal[REPLICA_MAX];
    ck_assert_int_eq(replica_maximal_isr(&node(0)->rp, maximal), 3);
    ck_assert_int_eq(accept_alter(0), 3);
    ck_assert(replica_in_isr(&node(0)->rp, 3));
    ck_assert_int_eq(node(0)->rp.partition_epoch, 3);
    ck_assert(traced("h0 tp=foo-0 event=isr-shrink-proposed isr=1,2 leader_epoch=1 "
                     "partition_epoch=1"));
    ck_assert(traced("h0 tp=foo-0 event=isr-committed isr=1,2,3 leader_epoch=1 "
                     "partition_epoch=3"));
}
END_TEST

START_TEST(an_isr_shrink_that_bumps_the_leader_epoch_commits_through_metadata_only)
{
    /* Before metadata.version 3.6 the controller bumps the leader epoch on a shrink: the
     * answer's epoch is not the leader's, so the proposal stays pending until the metadata
     * makes it leader of the new epoch (same leader: the followers' state is kept). */
    boot(3, 1);
    elect(1, 1, 1, ISR_123, 3);
    run_for(1 * S);
    nodes[2].stalled = true;
    produce_ok(0, 1, 2);
    run_for(45 * S);
    ck_assert(node(0)->out.send_alter);
    const struct replica_alter *a = &node(0)->out.alter;
    struct replica_alter_answer bumped = {.id = a->id, .error = KAFKA_NONE, .leader_id = 1,
                                          .leader_epoch = 2, .partition_epoch = 2,
                                          .isr_count = 2, .isr = {1, 2}};
    replica_on_alter_partition(&node(0)->rp, &bumped, now_of(0), &node(0)->out);
    ck_assert(node(0)->rp.alter_in_flight);
    ck_assert_int_eq(node(0)->rp.isr_count, 3);
    ck_assert_int_eq(hw_of(0), 0);
    struct replica_registration r = reg(1, 2, 2, ISR_12, 2);
    ck_assert(replica_make_leader(&node(0)->rp, &r, now_of(0), &node(0)->out));
    ck_assert(!node(0)->rp.alter_in_flight);
    ck_assert_int_eq(node(0)->rp.epoch_start_offset, 2);
    ck_assert_int_eq(partition_log_latest_epoch(&node(0)->log), 2);
    ck_assert_int_eq(hw_of(0), 2); /* broker 2's LEO was kept across the epoch */
    /* Broker 2 still fetches with epoch 1 until its metadata catches up: fenced. */
    round_trip(1);
    ck_assert_int_eq(node(1)->rp.fetch_state, REPLICA_FETCH_IDLE);
    replica_make_follower(&node(1)->rp, &r, now_of(1), &node(1)->out);
    ck_assert_int_eq(round_trip(1), REPLICA_SEND_FETCH);
    ck_assert_int_eq(node(1)->rp.fetch_state, REPLICA_FETCH_FETCHING);
}
END_TEST

START_TEST(one_alter_partition_in_flight_and_a_refused_one_reverts_to_the_last_isr)
{
    boot(3, 1);
    elect(1, 1, 1, ISR_1, 1);
    run_for(1 * S); /* broker 2 and 3 catch up; the first proposal adds broker 2 */
    ck_assert(node(0)->out.send_alter);
    ck_assert_int_eq(node(0)->out.alter.isr_count, 2);
    ck_assert_int_eq(node(0)->out.alter.isr[1], 2);
    uint64_t id = node(0)->out.alter.id;
    node(0)->out.send_alter = false;
    run_for(2 * S);
    ck_assert(!node(0)->out.send_alter); /* broker 3 waits for the answer */
    struct replica_alter_answer no = {.id = id, .error = KAFKA_INELIGIBLE_REPLICA};
    replica_on_alter_partition(&node(0)->rp, &no, now_of(0), &node(0)->out);
    ck_assert(!node(0)->rp.alter_in_flight);
    ck_assert_int_eq(node(0)->rp.isr_count, 1);
    run_for(1 * S); /* proposed again on the next fetch */
    ck_assert(node(0)->out.send_alter);
    ck_assert(node(0)->out.alter.id > id);
    /* An unexpected error resends the same proposal. */
    struct replica_alter_answer retry = {.id = node(0)->out.alter.id,
                                         .error = KAFKA_REQUEST_TIMED_OUT};
    node(0)->out.send_alter = false;
    replica_on_alter_partition(&node(0)->rp, &retry, now_of(0), &node(0)->out);
    ck_assert(node(0)->out.send_alter);
    ck_assert_int_eq(node(0)->out.alter.id, retry.id);
    ck_assert_int_eq(accept_alter(0), 2);
}
END_TEST

START_TEST(a_follower_always_a_batch_behind_stays_in_sync_by_the_previous_fetch_rule)
{
    /* A produce lands before every fetch: no fetch ever reaches the leader's LEO, but each
     * reaches the LEO of the fetch before, which counts as caught up as of that fetch. */
    boot(3, 1);
    elect(1, 1, 1, ISR_123, 3);
    for (int k = 0; k < 120; k++) {
        produce_ok(0, 1, 1);
        run_for(FETCH_EVERY);
        ck_assert_int_eq(leo_of(1), leo_of(0));
    }
    ck_assert(!node(0)->out.send_alter);
    ck_assert_int_eq(node(0)->rp.isr_count, 3);
    ck_assert_int_eq(hw_of(0), leo_of(0) - 1);
}
END_TEST

START_TEST(the_hw_waits_for_a_caught_up_follower_outside_the_isr_and_for_a_pending_one)
{
    boot(3, 1);
    elect(1, 1, 1, ISR_1, 1);
    round_trip(1); /* broker 2 at the HW: the expansion {1,2} goes out, unanswered */
    ck_assert(node(0)->out.send_alter);
    round_trip(2); /* broker 3 too, but one proposal at a time */
    ck_assert_int_eq(node(0)->out.alter.isr_count, 2);
    nodes[2].stalled = true;
    produce_ok(0, 1, 5);
    run_for(2 * S); /* broker 2 has all 5 */
    ck_assert_int_eq(leo_of(1), 5);
    /* Broker 3 is outside any ISR but caught up 2 s ago and eligible: the HW waits for it,
     * lest it never reach the HW and never join. */
    ck_assert_int_eq(hw_of(0), 0);
    run_for(30 * S); /* now 32 s behind: no longer waited for, from the next append on */
    ck_assert_int_eq(hw_of(0), 0);
    produce_ok(0, 1, 1); /* offset 5 */
    ck_assert_int_eq(hw_of(0), 5);
    run_for(1 * S);
    ck_assert_int_eq(hw_of(0), 6);

    /* Broker 2 stalls too, inside the pending expansion: the HW waits for it however long it
     * lags, until the controller refuses the expansion. */
    nodes[1].stalled = true;
    produce_ok(0, 1, 1);
    run_for(40 * S);
    produce_ok(0, 1, 1);
    ck_assert_int_eq(hw_of(0), 6);
    struct replica_alter_answer no = {.id = node(0)->out.alter.id,
                                      .error = KAFKA_OPERATION_NOT_ATTEMPTED};
    replica_on_alter_partition(&node(0)->rp, &no, now_of(0), &node(0)->out);
    produce_ok(0, 1, 1);
    ck_assert_int_eq(hw_of(0), 9);
}
END_TEST

/* ---- the leader's fetch answers ----------------------------------------------------------- */

static struct replica_fetch_response fetch_as(int l, int32_t replica, int32_t epoch,
                                              int64_t offset, int32_t last_epoch)
{
    struct replica_fetch_request req = {.replica_id = replica, .broker_epoch = -1,
                                        .current_leader_epoch = epoch, .fetch_offset = offset,
                                        .last_fetched_epoch = last_epoch,
                                        .log_start_offset = 0, .max_bytes = 1 << 20};
    struct replica_fetch_response resp;
    replica_fetch(&node(l)->rp, &req, now_of(l), &node(l)->out, &resp);
    return resp;
}

static int16_t fetch_error(int l, int32_t replica, int32_t epoch, int64_t offset,
                           int32_t last_epoch)
{
    struct replica_fetch_response resp = fetch_as(l, replica, epoch, offset, last_epoch);
    replica_fetch_response_free(&resp);
    return resp.error;
}

START_TEST(fetch_errors_by_current_leader_epoch_role_and_offset)
{
    boot(3, 1);
    elect(1, 3, 1, ISR_123, 3);
    produce_ok(0, 1, 4);
    ck_assert_int_eq(fetch_error(0, 2, 2, 0, -1), KAFKA_FENCED_LEADER_EPOCH);
    ck_assert_int_eq(fetch_error(0, 2, 4, 0, -1), KAFKA_UNKNOWN_LEADER_EPOCH);
    ck_assert_int_eq(fetch_error(0, 2, 3, 5, -1), KAFKA_OFFSET_OUT_OF_RANGE);
    ck_assert_int_eq(fetch_error(0, 7, 3, 0, -1), KAFKA_UNKNOWN_LEADER_EPOCH);
    ck_assert_int_eq(fetch_error(0, 7, -1, 0, -1), KAFKA_NOT_LEADER_OR_FOLLOWER);
    ck_assert_int_eq(fetch_error(1, -1, 3, 0, -1), KAFKA_NOT_LEADER_OR_FOLLOWER);
    ck_assert_int_eq(fetch_error(0, 2, 3, 0, 5), KAFKA_OFFSET_OUT_OF_RANGE); /* no epoch 5 */
    ck_assert_int_eq(fetch_error(0, 2, 3, 4, 3), KAFKA_NONE);

    /* A consumer reads up to the HW only (0 here); a follower up to the LEO. */
    struct replica_fetch_response c = fetch_as(0, -1, 3, 0, -1);
    ck_assert_int_eq(c.error, KAFKA_NONE);
    ck_assert_int_eq(c.records_len, 0);
    ck_assert_int_eq(c.high_watermark, 0);
    struct replica_fetch_response f = fetch_as(0, 2, 3, 0, -1);
    ck_assert_int_gt(f.records_len, 0);
    replica_fetch_response_free(&f);
    f = fetch_as(0, 3, 3, 0, -1);
    replica_fetch_response_free(&f);
    f = fetch_as(0, 2, 3, 4, -1);
    ck_assert_int_eq(f.high_watermark, 0); /* as it was before this fetch */
    replica_fetch_response_free(&f);
    f = fetch_as(0, 3, 3, 4, -1);
    ck_assert_int_eq(f.high_watermark, 0);
    ck_assert_int_eq(hw_of(0), 4);
    replica_fetch_response_free(&f);
    c = fetch_as(0, -1, 3, 0, -1);
    ck_assert_int_gt(c.records_len, 0);
    ck_assert_int_eq(c.high_watermark, 4);
    replica_fetch_response_free(&c);
}
END_TEST

START_TEST(diverging_epoch_answers_where_the_followers_last_epoch_ends_on_the_leader)
{
    boot(3, 1);
    elect(1, 1, 1, ISR_123, 3);
    produce_ok(0, 1, 3); /* epoch 1: 0..2 */
    elect(1, 4, 2, ISR_123, 3);
    produce_ok(0, 1, 2); /* epoch 4: 3..4 */
    /* A follower that last fetched epoch 2 at offset 5: the leader has epoch 1 ending at 3. */
    struct replica_fetch_response r = fetch_as(0, 2, 4, 5, 2);
    ck_assert_int_eq(r.error, KAFKA_NONE);
    ck_assert_int_eq(r.diverging_epoch, 1);
    ck_assert_int_eq(r.diverging_end_offset, 3);
    ck_assert_int_eq(r.records_len, 0);
    /* Epoch 1 up to offset 4: its end (3) is below the fetch offset. */
    r = fetch_as(0, 2, 4, 4, 1);
    ck_assert_int_eq(r.diverging_epoch, 1);
    ck_assert_int_eq(r.diverging_end_offset, 3);
    /* No divergence: fetch offset 3 in epoch 1. The diverging answer updated nothing. */
    ck_assert_int_eq(node(0)->rp.remotes[0].log_end_offset, -1);
    r = fetch_as(0, 2, 4, 3, 1);
    ck_assert_int_eq(r.diverging_epoch, -1);
    ck_assert_int_gt(r.records_len, 0);
    replica_fetch_response_free(&r);
    ck_assert_int_eq(node(0)->rp.remotes[0].log_end_offset, 3);
}
END_TEST

/* ---- KIP-101: truncation by the HW vs by leader epochs ------------------------------------ */

/*
 * KIP-101's second scenario (replica divergence). Broker 1 leads epoch 1 with broker 2 in
 * the ISR. m1 (offset 0) reaches both; broker 2 flushes it. m2 (offset 1) reaches broker 2's
 * page cache and broker 2 reports LEO 2, so broker 1's HW is 2 while broker 2 still has HW 1
 * (it learns a HW one fetch later). Both lose power: broker 1 keeps m1 and m2 (flush.messages
 * = 1), broker 2 only m1. Broker 2 comes back first and leads epoch 2; m3 lands at offset 1.
 * Broker 1 comes back and follows broker 2.
 */
static void kip101_scenario(bool leader_epoch_truncation, bool last_fetched_epoch)
{
    boot(2, 1);
    for (int i = 0; i < 2; i++) {
        nodes[i].config.leader_epoch_truncation = leader_epoch_truncation;
        nodes[i].config.last_fetched_epoch = last_fetched_epoch;
        nodes[i].rp.cfg = nodes[i].config;
    }
    nodes[0].log_config.flush_messages = 1;
    nodes[0].log.config.flush_messages = 1;
    elect(1, 1, 1, ISR_12, 2);
    produce_ok(0, 1, 1); /* m1 */
    round_trip(1);
    partition_log_flush(&node(1)->log);
    world_run_until(w, world_now(w) + 10 * MS); /* m1 durable on broker 2 */
    round_trip(1); /* reports LEO 1: HW 1 on broker 1 */
    produce_ok(0, 1, 1); /* m2 */
    round_trip(1);       /* gets m2, HW 1 */
    round_trip(1);       /* reports LEO 2: HW 2 on broker 1; broker 2 hears HW 1 */
    world_run_until(w, world_now(w) + 10 * MS);
    ck_assert_int_eq(hw_of(0), 2);
    ck_assert_int_eq(hw_of(1), 1);
    for (int i = 0; i < 2; i++) { /* replication-offset-checkpoint, written every 5 s */
        nodes[i].hw_checkpoint = hw_of(i);
    }
    host_power_fail(world_host(w, 0));
    host_power_fail(world_host(w, 1));
    restart(1);
    ck_assert_int_eq(leo_of(1), 1);
    elect(2, 2, 2, ISR_2, 1);
    produce_ok(1, 1, 1); /* m3 at offset 1, epoch 2 */
    restart(0);
    ck_assert_int_eq(leo_of(0), 2);
    ck_assert_int_eq(hw_of(0), 2);
    elect(2, 2, 2, ISR_2, 1);
    for (int k = 0; k < 4; k++) {
        round_trip(0);
    }
}

START_TEST(pre_kip_101_hw_truncation_leaves_the_replicas_diverged)
{
    kip101_scenario(false, false);
    /* Broker 1 kept m2 (below its HW); broker 2 has m3 at the same offset, forever. */
    ck_assert_int_eq(leo_of(0), 2);
    ck_assert_int_eq(epoch_at(0, 1), 1);
    ck_assert_int_eq(epoch_at(1, 1), 2);
    ck_assert(!same_log(0, 1));
}
END_TEST

START_TEST(epoch_truncation_keeps_them_consistent_through_offsets_for_leader_epoch)
{
    kip101_scenario(true, false);
    ck_assert_int_eq(epoch_at(0, 1), 2);
    ck_assert(same_log(0, 1));
}
END_TEST

START_TEST(last_fetched_epoch_keeps_them_consistent_through_diverging_epoch)
{
    kip101_scenario(true, true);
    ck_assert_int_eq(epoch_at(0, 1), 2);
    ck_assert(same_log(0, 1));
}
END_TEST

/* ---- the follower's other answers --------------------------------------------------------- */

START_TEST(follower_hw_follows_the_leader_and_a_fenced_epoch_stops_fetching)
{
    boot(2, 1);
    elect(1, 1, 1, ISR_12, 2);
    produce_ok(0, 1, 3);
    round_trip(1);
    round_trip(1);
    round_trip(1);
    ck_assert_int_eq(hw_of(1), 3);
    ck_assert_int_eq(node(1)->rp.fetch_offset, 3);
    /* The follower is told of epoch 3 before the leader: UNKNOWN_LEADER_EPOCH, a backoff. */
    struct replica_registration r = reg(1, 3, 2, ISR_12, 2);
    replica_make_follower(&node(1)->rp, &r, now_of(1), &node(1)->out);
    ck_assert_int_eq(round_trip(1), REPLICA_SEND_FETCH);
    ck_assert_int_eq(round_trip(1), REPLICA_SEND_NOTHING);
    ck_assert_int_eq(replica_next_deadline(&node(1)->rp),
                     now_of(1) + nodes[1].config.replica_fetch_backoff);
    /* The leader moves to epoch 3 too; the follower retries after the backoff. */
    r = reg(1, 3, 2, ISR_12, 2);
    replica_make_leader(&node(0)->rp, &r, now_of(0), &node(0)->out);
    run_for(1 * S + FETCH_EVERY);
    ck_assert_int_eq(node(1)->rp.fetch_state, REPLICA_FETCH_FETCHING);
    /* Epoch 4 on the leader only: the follower's epoch 3 is fenced; it waits for metadata. */
    r = reg(1, 4, 3, ISR_12, 2);
    replica_make_leader(&node(0)->rp, &r, now_of(0), &node(0)->out);
    round_trip(1);
    ck_assert_int_eq(node(1)->rp.fetch_state, REPLICA_FETCH_IDLE);
    ck_assert_int_eq(round_trip(1), REPLICA_SEND_NOTHING);
}
END_TEST

START_TEST(an_answer_to_a_request_from_before_a_new_leader_epoch_is_dropped)
{
    boot(2, 1);
    elect(1, 1, 1, ISR_12, 2);
    produce_ok(0, 1, 2);
    struct replica_next old, fresh;
    ck_assert_int_eq(replica_next_fetch(&node(1)->rp, now_of(1), &old), REPLICA_SEND_FETCH);
    ck_assert_int_eq(replica_next_fetch(&node(1)->rp, now_of(1), &fresh),
                     REPLICA_SEND_NOTHING); /* one in flight */
    struct replica_fetch_response resp;
    replica_fetch(&node(0)->rp, &old.fetch, now_of(0), &node(0)->out, &resp);
    elect(1, 2, 2, ISR_12, 2); /* the answer is still on its way */
    ck_assert_int_eq(replica_next_fetch(&node(1)->rp, now_of(1), &fresh), REPLICA_SEND_FETCH);
    replica_on_fetch_response(&node(1)->rp, old.id, &resp, now_of(1));
    replica_fetch_response_free(&resp);
    ck_assert_int_eq(leo_of(1), 0); /* dropped */
    ck_assert(node(1)->rp.request_in_flight);
    replica_fetch(&node(0)->rp, &fresh.fetch, now_of(0), &node(0)->out, &resp);
    replica_on_fetch_response(&node(1)->rp, fresh.id, &resp, now_of(1));
    replica_fetch_response_free(&resp);
    ck_assert_int_eq(leo_of(1), 2);
}
END_TEST

START_TEST(offset_out_of_range_asks_the_leaders_offsets_and_truncates_to_its_end)
{
    /* An unclean election: broker 2, behind, leads; broker 1 is ahead and has no epochs
     * that could tell, so the fetch past the leader's end is out of range. */
    boot(2, 1);
    nodes[0].config.last_fetched_epoch = false;
    nodes[0].rp.cfg.last_fetched_epoch = false;
    nodes[0].config.leader_epoch_truncation = false;
    nodes[0].rp.cfg.leader_epoch_truncation = false;
    elect(1, 1, 1, ISR_1, 1);
    for (int k = 0; k < 3; k++) { /* batches of one: a truncation inside a batch takes it all */
        produce_ok(0, 1, 1);
    }
    nodes[0].hw_checkpoint = 3;
    host_crash(world_host(w, 0));
    elect(2, 2, 2, ISR_2, 1);
    produce_ok(1, 1, 1);
    restart(0);
    elect(2, 2, 2, ISR_2, 1); /* HW truncation keeps all 3: the HW was 3 */
    ck_assert_int_eq(leo_of(0), 3);
    ck_assert_int_eq(round_trip(0), REPLICA_SEND_FETCH);
    ck_assert_int_eq(node(0)->rp.fetch_state, REPLICA_FETCH_OFFSETS);
    ck_assert_int_eq(round_trip(0), REPLICA_SEND_LIST_OFFSETS);
    ck_assert_int_eq(leo_of(0), 1);
    ck_assert_int_eq(round_trip(0), REPLICA_SEND_FETCH);
    ck_assert_int_eq(leo_of(0), 1); /* offset 0 stays as it was: Kafka does not mend it */
    ck_assert_int_eq(epoch_at(0, 0), 1);
    ck_assert_int_eq(epoch_at(1, 0), 2);
}
END_TEST

/* ---- a sweep: random crashes, power failures and stalls against a playing controller ----- */

/* The controller's view of foo-0 (PartitionRegistration), and the acknowledged writes. */
struct sweep {
    uint64_t rng;
    int32_t leader; /* -1: offline */
    int32_t leader_epoch;
    int32_t partition_epoch;
    int32_t isr[NODES_MAX];
    int isr_count;
    int16_t acks;
    bool power; /* power failures among the faults, not only crashes */
    int64_t acked_offset[512]; /* base offset and epoch of each acknowledged batch */
    int32_t acked_epoch[512];
    int acked;
    uint64_t pending_ctx[512]; /* acks=-1 produces waiting, with their batch */
    int64_t pending_offset[512];
    int32_t pending_epoch[512];
    int pending;
};

static uint64_t sweep_next(struct sweep *s)
{
    uint64_t z = (s->rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return (z ^ (z >> 31)) % 1000;
}

static void sweep_publish(struct sweep *s)
{
    if (s->leader > 0) {
        elect(s->leader, s->leader_epoch, s->partition_epoch, s->isr, s->isr_count);
    }
}

/* The controller fences a broker that went down: out of the ISR (the last member stays, as
 * KRaft keeps it), and a new leader from the ISR if it led; offline if none is up. */
static void sweep_fence(struct sweep *s, int32_t id)
{
    int kept = 0;
    for (int i = 0; i < s->isr_count; i++) {
        if (s->isr[i] != id || s->isr_count == 1) {
            s->isr[kept++] = s->isr[i];
        }
    }
    s->isr_count = kept;
    s->partition_epoch++;
    if (s->leader == id || s->leader < 0) {
        s->leader = -1;
        for (int i = 0; i < s->isr_count; i++) {
            if (nodes[s->isr[i] - 1].up) {
                s->leader = s->isr[i];
            }
        }
        s->leader_epoch++;
    }
    sweep_publish(s);
}

/* The controller answers the leader's AlterPartition: applied when it is based on the current
 * epochs and names only live brokers. */
static void sweep_alter(struct sweep *s)
{
    struct node *n = &nodes[s->leader - 1];
    if (!n->out.send_alter) {
        return;
    }
    const struct replica_alter *a = &n->out.alter;
    struct replica_alter_answer ans = {.id = a->id, .error = KAFKA_NONE,
                                       .leader_id = s->leader,
                                       .leader_epoch = s->leader_epoch};
    bool live = true;
    for (int i = 0; i < a->isr_count; i++) {
        live = live && nodes[a->isr[i] - 1].up;
    }
    if (a->leader_epoch != s->leader_epoch || a->partition_epoch != s->partition_epoch) {
        ans.error = KAFKA_INVALID_UPDATE_VERSION;
    } else if (!live) {
        ans.error = KAFKA_INELIGIBLE_REPLICA;
    } else {
        s->isr_count = a->isr_count;
        memcpy(s->isr, a->isr, sizeof s->isr);
        ans.partition_epoch = ++s->partition_epoch;
        ans.isr_count = a->isr_count;
        memcpy(ans.isr, a->isr, sizeof ans.isr);
    }
    n->out.send_alter = false;
    replica_on_alter_partition(&n->rp, &ans, now_of(s->leader - 1), &n->out);
    if (ans.error == KAFKA_NONE) {
        sweep_publish(s);
    }
}

/* Acknowledged: the producer saw NONE for the batch at (offset, epoch). */
static void sweep_ack(struct sweep *s, int64_t offset, int32_t epoch)
{
    ck_assert_int_lt(s->acked, 512);
    s->acked_offset[s->acked] = offset;
    s->acked_epoch[s->acked++] = epoch;
}

static void sweep_completions(struct sweep *s)
{
    for (int i = 0; i < node_count; i++) {
        struct replica_out *o = &nodes[i].out;
        for (uint32_t k = 0; nodes[i].up && k < o->done_count; k++) {
            for (int j = 0; j < s->pending; j++) {
                if (s->pending_ctx[j] == o->done[k].ctx && o->done[k].error == KAFKA_NONE) {
                    sweep_ack(s, s->pending_offset[j], s->pending_epoch[j]);
                }
            }
        }
        if (nodes[i].up) {
            o->done_count = 0;
        }
    }
}

static void sweep_produce(struct sweep *s)
{
    int l = s->leader - 1;
    if (l < 0 || !nodes[l].up || s->pending >= 512) {
        return;
    }
    struct replica_produce_result r;
    bool done = produce(l, s->acks, 1, &r);
    if (done && r.error == KAFKA_NONE) {
        sweep_ack(s, r.base_offset, nodes[l].rp.leader_epoch);
    } else if (!done) {
        s->pending_ctx[s->pending] = r.ctx;
        s->pending_offset[s->pending] = r.base_offset;
        s->pending_epoch[s->pending++] = nodes[l].rp.leader_epoch;
    }
}

/* One random fault or repair. */
static void sweep_fault(struct sweep *s)
{
    uint64_t pick = sweep_next(s);
    int i = (int)(sweep_next(s) % (uint64_t)node_count);
    if (pick < 30 && nodes[i].up) {
        pick < 10 && s->power ? host_power_fail(world_host(w, i))
                              : host_crash(world_host(w, i));
        sweep_fence(s, i + 1);
    } else if (pick < 80 && !nodes[i].up) {
        restart(i);
        if (s->leader < 0) { /* the last ISR member is back: it leads */
            s->leader = s->isr[0];
            s->leader_epoch++;
            s->partition_epoch++;
        }
        sweep_publish(s);
    } else if (pick < 100) {
        nodes[i].stalled = !nodes[i].stalled;
    }
}

/* Returns how many acknowledged batches some replica lacks once every broker is back. */
static int sweep_run(uint64_t seed, int16_t acks, int min_insync, bool power, bool flush_each)
{
    world_seed = seed;
    boot(3, min_insync);
    for (int i = 0; i < node_count && flush_each; i++) { /* flush.messages=1 */
        nodes[i].log_config.flush_messages = 1;
        nodes[i].log.config.flush_messages = 1;
    }
    struct sweep s = {.rng = seed, .leader = 1, .leader_epoch = 1, .partition_epoch = 1,
                      .isr = {1, 2, 3}, .isr_count = 3, .acks = acks, .power = power};
    sweep_publish(&s);
    for (int step = 0; step < 300; step++) {
        if (sweep_next(&s) < 600) {
            sweep_produce(&s);
        }
        sweep_fault(&s);
        run_for(FETCH_EVERY);
        if (s.leader > 0 && nodes[s.leader - 1].up) {
            sweep_alter(&s);
        }
        sweep_completions(&s);
    }
    for (int i = 0; i < node_count; i++) { /* heal: every broker back, fetching */
        nodes[i].stalled = false;
        if (!nodes[i].up) {
            restart(i);
        }
    }
    if (s.leader < 0) {
        s.leader = s.isr[0];
        s.leader_epoch++;
        s.partition_epoch++;
    }
    sweep_publish(&s);
    for (int k = 0; k < 120; k++) {
        run_for(FETCH_EVERY);
        sweep_alter(&s);
    }
    int lost = 0;
    for (int a = 0; a < s.acked; a++) {
        for (int i = 0; i < node_count; i++) {
            const struct partition_log_batch *b =
                partition_log_batch_at(&node(i)->log, s.acked_offset[a]);
            lost += b == NULL || b->base_offset != s.acked_offset[a] ||
                    b->epoch != s.acked_epoch[a];
        }
    }
    ck_assert_msg(same_log(0, 1) && same_log(1, 2), "seed %llu: replicas differ",
                  (unsigned long long)seed);
    ck_assert_int_gt(s.acked, 0);
    teardown();
    return lost;
}

START_TEST(sweep_acks_all_min_insync_2_rf_3_loses_no_acknowledged_write)
{
    for (uint64_t seed = 1; seed <= SWEEP_SEEDS; seed++) {
        int lost = sweep_run(seed, -1, 2, false, false);
        ck_assert_msg(lost == 0, "seed %llu lost %d acknowledged batch copies",
                      (unsigned long long)seed, lost);
    }
}
END_TEST

START_TEST(sweep_acks_1_loses_acknowledged_writes_on_some_seed)
{
    int losing = 0;
    for (uint64_t seed = 1; seed <= SWEEP_SEEDS; seed++) {
        losing += sweep_run(seed, 1, 1, false, false) > 0;
    }
    ck_assert_int_gt(losing, 0);
}
END_TEST

START_TEST(sweep_power_failures_lose_acknowledged_writes_unless_flush_messages_is_1)
{
    /* acks=all does not fsync: power failures that reach every ISR member in turn (each one
     * fenced and the last one kept as KRaft keeps it) lose what was only in page caches. */
    int losing = 0;
    for (uint64_t seed = 1; seed <= SWEEP_SEEDS; seed++) {
        losing += sweep_run(seed, -1, 2, true, false) > 0;
        int lost = sweep_run(seed, -1, 2, true, true);
        ck_assert_msg(lost == 0, "seed %llu with flush.messages=1 lost %d batch copies",
                      (unsigned long long)seed, lost);
    }
    ck_assert_int_gt(losing, 0);
}
END_TEST

/* RPCProducerIdManager: no block at first (COORDINATOR_LOAD_IN_PROGRESS and a request), ids in
 * order from a block, the next one asked for at 90%, a failed request retried after 50 ms. */
START_TEST(producer_ids_come_in_blocks_prefetched_at_ninety_percent)
{
    struct producer_ids m;
    producer_ids_init(&m);
    ck_assert(producer_ids_generate(&m) == -1);
    ck_assert(producer_ids_send(&m, 0));
    ck_assert(!producer_ids_send(&m, 0)); /* one in flight */
    producer_ids_on_answer(&m, KAFKA_STALE_BROKER_EPOCH, -1, 0, 10);
    ck_assert(!producer_ids_send(&m, 10 + PRODUCER_IDS_RETRY_BACKOFF - 1));
    ck_assert(producer_ids_send(&m, 10 + PRODUCER_IDS_RETRY_BACKOFF));
    producer_ids_on_answer(&m, KAFKA_NONE, 0, 10, NS_PER_S);
    for (int64_t id = 0; id < 9; id++) {
        ck_assert(producer_ids_generate(&m) == id);
        ck_assert(!producer_ids_send(&m, NS_PER_S)); /* below 90%: no request */
    }
    ck_assert(producer_ids_generate(&m) == 9); /* the 90% mark: ask for the next */
    ck_assert(producer_ids_send(&m, NS_PER_S));
    ck_assert(producer_ids_generate(&m) == -1); /* used up, the next not here yet */
    producer_ids_on_answer(&m, KAFKA_NONE, 1000, 1000, 2 * NS_PER_S);
    ck_assert(producer_ids_generate(&m) == 1000);
    ck_assert(producer_ids_generate(&m) == 1001);
}
END_TEST

static Suite *replica_suite(void)
{
    Suite *s = suite_create("replica");
    TCase *tc = tcase_create("partition");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, acks_all_waits_for_every_isr_follower_and_completes_when_the_hw_passes_it);
    tcase_add_test(tc, acks_all_times_out_or_fails_when_leadership_moves);
    tcase_add_test(tc, not_enough_replicas_with_one_of_three_in_sync_and_min_insync_2);
    tcase_add_test(tc, not_enough_replicas_after_append_when_the_isr_shrank_below_min_meanwhile);
    tcase_add_test(tc, with_the_hw_frozen_below_min_isr_the_same_produce_times_out_instead);
    tcase_add_test(tc, message_max_bytes_is_message_too_large_and_appends_nothing);
    tcase_add_test(tc, acks_1_loses_an_acknowledged_write_when_the_leader_crashes_before_a_fetch);
    tcase_add_test(tc, acks_all_with_min_insync_2_and_rf_3_loses_nothing_under_the_same_crash);
    tcase_add_test(tc, isr_shrinks_after_30_s_of_a_stalled_follower_and_expands_when_it_catches_up);
    tcase_add_test(tc, a_follower_always_a_batch_behind_stays_in_sync_by_the_previous_fetch_rule);
    tcase_add_test(tc, the_hw_waits_for_a_caught_up_follower_outside_the_isr_and_for_a_pending_one);
    tcase_add_test(tc, an_isr_shrink_that_bumps_the_leader_epoch_commits_through_metadata_only);
    tcase_add_test(tc, one_alter_partition_in_flight_and_a_refused_one_reverts_to_the_last_isr);
    tcase_add_test(tc, fetch_errors_by_current_leader_epoch_role_and_offset);
    tcase_add_test(tc, diverging_epoch_answers_where_the_followers_last_epoch_ends_on_the_leader);
    tcase_add_test(tc, pre_kip_101_hw_truncation_leaves_the_replicas_diverged);
    tcase_add_test(tc, epoch_truncation_keeps_them_consistent_through_offsets_for_leader_epoch);
    tcase_add_test(tc, last_fetched_epoch_keeps_them_consistent_through_diverging_epoch);
    tcase_add_test(tc, follower_hw_follows_the_leader_and_a_fenced_epoch_stops_fetching);
    tcase_add_test(tc, an_answer_to_a_request_from_before_a_new_leader_epoch_is_dropped);
    tcase_add_test(tc, offset_out_of_range_asks_the_leaders_offsets_and_truncates_to_its_end);
    tcase_add_test(tc, producer_ids_come_in_blocks_prefetched_at_ninety_percent);
    suite_add_tcase(s, tc);
    TCase *sweep = tcase_create("sweep");
    tcase_set_timeout(sweep, 300);
    tcase_add_checked_fixture(sweep, NULL, teardown);
    tcase_add_test(sweep, sweep_acks_all_min_insync_2_rf_3_loses_no_acknowledged_write);
    tcase_add_test(sweep, sweep_acks_1_loses_acknowledged_writes_on_some_seed);
    tcase_add_test(sweep, sweep_power_failures_lose_acknowledged_writes_unless_flush_messages_is_1);
    suite_add_tcase(s, sweep);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(replica_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
