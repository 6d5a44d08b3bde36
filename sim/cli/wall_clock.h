/* wall_clock.h — real elapsed time, for the run record only (never inside a simulation). */
#ifndef KRAFTSIM_WALL_CLOCK_H
#define KRAFTSIM_WALL_CLOCK_H

#include <stdint.h>

int64_t wall_clock_ms(void);
/* The same clock in seconds, for rates and the sweep's timings. */
double wall_clock_seconds(void);

#endif
