#!/bin/sh
# Differential test of `binlogd dump` against real MariaDB servers.
#
# For each server configuration below: start a fresh MariaDB in
# build/integ/diff-N on 127.0.0.1:(13400+N), run build/tests/integ_differential
# (which writes every column type, dumps the binlog with build/binlogd and
# compares the replayed rows with SELECT), stop the server.  Ends with the
# line "N passed, N failed" summed over configurations.
#
#   sh tests/integ/differential.sh            all configurations
#   sh tests/integ/differential.sh minimal    only the ones whose name matches
#
# Environment: BUILD (default build) picks the tree holding binlogd and
# tests/integ_differential; DIFF_PORT_BASE (default 13400); DIFF_SKIP=t1,t2
# leaves tables out; DIFF_KEEP=1 keeps the server directories.
set -eu
cd "$(dirname "$0")/../.."

BUILD=${BUILD:-build}
BINLOGD=$BUILD/binlogd
PROG=$BUILD/tests/integ_differential
MARIADB_SH=deploy/dev/mariadb.sh
PORT_BASE=${DIFF_PORT_BASE:-13400}
ONLY=${1:-}

# name | extra mariadbd options.  FULL/FULL/OFF first; together they cover
# every value of binlog_row_image, binlog_row_metadata and log_bin_compress.
CONFIGS='full-full-plain|--binlog_row_image=FULL --binlog_row_metadata=FULL --log_bin_compress=OFF
minimal-full-plain|--binlog_row_image=MINIMAL --binlog_row_metadata=FULL --log_bin_compress=OFF
full-minimal-plain|--binlog_row_image=FULL --binlog_row_metadata=MINIMAL --log_bin_compress=OFF
noblob-full-compressed|--binlog_row_image=NOBLOB --binlog_row_metadata=FULL --log_bin_compress=ON
minimal-minimal-compressed|--binlog_row_image=MINIMAL --binlog_row_metadata=MINIMAL --log_bin_compress=ON --log_bin_compress_min_len=10
noblob-minimal-plain|--binlog_row_image=NOBLOB --binlog_row_metadata=MINIMAL --log_bin_compress=OFF'

PASS=0
FAIL=0
FAILED=""
CURDIR_SERVER=""

cleanup() {
    if [ -n "$CURDIR_SERVER" ]; then
        sh "$MARIADB_SH" stop "$CURDIR_SERVER" >/dev/null 2>&1 || true
        CURDIR_SERVER=""
    fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

finish() {
    echo
    [ -n "$FAILED" ] && echo "failed configurations:$FAILED"
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
    exit $?
}

for f in "$BINLOGD" "$PROG"; do
    if [ ! -x "$f" ]; then
        echo "differential: $f is missing; build it first (make all unit)" >&2
        FAIL=1
        finish
    fi
done
if ! command -v mariadbd >/dev/null 2>&1; then
    echo "differential: mariadbd is not installed (make deps)" >&2
    FAIL=1
    finish
fi

mkdir -p build/integ
n=0
while IFS='|' read -r name opts; do
    [ -n "$name" ] || continue
    n=$((n + 1))
    case "$name" in *"$ONLY"*) ;; *) continue ;; esac
    dir=build/integ/diff-$n
    port=$((PORT_BASE + n))
    log=$dir.log
    echo "==> [$n] $name: $opts"
    sh "$MARIADB_SH" stop "$dir" </dev/null >/dev/null 2>&1 || true
    rm -rf "$dir"
    # shellcheck disable=SC2086
    if ! sh "$MARIADB_SH" start "$dir" "$port" $opts </dev/null; then
        echo "FAIL [$n] $name: the server did not start"
        FAIL=$((FAIL + 1))
        FAILED="$FAILED $name"
        continue
    fi
    CURDIR_SERVER=$dir
    rc=0
    "$PROG" --host 127.0.0.1 --port "$port" --user root --password "" \
        --binlog-dir "$(cd "$dir/db" && pwd)" --binlogd "$BINLOGD" --config "$name" \
        --save-dump "$dir/dump.jsonl" ${DIFF_SKIP:+--skip "$DIFF_SKIP"} \
        </dev/null >"$log" 2>&1 || rc=$?
    cat "$log"
    sh "$MARIADB_SH" stop "$dir" </dev/null >/dev/null 2>&1 || true
    CURDIR_SERVER=""
    line=$(grep -E "^config .*: [0-9]+ passed, [0-9]+ failed" "$log" | tail -n 1 || true)
    if [ -n "$line" ]; then
        p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/')
        f=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/')
    else
        p=0
        f=0
    fi
    # a crash or a setup error (exit 2) without counted failures is a failure
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    PASS=$((PASS + p))
    FAIL=$((FAIL + f))
    if [ "$f" -ne 0 ]; then
        FAILED="$FAILED $name"
        echo "FAIL [$n] $name: $p passed, $f failed (exit $rc; log $log, dump $dir/dump.jsonl)"
    else
        echo "ok   [$n] $name: $p passed"
        [ "${DIFF_KEEP:-0}" = 1 ] || rm -rf "$dir"
    fi
done <<EOF_CONFIGS
$CONFIGS
EOF_CONFIGS
finish
