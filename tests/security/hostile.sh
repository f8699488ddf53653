#!/usr/bin/env bash
# Security tests: a hostile element attacks its sandbox one way per run and
# every attempt must be denied or contained, with the right reason, while
# the pipeline fails cleanly (or, for crashes with restarts allowed, goes
# on). Also checks that no core file and no process is left behind.
# Uses $PX_BUILD/tests/parallax-launch-test (built with hostile and crash).
. "$(dirname "$0")/../pipelines/lib.sh"

L=${PX_SECURITY_LAUNCH:-$PX_BUILD/tests/parallax-launch-test}
if [ ! -x "$L" ]; then
    not_ok "security launcher not built ($L): make -s tests"
    done_testing
    exit 1
fi
seccomp=no
if "$L" --version | grep -q 'CONFIG_PX_SANDBOX_SECCOMP=1'; then seccomp=yes; fi
root=no
[ "$(id -u)" = 0 ] && root=yes

cd "$TMP" || exit 1
ulimit -c unlimited 2>/dev/null # a leaked core would show up here

# attack NAME [launcher options...]: runs fakesrc ! hostile ! fakesink isolated.
attack() {
    local name=$1
    shift
    timeout 60 "$L" --isolated --max-restarts=0 "$@" \
        "fakesrc num-buffers=5 sizetype=fixed sizemax=4096 filltype=pattern ! hostile attack=$name ! fakesink" \
        >"$OUT_FILE" 2>"$ERR_FILE"
    RC=$?
}

# expect TEXT DESCRIPTION: last run failed (exit 1) and stderr has TEXT.
expect() {
    if [ "$RC" -eq 1 ] && grep -qF -- "$1" "$ERR_FILE"; then
        ok "$2"
    else
        not_ok "$2 (wanted exit 1 and '$1')"
        _show_last "$2"
    fi
}

# Filtered syscalls: SIGSYS, with the syscall's name from the supervisor.
if [ $seccomp = yes ]; then
    attack execve; expect "SIGSYS (seccomp denied execve)" "execve is killed and named"
    attack fork; expect "SIGSYS (seccomp denied clone)" "fork (clone without CLONE_THREAD) is killed"
    attack ptrace; expect "SIGSYS (seccomp denied ptrace)" "ptrace of another process is killed"
    attack vm-read; expect "SIGSYS (seccomp denied process_vm_readv)" "process_vm_readv is killed"
    attack kill1; expect "SIGSYS (seccomp denied kill)" "kill(1) is killed"
    attack io-uring; expect "SIGSYS (seccomp denied io_uring_setup)" "io_uring_setup is killed"
    attack userfaultfd; expect "SIGSYS (seccomp denied userfaultfd)" "userfaultfd is killed"
    attack mmap-wx; expect "SIGSYS (seccomp denied mmap)" "mmap PROT_WRITE|PROT_EXEC is killed"
    attack connect; expect "SIGSYS (seccomp denied connect)" "connect (compute profile) is killed"
    attack setuid; expect "SIGSYS (seccomp denied setuid)" "setuid(0) is killed"
    # Harmless probes: EPERM, the element reports it.
    attack open; expect "attack open: denied: Operation not permitted" "open is refused with EPERM"
    attack socket; expect "attack socket: denied: Operation not permitted" "socket (compute profile) is refused with EPERM"
else
    for t in execve fork ptrace vm-read kill1 io-uring userfaultfd mmap-wx connect setuid open socket; do
        skip "seccomp attack $t" "built without libseccomp"
    done
fi

# Read-only inputs: the fd is read-only and mappings are read-only.
attack write-input; expect "ended: SIGSEGV" "a write into the input slot faults (read-only mapping)"
attack mprotect; expect "attack mprotect: denied: Permission denied" "mprotect of an input slot to writable is refused"
attack map-write; expect "attack map-write: denied: Permission denied" "mmap of the input fd writable is refused (read-only fd)"

# Reopening the input arena read-write through /proc/self/fd: each of the
# three defenses alone must stop it.
attack reopen; expect "attack reopen" "reopen through /proc/self/fd with every defense on is denied"
grep -q "SUCCEEDED" "$ERR_FILE" && not_ok "reopen with every defense: no success reported" || ok "reopen with every defense: no success reported"
if [ $seccomp = yes ]; then
    PX_ISOLATE_DISABLE=seals,uid attack reopen
    expect "attack reopen (open O_RDWR): denied: Operation not permitted" "seccomp alone denies the reopen (open is EPERM)"
fi
if [ $root = yes ]; then
    PX_ISOLATE_DISABLE=seals,seccomp attack reopen
    expect "attack reopen (open O_RDWR): denied: Permission denied" "uid + fchmod 0600 alone deny the reopen (EACCES)"
else
    skip "uid + fchmod 0600 alone deny the reopen" "needs root to give the child its own uid"
fi
PX_ISOLATE_DISABLE=uid,seccomp attack reopen
expect "attack reopen (mmap writable): denied: Operation not permitted" "F_SEAL_FUTURE_WRITE alone denies a writable mapping (EPERM)"
PX_ISOLATE_DISABLE=seals,uid,seccomp attack reopen
if grep -q "SUCCEEDED" "$ERR_FILE"; then
    ok "control: with all three defenses off the reopen succeeds (the hole is real)"
else
    not_ok "control: with all three defenses off the reopen succeeds (the hole is real)"
    _show_last "control"
fi

# Resource limits.
attack alloc; expect "memory limit of 256 MiB reached" "allocating past the memory limit is contained and named"
# (ASan's allocator aborts on a failed allocation unless told to return NULL, as malloc does)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1 PX_ISOLATE_DISABLE=cgroup attack alloc
expect "attack alloc: denied: Cannot allocate memory" "without a cgroup, RLIMIT_AS (sized from the mappings) refuses the allocation"
attack spin --isolate-timeout=300; expect "no answer within the 300 ms time limit" "a spinning element is killed by the time limit"

# A compromised worker lying to the supervisor.
attack bad-ctl; expect "protocol violation: control message of 20 bytes" "a malformed control message is a protocol violation"
attack bad-size; expect "protocol violation: output size 1099511627776 is more than the 4096-byte slot" "an output size past the slot is refused"
attack bad-pad; expect "protocol violation: output pad 99 does not exist" "an out-of-range output pad is refused"
attack bad-ring; expect "protocol violation: reply ring indexes out of range" "a corrupted ring index is refused"

# With restarts allowed, a crashing attacker does not stop the pipeline.
timeout 60 "$L" --isolated --max-restarts=10 \
    "fakesrc num-buffers=5 ! hostile attack=write-input ! fakesink" >"$OUT_FILE" 2>"$ERR_FILE"
RC=$?
if [ $RC -eq 0 ] && grep -q "isolated hostile0: 5 restarts, 5 buffers lost, last: SIGSEGV" "$ERR_FILE"; then
    ok "restarts contain a repeat attacker: pipeline finishes, 5 restarts, 5 buffers lost"
else
    not_ok "restarts contain a repeat attacker: pipeline finishes, 5 restarts, 5 buffers lost"
    _show_last "restarts"
fi

# What the sandbox reports it applied.
timeout 60 "$L" -v --isolated "fakesrc num-buffers=1 ! hostile ! fakesink" >"$OUT_FILE" 2>"$ERR_FILE"
RC=$?
rep=$(grep "sandbox:" "$ERR_FILE")
case $rep in
*"core: off"*"memory: "*"namespaces:"*"no_new_privs"*) ok "sandbox report lists core, memory, namespaces, no_new_privs" ;;
*) not_ok "sandbox report lists core, memory, namespaces, no_new_privs"; _show_last report ;;
esac
if [ $root = yes ]; then
    case $rep in *"namespaces: mount net ipc pid"*"uid/gid "*) ok "as root: own uid and mount/net/ipc/pid namespaces" ;;
    *) not_ok "as root: own uid and mount/net/ipc/pid namespaces"; _show_last report ;; esac
fi
if [ $seccomp = yes ]; then
    n=$(echo "$rep" | sed -n 's/.*compute profile, \([0-9]*\) syscalls allowed.*/\1/p')
    if [ -n "$n" ] && [ "$n" -le 40 ]; then ok "compute profile allows $n syscalls (goal <= 40)"; else not_ok "compute profile allows at most 40 syscalls (got '$n')"; fi
fi

# Network profile: an element whose family says Network (netprobe) keeps
# sockets and the host's network namespace; the rest is filtered as before.
if [ $seccomp = yes ]; then
    rm -f "$TMP/udp.got" "$TMP/udp.port"
    "${PYTHON:-python3}" - "$TMP/udp.port" "$TMP/udp.got" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(30)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
try:
    open(sys.argv[2], "wb").write(s.recvfrom(2048)[0])
except socket.timeout:
    pass
PY
    listener=$!
    for _ in $(seq 100); do [ -s "$TMP/udp.port" ] && break; sleep 0.05; done
    port=$(cat "$TMP/udp.port" 2>/dev/null)
    timeout 60 "$L" -v --isolate='netprobe*' \
        "fakesrc num-buffers=3 sizetype=fixed sizemax=16 filltype=pattern ! netprobe port=${port:-9} ! fakesink" \
        >"$OUT_FILE" 2>"$ERR_FILE"
    RC=$?
    wait $listener
    rep=$(grep "sandbox:" "$ERR_FILE")
    case $RC:$rep in
    0:*"namespaces: mount ipc pid;"*"seccomp: network profile, "*) ok "network profile: a Network element runs isolated in the host's network namespace" ;;
    *) not_ok "network profile: a Network element runs isolated in the host's network namespace (rc $RC)"; _show_last netprofile ;;
    esac
    if [ "$(od -An -tx1 "$TMP/udp.got" 2>/dev/null | tr -d ' \n')" = 000102030405060708090a0b0c0d0e0f ]; then
        ok "network profile: its UDP datagram reached 127.0.0.1:$port, bytes intact"
    else
        not_ok "network profile: its UDP datagram reached 127.0.0.1:$port, bytes intact"
    fi
    timeout 60 "$L" --isolate='netprobe*' --max-restarts=0 \
        "fakesrc num-buffers=3 ! netprobe port=${port:-9} then-execve=true ! fakesink" >"$OUT_FILE" 2>"$ERR_FILE"
    RC=$?
    expect "SIGSYS (seccomp denied execve)" "network profile: execve is still killed and named"
fi

# A build without libseccomp: isolation still works (uid, namespaces, limits,
# read-only inputs) and says once that syscall filtering is off.
NL=$PX_BUILD/tests/parallax-launch-noseccomp
if [ -x "$NL" ] && "$NL" --version | grep -q 'CONFIG_PX_SANDBOX_SECCOMP=0'; then
    timeout 60 "$NL" -v --isolated "fakesrc num-buffers=50 sizetype=fixed sizemax=100 filltype=pattern ! identity ! \
        identity ! filesink location=$TMP/noseccomp.bin" >"$OUT_FILE" 2>"$ERR_FILE"
    RC=$?
    timeout 60 "$NL" -q "fakesrc num-buffers=50 sizetype=fixed sizemax=100 filltype=pattern ! identity ! \
        identity ! filesink location=$TMP/inprocess.bin" >/dev/null 2>&1
    if [ $RC -eq 0 ] && cmp -s "$TMP/noseccomp.bin" "$TMP/inprocess.bin" && [ "$(stat -c %s "$TMP/noseccomp.bin")" = 5000 ]; then
        ok "without libseccomp: 3 isolated elements give the in-process bytes (5000)"
    else
        not_ok "without libseccomp: 3 isolated elements give the in-process bytes (5000)"; _show_last noseccomp
    fi
    is "without libseccomp: 'syscall filtering is off' is said once for 3 processes" \
        "$(grep -c "syscall filtering is off: this build has no libseccomp (CONFIG_PX_SANDBOX_SECCOMP=0)" "$ERR_FILE")" 1
    case $(grep "sandbox:" "$ERR_FILE") in
    *"namespaces: mount net ipc pid"*"no_new_privs; seccomp: off (built without libseccomp)"*) ok "without libseccomp: the report says seccomp is off, namespaces still on" ;;
    *) not_ok "without libseccomp: the report says seccomp is off, namespaces still on"; _show_last noseccomp-report ;;
    esac
    if [ $root = yes ]; then
        L=$NL attack reopen
        expect "attack reopen (open O_RDWR): denied: Permission denied" "without libseccomp: uid + fchmod still deny the reopen"
    fi
else
    skip "a build without libseccomp" "$NL not built, or its config has libseccomp"
fi

# The supervisor killed with SIGKILL: the zygote and every element process
# die with it (parent-death signals, set again after the uid change).
"$L" -q --isolated "fakesrc num-buffers=-1 ! identity ! fakesink" >/dev/null 2>&1 &
sup=$!
kids=
for _ in $(seq 50); do
    zyg=$(pgrep -P $sup | head -n 1)
    [ -n "$zyg" ] && kids=$(pgrep -P "$zyg" | tr '\n' ' ')
    [ "$(echo $kids | wc -w)" -ge 3 ] && break
    sleep 0.1
done
kill -9 $sup
wait $sup 2>/dev/null
# running = exists and is not a zombie waiting for init to reap it
running() { [ -r /proc/$1/stat ] && [ "$(awk '{print $3}' /proc/$1/stat 2>/dev/null)" != Z ]; }
for _ in $(seq 20); do
    alive=
    for k in $zyg $kids; do running "$k" && alive="$alive $k"; done
    [ -z "$alive" ] && break
    sleep 0.1
done
if [ "$(echo $kids | wc -w)" -ge 3 ] && [ -z "$alive" ]; then
    ok "killing the supervisor takes the zygote and its 3 element processes along"
else
    not_ok "killing the supervisor takes the zygote and its 3 element processes along (zygote '$zyg', children '$kids', alive '$alive')"
    for k in $alive; do kill -9 "$k" 2>/dev/null; done
fi

# Nothing left behind.
if ls "$TMP"/core* >/dev/null 2>&1; then not_ok "no core files"; else ok "no core files after every attack"; fi
sleep 0.2
# (zombies of the SIGKILL test above wait for init to reap them: not running)
left=$(ps -eo stat=,args= | awk -v L="$L" '$1 !~ /^Z/ && $2 == L' | wc -l)
if [ "$left" -eq 0 ]; then ok "no element processes left behind"; else not_ok "no element processes left behind ($left)"; fi

done_testing
