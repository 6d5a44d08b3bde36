/* run.h — running one scenario for one seed, and the command line's shared pieces. */
#ifndef KRAFTSIM_CLI_RUN_H
#define KRAFTSIM_CLI_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "scenario/scenario.h"
#include "trace/filter.h"

#ifndef KRAFTSIM_VERSION
#define KRAFTSIM_VERSION "dev"
#endif

/* An interrupted run exits 128 + the signal (130 SIGINT, 143 SIGTERM), as a shell reports a
 * process a signal ended, so CI tells "cancelled" from every verdict. */
enum exit_code {
    EXIT_PASS = 0,
    EXIT_VIOLATION = 1,
    EXIT_USAGE = 2,
    EXIT_INTERNAL = 3,
    EXIT_SIGNAL_BASE = 128
};

/* What `kraftsim run` was asked for. */
struct run_args {
    uint64_t seed;
    const char *scenario;
    time_ns duration;
    bool trace;
    bool expect;
    uint64_t expected_hash;
    const char *kafka_version;
    const char *file;           /* a Lua scenario file given as the argument */
    struct trace_filter filter; /* what --trace prints */
    bool filtered;              /* --trace=KINDS was given */
    const char *db;             /* --db FILE */
    bool no_db;                 /* --no-db */
    const char *config_files[32]; /* --config FILE (again for each file) */
    int config_file_count;
};


/* A Lua scenario's text: the file the user named, or one kraftsim ships. */
struct lua_source {
    char chunk[512];
    char *text;
    size_t len;
    bool shipped;
};

/* Reads the scenario file at `path` into `src`; EXIT_USAGE (after one line) if it cannot. */
int read_lua_file(const char *path, struct lua_source *src);
/* Runs a Lua scenario for a->seed: its story, its verdict and the run database as `kraftsim
 * run` prints and writes them. Returns the exit status; `out` (may be NULL) gets the result.
 * Frees the text of a scenario read from a file. */
int run_lua(const struct run_args *a, struct run_opts *opts, struct lua_source *src,
            struct run_result *out);

/* The closing lines (verdict.h) of a run of `scenario` (shipped or built in) or `file`, and
 * the exit status they give. */
int print_summary(const struct run_args *a, const char *scenario, const char *file,
                  const struct run_result *r);

/* The releases --kafka-version takes, space-separated. */
const char *kraft_release_names(void);
/* EXIT_PASS, or EXIT_USAGE after one line naming the releases there are. */
int check_kafka_version(const char *value);
/* One line on stderr, whatever the user typed: control characters show as '?'. */
void print_error_line(const char *message, const char *suffix);
/* A usage error: one line with `arg` in `fmt`, and a pointer to --help. EXIT_USAGE. */
int usage_error(const char *fmt, const char *arg) __attribute__((format(printf, 1, 0)));
/* A seed is decimal digits, nothing else. */
bool parse_seed(const char *text, uint64_t *out);
/* A flag's whole number, 0 to max: EXIT_PASS, or EXIT_USAGE after one line naming the flag. */
int count_flag(const char *flag, const char *text, uint32_t max, uint32_t *out);
/* A trace hash as the run prints it: an optional 0x, then 1 to 16 hex digits. */
bool parse_hash(const char *text, uint64_t *out);
/* Flushes stdout; false (remembering errno for the exit message) if it could not be written. */
bool flush_stdout(void);
/* The errno of the first failed write to stdout, 0 while every write succeeded. */
extern int write_errno;
/* SIGINT and SIGTERM only set stop_signal; the scheduler stops at the next event. */
void install_stop_handlers(void);
extern volatile sig_atomic_t stop_signal;

#endif
