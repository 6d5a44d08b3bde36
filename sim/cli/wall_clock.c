/* wall_clock.c — the one real clock kraftsim reads: how long a run (or a sweep, and each of
 * its seeds) took, for its record and the progress line. */
#include "cli/wall_clock.h"

#include <time.h>

/* The simulation never sees this: it goes into the run database's wall_ms, beside virtual
 * time, so a reader knows what a run cost. tests/tidy allows this file and no other. */
int64_t wall_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double wall_clock_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
