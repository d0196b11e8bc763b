/* kafka.c - see include/binlogd/kafka.h. */
#include "binlogd/kafka.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define TOPIC_CACHE 256

/* A topic's partition count as first read: BD_KAFKA_PARTS_FIRST answers
 * it for the life of the producer. */
struct parts_slot {
    char *name; /* NULL: an empty slot */
    int32_t first;
};

struct bd_kafka {
    rd_kafka_t *rk;
    rd_kafka_queue_t *mainq;
    int pipefd[2]; /* [0] is bd_kafka_fd; librdkafka writes [1] */
    /* held by the thread that serves the main queue (callbacks run on it):
     * the loop's bd_kafka_poll only tries it, a commit or a flush waits */
    pthread_mutex_t serve_mu;
    /* produced and not yet reported: rd_kafka_outq_len() also counts
     * requests that are not messages, so it cannot answer this */
    atomic_size_t in_flight;
    int murmur2_keys; /* the partitioner places a key by murmur2 (bd_kafka_partition_of) */
    void (*on_delivery)(void *ctx, const bd_kafka_report *r);
    void (*log)(void *ctx, int level, const char *msg);
    void *ctx;
    /* topic handles of the producing thread: looking a topic up by name in
     * librdkafka takes a lock and a hash per message; consecutive messages
     * mostly go to the same topic */
    struct topic_slot {
        char *name;
        rd_kafka_topic_t *rkt;
    } topics[TOPIC_CACHE];
    size_t ntopics, last;
    /* the partition counts kept (see parts_slot), of every topic asked
     * for, not only of those with a handle above: open addressing by name,
     * linear probing, parts_cap a power of two (0 before the first), at
     * most half full; the producing thread's */
    struct parts_slot *parts;
    size_t nparts, parts_cap;
};

/* Defaults, set before the caller's properties so that any of them can be
 * overridden (and then checked by check_safety). */
static const char *const defaults[][2] = {
    {"enable.idempotence", "true"},
    {"acks", "all"},
    {"compression.type", "lz4"},
    {"partitioner", "murmur2_random"},
};

#define say(k, level, ...) bd_logf((k)->log, (k)->ctx, level, __VA_ARGS__)

int bd_kafka_secret_property(const char *name)
{
    return strstr(name, "password") || strstr(name, "secret") || strcmp(name, "ssl.key.pem") == 0 ||
           strcmp(name, "sasl.oauthbearer.config") == 0;
}

void bd_kafka_chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
}

const char *bd_kafka_user_setting(const char *const *conf, size_t nconf, const char *name,
                                  const char *alias, const char **spelling)
{
    const char *v = NULL;
    for (size_t i = 0; i < nconf; i++) {
        const char *n = conf[2 * i];
        if (strcmp(n, name) == 0 || (alias && strcmp(n, alias) == 0)) {
            v = conf[2 * i + 1];
            *spelling = n;
        }
    }
    return v;
}

static int set_prop(rd_kafka_conf_t *conf, const char *name, const char *value, bd_err *err)
{
    char es[512];
    if (rd_kafka_conf_set(conf, name, value, es, sizeof es) == RD_KAFKA_CONF_OK) return 0;
    bd_kafka_chomp(es);
    if (bd_kafka_secret_property(name)) {
        /* the message may quote the value */
        return bd_err_set(err, BD_ERR_UNSUPPORTED, "kafka.%s=(secret): %s", name,
                          strstr(es, value) && *value ? "invalid value" : es);
    }
    return bd_err_set(err, BD_ERR_UNSUPPORTED, "kafka.%s=%s: %s", name, value, es);
}

int bd_kafka_property_check(const char *name, const char *value, char *msg, size_t n)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!conf) {
        snprintf(msg, n, "out of memory");
        return -1;
    }
    char es[512];
    int ok = rd_kafka_conf_set(conf, name, value, es, sizeof es) == RD_KAFKA_CONF_OK;
    rd_kafka_conf_destroy(conf);
    if (ok) return 0;
    bd_kafka_chomp(es);
    snprintf(msg, n, "%s",
             bd_kafka_secret_property(name) && *value && strstr(es, value) ? "invalid value" : es);
    return -1;
}

static int get_prop(rd_kafka_conf_t *conf, const char *name, char *buf, size_t size)
{
    size_t n = size;
    if (rd_kafka_conf_get(conf, name, buf, &n) != RD_KAFKA_CONF_OK) {
        buf[0] = '\0';
        return -1;
    }
    return 0;
}

/* Read back what librdkafka made of defaults plus the caller's settings:
 * aliases (request.required.acks) and spellings (all, -1) are normalised
 * there, so checking the result is simpler than checking the input. */
static int check_safety(bd_kafka *k, const bd_kafka_opts *o, rd_kafka_conf_t *conf, bd_err *err)
{
    char acks[32], idem[32];
    get_prop(conf, "acks", acks, sizeof acks);
    get_prop(conf, "enable.idempotence", idem, sizeof idem);
    int acks_unsafe = strcmp(acks, "-1") != 0;
    int idem_unsafe = strcmp(idem, "true") != 0;
    if (!acks_unsafe && !idem_unsafe) return 0;
    /* the caller's own spelling and value, else librdkafka's */
    const char *n = acks_unsafe ? "acks" : "enable.idempotence";
    const char *v = bd_kafka_user_setting(o->conf, o->nconf, n,
                                          acks_unsafe ? "request.required.acks" : NULL, &n);
    if (!v) v = acks_unsafe ? acks : idem;
    if (!o->allow_unsafe) {
        return bd_err_set(err, BD_ERR_UNSUPPORTED,
                          "kafka.%s=%s: refused: %s (set allow_unsafe to accept it)", n, v,
                          acks_unsafe ? "messages could be lost (acks must be all)"
                                      : "retries could lose, reorder or duplicate messages "
                                        "(enable.idempotence must be true)");
    }
    say(k, LOG_WARNING, "kafka: unsafe settings accepted (allow_unsafe): acks=%s%s", acks,
        idem_unsafe ? " enable.idempotence=false" : "");
    return 0;
}

/* Why a message was not delivered, in words an operator can act on where
 * librdkafka's own ("Broker: Unknown topic or partition") leaves the
 * cause to be guessed. */
static const char *report_reason(rd_kafka_resp_err_t e)
{
    switch (e) {
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
        return "the topic does not exist and the broker did not create it "
               "(the broker's auto.create.topics.enable, or kafka.allow.auto.create.topics, "
               "is false): create the topic, then start again";
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
        return "this client may not write to the topic (Kafka ACLs): grant it WRITE and "
               "DESCRIBE on the topic";
    default: return rd_kafka_err2str(e);
    }
}

static int is_fencing(rd_kafka_resp_err_t e)
{
    return e == RD_KAFKA_RESP_ERR__FENCED || e == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
           e == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH;
}

int bd_kafka_fenced(bd_kafka *k)
{
    char why[8];
    return is_fencing(rd_kafka_fatal_error(k->rk, why, sizeof why));
}

static void on_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    bd_kafka *k = opaque;
    bd_kafka_report r = {
        .opaque = m->_private,
        .err = m->err,
        /* not rd_kafka_message_errstr(): for a producer it returns the
         * payload (not NUL-terminated) as the "error string" */
        .errstr = m->err ? report_reason(m->err) : NULL,
        .too_large = m->err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE,
        .topic = rd_kafka_topic_name(m->rkt),
        .partition = m->partition,
        .offset = m->err ? -1 : m->offset,
        .len = m->len + m->key_len,
        .purged =
            m->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || m->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT,
        .fenced = is_fencing(m->err) || (m->err == RD_KAFKA_RESP_ERR__FATAL && bd_kafka_fenced(k)),
    };
    /* before the callback, which may well ask whether anything is left */
    atomic_fetch_sub(&k->in_flight, 1);
    if (k->on_delivery) k->on_delivery(k->ctx, &r);
}

static void on_error(rd_kafka_t *rk, int e, const char *reason, void *opaque)
{
    bd_kafka *k = opaque;
    if (e == RD_KAFKA_RESP_ERR__FATAL) {
        char why[512];
        rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, why, sizeof why);
        say(k, LOG_ERR, "kafka: fatal error: %s: %s", rd_kafka_err2name(orig), why);
        return;
    }
    /* librdkafka recovers from these by itself (brokers down, timeouts) */
    say(k, LOG_WARNING, "kafka: %s: %s", rd_kafka_err2name(e), reason);
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    bd_kafka *k = rd_kafka_opaque(rk);
    if (k) say(k, level, "kafka: %s: %s", fac, buf);
}

static void drain(bd_kafka *k)
{
    /* librdkafka writes a byte a wake-up: a short read emptied the pipe,
     * no second read to hear EAGAIN (a byte that comes after it is read at
     * the next wake-up, which it causes) */
    char b[256];
    while (read(k->pipefd[0], b, sizeof b) == (ssize_t)sizeof b)
        ;
}

/* librdkafka's configuration from the defaults and the caller's settings,
 * refused as bd_kafka_new() refuses it; NULL with err. */
static rd_kafka_conf_t *build_conf(bd_kafka *k, const bd_kafka_opts *o, bd_err *err)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        if (set_prop(conf, defaults[i][0], defaults[i][1], err) < 0) goto fail;
    for (size_t i = 0; i < o->nconf; i++) {
        assert(o->conf[2 * i] && o->conf[2 * i + 1]);
        if (set_prop(conf, o->conf[2 * i], o->conf[2 * i + 1], err) < 0) goto fail;
    }
    if (o->transactional_id && set_prop(conf, "transactional.id", o->transactional_id, err) < 0)
        goto fail;
    /* Logs go to the main queue and are served by bd_kafka_poll on the
     * caller's thread, like everything else; otherwise librdkafka calls the
     * log callback from its own threads.  Set last: not the caller's choice. */
    if (set_prop(conf, "log.queue", "true", err) < 0) goto fail;

    char v[256];
    if (get_prop(conf, "bootstrap.servers", v, sizeof v) < 0 || !v[0]) {
        /* the mock cluster of the unit tests needs no servers */
        if (get_prop(conf, "test.mock.num.brokers", v, sizeof v) < 0 || atoi(v) <= 0) {
            bd_err_set(err, BD_ERR_UNSUPPORTED, "kafka.bootstrap.servers is required");
            goto fail;
        }
    }
    if (check_safety(k, o, conf, err) < 0) goto fail;
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

int bd_kafka_check_settings(const bd_kafka_opts *o, bd_err *err)
{
    bd_kafka k;
    memset(&k, 0, sizeof k); /* no log: the check says nothing on success */
    rd_kafka_conf_t *conf = build_conf(&k, o, err);
    if (!conf) return -1;
    rd_kafka_conf_destroy(conf);
    return 0;
}

bd_kafka *bd_kafka_new(const bd_kafka_opts *o, bd_err *err)
{
    bd_kafka *k = calloc(1, sizeof *k);
    if (!k) {
        bd_err_set(err, BD_ERR_NOMEM, "kafka: out of memory");
        return NULL;
    }
    atomic_init(&k->in_flight, 0);
    pthread_mutex_init(&k->serve_mu, NULL);
    k->on_delivery = o->on_delivery;
    k->log = o->log;
    k->ctx = o->ctx;
    k->pipefd[0] = k->pipefd[1] = -1;
    if (pipe2(k->pipefd, O_NONBLOCK | O_CLOEXEC) < 0) {
        bd_err_set(err, BD_ERR_IO, "kafka: pipe: %s", strerror(errno));
        free(k);
        return NULL;
    }

    rd_kafka_conf_t *conf = build_conf(k, o, err);
    if (!conf) goto fail;
    char part[32];
    get_prop(conf, "partitioner", part, sizeof part);
    k->murmur2_keys = !strcmp(part, "murmur2") || !strcmp(part, "murmur2_random");

    rd_kafka_conf_set_opaque(conf, k);
    rd_kafka_conf_set_dr_msg_cb(conf, on_dr);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_log_cb(conf, on_log);

    char es[512];
    k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, es, sizeof es);
    if (!k->rk) {
        bd_kafka_chomp(es);
        bd_err_set(err, BD_ERR_UNSUPPORTED, "kafka: %s", es);
        goto fail;
    }
    conf = NULL; /* owned by rk now */
    rd_kafka_resp_err_t e = rd_kafka_set_log_queue(k->rk, NULL);
    if (e) {
        bd_err_set(err, BD_ERR_UNSUPPORTED, "kafka: log queue: %s", rd_kafka_err2str(e));
        goto fail;
    }
    /* The classic callbacks plus a wake-up fd rather than the event API:
     * with the event API, flush and the transactional calls cannot serve
     * delivery reports themselves (probe.md section 5). */
    k->mainq = rd_kafka_queue_get_main(k->rk);
    rd_kafka_queue_io_event_enable(k->mainq, k->pipefd[1], "1", 1);
    /* librdkafka writes only when the queue turns non-empty, and it may
     * not be empty now (rd_kafka_new's own log lines): without this first
     * wake-up the fd would never fire. */
    if (write(k->pipefd[1], "1", 1) < 0) {
        bd_err_set(err, BD_ERR_IO, "kafka: pipe: %s", strerror(errno));
        goto fail;
    }
    return k;
fail:
    if (conf) rd_kafka_conf_destroy(conf);
    bd_kafka_free(k);
    return NULL;
}

void bd_kafka_free(bd_kafka *k)
{
    if (!k) return;
    if (k->rk) {
        /* No callback from here on: the caller may already have released
         * what they use (the daemon destroys its loop first).  Reports not
         * served yet are dropped with the producer. */
        k->on_delivery = NULL;
        k->log = NULL;
        if (k->mainq) {
            rd_kafka_queue_io_event_enable(k->mainq, -1, NULL, 0);
            rd_kafka_queue_destroy(k->mainq);
        }
        for (size_t i = 0; i < k->ntopics; i++) {
            rd_kafka_topic_destroy(k->topics[i].rkt);
            free(k->topics[i].name);
        }
        rd_kafka_destroy(k->rk);
    }
    for (size_t i = 0; i < k->parts_cap; i++)
        free(k->parts[i].name);
    free(k->parts);
    /* after rd_kafka_destroy: librdkafka's threads may write to [1] until then */
    if (k->pipefd[0] >= 0) close(k->pipefd[0]);
    if (k->pipefd[1] >= 0) close(k->pipefd[1]);
    pthread_mutex_destroy(&k->serve_mu);
    free(k);
}

int bd_kafka_fd(const bd_kafka *k) { return k->pipefd[0]; }

int bd_kafka_poll(bd_kafka *k)
{
    /* Drain first: librdkafka writes one wake-up per idle-to-busy change
     * and re-arms when the queue is served, so an event queued after the
     * poll below writes again and is not lost. */
    drain(k);
    /* another thread serves the queue now (a commit, a flush): it wakes
     * the fd when it is done, for what it left */
    if (pthread_mutex_trylock(&k->serve_mu) != 0) return 0;
    int n = rd_kafka_poll(k->rk, 0);
    pthread_mutex_unlock(&k->serve_mu);
    return n;
}

/* Serve the queue as a blocking call does: alone; then wake the fd, so
 * that a poller that found the queue taken looks again. */
static void serve_begin(bd_kafka *k)
{
    pthread_mutex_lock(&k->serve_mu);
    drain(k); /* the call serves the queue: the wake-ups are stale */
}

static void serve_end(bd_kafka *k)
{
    if (write(k->pipefd[1], "1", 1) < 0) {
        /* full: a wake-up is pending anyway */
    }
    pthread_mutex_unlock(&k->serve_mu);
}

/* The cached handle of topic, created on first use; NULL when the cache is
 * full or librdkafka refuses (the caller then produces by name). */
static rd_kafka_topic_t *topic_handle(bd_kafka *k, const char *topic)
{
    if (k->ntopics && !strcmp(k->topics[k->last].name, topic)) return k->topics[k->last].rkt;
    for (size_t i = 0; i < k->ntopics; i++) {
        if (!strcmp(k->topics[i].name, topic)) {
            k->last = i;
            return k->topics[i].rkt;
        }
    }
    if (k->ntopics == TOPIC_CACHE) return NULL;
    char *name = strdup(topic);
    rd_kafka_topic_t *rkt = name ? rd_kafka_topic_new(k->rk, topic, NULL) : NULL;
    if (!rkt) {
        free(name);
        return NULL;
    }
    k->topics[k->ntopics].name = name;
    k->topics[k->ntopics].rkt = rkt;
    k->last = k->ntopics++;
    return rkt;
}

enum bd_kafka_produce_result bd_kafka_produce(bd_kafka *k, const char *topic, const void *key,
                                              size_t key_len, const void *value, size_t value_len,
                                              const bd_kafka_header *headers, size_t nheaders,
                                              void *opaque, bd_err *err)
{
    bd_kafka_msg m = {topic,     BD_KAFKA_BY_KEY, key,      key_len, value,
                      value_len, headers,         nheaders, opaque};
    return bd_kafka_send(k, &m, err);
}

enum bd_kafka_produce_result bd_kafka_send(bd_kafka *k, const bd_kafka_msg *m, bd_err *err)
{
    const char *topic = m->topic;
    size_t nheaders = m->nheaders;
    rd_kafka_vu_t stack[16], *vu = stack;
    size_t n = 0, cap = sizeof stack / sizeof stack[0];
    if (nheaders > cap - 6) {
        cap = nheaders + 6;
        vu = malloc(cap * sizeof *vu);
        if (!vu) {
            bd_err_set(err, BD_ERR_NOMEM, "%s: out of memory", topic);
            return BD_KAFKA_FAILED;
        }
    }
    rd_kafka_topic_t *rkt = m->any_thread ? NULL : topic_handle(k, topic);
    if (rkt) {
        vu[n].vtype = RD_KAFKA_VTYPE_RKT;
        vu[n++].u.rkt = rkt;
    } else {
        vu[n].vtype = RD_KAFKA_VTYPE_TOPIC;
        vu[n++].u.cstr = topic;
    }
    if (m->partition >= 0) {
        vu[n].vtype = RD_KAFKA_VTYPE_PARTITION;
        vu[n++].u.i32 = m->partition;
    }
    if (m->key) {
        vu[n].vtype = RD_KAFKA_VTYPE_KEY;
        vu[n].u.mem.ptr = (void *)m->key; /* copied: RD_KAFKA_MSG_F_COPY */
        vu[n++].u.mem.size = m->key_len;
    }
    /* a NULL value is a null value: a tombstone */
    vu[n].vtype = RD_KAFKA_VTYPE_VALUE;
    vu[n].u.mem.ptr = (void *)m->value;
    vu[n++].u.mem.size = m->value ? m->value_len : 0;
    vu[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
    vu[n++].u.ptr = m->opaque;
    vu[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vu[n++].u.i = RD_KAFKA_MSG_F_COPY;
    for (size_t i = 0; i < nheaders; i++) {
        vu[n].vtype = RD_KAFKA_VTYPE_HEADER;
        vu[n].u.header.name = m->headers[i].name;
        vu[n].u.header.val = m->headers[i].value;
        vu[n++].u.header.size = m->headers[i].value ? (ssize_t)m->headers[i].len : 0;
    }

    /* Counted before the call: the report may be served on the loop's
     * thread before rd_kafka_produceva() returns on this one. */
    atomic_fetch_add(&k->in_flight, 1);
    rd_kafka_error_t *e = rd_kafka_produceva(k->rk, vu, n);
    if (vu != stack) free(vu);
    if (!e) return BD_KAFKA_QUEUED;
    atomic_fetch_sub(&k->in_flight, 1);

    enum bd_kafka_produce_result res = BD_KAFKA_FAILED;
    size_t len = m->key_len + m->value_len;
    switch (rd_kafka_error_code(e)) {
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
        bd_err_set(err, BD_ERR_IO, "%s: local queue full (%zu messages in flight)", topic,
                   bd_kafka_in_flight(k));
        res = BD_KAFKA_FULL;
        break;
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
        bd_err_set(err, BD_ERR_UNSUPPORTED,
                   "%s: message of %zu bytes is larger than kafka.message.max.bytes", topic, len);
        res = BD_KAFKA_TOO_LARGE;
        break;
    default:
        /* e.g. after a fatal error: "Producing not allowed since a
         * previous fatal error was raised: <the reason>" */
        bd_err_set(err, BD_ERR_IO, "%s: produce: %s", topic, rd_kafka_error_string(e));
        break;
    }
    rd_kafka_error_destroy(e);
    return res;
}

int bd_kafka_keys_murmur2(const bd_kafka *k) { return k->murmur2_keys; }

int32_t bd_kafka_partition_of(const void *key, size_t len, int32_t partitions)
{
    /* librdkafka's own murmur2 partitioner (the Java client's): it uses
     * neither the topic nor the opaques */
    return rd_kafka_msg_partitioner_murmur2(NULL, key, len, partitions, NULL, NULL);
}

/* FNV-1a: topic names are short and few */
static size_t name_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3u;
    return (size_t)(h ^ h >> 32);
}

/* The slot of topic in the partition-count table: its own, or the empty
 * one where it would go.  The table must have a free slot. */
static struct parts_slot *parts_find(struct parts_slot *t, size_t cap, const char *topic)
{
    size_t i = name_hash(topic) & (cap - 1);
    while (t[i].name && strcmp(t[i].name, topic))
        i = (i + 1) & (cap - 1);
    return &t[i];
}

/* Keep topic's first count: -1 when out of memory. */
static int parts_add(bd_kafka *k, const char *topic, int32_t cnt)
{
    if (2 * (k->nparts + 1) > k->parts_cap) {
        size_t cap = k->parts_cap ? 2 * k->parts_cap : 64;
        struct parts_slot *t = calloc(cap, sizeof *t);
        if (!t) return -1;
        for (size_t i = 0; i < k->parts_cap; i++)
            if (k->parts[i].name) *parts_find(t, cap, k->parts[i].name) = k->parts[i];
        free(k->parts);
        k->parts = t;
        k->parts_cap = cap;
    }
    struct parts_slot *s = parts_find(k->parts, k->parts_cap, topic);
    assert(!s->name);
    if (!(s->name = strdup(topic))) return -1;
    s->first = cnt;
    k->nparts++;
    return 0;
}

/* The number of partitions of topic in the cluster's metadata now: > 0,
 * or -1 with err. */
static int32_t parts_read(bd_kafka *k, const char *topic, int timeout_ms, bd_err *err)
{
    /* The cached handle (created here when there is room: the topic is
     * produced to next), else one for this request only: the metadata
     * request takes a handle, not a name. */
    rd_kafka_topic_t *own = NULL, *rkt = topic_handle(k, topic);
    if (!rkt && !(rkt = own = rd_kafka_topic_new(k->rk, topic, NULL))) {
        rd_kafka_resp_err_t e = rd_kafka_last_error();
        return bd_err_set(err, e ? BD_ERR_UNSUPPORTED : BD_ERR_NOMEM,
                          "%.300s: librdkafka refused a handle for the topic: %s", topic,
                          e ? rd_kafka_err2str(e) : strerror(errno));
    }
    /* A topic that does not exist yet may be created by the metadata
     * request itself (auto.create.topics.enable): the first answers then
     * say it is unknown or has no leader yet, so ask again for a while. */
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rd_kafka_resp_err_t last = RD_KAFKA_RESP_ERR_NO_ERROR;
    int32_t cnt = -1;
    for (;;) {
        const struct rd_kafka_metadata *md = NULL;
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        long spent = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
        int left = timeout_ms - (int)spent;
        if (left <= 0) break;
        last = rd_kafka_metadata(k->rk, 0, rkt, &md, left);
        if (!last && md->topic_cnt == 1) {
            last = md->topics[0].err;
            int32_t n = md->topics[0].partition_cnt;
            rd_kafka_metadata_destroy(md);
            if (!last && n > 0) {
                cnt = n;
                break;
            }
        } else if (md) {
            rd_kafka_metadata_destroy(md);
        }
        if (last == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) break;
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
    if (own) rd_kafka_topic_destroy(own);
    if (cnt > 0) return cnt;
    return bd_err_set(
        err, BD_ERR_IO, "%.300s: the number of partitions is not known after %d ms: %s", topic,
        timeout_ms, last ? report_reason(last) : "the broker gave no partitions for it");
}

int32_t bd_kafka_partitions(bd_kafka *k, const char *topic, enum bd_kafka_parts which,
                            int timeout_ms, bd_err *err)
{
    struct parts_slot *s = k->parts_cap ? parts_find(k->parts, k->parts_cap, topic) : NULL;
    if (which == BD_KAFKA_PARTS_FIRST && s && s->name) return s->first;
    int32_t cnt = parts_read(k, topic, timeout_ms, err);
    if (cnt < 0) return -1;
    /* the first count read, by either kind, is the one kept */
    if ((!s || !s->name) && parts_add(k, topic, cnt) < 0)
        return bd_err_set(err, BD_ERR_NOMEM, "%.300s: out of memory", topic);
    return cnt;
}

size_t bd_kafka_in_flight(const bd_kafka *k) { return atomic_load(&((bd_kafka *)k)->in_flight); }

int bd_kafka_flush(bd_kafka *k, int timeout_ms, bd_err *err)
{
    serve_begin(k);
    rd_kafka_flush(k->rk, timeout_ms);
    serve_end(k);
    size_t left = bd_kafka_in_flight(k);
    if (left == 0) return 0;
    return bd_err_set(err, BD_ERR_IO, "kafka: %zu messages not delivered after %d ms", left,
                      timeout_ms);
}

int bd_kafka_fatal(bd_kafka *k, bd_err *err)
{
    char why[512];
    rd_kafka_resp_err_t e = rd_kafka_fatal_error(k->rk, why, sizeof why);
    if (!e) return 0;
    bd_err_set(err, BD_ERR_IO, "kafka fatal error: %s: %s", rd_kafka_err2name(e), why);
    return 1;
}

/* One transactional call's outcome; err set unless OK. */
static enum bd_kafka_txn_result txn_result(bd_kafka *k, rd_kafka_error_t *e, const char *what,
                                           bd_err *err)
{
    if (!e) return BD_KAFKA_TXN_OK;
    enum bd_kafka_txn_result r = BD_KAFKA_TXN_FATAL;
    rd_kafka_resp_err_t code = rd_kafka_error_code(e);
    char why[512];
    if (code == RD_KAFKA_RESP_ERR__FATAL)
        code = rd_kafka_fatal_error(k->rk, why, sizeof why);
    else
        snprintf(why, sizeof why, "%s", rd_kafka_error_string(e));
    if (is_fencing(code))
        r = BD_KAFKA_TXN_FENCED;
    else if (rd_kafka_error_txn_requires_abort(e))
        r = BD_KAFKA_TXN_ABORTABLE;
    bd_kafka_chomp(why);
    bd_err_set(err, BD_ERR_IO, "kafka: %s: %s (%s)", what, why, rd_kafka_err2name(code));
    rd_kafka_error_destroy(e);
    return r;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum txn_call { TXN_INIT, TXN_COMMIT, TXN_ABORT };

/* A resumable call, again while librdkafka says retriable, up to
 * timeout_ms in all. */
static enum bd_kafka_txn_result txn_call(bd_kafka *k, enum txn_call c, int timeout_ms, bd_err *err)
{
    static const char *const what[] = {"init_transactions", "commit_transaction",
                                       "abort_transaction"};
    int64_t deadline = mono_ms() + timeout_ms;
    for (;;) {
        int left = (int)(deadline - mono_ms());
        if (left < 1000) left = 1000;
        /* commit and abort serve the queue (they flush first) */
        serve_begin(k);
        rd_kafka_error_t *e = c == TXN_INIT     ? rd_kafka_init_transactions(k->rk, left)
                              : c == TXN_COMMIT ? rd_kafka_commit_transaction(k->rk, left)
                                                : rd_kafka_abort_transaction(k->rk, left);
        serve_end(k);
        if (e && rd_kafka_error_is_retriable(e) && mono_ms() < deadline) {
            say(k, LOG_WARNING, "kafka: %s: %s: retrying", what[c], rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
            continue;
        }
        return txn_result(k, e, what[c], err);
    }
}

enum bd_kafka_txn_result bd_kafka_txn_init(bd_kafka *k, int timeout_ms, bd_err *err)
{
    return txn_call(k, TXN_INIT, timeout_ms, err);
}

enum bd_kafka_txn_result bd_kafka_txn_begin(bd_kafka *k, bd_err *err)
{
    return txn_result(k, rd_kafka_begin_transaction(k->rk), "begin_transaction", err);
}

enum bd_kafka_txn_result bd_kafka_txn_commit(bd_kafka *k, int timeout_ms, bd_err *err)
{
    return txn_call(k, TXN_COMMIT, timeout_ms, err);
}

enum bd_kafka_txn_result bd_kafka_txn_abort(bd_kafka *k, int timeout_ms, bd_err *err)
{
    return txn_call(k, TXN_ABORT, timeout_ms, err);
}
