/* elements/testing/fakesink.c: accepts and discards buffers, for tests and
 * benchmarks. Properties follow GStreamer's fakesink: silent=false prints
 * one "last-message" line per buffer, dump=true hexdumps each buffer to
 * stdout, num-buffers=N ends the stream (EOS) after N buffers. Counting is
 * the runtime's job: --stats-json reports buffers_in and bytes_in. Printing
 * needs CONFIG_PX_BUFFER_PRINT; without it start() refuses silent=false and
 * dump=true, naming the option. */

typedef struct {
    bool silent;
    bool dump;
    int num_buffers;
    int64_t received;
} fakesink;

#if CONFIG_PX_BUFFER_PRINT
/* "0:00:01.000000000" like GStreamer's GST_TIME_FORMAT, or "none". */
static void fakesink_time(char *buf, size_t size, px_time t)
{
    if (t == PX_TIME_NONE) {
        snprintf(buf, size, "none");
        return;
    }
    uint64_t u = t < 0 ? (uint64_t)-(t + 1) + 1 : (uint64_t)t;
    snprintf(buf, size, "%s%u:%02u:%02u.%09u", t < 0 ? "-" : "",
             (unsigned)(u / (3600 * (uint64_t)PX_SECOND)), (unsigned)(u / (60 * (uint64_t)PX_SECOND) % 60),
             (unsigned)(u / (uint64_t)PX_SECOND % 60), (unsigned)(u % (uint64_t)PX_SECOND));
}

static void fakesink_offset(char *buf, size_t size, uint64_t off)
{
    if (off == PX_OFFSET_NONE)
        snprintf(buf, size, "-1");
    else
        snprintf(buf, size, "%llu", (unsigned long long)off);
}

/* GStreamer's fakesink last-message, printed rather than notified. */
static void fakesink_message(px_element *el, const px_buffer *in)
{
    static const char *const names[] = {"discont", "delta-unit", "gap", "header", "corrupted"};
    char dts[32], pts[32], dur[32], off[24], end[24], flags[80] = "";
    size_t n = 0;

    fakesink_time(dts, sizeof dts, in->dts);
    fakesink_time(pts, sizeof pts, in->pts);
    fakesink_time(dur, sizeof dur, in->duration);
    fakesink_offset(off, sizeof off, in->offset);
    fakesink_offset(end, sizeof end, in->offset_end);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (in->flags & (1u << i))
            n += (size_t)snprintf(flags + n, sizeof flags - n, " %s", names[i]);
    printf("%s: chain   ******* (%s:sink) (%zu bytes, dts: %s, pts: %s, duration: %s, offset: %s, "
           "offset_end: %s, flags: %08x%s) %p\n",
           px_element_name(el), px_element_name(el), in->size, dts, pts, dur, off, end,
           (unsigned)in->flags, flags, (void *)in->data);
}
#endif

static int fakesink_start(px_element *el, px_error *err)
{
    fakesink *self = px_element_state(el);

    (void)err;
#if !CONFIG_PX_BUFFER_PRINT
    if (px__buffer_print_left_out(el, self->silent, self->dump, err))
        return PX_ENOTSUP;
#endif
    self->received = 0;
    return PX_OK;
}

static px_flow fakesink_consume(px_element *el, const px_buffer *in)
{
    fakesink *self = px_element_state(el);

    /* As GStreamer: num-buffers=0 accepts nothing; N renders N, EOS on the Nth. */
    if (self->num_buffers >= 0 && self->received >= self->num_buffers)
        return PX_FLOW_EOS;
    self->received++;
#if CONFIG_PX_BUFFER_PRINT
    if (!self->silent)
        fakesink_message(el, in);
    if (self->dump)
        px_buffer_dump(in);
#else
    (void)in;
#endif
    if (self->num_buffers >= 0 && self->received >= self->num_buffers)
        return PX_FLOW_EOS;
    return PX_FLOW_OK;
}

#if CONFIG_PX_BUFFER_PRINT
static int fakesink_event(px_element *el, const px_event *ev)
{
    const fakesink *self = px_element_state(el);

    if (!self->silent && ev->type == PX_EVENT_EOS)
        printf("%s: event   ******* (%s:sink) E (type: eos)\n", px_element_name(el), px_element_name(el));
    return PX_OK;
}
#endif

PX_ELEMENT_CLASS(fakesink) = {
    .name = "fakesink",
    .family = "Sink",
    .description = "Black hole for data (testing)",
    .state_size = sizeof(fakesink),
    .sink = PX_PAD_ALWAYS("ANY"),
    .hints = {.rt_safe = true}, /* with the defaults; silent=false and dump=true print */
    .start = fakesink_start,
    .consume = fakesink_consume,
#if CONFIG_PX_BUFFER_PRINT
    .event = fakesink_event, /* prints EOS when not silent */
#endif
    .props = PX_PROPS(
        PX_PROP_BOOL(fakesink, silent, true, "Don't print a line per buffer (GStreamer's last-message)"),
        PX_PROP_BOOL(fakesink, dump, false, "Hexdump each buffer's contents to stdout"),
        PX_PROP_INT(fakesink, num_buffers, -1, INT32_MAX, -1,
                    "Number of buffers to accept before going EOS (-1 = unlimited)")),
};
