/* test_net.c — the simulated network: exact timings, FIFO, bandwidth, faults and cuts. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world/net.h"
#include "world/sched.h"
#include "trace/trace.h"

/*
 * Every test builds one small world: a scheduler, a trace and a network whose deliveries are
 * recorded with the virtual time they happened at. Links are made exact (latency_min ==
 * latency_mean, no jitter) wherever a test asserts a time, so that every time is a constant.
 */

#define DELIVERY_MAX 1024
#define EVENT_MAX 256
#define FRAME_BYTES_MAX 4096

struct delivery {
    time_ns time;
    int from;
    int to;
    size_t len;
    uint8_t tag; /* first byte of the frame */
};

struct recorded_event {
    time_ns time;
    int host;
    enum trace_kind kind;
    char detail[512]; /* TRACE_DETAIL_MAX */
};

struct world {
    struct sched s;
    struct trace t;
    struct net n;
    struct delivery deliveries[DELIVERY_MAX];
    int delivery_count;
    struct recorded_event events[EVENT_MAX];
    int event_count;
    bool echo; /* deliver() answers every frame to h1 with a frame back to its sender */
};

static struct world w;

static void record_delivery(void *ctx, int from, int to, uint8_t channel, const uint8_t *bytes,
                            size_t len)
{
    struct world *world = ctx;
    ck_assert_ptr_eq(world, &w);
    if (world->delivery_count < DELIVERY_MAX) {
        world->deliveries[world->delivery_count] = (struct delivery){
            .time = sched_now(&world->s), .from = from, .to = to, .len = len,
            .tag = len > 0 ? bytes[0] : 0,
        };
    }
    world->delivery_count++;
    if (world->echo && to == 1) {
        uint8_t reply = (uint8_t)(bytes[0] + 100);
        net_send(&world->n, to, from, 0, &reply, 1);
    }
}

static void record_event(void *ctx, const struct trace_event *event)
{
    struct world *world = ctx;
    if (world->event_count < EVENT_MAX) {
        struct recorded_event *e = &world->events[world->event_count];
        e->time = event->time;
        e->host = event->host;
        e->kind = event->kind;
        snprintf(e->detail, sizeof e->detail, "%s", trace_event_detail(event));
    }
    world->event_count++;
}

static void world_init(uint64_t seed, int host_count)
{
    memset(&w, 0, sizeof w);
    sched_init(&w.s);
    trace_init(&w.t);
    trace_add_sink(&w.t, (struct trace_sink){.event = record_event, .ctx = &w});
    net_init(&w.n, &w.s, &w.t, seed, host_count, record_delivery, &w);
}

static void world_free(void)
{
    ck_assert(net_check(&w.n));
    net_free(&w.n);
    sched_free(&w.s);
}

/* A link whose one-way time is exactly `latency`, with no faults and unlimited bandwidth. */
static struct net_link_cfg exact_link(time_ns latency)
{
    struct net_link_cfg cfg = net_link_default();
    cfg.latency_min = latency;
    cfg.latency_mean = latency;
    cfg.jitter = 0;
    return cfg;
}

static void send_frame(int from, int to, uint8_t tag, size_t len)
{
    static uint8_t bytes[FRAME_BYTES_MAX];
    ck_assert_uint_le(len, FRAME_BYTES_MAX);
    ck_assert_uint_gt(len, 0);
    memset(bytes, 0xab, len);
    bytes[0] = tag;
    net_send(&w.n, from, to, 0, bytes, len);
}

static void send_tag(int from, int to, uint8_t tag) { send_frame(from, to, tag, 8); }

static void run_all(void)
{
    while (sched_step(&w.s)) {
        ck_assert(net_check(&w.n));
    }
}

static void assert_delivery(int index, time_ns time, int from, int to, uint8_t tag)
{
    ck_assert_int_lt(index, w.delivery_count);
    const struct delivery *d = &w.deliveries[index];
    ck_assert_int_eq(d->time, time);
    ck_assert_int_eq(d->from, from);
    ck_assert_int_eq(d->to, to);
    ck_assert_uint_eq(d->tag, tag);
}

/* Sends one frame each way and says which of the two arrived. */
static void probe(int a, int b, bool *a_to_b, bool *b_to_a)
{
    int before = w.delivery_count;
    send_tag(a, b, 1);
    send_tag(b, a, 2);
    run_all();
    *a_to_b = false;
    *b_to_a = false;
    for (int i = before; i < w.delivery_count; i++) {
        *a_to_b = *a_to_b || (w.deliveries[i].from == a && w.deliveries[i].to == b);
        *b_to_a = *b_to_a || (w.deliveries[i].from == b && w.deliveries[i].to == a);
    }
}

static void assert_link_up(int a, int b, bool a_to_b_up, bool b_to_a_up)
{
    bool a_to_b;
    bool b_to_a;
    probe(a, b, &a_to_b, &b_to_a);
    ck_assert_msg(a_to_b == a_to_b_up, "h%d -> h%d: delivered=%d", a, b, a_to_b);
    ck_assert_msg(b_to_a == b_to_a_up, "h%d -> h%d: delivered=%d", b, a, b_to_a);
}

START_TEST(one_frame_on_1ms_link_arrives_at_exactly_1ms)
{
    world_init(1, 2);
    struct net_link_cfg cfg = exact_link(NS_PER_MS);
    net_set_all_links(&w.n, &cfg);
    /* h0 sends 8 bytes to h1 at t=0. */
    send_tag(0, 1, 7);
    ck_assert_uint_eq(w.n.in_flight_count, 1);
    run_all();
    /* It arrives once, at exactly 1 ms, bytes intact. */
    ck_assert_int_eq(w.delivery_count, 1);
    assert_delivery(0, NS_PER_MS, 0, 1, 7);
    ck_assert_uint_eq(w.deliveries[0].len, 8);
    ck_assert_uint_eq(w.n.sent_count, 1);
    ck_assert_uint_eq(w.n.delivered_count, 1);
    ck_assert_uint_eq(w.n.in_flight_count, 0);
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_SEND], 1);
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_DELIVER], 1);
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_DROP], 0);
    /* The trace names the sender for the send and the receiver for the delivery. */
    ck_assert_int_eq(w.event_count, 2);
    ck_assert_int_eq(w.events[0].host, 0);
    ck_assert_str_eq(w.events[0].detail, "id=1 from=h0 to=h1 bytes=8");
    ck_assert_int_eq(w.events[1].time, NS_PER_MS);
    ck_assert_int_eq(w.events[1].host, 1);
    ck_assert_int_eq(w.events[1].kind, TRACE_NET_DELIVER);
    world_free();
}
END_TEST

START_TEST(default_link_delivers_between_100_and_300_us)
{
    world_init(2, 2);
    const struct net_link_cfg *cfg = net_link_cfg(&w.n, 0, 1);
    ck_assert_int_eq(cfg->latency_min, 100 * NS_PER_US);
    ck_assert_int_eq(cfg->latency_mean, 200 * NS_PER_US);
    ck_assert_uint_eq(cfg->drop_ppm + cfg->duplicate_ppm + cfg->reorder_ppm, 0);
    ck_assert_uint_eq(cfg->bandwidth_bytes_per_s, 0);
    /* 50 frames, one every millisecond so that FIFO never holds one back. */
    for (int i = 0; i < 50; i++) {
        sched_run_until(&w.s, i * NS_PER_MS);
        send_tag(0, 1, (uint8_t)i);
    }
    run_all();
    ck_assert_int_eq(w.delivery_count, 50);
    for (int i = 0; i < 50; i++) {
        time_ns latency = w.deliveries[i].time - i * NS_PER_MS;
        ck_assert_int_ge(latency, 100 * NS_PER_US);
        ck_assert_int_le(latency, 300 * NS_PER_US);
    }
    world_free();
}
END_TEST

START_TEST(fifo_holds_a_frame_sent_on_a_faster_link_behind_the_earlier_one)
{
    world_init(3, 2);
    struct net_link_cfg slow = exact_link(NS_PER_MS);
    struct net_link_cfg fast = exact_link(100 * NS_PER_US);
    /* A leaves at t=0 over a 1 ms link. */
    net_set_link(&w.n, 0, 1, &slow);
    send_tag(0, 1, 'A');
    /* The link gets faster; B leaves at 10 us and would arrive at 110 us. */
    net_set_link(&w.n, 0, 1, &fast);
    sched_run_until(&w.s, 10 * NS_PER_US);
    send_tag(0, 1, 'B');
    run_all();
    /* B waits for A: both arrive at 1 ms, A first. */
    ck_assert_int_eq(w.delivery_count, 2);
    assert_delivery(0, NS_PER_MS, 0, 1, 'A');
    assert_delivery(1, NS_PER_MS, 0, 1, 'B');
    /* Once the queue has drained, C at 2 ms takes the fast link's 100 us. */
    sched_run_until(&w.s, 2 * NS_PER_MS);
    send_tag(0, 1, 'C');
    run_all();
    assert_delivery(2, 2 * NS_PER_MS + 100 * NS_PER_US, 0, 1, 'C');
    world_free();
}
END_TEST

START_TEST(bandwidth_1MBps_serialises_1000_byte_frames_1ms_apart)
{
    world_init(4, 2);
    struct net_link_cfg cfg = exact_link(100 * NS_PER_US);
    cfg.bandwidth_bytes_per_s = 1000000;
    net_set_link(&w.n, 0, 1, &cfg);
    /* Three 1000-byte frames at t=0: each takes 1 ms on the wire, then 100 us of latency. */
    send_frame(0, 1, 1, 1000);
    send_frame(0, 1, 2, 1000);
    send_frame(0, 1, 3, 1000);
    /* A 500-byte frame at 1.5 ms queues behind them: leaves at 3.5 ms. */
    sched_run_until(&w.s, 1500 * NS_PER_US);
    send_frame(0, 1, 4, 500);
    run_all();
    ck_assert_int_eq(w.delivery_count, 4);
    assert_delivery(0, 1100 * NS_PER_US, 0, 1, 1);
    assert_delivery(1, 2100 * NS_PER_US, 0, 1, 2);
    assert_delivery(2, 3100 * NS_PER_US, 0, 1, 3);
    assert_delivery(3, 3600 * NS_PER_US, 0, 1, 4);
    /* An idle link banks nothing: a frame at 10 ms leaves at 11 ms. */
    sched_run_until(&w.s, 10 * NS_PER_MS);
    send_frame(0, 1, 5, 1000);
    run_all();
    assert_delivery(4, 11100 * NS_PER_US, 0, 1, 5);
    /* The other direction has its own wire, here unlimited: 200 us of latency only. */
    struct net_link_cfg back = exact_link(200 * NS_PER_US);
    net_set_link(&w.n, 1, 0, &back);
    send_frame(1, 0, 6, 1000);
    run_all();
    assert_delivery(5, 11300 * NS_PER_US, 1, 0, 6);
    world_free();
}
END_TEST

START_TEST(loss_1000000_ppm_drops_every_frame)
{
    world_init(5, 2);
    struct net_link_cfg cfg = exact_link(NS_PER_MS);
    cfg.drop_ppm = 1000000;
    net_set_link(&w.n, 0, 1, &cfg);
    /* Ten frames h0 -> h1: all lost at send time, nothing left in flight. */
    for (int i = 0; i < 10; i++) {
        send_tag(0, 1, (uint8_t)i);
    }
    ck_assert_uint_eq(w.n.in_flight_count, 0);
    ck_assert_uint_eq(sched_pending_count(&w.s), 0);
    run_all();
    ck_assert_int_eq(w.delivery_count, 0);
    ck_assert_uint_eq(w.n.sent_count, 10);
    ck_assert_uint_eq(w.n.dropped_count, 10);
    ck_assert_uint_eq(w.n.delivered_count, 0);
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_SEND], 10);
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_DROP], 10);
    ck_assert_str_eq(w.events[1].detail, "id=1 from=h0 to=h1 bytes=8 reason=loss");
    ck_assert_int_eq(w.events[1].host, 0);
    /* The reverse link has no loss. */
    send_tag(1, 0, 99);
    run_all();
    ck_assert_int_eq(w.delivery_count, 1);
    world_free();
}
END_TEST

/* Network chaos is the network's: a combined node's broker heartbeating its own controller
 * rides loopback, which a lossy "every link" fault must not touch (nor isolation). */
START_TEST(lossy_every_link_leaves_loopback_lossless)
{
    world_init(5, 2);
    struct net_link_cfg cfg = exact_link(NS_PER_MS);
    cfg.drop_ppm = 1000000;
    net_set_all_links(&w.n, &cfg);
    ck_assert_uint_eq(net_link_cfg(&w.n, 0, 1)->drop_ppm, 1000000);
    ck_assert_uint_eq(net_link_cfg(&w.n, 1, 0)->drop_ppm, 1000000);
    ck_assert_uint_eq(net_link_cfg(&w.n, 0, 0)->drop_ppm, 0);
    /* and loopback keeps the quiet LAN's latency: never zero, so no frame loops in one instant */
    ck_assert_int_eq(net_link_cfg(&w.n, 0, 0)->latency_min, net_link_default().latency_min);
    ck_assert_int_gt(net_link_cfg(&w.n, 0, 0)->latency_min, 0);
    for (int i = 0; i < 10; i++) {
        send_tag(0, 0, (uint8_t)i);
        send_tag(0, 1, (uint8_t)i);
    }
    run_all();
    ck_assert_int_eq(w.delivery_count, 10);
    ck_assert_uint_eq(w.n.dropped_count, 10);
    for (int i = 0; i < 10; i++) {
        ck_assert_int_eq(w.deliveries[i].to, 0);
        ck_assert_int_eq(w.deliveries[i].tag, i);
    }
    world_free();
}
END_TEST

START_TEST(duplicate_1000000_ppm_delivers_every_frame_twice)
{
    world_init(6, 2);
    struct net_link_cfg cfg = exact_link(NS_PER_MS);
    cfg.duplicate_ppm = 1000000;
    net_set_link(&w.n, 0, 1, &cfg);
    send_tag(0, 1, 42);
    ck_assert_uint_eq(w.n.in_flight_count, 2);
    run_all();
    /* Both copies arrive at 1 ms (exact link), carrying the same bytes. */
    ck_assert_int_eq(w.delivery_count, 2);
    assert_delivery(0, NS_PER_MS, 0, 1, 42);
    assert_delivery(1, NS_PER_MS, 0, 1, 42);
    ck_assert_uint_eq(w.n.sent_count, 1);
    ck_assert_uint_eq(w.n.duplicated_count, 1);
    ck_assert_uint_eq(w.n.delivered_count, 2);
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_DUPLICATE], 1);
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_DELIVER], 2);
    ck_assert_str_eq(w.events[3].detail, "id=1 from=h0 to=h1 bytes=8 dup=1");
    world_free();
}
END_TEST

START_TEST(reorder_lets_a_frame_on_a_faster_link_overtake)
{
    world_init(7, 2);
    struct net_link_cfg slow = exact_link(NS_PER_MS);
    struct net_link_cfg fast_reordering = exact_link(100 * NS_PER_US);
    fast_reordering.reorder_ppm = 1000000;
    /* A leaves at t=0 over a 1 ms link. */
    net_set_link(&w.n, 0, 1, &slow);
    send_tag(0, 1, 'A');
    /* B leaves at 10 us over a 100 us link that may skip the FIFO queue. */
    net_set_link(&w.n, 0, 1, &fast_reordering);
    sched_run_until(&w.s, 10 * NS_PER_US);
    send_tag(0, 1, 'B');
    run_all();
    /* B overtakes A. */
    ck_assert_int_eq(w.delivery_count, 2);
    assert_delivery(0, 110 * NS_PER_US, 0, 1, 'B');
    assert_delivery(1, NS_PER_MS, 0, 1, 'A');
    world_free();
}
END_TEST

START_TEST(cut_link_drops_at_send_time_and_other_direction_flows)
{
    world_init(8, 2);
    struct net_link_cfg cfg = exact_link(NS_PER_MS);
    net_set_all_links(&w.n, &cfg);
    /* Cut h0 -> h1 only. */
    net_cut(&w.n, 0, 1);
    ck_assert(net_is_cut(&w.n, 0, 1));
    ck_assert(!net_is_cut(&w.n, 1, 0));
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_CUT], 1);
    /* A frame h0 -> h1 is dropped at once, at the sender. */
    send_tag(0, 1, 1);
    ck_assert_uint_eq(sched_pending_count(&w.s), 0);
    ck_assert_uint_eq(w.n.dropped_count, 1);
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_DROP], 1);
    const struct recorded_event *drop = &w.events[w.event_count - 1];
    ck_assert_int_eq(drop->kind, TRACE_NET_DROP);
    ck_assert_int_eq(drop->time, 0);
    ck_assert_int_eq(drop->host, 0);
    ck_assert_str_eq(drop->detail, "id=1 from=h0 to=h1 bytes=8 reason=cut");
    /* h1 -> h0 still arrives at 1 ms. */
    send_tag(1, 0, 2);
    run_all();
    ck_assert_int_eq(w.delivery_count, 1);
    assert_delivery(0, NS_PER_MS, 1, 0, 2);
    world_free();
}
END_TEST

START_TEST(cut_while_in_flight_drops_at_arrival_time)
{
    world_init(9, 2);
    struct net_link_cfg cfg = exact_link(NS_PER_MS);
    net_set_all_links(&w.n, &cfg);
    /* h0 sends at t=0; the link is cut at 500 us, while the frame is on the wire. */
    send_tag(0, 1, 1);
    sched_run_until(&w.s, 500 * NS_PER_US);
    net_cut(&w.n, 0, 1);
    run_all();
    /* The frame is lost when it would have arrived, at 1 ms, at the receiver. */
    ck_assert_int_eq(w.delivery_count, 0);
    ck_assert_uint_eq(w.n.dropped_count, 1);
    ck_assert_uint_eq(w.n.in_flight_count, 0);
    const struct recorded_event *drop = &w.events[w.event_count - 1];
    ck_assert_int_eq(drop->kind, TRACE_NET_DROP);
    ck_assert_int_eq(drop->time, NS_PER_MS);
    ck_assert_int_eq(drop->host, 1);
    ck_assert_str_eq(drop->detail, "id=1 from=h0 to=h1 bytes=8 reason=cut");
    world_free();
}
END_TEST

START_TEST(cut_and_uncut_while_in_flight_still_delivers)
{
    world_init(10, 2);
    struct net_link_cfg cfg = exact_link(NS_PER_MS);
    net_set_all_links(&w.n, &cfg);
    /* The cut lasts from 200 us to 600 us; the frame arrives at 1 ms, after it. */
    send_tag(0, 1, 1);
    sched_run_until(&w.s, 200 * NS_PER_US);
    net_cut(&w.n, 0, 1);
    sched_run_until(&w.s, 600 * NS_PER_US);
    net_uncut(&w.n, 0, 1);
    run_all();
    ck_assert_int_eq(w.delivery_count, 1);
    assert_delivery(0, NS_PER_MS, 0, 1, 1);
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_CUT], 1);
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_HEAL], 1);
    world_free();
}
END_TEST

START_TEST(oneway_cut_h0_to_h1_loses_requests_but_replies_flow)
{
    world_init(11, 3);
    int a[] = {0};
    int b[] = {1, 2};
    net_cut_oneway(&w.n, a, 1, b, 2);
    /* One trace event for the whole helper. */
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_CUT], 1);
    ck_assert_str_eq(w.events[0].detail, "oneway {h0} -> {h1,h2}");
    ck_assert_int_eq(w.events[0].host, TRACE_HOST_NONE);
    assert_link_up(0, 1, false, true);
    assert_link_up(0, 2, false, true);
    assert_link_up(1, 2, true, true);
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_DROP], 2);
    world_free();
}
END_TEST

START_TEST(symmetric_partition_01_vs_2_blocks_both_ways)
{
    world_init(12, 3);
    int a[] = {0, 1};
    int b[] = {2};
    net_partition(&w.n, a, 2, b, 1);
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_CUT], 1);
    ck_assert_str_eq(w.events[0].detail, "partition {h0,h1} | {h2}");
    /* Inside a side: fine. Across: lost both ways. */
    assert_link_up(0, 1, true, true);
    assert_link_up(0, 2, false, false);
    assert_link_up(1, 2, false, false);
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_DROP], 4);
    world_free();
}
END_TEST

START_TEST(bridge_h1_between_h0_and_h2_talks_to_both_sides)
{
    world_init(13, 3);
    int a[] = {0};
    int b[] = {2};
    net_bridge(&w.n, a, 1, 1, b, 1);
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_CUT], 1);
    ck_assert_str_eq(w.events[0].detail, "bridge {h0} | h1 | {h2}");
    assert_link_up(0, 1, true, true);
    assert_link_up(1, 2, true, true);
    assert_link_up(0, 2, false, false);
    world_free();
}
END_TEST

/* What a person reads names hosts as the config does: once the trace knows the hosts' names,
 * cuts and partitions use them (frames keep indices for the tools that follow connections),
 * and a side too long for the line ends ",...}". */
START_TEST(named_hosts_appear_by_name_in_cuts_and_partitions)
{
    world_init(15, 3);
    static const char *const names[] = {"kafka-1", "kafka-2", "broker-4"};
    for (int i = 0; i < 3; i++) {
        trace_name_host(&w.t, i, names[i]);
    }
    int a[] = {0, 1};
    int b[] = {2};
    net_partition(&w.n, a, 2, b, 1);
    ck_assert_str_eq(w.events[0].detail, "partition {kafka-1,kafka-2} | {broker-4}");
    net_cut(&w.n, 2, 0);
    ck_assert_str_eq(w.events[1].detail, "cut broker-4 -> kafka-1");
    world_free();
    /* Five hosts with 59-character names: one side of four does not fit the line. */
    world_init(16, 5);
    static char long_name[60];
    memset(long_name, 'x', sizeof long_name - 1);
    for (int i = 0; i < 5; i++) {
        trace_name_host(&w.t, i, long_name);
    }
    int four[] = {0, 1, 2, 3};
    int one[] = {4};
    net_partition(&w.n, four, 4, one, 1);
    const char *detail = w.events[0].detail;
    ck_assert_msg(strstr(detail, ",...} | {") != NULL, "%s", detail);
    ck_assert_msg(strncmp(detail + strlen(detail) - 2, "x}", 2) == 0, "%s", detail);
    world_free();
}
END_TEST

START_TEST(isolate_h1_of_3_cuts_it_off_both_ways)
{
    world_init(14, 3);
    net_isolate(&w.n, 1);
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_CUT], 1);
    ck_assert_str_eq(w.events[0].detail, "isolate h1");
    assert_link_up(1, 0, false, false);
    assert_link_up(1, 2, false, false);
    assert_link_up(0, 2, true, true);
    world_free();
}
END_TEST

START_TEST(heal_after_partition_restores_delivery_and_keeps_link_settings)
{
    world_init(15, 3);
    struct net_link_cfg cfg = exact_link(2 * NS_PER_MS);
    net_set_all_links(&w.n, &cfg);
    int a[] = {0};
    int b[] = {1, 2};
    net_partition(&w.n, a, 1, b, 2);
    assert_link_up(0, 1, false, false);
    /* Heal: every cut is gone, in one trace event that counts the healed links. */
    net_heal(&w.n);
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_HEAL], 1);
    ck_assert_str_eq(w.events[w.event_count - 1].detail, "heal links=4");
    ck_assert(!net_is_cut(&w.n, 0, 1));
    ck_assert(!net_is_cut(&w.n, 2, 0));
    /* A frame at 10 ms arrives after the link's own 2 ms. */
    sched_run_until(&w.s, 10 * NS_PER_MS);
    send_tag(0, 2, 9);
    run_all();
    ck_assert_int_eq(w.delivery_count, 1);
    assert_delivery(0, 12 * NS_PER_MS, 0, 2, 9);
    world_free();
}
END_TEST

START_TEST(handler_replies_from_inside_a_delivery)
{
    world_init(16, 2);
    struct net_link_cfg cfg = exact_link(NS_PER_MS);
    net_set_all_links(&w.n, &cfg);
    w.echo = true;
    /* h0 -> h1 at 0; h1 answers as it receives, so the reply lands at 2 ms. */
    send_tag(0, 1, 5);
    run_all();
    ck_assert_int_eq(w.delivery_count, 2);
    assert_delivery(0, NS_PER_MS, 0, 1, 5);
    assert_delivery(1, 2 * NS_PER_MS, 1, 0, 105);
    world_free();
}
END_TEST

/* A workload touching every random feature: 4 hosts, spread, jitter, loss, duplicates,
 * reordering, bandwidth, and a partition that comes and goes. Returns the trace hash. */
static uint64_t random_workload_hash(uint64_t seed)
{
    world_init(seed, 4);
    struct net_link_cfg cfg = {
        .latency_min = 50 * NS_PER_US, .latency_mean = 400 * NS_PER_US,
        .jitter = 100 * NS_PER_US, .drop_ppm = 100000, .duplicate_ppm = 50000,
        .reorder_ppm = 50000, .bandwidth_bytes_per_s = 10000000,
    };
    net_set_all_links(&w.n, &cfg);
    int a[] = {0, 1};
    int b[] = {2, 3};
    for (int i = 0; i < 400; i++) {
        sched_run_until(&w.s, i * 37 * NS_PER_US);
        if (i == 100) {
            net_partition(&w.n, a, 2, b, 2);
        } else if (i == 200) {
            net_heal(&w.n);
        }
        int from = i % 4;
        int to = (from + 1 + (i / 4) % 3) % 4;
        send_frame(from, to, (uint8_t)i, 100 + (size_t)(i * 13) % 900);
        ck_assert(net_check(&w.n));
    }
    run_all();
    /* Every fault happened, and every copy is accounted for. */
    ck_assert_uint_gt(w.n.duplicated_count, 0);
    ck_assert_uint_gt(w.n.dropped_count, 0);
    ck_assert_uint_eq(w.n.in_flight_count, 0);
    ck_assert_uint_eq(w.n.sent_count + w.n.duplicated_count,
                      w.n.delivered_count + w.n.dropped_count);
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_DELIVER], w.n.delivered_count);
    ck_assert_uint_eq(w.t.kind_counts[TRACE_NET_DROP], w.n.dropped_count);
    uint64_t hash = trace_hash(&w.t);
    world_free();
    return hash;
}

START_TEST(same_seed_same_trace_hash_different_seed_different_hash)
{
    uint64_t first = random_workload_hash(42);
    uint64_t again = random_workload_hash(42);
    uint64_t other = random_workload_hash(43);
    ck_assert_uint_eq(first, again);
    ck_assert_uint_ne(first, other);
}
END_TEST

START_TEST(net_free_with_frames_in_flight_leaks_nothing)
{
    world_init(17, 3);
    struct net_link_cfg cfg = exact_link(NS_PER_MS);
    cfg.duplicate_ppm = 500000;
    net_set_all_links(&w.n, &cfg);
    /* Six frames leave at 100 us steps; stop at 300 us with some still on the wire. */
    for (int i = 0; i < 6; i++) {
        sched_run_until(&w.s, i * 100 * NS_PER_US);
        send_frame(i % 3, (i + 1) % 3, (uint8_t)i, 64 + (size_t)i);
    }
    sched_run_until(&w.s, 1300 * NS_PER_US);
    ck_assert_int_gt(w.delivery_count, 0);
    ck_assert_uint_gt(w.n.in_flight_count, 0);
    ck_assert(net_check(&w.n));
    /* net_free cancels every pending arrival; the sanitizer build checks that nothing leaks. */
    net_free(&w.n);
    ck_assert_uint_eq(w.n.in_flight_count, 0);
    ck_assert_ptr_null(w.n.frames_head);
    ck_assert_uint_eq(sched_pending_count(&w.s), 0);
    sched_free(&w.s);
}
END_TEST

static Suite *net_suite(void)
{
    Suite *suite = suite_create("net");
    TCase *timing = tcase_create("timing");
    tcase_add_test(timing, one_frame_on_1ms_link_arrives_at_exactly_1ms);
    tcase_add_test(timing, default_link_delivers_between_100_and_300_us);
    tcase_add_test(timing, fifo_holds_a_frame_sent_on_a_faster_link_behind_the_earlier_one);
    tcase_add_test(timing, bandwidth_1MBps_serialises_1000_byte_frames_1ms_apart);
    tcase_add_test(timing, handler_replies_from_inside_a_delivery);
    suite_add_tcase(suite, timing);
    TCase *faults = tcase_create("faults");
    tcase_add_test(faults, loss_1000000_ppm_drops_every_frame);
    tcase_add_test(faults, lossy_every_link_leaves_loopback_lossless);
    tcase_add_test(faults, duplicate_1000000_ppm_delivers_every_frame_twice);
    tcase_add_test(faults, reorder_lets_a_frame_on_a_faster_link_overtake);
    suite_add_tcase(suite, faults);
    TCase *cuts = tcase_create("cuts");
    tcase_add_test(cuts, cut_link_drops_at_send_time_and_other_direction_flows);
    tcase_add_test(cuts, cut_while_in_flight_drops_at_arrival_time);
    tcase_add_test(cuts, cut_and_uncut_while_in_flight_still_delivers);
    tcase_add_test(cuts, oneway_cut_h0_to_h1_loses_requests_but_replies_flow);
    tcase_add_test(cuts, symmetric_partition_01_vs_2_blocks_both_ways);
    tcase_add_test(cuts, bridge_h1_between_h0_and_h2_talks_to_both_sides);
    tcase_add_test(cuts, isolate_h1_of_3_cuts_it_off_both_ways);
    tcase_add_test(cuts, named_hosts_appear_by_name_in_cuts_and_partitions);
    tcase_add_test(cuts, heal_after_partition_restores_delivery_and_keeps_link_settings);
    suite_add_tcase(suite, cuts);
    TCase *runs = tcase_create("runs");
    tcase_add_test(runs, same_seed_same_trace_hash_different_seed_different_hash);
    tcase_add_test(runs, net_free_with_frames_in_flight_leaks_nothing);
    suite_add_tcase(suite, runs);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(net_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failures = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failures == 0 ? 0 : 1;
}
