/* release.h — the Kafka releases kraftsim models and the switches that tell them apart. */
#ifndef KRAFTSIM_RELEASE_H
#define KRAFTSIM_RELEASE_H

/*
 * A release is a name (what `kafka.version` says), the source tag its facts were read from, the
 * metadata modes it can run in, the trunk defaults it changes, and a set of behaviour switches.
 * The switches are the only place broker/ asks "which Kafka am I?": code reads
 * `cfg->switches.raft_pre_vote`, never the release name. Each switch can be set on its own with
 * `kraftsim.switch.<name>=<value>`, overriding the release, so an experiment can ask "3.9 with
 * pre-vote" without inventing a release that never shipped.
 *
 *   release    mode(s)          source of the facts
 *   2.4        zookeeper        tag 2.4.1 (seed zk-baremetal)
 *   3.1        kraft, zookeeper tag 3.1.0 (seed kraft-properties)
 *   3.4        kraft, zookeeper tag 3.4.0 (seed kraft-compose)
 *   3.5        kraft, zookeeper tag 3.5.0 (seed zk-kubernetes runs 3.5.2 with ZooKeeper)
 *   3.7        kraft, zookeeper tag 3.7.0
 *   3.9        kraft, zookeeper tag 3.9.0-rc3
 *   4.0        kraft            branch 4.0 (4.0.0: lost elections back off, then Prospective)
 *   4.1        kraft            branch 4.1
 *   trunk      kraft            trunk d79bd502ec, 4.5.0-SNAPSHOT (the default; alias "latest")
 *
 * Rules: the release table is sorted by `number`; exactly one release is the default (trunk);
 * every switch of every release satisfies switches_check().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config_error; /* config.h: one line of text; release.c fills it */

/* What a candidate that lost an election does next (KafkaRaftClient.java, KRAFT.md 3.3). */
#define LOST_ELECTION_BACKOFFS(X)                                                              \
    /* 3.x (to 3.9.0): min(100*rand[0, 2<<min(20,r-1)), backoff.max) ms (RETRY_BACKOFF_BASE_MS \
     * = 100), then Candidate (epoch+1) */                                                     \
    X(LOST_ELECTION_BACKOFF_EXPONENTIAL, "exponential")                                        \
    /* 4.0.0: the same wait, then Prospective (pre-vote) */                                    \
    X(LOST_ELECTION_BACKOFF_EXPONENTIAL_PROSPECTIVE, "exponential-prospective")                \
    /* 4.0.1+ (KAFKA-18345, which also set RETRY_BACKOFF_BASE_MS = 50):                        \
     * min(50*rand[1, 2<<min(10,r-1)), backoff.max + rand[0,50)) ms, then Prospective */       \
    X(LOST_ELECTION_BACKOFF_EXPONENTIAL_4_0_1, "exponential-4.0.1")                            \
    /* 4.1+: no backoff; wait out the election timeout, then Prospective */                    \
    X(LOST_ELECTION_BACKOFF_NONE, "none")

enum lost_election_backoff {
#define LOST_ELECTION_BACKOFF_ENUM(name, text) name,
    LOST_ELECTION_BACKOFFS(LOST_ELECTION_BACKOFF_ENUM)
#undef LOST_ELECTION_BACKOFF_ENUM
        LOST_ELECTION_BACKOFF_COUNT
};

const char *lost_election_backoff_name(enum lost_election_backoff backoff);

/* To whom a leader resends BeginQuorumEpoch (KafkaRaftClient.pollLeader /
 * maybeSendBeginQuorumEpochRequests, LeaderState). */
#define BEGIN_QUORUM_RESENDS(X)                                                                \
    /* <=3.8: every poll, to the voters that have not acknowledged this epoch (answered a     \
     * BeginQuorumEpoch or sent a valid Fetch): LeaderState.nonAcknowledgingVoters */          \
    X(BEGIN_QUORUM_RESEND_UNACKNOWLEDGED, "unacknowledged")                                    \
    /* 3.9-4.1 (KAFKA-16536): every fetch.timeout/2, to every other voter */                   \
    X(BEGIN_QUORUM_RESEND_ALL, "all")                                                          \
    /* 4.2+: every fetch.timeout/2, to the voters whose last fetch is at least that old       \
     * (LeaderState.needToSendBeginQuorumRequests) */                                          \
    X(BEGIN_QUORUM_RESEND_LAGGING, "lagging")

enum begin_quorum_resend {
#define BEGIN_QUORUM_RESEND_ENUM(name, text) name,
    BEGIN_QUORUM_RESENDS(BEGIN_QUORUM_RESEND_ENUM)
#undef BEGIN_QUORUM_RESEND_ENUM
        BEGIN_QUORUM_RESEND_COUNT
};

const char *begin_quorum_resend_name(enum begin_quorum_resend resend);

/*
 * The highest version of each KRaft RPC a release speaks, from
 * clients/src/main/resources/common/message/<Api>Request.json at the release's tag.
 * -1 means the release does not have the RPC at all (2.4 has no KRaft).
 */
struct raft_rpc_versions {
    int16_t vote_version_max;
    int16_t begin_quorum_epoch_version_max;
    int16_t end_quorum_epoch_version_max;
    int16_t describe_quorum_version_max;
    int16_t fetch_snapshot_version_max;
    int16_t fetch_version_max;
};

/*
 * The highest version of each non-KRaft request a release's own processes send: the broker's
 * BrokerLifecycleManager (BrokerRegistration, BrokerHeartbeat), AlterPartitionManager
 * (AlterPartition; AlterIsr, the same key 56, in 3.1), ForwardingManager (Envelope),
 * AutoTopicCreationManager and the release's AdminClient (CreateTopics, DeleteTopics,
 * Metadata) and NetworkClient (ApiVersions). From <Api>Request.json's validVersions at the
 * release's tag. A client uses the highest version both sides list in ApiVersions
 * (NetworkClient, NodeApiVersions.latestUsableVersion); in a cluster of one release that is
 * exactly this maximum. -1: the release lacks the API.
 * These change bytes, not behaviour, so they are not switches: not printed, not settable.
 */
struct release_api_versions {
    int16_t broker_registration_version_max;
    int16_t broker_heartbeat_version_max;
    int16_t alter_partition_version_max;
    int16_t envelope_version_max;
    int16_t create_topics_version_max;
    int16_t delete_topics_version_max;
    int16_t metadata_version_max;
    int16_t api_versions_version_max;
};

/*
 * A feature a release's broker supports (BrokerFeatures.defaultSupportedFeatures, production
 * levels only): what its BrokerRegistration's Features lists and RegisterBrokerRecord keeps.
 */
struct release_feature {
    const char *name;
    int16_t min_version;
    int16_t max_version;
};

#define RELEASE_FEATURE_MAX 8

/*
 * The behaviour switches. Field names are the switch names with dots turned into underscores
 * (`kraftsim.switch.raft.pre.vote` -> raft_pre_vote). See switches_list() for the docs.
 * Rule: a switch's bit in `overridden` is set iff `kraftsim.switch.<name>` set it explicitly.
 */
struct kafka_switches {
    const struct kafka_release *release; /* the release the values started from; never NULL */
    bool raft_pre_vote;
    bool raft_check_quorum;
    enum lost_election_backoff raft_lost_election_backoff;
    bool raft_voted_state;
    bool raft_voter_set_check;
    enum begin_quorum_resend raft_begin_quorum_resend;
    bool raft_fetch_high_watermark;
    struct raft_rpc_versions raft_rpc;
    bool replication_hw_frozen_below_min_isr;
    bool replication_leader_epoch_truncation;
    bool replication_last_fetched_epoch;
    bool replication_elr;
    bool replication_isr_shrink_bumps_leader_epoch;
    bool raft_offset_zero_snapshot;
    bool replication_unclean_election_config;
    bool controller_registration_amend;
    bool raft_follower_best_node;
    bool raft_observer_fetch_timeout;
    uint32_t overridden; /* bit i: switch i of switches_list() was set explicitly */
};

/* The metadata modes a release can run in. */
enum release_mode { RELEASE_MODE_ZOOKEEPER = 1u << 0, RELEASE_MODE_KRAFT = 1u << 1 };

/* A trunk default that a release changes, as Kafka's own key and value text. */
struct release_default {
    const char *key;
    const char *value;
};

struct kafka_release {
    const char *name;    /* what kafka.version names: "3.4", "trunk" */
    const char *version; /* the exact version the facts come from: "3.4.0", "4.5.0-SNAPSHOT" */
    int number;          /* major * 100 + minor (trunk: 405); orders releases */
    unsigned modes;      /* RELEASE_MODE_* bits */
    const struct release_default *defaults; /* ends with {NULL, NULL} */
    struct kafka_switches switches;         /* `release` and `overridden` are filled by
                                               switches_from_release */
    /* Facts, not switches (nothing sets or prints them; release_api_versions says why):
     * code reaches them through kafka_switches.release. */
    struct release_api_versions api;
    const struct release_feature *broker_features; /* ends with {NULL, 0, 0} */
    const char *notes;
};

/* The release named `name` ("3.4", "trunk", or "latest" for trunk), or NULL. */
const struct kafka_release *release_find(const char *name);
/* trunk: what a config without kafka.version runs as. */
const struct kafka_release *release_default(void);
size_t release_count(void);
const struct kafka_release *release_at(size_t index);
bool release_supports(const struct kafka_release *release, enum release_mode mode);
/* "2.4, 3.1, 3.4, 3.5, 3.7, 3.9, 4.0, 4.1, trunk (alias latest)", for messages and help. */
const char *release_names(void);

/* The features `release`'s broker registers with; *count of them (<= RELEASE_FEATURE_MAX). */
const struct release_feature *release_broker_features(const struct kafka_release *release,
                                                      int *count);

/* The switches of `release`, none overridden. */
struct kafka_switches switches_from_release(const struct kafka_release *release);

/*
 * Sets switch `name` (without the "kraftsim.switch." prefix) from `value` and marks it
 * overridden. Booleans take true|false (also on|off, as switches_describe prints them), enums
 * one of their names, versions a number in range. Returns CONFIG_OK or CONFIG_ESWITCH with a
 * message naming the key; `s` is unchanged on error.
 */
int switch_set(struct kafka_switches *s, const char *name, const char *value,
               struct config_error *err);

/* Cross-switch rules (pre-vote needs Vote v2, ...). CONFIG_OK or CONFIG_ESWITCH. */
int switches_check(const struct kafka_switches *s, struct config_error *err);

/*
 * One line for the trace, in switches_list() order, overridden switches marked with '*',
 * unmodelled ones (switch_modelled) left out:
 * "kafka.version=3.4 pre.vote=off check.quorum=off lost.election.backoff=exponential ...".
 * Returns the length the full line needs (like snprintf); writes at most cap - 1 bytes + NUL.
 */
size_t switches_describe(const struct kafka_switches *s, char *buf, size_t cap);

/* One switch, for `kraftsim help switches`. */
struct switch_info {
    const char *name;       /* "raft.pre.vote": the key is kraftsim.switch.<name> */
    const char *short_name; /* "pre.vote": as switches_describe prints it */
    const char *values;     /* "true|false", "exponential|...", "0..2" */
    const char *releases;   /* which modelled releases have it on / which value */
    const char *doc;        /* what it changes, with the KIP or ticket */
};

const struct switch_info *switches_list(size_t *count);

/*
 * Whether some code reads switch `index`. An unmodelled switch keeps its release values, but
 * is not printed by switches_describe or switch_value, and switch_set refuses it with
 * CONFIG_ESWITCH ("... is not modelled yet: it waits for ...").
 */
bool switch_modelled(size_t index);

/*
 * The value of switch `index` (of switches_list) as switch_set accepts it: "true", "false",
 * an enum name or a version. False (and "") for a version the release does not speak (-1)
 * and for a switch that is not modelled.
 */
bool switch_value(const struct kafka_switches *s, size_t index, char *buf, size_t cap);
/* Whether switch `index` was set explicitly. */
bool switch_overridden(const struct kafka_switches *s, size_t index);

#endif
