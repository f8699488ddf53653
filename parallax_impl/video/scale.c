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

/* ---- CPU dispatch (x86) ------------------------------------------------------ */

/* The default build targets baseline x86-64 (SSE2); SSSE3 and AVX2 kernels
 * are compiled for their own targets and picked at init from the CPU. */
#if defined(__SSE2__) && (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define PX__SCALE_X86 1
#include <immintrin.h>
/* noinline: a row per call costs nothing, and it keeps -O3 -march=native
 * from inlining them into callers where it then warns about paths that a
 * runtime check rules out. */
#define PX__SCALE_SSE2  __attribute__((noinline))
#define PX__SCALE_SSSE3 __attribute__((target("ssse3"), noinline))
#define PX__SCALE_AVX2  __attribute__((target("avx2"), noinline))
#endif

static int px__scale_cpu_isa(void)
{
#if defined(PX__SCALE_X86)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        return PX_VIDEO_SCALE_ISA_AVX2;
    if (__builtin_cpu_supports("ssse3"))
        return PX_VIDEO_SCALE_ISA_SSSE3;
    return PX_VIDEO_SCALE_ISA_SSE2;
#else
    return PX_VIDEO_SCALE_ISA_C;
#endif
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
    PX_FREE(s->hpos);
    PX_FREE(s->hpw);
    PX_FREE(s->hblk);
    PX_FREE(s->hshuf);
    memset(s, 0, sizeof *s);
}

/* Bilinear, 8-bit: each output as one pair of adjacent source pixels (a
 * single 32-bit load per output for ch 1). Taps clamped onto one edge pixel
 * k become (k, k+1) or (k-1, k) with all the weight on k: the same sum. For
 * ch 1 with SSSE3, blocks of 4 outputs whose taps lie in 8 consecutive
 * samples get a byte shuffle that gathers them from one 16-byte load. */
static int px__scale_bilinear_simd_tables(px_video_scaler *s)
{
    int sw = s->sw, dw = s->dw;
    if (s->htaps != 2 || sw < 2)
        return PX_OK;
    s->hpos = PX_MALLOC((size_t)dw * sizeof *s->hpos);
    s->hpw = PX_MALLOC((size_t)dw * 2 * sizeof *s->hpw);
    if (!s->hpos || !s->hpw)
        return PX_ENOMEM;
    for (int x = 0; x < dw; x++) {
        int i0 = s->hidx[2 * x], i1 = s->hidx[2 * x + 1], w0 = s->hw[2 * x], w1 = s->hw[2 * x + 1];
        s->hpos[x] = i0 < sw - 1 ? i0 : sw - 2;
        if (i1 == i0 && s->hpos[x] == i0) {
            w0 += w1;
            w1 = 0;
        } else if (i1 == i0) {
            w1 += w0;
            w0 = 0;
        } else if (i1 != i0 + 1) { /* not expected from px__scale_tables: keep to the C path */
            PX_FREE(s->hpos);
            PX_FREE(s->hpw);
            s->hpos = NULL;
            s->hpw = NULL;
            return PX_OK;
        }
        s->hpw[2 * x] = (int16_t)w0;
        s->hpw[2 * x + 1] = (int16_t)w1;
    }
    if (s->channels != 1 || s->isa < PX_VIDEO_SCALE_ISA_SSSE3 || dw < 4)
        return PX_OK;
    int nb = dw / 4;
    s->hblk = PX_MALLOC((size_t)nb * sizeof *s->hblk);
    s->hshuf = PX_MALLOC((size_t)nb * 16);
    if (!s->hblk || !s->hshuf)
        return PX_ENOMEM;
    for (int b = 0; b < nb; b++) {
        int base = s->hpos[4 * b];
        s->hblk[b] = base;
        for (int i = 0; i < 4; i++) {
            int d = s->hpos[4 * b + i] - base;
            if (d < 0 || d > 6)
                return PX_OK; /* too sparse: nblk stays 0 */
            for (int k = 0; k < 4; k++)
                s->hshuf[16 * b + 4 * i + k] = (uint8_t)(2 * d + k);
        }
    }
    s->nblk = nb;
    return PX_OK;
}

/* Nearest, 8-bit, 1/2/4-byte pixels, SSSE3: blocks of 8 output bytes whose
 * source pixels lie in 16 consecutive bytes of the row (the window never
 * starts past the row's last 16 bytes) and their 8-byte shuffles. */
static int px__scale_nearest_simd_tables(px_video_scaler *s)
{
    int bpp = s->channels, rowbytes = s->sw * bpp;
    if (s->isa < PX_VIDEO_SCALE_ISA_SSSE3 || s->bytes != 1 || (bpp != 1 && bpp != 2 && bpp != 4) ||
        rowbytes < 16)
        return PX_OK;
    int per = 8 / bpp, nb = s->dw / per;
    if (nb < 2)
        return PX_OK;
    s->hblk = PX_MALLOC((size_t)nb * sizeof *s->hblk);
    s->hshuf = PX_MALLOC((size_t)nb * 8);
    if (!s->hblk || !s->hshuf)
        return PX_ENOMEM;
    for (int b = 0; b < nb; b++) {
        int base = s->hidx[b * per] * bpp;
        if (base > rowbytes - 16)
            base = rowbytes - 16;
        s->hblk[b] = base;
        for (int i = 0; i < per; i++) {
            int d = s->hidx[b * per + i] * bpp - base;
            if (d < 0 || d + bpp > 16)
                return PX_OK;
            for (int k = 0; k < bpp; k++)
                s->hshuf[8 * b + i * bpp + k] = (uint8_t)(d + k);
        }
    }
    s->nblk = nb;
    return PX_OK;
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
                           .bytes = bytes, .isa = px__scale_cpu_isa()};
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
        if ((rc = px__scale_nearest_simd_tables(s))) {
            px_video_scaler_clear(s);
            return rc;
        }
        return PX_OK;
    }
    if ((rc = px__scale_tables(method, sw, dw, &s->htaps, &s->hidx, &s->hw)) ||
        (rc = px__scale_tables(method, sh, dh, &s->vtaps, &s->vidx, &s->vw))) {
        px_video_scaler_clear(s);
        return rc;
    }
    /* The row has 16 spare samples, zeroed: SIMD loads may read past the end. */
    size_t n = (size_t)sw * (size_t)channels, esize = bytes == 1 ? sizeof(int16_t) : sizeof(int32_t);
    s->row = PX_MALLOC((n + 16) * esize);
    s->acc = PX_MALLOC(n * sizeof(int32_t));
    if (!s->row || !s->acc) {
        px_video_scaler_clear(s);
        return PX_ENOMEM;
    }
    memset(s->row, 0, (n + 16) * esize);
    if (bytes == 1 && s->isa >= PX_VIDEO_SCALE_ISA_SSE2 && (rc = px__scale_bilinear_simd_tables(s))) {
        px_video_scaler_clear(s);
        return rc;
    }
    return PX_OK;
}

/* ---- Nearest ---------------------------------------------------------------- */

static void px__scale_nearest_row_c(const int32_t *restrict idx, int dw, int bpp, const uint8_t *restrict in,
                                    uint8_t *restrict out, int x)
{
    switch (bpp) {
    case 1:
        for (; x < dw; x++)
            out[x] = in[idx[x]];
        break;
    case 2:
        for (; x < dw; x++)
            memcpy(out + 2 * x, in + 2 * (size_t)idx[x], 2);
        break;
    case 4:
        for (; x < dw; x++)
            memcpy(out + 4 * x, in + 4 * (size_t)idx[x], 4);
        break;
    default:
        for (; x < dw; x++)
            memcpy(out + (size_t)bpp * x, in + (size_t)bpp * idx[x], (size_t)bpp);
        break;
    }
}

#if defined(PX__SCALE_X86)
/* Two blocks (16 output bytes) per step: a shuffle of each one's window. */
PX__SCALE_SSSE3 static void px__scale_nearest_row_ssse3(const px_video_scaler *s, const uint8_t *restrict in,
                                                        uint8_t *restrict out)
{
    const int32_t *restrict blk = s->hblk;
    const uint8_t *restrict shuf = s->hshuf;
    int b = 0, nb = s->nblk;
    for (; b + 2 <= nb; b += 2) {
        __m128i lo = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(in + blk[b])),
                                      _mm_loadl_epi64((const __m128i *)(const void *)(shuf + 8 * b)));
        __m128i hi = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(in + blk[b + 1])),
                                      _mm_loadl_epi64((const __m128i *)(const void *)(shuf + 8 * b + 8)));
        _mm_storeu_si128((__m128i *)(void *)(out + 8 * b), _mm_unpacklo_epi64(lo, hi));
    }
    px__scale_nearest_row_c(s->hidx, s->dw, s->channels, in, out, b * (8 / s->channels));
}
#endif

static void px__scale_nearest(const px_video_scaler *s, const uint8_t *src, size_t sstride, uint8_t *dst,
                              size_t dstride)
{
    const int bpp = s->channels * s->bytes, dw = s->dw, dh = s->dh;
    const int32_t *vidx = s->vidx;
    for (int y = 0; y < dh; y++) {
        const uint8_t *in = src + (size_t)vidx[y] * sstride;
        uint8_t *out = dst + (size_t)y * dstride;
        if (y > 0 && vidx[y] == vidx[y - 1]) {
            memcpy(out, out - dstride, (size_t)dw * (size_t)bpp);
            continue;
        }
#if defined(PX__SCALE_X86)
        if (s->isa >= PX_VIDEO_SCALE_ISA_SSSE3 && s->nblk) {
            px__scale_nearest_row_ssse3(s, in, out);
            continue;
        }
#endif
        px__scale_nearest_row_c(s->hidx, dw, bpp, in, out, 0);
    }
}

/* ---- 8-bit samples: int16 intermediate row in Q7 ----------------------------- */

/* Vertical, 2 taps: row = (a * w0 + b * w1 + 64) >> 7. */
PX__SCALE_HOT static void px__scale_v2_c(int16_t *restrict row, const uint8_t *a, const uint8_t *b, int w0,
                                         int w1, size_t n)
{
    for (size_t i = 0; i < n; i++)
        row[i] = (int16_t)((a[i] * w0 + b[i] * w1 + 64) >> 7);
}

#if defined(PX__SCALE_X86)
/* a, b interleaved into 16-bit pairs, pmaddwd with (w0, w1): exact. */
PX__SCALE_SSE2 static void px__scale_v2_sse2(int16_t *restrict row, const uint8_t *a, const uint8_t *b,
                                             int w0, int w1, size_t n)
{
    const __m128i w = _mm_set1_epi32((int)((uint32_t)(uint16_t)w0 | (uint32_t)(uint16_t)w1 << 16));
    const __m128i rnd = _mm_set1_epi32(64), z = _mm_setzero_si128();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i va = _mm_loadu_si128((const __m128i *)(const void *)(a + i));
        __m128i vb = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        __m128i lo = _mm_unpacklo_epi8(va, vb), hi = _mm_unpackhi_epi8(va, vb);
        __m128i s0 = _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi8(lo, z), w), rnd), 7);
        __m128i s1 = _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(_mm_unpackhi_epi8(lo, z), w), rnd), 7);
        __m128i s2 = _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi8(hi, z), w), rnd), 7);
        __m128i s3 = _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(_mm_unpackhi_epi8(hi, z), w), rnd), 7);
        _mm_storeu_si128((__m128i *)(void *)(row + i), _mm_packs_epi32(s0, s1));
        _mm_storeu_si128((__m128i *)(void *)(row + i + 8), _mm_packs_epi32(s2, s3));
    }
    for (; i < n; i++)
        row[i] = (int16_t)((a[i] * w0 + b[i] * w1 + 64) >> 7);
}

/* The same on 32 samples; unpack and pack work within 128-bit lanes, so the
 * lanes are put back in order before the store. */
PX__SCALE_AVX2 static void px__scale_v2_avx2(int16_t *restrict row, const uint8_t *a, const uint8_t *b,
                                             int w0, int w1, size_t n)
{
    const __m256i w = _mm256_set1_epi32((int)((uint32_t)(uint16_t)w0 | (uint32_t)(uint16_t)w1 << 16));
    const __m256i rnd = _mm256_set1_epi32(64), z = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i va = _mm256_loadu_si256((const __m256i *)(const void *)(a + i));
        __m256i vb = _mm256_loadu_si256((const __m256i *)(const void *)(b + i));
        __m256i lo = _mm256_unpacklo_epi8(va, vb), hi = _mm256_unpackhi_epi8(va, vb);
        __m256i s0 =
            _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi8(lo, z), w), rnd), 7);
        __m256i s1 =
            _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi8(lo, z), w), rnd), 7);
        __m256i s2 =
            _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi8(hi, z), w), rnd), 7);
        __m256i s3 =
            _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi8(hi, z), w), rnd), 7);
        __m256i r0 = _mm256_packs_epi32(s0, s1), r1 = _mm256_packs_epi32(s2, s3); /* 0-7|16-23, 8-15|24-31 */
        _mm256_storeu_si256((__m256i *)(void *)(row + i), _mm256_permute2x128_si256(r0, r1, 0x20));
        _mm256_storeu_si256((__m256i *)(void *)(row + i + 16), _mm256_permute2x128_si256(r0, r1, 0x31));
    }
    for (; i < n; i++)
        row[i] = (int16_t)((a[i] * w0 + b[i] * w1 + 64) >> 7);
}
#endif

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
        const uint8_t *a = src + (size_t)vi[0] * sstride, *b = src + (size_t)vi[1] * sstride;
#if defined(PX__SCALE_X86)
        if (s->isa >= PX_VIDEO_SCALE_ISA_AVX2)
            px__scale_v2_avx2(row, a, b, vw[0], vw[1], n);
        else if (s->isa >= PX_VIDEO_SCALE_ISA_SSE2)
            px__scale_v2_sse2(row, a, b, vw[0], vw[1], n);
        else
#endif
            px__scale_v2_c(row, a, b, vw[0], vw[1], n);
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

/* Horizontal, 2 taps, ch a constant after inlining: the C reference. */
static inline void px__scale_h2_c(const int16_t *restrict row, const int32_t *restrict idx,
                                  const int16_t *restrict w, int dw, int ch, uint8_t *restrict out)
{
    for (int x = 0; x < dw; x++) {
        const int16_t *a = row + (size_t)idx[2 * x] * ch, *b = row + (size_t)idx[2 * x + 1] * ch;
        int w0 = w[2 * x], w1 = w[2 * x + 1];
        for (int c = 0; c < ch; c++) {
            int v = (a[c] * w0 + b[c] * w1 + (1 << 20)) >> 21;
            out[x * ch + c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

/* Horizontal, any taps. */
static inline void px__scale_hn_c(const int16_t *restrict row, const int32_t *restrict idx,
                                  const int16_t *restrict wt, int dw, int nt, int ch, uint8_t *restrict out)
{
    for (int x = 0; x < dw; x++) {
        const int32_t *ix = idx + (size_t)x * nt;
        const int16_t *w = wt + (size_t)x * nt;
        for (int c = 0; c < ch; c++) {
            int32_t v = 1 << 20;
            for (int k = 0; k < nt; k++)
                v += row[(size_t)ix[k] * ch + c] * w[k];
            v >>= 21;
            out[x * ch + c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

#if defined(PX__SCALE_X86)
/* Outputs x0.. dw - 1 from the pair tables (tails of the SIMD loops). */
static void px__scale_h2_pairs(const px_video_scaler *s, const int16_t *row, uint8_t *out, int x0)
{
    const int ch = s->channels;
    for (int x = x0; x < s->dw; x++) {
        const int16_t *a = row + (size_t)s->hpos[x] * ch, *b = a + ch;
        int w0 = s->hpw[2 * x], w1 = s->hpw[2 * x + 1];
        for (int c = 0; c < ch; c++) {
            int v = (a[c] * w0 + b[c] * w1 + (1 << 20)) >> 21;
            out[x * ch + c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

static inline __m128i px__scale_ld32(const int16_t *p)
{
    int32_t v;
    memcpy(&v, p, sizeof v);
    return _mm_cvtsi32_si128(v);
}

/* (sum + 2^20) >> 21 of two vectors of 4 int32, saturated to 8 bytes. */
static inline __m128i px__scale_pack8(__m128i s0, __m128i s1)
{
    const __m128i rnd = _mm_set1_epi32(1 << 20);
    s0 = _mm_srai_epi32(_mm_add_epi32(s0, rnd), 21);
    s1 = _mm_srai_epi32(_mm_add_epi32(s1, rnd), 21);
    __m128i r = _mm_packs_epi32(s0, s1);
    return _mm_packus_epi16(r, r);
}

/* SSE2: taps gathered by scalar loads, pairs multiplied by pmaddwd. */
PX__SCALE_SSE2 static void px__scale_h2_sse2(const px_video_scaler *s, const int16_t *restrict row,
                                             uint8_t *restrict out, int x)
{
    const int32_t *restrict pos = s->hpos;
    const int16_t *restrict w = s->hpw;
    const int dw = s->dw, ch = s->channels;
    if (ch == 1) {
        for (; x + 8 <= dw; x += 8) {
            __m128i p0 = _mm_unpacklo_epi64(
                _mm_unpacklo_epi32(px__scale_ld32(row + pos[x]), px__scale_ld32(row + pos[x + 1])),
                _mm_unpacklo_epi32(px__scale_ld32(row + pos[x + 2]), px__scale_ld32(row + pos[x + 3])));
            __m128i p1 = _mm_unpacklo_epi64(
                _mm_unpacklo_epi32(px__scale_ld32(row + pos[x + 4]), px__scale_ld32(row + pos[x + 5])),
                _mm_unpacklo_epi32(px__scale_ld32(row + pos[x + 6]), px__scale_ld32(row + pos[x + 7])));
            __m128i s0 = _mm_madd_epi16(p0, _mm_loadu_si128((const __m128i *)(const void *)(w + 2 * x)));
            __m128i s1 = _mm_madd_epi16(p1, _mm_loadu_si128((const __m128i *)(const void *)(w + 2 * x + 8)));
            _mm_storel_epi64((__m128i *)(void *)(out + x), px__scale_pack8(s0, s1));
        }
    } else if (ch == 2) {
        /* (u0 v0 u1 v1) -> (u0 u1 v0 v1); weights (w0 w1 w0 w1) */
        for (; x + 4 <= dw; x += 4) {
            __m128i p0 =
                _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)(const void *)(row + 2 * pos[x])),
                                   _mm_loadl_epi64((const __m128i *)(const void *)(row + 2 * pos[x + 1])));
            __m128i p1 =
                _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)(const void *)(row + 2 * pos[x + 2])),
                                   _mm_loadl_epi64((const __m128i *)(const void *)(row + 2 * pos[x + 3])));
            p0 = _mm_shufflehi_epi16(_mm_shufflelo_epi16(p0, 0xd8), 0xd8);
            p1 = _mm_shufflehi_epi16(_mm_shufflelo_epi16(p1, 0xd8), 0xd8);
            __m128i w0 = _mm_loadl_epi64((const __m128i *)(const void *)(w + 2 * x));
            __m128i w1 = _mm_loadl_epi64((const __m128i *)(const void *)(w + 2 * x + 4));
            __m128i s0 = _mm_madd_epi16(p0, _mm_unpacklo_epi32(w0, w0));
            __m128i s1 = _mm_madd_epi16(p1, _mm_unpacklo_epi32(w1, w1));
            _mm_storel_epi64((__m128i *)(void *)(out + 2 * x), px__scale_pack8(s0, s1));
        }
    } else if (ch == 4) {
        /* (r0 g0 b0 a0 r1 g1 b1 a1) -> (r0 r1 g0 g1 b0 b1 a0 a1); weights broadcast */
        for (; x + 2 <= dw; x += 2) {
            __m128i p0 = _mm_loadu_si128((const __m128i *)(const void *)(row + 4 * pos[x]));
            __m128i p1 = _mm_loadu_si128((const __m128i *)(const void *)(row + 4 * pos[x + 1]));
            p0 = _mm_unpacklo_epi16(p0, _mm_srli_si128(p0, 8));
            p1 = _mm_unpacklo_epi16(p1, _mm_srli_si128(p1, 8));
            __m128i s0 = _mm_madd_epi16(p0, _mm_shuffle_epi32(px__scale_ld32(w + 2 * x), 0));
            __m128i s1 = _mm_madd_epi16(p1, _mm_shuffle_epi32(px__scale_ld32(w + 2 * x + 2), 0));
            _mm_storel_epi64((__m128i *)(void *)(out + 4 * x), px__scale_pack8(s0, s1));
        }
    }
    px__scale_h2_pairs(s, row, out, x);
}

/* SSSE3, ch 1: each block of 4 outputs is one load and one pshufb. */
PX__SCALE_SSSE3 static void px__scale_h2_ssse3(const px_video_scaler *s, const int16_t *restrict row,
                                               uint8_t *restrict out, int x)
{
    const int32_t *restrict blk = s->hblk;
    const uint8_t *restrict shuf = s->hshuf;
    const int16_t *restrict w = s->hpw;
    const int dw = s->dw;
    for (; x + 8 <= dw; x += 8) {
        int b = x >> 2;
        __m128i p0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(row + blk[b])),
                                      _mm_loadu_si128((const __m128i *)(const void *)(shuf + 16 * b)));
        __m128i p1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(row + blk[b + 1])),
                                      _mm_loadu_si128((const __m128i *)(const void *)(shuf + 16 * b + 16)));
        __m128i s0 = _mm_madd_epi16(p0, _mm_loadu_si128((const __m128i *)(const void *)(w + 2 * x)));
        __m128i s1 = _mm_madd_epi16(p1, _mm_loadu_si128((const __m128i *)(const void *)(w + 2 * x + 8)));
        _mm_storel_epi64((__m128i *)(void *)(out + x), px__scale_pack8(s0, s1));
    }
    px__scale_h2_pairs(s, row, out, x);
}

/* AVX2, ch 1: 16 outputs a step, two blocks per 256-bit shuffle. */
PX__SCALE_AVX2 static void px__scale_h2_avx2(const px_video_scaler *s, const int16_t *restrict row,
                                             uint8_t *restrict out, int x)
{
    const int32_t *restrict blk = s->hblk;
    const uint8_t *restrict shuf = s->hshuf;
    const int16_t *restrict w = s->hpw;
    const int dw = s->dw;
    const __m256i rnd = _mm256_set1_epi32(1 << 20), order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (; x + 16 <= dw; x += 16) {
        int b = x >> 2;
        __m256i p0 = _mm256_inserti128_si256(
            _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)(row + blk[b]))),
            _mm_loadu_si128((const __m128i *)(const void *)(row + blk[b + 1])), 1);
        __m256i p1 = _mm256_inserti128_si256(
            _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)(row + blk[b + 2]))),
            _mm_loadu_si128((const __m128i *)(const void *)(row + blk[b + 3])), 1);
        p0 = _mm256_shuffle_epi8(p0, _mm256_loadu_si256((const __m256i *)(const void *)(shuf + 16 * b)));
        p1 = _mm256_shuffle_epi8(p1, _mm256_loadu_si256((const __m256i *)(const void *)(shuf + 16 * b + 32)));
        __m256i s0 = _mm256_madd_epi16(p0, _mm256_loadu_si256((const __m256i *)(const void *)(w + 2 * x)));
        __m256i s1 =
            _mm256_madd_epi16(p1, _mm256_loadu_si256((const __m256i *)(const void *)(w + 2 * x + 16)));
        s0 = _mm256_srai_epi32(_mm256_add_epi32(s0, rnd), 21); /* x0-3 | x4-7 */
        s1 = _mm256_srai_epi32(_mm256_add_epi32(s1, rnd), 21); /* x8-11 | x12-15 */
        __m256i r = _mm256_packs_epi32(s0, s1);                /* x0-3 x8-11 | x4-7 x12-15 */
        r = _mm256_packus_epi16(r, r);                         /* dwords: x0-3 x8-11 . . | x4-7 x12-15 . . */
        r = _mm256_permutevar8x32_epi32(r, order);
        _mm_storeu_si128((__m128i *)(void *)(out + x), _mm256_castsi256_si128(r));
    }
    px__scale_h2_ssse3(s, row, out, x);
}
#endif

PX__SCALE_HOT static void px__scale_h8(const px_video_scaler *s, uint8_t *restrict out)
{
    const int16_t *restrict row = s->row;
    const int ch = s->channels, nt = s->htaps, dw = s->dw;
    if (nt == 1 && s->sw == dw) { /* width unchanged: taps are (x, 1.0) */
        size_t n = (size_t)dw * (size_t)ch;
        for (size_t i = 0; i < n; i++) {
            int v = (row[i] * PX__SCALE_ONE + (1 << 20)) >> 21;
            out[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
        return;
    }
    if (nt == 2) {
#if defined(PX__SCALE_X86)
        if (s->isa >= PX_VIDEO_SCALE_ISA_AVX2 && ch == 1 && s->nblk) {
            px__scale_h2_avx2(s, row, out, 0);
            return;
        }
        if (s->isa >= PX_VIDEO_SCALE_ISA_SSSE3 && ch == 1 && s->nblk) {
            px__scale_h2_ssse3(s, row, out, 0);
            return;
        }
        if (s->isa >= PX_VIDEO_SCALE_ISA_SSE2 && s->hpos && ch != 3) {
            px__scale_h2_sse2(s, row, out, 0);
            return;
        }
#endif
        switch (ch) {
        case 1: px__scale_h2_c(row, s->hidx, s->hw, dw, 1, out); break;
        case 2: px__scale_h2_c(row, s->hidx, s->hw, dw, 2, out); break;
        case 3: px__scale_h2_c(row, s->hidx, s->hw, dw, 3, out); break;
        default: px__scale_h2_c(row, s->hidx, s->hw, dw, 4, out); break;
        }
        return;
    }
    switch (ch) {
    case 1: px__scale_hn_c(row, s->hidx, s->hw, dw, nt, 1, out); break;
    case 2: px__scale_hn_c(row, s->hidx, s->hw, dw, nt, 2, out); break;
    case 3: px__scale_hn_c(row, s->hidx, s->hw, dw, nt, 3, out); break;
    default: px__scale_hn_c(row, s->hidx, s->hw, dw, nt, 4, out); break;
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
