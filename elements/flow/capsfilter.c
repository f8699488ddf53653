/* elements/flow/capsfilter.c: restricts the formats that may flow through a
 * link; what `src ! video/x-raw,width=640 ! sink` creates. Data passes
 * unchanged. For now it is a passthrough: the caps property is kept and
 * shown, but it constrains nothing until global caps negotiation lands
 * (that pass reads the property; nothing per buffer will change here). */

typedef struct {
    char *caps;
} capsfilter;

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
    .props = PX_PROPS(PX_PROP_STRING(capsfilter, caps, "ANY",
                                     "Allowed formats, in GStreamer caps syntax (ANY = no restriction)")),
};
