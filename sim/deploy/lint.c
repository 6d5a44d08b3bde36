/* lint.c — the rules kraftsim lint walks over a deployment (deploy/lint.h). */
#include "deploy/lint.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "workload/client_config.h"

static void finding(struct lint_report *r, const char *rule, const struct deploy_node *n,
                    int line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void finding(struct lint_report *r, const char *rule, const struct deploy_node *n,
                    int line, const char *fmt, ...)
{
    char why[DEPLOY_TEXT], where[CONFIG_PATH_BYTES + 16];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(where, sizeof where, line > 0 ? "%s:%d" : "%s", n->file, line);
    /* the same finding on every node of a deployment is one line, naming them all */
    for (int k = 0; k < r->count; k++) {
        struct lint_finding *f = &r->findings[k];
        if (f->rule == rule && strcmp(f->why, why) == 0) {
            size_t used = strlen(f->likewise);
            snprintf(f->likewise + used, sizeof f->likewise - used, "%s%s", used ? ", " : "",
                     n->name[0] ? n->name : where);
            return;
        }
    }
    if (r->count == LINT_FINDINGS_MAX) {
        return;
    }
    struct lint_finding *f = &r->findings[r->count++];
    f->rule = rule;
    memcpy(f->where, where, sizeof where);
    memcpy(f->why, why, sizeof why);
    f->likewise[0] = '\0';
}

/* A node's setting: its value as Kafka parsed it is in the config; its line is the file's. */
static int line_of(const struct deploy_node *n, const char *key)
{
    int line = 0;
    deploy_value(n, key, &line);
    return line > 0 ? line : n->line;
}

/* " (not set: Kafka's default)" for a key the node leaves to its default, else "". */
static const char *unset(const struct deploy_node *n, const char *key)
{
    return deploy_value(n, key, NULL) == NULL ? " (not set: Kafka's default)" : "";
}

static const struct kafka_config *cfg_of(const struct lint_report *r, int i)
{
    return r->configs[i];
}

/* ---- the rules ------------------------------------------------------------------------------ */

static void duplicate_ids(const struct deployment *d, struct lint_report *r)
{
    for (int i = 0; i < d->node_count; i++) {
        for (int j = 0; j < i; j++) {
            if (cfg_of(r, i)->node_id >= 0 && cfg_of(r, i)->node_id == cfg_of(r, j)->node_id) {
                const char *key = r->kraft ? "node.id" : "broker.id";
                int line = line_of(&d->nodes[i], key);
                if (deploy_value(&d->nodes[i], key, NULL) == NULL) {
                    line = line_of(&d->nodes[i], r->kraft ? "broker.id" : "node.id");
                }
                finding(r, "duplicate-node-id", &d->nodes[i], line,
                        "%s has id %d, as %s does: the second to start is refused (or, with "
                        "one down, takes over the other's partitions)",
                        d->nodes[i].name, cfg_of(r, i)->node_id, d->nodes[j].name);
            }
        }
    }
}

static void voter_text(const struct kafka_config *c, char *buf, size_t cap)
{
    struct text t = text_init(buf, cap);
    for (size_t v = 0; v < c->controller_quorum_voters_count; v++) {
        const struct config_voter *x = &c->controller_quorum_voters[v];
        text_printf(&t, "%s%d@%s:%d", v ? "," : "", x->id, x->host, x->port);
    }
}

static void voters(const struct deployment *d, struct lint_report *r)
{
    if (!r->kraft) {
        return;
    }
    char first[1024], mine[1024];
    voter_text(cfg_of(r, 0), first, sizeof first);
    for (int i = 1; i < d->node_count; i++) {
        voter_text(cfg_of(r, i), mine, sizeof mine);
        if (strcmp(first, mine) != 0) {
            finding(r, "voters-differ", &d->nodes[i],
                    line_of(&d->nodes[i], "controller.quorum.voters"),
                    "controller.quorum.voters here (%s) differs from %s's (%s): the nodes "
                    "disagree on who votes, and may elect two leaders or none", mine,
                    d->nodes[0].name, first);
        }
    }
    const struct kafka_config *c = cfg_of(r, 0);
    for (size_t v = 0; v < c->controller_quorum_voters_count; v++) {
        int holder = -1;
        for (int i = 0; i < d->node_count; i++) {
            holder = cfg_of(r, i)->node_id == c->controller_quorum_voters[v].id ? i : holder;
        }
        if (holder < 0) {
            finding(r, "voter-without-node", &d->nodes[0],
                    line_of(&d->nodes[0], "controller.quorum.voters"),
                    "voter %d (%s:%d) is no node of these files: the quorum counts a vote "
                    "it will never get", c->controller_quorum_voters[v].id,
                    c->controller_quorum_voters[v].host, c->controller_quorum_voters[v].port);
        } else if (!(cfg_of(r, holder)->process_roles & CONFIG_ROLE_CONTROLLER)) {
            finding(r, "voter-not-controller", &d->nodes[holder],
                    line_of(&d->nodes[holder], "process.roles"),
                    "%s is voter %d but its process.roles has no controller: the quorum "
                    "counts a vote it will never get", d->nodes[holder].name,
                    c->controller_quorum_voters[v].id);
        }
    }
    size_t n = c->controller_quorum_voters_count;
    if (n == 2 || n == 4) {
        finding(r, "voters-even", &d->nodes[0],
                line_of(&d->nodes[0], "controller.quorum.voters"),
                "%zu voters need %zu for a majority: they survive as many failures as %zu "
                "voters would (%zu), with one more machine to fail", n, n / 2 + 1, n - 1,
                (n - 1) / 2);
    }
}

static void advertised(const struct deployment *d, struct lint_report *r)
{
    for (int i = 0; i < d->node_count; i++) {
        const struct config_listener *al[CONFIG_ENDPOINTS_MAX];
        size_t an = config_advertised_broker_listeners(cfg_of(r, i), al);
        for (int j = 0; j < i; j++) {
            const struct config_listener *bl[CONFIG_ENDPOINTS_MAX];
            size_t bn = config_advertised_broker_listeners(cfg_of(r, j), bl);
            for (size_t x = 0; x < an; x++) {
                for (size_t y = 0; y < bn; y++) {
                    if (al[x]->host[0] != '\0' && strcmp(al[x]->host, bl[y]->host) == 0 &&
                        al[x]->port == bl[y]->port) {
                        finding(r, "advertised-listeners-collide", &d->nodes[i],
                                line_of(&d->nodes[i], "advertised.listeners"),
                                "%s advertises %s:%d, as %s does: clients sent to one reach "
                                "the other, and requests for its partitions fail",
                                d->nodes[i].name, al[x]->host, al[x]->port, d->nodes[j].name);
                    }
                }
            }
        }
    }
}

static void cluster_ids(const struct deployment *d, struct lint_report *r)
{
    for (int i = 1; i < d->node_count; i++) {
        const struct deploy_fact *a = &d->nodes[i].cluster_id, *b = &d->nodes[0].cluster_id;
        if (a->value[0] != '\0' && b->value[0] != '\0' && strcmp(a->value, b->value) != 0) {
            finding(r, "cluster-id-differs", &d->nodes[i], a->line,
                    "%s formats its storage with cluster id %s, %s with %s: the nodes refuse "
                    "each other (INCONSISTENT_CLUSTER_ID)", d->nodes[i].name, a->value,
                    d->nodes[0].name, b->value);
        }
    }
}

static void replication(const struct deployment *d, struct lint_report *r)
{
    for (int i = 0; i < d->node_count; i++) {
        const struct kafka_config *c = cfg_of(r, i);
        const struct deploy_node *n = &d->nodes[i];
        if (!(c->process_roles & CONFIG_ROLE_BROKER) && r->kraft) {
            continue;
        }
        int rf = c->default_replication_factor, isr = c->min_insync_replicas;
        if (rf > 1 && isr >= rf) {
            finding(r, "min-insync-vs-replication", n, line_of(n, "min.insync.replicas"),
                    "min.insync.replicas=%d with default.replication.factor=%d: %s", isr, rf,
                    isr == rf ? "one broker down and every acks=all write to such a topic "
                                "fails (NOT_ENOUGH_REPLICAS)"
                              : "every acks=all write to such a topic fails");
        }
        if (isr == 1 && r->brokers > 1) {
            finding(r, "min-insync-one", n, line_of(n, "min.insync.replicas"),
                    "min.insync.replicas=1%s: once a partition's ISR shrinks to its leader, "
                    "acks=all is acknowledged by the leader alone, and that write is lost with "
                    "the leader's disk", unset(n, "min.insync.replicas"));
        }
        if (rf == 1) {
            finding(r, "replication-factor-one", n, line_of(n, "default.replication.factor"),
                    "default.replication.factor=1%s: topics created without a factor (and "
                    "auto-created ones) live on one broker; its loss loses them",
                    unset(n, "default.replication.factor"));
        }
        if (rf > r->brokers) {
            finding(r, "replication-above-brokers", n, line_of(n, "default.replication.factor"),
                    "default.replication.factor=%d with %d broker%s: creating a topic without a "
                    "factor fails (INVALID_REPLICATION_FACTOR)", rf, r->brokers,
                    r->brokers == 1 ? "" : "s");
        }
        if (c->offsets_topic_replication_factor > r->brokers) {
            finding(r, "offsets-topic-above-brokers", n,
                    line_of(n, "offsets.topic.replication.factor"),
                    "offsets.topic.replication.factor=%d with %d broker%s: __consumer_offsets "
                    "is never created, and every consumer group fails to find its "
                    "coordinator", c->offsets_topic_replication_factor, r->brokers,
                    r->brokers == 1 ? "" : "s");
        }
        if (c->transaction_state_log_min_isr > c->transaction_state_log_replication_factor) {
            finding(r, "transaction-min-isr", n, line_of(n, "transaction.state.log.min.isr"),
                    "transaction.state.log.min.isr=%d above its replication factor %d: every "
                    "transaction fails to commit", c->transaction_state_log_min_isr,
                    c->transaction_state_log_replication_factor);
        }
        if (c->unclean_leader_election_enable) {
            finding(r, "unclean-leader-election", n,
                    line_of(n, "unclean.leader.election.enable"),
                    "unclean.leader.election.enable=true: a replica that missed writes may "
                    "lead, and acknowledged writes are lost even with acks=all%s",
                    r->kraft && r->release->number < 309
                        ? " (this release's KRaft controller ignores it; upgrading arms it)"
                        : "");
        }
    }
}

/* zookeeper.connect's servers, "host:port", comma-separated (a chroot after the last). */
static int zk_connect_servers(const char *connect, char list[][CONFIG_HOST_BYTES], int cap)
{
    char buf[CONFIG_ZK_CONNECT_BYTES];
    snprintf(buf, sizeof buf, "%s", connect);
    char *slash = strchr(buf, '/');
    if (slash != NULL) {
        *slash = '\0';
    }
    int n = 0;
    for (char *s = strtok(buf, ","); s != NULL && n < cap; s = strtok(NULL, ",")) {
        snprintf(list[n++], CONFIG_HOST_BYTES, "%s", s);
    }
    return n;
}

static bool zk_known_host(const struct deployment *d, const char *hostport)
{
    char host[CONFIG_HOST_BYTES];
    snprintf(host, sizeof host, "%.*s", (int)strcspn(hostport, ":"), hostport);
    for (int z = 0; z < d->zk_count; z++) {
        for (int s = 0; s < d->zk[z].server_count; s++) {
            if (strcmp(d->zk[z].servers[s].host, host) == 0) {
                return true;
            }
        }
    }
    return d->zk_count == 0;
}

static void zookeeper_connect(const struct deployment *d, struct lint_report *r)
{
    for (int i = 0; i < d->node_count && !r->kraft; i++) {
        const struct deploy_node *n = &d->nodes[i];
        char list[16][CONFIG_HOST_BYTES];
        int count = zk_connect_servers(cfg_of(r, i)->zookeeper_connect, list, 16);
        for (int a = 0; a < count; a++) {
            int same = 0;
            for (int b = 0; b < count; b++) {
                same += strcmp(list[a], list[b]) == 0;
            }
            bool first = true;
            for (int b = 0; b < a; b++) {
                first &= strcmp(list[a], list[b]) != 0;
            }
            if (same > 1 && first) {
                finding(r, "zookeeper-connect-repeats", n, line_of(n, "zookeeper.connect"),
                        "zookeeper.connect names %s %d times: the broker has one ZooKeeper "
                        "server to try, not %d, and loses its session when that one goes",
                        list[a], same, count);
            }
            if (first && !zk_known_host(d, list[a])) {
                finding(r, "zookeeper-connect-unknown", n, line_of(n, "zookeeper.connect"),
                        "zookeeper.connect names %s, which no ZooKeeper config here lists",
                        list[a]);
            }
        }
    }
}

static void ensembles(const struct deployment *d, struct lint_report *r)
{
    static const struct deploy_node none;
    for (int z = 0; z < d->zk_count; z++) {
        const struct deploy_zk *e = &d->zk[z];
        struct deploy_node at = none;
        snprintf(at.file, sizeof at.file, "%s", e->file);
        if (e->server_count % 2 == 0 && e->server_count > 0) {
            finding(r, "zookeeper-even", &at, e->servers[0].line,
                    "%d ZooKeeper servers survive as many failures as %d would (%d)",
                    e->server_count, e->server_count - 1, (e->server_count - 1) / 2);
        }
        bool listed = e->myid < 0;
        for (int s = 0; s < e->server_count; s++) {
            listed |= e->servers[s].id == e->myid;
        }
        if (!listed) {
            snprintf(at.file, sizeof at.file, "%s", e->myid_file);
            finding(r, "zookeeper-myid-unknown", &at, 1,
                    "myid %d is no server.N of %s: this server cannot join its ensemble",
                    e->myid, e->file);
        }
        for (int o = 0; o < z; o++) {
            bool same = d->zk[o].server_count == e->server_count;
            for (int s = 0; same && s < e->server_count; s++) {
                same = d->zk[o].servers[s].id == e->servers[s].id &&
                       strcmp(d->zk[o].servers[s].host, e->servers[s].host) == 0;
            }
            if (!same && e->server_count > 0 && d->zk[o].server_count > 0) {
                snprintf(at.file, sizeof at.file, "%s", e->file);
                finding(r, "zookeeper-servers-differ", &at, e->servers[0].line,
                        "its server.N lines differ from %s's: the servers disagree on the "
                        "ensemble and may elect two leaders", d->zk[o].file);
                break;
            }
        }
    }
}

/* A JVM heap that holds only a few of the largest requests the broker accepts. */
static void heap(const struct deployment *d, struct lint_report *r)
{
    for (int i = 0; i < d->node_count; i++) {
        const struct deploy_node *n = &d->nodes[i];
        const struct kafka_config *c = cfg_of(r, i);
        int64_t biggest = c->message_max_bytes > c->replica_fetch_max_bytes
                              ? c->message_max_bytes
                              : c->replica_fetch_max_bytes;
        if (n->heap_bytes > 0 && n->heap_bytes < 16 * biggest) {
            finding(r, "heap-vs-sizes", n, n->heap.line,
                    "-Xmx%s holds only %" PRId64 " batches of message.max.bytes / "
                    "replica.fetch.max.bytes (%" PRId64 " bytes): a few large produce "
                    "requests and follower fetches at once end in OutOfMemoryError",
                    n->heap.value, n->heap_bytes / biggest, biggest);
        }
    }
}

struct rule {
    const char *name;
    void (*check)(const struct deployment *d, struct lint_report *r);
};

static const struct rule rules[] = {
    {"ids", duplicate_ids},       {"voters", voters},
    {"listeners", advertised},    {"cluster ids", cluster_ids},
    {"replication", replication}, {"zookeeper.connect", zookeeper_connect},
    {"ensembles", ensembles},     {"heap", heap},
};

/* ---- parsing the nodes ---------------------------------------------------------------------- */

/* Whose setting a key no broker knows is: a client's, as operators often put them in the
 * broker's file, or nobody's. */
static const char *whose(const char *key)
{
    static const struct {
        const char *key, *whose;
    } clients[] = {
        {"max.request.size", "the producer's setting, not a broker's"},
        {"fetch.message.max.bytes", "the old Scala consumer's setting (before 0.9), not a "
                                    "broker's"},
        {"max.partition.fetch.bytes", "the consumer's setting, not a broker's"},
    };
    for (size_t i = 0; i < sizeof clients / sizeof clients[0]; i++) {
        if (strcmp(clients[i].key, key) == 0) {
            return clients[i].whose;
        }
    }
    if (client_config_key_find(CLIENT_PRODUCER, key) != NULL) {
        return "a producer's setting, not a broker's";
    }
    return client_config_key_find(CLIENT_CONSUMER, key) != NULL
               ? "a consumer's setting, not a broker's"
               : "no setting Kafka knows";
}

/* Whether `key` is one of the ", "-separated names of `list` (not merely inside one). */
static bool listed(const char *list, const char *key)
{
    size_t n = strlen(key);
    for (const char *at = strstr(list, key); at != NULL; at = strstr(at + 1, key)) {
        if ((at == list || at[-1] == ' ') && (at[n] == '\0' || at[n] == ',')) {
            return true;
        }
    }
    return false;
}

/* Keys no broker knows: a warning each, naming the client that has it when one does. */
static void unknown_keys(const struct deploy_node *n, const struct kafka_release *rel,
                         struct lint_report *r)
{
    for (size_t i = 0; i < n->props.count && r->unknown_count < DEPLOY_NOTES_MAX; i++) {
        const char *key = config_property_key(&n->props, &n->props.items[i]);
        const struct config_key *k = config_key_find(key);
        if (k != NULL && !k->modelled && !listed(r->accepted, key)) {
            size_t used = strlen(r->accepted);
            if (used + strlen(key) + 3 < sizeof r->accepted) {
                snprintf(r->accepted + used, sizeof r->accepted - used, "%s%s",
                         used ? ", " : "", key);
            } else {
                r->accepted_cut = true; /* a key seen twice may then count twice; rare */
            }
            r->accepted_count++;
        }
        if (k != NULL || config_key_prefix_accepted(key)) {
            continue;
        }
        /* the file and key cut to fit the line (a path of 100, a key of 60 characters) */
        snprintf(r->unknown[r->unknown_count++], DEPLOY_TEXT, "%.100s:%d: %.60s is %s: Kafka "
                 "%.8s warns it \"was supplied but isn't a known config\" and ignores it",
                 n->file, n->props.items[i].line, key, whose(key), rel->name);
    }
}

static const struct kafka_release *pick_release(const struct deployment *d, const char *version,
                                                struct lint_report *r)
{
    const char *named = version != NULL ? version : deploy_release(d);
    const struct kafka_release *rel = named != NULL ? release_find(named) : NULL;
    if (rel != NULL) {
        snprintf(r->release_from, sizeof r->release_from, "%s",
                 version != NULL ? "--kafka-version" : "the files");
        return rel;
    }
    /* none named: the newest release that runs the files' mode */
    const struct kafka_release *newest = release_default();
    if (r->kraft || release_supports(newest, RELEASE_MODE_ZOOKEEPER)) {
        snprintf(r->release_from, sizeof r->release_from,
                 "no file names one: the newest, give --kafka-version");
        return newest;
    }
    rel = release_find("3.9");
    snprintf(r->release_from, sizeof r->release_from,
             "no file names one: 3.9, the newest with ZooKeeper mode; give --kafka-version");
    return rel;
}

bool lint_run(const struct deployment *d, const char *version, struct lint_report *r)
{
    memset(r, 0, sizeof *r);
    r->kraft = deploy_kraft(d);
    r->release = pick_release(d, version, r);
    char override[64];
    snprintf(override, sizeof override, "kafka.version=%s", r->release->name);
    const char *const overrides[] = {override};
    static char text[CONFIG_POOL_BYTES * 2];
    for (int i = 0; i < d->node_count; i++) {
        const struct deploy_node *n = &d->nodes[i];
        unknown_keys(n, r->release, r);
        size_t len = deploy_properties_text(n, NULL, 0, text, sizeof text);
        r->configs[i] = malloc(sizeof *r->configs[i]);
        KS_ASSERT(r->configs[i] != NULL);
        struct config_error err;
        if (len >= sizeof text ||
            config_parse_overrides(text, len, n->file, overrides, 1, r->configs[i], &err) !=
                CONFIG_OK) {
            snprintf(r->error, sizeof r->error, "%s (Kafka %s refuses to start %s)",
                     len >= sizeof text ? "too many settings" : err.message, r->release->name,
                     n->name);
            return false;
        }
        unsigned roles = r->configs[i]->process_roles;
        r->brokers += !r->kraft || (roles & CONFIG_ROLE_BROKER) != 0;
        r->controllers += (roles & CONFIG_ROLE_CONTROLLER) != 0;
    }
    for (size_t k = 0; k < sizeof rules / sizeof rules[0]; k++) {
        rules[k].check(d, r);
    }
    return true;
}

void lint_free(struct lint_report *r)
{
    for (int i = 0; i < DEPLOY_NODES_MAX; i++) {
        free(r->configs[i]);
        r->configs[i] = NULL;
    }
}

/* The text of a warning after its "FILE:LINE: ". */
static const char *said(const char *warning)
{
    const char *c = strstr(warning, ": ");
    return c != NULL ? c + 2 : warning;
}

/* Warnings, the same one on several nodes' files as one line: "FILE:LINE: what (also ...)". */
static int print_warnings(const char (*w)[DEPLOY_TEXT], int count, FILE *out)
{
    int printed = 0;
    for (int i = 0; i < count; i++) {
        bool seen = false;
        for (int j = 0; j < i && !seen; j++) {
            seen = strcmp(said(w[i]), said(w[j])) == 0;
        }
        if (seen) {
            continue;
        }
        fprintf(out, "warning: %s", w[i]);
        printed++;
        const char *sep = " (also ";
        for (int j = i + 1; j < count; j++) {
            if (strcmp(said(w[i]), said(w[j])) == 0) {
                fprintf(out, "%s%.*s", sep, (int)(said(w[j]) - 2 - w[j]), w[j]);
                sep = ", ";
            }
        }
        fprintf(out, "%s\n", sep[0] == ',' ? ")" : "");
    }
    return printed;
}

void lint_print(const struct deployment *d, const struct lint_report *r, FILE *out)
{
    fprintf(out, "%d node%s:", d->node_count, d->node_count == 1 ? "" : "s");
    for (int i = 0; i < d->node_count; i++) {
        fprintf(out, " %s (id %d)", d->nodes[i].name, r->configs[i]->node_id);
    }
    fprintf(out, "\nmode: %s, %d broker%s; Kafka %s (%s)\n", r->kraft ? "KRaft" : "ZooKeeper",
            r->brokers, r->brokers == 1 ? "" : "s", r->release->name, r->release_from);
    if (r->kraft) {
        fprintf(out, "controllers: %d, voters:", r->controllers);
        const struct kafka_config *c = r->configs[0];
        for (size_t v = 0; v < c->controller_quorum_voters_count; v++) {
            fprintf(out, " %d@%s:%d", c->controller_quorum_voters[v].id,
                    c->controller_quorum_voters[v].host, c->controller_quorum_voters[v].port);
        }
        fprintf(out, "\n");
    }
    for (int z = 0; z < d->zk_count; z++) {
        fprintf(out, "ZooKeeper (%s): %d server%s%s", d->zk[z].file, d->zk[z].server_count,
                d->zk[z].server_count == 1 ? "" : "s", d->zk[z].myid >= 0 ? ", myid " : "");
        if (d->zk[z].myid >= 0) {
            fprintf(out, "%d", d->zk[z].myid);
        }
        fprintf(out, "\n");
    }
    int warnings = print_warnings(d->warnings, d->warning_count, out);
    warnings += print_warnings(r->unknown, r->unknown_count, out);
    for (int f = 0; f < r->count; f++) {
        const struct lint_finding *x = &r->findings[f];
        fprintf(out, "%s: %s: %s%s%s%s\n", x->where, x->rule, x->why,
                x->likewise[0] ? " (also " : "", x->likewise, x->likewise[0] ? ")" : "");
    }
    if (r->accepted_count > 0) {
        fprintf(out, "accepted, not simulated (%d key%s): %s%s\n", r->accepted_count,
                r->accepted_count == 1 ? "" : "s", r->accepted, r->accepted_cut ? ", ..." : "");
    }
    fprintf(out, "%d finding%s, %d warning%s\n", r->count, r->count == 1 ? "" : "s", warnings,
            warnings == 1 ? "" : "s");
}
