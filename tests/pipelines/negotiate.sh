#!/usr/bin/env bash
# Negotiation end to end: conflicts exit 1 with the whole explanation on
# stderr (pinned line by line), --dot shows the converter negotiation
# inserted (dashed), --no-auto-convert turns that insertion into the error,
# and neither the failures nor the unit cases (test_negotiate) leak under
# valgrind. Graph-by-graph cases are in tests/unit/test_negotiate.c.
. "$(dirname "$0")/lib.sh"

D=$(tmpdir)
P="parallax-launch:"

# stderr_is "desc" code "expected stderr" args...: exit code and the whole
# of stderr exactly (one error, nothing else printed).
stderr_is() {
    local desc=$1 code=$2 want=$3
    shift 3
    launch "$@"
    local got
    got=$(cat "$ERR_FILE")
    if [ "$RC" -eq "$code" ] && [ "$got" = "$want" ]; then
        ok "$desc"
    else
        not_ok "$desc"
        printf 'expected exit %s and stderr:\n%s\n' "$code" "$want" | diag
        _show_last "$PX_LAUNCH $*"
        diff <(printf '%s\n' "$want") "$ERR_FILE" | diag
    fi
}

if ! "$PX_LAUNCH" --list-elements 2>/dev/null | grep -q '^videotestsrc '; then
    skip "negotiation through the CLI" "this build has no videotestsrc"
    done_testing
fi

VT_OFFER="video/x-raw, format={ I420, YV12, NV12, NV21, YUY2, UYVY, RGB, BGR, RGBA, BGRA, ARGB, ABGR, RGBx, BGRx, GRAY8, GRAY16_LE, I420_10LE, Y42B, Y444, I422_10LE, Y444_10LE }, width=[ 1, 16384 ], height=[ 1, 16384 ], framerate=[ 0/1, 2147483647/1 ]"

# ---- Errors, whole text --------------------------------------------------------

MEDIA="videotestsrc num-buffers=2 ! audio/x-raw ! fakesink"
stderr_is "video into an audio capsfilter: exit 1, link, both sides, reason, audiotestsrc hint" 1 \
"$P cannot link videotestsrc0:src to capsfilter0:sink (column 30)
  $MEDIA
                               ^
  videotestsrc0 offers  $VT_OFFER
  capsfilter0   accepts audio/x-raw
  media types differ: video/x-raw vs audio/x-raw
  hint: did you mean video/x-raw? Audio needs an audio source such as audiotestsrc" \
    "$MEDIA"

TYPO="videotestsrc num-buffers=2 ! video/x-raw,format=I4200 ! fakesink"
stderr_is "unknown format I4200: exit 1, flagged with the nearest known name" 1 \
"$P cannot link videotestsrc0:src to capsfilter0:sink (column 30)
  $TYPO
                               ^
  videotestsrc0 offers  $VT_OFFER
  capsfilter0   accepts video/x-raw, format=I4200
  format differs: { I420, YV12, NV12, NV21, YUY2, UYVY, RGB, BGR, RGBA, BGRA, ARGB, ABGR, RGBx, BGRx, GRAY8, GRAY16_LE, I420_10LE, Y42B, Y444, I422_10LE, Y444_10LE } vs I4200
  hint: 'I4200' is not a known video format; did you mean I420?" \
    "$TYPO"

RATE="videotestsrc num-buffers=2 ! video/x-raw,framerate=30/1 ! video/x-raw,framerate=25/1 ! fakesink"
stderr_is "framerate conflict (no converter can fix it): exit 1, both rates, what to ask for" 1 \
"$P cannot link capsfilter0:src to capsfilter1:sink (column 59)
  $RATE
                                                            ^
  capsfilter0 offers  video/x-raw, framerate=30/1
  capsfilter1 accepts video/x-raw, framerate=25/1
  framerate differs: 30/1 vs 25/1
  hint: ask for framerate=30/1, which capsfilter0 can give" \
    "$RATE"

# ---- Converter insertion, and turning it off -----------------------------------

CONV="videotestsrc num-buffers=2 ! video/x-raw,format=I420 ! video/x-raw,format=BGRA ! fakesink"
launch -q --dot="$D/conv.dot" "$CONV"
is "I420 capsfilter into BGRA capsfilter runs (videoconvert inserted)" "$RC" 0
check "--dot draws the inserted videoconvert dashed" \
    grep -qF '"videoconvert0" [label="videoconvert0\n(videoconvert)", style=dashed];' "$D/conv.dot"
check "--dot links capsfilter0 -> videoconvert0 -> capsfilter1 with I420 then BGRA" \
    grep -qF '"capsfilter0" -> "videoconvert0" [taillabel="src", headlabel="sink", label="video/x-raw, format=I420, width=320, height=240, framerate=30/1"];' "$D/conv.dot"
check "--dot shows BGRA after the converter" \
    grep -qF '"videoconvert0" -> "capsfilter1" [taillabel="src", headlabel="sink", label="video/x-raw, format=BGRA, width=320, height=240, framerate=30/1"];' "$D/conv.dot"
is "--dot has no direct capsfilter0 -> capsfilter1 link" "$(grep -c '"capsfilter0" -> "capsfilter1"' "$D/conv.dot")" 0

launch -q --dot="$D/plain.dot" "videotestsrc num-buffers=2 ! video/x-raw,format=I420 ! fakesink"
is "a pipeline without conflicts runs" "$RC" 0
is "--dot of a pipeline without conflicts has nothing dashed" "$(grep -c dashed "$D/plain.dot")" 0

stderr_is "--no-auto-convert turns the insertion into the error (exit 1)" 1 \
"$P cannot link capsfilter0:src to capsfilter1:sink (column 56)
  $CONV
                                                         ^
  capsfilter0 offers  video/x-raw, format=I420
  capsfilter1 accepts video/x-raw, format=BGRA
  format differs: I420 vs BGRA
  hint: insert videoconvert between them, or use I420" \
    --no-auto-convert "$CONV"

SIZE="videotestsrc num-buffers=2 ! video/x-raw,width=640 ! video/x-raw,width=800 ! fakesink"
if "$PX_LAUNCH" --list-elements 2>/dev/null | grep -q '^videoscale '; then
    launch -q --dot="$D/scale.dot" "$SIZE"
    is "a width conflict runs with videoscale inserted" "$RC" 0
    check "--dot draws the inserted videoscale dashed" \
        grep -qF '"videoscale0" [label="videoscale0\n(videoscale)", style=dashed];' "$D/scale.dot"
else
    skip "a width conflict runs with videoscale inserted" "this build has no videoscale"
    skip "--dot draws the inserted videoscale dashed" "this build has no videoscale"
fi
stderr_is "--no-auto-convert on a width conflict: exit 1, hint to insert videoscale" 1 \
"$P cannot link capsfilter0:src to capsfilter1:sink (column 54)
  $SIZE
                                                       ^
  capsfilter0 offers  video/x-raw, width=640
  capsfilter1 accepts video/x-raw, width=800
  width differs: 640 vs 800
  hint: insert videoscale between them, or ask for width=640" \
    --no-auto-convert "$SIZE"

# --dot is written after prepare: a failed negotiation writes none.
launch -q --dot="$D/failed.dot" "$MEDIA"
is "a failed negotiation exits 1" "$RC" 1
check "a failed negotiation writes no --dot file" test ! -e "$D/failed.dot"

# ---- Leaks ------------------------------------------------------------------------
if have valgrind && [ -z "${PX_SANITIZE:-}" ]; then
    VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect)
    for args in "$MEDIA" "$TYPO" "--no-auto-convert|$CONV"; do
        IFS='|' read -r -a argv <<<"$args"
        run_cmd timeout -k 5 60 "${VG[@]}" "$PX_LAUNCH" -q "${argv[@]}"
        if [ "$RC" -eq 1 ]; then
            ok "valgrind: '${args//|/ }' exits 1, no leak or memory error"
        else
            not_ok "valgrind: '${args//|/ }' exits 1, no leak or memory error (got $RC)"
            head -n 40 "$ERR_FILE" | diag
        fi
    done
    run_cmd timeout -k 5 60 "${VG[@]}" "$PX_LAUNCH" -q "$CONV"
    is "valgrind: the inserted-converter pipeline runs clean" "$RC" 0
    UNIT=$PX_BUILD/tests/test_negotiate
    if [ -x "$UNIT" ]; then
        run_cmd timeout -k 5 120 "${VG[@]}" "$UNIT"
        if [ "$RC" -eq 0 ]; then
            ok "valgrind: every test_negotiate case (failed prepares included) leaks nothing"
        else
            not_ok "valgrind: every test_negotiate case leaks nothing (exit $RC)"
            grep -v '^\(ok\|\[\)' "$ERR_FILE" | head -n 40 | diag
        fi
    else
        skip "valgrind: test_negotiate leaks nothing" "$UNIT not built (make tests)"
    fi
else
    skip "valgrind runs" "valgrind not installed, or an ASan build"
fi

done_testing
