/* elements/flow/tee.c: sends every buffer to all its src pads (src_0,
 * src_1, ...). Nothing is copied: the runtime takes one more reference per
 * branch on the same slot, so branches must not write to it (they get it
 * read-only once negotiation tracks writability). */

typedef struct {
    bool allow_not_linked;
    bool unlinked; /* no src pad at start: drop everything */
} tee_state; /* not "tee": that is a libc function (fcntl.h, _GNU_SOURCE) */

static int tee_start(px_element *el, px_error *err)
{
    tee_state *self = px_element_state(el);

    self->unlinked = px_element_src_pad_count(el) == 0;
    if (self->unlinked && !self->allow_not_linked)
        return px_error_set(err, PX_ELINK, 0,
                            "%s: no src pad linked; link one or set allow-not-linked=true",
                            px_element_name(el));
    return PX_OK;
}

static px_flow tee_process(px_element *el, px_frame *io)
{
    const tee_state *self = px_element_state(el);

    if (self->unlinked)
        return PX_FLOW_DROP;
    io->out_pad = PX_PAD_ALL;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(tee) = {
    .name = "tee",
    .family = "Generic",
    .description = "1-to-N pipe fitting: every buffer goes to every src pad, without copies",
    .state_size = sizeof(tee_state),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_REQUEST("src_%u", "ANY"),
    .hints = {.rt_safe = true},
    .in_place = true,
    .start = tee_start,
    .process = tee_process,
    .props = PX_PROPS(PX_PROP_BOOL(tee_state, allow_not_linked, false,
                                   "Accept and drop data when no src pad is linked instead of failing")),
};
