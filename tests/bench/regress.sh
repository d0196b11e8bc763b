#!/bin/sh
# No-regression benchmark: this tree against a baseline build of an earlier
# commit, on the server settings users run.
#
# Writes two backlogs of the account-flow table (tests/bench/flow.sh) on a
# local MariaDB (127.0.0.1, started here, stopped after): ROWS row changes
# with binlog_row_metadata=FULL, then ROWS with MINIMAL (MySQL 8's
# default: column names, keys and ENUM members are not in the binlog).
# Then, in interleaved rounds, for both binaries:
#   decode    `binlogd dump FILE >/dev/null`, pinned to one core, each file
#   catch-up  `binlogd run` from the file's start into a local Kafka broker
#             (6 partitions, acks=all, idempotence, lz4), timed to the
#             checkpoint at the end of the file (every message
#             acknowledged); on MINIMAL the daemon takes columns, keys and
#             members from information_schema
# and prints min/median/max of each and the ratio of the medians (baseline
# time / this tree's time: 1.00 is the same speed, below 1 slower).  Writes
# the section "No regression: FULL and MINIMAL" of docs/performance.md.
#
#   tests/bench/regress.sh [ROUNDS]    (default 5)
#
# Environment: BENCH_BASE (the baseline commit; default 1ebf72f, the last
# one before the publish stage and the schema source's keys), BENCH_ROWS
# (1000000), BENCH_PORT (13390), BENCH_KAFKA_PORT (13945).  The backlogs are
# kept in build/bench/regress-db and reused while BENCH_ROWS is unchanged.
set -eu
cd "$(dirname "$0")/../.."
ROUNDS=${1:-5}
BASE=${BENCH_BASE:-1ebf72f}
ROWS=${BENCH_ROWS:-1000000}
PORT=${BENCH_PORT:-13390}
KPORT=${BENCH_KAFKA_PORT:-13945}
DIR=build/bench/regress-db
KDIR=build/bench/regress-kafka
W=$(pwd)/build/bench/regress
B=$(pwd)/build/binlogd
OLD=$W/base/build/binlogd
DB=deploy/dev/mariadb.sh
KS=deploy/dev/kafka.sh
. tests/bench/flow.sh
. tests/bench/section.sh
[ -x "$B" ] || make -s all

DPID=""
cleanup() {
    [ -n "$DPID" ] && kill "$DPID" 2>/dev/null
    sh $DB stop "$DIR" >/dev/null 2>&1 || true
    sh $KS stop "$KDIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

echo "==> baseline: binlogd at $BASE"
rm -rf "$W/base"
mkdir -p "$W/base"
git archive "$BASE" | tar -x -C "$W/base"
make -s -C "$W/base" all >/dev/null
BASE_DESC=$(git log -1 --format='%h %cs' "$BASE")
HEAD_DESC="$(git log -1 --format='%h %cs' HEAD)$(git diff --quiet HEAD -- lib daemon include || echo ' + uncommitted changes')"

echo "==> MariaDB on 127.0.0.1:$PORT"
if [ "$(cat "$DIR/backlogs" 2>/dev/null || true)" != "$ROWS" ]; then
    rm -rf "$DIR"
    sh $DB start "$DIR" "$PORT" --max_binlog_size=1G >/dev/null
    SQL() { sh $DB sql "$DIR" binlogd "$@"; }
    echo "==> writing $ROWS rows with binlog_row_metadata=FULL, $ROWS with MINIMAL"
    flow_table | SQL
    {
        echo "SET GLOBAL binlog_row_metadata=FULL; FLUSH BINARY LOGS;"
        flow_rows 0 "$ROWS"
        echo "SET GLOBAL binlog_row_metadata=MINIMAL; FLUSH BINARY LOGS;"
        flow_rows "$ROWS" $((2 * ROWS))
        echo "FLUSH BINARY LOGS;"
    } | SQL
    echo "$ROWS" >"$DIR/backlogs"
else
    sh $DB start "$DIR" "$PORT" >/dev/null
fi
# binlog.000001: the CREATE; 000002: FULL; 000003: MINIMAL
FULL=$(ls "$DIR"/db/binlog.[0-9]* | sort | sed -n 2p)
MIN=$(ls "$DIR"/db/binlog.[0-9]* | sort | sed -n 3p)
for f in "$FULL" "$MIN"; do
    got=$("$B" dump "$f" | wc -l)
    [ "$got" -eq "$ROWS" ] || { echo "$f: $got row changes, expected $ROWS" >&2; exit 1; }
done

now() { date +%s.%N; }
ckpt_pos() { sed -n 's/.*"file":"\([^"]*\)","pos":\([0-9]*\).*/\1 \2/p' "$1/checkpoint.json" 2>/dev/null || true; }
# the end of a file's last transaction (a ROTATE follows it)
end_of() { "$B" dump --events "$1" | grep '"event":"XID"' | tail -n 1 | sed 's/.*"end_pos":\([0-9]*\).*/\1/'; }
END_FULL=$(end_of "$FULL")
END_MIN=$(end_of "$MIN")
export BINLOGD_PASSWORD=replpw

decode() { # BINARY FILE: seconds
    t0=$(now)
    taskset -c 0 "$1" dump "$2" >/dev/null
    t1=$(now)
    echo "$t1 - $t0" | bc -l
}

# one catch-up of FILE (to END) by BINARY, into topics of source NAME:
# the seconds it took, and the daemon's CPU seconds (user + system) then
N=0
TCK=$(getconf CLK_TCK)
catch_up() { # BINARY FILE END NAME: "seconds cpu-seconds"
    N=$((N + 1))
    st=$W/runs/state$N
    name=$(basename "$2")
    cat >"$W/runs/r$N.conf" <<EOF
[source]
host = 127.0.0.1
port = $PORT
user = repl
server_id = $((6100 + N))
name = $4
start = $name:4
[kafka]
bootstrap.servers = 127.0.0.1:$KPORT
[state]
dir = $st
checkpoint_interval = 20ms
[http]
listen =
[daemon]
log_level = warning
EOF
    t0=$(now)
    "$1" run -c "$W/runs/r$N.conf" 2>"$W/runs/r$N.log" &
    DPID=$!
    while :; do
        p=$(ckpt_pos "$st")
        f=${p% *}
        n=${p#* }
        if [ -n "$p" ] && { [ "$f" != "$name" ] || [ "$n" -ge "$3" ]; }; then break; fi
        kill -0 "$DPID" 2>/dev/null || { cat "$W/runs/r$N.log" >&2; exit 1; }
        sleep 0.02
    done
    t1=$(now)
    cpu=$(awk -v t="$TCK" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$DPID/stat")
    kill -TERM "$DPID"
    wait "$DPID" || { cat "$W/runs/r$N.log" >&2; exit 1; }
    DPID=""
    echo "$(echo "$t1 - $t0" | bc -l) $cpu"
}

# the columns of the results: what, binary
for k in dec_full dec_min run_full run_min cpu_full cpu_min; do
    : >"$W/t_old_$k"
    : >"$W/t_new_$k"
done
# Rounds are interleaved, the order alternating from round to round.
# Decoding first, with no broker running (its JVM's background work would
# be measured with it); then the catch-ups.
r=1
while [ "$r" -le "$ROUNDS" ]; do
    echo "==> decode round $r of $ROUNDS"
    if [ $((r % 2)) -eq 1 ]; then set -- old new; else set -- new old; fi
    for who in "$@"; do
        bin=$B
        [ "$who" = old ] && bin=$OLD
        decode "$bin" "$FULL" >>"$W/t_${who}_dec_full"
        decode "$bin" "$MIN" >>"$W/t_${who}_dec_min"
    done
    r=$((r + 1))
done

# Instructions per row (callgrind, the whole run): unlike times, the same
# from one run to the next, whatever else the machine does.
ipr() { # BINARY FILE
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" dump "$2" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | xargs -I{} echo "{} / $ROWS" | bc
}
echo "==> callgrind"
I_OLD_FULL=$(ipr "$OLD" "$FULL")
I_NEW_FULL=$(ipr "$B" "$FULL")
I_OLD_MIN=$(ipr "$OLD" "$MIN")
I_NEW_MIN=$(ipr "$B" "$MIN")

echo "==> Kafka on 127.0.0.1:$KPORT"
rm -rf "$KDIR" "$W/runs"
mkdir -p "$W/runs"
KAFKA_PARTITIONS=6 sh $KS start "$KDIR" "$KPORT" >/dev/null
r=1
while [ "$r" -le "$ROUNDS" ]; do
    echo "==> catch-up round $r of $ROUNDS"
    if [ $((r % 2)) -eq 1 ]; then set -- old new; else set -- new old; fi
    for who in "$@"; do
        bin=$B
        [ "$who" = old ] && bin=$OLD
        catch_up "$bin" "$FULL" "$END_FULL" "f$who$r" >"$W/one"
        cut -d' ' -f1 "$W/one" >>"$W/t_${who}_run_full"
        cut -d' ' -f2 "$W/one" >>"$W/t_${who}_cpu_full"
        catch_up "$bin" "$MIN" "$END_MIN" "m$who$r" >"$W/one"
        cut -d' ' -f1 "$W/one" >>"$W/t_${who}_run_min"
        cut -d' ' -f2 "$W/one" >>"$W/t_${who}_cpu_min"
    done
    r=$((r + 1))
done

# the last round's MINIMAL topic of this tree holds every row once, keyed
# by the primary key
T=m"new"$ROUNDS.binlogd.split_account_flow
kcat -b 127.0.0.1:$KPORT -C -t "$T" -e -q -f '%k\n' 2>/dev/null | sort -u >"$W/keys"
got=$(wc -l <"$W/keys")
bad=$(grep -cv '^{"id":[0-9]*}$' "$W/keys" || true)
[ "$got" -eq "$ROWS" ] && [ "$bad" -eq 0 ] ||
    { echo "$T: $got distinct keys ($bad not {\"id\":N}); want $ROWS" >&2; exit 1; }

stats() { # FILE: min median max
    sort -n "$1" | awk '{a[NR]=$1} END {
        m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        printf "%.3f %.3f %.3f\n", a[1], m, a[NR] }'
}
ROWSF=$(echo "$ROWS" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')
line() { # KEY LABEL
    o=$(stats "$W/t_old_$1")
    n=$(stats "$W/t_new_$1")
    om=$(echo "$o" | cut -d' ' -f2)
    nm=$(echo "$n" | cut -d' ' -f2)
    ratio=$(echo "$om / $nm" | bc -l | xargs printf '%.3f')
    echo "| $2 | $(echo "$o" | sed 's/ / \/ /g') | $(echo "$n" | sed 's/ / \/ /g') | **$ratio** |"
}
iline() { # LABEL OLD NEW
    echo "| $1 | $2 | $3 | **$(echo "$2 / $3" | bc -l | xargs printf '%.3f')** |"
}
TABLE=$(
    iline "decode, FULL: instructions per row (callgrind)" "$I_OLD_FULL" "$I_NEW_FULL"
    iline "decode, MINIMAL: instructions per row (callgrind)" "$I_OLD_MIN" "$I_NEW_MIN"
    line dec_full "decode, FULL (\`dump FILE\`, 1 core)"
    line dec_min "decode, MINIMAL (\`dump FILE\`, 1 core)"
    line run_full "catch-up, FULL (\`run\` into Kafka)"
    line run_min "catch-up, MINIMAL (\`run\`, schema from information_schema)"
    line cpu_full "catch-up, FULL: the daemon's CPU seconds"
    line cpu_min "catch-up, MINIMAL: the daemon's CPU seconds"
)
echo
echo "| measure | baseline s (min / median / max) | this tree s | baseline / this tree |"
echo "$TABLE"

CPU=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
section "No regression: FULL and MINIMAL" <<EOT
\`sh tests/bench/regress.sh $ROUNDS\`, $(date -u +%Y-%m-%d): this tree ($HEAD_DESC) against the
baseline $BASE_DESC (before the publish stage and the schema source's keys), $ROUNDS
interleaved rounds (the order alternating), on two backlogs of $ROWSF row changes of the
account-flow table (tests/bench/flow.sh), one written by MariaDB with
binlog_row_metadata=FULL and one with MINIMAL. Decode: \`binlogd dump FILE >/dev/null\`
pinned to one core (on MINIMAL both print positional columns: no schema source). Catch-up:
\`binlogd run\` from the file's start into a local Kafka broker (6 partitions, acks=all,
idempotent, lz4), timed to the checkpoint at the file's end; on MINIMAL this tree reads
names, keys and ENUM members from information_schema and keys every message by the primary
key (the baseline keyed them by every column). Seconds, min / median / max; and, for
decoding, instructions per row counted by callgrind, which do not vary from run to run as
times do on this shared virtual machine.

| measure | baseline | this tree | baseline / this tree (medians) |
|---|---|---|---|
$TABLE

Targets (issue 14): within 5% of the baseline on FULL, within 10% on MINIMAL (a ratio of
at least 0.95 and 0.90). Machine: ${CPU}, $(nproc) cores, MariaDB and Kafka on the same
host.
EOT
echo "==> wrote docs/performance.md"
