/* elements/flow/capsfilter.c: restricts the formats that may flow through a
 * link; what `src ! video/x-raw,width=640 ! sink` creates. Negotiation reads
 * the caps property through get_caps (on both sides: data passes unchanged),
 * so nothing happens per buffer. */

typedef struct {
    char *caps;
} capsfilter;

static int capsfilter_get_caps(px_element *el, px_pad_dir dir, px_caps *caps)
{
    const capsfilter *self = px_element_state(el);
    px_caps allowed;
    (void)dir;
    if (px_caps_parse(&allowed, self->caps ? self->caps : "ANY", NULL) != PX_OK)
        return PX_EINVAL; /* cannot happen: checked when the property was set */
    px_caps template = *caps;
    return px_caps_intersect(caps, &allowed, &template);
}

static px_flow capsfilter_process(px_element *el, px_frame *io)
{
    (void)el;
    (void)io;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(capsfilter) = {
    .name = "capsfilter",
    .family = "Generic",
    .description = "Passes data without modification, limiting formats",
    .state_size = sizeof(capsfilter),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .hints = {.rt_safe = true},
    .in_place = true,
    .process = capsfilter_process,
    .get_caps = capsfilter_get_caps,
    .props = PX_PROPS(PX_PROP_CAPS(capsfilter, caps, "ANY",
                                   "Allowed formats, in GStreamer caps syntax (ANY = no restriction)")),
};
