/* Per-plane video kernels: scaling, orientation, copy, fill (see scale.h).
 * No libm: the few transcendental values the Lanczos weights need come
 * from a small polynomial, computed once at prepare. */

#define PX__SCALE_ONE 16384 /* Q14 */

/* The row loops are written for the auto-vectorizer; GCC below -O3 runs it
 * only in its "very cheap" mode, which skips them, so ask for -O3 on these
 * few functions (clang vectorizes at -O2 already). */
#if defined(__GNUC__) && !defined(__clang__)
#define PX__SCALE_HOT __attribute__((optimize("O3")))
#else
#define PX__SCALE_HOT
#endif

static double px__scale_floor(double x)
{
    double t = (double)(int64_t)x;
    return t > x ? t - 1.0 : t;
}

/* sin(x) to ~1e-9 for any x: reduce to [-pi, pi], then an odd Taylor
 * polynomial (enough for filter weights and drawing). */
static double px__scale_sin(double x)
{
    const double pi = 3.14159265358979323846, two_pi = 2.0 * pi;
    x -= two_pi * px__scale_floor((x + pi) / two_pi);
    double x2 = x * x, term = x, sum = x;
    for (int n = 1; n < 12; n++) {
        term *= -x2 / (double)((2 * n) * (2 * n + 1));
        sum += term;
    }
    return sum;
}

static double px__scale_sinc(double x)
{
    const double pi = 3.14159265358979323846;
    if (x > -1e-9 && x < 1e-9)
        return 1.0;
    return px__scale_sin(pi * x) / (pi * x);
}

/* Weights of one output sample as (first source index, n doubles). */
static int px__scale_taps_for(int method, int in, int out, int o, double *w, int max, int *first)
{
    double scale = (double)in / (double)out;
    if (method == PX_VIDEO_SCALE_AREA) {
        double a = o * scale, b = (o + 1) * scale;
        int j0 = (int)px__scale_floor(a), n = 0;
        for (int j = j0; j < b && n < max; j++, n++) {
            double lo = j > a ? j : a, hi = j + 1 < b ? j + 1 : b;
            w[n] = (hi - lo) / scale;
        }
        *first = j0;
        return n;
    }
    double c = (o + 0.5) * scale - 0.5;
    if (method == PX_VIDEO_SCALE_BILINEAR) {
        int j0 = (int)px__scale_floor(c);
        double f = c - j0;
        w[0] = 1.0 - f;
        w[1] = f;
        *first = j0;
        return 2;
    }
    /* Lanczos, a = 3, stretched by the shrink factor so it also low-passes. */
    double s = scale > 1.0 ? scale : 1.0, support = 3.0 * s;
    int j0 = (int)px__scale_floor(c - support) + 1, n = 0;
    for (int j = j0; j < c + support && n < max; j++, n++) {
        double x = (j - c) / s;
        w[n] = px__scale_sinc(x) * px__scale_sinc(x / 3.0);
    }
    *first = j0;
    return n;
}

static int px__scale_max_taps(int method, int in, int out)
{
    double scale = (double)in / (double)out;
    if (method == PX_VIDEO_SCALE_BILINEAR)
        return 2;
    if (method == PX_VIDEO_SCALE_AREA)
        return (int)scale + 2;
    return 2 * (int)(3.0 * (scale > 1.0 ? scale : 1.0)) + 2;
}

/* One direction's tables: n outputs of ntaps (index, Q14 weight), indices
 * clamped to the edge, weights summing to exactly PX__SCALE_ONE. */
static int px__scale_tables(int method, int in, int out, int *ntaps, int32_t **idx, int16_t **wt)
{
    int max = px__scale_max_taps(method, in, out);
    if (in == out)
        max = 1;
    double *w = PX_MALLOC((size_t)max * sizeof *w);
    *idx = PX_MALLOC((size_t)out * (size_t)max * sizeof **idx);
    *wt = PX_MALLOC((size_t)out * (size_t)max * sizeof **wt);
    if (!w || !*idx || !*wt) {
        PX_FREE(w);
        return PX_ENOMEM;
    }
    for (int o = 0; o < out; o++) {
        int first = o, n = 1;
        if (in == out)
            w[0] = 1.0;
        else
            n = px__scale_taps_for(method, in, out, o, w, max, &first);
        double sum = 0;
        for (int k = 0; k < n; k++)
            sum += w[k];
        int isum = 0, big = 0;
        for (int k = 0; k < max; k++) {
            int j = first + k;
            (*idx)[o * max + k] = j < 0 ? 0 : j >= in ? in - 1 : j;
            double v = k < n && sum != 0 ? w[k] / sum * PX__SCALE_ONE : 0;
            int iv = (int)px__scale_floor(v + 0.5);
            (*wt)[o * max + k] = (int16_t)iv;
            isum += iv;
            if (iv > (*wt)[o * max + big])
                big = k;
        }
        (*wt)[o * max + big] = (int16_t)((*wt)[o * max + big] + PX__SCALE_ONE - isum);
    }
    PX_FREE(w);
    *ntaps = max;
    return PX_OK;
}

PX_API void px_video_scaler_clear(px_video_scaler *s)
{
    if (!s)
        return;
    PX_FREE(s->hidx);
    PX_FREE(s->hw);
    PX_FREE(s->vidx);
    PX_FREE(s->vw);
    PX_FREE(s->row);
    PX_FREE(s->acc);
    memset(s, 0, sizeof *s);
}

PX_API int px_video_scaler_init(px_video_scaler *s, int method, int sw, int sh, int dw, int dh, int channels,
                                int bytes)
{
    if (!s)
        return PX_EINVAL;
    memset(s, 0, sizeof *s);
    if (sw < 1 || sh < 1 || dw < 1 || dh < 1 || sw > 65536 || sh > 65536 || dw > 65536 || dh > 65536 ||
        channels < 1 || channels > 4 || (bytes != 1 && bytes != 2))
        return PX_EINVAL;
    if (method != PX_VIDEO_SCALE_NEAREST && method != PX_VIDEO_SCALE_BILINEAR && method != PX_VIDEO_SCALE_LANCZOS &&
        method != PX_VIDEO_SCALE_AREA)
        return PX_EINVAL;
    *s = (px_video_scaler){.method = method, .sw = sw, .sh = sh, .dw = dw, .dh = dh, .channels = channels,
                           .bytes = bytes};
    int rc;
    if (method == PX_VIDEO_SCALE_NEAREST) {
        /* One "tap" each: the source pixel whose area holds the output's centre. */
        s->htaps = s->vtaps = 1;
        s->hidx = PX_MALLOC((size_t)dw * sizeof *s->hidx);
        s->vidx = PX_MALLOC((size_t)dh * sizeof *s->vidx);
        if (!s->hidx || !s->vidx) {
            px_video_scaler_clear(s);
            return PX_ENOMEM;
        }
        for (int x = 0; x < dw; x++)
            s->hidx[x] = (int32_t)(((int64_t)(2 * x + 1) * sw) / (2 * dw));
        for (int y = 0; y < dh; y++)
            s->vidx[y] = (int32_t)(((int64_t)(2 * y + 1) * sh) / (2 * dh));
        return PX_OK;
    }
    if ((rc = px__scale_tables(method, sw, dw, &s->htaps, &s->hidx, &s->hw)) ||
        (rc = px__scale_tables(method, sh, dh, &s->vtaps, &s->vidx, &s->vw))) {
        px_video_scaler_clear(s);
        return rc;
    }
    size_t n = (size_t)sw * (size_t)channels;
    s->row = PX_MALLOC(n * (bytes == 1 ? sizeof(int16_t) : sizeof(int32_t)));
    s->acc = PX_MALLOC(n * sizeof(int32_t));
    if (!s->row || !s->acc) {
        px_video_scaler_clear(s);
        return PX_ENOMEM;
    }
    return PX_OK;
}

/* ---- Nearest ---------------------------------------------------------------- */

PX__SCALE_HOT static void px__scale_nearest(const px_video_scaler *s, const uint8_t *src, size_t sstride, uint8_t *dst,
                              size_t dstride)
{
    int bpp = s->channels * s->bytes;
    for (int y = 0; y < s->dh; y++) {
        const uint8_t *in = src + (size_t)s->vidx[y] * sstride;
        uint8_t *out = dst + (size_t)y * dstride;
        if (y > 0 && s->vidx[y] == s->vidx[y - 1]) {
            memcpy(out, out - dstride, (size_t)s->dw * (size_t)bpp);
            continue;
        }
        switch (bpp) {
        case 1:
            for (int x = 0; x < s->dw; x++)
                out[x] = in[s->hidx[x]];
            break;
        case 2:
            for (int x = 0; x < s->dw; x++)
                memcpy(out + 2 * x, in + 2 * (size_t)s->hidx[x], 2);
            break;
        case 4:
            for (int x = 0; x < s->dw; x++)
                memcpy(out + 4 * x, in + 4 * (size_t)s->hidx[x], 4);
            break;
        default:
            for (int x = 0; x < s->dw; x++)
                memcpy(out + (size_t)bpp * x, in + (size_t)bpp * s->hidx[x], (size_t)bpp);
            break;
        }
    }
}

/* ---- 8-bit samples: int16 intermediate row in Q7 ----------------------------- */

PX__SCALE_HOT static void px__scale_v8(px_video_scaler *s, const uint8_t *src, size_t sstride, int y)
{
    size_t n = (size_t)s->sw * (size_t)s->channels;
    int16_t *restrict row = s->row;
    const int32_t *vi = s->vidx + (size_t)y * s->vtaps;
    const int16_t *vw = s->vw + (size_t)y * s->vtaps;
    int single = s->vtaps == 1 ? 0 : s->vtaps == 2 && vw[1] == 0 ? 0 : s->vtaps == 2 && vw[0] == 0 ? 1 : -1;
    if (single >= 0) {
        const uint8_t *restrict a = src + (size_t)vi[single] * sstride;
        for (size_t i = 0; i < n; i++)
            row[i] = (int16_t)(a[i] << 7);
        return;
    }
    if (s->vtaps == 2) {
        const uint8_t *restrict a = src + (size_t)vi[0] * sstride, *restrict b = src + (size_t)vi[1] * sstride;
        int w0 = vw[0], w1 = vw[1];
        for (size_t i = 0; i < n; i++)
            row[i] = (int16_t)((a[i] * w0 + b[i] * w1 + 64) >> 7);
        return;
    }
    int32_t *restrict acc = s->acc;
    for (size_t i = 0; i < n; i++)
        acc[i] = 64;
    for (int k = 0; k < s->vtaps; k++) {
        const uint8_t *restrict a = src + (size_t)vi[k] * sstride;
        int w = vw[k];
        if (!w)
            continue;
        for (size_t i = 0; i < n; i++)
            acc[i] += a[i] * w;
    }
    for (size_t i = 0; i < n; i++) {
        int v = acc[i] >> 7;
        row[i] = (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
    }
}

PX__SCALE_HOT static void px__scale_h8(const px_video_scaler *s, uint8_t *restrict out)
{
    const int16_t *restrict row = s->row;
    const int ch = s->channels, nt = s->htaps;
    if (nt == 2) {
        for (int x = 0; x < s->dw; x++) {
            const int16_t *a = row + (size_t)s->hidx[2 * x] * ch, *b = row + (size_t)s->hidx[2 * x + 1] * ch;
            int w0 = s->hw[2 * x], w1 = s->hw[2 * x + 1];
            for (int c = 0; c < ch; c++) {
                int v = (a[c] * w0 + b[c] * w1 + (1 << 20)) >> 21;
                out[x * ch + c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
        }
        return;
    }
    for (int x = 0; x < s->dw; x++) {
        const int32_t *idx = s->hidx + (size_t)x * nt;
        const int16_t *w = s->hw + (size_t)x * nt;
        for (int c = 0; c < ch; c++) {
            int32_t v = 1 << 20;
            for (int k = 0; k < nt; k++)
                v += row[(size_t)idx[k] * ch + c] * w[k];
            v >>= 21;
            out[x * ch + c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

/* ---- 16-bit samples: int32 intermediate in Q14, int64 horizontal ------------- */

PX__SCALE_HOT static void px__scale_v16(px_video_scaler *s, const uint8_t *src, size_t sstride, int y)
{
    size_t n = (size_t)s->sw * (size_t)s->channels;
    int32_t *restrict row = s->row;
    const int32_t *vi = s->vidx + (size_t)y * s->vtaps;
    const int16_t *vw = s->vw + (size_t)y * s->vtaps;
    for (size_t i = 0; i < n; i++)
        row[i] = 0;
    for (int k = 0; k < s->vtaps; k++) {
        const uint16_t *restrict a = (const uint16_t *)(const void *)(src + (size_t)vi[k] * sstride);
        int w = vw[k];
        if (!w)
            continue;
        for (size_t i = 0; i < n; i++)
            row[i] += (int32_t)a[i] * w;
    }
}

PX__SCALE_HOT static void px__scale_h16(const px_video_scaler *s, uint8_t *out8)
{
    const int32_t *row = s->row;
    uint16_t *out = (uint16_t *)(void *)out8;
    const int ch = s->channels, nt = s->htaps;
    for (int x = 0; x < s->dw; x++) {
        const int32_t *idx = s->hidx + (size_t)x * nt;
        const int16_t *w = s->hw + (size_t)x * nt;
        for (int c = 0; c < ch; c++) {
            int64_t v = (int64_t)1 << 27;
            for (int k = 0; k < nt; k++)
                v += (int64_t)row[(size_t)idx[k] * ch + c] * w[k];
            v >>= 28;
            out[x * ch + c] = (uint16_t)(v < 0 ? 0 : v > 65535 ? 65535 : v);
        }
    }
}

PX_API void px_video_scaler_run(px_video_scaler *s, const uint8_t *src, size_t sstride, uint8_t *dst,
                                size_t dstride)
{
    size_t row_bytes = (size_t)s->dw * (size_t)s->channels * (size_t)s->bytes;
    if (s->sw == s->dw && s->sh == s->dh) {
        px_video_copy_plane(src, sstride, dst, dstride, row_bytes, s->dh);
        return;
    }
    if (s->method == PX_VIDEO_SCALE_NEAREST) {
        px__scale_nearest(s, src, sstride, dst, dstride);
        return;
    }
    for (int y = 0; y < s->dh; y++) {
        uint8_t *out = dst + (size_t)y * dstride;
        /* Same source rows and weights as the row above: copy it. */
        if (y > 0 && s->vtaps == 1 && s->vidx[y] == s->vidx[y - 1]) {
            memcpy(out, out - dstride, row_bytes);
            continue;
        }
        if (s->bytes == 1) {
            px__scale_v8(s, src, sstride, y);
            px__scale_h8(s, out);
        } else {
            px__scale_v16(s, src, sstride, y);
            px__scale_h16(s, out);
        }
    }
}

/* ---- Orientation, copy, fill ---------------------------------------------------- */

PX_API bool px_video_orientation_swaps(int method)
{
    return method == PX_VIDEO_ORIENT_90R || method == PX_VIDEO_ORIENT_90L || method == PX_VIDEO_ORIENT_UL_LR ||
           method == PX_VIDEO_ORIENT_UR_LL;
}

PX_API void px_video_copy_plane(const uint8_t *src, size_t sstride, uint8_t *dst, size_t dstride, size_t row_bytes,
                                int rows)
{
    if (sstride == dstride && sstride == row_bytes) {
        memcpy(dst, src, row_bytes * (size_t)rows);
        return;
    }
    for (int y = 0; y < rows; y++)
        memcpy(dst + (size_t)y * dstride, src + (size_t)y * sstride, row_bytes);
}

PX_API void px_video_fill_plane(uint8_t *dst, size_t stride, int pixels, int rows, const uint8_t *value, int bpp)
{
    for (int y = 0; y < rows; y++) {
        uint8_t *p = dst + (size_t)y * stride;
        if (bpp == 1) {
            memset(p, value[0], (size_t)pixels);
            continue;
        }
        for (int x = 0; x < pixels; x++)
            memcpy(p + (size_t)x * bpp, value, (size_t)bpp);
    }
}

/* dst(x, y) = src(sx, sy) with sx = x0 + xx*x + xy*y and sy = y0 + yx*x + yy*y. */
PX_API void px_video_flip_plane(int method, const uint8_t *src, size_t sstride, int w, int h, int bpp,
                                uint8_t *dst, size_t dstride)
{
    int dw = px_video_orientation_swaps(method) ? h : w, dh = px_video_orientation_swaps(method) ? w : h;
    int x0 = 0, xx = 1, xy = 0, y0 = 0, yx = 0, yy = 1;
    switch (method) {
    case PX_VIDEO_ORIENT_90R: x0 = 0, xx = 0, xy = 1, y0 = h - 1, yx = -1, yy = 0; break;
    case PX_VIDEO_ORIENT_180: x0 = w - 1, xx = -1, y0 = h - 1, yy = -1; break;
    case PX_VIDEO_ORIENT_90L: x0 = w - 1, xx = 0, xy = -1, y0 = 0, yx = 1, yy = 0; break;
    case PX_VIDEO_ORIENT_HORIZ: x0 = w - 1, xx = -1; break;
    case PX_VIDEO_ORIENT_VERT: y0 = h - 1, yy = -1; break;
    case PX_VIDEO_ORIENT_UL_LR: xx = 0, xy = 1, yx = 1, yy = 0; break;
    case PX_VIDEO_ORIENT_UR_LL: x0 = w - 1, xx = 0, xy = -1, y0 = h - 1, yx = -1, yy = 0; break;
    default: break;
    }
    ptrdiff_t step = (ptrdiff_t)xx * bpp + (ptrdiff_t)yx * (ptrdiff_t)sstride;
    if (step == bpp) { /* rows stay rows: identity, vertical flip */
        for (int y = 0; y < dh; y++)
            memcpy(dst + (size_t)y * dstride, src + (size_t)(y0 + yy * y) * sstride + (size_t)x0 * bpp,
                   (size_t)dw * bpp);
        return;
    }
    /* Rotations walk source columns: go in tiles of 16 rows so the columns
     * touched stay in cache. */
    for (int ty = 0; ty < dh; ty += 16) {
        int ey = ty + 16 < dh ? ty + 16 : dh;
        for (int tx = 0; tx < dw; tx += 64) {
            int ex = tx + 64 < dw ? tx + 64 : dw;
            for (int y = ty; y < ey; y++) {
                const uint8_t *in = src + (ptrdiff_t)(y0 + yy * y + yx * tx) * (ptrdiff_t)sstride +
                                    (ptrdiff_t)(x0 + xy * y + xx * tx) * bpp;
                uint8_t *out = dst + (size_t)y * dstride + (size_t)tx * bpp;
                int n = ex - tx;
                switch (bpp) {
                case 1:
                    for (int x = 0; x < n; x++, in += step)
                        out[x] = *in;
                    break;
                case 2:
                    for (int x = 0; x < n; x++, in += step)
                        memcpy(out + 2 * x, in, 2);
                    break;
                case 4:
                    for (int x = 0; x < n; x++, in += step)
                        memcpy(out + 4 * x, in, 4);
                    break;
                default:
                    for (int x = 0; x < n; x++, in += step)
                        memcpy(out + (size_t)bpp * x, in, (size_t)bpp);
                    break;
                }
            }
        }
    }
}
