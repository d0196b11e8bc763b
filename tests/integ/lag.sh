#!/bin/sh
# Lag, gates and alerts against a real MariaDB and a real Kafka broker.
#
# Starts MariaDB on 127.0.0.1:$LAG_DB_PORT (13650) and Kafka on
# 127.0.0.1:$LAG_KAFKA_PORT (13950) in build/integ/lag, an Alertmanager
# stand-in (build/tests/webhook_recv) on $LAG_HOOK_PORT (13653), and one
# daemon serving HTTP on $LAG_HTTP_PORT (13652) with a gate "statement"
# over pay.split_flow and pay.counterparty, consumer group "stmt", a
# heartbeat probe table, alerts to the webhook.  Groups:
#   1  the incident: a downstream consumer group keeps up on split_flow and
#      stalls on counterparty across the cut-off.  The gate reports skewed
#      and at risk, both alerts reach the webhook within 5 s of the skew
#      passing max_skew, `binlogd gate --wait` blocks (exit 3 when asked
#      without waiting); a statement computed from the consumer's copy
#      before the gate opens has flows without counterparty; when the
#      consumer catches up the gate turns ready, `gate --wait` exits 0, a
#      statement computed then has none, and the alerts are resolved
#   3  stuck truth: Kafka frozen (SIGSTOP) while writes go on: the acked
#      lag grows second by second while the read lag stays under 1 s,
#      /lag?max=2s says 429 (200 for the read stage), /status agrees;
#      thawed, both return to 0 and /lag says 200; the Kafka alert fires
#      and resolves.  The source frozen: disconnected (metric, alert), read
#      lag grows; thawed: reconnected, resolved, 0
#   4  accuracy: under a steady write load the acked lag is within 100 ms
#      of the heartbeat probe's end-to-end figure at every sample
#   5  retention: binlog_expire_logs_seconds = 20 and Kafka frozen so the
#      checkpoint's file stays: the headroom counts down, its alert reaches
#      the webhook before the server purges the file
#   2  idle truth: no writes for $LAG_IDLE s: every lag is 0 and no alert
#      fires; writes to a filtered table only: the same; after a restart,
#      lag is 0 as soon as /metrics answers with a head poll
#   6  /metrics is valid exposition format (promtool check metrics), and
#      the metric names it exports are exactly those of docs/metrics.md
# Ends with "N passed, N failed".
#
# Environment: BINLOGD, LAG_DB_PORT, LAG_KAFKA_PORT, LAG_HTTP_PORT,
# LAG_HOOK_PORT, LAG_IDLE (60), LAG_ONLY="1 2", LAG_KEEP=1.
set -u
cd "$(dirname "$0")/../.."
export LC_ALL=C

B=${BINLOGD:-build/binlogd}
RECV=build/tests/webhook_recv
DBPORT=${LAG_DB_PORT:-13650}
KPORT=${LAG_KAFKA_PORT:-13950}
HPORT=${LAG_HTTP_PORT:-13652}
WPORT=${LAG_HOOK_PORT:-13653}
IDLE=${LAG_IDLE:-60}
ONLY=${LAG_ONLY:-}
DIR=build/integ/lag
URL=http://127.0.0.1:$HPORT

. tests/lib.sh
. tests/integ/servers.sh
PIDS="" # background processes to stop at the end
FROZEN=""
cleanup() {
    [ -n "$FROZEN" ] && kill -CONT "$FROZEN" 2>/dev/null
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    sleep 0.3
    for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
    servers_stop
    if [ "${LAG_KEEP:-0}" != 1 ] && [ "$fail" -eq 0 ]; then rm -rf "$DIR"; fi
}
trap cleanup EXIT
on_interrupt
for f in "$B" "$RECV"; do
    [ -x "$f" ] || { bad "$f is missing: build first (make unit)"; finish; }
done

# ---- servers -----------------------------------------------------------------
servers_start --binlog_row_metadata=FULL
KPID=$(cat "$DIR/kafka/kafka.pid")
sql() { sh "$MSH" sql "$DIR/db" -N -B "$@"; }
sql -e "CREATE DATABASE pay; CREATE DATABASE noise;
CREATE TABLE pay.counterparty (id INT PRIMARY KEY, name VARCHAR(40));
CREATE TABLE pay.split_flow (id INT PRIMARY KEY, cp_id INT NOT NULL, amount DECIMAL(12,2));
CREATE TABLE noise.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT);
GRANT CREATE, INSERT, DELETE ON binlogd.* TO 'repl'@'127.0.0.1';"
printf 'replpw\n' >"$W/pw"
"$RECV" "$WPORT" "$W/hook.jsonl" >"$W/hook.log" 2>&1 &
PIDS="$PIDS $!"

# ---- the daemon ------------------------------------------------------------------
# the cut-off: CUT seconds from now, the job JOB seconds from now (UTC)
hms() { date -u -d "@$1" +%H:%M:%S; }
mkconf() { # CUT_EPOCH JOB_EPOCH
    cat >"$W/d.conf" <<EOF
[source]
host = 127.0.0.1
port = $DBPORT
user = repl
password_file = $AW/pw
server_id = 501
name = lag
heartbeat = 1
connect_timeout = 2
ssl_mode = DISABLED
start = head
[kafka]
bootstrap.servers = $BS
linger.ms = 1
[filter]
include = pay.*, binlogd.heartbeat
[state]
dir = $AW/state
checkpoint_interval = 200ms
[lag]
head_poll = 250ms
consumer_poll = 250ms
heartbeat_table = binlogd.heartbeat
heartbeat_interval = 200ms
alert_lag = 8s
alert_stage = acked
retention_alert = 15s
kafka_stall_alert = 5s
disconnect_alert = 3s
[http]
listen = 127.0.0.1:$HPORT
[alert]
webhook = http://127.0.0.1:$WPORT/api/v2/alerts
repeat = 2s
webhook_retries = 2
[gate statement]
tables = pay.split_flow, pay.counterparty
cutoff = $(hms "$1")
timezone = UTC
consumer_group = stmt
job_start = $(hms "$2")
margin = 10m
max_skew = 3s
EOF
}
start_daemon() {
    "$B" run -c "$W/d.conf" >>"$W/d.log" 2>&1 &
    DP=$!
    PIDS="$PIDS $DP"
}
stop_daemon() {
    kill -TERM "$DP" 2>/dev/null
    waitfor 20 gone "$DP" || kill -9 "$DP" 2>/dev/null
    wait "$DP" 2>/dev/null
}
metrics() { curl -s --max-time 3 "$URL/metrics"; }
# metric NAME{LABELS}: its value ("" when absent)
metric() { metrics | awk -v k="$1" '$1 == k { print $2; exit }'; }
up() { curl -s --max-time 1 -o /dev/null "$URL/status"; }
# lt A B / le, gt: float comparisons
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }
# hook_has ALERTNAME STATE(firing|resolved): a notification in the receiver's file
hook_has() {
    if [ "$2" = firing ]; then
        jq -c ".[] | select(.labels.alertname == \"$1\" and (has(\"endsAt\") | not))" \
            "$W/hook.jsonl" 2>/dev/null | grep -q .
    else
        jq -c ".[] | select(.labels.alertname == \"$1\" and has(\"endsAt\"))" \
            "$W/hook.jsonl" 2>/dev/null | grep -q .
    fi
}
# a writer: one transaction a tick, counterparty then the flow that points at it
writer() { # FIRST COUNT SLEEP
    i=$1
    end=$(($1 + $2))
    while [ "$i" -lt "$end" ]; do
        echo "BEGIN; INSERT INTO pay.counterparty VALUES ($i, 'cp$i');
              INSERT INTO pay.split_flow VALUES ($i, $i, $i.25); COMMIT;"
        sleep "$3"
        i=$((i + 1))
    done | sh "$MSH" sql "$DIR/db" >/dev/null 2>&1
}
TOPIC_F=lag.pay.split_flow
TOPIC_C=lag.pay.counterparty
CONSUMING="" # topics a consumer of group stmt reads
consumer() { # TOPIC OUT: a member of group stmt, committing every 100 ms
    CONSUMING="$CONSUMING $1"
    kcat -b "$BS" -G stmt -X auto.offset.reset=earliest -X auto.commit.interval.ms=100 \
        -u -q -f '%s\n' "$1" >>"$2" 2>>"$W/kcat.err" &
    PIDS="$PIDS $!"
}
# statement OUT CUTOFF_US: flows of the consumer's copy committed before the
# cut-off whose counterparty is not in the copy (a count)
statement() {
    jq -r 'select(.after != null) | .after.id' "$W/cp.copy" 2>/dev/null | sort -u >"$W/cp.ids"
    jq -r --argjson c "$1" 'select(.after != null and .source.ts_us < $c) | .after.cp_id' \
        "$W/flow.copy" 2>/dev/null | sort -u >"$W/flow.cps"
    comm -23 "$W/flow.cps" "$W/cp.ids" | wc -l
}

# ---- 1: the incident ---------------------------------------------------------------
now=$(date +%s)
CUT=$((now + 14))
mkconf "$CUT" $((now + 40))
start_daemon
waitfor 15 up || bad "the daemon serves no HTTP (see $W/d.log)"
# the topics exist before consumers subscribe (kcat gives up on a missing one)
sql -e "INSERT INTO pay.counterparty VALUES (0, 'seed'); INSERT INTO pay.split_flow VALUES (0, 0, 0)"
has_msg() { kcat -b "$BS" -C -t "$1" -o beginning -c 1 -e -q >/dev/null 2>&1; }
waitfor 30 has_msg "$TOPIC_F" && waitfor 30 has_msg "$TOPIC_C" || bad "topics not created"
if want 1; then
    section "1 the incident: counterparty stalls across the cut-off"
    : >"$W/flow.copy"
    : >"$W/cp.copy"
    consumer "$TOPIC_F" "$W/flow.copy" # counterparty's consumer is stalled: not started
    writer 1 60 0.25 &
    WR=$!
    t_stall=$(now_ms) # the first counterparty change nobody consumes
    # the scheduler asks for today's cut-off (before it passes, the current
    # one is yesterday's, which is complete)
    CUTS=$(date -u -d "@$CUT" +%Y-%m-%dT%H:%M:%SZ)
    "$B" gate -c "$W/d.conf" statement --cutoff "$CUTS" --wait 120s >"$W/gatewait.out" 2>&1 &
    GW=$!
    PIDS="$PIDS $GW"
    # the skew passes max_skew (3 s) 3 s after the stall began
    if waitfor 20 hook_has BinlogdGateSkewed firing; then
        dt=$(($(now_ms) - t_stall - 3000))
        echo "   skewed alert at the webhook $dt ms after the skew passed 3 s"
        check "skewed alert within 5 s of the threshold" [ "$dt" -le 5000 ]
    else
        bad "no BinlogdGateSkewed alert at the webhook"
    fi
    # after the cut-off: not ready and the job starts within the margin
    waitfor 30 hook_has BinlogdGateAtRisk firing || bad "no BinlogdGateAtRisk alert at the webhook"
    dt=$(($(now_ms) - CUT * 1000))
    echo "   at-risk alert at the webhook $dt ms after the cut-off"
    check "at-risk alert within 5 s of the cut-off" [ "$dt" -le 5000 ]
    st=$(curl -s "$URL/gates/statement")
    check "/gates/statement says at_risk: $st" [ "$(echo "$st" | jq -r .state)" = at_risk ]
    check "/gates/statement skewed" [ "$(echo "$st" | jq -r .skewed)" = true ]
    check "/gates/statement 503" [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/gates/statement")" = 503 ]
    check "metric binlogd_gate_at_risk 1" [ "$(metric 'binlogd_gate_at_risk{gate="statement"}')" = 1 ]
    check "metric binlogd_gate_skewed 1" [ "$(metric 'binlogd_gate_skewed{gate="statement"}')" = 1 ]
    check "binlogd gate --wait still blocks" kill -0 "$GW"
    "$B" gate -c "$W/d.conf" statement >"$W/gate0.out" 2>&1
    rc=$?
    check "binlogd gate after the cut-off: exit 3, not ready (got $rc)" [ "$rc" -eq 3 ]
    check "binlogd gate names the table behind" grep -q counterparty "$W/gate0.out"
    wait "$WR"
    cutus=$((CUT * 1000000))
    sleep 1
    bad_before=$(statement "$cutus")
    echo "   statement before the gate opens: $bad_before flows without counterparty"
    check "the incident reproduced (flows without counterparty)" [ "$bad_before" -gt 0 ]
    # the counterparty consumer catches up
    consumer "$TOPIC_C" "$W/cp.copy"
    if waitfor 60 gone "$GW"; then
        wait "$GW"
        rc=$?
        check "binlogd gate --wait exits 0 once ready (got $rc)" [ "$rc" -eq 0 ]
    else
        bad "binlogd gate --wait still blocked after the consumer caught up"
    fi
    check "/gates/statement 200" [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/gates/statement")" = 200 ]
    bad_after=$(statement "$cutus")
    echo "   statement after the gate opened: $bad_after flows without counterparty"
    check "statement after the gate: zero flows without counterparty" [ "$bad_after" -eq 0 ]
    nflows=$(jq -r --argjson c "$cutus" 'select(.source.ts_us < $c) | .after.id' "$W/flow.copy" | sort -u | wc -l)
    check "the statement covers flows ($nflows)" [ "$nflows" -gt 10 ]
    waitfor 10 hook_has BinlogdGateAtRisk resolved || bad "at-risk alert not resolved at the webhook"
    waitfor 10 hook_has BinlogdGateSkewed resolved || bad "skewed alert not resolved at the webhook"
fi

# ---- 3: stuck truth ---------------------------------------------------------------
if want 3; then
    section "3 stuck truth: Kafka frozen while writes go on"
    writer 1000 200 0.1 &
    WR=$!
    sleep 2
    kill -STOP "$KPID"
    FROZEN=$KPID
    prev=-1
    grows=0
    readok=0
    for s in 1 2 3 4 5 6 7 8; do
        sleep 1
        a=$(metric 'binlogd_lag_seconds{stage="acked"}')
        r=$(metric 'binlogd_lag_seconds{stage="read"}')
        echo "   frozen +${s}s: acked $a s, read $r s"
        gt "$a" "$prev" && grows=$((grows + 1))
        lt "$r" 1 && readok=$((readok + 1))
        prev=$a
    done
    check "acked lag grows every second while Kafka is frozen ($grows/8)" [ "$grows" -eq 8 ]
    check "acked lag about the time frozen ($prev s)" gt "$prev" 6
    check "read lag stays under 1 s ($readok/8)" [ "$readok" -eq 8 ]
    code() { curl -s -o /dev/null -w '%{http_code}' "$URL$1"; }
    check "/lag?max=2s: 429 while Kafka is frozen" [ "$(code '/lag?max=2s')" = 429 ]
    check "/lag?max=2s&stage=read: 200 (reading goes on)" [ "$(code '/lag?max=2s&stage=read')" = 200 ]
    check "/lag?max=bad: 400" [ "$(code '/lag?max=bad')" = 400 ]
    check "/lag?max=1e308h (infinite once in seconds): 400, not inf in JSON" [ "$(code '/lag?max=1e308h')" = 400 ]
    st=$(curl -s "$URL/status")
    check "/status: acked lag as in /metrics" gt "$(echo "$st" | jq -r .lag.acked.lag_s)" 7
    check "/status: the gate" [ "$(echo "$st" | jq -r '.gates[0].gate')" = statement ]
    check "/status: no secret" sh -c "! echo '$st' | grep -q replpw"
    check "Kafka not acknowledging for 5 s: alert at the webhook" \
        waitfor 5 hook_has BinlogdKafkaNotAcknowledging firing
    kill -CONT "$KPID"
    FROZEN=""
    kill "$WR" 2>/dev/null
    wait "$WR" 2>/dev/null
    zero() { [ "$(metric "binlogd_lag_seconds{stage=\"$1\"}")" = 0 ]; }
    check "thawed: acked lag back to 0" waitfor 30 zero acked
    check "thawed: read lag back to 0" waitfor 5 zero read
    check "/lag?max=2s: 200 once caught up" [ "$(code '/lag?max=2s')" = 200 ]
    check "Kafka answers: that alert resolved at the webhook" \
        waitfor 10 hook_has BinlogdKafkaNotAcknowledging resolved

    section "3 the source frozen (SIGSTOP): disconnected"
    DBPID=$(cat "$DIR/db/mysqld.pid")
    kill -STOP "$DBPID"
    FROZEN=$DBPID
    t_frz=$(now_ms)
    connected0() { [ "$(metric binlogd_source_connected)" = 0 ]; }
    check "binlogd_source_connected 0 once the stream times out" waitfor 20 connected0
    check "source disconnected: alert at the webhook" \
        waitfor 20 hook_has BinlogdSourceDisconnected firing
    echo "   disconnected alert $(($(now_ms) - t_frz)) ms after the source froze"
    rl=$(metric 'binlogd_lag_seconds{stage="read"}')
    check "frozen source: read lag not 0 (nothing confirms the head: $rl s)" gt "$rl" 1
    kill -CONT "$DBPID"
    FROZEN=""
    connected1() { [ "$(metric binlogd_source_connected)" = 1 ]; }
    check "reconnected after the source thawed" waitfor 60 connected1
    check "source disconnected: resolved at the webhook" \
        waitfor 10 hook_has BinlogdSourceDisconnected resolved
    check "read lag back to 0" waitfor 10 zero read
fi

# ---- 4: accuracy against the heartbeat probe ------------------------------------
if want 4; then
    section "4 accuracy: acked lag against the heartbeat probe"
    writer 5000 400 0.02 &
    WR=$!
    sleep 2
    worst=0
    for s in $(seq 1 30); do
        m=$(metrics)
        a=$(echo "$m" | awk '$1 == "binlogd_lag_seconds{stage=\"acked\"}" { print $2 }')
        h=$(echo "$m" | awk '$1 == "binlogd_heartbeat_lag_seconds" { print $2 }')
        d=$(awk -v a="$a" -v h="$h" 'BEGIN { d = a - h; if (d < 0) d = -d; print d }')
        gt "$d" "$worst" && worst=$d
        sleep 0.3
    done
    off=$(metric binlogd_clock_offset_seconds)
    echo "   worst |acked lag - probe| = $worst s over 30 samples (clock offset $off s)"
    check "acked lag within 100 ms of the probe ($worst s)" lt "$worst" 0.1
    check "probe measured ($h s)" lt "$h" 1
    kill "$WR" 2>/dev/null
    wait "$WR" 2>/dev/null
fi

# ---- 5: retention headroom -----------------------------------------------------------
if want 5; then
    section "5 retention: a short binlog expiry while the checkpoint cannot move"
    sql -e "SET GLOBAL binlog_expire_logs_seconds = 20"
    sleep 1
    kill -STOP "$KPID"
    FROZEN=$KPID
    writer 8000 5 0.1
    ckfile=$(sed -n 's/.*"file":"\([^"]*\)".*/\1/p' "$W/state/checkpoint.json")
    sql -e "FLUSH BINARY LOGS"
    t_rot=$(now_ms)
    writer 8100 5 0.1
    h1=$(metric binlogd_retention_headroom_seconds)
    sleep 2
    h2=$(metric binlogd_retention_headroom_seconds)
    echo "   checkpoint file $ckfile: headroom $h1 s, then $h2 s"
    check "headroom counts down ($h1 > $h2)" gt "$h1" "$h2"
    check "headroom under the 20 s expiry ($h1)" lt "$h1" 20.5
    waitfor 20 hook_has BinlogdRetentionHeadroomLow firing
    t_alert=$(now_ms)
    check "retention alert at the webhook" hook_has BinlogdRetentionHeadroomLow firing
    # the purge: the server drops the file at the next rotation after the expiry
    while [ $(($(now_ms) - t_rot)) -lt 21000 ]; do sleep 0.2; done
    sql -e "FLUSH BINARY LOGS"
    t_purge=$(now_ms)
    if sql -e "SHOW BINARY LOGS" | awk '{ print $1 }' | grep -qx "$ckfile"; then
        bad "the server did not purge $ckfile"
    else
        echo "   alert $((t_purge - t_alert)) ms before the server purged $ckfile"
        check "the alert came before the purge" [ "$t_alert" -lt "$t_purge" ]
    fi
    kill -CONT "$KPID"
    FROZEN=""
    sql -e "SET GLOBAL binlog_expire_logs_seconds = 0"
fi

# ---- 2: idle truth ------------------------------------------------------------------
if want 2; then
    section "2 idle truth: no writes for $IDLE s"
    # the probe writes rows of its own (a few ms of lag each time): off
    stop_daemon
    sed -i '/^heartbeat_table/d' "$W/d.conf"
    start_daemon
    waitfor 15 up || bad "the daemon serves no HTTP after a restart"
    # the downstream job's consumers keep up (when group 1 did not start them)
    case "$CONSUMING" in *"$TOPIC_F"*) ;; *) consumer "$TOPIC_F" "$W/flow.copy" ;; esac
    case "$CONSUMING" in *"$TOPIC_C"*) ;; *) consumer "$TOPIC_C" "$W/cp.copy" ;; esac
    # what came before is acknowledged and consumed (a consumer joining the
    # group takes a few seconds)
    caught_up() { # every lag 0, the group's two tables polled
        metrics | awk '/^binlogd_(table_|consumer_)?lag_seconds/ && $2 != "0" { n++ }
                       /^binlogd_consumer_lag_seconds/ { c++ }
                       END { exit n > 0 || c < 2 }'
    }
    waitfor 60 caught_up || bad "not caught up within 60 s before the idle test"
    sleep 3 # the alerts of that catching up are resolved
    # alert notifications from here on must be resolved ones only
    n0=$(wc -l <"$W/hook.jsonl")
    nonzero=0
    samples=0
    t_end=$(($(date +%s) + IDLE))
    while [ "$(date +%s)" -lt "$t_end" ]; do
        m=$(metrics)
        nz=$(echo "$m" | awk '/^binlogd_(table_|consumer_)?lag_seconds/ && $2 != "0" { n++ } END { print n + 0 }')
        [ "$nz" -gt 0 ] && echo "$m" | grep '^binlogd.*lag_seconds' | grep -v ' 0$' | head -3
        nonzero=$((nonzero + nz))
        samples=$((samples + 1))
        sleep 2
    done
    check "idle: every lag 0 in $samples samples ($nonzero non-zero)" [ "$nonzero" -eq 0 ]
    firing() { metrics | awk '/^binlogd_alert_firing/ && $2 == "1" { n++ } END { print n + 0 }'; }
    check "idle: no alert fires" [ "$(firing)" -eq 0 ]
    new=$(tail -n +$((n0 + 1)) "$W/hook.jsonl" | jq -c '.[] | select(has("endsAt") | not)' | wc -l)
    check "idle: no firing notification at the webhook ($new)" [ "$new" -eq 0 ]

    section "2 writes to a filtered table only"
    (for i in $(seq 1 100); do echo "INSERT INTO noise.t (v) VALUES ($i);"; sleep 0.1; done) |
        sh "$MSH" sql "$DIR/db" >/dev/null 2>&1 &
    WR=$!
    nonzero=0
    for s in $(seq 1 8); do
        sleep 1
        nz=$(metrics | awk '/^binlogd_(table_|consumer_)?lag_seconds/ && $2 + 0 > 0.5 { n++ } END { print n + 0 }')
        nonzero=$((nonzero + nz))
    done
    wait "$WR"
    check "filtered writes: no lag above 0.5 s ($nonzero)" [ "$nonzero" -eq 0 ]
    check "filtered rows counted" gt "$(metric binlogd_rows_filtered_total)" 50
    check "filtered writes: no alert fires" [ "$(firing)" -eq 0 ]

    section "2 restart"
    stop_daemon
    t_start=$(now_ms)
    start_daemon
    polled() { a=$(metric binlogd_head_poll_age_seconds) && [ -n "$a" ] && [ "$a" != "+Inf" ]; }
    waitfor 20 polled || bad "no head poll after the restart"
    first=$(metrics)
    echo "   first lag after the restart ($(($(now_ms) - t_start)) ms):" \
        $(echo "$first" | grep '^binlogd_lag_seconds')
    nz=$(echo "$first" | awk '/^binlogd_(table_)?lag_seconds/ && $2 != "0" { n++ } END { print n + 0 }')
    check "restart: lag 0 at once ($nz non-zero)" [ "$nz" -eq 0 ]
    sleep 3
    check "restart: no alert fires" [ "$(firing)" -eq 0 ]
fi

# ---- 6: /metrics format and docs -----------------------------------------------------
if want 6; then
    section "6 /metrics: exposition format, and the same names as docs/metrics.md"
    metrics >"$W/metrics.txt"
    if promtool check metrics <"$W/metrics.txt" >"$W/promtool.out" 2>&1; then
        ok
    else
        bad "promtool check metrics: $(head -5 "$W/promtool.out")"
    fi
    sed -n 's/^# TYPE \([a-z_]*\) .*/\1/p' "$W/metrics.txt" | sort -u >"$W/exported"
    sed -n 's/^| `\(\(binlogd\|process\)_[a-z_]*\)`.*/\1/p' docs/metrics.md | sort -u >"$W/documented"
    check "docs/metrics.md lists metrics" [ "$(wc -l <"$W/documented")" -gt 20 ]
    if cmp -s "$W/exported" "$W/documented"; then ok; else
        bad "exported vs documented: $(diff "$W/exported" "$W/documented" | tr '\n' ' ')"
    fi
    # every exported metric has samples' values that parse as numbers
    check "/metrics sample values are numbers" awk '!/^#/ && $2 !~ /^(-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/ { exit 1 }' "$W/metrics.txt"
    "$B" metrics-doc >"$W/metrics.md"
    check "docs/metrics.md is what binlogd metrics-doc prints" cmp -s "$W/metrics.md" docs/metrics.md
    # the process's own figures, as Prometheus clients export them
    now=$(date +%s)
    ps=$(awk '$1 == "process_start_time_seconds" { printf "%d", $2 }' "$W/metrics.txt")
    check "process_start_time_seconds is the daemon's start (${ps:-none}, now $now)" \
        [ -n "$ps" -a "${ps:-0}" -le "$now" -a "${ps:-0}" -gt $((now - 3600)) ]
    check "process_open_fds, process_resident_memory_bytes, process_cpu_seconds_total plausible" \
        awk '$1 == "process_open_fds" && $2 >= 5 { f = 1 } $1 == "process_resident_memory_bytes" && $2 > 1000000 { r = 1 }
            $1 == "process_cpu_seconds_total" && $2 > 0 { c = 1 } END { exit !(f && r && c) }' "$W/metrics.txt"
fi

stop_daemon
finish
