/* elements/flow/funnel.c: N-to-1 pipe fitting. Buffers from every sink pad
 * (sink_0, sink_1, ...) go out of src as they come, untouched; under the
 * threads scheduler the runtime serializes the streaming threads that push
 * into it (sched/fanin.c), so what is downstream sees one buffer at a time.
 * EOS goes out once every linked sink pad has seen EOS, as in GStreamer.
 * Buffers keep their own timestamps and sequence numbers. */

static px_flow funnel_process(px_element *el, px_frame *io)
{
    (void)el;
    (void)io;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(funnel) = {
    .name = "funnel",
    .family = "Generic",
    .description = "N-to-1 pipe fitting: buffers from every sink pad go out of the one src pad",
    .sink = PX_PAD_REQUEST("sink_%u", "ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .hints = {.rt_safe = true},
    .in_place = true,
    .process = funnel_process,
};
