/* Arenas: where every buffer lives.
 *
 * An arena is one data region of fixed-size, page-aligned slots plus one
 * control region (header, allocation bitmap, per-slot refcounts, owner table
 * and a lock-free release queue). With the memfd backing both regions are
 * memfds mapped MAP_SHARED, so refcounts work across fork() and, later,
 * across sandboxed processes that receive the fds. The heap backing keeps the
 * same layout in malloc'd memory for tiny builds without isolation.
 *
 * Allocation sets a bit in the bitmap (compare-and-swap, lock-free, any
 * thread). Dropping the last reference pushes the slot on the release queue
 * (multi-producer, lock-free); px_arena_reclaim() and px_arena_acquire() drain
 * it, costing O(released), not O(slots). Arenas never grow: exhaustion
 * returns PX_EAGAIN and the caller decides to wait, drop or fail. */

typedef struct px_arena px_arena;

typedef enum px_arena_backing {
    PX_ARENA_BACKING_DEFAULT = 0, /* memfd when compiled in, else shm, else heap */
    PX_ARENA_BACKING_MEMFD,
    PX_ARENA_BACKING_SHM,
    PX_ARENA_BACKING_HEAP,
} px_arena_backing;

typedef struct px_arena_stats {
    size_t slot_size;     /* bytes per slot (page multiple) */
    uint32_t slot_count;
    uint32_t in_use;      /* slots allocated and not yet reclaimed */
    uint32_t available;   /* slot_count - in_use */
    uint32_t high_water;  /* most slots ever in use at once */
    double utilization;   /* in_use / slot_count */
    uint64_t acquired;    /* total successful acquisitions */
    uint64_t exhausted;   /* acquisitions refused because every slot was taken */
} px_arena_stats;

#define PX_ARENA_MAX_SLOTS 65536u

/* slot_size is rounded up to the page size; slot_count in [1, PX_ARENA_MAX_SLOTS]. */
PX_API int px_arena_create(px_arena **out, const char *name, size_t slot_size, uint32_t slot_count,
                           px_arena_backing backing, px_error *err);
PX_API void px_arena_destroy(px_arena *arena);

/* Takes a free slot with refcount 1. PX_EAGAIN when every slot is in use. */
PX_API int px_arena_acquire(px_arena *arena, uint32_t *slot);
PX_API void px_arena_ref(px_arena *arena, uint32_t slot);
/* Returns true when this dropped the last reference (slot queued for reclaim). */
PX_API bool px_arena_unref(px_arena *arena, uint32_t slot);
PX_API uint32_t px_arena_refcount(const px_arena *arena, uint32_t slot);
/* Who acquired the slot: the pid for memfd/shm arenas (so a supervisor can
 * find a crashed child's slots), 0 for heap arenas and free slots. */
PX_API uint32_t px_arena_slot_owner(const px_arena *arena, uint32_t slot);
/* Makes the calling thread the arena's home: its acquires and last unrefs
 * use a private free list with no atomic read-modify-write (the others keep
 * using the shared bitmap and queue). Call before streaming, while no other
 * thread uses the arena; calling again moves the home. */
PX_API void px_arena_bind_thread(px_arena *arena);
/* Drains the release queue; returns how many slots became free. */
PX_API uint32_t px_arena_reclaim(px_arena *arena);

PX_API void *px_arena_slot_data(const px_arena *arena, uint32_t slot);
PX_API size_t px_arena_slot_size(const px_arena *arena);
PX_API uint32_t px_arena_slot_count(const px_arena *arena);
PX_API const char *px_arena_name(const px_arena *arena);
PX_API px_arena_backing px_arena_get_backing(const px_arena *arena);
/* The memfds (-1 for the heap backing): data first, control second. */
PX_API int px_arena_data_fd(const px_arena *arena);
PX_API int px_arena_control_fd(const px_arena *arena);
PX_API void px_arena_get_stats(const px_arena *arena, px_arena_stats *stats);
