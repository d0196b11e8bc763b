#!/bin/sh
# Before and after a change: the decode, end-to-end and replay benchmarks
# of this tree against a build of an earlier commit, in one run, on the
# same inputs, the two binaries taking turns.
#
#   tests/bench/before_after.sh REV [ROUNDS]      (ROUNDS: default 5, at least 5)
#
# Builds REV in a git worktree under build/bench/ (`make BUILD=build all`
# there; a worktree already at REV is reused) and this tree (`make BUILD=build
# all`), then measures the old and the new binary interleaved, ROUNDS rounds
# each (the order alternating from round to round: old new, new old, ...):
#   decode    `binlogd dump FILE >/dev/null` of the 1,000,000-row backlog of
#             tests/bench/decode.sh (binlog.000002 of build/bench/decode-db,
#             written here as decode.sh writes it when it is missing),
#             pinned to core 0 as decode.sh does, with no server running:
#             wall time and CPU time user + sys (perf stat, or GNU time)
#   e2e       `binlogd run` catching up the same backlog from the local
#             MariaDB into a local Kafka broker (6 partitions, acks=all,
#             idempotence, lz4), the servers, config and end detection of
#             tests/bench/catchup.sh (as e2e.sh): timed from the start to the
#             checkpoint at the backlog's end; a fresh state directory and
#             fresh topics every run; also the daemon's CPU (/proc) then
#   replay    `binlogd replay --from FILE:4 --to FILE:END --topic-suffix
#             .replay` of the same range into the same broker (as replay.sh):
#             timed until it exits with every message acknowledged; fresh
#             topics every run; also its CPU
# After one uncounted warm-up catch-up and replay of each binary (a new
# broker's first runs are slower), the e2e and replay runs of a round go
# one after the other.  The last round's catch-up topic of each binary is
# read back: every row of the backlog, once.
#
# Prints old and new min / median / max of each, the ratio new / old of the
# medians (above 1: the new binary is slower), whether that is within 3%,
# and the median of the rounds' own ratios; and writes the section
# "Before and after a change" of docs/performance.md (replacing it when
# it exists).  MariaDB and Kafka listen on 127.0.0.1 only and are stopped
# on exit.
#
# Environment: BENCH_PORT (MariaDB, 13380), BENCH_KAFKA_PORT (13940), as the
# other benchmarks of the backlog; BENCH_PARTS (default "decode e2e replay"):
# the parts to measure, e.g. BENCH_PARTS=replay to run one part again (the
# section of docs/performance.md is written only when all three run);
# BENCH_NEW: a commit to take as the new side instead of this tree (built
# in a worktree build/bench/after-COMMIT as REV is: a fixed binary while
# the tree changes).
set -eu
cd "$(dirname "$0")/../.."
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 REV [ROUNDS]" >&2; exit 2; }
REV=$1
ROUNDS=${2:-5}
case $ROUNDS in '' | *[!0-9]*) echo "ROUNDS: a number" >&2; exit 2 ;; esac
[ "$ROUNDS" -ge 5 ] || { echo "ROUNDS: at least 5" >&2; exit 2; }
PARTS=${BENCH_PARTS:-decode e2e replay}
for p in $PARTS; do
    case $p in decode | e2e | replay) ;; *) echo "BENCH_PARTS: decode, e2e, replay" >&2; exit 2 ;; esac
done
has() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
ROWS=1000000
BENCH=before-after
SID=5170
DB=deploy/dev/mariadb.sh
DIR=build/bench/decode-db
PORT=${BENCH_PORT:-13380}
T0=$(date +%s)
. tests/bench/flow.sh
. tests/bench/section.sh

# the two binaries: REV built in a worktree of its own under build/bench/
# (one already at REV is reused), and this tree (or BENCH_NEW's worktree)
worktree_build() { # COMMIT DIR
    if [ "$(git -C "$2" rev-parse HEAD 2>/dev/null || true)" != "$1" ]; then
        echo "==> worktree $2 at $(git rev-parse --short "$1")"
        git worktree remove --force "$2" 2>/dev/null || rm -rf "$2"
        git worktree prune
        git worktree add --detach "$2" "$1" >/dev/null
    fi
    make -s -C "$2" BUILD=build all >/dev/null
}
OLDC=$(git rev-parse --verify "$REV^{commit}")
OLDS=$(git rev-parse --short "$OLDC")
WT=build/bench/before-$OLDS
echo "==> building $OLDS in $WT"
worktree_build "$OLDC" "$WT"
OLD=$(pwd)/$WT/build/binlogd
DIRTY=""
if [ -n "${BENCH_NEW:-}" ]; then
    NEWC=$(git rev-parse --verify "$BENCH_NEW^{commit}")
    NEWS=$(git rev-parse --short "$NEWC")
    echo "==> building $NEWS in build/bench/after-$NEWS"
    worktree_build "$NEWC" "build/bench/after-$NEWS"
    NEW=$(pwd)/build/bench/after-$NEWS/build/binlogd
    CMD="BENCH_NEW=$BENCH_NEW "
else
    NEWC=$(git rev-parse HEAD)
    NEWS=$(git rev-parse --short HEAD)
    git diff --quiet HEAD -- lib daemon include Makefile || DIRTY=" + uncommitted changes"
    echo "==> building this tree ($NEWS$DIRTY)"
    make -s BUILD=build all >/dev/null
    NEW=$(pwd)/build/binlogd
    CMD=""
fi

# the backlog of decode.sh: reused when it is there, written as decode.sh
# writes it when not
dbstop() { sh $DB stop "$DIR" >/dev/null 2>&1 || true; }
trap dbstop EXIT INT TERM
FILE=$(ls "$DIR"/db/binlog.[0-9]* 2>/dev/null | sort | sed -n 2p)
if [ -z "$FILE" ] || ! grep -q 'binlog_row_metadata=FULL' "$DIR/my.cnf" 2>/dev/null ||
    [ "$("$NEW" dump "$FILE" | wc -l)" -ne "$ROWS" ]; then
    echo "==> writing the backlog of tests/bench/decode.sh: $ROWS rows of pay.split_account_flow"
    rm -rf "$DIR"
    sh $DB start "$DIR" "$PORT" --binlog_row_metadata=FULL --max_binlog_size=1G >/dev/null
    {
        flow_table
        echo "FLUSH BINARY LOGS;"
        flow_rows 0 "$ROWS"
    } | sh $DB sql "$DIR" binlogd
    sh $DB sql "$DIR" binlogd -e "FLUSH BINARY LOGS"
    dbstop
    FILE=$(ls "$DIR"/db/binlog.[0-9]* | sort | sed -n 2p)
fi
dbstop
SIZE=$(wc -c <"$FILE")
for b in "$OLD" "$NEW"; do
    got=$("$b" dump "$FILE" | wc -l)
    [ "$got" -eq "$ROWS" ] || { echo "$b: $got row changes in $FILE, expected $ROWS" >&2; exit 1; }
done
echo "==> $FILE: $SIZE bytes, $ROWS row changes"

R=$(pwd)/build/bench/before-after-results
rm -rf "$R"
mkdir -p "$R"
for k in dec dec_cpu e2e e2e_cpu rp rp_cpu; do
    : >"$R/old_$k"
    : >"$R/new_$k"
done
now() { date +%s.%N; }

# CMD...: run it; OUT gets "wall-seconds cpu-seconds" of it (CPU: user + sys
# of every thread)
if command -v perf >/dev/null 2>&1 && perf stat -e task-clock -o /dev/null true 2>/dev/null; then
    CPUBY="perf stat (the kernel's rusage)"
    cpu_run() { # OUT CMD...
        _o=$1
        shift
        perf stat -e task-clock -o "$_o.perf" -- "$@"
        awk '/seconds time elapsed/ {e = $1} /seconds user/ {u = $1} /seconds sys/ {s = $1}
            END {printf "%.3f %.3f\n", e, u + s}' "$_o.perf" >"$_o"
    }
else
    CPUBY="GNU time (10 ms resolution)"
    cpu_run() { # OUT CMD...
        _o=$1
        shift
        /usr/bin/time -f '%e %U %S' -o "$_o.time" "$@"
        awk '{printf "%.3f %.3f\n", $1, $2 + $3}' "$_o.time" >"$_o"
    }
fi

order() { # ROUND: the binaries' order in it
    if [ $(($1 % 2)) -eq 1 ]; then echo "old new"; else echo "new old"; fi
}
bin_of() { if [ "$1" = old ]; then echo "$OLD"; else echo "$NEW"; fi; }

# decode, pinned to core 0 as decode.sh does, with no server running
r=1
while has decode && [ "$r" -le "$ROUNDS" ]; do
    echo "==> decode round $r of $ROUNDS"
    for who in $(order $r); do
        cpu_run "$R/one" taskset -c 0 "$(bin_of $who)" dump "$FILE" >/dev/null
        cut -d" " -f1 "$R/one" >>"$R/${who}_dec"
        cut -d" " -f2 "$R/one" >>"$R/${who}_dec_cpu"
    done
    r=$((r + 1))
done

if has e2e || has replay; then
    # the servers, config and end detection of the end-to-end benchmarks
    set -- "$ROUNDS"
    B=$NEW
    . tests/bench/catchup.sh
    TCK=$(getconf CLK_TCK)

    # as catch_up of catchup.sh, with the daemon's CPU seconds read from /proc
    # just before it is stopped: "seconds cpu-seconds"
    run_once() { # WHO TAG
        st=$W/state-$2
        conf "$st" "ba$2" "$NAME:4" >"$W/r-$2.conf"
        t0=$(now)
        "$(bin_of "$1")" run -c "$W/r-$2.conf" 2>"$W/r-$2.log" &
        DPID=$!
        while :; do
            p=$(ckpt_pos "$st")
            f=${p% *}
            n=${p#* }
            if [ -n "$p" ] && { [ "$f" != "$NAME" ] || [ "$n" -ge "$END" ]; }; then break; fi
            kill -0 "$DPID" 2>/dev/null || { cat "$W/r-$2.log" >&2; exit 1; }
            sleep 0.02
        done
        t1=$(now)
        cpu=$(awk -v t="$TCK" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$DPID/stat")
        kill -TERM "$DPID"
        wait "$DPID" || { cat "$W/r-$2.log" >&2; exit 1; }
        DPID=""
        echo "$(echo "$t1 - $t0" | bc -l) $cpu"
    }

    # as replay of replay.sh: "seconds cpu-seconds"
    replay_once() { # WHO TAG
        conf "$W/unused-$2" "rp$2" head >"$W/p-$2.conf"
        cpu_run "$W/cpu-$2" "$(bin_of "$1")" replay -c "$W/p-$2.conf" --from "$NAME:4" --to "$NAME:$END" \
            --topic-suffix .replay --id "bench$2" 2>"$W/p-$2.log"
        grep -q "acknowledged $ROWS of $ROWS" "$W/p-$2.log" || { cat "$W/p-$2.log" >&2; exit 1; }
        [ ! -e "$W/unused-$2" ] || { echo "replay wrote the state directory" >&2; exit 1; }
        cat "$W/cpu-$2"
    }

    echo "==> warm-up (not counted)"
    for who in old new; do
        if has e2e; then run_once $who "${who}0" >/dev/null; fi
        if has replay; then replay_once $who "${who}0" >/dev/null; fi
    done
    r=1
    while [ "$r" -le "$ROUNDS" ]; do
        echo "==> $(echo $PARTS | sed "s/decode *//") round $r of $ROUNDS"
        for who in $(has e2e && order $r); do
            run_once $who "$who$r" >"$R/one"
            cut -d' ' -f1 "$R/one" >>"$R/${who}_e2e"
            cut -d' ' -f2 "$R/one" >>"$R/${who}_e2e_cpu"
        done
        for who in $(has replay && order $r); do
            replay_once $who "$who$r" >"$R/one"
            cut -d' ' -f1 "$R/one" >>"$R/${who}_rp"
            cut -d' ' -f2 "$R/one" >>"$R/${who}_rp_cpu"
        done
        r=$((r + 1))
    done

    # the last round's catch-up topic of each binary holds every row of the
    # backlog, once (as e2e.sh checks)
    for who in $(has e2e && echo old new); do
        kcat -b 127.0.0.1:$KPORT -C -t "ba$who$ROUNDS.binlogd.split_account_flow" -e -q -f '%s\n' 2>/dev/null |
            sed 's/.*"source":{[^}]*"file":"\([^"]*\)","pos":\([0-9]*\),.*"row":\([0-9]*\),.*/\1 \2 \3/' >"$W/positions"
        got=$(sort -u "$W/positions" | wc -l)
        all=$(wc -l <"$W/positions")
        [ "$got" -eq "$ROWS" ] && [ "$all" -eq "$ROWS" ] ||
            { echo "$who, round $ROUNDS: $all messages, $got distinct row changes; want $ROWS" >&2; exit 1; }
    done
    cleanup
    trap - EXIT INT TERM
fi

stats() { # FILE: min median max
    sort -n "$1" | awk '{a[NR] = $1} END {
        m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        printf "%.3f %.3f %.3f\n", a[1], m, a[NR] }'
}
# one row of the table: measure | old min / median / max | new ... | new / old
# of the medians | within 3% (of the medians) | the median of the rounds'
# own new / old (old and new of a round ran side by side: less of the
# drift from round to round)
line() { # KEY LABEL PART
    has $3 || return 0
    o=$(stats "$R/old_$1")
    n=$(stats "$R/new_$1")
    ratio=$(echo "$o $n" | awk '{printf "%.3f", $5 / $2}')
    ok=$(echo "$ratio" | awk '{print ($1 <= 1.03) ? "yes" : "no"}')
    paired=$(paste "$R/old_$1" "$R/new_$1" | awk '{print $2 / $1}' | sort -n |
        awk '{a[NR] = $1} END {printf "%.3f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')
    echo "| $2 | $(echo "$o" | sed 's/ / \/ /g') | $(echo "$n" | sed 's/ / \/ /g') | **$ratio** | $ok | $paired |"
}
TABLE=$(
    line dec "decode: wall s (\`dump FILE\`, core 0)" decode
    line dec_cpu "decode: CPU s, user + sys" decode
    line e2e "end to end: wall s (\`run\` catch-up to the checkpoint)" e2e
    line e2e_cpu "end to end: the daemon's CPU s" e2e
    line rp "replay: wall s (\`replay\` until it exits)" replay
    line rp_cpu "replay: CPU s" replay
)
HEAD_ROW="| measure | old $OLDS: min / median / max | new $NEWS: min / median / max | new / old (medians) | within 3% | rounds' new / old (median) |"
# replay against the daemon's catch-up, the new binary (speed: catch-up time / replay time)
RVC=-
if has e2e && has replay; then
    RVC=$(printf '%s %s\n' "$(stats "$R/new_e2e")" "$(stats "$R/new_rp")" | awk '{printf "%.2f", $2 / $5}')
fi
ELAPSED=$(($(date +%s) - T0))
echo
echo "$HEAD_ROW"
echo "|---|---|---|---|---|---|"
echo "$TABLE"
echo
[ "$RVC" = - ] || echo "replay / catch-up speed of the new binary (medians): ${RVC}x"
echo "the whole run took ${ELAPSED} s"

{ has decode && has e2e && has replay; } || { echo "(BENCH_PARTS=$PARTS: docs/performance.md left as it was)"; exit 0; }
CPU=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
section "Before and after a change" <<EOT
\`${CMD}sh tests/bench/before_after.sh $REV $ROUNDS\`, $(date -u +%Y-%m-%d): old = $(git log -1 --format='%h %cs' "$OLDC")
(built in a git worktree under build/bench/), new = $(git log -1 --format='%h %cs' "$NEWC")$DIRTY,
both \`make BUILD=build all\` (-O3). Machine: ${CPU}, $(nproc) cores; MariaDB
$(mariadbd --version | awk '{print $3}') and Kafka $(ls build/kafka-jars 2>/dev/null | grep -E '^[0-9]' | tail -1) (one broker, 6 partitions) on 127.0.0.1, the machine otherwise idle.
The two binaries take turns, $ROUNDS rounds each, the order alternating from round to round,
on the same $ROWS-row backlog of tests/bench/decode.sh ($NAME, $SIZE bytes):
- decode: \`binlogd dump $NAME >/dev/null\` pinned to core 0, no server running; wall and CPU
  time (user + sys) by ${CPUBY}.
- end to end: \`binlogd run\` catching up the backlog from the server into Kafka (acks=all,
  idempotent, lz4; the config of tests/bench/catchup.sh), timed from its start to the
  checkpoint at the backlog's end (every message acknowledged); a new state directory and
  new topics each run; the daemon's CPU (user + sys, /proc) at that moment.
- replay: \`binlogd replay --from $NAME:4 --to $NAME:$END --topic-suffix .replay\` of the same
  range into the same broker (two headers a message), timed until it exits with every
  message acknowledged; new topics each run; its CPU (user + sys), both by ${CPUBY}.

One uncounted catch-up and replay of each binary warm the new broker first; the last round's
catch-up topic of each binary was read back (every row once). Seconds, min / median / max;
the ratio is new / old of the medians (above 1: slower); the last column, the median of
the rounds' own ratios (the two runs of a round are side by side, so the drift of this
virtual machine from one round to the next weighs less there).

$HEAD_ROW
|---|---|---|---|---|---|
$TABLE

Target (issue 15): decode, end to end and replay within 3% of the old binary (a ratio of
at most 1.03). Not a target any more, reported: the new binary's replay against its own
catch-up in the same run, **${RVC}x** (catch-up median / replay median). The run took ${ELAPSED} s.
EOT
echo "==> wrote docs/performance.md"
