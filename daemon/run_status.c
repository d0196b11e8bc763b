/* run_status.c - the daemon's HTTP endpoints (see run.h), served on the loop
 * thread: /metrics (Prometheus text), /status (JSON), /gates/NAME (200
 * ready, 503 not) and /lag?max=5s (200, or 429 when behind).  Each formats
 * what the daemon already knows; nothing here blocks.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binlogd/checkpoint.h"
#include "binlogd/metrics.h"
#include "run.h"

#ifndef BINLOGD_VERSION
#define BINLOGD_VERSION "0.1.0"
#endif
#define BINLOGD_VERSION_TEXT BINLOGD_VERSION

static void json_str(bd_buf *b, const char *s) { bd_buf_add_json_str(b, s, strlen(s)); }

static void metrics_text(bd_daemon *d, bd_buf *b)
{
    int64_t now = src_now(d);
    bd_lag_report r;
    bd_lag_report_make(d->lag, now, &r);
    const bd_config *c = &d->cfg;

    bd_metrics_header(b, BD_M_BUILD_INFO);
    const char *bi[] = {BINLOGD_VERSION_TEXT, c->source_name};
    bd_metrics_sample(b, BD_M_BUILD_INFO, bi, 1);
    bd_metrics_header(b, BD_M_STANDBY);
    bd_metrics_sample(b, BD_M_STANDBY, NULL, 0);
    bd_metrics_header(b, BD_M_SOURCE_CONNECTED);
    bd_metrics_sample(b, BD_M_SOURCE_CONNECTED, NULL, atomic_load(&d->connected));
    bd_metrics_header(b, BD_M_SOURCE_RECONNECTS);
    bd_metrics_sample(b, BD_M_SOURCE_RECONNECTS, NULL, (double)atomic_load(&d->pub_reconnects));
    bd_metrics_header(b, BD_M_HEAD_POLL_AGE);
    bd_metrics_sample(b, BD_M_HEAD_POLL_AGE, NULL, r.head_poll_age_s);
    bd_metrics_header(b, BD_M_CLOCK_OFFSET);
    bd_metrics_sample(b, BD_M_CLOCK_OFFSET, NULL, (double)bd_monitor_clock_offset(d->mon) / 1e6);

    static const enum bd_metric stage_metrics[] = {
        BD_M_LAG, BD_M_WATERMARK, BD_M_HEAD_DISTANCE_BYTES, BD_M_HEAD_DISTANCE_FILES};
    for (size_t m = 0; m < sizeof stage_metrics / sizeof stage_metrics[0]; m++) {
        bd_metrics_header(b, stage_metrics[m]);
        for (int s = 0; s < BD_NSTAGES; s++) {
            const char *l[] = {bd_stage_name((enum bd_stage)s)};
            double v = m == 0   ? r.stage[s].lag_s
                       : m == 1 ? (double)r.stage[s].watermark_us / 1e6
                       : m == 2 ? r.distance_bytes[s]
                                : r.distance_files[s];
            /* not known before the first head poll: no guess */
            if ((m >= 2 && v < 0) || isinf(r.head_poll_age_s)) v = NAN;
            bd_metrics_sample(b, stage_metrics[m], l, v);
        }
    }
    bd_metrics_header(b, BD_M_RETENTION_HEADROOM);
    bd_metrics_sample(b, BD_M_RETENTION_HEADROOM, NULL, r.retention_headroom_s);

    bd_metrics_header(b, BD_M_TABLE_LAG);
    for (size_t t = 0; t < r.ntables; t++)
        for (int s = 0; s < BD_NSTAGES; s++) {
            const char *l[] = {r.tables[t].db, r.tables[t].table, bd_stage_name((enum bd_stage)s)};
            bd_metrics_sample(b, BD_M_TABLE_LAG, l,
                              isinf(r.head_poll_age_s) ? NAN : r.tables[t].stage[s].lag_s);
        }
    bd_metrics_header(b, BD_M_TABLE_WATERMARK);
    for (size_t t = 0; t < r.ntables; t++)
        for (int s = 0; s < BD_NSTAGES; s++) {
            const char *l[] = {r.tables[t].db, r.tables[t].table, bd_stage_name((enum bd_stage)s)};
            bd_metrics_sample(
                b, BD_M_TABLE_WATERMARK, l,
                isinf(r.head_poll_age_s) ? NAN : (double)r.tables[t].stage[s].watermark_us / 1e6);
        }
    bd_lag_consumer_report cr[256];
    for (int m = 0; m < 2; m++) {
        enum bd_metric id = m ? BD_M_CONSUMER_WATERMARK : BD_M_CONSUMER_LAG;
        bd_metrics_header(b, id);
        for (size_t g = 0; g < c->ngates; g++) {
            const char *grp = c->gates[g].consumer_group;
            int dup = 0;
            for (size_t k = 0; grp && k < g; k++)
                dup |= c->gates[k].consumer_group && !strcmp(c->gates[k].consumer_group, grp);
            if (!grp || dup) continue;
            size_t n = bd_lag_consumer_report_make(d->lag, grp, now, cr, 256);
            for (size_t i = 0; i < n; i++) {
                const char *l[] = {grp, cr[i].db, cr[i].table};
                bd_metrics_sample(
                    b, id, l, m ? (double)cr[i].consumed.watermark_us / 1e6 : cr[i].consumed.lag_s);
            }
        }
    }
    bd_metrics_header(b, BD_M_HEARTBEAT_LAG);
    pthread_mutex_lock(&d->probe_mu);
    double hl = d->probe_lag_s;
    /* a probe still waiting is at least as late as its age */
    if (d->nprobes) {
        double pending = (double)(now - d->probes[0].ts_us) / 1e6;
        if (isnan(hl) || pending > hl) hl = pending;
    }
    pthread_mutex_unlock(&d->probe_mu);
    bd_metrics_sample(b, BD_M_HEARTBEAT_LAG, NULL, hl);
    run_flight fl;
    run_flight_get(d, &fl);
    bd_process_stats ps;
    bd_process_stats_get(&ps);
    int64_t wall = bd_now_us();
    struct {
        enum bd_metric m;
        double v;
    } simple[] = {
        {BD_M_EVENTS, (double)atomic_load(&d->pub_events)},
        {BD_M_BINLOG_BYTES, (double)atomic_load(&d->pub_bytes)},
        {BD_M_ROWS_PUBLISHED, (double)atomic_load(&d->pub_rows)},
        {BD_M_ROWS_FILTERED, (double)atomic_load(&d->pub_filtered)},
        {BD_M_ROWS_OVERSIZE, (double)fl.kc.oversize_skipped},
        {BD_M_KAFKA_DELIVERED, (double)fl.p.delivered},
        {BD_M_KAFKA_ERRORS, (double)fl.kc.errors},
        {BD_M_KAFKA_TRANSACTIONS, (double)fl.commits},
        {BD_M_KAFKA_COMMIT_SECONDS, fl.commit_s},
        {BD_M_KAFKA_IN_FLIGHT, (double)fl.p.in_flight},
        {BD_M_KAFKA_IN_FLIGHT_BYTES, (double)fl.p.in_flight_bytes},
        {BD_M_KAFKA_ACK_AGE,
         fl.p.in_flight && d->last_ack_us ? (double)(wall - d->last_ack_us) / 1e6 : 0},
        {BD_M_INCIDENTS, (double)atomic_load(&d->incidents)},
        {BD_M_STATEMENTS_SKIPPED, (double)atomic_load(&d->statements_skipped)},
        {BD_M_KEY_CHANGES, (double)atomic_load(&d->pub_key_changes)},
        {BD_M_TRUNCATES, (double)atomic_load(&d->pub_truncates)},
        {BD_M_PROCESS_START, ps.start_time_s},
        {BD_M_PROCESS_CPU, ps.cpu_s},
        {BD_M_PROCESS_RSS, ps.rss_bytes},
        {BD_M_PROCESS_OPEN_FDS, ps.open_fds},
        {BD_M_PROCESS_MAX_FDS, ps.max_fds},
    };
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        bd_metrics_header(b, simple[i].m);
        bd_metrics_sample(b, simple[i].m, NULL, simple[i].v);
    }
    if (d->snap) {
        bd_snap_counts sc;
        bd_snap_counts_get(d->snap, &sc);
        const struct {
            enum bd_metric m;
            double v;
        } sm[] = {
            {BD_M_SNAPSHOT_ROWS, (double)sc.rows},
            {BD_M_SNAPSHOT_ROWS_ACKED, (double)sc.rows_acked},
            {BD_M_SNAPSHOT_ROWS_DROPPED, (double)sc.rows_dropped},
            {BD_M_SNAPSHOT_CHUNKS, (double)sc.chunks},
            {BD_M_SNAPSHOT_WINDOWS_FAILED, (double)sc.windows_failed},
            {BD_M_SNAPSHOT_RESTARTS, (double)sc.restarts},
            {BD_M_SNAPSHOT_TABLES, (double)sc.tables_running},
            {BD_M_SNAPSHOT_PAUSED, (double)sc.paused},
        };
        for (size_t i = 0; i < sizeof sm / sizeof sm[0]; i++) {
            bd_metrics_header(b, sm[i].m);
            bd_metrics_sample(b, sm[i].m, NULL, sm[i].v);
        }
    }

    bd_gate_report *gr = calloc(c->ngates ? c->ngates : 1, sizeof *gr);
    for (size_t g = 0; gr && g < c->ngates; g++)
        bd_lag_gate(d->lag, &c->gates[g], d->gate_tz[g], 0, now, &gr[g]);
    static const enum bd_metric gate_metrics[] = {
        BD_M_GATE_READY, BD_M_GATE_AT_RISK, BD_M_GATE_SKEWED, BD_M_GATE_SKEW, BD_M_GATE_CUTOFF};
    for (size_t m = 0; gr && m < sizeof gate_metrics / sizeof gate_metrics[0]; m++) {
        bd_metrics_header(b, gate_metrics[m]);
        for (size_t g = 0; g < c->ngates; g++) {
            const char *l[] = {c->gates[g].name};
            double v = m == 0   ? gr[g].ready
                       : m == 1 ? gr[g].at_risk
                       : m == 2 ? gr[g].skewed
                       : m == 3 ? gr[g].skew_s
                                : (double)gr[g].cutoff_us / 1e6;
            bd_metrics_sample(b, gate_metrics[m], l, v);
        }
    }
    for (size_t g = 0; gr && g < c->ngates; g++)
        bd_gate_report_release(&gr[g]);
    free(gr);

    bd_metrics_header(b, BD_M_ALERT_FIRING);
    for (size_t i = 0; i < d->nalerts; i++) {
        const char *l[] = {d->alerts[i].name, d->alerts[i].subject};
        bd_metrics_sample(b, BD_M_ALERT_FIRING, l, d->alerts[i].firing);
    }
    uint64_t sent = 0, failed = 0;
    if (d->alerter) bd_alerter_counts(d->alerter, &sent, &failed);
    bd_metrics_header(b, BD_M_WEBHOOK_SENT);
    bd_metrics_sample(b, BD_M_WEBHOOK_SENT, NULL, (double)sent);
    bd_metrics_header(b, BD_M_WEBHOOK_FAILED);
    bd_metrics_sample(b, BD_M_WEBHOOK_FAILED, NULL, (double)failed);
    bd_lag_report_release(&r);
}

static void json_num(bd_buf *b, double v)
{
    if (isnan(v) || isinf(v))
        bd_buf_adds(b, "null");
    else
        bd_buf_addf(b, "%.6f", v);
}

/* The body of /gates/NAME; the report's readiness. */
static void gate_json(bd_daemon *d, const bd_gate_config *g, const bd_gate_report *gr, bd_buf *b)
{
    char t[40];
    bd_buf_adds(b, "{\"gate\":");
    json_str(b, g->name);
    bd_buf_adds(b, ",\"state\":");
    json_str(b, gr->state);
    bd_time_format(t, gr->cutoff_us);
    bd_buf_addf(b,
                ",\"ready\":%s,\"at_risk\":%s,\"skewed\":%s,\"cutoff\":\"%s\",\"cutoff_us\":%lld",
                gr->ready ? "true" : "false", gr->at_risk ? "true" : "false",
                gr->skewed ? "true" : "false", t, (long long)gr->cutoff_us);
    bd_time_format(t, gr->job_us);
    bd_buf_addf(b, ",\"job_start\":\"%s\",\"stage\":\"%s\",\"consumer_group\":", t,
                g->consumer_group                ? "consumed"
                : g->stage == BD_STAGE_OPT_ACKED ? "acked"
                                                 : "durable");
    if (g->consumer_group)
        json_str(b, g->consumer_group);
    else
        bd_buf_adds(b, "null");
    bd_buf_adds(b, ",\"skew_s\":");
    json_num(b, gr->skew_s);
    bd_buf_adds(b, ",\"tables\":[");
    for (size_t i = 0; i < g->ntables; i++) {
        bd_time_format(t, gr->tables[i].watermark_us);
        bd_buf_addf(b, "%s{\"table\":", i ? "," : "");
        json_str(b, gr->tables[i].name);
        bd_buf_addf(b, ",\"watermark\":\"%s\",\"watermark_us\":%lld,\"lag_s\":", t,
                    (long long)gr->tables[i].watermark_us);
        json_num(b, gr->tables[i].lag_s);
        bd_buf_addf(b, ",\"complete\":%s", gr->tables[i].complete ? "true" : "false");
        /* a snapshot loads its existing rows: not complete whatever its watermark */
        bd_buf_adds(b, gr->tables[i].loading ? ",\"loading\":true}" : "}");
    }
    bd_buf_adds(b, "]}\n");
    (void)d;
}

static void status_json(bd_daemon *d, bd_buf *b)
{
    int64_t now = src_now(d);
    bd_lag_report r;
    bd_lag_report_make(d->lag, now, &r);
    bd_acks_pos p;
    char f[BD_CKPT_FILE_MAX], t[40];
    uint64_t pos;
    bd_acks_position(d->acks, &p, f, sizeof f, &pos, NULL);
    bd_time_format(t, now);
    bd_buf_adds(b, "{\"version\":");
    json_str(b, BINLOGD_VERSION_TEXT);
    bd_buf_adds(b, ",\"source\":{\"name\":");
    json_str(b, d->cfg.source_name);
    bd_buf_adds(b, ",\"host\":");
    json_str(b, d->cfg.host);
    pthread_mutex_lock(&d->cfg_mu);
    bd_buf_addf(b, ",\"port\":%u,\"connected\":%s,\"server\":", d->cfg.port,
                atomic_load(&d->connected) ? "true" : "false");
    json_str(b, d->server_ident);
    pthread_mutex_unlock(&d->cfg_mu);
    bd_buf_addf(b, "},\"now\":\"%s\",\"acknowledged\":{\"file\":", t);
    json_str(b, f);
    bd_buf_addf(b, ",\"pos\":%llu,\"delivered\":%llu,\"in_flight\":%llu,\"stuck\":%s}",
                (unsigned long long)pos, (unsigned long long)p.delivered,
                (unsigned long long)p.in_flight, p.stuck ? "true" : "false");
    /* how it is delivered: exactly once, with the position in the state topic */
    bd_buf_addf(b,
                ",\"delivery\":{\"exactly_once\":%s,\"state_topic\":", d->eos ? "true" : "false");
    json_str(b, d->cfg.state_topic);
    if (d->eos) {
        bd_buf_adds(b, ",\"transactional_id\":");
        json_str(b, d->txn_id);
        /* every producer's, for ACLs: they take turns (sink_kafka.h) */
        bd_buf_adds(b, ",\"transactional_ids\":[");
        for (size_t i = 0; i < d->nk; i++) {
            if (i) bd_buf_adds(b, ",");
            json_str(b, bd_ksink_txn_id(d->sink, i));
        }
        bd_buf_adds(b, "]");
        bd_buf_addf(b, ",\"transactions\":%llu", (unsigned long long)bd_ksink_commits(d->sink));
    }
    bd_buf_adds(b, "}");
    /* the snapshots: requests, their tables, progress (docs/snapshot.md) */
    if (d->snap) {
        bd_buf_adds(b, ",\"snapshot\":");
        bd_snap_status_json(d->snap, NULL, b);
    }
    /* the column rules in force and since where (never a key) */
    pthread_mutex_lock(&d->cfg_mu);
    bd_buf_addf(b, ",\"columns\":{\"set\":%u,\"since\":", d->cols_set);
    if (d->cols_since[0])
        json_str(b, d->cols_since);
    else
        bd_buf_adds(b, "null");
    bd_buf_adds(b, ",\"rules\":[");
    for (size_t i = 0; i < d->cols.n; i++) {
        bd_buf_adds(b, i ? ",{\"pattern\":" : "{\"pattern\":");
        json_str(b, d->cols.rules[i].pattern);
        bd_buf_adds(b, ",\"action\":");
        json_str(b, d->cols.rules[i].action);
        bd_buf_adds(b, "}");
    }
    bd_buf_adds(b, "],\"hash_keys\":[");
    for (size_t k = 0; k < d->cols.nkeys; k++) {
        if (k) bd_buf_addc(b, ',');
        json_str(b, d->cols.keys[k].id);
    }
    bd_buf_adds(b, "]}");
    pthread_mutex_unlock(&d->cfg_mu);
    bd_buf_adds(b, ",\"lag\":{");
    for (int s = 0; s < BD_NSTAGES; s++) {
        bd_buf_addf(b, "%s\"%s\":{\"lag_s\":", s ? "," : "", bd_stage_name((enum bd_stage)s));
        json_num(b, r.stage[s].lag_s);
        bd_time_format(t, r.stage[s].watermark_us);
        bd_buf_addf(b, ",\"watermark\":\"%s\",\"distance_bytes\":", t);
        json_num(b, r.distance_bytes[s]);
        bd_buf_adds(b, "}");
    }
    bd_buf_adds(b, "},\"retention_headroom_s\":");
    json_num(b, r.retention_headroom_s);
    bd_buf_adds(b, ",\"tables\":[");
    for (size_t i = 0; i < r.ntables; i++) {
        bd_buf_addf(b, "%s{\"table\":\"%s.%s\"", i ? "," : "", r.tables[i].db, r.tables[i].table);
        for (int s = 0; s < BD_NSTAGES; s++) {
            bd_buf_addf(b, ",\"%s_lag_s\":", bd_stage_name((enum bd_stage)s));
            json_num(b, r.tables[i].stage[s].lag_s);
        }
        bd_buf_adds(b, "}");
    }
    bd_buf_adds(b, "],\"gates\":[");
    for (size_t g = 0; g < d->cfg.ngates; g++) {
        bd_gate_report gr;
        if (g) bd_buf_addc(b, ',');
        if (bd_lag_gate(d->lag, &d->cfg.gates[g], d->gate_tz[g], 0, now, &gr) < 0) {
            bd_buf_adds(b, "null");
            continue;
        }
        gate_json(d, &d->cfg.gates[g], &gr, b);
        bd_buf_truncate(b, b->len - 1); /* the newline */
        bd_gate_report_release(&gr);
    }
    bd_buf_adds(b, "],\"alerts\":[");
    size_t k = 0;
    for (size_t i = 0; i < d->nalerts; i++) {
        if (!d->alerts[i].firing) continue;
        bd_buf_adds(b, k++ ? ",{\"alertname\":" : "{\"alertname\":");
        json_str(b, d->alerts[i].name);
        bd_buf_adds(b, ",\"subject\":");
        json_str(b, d->alerts[i].subject);
        bd_buf_adds(b, ",\"summary\":");
        json_str(b, d->alerts[i].summary);
        bd_buf_adds(b, "}");
    }
    bd_buf_adds(b, "]}\n");
    bd_lag_report_release(&r);
}

void run_http_opts(bd_daemon *d, bd_http_opts *o)
{
    o->tls_cert = d->cfg.http_tls_cert;
    o->tls_key = d->cfg.http_tls_key;
    o->auth_user = d->cfg.http_auth_user;
    o->auth_hash = d->cfg.http_auth_hash;
    const char *l = d->cfg.http_listen;
    int loopback =
        !strncmp(l, "127.", 4) || !strncmp(l, "[::1]:", 6) || !strncmp(l, "localhost:", 10);
    if (!loopback && (!o->tls_cert || !o->auth_user))
        dlog(d, BD_LOG_WARNING,
             "[http] listen %s is beyond loopback %s: whoever reaches the port reads /metrics, "
             "/status and the gates (set tls_cert/tls_key and auth_user/auth_password_hash)",
             l,
             !o->tls_cert && !o->auth_user ? "without TLS nor authentication"
             : !o->tls_cert                ? "without TLS (the password crosses in clear)"
                                           : "without authentication");
}

int run_http_handler(void *ctx, const bd_http_req *req, bd_buf *b, const char **ctype)
{
    bd_daemon *d = ctx;
    const char *path = bd_http_path(req);
    if (!strcmp(path, "/metrics")) {
        *ctype = "text/plain; version=0.0.4; charset=utf-8";
        metrics_text(d, b);
        return 200;
    }
    *ctype = "application/json";
    if (!strcmp(path, "/snapshot") || !strncmp(path, "/snapshot/", 10))
        return run_snapshot_http(d, req, b);
    if (bd_http_post(req)) {
        bd_buf_adds(b, "{\"error\":\"only /snapshot takes a POST\"}\n");
        return 405;
    }
    if (!strcmp(path, "/status")) {
        status_json(d, b);
        return 200;
    }
    if (!strncmp(path, "/gates/", 7)) {
        const bd_gate_config *g = bd_config_gate(&d->cfg, path + 7);
        if (!g) {
            bd_buf_adds(b, "{\"error\":\"no such gate\",\"gates\":[");
            for (size_t i = 0; i < d->cfg.ngates; i++) {
                if (i) bd_buf_addc(b, ',');
                json_str(b, d->cfg.gates[i].name);
            }
            bd_buf_adds(b, "]}\n");
            return 404;
        }
        size_t gi = (size_t)(g - d->cfg.gates);
        int64_t now = src_now(d), cutoff = 0;
        const char *arg = bd_http_arg(req, "cutoff");
        char cs[64] = "";
        if (arg) snprintf(cs, sizeof cs, "%s", arg);
        /* an unescaped '+' of an offset arrives as a space (form decoding):
         * "2026-11-27T00:00:00 08:00" */
        char *sp = strrchr(cs, ' ');
        if (sp && sp - cs > 10 && strlen(sp + 1) == 5 && sp[3] == ':') *sp = '+';
        if (cs[0] && bd_time_parse(cs, d->gate_tz[gi], now, &cutoff) < 0) {
            bd_buf_adds(b, "{\"error\":\"cutoff: want RFC 3339 (2026-11-27T00:00:00+08:00), "
                           "YYYY-MM-DD HH:MM[:SS] in the gate's zone, HH:MM[:SS] or @UNIX\"}\n");
            return 400;
        }
        bd_gate_report gr;
        if (bd_lag_gate(d->lag, g, d->gate_tz[gi], cutoff, now, &gr) < 0) return 500;
        gate_json(d, g, &gr, b);
        int ready = gr.ready;
        bd_gate_report_release(&gr);
        return ready ? 200 : 503;
    }
    if (!strcmp(path, "/lag")) {
        const char *ms = bd_http_arg(req, "max"), *ss = bd_http_arg(req, "stage");
        double max = 5;
        if (ms && bd_parse_secs(ms, &max) < 0) max = -1; /* 400 below */
        int stage = BD_STAGE_ACKED;
        if (ss) {
            stage = -1;
            for (int s = 0; s < BD_NSTAGES; s++)
                if (!strcmp(ss, bd_stage_name((enum bd_stage)s))) stage = s;
        }
        if (max < 0 || stage < 0) {
            bd_buf_adds(b, "{\"error\":\"max wants a duration (5s, 500ms, 2m); stage read, "
                           "acked or durable\"}\n");
            return 400;
        }
        bd_lag_report r;
        bd_lag_report_make(d->lag, src_now(d), &r);
        double lag = r.stage[stage].lag_s;
        bd_lag_report_release(&r);
        /* not known yet (NaN): JSON null, and not ok */
        int ok = isfinite(lag) && lag <= max;
        bd_buf_addf(b, "{\"stage\":\"%s\",\"lag_s\":", bd_stage_name((enum bd_stage)stage));
        if (isfinite(lag))
            bd_buf_addf(b, "%.6f", lag);
        else
            bd_buf_adds(b, "null");
        bd_buf_addf(b, ",\"max_s\":%.6f,\"ok\":%s}\n", max, ok ? "true" : "false");
        /* 429: a bulk loader should slow down until the replica catches up */
        return ok ? 200 : 429;
    }
    bd_buf_adds(b, "{\"error\":\"not found: /metrics, /status, /gates/NAME, /lag\"}\n");
    return 404;
}

int run_standby_http_handler(void *ctx, const bd_http_req *req, bd_buf *b, const char **ctype)
{
    bd_daemon *d = ctx;
    const char *path = bd_http_path(req);
    if (!strcmp(path, "/metrics")) {
        *ctype = "text/plain; version=0.0.4; charset=utf-8";
        bd_metrics_header(b, BD_M_BUILD_INFO);
        const char *bi[] = {BINLOGD_VERSION_TEXT, d->cfg.source_name};
        bd_metrics_sample(b, BD_M_BUILD_INFO, bi, 1);
        bd_metrics_header(b, BD_M_STANDBY);
        bd_metrics_sample(b, BD_M_STANDBY, NULL, 1);
        bd_process_stats ps;
        bd_process_stats_get(&ps);
        const struct {
            enum bd_metric m;
            double v;
        } p[] = {{BD_M_PROCESS_START, ps.start_time_s},
                 {BD_M_PROCESS_CPU, ps.cpu_s},
                 {BD_M_PROCESS_RSS, ps.rss_bytes},
                 {BD_M_PROCESS_OPEN_FDS, ps.open_fds},
                 {BD_M_PROCESS_MAX_FDS, ps.max_fds}};
        for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
            bd_metrics_header(b, p[i].m);
            bd_metrics_sample(b, p[i].m, NULL, p[i].v);
        }
        return 200;
    }
    *ctype = "application/json";
    if (!strcmp(path, "/snapshot") || !strncmp(path, "/snapshot/", 10) || bd_http_post(req)) {
        bd_buf_adds(b, "{\"error\":\"a standby instance: ask the active one\"}\n");
        return 503;
    }
    bd_buf_adds(b, "{\"version\":");
    json_str(b, BINLOGD_VERSION_TEXT);
    bd_buf_adds(b, ",\"role\":\"standby\",\"source\":{\"name\":");
    json_str(b, d->cfg.source_name);
    bd_buf_adds(b, "},\"group\":");
    json_str(b, d->group);
    bd_buf_adds(b, ",\"state_topic\":");
    json_str(b, d->cfg.state_topic);
    if (!strcmp(path, "/status")) {
        /* what the active instance committed, as the state topic says */
        char t[40];
        pthread_mutex_lock(&d->cfg_mu);
        bd_checkpoint c = d->standby_ckpt;
        int64_t at = d->standby_ckpt_at;
        pthread_mutex_unlock(&d->cfg_mu);
        bd_buf_adds(b, ",\"committed\":");
        if (!at) {
            bd_buf_adds(b, "null");
        } else {
            bd_buf_adds(b, "{\"file\":");
            json_str(b, c.file);
            bd_buf_addf(b, ",\"pos\":%llu,\"commit_time\":", (unsigned long long)c.pos);
            bd_time_format(t, (int64_t)c.commit_us);
            if (c.commit_us)
                bd_buf_addf(b, "\"%s\"", t);
            else
                bd_buf_adds(b, "null"); /* a start position */
            bd_buf_adds(b, ",\"server\":");
            json_str(b, c.server);
            bd_time_format(t, at);
            bd_buf_addf(b, ",\"read_at\":\"%s\"}", t);
        }
        if (d->lag) {
            bd_lag_report r;
            bd_lag_report_make(d->lag, src_now(d), &r);
            bd_buf_adds(b, ",\"lag\":{\"durable\":{\"lag_s\":");
            json_num(b, r.stage[BD_STAGE_DURABLE].lag_s);
            bd_time_format(t, r.stage[BD_STAGE_DURABLE].watermark_us);
            bd_buf_addf(b, ",\"watermark\":\"%s\"}}", t);
            bd_lag_report_release(&r);
        }
        bd_buf_adds(b, "}\n");
        return 200;
    }
    /* gates and lag: from the active instance's checkpoint, when followed */
    if (strncmp(path, "/gates/", 7) && strcmp(path, "/lag")) {
        bd_buf_adds(b, ",\"error\":\"not found: /metrics, /status, /gates/NAME, /lag\"}\n");
        return 404;
    }
    if (d->lag && d->mon) {
        bd_buf_truncate(b, 0);
        return run_http_handler(ctx, req, b, ctype);
    }
    bd_buf_adds(b, ",\"error\":\"standby: the active instance's position cannot be followed "
                   "here (see the log); ask the active instance of this source\"}\n");
    return 503;
}
