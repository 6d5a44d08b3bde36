/* test_host.c — hosts: the environment a process sees, lifecycle, pause, crash, clock drift. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "world/world.h"

/* A probe process: records what it is stepped with, and does what the test tells it. */
struct probe_log {
    int starts;
    int count;
    enum env_event_kind kinds[64];
    uint64_t tokens[64];
    time_ns local[64];
    time_ns global[64];
    int from[64];
    int channel[64];
    char text[64][16];
    struct world *w;
};

struct probe {
    const struct env *env;
    struct probe_log *log;
};

static struct probe_log *probe_target; /* one probe log per test, set before start */

static void *probe_start(const struct env *env, const void *config)
{
    (void)config;
    struct probe *p = calloc(1, sizeof *p);
    p->env = env;
    p->log = probe_target;
    p->log->starts++;
    return p;
}

static void probe_step(void *proc, const struct env_event *e)
{
    struct probe *p = proc;
    struct probe_log *l = p->log;
    ck_assert_int_lt(l->count, 64);
    int i = l->count++;
    l->kinds[i] = e->kind;
    l->local[i] = e->now;
    l->global[i] = world_now(l->w);
    if (e->kind == ENV_EVENT_TIMER) {
        l->tokens[i] = e->u.timer.token;
    } else if (e->kind == ENV_EVENT_DISK) {
        l->tokens[i] = e->u.disk.token;
    } else {
        l->from[i] = e->u.message.from_host;
        l->channel[i] = e->u.message.channel;
        size_t n = e->u.message.len < 15 ? e->u.message.len : 15;
        memcpy(l->text[i], e->u.message.bytes, n);
        l->text[i][n] = '\0';
    }
}

static void probe_destroy(void *proc) { free(proc); }

static const struct process_ops probe_ops = {
    .name = "probe", .start = probe_start, .step = probe_step, .destroy = probe_destroy};

static struct world *two_hosts(struct probe_log *log)
{
    struct net_link_cfg link = net_link_default();
    link.latency_min = link.latency_mean = 1 * NS_PER_MS; /* exact, for exact times */
    struct disk_cfg disk = disk_cfg_default();
    disk.fsync_latency_min = disk.fsync_latency_max = 5 * NS_PER_MS;
    static const char *const names[] = {"alpha", "beta"};
    struct world *w = world_create(11, 2, names, &link, &disk);
    memset(log, 0, sizeof *log);
    log->w = w;
    probe_target = log;
    for (int i = 0; i < 2; i++) {
        host_install(world_host(w, i), &probe_ops, NULL);
        ck_assert(host_start(world_host(w, i)));
    }
    return w;
}

static struct probe *proc_of(struct world *w, int i) { return world_host(w, i)->proc; }

START_TEST(timer_fires_at_its_local_delay_and_cancel_stops_it)
{
    struct probe_log log;
    struct world *w = two_hosts(&log);
    const struct env *env = proc_of(w, 0)->env;
    env->ops->timer_set(env->ctx, 10 * NS_PER_MS, 7);
    uint64_t id = env->ops->timer_set(env->ctx, 20 * NS_PER_MS, 8);
    env->ops->timer_cancel(env->ctx, id);
    world_run_until(w, 100 * NS_PER_MS);
    ck_assert_int_eq(log.count, 1);
    ck_assert_int_eq(log.kinds[0], ENV_EVENT_TIMER);
    ck_assert_uint_eq(log.tokens[0], 7);
    ck_assert_int_eq(log.global[0], 10 * NS_PER_MS);
    ck_assert_int_eq(log.local[0], 10 * NS_PER_MS);
    world_destroy(w);
}
END_TEST

START_TEST(a_fast_clock_fires_timers_early_in_true_time)
{
    struct probe_log log;
    struct world *w = two_hosts(&log);
    world_run_until(w, 1 * NS_PER_S);
    /* 25% fast: 100 ms of local time pass in 80 ms of true time. */
    host_set_clock_rate(world_host(w, 0), 1250000);
    const struct env *env = proc_of(w, 0)->env;
    ck_assert_int_eq(env_now(env), 1 * NS_PER_S); /* rebased: no jump */
    env->ops->timer_set(env->ctx, 100 * NS_PER_MS, 1);
    world_run_until(w, 2 * NS_PER_S);
    ck_assert_int_eq(log.count, 1);
    ck_assert_int_eq(log.global[0], 1 * NS_PER_S + 80 * NS_PER_MS);
    ck_assert_int_eq(log.local[0], 1 * NS_PER_S + 100 * NS_PER_MS);
    ck_assert_int_eq(host_local_now(world_host(w, 0)), 1 * NS_PER_S + 1250 * NS_PER_MS);
    ck_assert_int_eq(host_local_now(world_host(w, 1)), 2 * NS_PER_S);
    host_clock_jump(world_host(w, 1), 5 * NS_PER_S);
    ck_assert_int_eq(host_local_now(world_host(w, 1)), 7 * NS_PER_S);
    world_destroy(w);
}
END_TEST

START_TEST(paused_host_holds_frames_and_timers_then_steps_them_in_order)
{
    struct probe_log log;
    struct world *w = two_hosts(&log);
    const struct env *a = proc_of(w, 0)->env;
    const struct env *b = proc_of(w, 1)->env;
    host_pause(world_host(w, 1));
    /* Arrives at 1 ms and is held. */
    a->ops->send(a->ctx, 1, ENV_CHANNEL_REQUEST, (const uint8_t *)"one", 3);
    world_run_until(w, 2 * NS_PER_MS);
    /* Arrives at 3 ms and is held. */
    a->ops->send(a->ctx, 1, ENV_CHANNEL_REQUEST, (const uint8_t *)"two", 3);
    world_run_until(w, 10 * NS_PER_MS);
    ck_assert_int_eq(log.count, 0);
    ck_assert_uint_eq(world_host(w, 1)->deferred_count, 2);
    host_resume(world_host(w, 1));
    ck_assert_int_eq(log.count, 2);
    ck_assert_str_eq(log.text[0], "one");
    ck_assert_str_eq(log.text[1], "two");
    ck_assert_int_eq(log.from[0], 0);
    ck_assert_int_eq(log.global[1], 10 * NS_PER_MS); /* stepped at resume time */
    /* A timer that expires during a pause fires at resume; one cancelled by an earlier held
     * event's step never fires. */
    b->ops->timer_set(b->ctx, 5 * NS_PER_MS, 1);
    host_pause(world_host(w, 1));
    world_run_until(w, 30 * NS_PER_MS);
    ck_assert_int_eq(log.count, 2);
    host_resume(world_host(w, 1));
    ck_assert_int_eq(log.count, 3);
    ck_assert_uint_eq(log.tokens[2], 1);
    ck_assert_int_eq(log.global[2], 30 * NS_PER_MS);
    ck_assert(world_check(w));
    world_destroy(w);
}
END_TEST

START_TEST(crashed_host_drops_frames_and_forgets_timers_of_its_past_life)
{
    struct probe_log log;
    struct world *w = two_hosts(&log);
    const struct env *a = proc_of(w, 0)->env;
    const struct env *b = proc_of(w, 1)->env;
    b->ops->timer_set(b->ctx, 50 * NS_PER_MS, 99);
    host_crash(world_host(w, 1));
    a->ops->send(a->ctx, 1, ENV_CHANNEL_REQUEST, (const uint8_t *)"lost", 4);
    world_run_until(w, 10 * NS_PER_MS);
    ck_assert_uint_eq(w->trace.kind_counts[TRACE_NET_DROP], 1);
    /* The OS of the killed process refuses the connection: an empty RESET frame back. */
    ck_assert_int_eq(log.count, 1);
    ck_assert_int_eq(log.kinds[0], ENV_EVENT_MESSAGE);
    ck_assert_int_eq(log.channel[0], ENV_CHANNEL_RESET);
    ck_assert_int_eq(log.from[0], 1);
    ck_assert(host_start(world_host(w, 1)));
    ck_assert_int_eq(log.starts, 3);
    ck_assert_uint_eq(world_host(w, 1)->incarnation, 2);
    world_run_until(w, 100 * NS_PER_MS); /* the old timer's due time passes */
    ck_assert_int_eq(log.count, 1);
    a->ops->send(a->ctx, 1, ENV_CHANNEL_REQUEST, (const uint8_t *)"hello", 5);
    world_run_until(w, 200 * NS_PER_MS);
    ck_assert_int_eq(log.count, 2);
    ck_assert_str_eq(log.text[1], "hello");
    /* A host without power answers nothing. */
    host_power_fail(world_host(w, 1));
    a->ops->send(a->ctx, 1, ENV_CHANNEL_REQUEST, (const uint8_t *)"void", 4);
    world_run_until(w, 300 * NS_PER_MS);
    ck_assert_int_eq(log.count, 2);
    ck_assert_uint_eq(w->trace.kind_counts[TRACE_NET_DROP], 2);
    world_destroy(w);
}
END_TEST

START_TEST(crash_keeps_unsynced_writes_and_power_failure_loses_them)
{
    struct probe_log log;
    struct world *w = two_hosts(&log);
    for (int i = 0; i < 2; i++) {
        const struct env *e = proc_of(w, i)->env;
        ck_assert_int_eq(e->ops->disk_write(e->ctx, "synced", 0, "abc", 3), ENV_OK);
        e->ops->disk_fsync(e->ctx, "synced", 42);
    }
    world_run_until(w, 10 * NS_PER_MS);
    ck_assert_int_eq(log.count, 2);
    ck_assert_int_eq(log.kinds[0], ENV_EVENT_DISK);
    ck_assert_uint_eq(log.tokens[0], 42);
    ck_assert_int_eq(log.global[0], 5 * NS_PER_MS);
    for (int i = 0; i < 2; i++) {
        const struct env *e = proc_of(w, i)->env;
        ck_assert_int_eq(e->ops->disk_write(e->ctx, "synced", 3, "def", 3), ENV_OK);
    }
    host_crash(world_host(w, 0));
    host_power_fail(world_host(w, 1));
    ck_assert_int_eq(disk_size(&world_host(w, 0)->disk, "synced"), 6);
    ck_assert_int_le(disk_size(&world_host(w, 1)->disk, "synced"), 6);
    ck_assert_int_ge(disk_size(&world_host(w, 1)->disk, "synced"), 3);
    world_destroy(w);
}
END_TEST

START_TEST(power_failure_with_keeps_none_loses_every_unsynced_byte)
{
    struct probe_log log;
    struct world *w = two_hosts(&log);
    world_host(w, 1)->disk.cfg.power_loss_keeps_none = true;
    const struct env *e = proc_of(w, 1)->env;
    e->ops->disk_write(e->ctx, "f", 0, "abc", 3);
    e->ops->disk_fsync(e->ctx, "f", 1);
    world_run_until(w, 10 * NS_PER_MS);
    e->ops->disk_write(e->ctx, "f", 3, "def", 3);
    e->ops->disk_fsync(e->ctx, "f", 2); /* in flight at the power failure: never completes */
    host_power_fail(world_host(w, 1));
    world_run_until(w, 50 * NS_PER_MS);
    ck_assert_int_eq(disk_size(&world_host(w, 1)->disk, "f"), 3);
    ck_assert_int_eq(log.count, 1);
    world_destroy(w);
}
END_TEST

START_TEST(resolve_maps_host_names_and_random_is_per_incarnation)
{
    struct probe_log log;
    struct world *w = two_hosts(&log);
    const struct env *e = proc_of(w, 0)->env;
    ck_assert_int_eq(e->ops->resolve(e->ctx, "beta", 9093), 1);
    ck_assert_int_eq(e->ops->resolve(e->ctx, "alpha", 9092), 0);
    ck_assert_int_eq(e->ops->resolve(e->ctx, "gamma", 9092), -1);
    uint64_t first = env_random(e);
    uint64_t other = env_random(proc_of(w, 1)->env);
    ck_assert_uint_ne(first, other);
    host_crash(world_host(w, 0));
    host_start(world_host(w, 0));
    ck_assert_uint_ne(env_random(proc_of(w, 0)->env), first);
    world_destroy(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("host");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, timer_fires_at_its_local_delay_and_cancel_stops_it);
    tcase_add_test(tc, a_fast_clock_fires_timers_early_in_true_time);
    tcase_add_test(tc, paused_host_holds_frames_and_timers_then_steps_them_in_order);
    tcase_add_test(tc, crashed_host_drops_frames_and_forgets_timers_of_its_past_life);
    tcase_add_test(tc, crash_keeps_unsynced_writes_and_power_failure_loses_them);
    tcase_add_test(tc, power_failure_with_keeps_none_loses_every_unsynced_byte);
    tcase_add_test(tc, resolve_maps_host_names_and_random_is_per_incarnation);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
