/* The pipeline graph: elements, pads, links, and the IDLE <-> RUNNING cycle. */

PX_API px_pipeline *px_pipeline_new(void)
{
    px_pipeline *p = PX_MALLOC(sizeof *p);
    if (!p)
        return NULL;
    memset(p, 0, sizeof *p);
#if CONFIG_PX_SCHED_THREADS
    px__fences_init(); /* before any streaming thread of any pipeline */
#endif
#if CONFIG_PX_SCHED_RT
    p->rt_wake_fd = -1;
#endif
    px__bus_init(p);
    return p;
}

static void px__element_free(px_element *el)
{
    if (el->state) {
        if (el->klass->fini)
            el->klass->fini(el);
        px__props_free(el);
        PX_FREE(el->state);
    }
    PX_FREE(el);
}

PX_API void px_pipeline_free(px_pipeline *p)
{
    if (!p)
        return;
    px_pipeline_stop(p);
#if CONFIG_PX_ISOLATE
    px__isolate_free(p);
#endif
    for (size_t i = 0; i < p->n_elements; i++)
        px__element_free(p->elements[i]);
    PX_FREE(p->elements);
    PX_FREE(p->description);
    PX_FREE(p->rt_ctx);
    PX_FREE((void *)p->rt_hist);
    px__bus_fini(p);
    PX_FREE(p);
}

/* ---- Elements ------------------------------------------------------------ */

static const char *px__pad_base_name(const px_pad_template *t, const char *dflt)
{
    return t->name && t->presence != PX_PAD_ON_REQUEST ? t->name : dflt;
}

static int px__check_name(px_pipeline *p, const char *name, px_error *err)
{
    size_t len = strlen(name);
    if (len == 0 || len >= PX__NAME_MAX)
        return px_error_set(err, PX_EINVAL, 0, "element name '%s' must be 1 to %d characters", name,
                            PX__NAME_MAX - 1);
    for (const char *c = name; *c; c++)
        if (*c == '.' || *c == '!' || *c == ' ' || *c == '"' || *c == '\'' || *c == '=')
            return px_error_set(err, PX_EINVAL, 0,
                                "element name '%s' contains '%c'; names may not contain . ! = quotes or spaces",
                                name, *c);
    if (px_pipeline_get(p, name))
        return px_error_set(err, PX_EINVAL, 0, "an element named '%s' already exists; names must be unique",
                            name);
    return PX_OK;
}

PX_API px_element *px_pipeline_add(px_pipeline *p, const char *factory, const char *name, px_error *err)
{
    if (!p || !factory) {
        px_error_set(err, PX_EINVAL, 0, "px_pipeline_add: pipeline and factory name are required");
        return NULL;
    }
    if (!px__at_rest(p) || p->prepared) {
        px_error_set(err, PX_ESTATE, 0, "cannot add '%s' to a prepared or running pipeline; stop it first",
                     factory);
        return NULL;
    }
    const px_element_class *k = px_find_element(factory);
    if (!k) {
        px_error_set(err, PX_ENOENT, 0, "no element '%s'", factory);
        const char *near = px__nearest_element(factory);
        if (near)
            px_error_hint(err, "did you mean '%s'?", near);
        else
            px_error_hint(err, "run parallax-launch --list-elements to see what this build has");
        return NULL;
    }
    char auto_name[PX__NAME_MAX];
    if (!name) { /* as gst-launch: numbered per factory, fakesrc0, identity0, identity1 */
        size_t same = 0;
        for (size_t i = 0; i < p->n_elements; i++)
            same += p->elements[i]->klass == k;
        do
            snprintf(auto_name, sizeof auto_name, "%.40s%zu", k->name, same++);
        while (px_pipeline_get(p, auto_name));
        name = auto_name;
    }
    if (px__check_name(p, name, err))
        return NULL;
    if (p->n_elements == p->cap_elements) {
        size_t cap = p->cap_elements ? p->cap_elements * 2 : 8;
        px_element **grown = px__regrow(p->elements, p->n_elements * sizeof *grown, cap * sizeof *grown);
        if (!grown) {
            px_error_set(err, PX_ENOMEM, 0, "out of memory adding '%s'", name);
            return NULL;
        }
        p->elements = grown;
        p->cap_elements = cap;
    }
    px_element *el = PX_MALLOC(sizeof *el);
    if (!el) {
        px_error_set(err, PX_ENOMEM, 0, "out of memory adding '%s'", name);
        return NULL;
    }
    memset(el, 0, sizeof *el);
    el->klass = k;
    el->pipeline = p;
    el->index = p->n_elements;
    px__strlcpy(el->name, name, sizeof el->name);
    if (k->sink.presence == PX_PAD_ALWAYS_PRESENT) {
        px__strlcpy(el->sink[0].name, px__pad_base_name(&k->sink, "sink"), sizeof el->sink[0].name);
        el->n_sink = 1;
    }
    if (k->src.presence == PX_PAD_ALWAYS_PRESENT) {
        px__strlcpy(el->src[0].name, px__pad_base_name(&k->src, "src"), sizeof el->src[0].name);
        el->n_src = 1;
    }
    el->state = PX_MALLOC(k->state_size ? k->state_size : 1);
    if (!el->state) {
        PX_FREE(el);
        px_error_set(err, PX_ENOMEM, 0, "out of memory adding '%s'", name);
        return NULL;
    }
    memset(el->state, 0, k->state_size ? k->state_size : 1);
    if (px__props_apply_defaults(el, err) != PX_OK || (k->init && k->init(el, err) != PX_OK)) {
        px__props_free(el);
        PX_FREE(el->state);
        PX_FREE(el);
        return NULL;
    }
    p->elements[p->n_elements++] = el;
    return el;
}

PX_API px_element *px_pipeline_get(px_pipeline *p, const char *name)
{
    for (size_t i = 0; p && name && i < p->n_elements; i++)
        if (strcmp(p->elements[i]->name, name) == 0)
            return p->elements[i];
    return NULL;
}

PX_API size_t px_pipeline_element_count(const px_pipeline *p)
{
    return p ? p->n_elements : 0;
}

PX_API px_element *px_pipeline_element_at(px_pipeline *p, size_t index)
{
    return p && index < p->n_elements ? p->elements[index] : NULL;
}

PX_API void *px_element_state(px_element *el)
{
    return el->state;
}

PX_API const char *px_element_name(const px_element *el)
{
    return el->name;
}

PX_API const px_element_class *px_element_get_class(const px_element *el)
{
    return el->klass;
}

PX_API void px_element_request_output(px_element *el, size_t slot_size, uint32_t extra_slots)
{
    el->out_slot_size = slot_size;
    el->out_extra_slots = extra_slots;
}

PX_API void px_element_set_passthrough(px_element *el, bool passthrough)
{
    el->passthrough = passthrough;
}

PX_API int px_element_grow_output(px_element *el, size_t slot_size)
{
    if (!el || !el->out_arena)
        return PX_EINVAL;
    px_arena *old = el->out_arena;
    if (slot_size <= px_arena_slot_size(old))
        return PX_OK;
    px_pipeline *p = el->pipeline;
    for (size_t i = 0; i < p->n_elements; i++)
        if (px__is_isolated(p->elements[i])) /* element processes know only the arenas they were given */
            return PX_ENOTSUP;
    if (el->out_retired) { /* grown before: that arena must have drained */
        px_arena_stats st;
        px_arena_get_stats(el->out_retired, &st);
        if (st.in_use)
            return PX_EAGAIN;
        px_arena_destroy(el->out_retired);
        el->out_retired = NULL;
    }
    px_arena *a = NULL;
    int rc = px_arena_create(&a, el->name, slot_size, px_arena_slot_count(old), PX_ARENA_BACKING_DEFAULT, NULL);
    if (rc)
        return rc;
    PX_INFO("pipeline", "%s: output slots grow from %zu to %zu bytes (%u slots)", el->name, px_arena_slot_size(old),
            slot_size, px_arena_slot_count(old));
    el->out_retired = old; /* its buffers in flight come back to it */
    el->out_slot_size = slot_size;
    el->out_arena = a;     /* not bound to a thread: releases take the shared path */
    return PX_OK;
}

PX_API int px_element_src_pad_count(const px_element *el)
{
    int n = 0;
    for (int i = 0; i < el->n_src; i++)
        n += el->src[i].peer != NULL;
    return n;
}

PX_API int px_element_set_flow_policy(px_element *el, px_flow_policy policy, uint32_t max_drops, px_error *err)
{
    if (!el || policy < PX_FLOW_POLICY_BLOCK || policy > PX_FLOW_POLICY_RING)
        return px_error_set(err, PX_EINVAL, 0, "px_element_set_flow_policy: policy must be block, drop or ring");
    if (!el->klass->produce)
        return px_error_set(err, PX_EINVAL, 0, "%s is not a source; only sources have a flow policy", el->name);
    if (!px__at_rest(el->pipeline) || el->pipeline->prepared)
        return px_error_set(err, PX_ESTATE, 0, "%s: the flow policy is set before prepare", el->name);
#if !CONFIG_PX_FLOW_POLICIES
    if (policy != PX_FLOW_POLICY_BLOCK || max_drops) /* block without a limit is what every source does */
        return px__left_out(err, el->name, max_drops ? "a drop limit" : "flow policy drop or ring", "PX_FLOW_POLICIES");
#endif
    el->flow_policy = (int)policy;
    el->flow_policy_set = true;
    el->max_drops = max_drops;
    return PX_OK;
}

PX_API void px_element_default_flow_policy(px_element *el, px_flow_policy policy)
{
#if CONFIG_PX_FLOW_POLICIES
    if (!el->flow_policy_set)
        el->flow_policy = (int)policy;
#else
    (void)el; /* every source blocks in this build (its help says so) */
    (void)policy;
#endif
}

PX_API bool px_element_downstream_busy(const px_element *el)
{
    return atomic_load_explicit(&((px_element *)el)->busy_downstream, memory_order_relaxed) > 0;
}

PX_API void px_element_count_drop(px_element *el)
{
    px__stat_add(&el->stats.drops, 1);
}

PX_API void px_element_error(px_element *el, int code, const char *fmt, ...)
{
    char text[PX_ERROR_MESSAGE_MAX - PX__NAME_MAX - 4];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    px__stat_add(&el->stats.errors, 1);
    px_pipeline *p = el->pipeline;
    bool first = !atomic_exchange(&p->error_posted, true);
    atomic_store(&p->stopping, true);
    if (first)
        px__bus_post(p, PX_MSG_ERROR, code, el->name, "%s: %s", el->name, text);
    px__wake_all(p);
}

PX_API void px_element_warning(px_element *el, const char *fmt, ...)
{
    char text[PX_ERROR_MESSAGE_MAX - PX__NAME_MAX - 4];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    px__bus_post(el->pipeline, PX_MSG_WARNING, 0, el->name, "%s: %s", el->name, text);
}

/* ---- Links --------------------------------------------------------------- */

/* Finds or creates the pad called name (NULL: the next free one) on el in
 * direction src (true) or sink; returns its index or a negative status. */
static int px__pad_for_link(px_element *el, bool src, const char *name, px_error *err)
{
    const px_pad_template *t = src ? &el->klass->src : &el->klass->sink;
    px__pad *pads = src ? el->src : el->sink;
    int *n = src ? &el->n_src : &el->n_sink;
    const char *dir = src ? "src" : "sink";

    if (t->presence == PX_PAD_NONE)
        return px_error_set(err, PX_ELINK, 0, "%s has no %s pad: %s", el->name, dir,
                            src ? "a sink cannot link downstream" : "a source cannot be linked to");
    for (int i = 0; i < *n; i++) {
        if (name ? strcmp(pads[i].name, name) == 0 : !pads[i].peer) {
            if (pads[i].peer)
                return px_error_set(err, PX_ELINK, 0, "%s:%s is already linked to %s", el->name, pads[i].name,
                                    pads[i].peer->name);
            return i;
        }
    }
    if (t->presence != PX_PAD_ON_REQUEST) {
        if (name)
            return px_error_set(err, PX_ENOENT, 0, "%s has no pad '%s'; its %s pad is '%s'", el->name, name, dir,
                                pads[0].name);
        return px_error_set(err, PX_ELINK, 0, "%s:%s is already linked to %s", el->name, pads[0].name,
                            pads[0].peer->name);
    }
    if (*n == PX__MAX_PADS)
        return px_error_set(err, PX_ELINK, 0, "%s has already %d %s pads, the most one element can have",
                            el->name, PX__MAX_PADS, dir);
    /* Request pads are named from the template ("src_%u"); a given name must fit it. */
    char made[32];
    const char *pct = strchr(t->name, '%'); /* where the number goes: "src_%u" */
    if (pct && pct[1] != 'u')
        pct = NULL;
    size_t prefix = pct ? (size_t)(pct - t->name) : strlen(t->name);
    if (name) {
        bool fits = pct && strncmp(name, t->name, prefix) == 0;
        size_t digits = 0; /* the number after the prefix: decimal digits only, no sign or spaces */
        while (fits && name[prefix + digits] >= '0' && name[prefix + digits] <= '9')
            digits++;
        if (!fits || !digits || name[prefix + digits] || strlen(name) >= sizeof made)
            return px_error_set(err, PX_ENOENT, 0, "%s has no pad '%s'; request pads are named %s", el->name,
                                name, t->name);
        px__strlcpy(made, name, sizeof made);
    } else {
        for (unsigned k = 0;; k++) { /* the lowest free number */
            snprintf(made, sizeof made, "%.*s%u", (int)prefix, t->name, k);
            bool used = false;
            for (int i = 0; i < *n; i++)
                used |= strcmp(pads[i].name, made) == 0;
            if (!used)
                break;
        }
    }
    memset(&pads[*n], 0, sizeof pads[*n]);
    px__strlcpy(pads[*n].name, made, sizeof pads[*n].name);
    return (*n)++;
}

PX_API int px_link_pads(px_element *a, const char *src_pad, px_element *b, const char *sink_pad, px_error *err)
{
    if (!a || !b)
        return px_error_set(err, PX_EINVAL, 0, "px_link: both elements are required");
    if (a == b)
        return px_error_set(err, PX_ELINK, 0, "cannot link %s to itself", a->name);
    if (a->pipeline != b->pipeline)
        return px_error_set(err, PX_ELINK, 0, "%s and %s are in different pipelines", a->name, b->name);
    if (a->pipeline->prepared || !px__at_rest(a->pipeline))
        return px_error_set(err, PX_ESTATE, 0, "cannot link while the pipeline is prepared or running");
    int sn_before = a->n_src;
    int s = px__pad_for_link(a, true, src_pad, err);
    if (s < 0)
        return s;
    int d = px__pad_for_link(b, false, sink_pad, err);
    if (d < 0) {
        a->n_src = sn_before; /* forget a request pad made for this link */
        return d;
    }
    a->src[s].peer = b;
    a->src[s].peer_pad = d;
    b->sink[d].peer = a;
    b->sink[d].peer_pad = s;
    return PX_OK;
}

PX_API int px_link(px_element *a, px_element *b, px_error *err)
{
    return px_link_pads(a, NULL, b, NULL, err);
}

/* ---- Negotiation results ------------------------------------------------ */
/* Here rather than in negotiate.c: they exist in every build, and without
 * CONFIG_PX_CAPS there are no caps to report (every pad carries ANY). */

PX_API const px_caps *px_element_get_caps(const px_element *el, px_pad_dir dir, int pad)
{
    (void)pad; /* one caps set per direction for now */
#if CONFIG_PX_CAPS
    if (el && el->caps_set && (dir == PX_DIR_SINK || dir == PX_DIR_SRC))
        return &el->caps[dir];
#else
    (void)el;
    (void)dir;
#endif
    return NULL;
}

PX_API int px_element_peek_upstream(px_element *el, uint64_t offset, void *dst, size_t size, size_t *got)
{
    *got = 0;
    for (px_element *up = el->n_sink > 0 ? el->sink[0].peer : NULL; up; up = up->n_sink > 0 ? up->sink[0].peer : NULL) {
        if (up->klass->peek)
            return up->klass->peek(up, offset, dst, size, got);
        if (!(up->klass->process && up->klass->in_place)) /* only through elements that keep the bytes */
            return PX_ENOTSUP;
    }
    return PX_ENOTSUP;
}

PX_API int px_pipeline_set_auto_convert(px_pipeline *p, bool enable)
{
    if (!p)
        return PX_EINVAL;
    if (p->prepared)
        return PX_ESTATE;
    p->no_auto_convert = !enable; /* nothing to convert without CONFIG_PX_CAPS */
    return PX_OK;
}

/* ---- Prepare ------------------------------------------------------------- */

/* Not streaming: built, stopped or suspended (the graph may change). */
static bool px__at_rest(const px_pipeline *p)
{
    px_state st = (px_state)atomic_load(&((px_pipeline *)p)->state);
    return (st == PX_STATE_IDLE || st == PX_STATE_SUSPENDED) && !atomic_load(&((px_pipeline *)p)->paused);
}

static int px__validate(px_pipeline *p, px_error *err)
{
    if (p->n_elements == 0)
        return px_error_set(err, PX_EINVAL, 0, "the pipeline is empty");
    size_t sources = 0;
    for (size_t i = 0; i < p->n_elements; i++) {
        px_element *el = p->elements[i];
        for (int j = 0; j < el->n_sink; j++)
            if (!el->sink[j].peer)
                return px_error_set(err, PX_ELINK, 0,
                                    "%s:%s is not linked; link an upstream element to it", el->name,
                                    el->sink[j].name);
        for (int j = 0; j < el->n_src; j++)
            if (!el->src[j].peer && el->klass->src.presence == PX_PAD_ALWAYS_PRESENT) {
                px_error_set(err, PX_ELINK, 0, "%s:%s is not linked", el->name, el->src[j].name);
                px_error_hint(err, "link it to a sink, e.g. '%s ! fakesink'", el->name);
                return PX_ELINK;
            }
        if (el->klass->produce)
            sources++;
        int linked = 0;
        for (int j = 0; j < el->n_sink; j++)
            linked += el->sink[j].peer != NULL;
        if (el->klass->sink.presence == PX_PAD_ON_REQUEST && linked == 0)
            return px_error_set(err, PX_ELINK, 0, "%s has no sink pad linked; link an upstream to it, e.g. 'fakesrc ! %s.'",
                                el->name, el->name);
#if !CONFIG_PX_FANIN
        if (linked > 1)
            return px_error_set(err, PX_ENOTSUP, 0, "%s: several upstreams need CONFIG_PX_FANIN", el->name);
#endif
    }
    if (sources == 0)
        return px_error_set(err, PX_EINVAL, 0, "the pipeline has no source element; start it with one, e.g. fakesrc");
    return PX_OK;
}

/* Depth-first post-order from the sources gives a reverse topological order;
 * meeting a node that is still on the stack means a loop. */
static int px__topo_visit(px_element *el, uint8_t *mark, px_element **order, size_t *n, px_error *err)
{
    if (mark[el->index] == 2)
        return PX_OK;
    if (mark[el->index] == 1)
        return px_error_set(err, PX_ELINK, 0, "the pipeline has a loop through %s; data must flow one way",
                            el->name);
    mark[el->index] = 1;
    for (int i = 0; i < el->n_src; i++)
        if (el->src[i].peer) {
            int rc = px__topo_visit(el->src[i].peer, mark, order, n, err);
            if (rc)
                return rc;
        }
    mark[el->index] = 2;
    order[(*n)++] = el;
    return PX_OK;
}

static void px__release_resources(px_pipeline *p)
{
#if CONFIG_PX_ISOLATE
    px__isolate_release(p); /* element processes end before their arenas */
#endif
    /* Every stop() first: a sink may still release buffers from any arena. */
    for (size_t i = 0; i < p->n_elements; i++) {
        px_element *el = p->elements[i];
        if (el->started && el->klass->stop)
            el->klass->stop(el);
        el->started = false;
    }
#if CONFIG_PX_FANIN
    for (size_t i = 0; i < p->n_elements; i++)
        px__fanin_release(p->elements[i]); /* parked buffers go back first */
#endif
    for (size_t i = 0; i < p->n_elements; i++) {
        px_arena_destroy(p->elements[i]->out_arena);
        p->elements[i]->out_arena = NULL;
        px_arena_destroy(p->elements[i]->out_retired);
        p->elements[i]->out_retired = NULL;
    }
    PX_FREE(p->sources);
    p->sources = NULL;
    p->n_sources = 0;
    PX_FREE(p->queues);
    p->queues = NULL;
    p->n_queues = 0;
    p->prepared = false;
}

static int px__allocate_arenas(px_element **order, size_t n, px_error *err)
{
    for (size_t i = n; i-- > 0;) { /* upstream first */
        px_element *el = order[i];
        if (px__uses_upstream_slots(el))
            continue;
        size_t size = el->out_slot_size;
        if (!size && el->n_sink > 0 && el->sink[0].peer) { /* a filter: its input's size */
            px_element *up = el->sink[0].peer;
            while (!up->out_arena && up->n_sink > 0 && up->sink[0].peer)
                up = up->sink[0].peer;
            size = up->out_arena ? px_arena_slot_size(up->out_arena) : 0;
        }
        if (!size)
            size = PX__DEFAULT_SLOT;
        uint32_t slots = PX__DEFAULT_SLOTS + el->out_extra_slots;
        int rc = px_arena_create(&el->out_arena, el->name, size, slots, PX_ARENA_BACKING_DEFAULT, err);
        if (rc)
            return rc;
    }
    return PX_OK;
}

PX_API int px_pipeline_prepare(px_pipeline *p, px_error *err)
{
    if (!p)
        return px_error_set(err, PX_EINVAL, 0, "px_pipeline_prepare: no pipeline");
    if (p->prepared)
        return PX_OK;
    if (!px__at_rest(p))
        return px_error_set(err, PX_ESTATE, 0, "the pipeline is running; stop it before preparing again");
    int rc = px__validate(p, err);
#if CONFIG_PX_SCHED_RT
    if (rc == PX_OK && px__effective_scheduler(p) == PX_SCHED_RT_RUN)
        rc = px__rt_insert_bridges(p, err); /* before negotiation: bridges pass caps through */
#endif
#if CONFIG_PX_CAPS
    if (rc == PX_OK)
        rc = px__negotiate(p, err); /* may add converters: before anything is sized */
#endif
#if CONFIG_PX_ISOLATE
    if (rc == PX_OK)
        rc = px__isolate_plan(p, err);
#endif
    if (rc)
        return rc;

    size_t n = 0;
    int sinks = 0;
    uint8_t *mark = PX_MALLOC(p->n_elements);
    px_element **order = PX_MALLOC(p->n_elements * sizeof *order);
    p->sources = PX_MALLOC(p->n_elements * sizeof *p->sources);
    p->queues = PX_MALLOC(p->n_elements * sizeof *p->queues);
    if (!mark || !order || !p->sources || !p->queues) {
        rc = px_error_set(err, PX_ENOMEM, 0, "out of memory preparing the pipeline");
        goto out;
    }
    memset(mark, 0, p->n_elements);
    for (size_t i = 0; i < p->n_elements && !rc; i++) {
        px_element *el = p->elements[i];
        if (el->klass->produce)
            p->sources[p->n_sources++] = el;
        if (el->klass->consume)
            sinks++;
        rc = px__topo_visit(el, mark, order, &n, err);
    }
    for (size_t i = 0; i < p->n_elements && !rc; i++) {
        px_element *el = p->elements[i];
        el->eos_pads = 0;
        el->sequence = 0;
        el->out_slot_size = 0;
        el->out_extra_slots = 0;
        el->passthrough = false;
        el->consecutive_drops = 0;
        atomic_store(&el->busy_downstream, 0);
        if (!el->flow_policy_set)
            el->flow_policy = PX_FLOW_POLICY_BLOCK; /* start() may choose the class default */
        memset(&el->stats, 0, sizeof el->stats);
        for (int j = 0; j < el->n_src; j++)
            el->src[j].done = false;
        for (int j = 0; j < el->n_sink; j++)
            el->sink[j].eos = false;
        el->eos_sent = false;
#if CONFIG_PX_FANIN
        rc = px__fanin_prepare(el, err); /* fan-in state; EOS flags are reset above */
#endif
        if (!rc && el->klass->start)
            rc = el->klass->start(el, err);
        el->started = rc == PX_OK;
        PX_DEBUG("pipeline", "%s: start %s", el->name, rc ? "failed" : "done");
    }
#if CONFIG_PX_ISOLATE
    if (!rc)
        rc = px__isolate_fork(p, err); /* started elements, no arenas or threads yet */
#endif
#if CONFIG_PX_ELEM_QUEUE
    for (size_t i = 0; i < p->n_elements && !rc; i++)
        if (p->elements[i]->queue) {
            p->queues[p->n_queues++] = p->elements[i];
            px__queue_plan(p->elements[i]);
        }
#endif
    if (!rc)
        rc = px__allocate_arenas(order, n, err);
#if CONFIG_PX_ISOLATE
    if (!rc)
        rc = px__isolate_spawn(p, err);
#endif
out:
    PX_FREE(mark);
    PX_FREE(order);
    if (rc) {
        px__release_resources(p);
        return rc;
    }
    atomic_store(&p->sinks_pending, sinks);
    atomic_store(&p->sources_pending, (int)p->n_sources);
    p->n_sinks = sinks;
    atomic_store(&p->eos_requested, false);
    atomic_store(&p->stopping, false);
    atomic_store(&p->eos_posted, false);
    atomic_store(&p->error_posted, false);
    atomic_store(&p->paused, false);
    p->paused_total = 0;
    p->prepared = true;
    if (atomic_load(&p->state) == PX_STATE_SUSPENDED)
        px__set_state(p, PX_STATE_IDLE);
    PX_INFO("pipeline", "prepared: %zu elements, %zu sources, %d sinks", p->n_elements, p->n_sources, sinks);
    return PX_OK;
}

/* ---- Running ------------------------------------------------------------- */

static px_scheduler px__effective_scheduler(const px_pipeline *p)
{
#if CONFIG_PX_SCHED_RT
    if (p->scheduler == PX_SCHED_RT_RUN)
        return PX_SCHED_RT_RUN;
    if (p->scheduler == PX_SCHED_AUTO_RUN) /* low-latency hints ask for driver cycles */
        for (size_t i = 0; i < p->n_elements; i++)
            if (p->elements[i]->klass->hints.latency == PX_LATENCY_LOW)
                return PX_SCHED_RT_RUN;
#endif
#if CONFIG_PX_SCHED_THREADS
    if (p->scheduler != PX_SCHED_COOP_RUN)
        return PX_SCHED_THREADS_RUN;
#endif
    (void)p;
    return PX_SCHED_COOP_RUN;
}

PX_API int px_pipeline_set_scheduler(px_pipeline *p, px_scheduler sched)
{
    if (!p)
        return PX_EINVAL;
    if (!px__at_rest(p))
        return PX_ESTATE;
#if !CONFIG_PX_SCHED_THREADS
    if (sched == PX_SCHED_THREADS_RUN)
        return PX_ENOTSUP;
#endif
#if !CONFIG_PX_SCHED_COOP
    if (sched == PX_SCHED_COOP_RUN)
        return PX_ENOTSUP;
#endif
#if !CONFIG_PX_SCHED_RT
    if (sched == PX_SCHED_RT_RUN)
        return PX_ENOTSUP;
#endif
    if (sched < PX_SCHED_DEFAULT || sched > PX_SCHED_AUTO_RUN)
        return PX_EINVAL;
    p->scheduler = sched;
    return PX_OK;
}

static void px__set_state(px_pipeline *p, px_state s)
{
    px_state old = (px_state)atomic_exchange(&p->state, (int)s);
    if (old != s) {
        px__bus_post_state(p, old, s);
        PX_INFO("pipeline", "state %s -> %s", px_state_name(old), px_state_name(s));
    }
}

PX_API int px_pipeline_start(px_pipeline *p, px_error *err)
{
    if (!p)
        return px_error_set(err, PX_EINVAL, 0, "px_pipeline_start: no pipeline");
    if (atomic_load(&p->paused))
        return px_pipeline_activate(p, err);
    if (atomic_load(&p->state) == PX_STATE_RUNNING)
        return PX_OK;
    int rc = px_pipeline_prepare(p, err);
    if (rc)
        return rc;
    p->start_ns = px__now();
    p->end_ns = 0;
    p->result_ready = false;
    px__set_state(p, PX_STATE_RUNNING);
    if (px__effective_scheduler(p) == PX_SCHED_COOP_RUN) {
        for (size_t i = 0; i < p->n_sources; i++)
            px__bind_chain(p->sources[i]); /* coop streams on this thread */
        for (size_t i = 0; i < p->n_queues; i++)
            for (int j = 0; j < p->queues[i]->n_src; j++)
                if (p->queues[i]->src[j].peer)
                    px__bind_chain(p->queues[i]->src[j].peer);
    }
#if CONFIG_PX_SCHED_THREADS
    if (px__effective_scheduler(p) != PX_SCHED_COOP_RUN) {
#if CONFIG_PX_SCHED_RT
        rc = px__effective_scheduler(p) == PX_SCHED_RT_RUN ? px__rt_start(p, err) : px__threads_start(p, err);
#else
        rc = px__threads_start(p, err);
#endif
        if (rc) {
            px__release_resources(p);
            px__set_state(p, PX_STATE_IDLE);
        }
    }
#endif
    return rc;
}

PX_API void px_pipeline_send_eos(px_pipeline *p)
{
    if (!p)
        return;
    atomic_store(&p->eos_requested, true);
#if CONFIG_PX_SCHED_RT
    px__rt_wake_reactor(p); /* a reactor asleep on a quiet fd: its sources finish now */
#endif
}

PX_API void px_pipeline_stop(px_pipeline *p)
{
    if (!p)
        return;
    atomic_store(&p->stopping, true);
    px__wake_all(p);
#if CONFIG_PX_SCHED_THREADS
    px__threads_join(p);
#endif
#if CONFIG_PX_SCHED_RT
    px__rt_stop(p);
#endif
    atomic_store(&p->paused, false);
    if (p->start_ns && !p->end_ns)
        p->end_ns = px__now();
    if (p->prepared)
        px__release_resources(p);
    px_state st = (px_state)atomic_load(&p->state);
    if (st != PX_STATE_IDLE && st != PX_STATE_SUSPENDED)
        px__set_state(p, PX_STATE_IDLE);
}

/* ---- State machine: SUSPENDED <-> IDLE <-> RUNNING, and ERROR -------------- */

PX_API int px_pipeline_activate(px_pipeline *p, px_error *err)
{
    if (!p)
        return px_error_set(err, PX_EINVAL, 0, "px_pipeline_activate: no pipeline");
    if (atomic_load(&p->paused)) { /* resume: the parked contexts go on where they stopped */
        p->paused_total += px__now() - p->paused_at;
        atomic_store(&p->paused, false);
        px__wake_all(p);
        px__set_state(p, PX_STATE_RUNNING);
        return PX_OK;
    }
    return px_pipeline_start(p, err);
}

PX_API int px_pipeline_pause(px_pipeline *p, px_error *err)
{
    if (!p)
        return px_error_set(err, PX_EINVAL, 0, "px_pipeline_pause: no pipeline");
    if (atomic_load(&p->paused))
        return PX_OK;
    if (atomic_load(&p->state) != PX_STATE_RUNNING)
        return px_error_set(err, PX_ESTATE, 0, "cannot pause a pipeline that is %s; pause needs RUNNING",
                            px_state_name(px_pipeline_get_state(p)));
    p->paused_at = px__now();
    atomic_store(&p->paused, true);
    px__set_state(p, PX_STATE_IDLE);
#if CONFIG_PX_SCHED_THREADS
    /* Best effort: let the contexts reach their pause point (a source blocked
     * on a full queue is not producing either). */
    for (int i = 0; i < 200 && (size_t)atomic_load(&p->parked) < p->n_threads; i++) {
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
#endif
    return PX_OK;
}

PX_API int px_pipeline_suspend(px_pipeline *p, px_error *err)
{
    if (!p)
        return px_error_set(err, PX_EINVAL, 0, "px_pipeline_suspend: no pipeline");
    px_pipeline_stop(p); /* releases arenas and stops elements */
    if (atomic_load(&p->state) != PX_STATE_SUSPENDED)
        px__set_state(p, PX_STATE_SUSPENDED);
    return PX_OK;
}

PX_API int px_pipeline_set_rt_period(px_pipeline *p, px_time period_ns, uint32_t quantum)
{
#if !CONFIG_PX_SCHED_RT
    (void)p;
    (void)period_ns;
    (void)quantum;
    return PX_ENOTSUP;
#else
    if (!p || period_ns < 10 * PX_USECOND || period_ns > 10 * PX_SECOND || quantum == 0)
        return PX_EINVAL;
    if (!px__at_rest(p))
        return PX_ESTATE;
    p->rt_period = period_ns;
    p->rt_quantum = quantum;
    return PX_OK;
#endif
}

PX_API int px_pipeline_set_stats_interval(px_pipeline *p, int interval_ms)
{
    if (!p || interval_ms < 0)
        return PX_EINVAL;
#if !CONFIG_PX_STATS_PERIODIC
    if (interval_ms) {
        PX_ERR("pipeline", "px_pipeline_set_stats_interval: periodic stats are left out of this build "
                           "(CONFIG_PX_STATS_PERIODIC)");
        return PX_ENOTSUP;
    }
#endif
    p->stats_interval = (px_time)interval_ms * PX_MSECOND;
    p->next_stats = 0;
    return PX_OK;
}

PX_API px_state px_pipeline_get_state(const px_pipeline *p)
{
    return (px_state)atomic_load(&((px_pipeline *)p)->state);
}

PX_API const char *px_state_name(px_state state)
{
    switch (state) {
    case PX_STATE_IDLE: return "IDLE";
    case PX_STATE_RUNNING: return "RUNNING";
    case PX_STATE_ERROR: return "ERROR";
    case PX_STATE_SUSPENDED: return "SUSPENDED";
    }
    return "?";
}

PX_API int px_pipeline_wait(px_pipeline *p, int timeout_ms, px_error *err)
{
    if (!p)
        return px_error_set(err, PX_EINVAL, 0, "px_pipeline_wait: no pipeline");
    px_time deadline = timeout_ms < 0 ? 0 : px__now() + (px_time)timeout_ms * PX_MSECOND;
    for (;;) {
        px_state st = (px_state)atomic_load(&p->state);
        bool running = st == PX_STATE_RUNNING || st == PX_STATE_ERROR || atomic_load(&p->paused);
        /* The end was reached and its message already taken (by an earlier
         * wait or pop_message): say it again rather than wait for nothing.
         * Ended but not yet taken: the message is on its way to the bus (it
         * is posted just after the flag is set), so wait for it as usual. */
        if (running && (atomic_load(&p->eos_posted) || atomic_load(&p->error_posted)) && px__bus_result_taken(p))
            return p->result.code ? px_error_set(err, p->result.code, 0, "%s", p->result.message) : PX_OK;
        int left = running ? -1 : 0;
        if (left < 0 && timeout_ms >= 0) {
            px_time rest = deadline - px__now();
            left = rest <= 0 ? 0 : (int)((rest + PX_MSECOND - 1) / PX_MSECOND);
        }
        px_message m;
        if (px_pipeline_pop_message(p, &m, left) != PX_OK) {
            if (!running)
                return px_error_set(err, PX_ESTATE, 0, "the pipeline is not running; start it first");
            bool ended = atomic_load(&p->eos_posted) || atomic_load(&p->error_posted);
            if (!ended || (timeout_ms >= 0 && px__now() >= deadline))
                return PX_ETIMEDOUT;
            continue; /* its message is on its way, or another thread took it: the check above answers */
        }
        if (m.type == PX_MSG_EOS || m.type == PX_MSG_ERROR) { /* px__bus_take kept it in p->result */
            p->end_ns = px__now();
            if (m.type == PX_MSG_EOS)
                return PX_OK;
            if (atomic_load(&p->state) == PX_STATE_RUNNING)
                px__set_state(p, PX_STATE_ERROR);
            return px_error_set(err, p->result.code, 0, "%s", m.text);
        }
        if (m.type == PX_MSG_WARNING)
            PX_WARN("pipeline", "%s", m.text);
    }
}

PX_API int px_pipeline_run(px_pipeline *p, px_error *err)
{
    int rc = px_pipeline_start(p, err);
    if (rc)
        return rc;
    rc = px_pipeline_wait(p, -1, err);
    px_pipeline_stop(p);
    return rc;
}

PX_API px_time px_pipeline_running_time(const px_pipeline *p)
{
    if (!p->start_ns)
        return 0;
    px_time now = p->end_ns ? p->end_ns : px__now();
    px_time paused = p->paused_total + (atomic_load(&((px_pipeline *)p)->paused) ? now - p->paused_at : 0);
    return now - p->start_ns - paused;
}
