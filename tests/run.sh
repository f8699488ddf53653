#!/usr/bin/env bash
# Runs every test against an already built tree and prints "N passed, N failed"
# as its last line; exits 1 when anything failed. `make check` builds and calls it.
#
#   tests/run.sh [BUILD_DIR]
#
# Environment (the Makefile sets all of them):
#   PX_SRC       repository root (default: this script's parent)
#   PX_BUILD     build directory holding parallax-launch, examples/, tests/ (or $1)
#   PX_LAUNCH    parallax-launch to use (default: $PX_BUILD/parallax-launch)
#   PX_CONFIG_H  px_config.h the tree was built with, empty for the default configuration
#   PYTHON       interpreter with kconfiglib (default: probe /usr/bin/python3, python3)
#   CLANG        clang for the warning-free clang build (default: clang)
#   PX_TEST_TIMEOUT  seconds per test program (default: 120)
#   PX_STAGES    stages to run (default: all): amalgamation header unit examples
#                pipelines interop security clang fuzz ports (tests/ports/cross.sh runs the target
#                code stages on a cross build)
#   PX_CROSS_ARCH  cross build the ports stage runs under qemu-user (default: arm64;
#                empty: none); the ports stage is skipped under PX_SANITIZE=1
set -u

PX_SRC=${PX_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
PX_BUILD=${1:-${PX_BUILD:-$PX_SRC/build}}
PX_BUILD=$(cd "$PX_BUILD" 2>/dev/null && pwd || echo "$PX_BUILD")
PX_LAUNCH=${PX_LAUNCH:-$PX_BUILD/parallax-launch}
PX_CONFIG_H=${PX_CONFIG_H:-}
CLANG=${CLANG:-clang}
TIMEOUT=${PX_TEST_TIMEOUT:-120}
export PX_SRC PX_BUILD PX_LAUNCH

if [ -z "${PYTHON:-}" ]; then
    for p in /usr/bin/python3 python3; do
        if "$p" -c 'import kconfiglib' >/dev/null 2>&1; then PYTHON=$p; break; fi
    done
fi

passed=0
failed=0
failures=()
work=$(mktemp -d "${TMPDIR:-/tmp}/px-tests.XXXXXX")
trap 'rm -rf "$work"' EXIT

PX_STAGES=${PX_STAGES:-amalgamation header unit examples pipelines interop security clang fuzz ports}
stage() { case " $PX_STAGES " in *" $1 "*) return 0 ;; esac; return 1; }

pass() { passed=$((passed + 1)); echo "PASS  $1"; }
fail() { failed=$((failed + 1)); failures+=("$1"); echo "FAIL  $1"; }

# Runs "$@" with a time limit, output to $work/out; returns its status.
run_limited() {
    if command -v timeout >/dev/null 2>&1; then
        timeout --kill-after=5 "$TIMEOUT" "$@" >"$work/out" 2>&1
    else
        "$@" >"$work/out" 2>&1
    fi
}

describe_rc() {
    case $1 in
    124 | 137) echo "timed out after ${TIMEOUT}s" ;;
    13[0-9] | 1[4-9][0-9]) echo "killed by signal $(($1 - 128))" ;;
    *) echo "exit status $1" ;;
    esac
}

show_tail() { sed -n '1,200p' "$work/out" | tail -n 20 | sed 's/^/      | /'; }

# Counts TAP lines in $work/out under the name prefix $1; returns the number of "not ok".
count_tap() {
    local prefix=$1 line n=0 bad=0
    while IFS= read -r line; do
        case $line in
        *"# SKIP"* | *"# skip"*) n=$((n + 1)); echo "SKIP  $prefix: ${line#*ok }" ;;
        "not ok"*) bad=$((bad + 1)); n=$((n + 1)); fail "$prefix: ${line#not ok }" ;;
        "ok"*) n=$((n + 1)); pass "$prefix: ${line#ok }" ;;
        esac
    done <"$work/out"
    TAP_COUNT=$n
    return $bad
}

cd "$PX_SRC" || exit 1

# 1. The committed parallax.h matches a fresh amalgamation.
if stage amalgamation; then # (body not indented: keeps diffs small)
echo "== amalgamation"
if [ -z "${PYTHON:-}" ]; then
    fail "amalgamation check (kconfiglib not found: apt-get install python3-kconfiglib)"
elif "$PYTHON" parallax_impl/amalgamate.py --check -o parallax.h >"$work/out" 2>&1; then
    pass "amalgamation check: parallax.h is up to date"
else
    show_tail
    fail "amalgamation check: parallax.h differs from make amalgamate"
fi
fi # stage amalgamation

# 2. Header tests (exit status).
if stage header; then # (body not indented: keeps diffs small)
echo "== header tests"
for t in test_header_c99 test_header_cxx test_two_tu; do
    bin=$PX_BUILD/tests/$t
    if [ ! -x "$bin" ]; then
        fail "$t (not built: see the build output above)"
        continue
    fi
    run_limited "$bin"
    rc=$?
    if [ $rc -eq 0 ]; then pass "$t"; else show_tail; fail "$t ($(describe_rc $rc))"; fi
done
fi # stage header

# 3. Unit tests (cmocka, TAP output).
if stage unit; then # (body not indented: keeps diffs small)
echo "== unit tests"
for src in tests/unit/test_*.c; do
    [ -e "$src" ] || continue
    t=$(basename "$src" .c)
    case $t in test_header_* | test_two_tu_*) continue ;; esac
    bin=$PX_BUILD/tests/$t
    if [ ! -x "$bin" ]; then
        fail "$t (not built: see the build output above)"
        continue
    fi
    (cd "$work" && CMOCKA_MESSAGE_OUTPUT=TAP run_limited "$bin")
    rc=$?
    count_tap "$t"
    bad=$?
    if [ "$TAP_COUNT" -eq 0 ]; then
        show_tail
        fail "$t (no TAP results, $(describe_rc $rc))"
    elif [ $rc -ne 0 ] && [ $bad -eq 0 ]; then
        show_tail
        fail "$t ($(describe_rc $rc) after its results)"
    elif [ $bad -ne 0 ]; then
        show_tail
    fi
done
fi # stage unit

# 4. Examples: built by make, each must exit 0.
if stage examples; then # (body not indented: keeps diffs small)
echo "== examples"
for src in examples/*.c; do
    [ -e "$src" ] || continue
    t=$(basename "$src" .c)
    bin=$PX_BUILD/examples/$t
    if [ ! -x "$bin" ]; then
        fail "example $t (not built)"
        continue
    fi
    (cd "$work" && run_limited "$bin")
    rc=$?
    if [ $rc -eq 0 ]; then pass "example $t"; else show_tail; fail "example $t ($(describe_rc $rc))"; fi
done
fi # stage examples

# 5. Pipeline tests: scripts that print TAP lines.
if stage pipelines; then # (body not indented: keeps diffs small)
echo "== pipeline tests"
for script in tests/pipelines/*.sh; do
    [ -e "$script" ] || continue
    t=$(basename "$script" .sh)
    case $t in lib* | _*) continue ;; esac # helpers sourced by the tests
    if [ ! -x "$PX_LAUNCH" ]; then
        fail "pipelines/$t (parallax-launch not built)"
        continue
    fi
    (cd "$work" && run_limited bash "$PX_SRC/$script")
    rc=$?
    count_tap "pipelines/$t"
    bad=$?
    if [ "$TAP_COUNT" -eq 0 ] && [ $rc -eq 0 ]; then
        pass "pipelines/$t"
    elif [ "$TAP_COUNT" -eq 0 ] || { [ $rc -ne 0 ] && [ $bad -eq 0 ]; }; then
        show_tail
        fail "pipelines/$t ($(describe_rc $rc))"
    elif [ $bad -ne 0 ]; then
        show_tail
    fi
done
fi # stage pipelines

# 5b. Interop tests against real peers (ffmpeg, gst-launch-1.0): TAP scripts
# using tests/pipelines/lib.sh; each skips what it cannot find.
if stage interop; then # (body not indented: keeps diffs small)
echo "== interop tests"
for script in tests/interop/*.sh; do
    [ -e "$script" ] || continue
    t=$(basename "$script" .sh)
    case $t in lib* | _*) continue ;; esac
    (cd "$work" && run_limited bash "$PX_SRC/$script")
    rc=$?
    count_tap "interop/$t"
    bad=$?
    if [ "$TAP_COUNT" -eq 0 ] || { [ $rc -ne 0 ] && [ $bad -eq 0 ]; }; then
        show_tail
        fail "interop/$t ($(describe_rc $rc))"
    elif [ $bad -ne 0 ]; then
        show_tail
    fi
done
fi # stage interop

# 5c. Security tests: sandboxed element processes attacked by the test-only
# hostile element (tests/security/*.sh, TAP, using the launcher built with
# hostile and crash: $PX_BUILD/tests/parallax-launch-test).
if stage security; then # (body not indented: keeps diffs small)
echo "== security tests"
for script in tests/security/*.sh; do
    [ -e "$script" ] || continue
    t=$(basename "$script" .sh)
    case $t in lib* | _*) continue ;; esac
    (cd "$work" && run_limited bash "$PX_SRC/$script")
    rc=$?
    count_tap "security/$t"
    bad=$?
    if [ "$TAP_COUNT" -eq 0 ] || { [ $rc -ne 0 ] && [ $bad -eq 0 ]; }; then
        show_tail
        fail "security/$t ($(describe_rc $rc))"
    elif [ $bad -ne 0 ]; then
        show_tail
    fi
done
fi # stage security

# 6. clang builds the first example warning-free, in the same configuration.
if stage clang; then # (body not indented: keeps diffs small)
echo "== clang"
ex=examples/01_hello_pipeline.c
if [ ! -e "$ex" ]; then
    fail "clang build of $ex (file missing)"
elif ! command -v "$CLANG" >/dev/null 2>&1; then
    fail "clang build of $ex ($CLANG not found: apt-get install clang)"
else
    cfg=()
    if [ -n "$PX_CONFIG_H" ]; then
        cfg=(-I"$(dirname "$PX_CONFIG_H")" "-DPX_CONFIG_HEADER=\"$(basename "$PX_CONFIG_H")\"")
    fi
    if "$CLANG" -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wundef \
        -Werror -O2 -I"$PX_SRC" "${cfg[@]}" -o "$work/clang_01" "$ex" -lpthread >"$work/out" 2>&1; then
        pass "clang build of $ex"
    else
        show_tail
        fail "clang build of $ex (warnings or errors above)"
    fi
fi
fi # stage clang

# 7. Fuzz targets, briefly: each tests/fuzz/fuzz_<name>.c built with libFuzzer, ASan and
#    UBSan and run PX_FUZZ_SECONDS (default 10) from its seeds; one pass/fail each.
#    Crash inputs are kept in $PX_BUILD/fuzz/ (`make fuzz` runs longer).
if stage fuzz; then # (body not indented: keeps diffs small)
echo "== fuzz"
FUZZ_SECONDS=${PX_FUZZ_SECONDS:-10}
for src in tests/fuzz/fuzz_*.c; do
    [ -e "$src" ] || continue
    t=$(basename "$src" .c)
    n=${t#fuzz_}
    if ! command -v "$CLANG" >/dev/null 2>&1; then
        fail "$t ($CLANG not found: apt-get install clang libclang-rt-dev)"
        continue
    fi
    fcfg=()
    if [ -n "$PX_CONFIG_H" ]; then
        fcfg=(-I"$(dirname "$PX_CONFIG_H")" "-DPX_CONFIG_HEADER=\"$(basename "$PX_CONFIG_H")\"")
    fi
    if ! "$CLANG" -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wundef -Werror \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -g -O1 -I"$PX_SRC" "${fcfg[@]}" \
        -o "$work/$t" "$src" -lpthread >"$work/out" 2>&1; then
        show_tail
        fail "$t (build failed; libFuzzer's runtime is in Debian's libclang-rt-dev)"
        continue
    fi
    mkdir -p "$work/corpus-$n" "$PX_BUILD/fuzz"
    seeds=()
    [ -d "$PX_SRC/tests/fuzz/corpus/$n" ] && seeds=("$PX_SRC/tests/fuzz/corpus/$n")
    (cd "$work" && run_limited "$work/$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$PX_BUILD/fuzz/" "$work/corpus-$n" "${seeds[@]}")
    rc=$?
    runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$work/out")
    if [ $rc -eq 0 ] && [ -n "$runs" ]; then
        pass "$t ($runs runs in ${FUZZ_SECONDS}s)"
    else
        show_tail
        fail "$t ($(describe_rc $rc); crash input under $PX_BUILD/fuzz/)"
    fi
done
fi # stage fuzz

# 8. Ports: the arm64 cross build runs the header, unit, example and pipeline
#    tests under qemu-user (tests/ports/cross.sh), and the Buildroot/Yocto
#    recipe steps are run against the cross compiler (tests/ports/recipes.sh).
if stage ports && [ -z "${PX_SANITIZE:-}" ]; then
echo "== ports"
for a in ${PX_CROSS_ARCH-arm64}; do
    TIMEOUT=${PX_PORTS_TIMEOUT:-480} run_limited bash "$PX_SRC/tests/ports/cross.sh" --tap "$a"
    rc=$?
    count_tap "cross-$a"
    bad=$?
    if [ "$TAP_COUNT" -eq 0 ] || { [ $rc -ne 0 ] && [ $bad -eq 0 ]; }; then
        show_tail
        fail "cross-$a ($(describe_rc $rc))"
    elif [ $bad -ne 0 ]; then
        show_tail
    fi
done
TIMEOUT=${PX_PORTS_TIMEOUT:-480} run_limited bash "$PX_SRC/tests/ports/recipes.sh"
rc=$?
count_tap "ports/recipes"
bad=$?
if [ "$TAP_COUNT" -eq 0 ] || { [ $rc -ne 0 ] && [ $bad -eq 0 ]; }; then
    show_tail
    fail "ports/recipes ($(describe_rc $rc))"
elif [ $bad -ne 0 ]; then
    show_tail
fi
fi # stage ports

echo
if [ $failed -ne 0 ]; then
    echo "Failed:"
    for f in "${failures[@]}"; do echo "  $f"; done
    echo
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
