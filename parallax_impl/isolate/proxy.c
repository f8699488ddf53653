/* The supervisor: plans which elements run where, starts the zygote and the
 * element processes, stands in for each isolated element in the parent's
 * graph (a proxy class), and restarts processes that die.
 *
 * Per buffer a proxy pushes one slot reference on its element's request
 * ring and wakes the child only if it sleeps. Calls are pipelined: up to a
 * window of requests is in flight, replies are finished in order on the
 * streaming thread, and only a full window, EOS or the end of a run waits
 * (a short spin, then a futex sleep in 10 ms steps that also watch the
 * child's pidfd and the time limit). Nothing is allocated or locked per
 * buffer. */

#include <dirent.h>
#include <fnmatch.h>

static px__iso *px__iso_of(px_pipeline *p)
{
    if (!p->iso) {
        p->iso = PX_MALLOC(sizeof *p->iso);
        if (!p->iso)
            return NULL;
        memset(p->iso, 0, sizeof *p->iso);
        px_isolate_policy_defaults(&p->iso->policy);
        p->iso->zygote_fd = -1;
        pthread_mutex_init(&p->iso->zlock, NULL);
    }
    return p->iso;
}

/* ---- API ------------------------------------------------------------------------ */

PX_API void px_isolate_policy_defaults(px_isolate_policy *policy)
{
    if (!policy)
        return;
    memset(policy, 0, sizeof *policy);
    policy->max_restarts = 5;
    policy->window_ms = 10000;
    policy->memory_limit = (uint64_t)256 << 20;
    policy->window = PX__ISO_WINDOW_DEFAULT;
}

PX_API int px_pipeline_set_isolation(px_pipeline *p, px_isolation mode, const char *patterns, px_error *err)
{
    if (!p)
        return px_error_set(err, PX_EINVAL, 0, "px_pipeline_set_isolation: no pipeline");
    if (p->prepared || atomic_load(&p->state) != PX_STATE_IDLE)
        return px_error_set(err, PX_ESTATE, 0, "isolation is set before prepare; stop the pipeline first");
    if ((int)mode < PX_ISOLATE_NONE || mode > PX_ISOLATE_AUTO)
        return px_error_set(err, PX_EINVAL, 0,
                            "isolation mode %d is unknown: accepted are PX_ISOLATE_NONE, PX_ISOLATE_ALL, "
                            "PX_ISOLATE_PATTERNS and PX_ISOLATE_AUTO",
                            (int)mode);
    if (mode == PX_ISOLATE_PATTERNS && (!patterns || !*patterns))
        return px_error_set(err, PX_EINVAL, 0,
                            "isolation by patterns needs a comma-separated list of globs, e.g. '*dec*,*demux*'");
    px__iso *iso = px__iso_of(p);
    if (!iso)
        return px_error_set(err, PX_ENOMEM, 0, "out of memory");
    char *copy = NULL;
    if (mode == PX_ISOLATE_PATTERNS) {
        size_t n = strlen(patterns);
        copy = PX_MALLOC(n + 1);
        if (!copy)
            return px_error_set(err, PX_ENOMEM, 0, "out of memory");
        memcpy(copy, patterns, n + 1);
    }
    PX_FREE(iso->patterns);
    iso->patterns = copy;
    iso->mode = mode;
    return PX_OK;
}

PX_API int px_element_set_isolation_group(px_element *el, const char *group, px_error *err)
{
    if (!el)
        return px_error_set(err, PX_EINVAL, 0, "px_element_set_isolation_group: no element");
    px_pipeline *p = el->pipeline;
    if (p->prepared)
        return px_error_set(err, PX_ESTATE, 0, "%s: isolation groups are set before prepare", el->name);
    if (group && (!*group || strlen(group) >= PX__NAME_MAX))
        return px_error_set(err, PX_EINVAL, 0, "%s: isolation group name must be 1 to %d characters", el->name,
                            PX__NAME_MAX - 1);
    px__iso *iso = px__iso_of(p);
    if (!iso)
        return px_error_set(err, PX_ENOMEM, 0, "out of memory");
    int at = -1;
    for (int i = 0; i < iso->n_groups; i++)
        if (iso->groups[i].element == el->index)
            at = i;
    if (!group) {
        if (at >= 0)
            iso->groups[at] = iso->groups[--iso->n_groups];
        return PX_OK;
    }
    if (at < 0) {
        if (iso->n_groups == (int)(sizeof iso->groups / sizeof iso->groups[0]))
            return px_error_set(err, PX_ENOMEM, 0, "%s: at most %zu elements can be given isolation groups",
                                el->name, sizeof iso->groups / sizeof iso->groups[0]);
        at = iso->n_groups++;
    }
    iso->groups[at].element = el->index;
    px__strlcpy(iso->groups[at].name, group, sizeof iso->groups[at].name);
    return PX_OK;
}

PX_API int px_pipeline_set_isolation_policy(px_pipeline *p, const px_isolate_policy *policy, px_error *err)
{
    if (!p || !policy)
        return px_error_set(err, PX_EINVAL, 0, "px_pipeline_set_isolation_policy: pipeline and policy are required");
    if (p->prepared)
        return px_error_set(err, PX_ESTATE, 0, "the isolation policy is set before prepare");
    if (policy->max_restarts < 0 || policy->window_ms < 0 || policy->backoff_ms < 0 || policy->timeout_ms < 0 ||
        policy->cpu_seconds < 0)
        return px_error_set(err, PX_EINVAL, 0,
                            "isolation policy: max_restarts, window_ms, backoff_ms, timeout_ms and cpu_seconds "
                            "must be 0 or more");
    if (policy->window < 0 || policy->window > PX__ISO_WINDOW_MAX)
        return px_error_set(err, PX_EINVAL, 0,
                            "isolation policy: window %d is out of range: 1 to %d requests in flight (0 = default %d)",
                            policy->window, PX__ISO_WINDOW_MAX, PX__ISO_WINDOW_DEFAULT);
    px__iso *iso = px__iso_of(p);
    if (!iso)
        return px_error_set(err, PX_ENOMEM, 0, "out of memory");
    iso->policy = *policy;
    return PX_OK;
}

PX_API int px_element_get_isolation_stats(const px_element *el, px_isolation_stats *stats)
{
    if (!el || !stats)
        return PX_EINVAL;
    const px__iso *iso = el->pipeline->iso;
    memset(stats, 0, sizeof *stats);
    if (!iso || el->index >= iso->n_proxies || !iso->proxies[el->index].stats.isolated)
        return PX_OK;
    const px__proxy *x = &iso->proxies[el->index];
    *stats = x->stats;
    stats->pid = x->proc ? atomic_load(&x->proc->pid) : 0;
    return PX_OK;
}

PX_API const char *px_isolate_report(const px_pipeline *p)
{
    return p && p->iso ? p->iso->report : "";
}

/* ---- Planning ---------------------------------------------------------------------- */

static bool px__matches(const char *patterns, const px_element *el)
{
    const char *s = patterns;
    while (s && *s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char pat[128];
        if (n && n < sizeof pat) {
            memcpy(pat, s, n);
            pat[n] = '\0';
            if (fnmatch(pat, el->name, 0) == 0 || fnmatch(pat, el->klass->name, 0) == 0)
                return true;
        }
        s = e ? e + 1 : NULL;
    }
    return false;
}

static unsigned px__env_disable(void)
{
    const char *s = getenv("PX_ISOLATE_DISABLE");
    unsigned d = 0;
    if (!s)
        return 0;
    if (strstr(s, "seals"))
        d |= PX_ISOLATE_NO_SEALS;
    if (strstr(s, "uid"))
        d |= PX_ISOLATE_NO_UID;
    if (strstr(s, "seccomp"))
        d |= PX_ISOLATE_NO_SECCOMP;
    if (strstr(s, "namespaces"))
        d |= PX_ISOLATE_NO_NAMESPACES;
    if (strstr(s, "limits"))
        d |= PX_ISOLATE_NO_LIMITS;
    if (strstr(s, "cgroup"))
        d |= PX_ISOLATE_NO_CGROUP;
    if (strstr(s, "membarrier"))
        d |= PX_ISOLATE_NO_MEMBARRIER;
    return d;
}

static int px__proxy_start(px_element *el, px_error *err);
static px_flow px__proxy_produce(px_element *el, px_buffer *out);
static px_flow px__proxy_filter(px_element *el, const px_buffer *in);
static px_flow px__proxy_consume(px_element *el, const px_buffer *in);
static px_flow px__proxy_chain(px_element *el, const px_buffer *in);
static int px__proxy_event(px_element *el, const px_event *ev);
static void px__isolate_release(px_pipeline *p);
static void px__unlend(px__proxy *x);

static px__iso_proc *px__proc_for(px__iso *iso, const char *label)
{
    for (int i = 0; i < iso->n_procs; i++)
        if (label && strcmp(iso->procs[i].key, label) == 0 && iso->procs[i].n_members < PX__ISO_MAX_GROUP)
            return &iso->procs[i];
    px__iso_proc *pr = &iso->procs[iso->n_procs];
    memset(pr, 0, sizeof *pr);
    pr->iso = iso;
    pr->index = iso->n_procs++;
    pr->ctl_fd = pr->chan_fd = pr->pidfd = -1;
    pr->died_status = -1;
    pthread_mutex_init(&pr->lock, NULL);
    px__strlcpy(pr->key, label ? label : "", sizeof pr->key);
    return pr;
}

/* After negotiation, before start(): decides who is isolated and installs
 * the proxies (their start() records which files the element opens). */
static int px__isolate_plan(px_pipeline *p, px_error *err)
{
    px__iso *iso = p->iso;
    if (!iso || (iso->mode == PX_ISOLATE_NONE && iso->n_groups == 0))
        return PX_OK;
    iso->policy.disable |= px__env_disable();
    PX_FREE(iso->proxies);
    iso->proxies = PX_MALLOC(p->n_elements * sizeof *iso->proxies);
    iso->procs = PX_MALLOC(p->n_elements * sizeof *iso->procs);
    if (!iso->proxies || !iso->procs) {
        PX_FREE(iso->proxies);
        PX_FREE(iso->procs);
        iso->proxies = NULL;
        iso->procs = NULL;
        return px_error_set(err, PX_ENOMEM, 0, "out of memory planning isolation");
    }
    memset(iso->proxies, 0, p->n_elements * sizeof *iso->proxies);
    iso->n_proxies = p->n_elements;
    iso->n_procs = 0;
    iso->report[0] = '\0';
    iso->active = true;
    for (size_t i = 0; i < p->n_elements; i++) {
        px_element *el = p->elements[i];
        const px_element_class *k = el->klass;
        const char *group = NULL;
        for (int g = 0; g < iso->n_groups; g++)
            if (iso->groups[g].element == i)
                group = iso->groups[g].name;
        bool want = group != NULL;
        if (!want && iso->mode == PX_ISOLATE_ALL)
            want = true;
        else if (!want && iso->mode == PX_ISOLATE_PATTERNS && px__matches(iso->patterns, el))
            want = true, group = "\x01patterns";
        else if (!want && iso->mode == PX_ISOLATE_AUTO)
            want = k->hints.trust == PX_TRUST_UNTRUSTED || k->hints.native_code;
        if (!want)
            continue;
        /* Queues (thread boundaries) are known once started (el->queue):
         * px__isolate_fork takes them back out. */
        /* One call in flight per element (its rings are single-producer):
         * an element fed by several pads may be called from several
         * streaming threads at once, so it stays in-process for now. */
        int linked = 0;
        for (int j = 0; j < el->n_sink; j++)
            linked += el->sink[j].peer != NULL;
        if (linked > 1) {
            PX_WARN("isolate", "%s: elements fed by several pads stay in-process in this version", el->name);
            continue;
        }
        if (!k->produce && !k->process && !k->consume && !k->chain)
            continue;
        px__proxy *x = &iso->proxies[i];
        x->el = el;
        x->orig = k;
        x->klass = *k;
        x->klass.start = px__proxy_start;
        /* The child writes into an output slot (inputs are read-only there),
         * unless process() only reads: then its input slot goes on. */
        x->klass.in_place = k->in_place && k->reads_only;
        x->klass.produce = k->produce ? px__proxy_produce : NULL;
        /* process() becomes chain() here: the proxy returns before the
         * reply and pushes outputs itself, in order, as replies come. */
        x->klass.process = NULL;
        x->klass.consume = k->consume ? px__proxy_consume : NULL;
        x->klass.chain = k->chain ? px__proxy_chain : k->process ? px__proxy_filter : NULL;
        x->klass.event = px__proxy_event; /* EOS drains what is in flight, event() or not */
        x->stats.isolated = true;
        px__iso_proc *pr = px__proc_for(iso, group);
        x->proc = pr;
        x->member = pr->n_members;
        pr->members[pr->n_members++] = x;
        if (k->family && strstr(k->family, "Network"))
            pr->profile = PX__PROFILE_NETWORK;
        if (!pr->label[0])
            px__strlcpy(pr->label, el->name, sizeof pr->label);
        el->klass = &x->klass;
        el->isolate = x;
    }
    if (iso->n_procs == 0)
        iso->active = false;
#if !CONFIG_PX_SANDBOX_SECCOMP
    static _Atomic bool said;
    if (iso->n_procs && !atomic_exchange(&said, true))
        PX_WARN("isolate", "syscall filtering is off: this build has no libseccomp (CONFIG_PX_SANDBOX_SECCOMP=0); "
                           "element processes are still isolated by uid, namespaces and limits");
#endif
    return PX_OK;
}

/* ---- The files start() opens become the child's ------------------------------------ */

static int px__open_fds(uint64_t *bits, int words)
{
    memset(bits, 0, (size_t)words * sizeof *bits);
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return PX_EIO;
    int self = dirfd(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd == self || fd >= words * 64)
            continue;
        bits[fd / 64] |= UINT64_C(1) << (fd % 64);
    }
    closedir(d);
    return PX_OK;
}

static int px__proxy_start(px_element *el, px_error *err)
{
    px__proxy *x = el->isolate;
    uint64_t before[16], after[16];
    bool snap = px__open_fds(before, 16) == PX_OK;
    int rc = x->orig->start ? x->orig->start(el, err) : PX_OK;
    x->n_keep = 0;
    if (rc == PX_OK && snap && px__open_fds(after, 16) == PX_OK)
        for (int fd = 0; fd < 16 * 64; fd++)
            if ((after[fd / 64] & ~before[fd / 64]) & (UINT64_C(1) << (fd % 64))) {
                if (x->n_keep == PX__ISO_MAX_KEEP) {
                    x->orig->stop ? x->orig->stop(el) : (void)0;
                    return px_error_set(err, PX_ENOTSUP, 0,
                                        "%s: opens more than %d files in start(); it cannot be isolated", el->name,
                                        PX__ISO_MAX_KEEP);
                }
                x->keep[x->n_keep++] = fd;
            }
    return rc;
}

/* ---- The zygote -------------------------------------------------------------------------- */

/* Thread boundaries belong to the scheduler, not to a sandbox: a queue's
 * own thread pushing from inside a child would bypass it. A queue marks
 * itself in start() (el->queue), so the plan is undone for it here. */
static void px__unplan_queues(px__iso *iso)
{
    int live = 0;
    for (int i = 0; i < iso->n_procs; i++) {
        px__iso_proc *pr = &iso->procs[i];
        for (int m = 0; m < pr->n_members;) {
            px__proxy *x = pr->members[m];
            if (!x->el->queue) {
                x->member = m++;
                continue;
            }
            if (pr->key[0])
                PX_WARN("isolate", "%s: queue elements stay in the supervisor", x->el->name);
            x->el->klass = x->orig;
            x->el->isolate = NULL;
            memset(x, 0, sizeof *x);
            memmove(&pr->members[m], &pr->members[m + 1], (size_t)(pr->n_members - m - 1) * sizeof pr->members[0]);
            pr->n_members--;
        }
        if (pr->n_members) {
            live++;
            px__strlcpy(pr->label, pr->members[0]->el->name, sizeof pr->label);
        }
    }
    if (!live)
        iso->active = false;
}

/* Whether el gets an output arena of its own (px__allocate_arenas). */
static bool px__has_arena(const px_element *el)
{
    return !px__uses_upstream_slots(el);
}

/* Whether a source upstream of el is live (drops or rings rather than
 * blocks): a buffer held in a window there would wait for the next frame. */
static bool px__live_upstream(const px_element *el)
{
    for (int s = 0; s < el->n_sink; s++) {
        const px_element *up = el->sink[s].peer;
        if (up && ((up->klass->produce && up->flow_policy != PX_FLOW_POLICY_BLOCK) || px__live_upstream(up)))
            return true;
    }
    return false;
}

/* Whether el's outputs reach a fan-in element on this thread (no queue
 * between): under coop a fan-in parks one buffer per source step, and a
 * window would hand it several. */
static bool px__feeds_fanin(const px_element *el, bool through_queues)
{
    for (int s = 0; s < el->n_src; s++) {
        const px_element *dn = el->src[s].peer;
        if (dn && (through_queues || !dn->queue) && (dn->fanin || px__feeds_fanin(dn, through_queues)))
            return true;
    }
    return false;
}

/* Whether x's process also runs a chain() element. */
static bool px__shares_with_chain(const px__proxy *x)
{
    for (int m = 0; m < x->proc->n_members; m++)
        if (x->proc->members[m] != x && x->proc->members[m]->orig->chain)
            return true;
    return false;
}

/* After start() (sources have their flow policy), before arenas: how many
 * requests each proxy keeps in flight, and the slots that takes: its own
 * outputs in flight, and its inputs, held until their replies, in the
 * arena that feeds each sink pad. */
static void px__plan_windows(px_pipeline *p, px__iso *iso)
{
    int w = iso->policy.window ? iso->policy.window : PX__ISO_WINDOW_DEFAULT;
    const char *env = getenv("PX_ISOLATE_WINDOW"); /* benchmarks and tests: 1 to 16 */
    if (env && atoi(env) >= 1 && atoi(env) <= PX__ISO_WINDOW_MAX)
        w = atoi(env);
    bool rt = px__effective_scheduler(p) == PX_SCHED_RT_RUN;
    bool coop = px__effective_scheduler(p) == PX_SCHED_COOP_RUN;
    for (size_t i = 0; i < iso->n_proxies; i++) {
        px__proxy *x = &iso->proxies[i];
        px_element *el = x->el;
        if (!el)
            continue;
        x->window = (uint32_t)w;
        if (x->orig->chain) /* lends share the request ring: one call at a time */
            x->window = 1;
        else if (!x->orig->produce && (rt || x->orig->hints.latency == PX_LATENCY_LOW || px__live_upstream(el)))
            x->window = 1; /* live: an output must not wait for the next input */
        else if (coop && px__feeds_fanin(el, true))
            x->window = 1; /* under coop a queue on the way is no boundary: a full one parks, and outputs a
                              window delivers late would find it full (the source's step then failed) */
        else if (px__shares_with_chain(x))
            x->window = 1; /* a chain() member's restart of the process would lose this one's window */
        if (x->window <= 1)
            continue;
        if (!x->orig->consume)
            el->out_extra_slots += x->window;
        for (int s = 0; s < el->n_sink; s++) {
            px_element *up = el->sink[s].peer;
            while (up && !px__has_arena(up) && up->n_sink > 0)
                up = up->sink[0].peer;
            if (up)
                up->out_extra_slots += x->window;
        }
    }
}

/* After every start(), before arenas: fork the zygote. */
static int px__isolate_fork(px_pipeline *p, px_error *err)
{
    px__iso *iso = p->iso;
    if (iso && iso->active)
        px__unplan_queues(iso);
    if (!iso || !iso->active)
        return PX_OK;
    px__plan_windows(p, iso);
    for (size_t i = 0; i < iso->n_proxies; i++) /* before arenas: room for the pools' cells */
        if (iso->proxies[i].el && iso->proxies[i].orig->chain)
            px__pool_size(&iso->proxies[i]);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return px_error_set(err, PX_EIO, 0, "isolation: socketpair failed: %s", strerror(errno));
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return px_error_set(err, PX_ENOMEM, 0, "isolation: cannot fork the zygote: %s", strerror(errno));
    }
    if (pid == 0) {
        close(sv[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        px__zygote_main(p, sv[1]);
    }
    close(sv[1]);
    iso->zygote_pid = (int)pid;
    iso->zygote_fd = sv[0];
    iso->next_uid = 200000u + ((uint32_t)pid % 4096u) * 64u;
    return PX_OK;
}

/* Reads zygote messages until one of type want for proc arrives; deaths
 * of other processes are noted on the way. Caller holds zlock. */
static int px__zygote_wait(px__iso *iso, int want, int proc, px__zmsg *out, int timeout_ms)
{
    px_time deadline = px__now() + (px_time)timeout_ms * PX_MSECOND;
    for (;;) {
        int left = (int)((deadline - px__now()) / PX_MSECOND);
        if (left < 0)
            return PX_ETIMEDOUT;
        px__zmsg m;
        int fds[4];
        int n = px__recv_fds(iso->zygote_fd, &m, sizeof m, fds, 4, left);
        if (n < 0)
            return n;
        for (int i = 0; i < n; i++)
            close(fds[i]);
        if (m.magic != PX__ISO_MAGIC || m.version != PX__ISO_VERSION)
            return PX_EIO;
        if (m.type == PX__Z_DIED && m.proc >= 0 && m.proc < iso->n_procs) {
            px__iso_proc *pr = &iso->procs[m.proc];
            if (m.pid == atomic_load(&pr->pid) || pr->died_status < 0) {
                pr->died_status = m.status;
                pr->died_oom = m.size != 0;
            }
        }
        if ((m.type == want || (m.type == PX__Z_FAILED && want != PX__Z_DIED)) && m.proc == proc) {
            *out = m;
            return m.type == PX__Z_FAILED ? PX_EIO : PX_OK;
        }
        if (want == PX__Z_DIED && m.type == PX__Z_DIED && m.proc == proc) {
            *out = m;
            return PX_OK;
        }
    }
}

static px_arena *px__input_arena(px_element *el, int pad)
{
    px_element *up = el->sink[pad].peer;
    while (up && !up->out_arena && up->n_sink > 0)
        up = up->sink[0].peer;
    return up ? up->out_arena : NULL;
}

static int px__proc_spawn(px__iso *iso, px__iso_proc *pr, px_error *err);

/* The arenas buffers on el's sink pad come from: the nearest upstream one,
 * and where its element is a chain() element (it may forward its input by
 * reference, as ivfmux and av1parse do), the arenas of its inputs too. */
static void px__add_inputs(px__proxy *x, px_element *el, int pad, int depth)
{
    px_element *up = el->sink[pad].peer;
    while (up && !up->out_arena && up->n_sink > 0)
        up = up->sink[0].peer;
    if (!up || !up->out_arena || px_arena_data_fd(up->out_arena) < 0)
        return;
    bool dup = false;
    for (int k = 0; k < x->n_inputs; k++)
        dup |= x->inputs[k] == up->out_arena;
    if (!dup && x->n_inputs < PX__ISO_MAX_IN)
        x->inputs[x->n_inputs++] = up->out_arena;
    const px_element_class *k = up->isolate ? up->isolate->orig : up->klass;
    for (int s = 0; k->chain && depth < PX__ISO_MAX_IN && s < up->n_sink; s++)
        px__add_inputs(x, up, s, depth + 1);
}

/* After arenas exist: the zygote maps what children write, the arenas
 * children read are sealed, and every element process is started. */
static int px__isolate_spawn(px_pipeline *p, px_error *err)
{
    px__iso *iso = p->iso;
    if (!iso || !iso->active)
        return PX_OK;
    unsigned dis = iso->policy.disable;
    uint32_t map_id = 0;
    for (size_t i = 0; i < iso->n_proxies; i++) {
        px__proxy *x = &iso->proxies[i];
        if (!x->el)
            continue;
        px_element *el = x->el;
        x->n_inputs = 0;
        for (int s = 0; s < el->n_sink && s < PX__ISO_MAX_IN; s++) {
            px_arena *a = px__input_arena(el, s);
            if (!a || px_arena_data_fd(a) < 0)
                return px_error_set(err, PX_ENOTSUP, 0,
                                    "%s: its input arena is not memfd-backed, so it cannot be isolated", el->name);
            px__add_inputs(x, el, s, 0);
        }
        x->fly_tail = x->fly_n = x->fly_max = 0;
        x->sticky = PX_FLOW_OK;
        x->stats.restarts = 0;
        x->stats.crash_drops = 0;
        x->stats.last_signal = 0;
        x->stats.last_reason[0] = '\0';
        if (el->out_arena) {
            if (px_arena_data_fd(el->out_arena) < 0)
                return px_error_set(err, PX_ENOTSUP, 0, "%s: its output arena is not memfd-backed", el->name);
            px__zmsg m, r;
            px__zfill(&m, PX__Z_MAP);
            m.map_id = map_id;
            m.size = px_arena_slot_size(el->out_arena) * (uint64_t)px_arena_slot_count(el->out_arena);
            int fd = px_arena_data_fd(el->out_arena);
            if (px__send_fds(iso->zygote_fd, &m, sizeof m, &fd, 1) != PX_OK ||
                px__zygote_wait(iso, PX__Z_MAPPED, 0, &r, 5000) != PX_OK || r.map_id != map_id)
                return px_error_set(err, PX_EIO, 0, "%s: the zygote could not map its output arena%s%s", el->name,
                                    r.text[0] ? ": " : "", r.text);
            x->out_map = map_id++;
            PX_FREE((void *)x->lent);
            x->lent = NULL;
            if (x->orig->chain) {
                uint32_t n = px_arena_slot_count(el->out_arena);
                x->lent = PX_MALLOC(n * sizeof *x->lent);
                if (!x->lent)
                    return px_error_set(err, PX_ENOMEM, 0, "out of memory");
                for (uint32_t k = 0; k < n; k++)
                    atomic_init(&x->lent[k], 0);
            }
        } else {
            x->out_map = UINT32_MAX;
        }
    }
    /* Only now, with every writable mapping made, seal what children read. */
    for (size_t i = 0; i < iso->n_proxies; i++) {
        px__proxy *x = &iso->proxies[i];
        for (int k = 0; x->el && k < x->n_inputs; k++) {
            int fd = px_arena_data_fd(x->inputs[k]);
            if (!(dis & PX_ISOLATE_NO_UID) && fchmod(fd, 0600) != 0)
                return px_error_set(err, PX_EIO, 0, "%s: fchmod of its input arena failed: %s", x->el->name,
                                    strerror(errno));
            if (px__seal_for_readers(fd, !(dis & PX_ISOLATE_NO_SEALS)) != PX_OK)
                return px_error_set(err, PX_EIO, 0, "%s: sealing its input arena failed: %s", x->el->name,
                                    strerror(errno));
        }
    }
    for (int i = 0; i < iso->n_procs; i++) {
        px__iso_proc *pr = &iso->procs[i];
        if (!pr->n_members) /* it held only queues */
            continue;
        size_t sz = sizeof(px__channel);
        pr->chan_fd = memfd_create("px:channel", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (pr->chan_fd < 0 || ftruncate(pr->chan_fd, (off_t)sz) != 0)
            return px_error_set(err, PX_EIO, 0, "isolation: cannot create a channel: %s", strerror(errno));
        fcntl(pr->chan_fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
        void *c = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, pr->chan_fd, 0);
        if (c == MAP_FAILED)
            return px_error_set(err, PX_EIO, 0, "isolation: cannot map a channel: %s", strerror(errno));
        pr->chan = c;
        pr->window_start = px__now();
        int rc = px__proc_spawn(iso, pr, err);
        if (rc)
            return rc;
    }
    return PX_OK;
}

/* ---- Starting an element process ------------------------------------------------------ */

static int px__proc_spawn(px__iso *iso, px__iso_proc *pr, px_error *err)
{
    const char *who = pr->members[0]->el->name;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return px_error_set(err, PX_EIO, 0, "%s: socketpair failed: %s", who, strerror(errno));
    px__channel_init(pr->chan, (uint32_t)pr->n_members);
    bool mb = !(iso->policy.disable & PX_ISOLATE_NO_MEMBARRIER) && px__iso_membarrier();
    pr->chan->fences = mb ? 1u : 0u;
    for (int m = 0; m < pr->n_members; m++)
        px__pool_reset(pr->members[m]);
    px__zmsg z, r;
    px__zfill(&z, PX__Z_SPAWN);
    z.proc = pr->index;
    pr->uid = iso->next_uid++;
    z.uid = pr->uid;
    z.disable = iso->policy.disable;
    z.profile = (uint32_t)pr->profile;
    z.cpu_seconds = (uint32_t)iso->policy.cpu_seconds;
    z.memory_limit = iso->policy.memory_limit;
    z.n_members = (uint32_t)pr->n_members;
    int fds[2 + PX__ISO_MAX_GROUP * PX__ISO_MAX_IN];
    int nf = 0;
    fds[nf++] = sv[1];
    fds[nf++] = pr->chan_fd;
    for (int m = 0; m < pr->n_members; m++) {
        px__proxy *x = pr->members[m];
        z.members[m] = (uint32_t)x->el->index;
        z.out_maps[m] = x->out_map;
        z.threads |= x->orig->hints.native_code;
        if (x->el->out_arena) {
            z.out_slot_size[m] = px_arena_slot_size(x->el->out_arena);
            z.out_slots[m] = px_arena_slot_count(x->el->out_arena);
        }
        for (int k = 0; k < x->n_inputs; k++) {
            z.in_members[z.n_in] = (uint32_t)(m * PX__ISO_MAX_IN + k);
            z.in_slots[z.n_in] = px_arena_slot_count(x->inputs[k]);
            z.in_slot_size[z.n_in] = px_arena_slot_size(x->inputs[k]);
            z.n_in++;
            /* A read-only file description of the same memfd: the child
             * cannot map it writable, and the seals stop a reopen. */
            char path[64];
            snprintf(path, sizeof path, "/proc/self/fd/%d", px_arena_data_fd(x->inputs[k]));
            int ro = open(path, O_RDONLY | O_CLOEXEC);
            if (ro < 0) {
                for (int i = 2; i < nf; i++)
                    close(fds[i]);
                close(sv[0]);
                close(sv[1]);
                return px_error_set(err, PX_EIO, 0, "%s: cannot reopen its input arena read-only: %s", who,
                                    strerror(errno));
            }
            fds[nf++] = ro;
        }
        for (int k = 0; k < x->n_keep; k++)
            z.keep[z.n_keep++] = x->keep[k];
    }
    pthread_mutex_lock(&iso->zlock);
    int rc = px__send_fds(iso->zygote_fd, &z, sizeof z, fds, nf);
    if (rc == PX_OK)
        rc = px__zygote_wait(iso, PX__Z_SPAWNED, pr->index, &r, 5000);
    pthread_mutex_unlock(&iso->zlock);
    close(sv[1]);
    for (int i = 2; i < nf; i++)
        close(fds[i]);
    if (rc != PX_OK || r.pid <= 0) {
        close(sv[0]);
        return px_error_set(err, PX_EIO, 0, "%s: the zygote could not start its process%s%s", who,
                            rc == PX_OK && r.text[0] ? ": " : "", rc == PX_OK ? r.text : "");
    }
    pr->died_status = -1;
    pr->died_oom = false;
    pr->ctl_fd = sv[0];
    pr->pidfd = (int)syscall(SYS_pidfd_open, r.pid, 0);
    atomic_store(&pr->pid, r.pid);

    /* HELLO, then the caps, then the child says it is running. */
    px__ctl_msg m;
    char why[256] = "";
    ssize_t n = px__ctl_recv(pr->ctl_fd, &m, 5000);
    if (n <= 0 || !px__ctl_valid(&m, n, (uint32_t)pr->n_members, why, sizeof why) || m.type != PX__MSG_HELLO ||
        m.value != (uint64_t)r.pid) {
        if (n > 0 && !why[0] && m.type == PX__MSG_ERROR)
            snprintf(why, sizeof why, "%.200s", m.text);
        return px_error_set(err, PX_EIO, 0, "%s: its sandboxed process did not start: %s", who,
                            why[0] ? why : n == 0 ? "it exited during setup" : "no answer in 5 s");
    }
    px__strlcpy(iso->report, m.text, sizeof iso->report);
    /* Light fences only when both sides registered (the child says so; a
     * child that lies only makes its own wake-ups late). */
    atomic_store_explicit(&pr->fences, mb && m.code == 1 ? PX__FENCES_PROCESSES : PX__FENCES_FULL,
                          memory_order_relaxed);
#if CONFIG_PX_CAPS
    for (int k = 0; k < pr->n_members; k++) {
        px_element *el = pr->members[k]->el;
        for (uint32_t dir = 0; dir < 2 && el->caps_set; dir++) {
            char text[PX__ISO_TEXT];
            if (px_caps_to_string(&el->caps[dir], text, sizeof text) != PX_OK)
                continue;
            px__ctl_msg c;
            px__ctl_fill(&c, PX__MSG_CAPS, (uint32_t)k, 0, text);
            c.dir = dir;
            px__ctl_send(pr->ctl_fd, &c);
        }
    }
#endif
    px__ctl_msg go;
    px__ctl_fill(&go, PX__MSG_STATE, 0, 0, "run");
    px__ctl_send(pr->ctl_fd, &go);
    n = px__ctl_recv(pr->ctl_fd, &m, 5000);
    if (n <= 0 || !px__ctl_valid(&m, n, (uint32_t)pr->n_members, why, sizeof why) || m.type != PX__MSG_STATE ||
        m.value != 1)
        return px_error_set(err, PX_EIO, 0, "%s: its process refused the negotiated caps: %s", who,
                            why[0] ? why : m.type == PX__MSG_ERROR ? m.text : "no answer");
    PX_INFO("isolate", "%s: process %d (%s)", pr->label, r.pid, iso->report);
    return PX_OK;
}

/* The wake-up handshake's fences with this process, set at each (re)start. */
static inline px__fences px__proc_fences(px__iso_proc *pr)
{
    return (px__fences)atomic_load_explicit(&pr->fences, memory_order_relaxed);
}

/* ---- Deaths and restarts ------------------------------------------------------------------- */

static bool px__proc_dead(px__iso_proc *pr)
{
    if (pr->pidfd < 0)
        return kill(atomic_load(&pr->pid), 0) != 0;
    struct pollfd pfd = {pr->pidfd, POLLIN, 0};
    return poll(&pfd, 1, 0) > 0;
}

static void px__proc_kill(px__iso_proc *pr)
{
    if (pr->pidfd >= 0 && syscall(SYS_pidfd_send_signal, pr->pidfd, SIGKILL, NULL, 0) == 0)
        return;
    px__zmsg k;
    px__zfill(&k, PX__Z_KILL);
    k.pid = atomic_load(&pr->pid);
    px__send_fds(pr->iso->zygote_fd, &k, sizeof k, NULL, 0);
}

static void px__proc_close(px__iso_proc *pr)
{
    if (pr->ctl_fd >= 0)
        close(pr->ctl_fd);
    if (pr->pidfd >= 0)
        close(pr->pidfd);
    pr->ctl_fd = pr->pidfd = -1;
    atomic_store(&pr->pid, 0);
}

/* The child is dead or must die (reason given). Collects why it died,
 * releases what it held, applies the restart policy and respawns it.
 * Returns PX_OK when a new process runs, else an error naming the element
 * and the signal (then posted by the caller). Threads of the same group
 * that notice the death together: the first restarts, the others see the
 * generation moved on. */
static int px__proc_recover(px__iso_proc *pr, uint32_t gen, const char *forced, char *msg, size_t msize)
{
    px__iso *iso = pr->iso;
    pthread_mutex_lock(&pr->lock);
    if (atomic_load(&pr->generation) != gen || pr->failed) {
        int rc = pr->failed ? PX_EFLOW : PX_OK;
        if (pr->failed)
            snprintf(msg, msize, "%s", pr->members[0]->stats.last_reason);
        pthread_mutex_unlock(&pr->lock);
        return rc;
    }
    int pid = atomic_load(&pr->pid);
    if (forced)
        px__proc_kill(pr);
    /* The wait status comes from the zygote, the child's parent. */
    pthread_mutex_lock(&iso->zlock);
    px__zmsg d;
    if (pr->died_status < 0 && px__zygote_wait(iso, PX__Z_DIED, pr->index, &d, 2000) != PX_OK)
        pr->died_status = -1;
    pthread_mutex_unlock(&iso->zlock);
    int st = pr->died_status;
    int sig = st >= 0 ? st & 0x7f : 0;
    char reason[128];
    if (forced)
        snprintf(reason, sizeof reason, "%s", forced);
    else if (st < 0)
        snprintf(reason, sizeof reason, "died (status unknown)");
    else if (sig == SIGSYS) {
        char name[48];
        int nr = atomic_load(&pr->chan->death_syscall);
        snprintf(reason, sizeof reason, "SIGSYS (seccomp denied %s)",
                 nr >= 0 ? px__syscall_name(nr, name, sizeof name) : "a syscall");
    } else if (sig == SIGKILL && pr->died_oom)
        snprintf(reason, sizeof reason, "SIGKILL (memory limit of %llu MiB reached)",
                 (unsigned long long)(iso->policy.memory_limit >> 20));
    else if (sig == SIGXCPU)
        snprintf(reason, sizeof reason, "SIGXCPU (CPU limit of %d s reached)", iso->policy.cpu_seconds);
    else if (sig && strcmp(px__signame(sig), "signal") == 0)
        snprintf(reason, sizeof reason, "signal %d", sig);
    else if (sig)
        snprintf(reason, sizeof reason, "%s", px__signame(sig));
    else if (((st >> 8) & 0xff) == 111)
        snprintf(reason, sizeof reason, "sandbox setup failed");
    else
        snprintf(reason, sizeof reason, "exit status %d", (st >> 8) & 0xff);
    PX_INFO("isolate", "%s: process %d ended: %s", pr->label, pid, reason);

    /* Slots lent to the dead process go back to the supervisor: the owner
     * table says which; the proxies' own references are dropped by the
     * chain as the buffer in flight is dropped. */
    for (int m = 0; m < pr->n_members; m++) {
        px__proxy *x = pr->members[m];
        px_arena *a = x->el->out_arena;
        for (uint32_t s = 0; a && s < px_arena_slot_count(a); s++)
            if (px_arena_slot_owner(a, s) == (uint32_t)pid)
                atomic_store_explicit(&a->owner[s], (uint32_t)getpid(), memory_order_relaxed);
        x->stats.last_signal = sig;
        px__strlcpy(x->stats.last_reason, reason, sizeof x->stats.last_reason);
        px__unlend(x);
    }
    px__proc_close(pr);

    px_time now = px__now();
    if (now - pr->window_start > (px_time)iso->policy.window_ms * PX_MSECOND) {
        pr->window_start = now;
        pr->window_restarts = 0;
    }
    const char *name = pr->members[0]->el->name;
    if (pr->window_restarts >= iso->policy.max_restarts) {
        pr->failed = true;
        snprintf(msg, msize, "element process %d ended: %s; restarted %d times within %d ms, giving up (max-restarts=%d)",
                 pid, reason, pr->window_restarts, iso->policy.window_ms, iso->policy.max_restarts);
        px__strlcpy(pr->members[0]->stats.last_reason, msg, sizeof pr->members[0]->stats.last_reason);
        atomic_fetch_add(&pr->generation, 1);
        pthread_mutex_unlock(&pr->lock);
        return PX_EFLOW;
    }
    pr->window_restarts++;
    if (iso->policy.backoff_ms) {
        long ms = (long)iso->policy.backoff_ms << (pr->window_restarts - 1 < 10 ? pr->window_restarts - 1 : 10);
        if (ms > 1000)
            ms = 1000;
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    px_error err = {0};
    int rc = px__proc_spawn(iso, pr, &err);
    if (rc) {
        pr->failed = true;
        snprintf(msg, msize, "element process ended: %s; restarting it failed: %.300s", reason, err.message);
        atomic_fetch_add(&pr->generation, 1);
        pthread_mutex_unlock(&pr->lock);
        return PX_EFLOW;
    }
    for (int m = 0; m < pr->n_members; m++)
        pr->members[m]->stats.restarts++;
    atomic_fetch_add(&pr->generation, 1);
    px__bus_post(pr->members[0]->el->pipeline, PX_MSG_ELEMENT_RESTARTED, 0, name,
                 "%s: element process %d ended (%s); restarted as %d (restart %d in this %d ms window)", name, pid,
                 reason, atomic_load(&pr->pid), pr->window_restarts, iso->policy.window_ms);
    pthread_mutex_unlock(&pr->lock);
    return PX_OK;
}

/* ---- Per buffer ---------------------------------------------------------------------------- */

/* Messages the child said it sent with this reply (errors, warnings). */
static bool px__proxy_read_ctl(px__proxy *x, uint32_t count, const px__slotref *req, char *why, size_t wsize)
{
    px__iso_proc *pr = x->proc;
    for (uint32_t i = 0; i < count && i < 8; i++) {
        px__ctl_msg m;
        ssize_t n = px__ctl_recv(pr->ctl_fd, &m, 0);
        if (n < 0 && errno == ETIMEDOUT)
            break; /* fewer than it claimed: harmless */
        if (!px__ctl_valid(&m, n, (uint32_t)pr->n_members, why, wsize))
            return false;
        px_element *el = pr->members[m.element]->el;
        const char *text = m.text;
        size_t nl = strlen(el->name);
        if (strncmp(text, el->name, nl) == 0 && text[nl] == ':' && text[nl + 1] == ' ')
            text += nl + 2;
        /* The reply may be finished calls later: the text names its buffer. */
        if (m.type == PX__MSG_ERROR && m.element == (uint32_t)x->member && req->op != PX__OP_EVENT)
            px_element_error(el, m.code < 0 && m.code >= PX_ETIMEDOUT ? m.code : PX_EFLOW, "%s (buffer %llu)", text,
                             (unsigned long long)req->sequence);
        else if (m.type == PX__MSG_ERROR)
            px_element_error(el, m.code < 0 && m.code >= PX_ETIMEDOUT ? m.code : PX_EFLOW, "%s", text);
        else if (m.type == PX__MSG_WARNING)
            px_element_warning(el, "%s", text);
        else {
            snprintf(why, wsize, "control message of type %u is not expected while streaming", (unsigned)m.type);
            return false;
        }
    }
    return true;
}

/* chain() pushed a slot it holds (a lent one, or the call's input):
 * checked, then sent downstream from here with a reference of its own
 * (the child's lend ends when it gives the slot back, pool.c). */
static bool px__output(px__proxy *x, const px__slotref *req, const px__slotref *o, char *why, size_t n)
{
    px_arena *a = x->el->out_arena;
    x->pool_outputs++; /* counted before any check: ret stamps count every OUTPUT */
    if (o->status == PX__OUT_INPUT) {
        if (req->op != PX__OP_CHAIN || o->in_arena != req->in_arena || o->in_slot != req->in_slot ||
            o->out_slot != req->in_slot) {
            snprintf(why, n, "forwarded slot %u of input %u, but the call's input is slot %u of input %u",
                     (unsigned)o->out_slot, (unsigned)o->in_arena, (unsigned)req->in_slot,
                     (unsigned)req->in_arena);
            return false;
        }
        a = x->inputs[req->in_arena]; /* the caller holds it for the call */
    } else if (o->status != PX__OUT_LENT) {
        snprintf(why, n, "output of unknown origin %d (0: a lent slot, 1: the call's input)", (int)o->status);
        return false;
    } else if (!a || !x->lent || o->out_slot >= px_arena_slot_count(a) || !atomic_load(&x->lent[o->out_slot])) {
        snprintf(why, n, "pushed slot %u, which it was not lent", (unsigned)o->out_slot);
        return false;
    }
    if (o->in_size > px_arena_slot_size(a) || o->out_size > px_arena_slot_size(a) - o->in_size) {
        snprintf(why, n, "output of %llu bytes at offset %llu is past the %zu-byte slot",
                 (unsigned long long)o->out_size, (unsigned long long)o->in_size, px_arena_slot_size(a));
        return false;
    }
    if (o->out_pad != PX_PAD_ALL && (o->out_pad < 0 || o->out_pad >= x->el->n_src)) {
        snprintf(why, n, "output pad %d does not exist (0 to %d or PX_PAD_ALL)", (int)o->out_pad,
                 x->el->n_src - 1);
        return false;
    }
    px_arena_ref(a, o->out_slot); /* downstream's */
    px_buffer b;
    memset(&b, 0, sizeof b);
    b.arena = a;
    b.slot = o->out_slot;
    b.data = (uint8_t *)px_arena_slot_data(a, o->out_slot) + o->in_size;
    b.capacity = px_arena_slot_size(a) - (size_t)o->in_size;
    b.pts = o->pts;
    b.dts = o->dts;
    b.duration = o->duration;
    b.offset = o->offset;
    b.offset_end = o->offset_end;
    b.flags = o->flags;
    b.size = (size_t)o->out_size;
    px_flow f = px_element_push(x->el, o->out_pad, &b);
    atomic_store_explicit(&x->proc->chan->downstream[x->member], f, memory_order_release);
    return true;
}

/* Slots lent to a process that is gone go back to the arena. Called once
 * the process is dead (nothing can write them any more); exchanges, so a
 * slot another thread is just taking back is released once. */
static void px__unlend(px__proxy *x)
{
    px_arena *a = x->el ? x->el->out_arena : NULL;
    for (uint32_t s = 0; a && x->lent && s < px_arena_slot_count(a); s++)
        if (atomic_exchange(&x->lent[s], 0)) {
            atomic_store_explicit(&a->owner[s], px_arena__self(), memory_order_relaxed);
            px_arena_unref(a, s);
        }
    atomic_store(&x->n_lent, 0);
}

/* The owner a slot returns to when the child gives it back. */
static uint32_t px__home_owner(const px_arena *a)
{
    return a->home_pid ? a->home_pid : px_arena__self();
}

/* Member x's rings, through the proxy's ends (px__ring_push/pop): a
 * restart reset the rings, and the ends with them. */
static void px__seen_sync(px__proxy *x)
{
    uint32_t g = atomic_load_explicit(&x->proc->generation, memory_order_acquire);
    if (x->ring_gen != g) {
        x->ring_gen = g;
        memset(&x->req_end, 0, sizeof x->req_end);
        memset(&x->rep_end, 0, sizeof x->rep_end);
    }
}

static bool px__req_push(px__proxy *x, const px__slotref *m)
{
    px__seen_sync(x);
    return px__ring_push(&x->proc->chan->req[x->member], &x->req_end, m);
}

static int px__rep_pop(px__proxy *x, px__slotref *m)
{
    px__seen_sync(x);
    return px__ring_pop(&x->proc->chan->rep[x->member], &x->rep_end, m);
}

/* A reply the proxy knows of without looking at the child's index. */
static bool px__rep_known(px__proxy *x)
{
    px__seen_sync(x);
    return x->rep_end.seen - x->rep_end.mine - 1u < PX__ISO_RING;
}

static bool px__rep_empty(px__proxy *x)
{
    px__seen_sync(x);
    return px__ring_empty(&x->proc->chan->rep[x->member], &x->rep_end);
}

/* Waits until member x's reply ring has an entry: a short spin (the child
 * is likely running on another core), then yields (on a busy machine it may
 * be waiting for this one), then futex sleeps in 10 ms steps that watch the
 * child's pidfd and the time limit. true: a reply is there. false: the
 * process died or another thread restarted it (why empty), or it must be
 * killed (why says why). */
static bool px__await(px__proxy *x, uint32_t gen, char *why, size_t wsize)
{
    px__iso_proc *pr = x->proc;
    px__ring *rr = &pr->chan->rep[x->member];
    why[0] = '\0';
    for (int spin = 0; spin < 1000 && px__rep_empty(x); spin++)
        px__cpu_relax();
    for (int y = 0; y < 16 && px__rep_empty(x); y++)
        sched_yield();
    px_time t0 = 0;
    while (px__rep_empty(x)) {
        if (!px__pool_service(x, why + 20, wsize - 20)) { /* a chain() child may wait for a slot */
            memcpy(why, "protocol violation: ", 20);
            return false;
        }
        if (!t0)
            t0 = px__now();
        uint32_t bell = atomic_load_explicit(&rr->bell, memory_order_acquire);
        atomic_store_explicit(&rr->sleeping, 1, memory_order_relaxed);
        bool held = px__fence_heavy(px__proc_fences(pr));
        if (px__rep_empty(x))
            px__futex_wait_on(&rr->bell, bell, held ? 10 : 1, true);
        atomic_store_explicit(&rr->sleeping, 0, memory_order_relaxed);
        if (!px__rep_empty(x))
            break;
        if (atomic_load(&pr->generation) != gen || px__proc_dead(pr))
            return false;
        int limit = pr->iso->policy.timeout_ms;
        if (limit && px__now() - t0 > (px_time)limit * PX_MSECOND) {
            snprintf(why, wsize, "killed: no answer within the %d ms time limit", limit);
            return false;
        }
    }
    return true;
}

/* One call into the child, with nothing else in flight (chain() and
 * events). PX_OK with rep filled; PX_EAGAIN when the child died (and was
 * restarted): the buffer is lost; PX_EFLOW when it is gone for good (the
 * error is posted). chain() calls also carry NEED and OUTPUT replies before
 * their DONE. */
static int px__proxy_call(px__proxy *x, px__slotref *req, px__slotref *rep)
{
    px__iso_proc *pr = x->proc;
    char msg[PX_ERROR_MESSAGE_MAX / 2];
    if (pr->failed)
        return PX_EFLOW;
    uint32_t gen = atomic_load_explicit(&pr->generation, memory_order_acquire);
    px__channel *c = pr->chan;
    req->element = (uint32_t)x->member;
    req->id = ++x->next_id;
    atomic_store_explicit(&c->downstream[x->member], PX_FLOW_OK, memory_order_relaxed);
    const char *forced = NULL;
    char why[200];
    memcpy(why, "protocol violation: ", 21);
    if (!px__pool_service(x, why + 20, sizeof why - 20)) { /* lent slots: given back, refilled */
        forced = why;
        goto dead;
    }
    if (!px__req_push(x, req)) {
        forced = "protocol violation: its request ring is full";
        goto dead;
    }
    px__notify(&c->child_sleeping, &c->child_bell, px__proc_fences(pr));
    for (;;) {
        if (!px__await(x, gen, why, sizeof why)) {
            forced = why[0] ? why : NULL;
            goto dead;
        }
        int got = px__rep_pop(x, rep);
        if (got < 0) {
            forced = "protocol violation: reply ring indexes out of range";
            goto dead;
        }
        if (rep->id != req->id || rep->element != req->element ||
            (rep->op != PX__OP_DONE && (!x->orig->chain || rep->op != PX__OP_OUTPUT))) {
            snprintf(why, sizeof why, "protocol violation: reply op %u id %u element %u to request %u of element %u",
                     (unsigned)rep->op, (unsigned)rep->id, (unsigned)rep->element, (unsigned)req->id,
                     (unsigned)req->element);
            forced = why;
            goto dead;
        }
        if (rep->op == PX__OP_DONE)
            break;
        memcpy(why, "protocol violation: ", 20);
        if (!px__output(x, req, rep, why + 20, sizeof why - 20)) {
            forced = why;
            goto dead;
        }
        if (atomic_load(&pr->generation) != gen) /* a group member downstream restarted it */
            goto dead;
    }
    if (rep->reserved && !px__proxy_read_ctl(x, rep->reserved, req, why + 20, sizeof why - 20)) {
        memcpy(why, "protocol violation: ", 20);
        forced = why;
        goto dead;
    }
    return PX_OK;
dead:
    if (px__proc_recover(pr, gen, forced, msg, sizeof msg) == PX_OK)
        return PX_EAGAIN;
    if (!atomic_load(&x->el->pipeline->error_posted))
        px_element_error(x->el, PX_EFLOW, "%s", msg);
    return PX_EFLOW;
}

/* A reply's fields, checked against what was lent. */
static bool px__reply_ok(px__proxy *x, const px__slotref *rep, size_t capacity, bool routed, char *why, size_t n)
{
    if (rep->status != PX_FLOW_OK && rep->status != PX_FLOW_EOS && rep->status != PX_FLOW_DROP &&
        rep->status != PX_FLOW_ERROR) {
        snprintf(why, n, "flow %d is not one of OK, EOS, DROP, ERROR", (int)rep->status);
        return false;
    }
    if (rep->out_size > capacity) {
        snprintf(why, n, "output size %llu is more than the %zu-byte slot", (unsigned long long)rep->out_size,
                 capacity);
        return false;
    }
    if (routed && rep->out_pad != 0 && rep->out_pad != PX_PAD_ALL &&
        (rep->out_pad < 0 || rep->out_pad >= x->el->n_src)) {
        snprintf(why, n, "output pad %d does not exist (0 to %d or PX_PAD_ALL)", (int)rep->out_pad,
                 x->el->n_src - 1);
        return false;
    }
    return true;
}

static px_flow px__violation(px__proxy *x, const char *why)
{
    char forced[300], msg[PX_ERROR_MESSAGE_MAX / 2];
    snprintf(forced, sizeof forced, "protocol violation: %s", why);
    uint32_t gen = atomic_load(&x->proc->generation);
    x->stats.crash_drops++;
    if (px__proc_recover(x->proc, gen, forced, msg, sizeof msg) == PX_OK)
        return PX_FLOW_DROP;
    px_element_error(x->el, PX_EFLOW, "%s", msg);
    return PX_FLOW_ERROR;
}

static void px__req_meta(px__slotref *r, const px_buffer *b)
{
    r->pts = b->pts;
    r->dts = b->dts;
    r->duration = b->duration;
    r->offset = b->offset;
    r->offset_end = b->offset_end;
    r->sequence = b->sequence;
    r->flags = b->flags;
}

static void px__rep_meta(px_buffer *b, const px__slotref *r)
{
    b->pts = r->pts;
    b->dts = r->dts;
    b->duration = r->duration;
    b->offset = r->offset;
    b->offset_end = r->offset_end;
    b->sequence = r->sequence;
    b->flags = r->flags;
    b->size = (size_t)r->out_size;
}

/* The request for an input buffer (process, consume, chain): false, with
 * the error posted, when the buffer comes from an arena the process has
 * not mapped. */
static bool px__input_req(px__proxy *x, const px_buffer *in, uint32_t op, px__slotref *r)
{
    memset(r, 0, sizeof *r);
    int k = -1;
    for (int i = 0; i < x->n_inputs && k < 0; i++)
        if (x->inputs[i] == in->arena)
            k = i;
    if (k < 0) {
        px_element_error(x->el, PX_EINVAL, "got a buffer from arena \"%s\", which its process has not mapped",
                         px_arena_name(in->arena));
        return false;
    }
    r->op = op;
    r->in_arena = (uint32_t)k;
    r->in_slot = in->slot;
    r->in_size = in->size;
    px__req_meta(r, in);
    return true;
}

/* A call that lost its buffer in a crash: counted, and the stream goes on. */
static px_flow px__lost(px__proxy *x, int rc)
{
    if (rc == PX_EAGAIN) {
        x->stats.crash_drops++;
        return PX_FLOW_DROP;
    }
    return PX_FLOW_ERROR;
}

/* ---- Requests in flight ------------------------------------------------------------------------ */

static px__flight *px__fly_at(px__proxy *x, uint32_t i)
{
    return &x->fly[(x->fly_tail + i) % PX__ISO_WINDOW_MAX];
}

/* The oldest request leaves the window; its slots stay with the caller. */
static px__flight px__fly_take(px__proxy *x)
{
    px__flight f = *px__fly_at(x, 0);
    x->fly_tail++;
    x->fly_n--;
    if (f.out.arena)
        atomic_store_explicit(&f.out.arena->owner[f.out.slot], px__home_owner(f.out.arena), memory_order_relaxed);
    return f;
}

/* px__fly_take for a reply: only its slots are copied out. */
static void px__fly_take_slots(px__proxy *x, px_buffer *in, px_buffer *out)
{
    px__flight *f = px__fly_at(x, 0);
    *in = f->in;
    *out = f->out;
    x->fly_tail++;
    x->fly_n--;
    if (out->arena)
        atomic_store_explicit(&out->arena->owner[out->slot], px__home_owner(out->arena), memory_order_relaxed);
}

/* A request whose reply will not come: its slots go back; counted as a
 * drop when a crash lost it. */
static void px__fly_release(px__proxy *x, px__flight *f, bool drop)
{
    px_buffer_unref(&f->in);
    px_buffer_unref(&f->out);
    if (drop) {
        x->stats.crash_drops++;
        px__stat_add(&x->el->stats.drops, 1);
    }
}

/* Every request in flight is lost (the process was restarted under them,
 * or is gone for good). */
static void px__fly_lose_all(px__proxy *x, bool drop)
{
    while (x->fly_n) {
        px__flight f = px__fly_take(x);
        px__fly_release(x, &f, drop);
    }
}

/* Another thread (a group member) restarted the process: what was in
 * flight went with the old one. One atomic load per call. */
static void px__fly_check_gen(px__proxy *x)
{
    if (x->fly_n && atomic_load_explicit(&x->proc->generation, memory_order_acquire) != x->fly_gen)
        px__fly_lose_all(x, true);
}

/* Sends a request; in (referenced here when ref_in) and out (lent) stay
 * with it until its reply. false: the ring was full, which only a hostile child causes
 * (it was killed, the request is lost and counted). */
static bool px__submit(px__proxy *x, px__slotref *req, const px_buffer *in, bool ref_in, const px_buffer *out)
{
    px__iso_proc *pr = x->proc;
    px__channel *c = pr->chan;
    uint32_t gen = atomic_load_explicit(&pr->generation, memory_order_acquire);
    if (!x->fly_n)
        x->fly_gen = gen;
    req->element = (uint32_t)x->member;
    req->id = ++x->next_id;
    px__flight *f = px__fly_at(x, x->fly_n);
    f->req = *req;
    if (in) {
        f->in = *in;
        if (ref_in)
            px_buffer_ref(in);
    } else {
        memset(&f->in, 0, sizeof f->in);
    }
    if (out) {
        f->out = *out;
        atomic_store_explicit(&out->arena->owner[out->slot], (uint32_t)atomic_load(&pr->pid), memory_order_relaxed);
    } else {
        memset(&f->out, 0, sizeof f->out);
    }
    px__seen_sync(x);
    f->pos = x->req_end.mine;
    if (++x->fly_n > x->fly_max)
        x->fly_max = x->fly_n;
    if (!px__req_push(x, req)) {
        char msg[PX_ERROR_MESSAGE_MAX / 2];
        px__fly_lose_all(x, true);
        if (px__proc_recover(pr, gen, "protocol violation: its request ring is full", msg, sizeof msg) != PX_OK &&
            !atomic_load(&x->el->pipeline->error_posted))
            px_element_error(x->el, PX_EFLOW, "%s", msg);
        return false;
    }
    px__notify(&c->child_sleeping, &c->child_bell, px__proc_fences(pr));
    return true;
}

/* The oldest request's reply: checked, then its slots handled as the call
 * would have (outputs pushed downstream from here, in order). A produce
 * reply's buffer goes to *produced with the flow returned; for the others
 * the flow becomes sticky when it is EOS or ERROR. */
static px_flow px__finish(px__proxy *x, const px__slotref *rep, bool salvaged, px_buffer *produced)
{
    char why[220];
    px__flight *o = px__fly_at(x, 0);
    if (rep->op != PX__OP_DONE || rep->id != o->req.id || rep->element != (uint32_t)x->member) {
        snprintf(why, sizeof why, "reply op %u id %u element %u to request %u of element %u", (unsigned)rep->op,
                 (unsigned)rep->id, (unsigned)rep->element, (unsigned)o->req.id, (unsigned)x->member);
        goto bad;
    }
    if (rep->reserved && !salvaged && !px__proxy_read_ctl(x, rep->reserved, &o->req, why, sizeof why))
        goto bad;
    /* Only what the reply needs leaves the window (a flight is ~300 bytes,
     * and every byte stored per buffer queues behind the ring's stores). */
    uint32_t op = o->req.op;
    px_buffer f_in, f_out;
    px__fly_take_slots(x, &f_in, &f_out);
    size_t capacity = f_out.arena ? f_out.capacity : 0;
    if (op == PX__OP_PROCESS && !f_out.arena) { /* reads_only: the input goes on, at most as long */
        f_out = f_in;
        capacity = f_in.size;
        memset(&f_in, 0, sizeof f_in);
    }
    px_buffer_unref(&f_in);
    px_element *el = x->el;
    px_flow r = (px_flow)rep->status;
    if (!px__reply_ok(x, rep, capacity, op == PX__OP_PROCESS, why, sizeof why)) {
        px_buffer_unref(&f_out);
        px__stat_add(&el->stats.drops, 1);
        px__fly_lose_all(x, true);
        return px__violation(x, why) == PX_FLOW_DROP ? PX_FLOW_DROP : (x->sticky = PX_FLOW_ERROR);
    }
    if (op == PX__OP_PRODUCE) {
        px__rep_meta(&f_out, rep);
        *produced = f_out;
        return r;
    }
    if (op == PX__OP_PROCESS) {
        px__rep_meta(&f_out, rep);
        if (r == PX_FLOW_OK && x->sticky == PX_FLOW_OK) {
            r = px__route(el, rep->out_pad, &f_out);
        } else {
            px_buffer_unref(&f_out);
            if (r == PX_FLOW_DROP || r == PX_FLOW_OK) /* OK after an EOS: nothing takes it any more */
                px__stat_add(&el->stats.drops, 1);
        }
    }
    if ((r == PX_FLOW_EOS || r == PX_FLOW_ERROR) && x->sticky == PX_FLOW_OK)
        x->sticky = r;
    return r;
bad:;
    /* The child broke the protocol: it is killed; what was in flight is lost. */
    char forced[260], msg[PX_ERROR_MESSAGE_MAX / 2];
    snprintf(forced, sizeof forced, "protocol violation: %s", why);
    uint32_t gen = x->fly_gen;
    px__fly_lose_all(x, true);
    if (px__proc_recover(x->proc, gen, forced, msg, sizeof msg) == PX_OK)
        return PX_FLOW_DROP;
    if (!atomic_load(&x->el->pipeline->error_posted))
        px_element_error(x->el, PX_EFLOW, "%s", msg);
    return x->sticky = PX_FLOW_ERROR;
}

/* The process died with requests in flight. Replies it pushed before
 * dying still count; the request it was working on is lost; those it never
 * took are sent again to its restarted self. forced: it must be killed
 * first (then nothing it left is trusted). */
static void px__fly_dead(px__proxy *x, const char *forced)
{
    px__iso_proc *pr = x->proc;
    uint32_t gen = x->fly_gen;
    px__slotref done[PX__ISO_WINDOW_MAX];
    uint32_t n_done = 0, tail = 0;
    bool salvage = !forced && atomic_load(&pr->generation) == gen;
    if (salvage) { /* it is dead: its rings no longer move */
        while (n_done < x->fly_n && px__rep_pop(x, &done[n_done]) > 0)
            n_done++;
        tail = atomic_load_explicit(&pr->chan->req[x->member].tail, memory_order_acquire);
    }
    char msg[PX_ERROR_MESSAGE_MAX / 2];
    if (px__proc_recover(pr, gen, forced, msg, sizeof msg) != PX_OK) {
        px__fly_lose_all(x, true);
        if (!atomic_load(&x->el->pipeline->error_posted))
            px_element_error(x->el, PX_EFLOW, "%s", msg);
        x->sticky = PX_FLOW_ERROR;
        return;
    }
    for (uint32_t i = 0; i < n_done && x->fly_n; i++) {
        px_buffer produced = {0};
        px_flow r = px__finish(x, &done[i], true, &produced);
        if (!produced.arena)
            continue;
        if (r == PX_FLOW_OK && x->sticky == PX_FLOW_OK) { /* produced ahead: sent as its own call would have */
            r = px__route(x->el, 0, &produced);
        } else {
            px_buffer_unref(&produced);
            if (r == PX_FLOW_DROP)
                px__stat_add(&x->el->stats.drops, 1);
        }
        if ((r == PX_FLOW_EOS || r == PX_FLOW_ERROR) && x->sticky == PX_FLOW_OK)
            x->sticky = r;
    }
    if (!x->fly_n)
        return;
    /* Taken by the dead child (ring index below its tail): lost. The check
     * on tail keeps a corrupt index from sending anything twice. */
    uint32_t first = px__fly_at(x, 0)->pos;
    if (!salvage || tail - first > x->fly_n) {
        px__fly_lose_all(x, true);
        return;
    }
    while (x->fly_n && (int32_t)(tail - px__fly_at(x, 0)->pos) > 0) {
        px__flight f = px__fly_take(x);
        px__fly_release(x, &f, true);
    }
    /* The rest again, to the new process, in order. */
    uint32_t n = x->fly_n;
    px__flight again[PX__ISO_WINDOW_MAX];
    for (uint32_t i = 0; i < n; i++)
        again[i] = *px__fly_at(x, i);
    x->fly_n = 0;
    for (uint32_t i = 0; i < n; i++) {
        px__slotref req = again[i].req;
        if (!px__submit(x, &req, again[i].in.arena ? &again[i].in : NULL, false,
                        again[i].out.arena ? &again[i].out : NULL)) {
            for (uint32_t j = i + 1; j < n; j++) /* [i] went with the window */
                px__fly_release(x, &again[j], true);
            return;
        }
    }
}

/* Finishes replies: those already there (wait = false), then, waiting,
 * until at most keep requests are in flight. Not for produce requests.
 * false: the process is gone for good. */
static bool px__collect(px__proxy *x, uint32_t keep, bool wait)
{
    px__fly_check_gen(x);
    /* Not waiting, the child's index is read again only with half the
     * window in flight: each look pulls its cache line over, and one look
     * then brings several replies. */
    bool look = wait || x->fly_n * 2 >= x->window;
    while (x->fly_n) {
        if (look ? px__rep_empty(x) : !px__rep_known(x)) {
            if (!wait || x->fly_n <= keep)
                break;
            char why[200];
            if (!px__await(x, x->fly_gen, why, sizeof why)) {
                if (atomic_load(&x->proc->generation) != x->fly_gen && !x->proc->failed)
                    px__fly_lose_all(x, true); /* restarted by another thread: the rings were reset */
                else
                    px__fly_dead(x, why[0] ? why : NULL);
                if (x->proc->failed)
                    return false;
                continue;
            }
        }
        px__slotref rep;
        if (px__rep_pop(x, &rep) < 0) {
            px__fly_dead(x, "protocol violation: reply ring indexes out of range");
            if (x->proc->failed)
                return false;
            continue;
        }
        px_buffer none = {0};
        px__finish(x, &rep, false, &none);
        if (x->proc->failed)
            return false;
    }
    return !x->proc->failed;
}

/* Waits for everything in flight (EOS, events, pauses, the end). */
static bool px__drain(px__proxy *x)
{
    return px__collect(x, 0, true);
}

/* After a call was sent: one call at a time, or the pipeline pausing,
 * waits for it; otherwise only a full window waits. */
static px_flow px__after_submit(px__proxy *x)
{
    bool sync = x->window <= 1 || atomic_load_explicit(&x->el->pipeline->paused, memory_order_relaxed);
    if (!px__collect(x, sync ? 0 : x->window - 1, sync))
        return PX_FLOW_ERROR;
    return x->sticky;
}

/* Before a call: replies that are there are finished; a full window
 * waits until half of it is answered, so that each side works through a
 * batch rather than waking the other per buffer. */
static bool px__make_room(px__proxy *x)
{
    if (!px__collect(x, 0, false))
        return false;
    return x->fly_n < x->window || px__collect(x, x->window / 2, true);
}

/* ---- The proxy's callbacks ----------------------------------------------------------------------- */

/* process() elements: the proxy is a chain() element, so that it can
 * return before the reply; outputs go downstream as replies are finished. */
static px_flow px__proxy_filter(px_element *el, const px_buffer *in)
{
    px__proxy *x = el->isolate;
    if (el->passthrough) { /* as the chain runs a passthrough process() */
        px_buffer copy = *in;
        px_buffer_ref(&copy);
        return px__route(el, 0, &copy);
    }
    px__slotref r;
    if (!px__input_req(x, in, PX__OP_PROCESS, &r))
        return PX_FLOW_ERROR;
    if (!px__make_room(x) || x->sticky != PX_FLOW_OK)
        return x->proc->failed ? PX_FLOW_ERROR : x->sticky;
    if (x->orig->in_place && x->orig->reads_only) { /* no output slot: the input goes on */
        if (!px__submit(x, &r, in, true, NULL))
            return x->proc->failed ? PX_FLOW_ERROR : PX_FLOW_DROP;
        return px__after_submit(x);
    }
    px_buffer out;
    if (px__acquire_output(el, &out))
        return PX_FLOW_ERROR;
    r.out_slot = out.slot;
    if (!px__submit(x, &r, in, true, &out))
        return x->proc->failed ? PX_FLOW_ERROR : PX_FLOW_DROP;
    return px__after_submit(x);
}

static px_flow px__proxy_consume(px_element *el, const px_buffer *in)
{
    px__proxy *x = el->isolate;
    px__slotref r;
    if (!px__input_req(x, in, PX__OP_CONSUME, &r))
        return PX_FLOW_ERROR;
    if (!px__make_room(x) || x->sticky != PX_FLOW_OK)
        return x->proc->failed ? PX_FLOW_ERROR : x->sticky;
    if (!px__submit(x, &r, in, true, NULL))
        return x->proc->failed ? PX_FLOW_ERROR : PX_FLOW_DROP;
    return px__after_submit(x);
}

/* Keeps the window full of produce requests: b (a slot of the source's
 * arena, or none) first, then slots taken here while the arena has them. */
static bool px__produce_fill(px__proxy *x, px_buffer *b)
{
    px_element *el = x->el;
    while (x->fly_n < x->window && (b->arena || px_buffer_alloc(el->out_arena, b) == PX_OK)) {
        b->sequence = x->produce_seq++;
        px__slotref r;
        memset(&r, 0, sizeof r);
        r.op = PX__OP_PRODUCE;
        r.out_slot = b->slot;
        px__req_meta(&r, b);
        bool ok = px__submit(x, &r, NULL, false, b);
        memset(b, 0, sizeof *b); /* in flight (or released with the window) */
        if (!ok)
            return false;
    }
    px_buffer_unref(b); /* a full window: the slot handed in is not needed */
    return true;
}

/* The oldest produce request's reply, its buffer in *out. Requests a
 * crash lost are counted (px__fly_release) and replaced: a source never
 * sees a drop it did not make. */
static px_flow px__produce_oldest(px__proxy *x, px_buffer *out, bool refill)
{
    memset(out, 0, sizeof *out);
    for (int refills = 0; !x->proc->failed;) {
        if (!x->fly_n) { /* all lost: ask again */
            px_buffer none = {0};
            if (!refill || refills++ == 4)
                break;
            px__produce_fill(x, &none);
            continue;
        }
        char why[200];
        if (px__rep_empty(x) && !px__await(x, x->fly_gen, why, sizeof why)) {
            if (atomic_load(&x->proc->generation) != x->fly_gen && !x->proc->failed)
                px__fly_lose_all(x, true);
            else
                px__fly_dead(x, why[0] ? why : NULL);
            continue;
        }
        px__slotref rep;
        if (px__rep_pop(x, &rep) < 0) {
            px__fly_dead(x, "protocol violation: reply ring indexes out of range");
            continue;
        }
        px_flow r = px__finish(x, &rep, false, out);
        if (out->arena)
            return r;
        if (r == PX_FLOW_ERROR) /* broke the protocol and is gone for good */
            break;
    }
    return PX_FLOW_ERROR;
}

/* Sources produce ahead: the window is kept full of produce requests, each
 * with a slot of the source's arena, and a call returns the oldest reply's
 * buffer in place of the slot it was handed (which goes out as a request). */
static px_flow px__proxy_produce(px_element *el, px_buffer *out)
{
    px__proxy *x = el->isolate;
    px__fly_check_gen(x);
    if (x->sticky != PX_FLOW_OK || x->proc->failed)
        return x->proc->failed ? PX_FLOW_ERROR : x->sticky;
    if (!x->fly_n)
        x->produce_seq = out->sequence;
    px_buffer b = *out;
    memset(out, 0, sizeof *out);
    px__produce_fill(x, &b); /* lost requests are asked again below */
    px_flow r = px__produce_oldest(x, out, true);
    if (r == PX_FLOW_EOS || r == PX_FLOW_ERROR) {
        if (x->sticky == PX_FLOW_OK)
            x->sticky = r;
        while (x->fly_n && !x->proc->failed) { /* produced past the end: never sent */
            px_buffer late;
            px__produce_oldest(x, &late, false);
            px_buffer_unref(&late);
        }
        px__fly_lose_all(x, false);
    }
    return r;
}

static px_flow px__proxy_chain(px_element *el, const px_buffer *in)
{
    px__proxy *x = el->isolate;
    px__slotref r, rep;
    if (!px__input_req(x, in, PX__OP_CHAIN, &r))
        return PX_FLOW_ERROR;
    int rc = px__proxy_call(x, &r, &rep);
    if (rc) {
        px_flow f = px__lost(x, rc);
        if (f == PX_FLOW_DROP)
            px_element_count_drop(el);
        return f;
    }
    char why[160];
    if (!px__reply_ok(x, &rep, 0, false, why, sizeof why))
        return px__violation(x, why);
    return (px_flow)rep.status;
}

/* EOS (and any event) comes after every buffer before it: the window is
 * drained first, so outputs and EOS keep their order. */
static int px__proxy_event(px_element *el, const px_event *ev)
{
    px__proxy *x = el->isolate;
    if (!px__drain(x))
        return PX_EFLOW;
    /* Without event() the child has nothing to do, except a chain() element's
     * EOS: it ends the child's hold on the pool (taken back below). */
    if (!x->orig->event && !(x->orig->chain && ev->type == PX_EVENT_EOS))
        return PX_OK;
    px__slotref r, rep;
    memset(&r, 0, sizeof r);
    r.op = PX__OP_EVENT;
    r.status = (int32_t)ev->type;
    int rc = px__proxy_call(x, &r, &rep);
    if (rc == PX_OK && ev->type == PX_EVENT_EOS)
        px__pool_take_back(x); /* what it does not hold goes back to the arena */
    if (rc == PX_EAGAIN)
        return PX_OK; /* the restarted process starts clean: nothing to flush */
    if (rc)
        return PX_EFLOW;
    return rep.status <= 0 && rep.status >= PX_ETIMEDOUT ? rep.status : PX_EFLOW;
}

/* ---- The end of a run ---------------------------------------------------------------------------- */

static void px__isolate_release(px_pipeline *p)
{
    px__iso *iso = p->iso;
    if (!iso || !iso->proxies)
        return;
    for (int i = 0; i < iso->n_procs; i++) {
        px__iso_proc *pr = &iso->procs[i];
        if (atomic_load(&pr->pid) > 0 && pr->chan) {
            px__pool_close(pr); /* no thread of it waits for a slot while it stops */
            px__slotref r;
            memset(&r, 0, sizeof r);
            r.op = PX__OP_SHUTDOWN;
            if (px__req_push(pr->members[0], &r)) /* the streaming threads are gone */
                px__notify(&pr->chan->child_sleeping, &pr->chan->child_bell, false);
            struct pollfd pfd = {pr->pidfd, POLLIN, 0};
            if (pr->pidfd < 0 || poll(&pfd, 1, 1000) <= 0)
                px__proc_kill(pr);
        }
        px__proc_close(pr);
        if (pr->chan)
            munmap(pr->chan, sizeof(px__channel));
        if (pr->chan_fd >= 0)
            close(pr->chan_fd);
        pr->chan = NULL;
        pr->chan_fd = -1;
        pthread_mutex_destroy(&pr->lock);
    }
    if (iso->zygote_fd >= 0) {
        close(iso->zygote_fd); /* the zygote kills what is left and exits */
        iso->zygote_fd = -1;
    }
    if (iso->zygote_pid > 0) {
        int st;
        for (int i = 0; i < 200 && waitpid(iso->zygote_pid, &st, WNOHANG) == 0; i++) {
            struct timespec ts = {0, 5000000};
            nanosleep(&ts, NULL);
            if (i == 199) {
                kill(iso->zygote_pid, SIGKILL);
                waitpid(iso->zygote_pid, &st, 0);
            }
        }
        iso->zygote_pid = 0;
    }
    for (size_t i = 0; i < iso->n_proxies; i++) {
        px__proxy *x = &iso->proxies[i];
        if (x->el) {
            px__unlend(x); /* what the dead child held, before the arenas go */
            px__fly_lose_all(x, false); /* stopped with requests in flight */
        }
        PX_FREE((void *)x->lent);
        x->lent = NULL;
        if (x->el) {
            x->el->klass = x->orig;
            x->el->isolate = NULL;
        }
        x->el = NULL; /* stats stay */
        x->proc = NULL;
    }
    /* Stats stay readable after the run: keep the proxies, drop the processes. */
    PX_FREE(iso->procs);
    iso->procs = NULL;
    iso->n_procs = 0;
    iso->active = false;
}

static void px__isolate_free(px_pipeline *p)
{
    px__iso *iso = p->iso;
    if (!iso)
        return;
    px__isolate_release(p);
    PX_FREE(iso->proxies);
    PX_FREE(iso->patterns);
    pthread_mutex_destroy(&iso->zlock);
    PX_FREE(iso);
    p->iso = NULL;
}
