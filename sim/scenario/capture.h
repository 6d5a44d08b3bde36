/* capture.h — what a run's script drew, kept for kraftsim shrink to take apart. */
#ifndef KRAFTSIM_CAPTURE_H
#define KRAFTSIM_CAPTURE_H

/*
 * kraftsim shrink runs the failing seed once more with a capture: the faults c:nemesis drew
 * (kind, targets, start, end, with targets written the way kraft.shrunk reads them back), what
 * kraft.duration answered and the cluster's shape. Nothing here feeds the simulation: a run
 * with a capture has the hash it has without one.
 */

#include <stdbool.h>

#include "scenario/fault_log.h"

struct run_capture {
    struct fault_log nemesis;      /* every fault c:nemesis injected, in order */
    time_ns duration;              /* what kraft.duration returned; 0 if the script never asked */
    bool cluster;                  /* kraft.cluster built one, of this shape: */
    int combined, controllers, brokers;
};

#endif
