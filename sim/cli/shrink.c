/* shrink.c — kraftsim shrink RUN.db: a failing run down to a small scenario that still fails. */
#include "cli/shrink.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "cli/record.h"
#include "cli/recorded.h"
#include "cli/run.h"
#include "shrink/shrink.h"
#include "sweep/pool.h"
#include "trace/db.h"

static const char usage[] =
    "usage: kraftsim shrink RUN.db [-o FILE.lua] [-j N]\n"
    "\n"
    "From a run that failed a check (its database, as kraftsim run or a sweep's failing seed\n"
    "left it), write the smallest scenario that still fails that check with that seed: the\n"
    "recorded script with a kraft.shrunk{...} call in front that keeps a shorter run, fewer\n"
    "nemesis faults, fewer nodes and shorter faults. Every candidate is a run of the seed;\n"
    "what is written was seen to fail.\n"
    "\n"
    "  -o, --output FILE   where to write it (default runs/shrink-<scenario>-seed<N>.lua)\n"
    "  -j, --jobs N        candidates at once (default: one per core)\n"
    "  -h, --help          show this help\n"
    "\n"
    "exit status: 0 a shrunk scenario was written, 1 the written scenario did not fail when\n"
    "run again, 2 usage, a file that is not a failed run, or a run that cannot be shrunk.\n";

struct shrink_args {
    const char *db;
    const char *output;
    int jobs;
};

static int parse_shrink(int argc, char **argv, struct shrink_args *a)
{
    static const struct option options[] = {{"output", required_argument, NULL, 'o'},
                                            {"jobs", required_argument, NULL, 'j'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:j:h", options, NULL)) != -1) {
        uint32_t n = 0;
        switch (c) {
        case 'o':
            a->output = optarg;
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
        case 'h':
            fputs(usage, stdout);
            return -1;
        case ':':
            return usage_error("shrink: %s wants a value", argv[optind - 1]);
        default:
            return usage_error("shrink: unknown option %s", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) {
        return usage_error("shrink takes one run database, e.g. kraftsim shrink "
                           "runs/latest.db%s", "");
    }
    a->db = argv[optind];
    return EXIT_PASS;
}

static void on_step(void *ctx, const struct shrink_step *st)
{
    (void)ctx;
    printf("  %s (%" PRIu64 " run%s)\n", st->line, st->runs, st->runs == 1 ? "" : "s");
    fflush(stdout);
}

/* The recorded run: EXIT_PASS with run filled (its text to free), or EXIT_USAGE after a line. */
static int load_run(const char *path, struct recorded_run *run)
{
    char err[700];
    sqlite3 *db = run_db_open_read(path, err, sizeof err);
    if (db == NULL) {
        print_error_line(err, "");
        return EXIT_USAGE;
    }
    bool ok = recorded_run_read(db, path, run, err, sizeof err);
    sqlite3_close(db);
    if (!ok) {
        free(run->text);
        run->text = NULL;
        print_error_line(err, "");
        return EXIT_USAGE;
    }
    if (!run->complete) {
        char line[700];
        snprintf(line, sizeof line, "%s: the run was cut short (complete = 0); shrink a run "
                 "that finished", path);
        print_error_line(line, "");
        return EXIT_USAGE;
    }
    return EXIT_PASS;
}

static bool write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    bool ok = f != NULL && fputs(text, f) >= 0;
    ok = f != NULL && fclose(f) == 0 && ok;
    if (!ok) {
        char line[760];
        snprintf(line, sizeof line, "shrink: cannot write %s", path);
        print_error_line(line, "");
    }
    return ok;
}

/* "wrote FILE: 1 of 20 faults, 24.1 s of 40 s, 3 of 5 nodes", then the faults it keeps. */
static void print_kept(const struct shrink *s, const char *path)
{
    const struct shrink_case *k = &s->best;
    const struct run_capture *c = &s->capture;
    printf("wrote %s: %d of %d fault%s", path, k->fault_count, fault_log_kept(&c->nemesis),
           fault_log_kept(&c->nemesis) == 1 ? "" : "s");
    if (k->duration > 0) {
        char now[32], was[32];
        shrink_format_seconds(k->duration, now, sizeof now);
        shrink_format_seconds(c->duration, was, sizeof was);
        printf(", %s s of %s s", now, was);
    }
    if (k->cluster) {
        printf(", %d of %d nodes", k->combined + k->controllers + k->brokers,
               c->combined + c->controllers + c->brokers);
    }
    printf("\n");
    for (int f = 0; f < k->fault_count; f++) {
        const struct lua_shrunk_fault *e = &k->faults[f];
        printf("  %12.6f s ", (double)e->at / NS_PER_S);
        if (e->length >= 0) {
            printf("for %.3f s", (double)e->length / NS_PER_S);
        } else {
            printf("to the end ");
        }
        printf("  %-13s %s\n", e->kind, e->targets);
    }
}

static int shrink_and_write(struct shrink *s, const struct shrink_args *a, const char *path)
{
    printf("kraftsim %s: shrink %s: %s, seed %" PRIu64 "%s%s\n", KRAFTSIM_VERSION, a->db,
           s->chunk, s->seed, s->kafka_version ? ", Kafka " : "",
           s->kafka_version ? s->kafka_version : "");
    fflush(stdout);
    if (!shrink_run(s)) {
        char line[700];
        snprintf(line, sizeof line, "shrink: %s", s->error);
        print_error_line(line, "");
        return EXIT_USAGE;
    }
    char *text = shrink_script(s, &s->best, path, a->db);
    if (!write_file(path, text)) {
        free(text);
        return EXIT_INTERNAL;
    }
    /* What was written is run once more, as the user will run it. */
    struct run_result r;
    int rc = shrink_try(s, path, text, &r);
    free(text);
    const struct checker_count *k = run_result_checker(&r, s->checker);
    print_kept(s, path);
    if (rc != EXIT_VIOLATION || k == NULL) {
        printf("but run again it does not fail %s (exit %d): a shrink that does not hold; "
               "please report it\n", s->checker, rc);
        return EXIT_VIOLATION;
    }
    char flags[1200];
    shrink_config_flags(s, flags, sizeof flags);
    printf("run again, it fails %s:\n  %s\nrun it: kraftsim run %s%s --seed %" PRIu64 "\n",
           s->checker, k->first, path, flags, s->seed);
    return EXIT_PASS;
}

int shrink_main(int argc, char **argv)
{
    struct shrink_args a = {.jobs = sweep_pool_default_jobs()};
    int rc = parse_shrink(argc, argv, &a);
    if (rc != EXIT_PASS) {
        return rc < 0 ? EXIT_PASS : rc;
    }
    struct recorded_run run;
    memset(&run, 0, sizeof run);
    rc = load_run(a.db, &run);
    if (rc != EXIT_PASS) {
        free(run.text);
        return rc;
    }
    char chunk[600], name[256], path[700];
    recorded_run_chunk(&run, chunk, sizeof chunk);
    record_base_name(run.scenario, name, sizeof name);
    snprintf(path, sizeof path, "runs/shrink-%s-seed%" PRIu64 ".lua", name, run.seed);
    static struct shrink s; /* large: a capture and two cases */
    s = (struct shrink){.chunk = chunk, .text = run.text, .len = run.len,
                        .shipped = run.shipped, .seed = run.seed,
                        .kafka_version = run.kafka_version[0] ? run.kafka_version : NULL,
                        .duration = run.duration, .jobs = a.jobs, .progress = on_step,
                        .config_files = run.config_files,
                        .config_file_count = run.config_file_count};
    if (a.output == NULL && mkdir("runs", 0777) != 0 && errno != EEXIST) {
        print_error_line("shrink: cannot make the folder runs/ for the scenario", "");
        free(run.text);
        return EXIT_INTERNAL;
    }
    rc = shrink_and_write(&s, &a, a.output != NULL ? a.output : path);
    free(run.text);
    return rc;
}
