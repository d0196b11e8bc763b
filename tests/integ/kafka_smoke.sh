#!/bin/sh
# The real Kafka broker of deploy/dev/kafka.sh: starts it in
# build/integ/kafka_smoke on 127.0.0.1:$KAFKA_SMOKE_PORT (13900), checks that
# it listens on loopback only, produces N messages with kcat (acks=all,
# idempotence), reads them back (same count, same bytes, each partition in
# order), checks start/status/stop and a restart on the same directory,
# and stops it on exit.  Ends with "N passed, N failed".
#
# Environment: KAFKA_SMOKE_PORT (13900), KAFKA_SMOKE_N (messages, 2000),
# and those of deploy/dev/kafka.sh (KAFKA_VERSION, KAFKA_PARTITIONS, ...).
set -eu
cd "$(dirname "$0")/../.."
DIR=build/integ/kafka_smoke
PORT=${KAFKA_SMOKE_PORT:-13900}
N=${KAFKA_SMOKE_N:-2000}
PARTS=${KAFKA_PARTITIONS:-3}
K=deploy/dev/kafka.sh
BS=127.0.0.1:$PORT
TOPIC=smoke
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# alive PID: exists and is not a zombie (init may reap the JVM a bit later)
alive() {
    kill -0 "$1" 2>/dev/null || return 1
    [ "$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null)" != Z ]
}
cleanup() { sh $K stop "$DIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
rm -rf "$DIR"
mkdir -p "$DIR"

if ! sh $K start "$DIR" "$PORT" >"$DIR.log" 2>&1; then
    cat "$DIR.log"
    echo "0 passed, 1 failed"
    exit 1
fi
ok
PID=$(cat "$DIR/kafka.pid")

sh $K status "$DIR" >/dev/null 2>&1 && ok || bad "status does not report the running broker"

# Listening sockets of the broker: its socket inodes matched against
# /proc/net/tcp{,6}.  Expected exactly 127.0.0.1:PORT and 127.0.0.1:PORT+1.
listens() {
    ls -l "/proc/$1/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p' >"$DIR.inodes"
    for f in /proc/net/tcp /proc/net/tcp6; do
        awk 'NR == FNR { ino[$1] = 1; next }
            FNR > 1 && $4 == "0A" && ($10 in ino) {
                split($2, a, ":"); h = a[1]
                if (length(h) == 32 && substr(h, 1, 24) == "0000000000000000FFFF0000")
                    h = substr(h, 25)   # IPv4-mapped IPv6
                if (length(h) == 8)
                    addr = sprintf("%d.%d.%d.%d", hex(substr(h, 7, 2)), hex(substr(h, 5, 2)),
                                   hex(substr(h, 3, 2)), hex(substr(h, 1, 2)))
                else
                    addr = "[" h "]"
                print addr ":" hex(a[2])
            }
            function hex(s,   i, v) {
                v = 0
                for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789ABCDEF", substr(s, i, 1)) - 1
                return v
            }' "$DIR.inodes" "$f"
    done | sort
}
got=$(listens "$PID" | tr '\n' ' ')
want="127.0.0.1:$PORT 127.0.0.1:$((PORT + 1)) "
[ "$got" = "$want" ] && ok || bad "broker listens on '$got', expected '$want'"

# N messages with keys, bytes beyond ASCII and a separator inside the value.
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++)
    printf "k%d:%06d caf\303\251 \342\234\223 a:b,c %d\n", i % 97, i, i * 7919 }' >"$DIR.in"
if kcat -b "$BS" -P -t "$TOPIC" -K: -X acks=all -X enable.idempotence=true \
    -l "$DIR.in" >"$DIR.produce" 2>&1 && ! grep -q -E '^% ERROR|[Dd]elivery failed' "$DIR.produce"; then
    ok
else
    bad "kcat produce: $(head -n 5 "$DIR.produce")"
fi

nparts=$(kcat -b "$BS" -L -t "$TOPIC" 2>/dev/null | sed -n 's/.* with \([0-9]*\) partitions.*/\1/p')
[ "$nparts" = "$PARTS" ] && ok || bad "topic $TOPIC has '$nparts' partitions, expected $PARTS"

# consume PREFIX: every message of the topic as "partition key:value".
consume() {
    kcat -b "$BS" -C -t "$TOPIC" -o beginning -e -q -f '%p %k:%s\n' >"$DIR.$1" 2>"$DIR.$1.err" ||
        echo "kcat consume exit $?" >>"$DIR.$1.err"
}
consume out
cnt=$(wc -l <"$DIR.out")
[ "$cnt" -eq "$N" ] && ok || bad "consumed $cnt messages, produced $N: $(head -n 3 "$DIR.out.err")"
cut -d ' ' -f 2- "$DIR.out" | sort >"$DIR.got"
sort "$DIR.in" >"$DIR.want"
cmp -s "$DIR.got" "$DIR.want" && ok || bad "consumed messages differ from the produced ones: $(diff "$DIR.want" "$DIR.got" | head -n 4 | tr '\n' ' ')"
# Within a partition the sequence numbers (2nd field) must increase.
awk '{ split($2, kv, ":"); s = kv[2] + 0
       if (($1 in last) && s <= last[$1]) { print "partition " $1 ": " s " after " last[$1]; exit 1 }
       last[$1] = s }' "$DIR.out" >"$DIR.order" && ok || bad "order not kept: $(cat "$DIR.order")"
used=$(cut -d ' ' -f 1 "$DIR.out" | sort -u | wc -l)
[ "$used" -eq "$PARTS" ] && ok || bad "messages landed in $used partitions, expected $PARTS"

# start again with the same arguments: says so, keeps the broker
out=$(sh $K start "$DIR" "$PORT" 2>&1) && [ "$(cat "$DIR/kafka.pid")" = "$PID" ] &&
    echo "$out" | grep -q "already running" && ok || bad "second start: $out"
out=$(sh $K start "$DIR" "$((PORT + 10))" 2>&1) && bad "start on another port while running: $out" || ok

out=$(sh $K stop "$DIR" 2>&1) && ! alive "$PID" && ok || bad "stop: $out"
sh $K status "$DIR" >/dev/null 2>&1 && bad "status after stop exits 0" || ok
out=$(sh $K stop "$DIR" 2>&1) && ok || bad "second stop: $out"

# A restart on the same directory keeps the topic and its messages.
if out=$(sh $K start "$DIR" "$PORT" 2>&1); then
    ok
    consume again
    cut -d ' ' -f 2- "$DIR.again" | sort | cmp -s - "$DIR.want" && ok ||
        bad "after a restart: $(wc -l <"$DIR.again") messages, expected the $N produced"
else
    bad "restart: $out"
fi
out=$(sh $K stop "$DIR" 2>&1) && ok || bad "final stop: $out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
