#!/bin/sh
# [columns] rules (issue 20): sensitive columns excluded, masked or hashed
# before they reach Kafka, the same in `run`, `replay` and `dump -c`, on a
# binlog_row_metadata=FULL and a MINIMAL server alike.
#
# Starts two MariaDB servers, FULL on 127.0.0.1:$COLUMNS_DB_PORT (14760) and
# MINIMAL on +1 (14761), both binlog_row_image=FULL, and one Kafka broker
# (KRaft, auto-created topics of ONE partition, so a topic is in commit
# order) on 127.0.0.1:$COLUMNS_KAFKA_PORT (14770), all in
# build/integ/columns; stops them on every exit path and kills every daemon
# and writer it started.  Daemons listen on $COLUMNS_HTTP_PORT (14780) and up.
# Two hash keys: k1 (hex tokens) read from a file (FULL's config) or a
# systemd credential (MINIMAL's, $CREDENTIALS_DIRECTORY), k2 (base64
# tokens) from an environment variable.  Every expected token is computed
# here with `openssl dgst -sha256 -hmac`.  Groups:
#   1  the data path, on both servers: pay.acct (BIGINT key; card_no hashed
#      k1; name utf8mb4 and name_gbk GBK keep-last-1 with the same Chinese
#      text; id_number fixed=***; amount DECIMAL(20,2) keep-last-4; acct_no
#      BIGINT keep-last-4 up to 2^63-1 and negative; phone excluded; note
#      mask:null; open_id hashed k2; bal DECIMAL keep-last-1 negative; rate
#      DOUBLE keep-last-2; raw VARBINARY keep-last-2), pay.other (open_id
#      k2, card_no/ref BIGINT/fee DECIMAL/nm_gbk GBK hashed k1), pay.en
#      (ENUM columns: kind keep-last-3, tier hashed k1), pay.tok
#      (its VARCHAR primary key hashed: the Kafka key is the token, a key
#      change is a d and a c under the tokens), pay.ex (its primary key
#      excluded, [keys] pay.ex = acct: keyed by acct, id nowhere); rows with
#      NULLs, an all-NULL row, empty strings, inserts, updates (a multi-row
#      one), deletes, multi-row and multi-table transactions, an update and
#      a delete under SET SESSION binlog_row_image=MINIMAL (columns the
#      image lacks stay absent); a shadowed `pay.*.card_no = exclude` after
#      the hash rules (first match wins).
#      `run` (Kafka key and value), `replay --topic-suffix` (Kafka),
#      `dump -c --host` and, FULL only, `dump -c FILE...` each give exactly
#      the expected messages (every value written out here; `source` left
#      out but its "hashed" member checked); FULL's and MINIMAL's are
#      byte-identical; no excluded column name, excluded value or clear
#      value of a masked or hashed column anywhere in any message or key;
#      plain `dump` prints them in clear; `dump -c` of MINIMAL files (no
#      schema history) exits 65 "carry no column names" printing nothing of
#      those tables in clear
#   2  hashing: the same value in two rows and in two tables gives the same
#      token, the openssl HMAC (hex under k1, 44 base64 characters under
#      k2); k2's token of a text differs from k1's; BIGINT and DECIMAL
#      values hashed as their printed text; GBK and utf8mb4 text give one
#      token; source.hashed lists the hashed columns in column order (none
#      on tables without hash rules); neither key's text appears in the
#      daemons' logs (log_level debug), /status, `check-config --print`
#      (which shows the secret's source), any message or dump
#   3  check-config -c (against the FULL server): an INFO line per rule with
#      the columns it matches, a WARNING (with FILE:LINE) for a rule that
#      matches no column (the shadowed one too), no warning that [keys]
#      pay.ex is unused (it keys pay.ex); --print shows each secret's source
#      (file:, env:, cred:); a rule excluding a primary-key column without a
#      [keys] alternative: check-config ERROR (exit 1), `run` exits 65 at
#      the table's first row naming [columns], the rule and the column, on
#      both servers, nothing published, and `dump -c --host`, `dump -c
#      FILE` and `replay` exit 65 the same (a masking rule too); the same
#      daemon restarted with a [keys] line publishes that row keyed by it
#   4  SIGHUP adding a rule (pay.w.secret = mask:keep-last-2) while a writer
#      commits multi-row transactions (two inserts and an update each) on
#      both servers: every transaction entirely in clear or entirely masked,
#      the clear ones first, positions before /status columns.since and the
#      masked ones after it; /status columns.set 1 -> 2, since null ->
#      FILE:POS, the new rule listed, hash_keys [k1,k2]; "column rules: set
#      2" logged; a second SIGHUP without changes keeps set 2
# Prints "== section" lines, one line per check ("ok: WHAT" or "FAIL:
# WHAT (what was found)"), and last "N passed, N failed".  An interrupt counts as a failure; after a failure
# build/integ/columns is kept (logs, outputs and consumed topics in
# .../work).
#
# Environment: BINLOGD (build/binlogd), COLUMNS_DB_PORT (14760),
# COLUMNS_KAFKA_PORT (14770), COLUMNS_HTTP_PORT (14780),
# COLUMNS_ONLY="3" runs groups 1 and 2 (the others need them) and those,
# COLUMNS_KEEP=1 keeps the directory after a success.
set -u
cd "$(dirname "$0")/../.."
export LC_ALL=C

B=${BINLOGD:-build/binlogd}
DBPORT=${COLUMNS_DB_PORT:-14760}
KPORT=${COLUMNS_KAFKA_PORT:-14770}
HBASE=${COLUMNS_HTTP_PORT:-14780}
ONLY=${COLUMNS_ONLY:-}
DIR=build/integ/columns
TAB=$(printf '\t')

. tests/lib.sh
. tests/integ/servers.sh
# one line per check, passed ones too
check() {
    _name=$1
    shift
    if "$@"; then
        ok
        echo "ok: $_name"
    else
        bad "$_name"
    fi
}

# processes this script started and has not reaped yet
DPIDS="" # daemons
WPIDS="" # writers
stop_servers() {
    [ -d "$DIR/kafka" ] && sh "$KSH" stop "$DIR/kafka" >/dev/null 2>&1 &
    for s in f m; do
        [ -f "$DIR/db$s/my.cnf" ] && sh "$MSH" stop "$DIR/db$s" >/dev/null 2>&1 &
    done
    wait
}
cleanup() {
    [ -d "$DIR/work" ] && : >"$DIR/work/stop.w"
    for p in $WPIDS; do kill "$p" 2>/dev/null; done
    for p in $DPIDS; do kill -9 "$p" 2>/dev/null; done
    stop_servers
    if [ "${COLUMNS_KEEP:-0}" != 1 ] && [ "$fail" -eq 0 ]; then rm -rf "$DIR"; fi
}
trap cleanup EXIT
on_interrupt

if [ ! -x "$B" ] && [ "$B" = build/binlogd ]; then
    make -s >/dev/null 2>&1 || true
fi
if [ ! -x "$B" ]; then
    bad "$B is missing: build it first (make)"
    finish
fi

# ---- servers -----------------------------------------------------------------
port_of() { case $1 in f) echo "$DBPORT" ;; m) echo $((DBPORT + 1)) ;; esac; }
meta_of() { case $1 in f) echo FULL ;; m) echo MINIMAL ;; esac; }
sh "$KSH" stop "$DIR/kafka" >/dev/null 2>&1
for s in f m; do sh "$MSH" stop "$DIR/db$s" >/dev/null 2>&1; done
rm -rf "$DIR"
mkdir -p "$DIR/work"
W=$DIR/work
AW=$(cd "$W" && pwd -P)
section "servers: MariaDB FULL on 127.0.0.1:$DBPORT, MINIMAL on $((DBPORT + 1)), Kafka on $BS"
KAFKA_PARTITIONS=1 sh "$KSH" start "$DIR/kafka" "$KPORT" >"$W/kafka.start.log" 2>&1 &
SP_K=$!
for s in f m; do
    sh "$MSH" start "$DIR/db$s" "$(port_of $s)" --binlog_row_metadata="$(meta_of $s)" \
        --binlog_row_image=FULL >"$W/db$s.start.log" 2>&1 &
    eval "SP_$s=\$!"
done
started=1
for s in f m; do
    eval "p=\$SP_$s"
    if ! wait "$p"; then
        cat "$W/db$s.start.log"
        bad "MariaDB $(meta_of $s) did not start"
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

# sql S ARGS...: the client as root on server S (f or m), database pay
sql() {
    _s=$1
    shift
    sh "$MSH" sql "$DIR/db$_s" -N -B pay "$@"
}
head_pos() { sql "$1" -e "SHOW MASTER STATUS" 2>/dev/null | awk '{ print $1 ":" $2 }'; }

# ---- keys --------------------------------------------------------------------
# The key material: what must never show up anywhere.
K1='k1-file-secret-7f3a9c2e41d8b6aa'
K2='k2-env-secret-52b1e0d9c7a4f3bb'
printf '%s\n' "$K1" >"$W/k1.key"
mkdir -p "$W/creds"
printf '%s\n' "$K1" >"$W/creds/k1"
CREDENTIALS_DIRECTORY=$AW/creds
COLUMNS_K2=$K2
export CREDENTIALS_DIRECTORY COLUMNS_K2
# h1 TEXT: k1's token (hex); h2 TEXT: k2's (base64)
h1() { printf '%s' "$1" | openssl dgst -sha256 -hmac "$K1" | sed 's/^.*= //'; }
h2() { printf '%s' "$1" | openssl dgst -sha256 -hmac "$K2" -binary | base64; }

# ---- configs -----------------------------------------------------------------
# mkconf NAME S SERVER_ID HTTP_PORT INCLUDE START K1SOURCE: W/NAME.conf for
# server S, [source] name NAME (topics NAME.db.table), its own state
# directory and state topic; no [columns] yet (add_rules)
mkconf() {
    cat >"$W/$1.conf" <<EOF
; tests/integ/columns.sh
[source]
host = 127.0.0.1
port = $(port_of "$2")
user = repl
password_file = $AW/pw
server_id = $3
name = $1
heartbeat = 1
connect_timeout = 3
ssl_mode = DISABLED
start = $6

[kafka]
bootstrap.servers = $BS
linger.ms = 5
state_topic = $1.state

[filter]
include = $5

[state]
dir = $AW/$1.state
checkpoint_interval = 200ms

[http]
listen = 127.0.0.1:$4

[daemon]
log_level = debug

[hash_key k1]
secret = $7
encoding = hex

[hash_key k2]
secret = env:COLUMNS_K2
encoding = base64
EOF
}
# add_rules NAME: group 1's rules, in this order (first match wins)
RULES='pay.acct.card_no = hash:k1
pay.other.card_no = hash:k1
pay.*.card_no = exclude
pay.acct.name = mask:keep-last-1
pay.acct.name_gbk = mask:keep-last-1
pay.acct.id_number = mask:fixed=***
pay.acct.amount = mask:keep-last-4
pay.acct.acct_no = mask:keep-last-4
pay.acct.bal = mask:keep-last-1
pay.acct.rate = mask:keep-last-2
pay.acct.raw = mask:keep-last-2
pay.acct.phone = exclude
pay.acct.note = mask:null
pay.*.open_id = hash:k2
pay.other.ref = hash:k1
pay.other.fee = hash:k1
pay.other.nm_gbk = hash:k1
pay.en.kind = mask:keep-last-3
pay.en.tier = hash:k1
pay.tok.tok = hash:k1
pay.ex.id = exclude'
NRULES=$(echo "$RULES" | wc -l)
add_rules() {
    printf '\n[keys]\npay.ex = acct\n\n[columns]\n%s\n' "$RULES" >>"$W/$1.conf"
}
# conf_add NAME SECTION LINE: LINE right after [SECTION]
conf_add() { sed -i "/^\[$2\]\$/a $3" "$W/$1.conf"; }

# ---- daemons -----------------------------------------------------------------
start_daemon() { # NAME: sets DP (and P_NAME)
    echo "---- start $(date '+%H:%M:%S')" >>"$W/$1.log"
    "$B" run -c "$W/$1.conf" >>"$W/$1.log" 2>&1 &
    DP=$!
    eval "P_$1=$DP"
    DPIDS="$DPIDS $DP"
}
stop_pid() { # PID: SIGTERM, 30 s at most (then SIGKILL); sets RC
    kill -TERM "$1" 2>/dev/null
    waitfor 30 gone "$1" || kill -9 "$1" 2>/dev/null
    wait "$1"
    RC=$?
    forget DPIDS "$1"
}
exited_pid() { # PID SECS: wait for it to exit by itself (SIGKILL after SECS); sets RC
    waitfor "$2" gone "$1" || kill -9 "$1" 2>/dev/null
    wait "$1"
    RC=$?
    forget DPIDS "$1"
}
ckpt_pos() {
    sed -n 's/.*"file":"\([^"]*\)","pos":\([0-9]*\),.*/\1:\2/p' "$W/$1.state/checkpoint.json" 2>/dev/null
}
ckpt_at_head() { _h=$(head_pos "$2") && [ -n "$_h" ] && [ "$(ckpt_pos "$1")" = "$_h" ]; }
status() { curl -s --max-time 3 "http://127.0.0.1:$1/status"; }

# ---- Kafka -------------------------------------------------------------------
# raw TOPIC OUT: "key<TAB>value" per message, in offset order (one
# partition); a missing topic is empty
raw() { kcat -b "$BS" -C -t "$1" -o beginning -e -q -f '%k\t%s\n' >"$2" 2>"$2.err"; }
nmsgs() { kcat -b "$BS" -C -t "$1" -o beginning -e -q -f 'x\n' 2>/dev/null | wc -l; }
# The comparable form of a message: "TABLE<TAB>KEY<TAB>VALUE<TAB>HASHED",
# VALUE without its "source" (positions differ by server), HASHED the
# source's "hashed" member ("-" without one), KEY "-" when there is none.
NORM='{
    k = $1; v = $2
    if (k == "") k = "-"
    h = "-"
    if (match(v, /"hashed":[{][^}]*[}]/)) h = substr(v, RSTART, RLENGTH)
    i = index(v, ",\"source\":{")
    if (i) v = substr(v, 1, i - 1) "}"
    t = v; sub(/.*"table":"/, "", t); sub(/".*/, "", t)
    print t "\t" k "\t" v "\t" h
}'
# norm_kafka OUT RAW...: the raw files' messages, comparable, in the order of
# the files (one per table)
norm_kafka() {
    _o=$1
    shift
    cat "$@" | awk -F '\t' "$NORM" >"$_o"
}
# norm_dump OUT DUMP: the dump's rows (no key), comparable, grouped by table
# in binlog order
norm_dump() {
    grep '^{"op":' "$2" | awk -F '\t' '{ print "\t" $0 }' | awk -F '\t' "$NORM" |
        sort -s -t "$TAB" -k1,1 >"$1"
}
# split_en FILE OUT: OUT the lines of tables but en, OUT.en those of en
split_en() {
    grep -v "^en$TAB" "$1" >"$2"
    grep "^en$TAB" "$1" >"$2.en"
}
# firstdiff WANT GOT: how many lines differ, and where the first pair does
firstdiff() {
    diff "$1" "$2" | awk '
        /^</ { nw++; if (w == "") w = substr($0, 3) }
        /^>/ { ng++; if (g == "") g = substr($0, 3) }
        END {
            if (nw + ng == 0) exit
            i = 1
            while (i <= length(w) && substr(w, i, 1) == substr(g, i, 1)) i++
            s = i > 80 ? i - 80 : 1
            printf "%d lines wanted, %d got, not alike; first: want ...%s... got ...%s...", nw, ng, substr(w, s, 160), substr(g, s, 160)
        }'
}
nonempty_same() { [ -s "$1" ] && cmp -s "$1" "$2"; }
# same WHAT GOT WANT: GOT has lines and is WANT line for line
same() { check "$1 ($(firstdiff "$3" "$2"))" nonempty_same "$2" "$3"; }

# hasall FILE STRING...: every STRING is in FILE (fixed strings);
# hasnone FILE STRING...: none is, and FILE has lines
hasall() {
    _f=$1
    shift
    for _s in "$@"; do grep -qF -- "$_s" "$_f" || return 1; done
}
hasnone() {
    _f=$1
    shift
    [ -s "$_f" ] || return 1
    for _s in "$@"; do grep -qF -- "$_s" "$_f" && return 1; done
    return 0
}
count_of() { grep -cF -- "$2" "$1"; }

DUMPH="--host 127.0.0.1 --user repl --password-file $AW/pw --ssl-mode DISABLED"

# ==== 1: the data path ========================================================
section "1: the workload on FULL and MINIMAL"
cat >"$W/ddl.sql" <<'EOF'
CREATE DATABASE pay;
USE pay;
CREATE TABLE acct (id BIGINT PRIMARY KEY,
  card_no VARCHAR(32) CHARACTER SET utf8mb4, name VARCHAR(32) CHARACTER SET utf8mb4,
  name_gbk VARCHAR(32) CHARACTER SET gbk, id_number VARCHAR(18), amount DECIMAL(20,2),
  acct_no BIGINT, phone VARCHAR(20), note VARCHAR(64), open_id VARCHAR(40),
  bal DECIMAL(12,2), rate DOUBLE, raw VARBINARY(8));
CREATE TABLE other (id INT PRIMARY KEY, open_id VARCHAR(40), card_no VARCHAR(32),
  ref BIGINT, fee DECIMAL(12,2), nm_gbk VARCHAR(32) CHARACTER SET gbk);
CREATE TABLE en (id INT PRIMARY KEY, kind ENUM('personal','corporate'), tier ENUM('gold','分账'));
CREATE TABLE tok (tok VARCHAR(32) PRIMARY KEY, v INT);
CREATE TABLE ex (id INT PRIMARY KEY, acct VARCHAR(20) NOT NULL, v INT);
CREATE TABLE w (id INT PRIMARY KEY, txn INT NOT NULL, secret VARCHAR(20));
CREATE TABLE bad (id INT PRIMARY KEY, acct VARCHAR(20) NOT NULL, v INT);
EOF
cat >"$W/dml.sql" <<'EOF'
BEGIN;
INSERT INTO acct VALUES
  (1, '6222021234567890123', '张三丰', '张三丰', '110101199003077777', 12345.67,
   6222021234567890, '13800138000', 'note-vip-1', 'oid-AAAA-1', -12.50, 0.125, x'01020304'),
  (2, '6222029876543210', 'Bob-Lee', 'Bob-Lee', '22010119851212001X', -98765.43,
   -42, '13900139000', NULL, 'oid-BBBB-2', 12345.67, -3.75, x'ff'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
COMMIT;
INSERT INTO acct VALUES (4, '6222021234567890123', 'Ω李', 'Ω李', '', 0.05,
  9223372036854775807, '', 'note-four', 'oid-AAAA-1', 0.00, 0, x'');
UPDATE acct SET name = '李四', name_gbk = '李四', amount = -0.01, note = 'note-chg-1',
  phone = '13700137000' WHERE id = 1;
UPDATE acct SET note = 'note-two' WHERE id IN (1, 4);
DELETE FROM acct WHERE id = 2;
BEGIN;
INSERT INTO other VALUES (1, 'oid-AAAA-1', '6222021234567890123', 42, 12345.67, '张三丰'),
  (2, '6222021234567890123', '张三丰', -7, -12.50, NULL);
INSERT INTO en VALUES (1, 'personal', '分账'), (2, NULL, 'gold');
UPDATE en SET kind = 'corporate' WHERE id = 1;
INSERT INTO tok VALUES ('T-1', 1), ('T-2', 2);
INSERT INTO ex VALUES (770001, 'A-1', 1), (770002, 'A-2', 2);
COMMIT;
BEGIN;
UPDATE tok SET tok = 'T-9' WHERE tok = 'T-1';
UPDATE tok SET v = 3 WHERE tok = 'T-2';
UPDATE ex SET v = 5 WHERE id = 770001;
DELETE FROM ex WHERE id = 770002;
UPDATE other SET ref = 43 WHERE id = 1;
COMMIT;
SET SESSION binlog_row_image = MINIMAL;
BEGIN;
UPDATE acct SET name = '王五', id_number = 'X9', card_no = NULL WHERE id = 4;
DELETE FROM acct WHERE id = 3;
COMMIT;
EOF
for s in f m; do
    sh "$MSH" sql "$DIR/db$s" <"$W/ddl.sql" || bad "$(meta_of $s): the DDL failed"
    eval "A_$s=\$(head_pos $s)"
    sql $s <"$W/dml.sql" || bad "$(meta_of $s): the workload failed"
    eval "B_$s=\$(head_pos $s)"
done
# nothing but the workload's rows between A and B (the DDL is before A)

# ---- the expected messages ---------------------------------------------------
C1=6222021234567890123
C2=6222029876543210
TC1=$(h1 $C1)
TC2=$(h1 $C2)
TOA=$(h2 oid-AAAA-1)
TOB=$(h2 oid-BBBB-2)
TOC1=$(h2 $C1)
TZS=$(h1 '张三丰')
T42=$(h1 42)
T43=$(h1 43)
TM7=$(h1 -7)
TF1=$(h1 12345.67)
TF2=$(h1 -12.50)
TFZ=$(h1 '分账')
TGOLD=$(h1 gold)
TT1=$(h1 T-1)
TT2=$(h1 T-2)
TT9=$(h1 T-9)
RAW1=$(printf '**\003\004' | base64) # x'01020304' keep-last-2
RAW2=$(printf '\377' | base64)       # x'ff': one byte, kept
# acct: phone absent; note null
A1='{"id":1,"card_no":"'$TC1'","name":"**丰","name_gbk":"**丰","id_number":"***","amount":"***45.67","acct_no":"************7890","note":null,"open_id":"'$TOA'","bal":"-**.*0","rate":"*.*25","raw":"'$RAW1'"}'
A1U='{"id":1,"card_no":"'$TC1'","name":"*四","name_gbk":"*四","id_number":"***","amount":"-0.01","acct_no":"************7890","note":null,"open_id":"'$TOA'","bal":"-**.*0","rate":"*.*25","raw":"'$RAW1'"}'
A2='{"id":2,"card_no":"'$TC2'","name":"******e","name_gbk":"******e","id_number":"***","amount":"-***65.43","acct_no":"-42","note":null,"open_id":"'$TOB'","bal":"*****.*7","rate":"-*.75","raw":"'$RAW2'"}'
A3='{"id":3,"card_no":null,"name":null,"name_gbk":null,"id_number":null,"amount":null,"acct_no":null,"note":null,"open_id":null,"bal":null,"rate":null,"raw":null}'
A4='{"id":4,"card_no":"'$TC1'","name":"*李","name_gbk":"*李","id_number":"***","amount":"0.05","acct_no":"***************5807","note":null,"open_id":"'$TOA'","bal":"*.*0","rate":"0","raw":""}'
O1='{"id":1,"open_id":"'$TOA'","card_no":"'$TC1'","ref":"'$T42'","fee":"'$TF1'","nm_gbk":"'$TZS'"}'
O1U='{"id":1,"open_id":"'$TOA'","card_no":"'$TC1'","ref":"'$T43'","fee":"'$TF1'","nm_gbk":"'$TZS'"}'
O2='{"id":2,"open_id":"'$TOC1'","card_no":"'$TZS'","ref":"'$TM7'","fee":"'$TF2'","nm_gbk":null}'
# ENUM: the member's text is masked or hashed, as a VARCHAR's would be
EN1='{"id":1,"kind":"*****nal","tier":"'$TFZ'"}'
EN1U='{"id":1,"kind":"******ate","tier":"'$TFZ'"}'
EN2='{"id":2,"kind":null,"tier":"'$TGOLD'"}'
HE='"hashed":{"tier":"k1"}'
HA='"hashed":{"card_no":"k1","open_id":"k2"}'
HO='"hashed":{"open_id":"k2","card_no":"k1","ref":"k1","fee":"k1","nm_gbk":"k1"}'
HT='"hashed":{"tok":"k1"}'
# exp TABLE KEY OP BEFORE AFTER HASHED
exp() {
    printf '%s\t%s\t{"op":"%s","db":"pay","table":"%s","before":%s,"after":%s}\t%s\n' \
        "$1" "$2" "$3" "$1" "$4" "$5" "$6"
}
{
    exp acct '{"id":1}' c null "$A1" "$HA"
    exp acct '{"id":2}' c null "$A2" "$HA"
    exp acct '{"id":3}' c null "$A3" "$HA"
    exp acct '{"id":4}' c null "$A4" "$HA"
    exp acct '{"id":1}' u "$A1" "$A1U" "$HA"
    exp acct '{"id":1}' u "$A1U" "$A1U" "$HA"
    exp acct '{"id":4}' u "$A4" "$A4" "$HA"
    exp acct '{"id":2}' d "$A2" null "$HA"
    exp other '{"id":1}' c null "$O1" "$HO"
    exp other '{"id":2}' c null "$O2" "$HO"
    exp en '{"id":1}' c null "$EN1" "$HE"
    exp en '{"id":2}' c null "$EN2" "$HE"
    exp en '{"id":1}' u "$EN1" "$EN1U" "$HE"
    exp tok '{"tok":"'$TT1'"}' c null '{"tok":"'$TT1'","v":1}' "$HT"
    exp tok '{"tok":"'$TT2'"}' c null '{"tok":"'$TT2'","v":2}' "$HT"
    exp ex '{"acct":"A-1"}' c null '{"acct":"A-1","v":1}' -
    exp ex '{"acct":"A-2"}' c null '{"acct":"A-2","v":2}' -
    exp tok '{"tok":"'$TT1'"}' d '{"tok":"'$TT1'","v":1}' null "$HT"
    exp tok '{"tok":"'$TT9'"}' c null '{"tok":"'$TT9'","v":1}' "$HT"
    exp tok '{"tok":"'$TT2'"}' u '{"tok":"'$TT2'","v":2}' '{"tok":"'$TT2'","v":3}' "$HT"
    exp ex '{"acct":"A-1"}' u '{"acct":"A-1","v":1}' '{"acct":"A-1","v":5}' -
    exp ex '{"acct":"A-2"}' d '{"acct":"A-2","v":2}' null -
    exp other '{"id":1}' u "$O1" "$O1U" "$HO"
    # binlog_row_image=MINIMAL: what the image lacks stays absent, NULL null
    exp acct '{"id":4}' u '{"id":4}' '{"card_no":null,"name":"*五","id_number":"***"}' "$HA"
    exp acct '{"id":3}' d '{"id":3}' null "$HA"
} | sort -s -t "$TAB" -k1,1 >"$W/want.all"
# pay.en (ENUM columns) compared on its own
split_en "$W/want.all" "$W/want"
awk -F '\t' -v OFS='\t' '{ $2 = "-"; print }' "$W/want" >"$W/want.nokey"
awk -F '\t' -v OFS='\t' '{ $2 = "-"; print }' "$W/want.en" >"$W/want.en.nokey"
TABLES="acct en ex other tok"

# ---- run, replay, dump on each server ------------------------------------------
HP=$HBASE
for s in f m; do
    eval "a=\$A_$s"
    if [ $s = f ]; then k1src="file:$AW/k1.key"; else k1src="cred:k1"; fi
    mkconf $s $s $((900 + 10 * $(echo $s | tr fm 01))) $HP "pay.acct,pay.other,pay.tok,pay.ex,pay.en,pay.w" "$a" "$k1src"
    add_rules $s
    eval "HTTP_$s=$HP"
    HP=$((HP + 1))
done
section "1: run from A on both servers"
for s in f m; do start_daemon $s; done
for s in f m; do
    eval "p=\$P_$s"
    waitfor 60 ckpt_at_head $s $s ||
        bad "$(meta_of $s): the daemon did not reach the head ($(ckpt_pos $s) vs $(head_pos $s)): $(grep -i -e error -e warn "$W/$s.log" | tail -3)"
    check "$(meta_of $s): the daemon runs" alive "$p"
done
section "1: replay A..B to Kafka, dump -c --host, dump -c FILE"
for s in f m; do
    eval "a=\$A_$s b=\$B_$s"
    timeout -k 5 90 "$B" replay -c "$W/$s.conf" --from "$a" --to "$b" --topic-suffix .rp \
        >"$W/$s.replay.out" 2>"$W/$s.replay.err"
    rc=$?
    check "$(meta_of $s): replay -c: exit 0 (exit $rc: $(head -c 300 "$W/$s.replay.err" | tr '\n' '|'))" [ $rc -eq 0 ]
    timeout -k 5 60 "$B" dump -c "$W/$s.conf" $DUMPH --port "$(port_of $s)" --server-id 4$((DBPORT % 1000))1 \
        --from "$a" >"$W/$s.dumph" 2>"$W/$s.dumph.err"
    rc=$?
    check "$(meta_of $s): dump -c --host: exit 0 (exit $rc: $(grep -v warning "$W/$s.dumph.err" | head -c 300 | tr '\n' '|'))" [ $rc -eq 0 ]
    # plain dump: everything in clear
    timeout -k 5 60 "$B" dump $DUMPH --port "$(port_of $s)" --server-id 4$((DBPORT % 1000))1 \
        --from "$a" >"$W/$s.clear" 2>"$W/$s.clear.err"
    check "$(meta_of $s): plain dump --host prints card_no, phone and the name in clear" \
        sh -c "grep -q '\"card_no\":\"$C1\"' '$W/$s.clear' && grep -q '\"phone\":\"13800138000\"' '$W/$s.clear' &&
               grep -q '\"name\":\"张三丰\",\"name_gbk\":\"张三丰\"' '$W/$s.clear'"
done
FILES_f=$(ls "$DIR"/dbf/db/binlog.[0-9]*)
FILES_m=$(ls "$DIR"/dbm/db/binlog.[0-9]*)
# shellcheck disable=SC2086 # a list of files
timeout -k 5 60 "$B" dump -c "$W/f.conf" $FILES_f >"$W/f.dumpf" 2>"$W/f.dumpf.err"
rc=$?
check "FULL: dump -c FILE...: exit 0 (exit $rc: $(head -c 300 "$W/f.dumpf.err" | tr '\n' '|'))" [ $rc -eq 0 ]
# shellcheck disable=SC2086
timeout -k 5 60 "$B" dump $FILES_f >"$W/f.dumpf.clear" 2>/dev/null
check "FULL: plain dump FILE... prints id_number in clear" grep -q '"id_number":"110101199003077777"' "$W/f.dumpf.clear"
# shellcheck disable=SC2086
timeout -k 5 60 "$B" dump -c "$W/m.conf" $FILES_m >"$W/m.dumpf" 2>"$W/m.dumpf.err"
rc=$?
check "MINIMAL: dump -c FILE... without a schema history: exit 65 (exit $rc)" [ $rc -eq 65 ]
check "MINIMAL: ... it says the rows carry no column names ($(head -c 300 "$W/m.dumpf.err" | tr '\n' '|'))" \
    grep -q "carry no column names" "$W/m.dumpf.err"
check "MINIMAL: ... and printed no row of pay.acct, pay.other, pay.tok or pay.ex ($(grep -c '"op"' "$W/m.dumpf"))" \
    sh -c "! grep -q -e '\"table\":\"acct\"' -e '\"table\":\"other\"' -e '\"table\":\"tok\"' -e '\"table\":\"ex\"' -e '\"table\":\"en\"' '$W/m.dumpf'"

# ---- the messages --------------------------------------------------------------
for s in f m; do
    for t in $TABLES; do
        raw "$s.pay.$t" "$W/$s.run.$t"
        raw "$s.pay.$t.rp" "$W/$s.rp.$t"
    done
    norm_kafka "$W/$s.run.all" "$W/$s.run.acct" "$W/$s.run.en" "$W/$s.run.ex" "$W/$s.run.other" "$W/$s.run.tok"
    norm_kafka "$W/$s.rp.all" "$W/$s.rp.acct" "$W/$s.rp.en" "$W/$s.rp.ex" "$W/$s.rp.other" "$W/$s.rp.tok"
    norm_dump "$W/$s.dumph.all" "$W/$s.dumph"
    for o in run rp dumph; do split_en "$W/$s.$o.all" "$W/$s.$o.norm"; done
    M=$(meta_of $s)
    same "$M: run: the Kafka keys and values are exactly the expected ones" "$W/$s.run.norm" "$W/want"
    same "$M: replay: the same keys and values" "$W/$s.rp.norm" "$W/want"
    same "$M: dump -c --host: the same values" "$W/$s.dumph.norm" "$W/want.nokey"
    same "$M: run: pay.en's ENUM members masked and hashed as their text" "$W/$s.run.norm.en" "$W/want.en"
    same "$M: replay: pay.en the same" "$W/$s.rp.norm.en" "$W/want.en"
    same "$M: dump -c --host: pay.en the same" "$W/$s.dumph.norm.en" "$W/want.en.nokey"
done
norm_dump "$W/f.dumpf.all" "$W/f.dumpf"
split_en "$W/f.dumpf.all" "$W/f.dumpf.norm"
same "FULL: dump -c FILE...: the same values" "$W/f.dumpf.norm" "$W/want.nokey"
same "FULL: dump -c FILE...: pay.en the same" "$W/f.dumpf.norm.en" "$W/want.en.nokey"
same "MINIMAL's run messages are byte-identical with FULL's (key, value, hashed)" "$W/m.run.all" "$W/f.run.all"
same "MINIMAL's dump -c --host lines are byte-identical with FULL's" "$W/m.dumph.all" "$W/f.dumph.all"

# the documented examples, one by one (in FULL's and MINIMAL's run messages)
for s in f m; do
    M=$(meta_of $s)
    A="$W/$s.run.acct"
    check "$M: keep-last-1 of utf8mb4 '张三丰' is \"**丰\", and GBK gives the same" \
        hasall "$A" '"name":"**丰","name_gbk":"**丰"'
    check "$M: keep-last-1 of '李四' (update), 'Ω李' and 'Bob-Lee'" \
        hasall "$A" '"name":"*四","name_gbk":"*四"' '"name":"*李","name_gbk":"*李"' \
        '"name":"******e","name_gbk":"******e"'
    check "$M: BIGINT 6222021234567890 keep-last-4 is the string \"************7890\"" \
        hasall "$A" '"acct_no":"************7890"'
    check "$M: BIGINT 9223372036854775807 and -42 keep-last-4: \"***************5807\", \"-42\"" \
        hasall "$A" '"acct_no":"***************5807"' '"acct_no":"-42"'
    check "$M: DECIMAL(20,2) 12345.67 keep-last-4 is \"***45.67\" (-98765.43: \"-***65.43\", 0.05: \"0.05\")" \
        hasall "$A" '"amount":"***45.67"' '"amount":"-***65.43"' '"amount":"0.05"'
    check "$M: DECIMAL -12.50 keep-last-1 is \"-**.*0\" (0.00: \"*.*0\")" \
        hasall "$A" '"bal":"-**.*0"' '"bal":"*.*0"'
    check "$M: DOUBLE 0.125 and -3.75 keep-last-2 are \"*.*25\" and \"-*.75\"" \
        hasall "$A" '"rate":"*.*25"' '"rate":"-*.75"'
    check "$M: VARBINARY x'01020304' keep-last-2 is base64 of '**' 03 04 ($RAW1)" hasall "$A" "\"raw\":\"$RAW1\""
    check "$M: mask:fixed=*** gives \"***\" in all 8 messages with a value (an empty string too) ($(count_of "$A" '"id_number":"***"'))" \
        [ "$(count_of "$A" '"id_number":"***"')" -eq 8 ]
    check "$M: mask:null: note is null in every image ($(grep -o '"note":[^,]*' "$A" | sort -u | tr '\n' ' '))" \
        [ "$(grep -o '"note":[^,]*' "$A" | sort -u)" = '"note":null' ]
    check "$M: exclude: no \"phone\" in any acct message" hasnone "$A" '"phone"'
    check "$M: the all-NULL row: every remaining column null, phone absent" hasall "$A" "$A3"
    check "$M: binlog_row_image=MINIMAL: columns the image lacks stay absent, NULL stays null, the rest masked" \
        hasall "$A" '"before":{"id":4},"after":{"card_no":null,"name":"*五","id_number":"***"}' '"op":"d","db":"pay","table":"acct","before":{"id":3},"after":null'
    check "$M: pay.ex keyed by its [keys] column acct: {\"acct\":\"A-1\"}" \
        hasall "$W/$s.run.ex" "{\"acct\":\"A-1\"}$TAB{\"op\":\"c\",\"db\":\"pay\",\"table\":\"ex\",\"before\":null,\"after\":{\"acct\":\"A-1\",\"v\":1}"
    check "$M: pay.ex: its excluded primary key column id is in no key or value" \
        hasnone "$W/$s.run.ex" '"id"' 77000
    check "$M: pay.tok: its hashed primary key: the key is the token" \
        hasall "$W/$s.run.tok" "{\"tok\":\"$TT1\"}$TAB{\"op\":\"c\""
    check "$M: pay.tok: a key change is a d under the old token and a c under the new" \
        hasall "$W/$s.run.tok" "{\"tok\":\"$TT1\"}$TAB{\"op\":\"d\"" "{\"tok\":\"$TT9\"}$TAB{\"op\":\"c\""
done

# nothing in clear anywhere: values of excluded, masked and hashed columns,
# the excluded column's name
for s in f m; do
    for t in $TABLES; do cat "$W/$s.run.$t" "$W/$s.rp.$t"; done
    cat "$W/$s.dumph"
done >"$W/all.msgs"
cat "$W/f.dumpf" >>"$W/all.msgs"
leaks=""
for v in 13800138000 13900139000 13700137000 '"phone"' $C1 $C2 6222021234567890 \
    110101199003077777 22010119851212001X note-vip-1 note-chg-1 note-two note-four \
    oid-AAAA-1 oid-BBBB-2 '张三丰' '三丰' '李四' '王五' 'Ω' Bob-Lee personal corporate '分账' 12345.67 98765 '"T-1"' '"T-2"' '"T-9"' \
    770001 770002 -3.75 0.125; do
    grep -qF -- "$v" "$W/all.msgs" && leaks="$leaks $v"
done
check "no clear value of an excluded, masked or hashed column, and no \"phone\", in any message, key or dump -c line ($(wc -l <"$W/all.msgs") lines; found:$leaks)" \
    [ -z "$leaks" -a "$(wc -l <"$W/all.msgs")" -ge 100 ]

# ==== 2: hashing =================================================================
section "2: tokens"
A="$W/f.run.acct"
O="$W/f.run.other"
check "the same card_no in two rows (ids 1 and 4): one token, k1's HMAC of '$C1' in hex" \
    hasall "$A" "\"after\":{\"id\":1,\"card_no\":\"$TC1\"" "\"after\":{\"id\":4,\"card_no\":\"$TC1\""
check "... and the same token in another table (pay.other.card_no)" \
    hasall "$O" "{\"id\":1,\"open_id\":\"$TOA\",\"card_no\":\"$TC1\""
check "k1's tokens are 64 lowercase hex digits ($TC1)" sh -c "echo '$TC1' | grep -qx '[0-9a-f]\{64\}'"
check "the same open_id in two rows and two tables: one k2 token, 44 base64 characters ($TOA)" \
    sh -c "echo '$TOA' | grep -qx '[A-Za-z0-9+/]\{43\}='"
check "... in pay.acct rows 1 and 4 and pay.other row 1" \
    hasall "$A" "\"after\":$A1" "\"after\":$A4"
check "... and pay.other row 1" hasall "$O" "{\"id\":1,\"open_id\":\"$TOA\""
k2hex=$(printf '%s' "$TOC1" | base64 -d | od -An -tx1 | tr -d ' \n')
check "another key, another token: k2 of '$C1' ($k2hex) is not k1's ($TC1)" \
    [ -n "$k2hex" -a "$k2hex" != "$TC1" ]
check "... pay.other.open_id '$C1' carries k2's token" hasall "$O" "{\"id\":2,\"open_id\":\"$TOC1\""
check "BIGINT 42 hashed as the text \"42\" (and -7 as \"-7\", 43 after the update)" \
    hasall "$O" "\"ref\":\"$T42\"" "\"ref\":\"$TM7\"" "\"ref\":\"$T43\""
check "DECIMAL 12345.67 and -12.50 hashed as their text" hasall "$O" "\"fee\":\"$TF1\"" "\"fee\":\"$TF2\""
check "GBK '张三丰' and utf8mb4 '张三丰' hash to one token (of the UTF-8 bytes)" \
    hasall "$O" "\"nm_gbk\":\"$TZS\"" "\"id\":2,\"open_id\":\"$TOC1\",\"card_no\":\"$TZS\""
check "a hashed NULL stays null" hasall "$O" "\"fee\":\"$TF2\",\"nm_gbk\":null}"
check "ENUM 'personal' keep-last-3 is \"*****nal\" (the member's text, not its JSON text) ($(grep -o '"kind":"[^,]*' "$W/f.run.en" | head -1))" \
    hasall "$W/f.run.en" '"kind":"*****nal"'
check "ENUM '分账' and 'gold' hashed as their text ($(grep -o '"tier":"[^"]*"' "$W/f.run.en" | head -1))" \
    hasall "$W/f.run.en" "\"tier\":\"$TFZ\"" "\"tier\":\"$TGOLD\""
for s in f m; do
    M=$(meta_of $s)
    check "$M: source.hashed of pay.acct names card_no:k1, open_id:k2 in column order" \
        [ "$(grep -c "\"source\":{.*$HA" "$W/$s.run.acct")" -eq 10 ]
    check "$M: source.hashed of pay.other in column order" \
        [ "$(grep -c "\"source\":{.*$HO" "$W/$s.run.other")" -eq 3 ]
    check "$M: pay.ex (no hash rule) carries no \"hashed\"" hasnone "$W/$s.run.ex" '"hashed"'
done

# ==== 3: check-config, a key column refused =====================================
if want 3; then
    section "3: check-config"
    # cc.conf: f.conf's rules plus one that matches nothing, its own state dir
    sed -e "s|^dir = .*|dir = $AW/cc.state|" -e 's|^name = f$|name = cc|' "$W/f.conf" >"$W/cc.conf"
    echo 'pay.acct.nosuch = exclude' >>"$W/cc.conf"
    NOSUCH_LINE=$(grep -n '^pay.acct.nosuch = exclude$' "$W/cc.conf" | cut -d: -f1)
    "$B" check-config -c "$AW/cc.conf" >"$W/cc.out" 2>&1
    rc=$?
    check "check-config: exit 0 with only a warning (exit $rc: $(grep -e '^ERROR' "$W/cc.out" | head -2 | tr '\n' '|'))" [ $rc -eq 0 ]
    for l in 'pay.acct.card_no = hash:k1: pay.acct.card_no' \
        'pay.other.card_no = hash:k1: pay.other.card_no' \
        'pay.acct.name_gbk = mask:keep-last-1: pay.acct.name_gbk' \
        'pay.acct.id_number = mask:fixed=***: pay.acct.id_number' \
        'pay.acct.phone = exclude: pay.acct.phone' \
        'pay.*.open_id = hash:k2: pay.acct.open_id, pay.other.open_id' \
        'pay.tok.tok = hash:k1: pay.tok.tok' \
        'pay.ex.id = exclude: pay.ex.id'; do
        check "check-config: INFO columns [columns] $l ($(grep -F "[columns] ${l%%:*}" "$W/cc.out" | head -1))" \
            grep -qxF "INFO columns [columns] $l" "$W/cc.out"
    done
    check "check-config: WARNING for the rule that matches nothing, with its FILE:LINE ($(grep -F 'nosuch' "$W/cc.out" | head -1))" \
        grep -qF "WARNING columns [columns] pay.acct.nosuch = exclude ($AW/cc.conf:$NOSUCH_LINE) matches no column of a published table" "$W/cc.out"
    SHADOW_LINE=$(grep -n '^pay\.\*\.card_no = exclude$' "$W/cc.conf" | cut -d: -f1)
    check "check-config: first match wins: the exclude rule behind the two card_no hash rules matches nothing: WARNING ($(grep -F 'pay.*.card_no' "$W/cc.out" | head -1))" \
        grep -qF "WARNING columns [columns] pay.*.card_no = exclude ($AW/cc.conf:$SHADOW_LINE) matches no column of a published table" "$W/cc.out"
    check "check-config: no ERROR for pay.ex.id = exclude: [keys] pay.ex = acct keys it" \
        hasnone "$W/cc.out" 'ERROR columns'
    check "check-config: [keys] pay.ex is not called unused: it keys pay.ex, whose primary key is excluded ($(grep -F 'WARNING keys [keys] pay.ex' "$W/cc.out" | head -1 | cut -c 1-160))" \
        hasnone "$W/cc.out" 'WARNING keys [keys] pay.ex'
    "$B" check-config -c "$AW/cc.conf" --print >"$W/cc.print" 2>&1
    check "check-config --print shows where the keys come from ($(grep -F 'secret =' "$W/cc.print" | tr '\n' '|'))" \
        sh -c "grep -qxF 'secret = file:$AW/k1.key' '$W/cc.print' && grep -qxF 'secret = env:COLUMNS_K2' '$W/cc.print'"
    check "check-config --print lists the rules" grep -qxF 'pay.*.open_id = hash:k2' "$W/cc.print"
    sed -e "s|^dir = .*|dir = $AW/cm.state|" -e 's|^name = m$|name = cm|' "$W/m.conf" >"$W/cm.conf"
    "$B" check-config -c "$AW/cm.conf" --print >"$W/cm.print" 2>&1
    check "check-config --print (MINIMAL's config): secret = cred:k1" grep -qxF 'secret = cred:k1' "$W/cm.print"
    check "check-config on the MINIMAL server lists the same columns" \
        grep -qxF 'INFO columns [columns] pay.*.open_id = hash:k2: pay.acct.open_id, pay.other.open_id' "$W/cm.print"

    section "3: a rule excluding a primary-key column without [keys]"
    for s in f m; do
        eval "P3_$s=\$(head_pos $s)"
        sql $s -e "INSERT INTO bad VALUES (880001, 'B-1', 1)"
        eval "Q3_$s=\$(head_pos $s)"
    done
    for s in f m; do
        eval "p3=\$P3_$s"
        mkconf x$s $s $((930 + 10 * $(echo $s | tr fm 01))) $HP "pay.bad" "$p3" "file:$AW/k1.key"
        HP=$((HP + 1))
        printf '\n[columns]\npay.bad.id = exclude\n' >>"$W/x$s.conf"
    done
    "$B" check-config -c "$AW/xf.conf" >"$W/xf.cc" 2>&1
    rc=$?
    check "check-config: a rule excluding pay.bad's primary key: exit 1 (exit $rc)" [ $rc -eq 1 ]
    check "check-config: ... an ERROR columns line naming the rule ($(grep -F 'pay.bad' "$W/xf.cc" | head -2 | tr '\n' '|'))" \
        grep -q '^ERROR columns .*pay\.bad\.id = exclude' "$W/xf.cc"
    for s in f m; do
        M=$(meta_of $s)
        start_daemon x$s
        xp=$DP
        exited_pid "$xp" 30
        check "$M: run: exit 65 at pay.bad's first row (exit $RC)" [ "$RC" -eq 65 ]
        check "$M: run: the error names [columns], the rule and the column ($(grep -F '[columns]' "$W/x$s.log" | tail -1))" \
            grep -q '\[columns\].*pay\.bad\.id = exclude.*`id`' "$W/x$s.log"
        check "$M: run: nothing published to x$s.pay.bad ($(nmsgs "x$s.pay.bad"))" [ "$(nmsgs "x$s.pay.bad")" -eq 0 ]
        eval "p3=\$P3_$s q3=\$Q3_$s"
        timeout -k 5 60 "$B" dump -c "$W/x$s.conf" $DUMPH --port "$(port_of $s)" --server-id 4$((DBPORT % 1000))2 \
            --from "$p3" >"$W/x$s.dumph" 2>"$W/x$s.dumph.err"
        rc=$?
        check "$M: dump -c --host: exit 65 (exit $rc: $(head -c 300 "$W/x$s.dumph.err" | tr '\n' '|'))" [ $rc -eq 65 ]
        check "$M: dump -c --host: the message names the rule, nothing printed" \
            sh -c "grep -q 'pay\.bad\.id = exclude' '$W/x$s.dumph.err' && ! grep -q 880001 '$W/x$s.dumph'"
        timeout -k 5 60 "$B" replay -c "$W/x$s.conf" --from "$p3" --to "$q3" >"$W/x$s.replay.out" 2>"$W/x$s.replay.err"
        rc=$?
        check "$M: replay: exit 65 (exit $rc: $(grep -F '[columns]' "$W/x$s.replay.err" | head -c 300))" [ $rc -eq 65 ]
        check "$M: replay: the message names the rule, nothing published" \
            sh -c "grep -q 'pay\.bad\.id = exclude' '$W/x$s.replay.err' && [ \$(kcat -b '$BS' -C -t x$s.pay.bad -o beginning -e -q -f 'x\n' 2>/dev/null | wc -l) -eq 0 ]"
    done
    # shellcheck disable=SC2046 # a list of files
    timeout -k 5 60 "$B" dump -c "$W/xf.conf" $(ls "$DIR"/dbf/db/binlog.[0-9]*) >"$W/xf.dumpf" 2>"$W/xf.dumpf.err"
    rc=$?
    check "FULL: dump -c FILE...: exit 65 too (exit $rc: $(head -c 300 "$W/xf.dumpf.err" | tr '\n' '|'))" [ $rc -eq 65 ]
    # a masking rule on a key column is refused alike
    sed 's/^pay\.bad\.id = exclude$/pay.bad.id = mask:keep-last-2/' "$W/xf.conf" >"$W/xk.conf"
    timeout -k 5 60 "$B" dump -c "$W/xk.conf" $DUMPH --port "$DBPORT" --server-id 4$((DBPORT % 1000))2 \
        --from "$P3_f" >"$W/xk.dumph" 2>"$W/xk.dumph.err"
    rc=$?
    check "FULL: a rule masking the primary key (mask:keep-last-2): dump -c exits 65 (exit $rc: $(head -c 300 "$W/xk.dumph.err" | tr '\n' '|'))" \
        [ $rc -eq 65 ]
    check "FULL: ... naming [columns] and the rule" grep -q '\[columns\].*pay\.bad\.id = mask:keep-last-2' "$W/xk.dumph.err"

    section "3: the same daemon with a [keys] line"
    for s in f m; do
        M=$(meta_of $s)
        printf '\n[keys]\npay.bad = acct\n' >>"$W/x$s.conf"
        mv "$W/x$s.log" "$W/x$s.refused.log"
        start_daemon x$s
        xp=$DP
        waitfor 30 ckpt_at_head x$s $s || bad "$M: the daemon with [keys] did not reach the head: $(tail -3 "$W/x$s.log")"
        stop_pid "$xp"
        check "$M: with [keys] pay.bad = acct: runs, exit 0 at SIGTERM (exit $RC: $(grep -i error "$W/x$s.log" | tail -1))" [ "$RC" -eq 0 ]
        raw "x$s.pay.bad" "$W/x$s.bad"
        check "$M: ... the refused row published keyed by acct, without id ($(head -c 200 "$W/x$s.bad"))" \
            hasall "$W/x$s.bad" "{\"acct\":\"B-1\"}$TAB{\"op\":\"c\",\"db\":\"pay\",\"table\":\"bad\",\"before\":null,\"after\":{\"acct\":\"B-1\",\"v\":1},\"source\":"
        check "$M: ... and only it" [ "$(wc -l <"$W/x$s.bad")" -eq 1 ]
    done
fi

# ==== 4: SIGHUP mid-stream =======================================================
if want 4; then
    section "4: SIGHUP adding a rule under a writer"
    for s in f m; do
        eval "h=\$HTTP_$s"
        status "$h" >"$W/$s.status1"
        M=$(meta_of $s)
        check "$M: /status columns before: set 1, since null, $NRULES rules, keys k1 and k2 ($(grep -o '"columns":{[^]]*' "$W/$s.status1" | head -c 200))" \
            sh -c "[ \"\$(jq -c '[.columns.set, .columns.since, (.columns.rules | length), .columns.hash_keys]' '$W/$s.status1')\" = '[1,null,$NRULES,[\"k1\",\"k2\"]]' ]"
        check "$M: /status lists the rules with their actions" \
            sh -c "[ \"\$(jq -c '.columns.rules[0]' '$W/$s.status1')\" = '{\"pattern\":\"pay.acct.card_no\",\"action\":\"hash:k1\"}' ]"
    done
    rm -f "$W/stop.w"
    # writer S: transactions of two inserts (one of two rows) and an update,
    # numbered 1, 2, ... in W/wS.n until W/stop.w exists
    writer() {
        _t=0
        while [ ! -f "$W/stop.w" ]; do
            _t=$((_t + 1))
            sql "$1" -e "BEGIN;
                INSERT INTO w VALUES ($((_t * 10 + 1)), $_t, 'sec-$_t-a'), ($((_t * 10 + 2)), $_t, 'sec-$_t-b');
                INSERT INTO w VALUES ($((_t * 10 + 3)), $_t, 'sec-$_t-c');
                UPDATE w SET secret = 'sec-$_t-u' WHERE txn = $_t AND id = $((_t * 10 + 1));
                COMMIT" || break
            echo "$_t" >"$W/w$1.n.tmp" && mv "$W/w$1.n.tmp" "$W/w$1.n"
        done
    }
    wn() { cat "$W/w$1.n" 2>/dev/null || echo 0; }
    wn_ge() { [ "$(wn "$1")" -ge "$2" ]; }
    for s in f m; do
        writer $s &
        WPIDS="$WPIDS $!"
    done
    for s in f m; do waitfor 30 wn_ge $s 8 || bad "$(meta_of $s): the writer did not commit 8 transactions"; done
    for s in f m; do
        conf_add $s columns 'pay.w.secret = mask:keep-last-2'
        eval "p=\$P_$s"
        kill -HUP "$p"
    done
    for s in f m; do
        waitfor 15 has "column rules: set 2" "$W/$s.log" ||
            bad "$(meta_of $s): no \"column rules: set 2\" in the log: $(grep -i -e reload -e 'column rules' "$W/$s.log" | tail -2)"
        n0=$(wn $s)
        waitfor 30 wn_ge $s $((n0 + 8)) || bad "$(meta_of $s): the writer stopped after the reload"
    done
    # a reload that changes nothing: set stays 2
    for s in f m; do
        eval "p=\$P_$s"
        kill -HUP "$p"
    done
    for s in f m; do
        waitfor 15 sh -c "[ \$(grep -c 'configuration reloaded' '$W/$s.log') -ge 2 ]" ||
            bad "$(meta_of $s): the second reload was not logged"
        n1=$(wn $s)
        waitfor 15 wn_ge $s $((n1 + 3)) || bad "$(meta_of $s): the writer stopped after the second reload"
    done
    : >"$W/stop.w"
    for p in $WPIDS; do wait "$p"; done
    WPIDS=""
    for s in f m; do
        M=$(meta_of $s)
        waitfor 60 ckpt_at_head $s $s || bad "$M: the daemon did not reach the head after the writer"
        eval "h=\$HTTP_$s"
        status "$h" >"$W/$s.status2"
        since=$(jq -r '.columns.since' "$W/$s.status2")
        check "$M: /status columns after: set 2, since FILE:POS ($since), $((NRULES + 1)) rules, the new one listed" \
            sh -c "[ \"\$(jq -c '[.columns.set, (.columns.rules | length), (.columns.rules | map(select(.pattern == \"pay.w.secret\")) | .[0].action), .columns.hash_keys]' '$W/$s.status2')\" = '[2,$((NRULES + 1)),\"mask:keep-last-2\",[\"k1\",\"k2\"]]' ] &&
                   echo '$since' | grep -q '^binlog\.[0-9]*:[0-9][0-9]*\$'"
        check "$M: \"column rules: set 2\" logged once ($(grep -c 'column rules: set' "$W/$s.log"))" \
            [ "$(grep -c 'column rules: set 2' "$W/$s.log")" -eq 1 -a "$(grep -c 'column rules: set 3' "$W/$s.log")" -eq 0 ]
        raw "$s.pay.w" "$W/$s.w"
        # per message: txn, clear or masked (each image), position
        awk -F '\t' -v since="$since" -v n="$(wn $s)" '
            function field(v, name,   t) { t = v; sub(".*\"" name "\":", "", t); if (substr(t, 1, 1) == "\"") { t = substr(t, 2); sub(/".*/, "", t) } else sub(/[,}].*/, "", t); return t }
            BEGIN { split(since, S, ":") }
            {
                v = $2; tx = field(v, "txn") + 0
                s = v; sub(/.*"source":[{]/, "", s); f = field(s, "file"); p = field(s, "pos") + 0
                rest = v; nc = 0; nm = 0
                while (match(rest, /"secret":"[^"]*"/)) {
                    x = substr(rest, RSTART + 10, RLENGTH - 11); rest = substr(rest, RSTART + RLENGTH)
                    if (x ~ /^sec-[0-9]+-[abcu]$/) nc++
                    else if (x ~ /^\*+-[abcu]$/) nm++
                    else { print "a secret neither clear nor masked: " x; bad = 1 }
                }
                after = (f > S[1] || (f == S[1] && p > S[2] + 0))
                if (nm && !after) { print "txn " tx " masked at " f ":" p ", before since " since; bad = 1 }
                if (nc && after) { print "txn " tx " in clear at " f ":" p ", after since " since; bad = 1 }
                c[tx] += nc; m[tx] += nm; rows[tx]++
            }
            END {
                for (t = 1; t <= n; t++) {
                    if (rows[t] != 4) { print "txn " t ": " rows[t] + 0 " messages, not 4"; bad = 1 }
                    if (c[t] && m[t]) { print "txn " t " half in clear (" c[t] "), half masked (" m[t] ")"; bad = 1 }
                    if (m[t]) { nmt++; if (!firstm) firstm = t }
                    if (c[t]) { nct++; if (firstm) { print "txn " t " in clear after masked txn " firstm; bad = 1 } }
                }
                printf "%d transactions in clear, %d masked", nct, nmt
                if (nct < 8 || nmt < 8) { printf "; too few of one kind"; bad = 1 }
                exit bad
            }' "$W/$s.w" >"$W/$s.w.res"
        rc=$?
        check "$M: every transaction of the writer entirely in clear (before since) or entirely masked (after), clear ones first, 4 messages each ($(tail -c 300 "$W/$s.w.res" | tr '\n' ' '))" \
            [ $rc -eq 0 ]
        check "$M: masked as keep-last-2 says (\"sec-12-a\": \"******-a\")" grep -qF '"secret":"******-a"' "$W/$s.w"
        check "$M: pay.w's messages carry no \"hashed\"" sh -c "! grep -q '\"hashed\"' '$W/$s.w'"
    done
fi

# ==== the key material, and the daemons' end =====================================
section "2: the keys' text appears nowhere"
for s in f m; do
    eval "p=\$P_$s"
    stop_pid "$p"
    check "$(meta_of $s): the daemon: exit 0 at SIGTERM (exit $RC: $(grep -i -e ' error' "$W/$s.log" | tail -1))" [ "$RC" -eq 0 ]
done
for k in "$K1" "$K2"; do
    found=$(grep -rlF -- "$k" "$W" "$DIR/kafka" 2>/dev/null | grep -v -e '/k1.key$' -e '/creds/' | tr '\n' ' ')
    check "the key ${k%%-*}'s text is in no log, /status, check-config output, message or dump ($found)" [ -z "$found" ]
done
check "the daemons' logs are there to search (log_level debug)" [ -s "$W/f.log" -a -s "$W/m.log" ]

finish
