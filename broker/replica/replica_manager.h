/* replica_manager.h — a broker's partition replicas: the log dir, the replicas the metadata
 * image assigns it, the data-path requests, the follower fetchers and AlterPartition. */
#ifndef KRAFTSIM_REPLICA_MANAGER_H
#define KRAFTSIM_REPLICA_MANAGER_H

/*
 * Mirrors kafka.server.ReplicaManager (applyDelta, appendRecords with DelayedProduce,
 * fetchMessages with DelayedFetch), ReplicaFetcherManager (one fetcher per leader broker,
 * num.replica.fetchers = 1), AlterPartitionManager (one AlterPartition in flight, batching the
 * partitions queued meanwhile, resending after errors) and the data-path handlers of KafkaApis
 * (handleProduceRequest, handleFetchRequest, handleListOffsetRequest,
 * handleOffsetForLeaderEpochRequest), over broker/replica/partition.h and broker/log/.
 *
 * A state machine: node.c hands it events (a request frame's body, a response frame, a reset
 * connection, a disk token, the time) and applies what comes out in struct rm_out (frames to
 * send). It never sends or sets timers itself; node.c arms its one timer at
 * rm_next_deadline.
 *
 * Metadata (applyDelta). rm_apply_image after every image change: every partition whose
 * replicas hold this broker gets its log (LogManager.getOrCreateLog, topic configs from the
 * image's ConfigRecords on top of the broker's defaults) and becomes leader or follower when
 * its partition epoch changed (a new leader epoch, or an ISR the controller committed); a
 * partition whose topic is gone is stopped and its log removed (a reassignment away stops it
 * and removes it too). Each leader learns its followers' eligibility (fenced, in controlled
 * shutdown, broker epoch) from the image's brokers.
 *
 * Requests. Produce: per partition, UNKNOWN_TOPIC_OR_PARTITION when this broker holds no
 * replica of it, else replica_produce; the answer leaves once every partition is complete
 * (acks=-1 waits for the ISR), never for acks=0. Fetch (a follower's: replica id >= 0; a
 * consumer's: -1): every partition is answered by replica_fetch; a fetch that reads fewer than
 * MinBytes and has no error waits (DelayedFetch) until its logs move or MaxWaitMs passes, and
 * is then read again. ListOffsets: earliest (-2: log start), latest (-1: the HW for a
 * consumer, the log end for a replica), or the first batch whose max timestamp is at least the
 * one asked. OffsetForLeaderEpoch: replica_offset_for_epoch.
 *
 * Fetchers. Per leader broker, one Fetch in flight covering every partition that follows it
 * and has a fetch due (replica_next_fetch): MaxWaitMs replica.fetch.wait.max.ms (500),
 * MinBytes replica.fetch.min.bytes (1), MaxBytes replica.fetch.response.max.bytes (10 MiB),
 * per partition replica.fetch.max.bytes. An answer goes to replica_on_fetch_response; a reset
 * connection or no answer within replica.socket.timeout.ms (30000) fails every partition of
 * it, which backs off replica.fetch.backoff.ms. OffsetsForLeaderEpoch and ListOffsets rounds
 * (releases before KIP-320, OFFSET_OUT_OF_RANGE) are answered as errors and back off: not
 * modelled yet.
 *
 * Not modelled: holding answers until a flush.messages flush is durable; fetch sessions
 * (every Fetch is a full one, SessionId 0); a Produce's timeout while waiting on acks=-1 is
 * the request's TimeoutMs as replica_produce has it.
 */

#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "log/log_manager.h"
#include "metadata/image.h"
#include "replica/partition.h"
#include "replica/producer_ids.h"

struct rm_config {
    int32_t broker_id;
    const char *log_dir;           /* log.dirs (its first entry) */
    struct replica_config replica; /* the broker's replica.* settings */
    struct log_manager_config logs;
    int32_t fetch_wait_max_ms;     /* replica.fetch.wait.max.ms: 500 */
    int32_t fetch_min_bytes;       /* replica.fetch.min.bytes: 1 */
    int32_t fetch_response_max_bytes; /* replica.fetch.response.max.bytes: 10485760 */
    time_ns socket_timeout;        /* replica.socket.timeout.ms: 30000 */
    time_ns alter_retry_backoff;   /* AlterPartitionManager's retry: 50 ms */
    int16_t fetch_version;         /* the replica fetcher's Fetch version (12-18) */
    int16_t alter_partition_version;
};

struct rm_config rm_config_default(int32_t broker_id, const char *log_dir);

/* One replica this broker holds. */
struct rm_partition {
    char topic[IMAGE_NAME_MAX];
    struct kuuid topic_id;
    int32_t partition;
    int32_t partition_epoch; /* of the registration last applied; -1 none */
    struct replica_partition replica;
    bool alter_queued; /* replica_out asked for an AlterPartition not yet sent */
    struct replica_alter alter;
    bool alter_sent; /* in the AlterPartition in flight */
    uint64_t fetch_id; /* the fetcher's request id for this partition; 0 none */
    bool seen;         /* scratch for rm_apply_image */
};

struct rm_frame {
    int to_host;
    int channel; /* ENV_CHANNEL_REQUEST or ENV_CHANNEL_RESPONSE */
    uint8_t *bytes;
    size_t len;
};

struct rm_out {
    struct rm_frame *frames;
    uint32_t count;
    uint32_t capacity;
};

struct rm_produce;
struct rm_fetch_wait;
struct rm_fetcher;

/* The end of an rm_append_internal: its token and the error (NONE: replicated to the ISR). */
struct rm_internal_result {
    uint64_t token;
    int16_t error;
};

struct replica_manager {
    const struct env *env;
    struct rm_config cfg;
    struct log_manager logs;
    bool logs_open;
    struct rm_partition **parts; /* in the order the image first listed them */
    uint32_t part_count;
    uint32_t part_capacity;
    int64_t broker_epoch;
    struct rm_produce *produces; /* waiting for acks=-1 */
    uint32_t produce_count;
    uint32_t produce_capacity;
    uint64_t produce_seq;
    struct rm_fetch_wait *waits; /* DelayedFetch */
    uint32_t wait_count;
    uint32_t wait_capacity;
    uint64_t data_version; /* the logs' ends and HWs the waits were last read at */
    struct rm_fetcher *fetchers;
    uint32_t fetcher_count;
    uint32_t fetcher_capacity;
    int32_t alter_corr; /* the AlterPartition in flight; 0 none */
    int alter_host;
    time_ns alter_sent_at;
    time_ns alter_retry_at;
    struct producer_ids producer_ids; /* InitProducerId's blocks from the controller */
    int32_t producer_ids_corr;        /* the AllocateProducerIds in flight; 0 none */
    int producer_ids_host;
    time_ns producer_ids_sent_at;
    int32_t correlation_next;
    time_ns next_isr_expiration;
    struct replica_out rout;
    char client_id[32];
    struct rm_internal_result *internal_done; /* finished internal appends, in order */
    uint32_t internal_done_count;
    uint32_t internal_done_capacity;
};

/* Opens the log dir (LogManager.startup, before the broker registers). 0, or -PLOG_ESTORAGE
 * with rm->logs.last_error. */
int rm_open(struct replica_manager *rm, const struct env *env, const struct rm_config *cfg);
/* Frees memory only, as a crash would. */
void rm_free(struct replica_manager *rm);

void rm_out_init(struct rm_out *out);
void rm_out_reset(struct rm_out *out); /* frees frames not taken */
/* A broker's own append to a partition it leads (the group coordinator's records in
 * __consumer_offsets): acks=-1 with `timeout`; its end comes through rm_take_internal_done
 * (NOT_LEADER_OR_FOLLOWER at once when it does not lead). */
void rm_append_internal(struct replica_manager *rm, const char *topic, int32_t partition,
                        const uint8_t *records, size_t len, time_ns timeout, uint64_t token,
                        struct rm_out *out);
uint32_t rm_take_internal_done(struct replica_manager *rm, struct rm_internal_result *out,
                               uint32_t cap);
/* The partition's batches from `offset` (at least its log start) to its log end: bytes into
 * *out (malloc'd), 0 for none, negative when there is no such log or it cannot be read. */
int64_t rm_read_log(struct replica_manager *rm, const char *topic, int32_t partition,
                    int64_t offset, uint8_t **out);

/* Takes w's bytes as one more frame to `to_host` (w is left empty). */
void rm_out_push(struct rm_out *out, int to_host, int channel, struct wire_writer *w);

/* After the image changed (see "Metadata"). */
void rm_apply_image(struct replica_manager *rm, const struct metadata_image *img,
                    struct rm_out *out);
/* This broker's epoch once registered (sent in Fetch and AlterPartition). */
void rm_set_broker_epoch(struct replica_manager *rm, int64_t broker_epoch);

/* Whether a Fetch body names a data partition (not __cluster_metadata). */
bool rm_fetch_is_data(const uint8_t *body, size_t len, int16_t version);
/* A request for the data path (Produce, Fetch of data partitions, ListOffsets,
 * OffsetForLeaderEpoch). `reply_ctx`: from host << 32 | correlation id. Returns false for an
 * API it does not take. */
bool rm_handle_request(struct replica_manager *rm, int16_t api_key, int16_t version,
                       const uint8_t *body, size_t len, uint64_t reply_ctx,
                       struct rm_out *out);
/* A response frame; false when it answers nothing of the replica manager's. */
bool rm_on_response(struct replica_manager *rm, int from_host, const uint8_t *frame,
                    size_t len, struct rm_out *out);
/* A refused or reset connection to `host`. */
void rm_on_reset(struct replica_manager *rm, int host, struct rm_out *out);
/* A disk token of the log dir's (partition_log_token_id(token) >= 0). */
bool rm_on_disk(struct replica_manager *rm, uint64_t token, int err);
/* Time passed or something changed: timers, waits, fetchers, AlterPartition to the active
 * controller at `controller_host` (-1: none known). */
void rm_poll(struct replica_manager *rm, const struct metadata_image *img, int controller_host,
             struct rm_out *out);
time_ns rm_next_deadline(const struct replica_manager *rm);

/* The controlled shutdown's last step: the log manager flushes, checkpoints and writes the
 * clean shutdown marker; rm_shutdown_done then says when. */
void rm_shutdown(struct replica_manager *rm, int64_t broker_epoch);
bool rm_shutdown_done(const struct replica_manager *rm);

/* The replica of topic-partition this broker holds, or NULL (tests, checkers). */
struct rm_partition *rm_partition_find(struct replica_manager *rm, const char *topic,
                                       int32_t partition);

#endif
