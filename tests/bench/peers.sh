#!/bin/sh
# Peers benchmark: binlogd against Debezium and Maxwell, side by side, on the
# same local MariaDB and the same local Kafka broker (both 127.0.0.1).
#
#   tests/bench/peers.sh [ROUNDS] [STEADY_SECONDS]
#       (after `make deps all` and `sh tests/bench/decode.sh`; ROUNDS
#       default 5, STEADY_SECONDS default 30)
#
# The systems (PEERS_TOOLS, default all but debezium-poll10):
#   binlogd          `build/binlogd run` with the config of
#                    tests/bench/catchup.sh (sourced: its servers, conf,
#                    median, now): idempotent producer, acks=all, lz4
#   debezium         Kafka Connect standalone (org.apache.kafka:
#                    connect-runtime) with io.debezium:
#                    debezium-connector-mariadb, on their defaults (heap
#                    -Xms256M -Xmx2G as connect-standalone.sh)
#   debezium-tuned   the same, tuned: Connect's producer batch.size=524288,
#                    linger.ms=10, enable.idempotence=true,
#                    max.in.flight.requests.per.connection=5; connector
#                    max.batch.size=8192, max.queue.size=32768; heap
#                    -Xms512M -Xmx1G
#   maxwell          com.zendesk:maxwell (1.22.6, 2019: the newest Maven
#                    Central serves) on JDK 17 with a stand-in for
#                    Nashorn's ScriptObjectMirror (see below)
#   binlogd-eos      binlogd with [kafka] exactly_once = true (as
#                    tests/bench/eos.sh; state_topic NAME.state)
#   debezium-eos     debezium-tuned in a Kafka Connect DISTRIBUTED worker
#                    (group, config/offset/status topics of its own, one
#                    replica) with exactly.once.source.support=enabled, the
#                    connector posted over the REST API with
#                    exactly.once.support=required (transaction.boundary
#                    left at its default, poll: one Kafka transaction per
#                    batch the task returns)
#   debezium-poll10  (optional) debezium with poll.interval.ms=10
# The first four (and debezium-poll10) publish at least once, the last two
# exactly once; ratios are only taken between systems of the same mode.
#
# Catch-up: ROUNDS rounds; round r runs every system once, the order
# rotated by one each round.  Each starts from the beginning of the
# 1,000,000-row backlog of tests/bench/decode.sh (binlog.000002; Debezium
# snapshot.mode=never, Maxwell --init_position) into a topic of its own,
# made before the start (6 partitions, each with its leader: a producer
# that creates it on first use can stall, see create_topic in
# peers/lib.sh).  While it runs, the topic's committed end offsets
# (kcat -Q: the last stable offset; without transactions the high
# watermark) and the process's CPU ticks (utime+stime of /proc/PID/stat)
# are sampled about every 50 ms.  Start-up = process start to the first
# sample with a message; streaming = that sample to the first sample at
# the final offsets (the last row committed, acks=all); streaming rate =
# the rows that arrived in between / its length, streaming CPU per row =
# the CPU ticks in between / those rows; total = start to the last row.  Exactly
# once: the markers take offsets too, so the end is the offsets unchanged
# for a second and a read_committed reader seeing every row, and the
# offsets are scaled to rows (x messages / offsets).  Then the process
# stops and EVERY round's topic is read back in full (read_committed): it
# must hold ROWS messages with ROWS distinct keys; bytes per message are
# the uncompressed key + value sizes kcat reports (%K + %S), and the log
# segments' bytes on disk (lz4 batches, headers and markers included) per
# message.
# Steady state: ROUNDS rounds again, interleaved the same way (one run of
# each system a round, order rotated), after the catch-up rounds: each
# system starts at the head (binlogd start = head, Debezium
# snapshot.mode=no_data, Maxwell its current position), probe rows until
# one is published, then tests/bench/peers/writer.c commits PEERS_RATE
# (2,000) transactions a second (one INSERT of 1-5 rows, updated_at =
# NOW(6)) into binlogd.split_account_flow_live for 5 s of warm-up plus
# STEADY_SECONDS; CPU per row = the process's CPU ticks from the writer's
# start to the last row committed / rows written.  Every round's topic must
# hold each written row once (read_committed, ids from the writer's first).
# Latency (tests/bench/peers/latency.c, rows after the warm-up): at least
# once, the message's LogAppendTime (the broker runs with
# log.message.timestamp.type=LogAppendTime) minus the row's updated_at;
# exactly once, the time a live read_committed kcat consumer printed the
# row minus updated_at.  Maxwell drops updated_at's fraction: no latency.
# Tables: min, median and max of every column over the rounds; ratios are
# per round (same round, same machine load), then median (min-max).
# Results go to the section "Peers: Debezium and Maxwell" of
# docs/performance.md.
#
# The backlog must be fresh for binlogd-eos: an exactly-once daemon
# commits at the end of the backlog only when the source is idle there,
# and an earlier run's steady load after it would keep it reading (the
# commit then waits for transaction_max, 1 s).  The script refuses such a
# backlog (run tests/bench/decode.sh again; PEERS_REUSE_BACKLOG=1 runs
# anyway, for trials).
#
# The jars come from Maven Central through mvn the first time
# (tests/bench/peers/*-pom.xml) and are cached in build/peers-jars; later
# runs need no network.  Ports: BENCH_PORT (MariaDB) and BENCH_KAFKA_PORT
# (Kafka, and the next port) as for the other end-to-end benchmarks,
# PEERS_HTTP_PORT (binlogd's /metrics, default 13486) and PEERS_CONNECT_PORT
# (Connect's REST listener, default 13485).  Environment: PEERS_TOOLS
# (default "binlogd debezium debezium-tuned maxwell binlogd-eos
# debezium-eos"), PEERS_STEADY_TOOLS (default PEERS_TOOLS; empty: no
# steady state), PEERS_RATE (2000), PEERS_REUSE_BACKLOG,
# PEERS_DEBEZIUM_ARTIFACT,
# PEERS_DEBEZIUM_VERSION (3.5.0.Final), PEERS_CONNECT_VERSION (4.3.1),
# PEERS_MAXWELL_VERSION (1.22.6), PEERS_JAVA (java on PATH, JDK 17),
# PEERS_STALL (seconds a topic may stand still before the run fails, 120);
# BINLOGD: the binary to measure (default build/binlogd of this tree) and
# PEERS_BINLOGD_REV: what the doc calls it (default this tree's commit,
# "+changes" when lib/, daemon/, include/ or the Makefile differ from it).
# Every server it starts (MariaDB, Kafka, the systems, the consumers) is
# stopped on exit.
#
# PEERS_REPORT_FROM=DIR sh tests/bench/peers.sh: runs nothing, writes the
# section again from a finished run's results in DIR (a copy of
# build/bench/peers, which every run empties at its start; DIR/meta holds
# the run's conditions), e.g. after a change to the report.
#
# Example (the run in docs/performance.md):
#   BENCH_PORT=13480 BENCH_KAFKA_PORT=13990 sh tests/bench/peers.sh 5 30
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
ROUNDS=${1:-5}
STEADY=${2:-30}
WARMUP=5
RATE=${PEERS_RATE:-2000}
TOOLS=${PEERS_TOOLS:-binlogd debezium debezium-tuned maxwell binlogd-eos debezium-eos}
STOOLS=${PEERS_STEADY_TOOLS-$TOOLS}
DBZ_ART=${PEERS_DEBEZIUM_ARTIFACT:-debezium-connector-mariadb}
DBZ_VER=${PEERS_DEBEZIUM_VERSION:-3.5.0.Final}
CONNECT_VER=${PEERS_CONNECT_VERSION:-4.3.1}
MX_VER=${PEERS_MAXWELL_VERSION:-1.22.6}
JAVA=${PEERS_JAVA:-java}
HTTP_PORT=${PEERS_HTTP_PORT:-13486}
CONNECT_PORT=${PEERS_CONNECT_PORT:-13485}
PEERS=tests/bench/peers
JARS=$ROOT/build/peers-jars
TICK=$(getconf CLK_TCK)
LIVE=split_account_flow_live

die() { echo "peers.sh: $*" >&2; exit 1; }
txn() { case $1 in *-eos) echo 1 ;; *) echo 0 ;; esac; }
mode() { case $1 in *-eos) echo "exactly once" ;; *) echo "at least once" ;; esac; }
abbr() {
    case $1 in
    binlogd) echo bd ;; debezium) echo dz ;; debezium-tuned) echo dt ;; maxwell) echo mx ;;
    binlogd-eos) echo be ;; debezium-eos) echo de ;; debezium-poll10) echo dp ;;
    esac
}
label() {
    case $1 in
    binlogd) echo "binlogd" ;;
    binlogd-eos) echo "binlogd, exactly_once = true" ;;
    debezium) echo "Debezium $DBZ_VER, defaults" ;;
    debezium-tuned) echo "Debezium $DBZ_VER, tuned" ;;
    debezium-eos) echo "Debezium $DBZ_VER, tuned, exactly once (Connect distributed)" ;;
    debezium-poll10) echo "Debezium $DBZ_VER, defaults + poll.interval.ms=10" ;;
    maxwell) echo "$MXLABEL, JDK 17 + Nashorn stub" ;;
    esac
}

short() { # the ratio table's names (its mode column says the rest)
    case $1 in
    binlogd | binlogd-eos) echo binlogd ;;
    debezium) echo "Debezium defaults" ;;
    debezium-tuned) echo "Debezium tuned" ;;
    debezium-eos) echo "Debezium tuned, distributed" ;;
    debezium-poll10) echo "Debezium poll.interval.ms=10" ;;
    maxwell) echo "$MXLABEL" ;;
    esac
}

FROM=${PEERS_REPORT_FROM:-}
if [ -n "$FROM" ]; then
    # the section again from a finished run's results
    [ -f "$FROM/meta" ] || die "$FROM/meta: no results of a finished run there (PEERS_REPORT_FROM)"
    W=$(cd "$FROM" && pwd)
    . "$W/meta"
else
# a run: everything down to the "fi" before the results (not indented)
case $ROUNDS in '' | *[!0-9]*) die "ROUNDS must be a number, not '$ROUNDS'" ;; esac
case $STEADY in '' | *[!0-9]*) die "STEADY_SECONDS must be a number, not '$STEADY'" ;; esac
[ "$ROUNDS" -ge 1 ] || die "ROUNDS must be at least 1"
for t in $TOOLS $STOOLS; do
    case $t in
    binlogd | debezium | debezium-tuned | maxwell | binlogd-eos | debezium-eos | debezium-poll10) ;;
    *) die "unknown system '$t' in PEERS_TOOLS/PEERS_STEADY_TOOLS (binlogd debezium debezium-tuned maxwell binlogd-eos debezium-eos debezium-poll10)" ;;
    esac
done
for c in kcat mvn curl bc pkg-config cc "$JAVA"; do
    command -v "$c" >/dev/null || die "needs $c on PATH (make deps)"
done

# --- the peers' jars (before any server starts: a failed fetch leaves
# nothing running) -----------------------------------------------------------

# fetch, create_topic, partitions, offsets, acked, visible, cpu_ticks,
# hwm_kb, stop, follow, start_debezium, start_debezium_eos
. tests/bench/peers/lib.sh

has() { case " $TOOLS $STOOLS " in *" $1 "*) return 0 ;; esac; return 1; }
has_dbz() { has debezium || has debezium-tuned || has debezium-eos || has debezium-poll10; }

DBZ=$JARS/debezium-$DBZ_ART-$DBZ_VER-connect-$CONNECT_VER
MX=$JARS/maxwell-$MX_VER
if has_dbz; then
    fetch "$PEERS/debezium-pom.xml" "$DBZ" -Ddebezium.artifact="$DBZ_ART" \
        -Ddebezium.version="$DBZ_VER" -Dconnect.version="$CONNECT_VER" ||
        die "no jars for Debezium $DBZ_ART $DBZ_VER / Connect $CONNECT_VER (PEERS_DEBEZIUM_VERSION, PEERS_CONNECT_VERSION)"
fi
if has maxwell; then
    fetch "$PEERS/maxwell-pom.xml" "$MX" -Dmaxwell.version="$MX_VER" ||
        die "no jars for Maxwell $MX_VER (PEERS_MAXWELL_VERSION)"
    # Maxwell 1.22 tests every value with `instanceof ScriptObjectMirror`
    # (JavaScript filters, Nashorn), and Nashorn left the JDK in Java 15:
    # on Java 17 the first row throws NoClassDefFoundError.  An empty class
    # of that name makes the test false; nothing else of Nashorn is used
    # without a --javascript filter.
    if [ ! -f "$MX/nashorn-stub.jar" ]; then
        JC=$(command -v javac || ls /usr/lib/jvm/*/bin/javac 2>/dev/null | head -n 1 || true)
        # make deps installs a JRE only: the compiler comes with the JDK
        if [ -z "$JC" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q default-jdk-headless >&2
            JC=$(command -v javac || true)
        fi
        [ -n "$JC" ] || die "no javac (a JDK) to build Maxwell's Nashorn stand-in; PEERS_TOOLS without maxwell"
        rm -rf "$MX/stub" && mkdir -p "$MX/stub/src"
        printf 'package jdk.nashorn.api.scripting;\npublic final class ScriptObjectMirror { private ScriptObjectMirror() {} }\n' \
            >"$MX/stub/src/ScriptObjectMirror.java"
        "$JC" --release 8 -d "$MX/stub/classes" "$MX/stub/src/ScriptObjectMirror.java"
        (cd "$MX/stub/classes" && "$(dirname "$JC")/jar" cf "$MX/nashorn-stub.jar" .)
        rm -rf "$MX/stub"
    fi
fi
mkdir -p build/bench
cc -std=c11 -O2 -Wall -Wextra -o build/bench/peers-writer $PEERS/writer.c $(pkg-config --cflags --libs libmariadb)
cc -std=c11 -O2 -Wall -Wextra -o build/bench/peers-latency $PEERS/latency.c

# --- servers (tests/bench/catchup.sh), one topic default ------------------
BENCH=peers
SID=5170
# every topic stamps its messages with the broker's append time: the
# acknowledgement time of the at-least-once latency figures
BENCH_KAFKA_OPTS=log.message.timestamp.type=LogAppendTime
set -- "$ROUNDS"
. tests/bench/catchup.sh
KB=127.0.0.1:$KPORT
SQL() { sh $DB sql "$DIR" binlogd "$@"; }

RUN=""
WPID=""
KP=""
LP=""
peers_cleanup() {
    for p in $WPID $KP $LP; do kill "$p" 2>/dev/null || true; done
    [ -z "$RUN" ] || stop "$RUN"
    cleanup
}
trap peers_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# an exactly-once catch-up wants nothing much after the backlog (see above)
if has binlogd-eos && [ "${PEERS_REUSE_BACKLOG:-0}" != 1 ]; then
    after=""
    for f in $(ls "$DIR"/db/binlog.[0-9]* | sort); do [ "$f" \> "$FILE" ] && after="$after $f"; done
    # shellcheck disable=SC2086
    n=$(if [ -n "$after" ]; then "$B" dump $after 2>/dev/null | head -n 10001 | wc -l; else echo 0; fi)
    [ "$n" -le 10000 ] ||
        die "$DIR has more than 10,000 row changes after the backlog (an earlier run's steady load): run tests/bench/decode.sh again (or PEERS_REUSE_BACKLOG=1 for a trial: binlogd-eos's catch-up then waits for transaction_max)"
fi

# One account for both peers, with what Debezium's MariaDB connector asks
# for (SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT
# = BINLOG MONITOR) and Maxwell's state databases; not in the binlog.
SQL -e "SET sql_log_bin=0;
CREATE USER IF NOT EXISTS 'peer'@'127.0.0.1' IDENTIFIED BY 'peerpw';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'peer'@'127.0.0.1';
GRANT ALL ON \`maxwell\\_%\`.* TO 'peer'@'127.0.0.1';"

# --- the systems -------------------------------------------------------------

# Debezium's tuned profile (as tests/bench/snapshot.sh's)
TUNED_WORKER="producer.batch.size=524288
producer.linger.ms=10
producer.enable.idempotence=true
producer.max.in.flight.requests.per.connection=5"
TUNED_HEAP="-Xms512M -Xmx1G"
TUNED_PROPS="max.batch.size=8192 max.queue.size=32768"

# binlogd's config: catchup.sh's with the default checkpoint interval (1s:
# catchup.sh's 20 ms times its own end; here the topic's offsets do, and at
# steady state 50 checkpoints a second would be a cost users do not pay),
# /metrics on a port of this benchmark
bconf() { # STATE NAME START
    conf "$@" | sed 's/^checkpoint_interval = .*/checkpoint_interval = 1s/'
    printf '[http]\nlisten = 127.0.0.1:%s\n' "$HTTP_PORT"
}

start_maxwell() { # NAME SERVER_ID TABLE [INIT_POSITION] -> topic NAME
    cat >"$W/$1.properties" <<EOF
host=127.0.0.1
port=$PORT
user=peer
password=peerpw
producer=kafka
kafka.bootstrap.servers=$KB
kafka_topic=$1
kafka.acks=all
kafka.compression.type=lz4
schema_database=maxwell_$1
client_id=$1
replica_server_id=$2
filter=exclude: *.*, include: binlogd.$3
producer_partition_by=primary_key
EOF
    SQL -e "SET sql_log_bin=0; DROP DATABASE IF EXISTS maxwell_$1"
    T0=$(now)
    # --init_position is honoured only on the command line; without it
    # Maxwell starts at the server's current position
    "$JAVA" -Xmx1G -Djava.awt.headless=true -cp "$MX/*" com.zendesk.maxwell.Maxwell \
        --config="$W/$1.properties" ${4:+--init_position="$4"} >"$W/$1.log" 2>&1 &
    RUN=$!
}

# start_sys SYSTEM NAME PHASE (catchup: from the backlog's start into
# NAME's topic of split_account_flow; steady: from the head, LIVE): RUN,
# T0, TOPIC, LOG
SIDN=5200
start_sys() {
    SIDN=$((SIDN + 1))
    if [ "$3" = catchup ]; then tb=split_account_flow dm=never; else tb=$LIVE dm=no_data; fi
    DBZ_WORKER_EXTRA=""
    DBZ_HEAP=""
    TOPIC=$2.binlogd.$tb
    [ "$1" != maxwell ] || TOPIC=$2
    LOG=$W/$2.log
    # the topic exists, every partition with a leader, before the start
    create_topic "$TOPIC"
    case $1 in
    binlogd | binlogd-eos)
        BENCH_KAFKA_EXTRA=""
        [ "$1" = binlogd ] || BENCH_KAFKA_EXTRA="exactly_once = true
state_topic = $2.state"
        if [ "$3" = catchup ]; then st=$NAME:4; else st=head; fi
        rm -rf "${W:?}/$2"
        bconf "$W/$2" "$2" "$st" >"$W/$2.conf"
        BENCH_KAFKA_EXTRA=""
        T0=$(now)
        "$B" run -c "$W/$2.conf" 2>"$LOG" &
        RUN=$!
        ;;
    debezium) start_debezium "$2" $dm $SIDN $tb ;;
    debezium-poll10) start_debezium "$2" $dm $SIDN $tb poll.interval.ms=10 ;;
    debezium-tuned)
        DBZ_WORKER_EXTRA=$TUNED_WORKER DBZ_HEAP=$TUNED_HEAP
        # shellcheck disable=SC2086
        start_debezium "$2" $dm $SIDN $tb $TUNED_PROPS
        ;;
    debezium-eos)
        DBZ_WORKER_EXTRA=$TUNED_WORKER DBZ_HEAP=$TUNED_HEAP
        # shellcheck disable=SC2086
        start_debezium_eos "$2" $dm $SIDN $tb $TUNED_PROPS
        ;;
    maxwell)
        if [ "$3" = catchup ]; then start_maxwell "$2" $SIDN $tb "$NAME:4:0"; else start_maxwell "$2" $SIDN $tb; fi
        ;;
    esac
    DBZ_WORKER_EXTRA=""
    DBZ_HEAP=""
}

after_sys() { # SYSTEM NAME: what a run leaves that is of no further use
    [ "$1" != maxwell ] || SQL -e "SET sql_log_bin=0; DROP DATABASE IF EXISTS maxwell_$2"
}

# disk_bytes TOPIC: the bytes of its log segments (lz4 batches with their
# headers, transaction markers)
disk_bytes() {
    find "$KDIR/data" -path "*/$1-[0-9]*/*.log" -exec stat -c %s {} + | awk '{s += $1} END {print s + 0}'
}

# rotate ROUND WORD...: the words, rotated left by ROUND-1
rotate() {
    k=$1
    shift
    i=1
    while [ $i -lt "$k" ]; do x=$1; shift; set -- "$@" "$x"; i=$((i + 1)); done
    echo "$@"
}

# --- warm-up ----------------------------------------------------------------
# The broker is cold after its start (its JIT; an idempotent producer's
# first InitProducerId answers "coordinator load in progress" for a while),
# and its internal topics (__transaction_state, __consumer_offsets, 50
# partitions each) are made on first use: one untimed pass of the backlog
# through it, one transactional producer (binlogd exactly once at the head)
# and one consumer group first, or the first system of round 1 would pay
# for that.
echo "==> warm-up: the backlog through the broker, a transactional producer, a consumer group" >&2
"$B" dump "$FILE" | kcat -b "$KB" -P -t warmup -X acks=all -X enable.idempotence=true \
    -X compression.type=lz4 -X linger.ms=5
BENCH_KAFKA_EXTRA="exactly_once = true
state_topic = warmup.state"
bconf "$W/warmup" warmup head >"$W/warmup.conf"
BENCH_KAFKA_EXTRA=""
"$B" run -c "$W/warmup.conf" 2>"$W/warmup.log" &
RUN=$!
n=0
until [ "$(partitions __transaction_state)" -gt 0 ]; do
    kill -0 "$RUN" 2>/dev/null || { tail -n 20 "$W/warmup.log" >&2; die "binlogd (exactly once, warm-up) died"; }
    n=$((n + 1))
    [ $n -lt 300 ] || die "no __transaction_state after 60 s of an exactly-once binlogd (log $W/warmup.log)"
    sleep 0.2
done
sleep 2
stop "$RUN"
timeout 8 kcat -b "$KB" -G peers-warmup -q -X auto.offset.reset=latest warmup >/dev/null 2>&1 || true
[ "$(partitions __consumer_offsets)" -gt 0 ] || echo "    (no __consumer_offsets after the warm-up consumer group)" >&2

# --- catch-up rounds --------------------------------------------------------

# catchup SYSTEM ROUND: one catch-up of the backlog, verified; a line of
# W/cu.SYSTEM: round total start-up streaming-s streaming-rows rate
# cpu-total-s cpu-s-per-M-rows(streaming) peak-RSS-MB key+value-bytes/msg
# disk-bytes/msg
catchup() {
    nm=$(abbr "$1")c$2
    start_sys "$1" "$nm" catchup
    res=$(follow "$TOPIC" "$ROWS" "$ROWS" "$(txn "$1")" "$LOG" "$W/$nm.samples")
    stop "$RUN"
    after_sys "$1" "$nm"
    # every row once: read back with read_committed
    v=$(kcat -b "$KB" -C -t "$TOPIC" -e -q -X isolation.level=read_committed -f '%K\t%S\t%k\n' 2>/dev/null |
        awk -F'\t' '{m++; kb += $1; vb += $2; if (!($3 in s)) {s[$3]; d++}} END {print m + 0, d + 0, kb + 0, vb + 0}')
    set -- "$1" "$2" $v
    [ "$3" -eq "$ROWS" ] && [ "$4" -eq "$ROWS" ] ||
        die "$1 catch-up round $2: topic $TOPIC holds $3 messages with $4 distinct keys (read_committed); want $ROWS of each (log $LOG)"
    db=$(disk_bytes "$TOPIC")
    echo "$2 $T0 $res $ROWS $5 $6 $db $TICK" | awk '{
        r = $1; t0 = $2; tf = $3; nf = $4; cf = $5; tl = $6; nl = $7; cl = $8; h = $9
        rows = $10; kb = $11; vb = $12; db = $13; hz = $14
        sr = rows * (nl - nf) / nl
        printf "%d %.3f %.3f %.3f %.0f %.0f %.2f %.2f %.1f %.1f %.1f\n", r, tl - t0, tf - t0, tl - tf, sr,
            sr / (tl - tf), cl / hz, (cl - cf) / hz * 1000000 / sr, h / 1024, (kb + vb) / rows, db / rows }' >>"$W/cu.$1"
    tail -n 1 "$W/cu.$1" | awk -v s="$1" '{
        printf "    %s round %d: total %s s, start-up %s s, streaming %s s at %s rows/s, CPU %s s (%s s per M rows streaming), peak RSS %s MB, %s B/msg (%s on disk)\n",
            s, $1, $2, $3, $4, $6, $7, $8, $9, $10, $11 }' >&2
}

LOAD0=$(cut -d' ' -f1 /proc/loadavg)
echo "==> catch-up of the $ROWS-row backlog ($NAME), $ROUNDS rounds: $TOOLS" >&2
T_START=$(now)
for t in $TOOLS; do : >"$W/cu.$t"; done
r=1
: >"$W/load"
while [ $r -le "$ROUNDS" ]; do
    cut -d' ' -f1 /proc/loadavg >>"$W/load"
    for t in $(rotate $r $TOOLS); do catchup "$t" $r; done
    r=$((r + 1))
done

# --- steady state -----------------------------------------------------------
SQL -e "CREATE TABLE IF NOT EXISTS $LIVE LIKE split_account_flow"

# steady SYSTEM ROUND: follow the head, write for WARMUP+STEADY seconds,
# wait for every row, verify, latency; a line of W/st.SYSTEM: round txns
# rows secs rate late rows-measured p50 p99 p999 max cpu-s-per-M-rows
# peak-RSS-MB
steady() {
    nm=$(abbr "$1")s$2
    x=$(txn "$1")
    start_sys "$1" "$nm" steady
    # Probe rows, one a second, until one is in Kafka (committed): the
    # system then follows the head (a probe written before it took its
    # start position is never published).
    id=$(SQL -N -B -e "SELECT COALESCE(MAX(id), 0) + 1 FROM $LIVE")
    k=0
    while [ "$(acked "$TOPIC")" -eq 0 ]; do
        kill -0 "$RUN" 2>/dev/null || { tail -n 30 "$LOG" >&2; die "$1 died before following the head (log $LOG)"; }
        k=$((k + 1))
        [ $k -le 300 ] || die "$1 published no probe row in 300 s (log $LOG)"
        SQL -e "INSERT INTO $LIVE SELECT $id, merchant_id, counterparty_id, amount, fee, currency, status, memo, created_at, NOW(6), ext FROM split_account_flow WHERE id = 1"
        id=$((id + 1))
        sleep 1
    done
    sleep 1
    boff=$(acked "$TOPIC")
    bvis=$(visible "$TOPIC")
    # the latency counts the rows written after the warm-up (the writer
    # starts at once, or after the live consumer's 2 s)
    since=$(($(date +%s%N) / 1000 + WARMUP * 1000000))
    if [ "$x" = 1 ]; then
        # exactly once: a live read_committed consumer stamps each row when
        # it sees it
        since=$((since + 2000000))
        rm -f "$W/$nm.fifo"
        mkfifo "$W/$nm.fifo"
        build/bench/peers-latency "$since" <"$W/$nm.fifo" >"$W/$nm.lat" &
        LP=$!
        kcat -b "$KB" -C -t "$TOPIC" -o end -u -q -X isolation.level=read_committed -X fetch.wait.max.ms=5 \
            -f '-\t%s\n' >"$W/$nm.fifo" 2>/dev/null &
        KP=$!
        sleep 2
    fi
    c0=$(cpu_ticks "$RUN")
    build/bench/peers-writer 127.0.0.1 "$PORT" root "" binlogd "$LIVE" "$RATE" $((WARMUP + STEADY)) "$id" >"$W/$nm.writer" &
    WPID=$!
    wait "$WPID" || die "the writer failed ($1 round $2)"
    WPID=""
    set -- "$1" "$2" $(cat "$W/$nm.writer")
    # $3 txns $4 rows $5 secs $6 rate $7 late
    res=$(follow "$TOPIC" $((boff + $4)) $((bvis + $4)) "$x" "$LOG" "$W/$nm.samples")
    c1=$(echo "$res" | cut -d' ' -f6)
    h=$(echo "$res" | cut -d' ' -f7)
    if [ "$x" = 1 ]; then
        sleep 1
        kill "$KP" 2>/dev/null || true
        wait "$KP" 2>/dev/null || true
        wait "$LP" || true
        KP="" LP=""
        lat=$(cat "$W/$nm.lat")
        [ -n "$lat" ] || die "$1 steady round $2: the live consumer saw no row after the warm-up"
    fi
    stop "$RUN"
    after_sys "$1" "$nm"
    case $1 in
    maxwell) lat="- - - - -" ;;
    *-eos) ;;
    *) lat=$(kcat -b "$KB" -C -t "$TOPIC" -e -q -f '%T\t%s\n' | build/bench/peers-latency "$since") ;;
    esac
    # every written row once (ids from the writer's first; binlogd and
    # Debezium key {"id":N}, Maxwell {...,"pk.id":N})
    v=$(kcat -b "$KB" -C -t "$TOPIC" -e -q -X isolation.level=read_committed -f '%k\n' 2>/dev/null |
        awk -v f="$id" 'match($0, /id":[ ]*[0-9]+/) {
            k = substr($0, RSTART, RLENGTH); sub(/.*:[ ]*/, "", k)
            if (k + 0 >= f) { m++; if (!(k in s)) {s[k]; d++} } }
            END {print m + 0, d + 0}')
    set -- "$@" $v
    [ "$8" -eq "$4" ] && [ "$9" -eq "$4" ] ||
        die "$1 steady round $2: topic $TOPIC holds $8 messages with $9 distinct keys of the $4 rows written (read_committed); want $4 of each (log $LOG)"
    echo "$2 $3 $4 $5 $6 $7 $lat $(echo "($c1 - $c0) / $TICK * 1000000 / $4" | bc -l | xargs printf '%.2f')" \
        "$(echo "$h / 1024" | bc -l | xargs printf '%.1f')" >>"$W/st.$1"
    echo "    steady $1 round $2: $(tail -n 1 "$W/st.$1") (round txns rows s rate late, rows p50 p99 p99.9 max ms, CPU s per M rows, peak RSS MB)" >&2
}
LOAD1=$(cut -d' ' -f1 /proc/loadavg)
echo "==> steady state: $RATE transactions/s for ${WARMUP}+${STEADY} s, $ROUNDS rounds: $STOOLS" >&2
for t in $STOOLS; do : >"$W/st.$t"; done
r=1
while [ $r -le "$ROUNDS" ]; do
    cut -d' ' -f1 /proc/loadavg >>"$W/load"
    for t in $(rotate $r $STOOLS); do steady "$t" $r; done
    r=$((r + 1))
done
LOAD2=$(cut -d' ' -f1 /proc/loadavg)
T_END=$(now)

# what the report needs of this run, for PEERS_REPORT_FROM
REV=${PEERS_BINLOGD_REV:-$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- lib daemon include Makefile || echo "+changes")}
{
    for v in ROUNDS STEADY WARMUP RATE TOOLS STOOLS DBZ_ART DBZ_VER CONNECT_VER MX_VER ROWS NAME PORT KPORT \
        LOAD0 LOAD1 LOAD2 T_START T_END REV LIVE; do
        eval "printf \"%s='%s'\n\" $v \"\$$v\""
    done
    echo "DATE='$(date -u +%Y-%m-%d)'"
    echo "JV='$("$JAVA" -version 2>&1 | head -n 1 | sed 's/^openjdk version "\([^"]*\)".*/OpenJDK \1/')'"
    echo "CPU='$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')'"
    echo "CORES='$(nproc)'"
    echo "MEM='$(free -g | awk '/^Mem/ {print $2}')'"
    echo "MARIADB='$(mariadbd --version | awk '{print $3}')'"
    echo "KV='${KAFKA_VERSION:-4.3.1}'"
    echo "RDKAFKA='$(pkg-config --modversion rdkafka)'"
} >"$W/meta"
. "$W/meta"
fi # the run
MXLABEL="Maxwell $MX_VER"
[ "$MX_VER" != 1.22.6 ] || MXLABEL="Maxwell 1.22.6 (2019)"

# --- results -----------------------------------------------------------------

# mmm FILE COLUMN FORMAT: "median (min-max)" of a column over the rounds
mmm() {
    awk -v c="$2" '$c != "-" {print $c}' "$1" | sort -g | awk -v f="$3" '{a[NR] = $1} END {
        if (!NR) { print "-"; exit }
        m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        printf f " (" f "-" f ")\n", m, a[1], a[NR] }'
}
med() { # FILE COLUMN: the median alone
    awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}
# pr A B FILE COLUMN HOW: per-round ratios of systems A and B, HOW up
# (A / B) or down (B / A); prints "median (min-max)" and, on its own, the
# median to W/ratio.last
pr() {
    awk -v c="$4" -v how="$5" 'FNR == 1 {f++} f == 1 {a[$1] = $c} f == 2 && ($1 in a) && $c > 0 && a[$1] > 0 {
        print (how == "up") ? a[$1] / $c : $c / a[$1] }' "$W/$3.$1" "$W/$3.$2" | sort -g |
        awk '{a[NR] = $1} END {
            if (!NR) { print "-"; exit }
            m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
            printf "%.2fx (%.2f-%.2f)\n", m, a[1], a[NR] }'
}
# prmed A B FILE COLUMN HOW: the median of the per-round ratios, unrounded
# (%.3f: a goal is judged on this, not on pr's two decimals)
prmed() {
    awk -v c="$4" -v how="$5" 'FNR == 1 {f++} f == 1 {a[$1] = $c} f == 2 && ($1 in a) && $c > 0 && a[$1] > 0 {
        print (how == "up") ? a[$1] / $c : $c / a[$1] }' "$W/$3.$1" "$W/$3.$2" | sort -g |
        awk '{a[NR] = $1} END { if (NR) printf "%.3f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
yn() { if [ "$1" = 1 ]; then echo met; else echo "NOT met"; fi; }
in_tools() { case " $TOOLS " in *" $1 "*) return 0 ;; esac; return 1; }
in_stools() { case " $STOOLS " in *" $1 "*) return 0 ;; esac; return 1; }
ORDER="binlogd debezium debezium-tuned debezium-poll10 maxwell binlogd-eos debezium-eos"

CU=$(
    echo '| system | mode | total | start-up (to the first message) | streaming rows/s | streaming CPU s per M rows | whole-run CPU s | peak RSS MB |'
    echo '|---|---|---|---|---|---|---|---|'
    for t in $ORDER; do
        in_tools $t || continue
        f=$W/cu.$t
        echo "| $(label $t) | $(mode $t) | $(mmm "$f" 2 %.2f) s | $(mmm "$f" 3 %.2f) s | $(mmm "$f" 6 %.0f) |" \
            "$(mmm "$f" 8 %.2f) | $(mmm "$f" 7 %.2f) | $(mmm "$f" 9 %.1f) |"
    done
)
BYTES=$(
    echo '| system | mode | key + value bytes per message (uncompressed) | bytes per message on disk (lz4) |'
    echo '|---|---|---|---|'
    for t in $ORDER; do
        in_tools $t || continue
        echo "| $(label $t) | $(mode $t) | $(med "$W/cu.$t" 10) | $(med "$W/cu.$t" 11) |"
    done
)
ST=$(
    echo '| system | mode | rows written (median) | achieved rate | writes late >1 ms | latency p50 ms | p99 ms | p99.9 ms | max ms | CPU s per M rows | peak RSS MB |'
    echo '|---|---|---|---|---|---|---|---|---|---|---|'
    for t in $ORDER; do
        in_stools $t || continue
        f=$W/st.$t
        echo "| $(label $t) | $(mode $t) | $(med "$f" 3) | $(med "$f" 5)/s | $(mmm "$f" 6 %.0f) |" \
            "$(mmm "$f" 8 %.1f) | $(mmm "$f" 9 %.1f) | $(mmm "$f" 10 %.1f) | $(mmm "$f" 11 %.1f) |" \
            "$(mmm "$f" 12 %.2f) | $(mmm "$f" 13 %.1f) |"
    done
)
# ratios: binlogd against each peer of the same mode, per round
RAT=$(
    echo '| | mode | streaming rate (binlogd faster) | whole-run rate, start-up included (binlogd faster) | streaming CPU per row (binlogd less) | steady-state CPU per row (binlogd less) | catch-up peak RSS (binlogd smaller) |'
    echo '|---|---|---|---|---|---|---|'
    for p in binlogd:debezium-tuned binlogd:debezium binlogd:maxwell binlogd-eos:debezium-eos; do
        a=${p%:*} b=${p#*:}
        cu=0 st=0
        in_tools $a && in_tools $b && cu=1
        in_stools $a && in_stools $b && st=1
        [ $cu = 1 ] || [ $st = 1 ] || continue
        if [ $cu = 1 ]; then
            c1=$(pr $a $b cu 6 up) c2=$(pr $a $b cu 2 down) c3=$(pr $a $b cu 8 down) c5=$(pr $a $b cu 9 down)
        else c1=- c2=- c3=- c5=-; fi
        if [ $st = 1 ]; then c4=$(pr $a $b st 12 down); else c4=-; fi
        echo "| $(short $a) vs $(short $b) | $(mode $a) | $c1 | $c2 | $c3 | $c4 | $c5 |"
    done
)
# the goals of issue 19, against the tuned Debezium of the same mode
GOALS=""
goal() { # A B MODE
    if in_tools "$1" && in_tools "$2"; then
        x=$(prmed "$1" "$2" cu 6 up)
        y=$(prmed "$1" "$2" cu 2 down)
        GOALS="$GOALS- $3, catch-up streaming rate at least 3x the tuned Debezium's: ${x}x, $(yn "$(echo "$x >= 3" | bc)") (whole run, start-up included: ${y}x, $(yn "$(echo "$y >= 3" | bc)"))
"
    fi
    if in_stools "$1" && in_stools "$2"; then
        x=$(prmed "$1" "$2" st 12 down)
        GOALS="$GOALS- $3, steady-state CPU per row at least 3x less than the tuned Debezium's: ${x}x, $(yn "$(echo "$x >= 3" | bc)")
"
    fi
}
goal binlogd debezium-tuned "at least once"
goal binlogd-eos debezium-eos "exactly once"
# the targets of issue 7 (at least once, Debezium on its defaults, the
# whole run start-up included, as measured then), still binlogd's
T7=""
if in_tools binlogd && in_tools debezium; then
    x=$(prmed binlogd debezium cu 2 down)
    y=$(awk '{print $1, $7 * 1000000 / '"$ROWS"'}' "$W/cu.binlogd" >"$W/cpu7.binlogd" &&
        awk '{print $1, $7 * 1000000 / '"$ROWS"'}' "$W/cu.debezium" >"$W/cpu7.debezium" && prmed binlogd debezium cpu7 2 down)
    T7="$T7- catch-up throughput at least 5x Debezium's (defaults, whole run): ${x}x, $(yn "$(echo "$x >= 5" | bc)")
- catch-up CPU per row at least 10x lower than Debezium's (defaults, whole run): ${y}x, $(yn "$(echo "$y >= 10" | bc)")
"
fi
if in_stools binlogd; then
    P99=$(med "$W/st.binlogd" 9)
    T7="$T7- p99 commit-to-acknowledge latency under 20 ms at $RATE transactions/s (median of the rounds): ${P99} ms, $(yn "$(echo "$P99 < 20" | bc)")
"
fi
if in_tools binlogd || in_stools binlogd; then
    PK=$({ [ ! -s "$W/cu.binlogd" ] || awk '{print $9}' "$W/cu.binlogd"; [ ! -s "$W/st.binlogd" ] || awk '{print $13}' "$W/st.binlogd"; } |
        sort -g | tail -n 1)
    T7="$T7- peak RSS under 64 MB: ${PK} MB (the highest of every round, catch-up and steady state), $(yn "$(echo "$PK < 64" | bc)")
"
fi
echo
echo "$CU"
echo
echo "$BYTES"
echo
echo "$ST"
echo
echo "$RAT"
echo
printf '%s' "$GOALS"
printf '%s' "$T7"

# --- docs/performance.md ---------------------------------------------------
MINS=$(echo "($T_END - $T_START) / 60" | bc -l | xargs printf '%.0f')
MXNOTE=""
if in_tools maxwell || in_stools maxwell; then
    MXNOTE="Maxwell: \`com.zendesk:maxwell\` $MX_VER, the newest version Maven Central serves here: its
maven-metadata.xml lists only 1.17.0 and 1.22.6 (1.22.6 is of 2019; asked again on 2026-12-08
for any version above it: none). It brings kafka-clients 1.0.0, which still works against
Kafka 4.x. It runs on the same $JV: on Java 17 it fails at the first row with
\`NoClassDefFoundError: jdk/nashorn/api/scripting/ScriptObjectMirror\` (Nashorn left the JDK in
Java 15; Maxwell only tests \`instanceof\` on it for JavaScript filters), so peers.sh compiles an
empty class of that name into the jar cache (javac of a JDK is needed for that). Maxwell is
\`java -Xmx1G com.zendesk.maxwell.Maxwell\`, kafka producer, \`kafka.acks=all\`,
\`kafka.compression.type=lz4\`, one topic, partitioned by primary key, filter \`exclude: *.*,
include: binlogd.TABLE\`, its schema and position in a database \`maxwell_NAME\` (dropped after
each run); catch-up from \`--init_position=$NAME:4:0\`. Its log is full of \`Unhandled QueryEvent ...
Dummy event replacing event type 160\`: MariaDB replaces its ANNOTATE_ROWS events for a replica
that does not announce MariaDB capabilities. Maxwell publishes at least once only. Its messages
drop the fraction of a second of \`updated_at\` TIMESTAMP(6), so it has no latency figure."
fi
. tests/bench/section.sh
section "Peers: Debezium and Maxwell" <<EOT
\`BENCH_PORT=$PORT BENCH_KAFKA_PORT=$KPORT sh tests/bench/peers.sh $ROUNDS $STEADY\` (after \`make deps all\` and
\`sh tests/bench/decode.sh\`), $DATE, $MINS minutes. Machine: $CPU,
$CORES cores, $MEM GB, shared with other work (other benchmarks ran beside this one at
times): 1-minute load average $LOAD0 when the catch-up rounds began, $LOAD1 when the steady state began, $LOAD2 at
the end, $(sort -g "$W/load" | sed -n '1p') to $(sort -g "$W/load" | tail -n 1) at the starts of the rounds. Everything on
this machine over 127.0.0.1: one MariaDB $MARIADB, one Kafka
$KV broker (KRaft, one node, heap 512 MB, 6 partitions a topic,
\`log.message.timestamp.type=LogAppendTime\`), and one system at a time. Versions: binlogd $REV
(librdkafka $RDKAFKA); Kafka Connect $CONNECT_VER with Debezium $DBZ_VER
($DBZ_ART) on $JV; $MXLABEL on $JV (with a Nashorn stub, below).

**Systems.** Two modes; binlogd is only compared with a peer of its own mode.
- At least once (acks=all, lz4 everywhere): binlogd (\`build/binlogd run\`, the config of
  tests/bench/catchup.sh: idempotent producer, the default checkpoint_interval 1s, /metrics on); Debezium on its defaults (Kafka
  Connect standalone, \`java -Xms256M -Xmx2G\` as connect-standalone.sh); Debezium tuned: the
  same with Connect's producer at \`batch.size=524288\`, \`linger.ms=10\`,
  \`enable.idempotence=true\`, \`max.in.flight.requests.per.connection=5\`, the connector at
  \`max.batch.size=8192\` (default 2048), \`max.queue.size=32768\` (default 8192), heap \`-Xms512M
  -Xmx1G\`; $MXLABEL.
- Exactly once: binlogd with \`[kafka] exactly_once = true\` (each Kafka transaction holds whole
  database transactions and the checkpoint record, state topic of its own; transaction_max 1s);
  Debezium tuned as above in a Kafka Connect distributed worker of its own
  (\`ConnectDistributed\`, config/offset/status topics with one replica,
  \`exactly.once.source.support=enabled\`), the connector posted over the REST API with
  \`exactly.once.support=required\` (accepted: the MariaDB connector declares exactly-once
  support) and Connect's default \`transaction.boundary=poll\` (a Kafka transaction per batch the
  task returns, up to max.batch.size rows; its source offsets commit in the same transaction).

Every Debezium: \`io.debezium.connector.mariadb.MariaDbConnector\`, JsonConverter with
\`schemas.enable=false\` for keys and values (the lighter of its JSON forms),
\`decimal.handling.mode=string\` (exact decimals as binlogd gives them; the default base64 bytes
would be cheaper), schema history in a Kafka topic, \`table.include.list\` the one table; catch-up
with \`snapshot.mode=never\` (it reads from the first binlog, binlog.000001 with the table's
CREATE TABLE, then the backlog), the steady state with \`snapshot.mode=no_data\` (from the
head). Where the peers come from: \`mvn dependency:copy-dependencies\` of
tests/bench/peers/*-pom.xml. Debezium's MariaDB connector is $DBZ_VER: 3.6.1.Final, which the
other Debezium modules are served at here, was asked for again on 2026-12-08 and refused
("Could not find artifact io.debezium:debezium-connector-mariadb:jar:3.6.1.Final in central");
\`debezium-connector-mysql\` 3.6.1.Final is served, but it is the MySQL connector.
$MXNOTE

**Catch-up.** Each system starts from the beginning of the same $ROWS-row backlog ($NAME of
tests/bench/decode.sh, transactions of 1,000 rows) and publishes into a topic of its own.
$ROUNDS rounds; each round runs every system once, the order rotated by one each round. While a
system runs, its topic's committed end offsets (\`kcat -Q\`: the last stable offset, which
without transactions is the high watermark; acks=all on one broker: appended = acknowledged)
and its CPU ticks (user+sys of /proc/PID/stat) are sampled about every 50 ms (the sampling's
own kcat and awk share the 2 cores with it). *Start-up*: from the start of the process to the
first sample with a message (the JVM's or the daemon's start, connecting, reading up to the
first row; exactly once, up to the first committed Kafka transaction, which for binlogd is
about transaction_max = 1 s of reading). The row topic is made before each start (a metadata
request for it, then a wait for every partition's leader), the same for every system: when
the producers made it on first use, Debezium tuned (idempotent, 5 requests in flight) met a
partition without a leader yet (NOT_LEADER_OR_FOLLOWER), got OUT_OF_ORDER_SEQUENCE_NUMBER on
each of its 944 retries of that batch over 16 minutes (Connect retries forever), and one row
never arrived (2026-12-08, the first attempt at this run; Kafka Connect $CONNECT_VER's
producer against a Kafka 4.3.1 broker). *Streaming*: from that sample to the first sample at the topic's final offsets
(the last row committed); streaming rows/s = the rows that arrived in between / its length,
streaming CPU = the process's CPU in between, per million of those rows. Exactly once, the
transaction markers take offsets too: the end is the offsets unchanged for a second with a
read_committed reader seeing every row, and the offsets are scaled to rows by messages /
offsets. *Total*: start to the last row. *Whole-run CPU s*: all the process used up to then,
start-up included, for the $ROWS rows. Peak RSS: VmHWM. After every
round its topic was read back in full by a read_committed consumer: $ROWS messages with
$ROWS distinct keys, every system, every round. The broker was warmed up first (the backlog
through it once, one transactional producer, one consumer group, so its internal topics exist
before round 1). Figures: median (min-max) over the $ROUNDS rounds, each column on its own.

$CU

Bytes per message, from every catch-up round's topic (median of the rounds): the key and the value as a consumer receives
them (kcat's %K + %S, uncompressed), and the topic's log segments on disk per message (lz4
batches with their headers, and exactly once the transaction markers):

$BYTES

**Steady state.** After the catch-up rounds, $ROUNDS rounds again, each running every system
once, the order rotated each round. The system starts at the head; probe rows, one a second,
until one is published (it then follows the head); then tests/bench/peers/writer.c commits
$RATE transactions a second on one connection (each one INSERT of 1-5 rows into
\`binlogd.$LIVE\`, the backlog table's shape, \`updated_at = NOW(6)\`) for ${WARMUP} s of warm-up
and ${STEADY} s measured. CPU per row: the system's CPU from the writer's start to the last row
committed in its topic, per million rows written. Every round's topic holds every written
row once (read_committed, by key). Latency, over the rows written after the warm-up
(tests/bench/peers/latency.c), at least once: commit to acknowledge, the message's Kafka
timestamp (LogAppendTime: when the broker appended it, which with acks=all on one broker is
when the producer's acknowledgement is sent; milliseconds, so about 0.5 ms low on average)
minus the row's \`updated_at\` (NOW(6) at the statement's start, a few hundred µs before its
commit); exactly once: commit to visible, the moment a live read_committed kcat consumer
(fetch.wait.max.ms=5, started before the writer) printed the row, minus \`updated_at\`. "Writes
late >1 ms": transactions the writer began more than 1 ms after their due time (it shares the
2 cores with the system, MariaDB and the broker; it catches up at once, so the rate holds).
Median (min-max) over the rounds.

$ST

**binlogd against each peer**, per round (the same round: the same hour of the shared
machine), then the median (min-max) of the $ROUNDS rounds' ratios; "faster" is binlogd's rate /
the peer's, "less" and "smaller" the peer's figure / binlogd's:

$RAT

Goals of issue 19 (binlogd against the tuned Debezium of the same mode, medians of the
per-round ratios):
$GOALS
Targets of issue 7 (at least once, against Debezium on its defaults; start-up included, as
issue 7 measured them):
$T7
EOT
echo "==> wrote docs/performance.md" >&2
