/* quorum.h — the KRaft quorum state machine (KafkaRaftClient + QuorumState), no I/O. */
#ifndef KRAFTSIM_RAFT_QUORUM_H
#define KRAFTSIM_RAFT_QUORUM_H

/*
 * Kafka's Raft (KIP-595, with KIP-996 pre-vote and check-quorum) for one node of the
 * __cluster_metadata-0 partition. It takes events (a request or response body, a tick of time,
 * a finished log flush, records to append) and fills an effects list: whether the election
 * state must be made durable first, messages to send, and trace lines. It never touches the
 * network or the clock; the node (broker/node.c) applies its effects through the environment.
 * It does touch the log (broker/raft/log.c), which owns the segment files and whose writes are
 * made durable by raft_log_flush; the quorum only counts flushed offsets.
 *
 * States (QuorumState.java; ≤3.7 "Voted" is Unattached with a vote here):
 *
 *                 election timeout (pre-vote on)          pre-vote majority
 *   Unattached -----------------------------> Prospective -----------------> Candidate
 *     |  ^  (pre-vote off: straight to Candidate(epoch+1))   |  rejected /       | vote
 *     |  +---------------- timeout or rejected --------------+  timeout  +-------+ majority
 *     | BeginQuorumEpoch / Fetch answer names a leader                   v
 *     +--------------> Follower ---- fetch timeout --> Prospective    Leader ---> Resigned
 *                                                                    (check-quorum, shutdown)
 * Every transition that changes (epoch, leader, vote) sets `persist` in the effects: the node
 * writes quorum-state and sends nothing of this step until it is durable (persist before send).
 *
 * Whom a Follower fetches from (KafkaRaftClient.maybeSendFetchToBestNode): its leader, with at
 * most one fetch in flight; when the request to the leader timed out or is backing off, an
 * observer (and from 3.9 a voter) sends its Fetch to a random voter instead, whose answer names
 * the leader that voter knows: observers hear no BeginQuorumEpoch, so this is how a broker
 * finds a new controller. Up to 4.1 an observer whose fetch timer ran out (no successful Fetch
 * for fetch_timeout) asks random voters until a Fetch succeeds.
 *
 * Per-state invariants (quorum_check): a Leader has leader_id == self and no vote tally; a
 * Candidate voted for itself; a Follower knows its leader and is not it; an observer is never
 * Prospective, Candidate, Leader or Resigned; the epoch never goes down.
 */

#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "raft/log.h"
#include "protocol/wire.h"

#define QUORUM_VOTER_MAX 16
#define QUORUM_OBSERVER_MAX 32
#define QUORUM_TOPIC "__cluster_metadata"
#define QUORUM_TRACE_MAX 256

enum quorum_role {
    QUORUM_UNATTACHED,
    QUORUM_PROSPECTIVE,
    QUORUM_CANDIDATE,
    QUORUM_LEADER,
    QUORUM_FOLLOWER,
    QUORUM_RESIGNED,
};

/* What a node does after losing an election (KRAFT.md 3.3). */
enum quorum_backoff {
    QUORUM_BACKOFF_EXPONENTIAL,             /* ≤3.9.0: min(100·rand[0, 2<<min(20,r−1)),
                                             * max), then Candidate; an election timeout
                                             * backs off too (pollCandidate) */
    QUORUM_BACKOFF_EXPONENTIAL_PROSPECTIVE, /* 4.0.0: the same wait, then Prospective */
    QUORUM_BACKOFF_EXPONENTIAL_4_0_1,       /* KAFKA-18345: min(50·rand[1, 2<<min(10,r−1)),
                                             * max + rand[0,50)), then Prospective */
    QUORUM_BACKOFF_NONE,                    /* 4.1+: wait out the election timeout, then
                                             * Prospective */
};

/* To whom a leader resends BeginQuorumEpoch (release.h BEGIN_QUORUM_RESENDS). */
enum quorum_begin_resend {
    QUORUM_BEGIN_UNACKNOWLEDGED, /* ≤3.8: voters that have not acknowledged, whenever ready */
    QUORUM_BEGIN_ALL,            /* 3.9-4.1: every other voter each fetch.timeout/2 */
    QUORUM_BEGIN_LAGGING,        /* 4.2+: voters without a fetch for fetch.timeout/2 */
};

struct quorum_config {
    int32_t node_id;
    const char *cluster_id;
    int voter_count;
    int32_t voter_ids[QUORUM_VOTER_MAX]; /* controller.quorum.voters, in the order given */
    const char *voter_hosts[QUORUM_VOTER_MAX]; /* their hosts (owned by the caller) */
    uint16_t voter_ports[QUORUM_VOTER_MAX];
    time_ns election_timeout;            /* controller.quorum.election.timeout.ms */
    time_ns fetch_timeout;               /* controller.quorum.fetch.timeout.ms */
    time_ns election_backoff_max;        /* controller.quorum.election.backoff.max.ms */
    time_ns request_timeout;             /* controller.quorum.request.timeout.ms */
    time_ns retry_backoff;               /* controller.quorum.retry.backoff.ms */
    time_ns append_linger;               /* controller.quorum.append.linger.ms */
    int32_t fetch_snapshot_max_bytes;    /* controller.quorum.fetch.snapshot.max.bytes (4.3+;
                                          * before, KafkaRaftClient.MAX_FETCH_SIZE_BYTES) */
    /* Release switches. */
    bool pre_vote;
    bool check_quorum;
    bool voted_state; /* ≤3.8: an Unattached voter that voted is the Voted state (naming only) */
    /* ≤3.7: Vote, BeginQuorumEpoch and EndQuorumEpoch from a node outside the voter set, or to
     * a node that is not a voter, are answered INCONSISTENT_VOTER_SET and change nothing
     * (KafkaRaftClient.validateVoterOnlyRequest; dropped in 3.8). */
    bool voter_set_check;
    enum quorum_backoff lost_election_backoff;
    enum quorum_begin_resend begin_quorum_resend;
    /* KIP-1166 (4.1+): Fetch carries the follower's HW; a leader HW change completes every
     * parked Fetch. Off: only a leader append does. */
    bool fetch_high_watermark;
    /* KAFKA-15078 (3.6+): a Fetch at offset 0 gets the latest (non-bootstrap) snapshot id. */
    bool offset_zero_snapshot;
    /* 3.9+: a voter following a leader whose request timed out or is backing off fetches from
     * a random voter (maybeSendFetchToBestNode); observers always do. */
    bool follower_best_node;
    /* ≤4.1: an observer with no successful Fetch for fetch_timeout fetches from random voters
     * until one succeeds (pollFollowerAsObserver; KAFKA-19354 dropped it in 4.2). */
    bool observer_fetch_timeout;
    int16_t vote_version;
    int16_t begin_quorum_epoch_version;
    int16_t end_quorum_epoch_version;
    int16_t fetch_version;
    int16_t fetch_snapshot_version;
    /* Planted bugs for proving the checkers: compiled-in test hooks, unreachable from config. */
    bool planted_vote_without_log_check;
    bool planted_high_watermark_on_minority;
    /* An observer that fetches only from the leader it knows, as kraftsim did before: it never
     * finds a new leader after its leader's host dies. */
    bool planted_observer_fetches_leader_only;
};

/* The durable part: what quorum-state holds. */
struct quorum_election {
    int32_t epoch;
    int32_t leader_id; /* -1 unknown */
    int32_t voted_id;  /* -1 none */
};

/* The leader's view of one replica (LeaderState.ReplicaState). */
struct quorum_replica {
    int32_t node_id;
    int64_t end_offset;          /* -1 unknown */
    time_ns last_fetch;          /* -1 never */
    time_ns last_caught_up;      /* -1 never */
    time_ns previous_fetch;      /* for the caught-up rule */
    int64_t previous_leader_end; /* leader LEO at the previous fetch */
    bool acknowledged;           /* fetched (or acked BeginQuorumEpoch) in this epoch */
};

/* One outstanding request per destination (RequestManager). */
struct quorum_peer {
    int32_t node_id;
    bool in_flight;
    int16_t api_key;
    time_ns deadline;      /* request timeout while in flight */
    time_ns backoff_until; /* after a failure */
    bool timed_out;        /* the last request timed out (RequestManager.hasRequestTimedOut)
                            * and nothing was sent since */
};

struct quorum_msg {
    int32_t to_node;       /* for requests; responses use reply_ctx */
    bool controller;       /* a broker's request to the controller, not a raft request */
    bool response;
    uint64_t reply_ctx;    /* the node's context of the request being answered */
    int16_t api_key;
    int16_t api_version;
    struct wire_writer body;
};

/* A trace event the node emits for the quorum: typed fields, or, when `field_count` is 0,
 * prose in `detail` (rare events, Kafka's own messages). Field strings point at constants (role
 * names, reasons), never into the quorum, so a trace outlives the step that made it. */
#define QUORUM_TRACE_FIELDS 8
struct quorum_trace {
    enum trace_kind kind;
    uint32_t field_count;
    struct trace_field fields[QUORUM_TRACE_FIELDS];
    char detail[QUORUM_TRACE_MAX];
};

struct quorum_out {
    bool persist; /* write `election` to quorum-state before any message below leaves */
    struct quorum_election election;
    struct quorum_msg *msgs;
    uint32_t msg_count;
    uint32_t msg_capacity;
    struct quorum_trace *traces;
    uint32_t trace_count;
    uint32_t trace_capacity;
};

enum quorum_event_kind {
    QUORUM_EVENT_TICK,     /* time passed; deadlines may have expired */
    QUORUM_EVENT_REQUEST,  /* a request body arrived */
    QUORUM_EVENT_RESPONSE, /* a response body arrived for our request to from_node */
    QUORUM_EVENT_FLUSHED,  /* the log's flushed offset moved */
    QUORUM_EVENT_DISCONNECT, /* the connection to from_node was refused or reset */
};

struct quorum_event {
    enum quorum_event_kind kind;
    time_ns now;
    int32_t from_node;  /* responses: the node the request went to; requests: -1 if unknown */
    uint64_t reply_ctx; /* requests: handed back on the response */
    int16_t api_key;
    int16_t api_version;
    struct wire_reader *body;
};

struct quorum_rng {
    uint64_t state;
};

struct quorum {
    struct quorum_config cfg;
    struct raft_log *log;
    struct quorum_rng rng;
    bool voter;
    enum quorum_role role;
    struct quorum_election election;
    int64_t high_watermark; /* -1 unknown; followers learn it, leaders compute it */
    time_ns now;
    /* Timers (absolute local time; TIME_NS_MAX = off). */
    time_ns election_deadline;
    time_ns fetch_deadline;
    time_ns check_quorum_deadline;
    time_ns begin_quorum_deadline;
    time_ns backoff_deadline;  /* after a lost election (exponential styles) */
    time_ns linger_deadline;
    /* Elections. */
    uint32_t granted;  /* bit i: voter_ids[i] granted */
    uint32_t rejected; /* bit i: voter_ids[i] rejected */
    uint32_t election_retries;
    bool election_lost;
    bool fetched_this_epoch; /* a Follower has fetched from its leader: refuses pre-votes */
    /* An observer Follower whose fetch timer ran out (observer_fetch_timeout): its fetches go
     * to random voters until one succeeds. Then fetch_deadline is TIME_NS_MAX. */
    bool observer_fetch_expired;
    /* A graceful shutdown (KafkaRaftClient.shutdown): the node stays where it is, a leader
     * resigned, until quorum_shutdown_done; shutdown_deadline is when it gives up waiting. */
    bool shutting_down;
    time_ns shutdown_deadline;
    /* Leader. */
    int64_t epoch_start_offset;
    struct quorum_replica voters[QUORUM_VOTER_MAX];
    struct quorum_replica observers[QUORUM_OBSERVER_MAX];
    int observer_count;
    uint8_t *pending; /* records waiting for the linger to end: count, then len+value each */
    uint32_t pending_count;
    uint32_t pending_len;
    uint32_t pending_capacity;
    /* Follower: a snapshot being downloaded with FetchSnapshot (the leader's log no longer
     * starts where ours ends). */
    bool snapshot_fetching;
    struct raft_log_snapshot_id snapshot_fetch_id;
    /* Resigned: voters that acknowledged EndQuorumEpoch. */
    uint32_t end_acked;
    /* Long-poll fetches parked on the leader. */
    struct quorum_parked *parked;
    uint32_t parked_count;
    uint32_t parked_capacity;
    /* Requests. */
    struct quorum_peer peers[QUORUM_VOTER_MAX + 1]; /* voters, then one slot for a bootstrap */
    uint64_t elections_won;
    char last_error[256];
};

struct quorum_view {
    int32_t node_id;
    bool voter;
    enum quorum_role role;
    int32_t epoch;
    int32_t leader_id;
    int32_t voted_id;
    int64_t high_watermark;
    int64_t log_end_offset;
    int64_t log_flushed_offset;
    int32_t last_epoch;
};

/* Starts from the durable election state and the opened log (QuorumState.initialize). */
void quorum_init(struct quorum *q, const struct quorum_config *cfg, struct raft_log *log,
                 const struct quorum_election *stored, uint64_t seed, time_ns now,
                 struct quorum_out *out);
void quorum_free(struct quorum *q);
void quorum_step(struct quorum *q, const struct quorum_event *event, struct quorum_out *out);
/* The earliest time the quorum wants a TICK. */
time_ns quorum_next_deadline(const struct quorum *q);
/* Leader only: queue one record for the next batch. Returns the offset it will have, or -1 if
 * this node is not the leader. */
int64_t quorum_append(struct quorum *q, time_ns now, const uint8_t *value, uint32_t len);
/* Leader only: a graceful resignation (shutdown). */
void quorum_resign(struct quorum *q, time_ns now, struct quorum_out *out);
/* A graceful shutdown (KafkaRaftClient.shutdown(timeoutMs)): a leader resigns at once and
 * sends EndQuorumEpoch; no voter starts an election from now on. */
void quorum_shutdown(struct quorum *q, time_ns now, time_ns timeout, struct quorum_out *out);
/* Whether a shutdown begun with quorum_shutdown may let the process stop: this node is an
 * observer or the only voter, another node leads, or the timeout passed
 * (KafkaRaftClient.maybeCompleteShutdown). */
bool quorum_shutdown_done(const struct quorum *q);

void quorum_view(const struct quorum *q, struct quorum_view *out);
/* The leader's DescribeQuorum answer (v2 shape); `a` owns the arrays. Returns false if not
 * the leader. */
struct describe_quorum_response;
bool quorum_describe(const struct quorum *q, struct wire_arena *a,
                     struct describe_quorum_response *out);
const char *quorum_role_name(enum quorum_role role);
bool quorum_check(const struct quorum *q);

void quorum_out_init(struct quorum_out *out);
/* Adds a message or a trace line to the effects (for the node's other components). */
struct quorum_msg *quorum_out_msg(struct quorum_out *out, int16_t api_key, int16_t version);
struct quorum_trace *quorum_out_trace(struct quorum_out *out, enum trace_kind kind);
void quorum_out_reset(struct quorum_out *out); /* frees message bodies, keeps capacity */
void quorum_out_free(struct quorum_out *out);

#endif
