/* release.c — the release table and the behaviour switches (see release.h for the contract). */
#include "release.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "env.h"
#include "text.h"

static const char *const backoff_names[] = {
#define BACKOFF_NAME(name, text) text,
    LOST_ELECTION_BACKOFFS(BACKOFF_NAME)
#undef BACKOFF_NAME
};

const char *lost_election_backoff_name(enum lost_election_backoff backoff)
{
    KS_ASSERT((int)backoff >= 0);
    KS_ASSERT(backoff < LOST_ELECTION_BACKOFF_COUNT);
    return backoff_names[backoff];
}

static const char *const resend_names[] = {
#define RESEND_NAME(name, text) text,
    BEGIN_QUORUM_RESENDS(RESEND_NAME)
#undef RESEND_NAME
};

const char *begin_quorum_resend_name(enum begin_quorum_resend resend)
{
    KS_ASSERT((int)resend >= 0);
    KS_ASSERT(resend < BEGIN_QUORUM_RESEND_COUNT);
    return resend_names[resend];
}

/* ---------------------------------------------------------------------------------------- */
/* Switches                                                                                 */

/* The switches in describe order; the index is the bit in kafka_switches.overridden. */
enum switch_index {
    SWITCH_RAFT_PRE_VOTE,
    SWITCH_RAFT_CHECK_QUORUM,
    SWITCH_RAFT_LOST_ELECTION_BACKOFF,
    SWITCH_RAFT_VOTED_STATE,
    SWITCH_RAFT_VOTER_SET_CHECK,
    SWITCH_RAFT_BEGIN_QUORUM_RESEND,
    SWITCH_RAFT_FETCH_HIGH_WATERMARK,
    SWITCH_RAFT_RPC_VOTE_MAX,
    SWITCH_RAFT_RPC_BEGIN_QUORUM_EPOCH_MAX,
    SWITCH_RAFT_RPC_END_QUORUM_EPOCH_MAX,
    SWITCH_RAFT_RPC_DESCRIBE_QUORUM_MAX,
    SWITCH_RAFT_RPC_FETCH_SNAPSHOT_MAX,
    SWITCH_RAFT_RPC_FETCH_MAX,
    SWITCH_REPLICATION_HW_FROZEN_BELOW_MIN_ISR,
    SWITCH_REPLICATION_LEADER_EPOCH_TRUNCATION,
    SWITCH_REPLICATION_LAST_FETCHED_EPOCH,
    SWITCH_REPLICATION_ELR,
    SWITCH_REPLICATION_ISR_SHRINK_BUMPS_LEADER_EPOCH,
    SWITCH_RAFT_OFFSET_ZERO_SNAPSHOT,
    SWITCH_REPLICATION_UNCLEAN_ELECTION_CONFIG,
    SWITCH_CONTROLLER_REGISTRATION_AMEND,
    SWITCH_RAFT_FOLLOWER_BEST_NODE,
    SWITCH_RAFT_OBSERVER_FETCH_TIMEOUT,
    SWITCH_COUNT
};

enum switch_kind { SWITCH_BOOL, SWITCH_BACKOFF, SWITCH_VERSION, SWITCH_RESEND };

struct switch_field {
    enum switch_kind kind;
    size_t offset;       /* into struct kafka_switches */
    int16_t version_max; /* SWITCH_VERSION: the highest any modelled release speaks (trunk) */
};

#define FIELD(kind, member, max) {kind, offsetof(struct kafka_switches, member), max}

static const struct switch_field switch_fields[SWITCH_COUNT] = {
    [SWITCH_RAFT_PRE_VOTE] = FIELD(SWITCH_BOOL, raft_pre_vote, 0),
    [SWITCH_RAFT_CHECK_QUORUM] = FIELD(SWITCH_BOOL, raft_check_quorum, 0),
    [SWITCH_RAFT_LOST_ELECTION_BACKOFF] = FIELD(SWITCH_BACKOFF, raft_lost_election_backoff, 0),
    [SWITCH_RAFT_VOTED_STATE] = FIELD(SWITCH_BOOL, raft_voted_state, 0),
    [SWITCH_RAFT_VOTER_SET_CHECK] = FIELD(SWITCH_BOOL, raft_voter_set_check, 0),
    [SWITCH_RAFT_BEGIN_QUORUM_RESEND] = FIELD(SWITCH_RESEND, raft_begin_quorum_resend, 0),
    [SWITCH_RAFT_FETCH_HIGH_WATERMARK] = FIELD(SWITCH_BOOL, raft_fetch_high_watermark, 0),
    [SWITCH_RAFT_RPC_VOTE_MAX] = FIELD(SWITCH_VERSION, raft_rpc.vote_version_max, 2),
    [SWITCH_RAFT_RPC_BEGIN_QUORUM_EPOCH_MAX] =
        FIELD(SWITCH_VERSION, raft_rpc.begin_quorum_epoch_version_max, 1),
    [SWITCH_RAFT_RPC_END_QUORUM_EPOCH_MAX] =
        FIELD(SWITCH_VERSION, raft_rpc.end_quorum_epoch_version_max, 1),
    [SWITCH_RAFT_RPC_DESCRIBE_QUORUM_MAX] =
        FIELD(SWITCH_VERSION, raft_rpc.describe_quorum_version_max, 2),
    [SWITCH_RAFT_RPC_FETCH_SNAPSHOT_MAX] =
        FIELD(SWITCH_VERSION, raft_rpc.fetch_snapshot_version_max, 1),
    [SWITCH_RAFT_RPC_FETCH_MAX] = FIELD(SWITCH_VERSION, raft_rpc.fetch_version_max, 18),
    [SWITCH_REPLICATION_HW_FROZEN_BELOW_MIN_ISR] =
        FIELD(SWITCH_BOOL, replication_hw_frozen_below_min_isr, 0),
    [SWITCH_REPLICATION_LEADER_EPOCH_TRUNCATION] =
        FIELD(SWITCH_BOOL, replication_leader_epoch_truncation, 0),
    [SWITCH_REPLICATION_LAST_FETCHED_EPOCH] =
        FIELD(SWITCH_BOOL, replication_last_fetched_epoch, 0),
    [SWITCH_REPLICATION_ELR] = FIELD(SWITCH_BOOL, replication_elr, 0),
    [SWITCH_REPLICATION_ISR_SHRINK_BUMPS_LEADER_EPOCH] =
        FIELD(SWITCH_BOOL, replication_isr_shrink_bumps_leader_epoch, 0),
    [SWITCH_RAFT_OFFSET_ZERO_SNAPSHOT] = FIELD(SWITCH_BOOL, raft_offset_zero_snapshot, 0),
    [SWITCH_REPLICATION_UNCLEAN_ELECTION_CONFIG] =
        FIELD(SWITCH_BOOL, replication_unclean_election_config, 0),
    [SWITCH_CONTROLLER_REGISTRATION_AMEND] =
        FIELD(SWITCH_BOOL, controller_registration_amend, 0),
    [SWITCH_RAFT_FOLLOWER_BEST_NODE] = FIELD(SWITCH_BOOL, raft_follower_best_node, 0),
    [SWITCH_RAFT_OBSERVER_FETCH_TIMEOUT] = FIELD(SWITCH_BOOL, raft_observer_fetch_timeout, 0),
};

#undef FIELD

static const struct switch_info switch_infos[SWITCH_COUNT] = {
    [SWITCH_RAFT_PRE_VOTE] = {
        "raft.pre.vote", "pre.vote", "true|false", "on: 4.0, 4.1, trunk",
        "KIP-996 pre-vote: a voter whose election or fetch timer fires first polls the quorum "
        "as Prospective (Vote v2, PreVote=true, epoch unchanged) and becomes Candidate only "
        "with a majority (QuorumState.java, ProspectiveState.java)."},
    [SWITCH_RAFT_CHECK_QUORUM] = {
        "raft.check.quorum", "check.quorum", "true|false", "on: 3.7, 3.9, 4.0, 4.1, trunk",
        "KAFKA-15489: the leader resigns when fewer than a majority of voters sent Fetch or "
        "FetchSnapshot within 1.5 x controller.quorum.fetch.timeout.ms (LeaderState.java)."},
    [SWITCH_RAFT_LOST_ELECTION_BACKOFF] = {
        "raft.lost.election.backoff", "lost.election.backoff",
        "exponential|exponential-prospective|exponential-4.0.1|none",
        "exponential: 2.4-3.9; exponential-prospective: 4.0; none: 4.1, trunk",
        "What a candidate that lost (or whose election timed out, <=3.9) does: exponential = "
        "wait min(100*rand[0, 2<<min(20,r-1)), backoff.max) ms then Candidate "
        "(binaryExponentialElectionBackoffMs, RETRY_BACKOFF_BASE_MS = 100; r restarts at 1 "
        "when an election starts from another state: QuorumState.transitionToCandidate); "
        "exponential-prospective = same wait then Prospective (4.0.0); exponential-4.0.1 = "
        "min(50*rand[1, 2<<min(10,r-1)), backoff.max + rand[0,50)) then Prospective "
        "(KAFKA-18345, 4.0.1+, base 50: RaftUtil.binaryExponentialElectionBackoffMs); none = "
        "wait out the election timeout then Prospective (4.1+)."},
    [SWITCH_RAFT_VOTED_STATE] = {
        "raft.voted.state", "voted.state", "true|false", "on: 2.4-3.7",
        "Trace naming only: call Unattached-with-a-vote 'Voted', as the separate VotedState "
        "class did until 3.8 (folded into UnattachedState by KIP-853 in 3.9)."},
    [SWITCH_RAFT_VOTER_SET_CHECK] = {
        "raft.voter.set.check", "voter.set.check", "true|false", "on: 2.4-3.7",
        "Vote, BeginQuorumEpoch and EndQuorumEpoch from a non-voter or to an observer fail "
        "with INCONSISTENT_VOTER_SET (KafkaRaftClient.validateVoterOnlyRequest; gone in 3.8)."},
    [SWITCH_RAFT_BEGIN_QUORUM_RESEND] = {
        "raft.begin.quorum.resend", "begin.quorum.resend", "unacknowledged|all|lagging",
        "unacknowledged: 2.4-3.7; all: 3.9, 4.0, 4.1; lagging: trunk (4.2+)",
        "To whom the leader resends BeginQuorumEpoch: unacknowledged = whenever the "
        "connection is ready, to voters that neither answered it nor sent a valid Fetch this "
        "epoch (KafkaRaftClient.pollLeader, LeaderState.nonAcknowledgingVoters, <=3.8); all = "
        "every fetch.timeout/2 to every other voter (KAFKA-16536, 3.9-4.1); lagging = every "
        "fetch.timeout/2 to voters whose last fetch is at least that old "
        "(LeaderState.needToSendBeginQuorumRequests, 4.2+). The old bool "
        "raft.begin.quorum.lagging.only=true|false still sets lagging|all."},
    [SWITCH_RAFT_FETCH_HIGH_WATERMARK] = {
        "raft.fetch.high.watermark", "fetch.high.watermark", "true|false", "on: 4.1, trunk",
        "KIP-1166 (KAFKA-14145): KRaft Fetch v18 carries the follower's high watermark; the "
        "leader answers a Fetch at once when its own high watermark is newer, and completes "
        "every parked Fetch whenever its high watermark moves (onUpdateLeaderHighWatermark: "
        "fetchPurgatory.completeAll). Off: only a leader append releases a parked Fetch "
        "(updateLeaderEndOffsetAndTimestamp: fetchPurgatory.maybeComplete), so followers "
        "learn a new high watermark at the next append or when the 500 ms wait ends."},
    [SWITCH_RAFT_RPC_VOTE_MAX] = {
        "raft.rpc.vote.max", "Vote", "0..2", "0: 3.1-3.7; 1: 3.9; 2: 4.0+",
        "Highest Vote version spoken (VoteRequest.json): v1 KIP-853, v2 KIP-996 PreVote."},
    [SWITCH_RAFT_RPC_BEGIN_QUORUM_EPOCH_MAX] = {
        "raft.rpc.begin.quorum.epoch.max", "BeginQuorumEpoch", "0..1", "0: 3.1-3.7; 1: 3.9+",
        "Highest BeginQuorumEpoch version (BeginQuorumEpochRequest.json): v1 KIP-853."},
    [SWITCH_RAFT_RPC_END_QUORUM_EPOCH_MAX] = {
        "raft.rpc.end.quorum.epoch.max", "EndQuorumEpoch", "0..1", "0: 3.1-3.7; 1: 3.9+",
        "Highest EndQuorumEpoch version (EndQuorumEpochRequest.json): v1 KIP-853."},
    [SWITCH_RAFT_RPC_DESCRIBE_QUORUM_MAX] = {
        "raft.rpc.describe.quorum.max", "DescribeQuorum", "0..2",
        "0: 3.1; 1: 3.4-3.7; 2: 3.9+",
        "Highest DescribeQuorum version (DescribeQuorumRequest.json): v1 KIP-836 timestamps, "
        "v2 KIP-853 directory ids and Nodes; what kafka-metadata-quorum.sh can print."},
    [SWITCH_RAFT_RPC_FETCH_SNAPSHOT_MAX] = {
        "raft.rpc.fetch.snapshot.max", "FetchSnapshot", "0..1", "0: 3.1-3.7; 1: 3.9+",
        "Highest FetchSnapshot version (FetchSnapshotRequest.json): v1 KIP-853."},
    [SWITCH_RAFT_RPC_FETCH_MAX] = {
        "raft.rpc.fetch.max", "Fetch", "0..18",
        "11: 2.4; 13: 3.1, 3.4; 15: 3.5; 16: 3.7; 17: 3.9, 4.0; 18: 4.1+",
        "Highest Fetch version (FetchRequest.json): v17 directory id, v18 HighWatermark."},
    [SWITCH_REPLICATION_HW_FROZEN_BELOW_MIN_ISR] = {
        "replication.hw.frozen.below.min.isr", "hw.frozen.below.min.isr", "true|false",
        "on: 3.7, 3.9, 4.0, 4.1, trunk",
        "KAFKA-15583: a partition leader does not advance the high watermark while its ISR "
        "is smaller than min.insync.replicas (Partition.maybeIncrementLeaderHW)."},
    [SWITCH_REPLICATION_LEADER_EPOCH_TRUNCATION] = {
        "replication.leader.epoch.truncation", "leader.epoch.truncation", "true|false",
        "on: every modelled release",
        "KIP-101 (KIP-279, KIP-320): followers truncate by leader epoch; off = the pre-0.11 "
        "truncation to the high watermark, which can lose or diverge acknowledged writes "
        "(for teaching)."},
    [SWITCH_REPLICATION_LAST_FETCHED_EPOCH] = {
        "replication.last.fetched.epoch", "last.fetched.epoch", "true|false",
        "on: 3.1 and later (Kafka 2.7+, inter.broker.protocol.version 2.7-IV1)",
        "KIP-320: a follower's Fetch carries LastFetchedEpoch and the leader answers "
        "DivergingEpoch; off = an OffsetsForLeaderEpoch round after every leader change before "
        "the follower fetches (Kafka 0.11-2.6, ReplicaFetcherThread.truncate). Needs "
        "leader.epoch.truncation."},
    [SWITCH_REPLICATION_ELR] = {
        "replication.elr", "elr", "true|false", "on: 4.1, trunk (new clusters)",
        "KIP-966 eligible leader replicas: needs metadata.version 4.0-IV1; on by default for "
        "clusters bootstrapped at 4.1-IV0 or later (EligibleLeaderReplicasVersion.java)."},
    [SWITCH_REPLICATION_ISR_SHRINK_BUMPS_LEADER_EPOCH] = {
        "replication.isr.shrink.bumps.leader.epoch", "isr.shrink.bumps.leader.epoch",
        "true|false", "on: 3.1, 3.4, 3.5 (KRaft)",
        "The KRaft controller bumps the leader epoch on every ISR shrink, as metadata.version "
        "< 3.6-IV0 does (PartitionChangeBuilder, KAFKA-15021, KAFKA-15109). ZooKeeper mode "
        "ignores it: leader-driven shrinks there keep the epoch."},
    [SWITCH_RAFT_OFFSET_ZERO_SNAPSHOT] = {
        "raft.offset.zero.snapshot", "offset.zero.snapshot", "true|false",
        "on: 3.7, 3.9, 4.0, 4.1, trunk (3.6+)",
        "KAFKA-15078: a Fetch at offset 0 (a follower with an empty log) is answered with the "
        "leader's latest snapshot id, unless that is the bootstrap snapshot 0-0 "
        "(KafkaRaftClient.tryCompleteFetchRequest); off = the log is replayed from 0 while "
        "the leader's log still starts there (RaftLog.validateOffsetAndEpoch)."},
    [SWITCH_REPLICATION_UNCLEAN_ELECTION_CONFIG] = {
        "replication.unclean.election.config", "unclean.election.config", "true|false",
        "on: 2.4 (ZooKeeper's controller), 3.9, 4.0, 4.1, trunk",
        "The KRaft controller reads unclean.leader.election.enable "
        "(ConfigurationControlManager.uncleanLeaderElectionEnabledForTopic; 3.0-3.8 return "
        "false, a TODO; KAFKA-12670 in 3.9, which also adds the periodic "
        "maybeElectUncleanLeaders every unclean.leader.election.interval.ms). Off: the config "
        "is accepted and stored but never elects; only ElectLeaders UNCLEAN does."},
    [SWITCH_CONTROLLER_REGISTRATION_AMEND] = {
        "controller.registration.amend", "registration.amend", "true|false",
        "on: 3.9, 4.0, 4.1, trunk",
        "A BrokerRegistration from the incarnation already registered (a retry after a lost "
        "answer) amends it: the broker epoch, fencing and controlled-shutdown state stay "
        "(ClusterControlManager.registerBroker, KAFKA-16952). Off: it is registered anew, a "
        "new epoch and fenced, as in 3.0-3.7.0; 3.7.1-3.8 (KAFKA-16757) keep the fencing "
        "state but still take a new epoch, which no modelled release does."},
    [SWITCH_RAFT_FOLLOWER_BEST_NODE] = {
        "raft.follower.best.node", "follower.best.node", "true|false", "on: 3.9+",
        "A voter following a leader whose Fetch timed out or is backing off sends its next "
        "Fetch to a random voter to find a new leader, and never has two fetches in flight "
        "(KafkaRaftClient.pollFollowerAsVoter -> maybeSendFetchToBestNode, 3.9+); off = a "
        "voter fetches from its leader only, until its fetch timeout (3.8 and before). "
        "Observers always fall back to a random voter (pollFollowerAsObserver)."},
    [SWITCH_RAFT_OBSERVER_FETCH_TIMEOUT] = {
        "raft.observer.fetch.timeout", "observer.fetch.timeout", "true|false", "on: 2.4-4.1",
        "An observer (a broker) that has had no successful Fetch for "
        "controller.quorum.fetch.timeout.ms sends every Fetch to a random voter until one "
        "succeeds (pollFollowerAsObserver: hasFetchTimeoutExpired -> maybeSendAnyVoterFetch, "
        "maybeSendFetchToAnyBootstrap in 3.9-4.1); KAFKA-19354 (4.2) dropped the timer: "
        "observers go to the best node only (maybeSendFetchToBestNode)."},
};

/*
 * Switches no code reads yet, with what they wait for: NULL = modelled. They stay in the
 * table, the rows and kafka_switches for the code that will read them, but switches_describe
 * leaves them off the release line, switch_value off a rendered config, and switch_set refuses
 * them (a setting that changes nothing would mislead). A switch added later is modelled unless
 * it is listed here.
 */
static const char *const switch_unmodelled[SWITCH_COUNT] = {
    NULL, /* every switch is modelled since the data path landed (broker/replica/partition.c) */
};

bool switch_modelled(size_t index)
{
    KS_ASSERT(index < SWITCH_COUNT);
    return switch_unmodelled[index] == NULL;
}

const struct switch_info *switches_list(size_t *count)
{
    KS_ASSERT(count != NULL);
    *count = SWITCH_COUNT;
    return switch_infos;
}

/* ---------------------------------------------------------------------------------------- */
/* Releases                                                                                 */

static const struct release_default defaults_2_4[] = {
    /* KafkaConfig.scala @2.4.1 Defaults; 2.5 raised both (KIP-537) */
    {"replica.lag.time.max.ms", "10000"},
    {"zookeeper.session.timeout.ms", "6000"},
    /* 1000000 + Records.LOG_OVERHEAD; 3.0 made it 1 MiB + 12 */
    {"message.max.bytes", "1000012"},
    {NULL, NULL},
};

/* Before 4.3 the raft client fetched with a constant 8 MiB
 * (KafkaRaftClient.MAX_FETCH_SIZE_BYTES); 4.3 made both sizes keys defaulting to 1 MiB. */
static const struct release_default defaults_3_1[] = {
    /* No NoOpRecord before 3.3 and no time-based snapshots before 3.4: the keys are absent. */
    {"metadata.max.idle.interval.ms", "0"},
    {"metadata.log.max.snapshot.interval.ms", "0"},
    {"controller.quorum.fetch.max.bytes", "8388608"},
    {"controller.quorum.fetch.snapshot.max.bytes", "8388608"},
    {NULL, NULL},
};

static const struct release_default defaults_3_4_to_4_1[] = {
    {"controller.quorum.fetch.max.bytes", "8388608"},
    {"controller.quorum.fetch.snapshot.max.bytes", "8388608"},
    {NULL, NULL},
};

static const struct release_default defaults_trunk[] = {
    {NULL, NULL},
};

/* BrokerFeatures.defaultSupportedFeatures (core/.../server/BrokerFeatures.scala; 4.0+
 * server/.../server/BrokerFeatures.java) at each tag: metadata.version from
 * MINIMUM_KRAFT_VERSION (3.0-IV1; 4.0+ MINIMUM_VERSION, 3.3-IV3) to latest() (3.4, 3.5) or
 * latestProduction(), then each of Features/Feature.PRODUCTION_FEATURES whose latestProduction
 * is above 0, from minimumProduction() (3.1: emptySupportedFeatures, no features at all). */
static const struct release_feature features_none[] = {{NULL, 0, 0}};
static const struct release_feature features_3_4[] = {{"metadata.version", 1, 8}, {NULL, 0, 0}};
static const struct release_feature features_3_5[] = {{"metadata.version", 1, 11}, {NULL, 0, 0}};
static const struct release_feature features_3_7[] = {{"metadata.version", 1, 19}, {NULL, 0, 0}};
static const struct release_feature features_3_9[] = {
    {"metadata.version", 1, 21}, {"kraft.version", 0, 1}, {NULL, 0, 0}};
static const struct release_feature features_4_0[] = {
    {"metadata.version", 7, 25},      {"kraft.version", 0, 1},
    {"transaction.version", 0, 2},    {"group.version", 0, 1},
    {"eligible.leader.replicas.version", 0, 1}, {NULL, 0, 0}};
static const struct release_feature features_4_1[] = {
    {"metadata.version", 7, 27},      {"kraft.version", 0, 1},
    {"transaction.version", 0, 2},    {"group.version", 0, 1},
    {"eligible.leader.replicas.version", 0, 1}, {"share.version", 0, 1},
    {NULL, 0, 0}};
static const struct release_feature features_trunk[] = {
    {"metadata.version", 7, 33},      {"kraft.version", 0, 1},
    {"transaction.version", 0, 2},    {"group.version", 0, 1},
    {"eligible.leader.replicas.version", 0, 1}, {"share.version", 0, 2},
    {"streams.version", 0, 1},        {NULL, 0, 0}};

/* Columns: BrokerRegistration, BrokerHeartbeat, AlterPartition, Envelope, CreateTopics,
 * DeleteTopics, Metadata, ApiVersions (validVersions of <Api>Request.json at each tag). */
#define API(reg, hb, alter, envelope, create, del, metadata, api_versions)                     \
    {reg, hb, alter, envelope, create, del, metadata, api_versions}

#define RPC(vote, begin, end, describe, snapshot, fetch)                                       \
    {vote, begin, end, describe, snapshot, fetch}

/*
 * The releases. Each row names only what differs from "off": the bools a release turns on,
 * its enums and its versions, so a row reads as what that release does.
 */
#define KRAFT_AND_ZK (RELEASE_MODE_KRAFT | RELEASE_MODE_ZOOKEEPER)

static const struct kafka_release releases[] = {
    {.name = "2.4", .version = "2.4.1", .number = 204, .modes = RELEASE_MODE_ZOOKEEPER,
     .defaults = defaults_2_4,
     .switches = {.raft_lost_election_backoff = LOST_ELECTION_BACKOFF_EXPONENTIAL,
                  .raft_voted_state = true,
                  .raft_voter_set_check = true,
                  .raft_begin_quorum_resend = BEGIN_QUORUM_RESEND_UNACKNOWLEDGED,
                  .raft_rpc = RPC(-1, -1, -1, -1, -1, 11),
                  .replication_leader_epoch_truncation = true,
                  .replication_unclean_election_config = true,
                  .raft_observer_fetch_timeout = true},
     .api = API(-1, -1, -1, -1, 5, 4, 9, 3), .broker_features = features_none,
     .notes = "ZooKeeper only: no KRaft RPCs; the raft switches hold the oldest KRaft "
              "behaviour."},
    {.name = "3.1", .version = "3.1.0", .number = 301, .modes = KRAFT_AND_ZK,
     .defaults = defaults_3_1,
     .switches = {.raft_lost_election_backoff = LOST_ELECTION_BACKOFF_EXPONENTIAL,
                  .raft_voted_state = true,
                  .raft_voter_set_check = true,
                  .raft_begin_quorum_resend = BEGIN_QUORUM_RESEND_UNACKNOWLEDGED,
                  .raft_rpc = RPC(0, 0, 0, 0, 0, 13),
                  .replication_leader_epoch_truncation = true,
                  .replication_last_fetched_epoch = true,
                  .replication_isr_shrink_bumps_leader_epoch = true,
                  .raft_observer_fetch_timeout = true},
     .api = API(0, 0, 0, 0, 7, 6, 12, 3), .broker_features = features_none,
     .notes = "KRaft preview (seed kraft-properties); ZooKeeper without process.roles."},
    {.name = "3.4", .version = "3.4.0", .number = 304, .modes = KRAFT_AND_ZK,
     .defaults = defaults_3_4_to_4_1,
     .switches = {.raft_lost_election_backoff = LOST_ELECTION_BACKOFF_EXPONENTIAL,
                  .raft_voted_state = true,
                  .raft_voter_set_check = true,
                  .raft_begin_quorum_resend = BEGIN_QUORUM_RESEND_UNACKNOWLEDGED,
                  .raft_rpc = RPC(0, 0, 0, 1, 0, 13),
                  .replication_leader_epoch_truncation = true,
                  .replication_last_fetched_epoch = true,
                  .replication_isr_shrink_bumps_leader_epoch = true,
                  .raft_observer_fetch_timeout = true},
     .api = API(1, 0, 2, 0, 7, 6, 12, 3), .broker_features = features_3_4,
     .notes = "Seed kraft-compose (Bitnami 3.4.0, combined mode)."},
    {.name = "3.5", .version = "3.5.0", .number = 305, .modes = KRAFT_AND_ZK,
     .defaults = defaults_3_4_to_4_1,
     .switches = {.raft_lost_election_backoff = LOST_ELECTION_BACKOFF_EXPONENTIAL,
                  .raft_voted_state = true,
                  .raft_voter_set_check = true,
                  .raft_begin_quorum_resend = BEGIN_QUORUM_RESEND_UNACKNOWLEDGED,
                  .raft_rpc = RPC(0, 0, 0, 1, 0, 15),
                  .replication_leader_epoch_truncation = true,
                  .replication_last_fetched_epoch = true,
                  .replication_isr_shrink_bumps_leader_epoch = true,
                  .raft_observer_fetch_timeout = true},
     .api = API(1, 0, 3, 0, 7, 6, 12, 3), .broker_features = features_3_5,
     .notes = "Seed zk-kubernetes runs 3.5.2 in ZooKeeper mode."},
    {.name = "3.7", .version = "3.7.0", .number = 307, .modes = KRAFT_AND_ZK,
     .defaults = defaults_3_4_to_4_1,
     .switches = {.raft_check_quorum = true,
                  .raft_lost_election_backoff = LOST_ELECTION_BACKOFF_EXPONENTIAL,
                  .raft_voted_state = true,
                  .raft_voter_set_check = true,
                  .raft_begin_quorum_resend = BEGIN_QUORUM_RESEND_UNACKNOWLEDGED,
                  .raft_rpc = RPC(0, 0, 0, 1, 0, 16),
                  .raft_offset_zero_snapshot = true,
                  .replication_hw_frozen_below_min_isr = true,
                  .replication_leader_epoch_truncation = true,
                  .replication_last_fetched_epoch = true,
                  .raft_observer_fetch_timeout = true},
     .api = API(3, 1, 3, 0, 7, 6, 12, 3), .broker_features = features_3_7,
     .notes = "Check quorum (KAFKA-15489); HW frozen below min ISR (KAFKA-15583)."},
    {.name = "3.9", .version = "3.9.0", .number = 309, .modes = KRAFT_AND_ZK,
     .defaults = defaults_3_4_to_4_1,
     .switches = {.raft_check_quorum = true,
                  .raft_lost_election_backoff = LOST_ELECTION_BACKOFF_EXPONENTIAL,
                  .raft_begin_quorum_resend = BEGIN_QUORUM_RESEND_ALL,
                  .raft_rpc = RPC(1, 1, 1, 2, 1, 17),
                  .raft_offset_zero_snapshot = true,
                  .replication_hw_frozen_below_min_isr = true,
                  .replication_leader_epoch_truncation = true,
                  .replication_last_fetched_epoch = true,
                  .replication_unclean_election_config = true,
                  .controller_registration_amend = true,
                  .raft_follower_best_node = true,
                  .raft_observer_fetch_timeout = true},
     .api = API(4, 1, 3, 0, 7, 6, 12, 4), .broker_features = features_3_9,
     .notes = "KIP-853 dynamic quorums; facts from tag 3.9.0-rc3."},
    {.name = "4.0", .version = "4.0.0", .number = 400, .modes = RELEASE_MODE_KRAFT,
     .defaults = defaults_3_4_to_4_1,
     .switches = {.raft_pre_vote = true,
                  .raft_check_quorum = true,
                  .raft_lost_election_backoff = LOST_ELECTION_BACKOFF_EXPONENTIAL_PROSPECTIVE,
                  .raft_begin_quorum_resend = BEGIN_QUORUM_RESEND_ALL,
                  .raft_rpc = RPC(2, 1, 1, 2, 1, 17),
                  .raft_offset_zero_snapshot = true,
                  .replication_hw_frozen_below_min_isr = true,
                  .replication_leader_epoch_truncation = true,
                  .replication_last_fetched_epoch = true,
                  .replication_unclean_election_config = true,
                  .controller_registration_amend = true,
                  .raft_follower_best_node = true,
                  .raft_observer_fetch_timeout = true},
     .api = API(4, 1, 3, 0, 7, 6, 13, 4), .broker_features = features_4_0,
     .notes = "KIP-996 pre-vote; ZooKeeper removed. 4.0.1+ backs off per KAFKA-18345: set "
              "kraftsim.switch.raft.lost.election.backoff=exponential-4.0.1."},
    {.name = "4.1", .version = "4.1.0", .number = 401, .modes = RELEASE_MODE_KRAFT,
     .defaults = defaults_3_4_to_4_1,
     .switches = {.raft_pre_vote = true,
                  .raft_check_quorum = true,
                  .raft_lost_election_backoff = LOST_ELECTION_BACKOFF_NONE,
                  .raft_begin_quorum_resend = BEGIN_QUORUM_RESEND_ALL,
                  .raft_fetch_high_watermark = true,
                  .raft_rpc = RPC(2, 1, 1, 2, 1, 18),
                  .raft_offset_zero_snapshot = true,
                  .replication_hw_frozen_below_min_isr = true,
                  .replication_leader_epoch_truncation = true,
                  .replication_last_fetched_epoch = true,
                  .replication_elr = true,
                  .replication_unclean_election_config = true,
                  .controller_registration_amend = true,
                  .raft_follower_best_node = true,
                  .raft_observer_fetch_timeout = true},
     .api = API(4, 1, 3, 0, 7, 6, 13, 4), .broker_features = features_4_1,
     .notes = "No lost-election backoff; Fetch v18 high watermark; ELR on for new clusters."},
    {.name = "trunk", .version = "4.5.0-SNAPSHOT", .number = 405, .modes = RELEASE_MODE_KRAFT,
     .defaults = defaults_trunk,
     .switches = {.raft_pre_vote = true,
                  .raft_check_quorum = true,
                  .raft_lost_election_backoff = LOST_ELECTION_BACKOFF_NONE,
                  .raft_begin_quorum_resend = BEGIN_QUORUM_RESEND_LAGGING,
                  .raft_fetch_high_watermark = true,
                  .raft_rpc = RPC(2, 1, 1, 2, 1, 18),
                  .raft_offset_zero_snapshot = true,
                  .replication_hw_frozen_below_min_isr = true,
                  .replication_leader_epoch_truncation = true,
                  .replication_last_fetched_epoch = true,
                  .replication_elr = true,
                  .replication_unclean_election_config = true,
                  .controller_registration_amend = true,
                  .raft_follower_best_node = true},
     .api = API(4, 2, 3, 0, 7, 6, 13, 5), .broker_features = features_trunk,
     .notes = "KRAFT.md's trunk d79bd502ec; the default release."},
};

#undef KRAFT_AND_ZK
#undef RPC
#undef API

#define RELEASE_COUNT (sizeof releases / sizeof releases[0])
#define RELEASE_TRUNK (RELEASE_COUNT - 1)

const struct kafka_release *release_find(const char *name)
{
    KS_ASSERT(name != NULL);
    if (strcmp(name, "latest") == 0) {
        return &releases[RELEASE_TRUNK];
    }
    for (size_t i = 0; i < RELEASE_COUNT; i++) {
        if (strcmp(releases[i].name, name) == 0) {
            return &releases[i];
        }
    }
    return NULL;
}

const struct kafka_release *release_default(void)
{
    const struct kafka_release *trunk = &releases[RELEASE_TRUNK];
    KS_ASSERT(strcmp(trunk->name, "trunk") == 0);
    return trunk;
}

size_t release_count(void) { return RELEASE_COUNT; }

const struct kafka_release *release_at(size_t index)
{
    KS_ASSERT(index < RELEASE_COUNT);
    return &releases[index];
}

bool release_supports(const struct kafka_release *release, enum release_mode mode)
{
    KS_ASSERT(release != NULL);
    KS_ASSERT(mode == RELEASE_MODE_ZOOKEEPER || mode == RELEASE_MODE_KRAFT);
    return (release->modes & (unsigned)mode) != 0;
}

const char *release_names(void)
{
    return "2.4, 3.1, 3.4, 3.5, 3.7, 3.9, 4.0, 4.1, trunk (alias latest)";
}

struct kafka_switches switches_from_release(const struct kafka_release *release)
{
    KS_ASSERT(release != NULL);
    KS_ASSERT(release->name != NULL);
    KS_ASSERT(release_find(release->name) == release);
    struct kafka_switches s = release->switches;
    s.release = release;
    s.overridden = 0;
    return s;
}

const struct release_feature *release_broker_features(const struct kafka_release *release,
                                                      int *count)
{
    KS_ASSERT(release != NULL && count != NULL);
    KS_ASSERT(release->broker_features != NULL);
    *count = 0;
    while (release->broker_features[*count].name != NULL) {
        (*count)++;
    }
    KS_ASSERT(*count <= RELEASE_FEATURE_MAX);
    return release->broker_features;
}

/* ---------------------------------------------------------------------------------------- */
/* Setting and checking                                                                     */

static int switch_error(struct config_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int switch_error(struct config_error *err, const char *fmt, ...)
{
    KS_ASSERT(err != NULL);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return CONFIG_ESWITCH;
}

/* Copies `value` without Java's trim() whitespace (every char <= ' ') into `out`. */
static bool trim_copy(const char *value, char *out, size_t cap)
{
    const char *start = value;
    const char *end = value + strlen(value);
    while (start < end && (unsigned char)*start <= ' ') {
        start++;
    }
    while (end > start && (unsigned char)end[-1] <= ' ') {
        end--;
    }
    size_t n = (size_t)(end - start);
    if (n >= cap) {
        return false;
    }
    memcpy(out, start, n);
    out[n] = '\0';
    return true;
}

static int set_bool(bool *field, const char *name, const char *value, struct config_error *err)
{
    char text[16];
    bool fits = trim_copy(value, text, sizeof text);
    if (fits && (strcasecmp(text, "true") == 0 || strcasecmp(text, "on") == 0)) {
        *field = true;
        return CONFIG_OK;
    }
    if (fits && (strcasecmp(text, "false") == 0 || strcasecmp(text, "off") == 0)) {
        *field = false;
        return CONFIG_OK;
    }
    return switch_error(err,
                        "Invalid value %s for configuration kraftsim.switch.%s: Expected value "
                        "to be either true or false",
                        value, name);
}

/* An enum switch: `value` must be one of `names` (Kafka's ConfigDef.ValidString wording). */
static int set_enum(int *index, const char *const *names, int count, const char *name,
                    const char *value, struct config_error *err)
{
    char text[32];
    if (trim_copy(value, text, sizeof text)) {
        for (int i = 0; i < count; i++) {
            if (strcmp(text, names[i]) == 0) {
                *index = i;
                return CONFIG_OK;
            }
        }
    }
    char list[128];
    struct text t = text_init(list, sizeof list);
    for (int i = 0; i < count; i++) {
        text_printf(&t, "%s%s", i > 0 ? ", " : "", names[i]);
    }
    KS_ASSERT(text_fits(&t));
    return switch_error(err,
                        "Invalid value %s for configuration kraftsim.switch.%s: String must be "
                        "one of: %s",
                        value, name, list);
}

/* The bool this switch used to be: raft.begin.quorum.lagging.only=true|false still works and
 * means lagging|all (the two behaviours it could name, 4.2+ and 3.9-4.1). */
static int set_lagging_only(struct kafka_switches *s, const char *value,
                            struct config_error *err)
{
    bool lagging = false;
    int rc = set_bool(&lagging, "raft.begin.quorum.lagging.only", value, err);
    if (rc == CONFIG_OK) {
        s->raft_begin_quorum_resend = lagging ? BEGIN_QUORUM_RESEND_LAGGING
                                              : BEGIN_QUORUM_RESEND_ALL;
        s->overridden |= UINT32_C(1) << SWITCH_RAFT_BEGIN_QUORUM_RESEND;
        err->message[0] = '\0';
    }
    return rc;
}

static int set_version(int16_t *field, int16_t max, const char *name, const char *value,
                       struct config_error *err)
{
    char text[16];
    char *end = NULL;
    long parsed = 0;
    bool ok = trim_copy(value, text, sizeof text) && text[0] != '\0';
    if (ok) {
        errno = 0;
        parsed = strtol(text, &end, 10);
        ok = errno == 0 && *end == '\0' && parsed >= INT16_MIN && parsed <= INT16_MAX;
    }
    if (!ok) {
        return switch_error(err,
                            "Invalid value %s for configuration kraftsim.switch.%s: Not a "
                            "number of type SHORT",
                            value, name);
    }
    if (parsed < 0) {
        return switch_error(err,
                            "Invalid value %ld for configuration kraftsim.switch.%s: Value must "
                            "be at least 0",
                            parsed, name);
    }
    if (parsed > max) {
        return switch_error(err,
                            "Invalid value %ld for configuration kraftsim.switch.%s: Value must "
                            "be no more than %d",
                            parsed, name, max);
    }
    *field = (int16_t)parsed;
    return CONFIG_OK;
}

int switch_set(struct kafka_switches *s, const char *name, const char *value,
               struct config_error *err)
{
    KS_ASSERT(s != NULL);
    KS_ASSERT(s->release != NULL);
    KS_ASSERT(name != NULL && value != NULL);
    if (strcmp(name, "raft.begin.quorum.lagging.only") == 0) {
        return set_lagging_only(s, value, err);
    }
    size_t i = 0;
    while (i < SWITCH_COUNT && strcmp(switch_infos[i].name, name) != 0) {
        i++;
    }
    if (i == SWITCH_COUNT) {
        return switch_error(err, "unknown switch 'kraftsim.switch.%s'", name);
    }
    if (!switch_modelled(i)) {
        return switch_error(err,
                            "kraftsim.switch.%s is not modelled yet: it waits for %s, and "
                            "setting it would change nothing",
                            name, switch_unmodelled[i]);
    }
    const struct switch_field *f = &switch_fields[i];
    char *base = (char *)s;
    int rc = CONFIG_OK;
    int index = 0;
    switch (f->kind) {
    case SWITCH_BOOL:
        rc = set_bool((bool *)(base + f->offset), name, value, err);
        break;
    case SWITCH_BACKOFF:
        rc = set_enum(&index, backoff_names, LOST_ELECTION_BACKOFF_COUNT, name, value, err);
        if (rc == CONFIG_OK) {
            *(enum lost_election_backoff *)(base + f->offset) = (enum lost_election_backoff)index;
        }
        break;
    case SWITCH_VERSION:
        rc = set_version((int16_t *)(base + f->offset), f->version_max, name, value, err);
        break;
    case SWITCH_RESEND:
        rc = set_enum(&index, resend_names, BEGIN_QUORUM_RESEND_COUNT, name, value, err);
        if (rc == CONFIG_OK) {
            *(enum begin_quorum_resend *)(base + f->offset) = (enum begin_quorum_resend)index;
        }
        break;
    }
    if (rc == CONFIG_OK) {
        s->overridden |= UINT32_C(1) << i;
        err->message[0] = '\0';
    }
    return rc;
}

int switches_check(const struct kafka_switches *s, struct config_error *err)
{
    KS_ASSERT(s != NULL);
    KS_ASSERT(err != NULL);
    err->message[0] = '\0';
    if (s->raft_pre_vote && s->raft_rpc.vote_version_max < 2) {
        return switch_error(err,
                            "kraftsim.switch.raft.pre.vote=true needs Vote v2 (KIP-996), but "
                            "kraftsim.switch.raft.rpc.vote.max=%d",
                            s->raft_rpc.vote_version_max);
    }
    if (s->raft_fetch_high_watermark && s->raft_rpc.fetch_version_max < 18) {
        return switch_error(err,
                            "kraftsim.switch.raft.fetch.high.watermark=true needs Fetch v18 "
                            "(KIP-1166), but kraftsim.switch.raft.rpc.fetch.max=%d",
                            s->raft_rpc.fetch_version_max);
    }
    if (s->raft_lost_election_backoff != LOST_ELECTION_BACKOFF_EXPONENTIAL && !s->raft_pre_vote) {
        return switch_error(err,
                            "kraftsim.switch.raft.lost.election.backoff=%s ends in the "
                            "Prospective state, which needs kraftsim.switch.raft.pre.vote=true",
                            backoff_names[s->raft_lost_election_backoff]);
    }
    return CONFIG_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Describing                                                                               */

struct line {
    char *buf;
    size_t cap;
    size_t len; /* may exceed cap: the length the whole line needs */
};

static void line_printf(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void line_printf(struct line *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = l->len < l->cap ? l->cap - l->len : 0;
    int n = vsnprintf(room > 0 ? l->buf + l->len : NULL, room, fmt, ap);
    va_end(ap);
    KS_ASSERT(n >= 0);
    l->len += (size_t)n;
}

static void describe_one(const struct kafka_switches *s, size_t i, struct line *l)
{
    const struct switch_field *f = &switch_fields[i];
    const char *base = (const char *)s;
    const char *mark = (s->overridden >> i) & 1u ? "*" : "";
    switch (f->kind) {
    case SWITCH_BOOL:
        line_printf(l, " %s=%s%s", switch_infos[i].short_name,
                    *(const bool *)(base + f->offset) ? "on" : "off", mark);
        break;
    case SWITCH_BACKOFF:
        line_printf(l, " %s=%s%s", switch_infos[i].short_name,
                    backoff_names[*(const enum lost_election_backoff *)(base + f->offset)], mark);
        break;
    case SWITCH_RESEND:
        line_printf(l, " %s=%s%s", switch_infos[i].short_name,
                    resend_names[*(const enum begin_quorum_resend *)(base + f->offset)], mark);
        break;
    case SWITCH_VERSION: {
        int16_t version = *(const int16_t *)(base + f->offset);
        bool first = i == 0 || switch_fields[i - 1].kind != SWITCH_VERSION;
        line_printf(l, "%s%s:", first ? " rpc=" : ",", switch_infos[i].short_name);
        if (version < 0) {
            line_printf(l, "none%s", mark);
        } else {
            line_printf(l, "%d%s", version, mark);
        }
        break;
    }
    }
}

size_t switches_describe(const struct kafka_switches *s, char *buf, size_t cap)
{
    KS_ASSERT(s != NULL);
    KS_ASSERT(s->release != NULL);
    KS_ASSERT(buf != NULL || cap == 0);
    struct line l = {buf, cap, 0};
    if (cap > 0) {
        buf[0] = '\0';
    }
    line_printf(&l, "kafka.version=%s", s->release->name);
    for (size_t i = 0; i < SWITCH_COUNT; i++) {
        if (switch_modelled(i)) {
            describe_one(s, i, &l);
        }
    }
    return l.len;
}

bool switch_value(const struct kafka_switches *s, size_t index, char *buf, size_t cap)
{
    KS_ASSERT(s != NULL);
    KS_ASSERT(index < SWITCH_COUNT);
    KS_ASSERT(buf != NULL && cap > 0);
    const struct switch_field *f = &switch_fields[index];
    const char *field = (const char *)s + f->offset;
    buf[0] = '\0';
    if (!switch_modelled(index)) {
        return false; /* switch_set would refuse it back */
    }
    switch (f->kind) {
    case SWITCH_BOOL:
        snprintf(buf, cap, "%s", *(const bool *)field ? "true" : "false");
        return true;
    case SWITCH_BACKOFF:
        snprintf(buf, cap, "%s", backoff_names[*(const enum lost_election_backoff *)field]);
        return true;
    case SWITCH_RESEND:
        snprintf(buf, cap, "%s", resend_names[*(const enum begin_quorum_resend *)field]);
        return true;
    case SWITCH_VERSION:
        if (*(const int16_t *)field < 0) {
            return false;
        }
        snprintf(buf, cap, "%d", *(const int16_t *)field);
        return true;
    }
    return false;
}

bool switch_overridden(const struct kafka_switches *s, size_t index)
{
    KS_ASSERT(s != NULL);
    KS_ASSERT(index < SWITCH_COUNT);
    return ((s->overridden >> index) & 1u) != 0;
}
