/* partitioner.c — Kafka's partitioners for unkeyed records: sticky, adaptive, round robin. */
#include "workload/partitioner.h"

#include "workload/client_net.h"

void partitioner_init(struct partitioner *pt, const struct client_config *s)
{
    *pt = (struct partitioner){.kind = s->partitioner_class,
                               .adaptive = s->partitioner_adaptive_partitioning_enable,
                               .batch_size = s->batch_size,
                               .sticky = -1};
}

/* Utils.toPositive(ThreadLocalRandom.current().nextInt()) */
static int32_t draw(const struct env *env) { return (int32_t)(env_random(env) & 0x7fffffff); }

static int32_t available(const struct partitioner_view *v, int32_t *out)
{
    int32_t n = 0;
    for (int32_t i = 0; i < v->partition_count; i++) {
        if (v->leader_host[i] >= 0) {
            out[n++] = i;
        }
    }
    return n;
}

/* BuiltInPartitioner.nextPartition with updatePartitionLoadStats' cumulative table. */
static int32_t builtin_next(const struct partitioner *pt, const struct partitioner_view *v,
                            const struct env *env)
{
    int32_t ids[CLIENT_PARTITIONS_MAX], n = available(v, ids);
    int32_t random = draw(env);
    if (n == 0) {
        return random % v->partition_count;
    }
    bool equal = true;
    int32_t max = v->queue_length[ids[0]];
    for (int32_t i = 1; i < n; i++) {
        equal = equal && v->queue_length[ids[i]] == max;
        max = v->queue_length[ids[i]] > max ? v->queue_length[ids[i]] : max;
    }
    bool adaptive = pt->adaptive && v->partition_count >= 2 &&
                    (!equal || n < v->partition_count);
    if (!adaptive) {
        return ids[random % n];
    }
    int32_t cft[CLIENT_PARTITIONS_MAX], sum = 0;
    for (int32_t i = 0; i < n; i++) {
        sum += max + 1 - v->queue_length[ids[i]];
        cft[i] = sum;
    }
    int32_t weighted = random % sum, i = 0;
    while (cft[i] <= weighted) { /* the first entry strictly greater */
        i++;
    }
    return ids[i];
}

/* StickyPartitionCache.nextPartition: a new draw, away from `old` when there is a choice. */
static int32_t sticky_next(const struct partitioner_view *v, int32_t old, const struct env *env)
{
    int32_t ids[CLIENT_PARTITIONS_MAX], n = available(v, ids);
    if (n == 0) {
        return draw(env) % v->partition_count;
    }
    if (n == 1) {
        return ids[0];
    }
    int32_t next = old;
    while (next == old) {
        next = ids[draw(env) % n];
    }
    return next;
}

/* BuiltInPartitioner.updatePartitionInfo */
static void builtin_update(struct partitioner *pt, const struct partitioner_view *v,
                           int32_t bytes, bool enable_switch, const struct env *env)
{
    pt->produced += bytes;
    if ((pt->produced >= pt->batch_size && enable_switch) || pt->produced >= 2 * pt->batch_size) {
        pt->sticky = builtin_next(pt, v, env);
        pt->produced = 0;
    }
}

int32_t partitioner_choose(struct partitioner *pt, const struct partitioner_view *v,
                           const struct env *env)
{
    KS_ASSERT(v->partition_count > 0 && v->partition_count <= CLIENT_PARTITIONS_MAX);
    if (pt->sticky >= v->partition_count) {
        pt->sticky = -1; /* the topic shrank under us: choose again */
    }
    switch (pt->kind) {
    case CLIENT_PARTITIONER_BUILTIN:
        if (pt->sticky < 0) {
            pt->sticky = builtin_next(pt, v, env);
            pt->produced = 0;
        } else if (!v->accepting[pt->sticky]) {
            builtin_update(pt, v, 0, true, env); /* RecordAccumulator.append's first check */
        }
        return pt->sticky;
    case CLIENT_PARTITIONER_DEFAULT:
    case CLIENT_PARTITIONER_UNIFORM_STICKY:
        if (pt->sticky < 0) {
            pt->sticky = sticky_next(v, -1, env);
        } else if (!v->accepting[pt->sticky]) {
            pt->sticky = sticky_next(v, pt->sticky, env); /* onNewBatch */
        }
        return pt->sticky;
    case CLIENT_PARTITIONER_ROUND_ROBIN: {
        int32_t ids[CLIENT_PARTITIONS_MAX], n = available(v, ids);
        int32_t next = (int32_t)(pt->counter++ & 0x7fffffff);
        return n > 0 ? ids[next % n] : next % v->partition_count;
    }
    }
    KS_ASSERT(!"a partitioner kind");
    return 0;
}

void partitioner_appended(struct partitioner *pt, const struct partitioner_view *v,
                          int32_t partition, int32_t bytes, const struct env *env)
{
    if (pt->kind == CLIENT_PARTITIONER_BUILTIN && partition == pt->sticky) {
        builtin_update(pt, v, bytes, !v->accepting[partition], env);
    }
}
