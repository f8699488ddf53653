/* Sandbox of an element process, applied in the child right after the
 * zygote forked it, in this order: parent-death signal, no core dumps and
 * not dumpable, arenas mapped (inputs read-only, seals checked), every other
 * fd closed, memory and CPU limits, namespaces, capability bounding set
 * dropped, own uid/gid, no_new_privs, then the seccomp filter (seccomp.c).
 * Each step that the host refuses is reported, never silently skipped. */

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sched.h>
#include <dirent.h>
#include <grp.h>

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

static const char *px__signame(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGKILL: return "SIGKILL";
    case SIGSYS: return "SIGSYS";
    case SIGXCPU: return "SIGXCPU";
    case SIGTERM: return "SIGTERM";
    case SIGPIPE: return "SIGPIPE";
    case SIGTRAP: return "SIGTRAP";
    default: return "signal";
    }
}

/* The seccomp filter traps (SECCOMP_RET_TRAP) rather than kills outright,
 * so this handler can leave the syscall number for the supervisor; it then
 * dies of SIGSYS anyway: SA_RESETHAND made the action default again, and
 * the signal raised here is delivered when the handler returns. */
static void px__sigsys_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    if (px__child.chan) {
        atomic_store_explicit(&px__child.chan->death_syscall, si->si_syscall, memory_order_relaxed);
        atomic_store_explicit(&px__child.chan->death_noted, 1, memory_order_release);
    }
    syscall(SYS_tgkill, (long)getpid(), (long)syscall(SYS_gettid), (long)SIGSYS);
}

static int px__cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
}

/* Closes every fd except keep[] (close_range over the gaps). */
static int px__close_fds_except(int *keep, int n)
{
    qsort(keep, (size_t)n, sizeof *keep, px__cmp_int);
    unsigned lo = 0;
    for (int i = 0; i <= n; i++) {
        unsigned hi = i < n ? (unsigned)keep[i] : ~0u;
        if (i < n && keep[i] < 0)
            continue;
        if (hi > lo) {
            if (syscall(SYS_close_range, lo, hi - 1, 0) != 0) {
                if (errno != ENOSYS)
                    return PX_EIO;
                /* Kernels before 5.9: one by one, up to the fd limit. */
                struct rlimit rl;
                unsigned top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (unsigned)rl.rlim_cur : 65536;
                for (unsigned fd = lo; fd < hi && fd < top; fd++)
                    close((int)fd);
            }
        }
        if (i < n)
            lo = (unsigned)keep[i] + 1;
    }
    return PX_OK;
}

/* ---- Memory limit: cgroup v2, cgroup v1, else RLIMIT_AS ---------------------- */

/* The cgroup directory of element process slot proc of zygote zpid (v: 2
 * or 1); false when this host has no usable memory controller of that kind.
 * One per process slot, kept across restarts: making and removing a cgroup
 * per restart costs milliseconds. */
static bool px__cgroup_dir(int v, int zpid, int proc, char *out, size_t size)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f)
        return false;
    char line[512], path[400] = "";
    bool found = false;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c2 = '\0';
        if ((v == 2 && strcmp(line, "0") == 0 && c1[1] == '\0') || (v == 1 && strcmp(c1 + 1, "memory") == 0)) {
            px__strlcpy(path, c2 + 1, sizeof path);
            found = true;
            break;
        }
    }
    fclose(f);
    if (!found)
        return false;
    const char *root = NULL;
    if (v == 2) {
        static const char *const roots[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
        for (size_t i = 0; i < 2 && !root; i++) {
            char ctl[512];
            snprintf(ctl, sizeof ctl, "%s%s/cgroup.subtree_control", roots[i], strcmp(path, "/") ? path : "");
            FILE *s = fopen(ctl, "re");
            if (!s)
                continue;
            char buf[256] = "";
            if (fgets(buf, sizeof buf, s) && strstr(buf, "memory"))
                root = roots[i];
            fclose(s);
        }
    } else {
        root = "/sys/fs/cgroup/memory";
    }
    if (!root)
        return false;
    snprintf(out, size, "%s%s/px-%d-%d", root, strcmp(path, "/") ? path : "", zpid, proc);
    return true;
}

static bool px__write_file(const char *dir, const char *file, const char *text)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    size_t n = strlen(text);
    bool ok = write(fd, text, n) == (ssize_t)n;
    close(fd);
    return ok;
}

static int px__memory_limit(uint64_t bytes, int zpid, int proc, bool cgroups, char *report, size_t size)
{
    char dir[512], num[32];
    int pid = (int)getpid();
    snprintf(num, sizeof num, "%llu", (unsigned long long)bytes);
    for (int v = 2; v >= 1 && cgroups; v--) {
        if (!px__cgroup_dir(v, zpid, proc, dir, sizeof dir))
            continue;
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            continue;
        bool ok = px__write_file(dir, v == 2 ? "memory.max" : "memory.limit_in_bytes", num);
        if (ok && v == 2)
            px__write_file(dir, "memory.swap.max", "0");
        if (ok && v == 1)
            px__write_file(dir, "memory.memsw.limit_in_bytes", num); /* absent without swap accounting */
        char self[24];
        snprintf(self, sizeof self, "%d", pid);
        if (ok && px__write_file(dir, "cgroup.procs", self)) {
            snprintf(report, size, "memory: cgroup v%d limit %llu MiB", v, (unsigned long long)(bytes >> 20));
            return PX_OK;
        }
        rmdir(dir);
    }
    /* RLIMIT_AS counts every mapping, arenas included: the limit is what is
     * mapped now (inherited mappings, arenas) plus the allowance. */
    unsigned long long vm_pages = 0;
    FILE *f = fopen("/proc/self/statm", "re");
    if (f) {
        if (fscanf(f, "%llu", &vm_pages) != 1)
            vm_pages = 0;
        fclose(f);
    }
    uint64_t limit = (uint64_t)vm_pages * (uint64_t)getpagesize() + bytes;
    struct rlimit rl = {(rlim_t)limit, (rlim_t)limit};
    if (setrlimit(RLIMIT_AS, &rl) != 0) {
        snprintf(report, size, "memory: no limit (no cgroup, RLIMIT_AS refused: %s)", strerror(errno));
        return PX_EIO;
    }
    snprintf(report, size, "memory: RLIMIT_AS %llu MiB (mapped %llu MiB + %llu MiB)", (unsigned long long)(limit >> 20),
             (unsigned long long)((vm_pages * (unsigned long long)getpagesize()) >> 20),
             (unsigned long long)(bytes >> 20));
    return PX_OK;
}

/* How often the process slot's cgroup hit its limit so far (the zygote
 * compares before and after a death), or 0 without one. */
static unsigned long long px__cgroup_ooms(int zpid, int proc)
{
    /* v2 counts kills in memory.events; v1 in memory.oom_control, and
     * limit hits in failcnt (memsw.failcnt when swap is accounted). */
    static const char *const files[] = {"memory.events", "memory.oom_control", "memory.failcnt",
                                        "memory.memsw.failcnt"};
    unsigned long long total = 0;
    char dir[512], path[600], line[128];
    for (int v = 2; v >= 1; v--) {
        if (!px__cgroup_dir(v, zpid, proc, dir, sizeof dir))
            continue;
        for (int k = v == 2 ? 0 : 1; k < (v == 2 ? 1 : 4); k++) {
            snprintf(path, sizeof path, "%s/%s", dir, files[k]);
            FILE *f = fopen(path, "re");
            if (!f)
                continue;
            while (fgets(line, sizeof line, f)) {
                unsigned long long n = 0;
                if (sscanf(line, "oom_kill %llu", &n) == 1 || (k >= 2 && sscanf(line, "%llu", &n) == 1))
                    total += n;
            }
            fclose(f);
        }
    }
    return total;
}

/* The zygote removes the slots' cgroups when it ends. */
static void px__cgroup_remove(int zpid, int proc)
{
    char dir[512];
    for (int v = 2; v >= 1; v--) {
        if (!px__cgroup_dir(v, zpid, proc, dir, sizeof dir))
            continue;
        for (int i = 0; i < 50 && rmdir(dir) != 0 && errno == EBUSY; i++) {
            struct timespec ts = {0, 2000000};
            nanosleep(&ts, NULL);
        }
    }
}

/* Removes element cgroups whose zygote is gone (a supervisor killed with
 * SIGKILL takes its zygote along before it can clean up). Empty ones only:
 * rmdir refuses a cgroup that still has processes. */
static void px__cgroup_sweep(void)
{
    char dir[512];
    for (int v = 2; v >= 1; v--) {
        if (!px__cgroup_dir(v, 0, 0, dir, sizeof dir))
            continue;
        char *slash = strrchr(dir, '/');
        if (!slash)
            continue;
        *slash = '\0';
        DIR *d = opendir(dir);
        if (!d)
            continue;
        struct dirent *e;
        while ((e = readdir(d))) {
            int zpid, proc;
            char tail;
            if (sscanf(e->d_name, "px-%d-%d%c", &zpid, &proc, &tail) != 2 || zpid <= 0)
                continue;
            if (kill(zpid, 0) == 0 || errno != ESRCH)
                continue;
            char path[800];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            rmdir(path);
        }
        closedir(d);
    }
}

/* ---- Namespaces, capabilities, uid ---------------------------------------------- */

static void px__append(char *report, size_t size, const char *fmt, ...) PX_PRINTF(3, 4);
static void px__append(char *report, size_t size, const char *fmt, ...)
{
    size_t n = strlen(report);
    if (n >= size - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(report + n, size - n, fmt, ap);
    va_end(ap);
}

/* threads: the process may start threads (a codec's workers), which the
 * kernel refuses after unshare(CLONE_NEWPID) (the caller would stay in the
 * old namespace while its children enter the new one): no pid namespace. */
static void px__unshare(bool root, bool network, bool threads, char *report, size_t size)
{
    static const struct {
        int flag;
        const char *name;
    } ns[] = {{CLONE_NEWNS, "mount"}, {CLONE_NEWNET, "net"}, {CLONE_NEWIPC, "ipc"}, {CLONE_NEWPID, "pid"}};
    /* Without root, a new user namespace is what allows the others. */
    bool user = false;
    if (!root)
        user = unshare(CLONE_NEWUSER) == 0;
    px__append(report, size, "; namespaces:%s", user ? " user" : "");
    int got = 0;
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        if ((network && ns[i].flag == CLONE_NEWNET) || (threads && ns[i].flag == CLONE_NEWPID))
            continue;
        if (unshare(ns[i].flag) == 0) {
            px__append(report, size, " %s", ns[i].name);
            got++;
        }
    }
    if (!got && !user)
        px__append(report, size, " none (refused by the kernel)");
    if (threads)
        px__append(report, size, " (no pid namespace: it runs threads)");
}

static int px__drop_privileges(uint32_t uid, char *report, size_t size)
{
    int dropped = 0;
    for (int cap = 0; cap < 64; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
            dropped++;
        else if (errno == EINVAL)
            break;
    }
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    px__append(report, size, "; bounding set: %d caps dropped", dropped);
    if (uid == 0 || getuid() != 0)
        return PX_OK;
    if (setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0 ||
        getuid() != uid || geteuid() != uid) {
        px__append(report, size, "; uid change to %u failed: %s", (unsigned)uid, strerror(errno));
        return PX_EIO;
    }
    px__append(report, size, "; uid/gid %u", (unsigned)uid);
    return PX_OK;
}

#if CONFIG_PX_SANDBOX_SECCOMP
static int px__seccomp_apply(int profile, int ctl_fd, char *report, size_t size);
static char *px__syscall_name(int nr, char *buf, size_t size);
#else
static char *px__syscall_name(int nr, char *buf, size_t size)
{
    snprintf(buf, size, "syscall %d", nr);
    return buf;
}
#endif
