#!/usr/bin/env bash
# parallax-launch's isolation options: the same output in every mode (files
# written by a sandboxed filesink, y4mdec's chain() outputs), option errors,
# and the summary line of a run whose element was restarted.
. "$(dirname "$0")/lib.sh"

if ! "$PX_LAUNCH" --version | grep -q 'CONFIG_PX_ISOLATE=1'; then
    skip "isolation" "built without CONFIG_PX_ISOLATE"
    done_testing
    exit 0
fi
T=$(tmpdir)

P="fakesrc num-buffers=300 sizetype=random sizemax=6000 filltype=random ! identity ! filesink location="
run_ok "in-process reference run" "${P}$T/ref.bin"
for mode in --isolated "--isolate=identity*,file*" --auto-isolate; do
    run_ok "fakesrc ! identity ! filesink with $mode" "$mode" "${P}$T/out.bin"
    check "$mode: output identical to in-process" cmp "$T/ref.bin" "$T/out.bin"
done

run_ok "write a y4m file" "videotestsrc num-buffers=15 pattern=ball ! video/x-raw,format=I420,width=64,height=48 ! y4menc ! filesink location=$T/in.y4m"
D="filesrc location=$T/in.y4m ! y4mdec ! videoconvert ! video/x-raw,format=BGRA ! videoscale ! video/x-raw,width=32,height=24 ! filesink location="
run_ok "y4m decode, convert, scale in-process" "${D}$T/ref.bgra"
for mode in --isolated "--isolate=*dec*,*convert*,*scale*"; do
    run_ok "y4m decode, convert, scale with $mode" "$mode" "${D}$T/out.bgra"
    check "$mode: decoded frames identical to in-process" cmp "$T/ref.bgra" "$T/out.bgra"
done
is "decoded size: 15 frames of 32x24 BGRA" "$(wc -c <"$T/ref.bgra" | tr -d ' ')" 46080

run_fails_exact "--isolate needs a value" 2 "parallax-launch: --isolate needs a value" --isolate
run_fails_exact "--max-restarts must be a number" 2 \
    "parallax-launch: --max-restarts needs a number from 0 to 1000000, not 'many'" --max-restarts=many fakesrc ! fakesink
run_fails_exact "--isolate-timeout must not be negative" 2 \
    "parallax-launch: --isolate-timeout needs a number from 0 to 1000000, not '-5'" --isolate-timeout=-5 fakesrc ! fakesink

launch -v --isolated "fakesrc num-buffers=3 ! identity ! fakesink"
if [ "$RC" -eq 0 ] && grep -q "^parallax-launch: sandbox: core: off" "$ERR_FILE" &&
    grep -q "^parallax-launch: isolated identity0: 0 restarts, 0 buffers lost" "$ERR_FILE"; then
    ok "-v prints the sandbox report and per-element isolation figures"
else
    not_ok "-v prints the sandbox report and per-element isolation figures"
    _show_last "-v --isolated"
fi

done_testing
