/* producer_state.c — idempotent producers' sequences per partition (ProducerStateManager). */
#include "log/producer_state.h"

#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "env.h"

void producer_state_init(struct producer_state *s) { memset(s, 0, sizeof *s); }

void producer_state_free(struct producer_state *s)
{
    free(s->entries);
    memset(s, 0, sizeof *s);
}

void producer_state_clear(struct producer_state *s) { s->count = 0; }

int32_t producer_last_seq(int32_t base_seq, int32_t last_offset_delta)
{
    KS_ASSERT(base_seq >= 0 && last_offset_delta >= 0);
    if (base_seq > INT32_MAX - last_offset_delta) {
        return last_offset_delta - (INT32_MAX - base_seq) - 1;
    }
    return base_seq + last_offset_delta;
}

/* The index of the first entry whose id is >= producer_id. */
static uint32_t lower_bound(const struct producer_state *s, int64_t producer_id)
{
    uint32_t lo = 0, hi = s->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->entries[mid].producer_id < producer_id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

const struct producer_entry *producer_state_find(const struct producer_state *s,
                                                 int64_t producer_id)
{
    uint32_t i = lower_bound(s, producer_id);
    return i < s->count && s->entries[i].producer_id == producer_id ? &s->entries[i] : NULL;
}

/* ProducerAppendInfo.inSequence */
static bool in_sequence(int32_t last_seq, int32_t next_seq)
{
    return last_seq == INT32_MAX ? next_seq == 0 : next_seq == last_seq + 1;
}

enum producer_check producer_state_check(const struct producer_state *s, int64_t producer_id,
                                         int16_t epoch, int32_t first_seq, int32_t last_seq,
                                         struct producer_batch_meta *dup)
{
    KS_ASSERT(producer_id >= 0);
    const struct producer_entry *e = producer_state_find(s, producer_id);
    if (e == NULL || e->epoch == PRODUCER_NO_EPOCH) {
        return PRODUCER_APPEND; /* unknown here: any sequence starts it */
    }
    if (epoch == e->epoch) { /* ProducerStateEntry.findDuplicateBatch */
        for (int32_t i = 0; i < e->batch_count; i++) {
            if (e->batches[i].first_seq == first_seq && e->batches[i].last_seq == last_seq) {
                *dup = e->batches[i];
                return PRODUCER_DUPLICATE;
            }
        }
    }
    if (epoch < e->epoch) {
        return PRODUCER_FENCED_EPOCH;
    }
    if (epoch != e->epoch) {
        return first_seq == 0 ? PRODUCER_APPEND : PRODUCER_OUT_OF_ORDER;
    }
    int32_t last = e->batch_count > 0 ? e->batches[e->batch_count - 1].last_seq : -1;
    return e->batch_count == 0 || in_sequence(last, first_seq) ? PRODUCER_APPEND
                                                               : PRODUCER_OUT_OF_ORDER;
}

void producer_state_update(struct producer_state *s, int64_t producer_id, int16_t epoch,
                           const struct producer_batch_meta *batch)
{
    KS_ASSERT(producer_id >= 0);
    uint32_t i = lower_bound(s, producer_id);
    if (i == s->count || s->entries[i].producer_id != producer_id) {
        s->entries = array_grow(s->entries, s->count, &s->capacity, sizeof *s->entries);
        memmove(&s->entries[i + 1], &s->entries[i], (s->count - i) * sizeof *s->entries);
        s->count++;
        s->entries[i] = (struct producer_entry){.producer_id = producer_id,
                                                .epoch = PRODUCER_NO_EPOCH};
    }
    struct producer_entry *e = &s->entries[i];
    if (epoch != e->epoch) {
        e->epoch = epoch;
        e->batch_count = 0; /* a new epoch starts its sequences again */
    }
    if (e->batch_count == PRODUCER_BATCHES_RETAINED) {
        memmove(&e->batches[0], &e->batches[1], (PRODUCER_BATCHES_RETAINED - 1) *
                                                    sizeof e->batches[0]);
        e->batch_count--;
    }
    e->batches[e->batch_count++] = *batch;
}
