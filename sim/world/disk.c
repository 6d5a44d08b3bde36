/* disk.c — the simulated disk: two images per file, pending writes between them, fsync events. */
#include "world/disk.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * How the pieces fit (the contract itself is in disk.h):
 *
 * - Files live in one array sorted by name (strcmp, i.e. byte order), so lookups are a binary
 *   search and listing order is defined without a hash table.
 * - Every non-empty write lands in the cache and is also copied into the file's pending list
 *   with a disk-wide sequence number. The durable image only ever changes by replaying pending
 *   writes (fsync completion, power failure) or by truncate, which is journaled.
 * - An fsync records the latest sequence number at issue and the file's id. On completion it
 *   replays that file's pending writes up to the recorded sequence. Ids, not names, because a
 *   rename moves the file and an fd-based fsync follows the inode.
 * - fsyncs in flight form a FIFO. Their due times never decrease along it and the scheduler
 *   breaks ties by insertion order, so the one that fires is always the head.
 * - The flusher is one scheduler event per disk, armed only while something may be dirty, so
 *   an idle disk schedules nothing. Its pass walks the files in name order; the kernel walks
 *   inodes in dirtied_when order, but a pass here is instant, so the order changes nothing.
 */

struct disk_sync {
    struct disk_sync *next;
    uint64_t id;        /* the scheduler event's arg: the head must carry it when it fires */
    uint64_t file_id;   /* 0 when the file did not exist at issue */
    uint64_t write_seq; /* writes with seq <= this are covered */
    uint64_t token;
    disk_done_fn done;
    void *ctx;
    time_ns base_due; /* issue time + latency + slowness: what a stall cannot shorten */
    time_ns due;
    sched_timer timer;
    char name[DISK_NAME_MAX]; /* the name at issue, for the trace */
};

struct disk_cfg disk_cfg_default(void)
{
    return (struct disk_cfg){
        .fsync_latency_min = 200 * NS_PER_US,
        .fsync_latency_max = 2 * NS_PER_MS,
        .capacity_bytes = 0,
        .read_corrupt_ppm = 0,
        .power_loss_keeps_none = false,
        .vm = disk_vm_default(),
    };
}

static bool cfg_valid(const struct disk_cfg *cfg)
{
    return cfg->fsync_latency_min >= 0 && cfg->fsync_latency_min <= cfg->fsync_latency_max &&
           cfg->read_corrupt_ppm <= RNG_PPM;
}

void disk_init(struct disk *d, struct sched *sched, struct trace *trace, uint64_t seed,
               int host, const struct disk_cfg *cfg)
{
    KS_ASSERT(sched != NULL);
    KS_ASSERT(trace != NULL);
    KS_ASSERT(host >= 0);
    memset(d, 0, sizeof *d);
    d->sched = sched;
    d->trace = trace;
    d->host = host;
    d->cfg = cfg != NULL ? *cfg : disk_cfg_default();
    KS_ASSERT(cfg_valid(&d->cfg));
    rng_init(&d->rng, seed, "disk", (uint64_t)host);
    KS_ASSERT(disk_check(d));
}

static time_ns now(const struct disk *d) { return sched_now(d->sched); }

static time_ns time_max(time_ns a, time_ns b) { return a > b ? a : b; }

/* ---- byte images ---- */

/* Sets an image's size, zero-filling whatever it gains. Shrinking keeps the allocation. */
static void image_resize(uint8_t **bytes, uint64_t *size, uint64_t *capacity, uint64_t size_new)
{
    KS_ASSERT(*size <= *capacity);
    if (size_new > *capacity) {
        uint64_t grown = *capacity < 64 ? 64 : *capacity;
        while (grown < size_new) {
            grown = grown > UINT64_MAX / 2 ? size_new : grown * 2;
        }
        KS_ASSERT(grown <= SIZE_MAX);
        uint8_t *next = realloc(*bytes, (size_t)grown);
        KS_ASSERT(next != NULL);
        *bytes = next;
        *capacity = grown;
    }
    if (size_new > *size) {
        memset(*bytes + *size, 0, (size_t)(size_new - *size));
    }
    *size = size_new;
}

static void image_write(uint8_t **bytes, uint64_t *size, uint64_t *capacity, uint64_t offset,
                        const uint8_t *src, uint64_t len)
{
    KS_ASSERT(len > 0);
    KS_ASSERT(offset <= UINT64_MAX - len);
    if (offset + len > *size) {
        image_resize(bytes, size, capacity, offset + len);
    }
    memcpy(*bytes + offset, src, (size_t)len);
}

/* Gives a shared durable image its own copy (see struct disk_file), before something would
 * make it differ from the cache's prefix. */
static void durable_unshare(struct disk_file *f)
{
    if (!f->durable_shared) {
        return;
    }
    KS_ASSERT(f->durable == NULL && f->durable_capacity == 0);
    KS_ASSERT(f->durable_size <= f->cache_size);
    uint64_t size = f->durable_size;
    f->durable_size = 0;
    f->durable_shared = false;
    image_resize(&f->durable, &f->durable_size, &f->durable_capacity, size);
    if (size > 0) {
        memcpy(f->durable, f->cache, (size_t)size);
    }
}

/* Drops the durable copy once it equals the whole cache (no pending writes left). */
static void durable_share(struct disk_file *f)
{
    KS_ASSERT(f->pending_count == 0 && f->durable_size == f->cache_size);
    if (f->durable_shared) {
        return;
    }
    free(f->durable);
    f->durable = NULL;
    f->durable_capacity = 0;
    f->durable_shared = true;
}

const uint8_t *disk_file_durable(const struct disk_file *f)
{
    if (f->durable_size == 0) {
        return NULL;
    }
    return f->durable_shared ? f->cache : f->durable;
}

static void durable_apply(struct disk_file *f, uint64_t offset, const uint8_t *src, uint64_t len)
{
    /* A shared image grows in place when the cache already holds exactly these bytes there,
     * right after its end or inside it: an append made durable. */
    if (f->durable_shared && offset <= f->durable_size && len <= f->cache_size - offset &&
        memcmp(f->cache + offset, src, (size_t)len) == 0) {
        if (offset + len > f->durable_size) {
            f->durable_size = offset + len;
        }
        return;
    }
    durable_unshare(f);
    image_write(&f->durable, &f->durable_size, &f->durable_capacity, offset, src, len);
    KS_ASSERT(f->durable_size <= f->cache_size);
}

/* ---- the file table ---- */

static bool name_valid(const char *name)
{
    size_t len = strnlen(name, DISK_NAME_MAX);
    return len > 0 && len < DISK_NAME_MAX;
}

/* Binary search. Sets *index to the file's position, or to where it would be inserted. */
static bool file_find(const struct disk *d, const char *name, uint32_t *index)
{
    uint32_t lo = 0;
    uint32_t hi = d->file_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(d->files[mid].name, name) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *index = lo;
    return lo < d->file_count && strcmp(d->files[lo].name, name) == 0;
}

static struct disk_file *file_lookup(const struct disk *d, const char *name)
{
    uint32_t index;
    return file_find(d, name, &index) ? &d->files[index] : NULL;
}

static struct disk_file *file_by_id(const struct disk *d, uint64_t id)
{
    KS_ASSERT(id != 0);
    for (uint32_t i = 0; i < d->file_count; i++) {
        if (d->files[i].id == id) {
            return &d->files[i];
        }
    }
    return NULL;
}

/* Opens a slot at `index` holding `file` (copied), keeping the array sorted. */
static void file_insert_at(struct disk *d, uint32_t index, const struct disk_file *file)
{
    KS_ASSERT(index <= d->file_count);
    if (d->file_count == d->file_capacity) {
        uint32_t grown = d->file_capacity == 0 ? 16 : d->file_capacity * 2;
        KS_ASSERT(grown > d->file_capacity);
        struct disk_file *next = realloc(d->files, (size_t)grown * sizeof *next);
        KS_ASSERT(next != NULL);
        d->files = next;
        d->file_capacity = grown;
    }
    memmove(&d->files[index + 1], &d->files[index],
            (size_t)(d->file_count - index) * sizeof *d->files);
    d->files[index] = *file;
    d->file_count++;
}

/* Closes the slot at `index` without freeing what the file owns. */
static void file_cut_at(struct disk *d, uint32_t index)
{
    KS_ASSERT(index < d->file_count);
    d->file_count--;
    memmove(&d->files[index], &d->files[index + 1],
            (size_t)(d->file_count - index) * sizeof *d->files);
}

/* used_bytes moves, and with it the world's total and its peak when a world counts them. */
static void used_change(struct disk *d, int64_t delta)
{
    KS_ASSERT(delta >= 0 || d->used_bytes >= (uint64_t)-delta);
    d->used_bytes += (uint64_t)delta;
    if (d->total != NULL) {
        d->total->used += (uint64_t)delta;
        if (d->total->used > d->total->peak) {
            d->total->peak = d->total->used;
        }
    }
}

/* Frees pending writes [from, to) and takes them off the disk's dirty byte count. */
static void pending_free_range(struct disk *d, struct disk_file *f, uint32_t from, uint32_t to)
{
    KS_ASSERT(from <= to);
    KS_ASSERT(to <= f->pending_count);
    for (uint32_t i = from; i < to; i++) {
        KS_ASSERT(d->dirty_bytes >= f->pending[i].len);
        d->dirty_bytes -= f->pending[i].len;
        free(f->pending[i].bytes);
        f->pending[i].bytes = NULL;
    }
}

/* Drops the first `count` pending writes (already replayed or discarded) and frees them. */
static void pending_drop_front(struct disk *d, struct disk_file *f, uint32_t count)
{
    if (count == 0) {
        return; /* f->pending may still be NULL */
    }
    pending_free_range(d, f, 0, count);
    memmove(&f->pending[0], &f->pending[count],
            (size_t)(f->pending_count - count) * sizeof *f->pending);
    f->pending_count -= count;
}

static void file_release(struct disk *d, struct disk_file *f)
{
    used_change(d, -(int64_t)f->cache_size);
    pending_free_range(d, f, 0, f->pending_count);
    free(f->pending);
    free(f->cache);
    free(f->durable);
    memset(f, 0, sizeof *f);
}

static void flusher_arm(struct disk *d);
static void flusher_wake(void *ctx, uint64_t arg);

static void pending_append(struct disk *d, struct disk_file *f, uint64_t offset,
                           const void *bytes, size_t len)
{
    KS_ASSERT(len > 0);
    if (f->pending_count == f->pending_capacity) {
        uint32_t grown = f->pending_capacity == 0 ? 8 : f->pending_capacity * 2;
        KS_ASSERT(grown > f->pending_capacity);
        struct disk_write_pending *next = realloc(f->pending, (size_t)grown * sizeof *next);
        KS_ASSERT(next != NULL);
        f->pending = next;
        f->pending_capacity = grown;
    }
    uint8_t *copy = malloc(len);
    KS_ASSERT(copy != NULL);
    memcpy(copy, bytes, len);
    d->write_seq++;
    f->pending[f->pending_count++] = (struct disk_write_pending){
        .offset = offset, .len = len, .bytes = copy, .seq = d->write_seq, .dirtied = now(d)};
    d->dirty_bytes += len;
    flusher_arm(d);
}

static void writeback_background(struct disk *d);

/* ---- data operations ---- */

static bool write_fits(const struct disk *d, uint64_t growth)
{
    uint64_t capacity = d->cfg.capacity_bytes;
    if (capacity == 0 || growth == 0) {
        return true;
    }
    return d->used_bytes < capacity && growth <= capacity - d->used_bytes;
}

int disk_write(struct disk *d, const char *name, uint64_t offset, const void *bytes,
               size_t len)
{
    KS_ASSERT(name != NULL);
    KS_ASSERT(bytes != NULL || len == 0);
    if (!name_valid(name) || offset > UINT64_MAX - len) {
        return -ENV_EINVAL;
    }
    uint32_t index;
    bool found = file_find(d, name, &index);
    uint64_t size_old = found ? d->files[index].cache_size : 0;
    uint64_t growth = len > 0 && offset + len > size_old ? offset + len - size_old : 0;
    if (!write_fits(d, growth)) {
        trace_emitf(d->trace, now(d), d->host, TRACE_DISK_FAULT,
                    "enospc file=%s offset=%" PRIu64 " len=%zu used=%" PRIu64
                    " capacity=%" PRIu64,
                    name, offset, len, d->used_bytes, d->cfg.capacity_bytes);
        return -ENV_ENOSPC;
    }
    if (!found) {
        /* Created empty in both images: the directory entry is journaled, the data is not. */
        struct disk_file created = {.id = ++d->file_id_last, .durable_shared = true};
        memcpy(created.name, name, strlen(name) + 1);
        file_insert_at(d, index, &created);
    }
    if (len == 0) {
        return ENV_OK;
    }
    struct disk_file *f = &d->files[index];
    if (offset < f->durable_size) {
        durable_unshare(f); /* the cache's prefix is about to change */
    }
    image_write(&f->cache, &f->cache_size, &f->cache_capacity, offset, bytes, len);
    KS_ASSERT(f->cache_size == size_old + growth);
    used_change(d, (int64_t)growth);
    pending_append(d, f, offset, bytes, len);
    d->bytes_written += len;
    writeback_background(d);
    return ENV_OK;
}

/* A bad cable or controller: the returned bytes differ from the file by one bit. */
static void read_corrupt(struct disk *d, const char *name, uint64_t offset, uint8_t *buf,
                         uint64_t count)
{
    KS_ASSERT(count > 0);
    uint64_t bit = rng_below(&d->rng, count * 8);
    buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    trace_emitf(d->trace, now(d), d->host, TRACE_DISK_FAULT,
                "read-corrupt file=%s offset=%" PRIu64 " bit=%" PRIu64, name, offset, bit);
}

int64_t disk_read(struct disk *d, const char *name, uint64_t offset, void *buf, size_t len)
{
    KS_ASSERT(buf != NULL || len == 0);
    KS_ASSERT(len <= INT64_MAX);
    int64_t count = disk_peek(d, name, offset, buf, len);
    /* Draw only when corruption is on, so reads do not shift the disk's random stream. */
    if (count > 0 && d->cfg.read_corrupt_ppm > 0 &&
        rng_chance(&d->rng, d->cfg.read_corrupt_ppm)) {
        read_corrupt(d, name, offset, buf, (uint64_t)count);
    }
    return count;
}

/* A read without faults: what the page cache holds (also for checkers, which must not draw). */
int64_t disk_peek(const struct disk *d, const char *name, uint64_t offset, void *buf,
                  size_t len)
{
    KS_ASSERT(name != NULL);
    const struct disk_file *f = file_lookup(d, name);
    if (f == NULL) {
        return -ENV_ENOENT;
    }
    if (offset >= f->cache_size) {
        return 0;
    }
    uint64_t count = f->cache_size - offset < len ? f->cache_size - offset : len;
    if (count == 0) {
        return 0;
    }
    memcpy(buf, f->cache + offset, (size_t)count);
    return (int64_t)count;
}

int64_t disk_size(const struct disk *d, const char *name)
{
    KS_ASSERT(name != NULL);
    const struct disk_file *f = file_lookup(d, name);
    return f != NULL ? (int64_t)f->cache_size : -ENV_ENOENT;
}

int64_t disk_durable_size(const struct disk *d, const char *name)
{
    KS_ASSERT(name != NULL);
    const struct disk_file *f = file_lookup(d, name);
    return f != NULL ? (int64_t)f->durable_size : -ENV_ENOENT;
}

int64_t disk_pending_count(const struct disk *d, const char *name)
{
    KS_ASSERT(name != NULL);
    const struct disk_file *f = file_lookup(d, name);
    return f != NULL ? (int64_t)f->pending_count : -ENV_ENOENT;
}

uint64_t disk_used_bytes(const struct disk *d) { return d->used_bytes; }

void disk_count_into(struct disk *d, struct disk_total *total)
{
    KS_ASSERT(d->used_bytes == 0 || total == NULL);
    d->total = total;
}

uint32_t disk_fsync_inflight_count(const struct disk *d) { return d->sync_count; }

/* ---- namespace operations and truncate: journaled, so durable at once ---- */

/* Drops pending writes at or beyond `size` and cuts those that cross it, keeping order. */
static void pending_clip(struct disk *d, struct disk_file *f, uint64_t size)
{
    uint32_t kept = 0;
    for (uint32_t i = 0; i < f->pending_count; i++) {
        struct disk_write_pending w = f->pending[i];
        if (w.offset >= size) {
            d->dirty_bytes -= w.len;
            free(w.bytes);
            continue;
        }
        if (w.len > size - w.offset) {
            d->dirty_bytes -= w.len - (size - w.offset);
            w.len = size - w.offset; /* the tail of the copy is simply never read */
        }
        f->pending[kept++] = w;
    }
    f->pending_count = kept;
}

int disk_truncate(struct disk *d, const char *name, uint64_t size)
{
    KS_ASSERT(name != NULL);
    struct disk_file *f = file_lookup(d, name);
    if (f == NULL) {
        return -ENV_ENOENT;
    }
    uint64_t size_old = f->cache_size;
    if (size > f->durable_size) {
        durable_unshare(f); /* the durable image gains zeros where the cache may not */
    }
    image_resize(&f->cache, &f->cache_size, &f->cache_capacity, size);
    if (f->durable_shared) {
        f->durable_size = size; /* shrinks with the cache: still its prefix */
    } else {
        image_resize(&f->durable, &f->durable_size, &f->durable_capacity, size);
    }
    pending_clip(d, f, size);
    used_change(d, (int64_t)size - (int64_t)size_old);
    return ENV_OK;
}

int disk_rename(struct disk *d, const char *from, const char *to)
{
    KS_ASSERT(from != NULL);
    KS_ASSERT(to != NULL);
    uint32_t index_from;
    if (!file_find(d, from, &index_from)) {
        return -ENV_ENOENT;
    }
    if (!name_valid(to)) {
        return -ENV_EINVAL;
    }
    if (strcmp(from, to) == 0) {
        return ENV_OK;
    }
    /* Copy `to` first: the caller may have passed a name that lives in the file table. */
    char target[DISK_NAME_MAX];
    memcpy(target, to, strlen(to) + 1);
    struct disk_file moved = d->files[index_from];
    file_cut_at(d, index_from);
    memcpy(moved.name, target, strlen(target) + 1);
    uint32_t index_to;
    if (file_find(d, target, &index_to)) {
        /* The replaced file vanishes in the same step: no state where neither name exists. */
        file_release(d, &d->files[index_to]);
        d->files[index_to] = moved;
    } else {
        file_insert_at(d, index_to, &moved);
    }
    KS_ASSERT(disk_check(d));
    return ENV_OK;
}

int disk_remove(struct disk *d, const char *name)
{
    KS_ASSERT(name != NULL);
    uint32_t index;
    if (!file_find(d, name, &index)) {
        return -ENV_ENOENT;
    }
    file_release(d, &d->files[index]);
    file_cut_at(d, index);
    return ENV_OK;
}

int disk_list(const struct disk *d, const char *prefix,
              void (*each)(void *arg, const char *name), void *arg)
{
    KS_ASSERT(prefix != NULL);
    KS_ASSERT(each != NULL);
    size_t prefix_len = strlen(prefix);
    uint32_t index;
    file_find(d, prefix, &index); /* the first name >= prefix: where the matches start */
    uint32_t count = d->file_count;
    for (; index < d->file_count; index++) {
        if (strncmp(d->files[index].name, prefix, prefix_len) != 0) {
            break;
        }
        each(arg, d->files[index].name);
        KS_ASSERT(d->file_count == count);
    }
    return ENV_OK;
}

static bool file_check(const struct disk *d, const struct disk_file *f);

/* ---- fsync ---- */

/* Replays the file's pending writes with seq <= write_seq into the durable image. */
static uint32_t make_durable(struct disk *d, struct disk_file *f, uint64_t write_seq)
{
    uint32_t count = 0;
    while (count < f->pending_count && f->pending[count].seq <= write_seq) {
        const struct disk_write_pending *w = &f->pending[count];
        durable_apply(f, w->offset, w->bytes, w->len);
        count++;
    }
    pending_drop_front(d, f, count);
    if (f->pending_count == 0) {
        KS_ASSERT(f->durable_size == f->cache_size);
        durable_share(f); /* nothing pending: the durable image is the cache */
    }
    return count;
}

void disk_settle(struct disk *d)
{
    for (uint32_t i = 0; i < d->file_count; i++) {
        make_durable(d, &d->files[i], UINT64_MAX);
    }
    KS_ASSERT(disk_check(d));
}

static void sync_complete(void *ctx, uint64_t id)
{
    struct disk *d = ctx;
    struct disk_sync *s = d->syncs;
    KS_ASSERT(s != NULL);
    KS_ASSERT(s->id == id);
    KS_ASSERT(s->due == now(d));
    d->syncs = s->next;
    if (d->syncs == NULL) {
        d->syncs_tail = NULL;
    }
    d->sync_count--;

    int err = ENV_OK;
    if (s->file_id == 0) {
        err = -ENV_ENOENT;
        trace_fields(d->trace, now(d), d->host, TRACE_DISK_DURABLE, TF_STR("file", s->name),
                     TF_UINT("token", s->token), TF_STR("err", env_err_name(err)));
    } else {
        struct disk_file *f = file_by_id(d, s->file_id);
        uint32_t writes = f != NULL ? make_durable(d, f, s->write_seq) : 0;
        trace_fields(d->trace, now(d), d->host, TRACE_DISK_DURABLE, TF_STR("file", s->name),
                     TF_UINT("token", s->token), TF_UINT("writes", writes));
        /* Only f changed. The whole disk (every file, every pending write) is checked where
         * many change at once: crash, power failure, rename, the flusher; per fsync it cost
         * 2% of a data workload's run. */
        KS_ASSERT(f == NULL || file_check(d, f));
    }
    disk_done_fn done = s->done;
    void *done_ctx = s->ctx;
    uint64_t token = s->token;
    free(s);
    /* Last, with the disk consistent: the callback may fsync again or even power-fail us. */
    done(done_ctx, token, err);
}

static void sync_schedule(struct disk *d, struct disk_sync *s, time_ns floor)
{
    s->due = time_max(time_max(s->base_due, d->stall_until), time_max(floor, now(d)));
    s->timer = sched_at(d->sched, s->due, sync_complete, d, s->id);
    d->last_completion = s->due;
}

void disk_fsync(struct disk *d, const char *name, disk_done_fn done, void *ctx,
                uint64_t token)
{
    KS_ASSERT(name != NULL);
    KS_ASSERT(done != NULL);
    struct disk_sync *s = calloc(1, sizeof *s);
    KS_ASSERT(s != NULL);
    const struct disk_file *f = file_lookup(d, name);
    s->id = ++d->sync_id_last;
    s->file_id = f != NULL ? f->id : 0;
    s->write_seq = d->write_seq;
    s->token = token;
    s->done = done;
    s->ctx = ctx;
    snprintf(s->name, sizeof s->name, "%s", name);
    time_ns latency = rng_range(&d->rng, d->cfg.fsync_latency_min, d->cfg.fsync_latency_max);
    s->base_due = time_add(time_add(now(d), latency), d->slow_extra);
    /* last_completion keeps issue order even when this fsync drew a shorter latency. */
    sync_schedule(d, s, d->last_completion);
    if (d->syncs_tail != NULL) {
        d->syncs_tail->next = s;
    } else {
        d->syncs = s;
    }
    d->syncs_tail = s;
    d->sync_count++;
    d->fsync_count++;
    trace_fields(d->trace, now(d), d->host, TRACE_DISK_FSYNC, TF_STR("file", s->name),
                 TF_UINT("token", token));
}

/* Cancels every fsync in flight. free_them: forget them too (power failure, teardown). */
static void syncs_cancel(struct disk *d, bool free_them)
{
    struct disk_sync *s = d->syncs;
    while (s != NULL) {
        struct disk_sync *next = s->next;
        sched_cancel(d->sched, s->timer);
        if (free_them) {
            free(s);
        }
        s = next;
    }
    if (free_them) {
        d->syncs = NULL;
        d->syncs_tail = NULL;
        d->sync_count = 0;
    }
}

void disk_stall(struct disk *d, time_ns until)
{
    d->stall_until = until;
    trace_emitf(d->trace, now(d), d->host, TRACE_DISK_FAULT, "stall until_ns=%" PRId64, until);
    /* Reschedule all of them, in order, so every new event gets a fresh scheduler sequence and
     * equal due times still fire in issue order. */
    syncs_cancel(d, false);
    time_ns floor = 0;
    for (struct disk_sync *s = d->syncs; s != NULL; s = s->next) {
        sync_schedule(d, s, floor);
        floor = s->due;
    }
    KS_ASSERT(disk_check(d));
}

void disk_set_slow(struct disk *d, time_ns extra)
{
    KS_ASSERT(extra >= 0);
    d->slow_extra = extra;
    trace_emitf(d->trace, now(d), d->host, TRACE_DISK_FAULT, "slow extra_ns=%" PRId64, extra);
}

void disk_set_capacity(struct disk *d, uint64_t capacity_bytes)
{
    d->cfg.capacity_bytes = capacity_bytes;
    trace_emitf(d->trace, now(d), d->host, TRACE_DISK_FAULT, "capacity bytes=%" PRIu64,
                capacity_bytes);
}

void disk_set_read_corruption(struct disk *d, uint32_t ppm)
{
    KS_ASSERT(ppm <= RNG_PPM);
    d->cfg.read_corrupt_ppm = ppm;
    trace_emitf(d->trace, now(d), d->host, TRACE_DISK_FAULT, "read-corrupt ppm=%" PRIu32, ppm);
}

/* ---- kernel writeback ---- */

static time_ns centisecs(uint32_t cs) { return (time_ns)cs * 10 * NS_PER_MS; }

static bool any_dirty(const struct disk *d)
{
    for (uint32_t i = 0; i < d->file_count; i++) {
        if (d->files[i].pending_count > 0) {
            return true;
        }
    }
    return false;
}

/* wb_wakeup_delayed (mm/backing-dev.c, fs/fs-writeback.c): the flusher's delayed work is
 * queued one dirty_writeback_interval ahead when the first inode of a clean device gets dirty
 * (__mark_inode_dirty) and again at the end of every wb_workfn that leaves something dirty.
 * Queueing work already queued does nothing, so the period runs from the first dirtying, not
 * from boot. Called on every write: while the flusher is not armed nothing is dirty, so any
 * write is that first dirtying. */
static void flusher_arm(struct disk *d)
{
    if (d->flusher_armed || d->cfg.vm.dirty_writeback_centisecs == 0) {
        return;
    }
    time_ns due = time_add(now(d), centisecs(d->cfg.vm.dirty_writeback_centisecs));
    d->flusher = sched_at(d->sched, due, flusher_wake, d, 0);
    d->flusher_armed = true;
}

static void flusher_disarm(struct disk *d)
{
    if (d->flusher_armed) {
        sched_cancel(d->sched, d->flusher);
        d->flusher_armed = false;
    }
}

/* What one pass wrote, for its trace event. */
struct writeback_tally {
    uint32_t files;
    uint64_t writes;
    uint64_t bytes;
};

/* Writes `f` back as a completed fsync would: all of its pending writes, the recent ones too,
 * because the kernel keeps one dirtied_when per inode and writing an inode back writes every
 * dirty page it has. */
static void writeback_file(struct disk *d, struct disk_file *f, struct writeback_tally *t)
{
    KS_ASSERT(f->pending_count > 0);
    for (uint32_t j = 0; j < f->pending_count; j++) {
        t->bytes += f->pending[j].len;
    }
    t->writes += make_durable(d, f, UINT64_MAX);
    t->files++;
}

static void writeback_traced(struct disk *d, const struct writeback_tally *t, const char *reason)
{
    if (t->files == 0) {
        return;
    }
    d->writeback_passes++;
    d->writeback_writes += t->writes;
    trace_fields(d->trace, now(d), d->host, TRACE_DISK_WRITEBACK, TF_UINT("files", t->files),
                 TF_UINT("writes", t->writes), TF_UINT("bytes", t->bytes),
                 TF_STR("reason", reason));
}

/* Writes back every file dirty since `dirtied_before` or earlier (move_expired_inodes takes
 * the inodes not dirtied after it). A stalled disk lands nothing. */
static void writeback_expired(struct disk *d, time_ns dirtied_before)
{
    if (now(d) < d->stall_until) {
        return;
    }
    struct writeback_tally t = {0};
    for (uint32_t i = 0; i < d->file_count; i++) {
        struct disk_file *f = &d->files[i];
        if (f->pending_count > 0 && f->pending[0].dirtied <= dirtied_before) {
            writeback_file(d, f, &t);
        }
    }
    writeback_traced(d, &t, "periodic");
}

/* The dirtied-first file: the kernel's b_io list is in dirtied_when order, and pending
 * sequence numbers order the first dirtyings exactly, ties in time included. */
static struct disk_file *oldest_dirty(struct disk *d)
{
    struct disk_file *oldest = NULL;
    for (uint32_t i = 0; i < d->file_count; i++) {
        struct disk_file *f = &d->files[i];
        if (f->pending_count == 0) {
            continue;
        }
        if (oldest == NULL || f->pending[0].seq < oldest->pending[0].seq) {
            oldest = f;
        }
    }
    return oldest;
}

/* balance_dirty_pages -> wb_start_background_writeback (mm/page-writeback.c), then
 * wb_check_background_flush (fs/fs-writeback.c): above dirty_background_bytes, the flusher
 * writes back the oldest inodes until the dirty bytes are at or below it (wb_over_bg_thresh).
 * Here at once, a whole file at a time where the kernel goes in chunks of pages. */
static void writeback_background(struct disk *d)
{
    uint64_t threshold = d->cfg.vm.dirty_background_bytes;
    if (threshold == 0 || d->dirty_bytes <= threshold || now(d) < d->stall_until) {
        return;
    }
    struct writeback_tally t = {0};
    while (d->dirty_bytes > threshold) {
        writeback_file(d, oldest_dirty(d), &t);
    }
    writeback_traced(d, &t, "background");
}

/* wb_workfn -> wb_do_writeback (fs/fs-writeback.c): wb_check_old_data_flush writes back, with
 * periodic writeback on, what was dirtied at least dirty_expire_interval ago (for_kupdate);
 * wb_check_background_flush catches up on a threshold a stall kept it from; then the work is
 * queued a period later if anything is still dirty. With dirty_writeback_interval 0 the
 * periodic part does nothing and the work does not come back. */
static void flusher_wake(void *ctx, uint64_t arg)
{
    struct disk *d = ctx;
    (void)arg;
    KS_ASSERT(d->flusher_armed);
    d->flusher_armed = false;
    if (d->cfg.vm.dirty_writeback_centisecs == 0) {
        return;
    }
    writeback_expired(d, now(d) - centisecs(d->cfg.vm.dirty_expire_centisecs));
    writeback_background(d);
    if (any_dirty(d)) {
        flusher_arm(d);
    }
    KS_ASSERT(disk_check(d));
}

struct disk_vm disk_vm_default(void)
{
    return (struct disk_vm){
        .dirty_writeback_centisecs = 500,
        .dirty_expire_centisecs = 3000,
        .dirty_background_bytes = 0,
    };
}

void disk_set_vm(struct disk *d, const struct disk_vm *vm)
{
    uint32_t period_before = d->cfg.vm.dirty_writeback_centisecs;
    d->cfg.vm = *vm;
    trace_emitf(d->trace, now(d), d->host, TRACE_DISK_FAULT,
                "writeback dirty_writeback_centisecs=%" PRIu32 " dirty_expire_centisecs=%" PRIu32
                " dirty_background_bytes=%" PRIu64,
                vm->dirty_writeback_centisecs, vm->dirty_expire_centisecs,
                vm->dirty_background_bytes);
    /* dirty_writeback_centisecs_handler (mm/page-writeback.c): a new non-zero period wakes the
     * flusher at once (wakeup_flusher_threads), which writes back every dirty inode whatever
     * its age (wb_check_start_all), and the period starts again from there. A new background
     * threshold waits for the next write, as balance_dirty_pages is what looks at it. */
    if (vm->dirty_writeback_centisecs != 0 && vm->dirty_writeback_centisecs != period_before) {
        flusher_disarm(d);
        writeback_expired(d, now(d));
        if (any_dirty(d)) {
            flusher_arm(d);
        }
    }
    KS_ASSERT(disk_check(d));
}

/* ---- crash and power failure ---- */

void disk_crash(struct disk *d)
{
    /* Nothing to do: the OS, its page cache and its fsyncs outlive the process. The host stops
     * delivering completions to the dead process; the disk keeps completing them. */
    KS_ASSERT(disk_check(d));
}

/* Lands the bytes of `w` that lie in the first j of the 512-byte sectors it touches, for a
 * random j in [0, sectors - 1]: a torn write never lands whole. Returns the bytes landed. */
static uint64_t tear(struct disk *d, struct disk_file *f, const struct disk_write_pending *w)
{
    KS_ASSERT(w->len > 0);
    uint64_t sector_first = w->offset / DISK_SECTOR_BYTES;
    uint64_t sector_last = (w->offset + w->len - 1) / DISK_SECTOR_BYTES;
    uint64_t sectors = sector_last - sector_first + 1;
    uint64_t j = rng_below(&d->rng, sectors);
    uint64_t boundary = (sector_first + j) * DISK_SECTOR_BYTES;
    if (boundary <= w->offset) {
        return 0;
    }
    uint64_t landed = boundary - w->offset;
    KS_ASSERT(landed < w->len);
    durable_apply(f, w->offset, w->bytes, landed);
    return landed;
}

/* One file's share of a power failure: replay a random prefix of its pending writes, maybe tear
 * the next one, lose the rest, and make the cache what the platters hold. */
static void power_fail_file(struct disk *d, struct disk_file *f)
{
    uint32_t count = f->pending_count;
    uint32_t kept = 0;
    uint32_t torn = 0;
    durable_unshare(f); /* the cache is rebuilt from it below */
    if (!d->cfg.power_loss_keeps_none) {
        kept = (uint32_t)rng_below(&d->rng, (uint64_t)count + 1);
        for (uint32_t i = 0; i < kept; i++) {
            durable_apply(f, f->pending[i].offset, f->pending[i].bytes, f->pending[i].len);
        }
        if (kept < count && rng_chance(&d->rng, RNG_PPM / 2)) {
            tear(d, f, &f->pending[kept]);
            torn = 1;
        }
    }
    pending_free_range(d, f, 0, count);
    f->pending_count = 0;
    used_change(d, -(int64_t)f->cache_size);
    f->cache_size = 0;
    image_resize(&f->cache, &f->cache_size, &f->cache_capacity, f->durable_size);
    if (f->durable_size > 0) {
        memcpy(f->cache, f->durable, (size_t)f->durable_size);
    }
    durable_share(f);
    used_change(d, (int64_t)f->cache_size);
    if (kept < count) {
        trace_fields(d->trace, now(d), d->host, TRACE_DISK_LOSS, TF_STR("file", f->name),
                     TF_UINT("kept", kept), TF_UINT("torn", torn),
                     TF_UINT("lost", count - kept - torn));
    }
}

void disk_power_fail(struct disk *d)
{
    syncs_cancel(d, true);
    flusher_disarm(d); /* no kernel, and nothing left dirty: the next write arms it afresh */
    for (uint32_t i = 0; i < d->file_count; i++) {
        struct disk_file *f = &d->files[i];
        if (f->pending_count == 0) {
            /* Without pending writes the cache already is the durable image. */
            KS_ASSERT(f->cache_size == f->durable_size);
            KS_ASSERT(f->cache_size == 0 ||
                      memcmp(f->cache, disk_file_durable(f), f->cache_size) == 0);
            continue;
        }
        power_fail_file(d, f);
    }
    d->last_completion = now(d);
    KS_ASSERT(d->sync_count == 0);
    KS_ASSERT(disk_check(d));
}

void disk_free(struct disk *d)
{
    KS_ASSERT(d->sched != NULL);
    syncs_cancel(d, true);
    flusher_disarm(d);
    for (uint32_t i = 0; i < d->file_count; i++) {
        file_release(d, &d->files[i]);
    }
    KS_ASSERT(d->used_bytes == 0);
    free(d->files);
    memset(d, 0, sizeof *d);
}

/* ---- the checker ---- */

static bool file_check(const struct disk *d, const struct disk_file *f)
{
    if (!name_valid(f->name) || f->id == 0 || f->id > d->file_id_last) {
        return false;
    }
    if (f->cache_size > f->cache_capacity ||
        (!f->durable_shared && f->durable_size > f->durable_capacity)) {
        return false;
    }
    if (f->durable_size > f->cache_size || f->pending_count > f->pending_capacity) {
        return false;
    }
    if ((f->cache_capacity > 0 && f->cache == NULL) ||
        (f->durable_capacity > 0 && f->durable == NULL)) {
        return false;
    }
    if (f->durable_shared && (f->durable != NULL || f->durable_capacity != 0)) {
        return false;
    }
    uint64_t seq_prev = 0;
    time_ns dirtied_prev = 0;
    for (uint32_t i = 0; i < f->pending_count; i++) {
        const struct disk_write_pending *w = &f->pending[i];
        if (w->dirtied < dirtied_prev || w->dirtied > now(d)) {
            return false;
        }
        dirtied_prev = w->dirtied;
        if (w->len == 0 || w->bytes == NULL || w->offset > f->cache_size) {
            return false;
        }
        if (w->len > f->cache_size - w->offset) {
            return false;
        }
        if (w->seq <= seq_prev || w->seq > d->write_seq) {
            return false;
        }
        seq_prev = w->seq;
    }
    return true;
}

static bool syncs_check(const struct disk *d)
{
    uint32_t count = 0;
    uint64_t id_prev = 0;
    time_ns due_prev = 0;
    const struct disk_sync *last = NULL;
    for (const struct disk_sync *s = d->syncs; s != NULL; s = s->next) {
        if (s->id <= id_prev || s->due < due_prev || s->due < s->base_due) {
            return false;
        }
        if (s->due < d->stall_until || s->due > d->last_completion) {
            return false;
        }
        if (s->write_seq > d->write_seq || !sched_is_pending(d->sched, s->timer)) {
            return false;
        }
        id_prev = s->id;
        due_prev = s->due;
        last = s;
        count++;
    }
    return count == d->sync_count && last == d->syncs_tail;
}

bool disk_check(const struct disk *d)
{
    if (d->sched == NULL || d->trace == NULL || d->host < 0 || !cfg_valid(&d->cfg)) {
        return false;
    }
    if (d->file_count > d->file_capacity || d->slow_extra < 0) {
        return false;
    }
    if (d->flusher_armed && !sched_is_pending(d->sched, d->flusher)) {
        return false;
    }
    /* Dirty data with writeback on always has a flusher wake coming. */
    if (d->cfg.vm.dirty_writeback_centisecs > 0 && !d->flusher_armed && any_dirty(d)) {
        return false;
    }
    uint64_t used = 0;
    uint64_t dirty = 0;
    for (uint32_t i = 0; i < d->file_count; i++) {
        if (!file_check(d, &d->files[i])) {
            return false;
        }
        if (i > 0 && strcmp(d->files[i - 1].name, d->files[i].name) >= 0) {
            return false;
        }
        used += d->files[i].cache_size;
        for (uint32_t j = 0; j < d->files[i].pending_count; j++) {
            dirty += d->files[i].pending[j].len;
        }
    }
    return used == d->used_bytes && dirty == d->dirty_bytes && syncs_check(d);
}
