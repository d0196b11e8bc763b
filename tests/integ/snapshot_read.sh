#!/bin/sh
# lib/source/snapshot_read.c (a snapshot's SQL side) against a real MariaDB
# with binlog_row_metadata=FULL, started in $SNAPREAD_DIR (default
# /tmp/binlogd-snapshot-read.PID) on 127.0.0.1:$SNAPREAD_PORT (14731) and
# stopped on exit.  build/tests/integ_snapshot_read does the reading.
#
#   - every column type (signed and unsigned integers of every size, BIT(1)
#     to BIT(64), YEAR, FLOAT, DOUBLE, DECIMAL up to (65,30) with negatives,
#     DATE, TIME(0..6) negative and beyond 24 h, DATETIME(0..6) with zero
#     dates, TIMESTAMP, text in utf8mb4, latin1, gbk, utf16, utf8mb3, ascii
#     and a UCA 14 collation, BINARY/VARBINARY/BLOBs with 0x00 bytes and
#     values far longer than a fetch buffer, ENUM and SET in several
#     charsets and binary, JSON, GEOMETRY, INET4/INET6/UUID, invisible and
#     generated columns, NULLs): for every row, the "after" object the
#     reader's values encode to (bd_encode_row) is byte for byte the one
#     `binlogd dump` prints for the row's insert
#   - keys of every kind (composite with a case-insensitive collation,
#     three columns with DATETIME(6), text with quotes, backslashes, NUL and
#     emoji, latin1 text, VARBINARY and BINARY with 0x00/0x27/0x5c bytes,
#     zero dates and negative TIMEs, DECIMAL, FLOAT/DOUBLE, UUID, INET6 and
#     INET4, BIT/YEAR/BIGINT UNSIGNED/TIMESTAMP(6), odd identifiers, a
#     unique key standing in for the primary key, a prefix primary key, a
#     versioned table with named period columns): chunks of 1, 2 and 3 rows
#     visit every row exactly once, in the server's ORDER BY order
#   - a table without a key, with only a nullable unique key, keyed by an
#     ENUM or a SET, with a long unique key, versioned without named period
#     columns, missing: refused, naming what to do; [keys] columns: used,
#     or refused when nullable, unknown or given twice
#   - after, upto, both, a where condition, the greatest key (with and
#     without where), a malformed cursor refused
#   - a DDL after the shape was loaded: refused as BD_ERR_SCHEMA
#   - the signal table: created, kept, a missing database named with its
#     CREATE DATABASE, a table of the wrong shape refused, another layout
#     without the column at accepted; watermarks inserted and deleted (in
#     the binlog as op c and d), and an account without the grants told
#     which GRANT it needs
#   - listing tables by patterns (no system schemas, byte order)
# Ends with "N passed, N failed".
#
# Environment: BUILD (build), SNAPREAD_PORT (14731), SNAPREAD_DIR,
# SNAPREAD_KEEP=1 keeps the directory.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh

BUILD=${BUILD:-build}
B=${BINLOGD:-$BUILD/binlogd}
X=${SNAPREAD_PROG:-$BUILD/tests/integ_snapshot_read}
XA=$BUILD/asan/tests/integ_snapshot_read
PORT=${SNAPREAD_PORT:-14731}
DIR=${SNAPREAD_DIR:-/tmp/binlogd-snapshot-read.$$}
MSH=deploy/dev/mariadb.sh

cleanup() {
    [ -f "$DIR/my.cnf" ] && sh $MSH stop "$DIR" >/dev/null 2>&1
    [ "${SNAPREAD_KEEP:-0}" = 1 ] || rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for f in "$B" "$X"; do
    if [ ! -x "$f" ]; then
        echo "FAIL: $f is missing (run make all unit)"
        echo "0 passed, 1 failed"
        exit 1
    fi
done
rm -rf "$DIR"
mkdir -p "$DIR"
if ! sh $MSH start "$DIR" "$PORT" --binlog_row_metadata=FULL >"$DIR/start.log" 2>&1; then
    cat "$DIR/start.log"
    echo "0 passed, 1 failed"
    exit 1
fi
sql() { sh $MSH sql "$DIR" -N -B binlogd "$@"; }
# contains TEXT PART / starts TEXT PREFIX
contains() { case $1 in *"$2"*) return 0 ;; esac; return 1; }
starts() { case $1 in "$2"*) return 0 ;; esac; return 1; }
rd() { "$X" --port "$PORT" "$@"; }
W=$DIR/work
mkdir -p "$W"

# ---- the workload: every type, then the key tables ------------------------
sql -e "FLUSH BINARY LOGS"
FIRST=$(sql -e "SHOW BINARY LOGS" | tail -1 | cut -f1)
cat >"$W/types.sql" <<'EOF'
SET SESSION sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';
SET time_zone = '+08:00';
SET timestamp = 1700000000.123456;
CREATE TABLE ints (id INT NOT NULL PRIMARY KEY,
  ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, su SMALLINT UNSIGNED, mi MEDIUMINT,
  mu MEDIUMINT UNSIGNED, ii INT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED, b1 BOOL,
  zf INT(5) ZEROFILL);
INSERT INTO ints VALUES
  (1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295,
   -9223372036854775808, 18446744073709551615, 1, 42),
  (2, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 0, 0, 0),
  (3, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, NULL, NULL),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE bits (id INT PRIMARY KEY, b1 BIT(1), b7 BIT(7), b8 BIT(8), b10 BIT(10), b63 BIT(63),
  b64 BIT(64));
INSERT INTO bits VALUES (1, b'1', b'1010101', b'11111111', b'1010101010',
  b'111111111111111111111111111111111111111111111111111111111111111',
  b'1111111111111111111111111111111111111111111111111111111111111111'),
  (2, b'0', 0, 0, 0, 0, 0), (3, NULL, NULL, NULL, NULL, NULL, 1);
CREATE TABLE nums (id INT PRIMARY KEY, y YEAR, f FLOAT, d DOUBLE, fu FLOAT UNSIGNED,
  d65 DECIMAL(65,30), d52 DECIMAL(5,2), d100 DECIMAL(10,0), d11 DECIMAL(1,1), du DECIMAL(10,2) UNSIGNED,
  d3010 DECIMAL(30,10));
INSERT INTO nums VALUES
  (1, 2024, 0.1, 0.1, 3.5, 12345678901234567890123456789012345.123456789012345678901234567890,
   -999.99, -1234567890, -0.9, 12345678.90, -0.0000000001),
  (2, 0, -0, -0, 0, -0.000000000000000000000000000001, 0, 0, 0, 0, 0),
  (3, 1901, 3.40282e38, 1e300, 1e-38, -99999999999999999999999999999999999.999999999999999999999999999999,
   -0.5, 1, 0.1, 0.01, 12345678901234567890.0123456789),
  (4, 2155, -1.17549e-38, -1.5e-300, 123456789, 0.5, 0.5, 9999999999, -0.1, 99999999.99, 1),
  (5, NULL, 1e-45, 2.2250738585072014e-308, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (6, 1999, 16777217, 9007199254740993, 0.000001, 1.5, 1.5, -0, 0.0, 1.00, -1.5);
CREATE TABLE temporal (id INT PRIMARY KEY, d DATE, t0 TIME, t1 TIME(1), t2 TIME(2), t3 TIME(3),
  t4 TIME(4), t5 TIME(5), t6 TIME(6), dt0 DATETIME, dt1 DATETIME(1), dt2 DATETIME(2),
  dt3 DATETIME(3), dt4 DATETIME(4), dt5 DATETIME(5), dt6 DATETIME(6), ts6 TIMESTAMP(6) NULL,
  ts0 TIMESTAMP NULL);
SET SESSION sql_mode = '';
INSERT INTO temporal VALUES
  (1, '2024-02-29', '-838:59:59', '-838:59:58.9', '123:45:06.78', '-00:00:00.001', '24:00:00.1234',
   '-01:02:03.12345', '838:59:59.999999', '1000-01-01 00:00:00', '9999-12-31 23:59:59.9',
   '2024-01-02 03:04:05.12', '2024-01-02 03:04:05.123', '2024-01-02 03:04:05.1234',
   '2024-01-02 03:04:05.12345', '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.123456',
   '1970-01-01 08:00:01'),
  (2, '0000-00-00', '00:00:00', '00:00:00.0', '-00:00:01.5', '00:00:00', '00:00:00', '00:00:00',
   '-00:00:00.000001', '0000-00-00 00:00:00', '0000-00-00 00:00:00.0', '2024-00-00 00:00:00',
   '2024-02-00 00:00:00', '0000-01-01 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000000',
   '0000-00-00 00:00:00', '0000-00-00 00:00:00'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   '2038-01-19 11:14:07.999999', '2038-01-19 11:14:07');
SET SESSION sql_mode = 'STRICT_TRANS_TABLES';
CREATE TABLE texts (id INT PRIMARY KEY,
  c CHAR(5) CHARACTER SET utf8mb4, v VARCHAR(300) CHARACTER SET utf8mb4,
  tx TEXT CHARACTER SET utf8mb4, lt LONGTEXT CHARACTER SET utf8mb4,
  cl CHAR(6) CHARACTER SET latin1, vl VARCHAR(20) CHARACTER SET latin1,
  tl TEXT CHARACTER SET latin1, cg CHAR(4) CHARACTER SET gbk, vg VARCHAR(20) CHARACTER SET gbk,
  u16 VARCHAR(8) CHARACTER SET utf16, uca VARCHAR(8) COLLATE utf8mb4_uca1400_ai_ci,
  m3 VARCHAR(8) CHARACTER SET utf8mb3, asc1 VARCHAR(8) CHARACTER SET ascii);
INSERT INTO texts VALUES
  (1, 'ab', '分账 "q" \\ x\n\ttab', 'long 文本 😀', REPEAT('xyz😀', 500), 'café', 'naïve€', 'Ærø ‰ Š',
   '分账', '对方', 'ß€😀', 'Ωé', 'ü', 'plain'),
  (2, '', '', '', '', '', '', '', '', '', '', '', '', ''),
  (3, 'a  ', 'trail  ', 'nul\0inside', CONCAT('ctl', CHAR(1), CHAR(31), CHAR(127)), 'x ', ' y', 'z',
   ' ', 'q', 'r', 's', 't', 'u'),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE bins (id INT PRIMARY KEY, b BINARY(4), b1 BINARY(1), vb VARBINARY(10), bl BLOB,
  tb TINYBLOB, lb LONGBLOB, mb MEDIUMBLOB);
INSERT INTO bins VALUES (1, x'0102', x'00', x'00ff00', x'deadbeef00', '', REPEAT(x'00ff', 70000), x'00'),
  (2, x'00000000', x'ff', '', x'00', x'00', '', ''),
  (3, x'01020304', NULL, NULL, NULL, NULL, NULL, NULL);
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
  (8, 'z\Zz', 'a', '甲', '甲', 'café', 'x', 'x', 'm1'),
  (9, '', NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE js (id INT PRIMARY KEY, j JSON, j2 JSON);
INSERT INTO js VALUES (1, '{"a": [1, 2, "x y"], "b": {"c": null}}', '[1.5e300, "\\u00e9", true]'),
  (2, NULL, '  "s"  ');
CREATE TABLE geo (id INT PRIMARY KEY, g GEOMETRY, p POINT, ls LINESTRING, pg POLYGON);
INSERT INTO geo VALUES (1, ST_GeomFromText('LINESTRING(0 0, 1 1)'), ST_GeomFromText('POINT(1 2)'),
  ST_GeomFromText('LINESTRING(0 0, 1 1, 2 2)', 4326),
  ST_GeomFromText('POLYGON((0 0, 1 0, 1 1, 0 0))')), (2, NULL, ST_GeomFromText('POINT(-1.5 1e300)'), NULL, NULL);
CREATE TABLE addr (id INT PRIMARY KEY, i4 INET4, i6 INET6, u UUID);
INSERT INTO addr VALUES (1, '10.0.0.1', '2001:db8::1', '123e4567-e89b-12d3-a456-426614174000'),
  (2, '255.255.255.255', '::ffff:1.2.3.4', '00000000-0000-4000-8000-000000000001'), (3, NULL, NULL, NULL);
CREATE TABLE inv (id INT PRIMARY KEY, a INT, h INT INVISIBLE DEFAULT 7, g INT AS (a * 2) VIRTUAL,
  gs INT AS (a + 1) STORED);
INSERT INTO inv (id, a, h) VALUES (1, 2, 3), (2, NULL, 9);
EOF
cat >"$W/keys.sql" <<'EOF'
SET SESSION sql_mode = '';
SET time_zone = '+00:00';
CREATE TABLE ck (a INT NOT NULL, b VARCHAR(10) COLLATE utf8mb4_general_ci NOT NULL, v INT,
  PRIMARY KEY (a, b));
INSERT INTO ck VALUES (1,'c',1),(1,'a',2),(2,'a',3),(1,'B',4),(0,'z',5),(1,'aa',6);
CREATE TABLE k3 (x INT NOT NULL, y VARCHAR(8) NOT NULL, z DATETIME(6) NOT NULL, v INT,
  PRIMARY KEY (x, y, z));
INSERT INTO k3 VALUES (1,'a','2024-01-01 00:00:00.5',1),(1,'a','2024-01-01 00:00:00.25',2),
  (1,'b','0000-00-00 00:00:00',3),(0,'b','2024-01-01',4),(1,'a','1999-12-31 23:59:59.999999',5),
  (2,'','2000-01-01',6);
CREATE TABLE kstr (k VARCHAR(20) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY, v INT);
INSERT INTO kstr VALUES ('it''s',1),('a\\b',2),('nul\0x',3),('"q"',4),('😀',5),('Z',6),('é',7),
  ('',8),(CONCAT('ctl', CHAR(26)),9),('l\nf',10),('r\rx',11),('\\',12),('''',13);
CREATE TABLE klat (k VARCHAR(10) CHARACTER SET latin1 NOT NULL PRIMARY KEY);
INSERT INTO klat VALUES ('café'),('Ærø'),('€uro'),('x''y'),('cafz');
CREATE TABLE kbin (k VARBINARY(8) NOT NULL PRIMARY KEY);
INSERT INTO kbin VALUES (x'00'),(x'0000'),(x'ff'),(''),(x'27'),(x'5c'),(x'2700');
CREATE TABLE kbinf (k BINARY(3) NOT NULL PRIMARY KEY);
INSERT INTO kbinf VALUES (x'00'),(x'0001'),(x'ffffff'),(x'27');
CREATE TABLE ktime (d DATE NOT NULL, t TIME(3) NOT NULL, PRIMARY KEY (d, t));
INSERT INTO ktime VALUES ('0000-00-00','-838:59:59.000'),('0000-00-00','00:00:00'),
  ('0000-00-00','-00:00:00.001'),('2024-02-29','123:00:00.5'),('2024-02-29','-1:00:00');
CREATE TABLE kdec (k DECIMAL(10,3) NOT NULL PRIMARY KEY);
INSERT INTO kdec VALUES (-1.5),(-0.001),(0),(0.001),(1234567.891),(-9999999.999);
CREATE TABLE kflt (f FLOAT NOT NULL, d DOUBLE NOT NULL, PRIMARY KEY (f, d));
INSERT INTO kflt VALUES (0.1,0.1),(0.1,0.2),(-0.1,1e300),(1e-45,-1e-300),(3.4e38,0),(16777217,9007199254740993),
  (0,-0.5);
CREATE TABLE kuuid (u UUID NOT NULL PRIMARY KEY, v INT);
INSERT INTO kuuid VALUES ('123e4567-e89b-12d3-a456-426614174000',1),
  ('00000000-0000-4000-8000-000000000001',2),('ffffffff-ffff-1fff-8fff-ffffffffffff',3),
  ('00000000-0000-1000-8000-000000000002',4),('a0000000-0000-7000-8000-000000000000',5);
CREATE TABLE kinet (i6 INET6 NOT NULL, i4 INET4 NOT NULL, PRIMARY KEY (i6, i4));
INSERT INTO kinet VALUES ('::1','1.2.3.4'),('::1','0.0.0.0'),('2001:db8::1','255.255.255.255'),('::','9.9.9.9');
CREATE TABLE kmisc (b BIT(8) NOT NULL, y YEAR NOT NULL, u BIGINT UNSIGNED NOT NULL,
  ts TIMESTAMP(6) NOT NULL DEFAULT '2000-01-01', PRIMARY KEY (b, y, u, ts));
INSERT INTO kmisc VALUES (b'11111111',2024,18446744073709551615,'2024-01-01 00:00:00.1'),
  (0,0,0,'1970-01-01 00:00:01'),(1,1901,9223372036854775808,'2038-01-19 03:14:07.999999'),
  (1,1901,9223372036854775808,'2001-01-01');
CREATE TABLE `odd``name` (`we``ird col` INT NOT NULL PRIMARY KEY, `sp ace` INT);
INSERT INTO `odd``name` VALUES (1,2),(3,4);
CREATE TABLE uq (a INT NOT NULL, b VARCHAR(10) NOT NULL, c INT, n INT, UNIQUE KEY un (n),
  UNIQUE KEY ub (b, a));
INSERT INTO uq VALUES (1,'x',1,NULL),(2,'x',2,NULL),(1,'w',3,5);
CREATE TABLE nokey (a INT NOT NULL, b VARCHAR(5), c INT);
INSERT INTO nokey VALUES (2,'x',1),(1,NULL,2),(3,'z',3);
CREATE TABLE nulluq (a INT, b INT, UNIQUE KEY (a));
CREATE TABLE enumkey (e ENUM('z','a') NOT NULL PRIMARY KEY);
INSERT INTO enumkey VALUES ('z'),('a');
CREATE TABLE setkey (id INT NOT NULL, s SET('x','y') NOT NULL, PRIMARY KEY (id, s));
CREATE TABLE longuq (id INT PRIMARY KEY, t TEXT, UNIQUE (t));
CREATE TABLE vers (id INT PRIMARY KEY, v INT) WITH SYSTEM VERSIONING;
CREATE TABLE versnamed (id INT PRIMARY KEY, v INT,
  rs TIMESTAMP(6) GENERATED ALWAYS AS ROW START, re TIMESTAMP(6) GENERATED ALWAYS AS ROW END,
  PERIOD FOR SYSTEM_TIME (rs, re)) WITH SYSTEM VERSIONING;
INSERT INTO versnamed (id, v) VALUES (1, 1), (2, 2);
CREATE TABLE pfx (name VARCHAR(40) NOT NULL, v INT, PRIMARY KEY (name(5)));
INSERT INTO pfx VALUES ('abcdefgh', 1), ('abcdx', 2), ('b', 3);
CREATE TABLE empty (id INT PRIMARY KEY);
EOF
check "the workload runs" sql -e "source $W/types.sql"
check "the key tables' workload runs" sql -e "source $W/keys.sql"
"$B" dump --host 127.0.0.1 --port "$PORT" --user root --from "$FIRST:4" >"$W/dump.out" 2>"$W/dump.err"
rc=$?
check "dump exit 0 (exit $rc: $(head -c 300 "$W/dump.err"))" [ $rc -eq 0 ]

# ---- values: the reader's rows encode as the binlog's ----------------------
# the "after" object of each insert of table $1 in the dump, in binlog order
binlog_after() {
    sed -n "s/^{\"op\":\"c\",\"db\":\"binlogd\",\"table\":\"$1\",\"before\":null,\"after\":\(.*\),\"source\":{\"flavor\":.*\$/\1/p" "$W/dump.out"
}
VALUE_TABLES="ints bits nums temporal texts bins enums js geo addr inv ck k3 kstr klat kbin kbinf
ktime kdec kflt kuuid kinet kmisc uq nokey pfx versnamed"
for t in $VALUE_TABLES; do
    binlog_after "$t" | sort >"$W/$t.bin"
    # sorted: the key order is not the insert order everywhere
    keys=
    [ "$t" = nokey ] && keys="--keycols a"
    # shellcheck disable=SC2086
    rd rows binlogd "$t" 1000 $keys 2>"$W/$t.err" | sort >"$W/$t.snap"
    n=$(wc -l <"$W/$t.bin")
    if [ "$n" -gt 0 ] && cmp -s "$W/$t.bin" "$W/$t.snap"; then
        ok
    else
        bad "$t: the reader's rows differ from the binlog's ($n rows): $(diff "$W/$t.bin" "$W/$t.snap" | head -4 | cut -c1-300)"
    fi
done
# the same under ASan+UBSan when that tree is built (make check builds it)
if [ -x "$XA" ]; then
    for t in texts bins js enums temporal nums kstr; do
        ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "$XA" --port "$PORT" rows \
            binlogd "$t" 2 >"$W/$t.asan.out" 2>"$W/$t.asan"
        rc=$?
        sort "$W/$t.asan.out" >"$W/$t.snapa"
        check "$t under ASan+UBSan: the same rows, exit 0 (exit $rc: $(grep -m1 -E 'ERROR|runtime error' "$W/$t.asan"))" \
            [ $rc -eq 0 -a -s "$W/$t.snapa" ]
        check "$t under ASan+UBSan: the same rows" cmp -s "$W/$t.bin" "$W/$t.snapa"
    done
fi
has '"lb":"AP8A/wD/' "$W/bins.snap" && ok || bad "a LONGBLOB longer than a fetch buffer"
has '"tx":"nul\\u0000inside"' "$W/texts.snap" && ok || bad "a NUL inside text"
has '"j":"{\\"a\\": \[1, 2, ' "$W/js.snap" && ok || bad "MariaDB's JSON stays text, as in the binlog"

# ---- keys: every row once, in key order, whatever the chunk size -----------
KEY_TABLES="ck k3 kstr klat kbin kbinf ktime kdec kflt kuuid kinet kmisc odd\`name uq pfx versnamed"
for t in $KEY_TABLES; do
    rd rows binlogd "$t" 1000 --keys >"$W/keys.all" 2>"$W/keys.err"
    n=$(sql -e "SELECT COUNT(*) FROM \`$(echo "$t" | sed 's/`/``/g')\`")
    u=$(sort -u "$W/keys.all" | wc -l)
    l=$(wc -l <"$W/keys.all")
    check "$t: one chunk reads all $n rows, each once ($l lines, $u distinct; $(head -c 200 "$W/keys.err"))" \
        [ "$l" -eq "$n" -a "$u" -eq "$n" -a "$n" -gt 0 ]
    for l in 1 2 3; do
        rd rows binlogd "$t" $l --keys >"$W/keys.$l" 2>"$W/keys.$l.err"
        c=$(sed -n 's/^chunks //p' "$W/keys.$l.err")
        check "$t: chunks of $l row(s) read the same rows in the same order ($c chunks; $(diff "$W/keys.all" "$W/keys.$l" | head -3 | tr '\n' ' '))" \
            cmp -s "$W/keys.all" "$W/keys.$l"
    done
done
rd rows binlogd ck 2 --keys >"$W/ck.keys" 2>/dev/null
printf '%s\n' '{"a":0,"b":"z"}' '{"a":1,"b":"a"}' '{"a":1,"b":"aa"}' '{"a":1,"b":"B"}' \
    '{"a":1,"b":"c"}' '{"a":2,"b":"a"}' >"$W/ck.want"
check "ck: composite key in collation order (a, aa, B, c)" cmp -s "$W/ck.want" "$W/ck.keys"
rd rows binlogd kuuid 1 --keys >"$W/kuuid.keys" 2>/dev/null
sql -e "SELECT TO_BASE64(CAST(u AS BINARY(16))) FROM kuuid ORDER BY u" | sed 's/.*/{"u":"&"}/' >"$W/kuuid.want"
check "kuuid: UUIDs in the server's order (its own, not the bytes')" cmp -s "$W/kuuid.want" "$W/kuuid.keys"

# ---- shapes: keys chosen, tables refused ------------------------------------
check "uq: the unique key over NOT NULL columns stands in ($(rd shape binlogd uq))" \
    [ "$(rd shape binlogd uq)" = "ub b,a" ]
check "ck: PRIMARY in key order" [ "$(rd shape binlogd ck)" = "PRIMARY a,b" ]
check "nokey with [keys] a" [ "$(rd shape binlogd nokey a)" = "[keys] a" ]
check "[keys] ignored when the table has a primary key" [ "$(rd shape binlogd ck v)" = "PRIMARY a,b" ]
refused() { # WHAT PATTERN ARGS...: shape refused with BD_ERR_SCHEMA (5), message matching PATTERN
    _what=$1 _pat=$2
    shift 2
    _out=$(rd shape binlogd "$@")
    _rc=$?
    if [ $_rc -eq 1 ] && echo "$_out" | grep -q '^error 5/' && echo "$_out" | grep -q -- "$_pat"; then
        ok
    else
        bad "$_what: exit $_rc: $_out"
    fi
}
refused "a table without a key" "give it a primary key" nokey
refused "a table whose only unique key allows NULL" "no unique key over whole NOT NULL" nulluq
refused "an ENUM key column" "is an ENUM" enumkey
refused "a SET key column" "is a SET" setkey
refused "a long unique key's hidden column" "DB_ROW_HASH" longuq
refused "implicit system versioning" "without named row_start" vers
refused "a missing table" "does not exist" nothere
refused "a nullable [keys] column" "allows NULL" nokey a b
refused "an unknown [keys] column" "is not a column" nokey zz
refused "a [keys] column twice" "named twice" nokey a a

# ---- bounds, where, the greatest key, cursors --------------------------------
q="'"
A1='["1","'$q'a'$q'"]'
A2='["1","'$q'aa'$q'"]'
UB='["1","'$q'B'$q'"]'
UC='["1","'$q'c'$q'"]'
keys_of() { rd chunk binlogd ck "$@" | tr '\n' ' '; }
check "after only" [ "$(keys_of "$A2" '' 10)" = '{"a":1,"b":"B"} {"a":1,"b":"c"} {"a":2,"b":"a"} last ["2","'"'a'"'"] ' ]
check "upto only (inclusive)" [ "$(keys_of '' "$UB" 10)" = '{"a":0,"b":"z"} {"a":1,"b":"a"} {"a":1,"b":"aa"} {"a":1,"b":"B"} last ["1","'"'B'"'"] ' ]
check "after and upto" [ "$(keys_of "$A1" "$UC" 10)" = '{"a":1,"b":"aa"} {"a":1,"b":"B"} {"a":1,"b":"c"} last ["1","'"'c'"'"] ' ]
check "after, upto and limit" [ "$(keys_of "$A1" "$UC" 1)" = '{"a":1,"b":"aa"} last ["1","'"'aa'"'"] ' ]
check "where" [ "$(keys_of '' '' 10 'v > 2')" = '{"a":0,"b":"z"} {"a":1,"b":"aa"} {"a":1,"b":"B"} {"a":2,"b":"a"} last ["2","'"'a'"'"] ' ]
check "an empty chunk has no cursor" [ "$(keys_of '["2","'"'a'"'"]' '' 10)" = 'last  ' ]
check "the greatest key" [ "$(rd max binlogd ck)" = '["2","'"'a'"'"]' ]
check "the greatest key where v < 3" [ "$(rd max binlogd ck 'v < 3')" = '["1","'"'c'"'"]' ]
check "no greatest key of no rows" [ "$(rd max binlogd ck 'v > 100')" = none ]
check "no greatest key of an empty table" [ "$(rd max binlogd empty)" = none ]
rd rows binlogd ck 2 --where 'v > 2' --keys >"$W/ckw" 2>/dev/null
check "chunks with a where" [ "$(tr '\n' ' ' <"$W/ckw")" = '{"a":0,"b":"z"} {"a":1,"b":"aa"} {"a":1,"b":"B"} {"a":2,"b":"a"} ' ]
out=$(rd chunk binlogd ck '["1"]' '' 10)
check "a cursor of the wrong length is refused ($out)" contains "$out" 'not a JSON array of 2'
out=$(rd chunk binlogd ck '["1","1); DROP TABLE ck; --"]' '' 10)
check "a cursor that is not a literal is refused ($out)" contains "$out" 'is not an SQL literal'
check "... and nothing was run" [ "$(sql -e 'SELECT COUNT(*) FROM ck')" = 6 ]
out=$(rd chunk binlogd ck '' '' 10 'v = ?')
check "a ? placeholder in the condition is refused ($out)" contains "$out" placeholder
rd rows binlogd kstr 1 >/dev/null 2>"$W/kstr.trace"
check "kstr: the cursor round-trips quotes, backslashes, NUL, CR, LF, ^Z and emoji" \
    [ "$(sed -n 's/^chunks //p' "$W/kstr.trace")" = 13 ]

# ---- a DDL after the shape was loaded ----------------------------------------
sql -e "CREATE TABLE d1 (id INT PRIMARY KEY, v INT, w INT); INSERT INTO d1 VALUES (1, 2, 3);
    CREATE TABLE d2 LIKE d1; CREATE TABLE d3 LIKE d1; CREATE TABLE d4 LIKE d1"
for c in "d1:ALTER TABLE d1 MODIFY v BIGINT" "d2:ALTER TABLE d2 DROP COLUMN w" \
    "d3:ALTER TABLE d3 CHANGE v vv INT" "d4:DROP TABLE d4"; do
    out=$(rd ddl binlogd "${c%%:*}" "${c#*:}")
    check "${c#*:}: refused as a schema change ($out)" starts "$out" 'error 5/'
done

# ---- the signal table and watermarks ------------------------------------------
out=$(rd signal nodb sig)
check "a missing database: CREATE DATABASE ($out)" contains "$out" 'CREATE DATABASE `nodb`'
check "the signal table is created" [ "$(rd signal binlogd sig)" = ok ]
check "... and has its columns" [ "$(sql -e "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'binlogd' AND TABLE_NAME = 'sig'")" = "id,type,at" ]
check "an existing signal table is kept" [ "$(rd signal binlogd sig)" = ok ]
sql -e "CREATE TABLE badsig (id INT PRIMARY KEY, type VARCHAR(2))"
out=$(rd signal binlogd badsig)
check "a signal table of the wrong shape is refused ($out)" contains "$out" 'has no column id'
sql -e "CREATE TABLE dbzsig (id VARCHAR(64) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)"
check "another layout (no column at) is accepted" [ "$(rd signal binlogd dbzsig)" = ok ]
sql -e "FLUSH BINARY LOGS"
WFIRST=$(sql -e "SHOW BINARY LOGS" | tail -1 | cut -f1)
check "the low watermark" [ "$(rd watermark binlogd sig w-1 low)" = ok ]
check "... the row is there" [ "$(sql -e "SELECT type FROM sig WHERE id = 'w-1'")" = low ]
check "the high watermark" [ "$(rd watermark binlogd sig w-1 high)" = ok ]
check "... the table is empty again" [ "$(sql -e "SELECT COUNT(*) FROM sig")" = 0 ]
out=$(rd watermark binlogd sig w-1 high)
check "a high watermark without its row is an error ($out)" contains "$out" 'found no row'
out=$(rd watermark binlogd sig 0123456789012345678901234567890123456789012345678901234567890123456789 low)
check "an id too long is refused ($out)" starts "$out" error
"$B" dump --host 127.0.0.1 --port "$PORT" --user root --from "$WFIRST:4" >"$W/wm.out" 2>/dev/null
check "the watermarks are in the binlog as an insert and a delete" \
    [ "$(sed -n 's/.*"op":"\([cd]\)","db":"binlogd","table":"sig".*"id":"w-1","type":"low".*/\1/p' "$W/wm.out" | tr -d '\n')" = cd ]
sql -e "CREATE USER 'snap'@'127.0.0.1'; GRANT SELECT ON *.* TO 'snap'@'127.0.0.1'"
out=$("$X" --port "$PORT" --user snap signal binlogd sig2)
check "no CREATE grant: the GRANT named ($out)" contains "$out" "GRANT CREATE ON \`binlogd\`.* TO 'snap'@'127.0.0.1'"
check "no CREATE grant, the table there: accepted" [ "$("$X" --port "$PORT" --user snap signal binlogd sig)" = ok ]
out=$("$X" --port "$PORT" --user snap watermark binlogd sig w-2 low)
check "no INSERT grant: the GRANT named ($out)" contains "$out" "GRANT INSERT, DELETE ON \`binlogd\`.\`sig\` TO 'snap'@'127.0.0.1'"
check "watermarks in a table without the column at" \
    [ "$(rd watermark binlogd dbzsig w-3 low)$(rd watermark binlogd dbzsig w-3 high)" = okok ]

# ---- listing tables --------------------------------------------------------------
check "tables by pattern, in byte order" \
    [ "$(rd list 'binlogd.k*' | tr '\n' ' ')" = "binlogd.k3 binlogd.kbin binlogd.kbinf binlogd.kdec binlogd.kflt binlogd.kinet binlogd.klat binlogd.kmisc binlogd.kstr binlogd.ktime binlogd.kuuid " ]
check "several patterns, spaces around commas" \
    [ "$(rd list 'binlogd.ck , binlogd.uq,*.vers' | tr '\n' ' ')" = "binlogd.ck binlogd.uq binlogd.vers " ]
check "never the system schemas" [ -z "$(rd list '*' | grep -E '^(mysql|information_schema|performance_schema|sys)\.')" ]
check "a pattern matching nothing" [ -z "$(rd list 'nodb.*')" ]
out=$("$X" --port 1 list '*')
check "an unreachable server: an error naming it ($out)" contains "$out" '127.0.0.1:1'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
