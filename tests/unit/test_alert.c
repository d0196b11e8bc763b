/* test_alert.c - the alert webhook against a receiver in this process
 * (libmicrohttpd on 127.0.0.1, a port of the kernel's choosing): the JSON
 * body Alertmanager takes (labels, annotations, RFC 3339 times, endsAt only
 * when resolved, generatorURL, Content-Type), a 500 retried after the 0.5 s
 * backoff and counted as sent once, an unreachable URL counted as failed
 * after its retries, a firing alert repeated every repeat_s and resolved
 * once (labels in another order are the same alert), the flush in
 * bd_alerter_free and its deadline, no password or token in the messages,
 * and the bounds (URLs refused, alerts refused, the 1025th alert). */
#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "binlogd/alert.h"
#include "testutil.h"

#define MAXREQ 64

/* One request the receiver answered. */
typedef struct req {
    char *body;
    char ctype[64], auth[128], method[16], path[128];
    int64_t at_us;
    int status;
} req;

typedef struct receiver {
    struct MHD_Daemon *d;
    unsigned port;
    pthread_mutex_t mu;
    req reqs[MAXREQ]; /* the first MAXREQ */
    size_t total;
    const int *script; /* statuses of the first nscript requests ... */
    size_t nscript;
    int rest; /* ... and of every later one */
} receiver;

typedef struct upload {
    char *p;
    size_t n;
} upload;

/* Messages from the alerter, one per line. */
typedef struct logs {
    pthread_mutex_t mu;
    char text[65536];
    size_t len;
    unsigned warnings, errors;
} logs;

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* Poll cond every 10 ms for up to ms milliseconds. */
#define WAIT_FOR(cond, ms)                                                                         \
    do {                                                                                           \
        for (unsigned w_ = 0; w_ < (ms) / 10 && !(cond); w_++)                                     \
            sleep_ms(10);                                                                          \
    } while (0)

static void copy_header(struct MHD_Connection *c, const char *name, char *out, size_t n)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    snprintf(out, n, "%s", v ? v : "");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    (void)version;
    receiver *r = cls;
    upload *u = *con_cls;
    if (!u) { /* the headers: the body follows in later calls */
        if (!(u = calloc(1, sizeof *u))) return MHD_NO;
        *con_cls = u;
        return MHD_YES;
    }
    if (*size) {
        char *p = realloc(u->p, u->n + *size + 1);
        if (!p) return MHD_NO;
        memcpy(p + u->n, data, *size);
        u->n += *size;
        p[u->n] = '\0';
        u->p = p;
        *size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&r->mu);
    size_t i = r->total++;
    int status = i < r->nscript ? r->script[i] : r->rest;
    if (i < MAXREQ) {
        req *q = &r->reqs[i];
        q->body = u->p ? u->p : strdup("");
        u->p = NULL;
        copy_header(c, "Content-Type", q->ctype, sizeof q->ctype);
        copy_header(c, "Authorization", q->auth, sizeof q->auth);
        snprintf(q->method, sizeof q->method, "%s", method);
        snprintf(q->path, sizeof q->path, "%s", url);
        q->at_us = now_us();
        q->status = status;
    }
    pthread_mutex_unlock(&r->mu);
    /* a body with a newline: the alerter's messages keep it on one line */
    char text[64];
    int len = snprintf(text, sizeof text, "receiver says %d\nbye", status);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer((size_t)len, text, MHD_RESPMEM_MUST_COPY);
    if (!resp) return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    upload *u = *con_cls;
    if (u) {
        free(u->p);
        free(u);
    }
    *con_cls = NULL;
}

static void recv_start(receiver *r, const int *script, size_t nscript, int rest)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    r->script = script;
    r->nscript = nscript;
    r->rest = rest;
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = 0};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                            on_request, r, MHD_OPTION_SOCK_ADDR, &sin, MHD_OPTION_NOTIFY_COMPLETED,
                            on_done, r, MHD_OPTION_END);
    ck_assert_msg(r->d != NULL, "the receiver does not start on 127.0.0.1");
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(r->d, MHD_DAEMON_INFO_BIND_PORT);
    ck_assert(info && info->port);
    r->port = info->port;
}

static void recv_stop(receiver *r)
{
    MHD_stop_daemon(r->d);
    for (size_t i = 0; i < MAXREQ; i++)
        free(r->reqs[i].body);
    pthread_mutex_destroy(&r->mu);
}

static size_t recv_count(receiver *r)
{
    pthread_mutex_lock(&r->mu);
    size_t n = r->total;
    pthread_mutex_unlock(&r->mu);
    return n;
}

/* Request i (it must have arrived); the fields stay valid until recv_stop. */
static const req *recv_req(receiver *r, size_t i)
{
    pthread_mutex_lock(&r->mu);
    ck_assert_uint_lt(i, r->total);
    ck_assert_uint_lt(i, MAXREQ);
    const req *q = &r->reqs[i];
    pthread_mutex_unlock(&r->mu);
    return q;
}

/* The one alert of request i's body (an array of one object); caller decrefs *root. */
static json_t *recv_alert(receiver *r, size_t i, json_t **root)
{
    const req *q = recv_req(r, i);
    json_error_t je;
    *root = json_loads(q->body, 0, &je);
    ck_assert_msg(*root != NULL, "request %zu: not JSON (%s): %s", i, je.text, q->body);
    ck_assert_msg(json_is_array(*root) && json_array_size(*root) == 1, "request %zu: %s", i,
                  q->body);
    json_t *a = json_array_get(*root, 0);
    ck_assert(json_is_object(a));
    return a;
}

static const char *str_of(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void on_log(void *ctx, int level, const char *msg)
{
    logs *l = ctx;
    pthread_mutex_lock(&l->mu);
    l->len += (size_t)snprintf(l->text + l->len, sizeof l->text - l->len, "%s\n", msg);
    if (l->len >= sizeof l->text) l->len = sizeof l->text - 1;
    if (level == LOG_WARNING) l->warnings++;
    if (level <= LOG_ERR) l->errors++;
    pthread_mutex_unlock(&l->mu);
}

static void logs_init(logs *l)
{
    memset(l, 0, sizeof *l);
    pthread_mutex_init(&l->mu, NULL);
}

static int logged(logs *l, const char *s)
{
    pthread_mutex_lock(&l->mu);
    int r = strstr(l->text, s) != NULL;
    pthread_mutex_unlock(&l->mu);
    return r;
}

static uint64_t sent_of(bd_alerter *a)
{
    uint64_t s;
    bd_alerter_counts(a, &s, NULL);
    return s;
}

static uint64_t failed_of(bd_alerter *a)
{
    uint64_t f;
    bd_alerter_counts(a, NULL, &f);
    return f;
}

static bd_alerter *new_alerter(const char *url, unsigned retries, double repeat_s, logs *l)
{
    bd_alerter_opts o = {.url = url,
                         .timeout_ms = 2000,
                         .retries = retries,
                         .repeat_s = repeat_s,
                         .generator_url = "http://127.0.0.1:9175/status",
                         .log = on_log,
                         .ctx = l};
    bd_err err = {0};
    bd_alerter *a = bd_alerter_new(&o, &err);
    ck_assert_msg(a != NULL, "bd_alerter_new: %s", err.msg);
    return a;
}

/* A port nothing listens on: bound by the kernel, then closed. */
static unsigned closed_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(s, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = 0};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sin;
    ck_assert_int_eq(bind(s, (struct sockaddr *)&sin, sizeof sin), 0);
    ck_assert_int_eq(getsockname(s, (struct sockaddr *)&sin, &len), 0);
    close(s);
    return ntohs(sin.sin_port);
}

START_TEST(alert_body)
{
    receiver r;
    recv_start(&r, NULL, 0, 200);
    logs l;
    logs_init(&l);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/api/v2/alerts", r.port);
    bd_alerter *a = new_alerter(url, 2, 0, &l);

    const char *labels[] = {"alertname", "BinlogdLagHigh",    "severity", "critical",
                            "table",     "shop.counterparty", "subject",  "caf\xc3\xa9 \"q\""};
    bd_alert al = {.labels = labels,
                   .nlabels = 4,
                   .summary = "durable lag 301 s",
                   .description = "line one\nline \"two\"",
                   .firing = 1,
                   .starts_us = 1700000000123456LL};
    bd_alerter_update(a, &al);
    WAIT_FOR(recv_count(&r) >= 1, 3000);
    ck_assert_uint_eq(recv_count(&r), 1);

    const req *q = recv_req(&r, 0);
    ck_assert_str_eq(q->method, "POST");
    ck_assert_str_eq(q->path, "/api/v2/alerts");
    ck_assert_str_eq(q->ctype, "application/json");
    ck_assert_str_eq(q->auth, "");
    json_t *root;
    json_t *o = recv_alert(&r, 0, &root);
    json_t *lb = json_object_get(o, "labels");
    ck_assert(json_is_object(lb));
    ck_assert_uint_eq(json_object_size(lb), 4);
    ck_assert_str_eq(str_of(lb, "alertname"), "BinlogdLagHigh");
    ck_assert_str_eq(str_of(lb, "severity"), "critical");
    ck_assert_str_eq(str_of(lb, "table"), "shop.counterparty");
    ck_assert_str_eq(str_of(lb, "subject"), "caf\xc3\xa9 \"q\"");
    json_t *an = json_object_get(o, "annotations");
    ck_assert(json_is_object(an));
    ck_assert_uint_eq(json_object_size(an), 2);
    ck_assert_str_eq(str_of(an, "summary"), "durable lag 301 s");
    ck_assert_str_eq(str_of(an, "description"), "line one\nline \"two\"");
    /* 1700000000 s is 2023-11-14 22:13:20 UTC */
    ck_assert_str_eq(str_of(o, "startsAt"), "2023-11-14T22:13:20.123456Z");
    ck_assert_msg(json_object_get(o, "endsAt") == NULL, "a firing alert with endsAt: %s", q->body);
    ck_assert_str_eq(str_of(o, "generatorURL"), "http://127.0.0.1:9175/status");
    ck_assert_uint_eq(json_object_size(o), 4);
    json_decref(root);

    /* resolved: the same labels and startsAt, and endsAt */
    al.firing = 0;
    al.ends_us = 1700000360000001LL;
    bd_alerter_update(a, &al);
    WAIT_FOR(recv_count(&r) >= 2, 3000);
    ck_assert_uint_eq(recv_count(&r), 2);
    o = recv_alert(&r, 1, &root);
    ck_assert_str_eq(str_of(json_object_get(o, "labels"), "alertname"), "BinlogdLagHigh");
    ck_assert_uint_eq(json_object_size(json_object_get(o, "labels")), 4);
    ck_assert_str_eq(str_of(o, "startsAt"), "2023-11-14T22:13:20.123456Z");
    ck_assert_str_eq(str_of(o, "endsAt"), "2023-11-14T22:19:20.000001Z");
    json_decref(root);

    /* no start time and no annotations given: neither is sent */
    const char *l2[] = {"alertname", "Bare"};
    bd_alert bare = {.labels = l2, .nlabels = 1, .firing = 1};
    bd_alerter_update(a, &bare);
    WAIT_FOR(recv_count(&r) >= 3, 3000);
    o = recv_alert(&r, 2, &root);
    ck_assert(json_object_get(o, "startsAt") == NULL);
    ck_assert(json_object_get(o, "endsAt") == NULL);
    ck_assert_uint_eq(json_object_size(json_object_get(o, "annotations")), 0);
    json_decref(root);

    /* resolved is sent once */
    sleep_ms(300);
    ck_assert_uint_eq(recv_count(&r), 3);
    ck_assert_uint_eq(sent_of(a), 3);
    ck_assert_uint_eq(failed_of(a), 0);
    bd_alerter_free(a, 1000);
    ck_assert_uint_eq(l.warnings + l.errors, 0);
    recv_stop(&r);
}
END_TEST

START_TEST(alert_retry_500)
{
    static const int script[] = {500};
    receiver r;
    recv_start(&r, script, 1, 200);
    logs l;
    logs_init(&l);
    char url[160], shown[128];
    snprintf(url, sizeof url, "http://alice:s3cret@127.0.0.1:%u/api/v2/alerts", r.port);
    snprintf(shown, sizeof shown, "http://127.0.0.1:%u/api/v2/alerts:", r.port);
    bd_alerter *a = new_alerter(url, 3, 0, &l);

    const char *labels[] = {"alertname", "BinlogdGateAtRisk", "gate", "statements"};
    bd_alert al = {.labels = labels, .nlabels = 2, .summary = "s", .firing = 1, .starts_us = 1};
    bd_alerter_update(a, &al);
    WAIT_FOR(sent_of(a) >= 1, 5000);
    ck_assert_uint_eq(sent_of(a), 1);
    ck_assert_uint_eq(failed_of(a), 0);
    ck_assert_uint_eq(recv_count(&r), 2);
    const req *q0 = recv_req(&r, 0), *q1 = recv_req(&r, 1);
    ck_assert_int_eq(q0->status, 500);
    ck_assert_int_eq(q1->status, 200);
    ck_assert_str_eq(q0->body, q1->body);
    int64_t gap = q1->at_us - q0->at_us;
    ck_assert_msg(gap >= 450000, "retried after %lld us, not the 0.5 s backoff", (long long)gap);
    /* the URL's userinfo is used (basic auth), never shown */
    ck_assert_msg(!strncmp(q0->auth, "Basic ", 6), "Authorization: '%s'", q0->auth);
    ck_assert_msg(logged(&l, shown), "no '%s' in:\n%s", shown, l.text);
    ck_assert_msg(logged(&l, "alert BinlogdGateAtRisk (firing): HTTP 500 (receiver says 500 bye)"),
                  "%s", l.text);
    ck_assert_msg(logged(&l, "retry 1 of 3 in 0.5 s"), "%s", l.text);
    ck_assert_msg(logged(&l, "delivered after 2 attempts"), "%s", l.text);
    ck_assert_msg(!logged(&l, "s3cret") && !logged(&l, "alice"), "a secret logged:\n%s", l.text);
    ck_assert_uint_eq(l.warnings, 1);
    ck_assert_uint_eq(l.errors, 0);
    bd_alerter_free(a, 1000);
    recv_stop(&r);
}
END_TEST

START_TEST(alert_unreachable)
{
    logs l;
    logs_init(&l);
    unsigned port = closed_port();
    char url[160], shown[64];
    snprintf(url, sizeof url, "http://alice:s3cret@127.0.0.1:%u/api/v2/alerts?token=hush#frag",
             port);
    snprintf(shown, sizeof shown, "http://127.0.0.1:%u/api/v2/alerts:", port);
    bd_alerter_opts o = {.url = url, .timeout_ms = 500, .retries = 2, .log = on_log, .ctx = &l};
    bd_err err = {0};
    bd_alerter *a = bd_alerter_new(&o, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);

    const char *labels[] = {"alertname", "BinlogdSourceDisconnected"};
    bd_alert al = {.labels = labels, .nlabels = 1, .firing = 1, .starts_us = 1};
    int64_t t0 = now_us();
    bd_alerter_update(a, &al);
    WAIT_FOR(failed_of(a) >= 1, 6000);
    int64_t took = now_us() - t0;
    ck_assert_uint_eq(failed_of(a), 1);
    ck_assert_uint_eq(sent_of(a), 0);
    /* three attempts, 0.5 s and 1 s apart */
    ck_assert_msg(took >= 1400000, "given up after %lld us", (long long)took);
    ck_assert_uint_eq(l.warnings, 2);
    ck_assert_uint_eq(l.errors, 1);
    ck_assert_msg(logged(&l, "retry 1 of 2 in 0.5 s") && logged(&l, "retry 2 of 2 in 1.0 s"), "%s",
                  l.text);
    ck_assert_msg(logged(&l, "given up after 3 attempts"), "%s", l.text);
    ck_assert_msg(logged(&l, shown), "no '%s' in:\n%s", shown, l.text);
    ck_assert_msg(logged(&l, "onnect"), "no connection error in:\n%s", l.text);
    ck_assert_msg(!logged(&l, "s3cret") && !logged(&l, "alice") && !logged(&l, "hush"),
                  "a secret logged:\n%s", l.text);
    /* given up: nothing left to flush */
    bd_alerter_free(a, 0);
    ck_assert_msg(!logged(&l, "undelivered"), "%s", l.text);
}
END_TEST

START_TEST(alert_repeat)
{
    receiver r;
    recv_start(&r, NULL, 0, 200);
    logs l;
    logs_init(&l);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/api/v2/alerts", r.port);
    bd_alerter *a = new_alerter(url, 0, 0.3, &l);

    const char *labels[] = {"alertname", "BinlogdGateSkewed", "gate", "daily"};
    bd_alert al = {.labels = labels, .nlabels = 2, .firing = 1, .starts_us = 1700000000000000LL};
    bd_alerter_update(a, &al);
    sleep_ms(1100);
    size_t n = recv_count(&r);
    /* at 0, 0.3, 0.6 and 0.9 s (a slow run under valgrind may lose one) */
    ck_assert_msg(n >= 3 && n <= 5, "%zu requests in 1.1 s with repeat_s 0.3", n);
    for (size_t i = 0; i < n; i++) {
        json_t *root;
        json_t *o = recv_alert(&r, i, &root);
        ck_assert_str_eq(str_of(o, "startsAt"), "2023-11-14T22:13:20.000000Z");
        ck_assert(json_object_get(o, "endsAt") == NULL);
        json_decref(root);
        if (i) {
            int64_t gap = recv_req(&r, i)->at_us - recv_req(&r, i - 1)->at_us;
            ck_assert_msg(gap >= 250000, "repeat %zu after %lld us", i, (long long)gap);
        }
    }

    /* resolved, the labels in another order: the same alert, whose repeats stop */
    const char *rev[] = {"gate", "daily", "alertname", "BinlogdGateSkewed"};
    bd_alert res = {.labels = rev, .nlabels = 2, .firing = 0, .starts_us = al.starts_us};
    res.ends_us = al.starts_us + 5000000;
    bd_alerter_update(a, &res);
    size_t m = 0;
    for (int w = 0; w < 300; w++) {
        m = recv_count(&r);
        json_t *root;
        json_t *o = recv_alert(&r, m - 1, &root);
        int resolved = json_object_get(o, "endsAt") != NULL;
        json_decref(root);
        if (resolved) break;
        sleep_ms(10);
    }
    json_t *root;
    json_t *o = recv_alert(&r, m - 1, &root);
    ck_assert_str_eq(str_of(o, "endsAt"), "2023-11-14T22:13:25.000000Z");
    json_decref(root);
    sleep_ms(800);
    ck_assert_uint_eq(recv_count(&r), m);
    ck_assert_uint_eq(sent_of(a), m);
    ck_assert_uint_eq(failed_of(a), 0);
    bd_alerter_free(a, 1000);
    recv_stop(&r);
}
END_TEST

/* The names of the alerts the receiver accepted (200), as "|A|B|". */
static void accepted_names(receiver *r, char *out, size_t n)
{
    size_t len = (size_t)snprintf(out, n, "|");
    for (size_t i = 0; i < recv_count(r); i++) {
        if (recv_req(r, i)->status != 200) continue;
        json_t *root;
        json_t *o = recv_alert(r, i, &root);
        len += (size_t)snprintf(out + len, n - len, "%s|",
                                str_of(json_object_get(o, "labels"), "alertname"));
        json_decref(root);
    }
}

START_TEST(alert_free_flushes)
{
    static const int script[] = {500};
    receiver r;
    recv_start(&r, script, 1, 200);
    logs l;
    logs_init(&l);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/api/v2/alerts", r.port);
    bd_alerter *a = new_alerter(url, 3, 60, &l);
    const char *la[] = {"alertname", "A"}, *lb[] = {"alertname", "B"}, *lc[] = {"alertname", "C"};
    bd_alert al = {.labels = la, .nlabels = 1, .firing = 1, .starts_us = 1};
    bd_alerter_update(a, &al);
    al.labels = lb;
    bd_alerter_update(a, &al);
    al.labels = lc;
    al.firing = 0;
    bd_alerter_update(a, &al);
    int64_t t0 = now_us();
    bd_alerter_free(a, 5000);
    int64_t took = now_us() - t0;
    ck_assert_msg(took < 4000000, "the flush took %lld us", (long long)took);
    /* one 500, retried after 0.5 s; then all three accepted, none repeated */
    ck_assert_uint_eq(recv_count(&r), 4);
    char names[64];
    accepted_names(&r, names, sizeof names);
    ck_assert_msg(strstr(names, "|A|") && strstr(names, "|B|") && strstr(names, "|C|"),
                  "accepted: %s", names);
    ck_assert_msg(!logged(&l, "undelivered"), "%s", l.text);
    recv_stop(&r);
}
END_TEST

START_TEST(alert_free_deadline)
{
    receiver r;
    recv_start(&r, NULL, 0, 503);
    logs l;
    logs_init(&l);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/api/v2/alerts", r.port);
    bd_alerter *a = new_alerter(url, 10, 0, &l);
    const char *la[] = {"alertname", "A"};
    bd_alert al = {.labels = la, .nlabels = 1, .firing = 1, .starts_us = 1};
    bd_alerter_update(a, &al);
    WAIT_FOR(recv_count(&r) >= 1, 3000);
    /* ten retries would take minutes: the stop gives up at its deadline */
    int64_t t0 = now_us();
    bd_alerter_free(a, 400);
    int64_t took = now_us() - t0;
    ck_assert_msg(took < 1500000, "bd_alerter_free(400 ms) took %lld us", (long long)took);
    ck_assert_msg(logged(&l, "stopped with 1 alert notification undelivered"), "%s", l.text);
    ck_assert_msg(logged(&l, "HTTP 503"), "%s", l.text);
    recv_stop(&r);
}
END_TEST

START_TEST(alert_bounds)
{
    bd_err err = {0};
    bd_alerter_opts o = {.url = "ftp://alice:s3cret@example.com/x"};
    ck_assert_ptr_null(bd_alerter_new(&o, &err));
    ck_assert_msg(strstr(err.msg, "not an http(s) URL") && !strstr(err.msg, "s3cret"), "%s",
                  err.msg);
    const char *bad[] = {"", "no scheme here", "http://", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        memset(&err, 0, sizeof err);
        o.url = bad[i];
        ck_assert_msg(bd_alerter_new(&o, &err) == NULL, "URL '%s' taken", bad[i] ? bad[i] : "NULL");
        ck_assert_msg(!strncmp(err.msg, "alert webhook URL: ", 19), "'%s'", err.msg);
    }
    bd_alerter_free(NULL, 0);

    receiver r;
    recv_start(&r, NULL, 0, 200);
    logs l;
    logs_init(&l);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/api/v2/alerts", r.port);
    bd_alerter *a = new_alerter(url, 0, 0, &l);

    /* refused alerts are counted and logged, never sent */
    const char *noname[] = {"severity", "critical"};
    bd_alert al = {.labels = noname, .nlabels = 1, .firing = 1};
    bd_alerter_update(a, &al);
    ck_assert_uint_eq(failed_of(a), 1);
    ck_assert_msg(logged(&l, "no alertname label"), "%s", l.text);
    const char *latin1[] = {"alertname", "X", "table", "caf\xe9"};
    al.labels = latin1;
    al.nlabels = 2;
    bd_alerter_update(a, &al);
    ck_assert_uint_eq(failed_of(a), 2);
    ck_assert_msg(logged(&l, "not UTF-8"), "%s", l.text);

    /* 1024 distinct firing alerts are held (for their repeats); the 1025th is refused */
    char value[16];
    const char *labels[] = {"alertname", "Many", "n", value};
    al.labels = labels;
    for (int i = 0; i < 1025; i++) {
        snprintf(value, sizeof value, "%d", i);
        bd_alerter_update(a, &al);
    }
    ck_assert_uint_eq(failed_of(a), 3);
    ck_assert_msg(logged(&l, "alert Many not queued: 1024 distinct alerts already held"), "%s",
                  l.text);
    /* an update of a held alert still goes in */
    snprintf(value, sizeof value, "%d", 7);
    bd_alerter_update(a, &al);
    ck_assert_uint_eq(failed_of(a), 3);
    bd_alerter_free(a, 0);
    recv_stop(&r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("alert");
    TCase *t = tcase_create("alert");
    /* real time (backoff, repeats) and valgrind's slower threads */
    tcase_set_timeout(t, 30);
    tcase_add_test(t, alert_body);
    tcase_add_test(t, alert_retry_500);
    tcase_add_test(t, alert_unreachable);
    tcase_add_test(t, alert_repeat);
    tcase_add_test(t, alert_free_flushes);
    tcase_add_test(t, alert_free_deadline);
    tcase_add_test(t, alert_bounds);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return tu_run(suite()) ? 1 : 0; }
