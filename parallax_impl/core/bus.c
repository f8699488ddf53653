/* The bus: a fixed ring of messages (EOS, errors, warnings, state changes).
 * Messages are rare, so a mutex is fine here; nothing per buffer posts. When
 * the ring is full the oldest message is dropped and counted, except that an
 * EOS or error is never the one dropped. */

static void px__bus_lock(px_pipeline *p)
{
#if CONFIG_PX_SCHED_THREADS
    pthread_mutex_lock(&p->bus_lock);
#else
    (void)p;
#endif
}

static void px__bus_unlock(px_pipeline *p)
{
#if CONFIG_PX_SCHED_THREADS
    pthread_cond_broadcast(&p->bus_cond);
    pthread_mutex_unlock(&p->bus_lock);
#else
    (void)p;
#endif
}

static void px__bus_init(px_pipeline *p)
{
#if CONFIG_PX_SCHED_THREADS
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->bus_cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&p->bus_lock, NULL);
#else
    (void)p;
#endif
}

static void px__bus_fini(px_pipeline *p)
{
#if CONFIG_PX_SCHED_THREADS
    pthread_cond_destroy(&p->bus_cond);
    pthread_mutex_destroy(&p->bus_lock);
#else
    (void)p;
#endif
}

static px_message *px__bus_slot(px_pipeline *p)
{
    if (p->bus_count == PX__BUS_CAPACITY) {
        size_t victim = p->bus_head; /* oldest that is not EOS or error */
        for (size_t i = 0; i < p->bus_count; i++) {
            size_t at = (p->bus_head + i) % PX__BUS_CAPACITY;
            if (p->bus[at].type != PX_MSG_EOS && p->bus[at].type != PX_MSG_ERROR) {
                victim = at;
                break;
            }
        }
        for (size_t at = victim; at != p->bus_head;) { /* close the gap */
            size_t prev = (at + PX__BUS_CAPACITY - 1) % PX__BUS_CAPACITY;
            p->bus[at] = p->bus[prev];
            at = prev;
        }
        p->bus_head = (p->bus_head + 1) % PX__BUS_CAPACITY;
        p->bus_count--;
        p->bus_dropped++;
    }
    px_message *m = &p->bus[(p->bus_head + p->bus_count++) % PX__BUS_CAPACITY];
    memset(m, 0, offsetof(px_message, text) + 1);
    return m;
}

static void px__bus_post(px_pipeline *p, px_message_type type, int code, const char *source, const char *fmt, ...)
{
    px__bus_lock(p);
    px_message *m = px__bus_slot(p);
    m->type = type;
    m->code = code;
    px__strlcpy(m->source, source, sizeof m->source);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->text, sizeof m->text, fmt, ap);
    va_end(ap);
    m->old_state = m->new_state = (px_state)atomic_load(&p->state);
    px__bus_unlock(p);
}

static void px__bus_post_state(px_pipeline *p, px_state old_state, px_state new_state)
{
    px__bus_lock(p);
    px_message *m = px__bus_slot(p);
    m->type = PX_MSG_STATE_CHANGED;
    px__strlcpy(m->source, "pipeline", sizeof m->source);
    snprintf(m->text, sizeof m->text, "state changed from %s to %s", px_state_name(old_state),
             px_state_name(new_state));
    m->old_state = old_state;
    m->new_state = new_state;
    px__bus_unlock(p);
}

static bool px__bus_take(px_pipeline *p, px_message *msg)
{
    if (p->bus_count == 0)
        return false;
    *msg = p->bus[p->bus_head];
    p->bus_head = (p->bus_head + 1) % PX__BUS_CAPACITY;
    p->bus_count--;
    if (msg->type == PX_MSG_EOS || msg->type == PX_MSG_ERROR) { /* how the run ended, whoever takes it */
        p->result.code = msg->type == PX_MSG_EOS ? PX_OK : msg->code ? msg->code : PX_EFLOW;
        px__strlcpy(p->result.message, msg->type == PX_MSG_EOS ? "" : msg->text, sizeof p->result.message);
        p->result_ready = true;
    }
    return true;
}

/* The run's end was taken off the bus (by a wait or px_pipeline_pop_message). */
static bool px__bus_result_taken(px_pipeline *p)
{
    px__bus_lock(p);
    bool taken = p->result_ready;
    px__bus_unlock(p);
    return taken;
}

#if CONFIG_PX_STATS_PERIODIC
/* Periodic stats: made by whoever pops the bus, when one is due; returns
 * how long (ms) until the next, capping timeout_ms. */
static int px__bus_stats_due(px_pipeline *p, int timeout_ms)
{
    if (!p->stats_interval || atomic_load(&p->state) != PX_STATE_RUNNING)
        return timeout_ms;
    px_time now = px__now();
    if (!p->next_stats)
        p->next_stats = now + p->stats_interval;
    if (now >= p->next_stats) {
        px_pipeline_stats s;
        px_pipeline_get_stats(p, &s);
        double secs = (double)s.running_time / 1e9;
        px__bus_post(p, PX_MSG_STATS, 0, "pipeline",
                     "running %.3f s: %llu buffers at sinks (%.0f/s), %llu drops, arenas %.0f%% used (peak %.0f%%)",
                     secs, (unsigned long long)s.buffers_in_sinks, secs > 0 ? (double)s.buffers_in_sinks / secs : 0.0,
                     (unsigned long long)s.drops, s.arena_utilization * 100.0, s.arena_peak * 100.0);
        while (p->next_stats <= now)
            p->next_stats += p->stats_interval;
    }
    int until = (int)((p->next_stats - now + PX_MSECOND - 1) / PX_MSECOND);
    return timeout_ms < 0 || until < timeout_ms ? until : timeout_ms;
}

#endif

PX_API int px_pipeline_pop_message(px_pipeline *p, px_message *msg, int timeout_ms)
{
    if (!p || !msg)
        return PX_EINVAL;
#if !CONFIG_PX_STATS_PERIODIC
    return px__bus_pop(p, msg, timeout_ms); /* no stats messages to make */
#else
    px_time deadline = timeout_ms < 0 ? 0 : px__now() + (px_time)timeout_ms * PX_MSECOND;
    for (;;) {
        int wait_ms = px__bus_stats_due(p, timeout_ms);
        int rc = px__bus_pop(p, msg, wait_ms);
        if (rc == PX_OK || wait_ms == timeout_ms)
            return rc;
        if (timeout_ms >= 0) { /* woke for a stats message that is due: keep to the caller's limit */
            px_time rest = deadline - px__now();
            if (rest <= 0)
                return px__bus_pop(p, msg, 0);
            timeout_ms = (int)((rest + PX_MSECOND - 1) / PX_MSECOND);
        }
    }
#endif
}

static int px__bus_pop(px_pipeline *p, px_message *msg, int timeout_ms)
{
#if CONFIG_PX_SCHED_COOP
    if (atomic_load(&p->state) == PX_STATE_RUNNING && px__effective_scheduler(p) == PX_SCHED_COOP_RUN) {
        px__bus_lock(p);
        bool have = p->bus_count > 0;
        px__bus_unlock(p);
        if (!have)
            px__coop_drive(p, timeout_ms);
    }
#endif
    px__bus_lock(p);
    bool got = px__bus_take(p, msg);
#if CONFIG_PX_SCHED_THREADS
    if (!got && timeout_ms != 0) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += timeout_ms / 1000;
        ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        while (!(got = px__bus_take(p, msg))) {
            int rc = timeout_ms < 0 ? pthread_cond_wait(&p->bus_cond, &p->bus_lock)
                                    : pthread_cond_timedwait(&p->bus_cond, &p->bus_lock, &ts);
            if (rc == ETIMEDOUT)
                break;
        }
    }
#endif
    px__bus_unlock(p);
    return got ? PX_OK : PX_ETIMEDOUT;
}
