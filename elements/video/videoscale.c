/* elements/video/videoscale.c: resizes raw video (format unchanged).
 *
 * Properties follow GStreamer's videoscale: method (nearest-neighbour,
 * bilinear (default), lanczos; plus area, a box filter that averages the
 * covered source pixels, best when shrinking by large factors) and
 * add-borders (default true: when the sizes would change the display aspect
 * ratio, scale into a centred rectangle of the right shape and fill the rest
 * with black). Negotiation: the other side is the same caps with width,
 * height and pixel-aspect-ratio free; with nothing forcing a size the output
 * keeps the input's. Each plane is scaled by the shared kernels in
 * parallax_impl/video/scale.c; tables and scratch rows are allocated in
 * start(), never per frame. 16-bit formats assume a little-endian host. */

#define VIDEOSCALE_FORMATS \
    "{ I420, YV12, NV12, NV21, RGB, BGR, RGBA, BGRA, ARGB, ABGR, RGBx, BGRx, GRAY8, GRAY16_LE, I420_10LE }"
#define VIDEOSCALE_CAPS                                                                                    \
    "video/x-raw, format=(string)" VIDEOSCALE_FORMATS ", width=(int)[ 1, 16384 ], height=(int)[ 1, 16384 ], " \
    "framerate=(fraction)[ 0/1, 2147483647/1 ]"

typedef struct {
    int method;
    bool add_borders;
    /* prepared in start() */
    px_video_info in, out;
    int x, y, w, h; /* the output rectangle the picture goes to (luma pixels) */
    bool borders;
    px_video_scaler scaler[PX_VIDEO_MAX_PLANES];
} videoscale;

static const px_enum_value videoscale_methods[] = {
    {PX_VIDEO_SCALE_NEAREST, "nearest-neighbour", "Nearest Neighbour"},
    {PX_VIDEO_SCALE_BILINEAR, "bilinear", "Bilinear (2-tap)"},
    {PX_VIDEO_SCALE_LANCZOS, "lanczos", "Lanczos (3 lobes)"},
    {PX_VIDEO_SCALE_AREA, "area", "Area (box average; Parallax only)"},
    {0, NULL, NULL},
};

static int videoscale_transform_caps(px_element *el, px_pad_dir dir, const px_caps *caps, px_caps *out)
{
    (void)el;
    (void)dir;
    *out = *caps;
    if (px_caps_is_any(out) || px_caps_is_empty(out))
        return PX_OK;
    int rc = px_caps_set_int_range(out, "width", 1, PX_VIDEO_MAX_SIZE);
    if (!rc)
        rc = px_caps_set_int_range(out, "height", 1, PX_VIDEO_MAX_SIZE);
    px_caps_remove_field(out, "pixel-aspect-ratio");
    px_caps_remove_field(out, "padding-right"); /* compact output */
    px_caps_remove_field(out, "padding-bottom");
    return rc;
}

/* First component stored in plane p. */
static int videoscale_plane_comp(const px_video_format_info *f, int p)
{
    for (int c = 0; c < f->n_components && c < 4; c++)
        if (f->plane[c] == p)
            return c;
    return 0;
}

/* The output rectangle: all of it, or with add-borders the largest centred
 * one with the input's display aspect ratio (even-aligned for chroma). */
static void videoscale_rect(videoscale *self)
{
    const px_video_info *in = &self->in, *out = &self->out;
    self->x = self->y = 0;
    self->w = out->width;
    self->h = out->height;
    self->borders = false;
    if (!self->add_borders)
        return;
    /* Display aspect ratios as exact fractions: in_w*par_in / in_h vs out_w*par_out / out_h. */
    int64_t in_n = (int64_t)in->width * in->par.num, in_d = (int64_t)in->height * in->par.den;
    int64_t out_n = (int64_t)out->width * out->par.num, out_d = (int64_t)out->height * out->par.den;
    if (in_n <= 0 || in_d <= 0 || out_n <= 0 || out_d <= 0 || in_n * out_d == out_n * in_d)
        return;
    int ax = 1 << self->out.finfo->w_sub[1 < self->out.finfo->n_components ? 1 : 0];
    int ay = 1 << self->out.finfo->h_sub[1 < self->out.finfo->n_components ? 1 : 0];
    /* width/height in output pixels for that DAR: w * par_out / h = in_n / in_d */
    if (in_n * out_d > out_n * in_d) { /* wider: full width, shorter */
        int64_t h = (int64_t)out->width * out->par.num * in_d / (in_n * out->par.den);
        self->h = (int)(h - h % ay);
        if (self->h < ay)
            self->h = ay;
        if (self->h > out->height)
            self->h = out->height;
        self->y = (out->height - self->h) / 2 / ay * ay;
    } else {
        int64_t w = (int64_t)out->height * out->par.den * in_n / (in_d * out->par.num);
        self->w = (int)(w - w % ax);
        if (self->w < ax)
            self->w = ax;
        if (self->w > out->width)
            self->w = out->width;
        self->x = (out->width - self->w) / 2 / ax * ax;
    }
    self->borders = self->w != out->width || self->h != out->height;
}

static void videoscale_clear(videoscale *self)
{
    for (int p = 0; p < PX_VIDEO_MAX_PLANES; p++)
        px_video_scaler_clear(&self->scaler[p]);
}

/* Sets up the plane scalers for in -> out (start(); unit tests call it). */
static int videoscale_setup(videoscale *self, const px_video_info *in, const px_video_info *out)
{
    videoscale_clear(self);
    self->in = *in;
    self->out = *out;
    videoscale_rect(self);
    const px_video_format_info *f = in->finfo;
    for (int p = 0; p < in->n_planes; p++) {
        int c = videoscale_plane_comp(f, p);
        int bytes = f->bits > 8 ? 2 : 1, ch = f->pstride[c] / bytes;
        int ws = f->w_sub[c], hs = f->h_sub[c];
        int dw = (self->w + (1 << ws) - 1) >> ws, dh = (self->h + (1 << hs) - 1) >> hs;
        int rc = px_video_scaler_init(&self->scaler[p], self->method, px_video_info_comp_width(in, c),
                                      px_video_info_comp_height(in, c), dw, dh, ch, bytes);
        if (rc) {
            videoscale_clear(self);
            return rc;
        }
    }
    return PX_OK;
}

/* Black for each format: Y 16 (10-bit 64), chroma mid, RGB 0, alpha opaque. */
static void videoscale_fill_black(const px_video_info *info, uint8_t *frame)
{
    const px_video_format_info *f = info->finfo;
    bool yuv = (f->flags & PX_VIDEO_FORMAT_FLAG_YUV) != 0;
    for (int p = 0; p < info->n_planes; p++) {
        uint8_t px[8] = {0};
        int c0 = videoscale_plane_comp(f, p), bytes = f->bits > 8 ? 2 : 1, bpp = f->pstride[c0];
        for (int c = 0; c < f->n_components && c < 4; c++) {
            if (f->plane[c] != p)
                continue;
            unsigned v = c == 3 ? 0xffffu : !yuv ? 0 : c == 0 ? 16u << (f->bits - 8) : 128u << (f->bits - 8);
            if (!yuv && (f->flags & PX_VIDEO_FORMAT_FLAG_GRAY))
                v = 0;
            px[f->poffset[c]] = (uint8_t)v;
            if (bytes == 2)
                px[f->poffset[c] + 1] = (uint8_t)(v >> 8);
        }
        px_video_fill_plane(frame + info->offset[p], info->stride[p], px_video_info_comp_width(info, c0),
                            px_video_info_comp_height(info, c0), px, bpp);
    }
}

static void videoscale_frame(videoscale *self, const uint8_t *src, uint8_t *dst)
{
    const px_video_format_info *f = self->out.finfo;
    if (self->borders)
        videoscale_fill_black(&self->out, dst);
    for (int p = 0; p < self->in.n_planes; p++) {
        int c = videoscale_plane_comp(f, p);
        size_t off = self->out.offset[p] + (size_t)(self->y >> f->h_sub[c]) * self->out.stride[p] +
                     (size_t)(self->x >> f->w_sub[c]) * f->pstride[c];
        px_video_scaler_run(&self->scaler[p], src + self->in.offset[p], self->in.stride[p], dst + off,
                            self->out.stride[p]);
    }
}

static int videoscale_start(px_element *el, px_error *err)
{
    videoscale *self = px_element_state(el);
    const px_caps *ic = px_element_get_caps(el, PX_DIR_SINK, 0), *oc = px_element_get_caps(el, PX_DIR_SRC, 0);
    px_video_info in, out;

    if (!ic || !oc)
        return px_error_set(err, PX_ESTATE, 0, "%s: started without negotiated caps", px_element_name(el));
    int rc = px_video_info_from_caps(&in, ic, err);
    if (!rc)
        rc = px_video_info_from_caps(&out, oc, err);
    if (rc)
        return rc;
    if (in.format != out.format)
        return px_error_set(err, PX_EINVAL, 0, "%s: converts sizes, not formats (%s in, %s out); add videoconvert",
                            px_element_name(el), px_video_format_to_string(in.format),
                            px_video_format_to_string(out.format));
    if ((rc = videoscale_setup(self, &in, &out)))
        return px_error_set(err, rc, 0, "%s: cannot scale %dx%d to %dx%d: %s", px_element_name(el), in.width,
                            in.height, out.width, out.height, px_status_str(rc));
    px_element_request_output(el, out.size, 0);
    return PX_OK;
}

/* New input caps mid-stream: the output keeps its size (and format); the
 * scalers are set up again for the new input. */
static int videoscale_event(px_element *el, const px_event *ev)
{
    videoscale *self = px_element_state(el);
    if (ev->type != PX_EVENT_CAPS)
        return PX_OK;
    const px_caps *cur = px_element_get_caps(el, PX_DIR_SRC, 0);
    px_caps oc = *cur;
    px_video_info in, out = self->out;
    px_error err = {0};
    px_fraction f;
    int rc = px_video_info_from_caps(&in, px_event_caps(ev), &err);
    if (rc) {
        px_element_error(el, rc, "cannot scale the new input mid-stream: %s", err.message);
        return rc;
    }
    if (in.format != out.format) {
        px_element_error(el, PX_ENOTSUP, "the input changes to %s mid-stream, but videoscale converts sizes, not "
                         "formats (%s out); put videoconvert before it", px_video_format_to_string(in.format),
                         px_video_format_to_string(out.format));
        return PX_ENOTSUP;
    }
    if (px_caps_get_fraction(px_event_caps(ev), "framerate", &f) == PX_OK && !px_caps_set_fraction(&oc, "framerate", f))
        out.framerate = f;
    if (!px_caps_is_equal(&oc, cur) && px_element_push_caps(el, 0, &oc) != PX_FLOW_OK)
        return PX_EFLOW;
    if ((rc = videoscale_setup(self, &in, &out))) {
        px_element_error(el, rc, "cannot scale %dx%d to %dx%d: %s", in.width, in.height, out.width, out.height,
                         px_status_str(rc));
        return rc;
    }
    return PX_OK;
}

static void videoscale_stop(px_element *el)
{
    videoscale_clear(px_element_state(el));
}

static px_flow videoscale_process(px_element *el, px_frame *io)
{
    videoscale *self = px_element_state(el);
    if (!px_video_frame_fits(el, io, &self->in, &self->out))
        return PX_FLOW_ERROR;
    videoscale_frame(self, io->in.data, io->out.data);
    io->out.size = self->out.size;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(videoscale) = {
    .name = "videoscale",
    .family = "Filter/Converter/Video/Scaler",
    .description = "Resizes video frames",
    .state_size = sizeof(videoscale),
    .sink = PX_PAD_ALWAYS(VIDEOSCALE_CAPS),
    .src = PX_PAD_ALWAYS(VIDEOSCALE_CAPS),
    .hints = {.rt_safe = true},
    .start = videoscale_start,
    .stop = videoscale_stop,
    .fini = videoscale_stop,
    .process = videoscale_process,
    .event = videoscale_event,
    .transform_caps = videoscale_transform_caps,
    .props = PX_PROPS(
        PX_PROP_ENUM(videoscale, method, videoscale_methods, PX_VIDEO_SCALE_BILINEAR, "Method to use for scaling"),
        PX_PROP_BOOL(videoscale, add_borders, true,
                     "Add black borders to keep the display aspect ratio when the size would change it")),
};
