/* test_broker_lifecycle.c — brokers register, are unfenced, and are fenced when they go quiet. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "kafka_storage.h"
#include "lifecycle.h"
#include "metadata/image.h"
#include "node.h"
#include "protocol/controller_rpc.h"
#include "protocol/header.h"
#include "raft/listener.h"
#include "world.h"

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
    if (e->kind == TRACE_CONTROLLER && strstr(e->detail, "reason=session-timeout") != NULL &&
        s->fenced_at < 0) {
        s->fenced_at = e->time;
    }
    if (e->kind == TRACE_BROKER_STATE && strstr(e->detail, "state=RUNNING") != NULL &&
        s->running_count < 4) {
        s->running_at[s->running_count++] = e->time;
    }
    if (e->kind == TRACE_BROKER_STATE &&
        strstr(e->detail, "Unable to register broker 4 because the controller returned error "
                          "DUPLICATE_BROKER_REGISTRATION") != NULL) {
        if (s->duplicate_refusals++ == 0) {
            snprintf(s->duplicate_line, sizeof s->duplicate_line, "h%d %s", e->host, e->detail);
        }
    }
    if (e->kind == TRACE_BROKER_STATE && strstr(e->detail, "registered") != NULL &&
        s->registered_count < 4) {
        s->registered_at[s->registered_count++] = e->time;
    }
}

/* The cluster, plus (twin) a second process configured with broker 4's node.id. */
static struct world *cluster_of(struct node_config *cfg, struct seen *seen, bool twin)
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
    return cluster_of(cfg, seen, false);
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
    struct world *w = cluster_of(cfg, &seen, true);
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
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
