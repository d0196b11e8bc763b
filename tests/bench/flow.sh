# tests/bench/flow.sh - sourced by the benchmarks that need the account-flow
# backlog (decode.sh, regress.sh), not run.
#
#   flow_table | SQL             the CREATE TABLE of pay.split_account_flow
#   flow_rows FROM TO | SQL      INSERTs of rows FROM+1 .. TO, 1,000 a transaction
#
# The shape of a busy OLTP binlog rather than one giant statement: BIGINT
# UNSIGNED id, merchant and counterparty ids, two DECIMAL(20,2), CHAR(3),
# ENUM, VARCHAR(64) utf8mb4 with Chinese text, DATETIME(3), TIMESTAMP(6),
# JSON.
flow_table() {
    cat <<'SQL'
CREATE TABLE IF NOT EXISTS split_account_flow (
  id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  merchant_id BIGINT NOT NULL,
  counterparty_id BIGINT NOT NULL,
  amount DECIMAL(20,2) NOT NULL,
  fee DECIMAL(20,2) NOT NULL,
  currency CHAR(3) NOT NULL,
  status ENUM('INIT','PENDING','SETTLED','FAILED','REFUNDED') NOT NULL,
  memo VARCHAR(64) CHARACTER SET utf8mb4,
  created_at DATETIME(3) NOT NULL,
  updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  ext JSON
) ENGINE=InnoDB;
SQL
}

flow_rows() { # FROM TO
    _i=$1
    while [ "$_i" -lt "$2" ]; do
        _n=1000
        [ $((_i + _n)) -gt "$2" ] && _n=$(($2 - _i))
        echo "INSERT INTO split_account_flow (id, merchant_id, counterparty_id, amount, fee, currency, status, memo, created_at, updated_at, ext)
SELECT $_i + seq, 100000 + (($_i + seq) % 4347), 900000 + (($_i + seq) % 97952),
       (($_i + seq) * 7919 % 1000000) / 100, (($_i + seq) % 500) / 100, 'CNY',
       ELT(1 + ($_i + seq) % 5, 'INIT','PENDING','SETTLED','FAILED','REFUNDED'),
       CONCAT('分账流水 ', $_i + seq, ' 对手方'),
       TIMESTAMP'2026-11-26 00:00:00.000' + INTERVAL (($_i + seq) * 37000) MICROSECOND,
       TIMESTAMP'2026-11-26 00:00:00' + INTERVAL ($_i + seq) SECOND,
       JSON_OBJECT('channel', 'alipay', 'batch', $_i DIV 1000)
FROM seq_1_to_$_n;"
        _i=$((_i + _n))
    done
}
