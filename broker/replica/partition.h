/* partition.h — one topic partition's replica on a broker: the leader side (produce, follower
 * and consumer fetches, the high watermark, ISR shrink and expand) and the follower side (what
 * to fetch next, truncation, appends), as a state machine over the partition log. */
#ifndef KRAFTSIM_REPLICA_PARTITION_H
#define KRAFTSIM_REPLICA_PARTITION_H

/*
 * Mirrors kafka.cluster.Partition and Replica/ReplicaState (trunk), the per-partition part of
 * kafka.server.ReplicaManager (appendRecords, DelayedProduce, readFromLog) and of
 * AbstractFetcherThread/ReplicaFetcherThread (one partition's fetch state). No I/O of its own:
 * the caller (broker/node.c and a per-broker replica manager, later) decodes requests into the
 * structs below, calls one function per event with the local time, and applies what comes out:
 *
 *   event (caller -> partition)            function                     effects (out)
 *   metadata: this broker leads            replica_make_leader          produce completions
 *   metadata: this broker follows          replica_make_follower        produce completions
 *   Produce for this partition             replica_produce              result, or later in out
 *   Fetch (a follower's or a consumer's)   replica_fetch                the answer, AlterPartition
 *   OffsetsForLeaderEpoch to the leader    replica_offset_for_epoch     the answer
 *   isr-expiration timer (every lag/2)     replica_maybe_shrink_isr     AlterPartition
 *   AlterPartition answer                  replica_on_alter_partition   completions, a retry
 *   time passed (next_deadline)            replica_tick                 timed-out produces
 *   follower: may I send something?        replica_next_fetch           a Fetch or an OffsetsFor-
 *                                                                       LeaderEpoch to build
 *   follower: Fetch answer                 replica_on_fetch_response    (log appended/truncated)
 *   follower: OffsetsForLeaderEpoch answer replica_on_offset_for_epoch  (log truncated)
 *   follower: ListOffsets answer (after    replica_on_leader_offsets    (log truncated)
 *     OFFSET_OUT_OF_RANGE)
 *
 * Effects go into struct replica_out: produce completions (request context, error, base offset)
 * and at most one AlterPartition to send to the active controller. The caller owns the wire:
 * it frames the Fetch/Produce answers, aggregates a multi-partition Produce's completions into
 * one response, and sends the AlterPartition. Nothing here waits for a disk write: by default
 * Kafka answers a produce without an fsync (flush policy in partition_log.h). When the flush
 * policy flushes inside an append (flush.messages reached), Kafka's append blocks on that
 * fsync, so its Produce answer (acks 1) and a follower's next Fetch (which reports the LEO the
 * HW is built from) leave only once the data is durable: the caller holds them until the
 * log's recovery point covers the appended offsets (persist before send).
 *
 * What a per-broker layer (ReplicaManager, with node.c) does around it, not modelled here:
 *   - one isr-expiration timer for every partition, every replica.lag.time.max.ms / 2 from
 *     startup; replica_tick at replica_next_deadline;
 *   - DelayedFetch: replica_fetch answers at once; a Fetch with too few bytes for its
 *     MinBytes (replica.fetch.min.bytes = 1 for followers) waits up to its MaxWaitMs
 *     (replica.fetch.wait.max.ms = 500) for an append (or, consumers, a HW move), then is
 *     read again without updating the follower's state a second time;
 *   - one Fetch per leader broker for all the partitions it follows there (ReplicaFetcher-
 *     Thread per source broker, num.replica.fetchers = 1), built from replica_next_fetch;
 *   - replication-offset-checkpoint every replica.high.watermark.checkpoint.interval.ms
 *     (5000) from the logs' HWs, recovery-point-offset-checkpoint every
 *     log.flush.offset.checkpoint.interval.ms (60000);
 *   - after every replica_make_leader, replica_set_broker for each follower from the metadata
 *     image (fenced, in controlled shutdown, broker epoch), and p->broker_epoch once this
 *     broker is registered.
 *
 * The leader (Partition.scala). makeLeader assigns (leader epoch, LEO) in the epoch cache when
 * the epoch is new and resets each follower's state (ReplicaState: LEO unknown; last caught up
 * now if in the ISR, else 0). The high watermark (maybeIncrementLeaderHW) is the smallest LEO
 * over the leader and every follower in the *maximal* ISR (the ISR an in-flight AlterPartition
 * would make, when it only adds) or caught up and eligible to join; it only moves up, and with
 * `hw_frozen_below_min_isr` it does not move while the committed ISR is below min ISR. A
 * follower's fetch at offset F records LEO = F and lastCaughtUpTime by Replica's rule (F >= the
 * leader's LEO at this fetch: now; F >= the leader's LEO at the previous fetch: that fetch's
 * time); the answer carries the high watermark as it was before this fetch moved it, as
 * readRecords snapshots it, so a follower learns a new HW one fetch later (KIP-101's window).
 * ISR expansion (maybeExpandIsr): a follower outside the ISR whose LEO >= HW and >= the leader
 * epoch's start offset; ISR shrink (maybeShrinkIsr, called by the caller's isr-expiration timer
 * every replica.lag.time.max.ms / 2): ISR followers neither at the leader's LEO nor caught up
 * within replica.lag.time.max.ms. Either proposes an AlterPartition (the ISR, the leader epoch,
 * the partition epoch it was based on, broker epochs) and holds it in flight: no other change
 * is proposed until the answer; a shrink counts the old ISR for the HW until it commits, an
 * expansion counts the new one at once (PendingShrinkIsr / PendingExpandIsr maximalIsr).
 *
 * Produce (appendRecordsToLeader, ReplicaManager.appendRecords): acks must be -1, 0 or 1
 * (INVALID_REQUIRED_ACKS); acks=-1 with a committed ISR smaller than min(min.insync.replicas,
 * replicas) fails NOT_ENOUGH_REPLICAS before appending. The log appends (its errors map to
 * CORRUPT_MESSAGE, INVALID_RECORD, MESSAGE_TOO_LARGE for max.message.bytes, RECORD_LIST_TOO_
 * LARGE, KAFKA_STORAGE_ERROR). acks 0 and 1 are complete then (acks=0: the caller sends no
 * response). acks=-1 waits (DelayedProduce) until the HW reaches last offset + 1: then NONE, or
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND if the maximal ISR is below min ISR by then; it completes
 * NOT_LEADER_OR_FOLLOWER when leadership goes (makeFollower, replica_stop) and
 * REQUEST_TIMED_OUT at the request's timeout (Produce's TimeoutMs, the producer's
 * request.timeout.ms).
 *
 * Fetch (fetchRecords, readRecords): CurrentLeaderEpoch (when given, >= 0) below ours is
 * FENCED_LEADER_EPOCH, above it UNKNOWN_LEADER_EPOCH; a replica that does not lead answers
 * NOT_LEADER_OR_FOLLOWER; a follower fetch from a broker not among the replicas answers
 * UNKNOWN_LEADER_EPOCH (NOT_LEADER_OR_FOLLOWER without a CurrentLeaderEpoch). With a
 * LastFetchedEpoch (KIP-320): no end offset for it is OFFSET_OUT_OF_RANGE, a fetch offset
 * below the log start too, and a found epoch below it or an end offset below the fetch offset
 * answers DivergingEpoch (that epoch and end offset) without records and without updating the
 * follower's state. Records: up to the LEO for a follower (FetchIsolation.LOG_END), up to the
 * HW for a consumer (HIGH_WATERMARK); an offset outside [log start, LEO] is
 * OFFSET_OUT_OF_RANGE.
 *
 * The follower (AbstractFetcherThread with ReplicaFetcherThread, for one partition). After
 * makeFollower of a new leader epoch its fetch state is, by the release switches:
 *   - !leader_epoch_truncation (before KIP-101, Kafka < 0.11): the log is truncated to its HW
 *     at once and fetching starts there, without LastFetchedEpoch.
 *   - leader_epoch_truncation && !last_fetched_epoch (KIP-101/KIP-279, 0.11 to 2.6, IBP < 2.7):
 *     Truncating: an OffsetsForLeaderEpoch round (the latest epoch in the cache) decides the
 *     truncation (getOffsetTruncationState; a reply with an epoch the follower does not know
 *     truncates part way and asks again), then Fetching from the LEO without LastFetchedEpoch.
 *     An empty epoch cache truncates to the HW.
 *   - both (KIP-320, 2.7+): Fetching from the LEO with LastFetchedEpoch = the latest epoch in
 *     the cache; a DivergingEpoch answer truncates by the same rule and fetching goes on.
 * Records are appended as the leader assigned them; the follower's HW becomes min(the leader's
 * HW, its LEO) (maybeUpdateHighWatermark: it may go down) and its log start follows the
 * leader's. OFFSET_OUT_OF_RANGE asks the caller for the leader's earliest and latest offsets
 * (ListOffsets) and truncates as fetchOffsetAndTruncate does; FENCED_LEADER_EPOCH for the
 * current epoch stops fetching until new metadata; other errors back off
 * replica.fetch.backoff.ms and retry. One request is in flight at a time.
 *
 * Invariants (replica_check, and KS_ASSERT where they are made): HW <= LEO; a leader's HW never
 * goes down within a leader epoch; a leader's ISR (committed and maximal) contains the leader
 * and only assigned replicas; an in-flight AlterPartition is based on the current epochs.
 */

#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "log/partition_log.h"

#define REPLICA_MAX 16

struct replica_config {
    int32_t broker_id;                /* broker.id / node.id */
    int32_t min_insync_replicas;      /* min.insync.replicas: 1 */
    time_ns replica_lag_time_max;     /* replica.lag.time.max.ms: 30000 */
    time_ns replica_fetch_backoff;    /* replica.fetch.backoff.ms: 1000 */
    int32_t replica_fetch_max_bytes;  /* replica.fetch.max.bytes: 1048576 */
    /* Release switches (the run prints them; broker/release.c names them). */
    bool leader_epoch_truncation; /* KIP-101 (0.11.0): false truncates to the HW on becoming a
                                   * follower */
    bool last_fetched_epoch;      /* KIP-320 (2.7, IBP 2.7-IV1): Fetch carries LastFetchedEpoch
                                   * and the leader answers DivergingEpoch; false: an
                                   * OffsetsForLeaderEpoch round first. Needs the above. */
    bool hw_frozen_below_min_isr; /* KAFKA-15583 (3.7+): the leader's HW does not advance while
                                   * the ISR is below min ISR */
    /* Planted bugs: compiled-in test hooks (sim/scenario/scenario.h names them) that no config
     * reaches, each breaking a rule the history checker must catch. */
    bool planted_hw_past_lagging_isr;      /* the HW ignores ISR members behind the leader */
    bool planted_consumer_fetch_skips_batch; /* a consumer's Fetch loses its first batch */
    bool planted_append_then_refuse;       /* every tenth append is answered INVALID_RECORD */
};

struct replica_config replica_config_default(int32_t broker_id);

/* What the metadata says of the partition (PartitionRegistration). */
struct replica_registration {
    int32_t leader_id;
    int32_t leader_epoch;
    int32_t partition_epoch;
    int replica_count;
    int32_t replicas[REPLICA_MAX];
    int isr_count;
    int32_t isr[REPLICA_MAX];
};

enum replica_role { REPLICA_NONE, REPLICA_LEADER, REPLICA_FOLLOWER };

/* The leader's view of one follower (ReplicaState). Times in local ns; 0 is Kafka's 0L. */
struct replica_remote {
    int32_t broker_id;
    int64_t log_start_offset;     /* -1 unknown */
    int64_t log_end_offset;       /* -1 unknown */
    int64_t last_fetch_leader_leo; /* lastFetchLeaderLogEndOffset, -1 unknown */
    time_ns last_fetch_time;
    time_ns last_caught_up_time;
    int64_t broker_epoch;         /* from its last Fetch; -2 none yet, -1 not sent */
    /* From the metadata image (isReplicaIsrEligible): alive, unfenced, not shutting down,
     * and its registered epoch (-1: do not check). Set with replica_set_broker. */
    bool eligible;
    int64_t cached_broker_epoch;
};

/* An AlterPartition to send (LeaderAndIsr with broker epochs), at most one in flight. */
struct replica_alter {
    uint64_t id; /* this partition's proposal number: the answer names it */
    bool expand; /* PendingExpandIsr, else PendingShrinkIsr */
    int32_t leader_id;
    int32_t leader_epoch;
    int32_t partition_epoch;
    int isr_count;
    int32_t isr[REPLICA_MAX];
    int64_t broker_epochs[REPLICA_MAX]; /* per isr[i]; -1 when unknown */
};

/* The controller's answer for this partition (AlterPartitionResponse.PartitionData). */
struct replica_alter_answer {
    uint64_t id; /* the replica_alter.id answered */
    int16_t error;
    int32_t leader_id;
    int32_t leader_epoch;
    int32_t partition_epoch;
    int isr_count;
    int32_t isr[REPLICA_MAX];
};

/* A Produce for this partition that waits for the ISR (DelayedProduce). */
struct replica_delayed {
    uint64_t ctx;
    int64_t required_offset; /* last offset + 1 */
    int64_t base_offset;
    int64_t log_append_time;
    time_ns deadline;
};

/* A produce's outcome (PartitionResponse). */
struct replica_produce_result {
    uint64_t ctx;
    int16_t error;
    int64_t base_offset;     /* -1 on error */
    int64_t log_append_time; /* -1 unless LogAppendTime */
    int64_t log_start_offset;
};

struct replica_out {
    struct replica_produce_result *done; /* delayed produces completed by this call */
    uint32_t done_count;
    uint32_t done_capacity;
    bool send_alter; /* send `alter` to the active controller */
    struct replica_alter alter;
};

void replica_out_init(struct replica_out *out);
void replica_out_reset(struct replica_out *out);
void replica_out_free(struct replica_out *out);

/* The follower's fetch state (PartitionFetchState). */
enum replica_fetch_state {
    REPLICA_FETCH_IDLE,       /* not a follower, or fenced until new metadata */
    REPLICA_FETCH_TRUNCATING, /* an OffsetsForLeaderEpoch round is due */
    REPLICA_FETCH_FETCHING,
    REPLICA_FETCH_OFFSETS,    /* after OFFSET_OUT_OF_RANGE: the leader's offsets are due */
};

struct replica_partition {
    struct replica_config cfg;
    struct partition_log *log; /* owned by the caller (LogManager), outlives the replica */
    enum replica_role role;
    int32_t leader_id; /* -1 none */
    int32_t leader_epoch;
    int32_t partition_epoch;
    int replica_count;
    int32_t replicas[REPLICA_MAX];
    int isr_count; /* committed ISR (partitionState.isr); empty on a follower */
    int32_t isr[REPLICA_MAX];
    /* Leader. */
    int64_t epoch_start_offset; /* leaderEpochStartOffsetOpt, -1 none */
    int64_t hw_floor;           /* the HW this epoch has reached: it never goes below */
    int remote_count;
    struct replica_remote remotes[REPLICA_MAX];
    bool alter_in_flight;
    struct replica_alter alter;
    uint64_t alter_seq;
    struct replica_delayed *delayed;
    uint32_t delayed_count;
    uint32_t delayed_capacity;
    /* Follower. */
    enum replica_fetch_state fetch_state;
    int64_t fetch_offset;     /* the offset the next Fetch asks for */
    bool request_in_flight;
    uint64_t request_id;      /* of the request in flight; ascending */
    time_ns backoff_until;
    int64_t broker_epoch;     /* this broker's epoch (BrokerRegistration's answer), sent in
                               * Fetch and AlterPartition; -1 until the caller sets it */
};

/* Binds the replica to its opened log; it leads nothing and follows nobody yet. */
void replica_init(struct replica_partition *p, const struct replica_config *cfg,
                  struct partition_log *log);
void replica_free(struct replica_partition *p);

/* Partition.makeLeader. Returns false when the registration's partition epoch is older than
 * the one held (nothing changes). Pending produces of an older epoch stay pending. */
bool replica_make_leader(struct replica_partition *p, const struct replica_registration *r,
                         time_ns now, struct replica_out *out);
/* Partition.makeFollower plus the fetcher's initial state (see "The follower"). Returns false
 * for an older partition epoch; true when the leader epoch is new (fetching restarts). Delayed
 * produces complete NOT_LEADER_OR_FOLLOWER. */
bool replica_make_follower(struct replica_partition *p, const struct replica_registration *r,
                           time_ns now, struct replica_out *out);
/* The replica is removed or the broker stops leading it without a successor state (topic
 * deletion, StopReplica): delayed produces complete NOT_LEADER_OR_FOLLOWER, fetching stops. */
void replica_stop(struct replica_partition *p, struct replica_out *out);
/* What the metadata image says of a follower's broker (isReplicaIsrEligible). */
void replica_set_broker(struct replica_partition *p, int32_t broker_id, bool eligible,
                        int64_t broker_epoch);

/* Produce. Fills *result and returns true when it is complete now (acks 0 or 1, an error, or
 * acks=-1 already satisfied); returns false when it waits: its result comes in out->done with
 * `ctx`, by `now + timeout` at the latest. */
bool replica_produce(struct replica_partition *p, const uint8_t *records, size_t len,
                     int16_t acks, time_ns timeout, uint64_t ctx, time_ns now,
                     struct replica_out *out, struct replica_produce_result *result);

/* One partition of a Fetch request (FetchRequest.PartitionData plus the request's replica). */
struct replica_fetch_request {
    int32_t replica_id;          /* -1: a consumer */
    int64_t broker_epoch;        /* ReplicaState.ReplicaEpoch, -1 none */
    int32_t current_leader_epoch; /* -1 none */
    int64_t fetch_offset;
    int32_t last_fetched_epoch;  /* -1 none */
    int64_t log_start_offset;    /* the follower's; -1 for consumers */
    uint32_t max_bytes;
};

/* One partition of a Fetch answer. `records` is malloc'd (NULL when none): the receiver of
 * the struct frees it (replica_fetch_response_free). */
struct replica_fetch_response {
    int16_t error;
    int64_t high_watermark;
    int64_t last_stable_offset;
    int64_t log_start_offset;
    int32_t diverging_epoch;      /* -1: none */
    int64_t diverging_end_offset; /* -1: none */
    uint8_t *records;
    size_t records_len;
};

void replica_fetch_response_free(struct replica_fetch_response *r);

/* Answers one partition of a Fetch (a follower's or a consumer's). */
void replica_fetch(struct replica_partition *p, const struct replica_fetch_request *req,
                   time_ns now, struct replica_out *out, struct replica_fetch_response *resp);

/* The leader's answer to OffsetsForLeaderEpoch (Partition.lastOffsetForLeaderEpoch; only the
 * leader answers brokers). *epoch and *end_offset are -1 when the cache has no answer. */
int16_t replica_offset_for_epoch(const struct replica_partition *p,
                                 int32_t current_leader_epoch, int32_t epoch,
                                 int32_t *found_epoch, int64_t *end_offset);

/* The isr-expiration task (ReplicaManager schedules it every replica.lag.time.max.ms / 2 from
 * startup, for every partition): proposes a shrink if an ISR follower is out of sync. */
void replica_maybe_shrink_isr(struct replica_partition *p, time_ns now,
                              struct replica_out *out);
static inline time_ns replica_isr_expiration_interval(const struct replica_config *cfg)
{
    return cfg->replica_lag_time_max / 2;
}
/* The controller answered the AlterPartition in flight (error NONE with the new state, or an
 * error: OPERATION_NOT_ATTEMPTED / INELIGIBLE_REPLICA go back to the committed ISR; other
 * known errors wait for metadata; unknown ones resend the same proposal in out). A network
 * failure is error REQUEST_TIMED_OUT (retried, as AlterPartitionManager does). */
void replica_on_alter_partition(struct replica_partition *p,
                                const struct replica_alter_answer *a, time_ns now,
                                struct replica_out *out);

/* Expires delayed produces past their deadline. */
void replica_tick(struct replica_partition *p, time_ns now, struct replica_out *out);
/* The earliest time replica_tick has something to do, or TIME_NS_MAX. The follower's backoff
 * is in it too (call replica_next_fetch then). */
time_ns replica_next_deadline(const struct replica_partition *p);

/* What a follower sends next to its leader. */
enum replica_next_kind {
    REPLICA_SEND_NOTHING,
    REPLICA_SEND_FETCH,                    /* `fetch` below */
    REPLICA_SEND_OFFSETS_FOR_LEADER_EPOCH, /* current_leader_epoch and epoch below */
    REPLICA_SEND_LIST_OFFSETS,             /* earliest and latest, current_leader_epoch */
};

struct replica_next {
    enum replica_next_kind kind;
    uint64_t id; /* hand it back with the answer: an answer to an older request is dropped */
    int32_t leader_id;
    struct replica_fetch_request fetch;
    int32_t current_leader_epoch;
    int32_t epoch; /* OffsetsForLeaderEpoch: the follower's latest epoch */
};

/* Follower: the next request to its leader, if one is due at `now` (none is in flight and
 * no backoff runs). Marks it in flight: its answer (or a failure, as an error: a refused
 * connection or a timeout is NOT_LEADER_OR_FOLLOWER / REQUEST_TIMED_OUT, which back off) must
 * come back with next->id through the matching replica_on_* call; until then nothing else is
 * sent. A new leader epoch (replica_make_follower) forgets the request in flight. */
enum replica_next_kind replica_next_fetch(struct replica_partition *p, time_ns now,
                                          struct replica_next *next);
/* Follower: the answer to the Fetch from replica_next_fetch (records borrowed). */
void replica_on_fetch_response(struct replica_partition *p, uint64_t id,
                               const struct replica_fetch_response *resp, time_ns now);
/* Follower: the OffsetsForLeaderEpoch answer (error, and the leader's epoch and end offset,
 * -1 when undefined). */
void replica_on_offset_for_epoch(struct replica_partition *p, uint64_t id, int16_t error,
                                 int32_t epoch, int64_t end_offset, time_ns now);
/* Follower: the leader's earliest and latest offsets (ListOffsets), after OFFSET_OUT_OF_RANGE;
 * error != NONE backs off and asks again. */
void replica_on_leader_offsets(struct replica_partition *p, uint64_t id, int16_t error,
                               int64_t leader_start, int64_t leader_end, time_ns now);

/* Leader: the maximal ISR (the committed one, plus the follower a pending expansion adds). */
int replica_maximal_isr(const struct replica_partition *p, int32_t *isr);
bool replica_in_isr(const struct replica_partition *p, int32_t broker_id);
const char *replica_role_name(enum replica_role role);
/* Every invariant above. */
bool replica_check(const struct replica_partition *p);

#endif
