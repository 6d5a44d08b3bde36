/* disk.h — one host's simulated disk: named files, a page cache, fsync and disk faults. */
#ifndef KRAFTSIM_DISK_H
#define KRAFTSIM_DISK_H

/*
 * The fault model, as a contract.
 *
 * A file has two images: the page cache (what reads see, every write lands here at once) and
 * the durable image (what survives a power failure). Writes not yet covered by an fsync sit in
 * an ordered list of pending writes between the two.
 *
 * - write/read/size: synchronous against the page cache. A read beyond the end returns fewer
 *   bytes. Writing past the end extends the file with zeros in between.
 * - fsync(file): completes as an event after the disk's fsync latency (drawn from
 *   [fsync_latency_min, fsync_latency_max], plus any slowness fault, and not before a stall
 *   ends). On completion, every write to that file issued before the fsync is durable.
 *   Completions on one disk come back in the order they were issued.
 * - Namespace operations (create by first write, rename, remove) and truncate are journaled:
 *   durable at once, as ext4 and xfs make metadata. A file created and written but not yet
 *   fsynced survives a power failure empty (or short): the classic zero-length file.
 *   rename(from, to) replaces `to` atomically; the file keeps its identity (its pending writes
 *   and in-flight fsyncs move with it, as they follow an inode, not a name).
 * - truncate(size) sets both images to `size` at once (zeros where either grows) and clips the
 *   pending writes to it: a pending write starting at or beyond `size` is dropped, one that
 *   crosses `size` keeps only its bytes below it. So what a power failure can reveal is always
 *   "the truncated durable image plus some prefix of the clipped pending writes".
 * - Process crash (disk_crash): nothing is lost. The OS keeps the page cache and finishes its
 *   fsyncs; the host layer simply stops delivering completions to the dead process.
 * - Power failure (disk_power_fail): the page cache is lost. For each file, the pending writes
 *   are replayed onto the durable image in order up to a random point: those before it
 *   survive, the one at it may be torn (only a prefix of whole 512-byte sectors lands), the
 *   rest are lost. With `power_loss_keeps_none`, every pending write is lost. fsyncs in flight
 *   are cancelled and never complete. A file's size grows only with the bytes that landed.
 * - Kernel writeback (the flusher, Linux's kupdate-style periodic writeback): dirty data
 *   becomes durable on its own, exactly as if fsynced, so a power failure loses only what was
 *   written lately. A file is dirty from its oldest write not yet durable (the kernel keeps one
 *   `dirtied_when` per inode, not per page). The flusher wakes `dirty_writeback_centisecs`
 *   after the disk goes from clean to dirty, and again after every wake while anything is still
 *   dirty; at a wake it writes back every file dirty since at or before
 *   now - `dirty_expire_centisecs`, all of its pending writes. Defaults 500 and 3000 (5 s and
 *   30 s): a write at t = 1 s on a clean disk wakes the flusher at 6, 11, ..., 31 s and is
 *   durable at 31 s. `dirty_writeback_centisecs = 0` turns periodic writeback off; changing it
 *   to another non-zero value writes back everything dirty at once, as the kernel's sysctl
 *   handler does. The flusher runs on true time (jiffies: clock drift and jumps of the host's
 *   wall clock do not move it), it keeps running while the process is paused or crashed, a power
 *   failure stops it (nothing is dirty after one), and a stalled disk makes nothing durable:
 *   a wake during a stall writes nothing, the first wake after it catches up.
 *   `dirty_background_bytes` (0 by default: none): a write that takes the disk's dirty bytes
 *   (the bytes of its pending writes) above it writes back the dirtied-first files, whole,
 *   until they are at or below it. Not modelled: dirty_background_ratio, the kernel's default
 *   threshold (10% of a memory size the host does not have), dirty_bytes and dirty_ratio
 *   (they throttle the writer, and a write here never blocks), and the time a writeback takes
 *   (it is instant: no fsync latency or slowness applies).
 * - Faults: `slow` adds latency to every fsync issued while it is set; `stall` holds every
 *   fsync completion, in flight or not, until a time; `capacity` makes writes that would grow
 *   the disk past it fail with ENV_ENOSPC (nothing written); `read_corrupt_ppm` flips one bit
 *   in the bytes a read returns (the file itself is intact, as with a bad cable or controller).
 *
 * Trace details (integers and names only): disk-fsync "file= token=", disk-durable "file=
 * token= writes=" (or "err=ENV_ENOENT"), disk-loss "file= kept= torn= lost=" (counts of pending
 * writes), disk-fault "enospc file= ...", "read-corrupt file= offset= bit=" and one per setter,
 * disk-writeback "files= writes= bytes= reason=periodic|background" (one per pass that wrote
 * anything).
 *
 * What the cluster is expected to survive: crashes at any point, power failure of a minority
 * with fsync-before-ack, slow and stalled disks. Power failure while acknowledged data sat only
 * in the page cache (Kafka's default flush settings) is a data-loss scenario, not background
 * noise. Every fsync, completion, fault and loss is a trace event.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "env.h"
#include "world/rng.h"
#include "world/sched.h"
#include "trace/trace.h"

#define DISK_SECTOR_BYTES 512
#define DISK_NAME_MAX 256

/* The host's writeback sysctls (/proc/sys/vm), in their own units. */
struct disk_vm {
    uint32_t dirty_writeback_centisecs; /* the flusher's wake period; 0 = no periodic writeback */
    uint32_t dirty_expire_centisecs;    /* the age at which dirty data is written back */
    uint64_t dirty_background_bytes;    /* write back the oldest files above this; 0 = none */
};

/* Linux's defaults: 500, 3000, and 0 (the kernel then takes dirty_background_ratio, 10% of
 * the memory, which a simulated host does not have: no threshold). */
struct disk_vm disk_vm_default(void);

struct disk_cfg {
    time_ns fsync_latency_min;
    time_ns fsync_latency_max;
    uint64_t capacity_bytes; /* 0 = unlimited */
    uint32_t read_corrupt_ppm;
    bool power_loss_keeps_none;
    struct disk_vm vm;
};

/* The defaults: an SSD. fsync 200 us - 2 ms, unlimited capacity, no faults, disk_vm_default. */
struct disk_cfg disk_cfg_default(void);

/* Called when an fsync completes: err = ENV_OK, or -ENV_ENOENT when the file did not exist at
 * issue. Never called after disk_power_fail (or disk_free) for an fsync issued before it. */
typedef void (*disk_done_fn)(void *ctx, uint64_t token, int err);

struct disk_write_pending {
    uint64_t offset;
    uint64_t len;
    uint8_t *bytes;
    uint64_t seq;
    time_ns dirtied; /* when it was written: the file is dirty since its first pending write */
};

/* Rules: cache_size <= cache_capacity, durable_size <= durable_capacity, durable_size <=
 * cache_size; every pending write is non-empty and lies below cache_size; pending seqs strictly
 * increase. The cache is always the durable image with the pending writes applied in order.
 * While `durable_shared`, no copy of the durable image is kept: it is the cache's first
 * durable_size bytes (durable is NULL, durable_capacity 0), which holds while no write has
 * touched the cache below durable_size since. An append-only file (a log segment) stays shared
 * for life, so the disk holds its bytes once; the first write below durable_size (or a power
 * failure, or a truncate that grows the durable image) makes the copy. Read it through
 * disk_file_durable. */
struct disk_file {
    char name[DISK_NAME_MAX];
    uint64_t id; /* never 0 and never reused: fsyncs follow the file, not the name */
    uint8_t *cache;
    uint64_t cache_size;
    uint64_t cache_capacity;
    uint8_t *durable;
    uint64_t durable_size;
    uint64_t durable_capacity;
    bool durable_shared;
    struct disk_write_pending *pending; /* in issue order */
    uint32_t pending_count;
    uint32_t pending_capacity;
};

struct disk_sync;

struct disk {
    struct sched *sched;
    struct trace *trace;
    struct rng rng;
    int host;
    struct disk_cfg cfg;
    struct disk_file *files; /* sorted by name, so listing is in name order */
    uint32_t file_count;
    uint32_t file_capacity;
    uint64_t write_seq;      /* seq of the latest write; pending seqs are <= it */
    uint64_t file_id_last;   /* id of the latest file created */
    uint64_t used_bytes;     /* sum of every file's cache_size */
    struct disk_total *total; /* the world's count of every disk's bytes, or NULL */
    time_ns slow_extra;      /* added to every fsync issued while set */
    time_ns stall_until;     /* no fsync completes before this */
    time_ns last_completion; /* >= the due time of every fsync in flight: issue order */
    struct disk_sync *syncs; /* fsyncs in flight, in issue order; due times non-decreasing */
    struct disk_sync *syncs_tail;
    uint32_t sync_count;
    uint64_t sync_id_last;
    uint64_t fsync_count;
    uint64_t bytes_written;
    uint64_t dirty_bytes; /* the bytes of every pending write, for dirty_background_bytes */
    sched_timer flusher; /* the flusher's next wake, while flusher_armed */
    bool flusher_armed;
    uint64_t writeback_passes; /* flusher passes that wrote something */
    uint64_t writeback_writes; /* pending writes they made durable */
};

/* cfg NULL means disk_cfg_default(). Randomness comes from the stream ("disk", host). */
void disk_init(struct disk *d, struct sched *sched, struct trace *trace, uint64_t seed,
               int host, const struct disk_cfg *cfg);
/* Cancels the disk's events in `sched`, so call it before sched_free. */
void disk_free(struct disk *d);

/* Writes into the page cache, creating the file if missing (a zero-length write only creates
 * it). Returns ENV_OK, -ENV_ENOSPC (nothing written, nothing created) or -ENV_EINVAL (name empty
 * or longer than DISK_NAME_MAX - 1 bytes, or offset + len overflows). */
int disk_write(struct disk *d, const char *name, uint64_t offset, const void *bytes,
               size_t len);
/* Returns bytes read (0 at or past the end), or -ENV_ENOENT. */
int64_t disk_read(struct disk *d, const char *name, uint64_t offset, void *buf, size_t len);
/* Like disk_read, but for the harness's eyes only: no fault applies and no random number is
 * drawn, so a checker that looks changes nothing in the run. */
int64_t disk_peek(const struct disk *d, const char *name, uint64_t offset, void *buf,
                  size_t len);
/* Returns the page-cache size, or -ENV_ENOENT. */
int64_t disk_size(const struct disk *d, const char *name);
/* Returns the durable image's size, or -ENV_ENOENT. */
int64_t disk_durable_size(const struct disk *d, const char *name);
/* Returns how many writes to `name` no fsync has made durable yet, or -ENV_ENOENT. */
int64_t disk_pending_count(const struct disk *d, const char *name);
/* Never fails with ENOSPC: growing by truncate makes a sparse file. -ENV_ENOENT if missing. */
int disk_truncate(struct disk *d, const char *name, uint64_t size);
/* Returns ENV_OK (also for from == to), -ENV_ENOENT or -ENV_EINVAL (bad `to`). */
int disk_rename(struct disk *d, const char *from, const char *to);
int disk_remove(struct disk *d, const char *name);
/* Calls each() for every file whose name starts with prefix, in byte order of name. The name
 * passed is valid only during the call, and each() must not create, rename or remove files. */
int disk_list(const struct disk *d, const char *prefix,
              void (*each)(void *arg, const char *name), void *arg);
/* Schedules an fsync of `name`; `done(ctx, token, err)` fires on completion. A missing file
 * completes with -ENV_ENOENT after the same latency. A file removed while its fsync is in
 * flight completes with ENV_OK, as fsync on an open descriptor of an unlinked file does. */
void disk_fsync(struct disk *d, const char *name, disk_done_fn done, void *ctx,
                uint64_t token);

uint32_t disk_fsync_inflight_count(const struct disk *d);

/* For the harness only: every write so far becomes durable at once, as if it had been synced
 * long ago (what an operator's `kafka-storage.sh format` leaves before the node first starts). */
void disk_settle(struct disk *d);

void disk_crash(struct disk *d);
void disk_power_fail(struct disk *d);

/* Each fault setter traces itself as TRACE_DISK_FAULT ("slow extra_ns=...", "stall
 * until_ns=...", "capacity bytes=...", "read-corrupt ppm=..."). */
void disk_set_slow(struct disk *d, time_ns extra);
/* Moves every fsync in flight to complete no earlier than `until`; a shorter stall (or one in
 * the past) releases them sooner, never before their own latency. */
void disk_stall(struct disk *d, time_ns until);
/* A capacity below the bytes in use already fails every write that grows a file. 0 = none. */
void disk_set_capacity(struct disk *d, uint64_t capacity_bytes);
void disk_set_read_corruption(struct disk *d, uint32_t ppm);
/* Sets the host's writeback sysctls (traced as disk-fault "writeback dirty_writeback_centisecs=
 * dirty_expire_centisecs= dirty_background_bytes="). A new non-zero period writes back
 * everything dirty at once; 0 stops periodic writeback; a threshold applies from the next
 * write. */
void disk_set_vm(struct disk *d, const struct disk_vm *vm);
uint64_t disk_used_bytes(const struct disk *d);
/* Bytes on several disks together, and the most they ever held at once. */
struct disk_total {
    uint64_t used;
    uint64_t peak;
};
/* From now on (the disk still empty) `d`'s bytes count into `total` too. */
void disk_count_into(struct disk *d, struct disk_total *total);

bool disk_check(const struct disk *d);
/* A file's durable image: its own copy, or the cache's first durable_size bytes while shared.
 * NULL when durable_size is 0. */
const uint8_t *disk_file_durable(const struct disk_file *f);

#endif
