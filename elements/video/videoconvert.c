/* elements/video/videoconvert.c: converts raw video between formats (and
 * colour matrices/ranges), as GStreamer's videoconvert does. Width, height,
 * framerate and pixel-aspect-ratio pass through; format and colorimetry
 * may change.
 *
 * Not implemented (GStreamer properties): dither, chroma-resampler,
 * chroma-mode, matrix-mode, gamma-mode, primaries-mode, alpha-mode/value,
 * n-threads. Interlaced video is refused at caps time.
 *
 * Passthrough: when both sides negotiate the same layout, start() asks the
 * runtime to forward buffers untouched (no copy, no output slot).
 *
 * Renegotiation: new input caps mid-stream (a decoder's size change) keep
 * the output format and colorimetry; size, framerate and aspect follow the
 * input, and the new output caps go downstream first. Bigger frames get a
 * new arena of bigger slots (px_element_grow_output; the old one stays
 * until release for the buffers still downstream). A change that needs
 * converting after a start in passthrough (no slots at all) is an error. */

typedef struct {
    px_video_info in_info, out_info;
    px_video_converter *conv;
    bool passthrough;
    bool has_slots;   /* started converting: output slots exist */
    size_t slot_size; /* their size */
} videoconvert;

/* The other side carries the same caps with format and colorimetry freed,
 * restricted to the formats we convert. */
static int videoconvert_transform_caps(px_element *el, px_pad_dir dir, const px_caps *caps, px_caps *out)
{
    px_caps freed, tmpl;
    int rc;

    (void)el;
    (void)dir;
    if (px_caps_is_any(caps) || px_caps_is_empty(caps)) {
        *out = *caps;
        return PX_OK;
    }
    freed = *caps;
    px_caps_remove_field(&freed, "format");
    px_caps_remove_field(&freed, "colorimetry");
    px_caps_remove_field(&freed, "chroma-site");
    px_caps_remove_field(&freed, "padding-right"); /* a decoder's padded frames in, compact out */
    px_caps_remove_field(&freed, "padding-bottom");
    rc = px_caps_parse(&tmpl, PX_VIDEO_CAPS_TEMPLATE, NULL);
    if (rc != PX_OK)
        return rc;
    return px_caps_intersect(out, &freed, &tmpl);
}

static int videoconvert_start(px_element *el, px_error *err)
{
    videoconvert *self = px_element_state(el);
    const px_caps *in = px_element_get_caps(el, PX_DIR_SINK, 0);
    const px_caps *out = px_element_get_caps(el, PX_DIR_SRC, 0);
    int rc;

    if (!in || !out)
        return px_error_set(err, PX_ESTATE, 0, "%s: caps were not negotiated (no fixed caps on %s pad)",
                            px_element_name(el), in ? "src" : "sink");
    rc = px_video_info_from_caps(&self->in_info, in, err);
    if (rc == PX_OK)
        rc = px_video_info_from_caps(&self->out_info, out, err);
    if (rc != PX_OK) {
        char msg[PX_ERROR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "%s", err ? err->message : "");
        return px_error_set(err, rc, 0, "%s: %s", px_element_name(el), msg);
    }
    if (self->in_info.width != self->out_info.width || self->in_info.height != self->out_info.height)
        return px_error_set(err, PX_EINVAL, 0,
                            "%s: input is %dx%d but output is %dx%d; videoconvert does not scale "
                            "(add videoscale)",
                            px_element_name(el), self->in_info.width, self->in_info.height,
                            self->out_info.width, self->out_info.height);
    self->passthrough = px_video_info_is_equal(&self->in_info, &self->out_info);
    px_element_set_passthrough(el, self->passthrough);
    if (!self->passthrough) {
        self->conv = px_video_converter_new(&self->in_info, &self->out_info, 0, err);
        if (!self->conv)
            return err ? err->code : PX_ENOMEM;
    }
    px_element_request_output(el, self->out_info.size, 0);
    self->has_slots = !self->passthrough;
    self->slot_size = self->out_info.size;
    return PX_OK;
}

/* New input caps: the output keeps its format; the rest follows the input. */
static int videoconvert_event(px_element *el, const px_event *ev)
{
    videoconvert *self = px_element_state(el);
    if (ev->type != PX_EVENT_CAPS)
        return PX_OK;
    const char *name = px_element_name(el);
    const px_caps *cur = px_element_get_caps(el, PX_DIR_SRC, 0);
    px_video_info in, out;
    px_error err = {0};
    px_caps oc = *cur;
    px_fraction f;
    int rc = px_video_info_from_caps(&in, px_event_caps(ev), &err);
    if (!rc)
        rc = px_caps_set_int(&oc, "width", in.width);
    if (!rc)
        rc = px_caps_set_int(&oc, "height", in.height);
    if (!rc && px_caps_get_fraction(px_event_caps(ev), "framerate", &f) == PX_OK)
        rc = px_caps_set_fraction(&oc, "framerate", f);
    if (!rc && px_caps_get_fraction(px_event_caps(ev), "pixel-aspect-ratio", &f) == PX_OK)
        rc = px_caps_set_fraction(&oc, "pixel-aspect-ratio", f);
    if (!rc)
        rc = px_video_info_from_caps(&out, &oc, &err);
    if (rc) {
        px_element_error(el, rc, "cannot convert the new input mid-stream: %s", err.message[0] ? err.message :
                         px_status_str(rc));
        return rc;
    }
    bool pass = px_video_info_is_equal(&in, &out);
    if (!pass && self->has_slots && out.size > self->slot_size) {
        rc = px_element_grow_output(el, out.size); /* bigger frames: bigger slots, the old ones drain */
        if (rc) {
            px_element_error(el, PX_ENOMEM, "the input changes to %dx%d mid-stream: a %s frame needs %zu bytes, "
                             "but its output slots hold %zu (sized at prepare for %dx%d) and cannot grow: %s",
                             in.width, in.height, px_video_format_to_string(out.format), out.size, self->slot_size,
                             self->out_info.width, self->out_info.height,
                             rc == PX_ENOTSUP ? "the pipeline has isolated elements" : px_status_str(rc));
            return PX_ENOTSUP;
        }
        self->slot_size = out.size;
    }
    if (!pass && !self->has_slots) {
        px_element_error(el, PX_ENOTSUP, "the input changes to %dx%d %s mid-stream and now needs converting to %s, "
                         "but %s started in passthrough (the same format on both sides) and has no output slots",
                         in.width, in.height, px_video_format_to_string(in.format),
                         px_video_format_to_string(out.format), name);
        return PX_ENOTSUP;
    }
    px_video_converter *conv = NULL;
    if (!pass && !(conv = px_video_converter_new(&in, &out, 0, &err))) {
        px_element_error(el, err.code ? err.code : PX_ENOMEM, "cannot convert the new input: %s", err.message);
        return PX_ENOTSUP;
    }
    if (!px_caps_is_equal(&oc, cur) && px_element_push_caps(el, 0, &oc) != PX_FLOW_OK) {
        px_video_converter_free(conv);
        return PX_EFLOW;
    }
    px_video_converter_free(self->conv);
    self->conv = conv;
    self->in_info = in;
    self->out_info = out;
    self->passthrough = pass;
    px_element_set_passthrough(el, pass);
    return PX_OK;
}

static void videoconvert_stop(px_element *el)
{
    videoconvert *self = px_element_state(el);
    px_video_converter_free(self->conv);
    self->conv = NULL;
}

static px_flow videoconvert_process(px_element *el, px_frame *io)
{
    videoconvert *self = px_element_state(el);

    if (!px_video_frame_fits(el, io, &self->in_info, &self->out_info))
        return PX_FLOW_ERROR;
    px_video_converter_frame(self->conv, io->in.data, io->out.data);
    io->out.size = self->out_info.size;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(videoconvert) = {
    .name = "videoconvert",
    .family = "Filter/Converter/Video",
    .description = "Converts video from one colorspace to another",
    .state_size = sizeof(videoconvert),
    .sink = PX_PAD_ALWAYS(PX_VIDEO_CAPS_TEMPLATE),
    .src = PX_PAD_ALWAYS(PX_VIDEO_CAPS_TEMPLATE),
    .hints = {.processing = PX_WORK_CPU, .rt_safe = true},
    .start = videoconvert_start,
    .stop = videoconvert_stop,
    .process = videoconvert_process,
    .event = videoconvert_event,
    .transform_caps = videoconvert_transform_caps,
};
