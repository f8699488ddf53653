/* elements/flow/concat.c: plays its sink pads one after the other: sink_0
 * until its EOS, then sink_1, ... (in the order of their numbers), and EOS
 * after the last. Inputs that are not yet playing WAIT, they are never
 * dropped: their buffers answer PX_FLOW_WAIT, so under the threads scheduler
 * their streaming threads sleep until their turn (or a stop), and under the
 * coop and rt schedulers the buffer is parked and its source (or queue) is
 * skipped until then (sched/fanin.c).
 *
 * Timestamps: Parallax has no segments, so where GStreamer's concat moves
 * the segment base to keep running time continuous, this one shifts the
 * buffers' pts and dts by the same offset (adjust-base=true, the default):
 * each input continues where the previous one ended (its last pts plus
 * duration), on the assumption that each input starts at time 0 as
 * GStreamer sources do. Buffers without timestamps pass unchanged. */

typedef struct {
    bool adjust_base;
    int active_pad; /* read-only: the playing pad's number, -1 when done */
    /* streaming state */
    int order[PX__MAX_PADS]; /* sink pad indices by pad number */
    int n, pos;
    px_time base, end; /* offset added to this input; end of the output so far */
} concat;

static void concat_publish(px_element *el, concat *self)
{
    int number = self->pos < self->n ? px_element_pad_number(el, PX_DIR_SINK, self->order[self->pos]) : -1;
    __atomic_store_n(&self->active_pad, number, __ATOMIC_RELAXED); /* px_get may read it on another thread */
}

static int concat_start(px_element *el, px_error *err)
{
    concat *self = px_element_state(el);

    (void)err;
    self->n = px_element_sink_pad_count(el);
    for (int i = 0; i < self->n; i++) { /* insertion sort by number: at most 32 pads */
        int j = i, num = px_element_pad_number(el, PX_DIR_SINK, i);
        while (j > 0 && px_element_pad_number(el, PX_DIR_SINK, self->order[j - 1]) > num) {
            self->order[j] = self->order[j - 1];
            j--;
        }
        self->order[j] = i;
    }
    self->pos = 0;
    self->base = self->end = 0;
    concat_publish(el, self);
    return PX_OK;
}

static px_flow concat_process(px_element *el, px_frame *io)
{
    concat *self = px_element_state(el);

    if (self->pos >= self->n)
        return PX_FLOW_EOS;
    if (px_element_input_pad(el) != self->order[self->pos])
        return PX_FLOW_WAIT; /* not its turn: kept, offered again after our next EOS */
    px_buffer *b = &io->out;
    if (self->adjust_base && b->pts != PX_TIME_NONE) {
        b->pts += self->base;
        if (b->dts != PX_TIME_NONE)
            b->dts += self->base;
        px_time end = b->pts + (b->duration != PX_TIME_NONE ? b->duration : 0);
        if (end > self->end)
            self->end = end;
    }
    return PX_FLOW_OK;
}

static int concat_event(px_element *el, const px_event *ev)
{
    concat *self = px_element_state(el);

    if (ev->type != PX_EVENT_EOS || self->pos >= self->n ||
        px_element_input_pad(el) != self->order[self->pos])
        return PX_OK; /* an input that has not played yet: its EOS is remembered by the runtime */
    do { /* the next input, skipping those that ended without a buffer */
        self->pos++;
    } while (self->pos < self->n && px_element_pad_is_eos(el, self->order[self->pos]));
    self->base = self->end;
    concat_publish(el, self);
    if (self->pos >= self->n)
        px_element_push_eos(el, PX_PAD_ALL);
    return PX_OK;
}

PX_ELEMENT_CLASS(concat) = {
    .name = "concat",
    .family = "Generic",
    .description = "Plays its sink pads one after the other, each until its EOS",
    .state_size = sizeof(concat),
    .sink = PX_PAD_REQUEST("sink_%u", "ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .hints = {.rt_safe = true}, /* never blocks: a waiting input is parked or waits upstream (sched/fanin.c) */
    .in_place = true,
    .eos_per_pad = true,
    .start = concat_start,
    .process = concat_process,
    .event = concat_event,
    .props = PX_PROPS(
        PX_PROP_BOOL(concat, adjust_base, true,
                     "Shift each input's timestamps so it continues where the previous ended"),
        PX_PROP_PAD(concat, active_pad, PX_DIR_SINK, PX_PROP_FLAG_READONLY, "The sink pad playing now")),
};
