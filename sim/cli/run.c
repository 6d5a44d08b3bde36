/* run.c — one scenario for one seed, as `kraftsim run` and each seed of a sweep run it, and
 * the pieces of the command line every command shares. */
#include "cli/run.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/record.h"
#include "lua/runtime.h"
#include "release.h"
#include "scenario/verdict.h"
#include "text.h"
#include "world/sched.h"

/* The releases --kafka-version takes, those with a KRaft mode, in table order: the one list
 * both --help and the error print. */
const char *kraft_release_names(void)
{
    static char names[256];
    if (names[0] == '\0') {
        struct text t = text_init(names, sizeof names);
        for (size_t i = 0; i < release_count(); i++) {
            const struct kafka_release *r = release_at(i);
            if (release_supports(r, RELEASE_MODE_KRAFT)) {
                text_printf(&t, "%s%s", t.len > 0 ? " " : "", r->name);
            }
        }
        KS_ASSERT(text_fits(&t));
    }
    return names;
}

/* One line on stderr, whatever the user typed: control characters show as '?'. */
void print_error_line(const char *message, const char *suffix)
{
    char line[640];
    snprintf(line, sizeof line, "%s", message);
    for (char *c = line; *c != '\0'; c++) {
        *c = (unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c;
    }
    fprintf(stderr, "kraftsim: %s%s\n", line, suffix);
}

int usage_error(const char *fmt, const char *arg)
{
    char message[512];
    snprintf(message, sizeof message, fmt, arg);
    print_error_line(message, " (try 'kraftsim --help')");
    return EXIT_USAGE;
}

/* A seed is decimal digits, nothing else: no sign, space, octal or hex reading. */
bool parse_seed(const char *text, uint64_t *out)
{
    size_t digits = strspn(text, "0123456789");
    if (digits == 0 || text[digits] != '\0') {
        return false;
    }
    errno = 0;
    unsigned long long v = strtoull(text, NULL, 10);
    if (errno != 0) {
        return false;
    }
    *out = v;
    return true;
}

/* A trace hash is hex, as the run prints it: an optional 0x, then 1 to 16 hex digits. */
bool parse_hash(const char *text, uint64_t *out)
{
    const char *digits = text[0] == '0' && (text[1] == 'x' || text[1] == 'X') ? text + 2 : text;
    size_t n = strspn(digits, "0123456789abcdefABCDEF");
    if (n == 0 || n > 16 || digits[n] != '\0') {
        return false;
    }
    *out = strtoull(digits, NULL, 16);
    return true;
}

int check_kafka_version(const char *value)
{
    const struct kafka_release *r = release_find(value);
    if (r == NULL || !release_supports(r, RELEASE_MODE_KRAFT)) {
        char message[512];
        snprintf(message, sizeof message, "--kafka-version wants one of %s, got '%s'%s",
                 kraft_release_names(), value, r != NULL ? " (it has no KRaft mode)" : "");
        return usage_error("%s", message);
    }
    return EXIT_PASS;
}

/* The errno of the first failed write to stdout, 0 while every write succeeded. */
int write_errno;

bool flush_stdout(void)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout)) {
        return true;
    }
    if (write_errno == 0) {
        write_errno = errno != 0 ? errno : EIO;
    }
    return false;
}

/* SIGINT and SIGTERM only raise this flag; the scheduler reads it between events. */
volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig) { stop_signal = sig; }

void install_stop_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESETHAND; /* a second signal ends the process at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sched_set_stop_flag(&stop_signal);
}

/* The summary after the run (verdict.h) and the exit status it gives. */
int print_summary(const struct run_args *a, const char *scenario, const char *file,
                         const struct run_result *r)
{
    struct run_request q = {.scenario = scenario, .file = file, .seed = a->seed,
                            .config_files = a->config_files,
                            .config_file_count = a->config_file_count,
                            .kafka_version = a->kafka_version, .duration = a->duration,
                            .expect = a->expect, .expected_hash = a->expected_hash,
                            .interrupted_by = sched_interrupted() ? stop_signal : 0};
    switch (verdict_print(stdout, &q, r)) {
    case VERDICT_PASS:
        return EXIT_PASS;
    case VERDICT_FAIL:
        return EXIT_VIOLATION;
    case VERDICT_INTERRUPTED:
        break;
    }
    return EXIT_SIGNAL_BASE + q.interrupted_by;
}


int read_lua_file(const char *path, struct lua_source *src)
{
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        char message[600];
        snprintf(message, sizeof message, "%s: %s", path, strerror(errno));
        print_error_line(message, "");
        return EXIT_USAGE;
    }
    size_t cap = 1 << 16;
    src->text = malloc(cap);
    KS_ASSERT(src->text != NULL);
    size_t n;
    while ((n = fread(src->text + src->len, 1, cap - src->len, in)) > 0) {
        src->len += n;
        if (src->len == cap) {
            cap *= 2;
            src->text = realloc(src->text, cap);
            KS_ASSERT(src->text != NULL);
        }
    }
    bool failed = ferror(in);
    fclose(in);
    if (failed) {
        char message[600];
        snprintf(message, sizeof message, "%s: cannot read the file", path);
        print_error_line(message, "");
        return EXIT_USAGE;
    }
    snprintf(src->chunk, sizeof src->chunk, "%s", path);
    return EXIT_PASS;
}

/* The verdict word the run database keeps, from the exit status. */
static const char *verdict_word(int rc)
{
    return rc == EXIT_PASS ? "PASS" : rc == EXIT_VIOLATION ? "FAIL"
           : rc == EXIT_USAGE ? "ERROR" : rc >= EXIT_SIGNAL_BASE ? "INTERRUPTED" : "ERROR";
}

int run_lua(const struct run_args *a, struct run_opts *opts, struct lua_source *src,
            struct run_result *out)
{
    struct run_result r = {0};
    lua_scenario_prepare(src->chunk, src->text, src->len, src->shipped, opts, &r);
    struct record rec = {0};
    if (r.config_error[0] == '\0') {
        char argv[2400], err[700];
        struct text t = text_init(argv, sizeof argv);
        text_printf(&t, "kraftsim run %s%s --seed %" PRIu64 "%s%s",
                    src->shipped ? "--scenario " : "", src->shipped ? a->scenario : src->chunk,
                    a->seed, a->kafka_version != NULL ? " --kafka-version " : "",
                    a->kafka_version != NULL ? a->kafka_version : "");
        for (int i = 0; i < a->config_file_count; i++) {
            text_printf(&t, " --config %s", a->config_files[i]); /* replay reads them back */
        }
        struct run_db_info info = {.seed = a->seed,
                                   .scenario = src->shipped ? a->scenario : src->chunk,
                                   .scenario_text = src->text, .scenario_len = src->len,
                                   .kraftsim_version = KRAFTSIM_VERSION, .argv = argv,
                                   .shipped = src->shipped, .kafka_version = a->kafka_version,
                                   .duration = a->duration};
        if (!record_open(&rec, a->db, a->no_db, info.scenario, &info, err, sizeof err)) {
            print_error_line(err, "");
            return EXIT_INTERNAL;
        }
        opts->db = rec.db;
        install_stop_handlers();
        printf("kraftsim %s: scenario %s, seed %" PRIu64 "\n", KRAFTSIM_VERSION, src->chunk,
               a->seed);
        if (!flush_stdout()) {
            run_db_close(rec.db); /* main reports the failed write; nothing is run */
            if (!src->shipped) {
                free(src->text);
            }
            return EXIT_INTERNAL;
        }
        lua_scenario_run(src->chunk, src->text, src->len, src->shipped, opts, &r);
    }
    if (!src->shipped) {
        free(src->text);
    }
    if (out != NULL) {
        *out = r;
    }
    int rc;
    if (r.config_error[0] != '\0') {
        fflush(stdout);
        /* FILE:LINE: message, the line in the user's script, as Lua and compilers say it. */
        char line[640];
        snprintf(line, sizeof line, "%s", r.config_error);
        for (char *c = line; *c != '\0'; c++) {
            *c = (unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c;
        }
        fprintf(stderr, "%s\n", line);
        rc = EXIT_USAGE;
    } else {
        rc = print_summary(a, src->shipped ? a->scenario : NULL,
                           src->shipped ? NULL : src->chunk, &r);
    }
    if (rec.db != NULL) {
        char err[700];
        const char *path = rec.path;
        printf("run database: %s\n", path);
        if (!record_close(&rec, &r, verdict_word(rc), rc >= EXIT_SIGNAL_BASE, err, sizeof err)) {
            print_error_line(err, "");
            return EXIT_INTERNAL;
        }
    }
    return rc;
}

int count_flag(const char *flag, const char *text, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    if (!parse_seed(text, &v) || v > max) {
        char message[160];
        snprintf(message, sizeof message, "%s wants a whole number from 0 to %u, got '%%s'",
                 flag, max);
        return usage_error(message, text);
    }
    *out = (uint32_t)v;
    return EXIT_PASS;
}
