/* test_seed_topology.c — the deployment guide's KRaft cluster, from its own server.properties:
 * three combined nodes, format, start, then "create a topic on any node, list it from the
 * others" (shared/seeds/kraft-properties/FORMAT.md, step 4). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/admin.h"
#include "config.h"
#include "tools/describe.h"
#include "release.h"
#include "tools/kafka_storage.h"
#include "lifecycle.h"
#include "metadata/image.h"
#include "node.h"
#include "protocol/header.h"
#include "raft/listener.h"
#include "world/world.h"

#define NODES 3
#define ADMIN NODES

static const char *const names[] = {"kafka-zk01", "kafka-zk02", "kafka-zk03", "admin"};

/* The seed file of node n: read from shared/seeds when the build can see it, else the same
 * settings written out here (the seeds differ only in node.id and host names). */
static size_t seed_text(int n, char *buf, size_t cap, char *file, size_t file_cap)
{
    snprintf(file, file_cap, "%s/seeds/kraft-properties/kafka-zk0%d-server.properties",
             KRAFTSIM_SHARED_DIR, n);
    FILE *f = fopen(file, "r");
    if (f != NULL) {
        size_t len = fread(buf, 1, cap - 1, f);
        fclose(f);
        buf[len] = '\0';
        return len;
    }
    snprintf(file, file_cap, "kafka-zk0%d/server.properties", n);
    return (size_t)snprintf(
        buf, cap,
        "process.roles=broker,controller\nnode.id=%d\n"
        "controller.quorum.voters=1@kafka-zk01:9093,2@kafka-zk02:9093,3@kafka-zk03:9093\n"
        "listeners=PLAINTEXT://kafka-zk0%d:9092,CONTROLLER://kafka-zk0%d:9093\n"
        "inter.broker.listener.name=PLAINTEXT\nadvertised.listeners=PLAINTEXT://kafka-zk0%d:9092\n"
        "controller.listener.names=CONTROLLER\n"
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT\n"
        "num.network.threads=3\nnum.io.threads=8\nlog.dirs=/usr/local/kafka/kraft-combined-logs\n"
        "num.partitions=3\ndefault.replication.factor=3\noffsets.topic.replication.factor=3\n"
        "transaction.state.log.replication.factor=3\ntransaction.state.log.min.isr=2\n"
        "min.insync.replicas=2\nlog.retention.hours=168\nlog.segment.bytes=1073741824\n"
        "log.retention.check.interval.ms=300000\n",
        n, n, n, n);
}

static struct world *seed_cluster(struct node_config *cfg, const char *version)
{
    struct world *w = world_create(31, NODES + 1, names, NULL, NULL);
    char override[64];
    snprintf(override, sizeof override, "kafka.version=%s", version);
    const char *const overrides[] = {override};
    /* 1. kafka-storage.sh random-uuid, once */
    struct rng r;
    rng_init(&r, 31, "storage", 0);
    char cluster_id[KAFKA_STORAGE_UUID_TEXT];
    kafka_storage_random_uuid(&r, cluster_id);
    for (int i = 0; i < NODES; i++) {
        char text[4096], file[1200], err[256];
        size_t len = seed_text(i + 1, text, sizeof text, file, sizeof file);
        struct kafka_config *k = malloc(sizeof *k);
        ck_assert_ptr_nonnull(k);
        struct config_error cerr;
        ck_assert_msg(config_parse_overrides(text, len, file, overrides, 1, k, &cerr) ==
                          CONFIG_OK, "%s", cerr.message);
        ck_assert_msg(node_config_from_kafka(&cfg[i], k, cluster_id, err, sizeof err) == 0,
                      "%s", err);
        free(k);
        ck_assert_str_eq(cfg[i].roles, "broker,controller");
        ck_assert_int_eq(cfg[i].voter_count, 3);
        /* 2. kafka-storage.sh format -t <id>, on every host; 3. start */
        ck_assert_int_eq(kafka_storage_format(w, i, &cfg[i], cluster_id), ENV_OK);
        host_install(world_host(w, i), &node_process, &cfg[i]);
        ck_assert(host_start(world_host(w, i)));
    }
    /* The release's kafka-topics.sh: its AdminClient's versions (Metadata v12 on 3.1). */
    host_install(world_host(w, ADMIN), &admin_process, &cfg[0].api);
    ck_assert(host_start(world_host(w, ADMIN)));
    return w;
}

static const struct admin_outcome *admin_call(struct world *w, int16_t api, int to,
                                              const char *topic)
{
    struct admin_call c = {.api_key = api, .to_host = to, .partitions = 3,
                           .replication_factor = 3};
    snprintf(c.topic, sizeof c.topic, "%s", topic);
    void *admin = world_host(w, ADMIN)->proc;
    admin_start(admin, &c);
    world_run_until(w, world_now(w) + 2 * NS_PER_S);
    const struct admin_outcome *o = admin_outcome(admin);
    ck_assert(o->done);
    return o;
}

static void check_create_on_one_see_on_all(const char *version)
{
    struct node_config cfg[NODES];
    struct world *w = seed_cluster(cfg, version);
    world_run_until(w, 5 * NS_PER_S);
    for (int i = 0; i < NODES; i++) {
        const struct lifecycle *lc = node_lifecycle(world_host(w, i)->proc);
        ck_assert_msg(lc->state == LIFECYCLE_RUNNING, "kafka %s: %s is %s", version, names[i],
                      lifecycle_state_name(lc->state));
    }
    /* 4. kafka-topics.sh --create --topic ha-check --partitions 3 --replication-factor 3
     *    --bootstrap-server kafka-zk01:9092 */
    const struct admin_outcome *o = admin_call(w, KAFKA_API_CREATE_TOPICS, 0, "ha-check");
    ck_assert_int_eq(o->error, KAFKA_NONE);
    /*    then kafka-topics.sh --describe --topic ha-check against each node */
    struct admin_partition first[3];
    for (int i = 0; i < NODES; i++) {
        o = admin_call(w, KAFKA_API_METADATA, i, "ha-check");
        ck_assert_int_eq(o->error, KAFKA_NONE);
        ck_assert_int_eq(o->partition_count, 3);
        for (int p = 0; p < 3; p++) {
            const struct admin_partition *ap = &o->partitions[p];
            ck_assert_int_eq(ap->replica_count, 3);
            ck_assert_int_eq(ap->isr_count, 3);
            ck_assert(ap->leader == ap->replicas[0]);
            if (i == 0) {
                first[p] = *ap;
            } else {
                ck_assert_int_eq(memcmp(ap, &first[p], sizeof *ap), 0);
            }
        }
    }
    /* every replica a different node, and the three leaders spread over the three nodes */
    int led[NODES + 1] = {0};
    for (int p = 0; p < 3; p++) {
        ck_assert(first[p].replicas[0] != first[p].replicas[1] &&
                  first[p].replicas[1] != first[p].replicas[2] &&
                  first[p].replicas[0] != first[p].replicas[2]);
        led[first[p].leader]++;
    }
    ck_assert(led[1] == 1 && led[2] == 1 && led[3] == 1);
    /* and the describe text each node's image gives is the same */
    char *texts[NODES];
    struct describe_tool tool = {release_find(version)->number, NULL, 0}; /* the release's */
    for (int i = 0; i < NODES; i++) {
        size_t size = 0;
        FILE *f = open_memstream(&texts[i], &size);
        ck_assert_int_eq(describe_topics(f, &tool, &node_listener(world_host(w, i)->proc)->image,
                                         "ha-check"), 0);
        fclose(f);
        ck_assert_str_eq(texts[i], texts[0]);
    }
    ck_assert_ptr_nonnull(strstr(texts[0], "Topic: ha-check\tTopicId: "));
    ck_assert_ptr_nonnull(strstr(texts[0], "PartitionCount: 3\tReplicationFactor: 3"));
    for (int i = 0; i < NODES; i++) {
        free(texts[i]);
    }
    world_destroy(w);
}

START_TEST(seed_cluster_on_kafka_3_1_creates_on_one_node_and_describes_on_all)
{
    check_create_on_one_see_on_all("3.1"); /* the release the seed files are written for */
}
END_TEST

START_TEST(seed_cluster_on_trunk_creates_on_one_node_and_describes_on_all)
{
    check_create_on_one_see_on_all("trunk");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("seed_topology");
    TCase *tc = tcase_create("seed");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, seed_cluster_on_kafka_3_1_creates_on_one_node_and_describes_on_all);
    tcase_add_test(tc, seed_cluster_on_trunk_creates_on_one_node_and_describes_on_all);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
