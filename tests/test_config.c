/* test_config.c — server configs: Java properties, the seeds, Kafka's rules, releases. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "node.h"
#include "release.h"

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

/* One config and one error per test (Check forks each test, so nothing leaks between them). */
static struct kafka_config cfg;
static struct config_error err;

/* Parses `text` as the file "seeds/x.properties" with optional --override entries. */
static int parse_with(const char *text, const char *const *overrides, size_t count)
{
    return config_parse_overrides(text, strlen(text), "seeds/x.properties", overrides, count,
                                  &cfg, &err);
}

static int parse(const char *text) { return parse_with(text, NULL, 0); }

/* A parse that must succeed; shows Kafka's complaint if it does not. */
#define ck_parse_ok(rc) ck_assert_msg((rc) == CONFIG_OK, "expected OK, got %s: %s", \
                                      config_err_name(rc), err.message)

/*
 * The shared folder with the seeds: KRAFTSIM_SHARED_DIR if the build defines it, else
 * "../shared" next to the source tree, found from this file's own path.
 */
static const char *shared_dir(void)
{
#ifdef KRAFTSIM_SHARED_DIR
    return KRAFTSIM_SHARED_DIR;
#else
    static char dir[1024];
    if (dir[0] == '\0') {
        snprintf(dir, sizeof dir, "%s", __FILE__);
        char *slash = strrchr(dir, '/'); /* the directory of this file: tests/ */
        if (slash != NULL) {
            *slash = '\0';
        } else {
            snprintf(dir, sizeof dir, ".");
        }
        slash = strrchr(dir, '/'); /* its parent: the source tree */
        if (slash != NULL) {
            *slash = '\0';
        } else {
            snprintf(dir, sizeof dir, "%s", strcmp(dir, ".") == 0 ? ".." : ".");
        }
        strncat(dir, "/../shared", sizeof dir - strlen(dir) - 1);
    }
    return dir;
#endif
}

/* True if the seeds are there; otherwise says why the test has nothing to check. */
static bool seeds_present(void)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/seeds", shared_dir());
    DIR *d = opendir(path);
    if (d == NULL) {
        fprintf(stderr, "test_config: skipping seed checks: %s does not exist\n", path);
        return false;
    }
    closedir(d);
    return true;
}

static void seed_path(char *out, size_t cap, const char *relative)
{
    snprintf(out, cap, "%s/seeds/%s", shared_dir(), relative);
}

/* Reads a whole seed file (YAML seeds are not properties, so the tests scan them). */
static char *read_seed(const char *relative)
{
    char path[1200];
    seed_path(path, sizeof path, relative);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *text = calloc(1, 1 << 16);
    ck_assert_ptr_nonnull(text);
    size_t n = fread(text, 1, (1 << 16) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static int load_seed(const char *relative, const char *const *overrides, size_t count)
{
    char path[1200];
    seed_path(path, sizeof path, relative);
    return config_load_file(path, overrides, count, &cfg, &err);
}

static const char *prop(const char *key)
{
    const struct config_property *item = config_properties_find(&cfg.source, key);
    return item != NULL ? config_property_value(&cfg.source, item) : NULL;
}

/* A valid three-voter KRaft cluster seen from node 1 (combined broker and controller). */
#define VOTERS_3 "controller.quorum.voters=1@h1:9093,2@h2:9093,3@h3:9093\n"
#define LISTENERS                                                                              \
    "listeners=PLAINTEXT://h1:9092,CONTROLLER://h1:9093\n"                                      \
    "controller.listener.names=CONTROLLER\n"
#define KRAFT_NODE_1 "process.roles=broker,controller\nnode.id=1\n" VOTERS_3 LISTENERS

static const char *const kafka_3_1[] = {"kafka.version=3.1"};
static const char *const kafka_2_4[] = {"kafka.version=2.4"};

/* ---------------------------------------------------------------------------------------- */
/* Java properties                                                                          */

START_TEST(properties_equals_colon_and_whitespace_all_separate_key_from_value)
{
    struct config_properties p;
    const char *text = "a=1\nb:2\nc 3\nd = 4\ne\t:\t5\nf==6\ng\nh= 7 \n";
    ck_assert_int_eq(config_properties_parse(text, strlen(text), "t", &p, &err), CONFIG_OK);
    ck_assert_uint_eq(p.count, 8);
    const char *expect[][2] = {{"a", "1"}, {"b", "2"}, {"c", "3"},  {"d", "4"},
                               {"e", "5"}, {"f", "=6"}, {"g", ""}, {"h", "7 "}};
    for (size_t i = 0; i < 8; i++) {
        ck_assert_str_eq(config_property_key(&p, &p.items[i]), expect[i][0]);
        ck_assert_str_eq(config_property_value(&p, &p.items[i]), expect[i][1]);
    }
}
END_TEST

START_TEST(properties_comments_and_blank_lines_are_skipped_but_counted)
{
    struct config_properties p;
    const char *text = "# a comment\n! another\n\n   \n  # indented comment\nkey=value\n";
    ck_assert_int_eq(config_properties_parse(text, strlen(text), "t", &p, &err), CONFIG_OK);
    ck_assert_uint_eq(p.count, 1);
    ck_assert_int_eq(p.items[0].line, 6);
    ck_assert_str_eq(config_property_value(&p, &p.items[0]), "value");
}
END_TEST

START_TEST(properties_backslash_newline_continues_and_drops_leading_whitespace)
{
    struct config_properties p;
    const char *text = "voters=1@a:1,\\\n        2@b:2,\\\n\t3@c:3\nafter=x\n";
    ck_assert_int_eq(config_properties_parse(text, strlen(text), "t", &p, &err), CONFIG_OK);
    ck_assert_uint_eq(p.count, 2);
    ck_assert_str_eq(config_property_value(&p, &p.items[0]), "1@a:1,2@b:2,3@c:3");
    ck_assert_int_eq(p.items[0].line, 1);
    ck_assert_int_eq(p.items[1].line, 4);
    /* An even number of backslashes is an escaped backslash, not a continuation. */
    text = "a=x\\\\\nb=y\n";
    ck_assert_int_eq(config_properties_parse(text, strlen(text), "t", &p, &err), CONFIG_OK);
    ck_assert_str_eq(config_property_value(&p, &p.items[0]), "x\\");
    /* A comment ending in a backslash does not swallow the next line. */
    text = "# comment \\\nc=z\n";
    ck_assert_int_eq(config_properties_parse(text, strlen(text), "t", &p, &err), CONFIG_OK);
    ck_assert_str_eq(config_property_key(&p, &p.items[0]), "c");
}
END_TEST

START_TEST(properties_escapes_tab_newline_unicode_and_escaped_separators)
{
    struct config_properties p;
    const char *text = "k\\=e\\:y\\ x=a\\tb\\nc\\u00e9\\u4e2d\\uD83D\\uDE00\\q\\#\n";
    ck_assert_int_eq(config_properties_parse(text, strlen(text), "t", &p, &err), CONFIG_OK);
    ck_assert_str_eq(config_property_key(&p, &p.items[0]), "k=e:y x");
    ck_assert_str_eq(config_property_value(&p, &p.items[0]),
                     "a\tb\nc\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80q#");
}
END_TEST

START_TEST(properties_last_duplicate_wins_and_keeps_its_own_line)
{
    struct config_properties p;
    const char *text = "a=1\nb=2\na=3\n";
    ck_assert_int_eq(config_properties_parse(text, strlen(text), "t", &p, &err), CONFIG_OK);
    ck_assert_uint_eq(p.count, 2);
    ck_assert_str_eq(config_property_value(&p, config_properties_find(&p, "a")), "3");
    ck_assert_int_eq(config_properties_find(&p, "a")->line, 3);
}
END_TEST

START_TEST(properties_crlf_and_cr_line_endings_count_one_line_each)
{
    struct config_properties p;
    const char *text = "a=1\r\nb=2\rc=3\r\n\r\nd=4";
    ck_assert_int_eq(config_properties_parse(text, strlen(text), "t", &p, &err), CONFIG_OK);
    ck_assert_uint_eq(p.count, 4);
    ck_assert_int_eq(config_properties_find(&p, "c")->line, 3);
    ck_assert_int_eq(config_properties_find(&p, "d")->line, 5);
    ck_assert_str_eq(config_property_value(&p, config_properties_find(&p, "d")), "4");
}
END_TEST

START_TEST(properties_text_ending_in_backslash_newline_reads_like_java)
{
    /* Checked against java.util.Properties.load: the backslash is dropped, and a last line
     * holding only a backslash becomes an empty key. */
    struct config_properties p;
    const char *text = "a=1\\\n";
    ck_assert_int_eq(config_properties_parse(text, strlen(text), "t", &p, &err), CONFIG_OK);
    ck_assert_str_eq(config_property_value(&p, &p.items[0]), "1");
    text = "a=1\n\\\n";
    ck_assert_int_eq(config_properties_parse(text, strlen(text), "t", &p, &err), CONFIG_OK);
    ck_assert_uint_eq(p.count, 2);
    ck_assert_str_eq(config_property_key(&p, &p.items[1]), "");
}
END_TEST

START_TEST(properties_malformed_unicode_escape_names_file_and_line)
{
    struct config_properties p;
    const char *text = "a=1\nb=\\u12G4\n";
    ck_assert_int_eq(config_properties_parse(text, strlen(text), "seeds/x.properties", &p, &err),
                     CONFIG_ESYNTAX);
    ck_assert_str_eq(err.message, "seeds/x.properties:2: Malformed \\uxxxx encoding.");
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* The seed deployments                                                                     */

START_TEST(seed_kraft_properties_three_combined_nodes_parse_as_kafka_3_1)
{
    if (!seeds_present()) {
        return;
    }
    for (int node = 1; node <= 3; node++) {
        char file[64];
        snprintf(file, sizeof file, "kraft-properties/kafka-zk0%d-server.properties", node);
        ck_parse_ok(load_seed(file, kafka_3_1, 1));
        ck_assert_str_eq(cfg.release->name, "3.1");
        ck_assert_int_eq(cfg.mode, CONFIG_MODE_KRAFT);
        ck_assert_uint_eq(cfg.process_roles, CONFIG_ROLE_BROKER | CONFIG_ROLE_CONTROLLER);
        ck_assert_int_eq(cfg.node_id, node);
        ck_assert_int_eq(cfg.broker_id, node);
        ck_assert_uint_eq(cfg.controller_quorum_voters_count, 3);
        for (int v = 0; v < 3; v++) {
            char host[32];
            snprintf(host, sizeof host, "kafka-zk0%d", v + 1);
            ck_assert_int_eq(cfg.controller_quorum_voters[v].id, v + 1);
            ck_assert_str_eq(cfg.controller_quorum_voters[v].host, host);
            ck_assert_int_eq(cfg.controller_quorum_voters[v].port, 9093);
        }
        ck_assert_int_eq(cfg.min_insync_replicas, 2);
        ck_assert_int_eq(cfg.default_replication_factor, 3);
        ck_assert_int_eq(cfg.num_partitions, 3);
        ck_assert_int_eq(cfg.offsets_topic_replication_factor, 3);
        ck_assert_int_eq(cfg.transaction_state_log_min_isr, 2);
        ck_assert_uint_eq(cfg.listeners_count, 2);
        ck_assert_str_eq(cfg.listeners[1].name, "CONTROLLER");
        ck_assert_int_eq(cfg.listeners[1].port, 9093);
        ck_assert_str_eq(cfg.controller_listener_names[0], "CONTROLLER");
        ck_assert_str_eq(config_metadata_log_dir(&cfg), "/usr/local/kafka/kraft-combined-logs");
        ck_assert_str_eq(prop("log.retention.hours"), "168");
        ck_assert_int_eq(cfg.metadata_max_idle_interval_ms, 0); /* no NoOpRecord in 3.1 */
    }
}
END_TEST

START_TEST(seed_kraft_properties_also_parse_as_trunk)
{
    if (!seeds_present()) {
        return;
    }
    ck_parse_ok(load_seed("kraft-properties/kafka-zk02-server.properties", NULL, 0));
    ck_assert_str_eq(cfg.release->name, "trunk");
    ck_assert_int_eq(cfg.node_id, 2);
    ck_assert_int_eq(config_validate_kraft(&cfg, &err), CONFIG_OK);
}
END_TEST

START_TEST(seed_zk_baremetal_brokers_parse_as_kafka_2_4_in_zookeeper_mode)
{
    if (!seeds_present()) {
        return;
    }
    for (int host = 1; host <= 3; host++) {
        char file[64];
        char ip[32];
        snprintf(file, sizeof file, "zk-baremetal/kafka%d-server.properties", host);
        snprintf(ip, sizeof ip, "192.168.154.%d", 145 + host);
        ck_parse_ok(load_seed(file, kafka_2_4, 1));
        ck_assert_int_eq(cfg.mode, CONFIG_MODE_ZOOKEEPER);
        ck_assert_int_eq(cfg.broker_id, host - 1);
        ck_assert_int_eq(cfg.node_id, host - 1);
        ck_assert_str_eq(cfg.listeners[0].host, ip);
        ck_assert_str_eq(cfg.log_dirs[0], "/usr/local/data/kafka-logs");
        ck_assert_str_eq(cfg.zookeeper_connect,
                         "192.168.154.146:2181,192.168.154.147:2181,192.168.154.148:2181");
        ck_assert_int_eq(cfg.replica_lag_time_max_ms, 10000); /* 2.4's default */
        ck_assert_int_eq(cfg.zookeeper_session_timeout_ms, 6000);
    }
}
END_TEST

START_TEST(seed_zk_baremetal_under_trunk_misses_process_roles)
{
    if (!seeds_present()) {
        return;
    }
    char path[1200];
    char expect[1400];
    seed_path(path, sizeof path, "zk-baremetal/kafka1-server.properties");
    snprintf(expect, sizeof expect,
             "%s: Missing required configuration \"process.roles\" which has no default value.",
             path);
    ck_assert_int_eq(config_load_file(path, NULL, 0, &cfg, &err), CONFIG_EMISSING);
    ck_assert_str_eq(err.message, expect);
}
END_TEST

/* Collects the KAFKA_CFG_* variables of a compose seed as --override entries. */
static size_t compose_overrides(char *text, char entries[][512], size_t cap)
{
    size_t n = 0;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        char *name = line + strspn(line, " ");
        char *colon = strstr(name, ": ");
        if (colon == NULL || n == cap) {
            continue;
        }
        *colon = '\0';
        char key[128];
        /* Bitnami: KAFKA_CFG_* are keys; KAFKA_BROKER_ID is its alias of broker.id. Three of
         * the seed's are no broker's keys (max.request.size, fetch.message.max.bytes,
         * partition.fetch.bytes): Kafka warns and ignores them, as sim/deploy/ does. */
        if (config_key_from_env(name, key, sizeof key) && config_key_find(key) != NULL) {
            snprintf(entries[n++], 512, "%s=%s", key, colon + 2);
        } else if (strcmp(name, "KAFKA_BROKER_ID") == 0) {
            snprintf(entries[n++], 512, "broker.id=%s", colon + 2);
        }
    }
    return n;
}

START_TEST(seed_kraft_compose_bitnami_variables_parse_as_kafka_3_4)
{
    if (!seeds_present()) {
        return;
    }
    static const char *const ips[] = {"10.1.11.53", "10.1.11.54", "10.1.11.58"};
    for (int node = 1; node <= 3; node++) {
        char file[64];
        char entries[32][512];
        const char *overrides[33] = {"kafka.version=3.4"};
        snprintf(file, sizeof file, "kraft-compose/node%d-docker-compose-kafka.yml", node);
        char *text = read_seed(file);
        size_t n = compose_overrides(text, entries, 32);
        for (size_t i = 0; i < n; i++) {
            overrides[i + 1] = entries[i];
        }
        ck_assert_uint_eq(n, 10); /* 12 KAFKA_CFG_*, 3 of them no broker key, KAFKA_BROKER_ID */
        ck_parse_ok(config_parse_overrides("", 0, file, overrides, n + 1, &cfg, &err));
        ck_assert_int_eq(cfg.node_id, node);
        ck_assert_uint_eq(cfg.controller_quorum_voters_count, 3);
        ck_assert_str_eq(cfg.controller_quorum_voters[2].host, "10.1.11.58");
        ck_assert_str_eq(cfg.advertised_listeners[0].host, ips[node - 1]);
        ck_assert_str_eq(cfg.listeners[0].host, ""); /* PLAINTEXT://:9092: every interface */
        ck_assert_int_eq(cfg.message_max_bytes, 52428800);
        ck_assert_int_eq(cfg.replica_fetch_max_bytes, 52428800);
        ck_assert_ptr_null(config_key_find("partition.fetch.bytes"));
        ck_assert_ptr_null(config_key_find("max.request.size"));
        ck_assert(!cfg.switches.raft_pre_vote);
        free(text);
    }
}
END_TEST

/* Collects the --override flags of the StatefulSet for pod kafka-0 (HOSTNAME=kafka-0). */
static size_t statefulset_overrides(char *text, char entries[][512], size_t cap)
{
    size_t n = 0;
    for (char *at = strstr(text, "--override "); at != NULL && n < cap;
         at = strstr(at + 1, "--override ")) {
        char *value = at + strlen("--override ");
        size_t len = strcspn(value, " \n\"");
        snprintf(entries[n], 512, "%.*s", (int)len, value);
        /* the shell expands ${HOSTNAME##*-} to 0 and $((0+30127)) to 30127 */
        char *shell = strstr(entries[n], "$((${HOSTNAME##*-}+30127))");
        if (shell != NULL) {
            strcpy(shell, "30127");
        }
        shell = strstr(entries[n], "${HOSTNAME##*-}");
        if (shell != NULL) {
            strcpy(shell, "0");
        }
        n++;
    }
    return n;
}

START_TEST(seed_zk_kubernetes_overrides_parse_as_kafka_3_5_for_pod_kafka_0)
{
    if (!seeds_present()) {
        return;
    }
    char entries[128][512];
    const char *overrides[129] = {"kafka.version=3.5"};
    char *text = read_seed("zk-kubernetes/kafka-statefulset.yaml");
    size_t n = statefulset_overrides(text, entries, 128);
    for (size_t i = 0; i < n; i++) {
        overrides[i + 1] = entries[i];
    }
    ck_assert_uint_eq(n, 87);
    ck_parse_ok(config_parse_overrides("", 0, "kafka-statefulset", overrides, n + 1, &cfg, &err));
    ck_assert_int_eq(cfg.mode, CONFIG_MODE_ZOOKEEPER);
    ck_assert_int_eq(cfg.broker_id, 0);
    ck_assert_int_eq(cfg.advertised_listeners[0].port, 30127);
    ck_assert(cfg.unclean_leader_election_enable);
    ck_assert_int_eq(cfg.min_insync_replicas, 1);
    ck_assert_int_eq(cfg.default_replication_factor, 1);
    ck_assert_int_eq(cfg.replica_lag_time_max_ms, 10000);
    ck_assert_int_eq(cfg.log_flush_scheduler_interval_ms, INT64_MAX);
    ck_assert_str_eq(cfg.log_dirs[0], "/var/lib/kafka/");
    ck_assert_ptr_nonnull(strstr(cfg.zookeeper_connect, "zk-0.zk-hs.default.svc.cluster.local"));
    ck_assert(!cfg.switches.replication_hw_frozen_below_min_isr); /* not in 3.5 */
    free(text);
}
END_TEST

START_TEST(every_key_any_seed_sets_is_a_known_key)
{
    if (!seeds_present()) {
        return;
    }
    static const char *const files[] = {
        "kraft-properties/kafka-zk01-server.properties", "zk-baremetal/kafka1-server.properties"};
    for (size_t f = 0; f < 2; f++) {
        char path[1200];
        seed_path(path, sizeof path, files[f]);
        char *text = read_seed(files[f]);
        struct config_properties p;
        ck_assert_int_eq(config_properties_parse(text, strlen(text), path, &p, &err), CONFIG_OK);
        for (size_t i = 0; i < p.count; i++) {
            const char *key = config_property_key(&p, &p.items[i]);
            ck_assert_msg(config_key_find(key) != NULL, "%s: %s unknown", files[f], key);
        }
        free(text);
    }
    char entries[128][512];
    char *text = read_seed("zk-kubernetes/kafka-statefulset.yaml");
    size_t n = statefulset_overrides(text, entries, 128);
    for (size_t i = 0; i < n; i++) {
        *strchr(entries[i], '=') = '\0';
        ck_assert_msg(config_key_find(entries[i]) != NULL, "override %s unknown", entries[i]);
    }
    free(text);
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* Errors, in Kafka's words                                                                 */

START_TEST(unknown_key_names_file_line_and_the_nearest_known_key)
{
    const char *text = "process.roles=broker,controller\n"
                       "node.id=1\n"
                       "\n"
                       "num.netwrk.threads=3\n";
    ck_assert_int_eq(parse(text), CONFIG_EUNKNOWN);
    ck_assert_str_eq(err.message, "seeds/x.properties:4: unknown config key 'num.netwrk.threads'"
                                  " (did you mean 'num.network.threads'?)");
    ck_assert_int_eq(parse("zzz.qqq=1\n"), CONFIG_EUNKNOWN);
    ck_assert_str_eq(err.message, "seeds/x.properties:1: unknown config key 'zzz.qqq'");
}
END_TEST

START_TEST(bad_integer_names_key_with_configdef_wording)
{
    ck_assert_int_eq(parse("\n\ncontroller.quorum.election.timeout.ms=abc\n"), CONFIG_EVALUE);
    ck_assert_str_eq(err.message, "seeds/x.properties:3: Invalid value abc for configuration "
                                  "controller.quorum.election.timeout.ms: Not a number of type "
                                  "INT");
    ck_assert_int_eq(parse("replica.lag.time.max.ms=9223372036854775808\n"), CONFIG_EVALUE);
    ck_assert_str_eq(err.message, "seeds/x.properties:1: Invalid value 9223372036854775808 for "
                                  "configuration replica.lag.time.max.ms: Not a number of type "
                                  "LONG");
    ck_assert_int_eq(parse("auto.create.topics.enable=yes\n"), CONFIG_EVALUE);
    ck_assert_str_eq(err.message, "seeds/x.properties:1: Invalid value yes for configuration "
                                  "auto.create.topics.enable: Expected value to be either true or "
                                  "false");
    ck_assert_int_eq(parse("min.insync.replicas=0\n"), CONFIG_EVALUE);
    ck_assert_str_eq(err.message, "seeds/x.properties:1: Invalid value 0 for configuration "
                                  "min.insync.replicas: Value must be at least 1");
    ck_assert_int_eq(parse("log.cleaner.min.cleanable.ratio=half\n"), CONFIG_EVALUE);
}
END_TEST

START_TEST(malformed_voters_entries_use_quorum_config_wording)
{
    static const struct {
        const char *voters;
        const char *message;
    } cases[] = {
        {"1@kafka-zk01:9093,2:kafka-zk02:9093",
         "Invalid configuration value for controller.quorum.voters. Each entry should be in the "
         "form `{id}@{host}:{port}`."},
        {"one@kafka-zk01:9093", "Failed to parse voter ID as an integer from one"},
        {"1@kafka-zk01",
         "Failed to parse host name from entry 1@kafka-zk01 for the configuration "
         "controller.quorum.voters. Each entry should be in the form `{id}@{host}:{port}`."},
        {"1@kafka zk01:9093",
         "Failed to parse host name from entry 1@kafka zk01:9093 for the configuration "
         "controller.quorum.voters. Each entry should be in the form `{id}@{host}:{port}`."},
        {"1@kafka-zk01:70000", "port out of range:70000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        char expect[512];
        snprintf(text, sizeof text, "process.roles=controller\ncontroller.quorum.voters=%s\n",
                 cases[i].voters);
        snprintf(expect, sizeof expect, "seeds/x.properties:2: %s", cases[i].message);
        ck_assert_int_eq(parse(text), CONFIG_EVALUE);
        ck_assert_str_eq(err.message, expect);
    }
}
END_TEST

START_TEST(unknown_kafka_version_and_keys_newer_than_the_release_are_errors)
{
    ck_assert_int_eq(parse("node.id=1\nkafka.version=3.6\n"), CONFIG_ERELEASE);
    ck_assert_str_eq(err.message, "seeds/x.properties:2: Invalid value 3.6 for configuration "
                                  "kafka.version: String must be one of: 2.4, 3.1, 3.4, 3.5, 3.7, "
                                  "3.9, 4.0, 4.1, trunk (alias latest)");
    ck_assert_int_eq(parse("kafka.version=3.4\ncontroller.quorum.bootstrap.servers=a:9093\n"),
                     CONFIG_ERELEASE);
    ck_assert_str_eq(err.message, "seeds/x.properties:2: config key "
                                  "'controller.quorum.bootstrap.servers' is not in Kafka 3.4 "
                                  "(added in 3.8)");
    ck_assert_int_eq(parse("kafka.version=2.4\nprocess.roles=broker\n"), CONFIG_ERELEASE);
    ck_assert_str_eq(err.message, "seeds/x.properties:2: config key 'process.roles' is not in "
                                  "Kafka 2.4 (added in 2.8)");
}
END_TEST

START_TEST(unknown_switch_and_bad_switch_values_name_the_key)
{
    ck_assert_int_eq(parse("kafka.version=3.9\nkraftsim.switch.raft.pre.vot=true\n"),
                     CONFIG_ESWITCH);
    ck_assert_str_eq(err.message,
                     "seeds/x.properties:2: unknown switch 'kraftsim.switch.raft.pre.vot'");
    ck_assert_int_eq(parse("kraftsim.switch.raft.lost.election.backoff=linear\n"),
                     CONFIG_ESWITCH);
    ck_assert_str_eq(err.message, "seeds/x.properties:1: Invalid value linear for configuration "
                                  "kraftsim.switch.raft.lost.election.backoff: String must be "
                                  "one of: exponential, exponential-prospective, "
                                  "exponential-4.0.1, none");
    ck_assert_int_eq(parse("kraftsim.switch.raft.rpc.vote.max=3\n"), CONFIG_ESWITCH);
    ck_assert_str_eq(err.message, "seeds/x.properties:1: Invalid value 3 for configuration "
                                  "kraftsim.switch.raft.rpc.vote.max: Value must be no more "
                                  "than 2");
}
END_TEST

START_TEST(pre_vote_on_3_9_needs_vote_v2_too)
{
    const char *text = KRAFT_NODE_1 "kafka.version=3.9\nkraftsim.switch.raft.pre.vote=true\n";
    ck_assert_int_eq(parse(text), CONFIG_ESWITCH);
    ck_assert_str_eq(err.message, "seeds/x.properties: kraftsim.switch.raft.pre.vote=true needs "
                                  "Vote v2 (KIP-996), but kraftsim.switch.raft.rpc.vote.max=1");
    static const char *const both[] = {"kraftsim.switch.raft.rpc.vote.max=2"};
    ck_parse_ok(parse_with(text, both, 1));
    ck_assert(cfg.switches.raft_pre_vote);
}
END_TEST

/* Csv.parseCsvMap (listener.security.protocol.map): a listener name or protocol too long for
 * kraftsim's fixed CONFIG_NAME_BYTES is refused (ASan once saw uninitialised stack read). */
START_TEST(overlong_protocol_map_names_are_refused_not_read_past)
{
    char text[512];
    char p64[65], n64[65];
    memset(p64, 'P', 64);
    p64[64] = '\0';
    memset(n64, 'N', 64);
    n64[64] = '\0';
    snprintf(text, sizeof text, "listener.security.protocol.map=X:%s\n", p64);
    ck_assert_int_eq(parse(text), CONFIG_EVALUE);
    ck_assert_str_eq(err.message, "seeds/x.properties:1: Invalid security protocol longer than "
                                  "63 bytes defined in listener.security.protocol.map");
    snprintf(text, sizeof text, "listener.security.protocol.map=%s:PLAINTEXT\n", n64);
    ck_assert_int_eq(parse(text), CONFIG_ELIMIT);
    ck_assert_str_eq(err.message, "seeds/x.properties:1: listener name longer than 63 bytes in "
                                  "listener.security.protocol.map");
    n64[63] = '\0'; /* 63 bytes still fit: the parse goes on to the missing required keys */
    snprintf(text, sizeof text, "listener.security.protocol.map=%s:PLAINTEXT\n", n64);
    ck_assert_int_eq(parse(text), CONFIG_EMISSING);
}
END_TEST

/* java.util.Properties.load unescapes "\\n" in keys and values; the error line stays one. */
START_TEST(escaped_newlines_never_split_an_error_message)
{
    ck_assert_int_ne(parse("a\\nb=1\n"), CONFIG_OK);
    ck_assert_ptr_null(strchr(err.message, '\n'));
    ck_assert_ptr_nonnull(strstr(err.message, "a?b"));
    ck_assert_int_ne(parse("node.id=1\\n2\n"), CONFIG_OK);
    ck_assert_ptr_null(strchr(err.message, '\n'));
    ck_assert_ptr_nonnull(strstr(err.message, "1?2"));
}
END_TEST

START_TEST(override_without_equals_and_missing_file_are_reported)
{
    static const char *const bad[] = {"kafka.version=3.4", "broker.id"};
    ck_assert_int_eq(parse_with("", bad, 2), CONFIG_ESYNTAX);
    ck_assert_str_eq(err.message, "--override:2: expected key=value, got 'broker.id'");
    ck_assert_int_eq(config_load_file("/nonexistent/server.properties", NULL, 0, &cfg, &err),
                     CONFIG_EIO);
    ck_assert_str_eq(err.message,
                     "/nonexistent/server.properties: cannot open: No such file or directory");
    config_error_wrapf(&err, "host %s: ", "kafka-zk01");
    ck_assert_str_eq(err.message, "host kafka-zk01: /nonexistent/server.properties: cannot "
                                  "open: No such file or directory");
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* KRaft and ZooKeeper rules                                                                */

START_TEST(controller_whose_node_id_is_not_a_voter_is_refused)
{
    const char *text = "process.roles=broker,controller\nnode.id=4\n" VOTERS_3 LISTENERS;
    ck_assert_int_eq(parse(text), CONFIG_EINVALID);
    ck_assert_str_eq(err.message, "seeds/x.properties: requirement failed: If process.roles "
                                  "contains the 'controller' role, the node id 4 must be "
                                  "included in the set of voters "
                                  "controller.quorum.voters=Set(1, 2, 3)");
}
END_TEST

START_TEST(voter_set_prints_in_java_hash_map_order_like_a_real_kafka_log)
{
    /* A real 3.x log: "... node id 11001 must be included in the set of voters
     * controller.quorum.voters=Set(13001, 10001, 12001)": all three share bucket 1 of 4. */
    const char *text = "process.roles=controller\nnode.id=11001\n"
                       "controller.quorum.voters=13001@a:9093,10001@b:9093,12001@c:9093\n"
                       "listeners=CONTROLLER://:9093\ncontroller.listener.names=CONTROLLER\n";
    ck_assert_int_eq(parse(text), CONFIG_EINVALID);
    ck_assert_ptr_nonnull(strstr(err.message, "controller.quorum.voters=Set(13001, 10001, "
                                              "12001)"));
}
END_TEST

START_TEST(broker_only_node_listed_as_voter_is_refused)
{
    const char *text = "process.roles=broker\nnode.id=1\n" VOTERS_3
                       "listeners=PLAINTEXT://h1:9092\ncontroller.listener.names=CONTROLLER\n"
                       "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT\n";
    ck_assert_int_eq(parse(text), CONFIG_EINVALID);
    ck_assert_str_eq(err.message, "seeds/x.properties: requirement failed: If process.roles "
                                  "contains just the 'broker' role, the node id 1 must not be "
                                  "included in the set of voters "
                                  "controller.quorum.voters=Set(1, 2, 3)");
    /* node 4, not a voter, is a valid broker */
    ck_parse_ok(parse("process.roles=broker\nnode.id=4\n" VOTERS_3
                      "listeners=PLAINTEXT://h4:9092\ncontroller.listener.names=CONTROLLER\n"));
    ck_assert_int_eq(config_validate_kraft(&cfg, &err), CONFIG_OK);
}
END_TEST

START_TEST(neither_voters_nor_bootstrap_servers_uses_the_release_wording)
{
    const char *text = "process.roles=broker,controller\nnode.id=1\n" LISTENERS;
    ck_assert_int_eq(parse(text), CONFIG_EMISSING);
    ck_assert_str_eq(err.message, "seeds/x.properties: If using process.roles, either "
                                  "controller.quorum.bootstrap.servers must contain the set of "
                                  "bootstrap controllers or controller.quorum.voters must "
                                  "contain a parseable set of controllers.");
    ck_assert_int_eq(parse_with(text, (const char *const[]){"kafka.version=3.4"}, 1),
                     CONFIG_EMISSING);
    ck_assert_str_eq(err.message, "seeds/x.properties: If using process.roles, "
                                  "controller.quorum.voters must contain a parseable set of "
                                  "voters.");
    ck_parse_ok(parse_with(text, (const char *const[]){"controller.quorum.bootstrap.servers="
                                                       "h1:9093"}, 1));
    ck_assert_str_eq(cfg.controller_quorum_bootstrap_servers[0].host, "h1");
}
END_TEST

START_TEST(node_id_is_required_from_4_0_and_means_unset_before)
{
    const char *text = "process.roles=broker,controller\n" VOTERS_3 LISTENERS;
    ck_assert_int_eq(parse(text), CONFIG_EMISSING);
    ck_assert_str_eq(err.message, "seeds/x.properties: Missing required configuration "
                                  "\"node.id\" which has no default value.");
    ck_assert_int_eq(parse_with(text, (const char *const[]){"node.id=-1"}, 1), CONFIG_EVALUE);
    ck_assert_str_eq(err.message, "seeds/x.properties: Invalid value -1 for configuration "
                                  "node.id: Value must be at least 0");
    ck_assert_int_eq(parse_with(text, kafka_3_1, 1), CONFIG_EMISSING);
    ck_assert_str_eq(err.message, "seeds/x.properties: Missing configuration `node.id` which is "
                                  "required when `process.roles` is defined (i.e. when running "
                                  "in KRaft mode).");
    ck_parse_ok(parse_with(text, (const char *const[]){"broker.id=2"}, 1)); /* a synonym */
    ck_assert_int_eq(cfg.node_id, 2);
}
END_TEST

START_TEST(controller_listener_names_must_be_set_in_kraft_mode)
{
    const char *text = "process.roles=broker,controller\nnode.id=1\n" VOTERS_3
                       "listeners=PLAINTEXT://h1:9092,CONTROLLER://h1:9093\n";
    ck_assert_int_eq(parse(text), CONFIG_EMISSING);
    ck_assert_str_eq(err.message, "seeds/x.properties: Missing required configuration "
                                  "\"controller.listener.names\" which has no default value.");
    ck_assert_int_eq(parse_with(text, (const char *const[]){"kafka.version=4.1"}, 1),
                     CONFIG_EINVALID);
    ck_assert_str_eq(err.message, "seeds/x.properties: requirement failed: "
                                  "controller.listener.names must contain at least one value "
                                  "appearing in the 'listeners' configuration when running the "
                                  "KRaft controller role");
    ck_assert_int_eq(parse("process.roles=broker\nnode.id=5\n" VOTERS_3 "kafka.version=3.4\n"),
                     CONFIG_EINVALID);
    ck_assert_str_eq(err.message, "seeds/x.properties: requirement failed: "
                                  "controller.listener.names must contain at least one value "
                                  "when running KRaft with just the broker role");
}
END_TEST

START_TEST(process_roles_accept_only_broker_and_controller)
{
    ck_assert_int_eq(parse("process.roles=broker,zookeeper\n"), CONFIG_EVALUE);
    ck_assert_str_eq(err.message, "seeds/x.properties:1: Invalid value zookeeper for "
                                  "configuration process.roles: String must be one of: broker, "
                                  "controller");
    ck_assert_int_eq(parse("process.roles=broker,broker\n"), CONFIG_EVALUE);
    ck_assert_str_eq(err.message, "seeds/x.properties:1: Configuration 'process.roles' values "
                                  "must not be duplicated.");
}
END_TEST

/* Found by tests/fuzz/fuzz_properties: Properties.load turns the escapes \r, \n and \t into
 * control characters inside a value, and the value was quoted into the message as is, so the
 * one-line error became two lines. Control characters are now shown as '?' (Java's trim and
 * the list split on \\s*,\\s* still drop them around values and commas, as here). */
START_TEST(a_value_with_escaped_control_characters_still_gives_a_one_line_error)
{
    ck_assert_int_eq(parse("process.roles=bro\\rker,con\\ntroller\n"), CONFIG_EVALUE);
    ck_assert_str_eq(err.message, "seeds/x.properties:1: Invalid value bro?ker for "
                                  "configuration process.roles: String must be one of: broker, "
                                  "controller");
    ck_assert_int_eq(parse("node.id=1\\t2\n"), CONFIG_EVALUE);
    ck_assert_ptr_null(strpbrk(err.message, "\r\n\t"));
}
END_TEST

START_TEST(zookeeper_mode_needs_zookeeper_connect_and_no_controller_listeners)
{
    ck_assert_int_eq(parse_with("broker.id=0\n", (const char *const[]){"kafka.version=3.5"}, 1),
                     CONFIG_EMISSING);
    ck_assert_str_eq(err.message, "seeds/x.properties: Missing required configuration "
                                  "`zookeeper.connect` which has no default value.");
    const char *text = "broker.id=0\nzookeeper.connect=zk:2181\ncontroller.listener.names=C\n";
    ck_assert_int_eq(parse_with(text, (const char *const[]){"kafka.version=3.5"}, 1),
                     CONFIG_EINVALID);
    ck_assert_str_eq(err.message, "seeds/x.properties: requirement failed: "
                                  "controller.listener.names must be empty when not running in "
                                  "KRaft mode: [C]");
}
END_TEST

START_TEST(listener_without_security_protocol_and_bad_inter_broker_listener_are_refused)
{
    const char *text = "process.roles=broker,controller\nnode.id=1\n" VOTERS_3
                       "listeners=PLAINTEXT://h1:9092,CONTROLLER://h1:9093,FOO://h1:9094\n"
                       "controller.listener.names=CONTROLLER\n";
    ck_assert_int_eq(parse(text), CONFIG_EINVALID);
    ck_assert_str_eq(err.message, "seeds/x.properties: Error creating broker listeners from "
                                  "'PLAINTEXT://h1:9092,CONTROLLER://h1:9093,FOO://h1:9094': No "
                                  "security protocol defined for listener FOO");
    text = KRAFT_NODE_1 "inter.broker.listener.name=INTERNAL\n";
    ck_assert_int_eq(parse(text), CONFIG_EINVALID);
    ck_assert_str_eq(err.message, "seeds/x.properties: Listener with name INTERNAL defined in "
                                  "inter.broker.listener.name not found in "
                                  "listener.security.protocol.map.");
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* Defaults and releases                                                                    */

START_TEST(trunk_defaults_match_kraft_md_section_4)
{
    config_defaults(&cfg, NULL);
    ck_assert_str_eq(cfg.release->name, "trunk");
    ck_assert_int_eq(cfg.controller_quorum_election_timeout_ms, 1000);
    ck_assert_int_eq(cfg.controller_quorum_fetch_timeout_ms, 2000);
    ck_assert_int_eq(cfg.controller_quorum_election_backoff_max_ms, 1000);
    ck_assert_int_eq(cfg.controller_quorum_request_timeout_ms, 2000);
    ck_assert_int_eq(cfg.controller_quorum_retry_backoff_ms, 20);
    ck_assert_int_eq(cfg.controller_quorum_append_linger_ms, 25);
    ck_assert(!cfg.controller_quorum_auto_join_enable);
    ck_assert_int_eq(cfg.controller_quorum_fetch_max_bytes, 1048576);
    ck_assert_int_eq(cfg.controller_quorum_fetch_snapshot_max_bytes, 1048576);
    ck_assert_int_eq(cfg.broker_heartbeat_interval_ms, 2000);
    ck_assert_int_eq(cfg.broker_session_timeout_ms, 9000);
    ck_assert_int_eq(cfg.metadata_log_max_record_bytes_between_snapshots, 20971520);
    ck_assert_int_eq(cfg.metadata_log_max_snapshot_interval_ms, 3600000);
    ck_assert_int_eq(cfg.metadata_max_idle_interval_ms, 500);
    ck_assert_int_eq(cfg.metadata_log_segment_bytes, 1073741824);
    ck_assert_str_eq(config_metadata_log_dir(&cfg), "/tmp/kafka-logs");
    ck_assert_int_eq(cfg.replica_lag_time_max_ms, 30000);
    ck_assert(!cfg.unclean_leader_election_enable);
    ck_assert_int_eq(cfg.unclean_leader_election_interval_ms, 300000);
    ck_assert_int_eq(cfg.min_insync_replicas, 1);
    ck_assert_int_eq(cfg.default_replication_factor, 1);
    ck_assert_int_eq(cfg.num_partitions, 1);
    ck_assert(cfg.auto_create_topics_enable);
    ck_assert_int_eq(cfg.log_flush_interval_messages, INT64_MAX);
    ck_assert_int_eq(cfg.log_flush_interval_ms, -1); /* null */
    ck_assert_int_eq(cfg.log_flush_scheduler_interval_ms, INT64_MAX);
    ck_assert_int_eq(cfg.offsets_topic_replication_factor, 3);
    ck_assert_int_eq(cfg.offsets_topic_num_partitions, 50);
    ck_assert_int_eq(cfg.transaction_state_log_replication_factor, 3);
    ck_assert_int_eq(cfg.transaction_state_log_min_isr, 2);
    ck_assert_int_eq(cfg.message_max_bytes, 1048588);
    ck_assert_int_eq(cfg.replica_fetch_wait_max_ms, 500);
    ck_assert_int_eq(cfg.replica_fetch_max_bytes, 1048576);
    ck_assert_int_eq(cfg.group_initial_rebalance_delay_ms, 3000);
    ck_assert_int_eq(cfg.zookeeper_session_timeout_ms, 18000);
    ck_assert_int_eq(cfg.node_id, -1);
    ck_assert_uint_eq(cfg.process_roles, 0);
    ck_assert_str_eq(cfg.listeners[0].name, "PLAINTEXT");
    ck_assert_int_eq(cfg.listeners[0].port, 9092);
}
END_TEST

START_TEST(older_releases_change_the_defaults_they_changed)
{
    config_defaults(&cfg, release_find("2.4"));
    ck_assert_int_eq(cfg.replica_lag_time_max_ms, 10000);
    ck_assert_int_eq(cfg.zookeeper_session_timeout_ms, 6000);
    ck_assert_int_eq(cfg.message_max_bytes, 1000012);
    config_defaults(&cfg, release_find("3.4"));
    ck_assert_int_eq(cfg.controller_quorum_fetch_max_bytes, 8388608);
    ck_assert_int_eq(cfg.metadata_max_idle_interval_ms, 500);
    config_defaults(&cfg, release_find("3.1"));
    ck_assert_int_eq(cfg.metadata_max_idle_interval_ms, 0);
    ck_assert_int_eq(cfg.metadata_log_max_snapshot_interval_ms, 0);
}
END_TEST

START_TEST(key_table_is_sorted_and_every_default_parses)
{
    size_t count;
    const struct config_key *keys = config_keys(&count);
    ck_assert(config_keys_check());
    ck_assert_uint_gt(count, 120);
    for (size_t i = 0; i < count; i++) {
        ck_assert_ptr_eq(config_key_find(keys[i].name), &keys[i]);
    }
    ck_assert(!config_key_find("num.network.threads")->modelled);
    ck_assert(config_key_find("min.insync.replicas")->modelled);
    ck_assert(config_key_prefix_accepted("ssl.keystore.location"));
    ck_assert(config_key_prefix_accepted("listener.name.controller.ssl.key.password"));
    ck_assert(!config_key_prefix_accepted("ssl."));
    char key[64];
    ck_assert(config_key_from_env("KAFKA_CFG_CONTROLLER_QUORUM_VOTERS", key, sizeof key));
    ck_assert_str_eq(key, "controller.quorum.voters");
    ck_assert(!config_key_from_env("KAFKA_HEAP_OPTS", key, sizeof key));
}
END_TEST

START_TEST(release_3_4_has_neither_pre_vote_nor_check_quorum)
{
    const struct kafka_release *r = release_find("3.4");
    struct kafka_switches s = switches_from_release(r);
    ck_assert(!s.raft_pre_vote);
    ck_assert(!s.raft_check_quorum);
    ck_assert_int_eq(s.raft_lost_election_backoff, LOST_ELECTION_BACKOFF_EXPONENTIAL);
    ck_assert(s.raft_voted_state);
    ck_assert(s.raft_voter_set_check);
    ck_assert(s.replication_isr_shrink_bumps_leader_epoch);
    ck_assert_int_eq(s.raft_rpc.describe_quorum_version_max, 1);
    ck_assert_int_eq(s.raft_rpc.fetch_version_max, 13);
    ck_assert(release_supports(r, RELEASE_MODE_KRAFT));
    ck_assert(release_supports(r, RELEASE_MODE_ZOOKEEPER));
}
END_TEST

START_TEST(release_3_7_resigns_on_check_quorum_and_freezes_hw_below_min_isr)
{
    struct kafka_switches s = switches_from_release(release_find("3.7"));
    ck_assert(s.raft_check_quorum);
    ck_assert(!s.raft_pre_vote);
    ck_assert(s.replication_hw_frozen_below_min_isr);
    ck_assert(!s.replication_isr_shrink_bumps_leader_epoch);
    ck_assert_int_eq(s.raft_rpc.fetch_version_max, 16);
    s = switches_from_release(release_find("3.5"));
    ck_assert(!s.replication_hw_frozen_below_min_isr);
    ck_assert_int_eq(s.raft_rpc.fetch_version_max, 15);
}
END_TEST

START_TEST(release_4_0_pre_votes_and_backs_off_into_prospective)
{
    const struct kafka_release *r = release_find("4.0");
    struct kafka_switches s = switches_from_release(r);
    ck_assert(s.raft_pre_vote);
    ck_assert(s.raft_check_quorum);
    ck_assert_int_eq(s.raft_lost_election_backoff, LOST_ELECTION_BACKOFF_EXPONENTIAL_PROSPECTIVE);
    ck_assert_int_eq(s.raft_rpc.vote_version_max, 2);
    ck_assert(!s.raft_fetch_high_watermark);
    ck_assert(!s.replication_elr);
    ck_assert(!release_supports(r, RELEASE_MODE_ZOOKEEPER));
    ck_assert(!release_supports(release_find("2.4"), RELEASE_MODE_KRAFT));
}
END_TEST

START_TEST(trunk_waits_out_the_election_timeout_and_latest_is_trunk)
{
    ck_assert_ptr_eq(release_find("latest"), release_default());
    ck_assert_ptr_null(release_find("3.6"));
    struct kafka_switches s = switches_from_release(release_default());
    ck_assert_int_eq(s.raft_lost_election_backoff, LOST_ELECTION_BACKOFF_NONE);
    ck_assert_int_eq(s.raft_begin_quorum_resend, BEGIN_QUORUM_RESEND_LAGGING);
    ck_assert(s.raft_fetch_high_watermark);
    ck_assert(s.replication_elr);
    ck_assert_str_eq(lost_election_backoff_name(s.raft_lost_election_backoff), "none");
    s = switches_from_release(release_find("4.1"));
    ck_assert_int_eq(s.raft_begin_quorum_resend, BEGIN_QUORUM_RESEND_ALL);
    ck_assert_int_eq(s.raft_rpc.fetch_version_max, 18);
}
END_TEST

START_TEST(every_release_is_consistent_and_every_switch_is_documented)
{
    for (size_t i = 0; i < release_count(); i++) {
        struct kafka_switches s = switches_from_release(release_at(i));
        ck_assert_msg(switches_check(&s, &err) == CONFIG_OK, "%s: %s", release_at(i)->name,
                      err.message);
        ck_assert(s.replication_leader_epoch_truncation);
        ck_assert(i == 0 || release_at(i - 1)->number < release_at(i)->number);
    }
    size_t count;
    const struct switch_info *list = switches_list(&count);
    ck_assert_uint_eq(count, 23);
    /* ConfigurationControlManager.uncleanLeaderElectionEnabledForTopic reads the config from
     * 3.9 (KAFKA-12670); 3.1-3.7 return false. */
    static const char *const reads[] = {"3.9", "4.0", "4.1", "trunk"};
    static const char *const ignores[] = {"3.1", "3.4", "3.5", "3.7"};
    for (size_t i = 0; i < 4; i++) {
        ck_assert(switches_from_release(release_find(reads[i]))
                      .replication_unclean_election_config);
        ck_assert(!switches_from_release(release_find(ignores[i]))
                       .replication_unclean_election_config);
        /* ClusterControlManager.registerBroker keeps the epoch of the same incarnation from
         * 3.9 (KAFKA-16952). */
        ck_assert(switches_from_release(release_find(reads[i])).controller_registration_amend);
        ck_assert(!switches_from_release(release_find(ignores[i]))
                       .controller_registration_amend);
    }
    for (size_t i = 0; i < count; i++) {
        ck_assert_uint_gt(strlen(list[i].doc), 40);
        ck_assert_uint_gt(strlen(list[i].releases), 3);
    }
}
END_TEST

/* Whom a follower asks when its leader is silent, by release (KafkaRaftClient): voters use
 * maybeSendFetchToBestNode from 3.9 (pollFollowerAsVoter); observers have their own fetch
 * timer through 4.1, dropped by KAFKA-19354 in 4.2 (pollFollowerAsObserver). */
START_TEST(follower_best_node_from_3_9_and_observer_fetch_timer_through_4_1)
{
    static const char *const names[] = {"3.1", "3.4", "3.5", "3.7", "3.9", "4.0", "4.1",
                                        "trunk"};
    static const bool best[] = {false, false, false, false, true, true, true, true};
    static const bool timer[] = {true, true, true, true, true, true, true, false};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct kafka_switches s = switches_from_release(release_find(names[i]));
        ck_assert_msg(s.raft_follower_best_node == best[i], "%s", names[i]);
        ck_assert_msg(s.raft_observer_fetch_timeout == timer[i], "%s", names[i]);
    }
    struct kafka_switches s = switches_from_release(release_default());
    ck_assert_int_eq(switch_set(&s, "raft.observer.fetch.timeout", "on", &err), CONFIG_OK);
    ck_assert(s.raft_observer_fetch_timeout);
    ck_assert_int_eq(switches_check(&s, &err), CONFIG_OK);
}
END_TEST

START_TEST(a_switch_override_beats_the_release)
{
    static const char *const extra[] = {"kafka.version=3.4",
                                        "kraftsim.switch.raft.check.quorum=true"};
    ck_parse_ok(parse_with(KRAFT_NODE_1, extra, 2));
    ck_assert(cfg.switches.raft_check_quorum);
    ck_assert(!switch_overridden(&cfg.switches, 0));
    ck_assert(switch_overridden(&cfg.switches, 1));
    struct kafka_switches s = switches_from_release(release_find("3.4"));
    ck_assert_int_eq(switch_set(&s, "raft.lost.election.backoff", " exponential-4.0.1 ", &err),
                     CONFIG_OK);
    ck_assert_int_eq(s.raft_lost_election_backoff, LOST_ELECTION_BACKOFF_EXPONENTIAL_4_0_1);
    ck_assert_int_eq(switches_check(&s, &err), CONFIG_ESWITCH); /* Prospective needs pre-vote */
}
END_TEST

/* BeginQuorumEpoch resend per release: LeaderState.nonAcknowledgingVoters (3.1-3.8), every
 * other voter on the fetch.timeout/2 timer (KAFKA-16536, 3.9-4.1), lagging voters only
 * (LeaderState.needToSendBeginQuorumRequests, 4.2+); the old bool still sets lagging|all. */
START_TEST(begin_quorum_resend_is_per_release_and_the_old_bool_still_works)
{
    static const char *const names[] = {"3.1", "3.4", "3.5", "3.7", "3.9", "4.0", "4.1",
                                        "trunk"};
    static const enum begin_quorum_resend want[] = {
        BEGIN_QUORUM_RESEND_UNACKNOWLEDGED, BEGIN_QUORUM_RESEND_UNACKNOWLEDGED,
        BEGIN_QUORUM_RESEND_UNACKNOWLEDGED, BEGIN_QUORUM_RESEND_UNACKNOWLEDGED,
        BEGIN_QUORUM_RESEND_ALL,            BEGIN_QUORUM_RESEND_ALL,
        BEGIN_QUORUM_RESEND_ALL,            BEGIN_QUORUM_RESEND_LAGGING};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct kafka_switches s = switches_from_release(release_find(names[i]));
        ck_assert_msg(s.raft_begin_quorum_resend == want[i], "%s", names[i]);
        /* KAFKA-15078 (3.6+): FetchOffset 0 gets the snapshot id. */
        ck_assert_int_eq(s.raft_offset_zero_snapshot, i >= 3);
    }
    struct kafka_switches s = switches_from_release(release_find("3.4"));
    ck_assert_int_eq(switch_set(&s, "raft.begin.quorum.resend", " all ", &err), CONFIG_OK);
    ck_assert_str_eq(begin_quorum_resend_name(s.raft_begin_quorum_resend), "all");
    ck_assert_int_eq(switch_set(&s, "raft.begin.quorum.lagging.only", "true", &err), CONFIG_OK);
    ck_assert_int_eq(s.raft_begin_quorum_resend, BEGIN_QUORUM_RESEND_LAGGING);
    ck_assert_int_eq(switch_set(&s, "raft.begin.quorum.lagging.only", "off", &err), CONFIG_OK);
    ck_assert_int_eq(s.raft_begin_quorum_resend, BEGIN_QUORUM_RESEND_ALL);
    char line[512];
    switches_describe(&s, line, sizeof line);
    ck_assert_ptr_nonnull(strstr(line, " begin.quorum.resend=all* "));
    ck_assert_int_eq(switch_set(&s, "raft.begin.quorum.resend", "some", &err), CONFIG_ESWITCH);
    ck_assert_str_eq(err.message, "Invalid value some for configuration "
                                  "kraftsim.switch.raft.begin.quorum.resend: String must be "
                                  "one of: unacknowledged, all, lagging");
    ck_assert_int_eq(switch_set(&s, "raft.begin.quorum.lagging.only", "2", &err),
                     CONFIG_ESWITCH);
    ck_assert_int_eq(s.raft_begin_quorum_resend, BEGIN_QUORUM_RESEND_ALL);
}
END_TEST

START_TEST(describe_line_is_exact)
{
    char line[768];
    struct kafka_switches s = switches_from_release(release_find("3.4"));
    size_t n = switches_describe(&s, line, sizeof line);
    const char *expect =
        "kafka.version=3.4 pre.vote=off check.quorum=off lost.election.backoff=exponential "
        "voted.state=on voter.set.check=on begin.quorum.resend=unacknowledged "
        "fetch.high.watermark=off rpc=Vote:0,BeginQuorumEpoch:0,EndQuorumEpoch:0,"
        "DescribeQuorum:1,FetchSnapshot:0,Fetch:13 hw.frozen.below.min.isr=off "
        "leader.epoch.truncation=on last.fetched.epoch=on elr=off "
        "isr.shrink.bumps.leader.epoch=on "
        "offset.zero.snapshot=off unclean.election.config=off registration.amend=off "
        "follower.best.node=off observer.fetch.timeout=on";
    ck_assert_str_eq(line, expect);
    ck_assert_uint_eq(n, strlen(expect));
    s = switches_from_release(release_default());
    ck_assert_int_eq(switch_set(&s, "raft.pre.vote", "off", &err), CONFIG_OK);
    ck_assert_int_eq(switch_set(&s, "raft.lost.election.backoff", "exponential", &err),
                     CONFIG_OK);
    ck_assert_int_eq(switch_set(&s, "raft.rpc.fetch.max", "17", &err), CONFIG_OK);
    ck_assert_int_eq(switch_set(&s, "raft.fetch.high.watermark", "false", &err), CONFIG_OK);
    switches_describe(&s, line, sizeof line);
    ck_assert_str_eq(line,
                     "kafka.version=trunk pre.vote=off* check.quorum=on "
                     "lost.election.backoff=exponential* voted.state=off voter.set.check=off "
                     "begin.quorum.resend=lagging fetch.high.watermark=off* "
                     "rpc=Vote:2,BeginQuorumEpoch:1,EndQuorumEpoch:1,DescribeQuorum:2,"
                     "FetchSnapshot:1,Fetch:17* hw.frozen.below.min.isr=on "
                     "leader.epoch.truncation=on last.fetched.epoch=on elr=on "
                     "isr.shrink.bumps.leader.epoch=off "
                     "offset.zero.snapshot=on unclean.election.config=on "
                     "registration.amend=on follower.best.node=on observer.fetch.timeout=off");
    s = switches_from_release(release_find("2.4"));
    switches_describe(&s, line, sizeof line);
    ck_assert_ptr_nonnull(strstr(line, " rpc=Vote:none,"));
    ck_assert_ptr_nonnull(strstr(line, " last.fetched.epoch=off")); /* KIP-320 is 2.7 */
    ck_assert_uint_eq(switches_describe(&s, NULL, 0), strlen(line)); /* the length it needs */
}
END_TEST

/* Switches nothing reads yet (replication.hw.frozen.below.min.isr, KAFKA-15583's
 * Partition.maybeIncrementLeaderHW, and replication.leader.epoch.truncation, KIP-101) are not
 * printed, not rendered, and refused when set: a setting that changes nothing would mislead. */
/* Every switch is modelled now (the data path reads the last two): each is printed on the
 * release line and settable, and the replication switches reach a broker's partitions. */
START_TEST(every_switch_is_printed_and_settable)
{
    size_t count;
    const struct switch_info *list = switches_list(&count);
    char line[1024];
    struct kafka_switches s = switches_from_release(release_default());
    switches_describe(&s, line, sizeof line);
    for (size_t i = 0; i < count; i++) {
        ck_assert(switch_modelled(i));
    }
    ck_assert_ptr_nonnull(strstr(line, " hw.frozen.below.min.isr=on"));
    ck_assert_ptr_nonnull(strstr(line, " leader.epoch.truncation=on"));
    ck_assert_int_eq(switch_set(&s, "replication.hw.frozen.below.min.isr", "false", &err),
                     CONFIG_OK);
    ck_assert(!s.replication_hw_frozen_below_min_isr);
    switches_describe(&s, line, sizeof line);
    ck_assert_ptr_nonnull(strstr(line, " hw.frozen.below.min.isr=off*"));
    (void)list;
    static const char *const extra[] = {"kraftsim.switch.replication.leader.epoch.truncation=off"};
    ck_parse_ok(parse_with(KRAFT_NODE_1, extra, 1));
    ck_assert(!cfg.switches.replication_leader_epoch_truncation);
    struct node_config nc;
    char msg[256];
    ck_assert_int_eq(node_config_from_kafka(&nc, &cfg, "MkU3OEVBNTcwNTJENDM2Qk", msg, sizeof msg),
                     0);
    ck_assert(!nc.data.replica.leader_epoch_truncation);
    ck_assert(nc.data.replica.hw_frozen_below_min_isr); /* trunk's, not set here */
}
END_TEST

/* Request versions a release sends, from <Api>Request.json's validVersions on its branch
 * (BrokerRegistrationRequest.json: 3.1 "0", 3.4/3.5 "0-1", 3.7 "0-3", 3.9+ "0-4";
 * BrokerHeartbeatRequest.json: 3.1-3.5 "0", 3.7-4.1 "0-1", trunk "0-2"; MetadataRequest.json
 * "0-12" to 3.9, "0-13" from 4.0; ApiVersionsRequest.json "0-3", 3.9 "0-4", trunk "0-5"),
 * and the features its broker registers (BrokerFeatures.defaultSupportedFeatures). */
START_TEST(each_release_sends_its_own_request_versions_and_features)
{
    static const struct {
        const char *release;
        int16_t registration, heartbeat, alter_partition, metadata, api_versions;
        int features;
        int16_t mv_min, mv_max;
    } cases[] = {
        {"3.1", 0, 0, 0, 12, 3, 0, 0, 0},  {"3.4", 1, 0, 2, 12, 3, 1, 1, 8},
        {"3.5", 1, 0, 3, 12, 3, 1, 1, 11}, {"3.7", 3, 1, 3, 12, 3, 1, 1, 19},
        {"3.9", 4, 1, 3, 12, 4, 2, 1, 21}, {"4.0", 4, 1, 3, 13, 4, 5, 7, 25},
        {"4.1", 4, 1, 3, 13, 4, 6, 7, 27}, {"trunk", 4, 2, 3, 13, 5, 7, 7, 33},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct kafka_release *r = release_find(cases[i].release);
        ck_assert_ptr_nonnull(r);
        ck_assert_int_eq(r->api.broker_registration_version_max, cases[i].registration);
        ck_assert_int_eq(r->api.broker_heartbeat_version_max, cases[i].heartbeat);
        ck_assert_int_eq(r->api.alter_partition_version_max, cases[i].alter_partition);
        ck_assert_int_eq(r->api.metadata_version_max, cases[i].metadata);
        ck_assert_int_eq(r->api.api_versions_version_max, cases[i].api_versions);
        ck_assert_int_eq(r->api.envelope_version_max, 0);
        ck_assert_int_eq(r->api.create_topics_version_max, 7);
        ck_assert_int_eq(r->api.delete_topics_version_max, 6);
        int n;
        const struct release_feature *f = release_broker_features(r, &n);
        ck_assert_int_eq(n, cases[i].features);
        if (n > 0) {
            ck_assert_str_eq(f[0].name, "metadata.version");
            ck_assert_int_eq(f[0].min_version, cases[i].mv_min);
            ck_assert_int_eq(f[0].max_version, cases[i].mv_max);
        }
        for (int k = 1; k < n; k++) {
            ck_assert_int_eq(f[k].min_version, 0); /* minimumProduction() */
            ck_assert_int_gt(f[k].max_version, 0); /* latestProduction() > 0 only */
        }
    }
    ck_assert_int_eq(release_find("2.4")->api.broker_heartbeat_version_max, -1);
}
END_TEST

/* raft.fetch.high.watermark is read: KIP-1166 is Fetch v18 (FetchRequest.json "Version 18
 * adds HighWatermark", 4.1+), so with the switch off a trunk node fetches at v17, as 4.0. */
START_TEST(fetch_high_watermark_off_fetches_at_v17)
{
    static const char *const off[] = {"kraftsim.switch.raft.fetch.high.watermark=false"};
    struct node_config node;
    char why[256];
    ck_parse_ok(parse(KRAFT_NODE_1));
    ck_assert_int_eq(node_config_from_kafka(&node, &cfg, "MkU3OEVBNTcwNTJENDM2Qk", why,
                                            sizeof why), 0);
    ck_assert_int_eq(node.quorum.fetch_version, 18);
    ck_assert_int_eq(node.api.broker_heartbeat_version_max, 2); /* trunk's */
    ck_parse_ok(parse_with(KRAFT_NODE_1, off, 1));
    ck_assert_int_eq(node_config_from_kafka(&node, &cfg, "MkU3OEVBNTcwNTJENDM2Qk", why,
                                            sizeof why), 0);
    ck_assert_int_eq(node.quorum.fetch_version, 17);
    ck_parse_ok(parse_with(KRAFT_NODE_1, kafka_3_1, 1));
    ck_assert_int_eq(node_config_from_kafka(&node, &cfg, "MkU3OEVBNTcwNTJENDM2Qk", why,
                                            sizeof why), 0);
    ck_assert_int_eq(node.quorum.fetch_version, 13);
    ck_assert_int_eq(node.api.broker_registration_version_max, 0);
    ck_assert_int_eq(node.broker_feature_count, 0);
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* Rendering                                                                                */

START_TEST(render_is_sorted_and_parses_back_to_the_same_text)
{
    const char *text = KRAFT_NODE_1 "kafka.version=3.9\nssl.keystore.type=PKCS12\n"
                       "log.retention.hours=64\nlog.dirs=/data/a, /data/b\n";
    ck_parse_ok(parse(text));
    char *first = malloc(1 << 16);
    char *second = malloc(1 << 16);
    size_t n = config_render(&cfg, first, 1 << 16);
    ck_assert_uint_lt(n, 1 << 16);
    ck_assert_ptr_nonnull(strstr(first, "\ncontroller.quorum.voters=1@h1:9093,2@h2:9093,"
                                        "3@h3:9093\n"));
    ck_assert_ptr_nonnull(strstr(first, "\nkafka.version=3.9\n"));
    ck_assert_ptr_nonnull(strstr(first, "\nkraftsim.switch.raft.pre.vote=false\n"));
    ck_assert_ptr_nonnull(strstr(first, "\nlog.dirs=/data/a,/data/b\n"));
    ck_assert_ptr_nonnull(strstr(first, "\nssl.keystore.type=PKCS12\n"));
    ck_assert_ptr_null(strstr(first, "num.network.threads")); /* accepted and unset */
    ck_assert_ptr_null(strstr(first, "controller.quorum.auto.join.enable")); /* not in 3.9 */
    const char *prev = first;
    for (const char *line = strchr(first, '\n'); line != NULL && line[1] != '\0';
         line = strchr(line + 1, '\n')) {
        size_t prev_len = strcspn(prev, "=");
        size_t key_len = strcspn(line + 1, "=");
        int order = strncmp(prev, line + 1, prev_len < key_len ? prev_len : key_len);
        ck_assert_msg(order < 0 || (order == 0 && prev_len < key_len), "not sorted near %.40s",
                      line + 1);
        prev = line + 1;
    }
    ck_parse_ok(config_parse(first, n, "rendered", &cfg, &err));
    ck_assert_uint_eq(config_render(&cfg, second, 1 << 16), n);
    ck_assert_str_eq(first, second);
    free(first);
    free(second);
}
END_TEST

START_TEST(render_of_a_zookeeper_2_4_broker_parses_back)
{
    const char *text = "kafka.version=2.4\nbroker.id=7\nzookeeper.connect=zk:2181\n"
                       "listeners=PLAINTEXT://[::1]:9092\n";
    ck_parse_ok(parse(text));
    char first[8192];
    char second[8192];
    size_t n = config_render(&cfg, first, sizeof first);
    ck_assert_uint_lt(n, sizeof first);
    ck_assert_ptr_null(strstr(first, "rpc.vote.max")); /* 2.4 speaks no KRaft RPC */
    ck_assert_ptr_null(strstr(first, "node.id"));      /* added in 2.8 */
    ck_assert_ptr_nonnull(strstr(first, "\nlisteners=PLAINTEXT://[::1]:9092\n"));
    ck_parse_ok(config_parse(first, n, "rendered", &cfg, &err));
    config_render(&cfg, second, sizeof second);
    ck_assert_str_eq(first, second);
}
END_TEST

/* The log.* keys a broker's partition logs use, with LogConfig's precedence: log.retention.ms,
 * else .minutes, else .hours; log.roll.ms, else log.roll.hours. */
START_TEST(log_retention_and_roll_take_the_most_precise_key)
{
    ck_parse_ok(parse(KRAFT_NODE_1));
    ck_assert_int_eq(config_log_retention_ms(&cfg), INT64_C(168) * 3600000);
    ck_assert_int_eq(config_log_roll_ms(&cfg), INT64_C(168) * 3600000);
    ck_assert_int_eq(cfg.log_retention_bytes, -1);
    ck_assert_int_eq(cfg.log_retention_check_interval_ms, 300000);
    ck_parse_ok(parse(KRAFT_NODE_1 "log.retention.hours=2\nlog.retention.minutes=5\n"
                                  "log.roll.hours=3\nlog.retention.bytes=1048576\n"
                                  "log.retention.check.interval.ms=30000\n"));
    ck_assert_int_eq(config_log_retention_ms(&cfg), 300000);
    ck_assert_int_eq(config_log_roll_ms(&cfg), INT64_C(3) * 3600000);
    ck_assert_int_eq(cfg.log_retention_bytes, 1048576);
    ck_assert_int_eq(cfg.log_retention_check_interval_ms, 30000);
    ck_parse_ok(parse(KRAFT_NODE_1 "log.retention.minutes=5\nlog.retention.ms=-1\n"
                                  "log.roll.ms=60000\n"));
    ck_assert_int_eq(config_log_retention_ms(&cfg), -1); /* -1: keep everything */
    ck_assert_int_eq(config_log_roll_ms(&cfg), 60000);
    ck_assert_int_eq(parse(KRAFT_NODE_1 "log.roll.ms=0\n"), CONFIG_EVALUE);
    ck_assert_ptr_nonnull(strstr(err.message, "log.roll.ms"));
    ck_assert_int_eq(parse(KRAFT_NODE_1 "log.retention.ms=soon\n"), CONFIG_EVALUE);
    ck_assert_ptr_nonnull(strstr(err.message, "log.retention.ms"));
}
END_TEST

/* ---------------------------------------------------------------------------------------- */

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *props = tcase_create("java properties");
    tcase_add_test(props, properties_equals_colon_and_whitespace_all_separate_key_from_value);
    tcase_add_test(props, properties_comments_and_blank_lines_are_skipped_but_counted);
    tcase_add_test(props, properties_backslash_newline_continues_and_drops_leading_whitespace);
    tcase_add_test(props, properties_escapes_tab_newline_unicode_and_escaped_separators);
    tcase_add_test(props, properties_last_duplicate_wins_and_keeps_its_own_line);
    tcase_add_test(props, properties_crlf_and_cr_line_endings_count_one_line_each);
    tcase_add_test(props, properties_text_ending_in_backslash_newline_reads_like_java);
    tcase_add_test(props, properties_malformed_unicode_escape_names_file_and_line);
    suite_add_tcase(s, props);
    TCase *seeds = tcase_create("seeds");
    tcase_add_test(seeds, seed_kraft_properties_three_combined_nodes_parse_as_kafka_3_1);
    tcase_add_test(seeds, seed_kraft_properties_also_parse_as_trunk);
    tcase_add_test(seeds, seed_zk_baremetal_brokers_parse_as_kafka_2_4_in_zookeeper_mode);
    tcase_add_test(seeds, seed_zk_baremetal_under_trunk_misses_process_roles);
    tcase_add_test(seeds, seed_kraft_compose_bitnami_variables_parse_as_kafka_3_4);
    tcase_add_test(seeds, seed_zk_kubernetes_overrides_parse_as_kafka_3_5_for_pod_kafka_0);
    tcase_add_test(seeds, every_key_any_seed_sets_is_a_known_key);
    suite_add_tcase(s, seeds);
    TCase *errors = tcase_create("errors");
    tcase_add_test(errors, unknown_key_names_file_line_and_the_nearest_known_key);
    tcase_add_test(errors, bad_integer_names_key_with_configdef_wording);
    tcase_add_test(errors, malformed_voters_entries_use_quorum_config_wording);
    tcase_add_test(errors, unknown_kafka_version_and_keys_newer_than_the_release_are_errors);
    tcase_add_test(errors, unknown_switch_and_bad_switch_values_name_the_key);
    tcase_add_test(errors, pre_vote_on_3_9_needs_vote_v2_too);
    tcase_add_test(errors, override_without_equals_and_missing_file_are_reported);
    tcase_add_test(errors, overlong_protocol_map_names_are_refused_not_read_past);
    tcase_add_test(errors, escaped_newlines_never_split_an_error_message);
    suite_add_tcase(s, errors);
    TCase *rules = tcase_create("kraft and zookeeper rules");
    tcase_add_test(rules, controller_whose_node_id_is_not_a_voter_is_refused);
    tcase_add_test(rules, voter_set_prints_in_java_hash_map_order_like_a_real_kafka_log);
    tcase_add_test(rules, broker_only_node_listed_as_voter_is_refused);
    tcase_add_test(rules, neither_voters_nor_bootstrap_servers_uses_the_release_wording);
    tcase_add_test(rules, node_id_is_required_from_4_0_and_means_unset_before);
    tcase_add_test(rules, controller_listener_names_must_be_set_in_kraft_mode);
    tcase_add_test(rules, process_roles_accept_only_broker_and_controller);
    tcase_add_test(rules, a_value_with_escaped_control_characters_still_gives_a_one_line_error);
    tcase_add_test(rules, zookeeper_mode_needs_zookeeper_connect_and_no_controller_listeners);
    tcase_add_test(rules,
                   listener_without_security_protocol_and_bad_inter_broker_listener_are_refused);
    suite_add_tcase(s, rules);
    TCase *releases = tcase_create("defaults and releases");
    tcase_add_test(releases, trunk_defaults_match_kraft_md_section_4);
    tcase_add_test(releases, older_releases_change_the_defaults_they_changed);
    tcase_add_test(releases, key_table_is_sorted_and_every_default_parses);
    tcase_add_test(releases, release_3_4_has_neither_pre_vote_nor_check_quorum);
    tcase_add_test(releases, release_3_7_resigns_on_check_quorum_and_freezes_hw_below_min_isr);
    tcase_add_test(releases, release_4_0_pre_votes_and_backs_off_into_prospective);
    tcase_add_test(releases, trunk_waits_out_the_election_timeout_and_latest_is_trunk);
    tcase_add_test(releases, every_release_is_consistent_and_every_switch_is_documented);
    tcase_add_test(releases, a_switch_override_beats_the_release);
    tcase_add_test(releases, describe_line_is_exact);
    tcase_add_test(releases, begin_quorum_resend_is_per_release_and_the_old_bool_still_works);
    tcase_add_test(releases, every_switch_is_printed_and_settable);
    tcase_add_test(releases, each_release_sends_its_own_request_versions_and_features);
    tcase_add_test(releases, fetch_high_watermark_off_fetches_at_v17);
    tcase_add_test(releases, follower_best_node_from_3_9_and_observer_fetch_timer_through_4_1);
    tcase_add_test(releases, render_is_sorted_and_parses_back_to_the_same_text);
    tcase_add_test(releases, render_of_a_zookeeper_2_4_broker_parses_back);
    tcase_add_test(releases, log_retention_and_roll_take_the_most_precise_key);
    suite_add_tcase(s, releases);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(config_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failures = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failures == 0 ? 0 : 1;
}
