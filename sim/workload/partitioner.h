/* partitioner.h — which partition a producer's next (unkeyed) record goes to, as Kafka's. */
#ifndef KRAFTSIM_PARTITIONER_H
#define KRAFTSIM_PARTITIONER_H

/*
 * kraftsim's producers send unkeyed records, so only the unkeyed rule of each partitioner
 * matters (clients/.../producer/internals/BuiltInPartitioner.java, StickyPartitionCache.java,
 * RecordAccumulator.append, RoundRobinPartitioner.java, trunk and 3.1):
 *
 *   BUILTIN (3.3+, partitioner.class=null)  a sticky partition, switched once batch.size bytes
 *       were produced to it and its last batch is full (or 2 x batch.size regardless). The next
 *       one is drawn among partitions with a leader, weighted by queue length when
 *       partitioner.adaptive.partitioning.enable and the queues differ (a partition with
 *       q batches queued weighs max+1-q), uniformly otherwise.
 *   DEFAULT, UNIFORM_STICKY (to 3.2)  sticky until a record would open a new batch
 *       (Partitioner.onNewBatch), then a uniform draw among partitions with a leader, other
 *       than the old one when there are two or more.
 *   ROUND_ROBIN  the next partition with a leader, one counter per producer.
 *
 * Where no partition has a leader, every rule draws among all partitions, as Kafka does.
 * The draw is Utils.toPositive(random.nextInt()) % n, from the run's seeded generator.
 * Kafka recomputes the queue-length weights on each sender pass; here they are read at the
 * moment of the switch, which sees the same queues a little fresher.
 */

#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "workload/client_config.h"

/* What the partitioner may look at: the topic's partitions as the producer holds them. */
struct partitioner_view {
    int32_t partition_count;
    const int *leader_host;      /* -1: no leader known */
    const int32_t *queue_length; /* batches queued per partition */
    const bool *accepting;       /* the partition's last batch has room (not full or closed) */
};

struct partitioner {
    enum client_partitioner kind;
    bool adaptive;
    int32_t batch_size;
    int32_t sticky;   /* -1: none chosen yet */
    int32_t produced; /* bytes appended to `sticky` since it was chosen */
    uint32_t counter; /* RoundRobinPartitioner's */
};

void partitioner_init(struct partitioner *pt, const struct client_config *s);
/* The partition for the next record, before it is appended. */
int32_t partitioner_choose(struct partitioner *pt, const struct partitioner_view *v,
                           const struct env *env);
/* After `bytes` were appended to `partition` (the one partitioner_choose gave). */
void partitioner_appended(struct partitioner *pt, const struct partitioner_view *v,
                          int32_t partition, int32_t bytes, const struct env *env);

#endif
