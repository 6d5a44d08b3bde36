/* check_fencing.h — no broker is fenced while it could reach the active controller. */
#ifndef KRAFTSIM_CHECK_FENCING_H
#define KRAFTSIM_CHECK_FENCING_H

/*
 * The rule, named in its violation message:
 *
 *   fenced-while-reachable  a committed fence of a registered, unfenced broker B (a
 *                           FenceBrokerRecord, or a BrokerRegistrationChangeRecord with
 *                           Fenced=1, for B's current broker epoch) that is not B's own
 *                           controlled shutdown, although for the whole broker.session.timeout.ms
 *                           before it B's host and the active controller's host were up (not
 *                           crashed, stopped or paused), neither link between them was cut
 *                           and no frame on them was lost.
 *
 * Such a broker lost its session only because it did not heartbeat to the controller it could
 * reach: it did not know who the controller was (a broker finds it as the leader of the
 * metadata quorum it observes, KafkaRaftClient.pollFollowerAsObserver). A controlled shutdown
 * is told apart by the shadow's InControlledShutdown (metadata.version 3.3-IV3 and later) or,
 * before that, by the broker process itself: only a broker whose lifecycle is RUNNING counts.
 *
 * The checker watches the world through its trace: at every host-start, -stop, -crash,
 * -power-fail, -pause, -resume and net-cut, net-heal event (each emitted after the change) it
 * looks at every host's state and every link's cut flag and remembers, per host and per link,
 * when it was last seen bad; a net-drop marks its link bad at that moment. The cost is one look
 * at the world per fault and one per lost frame, nothing per delivered message.
 * Fences come from the harness, which feeds each committed metadata record once, with the
 * shadow image as it was before the record (the partition checker's).
 */

#include <stdbool.h>
#include <stdint.h>

#include "metadata/image.h"
#include "metadata/records.h"
#include "scenario/scenario.h"
#include "world/world.h"

#define FENCING_HOST_MAX 16

struct fencing_checker {
    struct world *world;
    struct run_result *result;  /* violations go here */
    time_ns session_timeout;    /* broker.session.timeout.ms */
    int host_count;             /* hosts 0..host_count-1 run nodes */
    int32_t node_ids[FENCING_HOST_MAX];
    const char *const *names;   /* host names, as the configs name them */
    /* Per host and per link (from, to): whether it is bad now, and the last time it was seen
     * bad (-1: never). A host is bad unless HOST_UP; a link is bad while cut. */
    bool host_bad[FENCING_HOST_MAX];
    time_ns host_bad_last[FENCING_HOST_MAX];
    bool link_bad[FENCING_HOST_MAX][FENCING_HOST_MAX];
    time_ns link_bad_last[FENCING_HOST_MAX][FENCING_HOST_MAX];
    uint64_t fences_checked;  /* fences of unfenced brokers the rule looked at */
    uint64_t fences_excused;  /* ... of which the broker or its path was down in the window */
    char last[256];           /* the latest violation, "" if none */
};

/* Hosts 0..host_count-1 run the nodes node_ids[i]; registers a trace sink on w's trace. */
void fencing_checker_init(struct fencing_checker *fc, struct world *w, struct run_result *result,
                          time_ns session_timeout, int host_count, const int32_t *node_ids,
                          const char *const *names);
/*
 * One committed record, fed once in offset order before it is applied to `before` (the shadow
 * image as the record found it). `controller_host` is the active controller's host, or -1 if
 * none is known (then nothing is judged).
 */
void fencing_checker_record(struct fencing_checker *fc, const struct metadata_image *before,
                            const struct metadata_record *r, int controller_host, time_ns now);
bool fencing_checker_check(const struct fencing_checker *fc);

#endif
