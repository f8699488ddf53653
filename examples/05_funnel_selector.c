/* 05: elements fed by several upstreams (fan-in).
 *
 * A funnel merges every input; an input-selector passes one of them and
 * drops the others, and which one can change while the pipeline runs: here
 * the main thread switches from the "camera" to the "backup" source after
 * 100 ms with px_set(), which is safe from any thread for properties marked
 * changeable while running. Request pads (sink_0, sink_1, ...) are made by
 * linking to "name." in the description. Under the threads scheduler each
 * source streams on its own thread; the runtime serializes them at the
 * fan-in element, so everything downstream sees one buffer at a time. */

#define PARALLAX_IMPLEMENTATION
#include "../parallax.h"

#include <stdio.h>
#include <time.h>

static px_element_stats stats(px_pipeline *p, const char *name)
{
    px_element_stats s;
    px_element_get_stats(px_pipeline_get(p, name), &s);
    return s;
}

int main(void)
{
    /* Two sources of 64-byte buffers, 100 per second (datarate gives timestamps,
     * clocksync plays them in real time), each into both fan-in elements. */
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse(
        "funnel name=all ! fakesink name=merged "
        "input-selector name=choose active-pad=sink_0 ! fakesink name=chosen "
        "fakesrc name=camera num-buffers=40 sizetype=fixed sizemax=64 datarate=6400 ! clocksync ! tee name=a "
        "a. ! all.  a. ! choose.sink_0 "
        "fakesrc name=backup num-buffers=40 sizetype=fixed sizemax=64 datarate=6400 ! clocksync ! tee name=b "
        "b. ! all.  b. ! choose.sink_1",
        &err);
    if (!p || px_pipeline_start(p, &err) != PX_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    struct timespec wait = {0, 100 * 1000000L};
    nanosleep(&wait, NULL);
    if (px_set(px_pipeline_get(p, "choose"), "active-pad", "sink_1", &err) != PX_OK) { /* while running */
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    int rc = px_pipeline_wait(p, 10000, &err); /* EOS: the active input (backup) ended */
    px_pipeline_stop(p);

    px_element_stats merged = stats(p, "merged"), chosen = stats(p, "chosen"), sel = stats(p, "choose");
    printf("funnel:         %llu buffers from both sources\n", (unsigned long long)merged.buffers_in);
    printf("input-selector: %llu passed, %llu dropped (camera first, then backup)\n",
           (unsigned long long)chosen.buffers_in, (unsigned long long)sel.drops);
    bool ok = rc == PX_OK && chosen.buffers_in + sel.drops == sel.buffers_in && chosen.buffers_in > 0 &&
              sel.drops > 0 && merged.buffers_in <= 80;
    px_pipeline_free(p);
    return ok ? 0 : 1;
}
