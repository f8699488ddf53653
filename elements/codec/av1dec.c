/* elements/codec/av1dec.c: AV1 decoding with libdav1d (PX_CODEC_DAV1D).
 *
 * Zero copy: dav1d's picture allocator callbacks take each picture from
 * this element's output arena (px_element_alloc_output) and release it by
 * unref, so dav1d reconstructs straight into the slot that goes downstream;
 * the decoded frame is never copied. dav1d keeps up to 8 reference frames
 * plus the frames in flight, so start() asks for that many extra slots.
 *
 * Layout: dav1d needs 64-byte aligned planes of 128-pixel multiples (it
 * writes past the visible edge). Frames are therefore laid out as
 * GStreamer lays out a frame of the padded size, and the caps say so with
 * padding-right and padding-bottom (see px_video_info_set_padding), which
 * every video element honours; videoconvert drops the fields, so its output
 * (and a raw file written after it) is compact.
 *
 * Caps: format, width and height come from the stream's sequence header,
 * read ahead through upstream's peek (av1parse, ivfdemux), or else from the
 * sink caps av1parse gives: I420, I420_10LE, Y42B, I422_10LE, Y444,
 * Y444_10LE, GRAY8 by subsampling and depth (12-bit and 10-bit monochrome
 * are refused). A frame of another size or format mid-stream is an error
 * naming the frame (caps cannot change while streaming); super-resolution
 * streams decode (dav1d's coded-width pictures fit the negotiated slots).
 *
 * The compressed input is copied into dav1d's data buffer (a few KiB per
 * frame; dav1d keeps it while frame threads decode). Errors from dav1d
 * become bus errors naming the frame (its number in the input); with
 * skip-corrupt=true the frame is dropped, counted and decoding goes on.
 * EOS drains the decoder; a DISCONT buffer flushes it first. */

#include <dav1d/dav1d.h>

typedef struct {
    int threads, max_frame_delay; /* properties */
    bool apply_grain, skip_corrupt;
    /* from start() */
    px_element *el;
    px_video_info info;
    enum Dav1dPixelLayout layout;
    int bpc;
    Dav1dContext *ctx;     /* opened at the first buffer (av1dec_open) */
    Dav1dSettings settings;
    px_arena *arena; /* the output arena, set at the first picture (before any release) */
    /* streaming */
    uint64_t n_in, n_out, corrupt;
    bool alloc_failed;
    char alloc_msg[192];
} av1dec;

static px_video_format av1dec_format(const px__av1_seq *s)
{
    static const px_video_format f8[] = {PX_VIDEO_FORMAT_I420, PX_VIDEO_FORMAT_Y42B, PX_VIDEO_FORMAT_Y444};
    static const px_video_format f10[] = {PX_VIDEO_FORMAT_I420_10LE, PX_VIDEO_FORMAT_I422_10LE,
                                          PX_VIDEO_FORMAT_Y444_10LE};
    int k = s->subsampling_y ? 0 : s->subsampling_x ? 1 : 2;
    if (s->mono)
        return s->bit_depth == 8 ? PX_VIDEO_FORMAT_GRAY8 : PX_VIDEO_FORMAT_UNKNOWN;
    return s->bit_depth == 8 ? f8[k] : s->bit_depth == 10 ? f10[k] : PX_VIDEO_FORMAT_UNKNOWN;
}

static int av1dec_pad(int v) { return ((v + 127) & ~127) - v; }

static int av1dec_raw_caps(const px__av1_seq *s, px_caps *caps)
{
    px_video_format f = av1dec_format(s);
    if (f == PX_VIDEO_FORMAT_UNKNOWN)
        return PX_OK; /* start() says what is not supported */
    int rc = px_caps_set_string(caps, "format", px_video_format_to_string(f));
    if (!rc)
        rc = px_caps_set_int(caps, "width", s->max_width);
    if (!rc)
        rc = px_caps_set_int(caps, "height", s->max_height);
    if (!rc)
        rc = px_caps_set_int(caps, "padding-right", av1dec_pad(s->max_width));
    if (!rc)
        rc = px_caps_set_int(caps, "padding-bottom", av1dec_pad(s->max_height));
    return rc;
}

static int av1dec_get_caps(px_element *el, px_pad_dir dir, px_caps *caps)
{
    px__av1_seq s;
    if (dir != PX_DIR_SRC || px__av1_peek_sequence_header(el, &s) != PX_OK)
        return PX_OK;
    return av1dec_raw_caps(&s, caps);
}

/* Sink caps from av1parse (width, height, bit-depth-luma, chroma-format) to
 * raw caps, with the framerate; the src side says nothing about the sink. */
static int av1dec_transform_caps(px_element *el, px_pad_dir dir, const px_caps *caps, px_caps *out)
{
    px_fraction fr;
    int rc = px_caps_parse(out, dir == PX_DIR_SINK ? el->klass->src.caps : el->klass->sink.caps, NULL);
    if (rc || dir != PX_DIR_SINK)
        return rc;
    if (px_caps_get_fraction(caps, "framerate", &fr) == PX_OK)
        rc = px_caps_set_fraction(out, "framerate", fr);
    px__av1_seq s = {0};
    const char *chroma = px_caps_get_string(caps, "chroma-format");
    if (!rc && chroma && px_caps_get_int(caps, "width", &s.max_width) == PX_OK &&
        px_caps_get_int(caps, "height", &s.max_height) == PX_OK &&
        px_caps_get_int(caps, "bit-depth-luma", &s.bit_depth) == PX_OK) {
        s.mono = !strcmp(chroma, "4:0:0");
        s.subsampling_x = strcmp(chroma, "4:4:4") != 0;
        s.subsampling_y = !strcmp(chroma, "4:2:0") || s.mono;
        rc = av1dec_raw_caps(&s, out);
    }
    return rc;
}

static void av1dec_changed(av1dec *self, const Dav1dPictureParameters *pp)
{
    static const char *const layouts[] = {"4:0:0", "4:2:0", "4:2:2", "4:4:4"};
    snprintf(self->alloc_msg, sizeof self->alloc_msg,
             "the stream changes to %dx%d %d-bit %s but the pipeline negotiated %dx%d %s before it was read "
             "(caps cannot change while streaming)",
             pp->w, pp->h, pp->bpc, (unsigned)pp->layout < 4 ? layouts[pp->layout] : "?", self->info.width,
             self->info.height, self->info.finfo->name);
    self->alloc_failed = true;
}

/* Pictures smaller than the negotiated size fit the same padded layout:
 * dav1d allocates them for super-resolution (the coded-width frame it then
 * upscales into a full-size one); only the pictures it outputs must match. */
static int av1dec_alloc(Dav1dPicture *pic, void *cookie)
{
    av1dec *self = cookie;
    const px_video_info *info = &self->info;
    const Dav1dPictureParameters *pp = &pic->p;
    if (pp->w > info->width || pp->h > info->height || pp->layout != self->layout || pp->bpc != self->bpc) {
        av1dec_changed(self, pp);
        return DAV1D_ERR(EINVAL);
    }
    px_buffer b;
    if (px_element_alloc_output(self->el, &b) != PX_OK)
        return DAV1D_ERR(ENOMEM); /* the runtime has said why */
    if (!self->arena)
        self->arena = b.arena;
    if (b.arena != self->arena || b.capacity < info->size + DAV1D_PICTURE_ALIGNMENT) {
        snprintf(self->alloc_msg, sizeof self->alloc_msg, "output slot %u of %zu bytes cannot hold a %zu-byte "
                 "frame", b.slot, b.capacity, info->size + DAV1D_PICTURE_ALIGNMENT);
        self->alloc_failed = true;
        px_buffer_unref(&b);
        return DAV1D_ERR(ENOMEM);
    }
    for (int p = 0; p < 3; p++)
        pic->data[p] = p < info->n_planes ? b.data + info->offset[p] : NULL;
    pic->stride[0] = (ptrdiff_t)info->stride[0];
    pic->stride[1] = info->n_planes > 1 ? (ptrdiff_t)info->stride[1] : 0;
    pic->allocator_data = (void *)(uintptr_t)(b.slot + 1); /* the picture owns this slot reference */
    return 0;
}

/* The slot a dav1d picture lives in, as a buffer handle (no new reference). */
static px_buffer av1dec_slot(const av1dec *self, const Dav1dPicture *pic)
{
    px_buffer b = {0};
    b.arena = self->arena;
    b.slot = (uint32_t)((uintptr_t)pic->allocator_data - 1);
    b.data = px_arena_slot_data(b.arena, b.slot);
    b.capacity = px_arena_slot_size(b.arena);
    return b;
}

/* Any thread (frame threads release references too). */
static void av1dec_release(Dav1dPicture *pic, void *cookie)
{
    px_buffer b = av1dec_slot(cookie, pic);
    px_buffer_unref(&b);
}

static void av1dec_log(void *cookie, const char *fmt, va_list ap)
{
    char line[256];
    av1dec *self = cookie;
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    PX_DEBUG("av1dec", "%s: dav1d: %s", px_element_name(self->el), line);
    (void)self;
}

static int av1dec_start(px_element *el, px_error *err)
{
    av1dec *self = px_element_state(el);
    const char *name = px_element_name(el);
    const px_caps *caps = px_element_get_caps(el, PX_DIR_SRC, 0);
    if (!caps)
        return px_error_set(err, PX_ESTATE, 0, "%s: started without negotiated caps", name);
    int pad;
    if (px_caps_get_int(caps, "padding-right", &pad) == PX_ENOENT) {
        /* The caps did not come from a sequence header: say why there was none. */
        px__av1_seq seq;
        char msg[160] = "";
        size_t got = 0;
        uint8_t probe[1];
        int prc = px__av1_peek_sequence_header(el, &seq);
        if (prc == PX_ENOENT && px_element_peek_upstream(el, 0, probe, 1, &got) == PX_OK && got == 0)
            snprintf(msg, sizeof msg, "upstream gives no AV1 data to read ahead (an empty stream, or its "
                     "first frame is damaged)");
        else if (prc == PX_ENOENT)
            snprintf(msg, sizeof msg, "no AV1 sequence header in the first 256 KiB of the stream (not AV1, or "
                     "damaged)");
        else if (prc == PX_EINVAL)
            snprintf(msg, sizeof msg, "the stream is not valid AV1 up to its first sequence header (a "
                     "malformed OBU or sequence header)");
        else
            snprintf(msg, sizeof msg, "upstream cannot read ahead (a pipe or a live source)");
        return px_error_set(err, PX_EINVAL, 0,
                            "%s: cannot learn the stream's format before data flows: %s; av1dec needs it to "
                            "negotiate (read the file with filesrc, through ivfdemux and av1parse)",
                            name, msg);
    }
    int rc = px_video_info_from_caps(&self->info, caps, err);
    if (rc)
        return rc;
    const px_video_info *info = &self->info;
    switch (info->format) {
    case PX_VIDEO_FORMAT_I420: self->layout = DAV1D_PIXEL_LAYOUT_I420, self->bpc = 8; break;
    case PX_VIDEO_FORMAT_I420_10LE: self->layout = DAV1D_PIXEL_LAYOUT_I420, self->bpc = 10; break;
    case PX_VIDEO_FORMAT_Y42B: self->layout = DAV1D_PIXEL_LAYOUT_I422, self->bpc = 8; break;
    case PX_VIDEO_FORMAT_I422_10LE: self->layout = DAV1D_PIXEL_LAYOUT_I422, self->bpc = 10; break;
    case PX_VIDEO_FORMAT_Y444: self->layout = DAV1D_PIXEL_LAYOUT_I444, self->bpc = 8; break;
    case PX_VIDEO_FORMAT_Y444_10LE: self->layout = DAV1D_PIXEL_LAYOUT_I444, self->bpc = 10; break;
    case PX_VIDEO_FORMAT_GRAY8: self->layout = DAV1D_PIXEL_LAYOUT_I400, self->bpc = 8; break;
    default:
        return px_error_set(err, PX_ENOTSUP, 0,
                            "%s: negotiated %s, which dav1d does not output; the stream's sequence header was not "
                            "readable ahead (put av1parse before %s) or it is 12-bit or 10-bit monochrome",
                            name, info->finfo->name, name);
    }
    /* dav1d writes up to 128-pixel multiples and needs 64-byte aligned rows. */
    int pw = info->stride[0] / (size_t)info->finfo->pstride[0];
    int ph = info->n_planes > 1 ? (int)(info->offset[1] / info->stride[0]) : (int)(info->size / info->stride[0]);
    if (pw % 128 || ph % 128)
        return px_error_set(err, PX_EINVAL, 0,
                            "%s: negotiated frames %dx%d with rows of %zu bytes; dav1d needs planes padded to "
                            "multiples of 128 pixels (padding-right=%d, padding-bottom=%d): do not set the "
                            "padding fields after %s",
                            name, info->width, info->height, info->stride[0], av1dec_pad(info->width),
                            av1dec_pad(info->height), name);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = self->threads ? self->threads : cpus > 0 ? (int)cpus : 1;
    int delay = self->max_frame_delay;
    if (delay == 0)
        for (delay = 1; delay * delay < threads && delay < 8; delay++) {}
    if (delay > threads)
        delay = threads; /* dav1d caps it so */
    /* 8 references, and per frame in flight its picture, a film-grain copy and a delayed output. */
    uint32_t extra = 8 + 3 * (uint32_t)delay + 4;
    self->el = el;
    self->arena = NULL;
    self->n_in = self->n_out = self->corrupt = 0;
    self->alloc_failed = false;

    /* dav1d starts its threads at dav1d_open: at the first buffer, so that
     * an element process (forked after start) runs threads of its own. */
    Dav1dSettings *s = &self->settings;
    dav1d_default_settings(s);
    s->n_threads = self->threads;
    s->max_frame_delay = self->max_frame_delay;
    s->apply_grain = self->apply_grain;
    s->frame_size_limit = (unsigned)info->width * (unsigned)info->height;
    s->allocator.cookie = self;
    s->allocator.alloc_picture_callback = av1dec_alloc;
    s->allocator.release_picture_callback = av1dec_release;
    s->logger.cookie = self;
    s->logger.callback = av1dec_log;
    self->ctx = NULL;
    px_element_request_output(el, info->size + DAV1D_PICTURE_ALIGNMENT, extra);
    return PX_OK;
}

static int av1dec_open(px_element *el, av1dec *self)
{
    int rc = dav1d_open(&self->ctx, &self->settings);
    if (rc < 0) {
        self->ctx = NULL;
        px_element_error(el, PX_EINVAL, "dav1d_open failed: %s (threads=%d, max-frame-delay=%d)", strerror(-rc),
                         self->threads, self->max_frame_delay);
        return PX_EINVAL;
    }
    return PX_OK;
}

static void av1dec_stop(px_element *el)
{
    av1dec *self = px_element_state(el);
    if (self->ctx)
        dav1d_close(&self->ctx); /* releases every picture it holds */
    if (self->corrupt)
        PX_INFO("av1dec", "%s: %llu corrupt frames skipped", px_element_name(el), (unsigned long long)self->corrupt);
}

/* A decoding error: fatal, or with skip-corrupt a counted drop. */
static px_flow av1dec_failed(px_element *el, av1dec *self, int res, uint64_t frame)
{
    if (self->alloc_failed) {
        px_element_error(el, PX_ENOTSUP, "frame %llu: %s", (unsigned long long)frame, self->alloc_msg);
        return PX_FLOW_ERROR;
    }
    if (res == DAV1D_ERR(ERANGE)) { /* frame_size_limit: a bigger frame than the sequence header said */
        px_element_error(el, PX_ENOTSUP, "frame %llu is larger than the %dx%d the pipeline negotiated from the "
                         "stream's first sequence header (caps cannot change while streaming)",
                         (unsigned long long)frame, self->info.width, self->info.height);
        return PX_FLOW_ERROR;
    }
    if (res == DAV1D_ERR(ENOMEM)) {
        px_element_error(el, PX_ENOMEM, "frame %llu: dav1d is out of memory", (unsigned long long)frame);
        return PX_FLOW_ERROR;
    }
    if (self->skip_corrupt) {
        self->corrupt++;
        px_element_count_drop(el);
        px_element_warning(el, "frame %llu is corrupt (dav1d: %s); skipped (%llu so far)", (unsigned long long)frame,
                           strerror(-res), (unsigned long long)self->corrupt);
        return PX_FLOW_OK;
    }
    px_element_error(el, PX_EINVAL, "failed to decode frame %llu: dav1d: %s; set skip-corrupt=true to drop "
                     "corrupt frames", (unsigned long long)frame, strerror(-res));
    return PX_FLOW_ERROR;
}

static px_flow av1dec_output(px_element *el, av1dec *self, Dav1dPicture *pic)
{
    if (pic->p.w != self->info.width || pic->p.h != self->info.height) { /* resize mode, a new size */
        av1dec_changed(self, &pic->p);
        px_element_error(el, PX_ENOTSUP, "frame %llu: %s", (unsigned long long)pic->m.offset, self->alloc_msg);
        dav1d_picture_unref(pic);
        return PX_FLOW_ERROR;
    }
    px_buffer out = av1dec_slot(self, pic);
    px_buffer_ref(&out); /* downstream's reference; dav1d keeps its own while it needs the frame */
    px_buffer_reset_meta(&out);
    out.size = self->info.size;
    out.pts = pic->m.timestamp;
    out.duration = pic->m.duration > 0 ? pic->m.duration : PX_TIME_NONE;
    out.offset = self->n_out;
    out.offset_end = self->n_out + 1;
    if (pic->frame_hdr && pic->frame_hdr->frame_type != DAV1D_FRAME_TYPE_KEY)
        out.flags |= PX_BUFFER_FLAG_DELTA_UNIT;
    self->n_out++;
    dav1d_picture_unref(pic);
    return px_element_push(el, 0, &out);
}

/* Takes every picture dav1d has ready; with drain, until it has none left. */
static px_flow av1dec_pull(px_element *el, av1dec *self, bool drain)
{
    for (;;) {
        Dav1dPicture pic = {0};
        int res = dav1d_get_picture(self->ctx, &pic);
        if (res == DAV1D_ERR(EAGAIN))
            return PX_FLOW_OK;
        if (res < 0) {
            Dav1dDataProps props = {0};
            uint64_t frame = self->n_in ? self->n_in - 1 : 0;
            if (dav1d_get_decode_error_data_props(self->ctx, &props) == 0 && props.offset >= 0)
                frame = (uint64_t)props.offset;
            dav1d_data_props_unref(&props);
            px_flow r = av1dec_failed(el, self, res, frame);
            if (r != PX_FLOW_OK)
                return r;
            if (!drain)
                return PX_FLOW_OK;
            continue;
        }
        px_flow r = av1dec_output(el, self, &pic);
        if (r != PX_FLOW_OK)
            return r;
    }
}

static px_flow av1dec_chain(px_element *el, const px_buffer *in)
{
    av1dec *self = px_element_state(el);
    if (!self->ctx && av1dec_open(el, self) != PX_OK)
        return PX_FLOW_ERROR;
    uint64_t frame = self->n_in++;
    if ((in->flags & PX_BUFFER_FLAG_DISCONT) && frame > 0)
        dav1d_flush(self->ctx); /* a jump: nothing in flight belongs to what follows */
    if (in->size == 0)
        return PX_FLOW_OK;
    Dav1dData data = {0};
    uint8_t *p = dav1d_data_create(&data, in->size);
    if (!p) {
        px_element_error(el, PX_ENOMEM, "frame %llu: dav1d cannot allocate %zu bytes of input",
                         (unsigned long long)frame, in->size);
        return PX_FLOW_ERROR;
    }
    memcpy(p, in->data, in->size);
    data.m.timestamp = in->pts;
    data.m.duration = in->duration == PX_TIME_NONE ? 0 : in->duration;
    data.m.offset = (int64_t)frame;
    px_flow r = PX_FLOW_OK;
    while (data.sz > 0 && r == PX_FLOW_OK) {
        int res = dav1d_send_data(self->ctx, &data);
        if (res < 0 && res != DAV1D_ERR(EAGAIN)) {
            dav1d_data_unref(&data);
            return av1dec_failed(el, self, res, frame);
        }
        r = av1dec_pull(el, self, false);
    }
    if (data.sz > 0)
        dav1d_data_unref(&data);
    return r;
}

static int av1dec_event(px_element *el, const px_event *ev)
{
    av1dec *self = px_element_state(el);
    if (ev->type != PX_EVENT_EOS || !self->ctx)
        return PX_OK;
    return av1dec_pull(el, self, true) == PX_FLOW_ERROR ? PX_EFLOW : PX_OK;
}

PX_ELEMENT_CLASS(av1dec) = {
    .name = "av1dec",
    .family = "Codec/Decoder/Video",
    .description = "Decodes AV1 with dav1d, straight into arena slots",
    .state_size = sizeof(av1dec),
    .sink = PX_PAD_ALWAYS("video/x-av1, stream-format=(string)obu-stream, alignment=(string){ tu, frame }"),
    .src = PX_PAD_ALWAYS("video/x-raw, format=(string){ I420, I420_10LE, Y42B, I422_10LE, Y444, Y444_10LE, GRAY8 }, "
                         "width=(int)[ 1, 16384 ], height=(int)[ 1, 16384 ], "
                         "framerate=(fraction)[ 0/1, 2147483647/1 ]"),
    .hints = {.trust = PX_TRUST_UNTRUSTED, .processing = PX_WORK_CPU, .native_code = true},
    .start = av1dec_start,
    .stop = av1dec_stop,
    .chain = av1dec_chain,
    .event = av1dec_event,
    .get_caps = av1dec_get_caps,
    .transform_caps = av1dec_transform_caps,
    .props = PX_PROPS(
        PX_PROP_INT(av1dec, threads, 0, 256, 0, "Decoding threads (0: one per CPU, dav1d's default)"),
        PX_PROP_INT(av1dec, max_frame_delay, 0, 256, 0,
                    "Frames decoded in parallel before output (1: lowest latency; 0: dav1d's default)"),
        PX_PROP_BOOL(av1dec, apply_grain, true, "Apply film grain when the stream carries it"),
        PX_PROP_BOOL(av1dec, skip_corrupt, false, "Drop (and count) frames dav1d cannot decode instead of stopping")),
};
