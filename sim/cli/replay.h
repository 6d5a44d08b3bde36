/* replay.h — kraftsim replay RUN.db. */
#ifndef KRAFTSIM_REPLAY_H
#define KRAFTSIM_REPLAY_H

#include <stdio.h>

/* Re-runs the recorded scenario text with the recorded seed, release and duration, comparing
 * every event with the recording: 0 identical (or, for a run cut short, identical as far as it
 * went), 1 different (the first differing event, both versions), 2 a file that is not a run. */
int replay_main(const char *path, FILE *out);

#endif
