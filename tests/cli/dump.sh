#!/bin/sh
# binlogd dump from the command line: exit statuses, error lines, output
# shape.  Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
B=${BINLOGD:-build/binlogd}
FX=tests/fixtures/binlog
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/lib.sh
# expect NAME WANT_RC GREP_STDERR cmd...
expect() {
    name=$1 want=$2 pat=$3
    shift 3
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -ne "$want" ]; then bad "$name: exit $rc, want $want ($(head -c 300 "$T/err"))"; return; fi
    if [ -n "$pat" ] && ! grep -q -- "$pat" "$T/err"; then
        bad "$name: stderr lacks '$pat': $(head -c 300 "$T/err")"; return
    fi
    ok
}

expect "help" 0 "" "$B" dump --help
grep -q "Exit status" "$T/out" || bad "help text lacks exit statuses"
expect "no args" 2 "no files given" "$B" dump
expect "unknown option" 2 "" "$B" dump --bogus
expect "unknown command" 2 "unknown command" "$B" frobnicate
expect "missing file: exit 2 (a wrong argument, not corrupt input), the whole path" 2 "^binlogd dump: $T/nope: No such file or directory$" "$B" dump "$T/nope"
expect "a missing file after a good one: exit 2, nothing printed" 2 "$T/nope: No such file" "$B" dump "$FX/rust_mysql_common/mariadb-bin.000001" "$T/nope"
[ ! -s "$T/out" ] && ok || bad "a missing file after a good one: something was printed"

# A good MariaDB file: two inserts, every line valid JSON with the contract keys.
expect "mariadb file" 0 "" "$B" dump "$FX/rust_mysql_common/mariadb-bin.000001"
n=$(wc -l <"$T/out")
[ "$n" -eq 2 ] || bad "mariadb file: $n lines, want 2"
grep -q '"op":"c","db":"toddy_test","table":"outbox","before":null,"after":{"id":62,' "$T/out" ||
    bad "mariadb file: first row not as expected: $(head -c 300 "$T/out")"
grep -q '"gtid":"0-1-1"' "$T/out" || bad "mariadb file: GTID 0-1-1 missing"
grep -q '"xid":800,"last":true' "$T/out" || bad "mariadb file: xid/last of first transaction"

# --events prints the non-row events too, FDE first.
expect "events" 0 "" "$B" dump --events "$FX/rust_mysql_common/mariadb-bin.000001"
head -1 "$T/out" | grep -q '"event":"FORMAT_DESCRIPTION".*"pos":4,' || bad "events: first line not the FDE"
grep -q '"event":"MARIADB_GTID"' "$T/out" || bad "events: no MariaDB GTID event"

# TRANSACTION_PAYLOAD header fields, as upstream's expected decode lists them
# (mysql-bin.compressed.expected.txt: ZSTD, payload_size=451, uncompressed_size=960).
expect "payload" 0 "" "$B" dump --events "$FX/mysql-binlog-connector-java/mysql-bin.compressed"
grep -q '"event":"TRANSACTION_PAYLOAD".*"compression_type":"ZSTD","payload_size":451,"uncompressed_size":960' "$T/out" ||
    bad "payload: header fields not as expected"
grep -q '"inner":4' "$T/out" || bad "payload: inner events not numbered"

# Not a binlog: bad magic, exit 1, one line naming file and position 0.
expect "text file" 1 "non-binlog:0: bad magic" "$B" dump "$FX/mysql-binlog-connector-rust/non-binlog"
[ "$(wc -l <"$T/err")" -eq 1 ] || bad "text file: error is not one line"

# One flipped byte inside an event: CRC mismatch naming file:pos and type.
cp "$FX/rust_mysql_common/mariadb-bin.000001" "$T/flip.000001"
printf '\377' | dd of="$T/flip.000001" bs=1 seek=700 conv=notrunc 2>/dev/null
expect "crc" 1 "flip.000001:[0-9]* ([A-Z_]*): CRC32 mismatch" "$B" dump "$T/flip.000001"

# Without verification the same flip reaches the row decoder or passes; it
# must never crash (exit 0 or 1 only).
"$B" dump --no-verify "$T/flip.000001" >/dev/null 2>&1
rc=$?
[ "$rc" -le 1 ] && ok || bad "no-verify flip: exit $rc"

# A file cut inside its last event: exit 3, reported as incomplete, rows before it printed.
f="$FX/rust_mysql_common/mariadb-bin.000001"
size=$(wc -c <"$f")
head -c $((size - 10)) "$f" >"$T/cut.000001"
expect "incomplete" 3 "incomplete event at end of file" "$B" dump "$T/cut.000001"
grep -q '"id":62' "$T/out" || bad "incomplete: rows before the cut were not printed"
# ... but a cut file followed by another is corrupt, exit 1
expect "incomplete not last" 1 "incomplete event" "$B" dump "$T/cut.000001" "$f"

# Output errors are reported (stdout closed)
"$B" dump "$f" >&- 2>"$T/err"
rc=$?
[ "$rc" -eq 1 ] && ok || bad "closed stdout: exit $rc"

# --gtid over files: MySQL 8.0.45 binlog.000001 holds GTIDs 1-4, binlog.000002
# starts with PREVIOUS_GTIDS 1-4 and holds 5 (3 updates) and 6 (3 deletes).
G=$FX/percona-binlog-server/data_80045_gtid
U=396e294c-1ca4-11f1-9ae7-00155da79c6b
gtids() { grep -o '"gtid":"[^"]*"' "$T/out" | sed 's/.*:\([0-9]*\)"/\1/' | uniq | tr '\n' ' '; }
expect "gtid ''" 0 "" "$B" dump --gtid "" "$G/binlog.000001" "$G/binlog.000002"
[ "$(gtids)" = "2 3 4 5 6 " ] || bad "gtid '': transactions $(gtids), want 2 3 4 5 6 (1 is a DDL)"
expect "gtid 1-3" 0 "" "$B" dump --gtid "$U:1-3" "$G/binlog.000001" "$G/binlog.000002"
[ "$(gtids)" = "4 5 6 " ] || bad "gtid 1-3: transactions $(gtids), want 4 5 6"
[ "$(wc -l <"$T/out")" -eq 10 ] || bad "gtid 1-3: $(wc -l <"$T/out") rows, want 10"
expect "gtid 1-4:6 (events)" 0 "" "$B" dump --events --gtid "$U:1-4:6" "$G/binlog.000001" "$G/binlog.000002"
[ "$(gtids)" = "5 " ] || bad "gtid 1-4:6: transactions $(gtids), want 5"
grep -q '"file":"binlog.000001"' "$T/out" && bad "gtid 1-4:6: binlog.000001 was read, not skipped"
grep -q '"event":"PREVIOUS_GTIDS","file":"binlog.000002".*"gtid_set":"'"$U"':1-4"' "$T/out" ||
    bad "gtid 1-4:6: the start file's PREVIOUS_GTIDS is not shown"
expect "gtid 2-6: a hole before the oldest file" 1 "$U:1): they were purged" \
    "$B" dump --gtid "$U:2-6" "$G/binlog.000002"
expect "gtid of the other flavour" 1 "MariaDB GTID position but binlog.000001 was written by MySQL" \
    "$B" dump --gtid 0-1-5 "$G/binlog.000001"
# tagged GTIDs (MySQL 9.6): the file follows U2:1-13:mytag:1-2 and holds mytag:3
TG=$FX/rust_mysql_common/binlog_transaction_with_GTID_TAG.000001
U2=55778904-0299-11f1-b1b8-4ef0c4956feb
expect "tagged gtid: not yet seen" 0 "" "$B" dump --gtid "$U2:1-13:MyTag:1-2" "$TG"
[ "$(grep -c '"gtid":"'"$U2"':mytag:3"' "$T/out")" -eq 1 ] || bad "tagged gtid: mytag:3 not printed"
expect "tagged gtid: seen" 0 "" "$B" dump --gtid "$U2:1-13:mytag:1-3" "$TG"
[ -s "$T/out" ] && bad "tagged gtid: mytag:3 printed though in the set"
expect "tagged gtid: untagged only is a hole" 1 "$U2:mytag:1): they were purged" \
    "$B" dump --gtid "$U2:1-13" "$TG"
expect "gtid malformed" 2 "bad interval" "$B" dump --gtid "$U:1-" "$G/binlog.000001"
expect "gtid: file without GTIDs" 1 "no PREVIOUS_GTIDS or GTID_LIST" \
    "$B" dump --gtid "" "$FX/rust_mysql_common/ver_5_1_23.001"

# what cannot be mapped whole is named, not misread; a FIFO without a
# writer does not hang the command
mkdir "$T/adir"
expect "a directory" 2 "adir: Is a directory" "$B" dump "$T/adir"
mkfifo "$T/fifo"
expect "a FIFO" 1 "fifo: not a regular file" timeout 10 "$B" dump "$T/fifo"

# Row changes logged as statements are not passed over: a Percona 5.5
# statement-based log (13 inserts of `test`.`nokey`, no row events) stops
# the dump at the first one, naming it (exit 65); --on-statement skip warns
# for each and goes on.
RAW=$FX/percona-toolkit/raw_binlog.log
expect "statement: stops" 65 \
    'INSERT of `test`.`nokey` logged as a statement at raw_binlog.log:175: "insert into nokey values (1,2)"' \
    "$B" dump "$RAW"
grep -q "fix: binlog_format=ROW for every session" "$T/err" || bad "statement: no fix in $(head -c 300 "$T/err")"
grep -q -- "--on-statement skip" "$T/err" || bad "statement: no way on in $(head -c 300 "$T/err")"
[ -s "$T/out" ] && bad "statement: printed $(wc -l <"$T/out") lines"
expect "statement: skip" 0 "" "$B" dump --on-statement skip "$RAW"
[ "$(grep -c 'warning: skipped (its row changes are not in the binlog): INSERT of `test`.`nokey`' "$T/err")" -eq 13 ] ||
    bad "statement: skip: $(grep -c warning "$T/err") warnings, want 13"
expect "statement: bad --on-statement" 2 "wants fail or skip" "$B" dump --on-statement maybe "$RAW"
# statement-based LOAD DATA (EXECUTE_LOAD_QUERY) of MySQL 5.1: the rows are
# in a file the server read, not in the binlog; the row events of the same
# file are printed
expect "statement: LOAD DATA" 0 'LOAD DATA of `test`.`t3` logged as a statement at ver_5_1_23.001:150262' \
    "$B" dump --on-statement skip "$FX/rust_mysql_common/ver_5_1_23.001"
[ "$(wc -l <"$T/out")" -eq 5 ] || bad "statement: LOAD DATA: $(wc -l <"$T/out") row lines, want 5"

# -c: the [columns] rules of a config; not with --events, whose SQL text they
# cannot reach; a config that does not load is a usage error
printf '[columns]\ntest.nokey.b = mask:null\n' >"$T/cols.conf"
expect "columns: -c with --events refused" 2 "-c and --events do not go together" \
    "$B" dump -c "$T/cols.conf" --events "$RAW"
[ -s "$T/out" ] && bad "columns: -c --events printed $(wc -l <"$T/out") lines"
printf '[columns]\ntest.nokey = exclude\n' >"$T/bad.conf"
expect "columns: a bad rule" 2 "bad.conf:2: .columns. 'test.nokey': a rule is db.table.column" \
    "$B" dump -c "$T/bad.conf" "$RAW"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
