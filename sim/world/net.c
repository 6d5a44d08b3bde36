/* net.c — links between hosts: latency, bandwidth, loss, duplication, reordering and cuts. */
#include "world/net.h"
#include "text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * How a frame travels.
 *
 * net_send decides everything it can at once, in a fixed order of random draws: loss, then
 * duplication, then for each copy its latency, its jitter and its reorder chance. A draw whose
 * outcome is certain (a zero spread, a 0 or 1,000,000 ppm chance) takes no number from the
 * stream, so a quiet link never shifts the randomness seen by the rest of the run.
 *
 * Each copy is a heap-allocated `struct net_frame` holding its own bytes, linked into the
 * network's in-flight list and named by one scheduler event. When the event fires the copy
 * leaves the list and is either delivered or, if its link is cut by then, dropped. Only the
 * cut can still change its fate after net_send returns: that is how a partition catches the
 * frames already on the wire.
 *
 * What is a "link" in time:
 *   departure = max(now, busy_until) + len * 1e9 / bandwidth   (busy_until = departure)
 *   arrival   = departure + latency                              (latency includes jitter)
 *   arrival   = max(arrival, fifo_tail) unless the reorder chance fires;
 *   fifo_tail = max(fifo_tail, arrival)
 * Two arrivals at the same instant fire in scheduling order (the scheduler's sequence number),
 * so equal times keep FIFO order too.
 */

struct net_frame {
    struct net_frame *prev;
    struct net_frame *next;
    struct net *net;
    sched_timer timer;
    uint64_t id;  /* the id of the net_send; a duplicate shares it with its original */
    int from;
    int to;
    bool copy;    /* the extra copy made by duplicate_ppm */
    uint8_t channel; /* which end of the connection it arrives at: see net.h */
    size_t len;
    uint8_t bytes[];
};

/* Latency means up to this are accepted; far beyond any real network and far from overflow. */
#define LATENCY_LIMIT (INT64_C(1000) * NS_PER_S)
/* "{0,1,...,63}" for every host fits in this. */
#define GROUP_TEXT_MAX 200 /* one side of a partition in the trace; longer ends "...}" */

struct net_link_cfg net_link_default(void)
{
    return (struct net_link_cfg){
        .latency_min = 100 * NS_PER_US,
        .latency_mean = 200 * NS_PER_US,
        .jitter = 0,
        .drop_ppm = 0,
        .duplicate_ppm = 0,
        .reorder_ppm = 0,
        .bandwidth_bytes_per_s = 0,
    };
}

static bool cfg_valid(const struct net_link_cfg *cfg)
{
    if (cfg->latency_min < 0 || cfg->latency_mean < cfg->latency_min) {
        return false;
    }
    if (cfg->latency_mean > LATENCY_LIMIT || cfg->jitter < 0 || cfg->jitter > LATENCY_LIMIT) {
        return false;
    }
    if (cfg->drop_ppm > RNG_PPM || cfg->duplicate_ppm > RNG_PPM) {
        return false;
    }
    return cfg->reorder_ppm <= RNG_PPM;
}

static bool host_valid(const struct net *n, int host)
{
    return host >= 0 && host < n->host_count;
}

static struct net_link *link_of(struct net *n, int from, int to)
{
    KS_ASSERT(host_valid(n, from));
    KS_ASSERT(host_valid(n, to));
    return &n->links[from][to];
}

void net_init(struct net *n, struct sched *sched, struct trace *trace, uint64_t seed,
              int host_count, net_deliver_fn deliver, void *deliver_ctx)
{
    KS_ASSERT(sched != NULL);
    KS_ASSERT(trace != NULL);
    KS_ASSERT(deliver != NULL);
    KS_ASSERT(host_count > 0);
    KS_ASSERT(host_count <= NET_HOST_MAX);
    memset(n, 0, sizeof *n);
    n->sched = sched;
    n->trace = trace;
    rng_init(&n->rng, seed, "net", 0);
    n->host_count = host_count;
    n->deliver = deliver;
    n->deliver_ctx = deliver_ctx;
    n->next_frame_id = 1;
    struct net_link_cfg cfg = net_link_default();
    for (int from = 0; from < host_count; from++) {
        for (int to = 0; to < host_count; to++) {
            net_set_link(n, from, to, &cfg); /* loopback too: it keeps these for good */
        }
    }
    KS_ASSERT(net_check(n));
}

static void frame_unlink(struct net *n, struct net_frame *f)
{
    KS_ASSERT(n->in_flight_count > 0);
    if (f->prev != NULL) {
        f->prev->next = f->next;
    } else {
        KS_ASSERT(n->frames_head == f);
        n->frames_head = f->next;
    }
    if (f->next != NULL) {
        f->next->prev = f->prev;
    } else {
        KS_ASSERT(n->frames_tail == f);
        n->frames_tail = f->prev;
    }
    f->prev = NULL;
    f->next = NULL;
    n->in_flight_count--;
}

void net_free(struct net *n)
{
    KS_ASSERT(net_check(n));
    struct net_frame *f = n->frames_head;
    while (f != NULL) {
        struct net_frame *next = f->next;
        /* Every frame in the list has a pending event (net_check says so): cancelling it
         * keeps the scheduler from firing into freed memory if it runs on. */
        bool cancelled = sched_cancel(n->sched, f->timer);
        KS_ASSERT(cancelled);
        free(f);
        f = next;
    }
    n->frames_head = NULL;
    n->frames_tail = NULL;
    n->in_flight_count = 0;
}

void net_set_link(struct net *n, int from, int to, const struct net_link_cfg *cfg)
{
    KS_ASSERT(cfg != NULL);
    KS_ASSERT(cfg_valid(cfg));
    /* Only the settings change: the cut flag and the FIFO and bandwidth floors belong to the
     * frames already sent, which the new settings must not let anything overtake. */
    link_of(n, from, to)->cfg = *cfg;
}

void net_set_all_links(struct net *n, const struct net_link_cfg *cfg)
{
    for (int from = 0; from < n->host_count; from++) {
        for (int to = 0; to < n->host_count; to++) {
            /* A host's link to itself is loopback (a combined node's broker heartbeating to its
             * own controller): no NIC, no netem, so network faults leave it as isolation does. */
            if (from != to) {
                net_set_link(n, from, to, cfg);
            }
        }
    }
}

const struct net_link_cfg *net_link_cfg(const struct net *n, int from, int to)
{
    KS_ASSERT(host_valid(n, from));
    KS_ASSERT(host_valid(n, to));
    return &n->links[from][to].cfg;
}

/* A host as the trace names it (kafka-1; h<index> on a bare network). */
#define NAME(n, host, buf) trace_host_name((n)->trace, (host), (buf), sizeof(buf))

/* Frames keep the hosts' indices, as the console's host column does: tools that read the trace
 * (the wire oracle) follow connections by them. Faults, which a person reads, use names.
 * `reason` (NULL: none) says why a frame was dropped: "cut" or "loss". */
static void trace_frame(struct net *n, int host, enum trace_kind kind, const struct net_frame *f,
                        const char *reason)
{
    struct trace_field fields[6] = {TF_UINT("id", f->id), TF_HOST("from", f->from),
                                    TF_HOST("to", f->to), TF_UINT("bytes", f->len)};
    size_t count = 4;
    if (f->copy) {
        fields[count++] = TF_INT("dup", 1);
    }
    if (reason != NULL) {
        fields[count++] = TF_STR("reason", reason);
    }
    trace_emit_fields(n->trace, sched_now(n->sched), host, kind, fields, count);
}

static int32_t be32(const uint8_t *b)
{
    return (int32_t)(((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) |
                     b[3]);
}

static int16_t be16(const uint8_t *b) { return (int16_t)((b[0] << 8) | b[1]); }

/* A send, with what a reader of the trace (the run database's message table, the sequence
 * diagram) needs to pair requests with responses: a request's header (api key, version,
 * correlation id), a response's correlation id. Kafka frames only ever come this way. */
static void trace_send(struct net *n, const struct net_frame *f, const uint8_t *bytes)
{
    time_ns now = sched_now(n->sched);
    if (f->channel == ENV_CHANNEL_REQUEST && f->len >= 12) {
        trace_fields(n->trace, now, f->from, TRACE_NET_SEND, TF_UINT("id", f->id),
                     TF_HOST("from", f->from), TF_HOST("to", f->to), TF_UINT("bytes", f->len),
                     TF_INT("api", be16(bytes + 4)), TF_INT("v", be16(bytes + 6)),
                     TF_INT("corr", be32(bytes + 8)));
    } else if (f->channel == ENV_CHANNEL_RESPONSE && f->len >= 8) {
        trace_fields(n->trace, now, f->from, TRACE_NET_SEND, TF_UINT("id", f->id),
                     TF_HOST("from", f->from), TF_HOST("to", f->to), TF_UINT("bytes", f->len),
                     TF_INT("corr", be32(bytes + 4)));
    } else {
        trace_frame(n, f->from, TRACE_NET_SEND, f, NULL);
    }
}

static void arrive(void *ctx, uint64_t arg)
{
    struct net_frame *f = ctx;
    struct net *n = f->net;
    KS_ASSERT(arg == f->id);
    frame_unlink(n, f);
    if (link_of(n, f->from, f->to)->cut) {
        /* The link was cut while the frame was on the wire. */
        n->dropped_count++;
        trace_frame(n, f->to, TRACE_NET_DROP, f, "cut");
    } else {
        n->delivered_count++;
        trace_frame(n, f->to, TRACE_NET_DELIVER, f, NULL);
        /* The frame is out of the list already, so the handler may send (or even cut) freely;
         * its bytes stay valid until the call returns. */
        n->deliver(n->deliver_ctx, f->from, f->to, f->channel, f->bytes, f->len);
    }
    free(f);
}

/* The one-way delay of one copy: the latency spread and the jitter, each drawn only when it is
 * not zero. */
static time_ns draw_latency(struct net *n, const struct net_link_cfg *cfg)
{
    time_ns latency = cfg->latency_min;
    time_ns spread = 2 * (cfg->latency_mean - cfg->latency_min);
    if (spread > 0) {
        latency += rng_range(&n->rng, 0, spread);
    }
    if (cfg->jitter > 0) {
        latency += rng_range(&n->rng, 0, cfg->jitter);
    }
    KS_ASSERT(latency >= cfg->latency_min);
    return latency;
}

/* Time to put `len` bytes on the wire, len * 1e9 / bandwidth, in 128-bit arithmetic so that
 * no frame size overflows; saturates at TIME_NS_MAX. */
static time_ns serialise_ns(const struct net_link_cfg *cfg, size_t len)
{
    if (cfg->bandwidth_bytes_per_s == 0) {
        return 0;
    }
    unsigned __int128 ns = (unsigned __int128)len * (uint64_t)NS_PER_S;
    ns /= cfg->bandwidth_bytes_per_s;
    return ns > (unsigned __int128)TIME_NS_MAX ? TIME_NS_MAX : (time_ns)ns;
}

/* When a copy sent now arrives; moves the link's bandwidth and FIFO floors past it. */
static time_ns arrival_of(struct net *n, struct net_link *link, size_t len)
{
    time_ns now = sched_now(n->sched);
    time_ns start = link->busy_until > now ? link->busy_until : now;
    time_ns departure = time_add(start, serialise_ns(&link->cfg, len));
    link->busy_until = departure;
    time_ns arrival = time_add(departure, draw_latency(n, &link->cfg));
    bool reorder = rng_chance(&n->rng, link->cfg.reorder_ppm);
    if (!reorder && arrival < link->fifo_tail) {
        arrival = link->fifo_tail;
    }
    if (arrival > link->fifo_tail) {
        link->fifo_tail = arrival;
    }
    KS_ASSERT(arrival >= now);
    KS_ASSERT(link->fifo_tail >= arrival);
    return arrival;
}

/* Puts one copy of the frame on the wire: its own bytes, its own arrival event. */
static void launch(struct net *n, const struct net_frame *head, const uint8_t *bytes,
                   bool copy)
{
    int from = head->from;
    int to = head->to;
    size_t len = head->len;
    struct net_frame *f = malloc(sizeof *f + len);
    KS_ASSERT(f != NULL);
    *f = (struct net_frame){
        .prev = n->frames_tail, .net = n, .id = head->id, .from = from, .to = to,
        .copy = copy, .channel = head->channel, .len = len,
    };
    if (len > 0) {
        memcpy(f->bytes, bytes, len);
    }
    time_ns arrival = arrival_of(n, link_of(n, from, to), len);
    f->timer = sched_at(n->sched, arrival, arrive, f, f->id);
    if (n->frames_tail != NULL) {
        n->frames_tail->next = f;
    } else {
        n->frames_head = f;
    }
    n->frames_tail = f;
    n->in_flight_count++;
}

static void send_frame(struct net *n, int from, int to, uint8_t channel, const uint8_t *bytes,
                       size_t len)
{
    struct net_link *link = link_of(n, from, to);
    KS_ASSERT(bytes != NULL || len == 0);
    struct net_frame head = {
        .id = n->next_frame_id++, .from = from, .to = to, .channel = channel, .len = len};
    n->sent_count++;
    trace_send(n, &head, bytes);
    if (link->cut) {
        n->dropped_count++;
        trace_frame(n, from, TRACE_NET_DROP, &head, "cut");
        return;
    }
    if (rng_chance(&n->rng, link->cfg.drop_ppm)) {
        n->dropped_count++;
        trace_frame(n, from, TRACE_NET_DROP, &head, "loss");
        return;
    }
    bool duplicate = rng_chance(&n->rng, link->cfg.duplicate_ppm);
    launch(n, &head, bytes, false);
    if (duplicate) {
        n->duplicated_count++;
        trace_frame(n, from, TRACE_NET_DUPLICATE, &head, NULL);
        launch(n, &head, bytes, true);
    }
}

void net_send(struct net *n, int from, int to, uint8_t channel, const uint8_t *bytes,
              size_t len)
{
    KS_ASSERT(channel != ENV_CHANNEL_RESET); /* a refusal is not a frame: net_reset */
    send_frame(n, from, to, channel, bytes, len);
}

void net_reset(struct net *n, int from, int to)
{
    send_frame(n, from, to, ENV_CHANNEL_RESET, NULL, 0);
}

/* Cuts. */

static void set_cut(struct net *n, int from, int to, bool cut)
{
    link_of(n, from, to)->cut = cut;
}

void net_cut(struct net *n, int from, int to)
{
    set_cut(n, from, to, true);
    char a[16], b[16];
    trace_emitf(n->trace, sched_now(n->sched), TRACE_HOST_NONE, TRACE_NET_CUT, "cut %s -> %s",
                NAME(n, from, a), NAME(n, to, b));
}

void net_uncut(struct net *n, int from, int to)
{
    set_cut(n, from, to, false);
    char a[16], b[16];
    trace_emitf(n->trace, sched_now(n->sched), TRACE_HOST_NONE, TRACE_NET_HEAL,
                "uncut %s -> %s", NAME(n, from, a), NAME(n, to, b));
}

bool net_is_cut(const struct net *n, int from, int to)
{
    KS_ASSERT(host_valid(n, from));
    KS_ASSERT(host_valid(n, to));
    return n->links[from][to].cut;
}

/* Writes a group as "{0,1,2}" after checking every member is a host. */
static void group_text(const struct net *n, const int *group, int count, char *buf, size_t cap)
{
    KS_ASSERT(count >= 0);
    KS_ASSERT(group != NULL || count == 0);
    KS_ASSERT(cap >= GROUP_TEXT_MAX);
    /* "{kafka-1,kafka-2}"; a group too long for the trace line ends ",...}". */
    struct text t = text_init(buf, cap);
    text_printf(&t, "{");
    for (int i = 0; i < count; i++) {
        KS_ASSERT(host_valid(n, group[i]));
        char fallback[16];
        const char *name = NAME(n, group[i], fallback);
        if (t.len + strlen(name) + sizeof ",,...}" > cap) {
            text_printf(&t, "%s...", i > 0 ? "," : "");
            break;
        }
        text_printf(&t, "%s%s", i > 0 ? "," : "", name);
    }
    text_printf(&t, "}");
    KS_ASSERT(text_fits(&t));
}

static bool group_has(const int *group, int count, int host)
{
    for (int i = 0; i < count; i++) {
        if (group[i] == host) {
            return true;
        }
    }
    return false;
}

/* Cuts every link from a member of a to a member of b. The groups must not share a host: a
 * host cannot be on both sides of a partition. */
static void cut_groups(struct net *n, const int *a, int a_count, const int *b, int b_count)
{
    for (int i = 0; i < a_count; i++) {
        KS_ASSERT(!group_has(b, b_count, a[i]));
        for (int j = 0; j < b_count; j++) {
            set_cut(n, a[i], b[j], true);
        }
    }
}

void net_partition(struct net *n, const int *a, int a_count, const int *b, int b_count)
{
    char a_text[GROUP_TEXT_MAX];
    char b_text[GROUP_TEXT_MAX];
    group_text(n, a, a_count, a_text, sizeof a_text);
    group_text(n, b, b_count, b_text, sizeof b_text);
    cut_groups(n, a, a_count, b, b_count);
    cut_groups(n, b, b_count, a, a_count);
    trace_emitf(n->trace, sched_now(n->sched), TRACE_HOST_NONE, TRACE_NET_CUT,
                "partition %s | %s", a_text, b_text);
}

void net_cut_oneway(struct net *n, const int *a, int a_count, const int *b, int b_count)
{
    char a_text[GROUP_TEXT_MAX];
    char b_text[GROUP_TEXT_MAX];
    group_text(n, a, a_count, a_text, sizeof a_text);
    group_text(n, b, b_count, b_text, sizeof b_text);
    cut_groups(n, a, a_count, b, b_count);
    trace_emitf(n->trace, sched_now(n->sched), TRACE_HOST_NONE, TRACE_NET_CUT,
                "oneway %s -> %s", a_text, b_text);
}

void net_bridge(struct net *n, const int *a, int a_count, int bridge, const int *b,
                int b_count)
{
    char a_text[GROUP_TEXT_MAX];
    char b_text[GROUP_TEXT_MAX];
    KS_ASSERT(host_valid(n, bridge));
    KS_ASSERT(!group_has(a, a_count, bridge));
    KS_ASSERT(!group_has(b, b_count, bridge));
    group_text(n, a, a_count, a_text, sizeof a_text);
    group_text(n, b, b_count, b_text, sizeof b_text);
    /* Like every helper this only adds cuts: the bridge's own links are left as they are, so
     * helpers compose (a bridge inside an earlier partition stays partitioned). */
    cut_groups(n, a, a_count, b, b_count);
    cut_groups(n, b, b_count, a, a_count);
    char name[16];
    trace_emitf(n->trace, sched_now(n->sched), TRACE_HOST_NONE, TRACE_NET_CUT,
                "bridge %s | %s | %s", a_text, NAME(n, bridge, name), b_text);
}

void net_isolate(struct net *n, int host)
{
    KS_ASSERT(host_valid(n, host));
    for (int other = 0; other < n->host_count; other++) {
        /* A host's link to itself is loopback, not the network: isolation leaves it. */
        if (other != host) {
            set_cut(n, host, other, true);
            set_cut(n, other, host, true);
        }
    }
    char name[16];
    trace_emitf(n->trace, sched_now(n->sched), TRACE_HOST_NONE, TRACE_NET_CUT, "isolate %s",
                NAME(n, host, name));
}

void net_heal(struct net *n)
{
    int healed = 0;
    for (int from = 0; from < n->host_count; from++) {
        for (int to = 0; to < n->host_count; to++) {
            healed += n->links[from][to].cut ? 1 : 0;
            n->links[from][to].cut = false;
        }
    }
    KS_ASSERT(healed <= n->host_count * n->host_count);
    trace_emitf(n->trace, sched_now(n->sched), TRACE_HOST_NONE, TRACE_NET_HEAL,
                "heal links=%d", healed);
}

/* The in-flight list: well linked, every copy on a real link with a pending event, and as long
 * as in_flight_count says. */
static bool frames_check(const struct net *n)
{
    uint64_t count = 0;
    const struct net_frame *prev = NULL;
    for (const struct net_frame *f = n->frames_head; f != NULL; f = f->next) {
        if (f->prev != prev || f->net != n || !host_valid(n, f->from) || !host_valid(n, f->to)) {
            return false;
        }
        if (f->id == 0 || f->id >= n->next_frame_id || !sched_is_pending(n->sched, f->timer)) {
            return false;
        }
        prev = f;
        count++;
    }
    return n->frames_tail == prev && count == n->in_flight_count;
}

bool net_check(const struct net *n)
{
    if (n->sched == NULL || n->trace == NULL || n->deliver == NULL) {
        return false;
    }
    if (n->host_count <= 0 || n->host_count > NET_HOST_MAX) {
        return false;
    }
    /* Every id handed out belongs to exactly one net_send. */
    if (n->next_frame_id != n->sent_count + 1) {
        return false;
    }
    /* Conservation: each copy put on the wire ends delivered, dropped or still in flight. */
    uint64_t copies = n->sent_count + n->duplicated_count;
    if (copies != n->delivered_count + n->dropped_count + n->in_flight_count) {
        return false;
    }
    for (int from = 0; from < n->host_count; from++) {
        for (int to = 0; to < n->host_count; to++) {
            if (!cfg_valid(&n->links[from][to].cfg)) {
                return false;
            }
        }
    }
    return frames_check(n);
}
