#!/bin/sh
# lib/sink/kafka_admin.c against the real broker of deploy/dev/kafka.sh, started
# in build/integ/kafka_admin on 127.0.0.1:$KAFKA_ADMIN_PORT (13960) and
# stopped on exit.  kcat produces $KAFKA_ADMIN_N JSON messages with keys
# and a source.ts_us each to a topic of 3 partitions (auto-created) and a
# few to a second topic, then consumes part of the first in a consumer
# group (auto-commit) and stops.  build/tests/integ_kafka_admin asks the
# questions; the answers must be:
#   - the group's committed offsets: per partition one past the last
#     message kcat consumed, -1 where it consumed none, -1 for every
#     partition of the topic it never read and for a group that never
#     existed; nothing for a topic that does not exist
#   - watermarks: 0 and the number of messages produced to the partition
#   - partitions: 3, and 0 for a missing topic (which the question does not
#     create)
#   - commit time at an offset: that message's ts_us; "none" at the high
#     watermark and beyond
#   - the throwaway group of the commit-time fetch is unknown to the broker
#   - an unreachable bootstrap (127.0.0.1:1) fails every question within
#     its timeout with a message naming it; a bad one is refused at start
# Ends with "N passed, N failed".  Needs `make unit` (the test program;
# KAFKA_ADMIN_PROG names another build of it, e.g. build/asan/tests/...).
set -eu
cd "$(dirname "$0")/../.."
. tests/lib.sh
DIR=build/integ/kafka_admin
PORT=${KAFKA_ADMIN_PORT:-13960}
N=${KAFKA_ADMIN_N:-60}
CONSUME=$((N / 3))
K=deploy/dev/kafka.sh
BS=127.0.0.1:$PORT
X=${KAFKA_ADMIN_PROG:-build/tests/integ_kafka_admin}
TA=admin.a
TB=admin.b
GROUP=admin-g1
T0=$(date +%s)

cleanup() { sh $K stop "$DIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ ! -x "$X" ]; then
    echo "FAIL: $X is missing (run make unit)"
    echo "0 passed, 1 failed"
    exit 1
fi
rm -rf "$DIR"
mkdir -p "$DIR"
if ! KAFKA_PARTITIONS=3 sh $K start "$DIR" "$PORT" >"$DIR.log" 2>&1; then
    cat "$DIR.log"
    echo "0 passed, 1 failed"
    exit 1
fi
ok

# ask WHAT ARGS...: run the test program against $SERVERS (the broker) with
# a timeout of $TMO ms; its stdout in $DIR/out, the time the call took in
# $ELAPSED, its exit status in $RC
SERVERS=$BS
TMO=10000
ask() {
    RC=0
    TIMEOUT_MS=$TMO "$X" "$SERVERS" "$@" >"$DIR/out" 2>"$DIR/err" || RC=$?
    ELAPSED=$(sed -n 's/^elapsed //p' "$DIR/err")
}

# ---- produce: key {"id":i} (as the daemon's keys: JSON, so a tab and not
# ":" separates it from the value), ts_us 1732700000000000 + i*1000
TAB=$(printf '\t')
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++)
    printf "{\"id\":%d}\t{\"op\":\"c\",\"db\":\"d\",\"table\":\"a\",\"after\":{\"id\":%d},\"source\":{\"server_id\":1,\"ts_us\":%d,\"row\":0}}\n",
        i, i, 1732700000000000 + i * 1000 }' >"$DIR/a.in"
printf '{"id":1}\t{"op":"c","source":{"ts_us":1}}\n{"id":2}\t{"op":"c","source":{"ts_us":2}}\n' >"$DIR/b.in"
for t in "$TA:a" "$TB:b"; do
    if kcat -b "$BS" -P -t "${t%%:*}" -K "$TAB" -X acks=all -l "$DIR/${t#*:}.in" >"$DIR/produce" 2>&1 &&
        ! grep -q -E '^% ERROR|[Dd]elivery failed' "$DIR/produce"; then
        ok
    else
        bad "kcat produce to ${t%%:*}: $(head -n 3 "$DIR/produce")"
    fi
done

# every message of $TA as "PARTITION OFFSET TS_US"
kcat -b "$BS" -C -t "$TA" -o beginning -e -q -f '%p %o %s\n' 2>"$DIR/all.err" |
    sed -n 's/^\([0-9]*\) \([0-9]*\) .*"ts_us":\([0-9]*\).*/\1 \2 \3/p' >"$DIR/all"
[ "$(wc -l <"$DIR/all")" -eq "$N" ] && ok || bad "read back $(wc -l <"$DIR/all") of $N messages"
count() { awk -v p="$1" '$1 == p { n++ } END { print n + 0 }' "$DIR/all"; }
ts_at() { awk -v p="$1" -v o="$2" '$1 == p && $2 == o { print $3 }' "$DIR/all"; }

# ---- consume part of $TA in a group; auto-commit, and the final commit
# when kcat closes the consumer after $CONSUME messages
timeout 30 kcat -b "$BS" -G "$GROUP" -c "$CONSUME" -q -f '%p %o\n' \
    -X auto.offset.reset=earliest -X enable.auto.commit=true -X auto.commit.interval.ms=100 \
    "$TA" >"$DIR/consumed" 2>"$DIR/consumed.err" || true
[ "$(wc -l <"$DIR/consumed")" -eq "$CONSUME" ] && ok ||
    bad "kcat -G consumed $(wc -l <"$DIR/consumed") messages, expected $CONSUME: $(grep -v CONFWARN "$DIR/consumed.err" | head -n 3)"
# committed = one past the last consumed offset, -1 where none was
committed() { awk -v p="$1" '$1 == p && $2 + 1 > c { c = $2 + 1 } END { print (c ? c : -1) }' "$DIR/consumed"; }

# ---- partitions
ask partitions "$TA"
[ "$RC" -eq 0 ] && [ "$(cat "$DIR/out")" = 3 ] && ok || bad "partitions $TA: $(cat "$DIR/out")"
for i in 1 2; do
    ask partitions admin.missing
    [ "$RC" -eq 0 ] && [ "$(cat "$DIR/out")" = 0 ] && ok || bad "partitions admin.missing ($i): $(cat "$DIR/out")"
done
kcat -b "$BS" -L 2>/dev/null | grep -q '"admin.missing"' && bad "asking created admin.missing" || ok

# ---- watermarks
for p in 0 1 2; do
    ask watermarks "$TA" "$p"
    want="0 $(count "$p")"
    [ "$RC" -eq 0 ] && [ "$(cat "$DIR/out")" = "$want" ] && ok ||
        bad "watermarks $TA [$p]: '$(cat "$DIR/out")', expected '$want'"
done
ask watermarks "$TA" 3
[ "$RC" -eq 1 ] && grep -q "topic $TA partition 3" "$DIR/out" && ok || bad "watermarks of a missing partition: $(cat "$DIR/out")"

# ---- the group's committed offsets
ask offsets "$GROUP" "$TA" "$TB" admin.missing
{
    for p in 0 1 2; do echo "$TA $p $(committed "$p")"; done
    for p in 0 1 2; do echo "$TB $p -1"; done
} >"$DIR/want"
[ "$RC" -eq 0 ] && cmp -s "$DIR/out" "$DIR/want" && ok ||
    bad "offsets of $GROUP: '$(tr '\n' ',' <"$DIR/out")', expected '$(tr '\n' ',' <"$DIR/want")'"
# the test is worth something only if kcat committed somewhere
grep -q -v -- ' -1$' "$DIR/want" && ok || bad "kcat committed nothing"
ask offsets admin-never "$TA"
[ "$RC" -eq 0 ] && [ "$(tr '\n' ' ' <"$DIR/out")" = "$TA 0 -1 $TA 1 -1 $TA 2 -1 " ] && ok ||
    bad "offsets of a group that never existed: $(tr '\n' ',' <"$DIR/out")"
ask offsets "$GROUP" admin.missing
[ "$RC" -eq 0 ] && [ ! -s "$DIR/out" ] && ok || bad "offsets for a missing topic only: $(cat "$DIR/out")"

# ---- commit time
for p in 0 1 2; do
    n=$(count "$p")
    [ "$n" -gt 0 ] || continue
    for o in 0 $((n - 1)) $(($(committed "$p") < 0 ? 0 : $(committed "$p"))); do
        [ "$o" -lt "$n" ] || continue
        ask commit-time "$TA" "$p" "$o"
        want=$(ts_at "$p" "$o")
        [ "$RC" -eq 0 ] && [ "$(cat "$DIR/out")" = "$want" ] && ok ||
            bad "commit-time $TA [$p] @$o: '$(cat "$DIR/out")', expected $want"
    done
    for o in "$n" $((n + 100)); do
        ask commit-time "$TA" "$p" "$o"
        [ "$RC" -eq 0 ] && [ "$(cat "$DIR/out")" = none ] && ok ||
            bad "commit-time $TA [$p] @$o (high watermark $n): '$(cat "$DIR/out")', expected none"
    done
done
# the never-consumed topic, and a partition the broker does not have
ask commit-time "$TB" 0 0
p0b=$(kcat -b "$BS" -C -t "$TB" -p 0 -o 0 -c 1 -e -q -f '%s' 2>/dev/null | sed -n 's/.*"ts_us":\([0-9]*\).*/\1/p')
[ "$RC" -eq 0 ] && [ "$(cat "$DIR/out")" = "${p0b:-none}" ] && ok || bad "commit-time $TB [0] @0: '$(cat "$DIR/out")', expected ${p0b:-none}"
TMO=3000
ask commit-time "$TA" 7 0
TMO=10000
[ "$RC" -eq 1 ] && grep -q "topic $TA partition 7 offset 0" "$DIR/out" && ok || bad "commit-time on a missing partition: $(cat "$DIR/out")"

# ---- no group left behind by the commit-time fetch
ask groups
[ "$RC" -eq 0 ] && grep -qx "$GROUP" "$DIR/out" && ! grep -q binlogd-admin "$DIR/out" && ok ||
    bad "groups known to the broker: $(tr '\n' ' ' <"$DIR/out")"

# ---- an unreachable bootstrap fails within the timeout, naming it
SERVERS=127.0.0.1:1
TMO=2000
for q in "partitions $TA" "watermarks $TA 0" "offsets $GROUP $TA" "commit-time $TA 0 0"; do
    # shellcheck disable=SC2086 # q holds the words of the question
    ask $q
    [ "$RC" -eq 1 ] && grep -q '^error: kafka 127\.0\.0\.1:1: ' "$DIR/out" && [ "${ELAPSED:-99999}" -le 2500 ] && ok ||
        bad "$q on 127.0.0.1:1: exit $RC after ${ELAPSED:-?} ms (timeout 2000): $(cat "$DIR/out")"
done
SERVERS=127.0.0.1:99999
ask partitions "$TA"
[ "$RC" -eq 1 ] && grep -q '^error: kafka.bootstrap.servers=127.0.0.1:99999: bad port' "$DIR/out" && ok ||
    bad "bad bootstrap port: $(cat "$DIR/out")"

echo "($(($(date +%s) - T0)) s)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
