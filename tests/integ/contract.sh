#!/bin/sh
# The message contract (DESIGN.md section 4: Message, Delivery, Fail closed,
# Schema at binlog time) against three real MariaDB servers and a real Kafka
# broker, exact values checked.
#
# Starts three MariaDB servers, binlog_row_metadata FULL on 127.0.0.1:
# $CONTRACT_DB_PORT (13680), MINIMAL on +1 (13681) and NO_LOG on +2
# (13682), all binlog_row_image=FULL, and one Kafka broker (KRaft) on
# 127.0.0.1:$CONTRACT_KAFKA_PORT (13980) whose auto-created topics have
# $CONTRACT_PARTITIONS (4) partitions, all in build/integ/contract; stops
# them on every exit path and kills every daemon and helper it started.
# Every daemon has its own server_id, [source] name (the topic prefix:
# {source}.{db}.{table}), state directory and HTTP port ($CONTRACT_HTTP_PORT,
# 13683, and up).  Kafka partitions are checked against the Java client's
# partitioner (org.apache.kafka.common.utils.Utils.murmur2 from the broker's
# jar cache, through a small Java program this script writes and compiles
# into its work directory).  Groups:
#   1  the same workload (every MariaDB column type: integers of each width
#      signed and UNSIGNED to BIGINT UNSIGNED max, DECIMAL up to (65,30),
#      FLOAT/DOUBLE, DATE/TIME(3,6)/DATETIME(6)/TIMESTAMP(3)/YEAR with zero
#      and negative values, CHAR/VARCHAR/TEXT types in utf8mb4, utf8mb3, GBK
#      and latin1 with non-ASCII text, BINARY/VARBINARY/BLOB types, ENUM and
#      SET with utf8mb4, GBK and latin1 members with quotes, a 300-member
#      ENUM and a 64-member SET, BIT(1..64), JSON, UUID, INET4/6, GEOMETRY;
#      composite primary keys declared in another order than the columns,
#      one over ENUM, signed and unsigned columns; a table without a primary
#      key with a [keys] line and one without, one with a UNIQUE NOT NULL key
#      (the key the server uses instead, docs/source.md); inserts, updates,
#      deletes, 22 key-changing updates, multi-row and multi-table
#      transactions) on the
#      three servers, one daemon each from the head: the three servers'
#      (topic without the source prefix, partition, key, value without
#      "source") multisets and per-key sequences are byte-identical; no
#      "positional" nor "signedness_unknown"; ENUM/SET values are strings;
#      keys are the primary key in its order (the [keys] columns in theirs),
#      on the partition murmur2(key) gives, the keyless table on ONE
#      partition, murmur2("db.table"); FULL: the values (source included)
#      are `binlogd dump`'s lines of the binlog files (the [keys] table's key
#      change aside, which dump cannot know); each key change a d and a c of
#      one row event, binlogd_key_changes_total 22 on each; the MINIMAL and
#      NO_LOG schema histories hold every table with its key; the final
#      state per key (c/u/d applied in order) equals SELECT on each server
#      column by column, SQL values formatted as docs/format.md says
#   2  kill -9 (6 times at random moments) under an insert/update load (25
#      statements a transaction, keys reused, key changes, deletes) on the
#      NO_LOG server: per key one partition (murmur2's); the last message of
#      every row equals the row; deleted or moved-away keys end with a "d";
#      no row missing
#   3  statement-logged row changes (SET SESSION binlog_format=STATEMENT):
#      on an unpublished table passed over; on a published one the daemon
#      exits 65 naming table, file:pos and statement, checkpoint before it,
#      nothing after it published, the same again at a restart; with
#      [source] on_statement = skip: runs on, later rows published,
#      binlogd_statements_skipped_total, a warning each, BinlogdStatementChange
#      at the webhook (build/tests/webhook_recv)
#   4  TRUNCATE of a published table: one op "t" message (null key, null
#      images, the TRUNCATE's source) on every partition, after the
#      partition's earlier rows and before its later ones, also on a topic
#      created beforehand with 6 partitions; of an unpublished table:
#      nothing; binlogd_truncates_total 2; a keyless table on a topic of 7
#      partitions: murmur2("db.table") % 7; replay --stdout and dump --host
#      print the TRUNCATE as one op "t" line
#   5  key-changing UPDATEs: a "d" under the old key then a "c" under the
#      new one at the same file:pos, on murmur2's partitions, counted; with
#      [kafka] tombstones = true a null value after each delete under its
#      key; into a topic created beforehand as compacted (AdminClient;
#      segment.ms=100, min.cleanable.dirty.ratio=0.01, delete.retention.ms=
#      100; the broker runs with log.cleaner.backoff.ms=500): once the
#      cleaner ran, the topic holds exactly the live keys, each with its row
#   7  DDL inside a MINIMAL backlog (ALTER: a column added in the middle, the
#      primary key (id) becomes (k, id), an ENUM member inserted before an
#      old one): the restarted daemon publishes the rows before the DDL with
#      the old key and members and those after with the new ones (exact
#      values); the schema history holds both definitions; `binlogd replay
#      --topic-suffix .replay` over the range (and --stdout with
#      --schema-history FILE) and a daemon restarted from a copy of the state
#      directory (fresh source name) publish exactly the same messages.
#      Two DDLs in a backlog that keep column count and types (an ENUM's
#      members reordered twice), read after both: information_schema has
#      the second's members, so the daemon stops before the rows between
#      them, naming the table and the DDL not read yet; never other members
# (Group 6, dump --follow through server restarts, is covered elsewhere.)
# Quiet on success: "== section" lines, FAIL lines, and last
# "N passed, N failed".  An interrupt counts as a failure; after a failure
# build/integ/contract is kept (logs and consumed topics in .../work).
#
# Environment: BINLOGD (build/binlogd), CONTRACT_DB_PORT (13680),
# CONTRACT_KAFKA_PORT (13980), CONTRACT_HTTP_PORT (13683),
# CONTRACT_PARTITIONS (4), CONTRACT_ONLY="1 3" runs only those groups,
# CONTRACT_KILLS (6), CONTRACT_KEEP=1 keeps the directory after a success.
set -u
cd "$(dirname "$0")/../.."
export LC_ALL=C

B=${BINLOGD:-build/binlogd}
RECV=build/tests/webhook_recv
DBPORT=${CONTRACT_DB_PORT:-13680}
KPORT=${CONTRACT_KAFKA_PORT:-13980}
HBASE=${CONTRACT_HTTP_PORT:-13683}
PARTS=${CONTRACT_PARTITIONS:-4}
KILLS=${CONTRACT_KILLS:-6}
ONLY=${CONTRACT_ONLY:-}
DIR=build/integ/contract
JARS=${KAFKA_JARS_DIR:-build/kafka-jars}/${KAFKA_VERSION:-4.3.1}
TAB=$(printf '\t')

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
HPIDS="" # helpers (writers, webhook receivers)
META_0=FULL META_1=MINIMAL META_2=NO_LOG
srvdir() { echo "$DIR/db$1"; }
srvport() { echo $((DBPORT + $1)); }
stop_all_servers() {
    [ -d "$DIR/kafka" ] && sh "$KSH" stop "$DIR/kafka" >/dev/null 2>&1 &
    for s in 0 1 2; do
        [ -f "$DIR/db$s/my.cnf" ] && sh "$MSH" stop "$DIR/db$s" >/dev/null 2>&1 &
    done
    wait
}
cleanup() {
    [ -n "$NAP" ] && kill "$NAP" 2>/dev/null
    for p in $HPIDS; do kill "$p" 2>/dev/null; done
    for p in $DPIDS; do kill -9 "$p" 2>/dev/null; done
    stop_all_servers
    if [ "${CONTRACT_KEEP:-0}" != 1 ] && [ "$fail" -eq 0 ]; then rm -rf "$DIR"; fi
}
trap cleanup EXIT
on_interrupt

for f in "$B" "$RECV"; do
    if [ ! -x "$f" ]; then
        bad "$f is missing: build first (make all unit)"
        finish
    fi
done

# ---- servers -----------------------------------------------------------------
# what an earlier run that was killed may have left
sh "$KSH" stop "$DIR/kafka" >/dev/null 2>&1
for s in 0 1 2; do sh "$MSH" stop "$DIR/db$s" >/dev/null 2>&1; done
rm -rf "$DIR"
mkdir -p "$DIR/work"
W=$DIR/work
AW=$(cd "$W" && pwd -P)
section "servers: MariaDB FULL/MINIMAL/NO_LOG on 127.0.0.1:$DBPORT-$((DBPORT + 2)), Kafka on $BS ($PARTS partitions)"
KAFKA_PARTITIONS=$PARTS sh "$KSH" start "$DIR/kafka" "$KPORT" log.cleaner.backoff.ms=500 \
    >"$W/kafka.start.log" 2>&1 &
SP_K=$!
for s in 0 1 2; do
    eval "m=\$META_$s"
    sh "$MSH" start "$DIR/db$s" "$(srvport $s)" --binlog_row_metadata="$m" --binlog_row_image=FULL \
        >"$W/db$s.start.log" 2>&1 &
    eval "SP_$s=\$!"
done
started=1
for s in 0 1 2; do
    eval "p=\$SP_$s"
    if ! wait "$p"; then
        cat "$W/db$s.start.log"
        bad "MariaDB $s did not start"
        started=0
    fi
done
if ! wait "$SP_K"; then
    cat "$W/kafka.start.log"
    bad "Kafka did not start"
    started=0
fi
[ "$started" = 1 ] || finish
printf 'replpw\n' >"$W/pw"

# dbq SRV ARGS...: the client as root over TCP, utf8mb4, raw tab-separated output
dbq() {
    _s=$1
    shift
    mariadb --no-defaults --connect-timeout=5 -h127.0.0.1 -P"$(srvport "$_s")" -uroot \
        --default-character-set=utf8mb4 -N -B -r "$@"
}
head_pos() { dbq "$1" -e "SHOW MASTER STATUS" 2>/dev/null | awk '{ print $1 ":" $2 }'; }

# ---- daemons ---------------------------------------------------------------------
# mkconf NAME SRV INCLUDE START: W/NAME.conf for server SRV: [source] name
# NAME (so topics NAME.db.table), state in W/NAME.state, its own server_id
# and HTTP port (HTTP_NAME)
SID=700
HP=$HBASE
mkconf() {
    SID=$((SID + 1))
    eval "HTTP_$1=$HP"
    cat >"$W/$1.conf" <<EOF
; tests/integ/contract.sh
[source]
host = 127.0.0.1
port = $(srvport "$2")
user = repl
password_file = $AW/pw
server_id = $SID
name = $1
heartbeat = 1
connect_timeout = 3
ssl_mode = DISABLED
start = $4

[kafka]
bootstrap.servers = $BS
linger.ms = 5

[filter]
include = $3

[state]
dir = $AW/$1.state
checkpoint_interval = 200ms

[http]
listen = 127.0.0.1:$HP

[daemon]
log_level = info
EOF
    HP=$((HP + 1))
}
# conf_add NAME SECTION LINE: LINE right after [SECTION] (added at the end
# when missing)
conf_add() {
    if grep -q "^\[$2\]\$" "$W/$1.conf"; then
        sed -i "/^\[$2\]\$/a $3" "$W/$1.conf"
    else
        printf '\n[%s]\n%s\n' "$2" "$3" >>"$W/$1.conf"
    fi
}
conf_set() { sed -i "s|^$2 = .*|$2 = $3|" "$W/$1.conf"; }
# start_daemon NAME: sets DP (and P_NAME)
start_daemon() {
    echo "---- start $(date '+%H:%M:%S')" >>"$W/$1.log"
    "$B" run -c "$W/$1.conf" >>"$W/$1.log" 2>&1 &
    DP=$!
    eval "P_$1=$DP"
    DPIDS="$DPIDS $DP"
}
# stop_pid PID: SIGTERM, wait 30 s at most (then SIGKILL); sets RC
stop_pid() {
    kill -TERM "$1" 2>/dev/null
    waitfor 30 gone "$1" || kill -9 "$1" 2>/dev/null
    wait "$1"
    RC=$?
    forget DPIDS "$1"
}
kill9_pid() {
    kill -9 "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    forget DPIDS "$1"
}
# exited_pid PID SECS: wait for it to exit by itself (SIGKILL after SECS); sets RC
exited_pid() {
    waitfor "$2" gone "$1" || kill -9 "$1" 2>/dev/null
    wait "$1"
    RC=$?
    forget DPIDS "$1"
}
connected() { [ "$(grep_count "connected to 127.0.0.1" "$W/$1.log")" -ge "${2:-1}" ]; }
ckpt_pos() {
    sed -n 's/.*"file":"\([^"]*\)","pos":\([0-9]*\),.*/\1:\2/p' "$W/$1.state/checkpoint.json" 2>/dev/null
}
# ckpt_at_head NAME SRV
ckpt_at_head() { _h=$(head_pos "$2") && [ -n "$_h" ] && [ "$(ckpt_pos "$1")" = "$_h" ]; }
# pos_in FILE:POS LO HI: same file, LO <= POS < HI
pos_in() {
    [ "${1%:*}" = "${2%:*}" ] && [ "${1%:*}" = "${3%:*}" ] &&
        [ "${1##*:}" -ge "${2##*:}" ] && [ "${1##*:}" -lt "${3##*:}" ]
}
metric() { curl -s --max-time 3 "http://127.0.0.1:$2/metrics" | awk -v k="$1" '$1 == k { print $2; exit }'; }
http_up() { curl -s --max-time 1 -o /dev/null "http://127.0.0.1:$1/status"; }

# ---- Kafka -----------------------------------------------------------------------
# topics PREFIX: the topics whose names start with PREFIX
topics() {
    kcat -b "$BS" -L 2>/dev/null | sed -n 's/^ *topic "\([^"]*\)" with .*/\1/p' |
        awk -v p="$1" 'index($0, p) == 1' | sort
}
# consume TOPIC OUT: "partition<TAB>offset<TAB>key<TAB>value" per message,
# by partition and offset; a null key or value is NULL
consume() {
    kcat -b "$BS" -C -t "$1" -o beginning -e -q -Z -f '%p\t%o\t%k\t%s\n' 2>"$2.err" |
        sort -t "$TAB" -k1,1n -k2,2n >"$2"
}
nmsgs() { kcat -b "$BS" -C -t "$1" -o beginning -e -q -f 'x\n' 2>/dev/null | wc -l; }

# The Java client's partitioner and topic creation with settings: a small
# program compiled once into W/java against the broker's kafka-clients jar.
JCP=""
for j in "$JARS"/kafka-clients-*.jar "$JARS"/slf4j-api-*.jar "$JARS"/slf4j-simple-*.jar; do
    [ -f "$j" ] && JCP=${JCP:+$JCP:}$j
done
JAVA_OK=""
java_build() {
    [ -n "$JAVA_OK" ] && return "$JAVA_OK"
    mkdir -p "$W/java"
    cat >"$W/java/Ct.java" <<'EOF'
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.utils.Utils;

/* murmur N: "partition<TAB>line" for each line of stdin (its UTF-8 bytes as
 * the key), as the Java producer's default partitioner picks it.
 * create BOOTSTRAP TOPIC PARTITIONS NAME=VALUE...: create the topic with
 * those settings, print them as the broker describes them. */
public class Ct {
    public static void main(String[] a) throws Exception {
        if (a[0].equals("murmur")) {
            int n = Integer.parseInt(a[1]);
            BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            PrintStream o = new PrintStream(System.out, true, "UTF-8");
            for (String l; (l = r.readLine()) != null;)
                o.println(Utils.toPositive(Utils.murmur2(l.getBytes(StandardCharsets.UTF_8))) % n + "\t" + l);
            return;
        }
        Properties p = new Properties();
        p.put("bootstrap.servers", a[1]);
        try (Admin ad = Admin.create(p)) {
            Map<String, String> cfg = new TreeMap<>();
            for (int i = 4; i < a.length; i++) {
                String[] kv = a[i].split("=", 2);
                cfg.put(kv[0], kv[1]);
            }
            ad.createTopics(List.of(new NewTopic(a[2], Integer.parseInt(a[3]), (short) 1).configs(cfg))).all().get();
            ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, a[2]);
            Config c = ad.describeConfigs(List.of(res)).all().get().get(res);
            for (String k : cfg.keySet()) System.out.println(k + "=" + c.get(k).value());
            System.out.println("partitions=" + ad.describeTopics(List.of(a[2])).allTopicNames().get().get(a[2]).partitions().size());
        }
    }
}
EOF
    if javac -nowarn -cp "$JCP" -d "$W/java" "$W/java/Ct.java" >"$W/java/javac.log" 2>&1; then
        JAVA_OK=0
    else
        bad "javac of the partitioner helper failed ($(head -c 300 "$W/java/javac.log"))"
        JAVA_OK=1
    fi
    return "$JAVA_OK"
}
jct() { java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$W/java:$JCP" Ct "$@"; }
# murmur_check LABEL MSGS...: every message with a key is on the partition
# murmur2(key) % PARTS (null keys are left out); prints mismatches
murmur_check() {
    _l=$1
    shift
    java_build || return
    cat "$@" | awk -F "$TAB" '$3 != "NULL" { print $3 }' | sort -u | jct murmur "$PARTS" >"$W/murmur.out" 2>"$W/murmur.err"
    cat "$@" | awk -F "$TAB" 'NR == FNR { want[$2] = $1; next }
        $3 != "NULL" { n++; if (!($3 in want)) { nw++; next } if (want[$3] != $1) { bad++; if (bad < 4) printf "%s on %s, murmur2 says %s; ", $3, $1, want[$3] } }
        END { printf "%d keyed messages, %d keys; %d not on their partition, %d keys unknown", n, length(want), bad, nw; exit (bad > 0 || nw > 0 || n == 0) }' \
        "$W/murmur.out" - >"$W/murmur.res"
    check "$_l: every keyed message is on murmur2(key) % $PARTS ($(cat "$W/murmur.res"))" [ $? -eq 0 ]
}

# ---- JSON in awk -----------------------------------------------------------------
# jmembers(s, N, V): the top-level members of the JSON object text s (no
# white space, as binlogd and the SQL below write it): names N[1..n], raw
# value texts V[name]; returns n
JL='
function jstr_end(s, i,    r, m) {
    i++
    while (1) {
        r = substr(s, i); m = match(r, /["\\]/)
        if (!m) return length(s)
        i += m - 1
        if (substr(s, i, 1) == "\\") { i += 2; continue }
        return i
    }
}
function jval_end(s, i,    c, d, L, r, m) {
    c = substr(s, i, 1)
    if (c == "\"") return jstr_end(s, i)
    if (c == "{" || c == "[") {
        d = 0; L = length(s)
        while (i <= L) {
            c = substr(s, i, 1)
            if (c == "\"") { i = jstr_end(s, i) + 1; continue }
            if (c == "{" || c == "[") d++
            else if (c == "}" || c == "]") { d--; if (d == 0) return i }
            i++
        }
        return L
    }
    r = substr(s, i); m = match(r, /[,}\]]/)
    return m ? i + m - 2 : length(s)
}
function jmembers(s, N, V,    n, i, e, name) {
    split("", N); split("", V); n = 0
    if (substr(s, 1, 1) != "{" || substr(s, 2, 1) == "}") return 0
    i = 2
    while (1) {
        e = jstr_end(s, i); name = substr(s, i + 1, e - i - 1)
        i = e + 2
        e = jval_end(s, i)
        N[++n] = name; V[name] = substr(s, i, e - i + 1)
        i = e + 1
        if (substr(s, i, 1) != ",") break
        i++
    }
    return n
}
function nosource(v) { if (!sub(/,"source":[{][^{}]*[}][}]$/, "}", v)) return ""; return v }
'
# kafka_state < MSGS: "key<TAB>after image" of each key whose last message
# (tombstones left out) is a c or u, sorted; "key<TAB>-" for one that ends
# with a d
kafka_state() {
    awk -F "$TAB" "$JL"'
        $4 == "NULL" { next }
        { jmembers($4, N, V); op = V["op"]
          if (op == "\"d\"") st[$3] = "-"
          else if (op == "\"c\"" || op == "\"u\"") st[$3] = V["after"]
          else st[$3] = "?op " op }
        END { for (k in st) print k "\t" st[k] }' | sort
}
# kafka_rows < MSGS: the rows of a keyless table, the messages applied in
# order by their whole images (c adds after, d takes away before, u both)
kafka_rows() {
    awk -F "$TAB" "$JL"'
        $4 == "NULL" { next }
        { jmembers($4, N, V); op = V["op"]
          if (op == "\"c\"" || op == "\"u\"") rows[V["after"]]++
          if (op == "\"d\"" || op == "\"u\"") { if (rows[V["before"]] > 0) rows[V["before"]]--; else print "?gone\t" V["before"] } }
        END { for (r in rows) for (i = 0; i < rows[r]; i++) print "NULL\t" r }' | sort
}
# The JSON text of a SQL column, as docs/format.md says binlogd writes it
# (awk: expr(column, DATA_TYPE)); TIMESTAMPs need time_zone = +00:00
AWKSQL='
function expr(c, t,   q) {
    q = "`" c "`"
    if (t ~ /^(tinyint|smallint|mediumint|int|bigint|float|double)$/) return "CAST(" q " AS CHAR)"
    if (t == "decimal" || t ~ /^(date|time|datetime|timestamp)$/) return "CONCAT(\"\\\"\"," q ",\"\\\"\")"
    if (t == "year" || t == "bit") return "CAST(" q "+0 AS CHAR)"
    if (t ~ /^(char|varchar|tinytext|text|mediumtext|longtext|enum|set)$/) return "JSON_QUOTE(CONVERT(" q " USING utf8mb4))"
    if (t ~ /^(binary|varbinary|tinyblob|blob|mediumblob|longblob)$/) return b64(q)
    if (t == "uuid") return b64("UNHEX(REPLACE(CAST(" q " AS CHAR),\"-\",\"\"))")
    if (t == "inet6" || t == "inet4") return b64("INET6_ATON(CAST(" q " AS CHAR))")
    if (t ~ /^(geometry|point|linestring|polygon|multipoint|multilinestring|multipolygon|geometrycollection)$/)
        return b64("CONCAT(UNHEX(\"00000000\"),ST_AsBinary(" q "))")
    return "\"\\\"unknown type " t "\\\"\""
}
function b64(x) { return "CONCAT(\"\\\"\",REPLACE(TO_BASE64(" x "),\"\\n\",\"\"),\"\\\"\")" }
function obj(names, n,   i, s) {
    s = ""
    for (i = 1; i <= n; i++)
        s = s (i > 1 ? ",\",\"," : "") "\"\\\"" names[i] "\\\":\",IFNULL(" expr(names[i], type[names[i]]) ",\"null\")"
    return "CONCAT(\"{\"," s ",\"}\")"
}
{ col[++nc] = $1; type[$1] = $2 }
END {
    nk = (keys == "" || keys == "NULL") ? 0 : split(keys, kc, ",")
    printf "SET time_zone = \"+00:00\"; SELECT %s, %s FROM `%s`.`%s`;\n", nk ? obj(kc, nk) : "\"NULL\"", obj(col, nc), db, tb
}'
# rows_json SRV DB TABLE [KEYCOLS]: "key<TAB>row" of every row, in binlogd's
# JSON, sorted; the key is the primary key (else KEYCOLS, comma-separated;
# else NULL); W/cols.DB.TABLE: "column<TAB>type"
rows_json() {
    dbq "$1" -e "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS
                 WHERE TABLE_SCHEMA = '$2' AND TABLE_NAME = '$3' ORDER BY ORDINAL_POSITION" >"$W/cols.$2.$3"
    _k=${4:-}
    [ -n "$_k" ] || _k=$(dbq "$1" -e "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) FROM information_schema.STATISTICS
                     WHERE TABLE_SCHEMA = '$2' AND TABLE_NAME = '$3' AND INDEX_NAME = 'PRIMARY'")
    awk -F "$TAB" -v keys="$_k" -v db="$2" -v tb="$3" "$AWKSQL" "$W/cols.$2.$3" >"$W/sql.$2.$3"
    dbq "$1" <"$W/sql.$2.$3" | sort
}
# state_cmp DBROWS KAFKASTATE COLS: compare the rows key by key, column by
# column (FLOAT and DOUBLE as numbers: MariaDB prints fewer digits); prints
# a summary, exit 1 on a difference
state_cmp() {
    awk -F "$TAB" "$JL"'
        FILENAME == ARGV[1] { ty[$1] = $2; next }
        FILENAME == ARGV[2] { db[$1] = $2; ndb++; next }
        $2 != "-" { ka[$1] = $2 }
        function say(m) { bad++; if (bad <= 4) msg = msg m "; " }
        function num_eq(a, b, tol,   d) {
            if (a == b) return 1
            if (a == "null" || b == "null") return 0
            d = a - b; if (d < 0) d = -d
            if (a < 0) a = -a
            return d <= tol * a
        }
        END {
            for (k in db) if (!(k in ka)) say("key " k " in the table, not in Kafka (row " substr(db[k], 1, 150) ")")
            for (k in ka) if (!(k in db)) say("key " k " live in Kafka, not in the table (" substr(ka[k], 1, 150) ")")
            for (k in db) {
                if (!(k in ka)) continue
                if (db[k] == ka[k]) { same++; continue }
                n1 = jmembers(db[k], N1, V1); n2 = jmembers(ka[k], N2, V2)
                if (n1 != n2) { say("key " k ": " n2 " columns in Kafka, " n1 " in the table"); continue }
                for (i = 1; i <= n1; i++) {
                    c = N1[i]
                    if (N2[i] != c) { say("key " k ": column " i " is " N2[i] " in Kafka, " c " in the table"); break }
                    if (V1[c] == V2[c]) continue
                    if (ty[c] == "float" && num_eq(V2[c], V1[c], 1e-5)) continue
                    if (ty[c] == "double" && num_eq(V2[c], V1[c], 1e-13)) continue
                    say("key " k " column " c ": Kafka " substr(V2[c], 1, 80) ", SELECT " substr(V1[c], 1, 80))
                }
            }
            printf "%d rows, %d differences%s", ndb, bad, bad ? ": " msg : ""
            exit (bad > 0 || ndb == 0)
        }' "$3" "$1" "$2"
}

# ---- 1: the same workload on three servers ------------------------------------------
g1_ddl() {
    eb=$(awk 'BEGIN { for (i = 1; i <= 300; i++) printf "%s'"'"'m%d'"'"'", (i > 1 ? "," : ""), i }')
    sb=$(awk 'BEGIN { for (i = 1; i <= 64; i++) printf "%s'"'"'s%d'"'"'", (i > 1 ? "," : ""), i }')
    cat <<EOF
CREATE TABLE t_int (id INT NOT NULL PRIMARY KEY,
  ti TINYINT, uti TINYINT UNSIGNED, si SMALLINT, usi SMALLINT UNSIGNED, mi MEDIUMINT,
  umi MEDIUMINT UNSIGNED, i INT, ui INT UNSIGNED, bi BIGINT, ubi BIGINT UNSIGNED);
CREATE TABLE t_num (id BIGINT UNSIGNED PRIMARY KEY, d1 DECIMAL(5,2), d2 DECIMAL(30,10),
  d3 DECIMAL(65,30), d4 DECIMAL(10,0) UNSIGNED, f FLOAT, fd FLOAT(7,3), dbl DOUBLE, dbl2 DOUBLE PRECISION);
CREATE TABLE t_time (id SMALLINT PRIMARY KEY, d DATE, t TIME, t3 TIME(3), t6 TIME(6), dt DATETIME,
  dt6 DATETIME(6), ts TIMESTAMP NULL DEFAULT NULL, ts3 TIMESTAMP(3) NULL DEFAULT NULL, y YEAR);
CREATE TABLE t_text (id INT PRIMARY KEY, u VARCHAR(40) CHARACTER SET utf8mb4,
  g VARCHAR(40) CHARACTER SET gbk, l VARCHAR(40) CHARACTER SET latin1, cu CHAR(8) CHARACTER SET utf8mb4,
  cg CHAR(8) CHARACTER SET gbk, cl CHAR(8) CHARACTER SET latin1, tu TEXT CHARACTER SET utf8mb4,
  tg TEXT CHARACTER SET gbk, tl TINYTEXT CHARACTER SET latin1, mt MEDIUMTEXT, lt LONGTEXT,
  u3 VARCHAR(20) CHARACTER SET utf8mb3, uv VARCHAR(400) CHARACTER SET utf8mb4,
  cu2 CHAR(100) CHARACTER SET utf8mb4) DEFAULT CHARSET = latin1;
CREATE TABLE t_bin (id INT PRIMARY KEY, b BINARY(8), vb VARBINARY(300), tb TINYBLOB, bl BLOB,
  mb MEDIUMBLOB, lb LONGBLOB, b1 BINARY(1));
CREATE TABLE t_enum (id INT PRIMARY KEY,
  e ENUM('a','b''q','分账','é','x y') CHARACTER SET utf8mb4,
  eg ENUM('甲','乙''s','丙"') CHARACTER SET gbk,
  el ENUM('ä','ö','ß') CHARACTER SET latin1,
  s SET('x','y''z','中','ü') CHARACTER SET utf8mb4,
  sg SET('红','绿','蓝''') CHARACTER SET gbk,
  eb ENUM($eb), sb SET($sb));
CREATE TABLE t_bit (id INT PRIMARY KEY, b1 BIT(1), b7 BIT(7), b10 BIT(10), b64 BIT(64));
CREATE TABLE t_misc (id INT PRIMARY KEY, j JSON, uu UUID, i6 INET6, i4 INET4, g GEOMETRY, p POINT);
CREATE TABLE t_comp (name VARCHAR(20), id INT NOT NULL, amt DECIMAL(10,2),
  k2 VARCHAR(10) CHARACTER SET gbk NOT NULL, PRIMARY KEY (k2, id));
CREATE TABLE t_comp2 (a INT, u BIGINT UNSIGNED NOT NULL, s TINYINT NOT NULL, e ENUM('x','y') NOT NULL,
  v VARCHAR(5), PRIMARY KEY (e, s, u));
CREATE TABLE nk_keyed (a INT, b VARCHAR(10) CHARACTER SET gbk, v VARCHAR(20));
CREATE TABLE nk_null (a INT, v VARCHAR(20));
CREATE TABLE t_uk (a INT NOT NULL, b VARCHAR(10) CHARACTER SET gbk NOT NULL, v INT, UNIQUE KEY uk (b, a));
EOF
}
# 22 updates change a key: t_int 11, t_num, t_time, t_text, t_bin, t_enum,
# t_bit 1 each, t_comp 2, t_comp2 1, nk_keyed 1 (its [keys] line), t_uk 1
# (its UNIQUE NOT NULL key, the key the server uses in place of a primary
# key: docs/source.md)
G1_KEYCHANGES=22
g1_sql() {
    cat <<'EOF'
SET SESSION sql_mode = '';
SET SESSION time_zone = '+00:00';
INSERT INTO t_int VALUES
 (1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808, 18446744073709551615),
 (2, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 0),
 (3, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1),
 (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO t_int (id, i, ubi) SELECT seq, -3 * CAST(seq AS SIGNED), seq * 1000003 FROM seq_100_to_399;
BEGIN;
UPDATE t_int SET ubi = 18446744073709551614, ti = 0 WHERE id = 1;
UPDATE t_int SET id = 10 WHERE id = 3;
DELETE FROM t_int WHERE id = 4;
INSERT INTO t_int (id, ubi, bi) VALUES (5, 9223372036854775808, -9223372036854775807);
COMMIT;
UPDATE t_int SET i = i + 1 WHERE id BETWEEN 100 AND 199;
UPDATE t_int SET id = id + 1000 WHERE id BETWEEN 300 AND 309;
DELETE FROM t_int WHERE id >= 350 AND id < 400;

INSERT INTO t_num VALUES
 (18446744073709551615, -999.99, 12345678901234567890.0123456789, -0.000000000000000000000000000001, 4294967295, 0.1, -1234.567, -1e300, 2.2250738585072014e-308),
 (0, 0.00, -0.0000000001, 99999999999999999999999999999999999.999999999999999999999999999999, 0, -3.4028235e38, 0, 1e21, 0.1),
 (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (7, 5.5, -1, 1.5, 10, 1.17549435e-38, 0.001, 123456789.123456789, -2.5),
 (8, 1, 1, 1, 1, 1, 1, 1, 1);
UPDATE t_num SET id = 2, f = 1.5 WHERE id = 1;
UPDATE t_num SET d1 = 1.05, d3 = -d3 WHERE id = 0;
DELETE FROM t_num WHERE id = 8;

INSERT INTO t_time VALUES
 (1, '2024-02-29', '-838:59:59', '-00:00:00.001', '838:59:59.999999', '1000-01-01 00:00:00', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07', '1970-01-01 00:00:01.001', 1901),
 (2, '0000-00-00', '00:00:00', '12:34:56.7', '-01:02:03.000004', '0000-00-00 00:00:00', '2024-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', 0),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (4, '9999-12-31', '23:59:59', '-838:59:59.000', '00:00:00.5', '2024-02-29 12:34:56', '1000-01-01 00:00:00.000001', '2024-06-01 12:00:00', '2024-06-01 12:00:00.999', 2155);
UPDATE t_time SET id = 5, dt6 = '2000-01-01 00:00:00.100000' WHERE id = 3;
UPDATE t_time SET ts3 = '2030-01-01 01:02:03.456' WHERE id = 1;

INSERT INTO t_text VALUES
 (1, 'héllo 分账 🙂', '分账 甲乙', 'Grüße ÿ', 'ü中', '中文', 'àé', 'tab\there\nnl "q" \\ bs /', '国标 GBK 文本', 'latin ½ ¼', REPEAT('m', 1000), REPEAT('长', 3000), 'utf8mb3 ü', REPEAT('é', 300), REPEAT('中', 100)),
 (2, '', '', '', '', '', '', '', '', '', '', '', '', '', ''),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (4, 'trailing  ', '尾  ', 'x ', 'pad  ', '中 ', 'a ', ' lead', '甲', 'ß', 'mt', 'lt', 'u3', 'uv', 'cu2');
UPDATE t_text SET g = '乙丙丁', l = 'Ärger', cg = '乙' WHERE id = 1;
UPDATE t_text SET id = 6 WHERE id = 4;
DELETE FROM t_text WHERE id = 2;

INSERT INTO t_bin VALUES
 (1, x'0001020300', x'00ff00', x'', x'deadbeef00', REPEAT(x'ab', 5000), REPEAT(x'00ff', 40000), x'00'),
 (2, x'ffffffffffffffff', '', NULL, NULL, NULL, NULL, NULL),
 (3, '', REPEAT(x'7f', 300), x'ff', 'text as bytes é', x'00', x'', 'z');
UPDATE t_bin SET vb = x'0000', b = x'01' WHERE id = 2;
UPDATE t_bin SET id = 4 WHERE id = 3;

INSERT INTO t_enum VALUES
 (1, 'b''q', '乙''s', 'ß', 'y''z,中', '红,蓝''', 'm300', 's1,s64'),
 (2, '分账', '丙"', 'ä', '', '', 'm1', ''),
 (3, 'nope', '甲', 'ö', 'x,y''z,中,ü', '绿', 'm256', 's33'),
 (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE t_enum SET e = 'é', s = 'ü' WHERE id = 1;
UPDATE t_enum SET id = 5 WHERE id = 4;
DELETE FROM t_enum WHERE id = 2;

INSERT INTO t_bit VALUES (1, b'1', b'1111111', b'1010101010', x'FFFFFFFFFFFFFFFF'), (2, b'0', 0, 0, 0),
 (3, NULL, NULL, NULL, NULL), (4, 1, 5, 1023, 9223372036854775808);
UPDATE t_bit SET b64 = 1, b1 = 0 WHERE id = 1;
UPDATE t_bit SET id = 6 WHERE id = 2;

INSERT INTO t_misc VALUES
 (1, '{"a":[1,2,{"b":null}],"s":"分\\"x","n":18446744073709551615}', '6ccd780c-baba-4026-9564-5b8c656024db',
  '2001:db8::ff00:42:8329', '192.168.0.1', ST_GeomFromText('LINESTRING(0 0,1 1,2 1)'), POINT(1.5, -2.25)),
 (2, NULL, NULL, NULL, NULL, NULL, NULL),
 (3, '[]', '00000000-0000-0000-0000-000000000000', '::ffff:1.2.3.4', '0.0.0.0',
  ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))'), POINT(0, 0)),
 (4, '"s"', 'e4eaaaf2-d142-11e1-b3e4-080027620cdd', '::', '255.255.255.255', NULL, POINT(-1, 1e300));
UPDATE t_misc SET j = '{"updated":true}', i4 = '10.0.0.1' WHERE id = 1;

INSERT INTO t_comp VALUES ('n1', 1, 1.00, '甲'), ('n2', 2, -2.50, 'b'), ('n3', 1, 3.00, 'b'), ('n4', 3, 0, '乙');
BEGIN;
UPDATE t_comp SET k2 = '丙' WHERE id = 2;
UPDATE t_comp SET id = id + 10 WHERE k2 = 'b';
UPDATE t_comp SET amt = 9.99 WHERE k2 = '甲';
DELETE FROM t_comp WHERE id = 3;
COMMIT;

INSERT INTO t_comp2 VALUES (1, 18446744073709551615, -128, 'y', 'a'), (2, 0, 127, 'x', 'b'), (3, 5, -1, 'y', 'c');
UPDATE t_comp2 SET e = 'x' WHERE a = 1;
UPDATE t_comp2 SET v = 'cc' WHERE a = 3;
DELETE FROM t_comp2 WHERE a = 2;

INSERT INTO nk_keyed VALUES (1, '甲', 'v1'), (2, 'b', 'v2'), (1, 'b', 'v3');
UPDATE nk_keyed SET v = 'v1b' WHERE a = 1 AND b = '甲';
UPDATE nk_keyed SET b = 'c' WHERE a = 2;
DELETE FROM nk_keyed WHERE a = 1 AND b = 'b';

INSERT INTO t_uk VALUES (1, '甲', 1), (2, 'b', 2), (3, 'c', 3);
UPDATE t_uk SET v = 10 WHERE a = 1;
UPDATE t_uk SET b = '乙' WHERE a = 2;
DELETE FROM t_uk WHERE a = 3;

INSERT INTO nk_null VALUES (1, 'x'), (2, 'y'), (2, 'y'), (3, NULL);
UPDATE nk_null SET v = 'z' WHERE a = 1;
DELETE FROM nk_null WHERE a = 2 LIMIT 1;
UPDATE nk_null SET a = 4 WHERE a = 3;

BEGIN;
INSERT INTO t_int (id, ti) VALUES (20, 20), (21, 21);
INSERT INTO t_text (id, u) VALUES (20, '事务 in a transaction');
UPDATE t_enum SET eb = 'm2', sb = 's2,s3' WHERE id = 3;
INSERT INTO nk_null VALUES (9, 'txn');
INSERT INTO nk_keyed VALUES (9, '乙', 'txn');
DELETE FROM t_int WHERE id = 20;
UPDATE t_comp2 SET v = 'txn' WHERE a = 3;
COMMIT;
EOF
}
G1_TABLES="t_int t_num t_time t_text t_bin t_enum t_bit t_misc t_comp t_comp2 t_uk nk_keyed nk_null"
G1_NAMES="f1 m1 n1" # the daemons of the FULL, MINIMAL and NO_LOG servers

if want 1; then
    section "1: the same workload on the FULL, MINIMAL and NO_LOG servers"
    g1_ddl >"$W/g1.ddl.sql"
    g1_sql >"$W/g1.sql"
    s=0
    for n in $G1_NAMES; do
        dbq $s -e "CREATE DATABASE ct" && dbq $s ct <"$W/g1.ddl.sql" || bad "1: creating the tables on server $s failed"
        mkconf $n $s "ct.*" "$(head_pos $s)"
        conf_add $n keys "ct.nk_key* = b, a"
        start_daemon $n
        s=$((s + 1))
    done
    for n in $G1_NAMES; do
        waitfor 20 connected $n || bad "1: daemon $n did not connect: $(tail -3 "$W/$n.log")"
    done
    s=0
    for n in $G1_NAMES; do
        dbq $s ct <"$W/g1.sql" >"$W/g1.$n.sql.out" 2>&1 &
        eval "WL_$n=\$!"
        s=$((s + 1))
    done
    s=0
    for n in $G1_NAMES; do
        eval "wait \$WL_$n"
        rc=$?
        check "1: the workload on server $s ($n): exit 0 (exit $rc: $(head -c 300 "$W/g1.$n.sql.out"))" [ "$rc" -eq 0 ]
        s=$((s + 1))
    done
    s=0
    for n in $G1_NAMES; do
        waitfor 60 ckpt_at_head $n $s ||
            bad "1: $n: the checkpoint did not reach the head ($(ckpt_pos $n) vs $(head_pos $s)): $(tail -3 "$W/$n.log")"
        eval "hp=\$HTTP_$n"
        kc=$(metric binlogd_key_changes_total "$hp")
        check "1: $n: binlogd_key_changes_total is $G1_KEYCHANGES (${kc:-absent})" [ "${kc:-x}" = "$G1_KEYCHANGES" ]
        eval "p=\$P_$n"
        stop_pid "$p"
        check "1: $n: SIGTERM: exit 0 (exit $RC: $(tail -1 "$W/$n.log" | cut -c 1-200))" [ "$RC" -eq 0 ]
        s=$((s + 1))
    done
    # every topic of each daemon, consumed; NAME.all: "table<TAB>partition<TAB>
    # offset<TAB>key<TAB>value" (value as published)
    for n in $G1_NAMES; do
        (
            : >"$W/$n.all"
            for t in $(topics "$n.ct."); do
                consume "$t" "$W/$t.msgs"
                awk -v t="${t#"$n".}" '{ print t "\t" $0 }' "$W/$t.msgs" >>"$W/$n.all"
            done
        ) &
        eval "CW_$n=\$!"
    done
    for n in $G1_NAMES; do eval "wait \$CW_$n"; done
    want_topics=$(for t in $G1_TABLES; do echo "ct.$t"; done | sort | tr '\n' ' ')
    for n in $G1_NAMES; do
        got_topics=$(topics "$n.ct." | sed "s/^$n\.//" | tr '\n' ' ')
        check "1: $n: one topic per table, $n.ct.TABLE (got: $got_topics)" [ "$got_topics" = "$want_topics" ]
        # values without source: NAME.nosrc "table partition offset key value"
        awk -F "$TAB" -v OFS="$TAB" "$JL"'{ v = $5; if (v != "NULL") { v = nosource(v); if (v == "") { bad++; v = "NO SOURCE " $5 } } $5 = v; print }
            END { exit bad > 0 }' "$W/$n.all" >"$W/$n.nosrc"
        check "1: $n: every value (but tombstones) ends with a \"source\" block" [ $? -eq 0 ]
        cut -f1,2,4,5 "$W/$n.nosrc" | sort >"$W/$n.set"
        sort -t "$TAB" -k1,1 -k2,2n -k3,3n "$W/$n.nosrc" | cut -f1,4,5 | sort -s -t "$TAB" -k1,1 -k2,2 >"$W/$n.seq"
        npos=$(grep -c '"positional"\|"signedness_unknown"' "$W/$n.all")
        check "1: $n: no value has \"positional\" or \"signedness_unknown\" ($npos do)" [ "$npos" -eq 0 ]
    done
    nf=$(wc -l <"$W/f1.all")
    check "1: FULL published messages ($nf)" [ "$nf" -ge 500 ]
    for n in m1 n1; do
        check "1: $n: (topic, partition, key, value without source) multiset byte-identical to FULL's ($(wc -l <"$W/$n.set") vs $nf messages; first difference: $(diff "$W/f1.set" "$W/$n.set" | grep '^[<>]' | head -2 | cut -c 1-400 | tr '\n' ' '))" \
            cmp -s "$W/f1.set" "$W/$n.set"
        check "1: $n: per-key sequences byte-identical to FULL's (first difference: $(diff "$W/f1.seq" "$W/$n.seq" | grep '^[<>]' | head -2 | cut -c 1-400 | tr '\n' ' '))" \
            cmp -s "$W/f1.seq" "$W/$n.seq"
    done
    # what the FULL binlog holds: `binlogd dump` of the files prints the
    # same objects (key changes as d + c too), but knows no [keys] line
    "$B" dump $(ls "$(srvdir 0)"/db/binlog.[0-9]* | sort) >"$W/g1.dump" 2>"$W/g1.dump.err"
    check "1: binlogd dump of the FULL server's files: exit 0 ($(head -c 200 "$W/g1.dump.err"))" [ $? -eq 0 ]
    grep '^{"op":"[cud]","db":"ct",' "$W/g1.dump" | grep -v '"table":"nk_keyed"' | sort >"$W/g1.dump.want"
    grep -v "^ct\.nk_keyed$TAB" "$W/f1.all" | cut -f5 | sort >"$W/g1.dump.got"
    check "1: FULL: the values (source included) equal the dump's lines but nk_keyed's, as a multiset ($(wc -l <"$W/g1.dump.got") vs $(wc -l <"$W/g1.dump.want"); $(diff "$W/g1.dump.want" "$W/g1.dump.got" | grep '^[<>]' | head -2 | cut -c 1-300 | tr '\n' ' '))" \
        cmp -s "$W/g1.dump.want" "$W/g1.dump.got"
    nd=$(grep -c '^{"op":"[cud]","db":"ct","table":"nk_keyed",' "$W/g1.dump")
    nk=$(grep -c "^ct\.nk_keyed$TAB" "$W/f1.all")
    check "1: FULL: nk_keyed: $nk messages = the dump's $nd + 1 (its key change, a u in the dump, is a d and a c under the [keys] key)" [ "$nk" -eq $((nd + 1)) ]
    for n in $G1_NAMES; do
        # key changes: a d and a c of one row event (file, pos, row), d first
        awk -F "$TAB" "$JL"'$5 != "NULL" { jmembers($5, N, V); op = V["op"]; jmembers(V["source"], SN, SV)
                at = $1 " " SV["file"] " " SV["pos"] " " SV["row"]
                if (op == "\"d\"") d[at] = $4; else if (op == "\"c\"") c[at] = $4 }
            END { for (at in c) if (at in d) { pairs++; if (d[at] == c[at]) same++ } printf "%d %d", pairs, same }' "$W/$n.all" >"$W/$n.pairs"
        read pairs same <"$W/$n.pairs"
        check "1: $n: $G1_KEYCHANGES key changes published as a d then a c of the same row event ($pairs, $same of them under one key)" \
            [ "$pairs" -eq "$G1_KEYCHANGES" -a "$same" -eq 0 ]
    done
    # ENUM and SET values are strings (or null)
    awk -F "$TAB" "$JL"'$1 == "ct.t_enum" && $5 != "NULL" { jmembers($5, N, V)
            for (im in A) delete A[im]
            A[1] = V["before"]; A[2] = V["after"]
            for (im = 1; im <= 2; im++) { if (A[im] == "null") continue
                n = jmembers(A[im], CN, CV)
                for (i = 2; i <= n; i++) { checked++; if (CV[CN[i]] != "null" && substr(CV[CN[i]], 1, 1) != "\"") { bad++; if (bad < 3) printf "%s=%s ", CN[i], CV[CN[i]] } } } }
        END { printf "%d values checked", checked; exit (bad > 0 || checked < 50) }' "$W/n1.all" >"$W/g1.enum"
    check "1: NO_LOG: every ENUM/SET value is a string or null ($(cat "$W/g1.enum"))" [ $? -eq 0 ]
    # keys and partitions
    awk -F "$TAB" '$1 != "ct.nk_null" && $4 == "NULL" { n++ } END { exit n > 0 }' "$W/f1.all"
    check "1: FULL: every message of a table with a key has a key" [ $? -eq 0 ]
    cut -f2- "$W/f1.all" >"$W/f1.all.pkv"
    murmur_check "1: FULL" "$W/f1.all.pkv"
    grep "^ct\.nk_null$TAB" "$W/f1.all" >"$W/g1.nk_null"
    nkp=$(cut -f2 "$W/g1.nk_null" | sort -u | tr '\n' ' ')
    nkk=$(cut -f4 "$W/g1.nk_null" | sort -u | tr '\n' ' ')
    java_build && wantp=$(echo "ct.nk_null" | jct murmur "$PARTS" | cut -f1)
    check "1: the keyless table: $(wc -l <"$W/g1.nk_null") messages, null keys ($nkk), all on partition murmur2(\"ct.nk_null\") % $PARTS = ${wantp:-?} (got $nkp)" \
        [ "$nkk" = "NULL " -a "$nkp" = "${wantp:-x} " -a "$(wc -l <"$W/g1.nk_null")" -ge 7 ]
    check "1: nk_keyed: keys are the [keys] columns in their order (b, a)" \
        grep -q "^ct\.nk_keyed$TAB[0-9]*$TAB[0-9]*$TAB{\"b\":\"乙\",\"a\":9}$TAB" "$W/f1.all"
    # the schema history of MINIMAL and NO_LOG: every table, with its key
    for n in m1 n1; do
        h=$W/$n.state/schema-history.jsonl
        ht=$(jq -r 'select(.db == "ct" and .name != null) | .name' "$h" 2>/dev/null | sort -u | tr '\n' ' ')
        check "1: $n: the schema history ($h) holds every table of ct (got: $ht)" [ "$ht" = "$(echo $G1_TABLES | tr ' ' '\n' | sort | tr '\n' ' ')" ]
        hk=$(jq -c 'select(.db == "ct" and (.name == "t_comp" or .name == "t_comp2" or .name == "nk_null")) | [.name, .primary_key]' "$h" 2>/dev/null | sort -u | tr '\n' ' ')
        check "1: $n: ... with the primary keys in their order ($hk)" \
            [ "$hk" = '["nk_null",[]] ["t_comp",["k2","id"]] ["t_comp2",["e","s","u"]] ' ]
    done
    # final state per key against SELECT, on each server
    s=0
    for n in $G1_NAMES; do
        for t in $G1_TABLES; do
            if [ "$t" = nk_null ]; then
                rows_json $s ct $t >"$W/g1.$n.$t.db"
                grep "^ct\.$t$TAB" "$W/$n.all" | cut -f2- | kafka_rows >"$W/g1.$n.$t.ka"
                check "1: $n: ct.$t (no key): the rows the messages leave equal SELECT ($(wc -l <"$W/g1.$n.$t.db") rows; $(diff "$W/g1.$n.$t.db" "$W/g1.$n.$t.ka" | grep '^[<>]' | head -2 | tr '\n' ' '))" \
                    cmp -s "$W/g1.$n.$t.db" "$W/g1.$n.$t.ka"
                continue
            fi
            k=""
            [ "$t" = nk_keyed ] && k="b,a"
            [ "$t" = t_uk ] && k="b,a"
            rows_json $s ct $t $k >"$W/g1.$n.$t.db"
            grep "^ct\.$t$TAB" "$W/$n.all" | cut -f2- | kafka_state >"$W/g1.$n.$t.ka"
            res=$(state_cmp "$W/g1.$n.$t.db" "$W/g1.$n.$t.ka" "$W/cols.ct.$t")
            check "1: $n: ct.$t: the last message of each key equals SELECT ($res)" [ $? -eq 0 ]
        done
        s=$((s + 1))
    done
fi

# ---- 2: kill -9 under a load on the NO_LOG server ------------------------------------
if want 2; then
    section "2: kill -9 $KILLS times under an insert/update load (NO_LOG server)"
    dbq 2 -e "CREATE DATABASE k2; CREATE TABLE k2.r (id INT PRIMARY KEY, v INT NOT NULL,
              note VARCHAR(30) CHARACTER SET gbk, e ENUM('lo','hi'), u BIGINT UNSIGNED, s SET('p','q'))"
    mkconf k2 2 "k2.*" "$(head_pos 2)"
    start_daemon k2
    waitfor 20 connected k2 || bad "2: the daemon did not connect: $(tail -3 "$W/k2.log")"
    # 25 statements a transaction on ids 1..150 (and 1001..1150 after a key
    # change): upserts, key changes away and back, deletes
    rm -f "$W/k2.stop"
    gawk -v seed="$$" -v n=3000 -v stop="$W/k2.stop" 'BEGIN { srand(seed)
        for (t = 1; t <= n && system("test -f " stop) != 0; t++) {
            print "BEGIN;"
            for (i = 0; i < 25; i++) {
                r = rand(); x = 1 + int(rand() * 150); v = t * 100 + i
                if (r < 0.72)
                    printf "INSERT INTO k2.r VALUES (%d, %d, \"行%d\", \"%s\", %s, \"%s\") ON DUPLICATE KEY UPDATE v = VALUES(v), note = VALUES(note), e = VALUES(e), u = VALUES(u), s = VALUES(s);\n",
                        x, v, v, (v % 2 ? "hi" : "lo"), "18446744073709551615 - " v, (v % 3 ? "p,q" : "q")
                else if (r < 0.84) printf "UPDATE IGNORE k2.r SET id = id + 1000, v = %d WHERE id = %d;\n", v, x
                else if (r < 0.93) printf "UPDATE IGNORE k2.r SET id = id - 1000, v = %d WHERE id = %d;\n", v, x + 1000
                else printf "DELETE FROM k2.r WHERE id IN (%d, %d);\n", x, x + 1000
            }
            print "COMMIT;"
            fflush()
            system("sleep 0.03")
        } }' | dbq 2 >"$W/k2.writer.out" 2>&1 &
    WP=$!
    HPIDS="$HPIDS $WP"
    k=1
    while [ $k -le "$KILLS" ]; do
        s=$(awk -v s="$$$k" 'BEGIN { srand(s); printf "%.1f", 0.6 + rand() * 1.6 }')
        nap "$s"
        check "2: the daemon ran until kill $k (${s} s: $(tail -1 "$W/k2.log" | cut -c 1-200))" alive "$DP"
        [ $k -eq "$KILLS" ] && check "2: the load was still being written at the last kill (no stop file yet)" alive "$WP"
        kill9_pid "$DP"
        start_daemon k2
        k=$((k + 1))
    done
    nap 1
    touch "$W/k2.stop"
    wait "$WP"
    rc=$?
    forget HPIDS "$WP"
    check "2: the writer: exit 0 (exit $rc: $(head -c 300 "$W/k2.writer.out"))" [ "$rc" -eq 0 ]
    waitfor 60 ckpt_at_head k2 2 || bad "2: the checkpoint did not reach the head ($(ckpt_pos k2) vs $(head_pos 2)): $(tail -3 "$W/k2.log")"
    stop_pid "$DP"
    check "2: the last daemon: SIGTERM, exit 0 (exit $RC)" [ "$RC" -eq 0 ]
    check "2: restarts resumed from the checkpoint ($(grep_count "resuming from the checkpoint" "$W/k2.log") of $KILLS)" \
        [ "$(grep_count "resuming from the checkpoint" "$W/k2.log")" -ge $((KILLS - 1)) ]
    consume k2.k2.r "$W/k2.msgs"
    nm=$(wc -l <"$W/k2.msgs")
    nr=$(dbq 2 -e "SELECT COUNT(*) FROM k2.r")
    check "2: a load was published ($nm messages, $nr rows left)" [ "$nm" -ge 3000 -a "$nr" -ge 50 ]
    awk -F "$TAB" '{ if (($3 in p) && p[$3] != $1) { bad++; if (bad < 3) printf "%s on %s and %s; ", $3, p[$3], $1 } p[$3] = $1 }
        END { printf "%d keys", length(p); exit bad > 0 }' "$W/k2.msgs" >"$W/k2.parts"
    check "2: every message of a key on one partition ($(cat "$W/k2.parts"))" [ $? -eq 0 ]
    murmur_check 2 "$W/k2.msgs"
    rows_json 2 k2 r >"$W/k2.db"
    kafka_state <"$W/k2.msgs" >"$W/k2.ka"
    res=$(state_cmp "$W/k2.db" "$W/k2.ka" "$W/cols.k2.r")
    check "2: the last message of every row equals the row, every row has one, keys deleted or moved away end with a d ($res)" [ $? -eq 0 ]
    nd=$(grep -c "$TAB-\$" "$W/k2.ka")
    check "2: keys that end with a d: $nd (deleted or moved away)" [ "$nd" -ge 10 ]
    nkc=$(awk -F "$TAB" '$4 ~ /^[{]"op":"d"/ { d[$4 ~ /"source":/ ? substr($4, index($4, "\"source\":")) : ""] = 1 }
        $4 ~ /^[{]"op":"c"/ { s = substr($4, index($4, "\"source\":")); if (s in d) n++ } END { print n + 0 }' "$W/k2.msgs")
    check "2: key changes published as d + c ($nkc)" [ "$nkc" -ge 20 ]
fi

# ---- 3: statement-logged row changes -----------------------------------------------------
if want 3; then
    section "3: row changes logged as statements (FULL server)"
    dbq 0 -e "CREATE DATABASE st; CREATE TABLE st.pub (id INT PRIMARY KEY, v VARCHAR(20));
              CREATE TABLE st.after (id INT PRIMARY KEY); CREATE TABLE st.unpub (id INT PRIMARY KEY, v VARCHAR(20))"
    WPORT_FILE=$W/hook.port
    "$RECV" 0 "$W/hook.jsonl" >"$WPORT_FILE" 2>"$W/hook.err" &
    HPIDS="$HPIDS $!"
    waitfor 5 grep -q '[0-9]' "$WPORT_FILE" || bad "3: webhook_recv did not start: $(cat "$W/hook.err")"
    WPORT=$(grep -o '[0-9][0-9]*' "$WPORT_FILE" | head -1)
    mkconf s3 0 "st.pub, st.after" "$(head_pos 0)"
    conf_add s3 alert "webhook = http://127.0.0.1:$WPORT/api/v2/alerts"
    conf_add s3 alert "repeat = 1s"
    stmt() { dbq 0 -e "SET SESSION binlog_format = STATEMENT; $1"; }
    ids() { consume "$1" "$W/$1.msgs"; sed -n 's/.*"after":{"id":\([0-9]*\)[,}].*/\1/p' "$W/$1.msgs" | tr '\n' ' ' | sed 's/ $//'; }
    start_daemon s3
    waitfor 20 connected s3 || bad "3: the daemon did not connect: $(tail -3 "$W/s3.log")"
    dbq 0 -e "INSERT INTO st.pub VALUES (1, 'row1')"
    stmt "INSERT INTO st.unpub VALUES (1, 'stmt'); UPDATE st.unpub SET v = 'x'"
    dbq 0 -e "INSERT INTO st.pub VALUES (2, 'row2')"
    waitfor 20 ckpt_at_head s3 0 || bad "3: the checkpoint did not reach the head ($(ckpt_pos s3) vs $(head_pos 0)): $(tail -2 "$W/s3.log")"
    check "3: statements on an unpublished table: the daemon runs on" alive "$DP"
    got=$(ids s3.st.pub)
    check "3: ... and publishes the rows after them (ids: $got, want 1 2)" [ "$got" = "1 2" ]
    check "3: ... without a word about them" [ "$(grep_count "logged as a statement" "$W/s3.log")" -eq 0 ]
    h1=$(head_pos 0)
    stmt "INSERT INTO st.pub VALUES (3, 'stmt3')"
    h2=$(head_pos 0)
    t0=$(now_ms)
    dbq 0 -e "INSERT INTO st.pub VALUES (4, 'row4'); INSERT INTO st.after VALUES (1)"
    exited_pid "$DP" 15
    dt=$(($(now_ms) - t0))
    check "3: a statement on a published table: the daemon exits 65 (exit $RC after $dt ms: $(tail -1 "$W/s3.log" | cut -c 1-300))" [ "$RC" -eq 65 ]
    check "3: ... within 5 s ($dt ms)" [ "$dt" -le 5000 ]
    # the error (not the alert's line) names the table, file:pos and the statement
    errs() { grep -v '^binlogd: error: alert ' "$W/s3.log"; }
    el='^binlogd: error: .*INSERT of `st`\.`pub` logged as a statement at \([^ ]*\): "INSERT INTO st\.pub VALUES (3, '"'"'stmt3'"'"')"'
    at=$(errs | sed -n "s/$el.*/\\1/p" | tail -1)
    check "3: ... the error names the table, its file:pos (${at:-none}, in [$h1, $h2)) and the statement ($(grep 'error:' "$W/s3.log" | tail -1 | cut -c 1-300))" \
        pos_in "${at:-x:0}" "$h1" "$h2"
    check "3: ... the checkpoint stays before the statement ($(ckpt_pos s3), want $h1)" [ "$(ckpt_pos s3)" = "$h1" ]
    got=$(ids s3.st.pub)
    check "3: ... nothing after it is published (st.pub ids: $got, want 1 2)" [ "$got" = "1 2" ]
    check "3: ... (st.after: $(nmsgs s3.st.after) messages)" [ "$(nmsgs s3.st.after)" -eq 0 ]
    start_daemon s3
    exited_pid "$DP" 20
    at2=$(errs | sed -n "s/$el.*/\\1/p" | tail -1)
    check "3: a restart stops again with 65 (exit $RC)" [ "$RC" -eq 65 ]
    check "3: ... at the same place ($at2, was $at; $(errs | grep -c "$el") such errors)" \
        [ "$at2" = "$at" -a "$(errs | grep -c "$el")" -eq 2 ]
    check "3: ... the checkpoint still before it ($(ckpt_pos s3))" [ "$(ckpt_pos s3)" = "$h1" ]
    got=$(ids s3.st.pub)
    check "3: ... and still nothing after it (ids: $got)" [ "$got" = "1 2" ]
    # on_statement = skip
    conf_add s3 source "on_statement = skip"
    start_daemon s3
    waitfor 20 ckpt_at_head s3 0 || bad "3: on_statement = skip: the checkpoint did not reach the head ($(ckpt_pos s3) vs $(head_pos 0)): $(tail -2 "$W/s3.log")"
    check "3: on_statement = skip: the daemon runs on ($(tail -1 "$W/s3.log" | cut -c 1-200))" alive "$DP"
    got=$(ids s3.st.pub)
    check "3: ... the rows after the statement are published (st.pub ids: $got, want 1 2 4)" [ "$got" = "1 2 4" ]
    got=$(ids s3.st.after)
    check "3: ... (st.after ids: $got, want 1)" [ "$got" = 1 ]
    stmt "UPDATE st.pub SET v = 'stmt-upd' WHERE id = 1; DELETE FROM st.pub WHERE id = 2"
    dbq 0 -e "INSERT INTO st.pub VALUES (5, 'row5')"
    waitfor 20 ckpt_at_head s3 0 || bad "3: the checkpoint did not reach the head ($(ckpt_pos s3) vs $(head_pos 0))"
    got=$(ids s3.st.pub)
    check "3: ... later rows published, the skipped statements' changes not (ids: $got, want 1 2 4 5; $(grep -c '"op":"[ud]"' "$W/s3.st.pub.msgs") u/d)" \
        [ "$got" = "1 2 4 5" -a "$(grep -c '"op":"[ud]"' "$W/s3.st.pub.msgs")" -eq 0 ]
    sk=$(metric binlogd_statements_skipped_total "$HTTP_s3")
    check "3: ... binlogd_statements_skipped_total 3 (${sk:-absent})" [ "${sk:-x}" = 3 ]
    wl='^binlogd: warning: \(INSERT\|UPDATE\|DELETE\) of `st`\.`pub` logged as a statement at binlog\.[0-9]*:[0-9]*: ".*": skipped, as \[source\] on_statement = skip says ([1-3] so far)'
    check "3: ... a warning for each, naming table, file:pos and statement ($(grep -c "$wl" "$W/s3.log"): $(grep 'warning:.*statement' "$W/s3.log" | tail -1 | cut -c 1-250))" \
        [ "$(grep -c "$wl" "$W/s3.log")" -eq 3 ]
    check "3: ... the first is the INSERT of the stop, at $at" \
        grep -qF "warning: INSERT of \`st\`.\`pub\` logged as a statement at $at: \"INSERT INTO st.pub VALUES (3, 'stmt3')\": skipped" "$W/s3.log"
    hook_alert() {
        jq -c '.[] | select(.labels.alertname == "BinlogdStatementChange" and .labels.source == "s3"
            and .labels.severity == "critical" and (has("endsAt") | not)
            and (.annotations.summary | test("logged as statements skipped")) and (.annotations.summary | test("`st`.`pub` logged as a statement at binlog")))' \
            "$W/hook.jsonl" 2>/dev/null | grep -q .
    }
    waitfor 10 hook_alert
    check "3: ... the webhook got BinlogdStatementChange (source s3, critical, summary naming the statement): $(tail -1 "$W/hook.jsonl" | cut -c 1-300)" hook_alert
    stop_pid "$DP"
    check "3: ... SIGTERM: exit 0 (exit $RC)" [ "$RC" -eq 0 ]
    check "3: ... the stop line counts 3 statements skipped ($(grep 'stopped at' "$W/s3.log" | tail -1 | cut -c 1-200))" \
        grep -q "stopped at .*, 3 statements skipped); " "$W/s3.log"
fi

# ---- 4: TRUNCATE ------------------------------------------------------------------------
if want 4; then
    section "4: TRUNCATE of a published and of an unpublished table"
    dbq 0 -e "CREATE DATABASE tr; CREATE TABLE tr.t (id INT PRIMARY KEY, v VARCHAR(10));
              CREATE TABLE tr.u (id INT PRIMARY KEY, v VARCHAR(10))"
    # topics created beforehand with 6 and 7 partitions: a TRUNCATE reaches
    # every partition of the topic; a keyless table picks among all of them
    if java_build; then
        jct create "$BS" tr4.tr.t6 6 cleanup.policy=delete >"$W/tr4.create" 2>&1 &&
            jct create "$BS" tr4.tr.n7 7 cleanup.policy=delete >>"$W/tr4.create" 2>&1
        check "4: topics tr4.tr.t6 (6 partitions) and tr4.tr.n7 (7) created ($(tr '\n' ' ' <"$W/tr4.create" | cut -c 1-200))" \
            [ "$(grep -c '^partitions=' "$W/tr4.create")" -eq 2 ]
    fi
    dbq 0 -e "CREATE TABLE tr.t6 (id INT PRIMARY KEY); CREATE TABLE tr.n7 (a INT)"
    mkconf tr4 0 "tr.t, tr.t6, tr.n7" "$(head_pos 0)"
    start_daemon tr4
    waitfor 20 connected tr4 || bad "4: the daemon did not connect: $(tail -3 "$W/tr4.log")"
    dbq 0 tr -e "INSERT INTO tr.t SELECT seq, 'before' FROM seq_1_to_30; UPDATE tr.t SET v = 'before2' WHERE id <= 10;
              INSERT INTO tr.u SELECT seq, 'u' FROM seq_1_to_5"
    ht1=$(head_pos 0)
    dbq 0 -e "TRUNCATE TABLE tr.t"
    ht2=$(head_pos 0)
    dbq 0 tr -e "INSERT INTO tr.t SELECT seq, 'after' FROM seq_1_to_30; BEGIN; INSERT INTO tr.t VALUES (100, 'after'); DELETE FROM tr.t WHERE id = 5; COMMIT;
              TRUNCATE tr.u; INSERT INTO tr.u VALUES (9, 'u')"
    dbq 0 tr -e "INSERT INTO tr.t6 SELECT seq FROM seq_1_to_40; TRUNCATE tr.t6; INSERT INTO tr.n7 VALUES (1), (2), (3), (4), (5), (6)"
    waitfor 20 ckpt_at_head tr4 0 || bad "4: the checkpoint did not reach the head ($(ckpt_pos tr4) vs $(head_pos 0)): $(tail -2 "$W/tr4.log")"
    tc=$(metric binlogd_truncates_total "$HTTP_tr4")
    check "4: binlogd_truncates_total 2 (${tc:-absent})" [ "${tc:-x}" = 2 ]
    stop_pid "$DP"
    check "4: SIGTERM: exit 0 (exit $RC)" [ "$RC" -eq 0 ]
    consume tr4.tr.t "$W/tr4.msgs"
    nt=$(grep -c '"op":"t"' "$W/tr4.msgs")
    check "4: $nt op t messages, one per partition ($PARTS)" [ "$nt" -eq "$PARTS" ]
    check "4: ... one on each partition ($(grep '"op":"t"' "$W/tr4.msgs" | cut -f1 | sort -u | tr '\n' ' '))" \
        [ "$(grep '"op":"t"' "$W/tr4.msgs" | cut -f1 | sort -u | wc -l)" -eq "$PARTS" ]
    tv=$(grep '"op":"t"' "$W/tr4.msgs" | cut -f3- | awk -F "$TAB" "$JL"'{ print $1 "\t" nosource($2) }' | sort -u)
    check "4: ... each with a null key and {\"op\":\"t\",\"db\":\"tr\",\"table\":\"t\",\"before\":null,\"after\":null,source} ($tv)" \
        [ "$tv" = "NULL$TAB{\"op\":\"t\",\"db\":\"tr\",\"table\":\"t\",\"before\":null,\"after\":null}" ]
    tat=$(grep '"op":"t"' "$W/tr4.msgs" | sed 's/.*"file":"\([^"]*\)","pos":\([0-9]*\),.*/\1:\2/' | sort -u)
    check "4: ... all with the TRUNCATE's source file:pos (${tat:-none}, in [$ht1, $ht2))" pos_in "$(echo "$tat" | head -1)" "$ht1" "$ht2"
    check "4: ... one position ($(echo "$tat" | wc -l))" [ "$(echo "$tat" | wc -l)" -eq 1 ]
    awk -F "$TAB" '{ p = $1
            if ($4 ~ /"op":"t"/) { nt[p]++; next }
            if ($4 ~ /"v":"after"/) { if (!nt[p]) { bad++; if (bad < 3) printf "p%s: %s before the t; ", p, substr($4, 1, 80) } na[p]++ }
            else if ($4 ~ /"v":"before/) { if (nt[p]) { bad++; if (bad < 3) printf "p%s: %s after the t; ", p, substr($4, 1, 80) } nb[p]++ }
            else { bad++; printf "unexpected %s; ", substr($4, 1, 80) } }
        END { for (p = 0; p < parts; p++) { if (!nb[p] || !na[p]) { thin++; printf "partition %d: %d before, %d after; ", p, nb[p], na[p] } }
              printf "%d out of order", bad; exit (bad > 0) }' parts="$PARTS" "$W/tr4.msgs" >"$W/tr4.order"
    check "4: on each partition the t comes after its messages from before the TRUNCATE and before those after it ($(cat "$W/tr4.order"))" [ $? -eq 0 ]
    check "4: ... (each partition had messages on both sides: $(cat "$W/tr4.order"))" [ "$(grep -c 'partition [0-9]*:' "$W/tr4.order")" -eq 0 ]
    check "4: the unpublished table's TRUNCATE: nothing (topics: $(topics tr4. | tr '\n' ' '))" [ "$(topics tr4. | tr '\n' ' ')" = "tr4.tr.n7 tr4.tr.t tr4.tr.t6 " ]
    consume tr4.tr.t6 "$W/tr4.t6.msgs"
    tp=$(grep '"op":"t"' "$W/tr4.t6.msgs" | cut -f1 | tr '\n' ' ')
    check "4: a topic of 6 partitions: one t on each (partitions: $tp)" [ "$tp" = "0 1 2 3 4 5 " ]
    consume tr4.tr.n7 "$W/tr4.n7.msgs"
    np=$(cut -f1 "$W/tr4.n7.msgs" | sort -u | tr '\n' ' ')
    java_build && wantp=$(echo "tr.n7" | jct murmur 7 | cut -f1)
    check "4: a keyless table on a topic of 7 partitions: its $(wc -l <"$W/tr4.n7.msgs") messages on partition murmur2(\"tr.n7\") % 7 = ${wantp:-?} (got $np)" \
        [ "$np" = "${wantp:-x} " -a "$(wc -l <"$W/tr4.n7.msgs")" -eq 6 ]
    # replay and dump carry it too (printed once: partitions are Kafka's)
    BINLOGD_PASSWORD=replpw "$B" replay -c "$W/tr4.conf" --from "$ht1" --to "$ht2" --stdout \
        >"$W/tr4.replay" 2>"$W/tr4.replay.err"
    check "4: replay --stdout of the TRUNCATE's range: exit 0 and one line, op t of tr.t ($(head -c 200 "$W/tr4.replay"))" \
        sh -c '[ "$(wc -l <"$1")" -eq 1 ] && grep -q "^{\"op\":\"t\",\"db\":\"tr\",\"table\":\"t\",\"before\":null,\"after\":null,\"source\":{" "$1"' sh "$W/tr4.replay"
    BINLOGD_PASSWORD=replpw "$B" dump --host 127.0.0.1 --port "$DBPORT" --user repl --server-id 4998 \
        --from "$ht1" >"$W/tr4.dump" 2>"$W/tr4.dump.err"
    check "4: dump --host from the TRUNCATE: its op t line first ($(head -c 120 "$W/tr4.dump"))" \
        sh -c 'head -1 "$1" | grep -q "^{\"op\":\"t\",\"db\":\"tr\",\"table\":\"t\","' sh "$W/tr4.dump"
fi

# ---- 5: key changes, tombstones, compaction --------------------------------------------------
# key_change_ops DB TABLE: the SQL of group 5 (ids 1..10, 3 -> 103, 5 and 6 ->
# 205 and 206 in one statement, an update of 7, a delete of 8)
key_change_ops() {
    echo "INSERT INTO $1.$2 (id, v) SELECT seq, CONCAT('r', seq) FROM seq_1_to_10;
          UPDATE $1.$2 SET id = 103 WHERE id = 3;
          UPDATE $1.$2 SET id = id + 200, v = CONCAT(v, 'm') WHERE id IN (5, 6);
          UPDATE $1.$2 SET v = 'r7u' WHERE id = 7;
          DELETE FROM $1.$2 WHERE id = 8;"
}
if want 5; then
    section "5: key-changing updates; tombstones; a compacted topic"
    java_build
    dbq 0 -e "CREATE DATABASE pk; CREATE TABLE pk.a (id INT PRIMARY KEY, v VARCHAR(10));
              CREATE TABLE pk.t (id INT PRIMARY KEY, v VARCHAR(10)); CREATE TABLE pk.c (id INT PRIMARY KEY, v VARCHAR(10))"
    # (a) without tombstones
    mkconf pa 0 "pk.a" "$(head_pos 0)"
    start_daemon pa
    waitfor 20 connected pa || bad "5: the daemon did not connect: $(tail -3 "$W/pa.log")"
    dbq 0 pk -e "$(key_change_ops pk a)"
    waitfor 20 ckpt_at_head pa 0 || bad "5: the checkpoint did not reach the head ($(ckpt_pos pa) vs $(head_pos 0))"
    kc=$(metric binlogd_key_changes_total "$HTTP_pa")
    check "5: binlogd_key_changes_total 3 (${kc:-absent})" [ "${kc:-x}" = 3 ]
    stop_pid "$DP"
    check "5: SIGTERM: exit 0 (exit $RC)" [ "$RC" -eq 0 ]
    consume pa.pk.a "$W/pa.msgs"
    awk -F "$TAB" "$JL"'{ print $3 "\t" nosource($4) }' "$W/pa.msgs" | sort >"$W/pa.kv"
    cat >"$W/pa.want" <<'EOF'
{"id":103}	{"op":"c","db":"pk","table":"a","before":null,"after":{"id":103,"v":"r3"}}
{"id":205}	{"op":"c","db":"pk","table":"a","before":null,"after":{"id":205,"v":"r5m"}}
{"id":206}	{"op":"c","db":"pk","table":"a","before":null,"after":{"id":206,"v":"r6m"}}
{"id":3}	{"op":"d","db":"pk","table":"a","before":{"id":3,"v":"r3"},"after":null}
{"id":5}	{"op":"d","db":"pk","table":"a","before":{"id":5,"v":"r5"},"after":null}
{"id":6}	{"op":"d","db":"pk","table":"a","before":{"id":6,"v":"r6"},"after":null}
{"id":7}	{"op":"u","db":"pk","table":"a","before":{"id":7,"v":"r7"},"after":{"id":7,"v":"r7u"}}
{"id":8}	{"op":"d","db":"pk","table":"a","before":{"id":8,"v":"r8"},"after":null}
EOF
    for i in 1 2 3 4 5 6 7 8 9 10; do
        echo "{\"id\":$i}$TAB{\"op\":\"c\",\"db\":\"pk\",\"table\":\"a\",\"before\":null,\"after\":{\"id\":$i,\"v\":\"r$i\"}}"
    done >>"$W/pa.want"
    sort "$W/pa.want" -o "$W/pa.want"
    check "5: the messages (key, value without source) are exactly the 10 inserts, 3 d+c pairs, the u and the d ($(diff "$W/pa.want" "$W/pa.kv" | grep '^[<>]' | head -3 | tr '\n' ' '))" \
        cmp -s "$W/pa.want" "$W/pa.kv"
    for kc in 3:103 5:205 6:206; do
        o=${kc%:*} nw=${kc#*:}
        dl=$(grep "^[0-9]*$TAB[0-9]*$TAB{\"id\":$o}$TAB{\"op\":\"d\"" "$W/pa.msgs")
        cl=$(grep "^[0-9]*$TAB[0-9]*$TAB{\"id\":$nw}$TAB{\"op\":\"c\"" "$W/pa.msgs")
        ds=$(echo "$dl" | sed 's/.*"file":"\([^"]*\)","pos":\([0-9]*\),.*/\1:\2/')
        cs=$(echo "$cl" | sed 's/.*"file":"\([^"]*\)","pos":\([0-9]*\),.*/\1:\2/')
        check "5: $o -> $nw: the d and the c at the same file:pos ($ds, $cs)" [ -n "$ds" -a "$ds" = "$cs" ]
        # the d before the c in commit order: the d's position in the source
        # row order is the same; on one partition its offset is lower
        if [ "$(echo "$dl" | cut -f1)" = "$(echo "$cl" | cut -f1)" ]; then
            check "5: $o -> $nw: on one partition, the d first" [ "$(echo "$dl" | cut -f2)" -lt "$(echo "$cl" | cut -f2)" ]
        fi
    done
    check "5: no tombstone without tombstones = true ($(grep -c "${TAB}NULL\$" "$W/pa.msgs"))" [ "$(grep -c "${TAB}NULL\$" "$W/pa.msgs")" -eq 0 ]
    murmur_check "5: pk.a" "$W/pa.msgs"

    # (b) tombstones = true: pk.t on an ordinary topic, pk.c on a compacted
    # topic created beforehand
    if java_build; then
        jct create "$BS" pb.pk.c "$PARTS" cleanup.policy=compact segment.ms=100 min.cleanable.dirty.ratio=0.01 \
            delete.retention.ms=100 min.compaction.lag.ms=0 >"$W/pb.create" 2>&1
        check "5: pb.pk.c created compacted ($(tr '\n' ' ' <"$W/pb.create" | cut -c 1-300))" grep -q '^cleanup.policy=compact$' "$W/pb.create"
    fi
    # fillers: one key per partition, updated to roll the segments and feed the cleaner
    fill=$(awk 'BEGIN { for (i = 900; i < 1000; i++) print "{\"id\":" i "}" }' | jct murmur "$PARTS" |
        awk -F "$TAB" '!($1 in p) { p[$1] = 1; s = $2; gsub(/[^0-9]/, "", s); printf "%s%s", n++ ? "," : "", s }')
    check "5: filler keys on each of the $PARTS partitions ($fill)" [ "$(echo "$fill" | tr ',' '\n' | grep -c .)" -eq "$PARTS" ]
    mkconf pb 0 "pk.t, pk.c" "$(head_pos 0)"
    conf_add pb kafka "tombstones = true"
    start_daemon pb
    waitfor 20 connected pb || bad "5: the daemon did not connect: $(tail -3 "$W/pb.log")"
    dbq 0 pk -e "$(key_change_ops pk t) $(key_change_ops pk c)
              INSERT INTO pk.c SELECT seq, 'f0' FROM seq_900_to_999 WHERE seq IN (${fill:-900});
              UPDATE pk.c SET id = 9 + 100 WHERE id = 9; DELETE FROM pk.c WHERE id IN (1, 2)"
    waitfor 20 ckpt_at_head pb 0 || bad "5: the checkpoint did not reach the head ($(ckpt_pos pb) vs $(head_pos 0))"
    consume pb.pk.t "$W/pb.t.msgs"
    nd=$(grep -c "$TAB{\"op\":\"d\"" "$W/pb.t.msgs")
    nn=$(grep -c "${TAB}NULL\$" "$W/pb.t.msgs")
    check "5: tombstones = true: a tombstone for each of the $nd deletes ($nn)" [ "$nd" -eq 4 -a "$nn" -eq 4 ]
    awk -F "$TAB" '{ k = $1 SUBSEP $3
            if ($4 == "NULL") { if (pend[k] != 1) { bad++; printf "tombstone %s at %s:%s after no d; ", $3, $1, $2 } pend[k] = 0; next }
            if (pend[k] == 1) { bad++; printf "%s: %s before the tombstone; ", $3, substr($4, 1, 60) }
            pend[k] = ($4 ~ /^[{]"op":"d"/) ? 1 : 0 }
        END { for (k in pend) if (pend[k] == 1) { bad++; printf "a d of %s without tombstone; ", k } exit bad > 0 }' \
        "$W/pb.t.msgs" >"$W/pb.t.tomb"
    check "5: ... each right after its d, under its key, on its partition ($(cat "$W/pb.t.tomb"))" [ $? -eq 0 ]
    # the compacted topic: wait for the cleaner; write to the fillers to roll
    # segments and make the log dirty again (tombstones go in a later pass)
    R5=0
    compacted() {
        R5=$((R5 + 1))
        dbq 0 -e "UPDATE pk.c SET v = 'f$R5' WHERE id >= 900"
        waitfor 10 ckpt_at_head pb 0
        consume pb.pk.c "$W/pb.c.msgs"
        rows_json 0 pk c >"$W/pb.c.db"
        awk -F "$TAB" "$JL"'FILENAME == ARGV[1] { live[$1] = $2; next }
            { n[$3]++; last[$3] = $4; if ($4 == "NULL") tomb++; else { jmembers($4, N, V); lastafter[$3] = V["after"] } }
            END { for (k in n) { if (!(k in live)) gone++; else { id = k; gsub(/[^0-9]/, "", id); if (id < 900 && n[k] > 1) dup++; if (lastafter[k] != live[k]) wrong++ } }
                  for (k in live) if (!(k in n)) missing++
                  printf "%d messages, %d keys (%d live); %d tombstones, %d keys not live, %d live keys missing, %d with several messages, %d with another row",
                      NR - FNR, length(n), length(live), tomb, gone, missing, dup, wrong
                  exit !(tomb + gone + missing + dup + wrong == 0) }' "$W/pb.c.db" "$W/pb.c.msgs" >"$W/pb.c.res"
    }
    t0=$(date +%s)
    ok5=1
    until compacted; do
        if [ $(($(date +%s) - t0)) -ge 60 ]; then
            ok5=0
            break
        fi
        nap 1
    done
    check "5: the compacted topic holds only the live keys, each with its row, after $(($(date +%s) - t0)) s ($(cat "$W/pb.c.res"))" [ "$ok5" -eq 1 ]
    check "5: ... the old keys (3, 5, 6, 9) and the deleted (1, 2, 8) are gone" \
        [ "$(grep -c "$TAB{\"id\":\([1-3589]\)}$TAB" "$W/pb.c.msgs")" -eq 0 ]
    stop_pid "$DP"
    check "5: SIGTERM: exit 0 (exit $RC)" [ "$RC" -eq 0 ]
fi

# ---- 7: a DDL inside a MINIMAL backlog ------------------------------------------------
if want 7; then
    section "7: DDL between two positions of a backlog (MINIMAL server)"
    dbq 1 -e "CREATE DATABASE dd; CREATE TABLE dd.t (id INT PRIMARY KEY, e ENUM('a','b'), v VARCHAR(10) CHARACTER SET gbk)"
    p0=$(head_pos 1)
    mkconf d7 1 "dd.*" "$p0"
    start_daemon d7
    waitfor 20 connected d7 || bad "7: the daemon did not connect: $(tail -3 "$W/d7.log")"
    dbq 1 -e "INSERT INTO dd.t VALUES (1, 'a', '一'), (2, 'b', '二'); UPDATE dd.t SET v = '二b' WHERE id = 2"
    waitfor 20 ckpt_at_head d7 1 || bad "7: the checkpoint did not reach the head ($(ckpt_pos d7) vs $(head_pos 1))"
    stop_pid "$DP"
    check "7: SIGTERM: exit 0 (exit $RC)" [ "$RC" -eq 0 ]
    p1=$(ckpt_pos d7)
    rm -rf "$W/d7.state.copy"
    cp -a "$W/d7.state" "$W/d7.state.copy"
    # the backlog: rows with the old schema, the DDL, rows with the new one
    dbq 1 -e "INSERT INTO dd.t VALUES (3, 'b', '三'); UPDATE dd.t SET e = 'a' WHERE id = 2"
    pa=$(head_pos 1)
    dbq 1 -e "ALTER TABLE dd.t ADD COLUMN k INT NOT NULL DEFAULT 0 AFTER id, MODIFY e ENUM('a','c','b'),
              DROP PRIMARY KEY, ADD PRIMARY KEY (k, id)"
    pd=$(head_pos 1)
    dbq 1 -e "INSERT INTO dd.t VALUES (4, 7, 'c', '四'); UPDATE dd.t SET e = 'c' WHERE id = 1;
              UPDATE dd.t SET k = 5 WHERE id = 3; DELETE FROM dd.t WHERE id = 2; INSERT INTO dd.t VALUES (6, 0, 'b', '六')"
    ph=$(head_pos 1)
    # (a) the daemon again
    start_daemon d7
    waitfor 30 ckpt_at_head d7 1 || bad "7: restarted, the checkpoint did not reach the head ($(ckpt_pos d7) vs $ph): $(tail -3 "$W/d7.log")"
    check "7: ... it resumed at $p1 ($(grep resuming "$W/d7.log" | tail -1 | cut -c 1-200))" grep -qF "resuming from the checkpoint $p1" "$W/d7.log"
    stop_pid "$DP"
    check "7: the restarted daemon: SIGTERM, exit 0 (exit $RC: $(grep 'error' "$W/d7.log" | tail -1 | cut -c 1-300))" [ "$RC" -eq 0 ]
    # NAME.kv: "key<TAB>value without source" in source order (d before c)
    in_order() {
        awk -F "$TAB" '{ v = $4; s = v; sub(/.*"source":/, "", s)
            f = s; sub(/.*"file":"/, "", f); sub(/".*/, "", f)
            p = s; sub(/.*"pos":/, "", p); sub(/[,}].*/, "", p)
            r = s; sub(/.*"row":/, "", r); sub(/[,}].*/, "", r)
            printf "%s %012d %06d %d\t%s\t%s\t%s\n", f, p, r, (v ~ /^[{]"op":"d"/) ? 0 : 1, $1, $3, $4 }' "$1" | sort | cut -f2-
    }
    consume d7.dd.t "$W/d7.msgs"
    in_order "$W/d7.msgs" >"$W/d7.ord"
    awk -F "$TAB" "$JL"'{ print $2 "\t" nosource($3) }' "$W/d7.ord" >"$W/d7.kv"
    cat >"$W/d7.want" <<'EOF'
{"id":1}	{"op":"c","db":"dd","table":"t","before":null,"after":{"id":1,"e":"a","v":"一"}}
{"id":2}	{"op":"c","db":"dd","table":"t","before":null,"after":{"id":2,"e":"b","v":"二"}}
{"id":2}	{"op":"u","db":"dd","table":"t","before":{"id":2,"e":"b","v":"二"},"after":{"id":2,"e":"b","v":"二b"}}
{"id":3}	{"op":"c","db":"dd","table":"t","before":null,"after":{"id":3,"e":"b","v":"三"}}
{"id":2}	{"op":"u","db":"dd","table":"t","before":{"id":2,"e":"b","v":"二b"},"after":{"id":2,"e":"a","v":"二b"}}
{"k":7,"id":4}	{"op":"c","db":"dd","table":"t","before":null,"after":{"id":4,"k":7,"e":"c","v":"四"}}
{"k":0,"id":1}	{"op":"u","db":"dd","table":"t","before":{"id":1,"k":0,"e":"a","v":"一"},"after":{"id":1,"k":0,"e":"c","v":"一"}}
{"k":0,"id":3}	{"op":"d","db":"dd","table":"t","before":{"id":3,"k":0,"e":"b","v":"三"},"after":null}
{"k":5,"id":3}	{"op":"c","db":"dd","table":"t","before":null,"after":{"id":3,"k":5,"e":"b","v":"三"}}
{"k":0,"id":2}	{"op":"d","db":"dd","table":"t","before":{"id":2,"k":0,"e":"a","v":"二b"},"after":null}
{"k":0,"id":6}	{"op":"c","db":"dd","table":"t","before":null,"after":{"id":6,"k":0,"e":"b","v":"六"}}
EOF
    check "7: (a) the daemon: the rows before the DDL with the old key and members, after it with the new key (k, id) and 'c' (exact; $(diff "$W/d7.want" "$W/d7.kv" | grep '^[<>]' | head -4 | tr '\n' ' '))" \
        cmp -s "$W/d7.want" "$W/d7.kv"
    # (b) replay over the range with the daemon's schema history
    timeout 90 "$B" replay -c "$W/d7.conf" --from "$p0" --to "$ph" --topic-suffix .replay >"$W/d7.replay.out" 2>"$W/d7.replay.err"
    rc=$?
    check "7: (b) replay --from $p0 --to $ph --topic-suffix .replay: exit 0 (exit $rc: $(tail -2 "$W/d7.replay.err" | cut -c 1-300))" [ "$rc" -eq 0 ]
    consume d7.dd.t.replay "$W/d7r.msgs"
    in_order "$W/d7r.msgs" >"$W/d7r.ord"
    check "7: ... its messages (partition, key, whole value) are exactly the daemon's, in order ($(wc -l <"$W/d7r.ord") vs $(wc -l <"$W/d7.ord"); $(diff "$W/d7.ord" "$W/d7r.ord" | grep '^[<>]' | head -2 | cut -c 1-300 | tr '\n' ' '))" \
        cmp -s "$W/d7.ord" "$W/d7r.ord"
    hk=$(jq -c 'select(.db == "dd" and .name == "t") | .primary_key' "$W/d7.state/schema-history.jsonl" 2>/dev/null | uniq | tr '\n' ' ')
    check "7: the daemon's schema history has dd.t before the DDL (key id) and after it (key k, id) ($hk)" [ "$hk" = '["id"] ["k","id"] ' ]
    cp "$W/d7.state/schema-history.jsonl" "$W/d7.history"
    timeout 60 "$B" replay -c "$W/d7.conf" --from "$p0" --to "$ph" --stdout --schema-history "$W/d7.history" \
        >"$W/d7.stdout" 2>"$W/d7.stdout.err"
    rc=$?
    cut -f3 "$W/d7.ord" >"$W/d7.values"
    check "7: replay --stdout --schema-history (a copy of the history): exit 0 (exit $rc: $(tail -1 "$W/d7.stdout.err" | cut -c 1-200))" [ "$rc" -eq 0 ]
    check "7: ... prints exactly the daemon's values, in order ($(wc -l <"$W/d7.stdout") lines; $(diff "$W/d7.values" "$W/d7.stdout" | grep '^[<>]' | head -2 | cut -c 1-300 | tr '\n' ' '))" \
        cmp -s "$W/d7.values" "$W/d7.stdout"
    # (c) a daemon from the copied state directory (checkpoint before the
    # backlog), under a fresh source name
    mkconf d7c 1 "dd.*" "$p0"
    rm -rf "$W/d7c.state"
    cp -a "$W/d7.state.copy" "$W/d7c.state"
    start_daemon d7c
    waitfor 30 ckpt_at_head d7c 1
    ckc=$(ckpt_pos d7c)
    check "7: (c) a daemon on the copied state directory reaches the head ($ckc vs $ph: $(tail -1 "$W/d7c.log" | cut -c 1-200))" [ "$ckc" = "$ph" ]
    check "7: ... resuming at $p1 ($(grep resuming "$W/d7c.log" | tail -1 | cut -c 1-200))" grep -qF "resuming from the checkpoint $p1" "$W/d7c.log"
    stop_pid "$DP"
    check "7: ... SIGTERM: exit 0 (exit $RC)" [ "$RC" -eq 0 ]
    consume d7c.dd.t "$W/d7c.msgs"
    in_order "$W/d7c.msgs" >"$W/d7c.ord"
    tail -n +4 "$W/d7.ord" >"$W/d7.ord.after"
    check "7: ... it republishes exactly the daemon's messages from $p1 on (partition, key, whole value; $(wc -l <"$W/d7c.ord") vs $(wc -l <"$W/d7.ord.after"); $(diff "$W/d7.ord.after" "$W/d7c.ord" | grep '^[<>]' | head -2 | cut -c 1-300 | tr '\n' ' '))" \
        cmp -s "$W/d7.ord.after" "$W/d7c.ord"
    check "7: the DDL sits between the old and the new rows ($pa < $pd)" pos_in "$pa" "$p1" "$pd"

    # (d) two DDLs in the backlog that keep the column count and types (the
    # ENUM's members reordered twice): the rows between them must come with
    # the members they had, or the daemon must stop naming the table (fail
    # closed); never other members
    dbq 1 -e "CREATE TABLE dd.u (id INT PRIMARY KEY, e ENUM('a','b'), v VARCHAR(10))"
    p7u=$(head_pos 1)
    mkconf d7u 1 "dd.u" "$p7u"
    start_daemon d7u
    waitfor 20 connected d7u || bad "7: (d) the daemon did not connect: $(tail -3 "$W/d7u.log")"
    dbq 1 -e "INSERT INTO dd.u VALUES (1, 'a', 'one'), (2, 'b', 'two')"
    waitfor 20 ckpt_at_head d7u 1 || bad "7: (d) the checkpoint did not reach the head ($(ckpt_pos d7u) vs $(head_pos 1))"
    stop_pid "$DP"
    dbq 1 -e "INSERT INTO dd.u VALUES (3, 'b', 'three'); ALTER TABLE dd.u MODIFY e ENUM('a','c','b');
              INSERT INTO dd.u VALUES (4, 'c', 'four'), (5, 'b', 'five'); ALTER TABLE dd.u MODIFY e ENUM('c','b','a');
              INSERT INTO dd.u VALUES (6, 'c', 'six')"
    start_daemon d7u
    done_or_head() { gone "$DP" || ckpt_at_head d7u 1; }
    waitfor 30 done_or_head
    if alive "$DP"; then stop_pid "$DP"; else exited_pid "$DP" 1; fi
    consume d7u.dd.u "$W/d7u.msgs"
    rows_json 1 dd u >"$W/d7u.db"
    kafka_state <"$W/d7u.msgs" >"$W/d7u.ka"
    awk -F "$TAB" 'NR == FNR { db[$1] = $2; next }
        { n++; if (db[$1] != $2) { bad++; printf "%s published as %s, the row is %s; ", $1, $2, db[$1] } }
        END { printf "%d rows published", n; exit bad > 0 }' "$W/d7u.db" "$W/d7u.ka" >"$W/d7u.res"
    check "7: (d) two DDLs in the backlog (ENUM ('a','b') -> ('a','c','b') -> ('c','b','a')): no row published with values it does not have ($(cat "$W/d7u.res"))" [ $? -eq 0 ]
    np=$(wc -l <"$W/d7u.ka")
    # information_schema shows the members of the second DDL, the binlog
    # has none: the daemon cannot know those of the rows between the two,
    # so it stops there, naming the table and the DDL it has not read yet
    check "7: (d) ... the daemon stopped, exit 65 (exit $RC), naming \`dd\`.\`u\` and the DDL ahead ($np published; $(grep 'error:' "$W/d7u.log" | tail -1 | cut -c 1-250))" \
        sh -c '[ "$1" -eq 65 ] && grep -q "error: .*\`dd\`\.\`u\` at .*a DDL not read yet" "$2"' sh "$RC" "$W/d7u.log"
    # the operator's way on when the rows must go out anyway: today's
    # columns, with a warning per table (dump --ddl-ahead, [source] ddl_ahead)
    BINLOGD_PASSWORD=replpw "$B" dump --host 127.0.0.1 --port "$(srvport 1)" --user repl --server-id 4997 \
        --from "$p7u" --ddl-ahead trust >"$W/d7u.trust" 2>"$W/d7u.trust.err"
    trc=$?
    check "7: (d) dump --ddl-ahead trust: exit 0 (exit $trc), 6 rows, a warning naming \`dd\`.\`u\` ($(head -c 250 "$W/d7u.trust.err"))" \
        sh -c '[ "$1" -eq 0 ] && [ "$(grep -c "\"table\":\"u\"" "$2")" -eq 6 ] &&
            grep -q "warning: .*\`dd\`.\`u\` at .*ddl_ahead = trust" "$3"' sh "$trc" "$W/d7u.trust" "$W/d7u.trust.err"
fi

finish
