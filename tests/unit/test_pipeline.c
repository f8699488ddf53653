/* Pipeline tests: the C builder API and the runtime behind it. The builder
 * makes the same graph as the parser, both schedulers give the same counts,
 * link/prepare/add errors carry exact messages, errors and EOS reach the bus,
 * application elements (a copying filter, a sink that hoards buffers) work,
 * and repeated runs and prepare/stop cycles leak nothing (run under valgrind). */

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "flow_helpers.h" /* stats_of, run_ok, sleep_us, now_ns */

/* ---- Helpers ------------------------------------------------------------ */

static px_element *add(px_pipeline *p, const char *factory, const char *name)
{
    px_error err = {0};
    px_element *el = px_pipeline_add(p, factory, name, &err);
    if (!el)
        fail_msg("px_pipeline_add(%s) failed: %s", factory, err.message);
    return el;
}

static void set(px_element *el, const char *prop, const char *value)
{
    px_error err = {0};
    if (px_set(el, prop, value, &err) != PX_OK)
        fail_msg("px_set(%s, %s=%s) failed: %s", px_element_name(el), prop, value, err.message);
}

static void link_ok(px_element *a, px_element *b)
{
    px_error err = {0};
    if (px_link(a, b, &err) != PX_OK)
        fail_msg("px_link(%s, %s) failed: %s", px_element_name(a), px_element_name(b), err.message);
}

/* The two schedulers the builder tests compare (rt has its own tests). */
static const px_scheduler coop_threads[] = {PX_SCHED_COOP_RUN, PX_SCHED_THREADS_RUN};

/* fakesrc num-buffers=n [sizetype=fixed sizemax=size] ! identity ! fakesink, built in C. */
static px_pipeline *build_chain(int n, int size)
{
    char num[32];
    px_pipeline *p = px_pipeline_new();
    assert_non_null(p);
    px_element *src = add(p, "fakesrc", NULL);
    snprintf(num, sizeof num, "%d", n);
    set(src, "num-buffers", num);
    if (size >= 0) {
        snprintf(num, sizeof num, "%d", size);
        set(src, "sizetype", "fixed");
        set(src, "sizemax", num);
    }
    px_element *id = add(p, "identity", NULL);
    px_element *sink = add(p, "fakesink", NULL);
    link_ok(src, id);
    link_ok(id, sink);
    return p;
}

static void assert_chain_counts(px_pipeline *p, uint64_t n, uint64_t bytes)
{
    px_element_stats src = stats_of(p, "fakesrc0");
    px_element_stats id = stats_of(p, "identity0");
    px_element_stats sink = stats_of(p, "fakesink0");
    assert_int_equal(src.buffers_in, 0);
    assert_int_equal(src.buffers_out, n);
    assert_int_equal(src.bytes_out, bytes);
    assert_int_equal(id.buffers_in, n);
    assert_int_equal(id.buffers_out, n);
    assert_int_equal(id.bytes_in, bytes);
    assert_int_equal(id.bytes_out, bytes);
    assert_int_equal(sink.buffers_in, n);
    assert_int_equal(sink.buffers_out, 0);
    assert_int_equal(sink.bytes_in, bytes);
    assert_int_equal(src.drops + id.drops + sink.drops, 0);
    assert_int_equal(src.errors + id.errors + sink.errors, 0);
    assert_true(src.eos);
    assert_true(id.eos);
    assert_true(sink.eos);
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* ---- Application elements ----------------------------------------------- */

/* invert: a copying (not in-place) filter; the runtime hands it a fresh output slot. */
typedef struct {
    uint64_t frames;
    uint64_t bad_slot; /* output slot missing, shared with the input, or not empty */
    uint64_t bad_meta; /* output metadata differs from the input's on entry */
} invert_state;

static px_flow invert_process(px_element *el, px_frame *io)
{
    invert_state *self = px_element_state(el);
    if (!io->out.arena || !io->out.data || io->out.arena == io->in.arena || io->out.data == io->in.data ||
        io->out.size != 0 || io->out.capacity < io->in.size)
        self->bad_slot++;
    if (io->out.pts != io->in.pts || io->out.dts != io->in.dts || io->out.duration != io->in.duration ||
        io->out.offset != io->in.offset || io->out.offset_end != io->in.offset_end ||
        io->out.flags != io->in.flags || io->out.sequence != io->in.sequence)
        self->bad_meta++;
    if (io->out.capacity < io->in.size) {
        px_element_error(el, PX_ENOMEM, "output slot too small");
        return PX_FLOW_ERROR;
    }
    for (size_t i = 0; i < io->in.size; i++)
        io->out.data[i] = (uint8_t)~io->in.data[i];
    io->out.size = io->in.size;
    self->frames++;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(invert) = {
    .name = "apptest-invert",
    .family = "Filter",
    .description = "Copies its input to a new slot with every byte inverted",
    .state_size = sizeof(invert_state),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .process = invert_process,
};

/* check: a sink that verifies inverted pattern bytes and records metadata. */
#define CHECK_KEEP 64
typedef struct {
    int size; /* expected bytes per buffer */
    uint64_t received;
    uint64_t bad_size;
    uint64_t bad_bytes;
    bool got_eos;
    px_time pts[CHECK_KEEP], dts[CHECK_KEEP], duration[CHECK_KEEP];
    uint64_t offset[CHECK_KEEP], offset_end[CHECK_KEEP], sequence[CHECK_KEEP];
    uint32_t flags[CHECK_KEEP];
} check_state;

static px_flow check_consume(px_element *el, const px_buffer *in)
{
    check_state *self = px_element_state(el);
    if (in->size != (size_t)self->size)
        self->bad_size++;
    for (size_t i = 0; i < in->size; i++)
        if (in->data[i] != (uint8_t)~(uint8_t)i) {
            self->bad_bytes++;
            break;
        }
    if (self->received < CHECK_KEEP) {
        uint64_t k = self->received;
        self->pts[k] = in->pts;
        self->dts[k] = in->dts;
        self->duration[k] = in->duration;
        self->offset[k] = in->offset;
        self->offset_end[k] = in->offset_end;
        self->sequence[k] = in->sequence;
        self->flags[k] = in->flags;
    }
    self->received++;
    return PX_FLOW_OK;
}

static int check_event(px_element *el, const px_event *ev)
{
    check_state *self = px_element_state(el);
    if (ev->type == PX_EVENT_EOS)
        self->got_eos = true;
    return PX_OK;
}

PX_ELEMENT_CLASS(check) = {
    .name = "apptest-check",
    .family = "Sink",
    .description = "Verifies inverted 0x00..0xff pattern buffers",
    .state_size = sizeof(check_state),
    .sink = PX_PAD_ALWAYS("ANY"),
    .props = PX_PROPS(PX_PROP_INT(check_state, size, 0, 1 << 20, 256, "Expected buffer size")),
    .consume = check_consume,
    .event = check_event,
};

/* stamp: a source that sets every piece of metadata, 256 pattern bytes a buffer. */
typedef struct {
    int num_buffers;
    int produced;
} stamp_state;

static int stamp_start(px_element *el, px_error *err)
{
    (void)err;
    ((stamp_state *)px_element_state(el))->produced = 0;
    return PX_OK;
}

static px_flow stamp_produce(px_element *el, px_buffer *out)
{
    stamp_state *self = px_element_state(el);
    if (self->produced >= self->num_buffers)
        return PX_FLOW_EOS;
    int k = self->produced++;
    for (size_t i = 0; i < 256; i++)
        out->data[i] = (uint8_t)i;
    out->size = 256;
    out->pts = (px_time)k * 40 * PX_MSECOND;
    out->dts = (px_time)k * 40 * PX_MSECOND - 1;
    out->duration = 40 * PX_MSECOND;
    out->offset = (uint64_t)k;
    out->offset_end = (uint64_t)k + 1;
    out->flags = k == 0 ? PX_BUFFER_FLAG_DISCONT : PX_BUFFER_FLAG_DELTA_UNIT;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(stamp) = {
    .name = "apptest-stamp",
    .family = "Source",
    .description = "Pattern buffers with pts, dts, duration, offsets and flags set",
    .state_size = sizeof(stamp_state),
    .src = PX_PAD_ALWAYS("ANY"),
    .props = PX_PROPS(PX_PROP_INT(stamp_state, num_buffers, 0, 1000000, 10, "Buffers before EOS")),
    .start = stamp_start,
    .produce = stamp_produce,
};

/* hoard: a sink that keeps a reference to every buffer it gets. With
 * release_on_stop it lets them go in its stop() callback. */
#define HOARD_MAX 64
typedef struct {
    bool release_on_stop;
    int n;
    px_buffer kept[HOARD_MAX];
} hoard_state;

static px_flow hoard_consume(px_element *el, const px_buffer *in)
{
    hoard_state *self = px_element_state(el);
    if (self->n < HOARD_MAX) {
        self->kept[self->n] = *in;
        px_buffer_ref(&self->kept[self->n]);
        self->n++;
    }
    return PX_FLOW_OK;
}

static void hoard_release(hoard_state *self)
{
    for (int i = 0; i < self->n; i++)
        px_buffer_unref(&self->kept[i]);
    self->n = 0;
}

static void hoard_stop(px_element *el)
{
    hoard_state *self = px_element_state(el);
    if (self->release_on_stop)
        hoard_release(self);
}

PX_ELEMENT_CLASS(hoard) = {
    .name = "apptest-hoard",
    .family = "Sink",
    .description = "Keeps a reference to every buffer it consumes",
    .state_size = sizeof(hoard_state),
    .sink = PX_PAD_ALWAYS("ANY"),
    .props = PX_PROPS(PX_PROP_BOOL(hoard_state, release_on_stop, false, "Release kept buffers in stop()")),
    .consume = hoard_consume,
    .stop = hoard_stop,
};

/* funnel: request sink pads sink_%u, one src pad, passes buffers on. */
static px_flow apptest_funnel_process(px_element *el, px_frame *io)
{
    (void)el;
    (void)io;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(apptest_funnel) = {
    .name = "apptest-funnel",
    .family = "Generic",
    .description = "N-to-1: request sink pads sink_%u",
    .sink = PX_PAD_REQUEST("sink_%u", "ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .in_place = true,
    .process = apptest_funnel_process,
};

/* Registers the application classes once for the whole program. */
static int register_app_elements(void **state)
{
    (void)state;
    if (px_register_element(&px_elem_invert) != PX_OK || px_register_element(&px_elem_check) != PX_OK ||
        px_register_element(&px_elem_stamp) != PX_OK || px_register_element(&px_elem_hoard) != PX_OK ||
        px_register_element(&px_elem_apptest_funnel) != PX_OK)
        return -1;
    return 0;
}

/* ---- Builder == parser; schedulers agree ------------------------------- */

static void builder_makes_the_same_graph_as_the_parser(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *parsed = px_pipeline_parse("fakesrc num-buffers=1000 ! identity ! fakesink", &err);
    assert_non_null(parsed);
    px_pipeline *built = build_chain(1000, -1);

    assert_int_equal(px_pipeline_element_count(built), 3);
    assert_int_equal(px_pipeline_element_count(parsed), 3);
    for (size_t i = 0; i < 3; i++) {
        px_element *a = px_pipeline_element_at(built, i), *b = px_pipeline_element_at(parsed, i);
        assert_string_equal(px_element_name(a), px_element_name(b));
        assert_ptr_equal(px_element_get_class(a), px_element_get_class(b));
        assert_int_equal(a->n_src, b->n_src);
        assert_int_equal(a->n_sink, b->n_sink);
        for (int j = 0; j < a->n_src; j++) {
            assert_string_equal(a->src[j].name, b->src[j].name);
            assert_string_equal(a->src[j].peer->name, b->src[j].peer->name);
        }
        for (int j = 0; j < a->n_sink; j++) {
            assert_string_equal(a->sink[j].name, b->sink[j].name);
            assert_string_equal(a->sink[j].peer->name, b->sink[j].peer->name);
        }
    }
    assert_string_equal(px_element_name(px_pipeline_element_at(built, 0)), "fakesrc0");
    assert_string_equal(px_element_name(px_pipeline_element_at(built, 1)), "identity0");
    assert_string_equal(px_element_name(px_pipeline_element_at(built, 2)), "fakesink0");
    char a[32], b[32];
    assert_int_equal(px_get(px_pipeline_get(built, "fakesrc0"), "num-buffers", a, sizeof a, &err), PX_OK);
    assert_int_equal(px_get(px_pipeline_get(parsed, "fakesrc0"), "num-buffers", b, sizeof b, &err), PX_OK);
    assert_string_equal(a, "1000");
    assert_string_equal(b, "1000");

    run_ok(built);
    run_ok(parsed);
    assert_chain_counts(built, 1000, 0);
    assert_chain_counts(parsed, 1000, 0);
    px_pipeline_free(built);
    px_pipeline_free(parsed);
}

static void coop_and_threads_schedulers_give_identical_counts(void **state)
{
    (void)state;
    static const px_scheduler with_default[] = {PX_SCHED_DEFAULT, PX_SCHED_COOP_RUN, PX_SCHED_THREADS_RUN};
    for (size_t i = 0; i < 3; i++) {
        px_pipeline *p = build_chain(1000, -1);
        assert_int_equal(px_pipeline_set_scheduler(p, with_default[i]), PX_OK);
        run_ok(p);
        assert_chain_counts(p, 1000, 0);
        px_pipeline_free(p);
    }
}

static void fixed_100_byte_buffers_count_100000_bytes_with_both_schedulers(void **state)
{
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        px_pipeline *p = build_chain(1000, 100);
        assert_int_equal(px_pipeline_set_scheduler(p, coop_threads[i]), PX_OK);
        run_ok(p);
        assert_chain_counts(p, 1000, 100000);
        px_pipeline_free(p);
    }
}

static void set_scheduler_while_running_is_refused(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = build_chain(10, -1);
    assert_int_equal(px_pipeline_set_scheduler(p, PX_SCHED_COOP_RUN), PX_OK);
    assert_int_equal(px_pipeline_start(p, &err), PX_OK);
    assert_int_equal(px_pipeline_set_scheduler(p, PX_SCHED_THREADS_RUN), PX_ESTATE);
    assert_int_equal(px_pipeline_wait(p, 5000, &err), PX_OK);
    px_pipeline_stop(p);
    assert_int_equal(px_pipeline_set_scheduler(p, PX_SCHED_THREADS_RUN), PX_OK);
    px_pipeline_free(p);
}

/* ---- Tee and request pads ---------------------------------------------- */

static void tee_request_pads_are_made_by_px_link_and_by_name(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = px_pipeline_new();
    px_element *src = add(p, "fakesrc", NULL);
    set(src, "num-buffers", "100");
    set(src, "sizetype", "fixed");
    set(src, "sizemax", "10");
    px_element *tee = add(p, "tee", NULL);
    px_element *sinks[5];
    for (int i = 0; i < 5; i++)
        sinks[i] = add(p, "fakesink", NULL);
    link_ok(src, tee);
    for (int i = 0; i < 3; i++) /* src_0, src_1, src_2 */
        link_ok(tee, sinks[i]);
    assert_int_equal(px_element_src_pad_count(tee), 3);

    /* The automatically made pads carry the template's names. */
    assert_int_equal(px_link_pads(tee, "src_1", sinks[3], NULL, &err), PX_ELINK);
    assert_string_equal(err.message, "tee0:src_1 is already linked to fakesink1");
    assert_int_equal(px_link_pads(tee, "src_2", sinks[3], NULL, &err), PX_ELINK);
    assert_string_equal(err.message, "tee0:src_2 is already linked to fakesink2");

    /* Names that do not fit src_%u are refused and name the pad. */
    assert_int_equal(px_link_pads(tee, "src_x", sinks[3], NULL, &err), PX_ENOENT);
    assert_string_equal(err.message, "tee0 has no pad 'src_x'; request pads are named src_%u");
    assert_int_equal(px_link_pads(tee, "foo", sinks[3], NULL, &err), PX_ENOENT);
    assert_string_equal(err.message, "tee0 has no pad 'foo'; request pads are named src_%u");
    assert_int_equal(px_link_pads(tee, "src_", sinks[3], NULL, &err), PX_ENOENT);
    assert_string_equal(err.message, "tee0 has no pad 'src_'; request pads are named src_%u");
    assert_int_equal(px_element_src_pad_count(tee), 3);

    /* A named request pad whose sink side fails is not kept. */
    assert_int_equal(px_link_pads(tee, "src_7", src, NULL, &err), PX_ELINK);
    assert_string_equal(err.message, "fakesrc0 has no sink pad: a source cannot be linked to");
    assert_int_equal(tee->n_src, 3);

    assert_int_equal(px_link_pads(tee, "src_5", sinks[3], NULL, &err), PX_OK);
    assert_int_equal(px_link_pads(tee, "src_5", sinks[4], NULL, &err), PX_ELINK);
    assert_string_equal(err.message, "tee0:src_5 is already linked to fakesink3");
    /* The next automatic pad takes the lowest free number. */
    link_ok(tee, sinks[4]);
    assert_int_equal(px_link_pads(tee, "src_3", sinks[4], NULL, &err), PX_ELINK);
    assert_string_equal(err.message, "tee0:src_3 is already linked to fakesink4");
    assert_int_equal(px_element_src_pad_count(tee), 5);

    run_ok(p);
    assert_int_equal(stats_of(p, "fakesrc0").buffers_out, 100);
    assert_int_equal(stats_of(p, "tee0").buffers_in, 100);
    for (int i = 0; i < 5; i++) {
        px_element_stats s;
        px_element_get_stats(sinks[i], &s);
        assert_int_equal(s.buffers_in, 100);
        assert_int_equal(s.bytes_in, 1000);
        assert_true(s.eos);
    }
    px_pipeline_free(p);
}

/* ---- Bus ---------------------------------------------------------------- */

static void bus_carries_state_change_then_eos(void **state)
{
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        px_error err = {0};
        px_message m;
        px_pipeline *p = build_chain(100, -1);
        assert_int_equal(px_pipeline_set_scheduler(p, coop_threads[i]), PX_OK);
        assert_int_equal(px_pipeline_get_state(p), PX_STATE_IDLE);
        assert_int_equal(px_pipeline_start(p, &err), PX_OK);
        assert_int_equal(px_pipeline_get_state(p), PX_STATE_RUNNING);

        assert_int_equal(px_pipeline_pop_message(p, &m, 5000), PX_OK);
        assert_int_equal(m.type, PX_MSG_STATE_CHANGED);
        assert_int_equal(m.old_state, PX_STATE_IDLE);
        assert_int_equal(m.new_state, PX_STATE_RUNNING);
        assert_string_equal(m.source, "pipeline");
        assert_string_equal(m.text, "state changed from IDLE to RUNNING");

        assert_int_equal(px_pipeline_pop_message(p, &m, 5000), PX_OK);
        assert_int_equal(m.type, PX_MSG_EOS);
        assert_string_equal(m.source, "pipeline");
        assert_string_equal(m.text, "end of stream");
        assert_int_equal(stats_of(p, "fakesink0").buffers_in, 100);
        assert_int_equal(px_pipeline_get_state(p), PX_STATE_RUNNING); /* until stopped */

        px_pipeline_stop(p);
        assert_int_equal(px_pipeline_get_state(p), PX_STATE_IDLE);
        assert_int_equal(px_pipeline_pop_message(p, &m, 0), PX_OK);
        assert_int_equal(m.type, PX_MSG_STATE_CHANGED);
        assert_int_equal(m.old_state, PX_STATE_RUNNING);
        assert_int_equal(m.new_state, PX_STATE_IDLE);
        assert_string_equal(m.text, "state changed from RUNNING to IDLE");
        assert_int_equal(px_pipeline_pop_message(p, &m, 0), PX_ETIMEDOUT);
        assert_int_equal(px_pipeline_pop_message(p, &m, 20), PX_ETIMEDOUT);
        px_pipeline_free(p);
    }
}

static void wait_returns_ok_at_eos(void **state)
{
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        px_error err = {0};
        px_message m;
        px_pipeline *p = build_chain(100, -1);
        assert_int_equal(px_pipeline_set_scheduler(p, coop_threads[i]), PX_OK);
        assert_int_equal(px_pipeline_start(p, &err), PX_OK);
        assert_int_equal(px_pipeline_pop_message(p, &m, 5000), PX_OK);
        assert_int_equal(m.type, PX_MSG_STATE_CHANGED);
        assert_int_equal(px_pipeline_wait(p, 5000, &err), PX_OK);
        assert_int_equal(stats_of(p, "fakesink0").buffers_in, 100);
        px_pipeline_stop(p);
        px_pipeline_free(p);
    }
}

/* Once stopped nothing will ever end the stream, so a wait is a state error,
 * not a hang, even with the RUNNING->IDLE message still on the bus. */
static void wait_after_stop_is_a_state_error_not_a_hang(void **state)
{
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        px_error err = {0};
        px_pipeline *p = build_chain(100, -1);
        assert_int_equal(px_pipeline_set_scheduler(p, coop_threads[i]), PX_OK);
        assert_int_equal(px_pipeline_start(p, &err), PX_OK);
        assert_int_equal(px_pipeline_wait(p, 5000, &err), PX_OK);
        px_pipeline_stop(p);
        px_error_clear(&err);
        assert_int_equal(px_pipeline_wait(p, 200, &err), PX_ESTATE);
        assert_int_equal(err.code, PX_ESTATE);
        assert_string_equal(err.message, "the pipeline is not running; start it first");
        px_pipeline_free(p);
    }
}

/* The same after px_pipeline_run, once the bus has been drained. */
static void wait_after_run_and_a_drained_bus_is_a_state_error(void **state)
{
    (void)state;
    px_error err = {0};
    px_message m;
    px_pipeline *p = build_chain(100, -1);
    run_ok(p);
    while (px_pipeline_pop_message(p, &m, 0) == PX_OK)
        ;
    assert_int_equal(px_pipeline_wait(p, -1, &err), PX_ESTATE);
    assert_string_equal(err.message, "the pipeline is not running; start it first");
    px_pipeline_free(p);
}

static void wait_on_a_never_started_pipeline_is_a_state_error(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = build_chain(10, -1);
    assert_int_equal(px_pipeline_wait(p, -1, &err), PX_ESTATE);
    assert_string_equal(err.message, "the pipeline is not running; start it first");
    px_pipeline_free(p);
}

/* ---- Streaming errors --------------------------------------------------- */

static void identity_error_after_5_fails_the_run_with_its_message(void **state)
{
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        px_error err = {0};
        px_pipeline *p = build_chain(1000, -1);
        set(px_pipeline_get(p, "identity0"), "error-after", "5");
        assert_int_equal(px_pipeline_set_scheduler(p, coop_threads[i]), PX_OK);
        assert_int_equal(px_pipeline_run(p, &err), PX_EFLOW);
        assert_int_equal(err.code, PX_EFLOW);
        assert_string_equal(err.message, "identity0: error-after 5 reached");
        assert_string_equal(err.hint, "");
        px_element_stats src = stats_of(p, "fakesrc0");
        px_element_stats id = stats_of(p, "identity0");
        px_element_stats sink = stats_of(p, "fakesink0");
        assert_int_equal(src.buffers_out, 5);
        assert_int_equal(id.buffers_in, 5);
        assert_int_equal(id.buffers_out, 4);
        assert_int_equal(id.errors, 1);
        assert_int_equal(sink.buffers_in, 4);
        assert_false(sink.eos);
        assert_int_equal(px_pipeline_get_state(p), PX_STATE_IDLE);
        px_pipeline_free(p);
    }
}

static void error_message_reaches_the_bus_with_its_source(void **state)
{
    (void)state;
    px_error err = {0};
    px_message m;
    px_pipeline *p = build_chain(1000, -1);
    set(px_pipeline_get(p, "identity0"), "error-after", "1");
    assert_int_equal(px_pipeline_set_scheduler(p, PX_SCHED_COOP_RUN), PX_OK);
    assert_int_equal(px_pipeline_start(p, &err), PX_OK);
    assert_int_equal(px_pipeline_pop_message(p, &m, 5000), PX_OK);
    assert_int_equal(m.type, PX_MSG_STATE_CHANGED);
    assert_int_equal(px_pipeline_pop_message(p, &m, 5000), PX_OK);
    assert_int_equal(m.type, PX_MSG_ERROR);
    assert_int_equal(m.code, PX_EFLOW);
    assert_string_equal(m.source, "identity0");
    assert_string_equal(m.text, "identity0: error-after 1 reached");
    assert_int_equal(stats_of(p, "fakesink0").buffers_in, 0);
    px_pipeline_stop(p);
    px_pipeline_free(p);
}

/* ---- Link errors -------------------------------------------------------- */

static void link_errors_have_exact_messages(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = px_pipeline_new();
    px_element *src = add(p, "fakesrc", NULL);
    set(src, "num-buffers", "10");
    px_element *id0 = add(p, "identity", NULL);
    px_element *id1 = add(p, "identity", NULL);
    px_element *sink = add(p, "fakesink", NULL);
    assert_string_equal(px_element_name(id1), "identity1");

    assert_int_equal(px_link(sink, id0, &err), PX_ELINK);
    assert_int_equal(err.code, PX_ELINK);
    assert_string_equal(err.message, "fakesink0 has no src pad: a sink cannot link downstream");

    assert_int_equal(px_link(id0, src, &err), PX_ELINK);
    assert_string_equal(err.message, "fakesrc0 has no sink pad: a source cannot be linked to");

    assert_int_equal(px_link(id0, id0, &err), PX_ELINK);
    assert_string_equal(err.message, "cannot link identity0 to itself");

    assert_int_equal(px_link(NULL, id0, &err), PX_EINVAL);
    assert_string_equal(err.message, "px_link: both elements are required");

    assert_int_equal(px_link_pads(src, "foo", id0, NULL, &err), PX_ENOENT);
    assert_string_equal(err.message, "fakesrc0 has no pad 'foo'; its src pad is 'src'");
    assert_int_equal(px_link_pads(src, NULL, id0, "foo", &err), PX_ENOENT);
    assert_string_equal(err.message, "identity0 has no pad 'foo'; its sink pad is 'sink'");

    link_ok(src, id0);
    assert_int_equal(px_link(src, id1, &err), PX_ELINK);
    assert_string_equal(err.message, "fakesrc0:src is already linked to identity0");
    assert_int_equal(px_link_pads(src, "src", id1, NULL, &err), PX_ELINK);
    assert_string_equal(err.message, "fakesrc0:src is already linked to identity0");
    assert_int_equal(px_link(id1, id0, &err), PX_ELINK);
    assert_string_equal(err.message, "identity0:sink is already linked to fakesrc0");

    px_pipeline *other = px_pipeline_new();
    px_element *foreign = add(other, "fakesink", NULL);
    assert_int_equal(px_link(id0, foreign, &err), PX_ELINK);
    assert_string_equal(err.message, "identity0 and fakesink0 are in different pipelines");
    px_pipeline_free(other);

    link_ok(id0, id1);
    link_ok(id1, sink);
    assert_int_equal(px_pipeline_prepare(p, &err), PX_OK);
    px_element *late = px_pipeline_get(p, "identity1");
    assert_int_equal(px_link(late, sink, &err), PX_ESTATE);
    assert_string_equal(err.message, "cannot link while the pipeline is prepared or running");
    px_pipeline_stop(p);
    run_ok(p); /* the failed calls changed nothing */
    assert_int_equal(stats_of(p, "identity0").buffers_in, 10);
    assert_int_equal(stats_of(p, "identity1").buffers_in, 10);
    assert_int_equal(stats_of(p, "fakesink0").buffers_in, 10);
    px_pipeline_free(p);
}

/* ---- Prepare and add errors -------------------------------------------- */

static void expect_prepare_error(px_pipeline *p, int code, const char *message, const char *hint)
{
    px_error err = {0};
    assert_int_equal(px_pipeline_prepare(p, &err), code);
    assert_int_equal(err.code, code);
    assert_string_equal(err.message, message);
    assert_string_equal(err.hint, hint);
    /* Start and run report the same and leave the pipeline idle. */
    px_error_clear(&err);
    assert_int_equal(px_pipeline_run(p, &err), code);
    assert_string_equal(err.message, message);
    assert_int_equal(px_pipeline_get_state(p), PX_STATE_IDLE);
}

static void prepare_rejects_an_unlinked_src_pad_with_a_hint(void **state)
{
    (void)state;
    px_pipeline *p = px_pipeline_new();
    add(p, "fakesrc", NULL);
    expect_prepare_error(p, PX_ELINK,
                         "fakesrc0:src is not linked\n  hint: link it to a sink, e.g. 'fakesrc0 ! fakesink'",
                         "link it to a sink, e.g. 'fakesrc0 ! fakesink'");
    px_pipeline_free(p);

    p = px_pipeline_new();
    link_ok(add(p, "fakesrc", NULL), add(p, "identity", "mid"));
    expect_prepare_error(p, PX_ELINK, "mid:src is not linked\n  hint: link it to a sink, e.g. 'mid ! fakesink'",
                         "link it to a sink, e.g. 'mid ! fakesink'");
    px_pipeline_free(p);
}

static void prepare_rejects_an_unlinked_sink_pad(void **state)
{
    (void)state;
    px_pipeline *p = px_pipeline_new();
    add(p, "fakesink", NULL);
    expect_prepare_error(p, PX_ELINK, "fakesink0:sink is not linked; link an upstream element to it", "");
    px_pipeline_free(p);

    p = px_pipeline_new();
    px_element *src = add(p, "fakesrc", NULL);
    add(p, "identity", NULL);
    link_ok(src, add(p, "fakesink", NULL));
    expect_prepare_error(p, PX_ELINK, "identity0:sink is not linked; link an upstream element to it", "");
    px_pipeline_free(p);
}

static void prepare_rejects_a_pipeline_without_source_and_an_empty_one(void **state)
{
    (void)state;
    px_pipeline *p = px_pipeline_new();
    expect_prepare_error(p, PX_EINVAL, "the pipeline is empty", "");
    px_pipeline_free(p);

    /* identity0 ! identity1 ! identity0: every pad linked, nothing produces. */
    p = px_pipeline_new();
    px_element *a = add(p, "identity", NULL), *b = add(p, "identity", NULL);
    link_ok(a, b);
    link_ok(b, a);
    expect_prepare_error(p, PX_EINVAL, "the pipeline has no source element; start it with one, e.g. fakesrc", "");
    px_pipeline_free(p);
}

static void prepare_rejects_a_loop(void **state)
{
    (void)state;
    /* fakesrc ! fakesink beside identity0 ! identity1 ! identity0. */
    px_pipeline *p = px_pipeline_new();
    link_ok(add(p, "fakesrc", NULL), add(p, "fakesink", NULL));
    px_element *a = add(p, "identity", NULL), *b = add(p, "identity", NULL);
    link_ok(a, b);
    link_ok(b, a);
    expect_prepare_error(p, PX_ELINK, "the pipeline has a loop through identity0; data must flow one way", "");
    px_pipeline_free(p);

    /* Fed by the source: fakesrc ! funnel.sink_0, funnel ! identity0 ! tee,
     * tee.src_0 ! fakesink, tee.src_1 ! funnel.sink_1. */
    px_error err = {0};
    p = px_pipeline_new();
    px_element *src = add(p, "fakesrc", NULL);
    px_element *funnel = add(p, "apptest-funnel", NULL);
    px_element *id = add(p, "identity", NULL);
    px_element *tee = add(p, "tee", NULL);
    px_element *sink = add(p, "fakesink", NULL);
    assert_string_equal(px_element_name(funnel), "apptest-funnel0");
    assert_int_equal(px_link_pads(src, NULL, funnel, "sink_0", &err), PX_OK);
    link_ok(funnel, id);
    link_ok(id, tee);
    link_ok(tee, sink);
    assert_int_equal(px_link_pads(tee, "src_1", funnel, "sink_1", &err), PX_OK);
    expect_prepare_error(p, PX_ELINK, "the pipeline has a loop through apptest-funnel0; data must flow one way",
                         "");
    px_pipeline_free(p);
}

static void add_after_prepare_is_refused_until_stop(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = build_chain(10, -1);
    assert_int_equal(px_pipeline_prepare(p, &err), PX_OK);
    assert_int_equal(px_pipeline_prepare(p, &err), PX_OK); /* idempotent */
    assert_null(px_pipeline_add(p, "fakesink", NULL, &err));
    assert_int_equal(err.code, PX_ESTATE);
    assert_string_equal(err.message, "cannot add 'fakesink' to a prepared or running pipeline; stop it first");
    assert_int_equal(px_pipeline_element_count(p), 3);
    px_pipeline_stop(p);
    px_element *el = px_pipeline_add(p, "fakesink", NULL, &err);
    assert_non_null(el);
    assert_string_equal(px_element_name(el), "fakesink1");
    px_pipeline_free(p);
}

static void element_names_are_checked_with_exact_messages(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = px_pipeline_new();
    assert_non_null(px_pipeline_add(p, "fakesrc", "cam", &err));

    assert_null(px_pipeline_add(p, "fakesink", "cam", &err));
    assert_int_equal(err.code, PX_EINVAL);
    assert_string_equal(err.message, "an element named 'cam' already exists; names must be unique");

    assert_null(px_pipeline_add(p, "fakesink", "a.b", &err));
    assert_int_equal(err.code, PX_EINVAL);
    assert_string_equal(err.message,
                        "element name 'a.b' contains '.'; names may not contain . ! = quotes or spaces");

    assert_null(px_pipeline_add(p, "fakesink", "", &err));
    assert_int_equal(err.code, PX_EINVAL);
    assert_string_equal(err.message, "element name '' must be 1 to 63 characters");

    assert_null(px_pipeline_add(p, "fakesink", "a b", &err));
    assert_string_equal(err.message,
                        "element name 'a b' contains ' '; names may not contain . ! = quotes or spaces");

    /* Automatic names count the factory's elements and skip names users took. */
    assert_non_null(px_pipeline_add(p, "fakesink", "fakesink1", &err));
    px_element *auto_named = px_pipeline_add(p, "fakesink", NULL, &err);
    assert_non_null(auto_named);
    assert_string_equal(px_element_name(auto_named), "fakesink2");
    auto_named = px_pipeline_add(p, "fakesink", NULL, &err);
    assert_non_null(auto_named);
    assert_string_equal(px_element_name(auto_named), "fakesink3");
    assert_null(px_pipeline_add(p, "fakesink", "fakesink3", &err));
    assert_string_equal(err.message, "an element named 'fakesink3' already exists; names must be unique");
    assert_int_equal(px_pipeline_element_count(p), 4);
    px_pipeline_free(p);
}

static void unknown_factory_suggests_the_nearest_name(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = px_pipeline_new();
    assert_null(px_pipeline_add(p, "fakesnk", NULL, &err));
    assert_int_equal(err.code, PX_ENOENT);
    assert_string_equal(err.hint, "did you mean 'fakesink'?");
    assert_string_equal(err.message, "no element 'fakesnk'\n  hint: did you mean 'fakesink'?");
    assert_int_equal(px_pipeline_element_count(p), 0);

    assert_null(px_pipeline_add(p, NULL, NULL, &err));
    assert_int_equal(err.code, PX_EINVAL);
    assert_string_equal(err.message, "px_pipeline_add: pipeline and factory name are required");
    px_pipeline_free(p);
}

/* ---- Application elements ----------------------------------------------- */

static void copying_app_filter_gets_a_fresh_slot_and_keeps_metadata(void **state)
{
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        px_pipeline *p = px_pipeline_new();
        px_element *src = add(p, "fakesrc", NULL);
        set(src, "num-buffers", "1000");
        set(src, "filltype", "pattern");
        set(src, "sizetype", "fixed");
        set(src, "sizemax", "256");
        px_element *inv = add(p, "apptest-invert", NULL);
        px_element *chk = add(p, "apptest-check", NULL);
        link_ok(src, inv);
        link_ok(inv, chk);
        assert_int_equal(px_pipeline_set_scheduler(p, coop_threads[i]), PX_OK);
        run_ok(p);

        const invert_state *is = px_element_state(inv);
        const check_state *cs = px_element_state(chk);
        assert_int_equal(is->frames, 1000);
        assert_int_equal(is->bad_slot, 0);
        assert_int_equal(is->bad_meta, 0);
        assert_int_equal(cs->received, 1000);
        assert_int_equal(cs->bad_size, 0);
        assert_int_equal(cs->bad_bytes, 0);
        assert_true(cs->got_eos);
        for (uint64_t k = 0; k < CHECK_KEEP; k++) { /* fakesrc: byte offsets, no timestamps */
            assert_int_equal(cs->offset[k], k * 256);
            assert_int_equal(cs->offset_end[k], (k + 1) * 256);
            assert_int_equal(cs->sequence[k], k);
            assert_true(cs->pts[k] == PX_TIME_NONE);
            assert_int_equal(cs->flags[k], 0);
        }
        px_element_stats s = stats_of(p, "apptest-invert0");
        assert_int_equal(s.buffers_in, 1000);
        assert_int_equal(s.buffers_out, 1000);
        assert_int_equal(s.bytes_in, 256000);
        assert_int_equal(s.bytes_out, 256000);
        s = stats_of(p, "apptest-check0");
        assert_int_equal(s.buffers_in, 1000);
        assert_int_equal(s.bytes_in, 256000);
        assert_true(s.eos);
        px_pipeline_free(p);
    }
}

static void copying_app_filter_carries_pts_dts_duration_and_flags(void **state)
{
    (void)state;
    px_pipeline *p = px_pipeline_new();
    px_element *src = add(p, "apptest-stamp", NULL);
    set(src, "num-buffers", "20");
    px_element *inv = add(p, "apptest-invert", NULL);
    px_element *chk = add(p, "apptest-check", NULL);
    link_ok(src, inv);
    link_ok(inv, chk);
    run_ok(p);
    const invert_state *is = px_element_state(inv);
    const check_state *cs = px_element_state(chk);
    assert_int_equal(is->bad_slot, 0);
    assert_int_equal(is->bad_meta, 0);
    assert_int_equal(cs->received, 20);
    assert_int_equal(cs->bad_bytes, 0);
    for (int k = 0; k < 20; k++) {
        assert_true(cs->pts[k] == (px_time)k * 40 * PX_MSECOND);
        assert_true(cs->dts[k] == (px_time)k * 40 * PX_MSECOND - 1);
        assert_true(cs->duration[k] == 40 * PX_MSECOND);
        assert_int_equal(cs->offset[k], k);
        assert_int_equal(cs->offset_end[k], k + 1);
        assert_int_equal(cs->sequence[k], k);
        assert_int_equal(cs->flags[k], k == 0 ? PX_BUFFER_FLAG_DISCONT : PX_BUFFER_FLAG_DELTA_UNIT);
    }
    px_pipeline_free(p);
}

/* The sink keeps every buffer, so the source's 4-slot arena runs dry: the
 * run must end with an error naming the source, not hang. The kept
 * references go back before stop, which destroys the arenas. */
static void hoarding_sink_exhausts_the_arena_and_fails_without_hanging(void **state)
{
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        px_error err = {0};
        px_pipeline *p = px_pipeline_new();
        px_element *src = add(p, "fakesrc", NULL);
        set(src, "num-buffers", "100");
        px_element *sink = add(p, "apptest-hoard", NULL);
        link_ok(src, sink);
        assert_int_equal(px_pipeline_set_scheduler(p, coop_threads[i]), PX_OK);
        assert_int_equal(px_pipeline_start(p, &err), PX_OK);
        px_time t0 = now_ns();
        assert_int_equal(px_pipeline_wait(p, 10000, &err), PX_ENOMEM);
        assert_true(now_ns() - t0 < 5 * PX_SECOND);
        assert_string_equal(err.message, "fakesrc0: no free buffer in its 4-slot arena: something downstream "
                                         "keeps every buffer");

        hoard_state *hs = px_element_state(sink);
        assert_int_equal(hs->n, 4);
        px_arena_stats as;
        px_arena_get_stats(hs->kept[0].arena, &as);
        assert_int_equal(as.slot_count, 4);
        assert_int_equal(as.in_use, 4);
        assert_true(as.exhausted >= 1);
        assert_int_equal(stats_of(p, "fakesrc0").buffers_out, 4);
        assert_int_equal(stats_of(p, "fakesrc0").errors, 1);
        assert_int_equal(stats_of(p, "apptest-hoard0").buffers_in, 4);

        hoard_release(hs);
        px_pipeline_stop(p);
        px_pipeline_free(p);
    }
}

/* A sink that lets its buffers go in stop() (the natural place, as a video
 * sink keeping its last frame would) must find the upstream arenas alive. */
static void hoarding_sink_may_release_its_buffers_in_stop(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = px_pipeline_new();
    px_element *src = add(p, "fakesrc", NULL);
    set(src, "num-buffers", "3");
    px_element *sink = add(p, "apptest-hoard", NULL);
    set(sink, "release-on-stop", "true");
    link_ok(src, sink);
    assert_int_equal(px_pipeline_run(p, &err), PX_OK);
    assert_int_equal(((hoard_state *)px_element_state(sink))->n, 0);
    px_pipeline_free(p);
}

static void register_element_rejects_duplicates_and_classes_without_callbacks(void **state)
{
    (void)state;
    static const px_element_class no_callbacks = {
        .name = "apptest-nothing",
        .sink = PX_PAD_ALWAYS("ANY"),
    };
    static const px_element_class dup_builtin = {
        .name = "fakesink",
        .sink = PX_PAD_ALWAYS("ANY"),
        .consume = hoard_consume,
    };
    static const px_element_class unnamed = {
        .name = "",
        .sink = PX_PAD_ALWAYS("ANY"),
        .consume = hoard_consume,
    };
    assert_int_equal(px_register_element(&px_elem_invert), PX_EINVAL); /* already registered */
    assert_int_equal(px_register_element(&dup_builtin), PX_EINVAL);
    assert_int_equal(px_register_element(&no_callbacks), PX_EINVAL);
    assert_int_equal(px_register_element(&unnamed), PX_EINVAL);
    assert_int_equal(px_register_element(NULL), PX_EINVAL);
    assert_null(px_find_element("apptest-nothing"));
    assert_ptr_equal(px_find_element("apptest-invert"), &px_elem_invert);
    assert_ptr_equal(px_find_element("fakesink")->consume, fakesink_consume);
}

/* ---- Stats JSON --------------------------------------------------------- */

static void stats_json_reports_every_element(void **state)
{
    (void)state;
    px_error err = {0};
    static char buf[16384];
    px_pipeline *p = build_chain(1000, -1);
    assert_int_equal(px_pipeline_start(p, &err), PX_OK);
    assert_int_equal(px_pipeline_wait(p, 10000, &err), PX_OK);
    assert_int_equal(px_pipeline_stats_json(p, buf, sizeof buf), PX_OK);
    px_pipeline_stop(p);
    assert_non_null(strstr(buf, "{\"state\": \"RUNNING\", "));
    assert_non_null(strstr(buf, "{\"name\": \"fakesink0\", \"factory\": \"fakesink\", \"buffers_in\": 1000, "
                                "\"buffers_out\": 0, \"bytes_in\": 0, "));
    assert_non_null(strstr(buf, "{\"name\": \"fakesrc0\", \"factory\": \"fakesrc\", \"buffers_in\": 0, "
                                "\"buffers_out\": 1000, "));
    assert_non_null(strstr(buf, "{\"name\": \"identity0\", \"factory\": \"identity\", \"buffers_in\": 1000, "
                                "\"buffers_out\": 1000, "));
    /* The sink is the last element and has no arena: its object ends with eos. */
    const char *sink = strstr(buf, "{\"name\": \"fakesink0\"");
    assert_non_null(sink);
    assert_non_null(strstr(sink, "\"drops\": 0, \"errors\": 0, "));
    assert_non_null(strstr(sink, "\"eos\": true}\n]}\n"));
    assert_non_null(strstr(buf, "\"arena\": {\"slot_size\": "));
    size_t len = strlen(buf);
    assert_true(len > 4);
    assert_string_equal(buf + len - 4, "\n]}\n");
    px_pipeline_free(p);
}

static void stats_json_into_a_small_buffer_is_enomem_without_overflow(void **state)
{
    (void)state;
    char buf[11];
    px_pipeline *p = build_chain(10, -1);
    run_ok(p);
    memset(buf, 0x5a, sizeof buf);
    assert_int_equal(px_pipeline_stats_json(p, buf, 10), PX_ENOMEM);
    assert_int_equal((unsigned char)buf[10], 0x5a);
    assert_string_equal(buf, "{\"state\":");
    assert_int_equal(px_pipeline_stats_json(p, buf, 0), PX_ENOMEM);
    assert_int_equal((unsigned char)buf[10], 0x5a);
    px_pipeline_free(p);
}

/* ---- EOS on request ----------------------------------------------------- */

static void send_eos_ends_an_unlimited_threaded_stream(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = px_pipeline_new();
    px_element *src = add(p, "fakesrc", NULL);
    set(src, "num-buffers", "-1");
    px_element *id = add(p, "identity", NULL);
    set(id, "sleep-time", "1000");
    px_element *sink = add(p, "fakesink", NULL);
    link_ok(src, id);
    link_ok(id, sink);
    assert_int_equal(px_pipeline_set_scheduler(p, PX_SCHED_THREADS_RUN), PX_OK);
    assert_int_equal(px_pipeline_start(p, &err), PX_OK);
    sleep_us(50000);
    px_time t0 = now_ns();
    px_pipeline_send_eos(p);
    assert_int_equal(px_pipeline_wait(p, 5000, &err), PX_OK);
    assert_true(now_ns() - t0 < 3 * PX_SECOND);
    px_element_stats s = stats_of(p, "fakesink0");
    assert_true(s.eos);
    assert_true(s.buffers_in > 0);
    assert_int_equal(s.buffers_in, stats_of(p, "fakesrc0").buffers_out);
    px_pipeline_stop(p);
    assert_true(stats_of(p, "fakesrc0").eos);
    px_pipeline_free(p);
}

/* The source marks itself done before sending EOS downstream, where the sink
 * posts the pipeline's EOS: a reader woken by that message sees "eos": true.
 * Repeated to catch the window; threads only. */
static void source_stats_show_eos_once_wait_returns(void **state)
{
    (void)state;
    for (int i = 0; i < 200; i++) {
        px_error err = {0};
        px_pipeline *p = build_chain(10, -1);
        assert_int_equal(px_pipeline_set_scheduler(p, PX_SCHED_THREADS_RUN), PX_OK);
        assert_int_equal(px_pipeline_start(p, &err), PX_OK);
        assert_int_equal(px_pipeline_wait(p, 5000, &err), PX_OK);
        bool src_eos = stats_of(p, "fakesrc0").eos;
        px_pipeline_stop(p);
        px_pipeline_free(p);
        if (!src_eos)
            fail_msg("run %d: wait returned at EOS but fakesrc0's eos flag was still false", i);
    }
}

/* The EOS taken off the bus by px_pipeline_pop_message still ends a later
 * wait at once (with no timeout too), as after an earlier wait: the bus
 * keeps how the run ended, whoever takes the message. */
static void wait_after_the_eos_was_popped_returns_at_once(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = build_chain(10, -1);
    assert_int_equal(px_pipeline_set_scheduler(p, PX_SCHED_THREADS_RUN), PX_OK);
    assert_int_equal(px_pipeline_start(p, &err), PX_OK);
    px_message m = {0};
    for (int i = 0; i < 100 && m.type != PX_MSG_EOS; i++)
        assert_int_equal(px_pipeline_pop_message(p, &m, 5000), PX_OK);
    assert_int_equal(m.type, PX_MSG_EOS);
    assert_int_equal(px_pipeline_wait(p, -1, &err), PX_OK);
    assert_int_equal(px_pipeline_wait(p, 0, &err), PX_OK);
    assert_true(stats_of(p, "fakesrc0").eos);
    px_pipeline_stop(p);
    px_pipeline_free(p);
}

static void send_eos_before_the_first_coop_wait_ends_with_no_buffers(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = build_chain(-1, -1);
    assert_int_equal(px_pipeline_set_scheduler(p, PX_SCHED_COOP_RUN), PX_OK);
    assert_int_equal(px_pipeline_start(p, &err), PX_OK);
    px_pipeline_send_eos(p);
    assert_int_equal(px_pipeline_wait(p, 5000, &err), PX_OK);
    px_element_stats s = stats_of(p, "fakesink0");
    assert_true(s.eos);
    assert_int_equal(s.buffers_in, 0);
    assert_int_equal(stats_of(p, "fakesrc0").buffers_out, 0);
    px_pipeline_stop(p);
    px_pipeline_free(p);
}

/* ---- Properties --------------------------------------------------------- */

static void set_and_get_round_trip_and_bad_values_are_einval(void **state)
{
    (void)state;
    px_error err = {0};
    char buf[64];
    px_pipeline *p = px_pipeline_new();
    px_element *src = add(p, "fakesrc", NULL);
    px_element *id = add(p, "identity", NULL);

    assert_int_equal(px_get(src, "num-buffers", buf, sizeof buf, &err), PX_OK);
    assert_string_equal(buf, "-1");
    set(src, "num-buffers", "42");
    assert_int_equal(px_get(src, "num_buffers", buf, sizeof buf, &err), PX_OK);
    assert_string_equal(buf, "42");

    set(src, "sizetype", "2");
    assert_int_equal(px_get(src, "sizetype", buf, sizeof buf, &err), PX_OK);
    assert_string_equal(buf, "fixed");
    set(src, "filltype", "pattern-span");
    assert_int_equal(px_get(src, "filltype", buf, sizeof buf, &err), PX_OK);
    assert_string_equal(buf, "pattern-span");

    set(id, "drop-probability", "0.25");
    assert_int_equal(px_get(id, "drop-probability", buf, sizeof buf, &err), PX_OK);
    assert_string_equal(buf, "0.25");
    set(id, "silent", "false");
    assert_int_equal(px_get(id, "silent", buf, sizeof buf, &err), PX_OK);
    assert_string_equal(buf, "false");
    set(id, "sleep-time", "1500");
    assert_int_equal(px_get(id, "sleep-time", buf, sizeof buf, &err), PX_OK);
    assert_string_equal(buf, "1500");

    assert_int_equal(px_set(src, "num-buffers", "ten", &err), PX_EINVAL);
    assert_string_equal(err.message, "fakesrc0: property 'num-buffers' expects an integer in [-1, 2147483647], "
                                     "got 'ten'");
    assert_int_equal(px_set(src, "num-buffers", "-2", &err), PX_EINVAL);
    assert_int_equal(px_set(id, "drop-probability", "1.5", &err), PX_EINVAL);
    assert_string_equal(err.message, "identity0: property 'drop-probability' expects a number in [0, 1], got '1.5'");
    assert_int_equal(px_set(id, "silent", "maybe", &err), PX_EINVAL);
    assert_string_equal(err.message, "identity0: property 'silent' expects a boolean (true/false), got 'maybe'");
    assert_int_equal(px_set(src, "num-buffers", NULL, &err), PX_EINVAL);
    assert_string_equal(err.message, "fakesrc0: property 'num-buffers' needs a value");
    assert_int_equal(px_set(src, "no-such-prop", "1", &err), PX_ENOENT);

    /* Failed sets leave the values alone. */
    assert_int_equal(px_get(src, "num-buffers", buf, sizeof buf, &err), PX_OK);
    assert_string_equal(buf, "42");
    assert_int_equal(px_get(id, "drop-probability", buf, sizeof buf, &err), PX_OK);
    assert_string_equal(buf, "0.25");

    /* A buffer too small for the text is an error, not a truncation. */
    assert_int_equal(px_get(src, "num-buffers", buf, 2, &err), PX_EINVAL);
    assert_string_equal(buf, "");
    assert_string_equal(err.message, "fakesrc0: property 'num-buffers' needs 3 bytes to read, the buffer has 2");
    px_pipeline_free(p);
}

/* ---- Restarts and resources --------------------------------------------- */

static void running_the_same_pipeline_twice_resets_counts(void **state)
{
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        px_pipeline *p = build_chain(1000, 16);
        assert_int_equal(px_pipeline_set_scheduler(p, coop_threads[i]), PX_OK);
        run_ok(p);
        assert_chain_counts(p, 1000, 16000);
        run_ok(p);
        assert_chain_counts(p, 1000, 16000);
        /* And once more after a failed run. */
        px_error err = {0};
        set(px_pipeline_get(p, "identity0"), "error-after", "3");
        assert_int_equal(px_pipeline_run(p, &err), PX_EFLOW);
        assert_int_equal(stats_of(p, "fakesink0").buffers_in, 2);
        set(px_pipeline_get(p, "identity0"), "error-after", "-1");
        run_ok(p);
        assert_chain_counts(p, 1000, 16000);
        px_pipeline_free(p);
    }
}

static void fifty_prepare_stop_cycles_leak_no_fds(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = build_chain(10, -1);
    int before = count_fds();
    for (int i = 0; i < 50; i++) {
        assert_int_equal(px_pipeline_prepare(p, &err), PX_OK);
        px_pipeline_stop(p);
    }
    assert_int_equal(count_fds(), before);
    for (int i = 0; i < 5; i++)
        run_ok(p);
    assert_int_equal(count_fds(), before);
    px_pipeline_free(p);
    assert_int_equal(count_fds(), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builder_makes_the_same_graph_as_the_parser),
        cmocka_unit_test(coop_and_threads_schedulers_give_identical_counts),
        cmocka_unit_test(fixed_100_byte_buffers_count_100000_bytes_with_both_schedulers),
        cmocka_unit_test(set_scheduler_while_running_is_refused),
        cmocka_unit_test(tee_request_pads_are_made_by_px_link_and_by_name),
        cmocka_unit_test(bus_carries_state_change_then_eos),
        cmocka_unit_test(wait_returns_ok_at_eos),
        cmocka_unit_test(wait_after_stop_is_a_state_error_not_a_hang),
        cmocka_unit_test(wait_after_run_and_a_drained_bus_is_a_state_error),
        cmocka_unit_test(wait_on_a_never_started_pipeline_is_a_state_error),
        cmocka_unit_test(identity_error_after_5_fails_the_run_with_its_message),
        cmocka_unit_test(error_message_reaches_the_bus_with_its_source),
        cmocka_unit_test(link_errors_have_exact_messages),
        cmocka_unit_test(prepare_rejects_an_unlinked_src_pad_with_a_hint),
        cmocka_unit_test(prepare_rejects_an_unlinked_sink_pad),
        cmocka_unit_test(prepare_rejects_a_pipeline_without_source_and_an_empty_one),
        cmocka_unit_test(prepare_rejects_a_loop),
        cmocka_unit_test(add_after_prepare_is_refused_until_stop),
        cmocka_unit_test(element_names_are_checked_with_exact_messages),
        cmocka_unit_test(unknown_factory_suggests_the_nearest_name),
        cmocka_unit_test(copying_app_filter_gets_a_fresh_slot_and_keeps_metadata),
        cmocka_unit_test(copying_app_filter_carries_pts_dts_duration_and_flags),
        cmocka_unit_test(hoarding_sink_exhausts_the_arena_and_fails_without_hanging),
        cmocka_unit_test(hoarding_sink_may_release_its_buffers_in_stop),
        cmocka_unit_test(register_element_rejects_duplicates_and_classes_without_callbacks),
        cmocka_unit_test(stats_json_reports_every_element),
        cmocka_unit_test(stats_json_into_a_small_buffer_is_enomem_without_overflow),
        cmocka_unit_test(send_eos_ends_an_unlimited_threaded_stream),
        cmocka_unit_test(source_stats_show_eos_once_wait_returns),
        cmocka_unit_test(wait_after_the_eos_was_popped_returns_at_once),
        cmocka_unit_test(send_eos_before_the_first_coop_wait_ends_with_no_buffers),
        cmocka_unit_test(set_and_get_round_trip_and_bad_values_are_einval),
        cmocka_unit_test(running_the_same_pipeline_twice_resets_counts),
        cmocka_unit_test(fifty_prepare_stop_cycles_leak_no_fds),
    };
    return cmocka_run_group_tests(tests, register_app_elements, NULL);
}
