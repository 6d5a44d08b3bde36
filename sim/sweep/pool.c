/* pool.c — forked workers, one seed each (see pool.h). */
#include "sweep/pool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct worker {
    pid_t pid; /* 0: free */
    int fd;    /* the read end of its result pipe */
    uint64_t seed;
    double started;
};

int sweep_pool_default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n < 1024 ? (int)n : 1;
}

static bool write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* Everything the child wrote, up to `cap` bytes; the child has exited, so this ends. */
static size_t read_all(int fd, void *buf, size_t cap)
{
    char *p = buf;
    size_t got = 0;
    while (got < cap) {
        ssize_t n = read(fd, p + got, cap - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    return got;
}

static _Noreturn void child(const struct sweep_pool *p, uint64_t seed, int fd)
{
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
        fflush(stdout);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        close(null);
    }
    struct sweep_outcome o = {.seed = seed};
    o.exit_code = p->run(p->run_ctx, seed, &o.r);
    fflush(stdout);
    bool ok = write_all(fd, &o, sizeof o);
    close(fd);
    _exit(ok ? 0 : 1);
}

static double now_s(const struct sweep_pool *p) { return p->seconds != NULL ? p->seconds() : 0; }

static bool start(const struct sweep_pool *p, struct worker *w, uint64_t seed)
{
    int fds[2];
    if (pipe(fds) != 0) {
        return false;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        close(fds[0]);
        child(p, seed, fds[1]);
    }
    close(fds[1]);
    *w = (struct worker){.pid = pid, .fd = fds[0], .seed = seed, .started = now_s(p)};
    return true;
}

/* The outcome of the worker whose process ended with `status`. */
static void finish(const struct sweep_pool *p, struct worker *w, int status,
                   struct sweep_outcome *o)
{
    size_t got = read_all(w->fd, o, sizeof *o);
    close(w->fd);
    if (got != sizeof *o || o->seed != w->seed) {
        memset(o, 0, sizeof *o);
        o->seed = w->seed;
        o->exit_code = -1;
        o->term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        snprintf(o->r.first_violation, sizeof o->r.first_violation,
                 "the seed's process ended without a result (%s %d)",
                 WIFSIGNALED(status) ? "signal" : "exit status",
                 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    }
    o->wall_s = now_s(p) - w->started;
    w->pid = 0;
}

uint64_t sweep_pool_run(const struct sweep_pool *p, const uint64_t *seeds, uint64_t count)
{
    int jobs = p->jobs > 0 ? p->jobs : 1;
    struct worker *ws = calloc((size_t)jobs, sizeof *ws);
    KS_ASSERT(ws != NULL);
    struct sweep_outcome *o = malloc(sizeof *o);
    KS_ASSERT(o != NULL);
    uint64_t next = 0, reported = 0;
    int running = 0;
    bool stopping = false;
    while (running > 0 || (!stopping && next < count)) {
        stopping = stopping || (p->stop != NULL && *p->stop != 0);
        for (int i = 0; i < jobs && !stopping && next < count; i++) {
            if (ws[i].pid == 0) {
                KS_ASSERT(start(p, &ws[i], seeds[next]));
                next++;
                running++;
            }
        }
        int status = 0;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            KS_ASSERT(errno == EINTR); /* a signal: look at the stop flag again */
            continue;
        }
        for (int i = 0; i < jobs; i++) {
            if (ws[i].pid == pid) {
                finish(p, &ws[i], status, o);
                running--;
                reported++;
                stopping = !p->done(p->done_ctx, o) || stopping;
            }
        }
    }
    free(o);
    free(ws);
    return reported;
}
