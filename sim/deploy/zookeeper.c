/* zookeeper.c — zoo.cfg: the ensemble a ZooKeeper server is configured with (deploy/deploy.h). */
#include <stdio.h>
#include <string.h>

#include "deploy/deploy.h"

/* server.N=host:peerPort:electionPort[:role][;clientPort], as ZooKeeper's QuorumPeerConfig
 * reads it; the id N from 1 to 255. */
static bool server_line(struct deployment *d, struct deploy_zk *z, const char *key,
                        const char *value, int line, const char *path)
{
    int64_t id;
    if (!config_parse_integer(key + strlen("server."), 1, 255, &id)) {
        return deploy_fail(d, path, line, "%s: a server's id is a number from 1 to 255", key);
    }
    const char *colon = strchr(value, ':');
    if (colon == NULL || colon == value) {
        return deploy_fail(d, path, line, "%s=%s wants host:peerPort:electionPort", key, value);
    }
    if (z->server_count == DEPLOY_ZK_MAX) {
        return deploy_fail(d, path, line, "more than %d servers", DEPLOY_ZK_MAX);
    }
    struct deploy_zk_server *s = &z->servers[z->server_count++];
    s->id = (int)id;
    snprintf(s->host, sizeof s->host, "%.*s", (int)(colon - value), value);
    snprintf(s->file, sizeof s->file, "%s", path);
    s->line = line;
    return true;
}

bool deploy_read_zoo_cfg(struct deployment *d, const char *path, const char *text, size_t len)
{
    if (d->zk_count == DEPLOY_ZK_MAX) {
        return deploy_fail(d, path, 0, "more than %d zoo.cfg files", DEPLOY_ZK_MAX);
    }
    static struct config_properties props;
    struct config_error err;
    if (config_properties_parse(text, len, path, &props, &err) != CONFIG_OK) {
        snprintf(d->error, sizeof d->error, "%s", err.message);
        return false;
    }
    struct deploy_zk *z = &d->zk[d->zk_count++];
    memset(z, 0, sizeof *z);
    snprintf(z->file, sizeof z->file, "%s", path);
    z->myid = -1;
    for (size_t i = 0; i < props.count; i++) {
        const char *key = config_property_key(&props, &props.items[i]);
        if (strncmp(key, "server.", 7) == 0 &&
            !server_line(d, z, key, config_property_value(&props, &props.items[i]),
                         props.items[i].line, path)) {
            return false;
        }
    }
    if (z->server_count == 0) {
        deploy_warn(d, path, 0, "no server.N lines: a standalone ZooKeeper, one server, no "
                    "replication");
    }
    return true;
}
