/* cmd_run.c - `binlogd run -c FILE`: the daemon.
 *
 * Two threads.  The data thread runs the live source (it blocks in the
 * client library's binlog fetch): decoder callbacks filter, encode and
 * produce each row change to Kafka, and open/close one record per
 * transaction in the ack tracker.  The main thread runs one libev loop for
 * control: signals, the librdkafka queue's fd (delivery reports count the
 * records down), the checkpoint timer, the systemd watchdog.  Nothing in
 * the loop blocks for long; the data thread waits (backpressure) while too
 * much is in flight.
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
#include "binlogd/checkpoint.h"
#include "binlogd/config.h"
#include "binlogd/encode.h"
#include "binlogd/kafka.h"
#include "binlogd/source_server.h"
#include "cli.h"
#include "commands.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };
enum { STOP_AT_BOUNDARY = 1, STOP_NOW = 2 };
/* how long a clean stop waits for the transaction being read to end */
#define STOP_GRACE_S 10.0

#define RING_TXNS 65536
#define FLUSH_TIMEOUT_MS 30000

typedef struct bd_daemon {
    bd_config cfg;
    char ckpt_path[4096], hist_path[4096], lock_path[4096];
    int lock_fd;
    int journal;          /* stderr goes to the journal: "<N>" level prefixes */
    atomic_int log_level; /* cfg.log_level, changed by a reload while threads log */
    pthread_mutex_t log_mu;

    bd_kafka *k;
    bd_acks *acks;
    bd_source_server *src;
    pthread_t th;
    int th_started;
    enum bd_server_result src_result;
    bd_err src_err;
    atomic_int data_done;
    atomic_int connected;
    /* 0 running; STOP_AT_BOUNDARY: finish the transaction being read, then
     * stop (a clean stop re-publishes nothing); STOP_NOW: at once */
    atomic_int stopping;
    pthread_mutex_t stop_mu; /* stopping and in_txn change together */
    int in_txn;              /* the data thread is inside a transaction */
    ev_timer grace_timer;
    char server_ident[128];
    atomic_int have_ident;

    /* the main loop */
    struct ev_loop *loop;
    ev_signal sig_term, sig_int, sig_hup;
    ev_timer ckpt_timer, wd_timer;
    ev_io kafka_io;
    ev_async wake;
    uint64_t written_seq;
    int ckpt_failing; /* the last write failed: reading is held */
    int ready_sent;
    int exit_code;
    char fatal[BD_ERRLEN]; /* the first reason to stop with exit 1 */
    atomic_int failed;

    /* reloadable settings read by the data thread (under cfg_mu) */
    pthread_mutex_t cfg_mu;
    bd_config *live; /* the filters, oversize and log level in force */
    uint64_t cfg_gen;

    /* data thread state */
    bd_acks_txn *txn;
    bd_enc_cache cache;
    bd_buf held_val, held_key;
    char held_topic[256];
    /* where the held row is, for messages: written out only when needed
     * (a formatted string per row costs more than the rest of its path) */
    char held_table[260], held_file[512];
    uint64_t held_pos;
    uint32_t held_row;
    int held;
    /* the last table asked about, and the answer (by name: the decoder
     * may put another table's map at a freed address after a DDL) */
    const bd_table *f_table;
    char f_db[65], f_tb[65], f_name[140]; /* f_name: "`db`.`table`" */
    size_t f_db_len, f_tb_len;
    uint64_t f_gen;
    int f_wanted;
    char f_topic[256];
    uint64_t rows, skipped_rows, oversize_skipped;
} bd_daemon;

/* ---- logging ------------------------------------------------------------- */

static void dlog(bd_daemon *d, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void dlog(bd_daemon *d, int level, const char *fmt, ...)
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

/* Produce one message for the current transaction, waiting while too much
 * is in flight.  0, or 1 to stop the stream. */
static int produce(bd_daemon *d, const char *topic, const bd_buf *key, const bd_buf *val)
{
    char where[1024];
    size_t len = key->len + val->len;
    for (;;) {
        if (bd_acks_wait_add(d->acks, d->txn, len, d->cfg.max_in_flight,
                             d->cfg.max_in_flight_bytes))
            return 1;
        bd_err err = {0};
        enum bd_kafka_produce_result r = bd_kafka_produce(d->k, topic, key->ptr, key->len, val->ptr,
                                                          val->len, NULL, 0, d->txn, &err);
        if (r == BD_KAFKA_QUEUED) return 0;
        bd_acks_unadd(d->acks, d->txn, len);
        if (r == BD_KAFKA_FULL) {
            /* librdkafka's own queue is full: let reports drain it */
            struct timespec ts = {0, 2000000};
            nanosleep(&ts, NULL);
            if (atomic_load(&d->stopping) == STOP_NOW) return 1;
            continue;
        }
        snprintf(where, sizeof where, "%s at %s:%llu row %u", d->held_table, d->held_file,
                 (unsigned long long)d->held_pos, d->held_row);
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
        fail(d, "producing to %s: %s", topic, err.msg);
        return 1;
    }
}

/* Send the held row, with its transaction fields. */
static int send_held(bd_daemon *d, int has_xid, uint64_t xid, int last)
{
    if (!d->held) return 0;
    d->held = 0;
    bd_encode_row_tail(&d->held_val, has_xid, xid, last);
    if (bd_buf_failed(&d->held_val)) {
        fail(d, "out of memory encoding a row change");
        return 1;
    }
    return produce(d, d->held_topic, &d->held_key, &d->held_val);
}

/* Open a record for the transaction that begins; 1 to stop instead (a stop
 * was asked for: it happens here, between transactions). */
static int ensure_txn(bd_daemon *d)
{
    if (d->txn) return 0;
    pthread_mutex_lock(&d->stop_mu);
    int stop = atomic_load(&d->stopping) != 0;
    if (!stop) d->in_txn = 1;
    pthread_mutex_unlock(&d->stop_mu);
    if (stop) return 1;
    d->txn = bd_acks_open(d->acks);
    return d->txn ? 0 : 1;
}

static int close_txn(bd_daemon *d, const char *file, uint64_t end, const bd_txn *t)
{
    if (ensure_txn(d)) return 1;
    bd_err err = {0};
    if (bd_acks_close(d->acks, d->txn, file, end, t && t->has_gtid ? t->gtid : NULL,
                      t ? t->commit_us : 0, &err) < 0) {
        fail(d, "%s", err.msg);
        return 1;
    }
    d->txn = NULL;
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
    if (ev->begins_txn && ensure_txn(d)) return 1;
    if (ev->gtid_set && !d->txn) {
        if (atomic_load(&d->stopping)) return 1; /* between transactions */
        /* a file's PREVIOUS_GTIDS / GTID_LIST: the checkpoint's GTID set is
         * complete from here even after a start without one */
        bd_err err = {0};
        bd_acks_txn *t = bd_acks_open(d->acks);
        if (!t) return 1;
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
    if (!ev->ends_txn) return 0;
    if (send_held(d, ev->has_xid, ev->xid, 1)) return 1;
    /* the position after this event; inside a TRANSACTION_PAYLOAD the
     * payload's own position is known only: resuming there repeats the
     * transaction rather than skip any of it */
    uint64_t end =
        ev->pos.inner == 0 && ev->header->log_pos > ev->pos.pos ? ev->header->log_pos : ev->pos.pos;
    return close_txn(d, ev->pos.file, end, ev->txn);
}

/* Is the row's table wanted, and its topic: cached per table map and
 * config generation. */
static int table_wanted(bd_daemon *d, const bd_table *t)
{
    if (t == d->f_table && d->f_gen == d->cfg_gen && t->db.n == d->f_db_len &&
        t->name.n == d->f_tb_len && memcmp(t->db.p, d->f_db, t->db.n) == 0 &&
        memcmp(t->name.p, d->f_tb, t->name.n) == 0)
        return d->f_wanted;
    if (t->db.n >= sizeof d->f_db || t->name.n >= sizeof d->f_tb) {
        fail(d, "a table name longer than 64 bytes in the binlog");
        return -1;
    }
    pthread_mutex_lock(&d->cfg_mu);
    d->f_wanted = bd_config_table_wanted(d->live, t->db.p, t->db.n, t->name.p, t->name.n);
    d->f_gen = d->cfg_gen;
    pthread_mutex_unlock(&d->cfg_mu);
    if (d->f_wanted && bd_config_topic(&d->cfg, t->db.p, t->db.n, t->name.p, t->name.n, d->f_topic,
                                       sizeof d->f_topic) < 0) {
        fail(d, "the topic name of `%.*s`.`%.*s` from kafka.topic is empty or longer than 249",
             (int)t->db.n, t->db.p, (int)t->name.n, t->name.p);
        return -1;
    }
    d->f_table = t;
    memcpy(d->f_db, t->db.p, t->db.n);
    d->f_db[t->db.n] = '\0';
    d->f_db_len = t->db.n;
    memcpy(d->f_tb, t->name.p, t->name.n);
    d->f_tb[t->name.n] = '\0';
    d->f_tb_len = t->name.n;
    snprintf(d->f_name, sizeof d->f_name, "`%s`.`%s`", d->f_db, d->f_tb);
    return d->f_wanted;
}

static int on_row(void *ctx, const bd_row *row)
{
    bd_daemon *d = ctx;
    if (atomic_load(&d->stopping) == STOP_NOW) return 1;
    int w = table_wanted(d, row->table);
    if (w < 0) return 1;
    if (ensure_txn(d)) return 1;
    if (!w) {
        d->skipped_rows++;
    } else {
        /* hold each row until the next one (or the transaction's end) says
         * whether it is the last of its transaction */
        if (send_held(d, 0, 0, 0)) return 1;
        bd_buf_reset(&d->held_val);
        bd_buf_reset(&d->held_key);
        bd_encode_row_cached(&d->held_val, row, &d->cache);
        bd_encode_key(&d->held_key, row);
        /* copies only when they change: once per table or file, not per row */
        if (strcmp(d->held_topic, d->f_topic) != 0)
            snprintf(d->held_topic, sizeof d->held_topic, "%s", d->f_topic);
        if (strcmp(d->held_table, d->f_name) != 0)
            snprintf(d->held_table, sizeof d->held_table, "%s", d->f_name);
        const char *file = row->pos.file ? row->pos.file : "";
        if (strcmp(d->held_file, file) != 0)
            snprintf(d->held_file, sizeof d->held_file, "%s", file);
        d->held_pos = row->pos.pos;
        d->held_row = row->row_index;
        d->held = 1;
        d->rows++;
    }
    if (!row->ends_txn) return 0;
    /* a statement that commits on its own (no BEGIN, e.g. MyISAM) */
    if (send_held(d, 0, 0, 1)) return 1;
    uint64_t end = row->header->log_pos > row->pos.pos ? row->header->log_pos : row->pos.pos;
    return close_txn(d, row->pos.file, end, row->txn);
}

static void on_connected(void *ctx)
{
    bd_daemon *d = ctx;
    bd_server_identity id;
    char ident[128];
    bd_source_server_identity(d->src, &id);
    bd_server_ident(ident, sizeof ident, id.flavor, id.server_id, id.server_uuid);
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

static void on_delivery(void *ctx, const bd_kafka_report *r)
{
    bd_daemon *d = ctx;
    int ok = r->err == 0;
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

static void kafka_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    bd_daemon *d = w->data;
    bd_kafka_poll(d->k);
}

static void ckpt_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    bd_daemon *d = w->data;
    bd_kafka_poll(d->k); /* reports that raced the fd */
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
    d->cfg_gen++;
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
               "Exit status: 0 stopped cleanly; 1 stopped by an error (the log says what; the\n"
               "checkpoint holds what Kafka acknowledged); 2 configuration or usage error.\n"
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
    if (c->server[0]) {
        snprintf(d->server_ident, sizeof d->server_ident, "%s", c->server);
        atomic_store(&d->have_ident, 1);
    }
    bd_callbacks cb = {d, on_event, on_row, NULL};
    d->src = bd_source_server_new(&o, &cb, &err);
    memset(pw, 0, sizeof pw);
    if (!d->src) {
        dlog(d, BD_LOG_ERROR, "%s: %s", d->cfg.path, err.msg);
        rc = EXIT_USAGE;
        goto out;
    }

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
    if (d->src_result == BD_SERVER_ERROR && !(d->src_err.code == BD_ERR_CALLBACK))
        fail(d, "source: %s", d->src_err.msg);
    if (bd_kafka_flush(d->k, FLUSH_TIMEOUT_MS, &err) < 0)
        fail(d, "stopping: %s; the checkpoint stays before them", err.msg);
    bd_kafka_poll(d->k);
    write_checkpoint(d, 1);
    {
        bd_acks_pos p;
        char f[BD_CKPT_FILE_MAX];
        uint64_t pos;
        bd_acks_position(d->acks, &p, f, sizeof f, &pos, NULL);
        dlog(d, BD_LOG_INFO,
             "stopped at %s:%llu: %llu row changes published (%llu filtered out, %llu "
             "oversize skipped)",
             f, (unsigned long long)pos, (unsigned long long)p.delivered,
             (unsigned long long)d->skipped_rows, (unsigned long long)d->oversize_skipped);
    }
    rc = EXIT_OK;
    if (atomic_load(&d->failed)) {
        dlog(d, BD_LOG_ERROR, "%s", d->fatal);
        rc = EXIT_FAILED;
    }
out:
    if (d->th_started) {
        begin_stop(d, "error", 1);
        pthread_join(d->th, NULL);
    }
    bd_source_server_free(d->src);
    bd_kafka_free(d->k); /* runs no callbacks: the loop may go after it */
    if (d->loop) ev_loop_destroy(d->loop);
    bd_acks_free(d->acks);
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
    bd_enc_cache_init(&d->cache);
    bd_buf_init(&d->held_val);
    bd_buf_init(&d->held_key);
    int rc = daemon_run(d);
    if (d->live != &d->cfg) {
        bd_config_release(d->live);
        free(d->live);
    }
    bd_enc_cache_release(&d->cache);
    bd_buf_release(&d->held_val);
    bd_buf_release(&d->held_key);
    if (d->lock_fd >= 0) close(d->lock_fd);
    pthread_mutex_destroy(&d->log_mu);
    pthread_mutex_destroy(&d->cfg_mu);
    pthread_mutex_destroy(&d->stop_mu);
    bd_config_release(&d->cfg);
    free(d);
    return rc;
}
