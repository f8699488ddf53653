/* elements/container/y4mdec.c: a YUV4MPEG2 (Y4M) byte stream to raw video.
 *
 * The stream header ("YUV4MPEG2 W.. H.. F.. A.. I.. C..\n") gives size, rate,
 * aspect, interlacing and colour space; unknown tags (X...) are skipped.
 * Each frame is "FRAME", optional parameters, '\n', then the planes without
 * row padding; the output is one raw frame per buffer laid out as
 * GStreamer lays it out (rows padded to 4 bytes), with pts/duration from F.
 *
 * Everything is untrusted: headers are bounded (Y4MDEC_LINE_MAX), numbers
 * range-checked, and a bad stream stops with an error naming the tag, the
 * value and the byte offset. The header parser is a plain function
 * (y4mdec_parse_header) that the unit tests and the fuzz target call.
 *
 * Caps: negotiation happens before the first byte is read, so the src caps
 * come from the pipeline (a caps filter after y4mdec, or the defaults
 * 320x240 I420 30/1), and the stream header must match them; when it does
 * not, the error names both. Learning caps from the stream needs
 * renegotiation (caps events), which the runtime does not have yet. */

#define Y4MDEC_LINE_MAX 1024 /* longest stream or frame header accepted */
#define Y4MDEC_MAGIC "YUV4MPEG2"

typedef struct {
    int width, height;
    px_fraction fps;  /* 0/0 when absent */
    px_fraction par;  /* 0/0 when absent or unknown */
    char interlace;   /* 'p', 't', 'b', 'm' or '?' */
    char colorspace[16];
    px_video_format format;
} y4mdec_header;

enum { Y4MDEC_MAGIC_WAIT, Y4MDEC_HEADER, Y4MDEC_FRAME_HEADER, Y4MDEC_PAYLOAD };

typedef struct {
    /* prepared in start() */
    px_video_info info; /* negotiated */
    /* streaming state */
    int stage;
    char line[Y4MDEC_LINE_MAX + 1];
    size_t line_len;
    uint64_t pos;        /* bytes consumed from the stream */
    uint64_t line_start; /* stream offset of line[0] */
    y4mdec_header hdr;
    px_video_info stream; /* layout of the stream's frames (from its header) */
    px_buffer cur;
    int plane_comp;  /* component being filled */
    int row, col;    /* row in that component, bytes filled in the row */
    size_t got;      /* payload bytes of this frame so far */
    size_t payload;  /* payload bytes per frame */
    int64_t n;
} y4mdec;

static px_video_format y4mdec_format(const char *cs)
{
    if (!strcmp(cs, "420jpeg") || !strcmp(cs, "420mpeg2") || !strcmp(cs, "420paldv") || !strcmp(cs, "420"))
        return PX_VIDEO_FORMAT_I420;
    if (!strcmp(cs, "mono"))
        return PX_VIDEO_FORMAT_GRAY8;
    if (!strcmp(cs, "420p10"))
        return PX_VIDEO_FORMAT_I420_10LE;
    return PX_VIDEO_FORMAT_UNKNOWN;
}

/* A decimal int in [lo, hi] from s[0..n); false when not one. */
static bool y4mdec_int(const char *s, size_t n, int lo, int hi, int *out)
{
    int64_t v = 0;
    if (n == 0 || n > 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

static bool y4mdec_ratio(const char *s, size_t n, px_fraction *out)
{
    const char *colon = memchr(s, ':', n);
    if (!colon)
        return false;
    return y4mdec_int(s, (size_t)(colon - s), 0, INT32_MAX, &out->num) &&
           y4mdec_int(colon + 1, n - (size_t)(colon + 1 - s), 0, INT32_MAX, &out->den);
}

/* Parses a stream header line. data need not be terminated; len counts the
 * bytes available. Returns PX_OK with *used = bytes up to and including the
 * '\n', PX_EAGAIN when no '\n' came yet (and fewer than Y4MDEC_LINE_MAX bytes
 * were given), or PX_EINVAL with msg naming the tag and *bad_at the offset of
 * the offending byte from data. Unknown tags are ignored; W and H are
 * required; F defaults to 0:0 (unknown), A to 0:0, I to p, C to 420jpeg. */
static int y4mdec_parse_header(const uint8_t *data, size_t len, y4mdec_header *h, size_t *used, char *msg,
                               size_t msg_size, size_t *bad_at)
{
    const char *s = (const char *)data;
    size_t magic = sizeof Y4MDEC_MAGIC - 1;
    const uint8_t *nl = memchr(data, '\n', len < Y4MDEC_LINE_MAX ? len : Y4MDEC_LINE_MAX);
    size_t cmp = len < magic ? len : magic;

    *bad_at = 0;
    if (memcmp(s, Y4MDEC_MAGIC, cmp) != 0) {
        snprintf(msg, msg_size, "not a Y4M stream: it does not start with \"YUV4MPEG2 \"");
        return PX_EINVAL;
    }
    if (!nl) {
        if (len < Y4MDEC_LINE_MAX)
            return PX_EAGAIN;
        snprintf(msg, msg_size, "stream header has no end of line in its first %d bytes", Y4MDEC_LINE_MAX);
        *bad_at = Y4MDEC_LINE_MAX;
        return PX_EINVAL;
    }
    size_t end = (size_t)(nl - data);
    if (end < magic || (end > magic && s[magic] != ' ')) {
        snprintf(msg, msg_size, "not a Y4M stream: it does not start with \"YUV4MPEG2 \"");
        return PX_EINVAL;
    }
    *h = (y4mdec_header){.interlace = 'p', .format = PX_VIDEO_FORMAT_I420};
    memcpy(h->colorspace, "420jpeg", 8);
    bool have_w = false, have_h = false;
    for (size_t i = magic; i < end;) {
        while (i < end && s[i] == ' ')
            i++;
        if (i >= end)
            break;
        size_t j = i;
        while (j < end && s[j] != ' ')
            j++;
        const char *v = s + i + 1;
        size_t vn = j - i - 1;
        char tag = s[i];
        bool ok = true;
        switch (tag) {
        case 'W': ok = y4mdec_int(v, vn, 1, PX_VIDEO_MAX_SIZE, &h->width), have_w = true; break;
        case 'H': ok = y4mdec_int(v, vn, 1, PX_VIDEO_MAX_SIZE, &h->height), have_h = true; break;
        case 'F': ok = y4mdec_ratio(v, vn, &h->fps) && (h->fps.den > 0 || h->fps.num == 0); break;
        case 'A': ok = y4mdec_ratio(v, vn, &h->par) && (h->par.den > 0 || h->par.num == 0); break;
        case 'I':
            ok = vn == 1 && (v[0] == 'p' || v[0] == 't' || v[0] == 'b' || v[0] == 'm' || v[0] == '?');
            if (ok)
                h->interlace = v[0];
            break;
        case 'C':
            ok = vn > 0 && vn < sizeof h->colorspace;
            if (ok) {
                memcpy(h->colorspace, v, vn);
                h->colorspace[vn] = '\0';
                h->format = y4mdec_format(h->colorspace);
                if (h->format == PX_VIDEO_FORMAT_UNKNOWN) {
                    snprintf(msg, msg_size, "colour space C%s is not supported; use 420jpeg, 420mpeg2, 420paldv, "
                             "mono or 420p10", h->colorspace);
                    *bad_at = i;
                    return PX_EINVAL;
                }
            }
            break;
        default: break; /* X (extensions) and anything newer: ignored */
        }
        if (!ok) {
            char seen[34];
            size_t k = 0;
            for (; k < vn + 1 && k < 33; k++)
                seen[k] = s[i + k] >= 32 && s[i + k] <= 126 ? s[i + k] : '?';
            seen[k] = '\0';
            snprintf(msg, msg_size, "bad %c tag \"%s\"%s", tag, seen,
                     tag == 'W' || tag == 'H' ? ": not a number in 1..16384" : "");
            *bad_at = i;
            return PX_EINVAL;
        }
        i = j;
    }
    if (!have_w || !have_h) {
        snprintf(msg, msg_size, "stream header has no %s tag; Y4M requires W (width) and H (height)",
                 !have_w ? "W" : "H");
        *bad_at = end;
        return PX_EINVAL;
    }
    if (h->interlace != 'p' && h->interlace != '?') {
        snprintf(msg, msg_size, "interlaced streams (I%c) are not supported; only Ip", h->interlace);
        *bad_at = end;
        return PX_EINVAL;
    }
    *used = end + 1;
    return PX_OK;
}

/* "FRAME" + optional parameters + '\n'. Same returns as the header parser. */
static int y4mdec_parse_frame_header(const uint8_t *data, size_t len, size_t *used, char *msg, size_t msg_size)
{
    const uint8_t *nl = memchr(data, '\n', len < Y4MDEC_LINE_MAX ? len : Y4MDEC_LINE_MAX);
    size_t cmp = len < 5 ? len : 5;
    if (memcmp(data, "FRAME", cmp) != 0) {
        char seen[6] = {0};
        for (size_t i = 0; i < cmp; i++)
            seen[i] = data[i] >= 32 && data[i] <= 126 ? (char)data[i] : '?';
        snprintf(msg, msg_size, "expected \"FRAME\", found \"%s\"", seen);
        return PX_EINVAL;
    }
    if (!nl) {
        if (len < Y4MDEC_LINE_MAX)
            return PX_EAGAIN;
        snprintf(msg, msg_size, "frame header has no end of line in its first %d bytes", Y4MDEC_LINE_MAX);
        return PX_EINVAL;
    }
    size_t end = (size_t)(nl - data);
    if (end > 5 && data[5] != ' ') {
        snprintf(msg, msg_size, "expected \"FRAME\" and a space or end of line");
        return PX_EINVAL;
    }
    *used = end + 1;
    return PX_OK;
}

/* When upstream can read ahead (a file), the stream header says exactly what
 * this element will produce, so negotiation settles on that; otherwise the
 * template stands and a caps filter after y4mdec must say it. */
static int y4mdec_get_caps(px_element *el, px_pad_dir dir, px_caps *caps)
{
    uint8_t head[Y4MDEC_LINE_MAX];
    size_t got = 0, used, bad_at;
    char msg[128];
    y4mdec_header h;
    if (dir != PX_DIR_SRC || px_element_peek_upstream(el, 0, head, sizeof head, &got) != PX_OK ||
        y4mdec_parse_header(head, got, &h, &used, msg, sizeof msg, &bad_at) != PX_OK)
        return PX_OK; /* unreadable here: the stream reports it with its byte offset */
    px_caps_set_string(caps, "format", px_video_format_to_string(h.format));
    px_caps_set_int(caps, "width", h.width);
    px_caps_set_int(caps, "height", h.height);
    if (h.fps.num > 0 && h.fps.den > 0)
        px_caps_set_fraction(caps, "framerate", h.fps);
    return PX_OK;
}

static int y4mdec_start(px_element *el, px_error *err)
{
    y4mdec *self = px_element_state(el);
    const px_caps *caps = px_element_get_caps(el, PX_DIR_SRC, 0);
    if (!caps)
        return px_error_set(err, PX_ESTATE, 0, "%s: started without negotiated caps", px_element_name(el));
    int rc = px_video_info_from_caps(&self->info, caps, err);
    if (rc)
        return rc;
    self->stage = Y4MDEC_HEADER;
    self->line_len = 0;
    self->pos = self->line_start = 0;
    self->n = 0;
    memset(&self->cur, 0, sizeof self->cur);
    px_element_request_output(el, self->info.size, 1);
    return PX_OK;
}

static void y4mdec_stop(px_element *el)
{
    y4mdec *self = px_element_state(el);
    if (self->cur.arena)
        px_buffer_unref(&self->cur);
}

static px_time y4mdec_time(const px_fraction *fps, int64_t n)
{
    if (fps->num <= 0 || fps->den <= 0)
        return n == 0 ? 0 : PX_TIME_NONE;
    return n / fps->num * fps->den * PX_SECOND + n % fps->num * fps->den * PX_SECOND / fps->num;
}

/* The stream header against the negotiated caps. */
static bool y4mdec_accept_header(px_element *el, y4mdec *self)
{
    const y4mdec_header *h = &self->hdr;
    const px_video_info *neg = &self->info;
    if (h->format != neg->format || h->width != neg->width || h->height != neg->height ||
        (h->fps.num > 0 && (int64_t)h->fps.num * neg->framerate.den != (int64_t)neg->framerate.num * h->fps.den)) {
        px_element_error(el, PX_ENOTSUP,
                         "the stream is %s %dx%d at %d/%d fps but the pipeline negotiated %s %dx%d at %d/%d fps "
                         "before it was read (caps cannot change while streaming yet); put "
                         "video/x-raw,format=%s,width=%d,height=%d,framerate=%d/%d after %s",
                         px_video_format_to_string(h->format), h->width, h->height, h->fps.num, h->fps.den,
                         px_video_format_to_string(neg->format), neg->width, neg->height, neg->framerate.num,
                         neg->framerate.den, px_video_format_to_string(h->format), h->width, h->height,
                         h->fps.num > 0 ? h->fps.num : neg->framerate.num,
                         h->fps.num > 0 ? h->fps.den : neg->framerate.den, px_element_name(el));
        return false;
    }
    self->stream = *neg;
    const px_video_format_info *f = neg->finfo;
    self->payload = 0;
    for (int c = 0; c < f->n_components && c < 4; c++)
        self->payload += (size_t)px_video_info_comp_width(neg, c) * f->pstride[c] *
                         (size_t)px_video_info_comp_height(neg, c);
    return true;
}

/* Copies payload bytes into the output frame, row by row into the padded layout. */
static size_t y4mdec_fill(y4mdec *self, const uint8_t *p, size_t n)
{
    const px_video_info *info = &self->stream;
    const px_video_format_info *f = info->finfo;
    size_t done = 0;
    while (done < n && self->plane_comp < f->n_components && self->plane_comp < 4) {
        int c = self->plane_comp;
        size_t row = (size_t)px_video_info_comp_width(info, c) * f->pstride[c];
        size_t take = row - (size_t)self->col < n - done ? row - (size_t)self->col : n - done;
        uint8_t *dst = self->cur.data + info->offset[f->plane[c]] + (size_t)self->row * info->stride[f->plane[c]] +
                       (size_t)self->col;
        memcpy(dst, p + done, take);
        done += take;
        self->col += (int)take;
        if ((size_t)self->col == row) {
            self->col = 0;
            if (++self->row == px_video_info_comp_height(info, c)) {
                self->row = 0;
                self->plane_comp++;
            }
        }
    }
    self->got += done;
    return done;
}

static px_flow y4mdec_chain(px_element *el, const px_buffer *in)
{
    y4mdec *self = px_element_state(el);
    const uint8_t *p = in->data;
    size_t n = in->size;
    char msg[256];

    while (n > 0) {
        if (self->stage == Y4MDEC_HEADER || self->stage == Y4MDEC_FRAME_HEADER) {
            /* Gather one line (bounded), then parse it. */
            const uint8_t *nl = memchr(p, '\n', n);
            size_t take = nl ? (size_t)(nl - p) + 1 : n;
            if (self->line_len + take > Y4MDEC_LINE_MAX)
                take = Y4MDEC_LINE_MAX - self->line_len;
            memcpy(self->line + self->line_len, p, take);
            self->line_len += take;
            p += take, n -= take, self->pos += take;
            size_t used = 0, bad = 0;
            int rc = self->stage == Y4MDEC_HEADER
                         ? y4mdec_parse_header((const uint8_t *)self->line, self->line_len, &self->hdr, &used, msg,
                                               sizeof msg, &bad)
                         : y4mdec_parse_frame_header((const uint8_t *)self->line, self->line_len, &used, msg,
                                                     sizeof msg);
            if (rc == PX_EAGAIN && self->line_len < Y4MDEC_LINE_MAX)
                continue;
            if (rc != PX_OK) {
                px_element_error(el, PX_EINVAL, "bad Y4M %s at byte %llu: %s",
                                 self->stage == Y4MDEC_HEADER ? "stream header" : "frame header",
                                 (unsigned long long)(self->line_start + bad), msg);
                return PX_FLOW_ERROR;
            }
            self->line_start += self->line_len;
            self->line_len = 0;
            if (self->stage == Y4MDEC_HEADER) {
                if (!y4mdec_accept_header(el, self))
                    return PX_FLOW_ERROR;
                self->stage = Y4MDEC_FRAME_HEADER;
                continue;
            }
            int rc2 = px_element_alloc_output(el, &self->cur);
            if (rc2)
                return rc2 == PX_EAGAIN ? PX_FLOW_EOS : PX_FLOW_ERROR;
            if (self->cur.capacity < self->stream.size) {
                px_buffer_unref(&self->cur);
                px_element_error(el, PX_ENOMEM, "output slot holds %zu bytes but a frame needs %zu",
                                 self->cur.capacity, self->stream.size);
                return PX_FLOW_ERROR;
            }
            self->plane_comp = self->row = self->col = 0;
            self->got = 0;
            self->stage = Y4MDEC_PAYLOAD;
            continue;
        }
        size_t took = y4mdec_fill(self, p, n);
        p += took, n -= took, self->pos += took;
        if (self->got < self->payload)
            continue;
        px_buffer out = self->cur;
        memset(&self->cur, 0, sizeof self->cur);
        px_buffer_reset_meta(&out);
        out.size = self->stream.size;
        px_fraction fps = self->hdr.fps.num > 0 ? self->hdr.fps : self->info.framerate;
        out.pts = y4mdec_time(&fps, self->n);
        px_time next = y4mdec_time(&fps, self->n + 1);
        out.duration = out.pts != PX_TIME_NONE && next != PX_TIME_NONE ? next - out.pts : PX_TIME_NONE;
        out.offset = (uint64_t)self->n;
        out.offset_end = (uint64_t)self->n + 1;
        self->n++;
        self->line_start = self->pos;
        self->stage = Y4MDEC_FRAME_HEADER;
        px_flow r = px_element_push(el, 0, &out);
        if (r != PX_FLOW_OK)
            return r;
    }
    return PX_FLOW_OK;
}

static int y4mdec_event(px_element *el, const px_event *ev)
{
    y4mdec *self = px_element_state(el);
    if (ev->type != PX_EVENT_EOS)
        return ev->type == PX_EVENT_CAPS ? PX_ENOTSUP : PX_OK; /* caps come from the stream's header */
    if (self->cur.arena) {
        px_element_warning(el, "truncated file: the last frame has %zu of %zu bytes at byte %llu; dropped",
                           self->got, self->payload, (unsigned long long)self->pos);
        px_buffer_unref(&self->cur);
    } else if (self->stage == Y4MDEC_HEADER) {
        px_element_warning(el, "end of stream at byte %llu before a complete Y4M header",
                           (unsigned long long)self->pos);
    } else if (self->line_len > 0) {
        px_element_warning(el, "truncated file: a frame header is cut off at byte %llu",
                           (unsigned long long)self->pos);
    }
    return PX_OK;
}

PX_ELEMENT_CLASS(y4mdec) = {
    .name = "y4mdec",
    .family = "Codec/Demuxer",
    .description = "Reads a YUV4MPEG2 stream into raw video frames",
    .state_size = sizeof(y4mdec),
    .sink = PX_PAD_ALWAYS("application/x-yuv4mpeg, y4mversion=(int)2"),
    .src = PX_PAD_ALWAYS("video/x-raw, format=(string){ I420, GRAY8, I420_10LE }, width=(int)[ 1, 16384 ], "
                         "height=(int)[ 1, 16384 ], framerate=(fraction)[ 0/1, 2147483647/1 ]"),
    .preferred_caps = "video/x-raw, format=I420, width=320, height=240, framerate=30/1",
    .hints = {.trust = PX_TRUST_SEMI},
    .start = y4mdec_start,
    .stop = y4mdec_stop,
    .chain = y4mdec_chain,
    .event = y4mdec_event,
    .get_caps = y4mdec_get_caps,
};
