/* main.c — the kraftsim command line. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/duration.h"
#include "cli/record.h"
#include "cli/render.h"
#include "cli/replay.h"
#include "lua/runtime.h"
#include "lua/shipped.h"

/* `kraftsim run` without --scenario or a file: scenarios/cluster.lua. */
#define DEFAULT_SCENARIO "cluster"
#include "release.h"
#include "scenario/scenario.h"
#include "scenario/verdict.h"
#include "text.h"
#include "trace/filter.h"
#include "trace/trace.h"
#include "world/sched.h"

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

static const char usage_head[] =
    "usage: kraftsim <command> [options]\n"
    "\n"
    "Deterministic simulator and test harness for Apache Kafka clusters in KRaft mode.\n"
    "\n"
    "commands:\n"
    "  run       run a scenario for one seed and print its verdict and trace hash:\n"
    "            kraftsim run FILE.lua [options], or kraftsim run --scenario NAME [options]\n"
    "  replay    re-run a recorded run (its database) and compare it event by event\n"
    "  render    draw a run's leadership timeline: kraftsim render RUN.db -o FILE.svg|png\n"
    "            [--window FROM..TO]; --messages draws the window's messages instead\n"
    "  story     tell a run in sentences: kraftsim story RUN.db\n"
    "  report    write one HTML page of a run: kraftsim report RUN.db -o DIR\n"
    "  list      list the shipped scenarios and lessons\n"
    "  switches  list the Kafka behaviour switches, their sources and each release's value\n"
    "\n"
    "run options:\n"
    "  -s, --seed N           the run seed (default 1); the same seed gives the same run\n"
    "                         (decimal digits only, 0 to 18446744073709551615)\n"
    "  -S, --scenario NAME    a shipped scenario (default: the demo scenario)\n"
    "  -d, --duration TIME    virtual time to run, e.g. 30s, 500ms, 2m or 2min, 1h\n"
    "                         (default: the scenario's; a scenario refuses one too short\n"
    "                         for its faults)\n"
    "  -t, --trace[=KINDS]    print every trace event (time, host, kind, detail), or only\n"
    "                         those of KINDS, a comma-separated list of kinds (net-cut,\n"
    "                         became-leader, ...) and of these families:\n";

static const char usage_middle[] =
    "  -e, --expect-hash HEX  exit 1 unless the trace hash equals HEX (1 to 16 hex digits,\n"
    "                         0x optional, as the run prints it)\n"
    "  -k, --kafka-version V  the Kafka release every node runs (default: trunk, the newest):\n";

static const char usage_tail[] =
    "      --db FILE          the run database (default runs/<scenario>-seed<N>.db, with\n"
    "                         runs/latest.db linked to the newest)\n"
    "      --no-db            write no run database\n"
    "\n"
    "  -h, --help             show this help\n"
    "  -V, --version          show the version\n"
    "\n"
    "exit status: 0 all checks passed, 1 a check found a violation, 2 usage, scenario or\n"
    "config error (nothing is run), 3 internal error (an assertion or a sanitizer failed, or\n"
    "the output could not be written), 130 or 143 the run was interrupted by SIGINT or\n"
    "SIGTERM (it stops at the next event and prints its summary marked INTERRUPTED).\n";

/* The releases --kafka-version takes, those with a KRaft mode, in table order: the one list
 * both --help and the error print. */
static const char *kraft_release_names(void)
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

static void print_usage(void)
{
    fputs(usage_head, stdout);
    /* The families, wrapped at commas to stay within 80 columns. */
    const char *f = trace_filter_families();
    while (*f != '\0') {
        size_t n = strlen(f);
        const char *cut = NULL;
        for (const char *c = strstr(f, ", "); n > 54 && c != NULL && c - f < 54;
             c = strstr(c + 1, ", ")) {
            cut = c;
        }
        n = cut != NULL ? (size_t)(cut - f) + 1 : n;
        printf("                         %.*s\n", (int)n, f);
        f += n + strspn(f + n, " ");
    }
    fputs(usage_middle, stdout);
    printf("                         %s\n", kraft_release_names());
    fputs(usage_tail, stdout);
}

/* One line on stderr, whatever the user typed: control characters show as '?'. */
static void print_error_line(const char *message, const char *suffix)
{
    char line[640];
    snprintf(line, sizeof line, "%s", message);
    for (char *c = line; *c != '\0'; c++) {
        *c = (unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c;
    }
    fprintf(stderr, "kraftsim: %s%s\n", line, suffix);
}

static int usage_error(const char *fmt, const char *arg) __attribute__((format(printf, 1, 0)));

static int usage_error(const char *fmt, const char *arg)
{
    char message[512];
    snprintf(message, sizeof message, fmt, arg);
    print_error_line(message, " (try 'kraftsim --help')");
    return EXIT_USAGE;
}

/* A seed is decimal digits, nothing else: no sign, space, octal or hex reading. */
static bool parse_seed(const char *text, uint64_t *out)
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
static bool parse_hash(const char *text, uint64_t *out)
{
    const char *digits = text[0] == '0' && (text[1] == 'x' || text[1] == 'X') ? text + 2 : text;
    size_t n = strspn(digits, "0123456789abcdefABCDEF");
    if (n == 0 || n > 16 || digits[n] != '\0') {
        return false;
    }
    *out = strtoull(digits, NULL, 16);
    return true;
}

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
};

static const struct option run_options[] = {
    {"seed", required_argument, NULL, 's'},     {"scenario", required_argument, NULL, 'S'},
    {"duration", required_argument, NULL, 'd'}, {"trace", optional_argument, NULL, 't'},
    {"expect-hash", required_argument, NULL, 'e'}, {"help", no_argument, NULL, 'h'},
    {"kafka-version", required_argument, NULL, 'k'},
    {"db", required_argument, NULL, 'D'},         {"no-db", no_argument, NULL, 'N'},
    {NULL, 0, NULL, 0}};

/* What getopt_long refused in `arg`: a value given to a flag that takes none, an abbreviation
 * of more than one flag, or a flag 'run' does not have. */
static int bad_option(const char *arg)
{
    if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
        return usage_error("unknown option '%s' for 'run'", arg);
    }
    char name[64];
    size_t len = strcspn(arg + 2, "=");
    snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1),
             arg + 2);
    char matches[160];
    struct text t = text_init(matches, sizeof matches);
    int count = 0;
    for (const struct option *o = run_options; o->name != NULL; o++) {
        if (strcmp(o->name, name) == 0 && o->has_arg == no_argument && arg[2 + len] == '=') {
            return usage_error("option '--%s' takes no value", o->name);
        }
        if (strncmp(o->name, name, strlen(name)) == 0) {
            text_printf(&t, "%s--%s", count++ > 0 ? ", " : "", o->name);
        }
    }
    if (count > 1) {
        char message[320];
        snprintf(message, sizeof message, "option '--%s' is ambiguous: it could be %s", name,
                 matches);
        return usage_error("%s", message);
    }
    return usage_error("unknown option '%s' for 'run'", arg);
}

/* Flag values never become config text: a control character (a newline would add a line to
 * every node's server.properties) is refused, naming the flag. */
static bool has_control(const char *value)
{
    for (const unsigned char *c = (const unsigned char *)value; *c != '\0'; c++) {
        if (*c < 0x20 || *c == 0x7f) {
            return true;
        }
    }
    return false;
}

static const char *flag_name(int c)
{
    for (const struct option *o = run_options; o->name != NULL; o++) {
        if (o->val == c) {
            return o->name;
        }
    }
    KS_ASSERT(false);
    return "?";
}

static int check_kafka_version(const char *value)
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

static int parse_one(int c, struct run_args *a)
{
    switch (c) {
    case 's':
        if (!parse_seed(optarg, &a->seed)) {
            return usage_error("--seed wants a non-negative decimal integer, got '%s'", optarg);
        }
        return EXIT_PASS;
    case 'S':
        a->scenario = optarg;
        return EXIT_PASS;
    case 'd':
        if (!duration_parse(optarg, strlen(optarg), false, &a->duration)) {
            return usage_error("--duration wants a time such as 30s or 500ms, got '%s'", optarg);
        }
        return EXIT_PASS;
    case 't':
        a->trace = true;
        if (optarg != NULL) {
            char err[400];
            if (!trace_filter_parse(&a->filter, optarg, err, sizeof err)) {
                return usage_error("--trace: %s", err);
            }
            a->filtered = true;
        }
        return EXIT_PASS;
    case 'e':
        if (!parse_hash(optarg, &a->expected_hash)) {
            return usage_error("--expect-hash wants a hex hash such as 0x1f2e..., got '%s'",
                               optarg);
        }
        a->expect = true;
        return EXIT_PASS;
    case 'k':
        a->kafka_version = optarg;
        return check_kafka_version(optarg);
    case 'D':
        a->db = optarg;
        return EXIT_PASS;
    case 'N':
        a->no_db = true;
        return EXIT_PASS;
    default:
        KS_ASSERT(false);
        return EXIT_INTERNAL;
    }
}

static int parse_run(int argc, char **argv, struct run_args *a)
{
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":s:S:d:t::e:k:hD:N", run_options, NULL)) != -1) {
        if (c == 'h') {
            print_usage();
            return -1;
        }
        if (c == ':') {
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        }
        if (c == '?' && optopt != 0 && strncmp(argv[optind - 1], "--", 2) != 0) {
            char flag[3] = {'-', (char)optopt, '\0'};
            return usage_error("unknown option '%s' for 'run'", flag);
        }
        if (c == '?') {
            return bad_option(argv[optind - 1]);
        }
        if (optarg != NULL && has_control(optarg)) {
            return usage_error("--%s wants one line of text, got a value with a control "
                               "character (a newline?)", flag_name(c));
        }
        int rc = parse_one(c, a);
        if (rc != EXIT_PASS) {
            return rc;
        }
    }
    size_t len = optind < argc ? strlen(argv[optind]) : 0;
    if (optind < argc && a->scenario == NULL && len > 4 &&
        strcmp(argv[optind] + len - 4, ".lua") == 0) {
        a->file = argv[optind++]; /* kraftsim run FILE.lua */
    }
    if (optind < argc) {
        /* `--trace raft`: the list belongs after an '=' (the flag's value is optional). */
        bool after_trace = optind > 1 && (strcmp(argv[optind - 1], "--trace") == 0 ||
                                          strcmp(argv[optind - 1], "-t") == 0);
        char message[320];
        snprintf(message, sizeof message, "unexpected argument '%%s' for 'run'%s",
                 after_trace ? " (a trace filter is given as --trace=KINDS)"
                             : " (a scenario file's name ends in .lua)");
        return usage_error(message, argv[optind]);
    }
    return EXIT_PASS;
}

/* The errno of the first failed write to stdout, 0 while every write succeeded. */
static int write_errno;

static bool flush_stdout(void)
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
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig) { stop_signal = sig; }

static void install_stop_handlers(void)
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
static int print_summary(const struct run_args *a, const char *scenario, const char *file,
                         const struct run_result *r)
{
    struct run_request q = {.scenario = scenario, .file = file, .seed = a->seed,
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

/* A Lua scenario's text: the file the user named, or one kraftsim ships. */
struct lua_source {
    char chunk[512];
    char *text;
    size_t len;
    bool shipped;
};

static int read_lua_file(const char *path, struct lua_source *src)
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

static int run_lua(const struct run_args *a, struct run_opts *opts, struct lua_source *src)
{
    struct run_result r = {0};
    lua_scenario_prepare(src->chunk, src->text, src->len, src->shipped, opts, &r);
    struct record rec = {0};
    if (r.config_error[0] == '\0') {
        char argv[800], err[700];
        snprintf(argv, sizeof argv, "kraftsim run %s%s --seed %" PRIu64 "%s%s",
                 src->shipped ? "--scenario " : "", src->shipped ? a->scenario : src->chunk,
                 a->seed, a->kafka_version != NULL ? " --kafka-version " : "",
                 a->kafka_version != NULL ? a->kafka_version : "");
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

static int cmd_run(int argc, char **argv)
{
    struct run_args a = {.seed = 1};
    int rc = parse_run(argc, argv, &a);
    if (rc != EXIT_PASS) {
        return rc < 0 ? EXIT_PASS : rc;
    }
    struct run_opts opts = {.seed = a.seed, .duration = a.duration, .trace_console = a.trace,
                            .out = stdout, .kafka_version = a.kafka_version,
                            .trace_filter = a.filtered ? &a.filter : NULL};
    struct lua_source src = {0};
    if (a.file != NULL) {
        rc = read_lua_file(a.file, &src);
        return rc != EXIT_PASS ? rc : run_lua(&a, &opts, &src);
    }
    if (a.scenario == NULL) {
        a.scenario = DEFAULT_SCENARIO; /* the seed deployment */
    }
    const struct shipped_file *shipped = shipped_scenario(a.scenario);
    if (shipped != NULL) {
        snprintf(src.chunk, sizeof src.chunk, "scenarios/%s", shipped->path);
        src.text = (char *)shipped->text;
        src.len = shipped->len;
        src.shipped = true;
        return run_lua(&a, &opts, &src);
    }
    const struct scenario *s = scenario_find(a.scenario);
    if (s == NULL) {
        return usage_error("no scenario named '%s' (see 'kraftsim list')", a.scenario);
    }
    struct run_result r = {0};
    /* A refused duration or configuration is one line, before any output. */
    if (scenario_duration_ok(s, &opts, &r) && s->prepare != NULL) {
        s->prepare(&opts, &r);
    }
    if (r.config_error[0] == '\0') {
        install_stop_handlers();
        printf("kraftsim %s: scenario %s, seed %" PRIu64 "\n", KRAFTSIM_VERSION, s->name,
               a.seed);
        if (!flush_stdout()) {
            return EXIT_INTERNAL; /* main reports the failed write; nothing is run */
        }
        memset(&r, 0, sizeof r);
        s->run(&opts, &r);
    }
    if (r.config_error[0] != '\0') {
        fflush(stdout);
        print_error_line(r.config_error, "");
        return EXIT_USAGE;
    }
    return print_summary(&a, s->name, NULL, &r);
}

static int cmd_list(void)
{
    const struct scenario *const *all = scenario_all();
    for (int i = 0; all[i] != NULL; i++) {
        if (shipped_scenario(all[i]->name) != NULL) {
            continue; /* its Lua version is listed below */
        }
        printf("%-18s %s\n", all[i]->name, all[i]->summary);
    }
    for (size_t i = 0; i < shipped_count(); i++) {
        const struct shipped_file *f = shipped_at(i);
        if (strncmp(f->path, "lib/", 4) == 0) {
            continue;
        }
        char name[256], summary[512];
        const char *base = strncmp(f->path, "lessons/", 8) == 0 ? f->path + 8 : f->path;
        snprintf(name, sizeof name, "%.*s", (int)(strlen(base) - 4), base);
        shipped_summary(f, summary, sizeof summary);
        printf("%-18s %s%s\n", name, summary,
               strcmp(name, DEFAULT_SCENARIO) == 0 && strstr(summary, "(default)") == NULL
                   ? " (default)"
                   : "");
    }
    return EXIT_PASS;
}

/* Prints `text` from column 4, wrapped before column 100 at spaces. */
static void print_wrapped(const char *text)
{
    const size_t width = 96;
    while (*text != '\0') {
        size_t n = strlen(text);
        if (n > width) {
            n = width;
            while (n > 0 && text[n] != ' ') {
                n--;
            }
            if (n == 0) {
                n = width;
            }
        }
        size_t shown = n;
        while (shown > 0 && text[shown - 1] == ' ') {
            shown--;
        }
        printf("    %.*s\n", (int)shown, text);
        text += n;
        while (*text == ' ') {
            text++;
        }
    }
}

/* `kraftsim switches`: every behaviour switch, what it models (with its Kafka source), and
 * its value in each KRaft release, so a reader can see which release does what. */
static int cmd_switches(void)
{
    size_t count = 0;
    const struct switch_info *info = switches_list(&count);
    for (size_t i = 0; i < count; i++) {
        printf("kraftsim.switch.%s\n    values: %s\n", info[i].name, info[i].values);
        if (!switch_modelled(i)) {
            printf("    not modelled yet: setting it is refused\n");
        }
        print_wrapped(info[i].doc);
        char line[512], value[32];
        struct text t = text_init(line, sizeof line);
        for (size_t r = 0; r < release_count(); r++) {
            const struct kafka_release *rel = release_at(r);
            if (!release_supports(rel, RELEASE_MODE_KRAFT)) {
                continue;
            }
            struct kafka_switches sw = switches_from_release(rel);
            bool spoken = switch_value(&sw, i, value, sizeof value) || !switch_modelled(i);
            text_printf(&t, "%s%s=%s", t.len > 0 ? "  " : "", rel->name,
                        spoken ? value : "none");
        }
        if (switch_modelled(i)) {
            print_wrapped(line);
        }
        printf("\n");
    }
    return EXIT_PASS;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "kraftsim: missing command (try 'kraftsim --help')\n");
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    bool help = strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0;
    bool version = strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0;
    if ((help || version) && argc > 2) {
        char message[128];
        snprintf(message, sizeof message, "'%s' takes no arguments, got '%%s'", cmd);
        return usage_error(message, argv[2]);
    }
    if (help) {
        print_usage();
        return EXIT_PASS;
    }
    if (version) {
        printf("kraftsim %s\n", KRAFTSIM_VERSION);
        return EXIT_PASS;
    }
    if (strcmp(cmd, "run") == 0) {
        return cmd_run(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "list") == 0) {
        return argc == 2 ? cmd_list() : usage_error("'list' takes no arguments, got '%s'",
                                                    argv[2]);
    }
    if (strcmp(cmd, "switches") == 0) {
        return argc == 2 ? cmd_switches()
                         : usage_error("'switches' takes no arguments, got '%s'", argv[2]);
    }
    if (strcmp(cmd, "replay") == 0) {
        if (argc != 3 || argv[2][0] == '-') {
            return usage_error("'replay' takes one run database, e.g. kraftsim replay "
                               "runs/latest.db%s", "");
        }
        return replay_main(argv[2], stdout);
    }
    if (strcmp(cmd, "render") == 0) {
        return render_main(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "story") == 0) {
        return story_main(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "report") == 0) {
        return report_main(argc - 1, argv + 1);
    }
    static const char *const later[] = {"sweep", "shrink", "lint"};
    for (size_t i = 0; i < sizeof later / sizeof later[0]; i++) {
        if (strcmp(cmd, later[i]) == 0) {
            fprintf(stderr, "kraftsim: '%s' is not yet implemented\n", cmd);
            return EXIT_USAGE;
        }
    }
    if (cmd[0] == '-') {
        return usage_error("unknown option '%s'", cmd);
    }
    return usage_error("unknown command '%s'", cmd);
}

int main(int argc, char **argv)
{
    int rc = dispatch(argc, argv);
    /* The verdict and hash are the output: if they could not be written (a full disk, a closed
     * stdout), that is an error, not a silent exit 0. */
    if (!flush_stdout()) {
        fprintf(stderr, "kraftsim: cannot write the output to stdout: %s\n",
                strerror(write_errno));
        return EXIT_INTERNAL;
    }
    return rc;
}
