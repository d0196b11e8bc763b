/* run_standby.c - [kafka] standby: several instances of one source (one
 * [source] name, other hosts) are members of one consumer group,
 * binlogd.NAME, on the state topic; the member that holds its partition 0
 * is the active instance and publishes, the others wait here.  When the
 * active one dies (its session times out) or leaves (a clean stop), the
 * group gives the partition to a standby, whose start then initialises the
 * transactional producer (fencing the old one) before it reads the
 * position: what the old one had not committed stays invisible.  An active
 * instance that loses the partition (revoked: it was cut off longer than
 * the session) or whose commit is fenced stops publishing at once and
 * waits again (cmd_run.c starts over in a fresh process image).  Kafka's
 * group protocol chooses; nothing here elects.
 *
 * While it waits, a standby answers /gates and /lag as the active instance
 * would for what it committed: a thread follows the source's checkpoint
 * record in the state topic (read_committed, from where it last read) and
 * a passive monitor polls the source's head, both into a lag tracker of
 * the standby's own.  Every stage there is the committed position: a
 * standby reads nothing itself. */
#include <ev.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "binlogd/kafka_admin.h"
#include "binlogd/state_topic.h"
#include "http.h"
#include "run.h"

#define POLL_S 0.1
#define ENSURE_TIMEOUT_MS 30000

#define FOLLOW_TIMEOUT_MS 5000
#define FOLLOW_BUDGET_MS 200 /* a read of the state topic, at most */

typedef struct waiting {
    bd_daemon *d;
    int stop;
    ev_signal term, intr, hup;
    ev_timer poll, wd;
} waiting;

/* The thread that follows the active instance's checkpoint. */
typedef struct follower {
    bd_daemon *d;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, started;
} follower;

/* Record c as the position every stage has reached (the no-th). */
static void feed(bd_daemon *d, const bd_checkpoint *c, uint64_t no)
{
    int64_t cu = (int64_t)c->commit_us;
    /* a start position has no commit time: a head poll confirms it */
    if (cu) bd_lag_read_txn(d->lag, no, cu);
    bd_lag_read_pos(d->lag, c->file, c->pos, cu);
    bd_lag_acked(d->lag, no, c->file, c->pos);
    bd_lag_durable(d->lag, no, c->file, c->pos);
    pthread_mutex_lock(&d->cfg_mu);
    d->standby_ckpt = *c;
    d->standby_ckpt_at = bd_now_us();
    pthread_mutex_unlock(&d->cfg_mu);
}

static void *follow_main(void *arg)
{
    follower *f = arg;
    bd_daemon *d = f->d;
    bd_err err = {0};
    bd_checkpoint *c = calloc(1, sizeof *c);
    bd_kafka_admin *ka =
        c ? bd_kafka_admin_new_reader((const char *const *)d->cfg.kafka, d->cfg.nkafka, &err)
          : NULL;
    if (!ka) {
        dlog(d, BD_LOG_WARNING, "standby: cannot follow the state topic %s: %s", d->cfg.state_topic,
             c ? err.msg : "out of memory");
        free(c);
        return NULL;
    }
    int64_t next = -1;
    uint64_t no = 0;
    int failing = 0;
    char file[BD_CKPT_FILE_MAX] = "";
    uint64_t pos = 0;
    pthread_mutex_lock(&f->mu);
    while (!f->stop) {
        pthread_mutex_unlock(&f->mu);
        int r = bd_state_follow(ka, d->cfg.state_topic, d->cfg.source_name, &next, c,
                                FOLLOW_TIMEOUT_MS, FOLLOW_BUDGET_MS, &err);
        if (r < 0 && !failing)
            dlog(d, BD_LOG_WARNING,
                 "standby: reading the state topic %s: %s (gates and lag here stay where the "
                 "last record put them)",
                 d->cfg.state_topic, err.msg);
        else if (r >= 0 && failing)
            dlog(d, BD_LOG_INFO, "standby: reading the state topic %s again", d->cfg.state_topic);
        failing = r < 0;
        if (r == 0 && c->file[0] && (strcmp(c->file, file) || c->pos != pos)) {
            snprintf(file, sizeof file, "%s", c->file);
            pos = c->pos;
            feed(d, c, ++no);
        }
        int64_t wake = bd_now_us() + (int64_t)d->cfg.head_poll_ms * 1000;
        struct timespec ts = {wake / 1000000, (wake % 1000000) * 1000};
        pthread_mutex_lock(&f->mu);
        if (!f->stop) pthread_cond_timedwait(&f->cv, &f->mu, &ts);
    }
    pthread_mutex_unlock(&f->mu);
    bd_kafka_admin_free(ka);
    free(c);
    return NULL;
}

static void follow_stop(follower *f)
{
    if (!f->started) return;
    pthread_mutex_lock(&f->mu);
    f->stop = 1;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->th, NULL);
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    f->started = 0;
}

/* Lag tracker, gates, head polls and the follower of a standby; -1 when
 * one cannot start (the standby then answers without them). */
static int watch_start(bd_daemon *d, const bd_server_opts *o, follower *f)
{
    bd_err err = {0};
    d->lag = bd_lag_new(0, 2 * (int64_t)d->cfg.head_poll_ms * 1000 + 1000000);
    if (!d->lag || run_gates_setup(d) < 0) return -1;
    bd_monitor_opts mo = {&d->cfg,         o, d->lag, d->gate_tables, d->ngate_tables,
                          run_monitor_log, d, 1};
    d->mon = bd_monitor_start(&mo, &err);
    if (!d->mon) {
        dlog(d, BD_LOG_WARNING, "standby: %s", err.msg);
        return -1;
    }
    f->d = d;
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL); /* CLOCK_REALTIME: the waits are wall-clock deadlines */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* signals are the loop's */
    int te = pthread_create(&f->th, NULL, follow_main, f);
    if (!te) pthread_setname_np(f->th, "bd-follow");
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (te) {
        pthread_mutex_destroy(&f->mu);
        pthread_cond_destroy(&f->cv);
        dlog(d, BD_LOG_WARNING, "standby: cannot start the state topic's follower: %s",
             strerror(te));
        return -1;
    }
    f->started = 1;
    return 0;
}

/* Everything watch_start started, so that the active run starts afresh. */
static void watch_stop(bd_daemon *d, follower *f)
{
    follow_stop(f);
    bd_monitor_stop(d->mon);
    d->mon = NULL;
    run_gates_free(d);
    bd_lag_free(d->lag);
    d->lag = NULL;
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
    (void)revents;
    waiting *s = w->data;
    if (w->signum == SIGHUP) {
        dlog(s->d, BD_LOG_INFO,
             "standby: SIGHUP: the configuration is read when this instance "
             "becomes active");
        return;
    }
    dlog(s->d, BD_LOG_INFO, "standby: stopping (%s)", strsignal(w->signum));
    s->stop = 1;
    ev_break(loop, EVBREAK_ALL);
}

static void on_poll(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)revents;
    waiting *s = w->data;
    if (bd_kafka_admin_member_poll(s->d->member)) ev_break(loop, EVBREAK_ALL);
}

static void on_wd(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)w;
    (void)revents;
    sd_notify(0, "WATCHDOG=1");
}

int run_standby_wait(bd_daemon *d, const bd_server_opts *o)
{
    bd_err err = {0};
    snprintf(d->group, sizeof d->group, "binlogd.%s", d->cfg.source_name);
    const char *const *kc = (const char *const *)d->cfg.kafka;
    /* the group needs the topic to have a partition to give */
    bd_kafka_admin *ka = bd_kafka_admin_new_reader(kc, d->cfg.nkafka, &err);
    int created = 0;
    if (!ka ||
        bd_state_topic_ensure(ka, d->cfg.state_topic, &created, ENSURE_TIMEOUT_MS, &err) < 0) {
        dlog(d, BD_LOG_ERROR, "%s: %s", d->cfg.path, err.msg);
        bd_kafka_admin_free(ka);
        return -1;
    }
    bd_kafka_admin_free(ka);
    d->member = bd_kafka_admin_member(kc, d->cfg.nkafka, d->group, d->cfg.state_topic,
                                      d->cfg.standby_timeout_ms, &err);
    if (!d->member) {
        dlog(d, BD_LOG_ERROR, "%s: %s", d->cfg.path, err.msg);
        return -1;
    }
    waiting s = {.d = d};
    follower f = {0};
    if (watch_start(d, o, &f) < 0) watch_stop(d, &f);
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    ev_signal_init(&s.term, on_signal, SIGTERM);
    ev_signal_init(&s.intr, on_signal, SIGINT);
    ev_signal_init(&s.hup, on_signal, SIGHUP);
    s.term.data = s.intr.data = s.hup.data = &s;
    ev_signal_start(loop, &s.term);
    ev_signal_start(loop, &s.intr);
    ev_signal_start(loop, &s.hup);
    ev_timer_init(&s.poll, on_poll, 0, POLL_S);
    s.poll.data = &s;
    ev_timer_start(loop, &s.poll);
    uint64_t wd_us = 0;
    if (sd_watchdog_enabled(0, &wd_us) > 0 && wd_us) {
        ev_timer_init(&s.wd, on_wd, wd_us / 2e6, wd_us / 2e6);
        ev_timer_start(loop, &s.wd);
    }
    bd_http *http = NULL;
    if (d->cfg.http_listen && *d->cfg.http_listen) {
        bd_http_opts ho;
        run_http_opts(d, &ho);
        http = bd_http_start(loop, d->cfg.http_listen, &ho, run_standby_http_handler, d, &err);
        if (!http) dlog(d, BD_LOG_WARNING, "standby: [http] listen %s", err.msg);
    }
    dlog(d, BD_LOG_INFO,
         "standby: waiting in group %s for partition 0 of %s (the instance holding it publishes "
         "source %s)",
         d->group, d->cfg.state_topic, d->cfg.source_name);
    sd_notifyf(0, "READY=1\nSTATUS=standby: waiting in group %s for the state topic %s", d->group,
               d->cfg.state_topic);
    ev_run(loop, 0);
    bd_http_stop(http);
    watch_stop(d, &f);
    /* a signal stays tied to its loop until its watcher stops: the run's
     * loop takes them next */
    ev_signal_stop(loop, &s.term);
    ev_signal_stop(loop, &s.intr);
    ev_signal_stop(loop, &s.hup);
    ev_loop_destroy(loop);
    if (s.stop) return 1;
    dlog(d, BD_LOG_INFO, "active: this instance holds partition 0 of %s in group %s",
         d->cfg.state_topic, d->group);
    return 0;
}

void run_member_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    bd_daemon *d = w->data;
    if (bd_kafka_admin_member_poll(d->member) || atomic_load(&d->demoted)) return;
    dlog(d, BD_LOG_WARNING,
         "standby: this instance lost partition 0 of %s in group %s (cut off longer than "
         "standby_timeout, or the group rebalanced): it stops publishing at once and waits "
         "again",
         d->cfg.state_topic, d->group);
    atomic_store(&d->demoted, 1);
    run_stop_now(d);
}
