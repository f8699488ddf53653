/* elements/flow/delay.c: delays a stream in stream time by shifting every
 * buffer's pts and dts by delay nanoseconds. GStreamer has no core `delay`;
 * of the two possible meanings this one takes the one that costs nothing and
 * composes: with a clocksync (or any synchronizing sink) downstream the
 * buffers reach it delay ns later in real time, and on its own it moves one
 * stream against another (audio against video). Holding buffers for a time
 * would need a queue's worth of slots upstream instead; put a queue and a
 * clocksync after this element for that. Buffers without timestamps pass
 * unchanged. */

typedef struct {
    uint64_t delay;
} delay;

static px_flow delay_process(px_element *el, px_frame *io)
{
    const delay *self = px_element_state(el);
    px_time d = (px_time)self->delay;

    if (io->out.pts != PX_TIME_NONE)
        io->out.pts += d;
    if (io->out.dts != PX_TIME_NONE)
        io->out.dts += d;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(delay) = {
    .name = "delay",
    .family = "Generic",
    .description = "Shifts every buffer's timestamps later by a fixed delay",
    .state_size = sizeof(delay),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .hints = {.rt_safe = true},
    .in_place = true,
    .process = delay_process,
    .props = PX_PROPS(PX_PROP_UINT64(delay, delay, 0, INT64_MAX / 2, 0,
                                     "Nanoseconds added to each buffer's pts and dts")),
};
