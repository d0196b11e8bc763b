#!/bin/sh
# A throw-away Apache Kafka broker (KRaft, one node) for the demo and the
# real-broker tests.
#
#   kafka.sh start  DIR PORT [name=value ...]   format (if new) and start
#   kafka.sh stop   DIR                         SIGTERM, SIGKILL after a time
#   kafka.sh status DIR                         exit 0 if running and answering
#   kafka.sh fetch                              only fill the jar cache
#
# One JVM is both the controller and the broker.  It listens on 127.0.0.1
# only: PLAINTEXT on PORT (clients: bootstrap 127.0.0.1:PORT) and CONTROLLER
# on PORT+1.  Everything lives under DIR: server.properties (written from
# deploy/dev/kafka/server.properties at every start; extra name=value
# arguments are appended and override it), data/ (topics and the metadata
# log, formatted with a random cluster id on first start), kafka.log,
# kafka.pid.  A DIR already formatted keeps its topics across restarts.
#
# The broker is org.apache.kafka:kafka_2.13 from Maven Central: `mvn`
# copies it and its runtime jars (deploy/dev/kafka/pom.xml) into
# $KAFKA_JARS_DIR/VERSION once; later runs use that cache and need no
# network.  The JVM is java on PATH (/usr/bin/java, JDK 17).  The first
# broker run also records a class-data-sharing archive (kafka.jsa, beside
# the jars) when it stops cleanly; later starts load it and take about
# 1.3 s (existing DIR) or 1.9 s (new DIR, formatting included) instead of
# about 3.5 s.
#
# Why Kafka 4.x and not 3.9: Kafka 4.0 removed old protocol versions
# (KIP-896), so Debian's librdkafka 2.0.2 was tried against it first.  It
# works: against 4.1.1, 4.3.1 and 4.4.0 (and 3.9.1), kcat produces with
# acks=all + enable.idempotence=true and consumes everything back, and a
# librdkafka 2.0.2 C program ran CreateTopics, init/commit/abort of a
# transaction, a read_committed group consumer that saw only the committed
# messages, and an offset commit.  librdkafka 2.0.2 negotiates versions far
# above the removed ones (ApiVersions v3, Metadata v4, Produce v7,
# InitProducerId v4, Fetch v11, ListOffsets v2, FindCoordinator v2,
# JoinGroup v5, SyncGroup v3, Heartbeat v3, OffsetCommit v7, OffsetFetch
# v7).  4.3.1 is the newest patch release served; KAFKA_VERSION=3.9.1 or
# 4.4.0 also pass tests/integ/kafka_smoke.sh.
#
# Environment:
#   KAFKA_VERSION        kafka_2.13 version (default 4.3.1)
#   KAFKA_JARS_DIR       jar cache (default build/kafka-jars of this repo);
#                        the jars go to KAFKA_JARS_DIR/VERSION
#   KAFKA_PARTITIONS     num.partitions of auto-created topics (default 3)
#   KAFKA_HEAP           -Xmx of the broker (default 512m)
#   KAFKA_JVM_OPTS       more JVM options (e.g. -XX:TieredStopAtLevel=1:
#                        about 0.3 s faster start, slower broker)
#   KAFKA_LOG_LEVEL      broker log level: trace debug info warn error (info)
#   KAFKA_JAVA           the java to run (default: java on PATH)
#   KAFKA_START_TIMEOUT  seconds to wait for the broker (default 60)
#   KAFKA_STOP_TIMEOUT   seconds between SIGTERM and SIGKILL (default 30)
# Exit status: 0 ok, 1 failure, 2 usage.
set -eu

PROG=kafka.sh
ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
POM=$ROOT/deploy/dev/kafka/pom.xml
TEMPLATE=$ROOT/deploy/dev/kafka/server.properties
VERSION=${KAFKA_VERSION:-4.3.1}
PARTITIONS=${KAFKA_PARTITIONS:-3}
HEAP=${KAFKA_HEAP:-512m}
LOG_LEVEL=${KAFKA_LOG_LEVEL:-info}
JAVA=${KAFKA_JAVA:-java}
START_TIMEOUT=${KAFKA_START_TIMEOUT:-60}
STOP_TIMEOUT=${KAFKA_STOP_TIMEOUT:-30}
LOCK=""

say() { printf '%s: %s\n' "$PROG" "$*"; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
usage() {
    cat >&2 <<EOF
usage: $PROG start DIR PORT [name=value ...]
       $PROG stop DIR
       $PROG status DIR
       $PROG fetch
EOF
    exit 2
}

need() { # command package
    command -v "$1" >/dev/null 2>&1 || die "$1 not found (install $2: make deps)"
}

isnum() { case "$1" in '' | *[!0-9]*) return 1 ;; esac; }

# alive PID: the process exists and is not a zombie waiting to be reaped.
alive() {
    kill -0 "$1" 2>/dev/null || return 1
    st=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null || true)
    [ "$st" != Z ]
}

# absdir DIR: print DIR as an absolute path (DIR must exist).
absdir() { (cd "$1" && pwd -P); }

# Milliseconds since the epoch (seconds * 1000 where date lacks %N).
now_ms() {
    t=$(date +%s%N)
    case "$t" in *N) echo $(($(date +%s) * 1000)) ;; *) echo $((t / 1000000)) ;; esac
}

# secs MS: "1.234" from milliseconds.
secs() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

# listening PORT: true if some socket listens on TCP PORT (any address).
listening() {
    hex=$(printf ':%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        awk -v p="$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }'
}

# --- the jar cache ----------------------------------------------------------

# Sets J (the cache directory of $VERSION).
jardir() {
    base=${KAFKA_JARS_DIR:-$ROOT/build/kafka-jars}
    mkdir -p "$base" || die "cannot create the jar cache $base"
    base=$(absdir "$base")
    case "$VERSION" in '' | *[!A-Za-z0-9._-]*) die "KAFKA_VERSION looks wrong: '$VERSION'" ;; esac
    J=$base/$VERSION
    JBASE=$base
}

unlock() {
    if [ -n "$LOCK" ]; then
        rm -rf "$LOCK"
        LOCK=""
    fi
}

# Fill $J once; concurrent callers wait for the one that fetches.
fetch_jars() {
    jardir
    [ -f "$J/.complete" ] && return 0
    need mvn maven
    LOCK=$JBASE/.fetch-$VERSION.lock
    n=0
    until mkdir "$LOCK" 2>/dev/null; do
        holder=$(cat "$LOCK/pid" 2>/dev/null || true)
        if [ -n "$holder" ] && ! kill -0 "$holder" 2>/dev/null; then
            rm -rf "$LOCK"
            continue
        fi
        n=$((n + 1))
        [ "$n" -lt 6000 ] || { LOCK=""; die "another fetch holds $JBASE/.fetch-$VERSION.lock for 10 minutes; remove it if stale"; }
        sleep 0.1
    done
    trap 'unlock' EXIT
    trap 'unlock; exit 130' INT
    trap 'unlock; exit 143' TERM
    echo $$ >"$LOCK/pid"
    if [ ! -f "$J/.complete" ]; then
        tmp=$JBASE/.fetch-$VERSION.$$
        log=$JBASE/fetch-$VERSION.log
        rm -rf "$tmp"
        say "fetching Kafka $VERSION (org.apache.kafka:kafka_2.13) and its runtime jars with mvn into $J" >&2
        t0=$(now_ms)
        if ! mvn -B -q -f "$POM" -Dkafka.version="$VERSION" \
            dependency:copy-dependencies -DincludeScope=runtime \
            -DoutputDirectory="$tmp" >"$log" 2>&1; then
            echo "---- last lines of $log ----" >&2
            tail -n 25 "$log" >&2
            rm -rf "$tmp"
            die "mvn could not fetch Kafka $VERSION (see $log)"
        fi
        [ -f "$tmp/kafka_2.13-$VERSION.jar" ] ||
            { rm -rf "$tmp"; die "mvn ran but $tmp/kafka_2.13-$VERSION.jar is missing (see $log)"; }
        echo "$VERSION" >"$tmp/.complete"
        rm -rf "$J"
        mv "$tmp" "$J"
        say "fetched $(ls "$J" | grep -c '\.jar$') jars in $(secs $(($(now_ms) - t0))) s" >&2
    fi
    unlock
    trap - EXIT INT TERM
}

# Sets CP: the cache's jars in a fixed order (a CDS archive records the
# class path, so it must not depend on directory order).
classpath() {
    CP=""
    for f in "$J"/*.jar; do
        [ -f "$f" ] || continue
        CP=${CP:+$CP:}$f
    done
    [ -n "$CP" ] || die "no jars in $J"
}

# --- the server directory ---------------------------------------------------

# Sets D (absolute DIR) and PROPS for an existing directory.
setdir() {
    [ -d "$1" ] || die "no such directory: $1"
    D=$(absdir "$1")
    PROPS=$D/server.properties
}

# pid of the broker running in $D, or nothing.
server_pid() {
    [ -s "$D/kafka.pid" ] || return 0
    p=$(cat "$D/kafka.pid" 2>/dev/null || true)
    isnum "$p" || return 0
    alive "$p" || return 0
    # Only ours: a kafka.Kafka started with this directory's properties.
    if [ -r "/proc/$p/cmdline" ] &&
        tr '\0' '\n' <"/proc/$p/cmdline" | grep -qxF -- "$PROPS" &&
        tr '\0' '\n' <"/proc/$p/cmdline" | grep -qxF kafka.Kafka; then
        echo "$p"
    fi
    return 0
}

# Port the configuration in $D was written for.
conf_port() {
    sed -n 's/^advertised\.listeners=PLAINTEXT:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p' "$PROPS" 2>/dev/null | head -n 1
}

# ping PORT: the broker answers a metadata request and lists itself.
ping_broker() {
    kcat -b "127.0.0.1:$1" -L -m 2 2>/dev/null | grep -qF "broker 1 at 127.0.0.1:$1"
}

show_log_tail() { # [first line]
    if [ -s "$D/kafka.log" ]; then
        echo "---- last lines of $D/kafka.log ----" >&2
        tail -n +"${1:-1}" "$D/kafka.log" | tail -n 30 >&2
        echo "------------------------------------" >&2
    fi
}

# java_hint LOG: a clear message when the JVM is too old for the jars.
java_hint() {
    if grep -q UnsupportedClassVersionError "$1" 2>/dev/null; then
        die "Kafka $VERSION needs Java 17 or later; $(command -v "$JAVA") is older (set KAFKA_JAVA)"
    fi
    return 0
}

# sed replacement text for VALUE (escapes \ & and the | delimiter).
sedrepl() { printf '%s' "$1" | sed 's/[\\&|]/\\&/g'; }

write_props() { # port extra...
    port=$1
    shift
    tmp=$PROPS.tmp.$$
    {
        echo "# written by deploy/dev/kafka.sh (Kafka $VERSION) from deploy/dev/kafka/server.properties;"
        echo "# rewritten at every start"
        sed -e "s|@PORT@|$port|g" \
            -e "s|@CONTROLLER_PORT@|$((port + 1))|g" \
            -e "s|@DATA_DIR@|$(sedrepl "$D/data")|g" \
            -e "s|@PARTITIONS@|$PARTITIONS|g" "$TEMPLATE"
        if [ $# -gt 0 ]; then
            echo
            echo "# extra options from the command line"
            for o in "$@"; do echo "$o"; done
        fi
    } >"$tmp"
    mv "$tmp" "$PROPS"
}

# The extra options of the running configuration, one line.
conf_extra() {
    sed -n '/^# extra options/,$p' "$PROPS" 2>/dev/null | sed '1d' | tr '\n' ' '
}

# --- class-data sharing -----------------------------------------------------
# The JVM maps the classes the broker loaded on an earlier run from
# $J/kafka.jsa instead of parsing the jars again (JDK 17's dynamic archive).
# A run without a usable archive writes one to $D/kafka.jsa.new when it
# exits; `stop` checks it and moves it beside the jars.  A damaged archive
# can crash the JVM, so every archive is tried with -Xshare:on first.

cds_ok() { # archive
    "$JAVA" -Xshare:on -XX:SharedArchiveFile="$1" -XX:ErrorFile=/dev/null \
        -XX:-CreateCoredumpOnCrash -cp "$CP" -version >/dev/null 2>&1
}

# Sets CDSOPT for a start in $D.
cds_opts() {
    CDSOPT=""
    rm -f "$D/kafka.jsa.new"
    if [ -s "$J/kafka.jsa" ]; then
        if cds_ok "$J/kafka.jsa"; then
            CDSOPT=-XX:SharedArchiveFile=$J/kafka.jsa
            return 0
        fi
        # made by another JDK build: record a new one
        rm -f "$J/kafka.jsa" 2>/dev/null || true
    fi
    [ -w "$J" ] && CDSOPT=-XX:ArchiveClassesAtExit=$D/kafka.jsa.new
    return 0
}

# After a clean stop: keep the archive the run wrote, if it is sound.
cds_promote() {
    new=$D/kafka.jsa.new
    [ -s "$new" ] || { rm -f "$new"; return 0; }
    v=$(sed -n 's/^# written by deploy\/dev\/kafka.sh (Kafka \([^)]*\)).*/\1/p' "$PROPS" | head -n 1)
    [ -n "$v" ] && VERSION=$v
    jardir
    if [ -f "$J/.complete" ] && [ ! -s "$J/kafka.jsa" ] && [ -w "$J" ]; then
        classpath
        if cds_ok "$new"; then
            cp "$new" "$J/.kafka.jsa.$$" && mv "$J/.kafka.jsa.$$" "$J/kafka.jsa" || rm -f "$J/.kafka.jsa.$$"
        fi
    fi
    rm -f "$new"
}

# --- commands ---------------------------------------------------------------

cmd_fetch() {
    [ $# -eq 0 ] || usage
    fetch_jars
}

cmd_start() {
    [ $# -ge 2 ] || usage
    dir=$1
    port=$2
    shift 2
    isnum "$port" || die "PORT must be a number, got '$port'"
    [ "$port" -ge 1024 ] && [ "$port" -le 65534 ] || die "PORT must be in 1024..65534, got $port"
    isnum "$PARTITIONS" && [ "$PARTITIONS" -ge 1 ] || die "KAFKA_PARTITIONS must be a number >= 1, got '$PARTITIONS'"
    isnum "$START_TIMEOUT" || die "KAFKA_START_TIMEOUT must be a number of seconds"
    for o in "$@"; do
        case "$o" in
        [a-z]*=*) ;;
        *) die "extra broker options must look like name=value, got '$o'" ;;
        esac
        case "${o%%=*}" in
        *[!a-z0-9._-]*) die "bad option name in '$o'" ;;
        process.roles | node.id | broker.id | controller.quorum.* | listeners | advertised.listeners | \
            controller.listener.names | inter.broker.listener.name | listener.security.protocol.map | \
            log.dir | log.dirs | metadata.log.dir)
            die "${o%%=*} is set by $PROG (loopback listeners, data in DIR) and cannot be changed" ;;
        esac
        case "$o" in *'
'*) die "newline in option '$o'" ;;
        esac
    done
    need kcat kcat
    command -v "$JAVA" >/dev/null 2>&1 || die "$JAVA not found (install default-jre-headless: make deps)"

    mkdir -p "$dir"
    D=$(absdir "$dir")
    PROPS=$D/server.properties
    case "$D" in *[,\\]* | *'
'*) die "the directory path must not contain a comma, a backslash or a newline: $D" ;;
    esac

    pid=$(server_pid)
    if [ -n "$pid" ]; then
        oldport=$(conf_port)
        if ping_broker "$oldport"; then
            # Idempotent only for the same request: same port, same options.
            newextra=""
            for o in "$@"; do newextra="$newextra$o "; done
            if [ "$oldport" != "$port" ] || [ "$(conf_extra)" != "$newextra" ]; then
                die "already running in $D on port $oldport with options '$(conf_extra)'; stop it first to change them"
            fi
            say "already running in $D (pid $pid, port $port)"
            return 0
        fi
        die "a broker (pid $pid) runs in $D but does not answer; run: $PROG stop $dir"
    fi

    for p in "$port" $((port + 1)); do
        if listening "$p"; then
            die "port $p is already in use (the broker needs PORT and PORT+1); pick another port"
        fi
    done

    fetch_jars
    classpath
    t0=$(now_ms)
    write_props "$port" "$@"
    cds_opts

    : >>"$D/kafka.log"
    loglines=$(($(wc -l <"$D/kafka.log") + 1))
    echo "==== kafka.sh start: Kafka $VERSION on 127.0.0.1:$port $(date '+%Y-%m-%d %H:%M:%S')" >>"$D/kafka.log"

    # Common JVM options: small heap, a GC without background threads,
    # IPv4 sockets (the listeners are 127.0.0.1 anyway), logs on stderr
    # (slf4j-simple) into kafka.log, crash files in DIR.
    set -- -Xmx"$HEAP" -XX:+UseSerialGC -Djava.awt.headless=true -Djava.net.preferIPv4Stack=true \
        -XX:ErrorFile="$D/hs_err_pid%p.log" \
        -Dorg.slf4j.simpleLogger.defaultLogLevel="$LOG_LEVEL" \
        -Dorg.slf4j.simpleLogger.showDateTime=true \
        "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS" \
        ${KAFKA_JVM_OPTS:-}

    if [ ! -f "$D/data/meta.properties" ]; then
        rm -rf "$D/data"
        # A cluster id is 16 random bytes in URL-safe base64 without padding;
        # like Kafka's Uuid.randomUuid(), none that starts with '-' (the
        # format tool would take it for an option).
        cid=-
        while [ "${cid#-}" != "$cid" ]; do
            cid=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | cut -c 1-22)
        done
        # The format tool reads the archive but does not write one.
        fmtcds=""
        case "$CDSOPT" in -XX:SharedArchiveFile=*) fmtcds=$CDSOPT ;; esac
        if ! (cd "$D" && "$JAVA" "$@" ${fmtcds:+"$fmtcds"} -cp "$CP" kafka.tools.StorageTool format \
            -t "$cid" -c "$PROPS") </dev/null >"$D/format.log" 2>&1; then
            echo "---- $D/format.log ----" >&2
            tail -n 25 "$D/format.log" >&2
            java_hint "$D/format.log"
            die "formatting the KRaft storage in $D/data failed"
        fi
        state="new data dir, cluster id $cid"
    else
        state="existing data dir"
    fi

    rm -f "$D/kafka.pid"
    (cd "$D" && exec nohup "$JAVA" "$@" ${CDSOPT:+"$CDSOPT"} -cp "$CP" kafka.Kafka "$PROPS") \
        </dev/null >>"$D/kafka.log" 2>&1 &
    launch=$!
    echo "$launch" >"$D/kafka.pid"

    # First the listening socket (cheap to watch), then a real request.
    while :; do
        if listening "$port" && ping_broker "$port"; then
            break
        fi
        if ! alive "$launch"; then
            show_log_tail "$loglines"
            rm -f "$D/kafka.pid" "$D/kafka.jsa.new"
            tail -n +"$loglines" "$D/kafka.log" >"$D/kafka.log.last"
            java_hint "$D/kafka.log.last"
            rm -f "$D/kafka.log.last"
            die "the broker exited during start-up (see $D/kafka.log)"
        fi
        if [ $(($(now_ms) - t0)) -ge $((START_TIMEOUT * 1000)) ]; then
            show_log_tail "$loglines"
            kill -KILL "$launch" 2>/dev/null || true
            rm -f "$D/kafka.pid" "$D/kafka.jsa.new"
            die "the broker did not answer on 127.0.0.1:$port within ${START_TIMEOUT}s (pid $launch killed)"
        fi
        sleep 0.05
    done
    say "Kafka $VERSION ready on 127.0.0.1:$port in $(secs $(($(now_ms) - t0))) s (pid $launch, $state)"
}

cmd_stop() {
    [ $# -eq 1 ] || usage
    if [ ! -d "$1" ]; then
        say "nothing to stop: no directory $1"
        return 0
    fi
    isnum "$STOP_TIMEOUT" || die "KAFKA_STOP_TIMEOUT must be a number of seconds"
    setdir "$1"
    pid=$(server_pid)
    if [ -z "$pid" ]; then
        rm -f "$D/kafka.pid" "$D/kafka.jsa.new"
        say "not running in $D"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    n=0
    killed=0
    while alive "$pid"; do
        n=$((n + 1))
        if [ "$n" -ge $((STOP_TIMEOUT * 10)) ]; then
            say "broker (pid $pid) still alive ${STOP_TIMEOUT}s after SIGTERM; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            killed=1
            sleep 0.2
            break
        fi
        sleep 0.1
    done
    alive "$pid" && die "could not stop pid $pid"
    rm -f "$D/kafka.pid"
    if [ "$killed" -eq 0 ]; then
        cds_promote
    else
        rm -f "$D/kafka.jsa.new"
    fi
    say "stopped (pid $pid)"
}

cmd_status() {
    [ $# -eq 1 ] || usage
    [ -d "$1" ] || { say "not running (no directory $1)"; exit 1; }
    setdir "$1"
    pid=$(server_pid)
    if [ -n "$pid" ]; then
        port=$(conf_port)
        if ping_broker "$port"; then
            say "running in $D (pid $pid, 127.0.0.1:$port)"
            return 0
        fi
        say "broker (pid $pid) runs in $D but does not answer on 127.0.0.1:$port"
        exit 1
    fi
    say "not running in $D"
    exit 1
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case "$cmd" in
start) cmd_start "$@" ;;
stop) cmd_stop "$@" ;;
status) cmd_status "$@" ;;
fetch) cmd_fetch "$@" ;;
-h | --help | help) usage ;;
*) echo "$PROG: unknown command '$cmd'" >&2; usage ;;
esac
