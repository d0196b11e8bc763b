#!/bin/sh
# binlogd replay --gtid and --stdout on archived MySQL binlogs (no server, no
# Kafka): the fixtures' transactions carry MySQL GTIDs, which the live
# MariaDB of tests/integ/replay.sh cannot write.  The truth is `binlogd
# dump` of the same files, cut to the rows whose "gtid" is in the set.
#   - a set of intervals in one file (127-128:131 of MyFlash's 126..132):
#     exactly those transactions' rows, in order; an upper-case uuid reads
#     the same
#   - a set in the second of two files: the start file is the one whose
#     PREVIOUS_GTIDS the set's predecessors cover (nothing of file 1 is
#     read: the summary covers file 2 only); a set across both files
#   - a tagged GTID (MySQL 8.4 "uuid:tag:N")
#   - a set part of which is not in the files: the present rows are printed,
#     exit 1, and stderr counts and names the missing ones; a set that
#     begins before the oldest file is refused before anything is printed
#   - usage errors (exit 2): bad syntax named, --gtid with --from or --to
#   - --files checked first (exit 2, nothing printed): out of binlog order,
#     a file twice, a missing or empty file, --to naming a file not given;
#     --from may name a file by the path given; overlapping --gtid
#     stretches count each transaction once; --stop-datetime @0 is a time
#   - --schema-history naming a missing file: exit 2, named; a MariaDB
#     server's history for these MySQL files: exit 1, both named
# Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
B=${BINLOGD:-build/binlogd}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/lib.sh
F=tests/fixtures/binlog
FLASH=$F/MyFlash/haha.000041
U1=efca80c9-323b-11e7-b857-00505622f032
P1=$F/percona-binlog-server/data_80045_gtid/binlog.000001
P2=$F/percona-binlog-server/data_80045_gtid/binlog.000002
U2=396e294c-1ca4-11f1-9ae7-00155da79c6b
TAG=$F/rust_mysql_common/binlog_transaction_with_GTID_TAG.000001
U3=55778904-0299-11f1-b1b8-4ef0c4956feb
# replay needs a config for its [filter] and topic; --files reads no server
printf '[source]\nhost = 127.0.0.1\nport = 1\nserver_id = 424242\n[kafka]\nbootstrap.servers = 127.0.0.1:1\n[state]\ndir = %s/state\n' \
    "$T" >"$T/c.conf"

# want NAME GTID_REGEX FILE...: the dump's rows of those GTIDs, T/NAME.want
want() {
    _n=$1 _re=$2
    shift 2
    "$B" dump "$@" | grep -E "\"gtid\":\"($_re)\"" >"$T/$_n.want"
}
# rp NAME ARG...: binlogd replay, stdout T/NAME.out, stderr T/NAME.err; sets RC
rp() {
    _n=$1
    shift
    "$B" replay -c "$T/c.conf" "$@" >"$T/$_n.out" 2>"$T/$_n.err"
    RC=$?
}
same() { [ -s "$2" ] && cmp -s "$1" "$2"; }
gtids() { grep -o '"gtid":"[^"]*"' "$1" | uniq | sed 's/"gtid":"\(.*\)"/\1/' | tr '\n' ' '; }
err() { head -c 300 "$T/$1.err" | tr '\n' '|'; }

"$B" dump "$FLASH" >"$T/a.all"
want a "$U1:(127|128|131)" "$FLASH"
check "the fixture has rows of 127, 128 and 131 ($(wc -l <"$T/a.want"))" [ "$(wc -l <"$T/a.want")" -eq 59 ]
rp a --stdout --gtid "$U1:127-128:131" --files "$FLASH"
check "--gtid uuid:127-128:131: exit 0 (exit $RC: $(err a))" [ "$RC" -eq 0 ]
check "... exactly those transactions' rows ($(gtids "$T/a.out"))" same "$T/a.out" "$T/a.want"
check "... the summary counts 3 transactions, 59 row changes" has ": 3 transactions, 59 row changes" "$T/a.err"
UP=$(echo "$U1" | tr a-f A-F)
rp a2 --stdout --gtid "$UP:127-128,$UP:131" --files "$FLASH"
check "an upper-case uuid, two elements: exit 0 (exit $RC: $(err a2))" [ "$RC" -eq 0 ]
check "... the same rows" same "$T/a2.out" "$T/a.want"

want b "$U2:(5|6)" "$P1" "$P2"
rp b --stdout --gtid "$U2:5-6" --files "$P1" "$P2"
check "--gtid in the second file: exit 0 (exit $RC: $(err b))" [ "$RC" -eq 0 ]
check "... exactly 5 and 6 ($(gtids "$T/b.out"))" same "$T/b.out" "$T/b.want"
check "... read from binlog.000002 on (covered $(grep -o 'covered.*' "$T/b.err"))" \
    has "covered binlog\.000002:[0-9]* \.\. binlog\.000002:" "$T/b.err"
want c "$U2:(3|4|5)" "$P1" "$P2"
rp c --stdout --gtid "$U2:3-5" --files "$P1" "$P2"
check "--gtid across two files: exit 0 (exit $RC: $(err c))" [ "$RC" -eq 0 ]
check "... exactly 3, 4 and 5 ($(gtids "$T/c.out"))" same "$T/c.out" "$T/c.want"

want d "$U3:mytag:3" "$TAG"
rp d --stdout --gtid "$U3:mytag:3" --files "$TAG"
check "a tagged GTID: exit 0 (exit $RC: $(err d))" [ "$RC" -eq 0 ]
check "... its rows ($(gtids "$T/d.out"))" same "$T/d.out" "$T/d.want"
rp d2 --stdout --gtid "$U3:othertag:3" --files "$TAG"
check "another tag: exit 1 (exit $RC)" [ "$RC" -eq 1 ]
check "... and nothing printed" [ ! -s "$T/d2.out" ]

want e "$U1:(126)" "$FLASH"
rp e --stdout --gtid "$U1:126,$U1:133-134" --files "$FLASH"
check "a set partly absent: exit 1 (exit $RC)" [ "$RC" -eq 1 ]
check "... the present transaction is printed" same "$T/e.out" "$T/e.want"
check "... stderr counts and names the missing ($(err e))" \
    has "2 of the 3 transactions of --gtid are not in the binlog.*$U1:133-134" "$T/e.err"
rp e2 --stdout --gtid "$U1:1-126" --files "$FLASH"
check "a set that begins before the file (PREVIOUS_GTIDS 1-125): exit 1 (exit $RC)" [ "$RC" -eq 1 ]
check "... refused before printing anything" [ ! -s "$T/e2.out" ]
check "... names the oldest file and what came before it ($(err e2))" \
    has "before the oldest binlog haha.000041, which follows $U1:1-125: those transactions were purged" "$T/e2.err"

rp u1 --stdout --gtid "$U1:x" --files "$FLASH"
check "--gtid uuid:x: exit 2 (exit $RC)" [ "$RC" -eq 2 ]
check "... names the value ($(err u1))" has "$U1:x" "$T/u1.err"
rp u2 --stdout --gtid "0-1" --files "$FLASH"
check "--gtid 0-1: exit 2 (exit $RC)" [ "$RC" -eq 2 ]
check "... says what it wants ($(err u2))" has "MariaDB GTIDs with optional stretches" "$T/u2.err"
rp u3 --stdout --gtid "$U1:127" --from haha.000041 --files "$FLASH"
check "--gtid with --from: exit 2 (exit $RC)" [ "$RC" -eq 2 ]
check "... says --gtid gives both ends" has "gtid gives both ends" "$T/u3.err"
rp u4 --stdout --gtid "$U1:127" --to haha.000041:500 --files "$FLASH"
check "--gtid with --to: exit 2 (exit $RC)" [ "$RC" -eq 2 ]
rp u5 --stdout --gtid "0-1-5..3" --files "$FLASH"
check "--gtid 0-1-5..3 (upside down): exit 2 (exit $RC)" [ "$RC" -eq 2 ]
rp h1 --stdout --from haha.000041 --schema-history "$T/none.jsonl" --files "$FLASH"
check "--schema-history of a missing file: exit 2 (exit $RC)" [ "$RC" -eq 2 ]
check "... names it ($(err h1))" has "schema-history $T/none.jsonl: no such file" "$T/h1.err"

# --files checked before anything is read or printed
rp f1 --stdout --from binlog.000001 --files "$P2" "$P1"
check "--files out of binlog order: exit 2 (exit $RC)" [ "$RC" -eq 2 ]
check "... names both, asks for binlog order ($(err f1))" has "$P1 is given after $P2: give the files in binlog order" "$T/f1.err"
check "... nothing printed" [ ! -s "$T/f1.out" ]
rp f2 --stdout --from binlog.000001 --files "$P1" "$P1"
check "a file given twice: exit 2, named ($(err f2))" [ "$RC" -eq 2 ]
check "... the message" has "binlog.000001 is given twice" "$T/f2.err"
rp f3 --stdout --from binlog.000001 --files "$P1" "$T/missing.000002"
check "a missing file after a good one: exit 2 ($(err f3))" [ "$RC" -eq 2 ]
check "... the message" has "files $T/missing.000002: No such file" "$T/f3.err"
check "... nothing of the good one printed" [ ! -s "$T/f3.out" ]
: >"$T/empty.000002"
rp f4 --stdout --from binlog.000001 --files "$P1" "$T/empty.000002"
check "an empty file: exit 2, not a binlog ($(err f4))" [ "$RC" -eq 2 ]
check "... the message" has "empty.000002: not a binlog file" "$T/f4.err"
rp f5 --stdout --from binlog.000001 --to haha.000041:4 --files "$P1" "$P2"
check "--to a file not among --files: exit 2, named ($(err f5))" [ "$RC" -eq 2 ]
check "... the message" has "to haha.000041: no such file among the --files given" "$T/f5.err"
rp f6 --stdout --from "$FLASH" --to haha.000041:99999 --files "$FLASH"
check "--from naming the path given in --files: read as its name (exit $RC: $(err f6))" [ "$RC" -eq 0 ]
check "... the whole file ($(wc -l <"$T/f6.out") rows, the dump $(wc -l <"$T/a.all"))" same "$T/f6.out" "$T/a.all"
rp f7 --stdout --from haha.000041:999999 --files "$FLASH"
check "--from past the file's end: exit 2, the size named ($(err f7))" [ "$RC" -eq 2 ]
check "... the message" has "from haha.000041:999999 is past the end of $FLASH (3784 bytes)" "$T/f7.err"
rp f8 --stdout --from haha.000041 --tables , --files "$FLASH"
check "--tables with no pattern: exit 2 ($(err f8))" [ "$RC" -eq 2 ]
check "... the message" has "tables wants db.table patterns" "$T/f8.err"
# overlapping stretches count each transaction once
want g "$U1:(127|128|129|130)" "$FLASH"
rp g1 --stdout --gtid "$U1:127-129:128-130" --files "$FLASH"
check "--gtid uuid:127-129:128-130 (overlapping): exit 0 (exit $RC: $(err g1))" [ "$RC" -eq 0 ]
check "... the rows of 127-130, once each" same "$T/g1.out" "$T/g.want"
check "... the summary counts 4 transactions" has ": 4 transactions," "$T/g1.err"
# the epoch is a time like any other
rp d0 --stdout --from haha.000041 --stop-datetime @0 --files "$FLASH"
check "--stop-datetime @0 (the epoch): exit 0, nothing before it (exit $RC, $(wc -l <"$T/d0.out") rows)" \
    [ "$RC" -eq 0 -a ! -s "$T/d0.out" ]

# a MariaDB server's history for MySQL files (which have no column names):
# refused where the history would name a table, nothing printed
printf '{"binlogd_schema_history":1,"server":"mariadb server_id=1"}\n' >"$T/maria.jsonl"
rp h2 --stdout --from haha.000041 --schema-history "$T/maria.jsonl" --files "$FLASH"
check "--schema-history of a MariaDB server for MySQL files: exit 1 (exit $RC)" [ "$RC" -eq 1 ]
check "... names both ($(err h2))" \
    has "belongs to mariadb server_id=1, but the file was written by a MySQL server" "$T/h2.err"
check "... nothing printed" [ ! -s "$T/h2.out" ]
rp h3 --stdout --from haha.000041 --schema-history none --files "$FLASH"
check "--schema-history none: the same files print, positional ($(err h3))" \
    [ "$RC" -eq 0 -a "$(grep -c '"positional":true' "$T/h3.out")" -gt 0 ]

# a broken history is named as the user gave it, not by replay's private copy
printf '{"binlogd_schema_history":1\n' >"$T/broken.jsonl"
rp h4 --stdout --from haha.000041 --schema-history "$T/broken.jsonl" --files "$FLASH"
check "a broken --schema-history: exit 1 (exit $RC)" [ "$RC" -eq 1 ]
check "... the error names it, not the copy ($(err h4))" \
    sh -c "grep -q 'schema history $T/broken.jsonl:1: ' '$T/h4.err' && ! grep -q binlogd-replay-history '$T/h4.err'"

# a live replay with the daemon's own replica id: refused before any
# connection (the server would drop the daemon's stream for it)
rp sid --from binlog.000001:4 --to binlog.000001:1000 --server-id 424242 --stdout
check "--server-id of the daemon ([source] server_id, default 424242): exit 2 ($RC: $(err sid))" [ "$RC" -eq 2 ]
check "... says why and what the default is" grep -q "is the daemon's (\[source\] server_id in .*c.conf): the server would drop the daemon's stream; give another id (default: 424243)" "$T/sid.err"
"$B" dump --help >"$T/dh.out"
check "dump --host's default replica id is 424240, not the daemon's" grep -q "replica id to register with (default 424240, not the" "$T/dh.out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
