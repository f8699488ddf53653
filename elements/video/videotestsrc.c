/* elements/video/videotestsrc.c: test patterns in every raw video format.
 *
 * Properties, pattern names and numbers, and colours follow GStreamer's
 * videotestsrc: the same caps and pattern give the same pixels (BT.601
 * colours for SD sizes, BT.709 above 576 lines, as the negotiated
 * colorimetry says). Like GStreamer, each row is painted into an AYUV (or
 * ARGB for RGB formats) line, then packed into the frame's planes; a row
 * whose line did not change is copied from the row above instead. Buffers
 * carry pts = n / framerate, duration, offset = n. is-live paces output to
 * the framerate on CLOCK_MONOTONIC absolute deadlines. */

enum {
    VIDEOTESTSRC_SMPTE = 0,
    VIDEOTESTSRC_SNOW = 1,
    VIDEOTESTSRC_BLACK = 2,
    VIDEOTESTSRC_WHITE = 3,
    VIDEOTESTSRC_RED = 4,
    VIDEOTESTSRC_GREEN = 5,
    VIDEOTESTSRC_BLUE = 6,
    VIDEOTESTSRC_CHECKERS1 = 7,
    VIDEOTESTSRC_CHECKERS2 = 8,
    VIDEOTESTSRC_CHECKERS4 = 9,
    VIDEOTESTSRC_CHECKERS8 = 10,
    VIDEOTESTSRC_BLINK = 12,
    VIDEOTESTSRC_SMPTE75 = 13,
    VIDEOTESTSRC_SOLID = 17,
    VIDEOTESTSRC_BALL = 18,
    VIDEOTESTSRC_SMPTE100 = 19,
    VIDEOTESTSRC_BAR = 20,
    VIDEOTESTSRC_GRADIENT = 23,
};

/* Colour indices, as GStreamer's tables. */
enum {
    VTS_WHITE, VTS_YELLOW, VTS_CYAN, VTS_GREEN, VTS_MAGENTA, VTS_RED, VTS_BLUE, VTS_BLACK,
    VTS_NEG_I, VTS_POS_Q, VTS_SUPER_BLACK, VTS_DARK_GREY, VTS_N_COLORS
};

typedef struct {
    uint8_t y, u, v, r, g, b;
} videotestsrc_color;

/* GStreamer's videotestsrc colour tables (Y, Cb, Cr, R, G, B). */
static const videotestsrc_color videotestsrc_bt601_100[VTS_N_COLORS] = {
    {235, 128, 128, 255, 255, 255}, {210, 16, 146, 255, 255, 0}, {170, 166, 16, 0, 255, 255},
    {145, 54, 34, 0, 255, 0},       {106, 202, 222, 255, 0, 255}, {81, 90, 240, 255, 0, 0},
    {41, 240, 110, 0, 0, 255},      {16, 128, 128, 0, 0, 0},      {16, 198, 21, 0, 0, 128},
    {16, 235, 198, 0, 128, 255},    {0, 128, 128, 0, 0, 0},       {32, 128, 128, 19, 19, 19},
};
static const videotestsrc_color videotestsrc_bt709_100[VTS_N_COLORS] = {
    {235, 128, 128, 255, 255, 255}, {219, 16, 138, 255, 255, 0}, {188, 154, 16, 0, 255, 255},
    {173, 42, 26, 0, 255, 0},       {78, 214, 230, 255, 0, 255}, {63, 102, 240, 255, 0, 0},
    {32, 240, 118, 0, 0, 255},      {16, 128, 128, 0, 0, 0},     {16, 198, 21, 0, 0, 128},
    {16, 235, 198, 0, 128, 255},    {0, 128, 128, 0, 0, 0},      {32, 128, 128, 19, 19, 19},
};
static const videotestsrc_color videotestsrc_bt601_75[VTS_N_COLORS] = {
    {180, 128, 128, 191, 191, 191}, {162, 44, 142, 191, 191, 0}, {131, 156, 44, 0, 191, 191},
    {112, 72, 58, 0, 191, 0},       {84, 184, 198, 191, 0, 191}, {65, 100, 212, 191, 0, 0},
    {35, 212, 114, 0, 0, 191},      {16, 128, 128, 0, 0, 0},     {16, 198, 21, 0, 0, 128},
    {16, 235, 198, 0, 128, 255},    {0, 128, 128, 0, 0, 0},      {32, 128, 128, 19, 19, 19},
};
static const videotestsrc_color videotestsrc_bt709_75[VTS_N_COLORS] = {
    {180, 128, 128, 191, 191, 191}, {168, 44, 136, 191, 191, 0}, {145, 147, 44, 0, 191, 191},
    {133, 63, 52, 0, 191, 0},       {63, 193, 204, 191, 0, 191}, {51, 109, 212, 191, 0, 0},
    {28, 212, 120, 0, 0, 191},      {16, 128, 128, 0, 0, 0},     {16, 198, 21, 0, 0, 128},
    {16, 235, 198, 0, 128, 255},    {0, 128, 128, 0, 0, 0},      {32, 128, 128, 19, 19, 19},
};

typedef struct {
    int pattern;
    int num_buffers;
    bool is_live;
    uint64_t foreground_color; /* ARGB */
    uint64_t background_color;
    /* prepared in start() */
    px_video_info info;
    bool rgb;
    const videotestsrc_color *colors, *colors75;
    uint8_t fg[4], bg[4]; /* A + (Y,U,V) or (R,G,B), as painted in the line */
    uint8_t *line;        /* width * 4 bytes: A, c0, c1, c2 per pixel */
    uint64_t line_version, plane_version[PX_VIDEO_MAX_PLANES];
    /* streaming state */
    int64_t n;
    uint32_t rng;
    struct timespec base;
} videotestsrc;

static const px_enum_value videotestsrc_patterns[] = {
    {VIDEOTESTSRC_SMPTE, "smpte", "SMPTE 100% color bars"},
    {VIDEOTESTSRC_SNOW, "snow", "Random (television snow)"},
    {VIDEOTESTSRC_BLACK, "black", "100% Black"},
    {VIDEOTESTSRC_WHITE, "white", "100% White"},
    {VIDEOTESTSRC_RED, "red", "Red"},
    {VIDEOTESTSRC_GREEN, "green", "Green"},
    {VIDEOTESTSRC_BLUE, "blue", "Blue"},
    {VIDEOTESTSRC_CHECKERS1, "checkers-1", "Checkers 1px"},
    {VIDEOTESTSRC_CHECKERS2, "checkers-2", "Checkers 2px"},
    {VIDEOTESTSRC_CHECKERS4, "checkers-4", "Checkers 4px"},
    {VIDEOTESTSRC_CHECKERS8, "checkers-8", "Checkers 8px"},
    {VIDEOTESTSRC_BLINK, "blink", "Blink"},
    {VIDEOTESTSRC_SMPTE75, "smpte75", "SMPTE 75% color bars"},
    {VIDEOTESTSRC_SOLID, "solid-color", "Solid color"},
    {VIDEOTESTSRC_BALL, "ball", "Moving ball"},
    {VIDEOTESTSRC_SMPTE100, "smpte100", "SMPTE 100% color bars"},
    {VIDEOTESTSRC_BAR, "bar", "Bar"},
    {VIDEOTESTSRC_GRADIENT, "gradient", "Gradient"},
    {0, NULL, NULL},
};

/* GStreamer's fixed-point RGB -> limited-range Y'CbCr (10 fractional bits). */
static void videotestsrc_argb_to_line(uint64_t argb, bool rgb, px_video_matrix matrix, uint8_t out[4])
{
    int a = (int)(argb >> 24) & 0xff, r = (int)(argb >> 16) & 0xff, g = (int)(argb >> 8) & 0xff,
        b = (int)argb & 0xff;
    out[0] = (uint8_t)a;
    if (rgb) {
        out[1] = (uint8_t)r, out[2] = (uint8_t)g, out[3] = (uint8_t)b;
        return;
    }
    bool b709 = matrix != PX_VIDEO_MATRIX_BT601;
    double kr = b709 ? 0.2126 : 0.299, kb = b709 ? 0.0722 : 0.114, kg = 1.0 - kr - kb;
    double ur = -kr / (2 * (1 - kb)), ug = -kg / (2 * (1 - kb)), vg = -kg / (2 * (1 - kr)),
           vb = -kb / (2 * (1 - kr));
#define VTS_FIX(x) ((int)((x) * 1024.0 + 0.5))
#define VTS_FIXN(x) (-(int)(-(x) * 1024.0 + 0.5))
    int y = (VTS_FIX(kr * 219 / 255) * r + VTS_FIX(kg * 219 / 255) * g + VTS_FIX(kb * 219 / 255) * b + 512 +
             (16 << 10)) >> 10;
    int u = ((VTS_FIXN(ur * 224 / 255) * r + VTS_FIXN(ug * 224 / 255) * g + VTS_FIX(0.5 * 224 / 255) * b + 511) >>
             10) + 128;
    int v = ((VTS_FIX(0.5 * 224 / 255) * r + VTS_FIXN(vg * 224 / 255) * g + VTS_FIXN(vb * 224 / 255) * b + 511) >>
             10) + 128;
#undef VTS_FIX
#undef VTS_FIXN
    out[1] = px_clamp_u8(y), out[2] = px_clamp_u8(u), out[3] = px_clamp_u8(v);
}

static void videotestsrc_paint(videotestsrc *self, int x, int n, const uint8_t c[4])
{
    uint8_t *p = self->line + (size_t)x * 4;
    for (int i = 0; i < n; i++, p += 4)
        memcpy(p, c, 4);
}

static void videotestsrc_paint_index(videotestsrc *self, int x, int n, const videotestsrc_color *table, int index)
{
    const videotestsrc_color *c = &table[index];
    uint8_t v[4] = {255, self->rgb ? c->r : c->y, self->rgb ? c->g : c->u, self->rgb ? c->b : c->v};
    videotestsrc_paint(self, x, n, v);
}

/* GStreamer's BLEND: a weighted by t/255, b by the rest. */
static uint8_t videotestsrc_blend(int a, int b, int t)
{
    int x = a * t + b * (255 - t);
    return (uint8_t)((x + ((x + 128) >> 8) + 128) >> 8);
}

static void videotestsrc_blend_px(videotestsrc *self, int x, int t)
{
    uint8_t *p = self->line + (size_t)x * 4;
    for (int k = 0; k < 4; k++)
        p[k] = videotestsrc_blend(self->fg[k], self->bg[k], t);
}

static uint32_t videotestsrc_random(videotestsrc *self)
{
    self->rng = self->rng * 1103515245u + 12345u;
    return (self->rng >> 16) & 0xff;
}

static void videotestsrc_bars(videotestsrc *self, const videotestsrc_color *table)
{
    int w = self->info.width;
    for (int i = 0; i < 7; i++) {
        int x1 = i * w / 7, x2 = (i + 1) * w / 7;
        videotestsrc_paint_index(self, x1, x2 - x1, table, i);
    }
}

/* sin(x) without libm (the ball's path only needs a few digits). */
static double videotestsrc_sin(double x)
{
    const double pi = 3.14159265358979323846;
    int64_t k = (int64_t)(x / (2 * pi));
    x -= (double)k * 2 * pi;
    if (x > pi)
        x -= 2 * pi;
    else if (x < -pi)
        x += 2 * pi;
    double x2 = x * x, term = x, sum = x;
    for (int n = 1; n < 12; n++) {
        term *= -x2 / (double)((2 * n) * (2 * n + 1));
        sum += term;
    }
    return sum;
}

/* Paints row y into the line. Returns false when the line is as it was for
 * row y - 1 (so the packer may copy rows). */
static bool videotestsrc_line(videotestsrc *self, int y)
{
    int w = self->info.width, h = self->info.height;
    const videotestsrc_color *c = self->colors;
    switch (self->pattern) {
    case VIDEOTESTSRC_SMPTE: {
        int y1 = 2 * h / 3, y2 = 3 * h / 4;
        if (y < y1) {
            if (y > 0)
                return false;
            videotestsrc_bars(self, c);
        } else if (y < y2) {
            if (y > y1)
                return false;
            for (int i = 0; i < 7; i++) {
                int x1 = i * w / 7, x2 = (i + 1) * w / 7;
                videotestsrc_paint_index(self, x1, x2 - x1, c, (i & 1) ? VTS_BLACK : 6 - i);
            }
        } else {
            for (int i = 0; i < 3; i++) {
                int x1 = i * w / 6, x2 = (i + 1) * w / 6;
                videotestsrc_paint_index(self, x1, x2 - x1, c, i == 0 ? VTS_NEG_I : i == 1 ? VTS_WHITE : VTS_POS_Q);
            }
            for (int i = 0; i < 3; i++) {
                int x1 = w / 2 + i * w / 12, x2 = w / 2 + (i + 1) * w / 12;
                videotestsrc_paint_index(self, x1, x2 - x1, c,
                                         i == 0 ? VTS_SUPER_BLACK : i == 1 ? VTS_BLACK : VTS_DARK_GREY);
            }
            for (int x = w * 3 / 4; x < w; x++)
                videotestsrc_blend_px(self, x, (int)videotestsrc_random(self));
        }
        return true;
    }
    case VIDEOTESTSRC_SMPTE75:
    case VIDEOTESTSRC_SMPTE100:
        if (y > 0)
            return false;
        videotestsrc_bars(self, self->pattern == VIDEOTESTSRC_SMPTE75 ? self->colors75 : c);
        return true;
    case VIDEOTESTSRC_SNOW:
        for (int x = 0; x < w; x++)
            videotestsrc_blend_px(self, x, (int)videotestsrc_random(self));
        return true;
    case VIDEOTESTSRC_CHECKERS1:
    case VIDEOTESTSRC_CHECKERS2:
    case VIDEOTESTSRC_CHECKERS4:
    case VIDEOTESTSRC_CHECKERS8: {
        int shift = self->pattern - VIDEOTESTSRC_CHECKERS1, size = 1 << shift;
        if (y > 0 && (y >> shift) == ((y - 1) >> shift))
            return false;
        for (int x = 0; x < w; x += size) {
            int n = x + size <= w ? size : w - x;
            videotestsrc_paint_index(self, x, n, c, (((x >> shift) ^ (y >> shift)) & 1) ? VTS_GREEN : VTS_RED);
        }
        return true;
    }
    case VIDEOTESTSRC_GRADIENT: {
        int t = (int)((int64_t)y * 255 / (h > 1 ? h - 1 : 1));
        if (y > 0 && t == (int)((int64_t)(y - 1) * 255 / (h > 1 ? h - 1 : 1)))
            return false;
        for (int x = 0; x < w; x++)
            videotestsrc_blend_px(self, x, t);
        return true;
    }
    case VIDEOTESTSRC_BALL: {
        /* A disc of radius 20 on a Lissajous path, as GStreamer's "ball". */
        double t = (double)self->n, r = 20.0;
        double cx = r + (0.5 + 0.5 * videotestsrc_sin(2 * 3.14159265358979 * t / 200)) * (w - 2 * r);
        double cy = r + (0.5 + 0.5 * videotestsrc_sin(2 * 3.14159265358979 * 1.41421356 * t / 200)) * (h - 2 * r);
        double dy = y + 0.5 - cy;
        bool inside = dy * dy < (r + 1) * (r + 1);
        bool prev_inside = y > 0 && (y - 0.5 - cy) * (y - 0.5 - cy) < (r + 1) * (r + 1);
        if (y > 0 && !inside && !prev_inside)
            return false;
        videotestsrc_paint(self, 0, w, self->bg);
        if (!inside)
            return true;
        for (int x = 0; x < w; x++) {
            double dx = x + 0.5 - cx, d2 = dx * dx + dy * dy;
            if (d2 >= (r + 1) * (r + 1))
                continue;
            /* 1-pixel antialiased edge: coverage from the distance to the rim. */
            double d = d2 <= (r - 1) * (r - 1) ? 0 : (d2 - (r - 1) * (r - 1)) / (4 * r);
            int cov = d <= 0 ? 255 : d >= 1 ? 0 : (int)(255 * (1 - d));
            videotestsrc_blend_px(self, x, cov);
        }
        return true;
    }
    default: { /* uniform frames */
        if (y > 0)
            return false;
        if (self->pattern == VIDEOTESTSRC_BAR) {
            videotestsrc_paint(self, 0, w / 7, self->fg);
            videotestsrc_paint(self, w / 7, w - w / 7, self->bg);
            return true;
        }
        int idx = self->pattern == VIDEOTESTSRC_RED ? VTS_RED : self->pattern == VIDEOTESTSRC_GREEN ? VTS_GREEN
                  : self->pattern == VIDEOTESTSRC_BLUE                                             ? VTS_BLUE
                                                                                                   : -1;
        if (idx >= 0)
            videotestsrc_paint_index(self, 0, w, c, idx);
        else if (self->pattern == VIDEOTESTSRC_BLACK || (self->pattern == VIDEOTESTSRC_BLINK && !(self->n & 1)))
            videotestsrc_paint(self, 0, w, self->bg);
        else
            videotestsrc_paint(self, 0, w, self->fg);
        return true;
    }
    }
}

/* Packs the line into row y of every plane that has a row there. */
static void videotestsrc_pack(videotestsrc *self, uint8_t *frame, int y, bool changed)
{
    const px_video_info *info = &self->info;
    const px_video_format_info *f = info->finfo;
    if (changed)
        self->line_version++;
    for (int p = 0; p < info->n_planes; p++) {
        int comp0 = 0;
        while (comp0 < 3 && comp0 < f->n_components && f->plane[comp0] != p)
            comp0++;
        int hs = f->h_sub[comp0];
        if (y & ((1 << hs) - 1))
            continue; /* subsampled rows: painted from the first row of the pair */
        int row = y >> hs;
        uint8_t *dst = frame + info->offset[p] + (size_t)row * info->stride[p];
        if (row > 0 && self->plane_version[p] == self->line_version) {
            memcpy(dst, dst - info->stride[p], info->stride[p]);
            continue;
        }
        self->plane_version[p] = self->line_version;
        for (int c = 0; c < f->n_components && c < 4; c++) {
            if (f->plane[c] != p)
                continue;
            int li = c == 3 ? 0 : c + 1; /* line order: A, then components 0..2 */
            int n = px_video_info_comp_width(info, c), ws = f->w_sub[c], ps = f->pstride[c];
            const uint8_t *src = self->line + li;
            uint8_t *o = dst + f->poffset[c];
            if (f->bits > 8) {
                int shift = 16 - f->bits;
                for (int i = 0; i < n; i++, o += ps) {
                    unsigned v = (unsigned)src[(size_t)(i << ws) * 4] * 257u >> shift;
                    o[0] = (uint8_t)v, o[1] = (uint8_t)(v >> 8);
                }
            } else if (ws == 0 && ps == 1) {
                for (int i = 0; i < n; i++)
                    o[i] = src[(size_t)i * 4];
            } else {
                for (int i = 0; i < n; i++, o += ps)
                    *o = src[(size_t)(i << ws) * 4];
            }
        }
    }
}

/* Prepares drawing for a frame layout (start(); unit tests call it directly). */
static int videotestsrc_setup(videotestsrc *self, const px_video_info *info)
{
    self->info = *info;
    self->rgb = (info->finfo->flags & PX_VIDEO_FORMAT_FLAG_RGB) != 0;
    bool b601 = info->colorimetry.matrix == PX_VIDEO_MATRIX_BT601;
    self->colors = b601 ? videotestsrc_bt601_100 : videotestsrc_bt709_100;
    self->colors75 = b601 ? videotestsrc_bt601_75 : videotestsrc_bt709_75;
    videotestsrc_argb_to_line(self->foreground_color, self->rgb, info->colorimetry.matrix, self->fg);
    videotestsrc_argb_to_line(self->background_color, self->rgb, info->colorimetry.matrix, self->bg);
    PX_FREE(self->line);
    self->line = PX_MALLOC((size_t)info->width * 4);
    if (!self->line)
        return PX_ENOMEM;
    self->n = 0;
    self->rng = 0;
    self->line_version = 1;
    memset(self->plane_version, 0, sizeof self->plane_version);
    return PX_OK;
}

static void videotestsrc_render(videotestsrc *self, uint8_t *frame)
{
    self->line_version++; /* a new frame: nothing to copy from the last one */
    for (int y = 0; y < self->info.height; y++)
        videotestsrc_pack(self, frame, y, videotestsrc_line(self, y));
}

static int videotestsrc_start(px_element *el, px_error *err)
{
    videotestsrc *self = px_element_state(el);
    const px_caps *caps = px_element_get_caps(el, PX_DIR_SRC, 0);
    px_video_info info;

    if (!caps)
        return px_error_set(err, PX_ESTATE, 0, "%s: started without negotiated caps", px_element_name(el));
    int rc = px_video_info_from_caps(&info, caps, err);
    if (rc)
        return rc;
    if ((rc = videotestsrc_setup(self, &info)))
        return px_error_set(err, rc, 0, "%s: out of memory for a %d-pixel line", px_element_name(el), info.width);
    self->base.tv_sec = 0;
    self->base.tv_nsec = 0;
    if (self->is_live) /* a live source cannot wait for a slow sink: frames drop, counted */
        px_element_default_flow_policy(el, PX_FLOW_POLICY_DROP);
    px_element_request_output(el, info.size, 0);
    return PX_OK;
}

static void videotestsrc_stop(px_element *el)
{
    videotestsrc *self = px_element_state(el);
    PX_FREE(self->line);
    self->line = NULL;
}

/* n / framerate in ns without overflow for any realistic n. */
static px_time videotestsrc_time(const px_fraction *fps, int64_t n)
{
    if (fps->num <= 0 || fps->den <= 0)
        return n == 0 ? 0 : PX_TIME_NONE;
    int64_t whole = n / fps->num, rest = n % fps->num;
    return whole * fps->den * PX_SECOND + rest * fps->den * PX_SECOND / fps->num;
}

static void videotestsrc_wait(videotestsrc *self, px_time pts)
{
    if (self->base.tv_sec == 0 && self->base.tv_nsec == 0)
        clock_gettime(CLOCK_MONOTONIC, &self->base);
    if (pts == PX_TIME_NONE)
        return;
    int64_t ns = (int64_t)self->base.tv_nsec + pts;
    struct timespec at = {self->base.tv_sec + (time_t)(ns / PX_SECOND), (long)(ns % PX_SECOND)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
        ;
}

static px_flow videotestsrc_produce(px_element *el, px_buffer *out)
{
    videotestsrc *self = px_element_state(el);

    if (self->num_buffers >= 0 && self->n >= self->num_buffers)
        return PX_FLOW_EOS;
    if (out->capacity < self->info.size) {
        px_element_error(el, PX_ENOMEM, "output slot holds %zu bytes but a frame needs %zu", out->capacity,
                         self->info.size);
        return PX_FLOW_ERROR;
    }
    px_time pts = videotestsrc_time(&self->info.framerate, self->n);
    px_time next = videotestsrc_time(&self->info.framerate, self->n + 1);
    videotestsrc_render(self, out->data);
    if (self->is_live)
        videotestsrc_wait(self, pts);
    out->size = self->info.size;
    out->pts = pts;
    out->dts = PX_TIME_NONE;
    out->duration = pts != PX_TIME_NONE && next != PX_TIME_NONE ? next - pts : PX_TIME_NONE;
    out->offset = (uint64_t)self->n;
    out->offset_end = (uint64_t)self->n + 1;
    self->n++;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(videotestsrc) = {
    .name = "videotestsrc",
    .family = "Source/Video",
    .description = "Creates a test video stream",
    .state_size = sizeof(videotestsrc),
    .src = PX_PAD_ALWAYS(PX_VIDEO_CAPS_TEMPLATE),
    .preferred_caps = "video/x-raw, format=I420, width=320, height=240, framerate=30/1",
    .hints = {.rt_safe = true},
    .start = videotestsrc_start,
    .stop = videotestsrc_stop,
    .fini = videotestsrc_stop,
    .produce = videotestsrc_produce,
    .props = PX_PROPS(
        PX_PROP_ENUM(videotestsrc, pattern, videotestsrc_patterns, VIDEOTESTSRC_SMPTE, "Type of test pattern to generate"),
        PX_PROP_INT(videotestsrc, num_buffers, -1, INT32_MAX, -1,
                    "Number of buffers to output before sending EOS (-1 = unlimited)"),
        PX_PROP_BOOL(videotestsrc, is_live, false, "Pace output to the framerate, as a live source would"),
        PX_PROP_UINT64(videotestsrc, foreground_color, 0, 0xffffffffu, 0xffffffffu,
                       "Foreground color as ARGB (0xAARRGGBB): white, solid-color, ball, snow"),
        PX_PROP_UINT64(videotestsrc, background_color, 0, 0xffffffffu, 0xff000000u,
                       "Background color as ARGB (0xAARRGGBB): black, ball, snow")),
};
