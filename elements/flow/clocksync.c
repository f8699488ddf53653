/* elements/flow/clocksync.c: passes each buffer on when the pipeline's
 * running time reaches the buffer's pts (plus ts-offset), which rate-limits
 * a stream to its timestamps, as GStreamer's clocksync does (running time
 * counts from the pipeline's start; Parallax has no segments, so pts is the
 * running time). sync=false passes everything at once; sync-to-first makes
 * the first buffer's pts "now", for sources whose timestamps do not start at
 * 0. Buffers without pts pass at once. Waiting is this element's job: it
 * sleeps (in slices of at most 10 ms, so a stop is seen quickly), and under
 * the coop scheduler that paces every source of the pipeline. */

typedef struct {
    bool sync;
    int64_t ts_offset;
    bool sync_to_first;
    /* streaming state */
    bool have_first;
    px_time first_shift;
} clocksync;

static int clocksync_start(px_element *el, px_error *err)
{
    clocksync *self = px_element_state(el);

    (void)err;
    self->have_first = false;
    self->first_shift = 0;
    return PX_OK;
}

static px_flow clocksync_process(px_element *el, px_frame *io)
{
    clocksync *self = px_element_state(el);
    px_time pts = io->in.pts;

    if (!self->sync || pts == PX_TIME_NONE)
        return PX_FLOW_OK;
    px_time t = pts + self->ts_offset;
    if (self->sync_to_first) {
        if (!self->have_first) {
            self->have_first = true;
            self->first_shift = px_pipeline_running_time(px_element_get_pipeline(el)) - t;
        }
        t += self->first_shift;
    }
    if (px_element_wait_until(el, t) != PX_OK)
        return PX_FLOW_ERROR; /* stopping: unwind quietly (the stop is not an end of stream) */
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(clocksync) = {
    .name = "clocksync",
    .family = "Generic",
    .description = "Passes each buffer on at its timestamp: rate-limits a stream to real time",
    .state_size = sizeof(clocksync),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .in_place = true,
    .start = clocksync_start,
    .process = clocksync_process,
    .props = PX_PROPS(
        PX_PROP_BOOL(clocksync, sync, true, "Wait until each buffer's running time (pts + ts-offset)"),
        PX_PROP_INT64(clocksync, ts_offset, INT64_MIN / 2, INT64_MAX / 2, 0,
                      "Nanoseconds added to each buffer's pts before waiting (may be negative)"),
        PX_PROP_BOOL(clocksync, sync_to_first, false,
                     "Take the first buffer's pts as the current running time")),
};
