/* elements/flow/timeout.c: passes buffers through and fails the pipeline
 * when none arrives within `timeout` milliseconds while it runs (a stalled
 * camera, a dead network source): the error names the element and the
 * limit. Like GStreamer's watchdog element, it counts from the start of
 * streaming and stops watching at EOS.
 *
 * The per-buffer cost is one relaxed counter store: a small watchdog thread
 * (started in start(), stopped in stop()) wakes every timeout/4 and fails the
 * run when the counter has not moved for timeout ms. So the error comes
 * between timeout and 1.25 * timeout ms after the last buffer. */

typedef struct {
    int timeout; /* ms */
    /* streaming state */
    _Atomic uint64_t seen;
    _Atomic bool done; /* EOS passed: nothing more to wait for */
    bool quit;         /* under lock */
    bool thread_started;
    px_element *el;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
} timeout_state;

static void *timeout_watch(void *arg)
{
    timeout_state *self = arg;
    px_pipeline *p = px_element_get_pipeline(self->el);
    px_time limit = (px_time)self->timeout * PX_MSECOND, tick = limit / 4 > 0 ? limit / 4 : 1;
    uint64_t last = atomic_load_explicit(&self->seen, memory_order_relaxed);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    px_time changed = (px_time)now.tv_sec * PX_SECOND + now.tv_nsec;

    pthread_mutex_lock(&self->lock);
    while (!self->quit) {
        px_time wake = changed + tick;
        clock_gettime(CLOCK_MONOTONIC, &now);
        px_time t = (px_time)now.tv_sec * PX_SECOND + now.tv_nsec;
        if (wake <= t)
            wake = t + tick;
        struct timespec ts = {(time_t)(wake / PX_SECOND), (long)(wake % PX_SECOND)};
        pthread_cond_timedwait(&self->cond, &self->lock, &ts);
        if (self->quit)
            break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        t = (px_time)now.tv_sec * PX_SECOND + now.tv_nsec;
        uint64_t s = atomic_load_explicit(&self->seen, memory_order_relaxed);
        if (s != last || px_pipeline_get_state(p) != PX_STATE_RUNNING) { /* moving, or not streaming yet */
            last = s;
            changed = t;
            continue;
        }
        if (atomic_load_explicit(&self->done, memory_order_relaxed))
            break;
        if (t - changed >= limit) {
            pthread_mutex_unlock(&self->lock);
            /* PX_EFLOW, not PX_ETIMEDOUT: that code means "wait again" to px_pipeline_wait callers */
            px_element_error(self->el, PX_EFLOW, "no buffer arrived within %d ms (timeout=%d)",
                             self->timeout, self->timeout);
            return NULL;
        }
    }
    pthread_mutex_unlock(&self->lock);
    return NULL;
}

static int timeout_start(px_element *el, px_error *err)
{
    timeout_state *self = px_element_state(el);

    self->el = el;
    atomic_store(&self->seen, 0);
    atomic_store(&self->done, false);
    self->quit = false;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&self->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (rc)
        return px_error_set(err, PX_ENOMEM, 0, "%s: cannot start its watchdog: %s", px_element_name(el),
                            strerror(rc));
    pthread_mutex_init(&self->lock, NULL);
    if ((rc = pthread_create(&self->thread, NULL, timeout_watch, self)) != 0) {
        pthread_cond_destroy(&self->cond);
        pthread_mutex_destroy(&self->lock);
        return px_error_set(err, PX_ENOMEM, 0, "%s: cannot start its watchdog thread: %s",
                            px_element_name(el), strerror(rc));
    }
    self->thread_started = true;
    return PX_OK;
}

static void timeout_stop(px_element *el)
{
    timeout_state *self = px_element_state(el);

    if (!self->thread_started)
        return;
    pthread_mutex_lock(&self->lock);
    self->quit = true;
    pthread_cond_signal(&self->cond);
    pthread_mutex_unlock(&self->lock);
    pthread_join(self->thread, NULL);
    pthread_cond_destroy(&self->cond);
    pthread_mutex_destroy(&self->lock);
    self->thread_started = false;
}

static px_flow timeout_process(px_element *el, px_frame *io)
{
    timeout_state *self = px_element_state(el);

    (void)io; /* one writer: a plain relaxed store, no locked instruction */
    atomic_store_explicit(&self->seen, atomic_load_explicit(&self->seen, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    return PX_FLOW_OK;
}

static int timeout_event(px_element *el, const px_event *ev)
{
    timeout_state *self = px_element_state(el);

    if (ev->type == PX_EVENT_EOS)
        atomic_store_explicit(&self->done, true, memory_order_relaxed);
    return PX_OK;
}

PX_ELEMENT_CLASS(timeout) = {
    .name = "timeout",
    .family = "Generic",
    .description = "Fails the pipeline when no buffer arrives within a time limit",
    .state_size = sizeof(timeout_state),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .hints = {.rt_safe = true},
    .in_place = true,
    .start = timeout_start,
    .stop = timeout_stop,
    .process = timeout_process,
    .event = timeout_event,
    .props = PX_PROPS(PX_PROP_INT(timeout_state, timeout, 1, INT32_MAX, 1000,
                                  "Milliseconds without a buffer after which the pipeline fails")),
};
