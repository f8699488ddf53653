/* Isolation tests: the IPC building blocks (rings, control message checks,
 * fd passing with truncation, seals), then whole pipelines whose elements
 * run in sandboxed processes: byte-identical output in every mode, crash
 * recovery over 100 crashes with flat fds and RSS, the restart limit's
 * error, API argument checks. The attacks are in tests/security. */

#define PARALLAX_IMPLEMENTATION
#define CONFIG_PX_ELEM_CRASH 1
#include "parallax.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

/* ---- Helpers ------------------------------------------------------------ */

static int count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static long rss_kib(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%ld %ld", &pages, &rss), 2);
    fclose(f);
    return rss * (getpagesize() / 1024);
}

static px_pipeline *parse(const char *desc)
{
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse(desc, &err);
    if (!p)
        fail_msg("parse failed: %s", err.message);
    return p;
}

static void set_mode(px_pipeline *p, px_isolation mode, const char *patterns)
{
    px_error err = {0};
    if (px_pipeline_set_isolation(p, mode, patterns, &err) != PX_OK)
        fail_msg("set_isolation: %s", err.message);
}

static void set_restarts(px_pipeline *p, int max)
{
    px_isolate_policy pol;
    px_isolate_policy_defaults(&pol);
    pol.max_restarts = max;
    px_error err = {0};
    assert_int_equal(px_pipeline_set_isolation_policy(p, &pol, &err), PX_OK);
}

static size_t read_file(const char *path, uint8_t **out)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *out = malloc((size_t)n + 1);
    assert_non_null(*out);
    assert_int_equal(fread(*out, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return (size_t)n;
}

/* ---- Rings ------------------------------------------------------------------ */

static void ring_keeps_order_and_refuses_an_entry_past_capacity(void **state)
{
    (void)state;
    px__channel *c = calloc(1, sizeof *c);
    assert_non_null(c);
    px__channel_init(c, 1);
    struct px__ring_end prod = {0, 0}, cons = {0, 0};
    px__slotref m = {0}, got;
    for (uint32_t i = 0; i < PX__ISO_RING; i++) {
        m.in_slot = i;
        assert_true(px__ring_push(&c->req[0], &prod, &m));
    }
    assert_false(px__ring_push(&c->req[0], &prod, &m));
    for (uint32_t i = 0; i < PX__ISO_RING; i++) {
        assert_int_equal(px__ring_pop(&c->req[0], &cons, &got), 1);
        assert_int_equal(got.in_slot, i);
    }
    assert_int_equal(px__ring_pop(&c->req[0], &cons, &got), 0);
    assert_true(px__ring_empty(&c->req[0], &cons));
    /* The producer sees the room only when it looks again: then it has it. */
    assert_true(px__ring_push(&c->req[0], &prod, &m));
    assert_int_equal(atomic_load(&c->req[0].head), PX__ISO_RING + 1);
    assert_int_equal(atomic_load(&c->req[0].tail), PX__ISO_RING);
    free(c);
}

static void ring_pop_refuses_a_producer_index_past_capacity(void **state)
{
    (void)state;
    px__channel *c = calloc(1, sizeof *c);
    assert_non_null(c);
    px__channel_init(c, 1);
    struct px__ring_end cons = {0, 0};
    px__slotref got;
    atomic_store(&c->rep[0].head, 1000); /* what a hostile child could write */
    assert_int_equal(px__ring_pop(&c->rep[0], &cons, &got), -1);
    free(c);
}

/* The ends each side keeps privately: the shared copy of one's own index
 * is never read back, the other side's is read only when the private copy
 * runs out, and a copy out of range (forged, or from before a restart
 * reset the rings) is never trusted. */
static void ring_ends_ignore_forged_shared_indexes(void **state)
{
    (void)state;
    px__channel *c = calloc(1, sizeof *c);
    assert_non_null(c);
    px__channel_init(c, 1);
    px__ring *r = &c->rep[0];
    struct px__ring_end prod = {0, 0}, cons = {0, 0};
    px__slotref m = {0}, got;
    for (uint32_t i = 0; i < 3; i++) {
        m.in_slot = 10 + i;
        assert_true(px__ring_push(r, &prod, &m));
    }
    assert_int_equal(px__ring_pop(r, &cons, &got), 1); /* reads head: 3 entries */
    assert_int_equal(got.in_slot, 10);
    /* A hostile producer now forges head and the consumer's own tail: the
     * two entries the consumer saw are still read from where they are,
     * then the forged head is caught. */
    atomic_store(&r->head, 5000);
    atomic_store(&r->tail, 4990);
    assert_false(px__ring_empty(r, &cons));
    assert_int_equal(px__ring_pop(r, &cons, &got), 1);
    assert_int_equal(got.in_slot, 11);
    assert_int_equal(px__ring_pop(r, &cons, &got), 1);
    assert_int_equal(got.in_slot, 12);
    assert_int_equal(cons.mine, 3);
    assert_int_equal(px__ring_pop(r, &cons, &got), -1);
    assert_int_equal(cons.mine, 3); /* nothing read past what the ring holds */

    /* A consumer's tail forged ahead of the producer: the producer refuses
     * to push (the child broke the ring) rather than trust it. */
    px__ring *q = &c->req[0];
    struct px__ring_end p2 = {0, 0};
    assert_true(px__ring_push(q, &p2, &m));
    for (uint32_t i = 1; i < PX__ISO_RING; i++)
        assert_true(px__ring_push(q, &p2, &m));
    atomic_store(&q->tail, PX__ISO_RING + 7);
    assert_false(px__ring_push(q, &p2, &m));
    atomic_store(&q->tail, 1); /* one entry really taken: room for one */
    assert_true(px__ring_push(q, &p2, &m));
    assert_false(px__ring_push(q, &p2, &m));

    /* Copies from before a restart reset the rings to 0: out of range,
     * they are reloaded; in range, the proxy drops them with the process
     * generation (px__seen_sync) before it trusts them. */
    px__channel_init(c, 1);
    struct px__ring_end stale = {0, 1000};
    assert_true(px__ring_empty(r, &stale));
    assert_int_equal(stale.seen, 0);
    assert_int_equal(px__ring_pop(r, &stale, &got), 0);
    struct px__ring_end stale_prod = {0, 40};
    assert_true(px__ring_push(q, &stale_prod, &m));
    assert_int_equal(stale_prod.seen, 0);
    px__iso_proc pr;
    memset(&pr, 0, sizeof pr);
    pr.chan = c;
    atomic_store(&pr.generation, 1);
    px__proxy x;
    memset(&x, 0, sizeof x);
    x.proc = &pr;
    x.rep_end.seen = 17; /* generation 0's: would vouch for 17 entries */
    x.rep_end.mine = 0;
    x.req_end.mine = 9;
    assert_true(px__rep_empty(&x));
    assert_int_equal(x.ring_gen, 1);
    assert_int_equal(x.req_end.mine, 0);
    assert_int_equal(px__rep_pop(&x, &got), 0);
    free(c);
}

/* ---- Control messages ------------------------------------------------------------- */

static void ctl_valid_checks_every_field(void **state)
{
    (void)state;
    px__ctl_msg m;
    char why[200];
    px__ctl_fill(&m, PX__MSG_ERROR, 1, PX_EIO, "boom");
    assert_true(px__ctl_valid(&m, sizeof m, 2, why, sizeof why));

    assert_false(px__ctl_valid(&m, 7, 2, why, sizeof why));
    assert_string_equal(why, "control message of 7 bytes (expected 512)");
    assert_false(px__ctl_valid(&m, sizeof m + 1, 2, why, sizeof why));

    px__ctl_msg bad = m;
    bad.magic = 0x12345678;
    assert_false(px__ctl_valid(&bad, sizeof bad, 2, why, sizeof why));
    assert_non_null(strstr(why, "magic 0x12345678"));
    bad = m;
    bad.version = 9;
    assert_false(px__ctl_valid(&bad, sizeof bad, 2, why, sizeof why));
    bad = m;
    bad.type = 0;
    assert_false(px__ctl_valid(&bad, sizeof bad, 2, why, sizeof why));
    bad.type = 99;
    assert_false(px__ctl_valid(&bad, sizeof bad, 2, why, sizeof why));
    assert_string_equal(why, "control message of unknown type 99 (accepted 1 to 7)");
    bad = m;
    bad.element = 2;
    assert_false(px__ctl_valid(&bad, sizeof bad, 2, why, sizeof why));
    assert_string_equal(why, "control message for element 2 of a 2-element process");
    bad = m;
    bad.len = 3; /* text[3] is 'm', not NUL */
    assert_false(px__ctl_valid(&bad, sizeof bad, 2, why, sizeof why));
    bad.len = 100000;
    assert_false(px__ctl_valid(&bad, sizeof bad, 2, why, sizeof why));
    bad = m;
    bad.text[1] = '\0'; /* an embedded NUL: the length lies */
    assert_false(px__ctl_valid(&bad, sizeof bad, 2, why, sizeof why));
}

/* ---- fd passing ----------------------------------------------------------------------- */

static void recv_fds_fails_on_truncated_rights_and_leaks_none(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    int base = count_fds();

    /* 80 fds: more than the receiver's 64-fd control buffer -> MSG_CTRUNC. */
    enum { N = 80 };
    int fds[N];
    for (int i = 0; i < N; i++)
        fds[i] = dup(0);
    union {
        char buf[CMSG_SPACE(sizeof(int) * N)];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    px__zmsg z;
    px__zfill(&z, PX__Z_SPAWN);
    struct iovec iov = {&z, sizeof z};
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = u.buf;
    mh.msg_controllen = sizeof u.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * N);
    memcpy(CMSG_DATA(c), fds, sizeof fds);
    assert_int_equal(sendmsg(sv[0], &mh, 0), (ssize_t)sizeof z);
    for (int i = 0; i < N; i++)
        close(fds[i]);

    int got[8];
    px__zmsg r;
    assert_int_equal(px__recv_fds(sv[1], &r, sizeof r, got, 8, 1000), PX_EIO);
    assert_int_equal(count_fds(), base); /* every fd that arrived was closed */

    /* A normal message with two fds arrives whole. */
    int two[2] = {0, 1};
    assert_int_equal(px__send_fds(sv[0], &z, sizeof z, two, 2), PX_OK);
    assert_int_equal(px__recv_fds(sv[1], &r, sizeof r, got, 8, 1000), 2);
    close(got[0]);
    close(got[1]);
    /* A message of the wrong size fails and leaks nothing. */
    assert_int_equal(px__send_fds(sv[0], &z, 10, two, 2), PX_OK);
    assert_int_equal(px__recv_fds(sv[1], &r, sizeof r, got, 8, 1000), PX_EIO);
    assert_int_equal(count_fds(), base);
    close(sv[0]);
    close(sv[1]);
}

static void seals_are_checked_and_stop_new_writable_mappings(void **state)
{
    (void)state;
    int fd = memfd_create("seal-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 4096), 0);
    void *writer = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    assert_true(writer != MAP_FAILED);
    char why[160];
    assert_false(px__seals_ok(fd, true, why, sizeof why));
    if (!strstr(why, "needs 0x17 (GROW|SHRINK|SEAL|FUTURE_WRITE)"))
        fail_msg("%s", why);
    assert_int_equal(px__seal_for_readers(fd, true), PX_OK);
    assert_true(px__seals_ok(fd, true, why, sizeof why));
    ((volatile char *)writer)[0] = 42; /* the writer's mapping still works */
    errno = 0;
    assert_true(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED);
    assert_int_equal(errno, EPERM);
    void *reader = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    assert_true(reader != MAP_FAILED);
    assert_int_equal(((char *)reader)[0], 42);
    assert_int_not_equal(ftruncate(fd, 8192), 0); /* GROW */
    munmap(writer, 4096);
    munmap(reader, 4096);
    close(fd);
}

/* ---- Pipelines --------------------------------------------------------------------------- */

#define VIDEO "videotestsrc num-buffers=12 pattern=%s ! video/x-raw,format=I420,width=96,height=64 ! " \
              "videoconvert ! video/x-raw,format=RGB ! videoscale ! video/x-raw,width=48,height=40 ! " \
              "identity ! filesink location=%s"

static int pid_of(px_pipeline *p, const char *name)
{
    px_isolation_stats st;
    assert_int_equal(px_element_get_isolation_stats(px_pipeline_get(p, name), &st), PX_OK);
    return st.pid;
}

static size_t run_video(const char *pattern, int mode, const char *path, uint8_t **bytes)
{
    char desc[512];
    snprintf(desc, sizeof desc, VIDEO, pattern, path);
    px_pipeline *p = parse(desc);
    if (mode == 1)
        set_mode(p, PX_ISOLATE_ALL, NULL);
    else if (mode == 2)
        set_mode(p, PX_ISOLATE_PATTERNS, "video*,identity*");
    else if (mode == 3) { /* explicit groups through the C API */
        px_error err = {0};
        assert_int_equal(px_element_set_isolation_group(px_pipeline_get(p, "videoconvert0"), "convert", &err), PX_OK);
        assert_int_equal(px_element_set_isolation_group(px_pipeline_get(p, "videoscale0"), "convert", &err), PX_OK);
        assert_int_equal(px_element_set_isolation_group(px_pipeline_get(p, "filesink0"), "out", &err), PX_OK);
    }
    px_error err = {0};
    if (px_pipeline_prepare(p, &err) != PX_OK)
        fail_msg("mode %d: %s", mode, err.message);
    /* Who shares a process: the pids while prepared. */
    int conv = pid_of(p, "videoconvert0"), scale = pid_of(p, "videoscale0"), src = pid_of(p, "videotestsrc0"),
        id = pid_of(p, "identity0"), sink = pid_of(p, "filesink0");
    if (mode == 1) {
        assert_true(conv > 0 && scale > 0 && src > 0 && id > 0 && sink > 0);
        assert_true(conv != scale && scale != src && src != id && id != sink && conv != sink);
    } else if (mode == 2) { /* video*,identity*: one process, filesink in-process */
        assert_true(conv > 0);
        assert_true(conv == scale && scale == src && src == id);
        assert_int_equal(sink, 0);
    } else if (mode == 3) {
        assert_true(conv > 0 && sink > 0 && conv == scale && conv != sink);
        assert_int_equal(src, 0);
        assert_int_equal(id, 0);
    }
    if (px_pipeline_run(p, &err) != PX_OK)
        fail_msg("mode %d: %s", mode, err.message);
    if (mode) {
        px_isolation_stats st;
        px_element_get_isolation_stats(px_pipeline_get(p, "videoscale0"), &st);
        assert_true(st.isolated);
        px_element_get_isolation_stats(px_pipeline_get(p, "videotestsrc0"), &st);
        assert_int_equal(st.isolated, mode == 1 || mode == 2);
    }
    px_pipeline_free(p);
    return read_file(path, bytes);
}

static void video_output_is_byte_identical_in_process_isolated_and_grouped(void **state)
{
    (void)state;
    const char *patterns[] = {"smpte", "ball"};
    char ref_path[64], out_path[64]; /* in /tmp: never the working directory (the checkout) */
    snprintf(ref_path, sizeof ref_path, "/tmp/px-iso-ref-%d.rgb", (int)getpid());
    snprintf(out_path, sizeof out_path, "/tmp/px-iso-out-%d.rgb", (int)getpid());
    for (int k = 0; k < 2; k++) {
        uint8_t *ref, *got;
        size_t n = run_video(patterns[k], 0, ref_path, &ref);
        assert_int_equal(n, 12 * 48 * 40 * 3);
        for (int mode = 1; mode <= 3; mode++) {
            size_t m = run_video(patterns[k], mode, out_path, &got);
            assert_int_equal(m, n);
            assert_memory_equal(got, ref, n);
            free(got);
        }
        free(ref);
    }
    remove(ref_path);
    remove(out_path);
}

/* chain() elements (y4mdec) get output slots lent by the supervisor. */
static void y4mdec_chain_output_is_byte_identical_in_every_mode(void **state)
{
    (void)state;
    char in_path[64], dec_path[64], desc[256]; /* in /tmp: never the working directory (the checkout) */
    snprintf(in_path, sizeof in_path, "/tmp/px-iso-in-%d.y4m", (int)getpid());
    snprintf(dec_path, sizeof dec_path, "/tmp/px-iso-dec-%d.rgb", (int)getpid());
    snprintf(desc, sizeof desc,
             "videotestsrc num-buffers=20 pattern=ball ! video/x-raw,format=I420,width=64,height=48 ! "
             "y4menc ! filesink location=%s",
             in_path);
    px_pipeline *w = parse(desc);
    px_error err = {0};
    assert_int_equal(px_pipeline_run(w, &err), PX_OK);
    px_pipeline_free(w);
    uint8_t *ref = NULL;
    size_t n = 0;
    for (int mode = 0; mode < 3; mode++) {
        snprintf(desc, sizeof desc,
                 "filesrc location=%s ! y4mdec ! videoconvert ! video/x-raw,format=RGB ! filesink location=%s",
                 in_path, dec_path);
        px_pipeline *p = parse(desc);
        if (mode == 1)
            set_mode(p, PX_ISOLATE_ALL, NULL);
        if (mode == 2)
            set_mode(p, PX_ISOLATE_PATTERNS, "*dec*,*convert*");
        assert_int_equal(px_pipeline_prepare(p, &err), PX_OK);
        px_element *dec = px_pipeline_get(p, "y4mdec0");
        assert_int_equal(px_pipeline_start(p, &err), PX_OK);
        assert_int_equal(px_pipeline_wait(p, 20000, &err), PX_OK);
        px_arena_stats as;
        px_arena_get_stats(dec->out_arena, &as);
        assert_int_equal(as.in_use, 0);
        px_isolation_stats st;
        px_element_get_isolation_stats(dec, &st);
        assert_int_equal(st.isolated, mode != 0);
        px_pipeline_stop(p);
        px_pipeline_free(p);
        uint8_t *got;
        size_t m = read_file(dec_path, &got);
        if (!ref) {
            ref = got;
            n = m;
            assert_int_equal(n, 20 * 64 * 48 * 3);
            continue;
        }
        assert_int_equal(m, n);
        assert_memory_equal(got, ref, n);
        free(got);
    }
    free(ref);
    remove(in_path);
    remove(dec_path);
}

/* A chain() element that sends two outputs per input and, on its 5th input
 * since its process started, crashes while holding a lent output slot. */
typedef struct {
    int64_t seen;
} twice;

static px_flow twice_chain(px_element *el, const px_buffer *in)
{
    twice *self = px_element_state(el);
    self->seen++;
    for (int k = 0; k < 2; k++) {
        px_buffer out;
        if (px_element_alloc_output(el, &out) != PX_OK)
            return PX_FLOW_ERROR;
        if (self->seen == 5 && k == 1) { /* holds `out`: the supervisor must take it back */
            static const char ro[64] = "read-only";
            ((volatile char *)(uintptr_t)ro)[0] = 1;
        }
        memcpy(out.data, in->data, in->size);
        out.size = in->size;
        px_flow f = px_element_push(el, 0, &out);
        if (f != PX_FLOW_OK)
            return f;
    }
    return PX_FLOW_OK;
}

static const px_element_class twice_class = {
    .name = "twice",
    .family = "Generic/Testing",
    .description = "two outputs per input; crashes on the 5th",
    .state_size = sizeof(twice),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .chain = twice_chain,
};

static void chain_element_crash_gives_lent_slots_back(void **state)
{
    (void)state;
    static bool registered;
    if (!registered)
        assert_int_equal(px_register_element(&twice_class), PX_OK);
    registered = true;
    px_pipeline *p = parse("fakesrc num-buffers=12 sizetype=fixed sizemax=100 ! twice ! fakesink");
    set_mode(p, PX_ISOLATE_ALL, NULL);
    px_error err = {0};
    assert_int_equal(px_pipeline_prepare(p, &err), PX_OK);
    assert_int_equal(px_pipeline_start(p, &err), PX_OK);
    assert_int_equal(px_pipeline_wait(p, 20000, &err), PX_OK);
    px_element *t = px_pipeline_get(p, "twice0");
    px_isolation_stats st;
    px_element_get_isolation_stats(t, &st);
    assert_int_equal(st.restarts, 2);     /* inputs 5 and 10 (5th since each start) */
    assert_int_equal(st.crash_drops, 2);
    px_element_stats a, b;
    px_element_get_stats(t, &a);
    px_element_get_stats(px_pipeline_get(p, "fakesink0"), &b);
    /* 12 inputs, 2 lost: each lost input had sent its first output already. */
    assert_int_equal(b.buffers_in, 10 * 2 + 2);
    px_arena_stats as;
    px_arena_get_stats(t->out_arena, &as);
    assert_int_equal(as.in_use, 0);
    for (uint32_t s = 0; s < px_arena_slot_count(t->out_arena); s++)
        assert_int_equal(px_arena_refcount(t->out_arena, s), 0);
    px_pipeline_stop(p);
    px_pipeline_free(p);
}

/* A chain() element whose process, on its 3rd input, lies about the slots
 * of its pool (pool.c) or forwards a slot that is not its input; or hogs
 * every slot it can get. The supervisor must name the lie, restart it (or
 * fail the run, naming the element), and end with every slot free. */
enum { FORGE_BOGUS_RETURN, FORGE_DOUBLE_RETURN, FORGE_OTHER_INPUT, FORGE_UNLENT_PUSH, FORGE_HOG };
static int forge_attack;

typedef struct {
    int64_t seen;
} forger;

static px_flow forger_chain(px_element *el, const px_buffer *in)
{
    forger *self = px_element_state(el);
    px_buffer out;
    self->seen++;
    if (px__child.active && self->seen == 3) {
        px__pool *pl = &px__child.chan->pool[0];
        px__slotref o;
        memset(&o, 0, sizeof o);
        o.op = PX__OP_OUTPUT;
        o.id = px__cur_id[0];
        switch (forge_attack) {
        case FORGE_BOGUS_RETURN:
            atomic_store(&pl->ret[0], (uint64_t)999 + 1);
            atomic_fetch_add(&pl->returned, 1);
            break;
        case FORGE_DOUBLE_RETURN:
            if (px_element_alloc_output(el, &out) != PX_OK)
                return PX_FLOW_ERROR;
            px__pool_give_back(out.arena, out.slot);
            px__pool_give_back(out.arena, out.slot);
            break;
        case FORGE_OTHER_INPUT:
            o.status = PX__OUT_INPUT;
            o.out_slot = o.in_slot = in->slot + 1;
            px__child_reply(0, &o);
            break;
        case FORGE_UNLENT_PUSH:
            o.status = PX__OUT_LENT;
            o.out_slot = 1u << 30;
            px__child_reply(0, &o);
            break;
        case FORGE_HOG:
            while (px_element_alloc_output(el, &out) == PX_OK) {
            }
            return PX_FLOW_ERROR;
        }
    }
    if (px_element_alloc_output(el, &out) != PX_OK)
        return PX_FLOW_ERROR;
    memcpy(out.data, in->data, in->size);
    out.size = in->size;
    return px_element_push(el, 0, &out);
}

static const px_element_class forger_class = {
    .name = "forger",
    .family = "Generic/Testing",
    .description = "lies about its lent output slots on its 3rd input",
    .state_size = sizeof(forger),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .chain = forger_chain,
};

static void chain_element_lying_about_its_slots_is_restarted_and_leaks_nothing(void **state)
{
    (void)state;
    static const char *const want[] = {
        "protocol violation: gave back output slot 999, which it does not hold",
        ", which it does not hold",
        "protocol violation: forwarded slot ",
        "protocol violation: pushed slot 1073741824, which it was not lent",
    };
    assert_int_equal(px_register_element(&forger_class), PX_OK);
    for (forge_attack = FORGE_BOGUS_RETURN; forge_attack <= FORGE_HOG; forge_attack++) {
        px_pipeline *p = parse("fakesrc num-buffers=10 sizetype=fixed sizemax=100 ! forger ! fakesink");
        set_mode(p, PX_ISOLATE_ALL, NULL);
        px_isolate_policy pol; /* one call at a time: the sink's window would add 8 slots to forger's arena */
        px_isolate_policy_defaults(&pol);
        pol.window = 1;
        px_error perr = {0};
        assert_int_equal(px_pipeline_set_isolation_policy(p, &pol, &perr), PX_OK);
        px_error err = {0};
        assert_int_equal(px_pipeline_prepare(p, &err), PX_OK);
        assert_int_equal(px_pipeline_start(p, &err), PX_OK);
        int rc = px_pipeline_wait(p, 20000, &err);
        px_element *f = px_pipeline_get(p, "forger0");
        px_isolation_stats st;
        px_element_get_isolation_stats(f, &st);
        if (forge_attack == FORGE_HOG) {
            /* No hang: an error that names the element and what it holds. */
            assert_int_equal(rc, PX_ENOMEM);
            if (!strstr(err.message, "forger0: its process holds 6 output slots at once, the most an element "
                                     "process may hold (6: its 6-slot arena, at most 48)"))
                fail_msg("hog: %s", err.message);
        } else {
            assert_int_equal(rc, PX_OK);
            assert_true(st.restarts >= 1);
            if (!strstr(st.last_reason, want[forge_attack]))
                fail_msg("attack %d: last reason '%s'", forge_attack, st.last_reason);
        }
        px_arena *a = f->out_arena;
        for (uint32_t s = 0; forge_attack != FORGE_HOG && s < px_arena_slot_count(a); s++)
            assert_int_equal(px_arena_refcount(a, s), 0); /* given back or taken back at EOS */
        px_pipeline_stop(p);
        px_pipeline_free(p);
    }
}

/* reads_only: an isolated in-place element runs on its read-only input
 * slot, which goes on downstream (no output arena, no copy). One that lies
 * and writes there is killed by the fault and restarted; the buffer in
 * hand is the only one lost. */
static px_flow scribbler_process(px_element *el, px_frame *io)
{
    int64_t *seen = px_element_state(el);
    if (++*seen == 5 && io->out.size)
        ((uint8_t *)io->out.data)[0] ^= 0xff; /* read-only in an element process: SIGSEGV */
    return PX_FLOW_OK;
}

static const px_element_class scribbler_class = {
    .name = "scribbler",
    .family = "Generic/Testing",
    .description = "claims reads_only, writes its 5th input",
    .state_size = sizeof(int64_t),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .in_place = true,
    .reads_only = true,
    .process = scribbler_process,
};

static void reads_only_element_forwards_its_input_and_a_write_is_contained(void **state)
{
    (void)state;
    assert_int_equal(px_register_element(&scribbler_class), PX_OK);
    px_pipeline *p = parse("fakesrc num-buffers=20 sizetype=fixed sizemax=100 ! identity ! scribbler ! fakesink");
    set_mode(p, PX_ISOLATE_ALL, NULL);
    set_restarts(p, 10);
    px_error err = {0};
    assert_int_equal(px_pipeline_prepare(p, &err), PX_OK);
    assert_null(px_pipeline_get(p, "identity0")->out_arena); /* no slots of its own: its input goes on */
    assert_null(px_pipeline_get(p, "scribbler0")->out_arena);
    assert_int_equal(px_pipeline_start(p, &err), PX_OK);
    assert_int_equal(px_pipeline_wait(p, 20000, &err), PX_OK);
    px_isolation_stats st;
    px_element_get_isolation_stats(px_pipeline_get(p, "scribbler0"), &st);
    assert_int_equal(st.restarts, 4); /* each new process writes its 5th input: buffers 5, 10, 15, 20 */
    if (!strstr(st.last_reason, "SIGSEGV"))
        fail_msg("last reason '%s'", st.last_reason);
    px_element_stats sink;
    px_element_get_stats(px_pipeline_get(p, "fakesink0"), &sink);
    assert_int_equal(sink.buffers_in, 16); /* the one in hand at each fault is lost, no other */
    px_element_get_isolation_stats(px_pipeline_get(p, "identity0"), &st);
    assert_int_equal(st.restarts, 0);
    px_pipeline_stop(p);
    px_pipeline_free(p);
}

static void hundred_crashes_lose_one_buffer_each_and_leak_nothing(void **state)
{
    (void)state;
    px_pipeline *p = parse("fakesrc num-buffers=1000 sizetype=fixed sizemax=1000 ! crash after=10 ! fakesink");
    set_mode(p, PX_ISOLATE_ALL, NULL);
    set_restarts(p, 1000);
    px_error err = {0};
    assert_int_equal(px_pipeline_start(p, &err), PX_OK);
    int restarts = 0, fds10 = 0;
    long rss10 = 0;
    px_message m;
    for (;;) {
        assert_int_equal(px_pipeline_pop_message(p, &m, 20000), PX_OK);
        if (m.type == PX_MSG_ELEMENT_RESTARTED) {
            restarts++;
            assert_string_equal(m.source, "crash0");
            if (!strstr(m.text, "(SIGSEGV)"))
                fail_msg("restart %d: %s", restarts, m.text);
            if (restarts == 10) {
                fds10 = count_fds();
                rss10 = rss_kib();
            }
        }
        if (m.type == PX_MSG_EOS || m.type == PX_MSG_ERROR)
            break;
    }
    assert_int_equal(m.type, PX_MSG_EOS);
    assert_int_equal(restarts, 100);
    assert_int_equal(count_fds(), fds10); /* flat from the 10th crash to the 100th */
    long growth = rss_kib() - rss10;
    if (growth > 512)
        fail_msg("RSS grew %ld KiB over 90 crashes", growth);

    px_element *src = px_pipeline_get(p, "fakesrc0"), *crasher = px_pipeline_get(p, "crash0"),
               *sink = px_pipeline_get(p, "fakesink0");
    px_element_stats a, b, c;
    px_element_get_stats(src, &a);
    px_element_get_stats(crasher, &b);
    px_element_get_stats(sink, &c);
    assert_int_equal(a.buffers_out, 1000);
    assert_int_equal(c.buffers_in + b.drops, a.buffers_out); /* produced = consumed + counted drops */
    assert_int_equal(b.drops, 100);
    px_arena_stats as;
    px_arena_get_stats(src->out_arena, &as);
    assert_int_equal(as.in_use, 0);
    px_arena_get_stats(crasher->out_arena, &as);
    assert_int_equal(as.in_use, 0);
    for (uint32_t s = 0; s < px_arena_slot_count(crasher->out_arena); s++)
        assert_int_equal(px_arena_refcount(crasher->out_arena, s), 0);
    px_isolation_stats st;
    px_element_get_isolation_stats(crasher, &st);
    assert_int_equal(st.restarts, 100);
    assert_int_equal(st.crash_drops, 100);
    assert_int_equal(st.last_signal, SIGSEGV);
    px_pipeline_stop(p);
    px_pipeline_free(p);
}

static void restart_limit_fails_the_run_naming_element_and_signal(void **state)
{
    (void)state;
    px_pipeline *p = parse("fakesrc num-buffers=100 ! crash after=1 mode=abort ! fakesink");
    set_mode(p, PX_ISOLATE_ALL, NULL);
    set_restarts(p, 2);
    px_error err = {0};
    assert_int_equal(px_pipeline_run(p, &err), PX_EFLOW);
    if (!strstr(err.message, "crash0: element process ") ||
        !strstr(err.message, "ended: SIGABRT; restarted 2 times within 10000 ms, giving up (max-restarts=2)"))
        fail_msg("%s", err.message);
    px_pipeline_free(p);
}

static void auto_mode_isolates_only_untrusted_elements(void **state)
{
    (void)state;
    px_pipeline *p = parse("fakesrc num-buffers=20 ! crash ! identity ! fakesink");
    set_mode(p, PX_ISOLATE_AUTO, NULL);
    px_error err = {0};
    assert_int_equal(px_pipeline_run(p, &err), PX_OK);
    px_isolation_stats st;
    px_element_get_isolation_stats(px_pipeline_get(p, "crash0"), &st);
    assert_true(st.isolated);
    px_element_get_isolation_stats(px_pipeline_get(p, "identity0"), &st);
    assert_false(st.isolated);
    px_element_stats es;
    px_element_get_stats(px_pipeline_get(p, "fakesink0"), &es);
    assert_int_equal(es.buffers_in, 20);
    px_pipeline_free(p);
}

static void isolation_api_rejects_bad_arguments_with_clear_errors(void **state)
{
    (void)state;
    px_pipeline *p = parse("fakesrc num-buffers=1 ! fakesink");
    px_error err = {0};
    assert_int_equal(px_pipeline_set_isolation(p, PX_ISOLATE_PATTERNS, NULL, &err), PX_EINVAL);
    assert_string_equal(err.message,
                        "isolation by patterns needs a comma-separated list of globs, e.g. '*dec*,*demux*'");
    assert_int_equal(px_pipeline_set_isolation(p, (px_isolation)42, NULL, &err), PX_EINVAL);
    assert_non_null(strstr(err.message, "isolation mode 42 is unknown"));
    char longname[100];
    memset(longname, 'g', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(px_element_set_isolation_group(px_pipeline_get(p, "fakesink0"), longname, &err), PX_EINVAL);
    assert_string_equal(err.message, "fakesink0: isolation group name must be 1 to 63 characters");
    px_isolate_policy pol;
    px_isolate_policy_defaults(&pol);
    pol.max_restarts = -1;
    assert_int_equal(px_pipeline_set_isolation_policy(p, &pol, &err), PX_EINVAL);
    assert_int_equal(px_pipeline_prepare(p, &err), PX_OK);
    assert_int_equal(px_pipeline_set_isolation(p, PX_ISOLATE_ALL, NULL, &err), PX_ESTATE);
    assert_string_equal(err.message, "isolation is set before prepare; stop the pipeline first");
    px_pipeline_free(p);
}

static void stop_and_restart_an_isolated_pipeline_twice(void **state)
{
    (void)state;
    px_pipeline *p = parse("fakesrc num-buffers=50 ! identity ! fakesink");
    set_mode(p, PX_ISOLATE_ALL, NULL);
    int fds = count_fds();
    for (int i = 0; i < 2; i++) {
        px_error err = {0};
        assert_int_equal(px_pipeline_run(p, &err), PX_OK);
        px_element_stats es;
        px_element_get_stats(px_pipeline_get(p, "fakesink0"), &es);
        assert_int_equal(es.buffers_in, 50);
        assert_int_equal(count_fds(), fds);
    }
    px_pipeline_free(p);
}


/* ---- Pipelined calls: a full window of requests in flight ------------------------------- */

enum { SEQ_N = 10000 };

/* seqsrc: buffer k holds k (8 bytes) then bytes (k + i) & 0xff, 100 to
 * 3099 bytes long; pts and offset say k too. */
typedef struct {
    uint64_t next;
} seqsrc;

static size_t seq_size(uint64_t k)
{
    return 100 + (size_t)(k * 7919 % 3000);
}

static px_flow seqsrc_produce(px_element *el, px_buffer *out)
{
    seqsrc *self = px_element_state(el);
    if (self->next == SEQ_N)
        return PX_FLOW_EOS;
    uint64_t k = self->next++;
    size_t n = seq_size(k);
    memcpy(out->data, &k, 8);
    for (size_t i = 8; i < n; i++)
        out->data[i] = (uint8_t)(k + i);
    out->size = n;
    out->pts = (px_time)k * 1000;
    out->offset = k;
    return PX_FLOW_OK;
}

static int seqsrc_start(px_element *el, px_error *err)
{
    (void)err;
    px_element_request_output(el, 4096, 0);
    return PX_OK;
}

static const px_element_class seqsrc_class = {
    .name = "seqsrc",
    .family = "Source/Testing",
    .description = "numbered buffers",
    .state_size = sizeof(seqsrc),
    .src = PX_PAD_ALWAYS("ANY"),
    .start = seqsrc_start,
    .produce = seqsrc_produce,
};

/* mix: out = in ^ 0x5a past the number, after spinning (slower than the
 * supervisor, so the window fills; buffer 0 spins first_ns, long enough
 * for the window to fill however loaded the machine). On the
 * crash_every-th buffer since its process started it faults; on buffer
 * fail_at it fails with an error. */
static int mix_spin_ns = 3000, mix_first_ns, mix_crash_every, mix_fail_at = -1;

typedef struct {
    int seen;
} mix;

static px_flow mix_process(px_element *el, px_frame *io)
{
    mix *self = px_element_state(el);
    uint64_t k;
    memcpy(&k, io->in.data, 8);
    px_time t0 = px__now();
    while (px__now() - t0 < (k ? mix_spin_ns : mix_spin_ns + mix_first_ns))
        ;
    if (mix_crash_every && ++self->seen == mix_crash_every) {
        static const char ro[64] = "read-only";
        ((volatile char *)(uintptr_t)ro)[0] = 1;
    }
    if ((int64_t)k == mix_fail_at) {
        px_element_error(el, PX_EINVAL, "refuses this one");
        return PX_FLOW_ERROR;
    }
    memcpy(io->out.data, io->in.data, 8);
    for (size_t i = 8; i < io->in.size; i++)
        io->out.data[i] = io->in.data[i] ^ 0x5a;
    io->out.size = io->in.size;
    return PX_FLOW_OK;
}

static const px_element_class mix_class = {
    .name = "mix",
    .family = "Filter/Testing",
    .description = "xors the payload",
    .state_size = sizeof(mix),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .process = mix_process,
};

/* seqcheck: buffers come in increasing order (gaps allowed only where
 * gaps_ok), each with exactly the bytes mix made of it; anything else is
 * an error naming the buffer. */
static bool seqcheck_gaps_ok;

typedef struct {
    int64_t last;
    uint64_t got;
} seqcheck;

static int seqcheck_start(px_element *el, px_error *err)
{
    (void)err;
    seqcheck *self = px_element_state(el);
    self->last = -1;
    self->got = 0;
    return PX_OK;
}

static px_flow seqcheck_consume(px_element *el, const px_buffer *in)
{
    seqcheck *self = px_element_state(el);
    uint64_t k;
    if (in->size < 8) {
        px_element_error(el, PX_EINVAL, "buffer of %zu bytes", in->size);
        return PX_FLOW_ERROR;
    }
    memcpy(&k, in->data, 8);
    bool order = seqcheck_gaps_ok ? (int64_t)k > self->last : (int64_t)k == self->last + 1;
    if (!order || in->size != seq_size(k) || in->pts != (px_time)k * 1000 || in->offset != k) {
        px_element_error(el, PX_EINVAL, "buffer %llu after %lld: size %zu pts %lld offset %llu",
                         (unsigned long long)k, (long long)self->last, in->size, (long long)in->pts,
                         (unsigned long long)in->offset);
        return PX_FLOW_ERROR;
    }
    for (size_t i = 8; i < in->size; i++)
        if (in->data[i] != (uint8_t)((k + i) ^ 0x5a)) {
            px_element_error(el, PX_EINVAL, "buffer %llu: byte %zu is 0x%02x", (unsigned long long)k, i, in->data[i]);
            return PX_FLOW_ERROR;
        }
    self->last = (int64_t)k;
    self->got++;
    return PX_FLOW_OK;
}

static const px_element_class seqcheck_class = {
    .name = "seqcheck",
    .family = "Sink/Testing",
    .description = "checks order and bytes",
    .state_size = sizeof(seqcheck),
    .sink = PX_PAD_ALWAYS("ANY"),
    .start = seqcheck_start,
    .consume = seqcheck_consume,
};

static void register_seq_classes(void)
{
    static bool done;
    if (done)
        return;
    assert_int_equal(px_register_element(&seqsrc_class), PX_OK);
    assert_int_equal(px_register_element(&mix_class), PX_OK);
    assert_int_equal(px_register_element(&seqcheck_class), PX_OK);
    done = true;
}

static uint32_t fly_max_of(px_pipeline *p, const char *name)
{
    return p->iso->proxies[px_pipeline_get(p, name)->index].fly_max;
}

static void arenas_all_free(px_pipeline *p)
{
    for (size_t i = 0; i < p->n_elements; i++) {
        px_arena *a = p->elements[i]->out_arena;
        px_arena_stats as;
        if (!a)
            continue;
        px_arena_get_stats(a, &as);
        if (as.in_use)
            fail_msg("%s: %u slots still in use", p->elements[i]->name, (unsigned)as.in_use);
        for (uint32_t s = 0; s < px_arena_slot_count(a); s++)
            assert_int_equal(px_arena_refcount(a, s), 0);
    }
}

/* 10,000 buffers through a slow isolated filter (the window stays full),
 * then with the source producing ahead and the sink isolated too: every
 * buffer arrives once, in order, byte for byte. */
static void full_window_keeps_order_and_bytes_over_10000_buffers(void **state)
{
    (void)state;
    register_seq_classes();
    mix_spin_ns = 3000;
    mix_first_ns = (int)(100 * PX_MSECOND); /* the window fills while buffer 0 takes this long */
    mix_crash_every = 0;
    mix_fail_at = -1;
    seqcheck_gaps_ok = false;
    for (int mode = 0; mode < 3; mode++) {
        px_pipeline *p = parse("seqsrc ! mix ! seqcheck");
        if (mode == 0)
            set_mode(p, PX_ISOLATE_PATTERNS, "mix*");
        else if (mode == 1)
            set_mode(p, PX_ISOLATE_ALL, NULL);
        else /* one process: the filter's outputs feed a sibling's window */
            set_mode(p, PX_ISOLATE_PATTERNS, "seq*,mix*");
        px_error err = {0};
        assert_int_equal(px_pipeline_prepare(p, &err), PX_OK);
        assert_int_equal(px_pipeline_start(p, &err), PX_OK);
        if (px_pipeline_wait(p, 60000, &err) != PX_OK)
            fail_msg("mode %d: %s", mode, err.message);
        px_element_stats src, m, sink;
        px_element_get_stats(px_pipeline_get(p, "seqsrc0"), &src);
        px_element_get_stats(px_pipeline_get(p, "mix0"), &m);
        px_element_get_stats(px_pipeline_get(p, "seqcheck0"), &sink);
        assert_int_equal(src.buffers_out, SEQ_N);
        assert_int_equal(m.buffers_out, SEQ_N);
        assert_int_equal(sink.buffers_in, SEQ_N);
        assert_int_equal(m.drops, 0);
        /* The window did fill while buffer 0 took 100 ms: the source kept
         * producing, in this process (mode 0) or its own (mode 1). In one
         * process (mode 2) the stall holds the source too, so how many of its
         * outputs were ready by then is timing: there it only must not pass. */
        int fly = (int)fly_max_of(p, "mix0");
        if (mode < 2 ? fly != PX__ISO_WINDOW_DEFAULT : fly < 1 || fly > PX__ISO_WINDOW_DEFAULT)
            fail_msg("mode %d: mix0's window filled to %d of %d", mode, fly, PX__ISO_WINDOW_DEFAULT);
        if (mode == 0) { /* the checker ran here: it saw every buffer */
            seqcheck *c = px_element_state(px_pipeline_get(p, "seqcheck0"));
            assert_int_equal(c->got, SEQ_N);
            assert_int_equal(c->last, SEQ_N - 1);
        } else {
            assert_true(fly_max_of(p, "seqsrc0") > 1); /* produced ahead */
        }
        arenas_all_free(p);
        px_pipeline_stop(p);
        px_pipeline_free(p);
    }
    mix_first_ns = 0;
}

/* The wake-up handshake with each side asleep in turn, with membarrier
 * (the sleeper pays for the fence, the flowing side's is a compiler
 * barrier) and with full fences on both sides: a slow feed makes the
 * child sleep before each request, a slow child makes the supervisor sleep
 * on a full window. Nothing is lost, nothing restarts (a wake-up lost for
 * good would hang the child until the 5 s limit kills it), both sides
 * agree on the mode, and the run takes about as long as its sleeps. */
static void wakeups_lose_nothing_with_and_without_membarrier(void **state)
{
    (void)state;
    static const char *const descs[2] = {
        "fakesrc num-buffers=60 sizetype=fixed sizemax=256 ! identity sleep-time=1500 ! identity name=iso ! fakesink",
        "fakesrc num-buffers=60 sizetype=fixed sizemax=256 ! identity name=iso sleep-time=1500 ! fakesink",
    };
    for (int mb = 0; mb < 2; mb++) {
        for (int d = 0; d < 2; d++) {
            px_pipeline *p = parse(descs[d]);
            set_mode(p, PX_ISOLATE_PATTERNS, "iso");
            px_isolate_policy pol;
            px_isolate_policy_defaults(&pol);
            pol.timeout_ms = 5000;
            pol.max_restarts = 0;
            pol.disable = mb ? 0 : PX_ISOLATE_NO_MEMBARRIER;
            px_error err = {0};
            assert_int_equal(px_pipeline_set_isolation_policy(p, &pol, &err), PX_OK);
            assert_int_equal(px_pipeline_start(p, &err), PX_OK);
            if (px_pipeline_wait(p, 30000, &err) != PX_OK)
                fail_msg("membarrier %d, %s: %s", mb, descs[d], err.message);
            bool light = mb && px__iso_membarrier();
            const char *want = light ? "wake-ups: membarrier" : "wake-ups: full fences";
            if (!strstr(px_isolate_report(p), want))
                fail_msg("membarrier %d: report \"%s\" lacks \"%s\"", mb, px_isolate_report(p), want);
            assert_int_equal(atomic_load(&p->iso->procs[0].fences), light ? PX__FENCES_PROCESSES : PX__FENCES_FULL);
            assert_int_equal(p->iso->procs[0].chan->fences, mb && px__iso_membarrier() ? 1u : 0u);
            px_element_stats iso, sink;
            px_element_get_stats(px_pipeline_get(p, "iso"), &iso);
            px_element_get_stats(px_pipeline_get(p, "fakesink0"), &sink);
            assert_int_equal(sink.buffers_in, 60);
            assert_int_equal(iso.drops, 0);
            px_isolation_stats is;
            assert_int_equal(px_element_get_isolation_stats(px_pipeline_get(p, "iso"), &is), PX_OK);
            assert_int_equal(is.restarts, 0);
            px_pipeline_stats ps;
            px_pipeline_get_stats(p, &ps);
            /* 60 sleeps of 1.5 ms: 90 ms; a wake-up missed costs a 10 ms step or more. */
            if (ps.running_time > 2 * PX_SECOND)
                fail_msg("membarrier %d, %s: %.0f ms", mb, descs[d], (double)ps.running_time / 1e6);
            arenas_all_free(p);
            px_pipeline_stop(p);
            px_pipeline_free(p);
        }
    }
}

/* The child faults on every 500th buffer with a full window behind it:
 * the buffer it was working on is lost, the replies it had pushed count,
 * and the requests it never took go to its restarted self, in order. */
static void crash_with_a_full_window_loses_only_the_buffer_in_hand(void **state)
{
    (void)state;
    register_seq_classes();
    mix_spin_ns = 3000;
    mix_first_ns = 0;
    mix_crash_every = 500;
    mix_fail_at = -1;
    seqcheck_gaps_ok = true;
    px_pipeline *p = parse("seqsrc ! mix ! seqcheck");
    set_mode(p, PX_ISOLATE_PATTERNS, "mix*");
    set_restarts(p, 1000);
    px_error err = {0};
    assert_int_equal(px_pipeline_start(p, &err), PX_OK);
    if (px_pipeline_wait(p, 60000, &err) != PX_OK)
        fail_msg("%s", err.message);
    px_element *mx = px_pipeline_get(p, "mix0");
    px_element_stats src, m, sink;
    px_element_get_stats(px_pipeline_get(p, "seqsrc0"), &src);
    px_element_get_stats(mx, &m);
    px_element_get_stats(px_pipeline_get(p, "seqcheck0"), &sink);
    px_isolation_stats st;
    px_element_get_isolation_stats(mx, &st);
    assert_int_equal(st.restarts, SEQ_N / 500); /* 499 good and one fault per process */
    assert_int_equal(st.crash_drops, st.restarts);
    assert_int_equal(m.drops, st.restarts);
    assert_int_equal(src.buffers_out, SEQ_N);
    assert_int_equal(sink.buffers_in + m.drops, src.buffers_out); /* produced = consumed + counted drops */
    seqcheck *c = px_element_state(px_pipeline_get(p, "seqcheck0"));
    assert_int_equal(c->got, SEQ_N - st.restarts);
    assert_int_equal(fly_max_of(p, "mix0"), PX__ISO_WINDOW_DEFAULT);
    arenas_all_free(p);
    px_pipeline_stop(p);
    px_pipeline_free(p);
    mix_crash_every = 0;
}

/* An error comes back with a later call: it still names the element and
 * the buffer, and the run fails with it. */
static void late_error_names_the_element_and_the_buffer(void **state)
{
    (void)state;
    register_seq_classes();
    mix_spin_ns = 0;
    mix_first_ns = 0;
    mix_crash_every = 0;
    mix_fail_at = 1234;
    seqcheck_gaps_ok = false;
    px_pipeline *p = parse("seqsrc ! mix ! seqcheck");
    set_mode(p, PX_ISOLATE_PATTERNS, "mix*");
    px_error err = {0};
    assert_int_equal(px_pipeline_run(p, &err), PX_EINVAL); /* the element's own code */
    if (!strstr(err.message, "mix0: refuses this one (buffer 1234)"))
        fail_msg("%s", err.message);
    seqcheck *c = px_element_state(px_pipeline_get(p, "seqcheck0"));
    assert_int_equal(c->last, 1233); /* everything before it arrived, nothing after */
    px_pipeline_free(p);
    mix_fail_at = -1;

    px_isolate_policy pol;
    px_isolate_policy_defaults(&pol);
    assert_int_equal(pol.window, PX__ISO_WINDOW_DEFAULT);
    pol.window = 17;
    p = parse("fakesrc num-buffers=1 ! fakesink");
    assert_int_equal(px_pipeline_set_isolation_policy(p, &pol, &err), PX_EINVAL);
    assert_string_equal(err.message,
                        "isolation policy: window 17 is out of range: 1 to 16 requests in flight (0 = default 8)");
    px_pipeline_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ring_keeps_order_and_refuses_an_entry_past_capacity),
        cmocka_unit_test(ring_pop_refuses_a_producer_index_past_capacity),
        cmocka_unit_test(ring_ends_ignore_forged_shared_indexes),
        cmocka_unit_test(ctl_valid_checks_every_field),
        cmocka_unit_test(recv_fds_fails_on_truncated_rights_and_leaks_none),
        cmocka_unit_test(seals_are_checked_and_stop_new_writable_mappings),
        cmocka_unit_test(video_output_is_byte_identical_in_process_isolated_and_grouped),
        cmocka_unit_test(y4mdec_chain_output_is_byte_identical_in_every_mode),
        cmocka_unit_test(chain_element_crash_gives_lent_slots_back),
        cmocka_unit_test(chain_element_lying_about_its_slots_is_restarted_and_leaks_nothing),
        cmocka_unit_test(reads_only_element_forwards_its_input_and_a_write_is_contained),
        cmocka_unit_test(hundred_crashes_lose_one_buffer_each_and_leak_nothing),
        cmocka_unit_test(restart_limit_fails_the_run_naming_element_and_signal),
        cmocka_unit_test(auto_mode_isolates_only_untrusted_elements),
        cmocka_unit_test(isolation_api_rejects_bad_arguments_with_clear_errors),
        cmocka_unit_test(stop_and_restart_an_isolated_pipeline_twice),
        cmocka_unit_test(full_window_keeps_order_and_bytes_over_10000_buffers),
        cmocka_unit_test(crash_with_a_full_window_loses_only_the_buffer_in_hand),
        cmocka_unit_test(wakeups_lose_nothing_with_and_without_membarrier),
        cmocka_unit_test(late_error_names_the_element_and_the_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
