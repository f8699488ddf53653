/* Figures users watch: per-element counters and the pipeline's JSON summary. */

PX_API void px_element_get_stats(const px_element *el, px_element_stats *s)
{
    const px__stats *c = &el->stats;
    s->buffers_in = atomic_load_explicit(&c->buffers_in, memory_order_relaxed);
    s->buffers_out = atomic_load_explicit(&c->buffers_out, memory_order_relaxed);
    s->bytes_in = atomic_load_explicit(&c->bytes_in, memory_order_relaxed);
    s->bytes_out = atomic_load_explicit(&c->bytes_out, memory_order_relaxed);
    s->drops = atomic_load_explicit(&c->drops, memory_order_relaxed);
    s->errors = atomic_load_explicit(&c->errors, memory_order_relaxed);
    s->process_ns = atomic_load_explicit(&c->process_ns, memory_order_relaxed);
    s->eos = atomic_load_explicit(&c->eos, memory_order_relaxed);
}

/* Appends to buf at *len; keeps counting when full so the caller learns the size. */
static void px__json_add(char *buf, size_t size, size_t *len, const char *fmt, ...) PX_PRINTF(4, 5);
static void px__json_add(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(*len < size ? buf + *len : NULL, *len < size ? size - *len : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len += (size_t)n;
}

/* Element names are restricted (no quotes), so they need no escaping. */
PX_API int px_pipeline_stats_json(px_pipeline *p, char *buf, size_t size)
{
    size_t len = 0;
    px_time rt = px_pipeline_running_time(p);
    px__json_add(buf, size, &len, "{\"state\": \"%s\", \"running_time_ns\": %lld, \"elements\": [",
                 px_state_name((px_state)atomic_load(&p->state)), (long long)rt);
    for (size_t i = 0; i < p->n_elements; i++) {
        px_element *el = p->elements[i];
        px_element_stats s;
        px_element_get_stats(el, &s);
        double rate = rt > 0 ? (double)(el->klass->consume ? s.buffers_in : s.buffers_out) * 1e9 / (double)rt : 0;
        px__json_add(buf, size, &len,
                     "%s\n  {\"name\": \"%s\", \"factory\": \"%s\", \"buffers_in\": %llu, \"buffers_out\": %llu, "
                     "\"bytes_in\": %llu, \"bytes_out\": %llu, \"drops\": %llu, \"errors\": %llu, "
                     "\"process_ns\": %llu, \"rate\": %.1f, \"eos\": %s",
                     i ? "," : "", el->name, el->klass->name, (unsigned long long)s.buffers_in,
                     (unsigned long long)s.buffers_out, (unsigned long long)s.bytes_in,
                     (unsigned long long)s.bytes_out, (unsigned long long)s.drops, (unsigned long long)s.errors,
                     (unsigned long long)s.process_ns, rate, s.eos ? "true" : "false");
        if (el->out_arena) {
            px_arena_stats a;
            px_arena_get_stats(el->out_arena, &a);
            px__json_add(buf, size, &len,
                         ", \"arena\": {\"slot_size\": %zu, \"slots\": %u, \"in_use\": %u, \"high_water\": %u, "
                         "\"exhausted\": %llu}",
                         a.slot_size, a.slot_count, a.in_use, a.high_water, (unsigned long long)a.exhausted);
        }
        px__json_add(buf, size, &len, "}");
    }
    px__json_add(buf, size, &len, "\n]}\n");
    return len < size ? PX_OK : PX_ENOMEM;
}
