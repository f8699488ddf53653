/* Cooperative scheduling: inside px_pipeline_wait(), on the caller's thread,
 * every source takes a turn (one buffer each), then every queue passes one
 * buffer on, in pipeline order: a deterministic round robin. No threads. A
 * full queue is serviced by the source that finds it full. */

static void px__coop_drive(px_pipeline *p, int timeout_ms)
{
    px_time deadline = timeout_ms < 0 ? INT64_MAX : px__now() + (px_time)timeout_ms * PX_MSECOND;
    for (unsigned round = 0;; round++) {
        if (atomic_load_explicit(&p->paused, memory_order_relaxed))
            return;
        bool any = false, parked = false; /* a finished source has its eos flag set */
        for (size_t i = 0; i < p->n_sources; i++) {
            px_element *src = p->sources[i];
            if (atomic_load_explicit(&src->stats.eos, memory_order_relaxed))
                continue;
#if CONFIG_PX_FANIN
            if (px__fanin_blocked(src)) { /* its buffer waits for its turn in a fan-in element (fanin.c) */
                parked = true;
                continue;
            }
            px__stepping = src;
#endif
            if (px__source_step(src))
                any = true;
            else
                atomic_store_explicit(&src->stats.eos, true, memory_order_relaxed);
        }
        bool moved = any; /* a buffer went somewhere this round */
#if CONFIG_PX_ELEM_QUEUE
        for (size_t i = 0; i < p->n_queues; i++) {
            px_element *q = p->queues[i];
#if CONFIG_PX_FANIN
            if (px__fanin_blocked(q)) { /* its output waits for its turn in a fan-in element */
                parked = true;
                continue;
            }
#endif
            int r = px__queue_service(q);
            if (r >= 0) /* 0: waiting for data a source still owes */
                any = true;
            if (r > 0)
                moved = true;
        }
#endif
#if CONFIG_PX_FANIN
        px__stepping = NULL;
        if (!moved && parked) { /* every context waits: drop at an EOS request, else an error */
            px__fanin_stall(p, -1);
            if (p->bus_count > 0)
                return;
            continue;
        }
#else
        (void)parked; /* nothing parks without fan-in */
        (void)moved;
#endif
        if (!any || p->bus_count > 0)
            return;
        if (round % 64 == 0 && px__now() >= deadline) /* the clock is cheap, but not free */
            return;
    }
}
