/* metrics.h - every metric binlogd exports, declared once.
 *
 * BD_METRICS is the one table (X-macro): each row is the metric's id,
 * name, type, label names (comma-separated, "" for none) and help.  It
 * produces the ids used by the daemon, the HELP/TYPE lines of /metrics
 * (bd_metrics_header) and the reference in docs/metrics.md
 * (`binlogd metrics-doc`, checked by the tests), so they cannot disagree.
 *
 * Counters are totals since the daemon started; Prometheus computes rates
 * (events, rows and bytes per second: rate(binlogd_events_total[1m])).
 * Times are seconds; watermarks are Unix times (seconds, fractional) on
 * the source server's clock.
 */
#ifndef BINLOGD_METRICS_H
#define BINLOGD_METRICS_H

#include <stdio.h>

#include "binlogd/buf.h"

#define BD_METRICS(X)                                                                              \
    X(BUILD_INFO, "binlogd_build_info", "gauge", "version,source",                                 \
      "Always 1; the labels name the binlogd version and the source")                              \
    X(STANDBY, "binlogd_standby", "gauge", "",                                                     \
      "1 while this instance waits as a standby ([kafka] standby), 0 while it publishes")          \
    X(SOURCE_CONNECTED, "binlogd_source_connected", "gauge", "",                                   \
      "1 while the binlog stream from the source is connected, else 0")                            \
    X(SOURCE_RECONNECTS, "binlogd_source_reconnects_total", "counter", "",                         \
      "Reconnections of the binlog stream")                                                        \
    X(HEAD_POLL_AGE, "binlogd_head_poll_age_seconds", "gauge", "",                                 \
      "Seconds since the source's head position was last polled successfully")                     \
    X(CLOCK_OFFSET, "binlogd_clock_offset_seconds", "gauge", "",                                   \
      "Source clock minus this host's clock, measured on the control connection")                  \
    X(LAG, "binlogd_lag_seconds", "gauge", "stage",                                                \
      "Age of the oldest change that has not passed the stage (read, acked, durable); 0 at head")  \
    X(WATERMARK, "binlogd_watermark_seconds", "gauge", "stage",                                    \
      "Unix time before which every change has passed the stage")                                  \
    X(HEAD_DISTANCE_BYTES, "binlogd_head_distance_bytes", "gauge", "stage",                        \
      "Binlog bytes between the stage's position and the source's head")                           \
    X(HEAD_DISTANCE_FILES, "binlogd_head_distance_files", "gauge", "stage",                        \
      "Binlog files between the stage's position and the source's head")                           \
    X(RETENTION_HEADROOM, "binlogd_retention_headroom_seconds", "gauge", "",                       \
      "Seconds until the server may purge the binlog file the checkpoint needs (+Inf: never)")     \
    X(TABLE_LAG, "binlogd_table_lag_seconds", "gauge", "db,table,stage",                           \
      "Per table: age of the oldest change to it that has not passed the stage; 0 at head")        \
    X(TABLE_WATERMARK, "binlogd_table_watermark_seconds", "gauge", "db,table,stage",               \
      "Per table: Unix time before which every change to it has passed the stage")                 \
    X(CONSUMER_LAG, "binlogd_consumer_lag_seconds", "gauge", "group,db,table",                     \
      "Age of the oldest change to the table that the consumer group has not consumed")            \
    X(CONSUMER_WATERMARK, "binlogd_consumer_watermark_seconds", "gauge", "group,db,table",         \
      "Unix time before which the consumer group has consumed every change to the table")          \
    X(HEARTBEAT_LAG, "binlogd_heartbeat_lag_seconds", "gauge", "",                                 \
      "End-to-end probe: from the heartbeat row's source NOW(6) to Kafka's acknowledgement")       \
    X(EVENTS, "binlogd_events_total", "counter", "", "Binlog events received from the source")     \
    X(BINLOG_BYTES, "binlogd_binlog_bytes_total", "counter", "",                                   \
      "Binlog bytes received from the source")                                                     \
    X(ROWS_PUBLISHED, "binlogd_rows_published_total", "counter", "",                               \
      "Row changes produced to Kafka")                                                             \
    X(ROWS_FILTERED, "binlogd_rows_filtered_total", "counter", "",                                 \
      "Row changes of tables the filters leave out")                                               \
    X(ROWS_OVERSIZE, "binlogd_rows_oversize_skipped_total", "counter", "",                         \
      "Row changes too big for Kafka, skipped (kafka.oversize=skip)")                              \
    X(KAFKA_DELIVERED, "binlogd_kafka_delivered_total", "counter", "",                             \
      "Messages Kafka acknowledged")                                                               \
    X(KAFKA_ERRORS, "binlogd_kafka_errors_total", "counter", "",                                   \
      "Messages Kafka did not take (delivery failures)")                                           \
    X(KAFKA_TRANSACTIONS, "binlogd_kafka_transactions_total", "counter", "",                       \
      "Kafka transactions committed, each with its checkpoint record (kafka.exactly_once)")        \
    X(KAFKA_COMMIT_SECONDS, "binlogd_kafka_commit_seconds_total", "counter", "",                   \
      "Seconds the data thread waited for Kafka transaction commits (divided by "                  \
      "binlogd_kafka_transactions_total: the mean commit time)")                                   \
    X(KAFKA_IN_FLIGHT, "binlogd_kafka_in_flight_messages", "gauge", "",                            \
      "Messages produced and not yet acknowledged")                                                \
    X(KAFKA_IN_FLIGHT_BYTES, "binlogd_kafka_in_flight_bytes", "gauge", "",                         \
      "Bytes of messages produced and not yet acknowledged")                                       \
    X(KAFKA_ACK_AGE, "binlogd_kafka_ack_age_seconds", "gauge", "",                                 \
      "Seconds since Kafka last acknowledged a message while some wait; 0 when none wait")         \
    X(INCIDENTS, "binlogd_incidents_total", "counter", "",                                         \
      "INCIDENT events found in the binlog (the source may have lost changes)")                    \
    X(STATEMENTS_SKIPPED, "binlogd_statements_skipped_total", "counter", "",                       \
      "Row changes logged as statements on published tables, skipped (on_statement = skip)")       \
    X(KEY_CHANGES, "binlogd_key_changes_total", "counter", "",                                     \
      "Updates that changed a row's key, published as a delete and a create")                      \
    X(TRUNCATES, "binlogd_truncates_total", "counter", "",                                         \
      "TRUNCATEs of published tables, published as op t on every partition")                       \
    X(SNAPSHOT_ROWS, "binlogd_snapshot_rows_total", "counter", "",                                 \
      "Rows snapshots published as op r (reads the stream's newer change replaced not counted)")   \
    X(SNAPSHOT_ROWS_ACKED, "binlogd_snapshot_rows_acked_total", "counter", "",                     \
      "Snapshot rows whose chunk Kafka acknowledged (what a restart does not read again)")         \
    X(SNAPSHOT_ROWS_DROPPED, "binlogd_snapshot_rows_dropped_total", "counter", "",                 \
      "Rows read by a snapshot and not published: the stream changed them inside the window")      \
    X(SNAPSHOT_CHUNKS, "binlogd_snapshot_chunks_total", "counter", "",                             \
      "Snapshot chunks published")                                                                 \
    X(SNAPSHOT_WINDOWS_FAILED, "binlogd_snapshot_windows_failed_total", "counter", "",             \
      "Snapshot chunks read again (their window failed: a DDL, a timeout, a lost connection)")     \
    X(SNAPSHOT_RESTARTS, "binlogd_snapshot_restarts_total", "counter", "",                         \
      "Tables whose snapshot started over after a DDL on them")                                    \
    X(SNAPSHOT_TABLES, "binlogd_snapshot_tables", "gauge", "",                                     \
      "Tables whose snapshot runs (read or not yet acknowledged to its end)")                      \
    X(SNAPSHOT_PAUSED, "binlogd_snapshot_paused", "gauge", "",                                     \
      "1 while snapshots wait for the stream's acknowledged lag to fall under [snapshot] max_lag") \
    X(GATE_READY, "binlogd_gate_ready", "gauge", "gate",                                           \
      "1 when every table of the gate has passed its stage up to the current cut-off")             \
    X(GATE_AT_RISK, "binlogd_gate_at_risk", "gauge", "gate",                                       \
      "1 when the job's start is within the margin and a table is behind the cut-off")             \
    X(GATE_SKEWED, "binlogd_gate_skewed", "gauge", "gate",                                         \
      "1 when the gate's tables' watermarks differ by more than the tolerated skew")               \
    X(GATE_SKEW, "binlogd_gate_skew_seconds", "gauge", "gate",                                     \
      "Newest minus oldest watermark of the gate's tables")                                        \
    X(GATE_CUTOFF, "binlogd_gate_cutoff_seconds", "gauge", "gate",                                 \
      "Unix time of the gate's current cut-off")                                                   \
    X(ALERT_FIRING, "binlogd_alert_firing", "gauge", "alertname,subject",                          \
      "1 while the alert fires (also sent to the webhook), 0 after it resolved")                   \
    X(WEBHOOK_SENT, "binlogd_webhook_sent_total", "counter", "",                                   \
      "Alert notifications the webhook accepted")                                                  \
    X(WEBHOOK_FAILED, "binlogd_webhook_failed_total", "counter", "",                               \
      "Alert notifications given up on after the retries")                                         \
    X(PROCESS_START, "process_start_time_seconds", "gauge", "",                                    \
      "Unix time the binlogd process started (a change is a restart)")                             \
    X(PROCESS_CPU, "process_cpu_seconds_total", "counter", "",                                     \
      "CPU time of the binlogd process, user and system")                                          \
    X(PROCESS_RSS, "process_resident_memory_bytes", "gauge", "",                                   \
      "Resident memory of the binlogd process")                                                    \
    X(PROCESS_OPEN_FDS, "process_open_fds", "gauge", "",                                           \
      "Open file descriptors of the binlogd process")                                              \
    X(PROCESS_MAX_FDS, "process_max_fds", "gauge", "",                                             \
      "The limit on open file descriptors (RLIMIT_NOFILE)")

enum bd_metric {
#define BD_METRIC_ID(id, name, type, labels, help) BD_M_##id,
    BD_METRICS(BD_METRIC_ID)
#undef BD_METRIC_ID
        BD_M_COUNT
};

/* The metric's name. */
const char *bd_metric_name(enum bd_metric m);
/* Append the "# HELP" and "# TYPE" lines of m. */
void bd_metrics_header(bd_buf *out, enum bd_metric m);
/* Append one sample: the metric's name, its labels (values in the order of
 * the table's label names, escaped here; NULL when it has none) and the
 * value (NaN, +Inf written as Prometheus spells them). */
void bd_metrics_sample(bd_buf *out, enum bd_metric m, const char *const *label_values, double v);
/* The process's own figures, as Prometheus client libraries export them
 * (the process_* metrics above), read from /proc: NaN for one that cannot
 * be read.  Any thread. */
typedef struct bd_process_stats {
    double start_time_s; /* Unix time */
    double cpu_s;        /* user + system */
    double rss_bytes;
    double open_fds, max_fds;
} bd_process_stats;
void bd_process_stats_get(bd_process_stats *p);

/* docs/metrics.md. */
void bd_metrics_doc(FILE *out);

#endif
