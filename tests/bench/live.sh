#!/bin/sh
# Live drain benchmark: `binlogd dump --host` draining the 1,000,000-row
# backlog of tests/bench/decode.sh from the local MariaDB, against
# `binlogd dump FILE` on the same binlog file, alternating rounds, medians.
# Writes the section "Live drain" of docs/performance.md.
#
#   tests/bench/live.sh [ROUNDS]      (run tests/bench/decode.sh first)
set -eu
cd "$(dirname "$0")/../.."
ROUNDS=${1:-5}
B=build/binlogd
DIR=build/bench/decode-db
PORT=${BENCH_PORT:-13380}
DB=deploy/dev/mariadb.sh
[ -d "$DIR/db" ] || { echo "no backlog in $DIR: run tests/bench/decode.sh first" >&2; exit 1; }
[ -x "$B" ] || make -s all
cleanup() { sh $DB stop "$DIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM
sh $DB start "$DIR" "$PORT" --binlog_row_metadata=FULL --max_binlog_size=1G >/dev/null
FILE=$(ls "$DIR"/db/binlog.[0-9]* | sort | sed -n 2p)
NAME=$(basename "$FILE")
ROWS=$("$B" dump "$FILE" | wc -l)
export BINLOGD_PASSWORD=replpw
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
: >build/bench/t_live
: >build/bench/t_file
LIVE="$B dump --host 127.0.0.1 --port $PORT --user repl --server-id 4711 --from $NAME:4"
# the live drain must give the same rows as the file before it is timed
got=$($LIVE | wc -l)
[ "$got" -ge "$ROWS" ] || { echo "live drain gave $got rows, want $ROWS" >&2; exit 1; }
r=0
while [ $r -lt "$ROUNDS" ]; do
    t0=$(now); $LIVE >/dev/null; t1=$(now)
    echo "$t1 - $t0" | bc -l >>build/bench/t_live
    t0=$(now); "$B" dump "$FILE" >/dev/null; t1=$(now)
    echo "$t1 - $t0" | bc -l >>build/bench/t_file
    r=$((r + 1))
done
TL=$(median <build/bench/t_live | xargs printf '%.3f')
TF=$(median <build/bench/t_file | xargs printf '%.3f')
RL=$(echo "$ROWS / $TL" | bc -l | xargs printf '%.0f')
RATIO=$(echo "$TL / $TF" | bc -l | xargs printf '%.2f')
echo "live drain: ${TL}s (${RL} rows/s); file decode: ${TF}s; live/file = ${RATIO}"
. tests/bench/section.sh
section "Live drain" <<EOT
\`sh tests/bench/live.sh $ROUNDS\` (after \`tests/bench/decode.sh\`), $(date -u +%Y-%m-%d): the same
$ROWS-row backlog read from the local MariaDB (127.0.0.1, same 2 cores) by
\`binlogd dump --host ... --from $NAME:4\` (stops at the head), against \`binlogd dump $NAME\`
on the file, both to /dev/null (after one checked run of each), $ROUNDS alternating
rounds, medians.

| source | median time | rows/s |
|---|---|---|
| live server | ${TL} s | ${RL} |
| local file | ${TF} s | $(echo "$ROWS / $TF" | bc -l | xargs printf '%.0f') |

Live drain takes **${RATIO}x** the file decode time (issue 3 target: within 1.20x).
EOT
