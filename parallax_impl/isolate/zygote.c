/* The zygote and the element processes it forks.
 *
 * px_pipeline_prepare() of an isolating pipeline forks the zygote once the
 * elements have started and before arenas or streaming threads exist, so
 * the zygote is single-threaded and holds each element exactly as start()
 * left it. It maps the arenas children write (read-write, before the
 * supervisor seals them against new writable mappings), then forks element
 * processes on request: a first start and every restart begin from the same
 * clean state, and no restart ever forks a multi-threaded process. */

#include <sys/prctl.h>
#include <sys/resource.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

typedef struct px__zmap {
    uint8_t *addr;
    size_t size;
} px__zmap;

static px__zmap px__zmaps[PX__ISO_MAX_MAPS];
static int px__n_zmaps;

static void px__zfill(px__zmsg *m, int type)
{
    memset(m, 0, sizeof *m);
    m->magic = PX__ISO_MAGIC;
    m->version = PX__ISO_VERSION;
    m->type = (uint16_t)type;
}

/* ---- Views of arenas inside an element process ------------------------------- */

/* A px_arena handle over a mapping this process received: data is the
 * shared mapping, the control region a private one (elements may ref/unref
 * what they are handed; the supervisor owns the real refcounts). */
static px_arena *px__arena_view(const char *name, uint8_t *data, size_t slot_size, uint32_t slot_count)
{
    px_arena *a = PX_MALLOC(sizeof *a);
    if (!a)
        return NULL;
    memset(a, 0, sizeof *a);
    px__strlcpy(a->name, name, sizeof a->name);
    a->backing = PX_ARENA_BACKING_MEMFD;
    a->data_fd = a->control_fd = -1;
    a->slot_size = slot_size;
    a->slot_count = slot_count;
    a->data_size = slot_size * slot_count;
    a->data = data;
    a->bitmap_words = (slot_count + 63u) / 64u;
    uint64_t cap = 1;
    while (cap < slot_count)
        cap <<= 1;
    a->queue_mask = cap - 1;
    uint64_t ctl = px_arena__align(sizeof(px_arena__control), PX_ARENA__LINE);
    ctl = px_arena__align(ctl + (uint64_t)a->bitmap_words * 8u, PX_ARENA__LINE);
    ctl = px_arena__align(ctl + (uint64_t)slot_count * 4u, PX_ARENA__LINE);
    ctl = px_arena__align(ctl + (uint64_t)slot_count * 4u, PX_ARENA__LINE);
    ctl += cap * sizeof(px_arena__cell);
    a->control_size = (size_t)ctl;
    a->control_alloc = PX_MALLOC(a->control_size + 64);
    a->parked = PX_MALLOC((size_t)slot_count * sizeof *a->parked);
    if (!a->control_alloc || !a->parked) {
        PX_FREE(a->control_alloc);
        PX_FREE(a->parked);
        PX_FREE(a);
        return NULL;
    }
    a->control_base = (uint8_t *)(((uintptr_t)a->control_alloc + 63) & ~(uintptr_t)63);
    a->ctl = (px_arena__control *)(void *)a->control_base;
    px_arena__init_control(a);
    return a;
}

/* ---- The element process --------------------------------------------------------- */

typedef struct px__member {
    px_element *el;
    const px_element_class *k;
    px_arena *in[PX__ISO_MAX_IN];
    int n_in;
    px_arena *out;
} px__member;

static px__member px__members[PX__ISO_MAX_GROUP];
static int px__n_members;
static uint32_t px__cur_id[PX__ISO_MAX_GROUP]; /* request a chain()'s outputs belong to */
static uint32_t px__cur_in[PX__ISO_MAX_GROUP];      /* its input arena (UINT32_MAX: none) */
static uint32_t px__cur_in_slot[PX__ISO_MAX_GROUP]; /* and slot, which it may forward */
static px_pipeline *px__child_pipeline;

static PX__NOINLINE void px__child_die(const char *why)
{
    if (px__child.ctl_fd >= 0) {
        px__ctl_msg m;
        px__ctl_fill(&m, PX__MSG_ERROR, 0, PX_EIO, why);
        px__ctl_send(px__child.ctl_fd, &m);
    }
    _exit(111);
}

/* Errors and warnings the elements posted on the (process-local copy of
 * the) bus go to the supervisor before the reply that follows them. */
static void px__child_forward_bus(px_pipeline *p, uint32_t member)
{
    px_message msg;
    if (p->bus_count == 0) /* one thread here: a plain look, no lock per buffer */
        return;
    while (px_pipeline_pop_message(p, &msg, 0) == PX_OK) {
        if (msg.type != PX_MSG_ERROR && msg.type != PX_MSG_WARNING)
            continue;
        px__ctl_msg m;
        px__ctl_fill(&m, msg.type == PX_MSG_ERROR ? PX__MSG_ERROR : PX__MSG_WARNING, member, msg.code, msg.text);
        if (px__ctl_send(px__child.ctl_fd, &m) == PX_OK)
            px__child.sent++;
    }
    /* The copy's flags must not stop later buffers: restarts start clean anyway. */
    atomic_store(&p->error_posted, false);
    atomic_store(&p->stopping, false);
}

static void px__child_buffer(px_buffer *b, px_arena *a, uint32_t slot, size_t size)
{
    px_buffer_reset_meta(b);
    b->arena = a;
    b->slot = slot;
    b->data = px_arena_slot_data(a, slot);
    b->capacity = px_arena_slot_size(a);
    b->size = size;
}

static void px__meta_in(px_buffer *b, const px__slotref *r)
{
    b->pts = r->pts;
    b->dts = r->dts;
    b->duration = r->duration;
    b->offset = r->offset;
    b->offset_end = r->offset_end;
    b->sequence = r->sequence;
    b->flags = r->flags;
}

static void px__meta_out(px__slotref *r, const px_buffer *b)
{
    r->pts = b->pts;
    r->dts = b->dts;
    r->duration = b->duration;
    r->offset = b->offset;
    r->offset_end = b->offset_end;
    r->sequence = b->sequence;
    r->flags = b->flags;
    r->out_size = b->size;
}

/* One request: the supervisor is trusted, but indexes are still checked so
 * a bug there cannot make this process touch memory it was not given. */
static void px__child_handle(px_pipeline *p, uint32_t mi, const px__slotref *r, px__slotref *rep)
{
    px__member *m = &px__members[mi];
    memset(rep, 0, sizeof *rep);
    rep->op = PX__OP_DONE;
    rep->element = mi;
    rep->id = r->id;
    rep->status = PX_FLOW_ERROR;
    px_buffer in, out;
    bool has_in = r->op == PX__OP_PROCESS || r->op == PX__OP_CONSUME || r->op == PX__OP_CHAIN;
    bool reads_only = m->k->in_place && m->k->reads_only; /* process() runs on the read-only input */
    bool has_out = (r->op == PX__OP_PROCESS && !reads_only) || r->op == PX__OP_PRODUCE;
    if (has_in && (r->in_arena >= (uint32_t)m->n_in || r->in_slot >= px_arena_slot_count(m->in[r->in_arena]) ||
                   r->in_size > px_arena_slot_size(m->in[r->in_arena])))
        return;
    if (has_out && (!m->out || r->out_slot >= px_arena_slot_count(m->out)))
        return;
    if (has_in) {
        px__child_buffer(&in, m->in[r->in_arena], r->in_slot, (size_t)r->in_size);
        px__meta_in(&in, r);
        /* The supervisor holds the input for the call: one reference here,
         * so the element may ref and forward it. */
        atomic_store_explicit(&m->in[r->in_arena]->refcount[r->in_slot], 1, memory_order_relaxed);
    }
    if (has_out) {
        px__child_buffer(&out, m->out, r->out_slot, 0);
        px__meta_in(&out, r);
    }
    px_flow f = PX_FLOW_ERROR;
    uint32_t sent0 = px__child.sent;
    px__cur_in[mi] = UINT32_MAX;
    switch (r->op) {
    case PX__OP_PRODUCE:
        f = m->k->produce(m->el, &out);
        px__meta_out(rep, &out);
        break;
    case PX__OP_PROCESS: {
        px_frame fr;
        fr.out_pad = 0;
        if (reads_only) { /* a write to the input kills this process */
            fr.in = in;
            fr.out = in;
        } else if (m->k->in_place) {
            /* Inputs are read-only here: in place happens in the output slot. */
            size_t n = in.size < out.capacity ? in.size : out.capacity;
            memcpy(out.data, in.data, n);
            out.size = n;
            fr.in = out;
            fr.out = out;
        } else {
            fr.in = in;
            fr.out = out;
        }
        f = m->k->process(m->el, &fr);
        size_t cap = reads_only ? in.size : out.capacity;
        if (fr.out.size > cap)
            fr.out.size = cap;
        px__meta_out(rep, &fr.out);
        rep->out_pad = fr.out_pad;
        break;
    }
    case PX__OP_CONSUME:
        f = m->k->consume(m->el, &in);
        break;
    case PX__OP_CHAIN:
        px__cur_id[mi] = r->id;
        px__cur_in[mi] = r->in_arena;
        px__cur_in_slot[mi] = r->in_slot;
        f = m->k->chain(m->el, &in);
        px__cur_in[mi] = UINT32_MAX;
        break;
    case PX__OP_EVENT: {
        px_event ev = {(px_event_type)r->status};
        px__cur_id[mi] = r->id;
        f = m->k->event ? (px_flow)m->k->event(m->el, &ev) : PX_FLOW_OK;
        break;
    }
    default:
        return;
    }
    rep->status = f;
    px__child_forward_bus(p, mi);
    rep->reserved = px__child.sent - sent0;
    if (px__child.forge) { /* a compromised worker, for the hostile tests */
        rep->out_size = px__child.forge_out_size;
        rep->out_pad = px__child.forge_out_pad;
    }
}

static void px__child_shutdown(void)
{
    for (int i = 0; i < px__n_members; i++)
        if (px__members[i].k->stop)
            px__members[i].k->stop(px__members[i].el);
    _exit(0);
}

/* Handles what waits on member i's request ring; returns true if anything did. */
static bool px__child_service(px_pipeline *p, int i)
{
    px__channel *c = px__child.chan;
    px__slotref r, rep;
    int got = px__ring_pop(&c->req[i], &px__child_req[i], &r);
    if (got < 0)
        px__child_die("request ring indexes out of range");
    if (got == 0)
        return false;
    if (r.op == PX__OP_SHUTDOWN)
        px__child_shutdown();
    if (r.op == PX__OP_LEND) /* only expected inside px__child_alloc_output */
        px__child_die("an output slot was lent that nobody asked for");
    px__child_handle(p, (uint32_t)i, &r, &rep);
    while (!px__ring_push(&c->rep[i], &px__child_rep[i], &rep))
        sched_yield(); /* the supervisor is draining outputs of this call */
    px__notify(&c->rep[i].sleeping, &c->rep[i].bell, px__child.fences);
    return true;
}

/* Sleeps until some request ring has an entry (or, with only, that ring). */
static void px__child_wait(void)
{
    px__channel *c = px__child.chan;
    for (int y = 0; y < 16; y++) {
        sched_yield();
        for (int i = 0; i < px__n_members; i++)
            if (!px__ring_empty(&c->req[i], &px__child_req[i]))
                return;
    }
    uint32_t bell = atomic_load_explicit(&c->child_bell, memory_order_acquire);
    atomic_store_explicit(&c->child_sleeping, 1, memory_order_relaxed);
    bool held = px__fence_heavy(px__child.fences); /* the supervisor's fence per push is light then */
    bool empty = true;
    for (int i = 0; i < px__n_members && empty; i++)
        empty = px__ring_empty(&c->req[i], &px__child_req[i]);
    if (empty)
        px__futex_wait_on(&c->child_bell, bell, held ? -1 : 1, true);
    atomic_store_explicit(&c->child_sleeping, 0, memory_order_relaxed);
}

static void px__child_loop(px_pipeline *p) __attribute__((noreturn));
static void px__child_loop(px_pipeline *p)
{
    for (;;) {
        bool any = false;
        for (int spin = 0; spin < 2000 && !any; spin++) {
            for (int i = 0; i < px__n_members; i++)
                any |= px__child_service(p, i);
            if (!any)
                px__cpu_relax();
        }
        if (!any)
            px__child_wait();
    }
}

static int px__member_of(const px_element *el)
{
    for (int i = 0; i < px__n_members; i++)
        if (px__members[i].el == el)
            return i;
    return -1;
}

static void px__child_reply(int mi, const px__slotref *r)
{
    px__channel *c = px__child.chan;
    while (!px__ring_push(&c->rep[mi], &px__child_rep[mi], r))
        sched_yield();
    px__notify(&c->rep[mi].sleeping, &c->rep[mi].bell, px__child.fences);
}

/* chain() asks for an output: a slot of the pool the supervisor lent (pool.c). */
static int px__child_alloc_output(px_element *el, px_buffer *out)
{
    int mi = px__member_of(el);
    if (mi < 0 || !px__members[mi].out)
        return PX_EINVAL;
    return px__pool_take(mi, out);
}

/* chain() pushes a slot it holds: one of its pool's, or (forwarding it or a
 * part of it) the input of the call. The pushed reference is this view's:
 * dropping it may give the slot back; the supervisor takes its own for
 * downstream before it routes the OUTPUT. */
static px_flow px__child_push(px_element *el, int src_pad, px_buffer *buf)
{
    int mi = px__member_of(el);
    if (mi < 0)
        return PX_FLOW_ERROR;
    px__member *m = &px__members[mi];
    px__slotref o;
    memset(&o, 0, sizeof o);
    o.op = PX__OP_OUTPUT;
    o.element = (uint32_t)mi;
    o.id = px__cur_id[mi];
    o.out_slot = buf->slot;
    o.out_pad = src_pad;
    px__meta_out(&o, buf);
    if (m->out && buf->arena == m->out) {
        o.status = PX__OUT_LENT;
    } else if (px__cur_in[mi] < (uint32_t)m->n_in && buf->arena == m->in[px__cur_in[mi]] &&
               buf->slot == px__cur_in_slot[mi]) {
        o.status = PX__OUT_INPUT;
        o.in_arena = px__cur_in[mi];
        o.in_slot = buf->slot;
    } else {
        return PX_FLOW_ERROR; /* not a slot this process may hand on */
    }
    const uint8_t *base = px_arena_slot_data(buf->arena, buf->slot);
    if (!buf->data || buf->data < base || (size_t)(buf->data - base) > px_arena_slot_size(buf->arena))
        return PX_FLOW_ERROR;
    o.in_size = (uint64_t)(buf->data - base); /* where the data starts in the slot */
    px__child_reply(mi, &o);
    atomic_fetch_add_explicit(&px__child.chan->pool[mi].pushed, 1, memory_order_release);
    px_arena *a = buf->arena;
    buf->arena = NULL; /* ownership passed */
    px_arena_unref(a, buf->slot);
    return (px_flow)atomic_load_explicit(&px__child.chan->downstream[mi], memory_order_acquire);
}

/* fds: [0] control socket, [1] channel, [2...] inputs in zmsg order. */
static void px__child_main(px_pipeline *p, const px__zmsg *z, int *fds, int nfds, int zygote_pid)
    __attribute__((noreturn));
static void px__child_main(px_pipeline *p, const px__zmsg *z, int *fds, int nfds, int zygote_pid)
{
    char *rep = px__child.report;
    size_t rsz = sizeof px__child.report;
    rep[0] = '\0';
    px__child.ctl_fd = fds[0];
    px__child.zygote_pid = zygote_pid;
    px__child.disable = z->disable;
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != zygote_pid)
        _exit(112);
    struct rlimit core = {0, 0};
    setrlimit(RLIMIT_CORE, &core);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    px__append(rep, rsz, "core: off, not dumpable");
    /* The application's signal handlers (a crash reporter, a test
     * framework) have no business here: a fault must kill this process
     * with its own signal, and handlers could not run under seccomp. */
    for (int sig = 1; sig < 65; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGINT, SIG_IGN); /* the supervisor decides when to stop */
    signal(SIGPIPE, SIG_IGN);

    /* The channel. */
    void *cm = mmap(NULL, sizeof(px__channel), PROT_READ | PROT_WRITE, MAP_SHARED, fds[1], 0);
    if (cm == MAP_FAILED)
        px__child_die("cannot map the channel");
    px__child.chan = cm;
    if (px__child.chan->magic != PX__ISO_MAGIC || px__child.chan->version != PX__ISO_VERSION)
        px__child_die("channel has a bad magic or version");
    /* Wake-ups: light fences when the supervisor is registered for
     * membarrier and this process can be too (registered before seccomp,
     * which allows only the GLOBAL_EXPEDITED command); HELLO tells it. */
    bool registered = px__child.chan->fences == 1 &&
                      syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0) == 0;
    px__child.fences = registered ? PX__FENCES_PROCESSES : PX__FENCES_FULL;
    px__append(rep, rsz, registered ? "; wake-ups: membarrier" : "; wake-ups: full fences");

    /* Members and their arenas: outputs are the zygote's read-write
     * mappings, inputs are mapped read-only from sealed fds. */
    px__n_members = (int)z->n_members;
    bool used_map[PX__ISO_MAX_MAPS] = {false};
    int fi = 2;
    for (int i = 0; i < px__n_members; i++) {
        px__member *m = &px__members[i];
        if (z->members[i] >= p->n_elements)
            px__child_die("spawn names an element that does not exist");
        m->el = p->elements[z->members[i]];
        px__proxy *x = m->el->isolate;
        m->k = x ? x->orig : m->el->klass;
        uint32_t mid = z->out_maps[i];
        if (mid != UINT32_MAX) {
            if (mid >= (uint32_t)px__n_zmaps)
                px__child_die("spawn names an output arena the zygote has not mapped");
            used_map[mid] = true;
            m->out = px__arena_view(m->el->name, px__zmaps[mid].addr, (size_t)z->out_slot_size[i], z->out_slots[i]);
            if (!m->out || (uint64_t)z->out_slot_size[i] * z->out_slots[i] > px__zmaps[mid].size)
                px__child_die("output arena geometry does not fit its mapping");
            m->out->gone = px__pool_give_back; /* last references go back to the supervisor */
            m->out->member = i;
        }
    }
    for (uint32_t k = 0; k < z->n_in; k++, fi++) {
        if (fi >= nfds)
            px__child_die("spawn message has fewer fds than inputs");
        uint32_t mi = z->in_members[k] / PX__ISO_MAX_IN;
        if (mi >= (uint32_t)px__n_members)
            px__child_die("input for a member that does not exist");
        px__member *m = &px__members[mi];
        char why[160];
        bool fw = !(z->disable & PX_ISOLATE_NO_SEALS);
        if (!px__seals_ok(fds[fi], fw, why, sizeof why))
            px__child_die(why);
        size_t bytes = (size_t)(z->in_slot_size[k] * z->in_slots[k]);
        struct stat st;
        if (fstat(fds[fi], &st) != 0 || (uint64_t)st.st_size < bytes)
            px__child_die("input arena is smaller than its geometry");
        void *addr = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fds[fi], 0);
        if (addr == MAP_FAILED)
            px__child_die("cannot map an input arena read-only");
        m->in[m->n_in++] = px__arena_view(m->el->name, addr, (size_t)z->in_slot_size[k], z->in_slots[k]);
        px__child.in_fds[px__child.n_in_fds++] = fds[fi];
        if (!m->in[m->n_in - 1])
            px__child_die("out of memory");
    }
    for (int i = 0; i < px__n_zmaps; i++)
        if (!used_map[i] && px__zmaps[i].addr) /* other processes' outputs */
            munmap(px__zmaps[i].addr, px__zmaps[i].size);

    /* Limits (still privileged: the cgroup is joined before the uid changes). */
    bool root = getuid() == 0;
    if (!(z->disable & PX_ISOLATE_NO_LIMITS)) {
        char mem[160] = "";
        if (z->memory_limit)
            px__memory_limit(z->memory_limit, zygote_pid, z->proc, !(z->disable & PX_ISOLATE_NO_CGROUP), mem, sizeof mem);
        else
            snprintf(mem, sizeof mem, "memory: no limit");
        px__append(rep, rsz, "; %s", mem);
        if (z->cpu_seconds) {
            struct rlimit cpu = {z->cpu_seconds, z->cpu_seconds + 1};
            setrlimit(RLIMIT_CPU, &cpu);
            px__append(rep, rsz, "; cpu: %u s", (unsigned)z->cpu_seconds);
        }
    }

    /* Every fd but the control socket and the element's own files. */
    int keep[PX__ISO_MAX_GROUP * (PX__ISO_MAX_KEEP + PX__ISO_MAX_IN) + 1];
    int nk = 0;
    keep[nk++] = fds[0];
    for (int i = 0; i < px__child.n_in_fds; i++) /* read-only: the arenas' own fds */
        keep[nk++] = px__child.in_fds[i];
    for (uint32_t i = 0; i < z->n_keep && i < PX__ISO_MAX_GROUP * PX__ISO_MAX_KEEP; i++)
        if (z->keep[i] >= 0 && z->keep[i] != fds[0])
            keep[nk++] = z->keep[i];
    if (px__close_fds_except(keep, nk) != PX_OK)
        px__child_die("cannot close inherited fds");
    px__append(rep, rsz, "; fds: %d kept", nk);

    if (!(z->disable & PX_ISOLATE_NO_NAMESPACES))
        px__unshare(root, z->profile == PX__PROFILE_NETWORK, z->threads != 0, rep, rsz);
    if (px__drop_privileges((z->disable & PX_ISOLATE_NO_UID) ? 0 : z->uid, rep, rsz) != PX_OK)
        px__child_die(rep);
    /* A uid change clears the parent-death signal (and resets dumpable):
     * set both again, and make sure the zygote did not die meanwhile. */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (getppid() != zygote_pid)
        _exit(112);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        px__child_die("PR_SET_NO_NEW_PRIVS failed");
    px__append(rep, rsz, "; no_new_privs");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = px__sigsys_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigaction(SIGSYS, &sa, NULL);
#if CONFIG_PX_SANDBOX_SECCOMP
    if (!(z->disable & PX_ISOLATE_NO_SECCOMP)) {
        if (px__seccomp_apply((int)z->profile, fds[0], rep, rsz) != PX_OK)
            px__child_die(rep);
        px__child.seccomp_on = true;
    } else {
        px__append(rep, rsz, "; seccomp: off (disabled)");
    }
#else
    px__append(rep, rsz, "; seccomp: off (built without libseccomp)");
#endif
    px__child_pipeline = p;
    px__child_main_thread = true;
    px__child.active = true;
    px__ctl_msg hello;
    px__ctl_fill(&hello, PX__MSG_HELLO, 0, 0, rep);
    hello.value = (uint64_t)getpid();
    hello.code = px__child.fences == PX__FENCES_PROCESSES;
    if (px__ctl_send(fds[0], &hello) != PX_OK)
        _exit(113);
    /* Caps: the supervisor sends what it negotiated; the process checks
     * them against the element it holds, then says it is ready. */
    for (;;) {
        px__ctl_msg m;
        ssize_t n = px__ctl_recv(fds[0], &m, -1);
        char why[200];
        if (n <= 0)
            _exit(0);
        if (!px__ctl_valid(&m, n, z->n_members, why, sizeof why))
            px__child_die(why);
        if (m.type == PX__MSG_STATE)
            break;
        if (m.type != PX__MSG_CAPS)
            continue;
#if CONFIG_PX_CAPS
        px_element *el = px__members[m.element].el;
        char mine[PX__ISO_TEXT] = "";
        if (el->caps_set)
            px_caps_to_string(&el->caps[m.dir ? 1 : 0], mine, sizeof mine);
        if (strcmp(mine, m.text) != 0) {
            snprintf(why, sizeof why, "%s: caps differ from its start state", el->name);
            px__child_die(why);
        }
#endif
    }
    px__ctl_msg ready;
    px__ctl_fill(&ready, PX__MSG_STATE, 0, 0, "running");
    ready.value = 1;
    px__ctl_send(fds[0], &ready);
    px__child_loop(p);
}

/* ---- The zygote ---------------------------------------------------------------------- */

typedef struct px__zchild {
    int pid, pidfd, proc;
    unsigned long long ooms; /* its cgroup's count when it started */
} px__zchild;

static int px__zygote_procs; /* process slots used: their cgroups go at the end */

static void px__zygote_main(px_pipeline *p, int sock) __attribute__((noreturn));
static void px__zygote_main(px_pipeline *p, int sock)
{
    px__zchild kids[64];
    int n_kids = 0;
    int self = (int)getpid();
    signal(SIGINT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    px__cgroup_sweep();
    for (;;) {
        struct pollfd pfd[65];
        pfd[0].fd = sock;
        pfd[0].events = POLLIN;
        for (int i = 0; i < n_kids; i++) {
            pfd[i + 1].fd = kids[i].pidfd;
            pfd[i + 1].events = POLLIN;
        }
        /* Without pidfds (valgrind, old kernels) children are polled. */
        bool polled = false;
        for (int i = 0; i < n_kids; i++)
            polled |= kids[i].pidfd < 0;
        int r = poll(pfd, (nfds_t)n_kids + 1, polled ? 20 : -1);
        if (r < 0 && errno == EINTR)
            continue;
        for (int i = n_kids - 1; i >= 0; i--) {
            if (kids[i].pidfd >= 0 && !(pfd[i + 1].revents & (POLLIN | POLLHUP)))
                continue;
            siginfo_t si;
            memset(&si, 0, sizeof si);
            if (waitid(P_PID, (id_t)kids[i].pid, &si, WEXITED | (kids[i].pidfd < 0 ? WNOHANG : 0)) != 0 ||
                si.si_pid == 0)
                continue;
            px__zmsg d;
            px__zfill(&d, PX__Z_DIED);
            d.pid = kids[i].pid;
            d.proc = kids[i].proc;
            d.status = si.si_code == CLD_EXITED ? (si.si_status & 0xff) << 8 : (si.si_status & 0x7f);
            d.size = px__cgroup_ooms(self, kids[i].proc) > kids[i].ooms;
            if (kids[i].pidfd >= 0)
                close(kids[i].pidfd);
            kids[i] = kids[--n_kids];
            px__send_fds(sock, &d, sizeof d, NULL, 0);
        }
        if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        px__zmsg m;
        int fds[PX__MAX_FDS];
        int nf = px__recv_fds(sock, &m, sizeof m, fds, PX__MAX_FDS, 0);
        if (nf == PX_ETIMEDOUT)
            continue;
        if (nf < 0 || m.magic != PX__ISO_MAGIC || m.version != PX__ISO_VERSION) {
            /* The supervisor is gone (or broken): take the children along. */
            int procs = 0;
            for (int i = 0; i < n_kids; i++) {
                kill(kids[i].pid, SIGKILL);
                waitpid(kids[i].pid, NULL, 0);
            }
            for (int i = 0; i < n_kids; i++)
                procs = kids[i].proc + 1 > procs ? kids[i].proc + 1 : procs;
            for (int i = 0; i < procs || i < px__zygote_procs; i++)
                px__cgroup_remove(self, i);
            _exit(0);
        }
        px__zmsg reply;
        if (m.type == PX__Z_MAP) {
            px__zfill(&reply, PX__Z_MAPPED);
            reply.map_id = m.map_id;
            void *a = MAP_FAILED;
            if (nf == 1 && m.map_id == (uint32_t)px__n_zmaps && px__n_zmaps < PX__ISO_MAX_MAPS)
                a = mmap(NULL, (size_t)m.size, PROT_READ | PROT_WRITE, MAP_SHARED, fds[0], 0);
            if (a == MAP_FAILED) {
                reply.type = PX__Z_FAILED;
                snprintf(reply.text, sizeof reply.text, "zygote: cannot map writer arena %u: %s",
                         (unsigned)m.map_id, strerror(errno));
            } else {
                px__zmaps[px__n_zmaps].addr = a;
                px__zmaps[px__n_zmaps].size = (size_t)m.size;
                px__n_zmaps++;
            }
            for (int i = 0; i < nf; i++)
                close(fds[i]);
            px__send_fds(sock, &reply, sizeof reply, NULL, 0);
        } else if (m.type == PX__Z_SPAWN) {
            px__zfill(&reply, PX__Z_SPAWNED);
            reply.proc = m.proc;
            int pid = -1;
            if (nf >= 2 && (uint32_t)nf == 2 + m.n_in && m.n_members <= PX__ISO_MAX_GROUP && n_kids < 64)
                pid = (int)fork();
            if (pid == 0) {
                close(sock);
                px__child_main(p, &m, fds, nf, self);
            }
            for (int i = 0; i < nf; i++)
                close(fds[i]);
            reply.pid = pid;
            if (pid < 0) {
                reply.type = PX__Z_FAILED;
                snprintf(reply.text, sizeof reply.text, "zygote: cannot fork an element process: %s",
                         nf < 2 ? "malformed spawn request" : strerror(errno));
            } else {
                int pfd2 = (int)syscall(SYS_pidfd_open, pid, 0);
                kids[n_kids].pid = pid;
                kids[n_kids].pidfd = pfd2;
                kids[n_kids].proc = m.proc;
                kids[n_kids].ooms = px__cgroup_ooms(self, m.proc);
                n_kids++;
                if (m.proc + 1 > px__zygote_procs)
                    px__zygote_procs = m.proc + 1;
            }
            px__send_fds(sock, &reply, sizeof reply, NULL, 0);
        } else if (m.type == PX__Z_KILL) {
            for (int i = 0; i < n_kids; i++)
                if (kids[i].pid == m.pid)
                    kill(m.pid, SIGKILL);
            for (int i = 0; i < nf; i++)
                close(fds[i]);
        } else {
            for (int i = 0; i < nf; i++)
                close(fds[i]);
        }
    }
}
