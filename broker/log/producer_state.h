/* producer_state.h — a partition's idempotent producers: their epochs and last batches. */
#ifndef KRAFTSIM_PRODUCER_STATE_H
#define KRAFTSIM_PRODUCER_STATE_H

/*
 * Kafka's ProducerStateManager, for idempotent producers (no transactions): per producer id,
 * its epoch and the metadata of its last PRODUCER_BATCHES_RETAINED batches
 * (ProducerStateEntry.NUM_BATCHES_TO_RETAIN), which is how a leader recognises a retried batch
 * (up to max.in.flight.requests.per.connection = 5 may be retried) and answers it with the
 * offsets it was first written at instead of writing it twice.
 *
 * A leader checks a client's batch before appending (UnifiedLog.analyzeAndValidateProducerState,
 * ProducerAppendInfo.checkProducerEpoch and checkSequence):
 *   - same epoch, same first and last sequence as a retained batch: DUPLICATE, with its offsets;
 *   - an epoch below the producer's: INVALID_PRODUCER_EPOCH;
 *   - a new epoch must start at sequence 0 (unless the producer has no state here);
 *   - the same epoch must continue at last sequence + 1 (wrapping at INT32_MAX to 0), unless
 *     the producer has no state here (the leader has never seen it, or retention removed its
 *     batches): OUT_OF_ORDER_SEQUENCE_NUMBER otherwise.
 * Every appended batch, leader or follower, updates the state (a follower does not check:
 * origin REPLICATION). Kafka persists the state in .snapshot files at segment rolls and
 * replays the log from the last snapshot; kraftsim rebuilds it from the retained batches
 * instead (partition_log keeps each batch's producer fields in its index), after loading,
 * truncating or deleting segments: the same entries, since a producer's state is its last
 * retained batches, and a producer with none retained is evicted either way.
 *
 * Entries are kept sorted by producer id (a binary search; deterministic, no hash order).
 */

#include <stdbool.h>
#include <stdint.h>

#define PRODUCER_BATCHES_RETAINED 5
#define PRODUCER_NO_EPOCH (-1)

struct producer_batch_meta {
    int32_t first_seq;
    int32_t last_seq;
    int64_t first_offset;
    int64_t last_offset;
};

struct producer_entry {
    int64_t producer_id;
    int16_t epoch;
    int32_t batch_count; /* retained, oldest first */
    struct producer_batch_meta batches[PRODUCER_BATCHES_RETAINED];
};

struct producer_state {
    struct producer_entry *entries; /* sorted by producer_id */
    uint32_t count;
    uint32_t capacity;
};

enum producer_check {
    PRODUCER_APPEND,       /* in sequence (or unknown here): append it */
    PRODUCER_DUPLICATE,    /* a retried batch: answer its first offsets, append nothing */
    PRODUCER_OUT_OF_ORDER, /* OUT_OF_ORDER_SEQUENCE_NUMBER */
    PRODUCER_FENCED_EPOCH  /* INVALID_PRODUCER_EPOCH */
};

void producer_state_init(struct producer_state *s);
void producer_state_free(struct producer_state *s);
void producer_state_clear(struct producer_state *s);

/* The sequence of the last record of a batch: base + last offset delta, wrapping at
 * INT32_MAX to 0 (DefaultRecordBatch.incrementSequence). */
int32_t producer_last_seq(int32_t base_seq, int32_t last_offset_delta);

/* A leader's check of a client batch (producer_id >= 0). For DUPLICATE, *dup is the retained
 * batch's metadata. */
enum producer_check producer_state_check(const struct producer_state *s, int64_t producer_id,
                                         int16_t epoch, int32_t first_seq, int32_t last_seq,
                                         struct producer_batch_meta *dup);

/* An appended batch (leader or follower, producer_id >= 0): ProducerStateEntry.addBatch. A new
 * epoch forgets the old epoch's batches; the sixth batch pushes out the oldest. */
void producer_state_update(struct producer_state *s, int64_t producer_id, int16_t epoch,
                           const struct producer_batch_meta *batch);

const struct producer_entry *producer_state_find(const struct producer_state *s,
                                                 int64_t producer_id);

#endif
