/* main.c — the kraftsim command line. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"
#include "trace/trace.h"

#ifndef KRAFTSIM_VERSION
#define KRAFTSIM_VERSION "dev"
#endif

enum exit_code { EXIT_PASS = 0, EXIT_VIOLATION = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

static const char usage_text[] =
    "usage: kraftsim <command> [options]\n"
    "\n"
    "Deterministic simulator and test harness for Apache Kafka clusters in KRaft mode.\n"
    "\n"
    "commands:\n"
    "  run       run a scenario for one seed and print its verdict and trace hash\n"
    "  list      list the built-in scenarios\n"
    "  sweep     run many seeds                        (not yet implemented)\n"
    "  replay    re-run a recorded trace and compare   (not yet implemented)\n"
    "  render    draw a leadership timeline            (not yet implemented)\n"
    "  report    write an HTML report of a trace       (not yet implemented)\n"
    "  shrink    minimise a failing seed's faults      (not yet implemented)\n"
    "  lint      check a scenario or config file       (not yet implemented)\n"
    "\n"
    "run options:\n"
    "  -s, --seed N           the run seed (default 1); the same seed gives the same run\n"
    "  -S, --scenario NAME    a built-in scenario (default: the demo scenario)\n"
    "  -d, --duration TIME    virtual time to run, e.g. 30s, 500ms, 2m (default: scenario's)\n"
    "  -t, --trace            print every trace event (time, host, kind, detail)\n"
    "  -e, --expect-hash HEX  exit 1 unless the trace hash equals HEX\n"
    "  -k, --kafka-version V  the Kafka release every node runs: 3.1 3.4 3.5 3.7 3.9 4.0 4.1\n"
    "                         trunk (default: trunk, the newest)\n"
    "\n"
    "  -h, --help             show this help\n"
    "  -V, --version          show the version\n"
    "\n"
    "exit status: 0 all checks passed, 1 a check found a violation, 2 usage, scenario or\n"
    "config error, 3 internal error (an assertion failed; the message names seed and time).\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "kraftsim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (try 'kraftsim --help')\n");
    return EXIT_USAGE;
}

static bool parse_u64(const char *text, uint64_t *out)
{
    if (text[0] == '\0' || text[0] == '-') {
        return false;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno != 0 || *end != '\0') {
        return false;
    }
    *out = v;
    return true;
}

/* "15" and "15s" are seconds; "ms", "us", "ns", "m" and "h" suffixes scale. */
static bool parse_duration(const char *text, time_ns *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno != 0 || end == text || v <= 0) {
        return false;
    }
    static const struct {
        const char *suffix;
        int64_t scale;
    } units[] = {{"", NS_PER_S},        {"s", NS_PER_S},  {"ms", NS_PER_MS},
                 {"us", NS_PER_US},     {"ns", 1},        {"m", 60 * NS_PER_S},
                 {"h", 3600 * NS_PER_S}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].suffix) == 0) {
            if (v > INT64_MAX / units[i].scale) {
                return false;
            }
            *out = (time_ns)v * units[i].scale;
            return true;
        }
    }
    return false;
}

struct run_args {
    uint64_t seed;
    const char *scenario;
    time_ns duration;
    bool trace;
    bool expect;
    uint64_t expected_hash;
    const char *kafka_version;
};

static int parse_run(int argc, char **argv, struct run_args *a)
{
    static const struct option options[] = {
        {"seed", required_argument, NULL, 's'},     {"scenario", required_argument, NULL, 'S'},
        {"duration", required_argument, NULL, 'd'}, {"trace", no_argument, NULL, 't'},
        {"expect-hash", required_argument, NULL, 'e'}, {"help", no_argument, NULL, 'h'},
        {"kafka-version", required_argument, NULL, 'k'},
        {NULL, 0, NULL, 0}};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":s:S:d:te:k:h", options, NULL)) != -1) {
        switch (c) {
        case 's':
            if (!parse_u64(optarg, &a->seed)) {
                return usage_error("--seed wants a non-negative integer, got '%s'", optarg);
            }
            break;
        case 'S':
            a->scenario = optarg;
            break;
        case 'd':
            if (!parse_duration(optarg, &a->duration)) {
                return usage_error("--duration wants a time such as 30s or 500ms, got '%s'",
                                   optarg);
            }
            break;
        case 't':
            a->trace = true;
            break;
        case 'e':
            if (!parse_u64(optarg, &a->expected_hash)) {
                return usage_error("--expect-hash wants a hash such as 0x1f2e..., got '%s'",
                                   optarg);
            }
            a->expect = true;
            break;
        case 'k':
            a->kafka_version = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return -1;
        case ':':
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s' for 'run'", argv[optind - 1]);
        }
    }
    if (optind < argc) {
        return usage_error("unexpected argument '%s' for 'run'", argv[optind]);
    }
    return EXIT_PASS;
}

static int cmd_run(int argc, char **argv)
{
    struct run_args a = {.seed = 1};
    int rc = parse_run(argc, argv, &a);
    if (rc != EXIT_PASS) {
        return rc < 0 ? EXIT_PASS : rc;
    }
    const struct scenario *s = a.scenario ? scenario_find(a.scenario) : scenario_default();
    if (s == NULL) {
        return usage_error("no scenario named '%s' (see 'kraftsim list')", a.scenario);
    }
    struct run_opts opts = {.seed = a.seed, .duration = a.duration, .trace_console = a.trace,
                            .out = stdout, .kafka_version = a.kafka_version};
    struct run_result r = {0};
    if (s->prepare != NULL) {
        s->prepare(&opts, &r); /* a refused configuration is one line, before any output */
    }
    if (r.config_error[0] == '\0') {
        printf("kraftsim %s: scenario %s, seed %" PRIu64 "\n", KRAFTSIM_VERSION, s->name,
               a.seed);
        fflush(stdout);
        memset(&r, 0, sizeof r);
        s->run(&opts, &r);
    }
    if (r.config_error[0] != '\0') {
        fflush(stdout);
        fprintf(stderr, "kraftsim: %s\n", r.config_error);
        return EXIT_USAGE;
    }

    char when[32];
    trace_format_time(r.virtual_end, when, sizeof when);
    printf("virtual time reached: %s s\n", when + strspn(when, " "));
    printf("events: %" PRIu64 " scheduled, %" PRIu64 " traced\n", r.sched_events,
           r.trace_events);
    printf("trace hash: 0x%016" PRIx64 "\n", r.trace_hash);
    if (r.violations > 0) {
        printf("verdict: FAIL (%u violations; first: %s)\n", r.violations, r.first_violation);
        return EXIT_VIOLATION;
    }
    if (a.expect && a.expected_hash != r.trace_hash) {
        printf("verdict: FAIL (trace hash 0x%016" PRIx64 " differs from expected 0x%016" PRIx64
               ")\n", r.trace_hash, a.expected_hash);
        return EXIT_VIOLATION;
    }
    printf("verdict: PASS (0 violations)\n");
    return EXIT_PASS;
}

static int cmd_list(void)
{
    const struct scenario *const *all = scenario_all();
    for (int i = 0; all[i] != NULL; i++) {
        printf("%-12s %s%s\n", all[i]->name, all[i]->summary,
               all[i] == scenario_default() ? " (default)" : "");
    }
    return EXIT_PASS;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "kraftsim: missing command (try 'kraftsim --help')\n");
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return EXIT_PASS;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
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
    static const char *const later[] = {"sweep", "replay", "render", "report", "shrink", "lint"};
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
