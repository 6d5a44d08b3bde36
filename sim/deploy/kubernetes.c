/* kubernetes.c — StatefulSets: Kafka brokers configured by --override flags, and ZooKeeper
 * ensembles (deploy/deploy.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deploy/deploy.h"
#include "deploy/yaml.h"

/*
 * A Kafka StatefulSet runs `kafka-server-start.sh FILE --override key=value ...` in each pod;
 * pod i is <name>-i, and the shell in its command sees HOSTNAME=<name>-i, so the flags'
 * ${HOSTNAME##*-} is i and $((${HOSTNAME##*-}+N)) is i+N. Each pod is a node with the flags
 * as its keys, each at the line of the manifest the flag is on. The FILE is the image's and not
 * among the files given: its keys are Kafka's defaults here, which a warning says.
 * A ZooKeeper StatefulSet (its name or image says zookeeper, or it is called zk) is an ensemble
 * of `replicas` servers, zk-0 .. zk-N-1 with ids 1 .. N (the kubernetes-zookeeper image's
 * myid is the ordinal + 1), reached as <pod>.<serviceName>.<namespace>.svc.cluster.local.
 */

struct manifest {
    struct deployment *d;
    const char *path;
    const char *text;
};

/* The command with the pod's ordinal put in for ${HOSTNAME##*-}, and $((... + N)) worked out. */
static void expand(const char *cmd, int ordinal, char *out, size_t cap)
{
    static const char ord[] = "${HOSTNAME##*-}";
    size_t o = 0;
    for (const char *s = cmd; *s != '\0' && o + 24 < cap;) {
        if (strncmp(s, "$((", 3) == 0 && strncmp(s + 3, ord, sizeof ord - 1) == 0) {
            const char *p = s + 3 + sizeof ord - 1;
            long add = 0;
            char *end = (char *)p;
            if (*p == '+' || *p == '-') {
                add = strtol(p, &end, 10);
            }
            if (strncmp(end, "))", 2) == 0) {
                o += (size_t)snprintf(out + o, cap - o, "%ld", ordinal + add);
                s = end + 2;
                continue;
            }
        }
        if (strncmp(s, ord, sizeof ord - 1) == 0) {
            o += (size_t)snprintf(out + o, cap - o, "%d", ordinal);
            s += sizeof ord - 1;
            continue;
        }
        out[o++] = *s++;
    }
    out[o] = '\0';
}

/* The manifest's line holding "--override KEY=", or `fallback`. */
static int line_of(const struct manifest *m, const char *key, int fallback)
{
    char needle[160];
    snprintf(needle, sizeof needle, "--override %s=", key);
    const char *at = strstr(m->text, needle);
    if (at == NULL) {
        return fallback;
    }
    int line = 1;
    for (const char *c = m->text; c < at; c++) {
        line += *c == '\n';
    }
    return line;
}

static bool overrides(struct manifest *m, struct deploy_node *n, const char *cmd, int line)
{
    char buf[CONFIG_POOL_BYTES];
    snprintf(buf, sizeof buf, "%s", cmd);
    bool next = false;
    for (char *w = strtok(buf, " \t\n\\\""); w != NULL; w = strtok(NULL, " \t\n\\\"")) {
        if (next) {
            char *eq = strchr(w, '=');
            if (eq == NULL) {
                return deploy_fail(m->d, m->path, line, "--override %s wants key=value", w);
            }
            *eq = '\0';
            if (!deploy_put(m->d, n, w, eq + 1, line_of(m, w, line))) {
                return false;
            }
        }
        next = strcmp(w, "--override") == 0;
    }
    return true;
}

/* The container's command and args as one string. */
static void command_of(yaml_document_t *doc, yaml_node_t *container, char *out, size_t cap)
{
    out[0] = '\0';
    size_t o = 0;
    const char *parts[] = {"command", "args"};
    for (int p = 0; p < 2; p++) {
        yaml_node_t *item, *seq = yaml_get(doc, container, parts[p]);
        for (int i = 0; (item = yaml_item(doc, seq, i)) != NULL; i++) {
            const char *t = yaml_text(item);
            if (t != NULL && o + strlen(t) + 2 < cap) {
                o += (size_t)snprintf(out + o, cap - o, "%s ", t);
            }
        }
    }
}

static bool kafka_pods(struct manifest *m, yaml_document_t *doc, yaml_node_t *container,
                       const char *name, int replicas, int line)
{
    static char cmd[CONFIG_POOL_BYTES], expanded[CONFIG_POOL_BYTES];
    command_of(doc, container, cmd, sizeof cmd);
    const char *heap = NULL;
    yaml_node_t *item, *env = yaml_get(doc, container, "env");
    int heap_line = 0;
    for (int i = 0; (item = yaml_item(doc, env, i)) != NULL; i++) {
        const char *var = yaml_text(yaml_get(doc, item, "name"));
        if (var != NULL && strcmp(var, "KAFKA_HEAP_OPTS") == 0) {
            heap = yaml_text(yaml_get(doc, item, "value"));
            heap_line = yaml_line(item);
        }
    }
    const char *image = yaml_text(yaml_get(doc, container, "image"));
    for (int pod = 0; pod < replicas; pod++) {
        struct deploy_node *n = deploy_add_node(m->d, m->path, line);
        if (n == NULL) {
            return false;
        }
        snprintf(n->name, sizeof n->name, "%s-%d", name, pod);
        expand(cmd, pod, expanded, sizeof expanded);
        if (!overrides(m, n, expanded, line)) {
            return false;
        }
        if (image != NULL &&
            deploy_release_of_image(image, n->release.value, sizeof n->release.value)) {
            n->release.line = yaml_line(yaml_get(doc, container, "image"));
        }
        if (heap != NULL) {
            n->heap_bytes = deploy_heap_bytes(heap, n->heap.value, sizeof n->heap.value);
            n->heap.line = heap_line;
        }
    }
    if (strstr(cmd, "--override") != NULL && strstr(cmd, ".properties") != NULL) {
        deploy_warn(m->d, m->path, line, "the pods start from the image's own server.properties,"
                    " which is not among these files: its keys are Kafka's defaults here");
    }
    return true;
}

static bool zookeeper_pods(struct manifest *m, yaml_document_t *doc, yaml_node_t *spec,
                           const char *name, const char *ns, int replicas, int line)
{
    if (m->d->zk_count == DEPLOY_ZK_MAX) {
        return deploy_fail(m->d, m->path, line, "more than %d ZooKeeper ensembles",
                           DEPLOY_ZK_MAX);
    }
    struct deploy_zk *z = &m->d->zk[m->d->zk_count++];
    memset(z, 0, sizeof *z);
    snprintf(z->file, sizeof z->file, "%s", m->path);
    z->myid = -1;
    const char *service = yaml_text(yaml_get(doc, spec, "serviceName"));
    for (int pod = 0; pod < replicas && pod < DEPLOY_ZK_MAX; pod++) {
        struct deploy_zk_server *s = &z->servers[z->server_count++];
        s->id = pod + 1;
        snprintf(s->host, sizeof s->host, "%s-%d.%s.%s.svc.cluster.local", name, pod,
                 service != NULL ? service : name, ns);
        snprintf(s->file, sizeof s->file, "%s", m->path);
        s->line = line;
    }
    return true;
}

static bool document(void *ctx, yaml_document_t *doc)
{
    struct manifest *m = ctx;
    yaml_node_t *root = yaml_document_get_root_node(doc);
    const char *kind = yaml_text(yaml_get(doc, root, "kind"));
    if (kind == NULL || strcmp(kind, "StatefulSet") != 0) {
        return true; /* Services, ConfigMaps, ...: nothing of the nodes' own */
    }
    yaml_node_t *meta = yaml_get(doc, root, "metadata"), *spec = yaml_get(doc, root, "spec");
    const char *name = yaml_text(yaml_get(doc, meta, "name"));
    const char *ns = yaml_text(yaml_get(doc, meta, "namespace"));
    yaml_node_t *replicas_node = yaml_get(doc, spec, "replicas");
    int64_t replicas = 1;
    if (name == NULL || (replicas_node != NULL &&
                         (yaml_text(replicas_node) == NULL ||
                          !config_parse_integer(yaml_text(replicas_node), 0, 15, &replicas)))) {
        return deploy_fail(m->d, m->path, yaml_line(replicas_node ? replicas_node : root),
                           "a StatefulSet wants metadata.name and spec.replicas from 0 to 15");
    }
    yaml_node_t *pod = yaml_get(doc, yaml_get(doc, spec, "template"), "spec");
    yaml_node_t *container = yaml_item(doc, yaml_get(doc, pod, "containers"), 0);
    const char *image = yaml_text(yaml_get(doc, container, "image"));
    int line = yaml_line(replicas_node != NULL ? replicas_node : root);
    bool zk = strcmp(name, "zk") == 0 || strstr(name, "zookeeper") != NULL ||
              (image != NULL && strstr(image, "zookeeper") != NULL);
    if (zk) {
        return zookeeper_pods(m, doc, spec, name, ns != NULL ? ns : "default", (int)replicas,
                              line);
    }
    if (image == NULL || strstr(image, "kafka") == NULL) {
        return true;
    }
    return kafka_pods(m, doc, container, name, (int)replicas, line);
}

bool deploy_read_kubernetes(struct deployment *d, const char *path, const char *text,
                            size_t len)
{
    struct manifest m = {d, path, text};
    d->error[0] = '\0';
    size_t bad;
    int nodes = d->node_count, ensembles = d->zk_count;
    if (yaml_each_document(path, text, len, document, &m, d->error, sizeof d->error, &bad)) {
        return true;
    }
    /* A quoted command closed twice ("...1000""), as a manifest copied from a guide may be:
     * kubectl refuses the file as written, which the operator should hear; what was meant is
     * plain, so it is read without the stray quote. */
    size_t at = bad;
    while (at > 0 && at < len && text[at] != '"' && (text[at] == ' ' || text[at] == '\n')) {
        at--;
    }
    if (bad == SIZE_MAX || at == 0 || at >= len || text[at] != '"' || text[at - 1] != '"') {
        return false;
    }
    int line = 1;
    for (size_t i = 0; i < at; i++) {
        line += text[i] == '\n';
    }
    char *fixed = malloc(len);
    KS_ASSERT(fixed != NULL);
    memcpy(fixed, text, at);
    memcpy(fixed + at, text + at + 1, len - at - 1);
    d->node_count = nodes;
    d->zk_count = ensembles;
    m.text = fixed;
    bool ok = yaml_each_document(path, fixed, len - 1, document, &m, d->error, sizeof d->error,
                                 NULL);
    free(fixed);
    if (ok) {
        deploy_warn(d, path, line, "a stray '\"' closes the quoted command twice: kubectl "
                    "refuses this file as written (\"did not find expected key\"); read as if "
                    "it were not there");
    }
    return ok;
}
