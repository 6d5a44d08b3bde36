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
#include "cli/run.h"
#include "cli/check.h"
#include "cli/lint.h"
#include "cli/shrink.h"
#include "cli/sweep.h"
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

static const char usage_head[] =
    "usage: kraftsim <command> [options]\n"
    "\n"
    "Deterministic simulator and test harness for Apache Kafka clusters in KRaft mode.\n"
    "\n"
    "commands:\n"
    "  run       run a scenario for one seed and print its verdict and trace hash:\n"
    "            kraftsim run FILE.lua [options], or kraftsim run --scenario NAME [options],\n"
    "            or kraftsim run --config FILE... (your deployment's own files)\n"
    "  replay    re-run a recorded run (its database) and compare it event by event\n"
    "  render    draw a run's leadership timeline: kraftsim render RUN.db -o FILE.svg|png\n"
    "            [--window FROM..TO]; --messages draws the window's messages instead\n"
    "  story     tell a run in sentences: kraftsim story RUN.db\n"
    "  report    write one HTML page of a run: kraftsim report RUN.db -o DIR\n"
    "  sweep     run a scenario over many seeds in parallel workers: kraftsim sweep\n"
    "            FILE.lua|--scenario NAME --seeds A..B [-j N] [--shard I/N] [--junit FILE]\n"
    "  merge     one report of a sharded sweep: kraftsim merge SHARD.db...\n"
    "  shrink    from a failed run, the smallest scenario that still fails the same check:\n"
    "            kraftsim shrink RUN.db [-o FILE.lua]\n"
    "  lint      read a deployment's own files (server.properties, Docker Compose, Kubernetes,\n"
    "            zoo.cfg) and say what will break: kraftsim lint FILE...\n"
    "  check     run that deployment through crashes, partitions and power loss and say\n"
    "            which guarantees hold: kraftsim check FILE... [--seeds N]\n"
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
    "  -c, --config FILE      a file of your deployment (again for each: server.properties,\n"
    "                         Docker Compose, Kubernetes); kraft.load() builds the cluster\n"
    "                         from them, and without a scenario the 'deployment' scenario\n"
    "                         runs on it (see kraftsim lint)\n"
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

static const struct option run_options[] = {
    {"seed", required_argument, NULL, 's'},     {"scenario", required_argument, NULL, 'S'},
    {"duration", required_argument, NULL, 'd'}, {"trace", optional_argument, NULL, 't'},
    {"expect-hash", required_argument, NULL, 'e'}, {"help", no_argument, NULL, 'h'},
    {"kafka-version", required_argument, NULL, 'k'},
    {"db", required_argument, NULL, 'D'},         {"no-db", no_argument, NULL, 'N'},
    {"config", required_argument, NULL, 'c'},
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
    case 'c':
        if (a->config_file_count == (int)(sizeof a->config_files / sizeof a->config_files[0])) {
            return usage_error("--config: at most 32 files, got '%s' past them", optarg);
        }
        a->config_files[a->config_file_count++] = optarg;
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
    while ((c = getopt_long(argc, argv, ":s:S:d:t::e:k:hD:Nc:", run_options, NULL)) != -1) {
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

static int cmd_run(int argc, char **argv)
{
    struct run_args a = {.seed = 1};
    int rc = parse_run(argc, argv, &a);
    if (rc != EXIT_PASS) {
        return rc < 0 ? EXIT_PASS : rc;
    }
    struct run_opts opts = {.seed = a.seed, .duration = a.duration, .trace_console = a.trace,
                            .out = stdout, .kafka_version = a.kafka_version,
                            .trace_filter = a.filtered ? &a.filter : NULL,
                            .config_files = a.config_files,
                            .config_file_count = a.config_file_count};
    struct lua_source src = {0};
    if (a.file != NULL) {
        rc = read_lua_file(a.file, &src);
        return rc != EXIT_PASS ? rc : run_lua(&a, &opts, &src, NULL);
    }
    if (a.scenario == NULL) {
        /* the seed deployment, or with --config the operator's own */
        a.scenario = a.config_file_count > 0 ? "deployment" : DEFAULT_SCENARIO;
    }
    const struct shipped_file *shipped = shipped_scenario(a.scenario);
    if (shipped != NULL) {
        snprintf(src.chunk, sizeof src.chunk, "scenarios/%s", shipped->path);
        src.text = (char *)shipped->text;
        src.len = shipped->len;
        src.shipped = true;
        return run_lua(&a, &opts, &src, NULL);
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
    if (strcmp(cmd, "sweep") == 0) {
        return sweep_main(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "shrink") == 0) {
        return shrink_main(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "merge") == 0) {
        return merge_main(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "lint") == 0) {
        return lint_main(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "check") == 0) {
        return check_main(argc - 1, argv + 1);
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
