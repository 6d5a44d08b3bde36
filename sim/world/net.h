/* net.h — the simulated network: byte frames between hosts over links that can fail. */
#ifndef KRAFTSIM_NET_H
#define KRAFTSIM_NET_H

/*
 * The model, as a contract.
 *
 * Hosts are numbered 0..host_count-1. Every ordered pair (from, to) is a link with its own
 * settings. A host's link to itself is loopback: the faults that stand for the network
 * (net_set_all_links, net_isolate) leave it alone. A frame handed to net_send is copied; the
 * sender never learns its fate (as with a real socket write that returned).
 *
 * A link behaves like one TCP connection carried over a network:
 * - Delivery is in order (FIFO per link): a frame is never delivered before a frame sent earlier
 *   on the same link, unless the link's `reorder_ppm` chance lets it skip the queue (a fault
 *   that real TCP does not show; it exists to test handlers against reordering).
 * - Latency: each frame draws latency uniformly from [latency_min, latency_min + 2 *
 *   (latency_mean - latency_min)] plus a uniform jitter in [0, jitter]. With bandwidth set, a
 *   frame also waits for the link to finish serialising earlier frames: size * 1e9 / bandwidth
 *   nanoseconds each.
 * - `drop_ppm` loses a frame outright, `duplicate_ppm` delivers it twice (the copy with its own
 *   latency). Real TCP does neither; these are chaos faults for the protocol's own defences.
 * - A cut link (net_cut, partitions) loses every frame that is sent on it or that would arrive
 *   over it while it is cut, including frames already in flight when the cut happened. This is
 *   what a Kafka client sees on a dead route: requests vanish and its own timers expire.
 * - Crashed and paused receivers are the host layer's business, not the network's: the network
 *   delivers to the host, and sim/world/host.c drops (crashed: the connection resets) or queues
 *   (paused: the kernel still buffers) the frame.
 *
 * Every send, delivery, drop and duplicate is a trace event (net-send, net-deliver, net-drop,
 * net-duplicate); cuts and heals are net-cut and net-heal. Randomness comes from the "net"
 * stream only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "env.h"
#include "world/rng.h"
#include "world/sched.h"
#include "trace/trace.h"

#define NET_HOST_MAX 64

struct net_link_cfg {
    time_ns latency_min;
    time_ns latency_mean;  /* >= latency_min */
    time_ns jitter;        /* extra uniform delay in [0, jitter] */
    uint32_t drop_ppm;     /* chance a frame is lost */
    uint32_t duplicate_ppm;/* chance a frame arrives twice */
    uint32_t reorder_ppm;  /* chance a frame ignores FIFO order */
    uint64_t bandwidth_bytes_per_s; /* 0 = unlimited */
};

/* The defaults: a quiet LAN. 100-300 us one way, no faults, unlimited bandwidth. */
struct net_link_cfg net_link_default(void);

/* Called when a frame arrives. `bytes` stays valid only during the call. `channel` is the
 * sender's word on which end of a connection the frame arrives at (env.h: ENV_CHANNEL_*): Kafka
 * tells requests from responses by the socket they come in on, and the network keeps that. */
typedef void (*net_deliver_fn)(void *ctx, int from, int to, uint8_t channel,
                               const uint8_t *bytes, size_t len);

struct net_link {
    struct net_link_cfg cfg;
    bool cut;
    time_ns fifo_tail; /* latest arrival scheduled on this link: FIFO floor for the next one */
    time_ns busy_until; /* when the link finishes serialising what it already carries */
};

/* One copy of a frame between net_send and its arrival event (private to net.c). */
struct net_frame;

struct net {
    struct sched *sched;
    struct trace *trace;
    struct rng rng;
    int host_count;
    net_deliver_fn deliver;
    void *deliver_ctx;
    struct net_link links[NET_HOST_MAX][NET_HOST_MAX];
    uint64_t sent_count;
    uint64_t delivered_count;
    uint64_t dropped_count;
    uint64_t duplicated_count;
    uint64_t in_flight_count;
    uint64_t next_frame_id;
    /* Every copy in flight, in the order it was scheduled; in_flight_count is its length. At all
     * times sent_count + duplicated_count == delivered_count + dropped_count + in_flight_count. */
    struct net_frame *frames_head;
    struct net_frame *frames_tail;
};

void net_init(struct net *n, struct sched *sched, struct trace *trace, uint64_t seed,
              int host_count, net_deliver_fn deliver, void *deliver_ctx);
/* Frees frames still in flight and cancels their arrival events, so call it before sched_free
 * (or the scheduler may keep running without the network). */
void net_free(struct net *n);

void net_set_link(struct net *n, int from, int to, const struct net_link_cfg *cfg);
/* Every link between two different hosts; a host's loopback link keeps its settings. */
void net_set_all_links(struct net *n, const struct net_link_cfg *cfg);
const struct net_link_cfg *net_link_cfg(const struct net *n, int from, int to);

void net_send(struct net *n, int from, int to, uint8_t channel, const uint8_t *bytes,
              size_t len);
/* A refused connection (a TCP reset from `from`'s operating system back to `to`): no bytes,
 * channel ENV_CHANNEL_RESET. It travels the link as a frame does (latency, cuts, loss), but it
 * is not a Kafka frame, so it has its own door: everything handed to net_send is Kafka's wire
 * format, and a capture of net_send sees exactly the frames. */
void net_reset(struct net *n, int from, int to);

/* Cuts. All of them are directional underneath; the helpers below are sets of cuts. */
void net_cut(struct net *n, int from, int to);
void net_uncut(struct net *n, int from, int to);
bool net_is_cut(const struct net *n, int from, int to);
/* Symmetric partition: no frame crosses between group a and group b, either way. */
void net_partition(struct net *n, const int *a, int a_count, const int *b, int b_count);
/* One-way cut: frames from group a to group b are lost; b to a still flow. */
void net_cut_oneway(struct net *n, const int *a, int a_count, const int *b, int b_count);
/* Bridge: a and b cannot talk to each other, but both talk to `bridge`. */
void net_bridge(struct net *n, const int *a, int a_count, int bridge, const int *b,
                int b_count);
/* Isolate one host from every other, both ways. */
void net_isolate(struct net *n, int host);
/* Removes every cut. Link settings (latency, loss, ...) are kept. */
void net_heal(struct net *n);

bool net_check(const struct net *n);

#endif
