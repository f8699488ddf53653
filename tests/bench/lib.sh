# tests/bench/lib.sh: helpers the benchmarks source (make bench skips it).
#
# These machines are shared and noisy, and the noise drifts: a tool measured
# for a minute, then another for the next minute, compares two moments as
# much as two tools. So the benchmarks interleave (A, B, A, B, ...) and take
# medians, and by default, when root, run every measured command, theirs and
# ours alike, under SCHED_FIFO priority 1 (`chrt -f 1`): other jobs on the box
# then wait while it runs instead of taking its CPUs. BENCH_FIFO=0 turns that
# off (the figures then include whatever else runs).

if [ -z "${BENCH_FIFO:-}" ]; then
    BENCH_FIFO=0
    [ "$(id -u)" = 0 ] && command -v chrt >/dev/null 2>&1 && chrt -f 1 true 2>/dev/null && BENCH_FIFO=1
fi
BENCH_PREFIX=()
[ "$BENCH_FIFO" = 1 ] && BENCH_PREFIX=(chrt -f 1)

# bench_method: says how the figures were taken, for the tables' captions.
bench_method() {
    if [ "$BENCH_FIFO" = 1 ]; then echo "interleaved runs, each under chrt -f 1"; else echo "interleaved runs"; fi
}

# bench_ns CMD...: wall-clock ns of one run of CMD (output discarded; a
# failing run still gives its time: the caller checks what it needs).
bench_ns() {
    local t0 t1
    t0=$(date +%s%N)
    "${BENCH_PREFIX[@]}" "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    echo $((t1 - t0))
}

# bench_median: the median of the numbers on stdin, one per line.
bench_median() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
