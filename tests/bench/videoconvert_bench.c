/* Times px_video_converter_frame on 1080p frames: prints "<name> <frames/s>"
 * per case, the median of 5 runs of N frames each (N from argv[1], default
 * 200), plus memcpy of a 1080p BGRA frame as the bandwidth limit.
 * Built and run by tests/bench/videoconvert.sh. */
#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median5(double *v)
{
    qsort(v, 5, sizeof v[0], cmp);
    return v[2];
}

static void bench(const char *name, px_video_format a, px_video_format b, int n, unsigned flags)
{
    px_video_info in, out;
    px_error err = {0};
    px_video_info_init(&in, a, 1920, 1080);
    px_video_info_init(&out, b, 1920, 1080);
    uint8_t *src = malloc(in.size), *dst = malloc(out.size);
    px_video_converter *c = px_video_converter_new(&in, &out, flags, &err);
    if (!src || !dst || !c) {
        fprintf(stderr, "%s: %s\n", name, err.message);
        exit(1);
    }
    for (size_t i = 0; i < in.size; i++)
        src[i] = (uint8_t)(i * 2654435761u >> 24);
    double fps[5];
    px_video_converter_frame(c, src, dst); /* warm up */
    for (int r = 0; r < 5; r++) {
        double t0 = now();
        for (int i = 0; i < n; i++)
            px_video_converter_frame(c, src, dst);
        fps[r] = n / (now() - t0);
    }
    printf("%s %.1f %s\n", name, median5(fps), px_video_converter_describe(c));
    px_video_converter_free(c);
    free(src);
    free(dst);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 200;
    bench("I420->BGRA", PX_VIDEO_FORMAT_I420, PX_VIDEO_FORMAT_BGRA, n, 0);
    bench("NV12->I420", PX_VIDEO_FORMAT_NV12, PX_VIDEO_FORMAT_I420, n, 0);
    if (argc > 2) { /* extra rows: scalar reference and generic path */
        bench("I420->BGRA(scalar)", PX_VIDEO_FORMAT_I420, PX_VIDEO_FORMAT_BGRA, n, PX_VIDEO_CONVERT_SCALAR);
        bench("I420->BGRA(generic)", PX_VIDEO_FORMAT_I420, PX_VIDEO_FORMAT_BGRA, n, PX_VIDEO_CONVERT_GENERIC);
        bench("NV12->I420(generic)", PX_VIDEO_FORMAT_NV12, PX_VIDEO_FORMAT_I420, n, PX_VIDEO_CONVERT_GENERIC);
    }
    size_t sz = 1920 * 1080 * 4;
    uint8_t *a = malloc(sz), *b = malloc(sz);
    memset(a, 1, sz);
    memset(b, 2, sz);
    double fps[5];
    for (int r = 0; r < 5; r++) {
        double t0 = now();
        for (int i = 0; i < n; i++) {
            a[i & 1023] = (uint8_t)i;
            memcpy(b, a, sz);
        }
        fps[r] = n / (now() - t0);
    }
    printf("memcpy-1080p-BGRA %.1f (%u)\n", median5(fps), b[5]);
    free(a);
    free(b);
    return 0;
}
