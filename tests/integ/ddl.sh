#!/bin/sh
# DDL in the middle of the stream: ADD, DROP, RENAME and reorder columns,
# and reorder the members of an ENUM, while `binlogd dump --host --follow`
# reads, with binlog_row_metadata MINIMAL (names, keys and ENUM members from
# information_schema, kept in a schema history) and FULL (all in the
# binlog).  Every value must land under its own column, and every ENUM
# value be its member of the time, in the follower's output and again when
# a later run starts from a position before the DDL.  Without the history,
# that later run on MINIMAL must stop rather than misplace values.  A
# history written before binlogd kept primary keys (table lines without
# "primary_key") is not taken for tables without a key: those snapshots
# are asked for again.
# Starts its own MariaDB on 127.0.0.1:$DDL_PORT (13600); prints
# "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
B=${BINLOGD:-build/binlogd}
DIR=build/integ/ddl
PORT=${DDL_PORT:-13600}
MSH=deploy/dev/mariadb.sh
. tests/lib.sh
FP=""
cleanup() {
    [ -n "$FP" ] && kill "$FP" 2>/dev/null
    sh $MSH stop "$DIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -rf "$DIR"
mkdir -p "$(dirname "$DIR")"
if ! sh $MSH start "$DIR" "$PORT" >"$DIR.log" 2>&1; then
    cat "$DIR.log"
    echo "0 passed, 1 failed"
    exit 1
fi
W=$DIR/work
mkdir -p "$W"
sql() { sh $MSH sql "$DIR" -N -B binlogd "$@"; }
export BINLOGD_PASSWORD=replpw
DUMP="$B dump --host 127.0.0.1 --port $PORT --user repl"

for META in MINIMAL FULL; do
    T=t_$(echo "$META" | tr 'A-Z' 'a-z')
    H=$W/history-$META.jsonl
    sql -e "SET GLOBAL binlog_row_metadata = $META; FLUSH BINARY LOGS"
    START=$(sql -e "SHOW MASTER STATUS" | awk '{ print $1 ":" $2 }')
    sql -e "CREATE TABLE $T (id INT PRIMARY KEY, a INT, b VARCHAR(10), c INT UNSIGNED)"
    $DUMP --server-id 61 --from "$START" --follow --heartbeat 0.5 --schema-history "$H" \
        >"$W/$META.follow" 2>"$W/$META.follow.err" &
    FP=$!
    # each step's row must reach the follower before the next DDL, so the
    # follower reads information_schema while the table is as the row saw it
    step() { # SQL id
        sql -e "$1"
        waitfor 20 has "\"id\":$2," "$W/$META.follow" || bad "$META: row $2 never arrived: $(cat "$W/$META.follow.err")"
    }
    step "INSERT INTO $T VALUES (1, 10, 'one', 4294967295)" 1
    # 'paid' is member 2, then member 3: the index in the row is all the
    # binlog has, so only the members of the time name it right
    step "CREATE TABLE ${T}_e (id INT PRIMARY KEY, st ENUM('new','paid'));
          INSERT INTO ${T}_e VALUES (101, 'paid')" 101
    step "ALTER TABLE ${T}_e MODIFY st ENUM('new','void','paid');
          INSERT INTO ${T}_e VALUES (102, 'paid')" 102
    step "ALTER TABLE $T ADD COLUMN d INT AFTER a;
          INSERT INTO $T (id, a, d, b, c) VALUES (2, 20, 2000, 'two', 200)" 2
    step "ALTER TABLE $T DROP COLUMN c;
          INSERT INTO $T (id, a, d, b) VALUES (3, 30, 3000, 'three')" 3
    step "ALTER TABLE $T RENAME COLUMN b TO bb;
          INSERT INTO $T (id, a, d, bb) VALUES (4, 40, 4000, 'four')" 4
    # a and d trade places: same types, so only the names tell them apart
    P5=$(sql -e "SHOW MASTER STATUS" | awk '{ print $1 ":" $2 }')
    step "ALTER TABLE $T MODIFY COLUMN a INT AFTER d;
          INSERT INTO $T (id, a, d, bb) VALUES (5, 50, 5000, 'five');
          UPDATE $T SET a = 11 WHERE id = 1" 5
    waitfor 20 has '"op":"u"' "$W/$META.follow" || bad "$META: the update never arrived"
    kill "$FP" 2>/dev/null
    wait "$FP" 2>/dev/null
    FP=""

    F=$W/$META.follow
    check "$META: row 1 under the columns of its time" has '"after":{"id":1,"a":10,"b":"one","c":4294967295}' "$F"
    check "$META: row 2 after ADD" has '"after":{"id":2,"a":20,"d":2000,"b":"two","c":200}' "$F"
    check "$META: row 3 after DROP" has '"after":{"id":3,"a":30,"d":3000,"b":"three"}' "$F"
    check "$META: row 4 after RENAME" has '"after":{"id":4,"a":40,"d":4000,"bb":"four"}' "$F"
    check "$META: row 5 after reorder" has '"after":{"id":5,"d":5000,"a":50,"bb":"five"}' "$F"
    check "$META: update after reorder" has '"before":{"id":1,"d":null,"a":10,"bb":"one"},"after":{"id":1,"d":null,"a":11,"bb":"one"}' "$F"
    check "$META: ENUM value before the members changed: its member of the time" \
        has '"after":{"id":101,"st":"paid"}' "$F"
    check "$META: ENUM value after the members changed" has '"after":{"id":102,"st":"paid"}' "$F"
    check "$META: six row changes of $T, no more ($(grep -c "\"table\":\"$T\"" "$F"))" \
        [ "$(grep -c "\"table\":\"$T\"" "$F")" -eq 6 ]
    check "$META: eight row changes in all ($(grep -c '"op"' "$F"))" [ "$(grep -c '"op"' "$F")" -eq 8 ]
    check "$META: no positional output" sh -c "! grep -q '\"positional\"' '$F'"

    # a later run from before the DDL, with the history the follower kept
    $DUMP --server-id 62 --from "$START" --schema-history "$H" >"$W/$META.again" 2>"$W/$META.again.err"
    rc=$?
    check "$META: restart before the DDL with the history: exit 0 (exit $rc: $(head -c 300 "$W/$META.again.err"))" [ "$rc" -eq 0 ]
    check "$META: ... the same lines as the follower" cmp -s "$W/$META.again" "$F"
    check "$META: history holds the 4 DDLs" [ "$(grep -c '"ddl"' "$H")" -ge 4 ]

    $DUMP --server-id 62 --from "$START" >"$W/$META.nohist" 2>"$W/$META.nohist.err"
    rc=$?
    if [ "$META" = MINIMAL ]; then
        check "MINIMAL: history snapshots of each shape ($(grep -c '"table"' "$H"))" [ "$(grep -c "\"name\":\"$T\"" "$H")" -ge 5 ]
        check "MINIMAL: without the history the old rows stop the reader, exit 65 (exit $rc)" [ "$rc" -eq 65 ]
        # information_schema has the table after the DDLs ahead: the reader
        # stops at the first old map, naming the DDL it has not read yet
        check "MINIMAL: ... naming the DDL ahead ($(head -c 300 "$W/$META.nohist.err"))" \
            has "$T\` at .*: the binlog carries no column names here and a DDL not read yet (.*ALTER TABLE" "$W/$META.nohist.err"
        check "MINIMAL: ... after printing nothing misplaced" [ ! -s "$W/$META.nohist" ]
        # the history of another server is refused
        sed '1s/server_id=[0-9]*/server_id=999/' "$H" >"$W/other.jsonl"
        $DUMP --server-id 62 --from "$START" --schema-history "$W/other.jsonl" >/dev/null 2>"$W/other.err"
        rc=$?
        check "MINIMAL: another server's history is refused (exit $rc)" [ "$rc" -eq 1 ]
        check "MINIMAL: ... saying so ($(head -c 200 "$W/other.err"))" has "belongs to mariadb server_id=999" "$W/other.err"
        # a torn last line (a crash while appending) is dropped, the rest is used
        cp "$H" "$W/torn.jsonl"
        printf '{"table":{"file":"x' >>"$W/torn.jsonl"
        $DUMP --server-id 62 --from "$START" --schema-history "$W/torn.jsonl" >"$W/torn.out" 2>"$W/torn.err"
        check "MINIMAL: a torn last line is dropped ($(head -c 200 "$W/torn.err"))" cmp -s "$W/torn.out" "$F"
        # (the reader then adds the line that says how far it read)
        check "MINIMAL: ... and cut from the file" \
            sh -c 'grep -v "\"seen_to\"" "$1" >"$1.a" && grep -v "\"seen_to\"" "$2" | cmp -s - "$1.a" && tail -1 "$1" | grep -q "^{\"seen_to\":"' \
            sh "$W/torn.jsonl" "$H"
        # every snapshot carries the key (by name, in key order)
        check "MINIMAL: history table lines name the primary key" \
            [ "$(grep '"table"' "$H" | grep -vc ',"primary_key":\["id"\]}$')" -eq 0 ]
        # a history of an older binlogd: table lines without the key are
        # passed over, asked for again and appended complete
        sed 's/,"primary_key":\[[^]]*\]//' "$H" >"$W/old.jsonl"
        $DUMP --server-id 62 --from "$P5" --schema-history "$W/old.jsonl" --events \
            >"$W/old.out" 2>"$W/old.err"
        rc=$?
        check "MINIMAL: a history without keys: exit 0 (exit $rc: $(head -c 300 "$W/old.err"))" [ "$rc" -eq 0 ]
        grep '"op"' "$W/old.out" >"$W/old.rows"
        tail -2 "$F" >"$W/old.want"
        check "MINIMAL: ... the same rows as the follower" cmp -s "$W/old.rows" "$W/old.want"
        check "MINIMAL: ... the key from information_schema ($(grep -c '"primary_key":\[0\]' "$W/old.out"))" \
            has "\"table\":\"$T\".*\"primary_key\":\\[0\\]" "$W/old.out"
        check "MINIMAL: ... and a complete line appended to the history" \
            has ',"primary_key":\["id"\]}$' "$W/old.jsonl"
        # an edited line is an error naming file:line
        sed '2s/"ddl"/"dxl"/' "$H" >"$W/bad.jsonl"
        $DUMP --server-id 62 --from "$START" --schema-history "$W/bad.jsonl" >/dev/null 2>"$W/bad.err"
        check "MINIMAL: a broken history line is refused with file:line ($(head -c 200 "$W/bad.err"))" \
            has "bad.jsonl:2: " "$W/bad.err"
    else
        check "FULL: without a history the names come from the binlog (exit $rc)" [ "$rc" -eq 0 ]
        check "FULL: ... the same lines" cmp -s "$W/$META.nohist" "$F"
        check "FULL: no table snapshots needed" [ "$(grep -c '"table"' "$H")" -eq 0 ]
    fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
