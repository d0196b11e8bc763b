#!/bin/sh
# Snapshot benchmark (docs/snapshot.md): binlogd's snapshot against
# Debezium's incremental snapshot, on the same local MariaDB and Kafka.
#
#   tests/bench/snapshot.sh [ROUNDS] [LOAD_RATE]
#       (after `make deps all` and `sh tests/bench/decode.sh`; ROUNDS
#       default 3, LOAD_RATE default 2000 transactions a second)
#
# The table: binlogd.split_account_flow of tests/bench/decode.sh's backlog
# (1,000,000 rows, 14 columns, BIGINT primary key), at rest.  Each tool
# starts at the source's head, then is asked to load the table: binlogd with
# `binlogd snapshot --tables` (its defaults: chunks of 256 rows doubling up
# to 50,000 while a SELECT takes under 0.25 s), Debezium with an
# execute-snapshot signal of type incremental into its signal table (its
# defaults: chunks of 1,024 rows; and a tuned profile: chunks of 50,000
# rows as binlogd's largest, max.batch.size 8192, max.queue.size 32768,
# Connect's producer with batch.size 512 KB, linger.ms 10, idempotence and
# 5 requests in flight, heap 512 MB-1 GB).  Timed from the request to the moment the
# table's topic holds one message per row (the sum of its partitions' end
# offsets; acks=all on one broker: appended = acknowledged): rows/s.  CPU
# seconds (user + system) the process used in that time, and its peak RSS.
# Rounds alternate the tools' order; min/median/max.
# Under load (binlogd): the same snapshot while tests/bench/peers/writer.c
# commits LOAD_RATE transactions a second into split_account_flow_live;
# the stream's acknowledged lag (/metrics binlogd_lag_seconds{stage="acked"})
# is sampled every 0.2 s for the whole snapshot: its max must stay under
# [snapshot] max_lag (5 s).
# Results go to the section "Snapshot" of docs/performance.md.
#
# Ports: BENCH_PORT (MariaDB), BENCH_KAFKA_PORT (Kafka) as for the other
# end-to-end benchmarks, SNAP_HTTP_PORT (13496), SNAP_CONNECT_PORT (13495).
# SNAP_TOOLS (default "binlogd debezium debezium-tuned"); PEERS_DEBEZIUM_ARTIFACT,
# PEERS_DEBEZIUM_VERSION, PEERS_CONNECT_VERSION, PEERS_JAVA as peers.sh.
#
# Example (the run in docs/performance.md):
#   BENCH_PORT=13480 BENCH_KAFKA_PORT=13990 sh tests/bench/snapshot.sh 3
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
LOAD_RATE=${2:-2000}
TOOLS=${SNAP_TOOLS:-binlogd debezium debezium-tuned}
DBZ_ART=${PEERS_DEBEZIUM_ARTIFACT:-debezium-connector-mariadb}
DBZ_VER=${PEERS_DEBEZIUM_VERSION:-3.5.0.Final}
CONNECT_VER=${PEERS_CONNECT_VERSION:-4.3.1}
JAVA=${PEERS_JAVA:-java}
HTTP_PORT=${SNAP_HTTP_PORT:-13496}
CONNECT_PORT=${SNAP_CONNECT_PORT:-13495}
PEERS=tests/bench/peers
JARS=$ROOT/build/peers-jars
TICK=$(getconf CLK_TCK)
TABLE=split_account_flow
LIVE=split_account_flow_live

# fetch, acked, cpu_ticks, hwm_kb, stop, watch, start_debezium
. tests/bench/peers/lib.sh
has() { case " $TOOLS " in *" $1 "*) return 0 ;; esac; return 1; }

DBZ=$JARS/debezium-$DBZ_ART-$DBZ_VER-connect-$CONNECT_VER
if has debezium || has debezium-tuned; then
    fetch "$PEERS/debezium-pom.xml" "$DBZ" -Ddebezium.artifact="$DBZ_ART" \
        -Ddebezium.version="$DBZ_VER" -Dconnect.version="$CONNECT_VER"
fi
mkdir -p build/bench
cc -std=c11 -O2 -Wall -Wextra -o build/bench/peers-writer $PEERS/writer.c $(pkg-config --cflags --libs libmariadb)

# --- servers (tests/bench/catchup.sh) ------------------------------------------
BENCH=snapshot
SID=5190
set -- "${1:-3}"
. tests/bench/catchup.sh
KB=127.0.0.1:$KPORT
SQL() { sh $DB sql "$DIR" binlogd "$@"; }

RUN=""
WPID=""
snap_cleanup() {
    [ -n "$WPID" ] && kill "$WPID" 2>/dev/null
    [ -n "$RUN" ] && stop "$RUN"
    cleanup
}
trap snap_cleanup EXIT INT TERM

# binlogd's account writes its signal table; Debezium's account reads and
# writes its own (not in the binlog: grants and tables made with
# sql_log_bin=0 would not reach a reader; these are in it, before the head)
SQL -e "SET sql_log_bin=0;
CREATE USER IF NOT EXISTS 'peer'@'127.0.0.1' IDENTIFIED BY 'peerpw';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'peer'@'127.0.0.1';
GRANT INSERT, DELETE, CREATE ON binlogd.* TO 'repl'@'127.0.0.1';
GRANT INSERT, UPDATE, DELETE ON binlogd.* TO 'peer'@'127.0.0.1';"
SQL -e "CREATE TABLE IF NOT EXISTS dbz_signal (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL);
CREATE TABLE IF NOT EXISTS $LIVE LIKE $TABLE"
N=$(SQL -N -e "SELECT COUNT(*) FROM $TABLE")
echo "==> $N rows in binlogd.$TABLE; $ROUNDS rounds of: $TOOLS" >&2

# --- the tools ---------------------------------------------------------------

metric() { # NAME{LABELS}: its value from binlogd's /metrics
    curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | awk -v m="$1" '$1 == m {print $2}'
}

start_binlogd() { # NAME
    rm -rf "$W/$1"
    {
        conf "$W/$1" "$1" head
        printf '[http]\nlisten = 127.0.0.1:%s\n' "$HTTP_PORT"
        printf '[filter]\ninclude = binlogd.%s, binlogd.%s\n' "$TABLE" "$LIVE"
    } >"$W/$1.conf"
    "$B" run -c "$W/$1.conf" 2>"$W/$1.log" &
    RUN=$!
    # ready: connected to the source
    n=0
    until [ "$(metric binlogd_source_connected)" = 1 ]; do
        n=$((n + 1))
        [ $n -lt 300 ] || { tail -n 20 "$W/$1.log" >&2; exit 1; }
        sleep 0.1
    done
}

request_debezium_tuned() { request_debezium "$@"; }
request_binlogd() { "$B" snapshot --url "http://127.0.0.1:$HTTP_PORT" --tables "binlogd.$TABLE" >/dev/null; }

start_debezium_signalled() { # NAME SERVER_ID [PROPERTY...]
    n=$1 sid=$2
    shift 2
    start_debezium "$n" no_data "$sid" "$TABLE,$LIVE,dbz_signal" \
        signal.data.collection=binlogd.dbz_signal "$@"
    set -- "$n"
    # ready: streaming from the head
    n=0
    until grep -q "Connected to binlog at\|Starting streaming\|streaming.*started" "$W/$1.log" 2>/dev/null; do
        n=$((n + 1))
        kill -0 "$RUN" 2>/dev/null || { tail -n 30 "$W/$1.log" >&2; exit 1; }
        [ $n -lt 1200 ] || { tail -n 30 "$W/$1.log" >&2; echo "Debezium did not start streaming" >&2; exit 1; }
        sleep 0.1
    done
    sleep 2
}

request_debezium() { # ROUND
    SQL -e "INSERT INTO dbz_signal VALUES ('snap-$1-$(date +%s%N)', 'execute-snapshot', '{\"data-collections\": [\"binlogd.$TABLE\"], \"type\": \"incremental\"}')"
}

# one snapshot: TOOL ROUND -> a line "seconds first-message-s cpu-s peak-RSS-kB"
snapshot_tool() {
    case $1 in
    binlogd) start_binlogd "bs$2"; topic=bs$2.binlogd.$TABLE ;;
    debezium) start_debezium_signalled "dbs$2" $((5190 + $2)); topic=dbs$2.binlogd.$TABLE ;;
    debezium-tuned)
        # chunks as large as binlogd's largest, Connect's producer and
        # queues as a tuning user sets them (issue 19's profile)
        DBZ_WORKER_EXTRA="producer.batch.size=524288
producer.linger.ms=10
producer.enable.idempotence=true
producer.max.in.flight.requests.per.connection=5" DBZ_HEAP="-Xms512M -Xmx1G" \
            start_debezium_signalled "dbt$2" $((5195 + $2)) incremental.snapshot.chunk.size=50000 \
            max.batch.size=8192 max.queue.size=32768
        topic=dbt$2.binlogd.$TABLE
        ;;
    esac
    c0=$(cpu_ticks "$RUN")
    T0=$(now)
    "request_$(echo "$1" | tr - _)" "$2"
    res=$(watch "$topic" "$N" "$W/$(echo "$topic" | cut -d. -f1).log")
    stop "$RUN"
    # the CPU of the snapshot alone: what the process used since the request
    set -- "$1" "$2" $res
    cpu=$(echo "$5 - $c0 / $TICK" | bc -l | xargs printf '%.2f')
    echo "$3 $4 $cpu $6" >>"$W/res.$1"
    echo "    $1 round $2: $3 s ($(echo "$N / $3" | bc -l | xargs printf '%.0f') rows/s), CPU $cpu s, peak RSS $6 kB" >&2
}

r=1
while [ $r -le "$ROUNDS" ]; do
    if [ $((r % 2)) = 1 ]; then order="binlogd debezium debezium-tuned"; else order="debezium-tuned debezium binlogd"; fi
    for t in $order; do has "$t" && snapshot_tool "$t" $r; done
    r=$((r + 1))
done

# --- binlogd under a write load ----------------------------------------------
load_res=""
if has binlogd; then
    start_binlogd bsload
    first=$(($(SQL -N -e "SELECT COALESCE(MAX(id), 0) FROM $LIVE") + 1))
    build/bench/peers-writer 127.0.0.1 "$PORT" root "" binlogd "$LIVE" "$LOAD_RATE" 600 "$first" \
        >"$W/writer.out" 2>&1 &
    WPID=$!
    sleep 3
    T0=$(now)
    request_binlogd
    max=0
    : >"$W/lag.load"
    while [ "$(acked bsload.binlogd.$TABLE)" -lt "$N" ]; do
        l=$(metric 'binlogd_lag_seconds{stage="acked"}')
        echo "$(echo "$(now) - $T0" | bc -l | xargs printf '%.1f') $l" >>"$W/lag.load"
        max=$(echo "$l $max" | awk '{print ($1 > $2) ? $1 : $2}')
        kill -0 "$RUN" 2>/dev/null || { tail -n 30 "$W/bsload.log" >&2; exit 1; }
        sleep 0.2
    done
    t=$(echo "$(now) - $T0" | bc -l | xargs printf '%.3f')
    paused=$(metric binlogd_snapshot_paused)
    kill "$WPID" 2>/dev/null || true
    wait "$WPID" 2>/dev/null || true
    WPID=""
    stop "$RUN"
    load_res="$t $max"
    echo "    binlogd under $LOAD_RATE tps: $t s ($(echo "$N / $t" | bc -l | xargs printf '%.0f') rows/s), max acked lag $max s (paused at the end: $paused)" >&2
fi

# --- the report --------------------------------------------------------------
mmm() { # COLUMN FILE: min / median / max
    mn=$(awk -v c="$1" '{print $c}' "$2" | sort -n | head -n 1)
    md=$(awk -v c="$1" '{print $c}' "$2" | median)
    mx=$(awk -v c="$1" '{print $c}' "$2" | sort -n | tail -n 1)
    echo "$mn / $md / $mx"
}
rate() { awk -v n="$N" '{printf "%.0f\n", n / $1}' "$1" | sort -n | awk '{a[NR]=$1} END {printf "%s / %s / %s", a[1], (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2, a[NR]}'; }
cpu_row() { awk -v n="$N" '{printf "%.2f\n", $3 * 1e6 / n}' "$1" | median; }
{
    echo "Snapshot of binlogd.$TABLE ($N rows at rest, 14 columns), $ROUNDS interleaved rounds,"
    echo "$(nproc) cores, MariaDB $(SQL -N -e 'SELECT VERSION()') and Kafka on the same machine"
    echo "(binlog_row_metadata=FULL; topics of 6 partitions, acks=all), $(date -u +%Y-%m-%d)."
    echo "Timed from the request to the last row's message in the topic; min / median / max."
    echo "CPU: the tool's process alone (user + system, from the request on); MariaDB's and the"
    echo "broker's, the same work for both, are not counted."
    echo
    echo "| tool | seconds | rows/s | CPU s per 1M rows (median) | peak RSS kB (median) |"
    echo "|---|---|---|---|---|"
    for t in binlogd debezium debezium-tuned; do
        f=$W/res.$t
        [ -f "$f" ] || continue
        case $t in
        binlogd) label="binlogd snapshot (defaults: chunks of 256 doubling to 50,000 rows)" ;;
        debezium) label="Debezium $DBZ_VER incremental snapshot, defaults (chunks of 1,024 rows; Connect $CONNECT_VER standalone, heap up to 2 GB)" ;;
        debezium-tuned) label="Debezium $DBZ_VER incremental snapshot, tuned (chunks of 50,000 rows, max.batch.size 8192, max.queue.size 32768, producer batch.size 512 KB, linger.ms 10, idempotence, 5 in flight, heap 512 MB-1 GB)" ;;
        esac
        echo "| $label | $(mmm 1 "$f") | $(rate "$f") | $(cpu_row "$f") | $(awk '{print $4}' "$f" | median) |"
    done
    for t in debezium debezium-tuned; do
        [ -f "$W/res.binlogd" ] && [ -f "$W/res.$t" ] || continue
        b=$(awk '{print $1}' "$W/res.binlogd" | median)
        d=$(awk '{print $1}' "$W/res.$t" | median)
        bc_=$(awk '{print $3}' "$W/res.binlogd" | median)
        dc=$(awk '{print $3}' "$W/res.$t" | median)
        echo
        echo "binlogd against $t: $(echo "$d / $b" | bc -l | xargs printf '%.2f')x the rate (medians), $(echo "$dc / $bc_" | bc -l | xargs printf '%.1f')x less CPU."
    done
    if [ -n "$load_res" ]; then
        set -- $load_res
        echo
        echo "Under load ($LOAD_RATE transactions/s into binlogd.$LIVE during the snapshot, binlogd"
        echo "only): $1 s ($(echo "$N / $1" | bc -l | xargs printf '%.0f') rows/s); the stream's acknowledged lag,"
        echo "sampled every 0.2 s for the whole snapshot, peaked at $2 s ([snapshot] max_lag 5 s)."
    fi
    echo
    echo "Reproduce: \`sh tests/bench/decode.sh && BENCH_PORT=13480 BENCH_KAFKA_PORT=13990 sh tests/bench/snapshot.sh $ROUNDS\`"
} >"$W/report.md"
cat "$W/report.md"
. tests/bench/section.sh
section "Snapshot" <"$W/report.md"
