/* cmd_run.c - `binlogd run -c FILE`: the daemon.
 *
 * This file holds the arguments and the wiring: the state directory and
 * its lock, the start position, the Kafka sink (run_state.c), the lag
 * tracker and the gates (run_alerts.c), the publish stage and the source
 * (run_data.c), the monitor and the loop; signals and reload; the stop and
 * its summary.  run.h describes the daemon's threads and which lock
 * guards what.
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
#include "binlogd/lag.h"
#include "binlogd/parse.h"
#include "binlogd/publish.h"
#include "binlogd/sink_kafka.h"
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

void run_fail(bd_daemon *d, const char *fmt, ...)
{
    /* a standby whose producer was fenced: another instance has the turn,
     * and what fails now is a consequence; it waits again */
    if (d->member && d->sink && bd_ksink_fenced(d->sink) && !atomic_exchange(&d->demoted, 1)) {
        char why[BD_ERRLEN];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, sizeof why, fmt, ap);
        va_end(ap);
        dlog(d, BD_LOG_WARNING,
             "another instance of source %s took over: this one was fenced (%s); it stops "
             "publishing and waits as a standby",
             d->cfg.source_name, why);
    }
    if (atomic_load(&d->demoted)) {
        if (d->loop) ev_async_send(d->loop, &d->wake);
        return;
    }
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

static void stop_now(bd_daemon *d)
{
    atomic_store(&d->stopping, STOP_NOW);
    bd_source_server_interrupt(d->src);
    bd_ksink_stop(d->sink);
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

void run_stop_now(bd_daemon *d) { begin_stop(d, "this instance lost its turn", 1); }

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
    /* a first start waits for its first checkpoint: now, not a timer later */
    if (atomic_load(&d->first_wait)) run_write_checkpoint(d, 0);
    if (atomic_load(&d->connected) && !d->ready_sent) {
        d->ready_sent = 1;
        dlog(d, BD_LOG_INFO, "connected to %s:%u (%s); publishing", d->cfg.host, d->cfg.port,
             d->server_ident);
        sd_notify(0, "READY=1\nSTATUS=connected, publishing");
    }
    if (atomic_load(&d->failed)) begin_stop(d, "error", 1);
    if (atomic_load(&d->demoted)) begin_stop(d, "this instance lost its turn", 1);
    if (atomic_load(&d->data_done)) ev_break(loop, EVBREAK_ALL);
}

static void alerter_log(void *ctx, int level, const char *msg)
{
    dlog(ctx, level, "alert webhook: %s", msg);
}
void run_monitor_log(void *ctx, int level, const char *msg)
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
    bd_ksink_set_oversize_skip(d->sink, n->oversize == BD_OVERSIZE_SKIP);
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
    fprintf(f, "usage: binlogd run -c FILE [--start POSITION]\n"
               "\n"
               "Read the source server's binlog as a replica and publish every row change to\n"
               "Kafka (one message per row, docs/format.md), checkpointing only what Kafka\n"
               "acknowledged (with [kafka] exactly_once: in the same Kafka transaction).  The\n"
               "position is kept in [state] dir and in [kafka] state_topic; Kafka's wins.\n"
               "Runs until SIGTERM/SIGINT (drain, checkpoint, exit 0); SIGHUP reloads the\n"
               "options marked reloadable.  Under systemd: Type=notify, watchdog.\n"
               "\n"
               "  -c, --config FILE     the configuration (docs/config.md)\n"
               "  --start POSITION      where to start when no position is found anywhere,\n"
               "                        for this start only: oldest, head, FILE[:POS] or\n"
               "                        gtid:SET.  Needed when the source's topics already\n"
               "                        hold messages but its position was lost (refused\n"
               "                        when a position exists)\n"
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

/* Where to start: the checkpoint (exactly once: the state topic's, kc
 * when have_kc, before the local mirror), else [source] start.  Fills c. */
static int start_position(bd_daemon *d, bd_server_opts *o, bd_checkpoint *c,
                          const bd_checkpoint *kc, int have_kc, char **from_copy)
{
    bd_err err = {0};
    int r = bd_checkpoint_read(d->ckpt_path, c, &err);
    if (r < 0 && !have_kc) {
        dlog(d, BD_LOG_ERROR, "%s", err.msg);
        return -1;
    }
    const char *from = d->ckpt_path;
    if (have_kc) {
        int cmp = 0, same = r == 0 && !strcmp(c->server, kc->server);
        if (same) {
            bd_binpos lp = {0}, kp = {0};
            snprintf(lp.file, sizeof lp.file, "%.*s", (int)sizeof lp.file - 1, c->file);
            snprintf(kp.file, sizeof kp.file, "%.*s", (int)sizeof kp.file - 1, kc->file);
            lp.pos = c->pos;
            kp.pos = kc->pos;
            cmp = bd_binpos_cmp(&lp, &kp);
        }
        if (!d->eos && same && cmp > 0) {
            /* at least once: both are acknowledged positions; the state
             * topic's record is produced after the file and may be lost */
            dlog(d, BD_LOG_INFO,
                 "the state topic %s says %s:%llu, the local checkpoint is further: resuming "
                 "from it",
                 d->cfg.state_topic, kc->file, (unsigned long long)kc->pos);
        } else {
            /* a mirror behind the topic is what a crash leaves (it is
             * written every checkpoint_interval); ahead of it, or of
             * another server, it is not this source's history */
            if (r == 0 && !(same && cmp == 0))
                dlog(d, same && cmp < 0 ? BD_LOG_INFO : BD_LOG_WARNING,
                     "the local checkpoint %s says %s:%llu (%s), the state topic %s says %s:%llu "
                     "(%s): the state topic wins (the local file is a mirror%s)",
                     d->ckpt_path, c->file, (unsigned long long)c->pos, c->server,
                     d->cfg.state_topic, kc->file, (unsigned long long)kc->pos, kc->server,
                     same && cmp < 0 ? ", written every checkpoint_interval" : "");
            else if (r < 0)
                dlog(d, BD_LOG_WARNING, "%s: the state topic's position is used", err.msg);
            *c = *kc;
            from = d->cfg.state_topic;
            r = 0;
        }
    } else if (d->eos && r == 0) {
        dlog(d, BD_LOG_WARNING,
             "the state topic %s holds no position of source %s: resuming from the local "
             "checkpoint %s, which goes to the state topic from now on",
             d->cfg.state_topic, d->cfg.source_name, d->ckpt_path);
    }
    if (r == 0 && d->start_arg) {
        dlog(d, BD_LOG_ERROR,
             "--start %s: a position exists (%s:%llu in %s); --start only chooses where to "
             "start without one",
             d->start_arg, c->file, (unsigned long long)c->pos, from);
        return -2;
    }
    if (r == 0) {
        o->file = c->file;
        o->pos = c->pos;
        o->expect_server = c->server;
        if (d->cfg.allow_server_change && c->gtid[0]) o->failover_gtid = c->gtid;
        dlog(d, BD_LOG_INFO, "resuming from the checkpoint %s:%llu (%s) of %s", c->file,
             (unsigned long long)c->pos, c->server, from);
        return 0;
    }
    if (d->eos && r != 0)
        dlog(d, BD_LOG_INFO, "no position of source %s in %s nor in the state topic %s",
             d->cfg.source_name, d->cfg.state_dir, d->cfg.state_topic);
    if (d->used_topics && !d->start_arg) {
        /* not silently: starting anywhere would skip or repeat changes */
        dlog(d, BD_LOG_ERROR,
             "no position of source %s (not in %s, not in the state topic %s), but %d of its "
             "topics already hold messages (%s%s): the position was lost (a new host, a deleted "
             "state directory or state topic). Starting at [source] start would skip or repeat "
             "changes downstream. Choose where to resume, for this start only: binlogd run -c %s "
             "--start FILE:POS|gtid:SET|oldest|head (the last message's \"source\" block in %s "
             "says where publishing stopped)",
             d->cfg.source_name, d->cfg.state_dir, d->cfg.state_topic, d->used_topics,
             d->used_first, d->used_topics > 1 ? ", ..." : "", d->cfg.path, d->used_first);
        return -2;
    }
    const char *s = d->start_arg ? d->start_arg : d->cfg.start;
    if (!s) {
        dlog(d, BD_LOG_ERROR,
             "no position of source %s (not in %s, not in the state topic %s) and no [source] "
             "start in %s: set it (oldest, head, FILE[:POS], gtid:SET) or run once with --start",
             d->cfg.source_name, d->cfg.state_dir, d->cfg.state_topic, d->cfg.path);
        return -2;
    }
    if (!strcmp(s, "oldest")) {
    } else if (!strcmp(s, "head")) {
        o->from_head = 1;
    } else if (!strncmp(s, "gtid:", 5)) {
        o->gtid = s + 5;
    } else {
        bd_binpos p; /* checked when the config was loaded, or --start */
        if (bd_binpos_parse(s, &p) < 0 || !(*from_copy = strdup(p.file))) return -1;
        o->pos = p.pos;
        o->file = *from_copy;
    }
    dlog(d, d->start_arg ? BD_LOG_WARNING : BD_LOG_INFO,
         "no position of source %s: starting at %s%s", d->cfg.source_name, s,
         d->start_arg ? ", as --start says" : "");
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
    for (size_t i = 0; i < d->nk; i++) {
        ev_io_init(&d->kafka_io[i], run_kafka_cb, bd_kafka_fd(d->k[i]), EV_READ);
        d->kafka_io[i].data = d;
        ev_io_start(d->loop, &d->kafka_io[i]);
    }
    double iv = d->cfg.checkpoint_interval_ms / 1000.0;
    ev_timer_init(&d->ckpt_timer, run_ckpt_cb, iv, iv);
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
    ev_timer_init(&d->acked_timer, run_acked_timer_cb, 0.005, 0);
    d->acked_timer.data = d;
    if (d->member) {
        /* a standby's turn: rebalances served, a lost partition noticed */
        ev_timer_init(&d->member_timer, run_member_cb, 0.1, 0.1);
        d->member_timer.data = d;
        ev_timer_start(d->loop, &d->member_timer);
    }
    ev_timer_init(&d->eval_timer, run_eval_cb, EVAL_INTERVAL_S, EVAL_INTERVAL_S);
    d->eval_timer.data = d;
    ev_timer_start(d->loop, &d->eval_timer);
    if (d->cfg.http_listen && *d->cfg.http_listen) {
        bd_http_opts ho;
        run_http_opts(d, &ho);
        d->http = bd_http_start(d->loop, d->cfg.http_listen, &ho, run_http_handler, d, err);
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
    bd_checkpoint *c = calloc(1, sizeof *c), *kc = calloc(1, sizeof *kc);
    char *from_copy = NULL;
    int rc = EXIT_FAILED, have_kc = 0;
    if (!c || !kc) {
        free(c);
        free(kc);
        return EXIT_FAILED;
    }
    if (state_setup(d) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    if (cli_server_opts(&d->cfg, &o, pw, sizeof pw, msg, sizeof msg) < 0) {
        dlog(d, BD_LOG_ERROR, "%s", msg);
        rc = EXIT_USAGE;
        goto out;
    }
    if (d->cfg.standby) {
        /* wait for this instance's turn (run_standby.c) */
        int w = run_standby_wait(d, &o);
        if (w != 0) {
            rc = w > 0 ? EXIT_OK : EXIT_FAILED;
            goto out;
        }
    }
    int sn = run_sink_new(d, kc, &have_kc, &err);
    if (sn < 0 && d->sink && !d->eos && access(d->ckpt_path, F_OK) == 0) {
        /* at least once, Kafka unreachable now: the local checkpoint says
         * where to resume, and the producer waits for Kafka */
        dlog(d, BD_LOG_WARNING, "%s; resuming from the local checkpoint", err.msg);
        have_kc = 0;
        d->used_topics = 0;
    } else if (sn < 0) {
        dlog(d, BD_LOG_ERROR, "%s: %s", d->cfg.path, err.msg);
        /* a setting librdkafka refused; else Kafka (exactly once: the
         * transactions, the state topic) */
        rc = !d->sink && (err.code == BD_ERR_IO || err.code == BD_ERR_UNSUPPORTED) ? EXIT_USAGE
                                                                                   : EXIT_FAILED;
        goto out;
    }
    int sp = start_position(d, &o, c, kc, have_kc, &from_copy);
    d->fresh = !c->file[0];
    if (sp < 0) {
        if (sp == -2) rc = EXIT_USAGE; /* told where to start, it starts */
        goto out;
    }
    if (run_sink_start(d, c, &err) < 0) {
        dlog(d, BD_LOG_ERROR, "%s: %s", d->cfg.path, err.msg); /* the checkpoint's GTID set */
        goto out;
    }
    o.follow = 1;
    o.retry_first = 1; /* a source down at boot: wait for it (the log says so) */
    o.schema_history = d->hist_path;
    o.log = src_log;
    /* a head confirmation counts for two polls and a second */
    d->lag = bd_lag_new((int64_t)c->commit_us, 2 * (int64_t)d->cfg.head_poll_ms * 1000 + 1000000);
    if (!d->lag || run_gates_setup(d) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    if (c->server[0]) {
        snprintf(d->server_ident, sizeof d->server_ident, "%s", c->server);
        atomic_store(&d->have_ident, 1);
    }
    {
        /* the snapshots' progress: the checkpoint resumed from (at least
         * once, the local file or the state topic's mirror of it); exactly
         * once, the local file's (the state topic's records do not carry it;
         * the file is never ahead of them, so at worst chunks are read again) */
        bd_checkpoint *lc = d->eos ? calloc(1, sizeof *lc) : NULL;
        bd_err lerr = {0};
        int lr = lc ? bd_checkpoint_read(d->ckpt_path, lc, &lerr) : -1;
        int si = run_snapshot_init(d, !d->eos ? c : lr == 0 ? lc : NULL, &o);
        free(lc);
        if (si < 0) {
            rc = EXIT_USAGE;
            goto out;
        }
    }
    if (run_data_source(d, &o, &err) < 0 && err.code == BD_ERR_NOMEM) {
        dlog(d, BD_LOG_ERROR, "out of memory");
        goto out;
    }
    if (d->src) {
        bd_monitor_opts mo = {&d->cfg,         &o, d->lag, d->gate_tables, d->ngate_tables,
                              run_monitor_log, d,  0};
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
    int te = pthread_create(&d->th, NULL, run_data_main, d);
    if (!te) pthread_setname_np(d->th, "bd-data");
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (te) {
        dlog(d, BD_LOG_ERROR, "cannot start the data thread: %s", strerror(te));
        goto out;
    }
    d->th_started = 1;
    if (run_snapshot_start(d) < 0) goto out;

    ev_run(d->loop, 0);

    /* the data thread has ended (stop, error or end of stream) */
    begin_stop(d, atomic_load(&d->failed) ? "error" : "the source stopped", 1);
    pthread_join(d->th, NULL);
    d->th_started = 0;
    run_snapshot_stop(d); /* its last chunk's window ended with the data thread */
    if (d->src_result == BD_SERVER_ERROR && !(d->src_err.code == BD_ERR_CALLBACK)) {
        run_fail(d, "source: %s", d->src_err.msg);
        d->schema_stop = d->src_err.code == BD_ERR_UNKNOWN_SCHEMA;
    }
    if (bd_ksink_flush(d->sink, FLUSH_TIMEOUT_MS, &err) < 0)
        run_fail(d, "stopping: %s; the checkpoint stays before them", err.msg);
    run_acked_progress(d);
    run_write_checkpoint(d, 1);
    {
        run_flight fl;
        run_flight_get(d, &fl);
        if (!fl.file[0]) /* the source never gave a position (e.g. it refused the login) */
            dlog(d, BD_LOG_INFO, "stopped before reading anything: nothing published");
        else
            dlog(d, BD_LOG_INFO,
                 "stopped at %s:%llu: %llu row changes published (%llu filtered out, %llu "
                 "oversize skipped, %llu statements skipped); %llu messages acknowledged",
                 fl.file, (unsigned long long)fl.pos, (unsigned long long)d->rows,
                 (unsigned long long)d->skipped_rows, (unsigned long long)fl.kc.oversize_skipped,
                 (unsigned long long)atomic_load(&d->statements_skipped),
                 (unsigned long long)fl.p.delivered);
    }
    rc = EXIT_OK;
    if (atomic_load(&d->failed)) {
        dlog(d, BD_LOG_ERROR, "%s", d->fatal);
        rc = atomic_load(&d->statement_stop) || atomic_load(&d->columns_stop) || d->schema_stop
                 ? EXIT_NOT_EXACT
                 : EXIT_FAILED;
    }
out:
    if (d->th_started) {
        begin_stop(d, "error", 1);
        pthread_join(d->th, NULL);
    }
    run_snapshot_free(d);
    bd_monitor_stop(d->mon);
    d->mon = NULL; /* the clock goes on without the measured offset */
    if (d->alerter) {
        /* resolved and firing states reach the receiver before the exit */
        run_eval_alerts(d);
        bd_alerter_free(d->alerter, 3000);
    }
    bd_http_stop(d->http);
    bd_kafka_admin_free(d->member); /* leaves the group: a standby's turn now */
    d->member = NULL;
    bd_source_server_free(d->src);
    bd_pub_free(d->pub);
    bd_ksink_free(d->sink); /* runs no callbacks: the loop may go after it */
    if (d->loop) ev_loop_destroy(d->loop);
    bd_lag_free(d->lag);
    run_gates_free(d);
    free(from_copy);
    free(c);
    free(kc);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"start", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *path = NULL, *start = NULL;
    int c;
    optind = 1;
    while ((c = cli_getopt("run", argc, argv, "c:h", opts)) != -1) {
        switch (c) {
        case 'c': path = optarg; break;
        case 's': start = optarg; break;
        case 'h': run_usage(stdout); return EXIT_OK;
        default: return EXIT_USAGE; /* cli_getopt said why */
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
    char why[400];
    if (start && bd_config_start_check("--start", start, why, sizeof why)) {
        fprintf(stderr, "binlogd run: %s\n", why);
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
    d->start_arg = start;
    d->journal = getenv("JOURNAL_STREAM") != NULL;
    atomic_store(&d->log_level, d->cfg.log_level);
    d->live = &d->cfg;
    pthread_mutex_init(&d->log_mu, NULL);
    pthread_mutex_init(&d->cfg_mu, NULL);
    pthread_mutex_init(&d->stop_mu, NULL);
    pthread_mutex_init(&d->probe_mu, NULL);
    pthread_mutex_init(&d->dl_mu, NULL);
    d->probe_lag_s = NAN;
    int rc = daemon_run(d);
    int again = atomic_load(&d->demoted) && rc == EXIT_OK;
    if (d->live != &d->cfg) {
        bd_config_release(d->live);
        free(d->live);
    }
    if (d->lock_fd >= 0) close(d->lock_fd);
    pthread_mutex_destroy(&d->log_mu);
    pthread_mutex_destroy(&d->cfg_mu);
    pthread_mutex_destroy(&d->stop_mu);
    pthread_mutex_destroy(&d->probe_mu);
    pthread_mutex_destroy(&d->dl_mu);
    bd_config_release(&d->cfg);
    bd_col_rules_release(&d->cols);
    free(d);
    if (again) {
        /* [kafka] standby: lost the turn; wait again, as a fresh start of
         * the same command (the same pid for systemd: no exit, no restart
         * loop).  argv is main's, past the program's name. */
        fprintf(stderr, "binlogd: standby: waiting again\n");
        execv("/proc/self/exe", argv - 1);
        fprintf(stderr, "binlogd: standby: cannot start again (%s): exiting\n", strerror(errno));
        return EXIT_FAILED;
    }
    return rc;
}
