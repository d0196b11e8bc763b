#!/bin/sh
# The message must not depend on the server's binlog_row_metadata: three
# MariaDB servers, FULL (127.0.0.1:$SCHEMA_PORT, default 13580), MINIMAL
# (+1) and NO_LOG (+2, MariaDB's default), run the same workload (every
# column type, charsets, ENUM/SET with awkward members, a composite key
# declared in another order than the columns, a key-changing UPDATE, a
# table without a key, a unique key standing in for a missing PRIMARY KEY,
# system-versioned and long-unique tables with their hidden columns,
# NULLs), and `binlogd dump --host` of each must print the same lines byte
# for byte once the "source" block is taken off; `dump --events` must show
# the same primary key, in key order, for every table.  Without FULL the
# names, signedness, charsets, keys and members come from
# information_schema.
#
# On the NO_LOG server also: a table changed since the binlog position
# stops the reader instead of misplacing values; following across a
# RENAME; the control connection killed under a follower, and the server
# itself killed (kill -9) and restarted twice under it: every committed row
# exactly once, in order, and the follower still running.
# Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
B=${BINLOGD:-build/binlogd}
DIR=build/integ/schema
PORT=${SCHEMA_PORT:-13580}
MSH=deploy/dev/mariadb.sh
. tests/lib.sh
FP=""
cleanup() {
    [ -n "$FP" ] && kill "$FP" 2>/dev/null
    for m in FULL MINIMAL NO_LOG; do sh $MSH stop "$DIR/$m" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
port_of() { case $1 in FULL) echo "$PORT" ;; MINIMAL) echo $((PORT + 1)) ;; NO_LOG) echo $((PORT + 2)) ;; esac; }
start() { sh $MSH start "$DIR/$1" "$(port_of "$1")" --binlog_row_metadata="$1" >>"$DIR/$1.log" 2>&1; }
rm -rf "$DIR"
mkdir -p "$DIR"
for m in FULL MINIMAL NO_LOG; do
    if ! start $m; then
        cat "$DIR/$m.log"
        echo "0 passed, 1 failed"
        exit 1
    fi
done
export BINLOGD_PASSWORD=replpw
sqlm() { # META ARGS...: the client as root on that server
    _m=$1
    shift
    sh $MSH sql "$DIR/$_m" -N -B binlogd "$@"
}
dumpm() { # META ARGS...
    _m=$1
    shift
    "$B" dump --host 127.0.0.1 --port "$(port_of "$_m")" --user repl --server-id 4321 "$@"
}
# the message without its "source" block (the one object that differs:
# the servers' positions).  sed, not jq: jq 1.6 rounds integers past 2^53,
# which would hide a wrong BIGINT UNSIGNED.
nosource() { sed 's/,"source":{[^}]*}}$/}/' "$1"; }

# ---- the same workload on FULL, MINIMAL and NO_LOG -------------------------
cat >"$DIR/workload.sql" <<'EOF'
SET timestamp = 1700000000.123456;
CREATE TABLE ints (id INT NOT NULL PRIMARY KEY,
  ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, su SMALLINT UNSIGNED, mi MEDIUMINT,
  mu MEDIUMINT UNSIGNED, ii INT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED);
INSERT INTO ints VALUES
  (1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295,
   -9223372036854775808, 18446744073709551615),
  (2, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 0);
UPDATE ints SET tu = 200, bu = 18446744073709551614 WHERE id = 1;
CREATE TABLE nums (id INT PRIMARY KEY, d DECIMAL(20,4), du DECIMAL(10,2) UNSIGNED, f FLOAT,
  db DOUBLE, fu FLOAT UNSIGNED);
INSERT INTO nums VALUES (1, -1234567890123456.7891, 12345678.90, 0.1, 1e300, 3.5),
  (2, 0, 0, -0, -1.5e-300, 0);
CREATE TABLE temporal (id INT PRIMARY KEY, d DATE, t TIME(3), dt DATETIME(6),
  ts TIMESTAMP(2) NULL, y YEAR, t0 TIME, dt0 DATETIME, z DATE);
INSERT INTO temporal VALUES (1, '2024-02-29', '-838:59:59.000', '2024-01-02 03:04:05.123456',
  '2024-01-02 03:04:05.12', 2024, '12:00:00', '1000-01-01 00:00:00', NULL);
CREATE TABLE texts (id INT PRIMARY KEY,
  c CHAR(5) CHARACTER SET utf8mb4, v VARCHAR(300) CHARACTER SET utf8mb4,
  tx TEXT CHARACTER SET utf8mb4, cg CHAR(4) CHARACTER SET gbk, vg VARCHAR(20) CHARACTER SET gbk,
  tg TEXT CHARACTER SET gbk, cl CHAR(4) CHARACTER SET latin1, vl VARCHAR(20) CHARACTER SET latin1,
  tl TEXT CHARACTER SET latin1);
INSERT INTO texts VALUES (1, 'ab', '分账 "q" \\ x', 'long 文本', '分账', '对方', '商户',
  'café', 'naïve', 'Ærø');
CREATE TABLE uca (id INT PRIMARY KEY, a VARCHAR(5) COLLATE utf8mb4_uca1400_ai_ci,
  c VARCHAR(5) CHARACTER SET ucs2 COLLATE ucs2_uca1400_ai_ci, u16 VARCHAR(5) CHARACTER SET utf16,
  e16 ENUM('ä','ö') CHARACTER SET utf16, eu ENUM('ä','ö') COLLATE utf8mb4_uca1400_ai_ci);
INSERT INTO uca VALUES (1, 'Ωé', 'é', 'ß€', 'ö', 'ä');
CREATE TABLE bins (id INT PRIMARY KEY, b BINARY(4), vb VARBINARY(10), bl BLOB, tb TINYBLOB);
INSERT INTO bins VALUES (1, x'0102', x'00ff00', x'deadbeef', '');
CREATE TABLE enums (id INT PRIMARY KEY,
  e ENUM('new','settled','it''s','a\\b','分账','with space','','l\nf','t\tb','z\Zz'),
  s SET('a','b','c','d'),
  eg ENUM('甲','乙','丙') CHARACTER SET gbk,
  sg SET('甲','乙','丙') CHARACTER SET gbk,
  el ENUM('café','naïve') CHARACTER SET latin1,
  eb ENUM('x','y') CHARACTER SET binary,
  sb SET('x','yz') CHARACTER SET binary,
  big SET('m1','m2','m3','m4','m5','m6','m7','m8','m9','m10'));
INSERT INTO enums VALUES (1, 'settled', 'a,b,c,d', '乙', '甲,丙', 'naïve', 'y', 'x,yz', 'm1,m9,m10'),
  (2, 'it''s', '', '丙', '', 'café', 'x', '', ''),
  (3, 'a\\b', 'b', '甲', '乙', 'café', 'x', 'yz', 'm2'),
  (4, '分账', 'd', '甲', '甲', 'café', 'x', 'x', 'm10'),
  (5, 'with space', 'a', '甲', '甲', 'café', 'x', 'x', 'm1'),
  (6, 'l\nf', 'a', '甲', '甲', 'café', 'x', 'x', 'm1'),
  (7, 't\tb', 'a', '甲', '甲', 'café', 'x', 'x', 'm1'),
  (8, 'z\Zz', 'a', '甲', '甲', 'café', 'x', 'x', 'm1');
UPDATE enums SET e = 'new', sg = '乙' WHERE id = 1;
CREATE TABLE bits (id INT PRIMARY KEY, b1 BIT(1), b64 BIT(64), b10 BIT(10));
INSERT INTO bits VALUES (1, b'1', b'1111111111111111111111111111111111111111111111111111111111111111',
  b'1010101010');
CREATE TABLE js (id INT PRIMARY KEY, j JSON);
INSERT INTO js VALUES (1, '{"a": [1, 2, "x"]}');
CREATE TABLE geo (id INT PRIMARY KEY, g GEOMETRY, p POINT);
INSERT INTO geo VALUES (1, ST_GeomFromText('LINESTRING(0 0, 1 1)'), ST_GeomFromText('POINT(1 2)'));
CREATE TABLE addr (id INT PRIMARY KEY, i4 INET4, i6 INET6, u UUID);
INSERT INTO addr VALUES (1, '10.0.0.1', '2001:db8::1', '123e4567-e89b-12d3-a456-426614174000');
CREATE TABLE inv (id INT PRIMARY KEY, a INT, h INT INVISIBLE DEFAULT 7);
INSERT INTO inv (id, a, h) VALUES (1, 2, 3);
CREATE TABLE cpk (id INT, name VARCHAR(10), k2 VARCHAR(10), v INT, PRIMARY KEY (k2, id));
INSERT INTO cpk VALUES (1, 'a', 'x', 10), (2, 'b', 'y', 20);
UPDATE cpk SET v = 11 WHERE id = 1;
UPDATE cpk SET k2 = 'z' WHERE id = 2;
DELETE FROM cpk WHERE id = 1;
CREATE TABLE nopk (a INT, b VARCHAR(10));
INSERT INTO nopk VALUES (1, 'x'), (NULL, NULL);
UPDATE nopk SET b = 'y' WHERE a = 1;
DELETE FROM nopk WHERE a IS NULL;
CREATE TABLE uq (a INT NOT NULL, b INT NOT NULL, c INT, d VARCHAR(20) NOT NULL,
  UNIQUE KEY uc (c), UNIQUE KEY upfx (d(3)), UNIQUE KEY ub (b), UNIQUE KEY ua (a));
INSERT INTO uq VALUES (1, 2, 3, 'x');
CREATE TABLE pfx (name VARCHAR(40), v INT, PRIMARY KEY (name(5)));
INSERT INTO pfx VALUES ('abcdefgh', 1);
CREATE TABLE vers (id INT PRIMARY KEY, v INT, t TEXT, UNIQUE (t)) WITH SYSTEM VERSIONING;
INSERT INTO vers VALUES (1, 1, 'one');
SET timestamp = 1700000001.5;
UPDATE vers SET v = 2;
CREATE TABLE vuq (a INT NOT NULL, b INT, UNIQUE KEY (a)) WITH SYSTEM VERSIONING;
INSERT INTO vuq VALUES (1, 2);
CREATE TABLE nulls (id INT PRIMARY KEY, a INT, b VARCHAR(5), e ENUM('p','q'), s SET('p','q'),
  bt BIT(3));
INSERT INTO nulls VALUES (1, NULL, NULL, NULL, NULL, NULL);
EOF
for m in FULL MINIMAL NO_LOG; do
    sqlm $m -e "FLUSH BINARY LOGS"
    eval "FIRST_$m=\$(sqlm $m -e 'SHOW BINARY LOGS' | tail -1 | cut -f1)"
    sqlm $m <"$DIR/workload.sql" || bad "$m: the workload failed"
done
for m in FULL MINIMAL NO_LOG; do
    eval "first=\$FIRST_$m"
    dumpm $m --from "$first:4" >"$DIR/$m.out" 2>"$DIR/$m.err"
    rc=$?
    check "$m: dump exit 0 (exit $rc: $(grep -v warning: "$DIR/$m.err" | head -c 300))" [ $rc -eq 0 ]
    nosource "$DIR/$m.out" >"$DIR/$m.msg"
    dumpm $m --from "$first:4" --events 2>/dev/null |
        jq -c 'select(.event == "TABLE_MAP") | [.table, .primary_key]' | sort -u >"$DIR/$m.pk"
done
n=$(wc -l <"$DIR/FULL.msg")
# 39 row changes, one more where a key-changing UPDATE is a delete and a create
check "FULL: all row changes printed ($n)" [ "$n" -ge 39 ]
for m in MINIMAL NO_LOG; do
    if cmp -s "$DIR/FULL.msg" "$DIR/$m.msg"; then
        ok
    else
        bad "$m: messages differ from FULL's: $(diff "$DIR/FULL.msg" "$DIR/$m.msg" | head -6)"
    fi
    check "$m: the same primary key per table as FULL ($(diff "$DIR/FULL.pk" "$DIR/$m.pk" | head -4))" \
        cmp -s "$DIR/FULL.pk" "$DIR/$m.pk"
    check "$m: no positional or signedness_unknown flag" \
        sh -c "! grep -q -e '\"positional\"' -e '\"signedness_unknown\"' '$DIR/$m.out'"
done
# what the key and the values must be, whatever the metadata
for pk in '["cpk",[2,0]]' '["nopk",null]' '["uq",[1]]' '["vers",[0,4]]' '["vuq",[0,3]]' '["pfx",[0]]'; do
    check "NO_LOG: key order $pk in dump --events" grep -qxF "$pk" "$DIR/NO_LOG.pk"
done
bad_enums=$(jq -r 'select(.table == "enums") | (.before, .after) | select(. != null) |
    [.e, .s, .eg, .sg, .el, .eb, .sb, .big] | map(type) | select(any(. != "string")) | @text' \
    "$DIR/NO_LOG.out" | head -3)
check "NO_LOG: ENUM and SET values are strings ($bad_enums)" [ -z "$bad_enums" ]
inmsg() { grep -qF -- "$1" "$DIR/NO_LOG.msg"; }
check "NO_LOG: ENUM/SET members in GBK, latin1, binary" \
    inmsg '"after":{"id":1,"e":"settled","s":"a,b,c,d","eg":"乙","sg":"甲,丙","el":"naïve","eb":"eQ==","sb":"eCx5eg==","big":"m1,m9,m10"}'
check "NO_LOG: an ENUM member with a quote" inmsg '"e":"it'"'"'s"'
check "NO_LOG: ... a backslash" inmsg '"e":"a\\b"'
check "NO_LOG: ... LF" inmsg '"e":"l\nf"'
check "NO_LOG: ... TAB" inmsg '"e":"t\tb"'
check "NO_LOG: ... 0x1A" inmsg '"e":"z\u001az"'
check "NO_LOG: MariaDB's UCA 14 collations, UCS2 and UTF-16 text and members" \
    inmsg '"after":{"id":1,"a":"Ωé","c":"é","u16":"ß€","e16":"ö","eu":"ä"}'
check "NO_LOG: integers at their limits, BIGINT UNSIGNED exact" \
    inmsg '"bi":-9223372036854775808,"bu":18446744073709551615}'
check "NO_LOG: a key-changing UPDATE: the old row" inmsg '"before":{"id":2,"name":"b","k2":"y","v":20}'
check "NO_LOG: ... and the new one" inmsg '"after":{"id":2,"name":"b","k2":"z","v":20}'
check "NO_LOG: hidden columns of a versioned table with a long unique key" \
    inmsg '"row_end":"2038-01-19 03:14:07.999999","DB_ROW_HASH_1":'

# The file alone has no names: positional, as documented.
FILE=$(ls "$DIR/NO_LOG/db/$FIRST_NO_LOG")
"$B" dump "$FILE" | grep -q '"positional":true' && ok || bad "file decode should be positional"
"$B" dump "$FILE" | grep '"table":"enums"' | grep -q '"@2":2,' && ok ||
    bad "file decode: ENUM without members should stay a number"

# information_schema shows a member beyond the BMP as '?' (it builds
# COLUMN_TYPE in utf8mb3): such members are not used, the value stays its
# index rather than come out as a wrong string.
HP=$(sqlm NO_LOG -e "SHOW MASTER STATUS" | awk '{ print $1 ":" $2 }')
sqlm NO_LOG -e "CREATE TABLE emo (id INT PRIMARY KEY, e ENUM('😀','x'), g ENUM('甲','?') CHARACTER SET gbk);
                INSERT INTO emo VALUES (1, '😀', '?')"
check "NO_LOG: an ENUM with a member information_schema cannot show stays a number" \
    sh -c "$B dump --host 127.0.0.1 --port $(port_of NO_LOG) --user repl --server-id 4321 --from $HP 2>/dev/null |
           grep -qF '\"after\":{\"id\":1,\"e\":1,\"g\":\"?\"}'"

# ---- NO_LOG: a table changed since the binlog position ---------------------
DUMP="$B dump --host 127.0.0.1 --port $(port_of NO_LOG) --user repl --server-id 4321"
SQL() { sqlm NO_LOG "$@"; }
SQL -e "FLUSH BINARY LOGS"
FIRST=$(SQL -e "SHOW BINARY LOGS" | tail -1 | cut -f1)
SQL -e "
CREATE TABLE acct (id BIGINT UNSIGNED PRIMARY KEY, delta INT, memo VARCHAR(32) CHARACTER SET utf8mb4,
                   legacy VARCHAR(32) CHARACTER SET latin1, raw VARBINARY(8));
INSERT INTO acct VALUES (18446744073709551615, -5, '分账', _latin1 x'636166e9', x'00ff');
UPDATE acct SET delta = 7 WHERE id = 18446744073709551615;"
OUT=$($DUMP --from "$FIRST:4" 2>&1)
rc=$?
[ $rc -eq 0 ] && ok || bad "dump exit $rc: $OUT"
echo "$OUT" | grep -q '"after":{"id":18446744073709551615,"delta":-5,"memo":"分账","legacy":"café","raw":"AP8="}' &&
    ok || bad "insert not decoded with names, unsigned, charsets: $(echo "$OUT" | head -1)"
echo "$OUT" | grep -q '"op":"u".*"after":{"id":18446744073709551615,"delta":7' && ok ||
    bad "update not decoded: $OUT"

# A column added since: reading the old events now must stop, not misplace.
SQL -e "ALTER TABLE acct ADD COLUMN extra INT FIRST"
OUT=$($DUMP --from "$FIRST:4" 2>&1)
rc=$?
[ $rc -ne 0 ] && ok || bad "old events after ALTER decoded anyway (exit 0)"
echo "$OUT" | grep -q '`acct` at .*a DDL not read yet (.*"ALTER TABLE acct ADD COLUMN extra' && ok ||
    bad "no clear message: $OUT"

# New events after the ALTER decode with the new columns.
SQL -e "INSERT INTO acct (id, delta, memo, legacy, raw) VALUES (1, 2, 'x', 'y', x'01')"
OUT=$($DUMP --from-head 2>&1)
rc=$?
[ $rc -eq 0 ] && ok || bad "from-head after ALTER: exit $rc: $OUT"

# Following across a DDL that keeps the map's bytes (a renamed column): the
# rows after it carry the new name.
$DUMP --from-head --follow --heartbeat 0.5 >"$DIR/follow" 2>"$DIR/follow.err" &
FP=$!
sleep 1
SQL -e "INSERT INTO acct (id, delta, memo, legacy, raw) VALUES (10, 1, 'a', 'b', x'02')"
SQL -e "ALTER TABLE acct RENAME COLUMN memo TO note"
SQL -e "INSERT INTO acct (id, delta, note, legacy, raw) VALUES (11, 1, 'a', 'b', x'03')"
sleep 2
kill "$FP" 2>/dev/null
wait "$FP" 2>/dev/null
FP=""
grep -q '"id":10,"delta":1,"memo":"a"' "$DIR/follow" && ok || bad "row before RENAME: $(cat "$DIR/follow" "$DIR/follow.err")"
grep -q '"id":11,"delta":1,"note":"a"' "$DIR/follow" && ok || bad "row after RENAME lacks the new name: $(cat "$DIR/follow")"

# ---- NO_LOG: the control connection and the server die under a follower ----
# Each new binlog file (and a new table) needs information_schema again:
# after a restart through a fresh control connection, and a query on a
# dead one is a lost connection (reconnect, resume), never the end.
SQL -e "CREATE TABLE f (id INT PRIMARY KEY, e ENUM('a','b'), k2 INT, UNIQUE KEY (k2))"
HP=$(SQL -e "SHOW MASTER STATUS" | awk '{ print $1 ":" $2 }')
$DUMP --from "$HP" --follow --heartbeat 0.5 --read-timeout 2 --connect-timeout 2 \
    >"$DIR/restart.out" 2>"$DIR/restart.err" &
FP=$!
ins() { # FROM TO: one committed transaction per row
    i=$1
    while [ "$i" -le "$2" ]; do
        SQL -e "INSERT INTO f VALUES ($i, 'b', $i)" || bad "insert $i failed"
        i=$((i + 1))
    done
}
got() { grep -c '"table":"f"' "$DIR/restart.out" 2>/dev/null | grep -qx "$1"; }
ins 1 5
waitfor 20 got 5 || bad "rows 1-5 never arrived: $(tail -3 "$DIR/restart.err")"
# the control connection killed behind the reader's back (as a restart
# would): the next table needing a schema finds it dead
for id in $(SQL -e "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'repl' AND COMMAND <> 'Binlog Dump'"); do
    SQL -e "KILL CONNECTION $id"
done
SQL -e "CREATE TABLE f2 (id INT PRIMARY KEY); INSERT INTO f2 VALUES (1)"
ins 6 7
waitfor 30 got 7 || bad "rows 6-7 never arrived after the control connection died: $(tail -3 "$DIR/restart.err")"
check "NO_LOG: the table after the dead control connection ($(grep -c '"table":"f2"' "$DIR/restart.out"))" \
    [ "$(grep -c '"table":"f2"' "$DIR/restart.out")" -eq 1 ]
check "NO_LOG: ... was a reconnect, not the end ($(grep -c retrying "$DIR/restart.err"))" \
    grep -q "schema of .binlogd.\..f2.*retrying" "$DIR/restart.err"
for k in 1 2; do
    kill -9 "$(cat "$DIR/NO_LOG/mysqld.pid")"
    sleep 0.5
    start NO_LOG || bad "restart $k of NO_LOG failed: $(tail -5 "$DIR/NO_LOG.log")"
    ins $((k * 5 + 3)) $((k * 5 + 7))
    waitfor 60 got $((k * 5 + 7)) || bad "rows after restart $k never arrived: $(tail -3 "$DIR/restart.err")"
done
ins 18 20
waitfor 30 got 20 || bad "rows 18-20 never arrived: $(tail -3 "$DIR/restart.err")"
sleep 1
check "NO_LOG: the follower is still running after two kill -9 ($(tail -2 "$DIR/restart.err"))" \
    kill -0 "$FP"
kill "$FP" 2>/dev/null
wait "$FP" 2>/dev/null
FP=""
grep '"table":"f"' "$DIR/restart.out" | sed 's/.*"after":{"id":\([0-9]*\),.*/\1/' >"$DIR/restart.ids"
seq 1 20 >"$DIR/restart.want"
check "NO_LOG: every committed row exactly once, in order ($(tr '\n' ' ' <"$DIR/restart.ids"))" \
    cmp -s "$DIR/restart.ids" "$DIR/restart.want"
check "NO_LOG: ... with names and ENUM strings after each restart" \
    [ "$(grep -c '"after":{"id":[0-9]*,"e":"b","k2":' "$DIR/restart.out")" -eq 20 ]
check "NO_LOG: ... reconnected after each kill ($(grep -c reconnected "$DIR/restart.err"))" \
    [ "$(grep -c reconnected "$DIR/restart.err")" -ge 3 ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
