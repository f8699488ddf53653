/* rt scheduling: a driver starts each cycle. A timerfd (the period set with
 * px_pipeline_set_rt_period, default 1 ms) wakes the RT thread, which runs
 * the RT-safe partition in topological order: each RT-safe source produces
 * up to `quantum` buffers, then each queue whose output side is RT-safe
 * passes on what it holds. The thread asks for SCHED_FIFO; where that is
 * not permitted a single warning says so and it runs at normal priority.
 *
 * Elements that are not rt_safe (files, I/O) run on a reactor thread (an
 * epoll loop taking turns between its contexts) and cross into the cycle
 * through bridges: queues prepare inserts on every link between the two
 * partitions. The RT thread never waits: an RT source whose bridge is full
 * skips its turn (backpressure, nothing lost); a buffer that still meets a
 * full bridge on the RT thread is dropped and counted.
 *
 * Figures: cycles, deadline misses (driver periods that passed without a
 * cycle: the timer reported more than one expiration), the longest cycle's
 * work, and the wake-up lateness of each cycle in a 1 µs histogram (p50,
 * p99, max in px_pipeline_stats). */

#include <sched.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>

#define PX__RT_DEFAULT_PERIOD PX_MSECOND
#define PX__RT_PRIORITY 50


static bool px__rt_safe(const px_element *el)
{
    return el->klass->hints.rt_safe;
}

/* A bridge (queue) on every link between the RT-safe partition and the rest. */
static int px__rt_insert_bridges(px_pipeline *p, px_error *err)
{
#if !CONFIG_PX_ELEM_QUEUE
    (void)p;
    (void)err;
    return PX_OK;
#else
    size_t n = p->n_elements; /* the bridges added here need no bridges */
    for (size_t i = 0; i < n; i++) {
        px_element *a = p->elements[i];
        for (int ap = 0; ap < a->n_src; ap++) {
            px_element *b = a->src[ap].peer;
            if (!b || a->queue || !strcmp(a->klass->name, "queue") || !strcmp(b->klass->name, "queue") ||
                px__rt_safe(a) == px__rt_safe(b))
                continue;
            int bp = a->src[ap].peer_pad;
            px_element *q = px_pipeline_add(p, "queue", NULL, err);
            if (!q)
                return err ? err->code : PX_ENOMEM;
            q->auto_inserted = true;
            a->src[ap].peer = q;
            a->src[ap].peer_pad = 0;
            q->sink[0].peer = a;
            q->sink[0].peer_pad = ap;
            q->src[0].peer = b;
            q->src[0].peer_pad = bp;
            b->sink[bp].peer = q;
            b->sink[bp].peer_pad = 0;
            PX_INFO("rt", "bridge %s between %s (%s) and %s (%s)", q->name, a->name,
                    px__rt_safe(a) ? "rt" : "reactor", b->name, px__rt_safe(b) ? "rt" : "reactor");
        }
    }
    return PX_OK;
#endif
}

/* Which thread runs a context: a source by its own hint, a queue's output
 * by the element it feeds. */
static bool px__rt_context_is_rt(const px_element *el)
{
    if (el->queue)
        return el->n_src > 0 && el->src[0].peer && px__rt_safe(el->src[0].peer);
    return px__rt_safe(el);
}

/* Room in every queue the chain below el reaches before another boundary:
 * an RT context that would meet a full one skips its turn instead of
 * waiting (a buffer made anyway would have to be dropped). */
static bool px__rt_room_below(px_element *el)
{
    for (int i = 0; i < el->n_src; i++) {
        px_element *d = el->src[i].peer;
        if (!d)
            continue;
#if CONFIG_PX_ELEM_QUEUE
        if (d->queue) {
            if (!px__queue_has_room(d))
                return false;
            continue;
        }
#endif
        if (!px__rt_room_below(d))
            return false;
    }
    return true;
}

static void px__rt_record(px_pipeline *p, px_time late)
{
    if (late < 0)
        late = 0;
    uint64_t us = (uint64_t)late / PX_USECOND;
    _Atomic uint32_t *b = &p->rt_hist[us < PX__RT_HIST_BUCKETS - 1 ? us : PX__RT_HIST_BUCKETS - 1];
    atomic_store_explicit(b, atomic_load_explicit(b, memory_order_relaxed) + 1, memory_order_relaxed);
    if ((uint64_t)late > atomic_load_explicit(&p->rt_jitter_max, memory_order_relaxed))
        atomic_store_explicit(&p->rt_jitter_max, (uint64_t)late, memory_order_relaxed);
}

typedef struct px__rt_ctx {
    px_element *el;
    bool done;
} px__rt_ctx;

/* A context that cannot step now because of fan-in (sched/fanin.c): its
 * buffer waits for its turn, so it is skipped until a later cycle. */
static bool px__rt_blocked(px__rt_ctx *c)
{
#if CONFIG_PX_FANIN
    return px__fanin_blocked(c->el);
#else
    (void)c;
    return false;
#endif
}

/* One turn of a context: true when it moved a buffer. *parked counts the
 * contexts whose own buffer waits in a fan-in element: when that is every
 * unfinished context of a thread, nothing on it can bring the EOS they wait
 * for (a context blocked only by a full queue below may be waiting for the
 * other thread, so it does not count). */
static bool px__rt_turn(px__rt_ctx *c, uint32_t quantum, bool rt, size_t *parked)
{
    if (c->done)
        return false;
    if (px__rt_blocked(c)) {
        *parked += atomic_load_explicit(&c->el->parked, memory_order_relaxed) > 0;
        return false;
    }
    bool moved = false;
    if (!c->el->queue) {
#if CONFIG_PX_FANIN
        px__stepping = c->el; /* a buffer that must wait in a fan-in element parks on this source */
#endif
        for (uint32_t k = 0; k < quantum && !c->done; k++) {
            if ((rt && !px__rt_room_below(c->el)) || (k && px__rt_blocked(c)))
                break;
            if (px__source_step(c->el))
                moved = true;
            else
                c->done = true;
        }
#if CONFIG_PX_FANIN
        px__stepping = NULL;
#endif
        return moved;
    }
#if CONFIG_PX_ELEM_QUEUE
    for (uint32_t k = 0; k < c->el->queue->depth + 1; k++) { /* what it holds now, bounded */
        if ((rt && !px__rt_room_below(c->el)) || (k && px__rt_blocked(c)))
            break;
        int r = px__queue_service(c->el);
        if (r < 0)
            c->done = true;
        if (r <= 0)
            break;
        moved = true;
    }
#endif
    return moved;
}

static size_t px__rt_contexts(px_pipeline *p, px__rt_ctx *out, bool rt)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_sources; i++)
        if (px__rt_context_is_rt(p->sources[i]) == rt)
            out[n++] = (px__rt_ctx){p->sources[i], false};
    for (size_t i = 0; i < p->n_queues; i++)
        if (px__rt_context_is_rt(p->queues[i]) == rt)
            out[n++] = (px__rt_ctx){p->queues[i], false};
    return n;
}

static bool px__rt_reactor_relieve(px_pipeline *p)
{
    bool moved = false;
#if CONFIG_PX_ELEM_QUEUE
    for (size_t i = 0; i < p->n_queues; i++) {
        struct px__queue *q = p->queues[i]->queue;
        if (q && q->on_reactor && !atomic_load_explicit(&q->in_flight, memory_order_relaxed))
            moved |= px__queue_service(p->queues[i]) > 0;
    }
#else
    (void)p;
#endif
    return moved;
}

static void px__rt_bind(px__rt_ctx *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        px_element *el = c[i].el;
        if (!el->queue)
            px__bind_chain(el);
        else
            for (int j = 0; j < el->n_src; j++)
                if (el->src[j].peer)
                    px__bind_chain(el->src[j].peer);
    }
}

static void *px__rt_thread(void *arg)
{
    px_pipeline *p = arg;
    px__rt_self = true;
    px__rt_ctx *ctx = p->rt_ctx;
    size_t n = px__rt_contexts(p, ctx, true);
    px__rt_bind(ctx, n);

    struct sched_param sp = {.sched_priority = PX__RT_PRIORITY};
    int prc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
    if (prc)
        px__bus_post(p, PX_MSG_WARNING, prc, "pipeline",
                     "rt: SCHED_FIFO not permitted (%s); the RT thread runs at normal priority "
                     "(grant CAP_SYS_NICE or an rtprio limit, e.g. ulimit -r %d)",
                     strerror(prc), PX__RT_PRIORITY);

    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    if (tfd < 0) {
        px__bus_post(p, PX_MSG_ERROR, PX_EIO, "pipeline", "rt: cannot create the driver timer: %s", strerror(errno));
        atomic_store(&p->error_posted, true);
        atomic_store(&p->stopping, true);
        return NULL;
    }
    px_time period = p->rt_period;
    struct itimerspec its = {{(time_t)(period / PX_SECOND), (long)(period % PX_SECOND)},
                             {(time_t)(period / PX_SECOND), (long)(period % PX_SECOND)}};
    px_time expected = px__now() + period;
    timerfd_settime(tfd, 0, &its, NULL);
    bool resumed = false;
    for (size_t left = n; left > 0;) {
        uint64_t expirations = 0;
        if (read(tfd, &expirations, sizeof expirations) != (ssize_t)sizeof expirations) {
            if (errno == EINTR)
                continue;
            break;
        }
        px_time now = px__now();
        if (atomic_load_explicit(&p->stopping, memory_order_relaxed))
            break;
        if (atomic_load_explicit(&p->paused, memory_order_relaxed)) {
            if (!px__pause_point(p))
                break;
            resumed = true;
            continue;
        }
        if (resumed) { /* periods spent paused are not misses */
            resumed = false;
            expected = now;
        } else {
            px__rt_record(p, now - expected);
            if (expirations > 1)
                atomic_store_explicit(&p->rt_misses, atomic_load_explicit(&p->rt_misses, memory_order_relaxed) +
                                                         expirations - 1, memory_order_relaxed);
        }
        expected += (px_time)expirations * period;
        if (expected < now - period) /* far behind (a debugger, a stopped VM): start over */
            expected = now;
        size_t blocked = 0;
        bool moved = false;
        for (size_t i = 0; i < n; i++) /* topological: sources, then queue outputs downstream */
            moved |= px__rt_turn(&ctx[i], p->rt_quantum, true, &blocked);
        left = 0;
        for (size_t i = 0; i < n; i++)
            left += !ctx[i].done;
#if CONFIG_PX_FANIN
        if (!moved && blocked && blocked == left) /* every context waits in a fan-in element */
            px__fanin_stall(p, 1);
#endif
        uint64_t work = (uint64_t)(px__now() - now);
        if (work > atomic_load_explicit(&p->rt_cycle_max, memory_order_relaxed))
            atomic_store_explicit(&p->rt_cycle_max, work, memory_order_relaxed);
        atomic_store_explicit(&p->rt_cycles, atomic_load_explicit(&p->rt_cycles, memory_order_relaxed) + 1,
                              memory_order_relaxed);
    }
    close(tfd);
    return NULL;
}

/* The reactor: every context outside the RT partition takes turns; when none
 * moves, it sleeps in epoll_wait (1 ms), where I/O elements' fds will join. */
static void *px__rt_reactor(void *arg)
{
    px_pipeline *p = arg;
    px__reactor_self = true;
    px__rt_ctx *ctx = p->rt_ctx + p->n_sources + p->n_queues;
    size_t n = px__rt_contexts(p, ctx, false);
    px__rt_bind(ctx, n);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    for (size_t left = n; left > 0;) {
        if (!px__pause_point(p))
            break;
        bool moved = false;
        size_t blocked = 0;
        left = 0;
        for (size_t i = 0; i < n; i++) {
            moved |= px__rt_turn(&ctx[i], 1, false, &blocked);
            left += !ctx[i].done;
        }
#if CONFIG_PX_FANIN
        if (!moved && blocked && blocked == left) /* every context waits in a fan-in element */
            px__fanin_stall(p, 0);
#endif
        if (!moved && left) {
            struct epoll_event ev;
            if (ep < 0 || epoll_wait(ep, &ev, 1, 1) < 0) {
                struct timespec ts = {0, 1000000};
                nanosleep(&ts, NULL);
            }
        }
    }
    if (ep >= 0)
        close(ep);
    return NULL;
}

static int px__rt_start(px_pipeline *p, px_error *err)
{
    size_t nctx = p->n_sources + p->n_queues;
    PX_FREE(p->rt_ctx);
    p->rt_ctx = PX_MALLOC(2 * (nctx ? nctx : 1) * sizeof *p->rt_ctx);
    if (!p->rt_hist)
        p->rt_hist = PX_MALLOC(PX__RT_HIST_BUCKETS * sizeof *p->rt_hist);
    p->threads = PX_MALLOC(2 * sizeof *p->threads);
    if (!p->rt_ctx || !p->rt_hist || !p->threads)
        return px_error_set(err, PX_ENOMEM, 0, "out of memory starting the rt scheduler");
    for (size_t i = 0; i < PX__RT_HIST_BUCKETS; i++)
        atomic_store_explicit(&p->rt_hist[i], 0, memory_order_relaxed);
    atomic_store(&p->rt_cycles, 0);
    atomic_store(&p->rt_misses, 0);
    atomic_store(&p->rt_cycle_max, 0);
    atomic_store(&p->rt_jitter_max, 0);
    if (!p->rt_period)
        p->rt_period = PX__RT_DEFAULT_PERIOD;
    if (!p->rt_quantum)
        p->rt_quantum = 1;
#if CONFIG_PX_ELEM_QUEUE
    for (size_t i = 0; i < p->n_queues; i++) /* before any thread runs */
        p->queues[i]->queue->on_reactor = !px__rt_context_is_rt(p->queues[i]);
#endif
    p->n_threads = 0;
    void *(*fns[2])(void *) = {px__rt_reactor, px__rt_thread};
    for (int i = 0; i < 2; i++) {
        int rc = pthread_create(&p->threads[i], NULL, fns[i], p);
        if (rc) {
            atomic_store(&p->stopping, true);
            px__wake_all(p);
            px__threads_join(p);
            return px_error_set(err, PX_ENOMEM, 0, "cannot start the rt scheduler's %s thread: %s",
                                i ? "RT" : "reactor", strerror(rc));
        }
        p->n_threads++;
    }
    return PX_OK;
}

/* p-th percentile (0..100) of the lateness histogram, in ns. */
static px_time px__rt_percentile(const px_pipeline *p, double pc)
{
    if (!p->rt_hist)
        return 0;
    uint64_t total = 0;
    for (size_t i = 0; i < PX__RT_HIST_BUCKETS; i++)
        total += atomic_load_explicit(&p->rt_hist[i], memory_order_relaxed);
    if (!total)
        return 0;
    uint64_t want = (uint64_t)((double)total * pc / 100.0 + 0.5), seen = 0;
    if (want < 1)
        want = 1;
    for (size_t i = 0; i < PX__RT_HIST_BUCKETS; i++) {
        seen += atomic_load_explicit(&p->rt_hist[i], memory_order_relaxed);
        if (seen >= want)
            return (px_time)i * PX_USECOND;
    }
    return (px_time)(PX__RT_HIST_BUCKETS - 1) * PX_USECOND;
}
