#!/usr/bin/env bash
# Bad input end to end: each mistake exits 1 with one clear message (its
# exact first line is asserted), never crashes, and leaks nothing under
# valgrind.
. "$(dirname "$0")/lib.sh"

D=$(tmpdir)
mkdir -p "$D/adir"
P="parallax-launch:"

# Each case: description | expected first line of stderr | pipeline.
# The same table feeds the valgrind pass below.
CASES=(
    "unknown element|$P no element 'fakesrcc' (column 1)|fakesrcc ! fakesink"
    "unknown property|$P fakesrc0: no property 'num-bufers' (column 9)|fakesrc num-bufers=3 ! fakesink"
    "bad integer value|$P fakesrc0: property 'num-buffers' expects an integer in [-1, 2147483647], got 'many' (column 21)|fakesrc num-buffers=many ! fakesink"
    "bad enum value|$P fakesrc0: property 'sizetype' has no value 'huge'; accepted: empty, fixed, random (column 18)|fakesrc sizetype=huge ! fakesink"
    "value out of range|$P identity0: property 'drop-probability' expects a number in [0, 1], got '2' (column 37)|fakesrc ! identity drop-probability=2 ! fakesink"
    "missing file|$P filesrc0: cannot open '/nonexistent' for reading: No such file or directory|filesrc location=/nonexistent ! fakesink"
    "filesrc on a directory|$P filesrc0: cannot read '$D/adir': Is a directory|filesrc location=$D/adir ! fakesink"
    "filesrc without location|$P filesrc0: no location set; set location=FILE|filesrc ! fakesink"
    "unwritable file|$P filesink0: cannot open '/proc/nope/x' for writing: No such file or directory|fakesrc num-buffers=1 ! filesink location=/proc/nope/x"
    "filesink on a directory|$P filesink0: cannot open '$D/adir' for writing: Is a directory|fakesrc num-buffers=1 ! filesink location=$D/adir"
    "malformed syntax: dangling link|$P '!' without an element after it (column 9)|fakesrc ! "
    "malformed syntax: double link|$P '!' right after another '!' (column 11)|fakesrc ! ! fakesink"
    "malformed syntax: unterminated quote|$P unterminated \" quote (column 18)|filesrc location=\"nope ! fakesink"
    "write error (full device)|$P filesink0: cannot write to '/dev/full': No space left on device|fakesrc num-buffers=1 sizetype=fixed ! filesink location=/dev/full"
    "runtime error|$P identity0: error-after 1 reached|fakesrc num-buffers=3 ! identity error-after=1 ! fakesink"
)

for c in "${CASES[@]}"; do
    IFS='|' read -r desc want pipeline <<<"$c"
    # The pipeline is one argument, as a user would quote it.
    run_fails_exact "$desc: exits 1 with one clear message" 1 "$want" "$pipeline"
    n=$(grep -c "^$P" "$ERR_FILE")
    if [ "$RC" -lt 128 ] && [ "$n" -eq 1 ]; then
        ok "$desc: no crash, exactly one error line"
    else
        not_ok "$desc: no crash, exactly one error line (exit $RC, $n error lines)"
        diag <"$ERR_FILE"
    fi
done

# The whole pipeline as separate words (gst-launch habit) gives the same message.
run_fails_exact "arguments are joined like gst-launch" 1 \
    "$P filesrc0: cannot open '/nonexistent' for reading: No such file or directory" \
    filesrc location=/nonexistent ! fakesink

run_fails_with "no pipeline at all is a usage error" 2 "usage: parallax-launch"

# Under valgrind: failures exit 1 (not 99 = memory error or definite leak).
# Under `make sanitize` the binary carries ASan, which valgrind cannot host;
# ASan checks the same runs there.
if have valgrind && [ -z "${PX_SANITIZE:-}" ]; then
    VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect)
    for c in "${CASES[@]}" "good pipeline|0|fakesrc num-buffers=100 sizetype=fixed ! identity ! fakesink"; do
        IFS='|' read -r desc want pipeline <<<"$c"
        expect=1
        [ "$want" = 0 ] && expect=0
        run_cmd timeout -k 5 60 "${VG[@]}" "$PX_LAUNCH" -q "$pipeline"
        if [ "$RC" -eq "$expect" ]; then
            ok "valgrind: $desc exits $expect, no leak or memory error"
        else
            not_ok "valgrind: $desc exits $expect, no leak or memory error (got $RC)"
            head -n 40 "$ERR_FILE" | diag
        fi
    done
else
    skip "valgrind runs" "valgrind not installed (apt-get install valgrind)"
fi

done_testing
