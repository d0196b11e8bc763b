/* run_state.c - the daemon's loop side of delivery: the Kafka sink's
 * reports (served by the loop: run_kafka_cb), the acknowledged watermark
 * and the consumer lag's offsets, and the checkpoint written at what Kafka
 * acknowledged whole (run_ckpt_cb).  run.h says which thread owns what. */
#include <ev.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "binlogd/acks.h"
#include "binlogd/checkpoint.h"
#include "binlogd/kafka_admin.h"
#include "binlogd/lag.h"
#include "binlogd/schema_history.h"
#include "binlogd/sink_kafka.h"
#include "binlogd/state_topic.h"
#include "run.h"

#define RING_TXNS 65536
/* init_transactions waits for an older instance's open transaction */
#define TXN_INIT_TIMEOUT_MS 120000
#define STATE_TIMEOUT_MS 30000

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

/* ---- main thread ------------------------------------------------------- */

void run_write_checkpoint(bd_daemon *d, int force)
{
    bd_acks_pos p;
    bd_checkpoint *c = calloc(1, sizeof *c);
    bd_buf g = BD_BUF_INIT;
    if (!c) return;
    bd_acks_position(d->acks, &p, c->file, sizeof c->file, &c->pos, &g);
    /* the snapshots' chunks in the records retired so far are done: their
     * progress is written with this position (and a change of it alone,
     * a request or a cancel, is worth a write) */
    uint64_t sgen = 0;
    if (d->snap) {
        bd_snap_acked(d->snap, p.retired);
        sgen = bd_snap_gen(d->snap);
    }
    int snap_moved = sgen != d->snap_written_gen;
    if (!atomic_load(&d->have_ident) || !c->file[0] ||
        (p.seq == d->written_seq && !snap_moved && !force && !d->ckpt_failing)) {
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
    if (d->snap) {
        bd_buf sb = BD_BUF_INIT;
        bd_snap_progress_json(d->snap, &sb);
        if (sb.len >= sizeof c->snapshot) {
            /* never a checkpoint that forgets a snapshot: the old one stays */
            run_fail(d,
                     "the snapshots' progress (%zu bytes) does not fit in the checkpoint "
                     "(%d): fewer tables per snapshot",
                     sb.len, BD_CKPT_SNAP_MAX);
            bd_buf_release(&sb);
            bd_buf_release(&g);
            free(c);
            return;
        }
        if (sb.len) memcpy(c->snapshot, sb.ptr, sb.len + 1);
        bd_buf_release(&sb);
    }
    bd_err err = {0};
    if (bd_checkpoint_write(d->ckpt_path, c, &err) < 0 && d->eos) {
        /* exactly once: the position lives in the state topic; the file
         * is a mirror for inspection, so reading goes on */
        if (!d->ckpt_failing)
            dlog(d, BD_LOG_WARNING,
                 "%s: the local mirror of the checkpoint is not updated "
                 "(the state topic %s holds the position)",
                 err.msg, d->cfg.state_topic);
        d->ckpt_failing = 1;
        d->written_seq = p.seq;
        bd_lag_durable(d->lag, p.retired, c->file, c->pos);
    } else if (err.msg[0]) {
        if (!d->ckpt_failing)
            dlog(d, BD_LOG_ERROR,
                 "%s: the previous checkpoint stays; reading paused until the checkpoint can "
                 "be written (retried every %u ms)",
                 err.msg, d->cfg.checkpoint_interval_ms);
        d->ckpt_failing = 1;
        bd_acks_hold(d->acks, 1);
        /* at the stop this was the last chance: say so in the exit status */
        if (force) run_fail(d, "the final checkpoint was not written: %s", err.msg);
    } else {
        d->written_seq = p.seq;
        d->snap_written_gen = sgen;
        bd_lag_durable(d->lag, p.retired, c->file, c->pos);
        dlog(d, BD_LOG_DEBUG, "checkpoint %s:%llu", c->file, (unsigned long long)c->pos);
        if (atomic_exchange(&d->first_wait, 0)) bd_acks_hold(d->acks, 0); /* the first one */
        /* at least once: mirrored to the state topic, for another host */
        if (bd_ksink_mirror(d->sink, c, &err) < 0 && !d->mirror_failing)
            dlog(d, BD_LOG_WARNING, "%s: the state topic's position lags the local checkpoint",
                 err.msg);
        d->mirror_failing = err.code != BD_OK;
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

/* Offset -> commit time, for the consumer groups' lag.  Reports come by
 * the million: the table of the last topic is kept, and a run of messages
 * of one partition within one commit millisecond is told to the tracker
 * once (its last offset, at the end of the batch of reports). */
static void flush_delivered(bd_daemon *d)
{
    pthread_mutex_lock(&d->dl_mu);
    if (d->dl_pending) {
        bd_lag_delivered(d->lag, d->dl_table, d->dl_partition, d->dl_offset, d->dl_commit);
        d->dl_pending = 0;
    }
    pthread_mutex_unlock(&d->dl_mu);
}

static void note_delivered_locked(bd_daemon *d, const bd_kafka_report *r)
{
    /* the name's pointer is the producer's topic handle's: stable */
    if (r->topic != d->dl_topic_ptr && (!d->dl_topic[0] || strcmp(d->dl_topic, r->topic) != 0)) {
        if (d->dl_pending) {
            bd_lag_delivered(d->lag, d->dl_table, d->dl_partition, d->dl_offset, d->dl_commit);
            d->dl_pending = 0;
        }
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
    if (d->dl_pending) {
        bd_lag_delivered(d->lag, d->dl_table, d->dl_partition, d->dl_offset, d->dl_commit);
        d->dl_pending = 0;
    }
    bd_lag_delivered(d->lag, d->dl_table, r->partition, r->offset, commit);
    d->dl_partition = r->partition;
    d->dl_offset = r->offset;
    d->dl_commit = commit;
}

static void note_delivered(bd_daemon *d, const bd_kafka_report *r)
{
    pthread_mutex_lock(&d->dl_mu);
    note_delivered_locked(d, r);
    pthread_mutex_unlock(&d->dl_mu);
}

/* A delivery report (the sink counts it against its transaction right
 * after): the consumer lag's offsets, and a message Kafka did not take
 * stops the daemon. */
static void on_report(void *ctx, const bd_kafka_report *r, int ok)
{
    bd_daemon *d = ctx;
    /* run_kafka_cb notes the time: once a batch, not a message */
    atomic_store_explicit(&d->reports, 1, memory_order_relaxed);
    /* a refusal skipped (oversize = skip) has no offset to note */
    if (r->err == 0 && r->topic) note_delivered(d, r);
    if (!ok && r->fenced && d->member) {
        /* standby: another instance took over; this one waits again */
        if (!atomic_exchange(&d->demoted, 1))
            dlog(d, BD_LOG_WARNING,
                 "another instance of source %s took over (transactional.id %s): this one was "
                 "fenced; it stops publishing and waits as a standby",
                 d->cfg.source_name, d->txn_id);
        ev_async_send(d->loop, &d->wake);
        return;
    }
    if (!ok) {
        run_fail(d,
                 "Kafka did not take a row change for %s: %s; the checkpoint stays before its "
                 "transaction, so a restart publishes it again",
                 r->topic ? r->topic : "?", r->errstr ? r->errstr : "delivery failed");
        ev_async_send(d->loop, &d->wake);
    }
}

static int stopping_now(void *ctx)
{
    return atomic_load(&((bd_daemon *)ctx)->stopping) == STOP_NOW;
}

/* What Kafka acknowledged moves the acked watermark and ends probes. */
void run_acked_progress(bd_daemon *d)
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
    bd_ksink_poll(d->sink);
    if (atomic_exchange(&d->reports, 0)) d->last_ack_us = bd_now_us();
}

void run_kafka_cb(struct ev_loop *loop, ev_io *w, int revents)
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
        run_acked_progress(d);
    } else if (!ev_is_active(&d->acked_timer)) {
        /* the last batch of a burst is counted 5 ms later at the latest */
        ev_timer_set(&d->acked_timer, 0.005, 0);
        ev_timer_start(loop, &d->acked_timer);
    }
}

void run_acked_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)revents;
    bd_daemon *d = w->data;
    d->acked_at = ev_now(loop);
    run_acked_progress(d);
}

void run_ckpt_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    bd_daemon *d = w->data;
    poll_kafka(d); /* reports that raced the fd */
    run_acked_progress(d);
    run_write_checkpoint(d, 0);
}

/* One of this source's topics (not the state topic)? */
static int topic_of_source(void *ctx, const char *topic)
{
    bd_daemon *d = ctx;
    return strcmp(topic, d->cfg.state_topic) && bd_config_topic_of_source(&d->cfg, topic);
}

/* The position in the state topic (exactly once: after fencing). */
static int state_load(bd_daemon *d, bd_checkpoint *kc, int *have_kc, bd_err *err)
{
    if (d->eos) {
        dlog(d, BD_LOG_INFO,
             "exactly once: initialising transactions as %s and %s (fences any older instance "
             "of this source)",
             bd_ksink_txn_id(d->sink, 0), bd_ksink_txn_id(d->sink, 1));
        if (bd_ksink_txn_init(d->sink, TXN_INIT_TIMEOUT_MS, err) < 0) return -1;
    }
    bd_kafka_admin *ka =
        bd_kafka_admin_new_reader((const char *const *)d->cfg.kafka, d->cfg.nkafka, err);
    if (!ka) return -1;
    int created = 0;
    int rc = bd_state_topic_ensure(ka, d->cfg.state_topic, &created, STATE_TIMEOUT_MS, err);
    if (rc == 0 && created)
        dlog(d, BD_LOG_INFO, "created the state topic %s (one partition, compacted)",
             d->cfg.state_topic);
    bd_state_lines lines = {0};
    if (rc == 0) {
        int r = bd_state_read(ka, d->cfg.state_topic, d->cfg.source_name, kc, &lines,
                              STATE_TIMEOUT_MS, err);
        if (r < 0)
            rc = -1;
        else
            *have_kc = r == 0;
    }
    /* the schema history another host wrote, for a MINIMAL/NO_LOG backlog */
    size_t added = 0;
    if (rc == 0 && lines.n &&
        bd_schema_history_merge(d->hist_path, *have_kc ? kc->server : NULL,
                                (const char *const *)lines.line, lines.len, lines.n, &added,
                                err) < 0)
        rc = -1;
    if (rc == 0 && added)
        dlog(d, BD_LOG_INFO, "schema history: %zu lines from the state topic %s added to %s", added,
             d->cfg.state_topic, d->hist_path);
    bd_state_lines_release(&lines);
    if (rc == 0 && !*have_kc) {
        int n = bd_kafka_admin_used_topics(ka, topic_of_source, d, d->used_first,
                                           sizeof d->used_first, STATE_TIMEOUT_MS, err);
        if (n < 0)
            rc = -1;
        else
            d->used_topics = n;
    }
    bd_kafka_admin_free(ka);
    return rc;
}

int run_sink_new(bd_daemon *d, bd_checkpoint *kc, int *have_kc, bd_err *err)
{
    *have_kc = 0;
    bd_ksink_opts ko = {0};
    ko.ring = RING_TXNS;
    ko.start_file = "";
    ko.on_report = on_report;
    ko.log = kafka_log;
    ko.stopping = stopping_now;
    ko.ctx = d;
    d->eos = d->cfg.exactly_once;
    /* reports are served by the loop (run_kafka_cb); with exactly once a
     * commit on the data thread serves them meanwhile (kafka.h) */
    ko.threads = 1;
    ko.state_topic = d->cfg.state_topic;
    ko.source = d->cfg.source_name;
    if (d->eos) {
        snprintf(d->txn_id, sizeof d->txn_id, "binlogd.%s", d->cfg.source_name);
        ko.transactional_id = d->txn_id;
    }
    d->sink = bd_ksink_new(&d->cfg, &ko, err);
    if (!d->sink) return -1;
    d->nk = bd_ksink_producers(d->sink, d->k);
    d->acks = bd_ksink_acks(d->sink);
    return state_load(d, kc, have_kc, err);
}

int run_sink_start(bd_daemon *d, const bd_checkpoint *c, bd_err *err)
{
    if (bd_ksink_set_start(d->sink, c->file, c->pos, c->gtid, err) < 0) return -1;
    d->acks = bd_ksink_acks(d->sink);
    return 0;
}

int run_commit(bd_daemon *d, int idle)
{
    if (!d->eos) return 0;
    if (atomic_load(&d->demoted)) return -1; /* no more: another instance has the turn */
    if (!bd_ksink_commit_due(d->sink, idle, d->cfg.txn_max_ms)) return 0;
    char server[128];
    pthread_mutex_lock(&d->cfg_mu);
    snprintf(server, sizeof server, "%s", d->server_ident);
    pthread_mutex_unlock(&d->cfg_mu);
    bd_err err = {0};
    if (bd_ksink_commit(d->sink, server, &err) == 0) {
        atomic_store(&d->last_ack_us, bd_now_us());
        flush_delivered(d);
        return 0;
    }
    if (err.code == BD_ERR_FENCED && d->member) {
        /* standby: another instance has the turn; this one waits again */
        dlog(d, BD_LOG_WARNING,
             "another instance of source %s took over (transactional.id %s): this one was "
             "fenced; what it had not committed stays invisible to read_committed consumers; "
             "it stops publishing and waits as a standby",
             d->cfg.source_name, d->txn_id);
        atomic_store(&d->demoted, 1);
    } else if (err.code == BD_ERR_FENCED)
        run_fail(d,
                 "another binlogd took over this source (transactional.id %s; %s): this one was "
                 "fenced, nothing it had not committed is visible to read_committed consumers",
                 d->txn_id, err.msg);
    else
        run_fail(d,
                 "a Kafka transaction failed: %s; it was aborted, the position stays before it "
                 "and a restart publishes it again",
                 err.msg);
    return -1;
}

void run_flight_get(bd_daemon *d, run_flight *f)
{
    bd_acks_position(d->acks, &f->p, f->file, sizeof f->file, &f->pos, NULL);
    bd_ksink_counts_get(d->sink, &f->kc);
    f->commits = bd_ksink_commits(d->sink);
    f->commit_s = bd_ksink_commit_seconds(d->sink);
}
