#!/usr/bin/env bash
# make configcheck: every ports/defconfigs/*_defconfig, allnoconfig,
# allyesconfig and PX_RANDCONFIGS (10) random configurations from the fixed
# seed PX_RANDSEED (1000; randconfig.py) must configure without Kconfig
# warnings and build the CLI and examples/01 with the normal -Werror warning
# flags at -O2 (CFLAGS=-O2: the default minus -g, which changes no warning).
# Each configuration gets its own O= directory under $PX_BUILD/configcheck;
# PX_JOBS (nproc) configurations build at a time. Also checks that
# minimal_defconfig enables exactly the five elements it promises.
set -u

PX_SRC=$(cd "$(dirname "$0")/../.." && pwd)
PX_BUILD=${PX_BUILD:-$PX_SRC/build}
MAKE=${MAKE:-make}
JOBS=${PX_JOBS:-$(nproc 2>/dev/null || echo 2)}
N=${PX_RANDCONFIGS:-10}
SEED=${PX_RANDSEED:-1000}
if [ -z "${PYTHON:-}" ]; then
    for p in /usr/bin/python3 python3; do
        if "$p" -c 'import kconfiglib' >/dev/null 2>&1; then PYTHON=$p; break; fi
    done
fi
[ -n "${PYTHON:-}" ] || { echo "configcheck: kconfiglib not found: apt-get install python3-kconfiglib" >&2; exit 1; }
export PX_SRC PX_BUILD MAKE PYTHON

root=$PX_BUILD/configcheck
rm -rf "$root"
mkdir -p "$root"

configs=()
for f in "$PX_SRC"/ports/defconfigs/*_defconfig; do configs+=("$(basename "$f")"); done
configs+=(allnoconfig allyesconfig)
for i in $(seq 1 "$N"); do configs+=("rand$((SEED + i))"); done

# one NAME: configure and build in $root/NAME; output in $root/NAME.log.
one() {
    local c=$1 d=$root/$1 mk=("$MAKE" -C "$PX_SRC" -s --no-print-directory O="$root/$1" PYTHON="$PYTHON")
    mkdir -p "$d"
    {
        case $c in
        rand*) "$PYTHON" "$PX_SRC/tests/ports/randconfig.py" "${c#rand}" "$d/.config" &&
            "${mk[@]}" olddefconfig ;;
        *) "${mk[@]}" "$c" ;;
        esac && "${mk[@]}" CFLAGS="${PX_CONFIGCHECK_CFLAGS:--O2}" "$d/parallax-launch" "$d/examples/01_hello_pipeline"
    } >"$d.log" 2>&1
    local rc=$?
    if [ $rc -eq 0 ] && grep -qi 'warning' "$d.log"; then rc=1; fi
    if [ $rc -eq 0 ]; then echo "ok    $c"; else echo "FAIL  $c (see $d.log)"; sed 's/^/      | /' "$d.log" | tail -n 15; fi
    return $rc
}
export -f one
export root

start=$(date +%s)
printf '%s\n' "${configs[@]}" | xargs -P "$JOBS" -I{} bash -c 'one "$@"' _ {} >"$root/summary" 2>&1
cat "$root/summary"
bad=$(grep -c '^FAIL' "$root/summary")

# minimal_defconfig promises exactly these elements (footprint and README rely on it).
want="FAKESINK FAKESRC FILESINK FILESRC IDENTITY"
got=$(sed -n 's/^CONFIG_PX_ELEM_\([A-Z0-9_]*\)=y$/\1/p' "$root/minimal_defconfig/.config" 2>/dev/null | sort | tr '\n' ' ')
if [ "${got% }" = "$want" ]; then
    echo "ok    minimal_defconfig enables exactly: $want"
else
    echo "FAIL  minimal_defconfig enables: ${got% } (expected: $want); add '# CONFIG_PX_ELEM_<NAME> is not set' for new elements"
    bad=$((bad + 1))
fi
echo "configcheck: ${#configs[@]} configurations in $(($(date +%s) - start)) s, $bad failed"
[ "$bad" -eq 0 ]
