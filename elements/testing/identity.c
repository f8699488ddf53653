/* elements/testing/identity.c: passes buffers through unchanged, and on
 * request drops some, fails after N, or slows the stream down: a probe for
 * testing flow, error and shutdown paths. Properties follow GStreamer's
 * identity. Drops use a xorshift64 PRNG with a fixed seed, so a run drops the
 * same buffers every time. hold-factor (Parallax's own) models a device that
 * takes a multiple of each buffer's duration: its schedule is kept in stream
 * time (buffer k starts when buffer k-1 ends, or at its own pts if later), and
 * the element sleeps until absolute deadlines on that schedule, so a late
 * wake-up on a loaded machine is made up, not added: "5% too slow" stays
 * 5% whatever the load. silent=false and dump=true need CONFIG_PX_BUFFER_PRINT,
 * sleep-time and hold-factor CONFIG_PX_IDENTITY_TIMING: without them start()
 * refuses values other than the defaults, naming the option. */

#define IDENTITY_SEED 0x2545f4914f6cdd1dull

typedef struct {
    double drop_probability;
    int error_after;
    uint64_t sleep_time;
    double hold_factor;
    bool silent;
    bool dump;
    /* streaming state */
    int64_t seen;
    uint64_t rng;
    uint64_t threshold; /* drop when the next PRNG value is below it */
    bool drop_all;
    bool plain; /* nothing to do but count: the per-buffer path is one test */
    bool hold_started;
    px_time hold_base; /* CLOCK_MONOTONIC ns of stream time 0 */
    px_time hold_end;  /* stream time the device is busy until */
} identity;

static uint64_t identity_next(identity *self)
{
    uint64_t x = self->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    self->rng = x;
    return x;
}

static int identity_start(px_element *el, px_error *err)
{
    identity *self = px_element_state(el);

    (void)err;
#if !CONFIG_PX_BUFFER_PRINT
    if (px__buffer_print_left_out(el, self->silent, self->dump, err))
        return PX_ENOTSUP;
#endif
#if !CONFIG_PX_IDENTITY_TIMING
    if (self->sleep_time || self->hold_factor > 0)
        return px__left_out(err, px_element_name(el), self->sleep_time ? "sleep-time" : "hold-factor",
                            "PX_IDENTITY_TIMING");
#endif
    self->seen = 0;
    self->rng = IDENTITY_SEED;
    self->hold_started = false;
    self->hold_end = 0;
    /* Integer compare per buffer; p * 2^64 computed once. */
    self->drop_all = self->drop_probability >= 1.0;
    self->threshold = self->drop_all || self->drop_probability <= 0.0
                          ? 0
                          : (uint64_t)(self->drop_probability * 18446744073709551616.0);
    self->plain = self->error_after < 0 && !self->sleep_time && self->hold_factor <= 0 && self->silent &&
                  !self->dump && !self->drop_all && !self->threshold;
    return PX_OK;
}

#if CONFIG_PX_BUFFER_PRINT
static void identity_message(px_element *el, const px_buffer *in)
{
    char off[24] = "-1", end[24] = "-1";

    if (in->offset != PX_OFFSET_NONE)
        snprintf(off, sizeof off, "%llu", (unsigned long long)in->offset);
    if (in->offset_end != PX_OFFSET_NONE)
        snprintf(end, sizeof end, "%llu", (unsigned long long)in->offset_end);
    printf("%s: chain   ******* (%s:sink) (%zu bytes, pts: %lld, offset: %s, offset_end: %s, "
           "flags: %08x) %p\n",
           px_element_name(el), px_element_name(el), in->size,
           in->pts == PX_TIME_NONE ? -1LL : (long long)in->pts, off, end, (unsigned)in->flags,
           (void *)in->data);
}
#endif

#if CONFIG_PX_IDENTITY_TIMING
static px_time identity_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (px_time)ts.tv_sec * PX_SECOND + ts.tv_nsec;
}

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void identity_hold(identity *self, const px_buffer *in)
{
    if (!self->hold_started) { /* the first buffer's pts is "now" */
        self->hold_started = true;
        self->hold_base = identity_monotonic() - in->pts;
        self->hold_end = in->pts;
    }
    px_time start = in->pts > self->hold_end ? in->pts : self->hold_end;
    self->hold_end = start + (px_time)(self->hold_factor * (double)in->duration);
    px_time at = self->hold_base + self->hold_end;
    struct timespec ts = {(time_t)(at / PX_SECOND), (long)(at % PX_SECOND)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}
#endif

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static px_flow identity_slow(px_element *el, identity *self, px_frame *io);

static px_flow identity_process(px_element *el, px_frame *io)
{
    identity *self = px_element_state(el);

    self->seen++;
    return self->plain ? PX_FLOW_OK : identity_slow(el, self, io);
}

static px_flow identity_slow(px_element *el, identity *self, px_frame *io)
{
    (void)io; /* read only by the timing and printing this build may leave out */
    if (self->error_after >= 0 && self->seen >= self->error_after) {
        px_element_error(el, PX_EFLOW, "error-after %d reached", self->error_after);
        return PX_FLOW_ERROR;
    }
#if CONFIG_PX_IDENTITY_TIMING
    if (self->sleep_time) {
        struct timespec ts = {(time_t)(self->sleep_time / 1000000),
                              (long)(self->sleep_time % 1000000) * 1000};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    if (self->hold_factor > 0 && io->in.pts != PX_TIME_NONE && io->in.duration != PX_TIME_NONE)
        identity_hold(self, &io->in);
#endif
#if CONFIG_PX_BUFFER_PRINT
    if (!self->silent)
        identity_message(el, &io->in);
    if (self->dump)
        px_buffer_dump(&io->in);
#endif
    if (self->drop_all || (self->threshold && identity_next(self) < self->threshold))
        return PX_FLOW_DROP;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(identity) = {
    .name = "identity",
    .family = "Generic",
    .description = "Passes data without modification; can drop, fail or slow down (testing)",
    .state_size = sizeof(identity),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .in_place = true,
    .reads_only = true, /* only dump and message read the bytes */
    .start = identity_start,
    .process = identity_process,
    .props = PX_PROPS(
        PX_PROP_DOUBLE(identity, drop_probability, 0.0, 1.0, 0.0,
                       "Probability that a buffer is dropped (fixed-seed PRNG: reproducible)"),
        PX_PROP_INT(identity, error_after, -1, INT32_MAX, -1,
                    "Post an error and stop on the Nth buffer (-1 = never)"),
        PX_PROP_UINT64(identity, sleep_time, 0, UINT32_MAX, 0,
                       "Microseconds to sleep before passing each buffer on"),
        PX_PROP_DOUBLE(identity, hold_factor, 0.0, 1000.0, 0.0,
                       "Hold each timestamped buffer for this many times its duration, on a schedule kept in "
                       "stream time (late wake-ups are made up): a device slower (> 1) than the stream (0 = off)"),
        PX_PROP_BOOL(identity, silent, true, "Don't print a line per buffer"),
        PX_PROP_BOOL(identity, dump, false, "Hexdump each buffer's contents to stdout")),
};
