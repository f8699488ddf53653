/* Raw video conversion (see video/format.h).
 *
 * Two ways through a frame:
 *  - generic: each row is unpacked into a 16-bit row of 4 components
 *    (Y U V A or R G B A, every sample shifted to 16 bits: 8-bit v is v<<8,
 *    10-bit v<<6, so limited-range levels agree across depths), chroma
 *    upsampled, an affine 3x4 colour matrix applied in float when matrix or
 *    range change, and packed (chroma downsampled) into the output. Handles
 *    every pair.
 *  - direct kernels for the common 8-bit pairs, row loops written so gcc -O2
 *    vectorizes them, and SSE2 for 4:2:0 -> RGB where it does not. Each has
 *    a scalar reference (PX_VIDEO_CONVERT_SCALAR) computing the same integer
 *    arithmetic; tests check they are bit-identical, and that direct kernels
 *    agree with the generic path.
 *
 * Chroma siting is MPEG-2's: co-sited horizontally with even luma samples,
 * centred between row pairs vertically (4:2:0). Upsampling interpolates
 * linearly (odd x: mean of both neighbours; rows: 3/4 nearest + 1/4 next);
 * downsampling filters [1 2 1]/4 horizontally and averages row pairs. When
 * both sides are subsampled the same way chroma passes through unfiltered
 * (replicate, then decimate), so I420 <-> NV12 <-> YUY2 keep chroma exact.
 *
 * Nothing here allocates after px_video_converter_new(). */

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum {
    PX_VIDEO__K_GENERIC = 0,
    PX_VIDEO__K_COPY,        /* same layout and colours: plane rows copied */
    PX_VIDEO__K_420_SHUFFLE, /* I420/YV12/NV12/NV21 among themselves */
    PX_VIDEO__K_420_RGB4,    /* 8-bit 4:2:0 -> 4-byte RGB, full range */
    PX_VIDEO__K_422_420,     /* YUY2/UYVY -> I420/YV12/NV12/NV21 */
    PX_VIDEO__K_420_422,     /* I420/YV12/NV12/NV21 -> YUY2/UYVY */
    PX_VIDEO__K_RGB_SWIZZLE, /* 3/4-byte RGB among themselves */
    PX_VIDEO__K_GRAY_420,    /* GRAY8 -> 8-bit 4:2:0 */
    PX_VIDEO__K_420_GRAY,    /* 8-bit 4:2:0 -> GRAY8 */
};

struct px_video_converter {
    px_video_info in, out;
    unsigned flags;
    int kernel;
    bool simd;  /* SSE2 kernels in use */
    bool owned; /* allocated by px_video_converter_new */
    /* generic path */
    bool identity;           /* no matrix or range change */
    bool interp_h, interp_v; /* unpack: interpolate subsampled chroma (else replicate) */
    bool filter_h, filter_v; /* pack: filter when downsampling chroma (else decimate) */
    float m[3][4];
    uint16_t *row[2]; /* 4 * width samples each */
    uint16_t *tmp[2]; /* width + 16 samples each */
    /* direct kernels */
    uint8_t *crow[2];     /* chroma rows (u, v), width + 64 bytes each */
    int16_t ky, krv, kgu, kgv, kbu, bias_r, bias_g, bias_b; /* 4:2:0 -> RGB, see below */
    uint8_t rgb_pos[4];   /* output byte of R, G, B, A (4-byte RGB outputs) */
    uint8_t lut[256];     /* GRAY8 <-> Y range mapping */
    char desc[64];
};

#define PX_VIDEO__RU64(x) (((x) + 63) & ~(size_t)63)

static size_t px_video__layout(int width, size_t off[6])
{
    size_t w = (size_t)width, n = PX_VIDEO__RU64(sizeof(px_video_converter));
    size_t sizes[6] = {(4 * w + 16) * 2, (4 * w + 16) * 2, (w + 16) * 2, (w + 16) * 2, w + 64, w + 64};
    for (int i = 0; i < 6; i++) {
        off[i] = n;
        n += PX_VIDEO__RU64(sizes[i]);
    }
    return n;
}

/* ---- Colour matrices ------------------------------------------------------ */

static void px_video__kr_kb(int matrix, double *kr, double *kb)
{
    switch (matrix) {
    case PX_VIDEO_MATRIX_BT709: *kr = 0.2126; *kb = 0.0722; break;
    case PX_VIDEO_MATRIX_BT2020: *kr = 0.2627; *kb = 0.0593; break;
    case PX_VIDEO_MATRIX_SMPTE240M: *kr = 0.212; *kb = 0.087; break;
    case PX_VIDEO_MATRIX_FCC: *kr = 0.30; *kb = 0.11; break;
    default: *kr = 0.299; *kb = 0.114; break; /* BT601, and a guess for unknown */
    }
}

typedef struct {
    bool rgb, gray;
    int range, matrix;
} px_video__space;

static px_video__space px_video__space_of(const px_video_info *info)
{
    px_video__space s;
    s.rgb = (info->finfo->flags & PX_VIDEO_FORMAT_FLAG_RGB) != 0;
    s.gray = (info->finfo->flags & PX_VIDEO_FORMAT_FLAG_GRAY) != 0;
    s.range = info->colorimetry.range == PX_VIDEO_RANGE_LIMITED ? PX_VIDEO_RANGE_LIMITED
                                                                 : PX_VIDEO_RANGE_FULL;
    if (!s.rgb && info->colorimetry.range == PX_VIDEO_RANGE_UNKNOWN)
        s.range = s.gray ? PX_VIDEO_RANGE_FULL : PX_VIDEO_RANGE_LIMITED;
    s.matrix = info->colorimetry.matrix;
    return s;
}

/* 4x4 affine matrices (last row 0 0 0 1), row-major. */
static void px_video__mat_mul(double r[4][4], const double a[4][4], const double b[4][4])
{
    double t[4][4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            t[i][j] = 0;
            for (int k = 0; k < 4; k++)
                t[i][j] += a[i][k] * b[k][j];
        }
    memcpy(r, t, sizeof t);
}

/* Normalized (Y, Cb, Cr) or (R, G, B) from 16-bit samples. */
static void px_video__decode_mat(const px_video__space *s, double d[4][4])
{
    double off0, sc0, sc12, off12 = s->rgb ? 0 : 32768.0;
    memset(d, 0, sizeof(double) * 16);
    if (s->range == PX_VIDEO_RANGE_LIMITED) {
        off0 = 16 * 256.0;
        sc0 = 219 * 256.0;
        sc12 = s->rgb ? sc0 : 224 * 256.0;
    } else {
        off0 = 0;
        sc0 = sc12 = 255 * 256.0;
    }
    if (s->rgb)
        off12 = off0;
    d[0][0] = 1 / sc0;
    d[0][3] = -off0 / sc0;
    d[1][1] = d[2][2] = 1 / sc12;
    d[1][3] = d[2][3] = -off12 / sc12;
    d[3][3] = 1;
}

static void px_video__ycc_to_rgb_mat(int matrix, double t[4][4])
{
    double kr, kb, kg;
    px_video__kr_kb(matrix, &kr, &kb);
    kg = 1 - kr - kb;
    memset(t, 0, sizeof(double) * 16);
    t[0][0] = 1; t[0][2] = 2 * (1 - kr);
    t[1][0] = 1; t[1][1] = -2 * kb * (1 - kb) / kg; t[1][2] = -2 * kr * (1 - kr) / kg;
    t[2][0] = 1; t[2][1] = 2 * (1 - kb);
    t[3][3] = 1;
}

static void px_video__rgb_to_ycc_mat(int matrix, double t[4][4])
{
    double kr, kb, kg;
    px_video__kr_kb(matrix, &kr, &kb);
    kg = 1 - kr - kb;
    memset(t, 0, sizeof(double) * 16);
    t[0][0] = kr; t[0][1] = kg; t[0][2] = kb;
    t[1][0] = -kr / (2 * (1 - kb)); t[1][1] = -kg / (2 * (1 - kb)); t[1][2] = 0.5;
    t[2][0] = 0.5; t[2][1] = -kg / (2 * (1 - kr)); t[2][2] = -kb / (2 * (1 - kr));
    t[3][3] = 1;
}

/* Inverse of decode: 16-bit samples from normalized values. */
static void px_video__encode_mat(const px_video__space *s, double e[4][4])
{
    double d[4][4];
    px_video__decode_mat(s, d);
    memset(e, 0, sizeof(double) * 16);
    for (int i = 0; i < 3; i++) {
        e[i][i] = 1 / d[i][i];
        e[i][3] = -d[i][3] / d[i][i];
    }
    e[3][3] = 1;
}

static void px_video__setup_matrix(px_video_converter *c)
{
    px_video__space a = px_video__space_of(&c->in), b = px_video__space_of(&c->out);
    double m[4][4], t[4][4];

    /* Gray as GStreamer's videoconvert treats it: the Y plane of YUV at the
     * other side's range and matrix (GRAY8 <-> I420 copies Y), and R=G=B
     * (full range) next to RGB. */
    if (a.gray)
        a = b.rgb ? (px_video__space){false, true, PX_VIDEO_RANGE_FULL, PX_VIDEO_MATRIX_BT601}
                  : (px_video__space){false, true, b.range, b.matrix};
    if (b.gray)
        b = a.rgb ? (px_video__space){false, true, PX_VIDEO_RANGE_FULL, PX_VIDEO_MATRIX_BT601}
                  : (px_video__space){false, true, a.range, a.matrix};
    c->identity = a.rgb == b.rgb && a.range == b.range && (a.rgb || a.matrix == b.matrix);
    px_video__decode_mat(&a, m);
    if (!a.rgb && (b.rgb || a.matrix != b.matrix)) {
        px_video__ycc_to_rgb_mat(a.matrix, t);
        px_video__mat_mul(m, t, m);
    }
    if (!b.rgb && (a.rgb || a.matrix != b.matrix)) {
        px_video__rgb_to_ycc_mat(b.matrix, t);
        px_video__mat_mul(m, t, m);
    }
    px_video__encode_mat(&b, t);
    px_video__mat_mul(m, t, m);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 4; j++)
            c->m[i][j] = (float)m[i][j];
}

/* ---- Generic path: unpack, colour, pack ----------------------------------- */

static void px_video__read_comp(const uint8_t *p, int ps, int bits, int n, uint16_t *t)
{
    if (bits == 8) {
        for (int i = 0; i < n; i++)
            t[i] = (uint16_t)(p[i * ps] << 8);
    } else if (bits == 10) {
        for (int i = 0; i < n; i++)
            t[i] = (uint16_t)(((p[i * ps] | p[i * ps + 1] << 8) & 0x3ff) << 6);
    } else {
        for (int i = 0; i < n; i++)
            t[i] = (uint16_t)(p[i * ps] | p[i * ps + 1] << 8);
    }
}

static void px_video__write_comp(uint8_t *p, int ps, int bits, int n, const uint16_t *t)
{
    if (bits == 8) {
        for (int i = 0; i < n; i++) {
            unsigned v = ((unsigned)t[i] + 128) >> 8;
            p[i * ps] = (uint8_t)(v > 255 ? 255 : v);
        }
    } else if (bits == 10) {
        for (int i = 0; i < n; i++) {
            unsigned v = ((unsigned)t[i] + 32) >> 6;
            v = v > 1023 ? 1023 : v;
            p[i * ps] = (uint8_t)v;
            p[i * ps + 1] = (uint8_t)(v >> 8);
        }
    } else {
        for (int i = 0; i < n; i++) {
            p[i * ps] = (uint8_t)t[i];
            p[i * ps + 1] = (uint8_t)(t[i] >> 8);
        }
    }
}

static const uint8_t *px_video__comp_row(const px_video_info *info, const uint8_t *base, int comp,
                                         int row)
{
    const px_video_format_info *f = info->finfo;
    int p = f->plane[comp];
    return base + info->offset[p] + (size_t)row * info->stride[p] + f->poffset[comp];
}

static void px_video__unpack_row(const px_video_converter *c, const uint8_t *src, int y, uint16_t *d)
{
    const px_video_info *in = &c->in;
    const px_video_format_info *f = in->finfo;
    int w = in->width;
    uint16_t *t = c->tmp[0], *t1 = c->tmp[1];

    for (int comp = 0; comp < 4; comp++) {
        if (comp >= f->n_components) {
            uint16_t v = comp == 3 ? 0xffff : 0x8000; /* opaque; neutral chroma for gray */
            for (int x = 0; x < w; x++)
                d[4 * x + comp] = v;
            continue;
        }
        int ws = f->w_sub[comp], hs = f->h_sub[comp];
        int cw = px_video_info_comp_width(in, comp), ch = px_video_info_comp_height(in, comp);
        if (hs) {
            int j = y >> 1;
            px_video__read_comp(px_video__comp_row(in, src, comp, j), f->pstride[comp], f->bits, cw, t);
            if (c->interp_v) {
                int jn = (y & 1) ? j + 1 : j - 1;
                jn = jn < 0 ? 0 : jn >= ch ? ch - 1 : jn;
                px_video__read_comp(px_video__comp_row(in, src, comp, jn), f->pstride[comp], f->bits,
                                    cw, t1);
                for (int i = 0; i < cw; i++)
                    t[i] = (uint16_t)((3u * t[i] + t1[i] + 2) >> 2);
            }
        } else {
            px_video__read_comp(px_video__comp_row(in, src, comp, y), f->pstride[comp], f->bits, cw, t);
        }
        if (ws) {
            t[cw] = t[cw - 1];
            for (int i = 0; i < cw; i++) {
                d[8 * i + comp] = t[i];
                if (2 * i + 1 < w)
                    d[8 * i + 4 + comp] =
                        c->interp_h ? (uint16_t)((t[i] + t[i + 1] + 1u) >> 1) : t[i];
            }
        } else {
            for (int x = 0; x < w; x++)
                d[4 * x + comp] = t[x];
        }
    }
}

static void px_video__colour_row(const px_video_converter *c, uint16_t *d, int w)
{
    const float(*m)[4] = c->m;
    for (int x = 0; x < w; x++) {
        float a = d[4 * x], b = d[4 * x + 1], e = d[4 * x + 2];
        for (int k = 0; k < 3; k++) {
            float v = m[k][0] * a + m[k][1] * b + m[k][2] * e + m[k][3] + 0.5f;
            v = v < 0 ? 0 : v > 65535.0f ? 65535.0f : v;
            d[4 * x + k] = (uint16_t)v;
        }
    }
}

/* n samples of a row at stride s (in samples) of width w -> cw = ceil(w/2) chroma samples. */
static void px_video__down_h(const uint16_t *s, int st, int w, bool filter, uint16_t *o)
{
    int cw = (w + 1) / 2;
    for (int i = 0; i < cw; i++) {
        int x = 2 * i;
        if (filter) {
            unsigned l = s[(x > 0 ? x - 1 : x) * st], r = s[(x + 1 < w ? x + 1 : x) * st];
            o[i] = (uint16_t)((l + 2u * s[x * st] + r + 2) >> 2);
        } else {
            o[i] = s[x * st];
        }
    }
}

static void px_video__pack_rows(const px_video_converter *c, uint8_t *dst, int y0, const uint16_t *r0,
                                const uint16_t *r1, int n_rows)
{
    const px_video_info *out = &c->out;
    const px_video_format_info *f = out->finfo;
    int w = out->width;
    uint16_t *t = c->tmp[0], *t1 = c->tmp[1];

    for (int comp = 0; comp < f->n_components; comp++) {
        int ws = f->w_sub[comp], hs = f->h_sub[comp], ps = f->pstride[comp];
        int cw = px_video_info_comp_width(out, comp);
        if (hs) {
            for (int x = 0; x < w; x++) {
                unsigned a = r0[4 * x + comp], b = n_rows == 2 ? r1[4 * x + comp] : a;
                t[x] = c->filter_v ? (uint16_t)((a + b + 1) >> 1) : (uint16_t)a;
            }
            if (ws) {
                px_video__down_h(t, 1, w, c->filter_h, t1);
                px_video__write_comp((uint8_t *)px_video__comp_row(out, dst, comp, y0 >> 1), ps, f->bits,
                                     cw, t1);
            } else {
                px_video__write_comp((uint8_t *)px_video__comp_row(out, dst, comp, y0 >> 1), ps, f->bits,
                                     cw, t);
            }
            continue;
        }
        for (int k = 0; k < n_rows; k++) {
            const uint16_t *r = k ? r1 : r0;
            if (ws)
                px_video__down_h(r + comp, 4, w, c->filter_h, t);
            else
                for (int x = 0; x < w; x++)
                    t[x] = r[4 * x + comp];
            px_video__write_comp((uint8_t *)px_video__comp_row(out, dst, comp, y0 + k), ps, f->bits, cw, t);
        }
    }
    if ((f->flags & PX_VIDEO_FORMAT_FLAG_RGB) && f->n_components == 3 && f->pstride[0] == 4) {
        int xpos = 6 - f->poffset[0] - f->poffset[1] - f->poffset[2]; /* the byte no component uses */
        for (int k = 0; k < n_rows; k++) {
            uint8_t *p = dst + out->offset[0] + (size_t)(y0 + k) * out->stride[0] + xpos;
            for (int x = 0; x < w; x++)
                p[4 * x] = 0xff;
        }
    }
}

static void px_video__generic_frame(const px_video_converter *c, const uint8_t *src, uint8_t *dst)
{
    int h = c->out.height, w = c->out.width;
    int vstep = (c->out.finfo->h_sub[1] && c->out.finfo->n_components > 1) ? 2 : 1;

    for (int y = 0; y < h; y += vstep) {
        int n = h - y < vstep ? h - y : vstep;
        px_video__unpack_row(c, src, y, c->row[0]);
        if (!c->identity)
            px_video__colour_row(c, c->row[0], w);
        if (n == 2) {
            px_video__unpack_row(c, src, y + 1, c->row[1]);
            if (!c->identity)
                px_video__colour_row(c, c->row[1], w);
        }
        px_video__pack_rows(c, dst, y, c->row[0], c->row[1], n);
    }
}

/* ---- Direct kernels ------------------------------------------------------- */

static bool px_video__is_420_8(px_video_format f)
{
    return f == PX_VIDEO_FORMAT_I420 || f == PX_VIDEO_FORMAT_YV12 || f == PX_VIDEO_FORMAT_NV12 ||
           f == PX_VIDEO_FORMAT_NV21;
}

static bool px_video__is_rgb4(const px_video_format_info *f)
{
    return (f->flags & PX_VIDEO_FORMAT_FLAG_RGB) && f->pstride[0] == 4;
}

static bool px_video__is_rgb_8(const px_video_format_info *f)
{
    return (f->flags & PX_VIDEO_FORMAT_FLAG_RGB) != 0;
}

static const uint8_t *px_video__plane_row(const px_video_info *info, const uint8_t *base, int p, int row)
{
    return base + info->offset[p] + (size_t)row * info->stride[p];
}

/* Row loops. gcc 12 at -O2 vectorizes only loops whose trip count is a
 * multiple of the vector length ("very cheap" cost model), so each runs in
 * blocks of 16 with a constant inner count (gcc and clang vectorize those,
 * on any target) and a scalar tail. restrict: the rows never overlap. */
#define PX_VIDEO__BLK 16

static void px_video__deinterleave(const uint8_t *restrict su, const uint8_t *restrict sv, int n,
                                   uint8_t *restrict u, uint8_t *restrict v)
{
    int i = 0;
    for (; i + PX_VIDEO__BLK <= n; i += PX_VIDEO__BLK)
        for (int k = 0; k < PX_VIDEO__BLK; k++) {
            u[i + k] = su[2 * (i + k)];
            v[i + k] = sv[2 * (i + k)];
        }
    for (; i < n; i++) {
        u[i] = su[2 * i];
        v[i] = sv[2 * i];
    }
}

/* d = a0 b0 a1 b1 ... */
static void px_video__interleave(const uint8_t *restrict a, const uint8_t *restrict b, int n,
                                 uint8_t *restrict d)
{
    int i = 0;
    for (; i + PX_VIDEO__BLK <= n; i += PX_VIDEO__BLK)
        for (int k = 0; k < PX_VIDEO__BLK; k++) {
            d[2 * (i + k)] = a[i + k];
            d[2 * (i + k) + 1] = b[i + k];
        }
    for (; i < n; i++) {
        d[2 * i] = a[i];
        d[2 * i + 1] = b[i];
    }
}

/* One chroma row pair of an 8-bit 4:2:0 frame, as separate U and V rows.
 * Planar formats give pointers into the frame; semi-planar ones are
 * deinterleaved into u_buf/v_buf. */
static void px_video__420_chroma(const px_video_info *info, const uint8_t *base, int j, const uint8_t **u,
                                 const uint8_t **v, uint8_t *u_buf, uint8_t *v_buf)
{
    const px_video_format_info *f = info->finfo;
    int cw = px_video_info_comp_width(info, 1);
    if (f->n_planes == 3) {
        *u = px_video__comp_row(info, base, 1, j);
        *v = px_video__comp_row(info, base, 2, j);
        return;
    }
    const uint8_t *s = px_video__plane_row(info, base, 1, j);
    px_video__deinterleave(s + f->poffset[1], s + f->poffset[2], cw, u_buf, v_buf);
    *u = u_buf;
    *v = v_buf;
}

static void px_video__put_420_chroma(const px_video_info *info, uint8_t *base, int j, const uint8_t *u,
                                     const uint8_t *v)
{
    const px_video_format_info *f = info->finfo;
    int cw = px_video_info_comp_width(info, 1);
    if (f->n_planes == 3) {
        memcpy((uint8_t *)px_video__comp_row(info, base, 1, j), u, (size_t)cw);
        memcpy((uint8_t *)px_video__comp_row(info, base, 2, j), v, (size_t)cw);
        return;
    }
    uint8_t *d = (uint8_t *)px_video__plane_row(info, base, 1, j);
    if (f->poffset[1] == 0)
        px_video__interleave(u, v, cw, d);
    else
        px_video__interleave(v, u, cw, d);
}

static void px_video__copy_plane(const px_video_info *in, const uint8_t *src, const px_video_info *out,
                                 uint8_t *dst, int p, size_t row_bytes, int rows)
{
    const uint8_t *s = src + in->offset[p];
    uint8_t *d = dst + out->offset[p];
    if (in->stride[p] == out->stride[p]) {
        memcpy(d, s, in->stride[p] * (size_t)(rows - 1) + row_bytes);
        return;
    }
    for (int y = 0; y < rows; y++)
        memcpy(d + (size_t)y * out->stride[p], s + (size_t)y * in->stride[p], row_bytes);
}

static void px_video__k_copy(const px_video_converter *c, const uint8_t *src, uint8_t *dst)
{
    const px_video_format_info *f = c->in.finfo;
    for (int p = 0; p < f->n_planes; p++) {
        int comp = 0;
        while (f->plane[comp] != p)
            comp++;
        /* Whole rows, padding included: both sides hold at least the pixels. */
        size_t bytes = c->in.stride[p] < c->out.stride[p] ? c->in.stride[p] : c->out.stride[p];
        px_video__copy_plane(&c->in, src, &c->out, dst, p, bytes, px_video_info_comp_height(&c->in, comp));
    }
}

static void px_video__k_420_shuffle(px_video_converter *c, const uint8_t *src, uint8_t *dst)
{
    int ch = px_video_info_comp_height(&c->in, 1), cw = px_video_info_comp_width(&c->in, 1);
    bool planar_out = c->out.finfo->n_planes == 3;
    const uint8_t *u, *v;

    px_video__copy_plane(&c->in, src, &c->out, dst, 0, (size_t)c->in.width, c->in.height);
    for (int j = 0; j < ch; j++) {
        /* Semi-planar input deinterleaves straight into planar output rows. */
        uint8_t *ub = planar_out ? (uint8_t *)px_video__comp_row(&c->out, dst, 1, j) : c->crow[0];
        uint8_t *vb = planar_out ? (uint8_t *)px_video__comp_row(&c->out, dst, 2, j) : c->crow[1];
        px_video__420_chroma(&c->in, src, j, &u, &v, ub, vb);
        if (!planar_out) {
            px_video__put_420_chroma(&c->out, dst, j, u, v);
        } else if (u != ub) {
            memcpy(ub, u, (size_t)cw);
            memcpy(vb, v, (size_t)cw);
        }
    }
}

/* Vertical chroma interpolation for luma row y (centred siting): 3/4 of the
 * nearest chroma row plus 1/4 of the next one, rounded. Vectorized. */
static void px_video__vinterp(const uint8_t *restrict a, const uint8_t *restrict b, int n,
                              uint8_t *restrict o)
{
    int i = 0;
    for (; i + PX_VIDEO__BLK <= n; i += PX_VIDEO__BLK)
        for (int k = 0; k < PX_VIDEO__BLK; k++)
            o[i + k] = (uint8_t)((3 * a[i + k] + b[i + k] + 2) >> 2);
    for (; i < n; i++)
        o[i] = (uint8_t)((3 * a[i] + b[i] + 2) >> 2);
}

/* Source chroma rows (u, v) for luma row y of a 4:2:0 frame, interpolated
 * into c->crow when needed; padded by one replicated sample. */
static void px_video__420_chroma_for_row(px_video_converter *c, const uint8_t *src, int y, uint8_t **u,
                                         uint8_t **v)
{
    const px_video_info *in = &c->in;
    int ch = px_video_info_comp_height(in, 1), cw = px_video_info_comp_width(in, 1);
    int j = y >> 1, jn = (y & 1) ? j + 1 : j - 1;
    const uint8_t *ua, *va, *ub, *vb;
    uint8_t *tu = (uint8_t *)c->tmp[0], *tv = (uint8_t *)c->tmp[1];

    jn = jn < 0 ? 0 : jn >= ch ? ch - 1 : jn;
    if (jn == j) {
        px_video__420_chroma(in, src, j, &ua, &va, c->crow[0], c->crow[1]);
        if (ua != c->crow[0]) {
            memcpy(c->crow[0], ua, (size_t)cw);
            memcpy(c->crow[1], va, (size_t)cw);
        }
    } else {
        px_video__420_chroma(in, src, j, &ua, &va, tu, tv);
        px_video__420_chroma(in, src, jn, &ub, &vb, tu + cw + 16, tv + cw + 16);
        px_video__vinterp(ua, ub, cw, c->crow[0]);
        px_video__vinterp(va, vb, cw, c->crow[1]);
    }
    c->crow[0][cw] = c->crow[0][cw - 1];
    c->crow[1][cw] = c->crow[1][cw - 1];
    *u = c->crow[0];
    *v = c->crow[1];
}

/* 4:2:0 -> RGB in 16-bit fixed point with 5 fraction bits, the arithmetic
 * SSE2 does lane by lane (mulhi = (a * b) >> 16, floor):
 *   Yt = ((Y << 8) * ky) >> 16                       unsigned
 *   R  = (Yt + (((V-128) << 8) * krv >> 16) + bias_r) >> 5, clamped to 0..255
 *   G  = (Yt + (U' * kgu >> 16) + (V' * kgv >> 16) + bias_g) >> 5
 *   B  = (Yt + (U' * kbu >> 16) + bias_b) >> 5
 * Odd pixels take the mean of the two neighbouring chroma samples, rounded up. */
static int16_t px_video__round16(double x)
{
    return (int16_t)(x >= 0 ? (int)(x + 0.5) : -(int)(-x + 0.5));
}

static void px_video__setup_yuv_rgb(px_video_converter *c)
{
    px_video__space s = px_video__space_of(&c->in);
    double kr, kb, kg, ys, cs, yoff;
    px_video__kr_kb(s.matrix, &kr, &kb);
    kg = 1 - kr - kb;
    if (s.range == PX_VIDEO_RANGE_LIMITED) {
        ys = 255.0 / 219;
        cs = 255.0 / 224;
        yoff = 16;
    } else {
        ys = cs = 1;
        yoff = 0;
    }
    c->ky = px_video__round16(ys * 8192);
    c->krv = px_video__round16(2 * (1 - kr) * cs * 8192);
    c->kgu = px_video__round16(-2 * kb * (1 - kb) / kg * cs * 8192);
    c->kgv = px_video__round16(-2 * kr * (1 - kr) / kg * cs * 8192);
    c->kbu = px_video__round16(2 * (1 - kb) * cs * 8192);
    int16_t bias = (int16_t)(px_video__round16(-yoff * ys * 32) + 16);
    c->bias_r = c->bias_g = c->bias_b = bias;
    for (int k = 0; k < 3; k++)
        c->rgb_pos[k] = c->out.finfo->poffset[k];
    c->rgb_pos[3] = (uint8_t)(6 - c->rgb_pos[0] - c->rgb_pos[1] - c->rgb_pos[2]);
}

static inline uint8_t px_video__fix_clamp(int v)
{
    v >>= 5;
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

static void px_video__yuv_rgb4_row_scalar(const px_video_converter *c, const uint8_t *y, const uint8_t *u,
                                          const uint8_t *v, uint8_t *d, int x0, int w)
{
    const int pr = c->rgb_pos[0], pg = c->rgb_pos[1], pb = c->rgb_pos[2], pa = c->rgb_pos[3];
    for (int x = x0; x < w; x++) {
        int i = x >> 1;
        int uu = (x & 1) ? (u[i] + u[i + 1] + 1) >> 1 : u[i];
        int vv = (x & 1) ? (v[i] + v[i + 1] + 1) >> 1 : v[i];
        int yt = (int)(((uint32_t)y[x] << 8) * (uint32_t)c->ky >> 16);
        int us = (uu - 128) * 256, vs = (vv - 128) * 256;
        int rv = (vs * c->krv) >> 16, gu = (us * c->kgu) >> 16, gv = (vs * c->kgv) >> 16,
            bu = (us * c->kbu) >> 16;
        uint8_t *p = d + 4 * x;
        p[pr] = px_video__fix_clamp(yt + rv + c->bias_r);
        p[pg] = px_video__fix_clamp(yt + gu + gv + c->bias_g);
        p[pb] = px_video__fix_clamp(yt + bu + c->bias_b);
        p[pa] = 0xff;
    }
}

#if defined(__SSE2__)
static void px_video__yuv_rgb4_row_sse2(const px_video_converter *c, const uint8_t *y, const uint8_t *u,
                                        const uint8_t *v, uint8_t *d, int w)
{
    const __m128i zero = _mm_setzero_si128(), flip = _mm_set1_epi16((short)0x8000);
    const __m128i ky = _mm_set1_epi16(c->ky), krv = _mm_set1_epi16(c->krv), kgu = _mm_set1_epi16(c->kgu),
                  kgv = _mm_set1_epi16(c->kgv), kbu = _mm_set1_epi16(c->kbu);
    const __m128i br = _mm_set1_epi16(c->bias_r), bg = _mm_set1_epi16(c->bias_g),
                  bb = _mm_set1_epi16(c->bias_b), alpha = _mm_set1_epi8((char)0xff);
    const int pr = c->rgb_pos[0], pg = c->rgb_pos[1], pb = c->rgb_pos[2], pa = c->rgb_pos[3];
    int n = w & ~15;

    for (int x = 0; x < n; x += 16) {
        __m128i yy = _mm_loadu_si128((const __m128i *)(y + x));
        __m128i u0 = _mm_loadl_epi64((const __m128i *)(u + x / 2));
        __m128i u1 = _mm_loadl_epi64((const __m128i *)(u + x / 2 + 1));
        __m128i v0 = _mm_loadl_epi64((const __m128i *)(v + x / 2));
        __m128i v1 = _mm_loadl_epi64((const __m128i *)(v + x / 2 + 1));
        __m128i uu = _mm_unpacklo_epi8(u0, _mm_avg_epu8(u0, u1));
        __m128i vv = _mm_unpacklo_epi8(v0, _mm_avg_epu8(v0, v1));
        __m128i out[2][3];
        for (int h = 0; h < 2; h++) {
            __m128i y16 = h ? _mm_unpackhi_epi8(zero, yy) : _mm_unpacklo_epi8(zero, yy);
            __m128i u16 = _mm_xor_si128(h ? _mm_unpackhi_epi8(zero, uu) : _mm_unpacklo_epi8(zero, uu), flip);
            __m128i v16 = _mm_xor_si128(h ? _mm_unpackhi_epi8(zero, vv) : _mm_unpacklo_epi8(zero, vv), flip);
            __m128i yt = _mm_mulhi_epu16(y16, ky);
            __m128i r = _mm_add_epi16(_mm_add_epi16(yt, _mm_mulhi_epi16(v16, krv)), br);
            __m128i g = _mm_add_epi16(
                _mm_add_epi16(_mm_add_epi16(yt, _mm_mulhi_epi16(u16, kgu)), _mm_mulhi_epi16(v16, kgv)), bg);
            __m128i b = _mm_add_epi16(_mm_add_epi16(yt, _mm_mulhi_epi16(u16, kbu)), bb);
            out[h][0] = _mm_srai_epi16(r, 5);
            out[h][1] = _mm_srai_epi16(g, 5);
            out[h][2] = _mm_srai_epi16(b, 5);
        }
        __m128i ch[4];
        ch[pr] = _mm_packus_epi16(out[0][0], out[1][0]);
        ch[pg] = _mm_packus_epi16(out[0][1], out[1][1]);
        ch[pb] = _mm_packus_epi16(out[0][2], out[1][2]);
        ch[pa] = alpha;
        __m128i t0 = _mm_unpacklo_epi8(ch[0], ch[1]), t1 = _mm_unpacklo_epi8(ch[2], ch[3]);
        __m128i t2 = _mm_unpackhi_epi8(ch[0], ch[1]), t3 = _mm_unpackhi_epi8(ch[2], ch[3]);
        _mm_storeu_si128((__m128i *)(d + 4 * x), _mm_unpacklo_epi16(t0, t1));
        _mm_storeu_si128((__m128i *)(d + 4 * x + 16), _mm_unpackhi_epi16(t0, t1));
        _mm_storeu_si128((__m128i *)(d + 4 * x + 32), _mm_unpacklo_epi16(t2, t3));
        _mm_storeu_si128((__m128i *)(d + 4 * x + 48), _mm_unpackhi_epi16(t2, t3));
    }
    px_video__yuv_rgb4_row_scalar(c, y, u, v, d, n, w);
}
#endif

static void px_video__k_420_rgb4(px_video_converter *c, const uint8_t *src, uint8_t *dst)
{
    for (int y = 0; y < c->in.height; y++) {
        uint8_t *u, *v;
        const uint8_t *yr = px_video__plane_row(&c->in, src, 0, y);
        uint8_t *d = dst + c->out.offset[0] + (size_t)y * c->out.stride[0];
        px_video__420_chroma_for_row(c, src, y, &u, &v);
#if defined(__SSE2__)
        if (c->simd) {
            px_video__yuv_rgb4_row_sse2(c, yr, u, v, d, c->in.width);
            continue;
        }
#endif
        px_video__yuv_rgb4_row_scalar(c, yr, u, v, d, 0, c->in.width);
    }
}

/* d[i] = s[2i]: luma out of YUY2/UYVY. */
static void px_video__pick2(const uint8_t *restrict s, int n, uint8_t *restrict d)
{
    int i = 0;
    for (; i + PX_VIDEO__BLK <= n; i += PX_VIDEO__BLK)
        for (int k = 0; k < PX_VIDEO__BLK; k++)
            d[i + k] = s[2 * (i + k)];
    for (; i < n; i++)
        d[i] = s[2 * i];
}

/* d[i] = mean of a[4i] and b[4i], rounded up: a chroma sample of a row pair. */
static void px_video__avg4(const uint8_t *restrict a, const uint8_t *restrict b, int n, uint8_t *restrict d)
{
    int i = 0;
    for (; i + PX_VIDEO__BLK <= n; i += PX_VIDEO__BLK)
        for (int k = 0; k < PX_VIDEO__BLK; k++)
            d[i + k] = (uint8_t)((a[4 * (i + k)] + b[4 * (i + k)] + 1) >> 1);
    for (; i < n; i++)
        d[i] = (uint8_t)((a[4 * i] + b[4 * i] + 1) >> 1);
}

/* YUY2/UYVY -> 4:2:0: luma picked out, chroma of each row pair averaged. */
static void px_video__k_422_420(px_video_converter *c, const uint8_t *src, uint8_t *dst)
{
    const px_video_format_info *f = c->in.finfo;
    int w = c->in.width, h = c->in.height, cw = (w + 1) / 2;
    int oy = f->poffset[0], ou = f->poffset[1], ov = f->poffset[2];
    uint8_t *u = c->crow[0], *v = c->crow[1];

    for (int y = 0; y < h; y += 2) {
        const uint8_t *s0 = px_video__plane_row(&c->in, src, 0, y);
        const uint8_t *s1 = y + 1 < h ? px_video__plane_row(&c->in, src, 0, y + 1) : s0;
        px_video__pick2(s0 + oy, w, (uint8_t *)px_video__plane_row(&c->out, dst, 0, y));
        if (y + 1 < h)
            px_video__pick2(s1 + oy, w, (uint8_t *)px_video__plane_row(&c->out, dst, 0, y + 1));
        px_video__avg4(s0 + ou, s1 + ou, cw, u);
        px_video__avg4(s0 + ov, s1 + ov, cw, v);
        px_video__put_420_chroma(&c->out, dst, y >> 1, u, v);
    }
}

static void px_video__pack422(const uint8_t *restrict y, const uint8_t *restrict u, const uint8_t *restrict v,
                              int n, uint8_t *restrict dy, uint8_t *restrict du, uint8_t *restrict dv)
{
    int i = 0;
    for (; i + PX_VIDEO__BLK <= n; i += PX_VIDEO__BLK)
        for (int k = 0; k < PX_VIDEO__BLK; k++) {
            dy[4 * (i + k)] = y[2 * (i + k)];
            dy[4 * (i + k) + 2] = y[2 * (i + k) + 1];
            du[4 * (i + k)] = u[i + k];
            dv[4 * (i + k)] = v[i + k];
        }
    for (; i < n; i++) {
        dy[4 * i] = y[2 * i];
        dy[4 * i + 2] = y[2 * i + 1];
        du[4 * i] = u[i];
        dv[4 * i] = v[i];
    }
}

/* 4:2:0 -> YUY2/UYVY: chroma interpolated vertically, interleaved. */
static void px_video__k_420_422(px_video_converter *c, const uint8_t *src, uint8_t *dst)
{
    const px_video_format_info *f = c->out.finfo;
    int w = c->in.width, h = c->in.height;
    int oy = f->poffset[0], ou = f->poffset[1], ov = f->poffset[2];

    for (int y = 0; y < h; y++) {
        uint8_t *u, *v;
        const uint8_t *yr = px_video__plane_row(&c->in, src, 0, y);
        uint8_t *d = (uint8_t *)px_video__plane_row(&c->out, dst, 0, y);
        px_video__420_chroma_for_row(c, src, y, &u, &v);
        px_video__pack422(yr, u, v, w / 2, d + oy, d + ou, d + ov);
        if (w & 1) {
            int i = w / 2;
            d[4 * i + oy] = yr[2 * i];
            d[4 * i + ou] = u[i];
            d[4 * i + ov] = v[i];
        }
    }
}

static void px_video__k_rgb_swizzle(const px_video_converter *c, const uint8_t *src, uint8_t *dst)
{
    const px_video_format_info *fi = c->in.finfo, *fo = c->out.finfo;
    int w = c->in.width, si = fi->pstride[0], so = fo->pstride[0];
    int ir = fi->poffset[0], ig = fi->poffset[1], ib = fi->poffset[2];
    int orr = fo->poffset[0], og = fo->poffset[1], ob = fo->poffset[2];
    int ia = fi->n_components == 4 ? fi->poffset[3] : -1;
    int oa = so == 4 ? 6 - orr - og - ob : -1;

    for (int y = 0; y < c->in.height; y++) {
        const uint8_t *s = px_video__plane_row(&c->in, src, 0, y);
        uint8_t *d = (uint8_t *)px_video__plane_row(&c->out, dst, 0, y);
        if (si == 3 && so == 3) { /* RGB <-> BGR */
            for (int x = 0; x < w; x++) {
                d[3 * x] = s[3 * x + 2];
                d[3 * x + 1] = s[3 * x + 1];
                d[3 * x + 2] = s[3 * x];
            }
            continue;
        }
        for (int x = 0; x < w; x++) {
            const uint8_t *p = s + si * x;
            uint8_t *q = d + so * x;
            q[orr] = p[ir];
            q[og] = p[ig];
            q[ob] = p[ib];
            if (oa >= 0)
                q[oa] = ia >= 0 && fo->n_components == 4 ? p[ia] : 0xff;
        }
    }
}

/* Gray <-> Y through a table computed with the generic path's arithmetic. */
static void px_video__setup_lut(px_video_converter *c)
{
    for (int g = 0; g < 256; g++) {
        uint16_t px[4] = {(uint16_t)(g << 8), 0x8000, 0x8000, 0xffff};
        uint8_t o;
        if (!c->identity)
            px_video__colour_row(c, px, 1);
        px_video__write_comp(&o, 1, 8, 1, px);
        c->lut[g] = o;
    }
}

static void px_video__k_gray_420(px_video_converter *c, const uint8_t *src, uint8_t *dst)
{
    int w = c->in.width, ch = px_video_info_comp_height(&c->out, 1), cw = px_video_info_comp_width(&c->out, 1);
    uint16_t px[4] = {0, 0x8000, 0x8000, 0xffff};
    uint8_t chroma;

    if (!c->identity)
        px_video__colour_row(c, px, 1);
    px_video__write_comp(&chroma, 1, 8, 1, px + 1);
    for (int y = 0; y < c->in.height; y++) {
        const uint8_t *s = px_video__plane_row(&c->in, src, 0, y);
        uint8_t *d = (uint8_t *)px_video__plane_row(&c->out, dst, 0, y);
        for (int x = 0; x < w; x++)
            d[x] = c->lut[s[x]];
    }
    memset(c->crow[0], chroma, (size_t)cw);
    for (int j = 0; j < ch; j++)
        px_video__put_420_chroma(&c->out, dst, j, c->crow[0], c->crow[0]);
}

static void px_video__k_420_gray(px_video_converter *c, const uint8_t *src, uint8_t *dst)
{
    int w = c->in.width;
    for (int y = 0; y < c->in.height; y++) {
        const uint8_t *s = px_video__plane_row(&c->in, src, 0, y);
        uint8_t *d = (uint8_t *)px_video__plane_row(&c->out, dst, 0, y);
        for (int x = 0; x < w; x++)
            d[x] = c->lut[s[x]];
    }
}

/* ---- Converter ------------------------------------------------------------ */

static void px_video__choose(px_video_converter *c)
{
    const px_video_format_info *fi = c->in.finfo, *fo = c->out.finfo;
    px_video_format a = c->in.format, b = c->out.format;
    px_video__space sb = px_video__space_of(&c->out);
    bool yuv_in = (fi->flags & PX_VIDEO_FORMAT_FLAG_YUV) != 0, yuv_out = (fo->flags & PX_VIDEO_FORMAT_FLAG_YUV) != 0;
    bool in_ws = yuv_in && fi->w_sub[1], in_hs = yuv_in && fi->h_sub[1];
    bool out_ws = yuv_out && fo->w_sub[1], out_hs = yuv_out && fo->h_sub[1];
    bool packed422_in = a == PX_VIDEO_FORMAT_YUY2 || a == PX_VIDEO_FORMAT_UYVY;
    bool packed422_out = b == PX_VIDEO_FORMAT_YUY2 || b == PX_VIDEO_FORMAT_UYVY;
    const char *how = "generic";

    c->interp_h = !(in_ws && out_ws);
    c->filter_h = !(in_ws && out_ws);
    c->interp_v = !(in_hs && out_hs);
    c->filter_v = !(in_hs && out_hs);
    px_video__setup_matrix(c);
    c->kernel = PX_VIDEO__K_GENERIC;
    if (c->flags & PX_VIDEO_CONVERT_GENERIC)
        ;
    else if (a == b && c->identity)
        c->kernel = PX_VIDEO__K_COPY, how = "copy";
    else if (px_video__is_420_8(a) && px_video__is_420_8(b) && c->identity)
        c->kernel = PX_VIDEO__K_420_SHUFFLE, how = "direct";
    else if (px_video__is_420_8(a) && px_video__is_rgb4(fo) && sb.range == PX_VIDEO_RANGE_FULL)
        c->kernel = PX_VIDEO__K_420_RGB4, how = "direct";
    else if (packed422_in && px_video__is_420_8(b) && c->identity)
        c->kernel = PX_VIDEO__K_422_420, how = "direct";
    else if (px_video__is_420_8(a) && packed422_out && c->identity)
        c->kernel = PX_VIDEO__K_420_422, how = "direct";
    else if (px_video__is_rgb_8(fi) && px_video__is_rgb_8(fo) && c->identity)
        c->kernel = PX_VIDEO__K_RGB_SWIZZLE, how = "direct";
    else if (a == PX_VIDEO_FORMAT_GRAY8 && px_video__is_420_8(b))
        c->kernel = PX_VIDEO__K_GRAY_420, how = "direct";
    else if (px_video__is_420_8(a) && b == PX_VIDEO_FORMAT_GRAY8)
        c->kernel = PX_VIDEO__K_420_GRAY, how = "direct";

    if (c->kernel == PX_VIDEO__K_420_RGB4)
        px_video__setup_yuv_rgb(c);
    if (c->kernel == PX_VIDEO__K_GRAY_420 || c->kernel == PX_VIDEO__K_420_GRAY)
        px_video__setup_lut(c);
    c->simd = false;
#if defined(__SSE2__)
    c->simd = c->kernel == PX_VIDEO__K_420_RGB4 && !(c->flags & PX_VIDEO_CONVERT_SCALAR);
#endif
    snprintf(c->desc, sizeof c->desc, "%s %s->%s%s", how, fi->name, fo->name, c->simd ? " (sse2)" : "");
}

static int px_video__setup(px_video_converter *c, const px_video_info *in, const px_video_info *out,
                           unsigned flags, uint8_t *mem, px_error *err)
{
    size_t off[6];

    if (!in || !out || !in->finfo || !out->finfo)
        return px_error_set(err, PX_EINVAL, 0, "video convert: input or output format not set");
    if (in->width != out->width || in->height != out->height)
        return px_error_set(err, PX_EINVAL, 0,
                            "video convert: sizes differ (%dx%d -> %dx%d); videoconvert does not scale",
                            in->width, in->height, out->width, out->height);
    px_video__layout(in->width, off);
    memset(c, 0, sizeof *c);
    c->in = *in;
    c->out = *out;
    c->flags = flags;
    c->row[0] = (uint16_t *)(mem + off[0]);
    c->row[1] = (uint16_t *)(mem + off[1]);
    c->tmp[0] = (uint16_t *)(mem + off[2]);
    c->tmp[1] = (uint16_t *)(mem + off[3]);
    c->crow[0] = mem + off[4];
    c->crow[1] = mem + off[5];
    px_video__choose(c);
    return PX_OK;
}

PX_API size_t px_video_convert_scratch_size(const px_video_info *in, const px_video_info *out)
{
    size_t off[6];
    (void)out;
    return in && in->width > 0 ? px_video__layout(in->width, off) : 0;
}

PX_API px_video_converter *px_video_converter_new(const px_video_info *in, const px_video_info *out,
                                                  unsigned flags, px_error *err)
{
    size_t size = px_video_convert_scratch_size(in, out);
    uint8_t *mem;

    if (!size)
        return px_error_set(err, PX_EINVAL, 0, "video convert: input format not set"), NULL;
    mem = PX_MALLOC(size);
    if (!mem)
        return px_error_set(err, PX_ENOMEM, 0, "video convert: out of memory (%zu bytes)", size), NULL;
    if (px_video__setup((px_video_converter *)mem, in, out, flags, mem, err) != PX_OK) {
        PX_FREE(mem);
        return NULL;
    }
    ((px_video_converter *)mem)->owned = true;
    return (px_video_converter *)mem;
}

PX_API void px_video_converter_free(px_video_converter *conv)
{
    if (conv && conv->owned)
        PX_FREE(conv);
}

PX_API const char *px_video_converter_describe(const px_video_converter *conv)
{
    return conv ? conv->desc : "";
}

PX_API void px_video_converter_frame(px_video_converter *c, const uint8_t *src, uint8_t *dst)
{
    switch (c->kernel) {
    case PX_VIDEO__K_COPY: px_video__k_copy(c, src, dst); break;
    case PX_VIDEO__K_420_SHUFFLE: px_video__k_420_shuffle(c, src, dst); break;
    case PX_VIDEO__K_420_RGB4: px_video__k_420_rgb4(c, src, dst); break;
    case PX_VIDEO__K_422_420: px_video__k_422_420(c, src, dst); break;
    case PX_VIDEO__K_420_422: px_video__k_420_422(c, src, dst); break;
    case PX_VIDEO__K_RGB_SWIZZLE: px_video__k_rgb_swizzle(c, src, dst); break;
    case PX_VIDEO__K_GRAY_420: px_video__k_gray_420(c, src, dst); break;
    case PX_VIDEO__K_420_GRAY: px_video__k_420_gray(c, src, dst); break;
    default: px_video__generic_frame(c, src, dst); break;
    }
}

PX_API int px_video_convert_frame(const px_video_info *in, const uint8_t *src, const px_video_info *out,
                                  uint8_t *dst, void *scratch)
{
    px_video_converter *c = scratch;
    int rc;

    if (!scratch || !src || !dst)
        return PX_EINVAL;
    rc = px_video__setup(c, in, out, 0, scratch, NULL);
    if (rc == PX_OK)
        px_video_converter_frame(c, src, dst);
    return rc;
}
