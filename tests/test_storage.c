/* test_storage.c — kafka-storage.sh format and the checks a node makes before it starts. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "tools/kafka_storage.h"
#include "node.h"
#include "storage.h"
#include "world/world.h"

#define VOTERS 3
#define CLUSTER "MkU3OEVBNTcwNTJENDM2Qk"

static const char *const names[] = {"controller-1", "controller-2", "controller-3"};

struct refusals {
    char text[VOTERS][600];
};

static void remember_refusal(void *ctx, const struct trace_event *e)
{
    struct refusals *r = ctx;
    if (e->kind == TRACE_NODE_REFUSE && e->host >= 0 && e->host < VOTERS) {
        snprintf(r->text[e->host], sizeof r->text[0], "%s", trace_event_detail(e));
    }
}

static struct world *cluster(struct node_config *cfg, struct refusals *refused)
{
    struct world *w = world_create(5, VOTERS, names, NULL, NULL);
    memset(refused, 0, sizeof *refused);
    trace_add_sink(&w->trace, (struct trace_sink){.event = remember_refusal, .ctx = refused});
    for (int i = 0; i < VOTERS; i++) {
        node_config_default(&cfg[i], i + 1);
        cfg[i].voter_count = VOTERS;
        for (int k = 0; k < VOTERS; k++) {
            cfg[i].voters[k].id = k + 1;
            snprintf(cfg[i].voters[k].host, sizeof cfg[i].voters[k].host, "%s", names[k]);
            cfg[i].voters[k].port = 9093;
        }
        host_install(world_host(w, i), &node_process, &cfg[i]);
    }
    return w;
}

static int leaders(struct world *w)
{
    int n = 0;
    for (int i = 0; i < VOTERS; i++) {
        struct host *h = world_host(w, i);
        if (h->proc != NULL) {
            struct quorum_view v;
            quorum_view(node_quorum(h->proc), &v);
            n += v.role == QUORUM_LEADER;
        }
    }
    return n;
}

START_TEST(meta_properties_text_parses_back_and_v1_needs_both_ids)
{
    struct meta_properties m = {.version = 1, .node_id = 3};
    snprintf(m.cluster_id, sizeof m.cluster_id, "%s", CLUSTER);
    snprintf(m.directory_id, sizeof m.directory_id, "%s", "J8aAPcfLQt2bqs1JT_rMgQ");
    char text[512], err[256];
    int len = storage_meta_text(text, sizeof text, &m, 1500 * NS_PER_MS);
    ck_assert_str_eq(text, "#\n#kraftsim virtual time 1.500 s\ncluster.id=" CLUSTER
                           "\ndirectory.id=J8aAPcfLQt2bqs1JT_rMgQ\nnode.id=3\nversion=1\n");
    struct meta_properties back;
    ck_assert_int_eq(storage_meta_parse(text, (size_t)len, "d/meta.properties", &back, err,
                                        sizeof err), 0);
    ck_assert_str_eq(back.cluster_id, CLUSTER);
    ck_assert_int_eq(back.node_id, 3);
    const char no_cluster[] = "version=1\nnode.id=3\n";
    ck_assert_int_eq(storage_meta_parse(no_cluster, strlen(no_cluster), "d/meta.properties",
                                        &back, err, sizeof err), -1);
    ck_assert_str_eq(err, "cluster.id was not specified in the v1 file: d/meta.properties");
    const char no_node[] = "version=1\ncluster.id=x\n";
    ck_assert_int_eq(storage_meta_parse(no_node, strlen(no_node), "d/meta.properties", &back,
                                        err, sizeof err), -1);
    ck_assert_str_eq(err, "node.id was not specified in d/meta.properties");
}
END_TEST

START_TEST(unformatted_node_refuses_to_start_and_the_other_two_elect)
{
    struct node_config cfg[VOTERS];
    struct refusals refused;
    struct world *w = cluster(cfg, &refused);
    ck_assert_int_eq(kafka_storage_format(w, 0, &cfg[0], CLUSTER), ENV_OK);
    ck_assert_int_eq(kafka_storage_format(w, 2, &cfg[2], CLUSTER), ENV_OK);
    ck_assert(host_start(world_host(w, 0)));
    ck_assert(!host_start(world_host(w, 1))); /* never formatted */
    ck_assert(host_start(world_host(w, 2)));
    ck_assert_str_eq(refused.text[1], "Exiting Kafka due to fatal exception: No readable "
                                      "meta.properties files found.");
    ck_assert_int_eq(world_host(w, 1)->state, HOST_DOWN);
    world_run_until(w, 10 * NS_PER_S);
    ck_assert_int_eq(leaders(w), 1);
    world_destroy(w);
}
END_TEST

START_TEST(stored_node_id_that_differs_from_the_config_is_refused_with_kafkas_words)
{
    struct node_config cfg[VOTERS];
    struct refusals refused;
    struct world *w = cluster(cfg, &refused);
    struct node_config other = cfg[2];
    other.node_id = 7; /* the data directory came from node 7 */
    ck_assert_int_eq(kafka_storage_format(w, 2, &other, CLUSTER), ENV_OK);
    ck_assert(!host_start(world_host(w, 2)));
    ck_assert_str_eq(refused.text[2],
                     "Exiting Kafka due to fatal exception: Stored node id 7 doesn't match "
                     "previous node id 3 in kraft-combined-logs/meta.properties. If you moved "
                     "your data, make sure your configured node id matches. If you intend to "
                     "create a new node, you should remove all data in your data directories.");
    world_destroy(w);
}
END_TEST

/* Kafka 3.x (voter.set.check): a controller restarted with a voter list other than the one
 * its quorum-state was written with refuses to start (QuorumState.initialize); trunk reads
 * no voters from that file and starts. */
START_TEST(voter_list_that_differs_from_the_quorum_state_is_refused_on_kafka_3_x)
{
    for (int trunk = 0; trunk <= 1; trunk++) {
        struct node_config cfg[VOTERS];
        struct refusals refused;
        struct world *w = cluster(cfg, &refused);
        for (int i = 0; i < VOTERS; i++) {
            cfg[i].quorum_state_version = 0; /* static voters: the v0 file with currentVoters */
            cfg[i].quorum.voter_set_check = !trunk;
            cfg[i].quorum.pre_vote = trunk;
            ck_assert_int_eq(kafka_storage_format(w, i, &cfg[i], CLUSTER), ENV_OK);
            ck_assert(host_start(world_host(w, i)));
        }
        world_run_until(w, 5 * NS_PER_S);
        ck_assert_int_eq(leaders(w), 1);
        /* The operator edits controller-3's voters to 1,2,4 and restarts it. */
        host_stop(world_host(w, 2));
        cfg[2].voters[2].id = 4;
        bool started = host_start(world_host(w, 2));
        ck_assert(started == (bool)trunk);
        if (!trunk) {
            ck_assert_str_eq(refused.text[2],
                             "Exiting Kafka due to fatal exception: "
                             "java.lang.IllegalStateException: Configured voter set: [1, 2, 4] "
                             "is different from the voter set read from the state file: "
                             "[1, 2, 3]. Check if the quorum configuration is up to date, or "
                             "wipe out the local state file if necessary");
        } else {
            ck_assert_str_eq(refused.text[2], "");
        }
        world_destroy(w);
    }
}
END_TEST

START_TEST(two_directories_one_unformatted_or_of_another_cluster_are_refused)
{
    struct node_config cfg[VOTERS];
    struct refusals refused;
    struct world *w = cluster(cfg, &refused);
    /* log.dirs=/data/a,/data/b with the metadata log in /data/a. */
    cfg[0].log_dir_count = 2;
    snprintf(cfg[0].log_dirs[0], sizeof cfg[0].log_dirs[0], "%s", "/data/a");
    snprintf(cfg[0].log_dirs[1], sizeof cfg[0].log_dirs[1], "%s", "/data/b");
    snprintf(cfg[0].metadata_log_dir, sizeof cfg[0].metadata_log_dir, "%s", "/data/a");
    struct node_config only_a = cfg[0];
    only_a.log_dir_count = 1;
    ck_assert_int_eq(kafka_storage_format(w, 0, &only_a, CLUSTER), ENV_OK);
    ck_assert(!host_start(world_host(w, 0)));
    ck_assert_str_eq(refused.text[0], "Exiting Kafka due to fatal exception: No "
                                      "`meta.properties` found in /data/b (have you run "
                                      "`kafka-storage.sh` to format the directory?)");
    struct node_config only_b = cfg[0];
    only_b.log_dir_count = 1;
    snprintf(only_b.log_dirs[0], sizeof only_b.log_dirs[0], "%s", "/data/b");
    snprintf(only_b.metadata_log_dir, sizeof only_b.metadata_log_dir, "%s", "/data/b");
    ck_assert_int_eq(kafka_storage_format(w, 0, &only_b, "AnotherClusterIdAAAAAA"), ENV_OK);
    ck_assert(!host_start(world_host(w, 0)));
    ck_assert_str_eq(refused.text[0], "Exiting Kafka due to fatal exception: Invalid cluster.id "
                                      "in: /data/b/meta.properties. Expected " CLUSTER
                                      ", but read AnotherClusterIdAAAAAA");
    world_destroy(w);
}
END_TEST

START_TEST(node_of_another_cluster_starts_but_is_refused_by_the_quorum)
{
    struct node_config cfg[VOTERS];
    struct refusals refused;
    struct world *w = cluster(cfg, &refused);
    for (int i = 0; i < VOTERS; i++) {
        const char *id = i == 2 ? "AnotherClusterIdAAAAAA" : CLUSTER;
        ck_assert_int_eq(kafka_storage_format(w, i, &cfg[i], id), ENV_OK);
        ck_assert(host_start(world_host(w, i)));
    }
    world_run_until(w, 20 * NS_PER_S);
    /* Nodes 1 and 2 elect; node 3's requests get INCONSISTENT_CLUSTER_ID and it never follows
     * (KafkaRaftClient answers, the sender logs and carries on: no exit). */
    ck_assert_int_eq(leaders(w), 1);
    struct quorum_view v;
    quorum_view(node_quorum(world_host(w, 2)->proc), &v);
    ck_assert_int_ne(v.role, QUORUM_FOLLOWER);
    ck_assert_int_ne(v.role, QUORUM_LEADER);
    world_destroy(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("storage");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, meta_properties_text_parses_back_and_v1_needs_both_ids);
    tcase_add_test(tc, unformatted_node_refuses_to_start_and_the_other_two_elect);
    tcase_add_test(tc, stored_node_id_that_differs_from_the_config_is_refused_with_kafkas_words);
    tcase_add_test(tc, voter_list_that_differs_from_the_quorum_state_is_refused_on_kafka_3_x);
    tcase_add_test(tc, two_directories_one_unformatted_or_of_another_cluster_are_refused);
    tcase_add_test(tc, node_of_another_cluster_starts_but_is_refused_by_the_quorum);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
