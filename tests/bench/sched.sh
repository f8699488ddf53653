#!/usr/bin/env bash
# Scheduling overhead beside GStreamer, in one run: ns per buffer through
#   fakesrc ! queue ! fakesink                 (a thread boundary per buffer)
#   fakesrc ! identity x10 ! fakesink          (a chain of 10 filters)
#   fakesrc ! tee ! fakesink, fakesink         (fan-out to two sinks)
# (empty buffers: the cost is the runtime's), medians of BENCH_RUNS runs with
# start-up subtracted (a 1-buffer run's time; see fakesrc_fakesink.sh),
# Parallax and GStreamer interleaved and, as root, under chrt -f 1 (lib.sh), and
# the rt scheduler's wake-up jitter (p50/p99/max) for a 1 ms driver over
# BENCH_RT_CYCLES cycles. Prints markdown table rows. Figures, never
# assertions: a loaded machine gives slow numbers, not a failure.
#
#   BENCH_RUNS=5 BENCH_BUFFERS=2000000 BENCH_GST_BUFFERS=200000 tests/bench/sched.sh
set -eu

PX_SRC=${PX_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PX_BUILD=${PX_BUILD:-$PX_SRC/build}
PX_LAUNCH=${PX_LAUNCH:-$PX_BUILD/parallax-launch}
RUNS=${BENCH_RUNS:-5}
N=${BENCH_BUFFERS:-2000000}
GST_N=${BENCH_GST_BUFFERS:-$((N / 10 > 0 ? N / 10 : 1))}
RT_CYCLES=${BENCH_RT_CYCLES:-3000}
GST=${GST_LAUNCH:-gst-launch-1.0}

if [ ! -x "$PX_LAUNCH" ]; then
    echo "sched: $PX_LAUNCH not found (run make first)" >&2
    exit 1
fi

# shellcheck source=tests/bench/lib.sh
. "$PX_SRC/tests/bench/lib.sh"

# per_buffer FULL ONE N: ns per buffer from the medians of the N-buffer and
# 1-buffer runs' wall times (start-up subtracted).
per_buffer() {
    awk -v f="$(bench_median <"$1")" -v o="$(bench_median <"$2")" -v n="$3" \
        'BEGIN { d = n > 1 ? (f - o) / (n - 1) : f / n; printf "%.1f\n", d < 0 ? 0 : d }'
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
[ -n "$cpu" ] || cpu=unknown
machine="$(uname -m), ${cpu}, $(nproc 2>/dev/null || echo '?') CPUs"
TMP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/px-bench-sched.XXXXXX")
trap 'rm -rf "$TMP_DIR"' EXIT
have_gst=false
command -v "$GST" >/dev/null 2>&1 && have_gst=true

ids() { local i; for ((i = 0; i < 10; i++)); do printf '! identity '; done; }

echo "| date | machine | pipeline | runs | parallax ns/buffer | gst-launch-1.0 ns/buffer | gst / parallax |"
echo "|---|---|---|---|---|---|---|"
# row NAME PX-WORDS GST-WORDS: Parallax and GStreamer interleaved, RUNS rounds
# of (parallax N, parallax 1, gst N, gst 1).
row() {
    local name=$1 px_words=$2 gst_words=$3 px gst ratio cell i
    local t=$TMP_DIR
    : >"$t/pf" && : >"$t/po" && : >"$t/gf" && : >"$t/go"
    for ((i = 0; i < RUNS; i++)); do
        # shellcheck disable=SC2086
        bench_ns "$PX_LAUNCH" -q ${px_words//@N@/$N} >>"$t/pf"
        # shellcheck disable=SC2086
        bench_ns "$PX_LAUNCH" -q ${px_words//@N@/1} >>"$t/po"
        if $have_gst; then
            # shellcheck disable=SC2086
            bench_ns "$GST" -q ${gst_words//@N@/$GST_N} >>"$t/gf"
            # shellcheck disable=SC2086
            bench_ns "$GST" -q ${gst_words//@N@/1} >>"$t/go"
        fi
    done
    px=$(per_buffer "$t/pf" "$t/po" "$N")
    if $have_gst; then
        gst=$(per_buffer "$t/gf" "$t/go" "$GST_N")
        ratio=$(awk -v g="$gst" -v p="$px" 'BEGIN { if (p > 0) printf "%.1fx", g / p; else print "n/a" }')
        cell="$gst ns ($GST_N buffers)"
    else
        cell="not installed"
        ratio=n/a
    fi
    echo "| $(date -u +%Y-%m-%d) | $machine | $name | median of $RUNS, $(bench_method) | $px ns ($N buffers) | $cell | $ratio |"
}

row "fakesrc ! queue ! fakesink" "fakesrc num-buffers=@N@ ! queue ! fakesink" \
    "fakesrc num-buffers=@N@ ! queue ! fakesink"
row "fakesrc ! 10 x identity ! fakesink" "fakesrc num-buffers=@N@ $(ids)! fakesink" \
    "fakesrc num-buffers=@N@ $(ids)! fakesink"
# GStreamer's sinks preroll: two sinks behind one tee without queues need async=false.
row "fakesrc ! tee ! 2 x fakesink" "fakesrc num-buffers=@N@ ! tee name=t ! fakesink t. ! fakesink" \
    "fakesrc num-buffers=@N@ ! tee name=t ! fakesink async=false t. ! fakesink async=false"

# rt: wake-up lateness of a 1 ms driver (one buffer per cycle), medians of RUNS runs.
p50s=() p99s=() maxs=() misses=()
for ((i = 0; i < RUNS; i++)); do
    line=$("${BENCH_PREFIX[@]}" "$PX_LAUNCH" -v --scheduler=rt --period=1000 "fakesrc num-buffers=$RT_CYCLES ! fakesink" 2>&1 | grep '^rt: ' || true)
    [ -n "$line" ] || continue
    p50s+=("$(sed -n 's/.*jitter p50 \([0-9.]*\) us.*/\1/p' <<<"$line")")
    p99s+=("$(sed -n 's/.*p99 \([0-9.]*\) us.*/\1/p' <<<"$line")")
    maxs+=("$(sed -n 's/.*max \([0-9.]*\) us.*/\1/p' <<<"$line")")
    misses+=("$(sed -n 's/.*cycles, \([0-9]*\) deadline misses.*/\1/p' <<<"$line")")
done
med() { printf '%s\n' "$@" | bench_median; }
echo
echo "| date | machine | rt driver | runs | wake-up jitter p50 | p99 | max | deadline misses |"
echo "|---|---|---|---|---|---|---|---|"
echo "| $(date -u +%Y-%m-%d) | $machine | 1 ms timerfd, $RT_CYCLES cycles | median of ${#p50s[@]} | $(med "${p50s[@]}") us | $(med "${p99s[@]}") us | $(med "${maxs[@]}") us | $(med "${misses[@]}") |"
