/* env.h — the environment contract: the only door from broker/ into the simulated world. */
#ifndef KRAFTSIM_ENV_H
#define KRAFTSIM_ENV_H

/*
 * broker/ is written as if it were a real Kafka process. It sees the world through this header
 * and nothing else: the clock (now), timers, sending bytes to another host, a disk, a random
 * stream and the trace. sim/ implements it (sim/world/host.c); tests may implement it too. The
 * contract belongs to the code under test, as canonical/raft's `raft_io` lives in raft.h: it
 * sits in broker/, so no include or link runs from broker/ to sim/.
 *
 * The process side of the contract is `struct process_ops`: a process is started from its disk,
 * then stepped with one event at a time (a message arrived, a timer fired, an fsync completed).
 * A crash destroys it without warning; nothing it did not make durable survives a power failure.
 *
 * Rules both sides keep:
 * - `now` is read once per event; it is the host's local clock (drift applies), in nanoseconds.
 * - Timers and fsyncs complete as events, never re-entrantly inside the call that asked for them.
 * - Every byte crossing the network is a Kafka wire-format frame (int32 size + header + body).
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t time_ns; /* virtual time, nanoseconds since the start of the run */

#define NS_PER_US INT64_C(1000)
#define NS_PER_MS INT64_C(1000000)
#define NS_PER_S INT64_C(1000000000)
#define TIME_NS_MAX INT64_MAX

/* Operating errors returned by environment calls. One table: name, message. */
#define ENV_ERRORS(X)                                                                          \
    X(ENV_OK, "ok")                                                                            \
    X(ENV_ENOENT, "no such file")                                                              \
    X(ENV_ENOSPC, "no space left on device")                                                   \
    X(ENV_EIO, "input/output error")                                                           \
    X(ENV_EINVAL, "invalid argument")

enum env_err {
#define ENV_ERR_ENUM(name, msg) name,
    ENV_ERRORS(ENV_ERR_ENUM)
#undef ENV_ERR_ENUM
        ENV_ERR_COUNT
};

const char *env_err_name(int err);
const char *env_err_message(int err);

/*
 * The trace vocabulary: every state transition anywhere in a run is one of these kinds.
 * The name is what the console and the trace database show; the order is part of the trace hash,
 * so append new kinds at the end of their group and never renumber.
 */
#define TRACE_KINDS(X)                                                                         \
    /* the run */                                                                              \
    X(TRACE_RUN_START, "run-start")                                                            \
    X(TRACE_RUN_END, "run-end")                                                                \
    X(TRACE_NOTE, "note")                                                                      \
    /* hosts and processes */                                                                  \
    X(TRACE_HOST_START, "host-start")                                                          \
    X(TRACE_HOST_STOP, "host-stop")                                                            \
    X(TRACE_HOST_CRASH, "host-crash")                                                          \
    X(TRACE_HOST_POWER_FAIL, "host-power-fail")                                                \
    X(TRACE_HOST_PAUSE, "host-pause")                                                          \
    X(TRACE_HOST_RESUME, "host-resume")                                                        \
    X(TRACE_HOST_CLOCK, "host-clock")                                                          \
    /* the network */                                                                          \
    X(TRACE_NET_SEND, "net-send")                                                              \
    X(TRACE_NET_DELIVER, "net-deliver")                                                        \
    X(TRACE_NET_DROP, "net-drop")                                                              \
    X(TRACE_NET_DUPLICATE, "net-duplicate")                                                    \
    X(TRACE_NET_CUT, "net-cut")                                                                \
    X(TRACE_NET_HEAL, "net-heal")                                                              \
    /* the disk */                                                                             \
    X(TRACE_DISK_FSYNC, "disk-fsync")                                                          \
    X(TRACE_DISK_DURABLE, "disk-durable")                                                      \
    X(TRACE_DISK_FAULT, "disk-fault")                                                          \
    X(TRACE_DISK_LOSS, "disk-loss")                                                            \
    /* the ping process (proves the environment seam) */                                       \
    X(TRACE_PING_SEND, "ping-send")                                                            \
    X(TRACE_PING_RECV, "ping-recv")                                                            \
    X(TRACE_PONG_RECV, "pong-recv")                                                            \
    X(TRACE_PING_RECOVER, "ping-recover")                                                      \
    X(TRACE_PING_TIMEOUT, "ping-timeout")                                                     \
    /* the KRaft quorum (broker/raft) */                                                       \
    X(TRACE_RAFT_STATE, "raft-state")                                                          \
    X(TRACE_RAFT_BECAME_LEADER, "became-leader")                                               \
    X(TRACE_RAFT_VOTE, "vote")                                                                 \
    X(TRACE_RAFT_ELECTION_LOST, "election-lost")                                               \
    X(TRACE_RAFT_APPEND, "raft-append")                                                        \
    X(TRACE_RAFT_TRUNCATE, "raft-truncate")                                                    \
    X(TRACE_RAFT_HIGH_WATERMARK, "high-watermark")                                             \
    X(TRACE_RAFT_RESIGN, "resign")                                                             \
    X(TRACE_RAFT_ERROR, "raft-error")                                                          \
    X(TRACE_NODE_START, "node-start")                                                          \
    X(TRACE_NODE_REFUSE, "node-refuse")                                                        \
    X(TRACE_NODE_PERSIST, "quorum-state")                                                      \
    X(TRACE_RAFT_SNAPSHOT, "snapshot")                                                         \
    /* the controller and brokers (broker/controller.c, broker/lifecycle.c) */                  \
    X(TRACE_CONTROLLER, "controller")                                                          \
    X(TRACE_BROKER_STATE, "broker-state")                                                      \
    X(TRACE_PARTITION, "partition")                                                            \
    X(TRACE_BROKER_API, "broker-api")                                                          \
    X(TRACE_ADMIN, "admin")                                                                    \
    /* appended, not grouped, so the kinds above keep their numbers: the disk */               \
    X(TRACE_DISK_WRITEBACK, "disk-writeback")

enum trace_kind {
#define TRACE_KIND_ENUM(name, text) name,
    TRACE_KINDS(TRACE_KIND_ENUM)
#undef TRACE_KIND_ENUM
        TRACE_KIND_COUNT
};

const char *trace_kind_name(enum trace_kind kind);

/*
 * A trace event's detail is a short list of typed fields, not text: the trace hash folds the
 * values themselves, and text ("id=7 from=h3 to=h0 bytes=154") is formatted only where a person
 * or the run database reads it. A field is `key=value` when printed; a field without a key is a
 * bare word or phrase ("violation", "Exiting Kafka due to fatal exception: ..."). String values
 * are borrowed: they must live until the trace call returns.
 */
enum trace_field_type {
    TRACE_FIELD_INT,  /* int64_t, printed in decimal */
    TRACE_FIELD_UINT, /* uint64_t, printed in decimal */
    TRACE_FIELD_STR,  /* a string, printed as it is */
    TRACE_FIELD_HOST, /* a host index, printed h<index> (frames name hosts so; tools follow it) */
};

struct trace_field {
    const char *key; /* a string literal (the trace remembers a key's hash by its address);
                      * NULL: the value alone */
    enum trace_field_type type;
    union {
        int64_t i;
        uint64_t u;
        const char *s;
    } v;
};

#define TRACE_FIELDS_MAX 16

#define TF_INT(k, x)                                                                           \
    ((struct trace_field){.key = (k), .type = TRACE_FIELD_INT, .v.i = (int64_t)(x)})
#define TF_UINT(k, x)                                                                          \
    ((struct trace_field){.key = (k), .type = TRACE_FIELD_UINT, .v.u = (uint64_t)(x)})
#define TF_STR(k, x) ((struct trace_field){.key = (k), .type = TRACE_FIELD_STR, .v.s = (x)})
#define TF_HOST(k, x)                                                                          \
    ((struct trace_field){.key = (k), .type = TRACE_FIELD_HOST, .v.i = (int64_t)(x)})
#define TF_WORD(x) TF_STR(NULL, (x))

/* The number of fields in a braced list, for the trace macros. */
#define TRACE_FIELD_COUNT(...)                                                                 \
    (sizeof((const struct trace_field[]){__VA_ARGS__}) / sizeof(struct trace_field))

/* What the world does for a process. `ctx` is the world's; the process never looks inside. */
struct env_ops {
    time_ns (*now)(void *ctx);
    /* Fires `token` back through process_ops.step after `delay` of local time. Returns an id
     * (never 0) for timer_cancel. */
    uint64_t (*timer_set)(void *ctx, time_ns delay, uint64_t token);
    void (*timer_cancel)(void *ctx, uint64_t id);
    /* Hands one frame to the network, addressed to a host index from `resolve`. `channel` says
     * which end of the connection it is for: a request goes to the peer's server side, a
     * response back to the client side that asked (Kafka tells them apart by socket). */
    void (*send)(void *ctx, int to_host, int channel, const uint8_t *bytes, size_t len);
    /* Maps a listener address ("kafka-zk01", 9093) to a host index, or -1. */
    int (*resolve)(void *ctx, const char *host, int port);
    /* Files. Writes land in the page cache at once; fsync completes later as an event. */
    int (*disk_write)(void *ctx, const char *file, uint64_t offset, const void *bytes,
                      size_t len);
    int64_t (*disk_read)(void *ctx, const char *file, uint64_t offset, void *buf, size_t len);
    int64_t (*disk_size)(void *ctx, const char *file); /* -ENV_ENOENT if absent */
    int (*disk_truncate)(void *ctx, const char *file, uint64_t size);
    int (*disk_rename)(void *ctx, const char *from, const char *to);
    int (*disk_remove)(void *ctx, const char *file);
    /* Calls `each` for every file whose name starts with `prefix`, in byte order of name. */
    int (*disk_list)(void *ctx, const char *prefix,
                     void (*each)(void *arg, const char *name), void *arg);
    void (*disk_fsync)(void *ctx, const char *file, uint64_t token);
    uint64_t (*random)(void *ctx);
    void (*trace)(void *ctx, enum trace_kind kind, const struct trace_field *fields,
                  size_t count);
};

struct env {
    const struct env_ops *ops;
    void *ctx;
    int host; /* this process's host index, as `resolve` names hosts */
};

/* The two ends of a connection, and RESET: no bytes, the other end refused or reset the
 * connection (a TCP RST: a request reached a host whose OS runs but where no process listens,
 * after a kill -9 or a stop). A process fails whatever it awaits from that host. */
enum env_channel { ENV_CHANNEL_REQUEST = 0, ENV_CHANNEL_RESPONSE = 1, ENV_CHANNEL_RESET = 2 };

/* The events a process is stepped with. */
enum env_event_kind { ENV_EVENT_MESSAGE, ENV_EVENT_TIMER, ENV_EVENT_DISK };

struct env_event {
    enum env_event_kind kind;
    time_ns now; /* the host's local clock when the event is dispatched */
    union {
        struct {
            int from_host;
            int channel;          /* ENV_CHANNEL_REQUEST, _RESPONSE or _RESET */
            const uint8_t *bytes; /* valid for the duration of the step only */
            size_t len;
        } message;
        struct {
            uint64_t token;
        } timer;
        struct {
            uint64_t token;
            int err; /* ENV_OK once the fsync is durable */
        } disk;
    } u;
};

/* What a process is, for the host that runs it. */
struct process_ops {
    const char *name;
    /* Boots a process from its disk. `config` is the process's own; NULL means defaults.
     * Returns NULL (after tracing why) when the process refuses to start. */
    void *(*start)(const struct env *env, const void *config);
    void (*step)(void *proc, const struct env_event *event);
    /* Frees memory only: a crash is not a shutdown, so nothing is written or sent. */
    void (*destroy)(void *proc);
};

/*
 * Assertions stay on in every build we ship or test (-O0, -O2, sanitizers). A failure prints the
 * expression, its place and the world's context (seed, virtual time, host), then exits with
 * status 3 (internal error). The world installs the context describer.
 */
#define KS_ASSERT(expr) ((expr) ? (void)0 : ks_assert_fail(#expr, __FILE__, __LINE__))
_Noreturn void ks_assert_fail(const char *expr, const char *file, int line);
void ks_assert_set_context(void (*describe)(void *arg, char *buf, size_t cap), void *arg);
#define KS_EXIT_INTERNAL 3

/* Convenience wrappers, so broker code reads `env_now(e)` rather than a table call. */
static inline time_ns env_now(const struct env *e) { return e->ops->now(e->ctx); }
static inline uint64_t env_random(const struct env *e) { return e->ops->random(e->ctx); }
/* env_trace(e, kind, TF_INT("epoch", 3), TF_STR("role", "Leader")): one event, typed fields. */
#define env_trace(e, kind, ...)                                                                \
    ((e)->ops->trace((e)->ctx, (kind), (const struct trace_field[]){__VA_ARGS__},            \
                     TRACE_FIELD_COUNT(__VA_ARGS__)))
/* A prose event (a refusal's reason in Kafka's words): formatted once, a single bare field.
 * Events a run emits often take typed fields instead. */
void env_tracef(const struct env *e, enum trace_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reads a whole file into a malloc'd buffer with a NUL after its bytes, reading it again until
 * a read agrees with an earlier one (at most ENV_READS_MAX reads): a read-corruption fault
 * flips a bit in what one read returns, never in the file, so no fault can pass for a torn or
 * corrupt file and make recovery cut durable data. The raft log, the partition logs and every
 * checkpoint file are read this way. Returns its length, -ENV_ENOENT when absent, or -ENV_EIO
 * (a short read, or no two reads agree). */
#define ENV_READS_MAX 8
int64_t env_read_file(const struct env *e, const char *path, char **out);

#endif
