/* sweep_db.h — a sweep's database: one row per seed, and what was swept. */
#ifndef KRAFTSIM_SWEEP_DB_H
#define KRAFTSIM_SWEEP_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sweep/report.h"

/*
 * SQLite, like a run's database (trace/db.h), but a row per seed: its verdict, trace hash,
 * violations by checker, first violation, replay command, and for a failing seed the path of
 * its full run database. `kraftsim merge` reads shards' databases back into one. A sweep that
 * was stopped early says so (complete = 0), and so does everything merged from it.
 */
struct sweep_db_info {
    char scenario[512];      /* the shipped scenario's name, or the file's path */
    char seeds[64];          /* "1..1000" */
    char shard[32];          /* "0/4", or "" for the whole range */
    char kafka_version[32];  /* "" for the default */
    char argv[800];          /* the sweep's command line */
    char kraftsim_version[32];
    bool complete;
    double wall_s;
};

struct sweep_db;

/* A new database at `path` (an older file there is replaced). NULL, with one line in err. */
struct sweep_db *sweep_db_create(const char *path, const struct sweep_db_info *info, char *err,
                                 size_t cap);
bool sweep_db_add(struct sweep_db *db, const struct sweep_row *row, char *err, size_t cap);
/* Records whether every seed ran and the sweep's wall time, commits and closes. */
bool sweep_db_finish(struct sweep_db *db, bool complete, double wall_s, char *err, size_t cap);

/* Reads a sweep database: its info and rows (malloc'd, *count of them). False, with one line
 * naming the file, when it is not one. */
bool sweep_db_read(const char *path, struct sweep_db_info *info, struct sweep_row **rows,
                   uint64_t *count, char *err, size_t cap);

#endif
