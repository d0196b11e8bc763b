#!/bin/sh
# Steady state against catch-up: what the daemon spends per row while
# changes trickle in, and the wake-ups and system calls behind it.
#
#   tests/bench/steady.sh [ROUNDS] [STEADY_SECONDS]
#       (after `make deps-test all` and `sh tests/bench/decode.sh`; ROUNDS
#       default 3, STEADY_SECONDS default 20; needs perf: apt-get install
#       linux-perf)
#
# 1. Catch-up: the daemon publishes the 1,000,000-row backlog of
#    tests/bench/decode.sh (tests/bench/catchup.sh's config, at least once);
#    its streaming CPU per row is the CPU seconds (user + system) from its
#    first checkpoint (connected, at the start) to the checkpoint at the
#    backlog's end, per row.  ROUNDS rounds.
# 2. Steady state: tests/bench/peers/writer.c commits RATE (2,000)
#    transactions a second (one INSERT of 1-5 rows each) for 5 s of warm-up
#    and STEADY_SECONDS, the daemon following the head with its default
#    settings (checkpoint_interval 1s), in four configurations, ROUNDS
#    interleaved rounds: at least once and exactly once, each with
#    [source] batch_wait = 0 (a wake-up for every transaction, as before
#    2026-12-08) and the default 1ms.  Over the writing window: system calls
#    (perf stat, tracepoint raw_syscalls:sys_enter) and context switches per
#    transaction, for the whole process and per thread, and the daemon's
#    CPU seconds per million rows; the commit-to-visible latency from a
#    live kcat consumer (read_committed for exactly once), p50/p99
#    (tests/bench/peers/latency.c) over the rows after the warm-up.
# Writes the section "Steady state: wake-ups and system calls" of
# docs/performance.md.  Ports: BENCH_PORT, BENCH_KAFKA_PORT as the other
# end-to-end benchmarks; STEADY_RATE (2000).
set -eu
cd "$(dirname "$0")/../.."
STEADY=${2:-20}
WARMUP=5
RATE=${STEADY_RATE:-2000}
BENCH=steady
SID=5195
command -v perf >/dev/null || { echo "steady.sh needs perf (apt-get install linux-perf)" >&2; exit 1; }
perf stat -e raw_syscalls:sys_enter true >/dev/null 2>&1 ||
    { echo "perf cannot count the raw_syscalls tracepoint here (root, or kernel.perf_event_paranoid <= -1)" >&2; exit 1; }
set -- "${1:-3}"
. tests/bench/catchup.sh
SQL() { sh $DB sql "$DIR" binlogd "$@"; }
mkdir -p build/bench
cc -std=c11 -O2 -Wall -Wextra -o build/bench/peers-writer tests/bench/peers/writer.c $(pkg-config --cflags --libs libmariadb)
cc -std=c11 -O2 -Wall -Wextra -o build/bench/peers-latency tests/bench/peers/latency.c
HZ=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# min median max of the numbers on stdin
stats() { sort -n | awk '{a[NR]=$1} END {printf "%s %s %s", a[1], (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2, a[NR]}'; }
fmt3() { awk '{printf "%.2f / **%.2f** / %.2f", $1, $2, $3}'; }

# --- 1. catch-up ---------------------------------------------------------------
: >"$W/catchup"
r=1
while [ $r -le "$ROUNDS" ]; do
    st=$W/cstate$r
    conf "$st" "${BENCH}c$r" "$NAME:4" >"$W/c$r.conf"
    "$B" run -c "$W/c$r.conf" 2>"$W/c$r.log" &
    DPID=$!
    c0=""
    while :; do
        p=$(ckpt_pos "$st")
        [ -z "$c0" ] && [ -n "$p" ] && c0=$(cpu_ticks "$DPID") && t0=$(now)
        f=${p% *}
        n=${p#* }
        if [ -n "$p" ] && { [ "$f" != "$NAME" ] || [ "$n" -ge "$END" ]; }; then break; fi
        kill -0 "$DPID" 2>/dev/null || { cat "$W/c$r.log" >&2; exit 1; }
        sleep 0.02
    done
    c1=$(cpu_ticks "$DPID")
    t1=$(now)
    kill -TERM "$DPID"
    wait "$DPID" || { cat "$W/c$r.log" >&2; exit 1; }
    DPID=""
    echo "($c1 - $c0) / $HZ * 1000000 / $ROWS" | bc -l | xargs printf '%.3f\n' >>"$W/catchup"
    echo "    catch-up round $r: $(tail -n 1 "$W/catchup") CPU s per M rows, streaming $(echo "$t1 - $t0" | bc -l | xargs printf '%.2f') s" >&2
    r=$((r + 1))
done
set -- $(stats <"$W/catchup")
CU_MIN=$1 CU_MED=$2 CU_MAX=$3

# --- 2. steady state -----------------------------------------------------------
LIVE=split_account_flow_steady
SQL -e "CREATE TABLE IF NOT EXISTS $LIVE LIKE split_account_flow"
EOS_LINES="exactly_once = true
state_topic = steady.state"

# steady CONFIG ROUND: CONFIG is MODE-BATCHWAIT[-LINGER], MODE alo|eos,
# BATCHWAIT [source] batch_wait in ms, LINGER librdkafka's linger.ms
# (default: librdkafka's, 5)
steady() {
    cfg=$1 rnd=$2 tag=$1-$2
    m=$(echo "$cfg" | cut -d- -f1) bw=$(echo "$cfg" | cut -d- -f2) lg=$(echo "$cfg" | cut -s -d- -f3)
    name=s$(echo "$tag" | tr -d -)
    head=$(SQL -N -B -e "SHOW MASTER STATUS" | awk '{print $1 ":" $2}')
    if [ "$m" = eos ]; then extra=$EOS_LINES; iso=read_committed; else extra=""; iso=read_uncommitted; fi
    [ -z "$lg" ] || extra="$extra
linger.ms = $lg"
    # the defaults users run with: checkpoint_interval 1s, not the 20ms the
    # catch-up's end is timed with
    BENCH_KAFKA_EXTRA=$extra conf "$W/st-$tag" "$name" "$head" |
        sed "s/^checkpoint_interval = .*/checkpoint_interval = 1s/; s/^\[source\]/[source]\nbatch_wait = ${bw}ms/" >"$W/$tag.conf"
    "$B" run -c "$W/$tag.conf" 2>"$W/$tag.log" &
    DPID=$!
    topic=$name.binlogd.$LIVE
    follow_head "$LIVE" "$topic" $iso "$W/$tag.log"
    live_latency "$topic" $iso $(($(date +%s%N) / 1000 + WARMUP * 1000000)) "$W/lat.$tag"
    sleep 2
    # the counters cover the writing window (they stop a second short of it)
    perf stat --per-thread -x, -e raw_syscalls:sys_enter,context-switches -p "$DPID" \
        -- sleep $((WARMUP + STEADY - 1)) 2>"$W/perf.$tag" &
    PP=$!
    c0=$(cpu_ticks "$DPID")
    for t in /proc/$DPID/task/*; do echo "$(cat "$t/comm") $(awk '{print $14 + $15}' "$t/stat")"; done >"$W/th0.$tag"
    w=$(build/bench/peers-writer 127.0.0.1 "$PORT" root "" binlogd "$LIVE" "$RATE" $((WARMUP + STEADY)) "$NEXT_ID")
    c1=$(cpu_ticks "$DPID")
    for t in /proc/$DPID/task/*; do echo "$(cat "$t/comm") $(awk '{print $14 + $15}' "$t/stat")"; done >"$W/th1.$tag"
    wait "$PP" || true
    sleep 3
    live_latency_end
    kill -TERM "$DPID"
    wait "$DPID" || { cat "$W/$tag.log" >&2; exit 1; }
    DPID=""
    set -- $w
    txns=$1 rows=$2 late=$5
    # perf: THREAD-TID,COUNT,,EVENT,...  -> per thread name
    awk -F, -v n="$txns" '
        { t = $1; sub(/-[0-9]+$/, "", t); v = ($2 ~ /^[0-9]+$/) ? $2 : 0 }
        $4 ~ /raw_syscalls/ { s[t] += v; S += v }
        $4 ~ /context-switches/ { c[t] += v; C += v }
        END { printf "ALL %.2f %.2f\n", S / n, C / n
              for (t in s) if (s[t] || c[t]) printf "%s %.2f %.2f\n", t, s[t] / n, c[t] / n }' \
        "$W/perf.$tag" >"$W/sys.$tag"
    # CPU s per M rows, per thread name
    awk -v hz="$HZ" -v rows="$rows" 'NR == FNR { a[$1] += $2; next } { b[$1] += $2 }
        END { for (t in b) if (b[t] - a[t] > 0) printf "%s %.2f\n", t, (b[t] - a[t]) / hz * 1000000 / rows }' \
        "$W/th0.$tag" "$W/th1.$tag" >"$W/thcpu.$tag"
    read -r _ sc cs <"$W/sys.$tag"
    read -r _ p50 p99 _ <"$W/lat.$tag"
    cpu=$(echo "($c1 - $c0) / $HZ * 1000000 / $rows" | bc -l | xargs printf '%.2f')
    # CONFIG ROUND syscalls/txn ctxsw/txn cpu p50 p99 late txns rows
    echo "$cfg $rnd $sc $cs $cpu $p50 $p99 $late $txns $rows" >>"$W/steady"
    echo "    steady $tag: $sc syscalls and $cs context switches a transaction, $cpu CPU s per M rows, p50 $p50 ms, p99 $p99 ms ($late writes late >1 ms)" >&2
}
: >"$W/steady"
CONFIGS=${STEADY_CONFIGS:-alo-0 alo-1 eos-0 eos-1}
r=1
while [ $r -le "$ROUNDS" ]; do
    # rotate the order each round
    set -- $CONFIGS
    k=1
    while [ $k -lt "$r" ]; do x=$1; shift; set -- "$@" "$x"; k=$((k + 1)); done
    for c in "$@"; do steady "$c" "$r"; done
    r=$((r + 1))
done

# --- results -----------------------------------------------------------------
col() { awk -v c="$1" -v k="$2" '$1 == c {print $k}' "$W/steady" | stats; }
label() {
    lm=$(echo "$1" | cut -d- -f1) lb=$(echo "$1" | cut -d- -f2) ll=$(echo "$1" | cut -s -d- -f3)
    if [ "$lm" = eos ]; then printf 'exactly once'; else printf 'at least once'; fi
    if [ "$lb" = 0 ]; then printf ', batch_wait = 0'; else printf ', batch_wait = %sms' "$lb"; fi
    [ "$lb" = 1 ] && printf ' (default)'
    [ -z "$ll" ] || printf ', linger.ms = %s' "$ll"
    echo
}
TAB=$(
    echo '| configuration | syscalls a transaction | context switches a transaction | CPU s per M rows | × catch-up | p50 ms | p99 ms |'
    echo '|---|---|---|---|---|---|---|'
    for c in $CONFIGS; do
        set -- $(col "$c" 5)
        x=$(echo "$2 / $CU_MED" | bc -l | xargs printf '%.1f')
        echo "| $(label "$c") | $(col "$c" 3 | fmt3) | $(col "$c" 4 | fmt3) | $(col "$c" 5 | fmt3) | ${x}x | $(col "$c" 6 | fmt3) | $(col "$c" 7 | fmt3) |"
    done
)
# per thread, the round with the median CPU of each configuration
THR=$(
    echo '| configuration | thread | syscalls a transaction | context switches a transaction | CPU s per M rows |'
    echo '|---|---|---|---|---|'
    for c in $CONFIGS; do
        med=$(col "$c" 5 | cut -d' ' -f2)
        rr=$(awk -v c="$c" -v m="$med" '$1 == c {d = $5 - m; if (d < 0) d = -d; if (best == "" || d < bd) {best = $2; bd = d}} END {print best}' "$W/steady")
        awk 'NR == FNR { cpu[$1] = $2; next } $1 != "ALL" && ($2 + $3 + cpu[$1]) > 0.02 { printf "%s %s %s %s\n", $1, $2, $3, ($1 in cpu) ? cpu[$1] : "0.00" }' \
            "$W/thcpu.$c-$rr" "$W/sys.$c-$rr" | sort -k4 -rn |
            awk -v l="$(label "$c")" '{printf "| %s | %s | %s | %s | %s |\n", l, $1, $2, $3, $4}'
    done
)
read -r _ _ _ _ _ _ _ _ TX RW <"$W/steady"
echo
echo "catch-up streaming CPU s per M rows: $CU_MIN / $CU_MED / $CU_MAX"
echo "$TAB"
echo
echo "$THR"

REV=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- lib daemon include Makefile || echo "+changes")
. tests/bench/section.sh
section "Steady state: wake-ups and system calls" <<EOT
\`sh tests/bench/steady.sh $ROUNDS $STEADY\` (after \`sh tests/bench/decode.sh\`), $(date -u +%Y-%m-%d), binlogd $REV, on
$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores, shared by the daemon, MariaDB
$(mariadbd --version | awk '{print $3}'), one Kafka broker (6 partitions a topic), the load writer and the latency
consumer; librdkafka $(pkg-config --modversion rdkafka).

Catch-up of the 1,000,000-row backlog (at least once, streaming: from the first checkpoint
to the last, start-up left out): **$CU_MED** CPU s per million rows (min $CU_MIN, max $CU_MAX; $ROUNDS rounds).

Steady state: $RATE transactions a second (one INSERT of 1-5 rows each, about $TX transactions
and $RW rows in a window) for ${WARMUP} s of warm-up and ${STEADY} s measured, the daemon following the
head with its defaults (checkpoint_interval 1s; \`[source] batch_wait\` as named), $ROUNDS
interleaved rounds of the configurations, min / **median** / max. System calls
(tracepoint raw_syscalls:sys_enter) and context switches are the daemon's, every thread, over
the writing window, per transaction written; CPU is the daemon's user + system seconds
over the window per million rows; "× catch-up" is the median against the catch-up's median;
latency is from the row's NOW(6) to a live kcat consumer (read_committed for exactly once).

$TAB

Per thread, in each configuration's round with the median CPU (bd-reader: the source's
socket; bd-data: decode, publish, produce, exactly once's commits; binlogd: the loop, with
delivery reports and the checkpoint; rdk:*: librdkafka's):

$THR
EOT
echo "==> wrote docs/performance.md" >&2
