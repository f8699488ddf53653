/* elements/container/y4menc.c: raw video to a YUV4MPEG2 (Y4M) stream.
 *
 * Writes "YUV4MPEG2 W<w> H<h> F<n>:<d> Ip A<n>:<d> C<space>\n" before the
 * first frame, then "FRAME\n" and the planes of each frame with the row
 * padding stripped (Y4M rows are exactly width samples). Colour spaces:
 * I420 -> C420jpeg (what GStreamer and ffmpeg write for yuv420p), GRAY8 ->
 * Cmono, I420_10LE -> C420p10 (ffmpeg's name for yuv420p10le), Y42B -> C422,
 * Y444 -> C444, I422_10LE -> C422p10, Y444_10LE -> C444p10. One output
 * buffer per frame (header included in the first), sized in start().
 *
 * Renegotiation: Y4M has one header, so one size, rate and colour space,
 * for the whole stream. New caps that keep the header (only the row
 * padding differs) are taken; any other change mid-stream is an error
 * naming both formats. */

#define Y4MENC_HEADER_MAX 128

typedef struct {
    /* prepared in start() */
    px_video_info info;
    char header[Y4MENC_HEADER_MAX];
    size_t header_len;
    size_t payload; /* packed frame bytes */
    bool header_sent;
    uint64_t frames; /* written */
} y4menc;

static const char *y4menc_colorspace(px_video_format f)
{
    switch (f) {
    case PX_VIDEO_FORMAT_I420: return "420jpeg";
    case PX_VIDEO_FORMAT_GRAY8: return "mono";
    case PX_VIDEO_FORMAT_I420_10LE: return "420p10";
    case PX_VIDEO_FORMAT_Y42B: return "422";
    case PX_VIDEO_FORMAT_Y444: return "444";
    case PX_VIDEO_FORMAT_I422_10LE: return "422p10";
    case PX_VIDEO_FORMAT_Y444_10LE: return "444p10";
    default: return NULL;
    }
}

/* The stream header for info; returns its length (0 for a format Y4M lacks). */
static size_t y4menc_write_header(const px_video_info *info, char *buf, size_t size)
{
    const char *cs = y4menc_colorspace(info->format);
    if (!cs)
        return 0;
    px_fraction f = info->framerate, a = info->par;
    if (f.num <= 0 || f.den <= 0)
        f = (px_fraction){0, 0}; /* Y4M's "unknown" */
    if (a.num <= 0 || a.den <= 0)
        a = (px_fraction){0, 0};
    int n = snprintf(buf, size, "YUV4MPEG2 W%d H%d F%d:%d Ip A%d:%d C%s\n", info->width, info->height, f.num,
                     f.den, a.num, a.den, cs);
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* Bytes of one frame's planes without row padding. */
static size_t y4menc_payload(const px_video_info *info)
{
    const px_video_format_info *f = info->finfo;
    size_t total = 0;
    for (int c = 0; c < f->n_components && c < 4; c++)
        total += (size_t)px_video_info_comp_width(info, c) * px_video_info_comp_height(info, c) * (f->bits > 8 ? 2 : 1);
    return total;
}

/* Copies the planes of frame (laid out as info) into out, rows packed. */
static size_t y4menc_pack(const px_video_info *info, const uint8_t *frame, uint8_t *out)
{
    const px_video_format_info *f = info->finfo;
    size_t n = 0;
    for (int c = 0; c < f->n_components && c < 4; c++) { /* Y, U, V: planar formats only */
        int p = f->plane[c];
        size_t row = (size_t)px_video_info_comp_width(info, c) * f->pstride[c];
        int rows = px_video_info_comp_height(info, c);
        px_video_copy_plane(frame + info->offset[p] + f->poffset[c], info->stride[p], out + n, row, row, rows);
        n += row * (size_t)rows;
    }
    return n;
}

static int y4menc_start(px_element *el, px_error *err)
{
    y4menc *self = px_element_state(el);
    const px_caps *caps = px_element_get_caps(el, PX_DIR_SINK, 0);
    if (!caps)
        return px_error_set(err, PX_ESTATE, 0, "%s: started without negotiated caps", px_element_name(el));
    int rc = px_video_info_from_caps(&self->info, caps, err);
    if (rc)
        return rc;
    self->header_len = y4menc_write_header(&self->info, self->header, sizeof self->header);
    if (!self->header_len)
        return px_error_set(err, PX_EINVAL, 0, "%s: Y4M cannot carry %s; use I420, GRAY8, I420_10LE, Y42B, Y444, "
                            "I422_10LE or Y444_10LE",
                            px_element_name(el), px_video_format_to_string(self->info.format));
    self->payload = y4menc_payload(&self->info);
    self->header_sent = false;
    self->frames = 0;
    px_element_request_output(el, self->header_len + 6 + self->payload, 0);
    return PX_OK;
}

static px_flow y4menc_chain(px_element *el, const px_buffer *in)
{
    y4menc *self = px_element_state(el);
    px_buffer out;

    if (in->size < self->info.size) {
        px_element_error(el, PX_EINVAL, "buffer of %zu bytes for a %zu-byte %s %dx%d frame", in->size,
                         self->info.size, px_video_format_to_string(self->info.format), self->info.width,
                         self->info.height);
        return PX_FLOW_ERROR;
    }
    int rc = px_element_alloc_output(el, &out);
    if (rc)
        return rc == PX_EAGAIN ? PX_FLOW_EOS : PX_FLOW_ERROR;
    size_t need = (self->header_sent ? 0 : self->header_len) + 6 + self->payload, n = 0;
    if (out.capacity < need) {
        px_buffer_unref(&out);
        px_element_error(el, PX_ENOMEM, "output slot holds %zu bytes but a frame needs %zu", out.capacity, need);
        return PX_FLOW_ERROR;
    }
    if (!self->header_sent) {
        memcpy(out.data, self->header, self->header_len);
        n = self->header_len;
        self->header_sent = true;
    }
    memcpy(out.data + n, "FRAME\n", 6);
    n += 6;
    n += y4menc_pack(&self->info, in->data, out.data + n);
    out.size = n;
    out.pts = in->pts;
    out.dts = in->dts;
    out.duration = in->duration;
    out.offset = in->offset;
    out.offset_end = in->offset_end;
    out.flags = in->flags;
    self->frames++;
    return px_element_push(el, 0, &out);
}

static int y4menc_event(px_element *el, const px_event *ev)
{
    y4menc *self = px_element_state(el);
    if (ev->type != PX_EVENT_CAPS)
        return PX_OK;
    px_video_info info;
    char header[Y4MENC_HEADER_MAX];
    px_error err = {0};
    if (px_video_info_from_caps(&info, px_event_caps(ev), &err) != PX_OK) {
        px_element_error(el, PX_EINVAL, "new caps mid-stream are not raw video it can read: %s", err.message);
        return PX_EINVAL;
    }
    size_t len = y4menc_write_header(&info, header, sizeof header);
    if (len == self->header_len && !memcmp(header, self->header, len)) {
        self->info = info; /* the same frames, laid out with other padding */
        return PX_OK;
    }
    px_element_error(el, PX_ENOTSUP,
                     "Y4M cannot change size or format mid-stream: its one header says %dx%d %s at %d/%d for every "
                     "frame, but after frame %llu the frames become %dx%d %s at %d/%d; write each part to its own "
                     "file, or put videoscale (and videoconvert) before y4menc to keep one format",
                     self->info.width, self->info.height, px_video_format_to_string(self->info.format),
                     self->info.framerate.num, self->info.framerate.den, (unsigned long long)self->frames, info.width,
                     info.height, px_video_format_to_string(info.format), info.framerate.num, info.framerate.den);
    return PX_ENOTSUP;
}

PX_ELEMENT_CLASS(y4menc) = {
    .name = "y4menc",
    .family = "Codec/Encoder/Video",
    .description = "Writes raw video as a YUV4MPEG2 stream",
    .state_size = sizeof(y4menc),
    .sink = PX_PAD_ALWAYS("video/x-raw, format=(string){ I420, GRAY8, I420_10LE, Y42B, Y444, I422_10LE, Y444_10LE }, "
                          "width=(int)[ 1, 16384 ], "
                          "height=(int)[ 1, 16384 ], framerate=(fraction)[ 0/1, 2147483647/1 ]"),
    .src = PX_PAD_ALWAYS("application/x-yuv4mpeg, y4mversion=(int)2"),
    .hints = {.rt_safe = true},
    .start = y4menc_start,
    .chain = y4menc_chain,
    .event = y4menc_event,
};
