/* 03: formats are negotiated for the whole pipeline at once.
 *
 * videotestsrc offers every raw format; the caps filter asks for BGRA at
 * 64x48, and fakesink takes anything. Prepare solves the graph, fixates each
 * link and, where formats do not meet, inserts a converter: here none is
 * needed, because the source can produce BGRA itself. Asking two
 * neighbours for different formats shows the inserted videoconvert. */

#define PARALLAX_IMPLEMENTATION
#include "../parallax.h"

#include <stdio.h>

#if CONFIG_PX_CAPS && CONFIG_PX_ELEM_VIDEOTESTSRC && CONFIG_PX_ELEM_CAPSFILTER && CONFIG_PX_ELEM_VIDEOCONVERT && \
    CONFIG_PX_ELEM_FAKESINK
static int show(const char *desc)
{
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse(desc, &err);
    if (!p || px_pipeline_prepare(p, &err) != PX_OK) {
        fprintf(stderr, "%s\n", err.message);
        px_pipeline_free(p);
        return 1;
    }
    printf("%s\n", desc);
    for (size_t i = 0; i < px_pipeline_element_count(p); i++) {
        px_element *el = px_pipeline_element_at(p, i);
        const px_caps *caps = px_element_get_caps(el, PX_DIR_SRC, 0);
        char text[512] = "";
        if (caps && px_element_get_class(el)->src.presence != PX_PAD_NONE)
            px_caps_to_short_string(caps, text, sizeof text);
        printf("  %-14s %s\n", px_element_name(el), text);
    }
    int rc = px_pipeline_run(p, &err); /* the same pipeline object, now streaming */
    if (rc != PX_OK)
        fprintf(stderr, "%s\n", err.message);
    px_pipeline_free(p);
    return rc != PX_OK;
}

int main(void)
{
    int bad = show("videotestsrc num-buffers=2 ! video/x-raw,format=BGRA,width=64,height=48 ! fakesink");
    /* I420 from the source, NV12 wanted after it: videoconvert0 appears. */
    bad |= show("videotestsrc num-buffers=2 ! video/x-raw,format=I420,width=64,height=48 ! "
                "video/x-raw,format=NV12 ! fakesink");
    return bad;
}
#else
int main(void)
{
    puts("03_negotiation: this configuration has no caps negotiation or video elements");
    return 0;
}
#endif
