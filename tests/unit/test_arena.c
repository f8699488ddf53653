/* Arena tests: arguments, backings, refcounts, exhaustion, stats, threads, fork. */

/* Misuse (unref of a free slot) must assert in debug builds; route PX_ASSERT
 * here so tests can prove it fires and that nothing is corrupted afterwards. */
static void test_assert_failed(const char *expr, const char *file, int line);
#define PX_ASSERT(x) ((x) ? (void)0 : test_assert_failed(#x, __FILE__, __LINE__))

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

static int asserts_expected;
static int asserts_seen;

static void test_assert_failed(const char *expr, const char *file, int line)
{
    asserts_seen++;
    if (!asserts_expected) {
        fprintf(stderr, "%s:%d: unexpected PX_ASSERT failure: %s\n", file, line, expr);
        abort();
    }
}

#define SHARED_BACKINGS (CONFIG_PX_ARENA_MEMFD || CONFIG_PX_ARENA_SHM)

/* ---- helpers ---------------------------------------------------------- */

static size_t page_size(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

/* Mirrors the largest arena the implementation accepts. */
static unsigned long long max_arena_bytes(void)
{
    unsigned long long m = (unsigned long long)PTRDIFF_MAX;
    if (sizeof(off_t) < 8 && m > (unsigned long long)INT32_MAX)
        m = INT32_MAX;
    return m & ~(unsigned long long)(page_size() - 1);
}

static px_arena *make_arena(size_t slot_size, uint32_t slot_count, px_arena_backing backing)
{
    px_arena *a = NULL;
    px_error err = {0};
    int rc = px_arena_create(&a, "test", slot_size, slot_count, backing, &err);
    if (rc != PX_OK)
        fprintf(stderr, "px_arena_create: %s\n", err.message);
    assert_int_equal(rc, PX_OK);
    assert_non_null(a);
    return a;
}

static void expect_create_error(size_t slot_size, uint32_t slot_count, px_arena_backing backing, int code,
                                const char *message)
{
    px_arena *a = (px_arena *)&a; /* must be reset to NULL */
    px_error err = {0};
    assert_int_equal(px_arena_create(&a, "video", slot_size, slot_count, backing, &err), code);
    assert_null(a);
    assert_int_equal(err.code, code);
    assert_string_equal(err.message, message);
}

static uint32_t acquire_ok(px_arena *a)
{
    uint32_t slot = UINT32_MAX;
    assert_int_equal(px_arena_acquire(a, &slot), PX_OK);
    assert_true(slot < px_arena_slot_count(a));
    assert_int_equal(px_arena_refcount(a, slot), 1);
    return slot;
}

static px_arena_stats stats_of(const px_arena *a)
{
    px_arena_stats st;
    px_arena_get_stats(a, &st);
    return st;
}

#if SHARED_BACKINGS
/* Children unmap what they inherited before leaving, so leak checkers
 * following them (valgrind --trace-children) see nothing lost. */
static _Noreturn void child_exit(px_arena *a, int code)
{
    px_arena_destroy(a);
    _exit(code);
}

static void wait_child_ok(pid_t pid)
{
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fprintf(stderr, "child failed: status 0x%x (exit %d)\n", status, WEXITSTATUS(status));
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}
#endif

/* ---- arguments --------------------------------------------------------- */

static void create_rejects_zero_slot_size_naming_the_range(void **state)
{
    (void)state;
    char msg[512];
    snprintf(msg, sizeof msg,
             "arena \"video\": slot_size 0 is out of range: accepted is 1 to %llu bytes "
             "(rounded up to a multiple of the %zu-byte page size)",
             max_arena_bytes(), page_size());
    expect_create_error(0, 4, PX_ARENA_BACKING_DEFAULT, PX_EINVAL, msg);
}

static void create_rejects_slot_count_zero_and_above_max(void **state)
{
    (void)state;
    expect_create_error(4096, 0, PX_ARENA_BACKING_DEFAULT, PX_EINVAL,
                        "arena \"video\": slot_count 0 is out of range: accepted is 1 to 65536");
    expect_create_error(4096, PX_ARENA_MAX_SLOTS + 1, PX_ARENA_BACKING_DEFAULT, PX_EINVAL,
                        "arena \"video\": slot_count 65537 is out of range: accepted is 1 to 65536");
}

static void create_rejects_slot_size_times_count_overflow(void **state)
{
    (void)state;
    char msg[512];
    size_t huge = (size_t)1 << (sizeof(size_t) * 8 - 3); /* 2^61 on 64-bit */
    unsigned long long max = max_arena_bytes();
    snprintf(msg, sizeof msg,
             "arena \"video\": slot_size %zu x slot_count 65536 is more than the largest arena "
             "(%llu bytes): slot_count must be at most %llu for this slot_size",
             huge, max, max / huge);
    expect_create_error(huge, 65536, PX_ARENA_BACKING_DEFAULT, PX_EINVAL, msg);

    /* A slot_size that would overflow when rounded up to the page size. */
    snprintf(msg, sizeof msg,
             "arena \"video\": slot_size %zu is out of range: accepted is 1 to %llu bytes "
             "(rounded up to a multiple of the %zu-byte page size)",
             (size_t)SIZE_MAX, max, page_size());
    expect_create_error(SIZE_MAX, 1, PX_ARENA_BACKING_DEFAULT, PX_EINVAL, msg);
}

static void create_rejects_unknown_backing_and_null_out(void **state)
{
    (void)state;
    expect_create_error(4096, 4, (px_arena_backing)42, PX_EINVAL,
                        "arena \"video\": backing 42 is unknown: accepted are "
                        "PX_ARENA_BACKING_DEFAULT, PX_ARENA_BACKING_MEMFD, PX_ARENA_BACKING_SHM "
                        "and PX_ARENA_BACKING_HEAP");
    px_error err = {0};
    assert_int_equal(px_arena_create(NULL, "x", 4096, 4, PX_ARENA_BACKING_DEFAULT, &err), PX_EINVAL);
    assert_string_equal(err.message, "px_arena_create: out is NULL");
    /* err is optional */
    px_arena *a = NULL;
    assert_int_equal(px_arena_create(&a, "x", 0, 4, PX_ARENA_BACKING_DEFAULT, NULL), PX_EINVAL);
    assert_null(a);
}

static void create_rejects_backing_not_compiled_naming_the_option(void **state)
{
    (void)state;
#if !CONFIG_PX_ARENA_SHM || !CONFIG_PX_ARENA_HEAP || !CONFIG_PX_ARENA_MEMFD
#if !CONFIG_PX_ARENA_SHM
    const char *what = "shm", *symbol = "PX_ARENA_SHM";
    px_arena_backing backing = PX_ARENA_BACKING_SHM;
#elif !CONFIG_PX_ARENA_HEAP
    const char *what = "heap", *symbol = "PX_ARENA_HEAP";
    px_arena_backing backing = PX_ARENA_BACKING_HEAP;
#else
    const char *what = "memfd", *symbol = "PX_ARENA_MEMFD";
    px_arena_backing backing = PX_ARENA_BACKING_MEMFD;
#endif
    px_arena *a = NULL;
    px_error err = {0};
    assert_int_equal(px_arena_create(&a, "video", 4096, 4, backing, &err), PX_ENOTSUP);
    assert_null(a);
    assert_int_equal(err.code, PX_ENOTSUP);
    char expect[256];
    snprintf(expect, sizeof expect, "arena \"video\": the %s backing is not compiled into this build", what);
    assert_int_equal(strncmp(err.message, expect, strlen(expect)), 0);
    char hint[256];
    snprintf(hint, sizeof hint, "enable %s in make menuconfig (or build with -DCONFIG_%s=1)", symbol, symbol);
    assert_string_equal(err.hint, hint);
#else
    skip(); /* every backing is compiled in */
#endif
}

/* ---- geometry and backings --------------------------------------------- */

static void slot_size_is_rounded_up_to_the_page_size(void **state)
{
    (void)state;
    size_t page = page_size();
    px_arena *a = make_arena(1, 3, PX_ARENA_BACKING_DEFAULT);
    assert_int_equal(px_arena_slot_size(a), page);
    px_arena_destroy(a);

    a = make_arena(page + 1, 3, PX_ARENA_BACKING_DEFAULT);
    assert_int_equal(px_arena_slot_size(a), 2 * page);
    assert_int_equal(px_arena_slot_count(a), 3);
    for (uint32_t i = 0; i < 3; i++) {
        uint8_t *p = px_arena_slot_data(a, i);
        assert_int_equal((uintptr_t)p % page, 0);
        assert_ptr_equal(p, (uint8_t *)px_arena_slot_data(a, 0) + i * 2 * page);
        memset(p, 0xa5, 2 * page); /* whole slot is writable */
    }
    assert_null(px_arena_slot_data(a, 3));
    assert_int_equal(stats_of(a).slot_size, 2 * page);
    px_arena_destroy(a);

    a = make_arena(page, 1, PX_ARENA_BACKING_DEFAULT);
    assert_int_equal(px_arena_slot_size(a), page);
    px_arena_destroy(a);
}

static void default_backing_prefers_memfd_then_shm_then_heap(void **state)
{
    (void)state;
    px_arena *a = make_arena(4096, 2, PX_ARENA_BACKING_DEFAULT);
    px_arena_backing expect = CONFIG_PX_ARENA_MEMFD ? PX_ARENA_BACKING_MEMFD
                              : CONFIG_PX_ARENA_SHM ? PX_ARENA_BACKING_SHM
                                                    : PX_ARENA_BACKING_HEAP;
    assert_int_equal(px_arena_get_backing(a), expect);
    assert_string_equal(px_arena_name(a), "test");
    px_arena_destroy(a);
}

static void memfd_backing_has_sealed_fds_of_the_right_size(void **state)
{
    (void)state;
#if CONFIG_PX_ARENA_MEMFD
    size_t page = page_size();
    px_arena *a = make_arena(page, 16, PX_ARENA_BACKING_MEMFD);
    assert_int_equal(px_arena_get_backing(a), PX_ARENA_BACKING_MEMFD);
    int fds[2] = {px_arena_data_fd(a), px_arena_control_fd(a)};
    assert_true(fds[0] >= 0);
    assert_true(fds[1] >= 0);
    assert_int_not_equal(fds[0], fds[1]);
    for (int i = 0; i < 2; i++) {
        int seals = fcntl(fds[i], F_GET_SEALS);
        assert_true(seals >= 0);
        assert_int_equal(seals & (F_SEAL_GROW | F_SEAL_SHRINK), F_SEAL_GROW | F_SEAL_SHRINK);
        assert_true(fcntl(fds[i], F_GETFD) & FD_CLOEXEC);
        struct stat st;
        assert_int_equal(fstat(fds[i], &st), 0);
        assert_int_equal(st.st_size % (off_t)page, 0);
        if (i == 0)
            assert_int_equal(st.st_size, (off_t)(16 * page));
        /* Sealed: nobody can shrink it under another process's mapping. */
        assert_int_equal(ftruncate(fds[i], 0), -1);
        assert_int_equal(errno, EPERM);
    }
    px_arena_destroy(a);
    /* destroy closed both fds */
    assert_int_equal(fcntl(fds[0], F_GETFD), -1);
    assert_int_equal(fcntl(fds[1], F_GETFD), -1);
#else
    skip();
#endif
}

static void heap_backing_works_and_reports_no_fds(void **state)
{
    (void)state;
#if CONFIG_PX_ARENA_HEAP
    px_arena *a = make_arena(100, 5, PX_ARENA_BACKING_HEAP);
    assert_int_equal(px_arena_get_backing(a), PX_ARENA_BACKING_HEAP);
    assert_int_equal(px_arena_data_fd(a), -1);
    assert_int_equal(px_arena_control_fd(a), -1);
    assert_int_equal(px_arena_slot_size(a), page_size());
    uint32_t s[5];
    for (int i = 0; i < 5; i++) {
        s[i] = acquire_ok(a);
        assert_int_equal(px_arena_slot_owner(a, s[i]), 0);
        uint8_t *p = px_arena_slot_data(a, s[i]);
        assert_int_equal((uintptr_t)p % page_size(), 0);
        memset(p, i, px_arena_slot_size(a));
    }
    uint32_t extra;
    assert_int_equal(px_arena_acquire(a, &extra), PX_EAGAIN);
    assert_true(px_arena_unref(a, s[2]));
    assert_int_equal(px_arena_reclaim(a), 1);
    assert_int_equal(acquire_ok(a), s[2]);
    px_arena_destroy(a);
#else
    skip();
#endif
}

static void shm_backing_works_with_unlinked_fds(void **state)
{
    (void)state;
#if CONFIG_PX_ARENA_SHM
    px_arena *a = make_arena(4096, 4, PX_ARENA_BACKING_SHM);
    assert_int_equal(px_arena_get_backing(a), PX_ARENA_BACKING_SHM);
    assert_true(px_arena_data_fd(a) >= 0);
    assert_true(px_arena_control_fd(a) >= 0);
    struct stat st;
    assert_int_equal(fstat(px_arena_data_fd(a), &st), 0);
    assert_int_equal(st.st_nlink, 0); /* unlinked right after creation */
    uint32_t s = acquire_ok(a);
    assert_int_equal(px_arena_slot_owner(a, s), (uint32_t)getpid());
    assert_true(px_arena_unref(a, s));
    assert_int_equal(px_arena_reclaim(a), 1);
    px_arena_destroy(a);
#else
    skip();
#endif
}

static void destroy_and_accessors_are_null_safe(void **state)
{
    (void)state;
    px_arena_destroy(NULL);
    assert_int_equal(px_arena_slot_size(NULL), 0);
    assert_int_equal(px_arena_slot_count(NULL), 0);
    assert_int_equal(px_arena_data_fd(NULL), -1);
    assert_int_equal(px_arena_control_fd(NULL), -1);
    assert_int_equal(px_arena_reclaim(NULL), 0);
    assert_null(px_arena_slot_data(NULL, 0));
    uint32_t s;
    assert_int_equal(px_arena_acquire(NULL, &s), PX_EINVAL);
    px_arena_stats st;
    memset(&st, 0xff, sizeof st);
    px_arena_get_stats(NULL, &st);
    assert_int_equal(st.slot_count, 0);
    assert_int_equal(st.in_use, 0);
}

/* ---- refcounts --------------------------------------------------------- */

static void acquire_gives_refcount_one_and_records_the_owner(void **state)
{
    (void)state;
    px_arena *a = make_arena(4096, 4, PX_ARENA_BACKING_DEFAULT);
    uint32_t s = acquire_ok(a);
    uint32_t owner = px_arena_get_backing(a) == PX_ARENA_BACKING_HEAP ? 0 : (uint32_t)getpid();
    assert_int_equal(px_arena_slot_owner(a, s), owner);
    assert_true(px_arena_unref(a, s));
    assert_int_equal(px_arena_slot_owner(a, s), 0); /* free slots have no owner */
    px_arena_destroy(a);
}

static void only_the_last_unref_queues_the_slot(void **state)
{
    (void)state;
    px_arena *a = make_arena(4096, 4, PX_ARENA_BACKING_DEFAULT);
    uint32_t s = acquire_ok(a);
    px_arena_ref(a, s);
    px_arena_ref(a, s);
    assert_int_equal(px_arena_refcount(a, s), 3);
    assert_false(px_arena_unref(a, s));
    assert_false(px_arena_unref(a, s));
    assert_int_equal(px_arena_refcount(a, s), 1);
    assert_int_equal(px_arena_reclaim(a), 0); /* still referenced: nothing to reclaim */
    assert_int_equal(stats_of(a).in_use, 1);
    assert_true(px_arena_unref(a, s));
    assert_int_equal(px_arena_refcount(a, s), 0);
    assert_int_equal(stats_of(a).in_use, 0); /* no longer held, though queued until reclaimed */
    assert_int_equal(px_arena_reclaim(a), 1);
    assert_int_equal(stats_of(a).in_use, 0);
    assert_int_equal(px_arena_reclaim(a), 0);
    px_arena_destroy(a);
}

static void unref_of_a_free_slot_asserts_and_never_queues_it_twice(void **state)
{
    (void)state;
    px_arena *a = make_arena(4096, 4, PX_ARENA_BACKING_DEFAULT);
    uint32_t s = acquire_ok(a);
    assert_true(px_arena_unref(a, s));

    asserts_expected = 1;
    asserts_seen = 0;
    assert_false(px_arena_unref(a, s)); /* double unref */
    assert_int_equal(asserts_seen, 1);
    px_arena_ref(a, s); /* ref after the last unref must not resurrect it */
    assert_int_equal(asserts_seen, 2);
    px_arena_ref(a, 4); /* out of range */
    assert_false(px_arena_unref(a, 99));
    assert_int_equal(asserts_seen, 4);
    asserts_expected = 0;

    assert_int_equal(px_arena_refcount(a, s), 0);
    assert_int_equal(px_arena_reclaim(a), 1); /* queued once, not twice */
    assert_int_equal(px_arena_reclaim(a), 0);
    /* Nothing corrupted: all four slots allocate, distinct, then exhaustion. */
    bool seen[4] = {false};
    for (int i = 0; i < 4; i++) {
        uint32_t t = acquire_ok(a);
        assert_false(seen[t]);
        seen[t] = true;
    }
    uint32_t t;
    assert_int_equal(px_arena_acquire(a, &t), PX_EAGAIN);
    px_arena_destroy(a);
}

/* ---- exhaustion, stats, reclaim ------------------------------------------ */

static void exhaustion_returns_eagain_at_once_and_recovers_after_one_release(void **state)
{
    (void)state;
    enum { N = 4 };
    px_arena *a = make_arena(4096, N, PX_ARENA_BACKING_DEFAULT);
    uint32_t s[N];
    for (uint32_t i = 0; i < N; i++) {
        s[i] = acquire_ok(a);
        memset(px_arena_slot_data(a, s[i]), 'a' + (int)i, 4096);
    }
    uint32_t extra = 1234;
    /* Returning at all proves it does not block: this is one thread. */
    assert_int_equal(px_arena_acquire(a, &extra), PX_EAGAIN);
    assert_int_equal(px_arena_acquire(a, &extra), PX_EAGAIN);
    assert_int_equal(extra, 1234);
    px_arena_stats st = stats_of(a);
    assert_int_equal(st.exhausted, 2);
    assert_int_equal(st.acquired, N);
    assert_int_equal(st.in_use, N);
    assert_int_equal(st.available, 0);

    /* Nothing corrupted by the refused attempts. */
    for (uint32_t i = 0; i < N; i++) {
        assert_int_equal(px_arena_refcount(a, s[i]), 1);
        const uint8_t *p = px_arena_slot_data(a, s[i]);
        assert_int_equal(p[0], 'a' + (int)i);
        assert_int_equal(p[4095], 'a' + (int)i);
    }

    /* One release: acquire reclaims it by itself. */
    assert_true(px_arena_unref(a, s[1]));
    assert_int_equal(px_arena_acquire(a, &extra), PX_OK);
    assert_int_equal(extra, s[1]);
    assert_int_equal(px_arena_acquire(a, &extra), PX_EAGAIN);
    assert_int_equal(stats_of(a).exhausted, 3);
    px_arena_destroy(a);
}

static void stats_track_high_water_and_utilization(void **state)
{
    (void)state;
    px_arena *a = make_arena(4096, 4, PX_ARENA_BACKING_DEFAULT);
    px_arena_stats st = stats_of(a);
    assert_int_equal(st.slot_count, 4);
    assert_int_equal(st.in_use, 0);
    assert_int_equal(st.available, 4);
    assert_int_equal(st.high_water, 0);
    assert_true(st.utilization == 0.0);

    uint32_t s0 = acquire_ok(a), s1 = acquire_ok(a), s2 = acquire_ok(a);
    assert_true(px_arena_unref(a, s0));
    assert_true(px_arena_unref(a, s1));
    assert_int_equal(px_arena_reclaim(a), 2);
    st = stats_of(a);
    assert_int_equal(st.in_use, 1);
    assert_int_equal(st.available, 3);
    assert_int_equal(st.high_water, 3);
    assert_int_equal(st.acquired, 3);
    assert_int_equal(st.exhausted, 0);
    assert_true(st.utilization == 0.25);

    (void)acquire_ok(a);
    st = stats_of(a);
    assert_int_equal(st.high_water, 3); /* 2 in use now: the mark stays */
    assert_true(st.utilization == 0.5);
    assert_true(px_arena_unref(a, s2));
    px_arena_destroy(a);
}

static void reclaim_frees_only_the_released_slots(void **state)
{
    (void)state;
    enum { N = 1000 };
    px_arena *a = make_arena(4096, N, PX_ARENA_BACKING_DEFAULT);
    static uint32_t s[N];
    for (uint32_t i = 0; i < N; i++)
        s[i] = acquire_ok(a);
    assert_true(px_arena_unref(a, s[7]));
    assert_true(px_arena_unref(a, s[500]));
    assert_true(px_arena_unref(a, s[999]));
    assert_int_equal(px_arena_reclaim(a), 3);
    assert_int_equal(px_arena_reclaim(a), 0);
    px_arena_stats st = stats_of(a);
    assert_int_equal(st.in_use, N - 3);
    assert_int_equal(st.high_water, N);

    /* Exactly those three come back. */
    bool back[N] = {false};
    for (int i = 0; i < 3; i++)
        back[acquire_ok(a)] = true;
    assert_true(back[s[7]] && back[s[500]] && back[s[999]]);
    uint32_t t;
    assert_int_equal(px_arena_acquire(a, &t), PX_EAGAIN);
    px_arena_destroy(a);
}

static void slot_counts_that_are_not_a_multiple_of_64_allocate_every_slot_once(void **state)
{
    (void)state;
    enum { N = 130 };
    px_arena *a = make_arena(4096, N, PX_ARENA_BACKING_DEFAULT);
    bool seen[N] = {false};
    for (int i = 0; i < N; i++) {
        uint32_t s = acquire_ok(a);
        assert_false(seen[s]);
        seen[s] = true;
    }
    uint32_t t;
    assert_int_equal(px_arena_acquire(a, &t), PX_EAGAIN);
    for (uint32_t i = 0; i < N; i++)
        assert_true(px_arena_unref(a, i));
    assert_int_equal(px_arena_reclaim(a), N);
    assert_int_equal(stats_of(a).in_use, 0);
    px_arena_destroy(a);
}

/* ---- two threads --------------------------------------------------------- */

#define STRESS_SLOTS 8u
#define STRESS_ITERS 1000000u /* per thread: 2,000,000 acquire/release in total */
#define STRESS_HOLD  3u       /* per thread, so 2 threads never need all 8 */

typedef struct stress {
    px_arena *arena;
    _Atomic int owned[STRESS_SLOTS];
    _Atomic unsigned long doubled;   /* slot handed out while someone owned it */
    _Atomic unsigned long corrupted; /* slot data changed while we owned it */
    _Atomic unsigned long errors;    /* wrong refcount, unexpected return */
    _Atomic unsigned long eagain;
} stress;

typedef struct stress_thread {
    stress *s;
    uint32_t id;
    pthread_t thread;
} stress_thread;

typedef struct held_slot {
    uint32_t slot;
    uint32_t stamp;
} held_slot;

static void stress_write(stress *s, uint32_t slot, uint32_t id, uint32_t stamp)
{
    uint32_t *p = px_arena_slot_data(s->arena, slot);
    size_t words = px_arena_slot_size(s->arena) / sizeof *p;
    p[0] = id;
    p[1] = stamp;
    p[words - 1] = id ^ stamp;
}

static void stress_release(stress *s, held_slot h, uint32_t id, bool extra_ref)
{
    uint32_t *p = px_arena_slot_data(s->arena, h.slot);
    size_t words = px_arena_slot_size(s->arena) / sizeof *p;
    if (p[0] != id || p[1] != h.stamp || p[words - 1] != (id ^ h.stamp))
        atomic_fetch_add(&s->corrupted, 1);
    if (extra_ref) {
        px_arena_ref(s->arena, h.slot);
        if (px_arena_unref(s->arena, h.slot))
            atomic_fetch_add(&s->errors, 1);
    }
    if (px_arena_refcount(s->arena, h.slot) != 1)
        atomic_fetch_add(&s->errors, 1);
    /* Give up ownership before the slot can be handed to someone else. */
    atomic_store(&s->owned[h.slot], 0);
    if (!px_arena_unref(s->arena, h.slot))
        atomic_fetch_add(&s->errors, 1);
}

static void *stress_main(void *arg)
{
    stress_thread *t = arg;
    stress *s = t->s;
    held_slot held[STRESS_HOLD];
    uint32_t nheld = 0;
    uint32_t rng = 0x9e3779b9u * (t->id + 1);

    for (uint32_t i = 0; i < STRESS_ITERS; i++) {
        uint32_t slot;
        int rc;
        while ((rc = px_arena_acquire(s->arena, &slot)) == PX_EAGAIN) {
            atomic_fetch_add_explicit(&s->eagain, 1, memory_order_relaxed);
            sched_yield(); /* a peer is mid-reclaim; it cannot stay full */
        }
        if (rc != PX_OK || slot >= STRESS_SLOTS) {
            atomic_fetch_add(&s->errors, 1);
            break;
        }
        if (atomic_exchange(&s->owned[slot], 1) != 0)
            atomic_fetch_add(&s->doubled, 1);
        stress_write(s, slot, t->id, i);
        held[nheld++] = (held_slot){slot, i};

        rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;
        /* Hold 1..3 slots, release the oldest; sometimes reclaim eagerly. */
        if (nheld == STRESS_HOLD || (rng & 3u) != 0) {
            stress_release(s, held[0], t->id, (rng & 8u) != 0);
            memmove(held, held + 1, --nheld * sizeof *held);
        }
        if ((rng & 0x70u) == 0)
            px_arena_reclaim(s->arena);
    }
    while (nheld)
        stress_release(s, held[--nheld], t->id, false);
    return NULL;
}

static void two_threads_million_acquire_release_never_lose_or_double_a_slot(void **state)
{
    (void)state;
    static stress s; /* zeroed */
    memset(&s, 0, sizeof s);
    s.arena = make_arena(4096, STRESS_SLOTS, PX_ARENA_BACKING_DEFAULT);
    stress_thread t[2] = {{&s, 1, 0}, {&s, 2, 0}};
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i].thread, NULL, stress_main, &t[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i].thread, NULL), 0);

    assert_int_equal(atomic_load(&s.doubled), 0);
    assert_int_equal(atomic_load(&s.corrupted), 0);
    assert_int_equal(atomic_load(&s.errors), 0);

    px_arena_reclaim(s.arena);
    px_arena_stats st = stats_of(s.arena);
    assert_int_equal(st.in_use, 0);
    assert_int_equal(st.acquired, 2ull * STRESS_ITERS);
    /* Released slots count as in use until reclaimed, so all 8 may be. */
    assert_true(st.high_water >= 2 && st.high_water <= STRESS_SLOTS);
    assert_int_equal(st.exhausted, atomic_load(&s.eagain));

    /* No slot was lost: every one allocates again, each exactly once. */
    bool seen[STRESS_SLOTS] = {false};
    for (uint32_t i = 0; i < STRESS_SLOTS; i++) {
        uint32_t slot = acquire_ok(s.arena);
        assert_false(seen[slot]);
        seen[slot] = true;
    }
    uint32_t extra;
    assert_int_equal(px_arena_acquire(s.arena, &extra), PX_EAGAIN);
    px_arena_destroy(s.arena);
}

/* ---- across fork() ------------------------------------------------------- */

static void forked_child_refs_writes_and_unrefs_seen_by_parent(void **state)
{
    (void)state;
#if SHARED_BACKINGS
    px_arena *a = make_arena(4096, 4, PX_ARENA_BACKING_DEFAULT);
    uint32_t s = acquire_ok(a);
    px_arena_ref(a, s); /* one reference for the child to drop */
    static const char text[] = "written by the child";

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (px_arena_refcount(a, s) != 2)
            child_exit(a, 10);
        px_arena_ref(a, s);
        memcpy(px_arena_slot_data(a, s), text, sizeof text);
        if (px_arena_refcount(a, s) != 3)
            child_exit(a, 11);
        if (px_arena_unref(a, s) || px_arena_unref(a, s)) /* its own, then the handed one */
            child_exit(a, 12);
        child_exit(a, 0);
    }
    wait_child_ok(pid);
    assert_int_equal(px_arena_refcount(a, s), 1);
    assert_string_equal((const char *)px_arena_slot_data(a, s), text);
    assert_true(px_arena_unref(a, s));
    assert_int_equal(px_arena_reclaim(a), 1);
    assert_int_equal(stats_of(a).in_use, 0);
    px_arena_destroy(a);
#else
    skip();
#endif
}

static void forked_child_dropping_the_last_ref_lets_the_parent_reclaim(void **state)
{
    (void)state;
#if SHARED_BACKINGS
    px_arena *a = make_arena(4096, 2, PX_ARENA_BACKING_DEFAULT);
    uint32_t s = acquire_ok(a);
    uint32_t other = acquire_ok(a);
    strcpy(px_arena_slot_data(a, s), "from the parent");

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (strcmp(px_arena_slot_data(a, s), "from the parent") != 0)
            child_exit(a, 10);
        child_exit(a, px_arena_unref(a, s) ? 0 : 11); /* last ref: pushed on the shared queue */
    }
    wait_child_ok(pid);
    assert_int_equal(px_arena_refcount(a, s), 0);
    assert_int_equal(stats_of(a).in_use, 1); /* released by the child: no longer held */
    assert_int_equal(px_arena_reclaim(a), 1);
    assert_int_equal(stats_of(a).in_use, 1);
    assert_int_equal(acquire_ok(a), s);
    assert_true(px_arena_unref(a, other));
    assert_true(px_arena_unref(a, s));
    px_arena_destroy(a);
#else
    skip();
#endif
}

static void owner_table_names_the_forked_child_that_acquired(void **state)
{
    (void)state;
#if SHARED_BACKINGS
    px_arena *a = make_arena(4096, 4, PX_ARENA_BACKING_DEFAULT);
    uint32_t mine = acquire_ok(a); /* caches the parent's pid */
    assert_int_equal(px_arena_slot_owner(a, mine), (uint32_t)getpid());

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        uint32_t s;
        if (px_arena_acquire(a, &s) != PX_OK)
            child_exit(a, 10);
        child_exit(a, px_arena_slot_owner(a, s) == (uint32_t)getpid() ? 0 : 11);
        /* exits holding the slot, like a crash */
    }
    wait_child_ok(pid);
    assert_int_equal(stats_of(a).in_use, 2);
    uint32_t found = UINT32_MAX;
    for (uint32_t i = 0; i < 4; i++)
        if (px_arena_slot_owner(a, i) == (uint32_t)pid)
            found = i;
    assert_true(found < 4);
    assert_int_equal(px_arena_refcount(a, found), 1);
    /* What a supervisor does for a dead child: drop its references. */
    assert_true(px_arena_unref(a, found));
    assert_true(px_arena_unref(a, mine));
    assert_int_equal(px_arena_reclaim(a), 2);
    assert_int_equal(stats_of(a).in_use, 0);
    px_arena_destroy(a);
#else
    skip();
#endif
}

#if SHARED_BACKINGS
#define PROC_ITERS 100000u

typedef struct proc_shared {
    _Atomic int owned[STRESS_SLOTS];
    _Atomic unsigned long bad;
} proc_shared;

static void proc_stress(px_arena *a, proc_shared *sh, uint32_t id)
{
    for (uint32_t i = 0; i < PROC_ITERS; i++) {
        uint32_t slot;
        int rc;
        while ((rc = px_arena_acquire(a, &slot)) == PX_EAGAIN)
            sched_yield();
        if (rc != PX_OK || atomic_exchange(&sh->owned[slot], 1) != 0) {
            atomic_fetch_add(&sh->bad, 1);
            continue;
        }
        uint32_t *p = px_arena_slot_data(a, slot);
        p[0] = id, p[1] = i;
        sched_yield(); /* widen the window for the other process */
        if (p[0] != id || p[1] != i || px_arena_refcount(a, slot) != 1)
            atomic_fetch_add(&sh->bad, 1);
        atomic_store(&sh->owned[slot], 0);
        if (!px_arena_unref(a, slot))
            atomic_fetch_add(&sh->bad, 1);
    }
}
#endif

static void two_processes_share_one_arena_without_doubling_a_slot(void **state)
{
    (void)state;
#if SHARED_BACKINGS
    px_arena *a = make_arena(4096, STRESS_SLOTS, PX_ARENA_BACKING_DEFAULT);
    proc_shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(sh != MAP_FAILED);
    memset(sh, 0, sizeof *sh);

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        proc_stress(a, sh, 2);
        child_exit(a, 0);
    }
    proc_stress(a, sh, 1);
    wait_child_ok(pid);
    assert_int_equal(atomic_load(&sh->bad), 0);
    px_arena_reclaim(a);
    px_arena_stats st = stats_of(a);
    assert_int_equal(st.in_use, 0);
    assert_int_equal(st.acquired, 2ull * PROC_ITERS); /* counters are shared */
    for (uint32_t i = 0; i < STRESS_SLOTS; i++)
        (void)acquire_ok(a);
    munmap(sh, sizeof *sh);
    px_arena_destroy(a);
#else
    skip();
#endif
}

/* ---- Home thread: private free list ---------------------------------------- */

static void home_thread_reuses_its_released_slot_without_the_queue(void **state)
{
    (void)state;
    px_arena *a = make_arena(4096, 4, PX_ARENA_BACKING_DEFAULT);
    px_arena_bind_thread(a);
    uint32_t s = acquire_ok(a);
    assert_int_equal(stats_of(a).in_use, 1);
    assert_true(px_arena_unref(a, s));
    assert_int_equal(px_arena_refcount(a, s), 0);
    assert_int_equal(stats_of(a).in_use, 0);
    assert_int_equal(px_arena_reclaim(a), 0); /* parked, never queued */
    assert_int_equal(acquire_ok(a), s);       /* the parked slot comes back first */
    assert_int_equal(stats_of(a).acquired, 2);
    assert_int_equal(stats_of(a).high_water, 1);
    assert_true(px_arena_unref(a, s));
    px_arena_destroy(a);
}

static px_arena *home_test_arena;

static void *unref_on_another_thread(void *arg)
{
    uint32_t *job = arg; /* [1]: the slot */
    return (void *)(uintptr_t)px_arena_unref(home_test_arena, job[1]);
}

static void release_by_another_thread_goes_through_the_queue(void **state)
{
    (void)state;
    px_arena *a = home_test_arena = make_arena(4096, 2, PX_ARENA_BACKING_DEFAULT);
    px_arena_bind_thread(a);
    uint32_t job[2] = {0, acquire_ok(a)};
    pthread_t t;
    void *last = NULL;
    assert_int_equal(pthread_create(&t, NULL, unref_on_another_thread, job), 0);
    assert_int_equal(pthread_join(t, &last), 0);
    assert_true(last != NULL);
    assert_int_equal(stats_of(a).in_use, 0);
    assert_int_equal(px_arena_reclaim(a), 1); /* it came back through the shared queue */
    px_arena_destroy(a);
}

static void exhaustion_counts_parked_slots_as_free(void **state)
{
    (void)state;
    px_arena *a = make_arena(4096, 3, PX_ARENA_BACKING_DEFAULT);
    px_arena_bind_thread(a);
    uint32_t s[3];
    for (int i = 0; i < 3; i++)
        s[i] = acquire_ok(a);
    uint32_t extra;
    assert_int_equal(px_arena_acquire(a, &extra), PX_EAGAIN);
    assert_true(px_arena_unref(a, s[1]));
    assert_int_equal(acquire_ok(a), s[1]);
    assert_int_equal(px_arena_acquire(a, &extra), PX_EAGAIN);
    for (int i = 0; i < 3; i++)
        assert_true(px_arena_unref(a, s[i]));
    /* Moving the home hands parked slots back to the shared bitmap. */
    px_arena_bind_thread(a);
    for (int i = 0; i < 3; i++)
        acquire_ok(a);
    px_arena_destroy(a);
}

#define HOME_ROUNDS 1000000
#define HOME_RING 8
typedef struct {
    px_arena *a;
    _Atomic uint32_t ring[HOME_RING];
    _Atomic uint64_t head, tail; /* home writes head, the other thread reads tail */
    _Atomic uint8_t owned[16];
    _Atomic int failures;
} home_mix;

static void *home_mix_releaser(void *arg)
{
    home_mix *m = arg;
    for (uint64_t done = 0; done < HOME_ROUNDS / 2;) {
        uint64_t t = atomic_load(&m->tail);
        if (t == atomic_load(&m->head)) {
            sched_yield();
            continue;
        }
        uint32_t slot = atomic_load(&m->ring[t % HOME_RING]);
        if (*(uint32_t *)px_arena_slot_data(m->a, slot) != slot + 1)
            atomic_fetch_add(&m->failures, 1);
        atomic_store(&m->owned[slot], 0);
        px_arena_unref(m->a, slot);
        atomic_store(&m->tail, t + 1);
        done++;
    }
    return NULL;
}

static void home_and_foreign_releases_never_lose_or_double_a_slot(void **state)
{
    (void)state;
    static home_mix m;
    memset(&m, 0, sizeof m);
    m.a = make_arena(4096, 16, PX_ARENA_BACKING_DEFAULT);
    px_arena_bind_thread(m.a);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, home_mix_releaser, &m), 0);
    for (uint64_t i = 0; i < HOME_ROUNDS; i++) {
        uint32_t slot;
        while (px_arena_acquire(m.a, &slot) == PX_EAGAIN)
            sched_yield();
        if (atomic_exchange(&m.owned[slot], 1))
            atomic_fetch_add(&m.failures, 1); /* handed out twice */
        *(uint32_t *)px_arena_slot_data(m.a, slot) = slot + 1;
        if (i % 2 == 0) { /* the home thread releases it itself: parked */
            atomic_store(&m.owned[slot], 0);
            px_arena_unref(m.a, slot);
        } else { /* another thread releases it: shared queue */
            while (atomic_load(&m.head) - atomic_load(&m.tail) == HOME_RING)
                sched_yield();
            uint64_t h = atomic_load(&m.head);
            atomic_store(&m.ring[h % HOME_RING], slot);
            atomic_store(&m.head, h + 1);
        }
    }
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(atomic_load(&m.failures), 0);
    assert_int_equal(stats_of(m.a).in_use, 0);
    assert_int_equal(stats_of(m.a).acquired, HOME_ROUNDS);
    px_arena_bind_thread(m.a); /* unpark everything, then every slot must be free */
    px_arena_reclaim(m.a);
    uint32_t slot;
    for (int i = 0; i < 16; i++)
        assert_int_equal(px_arena_acquire(m.a, &slot), PX_OK);
    assert_int_equal(px_arena_acquire(m.a, &slot), PX_EAGAIN);
    px_arena_destroy(m.a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_rejects_zero_slot_size_naming_the_range),
        cmocka_unit_test(create_rejects_slot_count_zero_and_above_max),
        cmocka_unit_test(create_rejects_slot_size_times_count_overflow),
        cmocka_unit_test(create_rejects_unknown_backing_and_null_out),
        cmocka_unit_test(create_rejects_backing_not_compiled_naming_the_option),
        cmocka_unit_test(slot_size_is_rounded_up_to_the_page_size),
        cmocka_unit_test(default_backing_prefers_memfd_then_shm_then_heap),
        cmocka_unit_test(memfd_backing_has_sealed_fds_of_the_right_size),
        cmocka_unit_test(heap_backing_works_and_reports_no_fds),
        cmocka_unit_test(shm_backing_works_with_unlinked_fds),
        cmocka_unit_test(destroy_and_accessors_are_null_safe),
        cmocka_unit_test(acquire_gives_refcount_one_and_records_the_owner),
        cmocka_unit_test(only_the_last_unref_queues_the_slot),
        cmocka_unit_test(unref_of_a_free_slot_asserts_and_never_queues_it_twice),
        cmocka_unit_test(exhaustion_returns_eagain_at_once_and_recovers_after_one_release),
        cmocka_unit_test(stats_track_high_water_and_utilization),
        cmocka_unit_test(reclaim_frees_only_the_released_slots),
        cmocka_unit_test(slot_counts_that_are_not_a_multiple_of_64_allocate_every_slot_once),
        cmocka_unit_test(two_threads_million_acquire_release_never_lose_or_double_a_slot),
        cmocka_unit_test(forked_child_refs_writes_and_unrefs_seen_by_parent),
        cmocka_unit_test(forked_child_dropping_the_last_ref_lets_the_parent_reclaim),
        cmocka_unit_test(owner_table_names_the_forked_child_that_acquired),
        cmocka_unit_test(two_processes_share_one_arena_without_doubling_a_slot),
        cmocka_unit_test(home_thread_reuses_its_released_slot_without_the_queue),
        cmocka_unit_test(release_by_another_thread_goes_through_the_queue),
        cmocka_unit_test(exhaustion_counts_parked_slots_as_free),
        cmocka_unit_test(home_and_foreign_releases_never_lose_or_double_a_slot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
