/* cmd_run.c - `binlogd run -c FILE`: the daemon.
 *
 * This file wires it together: the state directory and its lock, the start
 * position, the producer, the ack and lag trackers, the source, the
 * monitor and the loop; the data thread's callbacks (decoder and publish
 * stage); delivery reports and the acked watermark; the checkpoint;
 * signals and reload; the stop.  run.h describes the daemon's threads and
 * which lock guards what; run_status.c serves the HTTP endpoints and
 * run_alerts.c evaluates the alert rules.
 *
 * Stop (SIGTERM, SIGINT): the data thread finishes the transaction it is
 * reading (10 s at most) and stops at its end, Kafka is flushed (delivery
 * reports served), the checkpoint is written at the last transaction Kafka
 * acknowledged whole, exit 0: after a clean stop nothing is published twice.
 * A delivery Kafka gave up on, an oversize row (kafka.oversize=fail) or a
 * source error stops the same way with exit 1; the checkpoint never moves
 * past what was not acknowledged.  docs/operations.md has the runbook.
 */
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "binlogd/acks.h"
#include "binlogd/alert.h"
#include "binlogd/checkpoint.h"
#include "binlogd/config.h"
#include "binlogd/encode.h"
#include "binlogd/kafka.h"
#include "binlogd/lag.h"
#include "binlogd/publish.h"
#include "binlogd/source_server.h"
#include "binlogd/tz.h"
#include "cli.h"
#include "commands.h"
#include "http.h"
#include "monitor.h"
#include "run.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_NOT_EXACT = CLI_EXIT_NOT_EXACT };
/* how long a clean stop waits for the transaction being read to end */
#define STOP_GRACE_S 10.0

#define RING_TXNS 65536
#define FLUSH_TIMEOUT_MS 30000
/* how often alerts and gates are evaluated */
#define EVAL_INTERVAL_S 0.25

int64_t src_now(const bd_daemon *d) { return bd_monitor_now(d->mon); }

/* ---- logging ------------------------------------------------------------- */

void dlog(bd_daemon *d, int level, const char *fmt, ...)
{
    if (level > atomic_load(&d->log_level)) return;
    char m[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    static const char *const names[] = {"", "", "", "error: ", "warning: ", "", "", "debug: "};
    pthread_mutex_lock(&d->log_mu);
    if (d->journal)
        fprintf(stderr, "<%d>%s\n", level, m);
    else
        fprintf(stderr, "binlogd: %s%s\n", names[level & 7], m);
    pthread_mutex_unlock(&d->log_mu);
}

static void fail(bd_daemon *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(bd_daemon *d, const char *fmt, ...)
{
    int expected = 0;
    if (!atomic_compare_exchange_strong(&d->failed, &expected, 1)) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->fatal, sizeof d->fatal, fmt, ap);
    va_end(ap);
}

static void src_log(void *ctx, enum bd_server_level level, const char *msg)
{
    dlog(ctx, level == BD_SERVER_WARN ? BD_LOG_WARNING : BD_LOG_INFO, "source: %s", msg);
}

static void kafka_log(void *ctx, int level, const char *msg)
{
    bd_daemon *d = ctx;
    dlog(d,
         level <= 3   ? BD_LOG_ERROR
         : level == 4 ? BD_LOG_WARNING
         : level >= 7 ? BD_LOG_DEBUG
                      : BD_LOG_INFO,
         "%s", msg);
}

/* ---- data thread: decoder callbacks ------------------------------------- */

/* Produce one message of the stage to a partition (BD_KAFKA_BY_KEY: its
 * key's) for the current transaction, waiting while too much is in
 * flight.  0, or 1 to stop the stream. */
static int produce(bd_daemon *d, const bd_pub_msg *m, int32_t partition)
{
    char where[1024];
    size_t len = m->key_len + m->value_len;
    bd_kafka_msg km = {m->topic,     partition, m->key, m->key_len, m->value,
                       m->value_len, NULL,      0,      d->txn};
    for (;;) {
        if (bd_acks_wait_add(d->acks, d->txn, len, d->cfg.max_in_flight,
                             d->cfg.max_in_flight_bytes))
            return 1;
        bd_err err = {0};
        enum bd_kafka_produce_result r = bd_kafka_send(d->k, &km, &err);
        if (r == BD_KAFKA_QUEUED) return 0;
        bd_acks_unadd(d->acks, d->txn, len);
        if (r == BD_KAFKA_FULL) {
            /* librdkafka's own queue is full: let reports drain it */
            struct timespec ts = {0, 2000000};
            nanosleep(&ts, NULL);
            if (atomic_load(&d->stopping) == STOP_NOW) return 1;
            continue;
        }
        /* written out only when needed: a formatted string per row costs
         * more than the rest of its path */
        size_t dl = strcspn(m->table, ".");
        snprintf(where, sizeof where, "`%.*s`.`%s` at %s:%llu row %u", (int)dl, m->table,
                 m->table + dl + (m->table[dl] != 0), m->file, (unsigned long long)m->pos, m->row);
        if (r == BD_KAFKA_TOO_LARGE) {
            pthread_mutex_lock(&d->cfg_mu);
            int skip = d->live->oversize == BD_OVERSIZE_SKIP;
            pthread_mutex_unlock(&d->cfg_mu);
            if (skip) {
                d->oversize_skipped++;
                dlog(d, BD_LOG_WARNING,
                     "row change at %s is %zu bytes, more than Kafka accepts "
                     "(message.max.bytes): skipped, as kafka.oversize=skip says (%llu so far)",
                     where, len, (unsigned long long)d->oversize_skipped);
                return 0;
            }
            fail(d,
                 "row change at %s is %zu bytes, more than Kafka accepts (message.max.bytes): "
                 "stopped before it, nothing lost; raise message.max.bytes (and the topic's "
                 "max.message.bytes) or set kafka.oversize=skip",
                 where, len);
            return 1;
        }
        fail(d, "producing to %s: %s", m->topic, err.msg);
        return 1;
    }
}

/* Open a record for the transaction that begins; 1 to stop instead (a stop
 * was asked for: it happens here, between transactions). */
static int ensure_txn(bd_daemon *d, const bd_txn *bt)
{
    if (d->txn) return 0;
    pthread_mutex_lock(&d->stop_mu);
    int stop = atomic_load(&d->stopping) != 0;
    if (!stop) d->in_txn = 1;
    pthread_mutex_unlock(&d->stop_mu);
    if (stop) return 1;
    d->txn = bd_acks_open(d->acks);
    if (!d->txn) return 1;
    d->txn_no++;
    /* MariaDB's whole second, refined by the time it is read */
    int64_t now = src_now(d);
    d->txn_commit = bt && bt->commit_us
                        ? bd_lag_commit_estimate((int64_t)bt->commit_us, bt->commit_exact, now)
                        : now;
    bd_acks_txn_set_commit(d->txn, (uint64_t)d->txn_commit);
    return 0;
}

/* ---- data thread: the publish stage's callbacks ------------------------- */

/* Whether a table is published, its topic and its lag record. */
static int stage_route(void *ctx, const char *db, size_t dbn, const char *tb, size_t tn,
                       bd_pub_route *r, bd_err *err)
{
    bd_daemon *d = ctx;
    pthread_mutex_lock(&d->cfg_mu);
    r->wanted = bd_config_table_wanted(d->live, db, dbn, tb, tn);
    pthread_mutex_unlock(&d->cfg_mu);
    r->user = NULL;
    if (!r->wanted) return 0;
    if (bd_config_topic(&d->cfg, db, dbn, tb, tn, r->topic, sizeof r->topic) < 0)
        return bd_err_set(err, BD_ERR_SCHEMA,
                          "the topic name of `%.*s`.`%.*s` from kafka.topic is empty or longer "
                          "than 249",
                          (int)dbn, db, (int)tn, tb);
    char dbs[65], tbs[65];
    snprintf(dbs, sizeof dbs, "%.*s", (int)dbn, db);
    snprintf(tbs, sizeof tbs, "%.*s", (int)tn, tb);
    r->user = bd_lag_table_get(d->lag, dbs, tbs, r->topic);
    if (!r->user) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    return 0;
}

/* One message of the stage into Kafka: by its key, by its table's name
 * (no key), or to every partition (TRUNCATE). */
static int stage_emit(void *ctx, const bd_pub_msg *m, bd_err *err)
{
    bd_daemon *d = ctx;
    if (ensure_txn(d, NULL)) return bd_err_set(err, BD_ERR_CALLBACK, "stopping");
    if (m->part == BD_PUB_BY_KEY)
        return produce(d, m, BD_KAFKA_BY_KEY) ? bd_err_set(err, BD_ERR_CALLBACK, "stopped") : 0;
    int32_t n = bd_kafka_partitions(
        d->k, m->topic, m->part == BD_PUB_ALL ? BD_KAFKA_PARTS_NOW : BD_KAFKA_PARTS_FIRST,
        FLUSH_TIMEOUT_MS, err);
    if (n < 0) return -1;
    if (m->part == BD_PUB_BY_TABLE) {
        int32_t part = bd_kafka_partition_of(m->table, m->table_len, n);
        return produce(d, m, part) ? bd_err_set(err, BD_ERR_CALLBACK, "stopped") : 0;
    }
    for (int32_t i = 0; i < n; i++)
        if (produce(d, m, i)) return bd_err_set(err, BD_ERR_CALLBACK, "stopped");
    return 0;
}

/* A row change logged as a statement on a published table: skip it
 * ([source] on_statement = skip: counted, logged, alerted) or stop. */
static int stage_statement(void *ctx, const bd_pub_statement *st)
{
    bd_daemon *d = ctx;
    pthread_mutex_lock(&d->cfg_mu);
    int skip = d->live->on_statement == BD_ON_STATEMENT_SKIP;
    pthread_mutex_unlock(&d->cfg_mu);
    char what[400];
    bd_pub_statement_text(st, what, sizeof what);
    pthread_mutex_lock(&d->log_mu);
    snprintf(d->statement_at, sizeof d->statement_at, "%s", what);
    pthread_mutex_unlock(&d->log_mu);
    if (!skip) return 0;
    unsigned long long n = atomic_fetch_add(&d->statements_skipped, 1) + 1;
    dlog(d, BD_LOG_WARNING,
         "%s: skipped, as [source] on_statement = skip says (%llu so far): its row changes are "
         "not in the binlog, so the topic lacks them",
         what, n);
    return 1;
}

/* The stage stopped: say why (nothing more for a stop already decided). */
static int stage_failed(bd_daemon *d)
{
    if (d->pub_err.code == BD_ERR_CALLBACK) return 1;
    if (d->pub_err.code == BD_ERR_STATEMENT) {
        atomic_store(&d->statement_stop, 1);
        fail(d, "%s", d->pub_err.msg);
        dlog(d, BD_LOG_ERROR,
             "the checkpoint stays before the statement's transaction and nothing after it is "
             "published; a restart stops there again. To go on without its rows: [source] "
             "on_statement = skip (each such statement is then logged, counted and alerted), "
             "then repair the table downstream (docs/operations.md)");
    } else {
        fail(d, "%s", d->pub_err.msg);
    }
    return 1;
}

/* A reload may have changed the filters: route every table again. */
static void stage_reroute(bd_daemon *d)
{
    uint64_t gen = atomic_load_explicit(&d->cfg_gen, memory_order_relaxed);
    if (gen == d->pub_gen) return;
    d->pub_gen = gen;
    bd_pub_reroute(d->pub);
}

/* What the data thread counted, for /metrics. */
static void publish_counts(bd_daemon *d)
{
    bd_server_position p;
    bd_source_server_position(d->src, &p);
    bd_pub_counts pc;
    bd_pub_counts_get(d->pub, &pc);
    atomic_store_explicit(&d->pub_key_changes, pc.key_changes, memory_order_relaxed);
    atomic_store_explicit(&d->pub_truncates, pc.truncates, memory_order_relaxed);
    atomic_store_explicit(&d->pub_rows, d->rows, memory_order_relaxed);
    atomic_store_explicit(&d->pub_filtered, d->skipped_rows, memory_order_relaxed);
    atomic_store_explicit(&d->pub_oversize, d->oversize_skipped, memory_order_relaxed);
    atomic_store_explicit(&d->pub_events, p.events, memory_order_relaxed);
    atomic_store_explicit(&d->pub_bytes, p.bytes, memory_order_relaxed);
    atomic_store_explicit(&d->pub_reconnects, p.reconnects, memory_order_relaxed);
    if (p.reached_file && *p.reached_file)
        bd_lag_read_pos(d->lag, p.reached_file, p.reached_pos, 0);
    if (p.heartbeats != d->heartbeats_seen) {
        /* the server had nothing more to send: the reader is at its head */
        d->heartbeats_seen = p.heartbeats;
        bd_lag_heartbeat(d->lag, src_now(d));
    }
}

static int close_txn(bd_daemon *d, const char *file, uint64_t end, const bd_txn *t)
{
    if (ensure_txn(d, t)) return 1;
    bd_lag_read_txn(d->lag, d->txn_no, d->txn_commit);
    bd_err err = {0};
    if (bd_acks_close(d->acks, d->txn, file, end, t && t->has_gtid ? t->gtid : NULL,
                      t ? t->commit_us : 0, &err) < 0) {
        fail(d, "%s", err.msg);
        return 1;
    }
    d->txn = NULL;
    publish_counts(d);
    pthread_mutex_lock(&d->stop_mu);
    d->in_txn = 0;
    int stop = atomic_load(&d->stopping) != 0;
    pthread_mutex_unlock(&d->stop_mu);
    return stop; /* a clean stop ends here, after a whole transaction */
}

static int on_event(void *ctx, const bd_event *ev)
{
    bd_daemon *d = ctx;
    if (atomic_load(&d->stopping) == STOP_NOW) return 1;
    /* a statement that ends a transaction of its own (DDL, TRUNCATE) may
     * publish: its record opens here */
    if ((ev->begins_txn || ev->ends_txn) && ensure_txn(d, ev->txn)) return 1;
    if (ev->header->type == BD_EV_FORMAT_DESCRIPTION && ev->pos.pos == 4 && ev->header->timestamp)
        bd_lag_file_start(d->lag, ev->pos.file, (int64_t)ev->header->timestamp * 1000000);
    if (ev->header->type == BD_EV_INCIDENT) {
        pthread_mutex_lock(&d->log_mu);
        snprintf(d->incident_at, sizeof d->incident_at, "%s:%llu", ev->pos.file,
                 (unsigned long long)ev->pos.pos);
        pthread_mutex_unlock(&d->log_mu);
        atomic_fetch_add(&d->incidents, 1);
        dlog(d, BD_LOG_ERROR,
             "INCIDENT event at %s:%llu: the source says changes may be missing from its binlog "
             "from here (e.g. a statement it could not log); check the source, then clear the "
             "alert with a reload",
             ev->pos.file, (unsigned long long)ev->pos.pos);
    }
    if (ev->gtid_set && !d->txn) {
        if (atomic_load(&d->stopping)) return 1; /* between transactions */
        /* a file's PREVIOUS_GTIDS / GTID_LIST: the checkpoint's GTID set is
         * complete from here even after a start without one */
        bd_err err = {0};
        bd_acks_txn *t = bd_acks_open(d->acks);
        if (!t) return 1;
        d->txn_no++;
        uint64_t end = ev->header->log_pos > ev->pos.pos ? ev->header->log_pos : ev->pos.pos;
        if (bd_acks_close_base(d->acks, t, ev->pos.file, end,
                               ev->header->type == BD_EV_PREVIOUS_GTIDS ? BD_FLAVOR_MYSQL
                                                                        : BD_FLAVOR_MARIADB,
                               ev->gtid_set, ev->gtid_set_len, &err) < 0) {
            fail(d, "%s", err.msg);
            return 1;
        }
        return 0;
    }
    /* routes change (a reload) between transactions, so that a map and
     * its rows are routed alike */
    if (ev->begins_txn) stage_reroute(d);
    if (bd_pub_event(d->pub, ev, &d->pub_err) < 0) return stage_failed(d);
    if (!ev->ends_txn) return 0;
    /* the position after this event; inside a TRANSACTION_PAYLOAD the
     * payload's own position is known only: resuming there repeats the
     * transaction rather than skip any of it */
    uint64_t end =
        ev->pos.inner == 0 && ev->header->log_pos > ev->pos.pos ? ev->header->log_pos : ev->pos.pos;
    return close_txn(d, ev->pos.file, end, ev->txn);
}

/* The heartbeat probe's table? */
static int is_probe_table(const bd_daemon *d, const bd_table *t)
{
    return d->hb_db[0] && t->db.n == strlen(d->hb_db) && t->name.n == strlen(d->hb_tb) &&
           !memcmp(t->db.p, d->hb_db, t->db.n) && !memcmp(t->name.p, d->hb_tb, t->name.n);
}

static int on_row(void *ctx, const bd_row *row)
{
    bd_daemon *d = ctx;
    if (atomic_load(&d->stopping) == STOP_NOW) return 1;
    if (ensure_txn(d, row->txn)) return 1;
    if (row->after && row->table->ncols >= 3 && is_probe_table(d, row->table) &&
        (row->after[2].kind == BD_V_INT || row->after[2].kind == BD_V_UINT)) {
        /* the probe's row: (id, ts, ts_us) */
        pthread_mutex_lock(&d->probe_mu);
        if (d->nprobes < PROBES_MAX) /* while Kafka is stuck, the oldest count */
            d->probes[d->nprobes++] = (probe){d->txn_no, row->after[2].i};
        pthread_mutex_unlock(&d->probe_mu);
    }
    const bd_pub_route *r = bd_pub_route_of(d->pub, row->table, &d->pub_err);
    if (!r) return stage_failed(d);
    bd_lag_table *lt = r->user;
    if (lt && (lt != d->lag_last || d->lag_last_no != d->txn_no)) {
        d->lag_last = lt;
        d->lag_last_no = d->txn_no;
        bd_lag_read_table(d->lag, lt, d->txn_no, d->txn_commit);
    }
    int w = bd_pub_row(d->pub, row, &d->pub_err);
    if (w < 0) return stage_failed(d);
    if (w)
        d->rows++;
    else
        d->skipped_rows++;
    if (!row->ends_txn) return 0;
    /* a statement that commits on its own (no BEGIN, e.g. MyISAM): the
     * stage sent its last row */
    uint64_t end = row->header->log_pos > row->pos.pos ? row->header->log_pos : row->pos.pos;
    return close_txn(d, row->pos.file, end, row->txn);
}

/* The source asks whether a map without column names needs them: only
 * for a published table (names of a table the filters leave out are not
 * looked up, nor DDLs on it looked for). */
static int want_schema(void *ctx, const bd_table *t)
{
    bd_daemon *d = ctx;
    bd_err err = {0};
    const bd_pub_route *r = bd_pub_route_of(d->pub, t, &err);
    return !r || r->wanted; /* a route that fails stops at the row, saying why */
}

static void on_disconnected(void *ctx)
{
    bd_daemon *d = ctx;
    bd_lag_connected(d->lag, 0, src_now(d));
    atomic_store(&d->connected, 0);
    ev_async_send(d->loop, &d->wake);
}

static int on_idle(void *ctx)
{
    publish_counts(ctx);
    return 0;
}

static void on_connected(void *ctx)
{
    bd_daemon *d = ctx;
    bd_lag_connected(d->lag, 1, src_now(d));
    bd_server_identity id;
    char ident[128];
    bd_source_server_identity(d->src, &id);
    bd_server_ident(ident, sizeof ident, id.flavor, id.server_id, id.server_uuid);
    bd_pub_set_fold_case(d->pub, id.lower_case_names);
    bd_server_position p;
    bd_source_server_position(d->src, &p);
    pthread_mutex_lock(&d->cfg_mu);
    int failover = atomic_load(&d->have_ident) && strcmp(ident, d->server_ident) != 0;
    snprintf(d->server_ident, sizeof d->server_ident, "%s", ident);
    atomic_store(&d->have_ident, 1);
    pthread_mutex_unlock(&d->cfg_mu);
    if (failover)
        /* resumed on another server after its GTID set (allow_server_change):
         * the checkpoint's file:pos belongs to the old one */
        bd_acks_restart_at(d->acks, p.resume_file, p.resume_pos);
    else if (p.resume_file[0])
        /* a fresh start: the position the stream starts at becomes the
         * first checkpoint, so a restart before any change resumes here */
        bd_acks_set_start(d->acks, p.resume_file, p.resume_pos, id.flavor, p.start_gtid);
    /* the dump starts where everything before has been read */
    if (p.resume_file && *p.resume_file) bd_lag_read_pos(d->lag, p.resume_file, p.resume_pos, 0);
    atomic_store(&d->connected, 1);
    ev_async_send(d->loop, &d->wake);
}

static void *data_main(void *arg)
{
    bd_daemon *d = arg;
    d->src_result = bd_source_server_run(d->src, &d->src_err);
    atomic_store(&d->data_done, 1);
    bd_acks_stop(d->acks); /* nobody waits for room any more */
    ev_async_send(d->loop, &d->wake);
    return NULL;
}

/* ---- main thread ------------------------------------------------------- */

static void write_checkpoint(bd_daemon *d, int force)
{
    bd_acks_pos p;
    bd_checkpoint *c = calloc(1, sizeof *c);
    bd_buf g = BD_BUF_INIT;
    if (!c) return;
    bd_acks_position(d->acks, &p, c->file, sizeof c->file, &c->pos, &g);
    if (!atomic_load(&d->have_ident) || !c->file[0] ||
        (p.seq == d->written_seq && !force && !d->ckpt_failing)) {
        /* nothing moved since the last write: what is acknowledged is
         * durable (records that retire without moving the position) */
        if (c->file[0] && p.seq == d->written_seq && !d->ckpt_failing)
            bd_lag_durable(d->lag, p.retired, c->file, c->pos);
        free(c);
        bd_buf_release(&g);
        return;
    }
    pthread_mutex_lock(&d->cfg_mu);
    snprintf(c->server, sizeof c->server, "%s", d->server_ident);
    pthread_mutex_unlock(&d->cfg_mu);
    if (g.len < sizeof c->gtid) snprintf(c->gtid, sizeof c->gtid, "%s", g.ptr);
    c->commit_us = p.commit_us;
    bd_err err = {0};
    if (bd_checkpoint_write(d->ckpt_path, c, &err) < 0) {
        if (!d->ckpt_failing)
            dlog(d, BD_LOG_ERROR,
                 "%s: the previous checkpoint stays; reading paused until the checkpoint can "
                 "be written (retried every %u ms)",
                 err.msg, d->cfg.checkpoint_interval_ms);
        d->ckpt_failing = 1;
        bd_acks_hold(d->acks, 1);
        /* at the stop this was the last chance: say so in the exit status */
        if (force) fail(d, "the final checkpoint was not written: %s", err.msg);
    } else {
        d->written_seq = p.seq;
        bd_lag_durable(d->lag, p.retired, c->file, c->pos);
        dlog(d, BD_LOG_DEBUG, "checkpoint %s:%llu", c->file, (unsigned long long)c->pos);
        if (d->ckpt_failing) {
            dlog(d, BD_LOG_INFO, "the checkpoint is written again (%s:%llu): reading resumes",
                 c->file, (unsigned long long)c->pos);
            d->ckpt_failing = 0;
            bd_acks_hold(d->acks, 0);
        }
    }
    if (d->ready_sent)
        sd_notifyf(0,
                   "STATUS=acknowledged up to %s:%llu; %llu row changes published, %llu in "
                   "flight%s",
                   c->file, (unsigned long long)c->pos, (unsigned long long)p.delivered,
                   (unsigned long long)p.in_flight, p.stuck ? "; STUCK on a failed delivery" : "");
    free(c);
    bd_buf_release(&g);
}

static void stop_now(bd_daemon *d)
{
    atomic_store(&d->stopping, STOP_NOW);
    bd_source_server_interrupt(d->src);
    bd_acks_stop(d->acks);
}

static void grace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    bd_daemon *d = w->data;
    dlog(d, BD_LOG_WARNING,
         "the transaction being read did not end within %.0f s of the stop: stopping inside "
         "it (a restart publishes its rows again)",
         STOP_GRACE_S);
    stop_now(d);
}

/* Stop reading.  A clean stop (signals) lets the data thread finish the
 * transaction it is in, so that nothing acknowledged is published again
 * after the restart; it stops at once when it is between transactions.
 * An error stops at once. */
static void begin_stop(bd_daemon *d, const char *why, int now)
{
    pthread_mutex_lock(&d->stop_mu);
    int was = atomic_load(&d->stopping);
    if (!was) atomic_store(&d->stopping, STOP_AT_BOUNDARY);
    int idle = !d->in_txn;
    pthread_mutex_unlock(&d->stop_mu);
    if (!was) {
        dlog(d, BD_LOG_INFO, "stopping (%s): draining Kafka and writing the checkpoint", why);
        sd_notify(0, "STOPPING=1");
    }
    if (now || idle) {
        if (was != STOP_NOW) stop_now(d);
    } else if (!was) {
        ev_timer_init(&d->grace_timer, grace_cb, STOP_GRACE_S, 0);
        d->grace_timer.data = d;
        ev_timer_start(d->loop, &d->grace_timer);
    }
}

/* Offset -> commit time, for the consumer groups' lag.  Reports come by
 * the million: the table of the last topic is kept, and a run of messages
 * of one partition within one commit millisecond is told to the tracker
 * once (its last offset, at the end of the batch of reports). */
static void flush_delivered(bd_daemon *d)
{
    if (!d->dl_pending) return;
    bd_lag_delivered(d->lag, d->dl_table, d->dl_partition, d->dl_offset, d->dl_commit);
    d->dl_pending = 0;
}

static void note_delivered(bd_daemon *d, const bd_kafka_report *r)
{
    /* the name's pointer is the producer's topic handle's: stable */
    if (r->topic != d->dl_topic_ptr && (!d->dl_topic[0] || strcmp(d->dl_topic, r->topic) != 0)) {
        flush_delivered(d);
        snprintf(d->dl_topic, sizeof d->dl_topic, "%s", r->topic);
        d->dl_table = bd_lag_table_by_topic(d->lag, r->topic);
        d->dl_partition = -1;
    }
    d->dl_topic_ptr = r->topic;
    if (!d->dl_table) return;
    int64_t commit = (int64_t)bd_acks_txn_commit(r->opaque);
    if (r->partition == d->dl_partition && r->offset > d->dl_offset && commit >= d->dl_commit &&
        commit - d->dl_commit < 1000) {
        d->dl_offset = r->offset;
        d->dl_pending = 1;
        return;
    }
    flush_delivered(d);
    bd_lag_delivered(d->lag, d->dl_table, r->partition, r->offset, commit);
    d->dl_partition = r->partition;
    d->dl_offset = r->offset;
    d->dl_commit = commit;
}

static void on_delivery(void *ctx, const bd_kafka_report *r)
{
    bd_daemon *d = ctx;
    int ok = r->err == 0;
    d->reports = 1; /* kafka_cb notes the time: once a batch, not a message */
    if (ok && r->topic) note_delivered(d, r);
    if (!ok) d->kafka_errors++;
    if (!ok && r->too_large) {
        pthread_mutex_lock(&d->cfg_mu);
        int skip = d->live->oversize == BD_OVERSIZE_SKIP;
        pthread_mutex_unlock(&d->cfg_mu);
        if (skip) {
            dlog(d, BD_LOG_WARNING,
                 "a %zu-byte row change for %s was refused by the broker as too large: skipped "
                 "(kafka.oversize=skip)",
                 r->len, r->topic ? r->topic : "?");
            ok = 1;
        }
    }
    if (!ok) {
        fail(d,
             "Kafka did not take a row change for %s: %s; the checkpoint stays before its "
             "transaction, so a restart publishes it again",
             r->topic ? r->topic : "?", r->errstr ? r->errstr : "delivery failed");
        ev_async_send(d->loop, &d->wake);
    }
    bd_acks_delivered(d->acks, r->opaque, r->len, ok);
}

/* What Kafka acknowledged moves the acked watermark and ends probes. */
static void acked_progress(bd_daemon *d)
{
    bd_acks_pos p;
    char file[BD_CKPT_FILE_MAX];
    uint64_t pos;
    bd_acks_position(d->acks, &p, file, sizeof file, &pos, NULL);
    flush_delivered(d);
    if (p.retired == d->acked_no) return;
    d->acked_no = p.retired;
    bd_lag_acked(d->lag, p.retired, file, pos);
    int64_t now = src_now(d);
    pthread_mutex_lock(&d->probe_mu);
    size_t k = 0;
    for (size_t i = 0; i < d->nprobes; i++) {
        if (d->probes[i].no <= p.retired)
            d->probe_lag_s = (double)(now - d->probes[i].ts_us) / 1e6;
        else
            d->probes[k++] = d->probes[i];
    }
    d->nprobes = k;
    pthread_mutex_unlock(&d->probe_mu);
}

/* Serve librdkafka's events (delivery reports); note when some came. */
static void poll_kafka(bd_daemon *d)
{
    bd_kafka_poll(d->k);
    if (d->reports) {
        d->reports = 0;
        d->last_ack_us = bd_now_us();
    }
}

static void kafka_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)revents;
    bd_daemon *d = w->data;
    poll_kafka(d);
    /* reports arrive in thousands of batches a second under load: the
     * acked watermark moves every 5 ms at most (the ack tracker's lock is
     * the data path's too) */
    ev_tstamp now = ev_now(loop);
    if (now - d->acked_at >= 0.005) {
        d->acked_at = now;
        acked_progress(d);
    } else if (!ev_is_active(&d->acked_timer)) {
        /* the last batch of a burst is counted 5 ms later at the latest */
        ev_timer_set(&d->acked_timer, 0.005, 0);
        ev_timer_start(loop, &d->acked_timer);
    }
}

static void acked_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)revents;
    bd_daemon *d = w->data;
    d->acked_at = ev_now(loop);
    acked_progress(d);
}

static void ckpt_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    bd_daemon *d = w->data;
    poll_kafka(d); /* reports that raced the fd */
    acked_progress(d);
    write_checkpoint(d, 0);
}

static void wd_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    (void)w;
    sd_notify(0, "WATCHDOG=1");
}

static void wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
    (void)revents;
    bd_daemon *d = w->data;
    if (atomic_load(&d->connected) && !d->ready_sent) {
        d->ready_sent = 1;
        dlog(d, BD_LOG_INFO, "connected to %s:%u (%s); publishing", d->cfg.host, d->cfg.port,
             d->server_ident);
        sd_notify(0, "READY=1\nSTATUS=connected, publishing");
    }
    if (atomic_load(&d->failed)) begin_stop(d, "error", 1);
    if (atomic_load(&d->data_done)) ev_break(loop, EVBREAK_ALL);
}

static void alerter_log(void *ctx, int level, const char *msg)
{
    dlog(ctx, level, "alert webhook: %s", msg);
}
static void monitor_log(void *ctx, int level, const char *msg)
{
    dlog(ctx, level, "monitor: %s", msg);
}

static void reload(bd_daemon *d)
{
    bd_config *n = calloc(1, sizeof *n);
    bd_err err = {0};
    if (!n) return;
    if (bd_config_load(n, d->cfg.path, &err) < 0) {
        dlog(d, BD_LOG_ERROR, "reload refused, the running configuration stays: %s", err.msg);
        free(n);
        return;
    }
    char diff[512];
    bd_config_unreloadable(&d->cfg, n, diff, sizeof diff);
    if (diff[0]) {
        dlog(d, BD_LOG_ERROR,
             "reload refused, the running configuration stays: these options need a restart: "
             "%s",
             diff);
        bd_config_release(n);
        free(n);
        return;
    }
    pthread_mutex_lock(&d->cfg_mu);
    bd_config *old = d->live;
    d->live = n;
    atomic_fetch_add(&d->cfg_gen, 1);
    atomic_store(&d->log_level, n->log_level);
    d->cfg.checkpoint_interval_ms = n->checkpoint_interval_ms;
    pthread_mutex_unlock(&d->cfg_mu);
    if (old != &d->cfg) {
        bd_config_release(old);
        free(old);
    }
    ev_timer_set(&d->ckpt_timer, d->cfg.checkpoint_interval_ms / 1000.0,
                 d->cfg.checkpoint_interval_ms / 1000.0);
    ev_timer_again(d->loop, &d->ckpt_timer);
    d->incidents_cleared = atomic_load(&d->incidents);
    d->statements_cleared = atomic_load(&d->statements_skipped);
    dlog(d, BD_LOG_INFO, "configuration reloaded from %s (filters: include '%s', exclude '%s')",
         d->cfg.path, n->include, n->exclude);
}

static void sig_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
    (void)loop;
    (void)revents;
    bd_daemon *d = w->data;
    if (w->signum == SIGHUP) {
        sd_notify(0, "RELOADING=1");
        reload(d);
        /* systemd waits for READY=1 after RELOADING=1, whether the reload
         * was taken or refused (then the old configuration runs on) */
        sd_notify(0, "READY=1");
        return;
    }
    begin_stop(d, w->signum == SIGTERM ? "SIGTERM" : "SIGINT", 0);
}

/* ---- start and stop ---------------------------------------------------- */

static void run_usage(FILE *f)
{
    fprintf(f, "usage: binlogd run -c FILE\n"
               "\n"
               "Read the source server's binlog as a replica and publish every row change to\n"
               "Kafka (one message per row, docs/format.md), checkpointing only what Kafka\n"
               "acknowledged.  Runs until SIGTERM/SIGINT (drain, checkpoint, exit 0); SIGHUP\n"
               "reloads the options marked reloadable.  Under systemd: Type=notify, watchdog.\n"
               "\n"
               "  -c, --config FILE     the configuration (docs/config.md)\n"
               "  -h, --help            this help\n"
               "\n"
               "Lag per stage and table, gates and alerts (docs/lag.md) are served on [http]\n"
               "listen (default 127.0.0.1:9175): /metrics (Prometheus), /status (JSON),\n"
               "/gates/NAME (200 ready, 503 not; `binlogd gate` asks it), /lag?max=5s (200 or\n"
               "429).  Alerts go to the log, to /metrics and to [alert] webhook.\n"
               "\n"
               "Exit status: 0 stopped cleanly; 1 stopped by an error (the log says what; the\n"
               "checkpoint holds what Kafka acknowledged); 2 configuration or usage error;\n"
               "65 stopped before a change it cannot publish exactly, checkpoint before it: a\n"
               "row change the source logged as a statement ([source] on_statement), or rows\n"
               "of a table whose columns then are not known ([source] ddl_ahead).\n"
               "\n"
               "Configuration options (FILE sections):\n");
    bd_config_help(f);
}

static int path_in(char *out, size_t n, const char *dir, const char *name)
{
    return snprintf(out, n, "%s/%s", dir, name) < (int)n ? 0 : -1;
}

/* The state directory, and a lock so that two daemons never share it. */
static int state_setup(bd_daemon *d)
{
    const char *dir = d->cfg.state_dir;
    if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
        dlog(d, BD_LOG_ERROR, "%s: [state] dir %s: %s", d->cfg.path, dir, strerror(errno));
        return -1;
    }
    if (path_in(d->ckpt_path, sizeof d->ckpt_path, dir, "checkpoint.json") < 0 ||
        path_in(d->hist_path, sizeof d->hist_path, dir, "schema-history.jsonl") < 0 ||
        path_in(d->lock_path, sizeof d->lock_path, dir, "lock") < 0) {
        dlog(d, BD_LOG_ERROR, "%s: [state] dir is too long", d->cfg.path);
        return -1;
    }
    d->lock_fd = open(d->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (d->lock_fd < 0) {
        dlog(d, BD_LOG_ERROR, "%s: %s", d->lock_path, strerror(errno));
        return -1;
    }
    if (flock(d->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        dlog(d, BD_LOG_ERROR,
             "another binlogd runs with the state directory %s (%s is locked): two daemons "
             "must not share a checkpoint",
             dir, d->lock_path);
        return -1;
    }
    return 0;
}

/* Where to start: the checkpoint, else [source] start. */
static int start_position(bd_daemon *d, bd_server_opts *o, bd_checkpoint *c, char **from_copy)
{
    bd_err err = {0};
    int r = bd_checkpoint_read(d->ckpt_path, c, &err);
    if (r < 0) {
        dlog(d, BD_LOG_ERROR, "%s", err.msg);
        return -1;
    }
    if (r == 0) {
        o->file = c->file;
        o->pos = c->pos;
        o->expect_server = c->server;
        if (d->cfg.allow_server_change && c->gtid[0]) o->failover_gtid = c->gtid;
        dlog(d, BD_LOG_INFO, "resuming from the checkpoint %s:%llu (%s)", c->file,
             (unsigned long long)c->pos, c->server);
        return 0;
    }
    const char *s = d->cfg.start;
    if (!strcmp(s, "oldest")) {
    } else if (!strcmp(s, "head")) {
        o->from_head = 1;
    } else if (!strncmp(s, "gtid:", 5)) {
        o->gtid = s + 5;
    } else {
        *from_copy = strdup(s);
        if (!*from_copy) return -1;
        char *colon = strrchr(*from_copy, ':');
        if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
            *colon = '\0';
            o->pos = strtoull(colon + 1, NULL, 10);
        }
        o->file = *from_copy;
    }
    dlog(d, BD_LOG_INFO, "no checkpoint in %s: starting at %s", d->cfg.state_dir, s);
    return 0;
}

/* The gates' zones and tables, the heartbeat table's name. */
static int lag_setup(bd_daemon *d)
{
    const bd_config *c = &d->cfg;
    bd_err err = {0};
    const char *hb = c->heartbeat_table;
    if (hb && *hb) {
        const char *dot = strchr(hb, '.');
        if (!dot || dot == hb || (size_t)(dot - hb) >= sizeof d->hb_db ||
            strlen(dot + 1) >= sizeof d->hb_tb || !dot[1]) {
            dlog(d, BD_LOG_ERROR, "%s: [lag] heartbeat_table wants db.table, not '%s'", c->path,
                 hb);
            return -1;
        }
        snprintf(d->hb_db, sizeof d->hb_db, "%.*s", (int)(dot - hb), hb);
        snprintf(d->hb_tb, sizeof d->hb_tb, "%s", dot + 1);
    }
    d->gate_tz = calloc(c->ngates ? c->ngates : 1, sizeof *d->gate_tz);
    size_t nt = 0;
    for (size_t g = 0; g < c->ngates; g++)
        nt += c->gates[g].ntables;
    d->gate_tables = calloc(nt ? nt : 1, sizeof *d->gate_tables);
    if (!d->gate_tz || !d->gate_tables) return -1;
    for (size_t g = 0; g < c->ngates; g++) {
        const bd_gate_config *gc = &c->gates[g];
        d->gate_tz[g] = bd_tz_load(gc->timezone, &err);
        if (!d->gate_tz[g]) {
            dlog(d, BD_LOG_ERROR, "%s: [gate %s] timezone: %s", c->path, gc->name, err.msg);
            return -1;
        }
        for (size_t i = 0; i < gc->ntables; i++) {
            const char *name = gc->table_list[i], *dot = strchr(name, '.');
            char db[65], tb[65], topic[256];
            snprintf(db, sizeof db, "%.*s", (int)(dot - name), name);
            snprintf(tb, sizeof tb, "%s", dot + 1);
            if (!bd_config_table_wanted(c, db, strlen(db), tb, strlen(tb)))
                dlog(d, BD_LOG_WARNING,
                     "[gate %s]: %s is not published ([filter] leaves it out): the gate can "
                     "only follow how far it was read",
                     gc->name, name);
            int pub = bd_config_table_wanted(c, db, strlen(db), tb, strlen(tb)) &&
                      bd_config_topic(c, db, strlen(db), tb, strlen(tb), topic, sizeof topic) == 0;
            bd_lag_table *t = bd_lag_table_get(d->lag, db, tb, pub ? topic : NULL);
            if (!t) return -1;
            d->gate_tables[d->ngate_tables++] = t;
        }
    }
    return 0;
}

/* The loop and its watchers, the HTTP endpoint and the alert webhook: 0,
 * or -1 after saying why (a configuration error). */
static int loop_setup(bd_daemon *d, bd_err *err)
{
    d->loop = ev_loop_new(EVFLAG_AUTO);
    ev_signal_init(&d->sig_term, sig_cb, SIGTERM);
    ev_signal_init(&d->sig_int, sig_cb, SIGINT);
    ev_signal_init(&d->sig_hup, sig_cb, SIGHUP);
    d->sig_term.data = d->sig_int.data = d->sig_hup.data = d;
    ev_signal_start(d->loop, &d->sig_term);
    ev_signal_start(d->loop, &d->sig_int);
    ev_signal_start(d->loop, &d->sig_hup);
    ev_io_init(&d->kafka_io, kafka_cb, bd_kafka_fd(d->k), EV_READ);
    d->kafka_io.data = d;
    ev_io_start(d->loop, &d->kafka_io);
    double iv = d->cfg.checkpoint_interval_ms / 1000.0;
    ev_timer_init(&d->ckpt_timer, ckpt_cb, iv, iv);
    d->ckpt_timer.data = d;
    ev_timer_start(d->loop, &d->ckpt_timer);
    uint64_t wd_us = 0;
    if (sd_watchdog_enabled(0, &wd_us) > 0 && wd_us) {
        ev_timer_init(&d->wd_timer, wd_cb, wd_us / 2e6, wd_us / 2e6);
        ev_timer_start(d->loop, &d->wd_timer);
    }
    ev_async_init(&d->wake, wake_cb);
    d->wake.data = d;
    ev_async_start(d->loop, &d->wake);
    ev_timer_init(&d->acked_timer, acked_timer_cb, 0.005, 0);
    d->acked_timer.data = d;
    ev_timer_init(&d->eval_timer, run_eval_cb, EVAL_INTERVAL_S, EVAL_INTERVAL_S);
    d->eval_timer.data = d;
    ev_timer_start(d->loop, &d->eval_timer);
    if (d->cfg.http_listen && *d->cfg.http_listen) {
        d->http = bd_http_start(d->loop, d->cfg.http_listen, run_http_handler, d, err);
        if (!d->http) {
            dlog(d, BD_LOG_ERROR, "%s: [http] listen %s", d->cfg.path, err->msg);
            return -1;
        }
    }
    if (d->cfg.webhook && *d->cfg.webhook) {
        char gen[300];
        snprintf(gen, sizeof gen, "http://%s/status",
                 d->cfg.http_listen && *d->cfg.http_listen ? d->cfg.http_listen : "localhost");
        bd_alerter_opts ao = {d->cfg.webhook,
                              d->cfg.webhook_timeout_ms,
                              d->cfg.webhook_retries,
                              d->cfg.alert_repeat_s,
                              gen,
                              alerter_log,
                              d};
        d->alerter = bd_alerter_new(&ao, err);
        if (!d->alerter) {
            dlog(d, BD_LOG_ERROR, "%s: [alert] webhook: %s", d->cfg.path, err->msg);
            return -1;
        }
    }
    return 0;
}

static int daemon_run(bd_daemon *d)
{
    char pw[1024], msg[BD_ERRLEN + 64];
    bd_err err = {0};
    bd_server_opts o;
    bd_checkpoint *c = calloc(1, sizeof *c);
    char *from_copy = NULL;
    int rc = EXIT_FAILED;
    if (!c) return EXIT_FAILED;
    if (state_setup(d) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    if (cli_server_opts(&d->cfg, &o, pw, sizeof pw, msg, sizeof msg) < 0) {
        dlog(d, BD_LOG_ERROR, "%s", msg);
        rc = EXIT_USAGE;
        goto out;
    }
    if (start_position(d, &o, c, &from_copy) < 0) goto out;
    o.follow = 1;
    o.schema_history = d->hist_path;
    o.log = src_log;
    o.on_connected = on_connected;
    o.ctx = d;

    bd_kafka_opts ko = {0};
    ko.conf = (const char *const *)d->cfg.kafka;
    ko.nconf = d->cfg.nkafka;
    ko.allow_unsafe = d->cfg.allow_unsafe;
    ko.on_delivery = on_delivery;
    ko.log = kafka_log;
    ko.ctx = d;
    d->k = bd_kafka_new(&ko, &err);
    if (!d->k) {
        dlog(d, BD_LOG_ERROR, "%s: %s", d->cfg.path, err.msg);
        rc = EXIT_USAGE;
        goto out;
    }
    d->acks = bd_acks_new(RING_TXNS, c->file, c->pos, BD_FLAVOR_UNKNOWN, c->gtid, &err);
    if (!d->acks) {
        dlog(d, BD_LOG_ERROR, "%s", err.msg);
        goto out;
    }
    /* a head confirmation counts for two polls and a second */
    d->lag = bd_lag_new((int64_t)c->commit_us, 2 * (int64_t)d->cfg.head_poll_ms * 1000 + 1000000);
    if (!d->lag || lag_setup(d) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    if (c->server[0]) {
        snprintf(d->server_ident, sizeof d->server_ident, "%s", c->server);
        atomic_store(&d->have_ident, 1);
    }
    bd_pub_opts po = {d->cfg.keys, d->cfg.nkeys, d->cfg.tombstones};
    bd_pub_ops pops = {d, stage_route, stage_emit, stage_statement};
    d->pub = bd_pub_new(&po, &pops);
    if (!d->pub) {
        dlog(d, BD_LOG_ERROR, "out of memory");
        goto out;
    }
    o.on_idle = on_idle;
    o.on_disconnected = on_disconnected;
    o.want_schema = want_schema;
    bd_callbacks cb = {d, on_event, on_row, NULL};
    d->src = bd_source_server_new(&o, &cb, &err);
    if (d->src) {
        bd_monitor_opts mo = {&d->cfg, &o, d->lag, d->gate_tables, d->ngate_tables, monitor_log, d};
        d->mon = bd_monitor_start(&mo, &err);
    }
    memset(pw, 0, sizeof pw);
    if (!d->src || !d->mon) {
        dlog(d, BD_LOG_ERROR, "%s: %s", d->cfg.path, err.msg);
        rc = EXIT_USAGE;
        goto out;
    }

    if (loop_setup(d, &err) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }

    /* the data thread gets no signals: they are the loop's */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int te = pthread_create(&d->th, NULL, data_main, d);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (te) {
        dlog(d, BD_LOG_ERROR, "cannot start the data thread: %s", strerror(te));
        goto out;
    }
    d->th_started = 1;

    ev_run(d->loop, 0);

    /* the data thread has ended (stop, error or end of stream) */
    begin_stop(d, atomic_load(&d->failed) ? "error" : "the source stopped", 1);
    pthread_join(d->th, NULL);
    d->th_started = 0;
    if (d->src_result == BD_SERVER_ERROR && !(d->src_err.code == BD_ERR_CALLBACK)) {
        fail(d, "source: %s", d->src_err.msg);
        d->schema_stop = d->src_err.code == BD_ERR_UNKNOWN_SCHEMA;
    }
    if (bd_kafka_flush(d->k, FLUSH_TIMEOUT_MS, &err) < 0)
        fail(d, "stopping: %s; the checkpoint stays before them", err.msg);
    bd_kafka_poll(d->k);
    acked_progress(d);
    write_checkpoint(d, 1);
    {
        bd_acks_pos p;
        char f[BD_CKPT_FILE_MAX];
        uint64_t pos;
        bd_acks_position(d->acks, &p, f, sizeof f, &pos, NULL);
        if (!f[0]) /* the source never gave a position (e.g. it refused the login) */
            dlog(d, BD_LOG_INFO, "stopped before reading anything: nothing published");
        else
            dlog(d, BD_LOG_INFO,
                 "stopped at %s:%llu: %llu row changes published (%llu filtered out, %llu "
                 "oversize skipped, %llu statements skipped); %llu messages acknowledged",
                 f, (unsigned long long)pos, (unsigned long long)d->rows,
                 (unsigned long long)d->skipped_rows, (unsigned long long)d->oversize_skipped,
                 (unsigned long long)atomic_load(&d->statements_skipped),
                 (unsigned long long)p.delivered);
    }
    rc = EXIT_OK;
    if (atomic_load(&d->failed)) {
        dlog(d, BD_LOG_ERROR, "%s", d->fatal);
        rc = atomic_load(&d->statement_stop) || d->schema_stop ? EXIT_NOT_EXACT : EXIT_FAILED;
    }
out:
    if (d->th_started) {
        begin_stop(d, "error", 1);
        pthread_join(d->th, NULL);
    }
    bd_monitor_stop(d->mon);
    d->mon = NULL; /* the clock goes on without the measured offset */
    if (d->alerter) {
        /* resolved and firing states reach the receiver before the exit */
        run_eval_alerts(d);
        bd_alerter_free(d->alerter, 3000);
    }
    bd_http_stop(d->http);
    bd_source_server_free(d->src);
    bd_pub_free(d->pub);
    bd_kafka_free(d->k); /* runs no callbacks: the loop may go after it */
    if (d->loop) ev_loop_destroy(d->loop);
    bd_acks_free(d->acks);
    bd_lag_free(d->lag);
    for (size_t g = 0; d->gate_tz && g < d->cfg.ngates; g++)
        bd_tz_free(d->gate_tz[g]);
    free(d->gate_tz);
    free(d->gate_tables);
    free(from_copy);
    free(c);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': path = optarg; break;
        case 'h': run_usage(stdout); return EXIT_OK;
        default: run_usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "binlogd run: unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (!path) {
        fprintf(stderr, "binlogd run: -c FILE is required (binlogd run --help)\n");
        return EXIT_USAGE;
    }
    bd_daemon *d = calloc(1, sizeof *d);
    if (!d) return EXIT_FAILED;
    bd_err err = {0};
    if (bd_config_load(&d->cfg, path, &err) < 0) {
        fprintf(stderr, "binlogd run: %s\n", err.msg);
        free(d);
        return EXIT_USAGE;
    }
    d->lock_fd = -1;
    d->journal = getenv("JOURNAL_STREAM") != NULL;
    atomic_store(&d->log_level, d->cfg.log_level);
    d->live = &d->cfg;
    pthread_mutex_init(&d->log_mu, NULL);
    pthread_mutex_init(&d->cfg_mu, NULL);
    pthread_mutex_init(&d->stop_mu, NULL);
    pthread_mutex_init(&d->probe_mu, NULL);
    d->probe_lag_s = NAN;
    int rc = daemon_run(d);
    if (d->live != &d->cfg) {
        bd_config_release(d->live);
        free(d->live);
    }
    if (d->lock_fd >= 0) close(d->lock_fd);
    pthread_mutex_destroy(&d->log_mu);
    pthread_mutex_destroy(&d->cfg_mu);
    pthread_mutex_destroy(&d->stop_mu);
    pthread_mutex_destroy(&d->probe_mu);
    bd_config_release(&d->cfg);
    free(d);
    return rc;
}
