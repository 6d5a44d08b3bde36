/* consumer.h — a simulated KafkaConsumer on its own host: assign(), ListOffsets, Fetch. */
#ifndef KRAFTSIM_CONSUMER_H
#define KRAFTSIM_CONSUMER_H

/*
 * What it does, after org.apache.kafka.clients.consumer.internals (Fetcher, OffsetFetcher):
 *
 *   assignment  every partition of its topic, assigned by itself (KafkaConsumer.assign): there
 *               is no group coordinator yet, so group.id is accepted (client_config checks it)
 *               but joins nothing and commits nothing; the history registers the consumer with
 *               no group. Metadata from the bootstrap host at start and after
 *               NOT_LEADER_OR_FOLLOWER and friends, a timeout or a reset, and every
 *               metadata.max.age.ms.
 *   position    ListOffsets v7 to each partition's leader for auto.offset.reset (earliest: -2,
 *               latest: -1; none is refused at start by this consumer, since nothing was
 *               committed); OFFSET_OUT_OF_RANGE resets the same way and is a history_seek.
 *   fetching    one Fetch v12 in flight per leader, for every partition it leads, with
 *               fetch.max.wait.ms, fetch.min.bytes, fetch.max.bytes, max.partition.fetch.bytes
 *               and isolation.level (read_uncommitted reads to the high watermark; without
 *               transactions read_committed reads the same); no fetch sessions (SessionEpoch
 *               -1, a full fetch each time). Records below the position in a returned batch
 *               are skipped, as the Fetcher skips them.
 *   history     each response's records, per partition in offset order, are one history_poll
 *               and one "ok poll" operation per record (partition, offset, value); a reset is
 *               an "info assign" operation with the new position.
 *   drain       consumer_drain marks the high watermarks the next answers report; the consumer
 *               is drained once its position reached each partition's (consumer_drained).
 */

#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "workload/client_config.h"
#include "workload/client_net.h"

struct consumer_config {
    const char *name; /* "consumer-1" */
    const char *topic;
    int bootstrap_host;
    struct client_config settings; /* finished */
    int32_t history_id; /* history_consumer's id, when sinks.history is set */
    struct client_sinks sinks;
};

struct consumer_stats {
    uint64_t records, fetches, resets, metadata_requests;
    bool assigned; /* metadata known (and the group stable) and every owned partition has a
                    * position */
    uint64_t rebalances; /* the group's rejoins (group.id set) */
    int32_t owned;       /* partitions it reads: every one, or the group's assignment */
    int32_t partitions;  /* of its topic, from its metadata (0 before the first answer) */
};

extern const struct process_ops consumer_process;

/* From now on, drained means caught up with the high watermarks answered after this call. */
void consumer_drain(void *proc);
bool consumer_drained(const void *proc);
struct consumer_stats consumer_stats(const void *proc);
/* The next offset to read of `partition`, -1 unknown. */
int64_t consumer_position(const void *proc, int32_t partition);

#endif
