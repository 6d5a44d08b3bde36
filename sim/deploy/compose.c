/* compose.c — a Docker Compose file's Kafka services (deploy/deploy.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "deploy/deploy.h"
#include "deploy/yaml.h"

/*
 * A service is a Kafka node when its image is Kafka's (…/kafka:3.4.0, bitnami/kafka,
 * confluentinc/cp-kafka). Its environment, as a mapping or as a list of KEY=value, becomes
 * Kafka keys the way the images read it:
 *   KAFKA_CFG_LOG_DIRS          -> log.dirs (Bitnami: lowercase, '_' -> '.')
 *   KAFKA_BROKER_ID             -> broker.id (node.id's synonym in KRaft mode)
 *   KAFKA_KRAFT_CLUSTER_ID      -> the cluster id the image formats the storage with
 *   KAFKA_HEAP_OPTS             -> the JVM heap (-Xmx), which lint weighs against sizes
 *   KAFKA_ADVERTISED_LISTENERS  -> advertised.listeners (Confluent: '_' -> '.', '__' -> '_',
 *                                  '___' -> '-'), when that names a Kafka key
 * Anything else is the image's or the JVM's own (ALLOW_PLAINTEXT_LISTENER, KAFKA_ENABLE_KRAFT):
 * a warning that says so.
 */

struct compose {
    struct deployment *d;
    const char *path;
};

static bool kafka_image(const char *image)
{
    char name[128];
    const char *slash = strrchr(image, '/');
    snprintf(name, sizeof name, "%s", slash != NULL ? slash + 1 : image);
    name[strcspn(name, ":@")] = '\0';
    size_t n = strlen(name);
    return strcmp(name, "kafka") == 0 || (n > 6 && strcmp(name + n - 6, "-kafka") == 0);
}

/* KAFKA_ADVERTISED_LISTENERS -> advertised.listeners, Confluent's way; false if not a key. */
static bool confluent_key(const char *var, char *out, size_t cap)
{
    const char *s = var + strlen("KAFKA_");
    size_t o = 0;
    for (; *s != '\0' && o + 1 < cap; s++) {
        if (strncmp(s, "___", 3) == 0) {
            out[o++] = '-';
            s += 2;
        } else if (strncmp(s, "__", 2) == 0) {
            out[o++] = '_';
            s += 1;
        } else {
            out[o++] = *s == '_' ? '.' : (char)tolower((unsigned char)*s);
        }
    }
    out[o] = '\0';
    return config_key_find(out) != NULL;
}

static bool env_var(struct compose *c, struct deploy_node *n, const char *var, const char *value,
                    int line)
{
    char key[128];
    if (config_key_from_env(var, key, sizeof key)) {
        return deploy_put(c->d, n, key, value, line);
    }
    if (strcmp(var, "KAFKA_BROKER_ID") == 0) {
        return deploy_put(c->d, n, "broker.id", value, line);
    }
    if (strcmp(var, "KAFKA_KRAFT_CLUSTER_ID") == 0) {
        snprintf(n->cluster_id.value, sizeof n->cluster_id.value, "%s", value);
        n->cluster_id.line = line;
        return true;
    }
    if (strcmp(var, "KAFKA_HEAP_OPTS") == 0) {
        n->heap_bytes = deploy_heap_bytes(value, n->heap.value, sizeof n->heap.value);
        n->heap.line = n->heap_bytes > 0 ? line : 0;
        return true;
    }
    if (strncmp(var, "KAFKA_", 6) == 0 && confluent_key(var, key, sizeof key)) {
        return deploy_put(c->d, n, key, value, line);
    }
    deploy_warn(c->d, c->path, line, "%s is the image's or the JVM's own setting, not a Kafka "
                "key: not simulated", var);
    return true;
}

/* environment: as a mapping (KEY: value) or a list (- KEY=value). */
static bool environment(struct compose *c, yaml_document_t *doc, yaml_node_t *env,
                        struct deploy_node *n)
{
    yaml_node_t *k, *v;
    for (int i = 0; yaml_pair(doc, env, i, &k, &v); i++) {
        if (yaml_text(k) == NULL || yaml_text(v) == NULL) {
            return deploy_fail(c->d, c->path, yaml_line(k), "environment wants KEY: value");
        }
        if (!env_var(c, n, yaml_text(k), yaml_text(v), yaml_line(k))) {
            return false;
        }
    }
    yaml_node_t *item;
    for (int i = 0; (item = yaml_item(doc, env, i)) != NULL; i++) {
        const char *kv = yaml_text(item);
        const char *eq = kv != NULL ? strchr(kv, '=') : NULL;
        if (eq == NULL) {
            return deploy_fail(c->d, c->path, yaml_line(item), "environment entry '%s' has no "
                               "'=' (Compose would take its value from the shell, which "
                               "kraftsim does not have)", kv != NULL ? kv : "?");
        }
        char var[128];
        snprintf(var, sizeof var, "%.*s", (int)(eq - kv), kv);
        if (!env_var(c, n, var, eq + 1, yaml_line(item))) {
            return false;
        }
    }
    return true;
}

static bool service(struct compose *c, yaml_document_t *doc, yaml_node_t *name, yaml_node_t *svc)
{
    const char *image = yaml_text(yaml_get(doc, svc, "image"));
    if (image == NULL || !kafka_image(image)) {
        return true; /* not Kafka: the deployment's other services */
    }
    struct deploy_node *n = deploy_add_node(c->d, c->path, yaml_line(name));
    if (n == NULL) {
        return false;
    }
    const char *container = yaml_text(yaml_get(doc, svc, "container_name"));
    snprintf(n->name, sizeof n->name, "%s", container != NULL ? container : yaml_text(name));
    if (deploy_release_of_image(image, n->release.value, sizeof n->release.value)) {
        n->release.line = yaml_line(yaml_get(doc, svc, "image"));
    }
    yaml_node_t *env = yaml_get(doc, svc, "environment");
    return env == NULL || environment(c, doc, env, n);
}

static bool document(void *ctx, yaml_document_t *doc)
{
    struct compose *c = ctx;
    yaml_node_t *services = yaml_get(doc, yaml_document_get_root_node(doc), "services");
    if (services == NULL || services->type != YAML_MAPPING_NODE) {
        return deploy_fail(c->d, c->path, 1, "a Compose file wants a services: mapping");
    }
    yaml_node_t *k, *v;
    for (int i = 0; yaml_pair(doc, services, i, &k, &v); i++) {
        if (!service(c, doc, k, v)) {
            return false;
        }
    }
    return true;
}

bool deploy_read_compose(struct deployment *d, const char *path, const char *text, size_t len)
{
    struct compose c = {d, path};
    d->error[0] = '\0';
    if (!yaml_each_document(path, text, len, document, &c, d->error, sizeof d->error, NULL)) {
        return false;
    }
    return true;
}
