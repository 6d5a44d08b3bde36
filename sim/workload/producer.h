/* producer.h — a simulated KafkaProducer on its own host, speaking the wire protocol. */
#ifndef KRAFTSIM_PRODUCER_H
#define KRAFTSIM_PRODUCER_H

/*
 * What it does, after org.apache.kafka.clients.producer.internals (RecordAccumulator, Sender):
 *
 *   metadata    Metadata for its topic from the bootstrap host at start, and again after
 *               NOT_LEADER_OR_FOLLOWER and friends (client_error_stale_metadata), a timeout
 *               or a reset connection, and every metadata.max.age.ms. Nothing is sent before
 *               the first answer.
 *   values      each send is one record whose value is the decimal text of a unique int64
 *               (value_base + a per-producer counter, or the caller's in producer_send), key
 *               null. Partition: round robin over the topic's partitions, record by record
 *               (RoundRobinPartitioner's rule, whatever partitioner.class says: there are no
 *               keys to hash, and stickiness would only make the histories less varied).
 *   batches     one open batch a partition; it closes at linger.ms after its first record, or
 *               when it reaches batch.size bytes; each batch goes alone in a Produce v9
 *               request to its partition's leader, acks and request.timeout.ms as configured.
 *               At most max.in.flight.requests.per.connection requests per broker; a
 *               partition's batches leave in order (a retried batch goes before later ones).
 *   retries     a retriable error or no answer within request.timeout.ms: the batch goes
 *               again after retry.backoff.ms (doubling up to retry.backoff.max.ms from 3.7,
 *               KIP-580; no jitter), while attempts <= retries and delivery.timeout.ms since
 *               the batch was created has not passed.
 *   idempotence when client_config says so: InitProducerId first (to the bootstrap host), then
 *               every batch carries the producer id, epoch and a base sequence per partition;
 *               a retry resends the same sequence, so the leader can drop the duplicate. A
 *               batch that ends without an offset leaves a hole in its sequence: the producer
 *               then takes a new producer id and starts every sequence at 0 again (what
 *               KIP-360's epoch bump achieves), so later batches are not refused.
 *
 * The history, Jepsen style (jepsen.tests.kafka), one operation per value:
 *   invoke  when the value enters the accumulator;
 *   ok      with partition and offset (the batch's base offset + the record's index) when a
 *           Produce answer says NONE;
 *   fail    when the value definitely was not written: a non-retriable error, or retries or
 *           the delivery timeout running out, when no attempt of its batch may have appended
 *           (every attempt was answered with an error that appends nothing);
 *   info    when nobody knows: an attempt went unanswered (timeout, reset) or was answered
 *           REQUEST_TIMED_OUT / NOT_ENOUGH_REPLICAS_AFTER_APPEND, and the batch then failed;
 *           acks=0 (no answer ever comes); still open when the run ends (history_finish).
 * Each goes to the history checker (history_send/_ok/_fail/_info) and to the sinks.
 */

#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "workload/client_config.h"
#include "workload/client_net.h"

struct producer_config {
    const char *name;  /* "producer-1": client.id, and the process name in the history */
    const char *topic;
    int bootstrap_host; /* host index of bootstrap.servers */
    struct client_config settings; /* finished (client_config_finish) */
    int64_t rate;       /* records per second the producer sends by itself; 0: none */
    int64_t value_base; /* first value of the counter (values are value_base + n) */
    int32_t history_id; /* history_producer's id, when sinks.history is set */
    struct client_sinks sinks;
};

struct producer_stats {
    uint64_t invoked, ok, failed, unknown; /* unknown: info */
    uint64_t attempts, retries, metadata_requests;
    uint32_t open;   /* values invoked and not completed */
    bool ready;      /* metadata (and the producer id, when idempotent) known */
};

extern const struct process_ops producer_process;

/* Sends `value` now. False when the producer is not ready (no metadata yet) or stopped. */
bool producer_send(void *proc, int64_t value);
/* Stops sending new values; what is open still completes. */
void producer_stop(void *proc);
struct producer_stats producer_stats(const void *proc);

#endif
