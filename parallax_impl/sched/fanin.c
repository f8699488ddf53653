/* Fan-in: elements fed by several upstreams (funnel, input-selector, concat).
 *
 * Under the threads scheduler each source has its own streaming thread, so
 * two threads may push into one element at once. Entry into an element with
 * more than one linked sink pad is serialized by a mutex taken around the
 * element's callback and everything downstream of it, for buffers and EOS:
 * the element and its downstream never run concurrently, and the counters'
 * single-writer rule holds (the mutex orders the writers). Elements with one
 * linked sink pad take no lock. Cost, uncontended: one compare-and-swap to
 * lock and one atomic store to unlock per buffer (glibc's futex mutex makes
 * no syscall unless another thread waits), measured by
 * tests/bench/funnel.sh. Contended, sources take turns: that is the
 * semantics of N->1 anyway. Locks are taken only from upstream to
 * downstream (the graph has no loops), so they cannot deadlock.
 *
 * A fan-in element may answer PX_FLOW_WAIT: "not this pad's turn" (concat
 * plays its pads one after the other). Under threads the pushing thread
 * then waits on the element's condition variable, releasing the lock, and
 * offers the buffer again once the element has handled an event (an EOS
 * wakes it at once); it also wakes every 10 ms to see a stop. The schedulers
 * that step their contexts in turn (coop, and rt's RT thread and reactor,
 * neither of which may sleep on a peer it runs itself) share one "cannot
 * progress now" mechanism instead: the buffer is parked in the element (at
 * most PX__PARK_MAX), the context whose step brought it (px__stepping: a
 * source, or a queue's output side) counts it, and the loop skips that
 * context, and any whose chain meets a full queue so held, until its
 * buffers are taken (px__fanin_blocked); the element offers parked buffers
 * again right after each event it handles. Under rt every element runs on
 * one thread (bridges separate the partitions), so parking and retrying
 * happen on the thread that runs the fan-in element. When every unfinished
 * context of a loop is blocked nothing can make progress and the run fails
 * with an error naming the element, instead of spinning.
 *
 * Downstream arenas of a fan-in element are used by several threads, so
 * px__bind_chain leaves them on the shared (atomic) path. */

static int px__linked_sinks(const px_element *el)
{
    int n = 0;
    for (int i = 0; i < el->n_sink; i++)
        n += el->sink[i].peer != NULL;
    return n;
}

static void px__parked_add(px_element *ctx, int n)
{
    atomic_store_explicit(&ctx->parked, atomic_load_explicit(&ctx->parked, memory_order_relaxed) + n,
                          memory_order_relaxed); /* one writer: the thread running the fan-in element */
    atomic_fetch_add_explicit(&ctx->pipeline->fanin_parked, n, memory_order_relaxed);
}

static int px__fanin_prepare(px_element *el, px_error *err)
{
    el->in_pad = 0;
    atomic_store(&el->parked, 0);
    el->n_park = 0;
    atomic_store(&el->pipeline->fanin_parked, 0);
    el->fanin = px__linked_sinks(el) > 1;
    if (!el->fanin)
        return PX_OK;
    /* Both: the scheduler may still be changed between prepare and start. */
    if (!el->park && !(el->park = PX_MALLOC(PX__PARK_MAX * sizeof *el->park)))
        return px_error_set(err, PX_ENOMEM, 0, "%s: out of memory preparing its sink pads", el->name);
#if CONFIG_PX_SCHED_THREADS
    if (!el->fanin_sync) {
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        int rc = pthread_cond_init(&el->fanin_cond, &ca);
        pthread_condattr_destroy(&ca);
        if (rc == 0 && (rc = pthread_mutex_init(&el->fanin_lock, NULL)) != 0)
            pthread_cond_destroy(&el->fanin_cond);
        if (rc)
            return px_error_set(err, PX_ENOMEM, 0, "%s: cannot make its sink pad lock: %s", el->name, strerror(rc));
        el->fanin_sync = true;
        el->fanin_waiters = 0;
    }
#endif
    return PX_OK;
}

static void px__fanin_release(px_element *el)
{
    for (int i = 0; i < el->n_park; i++) {
        px_buffer_unref(&el->park[i].buf);
        px__parked_add(el->park[i].source, -1);
    }
    el->n_park = 0;
    PX_FREE(el->park);
    el->park = NULL;
#if CONFIG_PX_SCHED_THREADS
    if (el->fanin_sync) {
        pthread_mutex_destroy(&el->fanin_lock);
        pthread_cond_destroy(&el->fanin_cond);
        el->fanin_sync = false;
    }
#endif
    el->fanin = false;
}

/* A buffer told to wait was counted in on delivery: take it off again, so
 * each buffer counts once, when it is taken. */
static px_flow px__fanin_try(px_element *el, int sink_pad, px_buffer *buf)
{
    px_flow r = px__deliver(el, sink_pad, buf);
    if (r == PX_FLOW_WAIT) {
        px__stat_add(&el->stats.buffers_in, (uint64_t)-1);
        px__stat_add(&el->stats.bytes_in, (uint64_t)0 - buf->size);
    }
    return r;
}

/* Offers the parked buffers again, oldest first; those still not wanted
 * stay, in order. */
static void px__fanin_retry_parked(px_element *el)
{
    px_pipeline *p = el->pipeline;
    px_element *was = px__stepping;
    int n = el->n_park;
    el->n_park = 0; /* a delivery below may park again: it appends after kept */
    px__parked pending[PX__PARK_MAX];
    memcpy(pending, el->park, (size_t)n * sizeof *pending);
    for (int i = 0; i < n; i++) {
        px__parked *e = &pending[i];
        if (atomic_load_explicit(&p->stopping, memory_order_relaxed)) {
            px_buffer_unref(&e->buf);
            px__parked_add(e->source, -1);
            continue;
        }
        px__stepping = e->source;
        px_flow r = px__fanin_try(el, e->pad, &e->buf);
        if (r == PX_FLOW_WAIT) {
            el->park[el->n_park++] = *e;
            continue;
        }
        px__parked_add(e->source, -1);
    }
    px__stepping = was;
}

/* A buffer that must wait, under coop and rt: parked on the context whose
 * step brought it, which its loop then skips (px__fanin_blocked). */
static px_flow px__fanin_park(px_element *el, int sink_pad, px_buffer *buf)
{
    px_element *ctx = px__stepping;
    if (!el->park || !ctx || el->n_park == PX__PARK_MAX) {
        px_buffer_unref(buf);
        px_element_error(el, PX_ENOMEM,
                         "more than %d buffers wait for their turn on its sink pads (coop and rt schedulers "
                         "park them); a queue before it or the threads scheduler would hold them",
                         PX__PARK_MAX);
        return PX_FLOW_ERROR;
    }
    el->park[el->n_park++] = (px__parked){*buf, ctx, sink_pad};
    px__parked_add(ctx, 1);
    buf->arena = NULL; /* the park owns it now */
    return PX_FLOW_OK;
}

static px_flow px__fanin_push(px_element *el, int sink_pad, px_buffer *buf)
{
#if CONFIG_PX_SCHED_THREADS
    px_pipeline *p = el->pipeline;
    if (el->fanin_sync && px__effective_scheduler(p) == PX_SCHED_THREADS_RUN) {
        pthread_mutex_lock(&el->fanin_lock);
        px_flow r;
        while ((r = px__fanin_try(el, sink_pad, buf)) == PX_FLOW_WAIT) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_nsec += 10 * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            el->fanin_waiters++;
            pthread_cond_timedwait(&el->fanin_cond, &el->fanin_lock, &ts);
            el->fanin_waiters--;
            if (atomic_load_explicit(&p->stopping, memory_order_relaxed)) { /* stopped while waiting: unwind */
                px_buffer_unref(buf);
                r = PX_FLOW_ERROR;
                break;
            }
        }
        pthread_mutex_unlock(&el->fanin_lock);
        return r;
    }
#endif
    /* Coop, rt: the element runs on one thread, no lock. */
    px_flow r = px__fanin_try(el, sink_pad, buf);
    return r == PX_FLOW_WAIT ? px__fanin_park(el, sink_pad, buf) : r;
}

static void px__fanin_eos(px_element *el, int sink_pad)
{
#if CONFIG_PX_SCHED_THREADS
    if (el->fanin_sync && px__effective_scheduler(el->pipeline) == PX_SCHED_THREADS_RUN) {
        pthread_mutex_lock(&el->fanin_lock);
        px__eos_deliver(el, sink_pad);
        if (el->fanin_waiters) /* whose turn it is may have changed */
            pthread_cond_broadcast(&el->fanin_cond);
        pthread_mutex_unlock(&el->fanin_lock);
        return;
    }
#endif
    px__eos_deliver(el, sink_pad);
    if (el->n_park)
        px__fanin_retry_parked(el);
}

#if CONFIG_PX_SCHED_COOP || CONFIG_PX_SCHED_RT /* the threads scheduler waits in place instead */
static bool px__fanin_blocked(px_element *ctx)
{
    if (!atomic_load_explicit(&ctx->pipeline->fanin_parked, memory_order_relaxed))
        return false; /* the common case: one load per step */
    if (atomic_load_explicit(&ctx->parked, memory_order_relaxed))
        return true;
#if CONFIG_PX_ELEM_QUEUE
    return px__full_queue_below(ctx, true, 0); /* a full queue below whose output is parked */
#else
    return false;
#endif
}

static void px__fanin_stall(px_pipeline *p, int partition)
{
    px_element *stuck = NULL;
    for (size_t i = 0; i < p->n_elements; i++) {
        px_element *el = p->elements[i];
        if (partition >= 0 && (int)el->klass->hints.rt_safe != partition)
            continue; /* run by the other rt thread: not ours to touch */
        if (!el->n_park)
            continue;
        if (!stuck)
            stuck = el;
        if (atomic_load(&p->eos_requested)) { /* finishing: the waiting buffers go */
            for (int j = 0; j < el->n_park; j++) {
                px_buffer_unref(&el->park[j].buf);
                px__parked_add(el->park[j].source, -1);
                px__stat_add(&el->stats.drops, 1);
            }
            el->n_park = 0;
        }
    }
    if (!stuck) { /* cannot happen: counts and parks agree; do not spin on it (coop) */
        if (partition < 0)
            for (size_t i = 0; i < p->n_elements; i++)
                if (atomic_load_explicit(&p->elements[i]->parked, memory_order_relaxed))
                    px__parked_add(p->elements[i], -atomic_load(&p->elements[i]->parked));
        return;
    }
    if (atomic_load(&p->eos_requested))
        return;
    const px__parked *e = &stuck->park[0];
    px_element_error(stuck, PX_EFLOW,
                     "%s waits for its turn, but every source is waiting: nothing can bring the pad "
                     "before it to EOS (is one source linked to two of its pads?)",
                     stuck->sink[e->pad].name);
}
#endif

/* ---- Pad queries for elements ------------------------------------------------ */

PX_API int px_element_input_pad(const px_element *el)
{
    return el->in_pad;
}

PX_API int px_element_sink_pad_count(const px_element *el)
{
    return px__linked_sinks(el);
}

PX_API const char *px_element_pad_name(const px_element *el, px_pad_dir dir, int index)
{
    const px__pad *pads = dir == PX_DIR_SRC ? el->src : el->sink;
    int n = dir == PX_DIR_SRC ? el->n_src : el->n_sink;
    return index >= 0 && index < n ? pads[index].name : NULL;
}

/* The decimal number at the end of a request pad's name; -1 if none. */
static int px__pad_name_number(const char *name)
{
    const char *us = strrchr(name, '_');
    if (!us || !us[1])
        return -1;
    long v = 0;
    for (const char *c = us + 1; *c; c++) {
        if (*c < '0' || *c > '9' || v > INT_MAX / 10)
            return -1;
        v = v * 10 + (*c - '0');
    }
    return v <= INT_MAX ? (int)v : -1;
}

PX_API int px_element_pad_number(const px_element *el, px_pad_dir dir, int index)
{
    const px_pad_template *t = dir == PX_DIR_SRC ? &el->klass->src : &el->klass->sink;
    const char *name = px_element_pad_name(el, dir, index);
    if (!name || t->presence != PX_PAD_ON_REQUEST)
        return -1;
    return px__pad_name_number(name);
}

PX_API int px_element_pad_index(const px_element *el, px_pad_dir dir, int number)
{
    const px__pad *pads = dir == PX_DIR_SRC ? el->src : el->sink;
    int n = dir == PX_DIR_SRC ? el->n_src : el->n_sink;
    for (int i = 0; i < n; i++)
        if (pads[i].peer && px_element_pad_number(el, dir, i) == number)
            return i;
    return -1;
}

PX_API bool px_element_pad_is_eos(const px_element *el, int sink_index)
{
    return sink_index >= 0 && sink_index < el->n_sink && el->sink[sink_index].eos;
}
