/* elements/flow/output_selector.c: 1-to-N, sending every buffer to the
 * active src pad only (active-pad=src_1, changeable while running from any
 * thread; without it the first linked src pad). EOS goes to every src pad,
 * as in GStreamer. A switch takes effect at the next buffer. */

typedef struct {
    int active_pad; /* mutable: the active pad's number (src_<n>), -1 = the first linked */
    /* streaming state */
    int first;
    int cached_number, cached_index;
} output_selector;

static int output_selector_start(px_element *el, px_error *err)
{
    output_selector *self = px_element_state(el);

    if (px_element_src_pad_count(el) == 0)
        return px_error_set(err, PX_ELINK, 0, "%s has no src pad linked; link one, e.g. '%s. ! fakesink'",
                            px_element_name(el), px_element_name(el));
    self->first = px_element_pad_number(el, PX_DIR_SRC, 0);
    self->cached_number = self->cached_index = -1;
    int active = PX_LOAD_MUTABLE(self->active_pad);
    if (active >= 0 && px_element_pad_index(el, PX_DIR_SRC, active) < 0) {
        char list[256];
        size_t len = 0;
        for (int i = 0; px_element_pad_name(el, PX_DIR_SRC, i) && len < sizeof list; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                                    px_element_pad_name(el, PX_DIR_SRC, i));
        return px_error_set(err, PX_ENOENT, 0, "%s: active-pad=src_%d is not one of its src pads; linked: %s",
                            px_element_name(el), active, list);
    }
    return PX_OK;
}

static px_flow output_selector_process(px_element *el, px_frame *io)
{
    output_selector *self = px_element_state(el);
    int active = PX_LOAD_MUTABLE(self->active_pad);

    if (active < 0)
        active = self->first;
    if (active != self->cached_number) { /* a switch: find the pad once */
        self->cached_number = active;
        self->cached_index = px_element_pad_index(el, PX_DIR_SRC, active);
    }
    io->out_pad = self->cached_index;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(output_selector) = {
    .name = "output-selector",
    .family = "Generic",
    .description = "1-to-N: sends every buffer to the active src pad; switchable while running",
    .state_size = sizeof(output_selector),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_REQUEST("src_%u", "ANY"),
    .hints = {.rt_safe = true},
    .in_place = true,
    .start = output_selector_start,
    .process = output_selector_process,
    .props = PX_PROPS(PX_PROP_PAD(output_selector, active_pad, PX_DIR_SRC, PX_PROP_FLAG_MUTABLE,
                                  "The active src pad (src_N) every buffer goes to")),
};
