/* elements/testing/netprobe.c: a network element for the isolation tests.
 * Its family says "Network", so isolated it gets the network seccomp
 * profile (the compute profile plus sockets) and keeps the host's network
 * namespace. On its first buffer it sends the buffer's first bytes as one
 * UDP datagram to 127.0.0.1:port, then, with then-execve=true, tries
 * execve, which the network profile still kills. Buffers pass through.
 * A failed step is an element error naming the step and errno's text.
 * Test only. */

#include <sys/socket.h>
#include <netinet/in.h>

typedef struct {
    int port;
    bool then_execve;
    bool sent;
} netprobe;

static int netprobe_start(px_element *el, px_error *err)
{
    netprobe *self = px_element_state(el);
    (void)err;
    self->sent = false;
    return PX_OK;
}

static px_flow netprobe_fail(px_element *el, const char *step, int e, int fd)
{
    if (fd >= 0)
        close(fd);
    px_element_error(el, PX_EIO, "%s 127.0.0.1:%d: %s", step, ((netprobe *)px_element_state(el))->port,
                     strerror(e));
    return PX_FLOW_ERROR;
}

static px_flow netprobe_process(px_element *el, px_frame *io)
{
    netprobe *self = px_element_state(el);
    if (self->sent)
        return PX_FLOW_OK;
    self->sent = true;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return netprobe_fail(el, "socket for", errno, -1);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)self->port);
    sa.sin_addr.s_addr = htonl(0x7f000001);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        return netprobe_fail(el, "connect to", errno, fd);
    size_t n = io->in.size < 1024 ? io->in.size : 1024;
    if (send(fd, io->in.data, n, 0) != (ssize_t)n)
        return netprobe_fail(el, "send to", errno, fd);
    close(fd);
    if (self->then_execve) {
        char *const argv[] = {(char *)"/bin/sh", (char *)"-c", (char *)"true", NULL};
        execve("/bin/sh", argv, NULL);
        px_element_error(el, PX_EFLOW, "execve: %s", strerror(errno)); /* in-process, or not filtered */
        return PX_FLOW_ERROR;
    }
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(netprobe) = {
    .name = "netprobe",
    .family = "Generic/Testing/Network",
    .description = "Sends its first buffer as a UDP datagram to 127.0.0.1 (network sandbox tests)",
    .state_size = sizeof(netprobe),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .in_place = true,
    .start = netprobe_start,
    .process = netprobe_process,
    .props = PX_PROPS(PX_PROP_INT(netprobe, port, 1, 65535, 9,
                                  "UDP port on 127.0.0.1 to send the first buffer to"),
                      PX_PROP_BOOL(netprobe, then_execve, false, "Then try execve /bin/sh (must be killed)")),
};
