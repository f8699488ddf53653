/* elements/testing/hostile.c: a compromised element. On its first buffer it
 * tries what its attack property names and reports the outcome as an
 * element error ("attack open: denied: Operation not permitted" or
 * "attack open: SUCCEEDED ..."), unless the sandbox kills it first (the
 * supervisor then names the signal and, for seccomp, the syscall). The
 * security tests (tests/security) run one attack per pipeline. Test only. */

#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <netinet/in.h>

enum {
    HOSTILE_NONE, HOSTILE_OPEN, HOSTILE_REOPEN, HOSTILE_WRITE_INPUT, HOSTILE_SOCKET, HOSTILE_CONNECT,
    HOSTILE_EXECVE, HOSTILE_FORK, HOSTILE_PTRACE, HOSTILE_VM_READ, HOSTILE_KILL1, HOSTILE_IO_URING,
    HOSTILE_USERFAULTFD, HOSTILE_MMAP_WX, HOSTILE_MPROTECT, HOSTILE_ALLOC, HOSTILE_SPIN, HOSTILE_BAD_CTL,
    HOSTILE_BAD_SIZE, HOSTILE_BAD_PAD, HOSTILE_BAD_RING, HOSTILE_SETUID, HOSTILE_MAP_WRITE,
};

static const px_enum_value hostile_attacks[] = {
    {HOSTILE_NONE, "none", "behave"},
    {HOSTILE_OPEN, "open", "open /etc/passwd"},
    {HOSTILE_REOPEN, "reopen", "reopen its input arena read-write through /proc/self/fd and map it writable"},
    {HOSTILE_WRITE_INPUT, "write-input", "write into its input slot"},
    {HOSTILE_SOCKET, "socket", "create a socket"},
    {HOSTILE_CONNECT, "connect", "connect to 127.0.0.1:22"},
    {HOSTILE_EXECVE, "execve", "execve /bin/sh"},
    {HOSTILE_FORK, "fork", "fork a process"},
    {HOSTILE_PTRACE, "ptrace", "ptrace its zygote"},
    {HOSTILE_VM_READ, "vm-read", "process_vm_readv its zygote"},
    {HOSTILE_KILL1, "kill1", "kill(1, SIGKILL)"},
    {HOSTILE_IO_URING, "io-uring", "io_uring_setup"},
    {HOSTILE_USERFAULTFD, "userfaultfd", "userfaultfd"},
    {HOSTILE_MMAP_WX, "mmap-wx", "map memory writable and executable"},
    {HOSTILE_MPROTECT, "mprotect", "make its read-only input slot writable"},
    {HOSTILE_ALLOC, "alloc", "allocate and touch 4 GiB"},
    {HOSTILE_SPIN, "spin", "spin forever"},
    {HOSTILE_BAD_CTL, "bad-ctl", "send a malformed control message"},
    {HOSTILE_BAD_SIZE, "bad-size", "reply with an output size past its slot"},
    {HOSTILE_BAD_PAD, "bad-pad", "reply with a pad that does not exist"},
    {HOSTILE_BAD_RING, "bad-ring", "corrupt its reply ring's index"},
    {HOSTILE_SETUID, "setuid", "setuid(0)"},
    {HOSTILE_MAP_WRITE, "map-write", "mmap its input arena fd writable"},
    {0, NULL, NULL},
};

typedef struct {
    int attack;
    bool done;
} hostile;

static int hostile_start(px_element *el, px_error *err)
{
    hostile *self = px_element_state(el);
    (void)err;
    self->done = false;
    return PX_OK;
}

static px_flow hostile_report(px_element *el, const char *what, int rc, int e)
{
    if (rc < 0)
        px_element_error(el, PX_EFLOW, "attack %s: denied: %s", what, strerror(e));
    else
        px_element_error(el, PX_EFLOW, "attack %s: SUCCEEDED (result %d)", what, rc);
    return PX_FLOW_ERROR;
}

static int hostile_input_fd(void)
{
#if CONFIG_PX_ISOLATE
    return px__child.n_in_fds ? px__child.in_fds[0] : -1;
#else
    return -1;
#endif
}

static long hostile_target(void)
{
#if CONFIG_PX_ISOLATE
    if (px__child.active)
        return px__child.zygote_pid;
#endif
    return (long)getppid();
}

static px_flow hostile_process(px_element *el, px_frame *io)
{
    hostile *self = px_element_state(el);
    size_t n = io->in.size < io->out.capacity ? io->in.size : io->out.capacity;
    memcpy(io->out.data, io->in.data, n);
    io->out.size = n;
    if (self->done || self->attack == HOSTILE_NONE)
        return PX_FLOW_OK;
    self->done = true;
    const char *name = hostile_attacks[self->attack].nick;
    long rc = -1;
    errno = 0;
    switch (self->attack) {
    case HOSTILE_OPEN:
        rc = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
        break;
    case HOSTILE_REOPEN: {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", hostile_input_fd());
        int fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0)
            return hostile_report(el, "reopen (open O_RDWR)", -1, errno);
        void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        int e = errno;
        close(fd);
        if (m == MAP_FAILED)
            return hostile_report(el, "reopen (mmap writable)", -1, e);
        ((volatile uint8_t *)m)[0] ^= 0xff;
        return hostile_report(el, "reopen", 0, 0);
    }
    case HOSTILE_WRITE_INPUT: {
        /* The input is at io->in in the process's own view only when not in place. */
        const px_buffer *in = &io->in;
        ((volatile uint8_t *)in->data)[0] ^= 0xff;
        rc = 0;
        break;
    }
    case HOSTILE_MAP_WRITE: {
        void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, hostile_input_fd(), 0);
        rc = m == MAP_FAILED ? -1 : 0;
        break;
    }
    case HOSTILE_SOCKET:
        rc = socket(AF_INET, SOCK_STREAM, 0);
        break;
    case HOSTILE_CONNECT: {
        struct sockaddr_in sa;
        memset(&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        sa.sin_port = htons(22);
        sa.sin_addr.s_addr = htonl(0x7f000001);
        rc = connect(3, (struct sockaddr *)&sa, sizeof sa);
        break;
    }
    case HOSTILE_EXECVE: {
        char *const argv[] = {(char *)"/bin/sh", (char *)"-c", (char *)"true", NULL};
        rc = execve("/bin/sh", argv, NULL);
        break;
    }
    case HOSTILE_FORK:
        rc = fork();
        if (rc == 0)
            _exit(0);
        break;
    case HOSTILE_PTRACE:
        rc = syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, hostile_target(), 0L, 0L);
        break;
    case HOSTILE_VM_READ: {
        char buf[16];
        struct iovec local = {buf, sizeof buf}, remote = {(void *)&self->attack, sizeof buf};
        rc = syscall(SYS_process_vm_readv, hostile_target(), &local, 1L, &remote, 1L, 0L);
        break;
    }
    case HOSTILE_KILL1:
        rc = kill(1, SIGKILL);
        break;
    case HOSTILE_IO_URING: {
        char params[120] = {0};
        rc = syscall(425 /* io_uring_setup */, 8L, params);
        break;
    }
    case HOSTILE_USERFAULTFD:
        rc = syscall(SYS_userfaultfd, 0L);
        break;
    case HOSTILE_MMAP_WX: {
        void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        rc = m == MAP_FAILED ? -1 : 0;
        break;
    }
    case HOSTILE_MPROTECT: {
        uintptr_t page = (uintptr_t)io->in.data & ~(uintptr_t)4095;
        rc = mprotect((void *)page, 4096, PROT_READ | PROT_WRITE);
        break;
    }
    case HOSTILE_ALLOC: {
        size_t total = (size_t)4 << 30, step = (size_t)16 << 20, got = 0;
        for (; got < total; got += step) {
            volatile uint8_t *m = malloc(step); /* volatile: no compiler may drop the touches */
            if (!m)
                break;
            for (size_t i = 0; i < step; i += 4096)
                m[i] = 1;
        }
        if (got < total)
            return hostile_report(el, "alloc", -1, ENOMEM);
        rc = (long)(got >> 20);
        break;
    }
    case HOSTILE_SPIN:
        for (volatile unsigned long i = 0;; i++)
            ;
    case HOSTILE_BAD_CTL: {
#if CONFIG_PX_ISOLATE
        static const char junk[] = "PXSO? not a message";
        rc = px__child_send_raw(junk, sizeof junk);
        return PX_FLOW_OK; /* the supervisor must notice on its own */
#else
        break;
#endif
    }
    case HOSTILE_BAD_SIZE:
    case HOSTILE_BAD_PAD:
#if CONFIG_PX_ISOLATE
        px__child.forge = true;
        px__child.forge_out_size = self->attack == HOSTILE_BAD_SIZE ? (uint64_t)1 << 40 : io->in.size;
        px__child.forge_out_pad = self->attack == HOSTILE_BAD_PAD ? 99 : 0;
#endif
        return PX_FLOW_OK;
    case HOSTILE_BAD_RING:
#if CONFIG_PX_ISOLATE
        if (px__child.chan) { /* and its own copy, which its next push publishes */
            atomic_fetch_add(&px__child.chan->rep[0].head, 1000);
            px__child_rep[0].mine += 1000;
        }
#endif
        return PX_FLOW_OK;
    case HOSTILE_SETUID:
        rc = syscall(SYS_setuid, 0L);
        break;
    default:
        return PX_FLOW_OK;
    }
    return hostile_report(el, name, (int)rc, errno);
}

PX_ELEMENT_CLASS(hostile) = {
    .name = "hostile",
    .family = "Generic/Testing",
    .description = "Attacks its sandbox on the first buffer and reports the outcome (security tests)",
    .state_size = sizeof(hostile),
    .sink = PX_PAD_ALWAYS("ANY"),
    .src = PX_PAD_ALWAYS("ANY"),
    .hints = {.trust = PX_TRUST_UNTRUSTED},
    .start = hostile_start,
    .process = hostile_process,
    .props = PX_PROPS(PX_PROP_ENUM(hostile, attack, hostile_attacks, HOSTILE_NONE, "What to try")),
};
