/* node.c — a Kafka controller process: transport, quorum-state persistence and timers. */
#include "node.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "controller.h"
#include "lifecycle.h"
#include "protocol/admin_rpc.h"
#include "protocol/controller_rpc.h"
#include "protocol/fetch.h"
#include "protocol/group_rpc.h"
#include "protocol/header.h"
#include "raft/listener.h"
#include "raft/log.h"
#include "release.h"
#include "replica/replica_manager.h"
#include "storage.h"
#include "text.h"

enum { TOKEN_QUORUM_TIMER = 1 };
/* How long the raft client's graceful shutdown may take: KafkaRaftClientDriver.initiateShutdown
 * (RaftManager's raft IO thread before 3.7) calls client.shutdown(5000). */
#define RAFT_SHUTDOWN_TIMEOUT (5000 * NS_PER_MS)
/* NetworkClient after a refused connection: reconnect.backoff.ms (50) doubling up to
 * reconnect.backoff.max.ms (1000); meanwhile a request to that node fails at once
 * (InterBrokerSendThread: connectionFailed -> a disconnected response). No jitter here. */
#define RECONNECT_BACKOFF (50 * NS_PER_MS)
#define RECONNECT_BACKOFF_MAX (1000 * NS_PER_MS)
#define TOKEN_STATE_FLAG (UINT64_C(1) << 37) /* quorum-state fsyncs; the log owns bit 38 */

struct held_frame {
    int to_host;
    int channel;
    uint64_t barrier; /* released once this many quorum-state writes are durable */
    size_t len;
    uint8_t *bytes;
};

struct outstanding {
    int32_t correlation_id; /* of the newest request to this peer; 0 = none */
    int16_t api_key;
    int16_t api_version;
};

/* A client's request a broker forwards to the controller (ForwardingManager). */
struct forward {
    int32_t correlation_id; /* of the Envelope in flight; 0 = waiting to be sent */
    int to_host;
    int client_host; /* -1: the broker's own auto-creation; nobody waits for the answer */
    time_ns give_up;
    time_ns send_at;
    uint8_t *request; /* the client's request header and body */
    size_t len;
    char topic[256]; /* an auto-created topic, to create each only once at a time */
};

struct node {
    const struct env *env;
    struct node_config cfg;
    struct raft_log log;
    struct raft_listener listener;
    struct quorum quorum;
    bool is_controller;
    bool is_broker;
    struct controller controller;
    struct lifecycle lifecycle;
    struct outstanding lifecycle_request; /* the broker's request to the controller */
    int lifecycle_host;
    struct quorum_out out;
    int voter_hosts[QUORUM_VOTER_MAX];
    struct outstanding outstanding[QUORUM_VOTER_MAX];
    time_ns refused_until[QUORUM_VOTER_MAX]; /* the voter's connection was refused (RST) */
    time_ns refused_backoff[QUORUM_VOTER_MAX];
    uint32_t refused_requests; /* bit i: a raft request to voter i failed without a send */
    int32_t correlation_next;
    char client_id[32];
    char state_file[320];
    char state_tmp[328];
    uint64_t state_writes_issued;
    uint64_t state_writes_done;
    struct held_frame *held;
    uint32_t held_count;
    uint32_t held_capacity;
    uint64_t timer_id;
    time_ns timer_due;
    struct forward *forwards;
    uint32_t forward_count;
    uint32_t forward_capacity;
    char clean_shutdown_file[280];
    bool clean_shutdown_written;
    bool raft_shutdown_begun; /* quorum_shutdown called: the last step of a clean stop */
    /* The data path (a broker with cfg.data_path): partition replicas and their log dir. */
    bool data_path;
    struct replica_manager rm;
    struct rm_out rm_out;
    uint64_t rm_image_records; /* the image's records_applied rm last saw */
    /* The controller said this incarnation caught up with the metadata log (its first
     * heartbeat answer with isCaughtUp): from then on the image reaches rm and the groups. */
    bool metadata_published;
    int64_t rm_broker_epoch;
    struct group_coordinator gc; /* its groups: the __consumer_offsets partitions rm leads */
};

void node_config_default(struct node_config *c, int32_t node_id)
{
    memset(c, 0, sizeof *c);
    c->node_id = node_id;
    snprintf(c->roles, sizeof c->roles, "%s", "controller");
    snprintf(c->cluster_id, sizeof c->cluster_id, "%s", "MkU3OEVBNTcwNTJENDM2Qk");
    snprintf(c->metadata_log_dir, sizeof c->metadata_log_dir, "%s", "kraft-combined-logs");
    c->log_dir_count = 1;
    snprintf(c->log_dirs[0], sizeof c->log_dirs[0], "%s", c->metadata_log_dir);
    c->metadata_log_segment_bytes = UINT64_C(1073741824);
    c->metadata_log_segment_ms = INT64_C(604800000);
    c->metadata_snapshots = (struct raft_listener_config){.snapshot_bytes = 20971520,
                                                          .snapshot_interval_ms = 3600000,
                                                          .retention_bytes = 104857600,
                                                          .retention_ms = 604800000};
    c->data = rm_config_default(node_id, NULL);
    c->group = gc_config_default(node_id);
    c->offsets_topic_replication_factor = 3;
    c->broker_heartbeat_interval = 2000 * NS_PER_MS;
    c->broker_session_timeout = 9000 * NS_PER_MS;
    c->listener_port = 9092;
    c->quorum_state_version = 1;
    c->replication = (struct replication_config){
        .num_partitions = 1, .default_replication_factor = 1, .min_insync_replicas = 1,
        .unclean_leader_election_enable = false, .delete_topic_enable = true, .elr = true,
        .isr_shrink_bumps_leader_epoch = false, .unclean_election_config = true,
        .registration_amend = true, .mv_level = METADATA_MV_LATEST};
    c->auto_create_topics_enable = true;
    c->data_path = true;
    c->bootstrap_metadata = true;
    c->metadata_max_idle_interval = 500 * NS_PER_MS;
    c->forward_timeout = 30000 * NS_PER_MS;
    c->forward_retry_backoff = 100 * NS_PER_MS;
    struct quorum_config *q = &c->quorum;
    q->node_id = node_id;
    q->election_timeout = 1000 * NS_PER_MS;
    q->fetch_timeout = 2000 * NS_PER_MS;
    q->election_backoff_max = 1000 * NS_PER_MS;
    q->request_timeout = 2000 * NS_PER_MS;
    q->retry_backoff = 20 * NS_PER_MS;
    q->append_linger = 25 * NS_PER_MS;
    q->fetch_snapshot_max_bytes = 1048576;
    q->pre_vote = true;
    q->check_quorum = true;
    q->lost_election_backoff = QUORUM_BACKOFF_NONE;
    q->begin_quorum_resend = QUORUM_BEGIN_LAGGING;
    q->fetch_high_watermark = true;
    q->offset_zero_snapshot = true;
    q->follower_best_node = true;
    q->observer_fetch_timeout = false;
    q->vote_version = 2;
    q->begin_quorum_epoch_version = 1;
    q->end_quorum_epoch_version = 1;
    q->fetch_version = 17;
    q->fetch_snapshot_version = 1;
    c->api = release_default()->api;
    c->broker_features = release_broker_features(release_default(), &c->broker_feature_count);
}

static enum quorum_backoff backoff_of(enum lost_election_backoff b)
{
    switch (b) {
    case LOST_ELECTION_BACKOFF_EXPONENTIAL:
        return QUORUM_BACKOFF_EXPONENTIAL;
    case LOST_ELECTION_BACKOFF_EXPONENTIAL_PROSPECTIVE:
        return QUORUM_BACKOFF_EXPONENTIAL_PROSPECTIVE;
    case LOST_ELECTION_BACKOFF_EXPONENTIAL_4_0_1:
        return QUORUM_BACKOFF_EXPONENTIAL_4_0_1;
    default:
        return QUORUM_BACKOFF_NONE;
    }
}

static enum quorum_begin_resend resend_of(enum begin_quorum_resend r)
{
    switch (r) {
    case BEGIN_QUORUM_RESEND_UNACKNOWLEDGED:
        return QUORUM_BEGIN_UNACKNOWLEDGED;
    case BEGIN_QUORUM_RESEND_ALL:
        return QUORUM_BEGIN_ALL;
    default:
        return QUORUM_BEGIN_LAGGING;
    }
}

/* Whom BeginQuorumEpoch goes to, what releases a parked Fetch, what a Fetch at 0 gets, and
 * how much a FetchSnapshot asks for. */
static void quorum_fetch_from_kafka(struct quorum_config *q, const struct kafka_config *k)
{
    q->begin_quorum_resend = resend_of(k->switches.raft_begin_quorum_resend);
    q->fetch_high_watermark = k->switches.raft_fetch_high_watermark;
    q->offset_zero_snapshot = k->switches.raft_offset_zero_snapshot;
    /* The release defaults give 8 MiB before 4.3 (MAX_FETCH_SIZE_BYTES) and 1 MiB from it. */
    q->fetch_snapshot_max_bytes = k->controller_quorum_fetch_snapshot_max_bytes;
}

/* The listener the broker registers, as clients will be told to reach it: the first of its
 * advertised broker listeners. A deployment's "PLAINTEXT://:9092" listens everywhere and
 * advertises PLAINTEXT://10.1.11.53:9092. */
static void listener_from_kafka(struct node_config *c, const struct kafka_config *k)
{
    const struct config_listener *l[CONFIG_ENDPOINTS_MAX];
    if (config_advertised_broker_listeners(k, l) > 0) {
        snprintf(c->listener_name, sizeof c->listener_name, "%.63s", l[0]->name);
        snprintf(c->listener_host, sizeof c->listener_host, "%s", l[0]->host);
        c->listener_port = l[0]->port;
    }
}

/* server.properties' log.* and replica.* keys: the defaults of every partition log (topic
 * configs override them, ReplicaManager's LogConfig) and the replica manager's own settings. */
static void data_from_kafka(struct node_config *c, const struct kafka_config *k)
{
    c->group.offsets_partitions = k->offsets_topic_num_partitions;
    c->group.initial_rebalance_delay_ms = k->group_initial_rebalance_delay_ms;
    c->offsets_topic_replication_factor = k->offsets_topic_replication_factor;
    struct rm_config *d = &c->data;
    struct log_config *l = &d->logs.defaults;
    l->segment_bytes = k->log_segment_bytes;
    l->segment_ms = config_log_roll_ms(k);
    l->retention_bytes = k->log_retention_bytes;
    l->retention_ms = config_log_retention_ms(k);
    l->flush_messages = k->log_flush_interval_messages;
    /* log.flush.interval.ms null: LogConfig falls back to log.flush.scheduler.interval.ms */
    l->flush_ms = k->log_flush_interval_ms >= 0 ? k->log_flush_interval_ms
                                                : k->log_flush_scheduler_interval_ms;
    l->index_interval_bytes = k->log_index_interval_bytes;
    l->segment_index_bytes = k->log_index_size_max_bytes;
    l->max_message_bytes = k->message_max_bytes;
    d->logs.retention_check_ms = k->log_retention_check_interval_ms;
    d->logs.flush_check_ms = k->log_flush_scheduler_interval_ms;
    d->logs.recovery_checkpoint_ms = k->log_flush_offset_checkpoint_interval_ms;
    d->logs.hw_checkpoint_ms = k->replica_high_watermark_checkpoint_interval_ms;
    d->replica.min_insync_replicas = k->min_insync_replicas;
    d->replica.replica_lag_time_max = (time_ns)k->replica_lag_time_max_ms * NS_PER_MS;
    d->replica.replica_fetch_backoff = (time_ns)k->replica_fetch_backoff_ms * NS_PER_MS;
    d->replica.replica_fetch_max_bytes = k->replica_fetch_max_bytes;
    d->replica.leader_epoch_truncation = k->switches.replication_leader_epoch_truncation;
    d->replica.last_fetched_epoch = k->switches.replication_last_fetched_epoch;
    d->replica.hw_frozen_below_min_isr = k->switches.replication_hw_frozen_below_min_isr;
    d->fetch_wait_max_ms = k->replica_fetch_wait_max_ms;
    d->fetch_min_bytes = k->replica_fetch_min_bytes;
    d->fetch_response_max_bytes = k->replica_fetch_response_max_bytes;
    d->socket_timeout = (time_ns)k->replica_socket_timeout_ms * NS_PER_MS;
}

/* __cluster_metadata-0's segments, snapshots and retention. */
static void metadata_log_from_kafka(struct node_config *c, const struct kafka_config *k)
{
    c->metadata_log_segment_bytes = (uint64_t)k->metadata_log_segment_bytes;
    c->metadata_log_segment_ms = k->metadata_log_segment_ms;
    c->metadata_snapshots = (struct raft_listener_config){
        .snapshot_bytes = k->metadata_log_max_record_bytes_between_snapshots,
        /* KIP-876 (3.4): SnapshotGenerator's time trigger; before it, bytes alone */
        .snapshot_interval_ms = k->switches.release->number >= 304
                                    ? k->metadata_log_max_snapshot_interval_ms
                                    : 0,
        .retention_bytes = k->metadata_max_retention_bytes,
        .retention_ms = k->metadata_max_retention_ms};
}

static void replication_from_kafka(struct node_config *c, const struct kafka_config *k)
{
    c->metadata_max_idle_interval = (time_ns)k->metadata_max_idle_interval_ms * NS_PER_MS;
    c->auto_create_topics_enable = k->auto_create_topics_enable;
    c->replication = (struct replication_config){
        .num_partitions = k->num_partitions,
        .default_replication_factor = (int16_t)k->default_replication_factor,
        .min_insync_replicas = k->min_insync_replicas,
        .unclean_leader_election_enable = k->unclean_leader_election_enable,
        .delete_topic_enable = k->delete_topic_enable,
        .elr = k->switches.replication_elr,
        .isr_shrink_bumps_leader_epoch = k->switches.replication_isr_shrink_bumps_leader_epoch,
        .unclean_election_config = k->switches.replication_unclean_election_config,
        .registration_amend = k->switches.controller_registration_amend,
        .mv_level = replication_mv_for_release(k->switches.release->number)};
}

/* The request versions the release sends, and the features its broker registers. */
static void versions_from_kafka(struct node_config *c, const struct kafka_switches *sw)
{
    struct quorum_config *q = &c->quorum;
    q->vote_version = sw->raft_rpc.vote_version_max;
    q->begin_quorum_epoch_version = sw->raft_rpc.begin_quorum_epoch_version_max;
    q->end_quorum_epoch_version = sw->raft_rpc.end_quorum_epoch_version_max;
    /* KRaft fetches at the newest Fetch version the release speaks, but not below 12, the
     * first with LastFetchedEpoch (our codec starts there too). */
    q->fetch_version = sw->raft_rpc.fetch_version_max < 12 ? 12 : sw->raft_rpc.fetch_version_max;
    /* KIP-1166 is Fetch v18's HighWatermark and what the leader does with it: without the
     * switch the node fetches as 4.0 does, at v17 (switches_check: the switch needs v18). */
    if (!sw->raft_fetch_high_watermark && q->fetch_version > 17) {
        q->fetch_version = 17;
    }
    q->fetch_snapshot_version = sw->raft_rpc.fetch_snapshot_version_max;
    c->api = sw->release->api;
    c->broker_features = release_broker_features(sw->release, &c->broker_feature_count);
}

int node_config_from_kafka(struct node_config *c, const struct kafka_config *k,
                           const char *cluster_id, char *err, size_t err_cap)
{
    if (k->process_roles == 0) {
        snprintf(err, err_cap, "process.roles: ZooKeeper mode is not modelled yet");
        return -1;
    }
    if (k->controller_quorum_voters_count == 0 ||
        k->controller_quorum_voters_count > QUORUM_VOTER_MAX) {
        snprintf(err, err_cap, "controller.quorum.voters: kraftsim needs 1 to %d static voters",
                 QUORUM_VOTER_MAX);
        return -1;
    }
    const char *dir = config_metadata_log_dir(k);
    if (strlen(dir) >= RAFT_LOG_DIR_MAX - 24) {
        snprintf(err, err_cap, "metadata.log.dir: '%.40s...' is longer than kraftsim's %d "
                 "bytes", dir, RAFT_LOG_DIR_MAX - 25);
        return -1;
    }
    node_config_default(c, k->node_id);
    snprintf(c->roles, sizeof c->roles, "%s",
             k->process_roles == (CONFIG_ROLE_BROKER | CONFIG_ROLE_CONTROLLER)
                 ? "broker,controller"
                 : k->process_roles == CONFIG_ROLE_BROKER ? "broker" : "controller");
    snprintf(c->cluster_id, sizeof c->cluster_id, "%s", cluster_id);
    snprintf(c->metadata_log_dir, sizeof c->metadata_log_dir, "%s", dir);
    c->log_dir_count = 0;
    for (size_t i = 0; i < k->log_dirs_count && c->log_dir_count < 8; i++) {
        snprintf(c->log_dirs[c->log_dir_count++], sizeof c->log_dirs[0], "%s", k->log_dirs[i]);
    }
    metadata_log_from_kafka(c, k);
    c->broker_heartbeat_interval = k->broker_heartbeat_interval_ms * NS_PER_MS;
    c->broker_session_timeout = k->broker_session_timeout_ms * NS_PER_MS;
    listener_from_kafka(c, k);
    replication_from_kafka(c, k);
    data_from_kafka(c, k);
    c->voter_count = (int)k->controller_quorum_voters_count;
    for (int i = 0; i < c->voter_count; i++) {
        const struct config_voter *v = &k->controller_quorum_voters[i];
        c->voters[i].id = v->id;
        snprintf(c->voters[i].host, sizeof c->voters[i].host, "%s", v->host);
        c->voters[i].port = v->port;
    }
    const struct kafka_switches *sw = &k->switches;
    struct quorum_config *q = &c->quorum;
    q->election_timeout = k->controller_quorum_election_timeout_ms * NS_PER_MS;
    q->fetch_timeout = k->controller_quorum_fetch_timeout_ms * NS_PER_MS;
    q->election_backoff_max = k->controller_quorum_election_backoff_max_ms * NS_PER_MS;
    q->request_timeout = k->controller_quorum_request_timeout_ms * NS_PER_MS;
    q->retry_backoff = k->controller_quorum_retry_backoff_ms * NS_PER_MS;
    q->append_linger = k->controller_quorum_append_linger_ms * NS_PER_MS;
    quorum_fetch_from_kafka(q, k);
    q->pre_vote = sw->raft_pre_vote;
    q->check_quorum = sw->raft_check_quorum;
    q->voted_state = sw->raft_voted_state;
    q->voter_set_check = sw->raft_voter_set_check;
    q->lost_election_backoff = backoff_of(sw->raft_lost_election_backoff);
    q->follower_best_node = sw->raft_follower_best_node;
    q->observer_fetch_timeout = sw->raft_observer_fetch_timeout;
    versions_from_kafka(c, sw);
    /* FileQuorumStateStore writes data_version = kraft.version, and a cluster with static
     * controller.quorum.voters is always at kraft.version 0 (the formatter refuses 1 without
     * a dynamic quorum): the v0 shape with clusterId and currentVoters. */
    c->quorum_state_version = 0;
    return 0;
}

int node_config_dirs(const struct node_config *c, const char **dirs, int cap)
{
    int n = 0;
    bool metadata_listed = false;
    for (int i = 0; i < c->log_dir_count && n < cap; i++) {
        dirs[n++] = c->log_dirs[i];
        metadata_listed |= strcmp(c->log_dirs[i], c->metadata_log_dir) == 0;
    }
    if (!metadata_listed && n < cap) {
        dirs[n++] = c->metadata_log_dir;
    }
    return n;
}

/* ---- quorum-state (FileQuorumStateStore) --------------------------------------------------- */

static size_t format_state(const struct node *n, const struct quorum_election *e, char *buf,
                           size_t cap)
{
    struct text t = text_init(buf, cap);
    if (n->cfg.quorum_state_version == 0) {
        text_printf(&t, "{\"clusterId\":\"\",\"leaderId\":%d,\"leaderEpoch\":%d,"
                    "\"votedId\":%d,\"appliedOffset\":0,\"currentVoters\":[",
                    e->leader_id, e->epoch, e->voted_id);
        for (int i = 0; i < n->cfg.voter_count; i++) {
            text_printf(&t, "%s{\"voterId\":%d}", i ? "," : "", n->cfg.voters[i].id);
        }
        text_printf(&t, "],\"data_version\":0}");
    } else {
        text_printf(&t, "{\"leaderId\":%d,\"leaderEpoch\":%d,\"votedId\":%d,"
                    "\"votedDirectoryId\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"data_version\":1}",
                    e->leader_id, e->epoch, e->voted_id);
    }
    KS_ASSERT(text_fits(&t)); /* at most QUORUM_VOTER_MAX voters: a truncated file is a bug */
    return t.len;
}

static bool json_int(const char *text, const char *key, int32_t *out)
{
    char pattern[40];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(text, pattern);
    if (at == NULL) {
        return false;
    }
    char *end = NULL;
    long v = strtol(at + strlen(pattern), &end, 10);
    if (end == at + strlen(pattern)) {
        return false;
    }
    *out = (int32_t)v;
    return true;
}

/* A Java Set<Integer> of small ids as its toString prints it: "[1, 2, 3]". */
static void voter_set_text(const int32_t *ids, int count, char *buf, size_t cap)
{
    int32_t sorted[QUORUM_VOTER_MAX];
    for (int i = 0; i < count; i++) {
        int k = i;
        for (; k > 0 && sorted[k - 1] > ids[i]; k--) {
            sorted[k] = sorted[k - 1];
        }
        sorted[k] = ids[i];
    }
    struct text t = text_init(buf, cap);
    text_printf(&t, "[");
    for (int i = 0; i < count; i++) {
        text_printf(&t, "%s%d", i ? ", " : "", sorted[i]);
    }
    text_printf(&t, "]");
}

/* QuorumState.initialize before 3.8: a v0 quorum-state names the voters it was written with,
 * and a node whose controller.quorum.voters says otherwise refuses to start. */
static bool check_stored_voters(struct node *n, const char *text)
{
    const char *at = strstr(text, "\"currentVoters\":[");
    if (!n->cfg.quorum.voter_set_check || at == NULL) {
        return true;
    }
    int32_t stored[QUORUM_VOTER_MAX], configured[QUORUM_VOTER_MAX];
    int stored_count = 0;
    for (const char *p = strstr(at, "\"voterId\":"); p != NULL && stored_count < QUORUM_VOTER_MAX;
         p = strstr(p + 1, "\"voterId\":")) {
        stored[stored_count++] = (int32_t)strtol(p + strlen("\"voterId\":"), NULL, 10);
    }
    if (stored_count == 0) {
        return true; /* an empty set: nothing was recorded */
    }
    for (int i = 0; i < n->cfg.voter_count; i++) {
        configured[i] = n->cfg.voters[i].id;
    }
    char have[128], want[128];
    voter_set_text(stored, stored_count, have, sizeof have);
    voter_set_text(configured, n->cfg.voter_count, want, sizeof want);
    if (strcmp(have, want) == 0) {
        return true;
    }
    env_tracef(n->env, TRACE_NODE_REFUSE, "Exiting Kafka due to fatal exception: "
               "java.lang.IllegalStateException: Configured voter set: %s is different from the "
               "voter set read from the state file: %s. Check if the quorum configuration is up "
               "to date, or wipe out the local state file if necessary", want, have);
    return false;
}

/* Reads quorum-state; a missing file is a fresh node (epoch 0, nobody). Returns false (after
 * tracing) if the file exists but cannot be understood. */
static bool read_state(struct node *n, struct quorum_election *e)
{
    *e = (struct quorum_election){.epoch = 0, .leader_id = -1, .voted_id = -1};
    const struct env_ops *ops = n->env->ops;
    int64_t size = ops->disk_size(n->env->ctx, n->state_file);
    if (size < 0) {
        return true;
    }
    char text[1024] = "";
    int64_t got = ops->disk_read(n->env->ctx, n->state_file, 0, text,
                                 size < (int64_t)sizeof text - 1 ? (size_t)size
                                                                 : sizeof text - 1);
    text[got > 0 ? got : 0] = '\0';
    if (!json_int(text, "leaderEpoch", &e->epoch) || !json_int(text, "leaderId", &e->leader_id) ||
        !json_int(text, "votedId", &e->voted_id)) {
        env_tracef(n->env, TRACE_NODE_REFUSE, "file=%s reason=unreadable-quorum-state",
                   n->state_file);
        return false;
    }
    return check_stored_voters(n, text);
}

static void write_state(struct node *n, const struct quorum_election *e)
{
    char text[1024];
    size_t len = format_state(n, e, text, sizeof text);
    const struct env_ops *ops = n->env->ops;
    ops->disk_truncate(n->env->ctx, n->state_tmp, 0);
    int rc = ops->disk_write(n->env->ctx, n->state_tmp, 0, text, len);
    if (rc != ENV_OK) {
        env_tracef(n->env, TRACE_RAFT_ERROR, "quorum-state write failed: %s",
                   env_err_message(rc));
    }
    n->state_writes_issued++;
    ops->disk_fsync(n->env->ctx, n->state_tmp, TOKEN_STATE_FLAG | n->state_writes_issued);
    env_trace(n->env, TRACE_NODE_PERSIST, TF_INT("epoch", e->epoch),
              TF_INT("leader", e->leader_id), TF_INT("voted", e->voted_id),
              TF_UINT("write", n->state_writes_issued));
}

/* ---- transport ----------------------------------------------------------------------------- */

static int host_of(const struct node *n, int32_t node_id)
{
    for (int i = 0; i < n->cfg.voter_count; i++) {
        if (n->cfg.voters[i].id == node_id) {
            return n->voter_hosts[i];
        }
    }
    return -1;
}

static int32_t node_of_host(const struct node *n, int host)
{
    for (int i = 0; i < n->cfg.voter_count; i++) {
        if (n->voter_hosts[i] == host) {
            return n->cfg.voters[i].id;
        }
    }
    return -1;
}

static void release_held(struct node *n)
{
    uint32_t kept = 0;
    for (uint32_t i = 0; i < n->held_count; i++) {
        struct held_frame *f = &n->held[i];
        if (f->barrier <= n->state_writes_done && kept == 0) {
            n->env->ops->send(n->env->ctx, f->to_host, f->channel, f->bytes, f->len);
            free(f->bytes);
        } else {
            n->held[kept++] = *f; /* order is kept: nothing overtakes a held frame */
        }
    }
    n->held_count = kept;
}

static void send_or_hold(struct node *n, int to_host, int channel, struct wire_writer *w)
{
    if (n->held_count == 0 && n->state_writes_done >= n->state_writes_issued) {
        n->env->ops->send(n->env->ctx, to_host, channel, w->bytes, w->len);
        wire_writer_free(w);
        return;
    }
    if (n->held_count == n->held_capacity) {
        n->held_capacity = n->held_capacity ? n->held_capacity * 2 : 8;
        n->held = realloc(n->held, n->held_capacity * sizeof *n->held);
        KS_ASSERT(n->held != NULL);
    }
    /* The writer's buffer becomes the held frame's: no copy. */
    n->held[n->held_count++] = (struct held_frame){
        .to_host = to_host, .channel = channel, .barrier = n->state_writes_issued,
        .len = w->len, .bytes = w->bytes};
    memset(w, 0, sizeof *w);
}

static void send_request(struct node *n, struct quorum_msg *m)
{
    int host = host_of(n, m->to_node);
    int i = -1;
    for (int k = 0; k < n->cfg.voter_count; k++) {
        i = n->cfg.voters[k].id == m->to_node ? k : i;
    }
    if (host < 0 || i < 0) {
        return; /* an address we cannot reach: the request times out in the quorum */
    }
    if (!m->controller && env_now(n->env) < n->refused_until[i]) {
        n->refused_requests |= 1u << i; /* apply() fails it back to the quorum */
        return;
    }
    int32_t corr = ++n->correlation_next;
    if (m->controller) {
        /* The broker's controller channel is its own connection, not the raft client's. */
        n->lifecycle_request = (struct outstanding){corr, m->api_key, m->api_version};
        n->lifecycle_host = host;
    } else {
        n->outstanding[i] = (struct outstanding){corr, m->api_key, m->api_version};
    }
    struct wire_writer w;
    wire_writer_init(&w);
    size_t mark = kheader_frame_begin(&w);
    struct kheader_request h = {.api_key = m->api_key, .api_version = m->api_version,
                                .correlation_id = corr, .client_id = n->client_id};
    kheader_request_encode(&w, &h, kheader_request_version(m->api_key, m->api_version));
    wire_write_raw(&w, m->body.bytes, m->body.len);
    kheader_frame_end(&w, mark);
    KS_ASSERT(w.err == 0);
    send_or_hold(n, host, ENV_CHANNEL_REQUEST, &w);
}

static void send_response(struct node *n, struct quorum_msg *m)
{
    int host = (int)(m->reply_ctx >> 32);
    struct wire_writer w;
    wire_writer_init(&w);
    size_t mark = kheader_frame_begin(&w);
    struct kheader_response h = {.correlation_id = (int32_t)(uint32_t)m->reply_ctx};
    kheader_response_encode(&w, &h, kheader_response_version(m->api_key, m->api_version));
    wire_write_raw(&w, m->body.bytes, m->body.len);
    kheader_frame_end(&w, mark);
    KS_ASSERT(w.err == 0);
    send_or_hold(n, host, ENV_CHANNEL_RESPONSE, &w);
}

static time_ns forwards_deadline(const struct node *n);
static void forwards_poll(struct node *n);

static time_ns next_deadline(const struct node *n)
{
    time_ns due = quorum_next_deadline(&n->quorum);
    if (n->is_controller) {
        time_ns c = controller_next_deadline(&n->controller);
        due = c < due ? c : due;
    }
    if (n->is_broker) {
        time_ns b = lifecycle_next_deadline(&n->lifecycle);
        due = b < due ? b : due;
        time_ns f = forwards_deadline(n);
        due = f < due ? f : due;
    }
    if (n->data_path) {
        time_ns d = rm_next_deadline(&n->rm);
        due = d < due ? d : due;
        time_ns g = gc_next_deadline(&n->gc);
        due = g < due ? g : due;
    }
    return due;
}

static void arm_timer(struct node *n)
{
    time_ns due = next_deadline(n);
    if (due == n->timer_due && n->timer_id != 0) {
        return;
    }
    n->env->ops->timer_cancel(n->env->ctx, n->timer_id);
    n->timer_id = 0;
    n->timer_due = due;
    if (due != TIME_NS_MAX) {
        time_ns now = env_now(n->env);
        n->timer_id = n->env->ops->timer_set(n->env->ctx, due > now ? due - now : 0,
                                             TOKEN_QUORUM_TIMER);
    }
}

static void quorum_event(struct node *n, struct quorum_event *ev);

/* Applies the quorum's effects in their order: the durable write first, then messages (held
 * behind it), then the trace. */
static void apply(struct node *n)
{
    struct quorum_out *out = &n->out;
    for (uint32_t i = 0; i < out->trace_count; i++) {
        const struct quorum_trace *t = &out->traces[i];
        if (t->field_count > 0) {
            n->env->ops->trace(n->env->ctx, t->kind, t->fields, t->field_count);
        } else {
            n->env->ops->trace(n->env->ctx, t->kind, &TF_WORD(t->detail), t->detail[0] != '\0');
        }
    }
    if (out->persist) {
        write_state(n, &out->election);
    }
    for (uint32_t i = 0; i < out->msg_count; i++) {
        struct quorum_msg *m = &out->msgs[i];
        if (m->response) {
            send_response(n, m);
        } else {
            send_request(n, m);
        }
    }
    quorum_out_reset(out);
    arm_timer(n);
    while (n->refused_requests != 0) {
        int i = __builtin_ctz(n->refused_requests);
        n->refused_requests &= ~(1u << i);
        struct quorum_event ev = {.kind = QUORUM_EVENT_DISCONNECT,
                                  .from_node = n->cfg.voters[i].id};
        quorum_event(n, &ev);
    }
}

/* ---- the clean shutdown file (CleanShutdownFileHandler, KIP-966) ------------------------- */

/* Written as a broker finishes a controlled shutdown: its log is flushed, and the broker epoch
 * it had goes into its next registration as PreviousBrokerEpoch. A crash leaves none. */
static void write_clean_shutdown(struct node *n)
{
    char text[96];
    int len = snprintf(text, sizeof text, "{\"version\":0,\"BrokerEpoch\":%" PRId64 "}",
                       n->lifecycle.broker_epoch);
    KS_ASSERT(len > 0 && (size_t)len < sizeof text); /* a truncated file would be a bug */
    const struct env_ops *ops = n->env->ops;
    ops->disk_truncate(n->env->ctx, n->clean_shutdown_file, 0);
    ops->disk_write(n->env->ctx, n->clean_shutdown_file, 0, text, (size_t)len);
    n->clean_shutdown_written = true;
}

/* Read (and removed) at start: the previous broker epoch, or -1. */
static int64_t read_clean_shutdown(struct node *n)
{
    const struct env_ops *ops = n->env->ops;
    int64_t size = ops->disk_size(n->env->ctx, n->clean_shutdown_file);
    if (size <= 0) {
        return -1;
    }
    char text[96] = "";
    int64_t got = ops->disk_read(n->env->ctx, n->clean_shutdown_file, 0, text,
                                 size < (int64_t)sizeof text - 1 ? (size_t)size
                                                                 : sizeof text - 1);
    text[got > 0 ? got : 0] = '\0';
    if (!n->data_path) {
        ops->disk_remove(n->env->ctx, n->clean_shutdown_file); /* else the log manager does */
    }
    /* The log manager writes LogManager's marker ("brokerEpoch"), the node its own. */
    const char *key = n->data_path ? "\"brokerEpoch\":" : "\"BrokerEpoch\":";
    const char *at = strstr(text, key);
    return at != NULL ? strtoll(at + strlen(key), NULL, 10) : -1;
}

/* ---- events ------------------------------------------------------------------------------- */

/* The raft client's part of a clean stop, after the broker's and the controller's
 * (KafkaRaftServer.shutdown: broker, controller, then SharedServer's raft manager): a leader
 * resigns and waits, at most RAFT_SHUTDOWN_TIMEOUT, for another node to lead. */
static void begin_raft_shutdown(struct node *n, time_ns now)
{
    KS_ASSERT(!n->raft_shutdown_begun);
    n->raft_shutdown_begun = true;
    quorum_shutdown(&n->quorum, now, RAFT_SHUTDOWN_TIMEOUT, &n->out);
}

static int host_of_leader(const struct node *n);

/* The replica manager's frames go out behind any held quorum-state write, as every frame. */
static void data_path_send(struct node *n)
{
    for (uint32_t i = 0; i < n->rm_out.count; i++) {
        struct rm_frame *f = &n->rm_out.frames[i];
        struct wire_writer w = {.bytes = f->bytes, .len = f->len, .cap = f->len,
                                .growable = true};
        send_or_hold(n, f->to_host, f->channel, &w);
        f->bytes = NULL;
    }
    rm_out_reset(&n->rm_out);
}

#define OFFSETS_TOPIC "__consumer_offsets"

/* GroupCoordinator.onElection / onResignation: this broker coordinates the groups of the
 * __consumer_offsets partitions it leads. */
static void group_ownership(struct node *n)
{
    bool was_owned[n->gc.cfg.offsets_partitions];
    for (int32_t p = 0; p < n->gc.cfg.offsets_partitions; p++) {
        was_owned[p] = gc_owns(&n->gc, p);
    }
    for (int32_t p = 0; p < n->gc.cfg.offsets_partitions; p++) {
        const struct rm_partition *rp = rm_partition_find(&n->rm, OFFSETS_TOPIC, p);
        bool leads = rp != NULL && rp->replica.role == REPLICA_LEADER;
        if (leads != gc_owns(&n->gc, p)) {
            gc_set_owned(&n->gc, p, leads, &n->rm_out);
        }
        if (leads && !was_owned[p]) {
            uint8_t *log = NULL; /* loadGroupsAndOffsets: the partition's log to its end */
            int64_t len = rm_read_log(&n->rm, OFFSETS_TOPIC, p, 0, &log);
            if (len > 0) {
                gc_load(&n->gc, p, log, (size_t)len);
            }
            free(log);
        }
    }
}

/* offsets.commit.timeout.ms: how long a commit's records may take to replicate. */
#define OFFSETS_COMMIT_TIMEOUT (5000 * NS_PER_MS)

/* The coordinator's commits go to the replica manager as appends; their ends come back. */
static void group_io(struct node *n)
{
    struct gc_append ap[8];
    uint32_t k;
    while ((k = gc_take_appends(&n->gc, ap, 8)) > 0) {
        for (uint32_t i = 0; i < k; i++) {
            rm_append_internal(&n->rm, OFFSETS_TOPIC, ap[i].partition, ap[i].bytes, ap[i].len,
                               OFFSETS_COMMIT_TIMEOUT, ap[i].token, &n->rm_out);
            free(ap[i].bytes);
        }
    }
    struct rm_internal_result done[8];
    while ((k = rm_take_internal_done(&n->rm, done, 8)) > 0) {
        for (uint32_t i = 0; i < k; i++) {
            gc_on_append(&n->gc, done[i].token, done[i].error, &n->rm_out);
        }
    }
}

/* The image's changes (applyDelta), this broker's epoch, and the replica manager's timers. */
static void data_path_poll(struct node *n)
{
    if (!n->data_path) {
        return;
    }
    const struct metadata_image *img = &n->listener.image;
    if (n->lifecycle.broker_epoch != n->rm_broker_epoch) {
        n->rm_broker_epoch = n->lifecycle.broker_epoch;
        rm_set_broker_epoch(&n->rm, n->rm_broker_epoch);
    }
    /* BrokerServer installs the BrokerMetadataPublisher (ReplicaManager.applyDelta, the group
     * coordinator's elections) only after lifecycleManager.initialCatchUpFuture: before, the
     * image is a snapshot's or a half-replayed log's, maybe older than the partition logs on
     * this disk. Acting on it made a restarted broker lead at a stale epoch and append below
     * batches of a newer one; followers then truncated and refetched forever. */
    n->metadata_published = n->metadata_published || n->lifecycle.state != LIFECYCLE_STARTING;
    /* Not modelled: Kafka's data plane reads no request before then either
     * (socketServer.enableRequestProcessing), so its clients hang until a timeout; here the
     * broker answers from what it has (NOT_LEADER_OR_FOLLOWER, NOT_COORDINATOR, Metadata
     * from its partial image). kraftsim's clients have no ApiVersions handshake, whose 30 s
     * timeout bounds that hang for a Java client: dropping the requests instead would hold a
     * JoinGroup for its whole 305 s. */
    if (n->metadata_published && img->records_applied != n->rm_image_records) {
        n->rm_image_records = img->records_applied;
        rm_apply_image(&n->rm, img, &n->rm_out);
        group_ownership(n);
    }
    group_io(n);
    rm_poll(&n->rm, img, host_of_leader(n), &n->rm_out);
    gc_tick(&n->gc, env_now(n->env), &n->rm_out);
    group_io(n);
    data_path_send(n);
}

/* The broker's controlled shutdown ends with its logs: the log manager flushes them, writes
 * the checkpoints and the clean shutdown marker; then the raft client stops. */
static void broker_shutdown_poll(struct node *n, time_ns now)
{
    if (n->lifecycle.state != LIFECYCLE_SHUTTING_DOWN) {
        return;
    }
    if (!n->clean_shutdown_written) {
        if (n->data_path) {
            rm_shutdown(&n->rm, n->lifecycle.broker_epoch);
            n->clean_shutdown_written = true;
        } else {
            write_clean_shutdown(n);
        }
    }
    if (!n->raft_shutdown_begun && (!n->data_path || rm_shutdown_done(&n->rm))) {
        begin_raft_shutdown(n, now);
    }
}

/* After every event: the listener catches up with what is committed, then the controller and
 * the broker lifecycle act on it, then every effect goes out in order. */
static void poll_components(struct node *n)
{
    time_ns now = env_now(n->env);
    raft_listener_update(&n->listener, &n->log, n->quorum.high_watermark);
    if (n->is_controller) {
        controller_poll(&n->controller, now, &n->out);
    }
    if (n->is_broker) {
        lifecycle_poll(&n->lifecycle, now, &n->quorum, n->listener.applied_offset, &n->out);
        data_path_poll(n);
        broker_shutdown_poll(n, now);
    }
    apply(n);
    if (n->is_broker && n->forward_count > 0) {
        forwards_poll(n);
        arm_timer(n);
    }
}

static void quorum_event(struct node *n, struct quorum_event *ev)
{
    ev->now = env_now(n->env);
    quorum_step(&n->quorum, ev, &n->out);
    poll_components(n);
}

/* ---- the broker's client requests (KafkaApis, ForwardingManager, AutoTopicCreationManager) -- */

static int host_of_leader(const struct node *n)
{
    return n->quorum.election.leader_id >= 0 ? host_of(n, n->quorum.election.leader_id) : -1;
}

/* DefaultPrincipalData v0 (flexible): the principal the controller authorizes the request as. */
static void write_principal(struct wire_writer *w)
{
    wire_write_int16(w, 0);
    wire_write_string(w, "User", true);
    wire_write_string(w, "ANONYMOUS", true);
    wire_write_bool(w, false);
    wire_write_uvarint(w, 0);
}

static void forward_send(struct node *n, struct forward *f, time_ns now)
{
    int host = host_of_leader(n);
    if (host < 0) {
        f->send_at = now + n->cfg.forward_retry_backoff;
        return;
    }
    struct wire_writer principal;
    wire_writer_init(&principal);
    write_principal(&principal);
    uint8_t address[4] = {10, 0, (uint8_t)(f->client_host >> 8), (uint8_t)f->client_host};
    struct envelope_request env;
    memset(&env, 0, sizeof env);
    env.request_data = (struct wire_bytes){f->request, (int32_t)f->len};
    env.request_principal = (struct wire_bytes){principal.bytes, (int32_t)principal.len};
    env.client_host_address = (struct wire_bytes){address, 4};
    f->correlation_id = ++n->correlation_next;
    f->to_host = host;
    f->send_at = TIME_NS_MAX;
    struct wire_writer w;
    wire_writer_init(&w);
    size_t mark = kheader_frame_begin(&w);
    int16_t version = n->cfg.api.envelope_version_max;
    KS_ASSERT(version >= 0);
    struct kheader_request h = {.api_key = KAFKA_API_ENVELOPE, .api_version = version,
                                .correlation_id = f->correlation_id,
                                .client_id = n->client_id};
    kheader_request_encode(&w, &h, kheader_request_version(KAFKA_API_ENVELOPE, version));
    envelope_request_encode(&w, &env, version);
    kheader_frame_end(&w, mark);
    KS_ASSERT(w.err == 0);
    wire_writer_free(&principal);
    send_or_hold(n, host, ENV_CHANNEL_REQUEST, &w);
}

static struct forward *forward_add(struct node *n, int client_host, const uint8_t *request,
                                   size_t len)
{
    if (n->forward_count == n->forward_capacity) {
        n->forward_capacity = n->forward_capacity ? n->forward_capacity * 2 : 8;
        n->forwards = realloc(n->forwards, n->forward_capacity * sizeof *n->forwards);
        KS_ASSERT(n->forwards != NULL);
    }
    struct forward *f = &n->forwards[n->forward_count++];
    time_ns now = env_now(n->env);
    *f = (struct forward){.client_host = client_host, .give_up = now + n->cfg.forward_timeout,
                          .send_at = now, .len = len, .request = malloc(len ? len : 1)};
    KS_ASSERT(f->request != NULL);
    memcpy(f->request, request, len);
    return f;
}

static void forward_remove(struct node *n, uint32_t i)
{
    free(n->forwards[i].request);
    n->forwards[i] = n->forwards[--n->forward_count];
}

/* The client's answer when forwarding timed out: every topic of its request REQUEST_TIMED_OUT
 * (AbstractRequest.getErrorResponse). */
static void answer_timed_out(struct node *n, const struct forward *f)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct wire_reader in;
    wire_reader_init(&in, f->request, f->len);
    int16_t key = f->len >= 4 ? (int16_t)((f->request[0] << 8) | f->request[1]) : -1;
    int16_t ver = f->len >= 4 ? (int16_t)((f->request[2] << 8) | f->request[3]) : -1;
    int hv = kheader_request_version(key, ver);
    struct kheader_request h;
    struct wire_writer w;
    wire_writer_init(&w);
    size_t mark = kheader_frame_begin(&w);
    bool ok = hv >= 0 && kheader_request_decode(&in, hv, &a, &h) == 0;
    struct kheader_response rh = {.correlation_id = ok ? h.correlation_id : 0};
    kheader_response_encode(&w, &rh, kheader_response_version(key, ver));
    if (ok && key == KAFKA_API_CREATE_TOPICS) {
        struct create_topics_request req;
        struct create_topics_response resp;
        ok = create_topics_request_decode(&in, ver, &a, &req) == 0;
        if (ok) {
            create_topics_error_response(&req, KAFKA_REQUEST_TIMED_OUT, &a, &resp);
            create_topics_response_encode(&w, &resp, ver);
        }
    } else if (ok && key == KAFKA_API_DELETE_TOPICS) {
        struct delete_topics_request req;
        struct delete_topics_response resp;
        ok = delete_topics_request_decode(&in, ver, &a, &req) == 0;
        if (ok) {
            delete_topics_error_response(&req, KAFKA_REQUEST_TIMED_OUT, &a, &resp);
            delete_topics_response_encode(&w, &resp, ver);
        }
    } else if (ok && key == KAFKA_API_ELECT_LEADERS) {
        struct elect_leaders_request req;
        struct elect_leaders_response resp;
        ok = elect_leaders_request_decode(&in, ver, &a, &req) == 0;
        if (ok) {
            elect_leaders_error_response(&req, KAFKA_REQUEST_TIMED_OUT, &a, &resp);
            elect_leaders_response_encode(&w, &resp, ver);
        }
    }
    kheader_frame_end(&w, mark);
    if (ok && w.err == 0) {
        send_or_hold(n, f->client_host, ENV_CHANNEL_RESPONSE, &w);
    } else {
        wire_writer_free(&w);
    }
    wire_arena_free(&a);
}

/* Resends what waits; answers REQUEST_TIMED_OUT to what is too old. */
static void forwards_poll(struct node *n)
{
    time_ns now = env_now(n->env);
    uint32_t i = 0;
    while (i < n->forward_count) {
        struct forward *f = &n->forwards[i];
        if (now >= f->give_up) {
            env_tracef(n->env, TRACE_BROKER_API, "forward timed out client=h%d topic=%s",
                       f->client_host, f->topic);
            if (f->client_host >= 0) {
                answer_timed_out(n, f);
            }
            forward_remove(n, i);
            continue;
        }
        if (f->correlation_id == 0 && now >= f->send_at) {
            forward_send(n, f, now);
        }
        i++;
    }
}

static time_ns forwards_deadline(const struct node *n)
{
    time_ns t = TIME_NS_MAX;
    for (uint32_t i = 0; i < n->forward_count; i++) {
        const struct forward *f = &n->forwards[i];
        time_ns due = f->correlation_id == 0 && f->send_at < f->give_up ? f->send_at
                                                                         : f->give_up;
        t = due < t ? due : t;
    }
    return t;
}

static bool on_forward_response(struct node *n, int from_host, const uint8_t *bytes, size_t len)
{
    int32_t corr = 0;
    if (kheader_response_peek(bytes, len, &corr) != 0) {
        return false;
    }
    uint32_t i = 0;
    while (i < n->forward_count && !(n->forwards[i].correlation_id == corr &&
                                     n->forwards[i].to_host == from_host)) {
        i++;
    }
    if (i == n->forward_count) {
        return false;
    }
    struct forward *f = &n->forwards[i];
    struct wire_arena a;
    wire_arena_init(&a);
    struct kheader_response h;
    struct wire_reader body;
    struct envelope_response env;
    int16_t version = n->cfg.api.envelope_version_max; /* the version forward_send used */
    bool ok = kheader_response_decode_frame(bytes, len, KAFKA_API_ENVELOPE, version, &h,
                                            &body) == 0 &&
              envelope_response_decode(&body, version, &a, &env) == 0 &&
              env.error_code == KAFKA_NONE && env.response_data.len >= 4;
    if (!ok) {
        /* NOT_CONTROLLER: look for the controller again and resend. */
        f->correlation_id = 0;
        f->send_at = env_now(n->env) + n->cfg.forward_retry_backoff;
    } else {
        if (f->client_host >= 0) {
            struct wire_writer w;
            wire_writer_init(&w);
            size_t mark = kheader_frame_begin(&w);
            wire_write_raw(&w, env.response_data.ptr, (size_t)env.response_data.len);
            kheader_frame_end(&w, mark);
            send_or_hold(n, f->client_host, ENV_CHANNEL_RESPONSE, &w);
        }
        forward_remove(n, i);
    }
    wire_arena_free(&a);
    return true;
}

/* AutoTopicCreationManager: a CreateTopics of its own, once per topic at a time: num.partitions
 * and default.replication.factor for a client's topic, offsets.topic.* for __consumer_offsets
 * (createInternalTopic). */
static void auto_create_with(struct node *n, const char *topic, int32_t partitions,
                             int16_t replication_factor)
{
    for (uint32_t i = 0; i < n->forward_count; i++) {
        if (strcmp(n->forwards[i].topic, topic) == 0) {
            return;
        }
    }
    struct create_topics_topic t = {.name = topic, .num_partitions = partitions,
                                    .replication_factor = replication_factor};
    struct create_topics_request req;
    create_topics_request_init(&req);
    req.topic_count = 1;
    req.topics = &t;
    struct wire_writer w;
    wire_writer_init(&w);
    int16_t version = n->cfg.api.create_topics_version_max;
    KS_ASSERT(version >= CREATE_TOPICS_VERSION_MIN);
    struct kheader_request h = {.api_key = KAFKA_API_CREATE_TOPICS, .api_version = version,
                                .correlation_id = ++n->correlation_next,
                                .client_id = n->client_id};
    kheader_request_encode(&w, &h, kheader_request_version(KAFKA_API_CREATE_TOPICS, version));
    create_topics_request_encode(&w, &req, version);
    KS_ASSERT(w.err == 0);
    struct forward *f = forward_add(n, -1, w.bytes, w.len);
    snprintf(f->topic, sizeof f->topic, "%s", topic);
    wire_writer_free(&w);
    env_tracef(n->env, TRACE_BROKER_API, "auto-create topic=%s partitions=%d replication_factor=%d",
               topic, partitions, replication_factor);
}

static void auto_create(struct node *n, const char *topic)
{
    auto_create_with(n, topic, n->cfg.replication.num_partitions,
                     (int16_t)n->cfg.replication.default_replication_factor);
}

/* FindCoordinator for a group: the leader of its __consumer_offsets partition, which is
 * created on the first ask (COORDINATOR_NOT_AVAILABLE until it leads). Transactions have no
 * coordinator here yet. */
static void find_one(struct node *n, const char *key, int8_t key_type,
                     struct find_coordinator_coordinator *c)
{
    *c = (struct find_coordinator_coordinator){.key = key, .node_id = -1, .host = "",
                                               .port = -1,
                                               .error_code = KAFKA_COORDINATOR_NOT_AVAILABLE};
    const struct metadata_image *img = &n->listener.image;
    const struct image_topic *t = metadata_image_topic(img, OFFSETS_TOPIC);
    if (key_type != 0 || key == NULL) {
        return;
    }
    if (t == NULL) {
        auto_create_with(n, OFFSETS_TOPIC, n->cfg.group.offsets_partitions,
                         n->cfg.offsets_topic_replication_factor);
        return;
    }
    int32_t p = gc_partition_for(key, n->cfg.group.offsets_partitions);
    const struct image_broker *b = NULL;
    for (int32_t i = 0; i < t->partition_count; i++) {
        if (t->partitions[i].id == p && t->partitions[i].leader >= 0) {
            b = metadata_image_broker(img, t->partitions[i].leader);
        }
    }
    if (b != NULL && b->host[0] != '\0') {
        *c = (struct find_coordinator_coordinator){.key = key, .node_id = b->id,
                                                   .host = b->host, .port = b->port,
                                                   .error_code = KAFKA_NONE};
    }
}

static void answer_find_coordinator(struct node *n, struct wire_reader *body, int16_t version,
                                    uint64_t reply_ctx, struct wire_arena *a)
{
    struct find_coordinator_request req;
    if (find_coordinator_request_decode(body, version, a, &req) != 0) {
        return;
    }
    struct find_coordinator_response resp;
    find_coordinator_response_init(&resp);
    int32_t count = version >= 4 ? req.coordinator_key_count : 1;
    struct find_coordinator_coordinator cs[count > 0 ? count : 1];
    for (int32_t i = 0; i < count; i++) {
        find_one(n, version >= 4 ? req.coordinator_keys[i] : req.key, req.key_type, &cs[i]);
    }
    if (version >= 4) {
        resp.coordinator_count = count;
        resp.coordinators = cs;
    } else {
        resp.error_code = cs[0].error_code;
        resp.node_id = cs[0].node_id;
        resp.host = cs[0].host;
        resp.port = cs[0].port;
    }
    struct wire_writer w;
    wire_writer_init(&w);
    size_t mark = kheader_frame_begin(&w);
    struct kheader_response h = {.correlation_id = (int32_t)(uint32_t)reply_ctx};
    kheader_response_encode(&w, &h, kheader_response_version(KAFKA_API_FIND_COORDINATOR,
                                                             version));
    find_coordinator_response_encode(&w, &resp, version);
    kheader_frame_end(&w, mark);
    KS_ASSERT(w.err == 0);
    send_or_hold(n, (int)(reply_ctx >> 32), ENV_CHANNEL_RESPONSE, &w);
}

static void fill_partition(struct metadata_response_partition *mp, const struct image_partition *p,
                           const struct metadata_image *img, struct wire_arena *a)
{
    metadata_response_partition_init(mp);
    mp->partition_index = p->id;
    mp->leader_id = p->leader;
    mp->leader_epoch = p->leader_epoch;
    mp->error_code = p->leader < 0 ? KAFKA_LEADER_NOT_AVAILABLE : KAFKA_NONE;
    int32_t nr = p->replicas.count < 0 ? 0 : p->replicas.count;
    int32_t ni = p->isr.count < 0 ? 0 : p->isr.count;
    mp->replica_node_count = nr;
    mp->replica_nodes = wire_arena_alloc(a, sizeof(int32_t) * (size_t)(nr + 1));
    if (nr > 0) { /* an empty list has no items array: memcpy wants a pointer all the same */
        memcpy(mp->replica_nodes, p->replicas.items, sizeof(int32_t) * (size_t)nr);
    }
    mp->isr_node_count = ni;
    mp->isr_nodes = wire_arena_alloc(a, sizeof(int32_t) * (size_t)(ni + 1));
    if (ni > 0) { /* an empty ISR (every member fenced, KIP-966) has no items */
        memcpy(mp->isr_nodes, p->isr.items, sizeof(int32_t) * (size_t)ni);
    }
    mp->offline_replicas = wire_arena_alloc(a, sizeof(int32_t) * (size_t)(nr + 1));
    for (int32_t k = 0; k < nr; k++) {
        const struct image_broker *b = metadata_image_broker(img, p->replicas.items[k]);
        if (b == NULL || b->fenced) {
            mp->offline_replicas[mp->offline_replica_count++] = p->replicas.items[k];
        }
    }
}

static void fill_topic(struct metadata_response_topic *mt, const struct image_topic *t,
                       const struct metadata_image *img, struct wire_arena *a)
{
    metadata_response_topic_init(mt);
    mt->name = t->name;
    mt->topic_id = t->id;
    mt->partition_count = t->partition_count;
    mt->partitions = wire_arena_alloc(a, sizeof *mt->partitions *
                                             (size_t)(t->partition_count + 1));
    for (int32_t k = 0; k < t->partition_count; k++) {
        fill_partition(&mt->partitions[k], &t->partitions[k], img, a);
    }
}

/* KafkaApis.handleTopicMetadataRequest against the KRaft metadata cache. */
static void answer_metadata(struct node *n, struct wire_reader *body, int16_t version,
                            uint64_t reply_ctx, struct wire_arena *a)
{
    struct metadata_request req;
    if (metadata_request_decode(body, version, a, &req) != 0) {
        return;
    }
    const struct metadata_image *img = &n->listener.image;
    struct metadata_response resp;
    metadata_response_init(&resp);
    resp.cluster_id = n->cfg.cluster_id;
    resp.brokers = wire_arena_alloc(a, sizeof *resp.brokers * (img->broker_count + 1));
    int32_t alive[CONTROLLER_BROKER_MAX];
    int32_t alive_count = 0;
    for (uint32_t i = 0; i < img->broker_count; i++) {
        const struct image_broker *b = &img->brokers[i];
        if (b->fenced) {
            continue; /* getAliveBrokerNodes */
        }
        resp.brokers[resp.broker_count++] = (struct metadata_response_broker){
            b->id, b->host, b->port, b->rack[0] != '\0' ? b->rack : NULL};
        if (alive_count < CONTROLLER_BROKER_MAX) {
            alive[alive_count++] = b->id;
        }
    }
    /* KIP-590: clients are told a random live broker, which forwards to the controller. */
    resp.controller_id = alive_count > 0
                             ? alive[env_random(n->env) % (uint64_t)alive_count] : -1;
    bool all = req.topic_count < 0 || (version == 0 && req.topic_count == 0);
    int32_t want = all ? (int32_t)img->topic_count : req.topic_count;
    resp.topics = wire_arena_alloc(a, sizeof *resp.topics * (size_t)(want + 1));
    for (int32_t i = 0; i < want; i++) {
        struct metadata_response_topic *mt = &resp.topics[resp.topic_count++];
        if (all) {
            fill_topic(mt, &img->topics[i], img, a);
            continue;
        }
        const char *name = req.topics[i].name;
        const struct image_topic *t = name != NULL ? metadata_image_topic(img, name) : NULL;
        if (t != NULL) {
            fill_topic(mt, t, img, a);
            continue;
        }
        metadata_response_topic_init(mt);
        mt->name = name;
        mt->topic_id = req.topics[i].topic_id;
        mt->error_code = KAFKA_UNKNOWN_TOPIC_OR_PARTITION;
        bool allowed = version < 4 || req.allow_auto_topic_creation;
        if (name != NULL && allowed && n->cfg.auto_create_topics_enable) {
            mt->error_code = KAFKA_LEADER_NOT_AVAILABLE; /* being created */
            auto_create(n, name);
        }
    }
    struct wire_writer w;
    wire_writer_init(&w);
    size_t mark = kheader_frame_begin(&w);
    struct kheader_response h = {.correlation_id = (int32_t)(uint32_t)reply_ctx};
    kheader_response_encode(&w, &h, kheader_response_version(KAFKA_API_METADATA, version));
    metadata_response_encode(&w, &resp, version);
    kheader_frame_end(&w, mark);
    KS_ASSERT(w.err == 0);
    send_or_hold(n, (int)(reply_ctx >> 32), ENV_CHANNEL_RESPONSE, &w);
}

/* KafkaApis' data-path requests; a Fetch of __cluster_metadata stays the quorum's. */
static bool data_request(int16_t api_key, int16_t version, const struct wire_reader *body)
{
    if (api_key == KAFKA_API_FETCH) {
        return rm_fetch_is_data(body->bytes + body->pos, body->len - body->pos, version);
    }
    return api_key == KAFKA_API_PRODUCE || api_key == KAFKA_API_LIST_OFFSETS ||
           api_key == KAFKA_API_OFFSET_FOR_LEADER_EPOCH || api_key == KAFKA_API_INIT_PRODUCER_ID;
}

static void on_request_frame(struct node *n, int from_host, const uint8_t *bytes, size_t len)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct kheader_request h;
    struct wire_reader body;
    int rc = kheader_request_decode_frame(bytes, len, &a, &h, &body);
    uint64_t reply_ctx = ((uint64_t)(uint32_t)from_host << 32) | (uint32_t)h.correlation_id;
    bool admin = h.api_key == KAFKA_API_CREATE_TOPICS || h.api_key == KAFKA_API_DELETE_TOPICS ||
                 h.api_key == KAFKA_API_ELECT_LEADERS; /* maybeForwardToController */
    if (rc != 0) {
        /* not a request we can read: dropped, as a broker closes the connection */
    } else if (controller_handles(h.api_key) || (admin && !n->is_broker)) {
        if (n->is_controller) {
            controller_handle(&n->controller, env_now(n->env), h.api_key, h.api_version, &body,
                              reply_ctx, &n->out);
            poll_components(n);
        }
    } else if (admin) {
        forward_add(n, from_host, bytes + 4, len - 4); /* the frame without its size */
        poll_components(n);
    } else if (n->data_path && h.api_key == KAFKA_API_FIND_COORDINATOR) {
        answer_find_coordinator(n, &body, h.api_version, reply_ctx, &a);
        poll_components(n);
    } else if (n->data_path && gc_handles(h.api_key)) {
        gc_handle(&n->gc, env_now(n->env), h.api_key, h.api_version, h.client_id,
                  body.bytes + body.pos, body.len - body.pos, reply_ctx, &n->rm_out);
        poll_components(n);
    } else if (n->data_path && data_request(h.api_key, h.api_version, &body)) {
        rm_handle_request(&n->rm, h.api_key, h.api_version, body.bytes + body.pos,
                          body.len - body.pos, reply_ctx, &n->rm_out);
        poll_components(n);
    } else if (h.api_key == KAFKA_API_METADATA) {
        if (n->is_broker) {
            answer_metadata(n, &body, h.api_version, reply_ctx, &a);
            poll_components(n);
        }
    } else {
        struct quorum_event ev = {
            .kind = QUORUM_EVENT_REQUEST, .from_node = node_of_host(n, from_host),
            .reply_ctx = reply_ctx, .api_key = h.api_key, .api_version = h.api_version,
            .body = &body};
        quorum_event(n, &ev);
    }
    wire_arena_free(&a);
}

static bool on_lifecycle_response(struct node *n, int from_host, const uint8_t *bytes,
                                  size_t len)
{
    int32_t corr = 0;
    struct outstanding o = n->lifecycle_request;
    if (!n->is_broker || o.correlation_id == 0 || from_host != n->lifecycle_host ||
        kheader_response_peek(bytes, len, &corr) != 0 || corr != o.correlation_id) {
        return false;
    }
    n->lifecycle_request.correlation_id = 0;
    struct kheader_response h;
    struct wire_reader body;
    if (kheader_response_decode_frame(bytes, len, o.api_key, o.api_version, &h, &body) == 0) {
        lifecycle_on_response(&n->lifecycle, env_now(n->env), o.api_key, o.api_version, &body,
                              &n->out);
    }
    poll_components(n);
    return true;
}

static void on_response_frame(struct node *n, int from_host, const uint8_t *bytes, size_t len)
{
    if (on_lifecycle_response(n, from_host, bytes, len)) {
        return;
    }
    if (n->data_path && rm_on_response(&n->rm, from_host, bytes, len, &n->rm_out)) {
        poll_components(n);
        return;
    }
    if (on_forward_response(n, from_host, bytes, len)) {
        poll_components(n);
        return;
    }
    int32_t from = node_of_host(n, from_host);
    int32_t corr = 0;
    int i = -1;
    for (int k = 0; k < n->cfg.voter_count; k++) {
        i = n->cfg.voters[k].id == from ? k : i;
    }
    if (i >= 0) {
        n->refused_backoff[i] = 0; /* the connection works again */
        n->refused_until[i] = 0;
    }
    if (i < 0 || kheader_response_peek(bytes, len, &corr) != 0 ||
        corr != n->outstanding[i].correlation_id) {
        return; /* not the answer we still wait for */
    }
    struct outstanding o = n->outstanding[i];
    n->outstanding[i].correlation_id = 0;
    struct kheader_response h;
    struct wire_reader body;
    if (kheader_response_decode_frame(bytes, len, o.api_key, o.api_version, &h, &body) == 0) {
        struct quorum_event ev = {.kind = QUORUM_EVENT_RESPONSE, .from_node = from,
                                  .api_key = o.api_key, .api_version = o.api_version,
                                  .body = &body};
        quorum_event(n, &ev);
    }
}

/* A connection to `host` was refused or reset, so no process listens there (a killed
 * process's sockets all close at once): the raft request awaiting that host fails now
 * (KafkaNetworkChannel: a disconnected request completes with BROKER_NOT_AVAILABLE) and raft
 * requests to it fail without a send until the reconnect backoff ends. The broker's controller
 * channel and forwarded requests keep their own timeouts. */
static void on_reset(struct node *n, int host)
{
    if (n->data_path) {
        rm_on_reset(&n->rm, host, &n->rm_out);
        poll_components(n);
    }
    for (int i = 0; i < n->cfg.voter_count; i++) {
        if (n->voter_hosts[i] != host) {
            continue;
        }
        time_ns b = n->refused_backoff[i] == 0 ? RECONNECT_BACKOFF : 2 * n->refused_backoff[i];
        n->refused_backoff[i] = b < RECONNECT_BACKOFF_MAX ? b : RECONNECT_BACKOFF_MAX;
        n->refused_until[i] = env_now(n->env) + n->refused_backoff[i];
        if (n->outstanding[i].correlation_id == 0) {
            continue;
        }
        n->outstanding[i].correlation_id = 0;
        struct quorum_event ev = {.kind = QUORUM_EVENT_DISCONNECT,
                                  .from_node = n->cfg.voters[i].id};
        quorum_event(n, &ev);
    }
}

static void on_disk(struct node *n, uint64_t token, int err)
{
    if (n->data_path && partition_log_token_id(token) >= 0) {
        rm_on_disk(&n->rm, token, err);
        poll_components(n);
        return;
    }
    if (raft_log_on_flushed(&n->log, token, err)) {
        struct quorum_event ev = {.kind = QUORUM_EVENT_FLUSHED};
        quorum_event(n, &ev);
        return;
    }
    KS_ASSERT(token & TOKEN_STATE_FLAG);
    if (err != ENV_OK) {
        env_tracef(n->env, TRACE_RAFT_ERROR, "quorum-state fsync failed: %s",
                   env_err_message(err));
    }
    /* FileQuorumStateStore: the fsynced temporary file atomically replaces quorum-state. */
    n->env->ops->disk_rename(n->env->ctx, n->state_tmp, n->state_file);
    n->state_writes_done = token & ~TOKEN_STATE_FLAG;
    KS_ASSERT(n->state_writes_done <= n->state_writes_issued);
    release_held(n);
}

static void node_step(void *proc, const struct env_event *e)
{
    struct node *n = proc;
    switch (e->kind) {
    case ENV_EVENT_MESSAGE:
        if (e->u.message.channel == ENV_CHANNEL_RESET) {
            on_reset(n, e->u.message.from_host);
        } else if (e->u.message.channel == ENV_CHANNEL_REQUEST) {
            on_request_frame(n, e->u.message.from_host, e->u.message.bytes, e->u.message.len);
        } else {
            on_response_frame(n, e->u.message.from_host, e->u.message.bytes, e->u.message.len);
        }
        break;
    case ENV_EVENT_TIMER: {
        KS_ASSERT(e->u.timer.token == TOKEN_QUORUM_TIMER);
        n->timer_id = 0;
        n->timer_due = TIME_NS_MAX;
        struct quorum_event ev = {.kind = QUORUM_EVENT_TICK};
        quorum_event(n, &ev);
        break;
    }
    case ENV_EVENT_DISK:
        on_disk(n, e->u.disk.token, e->u.disk.err);
        break;
    }
}

static void node_destroy(void *proc)
{
    struct node *n = proc;
    quorum_free(&n->quorum);
    quorum_out_free(&n->out);
    controller_free(&n->controller);
    raft_listener_free(&n->listener);
    raft_log_close(&n->log);
    if (n->data_path) {
        gc_free(&n->gc);
        rm_free(&n->rm);
        rm_out_reset(&n->rm_out);
        free(n->rm_out.frames);
    }
    for (uint32_t i = 0; i < n->held_count; i++) {
        free(n->held[i].bytes);
    }
    free(n->held);
    for (uint32_t i = 0; i < n->forward_count; i++) {
        free(n->forwards[i].request);
    }
    free(n->forwards);
    free(n);
}

static uint64_t node_random(void *ctx) { return env_random(((struct node *)ctx)->env); }

static void start_controller(struct node *n)
{
    struct controller_config cc = {.cluster_id = n->cfg.cluster_id,
                                   .session_timeout = n->cfg.broker_session_timeout,
                                   .replication = n->cfg.replication,
                                   .bootstrap = n->cfg.bootstrap_metadata,
                                   .max_idle_interval = n->cfg.metadata_max_idle_interval,
                                   .planted_fence_before_leader_moves =
                                       n->cfg.planted_fence_before_leader_moves,
                                   .draw = node_random, .random_ctx = n};
    controller_init(&n->controller, &n->quorum, &n->listener, &cc);
}

/* The broker's listener, and the release's request versions and features. */
static void lifecycle_from_config(struct lifecycle *l, const struct node_config *c)
{
    l->listener_host = c->listener_host;
    l->listener_port = (uint16_t)c->listener_port;
    if (c->listener_name[0] != '\0') {
        l->listener_name = c->listener_name;
    }
    l->registration_version = c->api.broker_registration_version_max;
    l->heartbeat_version = c->api.broker_heartbeat_version_max;
    l->features = c->broker_features;
    l->feature_count = c->broker_feature_count;
}

/* The previous broker epoch from the clean shutdown marker, then LogManager.startup, which
 * comes before the broker registers (BrokerServer.startup). A log dir that does not load
 * leaves the broker without its data path, and says so. */
static void start_broker_storage(struct node *n)
{
    n->data_path = n->is_broker && n->cfg.data_path && n->cfg.log_dir_count > 0;
    if (n->is_broker) {
        n->lifecycle.previous_broker_epoch = read_clean_shutdown(n);
    }
    if (!n->data_path) {
        return;
    }
    struct rm_config rc = n->cfg.data;
    rc.broker_id = rc.replica.broker_id = n->cfg.node_id;
    rc.log_dir = rc.logs.log_dir = n->cfg.log_dirs[0];
    rc.replica.min_insync_replicas = n->cfg.replication.min_insync_replicas > 0
                                         ? n->cfg.replication.min_insync_replicas
                                         : rc.replica.min_insync_replicas;
    rc.alter_partition_version = n->cfg.api.alter_partition_version_max;
    /* The release's Fetch version: its replica fetcher speaks what its raft client does. */
    int16_t fv = n->cfg.quorum.fetch_version;
    rc.fetch_version = fv < FETCH_VERSION_MIN ? FETCH_VERSION_MIN
                                              : fv > FETCH_VERSION_MAX ? FETCH_VERSION_MAX : fv;
    rm_out_init(&n->rm_out);
    n->rm_broker_epoch = -1;
    struct gc_config gcc = n->cfg.group;
    gcc.broker_id = n->cfg.node_id;
    gc_init(&n->gc, &gcc);
    if (rm_open(&n->rm, n->env, &rc) != 0) {
        env_tracef(n->env, TRACE_NODE_REFUSE, "reason=log-dir %s", n->rm.logs.last_error);
    }
}

static void *node_start(const struct env *env, const void *config)
{
    KS_ASSERT(config != NULL);
    struct node *n = calloc(1, sizeof *n);
    KS_ASSERT(n != NULL);
    n->env = env;
    n->cfg = *(const struct node_config *)config;
    n->timer_due = TIME_NS_MAX;
    quorum_out_init(&n->out);
    snprintf(n->client_id, sizeof n->client_id, "raft-client-%d", n->cfg.node_id);
    snprintf(n->state_file, sizeof n->state_file, "%s/__cluster_metadata-0/quorum-state",
             n->cfg.metadata_log_dir);
    snprintf(n->state_tmp, sizeof n->state_tmp, "%s.tmp", n->state_file);
    struct quorum_config qc = n->cfg.quorum;
    qc.node_id = n->cfg.node_id;
    qc.cluster_id = n->cfg.cluster_id;
    qc.voter_count = n->cfg.voter_count;
    for (int i = 0; i < n->cfg.voter_count; i++) {
        qc.voter_ids[i] = n->cfg.voters[i].id;
        qc.voter_hosts[i] = n->cfg.voters[i].host;
        qc.voter_ports[i] = (uint16_t)n->cfg.voters[i].port;
        n->voter_hosts[i] = env->ops->resolve(env->ctx, n->cfg.voters[i].host,
                                              n->cfg.voters[i].port);
    }
    /* KafkaRaftServer: every directory formatted, one cluster, this node (meta.properties). */
    const char *dirs[STORAGE_DIR_MAX];
    int dir_count = node_config_dirs(&n->cfg, dirs, STORAGE_DIR_MAX);
    struct meta_properties meta;
    char why[512];
    if (storage_check(env, dirs, dir_count, n->cfg.node_id, &meta, why, sizeof why) != 0) {
        env_tracef(env, TRACE_NODE_REFUSE, "Exiting Kafka due to fatal exception: %s", why);
        quorum_out_free(&n->out);
        free(n);
        return NULL;
    }
    snprintf(n->cfg.cluster_id, sizeof n->cfg.cluster_id, "%s", meta.cluster_id);
    qc.cluster_id = n->cfg.cluster_id;
    struct quorum_election stored;
    int rc = raft_log_open(&n->log, env, n->cfg.metadata_log_dir,
                           n->cfg.metadata_log_segment_bytes);
    n->log.segment_ms = n->cfg.metadata_log_segment_ms;
    if (rc != 0 || !read_state(n, &stored)) {
        if (rc != 0) {
            env_tracef(env, TRACE_NODE_REFUSE, "reason=log-open %s", n->log.last_error);
        }
        raft_log_close(&n->log);
        quorum_out_free(&n->out);
        free(n);
        return NULL;
    }
    env_tracef(env, TRACE_NODE_START, "node.id=%d roles=%s epoch=%d leader=%d voted=%d "
               "leo=%" PRId64, n->cfg.node_id, n->cfg.roles, stored.epoch, stored.leader_id,
               stored.voted_id, raft_log_end_offset(&n->log));
    raft_listener_init(&n->listener, env, &n->cfg.metadata_snapshots);
    n->listener.planted_snapshot_drops_a_record = n->cfg.planted_snapshot_drops_a_record;
    quorum_init(&n->quorum, &qc, &n->log, &stored, env_random(env), env_now(env), &n->out);
    n->is_controller = strstr(n->cfg.roles, "controller") != NULL;
    n->is_broker = strstr(n->cfg.roles, "broker") != NULL;
    start_controller(n);
    /* A new incarnation id every start (BrokerServer: Uuid.randomUuid()). */
    struct kuuid incarnation = {env_random(env), env_random(env)};
    lifecycle_init(&n->lifecycle, n->cfg.node_id, n->cfg.cluster_id, incarnation,
                   n->cfg.broker_heartbeat_interval);
    lifecycle_from_config(&n->lifecycle, &n->cfg);
    snprintf(n->clean_shutdown_file, sizeof n->clean_shutdown_file, "%s/.kafka_cleanshutdown",
             n->cfg.log_dir_count > 0 ? n->cfg.log_dirs[0] : n->cfg.metadata_log_dir);
    start_broker_storage(n);
    poll_components(n);
    return n;
}

const struct process_ops node_process = {
    .name = "kafka",
    .start = node_start,
    .step = node_step,
    .destroy = node_destroy,
};

struct quorum *node_quorum(void *proc) { return &((struct node *)proc)->quorum; }

struct raft_log *node_log(void *proc) { return &((struct node *)proc)->log; }

struct raft_listener *node_listener(void *proc) { return &((struct node *)proc)->listener; }

const struct lifecycle *node_lifecycle(void *proc)
{
    struct node *n = proc;
    return n->is_broker ? &n->lifecycle : NULL;
}

bool node_append(void *proc, const uint8_t *value, uint32_t len)
{
    struct node *n = proc;
    if (quorum_append(&n->quorum, env_now(n->env), value, len) < 0) {
        return false;
    }
    arm_timer(n);
    return true;
}

void node_resign(void *proc)
{
    struct node *n = proc;
    quorum_resign(&n->quorum, env_now(n->env), &n->out);
    apply(n);
}

void node_begin_shutdown(void *proc)
{
    struct node *n = proc;
    if (n->is_broker) {
        lifecycle_begin_shutdown(&n->lifecycle, env_now(n->env), &n->out);
    } else if (!n->raft_shutdown_begun) {
        begin_raft_shutdown(n, env_now(n->env)); /* a controller has no broker part to stop */
    }
    poll_components(n);
}

bool node_shutdown_done(void *proc)
{
    const struct node *n = proc;
    return n->raft_shutdown_begun && quorum_shutdown_done(&n->quorum);
}

struct replica_manager *node_replica_manager(void *proc)
{
    struct node *n = proc;
    return n->data_path ? &n->rm : NULL;
}

const struct metadata_image *node_controller_image(void *proc)
{
    struct node *n = proc;
    return n->is_controller ? controller_image(&n->controller) : NULL;
}
