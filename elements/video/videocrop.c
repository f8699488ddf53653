/* elements/video/videocrop.c: removes pixels from the edges of raw video.
 *
 * Properties follow GStreamer's videocrop (top, bottom, left, right, default
 * 0). Negotiation: the src side is the sink side less the crop (and the sink
 * side the src side plus it). For subsampled formats the top/left edges are
 * rounded down to the chroma grid, as GStreamer does, so the chroma stays
 * aligned with the luma.
 *
 * Zero-copy: the crop of a packed format, or of any format when only top
 * and bottom change, is a window into the input (same strides, a data
 * offset). The runtime hands process() a pre-allocated output, so for now
 * every frame is copied row by row; an API that lets process() return the
 * input with a data offset and a stride (px_buffer views plus per-buffer
 * video layout) would make these cases free. */

#define VIDEOCROP_CAPS PX_VIDEO_CAPS_TEMPLATE

typedef struct {
    int top, bottom, left, right;
    /* prepared in start() */
    px_video_info in, out;
    int x, y; /* crop origin in luma pixels, on the chroma grid */
} videocrop;

/* Applies the crop (sign -1: sink -> src) or undoes it (+1) on every
 * structure's width and height, keeping ranges as ranges. */
static int videocrop_adjust(const px_caps *caps, px_caps *out, const char *field, int delta)
{
    for (size_t s = 0; s < out->n_structs; s++) {
        px_caps_struct *st = &out->structs[s];
        for (int i = 0; i < st->n_fields; i++) {
            px_caps_field *f = &out->fields[st->first_field + i];
            if (strcmp(out->pool + f->name, field) != 0)
                continue;
            for (int k = 0; k < f->n; k++) {
                px_value *v = &out->values[f->first + k];
                if (v->type == PX_VALUE_INT) {
                    int64_t n = (int64_t)v->a + delta;
                    if (n < 1 || n > PX_VIDEO_MAX_SIZE)
                        return PX_EINVAL;
                    v->a = (int32_t)n;
                } else if (v->type == PX_VALUE_INT_RANGE) {
                    int64_t lo = (int64_t)v->a + delta, hi = (int64_t)v->b + delta;
                    v->a = (int32_t)(lo < 1 ? 1 : lo > PX_VIDEO_MAX_SIZE ? PX_VIDEO_MAX_SIZE : lo);
                    v->b = (int32_t)(hi < 1 ? 1 : hi > PX_VIDEO_MAX_SIZE ? PX_VIDEO_MAX_SIZE : hi);
                }
            }
        }
    }
    (void)caps;
    return PX_OK;
}

static int videocrop_transform_caps(px_element *el, px_pad_dir dir, const px_caps *caps, px_caps *out)
{
    const videocrop *self = px_element_state(el);
    int sign = dir == PX_DIR_SINK ? -1 : 1;
    *out = *caps;
    if (px_caps_is_any(out) || px_caps_is_empty(out))
        return PX_OK;
    if (videocrop_adjust(caps, out, "width", sign * (self->left + self->right)) ||
        videocrop_adjust(caps, out, "height", sign * (self->top + self->bottom)))
        px_caps_set_empty(out); /* the crop is larger than the frame: nothing fits */
    return PX_OK;
}

static int videocrop_setup(videocrop *self, const px_video_info *in, const px_video_info *out)
{
    const px_video_format_info *f = in->finfo;
    int ax = 1, ay = 1;
    for (int c = 0; c < f->n_components && c < 4; c++) {
        if ((1 << f->w_sub[c]) > ax)
            ax = 1 << f->w_sub[c];
        if ((1 << f->h_sub[c]) > ay)
            ay = 1 << f->h_sub[c];
    }
    if (in->format == PX_VIDEO_FORMAT_YUY2 || in->format == PX_VIDEO_FORMAT_UYVY)
        ax = 2; /* a macropixel holds two luma samples */
    self->in = *in;
    self->out = *out;
    self->x = self->left / ax * ax;
    self->y = self->top / ay * ay;
    if (in->format != out->format || self->x + out->width > in->width || self->y + out->height > in->height)
        return PX_EINVAL;
    return PX_OK;
}

static void videocrop_frame(const videocrop *self, const uint8_t *src, uint8_t *dst)
{
    const px_video_format_info *f = self->in.finfo;
    for (int p = 0; p < self->in.n_planes; p++) {
        int c = 0;
        while (c < 3 && c < f->n_components && f->plane[c] != p)
            c++;
        /* YUY2/UYVY: pstride of Y is 2 bytes per luma pixel, which is what we step by. */
        size_t bpp = f->pstride[c], xs = (size_t)(self->x >> f->w_sub[c]);
        if (self->in.format == PX_VIDEO_FORMAT_YUY2 || self->in.format == PX_VIDEO_FORMAT_UYVY)
            bpp = 2, xs = (size_t)self->x;
        const uint8_t *s = src + self->in.offset[p] + (size_t)(self->y >> f->h_sub[c]) * self->in.stride[p] + xs * bpp;
        size_t row = (size_t)px_video_info_comp_width(&self->out, c) * f->pstride[c];
        if (self->in.format == PX_VIDEO_FORMAT_YUY2 || self->in.format == PX_VIDEO_FORMAT_UYVY)
            row = (size_t)((self->out.width + 1) & ~1) * 2;
        px_video_copy_plane(s, self->in.stride[p], dst + self->out.offset[p], self->out.stride[p], row,
                            px_video_info_comp_height(&self->out, c));
    }
}

static int videocrop_start(px_element *el, px_error *err)
{
    videocrop *self = px_element_state(el);
    const px_caps *ic = px_element_get_caps(el, PX_DIR_SINK, 0), *oc = px_element_get_caps(el, PX_DIR_SRC, 0);
    px_video_info in, out;

    if (!ic || !oc)
        return px_error_set(err, PX_ESTATE, 0, "%s: started without negotiated caps", px_element_name(el));
    int rc = px_video_info_from_caps(&in, ic, err);
    if (!rc)
        rc = px_video_info_from_caps(&out, oc, err);
    if (rc)
        return rc;
    if (videocrop_setup(self, &in, &out))
        return px_error_set(err, PX_EINVAL, 0,
                            "%s: cannot crop top=%d bottom=%d left=%d right=%d from %dx%d to %dx%d; "
                            "the crop must leave at least one pixel",
                            px_element_name(el), self->top, self->bottom, self->left, self->right, in.width,
                            in.height, out.width, out.height);
    px_element_request_output(el, out.size, 0);
    return PX_OK;
}

static px_flow videocrop_process(px_element *el, px_frame *io)
{
    videocrop *self = px_element_state(el);
    if (!px_video_frame_fits(el, io, &self->in, &self->out))
        return PX_FLOW_ERROR;
    videocrop_frame(self, io->in.data, io->out.data);
    io->out.size = self->out.size;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(videocrop) = {
    .name = "videocrop",
    .family = "Filter/Effect/Video",
    .description = "Crops video to a rectangle",
    .state_size = sizeof(videocrop),
    .sink = PX_PAD_ALWAYS(VIDEOCROP_CAPS),
    .src = PX_PAD_ALWAYS(VIDEOCROP_CAPS),
    .hints = {.rt_safe = true},
    .start = videocrop_start,
    .process = videocrop_process,
    .transform_caps = videocrop_transform_caps,
    .props = PX_PROPS(PX_PROP_INT(videocrop, top, 0, PX_VIDEO_MAX_SIZE, 0, "Pixels to crop at the top"),
                      PX_PROP_INT(videocrop, bottom, 0, PX_VIDEO_MAX_SIZE, 0, "Pixels to crop at the bottom"),
                      PX_PROP_INT(videocrop, left, 0, PX_VIDEO_MAX_SIZE, 0, "Pixels to crop at the left"),
                      PX_PROP_INT(videocrop, right, 0, PX_VIDEO_MAX_SIZE, 0, "Pixels to crop at the right")),
};
