#!/usr/bin/env bash
# filesrc ! filesink copies byte-exact across sizes and blocksizes; tee
# feeds two files identically.
. "$(dirname "$0")/lib.sh"

D=$(tmpdir)

# 64 MiB: the big copy, default blocksize and a large one.
random_file "$D/big.bin" $((64 * 1024 * 1024))
for bs in 4096 1048576; do
    rm -f "$D/big.out"
    run_ok "64 MiB copy with blocksize=$bs exits 0" \
        filesrc location="$D/big.bin" blocksize=$bs ! filesink location="$D/big.out"
    check "64 MiB copy with blocksize=$bs is byte-exact" cmp "$D/big.bin" "$D/big.out"
done

# Odd sizes around the block boundary, for several blocksizes.
for bs in 1 7 4096 65536; do
    for size in 0 1 $((bs - 1)) $bs $((bs + 1)) $((3 * bs + 5)); do
        [ "$size" -lt 0 ] && continue
        [ "$bs" -eq 1 ] && [ "$size" -gt 4096 ] && continue
        random_file "$D/in.bin" "$size"
        rm -f "$D/out.bin"
        launch -q filesrc location="$D/in.bin" blocksize=$bs ! filesink location="$D/out.bin"
        if [ "$RC" -eq 0 ] && cmp -s "$D/in.bin" "$D/out.bin"; then
            ok "copy of $size bytes with blocksize=$bs is byte-exact"
        else
            not_ok "copy of $size bytes with blocksize=$bs is byte-exact"
            _show_last "filesrc location=$D/in.bin blocksize=$bs ! filesink location=$D/out.bin"
        fi
    done
done

# Buffer count: every buffer full except the last (ceil(size / blocksize)).
random_file "$D/in.bin" 10001
launch -q --stats-json "$D/stats.json" filesrc location="$D/in.bin" blocksize=1000 ! fakesink
is "filesrc blocksize=1000 on 10001 bytes makes 11 buffers" "$(stat_of "$D/stats.json" fakesink buffers_in)" 11
is "fakesink counts every byte of the file" "$(stat_of "$D/stats.json" fakesink bytes_in)" 10001

# filesink truncates by default and appends with append=true.
printf 'old contents that are longer\n' >"$D/trunc.out"
printf 'new\n' >"$D/small.txt"
run_ok "filesink over an existing file exits 0" filesrc location="$D/small.txt" ! filesink location="$D/trunc.out"
check "filesink truncates an existing file" cmp "$D/small.txt" "$D/trunc.out"
run_ok "filesink append=true exits 0" \
    filesrc location="$D/small.txt" ! filesink location="$D/trunc.out" append=true
check "filesink append=true appends" cmp <(printf 'new\nnew\n') "$D/trunc.out"

# filesrc reads non-regular files too (a pipe), to the end.
launch -q filesrc location=<(head -c 100000 "$D/big.bin") blocksize=4096 ! filesink location="$D/pipe.out"
if [ "$RC" -eq 0 ] && cmp -s <(head -c 100000 "$D/big.bin") "$D/pipe.out"; then
    ok "filesrc reads a pipe to its end"
else
    not_ok "filesrc reads a pipe to its end"
    _show_last "filesrc location=<pipe> ! filesink"
fi

# tee: two branches, both byte-exact.
random_file "$D/tee.bin" $((4 * 1024 * 1024 + 123))
run_ok "tee to two filesinks exits 0" \
    filesrc location="$D/tee.bin" ! tee name=t ! filesink location="$D/tee1.out" \
    t. ! filesink location="$D/tee2.out"
check "tee branch 1 is byte-exact" cmp "$D/tee.bin" "$D/tee1.out"
check "tee branch 2 is byte-exact" cmp "$D/tee.bin" "$D/tee2.out"

run_ok "tee to three branches through identity exits 0" \
    --stats-json "$D/tee.json" fakesrc num-buffers=100 sizetype=fixed sizemax=1000 ! tee name=t \
    ! fakesink t. ! identity ! fakesink t. ! fakesink
for i in 0 1 2; do
    is "tee: fakesink #$i got all 100 buffers" "$(stat_of "$D/tee.json" fakesink buffers_in $i)" 100
done

run_fails_with "tee without src pads fails at start" 1 \
    "tee0: no src pad linked; link one or set allow-not-linked=true" \
    fakesrc num-buffers=10 ! tee
run_ok "tee allow-not-linked=true without src pads runs to EOS" \
    fakesrc num-buffers=10 ! tee allow-not-linked=true

done_testing
