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
# [columns]), read when conf runs.
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

