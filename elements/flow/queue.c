/* elements/flow/queue.c: a thread boundary. Buffers wait in a lock-free
 * single-producer single-consumer ring of buffer handles (no copies: the
 * slot stays in its upstream arena, which prepare sized for the queue's
 * depth). Under the threads scheduler the queue's output side has its own
 * streaming thread; under coop it is serviced in turn on the caller's thread.
 *
 * A side sleeps on a futex only when the ring is empty (output) or full
 * (input, leaky=no), after polling briefly: each side announces that it
 * sleeps, and the other wakes it only then, so a stream that flows makes no
 * syscall. Wake-ups come in bursts, not per buffer: a full input side is
 * woken when the ring is half empty, and an empty output side first sleeps
 * lightly (woken at a fill level, or after QUEUE_LATENCY_NS at most, so a lone
 * buffer is still prompt), then deeply (woken by the next buffer). Properties follow
 * GStreamer's queue (names, defaults, 0 = unlimited); high-watermark,
 * low-watermark and use-buffering follow queue2: at the high one the queue
 * marks the source feeding it busy (px_element_downstream_busy()) and, with
 * use-buffering=true, posts PX_MSG_BUSY on the bus; at the low one it clears
 * the mark and posts PX_MSG_OK. (Off by default: a queue that a fast source
 * fills and a fast sink drains crosses both marks thousands of times a
 * second.)
 *
 * leaky=downstream (and a feeding source with flow-policy=ring) drops the
 * oldest buffer from the input side, so the two sides then take a spinlock
 * around the ring's head; the other modes touch only their own index. */

enum {
    QUEUE_LEAKY_NO = 0,
    QUEUE_LEAKY_UPSTREAM = 1,
    QUEUE_LEAKY_DOWNSTREAM = 2,
};

#define QUEUE_UNBOUNDED_DEPTH 1024u /* ring size when max-size-buffers=0 */
#define QUEUE_WAIT_MS 50            /* sleeps re-check stop/pause this often even without a wake */
#define QUEUE_SPIN_NS 3000          /* a side polls this long before it sleeps */
#define QUEUE_WOKEN_SPIN_NS 10000   /* or this long after it woke the other side */
#define QUEUE_POLL_NS 1000          /* and looks at the other side's index this often while it polls */
#define QUEUE_LATENCY_NS 100000     /* most a lone buffer waits for a lightly sleeping output side */
#define QUEUE_WAKE_FILL 64u         /* fill level that wakes it earlier (at most half the ring) */

enum { QUEUE_SLEEP_LIGHT = 1, QUEUE_SLEEP_DEEP = 2 }; /* out_sleeping */

static inline void queue_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* A buffer as it waits in the ring: one cache line. A px_buffer is 88 bytes,
 * so a ring of them shares a line between neighbouring entries, the one the
 * output side reads and the one the input side writes meanwhile: on a
 * 2-vCPU EPYC an SPSC ring of 64-byte entries moves them in half the time
 * of a ring of 88-byte ones (a cache line crossing cores costs about 50 ns
 * there). The data pointer and capacity come back from the slot, the DTS
 * and end offset as differences from the PTS and offset. A buffer that does
 * not fit that form (a DTS far from its PTS, a slot over 4 GiB) waits whole
 * in a side array that only such entries touch. */
typedef struct queue_entry {
    _Alignas(64) px_arena *arena;
    uint32_t slot, flags;
    uint32_t data_off, size; /* data_off QUEUE_WHOLE: the buffer is in q->whole */
    px_time pts, duration;
    uint64_t offset, sequence;
    int32_t dts_delta, end_delta; /* dts - pts (QUEUE_NO_DTS: none), offset_end - offset */
} queue_entry;
#define QUEUE_WHOLE UINT32_MAX
#define QUEUE_NO_DTS INT32_MIN

#if CONFIG_PX_SCHED_THREADS
/* Sleeps while *word == seen, at most ns; false when the time ran out. */
static bool queue_futex_wait_ns(_Atomic uint32_t *word, uint32_t seen, px_time ns)
{
    struct timespec ts = {(time_t)(ns / PX_SECOND), (long)(ns % PX_SECOND)};
    return !(syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, seen, &ts, NULL, 0) < 0 && errno == ETIMEDOUT);
}
#endif

struct px__queue {
    /* properties */
    int max_size_buffers;
    uint64_t max_size_bytes;
    uint64_t max_size_time;
    int min_threshold_buffers;
    uint64_t min_threshold_bytes;
    uint64_t min_threshold_time;
    int leaky;
    double high_watermark, low_watermark;
    bool use_buffering;
    uint64_t current_level_buffers, current_level_bytes, current_level_time; /* read-only */

    /* set at start/plan */
    px_element *el;
    px_element *feeder; /* owner of the arena whose slots sit in the ring */
    px_element *feeders[8]; /* every such owner, behind fan-in elements (feeder is the first) */
    int n_feeders;
    px_element *source; /* the source upstream, when no other queue is between: its flow policy applies */
    queue_entry *ring; /* depth rounded up to a power of two, on lines of their own */
    px_buffer *whole;  /* the same positions, for buffers that do not fit an entry */
    void *ring_mem;    /* what was allocated for the ring */
    uint32_t depth, mask;
    bool locked;        /* input side may pop (leaky=downstream, ring policy) */
    bool on_reactor;    /* rt: the output side runs on the reactor thread */
    uint64_t high_count, high_bytes, high_time, low_count, low_bytes, low_time;
    uint64_t wake_fill; /* a lightly sleeping output side is woken at this fill level */

    /* Each side's line holds what it writes and its cached view of the
     * other side, refreshed only when the cache says full (input) or empty
     * (output): a flowing stream moves no cache line per buffer but the
     * ring's. */
    _Alignas(64) _Atomic uint64_t tail; /* written by the input side */
    _Atomic uint64_t in_bytes;
    _Atomic int64_t in_pts;
    _Atomic bool eos_in; /* EOS queued behind the last buffer */
    uint64_t c_head, c_out_bytes; /* input side's cache of the output side */
    px_time in_woke_at; /* when the input side last woke the output side */
    int64_t c_out_pts;
    _Alignas(64) _Atomic uint64_t head; /* written by the output side (or the input side, locked) */
    _Atomic uint64_t out_bytes;
    _Atomic int64_t out_pts;
    _Atomic bool in_flight; /* the output side holds a popped buffer downstream */
    uint64_t c_tail; /* output side's cache of tail */
    px_time out_woke_at; /* when the output side last woke the input side */
    _Alignas(64) _Atomic uint32_t data_seq, space_seq; /* futex words */
    _Atomic uint32_t out_sleeping, in_sleeping;
    /* Read per buffer by both sides, written once: not on a side's own line */
    _Atomic bool done_out;  /* downstream answered EOS: refuse more input */
    _Atomic bool finished;  /* EOS forwarded downstream */
    _Atomic bool busy;
    atomic_flag lock;
    /* Caps events (renegotiation), in order with the data: the first buffer
     * queued after one carries QUEUE_FLAG_CAPS, and the output side sends
     * the oldest pending caps on before it. Touched only on caps changes. */
    struct queue_caps *caps_first, *caps_last; /* pending, oldest first */
    bool caps_next;        /* input side: flag the next buffer queued */
    atomic_flag caps_lock; /* guards the list (both sides, rarely) */
};

#define QUEUE_FLAG_CAPS (1u << 31) /* internal; cleared before the buffer leaves the queue */
struct queue_caps {
    px_caps caps;
    struct queue_caps *next;
};

static const px_enum_value queue_leaky_values[] = {
    {QUEUE_LEAKY_NO, "no", "Not leaky: a full queue blocks its input (backpressure)"},
    {QUEUE_LEAKY_UPSTREAM, "upstream", "Leaky on upstream: drop new buffers when full"},
    {QUEUE_LEAKY_DOWNSTREAM, "downstream", "Leaky on downstream: drop the oldest buffers when full"},
    {0, NULL, NULL},
};

static void queue_put(struct px__queue *q, uint64_t i, const px_buffer *b)
{
    queue_entry *e = &q->ring[i & q->mask];
    const uint8_t *base = px_arena_slot_data(b->arena, b->slot);
    size_t off = base && b->data >= base ? (size_t)(b->data - base) : SIZE_MAX;
    int64_t dts = 0;
    uint64_t end = b->offset_end - b->offset;
    bool fits = off < QUEUE_WHOLE && b->capacity == px_arena_slot_size(b->arena) - off && b->size <= UINT32_MAX &&
                (int64_t)end >= INT32_MIN && (int64_t)end <= INT32_MAX &&
                (b->dts == PX_TIME_NONE ||
                 (b->pts != PX_TIME_NONE && !__builtin_sub_overflow(b->dts, b->pts, &dts) && dts > INT32_MIN &&
                  dts <= INT32_MAX));
    e->flags = b->flags;
    if (!fits) {
        q->whole[i & q->mask] = *b;
        e->data_off = QUEUE_WHOLE;
        return;
    }
    e->arena = b->arena;
    e->slot = b->slot;
    e->data_off = (uint32_t)off;
    e->size = (uint32_t)b->size;
    e->pts = b->pts;
    e->duration = b->duration;
    e->offset = b->offset;
    e->sequence = b->sequence;
    e->dts_delta = b->dts == PX_TIME_NONE ? QUEUE_NO_DTS : (int32_t)dts;
    e->end_delta = (int32_t)(int64_t)end;
}

static void queue_get(const struct px__queue *q, uint64_t i, px_buffer *b)
{
    const queue_entry *e = &q->ring[i & q->mask];
    if (e->data_off == QUEUE_WHOLE) {
        *b = q->whole[i & q->mask];
        b->flags = e->flags; /* the entry's are the current ones (caps marks) */
        return;
    }
    b->arena = e->arena;
    b->slot = e->slot;
    b->flags = e->flags;
    b->data = (uint8_t *)px_arena_slot_data(e->arena, e->slot) + e->data_off;
    b->size = e->size;
    b->capacity = px_arena_slot_size(e->arena) - e->data_off;
    b->pts = e->pts;
    b->dts = e->dts_delta == QUEUE_NO_DTS ? PX_TIME_NONE : e->pts + e->dts_delta;
    b->duration = e->duration;
    b->offset = e->offset;
    b->offset_end = e->offset + (uint64_t)(int64_t)e->end_delta;
    b->sequence = e->sequence;
}

static void queue_lock(struct px__queue *q)
{
    if (q->locked)
        while (atomic_flag_test_and_set_explicit(&q->lock, memory_order_acquire))
            ;
}

static void queue_unlock(struct px__queue *q)
{
    if (q->locked)
        atomic_flag_clear_explicit(&q->lock, memory_order_release);
}

static void queue_publish_levels(struct px__queue *q, uint64_t count, uint64_t bytes, int64_t t)
{
    __atomic_store_n(&q->current_level_buffers, count, __ATOMIC_RELAXED);
    __atomic_store_n(&q->current_level_bytes, bytes, __ATOMIC_RELAXED);
    __atomic_store_n(&q->current_level_time, (uint64_t)t, __ATOMIC_RELAXED);
}

static int64_t queue_time_between(int64_t in, int64_t out)
{
    return in == PX_TIME_NONE || out == PX_TIME_NONE || in < out ? 0 : in - out;
}

static int64_t queue_time_level(struct px__queue *q)
{
    return queue_time_between(atomic_load_explicit(&q->in_pts, memory_order_relaxed),
                              atomic_load_explicit(&q->out_pts, memory_order_relaxed));
}

/* Read-only properties: computed when read (px_get), nothing per buffer. */
static void px__queue_levels(px_element *el)
{
    struct px__queue *q = el->queue;
    if (!q)
        return;
    uint64_t h = atomic_load_explicit(&q->head, memory_order_acquire);
    uint64_t t = atomic_load_explicit(&q->tail, memory_order_acquire);
    uint64_t ib = atomic_load_explicit(&q->in_bytes, memory_order_relaxed);
    uint64_t ob = atomic_load_explicit(&q->out_bytes, memory_order_relaxed);
    queue_publish_levels(q, t > h ? t - h : 0, ib > ob ? ib - ob : 0, t > h ? queue_time_level(q) : 0);
}

static int queue_percent(struct px__queue *q, uint64_t count, uint64_t bytes, int64_t t)
{
    double f = (double)count / (double)q->depth;
    if (q->max_size_bytes && (double)bytes / (double)q->max_size_bytes > f)
        f = (double)bytes / (double)q->max_size_bytes;
    if (q->max_size_time && (double)t / (double)q->max_size_time > f)
        f = (double)t / (double)q->max_size_time;
    return f >= 1.0 ? 100 : (int)(f * 100.0 + 0.5);
}

/* Watermarks, as integer limits computed at start: per buffer only compares;
 * a bus post (it takes a lock) only at a transition. */
static void queue_watermarks(struct px__queue *q, uint64_t count, uint64_t bytes, int64_t t)
{
    bool busy = atomic_load_explicit(&q->busy, memory_order_relaxed);
    if (!busy) {
        if (count < q->high_count && (!q->max_size_bytes || bytes < q->high_bytes) &&
            (!q->max_size_time || (uint64_t)t < q->high_time))
            return;
        if (atomic_exchange(&q->busy, true))
            return;
        if (q->source)
            atomic_fetch_add(&q->source->busy_downstream, 1);
        if (!q->use_buffering)
            return;
        int pc = queue_percent(q, count, bytes, t);
        px__bus_post(q->el->pipeline, PX_MSG_BUSY, pc, q->el->name, "%s: busy: %d%% full (%llu buffers, %llu bytes)",
                     q->el->name, pc, (unsigned long long)count, (unsigned long long)bytes);
    } else {
        if (count > q->low_count || (q->max_size_bytes && bytes > q->low_bytes) ||
            (q->max_size_time && (uint64_t)t > q->low_time))
            return;
        if (!atomic_exchange(&q->busy, false))
            return;
        if (q->source)
            atomic_fetch_sub(&q->source->busy_downstream, 1);
        if (!q->use_buffering)
            return;
        int pc = queue_percent(q, count, bytes, t);
        px__bus_post(q->el->pipeline, PX_MSG_OK, pc, q->el->name, "%s: ok: %d%% full (%llu buffers, %llu bytes)",
                     q->el->name, pc, (unsigned long long)count, (unsigned long long)bytes);
    }
}

static bool queue_full_by(struct px__queue *q, uint64_t tail)
{
    uint64_t count = tail - q->c_head;
    if (count >= q->depth)
        return true;
    if (count == 0)
        return false; /* one buffer larger than the byte or time limit still passes */
    uint64_t bytes = atomic_load_explicit(&q->in_bytes, memory_order_relaxed) - q->c_out_bytes;
    if (q->max_size_bytes && bytes >= q->max_size_bytes)
        return true;
    return q->max_size_time &&
           (uint64_t)queue_time_between(atomic_load_explicit(&q->in_pts, memory_order_relaxed), q->c_out_pts) >=
               q->max_size_time;
}

static void queue_refresh_input_cache(struct px__queue *q)
{
    q->c_head = atomic_load_explicit(&q->head, memory_order_acquire);
    q->c_out_bytes = atomic_load_explicit(&q->out_bytes, memory_order_relaxed);
    q->c_out_pts = atomic_load_explicit(&q->out_pts, memory_order_relaxed);
}

/* Input side only. The cached view of the output side is never below the
 * real level (the output side only drains), so only a "full" is rechecked. */
static bool queue_full(struct px__queue *q, uint64_t tail)
{
    if (!queue_full_by(q, tail))
        return false;
    queue_refresh_input_cache(q);
    return queue_full_by(q, tail);
}

/* Output side: below the min-threshold the queue counts as empty (until EOS). */
static bool queue_ready(struct px__queue *q, uint64_t head, uint64_t tail)
{
    uint64_t count = tail - head;
    if (count == 0)
        return false;
    if (!(q->min_threshold_buffers || q->min_threshold_bytes || q->min_threshold_time) ||
        atomic_load_explicit(&q->eos_in, memory_order_acquire))
        return true;
    uint64_t bytes = atomic_load_explicit(&q->in_bytes, memory_order_relaxed) -
                     atomic_load_explicit(&q->out_bytes, memory_order_relaxed);
    return (q->min_threshold_buffers && count >= (uint64_t)q->min_threshold_buffers) ||
           (q->min_threshold_bytes && bytes >= q->min_threshold_bytes) ||
           (q->min_threshold_time && (uint64_t)queue_time_level(q) >= q->min_threshold_time);
}

static void queue_caps_dropped(struct px__queue *q, uint64_t h, uint64_t t);
#if CONFIG_PX_CAPS
static px_flow queue_caps_send(px_element *el, px_buffer *buf);
#endif

/* Takes the oldest buffer; false when there is none. Either side may call it
 * when q->locked, else only the output side. */
static bool queue_pop_as(struct px__queue *q, px_buffer *out, bool for_output, bool input_side)
{
    queue_lock(q);
    uint64_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
    uint64_t t = for_output ? q->c_tail : atomic_load_explicit(&q->tail, memory_order_acquire);
    /* The cache says empty (or is behind a head the input side moved): look again. */
    if (for_output && (t <= h || !queue_ready(q, h, t)))
        t = q->c_tail = atomic_load_explicit(&q->tail, memory_order_acquire);
    if (h == t || (for_output && !queue_ready(q, h, t))) {
        queue_unlock(q);
        return false;
    }
    queue_get(q, h, out);
    if (input_side && (out->flags & QUEUE_FLAG_CAPS))
        queue_caps_dropped(q, h, t);
    if (for_output) /* before head moves: a leak check never sees it nowhere */
        atomic_store_explicit(&q->in_flight, true, memory_order_relaxed);
    atomic_store_explicit(&q->out_bytes, atomic_load_explicit(&q->out_bytes, memory_order_relaxed) + out->size,
                          memory_order_relaxed);
    if (out->pts != PX_TIME_NONE)
        atomic_store_explicit(&q->out_pts, out->pts, memory_order_relaxed);
    /* A sleeping input side is woken once the ring is half empty, not per
     * buffer, so a full queue costs a wake-up per half ring; above half the
     * head needs no fence (nobody is woken there), at or below it the store
     * pairs with the input side's announce-then-recheck: one of us sees the
     * other (px__fence_light/heavy: the sleeper pays for the fence). */
    uint64_t left = t - h - 1; /* what the ring holds once this one is out */
    atomic_store_explicit(&q->head, h + 1, memory_order_release);
    if (input_side)
        queue_refresh_input_cache(q);
    queue_unlock(q);
#if CONFIG_PX_SCHED_THREADS
    bool may_wake = left * 2 <= q->depth;
    if (may_wake)
        px__fence_light(px__thread_fences); /* pairs with the sleeping input side's px__fence_heavy() */
    if (may_wake && atomic_load_explicit(&q->in_sleeping, memory_order_relaxed) &&
        atomic_exchange(&q->in_sleeping, 0)) { /* one wake per sleep, not one per buffer until it runs */
        if (for_output)
            q->out_woke_at = px__now();
        atomic_fetch_add(&q->space_seq, 1);
        px__futex_wake_on(&q->space_seq, false);
    }
#else
    (void)left;
#endif
    return true;
}

/* The output side passing a buffer on (for_output: thresholds apply, it is
 * in flight until routed), or the input side dropping the oldest. */
static bool queue_pop(struct px__queue *q, px_buffer *out, bool for_output)
{
    return queue_pop_as(q, out, for_output, !for_output);
}

static void queue_drop_new(struct px__queue *q, px_buffer *buf)
{
    px_buffer_unref(buf);
    px_element *src = q->source;
    if (q->leaky == QUEUE_LEAKY_NO && src) { /* the source's policy dropped it: its counters */
        px__stat_add(&src->stats.drops, 1);
        if (src->max_drops && ++src->consecutive_drops == src->max_drops)
            px_element_error(src, PX_EFLOW,
                             "%u consecutive buffers dropped at %s (flow-policy=drop, max-drops=%u): "
                             "downstream is too slow",
                             src->max_drops, q->el->name, src->max_drops);
    } else {
        px__stat_add(&q->el->stats.drops, 1);
    }
}

#if CONFIG_PX_SCHED_THREADS
/* Input side: a lightly sleeping output side is woken once wake_fill buffers
 * wait (by the cached head first: it can only overstate the fill). */
static bool queue_fill_reached(struct px__queue *q, uint64_t tail)
{
    if (tail - q->c_head < q->wake_fill)
        return false;
    queue_refresh_input_cache(q);
    return tail - q->c_head >= q->wake_fill;
}

static void queue_wake_output(struct px__queue *q)
{
    if (atomic_exchange(&q->out_sleeping, 0)) { /* one wake per sleep */
        q->in_woke_at = px__now();
        atomic_fetch_add(&q->data_seq, 1);
        px__futex_wake_on(&q->data_seq, false);
    }
}

static bool queue_has_space(struct px__queue *q, uint64_t t)
{
    return !queue_full(q, t);
}

static bool queue_has_data(struct px__queue *q, uint64_t unused)
{
    (void)unused;
    return atomic_load_explicit(&q->tail, memory_order_acquire) != atomic_load_explicit(&q->head, memory_order_relaxed) ||
           atomic_load_explicit(&q->eos_in, memory_order_relaxed) ||
           atomic_load_explicit(&q->el->pipeline->stopping, memory_order_relaxed);
}

/* A side with nothing to do polls the other side's index before it sleeps
 * (a futex wake-up costs both sides a syscall and the sleeper a scheduler
 * round trip). It looks every QUEUE_POLL_NS, not in a tight loop: each look
 * pulls the other side's cache line over, and a pause between looks lets a
 * burst of buffers gather, which then moves at once. It gives up after
 * QUEUE_SPIN_NS, or QUEUE_WOKEN_SPIN_NS after it last woke the other side:
 * that one is on its way (a wake-up takes tens of µs on a busy machine), and
 * sleeping now would only make it wake this side in turn, a cycle of
 * sleeps that a flowing stream would pay for every half ring. */
static bool queue_spin(struct px__queue *q, bool (*ready)(struct px__queue *, uint64_t), uint64_t arg,
                       px_time woke_other)
{
    px_time now = px__now(), end = now + QUEUE_SPIN_NS;
    if (woke_other + QUEUE_WOKEN_SPIN_NS > end)
        end = woke_other + QUEUE_WOKEN_SPIN_NS;
    while (now < end) {
        px_time next = now + QUEUE_POLL_NS;
        do
            queue_relax();
        while ((now = px__now()) < next);
        if (ready(q, arg))
            return true;
    }
    return false;
}
#endif

static px_flow px__queue_push(px_element *el, px_buffer *buf)
{
    struct px__queue *q = el->queue;
    px_pipeline *p = el->pipeline;
    if (atomic_load_explicit(&q->done_out, memory_order_acquire)) {
        px_buffer_unref(buf);
        return PX_FLOW_EOS;
    }
    uint64_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
    int policy = q->source ? q->source->flow_policy : PX_FLOW_POLICY_BLOCK;
    while (queue_full(q, t)) {
#if CONFIG_PX_SCHED_THREADS
        if (atomic_load_explicit(&q->out_sleeping, memory_order_relaxed)) /* full below wake_fill (bytes, time) */
            queue_wake_output(q);
#endif
        if (q->leaky == QUEUE_LEAKY_UPSTREAM || (q->leaky == QUEUE_LEAKY_NO && policy == PX_FLOW_POLICY_DROP)) {
            queue_drop_new(q, buf);
            return PX_FLOW_OK;
        }
        if (q->leaky == QUEUE_LEAKY_DOWNSTREAM || policy == PX_FLOW_POLICY_RING) {
            px_buffer old;
            if (queue_pop(q, &old, false)) {
                px_buffer_unref(&old);
                if (q->leaky == QUEUE_LEAKY_DOWNSTREAM || !q->source)
                    px__stat_add(&el->stats.drops, 1);
                else
                    px__stat_add(&q->source->stats.drops, 1);
            }
            continue;
        }
        if (atomic_load_explicit(&p->stopping, memory_order_relaxed)) {
            px_buffer_unref(buf);
            return PX_FLOW_ERROR;
        }
#if CONFIG_PX_SCHED_RT
        if (px__rt_self) { /* the RT thread never waits: a full bridge drops, counted */
            px_buffer_unref(buf);
            px__stat_add(&el->stats.drops, 1);
            return PX_FLOW_OK;
        }
        if (px__reactor_self) { /* waiting could be for ourselves: do the other side's work */
#if CONFIG_PX_FANIN
            if (q->on_reactor && atomic_load_explicit(&el->parked, memory_order_relaxed)) {
                px_buffer_unref(buf); /* a burst: its output waits in a fan-in element, nothing drains it now */
                px_element_error(el, PX_EFLOW, "is full while its output waits for its turn in a fan-in element "
                                               "(rt scheduler); a larger max-size-buffers would hold the burst");
                return PX_FLOW_ERROR;
            }
#endif
            if (!(q->on_reactor && px__queue_service(el) > 0) && !px__rt_reactor_relieve(p)) {
                struct timespec ts = {0, 50000};
                nanosleep(&ts, NULL);
            }
            continue;
        }
#endif
        if (px__effective_scheduler(p) == PX_SCHED_COOP_RUN) {
            int moved = px__queue_service(el);
            if (moved <= 0 && queue_full(q, t)) { /* cannot drain: nothing else runs */
                px_buffer_unref(buf);
                if (atomic_load(&q->done_out))
                    return PX_FLOW_EOS;
                if (moved == 0) /* not an error downstream (that one has said why): say it here */
                    px_element_error(el, PX_EFLOW, "is full and its output cannot move now (coop scheduler: it "
                                                   "waits for its turn in a fan-in element); a larger "
                                                   "max-size-buffers would hold the burst");
                return PX_FLOW_ERROR;
            }
            continue;
        }
#if CONFIG_PX_SCHED_THREADS
        if (queue_spin(q, queue_has_space, t, q->in_woke_at))
            continue;
        uint32_t seq = atomic_load_explicit(&q->space_seq, memory_order_acquire);
        atomic_store_explicit(&q->in_sleeping, 1, memory_order_relaxed);
        px__fence_heavy(px__thread_fences); /* the announcement, then the last look (the output side's fence is light) */
        if (queue_full(q, t) && !atomic_load_explicit(&q->done_out, memory_order_acquire))
            px__futex_wait_on(&q->space_seq, seq, QUEUE_WAIT_MS, false);
        atomic_store_explicit(&q->in_sleeping, 0, memory_order_relaxed);
        if (atomic_load_explicit(&q->done_out, memory_order_acquire)) {
            px_buffer_unref(buf);
            return PX_FLOW_EOS;
        }
#endif
    }
    if (q->source && q->source->consecutive_drops)
        q->source->consecutive_drops = 0;
    if (q->caps_next) { /* new caps came since the last buffer: this one follows them */
        buf->flags |= QUEUE_FLAG_CAPS;
        q->caps_next = false;
    }
    queue_put(q, t, buf);
    uint64_t bytes = atomic_load_explicit(&q->in_bytes, memory_order_relaxed) + buf->size;
    atomic_store_explicit(&q->in_bytes, bytes, memory_order_relaxed);
    if (buf->pts != PX_TIME_NONE) {
        atomic_store_explicit(&q->in_pts, buf->pts, memory_order_relaxed);
        int64_t none = PX_TIME_NONE; /* the first timestamp starts the time level at 0 */
        atomic_compare_exchange_strong(&q->out_pts, &none, buf->pts);
    }
    atomic_store_explicit(&q->tail, t + 1, memory_order_release);
    buf->arena = NULL;
#if CONFIG_PX_SCHED_THREADS
    px__fence_light(px__thread_fences); /* the tail, then the look at a sleeper (whose fence is heavy) */
    uint32_t sleeping = atomic_load_explicit(&q->out_sleeping, memory_order_relaxed);
    if (sleeping && (sleeping == QUEUE_SLEEP_DEEP || queue_fill_reached(q, t + 1)))
        queue_wake_output(q);
#endif
    /* Busy by the cached view first (it can only overstate), then for real. */
    if (!atomic_load_explicit(&q->busy, memory_order_relaxed) &&
        (t + 1 - q->c_head >= q->high_count || (q->max_size_bytes && bytes - q->c_out_bytes >= q->high_bytes) ||
         (q->max_size_time && (uint64_t)queue_time_between(buf->pts, q->c_out_pts) >= q->high_time))) {
        queue_refresh_input_cache(q);
        queue_watermarks(q, t + 1 - q->c_head, bytes - q->c_out_bytes, queue_time_level(q));
    }
    return PX_FLOW_OK;
}

static void px__queue_eos(px_element *el)
{
    struct px__queue *q = el->queue;
    atomic_store_explicit(&q->eos_in, true, memory_order_seq_cst);
#if CONFIG_PX_SCHED_THREADS
    atomic_fetch_add(&q->data_seq, 1);
    px__futex_wake_on(&q->data_seq, false);
#endif
}

static int px__queue_service(px_element *el)
{
    struct px__queue *q = el->queue;
    px_pipeline *p = el->pipeline;
    if (atomic_load_explicit(&q->finished, memory_order_relaxed) ||
        atomic_load_explicit(&p->stopping, memory_order_relaxed))
        return -1;
#if CONFIG_PX_FANIN
    if (atomic_load_explicit(&el->parked, memory_order_relaxed))
        return 0; /* its last buffer waits for its turn in a fan-in element (coop, rt: sched/fanin.c) */
#endif
    px_buffer b;
    if (atomic_load_explicit(&q->done_out, memory_order_relaxed)) {
        while (queue_pop_as(q, &b, false, false)) /* downstream is done: what is left goes nowhere */
            px_buffer_unref(&b);
    } else if (queue_pop(q, &b, true)) {
#if CONFIG_PX_CAPS
        if ((b.flags & QUEUE_FLAG_CAPS) && queue_caps_send(el, &b) != PX_FLOW_OK) {
            atomic_store_explicit(&q->in_flight, false, memory_order_release);
            return -1;
        }
#endif
#if CONFIG_PX_FANIN
        px_element *was = px__stepping; /* a buffer that must wait downstream parks on this queue */
        px__stepping = el;
#endif
        px_flow r = px__route(el, 0, &b);
#if CONFIG_PX_FANIN
        px__stepping = was;
#endif
        atomic_store_explicit(&q->in_flight, false, memory_order_release);
        if (atomic_load_explicit(&q->busy, memory_order_relaxed)) { /* only a busy queue looks for its ok */
            uint64_t count = atomic_load_explicit(&q->tail, memory_order_acquire) -
                             atomic_load_explicit(&q->head, memory_order_relaxed);
            uint64_t bytes = atomic_load_explicit(&q->in_bytes, memory_order_relaxed) -
                             atomic_load_explicit(&q->out_bytes, memory_order_relaxed);
            queue_watermarks(q, count, bytes, queue_time_level(q));
        }
        if (r == PX_FLOW_EOS) {
            atomic_store_explicit(&q->done_out, true, memory_order_seq_cst);
#if CONFIG_PX_SCHED_THREADS
            atomic_fetch_add(&q->space_seq, 1);
            px__futex_wake_on(&q->space_seq, false);
#endif
        } else if (r == PX_FLOW_ERROR) {
            return -1;
        }
        return 1;
    }
    if (atomic_load_explicit(&q->eos_in, memory_order_seq_cst) &&
        atomic_load_explicit(&q->tail, memory_order_acquire) == atomic_load_explicit(&q->head, memory_order_relaxed)) {
        atomic_store_explicit(&q->finished, true, memory_order_relaxed);
        /* The input side may have marked the queue busy after the output
         * side's last look (its last push, then EOS): it is empty now. */
        if (atomic_load_explicit(&q->busy, memory_order_acquire))
            queue_watermarks(q, 0, 0, 0);
        px__eos_forward(el, PX_PAD_ALL);
        return -1;
    }
    return 0;
}

#if CONFIG_PX_SCHED_RT || (CONFIG_PX_FANIN && CONFIG_PX_SCHED_COOP)
static bool px__queue_has_room(px_element *el)
{
    struct px__queue *q = el->queue;
    return q && !queue_full(q, atomic_load_explicit(&q->tail, memory_order_acquire));
}
#endif

static uint32_t px__queue_holding(px_element *el, const px_element *feeder)
{
    struct px__queue *q = el->queue;
    if (!q)
        return 0;
    int k = 0;
    while (k < q->n_feeders && q->feeders[k] != feeder)
        k++;
    if (k == q->n_feeders) /* with several, all of the ring may be this one's */
        return 0;
    uint64_t h = atomic_load_explicit(&q->head, memory_order_acquire);
    uint64_t t = atomic_load_explicit(&q->tail, memory_order_acquire);
    return (uint32_t)(t - h) + atomic_load_explicit(&q->in_flight, memory_order_acquire);
}

/* Elements buffers pass through untouched (same slot) on their way here. */
static bool queue_passes_slots(const px_element *up)
{
    return px__uses_upstream_slots(up); /* a queue too: it is process() in place */
}

/* The arenas whose slots reach the queue: through pass-through elements and
 * every input of a fan-in one (funnel, concat, input-selector). */
static void queue_find_feeders(struct px__queue *q, px_element *up, int depth)
{
    if (!queue_passes_slots(up)) {
        for (int k = 0; k < q->n_feeders; k++)
            if (q->feeders[k] == up)
                return;
        if (q->n_feeders < (int)(sizeof q->feeders / sizeof q->feeders[0]))
            q->feeders[q->n_feeders++] = up;
        return;
    }
    if (depth > 64) /* a cycle cannot be linked, but stay bounded */
        return;
    for (int j = 0; j < up->n_sink; j++)
        if (up->sink[j].peer)
            queue_find_feeders(q, up->sink[j].peer, depth + 1);
}

static void px__queue_plan(px_element *el)
{
    struct px__queue *q = el->queue;
    q->n_feeders = 0;
    if (el->n_sink > 0 && el->sink[0].peer)
        queue_find_feeders(q, el->sink[0].peer, 0);
    q->feeder = q->n_feeders > 0 ? q->feeders[0] : NULL;
    for (int k = 0; k < q->n_feeders; k++) /* the ring's slots plus what is in flight: sized now, never grown */
        q->feeders[k]->out_extra_slots += q->depth;
    px_element *src = el->n_sink > 0 ? el->sink[0].peer : NULL;
    while (src && !src->klass->produce && !src->queue && src->n_sink > 0)
        src = src->sink[0].peer;
    q->source = src && src->klass->produce ? src : NULL; /* on the source's own thread */
    q->locked = q->leaky == QUEUE_LEAKY_DOWNSTREAM || (q->source && q->source->flow_policy == PX_FLOW_POLICY_RING);
}

#if CONFIG_PX_SCHED_THREADS
static void px__queue_wake(px_element *el)
{
    struct px__queue *q = el->queue;
    if (!q)
        return;
    atomic_fetch_add(&q->data_seq, 1);
    atomic_fetch_add(&q->space_seq, 1);
    px__futex_wake_on(&q->data_seq, false);
    px__futex_wake_on(&q->space_seq, false);
}

static void *px__queue_thread(void *arg)
{
    px_element *el = arg;
    struct px__queue *q = el->queue;
    px_pipeline *p = el->pipeline;
    for (int i = 0; i < el->n_src; i++)
        if (el->src[i].peer)
            px__bind_chain(el->src[i].peer);
    for (;;) {
        if (!px__pause_point(p))
            break;
        int r = px__queue_service(el);
        if (r < 0)
            break;
        if (r > 0)
            continue;
        /* Nothing to do: poll a little, then announce the sleep and look once
         * more (the input side stores, then checks out_sleeping; one of us
         * sees the other). */
        if (queue_spin(q, queue_has_data, 0, q->out_woke_at))
            continue;
        /* Sleep lightly first: the input side wakes us only once wake_fill
         * buffers wait (a wake-up per burst, not per buffer), and a buffer
         * that comes alone waits at most QUEUE_LATENCY_NS. When that passes
         * with nothing, sleep deeply: the next buffer wakes us at once. */
        for (uint32_t mode = QUEUE_SLEEP_LIGHT; mode <= QUEUE_SLEEP_DEEP; mode++) {
            uint32_t seq = atomic_load_explicit(&q->data_seq, memory_order_acquire);
            atomic_store_explicit(&q->out_sleeping, mode, memory_order_relaxed);
            px__fence_heavy(px__thread_fences); /* the announcement, then the last look (the input side's fence is light) */
            uint64_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
            uint64_t t = atomic_load_explicit(&q->tail, memory_order_acquire);
            bool work = atomic_load_explicit(&q->eos_in, memory_order_acquire) ||
                        (atomic_load_explicit(&q->done_out, memory_order_relaxed) ? t != h : queue_ready(q, h, t));
            if (work || atomic_load_explicit(&p->stopping, memory_order_relaxed) ||
                atomic_load_explicit(&p->paused, memory_order_relaxed)) {
                atomic_store_explicit(&q->out_sleeping, 0, memory_order_relaxed);
                break;
            }
            bool woken = queue_futex_wait_ns(&q->data_seq, seq,
                                             mode == QUEUE_SLEEP_LIGHT ? QUEUE_LATENCY_NS : QUEUE_WAIT_MS * PX_MSECOND);
            atomic_store_explicit(&q->out_sleeping, 0, memory_order_relaxed);
            if (woken || atomic_load_explicit(&q->tail, memory_order_acquire) != h)
                break;
        }
    }
    return NULL;
}
#endif

/* ---- Caps events (see px_element_push_caps) ---- */

static void queue_caps_lock(struct px__queue *q)
{
    while (atomic_flag_test_and_set_explicit(&q->caps_lock, memory_order_acquire))
        queue_relax();
}

static void queue_caps_unlock(struct px__queue *q)
{
    atomic_flag_clear_explicit(&q->caps_lock, memory_order_release);
}

#if CONFIG_PX_CAPS
/* Input side: new caps behind the buffers queued so far. */
static px_flow px__queue_caps(px_element *el, const px_caps *caps)
{
    struct px__queue *q = el->queue;
    struct queue_caps *c = NULL;
    if (!q->caps_next) { /* else no buffer came since the last caps: these replace them */
        c = PX_MALLOC(sizeof *c);
        if (!c) {
            px_element_error(el, PX_ENOMEM, "out of memory queueing a caps change");
            return PX_FLOW_ERROR;
        }
        c->next = NULL;
    }
    queue_caps_lock(q);
    if (c) {
        if (q->caps_last)
            q->caps_last->next = c;
        else
            q->caps_first = c;
        q->caps_last = c;
    }
    q->caps_last->caps = *caps;
    q->caps_next = true;
    queue_caps_unlock(q);
    el->caps[PX_DIR_SINK] = *caps;
    return PX_FLOW_OK;
}

/* Output side, before buf (flagged): the oldest pending caps go downstream. */
static px_flow queue_caps_send(px_element *el, px_buffer *buf)
{
    struct px__queue *q = el->queue;
    buf->flags &= ~QUEUE_FLAG_CAPS;
    queue_caps_lock(q);
    struct queue_caps *c = q->caps_first;
    if (c && !(q->caps_first = c->next))
        q->caps_last = NULL;
    queue_caps_unlock(q);
    if (!c)
        return PX_FLOW_OK;
    px_flow r = px_element_push_caps(el, PX_PAD_ALL, &c->caps);
    PX_FREE(c);
    if (r != PX_FLOW_OK)
        px_buffer_unref(buf);
    return r;
}

#endif

/* Input side (leaky=downstream, ring policy), under q->lock: the flagged
 * buffer at h is dropped, so the caps move to the next one queued; when the
 * next one follows caps of its own, the dropped one's are superseded. */
static void queue_caps_dropped(struct px__queue *q, uint64_t h, uint64_t t)
{
    if (h + 1 == t) {
        q->caps_next = true;
        return;
    }
    queue_entry *next = &q->ring[(h + 1) & q->mask];
    if (!(next->flags & QUEUE_FLAG_CAPS)) {
        next->flags |= QUEUE_FLAG_CAPS;
        return;
    }
    queue_caps_lock(q);
    struct queue_caps *c = q->caps_first;
    if (c && !(q->caps_first = c->next))
        q->caps_last = NULL;
    queue_caps_unlock(q);
    PX_FREE(c);
}

static void queue_caps_clear(struct px__queue *q)
{
    while (q->caps_first) {
        struct queue_caps *c = q->caps_first;
        q->caps_first = c->next;
        PX_FREE(c);
    }
    q->caps_last = NULL;
    q->caps_next = false;
}

static int queue_start(px_element *el, px_error *err)
{
    struct px__queue *q = px_element_state(el);
    const char *name = px_element_name(el);

    if (q->max_size_buffers && q->min_threshold_buffers > q->max_size_buffers)
        return px_error_set(err, PX_EINVAL, 0,
                            "%s: min-threshold-buffers=%d is above max-size-buffers=%d; the queue would never "
                            "pass data on (set min-threshold-buffers <= max-size-buffers)",
                            name, q->min_threshold_buffers, q->max_size_buffers);
    if (q->max_size_bytes && q->min_threshold_bytes > q->max_size_bytes)
        return px_error_set(err, PX_EINVAL, 0,
                            "%s: min-threshold-bytes=%llu is above max-size-bytes=%llu (set it lower)", name,
                            (unsigned long long)q->min_threshold_bytes, (unsigned long long)q->max_size_bytes);
    if (q->max_size_time && q->min_threshold_time > q->max_size_time)
        return px_error_set(err, PX_EINVAL, 0,
                            "%s: min-threshold-time=%llu is above max-size-time=%llu (set it lower)", name,
                            (unsigned long long)q->min_threshold_time, (unsigned long long)q->max_size_time);
    if (q->low_watermark >= q->high_watermark)
        return px_error_set(err, PX_EINVAL, 0,
                            "%s: low-watermark=%g must be below high-watermark=%g", name, q->low_watermark,
                            q->high_watermark);
    q->depth = q->max_size_buffers ? (uint32_t)q->max_size_buffers : QUEUE_UNBOUNDED_DEPTH;
    /* At least one buffer apart, so busy and ok cannot alternate per buffer. */
    q->high_count = (uint64_t)(q->high_watermark * q->depth + 0.999);
    q->low_count = (uint64_t)(q->low_watermark * q->depth);
    if (q->high_count < 1)
        q->high_count = 1;
    if (q->low_count >= q->high_count)
        q->low_count = q->high_count - 1;
    q->high_bytes = (uint64_t)(q->high_watermark * (double)q->max_size_bytes);
    q->low_bytes = (uint64_t)(q->low_watermark * (double)q->max_size_bytes);
    q->high_time = (uint64_t)(q->high_watermark * (double)q->max_size_time);
    q->low_time = (uint64_t)(q->low_watermark * (double)q->max_size_time);
    q->wake_fill = q->depth / 2 < QUEUE_WAKE_FILL ? q->depth / 2 : QUEUE_WAKE_FILL;
    if (q->wake_fill < 1 || q->min_threshold_buffers || q->min_threshold_bytes || q->min_threshold_time)
        q->wake_fill = 1; /* below a threshold the output side waits for the threshold itself */
    uint32_t cap = 1;
    while (cap < q->depth)
        cap <<= 1;
    q->mask = cap - 1;
    q->ring_mem = PX_MALLOC(cap * sizeof *q->ring + 64);
    q->whole = PX_MALLOC(cap * sizeof *q->whole);
    if (!q->ring_mem || !q->whole) {
        PX_FREE(q->ring_mem);
        PX_FREE(q->whole);
        q->ring_mem = NULL, q->whole = NULL;
        return px_error_set(err, PX_ENOMEM, 0, "%s: out of memory for a %u-buffer ring", name, cap);
    }
    q->ring = (queue_entry *)(((uintptr_t)q->ring_mem + 63) & ~(uintptr_t)63);
    q->el = el;
    q->feeder = q->source = NULL;
    q->n_feeders = 0;
    q->locked = false;
    q->on_reactor = false;
    atomic_store(&q->tail, 0);
    atomic_store(&q->head, 0);
    atomic_store(&q->in_bytes, 0);
    atomic_store(&q->out_bytes, 0);
    atomic_store(&q->in_pts, PX_TIME_NONE);
    atomic_store(&q->out_pts, PX_TIME_NONE);
    q->c_head = q->c_out_bytes = q->c_tail = 0;
    q->c_out_pts = PX_TIME_NONE;
    q->in_woke_at = q->out_woke_at = 0;
    atomic_store(&q->eos_in, false);
    atomic_store(&q->in_flight, false);
    atomic_store(&q->done_out, false);
    atomic_store(&q->finished, false);
    atomic_store(&q->out_sleeping, 0);
    atomic_store(&q->in_sleeping, 0);
    atomic_store(&q->busy, false);
    atomic_flag_clear(&q->lock);
    atomic_flag_clear(&q->caps_lock);
    queue_caps_clear(q);
    queue_publish_levels(q, 0, 0, 0);
    el->queue = q;
    return PX_OK;
}

static void queue_stop(px_element *el)
{
    struct px__queue *q = px_element_state(el);
    if (!q->ring)
        return;
    q->locked = false; /* every streaming thread has been joined */
    px_buffer b;
    while (queue_pop(q, &b, false))
        px_buffer_unref(&b);
    queue_caps_clear(q);
    if (atomic_exchange(&q->busy, false) && q->source)
        atomic_fetch_sub(&q->source->busy_downstream, 1);
    PX_FREE(q->ring_mem);
    PX_FREE(q->whole);
    q->ring_mem = NULL, q->whole = NULL;
    q->ring = NULL;
    el->queue = NULL;
}

/* Without a thread boundary to cross (never reached while the queue runs). */
static px_flow queue_process(px_element *el, px_frame *io)
{
    (void)el;
    (void)io;
    return PX_FLOW_OK;
}

#define QUEUE_LEVEL(field, desc)                                                                        \
    {#field, PX_PROP_UINT64, offsetof(struct px__queue, field), PX_PROP_FLAG_READONLY, 0, INT64_MAX, 0, 0, \
     0, 0, {0, 1}, {0, 1}, {0, 1}, NULL, NULL, PX__PROP_DESC(desc)}

PX_ELEMENT_CLASS(queue) = {
    .name = "queue",
    .family = "Generic",
    .description = "Thread boundary: a bounded lock-free ring with backpressure, leaky modes and watermarks",
    .state_size = sizeof(struct px__queue),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .hints = {.rt_safe = true},
    .in_place = true,
    .start = queue_start,
    .stop = queue_stop,
    .process = queue_process,
    .props = PX_PROPS(
        PX_PROP_INT(struct px__queue, max_size_buffers, 0, 60000, 200,
                    "Max. number of buffers in the queue (0 = no limit but the ring's 1024)"),
        PX_PROP_UINT64(struct px__queue, max_size_bytes, 0, UINT32_MAX, 10485760,
                       "Max. amount of data in the queue, bytes (0 = no limit)"),
        PX_PROP_UINT64(struct px__queue, max_size_time, 0, INT64_MAX, 1000000000,
                       "Max. amount of data in the queue, ns of timestamps (0 = no limit)"),
        PX_PROP_INT(struct px__queue, min_threshold_buffers, 0, 60000, 0,
                    "Min. number of buffers before the output side passes data on (0 = none)"),
        PX_PROP_UINT64(struct px__queue, min_threshold_bytes, 0, UINT32_MAX, 0,
                       "Min. bytes in the queue before data is passed on (0 = none)"),
        PX_PROP_UINT64(struct px__queue, min_threshold_time, 0, INT64_MAX, 0,
                       "Min. ns of data in the queue before data is passed on (0 = none)"),
        PX_PROP_ENUM(struct px__queue, leaky, queue_leaky_values, QUEUE_LEAKY_NO,
                     "Where the queue leaks when full, if at all"),
        PX_PROP_DOUBLE(struct px__queue, high_watermark, 0.0, 1.0, 0.99,
                       "Fill level (0..1) at which the queue posts busy"),
        PX_PROP_DOUBLE(struct px__queue, low_watermark, 0.0, 1.0, 0.01,
                       "Fill level (0..1) at which a busy queue posts ok"),
        PX_PROP_BOOL(struct px__queue, use_buffering, false,
                     "Post busy/ok (PX_MSG_BUSY, PX_MSG_OK) on the bus at the watermarks (as queue2)"),
        QUEUE_LEVEL(current_level_buffers, "Current number of buffers in the queue"),
        QUEUE_LEVEL(current_level_bytes, "Current amount of data in the queue (bytes)"),
        QUEUE_LEVEL(current_level_time, "Current amount of data in the queue (ns)")),
};
