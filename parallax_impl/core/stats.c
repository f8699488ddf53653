/* Figures users watch: per-element counters, the pipeline's totals and its
 * JSON summary. Every read is a relaxed snapshot: safe while streaming. */

#define PX__LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)

PX_API void px_element_get_stats(const px_element *el, px_element_stats *s)
{
    const px__stats *c = &el->stats;
    memset(s, 0, sizeof *s);
    s->buffers_in = PX__LOAD(c->buffers_in);
    s->buffers_out = PX__LOAD(c->buffers_out);
    s->bytes_in = PX__LOAD(c->bytes_in);
    s->bytes_out = PX__LOAD(c->bytes_out);
    s->drops = PX__LOAD(c->drops);
    s->errors = PX__LOAD(c->errors);
    s->process_ns = PX__LOAD(c->process_ns);
    s->eos = PX__LOAD(c->eos);
    px_time rt = px_pipeline_running_time(el->pipeline);
    s->rate = rt > 0 ? (double)(el->klass->consume ? s->buffers_in : s->buffers_out) * 1e9 / (double)rt : 0;
    uint64_t n = PX__LOAD(c->latency_samples);
    s->latency_avg = n ? (px_time)(PX__LOAD(c->latency_ns) / n) : 0;
    s->latency_max = (px_time)PX__LOAD(c->latency_max_ns);
}

PX_API void px_pipeline_get_stats(const px_pipeline *p, px_pipeline_stats *s)
{
    memset(s, 0, sizeof *s);
    s->running_time = px_pipeline_running_time(p);
    uint64_t lat_sum = 0, lat_n = 0;
    for (size_t i = 0; i < p->n_elements; i++) {
        const px_element *el = p->elements[i];
        const px__stats *c = &el->stats;
        s->drops += PX__LOAD(c->drops);
        s->errors += PX__LOAD(c->errors);
        if (el->klass->consume) {
            s->buffers_in_sinks += PX__LOAD(c->buffers_in);
            s->bytes_in_sinks += PX__LOAD(c->bytes_in);
            lat_sum += PX__LOAD(c->latency_ns);
            lat_n += PX__LOAD(c->latency_samples);
            if ((px_time)PX__LOAD(c->latency_max_ns) > s->latency_max)
                s->latency_max = (px_time)PX__LOAD(c->latency_max_ns);
        }
        if (el->out_arena) {
            px_arena_stats a;
            px_arena_get_stats(el->out_arena, &a);
            s->arenas++;
            s->arena_slots += a.slot_count;
            s->arena_in_use += a.in_use;
            s->arena_high_water += a.high_water;
            if (a.utilization > s->arena_utilization)
                s->arena_utilization = a.utilization;
            double peak = a.slot_count ? (double)a.high_water / a.slot_count : 0;
            if (peak > s->arena_peak)
                s->arena_peak = peak;
        }
    }
    s->latency_avg = lat_n ? (px_time)(lat_sum / lat_n) : 0;
    s->cycles = PX__LOAD(((px_pipeline *)p)->rt_cycles);
    s->deadline_misses = PX__LOAD(((px_pipeline *)p)->rt_misses);
    s->cycle_max = (px_time)PX__LOAD(((px_pipeline *)p)->rt_cycle_max);
#if CONFIG_PX_SCHED_RT
    s->jitter_p50 = px__rt_percentile(p, 50);
    s->jitter_p99 = px__rt_percentile(p, 99);
    s->jitter_max = (px_time)PX__LOAD(((px_pipeline *)p)->rt_jitter_max);
#endif
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

static const char *px__sched_name(px_scheduler s)
{
    switch (s) {
    case PX_SCHED_COOP_RUN: return "coop";
    case PX_SCHED_THREADS_RUN: return "threads";
    case PX_SCHED_RT_RUN: return "rt";
    default: return "default";
    }
}

/* Element names are restricted (no quotes), so they need no escaping. */
PX_API int px_pipeline_stats_json(px_pipeline *p, char *buf, size_t size)
{
    size_t len = 0;
    px_pipeline_stats ps;
    px_pipeline_get_stats(p, &ps);
    px__json_add(buf, size, &len,
                 "{\"state\": \"%s\", \"scheduler\": \"%s\", \"running_time_ns\": %lld, \"buffers_in_sinks\": %llu, "
                 "\"drops\": %llu, \"errors\": %llu, \"latency_avg_ns\": %lld, \"latency_max_ns\": %lld, "
                 "\"arenas\": {\"count\": %u, \"slots\": %u, \"in_use\": %u, \"high_water\": %u, "
                 "\"utilization\": %.3f, \"peak\": %.3f}, \"rt\": {\"cycles\": %llu, \"deadline_misses\": %llu, "
                 "\"cycle_max_ns\": %lld, \"jitter_p50_ns\": %lld, \"jitter_p99_ns\": %lld, \"jitter_max_ns\": %lld}, "
                 "\"elements\": [",
                 px_state_name((px_state)atomic_load(&p->state)), px__sched_name(px__effective_scheduler(p)),
                 (long long)ps.running_time, (unsigned long long)ps.buffers_in_sinks, (unsigned long long)ps.drops,
                 (unsigned long long)ps.errors, (long long)ps.latency_avg, (long long)ps.latency_max, ps.arenas,
                 ps.arena_slots, ps.arena_in_use, ps.arena_high_water, ps.arena_utilization, ps.arena_peak,
                 (unsigned long long)ps.cycles, (unsigned long long)ps.deadline_misses, (long long)ps.cycle_max,
                 (long long)ps.jitter_p50, (long long)ps.jitter_p99, (long long)ps.jitter_max);
    for (size_t i = 0; i < p->n_elements; i++) {
        px_element *el = p->elements[i];
        px_element_stats s;
        px_element_get_stats(el, &s);
        px__json_add(buf, size, &len,
                     "%s\n  {\"name\": \"%s\", \"factory\": \"%s\", \"buffers_in\": %llu, \"buffers_out\": %llu, "
                     "\"bytes_in\": %llu, \"bytes_out\": %llu, \"drops\": %llu, \"errors\": %llu, "
                     "\"process_ns\": %llu, \"rate\": %.1f, ",
                     i ? "," : "", el->name, el->klass->name, (unsigned long long)s.buffers_in,
                     (unsigned long long)s.buffers_out, (unsigned long long)s.bytes_in,
                     (unsigned long long)s.bytes_out, (unsigned long long)s.drops, (unsigned long long)s.errors,
                     (unsigned long long)s.process_ns, s.rate);
        if (el->klass->consume)
            px__json_add(buf, size, &len, "\"latency_avg_ns\": %lld, \"latency_max_ns\": %lld, ",
                         (long long)s.latency_avg, (long long)s.latency_max);
        px__json_add(buf, size, &len, "\"eos\": %s", s.eos ? "true" : "false");
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
