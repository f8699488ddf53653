/* Renegotiation mid-stream (px_element_push_caps, PX_EVENT_CAPS) and
 * av1dec's flush at a DISCONT buffer.
 *
 * A test source numbers its format ("step") and changes it every few
 * buffers, writing the step into each buffer's first byte; a recording sink
 * checks that every buffer arrives under the caps it was made for, so caps
 * events must stay in order with the data through queues (leaky ones too),
 * tee and identity, under coop, threads and rt. Elements that cannot follow
 * refuse with an error naming themselves and both caps.
 *
 * DISCONT: a test element drops temporal units of an aomenc clip
 * (tests/data/av1_64x48_12.ivf, keyframes at 0 and 6) and flags the next one
 * DISCONT, as a source that lost data would; av1dec must flush, skip (and
 * count) delta units until the keyframe, and then output exactly the frames
 * a clean decode gives, with nothing stale from before the gap. */

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

/* ---- stepsrc: buffers whose caps change every `every` buffers ------------------ */

typedef struct {
    int num_buffers, every, steps; /* properties */
    int n, step;
    bool unfixed; /* push caps with a range once (error path) */
} stepsrc;

static int stepsrc_caps(px_element *el, int step, px_caps *caps)
{
    char text[64];
    snprintf(text, sizeof text, "application/x-step, step=(int)%d", step);
    (void)el;
    return px_caps_parse(caps, text, NULL);
}

static int stepsrc_start(px_element *el, px_error *err)
{
    stepsrc *self = px_element_state(el);
    (void)err;
    self->n = self->step = 0;
    px_element_request_output(el, 64, 0);
    return PX_OK;
}

static px_flow stepsrc_produce(px_element *el, px_buffer *out)
{
    stepsrc *self = px_element_state(el);
    if (self->n >= self->num_buffers)
        return PX_FLOW_EOS;
    if (self->n > 0 && self->every > 0 && self->n % self->every == 0) {
        px_caps caps;
        self->step = (self->step + 1) % self->steps;
        if (self->unfixed)
            px_caps_parse(&caps, "application/x-step, step=(int)[ 0, 9 ]", NULL);
        else
            stepsrc_caps(el, self->step, &caps);
        if (px_element_push_caps(el, 0, &caps) != PX_FLOW_OK)
            return PX_FLOW_ERROR;
    }
    out->data[0] = (uint8_t)self->step;
    out->size = 1 + (size_t)self->step; /* sizes differ too, as frames of another size would */
    out->offset = (uint64_t)self->n++;
    out->pts = PX_TIME_NONE;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(stepsrc) = {
    .name = "stepsrc",
    .family = "Source",
    .description = "Changes its caps every few buffers (test)",
    .state_size = sizeof(stepsrc),
    .src = PX_PAD_ALWAYS("application/x-step, step=(int)[ 0, 9 ]"),
    .preferred_caps = "application/x-step, step=(int)0",
    .start = stepsrc_start,
    .produce = stepsrc_produce,
    .props = PX_PROPS(PX_PROP_INT(stepsrc, num_buffers, 0, 1000000, 100, "Buffers"),
                      PX_PROP_INT(stepsrc, every, 0, 1000000, 10, "Buffers between caps changes (0: never)"),
                      PX_PROP_INT(stepsrc, steps, 1, 10, 2, "Formats to cycle through"),
                      PX_PROP_BOOL(stepsrc, unfixed, false, "Push caps that are not fixed")),
};

/* ---- steprec: checks every buffer against the caps it came under ------------- */

typedef struct {
    int buffers, mismatched, events, last_step;
    int first_step; /* at start */
} steprec;

static int steprec_step(px_element *el)
{
    int step = -1;
    const px_caps *caps = px_element_get_caps(el, PX_DIR_SINK, 0);
    if (caps)
        px_caps_get_int(caps, "step", &step);
    return step;
}

static int steprec_start(px_element *el, px_error *err)
{
    steprec *self = px_element_state(el);
    (void)err;
    self->buffers = self->mismatched = self->events = 0;
    self->first_step = self->last_step = steprec_step(el);
    return PX_OK;
}

static px_flow steprec_consume(px_element *el, const px_buffer *in)
{
    steprec *self = px_element_state(el);
    int step = steprec_step(el);
    if (in->size < 1 || in->data[0] != step || in->size != 1 + (size_t)step)
        self->mismatched++;
    self->buffers++;
    return PX_FLOW_OK;
}

static int steprec_event(px_element *el, const px_event *ev)
{
    steprec *self = px_element_state(el);
    if (ev->type == PX_EVENT_CAPS) {
        int step = -1;
        px_caps_get_int(px_event_caps(ev), "step", &step);
        assert_int_not_equal(step, self->last_step); /* only changes are sent */
        assert_int_equal(steprec_step(el), self->last_step); /* the old caps until it returns */
        self->last_step = step;
        self->events++;
    }
    return PX_OK;
}

PX_ELEMENT_CLASS(steprec) = {
    .name = "steprec",
    .family = "Sink",
    .description = "Checks buffers against their caps (test)",
    .state_size = sizeof(steprec),
    .sink = PX_PAD_ALWAYS("application/x-step"),
    .start = steprec_start,
    .consume = steprec_consume,
    .event = steprec_event,
};

/* ---- rigid: a transform that cannot change format while streaming ------------- */

static px_flow rigid_process(px_element *el, px_frame *io)
{
    (void)el;
    (void)io;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(rigid) = {
    .name = "rigid",
    .family = "Filter",
    .description = "A transform without renegotiation (test)",
    .sink = PX_PAD_ALWAYS("application/x-step"),
    .src = PX_PAD_ALWAYS("application/x-step, rigid=(boolean)true"),
    .in_place = true,
    .process = rigid_process,
};

static const px_scheduler scheds[] = {PX_SCHED_COOP_RUN, PX_SCHED_THREADS_RUN, PX_SCHED_RT_RUN};
static const char *const sched_names[] = {"coop", "threads", "rt"};

static px_pipeline *parse_ok(const char *text)
{
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse(text, &err);
    if (!p)
        fail_msg("%s: %s", text, err.message);
    return p;
}

static void run_ok(px_pipeline *p, const char *what)
{
    px_error err = {0};
    if (px_pipeline_run(p, &err) != PX_OK)
        fail_msg("%s: %s", what, err.message);
}

static steprec *rec_of(px_pipeline *p, const char *name)
{
    px_element *el = px_pipeline_get(p, name);
    assert_non_null(el);
    return px_element_state(el);
}

static uint64_t drops_of(px_pipeline *p, const char *name)
{
    px_element_stats st;
    px_element_get_stats(px_pipeline_get(p, name), &st);
    return st.drops;
}

static void caps_follow_the_buffers_in_order_on_every_scheduler(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof scheds / sizeof scheds[0]; s++) {
        px_pipeline *p = parse_ok("stepsrc num-buffers=1000 every=7 steps=3 ! queue max-size-buffers=4 ! identity ! "
                                  "tee name=t ! queue max-size-buffers=3 ! steprec name=a  t. ! steprec name=b");
        px_pipeline_set_scheduler(p, scheds[s]);
        run_ok(p, sched_names[s]);
        for (int k = 0; k < 2; k++) {
            steprec *r = rec_of(p, k ? "b" : "a");
            print_message("# %s %c: %d buffers, %d caps events, %d mismatched\n", sched_names[s], "ab"[k],
                          r->buffers, r->events, r->mismatched);
            assert_int_equal(r->buffers, 1000);
            assert_int_equal(r->mismatched, 0);
            assert_int_equal(r->events, 142); /* 999 / 7 */
            assert_int_equal(r->first_step, 0);
        }
        px_pipeline_free(p);
    }
}

/* Flow elements that pass data unchanged forward caps events (to every
 * linked src pad: a selector's idle branches learn the caps too). */
static void flow_elements_forward_caps_events(void **state)
{
    (void)state;
    static const char *const descs[] = {
        "stepsrc ! funnel name=f ! steprec name=a",
        "stepsrc ! s.sink_0  input-selector name=s ! steprec name=a",
        "stepsrc ! output-selector name=o  o.src_0 ! steprec name=a  o.src_1 ! steprec name=b",
        "stepsrc ! valve ! delay delay=1000 ! capsfilter ! steprec name=a",
        "stepsrc ! tee name=t ! queue ! steprec name=a  t. ! identity ! steprec name=b",
    };
    for (size_t d = 0; d < sizeof descs / sizeof descs[0]; d++)
        for (size_t s = 0; s < 2; s++) {
            px_pipeline *p = parse_ok(descs[d]);
            px_pipeline_set_scheduler(p, scheds[s]);
            run_ok(p, descs[d]);
            steprec *a = rec_of(p, "a");
            if (a->buffers != 100 || a->mismatched || a->events != 9)
                fail_msg("%s (%s): %d buffers, %d mismatched, %d caps events", descs[d], sched_names[s], a->buffers,
                         a->mismatched, a->events);
            px_element *b = px_pipeline_get(p, "b");
            if (b) /* output-selector's idle pad: no buffers, every caps change */
                assert_int_equal(((steprec *)px_element_state(b))->events, 9);
            px_pipeline_free(p);
        }
}

/* A leaky queue drops the oldest buffers, some of them the first after a caps
 * change: the caps still reach the sink before the next buffer made for them. */
static void a_leaky_queue_keeps_caps_before_their_buffers(void **state)
{
    (void)state;
    px_pipeline *p = parse_ok("stepsrc num-buffers=2000 every=3 steps=4 ! identity sleep-time=1 ! "
                              "queue leaky=downstream max-size-buffers=2 ! identity sleep-time=200 ! steprec name=r");
    px_pipeline_set_scheduler(p, PX_SCHED_THREADS_RUN);
    run_ok(p, "leaky");
    steprec *r = rec_of(p, "r");
    uint64_t dropped = drops_of(p, "queue0");
    print_message("# leaky: %d buffers, %llu dropped, %d caps events\n", r->buffers, (unsigned long long)dropped,
                  r->events);
    assert_true(dropped > 100);
    assert_true(r->buffers > 100);
    assert_int_equal((uint64_t)r->buffers + dropped, 2000);
    assert_int_equal(r->mismatched, 0);
    assert_true(r->events > 30);
    px_pipeline_free(p);
}

static void expect_error(const char *text, px_scheduler sched, const char *want)
{
    px_error err = {0};
    px_pipeline *p = parse_ok(text);
    px_pipeline_set_scheduler(p, sched);
    int rc = px_pipeline_run(p, &err);
    if (rc == PX_OK || !strstr(err.message, want))
        fail_msg("%s: rc %d, message \"%s\", wanted \"%s\"", text, rc, err.message, want);
    px_pipeline_free(p);
}

static void a_transform_without_renegotiation_refuses_naming_both_caps(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof scheds / sizeof scheds[0]; s++)
        expect_error("stepsrc ! rigid ! fakesink", scheds[s],
                     "rigid0: cannot change caps mid-stream from application/x-step, step=0 to application/x-step, "
                     "step=1: it cannot reconfigure while streaming (only a new run, prepared again, can take the "
                     "new format)");
    /* Behind a queue the refusal comes from the queue's output side. */
    expect_error("stepsrc ! queue ! rigid ! fakesink", PX_SCHED_THREADS_RUN,
                 "rigid0: cannot change caps mid-stream from application/x-step, step=0 to application/x-step, step=1");
}

static void a_capsfilter_refuses_caps_outside_its_filter(void **state)
{
    (void)state;
    expect_error("stepsrc ! capsfilter caps=application/x-step,step=0 ! steprec", PX_SCHED_COOP_RUN,
                 "capsfilter0: cannot change caps mid-stream from application/x-step, step=0 to application/x-step, "
                 "step=1: its sink pad takes only application/x-step, step=0");
    /* Caps it still allows pass. */
    px_pipeline *p = parse_ok("stepsrc ! capsfilter caps=application/x-step ! steprec name=r");
    run_ok(p, "capsfilter");
    assert_int_equal(rec_of(p, "r")->mismatched, 0);
    assert_int_equal(rec_of(p, "r")->events, 9);
    px_pipeline_free(p);
}

static void caps_that_are_not_fixed_are_an_error(void **state)
{
    (void)state;
    expect_error("stepsrc unfixed=true ! fakesink", PX_SCHED_COOP_RUN,
                 "stepsrc0: pushed caps that are not fixed (application/x-step, step=[ 0, 9 ])");
}

static void null_arguments_are_refused(void **state)
{
    (void)state;
    px_event eos = {PX_EVENT_EOS};
    assert_null(px_event_caps(&eos));
    assert_null(px_event_caps(NULL));
    assert_int_equal(px_element_push_caps(NULL, 0, NULL), PX_FLOW_ERROR);
    assert_int_equal(px_element_grow_output(NULL, 4096), PX_EINVAL);
}

/* ---- av1dec at a DISCONT ------------------------------------------------------- */

#if CONFIG_PX_ELEM_AV1DEC
/* gap: drops temporal units [from, from + count) and flags the next DISCONT. */
typedef struct {
    int from, count;
    int n;
} gap;

static int gap_start(px_element *el, px_error *err)
{
    (void)err;
    ((gap *)px_element_state(el))->n = 0;
    return PX_OK;
}

static px_flow gap_process(px_element *el, px_frame *io)
{
    gap *self = px_element_state(el);
    int n = self->n++;
    if (n >= self->from && n < self->from + self->count)
        return PX_FLOW_DROP;
    if (n == self->from + self->count && self->count > 0)
        io->out.flags |= PX_BUFFER_FLAG_DISCONT;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(gap) = {
    .name = "gap",
    .family = "Filter",
    .description = "Drops a range of buffers and marks the next DISCONT (test)",
    .state_size = sizeof(gap),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .in_place = true,
    .start = gap_start,
    .process = gap_process,
    .props = PX_PROPS(PX_PROP_INT(gap, from, 0, 1000000, 0, "First buffer dropped"),
                      PX_PROP_INT(gap, count, 0, 1000000, 0, "Buffers dropped")),
};

/* framerec: a hash of each frame's visible planes, and its frame number (pts). */
#define FRAMES_MAX 64
typedef struct {
    px_video_info info;
    int n;
    uint64_t hash[FRAMES_MAX];
    int64_t pts[FRAMES_MAX];
} framerec;

static int framerec_start(px_element *el, px_error *err)
{
    framerec *self = px_element_state(el);
    self->n = 0;
    return px_video_info_from_caps(&self->info, px_element_get_caps(el, PX_DIR_SINK, 0), err);
}

static px_flow framerec_consume(px_element *el, const px_buffer *in)
{
    framerec *self = px_element_state(el);
    const px_video_info *info = &self->info;
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a over the rows, padding left out */
    for (int c = 0; c < 3; c++) {
        int p = info->finfo->plane[c], w = px_video_info_comp_width(info, c), rows = px_video_info_comp_height(info, c);
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < w; x++) {
                h ^= in->data[info->offset[p] + (size_t)y * info->stride[p] + (size_t)x];
                h *= 0x100000001b3ull;
            }
    }
    if (self->n < FRAMES_MAX) {
        self->hash[self->n] = h;
        self->pts[self->n] = in->pts;
    }
    self->n++;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(framerec) = {
    .name = "framerec",
    .family = "Sink",
    .description = "Hashes I420 frames (test)",
    .state_size = sizeof(framerec),
    .sink = PX_PAD_ALWAYS("video/x-raw, format=(string)I420"),
    .start = framerec_start,
    .consume = framerec_consume,
};

static char clip[4096];

static px_pipeline *av1_pipeline(const char *gap_props, const char *dec_props)
{
    char text[8192];
    snprintf(text, sizeof text,
             "filesrc location=%s ! ivfdemux ! av1parse ! gap %s ! av1dec %s ! framerec name=r", clip, gap_props,
             dec_props);
    return parse_ok(text);
}

static framerec reference; /* a clean decode of the 12 frames */

static int frame_of(const framerec *r, int k) /* the input frame (0..11) its pts says */
{
    for (int i = 0; i < reference.n; i++)
        if (reference.pts[i] == r->pts[k])
            return i;
    return -1;
}

static void discont_flushes_and_restarts_at_the_next_keyframe(void **state)
{
    (void)state;
    px_pipeline *p = av1_pipeline("", "threads=1 max-frame-delay=1");
    run_ok(p, "reference");
    reference = *(framerec *)px_element_state(px_pipeline_get(p, "r"));
    px_pipeline_free(p);
    assert_int_equal(reference.n, 12);

    /* Units 2..3 lost; unit 4 (a delta) comes flagged DISCONT: 4 and 5 are
     * skipped and counted, decoding restarts at the keyframe 6. */
    p = av1_pipeline("from=2 count=2", "threads=1 max-frame-delay=1");
    run_ok(p, "gap 2..3");
    framerec *r = px_element_state(px_pipeline_get(p, "r"));
    static const int want[] = {0, 1, 6, 7, 8, 9, 10, 11};
    assert_int_equal(r->n, 8);
    for (int k = 0; k < 8; k++) {
        assert_int_equal(frame_of(r, k), want[k]);
        assert_true(r->hash[k] == reference.hash[want[k]]);
    }
    assert_int_equal(drops_of(p, "av1dec0"), 2);
    assert_int_equal(drops_of(p, "gap0"), 2);
    px_pipeline_free(p);

    /* The DISCONT unit is the keyframe itself: nothing to skip. */
    p = av1_pipeline("from=3 count=3", "threads=1 max-frame-delay=1");
    run_ok(p, "gap 3..5");
    r = px_element_state(px_pipeline_get(p, "r"));
    static const int want2[] = {0, 1, 2, 6, 7, 8, 9, 10, 11};
    assert_int_equal(r->n, 9);
    for (int k = 0; k < 9; k++) {
        assert_int_equal(frame_of(r, k), want2[k]);
        assert_true(r->hash[k] == reference.hash[want2[k]]);
    }
    assert_int_equal(drops_of(p, "av1dec0"), 0);
    px_pipeline_free(p);
}

/* With frames decoded in parallel the flush drops what was in flight: what
 * comes out before the gap is a prefix of frames 0..1, never a stale picture
 * after it, and everything from the keyframe on equals the clean decode. */
static void discont_with_frame_threads_drops_what_was_in_flight(void **state)
{
    (void)state;
    px_pipeline *p = av1_pipeline("from=2 count=2", "threads=4 max-frame-delay=4");
    run_ok(p, "gap, 4 threads");
    framerec *r = px_element_state(px_pipeline_get(p, "r"));
    int before = r->n - 6;
    print_message("# 4 threads: %d frames out, %d before the gap\n", r->n, before);
    assert_true(before >= 0 && before <= 2);
    for (int k = 0; k < r->n; k++) {
        int want = k < before ? k : 6 + (k - before);
        assert_int_equal(frame_of(r, k), want);
        assert_true(r->hash[k] == reference.hash[want]);
    }
    assert_int_equal(drops_of(p, "av1dec0"), 2);
    px_pipeline_free(p);
}
#endif

int main(void)
{
    if (px_register_element(&px_elem_stepsrc) || px_register_element(&px_elem_steprec) ||
        px_register_element(&px_elem_rigid))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(caps_follow_the_buffers_in_order_on_every_scheduler),
        cmocka_unit_test(flow_elements_forward_caps_events),
        cmocka_unit_test(a_leaky_queue_keeps_caps_before_their_buffers),
        cmocka_unit_test(a_transform_without_renegotiation_refuses_naming_both_caps),
        cmocka_unit_test(a_capsfilter_refuses_caps_outside_its_filter),
        cmocka_unit_test(caps_that_are_not_fixed_are_an_error),
        cmocka_unit_test(null_arguments_are_refused),
#if CONFIG_PX_ELEM_AV1DEC
        cmocka_unit_test(discont_flushes_and_restarts_at_the_next_keyframe),
        cmocka_unit_test(discont_with_frame_threads_drops_what_was_in_flight),
#endif
    };
#if CONFIG_PX_ELEM_AV1DEC
    const char *src = getenv("PX_SRC");
    snprintf(clip, sizeof clip, "%s/tests/data/av1_64x48_12.ivf", src && *src ? src : ".");
    if (px_register_element(&px_elem_gap) || px_register_element(&px_elem_framerec))
        return 1;
#endif
    return cmocka_run_group_tests(tests, NULL, NULL);
}
