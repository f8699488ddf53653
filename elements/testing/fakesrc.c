/* elements/testing/fakesrc.c: produces buffers of chosen size and content, for
 * tests and benchmarks. Properties follow GStreamer's fakesrc (names, enum
 * numbers and defaults), so `fakesrc num-buffers=10 sizetype=fixed` means the
 * same thing in both. Random sizes and contents come from a xorshift64 PRNG
 * with a fixed seed: every run produces the same stream. Buffers carry the
 * byte offset of their first and one past their last byte (offset,
 * offset_end); like GStreamer's fakesrc, timestamps stay unset unless
 * datarate (bytes per second) is set: then pts is the bytes sent before the
 * buffer over datarate and duration its size over datarate (sizetype=fixed
 * sizemax=1000 datarate=100000 gives one buffer per 10 ms of stream time). */

enum {
    FAKESRC_SIZE_EMPTY = 1,
    FAKESRC_SIZE_FIXED = 2,
    FAKESRC_SIZE_RANDOM = 3,
};

enum {
    FAKESRC_FILL_NOTHING = 1,
    FAKESRC_FILL_ZERO = 2,
    FAKESRC_FILL_RANDOM = 3,
    FAKESRC_FILL_PATTERN = 4,
    FAKESRC_FILL_PATTERN_SPAN = 5,
};

#define FAKESRC_SIZE_LIMIT (64 * 1024 * 1024) /* one arena slot; larger is not a test */
#define FAKESRC_SEED 0x9e3779b97f4a7c15ull

typedef struct {
    int num_buffers;
    int sizetype;
    int sizemin;
    int sizemax;
    int filltype;
    int datarate;
    /* streaming state */
    int64_t produced;
    uint64_t offset;
    uint64_t rng;
} fakesrc;

static const px_enum_value fakesrc_sizetypes[] = {
    {FAKESRC_SIZE_EMPTY, "empty", PX__PROP_DESC("Send empty buffers (0 bytes)")},
    {FAKESRC_SIZE_FIXED, "fixed", PX__PROP_DESC("Fixed size buffers (sizemax bytes)")},
    {FAKESRC_SIZE_RANDOM, "random", PX__PROP_DESC("Random sized buffers (sizemin <= size <= sizemax)")},
    {0, NULL, NULL},
};

static const px_enum_value fakesrc_filltypes[] = {
    {FAKESRC_FILL_NOTHING, "nothing", PX__PROP_DESC("Leave the slot's bytes as they are (fastest)")},
    {FAKESRC_FILL_ZERO, "zero", PX__PROP_DESC("Fill buffers with zeros")},
    {FAKESRC_FILL_RANDOM, "random", PX__PROP_DESC("Fill buffers with pseudo-random bytes (fixed seed)")},
    {FAKESRC_FILL_PATTERN, "pattern", PX__PROP_DESC("Fill buffers with 0x00 -> 0xff, restarting in each buffer")},
    {FAKESRC_FILL_PATTERN_SPAN, "pattern-span",
     PX__PROP_DESC("Fill buffers with 0x00 -> 0xff spanning buffers (byte = stream offset & 0xff)")},
    {0, NULL, NULL},
};

static uint64_t fakesrc_next(fakesrc *self)
{
    uint64_t x = self->rng; /* xorshift64: a few cycles, never 0 once seeded */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    self->rng = x;
    return x;
}

static int fakesrc_start(px_element *el, px_error *err)
{
    fakesrc *self = px_element_state(el);

    if (self->sizetype == FAKESRC_SIZE_RANDOM && self->sizemin > self->sizemax)
        return px_error_set(err, PX_EINVAL, 0,
                            "%s: sizemin=%d is larger than sizemax=%d; set sizemin <= sizemax",
                            px_element_name(el), self->sizemin, self->sizemax);
    self->produced = 0;
    self->offset = 0;
    self->rng = FAKESRC_SEED;
    if (self->sizetype != FAKESRC_SIZE_EMPTY && self->sizemax > 4096)
        px_element_request_output(el, (size_t)self->sizemax, 0);
    return PX_OK;
}

static void fakesrc_fill(fakesrc *self, uint8_t *data, size_t size)
{
    switch (self->filltype) {
    case FAKESRC_FILL_ZERO:
        memset(data, 0, size);
        break;
    case FAKESRC_FILL_RANDOM: {
        size_t i = 0;
        for (; i + 8 <= size; i += 8) {
            uint64_t r = fakesrc_next(self);
            memcpy(data + i, &r, 8);
        }
        if (i < size) {
            uint64_t r = fakesrc_next(self);
            memcpy(data + i, &r, size - i);
        }
        break;
    }
    case FAKESRC_FILL_PATTERN:
        for (size_t i = 0; i < size; i++)
            data[i] = (uint8_t)i;
        break;
    case FAKESRC_FILL_PATTERN_SPAN:
        for (size_t i = 0; i < size; i++)
            data[i] = (uint8_t)(self->offset + i);
        break;
    default: /* nothing */
        break;
    }
}

static px_flow fakesrc_produce(px_element *el, px_buffer *out)
{
    fakesrc *self = px_element_state(el);
    size_t size = 0;

    if (self->num_buffers >= 0 && self->produced >= self->num_buffers)
        return PX_FLOW_EOS;
    if (self->sizetype == FAKESRC_SIZE_FIXED) {
        size = (size_t)self->sizemax;
    } else if (self->sizetype == FAKESRC_SIZE_RANDOM) {
        uint64_t span = (uint64_t)(self->sizemax - self->sizemin) + 1;
        size = (size_t)self->sizemin + (size_t)(fakesrc_next(self) % span);
    }
    if (size > out->capacity) { /* start() sized the slot; this is a runtime bug */
        px_element_error(el, PX_ENOMEM, "output slot holds %zu bytes but %zu are needed",
                         out->capacity, size);
        return PX_FLOW_ERROR;
    }
    if (size)
        fakesrc_fill(self, out->data, size);
    out->size = size;
    if (self->datarate > 0) { /* split so bytes * 1e9 cannot overflow */
        uint64_t rate = (uint64_t)self->datarate;
        out->pts = (px_time)((self->offset / rate) * (uint64_t)PX_SECOND + (self->offset % rate) * (uint64_t)PX_SECOND / rate);
        out->duration = (px_time)((uint64_t)size * (uint64_t)PX_SECOND / rate);
    }
    out->offset = self->offset;
    out->offset_end = self->offset + size;
    self->offset += size;
    self->produced++;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(fakesrc) = {
    .name = "fakesrc",
    .family = "Source",
    .description = "Produces buffers of chosen size and content (testing)",
    .state_size = sizeof(fakesrc),
    .src = PX_PAD_ALWAYS("ANY"),
    .hints = {.rt_safe = true},
    .start = fakesrc_start,
    .produce = fakesrc_produce,
    .props = PX_PROPS(
        PX_PROP_INT(fakesrc, num_buffers, -1, INT32_MAX, -1,
                    "Number of buffers to output before sending EOS (-1 = unlimited)"),
        PX_PROP_ENUM(fakesrc, sizetype, fakesrc_sizetypes, FAKESRC_SIZE_EMPTY,
                     "How to determine buffer sizes"),
        PX_PROP_INT(fakesrc, sizemin, 0, FAKESRC_SIZE_LIMIT, 0,
                    "Minimum buffer size in bytes (sizetype=random)"),
        PX_PROP_INT(fakesrc, sizemax, 0, FAKESRC_SIZE_LIMIT, 4096,
                    "Maximum buffer size in bytes (sizetype=fixed: every buffer's size)"),
        PX_PROP_ENUM(fakesrc, filltype, fakesrc_filltypes, FAKESRC_FILL_NOTHING,
                     "How to fill the buffers, if at all"),
        PX_PROP_INT(fakesrc, datarate, 0, INT32_MAX, 0,
                    "Timestamps buffers with this number of bytes per second (0 = no timestamps)")),
};
