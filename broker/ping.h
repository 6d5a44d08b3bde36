/* ping.h — the ping process: a tiny Kafka-speaking node that proves every environment door. */
#ifndef KRAFTSIM_PING_H
#define KRAFTSIM_PING_H

/*
 * Before KRaft arrives, the environment seam is proven by this process. Each ping host:
 *   1. at start, reads its durable sequence number from `ping.state` (disk read, size) and
 *      traces ping-recover;
 *   2. every `interval` (plus a random jitter from env random) takes the next sequence number,
 *      writes it to `ping.state` and fsyncs it (disk write, fsync);
 *   3. once the fsync is durable, and only then, sends an ApiVersions request whose
 *      correlation id is that sequence number to its peer (resolve, send): persist before send;
 *   4. answers every ApiVersions request it receives with an ApiVersions response;
 *   5. traces pong-recv with the round trip when the answer comes, or ping-timeout when its
 *      timer fires first (timers, cancel).
 *
 * The invariant a checker can hold it to: the correlation ids a host sends are strictly
 * increasing over its whole life, across crashes and power failures, because each one was
 * durable before it left. `unsafe_send_before_fsync` is a planted bug for tests only: it sends
 * at once and never fsyncs, trusting the page cache, so a power failure can roll the number back
 * and make the host send it again.
 */

#include <stdbool.h>

#include "env.h"

struct ping_config {
    const char *peer;       /* host name of the peer to ping */
    time_ns interval;       /* between pings, before jitter */
    time_ns jitter;         /* uniform extra delay in [0, jitter] */
    time_ns timeout;        /* a ping not answered by then is traced as timed out */
    bool unsafe_send_before_fsync; /* test hook: breaks persist-before-send */
};

struct ping_config ping_config_default(void);

extern const struct process_ops ping_process;

#endif
