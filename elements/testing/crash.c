/* elements/testing/crash.c: passes buffers through and, on the Nth buffer
 * since its process started, dies the way its mode says. A test element for
 * crash recovery: isolated, the supervisor restarts it and the pipeline
 * goes on; in-process it takes the application down, as a buggy codec would. */

#include <signal.h>

enum { CRASH_SEGV, CRASH_ABORT, CRASH_FPE, CRASH_EXIT };

static const px_enum_value crash_modes[] = {
    {CRASH_SEGV, "segv", "write through a NULL pointer (SIGSEGV)"},
    {CRASH_ABORT, "abort", "call abort() (SIGABRT)"},
    {CRASH_FPE, "fpe", "raise SIGFPE"},
    {CRASH_EXIT, "exit", "exit with status 3"},
    {0, NULL, NULL},
};

typedef struct {
    int after;
    int mode;
    int64_t seen;
} crash;

static int crash_start(px_element *el, px_error *err)
{
    crash *self = px_element_state(el);
    (void)err;
    self->seen = 0;
    return PX_OK;
}

static px_flow crash_process(px_element *el, px_frame *io)
{
    crash *self = px_element_state(el);
    (void)io;
    if (self->after > 0 && ++self->seen == self->after) {
        switch (self->mode) {
        case CRASH_ABORT:
            abort();
        case CRASH_FPE:
            raise(SIGFPE);
            break;
        case CRASH_EXIT:
            _exit(3);
        default: { /* a store into read-only data: a real fault, as a codec bug makes */
            static const char rodata[64] = "read-only";
            volatile char *p = (volatile char *)(uintptr_t)rodata;
            p[0] = 1;
            break;
        }
        }
    }
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(crash) = {
    .name = "crash",
    .family = "Generic/Testing",
    .description = "Passes buffers through, then crashes its process on the Nth (isolation tests)",
    .state_size = sizeof(crash),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .in_place = true,
    .hints = {.trust = PX_TRUST_UNTRUSTED},
    .start = crash_start,
    .process = crash_process,
    .props = PX_PROPS(PX_PROP_INT(crash, after, 0, INT32_MAX, 0,
                                  "Crash on this buffer since the process started (0 = never)"),
                      PX_PROP_ENUM(crash, mode, crash_modes, CRASH_SEGV, "How to crash")),
};
