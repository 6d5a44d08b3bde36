/* history.h — the Jepsen-style checker of Kafka client histories, online and bounded. */
#ifndef KRAFTSIM_CHECK_HISTORY_H
#define KRAFTSIM_CHECK_HISTORY_H

/*
 * The simulated producers and consumers feed this checker their operations as they complete, in
 * the order the run executes them (that order is the history: nothing is sorted afterwards). It
 * judges each one against what it remembers and reports anomalies with their evidence. The
 * classes and their rules, after Jepsen's Kafka workload (jepsen.tests.kafka):
 *
 *   lost-write           a send acknowledged at offset o of partition p was never read, yet some
 *                        consumer read an offset > o of p. Judged when the value can no longer
 *                        be read: when p's log start passes o (history_log_start) or at
 *                        history_finish.
 *   duplicate            one value at two places (partition, offset): acknowledged at one and
 *                        read at another, or read at both.
 *   inconsistent-offsets two different values at one (partition, offset), from any mix of
 *                        acknowledgements and reads.
 *   poll-skip            a consumer read offset a of p and then, next in p, offset b > a + 1,
 *                        while some offset strictly between holds a value someone acknowledged
 *                        or read. An offset between that is unknown yet is remembered as a gap:
 *                        if a value turns up there later, the skip is reported then. (Empty
 *                        offsets are no skip: transactions leave control records in the log.)
 *   nonmonotonic-poll    a consumer read offset a of p and then, next in p, offset b <= a.
 *                        Both poll rules hold per consumer per partition within one ownership:
 *                        history_rebalance and history_seek forget the consumer's position, as
 *                        Jepsen exempts keys in a poll's rebalance log (eager rebalances,
 *                        seek(), auto.offset.reset all move a consumer legitimately).
 *   nonmonotonic-send    a producer sent v1 and then v2 to p (invoked in that order) and they
 *                        were acknowledged at o2 <= o1. Only for producers registered `ordered`:
 *                        max.in.flight.requests.per.connection=1, or enable.idempotence=true
 *                        (which keeps order for up to 5 in flight). With more in flight and no
 *                        idempotence a retry reorders batches legitimately.
 *   aborted-read         a value whose send definitely failed (history_send_fail) was read, in
 *                        either order: the read first or the failure first.
 *   unseen               at history_finish, acknowledged values nobody read and nobody read past
 *                        (lost-write takes those someone read past): consumers had not caught
 *                        up. One finding for all, with the count and the first examples; the
 *                        class count is the number of values. Whether it is a violation is the
 *                        caller's call (after a drain it is).
 *   expired              acknowledged values nobody read and nobody read past when the log
 *                        start passed them: retention deleted them first (consumers fell that
 *                        far behind). Not evidence of loss, and not verified either: one finding
 *                        for all at history_finish, with the count and the first examples;
 *                        never a violation by itself (the caller's call, as for unseen).
 *   nonmonotonic-commit  a group's committed offset for p went down (a successful OffsetCommit
 *                        of a lower offset than the group's last) with no seek or reset by a
 *                        member of the group on p since (history_seek).
 *
 * Findings name partitions as topic-p, and processes by the names the caller registered them
 * under ("producer-1", "consumer-2"): never indices. The first max_findings are kept in the order
 * found; counts are kept for all. Everything is deterministic: findings come out in history
 * order, and the end-of-run judgement sorts by (partition, offset, value) — never hash order.
 *
 * What is kept, and why memory follows the retained log, not the run's length:
 *   - per partition, offset -> value for offsets from the log start the caller declares
 *     (history_log_start, fed from retention or the brokers' log start offsets) up to the
 *     highest offset seen: 24 bytes an offset, in a ring. Only these offsets can still be read
 *     again and so contradicted; below the log start, observations are counted and ignored.
 *   - per value, one 48-byte entry (in chunks of 64 consecutive values) while it can still
 *     matter: until its send completes; then while its offset is retained (duplicate and
 *     aborted-read need it); a failed or unknown (info) send whose value was never read is
 *     forgotten when the log start passes the partition's highest known offset at its
 *     completion; an acknowledged value never read stays until read or judged (that set
 *     shrinks as consumers catch up).
 *   - per (process, partition), a position or last send; per (group, partition), the last
 *     commit; per partition, the open poll-skip gaps (at most max_gaps, oldest dropped first).
 * A caller that never declares a log start keeps the whole log, which is then the retained data.
 * history_stats gives the module's own accounting of all of it.
 *
 * Contract for the caller: values are unique per send and never INT64_MIN; every send ends
 * with exactly one of ok, fail (the client knows it was not written) or info (unknown: timed
 * out, the producer stopped); polls are reported when they return records; offsets are the
 * record's own. history_finish treats still-open sends as info. Violations of this contract are
 * the harness's bugs: KS_ASSERT.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum history_class {
    HISTORY_LOST_WRITE,
    HISTORY_DUPLICATE,
    HISTORY_INCONSISTENT_OFFSETS,
    HISTORY_POLL_SKIP,
    HISTORY_NONMONOTONIC_POLL,
    HISTORY_NONMONOTONIC_SEND,
    HISTORY_ABORTED_READ,
    HISTORY_UNSEEN,
    HISTORY_NONMONOTONIC_COMMIT,
    HISTORY_EXPIRED,
    HISTORY_CLASSES
};

/* "lost-write", "duplicate", ...: the names above, also the first word of each finding. */
const char *history_class_name(enum history_class c);

/* One finding: its class and one line of evidence ("poll-skip: consumer-2 read orders-0 ..."). */
typedef void (*history_sink)(void *ctx, enum history_class c, const char *text);

struct history_config {
    uint32_t max_findings; /* findings kept for history_write_findings; 0 = 100 */
    uint32_t max_gaps;     /* open poll-skip gaps kept per partition; 0 = 1024 */
    int64_t max_span;      /* offsets kept per partition above its log start; 0 = 1 << 26 */
    history_sink on_finding; /* optional: called for every finding as it is found */
    void *ctx;
};

/* One record a poll returned. `tp` is a history_partition id. */
struct history_record {
    int32_t tp;
    int64_t offset;
    int64_t value;
};

struct history_summary {
    uint64_t count[HISTORY_CLASSES];
    uint64_t total;
};

/* The module's own accounting (what "bounded" is measured by) and what it ignored. */
struct history_stats {
    uint64_t ops;            /* calls that fed the history */
    uint64_t reads;          /* records polled */
    uint64_t values_kept;    /* value entries live now */
    uint64_t values_peak;
    uint64_t offsets_kept;   /* offset slots allocated now, all partitions */
    uint64_t offsets_peak;
    uint64_t gaps_kept;      /* open poll-skip gaps */
    uint64_t unseen_now;     /* acknowledged values not read yet */
    uint64_t ignored;        /* observations below a log start or beyond max_span */
    uint64_t unknown_reads;  /* records whose value no send (still remembered) carried */
    uint64_t gaps_dropped;   /* gaps forgotten past max_gaps */
};

struct history;

struct history *history_create(const struct history_config *config); /* NULL: defaults */
void history_destroy(struct history *h);

/* Registration: ids are small integers for the calls below; names are copied. A consumer's
 * group may be NULL (assign() without a group: it commits nothing). Registering a partition
 * twice returns the same id. */
int32_t history_producer(struct history *h, const char *name, bool ordered);
int32_t history_consumer(struct history *h, const char *name, const char *group);
int32_t history_partition(struct history *h, const char *topic, int32_t partition);

/* A producer's send of `value` to partition `tp` (invoke), then its one completion. */
void history_send(struct history *h, int32_t producer, int32_t tp, int64_t value);
void history_send_ok(struct history *h, int64_t value, int64_t offset);
void history_send_fail(struct history *h, int64_t value);
void history_send_info(struct history *h, int64_t value);

/* A poll that returned `n` records, in the order the consumer got them. */
void history_poll(struct history *h, int32_t consumer, const struct history_record *records,
                  size_t n);
/* Partitions whose ownership changed for this consumer (ConsumerRebalanceListener's revoked,
 * lost and assigned sets; an eager rebalance passes all of them): positions are forgotten. */
void history_rebalance(struct history *h, int32_t consumer, const int32_t *tps, size_t n);
/* seek(), seekToBeginning/End, or auto.offset.reset on `tp`: the position is forgotten, and the
 * consumer's group may next commit a lower offset for `tp`. */
void history_seek(struct history *h, int32_t consumer, int32_t tp);
/* A successful OffsetCommit by the consumer's group: `offset` is the next offset to read. */
void history_commit(struct history *h, int32_t consumer, int32_t tp, int64_t offset);

/* Offsets of `tp` below `offset` can never be read again (retention, DeleteRecords): values
 * there are judged (lost-write, or unseen) and forgotten. Never moves back. */
void history_log_start(struct history *h, int32_t tp, int64_t offset);
/* The end of the run: the lost-write and unseen judgements over everything still unread. Once;
 * nothing may be fed after. */
void history_finish(struct history *h);

struct history_summary history_summary(const struct history *h);
/* "lost-write=0 duplicate=1 ..." for every class, in enum order; returns buf. */
const char *history_summary_text(const struct history *h, char *buf, size_t cap);
/* The kept findings (the first max_findings), in the order found, through `sink`. Returns how
 * many were written. */
size_t history_write_findings(const struct history *h, history_sink sink, void *ctx);
struct history_stats history_stats(const struct history *h);

#endif
