#!/usr/bin/env bash
# Schedulers and flow control end to end: every scheduler (coop, threads,
# rt) writes the same bytes for the same pipelines; the byte-checking
# pipeline scripts pass under each scheduler (PARALLAX_SCHEDULER); a slow
# sink behind a queue keeps memory bounded and loses nothing with the block
# policy; a live source with the drop policy drops under 5% when the sink
# is 5% too slow and counts every drop; -v and --stats-json show the figures.
. "$(dirname "$0")/lib.sh"

D=$(tmpdir)
SCHEDS="coop threads rt"

# same_bytes_everywhere NAME OUTFILE ARGS...: runs ARGS under every
# scheduler (OUTFILE is where the pipeline writes); all outputs identical.
same_bytes_everywhere() {
    local name=$1 out=$2 s first=
    shift 2
    for s in $SCHEDS; do
        rm -f "$out"
        launch -q --scheduler=$s --quantum=64 "$@"
        if [ "$RC" -ne 0 ]; then
            not_ok "$name: runs under $s"
            _show_last "--scheduler=$s $*"
            return
        fi
        cp "$out" "$D/out.$s"
        [ -n "$first" ] || first=$s
    done
    local sums
    sums=$(for s in $SCHEDS; do md5sum <"$D/out.$s"; done | sort -u | wc -l)
    if [ "$sums" -eq 1 ] && [ -s "$D/out.$first" ]; then
        ok "$name: identical output under $SCHEDS"
    else
        not_ok "$name: identical output under $SCHEDS"
        for s in $SCHEDS; do echo "  $s: $(wc -c <"$D/out.$s") bytes $(md5sum <"$D/out.$s")"; done | diag
    fi
}

same_bytes_everywhere "random sizes through a queue" "$D/a.bin" \
    fakesrc num-buffers=2000 sizetype=random sizemin=1 sizemax=5000 filltype=pattern-span ! queue max-size-buffers=3 \
    ! filesink location="$D/a.bin"
same_bytes_everywhere "queue, identity, queue chain" "$D/b.bin" \
    fakesrc num-buffers=3000 sizetype=random sizemin=0 sizemax=700 filltype=random ! queue ! identity \
    ! queue max-size-bytes=2000 ! filesink location="$D/b.bin"
random_file "$D/in.bin" $((3 * 1024 * 1024 + 17))
same_bytes_everywhere "file copy through tee and two queues (branch 1)" "$D/c1.bin" \
    filesrc location="$D/in.bin" blocksize=5000 ! tee name=t ! queue ! filesink location="$D/c1.bin" \
    t. ! queue ! filesink location="$D/c2.bin"
check "file copy branch 2 is byte-exact (rt, the last run)" cmp "$D/in.bin" "$D/c2.bin"
check "file copy branch 1 is byte-exact" cmp "$D/in.bin" "$D/c1.bin"
same_bytes_everywhere "video through a queue into videoconvert" "$D/v.bgra" \
    videotestsrc num-buffers=20 pattern=ball ! video/x-raw,width=64,height=48 ! queue ! videoconvert \
    ! video/x-raw,format=BGRA ! filesink location="$D/v.bgra"

# The byte-checking pipeline scripts, under each scheduler other than the
# default (not in sanitizer builds: the unit tests run every scheduler there).
[ -n "${PX_SANITIZE:-}" ] && SUB_SCHEDS= || SUB_SCHEDS="coop rt"
for s in $SUB_SCHEDS; do
    for t in files fake video; do
        if PARALLAX_SCHEDULER=$s PX_LAUNCH_TIMEOUT=60 bash "$PX_SRC/tests/pipelines/$t.sh" >"$D/sub.out" 2>&1; then
            ok "$t.sh passes under PARALLAX_SCHEDULER=$s ($(grep -c '^ok' "$D/sub.out") tests)"
        else
            not_ok "$t.sh passes under PARALLAX_SCHEDULER=$s"
            grep '^not ok' "$D/sub.out" | head -n 10 | diag
        fi
    done
done

launch --scheduler=fast 'fakesrc ! fakesink'
is "unknown scheduler is a usage error" "$RC" 2
is "unknown scheduler says what exists" "$(head -n 1 "$ERR_FILE")" \
    "parallax-launch: unknown scheduler 'fast'; use coop, threads, rt or auto"
run_cmd env PARALLAX_SCHEDULER=quick "$PX_LAUNCH" 'fakesrc num-buffers=1 ! fakesink'
is "bad PARALLAX_SCHEDULER is named" "$(head -n 1 "$ERR_FILE")" \
    "parallax-launch: PARALLAX_SCHEDULER='quick' is not a scheduler; use coop, threads, rt or auto"
launch --period=0 'fakesrc ! fakesink'
is "--period=0 is a usage error" "$RC" 2

# ---- Backpressure -------------------------------------------------------------

# peak_rss_kb ARGS...: the launcher's peak RSS (KiB), via the children's rusage.
peak_rss_kb() {
    "$PY" - "$PX_LAUNCH" "$@" <<'PYEOF'
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PYEOF
}
slow="queue ! identity sleep-time=40 ! fakesink"
# (A sanitizer's own memory grows for the first seconds of a run, whatever the
# pipeline does: there the small run is longer, past that growth.)
n_small=1000
[ -n "${PX_SANITIZE:-}" ] && n_small=5000
small=$(peak_rss_kb -q "fakesrc num-buffers=$n_small sizetype=fixed sizemax=65536 filltype=zero ! $slow")
large=$(peak_rss_kb -q "fakesrc num-buffers=20000 sizetype=fixed sizemax=65536 filltype=zero ! $slow")
echo "peak RSS: $n_small buffers ${small} KiB, 20000 buffers ${large} KiB (64 KiB each)" | diag
if [ -n "$small" ] && [ -n "$large" ] && [ "$large" -lt $((small + 8192)) ]; then
    ok "slow sink: memory stays bounded ($((20000 / n_small))x the buffers, RSS within 8 MiB)"
else
    not_ok "slow sink: memory stays bounded"
fi

run_ok "block policy: fast source, slow sink" --stats-json="$D/block.json" \
    fakesrc num-buffers=3000 sizetype=fixed sizemax=4096 ! queue max-size-buffers=8 ! identity sleep-time=100 \
    ! fakesink
is "block policy loses nothing (sink count)" "$(stat_of "$D/block.json" fakesink0 buffers_in)" 3000
is "block policy: no drops at the source" "$(stat_of "$D/block.json" fakesrc0 drops)" 0
is "block policy: source arena is 4 + the queue's 8 slots" \
    "$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["arenas"]["slots"])' "$D/block.json")" 12

# The sink is a device 5% slower than the stream: identity hold-factor=1.05
# keeps its schedule in stream time (buffer k is done at 1.05 x the durations
# before it, or later when it came late) and sleeps to absolute deadlines, as
# the live source does; a late wake-up is made up, so the load of the machine
# does not change the outcome. With 100 frames/s, 300 frames and a 10-buffer
# queue, the queue fills around frame 230 and about 1 in 21 drops from there:
# about 5 drops (under 2% of the frames; 5-6 with the CPUs fully loaded).
run_ok "live source, drop policy, sink 5% too slow" --stats-json="$D/live.json" \
    videotestsrc is-live=true num-buffers=300 ! video/x-raw,width=32,height=32,framerate=100/1 \
    ! queue max-size-buffers=10 ! identity hold-factor=1.05 ! fakesink
produced=$(stat_of "$D/live.json" videotestsrc0 buffers_out)
consumed=$(stat_of "$D/live.json" fakesink0 buffers_in)
drops=$(stat_of "$D/live.json" videotestsrc0 drops)
echo "live: produced $produced, consumed $consumed, dropped $drops" | diag
is "live: the source produced every frame" "$produced" 300
is "live: every buffer is consumed or counted as dropped" "$((consumed + drops))" "$produced"
check "live: some drops (the sink is slower), under 5%" test "$drops" -gt 0 -a $((drops * 100)) -lt $((produced * 5))
# And a sink as fast as the stream drops nothing, whatever the load.
run_ok "live source, drop policy, sink as fast as the stream" --stats-json="$D/live1.json" \
    videotestsrc is-live=true num-buffers=200 ! video/x-raw,width=32,height=32,framerate=200/1 \
    ! queue max-size-buffers=100 ! identity hold-factor=1.0 ! fakesink
is "live: a sink that keeps up drops nothing" "$(stat_of "$D/live1.json" videotestsrc0 drops)" 0
is "live: a sink that keeps up gets every frame" "$(stat_of "$D/live1.json" fakesink0 buffers_in)" 200
is "live: videotestsrc is-live defaults to flow-policy=drop (queue drops none)" \
    "$(stat_of "$D/live.json" queue0 drops)" 0

run_ok "live source with flow-policy=block waits instead" --stats-json="$D/liveblock.json" \
    videotestsrc is-live=true flow-policy=block num-buffers=60 ! video/x-raw,width=32,height=32,framerate=200/1 \
    ! queue max-size-buffers=2 ! identity sleep-time=6000 ! fakesink
is "live with block: nothing dropped" "$(stat_of "$D/liveblock.json" fakesink0 buffers_in)" 60

# ---- Figures ---------------------------------------------------------------------

run_ok "--stats-json has pipeline figures" --stats-json="$D/s.json" \
    fakesrc num-buffers=500 ! tee name=t ! queue ! fakesink t. ! queue ! fakesink
check "stats json: buffers at sinks, arenas, rt" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["buffers_in_sinks"] == 1000, d["buffers_in_sinks"]
assert d["arenas"]["slots"] == 404, d["arenas"]
assert 0 < d["arenas"]["high_water"] <= 404
assert d["scheduler"] == "threads"
assert "deadline_misses" in d["rt"]
' "$D/s.json"
run_ok "rt run reports cycles" --scheduler=rt --period=500 --stats-json="$D/rt.json" fakesrc num-buffers=200 ! fakesink
check "rt: 201 cycles of 500 us for 200 buffers" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["rt"]["cycles"] == 201, d["rt"]
assert d["scheduler"] == "rt"
' "$D/rt.json"
run_ok "-v prints the rt line" -v --scheduler=rt fakesrc num-buffers=20 ! fakesink
check "-v rt summary" grep -q "^rt: 21 cycles, [0-9]* deadline misses" "$ERR_FILE"

# ---- valgrind: queues, leaky modes, the rt scheduler and its bridges ------------
if have valgrind && [ -z "${PX_SANITIZE:-}" ]; then
    VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect)
    for args in "fakesrc num-buffers=300 ! tee name=t ! queue ! fakesink t. ! queue leaky=downstream max-size-buffers=3 ! identity sleep-time=100 ! fakesink" \
        "--scheduler=rt|--quantum=8|filesrc location=$D/in.bin ! identity ! queue max-size-buffers=4 ! filesink location=$D/vg.bin" \
        "--scheduler=coop|fakesrc num-buffers=300 flow-policy=ring ! queue max-size-buffers=2 ! fakesink"; do
        IFS='|' read -r -a argv <<<"$args"
        run_cmd timeout -k 5 120 "${VG[@]}" "$PX_LAUNCH" -q "${argv[@]}"
        if [ "$RC" -eq 0 ]; then
            ok "valgrind: '${args//|/ }' exits 0, no leak or memory error"
        else
            not_ok "valgrind: '${args//|/ }' exits 0, no leak or memory error (got $RC)"
            head -n 40 "$ERR_FILE" | diag
        fi
    done
else
    skip "valgrind runs" "valgrind not installed, or a sanitizer build"
fi

done_testing
