# tests/bench/peers/lib.sh - sourced by tests/bench/peers.sh and
# tests/bench/snapshot.sh, not run: fetching a peer's jars with mvn, how
# far a topic is, a process's CPU and peak RSS, stopping a process.
# Wants JARS (the jar cache) set; acked wants KB (bootstrap servers);
# watch wants now, TICK, T0 and RUN (the process watched); start_debezium
# says what it wants.

# fetch POM DIR -Dname=value...: copy the pom's runtime jars into DIR once.
fetch() {
    pom=$1 dir=$2
    shift 2
    [ -f "$dir/.complete" ] && return 0
    echo "==> fetching $(basename "$dir") with mvn into $dir" >&2
    rm -rf "$dir.tmp"
    mkdir -p "$JARS"
    if ! mvn -B -q -f "$pom" "$@" dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory="$dir.tmp" >"$dir.log" 2>&1; then
        tail -n 20 "$dir.log" >&2
        echo "mvn could not fetch $(basename "$dir") (see $dir.log)" >&2
        rm -rf "$dir.tmp"
        return 1
    fi
    touch "$dir.tmp/.complete"
    rm -rf "$dir"
    mv "$dir.tmp" "$dir"
}

# acked TOPIC: messages in TOPIC (sum of its partitions' end offsets), 0
# while it does not exist.  The partition count comes from the metadata of
# all topics: asking for one topic could auto-create it.
acked() {
    np=$(kcat -b "$KB" -L 2>/dev/null | sed -n "s/^ *topic \"$1\" with \([0-9]*\) partitions.*/\1/p")
    [ -n "$np" ] && [ "$np" -gt 0 ] || { echo 0; return 0; }
    a=""
    p=0
    while [ $p -lt "$np" ]; do a="$a -t $1:$p:-1"; p=$((p + 1)); done
    # shellcheck disable=SC2086
    kcat -b "$KB" -Q $a 2>/dev/null | awk '{s += $NF} END {print s + 0}'
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

# stop PID: SIGTERM, the JVMs' shutdown hooks get 30 s, then SIGKILL.
stop() {
    kill -TERM "$1" 2>/dev/null || true
    n=0
    while kill -0 "$1" 2>/dev/null && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    RUN=""
}


# watch TOPIC WANT LOG: wait until TOPIC holds WANT messages while $RUN
# lives; prints "seconds-since-T0 seconds-to-first-message cpu-seconds
# peak-RSS-kB" taken at that moment.
watch() {
    first=""
    while :; do
        got=$(acked "$1")
        t=$(now)
        [ -z "$first" ] && [ "$got" -gt 0 ] && first=$t
        [ "$got" -ge "$2" ] && break
        kill -0 "$RUN" 2>/dev/null || { tail -n 30 "$3" >&2; echo "the process died (log $3)" >&2; exit 1; }
        sleep 0.05
    done
    c=$(cpu_ticks "$RUN")
    h=$(hwm_kb "$RUN")
    echo "$t - $T0" | bc -l | xargs printf '%.3f '
    echo "$first - $T0" | bc -l | xargs printf '%.3f '
    echo "$c / $TICK" | bc -l | xargs printf '%.2f '
    echo "$h"
}

# start_debezium NAME SNAPSHOT_MODE SERVER_ID TABLES [PROPERTY...]: Kafka
# Connect standalone with Debezium's MariaDB connector capturing the
# comma-separated TABLES of database binlogd (topics NAME.binlogd.TABLE),
# extra connector properties name=value; RUN its pid, T0 its start.  Wants
# KB, CONNECT_PORT, PORT, W, JAVA, DBZ and now; DBZ_WORKER_EXTRA: lines
# added to the worker's properties, DBZ_HEAP: the JVM's heap options
# (default as Kafka's connect-standalone.sh sets them).
start_debezium() {
    cat >"$W/$1.worker" <<EOF
bootstrap.servers=$KB
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter.schemas.enable=false
offset.storage.file.filename=$W/$1.offsets
listeners=http://127.0.0.1:$CONNECT_PORT
producer.acks=all
producer.compression.type=lz4
${DBZ_WORKER_EXTRA:-}
EOF
    cat >"$W/$1.connector" <<EOF
name=$1
connector.class=io.debezium.connector.mariadb.MariaDbConnector
tasks.max=1
database.hostname=127.0.0.1
database.port=$PORT
database.user=peer
database.password=peerpw
database.server.id=$3
topic.prefix=$1
database.include.list=binlogd
table.include.list=$(echo "$4" | sed 's/[^,][^,]*/binlogd.&/g')
snapshot.mode=$2
decimal.handling.mode=string
schema.history.internal.kafka.bootstrap.servers=$KB
schema.history.internal.kafka.topic=$1.history
EOF
    n=$1
    shift 4
    for o in "$@"; do echo "$o" >>"$W/$n.connector"; done
    set -- "$n"
    rm -f "$W/$1.offsets"
    T0=$(now)
    # heap as Kafka's connect-standalone.sh sets it
    # shellcheck disable=SC2086
    "$JAVA" ${DBZ_HEAP:--Xms256M -Xmx2G} -Djava.awt.headless=true -cp "$DBZ/*" \
        org.apache.kafka.connect.cli.ConnectStandalone "$W/$1.worker" "$W/$1.connector" >"$W/$1.log" 2>&1 &
    RUN=$!
}
