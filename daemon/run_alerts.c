/* run_alerts.c - the daemon's alert rules (see run.h): evaluated on the loop
 * thread every 0.25 s and once more at the stop, each alert is raised, kept
 * or resolved in d->alerts (which /metrics and /status show), logged when
 * it changes, and handed to the webhook's sender (lib/observe/alert.c).
 */
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "binlogd/checkpoint.h"
#include "binlogd/config.h"
#include "binlogd/lag.h"
#include "binlogd/tz.h"
#include "run.h"

static void send_alert(bd_daemon *d, const alert_state *a)
{
    if (!d->alerter) return;
    char source[300];
    snprintf(source, sizeof source, "%s:%u", d->cfg.host, d->cfg.port);
    const char *labels[] = {"alertname", a->name,  "subject",          a->subject, "severity",
                            a->severity, "source", d->cfg.source_name, "instance", source};
    bd_alert al = {labels, 5, a->summary, a->summary, a->firing, a->starts_us, a->ends_us};
    bd_alerter_update(d->alerter, &al);
}

/* One alert's condition now: raise it, keep it, or resolve it. */
static void alert_eval(bd_daemon *d, int64_t now, const char *name, const char *subject,
                       const char *severity, int firing, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
static void alert_eval(bd_daemon *d, int64_t now, const char *name, const char *subject,
                       const char *severity, int firing, const char *fmt, ...)
{
    alert_state *a = NULL;
    for (size_t i = 0; i < d->nalerts; i++)
        if (!strcmp(d->alerts[i].name, name) && !strcmp(d->alerts[i].subject, subject))
            a = &d->alerts[i];
    if (!a) {
        if (!firing || d->nalerts == ALERTS_MAX) return;
        a = &d->alerts[d->nalerts++];
        memset(a, 0, sizeof *a);
        snprintf(a->name, sizeof a->name, "%s", name);
        snprintf(a->subject, sizeof a->subject, "%s", subject);
        snprintf(a->severity, sizeof a->severity, "%s", severity);
    }
    if (firing) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(a->summary, sizeof a->summary, fmt, ap);
        va_end(ap);
    }
    if (firing == a->firing) return;
    a->firing = firing;
    if (firing) {
        a->starts_us = now;
        a->ends_us = 0;
        dlog(d, BD_LOG_ERROR, "alert %s (%s) firing: %s", name, subject, a->summary);
    } else {
        a->ends_us = now;
        dlog(d, BD_LOG_INFO, "alert %s (%s) resolved", name, subject);
    }
    send_alert(d, a);
}

void run_eval_alerts(bd_daemon *d)
{
    int64_t now = src_now(d);
    int64_t wall = bd_now_us();
    bd_lag_report r;
    bd_lag_report_make(d->lag, now, &r);
    const bd_config *c = &d->cfg;
    pthread_mutex_lock(&d->cfg_mu);
    double alert_lag = d->live->alert_lag_s, retention = d->live->retention_alert_s,
           stall = d->live->kafka_stall_alert_s, disc = d->live->disconnect_alert_s;
    int stage = d->live->alert_stage;
    pthread_mutex_unlock(&d->cfg_mu);

    const bd_lag_stage_report *st = &r.stage[stage];
    /* before the first head poll the lag is not known (the disconnect
     * alert covers a source that cannot be reached) */
    alert_eval(d, now, "BinlogdLagHigh", bd_stage_name((enum bd_stage)stage), "warning",
               alert_lag > 0 && !isinf(r.head_poll_age_s) && st->lag_s > alert_lag,
               "%s lag is %.1f s (threshold %.0f s): the oldest change not %s is that old",
               bd_stage_name((enum bd_stage)stage), st->lag_s, alert_lag,
               bd_stage_name((enum bd_stage)stage));
    alert_eval(d, now, "BinlogdRetentionHeadroomLow", "checkpoint", "critical",
               retention > 0 && r.retention_headroom_s < retention,
               "the binlog file the checkpoint needs may be purged by the server in %.0f s "
               "(threshold %.0f s): catch up, or raise the server's binlog_expire_logs_seconds",
               r.retention_headroom_s, retention);

    int connected = atomic_load(&d->connected);
    if (connected)
        d->disconnected_since = 0;
    else if (!d->disconnected_since)
        d->disconnected_since = wall;
    char src[300];
    snprintf(src, sizeof src, "%s:%u", c->host, c->port);
    alert_eval(d, now, "BinlogdSourceDisconnected", src, "critical",
               disc > 0 && !connected && d->ready_sent &&
                   (double)(wall - d->disconnected_since) / 1e6 >= disc,
               "the binlog stream from %s is down for %.0f s (retrying)", src,
               (double)(wall - d->disconnected_since) / 1e6);
    run_flight fl;
    run_flight_get(d, &fl);
    double ack_age = fl.p.in_flight && d->last_ack_us ? (double)(wall - d->last_ack_us) / 1e6 : 0;
    alert_eval(d, now, "BinlogdKafkaNotAcknowledging", "kafka", "critical",
               (stall > 0 && ack_age >= stall) || fl.p.stuck,
               fl.p.stuck ? "a message Kafka did not take holds the checkpoint"
                          : "%llu messages wait and Kafka acknowledged none for %.0f s",
               (unsigned long long)fl.p.in_flight, ack_age);

    unsigned long long inc = atomic_load(&d->incidents);
    char at[600];
    pthread_mutex_lock(&d->log_mu);
    snprintf(at, sizeof at, "%s", d->incident_at);
    pthread_mutex_unlock(&d->log_mu);
    alert_eval(d, now, "BinlogdIncidentEvent", "binlog", "critical", inc > d->incidents_cleared,
               "%llu INCIDENT event(s) in the binlog, the last at %s: the source may have lost "
               "changes",
               inc, at);

    /* row changes logged as statements: the one that stopped the daemon,
     * or each one skipped (every new one is sent again while it fires) */
    unsigned long long skipped = atomic_load(&d->statements_skipped);
    pthread_mutex_lock(&d->log_mu);
    snprintf(at, sizeof at, "%s", d->statement_at);
    pthread_mutex_unlock(&d->log_mu);
    char sum[800];
    int stopped_stmt = atomic_load(&d->statement_stop);
    if (stopped_stmt)
        snprintf(sum, sizeof sum,
                 "stopped at a row change the binlog holds only as a statement: %s", at);
    else
        snprintf(sum, sizeof sum,
                 "%llu row change(s) logged as statements skipped (on_statement = skip), the "
                 "last: %s",
                 skipped - d->statements_cleared, at);
    const alert_state *sa = NULL;
    for (size_t i = 0; i < d->nalerts; i++)
        if (!strcmp(d->alerts[i].name, "BinlogdStatementChange")) sa = &d->alerts[i];
    int was_firing = sa && sa->firing;
    alert_eval(d, now, "BinlogdStatementChange", "binlog", "critical",
               stopped_stmt || skipped > d->statements_cleared, "%s", sum);
    if (skipped != d->statements_sent) {
        /* each statement skipped reaches the webhook, not only the first */
        d->statements_sent = skipped;
        for (size_t i = 0; was_firing && i < d->nalerts; i++)
            if (!strcmp(d->alerts[i].name, "BinlogdStatementChange") && d->alerts[i].firing)
                send_alert(d, &d->alerts[i]);
    }

    for (size_t g = 0; g < c->ngates; g++) {
        bd_gate_report gr;
        if (bd_lag_gate(d->lag, &c->gates[g], d->gate_tz[g], 0, now, &gr) < 0) continue;
        char cut[40];
        bd_time_format(cut, gr.cutoff_us);
        const char *behind = "";
        int loading = 0;
        for (size_t i = 0; i < c->gates[g].ntables; i++)
            if (!gr.tables[i].complete) {
                behind = gr.tables[i].name;
                loading = gr.tables[i].loading;
                break;
            }
        alert_eval(d, now, "BinlogdGateAtRisk", c->gates[g].name, "critical", gr.at_risk,
                   "gate %s: the job starts soon and %s is %s %s", c->gates[g].name, behind,
                   loading ? "still loading its existing rows (a snapshot), cut-off"
                           : "behind the cut-off",
                   cut);
        alert_eval(d, now, "BinlogdGateSkewed", c->gates[g].name, "warning", gr.skewed,
                   "gate %s: its tables' watermarks are %.1f s apart (tolerated %.1f s)",
                   c->gates[g].name, gr.skew_s, c->gates[g].max_skew_s);
        bd_gate_report_release(&gr);
    }
    bd_lag_report_release(&r);
}

void run_eval_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    run_eval_alerts(w->data);
}

/* The gates' zones and tables, the heartbeat table's name. */
void run_gates_free(bd_daemon *d)
{
    for (size_t g = 0; d->gate_tz && g < d->cfg.ngates; g++)
        bd_tz_free(d->gate_tz[g]);
    free(d->gate_tz);
    free(d->gate_tables);
    d->gate_tz = NULL;
    d->gate_tables = NULL;
    d->ngate_tables = 0;
}

int run_gates_setup(bd_daemon *d)
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
