/* db.h — the run database: one SQLite file per run, its events and the tables people query. */
#ifndef KRAFTSIM_TRACE_DB_H
#define KRAFTSIM_TRACE_DB_H

/*
 * Like Jepsen's store, a run leaves a record: `run` (what ran, with what, and how it ended),
 * `event` (every trace event), and tables derived from the events as they pass (`role`: each
 * node's raft role spans; `fault`; `violation`; `note`). The schema carries a version in
 * PRAGMA user_version; a reader refuses a file that is not a kraftsim run database, or one
 * from a newer kraftsim, with one line.
 *
 * Writes go through prepared statements in batched transactions (a commit every
 * RUN_DB_BATCH events) with WAL journaling, so a run killed at any point leaves a database
 * that opens: its run row says complete = 0 until run_db_finish commits the verdict.
 *
 * The database is written outside the simulation: it sees events through a trace sink and
 * never feeds anything back, so a run's hash is the same with or without it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace/trace.h"

#define RUN_DB_SCHEMA_VERSION 2
#define RUN_DB_BATCH 20000

struct run_db;

struct run_db_info {
    uint64_t seed;
    const char *scenario;      /* its name or path */
    const char *scenario_text; /* the script, or NULL for a scenario written in C */
    size_t scenario_len;
    const char *kraftsim_version;
    const char *release;  /* kafka.version and the switches the run printed */
    const char *argv;     /* the command line, as a person would type it again */
    bool shipped;         /* a scenario kraftsim ships (scenario is then its name) */
    const char *kafka_version; /* --kafka-version as given, or NULL */
    time_ns duration;          /* --duration as given, or 0 */
};

/* Creates (replacing) the database at `path`. NULL, with one line in err, on failure. */
struct run_db *run_db_create(const char *path, const struct run_db_info *info, char *err,
                             size_t cap);
/* The sink that records every event (and derives the role and note rows). */
struct trace_sink run_db_sink(struct run_db *db);
void run_db_host_name(struct run_db *db, int host, const char *name);
void run_db_fault(struct run_db *db, const char *kind, const char *targets, time_ns start,
                  time_ns end);
void run_db_violation(struct run_db *db, const char *checker, time_ns at, const char *text);
/* One operation of a client's history, Jepsen style: `type` is invoke, ok, fail or info; `f`
 * what was asked (send, poll, commit, assign); a partition's topic (NULL: none), the offset
 * (-1: none) and the value (has_value) when the operation has them; `detail` anything more
 * (NULL: nothing). Process names are the clients' own (producer-1, consumer-2). */
struct run_db_op {
    time_ns time;
    const char *process;
    const char *type;
    const char *f;
    const char *topic;
    int32_t partition;
    int64_t offset;
    bool has_value;
    int64_t value;
    const char *detail;
};
void run_db_op(struct run_db *db, const struct run_db_op *op);
/* The end: trace hash, verdict ("PASS", "FAIL", "INTERRUPTED"), virtual end; complete = 1
 * unless `interrupted`. Returns false with one line in err if the file could not be written. */
bool run_db_finish(struct run_db *db, uint64_t trace_hash, const char *verdict,
                   uint32_t violations, time_ns virtual_end, int64_t wall_ms, bool interrupted,
                   char *err, size_t cap);
void run_db_close(struct run_db *db);

/* The first event where a replay and its recording differ. */
struct run_db_mismatch {
    bool found;
    uint64_t index; /* 1-based event number */
    char recorded[TRACE_DETAIL_MAX + 128];
    char replayed[TRACE_DETAIL_MAX + 128];
};

/* Compare mode, for replay: a run_db over an open recording (run_db_open_read) whose sink
 * checks each event against the recorded one instead of writing it. */
struct run_db *run_db_compare(void *recorded_db);
/* Compare mode: nothing more to compare (a mismatch, or the recording ran out), so the replay
 * may stop. False for a database being written. */
bool run_db_replay_over(const struct run_db *d);
/* After the replay: how many events were compared, whether the recording ran out first (a run
 * cut short), and the first mismatch or NULL. */
const struct run_db_mismatch *run_db_compared(struct run_db *d, uint64_t *events,
                                              bool *recording_ended);

/* Opens a run database for reading: NULL, with one line naming the file and what is wrong
 * (missing, not SQLite, not a kraftsim run, newer schema), if it cannot be read. The result
 * is a sqlite3 * (void * here so that callers need not include sqlite3.h). */
void *run_db_open_read(const char *path, char *err, size_t cap);

#endif
