/* Output slots of an isolated chain() element: a pool lent ahead.
 *
 * A decoder such as dav1d allocates pictures from its own threads and keeps
 * reference frames across calls, so an element process must hold several
 * output slots at once and take one without a round trip. The supervisor
 * keeps up to pool_fill cells of the member's px__pool filled with slots of
 * its output arena (each recorded in lent[] and in the owner table, so a
 * crash gives them back); any thread of the child claims a cell with one
 * exchange. When every cell is claimed the child bumps `wanted`, rings the
 * supervisor's bell and waits on `refill`; the supervisor refills while it
 * waits for the child's reply and before every call.
 *
 * An OUTPUT gives downstream a reference of its own (the child may keep
 * the slot as a reference frame); the lend ends when the child's last
 * reference goes (its arena view's `gone` hook writes a ret cell). A ret
 * cell carries the count of OUTPUTs the child had pushed, and is taken back
 * only once the supervisor has routed that many: a slot is never freed
 * while an OUTPUT of it still waits in the reply ring.
 *
 * Nothing here allocates, locks or makes a syscall per buffer, except the
 * futex wake when the child waits for a slot. */

/* ---- Child side ------------------------------------------------------------- */

/* Any thread: a slot from the pool, waiting for a refill when it is empty.
 * The ring-serving thread meanwhile serves the other members' requests (the
 * supervisor may be inside one of them, routing an earlier output).
 * PX_EAGAIN when the supervisor has no more (stopping, or it said why). */
static int px__pool_take(int mi, px_buffer *out)
{
    px__channel *c = px__child.chan;
    px__pool *pl = &c->pool[mi];
    px_arena *a = px__members[mi].out;
    for (;;) {
        for (int i = 0; i < PX__ISO_POOL_CELLS; i++) {
            if (!atomic_load_explicit(&pl->cell[i], memory_order_relaxed))
                continue;
            uint32_t v = atomic_exchange_explicit(&pl->cell[i], 0, memory_order_acquire);
            if (!v)
                continue;
            if (v - 1 >= px_arena_slot_count(a))
                px__child_die("the supervisor lent an output slot that does not exist");
            atomic_store_explicit(&a->refcount[v - 1], 1, memory_order_relaxed);
            px__child_buffer(out, a, v - 1, 0);
            return PX_OK;
        }
        if (atomic_load_explicit(&pl->dry, memory_order_acquire))
            return PX_EAGAIN;
        uint32_t seq = atomic_load_explicit(&pl->refill, memory_order_acquire);
        atomic_fetch_add_explicit(&pl->wanted, 1, memory_order_release);
        px__notify(&c->rep[mi].sleeping, &c->rep[mi].bell, px__child.fences);
        bool any = false;
        for (int i = 0; px__child_main_thread && i < px__n_members; i++)
            if (i != mi)
                any |= px__child_service(px__child_pipeline, i);
        if (any)
            continue;
        /* Timed: the main thread also watches the other members' rings. */
        px__futex_wait_on(&pl->refill, seq, px__child_main_thread ? 1 : 10, true);
    }
}

/* The last reference to a lent slot went (any thread). A full ret array
 * cannot happen (a member holds at most PX__ISO_POOL_HELD slots and each
 * comes back once per lend); were it full, the slot stays lent until the
 * process ends, which the supervisor cleans up. */
static void px__pool_give_back(px_arena *a, uint32_t slot)
{
    px__pool *pl = &px__child.chan->pool[a->member];
    uint64_t v = (uint64_t)atomic_load_explicit(&pl->pushed, memory_order_acquire) << 32 | (slot + 1u);
    for (int i = 0; i < PX__ISO_POOL_HELD; i++) {
        uint64_t z = 0;
        if (atomic_compare_exchange_strong_explicit(&pl->ret[i], &z, v, memory_order_release,
                                                    memory_order_relaxed)) {
            atomic_fetch_add_explicit(&pl->returned, 1, memory_order_release);
            return;
        }
    }
}

/* ---- Supervisor side ------------------------------------------------------------- */

/* After start(), before arenas: the cells kept filled, from what the
 * element asked for (a decoder's references and frames in flight); its
 * arena gets that many slots more, so the slots waiting in cells take
 * nothing from downstream. */
static void px__pool_size(px__proxy *x)
{
    uint32_t fill = x->el->out_extra_slots / 4 + 2;
    x->pool_fill = fill < PX__ISO_POOL_CELLS ? fill : PX__ISO_POOL_CELLS;
    x->el->out_extra_slots += x->pool_fill;
}

/* At every spawn: a new process starts with no slot lent. */
static void px__pool_reset(px__proxy *x)
{
    px_arena *a = x->el->out_arena;
    x->pool_cap = a && px_arena_slot_count(a) < PX__ISO_POOL_HELD ? px_arena_slot_count(a) : PX__ISO_POOL_HELD;
    x->pool_outputs = x->pool_returned_seen = x->pool_wanted_seen = 0;
    x->pool_deferred = false;
    x->pool_starved_since = 0;
}

/* Ends a lend: the child gave the slot back or is gone. */
static void px__pool_unlend_slot(px__proxy *x, px_arena *a, uint32_t s)
{
    atomic_store_explicit(&a->owner[s], a->home_pid ? a->home_pid : px_arena__self(), memory_order_relaxed);
    atomic_fetch_sub_explicit(&x->n_lent, 1, memory_order_relaxed);
    px_arena_unref(a, s);
}

/* The child waits and no slot could be lent. Backpressure while a queue
 * downstream holds slots; otherwise, after a grace period, an error naming
 * the element, and allocations in the child fail from then on. */
static void px__pool_starved(px__proxy *x, px__pool *pl)
{
    px_element *el = x->el;
    px_arena *a = el->out_arena;
    uint32_t held = atomic_load_explicit(&x->n_lent, memory_order_relaxed);
    px_pipeline *p = el->pipeline;
    if (!atomic_load(&p->stopping)) {
#if CONFIG_PX_ELEM_QUEUE
        /* Under coop only this thread drains the queues that hold its slots
         * (any queue: one behind an isolated pass-through element does not
         * count this element among its feeders). */
        bool moved = false;
        for (size_t i = 0; held < x->pool_cap && !moved && px__effective_scheduler(p) == PX_SCHED_COOP_RUN &&
                           i < p->n_queues; i++)
            moved = px__queue_service(p->queues[i]) > 0;
#if CONFIG_PX_SCHED_RT
        if (!moved && held < x->pool_cap && px__reactor_self) /* rt: the reactor drains them */
            moved = px__rt_reactor_relieve(p);
#endif
        if (moved) {
            x->pool_starved_since = 0;
            return;
        }
        if (held < x->pool_cap && px__held_downstream(el) > 0 && px__effective_scheduler(p) != PX_SCHED_COOP_RUN) {
#else
        if (held < x->pool_cap && px__held_downstream(el) > 0) {
#endif
            x->pool_starved_since = 0;
            return;
        }
        px_time now = px__now();
        if (!x->pool_starved_since)
            x->pool_starved_since = now;
        if (held < x->pool_cap && now - x->pool_starved_since < 200 * PX_MSECOND)
            return;
        if (held >= x->pool_cap)
            px_element_error(el, PX_ENOMEM,
                             "its process holds %u output slots at once, the most an element process may hold "
                             "(%u: its %u-slot arena, at most %d)",
                             (unsigned)held, (unsigned)x->pool_cap, (unsigned)px_arena_slot_count(a),
                             PX__ISO_POOL_HELD);
        else
            px_element_error(el, PX_ENOMEM,
                             "no free slot in its %u-slot output arena for its process (which holds %u): "
                             "something downstream keeps the rest",
                             (unsigned)px_arena_slot_count(a), (unsigned)held);
    }
    atomic_store_explicit(&pl->dry, 1, memory_order_release);
    px__bell_ring(&pl->refill);
}

/* Takes back the slots the child gave back; false (why filled) when it
 * gave back one it does not hold. */
static bool px__pool_drain(px__proxy *x, px_arena *a, px__pool *pl, char *why, size_t n)
{
    uint32_t r = atomic_load_explicit(&pl->returned, memory_order_acquire);
    if (r == x->pool_returned_seen && !x->pool_deferred)
        return true;
    x->pool_returned_seen = r;
    x->pool_deferred = false;
    for (int i = 0; i < PX__ISO_POOL_HELD; i++) {
        uint64_t v = atomic_load_explicit(&pl->ret[i], memory_order_acquire);
        if (!v)
            continue;
        if ((int32_t)((uint32_t)(v >> 32) - x->pool_outputs) > 0 ||
            !atomic_compare_exchange_strong_explicit(&pl->ret[i], &v, 0, memory_order_acquire, memory_order_relaxed)) {
            x->pool_deferred = true; /* an OUTPUT of it is still in the ring */
            continue;
        }
        uint32_t s = (uint32_t)v - 1u;
        if ((uint32_t)v == 0 || s >= px_arena_slot_count(a) || !atomic_exchange(&x->lent[s], 0)) {
            snprintf(why, n, "gave back output slot %u, which it does not hold", (unsigned)s);
            return false;
        }
        px__pool_unlend_slot(x, a, s);
    }
    return true;
}

/* Before and during every call of member x (its streaming thread): takes
 * back the slots the child gave back, then refills the cells. false (why
 * filled) when the child gave back a slot it does not hold. */
static bool px__pool_service(px__proxy *x, char *why, size_t n)
{
    px_arena *a = x->el->out_arena;
    if (!x->lent || !a)
        return true;
    px__pool *pl = &x->proc->chan->pool[x->member];
    if (!px__pool_drain(x, a, pl, why, n))
        return false;
    uint32_t w = atomic_load_explicit(&pl->wanted, memory_order_acquire);
    bool asked = w != x->pool_wanted_seen;
    x->pool_wanted_seen = w;
    if (atomic_load_explicit(&pl->dry, memory_order_relaxed))
        return true;
    uint32_t pid = (uint32_t)atomic_load(&x->proc->pid);
    int filled = 0, empty = 0;
    bool none = false; /* the arena (or the cap) has no slot for it now */
    for (uint32_t i = 0; i < x->pool_fill; i++) {
        if (atomic_load_explicit(&pl->cell[i], memory_order_relaxed))
            continue;
        empty++;
        px_buffer b;
        if (none || atomic_load_explicit(&x->n_lent, memory_order_relaxed) >= x->pool_cap ||
            px_buffer_alloc(a, &b) != PX_OK) {
            none = true;
            continue;
        }
        atomic_store(&x->lent[b.slot], 1);
        atomic_fetch_add_explicit(&x->n_lent, 1, memory_order_relaxed);
        atomic_store_explicit(&a->owner[b.slot], pid, memory_order_relaxed);
        atomic_store_explicit(&pl->cell[i], b.slot + 1u, memory_order_release);
        filled++;
    }
    if (filled) {
        x->pool_starved_since = 0;
        if (asked)
            px__bell_ring(&pl->refill);
    } else if (asked && empty == (int)x->pool_fill) { /* it waits, and there is nothing to give */
        px__pool_starved(x, pl);
    }
    return true;
}

/* After EOS: unclaimed cells and given-back slots return to the arena (a
 * cell the supervisor empties can no longer be claimed). The next call
 * refills. */
static void px__pool_take_back(px__proxy *x)
{
    px_arena *a = x->el->out_arena;
    char why[96];
    if (!x->lent || !a || x->proc->failed || !x->proc->chan)
        return;
    px__pool *pl = &x->proc->chan->pool[x->member];
    for (int i = 0; i < PX__ISO_POOL_CELLS; i++) {
        uint32_t v = atomic_exchange_explicit(&pl->cell[i], 0, memory_order_acq_rel);
        if (v && v - 1 < px_arena_slot_count(a) && atomic_exchange(&x->lent[v - 1], 0))
            px__pool_unlend_slot(x, a, v - 1);
    }
    if (!px__pool_drain(x, a, pl, why, sizeof why))
        PX_WARN("isolate", "%s: protocol violation: %s", x->el->name, why);
}

/* Before a process is told to stop: its allocations fail from now on, so
 * no thread of it waits for a slot while it shuts down. */
static void px__pool_close(px__iso_proc *pr)
{
    for (int m = 0; pr->chan && m < pr->n_members; m++) {
        atomic_store_explicit(&pr->chan->pool[m].dry, 1, memory_order_release);
        px__bell_ring(&pr->chan->pool[m].refill);
    }
}
