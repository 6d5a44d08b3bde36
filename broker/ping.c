/* ping.c — the ping process: ApiVersions pings over the environment, persist before send. */
#include "ping.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/api_versions.h"
#include "protocol/header.h"
#include "protocol/wire.h"

#define STATE_FILE "ping.state"
#define API_VERSION 3 /* ApiVersions v3: flexible, request header v2; response header v0 */

/* Timer and fsync tokens. A sequence number rides in the low bits of fsync tokens. */
enum { TOKEN_TICK = 1, TOKEN_TIMEOUT = 2 };
#define TOKEN_SEQ_FLAG (UINT64_C(1) << 39)

struct ping {
    const struct env *env;
    struct ping_config cfg;
    int peer;            /* host index, or -1 when the name does not resolve */
    uint64_t seq;        /* the last sequence number taken (durable or about to be) */
    uint64_t in_flight;  /* the ping awaiting its pong, 0 if none */
    time_ns sent_at;
    uint64_t timeout_timer;
    char client_id[32];
};

struct ping_config ping_config_default(void)
{
    return (struct ping_config){
        .peer = NULL,
        .interval = 200 * NS_PER_MS,
        .jitter = 50 * NS_PER_MS,
        .timeout = 100 * NS_PER_MS,
        .unsafe_send_before_fsync = false,
    };
}

static void arm_tick(struct ping *p)
{
    time_ns jitter = p->cfg.jitter > 0 ? (time_ns)(env_random(p->env) %
                                                   (uint64_t)(p->cfg.jitter + 1)) : 0;
    p->env->ops->timer_set(p->env->ctx, p->cfg.interval + jitter, TOKEN_TICK);
}

/* The state file holds the last sequence number as 8 big-endian bytes. */
static uint64_t read_state(const struct ping *p)
{
    uint8_t b[8];
    if (p->env->ops->disk_read(p->env->ctx, STATE_FILE, 0, b, sizeof b) != (int64_t)sizeof b) {
        return 0; /* missing, or short after a power failure tore it: start from nothing */
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = (v << 8) | b[i];
    }
    return v;
}

static void write_state(const struct ping *p, uint64_t seq)
{
    uint8_t b[8];
    for (int i = 7; i >= 0; i--, seq >>= 8) {
        b[i] = (uint8_t)seq;
    }
    int rc = p->env->ops->disk_write(p->env->ctx, STATE_FILE, 0, b, sizeof b);
    KS_ASSERT(rc == ENV_OK); /* the ping scenario sets no disk capacity */
}

static void send_frame(struct ping *p, int to, int channel, struct wire_writer *w)
{
    KS_ASSERT(w->err == 0);
    p->env->ops->send(p->env->ctx, to, channel, w->bytes, w->len);
    wire_writer_free(w);
}

static void send_ping(struct ping *p, uint64_t seq)
{
    struct wire_writer w;
    wire_writer_init(&w);
    size_t mark = kheader_frame_begin(&w);
    struct kheader_request h = {.api_key = KAFKA_API_API_VERSIONS, .api_version = API_VERSION,
                                .correlation_id = (int32_t)seq, .client_id = p->client_id};
    kheader_request_encode(&w, &h, kheader_request_version(h.api_key, h.api_version));
    struct api_versions_request req;
    api_versions_request_init(&req);
    req.client_software_name = "kraftsim-ping";
    req.client_software_version = "1";
    api_versions_request_encode(&w, &req, API_VERSION);
    kheader_frame_end(&w, mark);
    send_frame(p, p->peer, ENV_CHANNEL_REQUEST, &w);
    p->in_flight = seq;
    p->sent_at = env_now(p->env);
    p->env->ops->timer_cancel(p->env->ctx, p->timeout_timer);
    p->timeout_timer = p->env->ops->timer_set(p->env->ctx, p->cfg.timeout, TOKEN_TIMEOUT);
    env_trace(p->env, TRACE_PING_SEND, TF_UINT("seq", seq), TF_HOST("to", p->peer));
}

static void answer(struct ping *p, int from, int32_t correlation_id, int16_t version)
{
    static const struct api_versions_api_key keys[] = {{KAFKA_API_API_VERSIONS, 0, 4}};
    struct wire_writer w;
    wire_writer_init(&w);
    size_t mark = kheader_frame_begin(&w);
    struct kheader_response h = {.correlation_id = correlation_id};
    kheader_response_encode(&w, &h, kheader_response_version(KAFKA_API_API_VERSIONS, version));
    struct api_versions_response resp;
    api_versions_response_init(&resp);
    resp.api_key_count = 1;
    resp.api_keys = (struct api_versions_api_key *)keys;
    api_versions_response_encode(&w, &resp, version);
    kheader_frame_end(&w, mark);
    send_frame(p, from, ENV_CHANNEL_RESPONSE, &w);
    env_trace(p->env, TRACE_PING_RECV, TF_INT("seq", correlation_id), TF_HOST("from", from));
}

static void on_request(struct ping *p, int from, const uint8_t *bytes, size_t len)
{
    struct wire_arena arena;
    wire_arena_init(&arena);
    struct kheader_request h;
    struct wire_reader body;
    struct api_versions_request req;
    int rc = kheader_request_decode_frame(bytes, len, &arena, &h, &body);
    if (rc == 0 && h.api_key == KAFKA_API_API_VERSIONS) {
        rc = api_versions_request_decode(&body, h.api_version, &arena, &req);
        if (rc == 0) {
            answer(p, from, h.correlation_id, h.api_version);
        }
    }
    wire_arena_free(&arena);
}

static void on_response(struct ping *p, int from, const uint8_t *bytes, size_t len)
{
    struct kheader_response h;
    struct wire_reader body;
    int rc = kheader_response_decode_frame(bytes, len, KAFKA_API_API_VERSIONS, API_VERSION, &h,
                                           &body);
    if (rc != 0 || p->in_flight == 0 || (uint64_t)h.correlation_id != p->in_flight) {
        return; /* a late pong for a ping already given up on */
    }
    time_ns rtt = env_now(p->env) - p->sent_at;
    env_trace(p->env, TRACE_PONG_RECV, TF_INT("seq", h.correlation_id), TF_HOST("from", from),
              TF_INT("rtt_us", rtt / NS_PER_US));
    p->in_flight = 0;
    p->env->ops->timer_cancel(p->env->ctx, p->timeout_timer);
}

static void on_tick(struct ping *p)
{
    arm_tick(p);
    if (p->peer < 0) {
        return;
    }
    uint64_t seq = ++p->seq;
    write_state(p, seq);
    if (p->cfg.unsafe_send_before_fsync) {
        /* The planted bug: trust the page cache, send at once, never fsync. */
        send_ping(p, seq);
        return;
    }
    p->env->ops->disk_fsync(p->env->ctx, STATE_FILE, TOKEN_SEQ_FLAG | seq);
}

static void *ping_start(const struct env *env, const void *config)
{
    struct ping *p = calloc(1, sizeof *p);
    KS_ASSERT(p != NULL);
    p->env = env;
    p->cfg = config != NULL ? *(const struct ping_config *)config : ping_config_default();
    KS_ASSERT(p->cfg.interval > 0);
    p->peer = p->cfg.peer != NULL ? env->ops->resolve(env->ctx, p->cfg.peer, 9092) : -1;
    p->seq = read_state(p);
    snprintf(p->client_id, sizeof p->client_id, "ping-%d", env->host);
    env_trace(env, TRACE_PING_RECOVER, TF_UINT("seq", p->seq),
              TF_STR("peer", p->cfg.peer != NULL ? p->cfg.peer : "none"));
    arm_tick(p);
    return p;
}

static void ping_step(void *proc, const struct env_event *e)
{
    struct ping *p = proc;
    switch (e->kind) {
    case ENV_EVENT_MESSAGE:
        if (e->u.message.channel == ENV_CHANNEL_RESET) {
            break; /* the ping's own timeout handles a peer that is gone */
        }
        if (e->u.message.channel == ENV_CHANNEL_REQUEST) {
            on_request(p, e->u.message.from_host, e->u.message.bytes, e->u.message.len);
        } else {
            on_response(p, e->u.message.from_host, e->u.message.bytes, e->u.message.len);
        }
        break;
    case ENV_EVENT_TIMER:
        if (e->u.timer.token == TOKEN_TICK) {
            on_tick(p);
        } else if (p->in_flight != 0) {
            KS_ASSERT(e->u.timer.token == TOKEN_TIMEOUT);
            env_trace(p->env, TRACE_PING_TIMEOUT, TF_UINT("seq", p->in_flight));
            p->in_flight = 0;
        }
        break;
    case ENV_EVENT_DISK: {
        uint64_t seq = e->u.disk.token & ~TOKEN_SEQ_FLAG;
        KS_ASSERT(e->u.disk.token & TOKEN_SEQ_FLAG);
        /* Persist before send: the ping leaves only once its number is durable, and only if no
         * later number was taken meanwhile (then that one goes instead, when it is durable). */
        if (e->u.disk.err == ENV_OK && seq == p->seq) {
            send_ping(p, seq);
        }
        break;
    }
    }
}

static void ping_destroy(void *proc) { free(proc); }

const struct process_ops ping_process = {
    .name = "ping",
    .start = ping_start,
    .step = ping_step,
    .destroy = ping_destroy,
};
