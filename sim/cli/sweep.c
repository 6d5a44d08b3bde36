/* sweep.c — `kraftsim sweep`: one scenario over a range of seeds, in forked workers, with a
 * progress line, a closing table, a sweep database and JUnit; `kraftsim merge`: shards' sweep
 * databases as one. */
#include "cli/sweep.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/duration.h"
#include "cli/record.h"
#include "cli/run.h"
#include "cli/wall_clock.h"
#include "lua/shipped.h"
#include "scenario/verdict.h"
#include "sweep/pool.h"
#include "sweep/report.h"
#include "sweep/seeds.h"
#include "sweep/sweep_db.h"
#include "text.h"

static const char sweep_usage[] =
    "usage: kraftsim sweep FILE.lua|--scenario NAME|--swarm --seeds A..B [options]\n"
    "\n"
    "Runs the scenario once per seed, each in a process of its own, and reports every\n"
    "failure with the command that replays it.\n"
    "\n"
    "  -S, --scenario NAME    a shipped scenario (see 'kraftsim list')\n"
    "      --swarm            the swarm scenario: each seed draws its cluster, release and\n"
    "                         faults (the table counts how often each fault was drawn)\n"
    "      --seeds A..B       the seeds, both included (or one seed, A)\n"
    "  -j, --jobs N           seeds at once (default: one per core)\n"
    "      --shard I/N        only the seeds whose place in A..B is I modulo N, from 0\n"
    "                         (N machines, 0/N to N-1/N, run every seed once between them)\n"
    "      --recheck P        run P%% of the passing seeds again and fail the sweep if a\n"
    "                         trace hash differs (default 5; 0 turns it off)\n"
    "      --junit FILE       write JUnit XML, one test case per seed\n"
    "      --dry-run          print the seeds this sweep (or shard) would run, one a line,\n"
    "                         and run none\n"
    "      --db FILE          the sweep database (default runs/sweep-<scenario>.db); a\n"
    "                         failing seed's full run database goes next to it, in\n"
    "                         runs/sweep-<scenario>/\n"
    "  -k, --kafka-version V  the Kafka release every node runs\n"
    "  -d, --duration TIME    virtual time of each run (default: the scenario's)\n"
    "  -h, --help             show this help\n"
    "\n"
    "exit status: 0 every seed passed, 1 a seed failed (or a recheck differed), 2 usage or\n"
    "scenario error, 130 or 143 interrupted (the table covers the seeds that finished).\n";

struct sweep_args {
    struct run_args run; /* scenario, file, kafka_version, duration */
    struct sweep_seeds seeds;
    bool have_seeds, have_shard, dry_run;
    int jobs;
    uint32_t recheck;
    const char *junit;
    const char *db;
};

static const struct option sweep_options[] = {
    {"scenario", required_argument, NULL, 'S'}, {"seeds", required_argument, NULL, 'R'},
    {"jobs", required_argument, NULL, 'j'},     {"shard", required_argument, NULL, 'H'},
    {"recheck", required_argument, NULL, 'C'},  {"junit", required_argument, NULL, 'J'},
    {"db", required_argument, NULL, 'D'},       {"kafka-version", required_argument, NULL, 'k'},
    {"duration", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'},
    {"dry-run", no_argument, NULL, 'n'},        {"swarm", no_argument, NULL, 'W'},
    {NULL, 0, NULL, 0}};

/* "--seeds wants A..B ..., got 'x'": a flag's value refused with the parser's reason. */
static int refused(const char *flag, const char *why, const char *value)
{
    char message[200];
    snprintf(message, sizeof message, "%s %s, got '%%s'", flag, why);
    return usage_error(message, value);
}

static int parse_sweep_one(int c, struct sweep_args *a)
{
    const char *why = NULL;
    uint32_t n = 0;
    switch (c) {
    case 'S':
    case 'W':
        if (a->run.scenario != NULL) {
            return usage_error("sweep takes one scenario: --swarm is --scenario swarm%s", "");
        }
        a->run.scenario = c == 'W' ? "swarm" : optarg;
        return EXIT_PASS;
    case 'R':
        a->have_seeds = sweep_seeds_parse_range(optarg, &a->seeds, &why);
        return a->have_seeds ? EXIT_PASS : refused("--seeds", why, optarg);
    case 'H':
        a->have_shard = sweep_seeds_parse_shard(optarg, &a->seeds, &why);
        return a->have_shard ? EXIT_PASS : refused("--shard", why, optarg);
    case 'j': {
        int rc = count_flag("--jobs", optarg, 1024, &n);
        a->jobs = (int)n;
        return rc != EXIT_PASS ? rc : n == 0 ? usage_error("--jobs wants 1 or more, got %s",
                                                            optarg) : EXIT_PASS;
    }
    case 'C':
        return count_flag("--recheck", optarg, 100, &a->recheck);
    case 'J':
        a->junit = optarg;
        return EXIT_PASS;
    case 'n':
        a->dry_run = true;
        return EXIT_PASS;
    case 'D':
        a->db = optarg;
        return EXIT_PASS;
    case 'k':
        a->run.kafka_version = optarg;
        return check_kafka_version(optarg);
    case 'd':
        if (!duration_parse(optarg, strlen(optarg), false, &a->run.duration)) {
            return usage_error("--duration wants a virtual time such as 30s, 2m or 1h, got "
                               "'%s'", optarg);
        }
        return EXIT_PASS;
    default:
        return EXIT_USAGE; /* parse_sweep has said why */
    }
}

static int parse_sweep(int argc, char **argv, struct sweep_args *a)
{
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":S:j:k:d:h", sweep_options, NULL)) != -1) {
        if (c == 'h') {
            printf(sweep_usage);
            return -1;
        }
        if (c == ':') {
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        }
        if (c == '?') {
            return usage_error("unknown option '%s' for 'sweep'", argv[optind - 1]);
        }
        int rc = parse_sweep_one(c, a);
        if (rc != EXIT_PASS) {
            return rc;
        }
    }
    size_t len = optind < argc ? strlen(argv[optind]) : 0;
    if (optind < argc && a->run.scenario == NULL && len > 4 &&
        strcmp(argv[optind] + len - 4, ".lua") == 0) {
        a->run.file = argv[optind++];
    }
    if (optind < argc) {
        return usage_error("unexpected argument '%s' for 'sweep' (a scenario file's name ends "
                           "in .lua)", argv[optind]);
    }
    if (a->run.file == NULL && a->run.scenario == NULL) {
        return usage_error("sweep wants a scenario: FILE.lua or --scenario NAME%s", "");
    }
    if (!a->have_seeds) {
        return usage_error("sweep wants its seeds: --seeds A..B, e.g. --seeds 1..1000%s", "");
    }
    return EXIT_PASS;
}

/* ---- one seed, in a worker ------------------------------------------------------------------ */

struct seed_job {
    const struct sweep_args *a;
    const struct lua_source *src;
    const char *db_dir; /* NULL: no run database; else a failing seed's rerun writes one here */
    const char *name;   /* the scenario's base name, for the run database's file */
};

static void seed_db_path(const struct seed_job *j, uint64_t seed, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/%s-seed%" PRIu64 ".db", j->db_dir, j->name, seed);
}

static int run_seed(void *ctx, uint64_t seed, struct run_result *r)
{
    const struct seed_job *j = ctx;
    struct run_args a = j->a->run;
    a.seed = seed;
    char path[700];
    if (j->db_dir != NULL) {
        seed_db_path(j, seed, path, sizeof path);
        a.db = path;
    } else {
        a.no_db = true;
    }
    struct run_opts opts = {.seed = seed, .duration = a.duration, .out = stdout,
                            .kafka_version = a.kafka_version};
    struct lua_source src = *j->src; /* this process's own: run_lua frees a file's text */
    return run_lua(&a, &opts, &src, r);
}

/* ---- progress ------------------------------------------------------------------------------ */

static double now_s(void) { return wall_clock_seconds(); }

struct progress {
    const char *phase;
    uint64_t total, done, failed;
    double started, last_shown;
    bool tty;
    bool shown; /* a bar is on the terminal's last line */
};

static void progress_show(struct progress *p, bool final)
{
    double now = now_s();
    double every = p->tty ? 0.1 : 10.0;
    if (!final && now - p->last_shown < every) {
        return;
    }
    p->last_shown = now;
    double rate = now > p->started ? (double)p->done / (now - p->started) : 0;
    double eta = rate > 0 ? (double)(p->total - p->done) / rate : 0;
    if (p->tty) {
        int width = 30;
        int full = p->total > 0 ? (int)((double)width * (double)p->done / (double)p->total) : 0;
        fprintf(stderr, "\r%s [%.*s%.*s] %" PRIu64 "/%" PRIu64 " failed %" PRIu64
                " %.1f seeds/s ETA %.0f s ", p->phase, full, "##############################",
                width - full, "..............................", p->done, p->total, p->failed,
                rate, eta);
        p->shown = true;
        if (final) {
            fprintf(stderr, "\n");
            p->shown = false;
        }
    } else {
        fprintf(stderr, "%s: %" PRIu64 "/%" PRIu64 " seeds, %" PRIu64 " failed, %.1f seeds/s,"
                " ETA %.0f s\n", p->phase, p->done, p->total, p->failed, rate, eta);
    }
}

static void progress_begin(struct progress *p, const char *phase, uint64_t total)
{
    *p = (struct progress){.phase = phase, .total = total, .started = now_s(),
                           .tty = isatty(STDERR_FILENO) == 1};
    p->last_shown = p->started;
}

/* ---- the sweep ----------------------------------------------------------------------------- */

struct sweep_state {
    const struct sweep_args *a;
    struct sweep_row *rows; /* one per finished seed, in finishing order until sorted */
    uint64_t count;
    struct progress progress;
    bool errored; /* a seed ended with a scenario error: the sweep stops */
};

static void replay_of(const struct sweep_args *a, uint64_t seed, char *buf, size_t cap)
{
    struct run_request q = {.scenario = a->run.file == NULL ? a->run.scenario : NULL,
                            .file = a->run.file, .seed = seed,
                            .kafka_version = a->run.kafka_version, .duration = a->run.duration};
    verdict_replay_command(&q, buf, cap);
}

static bool on_seed(void *ctx, const struct sweep_outcome *o)
{
    struct sweep_state *st = ctx;
    char replay[SWEEP_TEXT];
    replay_of(st->a, o->seed, replay, sizeof replay);
    struct sweep_row *row = &st->rows[st->count++];
    sweep_row_of(o, replay, row);
    st->progress.done++;
    st->progress.failed += row->verdict == SWEEP_FAIL;
    progress_show(&st->progress, false);
    st->errored = st->errored || row->verdict == SWEEP_ERROR;
    return !st->errored;
}

static struct sweep_row *row_of_seed(struct sweep_state *st, uint64_t seed)
{
    struct sweep_row key = {.seed = seed};
    return bsearch(&key, st->rows, st->count, sizeof key, sweep_row_by_seed);
}

/* A run again that gave another trace hash: the sweep's own failure, whatever else it found. */
static void mark_nondeterministic(struct sweep_row *row, uint64_t again, const char *when)
{
    struct text t = text_init(row->checkers + strlen(row->checkers),
                              sizeof row->checkers - strlen(row->checkers));
    text_printf(&t, "%sdeterminism:1", row->checkers[0] != '\0' ? " " : "");
    if (row->verdict == SWEEP_PASS) {
        snprintf(row->first, sizeof row->first, "determinism: trace hash 0x%016" PRIx64
                 " on the first run, 0x%016" PRIx64 " %s", row->trace_hash, again, when);
    }
    row->verdict = SWEEP_FAIL;
}

/* Pass 2: each failing seed again, with its full run database (the same hash, or the sweep
 * says the run is not deterministic). */
static bool on_rerun(void *ctx, const struct sweep_outcome *o)
{
    struct sweep_state *st = ctx;
    struct sweep_row *row = row_of_seed(st, o->seed);
    KS_ASSERT(row != NULL);
    st->progress.done++;
    progress_show(&st->progress, false);
    if (o->r.trace_hash != row->trace_hash || o->exit_code != row->exit_code) {
        mark_nondeterministic(row, o->r.trace_hash, "when run again with its database");
    }
    return true;
}

/* Pass 3: --recheck's share of the passing seeds again. */
static bool on_recheck(void *ctx, const struct sweep_outcome *o)
{
    struct sweep_state *st = ctx;
    struct sweep_row *row = row_of_seed(st, o->seed);
    KS_ASSERT(row != NULL);
    st->progress.done++;
    st->progress.failed += o->r.trace_hash != row->trace_hash;
    progress_show(&st->progress, false);
    if (o->r.trace_hash != row->trace_hash) {
        mark_nondeterministic(row, o->r.trace_hash, "when rechecked");
    }
    return true;
}

/* Runs `seeds` through the pool with `done`, a phase of the progress line. */
static uint64_t pass(struct sweep_state *st, struct seed_job *job, const char *phase,
                     const uint64_t *seeds, uint64_t n, sweep_done_fn done)
{
    if (n == 0) {
        return 0;
    }
    progress_begin(&st->progress, phase, n);
    struct sweep_pool pool = {.jobs = st->a->jobs, .run = run_seed, .run_ctx = job,
                              .done = done, .done_ctx = st, .seconds = wall_clock_seconds,
                              .stop = &stop_signal};
    uint64_t got = sweep_pool_run(&pool, seeds, n);
    progress_show(&st->progress, true);
    return got;
}

static bool make_dir(const char *path)
{
    return mkdir(path, 0777) == 0 || errno == EEXIST;
}

static int load_source(const struct sweep_args *a, struct lua_source *src)
{
    if (a->run.file != NULL) {
        return read_lua_file(a->run.file, src);
    }
    const struct shipped_file *shipped = shipped_scenario(a->run.scenario);
    if (shipped == NULL) {
        return usage_error("no Lua scenario named '%s' (see 'kraftsim list')", a->run.scenario);
    }
    snprintf(src->chunk, sizeof src->chunk, "scenarios/%s", shipped->path);
    src->text = (char *)shipped->text;
    src->len = shipped->len;
    src->shipped = true;
    return EXIT_PASS;
}

/* The seeds of one pass: the failing ones (rerun) or --recheck's pick of the passing ones. */
static uint64_t pick(const struct sweep_state *st, bool failing, uint32_t percent, uint64_t *out)
{
    uint64_t n = 0;
    for (uint64_t i = 0; i < st->count; i++) {
        const struct sweep_row *r = &st->rows[i];
        if (failing ? r->verdict == SWEEP_FAIL
                    : r->verdict == SWEEP_PASS && sweep_seeds_recheck(r->seed, percent)) {
            out[n++] = r->seed;
        }
    }
    return n;
}

static bool write_db(const char *path, const struct sweep_db_info *info,
                     const struct sweep_state *st, bool complete, double wall)
{
    char err[700] = "";
    struct sweep_db *db = sweep_db_create(path, info, err, sizeof err);
    bool ok = db != NULL;
    for (uint64_t i = 0; ok && i < st->count; i++) {
        ok = sweep_db_add(db, &st->rows[i], err, sizeof err);
    }
    ok = db != NULL && sweep_db_finish(db, complete, wall, err, sizeof err) && ok;
    if (!ok) {
        print_error_line(err, "");
    }
    return ok;
}

static void describe(const struct sweep_args *a, char *buf, size_t cap)
{
    struct text t = text_init(buf, cap);
    text_printf(&t, "%s %s, seeds %" PRIu64 "..%" PRIu64, a->run.file != NULL ? "file"
                : "scenario", a->run.file != NULL ? a->run.file : a->run.scenario,
                a->seeds.first, a->seeds.last);
    if (a->have_shard) {
        text_printf(&t, " (shard %u/%u)", a->seeds.shard_index, a->seeds.shard_count);
    }
    if (a->run.kafka_version != NULL) {
        text_printf(&t, ", Kafka %s", a->run.kafka_version);
    }
}

static void fill_info(const struct sweep_args *a, int argc, char **argv,
                      struct sweep_db_info *info)
{
    memset(info, 0, sizeof *info);
    snprintf(info->scenario, sizeof info->scenario, "%s",
             a->run.file != NULL ? a->run.file : a->run.scenario);
    snprintf(info->seeds, sizeof info->seeds, "%" PRIu64 "..%" PRIu64, a->seeds.first,
             a->seeds.last);
    if (a->have_shard) {
        snprintf(info->shard, sizeof info->shard, "%u/%u", a->seeds.shard_index,
                 a->seeds.shard_count);
    }
    snprintf(info->kafka_version, sizeof info->kafka_version, "%s",
             a->run.kafka_version != NULL ? a->run.kafka_version : "");
    struct text t = text_init(info->argv, sizeof info->argv);
    text_printf(&t, "kraftsim");
    for (int i = 0; i < argc; i++) {
        text_printf(&t, " %s", argv[i]);
    }
    snprintf(info->kraftsim_version, sizeof info->kraftsim_version, "%s", KRAFTSIM_VERSION);
}

/* Where the sweep database goes, and the folder for its failing seeds' run databases. */
static bool sweep_paths(const struct sweep_args *a, const char *name, char *db_path,
                        char *dir, size_t cap)
{
    if (a->db != NULL) {
        snprintf(db_path, cap, "%s", a->db);
        size_t len = strlen(a->db);
        bool ext = len > 3 && strcmp(a->db + len - 3, ".db") == 0;
        snprintf(dir, cap, "%.*s", (int)(ext ? len - 3 : len), a->db);
        /* its folder must be there before any seed runs, not found missing at the end */
        const char *slash = strrchr(a->db, '/');
        char parent[700];
        snprintf(parent, sizeof parent, "%.*s", slash != NULL ? (int)(slash - a->db) : 1,
                 slash != NULL ? a->db : ".");
        struct stat st;
        if (!a->dry_run && parent[0] != '\0' && (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode))) {
            char line[800];
            snprintf(line, sizeof line, "--db %s: there is no folder %s", a->db,
                     parent);
            print_error_line(line, "");
            return false;
        }
        return true;
    }
    snprintf(db_path, cap, "runs/sweep-%s.db", name);
    snprintf(dir, cap, "runs/sweep-%s", name);
    if (!a->dry_run && !make_dir("runs")) {
        print_error_line("runs/: cannot create it (use --db FILE)", "");
        return false;
    }
    return true;
}

/* The scenario error that stopped the sweep, as `run` says it, and the seed: exit 2. */
static bool report_error(const struct sweep_state *st)
{
    for (uint64_t i = 0; st->errored && i < st->count; i++) {
        if (st->rows[i].verdict == SWEEP_ERROR) {
            fprintf(stderr, "%s (seed %" PRIu64 "; the sweep stopped there)\n",
                    st->rows[i].first, st->rows[i].seed);
            return true;
        }
    }
    return false;
}

/* After the first pass: each failing seed again with its run database, then the recheck. */
static void second_passes(struct sweep_state *st, struct seed_job *job, const char *dir,
                          uint64_t *seeds)
{
    if (stop_signal != 0 || !make_dir(dir)) {
        return;
    }
    job->db_dir = dir;
    uint64_t n = pick(st, true, 0, seeds);
    pass(st, job, "run databases of failing seeds", seeds, n, on_rerun);
    for (uint64_t i = 0; i < st->count; i++) {
        struct sweep_row *r = &st->rows[i];
        if (r->verdict == SWEEP_FAIL) {
            seed_db_path(job, r->seed, r->run_db, sizeof r->run_db);
        }
    }
    job->db_dir = NULL;
    n = pick(st, false, st->a->recheck, seeds);
    if (stop_signal == 0) {
        pass(st, job, "recheck", seeds, n, on_recheck);
        printf("recheck: %" PRIu64 " passing seed%s run again (%u%%)\n", n, n == 1 ? "" : "s",
               st->a->recheck);
    }
}

static uint64_t failed_count(const struct sweep_row *rows, uint64_t n)
{
    uint64_t failed = 0;
    for (uint64_t i = 0; i < n; i++) {
        failed += rows[i].verdict == SWEEP_FAIL;
    }
    return failed;
}

/* The table, the database, the JUnit file and the verdict; the exit status. */
static int sweep_finish(struct sweep_state *st, const char *what, const char *name,
                        const char *db_path, const struct sweep_db_info *info, uint64_t total,
                        double wall)
{
    const struct sweep_args *a = st->a;
    bool complete = st->count == total && stop_signal == 0;
    sweep_report_print(stdout, what, st->rows, st->count, wall);
    bool ok = write_db(db_path, info, st, complete, wall);
    printf("sweep database: %s%s\n", db_path, complete ? "" : " (incomplete: interrupted)");
    char err[700], classname[300];
    snprintf(classname, sizeof classname, "kraftsim.%s", name);
    if (a->junit != NULL && !sweep_junit_write(a->junit, what, classname, st->rows, st->count,
                                               err, sizeof err)) {
        print_error_line(err, "");
        ok = false;
    }
    uint64_t failed = failed_count(st->rows, st->count);
    if (stop_signal != 0) {
        printf("verdict: INTERRUPTED (%" PRIu64 " of %" PRIu64 " seeds ran)\n", st->count,
               total);
    } else if (failed > 0) {
        printf("verdict: FAIL (%" PRIu64 " of %" PRIu64 " seeds failed)\n", failed, st->count);
    } else {
        printf("verdict: PASS (%" PRIu64 " seeds)\n", st->count);
    }
    if (!ok) {
        return EXIT_INTERNAL;
    }
    return stop_signal != 0 ? EXIT_SIGNAL_BASE + stop_signal
                            : failed > 0 ? EXIT_VIOLATION : EXIT_PASS;
}

int sweep_main(int argc, char **argv)
{
    struct sweep_args a = {.jobs = sweep_pool_default_jobs(), .recheck = 5};
    int rc = parse_sweep(argc, argv, &a);
    struct lua_source src = {0};
    rc = rc != EXIT_PASS ? rc : load_source(&a, &src);
    char name[256], dir[700], db_path[700];
    if (rc == EXIT_PASS) {
        record_base_name(src.shipped ? a.run.scenario : src.chunk, name, sizeof name);
        rc = sweep_paths(&a, name, db_path, dir, sizeof dir) ? EXIT_PASS : EXIT_USAGE;
    }
    if (rc != EXIT_PASS || a.dry_run) {
        uint64_t total = rc == EXIT_PASS ? sweep_seeds_count(&a.seeds) : 0;
        for (uint64_t k = 0; k < total; k++) {
            printf("%" PRIu64 "\n", sweep_seeds_at(&a.seeds, k));
        }
        if (!src.shipped) {
            free(src.text);
        }
        return rc < 0 ? EXIT_PASS : rc;
    }
    uint64_t total = sweep_seeds_count(&a.seeds);
    uint64_t *seeds = malloc((total > 0 ? total : 1) * sizeof *seeds);
    struct sweep_state st = {.a = &a, .rows = calloc(total > 0 ? total : 1, sizeof *st.rows)};
    KS_ASSERT(seeds != NULL && st.rows != NULL);
    for (uint64_t k = 0; k < total; k++) {
        seeds[k] = sweep_seeds_at(&a.seeds, k);
    }
    char what[700];
    describe(&a, what, sizeof what);
    printf("kraftsim %s: sweep %s, %d job%s\n", KRAFTSIM_VERSION, what, a.jobs,
           a.jobs == 1 ? "" : "s");
    fflush(stdout);
    install_stop_handlers();
    double started = now_s();
    struct seed_job job = {.a = &a, .src = &src, .name = name};
    pass(&st, &job, "sweep", seeds, total, on_seed);
    qsort(st.rows, st.count, sizeof *st.rows, sweep_row_by_seed);
    if (report_error(&st)) {
        rc = EXIT_USAGE;
    } else {
        second_passes(&st, &job, dir, seeds);
        struct sweep_db_info info;
        fill_info(&a, argc, argv, &info);
        rc = sweep_finish(&st, what, name, db_path, &info, total, now_s() - started);
    }
    free(seeds);
    free(st.rows);
    if (!src.shipped) {
        free(src.text); /* each seed's process had its own copy */
    }
    return rc;
}

/* ---- merge --------------------------------------------------------------------------------- */

static const char merge_usage[] =
    "usage: kraftsim merge SHARD.db... [-o OUT.db] [--junit FILE]\n"
    "\n"
    "Combines the sweep databases of one sweep's shards (kraftsim sweep --shard I/N) into one\n"
    "report, and says which seeds of the range no shard ran.\n"
    "\n"
    "  -o, --output FILE      write the merged sweep database\n"
    "      --junit FILE       write JUnit XML, one test case per seed\n"
    "  -h, --help             show this help\n"
    "\n"
    "exit status: 0 every seed passed, 1 a seed failed or a seed is missing, 2 usage error or\n"
    "a file that is not a sweep database (or is another sweep's).\n";

static const struct option merge_options[] = {{"output", required_argument, NULL, 'o'},
                                              {"junit", required_argument, NULL, 'J'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};

/* Appends one shard's rows to the merged ones; false (one line said) on a mismatch. */
static bool merge_one(const char *path, const struct sweep_db_info *first,
                      const struct sweep_db_info *info, struct sweep_row **rows, uint64_t *n,
                      const struct sweep_row *add, uint64_t count)
{
    if (strcmp(info->scenario, first->scenario) != 0 || strcmp(info->seeds, first->seeds) != 0 ||
        strcmp(info->kafka_version, first->kafka_version) != 0) {
        char line[1400];
        snprintf(line, sizeof line, "%s: another sweep's database (scenario %s, seeds %s), not "
                 "a shard of scenario %s, seeds %s", path, info->scenario, info->seeds,
                 first->scenario, first->seeds);
        print_error_line(line, "");
        return false;
    }
    *rows = realloc(*rows, (*n + count + 1) * sizeof **rows);
    KS_ASSERT(*rows != NULL);
    memcpy(*rows + *n, add, count * sizeof *add);
    *n += count;
    return true;
}

struct merged {
    struct sweep_db_info first; /* the first database's: the others must match it */
    struct sweep_row *rows;
    uint64_t count;
    bool complete;
    double wall;
};

/* Reads every database named into `m`; EXIT_USAGE (one line said) on a file that is not a
 * sweep database, another sweep's, or a seed two of them hold. */
static int merge_read(char **paths, int n, struct merged *m)
{
    m->complete = true;
    for (int i = 0; i < n; i++) {
        struct sweep_db_info info;
        struct sweep_row *add = NULL;
        uint64_t count = 0;
        char err[800];
        if (!sweep_db_read(paths[i], &info, &add, &count, err, sizeof err)) {
            print_error_line(err, "");
            return EXIT_USAGE;
        }
        if (i == 0) {
            m->first = info;
        }
        bool ok = merge_one(paths[i], &m->first, &info, &m->rows, &m->count, add, count);
        free(add);
        if (!ok) {
            return EXIT_USAGE;
        }
        if (!info.complete) {
            printf("merge: %s is incomplete (its sweep was interrupted)\n", paths[i]);
        }
        m->complete = m->complete && info.complete;
        m->wall = m->wall > info.wall_s ? m->wall : info.wall_s; /* shards run side by side */
    }
    qsort(m->rows, m->count, sizeof *m->rows, sweep_row_by_seed);
    for (uint64_t i = 1; i < m->count; i++) {
        if (m->rows[i].seed == m->rows[i - 1].seed) {
            char line[200];
            snprintf(line, sizeof line, "seed %" PRIu64 " is in two of the databases: were two "
                     "shards given the same index?", m->rows[i].seed);
            print_error_line(line, "");
            return EXIT_USAGE;
        }
    }
    return EXIT_PASS;
}

/* The seeds of the sweep's range that no database holds. */
static uint64_t merge_missing(const struct merged *m)
{
    struct sweep_seeds range = {0};
    const char *why = NULL;
    if (!sweep_seeds_parse_range(m->first.seeds, &range, &why)) {
        return 0;
    }
    return sweep_seeds_count(&range) - m->count; /* no seed twice, so count ≤ the range */
}

static int merge_write(struct merged *m, const char *what, const char *out, const char *junit,
                       uint64_t missing)
{
    bool ok = true;
    if (out != NULL) {
        struct sweep_state st = {.rows = m->rows, .count = m->count};
        m->first.shard[0] = '\0';
        ok = write_db(out, &m->first, &st, m->complete && missing == 0, m->wall);
        printf("sweep database: %s\n", out);
    }
    char err[800], classname[300], name[256];
    record_base_name(m->first.scenario, name, sizeof name);
    snprintf(classname, sizeof classname, "kraftsim.%s", name);
    if (junit != NULL &&
        !sweep_junit_write(junit, what, classname, m->rows, m->count, err, sizeof err)) {
        print_error_line(err, "");
        ok = false;
    }
    uint64_t failed = failed_count(m->rows, m->count);
    printf("verdict: %s (%" PRIu64 " of %" PRIu64 " seeds failed%s)\n",
           failed > 0 || missing > 0 ? "FAIL" : "PASS", failed, m->count,
           missing > 0 ? ", some missing" : "");
    return !ok ? EXIT_INTERNAL : failed > 0 || missing > 0 ? EXIT_VIOLATION : EXIT_PASS;
}

int merge_main(int argc, char **argv)
{
    opterr = 0;
    optind = 1;
    const char *out = NULL, *junit = NULL;
    int c;
    while ((c = getopt_long(argc, argv, ":o:h", merge_options, NULL)) != -1) {
        if (c == 'h') {
            printf(merge_usage);
            return EXIT_PASS;
        }
        if (c == ':' || c == '?') {
            return usage_error(c == ':' ? "option '%s' needs a value"
                                        : "unknown option '%s' for 'merge'", argv[optind - 1]);
        }
        *(c == 'o' ? &out : &junit) = optarg;
    }
    if (optind >= argc) {
        return usage_error("merge wants sweep databases, e.g. kraftsim merge shard-0.db "
                           "shard-1.db%s", "");
    }
    struct merged m = {0};
    int rc = merge_read(argv + optind, argc - optind, &m);
    if (rc == EXIT_PASS) {
        char what[800];
        snprintf(what, sizeof what, "%s, seeds %s, %d shard database%s", m.first.scenario,
                 m.first.seeds, argc - optind, argc - optind == 1 ? "" : "s");
        sweep_report_print(stdout, what, m.rows, m.count, m.wall);
        uint64_t missing = merge_missing(&m);
        if (missing > 0) {
            printf("merge: %" PRIu64 " seed%s of %s in no database (a shard that did not "
                   "run?)\n", missing, missing == 1 ? "" : "s", m.first.seeds);
        }
        rc = merge_write(&m, what, out, junit, missing);
    }
    free(m.rows);
    return rc;
}
