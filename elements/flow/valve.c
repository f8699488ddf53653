/* elements/flow/valve.c: lets buffers through or drops them (drop=true),
 * switchable while running from any thread (px_set(valve, "drop", "true")).
 * Each dropped buffer is counted in the element's drops. Unlike GStreamer's
 * default drop-mode, EOS always passes, even while dropping: a closed valve
 * at the end of a stream must not keep the pipeline from finishing. */

typedef struct {
    bool drop; /* mutable: written by px_set on any thread, read atomically */
} valve;

static px_flow valve_process(px_element *el, px_frame *io)
{
    valve *self = px_element_state(el);

    (void)io;
    return PX_LOAD_MUTABLE(self->drop) ? PX_FLOW_DROP : PX_FLOW_OK; /* the runtime counts the drop */
}

PX_ELEMENT_CLASS(valve) = {
    .name = "valve",
    .family = "Filter",
    .description = "Drops buffers while drop=true; changeable while running",
    .state_size = sizeof(valve),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .hints = {.rt_safe = true},
    .in_place = true,
    .process = valve_process,
    .props = PX_PROPS(PX_PROP_BOOL_MUTABLE(valve, drop, false,
                                           "Drop buffers (counted as drops) instead of passing them on")),
};
