/* 02: write an element in the application and use it by name.
 *
 * A brightness filter for 8-bit samples: the class is a const struct, the
 * properties a table, the work one in-place callback. The pipeline hands the
 * element its buffer; the element never allocates. */

#define PARALLAX_IMPLEMENTATION
#include "../parallax.h"

#include <stdio.h>

typedef struct {
    int adjustment;
} brightness;

static px_flow brightness_process(px_element *el, px_frame *io)
{
    const brightness *self = px_element_state(el);
    uint8_t *px = io->out.data; /* in place: out aliases in */

    for (size_t i = 0; i < io->out.size; i++)
        px[i] = px_clamp_u8(px[i] + self->adjustment);
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(brightness) = {
    .name = "brightness",
    .family = "Filter/Video",
    .description = "Adds a constant to every 8-bit sample",
    .state_size = sizeof(brightness),
    .sink = PX_PAD_ALWAYS("video/x-raw,format=GRAY8"),
    .src = PX_PAD_ALWAYS("video/x-raw,format=GRAY8"),
    .hints = {.rt_safe = true},
    .in_place = true,
    .process = brightness_process,
    .props = PX_PROPS(PX_PROP_INT(brightness, adjustment, -255, 255, 0, "Value added to each sample")),
};

int main(void)
{
    if (px_register_element(&px_elem_brightness) != PX_OK)
        return 1;

    /* The pattern fill gives bytes 0, 1, ... 255; +100 saturates the top ones. */
    const char *out = "brightness.bin";
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse("fakesrc num-buffers=1 sizetype=fixed sizemax=256 filltype=pattern ! "
                                       "brightness adjustment=100 ! filesink location=brightness.bin",
                                       &err);
    if (!p || px_pipeline_run(p, &err) != PX_OK) {
        fprintf(stderr, "%s\n", err.message);
        px_pipeline_free(p);
        return 1;
    }
    px_pipeline_free(p);

    FILE *f = fopen(out, "rb");
    unsigned char data[256];
    size_t n = f ? fread(data, 1, sizeof data, f) : 0;
    if (f)
        fclose(f);
    int bad = n != 256;
    for (size_t i = 0; i < n; i++)
        bad |= data[i] != (i + 100 > 255 ? 255 : i + 100);
    printf("brightness: %zu samples, %s\n", n, bad ? "WRONG" : "0 -> 100, 155 -> 255 as expected");
    return bad;
}
