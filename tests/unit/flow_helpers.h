/* Helpers shared by the scheduling, flow and pipeline unit tests
 * (test_sched.c, test_flow.c, test_pipeline.c): the schedulers to run
 * under, building a pipeline for one of them, running it, and reading an
 * element's figures. Include after
 * parallax.h and cmocka.h. Functions are static inline: a test file that
 * does not use one gets no warning. */

#ifndef PX_TEST_FLOW_HELPERS_H
#define PX_TEST_FLOW_HELPERS_H

#include <errno.h>
#include <time.h>

/* Every scheduler this build has: the same pipelines must give the same results under each. */
static const px_scheduler scheds[] = {
    PX_SCHED_COOP_RUN,
    PX_SCHED_THREADS_RUN,
#if CONFIG_PX_SCHED_RT
    PX_SCHED_RT_RUN,
#endif
};
#define N_SCHEDS (sizeof scheds / sizeof scheds[0])

static inline px_pipeline *parse(const char *desc, px_scheduler sched)
{
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse(desc, &err);
    if (!p)
        fail_msg("parse failed: %s\n  %s", err.message, desc);
    assert_int_equal(px_pipeline_set_scheduler(p, sched), PX_OK);
#if CONFIG_PX_SCHED_RT
    /* 1 ms cycles, 64 buffers per source per cycle: the same streams in less time */
    assert_int_equal(px_pipeline_set_rt_period(p, PX_MSECOND, 64), PX_OK);
#endif
    return p;
}

static inline void run_ok(px_pipeline *p)
{
    px_error err = {0};
    int rc = px_pipeline_run(p, &err);
    if (rc != PX_OK)
        fail_msg("run failed (%d): %s", rc, err.message);
}

static inline px_element_stats stats_of(px_pipeline *p, const char *name)
{
    px_element *el = px_pipeline_get(p, name);
    if (!el)
        fail_msg("no element '%s'", name);
    px_element_stats s;
    px_element_get_stats(el, &s);
    return s;
}

static inline void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) /* a signal: sleep what is left */
        ;
}

static inline px_time now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (px_time)ts.tv_sec * PX_SECOND + ts.tv_nsec;
}

#endif
