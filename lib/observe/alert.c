/* alert.c - see include/binlogd/alert.h.
 *
 * One table of alerts keyed by their label set (the labels as compact JSON
 * with sorted keys, so the order the caller lists them in does not matter),
 * guarded by one mutex.  The sending thread sleeps on a condition variable
 * until the earliest entry is due.  An entry is due when it holds a state
 * not yet delivered (new, or a retry after its backoff) or, while firing,
 * when its repeat is due.  Resolved entries leave the table once sent or
 * given up on; firing ones stay for their repeats, which is why the table
 * bound counts distinct alerts, not notifications.
 *
 * Only the sending thread removes entries, so it may keep an entry's
 * pointer while it sends with the lock released.  Each request's body is
 * built by bd_alerter_update() (outside the lock), so the sending thread
 * only copies a string under the lock.
 */
#include "binlogd/alert.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#define MAX_ALERTS 1024
#define BACKOFF_FIRST_US 500000LL
/* a long outage with many retries should not push the last attempt hours away */
#define BACKOFF_MAX_US 60000000LL
#define DEFAULT_TIMEOUT_MS 10000u
#define NEVER INT64_MAX

typedef struct entry {
    char *key;      /* the label set: compact JSON, keys sorted */
    char *body;     /* the request body of the current state */
    char name[128]; /* alertname, for messages */
    int firing;     /* of the current state */
    uint64_t gen;   /* states queued so far */
    uint64_t done;  /* the last state delivered or given up on */
    int64_t due_us; /* monotonic: next attempt (new state, retry or repeat) */
    unsigned tries; /* failed attempts of the notification being retried */
} entry;

struct bd_alerter {
    char *url;
    char *log_url; /* url without userinfo, query or fragment: safe to log */
    char *generator_url;
    unsigned timeout_ms, retries;
    int64_t repeat_us; /* 0: no repeats */
    void (*log)(void *ctx, int level, const char *msg);
    void *ctx;

    /* used by the sending thread only */
    CURL *curl;
    struct curl_slist *headers;
    char curl_err[CURL_ERROR_SIZE];
    char resp[200]; /* the start of the response body, for messages */
    size_t resp_len;

    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* an update, or the stop */
    entry *tab[MAX_ALERTS];
    size_t n;
    uint64_t sent, failed;
    int stopping;
    int64_t deadline_us; /* of the flush at stop */
    /* read by curl's progress callback without the lock: a request still
     * running at the stop's deadline is abandoned */
    _Atomic int64_t abort_at_us;
};

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#define say(a, level, ...) bd_logf((a)->log, (a)->ctx, level, __VA_ARGS__)

/* RFC 3339 in UTC with microseconds, as Alertmanager parses it. */
static void rfc3339(char *out, size_t n, int64_t us)
{
    int64_t s = us / 1000000, f = us % 1000000;
    if (f < 0) { /* floor, so that times before 1970 keep a positive fraction */
        f += 1000000;
        s--;
    }
    time_t t = (time_t)s;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, n, "1970-01-01T00:00:00.000000Z");
        return;
    }
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)f);
}

/* The URL without what may be secret (user:password@, ?token=...), or NULL
 * when it is not an http(s) URL; *why says what is wrong. */
static char *safe_url(const char *url, const char **why)
{
    char *scheme = NULL, *out = NULL;
    CURLU *u = curl_url();
    *why = "out of memory";
    if (!u) return NULL;
    CURLUcode rc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (rc != CURLUE_OK) {
        *why = curl_url_strerror(rc);
        goto done;
    }
    *why = "not an http(s) URL";
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK || !scheme ||
        (strcasecmp(scheme, "http") && strcasecmp(scheme, "https")))
        goto done;
    curl_url_set(u, CURLUPART_USER, NULL, 0);
    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
    curl_url_set(u, CURLUPART_OPTIONS, NULL, 0);
    curl_url_set(u, CURLUPART_QUERY, NULL, 0);
    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
    char *s = NULL;
    if (curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK) {
        out = strdup(s);
        *why = out ? NULL : "out of memory";
    }
    curl_free(s);
done:
    curl_free(scheme);
    curl_url_cleanup(u);
    return out;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
    bd_alerter *a = arg;
    size_t n = size * nmemb, room = sizeof a->resp - 1 - a->resp_len;
    size_t k = n < room ? n : room;
    memcpy(a->resp + a->resp_len, p, k);
    a->resp_len += k;
    a->resp[a->resp_len] = '\0';
    return n; /* the rest is read and dropped: curl would print it otherwise */
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    bd_alerter *a = arg;
    return mono_us() >= atomic_load(&a->abort_at_us);
}

/* POST body; 0 when the webhook answered 2xx, else -1 with why. */
static int post(bd_alerter *a, const char *body, unsigned timeout_ms, char *why, size_t n)
{
    CURL *c = a->curl;
    a->curl_err[0] = '\0';
    a->resp_len = 0;
    a->resp[0] = '\0';
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_ABORTED_BY_CALLBACK) {
        snprintf(why, n, "request abandoned at the stop's deadline");
        return -1;
    }
    if (rc != CURLE_OK) {
        snprintf(why, n, "%s", a->curl_err[0] ? a->curl_err : curl_easy_strerror(rc));
        return -1;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status <= 299) return 0;
    /* the response usually says what the receiver disliked; one line of it */
    for (char *p = a->resp; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = ' ';
    if (a->resp_len)
        snprintf(why, n, "HTTP %ld (%s)", status, a->resp);
    else
        snprintf(why, n, "HTTP %ld", status);
    return -1;
}

static void entry_free(entry *e)
{
    if (!e) return;
    free(e->key);
    free(e->body);
    free(e);
}

/* Called with the lock held. */
static void remove_entry(bd_alerter *a, entry *e)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->tab[i] == e) {
            a->tab[i] = a->tab[--a->n];
            entry_free(e);
            return;
        }
}

static void wait_until(bd_alerter *a, int64_t until_us)
{
    if (until_us == NEVER) {
        pthread_cond_wait(&a->cv, &a->mu);
        return;
    }
    struct timespec ts = {.tv_sec = until_us / 1000000, .tv_nsec = (until_us % 1000000) * 1000};
    pthread_cond_timedwait(&a->cv, &a->mu, &ts);
}

/* The outcome of sending state gen of e.  Called with the lock held; may
 * free e.  Returns the level of the message left in msg ("" for none). */
static int settle(bd_alerter *a, entry *e, uint64_t gen, int ok, const char *why, char *msg,
                  size_t n)
{
    int64_t now = mono_us();
    int level = LOG_INFO;
    const char *state = e->firing ? "firing" : "resolved";
    msg[0] = '\0';
    if (ok) {
        a->sent++;
        if (e->tries)
            snprintf(msg, n, "alert webhook %s: alert %s (%s) delivered after %u attempts",
                     a->log_url, e->name, state, e->tries + 1);
        e->tries = 0;
    } else if (++e->tries <= a->retries) {
        int64_t wait = BACKOFF_FIRST_US;
        for (unsigned i = 1; i < e->tries && wait < BACKOFF_MAX_US; i++)
            wait *= 2;
        if (wait > BACKOFF_MAX_US) wait = BACKOFF_MAX_US;
        /* a newer state queued meanwhile goes out with the retry: the
         * receiver is failing, so the backoff holds for it too */
        e->due_us = now + wait;
        snprintf(msg, n, "alert webhook %s: alert %s (%s): %s; retry %u of %u in %.1f s",
                 a->log_url, e->name, state, why, e->tries, a->retries, (double)wait / 1e6);
        return LOG_WARNING;
    } else {
        a->failed++;
        snprintf(msg, n,
                 "alert webhook %s: alert %s (%s) not delivered: %s; given up after %u attempts",
                 a->log_url, e->name, state, why, e->tries);
        level = LOG_ERR;
        e->tries = 0;
    }
    /* delivered, or given up on */
    if (gen != e->gen) {
        e->due_us = now; /* a newer state arrived while this one was sent */
    } else {
        e->done = gen;
        if (!e->firing)
            remove_entry(a, e); /* resolved: sent once */
        else
            e->due_us = a->repeat_us ? now + a->repeat_us : NEVER;
    }
    return level;
}

static void *run(void *arg)
{
    bd_alerter *a = arg;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        int64_t now = mono_us();
        entry *e = NULL;
        int64_t due = NEVER;
        for (size_t i = 0; i < a->n; i++) {
            entry *x = a->tab[i];
            /* at the stop only undelivered states are flushed, no repeats */
            if (a->stopping && x->done == x->gen) continue;
            if (x->due_us < due) {
                due = x->due_us;
                e = x;
            }
        }
        if (a->stopping && (!e || now >= a->deadline_us)) break;
        if (!e || due > now) {
            wait_until(a, a->stopping && a->deadline_us < due ? a->deadline_us : due);
            continue;
        }
        char *body = strdup(e->body);
        uint64_t gen = e->gen;
        unsigned timeout_ms = a->timeout_ms;
        if (a->stopping && (a->deadline_us - now) / 1000 + 1 < timeout_ms)
            timeout_ms = (unsigned)((a->deadline_us - now) / 1000 + 1);
        pthread_mutex_unlock(&a->mu);

        char why[512] = "out of memory";
        int ok = body && post(a, body, timeout_ms, why, sizeof why) == 0;
        free(body);

        pthread_mutex_lock(&a->mu);
        char msg[1024];
        int level = settle(a, e, gen, ok, why, msg, sizeof msg);
        if (msg[0]) {
            /* never call out with the lock held: the callback may be slow */
            pthread_mutex_unlock(&a->mu);
            say(a, level, "%s", msg);
            pthread_mutex_lock(&a->mu);
        }
    }
    size_t left = 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->tab[i]->done != a->tab[i]->gen) left++;
    a->failed += left;
    pthread_mutex_unlock(&a->mu);
    if (left)
        say(a, LOG_WARNING, "alert webhook %s: stopped with %zu alert notification%s undelivered",
            a->log_url, left, left == 1 ? "" : "s");
    return NULL;
}

bd_alerter *bd_alerter_new(const bd_alerter_opts *o, bd_err *err)
{
    const char *why = NULL;
    char *log_url = o->url ? safe_url(o->url, &why) : NULL;
    if (!log_url) {
        /* the URL itself is not repeated: it may hold a password */
        bd_err_set(err, BD_ERR_UNSUPPORTED, "alert webhook URL: %s",
                   o->url && *o->url ? (why ? why : "not an http(s) URL") : "empty");
        return NULL;
    }
    bd_alerter *a = calloc(1, sizeof *a);
    if (!a) {
        free(log_url);
        bd_err_set(err, BD_ERR_NOMEM, "alert webhook: out of memory");
        return NULL;
    }
    a->log_url = log_url;
    a->url = strdup(o->url);
    a->generator_url = o->generator_url && *o->generator_url ? strdup(o->generator_url) : NULL;
    a->timeout_ms = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
    a->retries = o->retries;
    a->repeat_us = o->repeat_s > 0 ? (int64_t)(o->repeat_s * 1e6) : 0;
    a->log = o->log;
    a->ctx = o->ctx;
    atomic_init(&a->abort_at_us, NEVER);

    /* reference-counted and thread-safe in libcurl >= 7.84; paired with the
     * cleanup in bd_alerter_free() */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        bd_err_set(err, BD_ERR_IO, "alert webhook %s: libcurl does not initialise", a->log_url);
        free(a->url);
        free(a->generator_url);
        free(a->log_url);
        free(a);
        return NULL;
    }
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    /* no "Expect: 100-continue" round trip for bodies over 1 KiB */
    if (h) a->headers = curl_slist_append(h, "Expect:");
    if (!a->headers) curl_slist_free_all(h);
    a->curl = curl_easy_init();
    if (!a->url || (o->generator_url && *o->generator_url && !a->generator_url) || !a->headers ||
        !a->curl) {
        bd_err_set(err, BD_ERR_NOMEM, "alert webhook %s: out of memory", a->log_url);
        goto fail;
    }
    CURL *c = a->curl;
    curl_easy_setopt(c, CURLOPT_URL, a->url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, a->headers);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "binlogd");
    /* signals would reach the daemon's threads; timeouts work without them */
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, a->curl_err);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, a);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#endif

    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* deadlines immune to clock steps */
    pthread_cond_init(&a->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&a->mu, NULL);
    int rc = pthread_create(&a->thread, NULL, run, a);
    if (!rc) pthread_setname_np(a->thread, "bd-webhook");
    if (rc) {
        bd_err_set(err, BD_ERR_IO, "alert webhook %s: cannot start the sending thread: %s",
                   a->log_url, strerror(rc));
        pthread_cond_destroy(&a->cv);
        pthread_mutex_destroy(&a->mu);
        goto fail;
    }
    return a;
fail:
    curl_easy_cleanup(a->curl);
    curl_slist_free_all(a->headers);
    curl_global_cleanup();
    free(a->url);
    free(a->generator_url);
    free(a->log_url);
    free(a);
    return NULL;
}

void bd_alerter_free(bd_alerter *a, unsigned timeout_ms)
{
    if (!a) return;
    pthread_mutex_lock(&a->mu);
    a->stopping = 1;
    a->deadline_us = mono_us() + (int64_t)timeout_ms * 1000;
    atomic_store(&a->abort_at_us, a->deadline_us);
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->thread, NULL);

    for (size_t i = 0; i < a->n; i++)
        entry_free(a->tab[i]);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    curl_easy_cleanup(a->curl);
    curl_slist_free_all(a->headers);
    curl_global_cleanup();
    free(a->url);
    free(a->generator_url);
    free(a->log_url);
    free(a);
}

/* The new state as an entry (key, body, name), or NULL with why. */
static entry *build(bd_alerter *a, const bd_alert *al, const char **why)
{
    json_t *labels = json_object(), *ann = json_object(), *obj = json_object();
    json_t *arr = json_array();
    entry *e = calloc(1, sizeof *e);
    const char *name = NULL;
    *why = "out of memory";
    if (!labels || !ann || !obj || !arr || !e) goto fail;
    for (unsigned i = 0; i < al->nlabels; i++) {
        const char *k = al->labels[2 * i], *v = al->labels[2 * i + 1];
        if (!k || !*k || !v) {
            *why = "a label without a name or value";
            goto fail;
        }
        json_t *s = json_string(v);
        if (!s || json_object_set_new(labels, k, s)) {
            *why = "a label that is not UTF-8";
            goto fail;
        }
        if (!strcmp(k, "alertname")) name = v;
    }
    if (!name || !*name) {
        *why = "no alertname label";
        goto fail;
    }
    snprintf(e->name, sizeof e->name, "%s", name);
    if ((al->summary && json_object_set_new(ann, "summary", json_string(al->summary))) ||
        (al->description &&
         json_object_set_new(ann, "description", json_string(al->description)))) {
        *why = "a summary or description that is not UTF-8";
        goto fail;
    }
    char ts[64];
    int bad = json_object_set(obj, "labels", labels) || json_object_set(obj, "annotations", ann);
    if (al->starts_us > 0) {
        rfc3339(ts, sizeof ts, al->starts_us);
        bad |= json_object_set_new(obj, "startsAt", json_string(ts));
    }
    if (!al->firing) {
        /* Alertmanager resolves an alert whose endsAt has passed */
        rfc3339(ts, sizeof ts, al->ends_us > 0 ? al->ends_us : wall_us());
        bad |= json_object_set_new(obj, "endsAt", json_string(ts));
    }
    if (a->generator_url)
        bad |= json_object_set_new(obj, "generatorURL", json_string(a->generator_url));
    if (bad || json_array_append(arr, obj)) goto fail;
    e->key = json_dumps(labels, JSON_COMPACT | JSON_SORT_KEYS);
    e->body = json_dumps(arr, JSON_COMPACT);
    if (!e->key || !e->body) goto fail;
    e->firing = al->firing != 0;
    json_decref(labels);
    json_decref(ann);
    json_decref(obj);
    json_decref(arr);
    return e;
fail:
    json_decref(labels);
    json_decref(ann);
    json_decref(obj);
    json_decref(arr);
    entry_free(e);
    return NULL;
}

void bd_alerter_update(bd_alerter *a, const bd_alert *al)
{
    if (!a || !al) return;
    const char *why = NULL;
    entry *n = build(a, al, &why);
    if (!n) {
        pthread_mutex_lock(&a->mu);
        a->failed++;
        pthread_mutex_unlock(&a->mu);
        say(a, LOG_ERR, "alert webhook %s: an alert not sent: %s", a->log_url, why);
        return;
    }
    int64_t now = mono_us();
    entry *old = NULL;
    pthread_mutex_lock(&a->mu);
    entry *e = NULL;
    for (size_t i = 0; i < a->n && !e; i++)
        if (!strcmp(a->tab[i]->key, n->key)) e = a->tab[i];
    if (e) {
        /* merged: the newest state replaces one not yet sent */
        char *body = e->body;
        e->body = n->body;
        n->body = body;
        e->firing = n->firing;
        old = n;
    } else if (a->n == MAX_ALERTS) {
        a->failed++;
        old = n;
    } else {
        e = a->tab[a->n++] = n;
    }
    if (e) {
        e->gen++;
        /* while retrying, the new state waits for the retry's backoff */
        if (!e->tries) e->due_us = now;
        pthread_cond_signal(&a->cv);
    }
    pthread_mutex_unlock(&a->mu);
    if (!e)
        say(a, LOG_ERR, "alert webhook %s: alert %s not queued: %d distinct alerts already held",
            a->log_url, old->name, MAX_ALERTS);
    entry_free(old);
}

void bd_alerter_counts(bd_alerter *a, uint64_t *sent, uint64_t *failed)
{
    pthread_mutex_lock(&a->mu);
    if (sent) *sent = a->sent;
    if (failed) *failed = a->failed;
    pthread_mutex_unlock(&a->mu);
}
