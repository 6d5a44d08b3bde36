/* report.h — kraftsim report RUN.db -o DIR: one HTML page a person opens from disk. */
#ifndef KRAFTSIM_REPORT_H
#define KRAFTSIM_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

/*
 * DIR/index.html, with no server and nothing fetched: the verdict, seed and the exact replay
 * command, the story, the timeline SVG inline, the violations with their evidence, and tables
 * (elections, time without a quorum leader, fencing, partition leader changes, faults).
 * False, with one line in err, if the page could not be written.
 */
bool report_write(sqlite3 *db, const char *db_path, const char *dir, char *err, size_t cap);

#endif
