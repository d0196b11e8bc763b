#!/bin/sh
# Peers benchmark: binlogd against Debezium and Maxwell, side by side, on the
# same local MariaDB and the same local Kafka broker (both 127.0.0.1).
#
#   tests/bench/peers.sh [ROUNDS] [STEADY_SECONDS]
#       (after `make deps all` and `sh tests/bench/decode.sh`; ROUNDS
#       default 3, STEADY_SECONDS default 30)
#
# Catch-up: each tool starts from the beginning of the 1,000,000-row backlog
# of tests/bench/decode.sh (binlog.000002) and publishes to its own topic(s)
# with acks=all; it is timed from its start to the moment all 1,000,000 row
# messages are in its row topic (the sum of the topic's partition end
# offsets, polled with kcat; acks=all on one broker: appended =
# acknowledged).  The same criterion for every tool; the last round's topics
# are then read back in full and must hold each row exactly once.  At that
# moment the process's CPU time (utime+stime from /proc/PID/stat) and peak
# RSS (VmHWM) are taken, then it is stopped.  Rounds alternate the order of
# the tools (the machine is shared and small); medians.
#   binlogd   `build/binlogd run` with the config of tests/bench/catchup.sh
#             (sourced: its servers, conf, median, now), start binlog.000002:4
#   Debezium  Kafka Connect standalone (org.apache.kafka:connect-runtime) with
#             io.debezium:debezium-connector-mariadb, snapshot.mode=never
#             (no snapshot; on first start it reads from the first binlog)
#   Maxwell   com.zendesk:maxwell with --init_position=binlog.000002:4:0
# Steady state: tests/bench/peers/writer.c commits 2,000 transactions a
# second (one INSERT of 1-5 rows, updated_at = NOW(6)) into
# binlogd.split_account_flow_live for 5 s of warm-up plus STEADY_SECONDS,
# with binlogd, then Debezium (snapshot.mode=no_data: from the head) with
# its defaults and with poll.interval.ms=10, each following the head on its
# own; Maxwell's messages drop updated_at's fraction, so it has no latency
# figure here.  tests/bench/peers/latency.c gives the
# commit-to-acknowledge latency of the rows after the warm-up: the message's
# LogAppendTime (the broker runs with log.message.timestamp.type=
# LogAppendTime, milliseconds) minus the row's updated_at (microseconds).
# Results go to the section "Peers: Debezium and Maxwell" of
# docs/performance.md.
#
# The jars come from Maven Central through mvn the first time
# (tests/bench/peers/*-pom.xml) and are cached in build/peers-jars; later
# runs need no network.  Ports: BENCH_PORT (MariaDB) and BENCH_KAFKA_PORT
# (Kafka, and the next port) as for the other end-to-end benchmarks,
# PEERS_HTTP_PORT (binlogd's /metrics, default 13486) and PEERS_CONNECT_PORT
# (Connect's REST listener, default 13485).  Environment: PEERS_TOOLS
# (default "binlogd debezium maxwell"), PEERS_RATE (2000),
# PEERS_DEBEZIUM_ARTIFACT, PEERS_DEBEZIUM_VERSION, PEERS_CONNECT_VERSION,
# PEERS_MAXWELL_VERSION, PEERS_JAVA (java on PATH, JDK 17).
#
# Example (the run in docs/performance.md):
#   BENCH_PORT=13480 BENCH_KAFKA_PORT=13990 sh tests/bench/peers.sh 3
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
STEADY=${2:-30}
WARMUP=5
RATE=${PEERS_RATE:-2000}
TOOLS=${PEERS_TOOLS:-binlogd debezium maxwell}
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

# --- the peers' jars (before any server starts: a failed fetch leaves
# nothing running) -----------------------------------------------------------

# fetch, acked, cpu_ticks, hwm_kb, stop, watch, start_debezium
. tests/bench/peers/lib.sh

has() { case " $TOOLS " in *" $1 "*) return 0 ;; esac; return 1; }

DBZ=$JARS/debezium-$DBZ_ART-$DBZ_VER-connect-$CONNECT_VER
MX=$JARS/maxwell-$MX_VER
if has debezium; then
    fetch "$PEERS/debezium-pom.xml" "$DBZ" -Ddebezium.artifact="$DBZ_ART" \
        -Ddebezium.version="$DBZ_VER" -Dconnect.version="$CONNECT_VER"
fi
if has maxwell; then
    fetch "$PEERS/maxwell-pom.xml" "$MX" -Dmaxwell.version="$MX_VER"
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
        [ -n "$JC" ] || { echo "no javac (a JDK) to build Maxwell's Nashorn stand-in; PEERS_TOOLS without maxwell" >&2; exit 1; }
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
# acknowledgement time of the latency figures
BENCH_KAFKA_OPTS=log.message.timestamp.type=LogAppendTime
set -- "${1:-3}"
. tests/bench/catchup.sh
KB=127.0.0.1:$KPORT
SQL() { sh $DB sql "$DIR" binlogd "$@"; }

RUN=""
peers_cleanup() {
    if [ -n "$RUN" ]; then
        kill -TERM "$RUN" 2>/dev/null || true
        n=0
        while kill -0 "$RUN" 2>/dev/null && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
        kill -KILL "$RUN" 2>/dev/null || true
    fi
    cleanup
}
trap peers_cleanup EXIT INT TERM

# One account for both peers, with what Debezium's MariaDB connector asks
# for (SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT
# = BINLOG MONITOR) and Maxwell's state databases; not in the binlog.
SQL -e "SET sql_log_bin=0;
CREATE USER IF NOT EXISTS 'peer'@'127.0.0.1' IDENTIFIED BY 'peerpw';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'peer'@'127.0.0.1';
GRANT ALL ON \`maxwell\\_%\`.* TO 'peer'@'127.0.0.1';"

# --- the three tools -------------------------------------------------------

# binlogd's config: catchup.sh's, with /metrics on a port of this benchmark
bconf() { # STATE NAME START
    conf "$@"
    printf '[http]\nlisten = 127.0.0.1:%s\n' "$HTTP_PORT"
}

start_binlogd() { # NAME START -> topic NAME.binlogd.TABLE
    rm -rf "$W/$1"
    bconf "$W/$1" "$1" "$2" >"$W/$1.conf"
    T0=$(now)
    "$B" run -c "$W/$1.conf" 2>"$W/$1.log" &
    RUN=$!
}

start_maxwell() { # NAME SERVER_ID -> topic NAME
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
filter=exclude: *.*, include: binlogd.split_account_flow
producer_partition_by=primary_key
EOF
    SQL -e "SET sql_log_bin=0; DROP DATABASE IF EXISTS maxwell_$1"
    T0=$(now)
    # --init_position is honoured only on the command line
    "$JAVA" -Xmx1G -Djava.awt.headless=true -cp "$MX/*" com.zendesk.maxwell.Maxwell \
        --config="$W/$1.properties" --init_position="$NAME:4:0" >"$W/$1.log" 2>&1 &
    RUN=$!
}

catchup_tool() { # TOOL ROUND
    case $1 in
    binlogd) start_binlogd "bd$2" "$NAME:4"; topic=bd$2.binlogd.split_account_flow ;;
    debezium) start_debezium "dbz$2" never $((5170 + $2)) split_account_flow; topic=dbz$2.binlogd.split_account_flow ;;
    maxwell) start_maxwell "mx$2" $((5180 + $2)); topic=mx$2 ;;
    esac
    res=$(watch "$topic" "$ROWS" "$W/$(echo "$topic" | cut -d. -f1).log")
    stop "$RUN"
    echo "$res" >>"$W/res.$1"
    echo "    $1 round $2: $res (s, s to first message, CPU s, VmHWM kB)" >&2
    echo "$topic" >"$W/topic.$1"
}

# --- catch-up rounds -------------------------------------------------------
# The broker is cold after its start (its JIT; an idempotent producer's
# first InitProducerId answers "coordinator load in progress" for a while):
# one untimed pass of the backlog through it first, or the first tool of
# round 1 would pay for that.
"$B" dump "$FILE" | kcat -b "$KB" -P -t warmup -X acks=all -X enable.idempotence=true \
    -X compression.type=lz4 -X linger.ms=5
LOAD0=$(cut -d' ' -f1 /proc/loadavg)
echo "==> catch-up of the $ROWS-row backlog ($NAME), $ROUNDS rounds: $TOOLS" >&2
for t in $TOOLS; do : >"$W/res.$t"; done
r=1
while [ $r -le "$ROUNDS" ]; do
    # rotate the order: each tool runs first, second, third in turn
    set -- $TOOLS
    k=1
    while [ $k -lt "$r" ]; do x=$1; shift; set -- "$@" "$x"; k=$((k + 1)); done
    for t in "$@"; do catchup_tool "$t" $r; done
    r=$((r + 1))
done

# the last round's topics hold every row of the backlog exactly once
for t in $TOOLS; do
    tp=$(cat "$W/topic.$t")
    kcat -b "$KB" -C -t "$tp" -e -q -f '%k\n' >"$W/keys.$t"
    all=$(wc -l <"$W/keys.$t")
    got=$(sort -u "$W/keys.$t" | wc -l)
    [ "$all" -eq "$ROWS" ] && [ "$got" -eq "$ROWS" ] ||
        { echo "$t: $tp has $all messages, $got distinct keys; want $ROWS" >&2; exit 1; }
    rm -f "$W/keys.$t"
done

# --- steady state ----------------------------------------------------------
LIVE=split_account_flow_live
SQL -e "CREATE TABLE IF NOT EXISTS $LIVE LIKE split_account_flow"

# steady RUN: follow the head (binlogd; Debezium with its defaults;
# Debezium with poll.interval.ms=10), write for WARMUP+STEADY seconds, wait
# for every row, compute the latency.
steady() {
    case $1 in
    binlogd) start_binlogd ssb head; topic=ssb.binlogd.$LIVE ;;
    debezium) start_debezium ssd no_data 5179 "$LIVE"; topic=ssd.binlogd.$LIVE ;;
    debezium-poll10) start_debezium ssp no_data 5178 "$LIVE" poll.interval.ms=10; topic=ssp.binlogd.$LIVE ;;
    esac
    lg=$W/$(echo "$topic" | cut -d. -f1).log
    # Probe rows, one a second, until one is in Kafka: the tool is then
    # following the head (a probe written before it took its start
    # position is never published).  BASE: the probes that made it.
    id=$(sh $DB sql "$DIR" -N -B binlogd -e "SELECT COALESCE(MAX(id), 0) + 1 FROM $LIVE")
    while [ "$(acked "$topic")" -eq 0 ]; do
        kill -0 "$RUN" 2>/dev/null || { tail -n 30 "$lg" >&2; exit 1; }
        SQL -e "INSERT INTO $LIVE SELECT $id, merchant_id, counterparty_id, amount, fee, currency, status, memo, created_at, NOW(6), ext FROM split_account_flow WHERE id = 1"
        id=$((id + 1))
        sleep 1
    done
    sleep 1
    base=$(acked "$topic")
    c0=$(cpu_ticks "$RUN")
    since=$(($(date +%s%N) / 1000 + WARMUP * 1000000))
    w=$(build/bench/peers-writer 127.0.0.1 "$PORT" root "" binlogd "$LIVE" "$RATE" $((WARMUP + STEADY)) "$id")
    set -- "$1" $w
    watch "$topic" $(($3 + base)) "$lg" >/dev/null
    c1=$(cpu_ticks "$RUN")
    h=$(hwm_kb "$RUN")
    stop "$RUN"
    lat=$(kcat -b "$KB" -C -t "$topic" -e -q -f '%T\t%s\n' | build/bench/peers-latency "$since")
    # tool txns rows secs rate late | rows p50 p99 p999 max | cpu-s-per-M-rows hwm
    echo "$1 $2 $3 $4 $5 $6 | $lat | $(echo "($c1 - $c0) / $TICK * 1000000 / $3" | bc -l | xargs printf '%.2f') $h" \
        >"$W/steady.$1"
    echo "    steady $1: $(cat "$W/steady.$1")" >&2
}
LOAD1=$(cut -d' ' -f1 /proc/loadavg)
echo "==> steady state: $RATE transactions/s for ${WARMUP}+${STEADY} s" >&2
for t in binlogd debezium; do has $t && steady $t; done
# Debezium's task hands Connect a batch once it holds max.batch.size (2048)
# events or poll.interval.ms (500) has passed: the same with a short interval
has debezium && steady debezium-poll10
# Maxwell's state databases are of no further use
if has maxwell; then
    r=1
    while [ $r -le "$ROUNDS" ]; do SQL -e "SET sql_log_bin=0; DROP DATABASE IF EXISTS maxwell_mx$r"; r=$((r + 1)); done
fi

LOAD2=$(cut -d' ' -f1 /proc/loadavg)

# --- results -----------------------------------------------------------------
# sum.TOOL: median time, rows/s, first message, CPU s per M rows, VmHWM MB
col() { awk -v c="$2" '{print $c}' "$W/res.$1" | median; }
for t in $TOOLS; do
    echo "$(col $t 1) $(col $t 2) $(col $t 3) $(col $t 4)" |
        awk -v r="$ROWS" '{printf "%.2f %.0f %.2f %.2f %.1f\n", $1, r / $1, $2, $3 * 1000000 / r, $4 / 1024}' >"$W/sum.$t"
done
get() { awk -v c="$2" '{print $c}' "$W/sum.$1"; } # TOOL COLUMN
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }
label() {
    case $1 in
    binlogd) echo 'binlogd run' ;;
    debezium) echo "Debezium $DBZ_VER ($DBZ_ART, Connect $CONNECT_VER standalone)" ;;
    maxwell) echo "Maxwell $MX_VER" ;;
    esac
}
TAB=$(
    echo '| tool | median time | rows/s | first message after | CPU s per M rows | peak RSS |'
    echo '|---|---|---|---|---|---|'
    for t in $TOOLS; do
        read -r a b c d e <"$W/sum.$t"
        echo "| $(label $t) | $a s | $b | $c s | $d | $e MB |"
    done
)
RAT=$(
    echo '| | throughput (binlogd faster) | CPU per row (binlogd cheaper) | peak RSS (binlogd smaller) |'
    echo '|---|---|---|---|'
    for t in debezium maxwell; do
        has $t || continue
        echo "| binlogd vs $(label $t | cut -d' ' -f1) | $(ratio "$(get binlogd 2)" "$(get $t 2)")x |" \
            "$(ratio "$(get $t 4)" "$(get binlogd 4)")x | $(ratio "$(get $t 5)" "$(get binlogd 5)")x |"
    done
)
LAT=$(
    echo '| tool | transactions (rows) in the window | achieved rate | late >1 ms | rows measured | p50 | p99 | p99.9 | max | CPU s per M rows | peak RSS |'
    echo '|---|---|---|---|---|---|---|---|---|---|---|'
    for t in binlogd debezium debezium-poll10; do
        [ -f "$W/steady.$t" ] || continue
        # binlogd TXNS ROWS SECS RATE LATE | N P50 P99 P999 MAX | CPU HWM
        tr -d '|' <"$W/steady.$t" | awk -v l="$(echo $t | sed 's/binlogd/binlogd run/; s/debezium-poll10/Debezium, poll.interval.ms=10/; s/^debezium$/Debezium (defaults)/')" '{
            printf "| %s | %s (%s) | %s/s | %s | %s | %s ms | %s ms | %s ms | %s ms | %s | %.1f MB |\n",
                l, $2, $3, $5, $6, $7, $8, $9, $10, $11, $12, $13 / 1024 }'
    done
)
echo
echo "$TAB"
echo
echo "$RAT"
echo
echo "$LAT"

# the targets of issue 7
yn() { if [ "$1" = 1 ]; then echo met; else echo "NOT met"; fi; }
TGT=""
if has debezium; then
    X=$(ratio "$(get binlogd 2)" "$(get debezium 2)")
    C=$(ratio "$(get debezium 4)" "$(get binlogd 4)")
    TGT="$TGT- catch-up throughput at least 5x Debezium's: ${X}x, $(yn "$(echo "$X >= 5" | bc)")
- CPU per row at least 10x lower than Debezium's: ${C}x, $(yn "$(echo "$C >= 10" | bc)")
"
fi
if [ -f "$W/steady.binlogd" ]; then
    P99=$(tr -d '|' <"$W/steady.binlogd" | awk '{print $9}')
    HS=$(tr -d '|' <"$W/steady.binlogd" | awk '{printf "%.1f", $13 / 1024}')
    TGT="$TGT- p99 commit-to-acknowledge latency under 20 ms at $RATE transactions/s: ${P99} ms, $(yn "$(echo "$P99 < 20" | bc)")
"
fi
# the highest VmHWM of any round, not the median
PK=$( (awk '{printf "%.1f\n", $4 / 1024}' "$W/res.binlogd"; [ -z "${HS:-}" ] || echo "$HS") | sort -n | tail -n 1)
TGT="$TGT- peak RSS under 64 MB: ${PK} MB (the highest of every catch-up round and the steady state), $(yn "$(echo "$PK < 64" | bc)")"
if [ -f "$W/steady.binlogd" ] && [ -f "$W/steady.debezium" ]; then
    SB=$(tr -d '|' <"$W/steady.binlogd" | awk '{print $12}')
    SD=$(tr -d '|' <"$W/steady.debezium" | awk '{print $12}')
    TGT="$TGT
- (not a target) CPU per row at the steady rate: binlogd $SB s per M rows, Debezium $SD: $(ratio "$SD" "$SB")x lower"
fi
echo
echo "$TGT"

# --- docs/performance.md ---------------------------------------------------
REV=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- lib daemon include Makefile || echo "+changes")
JV=$("$JAVA" -version 2>&1 | head -n 1)
. tests/bench/section.sh
section "Peers: Debezium and Maxwell" <<EOT
\`BENCH_PORT=$PORT BENCH_KAFKA_PORT=$KPORT sh tests/bench/peers.sh $ROUNDS $STEADY\` (after \`make deps all\`
and \`sh tests/bench/decode.sh\`), $(date -u +%Y-%m-%d). Machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'),
$(nproc) cores, $(free -g | awk '/^Mem/ {print $2}') GB, shared with other work: 1-minute load average $LOAD0 when
the catch-up rounds began, $LOAD1 when the steady state began, $LOAD2 at the end. Versions: binlogd $REV, MariaDB
$(mariadbd --version | awk '{print $3}'), Kafka ${KAFKA_VERSION:-4.3.1} (one broker, 6 partitions a topic, \`log.message.timestamp.type=LogAppendTime\`),
Kafka Connect $CONNECT_VER (standalone), Debezium $DBZ_VER ($DBZ_ART), Maxwell $MX_VER, $JV.

**Catch-up.** Each tool starts from the beginning of the same $ROWS-row backlog ($NAME of
tests/bench/decode.sh) on the same MariaDB and publishes into its own topic on the same
broker with acks=all and lz4. Timed from the start of the process to the moment all $ROWS row
messages are in the tool's topic (sum of the partitions' end offsets, polled every 50 ms with
kcat; the last round's topics were read back in full: every row exactly once). CPU is
user+sys of the process (/proc/PID/stat) and peak RSS its VmHWM, both at that moment, start-up
included. $ROUNDS rounds, the order of the tools rotated each round; medians.
- binlogd: \`build/binlogd run\` with the config of tests/bench/catchup.sh (idempotent
  producer, acks=all, lz4), \`start = $NAME:4\`, /metrics on.
- Debezium: \`java -Xms256M -Xmx2G org.apache.kafka.connect.cli.ConnectStandalone\` (the heap of
  Kafka's connect-standalone.sh), JsonConverter with \`schemas.enable=false\` for keys and values
  (the lighter of its JSON forms), \`producer.acks=all\`, \`producer.compression.type=lz4\`;
  connector \`io.debezium.connector.mariadb.MariaDbConnector\`, \`snapshot.mode=never\` ("Upon
  first startup, the connector immediately begins reading from the beginning of the binlog",
  here binlog.000001 with the table's CREATE TABLE, then the backlog), schema history in a
  Kafka topic, \`decimal.handling.mode=string\` (exact decimals as binlogd gives them; the
  default base64 bytes would be cheaper), \`table.include.list=binlogd.split_account_flow\`;
  otherwise defaults.
- Maxwell: \`java -Xmx1G com.zendesk.maxwell.Maxwell --init_position=$NAME:4:0\`, kafka producer,
  \`kafka.acks=all\`, \`kafka.compression.type=lz4\`, one topic, partitioned by primary key, filter
  \`exclude: *.*, include: binlogd.split_account_flow\`, its schema and position in a database
  \`maxwell_mxN\` (dropped at the end).

Where the peers come from: \`mvn dependency:copy-dependencies\` of tests/bench/peers/*-pom.xml.
Debezium: \`io.debezium:debezium-connector-mariadb:3.6.1.Final\` is not served by the registry
this machine reaches ("Could not find artifact ... in central"); its maven-metadata.xml lists
2.7.0.Alpha1 to 3.5.0.Final, so the newest MariaDB connector, 3.5.0.Final, is used (Java 17
class files; runs on the JDK 17 here). Maxwell: \`com.zendesk:maxwell\` is on Maven Central, but
its maven-metadata.xml lists only 1.17.0 and 1.22.6 (2019; 1.41.2 is "not found"), so 1.22.6
is used. It brings kafka-clients 1.0.0, which still works against Kafka 4.x. On Java 17 it
fails at the first row with \`NoClassDefFoundError: jdk/nashorn/api/scripting/ScriptObjectMirror\`
(Nashorn left the JDK in Java 15; Maxwell only tests \`instanceof\` on it for JavaScript
filters): peers.sh compiles an empty class of that name into the jar cache (javac of a JDK is
needed for that). Its log is full of \`Unhandled QueryEvent ... Dummy event replacing event type
160\`: MariaDB replaces its ANNOTATE_ROWS events for a replica that does not announce MariaDB
capabilities.

$TAB

"First message after": from the start of the process to the first row message in its topic
(start-up, and the topic's creation: every topic here is new, created by the broker on first
use).

binlogd against each peer (peer's figure / binlogd's, or binlogd's rows/s / peer's):

$RAT

**Steady state.** tests/bench/peers/writer.c commits $RATE transactions a second on one
connection (each one INSERT of 1-5 rows into \`binlogd.$LIVE\`, the backlog table's
shape, \`updated_at = NOW(6)\`) for ${WARMUP} s of warm-up and ${STEADY} s measured, with one tool following
the head (binlogd \`start = head\`; Debezium \`snapshot.mode=no_data\`, i.e. from the current
position), one at a time; Debezium twice: with its defaults, and with \`poll.interval.ms=10\`
(its task hands Connect a batch only once it holds \`max.batch.size\` = 2048 events or
\`poll.interval.ms\` = 500 ms have passed; at 6,000 rows/s that is the larger part of its
default latency). Maxwell is left out: its messages drop the fraction of a second of
\`updated_at\` TIMESTAMP(6) and \`created_at\` DATETIME(3) (\`"created_at":"2026-11-27 23:11:48",
"updated_at":"2026-11-27 23:11:48"\` for rows written with NOW(3) and NOW(6)), so its latency
cannot be taken from the rows.

Latency = the message's Kafka timestamp (LogAppendTime: when the broker appended it, which with acks=all on one broker is when the producer's
acknowledgement is sent; milliseconds, so figures are about 0.5 ms low on average) minus the
row's \`updated_at\` (NOW(6) at the statement's start, a few hundred µs before its commit),
computed by tests/bench/peers/latency.c over the rows committed after the warm-up. CPU is
the tool's over the whole writing window, per million rows written. "Late >1 ms": transactions
the writer began more than 1 ms after their due time (it shares the 2 cores with the tool,
MariaDB and the broker; it catches up at once, so the rate holds).

$LAT

Targets of issue 7 (binlogd):
$TGT
EOT
echo "==> wrote docs/performance.md" >&2
