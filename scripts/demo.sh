#!/bin/sh
# `make demo`: start a throw-away MariaDB, write a few account-2.0 style
# transactions, decode its binlog with `binlogd dump`, show the JSON lines,
# stop the server.  Leaves nothing running; the files stay in build/demo.
#
# Environment: DEMO_PORT (default 13306), BUILD (default build).
set -eu
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
BINLOGD=$BUILD/binlogd
DIR=build/demo
PORT=${DEMO_PORT:-13306}
MARIADB_SH=deploy/dev/mariadb.sh

say() { printf '==> %s\n' "$*"; }
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }
sql() { sh "$MARIADB_SH" sql "$DIR" "$@"; }

[ -x "$BINLOGD" ] || die "$BINLOGD is missing: run 'make all' first"

started=0
stop_server() {
    if [ "$started" -eq 1 ]; then
        started=0
        # stdout may be a pipe whose reader is gone (make demo | head):
        # a write must not kill us before the server is stopped.
        trap '' PIPE
        say "stopping MariaDB" 2>/dev/null || true
        sh "$MARIADB_SH" stop "$DIR" >/dev/null 2>&1 ||
            echo "demo: could not stop the server in $DIR" >&2
    fi
}
trap stop_server EXIT
trap 'exit 130' INT TERM HUP
trap 'exit 141' PIPE

# A leftover from an interrupted demo: stop it and start from scratch, so the
# binlog holds exactly what this run writes.
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

# Close the current binlog so every file handed to binlogd is complete.
sql -e "FLUSH BINARY LOGS"
files=$(sql -N -B -e "SHOW BINARY LOGS" | awk '{ print $1 }')
set --
last=""
for f in $files; do
    [ -n "$last" ] && set -- "$@" "$DIR/db/$last"
    last=$f
done
[ $# -gt 0 ] || die "no binlog files found in $DIR/db"

say "binlogd dump $*"
if command -v jq >/dev/null 2>&1; then
    # jq 1.6 reads numbers as doubles: fine here, every id is below 2^53.
    "$BINLOGD" dump "$@" >"$DIR/dump.jsonl"
    jq . <"$DIR/dump.jsonl"
else
    "$BINLOGD" dump "$@" | tee "$DIR/dump.jsonl"
fi
n=$(wc -l <"$DIR/dump.jsonl" | tr -d ' ')
say "$n row changes decoded (also in $DIR/dump.jsonl; one JSON object per line)"

stop_server
say "done; nothing left running"
