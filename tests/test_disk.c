/* test_disk.c — the simulated disk against its fault-model contract in sim/world/disk.h. */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "world/disk.h"

#define US NS_PER_US
#define MS NS_PER_MS
#define SEC NS_PER_S
#define HOST 2
#define RECORD_MAX 64
#define DETAIL_MAX 160

/* ---- a small world: scheduler, trace with a recording sink, one disk ---- */

struct recorded_event {
    time_ns time;
    int host;
    enum trace_kind kind;
    char detail[DETAIL_MAX];
};

struct recorder {
    struct recorded_event events[RECORD_MAX];
    int count;
};

struct completions {
    struct sched *sched;
    uint64_t tokens[RECORD_MAX];
    int errs[RECORD_MAX];
    time_ns times[RECORD_MAX];
    int count;
};

struct world {
    struct sched sched;
    struct trace trace;
    struct recorder recorder;
    struct completions done;
    struct disk disk;
};

static void record_event(void *ctx, const struct trace_event *event)
{
    struct recorder *r = ctx;
    if (r->count == RECORD_MAX) {
        return; /* long workloads only look at the hash */
    }
    struct recorded_event *e = &r->events[r->count++];
    e->time = event->time;
    e->host = event->host;
    e->kind = event->kind;
    snprintf(e->detail, sizeof e->detail, "%s", trace_event_detail(event));
}

static void on_done(void *ctx, uint64_t token, int err)
{
    struct completions *c = ctx;
    if (c->count < RECORD_MAX) { /* long workloads only count */
        c->tokens[c->count] = token;
        c->errs[c->count] = err;
        c->times[c->count] = sched_now(c->sched);
    }
    c->count++;
}

/* fsync takes exactly 1 ms, so completion times can be asserted exactly. */
static struct disk_cfg cfg_exact(void)
{
    struct disk_cfg cfg = disk_cfg_default();
    cfg.fsync_latency_min = 1 * MS;
    cfg.fsync_latency_max = 1 * MS;
    return cfg;
}

static struct disk_cfg cfg_exact_keeps_none(void)
{
    struct disk_cfg cfg = cfg_exact();
    cfg.power_loss_keeps_none = true;
    return cfg;
}

static struct world *world_open(uint64_t seed, const struct disk_cfg *cfg)
{
    struct world *w = calloc(1, sizeof *w);
    ck_assert_ptr_nonnull(w);
    sched_init(&w->sched);
    trace_init(&w->trace);
    trace_add_sink(&w->trace, (struct trace_sink){.event = record_event, .ctx = &w->recorder});
    w->done.sched = &w->sched;
    disk_init(&w->disk, &w->sched, &w->trace, seed, HOST, cfg);
    return w;
}

static void world_close(struct world *w)
{
    ck_assert(disk_check(&w->disk));
    disk_free(&w->disk);
    ck_assert_uint_eq(sched_pending_count(&w->sched), 0);
    sched_free(&w->sched);
    free(w);
}

static void fsync_file(struct world *w, const char *name, uint64_t token)
{
    disk_fsync(&w->disk, name, on_done, &w->done, token);
}

static void write_fill(struct world *w, const char *name, uint64_t offset, uint8_t byte,
                       size_t len)
{
    uint8_t *bytes = malloc(len > 0 ? len : 1);
    ck_assert_ptr_nonnull(bytes);
    memset(bytes, byte, len);
    ck_assert_int_eq(disk_write(&w->disk, name, offset, bytes, len), ENV_OK);
    free(bytes);
}

static void write_text(struct world *w, const char *name, uint64_t offset, const char *text)
{
    ck_assert_int_eq(disk_write(&w->disk, name, offset, text, strlen(text)), ENV_OK);
}

/* Asserts the whole page-cache content of `name` equals `text`. */
static void assert_content(struct world *w, const char *name, const char *text)
{
    char buf[4096];
    size_t len = strlen(text);
    ck_assert_uint_lt(len, sizeof buf);
    ck_assert_int_eq(disk_size(&w->disk, name), (int64_t)len);
    ck_assert_int_eq(disk_read(&w->disk, name, 0, buf, sizeof buf), (int64_t)len);
    buf[len] = '\0';
    ck_assert_str_eq(buf, text);
}

/* Asserts bytes [offset, offset + len) of `name` all equal `byte`. */
static void assert_filled(struct world *w, const char *name, uint64_t offset, size_t len,
                          uint8_t byte)
{
    uint8_t buf[4096];
    ck_assert_uint_le(len, sizeof buf);
    ck_assert_int_eq(disk_read(&w->disk, name, offset, buf, len), (int64_t)len);
    for (size_t i = 0; i < len; i++) {
        ck_assert_uint_eq(buf[i], byte);
    }
}

static const struct recorded_event *last_event(const struct world *w, enum trace_kind kind)
{
    for (int i = w->recorder.count - 1; i >= 0; i--) {
        if (w->recorder.events[i].kind == kind) {
            return &w->recorder.events[i];
        }
    }
    return NULL;
}

static uint64_t kind_count(const struct world *w, enum trace_kind kind)
{
    return w->trace.kind_counts[kind];
}

/* ---- page cache: write, read, size ---- */

START_TEST(test_write_then_read_returns_the_bytes_and_size_is_the_cache_size)
{
    struct world *w = world_open(1, NULL);
    // Two writes, the second overwriting the middle of the first.
    write_text(w, "log", 0, "hello world");
    write_text(w, "log", 6, "kafka");
    assert_content(w, "log", "hello kafka");
    ck_assert_int_eq(disk_size(&w->disk, "log"), 11);
    ck_assert_uint_eq(disk_used_bytes(&w->disk), 11);
    // Nothing is durable yet: both writes are pending.
    ck_assert_int_eq(disk_durable_size(&w->disk, "log"), 0);
    ck_assert_int_eq(disk_pending_count(&w->disk, "log"), 2);
    // Plain writes are too hot to trace.
    ck_assert_uint_eq(w->trace.event_count, 0);
    world_close(w);
}
END_TEST

START_TEST(test_read_past_the_end_returns_fewer_bytes_and_zero_at_the_end)
{
    struct world *w = world_open(1, NULL);
    char buf[16];
    write_text(w, "f", 0, "abcdef");
    // Four asked at offset 4, two exist.
    ck_assert_int_eq(disk_read(&w->disk, "f", 4, buf, 4), 2);
    ck_assert_mem_eq(buf, "ef", 2);
    // At and beyond the end: nothing.
    ck_assert_int_eq(disk_read(&w->disk, "f", 6, buf, 4), 0);
    ck_assert_int_eq(disk_read(&w->disk, "f", 1000, buf, 4), 0);
    world_close(w);
}
END_TEST

START_TEST(test_write_past_the_end_extends_the_file_with_zeros)
{
    struct world *w = world_open(1, NULL);
    write_text(w, "f", 0, "ab");
    write_text(w, "f", 10, "cd");
    ck_assert_int_eq(disk_size(&w->disk, "f"), 12);
    assert_filled(w, "f", 2, 8, 0);
    char buf[2];
    ck_assert_int_eq(disk_read(&w->disk, "f", 10, buf, 2), 2);
    ck_assert_mem_eq(buf, "cd", 2);
    world_close(w);
}
END_TEST

START_TEST(test_missing_file_gives_enoent_and_bad_names_give_einval)
{
    struct world *w = world_open(1, NULL);
    char buf[4];
    ck_assert_int_eq(disk_read(&w->disk, "nope", 0, buf, 4), -ENV_ENOENT);
    ck_assert_int_eq(disk_size(&w->disk, "nope"), -ENV_ENOENT);
    ck_assert_int_eq(disk_durable_size(&w->disk, "nope"), -ENV_ENOENT);
    ck_assert_int_eq(disk_pending_count(&w->disk, "nope"), -ENV_ENOENT);
    ck_assert_int_eq(disk_truncate(&w->disk, "nope", 0), -ENV_ENOENT);
    ck_assert_int_eq(disk_rename(&w->disk, "nope", "other"), -ENV_ENOENT);
    ck_assert_int_eq(disk_remove(&w->disk, "nope"), -ENV_ENOENT);
    // An empty name and one that does not fit are invalid, and create nothing.
    char long_name[DISK_NAME_MAX + 1];
    memset(long_name, 'x', DISK_NAME_MAX);
    long_name[DISK_NAME_MAX] = '\0';
    ck_assert_int_eq(disk_write(&w->disk, "", 0, "a", 1), -ENV_EINVAL);
    ck_assert_int_eq(disk_write(&w->disk, long_name, 0, "a", 1), -ENV_EINVAL);
    ck_assert_int_eq(disk_write(&w->disk, "f", UINT64_MAX, "ab", 2), -ENV_EINVAL);
    write_text(w, "f", 0, "x");
    ck_assert_int_eq(disk_rename(&w->disk, "f", ""), -ENV_EINVAL);
    ck_assert_int_eq(disk_size(&w->disk, "f"), 1);
    ck_assert_uint_eq(w->disk.file_count, 1);
    world_close(w);
}
END_TEST

/* ---- fsync ---- */

START_TEST(test_fsync_completes_at_exactly_1ms_and_makes_the_write_durable)
{
    struct disk_cfg cfg = cfg_exact();
    struct world *w = world_open(1, &cfg);
    write_text(w, "quorum-state", 0, "epoch=3");
    sched_run_until(&w->sched, 5 * MS);
    // fsync issued at 5 ms is traced at issue.
    fsync_file(w, "quorum-state", 7);
    ck_assert_uint_eq(disk_fsync_inflight_count(&w->disk), 1);
    ck_assert_str_eq(last_event(w, TRACE_DISK_FSYNC)->detail, "file=quorum-state token=7");
    ck_assert_int_eq(last_event(w, TRACE_DISK_FSYNC)->host, HOST);
    // One nanosecond early: nothing yet.
    sched_run_until(&w->sched, 6 * MS - 1);
    ck_assert_int_eq(w->done.count, 0);
    ck_assert_int_eq(disk_durable_size(&w->disk, "quorum-state"), 0);
    // At exactly 6 ms it completes, durable.
    sched_run_until(&w->sched, 6 * MS);
    ck_assert_int_eq(w->done.count, 1);
    ck_assert_uint_eq(w->done.tokens[0], 7);
    ck_assert_int_eq(w->done.errs[0], ENV_OK);
    ck_assert_int_eq(w->done.times[0], 6 * MS);
    ck_assert_int_eq(disk_durable_size(&w->disk, "quorum-state"), 7);
    ck_assert_int_eq(disk_pending_count(&w->disk, "quorum-state"), 0);
    const struct recorded_event *durable = last_event(w, TRACE_DISK_DURABLE);
    ck_assert_str_eq(durable->detail, "file=quorum-state token=7 writes=1");
    ck_assert_int_eq(durable->time, 6 * MS);
    ck_assert_uint_eq(disk_fsync_inflight_count(&w->disk), 0);
    world_close(w);
}
END_TEST

START_TEST(test_fsync_covers_only_writes_issued_before_it_and_only_its_own_file)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    write_fill(w, "a", 0, 'x', 100);
    write_fill(w, "b", 0, 'b', 10);
    fsync_file(w, "a", 1);
    // Issued after the fsync: not covered even though it lands before completion.
    write_fill(w, "a", 100, 'y', 100);
    sched_run_until(&w->sched, 1 * MS);
    ck_assert_int_eq(w->done.count, 1);
    ck_assert_int_eq(disk_durable_size(&w->disk, "a"), 100);
    ck_assert_int_eq(disk_pending_count(&w->disk, "a"), 1);
    ck_assert_int_eq(disk_durable_size(&w->disk, "b"), 0);
    ck_assert_int_eq(disk_pending_count(&w->disk, "b"), 1);
    // Power failure shows exactly what was covered.
    disk_power_fail(&w->disk);
    ck_assert_int_eq(disk_size(&w->disk, "a"), 100);
    assert_filled(w, "a", 0, 100, 'x');
    ck_assert_int_eq(disk_size(&w->disk, "b"), 0);
    world_close(w);
}
END_TEST

START_TEST(test_fsync_of_missing_file_completes_with_enoent_after_the_same_latency)
{
    struct disk_cfg cfg = cfg_exact();
    struct world *w = world_open(1, &cfg);
    fsync_file(w, "ghost", 3);
    sched_run_until(&w->sched, 1 * MS);
    ck_assert_int_eq(w->done.count, 1);
    ck_assert_int_eq(w->done.errs[0], -ENV_ENOENT);
    ck_assert_int_eq(w->done.times[0], 1 * MS);
    ck_assert_str_eq(last_event(w, TRACE_DISK_DURABLE)->detail,
                     "file=ghost token=3 err=ENV_ENOENT");
    world_close(w);
}
END_TEST

START_TEST(test_fsyncs_complete_in_issue_order_when_a_later_one_is_faster)
{
    struct disk_cfg cfg = cfg_exact();
    struct world *w = world_open(1, &cfg);
    write_text(w, "a", 0, "1");
    write_text(w, "b", 0, "2");
    // A is issued on a slow disk (1 + 5 ms), B right after on a healthy one (1 ms).
    disk_set_slow(&w->disk, 5 * MS);
    fsync_file(w, "a", 1);
    disk_set_slow(&w->disk, 0);
    fsync_file(w, "b", 2);
    // B waits for A: both at 6 ms, A first.
    sched_run_until(&w->sched, 6 * MS - 1);
    ck_assert_int_eq(w->done.count, 0);
    sched_run_until(&w->sched, 6 * MS);
    ck_assert_int_eq(w->done.count, 2);
    ck_assert_uint_eq(w->done.tokens[0], 1);
    ck_assert_uint_eq(w->done.tokens[1], 2);
    ck_assert_int_eq(w->done.times[0], 6 * MS);
    ck_assert_int_eq(w->done.times[1], 6 * MS);
    world_close(w);
}
END_TEST

START_TEST(test_fsyncs_with_random_latency_complete_in_issue_order_within_bounds)
{
    struct world *w = world_open(42, NULL);
    time_ns issued[40];
    // 40 fsyncs, one every 100 us, latencies drawn from 200 us .. 2 ms.
    for (int i = 0; i < 40; i++) {
        sched_run_until(&w->sched, i * 100 * US);
        write_fill(w, i % 2 == 0 ? "even" : "odd", (uint64_t)i, (uint8_t)i, 1);
        issued[i] = sched_now(&w->sched);
        fsync_file(w, i % 2 == 0 ? "even" : "odd", (uint64_t)i);
    }
    sched_run_until(&w->sched, 1000 * MS);
    ck_assert_int_eq(w->done.count, 40);
    bool waited_for_an_earlier_one = false;
    for (int i = 0; i < 40; i++) {
        ck_assert_uint_eq(w->done.tokens[i], (uint64_t)i);
        ck_assert_int_ge(w->done.times[i], issued[i] + 200 * US);
        if (i > 0) {
            ck_assert_int_ge(w->done.times[i], w->done.times[i - 1]);
            if (w->done.times[i] == w->done.times[i - 1]) {
                waited_for_an_earlier_one = true;
            }
        }
        // Never later than its own latency unless an earlier fsync held it.
        ck_assert(w->done.times[i] <= issued[i] + 2 * MS ||
                  (i > 0 && w->done.times[i] == w->done.times[i - 1]));
    }
    ck_assert(waited_for_an_earlier_one);
    ck_assert_int_eq(disk_pending_count(&w->disk, "even"), 0);
    ck_assert_int_eq(disk_pending_count(&w->disk, "odd"), 0);
    world_close(w);
}
END_TEST

/* A completion that issues the next fsync, as a log flusher would. */
struct chain {
    struct disk *disk;
    struct completions *done;
    int remaining;
};

static void chain_next(void *ctx, uint64_t token, int err)
{
    struct chain *c = ctx;
    on_done(c->done, token, err);
    if (--c->remaining > 0) {
        disk_fsync(c->disk, "log", chain_next, c, token + 1);
    }
}

START_TEST(test_completion_callback_may_issue_the_next_fsync)
{
    struct disk_cfg cfg = cfg_exact();
    struct world *w = world_open(1, &cfg);
    struct chain c = {.disk = &w->disk, .done = &w->done, .remaining = 3};
    write_text(w, "log", 0, "x");
    disk_fsync(&w->disk, "log", chain_next, &c, 10);
    sched_run_until(&w->sched, 10 * MS);
    ck_assert_int_eq(w->done.count, 3);
    ck_assert_int_eq(w->done.times[0], 1 * MS);
    ck_assert_int_eq(w->done.times[1], 2 * MS);
    ck_assert_int_eq(w->done.times[2], 3 * MS);
    ck_assert_uint_eq(w->done.tokens[2], 12);
    world_close(w);
}
END_TEST

/* ---- kernel writeback ----
 *
 * The rule pinned here is the kernel's (fs/fs-writeback.c, mm/page-writeback.c): the flusher's
 * delayed work is queued dirty_writeback_interval (500 cs = 5 s) after the first inode of a
 * clean device is dirtied (__mark_inode_dirty -> wb_wakeup_delayed) and again at the end of
 * every wb_workfn that leaves dirty data; each wake (wb_check_old_data_flush, for_kupdate)
 * writes back the inodes whose dirtied_when is at or before now - dirty_expire_interval
 * (3000 cs = 30 s), every dirty page of each. So a write at 1 s on a clean disk is durable at
 * the wake at 31 s (wakes at 6, 11, ..., 31 s), the first wake at or after 1 s + 30 s.
 */

/* Runs to `t` and says whether `name` is wholly durable there. */
static bool durable_at(struct world *w, const char *name, time_ns t)
{
    sched_run_until(&w->sched, t);
    return disk_pending_count(&w->disk, name) == 0 &&
           disk_durable_size(&w->disk, name) == disk_size(&w->disk, name);
}

START_TEST(test_data_written_40s_before_a_power_failure_survives_with_the_defaults)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    sched_run_until(&w->sched, 1 * SEC);
    write_text(w, "00000000000000000000.log", 0, "batch-1;");
    sched_run_until(&w->sched, 41 * SEC);
    // The flusher wrote it back on its own; the power failure finds nothing to lose.
    ck_assert_uint_eq(kind_count(w, TRACE_DISK_WRITEBACK), 1);
    const struct recorded_event *wb = last_event(w, TRACE_DISK_WRITEBACK);
    ck_assert_str_eq(wb->detail, "files=1 writes=1 bytes=8 reason=periodic");
    ck_assert_int_eq(wb->time, 31 * SEC);
    ck_assert_int_eq(wb->host, HOST);
    disk_power_fail(&w->disk);
    assert_content(w, "00000000000000000000.log", "batch-1;");
    ck_assert_uint_eq(kind_count(w, TRACE_DISK_LOSS), 0);
    world_close(w);
}
END_TEST

START_TEST(test_data_written_2s_before_a_power_failure_is_lost)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    sched_run_until(&w->sched, 1 * SEC);
    write_text(w, "old", 0, "kept");
    sched_run_until(&w->sched, 39 * SEC);
    write_text(w, "new", 0, "lost");
    sched_run_until(&w->sched, 41 * SEC);
    ck_assert_int_eq(disk_durable_size(&w->disk, "old"), 4);
    ck_assert_int_eq(disk_pending_count(&w->disk, "new"), 1);
    disk_power_fail(&w->disk);
    assert_content(w, "old", "kept");
    ck_assert_int_eq(disk_size(&w->disk, "new"), 0);
    ck_assert_str_eq(last_event(w, TRACE_DISK_LOSS)->detail, "file=new kept=0 torn=0 lost=1");
    world_close(w);
}
END_TEST

START_TEST(test_writeback_disabled_loses_every_unsynced_write_and_schedules_nothing)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    cfg.vm.dirty_writeback_centisecs = 0;
    struct world *w = world_open(1, &cfg);
    write_text(w, "log", 0, "unsynced");
    // vm.dirty_writeback_centisecs = 0: no flusher wakes at all.
    ck_assert_uint_eq(sched_pending_count(&w->sched), 0);
    sched_run_until(&w->sched, 10 * 60 * SEC);
    ck_assert_uint_eq(kind_count(w, TRACE_DISK_WRITEBACK), 0);
    disk_power_fail(&w->disk);
    ck_assert_int_eq(disk_size(&w->disk, "log"), 0);
    ck_assert_uint_eq(kind_count(w, TRACE_DISK_LOSS), 1);
    world_close(w);
}
END_TEST

START_TEST(test_writeback_turned_off_after_the_write_loses_it_too)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    write_text(w, "log", 0, "unsynced");
    struct disk_vm off = disk_vm_default();
    off.dirty_writeback_centisecs = 0;
    disk_set_vm(&w->disk, &off);
    ck_assert_str_eq(last_event(w, TRACE_DISK_FAULT)->detail,
                     "writeback dirty_writeback_centisecs=0 dirty_expire_centisecs=3000 "
                     "dirty_background_bytes=0");
    // The wake already queued at 5 s finds writeback off, writes nothing and is not requeued.
    sched_run_until(&w->sched, 5 * SEC);
    ck_assert_uint_eq(sched_pending_count(&w->sched), 0);
    sched_run_until(&w->sched, 100 * SEC);
    ck_assert_int_eq(disk_durable_size(&w->disk, "log"), 0);
    disk_power_fail(&w->disk);
    ck_assert_int_eq(disk_size(&w->disk, "log"), 0);
    world_close(w);
}
END_TEST

START_TEST(test_fsync_is_still_durable_at_once_and_leaves_the_flusher_nothing)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    write_text(w, "quorum-state", 0, "epoch=3");
    fsync_file(w, "quorum-state", 1);
    sched_run_until(&w->sched, 1 * MS);
    ck_assert_int_eq(w->done.count, 1);
    ck_assert_int_eq(disk_durable_size(&w->disk, "quorum-state"), 7);
    // The wake at 5 s finds nothing dirty and does not come back.
    sched_run_until(&w->sched, 5 * SEC);
    ck_assert_uint_eq(sched_pending_count(&w->sched), 0);
    sched_run_until(&w->sched, 60 * SEC);
    ck_assert_uint_eq(kind_count(w, TRACE_DISK_WRITEBACK), 0);
    disk_power_fail(&w->disk);
    assert_content(w, "quorum-state", "epoch=3");
    world_close(w);
}
END_TEST

START_TEST(test_a_write_at_1s_is_durable_at_the_first_wake_at_or_after_31s)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    sched_run_until(&w->sched, 1 * SEC);
    write_text(w, "a", 0, "a@1s");
    // The disk went from clean to dirty at 1 s: the wakes are at 6, 11, ..., 31, 36 s.
    sched_run_until(&w->sched, 3 * SEC);
    write_text(w, "b", 0, "b@3s");
    ck_assert(!durable_at(w, "a", 31 * SEC - 1));
    ck_assert(durable_at(w, "a", 31 * SEC));
    ck_assert_int_eq(last_event(w, TRACE_DISK_WRITEBACK)->time, 31 * SEC);
    ck_assert_str_eq(last_event(w, TRACE_DISK_WRITEBACK)->detail,
                     "files=1 writes=1 bytes=4 reason=periodic");
    // b expired at 33 s, between two wakes: it waits for the one at 36 s.
    ck_assert(!durable_at(w, "b", 36 * SEC - 1));
    ck_assert(durable_at(w, "b", 36 * SEC));
    ck_assert_uint_eq(kind_count(w, TRACE_DISK_WRITEBACK), 2);
    // Clean again, the flusher sleeps; the next write starts a new period from its own time.
    ck_assert_uint_eq(sched_pending_count(&w->sched), 0);
    sched_run_until(&w->sched, 40 * SEC);
    write_text(w, "c", 0, "c@40s");
    ck_assert(!durable_at(w, "c", 70 * SEC - 1));
    ck_assert(durable_at(w, "c", 70 * SEC));
    world_close(w);
}
END_TEST

/* The kernel ages inodes, not pages: an expired file goes back whole, its newest writes too. */
START_TEST(test_an_expired_file_is_written_back_whole_with_its_recent_writes)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    sched_run_until(&w->sched, 1 * SEC);
    write_text(w, "seg", 0, "first;");
    sched_run_until(&w->sched, 30 * SEC);
    write_text(w, "seg", 6, "second;");
    ck_assert(durable_at(w, "seg", 31 * SEC));
    ck_assert_str_eq(last_event(w, TRACE_DISK_WRITEBACK)->detail,
                     "files=1 writes=2 bytes=13 reason=periodic");
    // A write after the pass dirties the file afresh: 30 s more before it goes back.
    write_text(w, "seg", 13, "third;");
    ck_assert(!durable_at(w, "seg", 61 * SEC - 1));
    ck_assert(durable_at(w, "seg", 61 * SEC));
    disk_power_fail(&w->disk);
    assert_content(w, "seg", "first;second;third;");
    world_close(w);
}
END_TEST

START_TEST(test_crash_loses_nothing_and_the_flusher_keeps_running)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    sched_run_until(&w->sched, 1 * SEC);
    write_text(w, "log", 0, "unsynced");
    sched_run_until(&w->sched, 2 * SEC);
    // kill -9: the kernel, its page cache and its flusher outlive the process.
    disk_crash(&w->disk);
    assert_content(w, "log", "unsynced");
    ck_assert_uint_eq(kind_count(w, TRACE_DISK_LOSS), 0);
    ck_assert(durable_at(w, "log", 31 * SEC));
    disk_power_fail(&w->disk);
    assert_content(w, "log", "unsynced");
    world_close(w);
}
END_TEST

START_TEST(test_power_failure_stops_the_flusher_until_the_next_write)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    write_text(w, "log", 0, "lost");
    sched_run_until(&w->sched, 2 * SEC);
    disk_power_fail(&w->disk);
    ck_assert_uint_eq(sched_pending_count(&w->sched), 0);
    // Powered on again at 3 s: the first write arms a new period (wakes at 8, ..., 33 s).
    sched_run_until(&w->sched, 3 * SEC);
    write_text(w, "log", 0, "again");
    ck_assert(!durable_at(w, "log", 33 * SEC - 1));
    ck_assert(durable_at(w, "log", 33 * SEC));
    world_close(w);
}
END_TEST

START_TEST(test_a_new_writeback_period_writes_everything_back_at_once)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    write_text(w, "a", 0, "young");
    write_text(w, "b", 0, "young too");
    sched_run_until(&w->sched, 2 * SEC);
    // As dirty_writeback_centisecs_handler does: a changed non-zero period flushes everything.
    struct disk_vm vm = disk_vm_default();
    vm.dirty_writeback_centisecs = 100;
    disk_set_vm(&w->disk, &vm);
    ck_assert_int_eq(disk_durable_size(&w->disk, "a"), 5);
    ck_assert_int_eq(disk_durable_size(&w->disk, "b"), 9);
    ck_assert_str_eq(last_event(w, TRACE_DISK_WRITEBACK)->detail,
                     "files=2 writes=2 bytes=14 reason=periodic");
    ck_assert_int_eq(last_event(w, TRACE_DISK_WRITEBACK)->time, 2 * SEC);
    ck_assert_uint_eq(sched_pending_count(&w->sched), 0);
    // The same period again changes nothing; a shorter expiry applies from the next wake.
    write_text(w, "a", 5, "er");
    vm.dirty_expire_centisecs = 200;
    disk_set_vm(&w->disk, &vm);
    ck_assert_int_eq(disk_pending_count(&w->disk, "a"), 1);
    // Written at 2 s, wakes every 1 s from 2 s: expired (2 s old) at the wake at 4 s.
    ck_assert(!durable_at(w, "a", 4 * SEC - 1));
    ck_assert(durable_at(w, "a", 4 * SEC));
    world_close(w);
}
END_TEST

/* vm.dirty_background_bytes: above it, the dirtied-first files go back whole until the dirty
 * bytes are at or below it; a stall holds that too, until the flusher's next wake. */
START_TEST(test_above_dirty_background_bytes_the_oldest_files_are_written_back)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    cfg.vm.dirty_background_bytes = 1000;
    struct world *w = world_open(1, &cfg);
    write_fill(w, "a", 0, 'a', 400);
    sched_run_until(&w->sched, 1 * MS);
    write_fill(w, "b", 0, 'b', 400);
    ck_assert_uint_eq(kind_count(w, TRACE_DISK_WRITEBACK), 0); /* 800 bytes: below */
    sched_run_until(&w->sched, 2 * MS);
    write_fill(w, "c", 0, 'c', 400);
    // 1200 dirty bytes: a, the oldest, goes back, and 800 are left.
    ck_assert_int_eq(disk_durable_size(&w->disk, "a"), 400);
    ck_assert_int_eq(disk_durable_size(&w->disk, "b"), 0);
    ck_assert_uint_eq(w->disk.dirty_bytes, 800);
    const struct recorded_event *e = last_event(w, TRACE_DISK_WRITEBACK);
    ck_assert_str_eq(e->detail, "files=1 writes=1 bytes=400 reason=background");
    ck_assert_int_eq(e->time, 2 * MS);
    // b grows past it: b is now the oldest, and goes back whole, its new bytes too.
    write_fill(w, "b", 400, 'B', 300);
    ck_assert_int_eq(disk_durable_size(&w->disk, "b"), 700);
    ck_assert_int_eq(disk_pending_count(&w->disk, "c"), 1);
    ck_assert_uint_eq(w->disk.dirty_bytes, 400);
    // A stall lands nothing; the wake at 5 s (5 s after a dirtied the clean disk) catches up.
    disk_stall(&w->disk, 1 * SEC);
    write_fill(w, "d", 0, 'd', 1000);
    ck_assert_uint_eq(w->disk.dirty_bytes, 1400);
    ck_assert(!durable_at(w, "c", 5 * SEC - 1));
    ck_assert(durable_at(w, "c", 5 * SEC));
    ck_assert_int_eq(disk_pending_count(&w->disk, "d"), 1);
    ck_assert_uint_eq(w->disk.dirty_bytes, 1000);
    disk_power_fail(&w->disk);
    ck_assert_int_eq(disk_size(&w->disk, "a"), 400);
    ck_assert_int_eq(disk_size(&w->disk, "b"), 700);
    ck_assert_int_eq(disk_size(&w->disk, "c"), 400);
    ck_assert_int_eq(disk_size(&w->disk, "d"), 0);
    ck_assert_uint_eq(w->disk.dirty_bytes, 0);
    world_close(w);
}
END_TEST

START_TEST(test_a_stalled_disk_writes_nothing_back_until_the_stall_ends)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    sched_run_until(&w->sched, 1 * SEC);
    write_text(w, "log", 0, "held");
    disk_stall(&w->disk, 33 * SEC);
    // The wake at 31 s is inside the stall: nothing lands; the one at 36 s catches up.
    ck_assert(!durable_at(w, "log", 36 * SEC - 1));
    ck_assert(durable_at(w, "log", 36 * SEC));
    world_close(w);
}
END_TEST

/* ---- crash and power failure ---- */

START_TEST(test_crash_keeps_everything_and_the_fsync_in_flight_still_completes)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    write_text(w, "log", 0, "unsynced");
    write_text(w, "meta", 0, "synced");
    fsync_file(w, "meta", 1);
    sched_run_until(&w->sched, 500 * US);
    // The process dies; the OS and its page cache do not.
    disk_crash(&w->disk);
    assert_content(w, "log", "unsynced");
    assert_content(w, "meta", "synced");
    sched_run_until(&w->sched, 1 * MS);
    ck_assert_int_eq(w->done.count, 1);
    ck_assert_int_eq(w->done.times[0], 1 * MS);
    ck_assert_int_eq(disk_durable_size(&w->disk, "meta"), 6);
    ck_assert_uint_eq(kind_count(w, TRACE_DISK_LOSS), 0);
    world_close(w);
}
END_TEST

START_TEST(test_power_failure_after_write_without_fsync_loses_the_write)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    write_text(w, "log", 0, "synced;");
    fsync_file(w, "log", 1);
    sched_run_until(&w->sched, 1 * MS);
    write_text(w, "log", 7, "lost;");
    write_text(w, "log", 0, "SYNCED;");
    assert_content(w, "log", "SYNCED;lost;");
    // Power fails: both unsynced writes go, the synced one stays.
    disk_power_fail(&w->disk);
    assert_content(w, "log", "synced;");
    ck_assert_int_eq(disk_durable_size(&w->disk, "log"), 7);
    ck_assert_int_eq(disk_pending_count(&w->disk, "log"), 0);
    ck_assert_uint_eq(disk_used_bytes(&w->disk), 7);
    ck_assert_uint_eq(kind_count(w, TRACE_DISK_LOSS), 1);
    ck_assert_str_eq(last_event(w, TRACE_DISK_LOSS)->detail, "file=log kept=0 torn=0 lost=2");
    world_close(w);
}
END_TEST

/* Memory, not the contract: an append-only file (a log segment) holds its durable bytes once,
 * as the cache's prefix, so a long run's disk costs one copy of every live segment; the first
 * write below the durable end makes the second copy that a power failure needs, and a
 * completed fsync drops it again. */
START_TEST(test_append_only_file_keeps_one_copy_and_an_overwrite_makes_the_second)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    write_fill(w, "seg", 0, 0xaa, 3000);
    const struct disk_file *f = &w->disk.files[0]; /* the only file */
    fsync_file(w, "seg", 1);
    sched_run_until(&w->sched, 1 * MS);
    write_fill(w, "seg", 3000, 0xbb, 1000);
    ck_assert(f->durable_shared);
    ck_assert_ptr_null(f->durable);
    ck_assert_int_eq(disk_durable_size(&w->disk, "seg"), 3000);
    // An overwrite below the durable end: the durable image gets its own copy.
    write_fill(w, "seg", 100, 0xcc, 10);
    ck_assert(!f->durable_shared);
    ck_assert_ptr_nonnull(f->durable);
    ck_assert_uint_eq(f->durable[100], 0xaa);
    disk_power_fail(&w->disk);
    ck_assert_int_eq(disk_size(&w->disk, "seg"), 3000);
    assert_filled(w, "seg", 0, 3000, 0xaa);
    ck_assert(f->durable_shared); /* nothing pending after the loss: one copy again */
    ck_assert_ptr_null(f->durable);
    // Overwrite, then fsync: once nothing is pending the copy goes.
    write_fill(w, "seg", 0, 0xdd, 200);
    ck_assert(!f->durable_shared);
    fsync_file(w, "seg", 2);
    sched_run_until(&w->sched, 3 * MS);
    ck_assert_int_eq(w->done.count, 2);
    ck_assert(f->durable_shared);
    ck_assert_ptr_null(f->durable);
    disk_power_fail(&w->disk);
    assert_filled(w, "seg", 0, 200, 0xdd);
    assert_filled(w, "seg", 200, 2800, 0xaa);
    world_close(w);
}
END_TEST

START_TEST(test_fsync_in_flight_at_power_failure_never_completes)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    write_text(w, "log", 0, "data");
    fsync_file(w, "log", 1);
    sched_run_until(&w->sched, 500 * US);
    disk_power_fail(&w->disk);
    ck_assert_uint_eq(disk_fsync_inflight_count(&w->disk), 0);
    ck_assert_uint_eq(sched_pending_count(&w->sched), 0);
    sched_run_until(&w->sched, 100 * MS);
    ck_assert_int_eq(w->done.count, 0);
    ck_assert_uint_eq(kind_count(w, TRACE_DISK_DURABLE), 0);
    ck_assert_int_eq(disk_size(&w->disk, "log"), 0);
    // The disk works normally afterwards.
    write_text(w, "log", 0, "again");
    fsync_file(w, "log", 2);
    sched_run_until(&w->sched, 101 * MS);
    ck_assert_int_eq(w->done.count, 1);
    ck_assert_int_eq(disk_durable_size(&w->disk, "log"), 5);
    world_close(w);
}
END_TEST

START_TEST(test_file_created_and_written_without_fsync_survives_power_failure_empty)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    write_fill(w, "00000000000000000000.log", 0, 'r', 300);
    ck_assert_int_eq(disk_write(&w->disk, "empty", 0, NULL, 0), ENV_OK);
    disk_power_fail(&w->disk);
    // The journaled directory entries survive; the data does not.
    ck_assert_int_eq(disk_size(&w->disk, "00000000000000000000.log"), 0);
    ck_assert_int_eq(disk_size(&w->disk, "empty"), 0);
    ck_assert_uint_eq(disk_used_bytes(&w->disk), 0);
    world_close(w);
}
END_TEST

/* The random mode, checked against a model: what survives must be the synced base plus some
 * prefix of the pending writes, possibly followed by a sector-aligned prefix of the next one. */
#define BASE_LEN 1500
#define BASE_BYTE 0xee
#define IMAGE_MAX 4096

static const struct {
    uint64_t offset;
    uint64_t len;
} pending_writes[] = {
    {1000, 700}, /* sectors 1..3, crosses the synced end */
    {100, 50},   /* inside sector 0 */
    {1400, 1500}, /* sectors 2..5, extends the file */
    {3000, 10},  /* leaves a hole of zeros */
    {511, 2},    /* straddles the first sector boundary */
    {2048, 1024}, /* aligned, two sectors */
};
#define PENDING_COUNT (sizeof pending_writes / sizeof pending_writes[0])

struct image {
    uint8_t bytes[IMAGE_MAX];
    uint64_t size;
};

static void image_apply(struct image *img, uint64_t offset, uint64_t len, uint8_t byte)
{
    ck_assert_uint_le(offset + len, IMAGE_MAX);
    if (offset + len > img->size) {
        memset(img->bytes + img->size, 0, offset + len - img->size);
        img->size = offset + len;
    }
    memset(img->bytes + offset, byte, len);
}

static bool image_equal(const struct image *a, const struct image *b)
{
    return a->size == b->size && memcmp(a->bytes, b->bytes, a->size) == 0;
}

/* Which state `actual` is: sets *kept, and *landed (bytes of the torn write, 0 if none). */
static bool classify(const struct image *actual, uint32_t *kept, uint64_t *landed)
{
    static struct image model;
    memset(&model, 0, sizeof model);
    image_apply(&model, 0, BASE_LEN, BASE_BYTE);
    for (uint32_t k = 0; k <= PENDING_COUNT; k++) {
        if (image_equal(&model, actual)) {
            *kept = k;
            *landed = 0;
            return true;
        }
        if (k == PENDING_COUNT) {
            break;
        }
        uint64_t offset = pending_writes[k].offset;
        uint64_t len = pending_writes[k].len;
        // Torn at each sector boundary strictly inside the write.
        for (uint64_t b = (offset / DISK_SECTOR_BYTES + 1) * DISK_SECTOR_BYTES;
             b < offset + len; b += DISK_SECTOR_BYTES) {
            static struct image torn;
            torn = model;
            image_apply(&torn, offset, b - offset, (uint8_t)(k + 1));
            if (image_equal(&torn, actual)) {
                *kept = k;
                *landed = b - offset;
                return true;
            }
        }
        image_apply(&model, offset, len, (uint8_t)(k + 1));
    }
    return false;
}

/* Runs one seed; returns the kept count and sets *landed to the torn bytes. */
static uint32_t power_fail_one_seed(uint64_t seed, uint64_t *landed)
{
    struct disk_cfg cfg = cfg_exact();
    struct world *w = world_open(seed, &cfg);
    write_fill(w, "seg", 0, BASE_BYTE, BASE_LEN);
    fsync_file(w, "seg", 0);
    sched_run_until(&w->sched, 1 * MS);
    for (uint32_t i = 0; i < PENDING_COUNT; i++) {
        write_fill(w, "seg", pending_writes[i].offset, (uint8_t)(i + 1), pending_writes[i].len);
    }
    disk_power_fail(&w->disk);
    static struct image actual;
    int64_t size = disk_size(&w->disk, "seg");
    ck_assert_int_le(size, IMAGE_MAX);
    actual.size = (uint64_t)size;
    ck_assert_int_eq(disk_read(&w->disk, "seg", 0, actual.bytes, IMAGE_MAX), size);
    uint32_t kept;
    ck_assert_msg(classify(&actual, &kept, landed), "seed %lu: not prefix-consistent",
                  (unsigned long)seed);
    // The trace tells the same story.
    if (kept == PENDING_COUNT) {
        ck_assert_uint_eq(kind_count(w, TRACE_DISK_LOSS), 0);
    } else {
        // A tear that landed no bytes looks like a plain loss, so only then is torn= open.
        char prefix[64];
        snprintf(prefix, sizeof prefix, "file=seg kept=%u torn=%s", kept, *landed > 0 ? "1" : "");
        const char *detail = last_event(w, TRACE_DISK_LOSS)->detail;
        ck_assert_msg(strncmp(detail, prefix, strlen(prefix)) == 0, "seed %lu: %s",
                      (unsigned long)seed, detail);
    }
    ck_assert_int_eq(disk_durable_size(&w->disk, "seg"), size);
    world_close(w);
    return kept;
}

START_TEST(test_power_failure_in_random_mode_always_leaves_a_prefix_consistent_state)
{
    int torn = 0;
    int kept_some = 0;
    int kept_all = 0;
    int kept_none = 0;
    for (uint64_t seed = 1; seed <= 400; seed++) {
        uint64_t landed = 0;
        uint32_t kept = power_fail_one_seed(seed, &landed);
        torn += landed > 0;
        kept_some += kept > 0 && kept < PENDING_COUNT;
        kept_all += kept == PENDING_COUNT;
        kept_none += kept == 0 && landed == 0;
    }
    // Every outcome the fault model allows shows up across the seeds.
    ck_assert_int_gt(torn, 0);
    ck_assert_int_gt(kept_some, 0);
    ck_assert_int_gt(kept_all, 0);
    ck_assert_int_gt(kept_none, 0);
}
END_TEST

/* ---- namespace operations ---- */

START_TEST(test_rename_replaces_the_target_atomically_and_survives_power_failure)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    // The checkpoint pattern: old file synced, new contents written to a temp and synced.
    write_text(w, "leader-epoch-checkpoint", 0, "old");
    write_text(w, "leader-epoch-checkpoint.tmp", 0, "new!");
    fsync_file(w, "leader-epoch-checkpoint", 1);
    fsync_file(w, "leader-epoch-checkpoint.tmp", 2);
    sched_run_until(&w->sched, 1 * MS);
    ck_assert_int_eq(disk_rename(&w->disk, "leader-epoch-checkpoint.tmp",
                                 "leader-epoch-checkpoint"),
                     ENV_OK);
    assert_content(w, "leader-epoch-checkpoint", "new!");
    ck_assert_int_eq(disk_size(&w->disk, "leader-epoch-checkpoint.tmp"), -ENV_ENOENT);
    ck_assert_uint_eq(disk_used_bytes(&w->disk), 4);
    // Power fails right after: the rename is journaled, the new contents were synced.
    disk_power_fail(&w->disk);
    assert_content(w, "leader-epoch-checkpoint", "new!");
    ck_assert_int_eq(disk_size(&w->disk, "leader-epoch-checkpoint.tmp"), -ENV_ENOENT);
    // Renaming a file onto itself is a no-op.
    ck_assert_int_eq(disk_rename(&w->disk, "leader-epoch-checkpoint", "leader-epoch-checkpoint"),
                     ENV_OK);
    assert_content(w, "leader-epoch-checkpoint", "new!");
    world_close(w);
}
END_TEST

START_TEST(test_rename_carries_pending_writes_and_the_fsync_in_flight_with_the_file)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    write_text(w, "snap.tmp", 0, "snapshot");
    fsync_file(w, "snap.tmp", 5);
    write_text(w, "snap.tmp", 8, "+tail");
    // Renamed while its fsync is in flight: the fsync follows the file.
    ck_assert_int_eq(disk_rename(&w->disk, "snap.tmp", "snap"), ENV_OK);
    ck_assert_int_eq(disk_pending_count(&w->disk, "snap"), 2);
    sched_run_until(&w->sched, 1 * MS);
    ck_assert_int_eq(w->done.count, 1);
    ck_assert_int_eq(w->done.errs[0], ENV_OK);
    ck_assert_str_eq(last_event(w, TRACE_DISK_DURABLE)->detail,
                     "file=snap.tmp token=5 writes=1");
    ck_assert_int_eq(disk_durable_size(&w->disk, "snap"), 8);
    ck_assert_int_eq(disk_pending_count(&w->disk, "snap"), 1);
    disk_power_fail(&w->disk);
    assert_content(w, "snap", "snapshot");
    world_close(w);
}
END_TEST

START_TEST(test_remove_deletes_the_file_and_a_recreated_name_is_a_new_file)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    write_text(w, "a", 0, "first");
    fsync_file(w, "a", 1);
    // Removed and re-created while the first file's fsync is in flight.
    ck_assert_int_eq(disk_remove(&w->disk, "a"), ENV_OK);
    ck_assert_int_eq(disk_size(&w->disk, "a"), -ENV_ENOENT);
    ck_assert_uint_eq(disk_used_bytes(&w->disk), 0);
    write_text(w, "a", 0, "second");
    sched_run_until(&w->sched, 1 * MS);
    // The fsync finishes without error but does not cover the new file's write.
    ck_assert_int_eq(w->done.count, 1);
    ck_assert_int_eq(w->done.errs[0], ENV_OK);
    ck_assert_str_eq(last_event(w, TRACE_DISK_DURABLE)->detail, "file=a token=1 writes=0");
    ck_assert_int_eq(disk_durable_size(&w->disk, "a"), 0);
    ck_assert_int_eq(disk_pending_count(&w->disk, "a"), 1);
    // Remove again; after power failure it stays removed.
    ck_assert_int_eq(disk_remove(&w->disk, "a"), ENV_OK);
    disk_power_fail(&w->disk);
    ck_assert_int_eq(disk_size(&w->disk, "a"), -ENV_ENOENT);
    ck_assert_uint_eq(w->disk.file_count, 0);
    world_close(w);
}
END_TEST

START_TEST(test_truncate_shrinks_both_images_at_once_and_clips_pending_writes)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    write_fill(w, "seg", 0, 'A', 1000);
    fsync_file(w, "seg", 1);
    sched_run_until(&w->sched, 1 * MS);
    write_fill(w, "seg", 800, 'B', 1000); /* crosses the cut: clipped to [800, 1200) */
    write_fill(w, "seg", 1900, 'C', 100); /* beyond the cut: dropped */
    ck_assert_int_eq(disk_truncate(&w->disk, "seg", 1200), ENV_OK);
    // Both images are 1200 bytes at once; one pending write remains.
    ck_assert_int_eq(disk_size(&w->disk, "seg"), 1200);
    ck_assert_int_eq(disk_durable_size(&w->disk, "seg"), 1200);
    ck_assert_int_eq(disk_pending_count(&w->disk, "seg"), 1);
    ck_assert_uint_eq(disk_used_bytes(&w->disk), 1200);
    assert_filled(w, "seg", 0, 800, 'A');
    assert_filled(w, "seg", 800, 400, 'B');
    // Power fails: the truncated durable image, zeros where the durable image grew.
    disk_power_fail(&w->disk);
    ck_assert_int_eq(disk_size(&w->disk, "seg"), 1200);
    assert_filled(w, "seg", 0, 1000, 'A');
    assert_filled(w, "seg", 1000, 200, 0);
    world_close(w);
}
END_TEST

START_TEST(test_truncate_then_fsync_makes_the_clipped_write_durable)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    write_fill(w, "seg", 0, 'A', 1000);
    write_fill(w, "seg", 800, 'B', 1000);
    ck_assert_int_eq(disk_truncate(&w->disk, "seg", 1200), ENV_OK);
    fsync_file(w, "seg", 1);
    sched_run_until(&w->sched, 1 * MS);
    disk_power_fail(&w->disk);
    ck_assert_int_eq(disk_size(&w->disk, "seg"), 1200);
    assert_filled(w, "seg", 0, 800, 'A');
    assert_filled(w, "seg", 800, 400, 'B');
    world_close(w);
}
END_TEST

START_TEST(test_truncate_that_grows_the_file_fills_with_zeros)
{
    struct world *w = world_open(1, NULL);
    write_text(w, "f", 0, "0123456789");
    ck_assert_int_eq(disk_truncate(&w->disk, "f", 4), ENV_OK);
    ck_assert_int_eq(disk_truncate(&w->disk, "f", 100), ENV_OK);
    ck_assert_int_eq(disk_size(&w->disk, "f"), 100);
    ck_assert_int_eq(disk_durable_size(&w->disk, "f"), 100);
    char buf[4];
    ck_assert_int_eq(disk_read(&w->disk, "f", 0, buf, 4), 4);
    ck_assert_mem_eq(buf, "0123", 4);
    // The old bytes 4..9 do not come back: the grown part is zeros.
    assert_filled(w, "f", 4, 96, 0);
    ck_assert_uint_eq(disk_used_bytes(&w->disk), 100);
    world_close(w);
}
END_TEST

struct names {
    char list[16][DISK_NAME_MAX];
    int count;
};

static void collect(void *arg, const char *name)
{
    struct names *n = arg;
    ck_assert_int_lt(n->count, 16);
    snprintf(n->list[n->count++], DISK_NAME_MAX, "%s", name);
}

START_TEST(test_list_by_prefix_returns_names_in_byte_order)
{
    struct world *w = world_open(1, NULL);
    const char *created[] = {"b/2", "a", "b/10", "b/1", "c", "b", "B/x"};
    for (size_t i = 0; i < sizeof created / sizeof created[0]; i++) {
        ck_assert_int_eq(disk_write(&w->disk, created[i], 0, NULL, 0), ENV_OK);
    }
    struct names n = {0};
    ck_assert_int_eq(disk_list(&w->disk, "b/", collect, &n), ENV_OK);
    ck_assert_int_eq(n.count, 3);
    ck_assert_str_eq(n.list[0], "b/1");
    ck_assert_str_eq(n.list[1], "b/10");
    ck_assert_str_eq(n.list[2], "b/2");
    // The empty prefix lists everything; upper case sorts first in byte order.
    memset(&n, 0, sizeof n);
    ck_assert_int_eq(disk_list(&w->disk, "", collect, &n), ENV_OK);
    ck_assert_int_eq(n.count, 7);
    const char *all[] = {"B/x", "a", "b", "b/1", "b/10", "b/2", "c"};
    for (int i = 0; i < 7; i++) {
        ck_assert_str_eq(n.list[i], all[i]);
    }
    memset(&n, 0, sizeof n);
    ck_assert_int_eq(disk_list(&w->disk, "zz", collect, &n), ENV_OK);
    ck_assert_int_eq(n.count, 0);
    world_close(w);
}
END_TEST

/* ---- faults ---- */

START_TEST(test_slow_disk_adds_exact_latency_to_fsyncs_issued_while_slow)
{
    struct disk_cfg cfg = cfg_exact();
    struct world *w = world_open(1, &cfg);
    write_text(w, "log", 0, "x");
    disk_set_slow(&w->disk, 20 * MS);
    ck_assert_str_eq(last_event(w, TRACE_DISK_FAULT)->detail, "slow extra_ns=20000000");
    fsync_file(w, "log", 1);
    sched_run_until(&w->sched, 21 * MS - 1);
    ck_assert_int_eq(w->done.count, 0);
    sched_run_until(&w->sched, 21 * MS);
    ck_assert_int_eq(w->done.count, 1);
    // Healthy again: 1 ms.
    disk_set_slow(&w->disk, 0);
    fsync_file(w, "log", 2);
    sched_run_until(&w->sched, 30 * MS);
    ck_assert_int_eq(w->done.count, 2);
    ck_assert_int_eq(w->done.times[1], 22 * MS);
    world_close(w);
}
END_TEST

START_TEST(test_stall_holds_completions_until_the_stall_ends)
{
    struct disk_cfg cfg = cfg_exact();
    struct world *w = world_open(1, &cfg);
    write_text(w, "log", 0, "x");
    // A is in flight (due 1 ms) when the disk stalls until 10 ms.
    fsync_file(w, "log", 1);
    disk_stall(&w->disk, 10 * MS);
    ck_assert_str_eq(last_event(w, TRACE_DISK_FAULT)->detail, "stall until_ns=10000000");
    // B is issued during the stall at 2 ms.
    sched_run_until(&w->sched, 2 * MS);
    fsync_file(w, "log", 2);
    sched_run_until(&w->sched, 10 * MS - 1);
    ck_assert_int_eq(w->done.count, 0);
    ck_assert_int_eq(disk_durable_size(&w->disk, "log"), 0);
    // Both complete at the stall's end, in issue order.
    sched_run_until(&w->sched, 10 * MS);
    ck_assert_int_eq(w->done.count, 2);
    ck_assert_uint_eq(w->done.tokens[0], 1);
    ck_assert_uint_eq(w->done.tokens[1], 2);
    ck_assert_int_eq(w->done.times[1], 10 * MS);
    ck_assert_int_eq(disk_durable_size(&w->disk, "log"), 1);
    // After the stall, fsyncs take their normal 1 ms.
    fsync_file(w, "log", 3);
    sched_run_until(&w->sched, 20 * MS);
    ck_assert_int_eq(w->done.times[2], 11 * MS);
    world_close(w);
}
END_TEST

START_TEST(test_shortened_stall_releases_fsyncs_sooner_but_not_before_latency)
{
    struct disk_cfg cfg = cfg_exact();
    struct world *w = world_open(1, &cfg);
    disk_stall(&w->disk, 50 * MS);
    sched_run_until(&w->sched, 1 * MS);
    fsync_file(w, "a", 1); /* own latency ends at 2 ms */
    sched_run_until(&w->sched, 4 * MS);
    fsync_file(w, "b", 2); /* own latency ends at 5 ms */
    // At 4.5 ms the stall is lifted: A fires at once, B at its own 5 ms.
    sched_run_until(&w->sched, 4500 * US);
    disk_stall(&w->disk, 0);
    sched_run_until(&w->sched, 60 * MS);
    ck_assert_int_eq(w->done.count, 2);
    ck_assert_int_eq(w->done.times[0], 4500 * US);
    ck_assert_int_eq(w->done.times[1], 5 * MS);
    world_close(w);
}
END_TEST

START_TEST(test_write_past_capacity_fails_with_enospc_and_writes_nothing)
{
    struct disk_cfg cfg = cfg_exact();
    cfg.capacity_bytes = 1000;
    struct world *w = world_open(1, &cfg);
    write_fill(w, "a", 0, 'a', 600);
    uint8_t block[500];
    memset(block, 'b', sizeof block);
    // A new 500-byte file would need 1100 bytes.
    ck_assert_int_eq(disk_write(&w->disk, "b", 0, block, 500), -ENV_ENOSPC);
    ck_assert_int_eq(disk_size(&w->disk, "b"), -ENV_ENOENT);
    ck_assert_uint_eq(disk_used_bytes(&w->disk), 600);
    ck_assert_uint_eq(kind_count(w, TRACE_DISK_FAULT), 1);
    ck_assert_str_eq(last_event(w, TRACE_DISK_FAULT)->detail,
                     "enospc file=b offset=0 len=500 used=600 capacity=1000");
    // Overwriting in place needs no space; growing to exactly the capacity fits.
    ck_assert_int_eq(disk_write(&w->disk, "a", 0, block, 500), ENV_OK);
    ck_assert_int_eq(disk_write(&w->disk, "a", 600, block, 400), ENV_OK);
    ck_assert_uint_eq(disk_used_bytes(&w->disk), 1000);
    // One byte more fails, and the file is untouched.
    ck_assert_int_eq(disk_write(&w->disk, "a", 999, block, 2), -ENV_ENOSPC);
    ck_assert_int_eq(disk_size(&w->disk, "a"), 1000);
    assert_filled(w, "a", 999, 1, 'b');
    ck_assert_int_eq(disk_pending_count(&w->disk, "a"), 3);
    // Freeing space lets writes through again.
    ck_assert_int_eq(disk_truncate(&w->disk, "a", 10), ENV_OK);
    ck_assert_int_eq(disk_write(&w->disk, "b", 0, block, 500), ENV_OK);
    world_close(w);
}
END_TEST

static int bits_differing(const uint8_t *a, const uint8_t *b, size_t len)
{
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        bits += __builtin_popcount((unsigned)(a[i] ^ b[i]));
    }
    return bits;
}

START_TEST(test_read_corruption_at_one_million_ppm_flips_one_bit_and_the_file_is_intact)
{
    struct disk_cfg cfg = cfg_exact();
    cfg.read_corrupt_ppm = RNG_PPM;
    struct world *w = world_open(7, &cfg);
    uint8_t original[64];
    for (size_t i = 0; i < sizeof original; i++) {
        original[i] = (uint8_t)(i * 37);
    }
    ck_assert_int_eq(disk_write(&w->disk, "f", 0, original, sizeof original), ENV_OK);
    for (int round = 0; round < 20; round++) {
        uint8_t buf[64];
        ck_assert_int_eq(disk_read(&w->disk, "f", 0, buf, sizeof buf), 64);
        ck_assert_int_eq(bits_differing(buf, original, sizeof buf), 1);
    }
    ck_assert_uint_eq(kind_count(w, TRACE_DISK_FAULT), 20);
    const char *expected = "read-corrupt file=f offset=0 bit=";
    ck_assert(strncmp(last_event(w, TRACE_DISK_FAULT)->detail, expected, strlen(expected)) == 0);
    // With corruption off the same file reads back exactly.
    disk_set_read_corruption(&w->disk, 0);
    uint8_t clean[64];
    ck_assert_int_eq(disk_read(&w->disk, "f", 0, clean, sizeof clean), 64);
    ck_assert_mem_eq(clean, original, sizeof original);
    world_close(w);
}
END_TEST

/* ---- determinism and a random workload ---- */

/* A mixed workload on a random-latency, random-loss disk; returns the trace hash. */
static uint64_t workload_hash(uint64_t seed)
{
    struct world *w = world_open(seed, NULL);
    for (int i = 0; i < 50; i++) {
        const char *name = i % 3 == 0 ? "a" : (i % 3 == 1 ? "b" : "c");
        write_fill(w, name, (uint64_t)(i * 97), (uint8_t)i, (size_t)(100 + i * 13));
        if (i % 4 == 0) {
            fsync_file(w, name, (uint64_t)i);
        }
        sched_run_until(&w->sched, (i + 1) * 300 * US);
        if (i == 30) {
            disk_power_fail(&w->disk);
        }
    }
    sched_run_until(&w->sched, 100 * MS);
    disk_power_fail(&w->disk);
    uint64_t hash = trace_hash(&w->trace);
    world_close(w);
    return hash;
}

START_TEST(test_same_seed_gives_the_same_trace_hash_and_another_seed_does_not)
{
    ck_assert_uint_eq(workload_hash(11), workload_hash(11));
    ck_assert_uint_ne(workload_hash(11), workload_hash(12));
}
END_TEST

#define SOAK_NAMES 5
static const char *const soak_names[SOAK_NAMES] = {"a", "b", "c/1", "c/2", "d"};

struct soak_model {
    bool exists[SOAK_NAMES];
    struct image image[SOAK_NAMES];
};

/* The cache must always be the durable image with the pending writes replayed over it. */
static void assert_cache_is_durable_plus_pending(const struct disk_file *f)
{
    static struct image replay;
    ck_assert_uint_le(f->durable_size, IMAGE_MAX);
    replay.size = f->durable_size;
    if (f->durable_size > 0) {
        memcpy(replay.bytes, disk_file_durable(f), f->durable_size);
    }
    for (uint32_t i = 0; i < f->pending_count; i++) {
        const struct disk_write_pending *p = &f->pending[i];
        image_apply(&replay, p->offset, p->len, 0);
        memcpy(replay.bytes + p->offset, p->bytes, p->len);
    }
    ck_assert_uint_eq(replay.size, f->cache_size);
    ck_assert(f->cache_size == 0 || memcmp(replay.bytes, f->cache, f->cache_size) == 0);
}

static void soak_verify(struct world *w, const struct soak_model *m)
{
    ck_assert(disk_check(&w->disk));
    uint64_t used = 0;
    for (int i = 0; i < SOAK_NAMES; i++) {
        int64_t size = disk_size(&w->disk, soak_names[i]);
        if (!m->exists[i]) {
            ck_assert_int_eq(size, -ENV_ENOENT);
            continue;
        }
        static uint8_t buf[IMAGE_MAX];
        ck_assert_int_eq(size, (int64_t)m->image[i].size);
        ck_assert_int_eq(disk_read(&w->disk, soak_names[i], 0, buf, IMAGE_MAX), size);
        ck_assert(memcmp(buf, m->image[i].bytes, (size_t)size) == 0);
        used += (uint64_t)size;
    }
    ck_assert_uint_eq(disk_used_bytes(&w->disk), used);
    for (uint32_t i = 0; i < w->disk.file_count; i++) {
        assert_cache_is_durable_plus_pending(&w->disk.files[i]);
    }
}

/* After a power failure the model can only learn the new state from the disk itself. */
static void soak_reload(struct world *w, struct soak_model *m)
{
    for (int i = 0; i < SOAK_NAMES; i++) {
        int64_t size = disk_size(&w->disk, soak_names[i]);
        ck_assert_int_eq(size >= 0, m->exists[i]);
        if (size >= 0) {
            ck_assert_int_le(size, (int64_t)m->image[i].size);
            m->image[i].size = (uint64_t)size;
            disk_read(&w->disk, soak_names[i], 0, m->image[i].bytes, IMAGE_MAX);
        }
    }
}

/* One random operation; the clock moves by up to `pause_max` at a time. */
static void soak_step(struct world *w, struct soak_model *m, struct rng *r, int step,
                      time_ns pause_max)
{
    int i = (int)rng_below(r, SOAK_NAMES);
    int j = (int)rng_below(r, SOAK_NAMES);
    uint64_t op = rng_below(r, 100);
    if (op < 45) {
        uint64_t offset = rng_below(r, 2000);
        uint64_t len = rng_below(r, 900);
        write_fill(w, soak_names[i], offset, (uint8_t)(step + 1), len);
        if (!m->exists[i]) {
            m->exists[i] = true;
            m->image[i].size = 0;
        }
        if (len > 0) {
            image_apply(&m->image[i], offset, len, (uint8_t)(step + 1));
        }
    } else if (op < 60) {
        fsync_file(w, soak_names[i], (uint64_t)step);
    } else if (op < 75) {
        sched_run_until(&w->sched, sched_now(&w->sched) + (time_ns)rng_below(r, pause_max));
    } else if (op < 83 && m->exists[i]) {
        uint64_t size = rng_below(r, 2500);
        ck_assert_int_eq(disk_truncate(&w->disk, soak_names[i], size), ENV_OK);
        if (size > m->image[i].size) {
            memset(m->image[i].bytes + m->image[i].size, 0, size - m->image[i].size);
        }
        m->image[i].size = size;
    } else if (op < 90 && m->exists[i]) {
        ck_assert_int_eq(disk_rename(&w->disk, soak_names[i], soak_names[j]), ENV_OK);
        if (i != j) {
            m->image[j] = m->image[i];
            m->exists[j] = true;
            m->exists[i] = false;
        }
    } else if (op < 95 && m->exists[i]) {
        ck_assert_int_eq(disk_remove(&w->disk, soak_names[i]), ENV_OK);
        m->exists[i] = false;
    } else if (op >= 98) {
        disk_power_fail(&w->disk);
        soak_reload(w, m);
    }
}

/* Returns the writeback passes the soak saw, summed over its seeds. */
static uint64_t soak(time_ns pause_max, const struct disk_cfg *cfg)
{
    static struct soak_model m;
    uint64_t passes = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        memset(&m, 0, sizeof m);
        struct world *w = world_open(seed, cfg);
        struct rng r;
        rng_init(&r, seed, "test-disk-soak", 0);
        for (int step = 0; step < 400; step++) {
            soak_step(w, &m, &r, step, pause_max);
            soak_verify(w, &m);
        }
        sched_run_until(&w->sched, sched_now(&w->sched) + 1000 * MS);
        // Every fsync issued has completed; nothing is left in the scheduler.
        ck_assert_uint_eq(disk_fsync_inflight_count(&w->disk), 0);
        soak_verify(w, &m);
        passes += w->disk.writeback_passes;
        world_close(w);
    }
    return passes;
}

START_TEST(test_random_workload_keeps_the_cache_model_and_every_invariant)
{
    soak(3 * MS, NULL);
}
END_TEST

/* The same with pauses of up to 3 s, a flusher that wakes every 0.5 s for data 1 s old and a
 * background threshold, so writeback lands between fsyncs, truncates, renames and power
 * failures. */
START_TEST(test_random_workload_with_writeback_keeps_the_cache_model_and_every_invariant)
{
    struct disk_cfg cfg = disk_cfg_default();
    cfg.vm.dirty_writeback_centisecs = 50;
    cfg.vm.dirty_expire_centisecs = 100;
    cfg.vm.dirty_background_bytes = 3000;
    ck_assert_uint_gt(soak(3 * SEC, &cfg), 100);
}
END_TEST

/* Several disks counted into one total: it follows every write, truncate, removal and power
 * failure on either, and its peak is the most they held at once (the bench reads it as the
 * bytes a run's retention kept). */
START_TEST(disks_counted_together_keep_their_sum_and_its_peak)
{
    struct disk_cfg cfg = cfg_exact_keeps_none();
    struct world *w = world_open(1, &cfg);
    struct disk other;
    disk_init(&other, &w->sched, &w->trace, 2, HOST + 1, &cfg);
    struct disk_total total = {0, 0};
    disk_count_into(&w->disk, &total);
    disk_count_into(&other, &total);
    write_fill(w, "a", 0, 'a', 100);
    uint8_t b[50];
    memset(b, 'b', sizeof b);
    ck_assert_int_eq(disk_write(&other, "b", 0, b, sizeof b), ENV_OK);
    ck_assert_uint_eq(total.used, 150);
    ck_assert_uint_eq(total.peak, 150);
    ck_assert_int_eq(disk_truncate(&w->disk, "a", 20), ENV_OK);
    ck_assert_uint_eq(total.used, 70);
    ck_assert_int_eq(disk_remove(&other, "b"), ENV_OK);
    ck_assert_uint_eq(total.used, 20);
    write_fill(w, "a", 20, 'a', 30); /* 50 on the disks, below the peak */
    ck_assert_uint_eq(total.used, 50);
    disk_power_fail(&w->disk); /* nothing was fsynced: the cache goes */
    ck_assert_uint_eq(total.used, disk_used_bytes(&w->disk) + disk_used_bytes(&other));
    ck_assert_uint_lt(total.used, 50);
    ck_assert_uint_eq(total.peak, 150);
    disk_free(&other);
    world_close(w);
}
END_TEST

static Suite *disk_suite(void)
{
    Suite *s = suite_create("disk");
    TCase *cache = tcase_create("page cache");
    tcase_add_test(cache, test_write_then_read_returns_the_bytes_and_size_is_the_cache_size);
    tcase_add_test(cache, test_read_past_the_end_returns_fewer_bytes_and_zero_at_the_end);
    tcase_add_test(cache, test_write_past_the_end_extends_the_file_with_zeros);
    tcase_add_test(cache, test_missing_file_gives_enoent_and_bad_names_give_einval);
    suite_add_tcase(s, cache);

    TCase *fsync = tcase_create("fsync");
    tcase_add_test(fsync, test_fsync_completes_at_exactly_1ms_and_makes_the_write_durable);
    tcase_add_test(fsync, test_fsync_covers_only_writes_issued_before_it_and_only_its_own_file);
    tcase_add_test(fsync, test_fsync_of_missing_file_completes_with_enoent_after_the_same_latency);
    tcase_add_test(fsync, test_fsyncs_complete_in_issue_order_when_a_later_one_is_faster);
    tcase_add_test(fsync, test_fsyncs_with_random_latency_complete_in_issue_order_within_bounds);
    tcase_add_test(fsync, test_completion_callback_may_issue_the_next_fsync);
    suite_add_tcase(s, fsync);

    TCase *loss = tcase_create("crash and power failure");
    tcase_set_timeout(loss, 60);
    tcase_add_test(loss, test_crash_keeps_everything_and_the_fsync_in_flight_still_completes);
    tcase_add_test(loss, test_power_failure_after_write_without_fsync_loses_the_write);
    tcase_add_test(loss, test_fsync_in_flight_at_power_failure_never_completes);
    tcase_add_test(loss, test_append_only_file_keeps_one_copy_and_an_overwrite_makes_the_second);
    tcase_add_test(loss, test_file_created_and_written_without_fsync_survives_power_failure_empty);
    tcase_add_test(loss, test_power_failure_in_random_mode_always_leaves_a_prefix_consistent_state);
    suite_add_tcase(s, loss);

    TCase *wb = tcase_create("kernel writeback");
    tcase_add_test(wb, test_data_written_40s_before_a_power_failure_survives_with_the_defaults);
    tcase_add_test(wb, test_data_written_2s_before_a_power_failure_is_lost);
    tcase_add_test(wb, test_writeback_disabled_loses_every_unsynced_write_and_schedules_nothing);
    tcase_add_test(wb, test_writeback_turned_off_after_the_write_loses_it_too);
    tcase_add_test(wb, test_fsync_is_still_durable_at_once_and_leaves_the_flusher_nothing);
    tcase_add_test(wb, test_a_write_at_1s_is_durable_at_the_first_wake_at_or_after_31s);
    tcase_add_test(wb, test_an_expired_file_is_written_back_whole_with_its_recent_writes);
    tcase_add_test(wb, test_crash_loses_nothing_and_the_flusher_keeps_running);
    tcase_add_test(wb, test_power_failure_stops_the_flusher_until_the_next_write);
    tcase_add_test(wb, test_a_new_writeback_period_writes_everything_back_at_once);
    tcase_add_test(wb, test_a_stalled_disk_writes_nothing_back_until_the_stall_ends);
    tcase_add_test(wb, test_above_dirty_background_bytes_the_oldest_files_are_written_back);
    suite_add_tcase(s, wb);

    TCase *names = tcase_create("namespace and truncate");
    tcase_add_test(names, test_rename_replaces_the_target_atomically_and_survives_power_failure);
    tcase_add_test(names, test_rename_carries_pending_writes_and_the_fsync_in_flight_with_the_file);
    tcase_add_test(names, test_remove_deletes_the_file_and_a_recreated_name_is_a_new_file);
    tcase_add_test(names, test_truncate_shrinks_both_images_at_once_and_clips_pending_writes);
    tcase_add_test(names, test_truncate_then_fsync_makes_the_clipped_write_durable);
    tcase_add_test(names, test_truncate_that_grows_the_file_fills_with_zeros);
    tcase_add_test(names, test_list_by_prefix_returns_names_in_byte_order);
    suite_add_tcase(s, names);

    TCase *faults = tcase_create("faults");
    tcase_add_test(faults, test_slow_disk_adds_exact_latency_to_fsyncs_issued_while_slow);
    tcase_add_test(faults, test_stall_holds_completions_until_the_stall_ends);
    tcase_add_test(faults, test_shortened_stall_releases_fsyncs_sooner_but_not_before_latency);
    tcase_add_test(faults, test_write_past_capacity_fails_with_enospc_and_writes_nothing);
    tcase_add_test(faults,
                   test_read_corruption_at_one_million_ppm_flips_one_bit_and_the_file_is_intact);
    suite_add_tcase(s, faults);

    TCase *whole = tcase_create("determinism and invariants");
    tcase_set_timeout(whole, 120);
    tcase_add_test(whole, test_same_seed_gives_the_same_trace_hash_and_another_seed_does_not);
    tcase_add_test(whole, test_random_workload_keeps_the_cache_model_and_every_invariant);
    tcase_add_test(whole, disks_counted_together_keep_their_sum_and_its_peak);
    tcase_add_test(whole,
                   test_random_workload_with_writeback_keeps_the_cache_model_and_every_invariant);
    suite_add_tcase(s, whole);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(disk_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failures = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failures == 0 ? 0 : 1;
}
