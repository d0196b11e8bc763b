#!/bin/sh
# Decode benchmark: binlogd dump against mariadb-binlog on the same binlog.
#
# Generates ROWS (default 1,000,000) row changes of an account-flow table on
# a local MariaDB (127.0.0.1, started here, stopped after), then times, in
# alternating rounds, `binlogd dump FILE >/dev/null` and
# `mariadb-binlog --verbose --base64-output=DECODE-ROWS FILE >/dev/null`,
# reports medians and the ratio, counts instructions per row with callgrind,
# and writes the results into docs/performance.md (section "Decode").
#
#   tests/bench/decode.sh [ROWS] [ROUNDS]
#
# BINLOGD: the binary to measure (default build/binlogd).
set -eu
cd "$(dirname "$0")/../.."
ROWS=${1:-1000000}
ROUNDS=${2:-5}
B=${BINLOGD:-build/binlogd}
DIR=build/bench/decode-db
PORT=${BENCH_PORT:-13380}
DB=deploy/dev/mariadb.sh
[ -x "$B" ] || make -s all

cleanup() { sh $DB stop "$DIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM

echo "==> starting MariaDB on 127.0.0.1:$PORT (binlog_row_metadata=FULL)"
rm -rf "$DIR"
sh $DB start "$DIR" "$PORT" --binlog_row_metadata=FULL --max_binlog_size=1G >/dev/null
SQL() { sh $DB sql "$DIR" binlogd "$@"; }

echo "==> writing $ROWS rows of pay.split_account_flow"
. tests/bench/flow.sh
{
    flow_table
    echo "FLUSH BINARY LOGS;"
    flow_rows 0 "$ROWS"
} | SQL
SQL -e "FLUSH BINARY LOGS"
FILE=$(ls "$DIR"/db/binlog.[0-9]* | sort | tail -2 | head -1)
SIZE=$(wc -c <"$FILE")
GOT=$("$B" dump "$FILE" | wc -l)
[ "$GOT" -eq "$ROWS" ] || { echo "decoded $GOT rows, expected $ROWS" >&2; exit 1; }
echo "==> $FILE: $SIZE bytes, $GOT row changes"

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
: >build/bench/t_binlogd
: >build/bench/t_mariadb
r=0
while [ $r -lt "$ROUNDS" ]; do
    t0=$(now); taskset -c 0 "$B" dump "$FILE" >/dev/null; t1=$(now)
    echo "$t1 - $t0" | bc -l >>build/bench/t_binlogd
    t0=$(now); taskset -c 0 mariadb-binlog --verbose --base64-output=DECODE-ROWS "$FILE" >/dev/null; t1=$(now)
    echo "$t1 - $t0" | bc -l >>build/bench/t_mariadb
    r=$((r + 1))
done
TB=$(median <build/bench/t_binlogd | xargs printf '%.3f')
TM=$(median <build/bench/t_mariadb | xargs printf '%.3f')
RB=$(echo "$ROWS / $TB" | bc -l | xargs printf '%.0f')
RM=$(echo "$ROWS / $TM" | bc -l | xargs printf '%.0f')
RATIO=$(echo "$TM / $TB" | bc -l | xargs printf '%.2f')

echo "==> callgrind (instructions per row)"
valgrind --tool=callgrind --callgrind-out-file=build/bench/callgrind.out "$B" dump "$FILE" \
    >/dev/null 2>build/bench/callgrind.log
IR=$(grep -E 'Collected' build/bench/callgrind.log | sed -E 's/.*Collected : ([0-9]+).*/\1/')
IPR=$(echo "$IR / $ROWS" | bc -l | xargs printf '%.0f')

CPU=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
MV=$(mariadb-binlog --version | head -1)
echo
echo "binlogd dump:    median ${TB}s  ${RB} rows/s"
echo "mariadb-binlog:  median ${TM}s  ${RM} rows/s"
echo "ratio (mariadb-binlog time / binlogd time): ${RATIO}x"
echo "instructions per row (callgrind): ${IPR}"

. tests/bench/section.sh
section "Decode" <<EOT
\`sh tests/bench/decode.sh $ROWS $ROUNDS\` (\`make bench\` runs it with 1000000 rows, 5 rounds), $(date -u +%Y-%m-%d): $ROWS row changes of the
account-flow table (BIGINT UNSIGNED id, merchant and counterparty ids, two DECIMAL(20,2),
CHAR(3), ENUM, VARCHAR(64) utf8mb4 with Chinese text, DATETIME(3), TIMESTAMP(6), JSON) in
transactions of 1,000 rows, written by MariaDB with binlog_row_metadata=FULL: one binlog
file of $SIZE bytes. Each tool decodes it to /dev/null, pinned to one core, $ROUNDS
alternating rounds; medians.

| tool | median time | rows/s |
|---|---|---|
| binlogd dump | ${TB} s | ${RB} |
| mariadb-binlog --verbose --base64-output=DECODE-ROWS | ${TM} s | ${RM} |

binlogd is **${RATIO}x** mariadb-binlog. Instructions per row (callgrind, whole run
including start-up): **${IPR}**.

Machine: ${CPU}, $(nproc) cores; $(gcc --version | head -1); ${MV}.
Targets (issue 2): at least 3,000,000 rows/s on one core and at least 2x mariadb-binlog.

EOT
echo "==> wrote docs/performance.md"
