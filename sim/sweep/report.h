/* report.h — what a sweep found, as a table, as JUnit XML, one row per seed. */
#ifndef KRAFTSIM_SWEEP_REPORT_H
#define KRAFTSIM_SWEEP_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "scenario/scenario.h"
#include "sweep/pool.h"

/* A seed's summary: what the sweep database keeps of a passing seed, and the report reads. */
enum sweep_verdict { SWEEP_PASS, SWEEP_FAIL, SWEEP_ERROR, SWEEP_INTERRUPTED };

#define SWEEP_CHECKERS_TEXT 200
#define SWEEP_TEXT 320

struct sweep_row {
    uint64_t seed;
    enum sweep_verdict verdict;
    int exit_code;
    uint64_t trace_hash;
    uint32_t violations;
    uint64_t faults;
    int64_t virtual_ns;
    double wall_s;
    char checkers[SWEEP_CHECKERS_TEXT]; /* "history:3 raft:1", in the order they found one */
    char first[520];                    /* the first violation, or the scenario's error */
    char replay[SWEEP_TEXT];            /* the command that runs this seed alone */
    char run_db[SWEEP_TEXT];            /* a failing seed's full run database, or "" */
    char draw[256];                     /* what a swarm seed drew (kraft.draw), or "" */
};

/* The row of an outcome; `replay` is the seed's `kraftsim run` command. */
void sweep_row_of(const struct sweep_outcome *o, const char *replay, struct sweep_row *row);
const char *sweep_verdict_name(enum sweep_verdict v);
/* qsort and bsearch order for rows: by seed. */
int sweep_row_by_seed(const void *a, const void *b);
bool sweep_verdict_parse(const char *name, enum sweep_verdict *v);

/* The closing table: seeds passed and failed, failures per checker, the slowest seeds, each
 * distinct failure signature with a representative seed and its replay. Rows in any order
 * (sorted here by seed). `what` names the sweep ("scenario workload, seeds 1..1000"). */
void sweep_report_print(FILE *out, const char *what, struct sweep_row *rows, uint64_t count,
                        double wall_s);
/* A failure's signature: its checker and its first violation with every number made "N" (a
 * script's FILE:LINE kept: it names the check), so seeds that failed the same way group
 * together. */
void sweep_signature(const struct sweep_row *row, char *buf, size_t cap);
/* JUnit XML, one <testcase> per seed named "seed N" in `classname` (Jenkins, GitLab and GitHub
 * read it): a failure's message is the first violation, its type the checkers, its text the
 * replay command and the run database. False if the file cannot be written. */
bool sweep_junit_write(const char *path, const char *suite, const char *classname,
                       const struct sweep_row *rows, uint64_t count, char *err, size_t cap);

#endif
