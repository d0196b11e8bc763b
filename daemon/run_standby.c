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
 * group protocol chooses; nothing here elects. */
#include <ev.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "binlogd/kafka_admin.h"
#include "binlogd/state_topic.h"
#include "http.h"
#include "run.h"

#define POLL_S 0.1
#define ENSURE_TIMEOUT_MS 30000

typedef struct waiting {
    bd_daemon *d;
    int stop;
    ev_signal term, intr, hup;
    ev_timer poll, wd;
} waiting;

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

int run_standby_wait(bd_daemon *d)
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
        http = bd_http_start(loop, d->cfg.http_listen, run_standby_http_handler, d, &err);
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
