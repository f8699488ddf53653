/* elements/codec/av1parse.c: AV1 OBU stream ("low overhead bitstream
 * format", AV1 spec section 5) to temporal units with keyframe flags and
 * caps from the sequence header.
 *
 * Caps: the src caps carry width and height (max_frame_width/height),
 * profile (main, high, professional), bit-depth-luma/-chroma and
 * chroma-format (4:2:0, 4:2:2, 4:4:4, 4:0:0) of the stream's first sequence
 * header, read ahead through upstream's peek (ivfdemux answers with its
 * frames), so the decoder after it negotiates the right raw format before
 * data flows. The framerate of the sink caps passes through.
 *
 * Alignment: with alignment=tu on the sink caps (ivfdemux: one temporal
 * unit per buffer) every buffer is checked and forwarded by reference, no
 * copy. Otherwise the input is a byte stream: OBUs are gathered into an
 * output slot and a temporal unit ends where the next temporal delimiter
 * starts (and at EOS).
 *
 * Flags: temporal units without a key frame get PX_BUFFER_FLAG_DELTA_UNIT.
 * A sequence header that changes size, depth or subsampling mid-stream
 * sends new caps downstream before its temporal unit (px_element_push_caps:
 * concatenated streams, a new sequence); the decoder follows it.
 * Malformed OBUs are an error naming the unit and byte, or with
 * skip-corrupt=true a counted drop of that unit. */

typedef struct {
    bool skip_corrupt; /* property */
    /* from start() */
    bool aligned;
    bool have_caps_seq;
    px__av1_seq caps_seq; /* what the caps said */
    /* streaming */
    bool have_seq;
    px__av1_seq seq;
    px_buffer cur; /* byte-stream mode: the unit being gathered */
    size_t scanned; /* bytes of cur already split into OBUs */
    bool cur_has_td;
    px_time cur_pts;
    uint64_t n;     /* temporal units out */
    uint64_t pos;   /* input bytes seen */
    uint64_t corrupt;
} av1parse;

static int av1parse_get_caps(px_element *el, px_pad_dir dir, px_caps *caps)
{
    av1parse *self = px_element_state(el);
    px__av1_seq s;
    if (dir != PX_DIR_SRC || px__av1_peek_sequence_header(el, &s) != PX_OK)
        return PX_OK; /* found while streaming, or reported there */
    self->have_caps_seq = true;
    self->caps_seq = s;
    return px__av1_seq_caps(&s, caps);
}

/* Sink to src: the framerate goes along (the rest of src comes from the stream). */
static int av1parse_transform_caps(px_element *el, px_pad_dir dir, const px_caps *caps, px_caps *out)
{
    px_fraction fr;
    (void)el;
    int rc = px_caps_parse(out, dir == PX_DIR_SINK ? el->klass->src.caps : el->klass->sink.caps, NULL);
    if (!rc && px_caps_get_fraction(caps, "framerate", &fr) == PX_OK)
        rc = px_caps_set_fraction(out, "framerate", fr);
    return rc;
}

static int av1parse_peek(px_element *el, uint64_t offset, void *dst, size_t size, size_t *got)
{
    return px_element_peek_upstream(el, offset, dst, size, got); /* the same bytes, only regrouped */
}

static int av1parse_start(px_element *el, px_error *err)
{
    av1parse *self = px_element_state(el);
    const px_caps *in = px_element_get_caps(el, PX_DIR_SINK, 0);
    const char *al = in ? px_caps_get_string(in, "alignment") : NULL;
    (void)err;
    self->aligned = al && (!strcmp(al, "tu") || !strcmp(al, "frame"));
    self->have_seq = false;
    self->n = self->pos = self->corrupt = 0;
    self->scanned = 0;
    self->cur_has_td = false;
    memset(&self->cur, 0, sizeof self->cur);
    size_t slot = 1u << 20;
    if (self->aligned) {
        px_element_request_output(el, 4096, 0); /* units go on by reference: no slot is ever taken */
        px_element_set_passthrough(el, true); /* queues and isolated peers see ivfdemux's arena */
        return PX_OK;
    }
    if (self->have_caps_seq) {
        size_t raw = (size_t)self->caps_seq.max_width * (size_t)self->caps_seq.max_height;
        slot = raw > slot ? raw : slot;
    }
    px_element_request_output(el, slot, 1);
    return PX_OK;
}

static void av1parse_stop(px_element *el)
{
    av1parse *self = px_element_state(el);
    if (self->cur.arena)
        px_buffer_unref(&self->cur);
}

static bool av1parse_same_format(const px__av1_seq *a, const px__av1_seq *b)
{
    return a->max_width == b->max_width && a->max_height == b->max_height && a->bit_depth == b->bit_depth &&
           a->mono == b->mono && a->subsampling_x == b->subsampling_x && a->subsampling_y == b->subsampling_y;
}

/* Checks the OBUs of one temporal unit; sets *key. PX_OK, or PX_EINVAL
 * after posting an error (or a warning with skip-corrupt). */
static int av1parse_scan_unit(px_element *el, av1parse *self, const uint8_t *p, size_t len, bool *key)
{
    char msg[192];
    size_t pos = 0;
    *key = false;
    while (pos < len) {
        px__obu o;
        int rc = px__av1_obu(p + pos, len - pos, &o, msg, sizeof msg);
        if (rc == PX_EAGAIN)
            snprintf(msg, sizeof msg, "an OBU of %zu bytes is cut off after %zu", o.total ? o.total : 1, len - pos);
        if (rc == PX_OK && o.type == PX__OBU_SEQUENCE_HEADER) {
            px__av1_seq s;
            rc = px__av1_parse_sequence_header(p + pos + o.header_size, o.payload_size, &s, msg, sizeof msg);
            if (rc == PX_OK) {
                const px__av1_seq *ref = self->have_seq ? &self->seq : self->have_caps_seq ? &self->caps_seq : NULL;
                if (ref && !av1parse_same_format(ref, &s)) {
                    const px_caps *cur = px_element_get_caps(el, PX_DIR_SRC, 0);
                    px_caps caps;
                    PX_INFO("av1parse", "%s: temporal unit %llu: a new sequence header, %dx%d %d-bit %s -> %dx%d "
                            "%d-bit %s", px_element_name(el), (unsigned long long)self->n, ref->max_width,
                            ref->max_height, ref->bit_depth, px__av1_chroma(ref), s.max_width, s.max_height,
                            s.bit_depth, px__av1_chroma(&s));
                    if (!cur)
                        return PX_ENOTSUP;
                    caps = *cur;
                    if (px__av1_seq_caps(&s, &caps) != PX_OK || px_element_push_caps(el, 0, &caps) != PX_FLOW_OK)
                        return PX_ENOTSUP; /* whoever refused has said why */
                }
                self->seq = s;
                self->have_seq = true;
            }
        }
        if (rc != PX_OK) {
            if (self->skip_corrupt) {
                self->corrupt++;
                px_element_warning(el, "temporal unit %llu skipped (byte %zu of the unit): %s",
                                   (unsigned long long)self->n, pos, msg);
            } else {
                px_element_error(el, PX_EINVAL, "temporal unit %llu, byte %zu of the unit: %s; set "
                                 "skip-corrupt=true to drop damaged units", (unsigned long long)self->n, pos, msg);
            }
            return PX_EINVAL;
        }
        if ((o.type == PX__OBU_FRAME || o.type == PX__OBU_FRAME_HEADER) && self->have_seq &&
            px__av1_frame_is_key(p + pos + o.header_size, o.payload_size, &self->seq) == 1)
            *key = true;
        pos += o.total;
    }
    return PX_OK;
}

static px_flow av1parse_emit(px_element *el, av1parse *self, px_buffer *out, bool key)
{
    if (key)
        out->flags &= ~(uint32_t)PX_BUFFER_FLAG_DELTA_UNIT;
    else
        out->flags |= PX_BUFFER_FLAG_DELTA_UNIT;
    out->offset = self->n;
    out->offset_end = self->n + 1;
    self->n++;
    return px_element_push(el, 0, out);
}

/* A corrupt unit: dropped (counted) with skip-corrupt, else the stream stops. */
static px_flow av1parse_bad(px_element *el, av1parse *self, int rc)
{
    if (rc == PX_EINVAL && self->skip_corrupt) {
        px_element_count_drop(el);
        self->n++;
        return PX_FLOW_OK;
    }
    return PX_FLOW_ERROR;
}

/* Byte-stream mode: sends cur[0, end) as a unit and keeps cur[end, size). */
static px_flow av1parse_cut(px_element *el, av1parse *self, size_t end)
{
    px_buffer unit = self->cur, rest = {0};
    memset(&self->cur, 0, sizeof self->cur);
    size_t tail = unit.size - end;
    if (tail) {
        int rc = px_element_alloc_output(el, &rest);
        if (rc) {
            px_buffer_unref(&unit);
            return rc == PX_EAGAIN ? PX_FLOW_EOS : PX_FLOW_ERROR;
        }
        memcpy(rest.data, unit.data + end, tail);
        px_buffer_reset_meta(&rest);
        rest.size = tail;
        self->cur = rest;
    }
    self->scanned = 0;
    unit.size = end;
    bool key;
    int rc = av1parse_scan_unit(el, self, unit.data, unit.size, &key);
    if (rc) {
        px_buffer_unref(&unit);
        return av1parse_bad(el, self, rc);
    }
    return av1parse_emit(el, self, &unit, key);
}

static px_flow av1parse_chain(px_element *el, const px_buffer *in)
{
    av1parse *self = px_element_state(el);
    self->pos += in->size;
    if (self->aligned) {
        bool key;
        int rc = av1parse_scan_unit(el, self, in->data, in->size, &key);
        if (rc)
            return av1parse_bad(el, self, rc);
        px_buffer out = *in; /* forwarded as it is: one more reference, no copy */
        px_buffer_ref(&out);
        return av1parse_emit(el, self, &out, key);
    }
    const uint8_t *p = in->data;
    size_t n = in->size;
    while (n > 0) {
        if (!self->cur.arena) {
            int rc = px_element_alloc_output(el, &self->cur);
            if (rc)
                return rc == PX_EAGAIN ? PX_FLOW_EOS : PX_FLOW_ERROR;
            px_buffer_reset_meta(&self->cur);
            self->cur.size = 0;
            self->scanned = 0;
            self->cur_has_td = false;
        }
        if (self->cur.size == 0)
            self->cur.pts = in->pts;
        size_t room = self->cur.capacity - self->cur.size, take = n < room ? n : room;
        if (take == 0) {
            px_element_error(el, PX_ENOMEM, "temporal unit %llu is larger than the %zu-byte output slot "
                             "(no temporal delimiter within it)", (unsigned long long)self->n, self->cur.capacity);
            return PX_FLOW_ERROR;
        }
        memcpy(self->cur.data + self->cur.size, p, take);
        self->cur.size += take;
        p += take, n -= take;
        /* Split complete OBUs; a temporal delimiter after the first OBU starts the next unit. */
        char msg[160];
        for (;;) {
            px__obu o;
            int rc = px__av1_obu(self->cur.data + self->scanned, self->cur.size - self->scanned, &o, msg, sizeof msg);
            if (rc == PX_EAGAIN)
                break;
            if (rc) {
                px_element_error(el, PX_EINVAL, "byte stream at about byte %llu: %s",
                                 (unsigned long long)(self->pos - n), msg);
                return PX_FLOW_ERROR;
            }
            if (o.type == PX__OBU_TEMPORAL_DELIMITER && self->scanned > 0) {
                px_flow r = av1parse_cut(el, self, self->scanned);
                if (r != PX_FLOW_OK)
                    return r;
                if (!self->cur.arena)
                    break;
                continue;
            }
            self->scanned += o.total;
        }
    }
    return PX_FLOW_OK;
}

static int av1parse_event(px_element *el, const px_event *ev)
{
    if (ev->type == PX_EVENT_CAPS)
        return PX_ENOTSUP; /* its caps come from the stream, which does not change with them */
    av1parse *self = px_element_state(el);
    if (ev->type != PX_EVENT_EOS || !self->cur.arena)
        return PX_OK;
    if (self->scanned < self->cur.size)
        px_element_warning(el, "end of stream inside an OBU: %zu trailing bytes dropped",
                           self->cur.size - self->scanned);
    if (self->scanned == 0) {
        px_buffer_unref(&self->cur);
        return PX_OK;
    }
    self->cur.size = self->scanned;
    px_flow r = av1parse_cut(el, self, self->scanned);
    return r == PX_FLOW_ERROR ? PX_EFLOW : PX_OK;
}

PX_ELEMENT_CLASS(av1parse) = {
    .name = "av1parse",
    .family = "Codec/Parser/Video",
    .description = "Splits AV1 OBU streams into temporal units; caps from the sequence header",
    .state_size = sizeof(av1parse),
    .sink = PX_PAD_ALWAYS("video/x-av1"),
    .src = PX_PAD_ALWAYS("video/x-av1, stream-format=(string)obu-stream, alignment=(string)tu"),
    .hints = {.trust = PX_TRUST_SEMI},
    .start = av1parse_start,
    .stop = av1parse_stop,
    .chain = av1parse_chain,
    .event = av1parse_event,
    .get_caps = av1parse_get_caps,
    .transform_caps = av1parse_transform_caps,
    .peek = av1parse_peek,
    .props = PX_PROPS(PX_PROP_BOOL(av1parse, skip_corrupt, false,
                                   "Drop (and count) damaged temporal units instead of stopping")),
};
