#!/bin/sh
# Replay benchmark: `binlogd replay` re-publishes the 1,000,000-row backlog
# of tests/bench/decode.sh (binlog.000002) from the local MariaDB into a
# local Kafka broker (topics with a suffix, acks=all, idempotence, lz4),
# timed until every message is acknowledged (the command exits).  Peer in
# the same run: the daemon's own catch-up of the same backlog (`binlogd
# run`, timed to the checkpoint at the backlog's end), the rate the issue
# asks replay to reach.  Writes the section "Replay" of docs/performance.md.
#
#   tests/bench/replay.sh [ROUNDS]      (run tests/bench/decode.sh first)
set -eu
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
B=$(pwd)/build/binlogd
DIR=build/bench/decode-db
PORT=${BENCH_PORT:-13380}
KPORT=${BENCH_KAFKA_PORT:-13940}
KDIR=build/bench/replay-kafka
W=$(pwd)/build/bench/replay
DB=deploy/dev/mariadb.sh
KS=deploy/dev/kafka.sh
[ -d "$DIR/db" ] || { echo "no backlog in $DIR: run tests/bench/decode.sh first" >&2; exit 1; }
[ -x "$B" ] || make -s all
DPID=""
cleanup() {
    [ -n "$DPID" ] && kill "$DPID" 2>/dev/null
    sh $DB stop "$DIR" >/dev/null 2>&1 || true
    sh $KS stop "$KDIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM
rm -rf "$W" "$KDIR"
mkdir -p "$W"
sh $DB start "$DIR" "$PORT" --binlog_row_metadata=FULL --max_binlog_size=1G >/dev/null
KAFKA_PARTITIONS=6 sh $KS start "$KDIR" "$KPORT" >/dev/null
FILE=$(ls "$DIR"/db/binlog.[0-9]* | sort | sed -n 2p)
NAME=$(basename "$FILE")
END=$("$B" dump --events "$FILE" | grep '"event":"XID"' | tail -n 1 | sed 's/.*"end_pos":\([0-9]*\).*/\1/')
ROWS=$("$B" dump "$FILE" | wc -l)
export BINLOGD_PASSWORD=replpw
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ckpt_pos() { sed -n 's/.*"file":"\([^"]*\)","pos":\([0-9]*\).*/\1 \2/p' "$1/checkpoint.json" 2>/dev/null || true; }
conf() { # STATE_DIR SOURCE_NAME START
    cat <<EOC
[source]
host = 127.0.0.1
port = $PORT
user = repl
server_id = 5160
name = $2
start = $3
[kafka]
bootstrap.servers = 127.0.0.1:$KPORT
[state]
dir = $1
checkpoint_interval = 20ms
[daemon]
log_level = warning
EOC
}
catch_up() { # ROUND
    st=$W/state$1
    conf "$st" "run$1" "$NAME:4" >"$W/r$1.conf"
    t0=$(now)
    "$B" run -c "$W/r$1.conf" 2>"$W/r$1.log" &
    DPID=$!
    while :; do
        p=$(ckpt_pos "$st")
        if [ -n "$p" ] && { [ "${p% *}" != "$NAME" ] || [ "${p#* }" -ge "$END" ]; }; then break; fi
        kill -0 "$DPID" 2>/dev/null || { cat "$W/r$1.log" >&2; exit 1; }
        sleep 0.02
    done
    t1=$(now)
    kill -TERM "$DPID"
    wait "$DPID"
    DPID=""
    echo "$t1 - $t0" | bc -l
}
replay() { # ROUND
    conf "$W/unused$1" "rp$1" head >"$W/p$1.conf"
    t0=$(now)
    "$B" replay -c "$W/p$1.conf" --from "$NAME:4" --to "$NAME:$END" --topic-suffix .replay \
        --id "bench$1" 2>"$W/p$1.log"
    t1=$(now)
    grep -q "acknowledged $ROWS of $ROWS" "$W/p$1.log" || { cat "$W/p$1.log" >&2; exit 1; }
    [ ! -e "$W/unused$1" ] || { echo "replay wrote the state directory" >&2; exit 1; }
    echo "$t1 - $t0" | bc -l
}
: >"$W/t_run"
: >"$W/t_replay"
r=1
while [ $r -le "$ROUNDS" ]; do
    catch_up $r >>"$W/t_run"
    replay $r >>"$W/t_replay"
    r=$((r + 1))
done
TR=$(median <"$W/t_run" | xargs printf '%.2f')
TP=$(median <"$W/t_replay" | xargs printf '%.2f')
RR=$(echo "$ROWS / $TR" | bc -l | xargs printf '%.0f')
RP=$(echo "$ROWS / $TP" | bc -l | xargs printf '%.0f')
RATIO=$(echo "$TR / $TP" | bc -l | xargs printf '%.2f')
echo "replay: ${TP}s (${RP} rows/s); daemon catch-up: ${TR}s (${RR} rows/s); replay/daemon speed = ${RATIO}"

OUT=docs/performance.md
awk '/^## Replay/{skip=1; next} /^## /{skip=0} !skip' $OUT >$OUT.tmp
sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' $OUT.tmp
cat >>$OUT.tmp <<EOT

## Replay

\`sh tests/bench/replay.sh $ROUNDS\` (after \`tests/bench/decode.sh\`), $(date -u +%Y-%m-%d), same 2-core
machine and servers as above. \`binlogd replay --from $NAME:4 --to $NAME:$END --topic-suffix .replay\`
re-publishes the $ROWS-row backlog from the live server into Kafka (acks=all, idempotent, lz4,
two headers a message), timed until it exits with every message acknowledged; the peer is the
daemon's own catch-up of the same backlog in the same run. Medians of $ROUNDS rounds.

| pipeline | median time | rows/s |
|---|---|---|
| binlogd replay (server → Kafka) | ${TP} s | ${RP} |
| binlogd run catch-up (server → Kafka, checkpointed) | ${TR} s | ${RR} |

replay / daemon catch-up speed: **${RATIO}x** (issue 6 target: at least 1.0x).
EOT
mv $OUT.tmp $OUT
