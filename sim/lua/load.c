/* load.c — kraft.load{ files }: the cluster a deployment's own files describe. */
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "deploy/lint.h"
#include "lua/cluster.h"
#include "lua/sandbox.h"
#include "lua/shrunk.h"
#include "text.h"
#include "world/world.h"

/*
 * kraft.load{ "node1/server.properties", ... } (or kraft.load() under kraftsim run --config
 * FILE...) reads the files as kraftsim lint does (deploy/), refuses what Kafka would refuse at
 * the operator's line, and builds the cluster from them: one node a Kafka node of the files,
 * named as they name it, with its own node.id and process.roles, its settings exactly as
 * written (the keys kraftsim knows; the others lint lists), formatted with the files' cluster
 * id when they give one. The addresses the files use for a node (its advertised host, its
 * voter entry's host) answer with its simulated host, so the listeners and voters work as
 * written. The release is --kafka-version's, else the files' image tag, else the newest.
 * ZooKeeper-mode deployments load in kraftsim lint; simulating them comes with ZooKeeper mode.
 */

#define LOAD_FILES_MAX 32

/* The file names: the table at 1, else --config's. */
static int load_paths(lua_State *L, const char **paths)
{
    const struct run_opts *o = lua_run_of(L)->opts;
    if (lua_gettop(L) >= 1 && !lua_isnil(L, 1)) {
        luaL_checktype(L, 1, LUA_TTABLE);
        int n = (int)lua_rawlen(L, 1);
        if (n == 0 || n > LOAD_FILES_MAX) {
            lua_run_error(L, "kraft.load wants 1 to %d file names", LOAD_FILES_MAX);
        }
        for (int i = 0; i < n; i++) {
            lua_rawgeti(L, 1, i + 1);
            if (lua_type(L, -1) != LUA_TSTRING) {
                lua_run_error(L, "kraft.load: file %d is %s, not a file name", i + 1,
                              sandbox_tostring(L, -1));
            }
            paths[i] = lua_tostring(L, -1); /* kept alive by the table */
            lua_pop(L, 1);
        }
        return n;
    }
    if (o->config_file_count == 0) {
        lua_run_error(L, "kraft.load wants the deployment's files: kraft.load{ \"node1/server."
                      "properties\", ... }, or kraftsim run --config FILE ...");
    }
    for (int i = 0; i < o->config_file_count && i < LOAD_FILES_MAX; i++) {
        paths[i] = o->config_files[i];
    }
    return o->config_file_count < LOAD_FILES_MAX ? o->config_file_count : LOAD_FILES_MAX;
}

/* The names a node's peers and clients reach it by, besides its own. */
static void alias_addresses(struct lua_cluster *c, const struct deployment *d,
                            const struct config_voter *voters, size_t voter_count)
{
    for (int i = 0; i < d->node_count; i++) {
        if (strcmp(d->nodes[i].address, c->nodes[i].name) != 0 &&
            world_find_host(c->w, d->nodes[i].address) < 0) {
            world_alias_host(c->w, i, d->nodes[i].address);
        }
        for (size_t v = 0; v < voter_count; v++) {
            if (voters[v].id == c->nodes[i].id && world_find_host(c->w, voters[v].host) < 0) {
                world_alias_host(c->w, i, voters[v].host);
            }
        }
    }
}

/* Kafka advertises a listener that names no host ("PLAINTEXT://:9092", and no
 * advertised.listeners) at the machine's canonical host name (ListenerInfo
 * .withWildcardHostnamesResolved); here the machine is the node's host, named as the node. An
 * "advertised.listeners=..." line saying so into buf, or false when every host is named. */
static bool wildcard_advertised(const struct kafka_config *cfg, const char *name, char *buf,
                                size_t cap)
{
    const struct config_listener *l[CONFIG_ENDPOINTS_MAX];
    size_t n = config_advertised_broker_listeners(cfg, l);
    struct text t = text_init(buf, cap);
    text_printf(&t, "advertised.listeners=");
    bool wildcard = false;
    for (size_t i = 0; i < n; i++) {
        wildcard |= l[i]->host[0] == '\0';
        text_printf(&t, "%s%s://%s:%d", i > 0 ? "," : "", l[i]->name,
                    l[i]->host[0] != '\0' ? l[i]->host : name, l[i]->port);
    }
    return wildcard && text_fits(&t);
}

static void describe_load(const struct lua_run *r, const struct deployment *d,
                          const struct lint_report *rep)
{
    FILE *out = r->opts->out;
    fprintf(out, "loaded %d node%s from %s%s: Kafka %s (%s)", d->node_count,
            d->node_count == 1 ? "" : "s", d->nodes[0].file, d->node_count > 1 ? " ..." : "",
            rep->release->name, rep->release_from);
    int warnings = d->warning_count + rep->unknown_count;
    if (warnings > 0 || rep->accepted_count > 0) {
        fprintf(out, "; %d key%s accepted, not simulated, %d warning%s (kraftsim lint lists "
                "them)", rep->accepted_count, rep->accepted_count == 1 ? "" : "s", warnings,
                warnings == 1 ? "" : "s");
    }
    fprintf(out, "\n");
}

/* Node i of the cluster as deployment node `dn` is, parsed as `cfg`; false if its name does
 * not fit. */
static bool node_from(struct lua_cluster *c, int i, const struct deploy_node *dn,
                      const struct kafka_config *cfg)
{
    struct lua_node *n = &c->nodes[i];
    if (strlen(dn->name) >= sizeof n->name) {
        return false;
    }
    n->id = cfg->node_id;
    n->controller = (cfg->process_roles & CONFIG_ROLE_CONTROLLER) != 0;
    n->broker = (cfg->process_roles & CONFIG_ROLE_BROKER) != 0;
    snprintf(n->name, sizeof n->name, "%.31s", dn->name);
    c->host_names[i] = n->name;
    c->voter_count += n->controller;
    if (strlen(dn->cluster_id.value) == KAFKA_STORAGE_UUID_TEXT - 1) {
        snprintf(n->cluster_id, sizeof n->cluster_id, "%.22s", dn->cluster_id.value);
    }
    return true;
}

static int l_load(lua_State *L)
{
    struct lua_run *r = lua_run_of(L);
    if (r->cluster != NULL) {
        return lua_run_error(L, "kraft.load: a scenario builds one cluster");
    }
    const char *paths[LOAD_FILES_MAX];
    int count = load_paths(L, paths);
    static struct deployment d;
    if (!deploy_load(&d, paths, count)) {
        return lua_run_error(L, "%s", d.error);
    }
    if (!deploy_kraft(&d)) {
        return lua_run_error(L, "kraft.load: %s describes a ZooKeeper-mode cluster: kraftsim "
                             "lint reads it, and simulating ZooKeeper mode comes later",
                             paths[0]);
    }
    if (d.node_count > LUA_CLUSTER_NODES_MAX) {
        return lua_run_error(L, "kraft.load: more than %d nodes", LUA_CLUSTER_NODES_MAX);
    }
    const char *version = r->opts->kafka_version;
    if (version == NULL && r->shrunk != NULL && r->shrunk->kafka_version[0] != '\0') {
        version = r->shrunk->kafka_version;
    }
    static struct lint_report rep;
    if (!lint_run(&d, version, &rep)) {
        lint_free(&rep);
        return lua_run_error(L, "%s", rep.error);
    }
    describe_load(r, &d, &rep);
    version = rep.release->name;
    int self;
    struct lua_cluster *c = lua_cluster_new(L, &self);
    for (int i = 0; i < d.node_count; i++) {
        if (!node_from(c, i, &d.nodes[i], rep.configs[i])) {
            lint_free(&rep);
            return lua_run_error(L, "%s:%d: node name %s is longer than kraftsim's %zu "
                                 "characters", d.nodes[i].file, d.nodes[i].line,
                                 d.nodes[i].name, sizeof c->nodes[i].name - 1);
        }
    }
    c->node_count = d.node_count;
    lua_cluster_name_hosts(c, 2);
    static struct config_voter voters[CONFIG_VOTERS_MAX];
    size_t voter_count = rep.configs[0]->controller_quorum_voters_count;
    memcpy(voters, rep.configs[0]->controller_quorum_voters, sizeof voters);
    static char advertised[DEPLOY_NODES_MAX][1024];
    bool resolved[DEPLOY_NODES_MAX];
    for (int i = 0; i < d.node_count; i++) {
        resolved[i] = wildcard_advertised(rep.configs[i], c->nodes[i].name, advertised[i],
                                          sizeof advertised[i]);
    }
    lint_free(&rep); /* what follows may raise */
    char release_line[64];
    snprintf(release_line, sizeof release_line, "kafka.version=%s", version);
    static char text[CONFIG_POOL_BYTES * 2];
    for (int i = 0; i < d.node_count; i++) {
        const char *const extra[] = {release_line, advertised[i]};
        size_t len = deploy_properties_text(&d.nodes[i], extra, resolved[i] ? 2 : 1, text,
                                            sizeof text);
        if (len >= sizeof text) {
            return lua_run_error(L, "%s: too many settings for kraftsim", d.nodes[i].file);
        }
        lua_cluster_configure_text(L, c, i, text, len, d.nodes[i].file);
    }
    lua_cluster_build_world(L, c, version, self);
    alias_addresses(c, &d, voters, voter_count);
    return 1;
}

void lua_load_register(lua_State *L)
{
    lua_pushcfunction(L, l_load);
    lua_setfield(L, -2, "load");
}
