/* producer_ids.h — blocks of producer ids from the controller (RPCProducerIdManager). */
#ifndef KRAFTSIM_PRODUCER_IDS_H
#define KRAFTSIM_PRODUCER_IDS_H

/*
 * InitProducerId without a transactional id (an idempotent producer) gets a fresh producer id
 * and epoch 0 from any broker (TransactionCoordinator.handleInitProducerId). Brokers take ids
 * from blocks the active controller hands out through AllocateProducerIds (KIP-730), 1,000 at
 * a time and never twice, since each block is a committed ProducerIdsRecord. As Kafka's
 * RPCProducerIdManager.generateProducerId:
 *   - the next id of the current block, asking for the next block once 90% of it is claimed
 *     (PID_PREFETCH_THRESHOLD), so a busy broker rarely waits;
 *   - with the block used up: the prefetched block if it came, else COORDINATOR_LOAD_IN_PROGRESS
 *     (the producer retries after retry.backoff.ms) and a request for one;
 *   - one request at a time; after an error or no answer within the socket timeout, the next
 *     may go RETRY_BACKOFF_MS (50 ms) later.
 * A broker starts with no block: its first InitProducerId asks for one and waits, as Kafka's.
 * The module holds state only; the replica manager sends and receives (producer_ids_want says
 * when a request should go).
 */

#include <stdbool.h>
#include <stdint.h>

#include "env.h"

#define PRODUCER_IDS_RETRY_BACKOFF (50 * NS_PER_MS)

struct producer_id_block {
    int64_t first;
    int32_t size;
    int64_t next; /* the next unclaimed id; == first + size when used up */
};

struct producer_ids {
    struct producer_id_block current; /* size 0: none yet */
    struct producer_id_block prefetched;
    bool have_prefetched;
    bool want;      /* a block should be asked for */
    bool in_flight; /* an AllocateProducerIds is out */
    time_ns retry_at;
};

void producer_ids_init(struct producer_ids *m);
/* A fresh id (>= 0), or -1: none until a block arrives (COORDINATOR_LOAD_IN_PROGRESS). */
int64_t producer_ids_generate(struct producer_ids *m);
/* Whether to send an AllocateProducerIds now; true marks it in flight. */
bool producer_ids_send(struct producer_ids *m, time_ns now);
/* The answer (error NONE with a block), or error != NONE for a failed or lost request. */
void producer_ids_on_answer(struct producer_ids *m, int16_t error, int64_t start, int32_t len,
                            time_ns now);

#endif
