/* bench.c — speed figures for scripts/bench, one a line: "name: value unit".
 * Not a test: nothing here fails on a timing. Wall-clock reads are allowed here (and only here)
 * because the benchmark measures the simulator from outside. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "scenario/scenario.h"
#include "world/sched.h"

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
    const struct scenario *sc = scenario_find(name);
    FILE *devnull = fopen("/dev/null", "w");
    time_ns simulated = 0;
    int64_t committed = 0;
    uint64_t elections = 0;
    double start = wall_seconds();
    for (uint64_t seed = 1; seed <= seeds; seed++) {
        struct run_opts opts = {.seed = seed, .out = devnull};
        struct run_result r = {0};
        sc->run(&opts, &r);
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
    const struct scenario *sc = scenario_find(name);
    FILE *devnull = fopen("/dev/null", "w");
    time_ns simulated = 0;
    uint64_t events = 0;
    double start = wall_seconds();
    for (uint64_t seed = 1; seed <= seeds; seed++) {
        struct run_opts opts = {.seed = seed, .out = devnull};
        struct run_result r = {0};
        sc->run(&opts, &r);
        simulated += r.virtual_end;
        events += r.sched_events;
    }
    double elapsed = wall_seconds() - start;
    fclose(devnull);
    printf("scenario_%s_speed: %.0fx real time\n", name,
           (double)simulated / 1e9 / elapsed);
    printf("scenario_%s_events: %.0f events/s\n", name, (double)events / elapsed);
    printf("scenario_%s_seeds: %.1f seeds/s\n", name, (double)seeds / elapsed);
}

int main(int argc, char **argv)
{
    uint64_t scale = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
    if (scale == 0) {
        scale = 1;
    }
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
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak_rss: %ld KiB\n", ru.ru_maxrss);
    return 0;
}
