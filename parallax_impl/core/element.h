/* Elements: a const class, a state struct, a few callbacks.
 *
 * The class describes everything static (name, pads, properties, hints);
 * the runtime allocates the state struct (state_size bytes, zeroed, property
 * defaults written in) when the element is added to a pipeline. Elements never
 * allocate buffers: sources get an empty slot to fill (produce), filters get
 * their input and a pre-allocated output, or only the input when in_place
 * (process), sinks get their input (consume). */

typedef struct px_element px_element;

/* ---- Properties: a table, not code ------------------------------------- */

typedef enum px_prop_type {
    PX_PROP_BOOL,     /* bool */
    PX_PROP_INT,      /* int */
    PX_PROP_UINT64,   /* uint64_t */
    PX_PROP_DOUBLE,   /* double */
    PX_PROP_STRING,   /* char *, owned by the runtime (NULL when unset) */
    PX_PROP_ENUM,     /* int, one of the values in .enums, set by nick or number */
    PX_PROP_FRACTION, /* px_fraction */
    PX_PROP_PAD,      /* int: the number of one of the element's request pads (sink_2 -> 2), -1 = none;
                         set as "sink_2" or "2", checked against the linked pads once there are any */
    PX_PROP_INT64,    /* int64_t (nanosecond offsets that may be negative) */
} px_prop_type;

typedef struct px_enum_value {
    int value;
    const char *nick; /* what users type: "random" */
    const char *description;
} px_enum_value;

enum {
    PX_PROP_FLAG_READONLY = 1u << 0, /* reported, never set by users */
    PX_PROP_FLAG_MUTABLE = 1u << 1,  /* may change while running */
    PX_PROP_FLAG_CAPS = 1u << 2,     /* a STRING holding caps text, checked when set */
};

typedef struct px_prop {
    const char *name; /* C field name; users may write '-' for '_' (num-buffers) */
    px_prop_type type;
    size_t offset; /* offsetof(state, field) */
    unsigned flags;
    int64_t imin, imax, idef;  /* INT, UINT64 (as bit patterns), BOOL, ENUM */
    double dmin, dmax, ddef;   /* DOUBLE */
    px_fraction fmin, fmax, fdef;
    const char *sdef;          /* STRING default, may be NULL */
    const px_enum_value *enums; /* ENUM values, ended by { 0, NULL, NULL } */
    const char *description;
} px_prop;

/* Descriptions are left out (NULL) without CONFIG_PX_PROP_DESCRIPTIONS. */
#if CONFIG_PX_PROP_DESCRIPTIONS
#define PX__PROP_DESC(desc) desc
#else
#define PX__PROP_DESC(desc) NULL
#endif
#define PX_PROP_BOOL(st, field, def, desc) \
    {#field, PX_PROP_BOOL, offsetof(st, field), 0, 0, 1, (def), 0, 0, 0, {0, 1}, {0, 1}, {0, 1}, NULL, NULL, PX__PROP_DESC(desc)}
#define PX_PROP_INT(st, field, lo, hi, def, desc) \
    {#field, PX_PROP_INT, offsetof(st, field), 0, (lo), (hi), (def), 0, 0, 0, {0, 1}, {0, 1}, {0, 1}, NULL, NULL, PX__PROP_DESC(desc)}
#define PX_PROP_UINT64(st, field, lo, hi, def, desc)                                              \
    {#field, PX_PROP_UINT64, offsetof(st, field), 0, (int64_t)(uint64_t)(lo), (int64_t)(uint64_t)(hi), \
     (int64_t)(uint64_t)(def), 0, 0, 0, {0, 1}, {0, 1}, {0, 1}, NULL, NULL, PX__PROP_DESC(desc)}
#define PX_PROP_DOUBLE(st, field, lo, hi, def, desc) \
    {#field, PX_PROP_DOUBLE, offsetof(st, field), 0, 0, 0, 0, (lo), (hi), (def), {0, 1}, {0, 1}, {0, 1}, NULL, NULL, PX__PROP_DESC(desc)}
#define PX_PROP_STRING(st, field, def, desc) \
    {#field, PX_PROP_STRING, offsetof(st, field), 0, 0, 0, 0, 0, 0, 0, {0, 1}, {0, 1}, {0, 1}, (def), NULL, PX__PROP_DESC(desc)}
#define PX_PROP_CAPS(st, field, def, desc)                                                         \
    {#field, PX_PROP_STRING, offsetof(st, field), PX_PROP_FLAG_CAPS, 0, 0, 0, 0, 0, 0, {0, 1}, {0, 1}, {0, 1}, \
     (def), NULL, PX__PROP_DESC(desc)}
#define PX_PROP_ENUM(st, field, values, def, desc) \
    {#field, PX_PROP_ENUM, offsetof(st, field), 0, 0, 0, (def), 0, 0, 0, {0, 1}, {0, 1}, {0, 1}, NULL, (values), PX__PROP_DESC(desc)}
#define PX_PROP_FRACTION(st, field, minn, mind, maxn, maxd, defn, defd, desc)                       \
    {#field, PX_PROP_FRACTION, offsetof(st, field), 0, 0, 0, 0, 0, 0, 0, {(minn), (mind)}, {(maxn), (maxd)}, \
     {(defn), (defd)}, NULL, NULL, PX__PROP_DESC(desc)}
/* Properties that may change while running (PX_PROP_FLAG_MUTABLE): px_set
 * stores them atomically from any thread; the streaming thread reads them
 * with PX_LOAD_MUTABLE(self->field) (a relaxed atomic load: no fence, no
 * lock). Only 4-byte-or-smaller types (BOOL, INT, ENUM, PAD) may be mutable.
 * PX_PROP_PAD: dir is PX_DIR_SINK or PX_DIR_SRC (the pads it names). */
#define PX_PROP_BOOL_MUTABLE(st, field, def, desc)                                                    \
    {#field, PX_PROP_BOOL, offsetof(st, field), PX_PROP_FLAG_MUTABLE, 0, 1, (def), 0, 0, 0, {0, 1}, {0, 1}, {0, 1}, \
     NULL, NULL, PX__PROP_DESC(desc)}
#define PX_PROP_INT_MUTABLE(st, field, lo, hi, def, desc)                                                   \
    {#field, PX_PROP_INT, offsetof(st, field), PX_PROP_FLAG_MUTABLE, (lo), (hi), (def), 0, 0, 0, {0, 1}, {0, 1}, \
     {0, 1}, NULL, NULL, PX__PROP_DESC(desc)}
#define PX_PROP_PAD(st, field, dir, flags, desc)                                                         \
    {#field, PX_PROP_PAD, offsetof(st, field), (flags), (dir), (dir), -1, 0, 0, 0, {0, 1}, {0, 1}, {0, 1}, NULL, \
     NULL, PX__PROP_DESC(desc)}
#define PX_PROP_INT64(st, field, lo, hi, def, desc) \
    {#field, PX_PROP_INT64, offsetof(st, field), 0, (lo), (hi), (def), 0, 0, 0, {0, 1}, {0, 1}, {0, 1}, NULL, NULL, PX__PROP_DESC(desc)}
#define PX_LOAD_MUTABLE(lvalue) __atomic_load_n(&(lvalue), __ATOMIC_RELAXED)
/* The table ends with an entry whose name is NULL. */
#define PX_PROPS(...) ((const px_prop[]){__VA_ARGS__, {NULL, PX_PROP_BOOL, 0, 0, 0, 0, 0, 0, 0, 0, {0, 1}, {0, 1}, {0, 1}, NULL, NULL, NULL}})

/* ---- Pads -------------------------------------------------------------- */

typedef enum px_pad_presence {
    PX_PAD_NONE = 0,  /* the element has no pad in this direction */
    PX_PAD_ALWAYS_PRESENT,
    PX_PAD_ON_REQUEST, /* created when linked: tee's src_%u */
    PX_PAD_SOMETIMES_PRESENT,
} px_pad_presence;

typedef struct px_pad_template {
    px_pad_presence presence;
    const char *name; /* "src", "sink", or a pattern such as "src_%u" */
    const char *caps; /* GStreamer caps text; "ANY" accepts everything */
} px_pad_template;

#define PX_PAD_ALWAYS(caps_text) {PX_PAD_ALWAYS_PRESENT, NULL, (caps_text)}
#define PX_PAD_REQUEST(pattern, caps_text) {PX_PAD_ON_REQUEST, (pattern), (caps_text)}

/* ---- Hints: how the scheduler and the isolation policy treat it ---------- */

typedef enum { PX_TRUST_TRUSTED = 0, PX_TRUST_SEMI, PX_TRUST_UNTRUSTED } px_trust;
typedef enum { PX_WORK_CPU = 0, PX_WORK_IO, PX_WORK_MEMORY } px_work;
typedef enum { PX_LATENCY_NORMAL = 0, PX_LATENCY_LOW, PX_LATENCY_RELAXED } px_latency;

typedef struct px_hints {
    px_trust trust;
    px_work processing;
    px_latency latency;
    bool native_code; /* wraps an external C library parsing untrusted data */
    bool rt_safe;     /* never blocks, allocates or makes syscalls per buffer */
} px_hints;

/* ---- Flow and events ---------------------------------------------------- */

typedef enum px_flow {
    PX_FLOW_OK = 0,
    PX_FLOW_EOS = 1,   /* source: no more data; filter: stop this stream */
    PX_FLOW_DROP = 2,  /* this buffer goes no further; streaming continues */
    /* Fan-in elements only (concat): not this pad's turn yet. The runtime
     * keeps the buffer and offers it again after the element handled an
     * event: under threads the streaming thread sleeps (woken at once by the
     * event, or by stop); under coop and rt the buffer is parked on the pad
     * and the source or queue whose step brought it is skipped until it is
     * taken: no thread sleeps, so the RT thread never waits (see
     * sched/fanin.c). From process() of in_place elements and from chain(). */
    PX_FLOW_WAIT = 3,
    PX_FLOW_ERROR = -1, /* fatal: report with px_element_error() first */
} px_flow;

/* Routing for process(): where the output goes. */
#define PX_PAD_ALL (-1) /* every linked src pad (tee) */

typedef struct px_frame {
    px_buffer in;  /* the input */
    px_buffer out; /* pre-allocated output; for in_place elements the same slot as in */
    int out_pad;   /* index of the src pad to push on (0, or PX_PAD_ALL) */
} px_frame;

typedef enum px_event_type {
    PX_EVENT_EOS = 1,
    /* The format changes mid-stream: the buffers after it carry
     * px_event_caps(ev) (see px_element_push_caps). CONFIG_PX_CAPS only. */
    PX_EVENT_CAPS = 2,
} px_event_type;

typedef struct px_event {
    px_event_type type;
} px_event;

/* ---- Negotiation --------------------------------------------------------
 * Before data flows the pipeline solves every link's caps at once (see
 * negotiate.c): pad templates, narrowed by get_caps() from properties, meet
 * across links and through elements (transform_caps) until nothing changes,
 * converters are inserted where nothing fits, and each link is fixated with
 * downstream preference. Elements then read their fixed caps in start(). */

typedef enum px_pad_dir {
    PX_DIR_SINK = 0,
    PX_DIR_SRC = 1,
} px_pad_dir;

/* ---- The class --------------------------------------------------------- */

typedef struct px_element_class {
    const char *name;        /* factory name used in pipeline descriptions */
    const char *family;      /* "Source", "Sink/File", "Filter/Video", ... */
    const char *description; /* one line */
    size_t state_size;       /* bytes of per-instance state, zeroed then defaults */
    px_pad_template sink;
    px_pad_template src;
    const px_prop *props; /* PX_PROPS(...) or NULL */
    /* Caps text the element prefers when free to choose (fixation of a
     * source): videotestsrc's "video/x-raw, width=320, height=240, framerate=30/1". */
    const char *preferred_caps;
    px_hints hints;
    bool in_place; /* process() edits its input; no output slot is allocated */
    /* With in_place: process() only reads the data (it may change metadata,
     * drop or fail, never the bytes). Isolated, it then runs on the
     * read-only input slot and that slot goes on downstream: no copy and no
     * output slot (a write there kills the process, which is restarted). */
    bool reads_only;
    /* event() sees the EOS of every sink pad as it comes (px_element_input_pad
     * says which) and the element forwards EOS itself with
     * px_element_push_eos(); otherwise event() sees EOS once every linked
     * sink pad has, and the runtime forwards it to every src pad. */
    bool eos_per_pad;

    /* After defaults are applied (adding to a pipeline). */
    int (*init)(px_element *el, px_error *err);
    /* Before the state is freed. */
    void (*fini)(px_element *el);
    /* At prepare: validate properties, open files, size the output. */
    int (*start)(px_element *el, px_error *err);
    /* After streaming ends (EOS, error or stop); undoes start. */
    void (*stop)(px_element *el);

    px_flow (*produce)(px_element *el, px_buffer *out);   /* sources */
    px_flow (*process)(px_element *el, px_frame *io);      /* filters */
    px_flow (*consume)(px_element *el, const px_buffer *in); /* sinks */
    /* Events travel downstream in order with the data. Return 0 or a PX_E*. */
    int (*event)(px_element *el, const px_event *ev);

    /* Elements whose outputs do not pair with inputs (parsers, demuxers,
     * decoders) implement chain() instead of process(): they take outputs
     * with px_element_alloc_output() and send them with px_element_push(),
     * any number per input (also from event() at EOS, to drain). */
    px_flow (*chain)(px_element *el, const px_buffer *in);

    /* Negotiation, all optional. get_caps narrows the template of the pads
     * in direction dir from properties (caps holds the template on entry).
     * transform_caps says which caps on the other side go with caps on side
     * dir; without it, elements whose sink and src templates are the same
     * text pass caps through unchanged (identity, tee, queue), and others
     * relate nothing (the other side is its template). */
    int (*get_caps)(px_element *el, px_pad_dir dir, px_caps *caps);
    int (*transform_caps)(px_element *el, px_pad_dir dir, const px_caps *caps, px_caps *out);
    /* Sources that can read ahead without consuming (files) copy up to size
     * bytes at offset into dst and set *got. Parsers call
     * px_element_peek_upstream() from get_caps() to learn the stream's
     * format from its header before data flows (y4mdec, demuxers). Called
     * before start(): the element opens what it needs itself. */
    int (*peek)(px_element *el, uint64_t offset, void *dst, size_t size, size_t *got);
    /* I/O elements, optional: the file descriptor their next produce()
     * (sources) or consume() (sinks) waits on, or -1 for none; *events says
     * for what (PX_POLL_IN readable, PX_POLL_OUT writable). Called once
     * after start(). The rt scheduler's reactor then runs the streaming
     * context the element is in only when epoll says the fd is ready, and
     * sleeps in epoll_wait on those fds (and on a wake-up the RT thread
     * rings) instead of polling. Readiness is a hint: produce() may still
     * block (a pipe with half a block in it). Fds epoll refuses (regular
     * files, always ready) are simply run as if ready. */
    int (*poll_fd)(px_element *el, unsigned *events);
} px_element_class;

enum {
    PX_POLL_IN = 1u << 0,  /* poll_fd: readable */
    PX_POLL_OUT = 1u << 1, /* poll_fd: writable */
};

/* Defines a class object; register application classes with px_register_element(). */
#define PX_ELEMENT_CLASS(n) static const px_element_class px_elem_##n

/* ---- What callbacks may call ------------------------------------------- */

PX_API void *px_element_state(px_element *el);
PX_API const char *px_element_name(const px_element *el); /* "fakesrc0" */
PX_API const px_element_class *px_element_get_class(const px_element *el);
/* Called from start(): the output slots this element needs (size in bytes,
 * and how many it may hold at once beyond the one in flight). Sources and
 * filters that do not call it get a 4096-byte slot or their input's size. */
PX_API void px_element_request_output(px_element *el, size_t slot_size, uint32_t extra_slots);
/* From start(): this run needs no work from the element (a converter whose
 * two sides negotiated the same format). Buffers then pass it untouched,
 * without a copy or an output slot, and process() is not called. A chain()
 * element that forwards its inputs by reference calls it too: it gets no
 * output slots of its own (queues and isolated elements downstream then see
 * the arena its buffers really come from); chain() is still called. */
PX_API void px_element_set_passthrough(px_element *el, bool passthrough);
/* From event() at PX_EVENT_CAPS (the streaming thread): output slots of
 * slot_size bytes from now on, when the current ones are smaller. A new
 * arena with as many slots replaces the current one, which stays until the
 * pipeline is released (buffers in flight return to it); a second growth
 * needs the first old arena drained (else PX_EAGAIN). Not per buffer: it maps
 * memory. PX_ENOTSUP with isolated elements in the pipeline, PX_EINVAL for
 * an element without output slots (passthrough, in place). */
PX_API int px_element_grow_output(px_element *el, size_t slot_size);
/* Reports a streaming error on the bus; return PX_FLOW_ERROR after it. */
PX_API void px_element_error(px_element *el, int code, const char *fmt, ...) PX_PRINTF(3, 4);
PX_API void px_element_warning(px_element *el, const char *fmt, ...) PX_PRINTF(2, 3);
/* Reads ahead from the nearest upstream source through elements that pass
 * data unchanged (see peek above). PX_ENOTSUP when there is none (a pipe, a
 * live source, a transforming element in between). */
PX_API int px_element_peek_upstream(px_element *el, uint64_t offset, void *dst, size_t size, size_t *got);
/* The fixed caps negotiated for a pad (valid from start() on), or NULL. */
PX_API const px_caps *px_element_get_caps(const px_element *el, px_pad_dir dir, int pad);
/* For chain(): an empty output slot (as the runtime gives process()), and
 * sending it on a src pad; ownership of buf passes. A non-OK flow from
 * push means stop: return it from chain(). */
PX_API int px_element_alloc_output(px_element *el, px_buffer *out);
PX_API px_flow px_element_push(px_element *el, int src_pad, px_buffer *buf);
/* Renegotiation mid-stream (CONFIG_PX_CAPS): el's output changes to caps
 * (fixed) from the next buffer it pushes on src_pad (or PX_PAD_ALL). A
 * caps event goes downstream in order with the buffers, as GStreamer's
 * does: queues keep it behind the buffers already queued; elements that
 * pass data unchanged (identity, queue, tee, funnel, selectors, valve,
 * capsfilter when the caps still fit it) forward it; sinks that accept any
 * caps (fakesink, filesink) take it. Other elements take it in event()
 * (PX_EVENT_CAPS, px_event_caps(ev); px_element_get_caps() still gives
 * the old caps there):
 * PX_OK when they reconfigured (pushing their own new output caps first
 * if their output changes), anything else refuses, with an error naming
 * the element and both caps. Elements without event() refuse. PX_FLOW_OK,
 * or PX_FLOW_ERROR when an element downstream (before the next queue)
 * refused; the pipeline then stops with that error. Not per buffer: it
 * copies caps (and a queue allocates one entry). Isolated elements cannot
 * renegotiate yet (a clear error). */
PX_API px_flow px_element_push_caps(px_element *el, int src_pad, const px_caps *caps);
/* PX_EVENT_CAPS: the new fixed caps of the sink pad; NULL for other events. */
PX_API const px_caps *px_event_caps(const px_event *ev);
/* Counts one dropped buffer in the element's stats. */
PX_API void px_element_count_drop(px_element *el);
/* Number of src pads linked (request pads included). */
PX_API int px_element_src_pad_count(const px_element *el);

/* ---- Flow control (sources) ----------------------------------------------
 * What a source's buffers do when the queue downstream of it is full:
 * BLOCK waits (backpressure, the default: files), DROP drops the new buffer
 * and counts it in the source's drops (live capture), RING drops the oldest
 * queued buffer (keep the newest). Users set it with the flow-policy and
 * max-drops properties every source has; a class picks its default from
 * start() (videotestsrc is-live=true: drop). */
typedef enum px_flow_policy {
    PX_FLOW_POLICY_BLOCK = 0,
    PX_FLOW_POLICY_DROP,
    PX_FLOW_POLICY_RING,
} px_flow_policy;

/* From start(): the policy unless the user chose one. */
PX_API void px_element_default_flow_policy(px_element *el, px_flow_policy policy);
/* True while a queue this source feeds is above its high watermark (it posted
 * PX_MSG_BUSY and not yet PX_MSG_OK): a source may lower its rate. */
PX_API bool px_element_downstream_busy(const px_element *el);
#if CONFIG_PX_FANIN
/* Fan-in (several sink pads: funnel, input-selector, concat). Inside
 * process(), chain(), consume() and event(): the index of the sink pad the
 * buffer or event arrived on (0 for elements with one sink pad). Under the
 * threads scheduler the runtime serializes entry into an element with more
 * than one linked sink pad, so its callbacks and everything downstream never
 * run concurrently, whichever thread pushes. */
PX_API int px_element_input_pad(const px_element *el);
/* Number of sink pads linked. */
PX_API int px_element_sink_pad_count(const px_element *el);
/* Pads by index (0 .. n-1 in link order): the name ("sink_2"), and the
 * number of a request pad (2), -1 for an always pad or a bad index. */
PX_API const char *px_element_pad_name(const px_element *el, px_pad_dir dir, int index);
PX_API int px_element_pad_number(const px_element *el, px_pad_dir dir, int index);
/* Index of the linked pad numbered number (sink_<number>), or -1. */
PX_API int px_element_pad_index(const px_element *el, px_pad_dir dir, int number);
/* Whether sink pad index has seen EOS. */
PX_API bool px_element_pad_is_eos(const px_element *el, int sink_index);
#endif
/* For eos_per_pad elements: sends EOS downstream on src pad src_pad (or
 * PX_PAD_ALL), once; later calls do nothing. */
PX_API void px_element_push_eos(px_element *el, int src_pad);
/* The pipeline the element is in; for px_pipeline_get_state() and
 * px_pipeline_running_time() from another thread (a watchdog). */
PX_API struct px_pipeline *px_element_get_pipeline(const px_element *el);
/* Sleeps until the pipeline's running time reaches t (ns since start): for
 * elements whose job is waiting (clocksync). Returns PX_OK, or PX_ESTATE at
 * once when the pipeline is stopping (it wakes at least every 10 ms to see). */
PX_API int px_element_wait_until(px_element *el, px_time running_time);

/* Element table: built-ins are compiled in from Kconfig; applications add theirs. */
#define PX_REGISTRY_MAX_APP 64
PX_API int px_register_element(const px_element_class *klass);
PX_API const px_element_class *px_find_element(const char *name);
/* Iterate with i = 0, 1, ... until NULL; sorted by name. */
PX_API const px_element_class *px_element_class_at(size_t i);
PX_API const px_prop *px_find_prop(const px_element_class *klass, const char *name);

static inline uint8_t px_clamp_u8(int v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}
