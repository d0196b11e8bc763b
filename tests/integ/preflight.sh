#!/bin/sh
# `binlogd check-config --host`: the pre-flight checks against a real MariaDB.
#
# Starts its own MariaDB (defaults of deploy/dev/mariadb.sh: ROW, row image
# FULL, row metadata NO_LOG) in build/integ/preflight on 127.0.0.1:$PF_PORT
# (13560), stops it on exit, and checks:
#   - default server: exit 0, the binlog_row_metadata NO_LOG note with
#     its fix, OK lines for log_bin/binlog_format, a summary
#   - binlog_format=STATEMENT: exit 1, ERROR naming it with the fix
#   - binlog_row_metadata=FULL: that warning is gone
#   - binlog_row_image=MINIMAL, binlog_checksum=NONE: warnings
#   - an account without REPLICATION SLAVE: exit 1, ERROR with the GRANT
#   - an account without SELECT: warning only (exit 0)
#   - a short retention (binlog_expire_logs_seconds=3600): warning with
#     the survivable outage
#   - --json: one object with a findings array (jq if installed)
#   - usage errors and an unreachable server: exit 2
#   - -c FILE: the published tables without a primary key (WARNING), keyed
#     by a [keys] line (INFO) or by one naming a missing column (ERROR,
#     exit 1; column names compared exactly, case included), a [keys] line
#     that matches nothing (WARNING); a table keyed by a UNIQUE key over
#     whole NOT NULL columns instead (INFO, its [keys] line not used), one
#     whose unique key is nullable, a prefix or a long unique (keyless);
#     --json lists them
# Ends with "N passed, N failed".
#
# Environment: BUILD (build), PF_PORT (13560), PF_KEEP=1 keeps the directory.
set -u
cd "$(dirname "$0")/../.."

BUILD=${BUILD:-build}
B=$BUILD/binlogd
PORT=${PF_PORT:-13560}
DIR=build/integ/preflight
MSH=deploy/dev/mariadb.sh

. tests/lib.sh

cleanup() {
    [ -f "$DIR/my.cnf" ] && sh "$MSH" stop "$DIR" >/dev/null 2>&1
    if [ "${PF_KEEP:-0}" != 1 ] && [ "$fail" -eq 0 ]; then rm -rf "$DIR" "$DIR.out" "$DIR.err"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}

if [ ! -x "$B" ]; then
    echo "preflight: $B is missing; build it first (make)" >&2
    fail=1
    finish
fi
command -v mariadbd >/dev/null 2>&1 || {
    echo "preflight: mariadbd is not installed (make deps)" >&2
    fail=1
    finish
}

sql() { sh "$MSH" sql "$DIR" -N -B "$@"; }

OUT=$DIR.out
ERR=$DIR.err
# run WANT_RC NAME args...: binlogd check-config with the args; output in $OUT/$ERR
run() {
    _want=$1 _name=$2
    shift 2
    "$B" check-config "$@" >"$OUT" 2>"$ERR"
    _rc=$?
    if [ "$_rc" -ne "$_want" ]; then
        bad "$_name: exit $_rc, want $_want: $(head -c 600 "$OUT") $(head -c 300 "$ERR")"
        return 1
    fi
    ok
    return 0
}
# has NAME FILE PATTERN (fixed string)
has() {
    if grep -F -q -- "$3" "$2"; then ok; else bad "$1: lacks '$3': $(head -c 800 "$2")"; fi
}
hasnt() {
    if grep -F -q -- "$3" "$2"; then bad "$1: should not contain '$3'"; else ok; fi
}

sh "$MSH" stop "$DIR" >/dev/null 2>&1
rm -rf "$DIR"
mkdir -p "$DIR"
if ! sh "$MSH" start "$DIR" "$PORT" >"$DIR.start.log" 2>&1; then
    cat "$DIR.start.log" >&2
    fail=1
    finish
fi
rm -f "$DIR.start.log"

export BINLOGD_PASSWORD=replpw
C="--host 127.0.0.1 --port $PORT --user repl"

# ---- default server ---------------------------------------------------------
run 0 "default" $C
has "default" "$OUT" "INFO binlog_row_metadata=NO_LOG"
has "default" "$OUT" "SET GLOBAL binlog_row_metadata='FULL'; and binlog_row_metadata=FULL in the [mariadbd] section of my.cnf"
has "default" "$OUT" "OK binlog_format=ROW"
has "default" "$OUT" "OK log_bin=ON"
has "default" "$OUT" "OK binlog_checksum=CRC32"
has "default" "$OUT" "OK grant:REPLICATION SLAVE"
has "default" "$OUT" "OK grant:BINLOG MONITOR"
has "default" "$OUT" "0 errors"
hasnt "default" "$OUT" "ERROR"
# MySQL-only variables are skipped on MariaDB
hasnt "default" "$OUT" "gtid_mode="
hasnt "default" "$OUT" "binlog_row_value_options="
hasnt "default" "$OUT" "binlog_transaction_compression="
has "default" "$OUT" "log_bin_compress=OFF"
has "default" "$OUT" "gtid_strict_mode="

# ---- --json ------------------------------------------------------------------
run 0 "json" $C --json
for k in '"findings":[' '"severity":"info","variable":"binlog_row_metadata"' '"fix":' \
    '"why":' '"errors":0' '"ok":true' '"flavor":"MariaDB"'; do
    has "json" "$OUT" "$k"
done
if [ "$(wc -l <"$OUT")" -ne 1 ]; then bad "json: not one line"; else ok; fi
if command -v jq >/dev/null 2>&1; then
    if jq -e '.findings | length > 5' "$OUT" >/dev/null; then ok; else bad "json: jq cannot parse"; fi
elif command -v python3 >/dev/null 2>&1; then
    if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["findings"]) > 5' "$OUT"; then
        ok
    else
        bad "json: does not parse"
    fi
fi

# ---- binlog_format=STATEMENT ---------------------------------------------
sql -e "SET GLOBAL binlog_format='STATEMENT'"
run 1 "statement" $C
has "statement" "$OUT" "ERROR binlog_format=STATEMENT"
has "statement" "$OUT" "Fix: SET GLOBAL binlog_format='ROW'; and binlog_format=ROW in the [mariadbd] section of my.cnf"
has "statement" "$OUT" "1 error,"
run 1 "statement json" $C --json
has "statement json" "$OUT" '"severity":"error","variable":"binlog_format"'
has "statement json" "$OUT" '"ok":false'
sql -e "SET GLOBAL binlog_format='ROW'"

# ---- binlog_row_metadata=FULL ----------------------------------------------
sql -e "SET GLOBAL binlog_row_metadata='FULL'"
run 0 "metadata full" $C
hasnt "metadata full" "$OUT" "INFO binlog_row_metadata"
has "metadata full" "$OUT" "OK binlog_row_metadata=FULL"
sql -e "SET GLOBAL binlog_row_metadata='MINIMAL'"
run 0 "metadata minimal" $C
has "metadata minimal" "$OUT" "INFO binlog_row_metadata=MINIMAL"

# ---- row image, checksum ------------------------------------------------------
sql -e "SET GLOBAL binlog_row_image='MINIMAL'; SET GLOBAL binlog_checksum='NONE'"
run 0 "image/checksum" $C
has "image/checksum" "$OUT" "WARNING binlog_row_image=MINIMAL"
has "image/checksum" "$OUT" "SET GLOBAL binlog_row_image='FULL'"
has "image/checksum" "$OUT" "WARNING binlog_checksum=NONE"
has "image/checksum" "$OUT" "SET GLOBAL binlog_checksum='CRC32'"
sql -e "SET GLOBAL binlog_row_image='FULL'; SET GLOBAL binlog_checksum='CRC32'"

# ---- retention ----------------------------------------------------------------
sql -e "SET GLOBAL binlog_expire_logs_seconds=3600"
run 0 "retention" $C
has "retention" "$OUT" "WARNING binlog_expire_logs_seconds=3600: binlogs are purged after only 60 minutes"
has "retention" "$OUT" "outage (or a lag) longer than about 60 minutes"
has "retention" "$OUT" "binlog_expire_logs_seconds=604800"
sql -e "SET GLOBAL expire_logs_days=30"
run 0 "retention long" $C
hasnt "retention long" "$OUT" "WARNING binlog_expire"
hasnt "retention long" "$OUT" "WARNING expire_logs_days"
sql -e "SET GLOBAL binlog_expire_logs_seconds=0"

# ---- grants -------------------------------------------------------------------
sql -e "CREATE USER 'norepl'@'127.0.0.1' IDENTIFIED BY 'pw';
        GRANT BINLOG MONITOR, SELECT ON *.* TO 'norepl'@'127.0.0.1';
        CREATE USER 'nosel'@'127.0.0.1' IDENTIFIED BY 'pw';
        GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'nosel'@'127.0.0.1';
        GRANT SELECT ON binlogd.* TO 'nosel'@'127.0.0.1';
        CREATE USER 'bare'@'127.0.0.1' IDENTIFIED BY 'pw'"
BINLOGD_PASSWORD=pw run 1 "no repl slave" --host 127.0.0.1 --port "$PORT" --user norepl
has "no repl slave" "$OUT" "ERROR grant:REPLICATION SLAVE"
has "no repl slave" "$OUT" "Fix: GRANT REPLICATION SLAVE ON *.* TO 'norepl'@'127.0.0.1';"
has "no repl slave" "$OUT" "OK grant:BINLOG MONITOR"
BINLOGD_PASSWORD=pw run 0 "no select" --host 127.0.0.1 --port "$PORT" --user nosel
has "no select" "$OUT" "WARNING grant:SELECT"
has "no select" "$OUT" "only on some databases"
has "no select" "$OUT" "GRANT SELECT ON *.* TO 'nosel'@'127.0.0.1';"
BINLOGD_PASSWORD=pw run 1 "bare" --host 127.0.0.1 --port "$PORT" --user bare
has "bare" "$OUT" "GRANT BINLOG MONITOR ON *.* TO 'bare'@'127.0.0.1';"
has "bare" "$OUT" "2 errors"
# root has ALL PRIVILEGES
BINLOGD_PASSWORD= run 0 "all privileges" --host 127.0.0.1 --port "$PORT" --user root
has "all privileges" "$OUT" "OK grant:REPLICATION SLAVE"
has "all privileges" "$OUT" "OK grant:SELECT"

# ---- password file, usage, cannot connect ---------------------------------------
printf 'replpw\n' >"$DIR/pw"
BINLOGD_PASSWORD= run 0 "password file" --host 127.0.0.1 --port "$PORT" --user repl \
    --password-file "$DIR/pw"
run 2 "no host" --port "$PORT"
has "no host" "$ERR" "give -c FILE or --host HOST"
run 2 "bad port" --host 127.0.0.1 --port x
run 2 "bad option" --host 127.0.0.1 --bogus
run 2 "bad ssl mode" $C --ssl-mode=SOMETIMES
run 0 "help" --help
has "help" "$OUT" "Exit status"
BINLOGD_PASSWORD=wrong run 2 "wrong password" $C
has "wrong password" "$ERR" "cannot log in"
run 2 "refused" --host 127.0.0.1 --port 1 --user repl --connect-timeout 2
has "refused" "$ERR" "cannot connect to 127.0.0.1:1"
run 2 "missing password file" --host 127.0.0.1 --port "$PORT" --password-file "$DIR/nope"
has "missing password file" "$ERR" "cannot read --password-file"

# ---- -c FILE: the published tables without a primary key -------------------------
sql binlogd -e "
CREATE TABLE k_pk (id INT PRIMARY KEY, v INT);
CREATE TABLE k_rule (a INT, b VARCHAR(8), c INT);
CREATE TABLE k_badrule (a INT);
CREATE TABLE k_none (a INT);
CREATE TABLE k_case (a INT, b INT);
CREATE TABLE k_uniq (a INT NOT NULL, b VARCHAR(8) NOT NULL, c INT, UNIQUE KEY uk_ba (b, a));
CREATE TABLE k_uniq2 (x INT NULL, y INT NOT NULL, UNIQUE KEY u_x (x), UNIQUE KEY u_y (y));
CREATE TABLE k_unull (a INT NULL, UNIQUE KEY u_a (a));
CREATE TABLE k_uprefix (s VARCHAR(20) NOT NULL, UNIQUE KEY u_s (s(5)));
CREATE TABLE k_ulong (t TEXT NOT NULL, UNIQUE KEY u_t (t));
CREATE TABLE k_umem (a INT NOT NULL, UNIQUE KEY u_m USING HASH (a)) ENGINE=MEMORY;
CREATE DATABASE IF NOT EXISTS other;
CREATE TABLE other.k_none (a INT);"
cat >"$DIR/keys.conf" <<EOF
[source]
host = 127.0.0.1
port = $PORT
user = repl
server_id = 7
password_file = $DIR/pw
[kafka]
bootstrap.servers = 127.0.0.1:1
[filter]
include = binlogd.k_*
[keys]
binlogd.k_rule = b, a
binlogd.k_bad* = a, nope
binlogd.k_case = A, b
binlogd.k_uniq = C
binlogd.k_unull = a
nosuch.* = x
[state]
dir = $DIR/state
EOF
run 1 "keys" -c "$DIR/keys.conf"
has "keys" "$OUT" 'WARNING keys `binlogd`.`k_none`: no primary key and no [keys] line'
has "keys" "$OUT" 'INFO keys `binlogd`.`k_rule`: no primary key; keyed by [keys] binlogd.k_rule = b, a'
has "keys" "$OUT" 'ERROR keys `binlogd`.`k_badrule`: [keys] binlogd.k_bad* names column nope'
has "keys" "$OUT" 'WARNING keys [keys] nosuch.*: matches no published table'
# the daemon compares column names exactly: the table's a is not A
has "keys" "$OUT" 'ERROR keys `binlogd`.`k_case`: [keys] binlogd.k_case names column A'
# a UNIQUE key over whole NOT NULL columns stands in for the primary key
# (its parts in key order); the [keys] line is not used (nor its columns
# checked), and it is no unused-line warning either
has "keys" "$OUT" 'INFO keys `binlogd`.`k_uniq`: [keys] binlogd.k_uniq is not used: the table has no primary key but is keyed by its unique key uk_ba (b, a)'
hasnt "keys" "$OUT" 'names column C'
hasnt "keys" "$OUT" '[keys] binlogd.k_uniq: matches no'
hasnt "keys" "$OUT" 'WARNING keys `binlogd`.`k_uniq`'
# the first eligible one: u_x is nullable
has "keys" "$OUT" 'INFO keys `binlogd`.`k_uniq2`: no primary key; keyed by its unique key u_y (y)'
# a MEMORY table's HASH key is a real one
has "keys" "$OUT" 'INFO keys `binlogd`.`k_umem`: no primary key; keyed by its unique key u_m (a)'
# a nullable, a prefix, a long unique (a hash in a hidden column): keyless
has "keys" "$OUT" 'INFO keys `binlogd`.`k_unull`: no primary key; keyed by [keys] binlogd.k_unull = a'
has "keys" "$OUT" 'WARNING keys `binlogd`.`k_uprefix`: no primary key and no [keys] line'
has "keys" "$OUT" 'WARNING keys `binlogd`.`k_ulong`: no primary key and no [keys] line'
hasnt "keys" "$OUT" 'OK keys'
# errors: k_badrule, k_case; warnings: k_none, k_uprefix, k_ulong, nosuch.*;
# infos: k_rule, k_uniq, k_uniq2, k_umem, k_unull
_n="$(grep -c '^ERROR keys' "$OUT") $(grep -c '^WARNING keys' "$OUT") $(grep -c '^INFO keys' "$OUT")"
if [ "$_n" = "2 4 5" ]; then ok; else bad "keys: errors, warnings, infos $_n, want 2 4 5"; fi
# neither a table with a primary key nor one outside the filter is listed
hasnt "keys" "$OUT" "k_pk"
hasnt "keys" "$OUT" '`other`'
run 1 "keys json" -c "$DIR/keys.conf" --json
has "keys json" "$OUT" '"tables_without_primary_key":['
has "keys json" "$OUT" '{"db":"binlogd","table":"k_rule","key":["b","a"],"unique_key":null,"rule":"binlogd.k_rule","missing_column":null}'
has "keys json" "$OUT" '{"db":"binlogd","table":"k_none","key":null,"unique_key":null,"rule":null,"missing_column":null}'
has "keys json" "$OUT" '"missing_column":"nope"'
has "keys json" "$OUT" '{"db":"binlogd","table":"k_case","key":["A","b"],"unique_key":null,"rule":"binlogd.k_case","missing_column":"A"}'
# keyed by its unique key: "key" is the unique key's, "rule" is not used
has "keys json" "$OUT" '{"db":"binlogd","table":"k_uniq","key":["b","a"],"unique_key":"uk_ba","rule":"binlogd.k_uniq","missing_column":null}'
has "keys json" "$OUT" '{"db":"binlogd","table":"k_uniq2","key":["y"],"unique_key":"u_y","rule":null,"missing_column":null}'
has "keys json" "$OUT" '{"db":"binlogd","table":"k_umem","key":["a"],"unique_key":"u_m","rule":null,"missing_column":null}'
has "keys json" "$OUT" '{"db":"binlogd","table":"k_unull","key":["a"],"unique_key":null,"rule":"binlogd.k_unull","missing_column":null}'
has "keys json" "$OUT" '{"db":"binlogd","table":"k_uprefix","key":null,"unique_key":null,"rule":null,"missing_column":null}'
has "keys json" "$OUT" '{"db":"binlogd","table":"k_ulong","key":null,"unique_key":null,"rule":null,"missing_column":null}'
has "keys json" "$OUT" '"errors":2,'
if command -v jq >/dev/null 2>&1; then
    _n=$(jq -r '[.tables_without_primary_key[] | select(.unique_key == null)] | length' "$OUT")
    if [ "$_n" = 7 ]; then ok; else bad "keys json: $_n tables without a unique key, want 7"; fi
fi

# only tables keyed by a primary key or a unique key: OK, exit 0
cat >"$DIR/ukeys.conf" <<EOF
[source]
host = 127.0.0.1
port = $PORT
user = repl
server_id = 7
password_file = $DIR/pw
[kafka]
bootstrap.servers = 127.0.0.1:1
[filter]
include = binlogd.k_pk, binlogd.k_uniq*
[state]
dir = $DIR/state
EOF
run 0 "unique keys" -c "$DIR/ukeys.conf"
has "unique keys" "$OUT" 'OK keys: every published table has a primary key or a unique key that stands in for one'
has "unique keys" "$OUT" 'INFO keys `binlogd`.`k_uniq`: no primary key; keyed by its unique key uk_ba (b, a)'
hasnt "unique keys" "$OUT" 'WARNING keys'
run 0 "unique keys json" -c "$DIR/ukeys.conf" --json
has "unique keys json" "$OUT" '"unique_key":"uk_ba"'
has "unique keys json" "$OUT" '"errors":0,'

finish
