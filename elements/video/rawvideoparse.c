/* elements/video/rawvideoparse.c: cuts a byte stream of headerless raw
 * frames (a file from filesrc) into one buffer per frame.
 *
 * Properties follow GStreamer's rawvideoparse with use-sink-caps=false:
 * format (GStreamer's video format numbers and nicks: i420 = 2), width
 * (320), height (240), framerate (25/1), pixel-aspect-ratio (1/1). The frame
 * layout is GStreamer's default for that format and size (rows padded to 4
 * bytes), so files written by GStreamer's rawvideoparse or by a pipeline
 * ending in `filesink` read back the same. The src caps are exactly those
 * properties. Input bytes are copied into output slots until a frame is
 * full; a partial frame at EOS is dropped with a warning. */

typedef struct {
    int format;
    int width, height;
    px_fraction framerate;
    px_fraction pixel_aspect_ratio;
    /* prepared in start() */
    px_video_info info;
    /* streaming state */
    px_buffer cur; /* the frame being filled (arena NULL: none) */
    size_t filled;
    int64_t n;
} rawvideoparse;

/* GStreamer's GstVideoFormat numbers and nicks for the formats we have. */
static const px_enum_value rawvideoparse_formats[] = {
    {2, "i420", "I420"},           {3, "yv12", "YV12"},   {4, "yuy2", "YUY2"},
    {5, "uyvy", "UYVY"},           {7, "rgbx", "RGBx"},   {8, "bgrx", "BGRx"},
    {11, "rgba", "RGBA"},          {12, "bgra", "BGRA"},  {13, "argb", "ARGB"},
    {14, "abgr", "ABGR"},          {15, "rgb", "RGB"},    {16, "bgr", "BGR"},
    {23, "nv12", "NV12"},          {24, "nv21", "NV21"},  {25, "gray8", "GRAY8"},
    {27, "gray16-le", "GRAY16_LE"}, {43, "i420-10le", "I420_10LE"}, {0, NULL, NULL},
};

static px_video_format rawvideoparse_format(int gst)
{
    for (const px_enum_value *e = rawvideoparse_formats; e->nick; e++)
        if (e->value == gst)
            return px_video_format_from_string(e->description);
    return PX_VIDEO_FORMAT_UNKNOWN;
}

static int rawvideoparse_get_caps(px_element *el, px_pad_dir dir, px_caps *caps)
{
    const rawvideoparse *self = px_element_state(el);
    if (dir != PX_DIR_SRC)
        return PX_OK;
    int rc = px_caps_set_string(caps, "format", px_video_format_to_string(rawvideoparse_format(self->format)));
    if (!rc)
        rc = px_caps_set_int(caps, "width", self->width);
    if (!rc)
        rc = px_caps_set_int(caps, "height", self->height);
    if (!rc)
        rc = px_caps_set_fraction(caps, "framerate", self->framerate);
    if (!rc)
        rc = px_caps_set_fraction(caps, "pixel-aspect-ratio", self->pixel_aspect_ratio);
    return rc;
}

static int rawvideoparse_start(px_element *el, px_error *err)
{
    rawvideoparse *self = px_element_state(el);
    int rc = px_video_info_init(&self->info, rawvideoparse_format(self->format), self->width, self->height);
    if (rc)
        return px_error_set(err, PX_EINVAL, 0, "%s: cannot lay out %dx%d frames of format %d", px_element_name(el),
                            self->width, self->height, self->format);
    if (self->framerate.num < 0 || self->framerate.den <= 0)
        return px_error_set(err, PX_EINVAL, 0, "%s: framerate=%d/%d is not a frame rate; use e.g. 30/1",
                            px_element_name(el), self->framerate.num, self->framerate.den);
    self->info.framerate = self->framerate;
    self->info.par = self->pixel_aspect_ratio;
    memset(&self->cur, 0, sizeof self->cur);
    self->filled = 0;
    self->n = 0;
    px_element_request_output(el, self->info.size, 1);
    return PX_OK;
}

static void rawvideoparse_stop(px_element *el)
{
    rawvideoparse *self = px_element_state(el);
    if (self->cur.arena)
        px_buffer_unref(&self->cur);
    self->filled = 0;
}

static px_time rawvideoparse_time(const px_fraction *fps, int64_t n)
{
    if (fps->num <= 0 || fps->den <= 0)
        return n == 0 ? 0 : PX_TIME_NONE;
    return n / fps->num * fps->den * PX_SECOND + n % fps->num * fps->den * PX_SECOND / fps->num;
}

static px_flow rawvideoparse_chain(px_element *el, const px_buffer *in)
{
    rawvideoparse *self = px_element_state(el);
    size_t frame = self->info.size, off = 0;

    while (off < in->size) {
        if (!self->cur.arena) {
            int rc = px_element_alloc_output(el, &self->cur);
            if (rc == PX_EAGAIN)
                return PX_FLOW_EOS; /* the pipeline is stopping */
            if (rc)
                return PX_FLOW_ERROR;
            if (self->cur.capacity < frame) {
                px_buffer_unref(&self->cur);
                px_element_error(el, PX_ENOMEM, "output slot holds %zu bytes but a frame needs %zu",
                                 self->cur.capacity, frame);
                return PX_FLOW_ERROR;
            }
        }
        size_t take = frame - self->filled < in->size - off ? frame - self->filled : in->size - off;
        memcpy(self->cur.data + self->filled, in->data + off, take);
        self->filled += take;
        off += take;
        if (self->filled < frame)
            break;
        px_buffer out = self->cur;
        memset(&self->cur, 0, sizeof self->cur);
        self->filled = 0;
        px_buffer_reset_meta(&out);
        out.size = frame;
        out.pts = rawvideoparse_time(&self->framerate, self->n);
        px_time next = rawvideoparse_time(&self->framerate, self->n + 1);
        out.duration = out.pts != PX_TIME_NONE && next != PX_TIME_NONE ? next - out.pts : PX_TIME_NONE;
        out.offset = (uint64_t)self->n;
        out.offset_end = (uint64_t)self->n + 1;
        self->n++;
        px_flow r = px_element_push(el, 0, &out);
        if (r != PX_FLOW_OK)
            return r;
    }
    return PX_FLOW_OK;
}

static int rawvideoparse_event(px_element *el, const px_event *ev)
{
    rawvideoparse *self = px_element_state(el);
    if (ev->type == PX_EVENT_CAPS)
        return PX_ENOTSUP; /* its caps come from its properties */
    if (ev->type == PX_EVENT_EOS && self->cur.arena) {
        px_element_warning(el, "dropping an incomplete frame at end of stream: %zu of %zu bytes", self->filled,
                           self->info.size);
        px_buffer_unref(&self->cur);
        self->filled = 0;
    }
    return PX_OK;
}

PX_ELEMENT_CLASS(rawvideoparse) = {
    .name = "rawvideoparse",
    .family = "Codec/Parser/Video",
    .description = "Cuts a byte stream into raw video frames described by properties",
    .state_size = sizeof(rawvideoparse),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_ALWAYS(PX_VIDEO_CAPS_TEMPLATE),
    .start = rawvideoparse_start,
    .stop = rawvideoparse_stop,
    .chain = rawvideoparse_chain,
    .event = rawvideoparse_event,
    .get_caps = rawvideoparse_get_caps,
    .props = PX_PROPS(
        PX_PROP_ENUM(rawvideoparse, format, rawvideoparse_formats, 2,
                     "Format of frames in raw stream (GStreamer's numbers and nicks)"),
        PX_PROP_INT(rawvideoparse, width, 1, PX_VIDEO_MAX_SIZE, 320, "Width of frames in raw stream"),
        PX_PROP_INT(rawvideoparse, height, 1, PX_VIDEO_MAX_SIZE, 240, "Height of frames in raw stream"),
        PX_PROP_FRACTION(rawvideoparse, framerate, 0, 1, INT32_MAX, 1, 25, 1, "Rate of frames in raw stream"),
        PX_PROP_FRACTION(rawvideoparse, pixel_aspect_ratio, 1, INT32_MAX, INT32_MAX, 1, 1, 1,
                         "Pixel aspect ratio of frames in raw stream")),
};
