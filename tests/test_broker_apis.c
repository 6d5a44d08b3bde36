/* test_broker_apis.c — what a broker does with a client's requests: Metadata from its image,
 * CreateTopics/DeleteTopics forwarded to the controller in an Envelope. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "tools/admin.h"
#include "tools/kafka_storage.h"
#include "lifecycle.h"
#include "metadata/image.h"
#include "node.h"
#include "protocol/header.h"
#include "raft/listener.h"
#include "world/world.h"

#define VOTERS 3
#define BROKER 3 /* host of broker 4 */
#define ADMIN 4
#define HOSTS 5
#define CLUSTER "MkU3OEVBNTcwNTJENDM2Qk"

static const char *const names[] = {"controller-1", "controller-2", "controller-3", "broker-4",
                                    "admin"};

struct seen {
    int timed_out;  /* the broker's "forward timed out" lines */
    int forwarded;  /* Envelope requests the controllers took (their create-topic lines) */
};

static void watch(void *ctx, const struct trace_event *e)
{
    struct seen *s = ctx;
    const char *detail = trace_event_detail(e);
    s->timed_out += e->kind == TRACE_BROKER_API && strstr(detail, "forward timed out");
    s->forwarded += e->kind == TRACE_PARTITION && strstr(detail, "create-topic") != NULL;
}

static struct world *cluster(struct node_config *cfg, struct seen *seen)
{
    struct world *w = world_create(3, HOSTS, names, NULL, NULL);
    memset(seen, 0, sizeof *seen);
    trace_add_sink(&w->trace, (struct trace_sink){.event = watch, .ctx = seen});
    for (int i = 0; i < VOTERS + 1; i++) {
        node_config_default(&cfg[i], i + 1);
        snprintf(cfg[i].roles, sizeof cfg[i].roles, "%s", i < VOTERS ? "controller" : "broker");
        cfg[i].voter_count = VOTERS;
        for (int k = 0; k < VOTERS; k++) {
            cfg[i].voters[k].id = k + 1;
            snprintf(cfg[i].voters[k].host, sizeof cfg[i].voters[k].host, "%s", names[k]);
            cfg[i].voters[k].port = 9093;
        }
        snprintf(cfg[i].listener_host, sizeof cfg[i].listener_host, "%s", names[i]);
        cfg[i].forward_timeout = 5 * NS_PER_S;
        ck_assert_int_eq(kafka_storage_format(w, i, &cfg[i], CLUSTER), ENV_OK);
        host_install(world_host(w, i), &node_process, &cfg[i]);
        ck_assert(host_start(world_host(w, i)));
    }
    host_install(world_host(w, ADMIN), &admin_process, NULL);
    ck_assert(host_start(world_host(w, ADMIN)));
    return w;
}

static const struct admin_outcome *call(struct world *w, int16_t api, const char *topic,
                                        bool auto_create, time_ns wait)
{
    struct admin_call c = {.api_key = api, .to_host = BROKER, .partitions = 2,
                           .replication_factor = 1, .allow_auto_create = auto_create};
    snprintf(c.topic, sizeof c.topic, "%s", topic);
    void *admin = world_host(w, ADMIN)->proc;
    admin_start(admin, &c);
    world_run_until(w, world_now(w) + wait);
    return admin_outcome(admin);
}

/* Create, describe, delete through the broker: it forwards the admin calls in an Envelope to
 * whichever controller leads, and answers Metadata from its own image. */
START_TEST(create_describe_delete_through_a_broker)
{
    struct node_config cfg[HOSTS];
    struct seen seen;
    struct world *w = cluster(cfg, &seen);
    world_run_until(w, 5 * NS_PER_S);
    ck_assert_int_eq(node_lifecycle(world_host(w, BROKER)->proc)->state, LIFECYCLE_RUNNING);
    const struct admin_outcome *o = call(w, KAFKA_API_CREATE_TOPICS, "t", false, NS_PER_S);
    ck_assert(o->done);
    ck_assert_int_eq(o->error, KAFKA_NONE);
    ck_assert_int_eq(o->num_partitions, 2);
    ck_assert_int_eq(seen.forwarded, 1);
    o = call(w, KAFKA_API_METADATA, "t", false, NS_PER_S);
    ck_assert_int_eq(o->error, KAFKA_NONE);
    ck_assert_int_eq(o->partition_count, 2);
    /* one broker, so RF 1 and the leader is broker 4, in the ISR */
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(o->partitions[i].leader, 4);
        ck_assert_int_eq(o->partitions[i].isr_count, 1);
    }
    o = call(w, KAFKA_API_CREATE_TOPICS, "t", false, NS_PER_S);
    ck_assert_int_eq(o->error, KAFKA_TOPIC_ALREADY_EXISTS);
    ck_assert_str_eq(o->message, "Topic 't' already exists.");
    o = call(w, KAFKA_API_DELETE_TOPICS, "t", false, NS_PER_S);
    ck_assert_int_eq(o->error, KAFKA_NONE);
    ck_assert_ptr_null(metadata_image_topic(&node_listener(world_host(w, BROKER)->proc)->image,
                                            "t"));
    o = call(w, KAFKA_API_DELETE_TOPICS, "t", false, NS_PER_S);
    ck_assert_int_eq(o->error, KAFKA_UNKNOWN_TOPIC_OR_PARTITION);
    world_destroy(w);
}
END_TEST

/* auto.create.topics.enable: a Metadata request that allows it creates the topic with
 * num.partitions (1); one that does not gets UNKNOWN_TOPIC_OR_PARTITION. */
START_TEST(metadata_auto_creates_only_when_allowed)
{
    struct node_config cfg[HOSTS];
    struct seen seen;
    struct world *w = cluster(cfg, &seen);
    world_run_until(w, 5 * NS_PER_S);
    const struct admin_outcome *o = call(w, KAFKA_API_METADATA, "auto", true, 2 * NS_PER_S);
    ck_assert(o->done);
    ck_assert_int_eq(o->error, KAFKA_NONE);
    ck_assert_int_ge(o->attempts, 2); /* the first answer: LEADER_NOT_AVAILABLE */
    ck_assert_int_eq(o->partition_count, 1);
    /* not allowed: the admin client keeps asking (a retriable error) until its time is up */
    o = call(w, KAFKA_API_METADATA, "nobody", false, 61 * NS_PER_S);
    ck_assert(o->done);
    ck_assert_int_eq(o->error, KAFKA_UNKNOWN_TOPIC_OR_PARTITION);
    ck_assert_ptr_null(metadata_image_topic(&node_listener(world_host(w, BROKER)->proc)->image,
                                            "nobody"));
    world_destroy(w);
}
END_TEST

/* The broker cannot reach any controller: after its forwarding timeout it answers
 * REQUEST_TIMED_OUT; the admin client retries, and once the network heals the topic is made,
 * exactly once. */
START_TEST(forwarding_times_out_with_request_timed_out_and_the_retry_succeeds)
{
    struct node_config cfg[HOSTS];
    struct seen seen;
    struct world *w = cluster(cfg, &seen);
    world_run_until(w, 5 * NS_PER_S);
    int controllers[VOTERS] = {0, 1, 2}, broker[1] = {BROKER};
    net_partition(&w->net, controllers, VOTERS, broker, 1);
    struct admin_call c = {.api_key = KAFKA_API_CREATE_TOPICS, .to_host = BROKER,
                           .partitions = 1, .replication_factor = 1};
    snprintf(c.topic, sizeof c.topic, "late");
    void *admin = world_host(w, ADMIN)->proc;
    admin_start(admin, &c);
    world_run_until(w, world_now(w) + 12 * NS_PER_S);
    ck_assert_int_ge(seen.timed_out, 2);
    ck_assert(!admin_outcome(admin)->done);
    ck_assert_int_ge(admin_outcome(admin)->attempts, 3);
    net_heal(&w->net);
    world_run_until(w, world_now(w) + 15 * NS_PER_S);
    const struct admin_outcome *o = admin_outcome(admin);
    ck_assert(o->done);
    ck_assert_int_eq(o->error, KAFKA_NONE);
    ck_assert_int_eq(seen.forwarded, 1);
    world_destroy(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("broker_apis");
    TCase *tc = tcase_create("apis");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, create_describe_delete_through_a_broker);
    tcase_add_test(tc, metadata_auto_creates_only_when_allowed);
    tcase_add_test(tc, forwarding_times_out_with_request_timed_out_and_the_retry_succeeds);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
