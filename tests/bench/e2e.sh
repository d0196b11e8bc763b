#!/bin/sh
# End-to-end benchmark: `binlogd run` catching up the 1,000,000-row backlog of
# tests/bench/decode.sh from the local MariaDB into a local Kafka broker
# (acks=all, idempotence on, lz4), timed from start to the checkpoint
# reaching the backlog's end (every message acknowledged).  Peer, same run,
# same broker and producer settings: `binlogd dump FILE | kcat -P` into one
# topic (a pipe with no per-table topics, keys or checkpoint).  Then the
# peak RSS of the daemon through one 2,000,000-row transaction.  Writes the
# section "End to end" of docs/performance.md.
#
#   tests/bench/e2e.sh [ROUNDS]        (run tests/bench/decode.sh first)
#   BINLOGD=PATH tests/bench/e2e.sh ...   another binary (catchup.sh)
set -eu
cd "$(dirname "$0")/../.."
BENCH=e2e
SID=5150
. tests/bench/catchup.sh

peer() { # ROUND
    t0=$(now)
    "$B" dump "$FILE" | kcat -b 127.0.0.1:$KPORT -P -t "peer$1" -X acks=all -X enable.idempotence=true \
        -X compression.type=lz4 -X linger.ms=5
    t1=$(now)
    echo "$t1 - $t0" | bc -l
}

: >"$W/t_run"
: >"$W/t_peer"
r=1
while [ $r -le "$ROUNDS" ]; do
    catch_up $r >>"$W/t_run"
    peer $r >>"$W/t_peer"
    r=$((r + 1))
done
# the last round's topic holds every row of the backlog, once (the
# daemon may have gone on into later binlogs, e.g. an earlier run's big
# transaction, before it was stopped: other topics)
kcat -b 127.0.0.1:$KPORT -C -t "e2e$ROUNDS.binlogd.split_account_flow" -e -q -f '%s\n' 2>/dev/null |
    sed 's/.*"source":{[^}]*"file":"\([^"]*\)","pos":\([0-9]*\),.*"row":\([0-9]*\),.*/\1 \2 \3/' >"$W/positions"
got=$(sort -u "$W/positions" | wc -l)
all=$(wc -l <"$W/positions")
[ "$got" -eq "$ROWS" ] && [ "$all" -eq "$ROWS" ] ||
    { echo "round $ROUNDS published $all messages, $got distinct row changes; want $ROWS" >&2; exit 1; }

TR=$(median <"$W/t_run" | xargs printf '%.2f')
TP=$(median <"$W/t_peer" | xargs printf '%.2f')
RR=$(echo "$ROWS / $TR" | bc -l | xargs printf '%.0f')
RP=$(echo "$ROWS / $TP" | bc -l | xargs printf '%.0f')
RATIO=$(echo "$TP / $TR" | bc -l | xargs printf '%.2f')
echo "binlogd run catch-up: ${TR}s (${RR} rows/s); dump | kcat: ${TP}s (${RP} rows/s); binlogd/peer speed = ${RATIO}"

# peak RSS through one 2,000,000-row transaction
sh $DB sql "$DIR" binlogd -e "CREATE TABLE IF NOT EXISTS big_txn (id INT PRIMARY KEY, pad VARCHAR(40)); TRUNCATE big_txn"
HEAD=$(sh $DB sql "$DIR" -N -B binlogd -e "SHOW MASTER STATUS" | awk '{print $1 ":" $2}')
st=$W/state-big
conf "$st" big "$HEAD" >"$W/big.conf"
"$B" run -c "$W/big.conf" 2>"$W/big.log" &
DPID=$!
sleep 1
sh $DB sql "$DIR" binlogd -e "INSERT INTO big_txn SELECT seq, CONCAT('row ', seq) FROM seq_1_to_2000000"
AFTER=$(sh $DB sql "$DIR" -N -B binlogd -e "SHOW MASTER STATUS" | awk '{print $2}')
AFILE=$(sh $DB sql "$DIR" -N -B binlogd -e "SHOW MASTER STATUS" | awk '{print $1}')
t0=$(now)
while :; do
    p=$(ckpt_pos "$st")
    [ "${p% *}" = "$AFILE" ] && [ "${p#* }" -ge "$AFTER" ] && break
    kill -0 "$DPID" 2>/dev/null || { cat "$W/big.log" >&2; exit 1; }
    sleep 0.05
done
t1=$(now)
HWM=$(awk '/VmHWM/ {print $2}' /proc/$DPID/status)
kill -TERM "$DPID"
wait "$DPID"
DPID=""
TB=$(echo "$t1 - $t0" | bc -l | xargs printf '%.1f')
HWM_MB=$(echo "$HWM / 1024" | bc -l | xargs printf '%.1f')
echo "2,000,000-row transaction: acknowledged ${TB}s after its commit; daemon peak RSS ${HWM_MB} MB"

. tests/bench/section.sh
section "End to end" <<EOT
\`sh tests/bench/e2e.sh $ROUNDS\` (after \`tests/bench/decode.sh\`), $(date -u +%Y-%m-%d), same 2-core
machine: MariaDB $(mariadbd --version | awk '{print $3}') and Kafka $(ls build/kafka-jars 2>/dev/null | grep -E '^[0-9]' | tail -1) (one broker, 6 partitions)
on 127.0.0.1. \`binlogd run\` catches up the $ROWS-row backlog ($NAME) from the server
into one topic per table, acks=all, idempotent producer, lz4, timed from start to the
checkpoint at the end of the backlog (every message acknowledged); medians of $ROUNDS rounds.
Peer in the same run: \`binlogd dump $NAME | kcat -P\` with the same producer settings into
one topic (no keys, no per-table topics, no checkpoint).

| pipeline | median time | rows/s |
|---|---|---|
| binlogd run (server → Kafka, checkpointed) | ${TR} s | ${RR} |
| binlogd dump FILE \| kcat -P | ${TP} s | ${RP} |

binlogd run / peer speed: **${RATIO}x**. One 2,000,000-row transaction
(\`INSERT ... SELECT\` of 2M rows) streams through with a daemon peak RSS of **${HWM_MB} MB**
(VmHWM), acknowledged ${TB} s after its commit.
EOT
