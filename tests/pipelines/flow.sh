#!/usr/bin/env bash
# Flow elements through parallax-launch: funnel, concat, selectors, valve,
# clocksync, delay, timeout. Bytes compared against what the sources must
# have made (fakesrc filltype=pattern-span), identical files under both
# schedulers, EOS endings, and the exact first line of each error.
. "$(dirname "$0")/lib.sh"

D=$(tmpdir)
S=$D/stats.json
span() { "$PY" -c 'import sys; n = int(sys.argv[1]); sys.stdout.buffer.write(bytes(i & 0xff for i in range(n)))' "$1"; }

# concat: three sources one after the other, the same bytes under both schedulers.
for sched in coop threads; do
    run_ok "concat of 3 sources ($sched)" --scheduler=$sched --stats-json "$S" \
        concat name=c ! filesink location="$D/concat.$sched" \
        fakesrc num-buffers=1000 sizetype=fixed sizemax=10 filltype=pattern-span ! c. \
        fakesrc num-buffers=500 sizetype=fixed sizemax=20 filltype=pattern-span ! c. \
        fakesrc num-buffers=300 sizetype=fixed sizemax=30 filltype=pattern-span ! c.
    is "concat ($sched): 1800 buffers reach the sink" "$(stat_of "$S" filesink buffers_in)" 1800
done
{ span 10000; span 10000; span 9000; } >"$D/concat.want"
check "concat: sink_0's bytes, then sink_1's, then sink_2's" cmp "$D/concat.want" "$D/concat.coop"
check "concat: identical output under coop and threads" cmp "$D/concat.coop" "$D/concat.threads"

# funnel: every byte of every source arrives; coop interleaves deterministically.
for sched in coop threads; do
    run_ok "funnel of 3 sources ($sched)" --scheduler=$sched --stats-json "$S" \
        funnel name=f  fakesrc num-buffers=3000 ! f.  fakesrc num-buffers=3000 ! f.  fakesrc num-buffers=4000 ! f. \
        f. ! fakesink
    is "funnel ($sched): 10000 buffers reach the sink" "$(stat_of "$S" fakesink buffers_in)" 10000
    is "funnel ($sched): EOS reached the sink" "$(stat_of "$S" fakesink eos)" true
done
run_ok "funnel into a filesink (coop)" --scheduler=coop \
    funnel name=f ! filesink location="$D/funnel.bin" \
    fakesrc num-buffers=2 sizetype=fixed sizemax=3 filltype=pattern-span ! f.sink_0 \
    fakesrc num-buffers=2 sizetype=fixed sizemax=2 filltype=pattern-span ! f.sink_1
printf '\x00\x01\x02\x00\x01\x03\x04\x05\x02\x03' >"$D/funnel.want"
check "funnel (coop): buffers alternate between the sources" cmp "$D/funnel.want" "$D/funnel.bin"

# input-selector / output-selector / valve from the command line.
run_ok "input-selector active-pad=sink_1" --stats-json "$S" \
    input-selector name=s active-pad=sink_1 ! filesink location="$D/sel.bin" \
    fakesrc num-buffers=100 sizetype=fixed sizemax=10 filltype=zero ! s. \
    fakesrc num-buffers=100 sizetype=fixed sizemax=10 filltype=pattern-span ! s.
check "input-selector: only sink_1's bytes" cmp <(span 1000) "$D/sel.bin"
run_ok "output-selector active-pad=src_1" --stats-json "$S" \
    fakesrc num-buffers=50 ! output-selector name=o active-pad=src_1  o. ! fakesink name=a  o. ! fakesink name=b
is "output-selector: nothing on src_0" "$(stat_of "$S" a buffers_in)" 0
is "output-selector: everything on src_1" "$(stat_of "$S" b buffers_in)" 50
is "output-selector: EOS reaches the inactive branch too" "$(stat_of "$S" a eos)" true
run_ok "valve drop=true" --stats-json "$S" fakesrc num-buffers=200 ! valve drop=true ! fakesink
is "valve drop=true: 200 drops counted" "$(stat_of "$S" valve drops)" 200
is "valve drop=true: nothing reaches the sink, and it ends" "$(stat_of "$S" fakesink buffers_in)/$(stat_of "$S" fakesink eos)" 0/true

# clocksync paces to the timestamps fakesrc datarate gives; delay shifts them.
start=$(date +%s%N)
run_ok "clocksync paces 30 buffers of 10 ms" fakesrc num-buffers=30 sizetype=fixed sizemax=100 datarate=10000 ! clocksync ! fakesink
took=$((($(date +%s%N) - start) / 1000000))
check "clocksync: the run took at least 290 ms (took $took ms)" test "$took" -ge 290
launch fakesrc num-buffers=2 sizetype=fixed sizemax=100 datarate=10000 ! delay delay=1000000000 ! fakesink silent=false
check "delay: pts shifted by 1 s" grep -q 'pts: 0:00:01.010000000' "$OUT_FILE"

# Errors: one clear first line each.
run_fails_exact "timeout fires, naming the element and the limit" 1 \
    "parallax-launch: timeout0: no buffer arrived within 50 ms (timeout=50)" \
    fakesrc num-buffers=3 ! identity sleep-time=300000 ! timeout timeout=50 ! fakesink
run_fails_with "unknown request pad name" 1 "f has no pad 'sink_x'; request pads are named sink_%u" \
    funnel name=f  fakesrc ! f.sink_x  f. ! fakesink
run_fails_exact "funnel without inputs" 1 \
    "parallax-launch: f has no sink pad linked; link an upstream to it, e.g. 'fakesrc ! f.'" \
    funnel name=f ! fakesink  fakesrc ! fakesink
run_fails_exact "active-pad naming a pad that is not linked" 1 \
    "parallax-launch: s: active-pad=sink_5 is not one of its sink pads; linked: sink_0, sink_1" \
    input-selector name=s active-pad=sink_5 ! fakesink  fakesrc ! s.  fakesrc ! s.
run_fails_with "active-pad that is not a pad name" 1 \
    "s: property 'active-pad' expects a pad name such as sink_0 (or its number, or none), got 'left'" \
    input-selector name=s active-pad=left ! fakesink  fakesrc ! s.
run_fails_with "a source feeding two concat pads under coop is reported, not a hang" 1 \
    "c: sink_1 waits for its turn, but every source is waiting" \
    --scheduler=coop fakesrc num-buffers=10 ! tee name=t  t. ! c.sink_0  t. ! c.sink_1  concat name=c ! fakesink
launch --inspect valve
check "inspect marks mutable properties" grep -q 'changeable while running' "$OUT_FILE"

done_testing
