/* test_kafka.c - the producer against librdkafka's in-process mock cluster:
 * delivery reports through the fd, the Java client's murmur2 partitioner,
 * retries that neither lose, duplicate nor reorder, permanent failures, the
 * size limit, refused settings, a full queue, logs served on the
 * polling thread without secrets, and partition counts (any number of
 * topics; the first count kept, the current one on demand).
 *
 * The murmur2 vectors are those of Kafka's own UtilsTest.testMurmur2
 * (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "binlogd/kafka.h"
#include "kmock.h"
#include "testutil.h"

/* Kafka protocol ApiKeys */
enum { API_PRODUCE = 0, API_INIT_PRODUCER_ID = 22 };

/* ---- Java's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), from
 * the algorithm: MurmurHash2, 32-bit, seed 0x9747b28c, little-endian words */
static int32_t java_murmur2(const void *data, size_t len)
{
    const uint8_t *d = data;
    const uint32_t m = 0x5bd1e995;
    const int r = 24;
    uint32_t h = 0x9747b28cu ^ (uint32_t)len;
    size_t i = 0;
    for (; i + 4 <= len; i += 4) {
        uint32_t k =
            d[i] | (uint32_t)d[i + 1] << 8 | (uint32_t)d[i + 2] << 16 | (uint32_t)d[i + 3] << 24;
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    switch (len & 3) {
    case 3: h ^= (uint32_t)d[i + 2] << 16; /* fall through */
    case 2: h ^= (uint32_t)d[i + 1] << 8;  /* fall through */
    case 1: h ^= d[i]; h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return (int32_t)h;
}

/* DefaultPartitioner: toPositive(murmur2(key)) % numPartitions */
static int32_t java_partition(const char *key, int32_t nparts)
{
    return (int32_t)(((uint32_t)java_murmur2(key, strlen(key)) & 0x7fffffff) % (uint32_t)nparts);
}

/* ---- what the callbacks saw */

typedef struct report {
    uintptr_t id; /* the opaque */
    int err;
    int too_large;
    int32_t partition;
    int64_t offset;
    size_t len;
    char topic[32];
    char errstr[200];
} report;

typedef struct rec {
    report *r;
    size_t n, cap;
    size_t in_flight_seen; /* bd_kafka_in_flight() inside the last callback */
    bd_kafka *k;
    pthread_t self;
    int foreign_thread; /* a callback ran on a thread that is not the test's */
    char logs[16384];
    size_t loglen;
} rec;

static void on_delivery(void *ctx, const bd_kafka_report *r)
{
    rec *c = ctx;
    if (!pthread_equal(pthread_self(), c->self)) c->foreign_thread = 1;
    ck_assert(c->n < c->cap);
    report *o = &c->r[c->n++];
    o->id = (uintptr_t)r->opaque;
    o->err = r->err;
    o->too_large = r->too_large;
    o->partition = r->partition;
    o->offset = r->offset;
    o->len = r->len;
    snprintf(o->topic, sizeof o->topic, "%s", r->topic);
    ck_assert(r->err == 0 || r->errstr != NULL);
    snprintf(o->errstr, sizeof o->errstr, "%s", r->errstr ? r->errstr : "");
    if (c->k) c->in_flight_seen = bd_kafka_in_flight(c->k);
}

static void on_log(void *ctx, int level, const char *msg)
{
    rec *c = ctx;
    if (!pthread_equal(pthread_self(), c->self)) c->foreign_thread = 1;
    ck_assert(level >= 0 && level <= 7);
    int n = snprintf(c->logs + c->loglen, sizeof c->logs - c->loglen, "%d %s\n", level, msg);
    if (n > 0) c->loglen += (size_t)n < sizeof c->logs - c->loglen ? (size_t)n : 0;
}

static void rec_init(rec *c, size_t cap)
{
    memset(c, 0, sizeof *c);
    c->r = calloc(cap, sizeof *c->r);
    c->cap = cap;
    c->self = pthread_self();
}

static void rec_free(rec *c) { free(c->r); }

/* bootstrap.servers from m (when given), then the extra name/value pairs */
static bd_kafka *producer(const mock *m, rec *c, const char *const *extra, size_t nextra,
                          int allow_unsafe, bd_err *err)
{
    const char *conf[40];
    size_t n = 0;
    if (m) {
        conf[n++] = "bootstrap.servers";
        conf[n++] = m->bootstraps;
    }
    ck_assert(n + 2 * nextra <= sizeof conf / sizeof conf[0]);
    for (size_t i = 0; i < 2 * nextra; i++)
        conf[n++] = extra[i];
    bd_kafka_opts o = {.conf = conf,
                       .nconf = n / 2,
                       .allow_unsafe = allow_unsafe,
                       .on_delivery = on_delivery,
                       .log = on_log,
                       .ctx = c};
    bd_kafka *k = bd_kafka_new(&o, err);
    if (c) c->k = k;
    return k;
}

static bd_kafka *producer_ok(const mock *m, rec *c, const char *const *extra, size_t nextra)
{
    bd_err err = {0};
    bd_kafka *k = producer(m, c, extra, nextra, 0, &err);
    ck_assert_msg(k != NULL, "%s", err.msg);
    return k;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Serve the producer as the daemon's loop does: sleep in poll(2) on the fd
 * and call bd_kafka_poll when it is readable, until `want` reports are in.
 * A wake-up that never comes fails the test at the deadline. */
static void wait_reports(bd_kafka *k, rec *c, size_t want, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    struct pollfd p = {.fd = bd_kafka_fd(k), .events = POLLIN};
    while (c->n < want) {
        int64_t left = end - now_ms();
        if (left <= 0) fprintf(stderr, "%s", c->logs);
        ck_assert_msg(left > 0, "%zu of %zu reports after %d ms", c->n, want, timeout_ms);
        int r = poll(&p, 1, (int)left);
        ck_assert(r >= 0);
        if (r > 0) bd_kafka_poll(k);
    }
}

/* Serve for ms milliseconds: nothing more may be reported. */
static void serve_for(bd_kafka *k, int ms)
{
    int64_t end = now_ms() + ms;
    struct pollfd p = {.fd = bd_kafka_fd(k), .events = POLLIN};
    for (int64_t left; (left = end - now_ms()) > 0;)
        if (poll(&p, 1, (int)left) > 0) bd_kafka_poll(k);
}

static enum bd_kafka_produce_result produce(bd_kafka *k, const char *topic, const char *key,
                                            const char *value, uintptr_t id)
{
    bd_err err = {0};
    enum bd_kafka_produce_result r = bd_kafka_produce(k, topic, key, key ? strlen(key) : 0, value,
                                                      strlen(value), NULL, 0, (void *)id, &err);
    ck_assert_msg(r == BD_KAFKA_QUEUED, "%d: %s", r, err.msg);
    return r;
}

/* ---- reading back what the mock cluster stored */

typedef void (*consume_fn)(void *ctx, const rd_kafka_message_t *m);

/* Read `want` messages of topic's partitions from the beginning (the
 * legacy consumer: no group needed), then check that nothing more comes. */
static void consume_all(const mock *m, const char *topic, int nparts, size_t want, consume_fn fn,
                        void *ctx)
{
    char es[256];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(c, mock_quiet);
    ck_assert(rd_kafka_conf_set(c, "bootstrap.servers", m->bootstraps, es, sizeof es) == 0);
    ck_assert(rd_kafka_conf_set(c, "fetch.wait.max.ms", "10", es, sizeof es) == 0);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, es, sizeof es);
    ck_assert_msg(rk != NULL, "%s", es);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    for (int p = 0; p < nparts; p++)
        ck_assert(rd_kafka_consume_start(rkt, p, RD_KAFKA_OFFSET_BEGINNING) == 0);
    size_t got = 0;
    int64_t end = now_ms() + 10000, quiet_until = 0;
    while (got < want || now_ms() < quiet_until) {
        ck_assert_msg(now_ms() < end, "consumed %zu of %zu", got, want);
        for (int p = 0; p < nparts; p++) {
            rd_kafka_message_t *msg;
            while ((msg = rd_kafka_consume(rkt, p, 5)) != NULL) {
                if (!msg->err) {
                    got++;
                    fn(ctx, msg);
                }
                rd_kafka_message_destroy(msg);
            }
        }
        if (got >= want && !quiet_until) quiet_until = now_ms() + 100;
    }
    ck_assert_uint_eq(got, want);
    for (int p = 0; p < nparts; p++)
        rd_kafka_consume_stop(rkt, p);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
}

/* ---- 1. reports through the fd */

enum { N1 = 1000, P1 = 4 };

typedef struct seen {
    int64_t next[8]; /* per partition: the offset expected next */
    unsigned count[N1 + 1];
} seen;

static void check_consumed1(void *ctx, const rd_kafka_message_t *msg)
{
    seen *s = ctx;
    unsigned id;
    char want[64], key[16];
    ck_assert(msg->key && msg->key_len < sizeof key && msg->len < sizeof want);
    memcpy(key, msg->key, msg->key_len); /* not NUL-terminated */
    key[msg->key_len] = '\0';
    ck_assert(sscanf(key, "k%u", &id) == 1 && id >= 1 && id <= N1);
    s->count[id]++;
    snprintf(want, sizeof want, "value %u", id);
    ck_assert_uint_eq(msg->len, strlen(want));
    ck_assert(memcmp(msg->payload, want, msg->len) == 0);

    rd_kafka_headers_t *h = NULL;
    ck_assert(rd_kafka_message_headers(msg, &h) == 0);
    ck_assert_uint_eq(rd_kafka_header_cnt(h), 3);
    const void *v;
    size_t vl;
    ck_assert(rd_kafka_header_get_last(h, "seq", &v, &vl) == 0);
    snprintf(want, sizeof want, "%u", id);
    ck_assert(vl == strlen(want) && memcmp(v, want, vl) == 0);
    ck_assert(rd_kafka_header_get_last(h, "bin", &v, &vl) == 0);
    ck_assert(vl == 3 && memcmp(v, "\0\1\2", 3) == 0);
    ck_assert(rd_kafka_header_get_last(h, "null", &v, &vl) == 0);
    ck_assert(v == NULL);
}

START_TEST(test_deliver_through_fd)
{
    mock m;
    mock_start(&m, 3);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "t1", P1, 1) == 0);
    rec c;
    rec_init(&c, N1 + 10);
    bd_kafka *k = producer_ok(&m, &c, NULL, 0);
    ck_assert_int_ge(bd_kafka_fd(k), 0);
    ck_assert(fcntl(bd_kafka_fd(k), F_GETFL) & O_NONBLOCK);
    ck_assert_uint_eq(bd_kafka_in_flight(k), 0);

    for (unsigned i = 1; i <= N1; i++) {
        char key[16], val[32], seq[16];
        snprintf(key, sizeof key, "k%u", i);
        snprintf(val, sizeof val, "value %u", i);
        snprintf(seq, sizeof seq, "%u", i);
        bd_kafka_header h[3] = {{"seq", seq, strlen(seq)}, {"bin", "\0\1\2", 3}, {"null", NULL, 0}};
        bd_err err = {0};
        /* the buffers are reused at once: the producer copied them */
        ck_assert_int_eq(bd_kafka_produce(k, "t1", key, strlen(key), val, strlen(val), h, 3,
                                          (void *)(uintptr_t)i, &err),
                         BD_KAFKA_QUEUED);
    }
    ck_assert_uint_le(bd_kafka_in_flight(k), N1);
    wait_reports(k, &c, N1, 10000);
    ck_assert_uint_eq(bd_kafka_in_flight(k), 0);
    ck_assert_uint_eq(c.in_flight_seen, 0); /* counted down before the last callback */

    seen *s = calloc(1, sizeof *s);
    for (size_t j = 0; j < c.n; j++) {
        report *r = &c.r[j];
        ck_assert_msg(r->err == 0, "report %zu: err %d", j, r->err);
        ck_assert(r->id >= 1 && r->id <= N1);
        ck_assert_msg(s->count[r->id]++ == 0, "opaque %zu reported twice", (size_t)r->id);
        ck_assert_str_eq(r->topic, "t1");
        ck_assert(!r->too_large);
        ck_assert(r->partition >= 0 && r->partition < P1);
        /* a fresh topic: offsets 0, 1, 2... in report order per partition */
        ck_assert_int_eq(r->offset, s->next[r->partition]++);
        char key[16], val[32];
        ck_assert_uint_eq(r->len,
                          (size_t)snprintf(key, sizeof key, "k%zu", (size_t)r->id) +
                              (size_t)snprintf(val, sizeof val, "value %zu", (size_t)r->id));
    }
    for (int p = 0; p < P1; p++)
        ck_assert_msg(s->next[p] > 0, "partition %d got nothing", p);
    serve_for(k, 50);
    ck_assert_uint_eq(c.n, N1);
    ck_assert(!c.foreign_thread);

    /* what the cluster stored: every message once, bytes and headers intact */
    memset(s, 0, sizeof *s);
    consume_all(&m, "t1", P1, N1, check_consumed1, s);
    for (unsigned i = 1; i <= N1; i++)
        ck_assert_uint_eq(s->count[i], 1);

    bd_err err = {0};
    ck_assert_int_eq(bd_kafka_flush(k, 1000, &err), 0);
    ck_assert_int_eq(bd_kafka_fatal(k, &err), 0);
    free(s);
    bd_kafka_free(k);
    ck_assert_uint_eq(c.n, N1);
    rec_free(&c);
    mock_stop(&m);
}
END_TEST

/* ---- 2. the Java client's partitioner */

START_TEST(test_murmur2_vectors)
{
    /* UtilsTest.testMurmur2 in Apache Kafka */
    static const struct {
        const char *s;
        int32_t h;
    } v[] = {
        {"21", -973932308},
        {"foobar", -790332482},
        {"a-little-bit-long-string", -985981536},
        {"a-little-bit-longer-string", -1486304829},
        {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
        {"abc", 479470107},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        ck_assert_int_eq(java_murmur2(v[i].s, strlen(v[i].s)), v[i].h);
}
END_TEST

enum { P2 = 6, NKEYS = 207 };

START_TEST(test_partitioner_is_javas)
{
    mock m;
    mock_start(&m, 3);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "t2", P2, 1) == 0);
    static char keys[NKEYS][64];
    /* the empty key too: hashed like Java's, not taken for a missing key */
    static const char *const fixed[] = {"21",
                                        "foobar",
                                        "a-little-bit-long-string",
                                        "a-little-bit-longer-string",
                                        "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                                        "abc",
                                        ""};
    size_t n = 0;
    for (; n < sizeof fixed / sizeof fixed[0]; n++)
        snprintf(keys[n], sizeof keys[n], "%s", fixed[n]);
    for (int id = 0; n < NKEYS; n++, id++) /* primary keys as the encoder writes them */
        snprintf(keys[n], sizeof keys[n], id % 2 ? "{\"id\":%d}" : "{\"a\":\"x%d\",\"b\":%d}", id,
                 id * 7919);

    rec c;
    rec_init(&c, 2 * NKEYS);
    bd_kafka *k = producer_ok(&m, &c, NULL, 0);
    for (size_t i = 0; i < NKEYS; i++) /* twice: the same key, the same partition */
        produce(k, "t2", keys[i], "v", i);
    for (size_t i = 0; i < NKEYS; i++)
        produce(k, "t2", keys[i], "w", i);
    wait_reports(k, &c, 2 * NKEYS, 10000);

    int used[P2] = {0};
    for (size_t j = 0; j < c.n; j++) {
        report *r = &c.r[j];
        ck_assert_int_eq(r->err, 0);
        int32_t want = java_partition(keys[r->id], P2);
        ck_assert_msg(r->partition == want, "key %s: partition %d, Java's %d", keys[r->id],
                      r->partition, want);
        used[r->partition] = 1;
    }
    for (int p = 0; p < P2; p++)
        ck_assert(used[p]);
    bd_kafka_free(k);
    rec_free(&c);
    mock_stop(&m);
}
END_TEST

/* ---- 3. transient errors: retried, in order, once */

enum { N3 = 600, P3 = 3, BATCH3 = 50 };

typedef struct order {
    int64_t last_seq[P3];
    size_t got;
} order;

static void check_consumed3(void *ctx, const rd_kafka_message_t *msg)
{
    order *o = ctx;
    unsigned seq;
    char buf[32];
    ck_assert(msg->len < sizeof buf);
    memcpy(buf, msg->payload, msg->len);
    buf[msg->len] = '\0';
    ck_assert(sscanf(buf, "seq=%u", &seq) == 1);
    /* strictly increasing per partition: no duplicate, no reordering */
    ck_assert_msg((int64_t)seq > o->last_seq[msg->partition], "partition %d: seq %u after %lld",
                  msg->partition, seq, (long long)o->last_seq[msg->partition]);
    o->last_seq[msg->partition] = seq;
    o->got++;
}

START_TEST(test_transient_errors_retried)
{
    mock m;
    mock_start(&m, 3);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "t3", P3, 1) == 0);
    for (int p = 0; p < P3; p++) /* one partition per broker: each one fails */
        ck_assert(rd_kafka_mock_partition_set_leader(m.mc, "t3", p, p + 1) == 0);
    for (int b = 1; b <= 3; b++)
        ck_assert(rd_kafka_mock_broker_push_request_error_rtts(
                      m.mc, b, API_PRODUCE, 3, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, 0,
                      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, 0, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
                      0) == 0);
    rd_kafka_mock_push_request_errors(m.mc, API_PRODUCE, 2, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
                                      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT);

    static const char *const conf[] = {"retry.backoff.ms", "10"};
    rec c;
    rec_init(&c, N3);
    bd_kafka *k = producer_ok(&m, &c, conf, 1);
    /* in batches, so that the errors hit several requests */
    for (unsigned i = 0; i < N3; i++) {
        char key[16], val[16];
        snprintf(key, sizeof key, "key%u", i % 37);
        snprintf(val, sizeof val, "seq=%u", i);
        produce(k, "t3", key, val, i);
        if (i % BATCH3 == BATCH3 - 1) wait_reports(k, &c, i + 1, 10000);
    }
    wait_reports(k, &c, N3, 15000);
    ck_assert_uint_eq(bd_kafka_in_flight(k), 0);
    for (int b = 1; b <= 3; b++) {
        size_t left = 99;
        ck_assert(rd_kafka_mock_broker_error_stack_cnt(m.mc, b, API_PRODUCE, &left) == 0);
        ck_assert_msg(left == 0, "broker %d: %zu injected errors never hit", b, left);
    }

    /* each report once, delivered; offsets 0, 1, 2... in produce order */
    int64_t next[P3] = {0}, last[P3] = {-1, -1, -1};
    unsigned char *once = calloc(N3, 1);
    for (size_t j = 0; j < c.n; j++) {
        report *r = &c.r[j];
        ck_assert_msg(r->err == 0, "seq %zu: err %d", (size_t)r->id, r->err);
        ck_assert(r->id < N3 && !once[r->id]++);
        ck_assert_int_eq(r->offset, next[r->partition]++);
        ck_assert((int64_t)r->id > last[r->partition]);
        last[r->partition] = (int64_t)r->id;
    }
    order o = {{-1, -1, -1}, 0};
    consume_all(&m, "t3", P3, N3, check_consumed3, &o);
    ck_assert_uint_eq(o.got, N3);
    free(once);
    bd_kafka_free(k);
    rec_free(&c);
    mock_stop(&m);
}
END_TEST

/* ---- 4. permanent failures: one report with an error */

START_TEST(test_brokers_down_times_out)
{
    mock m;
    mock_start(&m, 3);
    ck_assert(rd_kafka_mock_broker_set_down(m.mc, -1) == 0);
    static const char *const conf[] = {"message.timeout.ms", "1000"};
    rec c;
    rec_init(&c, 10);
    bd_kafka *k = producer_ok(&m, &c, conf, 1);
    produce(k, "t4", "k", "v", 7);
    ck_assert_uint_eq(bd_kafka_in_flight(k), 1);

    bd_err err = {0};
    ck_assert_int_eq(bd_kafka_flush(k, 200, &err), -1);
    ck_assert_str_eq(err.msg, "kafka: 1 messages not delivered after 200 ms");
    ck_assert_uint_eq(c.n, 0);

    wait_reports(k, &c, 1, 10000);
    ck_assert_uint_eq(c.r[0].id, 7);
    ck_assert_int_eq(c.r[0].err, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT);
    ck_assert(!c.r[0].too_large);
    ck_assert_int_eq(c.r[0].offset, -1);
    ck_assert_uint_eq(bd_kafka_in_flight(k), 0);
    ck_assert_int_eq(bd_kafka_flush(k, 0, &err), 0);
    serve_for(k, 100);
    ck_assert_uint_eq(c.n, 1);
    /* the error callback's complaints came through the same fd, on this thread */
    ck_assert_msg(strstr(c.logs, "kafka: ") != NULL, "no log lines: %s", c.logs);
    ck_assert(!c.foreign_thread);
    ck_assert_int_eq(bd_kafka_fatal(k, &err), 0);
    bd_kafka_free(k);
    rec_free(&c);
    mock_stop(&m);
}
END_TEST

START_TEST(test_not_retriable_error)
{
    mock m;
    mock_start(&m, 1);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "t4b", 1, 1) == 0);
    rd_kafka_mock_push_request_errors(m.mc, API_PRODUCE, 1,
                                      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    rec c;
    rec_init(&c, 10);
    bd_kafka *k = producer_ok(&m, &c, NULL, 0);
    produce(k, "t4b", "k", "v", 9);
    wait_reports(k, &c, 1, 10000);
    ck_assert_uint_eq(c.r[0].id, 9);
    ck_assert_int_eq(c.r[0].err, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    /* the report says what to do, not only librdkafka's name of it */
    ck_assert_msg(strstr(c.r[0].errstr, "Kafka ACLs") && strstr(c.r[0].errstr, "WRITE"), "%s",
                  c.r[0].errstr);
    ck_assert_uint_eq(bd_kafka_in_flight(k), 0);
    serve_for(k, 100);
    ck_assert_uint_eq(c.n, 1);
    /* not fatal, but librdkafka now holds the topic in error: produce
     * refuses it at once (no report) until metadata clears it */
    bd_err err = {0};
    ck_assert_int_eq(bd_kafka_fatal(k, &err), 0);
    ck_assert_int_eq(bd_kafka_produce(k, "t4b", "k", 1, "v", 1, NULL, 0, (void *)10, &err),
                     BD_KAFKA_FAILED);
    ck_assert_msg(strstr(err.msg, "t4b: produce: ") && strstr(err.msg, "authorization failed"),
                  "%s", err.msg);
    ck_assert_uint_eq(bd_kafka_in_flight(k), 0);
    serve_for(k, 50);
    ck_assert_uint_eq(c.n, 1);
    bd_kafka_free(k);
    rec_free(&c);
    mock_stop(&m);
}
END_TEST

/* ---- 5. too large for message.max.bytes: refused at once */

START_TEST(test_too_large)
{
    mock m;
    mock_start(&m, 1);
    static const char *const conf[] = {"message.max.bytes", "10000"};
    rec c;
    rec_init(&c, 10);
    bd_kafka *k = producer_ok(&m, &c, conf, 1);
    char *big = malloc(20000);
    memset(big, 'x', 20000);
    bd_kafka_header h[1] = {{"gtid", "0-1-2", 5}};
    bd_err err = {0};
    ck_assert_int_eq(bd_kafka_produce(k, "t5", "k", 1, big, 20000, h, 1, (void *)1, &err),
                     BD_KAFKA_TOO_LARGE);
    ck_assert_msg(strstr(err.msg, "t5: message of 20001 bytes") != NULL, "%s", err.msg);
    ck_assert_uint_eq(bd_kafka_in_flight(k), 0);
    /* a message that fits still goes through */
    ck_assert_int_eq(bd_kafka_produce(k, "t5", "k", 1, big, 5000, h, 1, (void *)2, &err),
                     BD_KAFKA_QUEUED);
    ck_assert_uint_eq(bd_kafka_in_flight(k), 1);
    wait_reports(k, &c, 1, 10000);
    serve_for(k, 50);
    ck_assert_uint_eq(c.n, 1);
    ck_assert_uint_eq(c.r[0].id, 2);
    ck_assert_int_eq(c.r[0].err, 0);
    ck_assert_uint_eq(c.r[0].len, 5001);
    free(big);
    bd_kafka_free(k);
    rec_free(&c);
    mock_stop(&m);
}
END_TEST

/* ---- 6. settings */

static void refused(const mock *m, const char *const *conf, size_t n, int allow_unsafe,
                    const char *want)
{
    rec c;
    rec_init(&c, 1);
    bd_err err = {0};
    bd_kafka *k = producer(m, &c, conf, n, allow_unsafe, &err);
    ck_assert_msg(k == NULL, "accepted, want refusal \"%s\"", want);
    ck_assert_msg(strstr(err.msg, want) != NULL, "got \"%s\", want \"%s\"", err.msg, want);
    rec_free(&c);
}

static void accepted(const mock *m, const char *const *conf, size_t n, int allow_unsafe)
{
    rec c;
    rec_init(&c, 1);
    bd_err err = {0};
    bd_kafka *k = producer(m, &c, conf, n, allow_unsafe, &err);
    ck_assert_msg(k != NULL, "%s", err.msg);
    bd_kafka_free(k);
    rec_free(&c);
}

START_TEST(test_settings)
{
    static const char *const acks1[] = {"acks", "1"};
    static const char *const acks0[] = {"request.required.acks", "0"};
    static const char *const noidem[] = {"enable.idempotence", "false"};
    static const char *const both[] = {"acks", "1", "enable.idempotence", "false"};
    static const char *const safe[] = {
        "acks",      "-1", "request.required.acks", "all", "compression.type", "zstd",
        "linger.ms", "20"};
    static const char *const unknown[] = {"linger.ms", "5", "no.such.thing", "42"};
    static const char *const badval[] = {"acks", "most"};
    static const char *const range[] = {"message.max.bytes", "10"};

    mock m;
    mock_start(&m, 1);
    refused(&m, acks1, 1, 0, "kafka.acks=1: refused: messages could be lost (acks must be all)");
    refused(&m, acks0, 1, 0, "kafka.request.required.acks=0: refused");
    refused(&m, noidem, 1, 0, "kafka.enable.idempotence=false: refused");
    refused(&m, both, 2, 0, "kafka.acks=1: refused");
    refused(&m, unknown, 2, 0, "kafka.no.such.thing=42: No such configuration property");
    refused(&m, badval, 1, 0, "kafka.acks=most: Invalid value");
    refused(&m, range, 1, 0,
            "kafka.message.max.bytes=10: Configuration property \"message.max.bytes\""
            " value 10 is outside allowed range");
    /* librdkafka itself refuses acks != all with idempotence on */
    refused(&m, acks1, 1, 1,
            "kafka: `acks` must be set to `all` when `enable.idempotence` is true");
    accepted(&m, both, 2, 1);
    accepted(&m, noidem, 1, 1);
    accepted(&m, safe, 4, 0);

    /* no bootstrap servers at all */
    bd_err err = {0};
    ck_assert(producer(NULL, NULL, NULL, 0, 0, &err) == NULL);
    ck_assert_str_eq(err.msg, "kafka.bootstrap.servers is required");
    mock_stop(&m);
}
END_TEST

/* The unsafe settings accepted are said so in the log. */
START_TEST(test_unsafe_logged)
{
    static const char *const both[] = {"acks", "1", "enable.idempotence", "false"};
    mock m;
    mock_start(&m, 1);
    rec c;
    rec_init(&c, 1);
    bd_err err = {0};
    bd_kafka *k = producer(&m, &c, both, 2, 1, &err);
    ck_assert_msg(k != NULL, "%s", err.msg);
    ck_assert_msg(strstr(c.logs, "4 kafka: unsafe settings accepted (allow_unsafe): acks=1 "
                                 "enable.idempotence=false") != NULL,
                  "%s", c.logs);
    bd_kafka_free(k);
    rec_free(&c);
    mock_stop(&m);
}
END_TEST

/* librdkafka's own logs are served by bd_kafka_poll on the caller's thread,
 * and a password never shows in them. */
START_TEST(test_logs_served_without_secrets)
{
    mock m;
    mock_start(&m, 1);
    static const char *const conf[] = {"debug",     "conf,broker",      "sasl.password",
                                       "s3cr3t-PW", "ssl.key.password", "k3y-PW"};
    rec c;
    rec_init(&c, 4);
    bd_kafka *k = producer_ok(&m, &c, conf, 3);
    produce(k, "t8", "k", "v", 1);
    wait_reports(k, &c, 1, 3000);
    bd_err err = {0};
    ck_assert_int_eq(bd_kafka_flush(k, 1000, &err), 0);
    bd_kafka_poll(k);
    ck_assert_msg(strstr(c.logs, "7 kafka: ") != NULL, "no debug lines: %s", c.logs);
    ck_assert(strstr(c.logs, "s3cr3t-PW") == NULL);
    ck_assert(strstr(c.logs, "k3y-PW") == NULL);
    ck_assert(!c.foreign_thread);
    bd_kafka_free(k);
    rec_free(&c);
    mock_stop(&m);
}
END_TEST

/* A fatal error (here: no producer id for the idempotent producer) is
 * kept: bd_kafka_fatal says so, produce refuses, and the message that was
 * waiting is reported once, as purged. */
START_TEST(test_fatal_error)
{
    mock m;
    mock_start(&m, 1);
    rd_kafka_mock_push_request_errors(m.mc, API_INIT_PRODUCER_ID, 1,
                                      RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED);
    rec c;
    rec_init(&c, 10);
    bd_kafka *k = producer_ok(&m, &c, NULL, 0);
    produce(k, "t6", "k", "v", 5);
    wait_reports(k, &c, 1, 10000);
    ck_assert_uint_eq(c.r[0].id, 5);
    ck_assert_int_eq(c.r[0].err, RD_KAFKA_RESP_ERR__PURGE_QUEUE);
    ck_assert_uint_eq(bd_kafka_in_flight(k), 0);
    bd_err err = {0};
    ck_assert_int_eq(bd_kafka_fatal(k, &err), 1);
    ck_assert_msg(strstr(err.msg, "kafka fatal error: CLUSTER_AUTHORIZATION_FAILED: ") != NULL,
                  "%s", err.msg);
    ck_assert_msg(strstr(c.logs, "3 kafka: fatal error: CLUSTER_AUTHORIZATION_FAILED") != NULL,
                  "%s", c.logs);
    ck_assert_int_eq(bd_kafka_produce(k, "t6", "k", 1, "v", 1, NULL, 0, (void *)6, &err),
                     BD_KAFKA_FAILED);
    ck_assert_msg(strstr(err.msg, "t6: produce: ") && strstr(err.msg, "fatal error"), "%s",
                  err.msg);
    ck_assert_uint_eq(bd_kafka_in_flight(k), 0);
    serve_for(k, 50);
    ck_assert_uint_eq(c.n, 1);
    bd_kafka_free(k);
    rec_free(&c);
    mock_stop(&m);
}
END_TEST

/* ---- produce on one thread, serve reports on another */

enum { N9 = 3000 };

typedef struct feeder {
    bd_kafka *k;
    unsigned full; /* times the queue was full */
} feeder;

static void *feed(void *arg)
{
    feeder *f = arg;
    for (unsigned i = 1; i <= N9; i++) {
        char key[16];
        snprintf(key, sizeof key, "%u", i % 101);
        for (;;) {
            bd_err err = {0};
            enum bd_kafka_produce_result r = bd_kafka_produce(
                f->k, "t9", key, strlen(key), "value", 5, NULL, 0, (void *)(uintptr_t)i, &err);
            if (r == BD_KAFKA_QUEUED) break;
            if (r != BD_KAFKA_FULL) return NULL; /* main thread fails on the count */
            f->full++;
            usleep(200); /* backpressure: the other thread serves reports */
        }
    }
    return NULL;
}

START_TEST(test_two_threads)
{
    mock m;
    mock_start(&m, 3);
    static const char *const conf[] = {"queue.buffering.max.messages", "100"};
    rec c;
    rec_init(&c, N9);
    bd_kafka *k = producer_ok(&m, &c, conf, 1);
    feeder f = {k, 0};
    pthread_t t;
    ck_assert(pthread_create(&t, NULL, feed, &f) == 0);
    wait_reports(k, &c, N9, 20000);
    pthread_join(t, NULL);
    ck_assert_uint_gt(f.full, 0); /* the queue did fill up */
    ck_assert_uint_eq(bd_kafka_in_flight(k), 0);
    unsigned char *once = calloc(N9 + 1, 1);
    for (size_t j = 0; j < c.n; j++) {
        ck_assert_int_eq(c.r[j].err, 0);
        ck_assert(c.r[j].id >= 1 && c.r[j].id <= N9 && !once[c.r[j].id]++);
    }
    ck_assert(!c.foreign_thread);
    free(once);
    bd_kafka_free(k);
    rec_free(&c);
    mock_stop(&m);
}
END_TEST

/* ---- 7. a full local queue */

START_TEST(test_queue_full)
{
    mock m;
    mock_start(&m, 3);
    ck_assert(rd_kafka_mock_broker_set_down(m.mc, -1) == 0);
    static const char *const conf[] = {"queue.buffering.max.messages", "10"};
    rec c;
    rec_init(&c, 20);
    bd_kafka *k = producer_ok(&m, &c, conf, 1);
    for (uintptr_t i = 1; i <= 10; i++)
        produce(k, "t7", "k", "v", i);
    bd_err err = {0};
    bd_kafka_header h[1] = {{"gtid", "0-1-2", 5}};
    ck_assert_int_eq(bd_kafka_produce(k, "t7", "k", 1, "v", 1, h, 1, (void *)11, &err),
                     BD_KAFKA_FULL);
    ck_assert_msg(strstr(err.msg, "t7: local queue full") != NULL, "%s", err.msg);
    ck_assert_uint_eq(bd_kafka_in_flight(k), 10);
    serve_for(k, 50);
    ck_assert_uint_eq(c.n, 0);

    /* freed without a flush: no callback runs inside bd_kafka_free */
    size_t logged = c.loglen;
    bd_kafka_free(k);
    ck_assert_uint_eq(c.n, 0);
    ck_assert_uint_eq(c.loglen, logged);
    rec_free(&c);
    mock_stop(&m);
}
END_TEST

/* ---- 8. partition counts: any number of topics; the first count kept */

enum { N8 = 300 }; /* more topics than the producer keeps handles for (256) */

/* Topic i's partitions: a few topics are created with their own count
 * (rd_kafka_mock_topic_create takes ~0.2 s each), the others by producing
 * (the mock's default: 4). */
static int32_t parts_of(int i) { return i % 100 == 99 ? 5 + i / 100 : 4; }

/* As the daemon: a message to each of N8 topics, then the counts of a
 * table without a key (FIRST) and of a TRUNCATE (NOW) on them: the topics
 * past the 256th (produced to by name) are answered as the others. */
START_TEST(test_partitions_many_topics)
{
    mock m;
    mock_start(&m, 1);
    char name[32];
    for (int i = 99; i < N8; i += 100) {
        snprintf(name, sizeof name, "many.%d", i);
        ck_assert(rd_kafka_mock_topic_create(m.mc, name, parts_of(i), 1) == 0);
    }
    rec c;
    rec_init(&c, N8);
    bd_kafka *k = producer_ok(&m, &c, NULL, 0);
    for (int i = 0; i < N8; i++) {
        snprintf(name, sizeof name, "many.%d", i);
        produce(k, name, NULL, "v", (uintptr_t)i + 1);
    }
    wait_reports(k, &c, N8, 60000);
    for (size_t j = 0; j < c.n; j++)
        ck_assert_msg(c.r[j].err == 0, "%s: %s", c.r[j].topic, c.r[j].errstr);

    bd_err err = {0};
    /* the TRUNCATE of the 260th table (the review's case), then every table */
    ck_assert_msg(bd_kafka_partitions(k, "many.259", BD_KAFKA_PARTS_NOW, 10000, &err) ==
                      parts_of(259),
                  "%s", err.msg);
    for (int i = 0; i < N8; i++) {
        snprintf(name, sizeof name, "many.%d", i);
        int32_t n = bd_kafka_partitions(k, name, BD_KAFKA_PARTS_FIRST, 10000, &err);
        ck_assert_msg(n == parts_of(i), "%s: %d: %s", name, n, err.msg);
    }
    /* all kept (the table grew past several sizes): answered without the
     * cluster */
    ck_assert(rd_kafka_mock_broker_set_down(m.mc, -1) == 0);
    int64_t t0 = now_ms();
    for (int i = N8 - 1; i >= 0; i--) {
        snprintf(name, sizeof name, "many.%d", i);
        ck_assert_int_eq(bd_kafka_partitions(k, name, BD_KAFKA_PARTS_FIRST, 5000, &err),
                         parts_of(i));
    }
    ck_assert_int_lt(now_ms() - t0, 1000);

    /* what really failed: librdkafka takes no topic name longer than 512 */
    char big[600];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ck_assert_int_eq(bd_kafka_partitions(k, big, BD_KAFKA_PARTS_FIRST, 1000, &err), -1);
    ck_assert_msg(strstr(err.msg, "librdkafka refused a handle for the topic") != NULL, "%s",
                  err.msg);
    ck_assert(strstr(err.msg, "too many topics") == NULL);
    ck_assert_uint_lt(strlen(err.msg), sizeof err.msg - 1); /* not cut */

    bd_kafka_free(k);
    rec_free(&c);
    mock_stop(&m);
}
END_TEST

/* FIRST is answered from what was kept, without the cluster (every broker
 * down); NOW asks every time (and fails then); a NOW read, successful or
 * not, changes no kept count; a count read first by NOW is the one kept. */
START_TEST(test_partitions_first_kept)
{
    mock m;
    mock_start(&m, 3);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "keyless", 2, 1) == 0);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "truncated", 6, 1) == 0);
    rec c;
    rec_init(&c, 1);
    bd_kafka *k = producer_ok(&m, &c, NULL, 0);
    bd_err err = {0};
    ck_assert_msg(bd_kafka_partitions(k, "keyless", BD_KAFKA_PARTS_FIRST, 10000, &err) == 2, "%s",
                  err.msg);
    ck_assert_msg(bd_kafka_partitions(k, "keyless", BD_KAFKA_PARTS_NOW, 10000, &err) == 2, "%s",
                  err.msg);
    /* read first for a TRUNCATE: that count is the one kept */
    ck_assert_msg(bd_kafka_partitions(k, "truncated", BD_KAFKA_PARTS_NOW, 10000, &err) == 6, "%s",
                  err.msg);
    /* a topic the request creates (the mock's default is 4 partitions) */
    ck_assert_msg(bd_kafka_partitions(k, "created", BD_KAFKA_PARTS_FIRST, 10000, &err) == 4, "%s",
                  err.msg);

    ck_assert(rd_kafka_mock_broker_set_down(m.mc, -1) == 0);
    int64_t t0 = now_ms();
    ck_assert_int_eq(bd_kafka_partitions(k, "keyless", BD_KAFKA_PARTS_FIRST, 5000, &err), 2);
    ck_assert_int_eq(bd_kafka_partitions(k, "truncated", BD_KAFKA_PARTS_FIRST, 5000, &err), 6);
    ck_assert_int_eq(bd_kafka_partitions(k, "created", BD_KAFKA_PARTS_FIRST, 5000, &err), 4);
    ck_assert_int_lt(now_ms() - t0, 1000);
    /* NOW asks: the cluster does not answer */
    err.msg[0] = '\0';
    ck_assert_int_eq(bd_kafka_partitions(k, "keyless", BD_KAFKA_PARTS_NOW, 300, &err), -1);
    ck_assert_msg(strstr(err.msg, "keyless: the number of partitions is not known after 300 ms") !=
                      NULL,
                  "%s", err.msg);
    /* nor a topic never read: nothing to keep */
    ck_assert_int_eq(bd_kafka_partitions(k, "unread", BD_KAFKA_PARTS_FIRST, 300, &err), -1);
    ck_assert_int_eq(bd_kafka_partitions(k, "keyless", BD_KAFKA_PARTS_FIRST, 300, &err), 2);

    /* back up: NOW reads again, FIRST still answers the kept count */
    ck_assert(rd_kafka_mock_broker_set_up(m.mc, -1) == 0);
    ck_assert_msg(bd_kafka_partitions(k, "truncated", BD_KAFKA_PARTS_NOW, 10000, &err) == 6, "%s",
                  err.msg);
    ck_assert_msg(bd_kafka_partitions(k, "unread", BD_KAFKA_PARTS_FIRST, 10000, &err) == 4, "%s",
                  err.msg);
    ck_assert_int_eq(bd_kafka_partitions(k, "keyless", BD_KAFKA_PARTS_FIRST, 10000, &err), 2);

    bd_kafka_free(k);
    rec_free(&c);
    mock_stop(&m);
}
END_TEST

/* ---- a broker that answers Metadata only, with a partition count the test
 * changes: librdkafka 2.0.2's mock cluster cannot add partitions to a topic
 * (rd_kafka_mock_topic_create refuses an existing topic and it serves no
 * CreatePartitions).  Kafka's protocol 0.9 (api.version.request=false):
 * Metadata v0, a big-endian size before each request and response; one
 * broker, node 1, at this very address. */

typedef struct fake {
    int lfd, port, stop[2];
    atomic_int partitions; /* of every topic */
    atomic_int requests;   /* Metadata requests answered */
    pthread_t thread;
} fake;

static void put16(uint8_t **p, int v)
{
    (*p)[0] = (uint8_t)(v >> 8);
    (*p)[1] = (uint8_t)v;
    *p += 2;
}

static void put32(uint8_t **p, int32_t v)
{
    for (int i = 0; i < 4; i++)
        (*p)[i] = (uint8_t)((uint32_t)v >> (24 - 8 * i));
    *p += 4;
}

static int get16(const uint8_t *p) { return (int16_t)(p[0] << 8 | p[1]); }
static int32_t get32(const uint8_t *p)
{
    return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

static int read_full(int fd, void *b, size_t n)
{
    for (size_t got = 0; got < n;) {
        ssize_t r = read(fd, (char *)b + got, n - got);
        if (r <= 0) return -1;
        got += (size_t)r;
    }
    return 0;
}

/* Answer one request on fd: -1 closes the connection (anything that is not
 * a Metadata v0 request for at most 16 topics). */
static int fake_serve(fake *f, int fd)
{
    uint8_t in[4096], out[65536];
    if (read_full(fd, in, 4) < 0) return -1;
    int32_t len = get32(in);
    if (len < 12 || len > (int32_t)sizeof in || read_full(fd, in, (size_t)len) < 0) return -1;
    if (get16(in) != 3 || get16(in + 2) != 0) return -1;
    const uint8_t *p = in + 8, *end = in + len;
    int cid = get16(p);
    p += 2 + (cid > 0 ? cid : 0);
    if (p + 4 > end) return -1;
    int32_t ntopics = get32(p);
    p += 4;
    int parts = atomic_load(&f->partitions);
    if (ntopics > 16 || parts > 64) return -1;
    uint8_t *o = out + 4;
    put32(&o, get32(in + 4)); /* the correlation id */
    put32(&o, 1);             /* brokers */
    put32(&o, 1);
    put16(&o, 9);
    memcpy(o, "127.0.0.1", 9);
    o += 9;
    put32(&o, f->port);
    put32(&o, ntopics > 0 ? ntopics : 0); /* none asked for: all, none known */
    for (int32_t i = 0; i < ntopics; i++) {
        int n = p + 2 <= end ? get16(p) : -1;
        if (n < 0 || n > 249 || p + 2 + n > end) return -1;
        put16(&o, 0);
        put16(&o, n);
        memcpy(o, p + 2, (size_t)n);
        o += n;
        p += 2 + n;
        put32(&o, parts);
        for (int j = 0; j < parts; j++) {
            put16(&o, 0);
            put32(&o, j); /* id, leader 1, replicas [1], isr [1] */
            put32(&o, 1);
            put32(&o, 1);
            put32(&o, 1);
            put32(&o, 1);
            put32(&o, 1);
        }
    }
    uint8_t *size = out;
    put32(&size, (int32_t)(o - out - 4));
    atomic_fetch_add(&f->requests, 1);
    return write(fd, out, (size_t)(o - out)) == o - out ? 0 : -1;
}

static void *fake_run(void *arg)
{
    fake *f = arg;
    struct pollfd p[16] = {{.fd = f->stop[0], .events = POLLIN}, {.fd = f->lfd, .events = POLLIN}};
    nfds_t n = 2;
    while (poll(p, n, -1) >= 0 && !p[0].revents) {
        if (p[1].revents && n < 16) {
            int c = accept(f->lfd, NULL, NULL);
            if (c >= 0) p[n++] = (struct pollfd){.fd = c, .events = POLLIN};
        }
        for (nfds_t i = 2; i < n; i++) {
            if (p[i].revents && fake_serve(f, p[i].fd) < 0) {
                close(p[i].fd);
                p[i--] = p[--n];
            }
        }
    }
    for (nfds_t i = 2; i < n; i++)
        close(p[i].fd);
    return NULL;
}

static void fake_start(fake *f, int partitions)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert(f->lfd >= 0);
    ck_assert(bind(f->lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(f->lfd, 8) == 0);
    ck_assert(getsockname(f->lfd, (struct sockaddr *)&a, &alen) == 0);
    f->port = ntohs(a.sin_port);
    ck_assert(pipe(f->stop) == 0);
    atomic_init(&f->partitions, partitions);
    atomic_init(&f->requests, 0);
    ck_assert(pthread_create(&f->thread, NULL, fake_run, f) == 0);
}

static void fake_stop(fake *f)
{
    ck_assert(write(f->stop[1], "x", 1) == 1);
    pthread_join(f->thread, NULL);
    close(f->stop[0]);
    close(f->stop[1]);
    close(f->lfd);
}

/* Partitions added under the producer: a table without a key keeps its
 * partition (FIRST: the count first read, not asked again), a TRUNCATE
 * reaches the new ones (NOW). */
START_TEST(test_partitions_added)
{
    fake f;
    fake_start(&f, 2);
    char bootstrap[32];
    snprintf(bootstrap, sizeof bootstrap, "127.0.0.1:%d", f.port);
    /* a 0.9 broker: no idempotence (allow_unsafe), no lz4 */
    const char *const conf[] = {
        "bootstrap.servers",       bootstrap, "api.version.request", "false",
        "broker.version.fallback", "0.9.0",   "enable.idempotence",  "false",
        "compression.type",        "none"};
    rec c;
    rec_init(&c, 1);
    bd_err err = {0};
    bd_kafka *k = producer(NULL, &c, conf, 5, 1, &err);
    ck_assert_msg(k != NULL, "%s", err.msg);

    ck_assert_msg(bd_kafka_partitions(k, "grow", BD_KAFKA_PARTS_FIRST, 10000, &err) == 2, "%s",
                  err.msg);
    int asked = atomic_load(&f.requests);
    ck_assert_int_eq(bd_kafka_partitions(k, "grow", BD_KAFKA_PARTS_FIRST, 10000, &err), 2);
    ck_assert_int_eq(atomic_load(&f.requests), asked); /* not asked again */

    atomic_store(&f.partitions, 5); /* three partitions added */
    ck_assert_msg(bd_kafka_partitions(k, "grow", BD_KAFKA_PARTS_NOW, 10000, &err) == 5, "%s",
                  err.msg);
    ck_assert_int_gt(atomic_load(&f.requests), asked);
    ck_assert_int_eq(bd_kafka_partitions(k, "grow", BD_KAFKA_PARTS_FIRST, 10000, &err), 2);
    /* a topic first read now: 5 kept, whichever kind read it */
    ck_assert_msg(bd_kafka_partitions(k, "later", BD_KAFKA_PARTS_NOW, 10000, &err) == 5, "%s",
                  err.msg);
    atomic_store(&f.partitions, 7);
    ck_assert_int_eq(bd_kafka_partitions(k, "later", BD_KAFKA_PARTS_FIRST, 10000, &err), 5);
    ck_assert_msg(bd_kafka_partitions(k, "grow", BD_KAFKA_PARTS_NOW, 10000, &err) == 7, "%s",
                  err.msg);
    ck_assert_int_eq(bd_kafka_partitions(k, "grow", BD_KAFKA_PARTS_FIRST, 10000, &err), 2);

    bd_kafka_free(k);
    rec_free(&c);
    fake_stop(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kafka");
    TCase *tc = tcase_create("kafka");
    /* valgrind makes librdkafka's threads slow; plain runs take ~3 s in all */
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_murmur2_vectors);
    tcase_add_test(tc, test_deliver_through_fd);
    tcase_add_test(tc, test_partitioner_is_javas);
    tcase_add_test(tc, test_transient_errors_retried);
    tcase_add_test(tc, test_brokers_down_times_out);
    tcase_add_test(tc, test_not_retriable_error);
    tcase_add_test(tc, test_too_large);
    tcase_add_test(tc, test_settings);
    tcase_add_test(tc, test_unsafe_logged);
    tcase_add_test(tc, test_logs_served_without_secrets);
    tcase_add_test(tc, test_fatal_error);
    tcase_add_test(tc, test_two_threads);
    tcase_add_test(tc, test_queue_full);
    tcase_add_test(tc, test_partitions_many_topics);
    tcase_add_test(tc, test_partitions_first_kept);
    tcase_add_test(tc, test_partitions_added);
    suite_add_tcase(s, tc);
    return tu_run(s) ? 1 : 0;
}
