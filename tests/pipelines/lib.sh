# tests/pipelines/lib.sh: TAP helpers for end-to-end tests through
# parallax-launch. Source it from a test script:
#
#   . "$(dirname "$0")/lib.sh"
#   run_ok "fakesrc to fakesink" fakesrc num-buffers=10 ! fakesink
#   run_fails_with "missing file" 1 "cannot open" filesrc location=/nope ! fakesink
#   done_testing
#
# Commands given to run_* are parallax-launch arguments ("launch mode"); use
# run_cmd_* for any other command. Output of the last run is in $OUT_FILE
# (stdout), $ERR_FILE (stderr) and $RC. Environment: PX_LAUNCH (the CLI),
# PX_BUILD (build dir), PX_SRC (repository root); defaults suit a run from
# the repository root after `make`.

[ -n "${BASH_VERSION:-}" ] || { echo "lib.sh needs bash" >&2; exit 2; }
# Executed rather than sourced (a runner globbing *.sh): nothing to test here.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then exit 0; fi

PX_SRC=${PX_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PX_BUILD=${PX_BUILD:-$PX_SRC/build}
PX_LAUNCH=${PX_LAUNCH:-$PX_BUILD/parallax-launch}
PY=python3

_tap_n=0
_tap_failed=0

# A private temp dir, removed on exit.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/px-test.XXXXXX") || exit 1
OUT_FILE=$TMP/.stdout
ERR_FILE=$TMP/.stderr
RC=0
trap 'rm -rf "$TMP"' EXIT
tmpdir() { echo "$TMP"; }

ok() {
    _tap_n=$((_tap_n + 1))
    echo "ok $_tap_n - $*"
}

not_ok() {
    _tap_n=$((_tap_n + 1))
    _tap_failed=$((_tap_failed + 1))
    echo "not ok $_tap_n - $*"
}

# Diagnostics: every line prefixed with "# ".
diag() { sed 's/^/# /'; }

skip() {
    _tap_n=$((_tap_n + 1))
    echo "ok $_tap_n - $1 # SKIP ${2:-}"
}

# Shows what the last command printed (on failure).
_show_last() {
    echo "  command: $*" | diag
    echo "  exit code: $RC" | diag
    [ -s "$OUT_FILE" ] && head -n 20 "$OUT_FILE" | sed 's/^/  stdout: /' | diag
    [ -s "$ERR_FILE" ] && head -n 20 "$ERR_FILE" | sed 's/^/  stderr: /' | diag
    return 0
}

# check "desc" cmd...: ok when cmd succeeds (any shell command, e.g. cmp a b).
check() {
    local desc=$1
    shift
    if "$@" >"$TMP/.check" 2>&1; then
        ok "$desc"
    else
        not_ok "$desc"
        echo "  failed: $*" | diag
        head -n 20 "$TMP/.check" | diag
    fi
}

# is "desc" got expected
is() {
    if [ "$2" = "$3" ]; then
        ok "$1"
    else
        not_ok "$1"
        printf '  got:      %s\n  expected: %s\n' "$2" "$3" | diag
    fi
}

# Runs any command, capturing stdout/stderr/exit code; never fails.
run_cmd() {
    RC=0
    "$@" >"$OUT_FILE" 2>"$ERR_FILE" </dev/null || RC=$?
}

# Runs parallax-launch with the given arguments, under a safety limit well
# below the runner's per-script one, so a hang fails one test, not the script.
PX_LAUNCH_TIMEOUT=${PX_LAUNCH_TIMEOUT:-20}
launch() {
    run_cmd timeout -k 2 "$PX_LAUNCH_TIMEOUT" "$PX_LAUNCH" "$@"
    if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
        echo "  (timed out after ${PX_LAUNCH_TIMEOUT}s)" >>"$ERR_FILE"
    fi
}

# run_ok "desc" args...: parallax-launch exits 0.
run_ok() {
    local desc=$1
    shift
    launch "$@"
    if [ "$RC" -eq 0 ]; then
        ok "$desc"
    else
        not_ok "$desc"
        _show_last "$PX_LAUNCH $*"
    fi
}

# run_fails_with "desc" code "substring" args...: parallax-launch exits with
# exactly code, did not crash, and stderr contains substring.
run_fails_with() {
    local desc=$1 code=$2 want=$3
    shift 3
    launch "$@"
    if [ "$RC" -eq "$code" ] && grep -qF -- "$want" "$ERR_FILE"; then
        ok "$desc"
    else
        not_ok "$desc"
        echo "  expected exit $code and stderr containing: $want" | diag
        _show_last "$PX_LAUNCH $*"
    fi
}

# run_fails_exact "desc" code "first line" args...: exits with exactly code
# and the first line of stderr is exactly "first line" (one clear message).
run_fails_exact() {
    local desc=$1 code=$2 want=$3
    shift 3
    launch "$@"
    local first
    first=$(head -n 1 "$ERR_FILE")
    if [ "$RC" -eq "$code" ] && [ "$first" = "$want" ]; then
        ok "$desc"
    else
        not_ok "$desc"
        printf '  expected exit %s and first stderr line:\n    %s\n  got first line:\n    %s\n' \
            "$code" "$want" "$first" | diag
        _show_last "$PX_LAUNCH $*"
    fi
}

# stat_of FILE ELEMENT FIELD [NTH]: prints one figure from a --stats-json
# file ("missing" when the element or field is not there). ELEMENT is an
# element's name, or else a factory: its NTH element (from 0, in pipeline
# order), so checks do not depend on how default names are numbered.
stat_of() {
    "$PY" - "$@" <<'PYEOF'
import json, sys
path, name, field = sys.argv[1:4]
nth = int(sys.argv[4]) if len(sys.argv) > 4 else 0
try:
    doc = json.load(open(path))
except Exception as e:
    print("unreadable: %s" % e)
    sys.exit(0)
els = doc.get("elements", [])
found = [e for e in els if e.get("name") == name] or \
        [e for e in els if e.get("factory") == name][nth:nth + 1]
if found:
    v = found[0].get(field, "missing")
    print(str(v).lower() if isinstance(v, bool) else v)
else:
    print("missing")
PYEOF
}

have() { command -v "$1" >/dev/null 2>&1; }

# Makes a file of N random bytes.
random_file() { head -c "$2" /dev/urandom >"$1"; }

# Ends the script: prints the plan, exits non-zero when anything failed.
done_testing() {
    echo "1..$_tap_n"
    [ "$_tap_failed" -eq 0 ]
    exit $?
}

# Without the CLI every test would fail for the same reason: say it once.
if [ ! -x "$PX_LAUNCH" ]; then
    echo "1..1"
    echo "not ok 1 - parallax-launch not found at $PX_LAUNCH (run make first)"
    exit 1
fi

