/* cluster.h — kraft.cluster{...}: the Kafka cluster a Lua scenario builds and drives. */
#ifndef KRAFTSIM_LUA_CLUSTER_H
#define KRAFTSIM_LUA_CLUSTER_H

/*
 * A cluster is KRaft nodes on simulated hosts, named as a deployment names them:
 * combined nodes (process.roles=broker,controller) are kafka-<id>, dedicated controllers
 * controller-<id>, brokers broker-<id>; ids count up from 1 in that order, so
 * kraft.cluster{ combined = 3, brokers = 2 } is the seed deployment (kafka-1..3, broker-4,
 * broker-5). Every node gets a server.properties an operator would write (its roles, node.id,
 * listeners, controller.quorum.voters, log.dirs), then the scenario's `config` keys, then the
 * node's own; kafka-storage.sh format runs on each at c:start(). An admin client lives on one
 * more host, "admin", and producers and consumers on the hosts after it, client-1 .. client-N
 * (kraft.cluster{ clients = N }, default 2): c:producer{} and c:consumer{} take the first free
 * one, in that order (clients.c).
 *
 * The checkers (Raft safety, partition leadership, fencing) run after every step of every
 * node, each into its own result, so check.raft() can ask one of them.
 *
 * Scenario verbs take nodes by node id (4) or by name ("broker-4"), and node sets as one node
 * or an array of them. Everything a person reads names nodes that way.
 */

#include <stdbool.h>
#include <stdint.h>

#include <lua.h>

#include "check/check_fencing.h"
#include "check/check_partitions.h"
#include "check/check_raft.h"
#include "node.h"
#include "scenario/fault_log.h"
#include "lua/runtime.h"
#include "tools/kafka_storage.h"

#define LUA_CLUSTER_NODES_MAX 15
#define LUA_CLUSTER_CLIENTS_MAX 8 /* kraft.cluster{ clients = N }: client-1..N */
#define LUA_CLUSTER_HOSTS_MAX (LUA_CLUSTER_NODES_MAX + 1 + LUA_CLUSTER_CLIENTS_MAX)

struct lua_node {
    int32_t id;
    char name[32];
    bool controller; /* a voter */
    bool broker;
    struct node_config config;
    bool stopping;  /* a controlled shutdown (c:stop) is under way */
    bool lose_unsynced; /* c:disk{ lose_unsynced = true }: a crash takes the page cache too */
    /* nodes = { [id] = { cluster_id = "..." } }: kafka-storage.sh format ran with this id
     * instead of the cluster's ("" = the cluster's). */
    char cluster_id[KAFKA_STORAGE_UUID_TEXT];
    char refused[512]; /* why the node's last start refused (its node-refuse event), or "" */
    /* Its server.properties as parsed ("" if longer than this), for the tools that read the
     * static broker configs (kafka-topics.sh shows their topic-config synonyms). */
    char properties[4096];
};

/* One fault as the nemesis injects it: drawn from the nemesis stream, or read back from
 * kraft.shrunk's schedule (nemesis.c). */
struct fault_plan {
    const char *kind;
    int victim;                  /* the node a one-node fault takes, as a node index */
    bool cut;                    /* partition: a split rather than an isolation */
    int a[LUA_CLUSTER_NODES_MAX], an; /* the sides of a split, a one-way cut or a bridge */
    int b[LUA_CLUSTER_NODES_MAX], bn;
    int mid;                     /* a bridge's middle node */
    int64_t rate_ppm;            /* clock: the victim's clock rate, 1000000 = true time */
    time_ns slow;                /* disk: extra time per operation; 0 = a stall */
};

struct lua_nemesis {
    bool on;
    const char *kinds[16];
    int kind_count;
    time_ns every;
    time_ns length_lo, length_hi; /* a fault lasts [lo, hi); 0, 0: every/4 to 3 every/4 */
    bool gap_timed;  /* the next fault comes gap_lo..gap_hi after the undo, not at `every` */
    time_ns gap_lo, gap_hi;
    int victim_rule; /* nemesis.c: leader half the time, the leader, or any node */
    time_ns until;   /* stops (and undoes its fault) here; TIME_NS_MAX = until liveness */
    int open_fault;  /* index in faults of the fault it holds, or -1 */
    int open_capture; /* its index in the run's capture, or -1 */
    bool open;
    struct fault_plan plan; /* the fault it holds */
    uint64_t open_token; /* bumped at every inject and stop: an undo for an earlier one does
                            nothing */
    uint64_t generation; /* bumped when it stops: stale ticks do nothing */
    /* kraft.shrunk: the schedule it plays instead of drawing (NULL: it draws) */
    struct fault_plan *played;
    const struct lua_shrunk *shrunk;
    int next_played;
};

struct lua_cluster {
    struct lua_run *run;
    struct lua_cluster **ud; /* the Lua userdata that points here */
    struct world *w;
    int node_count;
    int voter_count;
    int admin_host;
    int client_count; /* client hosts, after admin: client-1 is host admin_host + 1 */
    struct lua_node nodes[LUA_CLUSTER_NODES_MAX];
    const char *host_names[LUA_CLUSTER_HOSTS_MAX];
    char client_names[LUA_CLUSTER_CLIENTS_MAX][24];
    struct lua_clients *clients; /* clients.c: the producers, consumers and their history */
    char cluster_id[KAFKA_STORAGE_UUID_TEXT];
    char switches[768];
    int release; /* kafka_release.number of the first node */
    const char *release_name; /* its name: "trunk", "3.4" */
    int16_t describe_quorum_version; /* the release's raft.rpc.describe.quorum.max */
    bool started;
    bool admin_busy;
    struct raft_checker raft;
    struct partition_checker parts;
    struct fencing_checker fencing;
    /* Each checker's own violations; the run's result gets their sum at the end. */
    struct run_result raft_result;
    struct run_result parts_result;
    struct run_result fencing_result;
    struct run_result liveness_result;
    struct run_result history_result;
    struct fault_log faults; /* every fault injected, as the summary lists them */
    struct trace_console console; /* --trace's printer, with its filter */
    struct lua_nemesis nemesis;
    /* check.liveness: from check._settle_watch() on, whether the cluster has settled is asked
     * after every step (a settled instant may last a millisecond between two records). */
    bool settle_watch;
    time_ns settled_at; /* the first settled step since the watch began, or -1 */
};

/* Registers kraft.cluster, the cluster methods and the check table. */
void lua_cluster_open(lua_State *L);
/* Pushes the table of cluster methods (scenarios/lib/kraft.lua adds the ones that wait). */
void lua_cluster_methods(lua_State *L);
/* The run is over: report, fill the result, free the world. */
void lua_cluster_finish(struct lua_run *r);

/* For the sibling modules (views, checks, nemesis). */
struct lua_cluster *lua_cluster_check(lua_State *L, int arg);
int lua_cluster_node_arg(lua_State *L, struct lua_cluster *c, int arg, const char *verb);
/* A node set: one node or an array of them; returns the count, indices into `out`. */
int lua_cluster_nodes_arg(lua_State *L, struct lua_cluster *c, int arg, const char *verb,
                          int *out, int cap);
int lua_cluster_leader(struct lua_cluster *c);
const char *lua_cluster_unknown_key(lua_State *L, int t, const char *who,
                                    const char *const *known);
int lua_cluster_fault_begin(struct lua_cluster *c, const char *kind, const char *targets);
void lua_cluster_fault_end(struct lua_cluster *c, int fault);
void lua_cluster_recover(struct lua_cluster *c);
bool lua_cluster_settled(struct lua_cluster *c);
void lua_cluster_start_node(struct lua_cluster *c, int i);
void lua_cluster_crash_node(struct lua_cluster *c, int i);
void lua_cluster_begin_stop(struct lua_cluster *c, int i);

void lua_views_register(lua_State *L);   /* views.c: leader, node, describe_* ... */
void lua_views_seed_register(lua_State *L); /* views.c: led_by, describe_topics */
void lua_checks_register(lua_State *L);  /* checks.c: the check table */
void lua_nemesis_register(lua_State *L); /* nemesis.c: c:nemesis{...} */
void lua_load_register(lua_State *L);    /* load.c: kraft.load{ files } */
void lua_nemesis_stop(struct lua_cluster *c);
bool lua_nemesis_kind_known(const char *kind);
/* For kraft.load (load.c), the steps of building a cluster: a new one (its userdata pushed,
 * at *self); the admin and client hosts after its node_count nodes; node i's config from
 * server.properties text (a refusal raises with the text's FILE:LINE); then the world. */
struct lua_cluster *lua_cluster_new(lua_State *L, int *self);
void lua_cluster_name_hosts(struct lua_cluster *c, int clients);
void lua_cluster_configure_text(lua_State *L, struct lua_cluster *c, int i, const char *text,
                                size_t len, const char *file);
int lua_cluster_build_world(lua_State *L, struct lua_cluster *c, const char *version, int self);
/* "kafka-3": the name of node index i of a cluster of this shape (ids count up from 1). */
void lua_cluster_node_name(int combined, int controllers, int i, char *buf, size_t cap);
void lua_workload_register(lua_State *L); /* workload.c: c:metadata_client{...} */
void lua_views_quorum_register(lua_State *L); /* views.c: converged, image_brokers ... */
void lua_clients_register(lua_State *L); /* clients.c: c:producer{}, c:consumer{} */
/* check.history(): stops every client, judges the history (once) into history_result. */
void lua_clients_check(struct lua_cluster *c);
bool lua_clients_any(const struct lua_cluster *c);
/* check.history{ expect = {...} }: findings of these classes (1u << class) are the lesson's
 * evidence, not violations, and finding none of them is one. False once the history is judged. */
bool lua_clients_expect(struct lua_cluster *c, uint32_t classes);
/* The history's count per class, "lost-write=0 duplicate=2 ..." (judging it first). Only
 * when lua_clients_any. */
const char *lua_clients_summary(struct lua_cluster *c, char *buf, size_t cap);
void lua_clients_free(struct lua_cluster *c); /* the end of the run */

#endif
