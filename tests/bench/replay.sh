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
#   BINLOGD=PATH tests/bench/replay.sh ...   another binary (catchup.sh)
set -eu
cd "$(dirname "$0")/../.."
BENCH=replay
SID=5160
. tests/bench/catchup.sh
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

. tests/bench/section.sh
section "Replay" <<EOT
\`sh tests/bench/replay.sh $ROUNDS\` (after \`tests/bench/decode.sh\`), $(date -u +%Y-%m-%d), same 2-core
machine and servers as above. \`binlogd replay -c FILE --from $NAME:4 --to $NAME:$END --topic-suffix .replay\`
re-publishes the $ROWS-row backlog from the live server into Kafka (acks=all, idempotent, lz4,
two headers a message), timed until it exits with every message acknowledged; the peer is the
daemon's own catch-up of the same backlog in the same run. Medians of $ROUNDS rounds.

| pipeline | median time | rows/s |
|---|---|---|
| binlogd replay (server → Kafka) | ${TP} s | ${RP} |
| binlogd run catch-up (server → Kafka, checkpointed) | ${TR} s | ${RR} |

replay / daemon catch-up speed: **${RATIO}x** (reported; no longer a target since issue 15: replay now goes through the daemon's own publish stage and Kafka sink, with two headers a message).
EOT
