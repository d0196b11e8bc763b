#!/bin/sh
# Cost of [columns] rules (issue 20): the decode benchmark (`binlogd dump`
# of the 1,000,000-row backlog file of tests/bench/decode.sh to /dev/null,
# pinned to one core; here the file three times in one process, and its
# CPU time, user + system, which the broker and MariaDB idling beside it
# disturb less than wall time) and the end-to-end one (`binlogd run`
# catching the backlog up into a local Kafka broker, timed to the
# checkpoint at its end, as tests/bench/e2e.sh, and the daemon's CPU
# seconds to then), each in three variants measured in the same run, in
# interleaved rounds whose order rotates:
#   none   no rules (the baseline)
#   three  three rules on split_account_flow: memo (VARCHAR utf8mb4 with
#          Chinese text) mask:keep-last-4, amount (DECIMAL(20,2))
#          mask:keep-last-2, ext (JSON) exclude
#   hash   one rule: counterparty_id (BIGINT) hash:k1
# Instructions per row (callgrind, one dump of FILE) of none and three,
# which this virtual machine's noise does not touch (hash is left out:
# valgrind hides the SHA-256 instructions, so OpenSSL would count its
# generic code, not what runs).
# The last round's topics are read back: no three-rule message has "ext" or
# a clear memo, no hash message a clear counterparty_id, and every hash
# message has source.hashed.  Prints min/median/max
# and the ratios of the medians, and writes the section "Sensitive
# columns" of docs/performance.md.
#
#   tests/bench/columns.sh [ROUNDS]      (run tests/bench/decode.sh first)
set -eu
cd "$(dirname "$0")/../.."
BENCH=cols
SID=5160
. tests/bench/catchup.sh

# the key, and the rules of each variant (dump -c reads only these sections)
printf 'bench-key-0123456789abcdef\n' >"$W/k1"
RULES_three="[columns]
binlogd.split_account_flow.memo = mask:keep-last-4
binlogd.split_account_flow.amount = mask:keep-last-2
binlogd.split_account_flow.ext = exclude"
RULES_hash="[columns]
binlogd.split_account_flow.counterparty_id = hash:k1
[hash_key k1]
secret = file:$W/k1"
RULES_none=""
for v in none three hash; do
    eval "printf '%s\n' \"\$RULES_$v\"" >"$W/$v.rules"
done

# user + system seconds of this shell's children so far, from `times`
# (its second line: "XmY.YYs XmY.YYs")
child_cpu() {
    sed -n 2p "$W/times" | awk '{n = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); sub("s", "", a[2]); n += a[1] * 60 + a[2] } printf "%.3f\n", n}'
}
decode() { # VARIANT: CPU seconds of one dump of FILE, three times over
    if [ "$1" = none ]; then set --; else set -- -c "$W/$1.rules"; fi
    times >"$W/times"
    c0=$(child_cpu)
    taskset -c 0 "$B" dump "$@" "$FILE" "$FILE" "$FILE" >/dev/null
    times >"$W/times"
    c1=$(child_cpu)
    echo "($c1 - $c0) / 3" | bc -l
}

e2e() { # VARIANT ROUND: seconds of one catch-up (source name and state colsVARIANTROUND)
    eval "BENCH_CONF_TAIL=\"\$RULES_$1\""
    catch_up "$1$2"
}

# one checked dump of each: every row printed
for v in none three hash; do
    if [ $v = none ]; then n=$("$B" dump "$FILE" | wc -l); else n=$("$B" dump -c "$W/$v.rules" "$FILE" | wc -l); fi
    [ "$n" -eq "$ROWS" ] || { echo "dump ($v) printed $n lines, want $ROWS" >&2; exit 1; }
done

VARIANTS="none three hash"
for v in $VARIANTS; do
    : >"$W/d_$v"
    : >"$W/e_$v"
    : >"$W/c_$v"
done
r=1
while [ $r -le "$ROUNDS" ]; do
    for v in $VARIANTS; do decode $v >>"$W/d_$v"; done
    for v in $VARIANTS; do
        e2e $v $r >>"$W/e_$v"
        cat "$W/cpu$v$r" >>"$W/c_$v"
    done
    # rotate the order: none three hash, three hash none, ...
    # shellcheck disable=SC2086
    set -- $VARIANTS
    VARIANTS="$2 $3 $1"
    r=$((r + 1))
done

# the last round's topics: the rules were applied to every message
T3="colsthree${ROUNDS}.binlogd.split_account_flow"
TH="colshash${ROUNDS}.binlogd.split_account_flow"
kcat -b 127.0.0.1:$KPORT -C -t "$T3" -e -q -f '%s\n' 2>/dev/null >"$W/three.msgs"
kcat -b 127.0.0.1:$KPORT -C -t "$TH" -e -q -f '%s\n' 2>/dev/null >"$W/hash.msgs"
n3=$(wc -l <"$W/three.msgs")
bad3=$(grep -c '"ext":\|"memo":"分账' "$W/three.msgs" || true)
nh=$(wc -l <"$W/hash.msgs")
badh=$(grep -c '"counterparty_id":[0-9]' "$W/hash.msgs" || true)
hashed=$(grep -c '"hashed":{"counterparty_id":"k1"}' "$W/hash.msgs" || true)
[ "$n3" -ge "$ROWS" ] && [ "$bad3" -eq 0 ] && [ "$nh" -ge "$ROWS" ] && [ "$badh" -eq 0 ] &&
    [ "$hashed" -eq "$nh" ] || {
    echo "$T3: $n3 messages, $bad3 with ext or a clear memo; $TH: $nh messages, $badh with a clear counterparty_id, $hashed with source.hashed" >&2
    exit 1
}
echo "==> $T3: $n3 messages, none with ext or a clear memo; $TH: $nh, none with a clear counterparty_id, all with source.hashed"

# instructions per row: deterministic, beside the noisy CPU seconds
ipr() { # VARIANT
    if [ "$1" = none ]; then set --; else set -- -c "$W/$1.rules"; fi
    valgrind --tool=callgrind --callgrind-out-file="$W/cg.out" "$B" dump "$@" "$FILE" \
        >/dev/null 2>"$W/cg.log"
    ir=$(grep -E 'Collected' "$W/cg.log" | sed -E 's/.*Collected : ([0-9]+).*/\1/')
    echo "$ir / $ROWS" | bc -l | xargs printf '%.0f'
}
echo "==> callgrind: instructions per row" >&2
IN=$(ipr none)
I3=$(ipr three)
IP3=$(echo "($I3 / $IN - 1) * 100" | bc -l | xargs printf '%+.1f%%')
echo "instructions per row: no rules $IN, three rules $I3 ($IP3)"

stats() { # FILE: min median max
    sort -n "$1" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f %.3f %.3f", a[1], m, a[NR]}'
}
med() { stats "$1" | cut -d' ' -f2; }
row() { # LABEL FILE BASE_MEDIAN
    # shellcheck disable=SC2046
    set -- "$1" $(stats "$2") "$3"
    ratio=$(echo "$3 / $5" | bc -l | xargs printf '%.3f')
    rate=$(echo "$ROWS / $3" | bc -l | xargs printf '%.0f')
    echo "| $1 | $2 s | $3 s | $4 s | $rate | ${ratio}x |"
}
DN=$(med "$W/d_none")
EN=$(med "$W/e_none")
DEC=$(
    row "no rules" "$W/d_none" "$DN"
    row "three rules" "$W/d_three" "$DN"
    row "hash on one column" "$W/d_hash" "$DN"
)
E2E=$(
    row "no rules" "$W/e_none" "$EN"
    row "three rules" "$W/e_three" "$EN"
    row "hash on one column" "$W/e_hash" "$EN"
)
CN=$(med "$W/c_none")
crow() { # LABEL FILE BASE_MEDIAN: the daemon's CPU seconds
    # shellcheck disable=SC2046
    set -- "$1" $(stats "$2") "$3"
    ratio=$(echo "$3 / $5" | bc -l | xargs printf '%.3f')
    echo "| $1 | $2 s | $3 s | $4 s | ${ratio}x |"
}
CPUT=$(
    crow "no rules" "$W/c_none" "$CN"
    crow "three rules" "$W/c_three" "$CN"
    crow "hash on one column" "$W/c_hash" "$CN"
)
echo "decode (dump FILE > /dev/null, one core):"
echo "$DEC"
echo "end to end (run catch-up into Kafka):"
echo "$E2E"
echo "the daemon's CPU seconds in those catch-ups:"
echo "$CPUT"
pct() { echo "($(med "$1") / $2 - 1) * 100" | bc -l | xargs printf '%+.1f%%'; }
D3=$(pct "$W/d_three" "$DN")
DH=$(pct "$W/d_hash" "$DN")
E3=$(pct "$W/e_three" "$EN")
EH=$(pct "$W/e_hash" "$EN")
C3=$(pct "$W/c_three" "$CN")
CH=$(pct "$W/c_hash" "$CN")
verdict() { # PCT LIMIT
    v=$(echo "$1" | tr -d '%+')
    if [ "$(echo "$v <= $2" | bc -l)" = 1 ]; then echo "met"; else echo "NOT met"; fi
}
echo "three rules: decode $D3, end to end $E3 (CPU $C3); hash on one column: decode $DH, end to end $EH (CPU $CH)"

CPU=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
SHA=none
grep -q -m1 sha_ni /proc/cpuinfo && SHA=SHA-NI
. tests/bench/section.sh
section "Sensitive columns" <<EOT
\`sh tests/bench/columns.sh $ROUNDS\` (after \`tests/bench/decode.sh\`), $(date -u +%Y-%m-%d), on this
machine ($CPU, 2 cores), OpenSSL $(openssl version | cut -d' ' -f2) (SHA-256 instructions: $SHA).
The $ROWS-row account-flow backlog of the Decode section, three variants in the same run,
$ROUNDS interleaved rounds, the order rotated each round: no rules; three rules on
\`split_account_flow\` (\`memo\`, VARCHAR utf8mb4 with Chinese text, \`mask:keep-last-4\`;
\`amount\`, DECIMAL(20,2), \`mask:keep-last-2\`; \`ext\`, JSON, \`exclude\`); one hash rule,
\`counterparty_id\` (BIGINT) \`hash:k1\`. The last round's topics were read back: no
three-rule message carries \`ext\` or a clear \`memo\`, no hash message a clear
\`counterparty_id\`, every one \`source.hashed\`.

Decode: \`binlogd dump [-c RULES] FILE FILE FILE > /dev/null\`, pinned to one core, its CPU
seconds (user + system) per pass over the file:

| variant | min | median | max | rows/s of CPU (median) | CPU / no rules |
|---|---|---|---|---|---|
$DEC

End to end: \`binlogd run\` catching the backlog up into the local broker (acks=all,
idempotent, lz4), from its start to the checkpoint at the backlog's end:

| variant | min | median | max | rows/s (median) | time / no rules |
|---|---|---|---|---|---|
$E2E

The daemon's CPU seconds (user + system) in those catch-ups:

| variant | min | median | max | CPU / no rules |
|---|---|---|---|---|
$CPUT

Instructions per row of the decode (callgrind, one \`dump\` of the file; exact where the CPU
seconds above move with this virtual machine's neighbours): no rules $IN, three rules $I3
($IP3). The hash variant is not counted so: valgrind hides the SHA-256 instructions, and
OpenSSL would run its generic code under it.

Targets (issue 20), medians against no rules: three rules within 5% — decode $D3
($(verdict "$D3" 5); instructions $IP3), end to end $E3 ($(verdict "$E3" 5); the daemon's CPU $C3); hash on one
column within 10% — decode $DH ($(verdict "$DH" 10)), end to end $EH ($(verdict "$EH" 10);
CPU $CH).
EOT
