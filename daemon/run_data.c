/* run_data.c - the daemon's data thread: the live source's decoder
 * callbacks feed the publish stage (publish.h), whose callbacks here open
 * and close each transaction's ack record in the Kafka sink, route tables
 * (filters, topic, lag record), tell the lag tracker what was read, note
 * heartbeat probes and INCIDENT events, and stop at a transaction boundary
 * when a stop was asked for.  run.h says which thread owns what. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "binlogd/lag.h"
#include "binlogd/publish.h"
#include "binlogd/sink_kafka.h"
#include "binlogd/source_server.h"
#include "run.h"

/* ---- data thread: the publish stage's callbacks ------------------------- */

/* A reload may have changed the filters and the column rules: route every
 * table again, with the new rules from the transaction at t on. */
static void stage_reroute(bd_daemon *d, const bd_pub_txn *t)
{
    uint64_t gen = atomic_load_explicit(&d->cfg_gen, memory_order_relaxed);
    if (gen == d->pub_gen) return;
    d->pub_gen = gen;
    pthread_mutex_lock(&d->cfg_mu);
    bd_col_rules old = d->cols;
    int same = 1, taken = d->live != &d->cfg;
    if (taken) {
        d->cols = d->live->columns;
        memset(&d->live->columns, 0, sizeof d->live->columns);
        same = bd_col_rules_same(&old, &d->cols);
        if (!same) {
            d->cols_set++;
            snprintf(d->cols_since, sizeof d->cols_since, "%s:%llu", t->file,
                     (unsigned long long)t->pos);
        }
    }
    pthread_mutex_unlock(&d->cfg_mu);
    bd_pub_set_columns(d->pub, &d->cols); /* reroutes */
    if (taken) bd_col_rules_release(&old);
    if (!same)
        dlog(d, BD_LOG_INFO,
             "column rules: set %u (%zu rules, %zu hash keys) applies from the transaction at "
             "%s on; the ones before it were published under the previous set",
             d->cols_set, d->cols.n, d->cols.nkeys, d->cols_since);
}

/* A transaction begins: its ack record opens, or the daemon stops here,
 * between transactions, when a stop was asked for. */
static int stage_begin(void *ctx, const bd_pub_txn *t, bd_err *err)
{
    bd_daemon *d = ctx;
    if (atomic_load(&d->stopping)) return bd_err_set(err, BD_ERR_CALLBACK, "stopping");
    /* routes change (a reload) between transactions, so that a map and
     * its rows are routed alike */
    stage_reroute(d, t);
    /* MariaDB's whole second, refined by the time it is read */
    int64_t now = src_now(d);
    const bd_txn *bt = t->txn;
    d->txn_commit = bt && bt->commit_us
                        ? bd_lag_commit_estimate((int64_t)bt->commit_us, bt->commit_exact, now)
                        : now;
    /* may wait (the ring full, or held while the checkpoint cannot be
     * written): not yet inside the transaction, so a stop meanwhile is
     * immediate (begin_stop wakes it) */
    if (bd_ksink_begin(d->sink, (uint64_t)d->txn_commit, err) < 0) return -1;
    d->txn_no++; /* one number per ack record opened: they retire in this order */
    pthread_mutex_lock(&d->stop_mu);
    int stop = atomic_load(&d->stopping) != 0;
    if (!stop) d->in_txn = 1;
    pthread_mutex_unlock(&d->stop_mu);
    /* stopped while waiting: the record stays empty and open, after every
     * other, so it holds nothing back */
    return stop ? bd_err_set(err, BD_ERR_CALLBACK, "stopping") : 0;
}

/* Whether a table is published, its topic and its lag record. */
static int stage_route(void *ctx, const char *db, size_t dbn, const char *tb, size_t tn,
                       bd_pub_route *r, bd_err *err)
{
    bd_daemon *d = ctx;
    pthread_mutex_lock(&d->cfg_mu);
    r->wanted = bd_config_table_wanted(d->live, db, dbn, tb, tn);
    pthread_mutex_unlock(&d->cfg_mu);
    /* the snapshots' watermarks are the daemon's own, never published */
    if (run_snapshot_signal(d, db, dbn, tb, tn)) r->wanted = 0;
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

/* The heartbeat probe's table? */
static int is_probe_table(const bd_daemon *d, const bd_table *t)
{
    return d->hb_db[0] && t->db.n == strlen(d->hb_db) && t->name.n == strlen(d->hb_tb) &&
           !memcmp(t->db.p, d->hb_db, t->db.n) && !memcmp(t->name.p, d->hb_tb, t->name.n);
}

/* A row about to be published (or filtered out): the probe's row starts
 * an end-to-end measure; a published table's lag learns of its change. */
static int stage_row(void *ctx, const bd_row *row, const bd_pub_route *r, bd_err *err)
{
    bd_daemon *d = ctx;
    (void)err;
    if (row->after && row->table->ncols >= 3 && is_probe_table(d, row->table) &&
        (row->after[2].kind == BD_V_INT || row->after[2].kind == BD_V_UINT)) {
        /* the probe's row: (id, ts, ts_us) */
        pthread_mutex_lock(&d->probe_mu);
        if (d->nprobes < PROBES_MAX) /* while Kafka is stuck, the oldest count */
            d->probes[d->nprobes++] = (probe){d->txn_no, row->after[2].i};
        pthread_mutex_unlock(&d->probe_mu);
    }
    bd_lag_table *lt = r->user;
    if (lt && (lt != d->lag_last || d->lag_last_no != d->txn_no)) {
        d->lag_last = lt;
        d->lag_last_no = d->txn_no;
        bd_lag_read_table(d->lag, lt, d->txn_no, d->txn_commit);
    }
    return 0;
}

/* One message of the stage into Kafka (sink_kafka.h).  Inside a
 * snapshot's window, a change's key replaces the row the chunk read. */
static int stage_emit(void *ctx, const bd_pub_msg *m, bd_err *err)
{
    bd_daemon *d = ctx;
    if (d->snap && m->op != BD_OP_READ)
        bd_snap_note(d->snap, m->table, m->table_len, m->key, m->key_len, m->op);
    return bd_ksink_emit(d->sink, m, err);
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
        run_fail(d, "%s", d->pub_err.msg);
        dlog(d, BD_LOG_ERROR,
             "the checkpoint stays before the statement's transaction and nothing after it is "
             "published; a restart stops there again. To go on without its rows: [source] "
             "on_statement = skip (each such statement is then logged, counted and alerted), "
             "then repair the table downstream (docs/operations.md)");
    } else {
        /* a column rule that cannot be applied: a restart would stop the same way */
        if (d->pub_err.code == BD_ERR_COLUMNS) atomic_store(&d->columns_stop, 1);
        run_fail(d, "%s", d->pub_err.msg);
    }
    return 1;
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

/* A transaction ended (its messages produced): its ack record closes
 * with the position after it; a clean stop ends here. */
static int stage_end(void *ctx, const bd_pub_txn *t, int skipped, bd_err *err)
{
    bd_daemon *d = ctx;
    (void)skipped; /* the daemon passes over none */
    bd_lag_read_txn(d->lag, d->txn_no, d->txn_commit);
    if (bd_ksink_end(d->sink, t->file, t->pos, t->txn, err) < 0) return -1;
    publish_counts(d);
    /* exactly once: a Kafka transaction open long enough commits here */
    if (run_commit(d, 0) < 0) return bd_err_set(err, BD_ERR_CALLBACK, "stopping");
    pthread_mutex_lock(&d->stop_mu);
    d->in_txn = 0;
    /* a clean stop ends here, after a whole transaction: the decoder
     * callback that ended it stops the stream once it has counted */
    d->stop_here = atomic_load(&d->stopping) != 0;
    pthread_mutex_unlock(&d->stop_mu);
    return 0;
}

/* A file's PREVIOUS_GTIDS / GTID_LIST between transactions: a record of
 * its own, so that the checkpoint's GTID set is complete from here even
 * after a start without one.  0, or 1 to stop. */
static int gtid_base(bd_daemon *d, const bd_event *ev)
{
    if (atomic_load(&d->stopping)) return 1; /* between transactions */
    bd_acks *acks = bd_ksink_acks(d->sink);
    bd_acks_txn *t = bd_acks_open(acks);
    if (!t) return 1;
    d->txn_no++;
    bd_err err = {0};
    if (bd_acks_close_base(acks, t, ev->pos.file, bd_pub_pos_after(&ev->pos, ev->header),
                           ev->header->type == BD_EV_PREVIOUS_GTIDS ? BD_FLAVOR_MYSQL
                                                                    : BD_FLAVOR_MARIADB,
                           ev->gtid_set, ev->gtid_set_len, &err) < 0) {
        run_fail(d, "%s", err.msg);
        return 1;
    }
    return 0;
}

static int on_event(void *ctx, const bd_event *ev)
{
    bd_daemon *d = ctx;
    if (atomic_load(&d->stopping) == STOP_NOW) return 1;
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
    if (ev->gtid_set && !bd_pub_in_txn(d->pub)) return gtid_base(d, ev);
    if (ev->query.p) run_snapshot_event(d, ev);
    /* transactions begin and end in the stage (stage_begin, stage_end) */
    return bd_pub_event(d->pub, ev, &d->pub_err) < 0 ? stage_failed(d) : d->stop_here;
}

static int on_row(void *ctx, const bd_row *row)
{
    bd_daemon *d = ctx;
    if (atomic_load(&d->stopping) == STOP_NOW) return 1;
    int w = bd_pub_row(d->pub, row, &d->pub_err);
    if (w < 0) return stage_failed(d);
    /* a snapshot's watermark: its transaction has begun (above) */
    if (run_snapshot_signal(d, row->table->db.p, row->table->db.n, row->table->name.p,
                            row->table->name.n) &&
        run_snapshot_row(d, row) < 0)
        return stage_failed(d);
    if (w)
        d->rows++;
    else
        d->skipped_rows++;
    return d->stop_here;
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

/* A schema history line, durable in the local file: to the state topic,
 * so that another host decodes a MINIMAL/NO_LOG backlog alike.  Lines
 * written after the data thread ended (the source's last "seen_to" at its
 * free) stay local. */
static void on_history_line(void *ctx, const char *line, size_t n)
{
    bd_daemon *d = ctx;
    /* after the data thread, or once another instance has the turn: the
     * producer is not this thread's, or fenced */
    if (atomic_load(&d->data_done) || atomic_load(&d->demoted)) return;
    bd_err err = {0};
    if (bd_ksink_state_line(d->sink, line, n, &err) < 0)
        dlog(d, BD_LOG_WARNING, "%s: the state topic lacks it (the local history has it)", err.msg);
}

static int on_idle(void *ctx)
{
    bd_daemon *d = ctx;
    publish_counts(d);
    /* exactly once: nothing more to read now, so what was read commits */
    return run_commit(d, 1) < 0;
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
    else if (p.resume_file[0]) {
        /* a fresh start: the position the stream starts at becomes the
         * first checkpoint, so a restart before any change resumes here */
        bd_acks_set_start(d->acks, p.resume_file, p.resume_pos, id.flavor, p.start_gtid);
        if (d->fresh) {
            d->fresh = 0;
            if (d->eos) {
                run_commit(d, 1); /* the start position, alone in a transaction */
            } else {
                bd_acks_hold(d->acks, 1); /* lifted by the first checkpoint */
                atomic_store(&d->first_wait, 1);
            }
        }
    }
    /* the dump starts where everything before has been read */
    if (p.resume_file && *p.resume_file) bd_lag_read_pos(d->lag, p.resume_file, p.resume_pos, 0);
    atomic_store(&d->connected, 1);
    ev_async_send(d->loop, &d->wake);
}

void *run_data_main(void *arg)
{
    bd_daemon *d = arg;
    d->src_result = bd_source_server_run(d->src, &d->src_err);
    /* what was read whole, in the schema history (and so in the commit) */
    bd_source_server_seen_to(d->src);
    if (d->eos) {
        /* between transactions: commit what was read whole; inside one (a
         * stop that could not wait, an error): abort the Kafka transaction,
         * and a restart publishes all of it again */
        int whole = !bd_ksink_txn(d->sink) && !atomic_load(&d->failed);
        if (!whole || run_commit(d, 1) < 0) {
            if (bd_ksink_txn(d->sink))
                dlog(d, BD_LOG_INFO,
                     "stopped inside a transaction: the open Kafka transaction "
                     "is aborted (a restart publishes it again)");
            bd_ksink_abort(d->sink);
        }
    }
    atomic_store(&d->data_done, 1);
    bd_ksink_stop(d->sink); /* nobody waits for room any more */
    ev_async_send(d->loop, &d->wake);
    return NULL;
}

int run_data_source(bd_daemon *d, bd_server_opts *o, bd_err *err)
{
    /* the column rules become the data thread's (see stage_reroute) */
    d->cols = d->cfg.columns;
    memset(&d->cfg.columns, 0, sizeof d->cfg.columns);
    d->cols_set = 1;
    d->cols_since[0] = '\0';
    bd_pub_opts po = {d->cfg.keys, d->cfg.nkeys, d->cfg.tombstones};
    po.columns = &d->cols;
    bd_pub_ops pops = {d,           stage_route, stage_emit, stage_statement,
                       stage_begin, stage_end,   stage_row};
    d->pub = bd_pub_new(&po, &pops);
    if (!d->pub) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    o->on_connected = on_connected;
    o->on_idle = on_idle;
    o->on_disconnected = on_disconnected;
    o->on_history_line = on_history_line;
    o->want_schema = want_schema;
    o->ctx = d;
    bd_callbacks cb = {d, on_event, on_row, NULL};
    d->src = bd_source_server_new(o, &cb, err);
    return d->src ? 0 : -1;
}
