#!/usr/bin/env bash
# Cost of fan-in: ns per buffer through `funnel` with one input (no lock),
# two inputs of which one is empty (the entry lock, uncontended), two inputs
# under coop (no lock) and under threads (two streaming threads contending
# for the lock), beside plain `fakesrc ! fakesink`.
# Empty buffers, so the figures are the runtime's cost. Median of BENCH_RUNS
# runs of BENCH_BUFFERS buffers in all, start-up (a 2-buffer run) subtracted.
# Not a test: figures only.
#
#   BENCH_RUNS=5 BENCH_BUFFERS=4000000 tests/bench/funnel.sh
set -eu

PX_SRC=${PX_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PX_BUILD=${PX_BUILD:-$PX_SRC/build}
PX_LAUNCH=${PX_LAUNCH:-$PX_BUILD/parallax-launch}
RUNS=${BENCH_RUNS:-5}
N=${BENCH_BUFFERS:-4000000}

run_ns() {
    local t0 t1
    t0=$(date +%s%N)
    "$PX_LAUNCH" -q "$@" >/dev/null
    t1=$(date +%s%N)
    echo $((t1 - t0))
}
median_ns() {
    local i
    for ((i = 0; i < RUNS; i++)); do run_ns "$@"; done | sort -n | awk '
        { v[NR] = $1 }
        END { if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
# per_buffer SCHED TEMPLATE: TEMPLATE has @N@ for buffers per source and @S@ for sources.
per_buffer() {
    local sched=$1 sources=$2 tmpl=$3 full one
    full=$(median_ns --scheduler="$sched" $(echo "$tmpl" | sed "s/@N@/$((N / sources))/g"))
    one=$(median_ns --scheduler="$sched" $(echo "$tmpl" | sed "s/@N@/1/g"))
    awk -v f="$full" -v o="$one" -v n="$N" 'BEGIN { d = (f - o) / (n - 2); printf "%.1f\n", d < 0 ? 0 : d }'
}

plain="fakesrc num-buffers=@N@ ! fakesink"
one="fakesrc num-buffers=@N@ ! funnel ! fakesink"
two="funnel name=f ! fakesink fakesrc num-buffers=@N@ ! f. fakesrc num-buffers=@N@ ! f."
idle="funnel name=f ! fakesink fakesrc num-buffers=@N@ ! f. fakesrc num-buffers=0 ! f."

echo "| pipeline ($N buffers) | scheduler | ns/buffer |"
echo "| --- | --- | ---: |"
echo "| fakesrc ! fakesink | threads | $(per_buffer threads 1 "$plain") |"
echo "| fakesrc ! funnel ! fakesink (1 input, no lock) | threads | $(per_buffer threads 1 "$one") |"
echo "| 2 inputs, one empty: the entry lock uncontended | threads | $(per_buffer threads 1 "$idle") |"
echo "| 2 x fakesrc ! funnel ! fakesink | coop (no lock) | $(per_buffer coop 2 "$two") |"
echo "| 2 x fakesrc ! funnel ! fakesink | threads (entry lock, 2 threads contending) | $(per_buffer threads 2 "$two") |"
