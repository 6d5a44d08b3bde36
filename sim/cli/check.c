/* check.c — kraftsim check FILE...: which guarantees a deployment keeps, in words. */
#include "cli/check.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/run.h"
#include "deploy/lint.h"
#include "lua/runtime.h"
#include "lua/shipped.h"
#include "scenario/verdict.h"
#include "sweep/pool.h"

/*
 * Each guarantee is a shipped scenario that loads the deployment (kraft.load) and runs one
 * kind of trouble against a producer with acks=all and a consumer: its first comment line is
 * the guarantee, its second ("-- if not: ...") what it takes to break it. Every one runs on
 * seeds 1..N in forked workers; a guarantee holds when every seed passes, and a failing one
 * names its first seed and the command that replays it.
 */

static const char *const guarantees[] = {"deployment-crash", "deployment-partition",
                                         "deployment-power", "deployment"};
#define GUARANTEES (sizeof guarantees / sizeof guarantees[0])

static const char usage[] =
    "usage: kraftsim check FILE... [--seeds N] [-j N] [-k VERSION]\n"
    "\n"
    "Run the deployment the files describe (as kraftsim lint reads them) through each kind of\n"
    "trouble, N seeds each, with a producer (acks=all, idempotent) and a consumer, and say\n"
    "which guarantees hold: acknowledged writes surviving brokers crashing, network partitions,\n"
    "every node losing power at once, and a mix of faults with the cluster recovering after.\n"
    "\n"
    "  -n, --seeds N          seeds per guarantee (default 10)\n"
    "  -j, --jobs N           runs at once (default: one per core)\n"
    "  -k, --kafka-version V  the release the nodes run (default: the files', else the newest)\n"
    "  -h, --help             show this help\n"
    "\n"
    "exit status: 0 every guarantee holds, 1 one does not (its seed and replay command are\n"
    "printed), 2 a file that cannot be read, a usage error, or a ZooKeeper-mode deployment\n"
    "(kraftsim lint reads those; simulating ZooKeeper mode comes later).\n";

struct check_args {
    const char *files[32];
    int file_count;
    uint32_t seeds;
    int jobs;
    const char *version;
};

struct guarantee_result {
    uint64_t passed, failed;
    uint64_t first_seed; /* the lowest failing seed, 0 if none */
    char first[520];     /* its first violation */
    char error[520];     /* a scenario error, if a seed stopped with one */
};

struct check_state {
    const struct check_args *a;
    struct guarantee_result results[GUARANTEES];
};

static int parse_check(int argc, char **argv, struct check_args *a)
{
    static const struct option options[] = {{"seeds", required_argument, NULL, 'n'},
                                            {"jobs", required_argument, NULL, 'j'},
                                            {"kafka-version", required_argument, NULL, 'k'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":n:j:k:h", options, NULL)) != -1) {
        uint32_t n = 0;
        switch (c) {
        case 'n':
            if (count_flag("--seeds", optarg, 10000, &a->seeds) != EXIT_PASS) {
                return EXIT_USAGE;
            }
            if (a->seeds == 0) {
                return usage_error("--seeds wants 1 or more, got %s", optarg);
            }
            break;
        case 'j':
            if (count_flag("--jobs", optarg, 64, &n) != EXIT_PASS) {
                return EXIT_USAGE;
            }
            if (n == 0) {
                return usage_error("--jobs wants 1 or more, got %s", optarg);
            }
            a->jobs = (int)n;
            break;
        case 'k':
            if (check_kafka_version(optarg) != EXIT_PASS) {
                return EXIT_USAGE;
            }
            a->version = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        case ':':
            return usage_error("check: %s wants a value", argv[optind - 1]);
        default:
            return usage_error("check: unknown option %s", argv[optind - 1]);
        }
    }
    if (optind == argc || argc - optind > 32) {
        return usage_error("check takes the deployment's files (1 to 32), e.g. kraftsim check "
                           "node1/server.properties node2/server.properties%s", "");
    }
    for (int i = optind; i < argc; i++) {
        a->files[a->file_count++] = argv[i];
    }
    return EXIT_PASS;
}

/* In the worker: run `index` is guarantee index / seeds, on seed index % seeds + 1. */
static int run_guarantee(void *ctx, uint64_t index, struct run_result *r)
{
    const struct check_state *st = ctx;
    const struct check_args *a = st->a;
    const char *name = guarantees[index / a->seeds];
    const struct shipped_file *f = shipped_scenario(name);
    char chunk[300];
    snprintf(chunk, sizeof chunk, "scenarios/%s", f->path);
    struct run_opts opts = {.seed = index % a->seeds + 1, .out = stdout,
                            .kafka_version = a->version, .config_files = a->files,
                            .config_file_count = a->file_count};
    lua_scenario_run(chunk, f->text, f->len, true, &opts, r);
    return r->config_error[0] != '\0' ? EXIT_USAGE : r->violations > 0 ? EXIT_VIOLATION
                                                                         : EXIT_PASS;
}

static bool took(void *ctx, const struct sweep_outcome *o)
{
    struct check_state *st = ctx;
    uint64_t seed = o->seed % st->a->seeds + 1;
    struct guarantee_result *g = &st->results[o->seed / st->a->seeds];
    if (o->exit_code == EXIT_PASS) {
        g->passed++;
        return true;
    }
    g->failed++;
    if (o->exit_code == EXIT_USAGE) {
        snprintf(g->error, sizeof g->error, "%s", o->r.config_error);
    }
    if (g->first_seed == 0 || seed < g->first_seed) {
        g->first_seed = seed;
        snprintf(g->first, sizeof g->first, "%s",
                 o->exit_code == EXIT_VIOLATION ? o->r.first_violation
                 : o->exit_code == EXIT_USAGE   ? o->r.config_error
                                                : "the run crashed (an internal error)");
    }
    return o->exit_code != EXIT_USAGE; /* a scenario error stops the check */
}

/* A scenario's comment line `n` (1-based) without its "-- " and a trailing "(...)" note. */
static void comment_line(const char *text, int n, char *buf, size_t cap)
{
    for (int i = 1; i < n && text != NULL; i++) {
        text = strchr(text, '\n');
        text = text != NULL ? text + 1 : NULL;
    }
    buf[0] = '\0';
    if (text == NULL || strncmp(text, "-- ", 3) != 0) {
        return;
    }
    size_t len = strcspn(text + 3, "\n");
    snprintf(buf, cap, "%.*s", (int)len, text + 3);
    char *note = strstr(buf, " (");
    if (note != NULL && strchr(note, ')') != NULL && strchr(note, ')')[1] == '\0') {
        *note = '\0'; /* "(kraftsim check; needs --config)": how to run it, not what it says */
    }
}

static void replay_of(const struct check_args *a, const char *name, uint64_t seed, char *buf,
                      size_t cap)
{
    struct run_request q = {.scenario = name, .seed = seed, .kafka_version = a->version,
                            .config_files = a->files, .config_file_count = a->file_count};
    verdict_replay_command(&q, buf, cap);
}

static int report(const struct check_state *st)
{
    int broken = 0;
    for (size_t g = 0; g < GUARANTEES; g++) {
        const struct guarantee_result *r = &st->results[g];
        const struct shipped_file *f = shipped_scenario(guarantees[g]);
        char what[400], if_not[400];
        comment_line(f->text, 1, what, sizeof what);
        comment_line(f->text, 2, if_not, sizeof if_not);
        if (strncmp(if_not, "if not: ", 8) != 0) {
            if_not[0] = '\0';
        }
        if (r->error[0] != '\0') {
            print_error_line(r->error, "");
            return EXIT_USAGE;
        }
        if (r->failed == 0) {
            printf("%s: yes (%" PRIu64 " of %" PRIu64 " seeds)\n", what, r->passed, r->passed);
            continue;
        }
        broken++;
        char replay[1200];
        replay_of(st->a, guarantees[g], r->first_seed, replay, sizeof replay);
        printf("%s: no, on %" PRIu64 " of %" PRIu64 " seeds; seed %" PRIu64 " shows it\n", what,
               r->failed, r->failed + r->passed, r->first_seed);
        if (if_not[0] != '\0') {
            printf("  %s\n", if_not + strlen("if not: "));
        }
        printf("  %s\n  replay: %s\n", r->first, replay);
    }
    printf("verdict: %s\n", broken == 0 ? "every guarantee held on every seed"
                                        : broken == 1 ? "1 guarantee does not hold"
                                                      : "some guarantees do not hold");
    return broken == 0 ? EXIT_PASS : EXIT_VIOLATION;
}

int check_main(int argc, char **argv)
{
    struct check_args a = {.seeds = 10, .jobs = sweep_pool_default_jobs()};
    int rc = parse_check(argc, argv, &a);
    if (rc != EXIT_PASS) {
        return rc < 0 ? EXIT_PASS : rc;
    }
    static struct deployment d;
    if (!deploy_load(&d, a.files, a.file_count)) {
        print_error_line(d.error, "");
        return EXIT_USAGE;
    }
    if (!deploy_kraft(&d)) {
        char line[600];
        snprintf(line, sizeof line, "check: %s describes a ZooKeeper-mode cluster; kraftsim lint "
                 "reads it, and simulating ZooKeeper mode comes later", a.files[0]);
        print_error_line(line, "");
        return EXIT_USAGE;
    }
    static struct lint_report lint;
    bool ok = lint_run(&d, a.version, &lint);
    lint_free(&lint);
    if (!ok) {
        print_error_line(lint.error, "");
        return EXIT_USAGE;
    }
    printf("kraftsim %s: check %s%s: %d nodes, Kafka %s (%s); lint: %d finding%s; %u seeds a "
           "guarantee, %d job%s\n", KRAFTSIM_VERSION, a.files[0], a.file_count > 1 ? " ..." : "",
           d.node_count, lint.release->name, lint.release_from, lint.count,
           lint.count == 1 ? "" : "s", a.seeds, a.jobs, a.jobs == 1 ? "" : "s");
    fflush(stdout);
    static struct check_state st;
    st = (struct check_state){.a = &a};
    uint64_t total = (uint64_t)a.seeds * GUARANTEES;
    uint64_t *runs = malloc(total * sizeof *runs);
    KS_ASSERT(runs != NULL);
    for (uint64_t i = 0; i < total; i++) {
        runs[i] = i;
    }
    install_stop_handlers();
    struct sweep_pool pool = {.jobs = a.jobs, .run = run_guarantee, .run_ctx = &st,
                              .done = took, .done_ctx = &st, .stop = &stop_signal};
    sweep_pool_run(&pool, runs, total);
    free(runs);
    if (stop_signal != 0) {
        return EXIT_SIGNAL_BASE + stop_signal;
    }
    return report(&st);
}
