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
#include <sys/eventfd.h>
#include <sys/timerfd.h>

#define PX__RT_DEFAULT_PERIOD PX_MSECOND
#define PX__RT_PRIORITY 50
#define PX__RT_CTX_FDS 4         /* poll_fd elements one reactor context waits on */
#define PX__RT_REACTOR_WAIT_MS 50 /* the reactor re-checks stop and pause this often even without a wake */


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
#if CONFIG_PX_ELEM_QUEUE
    return !px__full_queue_below(el, false, 0);
#else
    (void)el;
    return true;
#endif
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
    int n_fd;       /* reactor: fds of poll_fd elements in its chain that epoll accepted */
    uint32_t ready; /* one bit per fd: epoll said ready since the context last ran */
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
            out[n++] = (px__rt_ctx){p->sources[i], false, 0, 0};
    for (size_t i = 0; i < p->n_queues; i++)
        if (px__rt_context_is_rt(p->queues[i]) == rt)
            out[n++] = (px__rt_ctx){p->queues[i], false, 0, 0};
    return n;
}

/* The reactor, about to wait for room or a buffer, does the work of its own
 * queues instead (it may be what it waits for). Only a queue whose chain
 * has room below is served: a service that met a full queue would wait
 * there, nested inside the frame that was already waiting, and if that
 * queue drains only once the outer frame goes on (a concat pad after the
 * one the outer frame feeds) neither ever would. */
static bool px__rt_reactor_relieve(px_pipeline *p)
{
    bool moved = false;
#if CONFIG_PX_ELEM_QUEUE
    for (size_t i = 0; i < p->n_queues; i++) {
        struct px__queue *q = p->queues[i]->queue;
        if (q && q->on_reactor && !atomic_load_explicit(&q->in_flight, memory_order_relaxed) &&
            px__rt_room_below(p->queues[i]))
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
        /* Counted as it starts: the EOS this cycle may bring wakes px_pipeline_wait,
         * whose caller reads the figures before the thread is joined. */
        atomic_store_explicit(&p->rt_cycles, atomic_load_explicit(&p->rt_cycles, memory_order_relaxed) + 1,
                              memory_order_relaxed);
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
        if (moved) /* data or room for the reactor: ring it only if it sleeps */
            px__rt_wake_reactor(p);
        uint64_t work = (uint64_t)(px__now() - now);
        if (work > atomic_load_explicit(&p->rt_cycle_max, memory_order_relaxed))
            atomic_store_explicit(&p->rt_cycle_max, work, memory_order_relaxed);
    }
    close(tfd);
    return NULL;
}

/* ---- The reactor's sleep: epoll on element fds and one eventfd ----------- */

/* Registers the fds of the poll_fd elements el's chain reaches before the
 * next boundary (queues run their own contexts), for context idx. */
static void px__rt_watch_fds(int ep, px__rt_ctx *c, size_t idx, px_element *el, int depth)
{
    if (el->klass->poll_fd && !px__is_isolated(el) && c->n_fd < PX__RT_CTX_FDS) {
        unsigned want = 0;
        int fd = el->klass->poll_fd(el, &want);
        struct epoll_event ev = {.events = want & PX_POLL_OUT ? EPOLLOUT : EPOLLIN,
                                 .data.u64 = (uint64_t)idx << 8 | (uint64_t)c->n_fd};
        /* EPERM: a regular file, which is always ready: it runs without waiting */
        if (fd >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0)
            c->n_fd++;
    }
    for (int i = 0; i < el->n_src && depth < 64; i++) {
        px_element *d = el->src[i].peer;
        if (d && !d->queue)
            px__rt_watch_fds(ep, c, idx, d, depth + 1);
    }
}

/* A context the reactor may run now: its fds (if any) are ready, and a
 * source that blocks on a full queue below skips its turn (it would sleep
 * in the queue; the reactor sleeps in epoll instead, woken by the RT thread). */
static bool px__rt_reactor_may_run(px_pipeline *p, px__rt_ctx *c)
{
    if (atomic_load_explicit(&p->eos_requested, memory_order_relaxed))
        return true; /* sources finish without reading */
    if (c->n_fd && c->ready != (1u << c->n_fd) - 1)
        return false;
    if (!c->el->queue && c->el->flow_policy == PX_FLOW_POLICY_BLOCK && !px__rt_room_below(c->el))
        return false;
    return true;
}

/* After announcing the sleep: whether something arrived that epoll would
 * not report (a queue the RT thread filled, room it made, a stop). */
static bool px__rt_reactor_has_work(px_pipeline *p, px__rt_ctx *ctx, size_t n)
{
    if (atomic_load(&p->stopping) || atomic_load(&p->paused) || atomic_load(&p->eos_requested))
        return true;
    for (size_t i = 0; i < n; i++) {
        px__rt_ctx *c = &ctx[i];
        if (c->done || px__rt_blocked(c))
            continue;
#if CONFIG_PX_ELEM_QUEUE
        if (c->el->queue) {
            struct px__queue *q = c->el->queue;
            if (atomic_load(&q->tail) != atomic_load(&q->head) || atomic_load(&q->eos_in))
                return true;
            continue;
        }
#endif
        if (!c->n_fd && px__rt_reactor_may_run(p, c))
            return true; /* a source with room again */
    }
    return false;
}

static void px__rt_wake_reactor(px_pipeline *p)
{
    px__fence_full(); /* after what it made visible: pairs with the reactor's announce */
    if (atomic_load_explicit(&p->rt_reactor_asleep, memory_order_relaxed) &&
        atomic_exchange(&p->rt_reactor_asleep, 0)) {
        uint64_t one = 1;
        ssize_t w = write(p->rt_wake_fd, &one, sizeof one); /* nonblocking: a full counter is already a wake */
        (void)w;
    }
}

static void px__rt_stop(px_pipeline *p)
{
    if (p->rt_wake_fd >= 0)
        close(p->rt_wake_fd);
    p->rt_wake_fd = -1;
}

/* The reactor: every context outside the RT partition takes turns; when none
 * can move it sleeps in epoll_wait on the fds of its I/O elements
 * (poll_fd) and on the eventfd the RT thread rings after a cycle that moved
 * data while the reactor sleeps, so a flowing stream makes no wake-up
 * syscall; it also wakes every PX__RT_REACTOR_WAIT_MS to see a stop. */
static void *px__rt_reactor(void *arg)
{
    px_pipeline *p = arg;
    px__reactor_self = true;
    px__rt_ctx *ctx = p->rt_ctx + p->n_sources + p->n_queues;
    size_t n = px__rt_contexts(p, ctx, false);
    px__rt_bind(ctx, n);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep >= 0) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = UINT64_MAX};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, p->rt_wake_fd, &ev) != 0) {
            close(ep);
            ep = -1;
        }
    }
    for (size_t i = 0; i < n && ep >= 0; i++) {
        px_element *el = ctx[i].el;
        if (!el->queue)
            px__rt_watch_fds(ep, &ctx[i], i, el, 0);
        else /* a queue's output side: the chain it feeds */
            for (int j = 0; j < el->n_src; j++)
                if (el->src[j].peer && !el->src[j].peer->queue)
                    px__rt_watch_fds(ep, &ctx[i], i, el->src[j].peer, 0);
    }
    for (size_t left = n; left > 0;) {
        if (!px__pause_point(p))
            break;
        bool moved = false, waiting_fd = false;
        size_t parked = 0;
        left = 0;
        for (size_t i = 0; i < n; i++) {
            px__rt_ctx *c = &ctx[i];
            if (!c->done && !px__rt_reactor_may_run(p, c)) {
                left++;
                waiting_fd |= c->n_fd > 0;
                continue;
            }
            moved |= px__rt_turn(c, 1, false, &parked);
            c->ready = 0; /* level-triggered: the next epoll_wait says again what is still ready */
            left += !c->done;
            waiting_fd |= c->n_fd > 0 && !c->done;
        }
#if CONFIG_PX_FANIN
        if (!moved && parked && parked == left) /* every context waits in a fan-in element */
            px__fanin_stall(p, 0);
#endif
        if (!left)
            break;
        if (moved && !waiting_fd)
            continue; /* streaming: no syscall */
        int timeout = 0;
        if (!moved) { /* announce, then look once more: the RT thread rings only a sleeper */
            atomic_store(&p->rt_reactor_asleep, 1);
            timeout = px__rt_reactor_has_work(p, ctx, n) ? 0 : PX__RT_REACTOR_WAIT_MS;
        }
        struct epoll_event evs[16];
        int k = ep >= 0 ? epoll_wait(ep, evs, 16, timeout) : -1;
        atomic_store(&p->rt_reactor_asleep, 0);
        if (k < 0 && timeout > 0 && ep < 0) { /* no epoll: sleep a little instead */
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
        for (int i = 0; i < k; i++) {
            uint64_t d = evs[i].data.u64;
            if (d == UINT64_MAX) {
                uint64_t count;
                ssize_t r = read(p->rt_wake_fd, &count, sizeof count); /* nonblocking: drains the rings */
                (void)r;
            } else if ((d >> 8) < n) {
                ctx[d >> 8].ready |= 1u << (d & 0xff);
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
    px__rt_stop(p); /* a run that was not stopped */
    p->rt_wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (p->rt_wake_fd < 0)
        return px_error_set(err, PX_EIO, 0, "rt: cannot create the reactor's wake-up eventfd: %s", strerror(errno));
    atomic_store(&p->rt_reactor_asleep, 0);
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
