/* bench.c — speed figures for scripts/bench, one a line: "name: value unit".
 * Not a test: nothing here fails on a timing. Wall-clock reads are allowed here (and only here)
 * because the benchmark measures the simulator from outside. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lua/runtime.h"
#include "lua/shipped.h"
#include "scenario/scenario.h"
#include "sweep/pool.h"
#include "trace/db.h"
#include "world/sched.h"

/* A scenario by name as `kraftsim run --scenario NAME` finds it: the shipped Lua file first,
 * else the built-in C one. False if there is neither. */
static bool scenario_exists(const char *name)
{
    return shipped_scenario(name) != NULL || scenario_find(name) != NULL;
}

static void run_named(const char *name, const struct run_opts *opts, struct run_result *r)
{
    const struct shipped_file *f = shipped_scenario(name);
    if (f != NULL) {
        char chunk[128];
        snprintf(chunk, sizeof chunk, "scenarios/%s", f->path);
        lua_scenario_run(chunk, f->text, f->len, true, opts, r);
    } else {
        scenario_find(name)->run(opts, r);
    }
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct chain {
    struct sched *s;
    uint64_t remaining;
};

/* Each event schedules the next one a little later: a bare loop through the heap with a steady
 * population of `width` pending events, like timers in a busy run. */
static void tick(void *ctx, uint64_t arg)
{
    struct chain *c = ctx;
    if (c->remaining > 0) {
        c->remaining--;
        sched_after(c->s, (time_ns)(1 + (arg * 7919) % 1000), tick, c, arg + 1);
    }
}

/* CPU seconds of this process: on a shared machine the wall clock also counts other people's
 * work. */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bench_sched(uint64_t events, int width)
{
    struct sched s;
    sched_init(&s);
    struct chain c = {.s = &s, .remaining = events};
    for (int i = 0; i < width; i++) {
        sched_after(&s, i, tick, &c, (uint64_t)i);
    }
    double start = wall_seconds();
    while (sched_step(&s)) {
    }
    double elapsed = wall_seconds() - start;
    printf("sched_bare_loop_width_%d: %.0f events/s\n", width,
           (double)sched_fired_count(&s) / elapsed);
    sched_free(&s);
}

/* A quorum scenario's figures: committed records and elections per wall second. */
static void bench_quorum(const char *name, uint64_t seeds)
{
    FILE *devnull = fopen("/dev/null", "w");
    time_ns simulated = 0;
    int64_t committed = 0;
    uint64_t elections = 0;
    double start = wall_seconds();
    for (uint64_t seed = 1; seed <= seeds; seed++) {
        struct run_opts opts = {.seed = seed, .out = devnull};
        struct run_result r = {0};
        run_named(name, &opts, &r);
        simulated += r.virtual_end;
        committed += r.committed;
        elections += r.elections;
    }
    double elapsed = wall_seconds() - start;
    fclose(devnull);
    printf("quorum_%s_speed: %.0fx real time\n", name, (double)simulated / 1e9 / elapsed);
    printf("quorum_%s_records_committed: %.0f records/s\n", name, (double)committed / elapsed);
    printf("quorum_%s_elections: %.0f elections/s\n", name, (double)elections / elapsed);
}

static void bench_scenario(const char *name, uint64_t seeds)
{
    FILE *devnull = fopen("/dev/null", "w");
    time_ns simulated = 0;
    uint64_t events = 0;
    double start = wall_seconds(), cpu_start = cpu_seconds();
    for (uint64_t seed = 1; seed <= seeds; seed++) {
        struct run_opts opts = {.seed = seed, .out = devnull};
        struct run_result r = {0};
        run_named(name, &opts, &r);
        simulated += r.virtual_end;
        events += r.sched_events;
    }
    double elapsed = wall_seconds() - start, cpu = cpu_seconds() - cpu_start;
    fclose(devnull);
    printf("scenario_%s_speed: %.0fx real time\n", name,
           (double)simulated / 1e9 / elapsed);
    printf("scenario_%s_cpu_speed: %.0fx real time\n", name, (double)simulated / 1e9 / cpu);
    printf("scenario_%s_events: %.0f events/s\n", name, (double)events / elapsed);
    printf("scenario_%s_seeds: %.1f seeds/s\n", name, (double)seeds / elapsed);
}

/* Issue 12's: a scenario's speed with no run database and with one (each run writing its own
 * file, as kraftsim run does), and the ratio. Each seed runs both ways in turn, so a machine
 * that gets busier halfway slows both sides alike; the CPU figures (user + system time of this
 * process, the database's writes included) are steadier still on a shared machine. */
static void bench_database(const char *name, uint64_t seeds)
{
    FILE *devnull = fopen("/dev/null", "w");
    double wall[2] = {0, 0}, cpu[2] = {0, 0};
    time_ns simulated[2] = {0, 0};
    for (uint64_t seed = 1; seed <= seeds; seed++) {
        for (int with = 0; with < 2; with++) {
            char path[64], err[700];
            snprintf(path, sizeof path, "/tmp/kraftsim-bench-%d.db", (int)getpid());
            double w0 = wall_seconds(), c0 = cpu_seconds();
            struct run_db_info info = {.seed = seed, .scenario = name};
            struct run_db *db = with ? run_db_create(path, &info, err, sizeof err) : NULL;
            KS_ASSERT(!with || db != NULL);
            struct run_opts opts = {.seed = seed, .out = devnull, .db = db};
            struct run_result r = {0};
            run_named(name, &opts, &r);
            simulated[with] += r.virtual_end;
            if (db != NULL) {
                KS_ASSERT(run_db_finish(db, r.trace_hash, "PASS", r.violations, r.virtual_end,
                                        0, false, err, sizeof err));
                run_db_close(db);
            }
            wall[with] += wall_seconds() - w0;
            cpu[with] += cpu_seconds() - c0;
            unlink(path);
        }
    }
    fclose(devnull);
    double speed[2], cpu_speed[2];
    for (int with = 0; with < 2; with++) {
        speed[with] = (double)simulated[with] / 1e9 / wall[with];
        cpu_speed[with] = (double)simulated[with] / 1e9 / cpu[with];
    }
    printf("database_%s_without: %.0fx real time\n", name, speed[0]);
    printf("database_%s_with: %.0fx real time\n", name, speed[1]);
    printf("database_%s_ratio: %.2f with/without\n", name, speed[1] / speed[0]);
    printf("database_%s_cpu_ratio: %.2f with/without\n", name, cpu_speed[1] / cpu_speed[0]);
}

/* The process's own peak RSS in KiB (VmHWM: its address space since exec; wait4's ru_maxrss
 * also counts the bench's pages the child held between fork and exec), -1 unknown. */
static long own_peak_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[128];
    long kib = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "VmHWM:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    return kib;
}

/* The child side of a long run: one scenario for `seconds` of virtual time, seed 1, in a fresh
 * process so that its peak RSS is its own; it writes that peak and the most bytes its simulated
 * disks held at once to `report_fd`. Exits 0 with no violations, 1 with some. */
static int long_run_child(const char *name, const char *seconds, const char *report_fd)
{
    if (!scenario_exists(name)) {
        fprintf(stderr, "kraftsim_bench: no scenario %s\n", name);
        return 2;
    }
    FILE *devnull = fopen("/dev/null", "w");
    struct run_opts opts = {.seed = 1, .out = devnull,
                            .duration = (time_ns)strtoll(seconds, NULL, 10) * NS_PER_S};
    struct run_result r = {0};
    run_named(name, &opts, &r);
    fclose(devnull);
    char line[64];
    int n = snprintf(line, sizeof line, "%ld %" PRIu64 "\n", own_peak_kib(), r.disk_peak_bytes);
    if (write(atoi(report_fd), line, (size_t)n) != n) {
        fprintf(stderr, "kraftsim_bench: could not report %s's peak RSS and disk bytes\n", name);
    }
    if (r.violations > 0) {
        fprintf(stderr, "kraftsim_bench: %s %s s: %u violations, first: %s\n", name, seconds,
                r.violations, r.first_violation);
    }
    return r.violations > 0 ? 1 : 0;
}

/* What the runs of one length added up to. */
struct long_tally {
    int runs;
    double wall;  /* seconds, summed */
    double cpu;   /* the children's user + system seconds, summed */
    long peak_kib; /* the largest child's peak RSS by wait4 (with the bench's pages) */
    uint64_t disk_peak_bytes; /* the most any child's simulated disks held at once */
    long own_peak_kib;   /* the largest child's own VmHWM, as it reported it */
};

/* A child run and the pipe it reports its peak RSS and disk bytes on. */
struct long_child {
    pid_t pid;
    int report; /* read end, -1 none */
};

/* Starts a child run. One that will be stopped gets a process group of its own: in the
 * bench's group (often orphaned, when a script started it in the background) a stopped member
 * makes the kernel send the whole group SIGHUP as soon as another child exits. */
static struct long_child long_spawn(const char *self, const char *name, long seconds,
                                    bool own_group)
{
    char arg[32], fd[16];
    int report[2];
    if (pipe(report) != 0) {
        return (struct long_child){-1, -1};
    }
    snprintf(arg, sizeof arg, "%ld", seconds);
    snprintf(fd, sizeof fd, "%d", report[1]);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (own_group) {
            setpgid(0, 0);
        }
        close(report[0]);
        execl(self, self, "--long-run", name, arg, fd, (char *)NULL);
        _exit(127);
    }
    close(report[1]);
    if (pid < 0) {
        close(report[0]);
        return (struct long_child){-1, -1};
    }
    if (own_group) {
        setpgid(pid, pid); /* also here, so it holds before the first SIGSTOP */
    }
    return (struct long_child){pid, report[0]};
}

/* What an exited child reported (a few bytes, written just before it exited). */
static void long_collect(struct long_tally *t, struct long_child *c)
{
    char line[64] = {0};
    if (c->report >= 0 && read(c->report, line, sizeof line - 1) > 0) {
        char *rest = NULL;
        long kib = strtol(line, &rest, 10);
        uint64_t bytes = strtoull(rest, NULL, 10);
        t->disk_peak_bytes = bytes > t->disk_peak_bytes ? bytes : t->disk_peak_bytes;
        t->own_peak_kib = kib > t->own_peak_kib ? kib : t->own_peak_kib;
    }
    if (c->report >= 0) {
        close(c->report);
        c->report = -1;
    }
}

/* Adds an exited child's CPU seconds and wait4's peak RSS (a fallback: it counts the bench's
 * pages the child held until exec; long_collect takes the child's own). CPU seconds matter: on
 * a shared machine the wall clock also counts other people's work. */
static void long_account(struct long_tally *t, const struct rusage *ru, int status,
                         const char *name, const char *label)
{
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "kraftsim_bench: %s for %s failed (status %d)\n", name, label, status);
    }
    t->runs++;
    t->cpu += (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
              (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
    if (ru->ru_maxrss > t->peak_kib) {
        t->peak_kib = ru->ru_maxrss;
    }
}

/* One run to its end. Returns its wall seconds, or -1 if it could not run. */
static double long_run_once(const char *self, const char *name, const char *label,
                            long seconds, struct long_tally *t)
{
    double start = wall_seconds();
    struct long_child c = long_spawn(self, name, seconds, false);
    int status = 0;
    struct rusage ru;
    if (c.pid < 0 || wait4(c.pid, &status, 0, &ru) != c.pid) {
        fprintf(stderr, "kraftsim_bench: could not run %s for %s\n", name, label);
        long_collect(t, &c);
        return -1;
    }
    double wall = wall_seconds() - start;
    t->wall += wall;
    long_account(t, &ru, status, name, label);
    long_collect(t, &c);
    return wall;
}

static void long_print(const char *name, const char *label, long seconds,
                       const struct long_tally *t)
{
    double total = (double)seconds * t->runs;
    printf("%s_%s_runs: %d runs\n", name, label, t->runs);
    printf("%s_%s_wall: %.2f s\n", name, label, t->wall / t->runs);
    printf("%s_%s_speed: %.0fx real time\n", name, label, total / t->wall);
    /* The child's own report when it made one (wait4's figure includes the bench's pages). */
    long peak = t->own_peak_kib > 0 ? t->own_peak_kib : t->peak_kib;
    printf("%s_%s_peak_rss: %.1f MiB\n", name, label, (double)peak / 1024.0);
    /* What retention kept is the simulated disks' bytes (they live in memory): the memory
     * target is peak RSS under 64 MiB plus the most they held. */
    printf("%s_%s_disk_peak: %.1f MiB\n", name, label,
           (double)t->disk_peak_bytes / 1048576.0);
    printf("%s_%s_peak_rss_beyond_disk: %.1f MiB\n", name, label,
           (double)peak / 1024.0 - (double)t->disk_peak_bytes / 1048576.0);
    printf("%s_%s_cpu: %.2f s\n", name, label, t->cpu / t->runs);
    printf("%s_%s_cpu_speed: %.0fx real time\n", name, label, total / t->cpu);
}

#define LONG_SHORT_S 600     /* 10 min */
#define LONG_MEDIUM_S 3600   /* 1 h */
#define LONG_LONG_S 86400    /* 24 h */
#define LONG_PAUSE_EVERY_S 2.0
#define LONG_SHORT_MIN 8     /* runs of 10 min at least, */
#define LONG_MEDIUM_MIN 3    /* and of 1 h */

/*
 * Issue 10's long runs of one scenario: 10 min, 1 h and 24 h of virtual time (seed 1, each run
 * in a fresh process), wall seconds, speed and peak RSS per run. The target compares speeds,
 * and on a shared 2-core machine a sub-second run's speed swings by tens of percent with what
 * else runs (the same 10 min run took 0.30 s, then 0.47 s minutes apart; CPU seconds swing
 * too, since a virtual CPU's stolen time is charged to whatever runs on it). So the lengths
 * are measured under the same load: while the 24 h run goes, it is stopped (SIGSTOP) every
 * LONG_PAUSE_EVERY_S seconds for one 10 min run, and every fourth stop for a 1 h run as well,
 * then continued. Its CPU seconds exclude the stops; its wall seconds have the short runs'
 * taken out. The short runs are repeated until the 24 h run ends (at least the minimums
 * above), and their figures are per run: mean seconds, speed as total virtual over total
 * seconds, the largest peak RSS. A stopped run computes the same: the simulation has no clock.
 */
static void bench_long(const char *self, const char *name)
{
    struct long_tally shorts = {0};
    struct long_tally mediums = {0};
    struct long_tally day = {0};
    double start = wall_seconds();
    double paused = 0; /* wall seconds the 24 h run spent stopped */
    struct long_child child = long_spawn(self, name, LONG_LONG_S, true);
    pid_t pid = child.pid;
    if (pid < 0) {
        fprintf(stderr, "kraftsim_bench: could not run %s for 24h\n", name);
        return;
    }
    int status = 0;
    struct rusage ru;
    bool reaped = false; /* the 24 h run's exit collected, with its rusage */
    for (int stop = 1; !reaped; stop++) {
        double until = wall_seconds() + LONG_PAUSE_EVERY_S;
        while (!reaped && wall_seconds() < until) {
            struct timespec nap = {.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000};
            nanosleep(&nap, NULL);
            reaped = wait4(pid, &status, WNOHANG, &ru) == pid;
        }
        if (reaped) {
            break;
        }
        kill(pid, SIGSTOP);
        if (wait4(pid, &status, WUNTRACED, &ru) != pid) {
            break;
        }
        if (!WIFSTOPPED(status)) {
            reaped = true; /* it ended before the stop took */
            break;
        }
        double stopped_at = wall_seconds();
        bool ok = long_run_once(self, name, "10m", LONG_SHORT_S, &shorts) >= 0;
        if (ok && stop % 4 == 0) {
            ok = long_run_once(self, name, "1h", LONG_MEDIUM_S, &mediums) >= 0;
        }
        paused += wall_seconds() - stopped_at;
        kill(pid, SIGCONT);
        if (!ok) {
            break;
        }
    }
    if (!reaped && wait4(pid, &status, 0, &ru) != pid) {
        fprintf(stderr, "kraftsim_bench: could not collect %s for 24h\n", name);
        close(child.report);
        return;
    }
    day.wall = wall_seconds() - start - paused;
    long_account(&day, &ru, status, name, "24h");
    long_collect(&day, &child);
    while (shorts.runs < LONG_SHORT_MIN &&
           long_run_once(self, name, "10m", LONG_SHORT_S, &shorts) >= 0) {
    }
    while (mediums.runs < LONG_MEDIUM_MIN &&
           long_run_once(self, name, "1h", LONG_MEDIUM_S, &mediums) >= 0) {
    }
    long_print(name, "10m", LONG_SHORT_S, &shorts);
    long_print(name, "1h", LONG_MEDIUM_S, &mediums);
    long_print(name, "24h", LONG_LONG_S, &day);
}

static void bench_short(uint64_t scale);

/* ---- issue 14's sweep: swarm seeds a second on every core ----------------------------------- */

static int swarm_seed(void *ctx, uint64_t seed, struct run_result *r)
{
    (void)ctx;
    struct run_opts opts = {.seed = seed, .out = stdout}; /* the pool's child: /dev/null */
    run_named("swarm", &opts, r);
    return r->violations > 0 ? 1 : 0;
}

static bool count_seed(void *ctx, const struct sweep_outcome *o)
{
    uint64_t *failed = ctx;
    *failed += o->exit_code != 0;
    return true;
}

/* The swarm scenario (60 virtual seconds each) swept as `kraftsim sweep --swarm` sweeps it,
 * one forked process per seed on every core; the target is 10,000 seeds in 5 minutes. */
static void bench_sweep(uint64_t seeds)
{
    uint64_t *list = malloc(seeds * sizeof *list);
    if (list == NULL) {
        return;
    }
    for (uint64_t i = 0; i < seeds; i++) {
        list[i] = i + 1;
    }
    uint64_t failed = 0;
    struct sweep_pool p = {.jobs = sweep_pool_default_jobs(), .run = swarm_seed,
                           .done = count_seed, .done_ctx = &failed, .seconds = wall_seconds};
    double start = wall_seconds();
    uint64_t ran = sweep_pool_run(&p, list, seeds);
    double elapsed = wall_seconds() - start;
    free(list);
    double rate = (double)ran / elapsed;
    printf("sweep_swarm_jobs: %d processes\n", p.jobs);
    printf("sweep_swarm_seeds_per_s: %.1f seeds/s\n", rate);
    printf("sweep_swarm_10000_seeds: %.0f s\n", 10000.0 / rate);
    printf("sweep_swarm_failed: %" PRIu64 " seeds\n", failed);
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "--long-run") == 0) {
        return long_run_child(argv[2], argv[3], argv[4]);
    }
    uint64_t scale = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
    if (scale == 0) {
        scale = 1;
    }
    bool long_only = argc > 2 && strcmp(argv[2], "long") == 0;
    if (!long_only) {
        bench_short(scale);
    }
    if (argc > 2 && strcmp(argv[2], "short") == 0) {
        return 0;
    }
    /* Long runs of one seed each (issue 10): time must stay linear in virtual time and memory
     * bounded, so each runs in a child process (its own peak RSS). */
    static const char *const names[] = {"calm", "quorum", "cluster", "workload"};
    const char *only = argc > 3 ? argv[3] : NULL; /* "long workload": that one alone */
    bool known = false;
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
        if (only == NULL || strcmp(only, names[n]) == 0) {
            known = true;
            bench_long("/proc/self/exe", names[n]);
        }
    }
    if (!known) {
        fprintf(stderr, "kraftsim_bench: no long run named %s (calm, quorum, cluster, workload)\n",
                only);
        return 2;
    }
    return 0;
}

static void bench_short(uint64_t scale)
{
    bench_sched(20000000 * scale, 64);
    bench_sched(5000000 * scale, 100000);
    bench_scenario("ping", 20 * scale);
    /* Issue 3's figures: a 3-voter quorum committing a record every 10 ms of virtual time,
     * calm and under repeated leader kills. */
    bench_quorum("calm", 10 * scale);
    bench_quorum("failover", 10 * scale);
    bench_scenario("quorum", 20 * scale);
    /* Issue 4's: the seed deployment with topics through the nemesis (the default scenario). */
    bench_scenario("cluster", 100 * scale);
    bench_scenario("broker-failover", 50 * scale);
    bench_database("cluster", 20 * scale);
    bench_database("calm", 4 * scale);
    /* Issue 13's standard data workload (scenarios/workload.lua): producer, consumers,
     * nemesis; its long runs below give the 1 h and 24 h peak RSS. */
    bench_database("workload", 4 * scale);
    bench_sweep(500 * scale);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak_rss: %ld KiB\n", ru.ru_maxrss);
}
