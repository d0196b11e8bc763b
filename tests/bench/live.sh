#!/bin/sh
# Live drain benchmark: `binlogd dump --host` draining the binlog of
# tests/bench/decode.sh's MariaDB from the 1,000,000-row backlog
# (binlog.000002) to the head, against `binlogd dump FILE...` on the same
# binlog files, alternating rounds, medians.  The other benchmarks share
# that server and some write to it (peers.sh's steady state): the live
# drain reads what they wrote too, so the file side decodes the same files.
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
# binlog.000002 (the backlog) and every file after it, to the head
FILES=$(ls "$DIR"/db/binlog.[0-9]* | sort | sed -n '2,$p')
NAME=$(basename "$(echo "$FILES" | head -n 1)")
LAST=$(basename "$(echo "$FILES" | tail -n 1)")
NF=$(echo "$FILES" | wc -l)
# shellcheck disable=SC2086
ROWS=$("$B" dump $FILES | wc -l)
export BINLOGD_PASSWORD=replpw
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
: >build/bench/t_live
: >build/bench/t_file
LIVE="$B dump --host 127.0.0.1 --port $PORT --user repl --server-id 4711 --from $NAME:4"
# the live drain must give the same rows as the file before it is timed
got=$($LIVE | wc -l)
[ "$got" -eq "$ROWS" ] || { echo "live drain gave $got rows, the files $ROWS" >&2; exit 1; }
r=0
while [ $r -lt "$ROUNDS" ]; do
    t0=$(now); $LIVE >/dev/null; t1=$(now)
    echo "$t1 - $t0" | bc -l >>build/bench/t_live
    # shellcheck disable=SC2086
    t0=$(now); "$B" dump $FILES >/dev/null; t1=$(now)
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
\`sh tests/bench/live.sh $ROUNDS\` (after \`tests/bench/decode.sh\`), $(date -u +%Y-%m-%d): the
binlog from the 1,000,000-row backlog to the head ($NAME .. $LAST, $NF files, $ROWS row
changes: the backlog and what the other benchmarks wrote since) read from the local MariaDB
(127.0.0.1, same 2 cores) by \`binlogd dump --host ... --from $NAME:4\` (stops at the head),
against \`binlogd dump FILE...\` on the same files, both to /dev/null (after one checked run
of each), $ROUNDS alternating rounds, medians.

| source | median time | rows/s |
|---|---|---|
| live server | ${TL} s | ${RL} |
| local file | ${TF} s | $(echo "$ROWS / $TF" | bc -l | xargs printf '%.0f') |

Live drain takes **${RATIO}x** the file decode time (issue 3 target: within 1.20x).
EOT
