#!/bin/sh
# `binlogd replay` (issue #6): re-publish an exact binlog range against a
# real MariaDB and a real Kafka broker, without disturbing the daemon.
#
# Starts MariaDB (binlog_row_metadata=FULL, binlog_row_image=FULL) on
# 127.0.0.1:$REPLAY_DB_PORT (13670) and Kafka (KRaft, one node) on
# 127.0.0.1:$REPLAY_KAFKA_PORT (13970), both in build/integ/replay, and stops
# them on every exit path.  The truth is `binlogd dump` (of the live server,
# or of the files), cut to the range.  A config r.conf (source name "rp",
# [kafka] topic = {source}.{db}.{table}) serves the replays; its state
# directory holds a real checkpoint (a short `binlogd run` at the start), and
# after every replay it must be byte-identical with unchanged mtimes.
#   1  positions: a batch of transactions in pay.flow and pay.cp (multi-row,
#      multi-table, INSERT/UPDATE/DELETE) between SHOW MASTER STATUS A and B,
#      with writes before A and after B.  `replay --from A --to B` to the
#      default topics: exit 0; its messages' (file,pos,row) are exactly the
#      dump's rows in [A, B), once each, and their values the dump's lines;
#      keys are the primary key; every message carries binlogd.replay.id
#      (the id the summary prints) and binlogd.replay.pos (the row's
#      FILE:POS); the summary says "covered A .. B" and "acknowledged N of
#      N".  --from at a row event inside a transaction publishes that whole
#      transaction (its first row too, nothing before it) and the summary
#      covers from the transaction's start.  The same replay again exits 0
#      (another generated id).  Usage errors exit 2.
#   2  --tables pay.cp publishes only pay.cp, exactly its rows in [A, B);
#      --dry-run prints "table pay.cp N" with N what the real run published;
#      --topic TEMPLATE publishes to other topics (one without {table} is
#      refused);
#      publishes nothing (the .dry topics are absent or empty); a --dry-run
#      of all tables counts the dump's rows per table
#   3  the daemon (its own config and state directory, server_id 601) runs
#      on the same source under a write load while a replay of a range
#      (with a 30,000-row transaction) goes to --topic-suffix .replay: the
#      replay exits 0 with exactly its range; the daemon's topics hold
#      exactly what dump says (no duplicate, nothing missing, no replay
#      headers), its checkpoint moved during the replay and reaches the
#      head, it connected once and logged no error, and its state
#      directory has no new file
#   4  archived files: the binlog files copied to an archive, then PURGE
#      BINARY LOGS on the server; `replay --files ... --stdout` equals
#      `dump` of the archive: all of it (--from binlog.000001, no --to), a
#      range across two files, a --from FILE without POS; stdout holds JSON
#      lines only
#   5  a --from in a purged file against the live server: exit 1, stderr
#      names the file, says purged, and names the oldest binlog left
#   6  ALTER TABLE pay.flow ADD COLUMN note in the range: `replay --stdout`
#      decodes rows before it without "note", rows after it with the value
#      written; the output equals the dump's.  --to at the head (nothing
#      after it) ends the replay.  A config whose state directory does not
#      exist: replay does not create it.  The same with
#      binlog_row_metadata=MINIMAL (no names in the binlog): a daemon on
#      pay.mflow passes an ALTER that inserts a column in the middle; replay
#      with its config names both sides' rows with their own columns (from
#      a copy of the daemon's schema history, which stays unchanged), and
#      --schema-history FILE does the same; --schema-history none refuses
#      (exit 1, the table named) rather than misname the values.  From an
#      archived copy (--files) the history names them the same; without
#      one, publishing is refused (nothing published) and --stdout prints
#      positional rows; a history of another server is refused (exit 1,
#      both servers named, nothing printed)
# and (REPLAY_LATER=0 skips them):
#   7  --from gtid:BEFORE --to gtid:LAST: exactly the transactions after
#      BEFORE up to and with LAST; --gtid D-S-N1..N2 the same, to stdout
#      and to Kafka; --gtid FIRST,LAST exactly those two (not the middle
#      one); a --gtid reaching past the head prints what there is, exits 1
#      and names the rest
#   8  --start-datetime / --stop-datetime (UTC, RFC 3339, --timezone)
#   9  SIGINT during a $REPLAY_SIG_ROWS-row replay to Kafka: exit 130 and
#      a line with the command that continues ("binlogd replay ... --from");
#      running it publishes the rest (nothing missing); the same with
#      --gtid FIRST..LAST, whose continuation is a narrower --gtid, run as
#      printed
# and (always):
#  10  a file rotation and DDLs in the range, two tables whose table maps
#      swap order (the decoder frees its maps at each new file and at each
#      DDL, so one table's map memory is reused for the other's): db10f.ta
#      and db10f.tb (other columns), transactions ta then tb; FLUSH BINARY
#      LOGS; tb then ta; ALTER TABLE ta ADD COLUMN a_extra and DROP+CREATE
#      tb with a column b_v2 (new table ids); then both orders.  `replay
#      --from FILE` (the first file, to the head) --topic-suffix .x10: exit
#      0, acknowledged all; rp.db10f.ta.x10 holds table "ta" only, with ta's
#      columns (a_extra from the DDL on, with the values written), and
#      rp.db10f.tb.x10 "tb" only, with tb's (b_v2 from the DDL on); per topic
#      the count and the keys are the rows written; the values are the
#      dump's; `--stdout` prints the same rows, each line with its own
#      table's columns.  The same with binlog_row_metadata=MINIMAL (db10m,
#      SET GLOBAL): a daemon on db10m.* keeps the schema history the replays
#      name the columns from (left unchanged)
#  11  kafka.oversize: a 50,000-byte LONGTEXT row between two small rows,
#      [kafka] message.max.bytes = 20000.  oversize = fail (the default):
#      exit 1, stderr names `pay`.`ov` at the big row's file:pos and the fix
#      (raise message.max.bytes, or kafka.oversize=skip); the small row
#      before it published and acknowledged (1 of 1), neither the big row
#      nor the one after it, the summary covers up to the big row's
#      transaction.  oversize = skip: exit 0, a warning names the big row's
#      file:pos ("1 so far"), the summary says "1 row changes bigger than
#      Kafka takes skipped (kafka.oversize = skip)" and "acknowledged 2 of
#      2", and the topic holds exactly the two small rows (keys 1 and 3,
#      the dump's values)
# Quiet on success: "== section" lines, FAIL lines, and last
# "N passed, N failed".  After a failure build/integ/replay is kept (logs
# and outputs in build/integ/replay/work).
#
# Environment: BINLOGD (build/binlogd), REPLAY_DB_PORT (13670),
# REPLAY_KAFKA_PORT (13970), REPLAY_ONLY="1 3" runs only those groups,
# REPLAY_LATER=0 skips groups 7-9, REPLAY_SIG_ROWS (200000),
# REPLAY_TIMEOUT (90: seconds one replay may take), REPLAY_GTID_FORM
# (both; fromto: only --from gtid:BEFORE --to gtid:LAST; set: only --gtid;
# see group 7), REPLAY_KEEP=1 keeps the directory after a success.
set -u
cd "$(dirname "$0")/../.."
export LC_ALL=C

B=${BINLOGD:-build/binlogd}
DBPORT=${REPLAY_DB_PORT:-13670}
KPORT=${REPLAY_KAFKA_PORT:-13970}
ONLY=${REPLAY_ONLY:-}
LATER=${REPLAY_LATER:-1}
SIGROWS=${REPLAY_SIG_ROWS:-200000}
TMO=${REPLAY_TIMEOUT:-90}
GTID_FORM=${REPLAY_GTID_FORM:-both}
DIR=build/integ/replay
SRVOPTS="--binlog_row_metadata=FULL --binlog_row_image=FULL"
HTTP_R=127.0.0.1:$((DBPORT + 2)) # r.conf's [http] listen (only the seeding daemon binds it)
HTTP_D=127.0.0.1:$((DBPORT + 3)) # d3.conf's (the daemon of group 3)

. tests/lib.sh
. tests/integ/servers.sh
# later N WHAT: group N is of the part not built yet: runs with REPLAY_LATER=1
later() {
    want "$1" || return 1
    [ "$LATER" = 1 ] && return 0
    echo "== $1: $2: skipped (LATER: not built yet; REPLAY_LATER=1 runs it)"
    return 1
}

# processes this script started and has not reaped yet
DPIDS="" # daemons
WPIDS="" # writer loops
RPIDS="" # replays in the background
cleanup() {
    for p in $WPIDS; do kill "$p" 2>/dev/null; done
    for p in $RPIDS; do kill -9 "$p" 2>/dev/null; done
    for p in $DPIDS; do kill -9 "$p" 2>/dev/null; done
    servers_stop
    if [ "${REPLAY_KEEP:-0}" != 1 ] && [ "$fail" -eq 0 ]; then rm -rf "$DIR"; fi
}
trap cleanup EXIT
on_interrupt

if [ ! -x "$B" ]; then
    echo "replay: $B is missing; build it first (make)" >&2
    fail=1
    finish
fi

# ---- servers -----------------------------------------------------------------
servers_start "$SRVOPTS"

sql() { sh "$MSH" sql "$DIR/db" -N -B pay "$@"; }
tcpsql() { mariadb --no-defaults --connect-timeout=3 -h127.0.0.1 -P"$DBPORT" -uroot -N -B pay "$@"; }
head_pos() { sql -e "SHOW MASTER STATUS" 2>/dev/null | awk '{ print $1 ":" $2 }'; }
printf 'replpw\n' >"$W/pw"

sh "$MSH" sql "$DIR/db" -e "CREATE DATABASE pay" || bad "CREATE DATABASE pay failed"
sql -e "CREATE TABLE flow (id INT PRIMARY KEY, cp_id INT NOT NULL, amount DECIMAL(12,2));
        CREATE TABLE cp (id INT PRIMARY KEY, name VARCHAR(40))"

# ---- configs -----------------------------------------------------------------
# mkconf NAME SERVER_ID INCLUDE HTTP: W/NAME.conf, state in W/NAME.state
mkconf() {
    cat >"$W/$1.conf" <<EOF
; tests/integ/replay.sh
[source]
host = 127.0.0.1
port = $DBPORT
user = repl
password_file = $AW/pw
server_id = $2
name = rp
heartbeat = 1
connect_timeout = 3
ssl_mode = DISABLED
start = head

[kafka]
bootstrap.servers = $BS
topic = {source}.{db}.{table}
linger.ms = 5
; each config its own position (they share [source] name)
state_topic = rp.state.$1

[filter]
include = $3

[state]
dir = $AW/$1.state
checkpoint_interval = 200ms

[http]
listen = $4

[daemon]
log_level = info
EOF
}
# r.conf: the replays' config (no filter: every table)
mkconf r 611 "" "$HTTP_R"
R=$W/r.conf
# conf_add NAME SECTION LINE: LINE right after [SECTION] in W/NAME.conf
conf_add() { sed -i "/^\[$2\]\$/a $3" "$W/$1.conf"; }

# daemons
start_daemon() { # NAME: sets DP
    echo "---- start $(date '+%H:%M:%S')" >>"$W/$1.log"
    "$B" run -c "$W/$1.conf" >>"$W/$1.log" 2>&1 &
    DP=$!
    DPIDS="$DPIDS $DP"
}
stop_daemon() { # SIGTERM DP, wait 30 s at most (then SIGKILL); sets RC
    kill -TERM "$DP" 2>/dev/null
    waitfor 30 gone "$DP" || kill -9 "$DP" 2>/dev/null
    wait "$DP"
    RC=$?
    forget DPIDS "$DP"
}
ckpt_pos() { # NAME: file:pos of W/NAME.state/checkpoint.json
    sed -n 's/.*"file":"\([^"]*\)","pos":\([0-9]*\),.*/\1:\2/p' "$W/$1.state/checkpoint.json" 2>/dev/null
}
ckpt_at_head() { _h=$(head_pos) && [ -n "$_h" ] && [ "$(ckpt_pos "$1")" = "$_h" ]; }
connected_count() { grep_count "connected to 127.0.0.1:$DBPORT" "$W/$1.log"; }
connected() { [ "$(connected_count "$1")" -ge 1 ]; }

# r.conf's state directory gets a real checkpoint, schema history and lock
# file from a short daemon run, so "replay never writes it" means something
section "r.conf's state directory: a checkpoint from a short binlogd run"
start_daemon r
waitfor 30 test -s "$W/r.state/checkpoint.json" || bad "the seeding daemon wrote no checkpoint: $(tail -3 "$W/r.log")"
stop_daemon
check "the seeding daemon: exit 0 (exit $RC: $(tail -1 "$W/r.log"))" [ "$RC" -eq 0 ]
# state_snap FILE: names, sizes, mtimes (ns) and checksums of the state
# directory and everything in it (the directory's own mtime shows a file
# created and removed again)
state_snap() {
    (cd "$W/r.state" && stat -c '%n %s %y' . * && md5sum -- *) >"$1" 2>&1
}
state_snap "$W/r.state.snap"
# state_same WHAT: r.conf's state directory is as the seeding daemon left it
state_same() {
    state_snap "$W/r.state.now"
    check "$1: r.conf's state directory untouched ($(diff "$W/r.state.snap" "$W/r.state.now" | grep '^[<>]' | head -3 | tr '\n' ' '))" \
        cmp -s "$W/r.state.snap" "$W/r.state.now"
}

# ---- replay, dump, Kafka -------------------------------------------------------------
# replay NAME ARG...: `binlogd replay ARG...`, stdout W/NAME.out, stderr
# W/NAME.err; sets RC (124 when it ran longer than REPLAY_TIMEOUT)
replay() {
    _n=$1
    shift
    echo "replay $*" >"$W/$_n.cmd"
    # a TMPDIR of its own: replay's private copy of a schema history goes
    # there, and nothing else's does
    mkdir -p "$W/tmp"
    TMPDIR=$AW/tmp timeout -k 5 "$TMO" "$B" replay "$@" >"$W/$_n.out" 2>"$W/$_n.err"
    RC=$?
}
err_of() { head -c 400 "$W/$1.err" | tr '\n' '|'; }
# summary lines (stderr): "replay ID: covered FILE:POS .. FILE:POS" and
# "acknowledged N of N"
sum_id() { sed -n 's/^replay \(.*\): covered .*/\1/p' "$W/$1.err" | tail -1; }
sum_cov() { sed -n 's/^replay .*: covered \([^ ]*\) \.\. \([^ ,;]*\).*/\1 .. \2/p' "$W/$1.err" | tail -1; }
sum_ack() { grep -o 'acknowledged [0-9]* of [0-9]*' "$W/$1.err" | tail -1; }

DUMPC="--host 127.0.0.1 --port $DBPORT --user repl --password-file $AW/pw --ssl-mode DISABLED"
# dump_live NAME FROM [ARG...]: the rows from FROM to the head, W/NAME.dump
dump_live() {
    _n=$1 _f=$2
    shift 2
    "$B" dump $DUMPC --server-id 699 --from "$_f" "$@" >"$W/$_n.dump" 2>"$W/$_n.dump.err"
    _rc=$?
    [ "$_rc" -eq 0 ] || bad "binlogd dump --from $_f: exit $_rc: $(head -c 300 "$W/$_n.dump.err")"
}

# The fields of a value, in awk: src(v) sets F P R G TS (source file, pos,
# row, gtid, ts_us) and AT, a sortable "file pos row".  lt(f1, p1, f2, p2):
# position f1:p1 is before f2:p2 (binlog names sort as text).
AWKLIB='
function field(s, name,   t) {
    t = s; sub(".*\"" name "\":", "", t)
    if (substr(t, 1, 1) == "\"") { t = substr(t, 2); sub(/".*/, "", t) } else sub(/[,}].*/, "", t)
    return t
}
function src(v,   s) {
    s = v; sub(/.*"source":[{]/, "", s)
    F = field(s, "file"); P = field(s, "pos") + 0; R = field(s, "row") + 0
    G = field(s, "gtid"); TS = field(s, "ts_us")
    AT = sprintf("%s %012d %08d", F, P, R)
}
function lt(f1, p1, f2, p2) { return f1 < f2 || (f1 == f2 && p1 + 0 < p2 + 0) }'
# rows_in FILE LO HI: the row lines of a dump at LO <= position < HI
# (FILE:POS each; HI "" is no bound), in their order
rows_in() {
    awk -v lo="$2" -v hi="$3" "$AWKLIB"'
        BEGIN { split(lo, l, ":"); if (hi != "") split(hi, h, ":") }
        /^[{]"op":/ { src($0); if (!lt(F, P, l[1], l[2]) && (hi == "" || lt(F, P, h[1], h[2]))) print }' "$1"
}
# same_lines A B: B has lines, and A is B line for line
same_lines() { [ -s "$2" ] && cmp -s "$1" "$2"; }
# ats FILE: the sorted "file pos row" of value lines
ats() { awk "$AWKLIB"'{ src($0); print AT }' "$1" | sort; }

# consume TOPIC OUT: every message of the topic, one a line,
# "ID<TAB>HPOS<TAB>KEY<TAB>VALUE": ID and HPOS the binlogd.replay.id and
# binlogd.replay.pos headers ("-" when absent).  A missing topic is empty.
consume() {
    kcat -b "$BS" -C -t "$1" -o beginning -e -q -f '%k\t%h\t%s\n' 2>"$2.err" |
        awk -F '\t' '{
            id = "-"; pos = "-"; n = split($2, h, ",")
            for (i = 1; i <= n; i++) {
                k = substr(h[i], 1, index(h[i], "=") - 1); v = substr(h[i], index(h[i], "=") + 1)
                if (k == "binlogd.replay.id") id = v; else if (k == "binlogd.replay.pos") pos = v
            }
            print id "\t" pos "\t" $1 "\t" $3
        }' >"$2"
}
# consume_all OUT TOPIC...: the messages of the topics into OUT
consume_all() {
    _o=$1
    shift
    : >"$_o"
    for _t in "$@"; do
        consume "$_t" "$_o.one"
        cat "$_o.one" >>"$_o"
    done
}
# of_id MSGS ID: the values of the messages of replay ID
of_id() { awk -F '\t' -v id="$2" '$1 == id { print $4 }' "$1"; }
# topic_empty TOPIC: absent or without a message
topic_empty() { [ "$(kcat -b "$BS" -C -t "$1" -o beginning -e -q -f 'x\n' 2>/dev/null | wc -l)" -eq 0 ]; }

# check_messages WHAT MSGS ID WANT: the messages of replay ID in MSGS
# (consume format) against WANT (dump lines): the same (file,pos,row) once
# each, the same values; both headers, the pos header the row's FILE:POS;
# the key the primary key (column "id" in these tables)
check_messages() {
    _w=$1 _m=$2 _id=$3 _want=$4
    of_id "$_m" "$_id" >"$_m.$_id.vals"
    ats "$_m.$_id.vals" >"$_m.$_id.ats"
    ats "$_want" >"$_want.ats"
    _ng=$(wc -l <"$_m.$_id.vals")
    _nw=$(wc -l <"$_want")
    _dup=$(uniq -d "$_m.$_id.ats" | head -3 | tr '\n' ',')
    _miss=$(comm -23 "$_want.ats" "$_m.$_id.ats" | head -3 | tr '\n' ',')
    _extra=$(comm -13 "$_want.ats" "$_m.$_id.ats" | head -3 | tr '\n' ',')
    check "$_w: the dump has rows in the range ($_nw)" [ "$_nw" -gt 0 ]
    check "$_w: $_ng messages of id $_id, $_nw rows in the dump's range" [ "$_ng" -eq "$_nw" ]
    check "$_w: no (file,pos,row) twice ($_dup)" [ -z "$_dup" ]
    check "$_w: none missing ($_miss)" [ -z "$_miss" ]
    check "$_w: none outside the range ($_extra)" [ -z "$_extra" ]
    sort "$_m.$_id.vals" >"$_m.$_id.vals.s"
    sort "$_want" >"$_want.s"
    check "$_w: the values are the dump's lines ($(diff "$_want.s" "$_m.$_id.vals.s" | grep '^[<>]' | head -2 | cut -c 1-250 | tr '\n' ' '))" \
        cmp -s "$_m.$_id.vals.s" "$_want.s"
    awk -F '\t' -v id="$_id" "$AWKLIB"'
        $1 != id { next }
        {
            v = $4; src(v); op = substr(v, 8, 1); img = v
            if (op == "d") sub(/.*"before":[{]/, "", img); else sub(/.*"after":[{]/, "", img)
            if ($2 != F ":" P) { print "pos header " $2 " on a row of " F ":" P; exit 1 }
            if (!match(img, /^"id":-?[0-9]+/) || $3 != "{" substr(img, 1, RLENGTH) "}") {
                print "key " $3 " for " substr(v, 1, 150); exit 1
            }
        }' "$_m" >"$_m.$_id.hk"
    check "$_w: binlogd.replay.pos is each row's FILE:POS, the key its primary key ($(cat "$_m.$_id.hk"))" \
        [ ! -s "$_m.$_id.hk" ]
}

# ---- usage errors ----------------------------------------------------------
if want 1; then
    section "1: usage errors exit 2"
    replay u1 -c "$R" --from binlog.000001:4 --stdout --no-such-option
    check "1: an unknown option: exit 2 (exit $RC: $(err_of u1))" [ "$RC" -eq 2 ]
    replay u2 -c "$R" --from binlog.000001:4 --stdout --server-id seven
    check "1: --server-id that is no number: exit 2 (exit $RC: $(err_of u2))" [ "$RC" -eq 2 ]
    replay u3 --from binlog.000001:4 --stdout
    check "1: no -c: exit 2 (exit $RC: $(err_of u3))" [ "$RC" -eq 2 ]
    replay u4 -c "$R" --stdout --from
    check "1: --from without its value: exit 2 (exit $RC: $(err_of u4))" [ "$RC" -eq 2 ]
    check "1: ... nothing on stdout" [ ! -s "$W/u1.out" -a ! -s "$W/u2.out" -a ! -s "$W/u3.out" -a ! -s "$W/u4.out" ]
fi

# ---- the batch of groups 1 and 2 ---------------------------------------------
if want 1 || want 2; then
    section "1, 2: a batch of transactions between A and B"
    sql -e "INSERT INTO cp VALUES (1, 'before A'); INSERT INTO flow VALUES (1, 1, 0.01)"
    A=$(head_pos)
    sql <<'EOF'
INSERT INTO cp VALUES (10, 'cp10'), (11, 'cp11'), (12, 'cp12');
BEGIN;
INSERT INTO flow VALUES (10, 10, 10.10), (11, 11, 11.11);
UPDATE cp SET name = 'cp10 paid' WHERE id = 10;
INSERT INTO flow VALUES (12, 12, 12.12);
COMMIT;
BEGIN;
INSERT INTO cp VALUES (20, 'inside first'), (21, 'inside second');
INSERT INTO flow VALUES (20, 20, 20.20);
UPDATE cp SET name = CONCAT(name, ' +') WHERE id IN (11, 12);
DELETE FROM flow WHERE id = 11;
COMMIT;
UPDATE flow SET amount = amount + 1;
DELETE FROM cp WHERE id = 12;
BEGIN;
DELETE FROM flow WHERE id = 1;
INSERT INTO cp VALUES (30, 'thirty');
UPDATE flow SET cp_id = 30 WHERE id = 20;
COMMIT;
EOF
    i=40
    while [ $i -lt 60 ]; do
        echo "BEGIN; INSERT INTO cp VALUES ($i, 'cp$i'); INSERT INTO flow VALUES ($i, $i, $i.5); COMMIT;"
        i=$((i + 1))
    done | sql
    Bp=$(head_pos)
    sql -e "INSERT INTO cp VALUES (99, 'after B'); UPDATE flow SET amount = 0 WHERE id = 40"
    dump_live b "$A"
    rows_in "$W/b.dump" "$A" "$Bp" >"$W/b.want"
    grep '"table":"cp"' "$W/b.want" >"$W/b.want.cp"
    grep '"table":"flow"' "$W/b.want" >"$W/b.want.flow"
    NB=$(wc -l <"$W/b.want")
    NCP=$(wc -l <"$W/b.want.cp")
    NFL=$(wc -l <"$W/b.want.flow")
    check "1, 2: the batch ($A .. $Bp) has rows of both tables ($NCP cp, $NFL flow)" [ "$NCP" -gt 20 -a "$NFL" -gt 20 ]
    check "1, 2: ... and the dump has rows after B" [ "$(rows_in "$W/b.dump" "$Bp" "" | wc -l)" -gt 0 ]
fi

# ---- 1: positions ----------------------------------------------------------------
if want 1; then
    section "1: replay --from A --to B to the daemon's topics"
    replay p1 -c "$R" --from "$A" --to "$Bp"
    check "1: replay --from $A --to $Bp: exit 0 (exit $RC: $(err_of p1))" [ "$RC" -eq 0 ]
    ID1=$(sum_id p1)
    check "1: ... the summary names a replay id (${ID1:-none})" [ -n "$ID1" ]
    check "1: ... covered $A .. $Bp ($(sum_cov p1))" [ "$(sum_cov p1)" = "$A .. $Bp" ]
    check "1: ... acknowledged $NB of $NB ($(sum_ack p1))" [ "$(sum_ack p1)" = "acknowledged $NB of $NB" ]
    consume rp.pay.cp "$W/p1.cp"
    consume rp.pay.flow "$W/p1.flow"
    cat "$W/p1.cp" "$W/p1.flow" >"$W/p1.msgs"
    check_messages "1: --from A --to B" "$W/p1.msgs" "${ID1:-?}" "$W/b.want"
    nnoh=$(awk -F '\t' '$1 == "-" || $2 == "-"' "$W/p1.msgs" | wc -l)
    check "1: every message in the topics has both replay headers ($nnoh without)" [ "$nnoh" -eq 0 ]
    check "1: the topic template: rp.pay.cp holds pay.cp only" [ "$(grep -vc '"db":"pay","table":"cp"' "$W/p1.cp")" -eq 0 ]
    check "1: ... rp.pay.flow holds pay.flow only" [ "$(grep -vc '"db":"pay","table":"flow"' "$W/p1.flow")" -eq 0 ]
    state_same "1: --from A --to B"

    # --from a row event inside a transaction: the transaction's start is
    # its MARIADB_GTID event; its first row must be published
    dump_live be "$A" --events
    g=$(grep '"after":{"id":20,"name":"inside first"}' "$W/b.want" | sed 's/.*"gtid":"\([^"]*\)".*/\1/')
    grep "\"gtid\":\"$g\"" "$W/b.want" >"$W/in.txn"
    first=$(head -1 "$W/in.txn" | awk "$AWKLIB"'{ src($0); print F ":" P }')
    inside=$(awk "$AWKLIB"'{ src($0); if (F ":" P != f) { n++; if (n == 3) { print F ":" P; exit } f = F ":" P } }' "$W/in.txn")
    tstart=$(grep '"event":"MARIADB_GTID"' "$W/be.dump" | grep "\"gtid\":\"$g\"" | sed 's/.*"file":"\([^"]*\)","pos":\([0-9]*\),.*/\1:\2/')
    check "1: the transaction $g has a third rows event ($inside), after its first ($first), after its start ($tstart)" \
        [ -n "$inside" -a -n "$tstart" -a -n "$first" ]
    rows_in "$W/b.dump" "$tstart" "$Bp" >"$W/in.want"
    replay p2 -c "$R" --from "$inside" --to "$Bp" --id inside-1
    check "1: replay --from $inside (inside the transaction $g) --to B: exit 0 (exit $RC: $(err_of p2))" [ "$RC" -eq 0 ]
    check "1: ... the summary: \"replay inside-1: covered\" from the transaction's start $tstart ($(sum_cov p2))" \
        [ "$(sum_id p2)" = inside-1 -a "$(sum_cov p2)" = "$tstart .. $Bp" ]
    consume_all "$W/p2.msgs" rp.pay.cp rp.pay.flow
    check_messages "1: --from inside a transaction" "$W/p2.msgs" inside-1 "$W/in.want"
    check "1: ... the transaction's first row ($first row 0, cp 20 \"inside first\") was published" \
        grep -q "\"after\":{\"id\":20,\"name\":\"inside first\"}.*\"file\":\"${first%:*}\",\"pos\":${first#*:}," "$W/p2.msgs.inside-1.vals"
    state_same "1: --from inside a transaction"

    # the same replay again: safe
    replay p3 -c "$R" --from "$A" --to "$Bp"
    check "1: the same replay again: exit 0 (exit $RC: $(err_of p3))" [ "$RC" -eq 0 ]
    ID3=$(sum_id p3)
    check "1: ... under another generated id (${ID3:-none}, the first was $ID1)" [ -n "$ID3" -a "$ID3" != "$ID1" ]
    check "1: ... covered $A .. $Bp, acknowledged $NB of $NB ($(sum_cov p3), $(sum_ack p3))" \
        [ "$(sum_cov p3)" = "$A .. $Bp" -a "$(sum_ack p3)" = "acknowledged $NB of $NB" ]
    consume_all "$W/p3.msgs" rp.pay.cp rp.pay.flow
    check_messages "1: the second run" "$W/p3.msgs" "${ID3:-?}" "$W/b.want"
    state_same "1: the second run"
fi

# ---- 2: --tables and --dry-run ------------------------------------------------------
if want 2; then
    section "2: --tables pay.cp; --dry-run"
    replay t1 -c "$R" --from "$A" --to "$Bp" --tables pay.cp --id tables-1
    check "2: replay --tables pay.cp: exit 0 (exit $RC: $(err_of t1))" [ "$RC" -eq 0 ]
    check "2: ... acknowledged $NCP of $NCP ($(sum_ack t1))" [ "$(sum_ack t1)" = "acknowledged $NCP of $NCP" ]
    consume "rp.pay.flow" "$W/t1.flow"
    check "2: ... nothing of pay.flow published ($(of_id "$W/t1.flow" tables-1 | wc -l) messages)" \
        [ "$(of_id "$W/t1.flow" tables-1 | wc -l)" -eq 0 ]
    consume "rp.pay.cp" "$W/t1.msgs"
    # "last" and xid may differ from the dump where a filtered row ended the
    # transaction: compare (file,pos,row) only
    of_id "$W/t1.msgs" tables-1 >"$W/t1.vals"
    ats "$W/t1.vals" >"$W/t1.ats"
    ats "$W/b.want.cp" >"$W/t1.want.ats"
    NT1=$(wc -l <"$W/t1.vals")
    check "2: ... pay.cp: the (file,pos,row) of the dump's pay.cp rows in [A, B), once each ($NT1 messages, $NCP rows)" \
        same_lines "$W/t1.ats" "$W/t1.want.ats"
    check "2: ... only pay.cp in them" [ "$(grep -vc '"db":"pay","table":"cp"' "$W/t1.vals")" -eq 0 ]
    state_same "2: --tables"

    replay d1 -c "$R" --from "$A" --to "$Bp" --tables pay.cp --dry-run --topic-suffix .dry --id dry-1
    check "2: --dry-run --tables pay.cp: exit 0 (exit $RC: $(err_of d1))" [ "$RC" -eq 0 ]
    check "2: ... prints \"table pay.cp $NT1\", what the real run published ($(grep '^table ' "$W/d1.out" | tr '\n' '|'))" \
        grep -qx "table pay.cp $NT1" "$W/d1.out"
    check "2: ... and no other table ($(grep '^table ' "$W/d1.out" | tr '\n' '|'))" [ "$(grep -c '^table ' "$W/d1.out")" -eq 1 ]
    check "2: ... rp.pay.cp.dry absent or empty" topic_empty rp.pay.cp.dry
    check "2: ... rp.pay.flow.dry absent or empty" topic_empty rp.pay.flow.dry
    consume_all "$W/d1.msgs" rp.pay.cp rp.pay.flow
    check "2: ... nothing with its id in the default topics" [ "$(of_id "$W/d1.msgs" dry-1 | wc -l)" -eq 0 ]
    state_same "2: --dry-run"

    replay d2 -c "$R" --from "$A" --to "$Bp" --dry-run --topic-suffix .dry
    check "2: --dry-run of all tables: exit 0 (exit $RC: $(err_of d2))" [ "$RC" -eq 0 ]
    check "2: ... \"table pay.cp $NCP\" and \"table pay.flow $NFL\" ($(grep '^table ' "$W/d2.out" | tr '\n' '|'))" \
        [ "$(grep '^table ' "$W/d2.out" | sort | tr '\n' '|')" = "table pay.cp $NCP|table pay.flow $NFL|" ]
    if want 1 && [ -n "${ID1:-}" ]; then
        n1c=$(of_id "$W/p1.msgs" "$ID1" | grep -c '"table":"cp"')
        n1f=$(of_id "$W/p1.msgs" "$ID1" | grep -c '"table":"flow"')
        check "2: ... the same as group 1's real run published ($n1c cp, $n1f flow)" [ "$n1c" -eq "$NCP" -a "$n1f" -eq "$NFL" ]
    fi
    check "2: ... rp.pay.cp.dry absent or empty" topic_empty rp.pay.cp.dry
    check "2: ... rp.pay.flow.dry absent or empty" topic_empty rp.pay.flow.dry
    state_same "2: --dry-run of all tables"

    # another topic template
    replay tp -c "$R" --from "$A" --to "$Bp" --tables pay.cp --topic 'tpl.{db}.{table}' --id tpl-1
    check "2: --topic 'tpl.{db}.{table}': exit 0 (exit $RC: $(err_of tp))" [ "$RC" -eq 0 ]
    consume "tpl.pay.cp" "$W/tp.msgs"
    check "2: ... the $NCP pay.cp rows in tpl.pay.cp" [ "$(of_id "$W/tp.msgs" tpl-1 | wc -l)" -eq "$NCP" ]
    replay tq -c "$R" --from "$A" --topic 'no-table-here'
    check "2: --topic without {table}: exit 2 (exit $RC)" [ "$RC" -eq 2 ]
fi

# ---- 3: beside the running daemon --------------------------------------------------------
if want 3; then
    section "3: replay beside the running daemon, under a write load"
    sql -e "CREATE TABLE g3 (id INT PRIMARY KEY, note VARCHAR(20)); CREATE TABLE g3bulk (id INT PRIMARY KEY, pad VARCHAR(60))"
    S3=$(head_pos)
    mkconf d3 601 "pay.g3*" "$HTTP_D"
    conf_start() { sed -i "s|^start = .*|start = $2|" "$W/$1.conf"; }
    conf_start d3 "$S3"
    start_daemon d3
    waitfor 20 connected d3 || bad "3: the daemon did not connect: $(tail -3 "$W/d3.log")"
    # the writer: small transactions (insert i, update it), ids it saw
    # committed in W/g3.committed
    rm -f "$W/g3.stop"
    : >"$W/g3.committed"
    (
        i=1
        while [ ! -f "$W/g3.stop" ]; do
            if tcpsql -e "BEGIN; INSERT INTO g3 VALUES ($i, 'a'); UPDATE g3 SET note = 'b$i' WHERE id = $i; COMMIT" 2>/dev/null; then
                echo "$i" >>"$W/g3.committed"
            else
                sleep 0.1
            fi
            i=$((i + 1))
        done
    ) &
    WP=$!
    WPIDS="$WPIDS $WP"
    sleep 1
    X3=$(head_pos)
    sql -e "INSERT INTO g3bulk SELECT seq, REPEAT('x', 50) FROM seq_1_to_30000"
    sleep 1
    Y3=$(head_pos)
    c0=$(ckpt_pos d3)
    # (the names, without the daemon's checkpoint.json.tmp of a moment)
    d3files=$(ls "$W/d3.state" | grep -v '\.tmp$' | tr '\n' ' ')
    "$B" replay -c "$W/d3.conf" --from "$X3" --to "$Y3" --topic-suffix .replay --id beside \
        >"$W/r3.out" 2>"$W/r3.err" &
    RP=$!
    RPIDS="$RPIDS $RP"
    : >"$W/d3.ckpts"
    n=0
    while alive "$RP" && [ $n -lt $((TMO * 10)) ]; do
        ckpt_pos d3 >>"$W/d3.ckpts"
        sleep 0.1
        n=$((n + 1))
    done
    alive "$RP" && kill -9 "$RP"
    wait "$RP"
    RC=$?
    forget RPIDS "$RP"
    c1=$(ckpt_pos d3)
    check "3: the replay beside the daemon: exit 0 (exit $RC: $(err_of r3))" [ "$RC" -eq 0 ]
    check "3: the daemon's checkpoint moved while the replay ran ($c0 -> $c1; $(sort -u "$W/d3.ckpts" | wc -l) distinct in $(wc -l <"$W/d3.ckpts") samples)" \
        [ -n "$c0" -a -n "$c1" -a "$c0" != "$c1" ]
    sleep 1
    touch "$W/g3.stop"
    wait "$WP"
    forget WPIDS "$WP"
    waitfor 30 ckpt_at_head d3 || true
    check "3: the daemon's checkpoint reaches the head ($(ckpt_pos d3) vs $(head_pos))" ckpt_at_head d3
    check "3: the daemon runs on" alive "$DP"
    stop_daemon
    check "3: the daemon: SIGTERM, exit 0 (exit $RC: $(tail -1 "$W/d3.log" | cut -c 1-200))" [ "$RC" -eq 0 ]
    check "3: the daemon connected once ($(connected_count d3)): the replay did not push it off" \
        [ "$(connected_count d3)" -eq 1 ]
    grep -v ': warning: ' "$W/d3.log" | grep -i 'error' >"$W/d3.errors"
    check "3: the daemon logged no error ($(head -2 "$W/d3.errors" | cut -c 1-200 | tr '\n' '|'))" [ ! -s "$W/d3.errors" ]
    check "3: the replay added nothing to the daemon's state directory ($(ls "$W/d3.state" | tr '\n' ' '))" \
        [ "$(ls "$W/d3.state" | grep -v '\.tmp$' | tr '\n' ' ')" = "$d3files" ]

    dump_live g3 "$S3"
    grep '"db":"pay","table":"g3' "$W/g3.dump" >"$W/g3.want"
    consume_all "$W/g3.msgs" rp.pay.g3 rp.pay.g3bulk
    awk -F '\t' '{ print $4 }' "$W/g3.msgs" >"$W/g3.vals"
    ats "$W/g3.vals" >"$W/g3.ats"
    ats "$W/g3.want" >"$W/g3.want.ats"
    ndup=$(uniq -d "$W/g3.ats" | wc -l)
    nw=$(wc -l <"$W/g3.want")
    check "3: the daemon's topics: $(wc -l <"$W/g3.vals") messages, the dump $nw rows (30,000 of g3bulk and the writer's)" \
        [ "$(wc -l <"$W/g3.vals")" -eq "$nw" -a "$nw" -gt 30000 ]
    check "3: ... no (file,pos,row) twice ($ndup)" [ "$ndup" -eq 0 ]
    check "3: ... none missing ($(comm -23 "$W/g3.want.ats" "$W/g3.ats" | head -3 | tr '\n' ','))" \
        [ -z "$(comm -23 "$W/g3.want.ats" "$W/g3.ats")" ]
    sort "$W/g3.vals" >"$W/g3.vals.s"
    sort "$W/g3.want" >"$W/g3.want.s"
    check "3: ... the values are the dump's lines" cmp -s "$W/g3.vals.s" "$W/g3.want.s"
    check "3: ... no replay header in them ($(awk -F '\t' '$1 != "-" || $2 != "-"' "$W/g3.msgs" | wc -l))" \
        [ "$(awk -F '\t' '$1 != "-" || $2 != "-"' "$W/g3.msgs" | wc -l)" -eq 0 ]
    committed=$(sort -u "$W/g3.committed" | wc -l)
    check "3: ... the writer committed a load ($committed transactions)" [ "$committed" -ge 20 ]

    rows_in "$W/g3.dump" "$X3" "$Y3" | grep '"db":"pay","table":"g3' >"$W/r3.want"
    n3=$(wc -l <"$W/r3.want")
    check "3: the replay: acknowledged $n3 of $n3 ($(sum_ack r3))" [ "$(sum_ack r3)" = "acknowledged $n3 of $n3" ]
    consume_all "$W/r3.msgs" rp.pay.g3.replay rp.pay.g3bulk.replay
    check_messages "3: the replay's topics (.replay)" "$W/r3.msgs" beside "$W/r3.want"
fi

# ---- 4: archived files ----------------------------------------------------------------
ARCH=$W/archive
# archive_and_purge: copy every closed binlog file the archive lacks there,
# then PURGE BINARY LOGS TO the newest; sets NEWEST
archive_and_purge() {
    mkdir -p "$ARCH"
    sql -e "FLUSH BINARY LOGS"
    NEWEST=$(sql -e "SHOW MASTER STATUS" | cut -f1)
    for f in $(ls "$DIR/db/db" | grep '^binlog\.[0-9]*$' | sort); do
        [ "$f" = "$NEWEST" ] && continue
        [ -f "$ARCH/$f" ] || cp "$DIR/db/db/$f" "$ARCH/$f"
    done
    # the server keeps a file crash recovery still needs for a moment
    waitfor 10 purged_to "$NEWEST"
}
purged_to() {
    sql -e "PURGE BINARY LOGS TO '$1'" 2>/dev/null
    [ "$(sql -e "SHOW BINARY LOGS" | head -1 | cut -f1)" = "$1" ]
}
if want 4; then
    section "4: replay --files from an archive the server has purged"
    sql -e "CREATE TABLE g4 (id INT PRIMARY KEY, v VARCHAR(20))"
    sql -e "INSERT INTO g4 VALUES (1, 'one'), (2, 'two')"
    A4=$(head_pos)
    sql -e "BEGIN; INSERT INTO g4 VALUES (3, 'three'); UPDATE cp SET name = 'g4' WHERE id = 10; COMMIT;
            UPDATE g4 SET v = 'uno' WHERE id = 1"
    sql -e "FLUSH BINARY LOGS"
    F4=$(sql -e "SHOW MASTER STATUS" | cut -f1)
    sql -e "DELETE FROM g4 WHERE id = 2; INSERT INTO g4 VALUES (4, 'four'), (5, 'five')"
    B4=$(head_pos)
    sql -e "INSERT INTO g4 VALUES (6, 'after B4')"
    archive_and_purge
    oldest=$(sql -e "SHOW BINARY LOGS" | head -1 | cut -f1)
    check "4: the server purged all but $NEWEST (oldest now $oldest)" [ "$oldest" = "$NEWEST" ]
    FILES=$(ls "$ARCH"/binlog.[0-9]* | sort)
    check "4: the archive holds binlog.000001 .. (${FILES##*/})" [ -f "$ARCH/binlog.000001" ]
    "$B" dump $FILES >"$W/f.dump" 2>"$W/f.dump.err"
    check "4: binlogd dump of the archive: exit 0 ($(head -c 200 "$W/f.dump.err"))" [ $? -eq 0 ]

    replay f1 -c "$R" --stdout --from binlog.000001 --files $FILES
    check "4: replay --stdout --from binlog.000001 --files (all of the archive): exit 0 (exit $RC: $(err_of f1))" [ "$RC" -eq 0 ]
    check "4: ... stdout is the dump of the archive, line for line ($(wc -l <"$W/f1.out") vs $(wc -l <"$W/f.dump") lines)" \
        same_lines "$W/f1.out" "$W/f.dump"
    check "4: ... JSON lines only ($(grep -vc '^{"op":"[cud]",' "$W/f1.out"))" [ "$(grep -vc '^{"op":"[cud]",' "$W/f1.out")" -eq 0 ]
    state_same "4: --files"

    rows_in "$W/f.dump" "$A4" "$B4" >"$W/f2.want"
    replay f2 -c "$R" --stdout --from "$A4" --to "$B4" --files $FILES
    check "4: replay --stdout --from $A4 --to $B4 (across a rotation) --files: exit 0 (exit $RC: $(err_of f2))" [ "$RC" -eq 0 ]
    check "4: ... the dump's rows in the range ($(wc -l <"$W/f2.out") lines, want $(wc -l <"$W/f2.want"))" \
        same_lines "$W/f2.out" "$W/f2.want"
    check "4: ... the range spans two files (${A4%:*}, $F4)" [ "${A4%:*}" != "$F4" -a "${B4%:*}" = "$F4" ]
    check "4: ... covered $A4 .. $B4 ($(sum_cov f2))" [ "$(sum_cov f2)" = "$A4 .. $B4" ]

    rows_in "$W/f.dump" "$F4:4" "$B4" >"$W/f3.want"
    replay f3 -c "$R" --stdout --from "$F4" --to "$B4" --files $FILES
    check "4: replay --from $F4 (no POS: 4) --to $B4 --files: exit 0 (exit $RC: $(err_of f3))" [ "$RC" -eq 0 ]
    check "4: ... the dump's rows from $F4:4 ($(wc -l <"$W/f3.out") lines, want $(wc -l <"$W/f3.want"))" \
        same_lines "$W/f3.out" "$W/f3.want"
    state_same "4: --files ranges"
fi

# ---- 5: a purged start ---------------------------------------------------------------
if want 5; then
    section "5: --from in a purged file"
    if [ "$(sql -e "SHOW BINARY LOGS" | head -1 | cut -f1)" = binlog.000001 ]; then
        archive_and_purge
    fi
    oldest=$(sql -e "SHOW BINARY LOGS" | head -1 | cut -f1)
    check "5: binlog.000001 is purged (oldest $oldest)" [ "$oldest" != binlog.000001 ]
    H5=$(head_pos)
    for sink in kafka stdout; do
        if [ $sink = kafka ]; then
            replay e5$sink -c "$R" --from binlog.000001:4 --to "$H5" --topic-suffix .purged
        else
            replay e5$sink -c "$R" --from binlog.000001:4 --to "$H5" --stdout
        fi
        e=$(err_of e5$sink)
        check "5: ($sink) --from binlog.000001:4, purged: exit 1 (exit $RC: $e)" [ "$RC" -eq 1 ]
        check "5: ($sink) ... stderr names binlog.000001 and says purged ($e)" \
            grep -q 'binlog\.000001.*purged' "$W/e5$sink.err"
        check "5: ($sink) ... and names the oldest binlog left, $oldest ($e)" grep -q "oldest.*$oldest" "$W/e5$sink.err"
        check "5: ($sink) ... nothing on stdout" [ ! -s "$W/e5$sink.out" ]
    done
    state_same "5: a purged start"
fi

# ---- 6: DDL in the range ------------------------------------------------------------
if want 6; then
    section "6: ALTER TABLE in the range"
    A6=$(head_pos)
    sql -e "INSERT INTO flow VALUES (601, 1, 6.01), (602, 1, 6.02)"
    sql -e "ALTER TABLE flow ADD COLUMN note VARCHAR(20)"
    sql -e "INSERT INTO flow VALUES (603, 1, 6.03, 'n603'); INSERT INTO flow VALUES (604, 1, 6.04, 'n604');
            UPDATE flow SET note = 'u601' WHERE id = 601"
    B6=$(head_pos)
    # nothing after B6: the replay must stop at --to even at the head
    replay x1 -c "$R" --stdout --from "$A6" --to "$B6"
    check "6: replay --stdout across the ALTER, --to at the head: exit 0 (exit $RC: $(err_of x1))" [ "$RC" -eq 0 ]
    jq -c 'select(.table == "flow") | [.op, (.after // .before).id, (.after | has("note")), .after.note, .before]' \
        "$W/x1.out" >"$W/x1.rows" 2>"$W/x1.jq"
    for want6 in '["c",601,false,null,null]' '["c",602,false,null,null]' '["c",603,true,"n603",null]' \
        '["c",604,true,"n604",null]' '["u",601,true,"u601",{"id":601,"cp_id":1,"amount":"6.01","note":null}]'; do
        check "6: a row $want6 ($(tr '\n' ' ' <"$W/x1.rows" | cut -c 1-300))" grep -qxF "$want6" "$W/x1.rows"
    done
    check "6: ... five rows in all ($(wc -l <"$W/x1.rows"))" [ "$(wc -l <"$W/x1.rows")" -eq 5 ]
    dump_live x "$A6"
    rows_in "$W/x.dump" "$A6" "$B6" >"$W/x1.want"
    check "6: ... the output is the dump's" same_lines "$W/x1.out" "$W/x1.want"
    state_same "6: DDL"
    # a config whose state directory does not exist: replay does not make it
    sed "s|^dir = .*|dir = $AW/none.state|" "$R" >"$W/none.conf"
    replay x2 -c "$W/none.conf" --stdout --from "$A6" --to "$B6"
    check "6: with a config whose state directory does not exist: exit 0 (exit $RC: $(err_of x2))" [ "$RC" -eq 0 ]
    check "6: ... the same output" same_lines "$W/x2.out" "$W/x1.want"
    check "6: ... and the directory is still not there" [ ! -e "$W/none.state" ]

    # binlog_row_metadata=MINIMAL: the binlog has no column names, so the
    # rows before the ALTER can only be named from the columns the table
    # had then -- the daemon's schema history, which replay reads a copy of
    section "6: ALTER TABLE in the range, binlog_row_metadata=MINIMAL"
    sql -e "SET GLOBAL binlog_row_metadata = MINIMAL;
            CREATE TABLE mflow (id INT PRIMARY KEY, amount DECIMAL(12,2))"
    mkconf m 621 "pay.mflow" "127.0.0.1:$((DBPORT + 4))"
    start_daemon m
    # it starts at the head it finds: the rows come after it has it
    waitfor 20 connected m || bad "6: the MINIMAL daemon did not connect: $(tail -3 "$W/m.log")"
    M6=$(head_pos)
    sql -e "INSERT INTO mflow VALUES (611, 6.11), (612, 6.12)"
    waitfor 30 ckpt_at_head m || bad "6: the MINIMAL daemon did not reach the head: $(tail -3 "$W/m.log")"
    sql -e "ALTER TABLE mflow ADD COLUMN note VARCHAR(20) AFTER id"
    sql -e "INSERT INTO mflow VALUES (613, 'n613', 6.13); UPDATE mflow SET note = 'u611' WHERE id = 611"
    N6=$(head_pos)
    waitfor 30 ckpt_at_head m || bad "6: the MINIMAL daemon did not pass the ALTER: $(tail -3 "$W/m.log")"
    stop_daemon
    check "6: the MINIMAL daemon: exit 0 (exit $RC: $(tail -1 "$W/m.log"))" [ "$RC" -eq 0 ]
    check "6: ... its schema history has a DDL and two snapshots of mflow" \
        [ "$(grep -c '"ddl"' "$W/m.state/schema-history.jsonl")" -ge 1 -a \
          "$(grep -c '"name":"mflow"' "$W/m.state/schema-history.jsonl")" -ge 2 ]
    md5sum <"$W/m.state/schema-history.jsonl" >"$W/m.hist.md5"
    replay x3 -c "$W/m.conf" --stdout --from "$M6" --to "$N6"
    check "6: (MINIMAL) replay across the ALTER with the daemon's history: exit 0 (exit $RC: $(err_of x3))" [ "$RC" -eq 0 ]
    jq -c '[.op, (.after // .before).id, (.after | keys), .after.note, .positional]' "$W/x3.out" >"$W/x3.rows" 2>"$W/x3.jq"
    for want6 in '["c",611,["amount","id"],null,null]' '["c",612,["amount","id"],null,null]' \
        '["c",613,["amount","id","note"],"n613",null]' '["u",611,["amount","id","note"],"u611",null]'; do
        check "6: (MINIMAL) a row $want6 ($(tr '\n' ' ' <"$W/x3.rows" | cut -c 1-300))" grep -qxF "$want6" "$W/x3.rows"
    done
    check "6: (MINIMAL) ... four rows in all ($(wc -l <"$W/x3.rows"))" [ "$(wc -l <"$W/x3.rows")" -eq 4 ]
    check "6: (MINIMAL) ... values under their own columns: 613's amount is 6.13" \
        grep -q '"id":613,"note":"n613","amount":"6.13"' "$W/x3.out"
    check "6: (MINIMAL) ... the daemon's schema history is unchanged" sh -c "md5sum <'$W/m.state/schema-history.jsonl' | cmp -s - '$W/m.hist.md5'"
    check "6: (MINIMAL) ... and replay left no copy behind ($(ls "$W/tmp" | tr '\n' ' '))" [ -z "$(ls "$W/tmp")" ]
    replay x4 -c "$W/m.conf" --stdout --from "$M6" --to "$N6" --schema-history none
    check "6: (MINIMAL) with --schema-history none: exit 65, not rows under today's names (exit $RC)" [ "$RC" -eq 65 ]
    check "6: (MINIMAL) ... stderr names the table and the DDL after it ($(err_of x4))" \
        grep -q 'mflow`.*a DDL not read yet (.*ALTER TABLE mflow' "$W/x4.err"
    check "6: (MINIMAL) ... nothing printed" [ ! -s "$W/x4.out" ]
    cp "$W/m.state/schema-history.jsonl" "$W/hist-copy.jsonl"
    replay x5 -c "$R" --stdout --tables pay.mflow --from "$M6" --to "$N6" --schema-history "$W/hist-copy.jsonl"
    check "6: (MINIMAL) --schema-history FILE with another config: exit 0 (exit $RC: $(err_of x5))" [ "$RC" -eq 0 ]
    check "6: (MINIMAL) ... the same rows" cmp -s "$W/x5.out" "$W/x3.out"
    # the same from an archived copy of the file: no server to ask, so the
    # history is the only source of names
    MF=${M6%:*}
    mkdir -p "$W/m-arch"
    cp "$DIR/db/db/$MF" "$W/m-arch/$MF"
    check "6: (MINIMAL) the range lies in one file ($M6 .. $N6)" [ "${N6%:*}" = "$MF" ]
    replay x6 -c "$W/m.conf" --stdout --from "$M6" --to "$N6" --files "$W/m-arch/$MF"
    check "6: (MINIMAL, --files) with the daemon's history: exit 0 (exit $RC: $(err_of x6))" [ "$RC" -eq 0 ]
    check "6: (MINIMAL, --files) ... the rows the server replay gave, names and all" cmp -s "$W/x6.out" "$W/x3.out"
    replay x7 -c "$W/m.conf" --from "$M6" --to "$N6" --topic-suffix .mf --schema-history none \
        --files "$W/m-arch/$MF"
    check "6: (MINIMAL, --files) to Kafka without a history: exit 1 (exit $RC)" [ "$RC" -eq 1 ]
    check "6: (MINIMAL, --files) ... stderr says mflow has no column names ($(err_of x7))" \
        grep -q 'mflow`* has no column names in this binlog' "$W/x7.err"
    consume rp.pay.mflow.mf "$W/x7.msgs"
    check "6: (MINIMAL, --files) ... and nothing was published ($(wc -l <"$W/x7.msgs"))" [ ! -s "$W/x7.msgs" ]
    replay x8 -c "$W/m.conf" --stdout --from "$M6" --to "$N6" --schema-history none --files "$W/m-arch/$MF"
    check "6: (MINIMAL, --files) --stdout without a history: exit 0 (exit $RC: $(err_of x8))" [ "$RC" -eq 0 ]
    check "6: (MINIMAL, --files) ... four rows, each marked positional" \
        [ "$(grep -c '"positional":true' "$W/x8.out")" -eq 4 -a "$(wc -l <"$W/x8.out")" -eq 4 ]
    # a history of another server (the same file, its first line naming
    # another server_id): its positions mean nothing in these files
    sed '1s/"mariadb server_id=[0-9]*"/"mariadb server_id=4242"/' "$W/m.state/schema-history.jsonl" \
        >"$W/hist-other.jsonl"
    check "6: (MINIMAL, --files) the foreign history names server_id 4242" \
        grep -q '"server":"mariadb server_id=4242"' "$W/hist-other.jsonl"
    replay x9 -c "$W/m.conf" --stdout --from "$M6" --to "$N6" --schema-history "$W/hist-other.jsonl" \
        --files "$W/m-arch/$MF"
    check "6: (MINIMAL, --files) a history of another server: exit 1 (exit $RC)" [ "$RC" -eq 1 ]
    check "6: (MINIMAL, --files) ... stderr names both servers ($(err_of x9))" \
        grep -q 'belongs to mariadb server_id=4242, but the file was written by mariadb server_id=1' "$W/x9.err"
    check "6: (MINIMAL, --files) ... nothing printed" [ ! -s "$W/x9.out" ]
    sql -e "SET GLOBAL binlog_row_metadata = FULL"
    state_same "6: DDL, MINIMAL"
fi

# ---- 7 (LATER): GTIDs ------------------------------------------------------------------
if later 7 "GTID ranges and --gtid SET"; then
    section "7: GTID ranges (--from gtid: --to gtid:) and --gtid SET"
    # Two forms name the same transactions FIRST .. LAST (MariaDB GTIDs
    # D-S-N, whose sequence numbers count along the domain):
    #   fromto: --from gtid:D-S-(N1-1) --to gtid:LAST (after, up to and with)
    #   set:    --gtid D-S-N1..N2 (exactly the set)
    # REPLAY_GTID_FORM (both, fromto or set) picks which run.
    replay_gtid() { # NAME FORM FIRST LAST ARG...: replay the transactions FIRST .. LAST
        _n=$1 _form=$2 _g1=$3 _g2=$4
        shift 4
        if [ "$_form" = fromto ]; then
            replay "$_n" -c "$R" --from "gtid:${_g1%-*}-$((${_g1##*-} - 1))" --to "gtid:$_g2" "$@"
        elif [ "$_g1" = "$_g2" ]; then
            replay "$_n" -c "$R" --gtid "$_g1" "$@"
        else
            replay "$_n" -c "$R" --gtid "$_g1..${_g2##*-}" "$@"
        fi
    }
    sql -e "INSERT INTO cp VALUES (700, 'before the set')"
    A7=$(head_pos)
    sql -e "BEGIN; INSERT INTO cp VALUES (701, 'g1'); INSERT INTO flow (id, cp_id, amount) VALUES (701, 701, 7.01); COMMIT;
            UPDATE cp SET name = 'g2' WHERE id = 701;
            BEGIN; DELETE FROM flow WHERE id = 701; INSERT INTO cp VALUES (702, 'g3'), (703, 'g3'); COMMIT"
    B7=$(head_pos)
    sql -e "INSERT INTO cp VALUES (704, 'after the set')"
    dump_live g7 "$A7"
    rows_in "$W/g7.dump" "$A7" "$B7" >"$W/g7.want"
    awk "$AWKLIB"'{ src($0); if (!(G in s)) { s[G] = 1; print G } }' "$W/g7.want" >"$W/g7.gtids"
    g1=$(head -1 "$W/g7.gtids")
    g2=$(sed -n 2p "$W/g7.gtids")
    gn=$(tail -1 "$W/g7.gtids")
    check "7: the batch is three transactions ($(tr '\n' ' ' <"$W/g7.gtids"))" [ "$(wc -l <"$W/g7.gtids")" -eq 3 ]
    grep "\"gtid\":\"$g2\"" "$W/g7.want" >"$W/g7b.want"
    case $GTID_FORM in both) forms="fromto set" ;; *) forms=$GTID_FORM ;; esac
    for form in $forms; do
        replay_gtid g7a$form $form "$g1" "$gn" --stdout
        check "7: replay $(cat "$W/g7a$form.cmd"): exit 0 (exit $RC: $(err_of g7a$form))" [ "$RC" -eq 0 ]
        check "7: ($form) ... exactly the set's transactions ($(wc -l <"$W/g7a$form.out") lines, want $(wc -l <"$W/g7.want"))" \
            same_lines "$W/g7a$form.out" "$W/g7.want"
        replay_gtid g7b$form $form "$g2" "$g2" --stdout
        check "7: one transaction, $(cat "$W/g7b$form.cmd"): exit 0 (exit $RC: $(err_of g7b$form))" [ "$RC" -eq 0 ]
        check "7: ($form) ... exactly that transaction ($(wc -l <"$W/g7b$form.out") lines, want $(wc -l <"$W/g7b.want"))" \
            same_lines "$W/g7b$form.out" "$W/g7b.want"
    done
    if [ "$GTID_FORM" != fromto ]; then
        # a set with a hole: the first and the last transaction, not the middle one
        grep -v "\"gtid\":\"$g2\"" "$W/g7.want" >"$W/g7d.want"
        replay g7d -c "$R" --stdout --gtid "$g1,$gn"
        check "7: --gtid $g1,$gn (not $g2): exit 0 (exit $RC: $(err_of g7d))" [ "$RC" -eq 0 ]
        check "7: ... exactly those two transactions ($(wc -l <"$W/g7d.out") lines, want $(wc -l <"$W/g7d.want"))" \
            same_lines "$W/g7d.out" "$W/g7d.want"
        # a set reaching past the head: what is there, exit 1, the rest named
        far=$((${gn##*-} + 40))
        replay g7e -c "$R" --stdout --gtid "$g1..$far"
        check "7: --gtid $g1..$far, past the head: exit 1 (exit $RC)" [ "$RC" -eq 1 ]
        check "7: ... stderr names the transactions not in the binlog ($(err_of g7e))" \
            grep -q "of --gtid are not in the binlog.*${gn%-*}-[0-9]*\.\.$far" "$W/g7e.err"
        check "7: ... the set's transactions up to the head were printed, from $g1 on" \
            awk -v g="$g1" 'NR == 1 { ok = index($0, "\"gtid\":\"" g "\"") > 0 } END { exit !ok }' "$W/g7e.out"
    fi
    replay_gtid g7c fromto "$g1" "$gn" --topic-suffix .gtid --id gtid-1
    check "7: to Kafka, $(cat "$W/g7c.cmd"): exit 0 (exit $RC: $(err_of g7c))" [ "$RC" -eq 0 ]
    consume_all "$W/g7c.msgs" rp.pay.cp.gtid rp.pay.flow.gtid
    check_messages "7: the GTID range to Kafka" "$W/g7c.msgs" gtid-1 "$W/g7.want"
    replay_gtid g7f set "$g1" "$gn" --topic-suffix .gtidset --id gtid-2
    check "7: to Kafka, $(cat "$W/g7f.cmd"): exit 0 (exit $RC: $(err_of g7f))" [ "$RC" -eq 0 ]
    consume_all "$W/g7f.msgs" rp.pay.cp.gtidset rp.pay.flow.gtidset
    check_messages "7: --gtid SET to Kafka" "$W/g7f.msgs" gtid-2 "$W/g7.want"
    state_same "7: GTID ranges"
fi

# ---- 8 (LATER): datetime ---------------------------------------------------------------
if later 8 "--start-datetime / --stop-datetime"; then
    section "8: --start-datetime / --stop-datetime"
    # commit times are whole seconds (MariaDB): 2 s of quiet on each side
    # puts T1 after everything before and T2 after the batch
    sql -e "INSERT INTO cp VALUES (800, 'before T1')"
    A8=$(head_pos)
    sleep 2
    T1=$(date +%s)
    sql -e "INSERT INTO cp VALUES (801, 't1'); BEGIN; INSERT INTO flow (id, cp_id, amount) VALUES (801, 801, 8.01);
            UPDATE cp SET name = 't2' WHERE id = 801; COMMIT"
    sleep 2
    T2=$(date +%s)
    sql -e "INSERT INTO cp VALUES (802, 'at T2 or later')"
    dump_live d8 "$A8"
    awk -v lo="$((T1 * 1000000))" -v hi="$((T2 * 1000000))" "$AWKLIB"'
        /^[{]"op":/ { src($0); if (TS + 0 >= lo + 0 && TS + 0 < hi + 0) print }' "$W/d8.dump" >"$W/d8.want"
    check "8: the batch between T1 and T2 has 3 rows ($(wc -l <"$W/d8.want"))" [ "$(wc -l <"$W/d8.want")" -eq 3 ]
    utc() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S'; }
    n=0
    for form in utc rfc3339z rfc3339off tz; do
        n=$((n + 1))
        case $form in
        utc) set -- --start-datetime "$(utc "$T1")" --stop-datetime "$(utc "$T2")" ;;
        rfc3339z) set -- --start-datetime "$(date -u -d "@$T1" '+%Y-%m-%dT%H:%M:%SZ')" \
            --stop-datetime "$(date -u -d "@$T2" '+%Y-%m-%dT%H:%M:%SZ')" ;;
        rfc3339off) set -- --start-datetime "$(TZ=Asia/Shanghai date -d "@$T1" '+%Y-%m-%dT%H:%M:%S+08:00')" \
            --stop-datetime "$(TZ=Asia/Shanghai date -d "@$T2" '+%Y-%m-%dT%H:%M:%S+08:00')" ;;
        tz) set -- --timezone Asia/Shanghai --start-datetime "$(TZ=Asia/Shanghai date -d "@$T1" '+%Y-%m-%d %H:%M:%S')" \
            --stop-datetime "$(TZ=Asia/Shanghai date -d "@$T2" '+%Y-%m-%d %H:%M:%S')" ;;
        esac
        replay t8$n -c "$R" --stdout "$@"
        check "8: ($form) replay --stdout $*: exit 0 (exit $RC: $(err_of t8$n))" [ "$RC" -eq 0 ]
        check "8: ($form) ... exactly the transactions committed in [T1, T2) ($(wc -l <"$W/t8$n.out") lines)" \
            same_lines "$W/t8$n.out" "$W/d8.want"
    done
    state_same "8: datetime"
fi

# ---- 9 (LATER): SIGINT ------------------------------------------------------------------
if later 9 "SIGINT and the command that continues"; then
    section "9: SIGINT during a $SIGROWS-row replay to Kafka"
    sql -e "CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(60))"
    A9=$(head_pos)
    # transactions of 10,000 rows, so a continuation starts at a boundary
    lo=1
    while [ $lo -le "$SIGROWS" ]; do
        hi=$((lo + 9999))
        [ $hi -gt "$SIGROWS" ] && hi=$SIGROWS
        echo "INSERT INTO big SELECT seq, REPEAT('p', 50) FROM seq_${lo}_to_${hi};"
        lo=$((hi + 1))
    done | sql
    B9=$(head_pos)
    # a background job of a non-interactive shell ignores SIGINT: reset it
    env --default-signal=INT "$B" replay -c "$R" --from "$A9" --to "$B9" --topic-suffix .sig --id sig-1 \
        >"$W/s9.out" 2>"$W/s9.err" &
    RP=$!
    RPIDS="$RPIDS $RP"
    has_msg() { kcat -b "$BS" -C -t "$1" -o beginning -c 1 -e -q >/dev/null 2>&1; }
    waitfor 30 has_msg rp.pay.big.sig
    if alive "$RP"; then
        kill -INT "$RP"
        waitfor 30 gone "$RP" || kill -9 "$RP"
        wait "$RP"
        RC=$?
        check "9: SIGINT: exit 130 (exit $RC: $(err_of s9))" [ "$RC" -eq 130 ]
    else
        wait "$RP"
        RC=$?
        bad "9: the replay ended (exit $RC) before the SIGINT; raise REPLAY_SIG_ROWS"
    fi
    forget RPIDS "$RP"
    cont=$(grep 'binlogd replay' "$W/s9.err" | grep -e '--from' | tail -1)
    check "9: ... stderr has the command that continues, with --from ($cont)" [ -n "$cont" ]
    F9=$(echo "$cont" | sed -n 's/.*--from[ =]\([^ ]*\).*/\1/p')
    replay s9b -c "$R" --from "${F9:-none}" --to "$B9" --topic-suffix .sig --id sig-2
    check "9: the continuation --from $F9 --to $B9: exit 0 (exit $RC: $(err_of s9b))" [ "$RC" -eq 0 ]
    dump_live s9 "$A9"
    rows_in "$W/s9.dump" "$A9" "$B9" >"$W/s9.want"
    ats "$W/s9.want" >"$W/s9.want.ats"
    consume rp.pay.big.sig "$W/s9.msgs"
    awk -F '\t' '$1 == "sig-1" || $1 == "sig-2" { print $4 }' "$W/s9.msgs" >"$W/s9.vals"
    ats "$W/s9.vals" | uniq >"$W/s9.ats"
    check "9: ... both runs together published every row of the range ($(wc -l <"$W/s9.ats") distinct of $(wc -l <"$W/s9.want.ats"))" \
        [ -z "$(comm -23 "$W/s9.want.ats" "$W/s9.ats" | head -1)" -a "$(wc -l <"$W/s9.want.ats")" -eq "$SIGROWS" ]
    check "9: ... and nothing outside it" [ -z "$(comm -13 "$W/s9.want.ats" "$W/s9.ats" | head -1)" ]
    if [ "$GTID_FORM" != fromto ]; then
        # the same with --gtid: the continuation keeps --gtid, narrowed to
        # what is left, and is run as printed
        awk "$AWKLIB"'{ src($0); if (!(G in s)) { s[G] = 1; print G } }' "$W/s9.want" >"$W/s9.gtids"
        G1=$(head -1 "$W/s9.gtids")
        GN=$(tail -1 "$W/s9.gtids")
        env --default-signal=INT "$B" replay -c "$R" --gtid "$G1..${GN##*-}" --topic-suffix .sigg --id sig-3 \
            >"$W/s9c.out" 2>"$W/s9c.err" &
        RP=$!
        RPIDS="$RPIDS $RP"
        waitfor 30 has_msg rp.pay.big.sigg
        kill -INT "$RP" 2>/dev/null
        waitfor 30 gone "$RP" || kill -9 "$RP"
        wait "$RP"
        RC=$?
        forget RPIDS "$RP"
        check "9: --gtid $G1..${GN##*-}, SIGINT: exit 130 (exit $RC: $(err_of s9c))" [ "$RC" -eq 130 ]
        cont=$(grep '^ *binlogd replay' "$W/s9c.err" | tail -1)
        check "9: ... the command that continues has --gtid and no --from ($cont)" \
            sh -c 'case "$1" in *--gtid\ ${2%-*}-*..${3##*-}*) case "$1" in *--from*) exit 1 ;; esac ;; *) exit 1 ;; esac' - "$cont" "$G1" "$GN"
        # the printed words, as a shell reads them when a user pastes them
        eval "set -- ${cont#*binlogd replay}"
        replay s9d "$@"
        check "9: ... run as printed: exit 0 (exit $RC: $(err_of s9d))" [ "$RC" -eq 0 ]
        consume rp.pay.big.sigg "$W/s9g.msgs"
        awk -F '\t' '$1 == "sig-3" { print $4 }' "$W/s9g.msgs" >"$W/s9g.vals"
        ats "$W/s9g.vals" | uniq >"$W/s9g.ats"
        check "9: ... both runs together published every row of the set ($(wc -l <"$W/s9g.ats") distinct of $(wc -l <"$W/s9.want.ats"))" \
            [ -z "$(comm -23 "$W/s9.want.ats" "$W/s9g.ats" | head -1)" ]
        check "9: ... and nothing outside it" [ -z "$(comm -13 "$W/s9.want.ats" "$W/s9g.ats" | head -1)" ]
    fi
    state_same "9: SIGINT"
fi

# ---- 10: a rotation and DDLs in the range, table maps that swap order ------------------
if want 10; then
    # cols10 VALUES OUT: a line per row image (before, after) of each value:
    # "DB.TABLE<TAB>FILE<TAB>POS<TAB>ID<TAB>COLUMNS", the columns sorted and
    # joined with commas
    cols10() {
        jq -r '. as $v | [.before, .after][] | select(. != null) |
            [$v.db + "." + $v.table, $v.source.file, ($v.source.pos | tostring), (.id | tostring),
             (keys | join(","))] | @tsv' "$1" >"$2" 2>"$2.jq"
    }
    # cols10_bad COLS DB TABLE: the first images (of cols10's COLS) not of
    # DB.TABLE (TABLE "": of DB.ta or DB.tb), or without that table's columns
    # at their position (before D10 the first ones; from D10 on with the
    # DDL's a_extra or b_v2); "no rows" when COLS is empty
    cols10_bad() {
        awk -F '\t' -v db="$2" -v want="$3" -v d="$D10" "$AWKLIB"'
            BEGIN {
                split(d, dd, ":")
                c["ta", 0] = "a_amt,a_name,id"; c["ta", 1] = "a_amt,a_extra,a_name,id"
                c["tb", 0] = "b_flag,b_note,id"; c["tb", 1] = "b_flag,b_note,b_v2,id"
            }
            {
                t = $1; sub(/^[^.]*\./, "", t)
                late = !lt($2, $3, dd[1], dd[2])
                if ($1 != db "." t || (want != "" && t != want) || !((t, late) in c) || $5 != c[t, late]) print
            }
            END { if (NR == 0) print "no rows" }' "$1" | head -3 | tr '\t\n' ' |'
    }
    # ckpt_done NAME: the checkpoint is at the head, or only Binlog_checkpoint
    # events lie after it (the server writes one into the new file a moment
    # after a rotation, maybe after later transactions; no transaction, so
    # the checkpoint does not move past it)
    ckpt_done() {
        ckpt_at_head "$1" && return 0
        _c=$(ckpt_pos "$1")
        [ -n "$_c" ] && [ "${_c%:*}" = "$(head_pos | cut -d: -f1)" ] &&
            [ -z "$(sql -e "SHOW BINLOG EVENTS IN '${_c%:*}' FROM ${_c#*:}" | cut -f3 | grep -v '^Binlog_checkpoint$')" ]
    }
    # w10 TABLE ID STATEMENT: STATEMENT on stdout; a row change of TABLE's
    # row ID noted in W/x10.MD.TABLE.want
    w10() { echo "$2" >>"$W/x10.$md.$1.want"; echo "$3;"; }
    for md in FULL MINIMAL; do
        if [ $md = FULL ]; then db=db10f; else db=db10m; fi
        section "10: ($md) replay across a file rotation and DDLs, two tables whose table maps swap order"
        # a session reads the global value when it starts: every sql call
        # below is a new session
        sql -e "SET GLOBAL binlog_row_metadata = $md"
        check "10: ($md) a new session logs binlog_row_metadata=$md ($(sql -e 'SELECT @@binlog_row_metadata'))" \
            [ "$(sql -e 'SELECT @@binlog_row_metadata')" = $md ]
        sql -e "CREATE DATABASE $db;
                CREATE TABLE $db.ta (id INT PRIMARY KEY, a_name VARCHAR(20), a_amt INT);
                CREATE TABLE $db.tb (id INT PRIMARY KEY, b_flag TINYINT, b_note VARCHAR(20))"
        C10=$R
        if [ $md = MINIMAL ]; then
            # no column names in the binlog: the rows before the DDLs are
            # named from a daemon's schema history (as in group 6)
            mkconf m10 622 "$db.*" "127.0.0.1:$((DBPORT + 5))"
            C10=$W/m10.conf
            start_daemon m10
            waitfor 20 connected m10 || bad "10: ($md) the daemon did not connect: $(tail -3 "$W/m10.log")"
        fi
        sql -e "FLUSH BINARY LOGS"
        F10=$(sql -e "SHOW MASTER STATUS" | cut -f1)
        rm -f "$W/x10.$md.ta.want" "$W/x10.$md.tb.want"
        # the first file: ta then tb
        {
            echo "USE $db;"
            for i in 1 2 3 4; do
                echo "BEGIN;"
                w10 ta $i "INSERT INTO ta VALUES ($i, 'a$i', $((i * 10)))"
                w10 tb $i "INSERT INTO tb VALUES ($i, $((i % 2)), 'b$i')"
                echo "COMMIT;"
            done
            echo "BEGIN;"
            w10 ta 1 "UPDATE ta SET a_amt = a_amt + 1 WHERE id = 1"
            w10 tb 1 "UPDATE tb SET b_note = 'b1u' WHERE id = 1"
            echo "COMMIT;"
        } | sql
        # a rotation, then tb then ta
        sql -e "FLUSH BINARY LOGS"
        G10=$(sql -e "SHOW MASTER STATUS" | cut -f1)
        {
            echo "USE $db;"
            for i in 11 12 13 14; do
                echo "BEGIN;"
                w10 tb $i "INSERT INTO tb VALUES ($i, $((i % 2)), 'b$i')"
                w10 ta $i "INSERT INTO ta VALUES ($i, 'a$i', $((i * 10)))"
                echo "COMMIT;"
            done
            echo "BEGIN;"
            w10 tb 2 "DELETE FROM tb WHERE id = 2"
            w10 ta 3 "DELETE FROM ta WHERE id = 3"
            echo "COMMIT;"
        } | sql
        if [ $md = MINIMAL ]; then
            waitfor 30 ckpt_done m10 || bad "10: ($md) the daemon did not reach the head ($(ckpt_pos m10) vs $(head_pos)): $(tail -3 "$W/m10.log")"
        fi
        # DDLs: ta gets a column; tb is dropped and created again with one
        # more (new table ids for both)
        sql -e "USE $db; ALTER TABLE ta ADD COLUMN a_extra VARCHAR(20); DROP TABLE tb;
                CREATE TABLE tb (id INT PRIMARY KEY, b_flag TINYINT, b_note VARCHAR(20), b_v2 INT)"
        D10=$(head_pos)
        # then both orders: ta first (21, 23), tb first (22, 24)
        {
            echo "USE $db;"
            for i in 21 22 23 24; do
                echo "BEGIN;"
                if [ $((i % 2)) -eq 1 ]; then
                    w10 ta $i "INSERT INTO ta VALUES ($i, 'a$i', $((i * 10)), 'e$i')"
                    w10 tb $i "INSERT INTO tb VALUES ($i, $((i % 2)), 'b$i', $((i * 100)))"
                else
                    w10 tb $i "INSERT INTO tb VALUES ($i, $((i % 2)), 'b$i', $((i * 100)))"
                    w10 ta $i "INSERT INTO ta VALUES ($i, 'a$i', $((i * 10)), 'e$i')"
                fi
                echo "COMMIT;"
            done
            echo "BEGIN;"
            w10 tb 21 "UPDATE tb SET b_v2 = 2101 WHERE id = 21"
            w10 ta 1 "UPDATE ta SET a_extra = 'x1' WHERE id = 1"
            echo "COMMIT;"
        } | sql
        E10=$(head_pos)
        check "10: ($md) the range spans a rotation ($F10 .. $G10) and the DDLs ($D10) lie in the second file" \
            [ "$F10" != "$G10" -a "${D10%:*}" = "$G10" -a "${E10%:*}" = "$G10" ]
        if [ $md = MINIMAL ]; then
            waitfor 30 ckpt_done m10 || bad "10: ($md) the daemon did not pass the DDLs ($(ckpt_pos m10) vs $(head_pos)): $(tail -3 "$W/m10.log")"
            stop_daemon
            check "10: ($md) the daemon: exit 0 (exit $RC: $(tail -1 "$W/m10.log" | cut -c 1-200))" [ "$RC" -eq 0 ]
            md5sum <"$W/m10.state/schema-history.jsonl" >"$W/m10.hist.md5"
        fi
        n10=$(cat "$W/x10.$md.ta.want" "$W/x10.$md.tb.want" | wc -l)

        # to Kafka
        replay x10$md -c "$C10" --from "$F10" --topic-suffix .x10 --id "x10-$md"
        check "10: ($md) replay --from $F10 (to the head, $E10) --topic-suffix .x10: exit 0 (exit $RC: $(err_of x10$md))" [ "$RC" -eq 0 ]
        check "10: ($md) ... acknowledged $n10 of $n10 ($(sum_ack x10$md))" [ "$(sum_ack x10$md)" = "acknowledged $n10 of $n10" ]
        check "10: ($md) ... covered up to the head $E10 ($(sum_cov x10$md))" [ "$(sum_cov x10$md | sed 's/.* \.\. //')" = "$E10" ]
        : >"$W/x10$md.msgs"
        for t in ta tb; do
            consume "rp.$db.$t.x10" "$W/x10$md.$t.msgs"
            cat "$W/x10$md.$t.msgs" >>"$W/x10$md.msgs"
            of_id "$W/x10$md.$t.msgs" "x10-$md" >"$W/x10$md.$t.vals"
            nw=$(wc -l <"$W/x10.$md.$t.want")
            ng=$(wc -l <"$W/x10$md.$t.vals")
            check "10: ($md) rp.$db.$t.x10: $ng messages, $nw row changes of $t written" [ "$ng" -eq "$nw" ]
            nt=$(grep -c "^{\"op\":\"[cud]\",\"db\":\"$db\",\"table\":\"$t\"," "$W/x10$md.$t.vals")
            check "10: ($md) ... every one says \"table\":\"$t\" ($nt of $ng; others: $(grep -v "\"table\":\"$t\"" "$W/x10$md.$t.vals" | head -2 | cut -c 1-200 | tr '\n' '|'))" \
                [ "$nt" -eq "$ng" -a "$ng" -gt 0 ]
            keys=$(awk -F '\t' -v id="x10-$md" '$1 == id { print $3 }' "$W/x10$md.$t.msgs" |
                sed 's/^{"id":\([0-9]*\)}$/\1/' | sort -n | tr '\n' ' ')
            wkeys=$(sort -n "$W/x10.$md.$t.want" | tr '\n' ' ')
            check "10: ($md) ... its keys are the ids of the rows written to $t ($keys; want $wkeys)" [ "$keys" = "$wkeys" ]
            cols10 "$W/x10$md.$t.vals" "$W/x10$md.$t.cols"
            b=$(cols10_bad "$W/x10$md.$t.cols" "$db" "$t")
            check "10: ($md) ... each row image has $t's columns of its position (the DDL's column from $D10 on) ($b)" [ -z "$b" ]
        done
        # the values under their names: what was written, before and after
        # the DDLs
        got=$(jq -c 'select(.op == "c" and .after.id < 20) | [.after.id, .after.a_name, .after.a_amt]' "$W/x10$md.ta.vals" | sort | tr '\n' ' ')
        want10=$(for i in 1 2 3 4 11 12 13 14; do echo "[$i,\"a$i\",$((i * 10))]"; done | sort | tr '\n' ' ')
        check "10: ($md) ... ta's rows before the DDL: a_name and a_amt as written ($got)" [ "$got" = "$want10" ]
        got=$(jq -c 'select(.op == "c" and .after.id < 20) | [.after.id, .after.b_flag, .after.b_note]' "$W/x10$md.tb.vals" | sort | tr '\n' ' ')
        want10=$(for i in 1 2 3 4 11 12 13 14; do echo "[$i,$((i % 2)),\"b$i\"]"; done | sort | tr '\n' ' ')
        check "10: ($md) ... tb's rows before the DDL: b_flag and b_note as written ($got)" [ "$got" = "$want10" ]
        got=$(jq -c 'select(.after.a_extra != null) | [.after.id, .after.a_extra]' "$W/x10$md.ta.vals" | sort | tr '\n' ' ')
        check "10: ($md) ... ta's new column a_extra holds what was written after the ALTER ($got)" \
            [ "$got" = '[1,"x1"] [21,"e21"] [22,"e22"] [23,"e23"] [24,"e24"] ' ]
        got=$(jq -c 'select(.after.b_v2 != null) | [.after.id, .after.b_v2]' "$W/x10$md.tb.vals" | sort | tr '\n' ' ')
        check "10: ($md) ... the new tb's b_v2 holds what was written after the CREATE ($got)" \
            [ "$got" = '[21,2100] [21,2101] [22,2200] [23,2300] [24,2400] ' ]
        if [ $md = FULL ]; then
            # the names are in the binlog: dump is the truth, value for value
            dump_live x10 "$F10:4"
            grep "^{\"op\":\"[cud]\",\"db\":\"$db\"," "$W/x10.dump" >"$W/x10.want"
            check_messages "10: ($md) the two topics against the dump" "$W/x10$md.msgs" "x10-$md" "$W/x10.want"
        fi

        # to stdout
        replay x10s$md -c "$C10" --from "$F10" --stdout
        check "10: ($md) replay --from $F10 --stdout: exit 0 (exit $RC: $(err_of x10s$md))" [ "$RC" -eq 0 ]
        check "10: ($md) ... $n10 lines ($(wc -l <"$W/x10s$md.out"))" [ "$(wc -l <"$W/x10s$md.out")" -eq "$n10" ]
        cols10 "$W/x10s$md.out" "$W/x10s$md.cols"
        b=$(cols10_bad "$W/x10s$md.cols" "$db" "")
        check "10: ($md) ... each line's row has the columns of the table it names, at its position ($b)" [ -z "$b" ]
        sort "$W/x10s$md.out" >"$W/x10s$md.out.s"
        cat "$W/x10$md.ta.vals" "$W/x10$md.tb.vals" | sort >"$W/x10$md.vals.s"
        check "10: ($md) ... the lines are the values published to Kafka" same_lines "$W/x10s$md.out.s" "$W/x10$md.vals.s"
        if [ $md = MINIMAL ]; then
            check "10: ($md) ... the daemon's schema history is unchanged" \
                sh -c "md5sum <'$W/m10.state/schema-history.jsonl' | cmp -s - '$W/m10.hist.md5'"
        fi
    done
    sql -e "SET GLOBAL binlog_row_metadata = FULL"
    state_same "10: a rotation and DDLs"
fi

# ---- 11: kafka.oversize ------------------------------------------------------------------
if want 11; then
    section "11: replay with kafka.oversize = skip skips and counts like run (message.max.bytes = 20000)"
    sql -e "CREATE TABLE ov (id INT PRIMARY KEY, body LONGTEXT)"
    A11=$(head_pos)
    sql -e "INSERT INTO ov VALUES (1, 'small before')"
    h1=$(head_pos)
    sql -e "INSERT INTO ov VALUES (2, REPEAT('o', 50000))"
    h2=$(head_pos)
    sql -e "INSERT INTO ov VALUES (3, 'small after')"
    B11=$(head_pos)
    dump_live ov "$A11"
    rows_in "$W/ov.dump" "$A11" "$B11" | grep -v '"after":{"id":2,' >"$W/ov.want"
    check "11: the range holds the big row and the two small ones ($(rows_in "$W/ov.dump" "$A11" "$B11" | wc -l) rows)" \
        [ "$(rows_in "$W/ov.dump" "$A11" "$B11" | wc -l)" -eq 3 -a "$(wc -l <"$W/ov.want")" -eq 2 ]
    # pos_in FILE:POS LO HI: the same binlog file as LO and HI, LO <= POS < HI
    pos_in() {
        [ "${1%:*}" = "${2%:*}" ] && [ "${1%:*}" = "${3%:*}" ] &&
            [ "${1##*:}" -ge "${2##*:}" ] && [ "${1##*:}" -lt "${3##*:}" ]
    }
    # (a) oversize = fail, the default: r.conf with a small message.max.bytes
    cp "$R" "$W/ovf.conf"
    conf_add ovf kafka "message.max.bytes = 20000"
    replay ovf -c "$W/ovf.conf" --from "$A11" --to "$B11" --topic-suffix .ovf --id ov-fail
    check "11: oversize = fail: exit 1 (exit $RC: $(err_of ovf))" [ "$RC" -eq 1 ]
    at=$(sed -n 's/.*row change at `pay`\.`ov` at \([^ ]*\) row 0 is [0-9]* bytes, more than Kafka accepts .*/\1/p' "$W/ovf.err" | tail -1)
    check "11: ... stderr names \`pay\`.\`ov\` at the big row's file:pos (${at:-none}, in [$h1, $h2)) and \"more than Kafka accepts\"" \
        pos_in "$at" "$h1" "$h2"
    check "11: ... and the fix: raise message.max.bytes or set kafka.oversize=skip ($(err_of ovf))" \
        grep -q 'raise message\.max\.bytes.* or set kafka\.oversize=skip' "$W/ovf.err"
    consume rp.pay.ov.ovf "$W/ovf.msgs"
    got=$(of_id "$W/ovf.msgs" ov-fail | sed -n 's/.*"after":{"id":\([0-9]*\)[,}].*/\1/p' | sort -n | tr '\n' ' ')
    check "11: ... the row before it was published, neither the big row nor the one after it (ids: $got)" [ "$got" = "1 " ]
    check "11: ... acknowledged 1 of 1 ($(sum_ack ovf))" [ "$(sum_ack ovf)" = "acknowledged 1 of 1" ]
    e=$(sum_cov ovf | sed 's/.* \.\. //')
    e=${e:-none:0}
    check "11: ... covered up to the big row's transaction, not into it ($(sum_cov ovf); it starts at $h1)" \
        [ "${e%:*}" = "${h1%:*}" -a "${e##*:}" -gt "${A11##*:}" -a "${e##*:}" -le "${h1##*:}" ]
    state_same "11: oversize = fail"

    # (b) oversize = skip
    cp "$R" "$W/ovs.conf"
    conf_add ovs kafka "oversize = skip"
    conf_add ovs kafka "message.max.bytes = 20000"
    replay ovs -c "$W/ovs.conf" --from "$A11" --to "$B11" --topic-suffix .ovs --id ov-skip
    check "11: oversize = skip: exit 0 (exit $RC: $(err_of ovs))" [ "$RC" -eq 0 ]
    check "11: ... the summary: \"replay ov-skip: 1 row changes bigger than Kafka takes skipped (kafka.oversize = skip)\" ($(grep 'skipped' "$W/ovs.err" | tr '\n' '|'))" \
        grep -qxF "replay ov-skip: 1 row changes bigger than Kafka takes skipped (kafka.oversize = skip)" "$W/ovs.err"
    sk='^binlogd replay: \(warning: \)\{0,1\}row change at `pay`\.`ov` at \([^ ]*\) row 0 is [0-9]* bytes, more than Kafka accepts (message\.max\.bytes): skipped, as kafka\.oversize=skip says (1 so far)$'
    w1=$(sed -n "s/$sk/\\2/p" "$W/ovs.err")
    check "11: ... a warning names \`pay\`.\`ov\` at the big row's file:pos (${w1:-none}, in [$h1, $h2)), 1 so far ($(grep 'row change at' "$W/ovs.err" | head -1 | cut -c 1-300))" \
        pos_in "$w1" "$h1" "$h2"
    check "11: ... one such warning ($(grep -c 'more than Kafka accepts' "$W/ovs.err"))" [ "$(grep -c 'more than Kafka accepts' "$W/ovs.err")" -eq 1 ]
    check "11: ... acknowledged 2 of 2 ($(sum_ack ovs))" [ "$(sum_ack ovs)" = "acknowledged 2 of 2" ]
    consume rp.pay.ov.ovs "$W/ovs.msgs"
    keys=$(awk -F '\t' '$1 == "ov-skip" { print $3 }' "$W/ovs.msgs" | sort | tr '\n' ' ')
    check "11: ... the topic's keys: the two small rows, not the big one ($keys)" [ "$keys" = '{"id":1} {"id":3} ' ]
    check_messages "11: oversize = skip" "$W/ovs.msgs" ov-skip "$W/ov.want"
    state_same "11: oversize = skip"
fi

finish
