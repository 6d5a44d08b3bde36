/* sched.c — a binary min-heap of events keyed by (due, seq), with cancellable handles. */
#include "world/sched.h"

#include <stdlib.h>
#include <string.h>

#define NO_SLOT UINT32_MAX

void sched_init(struct sched *s)
{
    memset(s, 0, sizeof *s);
    s->free_head = NO_SLOT;
    s->seq_next = 1;
}

void sched_free(struct sched *s)
{
    free(s->heap);
    free(s->slots);
    memset(s, 0, sizeof *s);
    s->free_head = NO_SLOT;
}

static bool entry_before(const struct sched_entry *a, const struct sched_entry *b)
{
    if (a->due != b->due) {
        return a->due < b->due;
    }
    return a->seq < b->seq;
}

static void heap_place(struct sched *s, uint32_t index, struct sched_entry entry)
{
    s->heap[index] = entry;
    s->slots[entry.slot].heap_index = index;
}

static void sift_up(struct sched *s, uint32_t index)
{
    struct sched_entry entry = s->heap[index];
    while (index > 0) {
        uint32_t parent = (index - 1) / 2;
        if (!entry_before(&entry, &s->heap[parent])) {
            break;
        }
        heap_place(s, index, s->heap[parent]);
        index = parent;
    }
    heap_place(s, index, entry);
}

static void sift_down(struct sched *s, uint32_t index)
{
    struct sched_entry entry = s->heap[index];
    for (;;) {
        uint32_t child = 2 * index + 1;
        if (child >= s->heap_count) {
            break;
        }
        if (child + 1 < s->heap_count && entry_before(&s->heap[child + 1], &s->heap[child])) {
            child++;
        }
        if (!entry_before(&s->heap[child], &entry)) {
            break;
        }
        heap_place(s, index, s->heap[child]);
        index = child;
    }
    heap_place(s, index, entry);
}

static void *grow(void *array, uint32_t *capacity, size_t element_size)
{
    uint32_t next = *capacity == 0 ? 64 : *capacity * 2;
    KS_ASSERT(next > *capacity);
    void *grown = realloc(array, (size_t)next * element_size);
    KS_ASSERT(grown != NULL);
    *capacity = next;
    return grown;
}

static uint32_t slot_alloc(struct sched *s)
{
    if (s->free_head != NO_SLOT) {
        uint32_t slot = s->free_head;
        s->free_head = s->slots[slot].heap_index;
        return slot;
    }
    if (s->slot_count == s->slot_capacity) {
        s->slots = grow(s->slots, &s->slot_capacity, sizeof *s->slots);
    }
    uint32_t slot = s->slot_count++;
    s->slots[slot].generation = 1;
    return slot;
}

static void slot_release(struct sched *s, uint32_t slot)
{
    struct sched_slot *sl = &s->slots[slot];
    sl->fn = NULL;
    sl->ctx = NULL;
    /* A new generation makes every handle to the old occupant stale; skip 0 so that a handle
     * is never 0. */
    sl->generation++;
    if (sl->generation == 0) {
        sl->generation = 1;
    }
    sl->heap_index = s->free_head;
    s->free_head = slot;
}

static sched_timer handle_of(const struct sched *s, uint32_t slot)
{
    return ((uint64_t)s->slots[slot].generation << 32) | (uint64_t)(slot + 1);
}

/* Returns the slot a handle names while its event is still pending, else NO_SLOT. */
static uint32_t slot_of(const struct sched *s, sched_timer timer)
{
    uint64_t low = timer & 0xffffffffu;
    if (low == 0 || low > s->slot_count) {
        return NO_SLOT;
    }
    uint32_t slot = (uint32_t)(low - 1);
    const struct sched_slot *sl = &s->slots[slot];
    if (sl->fn == NULL || sl->generation != (uint32_t)(timer >> 32)) {
        return NO_SLOT;
    }
    return slot;
}

sched_timer sched_at(struct sched *s, time_ns due, sched_fn fn, void *ctx, uint64_t arg)
{
    KS_ASSERT(fn != NULL);
    if (due < s->now) {
        due = s->now;
    }
    uint32_t slot = slot_alloc(s);
    struct sched_slot *sl = &s->slots[slot];
    sl->fn = fn;
    sl->ctx = ctx;
    sl->arg = arg;
    if (s->heap_count == s->heap_capacity) {
        s->heap = grow(s->heap, &s->heap_capacity, sizeof *s->heap);
    }
    struct sched_entry entry = {.due = due, .seq = s->seq_next++, .slot = slot};
    uint32_t index = s->heap_count++;
    heap_place(s, index, entry);
    sift_up(s, index);
    return handle_of(s, slot);
}

sched_timer sched_after(struct sched *s, time_ns delay, sched_fn fn, void *ctx, uint64_t arg)
{
    KS_ASSERT(delay >= 0);
    return sched_at(s, time_add(s->now, delay), fn, ctx, arg);
}

static void heap_remove(struct sched *s, uint32_t index)
{
    KS_ASSERT(index < s->heap_count);
    s->heap_count--;
    if (index == s->heap_count) {
        return;
    }
    struct sched_entry last = s->heap[s->heap_count];
    struct sched_entry removed = s->heap[index];
    heap_place(s, index, last);
    if (entry_before(&last, &removed)) {
        sift_up(s, index);
    } else {
        sift_down(s, index);
    }
}

bool sched_cancel(struct sched *s, sched_timer timer)
{
    uint32_t slot = slot_of(s, timer);
    if (slot == NO_SLOT) {
        return false;
    }
    heap_remove(s, s->slots[slot].heap_index);
    slot_release(s, slot);
    return true;
}

bool sched_is_pending(const struct sched *s, sched_timer timer)
{
    return slot_of(s, timer) != NO_SLOT;
}

time_ns sched_next_due(const struct sched *s)
{
    return s->heap_count == 0 ? TIME_NS_MAX : s->heap[0].due;
}

bool sched_step(struct sched *s)
{
    if (s->heap_count == 0) {
        return false;
    }
    struct sched_entry top = s->heap[0];
    KS_ASSERT(top.due >= s->now);
    heap_remove(s, 0);
    struct sched_slot *sl = &s->slots[top.slot];
    sched_fn fn = sl->fn;
    void *ctx = sl->ctx;
    uint64_t arg = sl->arg;
    sched_timer handle = handle_of(s, top.slot);
    /* Release before firing: the callback may schedule and reuse the slot, and its own handle
     * must already be stale so that cancelling it from inside the callback does nothing. */
    slot_release(s, top.slot);
    /* Time must move: a component that re-arms a timer for `now` forever would spin here
     * without end, so a million events at one instant is a bug, reported as one. */
    s->same_instant_count = top.due == s->now ? s->same_instant_count + 1 : 0;
    KS_ASSERT(s->same_instant_count < 1000000);
    s->now = top.due;
    s->fired_count++;
    s->firing = handle;
    fn(ctx, arg);
    s->firing = 0;
    return true;
}

static const volatile sig_atomic_t *stop_flag;
static bool stopped;

void sched_set_stop_flag(const volatile sig_atomic_t *flag)
{
    stop_flag = flag;
    stopped = false;
}

bool sched_interrupted(void) { return stopped; }

/* The event boundary check: true (and remembered) once the process asked to stop. */
static bool stop_requested(void)
{
    if (stop_flag != NULL && *stop_flag != 0) {
        stopped = true;
    }
    return stopped;
}

void sched_run_until(struct sched *s, time_ns until)
{
    KS_ASSERT(until >= s->now);
    while (s->heap_count > 0 && s->heap[0].due <= until) {
        if (stop_requested()) {
            return;
        }
        sched_step(s);
    }
    if (!stop_requested()) {
        s->now = until;
    }
}

bool sched_run_until_pred(struct sched *s, bool (*done)(void *arg), void *arg,
                          time_ns deadline)
{
    KS_ASSERT(deadline >= s->now);
    while (!done(arg)) {
        if (stop_requested()) {
            return true;
        }
        if (s->heap_count == 0 || s->heap[0].due > deadline) {
            s->now = deadline;
            return done(arg);
        }
        sched_step(s);
    }
    return true;
}

bool sched_check(const struct sched *s)
{
    for (uint32_t i = 0; i < s->heap_count; i++) {
        const struct sched_entry *e = &s->heap[i];
        if (e->due < s->now || e->slot >= s->slot_count) {
            return false;
        }
        if (s->slots[e->slot].heap_index != i || s->slots[e->slot].fn == NULL) {
            return false;
        }
        if (i > 0 && entry_before(e, &s->heap[(i - 1) / 2])) {
            return false;
        }
    }
    return true;
}
