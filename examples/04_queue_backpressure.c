/* 04: a queue between a fast source and a slow sink, watched on the bus.
 *
 * The queue is a thread boundary: the source streams on one thread, the
 * sink on the queue's own. When the queue fills (8 buffers here), the source
 * waits (backpressure: flow-policy=block, the default for non-live
 * sources), memory stays at what prepare allocated, and the queue posts
 * PX_MSG_BUSY; once drained it posts PX_MSG_OK. A live source would rather
 * drop (flow-policy=drop, counted in its drops). Periodic PX_MSG_STATS
 * messages carry the running figures; the C API reads them at any time. */

#define PARALLAX_IMPLEMENTATION
#include "../parallax.h"

#include <stdio.h>

int main(void)
{
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse("fakesrc num-buffers=400 sizetype=fixed sizemax=1024 "
                                       "! queue name=q max-size-buffers=8 use-buffering=true "
                                       "! identity sleep-time=500 ! fakesink",
                                       &err);
    if (!p) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    px_pipeline_set_stats_interval(p, 50);
    if (px_pipeline_start(p, &err) != PX_OK) {
        fprintf(stderr, "%s\n", err.message);
        px_pipeline_free(p);
        return 1;
    }
    int busy = 0, ok = 0, stats = 0, rc = 1;
    for (;;) {
        px_message m;
        if (px_pipeline_pop_message(p, &m, 5000) != PX_OK) {
            fprintf(stderr, "no message for 5 s\n");
            break;
        }
        if (m.type == PX_MSG_BUSY || m.type == PX_MSG_OK) {
            busy += m.type == PX_MSG_BUSY;
            ok += m.type == PX_MSG_OK;
            if (busy + ok <= 4) /* the first few; a steady stream toggles often */
                printf("%s\n", m.text);
        } else if (m.type == PX_MSG_STATS && stats++ < 2) {
            printf("stats: %s\n", m.text);
        } else if (m.type == PX_MSG_ERROR) {
            fprintf(stderr, "%s\n", m.text);
            break;
        } else if (m.type == PX_MSG_EOS) {
            rc = 0;
            break;
        }
    }
    px_pipeline_stats s;
    px_pipeline_get_stats(p, &s);
    px_element_stats sink;
    px_element_get_stats(px_pipeline_get(p, "fakesink0"), &sink);
    printf("%llu buffers reached the sink, %llu dropped; source arena peak %.0f%% of %u slots; "
           "queue busy %d times, ok %d times\n",
           (unsigned long long)sink.buffers_in, (unsigned long long)s.drops, s.arena_peak * 100.0, s.arena_slots,
           busy, ok);
    px_pipeline_stop(p);
    px_pipeline_free(p);
    return rc == 0 && sink.buffers_in == 400 && s.drops == 0 && busy >= 1 && busy == ok ? 0 : 1;
}
