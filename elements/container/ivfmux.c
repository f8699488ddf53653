/* elements/container/ivfmux.c: compressed frames to an IVF file.
 *
 * Writes the 32-byte file header before the first frame (fourcc from the
 * negotiated media type, width and height when the caps have them, the
 * timebase from the framerate or the timebase property), then a 12-byte
 * frame header per input buffer (size, pts in timebase ticks) followed by
 * the input buffer itself, pushed on by reference: payloads are never
 * copied, only the headers are written into small output slots. The frame
 * count field stays 0 (a byte stream cannot seek back; IVF readers such as
 * ffprobe, dav1d and ivfdemux ignore it). */

typedef struct {
    px_fraction timebase; /* property: seconds per tick when the caps have no framerate */
    char fourcc[5];
    int width, height;
    uint32_t rate, scale;
    uint64_t n;
    bool header_sent;
} ivfmux;

static const char *ivfmux_fourcc(const char *media)
{
    static const char *const map[][2] = {
        {"video/x-av1", "AV01"}, {"video/x-vp9", "VP90"}, {"video/x-vp8", "VP80"},
        {"video/x-h264", "H264"}, {"video/x-h265", "H265"},
    };
    for (size_t i = 0; media && i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(media, map[i][0]))
            return map[i][1];
    return NULL;
}

static void ivfmux_wr16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void ivfmux_wr32(uint8_t *p, uint32_t v) { ivfmux_wr16(p, v), ivfmux_wr16(p + 2, v >> 16); }
static void ivfmux_wr64(uint8_t *p, uint64_t v) { ivfmux_wr32(p, (uint32_t)v), ivfmux_wr32(p + 4, (uint32_t)(v >> 32)); }

static int ivfmux_start(px_element *el, px_error *err)
{
    ivfmux *self = px_element_state(el);
    const px_caps *caps = px_element_get_caps(el, PX_DIR_SINK, 0);
    const char *fcc = ivfmux_fourcc(caps ? px_caps_media_type(caps, 0) : NULL);
    if (!fcc)
        return px_error_set(err, PX_ENOTSUP, 0, "%s: cannot write %s into IVF (video/x-av1, video/x-vp9, "
                            "video/x-vp8, video/x-h264 or video/x-h265)", px_element_name(el),
                            caps && px_caps_media_type(caps, 0) ? px_caps_media_type(caps, 0) : "unnegotiated caps");
    memcpy(self->fourcc, fcc, 5);
    int w = 0, h = 0;
    px_fraction fr = {0, 1};
    px_caps_get_int(caps, "width", &w);
    px_caps_get_int(caps, "height", &h);
    self->width = w > 0 && w <= 65535 ? w : 0;
    self->height = h > 0 && h <= 65535 ? h : 0;
    if (px_caps_get_fraction(caps, "framerate", &fr) == PX_OK && fr.num > 0 && fr.den > 0)
        self->rate = (uint32_t)fr.num, self->scale = (uint32_t)fr.den;
    else
        self->rate = (uint32_t)self->timebase.den, self->scale = (uint32_t)self->timebase.num;
    self->n = 0;
    self->header_sent = false;
    px_element_request_output(el, 64, 2);
    return PX_OK;
}

static px_flow ivfmux_chain(px_element *el, const px_buffer *in)
{
    ivfmux *self = px_element_state(el);
    if (in->size > UINT32_MAX) {
        px_element_error(el, PX_EINVAL, "frame %llu is %zu bytes; IVF frames hold at most 4 GiB",
                         (unsigned long long)self->n, in->size);
        return PX_FLOW_ERROR;
    }
    px_buffer hdr;
    int rc = px_element_alloc_output(el, &hdr);
    if (rc)
        return rc == PX_EAGAIN ? PX_FLOW_EOS : PX_FLOW_ERROR;
    uint8_t *p = hdr.data;
    px_buffer_reset_meta(&hdr);
    hdr.pts = in->pts;
    if (!self->header_sent) {
        memcpy(p, "DKIF", 4);
        ivfmux_wr16(p + 4, 0);
        ivfmux_wr16(p + 6, 32);
        memcpy(p + 8, self->fourcc, 4);
        ivfmux_wr16(p + 12, (uint32_t)self->width);
        ivfmux_wr16(p + 14, (uint32_t)self->height);
        ivfmux_wr32(p + 16, self->rate);
        ivfmux_wr32(p + 20, self->scale);
        ivfmux_wr32(p + 24, 0);
        ivfmux_wr32(p + 28, 0);
        p += 32;
        hdr.flags |= PX_BUFFER_FLAG_HEADER;
        self->header_sent = true;
    }
    /* pts in ticks of scale/rate seconds, rounded; the frame number when unknown. */
    uint64_t ticks = self->n;
    if (in->pts != PX_TIME_NONE && in->pts >= 0)
        ticks = (uint64_t)(((long double)in->pts * self->rate / self->scale + PX_SECOND / 2) / PX_SECOND);
    ivfmux_wr32(p, (uint32_t)in->size);
    ivfmux_wr64(p + 4, ticks);
    p += 12;
    hdr.size = (size_t)(p - hdr.data);
    self->n++;
    px_flow r = px_element_push(el, 0, &hdr);
    if (r != PX_FLOW_OK)
        return r;
    px_buffer frame = *in; /* the payload goes on as it is: one more reference, no copy */
    px_buffer_ref(&frame);
    return px_element_push(el, 0, &frame);
}

PX_ELEMENT_CLASS(ivfmux) = {
    .name = "ivfmux",
    .family = "Codec/Muxer",
    .description = "Writes compressed video frames into an IVF file",
    .state_size = sizeof(ivfmux),
    .sink = PX_PAD_ALWAYS("video/x-av1; video/x-vp9; video/x-vp8; video/x-h264; video/x-h265"),
    .src = PX_PAD_ALWAYS("video/x-ivf"),
    .start = ivfmux_start,
    .chain = ivfmux_chain,
    .props = PX_PROPS(PX_PROP_FRACTION(ivfmux, timebase, 1, 1000000, 1, 1, 1, 1000,
                                       "Seconds per tick when the caps have no framerate")),
};
