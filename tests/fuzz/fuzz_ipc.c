/* libFuzzer target for what an element process can send the supervisor:
 * control messages (any bytes, any length) through px__ctl_valid, reply
 * ring entries and ring indexes through the ring pop and px__reply_ok.
 * Whatever passes the checks must be safe to use: text NUL-terminated
 * within its buffer, element index in range, output size within the slot.
 * Aborts on a broken invariant so libFuzzer records the input.
 *
 *   clang -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_ipc.c -lpthread */

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_ipc: %s\n", what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#if CONFIG_PX_ISOLATE
    /* 1. A control message of `size` bytes (datagrams may be any length). */
    px__ctl_msg m;
    memset(&m, 0xa5, sizeof m);
    memcpy(&m, data, size < sizeof m ? size : sizeof m);
    uint32_t n_elements = size ? (uint32_t)(data[0] % 17) : 1;
    char why[200];
    if (px__ctl_valid(&m, (ssize_t)size, n_elements, why, sizeof why)) {
        check(size == sizeof m, "accepted a message of the wrong size");
        check(m.element < n_elements, "accepted an element out of range");
        check(m.len < sizeof m.text && m.text[m.len] == '\0' && strlen(m.text) == m.len, "accepted bad text");
    } else {
        check(memchr(why, '\0', sizeof why) != NULL, "reason not terminated");
    }

    /* 2. The reply ring as a hostile child leaves it: indexes and entries. */
    static px__channel chan;
    px__channel_init(&chan, 1);
    px__ring *r = &chan.rep[0];
    size_t take = size < sizeof r->e ? size : sizeof r->e;
    memcpy(r->e, data, take);
    uint32_t head = 0, tail = 0;
    if (size >= 8) {
        memcpy(&head, data + size - 8, 4);
        memcpy(&tail, data + size - 4, 4);
    }
    atomic_store(&r->head, head);
    atomic_store(&r->tail, tail ^ 0x5a5a5a5au); /* the shared tail is only published: never read back */
    struct px__ring_end end = {tail, tail};     /* the supervisor's own tail, and its copy of the head */
    px__slotref rep;
    for (int i = 0; i < PX__ISO_RING + 2; i++) {
        int got = px__ring_pop(r, &end, &rep);
        if (got <= 0) {
            check(got == 0 || head - end.mine > PX__ISO_RING, "refused a ring in range");
            break;
        }
        check(head - (end.mine - 1) <= PX__ISO_RING, "popped from a ring out of range");
        /* 3. Its fields against a 4096-byte slot on an element with 2 src pads. */
        px_element el;
        memset(&el, 0, sizeof el);
        el.n_src = 2;
        px__proxy x;
        memset(&x, 0, sizeof x);
        x.el = &el;
        if (px__reply_ok(&x, &rep, 4096, true, why, sizeof why)) {
            check(rep.out_size <= 4096, "accepted an output past the slot");
            check(rep.out_pad == 0 || rep.out_pad == 1 || rep.out_pad == PX_PAD_ALL, "accepted a bad pad");
            check(rep.status >= PX_FLOW_ERROR && rep.status <= PX_FLOW_DROP, "accepted a bad flow");
        }
    }
#else
    (void)data;
    (void)size;
#endif
    return 0;
}
