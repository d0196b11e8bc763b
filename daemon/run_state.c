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
#include "binlogd/lag.h"
#include "binlogd/sink_kafka.h"
#include "run.h"

#define RING_TXNS 65536

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
        if (force) run_fail(d, "the final checkpoint was not written: %s", err.msg);
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

/* A delivery report (the sink counts it against its transaction right
 * after): the consumer lag's offsets, and a message Kafka did not take
 * stops the daemon. */
static void on_report(void *ctx, const bd_kafka_report *r, int ok)
{
    bd_daemon *d = ctx;
    d->reports = 1; /* run_kafka_cb notes the time: once a batch, not a message */
    /* a refusal skipped (oversize = skip) has no offset to note */
    if (r->err == 0 && r->topic) note_delivered(d, r);
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
    bd_kafka_poll(d->k);
    if (d->reports) {
        d->reports = 0;
        d->last_ack_us = bd_now_us();
    }
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

int run_sink_new(bd_daemon *d, const bd_checkpoint *c, bd_err *err)
{
    bd_ksink_opts ko = {0};
    ko.threads = 1; /* reports are served by the loop (run_kafka_cb) */
    ko.ring = RING_TXNS;
    ko.start_file = c->file;
    ko.start_pos = c->pos;
    ko.start_gtid = c->gtid;
    ko.on_report = on_report;
    ko.log = kafka_log;
    ko.stopping = stopping_now;
    ko.ctx = d;
    d->sink = bd_ksink_new(&d->cfg, &ko, err);
    if (!d->sink) return -1;
    d->k = bd_ksink_kafka(d->sink);
    d->acks = bd_ksink_acks(d->sink);
    return 0;
}

void run_flight_get(bd_daemon *d, run_flight *f)
{
    bd_acks_position(d->acks, &f->p, f->file, sizeof f->file, &f->pos, NULL);
    bd_ksink_counts_get(d->sink, &f->kc);
}
