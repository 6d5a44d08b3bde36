/* test_raft_quorum.c — the KRaft quorum in scripted scenarios, asserted to the nanosecond. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "node.h"
#include "protocol/fetch.h"
#include "protocol/header.h"
#include "protocol/kraft_rpc.h"
#include "protocol/record_batch.h"
#include "raft/log.h"
#include "raft/quorum.h"
#include "tools/kafka_storage.h"
#include "metadata/records.h"
#include "world/world.h"

/*
 * Every scenario builds a world of three controllers ("controller-1..3", node ids 1..3, hosts
 * 0..2) plus one spare host (index 3, "client") that runs a silent process: the test's own
 * Kafka client, from which hand-made frames are sent. Links have one exact latency and disks
 * one exact fsync latency, so every step of a protocol exchange lands at a time the test can
 * compute: "became leader at Prospective + 4 latencies + 2 fsyncs". Only the randomised
 * election timeout (T + rand[0, T), KRAFT.md 3.3) is a bound rather than a number.
 *
 * The test watches three ways, none of which changes the run: a trace sink that keeps every
 * event, a tap on the network's delivery callback that keeps every frame (with the time it was
 * sent, from the trace's net-send of the same frame id), and the hosts' disks (disk_peek).
 */

#define VOTERS 3
#define SPARE VOTERS /* host index of the test's client */
#define LATENCY (1 * NS_PER_MS)
#define STATE_FILE "kraft-combined-logs/__cluster_metadata-0/quorum-state"
#define SEGMENT_FILE "kraft-combined-logs/__cluster_metadata-0/00000000000000000000.log"
#define DETAIL_MAX 300


/* A client's write as the controller would append it: a ConfigRecord carrying `text`. */
static bool append_config(void *proc, const char *text)
{
    struct metadata_record rec;
    metadata_record_init(&rec, METADATA_CONFIG, 0);
    rec.u.config = (struct metadata_config){4, "", "log.retention.ms", text};
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(metadata_record_encode(&w, &rec), 0);
    bool ok = node_append(proc, w.bytes, (uint32_t)w.len);
    wire_writer_free(&w);
    return ok;
}

static const char *const host_names[] = {"controller-1", "controller-2", "controller-3",
                                         "client"};

struct event {
    time_ns time;
    int host;
    enum trace_kind kind;
    char detail[DETAIL_MAX];
};

/* One frame as it arrived. Responses carry the API of the request they answer. */
struct frame {
    time_ns sent;
    time_ns delivered;
    int from;
    int to;
    int channel;
    int16_t api_key;
    int16_t api_version;
    int32_t correlation_id;
    uint8_t *bytes;
    size_t len;
};

struct cluster {
    struct world *w;
    time_ns fsync;
    struct node_config cfg[VOTERS + 1]; /* [VOTERS]: a broker on the spare host, if any */
    struct event *events;
    size_t event_count;
    size_t event_capacity;
    struct frame *frames;
    size_t frame_count;
    size_t frame_capacity;
    time_ns *send_times; /* by net frame id */
    size_t send_time_capacity;
    uint64_t last_delivered_id;
    net_deliver_fn deliver;
    void *deliver_ctx;
};

/* ---- the spare host's process: it exists so that frames sent to it are delivered -------- */

static void *client_start(const struct env *env, const void *config)
{
    (void)env;
    (void)config;
    return malloc(1);
}

static void client_step(void *proc, const struct env_event *e)
{
    (void)proc;
    (void)e;
}

static void client_destroy(void *proc) { free(proc); }

static const struct process_ops client_process = {
    .name = "client", .start = client_start, .step = client_step, .destroy = client_destroy};

/* ---- watching: the trace sink and the frame tap ------------------------------------------- */

static uint64_t frame_id_of(const char *detail)
{
    const char *at = strstr(detail, "id=");
    return at != NULL ? strtoull(at + 3, NULL, 10) : UINT64_MAX;
}

static void record_event(void *ctx, const struct trace_event *e)
{
    struct cluster *c = ctx;
    if (c->event_count == c->event_capacity) {
        c->event_capacity = c->event_capacity ? 2 * c->event_capacity : 4096;
        c->events = realloc(c->events, c->event_capacity * sizeof *c->events);
        ck_assert_ptr_nonnull(c->events);
    }
    struct event *ev = &c->events[c->event_count++];
    *ev = (struct event){.time = e->time, .host = e->host, .kind = e->kind};
    snprintf(ev->detail, sizeof ev->detail, "%s", trace_event_detail(e));
    if (e->kind == TRACE_NET_SEND) {
        uint64_t id = frame_id_of(trace_event_detail(e));
        while (id >= c->send_time_capacity) {
            c->send_time_capacity = c->send_time_capacity ? 2 * c->send_time_capacity : 4096;
            c->send_times = realloc(c->send_times, c->send_time_capacity * sizeof(time_ns));
            ck_assert_ptr_nonnull(c->send_times);
        }
        c->send_times[id] = e->time;
    } else if (e->kind == TRACE_NET_DELIVER) {
        /* the tap runs right after this */
        c->last_delivered_id = frame_id_of(trace_event_detail(e));
    }
}

/* The request that a response from `from` to `to` with this correlation id answers. */
static const struct frame *request_answered(const struct cluster *c, int from, int to,
                                            int32_t correlation_id)
{
    for (size_t i = c->frame_count; i-- > 0;) {
        const struct frame *f = &c->frames[i];
        if (f->channel == ENV_CHANNEL_REQUEST && f->from == to && f->to == from &&
            f->correlation_id == correlation_id) {
            return f;
        }
    }
    return NULL;
}

static void tap(void *ctx, int from, int to, uint8_t channel, const uint8_t *bytes, size_t len)
{
    struct cluster *c = ctx;
    if (c->frame_count == c->frame_capacity) {
        c->frame_capacity = c->frame_capacity ? 2 * c->frame_capacity : 1024;
        c->frames = realloc(c->frames, c->frame_capacity * sizeof *c->frames);
        ck_assert_ptr_nonnull(c->frames);
    }
    struct frame f = {.sent = c->send_times[c->last_delivered_id], .delivered = world_now(c->w),
                      .from = from, .to = to, .channel = channel, .api_key = -1, .len = len};
    if (channel == ENV_CHANNEL_RESET) {
        f.correlation_id = -1; /* an empty RST from a host whose process is gone */
    } else if (channel == ENV_CHANNEL_REQUEST) {
        struct kheader_peek p;
        ck_assert_int_eq(kheader_request_peek(bytes, len, &p), 0);
        f.api_key = p.api_key;
        f.api_version = p.api_version;
        f.correlation_id = p.correlation_id;
    } else {
        ck_assert_int_eq(kheader_response_peek(bytes, len, &f.correlation_id), 0);
        const struct frame *req = request_answered(c, from, to, f.correlation_id);
        if (req != NULL) {
            f.api_key = req->api_key;
            f.api_version = req->api_version;
        }
    }
    f.bytes = malloc(len);
    ck_assert_ptr_nonnull(f.bytes);
    memcpy(f.bytes, bytes, len);
    c->frames[c->frame_count++] = f;
    c->deliver(c->deliver_ctx, from, to, channel, bytes, len);
}

/* ---- building and running a world ---------------------------------------------------------- */

/* A world of three controllers with Kafka's default configs and the silent client. Tests may
 * change c->cfg before cluster_start. */
static void cluster_init(struct cluster *c, uint64_t seed, time_ns fsync)
{
    memset(c, 0, sizeof *c);
    struct net_link_cfg link = net_link_default();
    link.latency_min = link.latency_mean = LATENCY;
    link.jitter = 0;
    struct disk_cfg disk = disk_cfg_default();
    disk.fsync_latency_min = disk.fsync_latency_max = fsync;
    c->fsync = fsync;
    c->w = world_create(seed, VOTERS + 1, host_names, &link, &disk);
    trace_add_sink(&c->w->trace, (struct trace_sink){.event = record_event, .ctx = c});
    c->deliver = c->w->net.deliver;
    c->deliver_ctx = c->w->net.deliver_ctx;
    c->w->net.deliver = tap;
    c->w->net.deliver_ctx = c;
    for (int i = 0; i < VOTERS; i++) {
        node_config_default(&c->cfg[i], i + 1);
        /* Formatted without a bootstrap checkpoint (as before 3.3): the log holds only what
         * these tests append, so they can count raft offsets exactly. */
        c->cfg[i].bootstrap_metadata = false;
        c->cfg[i].metadata_max_idle_interval = 0; /* and no NoOpRecords (as before 3.3) */
        c->cfg[i].voter_count = VOTERS;
        for (int k = 0; k < VOTERS; k++) {
            c->cfg[i].voters[k].id = k + 1;
            snprintf(c->cfg[i].voters[k].host, sizeof c->cfg[i].voters[k].host, "%s",
                     host_names[k]);
            c->cfg[i].voters[k].port = 9093;
        }
    }
}

static void cluster_start(struct cluster *c)
{
    for (int i = 0; i < VOTERS; i++) {
        /* kafka-storage.sh format with the cluster id the configs name. */
        ck_assert_int_eq(kafka_storage_format(c->w, i, &c->cfg[i], c->cfg[i].cluster_id),
                         ENV_OK);
        host_install(world_host(c->w, i), &node_process, &c->cfg[i]);
    }
    host_install(world_host(c->w, SPARE), &client_process, NULL);
    for (int i = 0; i <= VOTERS; i++) {
        ck_assert(host_start(world_host(c->w, i)));
    }
}

static void cluster_free(struct cluster *c)
{
    ck_assert(world_check(c->w));
    world_destroy(c->w);
    for (size_t i = 0; i < c->frame_count; i++) {
        free(c->frames[i].bytes);
    }
    free(c->frames);
    free(c->events);
    free(c->send_times);
}

static struct quorum_view view_of(struct cluster *c, int host)
{
    struct quorum_view v;
    quorum_view(node_quorum(world_host(c->w, host)->proc), &v);
    return v;
}

/* The host of the leader with the highest epoch, or -1. */
static int leader_host(struct cluster *c)
{
    int best = -1;
    int32_t best_epoch = -1;
    for (int i = 0; i < VOTERS; i++) {
        struct quorum_view v = view_of(c, i);
        if (v.role == QUORUM_LEADER && v.epoch > best_epoch) {
            best = i;
            best_epoch = v.epoch;
        }
    }
    return best;
}

/* One leader; every other voter follows it in its epoch and holds its whole log, flushed. */
static bool settled(void *arg)
{
    struct cluster *c = arg;
    int l = leader_host(c);
    if (l < 0) {
        return false;
    }
    struct quorum_view lv = view_of(c, l);
    for (int i = 0; i < VOTERS; i++) {
        struct quorum_view v = view_of(c, i);
        if (v.epoch != lv.epoch || v.leader_id != l + 1 ||
            (i != l && v.role != QUORUM_FOLLOWER) || v.log_flushed_offset != lv.log_end_offset ||
            v.high_watermark != lv.log_end_offset) {
            return false;
        }
    }
    return true;
}

static void run_until_settled(struct cluster *c, time_ns deadline)
{
    ck_assert_msg(sched_run_until_pred(&c->w->sched, settled, c, deadline),
                  "no settled quorum by %" PRId64 " ns", deadline);
}

/* Starts the hosts, lets the quorum settle and run on until 3 s; returns the leader. */
static int run_settled_until_3s(struct cluster *c)
{
    cluster_start(c);
    run_until_settled(c, 3 * NS_PER_S);
    world_run_until(c->w, 3 * NS_PER_S);
    int l = leader_host(c);
    ck_assert_int_ge(l, 0);
    return l;
}

/* The same for a default cluster; *follower is the lowest-numbered follower. */
static int settle_until_3s(struct cluster *c, int *follower)
{
    cluster_init(c, 1, 1 * NS_PER_MS);
    int l = run_settled_until_3s(c);
    *follower = l == 0 ? 1 : 0;
    return l;
}

/* ---- reading the trace --------------------------------------------------------------------- */

/* Whether a detail matches: it holds `text`, or starts with it when `text` starts with '^'. */
static bool detail_matches(const char *detail, const char *text)
{
    if (text[0] == '^') {
        return strncmp(detail, text + 1, strlen(text + 1)) == 0;
    }
    return strstr(detail, text) != NULL;
}

/* The first event at index >= from on `host` (-1: any) of `kind` whose detail matches `text`. */
static long event_find(const struct cluster *c, size_t from, int host, enum trace_kind kind,
                       const char *text)
{
    for (size_t i = from; i < c->event_count; i++) {
        const struct event *e = &c->events[i];
        if ((host < 0 || e->host == host) && e->kind == kind && detail_matches(e->detail, text)) {
            return (long)i;
        }
    }
    return -1;
}

static time_ns event_time(const struct cluster *c, size_t from, int host, enum trace_kind kind,
                          const char *text)
{
    long i = event_find(c, from, host, kind, text);
    ck_assert_msg(i >= 0, "no %s event on h%d with '%s'", trace_kind_name(kind), host, text);
    return c->events[i].time;
}

/* How many events on `host` (-1: any) of `kind` with `text` happened in [t0, t1]. */
static int event_count(const struct cluster *c, int host, enum trace_kind kind, const char *text,
                       time_ns t0, time_ns t1)
{
    int n = 0;
    for (size_t i = 0; i < c->event_count; i++) {
        const struct event *e = &c->events[i];
        n += (host < 0 || e->host == host) && e->kind == kind && e->time >= t0 &&
             e->time <= t1 && detail_matches(e->detail, text);
    }
    return n;
}

/* Standard votes decided for `candidate` in [t0, t1]: those granted, or those refused. */
static int votes_for(const struct cluster *c, int candidate, bool granted, time_ns t0,
                     time_ns t1)
{
    char text[48];
    snprintf(text, sizeof text, "^vote candidate=%d ", candidate + 1);
    int n = 0;
    for (size_t i = 0; i < c->event_count; i++) {
        const struct event *e = &c->events[i];
        n += e->kind == TRACE_RAFT_VOTE && e->time >= t0 && e->time <= t1 &&
             detail_matches(e->detail, text) &&
             strstr(e->detail, granted ? "granted=yes" : "granted=no") != NULL;
    }
    return n;
}

struct awaited {
    struct cluster *c;
    size_t from;
    int host;
    enum trace_kind kind;
    const char *text;
};

static bool event_seen(void *arg)
{
    struct awaited *a = arg;
    return event_find(a->c, a->from, a->host, a->kind, a->text) >= 0;
}

/* Runs until an event like this happens (from now on), and returns its time. */
static time_ns await_event(struct cluster *c, int host, enum trace_kind kind, const char *text,
                           time_ns deadline)
{
    struct awaited a = {c, c->event_count, host, kind, text};
    ck_assert_msg(sched_run_until_pred(&c->w->sched, event_seen, &a, deadline),
                  "no %s '%s' on h%d by %" PRId64, trace_kind_name(kind), text, host, deadline);
    return c->events[event_find(c, a.from, host, kind, text)].time;
}

/* ---- reading frames ----------------------------------------------------------------------- */

/* The first frame at index >= from_index sent by `from` to `to` (-1: any host) on `channel`
 * for `api_key`. */
static long frame_find(const struct cluster *c, size_t from_index, int from, int to, int channel,
                       int16_t api_key)
{
    for (size_t i = from_index; i < c->frame_count; i++) {
        const struct frame *f = &c->frames[i];
        if ((from < 0 || f->from == from) && (to < 0 || f->to == to) && f->channel == channel &&
            f->api_key == api_key) {
            return (long)i;
        }
    }
    return -1;
}

static bool vote_request_is_pre_vote(const struct frame *f)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct kheader_request h;
    struct wire_reader body;
    struct vote_request req;
    ck_assert_int_eq(kheader_request_decode_frame(f->bytes, f->len, &a, &h, &body), 0);
    ck_assert_int_eq(vote_request_decode(&body, h.api_version, &a, &req), 0);
    bool pre = req.topics[0].partitions[0].pre_vote;
    wire_arena_free(&a);
    return pre;
}

/* The answer from `voter` to the first Vote request `candidate` sent it that was a pre-vote
 * (pre_vote) or a standard vote (!pre_vote). */
static const struct frame *vote_answer(const struct cluster *c, int voter, int candidate,
                                       bool pre_vote)
{
    for (long i = 0; (i = frame_find(c, (size_t)i, candidate, voter, ENV_CHANNEL_REQUEST,
                                     KAFKA_API_VOTE)) >= 0; i++) {
        const struct frame *req = &c->frames[i];
        if (vote_request_is_pre_vote(req) != pre_vote) {
            continue;
        }
        for (size_t k = (size_t)i + 1; k < c->frame_count; k++) {
            const struct frame *f = &c->frames[k];
            if (f->channel == ENV_CHANNEL_RESPONSE && f->from == voter && f->to == candidate &&
                f->correlation_id == req->correlation_id) {
                return f;
            }
        }
    }
    ck_abort_msg("no answer from h%d to h%d's %svote", voter, candidate, pre_vote ? "pre-" : "");
    return NULL;
}

static void decode_vote_response(const struct frame *f, struct wire_arena *a,
                                 struct vote_response *out)
{
    struct kheader_response h;
    struct wire_reader body;
    ck_assert_int_eq(kheader_response_decode_frame(f->bytes, f->len, f->api_key, f->api_version,
                                                   &h, &body), 0);
    ck_assert_int_eq(h.correlation_id, f->correlation_id);
    ck_assert_int_eq(vote_response_decode(&body, f->api_version, a, out), 0);
}

/* ---- reading disks ------------------------------------------------------------------------ */

/* The page-cache image of a file on a host, NUL-terminated; its size, or -1 if absent. */
static int64_t file_text(struct cluster *c, int host, const char *name, char *buf, size_t cap)
{
    const struct disk *d = &world_host(c->w, host)->disk;
    int64_t size = disk_size(d, name);
    if (size < 0) {
        buf[0] = '\0';
        return -1;
    }
    ck_assert_int_lt(size, (int64_t)cap);
    ck_assert_int_eq(disk_peek(d, name, 0, buf, (size_t)size), size);
    buf[size] = '\0';
    return size;
}

/* The first batch of the leader's log is KRaft's election control batch: at offset 0, in the
 * new epoch, the control bit and nothing else, no producer, one LeaderChangeMessage v0 naming
 * the leader, the voters and those that granted (KRAFT.md 3.5, 6). */
static void check_leader_change_batch(struct cluster *c, int l, int32_t epoch, time_ns elected)
{
    static uint8_t seg[1 << 16];
    int64_t size = file_text(c, l, SEGMENT_FILE, (char *)seg, sizeof seg);
    ck_assert_int_gt(size, 0);
    struct wire_arena a;
    wire_arena_init(&a);
    struct record_batch b;
    ck_assert_int_eq(record_batch_decode(seg, (size_t)size, &a, &b, NULL), 0);
    ck_assert_int_eq(b.base_offset, 0);
    ck_assert_int_eq(b.partition_leader_epoch, epoch);
    ck_assert_int_eq(b.attributes, RECORD_BATCH_CONTROL);
    ck_assert_int_eq(b.base_timestamp, elected / NS_PER_MS);
    ck_assert_int_eq(b.producer_id, -1);
    ck_assert_int_eq(b.producer_epoch, -1);
    ck_assert_int_eq(b.base_sequence, -1);
    ck_assert_int_eq(b.last_offset_delta, 0);
    ck_assert_int_eq(b.record_count, 1);
    int16_t type;
    ck_assert_int_eq(record_batch_control_key_decode(b.records[0].key, &type), 0);
    ck_assert_int_eq(type, RECORD_BATCH_CONTROL_LEADER_CHANGE);
    struct record_batch_leader_change lc;
    ck_assert_int_eq(record_batch_leader_change_decode(b.records[0].value, 0, &a, &lc), 0);
    ck_assert_int_eq(lc.version, 0);
    ck_assert_int_eq(lc.leader_id, l + 1);
    ck_assert_int_eq(lc.voter_count, VOTERS);
    for (int i = 0; i < VOTERS; i++) {
        ck_assert_int_eq(lc.voters[i].voter_id, i + 1);
    }
    /* GrantingVoters: the leader and the first voter whose grant arrived, which is the lowest
     * other id: its Vote request left first, and with equal latencies its answer came first. */
    int32_t other = l == 0 ? 2 : 1;
    ck_assert_int_eq(lc.granting_voter_count, 2);
    ck_assert_int_eq(lc.granting_voters[0].voter_id, other < l + 1 ? other : l + 1);
    ck_assert_int_eq(lc.granting_voters[1].voter_id, other < l + 1 ? l + 1 : other);
    wire_arena_free(&a);
}

/* Every voter's log holds the same batches, and its segment the same bytes. */
static void check_logs_identical(struct cluster *c)
{
    const struct raft_log *ref = node_log(world_host(c->w, 0)->proc);
    static char seg0[1 << 16], seg[1 << 16];
    int64_t size0 = file_text(c, 0, SEGMENT_FILE, seg0, sizeof seg0);
    for (int i = 1; i < VOTERS; i++) {
        const struct raft_log *log = node_log(world_host(c->w, i)->proc);
        ck_assert_uint_eq(log->batch_count, ref->batch_count);
        for (uint32_t k = 0; k < ref->batch_count; k++) {
            ck_assert_int_eq(log->batches[k].base_offset, ref->batches[k].base_offset);
            ck_assert_int_eq(log->batches[k].last_offset, ref->batches[k].last_offset);
            ck_assert_int_eq(log->batches[k].epoch, ref->batches[k].epoch);
            ck_assert_int_eq(log->batches[k].control, ref->batches[k].control);
        }
        ck_assert_int_eq(file_text(c, i, SEGMENT_FILE, seg, sizeof seg), size0);
        ck_assert_msg(memcmp(seg, seg0, (size_t)size0) == 0, "h%d's segment differs", i);
    }
}

/* ---- the scenarios ------------------------------------------------------------------------ */

START_TEST(three_voters_elect_one_leader_whose_log_opens_with_a_leader_change_batch)
{
    /* Three voters, 1 ms links, 1 ms fsyncs, Kafka's default timeouts (T = 1 s election). */
    struct cluster c;
    cluster_init(&c, 1, 1 * NS_PER_MS);
    const struct quorum_config *q = &c.cfg[0].quorum;
    time_ns fs = c.fsync;
    cluster_start(&c);
    /* Every voter ends up following one leader and holding the whole log, committed. */
    run_until_settled(&c, 5 * NS_PER_S);
    int l = leader_host(&c);
    ck_assert_int_ge(l, 0);
    ck_assert_int_eq(event_count(&c, -1, TRACE_RAFT_BECAME_LEADER, "", 0, world_now(c.w)), 1);
    /* The winner's timer ran out within [T, 2T); then a pre-vote round trip, its own
     * quorum-state fsync, a Vote round trip around the voter's fsync: 4 latencies, 2 fsyncs. */
    time_ns prospective = event_time(&c, 0, l, TRACE_RAFT_STATE, "role=Prospective epoch=0");
    ck_assert_int_ge(prospective, q->election_timeout);
    ck_assert_int_lt(prospective, 2 * q->election_timeout);
    time_ns candidate = event_time(&c, 0, l, TRACE_RAFT_STATE, "role=Candidate epoch=1");
    ck_assert_int_eq(candidate, prospective + 2 * LATENCY);
    time_ns elected = event_time(&c, 0, l, TRACE_RAFT_BECAME_LEADER, "epoch=1 votes=2/3");
    ck_assert_int_eq(elected, prospective + 4 * LATENCY + 2 * fs);
    /* Every node is in epoch 1 under that leader. */
    for (int i = 0; i < VOTERS; i++) {
        struct quorum_view v = view_of(&c, i);
        ck_assert_int_eq(v.epoch, 1);
        ck_assert_int_eq(v.leader_id, l + 1);
        ck_assert_int_eq(v.role, i == l ? QUORUM_LEADER : QUORUM_FOLLOWER);
        ck_assert_int_eq(v.log_end_offset, 1);
        ck_assert_int_eq(v.high_watermark, 1);
    }
    /* The leader's HW: BeginQuorumEpoch waits for the leader's quorum-state fsync, the
     * follower persists its new leader, fetches offset 0, fsyncs the batch, fetches offset 1. */
    time_ns leader_hw = event_time(&c, 0, l, TRACE_RAFT_HIGH_WATERMARK, "from=-1 to=1");
    ck_assert_int_eq(leader_hw, elected + 4 * LATENCY + 3 * fs);
    /* Followers learn it from the answer to that fetch: before Fetch v18 (KIP-1166) the leader
     * parks it for MaxWaitMs = 500 ms, since it carries no records. */
    time_ns parked = q->fetch_version >= 18 ? 0 : 500 * NS_PER_MS;
    for (int i = 0; i < VOTERS; i++) {
        if (i != l) {
            ck_assert_int_eq(event_time(&c, 0, i, TRACE_RAFT_HIGH_WATERMARK, "from=-1 to=1"),
                             leader_hw + parked + LATENCY);
        }
    }
    check_leader_change_batch(&c, l, 1, elected);
    cluster_free(&c);
}
END_TEST

START_TEST(slow_disk_50ms_a_granted_vote_is_answered_only_once_quorum_state_is_durable)
{
    /* Every fsync takes 50 ms: persisting an election state is now slow enough to see. */
    struct cluster c;
    cluster_init(&c, 1, 50 * NS_PER_MS);
    cluster_start(&c);
    /* Run until some voter grants a standard (not pre-) vote. */
    time_ns voted = await_event(&c, -1, TRACE_RAFT_VOTE, "^vote candidate=", 5 * NS_PER_S);
    const struct event *e = &c.events[event_find(&c, 0, -1, TRACE_RAFT_VOTE, "^vote ")];
    int voter = e->host;
    int candidate = (int)strtol(strstr(e->detail, "candidate=") + 10, NULL, 10) - 1;
    ck_assert_msg(strstr(e->detail, "epoch=1 granted=yes") != NULL, "%s", e->detail);
    /* At that instant nothing is durable: the voter never persisted before (quorum-state is
     * absent), the vote sits in quorum-state.tmp waiting for its fsync, no answer has left. */
    char text[1024];
    ck_assert_int_eq(file_text(&c, voter, STATE_FILE, text, sizeof text), -1);
    ck_assert_int_eq(event_count(&c, voter, TRACE_NODE_PERSIST, "epoch=1 leader=-1 voted=", voted,
                                 voted), 1);
    /* The fsync completes 50 ms later; quorum-state then holds the vote, durably. */
    time_ns durable = await_event(&c, voter, TRACE_DISK_DURABLE, "quorum-state.tmp",
                                  voted + NS_PER_S);
    ck_assert_int_eq(durable, voted + c.fsync);
    const struct disk *d = &world_host(c.w, voter)->disk;
    ck_assert_int_gt(file_text(&c, voter, STATE_FILE, text, sizeof text), 0);
    char expect[64];
    snprintf(expect, sizeof expect, "\"leaderEpoch\":1,\"votedId\":%d,", candidate + 1);
    ck_assert_msg(strstr(text, expect) != NULL, "%s", text);
    ck_assert_int_eq(disk_pending_count(d, STATE_FILE), 0);
    ck_assert_int_eq(disk_durable_size(d, STATE_FILE), disk_size(d, STATE_FILE));
    run_until_settled(&c, 10 * NS_PER_S);
    /* The answer left at the very instant the fsync completed, not a nanosecond before. */
    const struct frame *vote = vote_answer(&c, voter, candidate, false);
    ck_assert_int_eq(vote->sent, durable);
    ck_assert_int_eq(vote->delivered, durable + LATENCY);
    struct wire_arena a;
    wire_arena_init(&a);
    struct vote_response r;
    decode_vote_response(vote, &a, &r);
    ck_assert(r.topics[0].partitions[0].vote_granted);
    ck_assert_int_eq(r.topics[0].partitions[0].leader_epoch, 1);
    wire_arena_free(&a);
    /* A pre-vote persists nothing (Prospective is memory-only): its answer left on arrival. */
    const struct frame *pre = vote_answer(&c, voter, candidate, true);
    const struct frame *pre_req = request_answered(&c, voter, candidate, pre->correlation_id);
    ck_assert_int_eq(pre->sent, pre_req->delivered);
    /* And the candidate's own Vote requests waited for its epoch-1 quorum-state fsync. */
    time_ns became = event_time(&c, 0, candidate, TRACE_RAFT_STATE, "role=Candidate epoch=1");
    long req = frame_find(&c, 0, candidate, voter, ENV_CHANNEL_REQUEST, KAFKA_API_VOTE);
    while (vote_request_is_pre_vote(&c.frames[req])) {
        req = frame_find(&c, (size_t)req + 1, candidate, voter, ENV_CHANNEL_REQUEST,
                         KAFKA_API_VOTE);
    }
    ck_assert_int_eq(c.frames[req].sent, became + c.fsync);
    cluster_free(&c);
}
END_TEST

/* Settles a cluster whose nodes write quorum-state `version`, and returns the leader. */
static int settle_with_state_version(struct cluster *c, int version)
{
    cluster_init(c, 1, 1 * NS_PER_MS);
    for (int i = 0; i < VOTERS; i++) {
        c->cfg[i].quorum_state_version = version;
    }
    cluster_start(c);
    run_until_settled(c, 5 * NS_PER_S);
    return leader_host(c);
}

/* What quorum-state must hold for this view (FileQuorumStateStore + QuorumStateData). */
static void expected_state(const struct quorum_view *v, int version, char *buf, size_t cap)
{
    if (version == 1) {
        snprintf(buf, cap, "{\"leaderId\":%d,\"leaderEpoch\":%d,\"votedId\":%d,"
                 "\"votedDirectoryId\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"data_version\":1}",
                 v->leader_id, v->epoch, v->voted_id);
    } else {
        snprintf(buf, cap, "{\"clusterId\":\"\",\"leaderId\":%d,\"leaderEpoch\":%d,"
                 "\"votedId\":%d,\"appliedOffset\":0,\"currentVoters\":[{\"voterId\":1},"
                 "{\"voterId\":2},{\"voterId\":3}],\"data_version\":0}", v->leader_id,
                 v->epoch, v->voted_id);
    }
}

/* Every node's quorum-state is one line of JSON, exactly as Kafka writes it; the follower
 * that voted keeps its vote within the epoch (4.0+), the leader has none. */
static void check_state_files(int version)
{
    struct cluster c;
    int l = settle_with_state_version(&c, version);
    for (int i = 0; i < VOTERS; i++) {
        struct quorum_view v = view_of(&c, i);
        char vote[64];
        snprintf(vote, sizeof vote, "^vote candidate=%d epoch=1 granted=yes", l + 1);
        bool granted = event_find(&c, 0, i, TRACE_RAFT_VOTE, vote) >= 0;
        ck_assert_int_eq(v.voted_id, i == l ? -1 : granted ? l + 1 : -1);
        char expect[512], text[1024];
        expected_state(&v, version, expect, sizeof expect);
        ck_assert_int_gt(file_text(&c, i, STATE_FILE, text, sizeof text), 0);
        char *newline = strchr(text, '\n');
        ck_assert_msg(newline == NULL || newline[1] == '\0', "more than one line: %s", text);
        if (newline != NULL) {
            *newline = '\0';
        }
        ck_assert_str_eq(text, expect);
        /* The temporary file was renamed over quorum-state, not left behind. */
        ck_assert_int_lt(disk_size(&world_host(c.w, i)->disk, STATE_FILE ".tmp"), 0);
    }
    /* In this seed both followers granted the winner's vote. */
    for (int i = 0; i < VOTERS; i++) {
        ck_assert_int_eq(view_of(&c, i).voted_id, i == l ? -1 : l + 1);
    }
    cluster_free(&c);
}

START_TEST(quorum_state_after_an_election_is_kafka_data_version_1_json)
{
    check_state_files(1);
}
END_TEST

START_TEST(quorum_state_version_0_is_the_3_x_shape_with_cluster_id_and_current_voters)
{
    check_state_files(0);
}
END_TEST

/*
 * Fixed (was broker/node.c format_state): FileQuorumStateStore writes `jsonState.toString()` and
 * nothing else, no line terminator (apache/kafka raft/.../FileQuorumStateStore.java,
 * writeElectionStateToFile); node.c appends "\n", so the file is one byte longer than Kafka's.
 */
START_TEST(quorum_state_file_bytes_are_kafkas_exactly_without_a_trailing_newline)
{
    for (int version = 0; version <= 1; version++) {
        struct cluster c;
        int l = settle_with_state_version(&c, version);
        struct quorum_view v = view_of(&c, (l + 1) % VOTERS);
        char expect[512], text[1024];
        expected_state(&v, version, expect, sizeof expect);
        ck_assert_int_eq(file_text(&c, (l + 1) % VOTERS, STATE_FILE, text, sizeof text),
                         (int64_t)strlen(expect));
        ck_assert_str_eq(text, expect);
        cluster_free(&c);
    }
}
END_TEST

/* When `follower` last got an answer to a Fetch from `leader`, at or before `until`. */
static time_ns last_fetch_answer(const struct cluster *c, int follower, int leader,
                                 time_ns until)
{
    time_ns last = -1;
    for (size_t i = 0; i < c->frame_count; i++) {
        const struct frame *f = &c->frames[i];
        if (f->to == follower && f->from == leader && f->channel == ENV_CHANNEL_RESPONSE &&
            f->api_key == KAFKA_API_FETCH && f->delivered <= until) {
            last = f->delivered;
        }
    }
    return last;
}

/* The followers of `old` give up on it exactly one fetch timeout after their last answer. */
static void check_fetch_timeouts(struct cluster *c, int old, time_ns isolated)
{
    const struct quorum_config *q = &c->cfg[0].quorum;
    for (int i = 0; i < VOTERS; i++) {
        if (i == old) {
            continue;
        }
        size_t from = 0;
        while (from < c->event_count && c->events[from].time < isolated) {
            from++;
        }
        time_ns gave_up = event_time(c, from, i, TRACE_RAFT_STATE,
                                     "^role=Prospective epoch=1 from=Follower");
        ck_assert_int_eq(gave_up, last_fetch_answer(c, i, old, isolated) + q->fetch_timeout);
    }
}

/* When `leader` last handled a Fetch from `voter`. */
static time_ns last_fetch_from(const struct cluster *c, int leader, int voter)
{
    time_ns last = -1;
    for (size_t i = 0; i < c->frame_count; i++) {
        const struct frame *f = &c->frames[i];
        if (f->to == leader && f->from == voter && f->channel == ENV_CHANNEL_REQUEST &&
            f->api_key == KAFKA_API_FETCH) {
            last = f->delivered;
        }
    }
    return last;
}

/* The time the leader last handled a Fetch from any other voter, at or before `until`. */
static time_ns last_fetch_at(const struct cluster *c, int leader, time_ns until)
{
    time_ns last = -1;
    for (size_t i = 0; i < c->frame_count; i++) {
        const struct frame *f = &c->frames[i];
        if (f->to == leader && f->from < VOTERS && f->channel == ENV_CHANNEL_REQUEST &&
            f->api_key == KAFKA_API_FETCH && f->delivered <= until) {
            last = f->delivered;
        }
    }
    return last;
}

struct new_leader {
    struct cluster *c;
    int old;
    int32_t epoch;
};

/* A host other than `old` leads in an epoch above `epoch`. */
static bool new_leader_elected(void *arg)
{
    struct new_leader *n = arg;
    for (int i = 0; i < VOTERS; i++) {
        struct quorum_view v = view_of(n->c, i);
        if (i != n->old && v.role == QUORUM_LEADER && v.epoch > n->epoch) {
            return true;
        }
    }
    return false;
}

/* Runs until the hosts other than `old` elect a leader above `epoch`; returns its host. */
static int await_new_leader(struct cluster *c, int old, int32_t epoch, time_ns deadline)
{
    struct new_leader n = {c, old, epoch};
    ck_assert_msg(sched_run_until_pred(&c->w->sched, new_leader_elected, &n, deadline),
                  "no leader above epoch %d by %" PRId64, epoch, deadline);
    for (int i = 0; i < VOTERS; i++) {
        struct quorum_view v = view_of(c, i);
        if (i != old && v.role == QUORUM_LEADER && v.epoch > epoch) {
            return i;
        }
    }
    return -1;
}

START_TEST(leader_isolated_with_check_quorum_resigns_1_5_fetch_timeouts_after_last_fetch)
{
    /* Three voters settle; at 3 s the leader is cut off from everyone, both ways. */
    struct cluster c;
    cluster_init(&c, 1, 1 * NS_PER_MS);
    const struct quorum_config *q = &c.cfg[0].quorum;
    int old = run_settled_until_3s(&c);
    int32_t epoch = view_of(&c, old).epoch;
    time_ns isolated = world_now(c.w);
    net_isolate(&c.w->net, old);
    /* Check quorum (3.7+): it resigns exactly 1.5 fetch timeouts after the last Fetch it
     * handled, which came at most one long poll (500 ms) plus a round trip before the cut. */
    time_ns heard = last_fetch_at(&c, old, isolated);
    time_ns resigned = await_event(&c, old, TRACE_RAFT_RESIGN, "reason=check-quorum",
                                   isolated + 5 * NS_PER_S);
    ck_assert_int_eq(resigned, heard + q->fetch_timeout * 3 / 2);
    ck_assert_int_le(resigned, isolated + q->fetch_timeout * 3 / 2);
    ck_assert_int_gt(resigned, isolated + q->fetch_timeout * 3 / 2 - 500 * NS_PER_MS -
                                   2 * LATENCY - c.fsync);
    char detail[64];
    snprintf(detail, sizeof detail, "^epoch=%d reason=check-quorum", epoch);
    ck_assert_int_eq(event_count(&c, old, TRACE_RAFT_RESIGN, detail, resigned, resigned), 1);
    ck_assert_int_eq(view_of(&c, old).role, QUORUM_RESIGNED);
    /* The majority elects one of its own in a later epoch: each follower stands exactly one
     * fetch timeout after its last answer; the two fetch in lockstep here, so they stand at
     * the same instant, grant each other's pre-vote, split the vote in epoch 2 and need one
     * more round of [T, 2T) to elect in epoch 3. */
    int fresh = await_new_leader(&c, old, epoch, isolated + 10 * NS_PER_S);
    time_ns elected = world_now(c.w);
    check_fetch_timeouts(&c, old, isolated);
    int32_t fresh_epoch = view_of(&c, fresh).epoch;
    ck_assert_int_eq(fresh_epoch, epoch + 2);
    ck_assert_int_le(elected, isolated + q->fetch_timeout + 2 * 2 * q->election_timeout);
    /* Alone, the old leader never gets past epoch + 1: Resigned moves to Unattached(epoch + 1)
     * after an election timeout, and from there its pre-votes reach no one. */
    world_run_until(c.w, isolated + 8 * NS_PER_S);
    ck_assert_int_eq(view_of(&c, old).epoch, epoch + 1);
    ck_assert_int_eq(view_of(&c, old).leader_id, -1);
    ck_assert_int_eq(event_count(&c, old, TRACE_RAFT_STATE, "role=Candidate", isolated,
                                 world_now(c.w)), 0);
    /* Healed, it follows the new leader; it had nothing uncommitted, so nothing is cut. */
    net_heal(&c.w->net);
    run_until_settled(&c, world_now(c.w) + 5 * NS_PER_S);
    ck_assert_int_eq(leader_host(&c), fresh);
    ck_assert_int_eq(view_of(&c, old).role, QUORUM_FOLLOWER);
    ck_assert_int_eq(view_of(&c, old).epoch, fresh_epoch);
    ck_assert_int_eq(event_count(&c, -1, TRACE_RAFT_TRUNCATE, "", 0, world_now(c.w)), 0);
    ck_assert_int_eq(event_count(&c, -1, TRACE_RAFT_BECAME_LEADER, "", 0, world_now(c.w)), 2);
    cluster_free(&c);
}
END_TEST

START_TEST(leader_isolated_10s_without_check_quorum_stays_leader_of_its_old_epoch)
{
    /* Kafka before 3.7: no check quorum. The leader is cut off from 3 s to 13 s. */
    struct cluster c;
    cluster_init(&c, 1, 1 * NS_PER_MS);
    for (int i = 0; i < VOTERS; i++) {
        c.cfg[i].quorum.check_quorum = false;
    }
    int old = run_settled_until_3s(&c);
    int32_t epoch = view_of(&c, old).epoch;
    time_ns isolated = world_now(c.w);
    net_isolate(&c.w->net, old);
    /* The majority moves on to a later epoch (here epoch + 2, after the same split vote as
     * with check quorum on) ... */
    int fresh = await_new_leader(&c, old, epoch, isolated + 10 * NS_PER_S);
    check_fetch_timeouts(&c, old, isolated);
    int32_t fresh_epoch = view_of(&c, fresh).epoch;
    ck_assert_int_eq(fresh_epoch, epoch + 2);
    /* ... while the isolated node never notices: not one state change in 10 s. */
    time_ns healed = isolated + 10 * NS_PER_S;
    world_run_until(c.w, healed);
    ck_assert_int_eq(event_count(&c, old, TRACE_RAFT_STATE, "", isolated, healed), 0);
    ck_assert_int_eq(event_count(&c, old, TRACE_RAFT_RESIGN, "", isolated, healed), 0);
    ck_assert_int_eq(view_of(&c, old).role, QUORUM_LEADER);
    ck_assert_int_eq(view_of(&c, old).epoch, epoch);
    /* Healed, the first message from the new epoch demotes it to the new leader's follower. */
    net_heal(&c.w->net);
    run_until_settled(&c, healed + 5 * NS_PER_S);
    ck_assert_int_eq(leader_host(&c), fresh);
    ck_assert_int_eq(view_of(&c, old).role, QUORUM_FOLLOWER);
    ck_assert_int_eq(view_of(&c, old).epoch, fresh_epoch);
    cluster_free(&c);
}
END_TEST

/* The 3.x quorum: no pre-vote (KIP-996), no check quorum (3.7), exponential backoff straight
 * back to Candidate, and the RPC versions before 3.9. */
static void kafka_3_x(struct cluster *c)
{
    for (int i = 0; i < VOTERS; i++) {
        struct quorum_config *q = &c->cfg[i].quorum;
        q->pre_vote = false;
        q->check_quorum = false;
        q->lost_election_backoff = QUORUM_BACKOFF_EXPONENTIAL;
        q->vote_version = 0;
        q->begin_quorum_epoch_version = 0;
        q->end_quorum_epoch_version = 0;
    }
}

/* Settles, lets the quorum run until 3 s, then cuts off the lowest-numbered follower for
 * `length`. Returns that follower; *leader and *epoch describe the quorum before the cut. */
static int isolate_a_follower(struct cluster *c, time_ns length, int *leader, int32_t *epoch)
{
    *leader = run_settled_until_3s(c);
    *epoch = view_of(c, *leader).epoch;
    int f = *leader == 0 ? 1 : 0;
    net_isolate(&c->w->net, f);
    world_run_until(c->w, 3 * NS_PER_S + length);
    return f;
}

START_TEST(follower_isolated_20s_with_pre_vote_keeps_its_epoch_and_the_leader_undisturbed)
{
    /* Trunk: a follower cut off from 3 s to 23 s times out, stands as Prospective, hears no
     * pre-vote answer, falls back to Follower, and does it again: never into a new epoch. */
    struct cluster c;
    cluster_init(&c, 1, 1 * NS_PER_MS);
    const struct quorum_config *q = &c.cfg[0].quorum;
    int l;
    int32_t epoch;
    const time_ns length = 20 * NS_PER_S, isolated = 3 * NS_PER_S, healed = isolated + length;
    int f = isolate_a_follower(&c, length, &l, &epoch);
    char same[48];
    snprintf(same, sizeof same, "epoch=%d ", epoch);
    int changes = event_count(&c, f, TRACE_RAFT_STATE, "", isolated, healed);
    ck_assert_int_eq(event_count(&c, f, TRACE_RAFT_STATE, same, isolated, healed), changes);
    ck_assert_int_eq(view_of(&c, f).epoch, epoch);
    /* One round per fetch timeout plus a [T, 2T) pre-vote round; the first within a long
     * poll of the cut plus one fetch timeout. */
    int rounds = event_count(&c, f, TRACE_RAFT_STATE, "^role=Prospective", isolated, healed);
    time_ns round_max = q->fetch_timeout + 2 * q->election_timeout;
    time_ns round_min = q->fetch_timeout + q->election_timeout;
    ck_assert_int_ge(rounds, 1 + (int)((length - q->fetch_timeout) / round_max));
    ck_assert_int_le(rounds, 1 + (int)((length - q->fetch_timeout + 500 * NS_PER_MS) /
                                       round_min));
    ck_assert_int_eq(event_count(&c, f, TRACE_RAFT_STATE, "^role=Candidate", isolated, healed),
                     0);
    /* Meanwhile the leader led on, undisturbed. */
    ck_assert_int_eq(view_of(&c, l).role, QUORUM_LEADER);
    ck_assert_int_eq(view_of(&c, l).epoch, epoch);
    /* Healed, the follower rejoins the same leader in the same epoch: nobody granted it a
     * pre-vote (the leader never does; the other follower has fetched from its leader). */
    net_heal(&c.w->net);
    run_until_settled(&c, healed + 10 * NS_PER_S);
    ck_assert_int_eq(leader_host(&c), l);
    ck_assert_int_eq(view_of(&c, f).epoch, epoch);
    ck_assert_int_eq(event_count(&c, -1, TRACE_RAFT_BECAME_LEADER, "", 0, world_now(c.w)), 1);
    char granted[48];
    snprintf(granted, sizeof granted, "candidate=%d epoch=%d granted=yes", f + 1, epoch);
    ck_assert_int_eq(event_count(&c, -1, TRACE_RAFT_VOTE, granted, isolated, world_now(c.w)), 0);
    cluster_free(&c);
}
END_TEST

START_TEST(follower_isolated_10s_on_kafka_3_x_without_pre_vote_climbs_epochs_and_disrupts)
{
    /* Kafka 3.x: the same cut follower stands as Candidate in a new epoch every [T, 2T),
     * while the leader commits three records with the other follower. */
    struct cluster c;
    cluster_init(&c, 1, 1 * NS_PER_MS);
    kafka_3_x(&c);
    const struct quorum_config *q = &c.cfg[0].quorum;
    int l;
    int32_t epoch;
    const time_ns length = 10 * NS_PER_S, isolated = 3 * NS_PER_S, healed = isolated + length;
    int f = isolate_a_follower(&c, 0, &l, &epoch);
    for (int i = 0; i < 3; i++) {
        ck_assert(append_config(world_host(c.w, l)->proc, "committed"));
    }
    world_run_until(c.w, healed);
    ck_assert_int_eq(view_of(&c, l).high_watermark, 4);
    int stood = event_count(&c, f, TRACE_RAFT_STATE, "^role=Candidate", isolated, healed);
    ck_assert_int_ge(stood, 1 + (int)((length - q->fetch_timeout) / (2 * q->election_timeout)));
    ck_assert_int_le(stood, 1 + (int)((length - q->fetch_timeout + 500 * NS_PER_MS) /
                                      q->election_timeout));
    int32_t climbed = view_of(&c, f).epoch;
    ck_assert_int_eq(climbed, epoch + stood);
    /* The leader, meanwhile, still leads the old epoch. */
    ck_assert_int_eq(view_of(&c, l).role, QUORUM_LEADER);
    ck_assert_int_eq(view_of(&c, l).epoch, epoch);
    /* Healed, its first message (here its answer to the leader's BeginQuorumEpoch) carries an
     * epoch above the leader's, which steps down: the disruptive server KIP-996 fixes. */
    net_heal(&c.w->net);
    run_until_settled(&c, healed + 10 * NS_PER_S);
    char down[48];
    snprintf(down, sizeof down, "^role=Unattached epoch=%d ", climbed);
    ck_assert_int_eq(event_count(&c, l, TRACE_RAFT_STATE, down, healed, world_now(c.w)), 1);
    time_ns stepped_down = event_time(&c, 0, l, TRACE_RAFT_STATE, down);
    long k = frame_find(&c, 0, f, l, ENV_CHANNEL_RESPONSE, KAFKA_API_BEGIN_QUORUM_EPOCH);
    while (k >= 0 && c.frames[k].delivered != stepped_down) {
        k = frame_find(&c, (size_t)k + 1, f, l, ENV_CHANNEL_RESPONSE,
                       KAFKA_API_BEGIN_QUORUM_EPOCH);
    }
    ck_assert_int_ge(k, 0);
    ck_assert_int_ge(view_of(&c, leader_host(&c)).epoch, climbed);
    /* But its log lacks the committed records, so no voter grants it (Raft's election
     * restriction): another node leads, and the records survive on every node. */
    ck_assert_int_gt(votes_for(&c, f, false, healed, world_now(c.w)), 0);
    ck_assert_int_eq(votes_for(&c, f, true, healed, world_now(c.w)), 0);
    ck_assert_int_ne(leader_host(&c), f);
    ck_assert_int_ge(view_of(&c, f).high_watermark, 4);
    check_logs_identical(&c);
    cluster_free(&c);
}
END_TEST

static void decode_end_quorum_epoch(const struct frame *f, struct wire_arena *a,
                                    struct end_quorum_epoch_request *out)
{
    struct kheader_request h;
    struct wire_reader body;
    ck_assert_int_eq(kheader_request_decode_frame(f->bytes, f->len, a, &h, &body), 0);
    ck_assert_int_eq(end_quorum_epoch_request_decode(&body, h.api_version, a, out), 0);
}

START_TEST(leader_resigns_gracefully_and_its_first_preferred_successor_stands_at_once)
{
    /* Three voters settle and run until 3 s; then the leader resigns (a clean shutdown). */
    struct cluster c;
    cluster_init(&c, 1, 1 * NS_PER_MS);
    const struct quorum_config *q = &c.cfg[0].quorum;
    int old = run_settled_until_3s(&c);
    int32_t epoch = view_of(&c, old).epoch;
    /* Both followers hold the whole log, so the successors go in voter order. */
    int first = old == 0 ? 1 : 0, second = VOTERS - old - first;
    size_t frames_before = c.frame_count;
    time_ns resigned = world_now(c.w);
    node_resign(world_host(c.w, old)->proc);
    run_until_settled(&c, resigned + q->fetch_timeout);
    /* EndQuorumEpoch went to both followers at once, naming [first, second]. */
    for (int i = 0; i < VOTERS; i++) {
        if (i == old) {
            continue;
        }
        long k = frame_find(&c, frames_before, old, i, ENV_CHANNEL_REQUEST,
                            KAFKA_API_END_QUORUM_EPOCH);
        ck_assert_int_ge(k, 0);
        ck_assert_int_eq(c.frames[k].sent, resigned);
        struct wire_arena a;
        wire_arena_init(&a);
        struct end_quorum_epoch_request req;
        decode_end_quorum_epoch(&c.frames[k], &a, &req);
        const struct end_quorum_epoch_request_partition *p = &req.topics[0].partitions[0];
        ck_assert_int_eq(p->leader_id, old + 1);
        ck_assert_int_eq(p->leader_epoch, epoch);
        ck_assert_int_eq(p->preferred_candidate_count, 2);
        ck_assert_int_eq(p->preferred_candidates[0].candidate_id, first + 1);
        ck_assert_int_eq(p->preferred_candidates[1].candidate_id, second + 1);
        wire_arena_free(&a);
    }
    /* The first successor's fetch timeout drops to 0: it stands on arrival, the resigned
     * leader grants its pre-vote (the other follower, still fetching, does not), and it wins
     * epoch + 1 after its own and a voter's quorum-state fsync: 5 latencies and 2 fsyncs. */
    ck_assert_int_eq(leader_host(&c), first);
    ck_assert_int_eq(event_time(&c, 0, first, TRACE_RAFT_STATE,
                                "^role=Prospective epoch=1 from=Follower"), resigned + LATENCY);
    char pre_vote[64];
    snprintf(pre_vote, sizeof pre_vote, "^pre-vote candidate=%d epoch=%d granted=", first + 1,
             epoch);
    ck_assert_int_eq(event_count(&c, old, TRACE_RAFT_VOTE, pre_vote, 0, resigned + 2 * LATENCY),
                     1);
    ck_assert(strstr(c.events[event_find(&c, 0, old, TRACE_RAFT_VOTE, pre_vote)].detail,
                     "granted=yes") != NULL);
    ck_assert(strstr(c.events[event_find(&c, 0, second, TRACE_RAFT_VOTE, pre_vote)].detail,
                     "granted=no") != NULL);
    time_ns elected = event_time(&c, 0, first, TRACE_RAFT_BECAME_LEADER, "epoch=2 ");
    ck_assert_int_eq(elected, resigned + 5 * LATENCY + 2 * c.fsync);
    ck_assert_int_lt(elected - resigned, q->fetch_timeout);
    ck_assert_int_eq(view_of(&c, first).epoch, epoch + 1);
    ck_assert_int_eq(view_of(&c, old).role, QUORUM_FOLLOWER);
    cluster_free(&c);
}
END_TEST

/* The answer that made `follower` truncate at `when`: a Fetch response from `leader`,
 * delivered then, with DivergingEpoch (epoch, 1) and no records (KRAFT.md 3.6). */
static void check_diverging_answer(struct cluster *c, int leader, int follower, time_ns when,
                                   int32_t epoch)
{
    const struct frame *f = NULL;
    for (size_t i = 0; i < c->frame_count && f == NULL; i++) {
        const struct frame *g = &c->frames[i];
        bool match = g->from == leader && g->to == follower && g->delivered == when &&
                     g->channel == ENV_CHANNEL_RESPONSE && g->api_key == KAFKA_API_FETCH;
        f = match ? g : NULL;
    }
    ck_assert_ptr_nonnull(f);
    struct wire_arena a;
    wire_arena_init(&a);
    struct kheader_response h;
    struct wire_reader body;
    struct fetch_response r;
    ck_assert_int_eq(kheader_response_decode_frame(f->bytes, f->len, f->api_key, f->api_version,
                                                   &h, &body), 0);
    ck_assert_int_eq(fetch_response_decode(&body, f->api_version, &a, &r), 0);
    const struct fetch_response_partition *p = &r.topics[0].partitions[0];
    ck_assert_int_eq(p->error_code, 0);
    ck_assert_int_eq(p->diverging_epoch.epoch, epoch);
    ck_assert_int_eq(p->diverging_epoch.end_offset, 1);
    ck_assert(p->records.ptr == NULL || p->records.len == 0);
    wire_arena_free(&a);
}

START_TEST(deposed_leader_truncates_its_uncommitted_batch_to_the_new_leaders_log)
{
    /* Three voters settle; at 3 s the leader is cut off, and still takes three records: one
     * batch at offset 1 of its epoch, after the 25 ms linger, that no follower will fetch. */
    struct cluster c;
    cluster_init(&c, 1, 1 * NS_PER_MS);
    const struct quorum_config *q = &c.cfg[0].quorum;
    int old = run_settled_until_3s(&c);
    int32_t epoch = view_of(&c, old).epoch;
    time_ns isolated = world_now(c.w);
    net_isolate(&c.w->net, old);
    void *old_proc = world_host(c.w, old)->proc;
    for (int i = 1; i <= 3; i++) {
        char value[8];
        snprintf(value, sizeof value, "a%d", i);
        ck_assert(append_config(old_proc, value));
    }
    char appended[64];
    snprintf(appended, sizeof appended, "^epoch=%d offset=1 records=3", epoch);
    ck_assert_int_eq(await_event(&c, old, TRACE_RAFT_APPEND, appended, isolated + NS_PER_S),
                     isolated + q->append_linger);
    ck_assert_int_eq(view_of(&c, old).log_end_offset, 4);
    ck_assert_int_eq(view_of(&c, old).high_watermark, 1);
    /* The majority elects a new leader, whose leader change lands at offset 1, and commits
     * two records of its own at offsets 2..3. */
    int fresh = await_new_leader(&c, old, epoch, isolated + 10 * NS_PER_S);
    int32_t fresh_epoch = view_of(&c, fresh).epoch;
    ck_assert(append_config(world_host(c.w, fresh)->proc, "b1"));
    ck_assert(append_config(world_host(c.w, fresh)->proc, "b2"));
    await_event(&c, fresh, TRACE_RAFT_HIGH_WATERMARK, "to=4", world_now(c.w) + NS_PER_S);
    /* Healed at 11 s. The old leader fetches at (offset 4, epoch E); the new leader knows
     * epoch E only up to offset 1 and answers DivergingEpoch (E, 1); it truncates to 1. */
    world_run_until(c.w, isolated + 8 * NS_PER_S);
    size_t healed_at = c.event_count;
    net_heal(&c.w->net);
    run_until_settled(&c, world_now(c.w) + 5 * NS_PER_S);
    char cut[64];
    snprintf(cut, sizeof cut, "^to=1 diverging_epoch=%d leo=1", epoch);
    long k = event_find(&c, healed_at, old, TRACE_RAFT_TRUNCATE, cut);
    ck_assert_int_ge(k, 0);
    check_diverging_answer(&c, fresh, old, c.events[k].time, epoch);
    ck_assert_int_eq(event_count(&c, -1, TRACE_RAFT_TRUNCATE, "", 0, world_now(c.w)), 1);
    ck_assert_int_eq(event_count(&c, -1, TRACE_RAFT_ERROR, "", 0, world_now(c.w)), 0);
    /* It ends with the new leader's log: (0, E, control), (1, E', control), (2..3, E'). */
    check_logs_identical(&c);
    const struct raft_log *log = node_log(old_proc);
    ck_assert_uint_eq(log->batch_count, 3);
    ck_assert_int_eq(log->batches[0].epoch, epoch);
    ck_assert_int_eq(log->batches[1].epoch, fresh_epoch);
    ck_assert(log->batches[1].control);
    ck_assert_int_eq(log->batches[2].base_offset, 2);
    ck_assert_int_eq(log->batches[2].last_offset, 3);
    ck_assert_int_eq(log->batches[2].epoch, fresh_epoch);
    ck_assert(!log->batches[2].control);
    cluster_free(&c);
}
END_TEST

/* Sends a request frame from the client host, as a Kafka admin client would. */
static void client_send(struct cluster *c, int to, int16_t api_key, int16_t version,
                        int32_t correlation_id, const struct wire_writer *body)
{
    struct wire_writer w;
    wire_writer_init(&w);
    size_t mark = kheader_frame_begin(&w);
    struct kheader_request h = {.api_key = api_key, .api_version = version,
                                .correlation_id = correlation_id, .client_id = "adminclient-1"};
    ck_assert_int_eq(kheader_request_encode(&w, &h, kheader_request_version(api_key, version)),
                     0);
    wire_write_raw(&w, body->bytes, body->len);
    kheader_frame_end(&w, mark);
    ck_assert_int_eq(w.err, 0);
    net_send(&c->w->net, SPARE, to, ENV_CHANNEL_REQUEST, w.bytes, w.len);
    wire_writer_free(&w);
}

/* The client's answer from `from` with this correlation id. */
static const struct frame *client_answer(const struct cluster *c, int from,
                                         int32_t correlation_id)
{
    for (size_t i = 0; i < c->frame_count; i++) {
        const struct frame *f = &c->frames[i];
        if (f->to == SPARE && f->from == from && f->correlation_id == correlation_id) {
            ck_assert_int_eq(f->channel, ENV_CHANNEL_RESPONSE);
            return f;
        }
    }
    ck_abort_msg("no answer from h%d to correlation id %d", from, correlation_id);
    return NULL;
}

static void send_describe_quorum(struct cluster *c, int to, int32_t correlation_id)
{
    int32_t partition = 0;
    struct describe_quorum_request_topic topic = {
        .topic_name = QUORUM_TOPIC, .partition_count = 1, .partition_indexes = &partition};
    struct describe_quorum_request req = {.topic_count = 1, .topics = &topic};
    struct wire_writer body;
    wire_writer_init(&body);
    ck_assert_int_eq(describe_quorum_request_encode(&body, &req, 2), 0);
    client_send(c, to, KAFKA_API_DESCRIBE_QUORUM, 2, correlation_id, &body);
    wire_writer_free(&body);
}

static const struct describe_quorum_response_partition *
decode_describe_quorum(const struct frame *f, struct wire_arena *a,
                       struct describe_quorum_response *r)
{
    struct kheader_response h;
    struct wire_reader body;
    ck_assert_int_eq(f->api_key, KAFKA_API_DESCRIBE_QUORUM);
    ck_assert_int_eq(kheader_response_decode_frame(f->bytes, f->len, f->api_key, f->api_version,
                                                   &h, &body), 0);
    ck_assert_int_eq(describe_quorum_response_decode(&body, f->api_version, a, r), 0);
    ck_assert_int_eq(r->error_code, 0);
    ck_assert_int_eq(r->topic_count, 1);
    ck_assert_str_eq(r->topics[0].topic_name, QUORUM_TOPIC);
    ck_assert_int_eq(r->topics[0].partition_count, 1);
    return &r->topics[0].partitions[0];
}

/* The leader's answer: itself, its epoch and HW, and every voter at the log end `end`, with
 * its last fetch as both timestamps (each fetch asked for the log end); the leader reports
 * `now_ms` for itself. */
static void check_describe_partition(struct cluster *c,
                                     const struct describe_quorum_response_partition *p, int l,
                                     int64_t end, int64_t now_ms)
{
    ck_assert_int_eq(p->error_code, 0);
    ck_assert_int_eq(p->leader_id, l + 1);
    ck_assert_int_eq(p->leader_epoch, view_of(c, l).epoch);
    ck_assert_int_eq(p->high_watermark, end);
    ck_assert_int_eq(p->current_voter_count, VOTERS);
    ck_assert_int_eq(p->observer_count, 0);
    for (int i = 0; i < VOTERS; i++) {
        const struct describe_quorum_replica_state *r = &p->current_voters[i];
        int64_t fetched_ms = i == l ? now_ms : last_fetch_from(c, l, i) / NS_PER_MS;
        ck_assert_int_eq(r->replica_id, i + 1);
        ck_assert_int_eq(r->log_end_offset, end);
        ck_assert_int_eq(r->last_fetch_timestamp, fetched_ms);
        ck_assert_int_eq(r->last_caught_up_timestamp, fetched_ms);
    }
}

/* Settles, commits five records (one batch at 1..5) and runs on until 3 s. */
static int settle_with_five_records(struct cluster *c)
{
    cluster_init(c, 1, 1 * NS_PER_MS);
    cluster_start(c);
    run_until_settled(c, 3 * NS_PER_S);
    int l = leader_host(c);
    for (int i = 0; i < 5; i++) {
        ck_assert(append_config(world_host(c->w, l)->proc, "record"));
    }
    await_event(c, l, TRACE_RAFT_HIGH_WATERMARK, "to=6", 3 * NS_PER_S);
    run_until_settled(c, 3 * NS_PER_S);
    world_run_until(c->w, 3 * NS_PER_S);
    return l;
}

START_TEST(describe_quorum_on_the_leader_reports_voters_end_offsets_and_high_watermark)
{
    struct cluster c;
    int l = settle_with_five_records(&c);
    /* Asked directly, the leader describes the quorum; no other node does. */
    struct wire_arena a;
    wire_arena_init(&a);
    struct describe_quorum_response r;
    ck_assert(quorum_describe(node_quorum(world_host(c.w, l)->proc), &a, &r));
    ck_assert_int_eq(r.topic_count, 1);
    int64_t leader_now_ms = node_quorum(world_host(c.w, l)->proc)->now / NS_PER_MS;
    check_describe_partition(&c, &r.topics[0].partitions[0], l, 6, leader_now_ms);
    for (int i = 0; i < VOTERS; i++) {
        ck_assert(i == l || !quorum_describe(node_quorum(world_host(c.w, i)->proc), &a, &r));
    }
    wire_arena_free(&a);
    /* On the wire, DescribeQuorum v2 from the client: the leader answers on arrival, with
     * that instant as its own timestamps; a follower answers NOT_LEADER_OR_FOLLOWER. */
    int f = l == 0 ? 1 : 0;
    time_ns asked = world_now(c.w);
    send_describe_quorum(&c, l, 101);
    send_describe_quorum(&c, f, 102);
    world_run_until(c.w, asked + 10 * NS_PER_MS);
    const struct frame *answer = client_answer(&c, l, 101);
    ck_assert_int_eq(answer->sent, asked + LATENCY);
    wire_arena_init(&a);
    const struct describe_quorum_response_partition *p = decode_describe_quorum(answer, &a, &r);
    check_describe_partition(&c, p, l, 6, (asked + LATENCY) / NS_PER_MS);
    p = decode_describe_quorum(client_answer(&c, f, 102), &a, &r);
    ck_assert_int_eq(p->error_code, KAFKA_NOT_LEADER_OR_FOLLOWER);
    ck_assert_int_eq(p->current_voter_count, 0);
    wire_arena_free(&a);
    cluster_free(&c);
}
END_TEST

/*
 * Fixed (was broker/raft/quorum.c quorum_describe): DescribeQuorum v2 (KIP-853) answers
 * per voter with its listeners (RaftUtil.singletonDescribeQuorumResponse: "if (apiVersion >=
 * 2) ... response.setNodes(nodes)"); quorum_describe leaves node_count 0. The static voters'
 * endpoints are controller-1..3:9093.
 */
START_TEST(describe_quorum_v2_names_every_voters_endpoint_in_nodes)
{
    struct cluster c;
    int l = settle_with_five_records(&c);
    send_describe_quorum(&c, l, 103);
    world_run_until(c.w, world_now(c.w) + 10 * NS_PER_MS);
    struct wire_arena a;
    wire_arena_init(&a);
    struct describe_quorum_response r;
    decode_describe_quorum(client_answer(&c, l, 103), &a, &r);
    ck_assert_int_eq(r.node_count, VOTERS);
    for (int i = 0; i < VOTERS; i++) {
        ck_assert_int_eq(r.nodes[i].node_id, i + 1);
        ck_assert_int_eq(r.nodes[i].listener_count, 1);
        ck_assert_str_eq(r.nodes[i].listeners[0].host, host_names[i]);
        ck_assert_int_eq(r.nodes[i].listeners[0].port, 9093);
    }
    wire_arena_free(&a);
    cluster_free(&c);
}
END_TEST

/* A Vote request as the test writes it: epoch, last (epoch, offset), pre-vote, and the ids. */
struct vote_ask {
    const char *cluster_id;
    const char *topic;
    int32_t voter_id;
    int32_t replica_id;
    int32_t replica_epoch;
    int32_t last_epoch;
    int64_t last_offset;
    bool pre_vote;
};

/* Sends `ask` as a Vote of this version (v0 as a 3.x controller speaks it, v2 as trunk). */
static void send_vote_version(struct cluster *c, int to, int32_t correlation_id,
                              const struct vote_ask *ask, int16_t version)
{
    struct vote_request_partition part = {
        .partition_index = 0, .replica_epoch = ask->replica_epoch, .replica_id = ask->replica_id,
        .last_offset_epoch = ask->last_epoch, .last_offset = ask->last_offset,
        .pre_vote = ask->pre_vote};
    struct vote_request_topic topic = {
        .topic_name = ask->topic, .partition_count = 1, .partitions = &part};
    struct vote_request req;
    vote_request_init(&req);
    req.cluster_id = ask->cluster_id;
    req.voter_id = ask->voter_id;
    req.topic_count = 1;
    req.topics = &topic;
    struct wire_writer body;
    wire_writer_init(&body);
    ck_assert_int_eq(vote_request_encode(&body, &req, version), 0);
    client_send(c, to, KAFKA_API_VOTE, version, correlation_id, &body);
    wire_writer_free(&body);
}

static void send_vote(struct cluster *c, int to, int32_t correlation_id,
                      const struct vote_ask *ask)
{
    send_vote_version(c, to, correlation_id, ask, 2);
}

START_TEST(vote_with_another_cluster_id_is_refused_with_top_level_inconsistent_cluster_id)
{
    /* A settled quorum; at 3 s the client sends a follower a Vote v2 from another cluster,
     * in a far higher epoch that would otherwise unseat it. */
    struct cluster c;
    int f;
    int l = settle_until_3s(&c, &f);
    int32_t epoch = view_of(&c, f).epoch;
    time_ns asked = world_now(c.w);
    struct vote_ask ask = {.cluster_id = "AAAAAAAAAAAAAAAAAAAAAw", .topic = QUORUM_TOPIC,
                           .voter_id = f + 1, .replica_id = l + 1, .replica_epoch = epoch + 5,
                           .last_epoch = epoch, .last_offset = 1, .pre_vote = false};
    send_vote(&c, f, 201, &ask);
    /* The same request from our own cluster, but a pre-vote in an epoch already over. */
    struct vote_ask stale = ask;
    stale.cluster_id = c.cfg[0].cluster_id;
    stale.replica_epoch = epoch - 1;
    stale.last_epoch = epoch - 1;
    stale.pre_vote = true;
    send_vote(&c, f, 202, &stale);
    world_run_until(c.w, asked + 10 * NS_PER_MS);
    /* Answered on arrival (nothing to persist): top-level INCONSISTENT_CLUSTER_ID, no topics. */
    const struct frame *answer = client_answer(&c, f, 201);
    ck_assert_int_eq(answer->sent, asked + LATENCY);
    struct wire_arena a;
    wire_arena_init(&a);
    struct vote_response r;
    decode_vote_response(answer, &a, &r);
    ck_assert_int_eq(r.error_code, KAFKA_INCONSISTENT_CLUSTER_ID);
    ck_assert_int_eq(r.topic_count, 0);
    /* The stale one: FENCED_LEADER_EPOCH in the partition, with the current leader. */
    decode_vote_response(client_answer(&c, f, 202), &a, &r);
    ck_assert_int_eq(r.error_code, 0);
    ck_assert_int_eq(r.topic_count, 1);
    const struct vote_response_partition *p = &r.topics[0].partitions[0];
    ck_assert_int_eq(p->error_code, KAFKA_FENCED_LEADER_EPOCH);
    ck_assert_int_eq(p->leader_id, l + 1);
    ck_assert_int_eq(p->leader_epoch, epoch);
    ck_assert(!p->vote_granted);
    wire_arena_free(&a);
    /* Neither request moved the follower. */
    ck_assert_int_eq(event_count(&c, f, TRACE_RAFT_STATE, "", asked, world_now(c.w)), 0);
    ck_assert_int_eq(view_of(&c, f).epoch, epoch);
    ck_assert_int_eq(view_of(&c, f).role, QUORUM_FOLLOWER);
    cluster_free(&c);
}
END_TEST

/*
 * Fixed (was broker/raft/quorum.c handle_vote): KafkaRaftClient.handleVoteRequest answers a request
 * for another topic-partition with top-level INVALID_REQUEST (hasValidTopicPartition: topic
 * "__cluster_metadata", partition 0, "until we support multi-raft"); handle_vote checks only
 * that there is one topic with one partition, so it answers this pre-vote as its own.
 */
START_TEST(vote_for_another_topic_gets_top_level_invalid_request)
{
    struct cluster c;
    int f;
    int l = settle_until_3s(&c, &f);
    int32_t epoch = view_of(&c, f).epoch;
    struct vote_ask ask = {.cluster_id = c.cfg[0].cluster_id, .topic = "not-the-metadata-topic",
                           .voter_id = f + 1, .replica_id = l + 1, .replica_epoch = epoch,
                           .last_epoch = epoch, .last_offset = 1, .pre_vote = true};
    send_vote(&c, f, 301, &ask);
    world_run_until(c.w, world_now(c.w) + 10 * NS_PER_MS);
    struct wire_arena a;
    wire_arena_init(&a);
    struct vote_response r;
    decode_vote_response(client_answer(&c, f, 301), &a, &r);
    ck_assert_int_eq(r.error_code, KAFKA_INVALID_REQUEST);
    ck_assert_int_eq(r.topic_count, 0);
    wire_arena_free(&a);
    cluster_free(&c);
}
END_TEST

/*
 * Fixed (was broker/raft/quorum.c handle_vote): Vote v1+ names its receiver (VoterId, KIP-853);
 * KafkaRaftClient.handleVoteRequest answers INVALID_VOTER_KEY in the partition when it is not
 * the local node (isValidVoterKey, right after the epoch transition). handle_vote never reads
 * VoterId, so a vote meant for the leader is decided by this follower.
 */
START_TEST(vote_naming_another_voter_gets_invalid_voter_key)
{
    struct cluster c;
    int f;
    int l = settle_until_3s(&c, &f);
    int32_t epoch = view_of(&c, f).epoch;
    struct vote_ask ask = {.cluster_id = c.cfg[0].cluster_id, .topic = QUORUM_TOPIC,
                           .voter_id = l + 1, .replica_id = l + 1, .replica_epoch = epoch,
                           .last_epoch = epoch, .last_offset = 1, .pre_vote = true};
    send_vote(&c, f, 302, &ask);
    world_run_until(c.w, world_now(c.w) + 10 * NS_PER_MS);
    struct wire_arena a;
    wire_arena_init(&a);
    struct vote_response r;
    decode_vote_response(client_answer(&c, f, 302), &a, &r);
    ck_assert_int_eq(r.error_code, 0);
    ck_assert_int_eq(r.topics[0].partitions[0].error_code, KAFKA_INVALID_VOTER_KEY);
    ck_assert(!r.topics[0].partitions[0].vote_granted);
    wire_arena_free(&a);
    cluster_free(&c);
}
END_TEST

/* ---- disagreeing voter sets (≤3.7: INCONSISTENT_VOTER_SET) --------------------------------- */

/* Node `node`'s server.properties as an operator writes it: `roles`, kafka.version `version`
 * and controller.quorum.voters naming `voters` (id N at controller-N:9093), parsed and turned
 * into the node's config as a real node's would be, release switches included. */
static void configure_node(struct cluster *c, int32_t node, const char *roles,
                           const char *version, const int32_t *voters, int voter_count)
{
    bool controller = strcmp(roles, "controller") == 0;
    char text[1024];
    int len = snprintf(text, sizeof text, "kafka.version=%s\nprocess.roles=%s\nnode.id=%d\n"
                       "controller.listener.names=CONTROLLER\nlisteners=%s://controller-%d:%d\n"
                       "log.dirs=kraft-combined-logs\ncontroller.quorum.voters=", version, roles,
                       node, controller ? "CONTROLLER" : "PLAINTEXT", node,
                       controller ? 9093 : 9092);
    for (int i = 0; i < voter_count; i++) {
        len += snprintf(text + len, sizeof text - (size_t)len, "%s%d@controller-%d:9093",
                        i > 0 ? "," : "", voters[i], voters[i]);
    }
    len += snprintf(text + len, sizeof text - (size_t)len, "\n");
    ck_assert_int_lt(len, (int)sizeof text);
    struct kafka_config *k = malloc(sizeof *k);
    ck_assert_ptr_nonnull(k);
    struct config_error err;
    ck_assert_msg(config_parse(text, (size_t)len, "server.properties", k, &err) == CONFIG_OK,
                  "%s", err.message);
    char cluster_id[sizeof c->cfg[0].cluster_id];
    memcpy(cluster_id, c->cfg[node - 1].cluster_id, sizeof cluster_id);
    cluster_id[sizeof cluster_id - 1] = '\0';
    char why[256];
    ck_assert_msg(node_config_from_kafka(&c->cfg[node - 1], k, cluster_id, why, sizeof why) == 0,
                  "%s", why);
    free(k);
}

/* Controllers 1 and 2 list voters 1, 2 and 4 (4 never starts); controller 3 lists 1, 2 and 3.
 * Each config is valid alone (a controller lists itself), but to 1 and 2, 3 is no voter. */
static void disagreeing_voter_sets(struct cluster *c, const char *version)
{
    static const int32_t quorum[] = {1, 2, 4}, mistaken[] = {1, 2, 3};
    cluster_init(c, 1, 1 * NS_PER_MS);
    configure_node(c, 1, "controller", version, quorum, 3);
    configure_node(c, 2, "controller", version, quorum, 3);
    configure_node(c, 3, "controller", version, mistaken, 3);
}

/* Starts the cluster and runs it to 3 s; returns the leader, which is controller 1 or 2. */
static int run_to_3s_led_by_1_or_2(struct cluster *c)
{
    cluster_start(c);
    world_run_until(c->w, 3 * NS_PER_S);
    int l = leader_host(c);
    ck_assert_msg(l == 0 || l == 1, "leader h%d", l);
    return l;
}

static int32_t vote_request_epoch(const struct frame *f)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct kheader_request h;
    struct wire_reader body;
    struct vote_request req;
    ck_assert_int_eq(kheader_request_decode_frame(f->bytes, f->len, &a, &h, &body), 0);
    ck_assert_int_eq(vote_request_decode(&body, h.api_version, &a, &req), 0);
    int32_t epoch = req.topics[0].partitions[0].replica_epoch;
    wire_arena_free(&a);
    return epoch;
}

/* The answer to request frame `req`, or NULL if none arrived (yet). */
static const struct frame *answer_to(const struct cluster *c, const struct frame *req)
{
    for (size_t k = (size_t)(req - c->frames) + 1; k < c->frame_count; k++) {
        const struct frame *f = &c->frames[k];
        if (f->channel == ENV_CHANNEL_RESPONSE && f->from == req->to && f->to == req->from &&
            f->correlation_id == req->correlation_id) {
            return f;
        }
    }
    return NULL;
}

/* A Vote answer as validateVoterOnlyRequest gives it: nothing persisted for it, no top-level
 * error, INCONSISTENT_VOTER_SET in the one partition, no vote. Returns the partition
 * (allocated in `a`). */
static const struct vote_response_partition *
check_vote_refused(const struct cluster *c, const struct frame *req, struct wire_arena *a)
{
    const struct frame *answer = answer_to(c, req);
    ck_assert_ptr_nonnull(answer);
    ck_assert_int_eq(event_count(c, req->to, TRACE_NODE_PERSIST, "", req->delivered,
                                 req->delivered), 0);
    struct vote_response r;
    decode_vote_response(answer, a, &r);
    ck_assert_int_eq(r.error_code, KAFKA_NONE);
    ck_assert_int_eq(r.topic_count, 1);
    ck_assert_int_eq(r.topics[0].partition_count, 1);
    const struct vote_response_partition *p = &r.topics[0].partitions[0];
    ck_assert_int_eq(p->error_code, KAFKA_INCONSISTENT_VOTER_SET);
    ck_assert(!p->vote_granted);
    return p;
}

START_TEST(kafka_3_4_controller_outside_the_voter_set_gets_inconsistent_voter_set)
{
    /* Kafka 3.4: the release turns the check on (raft.voter.set.check, 2.4-3.7) and
     * node_config_from_kafka hands it to every quorum. */
    struct cluster c;
    disagreeing_voter_sets(&c, "3.4");
    for (int i = 0; i < VOTERS; i++) {
        ck_assert(c.cfg[i].quorum.voter_set_check);
    }
    /* 1 and 2 elect one of themselves, once, and the other follows. */
    int l = run_to_3s_led_by_1_or_2(&c);
    int f = 1 - l;
    int32_t epoch = view_of(&c, l).epoch;
    ck_assert_int_eq(view_of(&c, f).role, QUORUM_FOLLOWER);
    ck_assert_int_eq(view_of(&c, f).epoch, epoch);
    ck_assert_int_eq(event_count(&c, -1, TRACE_RAFT_BECAME_LEADER, "", 0, world_now(c.w)), 1);
    /* Controller 3 stood too; 1 and 2 each refused its Vote in the partition, and neither
     * decided it, persisted anything or changed state on it. */
    ck_assert_int_eq(event_count(&c, 2, TRACE_RAFT_STATE, "^role=Candidate", 0, world_now(c.w)),
                     1);
    struct wire_arena a;
    wire_arena_init(&a);
    for (int h = 0; h < 2; h++) {
        long k = frame_find(&c, 0, 2, h, ENV_CHANNEL_REQUEST, KAFKA_API_VOTE);
        ck_assert_int_ge(k, 0);
        ck_assert_int_lt(frame_find(&c, (size_t)k + 1, 2, h, ENV_CHANNEL_REQUEST,
                                    KAFKA_API_VOTE), 0);
        const struct frame *req = &c.frames[k];
        const struct vote_response_partition *p = check_vote_refused(&c, req, &a);
        ck_assert_int_eq(answer_to(&c, req)->sent, req->delivered); /* on arrival */
        /* It stood after the election: the answer names the leader of its own epoch. */
        ck_assert_int_eq(vote_request_epoch(req), epoch);
        ck_assert_int_eq(p->leader_epoch, epoch);
        ck_assert_int_eq(p->leader_id, l + 1);
        ck_assert_int_eq(event_count(&c, h, TRACE_RAFT_STATE, "", req->delivered,
                                     world_now(c.w)), 0);
        ck_assert_int_eq(event_count(&c, h, TRACE_NODE_PERSIST, "", req->delivered,
                                     world_now(c.w)), 0);
    }
    wire_arena_free(&a);
    ck_assert_int_eq(event_count(&c, -1, TRACE_RAFT_VOTE, "candidate=3 ", 0, world_now(c.w)), 0);
    /* That news (a leader in its epoch) makes 3 a follower (maybeHandleCommonResponse), so
     * the refusals are handled, not logged as unexpected. */
    ck_assert_int_eq(view_of(&c, 2).role, QUORUM_FOLLOWER);
    ck_assert_int_eq(view_of(&c, 2).leader_id, l + 1);
    ck_assert_int_eq(view_of(&c, 2).epoch, epoch);
    ck_assert_int_eq(event_count(&c, 2, TRACE_NOTE, "^Unexpected error", 0, world_now(c.w)), 0);
    cluster_free(&c);
}
END_TEST

/* Controller 3's Vote `req` to `f` and its answer, seen from 3. From a later epoch than 3's,
 * it is FENCED_LEADER_EPOCH (checked first) and 3 moves up. Otherwise it is refused: logged
 * once as unexpected if it came back in 3's own epoch without a leader, silently dropped if
 * from an older epoch ("no longer relevant"). Returns 1 if logged, else 0; -1 if it was not
 * a refusal or 3 changed state while it was out (then the order is unknowable). */
static int check_refusal_logged(const struct cluster *c, const struct frame *req, int f,
                                struct wire_arena *a)
{
    const struct frame *answer = answer_to(c, req);
    struct vote_response r;
    decode_vote_response(answer, a, &r);
    const struct vote_response_partition *p = &r.topics[0].partitions[0];
    int32_t asked = vote_request_epoch(req);
    if (p->error_code == KAFKA_FENCED_LEADER_EPOCH) {
        ck_assert_int_gt(p->leader_epoch, asked);
        return -1;
    }
    p = check_vote_refused(c, req, a);
    /* f never moves to 3's epoch; it names a leader only while still following the old one,
     * in an epoch 3 has already left. */
    ck_assert_int_le(p->leader_epoch, asked);
    ck_assert(p->leader_id == -1 || p->leader_epoch < asked);
    if (event_count(c, 2, TRACE_RAFT_STATE, "", req->sent + 1, answer->delivered) > 0) {
        return -1;
    }
    char line[160];
    snprintf(line, sizeof line, "^Unexpected error INCONSISTENT_VOTER_SET in VOTE response: "
             "sourceId=%d leaderId=-1 leaderEpoch=%d", f + 1, p->leader_epoch);
    int logged = event_count(c, 2, TRACE_NOTE, line, answer->delivered, answer->delivered);
    ck_assert_int_eq(logged, p->leader_epoch == asked ? 1 : 0);
    return logged;
}

START_TEST(kafka_3_4_controller_outside_the_voter_set_logs_each_refusal_in_its_own_epoch)
{
    /* Kafka 3.4, the same voter sets; at 3 s the leader is cut off for 10 s. */
    struct cluster c;
    disagreeing_voter_sets(&c, "3.4");
    int l = run_to_3s_led_by_1_or_2(&c);
    int f = 1 - l;
    time_ns isolated = world_now(c.w), healed = isolated + 10 * NS_PER_S;
    size_t frames_before = c.frame_count;
    net_isolate(&c.w->net, l);
    world_run_until(c.w, healed);
    /* Its two followers, f and 3, time out and stand over and over; neither can win. f only
     * ever stands: 3's Votes, often in a later epoch than f's, never move it (no Unattached,
     * no vote decided). */
    ck_assert_int_gt(event_count(&c, f, TRACE_RAFT_STATE, "^role=Candidate", isolated, healed), 1);
    ck_assert_int_eq(event_count(&c, f, TRACE_RAFT_STATE, "^role=Unattached", isolated, healed),
                     0);
    ck_assert_int_eq(event_count(&c, f, TRACE_RAFT_VOTE, "", isolated, healed), 0);
    ck_assert_int_ne(view_of(&c, 2).role, QUORUM_LEADER);
    /* Each time f refuses 3 in 3's own epoch, 3 logs it, backs off 20 ms and asks again. The
     * two stood within a long poll of each other and stay in an epoch at least an election
     * timeout, so their first epochs overlap: at least one such refusal. */
    struct wire_arena a;
    wire_arena_init(&a);
    int logged = 0, refused = 0;
    for (long k = (long)frames_before;
         (k = frame_find(&c, (size_t)k, 2, f, ENV_CHANNEL_REQUEST, KAFKA_API_VOTE)) >= 0; k++) {
        if (answer_to(&c, &c.frames[k]) == NULL) {
            continue; /* still on its way at the end */
        }
        int one = check_refusal_logged(&c, &c.frames[k], f, &a);
        logged += one > 0 ? one : 0;
        refused += one == 0;
    }
    wire_arena_free(&a);
    ck_assert_int_ge(logged, 1);
    ck_assert_int_ge(refused, 1);
    ck_assert_int_eq(event_count(&c, 2, TRACE_NOTE, "^Unexpected error INCONSISTENT_VOTER_SET "
                                 "in VOTE response: ", isolated, healed), logged);
    cluster_free(&c);
}
END_TEST

/* Settles the disagreeing cluster of `version` until 3 s; then the client asks the follower
 * among 1 and 2, in the newest Vote its release speaks, to vote for controller 3 in the next
 * epoch with a log as long as its own. Returns the follower; *epoch is its epoch before. */
static int ask_follower_to_vote_for_3(struct cluster *c, const char *version, int32_t *epoch,
                                      struct wire_arena *a, struct vote_response *r)
{
    disagreeing_voter_sets(c, version);
    int f = 1 - run_to_3s_led_by_1_or_2(c);
    struct quorum_view v = view_of(c, f);
    ck_assert_int_eq(v.role, QUORUM_FOLLOWER);
    *epoch = v.epoch;
    struct vote_ask ask = {.cluster_id = c->cfg[f].cluster_id, .topic = QUORUM_TOPIC,
                           .voter_id = f + 1, .replica_id = 3, .replica_epoch = v.epoch + 1,
                           .last_epoch = v.last_epoch, .last_offset = v.log_end_offset,
                           .pre_vote = false};
    send_vote_version(c, f, 501, &ask, c->cfg[f].quorum.vote_version);
    world_run_until(c->w, world_now(c->w) + 10 * NS_PER_MS);
    decode_vote_response(client_answer(c, f, 501), a, r);
    return f;
}

START_TEST(kafka_3_4_refuses_a_vote_from_outside_the_voter_set_and_keeps_its_epoch)
{
    struct cluster c;
    struct wire_arena a;
    wire_arena_init(&a);
    struct vote_response r;
    int32_t epoch;
    time_ns asked = 3 * NS_PER_S;
    int f = ask_follower_to_vote_for_3(&c, "3.4", &epoch, &a, &r);
    ck_assert_int_eq(r.error_code, KAFKA_NONE);
    const struct vote_response_partition *p = &r.topics[0].partitions[0];
    ck_assert_int_eq(p->error_code, KAFKA_INCONSISTENT_VOTER_SET);
    ck_assert(!p->vote_granted);
    ck_assert_int_eq(p->leader_epoch, epoch);
    ck_assert_int_eq(p->leader_id, (1 - f) + 1); /* the leader is the other of 1 and 2 */
    wire_arena_free(&a);
    /* Refused before the epoch transition: the follower is where it was. */
    ck_assert_int_eq(view_of(&c, f).role, QUORUM_FOLLOWER);
    ck_assert_int_eq(view_of(&c, f).epoch, epoch);
    ck_assert_int_eq(event_count(&c, f, TRACE_RAFT_STATE, "", asked, world_now(c.w)), 0);
    cluster_free(&c);
}
END_TEST

START_TEST(trunk_decides_the_same_vote_from_outside_the_voter_set_on_its_merits)
{
    /* Trunk (3.8+ dropped the check): the same Vote is decided like any other. The follower
     * moves to the candidate's epoch and, the log being as long as its own, grants it. */
    struct cluster c;
    struct wire_arena a;
    wire_arena_init(&a);
    struct vote_response r;
    int32_t epoch;
    int f = ask_follower_to_vote_for_3(&c, "trunk", &epoch, &a, &r);
    for (int i = 0; i < VOTERS; i++) {
        ck_assert(!c.cfg[i].quorum.voter_set_check);
    }
    ck_assert_int_eq(r.error_code, KAFKA_NONE);
    const struct vote_response_partition *p = &r.topics[0].partitions[0];
    ck_assert_int_eq(p->error_code, KAFKA_NONE);
    ck_assert(p->vote_granted);
    ck_assert_int_eq(p->leader_epoch, epoch + 1);
    wire_arena_free(&a);
    ck_assert_int_eq(view_of(&c, f).epoch, epoch + 1);
    ck_assert_int_eq(view_of(&c, f).voted_id, 3);
    cluster_free(&c);
}
END_TEST

/* The leader's BeginQuorumEpoch `req` to the broker, refused. Returns whether the leader
 * logged the refusal: it does if the answer is from its own epoch (`epoch`), never if older. */
static bool check_begin_refused(const struct cluster *c, const struct frame *req, int l,
                                int32_t epoch)
{
    const struct frame *answer = answer_to(c, req);
    ck_assert_ptr_nonnull(answer);
    ck_assert_int_eq(answer->sent, req->delivered);
    struct wire_arena a;
    wire_arena_init(&a);
    struct kheader_response h;
    struct wire_reader body;
    struct quorum_epoch_response r;
    ck_assert_int_eq(kheader_response_decode_frame(answer->bytes, answer->len, answer->api_key,
                                                   answer->api_version, &h, &body), 0);
    ck_assert_int_eq(begin_quorum_epoch_response_decode(&body, answer->api_version, &a, &r), 0);
    ck_assert_int_eq(r.error_code, KAFKA_NONE);
    const struct quorum_epoch_response_partition *p = &r.topics[0].partitions[0];
    ck_assert_int_eq(p->error_code, KAFKA_INCONSISTENT_VOTER_SET);
    char line[160];
    snprintf(line, sizeof line, "^Unexpected error INCONSISTENT_VOTER_SET in BEGIN_QUORUM_EPOCH "
             "response: sourceId=3 leaderId=%d leaderEpoch=%d", l + 1, epoch);
    bool logged = event_count(c, l, TRACE_NOTE, line, answer->delivered, answer->delivered) == 1;
    ck_assert_int_eq(logged, p->leader_epoch == epoch);
    wire_arena_free(&a);
    return logged;
}

START_TEST(kafka_3_4_broker_the_controllers_count_as_a_voter_refuses_their_quorum_requests)
{
    /* Kafka 3.4: controllers 1 and 2 list voters 1, 2 and 3, but node 3 is a broker, which
     * lists only 1 and 2 (a broker may not list itself): an observer in its own eyes. */
    static const int32_t three[] = {1, 2, 3}, two[] = {1, 2};
    struct cluster c;
    cluster_init(&c, 1, 1 * NS_PER_MS);
    configure_node(&c, 1, "controller", "3.4", three, 3);
    configure_node(&c, 2, "controller", "3.4", three, 3);
    configure_node(&c, 3, "broker", "3.4", two, 2);
    int l = run_to_3s_led_by_1_or_2(&c);
    world_run_until(c.w, 6 * NS_PER_S);
    int32_t epoch = view_of(&c, l).epoch;
    /* The broker follows the leader as an observer; the requests it refused moved nothing. */
    struct quorum_view b = view_of(&c, 2);
    ck_assert(!b.voter);
    ck_assert_int_eq(b.role, QUORUM_FOLLOWER);
    ck_assert_int_eq(b.leader_id, l + 1);
    ck_assert_int_eq(b.epoch, epoch);
    /* Every Vote that reached it was refused. */
    struct wire_arena a;
    wire_arena_init(&a);
    long k = frame_find(&c, 0, -1, 2, ENV_CHANNEL_REQUEST, KAFKA_API_VOTE);
    ck_assert_int_ge(k, 0);
    for (; k >= 0; k = frame_find(&c, (size_t)k + 1, -1, 2, ENV_CHANNEL_REQUEST, KAFKA_API_VOTE)) {
        check_vote_refused(&c, &c.frames[k], &a);
    }
    wire_arena_free(&a);
    /* So was every BeginQuorumEpoch. 3.4 sends it, on every poll, only to the voters that
     * have not acknowledged the leader (KafkaRaftClient.pollLeader, LeaderState.
     * nonAcknowledgingVoters): a refusal from an older epoch is "no longer relevant"
     * (maybeHandleCommonResponse), so it goes again the instant the answer arrives; the one
     * refusal from the leader's own epoch is logged and backs off; then the broker's first
     * Fetch in that epoch acknowledges the leader (ReplicaState.updateFollowerState) and no
     * BeginQuorumEpoch follows, where 3.9+ would resend every fetch.timeout/2. */
    int begins = 0, logged = 0;
    time_ns last_answer = -1;
    for (k = 0; (k = frame_find(&c, (size_t)k, l, 2, ENV_CHANNEL_REQUEST,
                                KAFKA_API_BEGIN_QUORUM_EPOCH)) >= 0; k++) {
        ck_assert_int_eq(logged, 0); /* nothing after the logged one */
        if (begins > 0) {
            ck_assert_int_eq(c.frames[k].sent, last_answer);
        }
        logged += check_begin_refused(&c, &c.frames[k], l, epoch);
        last_answer = answer_to(&c, &c.frames[k])->delivered;
        begins++;
    }
    ck_assert_int_ge(begins, 2);
    ck_assert_int_eq(logged, 1);
    ck_assert_int_lt(last_answer, 3 * NS_PER_S);
    ck_assert_int_eq(event_count(&c, l, TRACE_NOTE, "^Unexpected error", 0, world_now(c.w)),
                     logged);
    cluster_free(&c);
}
END_TEST

/*
 * Fixed (was broker/raft/quorum.c become_resigned / leave_leadership): a leader that resigns
 * completes its parked Fetch requests with NOT_LEADER_OR_FOLLOWER (KafkaRaftClient.
 * transitionToResigned: fetchPurgatory.completeAllExceptionally(NOT_LEADER_OR_FOLLOWER
 * "Not handling request since this node is resigning")). leave_leadership runs while the role
 * is still Leader, so respond_parked answers them as a leader, error NONE, contrary to its
 * own comment ("an answer that tells them to look elsewhere").
 */
START_TEST(resigning_leader_answers_parked_fetches_with_not_leader_or_follower)
{
    struct cluster c;
    int f;
    int l = settle_until_3s(&c, &f);
    size_t frames_before = c.frame_count;
    time_ns resigned = world_now(c.w);
    node_resign(world_host(c.w, l)->proc);
    world_run_until(c.w, resigned + 10 * NS_PER_MS);
    /* The follower's long poll was parked on the leader: it is answered at once. */
    long k = frame_find(&c, frames_before, l, f, ENV_CHANNEL_RESPONSE, KAFKA_API_FETCH);
    ck_assert_int_ge(k, 0);
    ck_assert_int_eq(c.frames[k].sent, resigned);
    struct wire_arena a;
    wire_arena_init(&a);
    struct kheader_response h;
    struct wire_reader body;
    struct fetch_response r;
    const struct frame *fr = &c.frames[k];
    ck_assert_int_eq(kheader_response_decode_frame(fr->bytes, fr->len, fr->api_key,
                                                   fr->api_version, &h, &body), 0);
    ck_assert_int_eq(fetch_response_decode(&body, fr->api_version, &a, &r), 0);
    ck_assert_int_eq(r.topics[0].partitions[0].error_code, KAFKA_NOT_LEADER_OR_FOLLOWER);
    wire_arena_free(&a);
    cluster_free(&c);
}
END_TEST

/* Runs a 50 ms-fsync cluster until the first standard vote is granted; returns its time, with
 * the voter, the candidate and the remaining controller. */
static time_ns first_vote(struct cluster *c, int *voter, int *candidate, int *other)
{
    cluster_init(c, 1, 50 * NS_PER_MS);
    cluster_start(c);
    time_ns voted = await_event(c, -1, TRACE_RAFT_VOTE, "^vote candidate=", 5 * NS_PER_S);
    const struct event *e = &c->events[event_find(c, 0, -1, TRACE_RAFT_VOTE, "^vote ")];
    ck_assert_msg(strstr(e->detail, "epoch=1 granted=yes") != NULL, "%s", e->detail);
    *voter = e->host;
    *candidate = (int)strtol(strstr(e->detail, "candidate=") + 10, NULL, 10) - 1;
    *other = VOTERS - *voter - *candidate;
    return voted;
}

START_TEST(voter_loses_power_during_its_vote_fsync_so_the_vote_is_neither_sent_nor_kept)
{
    /* 50 ms fsyncs; the first voter to grant loses power 25 ms into persisting its vote. */
    struct cluster c;
    int voter, candidate, other;
    time_ns voted = first_vote(&c, &voter, &candidate, &other);
    world_run_until(c.w, voted + c.fsync / 2);
    host_power_fail(world_host(c.w, voter));
    /* The vote was never renamed into quorum-state, and its answer never left. */
    char text[1024];
    ck_assert_int_eq(file_text(&c, voter, STATE_FILE, text, sizeof text), -1);
    world_run_until(c.w, voted + NS_PER_S);
    ck_assert_int_eq(event_count(&c, voter, TRACE_NET_SEND, "", voted, world_now(c.w)), 0);
    /* Restarted, it remembers nothing: epoch 0, no vote. */
    size_t restarted = c.event_count;
    ck_assert(host_start(world_host(c.w, voter)));
    ck_assert_int_ge(event_find(&c, restarted, voter, TRACE_NODE_START,
                                "epoch=0 leader=-1 voted=-1 leo=0"), 0);
    /* The candidate won with the other controller's vote alone, as its LeaderChangeMessage
     * records: GrantingVoters = {candidate, other}. */
    run_until_settled(&c, voted + 5 * NS_PER_S);
    ck_assert_int_eq(leader_host(&c), candidate);
    static uint8_t seg[1 << 16];
    int64_t size = file_text(&c, candidate, SEGMENT_FILE, (char *)seg, sizeof seg);
    struct wire_arena a;
    wire_arena_init(&a);
    struct record_batch b;
    struct record_batch_leader_change lc;
    ck_assert_int_eq(record_batch_decode(seg, (size_t)size, &a, &b, NULL), 0);
    ck_assert_int_eq(record_batch_leader_change_decode(b.records[0].value, 0, &a, &lc), 0);
    ck_assert_int_eq(lc.granting_voter_count, 2);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_ne(lc.granting_voters[i].voter_id, voter + 1);
    }
    wire_arena_free(&a);
    cluster_free(&c);
}
END_TEST

START_TEST(voter_killed_after_its_vote_is_durable_refuses_another_candidate_of_that_epoch)
{
    /* 50 ms fsyncs; the first voter to grant is killed the instant its vote is durable (its
     * answer has just left), restarted, and cut off from the other controllers. */
    struct cluster c;
    int voter, candidate, other;
    time_ns voted = first_vote(&c, &voter, &candidate, &other);
    ck_assert_int_eq(await_event(&c, voter, TRACE_DISK_DURABLE, "quorum-state.tmp",
                                 voted + NS_PER_S), voted + c.fsync);
    host_crash(world_host(c.w, voter));
    int alone[1] = {voter}, rest[2] = {candidate, other};
    net_partition(&c.w->net, alone, 1, rest, 2);
    size_t restarted = c.event_count;
    ck_assert(host_start(world_host(c.w, voter)));
    char boot[64];
    snprintf(boot, sizeof boot, "epoch=1 leader=-1 voted=%d ", candidate + 1);
    ck_assert_int_ge(event_find(&c, restarted, voter, TRACE_NODE_START, boot), 0);
    ck_assert_int_eq(view_of(&c, voter).role, QUORUM_UNATTACHED);
    /* The client asks it, in epoch 1, to vote for the other controller, then for the one it
     * voted for: one vote per epoch, kept across the crash (KRAFT.md 3.2). */
    time_ns asked = world_now(c.w);
    struct vote_ask ask = {.cluster_id = c.cfg[0].cluster_id, .topic = QUORUM_TOPIC,
                           .voter_id = voter + 1, .replica_id = other + 1, .replica_epoch = 1,
                           .last_epoch = 0, .last_offset = 0, .pre_vote = false};
    send_vote(&c, voter, 401, &ask);
    ask.replica_id = candidate + 1;
    send_vote(&c, voter, 402, &ask);
    world_run_until(c.w, asked + 10 * NS_PER_MS);
    struct wire_arena a;
    wire_arena_init(&a);
    struct vote_response r;
    decode_vote_response(client_answer(&c, voter, 401), &a, &r);
    ck_assert_int_eq(r.topics[0].partitions[0].error_code, 0);
    ck_assert_int_eq(r.topics[0].partitions[0].leader_epoch, 1);
    ck_assert(!r.topics[0].partitions[0].vote_granted);
    /* Granting again what is already durable writes nothing: answered on arrival. */
    const struct frame *again = client_answer(&c, voter, 402);
    ck_assert_int_eq(again->sent, asked + LATENCY);
    decode_vote_response(again, &a, &r);
    ck_assert(r.topics[0].partitions[0].vote_granted);
    wire_arena_free(&a);
    ck_assert_int_eq(event_count(&c, voter, TRACE_NODE_PERSIST, "", asked, world_now(c.w)), 0);
    cluster_free(&c);
}
END_TEST

/* Three controllers, the leader cut off from 3 s to 8 s, run to 12 s: the trace's hash. */
static uint64_t isolation_run_hash(uint64_t seed, uint64_t *events)
{
    struct cluster c;
    cluster_init(&c, seed, 1 * NS_PER_MS);
    cluster_start(&c);
    world_run_until(c.w, 3 * NS_PER_S);
    int l = leader_host(&c);
    ck_assert_int_ge(l, 0);
    net_isolate(&c.w->net, l);
    world_run_until(c.w, 8 * NS_PER_S);
    net_heal(&c.w->net);
    world_run_until(c.w, 12 * NS_PER_S);
    uint64_t hash = trace_hash(&c.w->trace);
    *events = c.w->trace.event_count;
    ck_assert_uint_eq(*events, c.event_count);
    cluster_free(&c);
    return hash;
}

START_TEST(same_seed_same_isolation_scenario_gives_the_same_trace_hash)
{
    uint64_t events_a, events_b, events_c;
    uint64_t a = isolation_run_hash(7, &events_a);
    uint64_t b = isolation_run_hash(7, &events_b);
    ck_assert_uint_eq(a, b);
    ck_assert_uint_eq(events_a, events_b);
    ck_assert_uint_gt(events_a, 200);
    /* Another seed draws other election timeouts: another run. */
    ck_assert_uint_ne(isolation_run_hash(8, &events_c), a);
}
END_TEST

/* ---- issue #9 (helper a2): release by release, each pinned to Kafka's source ------------- */

/* Three controllers configured as `version` would be from server.properties (voters 1, 2, 3,
 * Kafka's defaults), formatted without a bootstrap checkpoint and without NoOpRecords, so the
 * log holds only what the test appends. */
static void release_cluster(struct cluster *c, const char *version)
{
    static const int32_t voters[] = {1, 2, 3};
    cluster_init(c, 1, 1 * NS_PER_MS);
    for (int32_t n = 1; n <= VOTERS; n++) {
        configure_node(c, n, "controller", version, voters, VOTERS);
        c->cfg[n - 1].bootstrap_metadata = false;
        c->cfg[n - 1].metadata_max_idle_interval = 0;
    }
}

/* The times `from` sent BeginQuorumEpoch to `to` in [t0, t1] (frames that were delivered). */
static int begin_sends(const struct cluster *c, int from, int to, time_ns t0, time_ns t1,
                       time_ns *sent, int cap)
{
    int n = 0;
    for (long k = 0; (k = frame_find(c, (size_t)k, from, to, ENV_CHANNEL_REQUEST,
                                     KAFKA_API_BEGIN_QUORUM_EPOCH)) >= 0; k++) {
        if (c->frames[k].sent >= t0 && c->frames[k].sent <= t1) {
            ck_assert_int_lt(n, cap);
            sent[n++] = c->frames[k].sent;
        }
    }
    return n;
}

/*
 * Controller 3's every message is lost from the start (a one-way cut: it hears, it is never
 * heard), so the leader, 1 or 2, never has its acknowledgement; the other follower fetches.
 * Whom the leader sends BeginQuorumEpoch, over the 6 s after its election:
 * - 3.4 (LeaderState.nonAcknowledgingVoters, KafkaRaftClient.pollLeader): the fetching
 *   follower once; controller 3 whenever its connection is ready again, that is each time the
 *   request times out (request.timeout.ms) and the retry backoff ends (retry.backoff.ms).
 * - 3.9 and 4.1 (KAFKA-16536, maybeSendBeginQuorumEpochRequests): every other voter on each
 *   fetch.timeout/2 tick, skipping a voter whose request is still in flight or backing off.
 * - trunk (LeaderState.needToSendBeginQuorumRequests, 4.2+): the same ticks, but only to a
 *   voter whose last fetch is fetch.timeout/2 old: controller 3 as in 3.9, the other once.
 */
static void check_begin_quorum_resend(const char *version, enum quorum_begin_resend want)
{
    struct cluster c;
    release_cluster(&c, version);
    const struct quorum_config *q = &c.cfg[0].quorum;
    ck_assert_int_eq(q->begin_quorum_resend, want);
    for (int i = 0; i < VOTERS; i++) {
        if (i != 2) {
            net_cut(&c.w->net, 2, i);
        }
    }
    cluster_start(&c);
    world_run_until(c.w, 3 * NS_PER_S);
    int l = leader_host(&c);
    ck_assert_msg(l == 0 || l == 1, "%s: leader h%d", version, l);
    int g = 1 - l;
    char text[48];
    snprintf(text, sizeof text, "epoch=%d ", view_of(&c, l).epoch);
    time_ns t0 = event_time(&c, 0, l, TRACE_RAFT_BECAME_LEADER, text);
    world_run_until(c.w, t0 + 6 * NS_PER_S + 100 * NS_PER_MS);
    time_ns to_f[16], to_g[16];
    int nf = begin_sends(&c, l, 2, t0, t0 + 6 * NS_PER_S + 100 * NS_PER_MS, to_f, 16);
    int ng = begin_sends(&c, l, g, t0, t0 + 6 * NS_PER_S + 100 * NS_PER_MS, to_g, 16);
    /* The first round leaves once the election is durable (persist before send). */
    ck_assert_int_eq(to_f[0], t0 + c.fsync);
    ck_assert_int_eq(to_g[0], t0 + c.fsync);
    time_ns tick = q->fetch_timeout / 2, retry = q->request_timeout + q->retry_backoff;
    if (want == QUORUM_BEGIN_UNACKNOWLEDGED) {
        ck_assert_int_eq(ng, 1);
        ck_assert_int_eq(nf, 4); /* t0 + fsync, then every 2.02 s */
        for (int k = 1; k < nf; k++) {
            ck_assert_int_eq(to_f[k], t0 + k * retry);
        }
    } else {
        /* Busy until its request times out at t0 + 2 s, in backoff at that tick: 0, 3, 6 s. */
        ck_assert_int_eq(nf, 3);
        ck_assert_int_eq(to_f[1], t0 + 3 * tick);
        ck_assert_int_eq(to_f[2], t0 + 6 * tick);
        ck_assert_int_eq(ng, want == QUORUM_BEGIN_ALL ? 7 : 1);
        for (int k = 1; k < ng; k++) {
            ck_assert_int_eq(to_g[k], t0 + k * tick);
        }
    }
    cluster_free(&c);
}

START_TEST(begin_quorum_epoch_on_3_4_goes_only_to_voters_that_have_not_acknowledged)
{
    check_begin_quorum_resend("3.4", QUORUM_BEGIN_UNACKNOWLEDGED);
}
END_TEST

START_TEST(begin_quorum_epoch_on_3_9_and_4_1_goes_to_every_voter_each_half_fetch_timeout)
{
    check_begin_quorum_resend("3.9", QUORUM_BEGIN_ALL);
    check_begin_quorum_resend("4.1", QUORUM_BEGIN_ALL);
}
END_TEST

START_TEST(begin_quorum_epoch_on_trunk_goes_only_to_voters_whose_last_fetch_is_old)
{
    check_begin_quorum_resend("trunk", QUORUM_BEGIN_LAGGING);
}
END_TEST

/* The index of the first event at or after t. */
static size_t event_index_at(const struct cluster *c, time_ns t)
{
    size_t from = 0;
    while (from < c->event_count && c->events[from].time < t) {
        from++;
    }
    return from;
}

/* When `host` traced its high watermark moving to `hw`, first at or after t. */
static time_ns follower_hw_at(const struct cluster *c, int host, int64_t hw, time_ns t)
{
    char text[48];
    snprintf(text, sizeof text, " to=%" PRId64, hw);
    return event_time(c, event_index_at(c, t), host, TRACE_RAFT_HIGH_WATERMARK, text);
}

/*
 * One record is appended at 3 s. The leader's fsync takes 50 ms and one follower's 100 ms, the
 * other follower's 1 ms: the fast follower holds the record after 2 ms and its next Fetch
 * parks on the leader, which cannot commit until its own flush 50 ms after the append. Then
 * the high watermark moves, but no record is appended:
 * - 4.1 (KAFKA-14145, KIP-1166: onUpdateLeaderHighWatermark -> fetchPurgatory.completeAll):
 *   the parked Fetch is answered at that instant, with the new high watermark.
 * - 4.0 (only updateLeaderEndOffsetAndTimestamp -> fetchPurgatory.maybeComplete releases a
 *   parked Fetch): it waits out its MaxWaitMs (500 ms) and the follower learns the high
 *   watermark half a second later.
 */
static void check_parked_fetch_on_hw_change(const char *version, bool released)
{
    struct cluster c;
    release_cluster(&c, version);
    ck_assert_int_eq(c.cfg[0].quorum.fetch_high_watermark, released);
    int l = run_settled_until_3s(&c);
    int fast = l == 0 ? 1 : 0, slow = 3 - l - fast;
    int64_t end = view_of(&c, l).log_end_offset;
    disk_set_slow(&world_host(c.w, l)->disk, 49 * NS_PER_MS);
    disk_set_slow(&world_host(c.w, slow)->disk, 99 * NS_PER_MS);
    ck_assert(append_config(world_host(c.w, l)->proc, "one"));
    world_run_until(c.w, 4 * NS_PER_S);
    time_ns appended = event_time(&c, event_index_at(&c, 3 * NS_PER_S), l, TRACE_RAFT_APPEND,
                                  "records=1");
    ck_assert_int_eq(appended, 3 * NS_PER_S + c.cfg[0].quorum.append_linger);
    time_ns committed = follower_hw_at(&c, l, end + 1, appended);
    ck_assert_int_eq(committed, appended + 50 * NS_PER_MS);
    /* The fast follower's Fetch for the record after it arrived before the commit, and
     * parked. */
    long k = frame_find(&c, 0, fast, l, ENV_CHANNEL_REQUEST, KAFKA_API_FETCH);
    while (k >= 0 && c.frames[k].delivered <= appended) {
        k = frame_find(&c, (size_t)k + 1, fast, l, ENV_CHANNEL_REQUEST, KAFKA_API_FETCH);
    }
    ck_assert_int_ge(k, 0);
    const struct frame *req = &c.frames[k];
    ck_assert_int_eq(req->delivered, appended + 2 * LATENCY + c.fsync);
    const struct frame *answer = answer_to(&c, req);
    ck_assert_ptr_nonnull(answer);
    time_ns learnt = follower_hw_at(&c, fast, end + 1, appended);
    if (released) {
        ck_assert_int_eq(answer->sent, committed);
    } else {
        ck_assert_int_eq(answer->sent, req->delivered + 500 * NS_PER_MS);
    }
    ck_assert_int_eq(learnt, answer->delivered);
    cluster_free(&c);
}

START_TEST(kafka_4_0_parked_fetch_waits_500_ms_when_only_the_high_watermark_moves)
{
    check_parked_fetch_on_hw_change("4.0", false);
    check_parked_fetch_on_hw_change("3.4", false);
}
END_TEST

START_TEST(kafka_4_1_a_high_watermark_change_completes_every_parked_fetch_at_once)
{
    check_parked_fetch_on_hw_change("4.1", true);
    check_parked_fetch_on_hw_change("trunk", true);
}
END_TEST

/* The value after `key=` in a detail, as a number (-1 if absent). */
static long detail_number(const char *detail, const char *key)
{
    const char *at = strstr(detail, key);
    return at != NULL ? strtol(at + strlen(key), NULL, 10) : -1;
}

/*
 * Kafka 3.4, whose Candidate backs off (KafkaRaftClient.pollCandidate, RETRY_BACKOFF_BASE_MS =
 * 100, binaryExponentialElectionBackoffMs = min(100 * rand[0, 2 << min(20, r - 1)),
 * election.backoff.max.ms)) both when its election timeout expires ("Election has timed out,
 * backing off") and when a majority rejects it. A follower is cut off at 3 s while the leader
 * commits three records; healed at 9 s, its stale candidacies are rejected, until the others
 * elect one of their own and it follows; cut off again at 14 s, it stands again, and its retry
 * count starts over at 1 (QuorumState.transitionToCandidate: "isCandidate() ? retries + 1 :
 * 1"), where it used to go on from the last election it lost.
 */
START_TEST(kafka_3_4_candidate_backs_off_100_ms_steps_on_timeout_and_restarts_its_count)
{
    struct cluster c;
    release_cluster(&c, "3.4");
    const struct quorum_config *q = &c.cfg[0].quorum;
    ck_assert_int_eq(q->lost_election_backoff, QUORUM_BACKOFF_EXPONENTIAL);
    int l = run_settled_until_3s(&c);
    int f = l == 0 ? 1 : 0;
    net_isolate(&c.w->net, f);
    for (int i = 0; i < 3; i++) {
        ck_assert(append_config(world_host(c.w, l)->proc, "x"));
    }
    world_run_until(c.w, 9 * NS_PER_S);
    net_heal(&c.w->net);
    await_event(&c, f, TRACE_RAFT_STATE, "^role=Follower", 20 * NS_PER_S);
    time_ns followed = world_now(c.w);
    /* Every lost election backs off by a whole number of 100 ms steps below 100 * 2^r (and
     * at most the 1 s cap), with r = 1, 2, 3, ... in a row, then stands again at once. */
    long r = 0, timed_out = 0, rejected = 0;
    bool above_base_50 = false;
    for (size_t i = 0; i < c.event_count && c.events[i].time < followed; i++) {
        const struct event *e = &c.events[i];
        if (e->host != f || e->kind != TRACE_RAFT_ELECTION_LOST) {
            continue;
        }
        long retries = detail_number(e->detail, "retries="), ms = detail_number(e->detail,
                                                                               "backoff=");
        ck_assert_int_eq(retries, ++r);
        ck_assert_int_eq(ms % 100, 0);
        ck_assert_int_lt(ms, 100L << (r < 20 ? r : 20));
        ck_assert_int_le(ms, q->election_backoff_max / NS_PER_MS);
        above_base_50 |= ms > 50 * ((1L << r) - 1); /* impossible with a 50 ms base */
        timed_out += strstr(e->detail, "timed-out") != NULL;
        rejected += strstr(e->detail, "rejected=2") != NULL;
        /* Its next state: Candidate once the backoff ends, unless a newer epoch came first. */
        const struct event *next = &c.events[event_find(&c, i + 1, f, TRACE_RAFT_STATE, "")];
        if (detail_matches(next->detail, "^role=Candidate")) {
            ck_assert_int_eq(next->time, e->time + ms * NS_PER_MS);
        } else {
            ck_assert_int_lt(next->time, e->time + ms * NS_PER_MS);
        }
    }
    ck_assert_int_ge(timed_out, 2); /* isolated: the election timeout expired */
    ck_assert_int_ge(rejected, 1);  /* healed: the others refused its stale log */
    ck_assert(above_base_50);
    /* Isolated again, it stands from Follower: the count restarts at 1. */
    time_ns cut = world_now(c.w) + 2 * NS_PER_S;
    world_run_until(c.w, cut);
    net_isolate(&c.w->net, f);
    await_event(&c, f, TRACE_RAFT_ELECTION_LOST, "timed-out", cut + 10 * NS_PER_S);
    ck_assert_int_eq(detail_number(c.events[c.event_count - 1].detail, "retries="), 1);
    cluster_free(&c);
}
END_TEST
/* The Fetch answer in frame `f`, decoded into `a`; returns its one partition. */
static const struct fetch_response_partition *decode_fetch_answer(const struct frame *f,
                                                                  struct wire_arena *a)
{
    struct kheader_response h;
    struct wire_reader body;
    struct fetch_response r;
    ck_assert_int_eq(kheader_response_decode_frame(f->bytes, f->len, f->api_key, f->api_version,
                                                   &h, &body), 0);
    ck_assert_int_eq(fetch_response_decode(&body, f->api_version, a, &r), 0);
    ck_assert_int_eq(r.topic_count, 1);
    return &r.topics[0].partitions[0];
}

/* The MaxBytes of the FetchSnapshot request in frame `f`. */
static int32_t fetch_snapshot_max_bytes(const struct frame *f)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct kheader_request h;
    struct wire_reader body;
    struct fetch_snapshot_request req;
    ck_assert_int_eq(kheader_request_decode_frame(f->bytes, f->len, &a, &h, &body), 0);
    ck_assert_int_eq(fetch_snapshot_request_decode(&body, h.api_version, &a, &req), 0);
    int32_t max = req.max_bytes;
    wire_arena_free(&a);
    return max;
}

/*
 * Controllers 1 and 2 run alone, commit three records and snapshot them (a snapshot after
 * every byte), their logs still starting at 0; at 4 s controller 3 starts with an empty log,
 * so its first Fetch asks for offset 0. The leader answers
 * - 3.5 (RaftLog.validateOffsetAndEpoch: "startOffset() == 0 && offset == 0" is valid): the
 *   log from offset 0, and controller 3 never fetches a snapshot;
 * - 3.7 and trunk (KAFKA-15078, KafkaRaftClient.tryCompleteFetchRequest: "If the follower has
 *   an empty log and a non-bootstrap snapshot exists ... reply with a snapshot id"): its
 *   latest snapshot id and no records; controller 3 then asks for it with FetchSnapshot,
 *   MaxBytes = KafkaRaftClient.MAX_FETCH_SIZE_BYTES (8 MiB) on 3.7, and on trunk (4.3+)
 *   controller.quorum.fetch.snapshot.max.bytes, 1 MiB by default.
 */
static void check_empty_follower_first_fetch(const char *version, bool snapshot,
                                             int32_t max_bytes)
{
    struct cluster c;
    release_cluster(&c, version);
    ck_assert_int_eq(c.cfg[0].quorum.offset_zero_snapshot, snapshot);
    ck_assert_int_eq(c.cfg[2].quorum.fetch_snapshot_max_bytes, max_bytes);
    for (int i = 0; i < VOTERS; i++) {
        c.cfg[i].metadata_snapshots.snapshot_bytes = 1;
        ck_assert_int_eq(kafka_storage_format(c.w, i, &c.cfg[i], c.cfg[i].cluster_id), ENV_OK);
        host_install(world_host(c.w, i), &node_process, &c.cfg[i]);
    }
    host_install(world_host(c.w, SPARE), &client_process, NULL);
    ck_assert(host_start(world_host(c.w, 0)) && host_start(world_host(c.w, 1)));
    ck_assert(host_start(world_host(c.w, SPARE)));
    await_event(&c, -1, TRACE_RAFT_BECAME_LEADER, "", 3 * NS_PER_S);
    int l = view_of(&c, 0).role == QUORUM_LEADER ? 0 : 1; /* host 2 has no process yet */
    ck_assert_int_eq(view_of(&c, l).role, QUORUM_LEADER);
    for (int i = 0; i < 3; i++) {
        ck_assert(append_config(world_host(c.w, l)->proc, "x"));
    }
    world_run_until(c.w, 4 * NS_PER_S);
    const struct raft_log *log = node_log(world_host(c.w, l)->proc);
    struct raft_log_snapshot_id latest = raft_log_latest_snapshot(log);
    ck_assert_int_eq(raft_log_start_offset(log), 0);
    ck_assert_int_eq(latest.end_offset, raft_log_end_offset(log));
    /* Controller 3 starts empty; its first Fetch asks for offset 0. */
    size_t frames_before = c.frame_count;
    ck_assert(host_start(world_host(c.w, 2)));
    world_run_until(c.w, 12 * NS_PER_S);
    long k = frame_find(&c, frames_before, 2, -1, ENV_CHANNEL_REQUEST, KAFKA_API_FETCH);
    ck_assert_int_ge(k, 0);
    const struct frame *answer = answer_to(&c, &c.frames[k]);
    ck_assert_ptr_nonnull(answer);
    struct wire_arena a;
    wire_arena_init(&a);
    const struct fetch_response_partition *p = decode_fetch_answer(answer, &a);
    ck_assert_int_eq(p->error_code, 0);
    long fs = frame_find(&c, frames_before, 2, -1, ENV_CHANNEL_REQUEST, KAFKA_API_FETCH_SNAPSHOT);
    if (snapshot) {
        ck_assert_int_eq(p->snapshot_id.end_offset, latest.end_offset);
        ck_assert_int_eq(p->snapshot_id.epoch, latest.epoch);
        ck_assert_int_eq(p->records.len, 0);
        ck_assert_int_ge(fs, 0);
        ck_assert_int_eq(fetch_snapshot_max_bytes(&c.frames[fs]), max_bytes);
        ck_assert_int_eq(c.frames[fs].sent, answer->delivered);
    } else {
        ck_assert_int_lt(p->snapshot_id.end_offset, 0);
        ck_assert_int_gt(p->records.len, 0);
        ck_assert_int_lt(fs, 0);
    }
    wire_arena_free(&a);
    /* Either way controller 3 ends up with the whole log, committed, and the same image. */
    run_until_settled(&c, 20 * NS_PER_S);
    cluster_free(&c);
}

START_TEST(kafka_3_5_replays_the_log_from_0_to_a_follower_with_an_empty_log)
{
    check_empty_follower_first_fetch("3.5", false, 8 * 1024 * 1024);
}
END_TEST

START_TEST(kafka_3_7_and_trunk_send_an_empty_follower_the_snapshot_id_then_fetch_snapshot)
{
    check_empty_follower_first_fetch("3.7", true, 8 * 1024 * 1024);
    check_empty_follower_first_fetch("trunk", true, 1024 * 1024);
}
END_TEST

/* The leader's DescribeQuorum answer to a request sent now (it arrives one latency later). */
static const struct describe_quorum_response_partition *
describe_now(struct cluster *c, int l, int32_t correlation_id, struct wire_arena *a)
{
    send_describe_quorum(c, l, correlation_id);
    world_run_until(c->w, world_now(c->w) + 3 * LATENCY);
    struct describe_quorum_response r;
    return decode_describe_quorum(client_answer(c, l, correlation_id), a, &r);
}

/*
 * Voters 1 and 2, and node 3 a broker (an observer) that fetches from the leader until it
 * crashes at 3 s. LeaderState.clearInactiveObservers, on every describe: an observer whose
 * last fetch is OBSERVER_SESSION_TIMEOUT_MS = 300 000 ms old or older is dropped (the same in
 * every release read, 3.1 to trunk). So a DescribeQuorum that reaches the leader 1 ms before
 * the 300 s are up still lists it, one that arrives at 300 s does not; once the broker is back
 * and fetches, it is listed again.
 */
START_TEST(an_observer_leaves_describe_quorum_300_s_after_its_last_fetch)
{
    static const int32_t two[] = {1, 2};
    struct cluster c;
    cluster_init(&c, 1, 1 * NS_PER_MS);
    configure_node(&c, 1, "controller", "trunk", two, 2);
    configure_node(&c, 2, "controller", "trunk", two, 2);
    configure_node(&c, 3, "broker", "trunk", two, 2);
    for (int i = 0; i < VOTERS; i++) {
        c.cfg[i].bootstrap_metadata = false;
        c.cfg[i].metadata_max_idle_interval = 0;
    }
    int l = run_to_3s_led_by_1_or_2(&c);
    struct wire_arena a;
    wire_arena_init(&a);
    const struct describe_quorum_response_partition *p = describe_now(&c, l, 1, &a);
    ck_assert_int_eq(p->observer_count, 1);
    ck_assert_int_eq(p->observers[0].replica_id, 3);
    host_crash(world_host(c.w, 2));
    time_ns last = last_fetch_from(&c, l, 2);
    ck_assert_int_gt(last, 0);
    world_run_until(c.w, last + 300 * NS_PER_S - 2 * LATENCY);
    send_describe_quorum(&c, l, 2); /* arrives at last + 300 s - 1 ms */
    world_run_until(c.w, last + 300 * NS_PER_S - LATENCY);
    send_describe_quorum(&c, l, 3); /* arrives at last + 300 s */
    world_run_until(c.w, last + 300 * NS_PER_S + 2 * LATENCY);
    struct describe_quorum_response r;
    p = decode_describe_quorum(client_answer(&c, l, 2), &a, &r);
    ck_assert_int_eq(p->observer_count, 1);
    ck_assert_int_eq(p->observers[0].replica_id, 3);
    ck_assert_int_eq(p->observers[0].last_fetch_timestamp, last / NS_PER_MS);
    p = decode_describe_quorum(client_answer(&c, l, 3), &a, &r);
    ck_assert_int_eq(p->observer_count, 0);
    ck_assert_int_eq(p->current_voter_count, 2);
    /* Back, it fetches again and is an observer again, from its new fetch. */
    ck_assert(host_start(world_host(c.w, 2)));
    world_run_until(c.w, world_now(c.w) + 3 * NS_PER_S);
    p = describe_now(&c, l, 4, &a);
    ck_assert_int_eq(p->observer_count, 1);
    ck_assert_int_gt(p->observers[0].last_fetch_timestamp, (last + 300 * NS_PER_S) / NS_PER_MS);
    wire_arena_free(&a);
    cluster_free(&c);
}
END_TEST

/* ---- observers find a new leader; a leader's clean stop ----------------------------------- */

/* Controllers 1-3 and broker 4 on the spare host (an observer), all of `version`. */
static void start_with_observer(struct cluster *c, const char *version)
{
    static const int32_t voters[] = {1, 2, 3};
    cluster_init(c, 1, 1 * NS_PER_MS);
    for (int32_t id = 1; id <= VOTERS; id++) {
        configure_node(c, id, "controller", version, voters, VOTERS);
    }
    memcpy(c->cfg[VOTERS].cluster_id, c->cfg[0].cluster_id, sizeof c->cfg[0].cluster_id);
    configure_node(c, VOTERS + 1, "broker", version, voters, VOTERS);
    for (int i = 0; i <= VOTERS; i++) {
        ck_assert_int_eq(kafka_storage_format(c->w, i, &c->cfg[i], c->cfg[i].cluster_id),
                         ENV_OK);
        host_install(world_host(c->w, i), &node_process, &c->cfg[i]);
        ck_assert(host_start(world_host(c->w, i)));
    }
    world_run_until(c->w, 3 * NS_PER_S);
}

struct follows {
    struct cluster *c;
    int host;
    int32_t epoch; /* follows a leader of an epoch above this */
};

static bool follows_new_leader(void *arg)
{
    struct follows *f = arg;
    struct quorum_view v = view_of(f->c, f->host);
    return v.role == QUORUM_FOLLOWER && v.epoch > f->epoch &&
           view_of(f->c, v.leader_id - 1).role == QUORUM_LEADER;
}

/* The index of the last Fetch `from` sent to `to` at or before `t` (frames move as the
 * array grows: keep indexes, not pointers). */
static size_t last_fetch(const struct cluster *c, int from, int to, time_ns t)
{
    long found = -1;
    for (long k = 0; (k = frame_find(c, (size_t)k, from, to, ENV_CHANNEL_REQUEST,
                                     KAFKA_API_FETCH)) >= 0; k++) {
        found = c->frames[k].sent <= t ? k : found;
    }
    ck_assert_int_ge(found, 0);
    return (size_t)found;
}

/* Kills (or powers off) the leader at 3 s; returns its host, with the broker's last Fetch to
 * it and its epoch. */
static int kill_leader(struct cluster *c, bool power, size_t *last, int32_t *epoch)
{
    int l = leader_host(c);
    ck_assert_int_ge(l, 0);
    ck_assert_int_eq(view_of(c, SPARE).role, QUORUM_FOLLOWER);
    ck_assert_int_eq(view_of(c, SPARE).leader_id, l + 1);
    ck_assert(!view_of(c, SPARE).voter);
    *epoch = view_of(c, l).epoch;
    if (power) {
        host_power_fail(world_host(c->w, l));
    } else {
        host_crash(world_host(c->w, l));
    }
    *last = last_fetch(c, SPARE, l, world_now(c->w));
    return l;
}

/* Runs until the broker follows a new leader; returns when, with the new leader's host. */
static time_ns await_observer_follows(struct cluster *c, int32_t epoch, int *leader)
{
    struct follows f = {c, SPARE, epoch};
    ck_assert(sched_run_until_pred(&c->w->sched, follows_new_leader, &f, 20 * NS_PER_S));
    *leader = view_of(c, SPARE).leader_id - 1;
    return world_now(c->w);
}

/* The index of the first Fetch the broker sent at or after frame `from`, or -1. */
static long broker_fetch(const struct cluster *c, size_t from)
{
    return frame_find(c, from, SPARE, -1, ENV_CHANNEL_REQUEST, KAFKA_API_FETCH);
}

/* The Fetch answer the broker followed on: delivered at `when`, from a live voter. */
static void check_followed_on(const struct cluster *c, size_t from, time_ns when, int dead)
{
    const struct frame *answer = NULL;
    for (size_t i = from; i < c->frame_count; i++) {
        const struct frame *g = &c->frames[i];
        answer = g->to == SPARE && g->channel == ENV_CHANNEL_RESPONSE &&
                 g->api_key == KAFKA_API_FETCH && g->delivered == when ? g : answer;
    }
    ck_assert_ptr_nonnull(answer);
    ck_assert_int_ne(answer->from, dead);
}

/*
 * Trunk, the leader's process killed (its OS refuses connections: a TCP reset): the broker's
 * request to it fails as soon as the first refusal arrives (KafkaNetworkChannel:
 * BROKER_NOT_AVAILABLE), the connection backs off, and while it does every Fetch goes to a
 * random live voter (KafkaRaftClient.pollFollowerAsObserver -> maybeSendFetchToBestNode). The
 * first answer after the election names the new leader: the broker follows it within a few
 * round trips of the election, far below controller.quorum.request.timeout.ms.
 */
START_TEST(trunk_observer_whose_leader_is_killed_asks_random_voters_and_follows_the_next)
{
    struct cluster c;
    start_with_observer(&c, "trunk");
    const struct quorum_config *q = &c.cfg[0].quorum;
    ck_assert(!c.cfg[VOTERS].quorum.observer_fetch_timeout);
    size_t last;
    int32_t epoch;
    int l = kill_leader(&c, false, &last, &epoch), nl;
    time_ns killed = world_now(c.w);
    time_ns followed = await_observer_follows(&c, epoch, &nl);
    ck_assert_int_ne(nl, l);
    /* The first refusal (an empty RESET frame from the dead host) ... */
    long r = -1;
    for (size_t i = last; i < c.frame_count && r < 0; i++) {
        r = c.frames[i].to == SPARE && c.frames[i].channel == ENV_CHANNEL_RESET ? (long)i : -1;
    }
    ck_assert_int_ge(r, 0);
    ck_assert_int_eq(c.frames[r].from, l);
    /* ... sends the next Fetch at once, to a live voter. */
    long k = broker_fetch(&c, last + 1);
    ck_assert_int_ge(k, 0);
    ck_assert_int_eq(c.frames[k].sent, c.frames[r].delivered);
    ck_assert_int_ne(c.frames[k].to, l);
    time_ns elected = event_time(&c, 0, nl, TRACE_RAFT_BECAME_LEADER, "epoch=");
    ck_assert_int_gt(followed, elected);
    ck_assert_int_lt(followed - elected, 20 * LATENCY);
    ck_assert_int_lt(followed - killed, q->fetch_timeout + 2 * q->election_timeout);
    check_followed_on(&c, last + 1, followed, l);
    cluster_free(&c);
}
END_TEST

/*
 * Trunk, the leader's host loses power (nothing answers): the broker's long poll to it times
 * out after controller.quorum.request.timeout.ms and only then does a Fetch go to a random
 * voter (maybeSendFetchToBestNode, KAFKA-19354: no observer fetch timer); an answer naming
 * the same dead leader sends the broker back to it, for another request timeout.
 */
START_TEST(trunk_observer_whose_leader_loses_power_asks_a_voter_once_per_request_timeout)
{
    struct cluster c;
    start_with_observer(&c, "trunk");
    const struct quorum_config *q = &c.cfg[0].quorum;
    size_t last;
    int32_t epoch;
    int l = kill_leader(&c, true, &last, &epoch), nl;
    time_ns timed_out = c.frames[last].sent + q->request_timeout;
    time_ns followed = await_observer_follows(&c, epoch, &nl);
    long k = broker_fetch(&c, last + 1);
    ck_assert_int_ge(k, 0);
    ck_assert_int_eq(c.frames[k].sent, timed_out);
    /* Every Fetch after that: one at a time; to the dead leader only after a timeout or an
     * answer, and a Fetch that timed out is followed by one sent that very instant. */
    for (; k >= 0 && c.frames[k].sent < followed; k = broker_fetch(&c, (size_t)k + 1)) {
        const struct frame *g = &c.frames[k];
        const struct frame *answer = answer_to(&c, g);
        long next = broker_fetch(&c, (size_t)k + 1);
        if (answer == NULL && next >= 0) {
            ck_assert_int_eq(g->to, l);
            ck_assert_int_eq(c.frames[next].sent, g->sent + q->request_timeout);
        } else if (answer != NULL && next >= 0) {
            ck_assert_int_ge(c.frames[next].sent, answer->delivered);
        }
    }
    check_followed_on(&c, last + 1, followed, l);
    cluster_free(&c);
}
END_TEST

/*
 * Kafka 3.4, the leader's host loses power: the observer's own fetch timer expires
 * controller.quorum.fetch.timeout.ms after its last successful Fetch (FollowerState), and from
 * then every Fetch goes to a random voter (pollFollowerAsObserver -> maybeSendAnyVoterFetch),
 * one right after the other's answer, until one succeeds: it follows the new leader at the
 * first answer from a voter that knows it.
 */
START_TEST(kafka_3_4_observer_whose_fetch_timer_expires_asks_random_voters_until_one_does)
{
    struct cluster c;
    start_with_observer(&c, "3.4");
    const struct quorum_config *q = &c.cfg[0].quorum;
    ck_assert(c.cfg[VOTERS].quorum.observer_fetch_timeout);
    ck_assert(!c.cfg[VOTERS].quorum.follower_best_node);
    size_t last;
    int32_t epoch;
    int l = kill_leader(&c, true, &last, &epoch), nl;
    /* The last answer the broker had from the leader: its fetch timer started there. */
    const struct frame *success = NULL;
    for (size_t i = 0; i < last; i++) {
        const struct frame *g = &c.frames[i];
        success = g->from == l && g->to == SPARE && g->channel == ENV_CHANNEL_RESPONSE &&
                  g->api_key == KAFKA_API_FETCH ? g : success;
    }
    ck_assert_ptr_nonnull(success);
    time_ns expired = success->delivered + q->fetch_timeout;
    time_ns followed = await_observer_follows(&c, epoch, &nl);
    long k = broker_fetch(&c, last + 1);
    ck_assert_int_ge(k, 0);
    /* ... and waits for the request still in flight (findReadyVoter: none while one is),
     * which left a flush after that answer. */
    time_ns in_flight_until = c.frames[last].sent + q->request_timeout;
    ck_assert_int_eq(in_flight_until, expired + c.fsync);
    ck_assert_int_eq(c.frames[k].sent, in_flight_until);
    /* From then on: a Fetch to a random voter the instant the previous one was answered or
     * timed out, never waiting on the leader otherwise. */
    for (; k >= 0 && c.frames[k].sent < followed; k = broker_fetch(&c, (size_t)k + 1)) {
        const struct frame *answer = answer_to(&c, &c.frames[k]);
        long next = broker_fetch(&c, (size_t)k + 1);
        time_ns done = answer != NULL ? answer->delivered
                                      : c.frames[k].sent + q->request_timeout;
        /* (At most a retry backoff: an answer that moved its epoch is persisted first, and a
         * leaderless observer backs off a voter that knew no leader either.) */
        if (next >= 0 && c.frames[next].sent < followed) {
            time_ns wait = c.frames[next].sent - done;
            ck_assert_msg(wait >= 0 && wait <= q->retry_backoff, "waited %lld ns",
                          (long long)wait);
        }
    }
    check_followed_on(&c, last + 1, followed, l);
    cluster_free(&c);
}
END_TEST

/*
 * A clean stop of the leader (KafkaRaftServer.shutdown -> KafkaRaftClient.shutdown(5000):
 * pollLeader with shutdown != null -> transitionToResigned, EndQuorumEpoch): the first
 * preferred successor stands at once and leads 5 latencies and 2 fsyncs later, not after
 * controller.quorum.fetch.timeout.ms; the stopping node completes its shutdown once it learns
 * the new leader from BeginQuorumEpoch (maybeCompleteShutdown: hasRemoteLeader), one latency
 * after the election, and may exit.
 */
START_TEST(leader_stopping_cleanly_resigns_and_exits_once_its_successor_leads)
{
    struct cluster c;
    cluster_init(&c, 1, 1 * NS_PER_MS);
    const struct quorum_config *q = &c.cfg[0].quorum;
    int old = run_settled_until_3s(&c);
    int32_t epoch = view_of(&c, old).epoch;
    int first = old == 0 ? 1 : 0;
    time_ns stopped = world_now(c.w);
    node_begin_shutdown(world_host(c.w, old)->proc);
    ck_assert_int_eq(view_of(&c, old).role, QUORUM_RESIGNED);
    ck_assert(!node_shutdown_done(world_host(c.w, old)->proc));
    ck_assert_int_eq(event_time(&c, 0, old, TRACE_RAFT_RESIGN, "reason=shutdown"), stopped);
    /* It stays Resigned (no election timer moves it) until the successor leads. */
    time_ns elected = await_event(&c, first, TRACE_RAFT_BECAME_LEADER, "epoch=", stopped +
                                  q->fetch_timeout);
    ck_assert_int_eq(elected, stopped + 5 * LATENCY + 2 * c.fsync);
    ck_assert_int_lt(elected - stopped, q->fetch_timeout);
    ck_assert_int_eq(view_of(&c, first).epoch, epoch + 1);
    ck_assert(!node_shutdown_done(world_host(c.w, old)->proc));
    /* The new leader's BeginQuorumEpoch leaves once its quorum-state is durable. */
    time_ns learnt = await_event(&c, old, TRACE_RAFT_STATE, "^role=Follower", elected +
                                 NS_PER_S);
    ck_assert_int_eq(learnt, elected + c.fsync + LATENCY);
    ck_assert(node_shutdown_done(world_host(c.w, old)->proc));
    host_stop(world_host(c.w, old));
    world_run_until(c.w, elected + 3 * NS_PER_S);
    ck_assert_int_eq(view_of(&c, first).role, QUORUM_LEADER);
    ck_assert_int_eq(view_of(&c, first).epoch, epoch + 1);
    cluster_free(&c);
}
END_TEST

/* Issue #9 (a2): per-release behaviour, each test naming the Kafka source it pins. */
static TCase *releases_case(void)
{
    TCase *releases = tcase_create("releases");
    tcase_set_timeout(releases, 300);
    tcase_add_test(releases,
                   begin_quorum_epoch_on_3_4_goes_only_to_voters_that_have_not_acknowledged);
    tcase_add_test(releases,
                   begin_quorum_epoch_on_3_9_and_4_1_goes_to_every_voter_each_half_fetch_timeout);
    tcase_add_test(releases,
                   begin_quorum_epoch_on_trunk_goes_only_to_voters_whose_last_fetch_is_old);
    tcase_add_test(releases,
                   kafka_4_0_parked_fetch_waits_500_ms_when_only_the_high_watermark_moves);
    tcase_add_test(releases,
                   kafka_4_1_a_high_watermark_change_completes_every_parked_fetch_at_once);
    tcase_add_test(releases,
                   kafka_3_4_candidate_backs_off_100_ms_steps_on_timeout_and_restarts_its_count);
    tcase_add_test(releases, kafka_3_5_replays_the_log_from_0_to_a_follower_with_an_empty_log);
    tcase_add_test(releases,
                   kafka_3_7_and_trunk_send_an_empty_follower_the_snapshot_id_then_fetch_snapshot);
    tcase_add_test(releases, an_observer_leaves_describe_quorum_300_s_after_its_last_fetch);
    return releases;
}

/* KafkaRaftClient.maybeCompleteShutdown: a leader whose voters are all gone waits out the
 * shutdown timeout (KafkaRaftClientDriver: client.shutdown(5000)) in Resigned, then exits. */
START_TEST(leader_stopping_cleanly_alone_gives_up_after_the_5s_shutdown_timeout)
{
    struct cluster c;
    cluster_init(&c, 1, 1 * NS_PER_MS);
    int old = run_settled_until_3s(&c);
    for (int i = 0; i < VOTERS; i++) {
        if (i != old) {
            host_crash(world_host(c.w, i));
        }
    }
    time_ns stopped = world_now(c.w);
    node_begin_shutdown(world_host(c.w, old)->proc);
    world_run_until(c.w, stopped + 5 * NS_PER_S - 1);
    ck_assert_int_eq(view_of(&c, old).role, QUORUM_RESIGNED);
    ck_assert(!node_shutdown_done(world_host(c.w, old)->proc));
    world_run_until(c.w, stopped + 5 * NS_PER_S);
    ck_assert(node_shutdown_done(world_host(c.w, old)->proc));
    ck_assert_int_eq(view_of(&c, old).role, QUORUM_RESIGNED);
    cluster_free(&c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("raft_quorum");
    TCase *tc = tcase_create("scenarios");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, three_voters_elect_one_leader_whose_log_opens_with_a_leader_change_batch);
    tcase_add_test(tc, slow_disk_50ms_a_granted_vote_is_answered_only_once_quorum_state_is_durable);
    tcase_add_test(tc, quorum_state_after_an_election_is_kafka_data_version_1_json);
    tcase_add_test(tc, quorum_state_version_0_is_the_3_x_shape_with_cluster_id_and_current_voters);
    tcase_add_test(tc,
                   leader_isolated_with_check_quorum_resigns_1_5_fetch_timeouts_after_last_fetch);
    tcase_add_test(tc, leader_isolated_10s_without_check_quorum_stays_leader_of_its_old_epoch);
    tcase_add_test(tc,
                   follower_isolated_20s_with_pre_vote_keeps_its_epoch_and_the_leader_undisturbed);
    tcase_add_test(tc,
                   follower_isolated_10s_on_kafka_3_x_without_pre_vote_climbs_epochs_and_disrupts);
    tcase_add_test(tc, leader_resigns_gracefully_and_its_first_preferred_successor_stands_at_once);
    tcase_add_test(tc, deposed_leader_truncates_its_uncommitted_batch_to_the_new_leaders_log);
    tcase_add_test(tc, describe_quorum_on_the_leader_reports_voters_end_offsets_and_high_watermark);
    tcase_add_test(tc,
                   vote_with_another_cluster_id_is_refused_with_top_level_inconsistent_cluster_id);
    tcase_add_test(tc,
                   voter_loses_power_during_its_vote_fsync_so_the_vote_is_neither_sent_nor_kept);
    tcase_add_test(tc,
                   voter_killed_after_its_vote_is_durable_refuses_another_candidate_of_that_epoch);
    tcase_add_test(tc, same_seed_same_isolation_scenario_gives_the_same_trace_hash);
    suite_add_tcase(s, tc);
    /* Kafka details these tests found missing (now fixed): each names the Kafka source. */
    TCase *bugs = tcase_create("kafka_fidelity");
    tcase_set_timeout(bugs, 300);
    tcase_add_test(bugs, quorum_state_file_bytes_are_kafkas_exactly_without_a_trailing_newline);
    tcase_add_test(bugs, describe_quorum_v2_names_every_voters_endpoint_in_nodes);
    tcase_add_test(bugs, vote_for_another_topic_gets_top_level_invalid_request);
    tcase_add_test(bugs, vote_naming_another_voter_gets_invalid_voter_key);
    tcase_add_test(bugs, resigning_leader_answers_parked_fetches_with_not_leader_or_follower);
    suite_add_tcase(s, bugs);
    /* ≤3.7 KafkaRaftClient.validateVoterOnlyRequest (raft.voter.set.check), and trunk without. */
    TCase *voter_sets = tcase_create("voter_sets");
    tcase_set_timeout(voter_sets, 300);
    tcase_add_test(voter_sets,
                   kafka_3_4_controller_outside_the_voter_set_gets_inconsistent_voter_set);
    tcase_add_test(voter_sets,
                   kafka_3_4_controller_outside_the_voter_set_logs_each_refusal_in_its_own_epoch);
    tcase_add_test(voter_sets,
                   kafka_3_4_refuses_a_vote_from_outside_the_voter_set_and_keeps_its_epoch);
    tcase_add_test(voter_sets,
                   trunk_decides_the_same_vote_from_outside_the_voter_set_on_its_merits);
    tcase_add_test(voter_sets,
                   kafka_3_4_broker_the_controllers_count_as_a_voter_refuses_their_quorum_requests);
    suite_add_tcase(s, voter_sets);
    suite_add_tcase(s, releases_case());
    /* Whom followers fetch from when the leader is gone, and a leader's clean stop. */
    TCase *failover = tcase_create("failover");
    tcase_set_timeout(failover, 300);
    tcase_add_test(failover,
                   trunk_observer_whose_leader_is_killed_asks_random_voters_and_follows_the_next);
    tcase_add_test(failover,
                   trunk_observer_whose_leader_loses_power_asks_a_voter_once_per_request_timeout);
    tcase_add_test(failover,
                   kafka_3_4_observer_whose_fetch_timer_expires_asks_random_voters_until_one_does);
    tcase_add_test(failover, leader_stopping_cleanly_resigns_and_exits_once_its_successor_leads);
    tcase_add_test(failover, leader_stopping_cleanly_alone_gives_up_after_the_5s_shutdown_timeout);
    suite_add_tcase(s, failover);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
