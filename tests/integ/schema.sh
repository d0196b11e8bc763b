#!/bin/sh
# Column names, signedness and charsets from information_schema when the
# binlog carries no metadata (MariaDB's default binlog_row_metadata=NO_LOG):
# `binlogd dump --host` fills them in; a table changed since the binlog
# position stops the reader instead of misplacing values.
# Starts its own MariaDB on 127.0.0.1; prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
B=${BINLOGD:-build/binlogd}
DIR=build/integ/schema
PORT=${SCHEMA_PORT:-13580}
DB=deploy/dev/mariadb.sh
. tests/lib.sh
cleanup() { sh $DB stop "$DIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM
rm -rf "$DIR"
mkdir -p "$(dirname "$DIR")"
if ! sh $DB start "$DIR" "$PORT" --binlog_row_metadata=NO_LOG >"$DIR.log" 2>&1; then
    cat "$DIR.log"
    echo "0 passed, 1 failed"
    exit 1
fi
SQL() { sh $DB sql "$DIR" binlogd "$@"; }
export BINLOGD_PASSWORD=replpw
DUMP="$B dump --host 127.0.0.1 --port $PORT --user repl --server-id 4321"

SQL -e "FLUSH BINARY LOGS"
FIRST=$(SQL -N -e "SHOW BINARY LOGS" | tail -1 | cut -f1)
SQL -e "
CREATE TABLE acct (id BIGINT UNSIGNED PRIMARY KEY, delta INT, memo VARCHAR(32) CHARACTER SET utf8mb4,
                   legacy VARCHAR(32) CHARACTER SET latin1, raw VARBINARY(8));
INSERT INTO acct VALUES (18446744073709551615, -5, '分账', _latin1 x'636166e9', x'00ff');
UPDATE acct SET delta = 7 WHERE id = 18446744073709551615;"
OUT=$($DUMP --from "$FIRST:4" 2>&1)
rc=$?
[ $rc -eq 0 ] && ok || bad "dump exit $rc: $OUT"
echo "$OUT" >"$DIR.out"
echo "$OUT" | grep -q '"after":{"id":18446744073709551615,"delta":-5,"memo":"分账","legacy":"café","raw":"AP8="}' &&
    ok || bad "insert not decoded with names, unsigned, charsets: $(echo "$OUT" | head -1)"
echo "$OUT" | grep -q '"positional"' && bad "positional flag with a schema source" || ok
echo "$OUT" | grep -q '"signedness_unknown"' && bad "signedness_unknown with a schema source" || ok
echo "$OUT" | grep -q '"op":"u".*"after":{"id":18446744073709551615,"delta":7' && ok ||
    bad "update not decoded: $OUT"

# The file alone has no names: positional, as documented.
FILE=$(ls "$DIR"/db/"$FIRST")
"$B" dump "$FILE" | grep -q '"positional":true' && ok || bad "file decode should be positional"

# A column added since: reading the old events now must stop, not misplace.
SQL -e "ALTER TABLE acct ADD COLUMN extra INT FIRST"
OUT=$($DUMP --from "$FIRST:4" 2>&1)
rc=$?
[ $rc -ne 0 ] && ok || bad "old events after ALTER decoded anyway (exit 0)"
echo "$OUT" | grep -q "changed since this binlog position" && ok || bad "no clear message: $OUT"

# New events after the ALTER decode with the new columns.
SQL -e "INSERT INTO acct VALUES (1, 2, 3, 'x', 'y', x'01')"
POS=$(SQL -N -e "SHOW BINARY LOGS" | tail -1 | cut -f1)
OUT=$($DUMP --from-head 2>&1)
rc=$?
[ $rc -eq 0 ] && ok || bad "from-head after ALTER: exit $rc: $OUT"

# Following across a DDL that keeps the map's bytes (a renamed column): the
# rows after it carry the new name.
$DUMP --from-head --follow --heartbeat 0.5 >"$DIR.follow" 2>"$DIR.follow.err" &
FP=$!
sleep 1
SQL -e "INSERT INTO acct (id, delta, memo, legacy, raw) VALUES (10, 1, 'a', 'b', x'02')"
SQL -e "ALTER TABLE acct RENAME COLUMN memo TO note"
SQL -e "INSERT INTO acct (id, delta, note, legacy, raw) VALUES (11, 1, 'a', 'b', x'03')"
sleep 2
kill "$FP" 2>/dev/null
wait "$FP" 2>/dev/null
grep -q '"id":10,"delta":1,"memo":"a"' "$DIR.follow" && ok || bad "row before RENAME: $(cat "$DIR.follow" "$DIR.follow.err")"
grep -q '"id":11,"delta":1,"note":"a"' "$DIR.follow" && ok || bad "row after RENAME lacks the new name: $(cat "$DIR.follow")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
