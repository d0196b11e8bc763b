#!/bin/sh
# `binlogd run`: the daemon against a real MariaDB and a real Kafka broker.
#
# Starts MariaDB (binlog_row_metadata=$RUN_METADATA, FULL by default;
# tests/run.sh runs it again with NO_LOG, MariaDB's default: the daemon then
# takes names, keys and members from information_schema; binlog_row_image=FULL) on
# 127.0.0.1:$RUN_DB_PORT (13620) and Kafka (KRaft, one node, topics with
# LogAppendTime timestamps) on 127.0.0.1:$RUN_KAFKA_PORT (13920), both in
# build/integ/run, stops them on exit (also on failure or interrupt) and
# kills every daemon and writer it started.  Each group uses its own
# tables (so its own topics), state directory and start position (the
# binlog head when the group begins):
#   6  config errors: an unknown key, a bad value, a missing password file:
#      `run -c` and `check-config -c` exit 2 and name FILE:LINE / the file
#   1  mixed writes (many column types, multi-row and multi-table
#      transactions, INSERT/UPDATE/DELETE, a hot key, a $RUN_BIG_ROWS-row
#      transaction): the values consumed from Kafka equal `binlogd dump` of
#      the binlog files; keys are the primary key; per-key order; "last" and
#      xid on exactly the last row of each transaction; the daemon's peak RSS
#      (VmHWM, printed) under 64 MiB
#   2  kill -9 at $RUN_KILLS random moments under a write load, restart each
#      time: every committed row arrives; duplicates are whole repeats only
#   3  Kafka frozen (SIGSTOP) ~15 s, then stopped ~30 s and started again:
#      the daemon stays up, its checkpoint does not move while the broker is
#      away and never covers a message Kafka had not appended; nothing lost
#   4  MariaDB restarted under load: the daemon reconnects, nothing lost;
#      a daemon started while MariaDB is down retries (says so), then
#      connects and publishes once it is up
#   5  the checkpoint cannot be written (an obstacle; a full disk: a small
#      tmpfs, where mount is allowed): a clear error naming the path,
#      reading stops (nothing more published), goes on when it can write
#   7  SIGTERM under load: exit 0 within 10 s with the checkpoint written;
#      a restart publishes no duplicate; a second daemon on the same state
#      directory is refused
#   8  oversize rows (a LONGBLOB/LONGTEXT row of 50,000 bytes, librdkafka
#      message.max.bytes = 20000): oversize=fail exits 1 naming the table
#      and file:pos, publishes what came before, checkpoints before the big
#      row's transaction, and a restart with a larger limit publishes it and
#      what follows; oversize=skip skips it with a counted warning and runs on
#   9  filters (include with a pattern, exclude) and SIGHUP: a reload
#      changes the filters; a reload that changes a non-reloadable option
#      (source.server_id) is refused, named, and the old filters stay
#  10  systemd notify (NOTIFY_SOCKET, a socat datagram receiver, watchdog
#      2 s): READY=1 once connected (not while MariaDB is frozen), STATUS
#      "acknowledged up to" the head, WATCHDOG=1 every second, RELOADING=1
#      then READY=1 on SIGHUP (also when the reload is refused), STOPPING=1
#      on SIGTERM
#  12  exactly once ([kafka] exactly_once = true): kill -9 at $RUN_KILLS
#      random moments under a mixed insert/update/delete load, restart each
#      time: a read_committed consumer sees every committed change exactly
#      once, in source order per key (a read_uncommitted one may see aborted
#      repeats: counted); then the state directory deleted while stopped:
#      the daemon resumes from the state topic where it was, nothing repeated;
#      then no position anywhere (another state topic, no state directory)
#      while the topic holds messages: exit 2 naming the topic and --start;
#      --start FILE:POS once starts there; --start with a position found,
#      and no position with no [source] start: exit 2
#  13  exactly once, $RUN_METADATA metadata: the daemon reads a table, stops;
#      a backlog of rows, a column rename (ALTER), rows; the state directory
#      (the schema history with it) deleted: the daemon resumes from the
#      state topic, takes the schema history from there, and every value is
#      under its column of the time ("a" before the rename, "a2" after)
#  14  active and standby ([kafka] standby, standby_timeout 6 s): two
#      instances of one config (two state directories); one publishes, the
#      other waits and answers /gates and /lag from the state topic (a
#      passed cut-off ready, a future one not); kill -9 of the active one under a mixed load: the other
#      takes over (the time is printed; under 15 s); then the new active one
#      frozen (SIGSTOP) past the session while a third start waits: that one
#      takes over, the frozen one after SIGCONT is fenced or demoted and waits
#      again; a read_committed consumer sees every change once
#  15  exactly once: the broker killed (kill -9) under a mixed load and
#      started again 5 s later: the daemon stays up or exits 1 (started
#      again, as systemd would); a read_committed consumer sees every
#      change once: the open transaction aborted and published again once;
#      a 1,000,000-row transaction being published at the kill (part of it
#      appended before, part after): read_committed sees each row once
#  11  a topic that does not exist and is not created (the producer's
#      allow.auto.create.topics=false): the daemon exits 1 naming the topic
#      and the cause, its checkpoint before the row; where the topic can be
#      created, a restart publishes the row once
# Quiet on success: "== section" lines, FAIL lines, and last
# "N passed, N failed".  An interrupt counts as a failure; after a failure
# build/integ/run is kept (logs: build/integ/run/work/NAME.log).
#
# Environment: RUN_METADATA (FULL; MINIMAL, NO_LOG), BINLOGD (build/binlogd), RUN_DB_PORT (13620), RUN_KAFKA_PORT
# (13920), RUN_KILLS (20), RUN_BIG_ROWS (200000), RUN_ONLY="1 2" runs only
# those groups, RUN_KEEP=1 keeps build/integ/run after a success.
set -u
cd "$(dirname "$0")/../.."
export LC_ALL=C

B=${BINLOGD:-build/binlogd}
DBPORT=${RUN_DB_PORT:-13620}
KPORT=${RUN_KAFKA_PORT:-13920}
KILLS=${RUN_KILLS:-20}
BIG=${RUN_BIG_ROWS:-200000}
ONLY=${RUN_ONLY:-}
DIR=build/integ/run
META=${RUN_METADATA:-FULL}
SRVOPTS="--binlog_row_metadata=$META --binlog_row_image=FULL"
KOPTS="log.message.timestamp.type=LogAppendTime"
DB=binlogd

. tests/lib.sh
. tests/integ/servers.sh
# nap SECS: a sleep that a signal interrupts at once (the trap runs)
NAP=""
nap() {
    sleep "$1" &
    NAP=$!
    wait "$NAP"
    NAP=""
}

# processes this script started and has not reaped yet
DPIDS="" # daemons
WPIDS="" # writer loops
HPIDS="" # helpers (the notify receiver)
FROZEN_DB="" # MariaDB's pid while it is stopped (SIGSTOP)
MOUNTED=""
cleanup() {
    [ -n "$NAP" ] && kill "$NAP" 2>/dev/null
    [ -n "$MOUNTED" ] && umount "$MOUNTED" 2>/dev/null
    for p in $WPIDS; do kill "$p" 2>/dev/null; done
    for p in $DPIDS; do kill -9 "$p" 2>/dev/null; done
    for p in $HPIDS; do kill "$p" 2>/dev/null; done
    [ -n "$FROZEN_DB" ] && kill -CONT "$FROZEN_DB" 2>/dev/null
    kp=$(cat "$DIR/kafka/kafka.pid" 2>/dev/null)
    [ -n "$kp" ] && kill -CONT "$kp" 2>/dev/null
    servers_stop
    if [ "${RUN_KEEP:-0}" != 1 ] && [ "$fail" -eq 0 ]; then rm -rf "$DIR"; fi
}
trap cleanup EXIT
on_interrupt

if [ ! -x "$B" ]; then
    echo "run: $B is missing; build it first (make)" >&2
    fail=1
    finish
fi

# ---- servers ---------------------------------------------------------------
servers_start "$SRVOPTS" "$KOPTS"

sql() { sh "$MSH" sql "$DIR/db" -N -B "$DB" "$@"; }
# a client over TCP as root: what the writers use
tcpsql() { mariadb --no-defaults --connect-timeout=3 -h127.0.0.1 -P"$DBPORT" -uroot -N -B "$DB" "$@"; }
head_pos() { sql -e "SHOW MASTER STATUS" 2>/dev/null | awk '{ print $1 ":" $2 }'; }
printf 'replpw\n' >"$W/pw"

# ---- the daemon ------------------------------------------------------------
# mkconf NAME INCLUDE START: W/NAME.conf, state in W/NAME.state, log W/NAME.log
SID=100
mkconf() {
    SID=$((SID + 1))
    cat >"$W/$1.conf" <<EOF
; tests/integ/run.sh, group $1
[source]
host = 127.0.0.1
port = $DBPORT
user = repl
password_file = $AW/pw
server_id = $SID
name = run
heartbeat = 1
connect_timeout = 3
ssl_mode = DISABLED
start = $3

[kafka]
bootstrap.servers = $BS
state_topic = run.state.$1

[filter]
include = $2

[state]
dir = $AW/$1.state

[daemon]
log_level = info
EOF
}
# start_daemon NAME: sets DP
start_daemon() {
    echo "---- start $(date '+%H:%M:%S')" >>"$W/$1.log"
    "$B" run -c "$W/$1.conf" >>"$W/$1.log" 2>&1 &
    DP=$!
    DPIDS="$DPIDS $DP"
}
# kill9_daemon: SIGKILL DP and reap it
kill9_daemon() {
    kill -9 "$DP" 2>/dev/null
    wait "$DP" 2>/dev/null
    forget DPIDS "$DP"
}
# stop_daemon: SIGTERM DP and wait (30 s at most, then SIGKILL); sets RC, STOP_MS
stop_daemon() {
    _t=$(now_ms)
    kill -TERM "$DP" 2>/dev/null
    _n=0
    while alive "$DP" && [ $_n -lt 300 ]; do
        sleep 0.1
        _n=$((_n + 1))
    done
    STOP_MS=$(($(now_ms) - _t))
    alive "$DP" && kill -9 "$DP" 2>/dev/null
    wait "$DP"
    RC=$?
    forget DPIDS "$DP"
}
connected_count() { grep_count "connected to 127.0.0.1:$DBPORT" "$W/$1.log"; }
connected() { [ "$(connected_count "$1")" -ge "$2" ]; }
ckpt_pos() { # STATE-NAME: file:pos of the checkpoint
    sed -n 's/.*"file":"\([^"]*\)","pos":\([0-9]*\),.*/\1:\2/p' "$W/$1.state/checkpoint.json" 2>/dev/null
}
ckpt_at_head() { _h=$(head_pos) && [ -n "$_h" ] && [ "$(ckpt_pos "$1")" = "$_h" ]; }
ckpt_not() { _c=$(ckpt_pos "$1") && [ -n "$_c" ] && [ "$_c" != "$2" ]; }
# conf_add NAME SECTION LINE: LINE right after [SECTION] in W/NAME.conf
conf_add() { sed -i "/^\[$2\]\$/a $3" "$W/$1.conf"; }
# conf_set NAME KEY VALUE: the line "KEY = ..." of W/NAME.conf says VALUE
conf_set() { sed -i "s|^$2 = .*|$2 = $3|" "$W/$1.conf"; }
# exited_daemon SECS: wait for DP to exit by itself (SIGKILL after SECS);
# sets RC (137 when it had to be killed)
exited_daemon() {
    waitfor "$1" gone "$DP" || kill -9 "$DP" 2>/dev/null
    wait "$DP"
    RC=$?
    forget DPIDS "$DP"
}
# pos_in FILE:POS LO HI: the same binlog file as LO and HI, LO < POS < HI
pos_in() {
    [ "${1%:*}" = "${2%:*}" ] && [ "${1%:*}" = "${3%:*}" ] &&
        [ "${1##*:}" -gt "${2##*:}" ] && [ "${1##*:}" -lt "${3##*:}" ]
}

# ---- Kafka -------------------------------------------------------------------
topic() { echo "run.$DB.$1"; }
# consume TABLE OUT: every message of the table's topic, one a line:
# "partition offset timestamp key value"
consume() {
    kcat -b "$BS" -C -t "$(topic "$1")" -o beginning -e -q -f '%p %o %T %k %s\n' >"$2" 2>"$2.err"
}
msg_count() { # TABLE
    kcat -b "$BS" -C -t "$(topic "$1")" -o beginning -e -q -f 'x\n' 2>/dev/null | wc -l
}
count_is() { [ "$(msg_count "$1")" -eq "$2" ]; }
# got_ids TABLE: consume the table's topic to W/TABLE.msgs; print the "id" of
# each message's after image, sorted, space-separated
got_ids() {
    consume "$1" "$W/$1.msgs"
    sed -n 's/.*"after":{"id":\([0-9]*\)[,}].*/\1/p' "$W/$1.msgs" | sort -n | tr '\n' ' ' | sed 's/ $//'
}
# waitslow SECS COMMAND...: poll every 0.5 s
waitslow() {
    _w=$(($1 * 2))
    shift
    while [ "$_w" -gt 0 ]; do
        "$@" && return 0
        sleep 0.5
        _w=$((_w - 1))
    done
    return 1
}

# The fields of consumed messages, in awk: after4 strips
# "partition offset timestamp key "; src sets F P R G X L (file, pos, row,
# gtid, xid, last) and AT (a sortable "file pos row").
AWKLIB='
function after4(s,   i) { for (i = 0; i < 4; i++) s = substr(s, index(s, " ") + 1); return s }
function field(s, name,   t) {
    t = s; sub(".*\"" name "\":", "", t)
    if (substr(t, 1, 1) == "\"") { t = substr(t, 2); sub(/".*/, "", t) } else sub(/[,}].*/, "", t)
    return t
}
function src(v,   s) {
    s = v; sub(/.*"source":[{]/, "", s)
    F = field(s, "file"); P = field(s, "pos"); R = field(s, "row")
    G = field(s, "gtid"); X = field(s, "xid"); L = field(s, "last")
    AT = sprintf("%s %012d %08d", F, P, R)
}'
# srcrows MSGS: "file pos row<TAB>value", one a message
srcrows() { awk "$AWKLIB"'{ v = after4($0); src(v); print F " " P " " R "\t" v }' "$1"; }

# ---- writers -------------------------------------------------------------------
# start_writer TABLE [mixed]: small transactions in the background (insert
# row i, update it); each id whose COMMIT succeeded goes to W/TABLE.committed.
# Sets WP.  stop_writer TABLE stops it.
start_writer() {
    rm -f "$W/$1.stop"
    : >"$W/$1.committed"
    (
        i=1
        while [ ! -f "$W/$1.stop" ]; do
            del=""
            [ "${2:-}" = mixed ] && [ $((i % 4)) -eq 0 ] && del="DELETE FROM $1 WHERE id = $((i - 2));"
            if tcpsql -e "BEGIN; INSERT INTO $1 VALUES ($i, 'a');
                          UPDATE $1 SET note = 'b$i' WHERE id = $i; $del COMMIT" 2>/dev/null; then
                echo "$i" >>"$W/$1.committed"
            else
                sleep 0.1
            fi
            i=$((i + 1))
        done
    ) &
    WP=$!
    WPIDS="$WPIDS $WP"
}
stop_writer() {
    touch "$W/$1.stop"
    wait "$WP"
    forget WPIDS "$WP"
}
seq_table() { sql -e "CREATE TABLE $1 (id INT PRIMARY KEY, note VARCHAR(20))"; }

# verify_seq GROUP TABLE: after the daemon stopped, every row of the table
# (each committed transaction: an insert and an update) was consumed at
# least once; a repeat is the same (file, pos, row) with the same payload.
verify_seq() {
    _g=$1 _t=$2
    tcpsql -e "SELECT id FROM $_t" | sort >"$W/$_t.truth"
    ntruth=$(wc -l <"$W/$_t.truth")
    consume "$_t" "$W/$_t.msgs"
    nmsg=$(wc -l <"$W/$_t.msgs")
    srcrows "$W/$_t.msgs" | sort -u >"$W/$_t.uniq"
    cut -f1 "$W/$_t.uniq" | uniq -d >"$W/$_t.conflicts"
    ndist=$(cut -f1 "$W/$_t.uniq" | uniq | wc -l)
    grep '"op":"c"' "$W/$_t.uniq" | sed 's/.*"after":{"id":\([0-9]*\),.*/\1/' | sort -u >"$W/$_t.got"
    grep '"op":"u"' "$W/$_t.uniq" | sed 's/.*"after":{"id":\([0-9]*\),.*/\1/' | sort -u >"$W/$_t.gotu"
    sort "$W/$_t.committed" >"$W/$_t.committed.s"
    missing=$(comm -23 "$W/$_t.truth" "$W/$_t.got" | head -5 | tr '\n' ' ')
    missingu=$(comm -23 "$W/$_t.truth" "$W/$_t.gotu" | head -5 | tr '\n' ' ')
    check "$_g: the writer committed a load ($ntruth rows)" [ "$ntruth" -ge 50 ]
    check "$_g: every committed insert consumed (missing: $missing)" [ -z "$missing" ]
    check "$_g: every committed update consumed (missing: $missingu)" [ -z "$missingu" ]
    check "$_g: after removing repeats of (file,pos,row): $ndist changes, want $((2 * ntruth)) ($nmsg messages)" \
        [ "$ndist" -eq $((2 * ntruth)) ]
    check "$_g: no (file,pos,row) with two different payloads ($(head -c 300 "$W/$_t.conflicts"))" \
        [ ! -s "$W/$_t.conflicts" ]
    _nc=$(comm -23 "$W/$_t.committed.s" "$W/$_t.truth" | head -3 | tr '\n' ' ')
    check "$_g: what the writer saw committed is in the table ($_nc)" [ -z "$_nc" ]
    check "$_g: consumed nothing of other tables" [ "$(grep -vc "\"table\":\"$_t\"" "$W/$_t.msgs")" -eq 0 ]
}

# ---- 6: config errors -----------------------------------------------------
if want 6; then
    section "6: config errors"
    # base LINE...: a config whose lines 3, 4, ... are the LINEs
    base() {
        printf '[source]\nhost = 127.0.0.1\n'
        printf '%s\n' "$@"
        printf 'user = repl\n[kafka]\nbootstrap.servers = %s\n[state]\ndir = %s/cfg.state\n' "$BS" "$AW"
    }
    base "colour = blue" >"$W/cfg-unknown.conf"
    base "port = 3306" "server_id = seventy" >"$W/cfg-badvalue.conf"
    base "port = $DBPORT" "password_file = $AW/no-such-password" "server_id = 77" >"$W/cfg-nopw.conf"
    for c in unknown:3 badvalue:4 nopw:4; do
        n=${c%:*} line=${c#*:}
        f=$W/cfg-$n.conf
        for cmd in run check-config; do
            BINLOGD_PASSWORD=replpw timeout 20 "$B" $cmd -c "$f" >"$W/cfg-$n.$cmd.out" 2>"$W/cfg-$n.$cmd.err"
            rc=$?
            e=$(head -c 300 "$W/cfg-$n.$cmd.err")
            check "6: $cmd -c with $n: exit 2 (exit $rc: $e)" [ "$rc" -eq 2 ]
            if [ "$n" = nopw ]; then
                check "6: $cmd -c with $n: the message names the password file ($e)" \
                    grep -qF "$AW/no-such-password" "$W/cfg-$n.$cmd.err"
                check "6: $cmd -c with $n: ... and the config file ($e)" grep -qF "$f" "$W/cfg-$n.$cmd.err"
            else
                check "6: $cmd -c with $n: names $f:$line ($e)" grep -qF "$f:$line:" "$W/cfg-$n.$cmd.err"
            fi
        done
    done
    check "6: the unknown key is named" grep -q "colour" "$W/cfg-unknown.run.err"
    check "6: the bad value's option is named" grep -q "server_id" "$W/cfg-badvalue.run.err"
fi

# ---- 1: mixed writes ------------------------------------------------------------
if want 1; then
    section "1: mixed writes and a $BIG-row transaction"
    sql <<'EOF'
CREATE TABLE c1_types (
  id INT PRIMARY KEY, i8 TINYINT, u64 BIGINT UNSIGNED, d DECIMAL(20,6), f FLOAT, db DOUBLE,
  s VARCHAR(40) CHARACTER SET utf8mb4, c CHAR(5) CHARACTER SET latin1, b VARBINARY(20), bl BLOB,
  t TEXT, dt DATETIME(6), ts TIMESTAMP(3) NULL, dte DATE, tm TIME(2), y YEAR,
  e ENUM('a','b','c'), st SET('x','y','z'), bt BIT(10), j JSON);
CREATE TABLE c1_acct (id INT PRIMARY KEY, bal DECIMAL(12,2), memo VARCHAR(40));
CREATE TABLE c1_flow (id BIGINT UNSIGNED, k INT, amt DECIMAL(12,2), PRIMARY KEY (id, k));
CREATE TABLE c1_big (id INT PRIMARY KEY, pad VARCHAR(100));
EOF
    mkconf c1 "$DB.c1_*" "$(head_pos)"
    start_daemon c1
    waitfor 20 connected c1 1 || bad "1: the daemon did not connect: $(tail -3 "$W/c1.log")"
    sql <<'EOF'
SET SESSION sql_mode = '';
INSERT INTO c1_types VALUES
 (1, -128, 18446744073709551615, -12345.678901, 0.1, -1e300, 'héllo 分账', 'abc', x'00ff10', x'deadbeef',
  'text', '2024-02-29 23:59:59.123456', '2024-01-01 00:00:00.500', '0000-00-00', '-838:59:59.99', 2155,
  'b', 'x,z', b'1010101010', '{"k":[1,2,{"a":null}]}'),
 (2, NULL, 0, 0, NULL, 0, '', NULL, '', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '', NULL, NULL);
BEGIN;
INSERT INTO c1_types (id, s) VALUES (3, 'in a transaction'), (4, 'another');
UPDATE c1_types SET s = 'updated', d = 1.5 WHERE id = 1;
DELETE FROM c1_types WHERE id = 2;
COMMIT;
INSERT INTO c1_acct VALUES (1, 100.00, 'open'), (2, 0.00, 'm0'), (3, 5.55, 'three');
BEGIN;
INSERT INTO c1_flow VALUES (18446744073709551615, 1, 12.50), (1, -2, -0.01);
UPDATE c1_acct SET bal = bal - 12.50 WHERE id = 1;
UPDATE c1_types SET u64 = 18446744073709551614, f = -0.5, tm = '00:00:00.01' WHERE id = 1;
COMMIT;
EOF
    # the hot key: 300 updates of c1_acct id 2, most in transactions of
    # their own, every 50th inside a multi-table transaction
    i=1
    while [ $i -le 300 ]; do
        if [ $((i % 50)) -eq 0 ]; then
            echo "BEGIN; INSERT INTO c1_flow VALUES ($i, $i, $i.25); UPDATE c1_acct SET memo = 'm$i', bal = bal + 1 WHERE id = 2;"
            echo "INSERT INTO c1_types (id, s, u64) VALUES ($((i + 100)), 'n$i', $i); COMMIT;"
        else
            echo "UPDATE c1_acct SET memo = 'm$i', bal = bal + 1 WHERE id = 2;"
        fi
        i=$((i + 1))
    done | sql
    sql -e "INSERT INTO c1_big SELECT seq, REPEAT('x', 60) FROM seq_1_to_$BIG"
    sql <<'EOF'
BEGIN;
UPDATE c1_acct SET memo = 'm301' WHERE id = 2;
UPDATE c1_acct SET memo = 'm302' WHERE id = 2;
INSERT INTO c1_flow VALUES (2, 3, 1.00);
UPDATE c1_big SET pad = 'y' WHERE id <= 3;
COMMIT;
UPDATE c1_flow SET amt = amt + 1;
DELETE FROM c1_acct WHERE id IN (2, 3);
DELETE FROM c1_flow WHERE k = -2;
DELETE FROM c1_types WHERE id > 100;
EOF
    waitfor 150 ckpt_at_head c1 || bad "1: the checkpoint did not reach the head ($(ckpt_pos c1) vs $(head_pos)): $(tail -3 "$W/c1.log")"
    rss=$(sed -n 's/^VmHWM:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$DP/status" 2>/dev/null)
    section "1: daemon peak RSS (VmHWM) ${rss:-?} kB = $(awk -v k="${rss:-0}" 'BEGIN { printf "%.1f", k / 1024 }') MiB after $BIG rows in one transaction"
    check "1: peak RSS under 64 MiB (${rss:-?} kB, limit 65536 kB)" [ "${rss:-999999}" -lt 65536 ]
    stop_daemon
    check "1: SIGTERM: exit 0 (exit $RC: $(tail -2 "$W/c1.log"))" [ "$RC" -eq 0 ]

    # what the files say (without FULL metadata the files have no names:
    # what the server says, through the same schema source)
    if [ "$META" = FULL ]; then
        "$B" dump $(ls "$DIR"/db/db/binlog.[0-9]* | sort) >"$W/c1.dump" 2>"$W/c1.dump.err"
    else
        BINLOGD_PASSWORD=replpw "$B" dump --host 127.0.0.1 --port "$DBPORT" --user repl \
            --server-id 4999 --from "$(basename "$(ls "$DIR"/db/db/binlog.[0-9]* | sort | head -1)"):4" \
            >"$W/c1.dump" 2>"$W/c1.dump.err"
    fi
    check "1: binlogd dump of the binlog ($META metadata): exit 0 ($(head -c 200 "$W/c1.dump.err"))" [ $? -eq 0 ]
    grep "^{\"op\":\"[cud]\",\"db\":\"$DB\",\"table\":\"c1_" "$W/c1.dump" | sort >"$W/c1.want"
    : >"$W/c1.msgs"
    for t in c1_types c1_acct c1_flow c1_big; do
        consume "$t" "$W/$t.msgs"
        cat "$W/$t.msgs" >>"$W/c1.msgs"
    done
    awk "$AWKLIB"'{ print after4($0) }' "$W/c1.msgs" | sort >"$W/c1.got"
    nw=$(wc -l <"$W/c1.want")
    ng=$(wc -l <"$W/c1.got")
    check "1: the dump has the changes ($nw lines)" [ "$nw" -ge $((BIG + 330)) ]
    check "1: the consumed values equal the dump's lines, as a multiset ($ng vs $nw)" cmp -s "$W/c1.got" "$W/c1.want"
    if ! cmp -s "$W/c1.got" "$W/c1.want"; then
        diff "$W/c1.want" "$W/c1.got" | head -6 | cut -c 1-300
    fi
    # spot checks of exact values (the dump could be wrong the same way)
    for pat in '"u64":18446744073709551615,"d":"-12345.678901","f":0.1,"db":-1e+300,"s":"héllo 分账"' \
        '"dt":"2024-02-29 23:59:59.123456","ts":"2024-01-01 00:00:00.500","dte":"0000-00-00","tm":"-838:59:59.99","y":2155' \
        '"b":"AP8Q","bl":"3q2+7w==","t":"text"' '"e":"b","st":"x,z","bt":682,"j":"{\\"k\\":\[1,2,{\\"a\\":null}\]}"' \
        '"after":{"id":18446744073709551615,"k":1,"amt":"12.50"}' '"after":{"id":1,"k":-2,"amt":"-0.01"}'; do
        check "1: a consumed value has $pat" grep -q -- "$pat" "$W/c1.got"
    done
    # keys: the primary key as JSON
    awk "$AWKLIB"'{
        v = after4($0); op = substr(v, 8, 1); img = v
        if (op == "d") sub(/.*"before":[{]/, "", img); else sub(/.*"after":[{]/, "", img)
        if (index(v, "\"table\":\"c1_flow\"")) re = "^\"id\":[0-9]+,\"k\":-?[0-9]+"; else re = "^\"id\":-?[0-9]+"
        if (!match(img, re) || $4 != "{" substr(img, 1, RLENGTH) "}") { bad++; if (bad < 3) print "key " $4 " for " substr(v, 1, 200) > "/dev/stderr" }
    } END { exit (bad > 0) }' "$W/c1.msgs" 2>"$W/c1.keys"
    check "1: every key is the primary key as JSON ($(head -c 300 "$W/c1.keys"))" [ $? -eq 0 ]
    # per-key order: the hot key in one partition, offsets in source order
    grep '^[0-9]* [0-9]* [0-9-]* {"id":2} ' "$W/c1_acct.msgs" | sort -k2,2n >"$W/c1.hot"
    nhot=$(wc -l <"$W/c1.hot")
    check "1: the hot key: 304 changes ($nhot)" [ "$nhot" -eq 304 ]
    check "1: the hot key: one partition" [ "$(cut -d' ' -f1 "$W/c1.hot" | sort -u | wc -l)" -eq 1 ]
    awk "$AWKLIB"'{ v = after4($0); src(v); if (NR > 1 && AT <= prev) { print "offset " $2 " at " AT " after " prev; exit 1 } prev = AT }' \
        "$W/c1.hot" >"$W/c1.hot.order"
    check "1: the hot key: offsets increase with the source position ($(cat "$W/c1.hot.order"))" [ $? -eq 0 ]
    awk "$AWKLIB"'{ v = after4($0); if (index(v, "\"op\":\"d\"")) print "del"; else { sub(/.*"after":[{]/, "", v); print field(v, "memo") } }' \
        "$W/c1.hot" >"$W/c1.hot.memo"
    { i=0; while [ $i -le 302 ]; do echo "m$i"; i=$((i + 1)); done; echo del; } >"$W/c1.hot.want"
    check "1: the hot key: the values in order m0..m302, delete" cmp -s "$W/c1.hot.memo" "$W/c1.hot.want"
    # transaction boundaries over every topic of the group
    awk "$AWKLIB"'{
        v = after4($0); src(v); n[G]++
        if (!(G in mx) || AT > mx[G]) mx[G] = AT
        if (L == "true") { nl[G]++; la[G] = AT; if (X !~ /^[0-9]+$/) badx++ }
        else if (L != "false" || X != "null") badmid++
    } END {
        for (g in n) { t++; if (nl[g] != 1) b1++; else if (la[g] != mx[g]) b2++ }
        printf "%d %d %d %d %d\n", t, b1, b2, badx, badmid
    }' "$W/c1.msgs" >"$W/c1.txn"
    read ntx b1 b2 bx bm <"$W/c1.txn"
    check "1: transactions seen ($ntx)" [ "$ntx" -ge 300 ]
    check "1: \"last\":true exactly once per transaction ($b1 without exactly one)" [ "$b1" -eq 0 ]
    check "1: ... on its last row ($b2 elsewhere)" [ "$b2" -eq 0 ]
    check "1: xid on each last row ($bx without), null and \"last\":false elsewhere ($bm not)" [ "$bx" -eq 0 -a "$bm" -eq 0 ]
    # the big transaction
    grep '"op":"c"' "$W/c1_big.msgs" >"$W/c1.bigc"
    nbig=$(wc -l <"$W/c1.bigc")
    check "1: all $BIG rows of the big transaction consumed ($nbig)" [ "$nbig" -eq "$BIG" ]
    nbigid=$(sed 's/.*"after":{"id":\([0-9]*\),.*/\1/' "$W/c1.bigc" | sort -u | wc -l)
    check "1: ... each once ($nbigid ids)" [ "$nbigid" -eq "$BIG" ]
    check "1: ... \"last\":true on one row only ($(grep -c '"last":true' "$W/c1.bigc"))" [ "$(grep -c '"last":true' "$W/c1.bigc")" -eq 1 ]
    check "1: ... the last one, id $BIG, with an xid" \
        grep -q "\"after\":{\"id\":$BIG,.*\"xid\":[0-9]*,\"last\":true}" "$W/c1.bigc"
fi

# ---- 2: kill -9 under load ----------------------------------------------------------
if want 2; then
    section "2: kill -9 at $KILLS random moments under a write load"
    seq_table k_seq
    mkconf k "$DB.k_seq" "$(head_pos)"
    start_writer k_seq
    k=1
    while [ $k -le "$KILLS" ]; do
        start_daemon k
        # 0.2 .. 3 s: some while connecting, most while publishing
        s=$(awk -v s="$$$k" 'BEGIN { srand(s); printf "%.1f", 0.2 + rand() * 2.8 }')
        nap "$s"
        check "2: the daemon ran until kill $k (${s} s: $(tail -1 "$W/k.log"))" alive "$DP"
        kill9_daemon
        k=$((k + 1))
    done
    start_daemon k
    sleep 1
    stop_writer k_seq
    waitfor 60 ckpt_at_head k || bad "2: the checkpoint did not reach the head after the last restart ($(ckpt_pos k) vs $(head_pos))"
    stop_daemon
    check "2: the last daemon: SIGTERM, exit 0 (exit $RC)" [ "$RC" -eq 0 ]
    check "2: restarts resumed from a checkpoint ($(grep_count "resuming from the checkpoint" "$W/k.log"))" \
        [ "$(grep_count "resuming from the checkpoint" "$W/k.log")" -ge 1 ]
    verify_seq 2 k_seq
fi

# ---- 3: Kafka frozen and down ----------------------------------------------------------
if want 3; then
    section "3: Kafka frozen 15 s, then down 30 s, under a write load"
    seq_table f_seq
    mkconf f "$DB.f_seq" "$(head_pos)"
    start_daemon f
    start_writer f_seq
    waitfor 20 test -f "$W/f.state/checkpoint.json" || bad "3: no checkpoint before the freeze: $(tail -3 "$W/f.log")"
    sleep 1
    kpid=$(cat "$DIR/kafka/kafka.pid")
    kill -STOP "$kpid"
    t_stop=$(now_ms)
    nap 3
    c1=$(ckpt_pos f)
    nap 11
    c2=$(ckpt_pos f)
    check "3: frozen broker: the daemon stays up" alive "$DP"
    check "3: frozen broker: the checkpoint stays ($c1, 11 s later $c2)" [ -n "$c1" -a "$c1" = "$c2" ]
    nap 1
    kill -CONT "$kpid"
    waitfor 60 ckpt_not f "$c1"
    check "3: after the freeze the checkpoint moves on ($c1 -> $(ckpt_pos f))" ckpt_not f "$c1"
    nap 1
    sh "$KSH" stop "$DIR/kafka" >"$W/kafka.stop.log" 2>&1 || bad "3: kafka.sh stop: $(cat "$W/kafka.stop.log")"
    t_down=$(now_ms)
    nap 2
    c3=$(ckpt_pos f)
    nap 26
    c4=$(ckpt_pos f)
    check "3: broker down: the daemon stays up ($(tail -1 "$W/f.log" | cut -c 1-200))" alive "$DP"
    check "3: broker down: the checkpoint stays ($c3, 26 s later $c4)" [ -n "$c3" -a "$c3" = "$c4" ]
    if ! sh "$KSH" start "$DIR/kafka" "$KPORT" $KOPTS >"$W/kafka.restart.log" 2>&1; then
        cat "$W/kafka.restart.log"
        bad "3: Kafka did not start again"
        finish
    fi
    waitfor 60 ckpt_not f "$c3"
    check "3: after the restart the checkpoint moves on ($c3 -> $(ckpt_pos f): $(tail -1 "$W/f.log" | cut -c 1-200))" \
        ckpt_not f "$c3"
    sleep 1
    stop_writer f_seq
    waitfor 90 ckpt_at_head f || bad "3: the checkpoint did not reach the head ($(ckpt_pos f) vs $(head_pos)): $(tail -2 "$W/f.log")"
    check "3: the daemon stayed up to the end" alive "$DP"
    stop_daemon
    check "3: SIGTERM: exit 0 (exit $RC: $(tail -1 "$W/f.log"))" [ "$RC" -eq 0 ]
    echo "frozen at $t_stop: $c1 $c2; down at $t_down: $c3 $c4" >"$W/f.positions"
    verify_seq 3 f_seq
    # the checkpoint never covered a message Kafka had not appended: every
    # change at or before the checkpoint seen while the broker was away was
    # appended (LogAppendTime) before it went away
    for cp in "$c1 $t_stop frozen" "$c3 $t_down down"; do
        set -- $cp
        [ -n "${1:-}" ] || continue
        awk "$AWKLIB"'{ v = after4($0); src(v); k = F " " P " " R
            if (!(k in t) || $3 + 0 < t[k]) { t[k] = $3 + 0; f[k] = F; p[k] = P + 0 } }
        END { split(c, cc, ":")
            for (k in t) if (f[k] < cc[1] || (f[k] == cc[1] && p[k] < cc[2] + 0)) {
                n++; if (t[k] > lim) { late++; if (late < 3) print k " appended at " t[k] } }
            printf "%d covered, %d appended late\n", n, late
            exit (late > 0 || n == 0) }' c="$1" lim=$(($2 + 1000)) "$W/f_seq.msgs" >"$W/f.covered.$3"
        check "3: checkpoint $1 (broker $3): all it covers was appended before ($(tr '\n' ' ' <"$W/f.covered.$3"))" [ $? -eq 0 ]
    done
fi

# ---- 4: MariaDB restarted ------------------------------------------------------------
if want 4; then
    section "4: MariaDB restarted under a write load"
    seq_table m_seq
    mkconf m "$DB.m_seq" "$(head_pos)"
    start_daemon m
    start_writer m_seq
    waitfor 20 test -f "$W/m.state/checkpoint.json" || bad "4: no checkpoint before the restart: $(tail -3 "$W/m.log")"
    nap 1
    sh "$MSH" stop "$DIR/db" >"$W/db.stop.log" 2>&1 || bad "4: mariadb.sh stop: $(cat "$W/db.stop.log")"
    nap 2
    if ! sh "$MSH" start "$DIR/db" "$DBPORT" $SRVOPTS >"$W/db.restart.log" 2>&1; then
        cat "$W/db.restart.log"
        bad "4: MariaDB did not start again"
        finish
    fi
    nap 2
    stop_writer m_seq
    waitfor 60 ckpt_at_head m || bad "4: the checkpoint did not reach the head ($(ckpt_pos m) vs $(head_pos)): $(tail -2 "$W/m.log")"
    check "4: the daemon stayed up" alive "$DP"
    check "4: the daemon says it reconnected ($(grep -i "retrying\|reconnect" "$W/m.log" | tail -1 | cut -c 1-200))" \
        grep -q "source: reconnected to" "$W/m.log"
    stop_daemon
    check "4: SIGTERM: exit 0 (exit $RC: $(tail -1 "$W/m.log"))" [ "$RC" -eq 0 ]
    verify_seq 4 m_seq
    # started while the source is down (a database still booting): it
    # waits with the backoff of a reconnect, says so, and starts once the
    # source is there
    seq_table m2_seq
    mkconf m2 "$DB.m2_seq" "$(head_pos)"
    sh "$MSH" stop "$DIR/db" >"$W/db.stop2.log" 2>&1 || bad "4: mariadb.sh stop: $(cat "$W/db.stop2.log")"
    start_daemon m2
    waitfor 20 grep -q "retrying in .* to resume at" "$W/m2.log"
    check "4: started with the source down: it says it retries ($(grep retrying "$W/m2.log" | tail -1 | cut -c 1-200))" \
        grep -q "retrying in .* to resume at" "$W/m2.log"
    nap 2
    check "4: ... and keeps running" alive "$DP"
    if ! sh "$MSH" start "$DIR/db" "$DBPORT" $SRVOPTS >"$W/db.restart2.log" 2>&1; then
        cat "$W/db.restart2.log"
        bad "4: MariaDB did not start again"
        finish
    fi
    waitfor 60 connected m2 1 || bad "4: the daemon did not connect once the source was up: $(tail -3 "$W/m2.log")"
    sql -e "INSERT INTO m2_seq VALUES (1, 'a'); INSERT INTO m2_seq VALUES (2, 'a'); UPDATE m2_seq SET note = 'b'"
    waitslow 20 count_is m2_seq 4
    check "4: ... then it publishes what follows its start ($(msg_count m2_seq) of 4 messages)" [ "$(msg_count m2_seq)" -eq 4 ]
    stop_daemon
    check "4: ... SIGTERM: exit 0 (exit $RC)" [ "$RC" -eq 0 ]
fi

# ---- 5: the checkpoint cannot be written ------------------------------------------------
if want 5; then
    section "5: the checkpoint cannot be written"
    seq_table p_seq
    mkconf p "$DB.p_seq" "$(head_pos)"
    start_daemon p
    sql -e "INSERT INTO p_seq VALUES (1, 'a'); INSERT INTO p_seq VALUES (2, 'a'); INSERT INTO p_seq VALUES (3, 'a')"
    waitfor 20 ckpt_at_head p || bad "5: no checkpoint at the head: $(tail -3 "$W/p.log")"
    TMPD=$AW/p.state/checkpoint.json.tmp
    mkdir "$TMPD"
    sql -e "INSERT INTO p_seq VALUES (4, 'a')"
    waitfor 15 grep -q "error: .*$TMPD" "$W/p.log"
    check "5: a clear error naming $TMPD ($(grep "error" "$W/p.log" | tail -1 | cut -c 1-300))" \
        grep -q "error: .*$TMPD" "$W/p.log"
    cp "$W/p.state/checkpoint.json" "$W/p.ckpt.before"
    waitslow 10 count_is p_seq 4
    n0=$(msg_count p_seq)
    check "5: the change before the failure is published ($n0 of 4)" [ "$n0" -eq 4 ]
    sql -e "INSERT INTO p_seq VALUES (5, 'a'); BEGIN; INSERT INTO p_seq VALUES (6, 'a'); INSERT INTO p_seq VALUES (7, 'a'); COMMIT; UPDATE p_seq SET note = 'b'"
    nap 4
    n1=$(msg_count p_seq)
    check "5: while the checkpoint fails nothing more is published ($n1, was $n0)" [ "$n1" -eq "$n0" ]
    check "5: ... the daemon stays up" alive "$DP"
    check "5: ... the checkpoint file stays" cmp -s "$W/p.state/checkpoint.json" "$W/p.ckpt.before"
    rmdir "$TMPD"
    waitslow 20 count_is p_seq 14
    n2=$(msg_count p_seq)
    check "5: the obstacle removed: the rest is published by itself ($n2 of 14)" [ "$n2" -eq 14 ]
    check "5: ... and the log says the checkpoint is written again" grep -q "checkpoint is written again" "$W/p.log"
    waitfor 20 ckpt_at_head p
    check "5: ... the checkpoint reaches the head ($(ckpt_pos p))" ckpt_at_head p
    stop_daemon
    check "5: SIGTERM: exit 0 (exit $RC)" [ "$RC" -eq 0 ]

    # a full disk: the state directory on a 64 KiB tmpfs, filled up (needs
    # mount; where the test may not mount, this part says so and is skipped)
    seq_table q_seq
    mkconf q "$DB.q_seq" "$(head_pos)"
    mkdir -p "$AW/q.state"
    if mount -t tmpfs -o size=64k binlogd-test "$AW/q.state" 2>/dev/null; then
        MOUNTED="$AW/q.state"
        start_daemon q
        sql -e "INSERT INTO q_seq VALUES (1, 'a')"
        waitfor 20 ckpt_at_head q || bad "5: no checkpoint at the head (disk): $(tail -3 "$W/q.log")"
        cp "$AW/q.state/checkpoint.json" "$W/q.ckpt.before"
        dd if=/dev/zero of="$AW/q.state/filler" bs=4k count=64 2>/dev/null
        sql -e "INSERT INTO q_seq VALUES (2, 'a')"
        waitfor 15 grep -q "No space left on device" "$W/q.log"
        check "5: disk full: a clear error ($(grep "error" "$W/q.log" | tail -1 | cut -c 1-300))" \
            grep -q "error: writing the checkpoint .*No space left on device" "$W/q.log"
        waitslow 10 count_is q_seq 2
        n0=$(msg_count q_seq)
        sql -e "INSERT INTO q_seq VALUES (3, 'a'); INSERT INTO q_seq VALUES (4, 'a')"
        nap 3
        n1=$(msg_count q_seq)
        check "5: disk full: nothing more is published ($n1, was $n0)" [ "$n1" -eq "$n0" ]
        check "5: disk full: the old checkpoint is intact" cmp -s "$AW/q.state/checkpoint.json" "$W/q.ckpt.before"
        rm -f "$AW/q.state/filler"
        waitslow 20 count_is q_seq 4
        check "5: space again: the rest is published ($(msg_count q_seq) of 4)" [ "$(msg_count q_seq)" -eq 4 ]
        waitfor 20 ckpt_at_head q
        check "5: ... and the checkpoint reaches the head ($(ckpt_pos q))" ckpt_at_head q
        stop_daemon
        check "5: disk full: SIGTERM: exit 0 (exit $RC)" [ "$RC" -eq 0 ]
        umount "$AW/q.state" && MOUNTED=""
    else
        echo "   (skipped: cannot mount a tmpfs here for the disk-full case)"
    fi
fi

# ---- 7: SIGTERM under load; a second daemon ----------------------------------------
if want 7; then
    section "7: SIGTERM under a write load; a second daemon on the same state"
    seq_table t_seq
    mkconf t "$DB.t_seq" "$(head_pos)"
    start_daemon t
    start_writer t_seq
    waitfor 20 test -f "$W/t.state/checkpoint.json" || bad "7: no checkpoint: $(tail -3 "$W/t.log")"
    # a start at the head knows the GTID position there (BINLOG_GTID_POS):
    # the checkpoint's set is complete from the first write on
    check "7: the first checkpoint has the GTID position ($(cat "$W/t.state/checkpoint.json"))" \
        grep -q '"gtid":"0-1-[0-9][0-9]*"' "$W/t.state/checkpoint.json"
    first=$DP
    timeout 20 "$B" run -c "$W/t.conf" >"$W/t2.log" 2>&1
    rc=$?
    check "7: a second daemon on the same state directory exits non-zero (exit $rc)" [ "$rc" -ne 0 -a "$rc" -ne 124 ]
    check "7: ... saying another binlogd runs with that state directory ($(head -c 300 "$W/t2.log"))" \
        grep -q "another binlogd runs with the state directory $AW/t.state" "$W/t2.log"
    check "7: ... and the first one runs on" alive "$first"
    nap 2
    stop_daemon
    check "7: SIGTERM under load: exit 0 (exit $RC: $(tail -1 "$W/t.log"))" [ "$RC" -eq 0 ]
    check "7: ... within 10 s ($STOP_MS ms)" [ "$STOP_MS" -le 10000 ]
    stopped=$(sed -n 's/.*stopped at \([^ ]*\): .*/\1/p' "$W/t.log" | tail -1)
    check "7: ... the checkpoint written at the stop position ($stopped vs $(ckpt_pos t))" \
        [ -n "$stopped" -a "$stopped" = "$(ckpt_pos t)" ]
    nap 1
    stop_writer t_seq
    start_daemon t
    waitfor 30 ckpt_at_head t || bad "7: the restarted daemon did not reach the head ($(ckpt_pos t) vs $(head_pos))"
    nap 1
    stop_daemon
    check "7: the restarted daemon: exit 0 (exit $RC)" [ "$RC" -eq 0 ]
    verify_seq 7 t_seq
    check "7: no duplicates after a clean stop: $nmsg messages for $ndist changes" [ "$nmsg" -eq "$ndist" ]
    # SIGTERM in the middle of a big transaction: the daemon finishes it
    # (throttled by a small in-flight limit so the stop lands inside it),
    # so the restart publishes none of it again
    seq_table tb_seq
    mkconf tb "$DB.tb_seq" "$(head_pos)"
    conf_add tb daemon "max_in_flight = 500"
    start_daemon tb
    waitfor 20 test -f "$W/tb.state/checkpoint.json" || bad "7: no checkpoint (big): $(tail -3 "$W/tb.log")"
    sql -e "INSERT INTO tb_seq SELECT seq, 'big' FROM seq_1_to_30000"
    waitfor 20 sh -c "[ \$(kcat -b '$BS' -C -t '$(topic tb_seq)' -o beginning -e -q -f 'x\n' 2>/dev/null | wc -l) -gt 0 ]"
    stop_daemon
    check "7: SIGTERM inside a 30,000-row transaction: exit 0 (exit $RC: $(tail -1 "$W/tb.log"))" [ "$RC" -eq 0 ]
    n1=$(msg_count tb_seq)
    check "7: ... the transaction was finished before the stop ($n1 of 30000)" [ "$n1" -eq 30000 ]
    start_daemon tb
    waitfor 30 ckpt_at_head tb
    nap 1
    stop_daemon
    n2=$(msg_count tb_seq)
    check "7: ... and the restart published none of it again ($n2 messages)" [ "$n2" -eq 30000 ]
    # a checkpoint written against another server is refused ... (the
    # state topic's record too: the position comes from there)
    cp "$W/t.state/checkpoint.json" "$W/t.ckpt.orig"
    sed -i 's/"server":"[^"]*"/"server":"mariadb server_id=999"/' "$W/t.state/checkpoint.json"
    printf '%s\t%s\n' '{"source":"run","kind":"checkpoint"}' "$(cat "$W/t.state/checkpoint.json")" |
        kcat -b "$BS" -P -t run.state.t -p 0 -K "$(printf '\t')"
    start_daemon t
    exited_daemon 20
    check "7: a checkpoint of another server: exit 1 (exit $RC)" [ "$RC" -eq 1 ]
    check "7: ... naming both servers ($(grep -i "checkpoint was written" "$W/t.log" | tail -1 | cut -c 1-250))" \
        grep -q "is mariadb server_id=1, but the checkpoint was written against mariadb server_id=999" "$W/t.log"
    check "7: ... and the checkpoint is left alone" grep -q '"server":"mariadb server_id=999"' "$W/t.state/checkpoint.json"
    # ... unless allow_server_change: then it resumes after the checkpoint's GTID set
    conf_add t source "allow_server_change = true"
    start_daemon t
    waitfor 30 grep -q "resuming after the checkpoint's GTID set" "$W/t.log"
    check "7: allow_server_change: resumes after the GTID set ($(grep "GTID set" "$W/t.log" | tail -1 | cut -c 1-200))" \
        grep -q "resuming after the checkpoint's GTID set" "$W/t.log"
    # the next transaction moves the checkpoint, which then names this server
    # (until then the old one stays: a GTID start knows no file:pos yet)
    sql -e "INSERT INTO t_seq VALUES (1000000, 'after failover')"
    waitfor 30 grep -q '"server":"mariadb server_id=1"' "$W/t.state/checkpoint.json"
    check "7: ... and after the next transaction its checkpoint names this server ($(cat "$W/t.state/checkpoint.json"))" \
        grep -q '"server":"mariadb server_id=1"' "$W/t.state/checkpoint.json"
    check "7: ... at this server's head" ckpt_at_head t
    stop_daemon
    check "7: ... exit 0 (exit $RC)" [ "$RC" -eq 0 ]
fi

# ---- 8: oversize rows ------------------------------------------------------------
if want 8; then
    section "8: oversize rows (message.max.bytes = 20000)"
    sql -e "CREATE TABLE o_fail (id INT PRIMARY KEY, body LONGBLOB);
            CREATE TABLE o_skip (id INT PRIMARY KEY, body LONGTEXT)"
    head -c 50000 /dev/zero | tr '\0' b >"$W/o.want"
    # (a) oversize = fail, the default
    mkconf o "$DB.o_fail" "$(head_pos)"
    conf_add o kafka "message.max.bytes = 20000"
    start_daemon o
    waitfor 20 connected o 1 || bad "8: the daemon did not connect: $(tail -3 "$W/o.log")"
    sql -e "INSERT INTO o_fail VALUES (1, 'small before')"
    h1=$(head_pos)
    sql -e "INSERT INTO o_fail VALUES (2, REPEAT('b', 50000))"
    h2=$(head_pos)
    sql -e "INSERT INTO o_fail VALUES (3, 'small after')"
    exited_daemon 30
    check "8: oversize=fail: the daemon exits 1 by itself (exit $RC: $(tail -1 "$W/o.log" | cut -c 1-300))" [ "$RC" -eq 1 ]
    at=$(sed -n 's/^binlogd: error: row change at `'"$DB"'`\.`o_fail` at \([^ ]*\) row 0 is [0-9]* bytes, more than Kafka accepts .*/\1/p' "$W/o.log" | tail -1)
    check "8: ... the error names \`$DB\`.\`o_fail\` at the big row's file:pos (${at:-none}, between $h1 and $h2), \"more than Kafka accepts\" ($(grep 'error:' "$W/o.log" | tail -1 | cut -c 1-300))" \
        pos_in "$at" "$h1" "$h2"
    got=$(got_ids o_fail)
    check "8: ... the small row before it was published, once (ids: $got)" [ "$got" = 1 ]
    check "8: ... the checkpoint is not past the big row's transaction ($(ckpt_pos o), want $h1)" [ "$(ckpt_pos o)" = "$h1" ]
    # a larger limit: the big row and the row after it
    conf_set o message.max.bytes 1000000
    start_daemon o
    waitfor 30 ckpt_at_head o || bad "8: restarted with message.max.bytes = 1000000, the checkpoint did not reach the head ($(ckpt_pos o) vs $(head_pos)): $(tail -2 "$W/o.log")"
    check "8: ... the restart resumed at $h1 ($(grep resuming "$W/o.log" | tail -1 | cut -c 1-200))" \
        grep -qF "resuming from the checkpoint $h1 (" "$W/o.log"
    waitslow 10 count_is o_fail 3
    stop_daemon
    check "8: ... SIGTERM: exit 0 (exit $RC: $(tail -1 "$W/o.log" | cut -c 1-200))" [ "$RC" -eq 0 ]
    got=$(got_ids o_fail)
    check "8: ... then rows 1, 2, 3 published once each, none lost (ids: $got)" [ "$got" = "1 2 3" ]
    grep '"after":{"id":2,' "$W/o_fail.msgs" | sed 's/.*"after":{"id":2,"body":"\([^"]*\)".*/\1/' |
        base64 -d >"$W/o.body" 2>/dev/null
    check "8: ... the big row's body is its 50,000 bytes ($(wc -c <"$W/o.body") bytes)" cmp -s "$W/o.body" "$W/o.want"

    # (b) oversize = skip
    mkconf os "$DB.o_skip" "$(head_pos)"
    conf_add os kafka "oversize = skip"
    conf_add os kafka "message.max.bytes = 20000"
    start_daemon os
    waitfor 20 connected os 1 || bad "8: the daemon did not connect: $(tail -3 "$W/os.log")"
    sql -e "INSERT INTO o_skip VALUES (1, 'small before')"
    s1=$(head_pos)
    sql -e "INSERT INTO o_skip VALUES (2, REPEAT('s', 50000))"
    s2=$(head_pos)
    sql -e "INSERT INTO o_skip VALUES (3, 'small after')"
    # another one inside a transaction, between two small rows
    sql -e "BEGIN; INSERT INTO o_skip VALUES (4, 'four'); INSERT INTO o_skip VALUES (5, REPEAT('t', 60000));
            INSERT INTO o_skip VALUES (6, 'six'); COMMIT"
    waitfor 20 ckpt_at_head os || bad "8: oversize=skip: the checkpoint did not reach the head ($(ckpt_pos os) vs $(head_pos)): $(tail -2 "$W/os.log")"
    check "8: oversize=skip: the daemon runs on ($(tail -1 "$W/os.log" | cut -c 1-200))" alive "$DP"
    sk='^binlogd: warning: row change at `'"$DB"'`\.`o_skip` at \([^ ]*\) row [0-9]* is [0-9]* bytes, more than Kafka accepts (message\.max\.bytes): skipped, as kafka\.oversize=skip says'
    w1=$(sed -n "s/$sk (1 so far)\$/\\1/p" "$W/os.log")
    check "8: ... a warning names the table and the big row's file:pos (${w1:-none}, between $s1 and $s2), counted: 1 so far ($(grep 'warning:' "$W/os.log" | head -1 | cut -c 1-300))" \
        pos_in "$w1" "$s1" "$s2"
    check "8: ... the second: 2 so far ($(grep 'warning:' "$W/os.log" | sed -n 2p | cut -c 1-300))" grep -q "$sk (2 so far)\$" "$W/os.log"
    got=$(got_ids o_skip)
    check "8: ... the rows before and after are published (ids: $got, want 1 3 4 6)" [ "$got" = "1 3 4 6" ]
    check "8: ... in the transaction with a skipped row: \"last\":false on the row before it" \
        grep -q '"after":{"id":4,.*"xid":null,"last":false}}$' "$W/o_skip.msgs"
    check "8: ... \"last\":true and the xid on the row after it" \
        grep -q '"after":{"id":6,.*"xid":[0-9][0-9]*,"last":true}}$' "$W/o_skip.msgs"
    stop_daemon
    check "8: ... SIGTERM: exit 0 (exit $RC: $(tail -1 "$W/os.log" | cut -c 1-200))" [ "$RC" -eq 0 ]
    check "8: ... the stop line counts 2 oversize skipped ($(grep 'stopped at' "$W/os.log" | tail -1 | cut -c 1-200))" \
        grep -q "stopped at .*, 2 oversize skipped, " "$W/os.log"
fi

# ---- 9: filters and SIGHUP reload ------------------------------------------------------
if want 9; then
    section "9: filters (include $DB.keep_*, exclude $DB.keep_secret); SIGHUP reload"
    for t in keep_a keep_secret other; do
        sql -e "CREATE TABLE $t (id INT PRIMARY KEY, note VARCHAR(20))"
    done
    # write9 ID: row ID in each of the three tables, in the order given
    write9() {
        _id=$1
        shift
        for _t in "$@"; do echo "INSERT INTO $_t VALUES ($_id, '$_t $_id');"; done | sql
    }
    mkconf h "$DB.keep_*" "$(head_pos)"
    conf_add h filter "exclude = $DB.keep_secret"
    start_daemon h
    waitfor 20 connected h 1 || bad "9: the daemon did not connect: $(tail -3 "$W/h.log")"
    write9 1 keep_a keep_secret other
    # a transaction whose only wanted row is not its last
    sql -e "BEGIN; INSERT INTO keep_a VALUES (2, 'a2'); INSERT INTO keep_secret VALUES (2, 's2');
            INSERT INTO other VALUES (2, 'o2'); COMMIT"
    waitfor 20 ckpt_at_head h || bad "9: the checkpoint did not reach the head ($(ckpt_pos h) vs $(head_pos)): $(tail -2 "$W/h.log")"
    got=$(got_ids keep_a)
    check "9: keep_a published (ids: $got, want 1 2)" [ "$got" = "1 2" ]
    check "9: ... its row 2, the transaction's only wanted row, says \"last\":true with the xid" \
        grep -q '"after":{"id":2,.*"xid":[0-9][0-9]*,"last":true}}$' "$W/keep_a.msgs"
    check "9: keep_secret (included, excluded) is not published ($(msg_count keep_secret) messages)" count_is keep_secret 0
    check "9: other (not included) is not published ($(msg_count other) messages)" count_is other 0

    # a reload that changes the filters
    conf_set h include "$DB.*"
    kill -HUP "$DP"
    waitfor 10 grep -q "configuration reloaded" "$W/h.log"
    check "9: SIGHUP: \"configuration reloaded\" with the new filters ($(grep 'reload' "$W/h.log" | tail -1 | cut -c 1-300))" \
        grep -qF "configuration reloaded from $W/h.conf (filters: include '$DB.*', exclude '$DB.keep_secret')" "$W/h.log"
    write9 3 other keep_a keep_secret
    waitfor 20 ckpt_at_head h || bad "9: after the reload the checkpoint did not reach the head ($(ckpt_pos h) vs $(head_pos)): $(tail -2 "$W/h.log")"
    got=$(got_ids other)
    check "9: ... new writes to other are published (ids: $got, want 3)" [ "$got" = 3 ]
    got=$(got_ids keep_a)
    check "9: ... and to keep_a (ids: $got, want 1 2 3)" [ "$got" = "1 2 3" ]
    check "9: ... keep_secret stays excluded ($(msg_count keep_secret) messages)" count_is keep_secret 0

    # a reload that changes a non-reloadable option (and the filters)
    conf_set h server_id $((SID + 1000))
    conf_set h include "$DB.keep_a"
    kill -HUP "$DP"
    waitfor 10 grep -q "reload refused" "$W/h.log"
    check "9: SIGHUP with source.server_id changed: \"reload refused\" naming source.server_id only ($(grep 'reload refused' "$W/h.log" | tail -1 | cut -c 1-300))" \
        grep -q "error: reload refused, the running configuration stays: these options need a restart: source\.server_id\$" "$W/h.log"
    check "9: ... the daemon runs on" alive "$DP"
    write9 4 other keep_a keep_secret
    waitfor 20 ckpt_at_head h || bad "9: after the refused reload the checkpoint did not reach the head ($(ckpt_pos h) vs $(head_pos)): $(tail -2 "$W/h.log")"
    got=$(got_ids other)
    check "9: ... with the old filters: other is still published (ids: $got, want 3 4)" [ "$got" = "3 4" ]
    got=$(got_ids keep_a)
    check "9: ... keep_a too (ids: $got, want 1 2 3 4)" [ "$got" = "1 2 3 4" ]
    check "9: ... keep_secret still not ($(msg_count keep_secret) messages)" count_is keep_secret 0
    check "9: ... one \"configuration reloaded\" only ($(grep_count "configuration reloaded" "$W/h.log"))" \
        [ "$(grep_count "configuration reloaded" "$W/h.log")" -eq 1 ]
    stop_daemon
    check "9: SIGTERM: exit 0 (exit $RC: $(tail -1 "$W/h.log" | cut -c 1-200))" [ "$RC" -eq 0 ]
    check "9: ... the stop line: 6 published, 6 filtered out ($(grep 'stopped at' "$W/h.log" | tail -1 | cut -c 1-200))" \
        grep -q "stopped at .*: 6 row changes published (6 filtered out, 0 oversize skipped, " "$W/h.log"
fi

# ---- 10: systemd notify ------------------------------------------------------------
if want 10; then
    section "10: systemd notify (READY, STATUS, WATCHDOG, RELOADING, STOPPING)"
    NS=$AW/n.notify.sock
    # socat -v dumps each datagram to stderr after a header line
    # "> DATE TIME  length=N from=A to=B"; notes prints the datagrams' lines
    # as "N LINE" (N: the datagram's number, from 1)
    notes() {
        gawk 'BEGIN { RS = "> [0-9]+/[0-9]+/[0-9]+ [0-9:.]+  length=[0-9]+ from=[0-9]+ to=[0-9]+\n" }
              NR > 1 { n = split($0, a, "\n"); for (i = 1; i <= n; i++) if (a[i] != "") print NR - 1, a[i] }' \
            "$W/n.notify.raw"
    }
    note_count() { notes | grep -c "^[0-9]* $1\$"; }
    note_has() { notes | grep -q "^[0-9]* $1\$"; }
    has_line() { notes | grep -qxF "$1"; }
    # ready_after_reloading K: the K-th RELOADING=1 is followed by READY=1
    # (before any later RELOADING=1)
    ready_after_reloading() {
        notes | awk -v k="$1" '
            $2 == "RELOADING=1" { n++; if (n == k) r = $1; else if (n > k) exit }
            $2 == "READY=1" && r && $1 > r { ok = 1; exit }
            END { exit !ok }'
    }
    seq_table n_seq
    mkconf n "$DB.n_seq" "$(head_pos)"
    rm -f "$NS"
    socat -u -v "UNIX-RECV:$NS" OPEN:/dev/null 2>"$W/n.notify.raw" &
    HP=$!
    HPIDS="$HPIDS $HP"
    waitfor 5 test -S "$NS" || bad "10: socat did not make $NS: $(cat "$W/n.notify.raw")"
    # MariaDB frozen (under connect_timeout) while the daemon starts
    FROZEN_DB=$(cat "$DIR/db/mysqld.pid")
    kill -STOP "$FROZEN_DB"
    echo "---- start $(date '+%H:%M:%S')" >>"$W/n.log"
    NOTIFY_SOCKET=$NS WATCHDOG_USEC=2000000 \
        sh -c 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$0" run -c "$1"' "$B" "$W/n.conf" >>"$W/n.log" 2>&1 &
    DP=$!
    DPIDS="$DPIDS $DP"
    nap 1.5
    c0=$(connected_count n)
    r0=$(note_count READY=1)
    kill -CONT "$FROZEN_DB"
    FROZEN_DB=""
    check "10: MariaDB frozen: not connected yet ($c0), and no READY=1 ($r0)" [ "$c0" -eq 0 -a "$r0" -eq 0 ]
    waitfor 10 note_has READY=1 || bad "10: no READY=1 after MariaDB went on: $(tail -2 "$W/n.log")"
    check "10: READY=1 once connected ($(grep "connected to" "$W/n.log" | cut -c 1-200))" connected n 1
    rn=$(notes | awk '$2 == "READY=1" { print $1; exit }')
    check "10: ... in one datagram with STATUS=connected, publishing ($(notes | tr '\n' '|' | cut -c 1-300))" \
        has_line "${rn:-x} STATUS=connected, publishing"
    check "10: ... one READY=1 ($(note_count READY=1))" [ "$(note_count READY=1)" -eq 1 ]
    sql -e "INSERT INTO n_seq VALUES (1, 'a'), (2, 'b'); UPDATE n_seq SET note = 'c' WHERE id = 1"
    h=$(head_pos)
    st="STATUS=acknowledged up to $h; 3 row changes published, 0 in flight"
    waitfor 10 note_has "$st"
    check "10: $st ($(notes | grep STATUS= | tail -1))" note_has "$st"
    wa=$(note_count WATCHDOG=1)
    nap 3
    wb=$(note_count WATCHDOG=1)
    check "10: WATCHDOG=1 repeatedly: $((wb - wa)) in 3 s (WATCHDOG_USEC=2000000)" [ $((wb - wa)) -ge 2 ]
    # a reload
    kill -HUP "$DP"
    waitfor 10 ready_after_reloading 1
    check "10: SIGHUP: RELOADING=1 then READY=1 ($(notes | grep -E ' (RELOADING|READY)=1$' | tr '\n' ' '))" \
        ready_after_reloading 1
    check "10: ... the configuration reloaded" grep -q "configuration reloaded" "$W/n.log"
    # a refused reload is a finished reload too: READY=1 again (sd_notify(3)),
    # else systemd stays in "reloading"
    conf_set n server_id $((SID + 1000))
    kill -HUP "$DP"
    waitfor 10 grep -q "reload refused" "$W/n.log"
    waitfor 5 ready_after_reloading 2
    check "10: SIGHUP refused (source.server_id changed): RELOADING=1 then READY=1 ($(notes | grep -E ' (RELOADING|READY)=1$' | tr '\n' ' '))" \
        ready_after_reloading 2
    s0=$(note_count STOPPING=1)
    stop_daemon
    check "10: SIGTERM: exit 0 (exit $RC: $(tail -1 "$W/n.log" | cut -c 1-200))" [ "$RC" -eq 0 ]
    waitfor 5 note_has STOPPING=1
    check "10: ... STOPPING=1 ($(notes | tail -2 | tr '\n' '|'))" note_has STOPPING=1
    check "10: ... none before SIGTERM ($s0)" [ "$s0" -eq 0 ]
    kill "$HP" 2>/dev/null
    wait "$HP" 2>/dev/null
    forget HPIDS "$HP"
fi

# ---- 11: a topic that does not exist ----------------------------------------------------
if want 11; then
    section "11: a topic that does not exist and is not created"
    # Production brokers often run with auto.create.topics.enable=false; the
    # producer's allow.auto.create.topics=false has the same effect on this
    # broker.  librdkafka gives up on an unknown topic after
    # topic.metadata.propagation.max.ms (30 s by default, 1 s here).
    sql -e "CREATE TABLE nt (id INT PRIMARY KEY, v VARCHAR(10))"
    mkconf nt "$DB.nt" "$(head_pos)"
    conf_add nt kafka "topic.metadata.propagation.max.ms = 1000"
    conf_add nt kafka "allow.auto.create.topics = false"
    start_daemon nt
    waitfor 20 connected nt 1 || bad "11: the daemon did not connect: $(tail -3 "$W/nt.log")"
    n0=$(head_pos)
    sql -e "INSERT INTO nt VALUES (1, 'one')"
    exited_daemon 20
    check "11: the daemon exits 1 by itself (exit $RC: $(tail -1 "$W/nt.log" | cut -c 1-300))" [ "$RC" -eq 1 ]
    check "11: ... the error names the topic and the cause ($(grep 'error:' "$W/nt.log" | tail -1 | cut -c 1-300))" \
        grep -q "error: Kafka did not take a row change for $(topic nt): the topic does not exist and the broker did not create it" "$W/nt.log"
    check "11: ... the checkpoint is not past the row's transaction ($(ckpt_pos nt), want $n0)" [ "$(ckpt_pos nt)" = "$n0" ]
    # once the topic may be created: the row, once
    sed -i '/^allow.auto.create.topics = false$/d' "$W/nt.conf"
    start_daemon nt
    waitfor 30 ckpt_at_head nt || bad "11: restarted, the checkpoint did not reach the head ($(ckpt_pos nt) vs $(head_pos)): $(tail -2 "$W/nt.log")"
    stop_daemon
    check "11: ... restarted where the topic is created: exit 0 on SIGTERM (exit $RC)" [ "$RC" -eq 0 ]
    got=$(got_ids nt)
    check "11: ... the row is published, once (ids: $got)" [ "$got" = 1 ]
fi

# start_mixed TABLE: start_writer's load, and every fourth transaction also
# deletes row i-2
start_mixed() { start_writer "$1" mixed; }

# ---- 12: exactly once: kill -9 under a mixed load ------------------------------------
# consume_iso TABLE OUT LEVEL: as consume, with isolation.level LEVEL
consume_iso() {
    kcat -b "$BS" -C -t "$(topic "$1")" -o beginning -e -q -X isolation.level="$3" \
        -f '%p %o %T %k %s\n' >"$2" 2>"$2.err"
}
# verify_once GROUP TABLE: a read_committed consumer saw each change of the
# table exactly once, and per key in source order
verify_once() {
    _g=$1 _t=$2
    consume_iso "$_t" "$W/$_t.msgs" read_committed
    nmsg=$(wc -l <"$W/$_t.msgs")
    ndist=$(srcrows "$W/$_t.msgs" | cut -f1 | sort -u | wc -l)
    check "$_g: no change seen twice by a read_committed consumer ($nmsg messages, $ndist distinct (file,pos,row))" \
        [ "$nmsg" -eq "$ndist" ]
    for op in c u d; do
        grep "\"op\":\"$op\"" "$W/$_t.msgs" | sed 's/^[0-9]* [0-9]* [0-9-]* {"id":\([0-9]*\)} .*/\1/' | sort >"$W/$_t.$op"
    done
    tcpsql -e "SELECT id FROM $_t" | sort >"$W/$_t.truth"
    comm -23 "$W/$_t.c" "$W/$_t.d" >"$W/$_t.live"
    nc=$(wc -l <"$W/$_t.c")
    nd=$(wc -l <"$W/$_t.d")
    check "$_g: a load was written ($nc inserts, $nd deletes)" [ "$nc" -ge 50 -a "$nd" -ge 5 ]
    check "$_g: inserted minus deleted is the table, row for row" cmp -s "$W/$_t.live" "$W/$_t.truth"
    check "$_g: an update for every insert" cmp -s "$W/$_t.c" "$W/$_t.u"
    sort "$W/$_t.committed" >"$W/$_t.committed.s"
    _m=$(comm -23 "$W/$_t.committed.s" "$W/$_t.c" | head -5 | tr '\n' ' ')
    check "$_g: every insert the writer saw committed was consumed ($_m)" [ -z "$_m" ]
    # per key: one partition, offsets in source order
    awk "$AWKLIB"'{ v = after4($0); src(v); k = $4
        if ((k in part) && part[k] != $1) { print "key " k " in two partitions"; exit 1 }
        if ((k in prev) && AT <= prev[k]) { print "key " k ": offset " $2 " at " AT " after " prev[k]; exit 1 }
        part[k] = $1; prev[k] = AT }' "$W/$_t.msgs" >"$W/$_t.order"
    check "$_g: per key, one partition and source order ($(cat "$W/$_t.order"))" [ $? -eq 0 ]
}
if want 12; then
    section "12: exactly once: kill -9 at $KILLS random moments under a mixed load"
    seq_table e_seq
    mkconf e "$DB.e_seq" "$(head_pos)"
    conf_add e kafka "exactly_once = true"
    start_mixed e_seq
    k=1
    while [ $k -le "$KILLS" ]; do
        start_daemon e
        s=$(awk -v s="$$$k" 'BEGIN { srand(s); printf "%.1f", 0.5 + rand() * 2.5 }')
        nap "$s"
        check "12: the daemon ran until kill $k (${s} s: $(tail -1 "$W/e.log" | cut -c 1-200))" alive "$DP"
        kill9_daemon
        k=$((k + 1))
    done
    start_daemon e
    sleep 1
    stop_writer e_seq
    waitfor 60 ckpt_at_head e || bad "12: the checkpoint did not reach the head after the last restart ($(ckpt_pos e) vs $(head_pos))"
    stop_daemon
    check "12: the last daemon: SIGTERM, exit 0 (exit $RC)" [ "$RC" -eq 0 ]
    check "12: restarts resumed from the state topic ($(grep_count "of run.state" "$W/e.log"))" \
        [ "$(grep_count "of run.state" "$W/e.log")" -ge 1 ]
    check "12: Kafka transactions committed, with their checkpoints; both producers initialised" \
        grep -q "exactly once: initialising transactions as binlogd.run and binlogd.run#1" "$W/e.log"
    verify_once 12 e_seq
    consume_iso e_seq "$W/e_seq.all" read_uncommitted
    check "12: a read_uncommitted consumer sees at least as many ($(wc -l <"$W/e_seq.all") >= $nmsg; the rest: aborted repeats)" \
        [ "$(wc -l <"$W/e_seq.all")" -ge "$nmsg" ]

    # the state directory lost while stopped: the state topic has the position
    rm -rf "$W/e.state"
    i=100000
    while [ $i -lt 100010 ]; do
        tcpsql -e "INSERT INTO e_seq VALUES ($i, 'a'); UPDATE e_seq SET note = 'b' WHERE id = $i"
        echo "$i" >>"$W/e_seq.committed"
        i=$((i + 1))
    done
    start_daemon e
    waitfor 30 ckpt_at_head e || bad "12: without its state directory, the checkpoint did not reach the head ($(ckpt_pos e) vs $(head_pos)): $(tail -2 "$W/e.log")"
    stop_daemon
    check "12: state directory deleted: exit 0 (exit $RC)" [ "$RC" -eq 0 ]
    check "12: ... it resumed from the state topic ($(grep "resuming from" "$W/e.log" | tail -1 | cut -c 1-200))" \
        sh -c "grep 'resuming from' '$W/e.log' | tail -1 | grep -q 'of run.state'"
    verify_once "12 (state directory deleted)" e_seq

    # both gone: a new state topic, no state directory, old topics
    rm -rf "$W/e.state"
    conf_set e state_topic run.state2
    start_daemon e
    exited_daemon 30
    check "12: no position anywhere but the topic holds messages: exit 2 (exit $RC)" [ "$RC" -eq 2 ]
    check "12: ... naming the topic, the loss and --start ($(grep 'error:' "$W/e.log" | tail -1 | cut -c 1-300))" \
        grep -q "error: no position of source run .*1 of its topics already hold messages ($(topic e_seq)).*--start" "$W/e.log"
    here=$(head_pos)
    tcpsql -e "INSERT INTO e_seq VALUES (200000, 'a')"
    "$B" run -c "$W/e.conf" --start "$here" >>"$W/e.log" 2>&1 &
    DP=$!
    DPIDS="$DPIDS $DP"
    waitfor 30 ckpt_at_head e || bad "12: --start $here: the checkpoint did not reach the head: $(tail -2 "$W/e.log")"
    stop_daemon
    check "12: --start $here once: exit 0 (exit $RC)" [ "$RC" -eq 0 ]
    check "12: ... it said where it started" grep -q "warning: no position of source run: starting at $here, as --start says" "$W/e.log"
    check "12: ... the row after it published, once" \
        [ "$(consume_iso e_seq /dev/stdout read_committed | grep -c '"after":{"id":200000,')" -eq 1 ]
    "$B" run -c "$W/e.conf" --start oldest >>"$W/e.log" 2>&1
    RC=$?
    check "12: --start with a position found: exit 2 (exit $RC)" [ "$RC" -eq 2 ]
    check "12: ... saying a position exists" grep -q "error: --start oldest: a position exists" "$W/e.log"
    mkconf e2 "$DB.e2_none" x
    sed -i -e '/^start = x$/d' -e 's/^name = run$/name = fresh/' "$W/e2.conf"
    "$B" run -c "$W/e2.conf" >"$W/e2.log" 2>&1
    RC=$?
    check "12: no position, nothing published, no [source] start: exit 2 (exit $RC)" [ "$RC" -eq 2 ]
    check "12: ... saying to set start or use --start ($(grep 'error:' "$W/e2.log" | cut -c 1-200))" \
        grep -q "no \[source\] start in .*run once with --start" "$W/e2.log"
fi

# ---- 13: the schema history from the state topic -------------------------------------
if want 13; then
    section "13: a backlog across an ALTER ($META metadata), resumed without the local schema history"
    sql -e "CREATE TABLE h_alt (id INT PRIMARY KEY, a VARCHAR(10), b INT)"
    mkconf h "$DB.h_alt" "$(head_pos)"
    conf_add h kafka "exactly_once = true"
    start_daemon h
    waitfor 20 connected h 1 || bad "13: the daemon did not connect: $(tail -3 "$W/h.log")"
    sql -e "INSERT INTO h_alt VALUES (1, 'one', 10)"
    waitfor 30 ckpt_at_head h || bad "13: the checkpoint did not reach the head: $(tail -2 "$W/h.log")"
    stop_daemon
    check "13: the first run: exit 0 (exit $RC)" [ "$RC" -eq 0 ]
    # the backlog: a row, the rename, a row
    sql -e "INSERT INTO h_alt VALUES (2, 'two', 20)"
    sql -e "ALTER TABLE h_alt CHANGE a a2 VARCHAR(10)"
    sql -e "INSERT INTO h_alt VALUES (3, 'three', 30)"
    rm -rf "$W/h.state"
    start_daemon h
    waitfor 30 ckpt_at_head h || bad "13: resumed, the checkpoint did not reach the head ($(ckpt_pos h) vs $(head_pos)): $(tail -2 "$W/h.log")"
    stop_daemon
    check "13: resumed without its state directory: exit 0 (exit $RC: $(grep 'error' "$W/h.log" | tail -1 | cut -c 1-200))" [ "$RC" -eq 0 ]
    check "13: ... from the state topic" sh -c "grep 'resuming from' '$W/h.log' | tail -1 | grep -q 'of run.state.h'"
    if [ "$META" != FULL ]; then
        check "13: ... with the schema history from the state topic ($(grep 'schema history:' "$W/h.log" | tail -1 | cut -c 1-200))" \
            grep -q "schema history: [0-9]* lines from the state topic run.state.h added to" "$W/h.log"
    fi
    consume_iso h_alt "$W/h_alt.msgs" read_committed
    check "13: three rows, each once ($(wc -l <"$W/h_alt.msgs"))" [ "$(wc -l <"$W/h_alt.msgs")" -eq 3 ]
    check "13: before the rename: \"a\":\"two\"" grep -q '"after":{"id":2,"a":"two","b":20}' "$W/h_alt.msgs"
    check "13: after it: \"a2\":\"three\"" grep -q '"after":{"id":3,"a2":"three","b":30}' "$W/h_alt.msgs"
fi

# ---- 14: active and standby ----------------------------------------------------------
if want 14; then
    section "14: active and standby: the active one killed, then one frozen and fenced"
    seq_table sb_seq
    mkconf sa "$DB.sb_seq" "$(head_pos)"
    conf_add sa kafka "exactly_once = true"
    conf_add sa kafka "standby = true"
    conf_add sa kafka "standby_timeout = 6s"
    HA=$((DBPORT + 7))
    HB=$((DBPORT + 8))
    printf '\n[http]\nlisten = 127.0.0.1:%s\n[gate g14]\ntables = %s.sb_seq\ncutoff = 00:00\n' "$HA" "$DB" >>"$W/sa.conf"
    sed -e "s|^dir = .*|dir = $AW/sb.state|" -e "s|^listen = .*|listen = 127.0.0.1:$HB|" "$W/sa.conf" >"$W/sb.conf"
    hget() { curl -s -o "$W/h14.body" -w '%{http_code}' "http://127.0.0.1:$1$2" 2>/dev/null; }
    active() { grep -q "active: this instance holds partition 0" "$W/$1.log" 2>/dev/null; }
    waiting() { [ "$(grep_count "standby: waiting in group" "$W/$1.log")" -ge "$2" ]; }
    start_daemon sa
    PA=$DP
    waitfor 30 active sa || bad "14: the first instance did not become active: $(tail -3 "$W/sa.log")"
    start_daemon sb
    PB=$DP
    waitfor 30 waiting sb 1 || bad "14: the second instance did not wait: $(tail -3 "$W/sb.log")"
    nap 3
    check "14: only one publishes (the second waits: $(tail -1 "$W/sb.log" | cut -c 1-150))" sh -c "! grep -q 'active: this' '$W/sb.log'"
    start_mixed sb_seq
    nap 3
    # the standby answers gates and lag from the active one's checkpoint in
    # the state topic: a cut-off the load has passed is ready, one ahead
    # of it is not
    T14=$(($(date +%s) - 2))
    waitfor 20 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' 'http://127.0.0.1:$HB/gates/g14?cutoff=@$T14')\" = 200 ]" ||
        bad "14: the standby's gate did not open for a passed cut-off: $(hget "$HB" "/gates/g14?cutoff=@$T14") $(cat "$W/h14.body")"
    code=$(hget "$HB" "/gates/g14?cutoff=@$T14")
    check "14: standby: /gates/g14 for a cut-off 2 s back: 200, ready, the table's durable watermark past it ($code $(cut -c 1-300 "$W/h14.body"))" \
        sh -c "[ $code = 200 ] && grep -q '\"ready\":true' '$W/h14.body' && grep -q '\"table\":\"$DB.sb_seq\"' '$W/h14.body'"
    code=$(hget "$HB" "/gates/g14?cutoff=@$(($(date +%s) + 3600))")
    check "14: standby: /gates/g14 for a cut-off an hour ahead: 503, not ready ($code)" \
        sh -c "[ $code = 503 ] && grep -q '\"ready\":false' '$W/h14.body'"
    code=$(hget "$HB" "/lag?max=30s&stage=durable")
    check "14: standby: /lag?stage=durable under load: 200, a figure under 30 s ($code $(cat "$W/h14.body"))" \
        sh -c "[ $code = 200 ] && grep -q '\"lag_s\":[0-9]' '$W/h14.body'"
    code=$(hget "$HB" /status)
    check "14: standby: /status says standby and what the active one committed ($code $(cut -c 1-300 "$W/h14.body"))" \
        sh -c "[ $code = 200 ] && grep -q '\"role\":\"standby\"' '$W/h14.body' && grep -q '\"committed\":{\"file\":\"' '$W/h14.body'"
    code=$(hget "$HB" /nothing)
    check "14: standby: an unknown path: 404 ($code)" [ "$code" = 404 ]
    DP=$PA
    t0=$(now_ms)
    kill9_daemon
    waitfor 40 active sb || bad "14: the standby did not take over: $(tail -3 "$W/sb.log")"
    # its first commit writes its local mirror of the position
    waitfor 40 test -s "$W/sb.state/checkpoint.json" || bad "14: the standby committed nothing: $(tail -3 "$W/sb.log")"
    TAKEOVER=$(($(now_ms) - t0))
    section "14: takeover after kill -9 of the active instance: $TAKEOVER ms to the standby's first commit"
    check "14: the standby took over within 15 s ($TAKEOVER ms)" [ "$TAKEOVER" -le 15000 ]
    # a third start waits; the active one frozen past its session
    start_daemon sa
    PA=$DP
    waitfor 30 waiting sa 2 || bad "14: the restarted instance did not wait: $(tail -3 "$W/sa.log")"
    kill -STOP "$PB"
    nap 12
    check "14: with the active one frozen, the waiting one took over" active sa
    kill -CONT "$PB"
    waitfor 30 waiting sb 2 || bad "14: the frozen instance did not go back to waiting: $(tail -5 "$W/sb.log")"
    check "14: ... the frozen one, thawed, stopped publishing ($(grep -E 'fenced|lost partition' "$W/sb.log" | tail -1 | cut -c 1-200))" \
        grep -qE "was fenced|lost partition 0" "$W/sb.log"
    check "14: ... and it is still running (waiting, not exited)" alive "$PB"
    nap 2
    stop_writer sb_seq
    DP=$PA
    waitfor 60 ckpt_at_head sa || bad "14: the active one's checkpoint did not reach the head ($(ckpt_pos sa) vs $(head_pos))"
    stop_daemon
    check "14: the active one: SIGTERM, exit 0 (exit $RC)" [ "$RC" -eq 0 ]
    # it left the group: the other takes over at once, with nothing to do
    DP=$PB
    waitfor 30 sh -c "[ \$(grep -c 'active: this instance holds' '$W/sb.log') -ge 2 ]" ||
        bad "14: the waiting one did not take over after a clean stop: $(tail -2 "$W/sb.log")"
    nap 2
    stop_daemon
    check "14: the last one: SIGTERM, exit 0 (exit $RC)" [ "$RC" -eq 0 ]
    verify_once 14 sb_seq
fi

# ---- 15: exactly once: the broker killed mid-transaction ------------------------------
if want 15; then
    section "15: exactly once: the broker killed (kill -9) and started again under a mixed load"
    seq_table b_seq
    sql -e "CREATE TABLE b_big (id INT PRIMARY KEY, pad VARCHAR(40))"
    mkconf bk "$DB.b_seq,$DB.b_big" "$(head_pos)"
    conf_add bk kafka "exactly_once = true"
    start_daemon bk
    waitfor 20 connected bk 1 || bad "15: the daemon did not connect: $(tail -3 "$W/bk.log")"
    # a first row makes b_big's topic exist before the big transaction
    sql -e "INSERT INTO b_big VALUES (0, 'first')"
    start_mixed b_seq
    nap 3
    # one 1,000,000-row transaction, committed on the source just before the
    # kill: the daemon is in the middle of publishing it (seconds of work)
    # when the broker dies
    sql -e "INSERT INTO b_big SELECT seq, CONCAT('row ', seq) FROM seq_1_to_1000000"
    nap 0.5
    KT=$(now_ms)
    kill -9 "$(cat "$DIR/kafka/kafka.pid")"
    nap 5
    if ! sh "$KSH" start "$DIR/kafka" "$KPORT" $KOPTS >"$W/kafka.restart15.log" 2>&1; then
        cat "$W/kafka.restart15.log"
        bad "15: Kafka did not start again"
        finish
    fi
    nap 10
    restarts=0
    if ! alive "$DP"; then
        wait "$DP"
        RC=$?
        forget DPIDS "$DP"
        check "15: a daemon that did not ride it out exits 1 ($RC: $(grep error: "$W/bk.log" | tail -1 | cut -c 1-200))" [ "$RC" -eq 1 ]
        start_daemon bk
        restarts=1
    fi
    nap 3
    stop_writer b_seq
    waitfor 90 ckpt_at_head bk || bad "15: the checkpoint did not reach the head ($(ckpt_pos bk) vs $(head_pos)): $(tail -2 "$W/bk.log")"
    stop_daemon
    check "15: SIGTERM at the end: exit 0 (exit $RC; restarted $restarts times)" [ "$RC" -eq 0 ]
    verify_once 15 b_seq
    # the big transaction was being published when the broker died: the
    # broker had appended part of it before the kill (LogAppendTime) and
    # the rest after its restart.  Whether its Kafka transaction went on
    # after the restart (the idempotent producer's retries, within
    # transaction.timeout.ms) or was aborted and published again, a
    # read_committed consumer sees each row once
    consume_iso b_big "$W/b_big.rc" read_committed
    consume_iso b_big "$W/b_big.ru" read_uncommitted
    nrc=$(wc -l <"$W/b_big.rc")
    ndrc=$(srcrows "$W/b_big.rc" | cut -f1 | sort -u | wc -l)
    nru=$(wc -l <"$W/b_big.ru")
    split=$(awk -v k="$KT" '$3 < k { b++ } $3 > k { a++ } END { printf "%d before, %d after", b, a }' "$W/b_big.ru")
    check "15: the kill hit the 1,000,000-row transaction mid-way: appended $split the kill" \
        awk -v k="$KT" '$3 < k { b++ } $3 > k { a++ } END { exit !(b > 0 && a > 0) }' "$W/b_big.ru"
    check "15: ... read_committed sees each of its rows once ($nrc messages with the first row, $ndrc distinct; read_uncommitted $nru)" \
        sh -c "[ $nrc -eq 1000001 ] && [ $ndrc -eq 1000001 ]"
fi

finish
