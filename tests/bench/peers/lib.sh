# tests/bench/peers/lib.sh - sourced by tests/bench/peers.sh and
# tests/bench/snapshot.sh, not run: fetching a peer's jars with mvn, how
# far a topic is, a process's CPU and peak RSS, stopping a process,
# starting Debezium (Kafka Connect standalone, or distributed with
# exactly-once source support).
# Wants JARS (the jar cache) set; acked, partitions, offsets, visible and
# follow want KB (bootstrap servers); watch and follow want now, TICK, T0
# and RUN (the process watched); start_debezium and start_debezium_eos say
# what they want.

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

# partitions TOPIC: its partition count, 0 while it does not exist.  From
# the metadata of all topics: asking for one topic could auto-create it.
partitions() {
    np=$(kcat -b "$KB" -L 2>/dev/null | sed -n "s/^ *topic \"$1\" with \([0-9]*\) partitions.*/\1/p")
    echo "${np:-0}"
}

# create_topic TOPIC: have the broker create TOPIC (a metadata request
# naming it auto-creates it, with the broker's default partition count) and
# wait until every partition has a leader.  A producer that creates its
# topic on first use can meet a partition without a leader yet
# (NOT_LEADER_OR_FOLLOWER); an idempotent Java producer with 5 requests in
# flight then got OUT_OF_ORDER_SEQUENCE_NUMBER for that batch on every
# retry, and Connect retries forever (tests/bench/peers.sh, 2026-12-08).
create_topic() {
    k=0
    while :; do
        md=$(kcat -b "$KB" -L -t "$1" 2>/dev/null || true)
        np=$(echo "$md" | sed -n "s/^ *topic \"$1\" with \([0-9]*\) partitions.*/\1/p")
        nl=$(echo "$md" | grep -c 'partition [0-9]*, leader [0-9]' || true)
        [ -z "$np" ] || [ "$np" -eq 0 ] || [ "$nl" -lt "$np" ] || return 0
        k=$((k + 1))
        [ $k -lt 150 ] || { echo "the broker did not create topic $1 with a leader for every partition in 30 s" >&2; exit 1; }
        sleep 0.2
    done
}

# offsets TOPIC NP: the sum of the end offsets of its NP partitions.
# kcat -Q lists offsets with librdkafka's default isolation.level,
# read_committed: each partition's last stable offset, i.e. up to the
# last committed transaction (transaction markers take offsets too); with
# no transactions that is the high watermark (acks=all on one broker:
# appended = acknowledged).
offsets() {
    a=""
    p=0
    while [ $p -lt "$2" ]; do a="$a -t $1:$p:-1"; p=$((p + 1)); done
    # shellcheck disable=SC2086
    kcat -b "$KB" -Q $a 2>/dev/null | awk '{s += $NF} END {print s + 0}'
}

# acked TOPIC: messages in TOPIC (sum of its partitions' end offsets), 0
# while it does not exist.
acked() {
    np=$(partitions "$1")
    [ "$np" -gt 0 ] || { echo 0; return 0; }
    offsets "$1" "$np"
}

# visible TOPIC: how many messages a read_committed consumer reads from it.
visible() {
    kcat -b "$KB" -C -t "$1" -e -q -X isolation.level=read_committed -f 'x\n' 2>/dev/null | wc -l
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

# follow TOPIC WANT_OFFSETS WANT_VISIBLE TXN LOG SAMPLES: sample TOPIC's
# committed end offsets (offsets) and $RUN's CPU ticks every ~50 ms, one
# line "unix-time offsets ticks" a sample into the file SAMPLES, until the
# topic is complete, while $RUN lives.  Complete: WANT_OFFSETS offsets when
# TXN is 0 (no transactions: one offset a message); when TXN is 1
# (transactions: the markers take offsets too, so the offsets alone do not
# say how many rows are in), at least WANT_OFFSETS offsets, unchanged for a
# second, and a read_committed consumer reads WANT_VISIBLE messages.
# Fails when the offsets stay the same for PEERS_STALL seconds (default
# 120) before that.
# Prints "first-time first-offsets first-ticks last-time last-offsets
# last-ticks peak-RSS-kB": the first sample with an offset, and the first
# sample at the final offsets (when the last row became visible).
follow() {
    np=0
    prev=-1
    tc=0
    : >"$6"
    while :; do
        [ "$np" -gt 0 ] || np=$(partitions "$1")
        if [ "$np" -gt 0 ]; then got=$(offsets "$1" "$np"); else got=0; fi
        t=$(now)
        c=$(cpu_ticks "$RUN" 2>/dev/null) || { tail -n 30 "$5" >&2; echo "the process died (log $5)" >&2; exit 1; }
        echo "$t $got $c" >>"$6"
        [ "$got" = "$prev" ] || { prev=$got; tc=$t; }
        [ "$(echo "$t - $tc > ${PEERS_STALL:-120}" | bc)" = 0 ] ||
            { tail -n 30 "$5" >&2; echo "$1 stalled at $got offsets (want $2) for ${PEERS_STALL:-120} s (log $5)" >&2; exit 1; }
        if [ "$got" -ge "$2" ]; then
            [ "$4" = 1 ] || break
            # unchanged for a second, and all there for a reader
            if [ "$(echo "$t - $tc >= 1" | bc)" = 1 ]; then
                [ "$(visible "$1")" -lt "$3" ] || break
                tc=$t
            fi
        fi
        kill -0 "$RUN" 2>/dev/null || { tail -n 30 "$5" >&2; echo "the process died (log $5)" >&2; exit 1; }
        sleep 0.03
    done
    h=$(hwm_kb "$RUN")
    awk -v h="$h" '
        $2 > 0 && f == "" { f = $1 " " $2 " " $3 }
        { t[NR] = $1; o[NR] = $2; c[NR] = $3 }
        END {
            i = NR
            while (i > 1 && o[i - 1] == o[NR]) i--
            print f, t[i], o[i], c[i], h
        }' "$6"
}

# the properties of Debezium's MariaDB connector for start_debezium and
# start_debezium_eos: NAME SNAPSHOT_MODE SERVER_ID TABLES [PROPERTY...],
# one name=value a line
dbz_connector() {
    cat <<EOF
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
    shift 4
    for o in "$@"; do echo "$o"; done
}

# slf4j-simple's log lines with the time of day
DBZ_LOGTIME="-Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"

# the worker properties both kinds of worker share
dbz_worker() {
    cat <<EOF
bootstrap.servers=$KB
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter.schemas.enable=false
listeners=http://127.0.0.1:$CONNECT_PORT
producer.acks=all
producer.compression.type=lz4
${DBZ_WORKER_EXTRA:-}
EOF
}

# start_debezium NAME SNAPSHOT_MODE SERVER_ID TABLES [PROPERTY...]: Kafka
# Connect standalone with Debezium's MariaDB connector capturing the
# comma-separated TABLES of database binlogd (topics NAME.binlogd.TABLE),
# extra connector properties name=value; RUN its pid, T0 its start.  Wants
# KB, CONNECT_PORT, PORT, W, JAVA, DBZ and now; DBZ_WORKER_EXTRA: lines
# added to the worker's properties, DBZ_HEAP: the JVM's heap options
# (default as Kafka's connect-standalone.sh sets them).
start_debezium() {
    {
        dbz_worker
        echo "offset.storage.file.filename=$W/$1.offsets"
    } >"$W/$1.worker"
    dbz_connector "$@" >"$W/$1.connector"
    set -- "$1"
    rm -f "$W/$1.offsets"
    T0=$(now)
    # heap as Kafka's connect-standalone.sh sets it
    # shellcheck disable=SC2086
    "$JAVA" ${DBZ_HEAP:--Xms256M -Xmx2G} -Djava.awt.headless=true $DBZ_LOGTIME -cp "$DBZ/*" \
        org.apache.kafka.connect.cli.ConnectStandalone "$W/$1.worker" "$W/$1.connector" >"$W/$1.log" 2>&1 &
    RUN=$!
}

# start_debezium_eos NAME SNAPSHOT_MODE SERVER_ID TABLES [PROPERTY...]: the
# same connector in a Kafka Connect DISTRIBUTED worker of its own (group
# NAME, its config, offset and status topics NAME.configs, NAME.offsets,
# NAME.status, one replica, one partition each) with
# exactly.once.source.support=enabled, the connector posted over the REST
# API with exactly.once.support=required (Connect refuses it unless the
# connector declares it can); RUN the worker's pid, T0 its start.  Returns
# once the connector is accepted.  Wants what start_debezium wants, and
# curl; DBZ_WORKER_EXTRA and DBZ_HEAP as there.
start_debezium_eos() {
    {
        dbz_worker
        cat <<EOF
group.id=$1
config.storage.topic=$1.configs
offset.storage.topic=$1.offsets
status.storage.topic=$1.status
config.storage.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
offset.storage.partitions=1
status.storage.partitions=1
exactly.once.source.support=enabled
rest.advertised.host.name=127.0.0.1
rest.advertised.port=$CONNECT_PORT
EOF
    } >"$W/$1.worker"
    # the connector as the REST API's JSON ({"name": ..., "config": {...}});
    # no value here holds a quote or a backslash
    dbz_connector "$@" exactly.once.support=required | awk -F= '
        NR == 1 { printf "{\"name\": \"%s\", \"config\": {", $2 }
        { v = substr($0, length($1) + 2); printf "%s\"%s\": \"%s\"", (NR > 1 ? ", " : ""), $1, v }
        END { print "}}" }' >"$W/$1.json"
    set -- "$1"
    T0=$(now)
    # shellcheck disable=SC2086
    "$JAVA" ${DBZ_HEAP:--Xms256M -Xmx2G} -Djava.awt.headless=true $DBZ_LOGTIME -cp "$DBZ/*" \
        org.apache.kafka.connect.cli.ConnectDistributed "$W/$1.worker" >"$W/$1.log" 2>&1 &
    RUN=$!
    # the REST API answers once the worker listens; a POST succeeds once it
    # has joined its group and read its config topic (409 before that)
    n=0
    while :; do
        kill -0 "$RUN" 2>/dev/null || { tail -n 30 "$W/$1.log" >&2; echo "the Connect worker died (log $W/$1.log)" >&2; exit 1; }
        code=$(curl -s -o "$W/$1.post" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
            --data @"$W/$1.json" "http://127.0.0.1:$CONNECT_PORT/connectors" 2>/dev/null) || code=000
        case $code in
        201) break ;;
        000 | 404 | 409 | 500 | 503) ;;
        *)
            cat "$W/$1.post" >&2
            echo >&2
            echo "Kafka Connect refused the connector $1 (HTTP $code, above; request $W/$1.json, log $W/$1.log)" >&2
            exit 1
            ;;
        esac
        n=$((n + 1))
        [ $n -lt 600 ] || { echo "Kafka Connect did not accept the connector $1 in 120 s (log $W/$1.log)" >&2; exit 1; }
        sleep 0.2
    done
}
