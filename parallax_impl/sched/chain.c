/* Push chains: a source's buffer runs through everything downstream of it on
 * the calling thread, element by element, until a sink consumes it. Shared by
 * every scheduler; nothing here allocates, locks or makes a syscall, except
 * waiting for a free slot when an arena is exhausted. */

/* Makes the calling thread home of the arenas it will stream through, so
 * their buffers cycle without atomic read-modify-writes. Elements fed by
 * several pads may be driven by several threads: they keep the shared path. */
static void px__bind_chain(px_element *el)
{
    int linked = 0;
    for (int i = 0; i < el->n_sink; i++)
        linked += el->sink[i].peer != NULL;
    if (linked > 1 || el->queue) /* a queue's output side binds its own chain */
        return;
    if (el->out_arena)
        px_arena_bind_thread(el->out_arena);
    for (int i = 0; i < el->n_src; i++)
        if (el->src[i].peer)
            px__bind_chain(el->src[i].peer);
}

/* Slots of el's arena held past a thread boundary: in queues it feeds, or
 * in flight on their output threads. Waiting for those is backpressure. */
static uint32_t px__held_downstream(const px_element *el)
{
    uint32_t n = 0;
#if CONFIG_PX_ELEM_QUEUE
    const px_pipeline *p = el->pipeline;
    for (size_t i = 0; i < p->n_queues; i++)
        n += px__queue_holding(p->queues[i], el);
#else
    (void)el;
#endif
    return n;
}

/* Takes an output slot. Buffers held by queues (or by their output threads)
 * come back: waiting for them is backpressure, as long as it lasts. Without
 * a thread boundary every element downstream runs on this thread and
 * releases what it was given before the chain returns, so an exhausted arena
 * means an element kept buffers: after a short grace (for a sink on another
 * thread that is just letting go) it is an error naming the arena. Under
 * coop, the queues are serviced here to make room. */
static int px__acquire_output(px_element *el, px_buffer *out)
{
    int rc;
    unsigned tries = 0;
    while ((rc = px_buffer_alloc(el->out_arena, out)) == PX_EAGAIN) {
        px_pipeline *p = el->pipeline;
        if (atomic_load_explicit(&p->stopping, memory_order_relaxed))
            return PX_ESTATE;
        if (px__effective_scheduler(p) == PX_SCHED_COOP_RUN) {
            bool moved = false;
#if CONFIG_PX_ELEM_QUEUE
            for (size_t i = 0; i < p->n_queues && !moved; i++)
                moved = px__queue_holding(p->queues[i], el) && px__queue_service(p->queues[i]) > 0;
#endif
            if (moved)
                continue;
            break;
        }
        bool held = px__held_downstream(el) > 0;
#if CONFIG_PX_SCHED_RT
        if (held && px__reactor_self && px__rt_reactor_relieve(p))
            continue; /* the holder may be a queue only this thread drains */
#endif
        if (held)
            tries = 0;
        else if (++tries > 100)
            break;
        struct timespec ts = {0, held ? 100000 : 20000};
        nanosleep(&ts, NULL);
    }
    if (rc)
        px_element_error(el, PX_ENOMEM,
                         "no free buffer in its %u-slot arena: something downstream keeps every buffer",
                         px_arena_slot_count(el->out_arena));
    return rc;
}

#if CONFIG_PX_ELEM_QUEUE && (CONFIG_PX_SCHED_RT || (CONFIG_PX_FANIN && CONFIG_PX_SCHED_COOP))
/* Whether the chain below el reaches, before another boundary, a queue that
 * is full (and, with only_parked, whose output side is parked in a fan-in
 * element): a step of el would wait there. For the schedulers that must
 * not wait (rt) or cannot (a parked queue under coop, rt). */
static bool px__full_queue_below(px_element *el, bool only_parked, int depth)
{
    for (int i = 0; i < el->n_src; i++) {
        px_element *d = el->src[i].peer;
        if (!d)
            continue;
        if (d->queue) {
            if ((!only_parked || atomic_load_explicit(&d->parked, memory_order_relaxed)) && !px__queue_has_room(d))
                return true;
            continue;
        }
        if (depth < 64 && px__full_queue_below(d, only_parked, depth + 1)) /* a loop cannot be linked */
            return true;
    }
    return false;
}
#endif

/* Sends buf out of el's src pad out_pad (or every pad); ownership passes. */
static px_flow px__route(px_element *el, int out_pad, px_buffer *buf)
{
    px__stat_add(&el->stats.buffers_out, 1);
    px__stat_add(&el->stats.bytes_out, buf->size);
    if (out_pad != PX_PAD_ALL) {
        if (out_pad < 0 || out_pad >= el->n_src || !el->src[out_pad].peer) {
            px_buffer_unref(buf);
            px_element_error(el, PX_ELINK, "pushed on src pad %d, which is not linked", out_pad);
            return PX_FLOW_ERROR;
        }
        px__pad *pad = &el->src[out_pad];
        px_flow r = px__push(pad->peer, pad->peer_pad, buf);
        if (r == PX_FLOW_EOS)
            pad->done = true;
        return r;
    }
    /* Fan-out (tee): one reference per live branch; EOS only when all are done. */
    int last = -1;
    for (int i = 0; i < el->n_src; i++)
        if (el->src[i].peer && !el->src[i].done)
            last = i;
    if (last < 0) {
        px_buffer_unref(buf);
        px__stat_add(&el->stats.drops, 1);
        return px_element_src_pad_count(el) ? PX_FLOW_EOS : PX_FLOW_OK;
    }
    for (int i = 0; i <= last; i++) {
        px__pad *pad = &el->src[i];
        if (!pad->peer || pad->done)
            continue;
        px_buffer copy = *buf;
        if (i != last)
            px_buffer_ref(&copy);
        px_flow r = px__push(pad->peer, pad->peer_pad, &copy);
        if (r == PX_FLOW_EOS)
            pad->done = true;
        else if (r == PX_FLOW_ERROR) {
            if (i != last)
                px_buffer_unref(buf);
            return r;
        }
    }
    for (int i = 0; i < el->n_src; i++)
        if (el->src[i].peer && !el->src[i].done)
            return PX_FLOW_OK;
    return PX_FLOW_EOS;
}

/* The element a filter's output goes to next when it can run in the same
 * frame: a plain in-place filter on src pad 0 (no fan-in, queue, chain(),
 * pass-through or proxy), which px__push would reach through px__route and
 * px__push_filter anyway. */
static inline px_element *px__inline_next(const px_element *el)
{
    if (el->n_src < 1 || !el->src[0].peer)
        return NULL;
    px_element *n = el->src[0].peer;
    const px_element_class *k = n->klass;
    if (!k->process || !k->in_place || k->chain || n->passthrough || n->fanin)
        return NULL;
#if CONFIG_PX_ELEM_QUEUE
    if (n->queue)
        return NULL;
#endif
    return n;
}

#define PX__INLINE_RUN 32 /* filters run in one frame before the chain recurses again */

/* A filter's step, kept out of line: its px_frame is large, and inlined into
 * px__push it would make every sink call pay for saving it. A run of
 * in-place filters after it goes through the same frame in a loop, with what
 * px__route and px__deliver_inline would do between them (counters, the
 * input pad, the timing sample) and no copy of the frame or call chain per
 * element; whatever comes after the run is routed as usual, and an EOS that
 * comes back marks every pad of the run done, as the recursion would. */
static PX__NOINLINE px_flow px__push_filter(px_element *el, px_buffer *buf, bool timed)
{
    if (el->passthrough)
        return px__route(el, 0, buf);
    px_frame f;
    f.in = *buf;
    f.out = *buf;
    px__pad *run[PX__INLINE_RUN];
    int n_run = 0;
    px_flow r;
    for (;;) {
        const px_element_class *k = el->klass;
        px_time t0 = timed ? px__now() : 0;
        f.out_pad = 0;
        if (!k->in_place) {
            px_buffer slot;
            if (px__acquire_output(el, &slot)) {
                px_buffer_unref(&f.in);
                r = PX_FLOW_ERROR;
                break;
            }
            /* Metadata carries over from the input; data and size are the element's. */
            f.out.arena = slot.arena;
            f.out.slot = slot.slot;
            f.out.data = slot.data;
            f.out.capacity = slot.capacity;
            f.out.size = 0;
        }
        r = k->process(el, &f);
#if CONFIG_PX_FANIN
        if (r == PX_FLOW_WAIT) {
            if (!k->in_place)
                px_buffer_unref(&f.out);
            if (n_run == 0)
                return r; /* not its turn (fan-in): the caller keeps the input */
            /* only fan-in elements may wait (as px__push says) */
            px_buffer_unref(&f.in);
            px_element_error(el, PX_EFLOW, "returned PX_FLOW_WAIT but has only one linked sink pad");
            r = PX_FLOW_ERROR;
            break;
        }
#endif
        if (!k->in_place)
            px_buffer_unref(&f.in);
        if (timed)
            px__stat_add(&el->stats.process_ns, (uint64_t)(px__now() - t0) * PX__TIMING_SAMPLE);
        if (r == PX_FLOW_DROP) {
            px_buffer_unref(&f.out);
            px__stat_add(&el->stats.drops, 1);
            r = PX_FLOW_OK;
            break;
        }
        if (r != PX_FLOW_OK) { /* EOS or ERROR */
            px_buffer_unref(&f.out);
            break;
        }
        px_element *next = f.out_pad == 0 && n_run < PX__INLINE_RUN ? px__inline_next(el) : NULL;
        if (!next) {
            r = px__route(el, f.out_pad, &f.out);
            break;
        }
        /* px__route, then px__deliver_inline, for next */
        px__pad *pad = &el->src[0];
        px__stat_add(&el->stats.buffers_out, 1);
        px__stat_add(&el->stats.bytes_out, f.out.size);
        run[n_run++] = pad;
        el = next;
        if (el->in_pad != pad->peer_pad)
            el->in_pad = pad->peer_pad;
        timed = f.out.sequence % PX__TIMING_SAMPLE == 0;
        px__stat_add(&el->stats.buffers_in, 1);
        px__stat_add(&el->stats.bytes_in, f.out.size);
        f.in = f.out;
    }
    if (r == PX_FLOW_EOS)
        for (int i = 0; i < n_run; i++)
            run[i]->done = true;
    return r;
}

/* A sink's sampled latency: running time now minus the buffer's timestamp
 * (live sources stamp buffers with running time; others have no pts, or
 * run ahead of the clock and are not counted). */
static PX__NOINLINE void px__sample_latency(px_element *el, const px_buffer *buf)
{
    px_pipeline *p = el->pipeline;
    if (buf->pts == PX_TIME_NONE || !p->start_ns)
        return;
    px_time lat = px__now() - p->start_ns - p->paused_total - buf->pts;
    if (lat < 0)
        return;
    px__stat_add(&el->stats.latency_ns, (uint64_t)lat);
    px__stat_add(&el->stats.latency_samples, 1);
    if ((uint64_t)lat > atomic_load_explicit(&el->stats.latency_max_ns, memory_order_relaxed))
        atomic_store_explicit(&el->stats.latency_max_ns, (uint64_t)lat, memory_order_relaxed);
}

#if defined(__GNUC__) && !defined(__OPTIMIZE_SIZE__) /* -Os: one shared copy */
#define PX__ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define PX__ALWAYS_INLINE inline
#endif
static PX__ALWAYS_INLINE px_flow px__deliver_inline(px_element *el, int sink_pad, px_buffer *buf);

static px_flow px__push(px_element *el, int sink_pad, px_buffer *buf)
{
#if CONFIG_PX_FANIN
    if (el->fanin) /* several upstreams: serialized, and PX_FLOW_WAIT handled (fanin.c) */
        return px__fanin_push(el, sink_pad, buf);
    px_flow r = px__deliver_inline(el, sink_pad, buf);
    if (r == PX_FLOW_WAIT) { /* only fan-in elements may wait: one pad is always its turn */
        px_buffer_unref(buf);
        px_element_error(el, PX_EFLOW, "returned PX_FLOW_WAIT but has only one linked sink pad");
        return PX_FLOW_ERROR;
    }
    return r;
#else
    return px__deliver_inline(el, sink_pad, buf); /* PX_FLOW_WAIT needs CONFIG_PX_FANIN */
#endif
}

/* Runs el on buf. PX_FLOW_WAIT (fan-in only) leaves buf with the caller;
 * anything else took it.
 * Inlined into px__push: the common path pays no extra call for fan-in. */
#if CONFIG_PX_FANIN
static px_flow px__deliver(px_element *el, int sink_pad, px_buffer *buf)
{
    return px__deliver_inline(el, sink_pad, buf);
}
#endif

static PX__ALWAYS_INLINE px_flow px__deliver_inline(px_element *el, int sink_pad, px_buffer *buf)
{
    if (el->in_pad != sink_pad) /* a store per buffer would keep the line moving to a queue's output thread */
        el->in_pad = sink_pad;
    bool timed = buf->sequence % PX__TIMING_SAMPLE == 0;
    px__stat_add(&el->stats.buffers_in, 1); /* a buffer told to wait is taken off again (fanin.c) */
    px__stat_add(&el->stats.bytes_in, buf->size);
#if CONFIG_PX_ELEM_QUEUE
    if (el->queue)
        return px__queue_push(el, buf);
#endif
    if (el->klass->chain) {
        px_time t0 = timed ? px__now() : 0;
        px_flow r = el->klass->chain(el, buf);
#if CONFIG_PX_FANIN
        if (r == PX_FLOW_WAIT)
            return r;
#endif
        px_buffer_unref(buf);
        if (timed)
            px__stat_add(&el->stats.process_ns, (uint64_t)(px__now() - t0) * PX__TIMING_SAMPLE);
        return r == PX_FLOW_DROP ? PX_FLOW_OK : r;
    }
    if (!el->klass->consume)
        return px__push_filter(el, buf, timed);

    if (timed)
        px__sample_latency(el, buf);
    px_time t0 = timed ? px__now() : 0;
    px_flow r = el->klass->consume(el, buf);
    px_buffer_unref(buf);
    if (timed)
        px__stat_add(&el->stats.process_ns, (uint64_t)(px__now() - t0) * PX__TIMING_SAMPLE);
    return r == PX_FLOW_DROP ? PX_FLOW_OK : r;
}

/* EOS travels like data; an element passes it on once every linked sink
 * pad has seen it, and a sink that gets it may complete the pipeline. */
static void px__send_eos(px_element *el, int sink_pad)
{
#if CONFIG_PX_FANIN
    if (el->fanin) {
        px__fanin_eos(el, sink_pad);
        return;
    }
#endif
    px__eos_deliver(el, sink_pad);
}

/* Sends EOS out of el (once): completes a sink, else goes to src pad
 * src_pad or every linked one. */
static void px__eos_forward(px_element *el, int src_pad)
{
    if (el->eos_sent)
        return;
    el->eos_sent = true;
    atomic_store_explicit(&el->stats.eos, true, memory_order_relaxed);
    PX_DEBUG("pipeline", "%s: EOS", el->name);
    px_pipeline *p = el->pipeline;
    if (el->klass->consume) {
        if (atomic_fetch_sub(&p->sinks_pending, 1) == 1 && !atomic_exchange(&p->eos_posted, true)) {
            p->end_ns = px__now();
            px__bus_post(p, PX_MSG_EOS, 0, "pipeline", "end of stream");
        }
        return;
    }
    for (int i = 0; i < el->n_src; i++)
        if (el->src[i].peer && (src_pad == PX_PAD_ALL || src_pad == i))
            px__send_eos(el->src[i].peer, el->src[i].peer_pad);
}

/* Each sink pad's EOS counts once; eos_per_pad elements see every one and
 * forward themselves (px_element_push_eos), others once all pads are EOS. */
static void px__eos_deliver(px_element *el, int sink_pad)
{
    if (sink_pad >= 0 && sink_pad < el->n_sink) {
        if (el->sink[sink_pad].eos)
            return;
        el->sink[sink_pad].eos = true;
    }
    el->in_pad = sink_pad;
    int linked = 0;
    for (int i = 0; i < el->n_sink; i++)
        linked += el->sink[i].peer != NULL;
    bool all = ++el->eos_pads >= linked;
    if (!all && !el->klass->eos_per_pad)
        return;
#if CONFIG_PX_ELEM_QUEUE
    if (el->queue) { /* behind the data; the output side forwards it once drained */
        atomic_store_explicit(&el->stats.eos, true, memory_order_relaxed);
        px__queue_eos(el);
        return;
    }
#endif
    if (el->klass->event && !el->eos_sent) {
        px_event ev = {PX_EVENT_EOS};
        int rc = el->klass->event(el, &ev);
        if (rc)
            px_element_error(el, rc, "failed to handle EOS: %s", px_status_str(rc));
    }
    if (!el->klass->eos_per_pad)
        px__eos_forward(el, PX_PAD_ALL);
}

PX_API void px_element_push_eos(px_element *el, int src_pad)
{
    if (el)
        px__eos_forward(el, src_pad);
}

/* Without sinks (a tee with allow-not-linked and no branch), the pipeline
 * is at its end once every source is. */
static void px__source_finish(px_element *src)
{
    atomic_store_explicit(&src->stats.eos, true, memory_order_relaxed); /* before the sinks can post EOS */
    for (int i = 0; i < src->n_src; i++)
        if (src->src[i].peer)
            px__send_eos(src->src[i].peer, src->src[i].peer_pad);
    px_pipeline *p = src->pipeline;
    if (atomic_fetch_sub(&p->sources_pending, 1) == 1 && p->n_sinks == 0 &&
        !atomic_exchange(&p->eos_posted, true))
        px__bus_post(p, PX_MSG_EOS, 0, "pipeline", "end of stream");
}

static bool px__source_step(px_element *src)
{
    px_pipeline *p = src->pipeline;
    if (atomic_load_explicit(&p->paused, memory_order_relaxed) && !px__pause_point(p))
        return false;
    if (atomic_load_explicit(&p->stopping, memory_order_relaxed))
        return false;
    if (atomic_load_explicit(&p->eos_requested, memory_order_relaxed)) {
        px__source_finish(src);
        return false;
    }
    px_buffer buf;
    if (px__acquire_output(src, &buf))
        return false;
    buf.sequence = src->sequence++;
    bool timed = buf.sequence % PX__TIMING_SAMPLE == 0;
    px_time t0 = timed ? px__now() : 0;
    px_flow r = src->klass->produce(src, &buf);
    if (timed)
        px__stat_add(&src->stats.process_ns, (uint64_t)(px__now() - t0) * PX__TIMING_SAMPLE);
    switch (r) {
    case PX_FLOW_OK:
        r = px__route(src, 0, &buf);
        if (r == PX_FLOW_OK)
            return true;
        if (r == PX_FLOW_EOS) /* everything downstream is done */
            px__source_finish(src);
        return false;
    case PX_FLOW_DROP:
        px_buffer_unref(&buf);
        px__stat_add(&src->stats.drops, 1);
        return true;
    case PX_FLOW_EOS:
        px_buffer_unref(&buf);
        px__source_finish(src);
        return false;
    default:
        px_buffer_unref(&buf);
        if (!atomic_load(&p->error_posted) && !atomic_load(&p->stopping))
            px_element_error(src, PX_EFLOW, "failed to produce a buffer");
        return false;
    }
}

/* ---- For chain() elements ---------------------------------------------------- */

PX_API int px_element_alloc_output(px_element *el, px_buffer *out)
{
#if CONFIG_PX_ISOLATE
    if (px__child.active) /* an element process: the supervisor lends the slot */
        return el && out ? px__child_alloc_output(el, out) : PX_EINVAL;
#endif
    if (!el || !out || !el->out_arena)
        return PX_EINVAL;
    int rc = px__acquire_output(el, out);
    return rc == PX_ESTATE ? PX_EAGAIN : rc;
}

PX_API px_flow px_element_push(px_element *el, int src_pad, px_buffer *buf)
{
    if (!el || !buf || !buf->arena)
        return PX_FLOW_ERROR;
#if CONFIG_PX_ISOLATE
    if (px__child.active)
        return px__child_push(el, src_pad, buf);
#endif
    buf->sequence = el->sequence++;
    return px__route(el, src_pad, buf);
}

/* ---- Pause and wake-ups ---------------------------------------------------- */

static void px__wake_all(px_pipeline *p)
{
#if CONFIG_PX_SCHED_THREADS
    atomic_fetch_add(&p->run_seq, 1);
    px__futex_wake_on(&p->run_seq, false);
#if CONFIG_PX_ELEM_QUEUE
    for (size_t i = 0; i < p->n_queues; i++)
        px__queue_wake(p->queues[i]);
#endif
#if CONFIG_PX_SCHED_RT
    px__rt_wake_reactor(p);
#endif
#else
    (void)p;
#endif
}

/* A streaming context (source or queue output) stops here while paused:
 * between buffers, so nothing is lost or produced twice. */
static bool px__pause_point(px_pipeline *p)
{
#if CONFIG_PX_SCHED_THREADS
    if (atomic_load_explicit(&p->paused, memory_order_acquire) && px__effective_scheduler(p) != PX_SCHED_COOP_RUN) {
        atomic_fetch_add(&p->parked, 1);
        for (;;) {
            uint32_t seq = atomic_load(&p->run_seq);
            if (!atomic_load(&p->paused) || atomic_load(&p->stopping))
                break;
            px__futex_wait_on(&p->run_seq, seq, 100, false);
        }
        atomic_fetch_sub(&p->parked, 1);
    }
#endif
    return !atomic_load_explicit(&p->stopping, memory_order_relaxed);
}

/* ---- For elements that wait or watch ------------------------------------------ */

PX_API struct px_pipeline *px_element_get_pipeline(const px_element *el)
{
    return el->pipeline;
}

PX_API int px_element_wait_until(px_element *el, px_time running_time)
{
    px_pipeline *p = el->pipeline;
    px_time target = p->start_ns + running_time;
    for (;;) {
        if (atomic_load_explicit(&p->stopping, memory_order_relaxed))
            return PX_ESTATE;
        if (atomic_load_explicit(&p->eos_requested, memory_order_relaxed))
            return PX_OK; /* finishing: let the buffer go now */
        px_time now = px__now();
        if (now >= target)
            return PX_OK;
        px_time step = target - now < 10 * PX_MSECOND ? target - now : 10 * PX_MSECOND;
        struct timespec ts = {(time_t)(step / PX_SECOND), (long)(step % PX_SECOND)};
        nanosleep(&ts, NULL);
    }
}
