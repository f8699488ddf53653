#!/usr/bin/env bash
# Hostile and damaged AV1/IVF input through ivfdemux, av1parse and av1dec:
# truncated files, lying frame sizes, garbage OBUs, random bytes. Each gets
# a clear error naming what is wrong (or a counted skip), never a crash;
# a few runs go under valgrind (no invalid access, no leak). Uses the small
# aomenc clip in tests/data (64x48, 12 frames, keyframes at 0 and 6).
. "$(dirname "$0")/lib.sh"

D=$(tmpdir)
CLIP=$PX_SRC/tests/data/av1_64x48_12.ivf
have_av1dec=1
"$PX_LAUNCH" --list-elements 2>/dev/null | grep -qw av1dec || have_av1dec=0

# mutate OUT 'python statements on d (bytearray of the clip) and frames (offsets of frame headers)'
mutate() {
    "$PY" - "$CLIP" "$1" "$2" <<'PYEOF'
import random, struct, sys
src, out, code = sys.argv[1:4]
d = bytearray(open(src, "rb").read())
frames, pos = [], 32
while pos + 12 <= len(d):
    frames.append(pos)
    pos += 12 + struct.unpack("<I", d[pos:pos + 4])[0]
random.seed(7)
exec(code)
open(out, "wb").write(d)
PYEOF
}

# ---- the clip itself ----
run_ok "the 12-frame clip demuxes and parses" filesrc location="$CLIP" ! ivfdemux ! av1parse ! fakesink
launch filesrc location="$CLIP" ! ivfdemux ! av1parse ! fakesink silent=false
check "frame 1: pts from the 1/30 timebase, offset 1, a delta unit" \
    grep -qF "(21 bytes, dts: none, pts: 0:00:00.033333333, duration: none, offset: 1, offset_end: 2, flags: 00000002 delta-unit)" "$OUT_FILE"
check "frame 6: the second keyframe, no delta-unit flag" \
    grep -qF "(641 bytes, dts: none, pts: 0:00:00.200000000, duration: none, offset: 6, offset_end: 7, flags: 00000000)" "$OUT_FILE"
is "two keyframes in 12 units (0 and 6)" "$(grep -c "flags: 0000000[01] *\(discont\)\?)" "$OUT_FILE")" 2
if [ "$have_av1dec" = 1 ]; then
    run_ok "and decodes" --stats-json="$D/ok.json" filesrc location="$CLIP" ! ivfdemux ! av1parse ! av1dec ! \
        y4menc ! filesink location="$D/ok.y4m"
    is "12 frames out of av1dec" "$(stat_of "$D/ok.json" av1dec buffers_out)" 12
    if have ffmpeg; then # md5 of the planes, as dav1d 1.0.0 --muxer md5 reports it for this clip
        is "decoded planes bit-exact with dav1d" "$(ffmpeg -v error -i "$D/ok.y4m" -f rawvideo - | md5sum | cut -d' ' -f1)" \
            6aec20ad5eda4d5d1319bcc0788f3097
    fi
fi

# Zero copy: dav1d decodes into av1dec's arena slots and those slots go downstream. The arena
# holds padded frames (64x48 -> 128x128 I420 + 64 bytes, page-rounded), several stay in use at
# once (dav1d's reference frames live in them), and the bytes pushed are whole padded frames.
if [ "$have_av1dec" = 1 ]; then
    arena() { "$PY" -c "import json,sys; e=[e for e in json.load(open(sys.argv[1]))['elements'] if e['factory']=='av1dec'][0]; print(e['arena'][sys.argv[2]])" "$@"; }
    is "zero copy: av1dec's slots hold a padded 128x128 frame" "$(arena "$D/ok.json" slot_size)" 28672
    high=$(arena "$D/ok.json" high_water)
    if [ "$high" -ge 4 ]; then ok "zero copy: dav1d holds reference frames in av1dec's slots (high water $high)"
    else not_ok "zero copy: dav1d holds reference frames in av1dec's slots (high water $high)"; fi
    is "zero copy: 12 padded frames pushed as they are" "$(stat_of "$D/ok.json" av1dec bytes_out)" $((12 * 24576))
    is "av1parse forwards aligned units by reference (passthrough: no arena, or one never used)" \
        "$("$PY" -c "import json,sys; e=[e for e in json.load(open(sys.argv[1]))['elements'] if e['factory']=='av1parse'][0]; print((e.get('arena') or {}).get('high_water', 0))" "$D/ok.json")" 0
fi

# ---- not IVF, or too short ----
head -c 20 "$CLIP" >"$D/short.ivf"
run_fails_exact "a 20-byte file: the header is too short" 1 \
    "parallax-launch: ivfdemux0: bad IVF header at byte 0: the file is 20 bytes, shorter than the 32-byte IVF header" \
    filesrc location="$D/short.ivf" ! ivfdemux ! av1parse ! fakesink
: >"$D/empty.ivf"
run_fails_with "an empty file" 1 "the file is 0 bytes, shorter than the 32-byte IVF header" \
    filesrc location="$D/empty.ivf" ! ivfdemux ! av1parse ! fakesink
"$PY" -c "import random,sys; random.seed(3); sys.stdout.buffer.write(bytes(random.getrandbits(8) for _ in range(65536)))" \
    >"$D/random.bin"
run_fails_exact "64 KiB of random bytes: not IVF" 1 \
    "parallax-launch: ivfdemux0: bad IVF header at byte 0: not an IVF file: it does not start with \"DKIF\"" \
    filesrc location="$D/random.bin" ! ivfdemux ! av1parse ! fakesink
mutate "$D/fourcc.ivf" 'd[8:12] = b"XVID"'
run_fails_with "an unknown fourcc is named" 1 'fourcc "XVID" is not supported (AV01, VP90, VP80, H264, H265 or HEVC)' \
    filesrc location="$D/fourcc.ivf" ! ivfdemux ! fakesink
mutate "$D/tb.ivf" 'd[16:20] = b"\0\0\0\0"'
run_fails_with "a zero timebase is refused with its offset" 1 "bad IVF header at byte 16: timebase 1/0 has a zero term" \
    filesrc location="$D/tb.ivf" ! ivfdemux ! fakesink
mutate "$D/vp9.ivf" 'd[8:12] = b"VP90"'
run_fails_with "a VP9 file cannot feed av1parse: negotiation says so" 1 "video/x-vp9" \
    filesrc location="$D/vp9.ivf" ! ivfdemux ! av1parse ! fakesink

# ---- IVF header, then 64 KiB of random bytes ----
mutate "$D/rndframes.ivf" 'd[32:] = bytes(random.getrandbits(8) for _ in range(65536))'
run_fails_with "random frames: the first frame size is a lie, named with its offset" 1 \
    "ivfdemux0: frame 0 (header at byte 32) says it is" \
    filesrc location="$D/rndframes.ivf" ! ivfdemux ! av1parse ! fakesink
run_fails_with "random frames ! av1parse skip-corrupt=true: still stopped at the lying IVF size" 1 "frame 0 (header at byte 32)" \
    filesrc location="$D/rndframes.ivf" ! ivfdemux max-frame-size=100000 ! av1parse skip-corrupt=true ! fakesink

# ---- truncated ----
head -c 1000 "$CLIP" >"$D/trunc.ivf"
run_ok "truncated inside frame 6: the first 6 frames go through" --stats-json="$D/trunc.json" \
    filesrc location="$D/trunc.ivf" ! ivfdemux ! av1parse ! fakesink
check "truncated: the warning names the frame, its offset and the byte counts" \
    grep -qF "truncated file: frame 6 (header at byte 967) has 21 of its 641 bytes; dropped" "$ERR_FILE"
is "truncated: ivfdemux counts one drop" "$(stat_of "$D/trunc.json" ivfdemux drops)" 1
is "truncated: 6 frames out" "$(stat_of "$D/trunc.json" ivfdemux buffers_out)" 6
head -c 967 "$CLIP" >"$D/trunc2.ivf"
head -c 5 /dev/zero >>"$D/trunc2.ivf"
run_ok "truncated inside a frame header" filesrc location="$D/trunc2.ivf" ! ivfdemux ! fakesink
check "that warning names the frame header" grep -qF "the header of frame 6 at byte 967 has 5 of 12 bytes" "$ERR_FILE"

# ---- lying frame sizes ----
mutate "$D/lie.ivf" 'd[frames[3]:frames[3] + 4] = struct.pack("<I", 300000)'
run_fails_exact "frame 3 claims 300000 bytes: larger than the slot, with the fix" 1 \
    "parallax-launch: ivfdemux0: frame 3 (header at byte 759) says it is 300000 bytes, more than the 65536 bytes an output slot holds; set max-frame-size=300000 if the file is right" \
    filesrc location="$D/lie.ivf" ! ivfdemux ! av1parse ! fakesink
run_ok "with max-frame-size=400000 the lie is a truncated last frame" --stats-json="$D/lie.json" \
    filesrc location="$D/lie.ivf" ! ivfdemux max-frame-size=400000 ! av1parse ! fakesink
is "lie: 3 frames out, 1 counted drop" "$(stat_of "$D/lie.json" ivfdemux buffers_out)/$(stat_of "$D/lie.json" ivfdemux drops)" 3/1
mutate "$D/huge.ivf" 'd[frames[1]:frames[1] + 4] = struct.pack("<I", 0xfffffff0)'
run_fails_with "a 4 GiB frame size is called damage" 1 \
    "frame 1 (header at byte 693) says it is 4294967280 bytes, more than IVF frames may hold here (256 MiB): the file is damaged" \
    filesrc location="$D/huge.ivf" ! ivfdemux ! fakesink
mutate "$D/shortframe.ivf" 'd[frames[1]:frames[1] + 4] = struct.pack("<I", 5)'
run_fails_with "a frame size too small splits OBUs: av1parse names the unit" 1 "temporal unit 1, byte" \
    filesrc location="$D/shortframe.ivf" ! ivfdemux ! av1parse ! fakesink

# ---- garbage OBUs ----
mutate "$D/garbage.ivf" 'n = struct.unpack("<I", d[frames[5]:frames[5] + 4])[0]; d[frames[5] + 12:frames[5] + 12 + n] = b"\xff" * n'
run_fails_exact "garbage OBUs in frame 5: av1parse stops, naming the unit and the byte" 1 \
    "parallax-launch: av1parse0: temporal unit 5, byte 0 of the unit: OBU forbidden bit is set (header byte 0xff): not an AV1 OBU stream; set skip-corrupt=true to drop damaged units" \
    filesrc location="$D/garbage.ivf" ! ivfdemux ! av1parse ! fakesink
run_ok "av1parse skip-corrupt=true drops that unit and goes on" --stats-json="$D/garbage.json" \
    filesrc location="$D/garbage.ivf" ! ivfdemux ! av1parse skip-corrupt=true ! fakesink
is "skip-corrupt: 11 units out, 1 counted drop" \
    "$(stat_of "$D/garbage.json" av1parse buffers_out)/$(stat_of "$D/garbage.json" av1parse drops)" 11/1
mutate "$D/badseq.ivf" 'd[frames[0] + 12 + 4] ^= 0xe0'
run_fails_with "a sequence header with a reserved profile" 1 "seq_profile is above 2 (reserved)" \
    filesrc location="$D/badseq.ivf" ! ivfdemux ! av1parse ! fakesink

if [ "$have_av1dec" = 1 ]; then
    run_ok "av1dec after the dropped unit decodes the rest (frame 5 is never referenced again before keyframe 6)" \
        --stats-json="$D/garbage2.json" filesrc location="$D/garbage.ivf" ! ivfdemux ! av1parse skip-corrupt=true ! \
        av1dec skip-corrupt=true ! fakesink
    is "11 frames decoded" "$(stat_of "$D/garbage2.json" av1dec buffers_out)" 11
    # The first keyframe cut out: dav1d cannot decode the 5 delta frames before keyframe 6.
    mutate "$D/nokey.ivf" 'd[frames[0]:frames[1]] = b""'
    run_fails_exact "no keyframe first: a bus error naming the frame" 1 \
        "parallax-launch: av1dec0: failed to decode frame 0: dav1d: Invalid argument; set skip-corrupt=true to drop corrupt frames" \
        filesrc location="$D/nokey.ivf" ! ivfdemux ! av1parse ! av1dec ! fakesink
    run_ok "no keyframe first, skip-corrupt=true: those frames are skipped" --stats-json="$D/nokey.json" \
        filesrc location="$D/nokey.ivf" ! ivfdemux ! av1parse ! av1dec skip-corrupt=true ! fakesink
    is "skip-corrupt: 6 frames decoded, 5 counted as dropped" \
        "$(stat_of "$D/nokey.json" av1dec buffers_out)/$(stat_of "$D/nokey.json" av1dec drops)" 6/5
    check "each skip is a warning with the frame and the count" \
        grep -qF "av1dec0: frame 4 is corrupt (dav1d: Invalid argument); skipped (5 so far)" "$ERR_FILE"
    # Tile data scrambled behind valid OBU headers: only dav1d can tell.
    mutate "$D/tiles.ivf" 'o = frames[0] + 12 + 40
for i in range(o, o + 500): d[i] = random.getrandbits(8)'
    launch filesrc location="$D/tiles.ivf" ! ivfdemux ! av1parse ! av1dec ! fakesink
    if [ "$RC" -eq 0 ] || { [ "$RC" -eq 1 ] && grep -q "failed to decode frame [0-9]*: dav1d: .*; set skip-corrupt=true" "$ERR_FILE"; }; then
        ok "scrambled tile data: decoded anyway or an error naming the frame (exit $RC)"
    else
        not_ok "scrambled tile data: decoded anyway or an error naming the frame (exit $RC)"
        _show_last av1dec
    fi
    run_ok "scrambled tile data with skip-corrupt=true: the run completes" \
        filesrc location="$D/tiles.ivf" ! ivfdemux ! av1parse ! av1dec skip-corrupt=true ! fakesink
    run_fails_with "av1dec without a readable sequence header says why" 1 \
        "av1dec0: cannot learn the stream's format before data flows: the stream is not valid AV1" \
        filesrc location="$D/random.bin" ! av1parse ! av1dec ! fakesink
fi

# ---- the same under valgrind ----
if have valgrind && [ -z "${PX_SANITIZE:-}" ]; then # valgrind and ASan do not mix
    vg() { # desc pipeline...
        local desc=$1
        shift
        run_cmd valgrind -q --vex-guest-max-insns=10 --leak-check=full --errors-for-leak-kinds=definite,indirect \
            --error-exitcode=99 "$PX_LAUNCH" -q "$@"
        if [ "$RC" -ne 99 ] && [ "$RC" -lt 128 ] && ! grep -q "==[0-9]*==" "$ERR_FILE"; then
            ok "valgrind: $desc (exit $RC)"
        else
            not_ok "valgrind: $desc (exit $RC)"
            head -n 30 "$ERR_FILE" | diag
        fi
    }
    vg "random bytes" filesrc location="$D/random.bin" ! ivfdemux ! av1parse ! fakesink
    vg "random frames" filesrc location="$D/rndframes.ivf" ! ivfdemux max-frame-size=100000 ! av1parse ! fakesink
    vg "truncated" filesrc location="$D/trunc.ivf" ! ivfdemux ! av1parse ! fakesink
    vg "garbage OBUs, skipped" filesrc location="$D/garbage.ivf" ! ivfdemux ! av1parse skip-corrupt=true ! fakesink
    vg "OBU byte stream of random bytes" filesrc location="$D/random.bin" ! av1parse ! fakesink
    if [ "$have_av1dec" = 1 ]; then
        vg "decoding the clip" filesrc location="$CLIP" ! ivfdemux ! av1parse ! av1dec ! videoconvert ! fakesink
        vg "decoding garbage with skips" filesrc location="$D/garbage.ivf" ! ivfdemux ! av1parse skip-corrupt=true ! \
            av1dec skip-corrupt=true ! fakesink
        vg "decoding scrambled tiles" filesrc location="$D/tiles.ivf" ! ivfdemux ! av1parse ! av1dec skip-corrupt=true ! fakesink
    fi
else
    skip "valgrind runs" "valgrind not installed, or a sanitizer build"
fi

done_testing
