/* story.h — a run told in plain sentences, from its database. */
#ifndef KRAFTSIM_STORY_H
#define KRAFTSIM_STORY_H

#include <stdio.h>

#include <sqlite3.h>

/*
 * The narrated view a learner reads beside the picture: the scenario's notes, elections and
 * resignations, brokers registered and fenced, partition leaders moving, processes crashing,
 * pausing and starting, every fault with its end, and every violation, in time order, one line
 * each. Returns the number of lines told.
 */
int story_tell(sqlite3 *db, FILE *out);

#endif
