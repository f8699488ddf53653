/* Internals shared by the implementation sections. Nothing here is API. */

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if CONFIG_PX_SCHED_THREADS
#include <pthread.h>
#endif
#if CONFIG_PX_SCHED_THREADS || CONFIG_PX_ISOLATE
#include <linux/futex.h>
#include <sys/syscall.h>
#endif
#if CONFIG_PX_SCHED_THREADS || CONFIG_PX_ISOLATE
#include <linux/membarrier.h>
#endif

#if defined(__GNUC__)
#define PX__NOINLINE __attribute__((noinline))
#else
#define PX__NOINLINE
#endif

#define PX__MAX_PADS 32      /* per direction per element */
#define PX__NAME_MAX 64
#define PX__DEFAULT_SLOT 4096
#define PX__DEFAULT_SLOTS 4  /* per output arena, before extra_slots */
#define PX__BUS_CAPACITY 64
#define PX__RT_HIST_BUCKETS 20000 /* 1 µs each: lateness up to 20 ms, the last bucket holds the rest */
#define PX__TIMING_SAMPLE 256 /* time one call in 256: reading the clock costs more than most callbacks */

typedef struct px__pad {
    char name[32];
    px_element *peer; /* NULL when not linked */
    int peer_pad;     /* index in the peer's pads of the other direction */
    bool done;        /* downstream answered EOS: push nothing more here */
    bool eos;         /* sink pad: EOS arrived on it */
} px__pad;

/* Coop and rt: a buffer that arrived on a fan-in pad before its turn
 * (PX_FLOW_WAIT), kept until the element handles an event (sched/fanin.c). */
typedef struct px__parked {
    px_buffer buf;
    px_element *source; /* the streaming context (source or queue) it blocks */
    int pad;
} px__parked;
#define PX__PARK_MAX 16 /* per fan-in element; more means a chain() element pushed a burst */

/* Counters have one writer (the thread streaming through the element), so
 * updates are relaxed load + store: no locked instruction per buffer. A
 * queue's two sides are two threads: what its input side counts (in) is a
 * cache line away from what its output side counts (out), or every buffer
 * would move the line between them. */
typedef struct px__stats {
    _Atomic uint64_t buffers_in, bytes_in;
    char apart[64 - 2 * sizeof(uint64_t)];
    _Atomic uint64_t buffers_out, bytes_out;
    _Atomic uint64_t drops, errors, process_ns;
    _Atomic bool eos;
    /* Latency: sinks add (now - buffer's entry time) for sampled buffers. */
    _Atomic uint64_t latency_ns, latency_samples, latency_max_ns;
} px__stats;

static inline void px__stat_add(_Atomic uint64_t *c, uint64_t n)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n, memory_order_relaxed);
}

struct px_element {
    const px_element_class *klass;
    px_pipeline *pipeline;
    char name[PX__NAME_MAX];
    void *state;
    size_t index;   /* position in the pipeline's element list */
    int position;   /* 1-based column in the parsed description, 0 = built in C */
    int position_len;

    px__pad src[PX__MAX_PADS];
    px__pad sink[PX__MAX_PADS];
    int n_src, n_sink; /* pads in use (linked or always present) */

    /* Output sizing requested in start(), and the arena it became. */
    size_t out_slot_size;
    uint32_t out_extra_slots;
    px_arena *out_arena;
    px_arena *out_retired; /* replaced by px_element_grow_output: kept until release (buffers in flight) */

    bool started;
    bool auto_inserted; /* a converter negotiation added */
    bool passthrough;   /* start() said buffers pass untouched this run */
    int eos_pads;     /* sink pads that saw EOS */
#if CONFIG_PX_CAPS
    /* Negotiated caps per direction (all pads of a direction share them). */
    px_caps caps[2];
    bool caps_set;
#endif
    uint64_t sequence;
    px__stats stats;
#if CONFIG_PX_ISOLATE
    struct px__proxy *isolate; /* set while the element runs in a sandboxed process */
#endif

    /* ---- scheduling (sched branch) ---- */
    struct px__queue *queue;       /* this element is a queue: a thread boundary */
    int flow_policy;               /* sources: px_flow_policy */
    bool flow_policy_set;          /* chosen by the user, not the class default */
    uint32_t max_drops;            /* sources: consecutive drops allowed, 0 = no limit */
    uint32_t consecutive_drops;    /* written by the source's streaming thread only */
    _Atomic int busy_downstream;   /* queues above their high watermark this source feeds */

    /* Fan-in (sched/fanin.c): set at prepare. */
    int in_pad;     /* sink pad of the buffer or event being handled */
    bool fanin;     /* more than one linked sink pad: entry is serialized */
    bool eos_sent;  /* EOS went downstream */
    _Atomic int parked; /* a context (source, queue) under coop or rt: its buffers parked on fan-in pads;
                           written by the thread running the fan-in element, read by loops upstream */
    px__parked *park; /* a fan-in element: PX__PARK_MAX entries (coop and rt park, threads wait) */
    int n_park;
#if CONFIG_PX_SCHED_THREADS
    bool fanin_sync; /* lock and cond initialized */
    int fanin_waiters;
    pthread_mutex_t fanin_lock;
    pthread_cond_t fanin_cond;
#endif
};

struct px_pipeline {
    px_element **elements;
    size_t n_elements, cap_elements;
    px_scheduler scheduler;
    _Atomic int state;
    bool prepared;

    _Atomic bool eos_requested; /* send_eos(): sources finish */
    _Atomic bool stopping;      /* error or stop(): everyone quits */
    _Atomic int sinks_pending;  /* sinks that have not seen EOS */
    _Atomic int sources_pending; /* sources that have not finished */
    int n_sinks;
    _Atomic bool eos_posted;
    _Atomic bool error_posted;

    px_element **sources;
    size_t n_sources;
    _Atomic int fanin_parked; /* buffers parked in fan-in elements (sched/fanin.c); 0: no context is held */
    char *description;    /* the parsed text, for positioned errors after parsing */
    bool no_auto_convert; /* negotiation reports instead of inserting converters */
#if CONFIG_PX_SCHED_THREADS
    pthread_t *threads;
    size_t n_threads;
#endif
    /* ---- scheduling (sched branch) ---- */
    px_element **queues;   /* queue elements, pipeline order (thread boundaries) */
    size_t n_queues;
    _Atomic bool paused;   /* pause(): sources and queue outputs wait at their step boundary */
    _Atomic uint32_t run_seq; /* futex word bumped on resume and stop */
    _Atomic int parked;    /* streaming contexts waiting in pause */
    px_time stats_interval; /* periodic PX_MSG_STATS, 0 = none */
    px_time next_stats;
    _Atomic px_time paused_at, paused_total; /* read by streaming threads (latency) */
    /* rt scheduler: driver period, buffers per source per cycle, figures
     * (written by the RT thread), wake-up lateness histogram (1 µs buckets) */
    px_time rt_period;
    uint32_t rt_quantum;
    struct px__rt_ctx *rt_ctx;
    int rt_wake_fd;                     /* eventfd the RT thread rings when the reactor sleeps, -1 = none */
    _Atomic uint32_t rt_reactor_asleep; /* the reactor announced it sleeps in epoll_wait */
    _Atomic uint32_t *rt_hist;
    _Atomic uint64_t rt_cycles, rt_misses, rt_cycle_max, rt_jitter_max;

    /* Bus: a fixed ring; messages are rare (EOS, errors, state), never per buffer. */
    px_message bus[PX__BUS_CAPACITY];
    size_t bus_head;
    _Atomic size_t bus_count; /* atomic: the coop loop polls it while a watchdog thread may post */
    uint64_t bus_dropped;
#if CONFIG_PX_SCHED_THREADS
    pthread_mutex_t bus_lock;
    pthread_cond_t bus_cond;
#endif

    px_time start_ns;
    _Atomic px_time end_ns; /* set by whichever thread sees the end; read by stats */
    px_error result;   /* how the run ended, once a wait saw it */
    bool result_ready;
#if CONFIG_PX_ISOLATE
    struct px__iso *iso; /* isolation settings and, while prepared, its processes */
#endif
};

/* Whether el runs in a sandboxed element process (false in builds without isolation). */
static inline bool px__is_isolated(const px_element *el)
{
#if CONFIG_PX_ISOLATE
    return el->isolate != NULL;
#else
    (void)el;
    return false;
#endif
}

/* Whether el has no output slots of its own: px__allocate_arenas gives it
 * no arena, and planners that look for the arena a buffer's slot comes from
 * (queue.c, isolate/proxy.c) walk past it to the element upstream. */
static inline bool px__uses_upstream_slots(const px_element *el)
{
    const px_element_class *k = el->klass;
    return k->consume ||                    /* a sink: nothing leaves it */
           (k->process && k->in_place) ||   /* writes into its input slot (queues too) */
           (k->in_place && k->reads_only) || /* isolated and only reads: its read-only input slot goes on */
           el->passthrough;                 /* start() said buffers pass untouched; an isolated one's
                                               proxy forwards the input slot too (proxy.c) */
}

/* ---- util.c ---- */
/* Levenshtein distance, case-insensitive, '-' and '_' equal. */
static size_t px__edit_distance(const char *a, const char *b);
/* Property-style name equality: case-sensitive, '-' and '_' equal. */
static bool px__name_eq(const char *a, const char *b);
/* The candidate closest to word when close enough to be a plausible typo, else NULL. */
static const char *px__nearest(const char *word, const char *const *candidates, size_t n);
/* Copies with truncation, always terminates; returns strlen(src). */
static size_t px__strlcpy(char *dst, const char *src, size_t size);
/* A grown copy of a block (old_size bytes kept, old freed), or NULL with old
 * untouched: PX_MALLOC and PX_FREE rather than realloc, which would cost a
 * static musl build 1.4 KiB; the core grows arrays only while building. */
static void *px__regrow(void *old, size_t old_size, size_t new_size);
/* Monotonic clock in ns (vDSO; no syscall on common targets). */
static px_time px__now(void);
/* A feature this build leaves out was asked for: fills err (PX_ENOTSUP)
 * with "<who>: <what> is left out of this build (CONFIG_<option>)" and a
 * hint to enable it. Only built where some option leaves something out. */
#define PX__LEFT_OUT (!CONFIG_PX_FLOW_POLICIES || (!CONFIG_PX_BUFFER_PRINT && (CONFIG_PX_ELEM_FAKESINK || CONFIG_PX_ELEM_IDENTITY)) || \
                      (CONFIG_PX_ELEM_IDENTITY && !CONFIG_PX_IDENTITY_TIMING))
#if PX__LEFT_OUT
static int px__left_out(px_error *err, const char *who, const char *what, const char *option);
#endif
#if !CONFIG_PX_BUFFER_PRINT && (CONFIG_PX_ELEM_FAKESINK || CONFIG_PX_ELEM_IDENTITY)
/* fakesink's and identity's start(): silent=false or dump=true asked for
 * printing this build leaves out. */
static int px__buffer_print_left_out(const px_element *el, bool silent, bool dump, px_error *err);
#endif

/* ---- props.c ---- */
/* Writes every property's default into the element state (strings duplicated). */
static int px__props_apply_defaults(px_element *el, px_error *err);
/* Frees string properties. */
static void px__props_free(px_element *el);

/* ---- parser.c ---- */
/* "  <description>\n  <caret under column at+1>" into out; returns its length. */
static size_t px__caret_block(const char *s, size_t len, size_t at, char *out, size_t size);

/* ---- negotiate.c ---- */
#if CONFIG_PX_CAPS
/* Solves every link's caps, inserting converters where allowed. */
static int px__negotiate(px_pipeline *p, px_error *err);
#endif

/* ---- registry.c ---- */
/* Closest known element name to a mistyped one, or NULL. */
static const char *px__nearest_element(const char *name);

/* ---- bus.c ---- */
static void px__bus_init(px_pipeline *p);
static void px__bus_fini(px_pipeline *p);
static void px__bus_post(px_pipeline *p, px_message_type type, int code, const char *source,
                         const char *fmt, ...) PX_PRINTF(5, 6);
static void px__bus_post_state(px_pipeline *p, px_state old_state, px_state new_state);
static int px__bus_pop(px_pipeline *p, px_message *msg, int timeout_ms);
/* The run's EOS or error was taken off the bus (its result is in p->result). */
static bool px__bus_result_taken(px_pipeline *p);
/* Coop scheduling streams here: runs source steps until a message is queued
 * or timeout_ms passes. */
#if CONFIG_PX_SCHED_COOP
static void px__coop_drive(px_pipeline *p, int timeout_ms);
#endif

/* ---- sched/threads.c ---- */
#if CONFIG_PX_SCHED_THREADS
static int px__threads_start(px_pipeline *p, px_error *err);
static void px__threads_join(px_pipeline *p);
#endif

/* ---- isolate/proxy.c ---- */
#if CONFIG_PX_ISOLATE
/* prepare: after negotiation (who is isolated), after start() (fork the
 * zygote), after arenas (seal, spawn); release and free undo them. */
static int px__isolate_plan(px_pipeline *p, px_error *err);
static int px__isolate_fork(px_pipeline *p, px_error *err);
static int px__isolate_spawn(px_pipeline *p, px_error *err);
static void px__isolate_release(px_pipeline *p);
static void px__isolate_free(px_pipeline *p);
#endif

/* ---- futex: a sleeping side waits on a 32-bit word ----
 * shared: the word lives in memory several processes map (isolation rings),
 * so the call must not use FUTEX_PRIVATE_FLAG (a private futex is keyed by
 * this process's address space and never wakes another). Threads of one
 * process use private futexes: cheaper, no shared hash lookup. */
#if CONFIG_PX_SCHED_THREADS || CONFIG_PX_ISOLATE
static inline void px__futex_wait_on(_Atomic uint32_t *word, uint32_t seen, int timeout_ms, bool shared)
{
    struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
    syscall(SYS_futex, (uint32_t *)word, shared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE, seen, timeout_ms < 0 ? NULL : &ts,
            NULL, 0);
}
static inline void px__futex_wake_on(_Atomic uint32_t *word, bool shared)
{
    syscall(SYS_futex, (uint32_t *)word, shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}
#endif

/* ---- a full fence ----
 * ThreadSanitizer does not model fences (gcc refuses atomic_thread_fence
 * under -fsanitize=thread), so a sanitizer build uses a seq_cst
 * read-modify-write of a word of its own: a full barrier on x86, where the
 * sanitizer runs, and one that TSan sees. */
#if defined(__SANITIZE_THREAD__)
#define PX__TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PX__TSAN 1
#endif
#endif
static inline void px__fence_full(void)
{
#ifdef PX__TSAN
    static _Atomic uint32_t word;
    atomic_fetch_add_explicit(&word, 0, memory_order_seq_cst);
#else
    atomic_thread_fence(memory_order_seq_cst);
#endif
}

/* ---- store-load fences for the sleep/wake handshake ----
 * A side about to sleep announces it, then looks at the ring once more; the
 * other side publishes its index, then looks at the announcement. Each order
 * needs a store-load fence (Dekker), an instruction that costs a flowing
 * stream tens of ns per buffer, as it waits for the index's cache line.
 * membarrier(2) moves the whole cost to the side about to sleep, which makes a
 * syscall anyway: its px__fence_heavy() has every running thread in scope
 * execute a full barrier, so the flowing side's px__fence_light() only has to
 * stop the compiler. The scope is the threads of this process (queues,
 * MEMBARRIER_CMD_PRIVATE_EXPEDITED, decided once at the first
 * px_pipeline_new(), before any streaming thread exists) or the processes of
 * a run (isolation's rings, MEMBARRIER_CMD_GLOBAL_EXPEDITED, decided per
 * channel once both sides registered: isolate/ipc.c). Without membarrier
 * (kernels before 4.14, some emulators), and always under ThreadSanitizer,
 * which follows only full fences, both sides use full fences. */
#if CONFIG_PX_SCHED_THREADS || CONFIG_PX_ISOLATE
typedef enum {
    PX__FENCES_FULL,      /* both sides: a full fence */
    PX__FENCES_THREADS,   /* membarrier over the threads of this process */
    PX__FENCES_PROCESSES, /* membarrier over the registered processes of the run */
} px__fences;

/* The flowing side: after its index store, before it looks at the flag. */
static inline void px__fence_light(px__fences f)
{
    if (f != PX__FENCES_FULL)
        atomic_signal_fence(memory_order_seq_cst);
    else
        px__fence_full();
}

/* The side about to sleep: after its flag store, before its last look.
 * false when membarrier failed (registered, only GLOBAL_EXPEDITED in a
 * process whose registration went away could): the flowing side's fence
 * was only a compiler barrier, so the caller must sleep in short steps. */
static inline bool px__fence_heavy(px__fences f)
{
    int cmd = f == PX__FENCES_THREADS ? MEMBARRIER_CMD_PRIVATE_EXPEDITED : MEMBARRIER_CMD_GLOBAL_EXPEDITED;
    if (f != PX__FENCES_FULL && syscall(SYS_membarrier, cmd, 0, 0) == 0)
        return true;
    px__fence_full();
    return f == PX__FENCES_FULL;
}
#endif

#if CONFIG_PX_SCHED_THREADS
static px__fences px__thread_fences; /* written once, under px__fences_once */
static pthread_once_t px__fences_once = PTHREAD_ONCE_INIT;

static void px__fences_probe(void)
{
#ifndef PX__TSAN /* under ThreadSanitizer: full fences, which it can follow */
    long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (cmds > 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
        syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0)
        px__thread_fences = PX__FENCES_THREADS;
#endif
}

static void px__fences_init(void)
{
    pthread_once(&px__fences_once, px__fences_probe);
}
#endif

/* ---- elements/flow/queue.c: the thread boundary ---- */
#if CONFIG_PX_ELEM_QUEUE
/* Takes buf (ownership passes) into the queue's ring; waits, drops or
 * services the queue (coop) when it is full. */
static px_flow px__queue_push(px_element *el, px_buffer *buf);
/* EOS from upstream: queued behind the data, forwarded once drained. */
static void px__queue_eos(px_element *el);
/* One step of the output side: 1 a buffer went downstream, 0 nothing to do
 * now, -1 finished (EOS forwarded, error or stopping). */
static int px__queue_service(px_element *el);
/* After every start(): sizes the upstream arena for the queue's depth. */
static void px__queue_plan(px_element *el);
/* Writes the current-level-* read-only properties (px_get calls it). */
static void px__queue_levels(px_element *el);
#if CONFIG_PX_CAPS
/* A caps event from upstream: queued behind the data, sent on before the next buffer. */
static px_flow px__queue_caps(px_element *el, const px_caps *caps);
#endif
/* Buffers of feeder's arena the queue holds or has in flight downstream. */
static uint32_t px__queue_holding(px_element *el, const px_element *feeder);
#if CONFIG_PX_SCHED_THREADS
static void *px__queue_thread(void *arg);
static void px__queue_wake(px_element *el);
#endif
#endif
/* graph.c: changes the state, posting PX_MSG_STATE_CHANGED. */
static void px__set_state(px_pipeline *p, px_state s);
/* graph.c: not streaming (built, stopped or suspended). */
static bool px__at_rest(const px_pipeline *p);
/* graph.c: the scheduler this run uses (DEFAULT resolved). */
static px_scheduler px__effective_scheduler(const px_pipeline *p);
#if CONFIG_PX_SCHED_RT
static _Thread_local bool px__rt_self; /* this thread is the rt scheduler's RT thread: it never waits */
static _Thread_local bool px__reactor_self; /* the rt scheduler's reactor: it services, never sleeps on its own queues */
/* Reactor: one turn of each queue it consumes that is not on its call stack. */
static bool px__rt_reactor_relieve(px_pipeline *p);
static int px__rt_insert_bridges(px_pipeline *p, px_error *err);
static int px__rt_start(px_pipeline *p, px_error *err);
static px_time px__rt_percentile(const px_pipeline *p, double pc);
/* Wakes the reactor if it sleeps (stop, pause, resume, EOS request); no syscall otherwise. */
static void px__rt_wake_reactor(px_pipeline *p);
/* After the threads are joined: closes the wake-up eventfd. */
static void px__rt_stop(px_pipeline *p);
#endif
#if CONFIG_PX_ELEM_QUEUE && (CONFIG_PX_SCHED_RT || (CONFIG_PX_FANIN && CONFIG_PX_SCHED_COOP)) /* what px__fanin_blocked and rt use */
/* The input side would not wait or drop now. */
static bool px__queue_has_room(px_element *el);
/* chain.c: the chain below el meets a full queue (only_parked: one whose output is parked). */
static bool px__full_queue_below(px_element *el, bool only_parked, int depth);
#endif
/* Wakes every sleeper (queues, paused contexts): stop, error, resume. */
static void px__wake_all(px_pipeline *p);
/* Pause point of a streaming context; false when the pipeline is stopping. */
static bool px__pause_point(px_pipeline *p);

/* ---- sched/chain.c ---- */
/* Sends buf out of el's src pad out_pad (or every pad); ownership passes. */
static px_flow px__route(px_element *el, int out_pad, px_buffer *buf);
/* Sends EOS out of el (once): completes a sink, else goes to src pad
 * src_pad or every linked one (PX_PAD_ALL: a queue's drained output side). */
static void px__eos_forward(px_element *el, int src_pad);
/* Pushes buf (ownership passes) into el's sink pad; runs el and everything
 * downstream on the calling thread. */
static px_flow px__push(px_element *el, int sink_pad, px_buffer *buf);
/* Runs one produce() of a source and pushes the result. Returns false when
 * the source is finished (EOS sent, error, or stopping). */
static bool px__source_step(px_element *src);
/* Binds the arenas downstream of el to the calling thread (px_arena_bind_thread). */
static void px__bind_chain(px_element *el);
static void px__send_eos(px_element *el, int sink_pad);
/* The non-fan-in paths px__push and px__send_eos take (chain.c). */
#if CONFIG_PX_FANIN
static px_flow px__deliver(px_element *el, int sink_pad, px_buffer *buf);
#endif
static void px__eos_deliver(px_element *el, int sink_pad);

/* ---- sched/fanin.c ---- */
#if CONFIG_PX_FANIN
/* Serialized entry into an element with several linked sink pads. */
static px_flow px__fanin_push(px_element *el, int sink_pad, px_buffer *buf);
static void px__fanin_eos(px_element *el, int sink_pad);
/* Prepare: fan-in detection, locks, park space. */
static int px__fanin_prepare(px_element *el, px_error *err);
/* Before arenas go: parked buffers released, locks destroyed. */
static void px__fanin_release(px_element *el);
/* "Cannot progress now", for the schedulers that step their streaming
 * contexts in turn on a few threads (coop; rt's RT thread and reactor): a
 * buffer told PX_FLOW_WAIT is parked on the context whose step brought it
 * (px__stepping), and the loop skips a context while px__fanin_blocked()
 * says so, retrying it on a later turn. The threads scheduler, one thread
 * per context, waits in place instead. */
#if CONFIG_PX_SCHED_THREADS
static _Thread_local px_element *px__stepping; /* the context whose step runs on this thread now */
#else
static px_element *px__stepping; /* one thread in this build */
#endif
#if CONFIG_PX_SCHED_COOP || CONFIG_PX_SCHED_RT
/* ctx (a source, or a queue's output side) cannot step now: a buffer of it
 * is parked, or the chain below it meets a full queue whose output is. */
static bool px__fanin_blocked(px_element *ctx);
#endif
#if CONFIG_PX_SCHED_COOP || CONFIG_PX_SCHED_RT
/* Every unfinished context of a loop is blocked. Drops the parked buffers
 * when an EOS was asked for (the sources then finish), else reports the
 * stall. partition: -1 every fan-in element (coop), else only those whose
 * rt_safe hint equals it (the rt thread that runs them: 1 RT, 0 reactor). */
static void px__fanin_stall(px_pipeline *p, int partition);
#endif
#endif /* CONFIG_PX_FANIN */
