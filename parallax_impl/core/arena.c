/* Arenas: fixed page-aligned slots, a shared control region, no locks.
 *
 * Control region layout (every reference is an offset from its start, so it
 * means the same in every process that maps it):
 *
 *   header     magic, version, geometry, offsets, shared stats, queue indices
 *   bitmap     _Atomic uint64_t per 64 slots; a set bit = allocated
 *   refcounts  _Atomic uint32_t per slot
 *   owners     _Atomic uint32_t per slot: pid of the acquirer (0 for heap or free)
 *   queue      bounded MPMC ring of released slot indices (Vyukov's algorithm:
 *              each cell carries a sequence number saying whose turn it is)
 *
 * Ordering: the last unref (acq_rel) happens-before its push (release), which
 * the reclaimer's pop (acquire) sees before clearing the bitmap bit (release),
 * which the next acquirer's CAS (acquire) sees. So everything written to a
 * slot by its previous users is visible before its next user gets it.
 *
 * Home thread: atomic read-modify-writes cost ~10-20 ns each, and a buffer
 * that is acquired, used and released by one streaming thread would pay for
 * five of them. An arena bound to its home thread (px_arena_bind_thread)
 * keeps a private free list there: when the home thread drops the last
 * reference it parks the slot on the list (its bit stays set), and its next
 * acquire takes it back, with plain loads and stores only. Releases from any
 * other thread or process still go through the shared queue. */

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if CONFIG_PX_ARENA_MEMFD || CONFIG_PX_ARENA_SHM
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/types.h>
#endif

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2,
               "parallax arenas need lock-free 64-bit atomics: they live in memory shared "
               "between processes, where a lock-based atomic would not work");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2,
               "parallax arenas need lock-free 32-bit atomics (shared between processes)");

#define PX_ARENA__MAGIC   0x52415850u /* "PXAR" in memory on little-endian */
#define PX_ARENA__VERSION 2u
#define PX_ARENA__LINE    64u /* keeps hot counters on their own cache lines */

typedef struct px_arena__cell {
    _Atomic uint64_t seq; /* pos: free for the producer of pos; pos+1: holds that item */
    uint32_t slot;        /* published by the release store to seq */
    uint32_t reserved;
} px_arena__cell;

typedef struct px_arena__control {
    /* Written once at creation, read-only afterwards. */
    uint32_t magic;
    uint32_t version;
    uint64_t control_size;
    uint64_t data_size;
    uint64_t slot_size;
    uint32_t slot_count;
    uint32_t bitmap_words;
    uint32_t queue_capacity; /* power of two >= slot_count */
    uint32_t reserved;
    uint64_t bitmap_offset;
    uint64_t refcount_offset;
    uint64_t owner_offset;
    uint64_t queue_offset;
    /* Shared stats: held = acquired - released, over both paths. */
    _Alignas(64) _Atomic uint64_t acquired; /* any thread: read-modify-write */
    _Atomic uint32_t high_water;
    _Atomic uint64_t exhausted;
    /* Releases from other threads (a queue's output side: per buffer), apart
     * from what the home thread reads on every acquire. */
    _Alignas(64) _Atomic uint64_t released;
    _Alignas(64) _Atomic uint64_t home_acquired; /* home thread only: load + store */
    _Atomic uint64_t home_released;
    /* Bitmap word where the next search starts. */
    _Alignas(64) _Atomic uint32_t hint;
    /* Release queue positions. */
    _Alignas(64) _Atomic uint64_t enqueue_pos;
    _Alignas(64) _Atomic uint64_t dequeue_pos;
} px_arena__control;

struct px_arena {
    char name[64];
    px_arena_backing backing;
    int data_fd;
    int control_fd;
    bool shared;           /* memfd/shm: owner ids are pids */
    uint8_t *data;         /* this process's mapping of the slots */
    uint8_t *control_base; /* this process's mapping of the control region */
    void *data_alloc;      /* heap backing: what to free */
    void *control_alloc;
    size_t data_size;
    size_t control_size;
    size_t slot_size;
    uint32_t slot_count;
    uint32_t bitmap_words;
    uint64_t queue_mask;
    /* Pointers into control_base, derived from the header's offsets. */
    px_arena__control *ctl;
    _Atomic uint64_t *bitmap;
    _Atomic uint32_t *refcount;
    _Atomic uint32_t *owner;
    px_arena__cell *queue;
    /* Home thread and its private free list (process-local, never shared). */
    uint64_t home;      /* the home thread's px_arena__token, 0 = none */
    uint32_t home_pid;  /* its process, for the owner table */
    uint32_t *parked;   /* slots with refcount 0 whose bit is still set */
    uint32_t n_parked;
    /* The home thread's last look at the shared release count and high
     * water (both only grow): held by them can only overstate, so the
     * shared line is read again only when the high water might move. */
    uint64_t seen_released;
    uint32_t seen_high_water;
#if CONFIG_PX_ISOLATE
    /* An element process's view of an arena lent to it: a slot's last
     * reference goes back to the supervisor, not to this view's queue. */
    void (*gone)(px_arena *a, uint32_t slot);
    int member;
#endif
};

/* A number per thread, given on first bind. A fork()ed child's thread
 * inherits its parent thread's number, so the child takes a new one
 * (px_arena__atfork_child): it must not think it is the parent's home. */
static _Thread_local uint64_t px_arena__token;
static _Atomic uint64_t px_arena__tokens;

static uint64_t px_arena__new_token(void)
{
    return atomic_fetch_add_explicit(&px_arena__tokens, 1, memory_order_relaxed) + 1;
}

/* ---- Owner ids ----------------------------------------------------------- */

#if CONFIG_PX_ARENA_MEMFD || CONFIG_PX_ARENA_SHM
/* getpid() is a syscall on current glibc; acquire must not make one, so the
 * pid is cached per process and forgotten in fork()ed children. */
static _Atomic uint32_t px_arena__pid_cache;
static pthread_once_t px_arena__atfork_once = PTHREAD_ONCE_INIT;

static void px_arena__atfork_child(void)
{
    atomic_store_explicit(&px_arena__pid_cache, 0, memory_order_relaxed);
    if (px_arena__token)
        px_arena__token = px_arena__new_token();
}

static void px_arena__register_atfork(void)
{
    (void)pthread_atfork(NULL, NULL, px_arena__atfork_child);
}

static uint32_t px_arena__self(void)
{
    uint32_t pid = atomic_load_explicit(&px_arena__pid_cache, memory_order_relaxed);
    if (pid == 0) {
        pid = (uint32_t)getpid();
        atomic_store_explicit(&px_arena__pid_cache, pid, memory_order_relaxed);
    }
    return pid;
}
#endif

static bool px_arena__at_home(const px_arena *a)
{
    return a->home != 0 && a->home == px_arena__token;
}

/* Single-writer counter: a plain load and store, no locked instruction. */
static void px_arena__bump(_Atomic uint64_t *c)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1, memory_order_relaxed);
}

static inline uint32_t px_arena__held(const px_arena *a)
{
    const px_arena__control *c = a->ctl;
    uint64_t in = atomic_load_explicit(&c->acquired, memory_order_relaxed) +
                  atomic_load_explicit(&c->home_acquired, memory_order_relaxed);
    uint64_t out = atomic_load_explicit(&c->released, memory_order_relaxed) +
                   atomic_load_explicit(&c->home_released, memory_order_relaxed);
    /* Racy snapshots and shared memory: clamp, never trust blindly. */
    return in <= out ? 0 : in - out > a->slot_count ? a->slot_count : (uint32_t)(in - out);
}

/* ---- Release queue (bounded MPMC ring, Vyukov) ----------------------------- */

static bool px_arena__push(px_arena *a, uint32_t slot)
{
    _Atomic uint64_t *tail = &a->ctl->enqueue_pos;
    uint64_t pos = atomic_load_explicit(tail, memory_order_relaxed);
    px_arena__cell *cell;

    for (;;) {
        cell = &a->queue[pos & a->queue_mask];
        uint64_t seq = atomic_load_explicit(&cell->seq, memory_order_acquire);
        int64_t diff = (int64_t)(seq - pos);
        if (diff == 0) {
            if (atomic_compare_exchange_weak_explicit(tail, &pos, pos + 1, memory_order_relaxed,
                                                      memory_order_relaxed))
                break;
        } else if (diff < 0) {
            return false; /* the cell a lap behind has not been consumed yet */
        } else {
            pos = atomic_load_explicit(tail, memory_order_relaxed);
        }
    }
    cell->slot = slot;
    atomic_store_explicit(&cell->seq, pos + 1, memory_order_release);
    return true;
}

static bool px_arena__pop(px_arena *a, uint32_t *slot)
{
    _Atomic uint64_t *head = &a->ctl->dequeue_pos;
    uint64_t pos = atomic_load_explicit(head, memory_order_relaxed);
    px_arena__cell *cell;

    for (;;) {
        cell = &a->queue[pos & a->queue_mask];
        uint64_t seq = atomic_load_explicit(&cell->seq, memory_order_acquire);
        int64_t diff = (int64_t)(seq - (pos + 1));
        if (diff == 0) {
            if (atomic_compare_exchange_weak_explicit(head, &pos, pos + 1, memory_order_relaxed,
                                                      memory_order_relaxed))
                break;
        } else if (diff < 0) {
            return false; /* empty */
        } else {
            pos = atomic_load_explicit(head, memory_order_relaxed);
        }
    }
    *slot = cell->slot;
    atomic_store_explicit(&cell->seq, pos + a->queue_mask + 1, memory_order_release);
    return true;
}

/* ---- Bitmap ---------------------------------------------------------------- */

/* Clears a slot's bit, making it allocatable. */
static bool px_arena__free_slot(px_arena *a, uint32_t slot)
{
    uint64_t bit = UINT64_C(1) << (slot & 63u);
    uint64_t old = atomic_fetch_and_explicit(&a->bitmap[slot >> 6], ~bit, memory_order_release);
    return (old & bit) != 0; /* false: was not allocated, a bogus queue entry */
}

static bool px_arena__take_bit(px_arena *a, uint32_t *slot)
{
    uint32_t words = a->bitmap_words;
    uint32_t start = atomic_load_explicit(&a->ctl->hint, memory_order_relaxed);
    if (start >= words)
        start = 0;

    for (uint32_t i = 0; i < words; i++) {
        uint32_t w = start + i < words ? start + i : start + i - words;
        uint64_t cur = atomic_load_explicit(&a->bitmap[w], memory_order_relaxed);
        while (cur != UINT64_MAX) {
            unsigned bit = (unsigned)__builtin_ctzll(~cur);
            uint64_t next = cur | (UINT64_C(1) << bit);
            if (atomic_compare_exchange_weak_explicit(&a->bitmap[w], &cur, next, memory_order_acquire,
                                                      memory_order_relaxed)) {
                /* Rotate the hint off full words so searches spread out. */
                uint32_t want = next == UINT64_MAX ? (w + 1 < words ? w + 1 : 0) : w;
                if (want != start)
                    atomic_store_explicit(&a->ctl->hint, want, memory_order_relaxed);
                *slot = w * 64u + bit;
                return true;
            }
        }
    }
    return false;
}

/* ---- Per-buffer operations: no locks, syscalls or allocation --------------- */

/* Home thread: takes a slot released elsewhere straight from the release
 * queue, leaving its bitmap bit set (as a parked slot's). The queue is
 * shared memory another process can write: an entry that is not a free slot
 * is skipped, as px_arena_reclaim() does. */
static bool px_arena__pop_parked(px_arena *a, uint32_t *slot)
{
    uint32_t s;
    for (uint32_t tries = 0; tries < 4 && px_arena__pop(a, &s); tries++) {
        if (s < a->slot_count && atomic_load_explicit(&a->refcount[s], memory_order_relaxed) == 0) {
            *slot = s;
            return true;
        }
    }
    return false;
}

PX_API int px_arena_acquire(px_arena *arena, uint32_t *slot)
{
    if (!arena || !slot)
        return PX_EINVAL;

    uint32_t s;
    px_arena__control *c = arena->ctl;
    bool home = px_arena__at_home(arena);
    if (home && arena->n_parked) {
        s = arena->parked[--arena->n_parked];
    } else if (home && px_arena__pop_parked(arena, &s)) {
        /* released by another thread (a queue's output side): its bit is
         * still set, so it is the home thread's again without a bitmap trip */
    } else if (!px_arena__take_bit(arena, &s)) {
        px_arena_reclaim(arena);
        if (!px_arena__take_bit(arena, &s)) {
            atomic_fetch_add_explicit(&c->exhausted, 1, memory_order_relaxed);
            return PX_EAGAIN;
        }
    }

    atomic_store_explicit(&arena->refcount[s], 1, memory_order_relaxed);
#if CONFIG_PX_ARENA_MEMFD || CONFIG_PX_ARENA_SHM
    if (arena->shared) /* a heap arena's owners stay 0: no line written per buffer */
        atomic_store_explicit(&arena->owner[s], home ? arena->home_pid : px_arena__self(), memory_order_relaxed);
#endif
    if (home) {
        px_arena__bump(&c->home_acquired);
        uint64_t in = atomic_load_explicit(&c->acquired, memory_order_relaxed) +
                      atomic_load_explicit(&c->home_acquired, memory_order_relaxed);
        uint64_t out = arena->seen_released + atomic_load_explicit(&c->home_released, memory_order_relaxed);
        if (in <= out || in - out <= arena->seen_high_water) { /* at most what is held: no new high */
            *slot = s;
            return PX_OK;
        }
        arena->seen_released = atomic_load_explicit(&c->released, memory_order_relaxed);
    } else {
        atomic_fetch_add_explicit(&c->acquired, 1, memory_order_relaxed);
    }
    uint32_t n = px_arena__held(arena);
    uint32_t hw = atomic_load_explicit(&c->high_water, memory_order_relaxed);
    while (n > hw && !atomic_compare_exchange_weak_explicit(&c->high_water, &hw, n, memory_order_relaxed,
                                                            memory_order_relaxed)) {
    }
    if (home)
        arena->seen_high_water = n > hw ? n : hw;
    *slot = s;
    return PX_OK;
}

PX_API void px_arena_ref(px_arena *arena, uint32_t slot)
{
    if (!arena || slot >= arena->slot_count) {
        PX_ASSERT(arena && slot < arena->slot_count && "px_arena_ref: no such slot");
        return;
    }
    _Atomic uint32_t *rc = &arena->refcount[slot];
    uint32_t old = atomic_load_explicit(rc, memory_order_relaxed);
    do {
        /* From 0 would resurrect a slot that is already queued for reclaim. */
        if (old == 0) {
            PX_ASSERT(old != 0 && "px_arena_ref: slot has no references (used after its last unref?)");
            return;
        }
    } while (!atomic_compare_exchange_weak_explicit(rc, &old, old + 1, memory_order_relaxed,
                                                    memory_order_relaxed));
}

PX_API bool px_arena_unref(px_arena *arena, uint32_t slot)
{
    if (!arena || slot >= arena->slot_count) {
        PX_ASSERT(arena && slot < arena->slot_count && "px_arena_unref: no such slot");
        return false;
    }
    _Atomic uint32_t *rc = &arena->refcount[slot];
    /* Holding the only reference, nobody else can touch the count (a new
     * reference is made only from a held one), so a store releases it; the
     * acquire load pairs with other threads' earlier decrements. This is
     * the common case, and the one that matters: a locked read-modify-write
     * waits for the count's cache line, which the thread that acquired the
     * slot wrote last (a queue's output side freeing what its input side
     * allocated: about 100 ns per buffer on a 2-vCPU EPYC). */
    uint32_t old = atomic_load_explicit(rc, memory_order_acquire);
    if (old == 1) {
        atomic_store_explicit(rc, 0, memory_order_relaxed);
        if (px_arena__at_home(arena)) {
            atomic_store_explicit(&arena->owner[slot], 0, memory_order_relaxed);
            arena->parked[arena->n_parked++] = slot;
            px_arena__bump(&arena->ctl->home_released);
            return true;
        }
    } else {
        do {
            /* A CAS rather than fetch_sub, so a double unref can never push twice. */
            if (old == 0) {
                PX_ASSERT(old != 0 && "px_arena_unref: slot has no references (double unref?)");
                return false;
            }
        } while (!atomic_compare_exchange_weak_explicit(rc, &old, old - 1, memory_order_acq_rel,
                                                        memory_order_relaxed));
        if (old != 1)
            return false;
    }
#if CONFIG_PX_ISOLATE
    if (arena->gone) {
        arena->gone(arena, slot);
        return true;
    }
#endif

    atomic_fetch_add_explicit(&arena->ctl->released, 1, memory_order_relaxed);
    /* Clear the owner before publishing: once pushed, the slot may be reused. */
    if (arena->shared)
        atomic_store_explicit(&arena->owner[slot], 0, memory_order_relaxed);
    if (!px_arena__push(arena, slot)) {
        /* Only possible while a reclaimer is stalled mid-pop a full lap
         * behind; free the slot directly rather than lose it. */
        px_arena__free_slot(arena, slot);
    }
    return true;
}

PX_API void px_arena_bind_thread(px_arena *arena)
{
    if (!arena)
        return;
    while (arena->n_parked) /* hand slots parked by a previous home back */
        px_arena__free_slot(arena, arena->parked[--arena->n_parked]);
#if CONFIG_PX_ARENA_MEMFD || CONFIG_PX_ARENA_SHM
    arena->home_pid = arena->shared ? px_arena__self() : 0;
#endif
    if (!px_arena__token)
        px_arena__token = px_arena__new_token();
    arena->seen_released = 0; /* only ever below the real figures */
    arena->seen_high_water = 0;
    arena->home = px_arena__token;
}

PX_API uint32_t px_arena_refcount(const px_arena *arena, uint32_t slot)
{
    if (!arena || slot >= arena->slot_count)
        return 0;
    return atomic_load_explicit(&arena->refcount[slot], memory_order_acquire);
}

PX_API uint32_t px_arena_slot_owner(const px_arena *arena, uint32_t slot)
{
    if (!arena || slot >= arena->slot_count)
        return 0;
    return atomic_load_explicit(&arena->owner[slot], memory_order_relaxed);
}

PX_API uint32_t px_arena_reclaim(px_arena *arena)
{
    if (!arena)
        return 0;
    uint32_t freed = 0, slot;
    /* At most one lap: bounded even if another process keeps pushing. */
    for (uint64_t i = 0; i <= arena->queue_mask && px_arena__pop(arena, &slot); i++) {
        /* The queue is shared memory another process can write: check. */
        if (slot >= arena->slot_count ||
            atomic_load_explicit(&arena->refcount[slot], memory_order_relaxed) != 0)
            continue;
        if (px_arena__free_slot(arena, slot))
            freed++;
    }
    return freed;
}

PX_API void *px_arena_slot_data(const px_arena *arena, uint32_t slot)
{
    if (!arena || slot >= arena->slot_count)
        return NULL;
    return arena->data + (size_t)slot * arena->slot_size;
}

/* ---- Accessors ------------------------------------------------------------ */

PX_API size_t px_arena_slot_size(const px_arena *arena)
{
    return arena ? arena->slot_size : 0;
}

PX_API uint32_t px_arena_slot_count(const px_arena *arena)
{
    return arena ? arena->slot_count : 0;
}

PX_API const char *px_arena_name(const px_arena *arena)
{
    return arena ? arena->name : "";
}

PX_API px_arena_backing px_arena_get_backing(const px_arena *arena)
{
    return arena ? arena->backing : PX_ARENA_BACKING_DEFAULT;
}

PX_API int px_arena_data_fd(const px_arena *arena)
{
    return arena ? arena->data_fd : -1;
}

PX_API int px_arena_control_fd(const px_arena *arena)
{
    return arena ? arena->control_fd : -1;
}

PX_API void px_arena_get_stats(const px_arena *arena, px_arena_stats *stats)
{
    if (!stats)
        return;
    memset(stats, 0, sizeof *stats);
    if (!arena)
        return;
    const px_arena__control *c = arena->ctl;
    stats->slot_size = arena->slot_size;
    stats->slot_count = arena->slot_count;
    stats->in_use = px_arena__held(arena);
    stats->available = arena->slot_count - stats->in_use;
    stats->high_water = atomic_load_explicit(&c->high_water, memory_order_relaxed);
    if (stats->high_water > arena->slot_count)
        stats->high_water = arena->slot_count;
    stats->utilization = (double)stats->in_use / (double)arena->slot_count;
    stats->acquired = atomic_load_explicit(&c->acquired, memory_order_relaxed) +
                      atomic_load_explicit(&c->home_acquired, memory_order_relaxed);
    stats->exhausted = atomic_load_explicit(&c->exhausted, memory_order_relaxed);
}

/* ---- Creation ------------------------------------------------------------- */

static uint64_t px_arena__align(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* The largest region this system can map and index, a page multiple. */
static uint64_t px_arena__max_bytes(size_t page)
{
    uint64_t m = (uint64_t)PTRDIFF_MAX;
#if CONFIG_PX_ARENA_MEMFD || CONFIG_PX_ARENA_SHM
    if (sizeof(off_t) < 8 && m > (uint64_t)INT32_MAX)
        m = (uint64_t)INT32_MAX;
#endif
    return m & ~(uint64_t)(page - 1);
}

#if CONFIG_PX_ARENA_MEMFD || CONFIG_PX_ARENA_SHM
static int px_arena__os_error(px_error *err, const char *name, const char *what, int e)
{
    int code = PX_EIO;
    if (e == ENOMEM || e == ENOSPC || e == EMFILE || e == ENFILE)
        code = PX_ENOMEM;
    else if (e == ENOSYS)
        code = PX_ENOTSUP;
    return px_error_set(err, code, 0, "arena \"%s\": %s failed: %s", name, what, strerror(e));
}

/* Sizes fd, seals it where possible and maps it shared read-write. */
static int px_arena__map_fd(px_arena *a, int fd, size_t size, bool seal, uint8_t **out, px_error *err)
{
    if (ftruncate(fd, (off_t)size) != 0)
        return px_arena__os_error(err, a->name, "ftruncate", errno);
#if CONFIG_PX_ARENA_MEMFD
    /* Nobody may shrink it under another process's mapping (SIGBUS) or grow it. */
    if (seal && fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK) != 0)
        return px_arena__os_error(err, a->name, "sealing the memfd (F_ADD_SEALS)", errno);
#else
    (void)seal;
#endif
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        return px_arena__os_error(err, a->name, "mmap", errno);
    *out = p;
    return PX_OK;
}
#endif

#if CONFIG_PX_ARENA_MEMFD
static int px_arena__memfd(px_arena *a, const char *suffix, size_t size, int *fd_out, uint8_t **map,
                           px_error *err)
{
    char label[96]; /* shows in /proc/<pid>/fd as "memfd:px:<name>:<suffix>" */
    snprintf(label, sizeof label, "px:%s:%s", a->name, suffix);
    int fd = -1;
#ifdef MFD_NOEXEC_SEAL
    /* Newer kernels warn unless exec permission is decided; older ones reject it. */
    fd = memfd_create(label, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);
    if (fd < 0 && errno != EINVAL)
        return px_arena__os_error(err, a->name, "memfd_create", errno);
#endif
    if (fd < 0)
        fd = memfd_create(label, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return px_arena__os_error(err, a->name, "memfd_create", errno);
    *fd_out = fd;
    return px_arena__map_fd(a, fd, size, true, map, err);
}
#endif

#if CONFIG_PX_ARENA_SHM
static int px_arena__shm(px_arena *a, size_t size, int *fd_out, uint8_t **map, px_error *err)
{
    static _Atomic uint32_t counter;
    for (int attempt = 0; attempt < 100; attempt++) {
        char path[64];
        snprintf(path, sizeof path, "/px-arena-%ld-%u", (long)getpid(),
                 (unsigned)atomic_fetch_add(&counter, 1));
        int fd = shm_open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            if (errno == EEXIST)
                continue;
            return px_arena__os_error(err, a->name, "shm_open", errno);
        }
        shm_unlink(path); /* only the fd keeps it alive: nothing leaks if we crash */
        *fd_out = fd;
        return px_arena__map_fd(a, fd, size, false, map, err);
    }
    return px_error_set(err, PX_EIO, 0, "arena \"%s\": shm_open found no unused name in 100 tries", a->name);
}
#endif

#if CONFIG_PX_ARENA_HEAP
/* Page-aligned allocation through PX_MALLOC, so custom allocators apply. */
static uint8_t *px_arena__heap_alloc(size_t size, size_t page, void **raw)
{
    if (size > SIZE_MAX - page)
        return NULL;
    *raw = PX_MALLOC(size + page);
    if (!*raw)
        return NULL;
    uintptr_t p = ((uintptr_t)*raw + page - 1) & ~(uintptr_t)(page - 1);
    return (uint8_t *)p;
}
#endif

static int px_arena__not_compiled(px_error *err, const char *name, const char *what, const char *symbol)
{
    px_error_set(err, PX_ENOTSUP, 0, "arena \"%s\": the %s backing is not compiled into this build", name,
                 what);
    px_error_hint(err, "enable %s in make menuconfig (or build with -DCONFIG_%s=1)", symbol, symbol);
    return PX_ENOTSUP;
}

static void px_arena__init_control(px_arena *a)
{
    uint8_t *base = a->control_base;
    px_arena__control *c = a->ctl;

    uint64_t off = px_arena__align(sizeof(px_arena__control), PX_ARENA__LINE);
    c->bitmap_offset = off;
    off = px_arena__align(off + (uint64_t)a->bitmap_words * 8u, PX_ARENA__LINE);
    c->refcount_offset = off;
    off = px_arena__align(off + (uint64_t)a->slot_count * 4u, PX_ARENA__LINE);
    c->owner_offset = off;
    off = px_arena__align(off + (uint64_t)a->slot_count * 4u, PX_ARENA__LINE);
    c->queue_offset = off;

    c->magic = PX_ARENA__MAGIC;
    c->version = PX_ARENA__VERSION;
    c->control_size = a->control_size;
    c->data_size = a->data_size;
    c->slot_size = a->slot_size;
    c->slot_count = a->slot_count;
    c->bitmap_words = a->bitmap_words;
    c->queue_capacity = (uint32_t)(a->queue_mask + 1);

    a->bitmap = (_Atomic uint64_t *)(void *)(base + c->bitmap_offset);
    a->refcount = (_Atomic uint32_t *)(void *)(base + c->refcount_offset);
    a->owner = (_Atomic uint32_t *)(void *)(base + c->owner_offset);
    a->queue = (px_arena__cell *)(void *)(base + c->queue_offset);

    atomic_store_explicit(&c->released, 0, memory_order_relaxed);
    atomic_store_explicit(&c->home_acquired, 0, memory_order_relaxed);
    atomic_store_explicit(&c->home_released, 0, memory_order_relaxed);
    atomic_store_explicit(&c->high_water, 0, memory_order_relaxed);
    atomic_store_explicit(&c->acquired, 0, memory_order_relaxed);
    atomic_store_explicit(&c->exhausted, 0, memory_order_relaxed);
    atomic_store_explicit(&c->hint, 0, memory_order_relaxed);
    atomic_store_explicit(&c->enqueue_pos, 0, memory_order_relaxed);
    atomic_store_explicit(&c->dequeue_pos, 0, memory_order_relaxed);
    for (uint32_t w = 0; w < a->bitmap_words; w++)
        atomic_store_explicit(&a->bitmap[w], 0, memory_order_relaxed);
    /* Bits past the last slot are permanently "allocated". */
    if (a->slot_count % 64u)
        atomic_store_explicit(&a->bitmap[a->bitmap_words - 1], UINT64_MAX << (a->slot_count % 64u),
                              memory_order_relaxed);
    for (uint32_t i = 0; i < a->slot_count; i++) {
        atomic_store_explicit(&a->refcount[i], 0, memory_order_relaxed);
        atomic_store_explicit(&a->owner[i], 0, memory_order_relaxed);
    }
    for (uint64_t i = 0; i <= a->queue_mask; i++) {
        atomic_store_explicit(&a->queue[i].seq, i, memory_order_relaxed);
        a->queue[i].slot = 0;
        a->queue[i].reserved = 0;
    }
    /* No fence: the arena reaches other threads and processes only through
     * something that already orders memory (thread start, fork, fd passing). */
}

PX_API int px_arena_create(px_arena **out, const char *name, size_t slot_size, uint32_t slot_count,
                           px_arena_backing backing, px_error *err)
{
    if (!out)
        return px_error_set(err, PX_EINVAL, 0, "px_arena_create: out is NULL");
    *out = NULL;
    if (!name || !*name)
        name = "arena";

    /* getpagesize(), not sysconf(): the same value (from the auxiliary vector),
     * without sysconf's table, which costs a static musl build 1 KiB. */
    int ps = getpagesize();
    size_t page = ps > 0 ? (size_t)ps : 4096u;
    uint64_t max_bytes = px_arena__max_bytes(page);

    if (slot_size == 0 || (uint64_t)slot_size > max_bytes)
        return px_error_set(err, PX_EINVAL, 0,
                            "arena \"%s\": slot_size %zu is out of range: accepted is 1 to %llu "
                            "bytes (rounded up to a multiple of the %zu-byte page size)",
                            name, slot_size, (unsigned long long)max_bytes, page);
    if (slot_count == 0 || slot_count > PX_ARENA_MAX_SLOTS)
        return px_error_set(err, PX_EINVAL, 0,
                            "arena \"%s\": slot_count %u is out of range: accepted is 1 to %u", name,
                            (unsigned)slot_count, (unsigned)PX_ARENA_MAX_SLOTS);
    uint64_t rounded = px_arena__align(slot_size, page);
    if (slot_count > max_bytes / rounded)
        return px_error_set(err, PX_EINVAL, 0,
                            "arena \"%s\": slot_size %zu x slot_count %u is more than the largest "
                            "arena (%llu bytes): slot_count must be at most %llu for this slot_size",
                            name, slot_size, (unsigned)slot_count, (unsigned long long)max_bytes,
                            (unsigned long long)(max_bytes / rounded));

    switch (backing) {
    case PX_ARENA_BACKING_DEFAULT:
        backing = CONFIG_PX_ARENA_MEMFD ? PX_ARENA_BACKING_MEMFD
                  : CONFIG_PX_ARENA_SHM ? PX_ARENA_BACKING_SHM
                                        : PX_ARENA_BACKING_HEAP;
        break;
    case PX_ARENA_BACKING_MEMFD:
        if (!CONFIG_PX_ARENA_MEMFD)
            return px_arena__not_compiled(err, name, "memfd", "PX_ARENA_MEMFD");
        break;
    case PX_ARENA_BACKING_SHM:
        if (!CONFIG_PX_ARENA_SHM)
            return px_arena__not_compiled(err, name, "shm", "PX_ARENA_SHM");
        break;
    case PX_ARENA_BACKING_HEAP:
        if (!CONFIG_PX_ARENA_HEAP)
            return px_arena__not_compiled(err, name, "heap", "PX_ARENA_HEAP");
        break;
    default:
        return px_error_set(err, PX_EINVAL, 0,
                            "arena \"%s\": backing %d is unknown: accepted are "
                            "PX_ARENA_BACKING_DEFAULT, PX_ARENA_BACKING_MEMFD, PX_ARENA_BACKING_SHM "
                            "and PX_ARENA_BACKING_HEAP",
                            name, (int)backing);
    }

    px_arena *a = PX_MALLOC(sizeof *a);
    if (!a)
        return px_error_set(err, PX_ENOMEM, 0, "arena \"%s\": out of memory", name);
    memset(a, 0, sizeof *a);
    a->parked = PX_MALLOC((size_t)slot_count * sizeof *a->parked);
    if (!a->parked) {
        PX_FREE(a);
        return px_error_set(err, PX_ENOMEM, 0, "arena \"%s\": out of memory", name);
    }
    size_t n = 0;
    for (; name[n] && n < sizeof a->name - 1; n++)
        a->name[n] = name[n];
    a->name[n] = '\0';
    a->backing = backing;
    a->data_fd = -1;
    a->control_fd = -1;
    a->slot_size = (size_t)rounded;
    a->slot_count = slot_count;
    a->data_size = (size_t)(rounded * slot_count);
    a->bitmap_words = (slot_count + 63u) / 64u;
    uint64_t cap = 1;
    while (cap < slot_count)
        cap <<= 1;
    a->queue_mask = cap - 1;
    uint64_t ctl = px_arena__align(sizeof(px_arena__control), PX_ARENA__LINE);
    ctl = px_arena__align(ctl + (uint64_t)a->bitmap_words * 8u, PX_ARENA__LINE);
    ctl = px_arena__align(ctl + (uint64_t)slot_count * 4u, PX_ARENA__LINE);
    ctl = px_arena__align(ctl + (uint64_t)slot_count * 4u, PX_ARENA__LINE);
    ctl += cap * sizeof(px_arena__cell);
    a->control_size = (size_t)px_arena__align(ctl, page);

    int rc = PX_OK;
    switch (backing) {
#if CONFIG_PX_ARENA_MEMFD
    case PX_ARENA_BACKING_MEMFD:
        a->shared = true;
        rc = px_arena__memfd(a, "data", a->data_size, &a->data_fd, &a->data, err);
        if (rc == PX_OK)
            rc = px_arena__memfd(a, "control", a->control_size, &a->control_fd, &a->control_base, err);
        break;
#endif
#if CONFIG_PX_ARENA_SHM
    case PX_ARENA_BACKING_SHM:
        a->shared = true;
        rc = px_arena__shm(a, a->data_size, &a->data_fd, &a->data, err);
        if (rc == PX_OK)
            rc = px_arena__shm(a, a->control_size, &a->control_fd, &a->control_base, err);
        break;
#endif
#if CONFIG_PX_ARENA_HEAP
    case PX_ARENA_BACKING_HEAP:
        a->data = px_arena__heap_alloc(a->data_size, page, &a->data_alloc);
        if (a->data)
            a->control_base = px_arena__heap_alloc(a->control_size, page, &a->control_alloc);
        if (!a->data || !a->control_base)
            rc = px_error_set(err, PX_ENOMEM, 0,
                              "arena \"%s\": out of memory allocating %zu slots of %zu bytes", name,
                              (size_t)slot_count, a->slot_size);
        else
            memset(a->control_base, 0, a->control_size);
        break;
#endif
    default:
        rc =
            px_error_set(err, PX_ENOTSUP, 0, "arena \"%s\": backing %d is not available", name, (int)backing);
        break;
    }
    if (rc != PX_OK) {
        px_arena_destroy(a);
        return rc;
    }
#if CONFIG_PX_ARENA_MEMFD || CONFIG_PX_ARENA_SHM
    if (a->shared)
        pthread_once(&px_arena__atfork_once, px_arena__register_atfork);
#endif

    a->ctl = (px_arena__control *)(void *)a->control_base;
    px_arena__init_control(a);
    PX_DEBUG("arena", "arena \"%s\": %u slots of %zu bytes (%s), control %zu bytes", a->name,
             (unsigned)a->slot_count, a->slot_size,
             backing == PX_ARENA_BACKING_MEMFD ? "memfd"
             : backing == PX_ARENA_BACKING_SHM ? "shm"
                                               : "heap",
             a->control_size);
    *out = a;
    return PX_OK;
}

PX_API void px_arena_destroy(px_arena *arena)
{
    if (!arena)
        return;
#if CONFIG_PX_ARENA_MEMFD || CONFIG_PX_ARENA_SHM
    if (arena->shared) {
        if (arena->data)
            munmap(arena->data, arena->data_size);
        if (arena->control_base)
            munmap(arena->control_base, arena->control_size);
        if (arena->data_fd >= 0)
            close(arena->data_fd);
        if (arena->control_fd >= 0)
            close(arena->control_fd);
    }
#endif
    if (arena->data_alloc)
        PX_FREE(arena->data_alloc);
    if (arena->control_alloc)
        PX_FREE(arena->control_alloc);
    PX_FREE(arena->parked);
    PX_FREE(arena);
}
