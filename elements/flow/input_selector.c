/* elements/flow/input_selector.c: N-to-1, passing on only the buffers of
 * the active sink pad (active-pad=sink_1, changeable while running from any
 * thread); buffers arriving on other pads are dropped and counted in the
 * element's drops. Without active-pad the first linked pad is active.
 *
 * EOS, as in GStreamer: EOS goes downstream when the active pad reaches EOS
 * (an inactive pad's EOS is only remembered); switching to a pad that is
 * already EOS ends the stream at the next buffer or event that arrives, and
 * once every sink pad is EOS it ends in any case. After that every upstream
 * is answered EOS, so their sources finish; the buffers refused then count as
 * drops too, so buffers in = buffers out + drops always holds. */

typedef struct {
    int active_pad; /* mutable: the active pad's number (sink_<n>), -1 = the first linked */
    /* streaming state */
    int number[PX__MAX_PADS]; /* pad index -> number in its name */
    int first;                /* number of the first linked pad */
    int cached_number, cached_index;
    bool ended;
} input_selector;

static int input_selector_start(px_element *el, px_error *err)
{
    input_selector *self = px_element_state(el);
    int n = 0;

    self->first = -1;
    self->ended = false;
    self->cached_number = self->cached_index = -1;
    for (int i = 0; i < PX__MAX_PADS; i++) {
        const char *name = px_element_pad_name(el, PX_DIR_SINK, i);
        self->number[i] = name ? px_element_pad_number(el, PX_DIR_SINK, i) : -1;
        if (name && self->first < 0)
            self->first = self->number[i];
        n += name != NULL;
    }
    int active = PX_LOAD_MUTABLE(self->active_pad);
    if (active >= 0 && px_element_pad_index(el, PX_DIR_SINK, active) < 0) {
        char list[256];
        size_t len = 0;
        for (int i = 0; i < n && len < sizeof list; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                                    px_element_pad_name(el, PX_DIR_SINK, i));
        return px_error_set(err, PX_ENOENT, 0, "%s: active-pad=sink_%d is not one of its sink pads; linked: %s",
                            px_element_name(el), active, list);
    }
    return PX_OK;
}

/* Sink pad index of the active pad, looked up again only when it changed. */
static int input_selector_active_index(px_element *el, input_selector *self, int *number)
{
    int active = PX_LOAD_MUTABLE(self->active_pad);
    if (active < 0)
        active = self->first;
    if (active != self->cached_number) {
        self->cached_number = active;
        self->cached_index = px_element_pad_index(el, PX_DIR_SINK, active);
    }
    *number = active;
    return self->cached_index;
}

static void input_selector_end(px_element *el, input_selector *self)
{
    self->ended = true;
    px_element_push_eos(el, PX_PAD_ALL);
}

static px_flow input_selector_process(px_element *el, px_frame *io)
{
    input_selector *self = px_element_state(el);
    int number;
    int active = input_selector_active_index(el, self, &number);

    (void)io;
    if (!self->ended && px_element_pad_is_eos(el, active)) /* switched to a finished pad */
        input_selector_end(el, self);
    if (self->ended) { /* refused: counted as a drop, so in = out + drops */
        px_element_count_drop(el);
        return PX_FLOW_EOS;
    }
    if (self->number[px_element_input_pad(el)] != number)
        return PX_FLOW_DROP; /* counted by the runtime */
    return PX_FLOW_OK;
}

static int input_selector_event(px_element *el, const px_event *ev)
{
    input_selector *self = px_element_state(el);
    int number;
    int active = input_selector_active_index(el, self, &number);

    if (ev->type != PX_EVENT_EOS || self->ended)
        return PX_OK;
    bool all = true;
    for (int i = 0; i < px_element_sink_pad_count(el); i++)
        all &= px_element_pad_is_eos(el, i);
    if (all || px_element_pad_is_eos(el, active))
        input_selector_end(el, self);
    return PX_OK;
}

PX_ELEMENT_CLASS(input_selector) = {
    .name = "input-selector",
    .family = "Generic",
    .description = "N-to-1: passes on the active sink pad's buffers, drops the others; switchable while running",
    .state_size = sizeof(input_selector),
    .sink = PX_PAD_REQUEST("sink_%u", "ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .hints = {.rt_safe = true},
    .in_place = true,
    .eos_per_pad = true,
    .start = input_selector_start,
    .process = input_selector_process,
    .event = input_selector_event,
    .props = PX_PROPS(PX_PROP_PAD(input_selector, active_pad, PX_DIR_SINK, PX_PROP_FLAG_MUTABLE,
                                  "The active sink pad (sink_N); buffers of the others are dropped")),
};
