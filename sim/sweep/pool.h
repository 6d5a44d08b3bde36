/* pool.h — runs seeds in forked worker processes, a few at a time. */
#ifndef KRAFTSIM_SWEEP_POOL_H
#define KRAFTSIM_SWEEP_POOL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "scenario/scenario.h"

/*
 * Every seed runs in a process of its own, forked from the sweep: a fresh world with nothing
 * left over from the seed before, and a seed that crashes (an assertion, a sanitizer) is that
 * seed's failure, not the sweep's. The child sends its run_result back through a pipe and
 * exits; at most `jobs` run at once. Outcomes arrive in the order seeds finish, which varies
 * run to run; whoever reports them sorts them by seed.
 */
struct sweep_outcome {
    uint64_t seed;
    int exit_code;   /* the run's, as `kraftsim run` gives it: 0 pass, 1 fail, 2 scenario error,
                        3 internal; -1 the child died without a result (term_signal says how) */
    int term_signal; /* the signal that ended a child with no result, else 0 */
    double wall_s;   /* real seconds from fork to result, as the pool's seconds() reads them */
    struct run_result r;
};

/* In the child: runs one seed, fills `r`, returns its exit code. Its stdout and stderr are
 * /dev/null. */
typedef int (*sweep_seed_fn)(void *ctx, uint64_t seed, struct run_result *r);
/* In the sweep: one seed has finished. Returning false stops the sweep: no more seeds start,
 * and those running finish. */
typedef bool (*sweep_done_fn)(void *ctx, const struct sweep_outcome *o);

struct sweep_pool {
    int jobs;
    sweep_seed_fn run;
    void *run_ctx;
    sweep_done_fn done;
    void *done_ctx;
    /* The real clock, for each seed's wall time (the sweep never reads one itself), or NULL. */
    double (*seconds)(void);
    /* Set by a signal handler: start nothing more, wait for the running seeds. */
    volatile sig_atomic_t *stop;
};

/* The number of seeds whose outcome reached `done` (fewer than `count` when stopped). */
uint64_t sweep_pool_run(const struct sweep_pool *p, const uint64_t *seeds, uint64_t count);

/* One core per job unless the machine says otherwise. */
int sweep_pool_default_jobs(void);

#endif
