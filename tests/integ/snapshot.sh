#!/bin/sh
# `binlogd snapshot` (docs/snapshot.md): a table's existing rows loaded into
# Kafka as op "r" messages, chunk by chunk between watermarks, beside the
# live stream (DBLog), against real servers.
#
# Starts two MariaDB servers, binlog_row_metadata=FULL on
# 127.0.0.1:$SNAP_DB_PORT (14860) and NO_LOG (MariaDB's default: the daemon
# takes names from its schema source) on +1 (14861), both
# binlog_row_image=FULL, and one Kafka broker (KRaft, auto-created topics of
# ONE partition, so a topic is in commit order) on 127.0.0.1:$SNAP_KAFKA_PORT
# (14870, and +1), all in build/integ/snapshot; stops them on every exit
# path and kills every daemon and writer it started.  Daemons listen on
# $SNAP_HTTP_PORT (14880) and up (to +13).  Every group runs on both
# servers, with its own tables, daemon, state directory and topics (source
# name gN + f or n); the rows a snapshot loads are written with
# sql_log_bin=0 before the daemon starts (at the head), so they reach Kafka
# through the snapshot only.  Writers are shell loops of mariadb client
# batches (autocommit and small transactions) that, on random ids, half of
# them where the snapshot reads now (/snapshot's rows), update v and s,
# move a row's key out (id + 5000000, or 3 x the rows) and back, move a
# row into a freed id,
# delete, insert again (upsert and REPLACE) and insert above the greatest
# key.  A copy is the topic consumed from its beginning to its end with
# kcat and applied in order by build/tests/integ_snapshot_apply, compared
# with the table's SELECT (both sorted; on a difference the first lines
# are printed).  Groups:
#   1  exactness under load: pay.big (id INT key, v, s VARCHAR(40), amt
#      DECIMAL(12,2), updated DATETIME(6)), $SNAP_ROWS rows (2,000,000) on
#      FULL, $SNAP_ROWS_NOLOG (300,000) on NO_LOG, a writer running;
#      `binlogd snapshot --tables pay.big --wait` exits 0; the writer
#      stopped and the stream caught up (checkpoint at SHOW MASTER STATUS):
#      the copy equals the table; op r messages exist, as many as
#      binlogd_snapshot_rows_total, every one with before null and
#      source.snapshot {id, table, chunk, last}, last true on every row of
#      the last chunk and on no other; rows_dropped_total > 0 (windows did
#      drop rows the writer changed); /status's snapshot done; the elapsed
#      time and rows/s printed
#   2  kill -9 twice mid-snapshot (chunk_max $SNAP_KILL_CHUNK, 5000, of
#      $SNAP_KILL_ROWS rows, 300,000) under a writer, the daemon restarted
#      each time on the same state directory: the snapshot ends done, the
#      copy equals the table; the chunks read more than once (at two high
#      watermarks) are at most those in flight at the kills (sum of chunks
#      - chunks acknowledged in checkpoint.json + 1; also printed: the same
#      by /snapshot's chunks_acked), the chunks the checkpoint held at the
#      first kill were read once, not every chunk was read again
#   3  throttle (max_lag 1s): while a snapshot of pay.t3 ($SNAP_T3_ROWS,
#      400,000 rows, in chunks of $SNAP_T3_CHUNK, 100) runs, bursts into
#      another published table, each one INSERT ... SELECT of $SNAP_BURST
#      rows (1,000,000; two, then more while the snapshot runs, at most 4):
#      the acknowledged lag goes above 1 s, the snapshot pauses (/snapshot
#      paused with a reason, binlogd_snapshot_paused 1; no chunk published
#      while /snapshot says paused but the one in flight; "snapshots
#      paused" and "snapshots resume" logged), resumes (new chunks after the
#      pause) and finishes; the copy equals the table, every burst row
#      published; the lag, paused and the chunks printed every ~200 ms
#   4  refusals and keys, chunks forced to 2 rows (chunk_min = chunk_max =
#      2): a table without a usable key refused (exit 1, the table named,
#      nothing published); a composite key (INT, VARCHAR _general_ci: rows
#      (1,'a'), (1,'B'), (1,'c'), (2,'a'), ... after 1,030 filler rows, so
#      that they are chunked by 2 even when the first chunk is larger), a
#      string-only key and a table keyed by a UNIQUE NOT NULL key only:
#      complete, in the server's ORDER BY (collation) order, no chunk over 2
#      rows, the Kafka key the key's columns; FULL's and NO_LOG's reads
#      byte-identical (without source); patterns that match nothing
#      published (no table, an unpublished table, the signal table)
#      refused naming them.  Then (chunks of 500): a second request for a
#      table under snapshot refused; ALTER TABLE ADD COLUMN during the
#      snapshot of pay.dd under a writer: the table starts over
#      (binlogd_snapshot_restarts_total >= 1, /snapshot restarts >= 1, a log
#      line naming the table), the copy equals the table with the new
#      column; cancel of a running snapshot: exit 0, state cancelled, no
#      chunk after the one in flight, a second cancel exit 1
#   5  gates (chunks of 500): [gate g] names the table under snapshot
#      (stage acked): while it runs, GET
#      /gates/g and `binlogd gate g --cutoff <2 s ago>` say not ready (503,
#      exit 3) with "loading":true on it, though its watermark is past the
#      cut-off; never ready before the snapshot is done; ready (200, exit
#      0) once its last chunk is acknowledged; a cancelled snapshot no
#      longer holds its gate
#   6  a request across a clean restart (chunks of 1000 to 2000):
#      [snapshot] tables = pay.r6 starts
#      a snapshot; SIGTERM mid-way (exit 0): checkpoint.json carries the
#      request running with its acknowledged chunks K; after the restart
#      the chunks go on from K + 1 (none of 1..K published again), the
#      snapshot finishes, the copy equals the table; the config's request
#      is made once: a restart after it is done asks nothing again and
#      publishes nothing
# Prints "== section" lines, one line per check ("ok: WHAT" or "FAIL: WHAT
# (what was found)"), the figures ("  ..." lines), and last "N passed, N
# failed".  An interrupt counts as a failure; after a failure
# build/integ/snapshot is kept (logs, configs, consumed topics in .../work).
#
# Environment: BINLOGD (build/binlogd), SNAP_APPLY
# (build/tests/integ_snapshot_apply), SNAP_DB_PORT (14860), SNAP_KAFKA_PORT
# (14870), SNAP_HTTP_PORT (14880), SNAP_SERVERS ("f n": FULL, NO_LOG),
# SNAP_ONLY="1 4" runs those groups, SNAP_ROWS (2000000), SNAP_ROWS_NOLOG
# (300000), SNAP_KILL_ROWS (300000), SNAP_KILL_CHUNK (5000), SNAP_T3_ROWS
# (400000), SNAP_T3_CHUNK (100), SNAP_BURST (1000000), SNAP_ROWS_SMALL
# (groups 4 to 6: 150000), SNAP_KEEP=1 keeps the directory after a success.
# With the defaults the whole script takes about 3.5 minutes on 2 CPUs.
set -u
cd "$(dirname "$0")/../.."
export LC_ALL=C

B=${BINLOGD:-build/binlogd}
APPLY=${SNAP_APPLY:-build/tests/integ_snapshot_apply}
DBPORT=${SNAP_DB_PORT:-14860}
KPORT=${SNAP_KAFKA_PORT:-14870}
HBASE=${SNAP_HTTP_PORT:-14880}
ONLY=${SNAP_ONLY:-}
SERVERS=${SNAP_SERVERS:-f n}
ROWS_F=${SNAP_ROWS:-2000000}
ROWS_N=${SNAP_ROWS_NOLOG:-300000}
KROWS=${SNAP_KILL_ROWS:-300000}
KCHUNK=${SNAP_KILL_CHUNK:-5000}
T3ROWS=${SNAP_T3_ROWS:-400000}
T3CHUNK=${SNAP_T3_CHUNK:-100}
BURST=${SNAP_BURST:-1000000}
SROWS=${SNAP_ROWS_SMALL:-150000}
# a key moved out of the range: id + SHIFT (above every id written)
SHIFT=5000000
[ $((3 * ROWS_F)) -gt $SHIFT ] && SHIFT=$((3 * ROWS_F))
DIR=build/integ/snapshot
TAB=$(printf '\t')

. tests/lib.sh
. tests/integ/servers.sh
# one line per check, passed ones too
check() {
    _name=$1
    shift
    if "$@"; then
        ok
        echo "ok: $_name"
    else
        bad "$_name"
    fi
}
say() { echo "  $*"; }
secs() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

# processes this script started and has not reaped yet
DPIDS="" # daemons
WPIDS="" # writers, samplers, bursts
stop_servers() {
    [ -d "$DIR/kafka" ] && sh "$KSH" stop "$DIR/kafka" >/dev/null 2>&1 &
    for s in f n; do
        [ -f "$DIR/db$s/my.cnf" ] && sh "$MSH" stop "$DIR/db$s" >/dev/null 2>&1 &
    done
    wait
}
cleanup() {
    [ -d "$DIR/work" ] && : >"$DIR/work/stop.all"
    for p in $WPIDS; do kill "$p" 2>/dev/null; done
    for p in $DPIDS; do kill -9 "$p" 2>/dev/null; done
    stop_servers
    if [ "${SNAP_KEEP:-0}" != 1 ] && [ "$fail" -eq 0 ]; then rm -rf "$DIR"; fi
}
trap cleanup EXIT
on_interrupt

for f in "$B" "$APPLY"; do
    if [ ! -x "$f" ]; then
        bad "$f is missing: build it first (make && make unit)"
        finish
    fi
done
for t in kcat jq curl; do
    command -v $t >/dev/null 2>&1 || { bad "$t is missing"; finish; }
done

# ---- servers -----------------------------------------------------------------
port_of() { case $1 in f) echo "$DBPORT" ;; n) echo $((DBPORT + 1)) ;; esac; }
meta_of() { case $1 in f) echo FULL ;; n) echo NO_LOG ;; esac; }
sh "$KSH" stop "$DIR/kafka" >/dev/null 2>&1
for s in f n; do sh "$MSH" stop "$DIR/db$s" >/dev/null 2>&1; done
rm -rf "$DIR"
mkdir -p "$DIR/work"
W=$DIR/work
AW=$(cd "$W" && pwd -P)
section "servers: MariaDB FULL on 127.0.0.1:$DBPORT, NO_LOG on $((DBPORT + 1)), Kafka on $BS"
KAFKA_PARTITIONS=1 sh "$KSH" start "$DIR/kafka" "$KPORT" >"$W/kafka.start.log" 2>&1 &
SP_K=$!
for s in $SERVERS; do
    sh "$MSH" start "$DIR/db$s" "$(port_of $s)" --binlog_row_metadata="$(meta_of $s)" \
        --binlog_row_image=FULL --innodb_buffer_pool_size=256M >"$W/db$s.start.log" 2>&1 &
    eval "SP_$s=\$!"
done
started=1
for s in $SERVERS; do
    eval "p=\$SP_$s"
    if ! wait "$p"; then
        cat "$W/db$s.start.log"
        bad "MariaDB $(meta_of $s) did not start"
        started=0
    fi
done
if ! wait "$SP_K"; then
    cat "$W/kafka.start.log"
    bad "Kafka did not start"
    started=0
fi
[ "$started" = 1 ] || finish
printf 'replpw\n' >"$W/pw"

# sql S ARGS...: the client as root on server S (f or n), database pay
sql() {
    _s=$1
    shift
    sh "$MSH" sql "$DIR/db$_s" -N -B pay "$@"
}
head_pos() { sql "$1" -e "SHOW MASTER STATUS" 2>/dev/null | awk '{ print $1 ":" $2 }'; }
for s in $SERVERS; do
    sh "$MSH" sql "$DIR/db$s" -e "CREATE DATABASE pay; CREATE DATABASE other;
        GRANT INSERT, DELETE, CREATE ON binlogd.* TO 'repl'@'127.0.0.1'" ||
        bad "$(meta_of $s): the databases and the signal table's grants"
done

# mk_table S NAME ROWS: pay.NAME (id, v, s, amt, updated) with ids 1..ROWS,
# written without binlog (they predate the daemons: only a snapshot loads
# them); prints nothing
mk_table() {
    sql "$1" -e "CREATE TABLE $2 (id INT NOT NULL PRIMARY KEY, v INT, s VARCHAR(40),
        amt DECIMAL(12,2), updated DATETIME(6)) ENGINE=InnoDB" &&
        sql "$1" -e "SET SESSION sql_log_bin = 0;
        INSERT INTO $2 SELECT seq, seq % 1000, CONCAT('s-', seq), (seq % 100000) / 100 - 300,
            TIMESTAMP'2024-01-01 00:00:00.123456' + INTERVAL seq SECOND FROM seq_1_to_$3"
}
COLS="id v s amt updated"

# ---- writers -------------------------------------------------------------------
cat >"$W/writer.awk" <<'EOF'
# one batch of changes to pay.T (ids 1..N loaded), half where the snapshot
# reads now (ids at..at+win), as SQL statements; some in transactions
function pick(   v) {
    if (at > 0 && rand() < 0.5) { v = at + int(rand() * win); if (v <= n) return v }
    return 1 + int(rand() * n)
}
function val(i) { return sprintf("%d, 'w%d-%d', %d.%02d, NOW(6)", int(rand() * 100000), b, i, int(rand() * 9000) - 4000, int(rand() * 100)) }
BEGIN {
    srand(seed)
    cols = "(id, v, s, amt, updated)"
    intx = 0
    for (i = 0; i < nst; i++) {
        if (!intx && rand() < 0.1) { print "BEGIN;"; intx = 4 }
        x = pick(); y = pick(); r = rand()
        if (r < 0.30)
            printf "UPDATE %s SET v = v + 1, s = 'u%d-%d', updated = NOW(6) WHERE id = %d;\n", t, b, i, x
        else if (r < 0.40) {
            # the key out and (mostly at once) back
            printf "UPDATE IGNORE %s SET id = id + %d WHERE id = %d;\n", t, shift, x
            if (rand() < 0.6) printf "UPDATE IGNORE %s SET id = id - %d, v = v + 7 WHERE id = %d;\n", t, shift, x + shift
        } else if (r < 0.45)
            # back, later
            printf "UPDATE IGNORE %s SET id = id - %d WHERE id = %d;\n", t, shift, x + shift
        else if (r < 0.55) {
            # move row y into the id x freed
            printf "DELETE FROM %s WHERE id = %d;\n", t, x
            printf "UPDATE IGNORE %s SET id = %d, s = 'mv%d-%d' WHERE id = %d;\n", t, x, b, i, y
        } else if (r < 0.67)
            printf "DELETE FROM %s WHERE id = %d;\n", t, x
        else if (r < 0.79)
            printf "INSERT INTO %s %s VALUES (%d, %s) ON DUPLICATE KEY UPDATE v = VALUES(v), s = VALUES(s), amt = VALUES(amt), updated = VALUES(updated);\n", t, cols, x, val(i)
        else if (r < 0.87)
            printf "REPLACE INTO %s %s VALUES (%d, %s);\n", t, cols, x, val(i)
        else
            # above the greatest key the snapshot reads up to
            printf "INSERT INTO %s %s VALUES (%d, %s);\n", t, cols, n + 1 + b * nst + i, val(i)
        if (intx && --intx == 0) print "COMMIT;"
    }
    if (intx) print "COMMIT;"
}
EOF
# writer S TABLE ROWS TAG HTTP_PORT: batches of 200 changes to pay.TABLE until
# W/stop.TAG (or W/stop.all) exists; the batch count in W/wb.TAG
writer() {
    _b=0
    while [ ! -f "$W/stop.$4" ] && [ ! -f "$W/stop.all" ]; do
        _b=$((_b + 1))
        # where the snapshot reads now: its rows so far (ids are dense) and
        # two chunks on
        _at=$(curl -s --max-time 2 "http://127.0.0.1:$5/snapshot" 2>/dev/null |
            jq -r '[.snapshots[] | select(.state == "running") | .tables[] | select(.state == "running") | "\(.rows) \(.chunk_size)"] | (.[0] // "0 0")' 2>/dev/null)
        _win=${_at#* }
        _at=${_at%% *}
        case $_at in '' | *[!0-9]*) _at=0 ;; esac
        case $_win in '' | *[!0-9]*) _win=1000 ;; esac
        awk -v seed=$((_b * 7919 + $3 % 7907)) -v b=$_b -v nst=200 -v n="$3" -v at="$_at" -v win=$((2 * _win)) \
            -v t="$2" -v shift=$SHIFT -f "$W/writer.awk" >"$W/wbatch.$4.sql"
        sql "$1" --force <"$W/wbatch.$4.sql" >/dev/null 2>>"$W/writer.$4.err"
        echo "$_b" >"$W/wb.$4"
        sleep 0.02
    done
}
start_writer() { # S TABLE ROWS TAG HTTP_PORT
    rm -f "$W/stop.$4" "$W/wb.$4"
    writer "$@" &
    eval "WP_$4=\$!"
    WPIDS="$WPIDS $!"
}
wb() { cat "$W/wb.$1" 2>/dev/null || echo 0; }
wb_ge() { [ "$(wb "$1")" -ge "$2" ]; }
stop_writer() { # TAG
    : >"$W/stop.$1"
    eval "_p=\$WP_$1"
    wait "$_p"
    forget WPIDS "$_p"
    say "writer $1: $(wb "$1") batches of 200 changes ($(grep_count . "$W/writer.$1.err") client errors)"
}

# ---- configs and daemons -------------------------------------------------------
# hport G S: group G's daemon's HTTP port on server S; sid G S: its server_id
hport() { echo $((HBASE + 2 * $1 + $(echo "$2" | tr fn 01))); }
sid() { echo $((7700 + 2 * $1 + $(echo "$2" | tr fn 01))); }
# mkconf NAME S G INCLUDE SNAPSHOT_LINES [MORE]: W/NAME.conf, [source] name NAME
# (topics NAME.db.table), its own state directory and state topic
mkconf() {
    cat >"$W/$1.conf" <<EOF
; tests/integ/snapshot.sh
[source]
host = 127.0.0.1
port = $(port_of "$2")
user = repl
password_file = $AW/pw
server_id = $(sid "$3" "$2")
name = $1
heartbeat = 1
connect_timeout = 3
ssl_mode = DISABLED
start = head

[kafka]
bootstrap.servers = $BS
linger.ms = 5
state_topic = $1.state

[filter]
include = $4

[state]
dir = $AW/$1.state
checkpoint_interval = 200ms

[http]
listen = 127.0.0.1:$(hport "$3" "$2")

[daemon]
log_level = debug

[snapshot]
$5
${6:-}
EOF
}
start_daemon() { # NAME: sets DP (and P_NAME)
    echo "---- start $(date '+%H:%M:%S')" >>"$W/$1.log"
    "$B" run -c "$W/$1.conf" >>"$W/$1.log" 2>&1 &
    DP=$!
    eval "P_$1=$DP"
    DPIDS="$DPIDS $DP"
}
stop_pid() { # PID: SIGTERM, 30 s at most (then SIGKILL); sets RC
    kill -TERM "$1" 2>/dev/null
    waitfor 30 gone "$1" || kill -9 "$1" 2>/dev/null
    wait "$1"
    RC=$?
    forget DPIDS "$1"
}
kill9() { # PID
    kill -9 "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    forget DPIDS "$1"
}
http_up() { curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$1/status"; }
# started NAME PORT: wait for the daemon's HTTP, a FAIL if it does not answer
started_ok() {
    waitfor 30 http_up "$2" || bad "the daemon $1 does not answer on $2: $(tail -3 "$W/$1.log" | tr '\n' '|')"
}
ckpt_pos() {
    sed -n 's/.*"file":"\([^"]*\)","pos":\([0-9]*\),.*/\1:\2/p' "$W/$1.state/checkpoint.json" 2>/dev/null
}
ckpt_at_head() { _h=$(head_pos "$2") && [ -n "$_h" ] && [ "$(ckpt_pos "$1")" = "$_h" ]; }
caught_up() { # NAME S: a FAIL unless the checkpoint reaches the head within 120 s
    waitfor 120 ckpt_at_head "$1" "$2" ||
        bad "$(meta_of "$2"): $1 did not catch up: checkpoint $(ckpt_pos "$1"), head $(head_pos "$2")"
}
get() { curl -s --max-time 5 "http://127.0.0.1:$1$2"; }
metric() { # PORT NAME: the value of an unlabelled metric (or NAME{labels})
    get "$1" /metrics | awk -v m="$2" '$1 == m { print $2; exit }'
}
# sget PORT ID JQ: a field of /snapshot/ID
sget() { get "$1" "/snapshot/$2" | jq -r "$3" 2>/dev/null; }
snap_state() { sget "$1" "$2" .state; }
snap_ended() { case $(snap_state "$1" "$2") in done | failed | cancelled) return 0 ;; esac; return 1; }
acked_ge() { [ "$(sget "$1" "$2" '.tables[0].chunks_acked // 0')" -ge "$3" ] 2>/dev/null; }
# request NAME ARGS...: binlogd snapshot -c W/NAME.conf ARGS; sets RC, OUT
# (its output in W/NAME.req.N) and SID (the id it printed, if any)
REQN=0
request() {
    _n=$1
    shift
    REQN=$((REQN + 1))
    OUT=$W/$_n.req.$REQN
    "$B" snapshot -c "$W/$_n.conf" "$@" >"$OUT" 2>&1
    RC=$?
    SID=$(sed -n 's/.*: snapshot \([0-9][0-9]*\) accepted.*/\1/p' "$OUT" | head -1)
}
one_line() { tr '\n' '|' <"$1" | cut -c 1-300; }

# ---- Kafka and copies --------------------------------------------------------------
# raw TOPIC OUT: "key<TAB>value" per message, in offset order (one partition)
raw() { kcat -b "$BS" -C -t "$1" -o beginning -e -q -f '%k\t%s\n' >"$2" 2>"$2.err"; }
nmsgs() { kcat -b "$BS" -C -t "$1" -o beginning -e -q -f 'x\n' 2>/dev/null | wc -l; }
# copy RAW OUT [--chunks FILE] COLS...: the applied copy, sorted; the
# tool's summary in OUT.sum
copy() {
    _r=$1 _o=$2
    shift 2
    "$APPLY" "$@" <"$_r" 2>"$_o.sum" | sort >"$_o"
}
# table S TABLE OUT COLS: the table's SELECT, sorted
table() {
    _s=$1 _t=$2 _o=$3
    shift 3
    sql "$_s" -e "SELECT $(echo "$@" | tr ' ' ',') FROM $_t" | sort >"$_o"
}
# firstdiff WANT GOT: how many lines differ, and the first ones of each
firstdiff() {
    diff "$1" "$2" >"$2.diff"
    _nw=$(grep -c '^<' "$2.diff")
    _ng=$(grep -c '^>' "$2.diff")
    [ "$_nw$_ng" = 00 ] && return
    printf '%s rows of the table missing or different in the copy, %s rows of the copy not in the table; first: %s' \
        "$_nw" "$_ng" "$(grep '^[<>]' "$2.diff" | head -6 | tr '\t\n' ' |')"
}
nonempty_same() { [ -s "$1" ] && cmp -s "$1" "$2"; }
# same WHAT WANT GOT: GOT has lines and is WANT line for line
same() { check "$1 ($(wc -l <"$2") rows$(firstdiff "$2" "$3" | sed 's/^./; &/'))" nonempty_same "$2" "$3"; }
# sumfig SUMFILE WHAT: a figure of the tool's summary ("read more than once 3")
sumfig() { sed -n "s/.*$2 \([0-9][0-9]*\).*/\1/p" "$1" | head -1; }
# reads_ok SUMFILE: every check of the "reads:" line is 0
reads_ok() {
    grep '^reads: ' "$1" | sed 's/^reads: r [0-9]*,//' | tr ',' '\n' |
        awk '{ if ($NF != 0) b = 1; n++ } END { exit (b || n != 6) }'
}
reads_line() { grep '^reads: ' "$1"; }

# ==== 1: exactness under load =====================================================
g1() {
    s=$1 M=$(meta_of $1) N=$2 n=g1$1 H=$(hport 1 $1)
    section "1 ($M): exactness under load, pay.big of $N rows"
    t0=$(now_ms)
    mk_table $s big "$N" || bad "$M: pay.big not loaded"
    say "$M: $N rows loaded in $(($(now_ms) - t0)) ms"
    mkconf $n $s 1 'pay.big' 'chunk_min = 1000'
    start_daemon $n
    DP1=$DP
    started_ok $n "$H"
    start_writer $s big "$N" $n "$H"
    waitfor 30 wb_ge $n 3 || bad "$M: the writer did not get going"
    t0=$(now_ms)
    request $n --tables pay.big --wait 900s
    t1=$(now_ms)
    check "$M: binlogd snapshot --tables pay.big --wait: exit 0 ($RC: $(tail -2 "$OUT" | tr '\n' '|'))" [ "$RC" -eq 0 ]
    id=$SID
    rows=$(sget "$H" "$id" '.tables[0].rows')
    chunks=$(sget "$H" "$id" '.tables[0].chunks')
    el=$((t1 - t0))
    say "$M: snapshot $id: $rows rows in $chunks chunks in $(secs $el) s: $((rows * 1000 / (el > 0 ? el : 1))) rows/s, under a writer ($(wb $n) batches so far)"
    stop_writer $n
    caught_up $n $s
    st=$(get "$H" /status | jq -r ".snapshot.snapshots[] | select(.id == \"$id\") | .state")
    check "$M: /status: snapshot $id done ($st)" [ "$st" = done ]
    dropped=$(metric "$H" binlogd_snapshot_rows_dropped_total)
    rtotal=$(metric "$H" binlogd_snapshot_rows_total)
    say "$M: rows_total $rtotal, rows_dropped_total $dropped, windows_failed_total $(metric "$H" binlogd_snapshot_windows_failed_total), chunks_total $(metric "$H" binlogd_snapshot_chunks_total)"
    check "$M: rows_dropped_total > 0: windows dropped rows the writer changed ($dropped)" [ "${dropped:-0}" -gt 0 ]
    t2=$(now_ms)
    raw "$n.pay.big" "$W/$n.raw"
    copy "$W/$n.raw" "$W/$n.got" --chunks "$W/$n.chunks" $COLS
    table $s pay.big "$W/$n.want" $COLS
    say "$M: consumed, applied and selected in $(secs $(($(now_ms) - t2))) s: $(head -1 "$W/$n.got.sum")"
    same "$M: the copy applied from the topic equals SELECT id,v,s,amt,updated FROM pay.big" "$W/$n.want" "$W/$n.got"
    nr=$(sed -n 's/^reads: r \([0-9]*\),.*/\1/p' "$W/$n.got.sum")
    check "$M: op r messages exist, as many as binlogd_snapshot_rows_total ($nr, $rtotal)" \
        [ "${nr:-0}" -gt 0 -a "${nr:-0}" = "$rtotal" ]
    check "$M: every r: before null, source.snapshot {id, table, chunk, last}, last true on every row of the last chunk and no other ($(reads_line "$W/$n.got.sum"))" \
        reads_ok "$W/$n.got.sum"
    check "$M: the r messages carry snapshot id $id and table pay.big" \
        sh -c "grep -F '\"op\":\"r\"' '$W/$n.raw' | head -1 | grep -qF '\"snapshot\":{\"id\":\"$id\",\"table\":\"pay.big\",\"chunk\":1,'"
    nc=$(wc -l <"$W/$n.chunks")
    check "$M: the topic holds the $chunks chunks, each read once ($nc, read again $(sumfig "$W/$n.got.sum" 'more than once'))" \
        [ "$nc" = "$chunks" -a "$(sumfig "$W/$n.got.sum" 'more than once')" = 0 ]
    stop_pid "$DP1"
    check "$M: the daemon: exit 0 at SIGTERM ($RC)" [ "$RC" -eq 0 ]
    [ "$fail" -eq 0 ] && rm -f "$W/$n.raw"
}

# ==== 2: kill -9 twice ================================================================
g2() {
    s=$1 M=$(meta_of $1) n=g2$1 H=$(hport 2 $1)
    section "2 ($M): kill -9 twice mid-snapshot, pay.k2 of $KROWS rows, chunk_max $KCHUNK"
    mk_table $s k2 "$KROWS" || bad "$M: pay.k2 not loaded"
    mkconf $n $s 2 'pay.k2' "chunk_min = 1000
chunk_max = $KCHUNK"
    start_daemon $n
    started_ok $n "$H"
    start_writer $s k2 "$KROWS" $n "$H"
    request $n --tables pay.k2
    check "$M: snapshot of pay.k2 accepted ($RC: $(one_line "$OUT"))" [ "$RC" -eq 0 -a -n "$SID" ]
    id=${SID:-0}
    bound=0 bound_h=0 first=0 kills=0
    for k in 1 2; do
        # a few chunks acknowledged since the (re)start, the snapshot still running
        base=$(sget "$H" "$id" '.tables[0].chunks_acked // 0')
        waitfor 60 acked_ge "$H" "$id" $((base + 3)) || bad "$M: kill $k: no progress: $(get "$H" "/snapshot/$id" | cut -c 1-300)"
        get "$H" "/snapshot/$id" >"$W/$n.kill$k.json"
        cp "$W/$n.state/checkpoint.json" "$W/$n.kill$k.ckpt" 2>/dev/null
        kill9 "$DP"
        st=$(jq -r .state "$W/$n.kill$k.json")
        ch=$(jq -r '.tables[0].chunks' "$W/$n.kill$k.json")
        ah=$(jq -r '.tables[0].chunks_acked' "$W/$n.kill$k.json")
        ac=$(jq -r ".snapshot.requests[] | select(.id == \"$id\") | .tables[0].chunks" "$W/$n.kill$k.ckpt" 2>/dev/null)
        case $ac in '' | *[!0-9]*) ac=0 ;; esac
        say "$M: kill -9 $k: /snapshot $st, chunks $ch, chunks_acked $ah; checkpoint.json: $ac chunks"
        if [ "$st" != running ]; then
            bad "$M: kill $k: the snapshot was $st already (a bigger SNAP_KILL_ROWS)"
        else
            kills=$((kills + 1))
        fi
        [ "$k" = 1 ] && first=$ac
        min=$ah
        [ "$ac" -lt "$min" ] && min=$ac
        bound=$((bound + ch - min + 1))
        bound_h=$((bound_h + ch - ah + 1))
        start_daemon $n
        started_ok $n "$H"
        ra=$(sget "$H" "$id" '.tables[0].chunks_acked')
        check "$M: after kill $k the daemon resumes snapshot $id from its checkpoint: $(snap_state "$H" "$id"), chunks_acked $ra (the checkpoint's $ac)" \
            [ "${ra:-0}" -ge "$ac" ]
    done
    waitfor 300 snap_ended "$H" "$id"
    st=$(snap_state "$H" "$id")
    check "$M: the snapshot ends done ($st: $(sget "$H" "$id" '.tables[0] | "\(.chunks) chunks, \(.rows) rows"'))" [ "$st" = done ]
    stop_writer $n
    caught_up $n $s
    raw "$n.pay.k2" "$W/$n.raw"
    copy "$W/$n.raw" "$W/$n.got" --chunks "$W/$n.chunks" $COLS
    table $s pay.k2 "$W/$n.want" $COLS
    say "$M: $(head -1 "$W/$n.got.sum")"
    same "$M: after two kills, the copy equals pay.k2" "$W/$n.want" "$W/$n.got"
    again=$(sumfig "$W/$n.got.sum" 'more than once')
    nch=$(sumfig "$W/$n.got.sum" 'chunks')
    say "$M: chunks read more than once: $again; in flight at the kills: $bound (by checkpoint.json; by /snapshot's chunks_acked: $bound_h)"
    check "$M: chunks read again ($again) at most those in flight at the $kills kills ($bound)" \
        [ "${again:-99999}" -le "$bound" ]
    check "$M: not every chunk was read again ($again of $nch)" [ "${again:-0}" -lt "${nch:-0}" ]
    reread=$(awk -F '\t' -v f="$first" '$3 <= f && $4 > 1' "$W/$n.chunks" | wc -l)
    check "$M: the $first chunks the checkpoint held at the first kill were read once ($reread read again)" \
        [ "$first" -gt 0 -a "$reread" -eq 0 ]
    check "$M: r messages well formed ($(reads_line "$W/$n.got.sum"))" reads_ok "$W/$n.got.sum"
    stop_pid "$DP"
    check "$M: the daemon: exit 0 at SIGTERM ($RC)" [ "$RC" -eq 0 ]
}

# ==== 3: throttle ======================================================================
# sampler PORT ID OUT T0: every 200 ms "ms-since-T0 lag paused chunks chunks_acked state"
sampler() {
    _t0=$4
    while [ ! -f "$W/stop.sampler" ] && [ ! -f "$W/stop.all" ]; do
        _m=$(get "$1" /metrics)
        _lag=$(echo "$_m" | awk '$1 == "binlogd_lag_seconds{stage=\"acked\"}" { print $2 }')
        _pz=$(echo "$_m" | awk '$1 == "binlogd_snapshot_paused" { print $2 }')
        _j=$(get "$1" /snapshot)
        _c=$(echo "$_j" | jq -r "[(.snapshots[] | select(.id == \"$2\") | .tables[0] | .chunks, .chunks_acked, .state), .paused, (.pause_reason // \"-\")] | @tsv" 2>/dev/null)
        printf '%s\t%s\t%s\t%s\n' $(($(now_ms) - _t0)) "${_lag:-?}" "${_pz:-?}" "$_c" >>"$3"
        sleep 0.1
    done
}
g3() {
    s=$1 M=$(meta_of $1) n=g3$1 H=$(hport 3 $1)
    section "3 ($M): throttle: max_lag 1s, bursts of $BURST rows during the snapshot of pay.t3 ($T3ROWS rows, chunks of $T3CHUNK)"
    mk_table $s t3 "$T3ROWS" || bad "$M: pay.t3 not loaded"
    sql $s -e "CREATE TABLE burst (id INT NOT NULL PRIMARY KEY, v INT, s VARCHAR(40))"
    mkconf $n $s 3 'pay.t3, pay.burst' "max_lag = 1s
chunk_min = $T3CHUNK
chunk_max = $T3CHUNK"
    start_daemon $n
    started_ok $n "$H"
    T3=$(now_ms)
    request $n --tables pay.t3
    check "$M: snapshot of pay.t3 accepted ($RC: $(one_line "$OUT"))" [ "$RC" -eq 0 -a -n "$SID" ]
    id=${SID:-0}
    rm -f "$W/stop.sampler"
    sampler "$H" "$id" "$W/$n.series" "$T3" &
    SMP=$!
    WPIDS="$WPIDS $SMP"
    # the bursts: INSERT ... SELECT of BURST rows, one after the other,
    # while the snapshot runs (twice, more while it still runs: at most 4)
    h=$BURST
    nb=0
    brc=0
    while [ $nb -lt 4 ]; do
        if [ $nb -ge 2 ] && snap_ended "$H" "$id"; then break; fi
        sql $s -e "INSERT INTO burst SELECT $((nb * h)) + seq, seq % 977, CONCAT('burst-', seq) FROM seq_1_to_$h" \
            >>"$W/$n.burst.out" 2>&1 || brc=1
        nb=$((nb + 1))
        say "$M: burst $nb of $h rows committed at $(($(now_ms) - T3)) ms"
    done
    check "$M: $nb bursts of $h rows committed ($(one_line "$W/$n.burst.out"))" [ $brc -eq 0 ]
    waitfor 300 snap_ended "$H" "$id"
    sleep 1
    : >"$W/stop.sampler"
    wait "$SMP"
    forget WPIDS "$SMP"
    st=$(snap_state "$H" "$id")
    check "$M: the snapshot finishes ($st: $(sget "$H" "$id" '.tables[0] | "\(.chunks) chunks, \(.rows) rows"'))" [ "$st" = done ]
    say "$M: over time (ms since the request, acked lag s, binlogd_snapshot_paused, chunks, chunks_acked, state, /snapshot paused, reason):"
    sed 's/^/    /' "$W/$n.series" | cut -c 1-200
    # the analysis: the greatest lag; the paused runs and the chunks during them
    awk -F '\t' '
        $2 + 0 > max { max = $2 + 0 }
        # paused by /snapshot, whose answer also gave the chunks (the
        # metric was read just before it)
        { p = ($7 == "true") }
        p && !inrun { inrun = 1; runs++; c0 = $4; pz++; if (!pzr) pzr = $8 }
        p { pz_n++; if ($4 - c0 > grow) grow = $4 - c0; if ($2 + 0 > 1) above++ }
        $3 == "1" { pm++ }
        $7 == "true" { pj++ }
        !p && inrun { inrun = 0; if ($2 + 0 < 1) resumed_low++ }
        !p && runs && $4 > lastc { after++ }
        { lastc = $4 }
        END { printf "%s %d %d %d %d %d %d %d %s\n", max, runs, pz_n, grow, after, above, pm, pj, pzr }
    ' "$W/$n.series" >"$W/$n.an"
    read -r max runs pzn grow after above pm pj reason <"$W/$n.an"
    say "$M: greatest acked lag $max s; $runs paused runs, $pzn samples paused ($above with the lag above 1 s), at most $grow chunks published within a run; reason: $reason"
    check "$M: the acknowledged lag went above max_lag 1 s ($max)" awk "BEGIN { exit !($max > 1) }"
    check "$M: the snapshot paused: binlogd_snapshot_paused 1 ($pm samples), /snapshot \"paused\":true ($pj samples)" \
        [ "$pm" -gt 0 -a "$pj" -gt 0 ]
    check "$M: the pause says why ($reason)" [ -n "$reason" -a "$reason" != - ]
    check "$M: at most the chunk in flight published while paused ($grow)" [ "$grow" -le 1 ]
    check "$M: chunks published again after the pause ($after samples with a new chunk)" [ "$after" -gt 0 ]
    check "$M: the log says paused and resume" \
        sh -c "grep -q 'snapshots paused' '$W/$n.log' && grep -q 'snapshots resume' '$W/$n.log'"
    caught_up $n $s
    raw "$n.pay.t3" "$W/$n.raw"
    copy "$W/$n.raw" "$W/$n.got" $COLS
    table $s pay.t3 "$W/$n.want" $COLS
    same "$M: the copy of pay.t3 equals the table" "$W/$n.want" "$W/$n.got"
    nm=$(nmsgs "$n.pay.burst")
    check "$M: the bursts' $((nb * h)) rows published ($nm)" [ "$nm" -eq $((nb * h)) ]
    stop_pid "$DP"
    check "$M: the daemon: exit 0 at SIGTERM ($RC)" [ "$RC" -eq 0 ]
}

# ==== 4: refusals and keys ==================================================================
# rkeys RAW: the op r messages' keys and values without source, in topic order
rnorm() {
    grep -F '"op":"r"' "$1" | awk -F '\t' '{ v = $2; i = index(v, ",\"source\":{"); if (i) v = substr(v, 1, i - 1) "}"; print $1 "\t" v }'
}
g4() {
    s=$1 M=$(meta_of $1) n=g4$1 H=$(hport 4 $1)
    section "4 ($M): refusals and keys, chunks of 2 rows"
    sql $s -e "CREATE TABLE nokey (a INT, b INT);
        INSERT INTO nokey VALUES (1, 2), (1, 2), (3, 4);
        CREATE TABLE ck (a INT NOT NULL, b VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL,
            v INT, PRIMARY KEY (a, b));
        INSERT INTO ck VALUES (1, 'a', 1), (1, 'B', 2), (1, 'c', 3), (2, 'a', 4), (2, 'C', 5), (2, 'b', 6),
            (-1, 'x', 7), (3, 'A', 8), (3, 'é', 9);
        INSERT INTO ck SELECT CAST(seq AS SIGNED) - 2000, 'f', seq FROM seq_1_to_1030;
        CREATE TABLE sk (k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL PRIMARY KEY, v INT);
        INSERT INTO sk VALUES ('a', 1), ('B', 2), ('c', 3), ('D', 4), ('e', 5), ('Ab', 6), ('b1', 7), ('Z', 8),
            ('', 9), ('ß', 10), ('10', 11), ('9', 12);
        CREATE TABLE uk (u INT NOT NULL, v INT, w VARCHAR(10), UNIQUE KEY uq (u));
        INSERT INTO uk VALUES (5, 1, 'five'), (-3, 2, 'minus'), (7, 3, NULL), (0, 4, 'zero'), (100, 5, 'h');
        CREATE TABLE other.t (id INT PRIMARY KEY); INSERT INTO other.t VALUES (1)" ||
        bad "$M: group 4's tables"
    mkconf $n $s 4 'pay.nokey, pay.ck, pay.sk, pay.uk' 'chunk_min = 2
chunk_max = 2'
    start_daemon $n
    DP4=$DP
    started_ok $n "$H"
    request $n --tables pay.nokey
    check "$M: a table without a usable key: refused, exit 1 ($RC)" [ "$RC" -eq 1 ]
    check "$M: ... the message names the table ($(one_line "$OUT"))" grep -q 'pay.*nokey' "$OUT"
    request $n --tables 'pay.ck,pay.sk,pay.uk' --wait 120s
    check "$M: composite, string and unique keys: --wait exit 0 ($RC: $(tail -3 "$OUT" | tr '\n' '|'))" [ "$RC" -eq 0 ]
    id=${SID:-0}
    get "$H" "/snapshot/$id" >"$W/$n.keys.json"
    check "$M: keys: ck by PRIMARY (a, b), sk by PRIMARY (k), uk by its unique key uq (u) ($(jq -c '[.tables[] | [.table, .key_name, .key]]' "$W/$n.keys.json"))" \
        [ "$(jq -c '[.tables[] | [.table, .key_name, .key]] | sort' "$W/$n.keys.json")" = '[["pay.ck","PRIMARY",["a","b"]],["pay.sk","PRIMARY",["k"]],["pay.uk","uq",["u"]]]' ]
    caught_up $n $s
    for t in ck sk uk; do
        case $t in ck) c="a b v" k="a,b" ;; sk) c="k v" k=k ;; uk) c="u v w" k=u ;; esac
        raw "$n.pay.$t" "$W/$n.$t.raw"
        copy "$W/$n.$t.raw" "$W/$n.$t.got" --chunks "$W/$n.$t.chunks" $c
        table $s "pay.$t" "$W/$n.$t.want" $c
        same "$M: pay.$t complete" "$W/$n.$t.want" "$W/$n.$t.got"
        # the order of the reads: the server's ORDER BY key
        sql $s -e "SELECT $(echo $c | tr ' ' ',') FROM $t ORDER BY $k" >"$W/$n.$t.order.want"
        grep -F '"op":"r"' "$W/$n.$t.raw" | cut -f2 | jq -r ".after | [$(echo $c | sed 's/\([a-z]*\)/.\1/g; s/ /, /g')] | map(if . == null then \"NULL\" else tostring end) | @tsv" \
            >"$W/$n.$t.order.got"
        check "$M: pay.$t read in the server's ORDER BY $k order (last reads: $(tail -n 12 "$W/$n.$t.order.got" | tr '\t\n' ' |'))" \
            nonempty_same "$W/$n.$t.order.want" "$W/$n.$t.order.got"
        big=$(awk -F '\t' '$5 > 2' "$W/$n.$t.chunks" | wc -l)
        nc=$(wc -l <"$W/$n.$t.chunks")
        nr=$(wc -l <"$W/$n.$t.want")
        check "$M: pay.$t: $nc chunks, none over 2 rows ($big)" [ "$big" -eq 0 -a "$nc" -ge $(((nr + 1) / 2)) ]
        check "$M: pay.$t: reads well formed ($(reads_line "$W/$n.$t.got.sum"))" reads_ok "$W/$n.$t.got.sum"
        rnorm "$W/$n.$t.raw" >"$W/$n.$t.rnorm"
    done
    check "$M: pay.ck's Kafka key is {\"a\":..,\"b\":..} ($(grep -F '"b":"x"' "$W/$n.ck.rnorm" | cut -f1))" \
        grep -q "^{\"a\":-1,\"b\":\"x\"}$TAB" "$W/$n.ck.rnorm"
    check "$M: pay.uk's Kafka key is its unique key {\"u\":..} ($(head -1 "$W/$n.uk.rnorm" | cut -f1))" \
        sh -c "head -1 '$W/$n.uk.rnorm' | grep -q '^{\"u\":-3}$TAB'"
    n0=$(nmsgs "$n.pay.nokey")
    check "$M: nothing published for pay.nokey ($n0)" [ "$n0" -eq 0 ]
    request $n --tables 'nosuch.*'
    check "$M: a pattern that matches no table: refused, exit 1 ($RC: $(one_line "$OUT"))" [ "$RC" -eq 1 ]
    request $n --tables 'other.t'
    check "$M: an unpublished table: refused, exit 1, naming it ($RC: $(one_line "$OUT"))" \
        sh -c "[ $RC -eq 1 ] && grep -q 'other.t' '$OUT'"
    request $n --tables 'binlogd.snapshot_signal'
    check "$M: the signal table: refused, exit 1 ($RC: $(one_line "$OUT"))" [ "$RC" -eq 1 ]
    stop_pid "$DP4"
    check "$M: the daemon: exit 0 at SIGTERM ($RC)" [ "$RC" -eq 0 ]

    section "4 ($M): DDL during a snapshot, cancel"
    n=g4$1b H=$(hport 5 $1)
    mk_table $s dd "$SROWS" || bad "$M: pay.dd not loaded"
    mk_table $s cx "$SROWS" || bad "$M: pay.cx not loaded"
    mkconf $n $s 5 'pay.dd, pay.cx' 'chunk_min = 500
chunk_max = 500'
    start_daemon $n
    DP4=$DP
    started_ok $n "$H"
    start_writer $s dd "$SROWS" $n "$H"
    request $n --tables pay.dd
    check "$M: snapshot of pay.dd accepted ($RC)" [ "$RC" -eq 0 -a -n "$SID" ]
    id=${SID:-0}
    waitfor 60 acked_ge "$H" "$id" 3 || bad "$M: pay.dd: no progress"
    b0=$(sget "$H" "$id" '.tables[0] | "\(.state), chunk \(.chunks) (\(.chunks_acked) acknowledged) of about \(('$SROWS' / .chunk_size) | ceil)"')
    sql $s -e "ALTER TABLE dd ADD COLUMN extra INT NOT NULL DEFAULT 7"
    b1=$(sget "$H" "$id" '.tables[0] | "\(.state), chunk \(.chunks)"')
    say "$M: ALTER TABLE pay.dd ADD COLUMN extra: before it $b0; after it $b1"
    case $b1 in running*) ;; *) bad "$M: the snapshot of pay.dd was not running at the ALTER ($b1): a bigger SNAP_ROWS_SMALL" ;; esac
    request $n --tables pay.dd
    check "$M: a second request for pay.dd while under snapshot: refused, exit 1 ($RC: $(one_line "$OUT"))" [ "$RC" -eq 1 ]
    waitfor 300 snap_ended "$H" "$id"
    st=$(snap_state "$H" "$id")
    check "$M: the snapshot of pay.dd finishes ($st)" [ "$st" = done ]
    stop_writer $n
    sql $s -e "UPDATE dd SET extra = 8 WHERE id = 1"
    caught_up $n $s
    rs=$(metric "$H" binlogd_snapshot_restarts_total)
    tr_=$(sget "$H" "$id" '.tables[0].restarts')
    check "$M: binlogd_snapshot_restarts_total >= 1 ($rs), /snapshot restarts >= 1 ($tr_)" [ "${rs:-0}" -ge 1 -a "${tr_:-0}" -ge 1 ]
    check "$M: a log line says pay.dd's snapshot starts over ($(grep -i -e 'starts over' -e 'restart' "$W/$n.log" | grep -v 'starting\|^----' | tail -1 | cut -c 1-200))" \
        sh -c "grep -i -e 'starts over' -e 'start over' -e 'restart' '$W/$n.log' | grep -q 'dd'"
    raw "$n.pay.dd" "$W/$n.dd.raw"
    copy "$W/$n.dd.raw" "$W/$n.dd.got" --chunks "$W/$n.dd.chunks" $COLS extra
    table $s pay.dd "$W/$n.dd.want" $COLS extra
    say "$M: $(head -1 "$W/$n.dd.got.sum")"
    same "$M: the copy of pay.dd equals the table, with the new column" "$W/$n.dd.want" "$W/$n.dd.got"

    # cancel
    request $n --tables pay.cx
    id=${SID:-0}
    waitfor 60 acked_ge "$H" "$id" 2 || bad "$M: pay.cx: no progress"
    "$B" snapshot -c "$W/$n.conf" --cancel "$id" >"$W/$n.cancel" 2>&1
    rc=$?
    c1=$(sget "$H" "$id" '.tables[0].chunks')
    check "$M: --cancel $id of a running snapshot: exit 0 ($rc: $(one_line "$W/$n.cancel"))" [ $rc -eq 0 ]
    # the chunks when the daemon cancelled it: its answer ("pay.cx: running, 12 chunks, ...")
    c0=$(sed -n 's/^pay\.cx: [a-z]*, \([0-9]*\) chunks.*/\1/p' "$W/$n.cancel")
    case $c0 in '' | *[!0-9]*) c0=0 ;; esac
    sleep 2
    st=$(snap_state "$H" "$id")
    c2=$(sget "$H" "$id" '.tables[0].chunks')
    check "$M: state cancelled ($st)" [ "$st" = cancelled ]
    caught_up $n $s
    raw "$n.pay.cx" "$W/$n.cx.raw"
    mx=$(grep -F '"op":"r"' "$W/$n.cx.raw" | sed 's/.*"chunk":\([0-9]*\),.*/\1/' | sort -n | tail -1)
    sleep 1
    n2=$(nmsgs "$n.pay.cx")
    check "$M: no chunk after the one in flight: $c0 chunks when cancelled, $c1 just after, $c2 2 s later, greatest in the topic $mx" \
        [ "$c2" -le $((c0 + 1)) -a "${mx:-0}" -le $((c0 + 1)) -a "$c2" = "$c1" ]
    check "$M: nothing more published ($(wc -l <"$W/$n.cx.raw") then $n2)" [ "$n2" -eq "$(wc -l <"$W/$n.cx.raw")" ]
    "$B" snapshot -c "$W/$n.conf" --cancel "$id" >"$W/$n.cancel2" 2>&1
    rc=$?
    check "$M: a second cancel: exit 1 ($rc: $(one_line "$W/$n.cancel2"))" [ $rc -eq 1 ]
    stop_pid "$DP4"
    check "$M: the daemon: exit 0 at SIGTERM ($RC)" [ "$RC" -eq 0 ]
}

# ==== 5: gates ===============================================================================
# gsample CONF PORT GATE ID OUT: one sample: "rc http loading ready watermark>=cutoff state"
gsample() {
    _t=$(($(date +%s) - 2))
    "$B" gate -c "$1" "$3" --cutoff "@$_t" --quiet >/dev/null 2>&1
    _rc=$?
    _code=$(curl -s --max-time 3 -o "$W/gs.json" -w '%{http_code}' "http://127.0.0.1:$2/gates/$3?cutoff=@$_t")
    _st=$(snap_state "$2" "$4")
    _f=$(jq -r '[(.tables[0].loading // false), .ready, (.tables[0].watermark_us >= .cutoff_us)] | @tsv' "$W/gs.json" 2>/dev/null)
    printf '%s\t%s\t%s\t%s\n' "$_rc" "$_code" "$_f" "$_st" >>"$5"
}
g5() {
    s=$1 M=$(meta_of $1) n=g5$1 H=$(hport 6 $1)
    section "5 ($M): gates"
    mk_table $s g5 "$SROWS" || bad "$M: pay.g5 not loaded"
    mk_table $s g5b "$SROWS" || bad "$M: pay.g5b not loaded"
    mkconf $n $s 6 'pay.g5, pay.g5b' 'chunk_min = 500
chunk_max = 500' '[gate g]
tables = pay.g5
cutoff = 00:00
stage = acked

[gate h]
tables = pay.g5b
cutoff = 00:00
stage = acked'
    start_daemon $n
    started_ok $n "$H"
    caught_up $n $s
    gsample "$W/$n.conf" "$H" g none "$W/$n.pre"
    check "$M: before the snapshot the gate is ready (exit, http, loading, ready, past the cut-off: $(tr '\t\n' ' ' <"$W/$n.pre"))" \
        grep -q "^0${TAB}200${TAB}false${TAB}true${TAB}true" "$W/$n.pre"
    request $n --tables pay.g5
    id=${SID:-0}
    while ! snap_ended "$H" "$id"; do
        gsample "$W/$n.conf" "$H" g "$id" "$W/$n.gs"
        [ "$(wc -l <"$W/$n.gs")" -gt 3000 ] && break
    done
    for i in 1 2 3 4 5 6 7 8 9 10; do
        gsample "$W/$n.conf" "$H" g "$id" "$W/$n.gs"
        tail -1 "$W/$n.gs" | grep -q "^0${TAB}200" && break
        sleep 0.5
    done
    # columns: rc http loading ready past state
    awk -F '\t' '
        $6 == "running" || $6 == "pending" { run++ }
        ($6 == "running" || $6 == "pending") && $1 == 3 && $2 == 503 && $3 == "true" && $4 == "false" && $5 == "true" { held++ }
        $1 == 0 && $6 != "done" { early++ }
        $2 == 200 && $6 != "done" { early++ }
        END { printf "%d %d %d\n", run, held, early }
    ' "$W/$n.gs" >"$W/$n.gan"
    read -r run held early <"$W/$n.gan"
    say "$M: $(wc -l <"$W/$n.gs") samples: $run while the snapshot ran, $held of them not ready and loading with the stream past the cut-off"
    check "$M: while the snapshot runs: gate exit 3, /gates/g 503, \"loading\":true, the watermark past the cut-off ($held of $run samples)" \
        [ "$run" -gt 0 -a "$held" -gt 0 ]
    check "$M: ... in every sample while it ran ($held of $run: $(awk -F '\t' '$6 == "running" && !($1 == 3 && $2 == 503 && $3 == "true")' "$W/$n.gs" | head -2 | tr '\t\n' ' |'))" \
        [ "$held" -eq "$run" ]
    check "$M: never ready before the snapshot is done ($early)" [ "$early" -eq 0 ]
    check "$M: ready once done: exit 0, 200, no loading ($(tail -1 "$W/$n.gs" | tr '\t' ' '))" \
        grep -q "^0${TAB}200${TAB}false${TAB}true${TAB}true${TAB}done" "$W/$n.gs"
    check "$M: the log says the gate's table is loading" grep -q 'loading its existing rows' "$W/$n.log"

    # a cancelled snapshot releases its gate
    request $n --tables pay.g5b
    id=${SID:-0}
    waitfor 30 acked_ge "$H" "$id" 1
    gsample "$W/$n.conf" "$H" h "$id" "$W/$n.hs"
    "$B" snapshot -c "$W/$n.conf" --cancel "$id" >/dev/null 2>&1
    waitfor 10 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' 'http://127.0.0.1:$H/gates/h?cutoff=@'\$((\$(date +%s) - 2)))\" = 200 ]"
    gsample "$W/$n.conf" "$H" h "$id" "$W/$n.hs"
    check "$M: gate h: not ready, loading during its snapshot; ready once cancelled ($(tr '\t\n' ' |' <"$W/$n.hs"))" \
        sh -c "head -1 '$W/$n.hs' | grep -q '^3${TAB}503${TAB}true' && tail -1 '$W/$n.hs' | grep -q '^0${TAB}200${TAB}false${TAB}true${TAB}true${TAB}cancelled'"
    stop_pid "$DP"
    check "$M: the daemon: exit 0 at SIGTERM ($RC)" [ "$RC" -eq 0 ]
}

# ==== 6: a request across a clean restart ======================================================
g6() {
    s=$1 M=$(meta_of $1) n=g6$1 H=$(hport 7 $1)
    section "6 ($M): [snapshot] tables = pay.r6 across SIGTERM"
    mk_table $s r6 "$SROWS" || bad "$M: pay.r6 not loaded"
    # small chunks: the snapshot must still run when SIGTERM comes (1,500
    # windows; with 2,000-row chunks a fast run was done before it)
    mkconf $n $s 7 'pay.r6' 'tables = pay.r6
chunk_min = 100
chunk_max = 100'
    start_daemon $n
    started_ok $n "$H"
    waitfor 10 sh -c "curl -s http://127.0.0.1:$H/snapshot | jq -e '.snapshots | length == 1' >/dev/null"
    id=$(get "$H" /snapshot | jq -r '.snapshots[0].id')
    check "$M: the config's tables requested at the first start (snapshot $id: $(get "$H" /snapshot | jq -c '[.snapshots[] | [.requested, .state]]'))" \
        [ "$(get "$H" /snapshot | jq -r '.snapshots[0].requested')" = pay.r6 ]
    waitfor 60 acked_ge "$H" "$id" 4 || bad "$M: no progress"
    stop_pid "$DP"
    check "$M: SIGTERM mid-snapshot: exit 0 ($RC)" [ "$RC" -eq 0 ]
    K=$(jq -r ".snapshot.requests[] | select(.id == \"$id\") | .tables[0].chunks" "$W/$n.state/checkpoint.json")
    ks=$(jq -r ".snapshot.requests[] | select(.id == \"$id\") | .state" "$W/$n.state/checkpoint.json")
    check "$M: checkpoint.json carries the snapshot: $ks, $K chunks acknowledged" \
        [ "$ks" = running -a "${K:-0}" -gt 0 ]
    n0=$(nmsgs "$n.pay.r6")
    start_daemon $n
    started_ok $n "$H"
    waitfor 300 snap_ended "$H" "$id"
    st=$(snap_state "$H" "$id")
    check "$M: after the restart the snapshot finishes ($st: $(sget "$H" "$id" '.tables[0] | "\(.chunks) chunks, \(.rows) rows"'))" [ "$st" = done ]
    check "$M: ... without a second request ($(get "$H" /snapshot | jq -c '[.snapshots[] | .id]'))" \
        [ "$(get "$H" /snapshot | jq '.snapshots | length')" = 1 ]
    caught_up $n $s
    raw "$n.pay.r6" "$W/$n.raw"
    tail -n +$((n0 + 1)) "$W/$n.raw" | grep -F '"op":"r"' | sed 's/.*"chunk":\([0-9]*\),.*/\1/' | sort -n | uniq >"$W/$n.after"
    lo=$(head -1 "$W/$n.after")
    check "$M: the chunks after the restart go on from $((K + 1)) (first $lo, $(wc -l <"$W/$n.after") chunks)" \
        [ "${lo:-0}" = $((K + 1)) ]
    copy "$W/$n.raw" "$W/$n.got" --chunks "$W/$n.chunks" $COLS
    table $s pay.r6 "$W/$n.want" $COLS
    same "$M: the copy of pay.r6 equals the table" "$W/$n.want" "$W/$n.got"
    check "$M: no chunk read twice ($(sumfig "$W/$n.got.sum" 'more than once'))" [ "$(sumfig "$W/$n.got.sum" 'more than once')" = 0 ]
    # another restart: the config's request is not made again
    stop_pid "$DP"
    n1=$(nmsgs "$n.pay.r6")
    start_daemon $n
    started_ok $n "$H"
    sleep 3
    caught_up $n $s
    check "$M: a restart once done: no new request ($(get "$H" /snapshot | jq -c '[.snapshots[] | [.id, .state]]'))" \
        [ "$(get "$H" /snapshot | jq -c '[.snapshots[] | [.id, .state]]')" = "[[\"$id\",\"done\"]]" ]
    n2=$(nmsgs "$n.pay.r6")
    check "$M: ... and nothing published ($n1, then $n2)" [ "$n1" -eq "$n2" ]
    stop_pid "$DP"
    check "$M: the daemon: exit 0 at SIGTERM ($RC)" [ "$RC" -eq 0 ]
}

for s in $SERVERS; do
    if want 1; then
        if [ $s = f ]; then g1 f "$ROWS_F"; else g1 n "$ROWS_N"; fi
    fi
    want 2 && g2 $s
    want 3 && g3 $s
    want 4 && g4 $s
    want 5 && g5 $s
    want 6 && g6 $s
done
if want 4 && [ "$SERVERS" = "f n" ]; then
    section "4: FULL and NO_LOG read alike"
    for t in ck sk uk; do
        check "pay.$t: the r messages (keys and values, without source) of FULL and NO_LOG are byte-identical" \
            nonempty_same "$W/g4f.$t.rnorm" "$W/g4n.$t.rnorm"
    done
fi
finish
