/* sched.h — the scheduler: virtual time and the one event heap everything happens through. */
#ifndef KRAFTSIM_SCHED_H
#define KRAFTSIM_SCHED_H

/*
 * Nothing happens in a run except by popping an event from this heap. Events are ordered by
 * (due time, sequence number): the sequence is assigned at insertion, so two events due at the
 * same instant fire in the order they were scheduled, on every build and every machine.
 *
 * `now` is set once, just before an event fires, and never moves backwards. An event scheduled
 * in the past fires at `now` (it is clamped, not lost). Due times that would overflow clamp to
 * TIME_NS_MAX.
 *
 * A timer handle names one scheduled event: the slot it lives in and that slot's generation.
 * Once an event fires or is cancelled its handle goes stale, and cancelling a stale handle is a
 * harmless no-op, so callers need not track whether their timer already fired.
 */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "env.h"

typedef void (*sched_fn)(void *ctx, uint64_t arg);
typedef uint64_t sched_timer; /* 0 is never a live handle */

struct sched_slot {
    sched_fn fn; /* NULL while the slot is free */
    void *ctx;
    uint64_t arg;
    uint32_t generation;
    uint32_t heap_index; /* position in `heap` while scheduled; next free slot while free */
};

struct sched_entry {
    time_ns due;
    uint64_t seq;
    uint32_t slot;
};

struct sched {
    time_ns now;
    uint64_t seq_next;
    uint64_t fired_count;
    struct sched_entry *heap; /* min-heap on (due, seq) */
    uint32_t heap_count;
    uint32_t heap_capacity;
    struct sched_slot *slots;
    uint32_t slot_count;
    uint32_t slot_capacity;
    uint32_t free_head; /* UINT32_MAX when no free slot */
    sched_timer firing; /* the handle of the event being fired, 0 between events */
    uint32_t same_instant_count; /* events fired in a row at the current instant */
};

void sched_init(struct sched *s);
void sched_free(struct sched *s);

static inline time_ns sched_now(const struct sched *s) { return s->now; }
static inline uint32_t sched_pending_count(const struct sched *s) { return s->heap_count; }
static inline uint64_t sched_fired_count(const struct sched *s) { return s->fired_count; }

sched_timer sched_at(struct sched *s, time_ns due, sched_fn fn, void *ctx, uint64_t arg);
sched_timer sched_after(struct sched *s, time_ns delay, sched_fn fn, void *ctx, uint64_t arg);
/* Returns true if the timer was still pending (and now never fires). */
bool sched_cancel(struct sched *s, sched_timer timer);
bool sched_is_pending(const struct sched *s, sched_timer timer);
/* Due time of the earliest pending event, or TIME_NS_MAX when there is none. */
time_ns sched_next_due(const struct sched *s);

/* Fires the earliest event. Returns false (and fires nothing) when the heap is empty. */
bool sched_step(struct sched *s);
/* Fires every event due at or before `until`, then sets now = until (unless stopped, below). */
void sched_run_until(struct sched *s, time_ns until);
/* Fires events until `done(arg)` holds (checked before the first event and after each one) or
 * the next event is due after `deadline`. Returns whether `done` held; on false, now = deadline.
 */
/*
 * The stop request of the process (the CLI's SIGINT/SIGTERM flag), or NULL (the default). The
 * run loops above read it before every event, at an event boundary: once it is non-zero they
 * fire nothing more, leave now where the last event put it, and sched_run_until_pred returns
 * true (an interrupted run judges no liveness predicate). Reading it cannot change a run that
 * is not interrupted; an interrupted one is reported as such (sched_interrupted), never as a
 * verdict. One flag for the process: only the CLI sets it.
 */
void sched_set_stop_flag(const volatile sig_atomic_t *flag);
/* True once a run loop has stopped for the flag. */
bool sched_interrupted(void);
bool sched_run_until_pred(struct sched *s, bool (*done)(void *arg), void *arg,
                          time_ns deadline);

/* The handle of the event now firing (stale already), so a callback can name itself. */
static inline sched_timer sched_firing(const struct sched *s) { return s->firing; }

bool sched_check(const struct sched *s);

/* Saturating time arithmetic for timers. */
static inline time_ns time_add(time_ns a, time_ns b)
{
    if (b > 0 && a > TIME_NS_MAX - b) {
        return TIME_NS_MAX;
    }
    return a + b;
}

#endif
