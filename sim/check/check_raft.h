/* check_raft.h — cluster-wide safety checkers for the KRaft quorum. */
#ifndef KRAFTSIM_CHECK_RAFT_H
#define KRAFTSIM_CHECK_RAFT_H

/*
 * Invariants, checked after every step of every node (RaftEventSimulationTest's invariants and
 * canonical/raft's fixture checks, for KRaft):
 *   election-safety   at most one leader per epoch, ever;
 *   epoch-monotonic   a node's epoch never goes down within one incarnation;
 *   hw-monotonic      a node's high watermark never goes down within one incarnation;
 *   hw-within-log     a node never holds a high watermark past its own log end;
 *   hw-majority       when a leader's high watermark moves to h, a majority of voters hold
 *                     every offset below h durably (fsynced, so it survives a power failure),
 *                     with the leader's epoch at h - 1 (Raft's log matching gives the rest);
 *   state-machine     every node that has applied the committed log up to an offset holds the
 *                     same metadata image there (its hash), whether it got there by
 *                     replaying batches or by loading a snapshot: snapshots agree with the log
 *                     they replace;
 *   committed-stable  once any node's high watermark covers a batch, every node whose high
 *                     watermark covers that offset holds the very same batch (epoch, offsets,
 *                     CRC), forever: committed entries never change or vanish.
 *   node-fatal        a node reported an error Kafka treats as fatal (two leaders in an epoch,
 *                     truncation below the high watermark, a metadata record that does not
 *                     decode or fit the image).
 * Each violation names the checker, the virtual time, the nodes and the offsets or epochs.
 * The checker reads the nodes' state directly: it is the harness, not part of the cluster.
 */

#include <stdbool.h>
#include <stdint.h>

#include "raft/log.h"
#include "scenario/scenario.h"
#include "world/world.h"

/* 12 bytes: a long run keeps one per offset of the live segments. */
struct raft_checker_batch {
    uint32_t records; /* last offset - base offset + 1; 0 = nothing seen there yet */
    int32_t epoch;
    uint32_t crc;
};

struct raft_checker_state {
    uint64_t image_hash;
    int32_t node_id; /* the first node seen there */
    bool known;
};

struct raft_checker_host {
    uint32_t incarnation;
    int32_t epoch;
    int64_t high_watermark;
    int64_t verified_end; /* batches below were checked against the committed log */
    int64_t state_checked_at; /* the applied offset whose image was last compared */
};

/* What a host's disk durably holds, as last seen while its process ran. A crash or power
 * failure keeps fsynced bytes, so the record stays true while the host is down. */
struct raft_checker_durable {
    int32_t node_id;
    int64_t flushed_end;
    int64_t log_start; /* below it the log's frozen snapshot holds every offset */
    struct raft_log_epoch *epochs; /* its epoch cache then */
    uint32_t epoch_count;
    uint32_t epoch_capacity;
};

/* A table indexed by offset that keeps only offsets >= base: [base, base + capacity), zero =
 * nothing seen there yet. Offsets below every node's first segment can never be looked at
 * again (see raft_checker_after_step), so the window slides up and memory stays bounded. */
struct raft_checker_window {
    void *items;
    int64_t base;
    uint64_t capacity;
};

struct raft_checker {
    struct world *world;
    struct run_result *result;
    int32_t *leader_of_epoch; /* index: epoch; -1 = none seen */
    uint32_t epoch_capacity;
    struct raft_checker_window committed; /* of raft_checker_batch, index: base offset */
    int64_t committed_end; /* every offset below is covered by some node's high watermark */
    struct raft_checker_host hosts[NET_HOST_MAX];
    struct raft_checker_durable durable[NET_HOST_MAX];
    struct raft_checker_window states; /* of raft_checker_state, index: applied offset */
    /* Per host: the base offset of its log's first segment when last seen (-1: never seen
     * running). A node reads nothing of its log below it, after any restart too (segments
     * below are gone from its disk), and applies no offset below it. */
    int64_t first_segment_base[NET_HOST_MAX];
    uint64_t checks;
};

void raft_checker_init(struct raft_checker *c, struct world *w, struct run_result *result);
void raft_checker_free(struct raft_checker *c);
/* Runs the invariants for the node on host `h` (call after each of its steps). */
void raft_checker_after_step(struct raft_checker *c, int host);
/* Records a violation: the first one's text is kept in the run result. */
void raft_checker_violation(struct raft_checker *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
