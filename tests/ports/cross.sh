#!/usr/bin/env bash
# Cross builds, run for real: builds Parallax for another target through the
# Makefile variables the Buildroot and Yocto recipes use (CROSS_COMPILE, CC,
# O=), then runs the header, unit, example, pipeline and interop tests on it
# through tests/run.sh (interop: the target's parallax-launch against the
# host's ffmpeg and gst-launch-1.0).
#
#   tests/ports/cross.sh [--tap] arm64|armhf|musl
#
#   arm64  CROSS_COMPILE=aarch64-linux-gnu-    (gcc-aarch64-linux-gnu), run under qemu-aarch64
#   armhf  CROSS_COMPILE=arm-linux-gnueabihf-  (gcc-arm-linux-gnueabihf), run under qemu-arm
#   musl   CC=musl-gcc (musl-tools), run natively. Debian has no cmocka built
#          for musl, so the cmocka unit tests and the C++ header test are not
#          built; the C header tests, the examples and the pipeline tests run.
#
# Output goes to build/cross-<arch> (override: PX_CROSS_BUILD). Programs run
# under qemu-user through small wrapper scripts (build/cross-<arch>/qemu/),
# so tests/run.sh and the pipeline scripts run them like native ones. The
# target's dynamic loader and libraries (libc, libcmocka) come from Debian
# multiarch (libcmocka-dev:arm64 pulls libc6:arm64); qemu's -L with the
# cross-compiler sysroot (/usr/aarch64-linux-gnu, glibc 2.36-8cross1) is only
# a fallback: under Debian 12's qemu 7.2 a fork() child hangs with it.
#
# The cross build uses CFLAGS=-O1 (PX_CROSS_CFLAGS overrides): half the compile
# time of -O2 -g, and what runs is still the target's code.
# Failures listed in tests/ports/known-failures ("<arch> <glob matching the
# start of the result text> # reason") are reported as SKIP with their reason, so a known target-specific
# issue is visible without failing make check; remove the line once fixed.
#
# --tap: print one TAP line per result ("ok N - arm64: ..."), for the ports
# stage of tests/run.sh. Otherwise the run.sh output is shown as is.
# Exit status: 0 when everything passed.
set -u

tap=0
if [ "${1:-}" = --tap ]; then
    tap=1
    shift
fi
arch=${1:-}
PX_SRC=$(cd "$(dirname "$0")/../.." && pwd)
MAKE=${MAKE:-make}
JOBS=${PX_JOBS:-$(nproc 2>/dev/null || echo 2)}

case $arch in
arm64) tuple=aarch64-linux-gnu qemu=qemu-aarch64 ldso=/lib/ld-linux-aarch64.so.1 ;;
armhf) tuple=arm-linux-gnueabihf qemu=qemu-arm ldso=/lib/ld-linux-armhf.so.3 ;;
musl) tuple= qemu= ldso= ;;
*)
    echo "usage: $0 [--tap] arm64|armhf|musl" >&2
    exit 2
    ;;
esac

out=${PX_CROSS_BUILD:-$PX_SRC/build/cross-$arch}
mkdir -p "$out"
out=$(cd "$out" && pwd)
log=$out/cross.log

n=0
bad=0
result() { # result ok|not-ok|skip "text" [reason]
    n=$((n + 1))
    case $1 in
    ok) echo "ok $n - $arch: $2" ;;
    skip) echo "ok $n - $arch: $2 # SKIP ${3:-}" ;;
    *) bad=$((bad + 1)); echo "not ok $n - $arch: $2" ;;
    esac
}
# Prints the reason when "$1" is a known failure on this arch.
known_failure() {
    local kf=$PX_SRC/tests/ports/known-failures a rest
    [ -f "$kf" ] || return 0
    while read -r a rest; do
        case $a in "#"* | "") continue ;; esac
        [ "$a" = "$arch" ] || continue
        # shellcheck disable=SC2254 # the pattern is a glob on purpose
        case $1 in ${rest%% # *}*) echo "${rest#* # }"; return 0 ;; esac
    done <"$kf"
}
say() { if [ $tap = 1 ]; then sed 's/^/# /'; else cat; fi; }

# ---- Tools ------------------------------------------------------------------------------
missing=
if [ -n "$tuple" ]; then
    command -v "$tuple-gcc" >/dev/null 2>&1 || missing="$missing gcc-$tuple"
    command -v "$tuple-g++" >/dev/null 2>&1 || missing="$missing g++-$tuple"
    command -v "$qemu" >/dev/null 2>&1 || missing="$missing qemu-user"
    mkvars=(CROSS_COMPILE="$tuple-" CFLAGS="${PX_CROSS_CFLAGS:--O1}")
    want=(tests)
else
    command -v musl-gcc >/dev/null 2>&1 || missing="$missing musl-tools"
    mkvars=(CC=musl-gcc CFLAGS="${PX_CROSS_CFLAGS:--O1}")
    want=(all "$out/tests/test_header_c99" "$out/tests/test_two_tu")
fi
if [ -n "$missing" ]; then
    msg="missing Debian packages:$missing (ports/debian/install-deps.sh installs them)"
    if [ $tap = 1 ]; then result not-ok "toolchain ($msg)"; else echo "cross: $msg" >&2; fi
    exit 1
fi

# ---- Build ------------------------------------------------------------------------------
# The same command line a recipe runs: make CROSS_COMPILE=<tuple>- O=<dir> (or CC=).
echo "cross $arch: make ${mkvars[*]} O=$out ${want[*]}" | say
if $MAKE -C "$PX_SRC" -s --no-print-directory -k -j"$JOBS" O="$out" "${mkvars[@]}" "${want[@]}" >"$log" 2>&1; then
    result ok "build (make ${mkvars[*]} O=build/cross-$arch)"
else
    tail -n 30 "$log" | say
    result not-ok "build (make ${mkvars[*]} O=build/cross-$arch; see $log)"
fi
launch_bin=$out/parallax-launch
if [ -x "$launch_bin" ] && command -v file >/dev/null 2>&1; then
    desc=$(file -b "$launch_bin")
    case $arch in
    arm64) expect="ARM aarch64" ;;
    armhf) expect="ARM, EABI5" ;;
    musl) expect="ld-musl" ;;
    esac
    if [[ $desc == *"$expect"* ]]; then
        result ok "parallax-launch is a target binary ($expect)"
    else
        echo "file: $desc" | say
        result not-ok "parallax-launch is a target binary (expected '$expect')"
    fi
fi

# ---- Run --------------------------------------------------------------------------------
if [ -n "$qemu" ]; then
    qemu_args=()
    if [ ! -e "$ldso" ]; then
        # No multiarch libc6:<arch>: fall back to the cross sysroot (see above).
        qemu_args=(-L "/usr/$tuple")
    fi
    # Wrappers mirror the build tree: <out>/qemu/<path> runs <out>/<path> under qemu.
    run_dir=$out/qemu
    rm -rf "$run_dir"
    mkdir -p "$run_dir/tests" "$run_dir/examples"
    for bin in "$out"/parallax-launch "$out"/examples/* "$out"/tests/test_*; do
        [ -f "$bin" ] && [ -x "$bin" ] || continue
        rel=${bin#"$out"/}
        printf '#!/bin/sh\nexec %s %s "%s" "$@"\n' "$qemu" "${qemu_args[*]}" "$bin" >"$run_dir/$rel"
        chmod +x "$run_dir/$rel"
    done
    stages="header unit examples pipelines interop"
else
    run_dir=$out
    stages="examples pipelines interop"
    # The C header tests (declarations in C99, two translation units) still run.
    for t in test_header_c99 test_two_tu; do
        if [ ! -x "$out/tests/$t" ]; then
            result not-ok "$t (not built)"
        elif "$out/tests/$t" >"$out/$t.out" 2>&1; then
            result ok "$t"
        else
            say <"$out/$t.out"
            result not-ok "$t"
        fi
    done
    result skip "cmocka unit tests and the C++ header test" "no cmocka or C++ library for musl in Debian"
fi

# run.sh with only the stages that run target code; never recursing into this one.
inner=$out/run.out
PX_STAGES=$stages PX_SRC=$PX_SRC PX_BUILD=$run_dir PX_LAUNCH=$run_dir/parallax-launch PX_CONFIG_H= \
    PX_TEST_TIMEOUT=${PX_TEST_TIMEOUT:-300} PX_LAUNCH_TIMEOUT=${PX_LAUNCH_TIMEOUT:-60} \
    bash "$PX_SRC/tests/run.sh" >"$inner" 2>&1
rc=$?

# Known failures become SKIP (TAP) or XFAIL lines; anything else that failed counts.
known=0
while IFS= read -r line; do
    case $line in
    "PASS  "*) [ $tap = 1 ] && result ok "${line#PASS  }" ;;
    "FAIL  "*)
        text=${line#FAIL  }
        reason=$(known_failure "$text")
        if [ -n "$reason" ]; then
            known=$((known + 1))
            if [ $tap = 1 ]; then result skip "$text" "known failure: $reason"; else line="XFAIL $text (known failure: $reason)"; fi
        elif [ $tap = 1 ]; then
            result not-ok "$text"
        else
            bad=$((bad + 1))
        fi
        ;;
    "SKIP  "*) [ $tap = 1 ] && result skip "${line#SKIP  }" "skipped on $arch" ;;
    "      |"*) [ $tap = 1 ] && echo "# $line" ;;
    esac
    [ $tap = 1 ] || echo "$line"
done <"$inner"
if [ $rc -ne 0 ] && ! grep -q '^FAIL  ' "$inner"; then
    # run.sh failed without a FAIL line (crashed, killed): never a pass.
    tail -n 20 "$inner" | say
    if [ $tap = 1 ]; then result not-ok "tests/run.sh exit status $rc without results"; else bad=$((bad + 1)); fi
fi
if [ $tap = 1 ]; then
    tail -n 1 "$inner" | say
    echo "1..$n"
else
    echo "cross $arch: $bad unexpected failure(s), $known known failure(s) (tests/ports/known-failures)"
fi
[ $bad -eq 0 ]
