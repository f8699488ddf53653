/* Syscall filters for element processes, built with libseccomp.
 *
 * Compute profile (default): what a codec or filter needs to work on memory
 * it was given (I/O only on fds it already has, memory management without
 * W|X, futexes, threads but not processes, the clock) and the control
 * socket. Calls libraries make to probe their surroundings (open, socket,
 * sched_getaffinity, ...) fail with EPERM; anything else traps: the process
 * dies of SIGSYS and the supervisor names the syscall. Network profile: the
 * compute profile plus sockets. */

#include <seccomp.h>
#include <sys/ioctl.h>
#include <linux/sched.h>

static char *px__syscall_name(int nr, char *buf, size_t size)
{
    char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
    snprintf(buf, size, "%s", name ? name : "unknown");
    free(name); /* libseccomp allocates with malloc */
    return buf;
}

static int px__seccomp_apply(int profile, int ctl_fd, char *report, size_t size)
{
    static const int allow[] = {
        SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(readv),
        SCMP_SYS(writev), SCMP_SYS(lseek), SCMP_SYS(close), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
        SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise), SCMP_SYS(brk), SCMP_SYS(futex),
        SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
        SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep), SCMP_SYS(sched_yield),
        SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getrandom), SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
        SCMP_SYS(restart_syscall), SCMP_SYS(clock_getres), SCMP_SYS(sigaltstack),
        SCMP_SYS(rt_sigaction), /* glibc's first pthread_create installs its SIGCANCEL handler */
    };
    static const int eperm[] = {
        SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2), SCMP_SYS(creat), SCMP_SYS(socket),
        SCMP_SYS(sched_getaffinity), SCMP_SYS(sched_setaffinity), SCMP_SYS(access), SCMP_SYS(faccessat),
        SCMP_SYS(faccessat2), SCMP_SYS(statx), SCMP_SYS(readlink), SCMP_SYS(readlinkat), SCMP_SYS(ioctl),
        SCMP_SYS(prctl), SCMP_SYS(mkdir), SCMP_SYS(unlink), SCMP_SYS(sysinfo), SCMP_SYS(uname), SCMP_SYS(getrusage),
    };
    static const int network[] = {
        SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(listen), SCMP_SYS(accept4), SCMP_SYS(getsockopt),
        SCMP_SYS(setsockopt), SCMP_SYS(getsockname), SCMP_SYS(getpeername), SCMP_SYS(shutdown),
        SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(epoll_create1), SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_wait),
        SCMP_SYS(epoll_pwait), SCMP_SYS(sendmmsg), SCMP_SYS(recvmmsg),
    };
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
    if (!ctx) {
        px__append(report, size, "; seccomp: seccomp_init failed");
        return PX_ENOMEM;
    }
    int rc = 0, n = 0;
    /* libseccomp's default is to refuse filters on architectures it cannot
     * tell apart (x32 on x86-64 is added as a "bad arch": it traps). */
    for (size_t i = 0; i < sizeof allow / sizeof allow[0] && !rc; i++, n++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allow[i], 0);
    /* mmap/mprotect, but never writable and executable at once. */
    const scmp_datum_t wx = PROT_WRITE | PROT_EXEC;
    for (int sys = 0; sys < 2 && !rc; sys++, n++) {
        int nr = sys ? SCMP_SYS(mprotect) : SCMP_SYS(mmap);
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, wx, 0));
        if (!rc)
            rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, wx, PROT_WRITE));
        if (!rc)
            rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, wx, PROT_EXEC));
    }
    /* Threads (a codec's worker pool), not processes; clone3 says ENOSYS so
     * glibc falls back to clone, whose flags a filter can see. */
    if (!rc)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
    n++;
    if (!rc)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    /* Signals only to itself (the SIGSYS handler re-raises). */
    if (!rc)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0));
    n++;
    /* The control socket, and only it. The compute profile leaves out
     * sendmsg (the process never sends fds or ancillary data). */
    static const int sock[] = {SCMP_SYS(sendto), SCMP_SYS(sendmsg), SCMP_SYS(recvfrom), SCMP_SYS(recvmsg)};
    for (size_t i = 0; i < 4 && !rc; i++) {
        if (profile == PX__PROFILE_NETWORK) {
            rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sock[i], 0);
            n++;
        } else if (sock[i] != SCMP_SYS(sendmsg)) {
            rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sock[i], 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)ctl_fd, 0));
            n++;
        }
    }
    /* membarrier, only MEMBARRIER_CMD_GLOBAL_EXPEDITED with no flags: a
     * process about to sleep pays for the supervisor's fences (ipc.c). It
     * interrupts only the running threads of processes that registered
     * for it (this run's), which a hostile process could slow down about
     * as much as by writing the channel's cache lines in a loop. */
    if (!rc)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(membarrier), 2,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0),
                              SCMP_A1(SCMP_CMP_EQ, 0, 0));
    n++;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    /* The sanitizers' runtimes ask each new thread for its attributes
     * (pthread_getattr_np: sched_getaffinity) and aborts the process when
     * that fails. Test builds only, and not counted: a release build never
     * allows it. */
    if (!rc)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sched_getaffinity), 0);
#if defined(__SANITIZE_THREAD__)
    if (!rc) /* ThreadSanitizer's clock */
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(gettimeofday), 0);
#endif
#endif
    for (size_t i = 0; i < sizeof eperm / sizeof eperm[0] && !rc; i++) {
        if (profile == PX__PROFILE_NETWORK && eperm[i] == SCMP_SYS(socket))
            continue;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
        if (eperm[i] == SCMP_SYS(sched_getaffinity))
            continue;
#endif
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), eperm[i], 0);
    }
    if (profile == PX__PROFILE_NETWORK) {
        rc = rc ? rc : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 0);
        n++;
        for (size_t i = 0; i < sizeof network / sizeof network[0] && !rc; i++, n++)
            rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, network[i], 0);
    }
    if (!rc)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc) {
        px__append(report, size, "; seccomp: loading the filter failed: %s", strerror(-rc));
        return PX_EIO;
    }
    px__append(report, size, "; seccomp: %s profile, %d syscalls allowed",
               profile == PX__PROFILE_NETWORK ? "network" : "compute", n);
    return PX_OK;
}
