#!/bin/sh
# `make demo`: the whole pipeline on this machine.  Starts a throw-away
# MariaDB and a Kafka broker on 127.0.0.1, creates account-2.0 style tables,
# runs `binlogd run` against them, writes transactions and a burst of
# traffic, reads the messages back from Kafka with kcat, shows the
# checkpoint advancing, stops the daemon with SIGTERM (drain, checkpoint)
# and everything else.  Leaves nothing running; the files stay in build/demo.
#
# Environment: DEMO_PORT (MariaDB, default 13306), DEMO_KAFKA_PORT (13392),
# DEMO_HTTP_PORT (the daemon's /metrics, 13394),
# BUILD (default build).
set -eu
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
BINLOGD=$BUILD/binlogd
DIR=build/demo
PORT=${DEMO_PORT:-13306}
KPORT=${DEMO_KAFKA_PORT:-13392}
HPORT=${DEMO_HTTP_PORT:-13394}
MARIADB_SH=deploy/dev/mariadb.sh
KAFKA_SH=deploy/dev/kafka.sh

say() { printf '==> %s\n' "$*"; }
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }
sql() { sh "$MARIADB_SH" sql "$DIR" "$@"; }

[ -x "$BINLOGD" ] || die "$BINLOGD is missing: run 'make all' first"

started=0
kstarted=0
DPID=""
stop_all() {
    # stdout may be a pipe whose reader is gone (make demo | head): a write
    # must not kill us before the servers are stopped.
    trap '' PIPE
    if [ -n "$DPID" ]; then
        kill -TERM "$DPID" 2>/dev/null
        wait "$DPID" 2>/dev/null
        DPID=""
    fi
    if [ "$kstarted" -eq 1 ]; then
        kstarted=0
        say "stopping Kafka" 2>/dev/null || true
        sh "$KAFKA_SH" stop "$DIR/kafka" >/dev/null 2>&1 ||
            echo "demo: could not stop the broker in $DIR/kafka" >&2
    fi
    if [ "$started" -eq 1 ]; then
        started=0
        say "stopping MariaDB" 2>/dev/null || true
        sh "$MARIADB_SH" stop "$DIR" >/dev/null 2>&1 ||
            echo "demo: could not stop the server in $DIR" >&2
    fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM HUP
trap 'exit 141' PIPE

# A leftover from an interrupted demo: stop it and start from scratch, so the
# binlog holds exactly what this run writes.
sh "$KAFKA_SH" stop "$DIR/kafka" >/dev/null 2>&1 || true
sh "$MARIADB_SH" stop "$DIR" >/dev/null 2>&1 || true
rm -rf "$DIR"
mkdir -p build

say "starting MariaDB on 127.0.0.1:$PORT (data in $DIR, binlog_format=ROW, binlog_row_metadata=FULL) ..."
started=1
if ! sh "$MARIADB_SH" start "$DIR" "$PORT" --binlog_row_metadata=FULL --binlog_row_image=FULL \
    >"$DIR.start.log" 2>&1; then
    started=0
    cat "$DIR.start.log" >&2
    die "MariaDB did not start (try another port: DEMO_PORT=13307 make demo)"
fi

say "creating pay.account, pay.counterparty and pay.split_account_flow"
sql <<'EOF'
CREATE DATABASE pay DEFAULT CHARSET utf8mb4;
USE pay;
CREATE TABLE account (
  id          BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  merchant_id BIGINT UNSIGNED NOT NULL,
  currency    CHAR(3) NOT NULL,
  balance     DECIMAL(20,2) NOT NULL,
  status      ENUM('active','frozen','closed') NOT NULL,
  created_at  DATETIME(3) NOT NULL,
  updated_at  TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
);
CREATE TABLE counterparty (
  id           BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  name         VARCHAR(64) NOT NULL,
  bank_account VARCHAR(34),
  ext          JSON
);
CREATE TABLE split_account_flow (
  id              BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  merchant_id     BIGINT UNSIGNED NOT NULL,
  counterparty_id BIGINT UNSIGNED NOT NULL,
  amount          DECIMAL(20,2) NOT NULL,
  currency        CHAR(3) NOT NULL,
  status          ENUM('pending','settled','reversed') NOT NULL,
  memo            VARCHAR(64) CHARACTER SET utf8mb4,
  created_at      DATETIME(3) NOT NULL,
  settled_at      TIMESTAMP(6) NULL DEFAULT NULL,
  ext             JSON,
  KEY merchant_created (merchant_id, created_at)
);
EOF

checkpoint() { sed 's/,"written".*//; s/^{"binlogd_checkpoint":1,//' "$DIR/state/checkpoint.json" 2>/dev/null || true; }
# wait until the checkpoint has passed the server's current head
caught_up() {
    head=$(sql -N -B -e "SHOW MASTER STATUS" | awk '{ print $1 " " $2 }')
    i=0
    while [ $i -lt 300 ]; do
        c=$(sed -n 's/.*"file":"\([^"]*\)","pos":\([0-9]*\).*/\1 \2/p' "$DIR/state/checkpoint.json" 2>/dev/null || true)
        [ -n "$c" ] && [ "${c% *}" = "${head% *}" ] && [ "${c#* }" -ge "${head#* }" ] && return 0
        kill -0 "$DPID" 2>/dev/null || die "binlogd run stopped: $(tail -n 5 "$DIR/binlogd.log")"
        sleep 0.1
        i=$((i + 1))
    done
    die "the checkpoint did not reach $head in 30 s: $(tail -n 5 "$DIR/binlogd.log")"
}

say "starting Kafka (KRaft, one broker) on 127.0.0.1:$KPORT; the first run fetches its jars with mvn ..."
kstarted=1
if ! sh "$KAFKA_SH" start "$DIR/kafka" "$KPORT" >"$DIR/kafka.start.log" 2>&1; then
    cat "$DIR/kafka.start.log" >&2
    die "Kafka did not start (another port: DEMO_KAFKA_PORT=13393 make demo)"
fi

cat >"$DIR/binlogd.conf" <<EOF
[source]
host = 127.0.0.1
port = $PORT
user = repl
password_env = BINLOGD_PASSWORD
server_id = 4242
name = acct
heartbeat = 1
start = head
[kafka]
bootstrap.servers = 127.0.0.1:$KPORT
topic = {source}.{db}.{table}
[filter]
include = pay.*
[state]
dir = $(pwd)/$DIR/state
checkpoint_interval = 200ms
[lag]
head_poll = 500ms
[http]
listen = 127.0.0.1:$HPORT
; the merchant statement of each day (Shanghai): flows and counterparties
; complete to midnight, acknowledged by Kafka and checkpointed
[gate statement]
tables = pay.split_account_flow, pay.counterparty
cutoff = 00:00
timezone = Asia/Shanghai
job_start = 00:30
EOF
say "binlogd check-config -c $DIR/binlogd.conf"
BINLOGD_PASSWORD=replpw "$BINLOGD" check-config -c "$DIR/binlogd.conf" | sed 's/^/    /' || true
say "binlogd run -c $DIR/binlogd.conf (log: $DIR/binlogd.log)"
BINLOGD_PASSWORD=replpw "$BINLOGD" run -c "$DIR/binlogd.conf" >"$DIR/binlogd.log" 2>&1 &
DPID=$!
i=0
until grep -q "publishing" "$DIR/binlogd.log" 2>/dev/null; do
    kill -0 "$DPID" 2>/dev/null || die "binlogd run failed: $(cat "$DIR/binlogd.log")"
    i=$((i + 1))
    [ $i -lt 300 ] || die "binlogd run did not connect in 30 s: $(cat "$DIR/binlogd.log")"
    sleep 0.1
done
sed 's/^/    /' "$DIR/binlogd.log"


# The session runs in Asia/Shanghai (+08:00): TIMESTAMP columns come out of
# the binlog in UTC, DATETIME columns as written.
say "transaction 1: two counterparties and two merchant accounts"
sql pay <<'EOF'
SET time_zone = '+08:00';
BEGIN;
INSERT INTO counterparty VALUES
  (7001, '上海某某供应链有限公司', 'CN12 3456 7890 1234 5678', '{"bank":"ICBC","branch":"浦东"}'),
  (7002, 'Acme Logistics Ltd.', NULL, NULL);
INSERT INTO account VALUES
  (1001, 880000000000001, 'CNY', 100000.00, 'active', '2024-11-27 09:00:00.000', '2024-11-27 09:00:00.000000'),
  (1002, 880000000000002, 'USD',   2500.50, 'active', '2024-11-27 09:00:00.000', '2024-11-27 09:00:00.000000');
COMMIT;
EOF

say "transaction 2: three split-account flows, debited from account 1001"
sql pay <<'EOF'
SET time_zone = '+08:00';
BEGIN;
INSERT INTO split_account_flow VALUES
  (9000000000000001, 880000000000001, 7001,  1234.56, 'CNY', 'pending', '分账：11月货款',
   '2024-11-27 10:15:30.123', NULL, '{"order":"SO-20241127-0001","fee":"0.60"}'),
  (9000000000000002, 880000000000001, 7002,    -0.01, 'CNY', 'pending', '尾差调整 ±0.01',
   '2024-11-27 10:15:30.124', NULL, NULL),
  (9000000000000003, 880000000000002, 7002, 99999.99, 'USD', 'pending', 'monthly settlement 😀',
   '2024-11-27 10:15:31.000', NULL, '{"batch":42}');
UPDATE account SET balance = balance - 1234.55, updated_at = '2024-11-27 10:15:30.200000'
 WHERE id = 1001;
COMMIT;
EOF

say "transaction 3: the first flow is settled"
sql pay <<'EOF'
SET time_zone = '+08:00';
UPDATE split_account_flow SET status = 'settled', settled_at = '2024-11-28 00:00:05.000001'
 WHERE id = 9000000000000001;
EOF

say "transaction 4: the rounding adjustment is deleted"
sql pay -e "DELETE FROM split_account_flow WHERE id = 9000000000000002"

caught_up
say "checkpoint (every message of these transactions acknowledged by Kafka):"
echo "    $(checkpoint)"

for t in account counterparty split_account_flow; do
    say "kcat -C -t acct.pay.$t (partition offset key value)"
    kcat -b 127.0.0.1:$KPORT -C -t "acct.pay.$t" -e -q -f '%p %o %k %s\n' 2>/dev/null |
        tee -a "$DIR/messages.txt" | sed 's/^/    /'
done

say "traffic: 20 transactions of 100 split-account flows each, while the daemon runs"
n=0
while [ $n -lt 20 ]; do
    base=$((9100000000000000 + n * 100))
    sql pay -e "INSERT INTO split_account_flow (id, merchant_id, counterparty_id, amount, currency, status, memo, created_at)
        SELECT $base + seq, 880000000000001 + seq % 7, 7001 + seq % 2, seq * 1.25, 'CNY', 'pending',
               CONCAT('flow ', $base + seq), NOW(3) FROM seq_1_to_100"
    n=$((n + 1))
    if [ $((n % 5)) -eq 0 ]; then echo "    $n transactions written; checkpoint: $(checkpoint)"; fi
done
caught_up
echo "    caught up; checkpoint: $(checkpoint)"
say "lag per stage and per table while idle at the head (curl 127.0.0.1:$HPORT/metrics)"
sleep 1
curl -s "127.0.0.1:$HPORT/metrics" |
    grep -E '^binlogd_(lag_seconds|table_lag_seconds\{db="pay",table="split_account_flow"|head_distance_bytes|rows_published_total|retention_headroom)' |
    sed 's/^/    /'
say "binlogd gate -c $DIR/binlogd.conf statement  (may the statement job run?)"
"$BINLOGD" gate -c "$DIR/binlogd.conf" statement | sed 's/^/    /' || true
total=$(kcat -b 127.0.0.1:$KPORT -C -t acct.pay.split_account_flow -e -q -f 'x\n' 2>/dev/null | wc -l | tr -d ' ')
say "acct.pay.split_account_flow holds $total messages (3 inserts, 1 update, 1 delete, then 2000 inserts)"

say "SIGTERM: binlogd drains Kafka, writes the checkpoint and exits 0"
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
DPID=""
tail -n 2 "$DIR/binlogd.log" | sed 's/^/    /'
[ "$rc" -eq 0 ] || die "binlogd run exited $rc"
echo "    final checkpoint: $(checkpoint)"

stop_all
say "done; nothing left running (files in $DIR)"
