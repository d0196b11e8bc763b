#!/bin/sh
# `binlogd dump --host`: the live source against a real MariaDB.
#
# Starts its own MariaDB (TLS on, binlog_row_metadata=FULL) in
# build/integ/live on 127.0.0.1:$LIVE_PORT (13501), stops it on exit, and
# checks:
#   a  stop at head: the stream decodes to the same lines as the binlog
#      files (rows; --events up to the FDE's in-use flag); a start inside a
#      file, a MariaDB GTID start and --from-head
#   g  the connection dropped again and again (BINLOGD_FAULT_DROP_EVERY):
#      --follow resumes and the output still equals the files' exactly
#   b  --follow: INSERT/UPDATE/DELETE made while it runs appear once
#   d  a second reader with the same --server-id: the first one stops
#      with the duplicate-id message
#   e  an account without REPLICATION SLAVE / BINLOG MONITOR: the grants
#      message with the GRANT statement
#   s  binlog_format=STATEMENT is refused with the fix
#   t  TLS: VERIFY_CA and VERIFY_IDENTITY with the test's CA connect, a
#      wrong CA is refused, DISABLED works
#   z  the server frozen (SIGSTOP) longer than the read timeout: the reader
#      notices, reconnects after SIGCONT, loses and repeats nothing
#   c  a purged start position: exit 1 naming the oldest binlog left
#   w  --batch-wait at a steady trickle: every row once and in order with
#      naps and without; with 5ms the reader wakes less than once a
#      transaction
#   f  SIGKILL and restart the server three times under a write load:
#      every committed transaction appears exactly once, in order
# Ends with "N passed, N failed".
#
# Environment: BUILD (build), LIVE_PORT (13501), LIVE_KEEP=1 keeps the
# directory, LIVE_ONLY="a g" runs only those groups.
set -u
cd "$(dirname "$0")/../.."

BUILD=${BUILD:-build}
B=$BUILD/binlogd
PORT=${LIVE_PORT:-13501}
DIR=build/integ/live
MSH=deploy/dev/mariadb.sh
ONLY=${LIVE_ONLY:-}
SRVOPTS="--binlog_row_metadata=FULL --binlog_row_image=FULL"

. tests/lib.sh
want() { case " $ONLY " in "  ") return 0 ;; *" $1 "*) return 0 ;; esac; return 1; }
T0=$(date +%s)
section() { echo "== $* (+$(($(date +%s) - T0)) s)"; }

BGPIDS=""
cleanup() {
    for p in $BGPIDS; do kill "$p" 2>/dev/null; done
    [ -f "$DIR/my.cnf" ] && sh "$MSH" stop "$DIR" >/dev/null 2>&1
    if [ "${LIVE_KEEP:-0}" != 1 ] && [ "$fail" -eq 0 ]; then rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

finish() {
    section "done"
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}

if [ ! -x "$B" ]; then
    echo "live: $B is missing; build it first (make)" >&2
    fail=1
    finish
fi
command -v mariadbd >/dev/null 2>&1 || {
    echo "live: mariadbd is not installed (make deps)" >&2
    fail=1
    finish
}

sql() { sh "$MSH" sql "$DIR" -N -B binlogd "$@"; }
# a client over TCP as root, without the socket: what the writer uses
tcpsql() { mariadb --no-defaults -h127.0.0.1 -P"$PORT" -uroot -N -B binlogd "$@"; }
server_pid() { cat "$DIR/mysqld.pid" 2>/dev/null; }
start_server() { sh "$MSH" start "$DIR" "$PORT" $SRVOPTS $TLSOPTS >"$DIR.start.log" 2>&1; }

# the server's head as FILE:POS: a follower started there sees every later
# write, however long it takes to connect
head_pos() { sql -e "SHOW MASTER STATUS" | awk '{ print $1 ":" $2 }'; }
head_file() { sql -e "SHOW MASTER STATUS" | cut -f1; }
lines_at_least() { [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; }
grep_count() { grep -c -- "$1" "$2" 2>/dev/null || true; }

export BINLOGD_PASSWORD=replpw
C="--host 127.0.0.1 --port $PORT --user repl"
# The active file's FDE has the in-use flag set on disk; the server clears
# it when it sends the event.
norm_inuse() { sed 's/"flags":1,\(.*\)"in_use":true}/"flags":0,\1"in_use":false}/' "$1"; }

# ---- server with TLS -----------------------------------------------------
sh "$MSH" stop "$DIR" >/dev/null 2>&1
rm -rf "$DIR"
mkdir -p "$DIR/tls"
T=$DIR/tls
(
    cd "$T" || exit 1
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=binlogd test CA" \
        -keyout ca-key.pem -out ca.pem
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other CA" \
        -keyout other-key.pem -out other-ca.pem
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server-key.pem \
        -out server.csr
    printf 'subjectAltName=IP:127.0.0.1\n' >ext.cnf
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 \
        -extfile ext.cnf -out server.pem
) >"$DIR/tls.log" 2>&1 || {
    cat "$DIR/tls.log"
    bad "could not make test certificates"
    finish
}
TLSOPTS="--ssl_ca=$(pwd)/$T/ca.pem --ssl_cert=$(pwd)/$T/server.pem --ssl_key=$(pwd)/$T/server-key.pem"
if ! start_server; then
    cat "$DIR.start.log"
    bad "the server did not start"
    finish
fi
rm -f "$DIR.start.log"
W=$DIR/work
mkdir -p "$W"

# ---- a: stop at head equals the files --------------------------------------
if want a || want g; then
    sql <<'EOF'
CREATE TABLE types (
  id INT PRIMARY KEY, i8 TINYINT, u64 BIGINT UNSIGNED, d DECIMAL(20,6), f FLOAT, db DOUBLE,
  s VARCHAR(40) CHARACTER SET utf8mb4, c CHAR(5) CHARACTER SET latin1, b VARBINARY(20), bl BLOB,
  t TEXT, dt DATETIME(6), ts TIMESTAMP(3) NULL, dte DATE, tm TIME(2), y YEAR,
  e ENUM('a','b','c'), st SET('x','y','z'), bt BIT(10), j JSON);
INSERT INTO types VALUES
 (1, -128, 18446744073709551615, -12345.678901, 0.1, -1e300, 'héllo 分账', 'abc', x'00ff10', x'deadbeef',
  'text', '2024-02-29 23:59:59.123456', '2024-01-01 00:00:00.500', '0000-00-00', '-838:59:59.99', 2155,
  'b', 'x,z', b'1010101010', '{"k":[1,2,{"a":null}]}'),
 (2, NULL, 0, 0, NULL, 0, '', NULL, '', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '', NULL, NULL);
BEGIN;
INSERT INTO types (id, s) VALUES (3, 'in a transaction'), (4, 'another');
UPDATE types SET s = 'updated', d = 1.5 WHERE id = 1;
DELETE FROM types WHERE id = 2;
COMMIT;
FLUSH BINARY LOGS;
CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(200));
INSERT INTO big SELECT seq, REPEAT('x', 150) FROM seq_1_to_3000;
ALTER TABLE types ADD COLUMN extra INT DEFAULT 7;
UPDATE types SET extra = id * 2;
BEGIN;
UPDATE big SET pad = 'y' WHERE id <= 500;
DELETE FROM big WHERE id > 2900;
INSERT INTO types (id, s) VALUES (5, 'five');
COMMIT;
FLUSH BINARY LOGS;
INSERT INTO types (id, s) VALUES (6, 'six');
CREATE TABLE small (id INT PRIMARY KEY, n INT);
EOF
    i=1
    while [ $i -le 30 ]; do
        echo "BEGIN; INSERT INTO small VALUES ($i, $i); UPDATE small SET n = n + 1 WHERE id = $i;"
        [ $((i % 3)) -eq 0 ] && echo "DELETE FROM small WHERE id = $((i - 1));"
        echo "COMMIT; INSERT INTO small VALUES ($((i + 1000)), 0);"
        i=$((i + 1))
    done | sql
    files=$(ls "$DIR"/db/binlog.[0-9]* | sort)
    "$B" dump $files >"$W/files.out" 2>"$W/files.err"
    check "a: file dump exits 0 ($(cat "$W/files.err"))" [ $? -eq 0 ]
    "$B" dump --events $files >"$W/files-ev.out" 2>"$W/files-ev.err"
    # BINLOG_CHECKPOINT events are written in the background, maybe after
    # this dump: left out of the --events comparisons
    norm_inuse "$W/files-ev.out" | grep -v '"event":"BINLOG_CHECKPOINT"' >"$W/files-ev.norm"
fi

if want a; then
    section "a: stop at head equals the files"
    "$B" dump $C --server-id 11 --from binlog.000001:4 >"$W/a.out" 2>"$W/a.err"
    rc=$?
    check "a: stream exits 0 (exit $rc: $(head -c 300 "$W/a.err"))" [ "$rc" -eq 0 ]
    check "a: stream output equals the file dump ($(wc -l <"$W/a.out") vs $(wc -l <"$W/files.out") lines)" \
        cmp -s "$W/a.out" "$W/files.out"
    check "a: output not trivial" lines_at_least "$W/a.out" 3000
    "$B" dump --events $C --server-id 11 --from binlog.000001:4 2>"$W/a-ev.err" |
        grep -v '"event":"BINLOG_CHECKPOINT"' >"$W/a-ev.out"
    check "a: --events stream equals the files' (but the in-use flag)" cmp -s "$W/a-ev.out" "$W/files-ev.norm"
    [ -s "$W/a.err" ] && bad "a: stream wrote to stderr: $(head -c 300 "$W/a.err")"

    # a start in the middle of binlog.000002, at the GTID of its 3rd transaction
    gpos=$(grep '"event":"MARIADB_GTID","file":"binlog.000002"' "$W/files-ev.out" | sed -n 3p |
        sed 's/.*"pos":\([0-9]*\),.*/\1/')
    awk -v p="$gpos" '{
        f = $0; sub(/.*"file":"/, "", f); sub(/".*/, "", f)
        q = $0; sub(/.*"file":"[^"]*","pos":/, "", q); sub(/,.*/, "", q)
        if (f > "binlog.000002" || (f == "binlog.000002" && q + 0 >= p + 0)) print
    }' "$W/files.out" >"$W/a2.want"
    "$B" dump $C --server-id 11 --from "binlog.000002:$gpos" >"$W/a2.out" 2>"$W/a2.err"
    check "a: mid-file start at binlog.000002:$gpos ($(head -c 200 "$W/a2.err"))" cmp -s "$W/a2.out" "$W/a2.want"
    check "a: mid-file start not empty" [ -s "$W/a2.want" ]

    # a GTID start: after the transaction before the one of the 3rd row line
    g=$(sed -n 3p "$W/files.out" | sed 's/.*"gtid":"\([0-9-]*\)".*/\1/')
    seq=${g##*-}
    prev="${g%-*}-$((seq - 1))"
    awk -v g="\"gtid\":\"$g\"" 'index($0, g) { on = 1 } on' "$W/files.out" >"$W/a3.want"
    "$B" dump $C --server-id 11 --gtid "$prev" >"$W/a3.out" 2>"$W/a3.err"
    check "a: --gtid $prev gives the rows from $g on ($(head -c 200 "$W/a3.err"))" cmp -s "$W/a3.out" "$W/a3.want"
    # the same through the mapping a MySQL GTID start uses (the newest file
    # whose GTID_LIST is inside the set, then skip the set's transactions)
    BINLOGD_TEST_GTID_MAP=1 "$B" dump $C --server-id 11 --gtid "$prev" >"$W/a3m.out" 2>"$W/a3m.err"
    check "a: mapped --gtid $prev gives the same rows ($(head -c 200 "$W/a3m.err"))" cmp -s "$W/a3m.out" "$W/a3.want"
    check "a: ... starting in the file of that GTID" grep -q "reading from binlog.000001:4" "$W/a3m.err"
    BINLOGD_TEST_GTID_MAP=1 "$B" dump $C --server-id 11 --gtid "" >"$W/a3e.out" 2>"$W/a3e.err"
    check "a: mapped --gtid '' gives everything ($(head -c 200 "$W/a3e.err"))" cmp -s "$W/a3e.out" "$W/files.out"
    lastg=$(tail -n 1 "$W/files.out" | sed 's/.*"gtid":"\([0-9-]*\)".*/\1/')
    BINLOGD_TEST_GTID_MAP=1 "$B" dump $C --server-id 11 --gtid "$lastg" >"$W/a3l.out" 2>"$W/a3l.err"
    check "a: mapped --gtid at the last transaction: exit 0, nothing ($(head -c 200 "$W/a3l.err"))" \
        [ $? -eq 0 ] && [ ! -s "$W/a3l.out" ]
    lastf=$(tail -n 1 "$W/files.out" | sed 's/.*"file":"\([^"]*\)".*/\1/')
    check "a: ... reading only the newest file, $lastf" grep -q "reading from $lastf:4" "$W/a3l.err"
    BINLOGD_TEST_GTID_MAP=1 "$B" dump $C --server-id 11 --gtid "0-1-99999999" >"$W/a3x.out" 2>"$W/a3x.err"
    check "a: a GTID set the server never wrote: exit 1 ($(head -c 300 "$W/a3x.err"))" [ $? -eq 1 ]
    check "a: ... saying so" grep -q "never wrote (e.g. 0-1-99999999)" "$W/a3x.err"
    "$B" dump $C --server-id 11 --gtid "396e294c-1ca4-11f1-9ae7-00155da79c6b:1-5" >/dev/null 2>"$W/a3y.err"
    check "a: a MySQL GTID set against MariaDB: exit 1 ($(head -c 300 "$W/a3y.err"))" [ $? -eq 1 ]
    check "a: ... saying so" grep -q "is a MySQL GTID set but .* is MariaDB" "$W/a3y.err"

    "$B" dump $C --server-id 11 --from-head >"$W/a4.out" 2>&1
    rc=$?
    check "a: --from-head without --follow: exit 0 (exit $rc)" [ "$rc" -eq 0 ]
    check "a: --from-head without --follow: nothing printed" [ ! -s "$W/a4.out" ]

    "$B" dump $C --server-id 11 --from binlog.000001:5 >"$W/a5.out" 2>"$W/a5.err"
    rc=$?
    check "a: a position inside an event is refused (exit $rc)" [ "$rc" -eq 1 ]
    check "a: ... saying so" grep -q "must be the start of an event" "$W/a5.err"

    "$B" dump --host 127.0.0.1 "$W/files.out" >/dev/null 2>"$W/a6.err"
    check "a: files with --host is a usage error" [ $? -eq 2 ]
    "$B" dump --follow "$W/files.out" >/dev/null 2>"$W/a6.err"
    check "a: server options without --host are a usage error" [ $? -eq 2 ]
fi

# ---- g: dropped connections ------------------------------------------------
if want g; then
    section "g: dropped connections"
    : >"$W/g.raw"
    BINLOGD_FAULT_DROP_EVERY=400 "$B" dump --events $C --server-id 12 --follow --heartbeat 0.5 \
        --from binlog.000001:4 >"$W/g.raw" 2>"$W/g.err" &
    gp=$!
    BGPIDS="$BGPIDS $gp"
    n=$(wc -l <"$W/files-ev.norm")
    g_done() {
        grep -v '"event":"BINLOG_CHECKPOINT"' "$W/g.raw" >"$W/g.out"
        lines_at_least "$W/g.out" "$n"
    }
    waitfor 60 g_done
    sleep 0.5
    kill "$gp"
    wait "$gp"
    rc=$?
    grep -v '"event":"BINLOG_CHECKPOINT"' "$W/g.raw" >"$W/g.out"
    check "g: --follow with drops exits 0 on SIGTERM (exit $rc)" [ "$rc" -eq 0 ]
    drops=$(grep_count "reconnected" "$W/g.err")
    check "g: the connection was dropped and resumed several times ($drops)" [ "$drops" -ge 5 ]
    check "g: output equals the files' exactly ($(wc -l <"$W/g.out") vs $n lines)" \
        cmp -s "$W/g.out" "$W/files-ev.norm"
    if ! cmp -s "$W/g.out" "$W/files-ev.norm"; then
        diff "$W/g.out" "$W/files-ev.norm" | head -5
        tail -3 "$W/g.err"
    fi

    # small transactions, dropped every few changes
    grep '"file":"binlog.000003"' "$W/files-ev.norm" >"$W/g2.want"
    : >"$W/g2.raw"
    BINLOGD_FAULT_DROP_EVERY=6 "$B" dump --events $C --ssl-mode DISABLED --server-id 12 --follow --heartbeat 0.5 \
        --from binlog.000003:4 >"$W/g2.raw" 2>"$W/g2.err" &
    gp=$!
    BGPIDS="$BGPIDS $gp"
    n=$(wc -l <"$W/g2.want")
    g2_done() {
        grep -v '"event":"BINLOG_CHECKPOINT"' "$W/g2.raw" >"$W/g2.out"
        lines_at_least "$W/g2.out" "$n"
    }
    waitfor 60 g2_done
    sleep 0.5
    kill "$gp"
    wait "$gp"
    grep -v '"event":"BINLOG_CHECKPOINT"' "$W/g2.raw" >"$W/g2.out"
    drops=$(grep_count "reconnected" "$W/g2.err")
    check "g: small transactions: dropped often ($drops)" [ "$drops" -ge 20 ]
    check "g: small transactions: output equals the file's ($(wc -l <"$W/g2.out") vs $n lines)" \
        cmp -s "$W/g2.out" "$W/g2.want"

    # a GTID start dropped before its first transaction is complete: the
    # retry starts at the GTID again and repeats nothing
    g=$(grep '"table":"small"' "$W/files.out" | sed -n 5p | sed 's/.*"gtid":"\([0-9-]*\)".*/\1/')
    prev="${g%-*}-$((${g##*-} - 1))"
    "$B" dump --events $C --server-id 12 --gtid "$prev" 2>"$W/g3.err" |
        grep -v '"event":"BINLOG_CHECKPOINT"' >"$W/g3.want"
    : >"$W/g3.raw"
    BINLOGD_FAULT_DROP_EVERY=5 "$B" dump --events $C --ssl-mode DISABLED --server-id 12 --follow --heartbeat 0.5 \
        --gtid "$prev" >"$W/g3.raw" 2>>"$W/g3.err" &
    gp=$!
    BGPIDS="$BGPIDS $gp"
    n=$(wc -l <"$W/g3.want")
    g3_done() {
        grep -v '"event":"BINLOG_CHECKPOINT"' "$W/g3.raw" >"$W/g3.out"
        lines_at_least "$W/g3.out" "$n"
    }
    waitfor 60 g3_done
    sleep 0.5
    kill "$gp"
    wait "$gp"
    grep -v '"event":"BINLOG_CHECKPOINT"' "$W/g3.raw" >"$W/g3.out"
    check "g: GTID start with drops resumes at the GTID ($(grep -c "at GTID position" "$W/g3.err"))" \
        grep -q "resuming at GTID position '$prev'" "$W/g3.err"
    check "g: GTID start with drops: same output as without ($(wc -l <"$W/g3.out") vs $n lines)" \
        cmp -s "$W/g3.out" "$W/g3.want"
fi

# ---- b: --follow sees new changes once --------------------------------------
if want b; then
    section "b: --follow"
    sql -e "CREATE TABLE fol (id INT PRIMARY KEY, v VARCHAR(20))"
    hp=$(head_pos) # not inside the background command: it would race the writes
    "$B" dump $C --server-id 21 --follow --from "$hp" --heartbeat 0.5 >"$W/b.out" 2>"$W/b.err" &
    bp=$!
    BGPIDS="$BGPIDS $bp"
    sql -e "INSERT INTO fol VALUES (1,'one'),(2,'two'); UPDATE fol SET v='uno' WHERE id=1; DELETE FROM fol WHERE id=2"
    sql -e "BEGIN; INSERT INTO fol VALUES (3,'three'); INSERT INTO fol VALUES (4,'four'); COMMIT"
    waitfor 10 lines_at_least "$W/b.out" 6
    sleep 1 # anything more (a duplicate) would come now
    kill "$bp"
    wait "$bp"
    rc=$?
    check "b: SIGTERM ends --follow with exit 0 (exit $rc)" [ "$rc" -eq 0 ]
    check "b: six changes, no more ($(wc -l <"$W/b.out"))" [ "$(wc -l <"$W/b.out")" -eq 6 ]
    for pat in '"op":"c".*"after":{"id":1,"v":"one"}' '"op":"c".*"after":{"id":2,"v":"two"}' \
        '"op":"u".*"before":{"id":1,"v":"one"},"after":{"id":1,"v":"uno"}' \
        '"op":"d".*"before":{"id":2,"v":"two"},"after":null' \
        '"op":"c".*"after":{"id":3,"v":"three"}.*"last":false' \
        '"op":"c".*"after":{"id":4,"v":"four"}.*"last":true'; do
        check "b: exactly one line matching $pat" [ "$(grep_count "$pat" "$W/b.out")" -eq 1 ]
    done
fi

# ---- d: duplicate server id ------------------------------------------------
if want d; then
    section "d: duplicate server id"
    # --events from the start of the file: a line as soon as it streams
    hf=$(head_file)
    "$B" dump $C --server-id 31 --follow --events --from "$hf" >"$W/d1.out" 2>"$W/d1.err" &
    d1=$!
    BGPIDS="$BGPIDS $d1"
    waitfor 20 lines_at_least "$W/d1.out" 1
    "$B" dump $C --server-id 31 --follow --from-head >"$W/d2.out" 2>"$W/d2.err" &
    d2=$!
    BGPIDS="$BGPIDS $d2"
    # the first reader is thrown off when the second registers
    i=0
    while kill -0 "$d1" 2>/dev/null && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    wait "$d1"
    rc=$?
    check "d: the older reader stops with exit 1 (exit $rc)" [ "$rc" -eq 1 ]
    check "d: ... saying to pick another --server-id ($(head -c 300 "$W/d1.err"))" \
        grep -q "pick another --server-id" "$W/d1.err"
    check "d: the newer reader runs on" kill -0 "$d2"
    kill "$d2" 2>/dev/null
    wait "$d2"
fi

# ---- e: grants ------------------------------------------------------------
if want e; then
    section "e: grants and passwords"
    sql -e "SET sql_log_bin=0; CREATE USER IF NOT EXISTS 'norepl'@'127.0.0.1' IDENTIFIED BY 'pw';
            GRANT SELECT ON *.* TO 'norepl'@'127.0.0.1'"
    BINLOGD_PASSWORD=pw "$B" dump --host 127.0.0.1 --port "$PORT" --user norepl --server-id 41 \
        --from binlog.000001:4 >"$W/e.out" 2>"$W/e.err"
    rc=$?
    check "e: no REPLICATION SLAVE: exit 1 (exit $rc)" [ "$rc" -eq 1 ]
    check "e: ... with the GRANT statement ($(head -c 300 "$W/e.err"))" \
        grep -q "GRANT REPLICATION SLAVE, BINLOG MONITOR, SELECT ON \*\.\* TO 'norepl'@'127.0.0.1'" "$W/e.err"
    BINLOGD_PASSWORD=pw "$B" dump --host 127.0.0.1 --port "$PORT" --user norepl --server-id 41 \
        --from-head >/dev/null 2>"$W/e2.err"
    rc=$?
    check "e: no BINLOG MONITOR for --from-head: grants message (exit $rc: $(head -c 200 "$W/e2.err"))" \
        grep -q "SHOW MASTER STATUS.*GRANT REPLICATION SLAVE" "$W/e2.err"
    BINLOGD_PASSWORD=wrong "$B" dump $C --server-id 41 --from-head >/dev/null 2>"$W/e3.err"
    rc=$?
    check "e: wrong password: exit 1 naming the password sources (exit $rc)" \
        grep -q "password (--password-file or BINLOGD_PASSWORD)" "$W/e3.err"
    check "e: the password is never printed" sh -c "! grep -q 'wrong' '$W/e3.err'"
    printf 'replpw\n' >"$W/pw"
    BINLOGD_PASSWORD= "$B" dump $C --password-file "$W/pw" --server-id 41 --from-head >/dev/null 2>"$W/e4.err"
    check "e: --password-file is read ($(head -c 200 "$W/e4.err"))" [ $? -eq 0 ]
fi

# ---- s: binlog_format -----------------------------------------------------
if want s; then
    section "s: binlog_format"
    sql -e "SET GLOBAL binlog_format='STATEMENT'"
    "$B" dump $C --server-id 51 --from-head >/dev/null 2>"$W/s.err"
    rc=$?
    sql -e "SET GLOBAL binlog_format='ROW'"
    check "s: binlog_format=STATEMENT refused (exit $rc)" [ "$rc" -eq 1 ]
    check "s: ... with the fix ($(head -c 200 "$W/s.err"))" grep -q "SET GLOBAL binlog_format='ROW'" "$W/s.err"
fi

# ---- t: TLS ---------------------------------------------------------------
if want t; then
    section "t: TLS"
    "$B" dump $C --server-id 61 --from-head --ssl-mode VERIFY_CA --ssl-ca "$T/ca.pem" >/dev/null 2>"$W/t1.err"
    check "t: VERIFY_CA with the right CA connects ($(head -c 200 "$W/t1.err"))" [ $? -eq 0 ]
    "$B" dump $C --server-id 61 --from-head --ssl-mode VERIFY_IDENTITY --ssl-ca "$T/ca.pem" >/dev/null 2>"$W/t2.err"
    check "t: VERIFY_IDENTITY for 127.0.0.1 connects ($(head -c 200 "$W/t2.err"))" [ $? -eq 0 ]
    "$B" dump $C --server-id 61 --from-head --ssl-mode REQUIRED >/dev/null 2>"$W/t3.err"
    check "t: REQUIRED connects ($(head -c 200 "$W/t3.err"))" [ $? -eq 0 ]
    "$B" dump $C --server-id 61 --from-head --ssl-mode VERIFY_CA --ssl-ca "$T/other-ca.pem" >/dev/null 2>"$W/t4.err"
    rc=$?
    check "t: VERIFY_CA with a wrong CA is refused (exit $rc)" [ "$rc" -eq 1 ]
    check "t: ... as a TLS failure ($(head -c 200 "$W/t4.err"))" grep -q "TLS" "$W/t4.err"
    "$B" dump $C --server-id 61 --from-head --ssl-mode DISABLED >/dev/null 2>"$W/t5.err"
    check "t: DISABLED connects ($(head -c 200 "$W/t5.err"))" [ $? -eq 0 ]
    "$B" dump $C --server-id 61 --from-head --ssl-mode VERIFY_CA >/dev/null 2>"$W/t6.err"
    check "t: VERIFY_CA without --ssl-ca is a usage error" [ $? -eq 2 ]
    # the stream itself over TLS equals the files (a ran with PREFERRED, which is TLS here)
fi

# ---- z: server frozen --------------------------------------------------------
if want z; then
    section "z: server frozen"
    sql -e "CREATE TABLE frz (id INT PRIMARY KEY)"
    hp=$(head_pos)
    "$B" dump $C --server-id 71 --follow --from "$hp" --heartbeat 0.5 --read-timeout 2 \
        --connect-timeout 2 >"$W/z.out" 2>"$W/z.err" &
    zp=$!
    BGPIDS="$BGPIDS $zp"
    sql -e "INSERT INTO frz VALUES (1)"
    waitfor 10 lines_at_least "$W/z.out" 1
    spid=$(server_pid)
    kill -STOP "$spid"
    sleep 4
    kill -CONT "$spid"
    sql -e "INSERT INTO frz VALUES (2)"
    waitfor 20 lines_at_least "$W/z.out" 2
    sleep 0.5
    kill "$zp"
    wait "$zp"
    check "z: the reader noticed the frozen server ($(head -c 300 "$W/z.err"))" grep -q "retrying" "$W/z.err"
    check "z: ... and reconnected" grep -q "reconnected" "$W/z.err"
    check "z: each row exactly once ($(wc -l <"$W/z.out") lines)" [ "$(wc -l <"$W/z.out")" -eq 2 ]
    check "z: ... both of table frz" [ "$(grep_count '"table":"frz"' "$W/z.out")" -eq 2 ]
fi

# ---- c: purged position -----------------------------------------------------
if want c; then
    section "c: purged position"
    sql -e "FLUSH BINARY LOGS; FLUSH BINARY LOGS"
    last=$(sql -e "SHOW MASTER STATUS" | cut -f1)
    sql -e "PURGE BINARY LOGS TO '$last'"
    # the server keeps what crash recovery or a reader still needs
    last=$(sql -e "SHOW BINARY LOGS" | head -n 1 | cut -f1)
    check "c: binlog.000001 was purged (oldest now $last)" [ "$last" != binlog.000001 ]
    "$B" dump $C --server-id 81 --from binlog.000001:4 >/dev/null 2>"$W/c.err"
    rc=$?
    check "c: purged start: exit 1 (exit $rc)" [ "$rc" -eq 1 ]
    check "c: ... naming the position and that it is gone ($(head -c 300 "$W/c.err"))" \
        grep -q "binlog.000001:4 is gone" "$W/c.err"
    check "c: ... and the oldest binlog left ($last)" grep -q "oldest binlog on the server is $last" "$W/c.err"
    BINLOGD_TEST_GTID_MAP=1 "$B" dump $C --server-id 81 --gtid "" >/dev/null 2>"$W/c2.err"
    rc=$?
    check "c: mapped GTID start whose transactions were purged: exit 1 (exit $rc)" [ "$rc" -eq 1 ]
    check "c: ... naming the oldest binlog and that they were purged ($(head -c 300 "$W/c2.err"))" \
        grep -q "before the oldest binlog $last: they were purged" "$W/c2.err"
fi

# ---- w: batch wait at a steady trickle -----------------------------------------
# The reader thread (bd-reader) naps --batch-wait on an empty socket while
# transactions keep coming, so it wakes once a batch rather than once a
# transaction; with 0 it waits for each.  Both must give every row once, in
# order.  Counted: the reader's voluntary context switches (each wait, each
# nap) per transaction, over TLS (PREFERRED; this server has a certificate).
reader_switches() { # PID
    for t in /proc/"$1"/task/*; do
        [ "$(cat "$t/comm" 2>/dev/null)" = bd-reader ] &&
            awk '/^voluntary_ctxt_switches/ {print $2}' "$t/status" && return 0
    done
    echo -1
}
if want w; then
    section "w: --batch-wait at a steady trickle"
    sql -e "CREATE TABLE trickle (id INT PRIMARY KEY, v INT)"
    N=1500
    next=1
    for bw in 5ms 0; do
        hp=$(head_pos)
        "$B" dump $C ${WSSL:-} --server-id 61 --follow --from "$hp" --batch-wait "$bw" >"$W/w$bw.out" 2>"$W/w$bw.err" &
        wp=$!
        BGPIDS="$BGPIDS $wp"
        sql -e "INSERT INTO trickle VALUES ($next, 0)"
        waitfor 20 lines_at_least "$W/w$bw.out" 1
        s0=$(reader_switches "$wp")
        # N autocommitted one-row transactions, about one a millisecond
        i=1
        while [ $i -le $N ]; do
            echo "INSERT INTO trickle VALUES ($((next + i)), $i); DO SLEEP(0.001);"
            i=$((i + 1))
        done | tcpsql
        waitfor 60 lines_at_least "$W/w$bw.out" $((N + 1))
        s1=$(reader_switches "$wp")
        sleep 0.5
        kill "$wp"
        wait "$wp"
        rc=$?
        sed -n 's/.*"after":{"id":\([0-9]*\),.*/\1/p' "$W/w$bw.out" >"$W/w$bw.ids"
        seq "$next" $((next + N)) >"$W/w$bw.want"
        check "w: --batch-wait $bw: exit 0 on SIGTERM (exit $rc)" [ "$rc" -eq 0 ]
        check "w: --batch-wait $bw: all $((N + 1)) rows once, in order ($(wc -l <"$W/w$bw.ids") lines)" \
            cmp -s "$W/w$bw.ids" "$W/w$bw.want"
        sw=$(( s1 - s0 ))
        per=$(echo "$sw / $N" | bc -l | xargs printf '%.2f')
        echo "   reader woke $sw times for $N transactions ($per a transaction) with --batch-wait $bw"
        if [ "$bw" = 5ms ]; then
            okw=0
            [ "$s0" -ge 0 ] && okw=$(echo "$per < 0.6" | bc)
            check "w: --batch-wait 5ms: the reader woke fewer than 0.6 times a transaction ($per; counted: $s0 $s1)" \
                [ "$okw" = 1 ]
            W5=$per
        else
            # not asserted to be higher: a busy machine batches by itself
            echo "   (with 5ms: $W5)"
        fi
        next=$((next + N + 1))
    done
fi

# ---- f: SIGKILL under load -----------------------------------------------------
if want f; then
    section "f: SIGKILL under load"
    sql -e "CREATE TABLE seqt (id INT PRIMARY KEY, note VARCHAR(20));
            CREATE TABLE pay (id INT, k INT, PRIMARY KEY (id, k))"
    hp=$(head_pos)
    "$B" dump $C --server-id 91 --follow --from "$hp" --heartbeat 0.5 --read-timeout 2 \
        --connect-timeout 2 >"$W/f.out" 2>"$W/f.err" &
    fp=$!
    BGPIDS="$BGPIDS $fp"
    : >"$W/committed"
    rm -f "$W/stop"
    (
        i=1
        while [ ! -f "$W/stop" ]; do
            if tcpsql -e "BEGIN; INSERT INTO seqt VALUES ($i, 'w'); INSERT INTO pay VALUES ($i, 1), ($i, 2), ($i, 3);
                      UPDATE pay SET k = k + 10 WHERE id = $i; COMMIT" 2>/dev/null; then
                echo "$i" >>"$W/committed"
            else
                sleep 0.05
            fi
            i=$((i + 1))
        done
    ) &
    wp=$!
    BGPIDS="$BGPIDS $wp"
    for k in 1 2 3; do
        sleep 1.5
        kill -9 "$(server_pid)"
        sleep 0.3
        if ! start_server; then
            cat "$DIR.start.log"
            bad "f: restart $k failed"
            break
        fi
    done
    sleep 1
    touch "$W/stop"
    wait "$wp"
    tcpsql -e "SELECT id FROM seqt ORDER BY id" >"$W/f.truth"
    ntruth=$(wc -l <"$W/f.truth")
    ids() { grep '"table":"seqt"' "$W/f.out" | grep '"op":"c"' | sed 's/.*"after":{"id":\([0-9]*\),.*/\1/'; }
    got_all() { [ "$(ids | wc -l)" -ge "$ntruth" ]; }
    waitfor 30 got_all
    sleep 1
    kill "$fp"
    wait "$fp"
    ids >"$W/f.ids"
    check "f: the writer committed something while the server was killed ($ntruth rows)" [ "$ntruth" -ge 20 ]
    check "f: the reader reconnected after each kill ($(grep_count reconnected "$W/f.err"))" \
        [ "$(grep_count reconnected "$W/f.err")" -ge 3 ]
    check "f: every committed transaction exactly once, in order ($(wc -l <"$W/f.ids") vs $ntruth)" \
        cmp -s "$W/f.ids" "$W/f.truth"
    missing=$(sort -n "$W/committed" | comm -23 - "$W/f.truth" 2>/dev/null | head -3)
    check "f: what the writer saw committed is in the table ($missing)" [ -z "$missing" ]
    # three inserts and an UPDATE of three key columns per transaction; a
    # key-changing UPDATE may come as an update or as a delete and a create
    # (docs/format.md), so each new row is counted by its image, and the
    # deletes, if any, are one per updated row
    npay=$(grep -c '"table":"pay","before":null,"after":{"id":[0-9]*,"k":[123]}' "$W/f.out")
    nupd=$(grep -c '"table":"pay",.*"after":{"id":[0-9]*,"k":1[123]}' "$W/f.out")
    ndel=$(grep '"table":"pay"' "$W/f.out" | grep -c '"op":"d"')
    pay_once() {
        [ "$npay" -eq $((ntruth * 3)) ] && [ "$nupd" -eq $((ntruth * 3)) ] &&
            { [ "$ndel" -eq 0 ] || [ "$ndel" -eq $((ntruth * 3)) ]; }
    }
    check "f: each transaction's other rows exactly once ($npay, $nupd, $ndel deletes vs $((ntruth * 3)))" \
        pay_once
    if ! cmp -s "$W/f.ids" "$W/f.truth"; then
        diff "$W/f.ids" "$W/f.truth" | head -5
        tail -5 "$W/f.err"
    fi
fi

finish
