# tests/lib.sh - helpers shared by the shell test scripts (sourced, not run).
# Counts results in $pass and $fail; each script ends with
# `echo "$pass passed, $fail failed"`, the line tests/run.sh reads.
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*"
}
# check NAME COMMAND...: a pass when COMMAND succeeds
check() {
    _name=$1
    shift
    if "$@"; then ok; else bad "$_name"; fi
}
# waitfor SECS COMMAND...: poll every 0.1 s until COMMAND succeeds
waitfor() {
    _w=$(($1 * 10))
    shift
    while [ "$_w" -gt 0 ]; do
        "$@" && return 0
        sleep 0.1
        _w=$((_w - 1))
    done
    return 1
}
# has PATTERN FILE: grep -q that tolerates a missing file
has() { grep -q -- "$1" "$2" 2>/dev/null; }
