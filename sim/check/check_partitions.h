/* check_partitions.h — partition-leadership safety checker over the committed metadata log. */
#ifndef KRAFTSIM_CHECK_PARTITIONS_H
#define KRAFTSIM_CHECK_PARTITIONS_H

/*
 * The harness feeds this checker every committed metadata record exactly once, in offset
 * order. It keeps a shadow metadata image (broker/metadata/image.c) and, for each record,
 * checks it against the shadow as it was before the record, applies it, then checks the
 * partition state it left. The rules, each named in its violation message:
 *
 *   leader-in-isr          after every record, each partition's leader is -1 or a member of
 *                          its ISR and of its replicas (PartitionChangeBuilder elects from the
 *                          target ISR, or from the ELR and then sets ISR = [leader]).
 *   leader-epoch-monotonic a partition's leader epoch and partition epoch never go down: not by
 *                          a PartitionChangeRecord, not by a PartitionRecord that re-declares a
 *                          partition (Kafka's TopicDelta replaces it; our image refuses it), not
 *                          across a resync.
 *   one-leader-per-epoch   a record (or a resync) that gives a partition another leader, -1
 *                          included, also raises its leader epoch. With monotonic epochs this
 *                          is at most one leader per partition per leader epoch.
 *   fenced-never-leader    a record that names a leader L >= 0 (a PartitionRecord, or a
 *                          PartitionChangeRecord whose Leader is not -2) needs L registered,
 *                          unfenced and not in controlled shutdown in the shadow before it
 *                          (PartitionChangeBuilder's isAcceptableLeader). And after any broker
 *                          record that fences or removes L (FenceBrokerRecord,
 *                          BrokerRegistrationChangeRecord Fenced=1, a fenced RegisterBrokerRecord,
 *                          UnregisterBrokerRecord) no partition is led by L: the controller
 *                          writes the leader moves before the record that fences
 *                          (ReplicationControlManager.handleBrokerFenced and
 *                          handleBrokerUnregistered).
 *   unclean-election       a PartitionChangeRecord electing L outside the previous ISR and the
 *                          previous ELR is unclean: it needs unclean.leader.election.enable (the
 *                          topic's ConfigRecord, else the cluster default ConfigRecord on the
 *                          BROKER resource "", else the value given at init) and must leave the
 *                          partition RECOVERING (the record sets LeaderRecoveryState 1, or leaves
 *                          it at 1: PartitionChangeBuilder.tryElection only sets it when the
 *                          partition is not RECOVERING already). One exception, from KIP-966:
 *                          with ISR and ELR empty, the partition's single LastKnownElr member may
 *                          be elected whatever the config (canElectLastKnownLeader); it is still
 *                          unclean, so it is counted and must be flagged RECOVERING too.
 *   record-fits-image      a committed record the shadow cannot apply (the image's refusal): the
 *                          shadow would drift from the cluster, and a Kafka node would fault.
 *
 * Epoch arithmetic is the image's: a PartitionChangeRecord carries no epochs, and
 * metadata_image_apply bumps the leader epoch by one when Leader ≠ -2 and the partition epoch
 * by one on every change (PartitionRegistration.merge). So for change records the first two
 * epoch rules guard the image's replay; a PartitionRecord or a resync can break them outright.
 *
 * Offsets. Control batches (LeaderChangeMessage) take offsets but hold no metadata record: the
 * harness passes r = NULL for such an offset so the next one is expected. Any other gap, or a
 * repeat, is ignored and counted in records_ignored, and the harness must resync.
 */

#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "metadata/image.h"
#include "metadata/records.h"
#include "scenario/scenario.h"

struct partition_checker {
    struct run_result *result;    /* violations go here; may be set after init */
    struct metadata_image shadow; /* every committed record below next_offset, applied */
    int64_t next_offset;          /* the offset the next record must carry; -1 = not started */
    bool unclean_leader_election_enable; /* the cluster-level default of the topic config */
    time_ns now;                  /* of the last record fed: a resync reports at this time */
    uint64_t records_checked;     /* metadata records checked and applied */
    uint64_t records_ignored;     /* calls refused for their offset */
    uint64_t leader_changes;      /* records that gave an existing partition another leader */
    uint64_t unclean_elections;   /* leaders elected from outside ISR and ELR, allowed or not */
    uint64_t resyncs;
    char last[200];               /* the latest violation, "" if none */
};

void partition_checker_init(struct partition_checker *pc, struct run_result *result,
                            bool unclean_default);
void partition_checker_free(struct partition_checker *pc);
/*
 * One committed record at `offset` (r = NULL: the offset holds a control record). Returns false,
 * doing nothing else, when `offset` is not the next expected one; the first call sets the start.
 * `now` is the virtual time violations are reported at.
 */
bool partition_checker_record(struct partition_checker *pc, int64_t offset,
                              const struct metadata_record *r, time_ns now);
/*
 * Restarts from a node's image, for when the harness could not feed offsets (the node loaded a
 * snapshot ahead). `applied_offset` is the node's: every offset below is in `img`, so it is the
 * next one expected. The shadow is rebuilt by replaying metadata_image_records(img). When the
 * image is ahead of the shadow, epochs are checked across the gap (monotonic, a new leader only
 * with a new leader epoch); the new state is checked in any case.
 */
void partition_checker_resync(struct partition_checker *pc, const struct metadata_image *img,
                              int64_t applied_offset);
bool partition_checker_check(const struct partition_checker *pc);

#endif
