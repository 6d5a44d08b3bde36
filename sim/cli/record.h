/* record.h — where a run's database goes, and what it says at the end. */
#ifndef KRAFTSIM_RECORD_H
#define KRAFTSIM_RECORD_H

/*
 * Every `kraftsim run` leaves a database (trace/db.h), like Jepsen's store: by default
 * runs/<scenario>-seed<N>.db, with runs/latest.db a link to the newest; --db FILE picks the
 * file, --no-db skips it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario/scenario.h"
#include "trace/db.h"

struct record {
    struct run_db *db; /* NULL with --no-db */
    char path[600];
    char latest[600]; /* the runs/latest.db link to make at the end, "" for --db FILE */
    int64_t started_ms;
};

/* The name a scenario's files go by: "cluster" for a shipped scenario, "my-test" for
 * dir/my-test.lua (runs/<name>-seed<N>.db, and a sweep's runs/sweep-<name>.db). */
void record_base_name(const char *name, char *buf, size_t cap);

/* Opens the database for a run of `name` (a shipped scenario's name, or the file's path);
 * `db_flag` is --db's value or NULL. False, with one line in err, if it cannot be written. */
bool record_open(struct record *rec, const char *db_flag, bool no_db, const char *name,
                 const struct run_db_info *info, char *err, size_t cap);
/* The verdict ("PASS", "FAIL", "INTERRUPTED", "ERROR"): commits and closes. False, with one
 * line in err, if the file could not be written. */
bool record_close(struct record *rec, const struct run_result *r, const char *verdict,
                  bool interrupted, char *err, size_t cap);

#endif
