/* run_snapshot.c - snapshots in the daemon (docs/snapshot.md): the
 * snapshot thread, which resolves requests and reads chunks between
 * watermarks on a connection of its own (snapshot_read.h); the data
 * thread's side of the watermarks (run_snapshot_row: a chunk is published
 * in the high watermark's transaction, through the same publish stage as
 * every change); and /snapshot.  The requests, windows and progress live
 * in lib/publish/snapshot.c; run.h says which thread owns what. */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "binlogd/lag.h"
#include "binlogd/snapshot.h"
#include "binlogd/snapshot_read.h"
#include "binlogd/stmt.h"
#include "client.h"
#include "run.h"

static int loading_cb(void *ctx, const char *db, const char *table)
{
    return bd_snap_loading(ctx, db, table);
}

int run_snapshot_init(bd_daemon *d, const bd_checkpoint *c, const bd_server_opts *o)
{
    /* the connection's options, the password copied: the caller wipes its own */
    d->snap_opts = *o;
    snprintf(d->snap_pw, sizeof d->snap_pw, "%s", o->password ? o->password : "");
    d->snap_opts.password = o->password ? d->snap_pw : NULL;
    d->snap_opts.file = d->snap_opts.gtid = NULL;
    d->snap_opts.expect_server = d->snap_opts.failover_gtid = d->snap_opts.schema_history = NULL;
    const char *st = d->cfg.snap_signal_table ? d->cfg.snap_signal_table : "";
    const char *dot = strchr(st, '.');
    if (!dot || dot == st || !dot[1] || dot - st > 64 || strlen(dot + 1) > 64 ||
        strchr(dot + 1, '.')) {
        dlog(d, BD_LOG_ERROR, "%s: [snapshot] signal_table = '%s': want db.table", d->cfg.path, st);
        return -1;
    }
    snprintf(d->sig_db, sizeof d->sig_db, "%.*s", (int)(dot - st), st);
    snprintf(d->sig_tb, sizeof d->sig_tb, "%s", dot + 1);
    /* watermark ids: this process's, so that a restarted daemon (or
     * another on the same source) passes over the others' */
    char nonce[48];
    unsigned char rnd[6] = {0};
    /* random too: a restart in the same second as the same pid (pid 1 in
     * a container) must not take the old watermarks for its own */
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) memset(rnd, 0, sizeof rnd);
    snprintf(nonce, sizeof nonce, "%lx%x%02x%02x%02x%02x%02x%02x", (unsigned long)time(NULL),
             (unsigned)getpid(), rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
    d->snap = bd_snap_new(nonce);
    if (!d->snap) {
        dlog(d, BD_LOG_ERROR, "out of memory");
        return -1;
    }
    bd_lag_set_loading(d->lag, loading_cb, d->snap);
    if (c && c->snapshot[0]) {
        bd_err err = {0};
        if (bd_snap_restore(d->snap, c->snapshot, strlen(c->snapshot), &err) < 0) {
            dlog(d, BD_LOG_ERROR, "%s: %s", d->ckpt_path, err.msg);
            return -1;
        }
        bd_buf b = BD_BUF_INIT;
        bd_snap_status_json(d->snap, NULL, &b);
        dlog(d, BD_LOG_INFO, "snapshots from the checkpoint: %s", b.ptr ? b.ptr : "");
        bd_buf_release(&b);
    }
    /* [snapshot] tables: once, not at every start (the checkpoint says
     * which were requested so) */
    if (d->cfg.snap_tables && *d->cfg.snap_tables) {
        char id[24];
        bd_err err = {0};
        int r = bd_snap_start_request(d->snap, d->cfg.snap_tables, d->cfg.snap_where, bd_now_us(),
                                      id, sizeof id, &err);
        if (r < 0) {
            dlog(d, BD_LOG_ERROR, "%s: [snapshot] tables: %s", d->cfg.path, err.msg);
            return -1;
        }
        if (r > 0)
            dlog(d, BD_LOG_INFO, "snapshot %s of [snapshot] tables = %s requested", id,
                 d->cfg.snap_tables);
    }
    return 0;
}

/* ---- the snapshot thread ---------------------------------------------------- */

typedef struct snap_cfg {
    double max_lag, chunk_time, window_timeout;
    size_t min, max;
} snap_cfg;

static void snap_settings(bd_daemon *d, snap_cfg *c)
{
    pthread_mutex_lock(&d->cfg_mu);
    c->max_lag = d->live->snap_max_lag_s;
    c->chunk_time = d->live->snap_chunk_time_s;
    c->window_timeout = d->live->snap_window_timeout_s;
    c->min = d->live->snap_chunk_min;
    c->max = d->live->snap_chunk_max < c->min ? c->min : d->live->snap_chunk_max;
    pthread_mutex_unlock(&d->cfg_mu);
}

/* Is db.table published (the filters in force, not the signal nor the
 * probe's table)? */
static int published(bd_daemon *d, const char *db, const char *tb)
{
    if (!strcmp(db, d->sig_db) && !strcmp(tb, d->sig_tb)) return 0;
    if (d->hb_db[0] && !strcmp(db, d->hb_db) && !strcmp(tb, d->hb_tb)) return 0;
    pthread_mutex_lock(&d->cfg_mu);
    int w = bd_config_table_wanted(d->live, db, strlen(db), tb, strlen(tb));
    pthread_mutex_unlock(&d->cfg_mu);
    return w;
}

/* The [keys] rule's columns of db.table (those the stream keys it by when
 * it has no primary key). */
static const bd_key_rule *key_rule(bd_daemon *d, const char *db, const char *tb)
{
    return bd_key_rule_match(d->cfg.keys, d->cfg.nkeys, db, strlen(db), tb, strlen(tb));
}

static int load_shape(bd_daemon *d, bd_snap_reader *rd, const char *db, const char *tb,
                      bd_snap_shape *s, bd_err *err)
{
    const bd_key_rule *kr = key_rule(d, db, tb);
    return bd_snap_shape_load(rd, db, tb, kr ? (const char *const *)kr->cols : NULL,
                              kr ? kr->ncols : 0, s, err);
}

/* The most tables one request may load (their progress is in every
 * checkpoint: a few hundred bytes each, BD_CKPT_SNAP_MAX in all). */
#define SNAP_TABLES_MAX 500

/* The tables of request id: the published ones its patterns match, each
 * with a key to chunk by; any table refused refuses the request. */
static void resolve(bd_daemon *d, bd_snap_reader *rd, const char *id, const char *patterns)
{
    bd_buf list = BD_BUF_INIT, tables = BD_BUF_INIT, keys = BD_BUF_INIT, why = BD_BUF_INIT,
           skipped = BD_BUF_INIT;
    bd_err err = {0};
    int n = bd_snap_list_tables(rd, patterns, &list, &err);
    size_t ok = 0, nskipped = 0;
    if (n < 0) {
        bd_buf_addf(&why, "listing the tables: %s", err.msg);
    } else {
        for (const char *p = list.ptr ? list.ptr : ""; *p;) {
            const char *e = strchr(p, '\n');
            if (!e) break;
            char name[132], db[65], tb[65];
            snprintf(name, sizeof name, "%.*s", (int)(e - p), p);
            p = e + 1;
            const char *dot = strchr(name, '.');
            if (!dot) continue;
            snprintf(db, sizeof db, "%.*s", (int)(dot - name), name);
            snprintf(tb, sizeof tb, "%s", dot + 1);
            if (!published(d, db, tb)) {
                bd_buf_addf(&skipped, "%s%s", nskipped++ ? ", " : "", name);
                continue;
            }
            if (bd_snap_loading(d->snap, db, tb)) {
                bd_buf_addf(&why, "%s%s: a snapshot of it is running already", why.len ? "; " : "",
                            name);
                continue;
            }
            bd_snap_shape sh = {0};
            if (load_shape(d, rd, db, tb, &sh, &err) < 0) {
                bd_buf_addf(&why, "%s%s", why.len ? "; " : "", err.msg);
                continue;
            }
            if (++ok > SNAP_TABLES_MAX) continue; /* counted, refused below */
            bd_buf_addf(&tables, "%s\n", name);
            bd_buf_addf(&keys, "%s\t", sh.key_name);
            for (uint32_t k = 0; k < sh.t->npk; k++) {
                const bd_column *c = &sh.t->cols[sh.t->pk[k]];
                bd_buf_addf(&keys, "%s%.*s", k ? "," : "", (int)c->name.n, c->name.p);
            }
            bd_buf_addc(&keys, '\n');
            bd_snap_shape_release(&sh);
        }
        /* each table's progress goes into every checkpoint */
        if (ok > SNAP_TABLES_MAX)
            bd_buf_addf(&why, "%s%zu tables match: at most %d in one request; split the patterns",
                        why.len ? "; " : "", ok, SNAP_TABLES_MAX);
        if (!why.len && !ok)
            bd_buf_addf(&why, "no published table matches %s%s%s%s", patterns,
                        nskipped ? " (not published: " : "", nskipped ? skipped.ptr : "",
                        nskipped ? ")" : "");
    }
    const char *e = why.len ? why.ptr : NULL;
    bd_snap_resolved(d->snap, id, tables.ptr ? tables.ptr : "", keys.ptr ? keys.ptr : "", e,
                     bd_now_us());
    if (e)
        dlog(d, BD_LOG_ERROR, "snapshot %s (%s) refused: %s", id, patterns, e);
    else
        dlog(d, BD_LOG_INFO, "snapshot %s (%s): %zu tables: %.*s", id, patterns, ok,
             (int)(tables.len ? tables.len - 1 : 0), tables.ptr ? tables.ptr : "");
    bd_buf_release(&list);
    bd_buf_release(&tables);
    bd_buf_release(&keys);
    bd_buf_release(&why);
    bd_buf_release(&skipped);
}

/* The stream's acknowledged lag now (NaN: not known yet). */
static double acked_lag(bd_daemon *d)
{
    bd_lag_report r;
    bd_lag_report_make(d->lag, src_now(d), &r);
    double l = r.stage[BD_STAGE_ACKED].lag_s;
    bd_lag_report_release(&r);
    return l;
}

/* Pause while the stream is behind; 1 paused (wait a little), 0 go on. */
static int throttle(bd_daemon *d, const snap_cfg *c)
{
    double lag = acked_lag(d);
    int behind = !isnan(lag) && lag > c->max_lag;
    if (behind) {
        char why[160];
        snprintf(why, sizeof why,
                 "the stream's acknowledged lag is %.1f s, above [snapshot] max_lag %.1f s", lag,
                 c->max_lag);
        bd_snap_pause(d->snap, 1, why);
        if (!atomic_exchange(&d->snap_paused_logged, 1))
            dlog(d, BD_LOG_INFO, "snapshots paused: %s", why);
        return 1;
    }
    if (atomic_exchange(&d->snap_paused_logged, 0)) {
        bd_snap_pause(d->snap, 0, NULL);
        dlog(d, BD_LOG_INFO, "snapshots resume: the stream's acknowledged lag is %.1f s", lag);
    }
    return 0;
}

/* What the thread keeps between chunks. */
typedef struct snap_thread {
    bd_daemon *d;
    bd_snap_reader *rd;
    int signal_ready;
    bd_snap_shape shape;
    char shape_of[160]; /* "id/db.table" of shape */
    bd_snap_chunk chunk;
    bd_snap_work w;
    bd_buf max;
    int conn_failing;
} snap_thread;

/* A failure a new connection may cure (the server's error number says so,
 * or there was no answer at all): the connection is dropped (a new one
 * next round) and 1.  Otherwise 0: the error is the table's. */
static int lost(snap_thread *st, const bd_err *err)
{
    unsigned e = st->rd ? bd_snap_reader_errno(st->rd) : 0;
    if (e ? !bd_server_retryable(e) : err->code != BD_ERR_IO) return 0;
    if (!st->conn_failing) dlog(st->d, BD_LOG_WARNING, "snapshot: %s; connecting again", err->msg);
    st->conn_failing = 1;
    bd_snap_reader_close(st->rd);
    st->rd = NULL;
    return 1;
}

/* The table cannot be loaded: say why, once. */
static void table_failed(snap_thread *st, const char *msg)
{
    bd_snap_table_failed(st->d->snap, st->w.id, st->w.table, msg, bd_now_us());
    dlog(st->d, BD_LOG_ERROR, "snapshot %s: %s: %s", st->w.id, st->w.table, msg);
}

/* A chunk stays in memory until its window closes: past this, the next
 * one is halved whatever its read took. */
#define CHUNK_BYTES_MAX (64u << 20)
/* A table whose SELECT keeps finding its columns changed gives up. */
#define RESTARTS_MAX 100

/* One chunk of w's table. */
static void one_chunk(snap_thread *st, const snap_cfg *c)
{
    bd_daemon *d = st->d;
    bd_snap_work *w = &st->w;
    bd_err err = {0};
    char key[160];
    snprintf(key, sizeof key, "%s/%s", w->id, w->table);
    if (w->gen > RESTARTS_MAX) {
        char m[160];
        snprintf(m, sizeof m, "started over %llu times (DDLs on it): given up",
                 (unsigned long long)w->gen);
        table_failed(st, m);
        return;
    }
    if (w->reload || strcmp(key, st->shape_of) != 0) {
        bd_snap_shape_release(&st->shape);
        st->shape_of[0] = '\0';
        if (load_shape(d, st->rd, w->db, w->tb, &st->shape, &err) < 0) {
            if (!lost(st, &err)) table_failed(st, err.msg);
            return;
        }
        snprintf(st->shape_of, sizeof st->shape_of, "%s", key);
    }
    if (!w->have_max) {
        int r = bd_snap_max_key(st->rd, &st->shape, w->where, &st->max, &err);
        if (r < 0) {
            if (!lost(st, &err)) table_failed(st, err.msg);
            return;
        }
        bd_snap_set_max(d->snap, w->id, w->table, w->gen, r ? st->max.ptr : "", r == 0,
                        bd_now_us());
        dlog(d, BD_LOG_INFO, "snapshot %s: %s: %s", w->id, w->table,
             r ? "reading up to the key it has now" : "no rows: done");
        return; /* the next round reads */
    }
    if (!st->signal_ready) {
        if (bd_snap_signal_prepare(st->rd, d->sig_db, d->sig_tb, &err) < 0) {
            if (!lost(st, &err)) table_failed(st, err.msg);
            return;
        }
        st->signal_ready = 1;
    }
    char wid[96];
    bd_snap_arm(d->snap, w, wid, sizeof wid);
    double t0 = client_now();
    if (bd_snap_watermark(st->rd, d->sig_db, d->sig_tb, wid, 0, &err) < 0) {
        bd_snap_wait(d->snap, 0); /* disarmed */
        if (!lost(st, &err)) table_failed(st, err.msg);
        return;
    }
    if (bd_snap_read_chunk(st->rd, &st->shape, w->where, w->after.ptr, w->max.ptr, w->size,
                           &st->chunk, &err) < 0) {
        bd_snap_wait(d->snap, 0);
        /* the low watermark's row goes (best effort: the signal table
         * stays empty; the data thread passes over a disarmed window) */
        bd_err ignored = {0};
        if (err.code != BD_ERR_IO)
            bd_snap_watermark(st->rd, d->sig_db, d->sig_tb, wid, 1, &ignored);
        if (err.code == BD_ERR_SCHEMA) {
            /* the table changed since its columns were loaded: start over */
            dlog(d, BD_LOG_WARNING, "snapshot %s: %s: the table starts over", w->id, err.msg);
            bd_snap_ddl(d->snap, w->db, w->tb);
            return;
        }
        if (!lost(st, &err)) table_failed(st, err.msg);
        return;
    }
    double took = client_now() - t0;
    /* too much memory per chunk: as if it had been slow */
    if (bd_snap_chunk_bytes(&st->chunk) > CHUNK_BYTES_MAX) took = 2 * c->chunk_time + 1;
    int last = st->chunk.nrows < w->size ||
               (st->chunk.last.len == w->max.len &&
                !memcmp(st->chunk.last.ptr, w->max.ptr ? w->max.ptr : "", w->max.len));
    bd_snap_fill(d->snap, &st->shape, &st->chunk, last);
    if (bd_snap_watermark(st->rd, d->sig_db, d->sig_tb, wid, 1, &err) < 0) {
        bd_snap_wait(d->snap, 0);
        /* a grant missing (DELETE on the signal table): every chunk would
         * fail the same way, each leaving a row behind */
        if (!lost(st, &err)) table_failed(st, err.msg);
        return;
    }
    st->conn_failing = 0;
    /* while the stream reads up to the high watermark, the pause flag says
     * already whether the next chunk will wait (the one in flight ends) */
    double t1 = client_now();
    while (!bd_snap_ended(d->snap, 0.25) && client_now() - t1 < c->window_timeout &&
           !atomic_load(&d->stopping))
        throttle(d, c);
    double left = c->window_timeout - (client_now() - t1);
    int r = bd_snap_wait(d->snap, left > 0 ? left : 0);
    dlog(d, BD_LOG_DEBUG,
         "snapshot %s: %s: chunk %" PRIu64 ": %zu rows read in %.3f s, %s %.3f s later", w->id,
         w->table, w->chunk, st->chunk.nrows, took, r == 1 ? "published" : "not published",
         client_now() - t1);
    if (r == 1) {
        bd_snap_chunk_time(d->snap, w->id, w->table, st->chunk.nrows, took, c->chunk_time, c->min,
                           c->max);
        if (last) dlog(d, BD_LOG_INFO, "snapshot %s: %s: last chunk published", w->id, w->table);
    } else if (r < 0 && !atomic_load(&d->stopping)) {
        dlog(d, BD_LOG_WARNING,
             "snapshot %s: %s: chunk %" PRIu64 "'s high watermark not reached in %.0f s "
             "([snapshot] window_timeout): read again",
             w->id, w->table, w->chunk, c->window_timeout);
    }
}

static void *snap_main(void *arg)
{
    snap_thread st = {.d = arg};
    bd_daemon *d = st.d;
    bd_snap_chunk_init(&st.chunk);
    bd_snap_work_init(&st.w);
    bd_buf_init(&st.max);
    while (!atomic_load(&d->stopping) && !atomic_load(&d->data_done)) {
        snap_cfg c;
        snap_settings(d, &c);
        bd_snap_settings(d->snap, c.max_lag, c.min, c.max);
        char id[24], pats[4096];
        if (!bd_snap_pending(d->snap)) {
            bd_snap_idle(d->snap, 1.0);
            continue;
        }
        if (!st.rd) {
            /* after a lost connection: a breath before the next */
            if (st.conn_failing) bd_snap_idle(d->snap, 1.0);
            bd_err err = {0};
            st.rd = bd_snap_reader_open(&d->snap_opts, &err);
            if (!st.rd) {
                if (!st.conn_failing)
                    dlog(d, BD_LOG_WARNING, "snapshot: %s; retrying every 5 s", err.msg);
                st.conn_failing = 1;
                bd_snap_idle(d->snap, 5.0);
                continue;
            }
            st.signal_ready = 0;
            st.shape_of[0] = '\0';
        }
        if (bd_snap_next_request(d->snap, id, sizeof id, pats, sizeof pats)) {
            resolve(d, st.rd, id, pats);
            continue;
        }
        /* reading only on a connected stream that keeps up: a window needs
         * the data thread to reach its high watermark */
        if (!atomic_load(&d->connected) || throttle(d, &c)) {
            bd_snap_idle(d->snap, 0.25);
            continue;
        }
        if (!bd_snap_next(d->snap, &st.w)) continue;
        one_chunk(&st, &c);
    }
    bd_snap_shape_release(&st.shape);
    bd_snap_chunk_release(&st.chunk);
    bd_snap_work_release(&st.w);
    bd_buf_release(&st.max);
    bd_snap_reader_close(st.rd);
    return NULL;
}

int run_snapshot_start(bd_daemon *d)
{
    if (pthread_create(&d->snap_th, NULL, snap_main, d) != 0) {
        dlog(d, BD_LOG_ERROR, "cannot start the snapshot thread");
        return -1;
    }
    pthread_setname_np(d->snap_th, "bd-snapshot");
    d->snap_started = 1;
    return 0;
}

void run_snapshot_stop(bd_daemon *d)
{
    if (!d->snap) return;
    bd_snap_stop(d->snap);
    if (d->snap_started) pthread_join(d->snap_th, NULL);
    d->snap_started = 0;
}

void run_snapshot_free(bd_daemon *d)
{
    run_snapshot_stop(d);
    if (d->lag) bd_lag_set_loading(d->lag, NULL, NULL);
    bd_snap_free(d->snap);
    d->snap = NULL;
    explicit_bzero(d->snap_pw, sizeof d->snap_pw);
}

/* ---- the data thread --------------------------------------------------------- */

int run_snapshot_signal(const bd_daemon *d, const char *db, size_t dbn, const char *tb, size_t tn)
{
    return d->snap && dbn == strlen(d->sig_db) && tn == strlen(d->sig_tb) &&
           !memcmp(db, d->sig_db, dbn) && !memcmp(tb, d->sig_tb, tn);
}

static int dropped_cb(void *ctx, const char *key, size_t n) { return bd_snap_dropped(ctx, key, n); }

int run_snapshot_row(bd_daemon *d, const bd_row *row)
{
    /* the id: the first column, in the insert's after image (low) or the
     * delete's before image (high) */
    const bd_value *img = row->op == BD_OP_INSERT   ? row->after
                          : row->op == BD_OP_DELETE ? row->before
                                                    : NULL;
    if (!img || !row->table->ncols) return 0;
    const bd_value *v = &img[0];
    if (v->kind != BD_V_STRING && v->kind != BD_V_BYTES && v->kind != BD_V_ASCII) return 0;
    if (row->op == BD_OP_INSERT) {
        bd_snap_low(d->snap, v->s, v->n);
        return 0;
    }
    const bd_snap_window *w = bd_snap_high(d->snap, v->s, v->n);
    if (!w) return 0;
    /* the chunk's rows, in this transaction: Kafka acknowledging it is the
     * chunk's being done */
    bd_pub_read rd = {w->block, w->block_len, w->all_dropped ? NULL : dropped_cb, d->snap};
    size_t published = 0;
    const bd_snap_chunk *c = w->chunk;
    for (size_t i = 0; i < c->nrows; i++) {
        if (w->all_dropped) break;
        bd_row r = {0};
        r.op = BD_OP_READ;
        r.table = w->shape->t;
        r.after = c->vals + i * c->ncols;
        r.row_index = (uint32_t)i;
        r.pos = row->pos;
        r.header = row->header;
        r.format = row->format;
        r.txn = row->txn;
        int p = bd_pub_read_row(d->pub, &r, &rd, &d->pub_err);
        if (p < 0) {
            bd_snap_window_failed(d->snap, d->pub_err.msg);
            return -1;
        }
        published += (size_t)p;
    }
    bd_snap_published(d->snap, d->txn_no, published);
    return 0;
}

void run_snapshot_event(bd_daemon *d, const bd_event *ev)
{
    /* a statement outside BEGIN that commits on its own (MariaDB logs its
     * DDL with an xid, so has_xid says nothing here) */
    if (!d->snap || !ev->query.p || !ev->is_ddl) return;
    bd_stmt st;
    unsigned fl = bd_stmt_flags_from_sql_mode(ev->sql_mode);
    bd_stmt_ddl(&st, ev->query.p, ev->query.n, ev->db.p, ev->db.n, fl);
    if (st.kind != BD_STMT_DDL || st.temporary) return;
    /* tables not known: any may have changed, every snapshot starts over */
    size_t n = st.tables_unknown ? 1 : st.ntables;
    for (size_t i = 0; i < n; i++) {
        const char *db = st.tables_unknown ? "" : st.tables[i].db;
        const char *tb = st.tables_unknown ? "" : st.tables[i].table;
        if (bd_snap_ddl(d->snap, db, tb) > 0)
            dlog(d, BD_LOG_WARNING,
                 "snapshot: a DDL on %s%s%s at %s:%llu (%.*s): the snapshot of %s starts over "
                 "from its first chunk, with its columns read again",
                 db[0] ? db : "*", ".", tb[0] ? tb : "*", ev->pos.file ? ev->pos.file : "",
                 (unsigned long long)ev->pos.pos, (int)(ev->query.n < 120 ? ev->query.n : 120),
                 ev->query.p, st.tables_unknown ? "every table" : "that table");
    }
}

/* ---- /snapshot ----------------------------------------------------------------- */

static void json_error(bd_buf *b, const char *msg)
{
    json_t *j = json_pack("{ss}", "error", msg);
    char *t = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (t) bd_buf_addf(b, "%s\n", t);
    free(t);
}

int run_snapshot_http(bd_daemon *d, const bd_http_req *req, bd_buf *b)
{
    const char *path = bd_http_path(req);
    const char *rest = path + strlen("/snapshot");
    if (!d->snap) {
        json_error(b, "snapshots are not available here");
        return 503;
    }
    if (!*rest || !strcmp(rest, "/")) {
        if (!bd_http_post(req)) {
            bd_snap_status_json(d->snap, NULL, b);
            bd_buf_addc(b, '\n');
            return 200;
        }
        const char *tables = bd_http_arg(req, "tables"), *where = bd_http_arg(req, "where");
        char id[24];
        bd_err err = {0};
        if (!tables || !*tables) {
            json_error(b, "tables: give db.table patterns (comma-separated, * and ?)");
            return 400;
        }
        if (bd_snap_request(d->snap, tables, where, bd_now_us(), id, sizeof id, &err) < 0) {
            json_error(b, err.msg);
            return err.code == BD_ERR_NOMEM ? 500 : 400;
        }
        dlog(d, BD_LOG_INFO, "snapshot %s requested over HTTP: tables %s%s%s", id, tables,
             where && *where ? " where " : "", where && *where ? where : "");
        bd_snap_status_json(d->snap, id, b);
        bd_buf_addc(b, '\n');
        return 202;
    }
    /* /snapshot/ID or /snapshot/ID/cancel */
    char id[32];
    const char *slash = strchr(rest + 1, '/');
    size_t n = slash ? (size_t)(slash - rest - 1) : strlen(rest + 1);
    snprintf(id, sizeof id, "%.*s", (int)(n < sizeof id - 1 ? n : sizeof id - 1), rest + 1);
    if (slash && strcmp(slash, "/cancel") != 0) {
        json_error(b, "no such page: /snapshot/ID or /snapshot/ID/cancel");
        return 404;
    }
    if (slash) {
        if (!bd_http_post(req)) {
            json_error(b, "cancel with POST");
            return 405;
        }
        int r = bd_snap_cancel(d->snap, id, bd_now_us());
        if (r < 0) {
            json_error(b, "no such snapshot");
            return 404;
        }
        if (r > 0) {
            json_error(b, "the snapshot has ended already");
            return 409;
        }
        dlog(d, BD_LOG_INFO, "snapshot %s cancelled over HTTP", id);
    } else if (bd_http_post(req)) {
        json_error(b, "POST /snapshot?tables=... or /snapshot/ID/cancel");
        return 405;
    }
    if (bd_snap_status_json(d->snap, id, b) < 0) {
        json_error(b, "no such snapshot");
        return 404;
    }
    bd_buf_addc(b, '\n');
    return 200;
}
