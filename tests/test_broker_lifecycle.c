/* test_broker_lifecycle.c — brokers register, are unfenced, and are fenced when they go quiet. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/admin.h"
#include "tools/kafka_storage.h"
#include "lifecycle.h"
#include "metadata/image.h"
#include "node.h"
#include "protocol/controller_rpc.h"
#include "protocol/header.h"
#include "raft/listener.h"
#include "world/world.h"

#define VOTERS 3
#define HOSTS 4 /* three controllers and broker 4 */
#define CLUSTER "MkU3OEVBNTcwNTJENDM2Qk"

static const char *const names[] = {"controller-1", "controller-2", "controller-3", "broker-1",
                                    "broker-1-twin"};

struct seen {
    time_ns fenced_at;   /* the controller's session-timeout fence, -1 if none */
    time_ns running_at[4]; /* broker 4's RUNNING transitions */
    int running_count;
    time_ns registered_at[4];
    int registered_count;
    int duplicate_refusals; /* "Unable to register broker 4 ... DUPLICATE_BROKER_REGISTRATION" */
    char duplicate_line[256];
};

static void watch(void *ctx, const struct trace_event *e)
{
    struct seen *s = ctx;
    const char *detail = trace_event_detail(e);
    if (e->kind == TRACE_CONTROLLER && strstr(detail, "reason=session-timeout") != NULL &&
        s->fenced_at < 0) {
        s->fenced_at = e->time;
    }
    if (e->kind == TRACE_BROKER_STATE && strstr(detail, "state=RUNNING") != NULL &&
        s->running_count < 4) {
        s->running_at[s->running_count++] = e->time;
    }
    if (e->kind == TRACE_BROKER_STATE &&
        strstr(detail, "Unable to register broker 4 because the controller returned error "
                          "DUPLICATE_BROKER_REGISTRATION") != NULL) {
        if (s->duplicate_refusals++ == 0) {
            snprintf(s->duplicate_line, sizeof s->duplicate_line, "h%d %s", e->host, detail);
        }
    }
    if (e->kind == TRACE_BROKER_STATE && strstr(detail, "registered") != NULL &&
        s->registered_count < 4) {
        s->registered_at[s->registered_count++] = e->time;
    }
}

/* The cluster, plus (twin) a second process configured with broker 4's node.id; `amend` is
 * the controllers' switch controller.registration.amend. */
static struct world *cluster_of(struct node_config *cfg, struct seen *seen, bool twin,
                                bool amend)
{
    struct world *w = world_create(9, HOSTS + twin, names, NULL, NULL);
    memset(seen, 0, sizeof *seen);
    seen->fenced_at = -1;
    trace_add_sink(&w->trace, (struct trace_sink){.event = watch, .ctx = seen});
    for (int i = 0; i < HOSTS + twin; i++) {
        node_config_default(&cfg[i], i < HOSTS ? i + 1 : HOSTS);
        snprintf(cfg[i].roles, sizeof cfg[i].roles, "%s", i < VOTERS ? "controller" : "broker");
        cfg[i].voter_count = VOTERS;
        for (int k = 0; k < VOTERS; k++) {
            cfg[i].voters[k].id = k + 1;
            snprintf(cfg[i].voters[k].host, sizeof cfg[i].voters[k].host, "%s", names[k]);
            cfg[i].voters[k].port = 9093;
        }
        snprintf(cfg[i].listener_host, sizeof cfg[i].listener_host, "%s", names[i]);
        cfg[i].replication.registration_amend = amend;
        ck_assert_int_eq(kafka_storage_format(w, i, &cfg[i], CLUSTER), ENV_OK);
        host_install(world_host(w, i), &node_process, &cfg[i]);
        if (i < HOSTS) {
            ck_assert(host_start(world_host(w, i))); /* the twin starts when the test says */
        }
    }
    return w;
}

static struct world *cluster(struct node_config *cfg, struct seen *seen)
{
    return cluster_of(cfg, seen, false, true);
}

static const struct image_broker *controller_view(struct world *w, int32_t broker)
{
    for (int i = 0; i < VOTERS; i++) {
        struct host *h = world_host(w, i);
        if (h->proc != NULL && node_quorum(h->proc)->role == QUORUM_LEADER) {
            return metadata_image_broker(&node_listener(h->proc)->image, broker);
        }
    }
    return NULL;
}

START_TEST(broker_registers_fenced_then_is_unfenced_once_caught_up)
{
    struct node_config cfg[HOSTS];
    struct seen seen;
    struct world *w = cluster(cfg, &seen);
    world_run_until(w, 10 * NS_PER_S);
    const struct lifecycle *lc = node_lifecycle(world_host(w, 3)->proc);
    ck_assert_int_eq(lc->state, LIFECYCLE_RUNNING);
    ck_assert_int_eq(seen.registered_count, 1);
    ck_assert_int_eq(seen.running_count, 1);
    /* Registered fenced; the first heartbeat goes at once, and the one that finds the broker
     * caught up with its own registration unfences it: within one heartbeat interval. */
    time_ns gap = seen.running_at[0] - seen.registered_at[0];
    ck_assert_int_gt(gap, 0);
    ck_assert_int_lt(gap, 2100 * NS_PER_MS);
    const struct image_broker *b = controller_view(w, 4);
    ck_assert_ptr_nonnull(b);
    ck_assert(!b->fenced);
    ck_assert_int_eq(b->epoch, lc->broker_epoch);
    /* Every node, the broker included, holds the same registration in its image. */
    for (int i = 0; i < HOSTS; i++) {
        const struct image_broker *x =
            metadata_image_broker(&node_listener(world_host(w, i)->proc)->image, 4);
        ck_assert_ptr_nonnull(x);
        ck_assert_int_eq(x->epoch, b->epoch);
    }
    world_destroy(w);
}
END_TEST

START_TEST(crashed_broker_is_fenced_a_session_timeout_after_its_last_heartbeat)
{
    struct node_config cfg[HOSTS];
    struct seen seen;
    struct world *w = cluster(cfg, &seen);
    world_run_until(w, 10 * NS_PER_S);
    host_crash(world_host(w, 3));
    time_ns crashed = world_now(w);
    world_run_until(w, 30 * NS_PER_S);
    ck_assert_int_ge(seen.fenced_at, 0);
    /* The last heartbeat came at most one interval before the crash: the fence lands between
     * session timeout - interval and session timeout after the crash (9 s, 2 s). */
    ck_assert_int_le(seen.fenced_at - crashed, 9000 * NS_PER_MS);
    ck_assert_int_ge(seen.fenced_at - crashed, 7000 * NS_PER_MS);
    ck_assert(controller_view(w, 4)->fenced);
    world_destroy(w);
}
END_TEST

START_TEST(restarted_broker_waits_out_its_old_session_then_registers_anew)
{
    struct node_config cfg[HOSTS];
    struct seen seen;
    struct world *w = cluster(cfg, &seen);
    world_run_until(w, 10 * NS_PER_S);
    int64_t old_epoch = node_lifecycle(world_host(w, 3)->proc)->broker_epoch;
    host_crash(world_host(w, 3));
    world_run_until(w, 11 * NS_PER_S);
    ck_assert(host_start(world_host(w, 3))); /* a new incarnation id */
    world_run_until(w, 40 * NS_PER_S);
    /* The controller refused the new incarnation (DUPLICATE_BROKER_REGISTRATION) while the old
     * session lived; once it fenced the old one, the broker registered with a new epoch. */
    ck_assert_int_eq(seen.registered_count, 2);
    ck_assert_int_ge(seen.fenced_at, 0);
    ck_assert_int_gt(seen.registered_at[1], seen.fenced_at);
    const struct lifecycle *lc = node_lifecycle(world_host(w, 3)->proc);
    ck_assert_int_eq(lc->state, LIFECYCLE_RUNNING);
    ck_assert_int_gt(lc->broker_epoch, old_epoch);
    ck_assert(!controller_view(w, 4)->fenced);
    world_destroy(w);
}
END_TEST

/* A second process with node.id 4 (a copied server.properties) starts while broker 4 runs:
 * it is refused for as long as broker 4 keeps its session, and says so the way Kafka logs
 * it, again and again. */
START_TEST(duplicate_node_id_is_refused_with_duplicate_broker_registration)
{
    struct node_config cfg[HOSTS + 1];
    struct seen seen;
    struct world *w = cluster_of(cfg, &seen, true, true);
    world_run_until(w, 10 * NS_PER_S);
    ck_assert(host_start(world_host(w, HOSTS)));
    world_run_until(w, 20 * NS_PER_S);
    ck_assert_int_eq(seen.registered_count, 1);
    ck_assert_int_ge(seen.duplicate_refusals, 2); /* it keeps trying */
    ck_assert_ptr_nonnull(strstr(seen.duplicate_line, "Unable to register broker 4 because "
                                                      "the controller returned error "
                                                      "DUPLICATE_BROKER_REGISTRATION"));
    const struct lifecycle *a = node_lifecycle(world_host(w, 3)->proc);
    const struct lifecycle *b = node_lifecycle(world_host(w, 4)->proc);
    ck_assert_int_eq(a->state, LIFECYCLE_RUNNING);
    ck_assert_int_eq(b->state, LIFECYCLE_STARTING);
    ck_assert_int_lt(b->broker_epoch, 0);
    world_destroy(w);
}
END_TEST

/* BrokerLifecycleManager.sendBrokerRegistration / sendBrokerHeartbeat at the version the
 * release's controller negotiates (NodeApiVersions.latestUsableVersion): Kafka 3.4's
 * BrokerRegistrationRequest.json has "0-1" and BrokerHeartbeatRequest.json "0", and its
 * BrokerFeatures.defaultSupportedFeatures is metadata.version 1 (3.0-IV1) to 8 (3.4-IV0). */
START_TEST(registration_and_heartbeat_go_at_the_releases_versions_with_its_features)
{
    static const struct {
        const char *release;
        int16_t registration, heartbeat;
        int32_t features;
        int16_t mv_max;
    } cases[] = {{"3.1", 0, 0, 0, 0}, {"3.4", 1, 0, 1, 8}, {"3.7", 3, 1, 1, 19},
                 {"trunk", 4, 2, 7, 33}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const struct kafka_release *r = release_find(cases[c].release);
        struct lifecycle l;
        lifecycle_init(&l, 4, CLUSTER, (struct kuuid){1, 2}, 2 * NS_PER_S);
        l.registration_version = r->api.broker_registration_version_max;
        l.heartbeat_version = r->api.broker_heartbeat_version_max;
        l.features = release_broker_features(r, &l.feature_count);
        struct quorum q;
        memset(&q, 0, sizeof q);
        q.election.leader_id = 1;
        struct quorum_out out;
        quorum_out_init(&out);
        lifecycle_poll(&l, 0, &q, 0, &out);
        ck_assert_uint_eq(out.msg_count, 1);
        ck_assert_int_eq(out.msgs[0].api_key, KAFKA_API_BROKER_REGISTRATION);
        ck_assert_int_eq(out.msgs[0].api_version, cases[c].registration);
        struct wire_reader body;
        wire_reader_init(&body, out.msgs[0].body.bytes, out.msgs[0].body.len);
        struct wire_arena a;
        wire_arena_init(&a);
        struct broker_registration_request req;
        ck_assert_int_eq(broker_registration_request_decode(&body, cases[c].registration, &a,
                                                            &req),
                         0);
        ck_assert_int_eq(req.feature_count, cases[c].features);
        if (req.feature_count > 0) {
            ck_assert_str_eq(req.features[0].name, "metadata.version");
            ck_assert_int_eq(req.features[0].max_supported_version, cases[c].mv_max);
        }
        wire_arena_free(&a);
        /* Registered: the next message is a heartbeat. */
        l.broker_epoch = 7;
        l.in_flight = false;
        quorum_out_reset(&out);
        lifecycle_poll(&l, 0, &q, 0, &out);
        ck_assert_uint_eq(out.msg_count, 1);
        ck_assert_int_eq(out.msgs[0].api_key, KAFKA_API_BROKER_HEARTBEAT);
        ck_assert_int_eq(out.msgs[0].api_version, cases[c].heartbeat);
        quorum_out_free(&out);
    }
}
END_TEST

/* ---- controlled shutdown (BrokerHeartbeatManager.calculateNextBrokerState) ---------------- */

#define CS_HOSTS 6 /* three controllers, brokers 4 and 5, an admin client */
#define CS_ADMIN 5

static const char *const cs_names[] = {"controller-1", "controller-2", "controller-3",
                                       "broker-4", "broker-5", "admin"};

struct cs_seen {
    int32_t broker;        /* the broker that shuts down */
    time_ns begun, done;   /* its PENDING_CONTROLLED_SHUTDOWN and SHUTTING_DOWN */
    time_ns entered;       /* the controller's controlled-shutdown line, -1 none */
    int64_t shutdown_offset;
    time_ns granted;       /* the controller's fence ... reason=controlled-shutdown */
    char grant[160];
    int registrations; /* the controller's "register broker=N" lines */
    long long reg_epoch[4], reg_offset[4];
    bool reg_amended[4];
};

static void cs_watch(void *ctx, const struct trace_event *e)
{
    struct cs_seen *s = ctx;
    const char *detail = trace_event_detail(e);
    char me[32];
    snprintf(me, sizeof me, "broker=%d ", s->broker);
    bool registration = strncmp(detail, "register broker=", 16) == 0; /* any broker */
    if (!registration && strncmp(detail, me, strlen(me)) != 0 &&
        strstr(detail, me) != detail + strlen("controlled-shutdown ") &&
        strstr(detail, me) != detail + strlen("fence ")) {
        return;
    }
    if (e->kind == TRACE_BROKER_STATE && strstr(detail, "begin controlled shutdown")) {
        s->begun = e->time;
    }
    if (e->kind == TRACE_BROKER_STATE && strstr(detail, "controlled shutdown complete")) {
        s->done = e->time;
    }
    long long ep, off;
    if (e->kind == TRACE_CONTROLLER && s->registrations < 4 &&
        sscanf(detail, "register broker=%*d epoch=%lld record_offset=%lld", &ep, &off) == 2) {
        s->reg_epoch[s->registrations] = ep;
        s->reg_offset[s->registrations] = off;
        s->reg_amended[s->registrations++] = strstr(detail, " amended") != NULL;
    }
    const char *o = strstr(detail, "controlled_shutdown_offset=");
    if (e->kind == TRACE_CONTROLLER && strncmp(detail, "controlled-shutdown ", 20) == 0) {
        s->entered = e->time;
        s->shutdown_offset = o != NULL ? strtoll(o + 27, NULL, 10) : -1;
    }
    if (e->kind == TRACE_CONTROLLER && strncmp(detail, "fence ", 6) == 0 &&
        strstr(detail, "reason=controlled-shutdown") != NULL) {
        s->granted = e->time;
        snprintf(s->grant, sizeof s->grant, "%s", strstr(detail, "reason="));
    }
}

/* Three controllers, brokers 4 and 5 (trunk defaults), and topic t with one partition on
 * `assignment`, created through broker-4 at 10 s; broker `who` shuts down at 12 s, or, if
 * `crash` names a broker, that one crashes at 12 s and `who` shuts down at 24 s, once the
 * crashed one is fenced. */
static struct world *cs_build(struct node_config *cfg, struct cs_seen *seen, int32_t who,
                              const char *assignment, int32_t min_insync_replicas)
{
    struct world *w = world_create(5, CS_HOSTS, cs_names, NULL, NULL);
    *seen = (struct cs_seen){.broker = who, .begun = -1, .done = -1, .entered = -1,
                             .shutdown_offset = -1, .granted = -1};
    trace_add_sink(&w->trace, (struct trace_sink){.event = cs_watch, .ctx = seen});
    for (int i = 0; i < CS_ADMIN; i++) {
        node_config_default(&cfg[i], i + 1);
        snprintf(cfg[i].roles, sizeof cfg[i].roles, "%s", i < VOTERS ? "controller" : "broker");
        cfg[i].voter_count = VOTERS;
        for (int k = 0; k < VOTERS; k++) {
            cfg[i].voters[k].id = k + 1;
            snprintf(cfg[i].voters[k].host, sizeof cfg[i].voters[k].host, "%s", cs_names[k]);
            cfg[i].voters[k].port = 9093;
        }
        snprintf(cfg[i].listener_host, sizeof cfg[i].listener_host, "%s", cs_names[i]);
        cfg[i].replication.min_insync_replicas = min_insync_replicas;
        ck_assert_int_eq(kafka_storage_format(w, i, &cfg[i], CLUSTER), ENV_OK);
        host_install(world_host(w, i), &node_process, &cfg[i]);
        ck_assert(host_start(world_host(w, i)));
    }
    host_install(world_host(w, CS_ADMIN), &admin_process, NULL);
    ck_assert(host_start(world_host(w, CS_ADMIN)));
    world_run_until(w, 10 * NS_PER_S);
    struct admin_call c = {.api_key = KAFKA_API_CREATE_TOPICS, .to_host = 3, .partitions = -1,
                           .replication_factor = -1};
    snprintf(c.topic, sizeof c.topic, "t");
    snprintf(c.assignment, sizeof c.assignment, "%s", assignment);
    admin_start(world_host(w, CS_ADMIN)->proc, &c);
    world_run_until(w, 12 * NS_PER_S);
    ck_assert_int_eq(admin_outcome(world_host(w, CS_ADMIN)->proc)->error, KAFKA_NONE);
    return w;
}

static struct world *cs_cluster(struct node_config *cfg, struct cs_seen *seen, int32_t who,
                                const char *assignment, int32_t crash)
{
    struct world *w = cs_build(cfg, seen, who, assignment, 1);
    if (crash > 0) {
        host_crash(world_host(w, crash - 1));
        world_run_until(w, 24 * NS_PER_S);
    }
    node_begin_shutdown(world_host(w, who - 1)->proc);
    world_run_until(w, world_now(w) + 8 * NS_PER_S);
    ck_assert_int_eq(node_lifecycle(world_host(w, who - 1)->proc)->state,
                     LIFECYCLE_SHUTTING_DOWN);
    return w;
}

/* Broker 4 leads t-0 (replicas 4,5) and shuts down while broker 5 runs. Its first heartbeat
 * (WantShutDown, at once) moves the leadership: CONTROLLED_SHUTDOWN, controlledShutdownOffset
 * = the records' last offset. The next one, 50 ms after that answer
 * (BrokerLifecycleManager), is refused: broker 5 has not heartbeated since. The one after,
 * broker.heartbeat.interval.ms (2 s) later, is granted: broker 5 reported an offset at least
 * controlledShutdownOffset in between (controlledShutdownOffset <= lowestActiveOffset()). So
 * 2 s and 50 ms plus round trips, not one heartbeat: the answers to the first and the last
 * heartbeat wait for their records to commit (controller.quorum.append.linger.ms = 25), so
 * 26 + 50 + 2000 + 27 = 2103 ms here (12.000 begin, 12.026 answer, 12.076 refused, broker 5
 * reports offset 35 >= 31 at 13.526, 14.076 granted, 14.103 SHUTTING_DOWN). */
START_TEST(controlled_shutdown_waits_for_lowest_active_offset_calculateNextBrokerState)
{
    struct node_config cfg[CS_ADMIN];
    struct cs_seen seen;
    struct world *w = cs_cluster(cfg, &seen, 4, "4,5", 0);
    ck_assert_int_ge(seen.entered, seen.begun);
    ck_assert_int_lt(seen.entered - seen.begun, 10 * NS_PER_MS);
    ck_assert_int_gt(seen.shutdown_offset, 0);
    long long lowest = -1;
    ck_assert_msg(sscanf(seen.grant, "reason=controlled-shutdown controlled_shutdown_offset="
                         "%*d lowest_active_offset=%lld", &lowest) == 1, "%s", seen.grant);
    ck_assert_int_ge(lowest, seen.shutdown_offset);
    time_ns took = seen.done - seen.begun;
    ck_assert_msg(took > 2075 * NS_PER_MS && took < 2110 * NS_PER_MS, "took %lld ms",
                  (long long)(took / NS_PER_MS));
    ck_assert_int_gt(seen.granted - seen.entered, 2050 * NS_PER_MS); /* not the 50 ms one */
    world_destroy(w);
}
END_TEST

/* No other active broker (broker 5 crashed and was fenced): lowestActiveOffset() is
 * Long.MAX_VALUE, so the second heartbeat, 50 ms after the first answer, is granted:
 * 26 + 50 + 27 ms. */
START_TEST(controlled_shutdown_alone_ends_on_the_50_ms_heartbeat)
{
    struct node_config cfg[CS_ADMIN];
    struct cs_seen seen;
    struct world *w = cs_cluster(cfg, &seen, 4, "4,5", 5);
    ck_assert_int_ge(seen.entered, 0);
    ck_assert_msg(strstr(seen.grant, " lowest_active_offset=none") != NULL, "%s", seen.grant);
    time_ns took = seen.done - seen.begun;
    ck_assert_msg(took > 75 * NS_PER_MS && took < 110 * NS_PER_MS, "took %lld ms",
                  (long long)(took / NS_PER_MS));
    world_destroy(w);
}
END_TEST

/* Broker 5 leads nothing (t-0 is led by 4): UNFENCED + WantShutDown without leaderships is
 * SHUTDOWN_NOW on its first heartbeat, no InControlledShutdown record: the answer waits
 * only for the fence to commit (25 ms linger and a round trip). */
START_TEST(controlled_shutdown_of_a_broker_leading_nothing_is_immediate_shutdown_now)
{
    struct node_config cfg[CS_ADMIN];
    struct cs_seen seen;
    struct world *w = cs_cluster(cfg, &seen, 5, "4,5", 0);
    ck_assert_int_eq(seen.entered, -1);
    ck_assert_str_eq(seen.grant, "reason=controlled-shutdown leaderships=0");
    time_ns took = seen.done - seen.begun;
    ck_assert_msg(took > 25 * NS_PER_MS && took < 30 * NS_PER_MS, "took %lld ms",
                  (long long)(took / NS_PER_MS));
    world_destroy(w);
}
END_TEST

/* ---- registration epochs (ClusterControlManager.registerBroker) ----------------------------- */

/* The broker epoch is offsetControl.nextWriteOffset() when the registration is handled: the
 * offset of its first record. Broker 5 first registers with nothing before its
 * RegisterBrokerRecord: epoch = that record's offset. Then (trunk, ELR, min.insync.replicas=2)
 * it crashes, is fenced (ISR [4], ELR [5]) and comes back without a clean shutdown file: its
 * registration first takes it out of the ELR (handleBrokerShutdown, unclean), so the epoch is
 * the offset of that PartitionChangeRecord, one before the RegisterBrokerRecord. */
START_TEST(registration_epoch_is_the_offset_of_its_first_record_registerBroker)
{
    struct node_config cfg[CS_ADMIN];
    struct cs_seen seen;
    struct world *w = cs_build(cfg, &seen, 5, "4,5", 2);
    ck_assert_int_eq(seen.registrations, 2); /* brokers 4 and 5 */
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(seen.reg_epoch[i], seen.reg_offset[i]);
        ck_assert(!seen.reg_amended[i]);
    }
    host_crash(world_host(w, 4));
    world_run_until(w, 23 * NS_PER_S); /* fenced after broker.session.timeout.ms */
    ck_assert(host_start(world_host(w, 4)));
    world_run_until(w, 30 * NS_PER_S);
    ck_assert_int_eq(seen.registrations, 3);
    ck_assert_int_eq(seen.reg_epoch[2], seen.reg_offset[2] - 1);
    const struct lifecycle *lc = node_lifecycle(world_host(w, 4)->proc);
    ck_assert_int_eq(lc->state, LIFECYCLE_RUNNING);
    ck_assert_int_eq(lc->broker_epoch, seen.reg_epoch[2]);
    world_destroy(w);
}
END_TEST

static bool controller_has_broker_4(void *arg)
{
    struct world *w = arg;
    for (int i = 0; i < VOTERS; i++) {
        struct host *h = world_host(w, i);
        const struct metadata_image *img = h->proc != NULL ? node_controller_image(h->proc)
                                                            : NULL;
        if (img != NULL && metadata_image_broker(img, 4) != NULL) {
            return true;
        }
    }
    return false;
}

/* Broker 4's first BrokerRegistration answer is lost (the active controller's link to it is
 * cut right after it took the request); after the request timeout it sends the same
 * incarnation again. `amend`: Kafka 3.9+ keeps the epoch ("Amending registration ... Broker
 * epoch remains"); before, a new RegisterBrokerRecord with a new epoch. */
static void lost_registration_answer(bool amend, struct cs_seen *seen, int64_t *final_epoch)
{
    struct node_config cfg[HOSTS];
    struct seen plain;
    struct world *w = cluster_of(cfg, &plain, false, amend);
    *seen = (struct cs_seen){.broker = 4, .begun = -1, .done = -1, .entered = -1,
                             .shutdown_offset = -1, .granted = -1};
    trace_add_sink(&w->trace, (struct trace_sink){.event = cs_watch, .ctx = seen});
    ck_assert(sched_run_until_pred(&w->sched, controller_has_broker_4, w, 10 * NS_PER_S));
    int leader = -1;
    for (int i = 0; i < VOTERS; i++) {
        leader = node_controller_image(world_host(w, i)->proc) != NULL ? i : leader;
    }
    net_cut(&w->net, leader, 3);
    world_run_until(w, world_now(w) + NS_PER_S);
    net_uncut(&w->net, leader, 3);
    world_run_until(w, 20 * NS_PER_S);
    const struct lifecycle *lc = node_lifecycle(world_host(w, 3)->proc);
    ck_assert_int_eq(lc->state, LIFECYCLE_RUNNING);
    *final_epoch = lc->broker_epoch;
    world_destroy(w);
}

START_TEST(same_incarnation_registration_is_amended_from_3_9_KAFKA_16952)
{
    struct cs_seen seen;
    int64_t epoch;
    lost_registration_answer(true, &seen, &epoch);
    ck_assert_int_eq(seen.registrations, 2);
    ck_assert(!seen.reg_amended[0]);
    ck_assert(seen.reg_amended[1]);
    ck_assert_int_eq(seen.reg_epoch[1], seen.reg_epoch[0]);
    ck_assert_int_gt(seen.reg_offset[1], seen.reg_offset[0]);
    ck_assert_int_eq(epoch, seen.reg_epoch[0]);
}
END_TEST

START_TEST(same_incarnation_registration_takes_a_new_epoch_before_3_9)
{
    struct cs_seen seen;
    int64_t epoch;
    lost_registration_answer(false, &seen, &epoch);
    ck_assert_int_eq(seen.registrations, 2);
    ck_assert(!seen.reg_amended[1]);
    ck_assert_int_eq(seen.reg_epoch[1], seen.reg_offset[1]);
    ck_assert_int_gt(seen.reg_epoch[1], seen.reg_epoch[0]);
    ck_assert_int_eq(epoch, seen.reg_epoch[1]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("broker_lifecycle");
    TCase *tc = tcase_create("lifecycle");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, broker_registers_fenced_then_is_unfenced_once_caught_up);
    tcase_add_test(tc, crashed_broker_is_fenced_a_session_timeout_after_its_last_heartbeat);
    tcase_add_test(tc, restarted_broker_waits_out_its_old_session_then_registers_anew);
    tcase_add_test(tc, duplicate_node_id_is_refused_with_duplicate_broker_registration);
    tcase_add_test(tc, registration_and_heartbeat_go_at_the_releases_versions_with_its_features);
    tcase_add_test(tc, controlled_shutdown_waits_for_lowest_active_offset_calculateNextBrokerState);
    tcase_add_test(tc, controlled_shutdown_alone_ends_on_the_50_ms_heartbeat);
    tcase_add_test(tc, controlled_shutdown_of_a_broker_leading_nothing_is_immediate_shutdown_now);
    tcase_add_test(tc, registration_epoch_is_the_offset_of_its_first_record_registerBroker);
    tcase_add_test(tc, same_incarnation_registration_is_amended_from_3_9_KAFKA_16952);
    tcase_add_test(tc, same_incarnation_registration_takes_a_new_epoch_before_3_9);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
