# tests/bench/catchup.sh - sourced by the end-to-end benchmarks (e2e.sh,
# replay.sh), not run: starts the 1,000,000-row backlog's MariaDB of
# tests/bench/decode.sh and a Kafka broker (6 partitions) for build/bench/$BENCH,
# stops them on exit, and defines conf STATE SOURCE START (a daemon config),
# ckpt_pos, median, now and catch_up ROUND (the daemon's catch-up of the
# backlog, timed to its checkpoint at the end, in seconds; its start-up,
# to the first checkpoint, goes to W/startupROUND, and the CPU seconds it
# used to then, user + system, to W/cpuROUND).
# Wants BENCH (a name) and SID (the daemon's server id) set; BENCH_KAFKA_OPTS
# (name=value ...) adds broker options (e.g. a topic default).
# BINLOGD: the binary to run (default build/binlogd of this tree); BENCH_DB:
# the backlog's server directory (default build/bench/decode-db).
# BENCH_KAFKA_EXTRA: lines added to the [kafka] section of conf (e.g.
# "exactly_once = true"); BENCH_CONF_TAIL: sections added at its end (e.g.
# [columns]), read when conf runs.  Also follow_head and live_latency (the
# steady-state benchmarks: eos.sh, steady.sh).
ROUNDS=${1:-3}
B=${BINLOGD:-$(pwd)/build/binlogd}
DIR=${BENCH_DB:-build/bench/decode-db}
PORT=${BENCH_PORT:-13380}
KPORT=${BENCH_KAFKA_PORT:-13940}
KDIR=build/bench/$BENCH-kafka
W=$(pwd)/build/bench/$BENCH
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
# shellcheck disable=SC2086
KAFKA_PARTITIONS=6 sh $KS start "$KDIR" "$KPORT" ${BENCH_KAFKA_OPTS:-} >/dev/null
FILE=$(ls "$DIR"/db/binlog.[0-9]* | sort | sed -n 2p)
NAME=$(basename "$FILE")
# the end of the backlog's last transaction (a ROTATE follows it)
END=$("$B" dump --events "$FILE" | grep '"event":"XID"' | tail -n 1 | sed 's/.*"end_pos":\([0-9]*\).*/\1/')
ROWS=$("$B" dump "$FILE" | wc -l)
export BINLOGD_PASSWORD=replpw
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ckpt_pos() { sed -n 's/.*"file":"\([^"]*\)","pos":\([0-9]*\).*/\1 \2/p' "$1/checkpoint.json" 2>/dev/null || true; }

conf() { # STATE_DIR SOURCE_NAME START
    cat <<EOF
[source]
host = 127.0.0.1
port = $PORT
user = repl
server_id = $SID
name = $2
start = $3
[kafka]
bootstrap.servers = 127.0.0.1:$KPORT
${BENCH_KAFKA_EXTRA:-}
[state]
dir = $1
checkpoint_interval = 20ms
[daemon]
log_level = warning
${BENCH_CONF_TAIL:-}
EOF
}

# one catch-up: start the daemon, wait until its checkpoint is at the end
# of the backlog file (the next file's start counts too), stop it
catch_up() { # ROUND
    st=$W/state$1
    conf "$st" "$BENCH$1" "$NAME:4" >"$W/r$1.conf"
    t0=$(now)
    "$B" run -c "$W/r$1.conf" 2>"$W/r$1.log" &
    DPID=$!
    ts=""
    while :; do
        p=$(ckpt_pos "$st")
        # the first checkpoint is written at the start position, once
        # connected: the start-up, in W/startupROUND
        [ -z "$ts" ] && [ -n "$p" ] && ts=$(now) && echo "$ts - $t0" | bc -l >"$W/startup$1"
        f=${p% *}
        n=${p#* }
        if [ -n "$p" ] && { [ "$f" != "$NAME" ] || [ "$n" -ge "$END" ]; }; then break; fi
        kill -0 "$DPID" 2>/dev/null || { cat "$W/r$1.log" >&2; exit 1; }
        sleep 0.02
    done
    t1=$(now)
    awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f\n", ($14 + $15) / hz}' "/proc/$DPID/stat" >"$W/cpu$1"
    kill -TERM "$DPID"
    wait "$DPID" || { cat "$W/r$1.log" >&2; exit 1; }
    DPID=""
    echo "$t1 - $t0" | bc -l
}

# follow_head TABLE TOPIC ISOLATION LOG: a probe row a second into TABLE (the
# backlog table's shape; needs SQL) until one is visible in TOPIC: the daemon
# DPID then follows the head.  NEXT_ID: the next free id of TABLE.
follow_head() {
    NEXT_ID=$(sh $DB sql "$DIR" -N -B binlogd -e "SELECT COALESCE(MAX(id), 0) + 1 FROM $1")
    while :; do
        kill -0 "$DPID" 2>/dev/null || { cat "$4" >&2; exit 1; }
        sh $DB sql "$DIR" binlogd -e "INSERT INTO $1 SELECT $NEXT_ID, merchant_id, counterparty_id, amount, fee, currency, status, memo, created_at, NOW(6), ext FROM split_account_flow WHERE id = 1"
        NEXT_ID=$((NEXT_ID + 1))
        sleep 1
        n=$(kcat -b "127.0.0.1:$KPORT" -C -t "$2" -e -q -X isolation.level="$3" -f 'x\n' 2>/dev/null | wc -l)
        [ "$n" -gt 0 ] && break
    done
}

# live_latency TOPIC ISOLATION SINCE_US OUT: a live consumer of TOPIC stamps
# each row when it sees it; build/bench/peers-latency writes the latencies of
# the rows written after SINCE_US to OUT when the consumer stops
# (live_latency_end).  KP, LP: their pids.
live_latency() {
    rm -f "$4.fifo"
    mkfifo "$4.fifo"
    build/bench/peers-latency "$3" <"$4.fifo" >"$4" &
    LP=$!
    kcat -b "127.0.0.1:$KPORT" -C -t "$1" -o end -u -q -X isolation.level="$2" -X fetch.wait.max.ms=5 \
        -f '-\t%s\n' >"$4.fifo" 2>/dev/null &
    KP=$!
}
live_latency_end() {
    kill "$KP" 2>/dev/null || true
    wait "$KP" 2>/dev/null || true
    wait "$LP"
}
