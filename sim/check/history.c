/* history.c — lost, duplicated, inconsistent, skipped and reordered records, as they happen. */
#include "check/history.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "text.h"

#define NONE INT64_MIN      /* an empty slot's value; no value may be this */
#define TEXT_MAX 320        /* one finding's line */
#define UNSEEN_EXAMPLES 5   /* values named in the unseen finding */

enum value_state { V_EMPTY, V_INVOKED, V_OK, V_FAIL, V_INFO, V_UNSENT };
enum process_kind { PRODUCER, CONSUMER };

/* What one value is known to have done. `offset`/`tp` is where it was first seen (-1: nowhere
 * yet), by `who`; `dup_*` the second place, once a duplicate was reported. Partitions and
 * processes are int16 (history_partition and the process adders assert they fit), and the
 * value itself is its chunk's key and `bit` (entry_value): a long run keeps hundreds of
 * thousands of these, and 40 bytes instead of 56 is two sevenths of them. */
struct value_entry {
    int64_t offset;
    int64_t dup_offset;
    uint64_t seq; /* the history position of its send's invoke */
    int16_t tp;
    int16_t dup_tp;
    int16_t send_tp;  /* the partition its send went to; -1 for a value no send carried */
    int16_t producer; /* -1 for a value no send carried */
    int16_t who;
    uint8_t state;
    uint8_t bit; /* its index in its chunk */
    bool seen;
    bool aborted_reported;
};

/* The values live in chunks of CHUNK_VALUES consecutive values, found by a small hash of chunk
 * keys. Producers send consecutive values (value_base + n) and the sticky partitioner sends runs
 * of them to one partition, so a chunk's values are sent, acknowledged, read and forgotten
 * together: a chunk is nearly full while it lives, a lookup after its neighbour stays in the
 * same cache lines, and nothing is rehashed but the keys. (An open-addressed table of entries
 * at most half full cost 112 bytes a value and, while doubling, three times its size at once:
 * a 3 h workload's values took 88 MiB that way and take 22 MiB in chunks.) */
#define CHUNK_BITS 6
#define CHUNK_VALUES (1u << CHUNK_BITS)

struct chunk {
    uint64_t key;  /* (uint64_t)value >> CHUNK_BITS, for every value in it */
    uint64_t live; /* bit i: entries[i] holds the value key * CHUNK_VALUES + i */
    struct value_entry entries[CHUNK_VALUES];
};

struct chunk_slot {
    uint64_t key;
    struct chunk *chunk; /* NULL: an empty slot */
};

/* One offset: the first value known there and who reported it; `other`, a second value, once
 * inconsistent-offsets was reported for it. */
struct slot {
    int64_t value;
    int64_t other;
    int32_t who;
    int32_t other_who;
};

/* A poll-skip not provable yet: `consumer` read `lo` then `hi`, nothing known between. */
struct gap {
    int64_t lo, hi, lo_value, hi_value;
    int32_t consumer;
};

/* A failed or unknown send, forgotten when the log start passes `horizon`. */
struct pending {
    int64_t value;
    int64_t horizon;
};

struct partition {
    char *topic;
    int32_t number; /* the partition's number in its topic */
    int32_t index;  /* its history_partition id */
    int64_t base;   /* the log start: slots cover [base, base + cap) */
    int64_t high;   /* the highest offset known; base - 1 if none */
    uint64_t cap;   /* a power of two, or 0 */
    struct slot *slots;
    int64_t max_read; /* the highest offset any consumer read, -1 */
    int64_t max_read_value;
    int32_t max_read_who;
    struct gap *gaps;
    size_t gap_count, gap_cap;
    struct pending *pending;
    size_t pending_head, pending_count, pending_cap;
};

/* Per (process, partition): a consumer's position, a producer's last acknowledged send. */
struct cursor {
    int64_t pos, pos_value; /* -1: no position (new, rebalanced, sought) */
    int64_t sent_offset, sent_value;
    uint64_t sent_seq; /* 0: nothing acknowledged yet */
};

struct process {
    char *name;
    enum process_kind kind;
    bool ordered;
    int32_t group; /* -1: none */
    struct cursor *cursors;
    size_t cursor_count;
};

struct commit_state {
    int64_t offset; /* -1: nothing committed */
    int32_t who;
    bool reset;     /* a member sought since: the next commit may go down */
};

struct group {
    char *name;
    struct commit_state *commits;
    size_t commit_count;
};

struct finding {
    enum history_class cls;
    char text[TEXT_MAX];
};

struct history {
    struct history_config config;
    uint64_t seq;
    bool finished;
    struct process *procs;
    size_t proc_count;
    struct partition *parts;
    size_t part_count;
    struct group *groups;
    size_t group_count;
    struct chunk_slot *chunks; /* open addressing, linear probing, at most half full */
    uint64_t chunk_cap;        /* a power of two, or 0 */
    uint64_t chunk_count;
    struct chunk *last;        /* the chunk found last: the next lookup is usually in it */
    uint64_t value_count;
    uint64_t counts[HISTORY_CLASSES];
    struct finding *findings;
    size_t finding_count;
    uint64_t unseen_count; /* unseen values judged (at a log start or the end) */
    char unseen_examples[UNSEEN_EXAMPLES][96];
    size_t unseen_example_count;
    uint64_t expired_count; /* judged expired at a log start */
    char expired_examples[UNSEEN_EXAMPLES][96];
    size_t expired_example_count;
    struct history_stats stats;
};

static const char *const class_names[HISTORY_CLASSES] = {
    "lost-write",   "duplicate",         "inconsistent-offsets",
    "poll-skip",    "nonmonotonic-poll", "nonmonotonic-send",
    "aborted-read", "unseen",            "nonmonotonic-commit",
    "expired",
};

/* What holds between any two calls. */
static bool history_check(const struct history *h)
{
    uint64_t gaps = 0;
    bool parts_ok = true;
    for (size_t i = 0; i < h->part_count; i++) {
        const struct partition *p = &h->parts[i];
        gaps += p->gap_count;
        parts_ok = parts_ok && p->high >= p->base - 1 && (p->cap & (p->cap - 1)) == 0 &&
                   (p->high < p->base || (uint64_t)(p->high - p->base) < p->cap);
    }
    return parts_ok && gaps == h->stats.gaps_kept && h->chunk_count * 2 <= h->chunk_cap &&
           h->stats.unseen_now <= h->value_count &&
           h->finding_count <= h->config.max_findings;
}

const char *history_class_name(enum history_class c)
{
    KS_ASSERT(c >= 0 && c < HISTORY_CLASSES);
    return class_names[c];
}

/* ---- small helpers ------------------------------------------------------------------------- */

static void *grow(void *items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) {
        return items;
    }
    size_t n = *cap * 2 > need ? *cap * 2 : need + 8;
    items = realloc(items, n * size);
    KS_ASSERT(items != NULL);
    memset((char *)items + *cap * size, 0, (n - *cap) * size);
    *cap = n;
    return items;
}

static char *copy_name(const char *name)
{
    KS_ASSERT(name != NULL && name[0] != '\0');
    size_t len = strlen(name) + 1;
    char *copy = malloc(len);
    KS_ASSERT(copy != NULL);
    memcpy(copy, name, len);
    return copy;
}

static struct partition *part_of(struct history *h, int32_t tp)
{
    KS_ASSERT(tp >= 0 && (size_t)tp < h->part_count);
    return &h->parts[tp];
}

static struct process *proc_of(struct history *h, int32_t id, enum process_kind kind)
{
    KS_ASSERT(id >= 0 && (size_t)id < h->proc_count);
    KS_ASSERT(h->procs[id].kind == kind);
    return &h->procs[id];
}

static const char *name_of(const struct history *h, int32_t id)
{
    return id >= 0 && (size_t)id < h->proc_count ? h->procs[id].name : "nobody";
}

/* "acknowledged to producer-1" or "read by consumer-2": how `who` knew a value's place. */
static const char *source_text(const struct history *h, int32_t who, char *buf, size_t cap)
{
    struct text t = text_init(buf, cap);
    bool producer = who >= 0 && (size_t)who < h->proc_count && h->procs[who].kind == PRODUCER;
    text_printf(&t, "%s %s", producer ? "acknowledged to" : "read by", name_of(h, who));
    return buf;
}

static struct cursor *cursor_of(struct process *p, int32_t tp)
{
    if ((size_t)tp >= p->cursor_count) {
        size_t old = p->cursor_count;
        p->cursors = grow(p->cursors, &p->cursor_count, (size_t)tp + 1, sizeof *p->cursors);
        for (size_t i = old; i < p->cursor_count; i++) {
            p->cursors[i] = (struct cursor){.pos = -1, .sent_offset = -1};
        }
    }
    return &p->cursors[tp];
}

static struct commit_state *commit_of(struct group *g, int32_t tp)
{
    if ((size_t)tp >= g->commit_count) {
        size_t old = g->commit_count;
        g->commits = grow(g->commits, &g->commit_count, (size_t)tp + 1, sizeof *g->commits);
        for (size_t i = old; i < g->commit_count; i++) {
            g->commits[i] = (struct commit_state){.offset = -1, .who = -1};
        }
    }
    return &g->commits[tp];
}

/* ---- findings ------------------------------------------------------------------------------ */

/* A finding worth `n` in its class count (the unseen finding stands for n values). */
static void finding_n(struct history *h, enum history_class cls, uint64_t n, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));
#define finding(h, cls, ...) finding_n(h, cls, 1, __VA_ARGS__)

static void finding_n(struct history *h, enum history_class cls, uint64_t n, const char *fmt,
                      ...)
{
    char line[TEXT_MAX];
    struct text t = text_init(line, sizeof line);
    text_printf(&t, "%s: ", class_names[cls]);
    KS_ASSERT(t.len < sizeof line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + t.len, sizeof line - t.len, fmt, ap); /* a long line shows truncated */
    va_end(ap);
    h->counts[cls] += n;
    if (h->finding_count < h->config.max_findings) {
        struct finding *f = &h->findings[h->finding_count++];
        f->cls = cls;
        memcpy(f->text, line, sizeof line);
    }
    if (h->config.on_finding != NULL) {
        h->config.on_finding(h->config.ctx, cls, line);
    }
}

/* ---- the value chunks ------------------------------------------------------------------------ */

static uint64_t splitmix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t chunk_key(int64_t value)
{
    return (uint64_t)value >> CHUNK_BITS;
}

static uint32_t chunk_bit(int64_t value)
{
    return (uint32_t)((uint64_t)value & (CHUNK_VALUES - 1));
}

/* The value an entry holds: its chunk's key and its place in the chunk. */
static int64_t entry_value(const struct value_entry *e)
{
    const struct value_entry *first = e - e->bit;
    const struct chunk *c =
        (const struct chunk *)((const char *)first - offsetof(struct chunk, entries));
    return (int64_t)(c->key << CHUNK_BITS | e->bit);
}

static struct chunk *chunk_find(struct history *h, uint64_t key)
{
    if (h->last != NULL && h->last->key == key) {
        return h->last;
    }
    if (h->chunk_cap == 0) {
        return NULL;
    }
    uint64_t mask = h->chunk_cap - 1;
    for (uint64_t i = splitmix(key) & mask; h->chunks[i].chunk != NULL; i = (i + 1) & mask) {
        if (h->chunks[i].key == key) {
            h->last = h->chunks[i].chunk;
            return h->last;
        }
    }
    return NULL;
}

static void chunk_place(struct chunk_slot *slots, uint64_t cap, struct chunk *c)
{
    uint64_t i = splitmix(c->key) & (cap - 1);
    while (slots[i].chunk != NULL) {
        i = (i + 1) & (cap - 1);
    }
    slots[i] = (struct chunk_slot){c->key, c};
}

static struct chunk *chunk_add(struct history *h, uint64_t key)
{
    if ((h->chunk_count + 1) * 2 > h->chunk_cap) {
        uint64_t cap = h->chunk_cap == 0 ? 64 : h->chunk_cap * 2;
        struct chunk_slot *slots = calloc(cap, sizeof *slots);
        KS_ASSERT(slots != NULL);
        for (uint64_t i = 0; i < h->chunk_cap; i++) {
            if (h->chunks[i].chunk != NULL) {
                chunk_place(slots, cap, h->chunks[i].chunk);
            }
        }
        free(h->chunks);
        h->chunks = slots;
        h->chunk_cap = cap;
    }
    struct chunk *c = malloc(sizeof *c);
    KS_ASSERT(c != NULL);
    c->key = key;
    c->live = 0;
    chunk_place(h->chunks, h->chunk_cap, c);
    h->chunk_count++;
    h->last = c;
    return c;
}

/* Frees an empty chunk and closes its slot's hole (backward shift: no tombstones). */
static void chunk_remove(struct history *h, struct chunk *c)
{
    KS_ASSERT(c->live == 0);
    uint64_t mask = h->chunk_cap - 1;
    uint64_t hole = splitmix(c->key) & mask;
    while (h->chunks[hole].chunk != c) {
        hole = (hole + 1) & mask;
    }
    h->chunks[hole].chunk = NULL;
    for (uint64_t i = (hole + 1) & mask; h->chunks[i].chunk != NULL; i = (i + 1) & mask) {
        uint64_t home = splitmix(h->chunks[i].key) & mask;
        /* The slot at i may fill the hole if its home is not in (hole, i]. */
        bool stays = hole < i ? (home > hole && home <= i) : (home > hole || home <= i);
        if (!stays) {
            h->chunks[hole] = h->chunks[i];
            h->chunks[i].chunk = NULL;
            hole = i;
        }
    }
    if (h->last == c) {
        h->last = NULL;
    }
    free(c);
    h->chunk_count--;
}

static struct value_entry *value_find(struct history *h, int64_t value)
{
    struct chunk *c = chunk_find(h, chunk_key(value));
    uint32_t bit = chunk_bit(value);
    return c != NULL && (c->live >> bit & 1) != 0 ? &c->entries[bit] : NULL;
}

/* A new entry for `value`, which must not be in the table. */
static struct value_entry *value_add(struct history *h, int64_t value)
{
    struct chunk *c = chunk_find(h, chunk_key(value));
    if (c == NULL) {
        c = chunk_add(h, chunk_key(value));
    }
    uint32_t bit = chunk_bit(value);
    KS_ASSERT((c->live >> bit & 1) == 0);
    c->live |= UINT64_C(1) << bit;
    struct value_entry *e = &c->entries[bit];
    *e = (struct value_entry){.offset = -1, .dup_offset = -1, .tp = -1, .dup_tp = -1,
                              .send_tp = -1, .producer = -1, .who = -1, .state = V_UNSENT,
                              .bit = (uint8_t)bit};
    KS_ASSERT(entry_value(e) == value);
    h->value_count++;
    if (h->value_count > h->stats.values_peak) {
        h->stats.values_peak = h->value_count;
    }
    return e;
}

/* Removes `e`; its chunk goes with its last value. */
static void value_remove(struct history *h, struct value_entry *e)
{
    if (e->state == V_OK && !e->seen) {
        KS_ASSERT(h->stats.unseen_now > 0);
        h->stats.unseen_now--;
    }
    int64_t value = entry_value(e);
    struct chunk *c = chunk_find(h, chunk_key(value));
    uint32_t bit = chunk_bit(value);
    KS_ASSERT(c != NULL && &c->entries[bit] == e && (c->live >> bit & 1) != 0);
    c->live &= ~(UINT64_C(1) << bit);
    h->value_count--;
    if (c->live == 0) {
        chunk_remove(h, c);
    }
}

/* ---- per-partition offsets ----------------------------------------------------------------- */

static struct slot *slot_at(struct partition *p, int64_t offset)
{
    return &p->slots[(uint64_t)offset & (p->cap - 1)];
}

static void slots_reserve(struct history *h, struct partition *p, int64_t offset)
{
    uint64_t need = (uint64_t)(offset - p->base) + 1;
    if (need <= p->cap) {
        return;
    }
    uint64_t cap = p->cap == 0 ? 256 : p->cap;
    while (cap < need) {
        cap *= 2;
    }
    struct slot *slots = malloc(cap * sizeof *slots);
    KS_ASSERT(slots != NULL);
    for (uint64_t i = 0; i < cap; i++) {
        slots[i] = (struct slot){NONE, NONE, -1, -1};
    }
    for (int64_t o = p->base; o <= p->high; o++) {
        slots[(uint64_t)o & (cap - 1)] = *slot_at(p, o);
    }
    free(p->slots);
    h->stats.offsets_kept += cap - p->cap;
    if (h->stats.offsets_kept > h->stats.offsets_peak) {
        h->stats.offsets_peak = h->stats.offsets_kept;
    }
    p->slots = slots;
    p->cap = cap;
}

/* The skip becomes provable: `value` turned up at `offset` inside an open gap. */
static void gaps_fill(struct history *h, struct partition *p, int64_t offset, int64_t value,
                      int32_t who)
{
    size_t kept = 0;
    for (size_t i = 0; i < p->gap_count; i++) {
        struct gap *g = &p->gaps[i];
        if (g->lo < offset && offset < g->hi) {
            char src[80];
            finding(h, HISTORY_POLL_SKIP,
                    "%s read %s-%d offset %" PRId64 " (value %" PRId64 ") then offset %" PRId64
                    " (value %" PRId64 "), skipping offset %" PRId64 " (value %" PRId64 ", %s)",
                    name_of(h, g->consumer), p->topic, p->number, g->lo, g->lo_value, g->hi,
                    g->hi_value, offset, value, source_text(h, who, src, sizeof src));
            continue;
        }
        p->gaps[kept++] = *g;
    }
    h->stats.gaps_kept -= p->gap_count - kept;
    p->gap_count = kept;
}

/* Someone (`who`) says `value` is at `offset`: inconsistent-offsets if another value is. */
static void offset_observe(struct history *h, struct partition *p, int64_t offset,
                           int64_t value, int32_t who)
{
    if (offset < p->base || offset - p->base >= h->config.max_span) {
        h->stats.ignored++;
        return;
    }
    slots_reserve(h, p, offset);
    struct slot *s = slot_at(p, offset);
    if (s->value == NONE) {
        *s = (struct slot){value, NONE, who, -1};
        if (offset > p->high) {
            p->high = offset;
        }
        if (p->gap_count > 0) {
            gaps_fill(h, p, offset, value, who);
        }
        return;
    }
    if (s->value == value || s->other == value) {
        return;
    }
    char first[80], second[80];
    finding(h, HISTORY_INCONSISTENT_OFFSETS,
            "%s-%d offset %" PRId64 " holds value %" PRId64 " (%s) and value %" PRId64 " (%s)",
            p->topic, p->number, offset, s->value, source_text(h, s->who, first, sizeof first),
            value, source_text(h, who, second, sizeof second));
    if (s->other == NONE) {
        s->other = value;
        s->other_who = who;
    }
}

/* A value is at (tp, offset) per `who`: the first place it is known, or a duplicate. */
static void value_place(struct history *h, struct value_entry *e, int32_t tp, int64_t offset,
                        int32_t who)
{
    if (e->offset < 0) {
        e->tp = tp;
        e->offset = offset;
        e->who = who;
        return;
    }
    if ((e->tp == tp && e->offset == offset) || (e->dup_tp == tp && e->dup_offset == offset)) {
        return;
    }
    char first[80], second[80];
    const struct partition *a = &h->parts[e->tp], *b = &h->parts[tp];
    finding(h, HISTORY_DUPLICATE,
            "value %" PRId64 " from %s at %s-%d offset %" PRId64 " (%s) and %s-%d offset %" PRId64
            " (%s)", entry_value(e), name_of(h, e->producer), a->topic, a->number, e->offset,
            source_text(h, e->who, first, sizeof first), b->topic, b->number, offset,
            source_text(h, who, second, sizeof second));
    if (e->dup_offset < 0) {
        e->dup_tp = tp;
        e->dup_offset = offset;
    }
}

/* ---- judging values that can no longer be read --------------------------------------------- */

/* An acknowledged value nobody read, at a point where nobody can any more. */
static void judge_unread(struct history *h, const struct value_entry *e, bool at_log_start)
{
    const struct partition *p = &h->parts[e->tp];
    if (p->max_read <= e->offset && at_log_start) {
        /* retention deleted it before anyone read this far: expired, not unseen at the end */
        if (h->expired_example_count < UNSEEN_EXAMPLES) {
            struct text t = text_init(h->expired_examples[h->expired_example_count++],
                                      sizeof h->expired_examples[0]);
            text_printf(&t, "%s-%d offset %" PRId64 " value %" PRId64 " (%s)", p->topic,
                        p->number, e->offset, entry_value(e), name_of(h, e->producer));
        }
        h->expired_count++;
        return;
    }
    if (p->max_read > e->offset) {
        finding(h, HISTORY_LOST_WRITE,
                "%s-%d offset %" PRId64 " value %" PRId64 " acknowledged to %s was never read, "
                "yet %s read offset %" PRId64 " (value %" PRId64 ")", p->topic, p->number,
                e->offset, entry_value(e), name_of(h, e->producer), name_of(h, p->max_read_who),
                p->max_read, p->max_read_value);
        return;
    }
    if (h->unseen_example_count < UNSEEN_EXAMPLES) {
        struct text t = text_init(h->unseen_examples[h->unseen_example_count++],
                                  sizeof h->unseen_examples[0]);
        text_printf(&t, "%s-%d offset %" PRId64 " value %" PRId64 " (%s)", p->topic, p->number,
                    e->offset, entry_value(e), name_of(h, e->producer));
    }
    h->unseen_count++;
}

/* The slot at `offset`, below the new log start: its values' entries go, once judged. An entry
 * still waiting for its send's completion stays (the completion drops it). */
static void forget_value_at(struct history *h, struct partition *p, int64_t offset, int64_t v)
{
    struct value_entry *e = value_find(h, v);
    if (e == NULL || e->tp != p->index || e->offset != offset || e->state == V_INVOKED) {
        return;
    }
    if (e->state == V_OK && !e->seen) {
        judge_unread(h, e, true);
    }
    value_remove(h, e);
}

static void forget_pending(struct history *h, struct partition *p, int64_t log_start)
{
    while (p->pending_count > 0 && p->pending[p->pending_head].horizon < log_start) {
        struct value_entry *e = value_find(h, p->pending[p->pending_head].value);
        if (e != NULL && e->offset < 0 && (e->state == V_FAIL || e->state == V_INFO)) {
            value_remove(h, e);
        }
        p->pending_head++;
        p->pending_count--;
    }
}

/* A failed or unknown send of a value nobody read yet: remembered until the log start passes
 * the partition's highest offset known now (see the header for the blind spot that leaves). */
static void pending_add(struct partition *p, int64_t value)
{
    if (p->pending_head > 0 && p->pending_head + p->pending_count >= p->pending_cap) {
        /* the forgotten front makes room before the array grows (the only place it is
         * reclaimed): a queue that is never empty, as under a nemesis, would otherwise grow
         * by its whole history */
        memmove(p->pending, p->pending + p->pending_head, p->pending_count * sizeof *p->pending);
        p->pending_head = 0;
    }
    p->pending = grow(p->pending, &p->pending_cap, p->pending_head + p->pending_count + 1,
                      sizeof *p->pending);
    p->pending[p->pending_head + p->pending_count++] = (struct pending){value, p->high};
}

/* ---- setup --------------------------------------------------------------------------------- */

struct history *history_create(const struct history_config *config)
{
    struct history *h = calloc(1, sizeof *h);
    KS_ASSERT(h != NULL);
    if (config != NULL) {
        h->config = *config;
    }
    if (h->config.max_findings == 0) {
        h->config.max_findings = 100;
    }
    if (h->config.max_gaps == 0) {
        h->config.max_gaps = 1024;
    }
    if (h->config.max_span <= 0) {
        h->config.max_span = INT64_C(1) << 26;
    }
    h->findings = calloc(h->config.max_findings, sizeof *h->findings);
    KS_ASSERT(h->findings != NULL);
    return h;
}

void history_destroy(struct history *h)
{
    if (h == NULL) {
        return;
    }
    KS_ASSERT(history_check(h));
    for (size_t i = 0; i < h->proc_count; i++) {
        free(h->procs[i].name);
        free(h->procs[i].cursors);
    }
    for (size_t i = 0; i < h->part_count; i++) {
        free(h->parts[i].topic);
        free(h->parts[i].slots);
        free(h->parts[i].gaps);
        free(h->parts[i].pending);
    }
    for (size_t i = 0; i < h->group_count; i++) {
        free(h->groups[i].name);
        free(h->groups[i].commits);
    }
    free(h->procs);
    free(h->parts);
    free(h->groups);
    for (uint64_t i = 0; i < h->chunk_cap; i++) {
        free(h->chunks[i].chunk);
    }
    free(h->chunks);
    free(h->findings);
    free(h);
}

static int32_t process_add(struct history *h, const char *name, enum process_kind kind)
{
    for (size_t i = 0; i < h->proc_count; i++) {
        KS_ASSERT(strcmp(h->procs[i].name, name) != 0); /* names tell processes apart */
    }
    size_t cap = h->proc_count;
    h->procs = grow(h->procs, &cap, h->proc_count + 1, sizeof *h->procs);
    KS_ASSERT(h->proc_count < INT16_MAX); /* a value_entry holds it as int16 */
    h->procs[h->proc_count] = (struct process){.name = copy_name(name), .kind = kind,
                                               .group = -1};
    return (int32_t)h->proc_count++;
}

int32_t history_producer(struct history *h, const char *name, bool ordered)
{
    int32_t id = process_add(h, name, PRODUCER);
    h->procs[id].ordered = ordered;
    return id;
}

int32_t history_consumer(struct history *h, const char *name, const char *group)
{
    int32_t id = process_add(h, name, CONSUMER);
    if (group == NULL) {
        return id;
    }
    for (size_t i = 0; i < h->group_count; i++) {
        if (strcmp(h->groups[i].name, group) == 0) {
            h->procs[id].group = (int32_t)i;
            return id;
        }
    }
    size_t cap = h->group_count;
    h->groups = grow(h->groups, &cap, h->group_count + 1, sizeof *h->groups);
    h->groups[h->group_count] = (struct group){.name = copy_name(group)};
    h->procs[id].group = (int32_t)h->group_count++;
    return id;
}

int32_t history_partition(struct history *h, const char *topic, int32_t partition)
{
    KS_ASSERT(partition >= 0);
    for (size_t i = 0; i < h->part_count; i++) {
        if (h->parts[i].number == partition && strcmp(h->parts[i].topic, topic) == 0) {
            return (int32_t)i;
        }
    }
    size_t cap = h->part_count;
    h->parts = grow(h->parts, &cap, h->part_count + 1, sizeof *h->parts);
    KS_ASSERT(h->part_count < INT16_MAX); /* a value_entry holds it as int16 */
    h->parts[h->part_count] = (struct partition){.topic = copy_name(topic), .number = partition,
                                                 .index = (int32_t)h->part_count,
                                                 .high = -1, .max_read = -1,
                                                 .max_read_who = -1};
    return (int32_t)h->part_count++;
}

/* ---- producers ----------------------------------------------------------------------------- */

void history_send(struct history *h, int32_t producer, int32_t tp, int64_t value)
{
    KS_ASSERT(!h->finished);
    KS_ASSERT(value != NONE);
    proc_of(h, producer, PRODUCER);
    part_of(h, tp);
    h->seq++;
    h->stats.ops++;
    struct value_entry *e = value_find(h, value);
    if (e == NULL) {
        e = value_add(h, value);
    }
    /* Unique values: one send each. A value read before its send is only a late invoke. */
    KS_ASSERT(e->state == V_UNSENT && e->producer < 0);
    e->state = V_INVOKED;
    e->producer = producer;
    e->send_tp = tp;
    e->seq = h->seq;
}

/* The send's completion, for a value still open. */
static struct value_entry *completing(struct history *h, int64_t value)
{
    KS_ASSERT(!h->finished);
    h->seq++;
    h->stats.ops++;
    struct value_entry *e = value_find(h, value);
    KS_ASSERT(e != NULL && e->state == V_INVOKED); /* one completion per send */
    return e;
}

/* A completed value whose place is below its partition's log start: judged and forgotten now,
 * as the log start's walk would have, had the send been complete then. */
static void settle(struct history *h, struct value_entry *e)
{
    if (e->offset >= 0 && e->offset < h->parts[e->tp].base) {
        if (e->state == V_OK && !e->seen) {
            judge_unread(h, e, true);
        }
        value_remove(h, e);
    }
}

/* nonmonotonic-send: `e` was just acknowledged at `offset`. Acks of sends invoked before the
 * producer's latest acknowledged one are out of issue order, so there is nothing to compare. */
static void check_send_order(struct history *h, const struct value_entry *e, int64_t offset)
{
    struct process *pr = &h->procs[e->producer];
    struct cursor *c = cursor_of(pr, e->send_tp);
    if (c->sent_seq > e->seq) {
        return;
    }
    if (pr->ordered && c->sent_seq > 0 && offset <= c->sent_offset) {
        const struct partition *p = &h->parts[e->send_tp];
        finding(h, HISTORY_NONMONOTONIC_SEND,
                "%s sent value %" PRId64 " then value %" PRId64 " to %s-%d, acknowledged at "
                "offset %" PRId64 " then offset %" PRId64, pr->name, c->sent_value,
                entry_value(e), p->topic, p->number, c->sent_offset, offset);
    }
    c->sent_seq = e->seq;
    c->sent_offset = offset;
    c->sent_value = entry_value(e);
}

void history_send_ok(struct history *h, int64_t value, int64_t offset)
{
    struct value_entry *e = completing(h, value);
    KS_ASSERT(offset >= 0);
    e->state = V_OK;
    if (!e->seen) {
        h->stats.unseen_now++;
    }
    offset_observe(h, &h->parts[e->send_tp], offset, value, e->producer);
    value_place(h, e, e->send_tp, offset, e->producer);
    check_send_order(h, e, offset);
    settle(h, e);
}

void history_send_fail(struct history *h, int64_t value)
{
    struct value_entry *e = completing(h, value);
    e->state = V_FAIL;
    if (e->seen && !e->aborted_reported) {
        const struct partition *p = &h->parts[e->tp];
        finding(h, HISTORY_ABORTED_READ,
                "%s read value %" PRId64 " at %s-%d offset %" PRId64 " before its send by %s "
                "failed", name_of(h, e->who), value, p->topic, p->number, e->offset,
                name_of(h, e->producer));
        e->aborted_reported = true;
    }
    if (e->offset < 0) {
        pending_add(&h->parts[e->send_tp], value);
        return;
    }
    settle(h, e);
}

void history_send_info(struct history *h, int64_t value)
{
    struct value_entry *e = completing(h, value);
    e->state = V_INFO;
    if (e->offset < 0) {
        pending_add(&h->parts[e->send_tp], value);
        return;
    }
    settle(h, e);
}

/* ---- consumers ----------------------------------------------------------------------------- */

/* The consumer read past `lo` to `hi` in `p`: a skip if a value is known strictly between, an
 * open gap if nothing is known there yet but could be. */
static void check_skip(struct history *h, struct partition *p, int32_t consumer,
                       const struct cursor *c, int64_t hi, int64_t hi_value)
{
    int64_t from = c->pos + 1 > p->base ? c->pos + 1 : p->base;
    int64_t to = hi - 1 < p->high ? hi - 1 : p->high;
    int64_t first = -1;
    uint64_t known = 0;
    for (int64_t o = from; o <= to; o++) {
        if (slot_at(p, o)->value != NONE && known++ == 0) {
            first = o;
        }
    }
    if (known > 0) {
        const struct slot *s = slot_at(p, first);
        char src[80], more[40] = "";
        if (known > 1) {
            struct text t = text_init(more, sizeof more);
            text_printf(&t, " and %" PRIu64 " more known", known - 1);
        }
        finding(h, HISTORY_POLL_SKIP,
                "%s read %s-%d offset %" PRId64 " (value %" PRId64 ") then offset %" PRId64
                " (value %" PRId64 "), skipping offset %" PRId64 " (value %" PRId64 ", %s)%s",
                name_of(h, consumer), p->topic, p->number, c->pos, c->pos_value, hi, hi_value,
                first, s->value, source_text(h, s->who, src, sizeof src), more);
        return;
    }
    if (hi - 1 < p->base) {
        return; /* nothing between can be read any more */
    }
    if (p->gap_count == h->config.max_gaps) {
        memmove(p->gaps, p->gaps + 1, (p->gap_count - 1) * sizeof *p->gaps);
        p->gap_count--;
        h->stats.gaps_kept--;
        h->stats.gaps_dropped++;
    }
    p->gaps = grow(p->gaps, &p->gap_cap, p->gap_count + 1, sizeof *p->gaps);
    p->gaps[p->gap_count++] = (struct gap){c->pos, hi, c->pos_value, hi_value, consumer};
    h->stats.gaps_kept++;
}

static void check_position(struct history *h, int32_t consumer, const struct history_record *r)
{
    struct partition *p = &h->parts[r->tp];
    struct cursor *c = cursor_of(&h->procs[consumer], r->tp);
    if (c->pos >= 0 && r->offset <= c->pos) {
        finding(h, HISTORY_NONMONOTONIC_POLL,
                "%s read %s-%d offset %" PRId64 " (value %" PRId64 ") then offset %" PRId64
                " (value %" PRId64 ") with no rebalance or seek between",
                h->procs[consumer].name, p->topic, p->number, c->pos, c->pos_value, r->offset,
                r->value);
    } else if (c->pos >= 0 && r->offset > c->pos + 1) {
        check_skip(h, p, consumer, c, r->offset, r->value);
    }
    c->pos = r->offset;
    c->pos_value = r->value;
}

static void read_record(struct history *h, int32_t consumer, const struct history_record *r)
{
    struct partition *p = part_of(h, r->tp);
    KS_ASSERT(r->offset >= 0 && r->value != NONE);
    h->stats.reads++;
    if (r->offset > p->max_read) {
        p->max_read = r->offset;
        p->max_read_value = r->value;
        p->max_read_who = consumer;
    }
    struct value_entry *e = value_find(h, r->value);
    if (e == NULL) {
        e = value_add(h, r->value);
        h->stats.unknown_reads++;
    }
    if (!e->seen && e->state == V_OK) {
        KS_ASSERT(h->stats.unseen_now > 0);
        h->stats.unseen_now--;
    }
    e->seen = true;
    value_place(h, e, r->tp, r->offset, consumer);
    offset_observe(h, p, r->offset, r->value, consumer);
    if (e->state == V_FAIL && !e->aborted_reported) {
        finding(h, HISTORY_ABORTED_READ,
                "%s read value %" PRId64 " at %s-%d offset %" PRId64 ", whose send by %s had "
                "failed", h->procs[consumer].name, r->value, p->topic, p->number, r->offset,
                name_of(h, e->producer));
        e->aborted_reported = true;
    }
    check_position(h, consumer, r);
    if (e->state != V_INVOKED) {
        settle(h, e);
    }
}

void history_poll(struct history *h, int32_t consumer, const struct history_record *records,
                  size_t n)
{
    KS_ASSERT(!h->finished);
    proc_of(h, consumer, CONSUMER);
    KS_ASSERT(records != NULL || n == 0);
    h->seq++;
    h->stats.ops++;
    for (size_t i = 0; i < n; i++) {
        read_record(h, consumer, &records[i]);
    }
}

void history_rebalance(struct history *h, int32_t consumer, const int32_t *tps, size_t n)
{
    KS_ASSERT(!h->finished);
    struct process *c = proc_of(h, consumer, CONSUMER);
    h->seq++;
    h->stats.ops++;
    for (size_t i = 0; i < n; i++) {
        part_of(h, tps[i]);
        cursor_of(c, tps[i])->pos = -1;
    }
}

void history_seek(struct history *h, int32_t consumer, int32_t tp)
{
    KS_ASSERT(!h->finished);
    struct process *c = proc_of(h, consumer, CONSUMER);
    part_of(h, tp);
    h->seq++;
    h->stats.ops++;
    cursor_of(c, tp)->pos = -1;
    if (c->group >= 0) {
        commit_of(&h->groups[c->group], tp)->reset = true;
    }
}

void history_commit(struct history *h, int32_t consumer, int32_t tp, int64_t offset)
{
    KS_ASSERT(!h->finished);
    struct process *c = proc_of(h, consumer, CONSUMER);
    const struct partition *p = part_of(h, tp);
    KS_ASSERT(c->group >= 0 && offset >= 0);
    h->seq++;
    h->stats.ops++;
    struct group *g = &h->groups[c->group];
    struct commit_state *cs = commit_of(g, tp);
    if (cs->offset >= 0 && offset < cs->offset && !cs->reset) {
        finding(h, HISTORY_NONMONOTONIC_COMMIT,
                "group %s committed %s-%d offset %" PRId64 " (%s) then offset %" PRId64
                " (%s) with no seek or reset between", g->name, p->topic, p->number,
                cs->offset, name_of(h, cs->who), offset, c->name);
    }
    *cs = (struct commit_state){.offset = offset, .who = consumer, .reset = false};
}

/* ---- retention and the end ----------------------------------------------------------------- */

void history_log_start(struct history *h, int32_t tp, int64_t offset)
{
    KS_ASSERT(!h->finished);
    struct partition *p = part_of(h, tp);
    h->stats.ops++;
    if (offset <= p->base) {
        return;
    }
    int64_t end = offset < p->high + 1 ? offset : p->high + 1;
    for (int64_t o = p->base; o < end; o++) {
        struct slot *s = slot_at(p, o);
        if (s->value != NONE) {
            forget_value_at(h, p, o, s->value);
        }
        if (s->other != NONE) {
            forget_value_at(h, p, o, s->other);
        }
        *s = (struct slot){NONE, NONE, -1, -1};
    }
    p->base = offset;
    if (p->high < offset - 1) {
        p->high = offset - 1;
    }
    size_t kept = 0;
    for (size_t i = 0; i < p->gap_count; i++) {
        if (p->gaps[i].hi > offset) {
            p->gaps[kept++] = p->gaps[i];
        }
    }
    h->stats.gaps_kept -= p->gap_count - kept;
    p->gap_count = kept;
    forget_pending(h, p, offset);
}

/* An unread value at the end, with what it sorts by: (topic, partition, offset, value). */
struct unread {
    const char *topic;
    int32_t number;
    int64_t offset;
    int64_t value;
    const struct value_entry *entry;
};

static int by_place(const void *a, const void *b)
{
    const struct unread *x = a, *y = b;
    int topic = strcmp(x->topic, y->topic);
    if (topic != 0) {
        return topic;
    }
    if (x->number != y->number) {
        return x->number < y->number ? -1 : 1;
    }
    if (x->offset != y->offset) {
        return x->offset < y->offset ? -1 : 1;
    }
    return x->value < y->value ? -1 : x->value > y->value;
}

static void report_unseen(struct history *h)
{
    char examples[UNSEEN_EXAMPLES * 100];
    struct text t = text_init(examples, sizeof examples);
    for (size_t i = 0; i < h->unseen_example_count; i++) {
        text_printf(&t, "%s%s", i == 0 ? "" : ", ", h->unseen_examples[i]);
    }
    finding_n(h, HISTORY_UNSEEN, h->unseen_count,
              "%" PRIu64 " acknowledged value%s never read, nobody reading past: %s%s",
              h->unseen_count, h->unseen_count == 1 ? "" : "s", examples,
              h->unseen_count > h->unseen_example_count ? ", ..." : "");
}

/* At the end: a send never completed is unknown; an acknowledged value never read is unread. */
static void collect_unread(struct history *h, struct value_entry *e, struct unread *unread,
                           size_t *n)
{
    if (e->state == V_INVOKED) {
        e->state = V_INFO;
    }
    if (e->state == V_OK && !e->seen) {
        const struct partition *p = &h->parts[e->tp];
        unread[(*n)++] = (struct unread){p->topic, p->number, e->offset, entry_value(e), e};
    }
}

void history_finish(struct history *h)
{
    KS_ASSERT(!h->finished);
    KS_ASSERT(history_check(h));
    h->finished = true;
    size_t n = 0;
    struct unread *unread = malloc((h->value_count + 1) * sizeof *unread);
    KS_ASSERT(unread != NULL);
    for (uint64_t i = 0; i < h->chunk_cap; i++) { /* collected, then sorted: no hash order */
        const struct chunk *c = h->chunks[i].chunk;
        for (uint32_t bit = 0; c != NULL && bit < CHUNK_VALUES; bit++) {
            if ((c->live >> bit & 1) != 0) {
                collect_unread(h, &h->chunks[i].chunk->entries[bit], unread, &n);
            }
        }
    }
    qsort(unread, n, sizeof *unread, by_place);
    for (size_t i = 0; i < n; i++) {
        judge_unread(h, unread[i].entry, false);
    }
    free(unread);
    if (h->unseen_count > 0) {
        report_unseen(h);
    }
    if (h->expired_count > 0) {
        char examples[UNSEEN_EXAMPLES * 100];
        struct text t = text_init(examples, sizeof examples);
        for (size_t i = 0; i < h->expired_example_count; i++) {
            text_printf(&t, "%s%s", i == 0 ? "" : ", ", h->expired_examples[i]);
        }
        finding_n(h, HISTORY_EXPIRED, h->expired_count,
                  "%" PRIu64 " acknowledged value%s deleted by retention before any consumer "
                  "read them: %s%s", h->expired_count, h->expired_count == 1 ? "" : "s",
                  examples, h->expired_count > h->expired_example_count ? ", ..." : "");
    }
}

/* ---- results ------------------------------------------------------------------------------- */

struct history_summary history_summary(const struct history *h)
{
    struct history_summary s = {{0}, 0};
    for (int c = 0; c < HISTORY_CLASSES; c++) {
        s.count[c] = h->counts[c];
        s.total += h->counts[c];
    }
    return s;
}

const char *history_summary_text(const struct history *h, char *buf, size_t cap)
{
    struct text t = text_init(buf, cap);
    for (int c = 0; c < HISTORY_CLASSES; c++) {
        text_printf(&t, "%s%s=%" PRIu64, c == 0 ? "" : " ", class_names[c], h->counts[c]);
    }
    return buf;
}

size_t history_write_findings(const struct history *h, history_sink sink, void *ctx)
{
    KS_ASSERT(sink != NULL);
    for (size_t i = 0; i < h->finding_count; i++) {
        sink(ctx, h->findings[i].cls, h->findings[i].text);
    }
    return h->finding_count;
}

struct history_stats history_stats(const struct history *h)
{
    struct history_stats s = h->stats;
    s.values_kept = h->value_count;
    return s;
}
