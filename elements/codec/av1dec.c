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
 * are refused). Super-resolution streams decode (dav1d's coded-width
 * pictures get their own padded layout in the same slots).
 *
 * Renegotiation: when the pictures dav1d outputs change size or format (a
 * new sequence header, resize mode, concatenated streams), av1dec sends
 * the new caps downstream (px_element_push_caps) before the first picture
 * of the new format; elements that cannot follow refuse with an error
 * naming both caps. Slots are sized once, at prepare, for the larger of the
 * first sequence header's max_frame_width/height and the max-width /
 * max-height properties, in the negotiated format (arenas never grow while
 * streaming): a later frame that does not fit is an error naming its size
 * and the properties to set.
 *
 * The compressed input is copied into dav1d's data buffer (a few KiB per
 * frame; dav1d keeps it while frame threads decode). Errors from dav1d
 * become bus errors naming the frame (its number in the input); with
 * skip-corrupt=true the frame is dropped, counted and decoding goes on.
 * EOS drains the decoder. A DISCONT buffer (data was lost or skipped
 * before it) flushes it first: the pictures in flight are dropped, and
 * temporal units flagged DELTA_UNIT (av1parse flags them) are skipped and
 * counted as drops until the next keyframe, where decoding restarts. */

#include <dav1d/dav1d.h>

typedef struct {
    int threads, max_frame_delay, max_width, max_height; /* properties */
    bool apply_grain, skip_corrupt;
    /* from start() */
    px_element *el;
    px_video_info info;
    enum Dav1dPixelLayout layout;
    int bpc;
    Dav1dContext *ctx;     /* opened at the first buffer (av1dec_open) */
    Dav1dSettings settings;
    px_arena *arena; /* the output arena, set at the first picture (before any release) */
    int slot_w, slot_h; /* the largest frame the slots were sized for */
    size_t slot_size;
    /* Layout of pictures of another size or format than info (a size change
     * coming, or super-resolution's coded-width pictures): a one-entry cache. */
    px_video_info alloc_info;
    int alloc_w, alloc_h, alloc_bpc; /* alloc_w 0: none */
    enum Dav1dPixelLayout alloc_layout;
    /* streaming */
    uint64_t n_in, n_out, corrupt, skipped;
    bool wait_key; /* after a DISCONT: delta units are skipped until a keyframe */
    bool alloc_failed;
    uint64_t alloc_frame; /* the input frame being submitted (dav1d allocates on the caller's thread) */
    char alloc_msg[384];
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

static const char *av1dec_layout_name(enum Dav1dPixelLayout l)
{
    static const char *const layouts[] = {"4:0:0", "4:2:0", "4:2:2", "4:4:4"};
    return (unsigned)l < 4 ? layouts[l] : "?";
}

/* Caps for pictures of pp's size and format: the current src caps (rate,
 * aspect) with format, size and padding replaced. */
static int av1dec_caps_for(av1dec *self, const Dav1dPictureParameters *pp, px_caps *caps)
{
    const px_caps *cur = px_element_get_caps(self->el, PX_DIR_SRC, 0);
    if (!cur)
        return PX_ESTATE;
    px__av1_seq s = {0};
    s.max_width = pp->w;
    s.max_height = pp->h;
    s.bit_depth = pp->bpc;
    s.mono = pp->layout == DAV1D_PIXEL_LAYOUT_I400;
    s.subsampling_x = pp->layout != DAV1D_PIXEL_LAYOUT_I444;
    s.subsampling_y = pp->layout == DAV1D_PIXEL_LAYOUT_I420 || s.mono;
    if (av1dec_format(&s) == PX_VIDEO_FORMAT_UNKNOWN)
        return PX_ENOTSUP;
    *caps = *cur;
    return av1dec_raw_caps(&s, caps);
}

/* The layout of pictures of pp's size and format, or NULL (alloc_msg says why). */
static const px_video_info *av1dec_layout_for(av1dec *self, const Dav1dPictureParameters *pp)
{
    if (self->alloc_w == pp->w && self->alloc_h == pp->h && self->alloc_layout == pp->layout &&
        self->alloc_bpc == pp->bpc)
        return &self->alloc_info;
    if (pp->w > self->slot_w || pp->h > self->slot_h) {
        snprintf(self->alloc_msg, sizeof self->alloc_msg,
                 "the stream grows to %dx%d, beyond the %dx%d its output slots were sized for at prepare (the "
                 "first sequence header's maximum frame size); set max-width=%d max-height=%d on %s",
                 pp->w, pp->h, self->slot_w, self->slot_h, pp->w > self->slot_w ? pp->w : self->slot_w,
                 pp->h > self->slot_h ? pp->h : self->slot_h, px_element_name(self->el));
        self->alloc_failed = true, self->alloc_frame = self->n_in - 1;
        return NULL;
    }
    px_caps caps;
    self->alloc_w = 0; /* alloc_info is rewritten: valid again only on success */
    int rc = av1dec_caps_for(self, pp, &caps);
    if (rc == PX_OK)
        rc = px_video_info_from_caps(&self->alloc_info, &caps, NULL);
    if (rc) {
        snprintf(self->alloc_msg, sizeof self->alloc_msg, "the stream changes to %dx%d %d-bit %s, which av1dec "
                 "does not output (%s)", pp->w, pp->h, pp->bpc, av1dec_layout_name(pp->layout), px_status_str(rc));
        self->alloc_failed = true, self->alloc_frame = self->n_in - 1;
        return NULL;
    }
    if (self->alloc_info.size + DAV1D_PICTURE_ALIGNMENT > self->slot_size) {
        snprintf(self->alloc_msg, sizeof self->alloc_msg, "the stream changes to %dx%d %d-bit %s, whose "
                 "%zu-byte frames do not fit the %zu-byte output slots sized at prepare for %s (decode each "
                 "part in its own pipeline)", pp->w, pp->h, pp->bpc, av1dec_layout_name(pp->layout),
                 self->alloc_info.size, self->slot_size - DAV1D_PICTURE_ALIGNMENT, self->info.finfo->name);
        self->alloc_failed = true, self->alloc_frame = self->n_in - 1;
        return NULL;
    }
    self->alloc_w = pp->w, self->alloc_h = pp->h, self->alloc_layout = pp->layout, self->alloc_bpc = pp->bpc;
    return &self->alloc_info;
}

/* Pictures of the current format use its layout; others (a size change
 * coming, super-resolution's coded-width pictures) get the padded layout
 * of their own size, which the caps sent with them will say. */
static int av1dec_alloc(Dav1dPicture *pic, void *cookie)
{
    av1dec *self = cookie;
    const px_video_info *info = &self->info;
    const Dav1dPictureParameters *pp = &pic->p;
    if (pp->w != info->width || pp->h != info->height || pp->layout != self->layout || pp->bpc != self->bpc) {
        info = av1dec_layout_for(self, pp);
        if (!info)
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
        self->alloc_failed = true, self->alloc_frame = self->n_in - 1;
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
    self->n_in = self->n_out = self->corrupt = self->skipped = 0;
    self->alloc_failed = self->wait_key = false;
    self->alloc_w = 0;
    /* Slots for the largest frame to come: arenas never grow while streaming. */
    self->slot_w = info->width > self->max_width ? info->width : self->max_width;
    self->slot_h = info->height > self->max_height ? info->height : self->max_height;
    self->slot_size = info->size + DAV1D_PICTURE_ALIGNMENT;
    if (self->slot_w != info->width || self->slot_h != info->height) {
        Dav1dPictureParameters big = {.w = self->slot_w, .h = self->slot_h, .layout = self->layout, .bpc = self->bpc};
        px_caps bc;
        px_video_info bi;
        rc = av1dec_caps_for(self, &big, &bc);
        if (!rc)
            rc = px_video_info_from_caps(&bi, &bc, err);
        if (rc)
            return px_error_set(err, rc, 0, "%s: cannot size slots for %dx%d frames (max-width, max-height)",
                                name, self->slot_w, self->slot_h);
        self->slot_size = bi.size + DAV1D_PICTURE_ALIGNMENT;
    }

    /* dav1d starts its threads at dav1d_open: at the first buffer, so that
     * an element process (forked after start) runs threads of its own. */
    Dav1dSettings *s = &self->settings;
    dav1d_default_settings(s);
    s->n_threads = self->threads;
    s->max_frame_delay = self->max_frame_delay;
    s->apply_grain = self->apply_grain;
    s->frame_size_limit = (unsigned)self->slot_w * (unsigned)self->slot_h;
    s->allocator.cookie = self;
    s->allocator.alloc_picture_callback = av1dec_alloc;
    s->allocator.release_picture_callback = av1dec_release;
    s->logger.cookie = self;
    s->logger.callback = av1dec_log;
    self->ctx = NULL;
    px_element_request_output(el, self->slot_size, extra);
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
    if (self->skipped)
        PX_INFO("av1dec", "%s: %llu delta units skipped after discontinuities", px_element_name(el),
                (unsigned long long)self->skipped);
}

/* A decoding error: fatal, or with skip-corrupt a counted drop. */
static px_flow av1dec_failed(px_element *el, av1dec *self, int res, uint64_t frame)
{
    if (self->alloc_failed) {
        px_element_error(el, PX_ENOTSUP, "frame %llu: %s", (unsigned long long)self->alloc_frame, self->alloc_msg);
        return PX_FLOW_ERROR;
    }
    if (res == DAV1D_ERR(ERANGE)) { /* frame_size_limit: a bigger frame than the slots hold */
        px_element_error(el, PX_ENOTSUP, "frame %llu is larger than the %dx%d its output slots were sized for at "
                         "prepare (the stream's first sequence header); set max-width and max-height on %s for "
                         "streams that grow", (unsigned long long)frame, self->slot_w, self->slot_h,
                         px_element_name(el));
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

/* The pictures change size or format: new caps downstream, then the picture
 * (laid out by av1dec_layout_for when it was allocated). */
static px_flow av1dec_renegotiate(px_element *el, av1dec *self, const Dav1dPicture *pic)
{
    px_caps caps;
    px_video_info info;
    int rc = av1dec_caps_for(self, &pic->p, &caps);
    if (!rc)
        rc = px_video_info_from_caps(&info, &caps, NULL);
    if (rc) {
        px_element_error(el, PX_ENOTSUP, "frame %llu: the stream changes to %dx%d %d-bit %s, which av1dec does not "
                         "output", (unsigned long long)pic->m.offset, pic->p.w, pic->p.h, pic->p.bpc,
                         av1dec_layout_name(pic->p.layout));
        return PX_FLOW_ERROR;
    }
    PX_INFO("av1dec", "%s: frame %llu: %dx%d %s -> %dx%d %s", px_element_name(el), (unsigned long long)pic->m.offset,
            self->info.width, self->info.height, self->info.finfo->name, info.width, info.height, info.finfo->name);
    px_flow r = px_element_push_caps(el, 0, &caps);
    if (r != PX_FLOW_OK)
        return r;
    self->info = info;
    self->layout = pic->p.layout;
    self->bpc = pic->p.bpc;
    return PX_FLOW_OK;
}

static px_flow av1dec_output(px_element *el, av1dec *self, Dav1dPicture *pic)
{
    if (pic->p.w != self->info.width || pic->p.h != self->info.height || pic->p.layout != self->layout ||
        pic->p.bpc != self->bpc) {
        px_flow r = av1dec_renegotiate(el, self, pic);
        if (r != PX_FLOW_OK) {
            dav1d_picture_unref(pic);
            return r;
        }
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

/* Without drain: takes the picture dav1d has ready, if any, and only one.
 * dav1d reads a second dav1d_get_picture() with no dav1d_send_data() in
 * between as a drain and waits there for the frames in flight, so taking
 * "every ready picture" would stop feeding its frame threads after each
 * output (the dav1d CLI asks once per send too). With drain (EOS): every
 * picture, until it has none left. */
static px_flow av1dec_pull(px_element *el, av1dec *self, bool drain)
{
    for (int n = 0; drain || n < 1; n++) {
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
    return PX_FLOW_OK;
}

static px_flow av1dec_chain(px_element *el, const px_buffer *in)
{
    av1dec *self = px_element_state(el);
    if (!self->ctx && av1dec_open(el, self) != PX_OK)
        return PX_FLOW_ERROR;
    uint64_t frame = self->n_in++;
    if ((in->flags & PX_BUFFER_FLAG_DISCONT) && frame > 0) {
        dav1d_flush(self->ctx); /* a jump: nothing in flight belongs to what follows */
        self->wait_key = true;
    }
    if (self->wait_key) { /* its references are gone: only a keyframe decodes */
        if (in->flags & PX_BUFFER_FLAG_DELTA_UNIT) {
            self->skipped++;
            px_element_count_drop(el);
            return PX_FLOW_OK;
        }
        self->wait_key = false;
    }
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
    if (ev->type == PX_EVENT_CAPS) /* new compressed caps: the bitstream says what they mean */
        return PX_OK;
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
        PX_PROP_INT(av1dec, max_width, 0, 16384, 0,
                    "Widest frame to size output slots for (0: the first sequence header's maximum)"),
        PX_PROP_INT(av1dec, max_height, 0, 16384, 0,
                    "Tallest frame to size output slots for (0: the first sequence header's maximum)"),
        PX_PROP_BOOL(av1dec, apply_grain, true, "Apply film grain when the stream carries it"),
        PX_PROP_BOOL(av1dec, skip_corrupt, false, "Drop (and count) frames dav1d cannot decode instead of stopping")),
};
