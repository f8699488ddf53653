/* Cooperative scheduling: every source takes turns on the caller's thread,
 * one buffer each, inside px_pipeline_wait(). No threads, deterministic. */

static void px__coop_drive(px_pipeline *p, int timeout_ms)
{
    px_time deadline = timeout_ms < 0 ? INT64_MAX : px__now() + (px_time)timeout_ms * PX_MSECOND;
    for (unsigned round = 0;; round++) {
        bool any = false, parked = false; /* a finished source has its eos flag set */
        for (size_t i = 0; i < p->n_sources; i++) {
            px_element *src = p->sources[i];
            if (atomic_load_explicit(&src->stats.eos, memory_order_relaxed))
                continue;
            if (src->parked) { /* its buffer waits for its turn in a fan-in element (fanin.c) */
                parked = true;
                continue;
            }
            p->coop_source = src;
            if (px__source_step(src))
                any = true;
            else
                atomic_store_explicit(&src->stats.eos, true, memory_order_relaxed);
        }
        p->coop_source = NULL;
#if CONFIG_PX_FANIN
        if (!any && parked) { /* every source waits: drop at an EOS request, else an error */
            px__fanin_coop_stall(p);
            if (p->bus_count > 0)
                return;
            continue;
        }
#else
        (void)parked; /* nothing parks without fan-in */
#endif
        if (!any || p->bus_count > 0)
            return;
        if (round % 64 == 0 && px__now() >= deadline) /* the clock is cheap, but not free */
            return;
    }
}
