/* monitor.c - see monitor.h. */
#include "monitor.h"

#include <mysql.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "binlogd/kafka_admin.h"

#define MAX_FILES 4096
#define MAX_OFFSETS 1024
#define KAFKA_TIMEOUT_MS 5000

/* A commit time read from a message, kept so the same offset is not
 * fetched again at every poll. */
typedef struct fetched {
    const bd_lag_table *t;
    int32_t partition;
    int64_t offset, commit_us;
} fetched;

struct bd_monitor {
    bd_monitor_opts o;
    bd_server_opts so;
    char host[256], user[256], password[1024];
    bd_kafka_admin *ka;
    pthread_t th, kth;
    int kth_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    atomic_llong offset_us;
    MYSQL *my;
    int head_failing, probe_failing, probe_ready, kafka_failing;
    int binary_log_status; /* MySQL 8.4+: SHOW BINARY LOG STATUS */
    char hb_db[65], hb_tb[65];
    bd_binlog_file *files;
    bd_group_offset *offs;
    /* one poll's answers, applied together */
    struct cpoll {
        bd_lag_table *t;
        int64_t committed, high, at;
    } * cps;
    fetched *cache;
    size_t ncache;
};

int64_t bd_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t bd_monitor_clock_offset(const bd_monitor *m)
{
    return m ? atomic_load(&((bd_monitor *)m)->offset_us) : 0;
}

int64_t bd_monitor_now(const bd_monitor *m) { return bd_now_us() + bd_monitor_clock_offset(m); }

#define mlog(m, level, ...) bd_logf((m)->o.log, (m)->o.ctx, level, __VA_ARGS__)

/* ---- the control connection ------------------------------------------- */

static int query(bd_monitor *m, const char *q, MYSQL_RES **res)
{
    if (mysql_query(m->my, q) != 0) return -1;
    if (res) {
        *res = mysql_store_result(m->my);
        if (!*res) return -1;
    }
    return 0;
}

static int connect_control(bd_monitor *m, char *why, size_t n)
{
    if (m->my) return 0;
    bd_err err = {0};
    int r = bd_server_connect(&m->so, &m->my, &err);
    if (r != 0) {
        snprintf(why, n, "%s", err.msg);
        m->my = NULL;
        return -1;
    }
    /* UTC, so that UNIX_TIMESTAMP(NOW(6)) is the instant whatever the
     * server's zone, DST folds included */
    if (query(m, "SET time_zone = '+00:00'", NULL) != 0) {
        snprintf(why, n, "SET time_zone: %s", mysql_error(m->my));
        mysql_close(m->my);
        m->my = NULL;
        return -1;
    }
    return 0;
}

static void drop_control(bd_monitor *m)
{
    if (m->my) mysql_close(m->my);
    m->my = NULL;
}

/* The source's clock minus ours, halfway through the round trip. */
static int measure_offset(bd_monitor *m)
{
    MYSQL_RES *res;
    int64_t t0 = bd_now_us();
    if (query(m, "SELECT UNIX_TIMESTAMP(NOW(6))", &res) != 0) return -1;
    int64_t t1 = bd_now_us();
    MYSQL_ROW row = mysql_fetch_row(res);
    int rc = -1;
    if (row && row[0]) {
        double s = strtod(row[0], NULL);
        int64_t server = (int64_t)(s * 1e6 + 0.5);
        atomic_store(&m->offset_us, server - (t0 + t1) / 2);
        rc = 0;
    }
    mysql_free_result(res);
    return rc;
}

static int poll_head(bd_monitor *m, char *why, size_t n)
{
    MYSQL_RES *res = NULL;
    int64_t t0 = bd_now_us();
    int r = query(m, m->binary_log_status ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS", &res);
    if (r != 0 && !m->binary_log_status && mysql_errno(m->my) == 1064) {
        /* MySQL 8.4 removed SHOW MASTER STATUS */
        m->binary_log_status = 1;
        r = query(m, "SHOW BINARY LOG STATUS", &res);
    }
    if (r != 0) {
        snprintf(why, n, "SHOW MASTER STATUS: %s", mysql_error(m->my));
        return -1;
    }
    int64_t t1 = bd_now_us();
    MYSQL_ROW row = mysql_fetch_row(res);
    if (!row || !row[0] || !row[1]) {
        mysql_free_result(res);
        snprintf(why, n, "SHOW MASTER STATUS returned no row: is the binary log enabled?");
        return -1;
    }
    char file[256];
    snprintf(file, sizeof file, "%s", row[0]);
    uint64_t pos = strtoull(row[1], NULL, 10);
    mysql_free_result(res);

    size_t nf = 0;
    if (query(m, "SHOW BINARY LOGS", &res) == 0) {
        while ((row = mysql_fetch_row(res)) && nf < MAX_FILES) {
            if (!row[0]) continue;
            snprintf(m->files[nf].name, sizeof m->files[nf].name, "%s", row[0]);
            m->files[nf].size = row[1] ? strtoull(row[1], NULL, 10) : 0;
            nf++;
        }
        mysql_free_result(res);
    }
    double expire = 0;
    if (query(m, "SELECT @@binlog_expire_logs_seconds", &res) == 0) {
        row = mysql_fetch_row(res);
        if (row && row[0]) expire = strtod(row[0], NULL);
        mysql_free_result(res);
    } else if (query(m, "SELECT @@expire_logs_days", &res) == 0) {
        row = mysql_fetch_row(res);
        if (row && row[0]) expire = strtod(row[0], NULL) * 86400;
        mysql_free_result(res);
    }
    /* the head as of the moment the server answered: halfway, as for the
     * clock offset (the position was read at some point in between; the
     * earlier bound is the safe one for "everything before was written") */
    bd_lag_head(m->o.lag, file, pos, m->files, nf, expire, t0 + bd_monitor_clock_offset(m));
    (void)t1;
    return 0;
}

/* The heartbeat probe: one row per replica id, its time the source's. */
static int probe(bd_monitor *m, char *why, size_t n)
{
    char q[512];
    if (!m->probe_ready) {
        snprintf(q, sizeof q,
                 "CREATE TABLE IF NOT EXISTS `%s`.`%s` (id INT UNSIGNED NOT NULL PRIMARY KEY, "
                 "ts DATETIME(6) NOT NULL, ts_us BIGINT NOT NULL) "
                 "COMMENT 'binlogd heartbeat probe: ts is NOW(6) in UTC'",
                 m->hb_db, m->hb_tb);
        if (query(m, q, NULL) != 0) {
            snprintf(why, n, "creating the heartbeat table `%s`.`%s`: %s", m->hb_db, m->hb_tb,
                     mysql_error(m->my));
            return -1;
        }
        m->probe_ready = 1;
    }
    snprintf(q, sizeof q,
             "REPLACE INTO `%s`.`%s` (id, ts, ts_us) SELECT %u, t, "
             "CAST(UNIX_TIMESTAMP(t) * 1000000 AS SIGNED) FROM (SELECT NOW(6) AS t) AS x",
             m->hb_db, m->hb_tb, (unsigned)m->so.server_id);
    if (query(m, q, NULL) != 0) {
        snprintf(why, n, "writing the heartbeat row to `%s`.`%s`: %s", m->hb_db, m->hb_tb,
                 mysql_error(m->my));
        return -1;
    }
    return 0;
}

/* ---- consumer groups ------------------------------------------------- */

static int64_t cached_time(bd_monitor *m, const bd_lag_table *t, int32_t p, int64_t off)
{
    for (size_t i = 0; i < m->ncache; i++)
        if (m->cache[i].t == t && m->cache[i].partition == p && m->cache[i].offset == off)
            return m->cache[i].commit_us;
    return 0;
}

static void cache_time(bd_monitor *m, const bd_lag_table *t, int32_t p, int64_t off, int64_t us)
{
    /* one entry per table and partition: the group's offset moves on */
    for (size_t i = 0; i < m->ncache; i++)
        if (m->cache[i].t == t && m->cache[i].partition == p) {
            m->cache[i].offset = off;
            m->cache[i].commit_us = us;
            return;
        }
    fetched *v = realloc(m->cache, (m->ncache + 1) * sizeof *v);
    if (!v) return;
    m->cache = v;
    v[m->ncache++] = (fetched){t, p, off, us};
}

static int poll_group(bd_monitor *m, const char *group, char *why, size_t n)
{
    const char *topics[256];
    bd_lag_table *tabs[256];
    size_t nt = 0;
    for (size_t i = 0; i < m->o.ntables && nt < 256; i++) {
        const char *tp = bd_lag_table_topic(m->o.tables[i]);
        if (!tp) continue;
        int dup = 0;
        for (size_t k = 0; k < nt; k++)
            dup |= !strcmp(topics[k], tp);
        if (dup) continue;
        tabs[nt] = m->o.tables[i];
        topics[nt++] = tp;
    }
    bd_err err = {0};
    int no = bd_kafka_admin_group_offsets(m->ka, group, topics, nt, m->offs, MAX_OFFSETS,
                                          KAFKA_TIMEOUT_MS, &err);
    if (no < 0) {
        snprintf(why, n, "consumer group %s: %s", group, err.msg);
        return -1;
    }
    /* Everything is asked first and applied after, all or nothing: a
     * table must never look consumed because its partitions' answers
     * were still on their way (or failed). */
    int64_t now = bd_monitor_now(m);
    for (int i = 0; i < no; i++) {
        bd_group_offset *g = &m->offs[i];
        bd_lag_table *t = NULL;
        for (size_t k = 0; k < nt; k++)
            if (!strcmp(topics[k], g->topic)) t = tabs[k];
        m->cps[i].t = t;
        if (!t) continue;
        int64_t low, high;
        if (bd_kafka_admin_watermarks(m->ka, g->topic, g->partition, &low, &high, KAFKA_TIMEOUT_MS,
                                      &err) < 0) {
            snprintf(why, n, "%s [%d]: %s", g->topic, (int)g->partition, err.msg);
            return -1;
        }
        int64_t committed = g->committed < 0 ? low : g->committed;
        int64_t at = 0;
        if (committed < high && bd_lag_offset_time(m->o.lag, t, g->partition, committed, &at) < 0) {
            /* published before this process started: read it */
            at = cached_time(m, t, g->partition, committed);
            if (!at) {
                uint64_t us = 0;
                int r = bd_kafka_admin_commit_time(m->ka, g->topic, g->partition, committed, &us,
                                                   KAFKA_TIMEOUT_MS, &err);
                if (r < 0) {
                    snprintf(why, n, "%s [%d] offset %lld: %s", g->topic, (int)g->partition,
                             (long long)committed, err.msg);
                    return -1;
                }
                if (r == 0) {
                    at = (int64_t)us;
                    cache_time(m, t, g->partition, committed, at);
                }
            }
        }
        m->cps[i].committed = committed;
        m->cps[i].high = high;
        m->cps[i].at = at;
    }
    for (int i = 0; i < no; i++)
        if (m->cps[i].t)
            bd_lag_consumer(m->o.lag, group, m->cps[i].t, m->offs[i].partition, m->cps[i].committed,
                            m->cps[i].high, m->cps[i].at, now);
    /* a topic without partitions yet (nothing published) has nothing to
     * consume */
    for (size_t k = 0; k < nt; k++)
        bd_lag_consumer(m->o.lag, group, tabs[k], -1, 0, 0, 0, now);
    return 0;
}

/* ---- the thread ---------------------------------------------------------- */

/* Say a failure once, and the recovery once. */
static void state(bd_monitor *m, int *failing, int ok, const char *what, const char *why)
{
    if (!ok && !*failing)
        mlog(m, 4, "%s failed, retried every interval (lag grows while it fails): %s", what, why);
    else if (ok && *failing)
        mlog(m, 6, "%s works again", what);
    *failing = !ok;
}

static int64_t next_at(int64_t last, unsigned ms) { return last + (int64_t)ms * 1000; }

/* Wait until the wall-clock time wake (µs) or a stop; 1 when stopping. */
static int nap_until(bd_monitor *m, int64_t wake)
{
    struct timespec ts = {wake / 1000000, (wake % 1000000) * 1000};
    pthread_mutex_lock(&m->mu);
    if (!m->stop) pthread_cond_timedwait(&m->cv, &m->mu, &ts);
    int stop = m->stop;
    pthread_mutex_unlock(&m->mu);
    return stop;
}

/* Kafka's answers may take seconds (a broker down): a thread of their
 * own, so that head polls stay on time. */
static void *kafka_main(void *arg)
{
    bd_monitor *m = arg;
    const bd_config *c = m->o.cfg;
    char why[1024];
    for (;;) {
        int64_t now = bd_now_us();
        int ok = 1;
        for (size_t g = 0; g < c->ngates && ok; g++) {
            const char *grp = c->gates[g].consumer_group;
            if (!grp) continue;
            int dup = 0;
            for (size_t k = 0; k < g; k++)
                dup |= c->gates[k].consumer_group && !strcmp(c->gates[k].consumer_group, grp);
            if (!dup && poll_group(m, grp, why, sizeof why) < 0) ok = 0;
        }
        state(m, &m->kafka_failing, ok, "reading consumer group offsets", why);
        if (nap_until(m, next_at(now, c->consumer_poll_ms))) return NULL;
    }
}

static void *monitor_main(void *arg)
{
    bd_monitor *m = arg;
    const bd_config *c = m->o.cfg;
    int64_t head_at = 0, offset_at = 0, probe_at = 0;
    char why[1024];
    pthread_mutex_lock(&m->mu);
    while (!m->stop) {
        pthread_mutex_unlock(&m->mu);
        int64_t now = bd_now_us();
        if (now >= head_at) {
            head_at = next_at(now, c->head_poll_ms);
            int ok = connect_control(m, why, sizeof why) == 0;
            if (ok && now >= offset_at) {
                offset_at = now + 60 * 1000000LL;
                if (measure_offset(m) < 0) offset_at = 0;
            }
            if (ok && poll_head(m, why, sizeof why) < 0) {
                ok = 0;
                drop_control(m);
            }
            state(m, &m->head_failing, ok, "polling the source's head", why);
        }
        if (m->hb_db[0] && now >= probe_at) {
            probe_at = next_at(now, c->heartbeat_interval_ms);
            int ok = connect_control(m, why, sizeof why) == 0;
            if (ok && probe(m, why, sizeof why) < 0) {
                ok = 0;
                if (mysql_errno(m->my) == 2006 || mysql_errno(m->my) == 2013) drop_control(m);
            }
            state(m, &m->probe_failing, ok, "the heartbeat probe", why);
        }
        int64_t wake = head_at;
        if (m->hb_db[0] && probe_at < wake) wake = probe_at;
        struct timespec ts = {wake / 1000000, (wake % 1000000) * 1000};
        pthread_mutex_lock(&m->mu);
        if (!m->stop) pthread_cond_timedwait(&m->cv, &m->mu, &ts);
    }
    pthread_mutex_unlock(&m->mu);
    drop_control(m);
    return NULL;
}

bd_monitor *bd_monitor_start(const bd_monitor_opts *o, bd_err *err)
{
    bd_monitor *m = calloc(1, sizeof *m);
    if (!m) {
        bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    m->o = *o;
    m->so = *o->server;
    snprintf(m->host, sizeof m->host, "%s", o->server->host ? o->server->host : "");
    snprintf(m->user, sizeof m->user, "%s", o->server->user ? o->server->user : "");
    snprintf(m->password, sizeof m->password, "%s", o->server->password ? o->server->password : "");
    m->so.host = m->host;
    m->so.user = o->server->user ? m->user : NULL;
    m->so.password = o->server->password ? m->password : NULL;
    m->so.file = m->so.gtid = NULL;
    m->so.expect_server = m->so.failover_gtid = m->so.schema_history = NULL;
    const char *hb = o->cfg->heartbeat_table;
    if (hb && *hb && !o->passive) {
        const char *dot = strchr(hb, '.');
        if (!dot || dot == hb || !dot[1] || (size_t)(dot - hb) >= sizeof m->hb_db ||
            strlen(dot + 1) >= sizeof m->hb_tb || strchr(hb, '`')) {
            bd_err_set(err, BD_ERR_IO, "%s: [lag] heartbeat_table wants db.table, not '%s'",
                       o->cfg->path, hb);
            free(m);
            return NULL;
        }
        snprintf(m->hb_db, sizeof m->hb_db, "%.*s", (int)(dot - hb), hb);
        snprintf(m->hb_tb, sizeof m->hb_tb, "%s", dot + 1);
    }
    m->files = calloc(MAX_FILES, sizeof *m->files);
    m->offs = calloc(MAX_OFFSETS, sizeof *m->offs);
    m->cps = calloc(MAX_OFFSETS, sizeof *m->cps);
    if (!m->files || !m->offs || !m->cps) {
        bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        goto fail;
    }
    int groups = 0;
    for (size_t g = 0; g < o->cfg->ngates; g++)
        groups |= o->cfg->gates[g].consumer_group != NULL;
    if (groups) {
        m->ka = bd_kafka_admin_new((const char *const *)o->cfg->kafka, o->cfg->nkafka, err);
        if (!m->ka) goto fail;
    }
    pthread_mutex_init(&m->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_cond_init(&m->cv, &ca); /* CLOCK_REALTIME: the waits are wall-clock deadlines */
    pthread_condattr_destroy(&ca);
    int te = pthread_create(&m->th, NULL, monitor_main, m);
    if (!te) pthread_setname_np(m->th, "bd-monitor");
    if (!te && m->ka) {
        te = pthread_create(&m->kth, NULL, kafka_main, m);
        if (!te) pthread_setname_np(m->kth, "bd-groups");
        if (te) {
            pthread_mutex_lock(&m->mu);
            m->stop = 1;
            pthread_cond_broadcast(&m->cv);
            pthread_mutex_unlock(&m->mu);
            pthread_join(m->th, NULL);
        }
        m->kth_started = !te;
    }
    if (te) {
        bd_err_set(err, BD_ERR_IO, "cannot start the monitor thread: %s", strerror(te));
        pthread_mutex_destroy(&m->mu);
        pthread_cond_destroy(&m->cv);
        goto fail;
    }
    return m;
fail:
    bd_kafka_admin_free(m->ka);
    free(m->files);
    free(m->offs);
    free(m->cps);
    memset(m->password, 0, sizeof m->password);
    free(m);
    return NULL;
}

void bd_monitor_stop(bd_monitor *m)
{
    if (!m) return;
    pthread_mutex_lock(&m->mu);
    m->stop = 1;
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
    pthread_join(m->th, NULL);
    if (m->kth_started) pthread_join(m->kth, NULL);
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cv);
    bd_kafka_admin_free(m->ka);
    free(m->files);
    free(m->offs);
    free(m->cps);
    free(m->cache);
    memset(m->password, 0, sizeof m->password);
    free(m);
}
