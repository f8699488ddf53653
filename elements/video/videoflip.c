/* elements/video/videoflip.c: rotates and mirrors raw video.
 *
 * Properties follow GStreamer's videoflip: `method` (none, clockwise,
 * rotate-180, counterclockwise, horizontal-flip, vertical-flip,
 * upper-left-diagonal, upper-right-diagonal) and `video-direction`
 * (identity, 90r, 180, 90l, horiz, vert, ul-lr, ur-ll), numbered alike;
 * a non-identity video-direction wins over method. Rotations by 90 degrees
 * and the diagonal flips swap width and height in negotiation. Formats
 * whose chroma is subsampled in one direction only (4:2:2 packed) are not
 * offered: rotating them would need resampling; videoconvert gets them here. */

#define VIDEOFLIP_FORMATS \
    "{ I420, YV12, NV12, NV21, RGB, BGR, RGBA, BGRA, ARGB, ABGR, RGBx, BGRx, GRAY8, GRAY16_LE, I420_10LE }"
#define VIDEOFLIP_CAPS                                                                                    \
    "video/x-raw, format=(string)" VIDEOFLIP_FORMATS ", width=(int)[ 1, 16384 ], height=(int)[ 1, 16384 ], " \
    "framerate=(fraction)[ 0/1, 2147483647/1 ]"

typedef struct {
    int method;
    int video_direction;
    /* prepared in start() */
    int orient;
    px_video_info in, out;
} videoflip;

static const px_enum_value videoflip_methods[] = {
    {PX_VIDEO_ORIENT_IDENTITY, "none", "Identity (no rotation)"},
    {PX_VIDEO_ORIENT_90R, "clockwise", "Rotate clockwise 90 degrees"},
    {PX_VIDEO_ORIENT_180, "rotate-180", "Rotate 180 degrees"},
    {PX_VIDEO_ORIENT_90L, "counterclockwise", "Rotate counter-clockwise 90 degrees"},
    {PX_VIDEO_ORIENT_HORIZ, "horizontal-flip", "Flip horizontally"},
    {PX_VIDEO_ORIENT_VERT, "vertical-flip", "Flip vertically"},
    {PX_VIDEO_ORIENT_UL_LR, "upper-left-diagonal", "Flip across upper left/lower right diagonal"},
    {PX_VIDEO_ORIENT_UR_LL, "upper-right-diagonal", "Flip across upper right/lower left diagonal"},
    {0, NULL, NULL},
};

static const px_enum_value videoflip_directions[] = {
    {PX_VIDEO_ORIENT_IDENTITY, "identity", "Identity (no rotation)"},
    {PX_VIDEO_ORIENT_90R, "90r", "Rotate clockwise 90 degrees"},
    {PX_VIDEO_ORIENT_180, "180", "Rotate 180 degrees"},
    {PX_VIDEO_ORIENT_90L, "90l", "Rotate counter-clockwise 90 degrees"},
    {PX_VIDEO_ORIENT_HORIZ, "horiz", "Flip horizontally"},
    {PX_VIDEO_ORIENT_VERT, "vert", "Flip vertically"},
    {PX_VIDEO_ORIENT_UL_LR, "ul-lr", "Flip across upper left/lower right diagonal"},
    {PX_VIDEO_ORIENT_UR_LL, "ur-ll", "Flip across upper right/lower left diagonal"},
    {0, NULL, NULL},
};

static int videoflip_orientation(const videoflip *self)
{
    return self->video_direction != PX_VIDEO_ORIENT_IDENTITY ? self->video_direction : self->method;
}

/* Swaps the width and height fields (values, ranges and lists alike) by
 * swapping their names in the field table. */
static int videoflip_transform_caps(px_element *el, px_pad_dir dir, const px_caps *caps, px_caps *out)
{
    (void)dir;
    *out = *caps;
    if (!px_video_orientation_swaps(videoflip_orientation(px_element_state(el))) || px_caps_is_any(out) ||
        px_caps_is_empty(out))
        return PX_OK;
    for (size_t s = 0; s < out->n_structs; s++) {
        px_caps_struct *st = &out->structs[s];
        px_caps_field *w = NULL, *h = NULL;
        for (int i = 0; i < st->n_fields; i++) {
            px_caps_field *f = &out->fields[st->first_field + i];
            if (!strcmp(out->pool + f->name, "width"))
                w = f;
            else if (!strcmp(out->pool + f->name, "height"))
                h = f;
        }
        if (w && h) {
            uint16_t name = w->name;
            w->name = h->name;
            h->name = name;
        }
    }
    /* Only one of the two present: drop it rather than constrain the wrong axis. */
    for (size_t s = 0; s < out->n_structs; s++) {
        int has_w = 0, has_h = 0;
        px_caps_struct *st = &out->structs[s];
        for (int i = 0; i < st->n_fields; i++) {
            const char *n = out->pool + out->fields[st->first_field + i].name;
            has_w |= !strcmp(n, "width");
            has_h |= !strcmp(n, "height");
        }
        if (has_w != has_h) {
            px_caps_remove_field(out, has_w ? "width" : "height");
            break;
        }
    }
    return PX_OK;
}

static void videoflip_frame(const videoflip *self, const uint8_t *src, uint8_t *dst)
{
    const px_video_format_info *f = self->in.finfo;
    for (int p = 0; p < self->in.n_planes; p++) {
        int c = 0;
        while (c < 3 && c < f->n_components && f->plane[c] != p)
            c++;
        px_video_flip_plane(self->orient, src + self->in.offset[p], self->in.stride[p],
                            px_video_info_comp_width(&self->in, c), px_video_info_comp_height(&self->in, c),
                            f->pstride[c], dst + self->out.offset[p], self->out.stride[p]);
    }
}

static int videoflip_setup(videoflip *self, const px_video_info *in, const px_video_info *out)
{
    self->orient = videoflip_orientation(self);
    self->in = *in;
    self->out = *out;
    bool swap = px_video_orientation_swaps(self->orient);
    if (in->format != out->format || out->width != (swap ? in->height : in->width) ||
        out->height != (swap ? in->width : in->height))
        return PX_EINVAL;
    return PX_OK;
}

static int videoflip_start(px_element *el, px_error *err)
{
    videoflip *self = px_element_state(el);
    const px_caps *ic = px_element_get_caps(el, PX_DIR_SINK, 0), *oc = px_element_get_caps(el, PX_DIR_SRC, 0);
    px_video_info in, out;

    if (!ic || !oc)
        return px_error_set(err, PX_ESTATE, 0, "%s: started without negotiated caps", px_element_name(el));
    int rc = px_video_info_from_caps(&in, ic, err);
    if (!rc)
        rc = px_video_info_from_caps(&out, oc, err);
    if (rc)
        return rc;
    if (videoflip_setup(self, &in, &out))
        return px_error_set(err, PX_EINVAL, 0, "%s: %s %dx%d cannot become %s %dx%d", px_element_name(el),
                            px_video_format_to_string(in.format), in.width, in.height,
                            px_video_format_to_string(out.format), out.width, out.height);
    px_element_request_output(el, out.size, 0);
    return PX_OK;
}

static px_flow videoflip_process(px_element *el, px_frame *io)
{
    videoflip *self = px_element_state(el);
    if (!px_video_frame_fits(el, io, &self->in, &self->out))
        return PX_FLOW_ERROR;
    videoflip_frame(self, io->in.data, io->out.data);
    io->out.size = self->out.size;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(videoflip) = {
    .name = "videoflip",
    .family = "Filter/Effect/Video",
    .description = "Flips and rotates video",
    .state_size = sizeof(videoflip),
    .sink = PX_PAD_ALWAYS(VIDEOFLIP_CAPS),
    .src = PX_PAD_ALWAYS(VIDEOFLIP_CAPS),
    .hints = {.rt_safe = true},
    .start = videoflip_start,
    .process = videoflip_process,
    .transform_caps = videoflip_transform_caps,
    .props = PX_PROPS(
        PX_PROP_ENUM(videoflip, method, videoflip_methods, PX_VIDEO_ORIENT_IDENTITY, "Video flipping method"),
        PX_PROP_ENUM(videoflip, video_direction, videoflip_directions, PX_VIDEO_ORIENT_IDENTITY,
                     "Video direction: rotation and flipping (wins over method when not identity)")),
};
