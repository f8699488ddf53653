/* Pipelines: build (parse or C builder), run, watch.
 *
 *   px_pipeline *p = px_pipeline_parse("fakesrc num-buffers=10 ! fakesink", &err);
 *   px_pipeline_run(p, &err);   // prepare + start + wait for EOS or error
 *   px_pipeline_free(p);
 *
 * The builder API makes the same graph:
 *
 *   px_pipeline *p = px_pipeline_new();
 *   px_element *src = px_pipeline_add(p, "fakesrc", NULL, &err);
 *   px_set(src, "num-buffers", "10", &err);
 *   px_element *sink = px_pipeline_add(p, "fakesink", NULL, &err);
 *   px_link(src, sink, &err);
 *
 * States: SUSPENDED <-> IDLE <-> RUNNING, and ERROR.
 *   IDLE       built, stopped, prepared, or paused (streaming contexts parked,
 *              queues keep their contents)
 *   RUNNING    streaming (px_pipeline_start / px_pipeline_activate)
 *   SUSPENDED  px_pipeline_suspend(): elements stopped, arenas released;
 *              prepare or start brings it back
 *   ERROR      an error reached px_pipeline_wait; stop (or suspend) leaves it
 * prepare validates the graph, negotiates, starts elements and sizes their
 * arenas (once: nothing grows while streaming). */

typedef struct px_pipeline px_pipeline;

typedef enum px_state {
    PX_STATE_IDLE = 0,
    PX_STATE_RUNNING,
    PX_STATE_ERROR,
    PX_STATE_SUSPENDED,
} px_state;

typedef enum px_scheduler {
    PX_SCHED_DEFAULT = 0, /* threads when compiled in, else coop */
    PX_SCHED_COOP_RUN,    /* everything on the calling thread, queues in round robin */
    PX_SCHED_THREADS_RUN, /* one streaming thread per source and per queue output */
    PX_SCHED_RT_RUN,      /* driver cycles: RT-safe elements on an RT thread, I/O on a reactor */
    PX_SCHED_AUTO_RUN,    /* from the elements' hints: rt when an element asks for low latency, else threads */
} px_scheduler;

PX_API px_pipeline *px_pipeline_new(void);
/* Parses gst-launch syntax. On error returns NULL and err says where (column,
 * with a caret line) and what would be accepted. */
PX_API px_pipeline *px_pipeline_parse(const char *description, px_error *err);
PX_API void px_pipeline_free(px_pipeline *p);

/* name NULL gives "<factory><n>", numbered per factory as in gst-launch:
 * fakesrc0, identity0, identity1, fakesink0. */
PX_API px_element *px_pipeline_add(px_pipeline *p, const char *factory, const char *name, px_error *err);
PX_API px_element *px_pipeline_get(px_pipeline *p, const char *name);
PX_API size_t px_pipeline_element_count(const px_pipeline *p);
PX_API px_element *px_pipeline_element_at(px_pipeline *p, size_t index);

/* Sets a property from its text form, exactly as in a pipeline description. */
PX_API int px_set(px_element *el, const char *prop, const char *value, px_error *err);
/* Writes the property's current value as text ("10", "true", "30/1", nick). */
PX_API int px_get(px_element *el, const char *prop, char *buf, size_t size, px_error *err);
/* Links the next free src pad of a to the next free sink pad of b. */
PX_API int px_link(px_element *a, px_element *b, px_error *err);
/* Links named pads ("src_%u" request pads are created by name, NULL = next free). */
PX_API int px_link_pads(px_element *a, const char *src_pad, px_element *b, const char *sink_pad,
                        px_error *err);

PX_API int px_pipeline_set_scheduler(px_pipeline *p, px_scheduler sched);
/* rt scheduler: the driver's period (10 µs .. 10 s, default 1 ms) and how many
 * buffers each RT-safe source produces per cycle (default 1). */
PX_API int px_pipeline_set_rt_period(px_pipeline *p, px_time period_ns, uint32_t quantum);
/* Negotiation inserts videoconvert/videoscale where formats do not meet
 * (default). Turned off, the conflict is reported as an error instead. */
PX_API int px_pipeline_set_auto_convert(px_pipeline *p, bool enable);
/* Validates, starts elements, allocates arenas. */
PX_API int px_pipeline_prepare(px_pipeline *p, px_error *err);
/* Starts streaming (prepares first when needed). Returns at once with threads. */
PX_API int px_pipeline_start(px_pipeline *p, px_error *err);
/* Asks sources to finish: they stop producing and EOS flows downstream. Safe
 * from any thread; async-signal-safe (an atomic store). */
PX_API void px_pipeline_send_eos(px_pipeline *p);
/* Waits for EOS or an error, up to timeout_ms (-1: forever). Returns PX_OK
 * at EOS, PX_ETIMEDOUT, or the error's code (err filled). With the coop
 * scheduler this is where streaming happens. */
PX_API int px_pipeline_wait(px_pipeline *p, int timeout_ms, px_error *err);
/* Stops streaming threads and elements; back to IDLE. */
PX_API void px_pipeline_stop(px_pipeline *p);
/* RUNNING -> IDLE: sources stop producing and queue outputs stop passing
 * data on, at a buffer boundary; queues keep what they hold. */
PX_API int px_pipeline_pause(px_pipeline *p, px_error *err);
/* IDLE -> RUNNING: resumes a paused pipeline exactly where it stopped, or
 * starts (preparing first) one that is not streaming. */
PX_API int px_pipeline_activate(px_pipeline *p, px_error *err);
/* -> SUSPENDED: stops streaming, stops elements and releases every arena. */
PX_API int px_pipeline_suspend(px_pipeline *p, px_error *err);
/* Posts PX_MSG_STATS every interval_ms while running (0: never, the default).
 * Messages are made by whoever pops the bus (px_pipeline_wait does). */
PX_API int px_pipeline_set_stats_interval(px_pipeline *p, int interval_ms);
/* Sources: flow policy and the consecutive-drop limit (0 = none; reaching it
 * is a pipeline error naming the source). Same as the flow-policy and
 * max-drops properties every source has. */
PX_API int px_element_set_flow_policy(px_element *el, px_flow_policy policy, uint32_t max_drops, px_error *err);
/* prepare + start + wait(-1) + stop. */
PX_API int px_pipeline_run(px_pipeline *p, px_error *err);
PX_API px_state px_pipeline_get_state(const px_pipeline *p);
PX_API const char *px_state_name(px_state state); /* "IDLE", "RUNNING", "ERROR" */

/* ---- Bus --------------------------------------------------------------- */

typedef enum px_message_type {
    PX_MSG_EOS = 1,
    PX_MSG_ERROR,
    PX_MSG_WARNING,
    PX_MSG_STATE_CHANGED,
    PX_MSG_ELEMENT_RESTARTED, /* an isolated element's process died and was restarted */
    PX_MSG_BUSY,  /* a queue reached its high watermark; code = fill percent, source = the queue */
    PX_MSG_OK,    /* a busy queue fell to its low watermark; code = fill percent */
    PX_MSG_STATS, /* periodic, every px_pipeline_set_stats_interval(); text = the stats JSON summary line */
} px_message_type;

typedef struct px_message {
    px_message_type type;
    int code;          /* PX_E* for errors */
    char source[64];   /* element name, or "pipeline" */
    char text[PX_ERROR_MESSAGE_MAX];
    px_state old_state, new_state;
} px_message;

/* Pops the next message, waiting up to timeout_ms (0: poll, -1: forever).
 * Returns PX_OK, or PX_ETIMEDOUT when none arrived. */
PX_API int px_pipeline_pop_message(px_pipeline *p, px_message *msg, int timeout_ms);

/* ---- Statistics (readable while running) -------------------------------- */

typedef struct px_element_stats {
    uint64_t buffers_in, buffers_out;
    uint64_t bytes_in, bytes_out;
    uint64_t drops, errors;
    uint64_t process_ns; /* time spent inside the element's callbacks */
    bool eos;            /* EOS reached this element */
    double rate;         /* buffers per second of running time (out for sources and filters, in for sinks) */
    px_time latency_avg, latency_max; /* sinks: running time at arrival minus pts (sampled), 0 when unknown */
} px_element_stats;

PX_API void px_element_get_stats(const px_element *el, px_element_stats *stats);

/* The whole pipeline's figures; safe while running (every figure is a
 * relaxed snapshot). */
typedef struct px_pipeline_stats {
    px_time running_time;      /* ns streaming, paused time excluded */
    uint64_t buffers_in_sinks; /* sum over sinks */
    uint64_t bytes_in_sinks;
    uint64_t drops, errors;    /* sum over elements */
    uint32_t arenas, arena_slots, arena_in_use, arena_high_water; /* sums over every arena */
    double arena_utilization;  /* the fullest arena now: in_use / slots */
    double arena_peak;         /* the fullest arena ever: high_water / slots */
    px_time latency_avg, latency_max; /* over sinks that saw timestamps */
    uint64_t cycles, deadline_misses; /* rt scheduler: driver cycles, cycles that overran their period */
    px_time cycle_max;         /* rt: the longest cycle's work, ns */
    px_time jitter_p50, jitter_p99, jitter_max; /* rt: cycle wake-up lateness vs the driver, ns */
} px_pipeline_stats;

PX_API void px_pipeline_get_stats(const px_pipeline *p, px_pipeline_stats *stats);
/* Nanoseconds since start (or of the whole run once stopped). */
PX_API px_time px_pipeline_running_time(const px_pipeline *p);
/* Graphviz text of the graph; after prepare it shows the negotiated caps on
 * every link and draws converters negotiation inserted dashed. */
PX_API int px_pipeline_to_dot(px_pipeline *p, char *buf, size_t size);
/* Writes the whole pipeline's figures as one JSON object. */
PX_API int px_pipeline_stats_json(px_pipeline *p, char *buf, size_t size);
