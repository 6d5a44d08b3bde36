/* storage.c — kafka-storage.sh format and MetaPropertiesEnsemble's checks at start. */
#include "storage.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int storage_meta_text(char *buf, size_t cap, const struct meta_properties *m, time_ns now)
{
    /* Properties.store writes a comment line and a date line first; ours is virtual time. */
    int64_t s = now / NS_PER_S;
    return snprintf(buf, cap, "#\n#kraftsim virtual time %" PRId64 ".%03" PRId64 " s\n"
                    "cluster.id=%s\ndirectory.id=%s\nnode.id=%d\nversion=%d\n", s,
                    (now % NS_PER_S) / NS_PER_MS, m->cluster_id, m->directory_id, m->node_id,
                    m->version);
}

static void trim(const char **start, const char **end)
{
    while (*start < *end && (**start == ' ' || **start == '\t')) {
        (*start)++;
    }
    while (*end > *start && ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r')) {
        (*end)--;
    }
}

static void take(char *dst, size_t cap, const char *from, const char *to)
{
    size_t n = (size_t)(to - from) < cap - 1 ? (size_t)(to - from) : cap - 1;
    memcpy(dst, from, n);
    dst[n] = '\0';
}

/* One `key=value` line of the file into *m (unknown keys are kept by Kafka and ignored here). */
static void parse_line(const char *line, const char *end, struct meta_properties *m)
{
    const char *eq = memchr(line, '=', (size_t)(end - line));
    if (eq == NULL) {
        return;
    }
    const char *ks = line, *ke = eq, *vs = eq + 1, *ve = end;
    trim(&ks, &ke);
    trim(&vs, &ve);
    char key[32], value[64];
    take(key, sizeof key, ks, ke);
    take(value, sizeof value, vs, ve);
    if (strcmp(key, "version") == 0) {
        m->version = atoi(value);
    } else if (strcmp(key, "cluster.id") == 0) {
        snprintf(m->cluster_id, sizeof m->cluster_id, "%s", value);
    } else if (strcmp(key, "node.id") == 0 || strcmp(key, "broker.id") == 0) {
        m->node_id = atoi(value);
    } else if (strcmp(key, "directory.id") == 0) {
        snprintf(m->directory_id, sizeof m->directory_id, "%s", value);
    }
}

int storage_meta_parse(const char *text, size_t len, const char *path,
                       struct meta_properties *out, char *err, size_t err_cap)
{
    *out = (struct meta_properties){.version = -1, .node_id = -1};
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl != NULL ? nl : end;
        if (line_end > p && *p != '#' && *p != '!') {
            parse_line(p, line_end, out);
        }
        p = nl != NULL ? nl + 1 : end;
    }
    /* MetaProperties.Builder: a v1 file must name both the cluster and the node. */
    if (out->version == 1 && out->cluster_id[0] == '\0') {
        snprintf(err, err_cap, "cluster.id was not specified in the v1 file: %s", path);
        return -1;
    }
    if (out->version == 1 && out->node_id < 0) {
        snprintf(err, err_cap, "node.id was not specified in %s", path);
        return -1;
    }
    if (out->version != 0 && out->version != 1) {
        snprintf(err, err_cap, "Unknown meta.properties version %d in %s", out->version, path);
        return -1;
    }
    return 0;
}

int storage_format(const struct env *env, const char *const *dirs, int dir_count,
                   const char *cluster_id, int32_t node_id,
                   const char *const *directory_ids, time_ns now)
{
    KS_ASSERT(dir_count > 0 && dir_count <= STORAGE_DIR_MAX);
    for (int i = 0; i < dir_count; i++) {
        struct meta_properties m = {.version = 1, .node_id = node_id};
        snprintf(m.cluster_id, sizeof m.cluster_id, "%s", cluster_id);
        snprintf(m.directory_id, sizeof m.directory_id, "%s", directory_ids[i]);
        char text[512], path[320];
        int len = storage_meta_text(text, sizeof text, &m, now);
        snprintf(path, sizeof path, "%s/%s", dirs[i], STORAGE_META_FILE);
        env->ops->disk_truncate(env->ctx, path, 0);
        int rc = env->ops->disk_write(env->ctx, path, 0, text, (size_t)len);
        if (rc != ENV_OK) {
            return rc;
        }
    }
    return ENV_OK;
}

/* Reads one directory's meta.properties: 1 if present, 0 if absent, -1 on a parse error. */
static int read_meta(const struct env *env, const char *dir, struct meta_properties *m,
                     char *err, size_t err_cap)
{
    char path[320], text[1024];
    snprintf(path, sizeof path, "%s/%s", dir, STORAGE_META_FILE);
    int64_t size = env->ops->disk_size(env->ctx, path);
    if (size <= 0) {
        return 0; /* absent, or left empty by a power failure before its fsync */
    }
    int64_t got = env->ops->disk_read(env->ctx, path, 0, text,
                                      size < (int64_t)sizeof text ? (size_t)size
                                                                  : sizeof text);
    if (got < 0) {
        return 0;
    }
    return storage_meta_parse(text, (size_t)got, path, m, err, err_cap) == 0 ? 1 : -1;
}

int storage_check(const struct env *env, const char *const *dirs, int dir_count,
                  int32_t node_id, struct meta_properties *out, char *err, size_t err_cap)
{
    struct meta_properties metas[STORAGE_DIR_MAX];
    int found[STORAGE_DIR_MAX];
    int readable = 0;
    KS_ASSERT(dir_count > 0 && dir_count <= STORAGE_DIR_MAX);
    for (int i = 0; i < dir_count; i++) {
        found[i] = read_meta(env, dirs[i], &metas[i], err, err_cap);
        if (found[i] < 0) {
            return -1;
        }
        readable += found[i];
    }
    if (readable == 0) {
        snprintf(err, err_cap, "No readable meta.properties files found.");
        return -1;
    }
    const struct meta_properties *first = NULL;
    for (int i = 0; i < dir_count; i++) {
        if (!found[i]) {
            snprintf(err, err_cap, "No `meta.properties` found in %s (have you run "
                     "`kafka-storage.sh` to format the directory?)", dirs[i]);
            return -1;
        }
        if (first == NULL) {
            first = &metas[i];
        } else if (strcmp(first->cluster_id, metas[i].cluster_id) != 0) {
            snprintf(err, err_cap, "Invalid cluster.id in: %s/%s. Expected %s, but read %s",
                     dirs[i], STORAGE_META_FILE, first->cluster_id, metas[i].cluster_id);
            return -1;
        }
        if (metas[i].node_id != node_id) {
            snprintf(err, err_cap, "Stored node id %d doesn't match previous node id %d in "
                     "%s/%s. If you moved your data, make sure your configured node id "
                     "matches. If you intend to create a new node, you should remove all data "
                     "in your data directories.", metas[i].node_id, node_id, dirs[i],
                     STORAGE_META_FILE);
            return -1;
        }
        for (int k = 0; k < i; k++) {
            if (metas[i].directory_id[0] != '\0' &&
                strcmp(metas[k].directory_id, metas[i].directory_id) == 0) {
                snprintf(err, err_cap, "Duplicate directory ID Optional[%s] found. It was the ID "
                         "of %s, but also of %s", metas[i].directory_id, dirs[k], dirs[i]);
                return -1;
            }
        }
    }
    *out = *first;
    return 0;
}
