/* elements/container/ivfdemux.c: an IVF file (libvpx/aomenc's container) to
 * compressed frames.
 *
 * Layout (all little endian): a file header "DKIF", version (u16), header
 * size (u16, 32), fourcc ("AV01", "VP90", "VP80", ...), width and height
 * (u16), timebase denominator and numerator (u32: rate and scale), frame
 * count (u32, often 0 or wrong: ignored) and 4 unused bytes; then per frame
 * a 12-byte header (payload size u32, pts u64 in timebase units) and the
 * payload. Each output buffer is one frame (for AV1: one temporal unit),
 * pts = pts * num / den seconds, offset = frame number.
 *
 * Caps come from the file header when upstream can read ahead (a file):
 * the fourcc gives the media type (video/x-av1, video/x-vp9, video/x-vp8,
 * video/x-h264, video/x-h265), plus width, height and, when the timebase is
 * one tick per frame, framerate. ivfdemux also answers peeks from
 * downstream with its output stream (the frame payloads, concatenated), so
 * a parser after it (av1parse) learns its caps from the first frames.
 *
 * Everything is untrusted: a bad header stops with an error naming the
 * field and the byte offset; a frame larger than the output slot is an
 * error naming both sizes and max-frame-size; a truncated last frame is
 * dropped with a warning and counted. */

#define IVF_HEADER_SIZE 32
#define IVF_FRAME_HEADER_SIZE 12
#define IVF_MAX_FRAME (256u << 20) /* larger frame sizes are lies */
#define IVF_SCAN_FRAMES 4096       /* frames whose sizes start() reads ahead */

typedef struct {
    char fourcc[5];
    int width, height;
    uint32_t rate, scale; /* timebase: scale / rate seconds per tick */
    size_t header_size;
} ivf_header;

enum { IVFDEMUX_HEADER, IVFDEMUX_FRAME_HEADER, IVFDEMUX_PAYLOAD, IVFDEMUX_SKIP };

typedef struct {
    int max_frame_size; /* property; 0: from the file */
    /* streaming state */
    int stage;
    uint8_t hdr[IVF_HEADER_SIZE];
    size_t hdr_len;
    uint64_t pos;      /* bytes consumed */
    uint64_t frame_at; /* byte offset of the current frame header */
    ivf_header ivf;
    bool have_peeked; /* caps were negotiated from the file header */
    ivf_header peeked;
    px_buffer cur;
    uint32_t size; /* payload bytes of the current frame */
    size_t got;
    uint64_t skip; /* header bytes beyond 32 */
    px_time pts;
    uint64_t n;
} ivfdemux;

static uint32_t ivf_rd16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t ivf_rd32(const uint8_t *p) { return ivf_rd16(p) | ivf_rd16(p + 2) << 16; }
static uint64_t ivf_rd64(const uint8_t *p) { return ivf_rd32(p) | (uint64_t)ivf_rd32(p + 4) << 32; }

/* GStreamer's media type for an IVF fourcc, or NULL when unknown. */
static const char *ivf_media_type(const char *fourcc)
{
    static const char *const map[][2] = {
        {"AV01", "video/x-av1"},  {"VP90", "video/x-vp9"},  {"VP80", "video/x-vp8"},
        {"H264", "video/x-h264"}, {"H265", "video/x-h265"}, {"HEVC", "video/x-h265"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!memcmp(fourcc, map[i][0], 4))
            return map[i][1];
    return NULL;
}

/* Parses the 32-byte file header. PX_EINVAL with msg (and *bad_at, the
 * offset of the bad field) when it is not one we accept. */
static int ivf_parse_header(const uint8_t *p, size_t len, ivf_header *h, char *msg, size_t msg_size, size_t *bad_at)
{
    *bad_at = 0;
    if (len < IVF_HEADER_SIZE) {
        snprintf(msg, msg_size, "the file is %zu bytes, shorter than the 32-byte IVF header", len);
        return PX_EINVAL;
    }
    if (memcmp(p, "DKIF", 4) != 0) {
        snprintf(msg, msg_size, "not an IVF file: it does not start with \"DKIF\"");
        return PX_EINVAL;
    }
    memset(h, 0, sizeof *h);
    uint32_t version = ivf_rd16(p + 4);
    h->header_size = ivf_rd16(p + 6);
    memcpy(h->fourcc, p + 8, 4);
    for (int i = 0; i < 4; i++)
        if (h->fourcc[i] < 32 || h->fourcc[i] > 126)
            h->fourcc[i] = '?';
    h->width = (int)ivf_rd16(p + 12);
    h->height = (int)ivf_rd16(p + 14);
    h->rate = ivf_rd32(p + 16);
    h->scale = ivf_rd32(p + 20);
    if (version != 0) {
        snprintf(msg, msg_size, "IVF version %u is not supported (only 0)", version);
        *bad_at = 4;
        return PX_EINVAL;
    }
    if (h->header_size < IVF_HEADER_SIZE) {
        snprintf(msg, msg_size, "header size %zu is less than 32", h->header_size);
        *bad_at = 6;
        return PX_EINVAL;
    }
    if (!ivf_media_type(h->fourcc)) {
        snprintf(msg, msg_size, "fourcc \"%s\" is not supported (AV01, VP90, VP80, H264, H265 or HEVC)", h->fourcc);
        *bad_at = 8;
        return PX_EINVAL;
    }
    if (h->rate == 0 || h->scale == 0) {
        snprintf(msg, msg_size, "timebase %u/%u has a zero term", h->scale, h->rate);
        *bad_at = h->rate == 0 ? 16 : 20;
        return PX_EINVAL;
    }
    return PX_OK;
}

/* ticks * scale / rate seconds, without overflow for any u64 ticks that fit. */
static px_time ivf_time(uint64_t ticks, uint32_t rate, uint32_t scale)
{
    uint64_t whole = ticks / rate, rest = ticks % rate;
    long double ns = (long double)whole * scale * PX_SECOND + (long double)rest * scale * PX_SECOND / rate;
    return ns >= (long double)INT64_MAX ? PX_TIME_NONE : (px_time)ns;
}

static int ivfdemux_peek_header(px_element *el, ivf_header *h)
{
    uint8_t head[IVF_HEADER_SIZE];
    size_t got = 0, bad;
    char msg[160];
    if (px_element_peek_upstream(el, 0, head, sizeof head, &got) != PX_OK)
        return PX_ENOTSUP;
    return ivf_parse_header(head, got, h, msg, sizeof msg, &bad);
}

static int ivfdemux_get_caps(px_element *el, px_pad_dir dir, px_caps *caps)
{
    ivfdemux *self = px_element_state(el);
    ivf_header h;
    if (dir != PX_DIR_SRC || ivfdemux_peek_header(el, &h) != PX_OK)
        return PX_OK; /* the stream reports what is wrong, with its offset */
    self->have_peeked = true;
    self->peeked = h;
    int rc = px_caps_parse(caps, ivf_media_type(h.fourcc), NULL);
    if (!rc && !memcmp(h.fourcc, "AV01", 4)) /* GStreamer's names: OBUs with sizes, one temporal unit per frame */
        rc = px_caps_set_string(caps, "stream-format", "obu-stream");
    if (!rc && !memcmp(h.fourcc, "AV01", 4))
        rc = px_caps_set_string(caps, "alignment", "tu");
    if (!rc && h.width > 0)
        rc = px_caps_set_int(caps, "width", h.width);
    if (!rc && h.height > 0)
        rc = px_caps_set_int(caps, "height", h.height);
    /* One tick per frame (aomenc, ffmpeg): the timebase is the frame rate. */
    if (!rc && h.rate <= INT32_MAX && h.scale <= INT32_MAX && (uint64_t)h.rate <= 1000ull * h.scale)
        rc = px_caps_set_fraction(caps, "framerate", (px_fraction){(int32_t)h.rate, (int32_t)h.scale});
    return rc;
}

/* Downstream's view: the frame payloads back to back. Walks the frame
 * headers from the start (bounded), so parsers can read the first frames. */
static int ivfdemux_peek(px_element *el, uint64_t offset, void *dst, size_t size, size_t *got)
{
    ivf_header h;
    int rc = ivfdemux_peek_header(el, &h);
    *got = 0;
    if (rc)
        return rc == PX_ENOTSUP ? PX_ENOTSUP : PX_OK;
    uint64_t pos = h.header_size, out = 0;
    for (int i = 0; i < IVF_SCAN_FRAMES && *got < size; i++) {
        uint8_t fh[IVF_FRAME_HEADER_SIZE];
        size_t n = 0;
        if (px_element_peek_upstream(el, pos, fh, sizeof fh, &n) != PX_OK || n < sizeof fh)
            break;
        uint32_t fs = ivf_rd32(fh);
        if (fs > IVF_MAX_FRAME)
            break;
        uint64_t want = offset + *got;
        if (want < out + fs) {
            size_t take = (size_t)(out + fs - want) < size - *got ? (size_t)(out + fs - want) : size - *got;
            if (px_element_peek_upstream(el, pos + IVF_FRAME_HEADER_SIZE + (want - out), (uint8_t *)dst + *got,
                                         take, &n) != PX_OK)
                break;
            *got += n;
            if (n < take)
                break;
        }
        pos += IVF_FRAME_HEADER_SIZE + (uint64_t)fs;
        out += fs;
    }
    return PX_OK;
}

/* Largest frame among the first IVF_SCAN_FRAMES whose payload is in the file. */
static size_t ivfdemux_scan(px_element *el, const ivf_header *h)
{
    uint64_t pos = h->header_size;
    size_t largest = 0;
    for (int i = 0; i < IVF_SCAN_FRAMES; i++) {
        uint8_t fh[IVF_FRAME_HEADER_SIZE], last;
        size_t n = 0;
        if (px_element_peek_upstream(el, pos, fh, sizeof fh, &n) != PX_OK || n < sizeof fh)
            break;
        uint32_t fs = ivf_rd32(fh);
        if (fs > IVF_MAX_FRAME || (fs && (px_element_peek_upstream(el, pos + IVF_FRAME_HEADER_SIZE + fs - 1, &last,
                                                                    1, &n) != PX_OK || n != 1)))
            break; /* a lie or a truncated frame: streaming reports it */
        if (fs > largest)
            largest = fs;
        pos += IVF_FRAME_HEADER_SIZE + (uint64_t)fs;
    }
    return largest;
}

static int ivfdemux_start(px_element *el, px_error *err)
{
    ivfdemux *self = px_element_state(el);
    uint8_t head[IVF_HEADER_SIZE];
    size_t got = 0, bad;
    char msg[160];
    ivf_header h;
    /* A file that is no IVF fails here, before elements after it (a decoder) wonder why they saw no stream. */
    if (px_element_peek_upstream(el, 0, head, sizeof head, &got) == PX_OK &&
        ivf_parse_header(head, got, &h, msg, sizeof msg, &bad) != PX_OK)
        return px_error_set(err, PX_EINVAL, 0, "%s: bad IVF header at byte %zu: %s", px_element_name(el), bad, msg);
    size_t slot = (size_t)self->max_frame_size;
    if (slot == 0) {
        slot = 64 << 10;
        if (self->have_peeked) {
            size_t largest = ivfdemux_scan(el, &self->peeked);
            size_t raw = (size_t)self->peeked.width * (size_t)self->peeked.height;
            slot = largest > slot ? largest : slot;
            slot = raw > slot ? raw : slot; /* room for frames further on */
        } else {
            slot = 4u << 20;
        }
    }
    self->stage = IVFDEMUX_HEADER;
    self->hdr_len = 0;
    self->pos = self->frame_at = 0;
    self->n = 0;
    memset(&self->cur, 0, sizeof self->cur);
    px_element_request_output(el, slot, 2);
    return PX_OK;
}

static void ivfdemux_stop(px_element *el)
{
    ivfdemux *self = px_element_state(el);
    if (self->cur.arena)
        px_buffer_unref(&self->cur);
}

static bool ivfdemux_accept_header(px_element *el, ivfdemux *self)
{
    char msg[160];
    size_t bad;
    if (ivf_parse_header(self->hdr, IVF_HEADER_SIZE, &self->ivf, msg, sizeof msg, &bad) != PX_OK) {
        px_element_error(el, PX_EINVAL, "bad IVF header at byte %zu: %s", bad, msg);
        return false;
    }
    const px_caps *caps = px_element_get_caps(el, PX_DIR_SRC, 0);
    const char *neg = caps ? px_caps_media_type(caps, 0) : NULL;
    const char *mt = ivf_media_type(self->ivf.fourcc);
    if (neg && strcmp(neg, mt) != 0) {
        px_element_error(el, PX_ENOTSUP,
                         "the file holds %s (fourcc %s) but the pipeline negotiated %s before it was read; put "
                         "%s after %s or read from a file",
                         mt, self->ivf.fourcc, neg, mt, px_element_name(el));
        return false;
    }
    self->skip = self->ivf.header_size - IVF_HEADER_SIZE;
    return true;
}

static px_flow ivfdemux_chain(px_element *el, const px_buffer *in)
{
    ivfdemux *self = px_element_state(el);
    const uint8_t *p = in->data;
    size_t n = in->size;

    while (n > 0) {
        switch (self->stage) {
        case IVFDEMUX_HEADER:
        case IVFDEMUX_FRAME_HEADER: {
            size_t need = (self->stage == IVFDEMUX_HEADER ? IVF_HEADER_SIZE : IVF_FRAME_HEADER_SIZE) - self->hdr_len;
            size_t take = need < n ? need : n;
            memcpy(self->hdr + self->hdr_len, p, take);
            self->hdr_len += take;
            p += take, n -= take, self->pos += take;
            if (take < need)
                break;
            self->hdr_len = 0;
            if (self->stage == IVFDEMUX_HEADER) {
                if (!ivfdemux_accept_header(el, self))
                    return PX_FLOW_ERROR;
                self->stage = self->skip ? IVFDEMUX_SKIP : IVFDEMUX_FRAME_HEADER;
                self->frame_at = self->pos + self->skip;
                break;
            }
            self->size = ivf_rd32(self->hdr);
            uint64_t ticks = ivf_rd64(self->hdr + 4);
            self->pts = ivf_time(ticks, self->ivf.rate, self->ivf.scale);
            self->got = 0;
            if (self->size == 0) { /* nothing to decode */
                px_element_count_drop(el);
                self->n++;
                self->frame_at = self->pos;
                break;
            }
            int rc = px_element_alloc_output(el, &self->cur);
            if (rc)
                return rc == PX_EAGAIN ? PX_FLOW_EOS : PX_FLOW_ERROR;
            if (self->size > IVF_MAX_FRAME || self->size > self->cur.capacity) {
                size_t cap = self->cur.capacity;
                px_buffer_unref(&self->cur);
                if (self->size > IVF_MAX_FRAME)
                    px_element_error(el, PX_EINVAL,
                                     "frame %llu (header at byte %llu) says it is %u bytes, more than IVF frames "
                                     "may hold here (256 MiB): the file is damaged",
                                     (unsigned long long)self->n, (unsigned long long)self->frame_at, self->size);
                else
                    px_element_error(el, PX_EINVAL,
                                     "frame %llu (header at byte %llu) says it is %u bytes, more than the %zu bytes "
                                     "an output slot holds; set max-frame-size=%u if the file is right",
                                     (unsigned long long)self->n, (unsigned long long)self->frame_at, self->size,
                                     cap, self->size);
                return PX_FLOW_ERROR;
            }
            self->stage = IVFDEMUX_PAYLOAD;
            break;
        }
        case IVFDEMUX_SKIP: {
            size_t take = self->skip < n ? (size_t)self->skip : n;
            p += take, n -= take, self->pos += take, self->skip -= take;
            if (!self->skip)
                self->stage = IVFDEMUX_FRAME_HEADER;
            break;
        }
        default: { /* payload */
            size_t take = self->size - self->got < n ? self->size - self->got : n;
            memcpy(self->cur.data + self->got, p, take);
            self->got += take;
            p += take, n -= take, self->pos += take;
            if (self->got < self->size)
                break;
            px_buffer out = self->cur;
            memset(&self->cur, 0, sizeof self->cur);
            px_buffer_reset_meta(&out);
            out.size = self->size;
            out.pts = self->pts;
            out.dts = PX_TIME_NONE;
            out.offset = self->n;
            out.offset_end = self->n + 1;
            if (self->n == 0)
                out.flags |= PX_BUFFER_FLAG_DISCONT;
            self->n++;
            self->frame_at = self->pos;
            self->stage = IVFDEMUX_FRAME_HEADER;
            px_flow r = px_element_push(el, 0, &out);
            if (r != PX_FLOW_OK)
                return r;
            break;
        }
        }
    }
    return PX_FLOW_OK;
}

static int ivfdemux_event(px_element *el, const px_event *ev)
{
    ivfdemux *self = px_element_state(el);
    if (ev->type != PX_EVENT_EOS)
        return ev->type == PX_EVENT_CAPS ? PX_ENOTSUP : PX_OK; /* caps come from the stream's header */
    if (self->stage == IVFDEMUX_HEADER) {
        px_element_warning(el, "end of stream at byte %llu before a complete 32-byte IVF header",
                           (unsigned long long)self->pos);
    } else if (self->cur.arena) {
        px_element_warning(el, "truncated file: frame %llu (header at byte %llu) has %zu of its %u bytes; dropped",
                           (unsigned long long)self->n, (unsigned long long)self->frame_at, self->got, self->size);
        px_buffer_unref(&self->cur);
        px_element_count_drop(el);
    } else if (self->hdr_len > 0) {
        px_element_warning(el, "truncated file: the header of frame %llu at byte %llu has %zu of 12 bytes",
                           (unsigned long long)self->n, (unsigned long long)self->frame_at, self->hdr_len);
    }
    return PX_OK;
}

PX_ELEMENT_CLASS(ivfdemux) = {
    .name = "ivfdemux",
    .family = "Codec/Demuxer",
    .description = "Splits an IVF file into compressed video frames",
    .state_size = sizeof(ivfdemux),
    .sink = PX_PAD_ALWAYS("video/x-ivf"),
    .src = PX_PAD_ALWAYS("video/x-av1; video/x-vp9; video/x-vp8; video/x-h264; video/x-h265"),
    .hints = {.trust = PX_TRUST_SEMI},
    .start = ivfdemux_start,
    .stop = ivfdemux_stop,
    .chain = ivfdemux_chain,
    .event = ivfdemux_event,
    .get_caps = ivfdemux_get_caps,
    .peek = ivfdemux_peek,
    .props = PX_PROPS(PX_PROP_INT(ivfdemux, max_frame_size, 0, (int)IVF_MAX_FRAME, 0,
                                  "Largest frame in bytes (output slot size); 0: the largest of the first "
                                  "4096 frames, at least width*height")),
};
