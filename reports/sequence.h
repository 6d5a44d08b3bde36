/* sequence.h — a run's messages in a window, as a sequence (Lamport) diagram. */
#ifndef KRAFTSIM_SEQUENCE_H
#define KRAFTSIM_SEQUENCE_H

/*
 * A column per node with a dotted lifeline; time runs down the window; every frame sent in it
 * is an arrow from its sender at its send time to its receiver at its arrival, labelled with
 * its API (Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch, BrokerHeartbeat, ...; a response
 * named for the request it answers, in grey). A frame dropped or cut is a red dashed stub
 * ending in a bar. Graphviz node names say what each end is ("msg|<id>|Fetch|delivered"), so
 * tests read the diagram back. Laid out and written by timeline_render.
 */

#include <graphviz/cgraph.h>
#include <sqlite3.h>

#include "timeline.h"

#define SEQUENCE_MESSAGES_MAX 1500

/* NULL, with one line in err, for an empty window or one with too many messages to draw. */
Agraph_t *sequence_build(sqlite3 *db, struct timeline_window window, char *err, size_t cap);

#endif
