/* test_kafka_admin.c - lib/sink/kafka_admin.c without a broker: the settings it
 * refuses (and how it names them), the producer settings it leaves out,
 * silence on stderr, and the questions asked of librdkafka's in-process
 * mock cluster, reading a partition whole and the state topic's
 * checkpoints among them (the real broker: tests/integ/kafka_admin.sh). */
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "binlogd/buf.h"
#include "binlogd/checkpoint.h"
#include "binlogd/kafka_admin.h"
#include "binlogd/state_topic.h"
#include "testutil.h"

#define NCONF(c) (sizeof(c) / sizeof((c)[0]) / 2)

static void quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk, (void)level, (void)fac, (void)buf;
}

static long long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* bd_kafka_admin_new refuses conf with a message that starts with want */
static void refused(const char *const *conf, size_t nconf, const char *want)
{
    bd_err err = {0};
    bd_kafka_admin *k = bd_kafka_admin_new(conf, nconf, &err);
    ck_assert_msg(k == NULL, "accepted, expected: %s", want);
    ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "got '%s', expected '%s...'", err.msg,
                  want);
    ck_assert(err.code == BD_ERR_UNSUPPORTED);
}

static void accepted(const char *const *conf, size_t nconf)
{
    bd_err err = {0};
    bd_kafka_admin *k = bd_kafka_admin_new(conf, nconf, &err);
    ck_assert_msg(k != NULL, "%s", err.msg);
    bd_kafka_admin_free(k);
}

START_TEST(test_bootstrap_servers)
{
    static const char *const none[] = {"socket.timeout.ms", "1000"};
    static const char *const empty[] = {"bootstrap.servers", ""};
    static const char *const port_word[] = {"bootstrap.servers", "foo:bar"};
    static const char *const port_big[] = {"bootstrap.servers", "127.0.0.1:99999"};
    static const char *const port_zero[] = {"bootstrap.servers", "a:1,b:0"};
    static const char *const no_port[] = {"bootstrap.servers", "a:"};
    static const char *const commas[] = {"bootstrap.servers", " , ,"};
    static const char *const proto[] = {"bootstrap.servers", "ssl://127.0.0.1:1"};
    static const char *const v6[] = {"bootstrap.servers", "[::1:1"};
    static const char *const alias[] = {"metadata.broker.list", "h:70000"};
    static const char *const good[] = {
        "bootstrap.servers", " 127.0.0.1:1, ,[::1]:1,PLAINTEXT://127.0.0.1:1,localhost, ::1"};
    static const char *const good_ssl[] = {"security.protocol", "SSL", "bootstrap.servers",
                                           "ssl://127.0.0.1:1"};

    refused(none, NCONF(none), "kafka.bootstrap.servers is required");
    refused(empty, NCONF(empty), "kafka.bootstrap.servers is required");
    refused(port_word, NCONF(port_word),
            "kafka.bootstrap.servers=foo:bar: bad port \"bar\" in \"foo:bar\"");
    refused(port_big, NCONF(port_big), "kafka.bootstrap.servers=127.0.0.1:99999: bad port");
    refused(port_zero, NCONF(port_zero), "kafka.bootstrap.servers=a:1,b:0: bad port \"0\"");
    refused(no_port, NCONF(no_port), "kafka.bootstrap.servers=a:: bad port \"\"");
    refused(commas, NCONF(commas), "kafka.bootstrap.servers= , ,: no broker given");
    refused(proto, NCONF(proto),
            "kafka.bootstrap.servers=ssl://127.0.0.1:1: protocol \"ssl\" of "
            "\"ssl://127.0.0.1:1\" is not security.protocol (plaintext)");
    refused(v6, NCONF(v6), "kafka.bootstrap.servers=[::1:1: bad IPv6 address");
    refused(alias, NCONF(alias), "kafka.metadata.broker.list=h:70000: bad port");
    accepted(good, NCONF(good));
    accepted(good_ssl, NCONF(good_ssl));
}
END_TEST

START_TEST(test_settings_refused)
{
    static const char *const badval[] = {"bootstrap.servers", "127.0.0.1:1", "socket.timeout.ms",
                                         "abc"};
    static const char *const proto[] = {"bootstrap.servers", "127.0.0.1:1", "security.protocol",
                                        "foo"};
    static const char *const mech[] = {"bootstrap.servers", "127.0.0.1:1",     "security.protocol",
                                       "sasl_plaintext",    "sasl.mechanisms", "FOO"};
    static const char *const plain[] = {"bootstrap.servers", "127.0.0.1:1",     "security.protocol",
                                        "sasl_plaintext",    "sasl.mechanisms", "PLAIN"};
    refused(badval, NCONF(badval),
            "kafka.socket.timeout.ms=abc: Invalid value for configuration property "
            "\"socket.timeout.ms\"");
    refused(proto, NCONF(proto), "kafka.security.protocol=foo: Invalid value \"foo\"");
    refused(mech, NCONF(mech), "kafka.sasl.mechanisms=FOO: Unsupported SASL mechanism: FOO");
    /* no single setting to name */
    refused(plain, NCONF(plain), "kafka: sasl.username and sasl.password must be set");
}
END_TEST

/* A secret's value never shows, even where librdkafka's reason is about
 * that property or quotes it. */
START_TEST(test_secrets_masked)
{
    static const char *const pem[] = {"bootstrap.servers", "127.0.0.1:1",
                                      "security.protocol", "ssl",
                                      "ssl.key.pem",       "-----BEGIN hunter2 garbage"};
    static const char *const key[] = {
        "bootstrap.servers", "127.0.0.1:1",          "security.protocol", "ssl",
        "ssl.key.location",  "/nonexistent/key.pem", "ssl.key.password",  "hunter2"};
    static const char *const store[] = {"bootstrap.servers",     "127.0.0.1:1",
                                        "security.protocol",     "ssl",
                                        "ssl.keystore.location", "/nonexistent/hunter2.p12",
                                        "ssl.keystore.password", "hunter2"};
    bd_err err = {0};
    ck_assert(bd_kafka_admin_new(pem, NCONF(pem), &err) == NULL);
    ck_assert_msg(strncmp(err.msg, "kafka.ssl.key.pem=(secret): ssl.key.pem failed", 46) == 0, "%s",
                  err.msg);
    ck_assert_msg(strstr(err.msg, "hunter2") == NULL, "%s", err.msg);

    ck_assert(bd_kafka_admin_new(key, NCONF(key), &err) == NULL);
    ck_assert_msg(strncmp(err.msg, "kafka.ssl.key.location=/nonexistent/key.pem: ", 45) == 0, "%s",
                  err.msg);
    /* OpenSSL's reason says "system lib"; the log line before it, why */
    ck_assert_msg(strstr(err.msg, "No such file or directory") != NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "hunter2") == NULL, "%s", err.msg);

    /* the password happens to be part of the file name: masked there too */
    ck_assert(bd_kafka_admin_new(store, NCONF(store), &err) == NULL);
    ck_assert_msg(strstr(err.msg, "ssl.keystore.location") != NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "hunter2") == NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "(secret)") != NULL, "%s", err.msg);
}
END_TEST

/* What the daemon's [kafka] section holds for its producer is not even
 * looked at here (a value only a producer could refuse passes), unknown
 * properties neither; retry.backoff.ms applies to any client and is
 * checked. */
START_TEST(test_producer_settings_left_out)
{
    static const char *const conf[] = {"bootstrap.servers",
                                       "127.0.0.1:1",
                                       "acks",
                                       "most",
                                       "request.required.acks",
                                       "all",
                                       "enable.idempotence",
                                       "maybe",
                                       "transactional.id",
                                       "tx-1",
                                       "linger.ms",
                                       "soon",
                                       "queue.buffering.max.ms",
                                       "5",
                                       "queue.buffering.max.messages",
                                       "100000",
                                       "batch.size",
                                       "1000000",
                                       "batch.num.messages",
                                       "1000",
                                       "compression.type",
                                       "lz4",
                                       "compression.codec",
                                       "zstd",
                                       "partitioner",
                                       "murmur2_random",
                                       "message.send.max.retries",
                                       "3",
                                       "retries",
                                       "3",
                                       "delivery.timeout.ms",
                                       "30000",
                                       "message.timeout.ms",
                                       "30000",
                                       "request.timeout.ms",
                                       "5000",
                                       "max.in.flight",
                                       "5",
                                       "max.in.flight.requests.per.connection",
                                       "5",
                                       "enable.gapless.guarantee",
                                       "false",
                                       "sticky.partitioning.linger.ms",
                                       "10",
                                       "retry.backoff.ms",
                                       "200",
                                       "no.such.property",
                                       "1"};
    accepted(conf, NCONF(conf));
    static const char *const backoff[] = {"bootstrap.servers", "127.0.0.1:1", "retry.backoff.ms",
                                          "-5"};
    refused(backoff, NCONF(backoff), "kafka.retry.backoff.ms=-5: ");
}
END_TEST

/* librdkafka writes nothing to stderr, even with every debug context on,
 * and a failure names the servers and quotes the refused connection. */
START_TEST(test_quiet_and_named)
{
    static const char *const conf[] = {"bootstrap.servers", "127.0.0.1:1", "debug", "all"};
    char path[] = "/tmp/test_kafka_admin.XXXXXX";
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    unlink(path);
    fflush(stderr);
    int saved = dup(2);
    ck_assert(saved >= 0 && dup2(fd, 2) == 2);

    bd_err err = {0};
    bd_kafka_admin *k = bd_kafka_admin_new(conf, NCONF(conf), &err);
    int n = -2, w = -2;
    long long t0 = ms_now(), took = 0;
    if (k) {
        n = bd_kafka_admin_partitions(k, "t", 1500, &err);
        took = ms_now() - t0;
        int64_t lo, hi;
        bd_err err2 = {0};
        w = bd_kafka_admin_watermarks(k, "t", 0, &lo, &hi, 500, &err2);
        bd_kafka_admin_free(k);
    }
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    off_t size = lseek(fd, 0, SEEK_END);
    char head[200] = "";
    if (size > 0 && pread(fd, head, sizeof head - 1, 0) < 0) head[0] = 0;
    close(fd);

    ck_assert_msg(k != NULL, "%s", err.msg);
    ck_assert_msg(size == 0, "%lld bytes on stderr: %s", (long long)size, head);
    ck_assert_int_eq(n, -1);
    ck_assert_int_eq(w, -1);
    ck_assert_msg(took <= 1500 + 500, "partitions took %lld ms, timeout 1500", took);
    ck_assert_msg(strncmp(err.msg, "kafka 127.0.0.1:1: metadata of topic t: ", 40) == 0, "%s",
                  err.msg);
    ck_assert_msg(strstr(err.msg, "Connection refused") != NULL, "%s", err.msg);
}
END_TEST

/* ---- against librdkafka's mock cluster */

typedef struct mock {
    rd_kafka_t *rk;
    rd_kafka_mock_cluster_t *mc;
    const char *bootstraps;
} mock;

static void mock_start(mock *m)
{
    char es[256];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(c, quiet);
    m->rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, es, sizeof es);
    ck_assert_msg(m->rk != NULL, "%s", es);
    m->mc = rd_kafka_mock_cluster_new(m->rk, 1);
    ck_assert(m->mc != NULL);
    m->bootstraps = rd_kafka_mock_cluster_bootstraps(m->mc);
}

static void mock_stop(mock *m)
{
    rd_kafka_mock_cluster_destroy(m->mc);
    rd_kafka_destroy(m->rk);
}

/* A plain librdkafka client of the mock (not the code under test). */
static rd_kafka_t *client(mock *m, rd_kafka_type_t type, const char *group)
{
    char es[256];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(c, quiet);
    ck_assert(rd_kafka_conf_set(c, "bootstrap.servers", m->bootstraps, es, sizeof es) == 0);
    if (group) ck_assert(rd_kafka_conf_set(c, "group.id", group, es, sizeof es) == 0);
    rd_kafka_t *rk = rd_kafka_new(type, c, es, sizeof es);
    ck_assert_msg(rk != NULL, "%s", es);
    return rk;
}

/* Produce value (NULL: a tombstone) to topic [partition]. */
static void produce(rd_kafka_t *p, const char *topic, int32_t partition, const char *value)
{
    rd_kafka_resp_err_t e = rd_kafka_producev(
        p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_KEY("k", 1),
        RD_KAFKA_V_VALUE((void *)value, value ? strlen(value) : 0),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    ck_assert_msg(!e, "%s", rd_kafka_err2str(e));
}

static bd_kafka_admin *admin(mock *m)
{
    const char *conf[] = {"bootstrap.servers", m->bootstraps, "acks", "all"};
    bd_err err = {0};
    bd_kafka_admin *k = bd_kafka_admin_new(conf, NCONF(conf), &err);
    ck_assert_msg(k != NULL, "%s", err.msg);
    return k;
}

START_TEST(test_mock_partitions_watermarks_commit_time)
{
    mock m;
    mock_start(&m);
    ck_assert(!rd_kafka_mock_topic_create(m.mc, "t1", 4, 1));
    rd_kafka_t *p = client(&m, RD_KAFKA_PRODUCER, NULL);
    produce(p, "t1", 0, "{\"op\":\"c\",\"source\":{\"file\":\"b.1\",\"ts_us\":1732700000000000}}");
    produce(p, "t1", 0, "{\"op\":\"u\",\"source\":{\"ts_us\":1732700000000007}}");
    produce(p, "t1", 0, "not json");
    produce(p, "t1", 0, "{\"op\":\"c\",\"source\":{\"ts\":1}}");
    produce(p, "t1", 0, NULL);
    ck_assert_int_eq(rd_kafka_flush(p, 5000), 0);
    rd_kafka_destroy(p);

    bd_kafka_admin *k = admin(&m);
    bd_err err = {0};
    /* (a missing topic: tests/integ/kafka_admin.sh; 2.0.2's mock creates
     * every topic a metadata request names, even when asked not to) */
    ck_assert_int_eq(bd_kafka_admin_partitions(k, "t1", 5000, &err), 4);

    int64_t lo = -2, hi = -2;
    ck_assert_int_eq(bd_kafka_admin_watermarks(k, "t1", 0, &lo, &hi, 5000, &err), 0);
    ck_assert_int_eq(lo, 0);
    ck_assert_int_eq(hi, 5);
    ck_assert_int_eq(bd_kafka_admin_watermarks(k, "t1", 1, &lo, &hi, 5000, &err), 0);
    ck_assert_int_eq(hi, 0);

    uint64_t us = 0;
    ck_assert_int_eq(bd_kafka_admin_commit_time(k, "t1", 0, 1, &us, 5000, &err), 0);
    ck_assert_uint_eq(us, 1732700000000007ull);
    /* going back on the same partition: nothing left from the last call */
    ck_assert_int_eq(bd_kafka_admin_commit_time(k, "t1", 0, 0, &us, 5000, &err), 0);
    ck_assert_uint_eq(us, 1732700000000000ull);
    ck_assert_int_eq(bd_kafka_admin_commit_time(k, "t1", 0, 5, &us, 5000, &err), 1);
    ck_assert_int_eq(bd_kafka_admin_commit_time(k, "t1", 0, 50, &us, 5000, &err), 1);
    ck_assert_int_eq(bd_kafka_admin_commit_time(k, "t1", 1, 0, &us, 5000, &err), 1);

    char pre[200];
    snprintf(pre, sizeof pre, "kafka %s: commit time at topic t1 partition 0 offset ",
             m.bootstraps);
    ck_assert_int_eq(bd_kafka_admin_commit_time(k, "t1", 0, 2, &us, 5000, &err), -1);
    ck_assert_msg(strncmp(err.msg, pre, strlen(pre)) == 0, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "offset 2: the value is not JSON") != NULL, "%s", err.msg);
    ck_assert_int_eq(bd_kafka_admin_commit_time(k, "t1", 0, 3, &us, 5000, &err), -1);
    ck_assert_msg(strstr(err.msg, "offset 3: the value has no source.ts_us") != NULL, "%s",
                  err.msg);
    ck_assert_int_eq(bd_kafka_admin_commit_time(k, "t1", 0, 4, &us, 5000, &err), -1);
    ck_assert_msg(strstr(err.msg, "offset 4: the message has no value") != NULL, "%s", err.msg);
    ck_assert_int_eq(bd_kafka_admin_commit_time(k, "t1", 0, 1, &us, 5000, &err), 0);
    ck_assert_uint_eq(us, 1732700000000007ull);

    bd_kafka_admin_free(k);
    mock_stop(&m);
}
END_TEST

START_TEST(test_mock_group_offsets)
{
    mock m;
    mock_start(&m);
    ck_assert(!rd_kafka_mock_topic_create(m.mc, "t1", 4, 1));
    ck_assert(!rd_kafka_mock_topic_create(m.mc, "t2", 1, 1));
    rd_kafka_t *p = client(&m, RD_KAFKA_PRODUCER, NULL);
    for (int i = 0; i < 5; i++) {
        produce(p, "t1", 0, "{}");
        produce(p, "t1", 2, "{}");
    }
    ck_assert_int_eq(rd_kafka_flush(p, 5000), 0);
    rd_kafka_destroy(p);

    /* the group commits t1 [0] at 3 and t1 [2] at 5, nothing else */
    rd_kafka_t *c = client(&m, RD_KAFKA_CONSUMER, "g1");
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(2);
    rd_kafka_topic_partition_list_add(l, "t1", 0)->offset = 3;
    rd_kafka_topic_partition_list_add(l, "t1", 2)->offset = 5;
    rd_kafka_resp_err_t e = rd_kafka_commit(c, l, 0);
    ck_assert_msg(!e, "commit: %s", rd_kafka_err2str(e));
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(c);

    bd_kafka_admin *k = admin(&m);
    bd_err err = {0};
    bd_group_offset out[8];
    const char *topics[] = {"t1", "t2", "t1"};
    int n = bd_kafka_admin_group_offsets(k, "g1", topics, 3, out, 8, 5000, &err);
    ck_assert_msg(n == 5, "%d: %s", n, err.msg);
    static const struct {
        const char *topic;
        int32_t partition;
        int64_t committed;
    } want[] = {{"t1", 0, 3}, {"t1", 1, -1}, {"t1", 2, 5}, {"t1", 3, -1}, {"t2", 0, -1}};
    for (int i = 0; i < 5; i++) {
        ck_assert_str_eq(out[i].topic, want[i].topic);
        ck_assert_int_eq(out[i].partition, want[i].partition);
        ck_assert_int_eq(out[i].committed, want[i].committed);
    }

    /* a group that never committed */
    n = bd_kafka_admin_group_offsets(k, "never", topics, 1, out, 8, 5000, &err);
    ck_assert_msg(n == 4, "%d: %s", n, err.msg);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(out[i].committed, -1);
    /* no topic: nothing to ask (an empty list would mean every partition) */
    n = bd_kafka_admin_group_offsets(k, "g1", topics, 0, out, 8, 5000, &err);
    ck_assert_int_eq(n, 0);
    /* no room */
    n = bd_kafka_admin_group_offsets(k, "g1", topics, 1, out, 3, 5000, &err);
    ck_assert_int_eq(n, -1);
    char want_msg[200];
    snprintf(want_msg, sizeof want_msg,
             "kafka %s: group g1: the topics have 4 partitions, room for 3", m.bootstraps);
    ck_assert_str_eq(err.msg, want_msg);

    bd_kafka_admin_free(k);
    mock_stop(&m);
}
END_TEST

/* ---- reading a partition whole; the state topic */

/* Produce key/value (either NULL: null) to topic [partition]. */
static void produce_kv(rd_kafka_t *p, const char *topic, int32_t partition, const char *key,
                       const char *value)
{
    rd_kafka_resp_err_t e =
        rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                          RD_KAFKA_V_KEY((void *)key, key ? strlen(key) : 0),
                          RD_KAFKA_V_VALUE((void *)value, value ? strlen(value) : 0),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    ck_assert_msg(!e, "%s", rd_kafka_err2str(e));
}

/* A handle that reads a partition at the pace of its fetches.  With the
 * handle's default queued.min.messages=1 (set for commit time: no
 * prefetch) librdkafka's fetcher pauses once a message is queued and
 * looks again only about once a second, and the mock answers each Fetch
 * with one message set: every record produced on its own then costs a
 * second.  (And an answer at the end of a partition after 10 ms.) */
static bd_kafka_admin *reader(mock *m)
{
    const char *conf[] = {"bootstrap.servers", m->bootstraps, "queued.min.messages", "100000",
                          "fetch.wait.max.ms", "10"};
    bd_err err = {0};
    bd_kafka_admin *k = bd_kafka_admin_new(conf, NCONF(conf), &err);
    ck_assert_msg(k != NULL, "%s", err.msg);
    return k;
}

#define MAXREC 16

/* What bd_kafka_admin_read_partition handed to its callback. */
typedef struct recs {
    size_t n;
    char key[MAXREC][64]; /* "(null)" for a null key */
    char value[MAXREC][64];
    int64_t offset[MAXREC];
    size_t fail_at; /* the callback fails at this record (1-based; 0 never) */
} recs;

static int on_rec(void *ctx, const void *key, size_t key_len, const void *value, size_t value_len,
                  int64_t offset, bd_err *err)
{
    recs *r = ctx;
    ck_assert_uint_lt(r->n, MAXREC);
    size_t i = r->n++;
    snprintf(r->key[i], sizeof r->key[i], "%.*s", key ? (int)key_len : 6,
             key ? (const char *)key : "(null)");
    snprintf(r->value[i], sizeof r->value[i], "%.*s", value ? (int)value_len : 6,
             value ? (const char *)value : "(null)");
    r->offset[i] = offset;
    if (r->fail_at && r->n == r->fail_at)
        return bd_err_set(err, BD_ERR_CORRUPT, "stop at %d", (int)i);
    return 0;
}

static void read_ok(bd_kafka_admin *k, const char *topic, int32_t partition, recs *r)
{
    memset(r, 0, sizeof *r);
    bd_err err = {0};
    int rc = bd_kafka_admin_read_partition(k, topic, partition, on_rec, r, 10000, &err);
    ck_assert_msg(rc == 0, "reading %s [%d]: %d: %s", topic, (int)partition, rc, err.msg);
}

static void rec_is(const recs *r, size_t i, const char *key, const char *value, int64_t offset)
{
    ck_assert_uint_lt(i, r->n);
    ck_assert_str_eq(r->key[i], key);
    ck_assert_str_eq(r->value[i], value);
    ck_assert_int_eq(r->offset[i], offset);
}

START_TEST(test_mock_read_partition)
{
    mock m;
    mock_start(&m);
    ck_assert(!rd_kafka_mock_topic_create(m.mc, "r1", 2, 1));
    ck_assert(!rd_kafka_mock_topic_create(m.mc, "r2", 1, 1));
    rd_kafka_t *p = client(&m, RD_KAFKA_PRODUCER, NULL);
    produce_kv(p, "r1", 0, "k1", "a");
    produce_kv(p, "r1", 0, "k2", "b");
    produce_kv(p, "r1", 0, NULL, "c");
    produce_kv(p, "r1", 0, "k3", NULL);
    produce_kv(p, "r1", 1, "k9", "z");
    ck_assert_int_eq(rd_kafka_flush(p, 5000), 0);
    rd_kafka_destroy(p);

    bd_kafka_admin *k = reader(&m);
    recs *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    read_ok(k, "r1", 0, r);
    ck_assert_uint_eq(r->n, 4);
    rec_is(r, 0, "k1", "a", 0);
    rec_is(r, 1, "k2", "b", 1);
    rec_is(r, 2, "(null)", "c", 2);
    rec_is(r, 3, "k3", "(null)", 3);
    read_ok(k, "r1", 1, r);
    ck_assert_uint_eq(r->n, 1);
    rec_is(r, 0, "k9", "z", 0);
    /* empty, no such partition, no such topic: nothing */
    read_ok(k, "r2", 0, r);
    ck_assert_uint_eq(r->n, 0);
    read_ok(k, "r1", 5, r);
    ck_assert_uint_eq(r->n, 0);
    read_ok(k, "no.such.topic", 0, r);
    ck_assert_uint_eq(r->n, 0);

    /* the callback stops the read with its error */
    memset(r, 0, sizeof *r);
    r->fail_at = 2;
    bd_err err = {0};
    ck_assert_int_eq(bd_kafka_admin_read_partition(k, "r1", 0, on_rec, r, 10000, &err), -1);
    ck_assert_uint_eq(r->n, 2);
    ck_assert_int_eq(err.code, BD_ERR_CORRUPT);
    ck_assert_str_eq(err.msg, "stop at 1");
    /* ... and the next read starts over */
    read_ok(k, "r1", 0, r);
    ck_assert_uint_eq(r->n, 4);
    rec_is(r, 0, "k1", "a", 0);

    /* committed transactions: their messages, not their markers (an
     * offset each); the end is found after a marker too */
    char es[256];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(c, quiet);
    ck_assert(rd_kafka_conf_set(c, "bootstrap.servers", m.bootstraps, es, sizeof es) == 0);
    ck_assert(rd_kafka_conf_set(c, "transactional.id", "reader-test", es, sizeof es) == 0);
    p = rd_kafka_new(RD_KAFKA_PRODUCER, c, es, sizeof es);
    ck_assert_msg(p != NULL, "%s", es);
    rd_kafka_error_t *te = rd_kafka_init_transactions(p, 10000);
    ck_assert_msg(!te, "%s", te ? rd_kafka_error_string(te) : "");
    ck_assert(!rd_kafka_begin_transaction(p));
    produce_kv(p, "r1", 0, "t1", "in txn 1");
    produce_kv(p, "r1", 0, "t2", "in txn 2");
    te = rd_kafka_commit_transaction(p, 10000);
    ck_assert_msg(!te, "%s", te ? rd_kafka_error_string(te) : "");
    read_ok(k, "r1", 0, r);
    ck_assert_uint_eq(r->n, 6);
    rec_is(r, 4, "t1", "in txn 1", 4);
    rec_is(r, 5, "t2", "in txn 2", 5);
    ck_assert(!rd_kafka_begin_transaction(p));
    produce_kv(p, "r1", 0, "t3", "in txn 3");
    te = rd_kafka_commit_transaction(p, 10000);
    ck_assert_msg(!te, "%s", te ? rd_kafka_error_string(te) : "");
    rd_kafka_destroy(p);
    read_ok(k, "r1", 0, r);
    ck_assert_uint_eq(r->n, 7);
    ck_assert_str_eq(r->key[6], "t3");
    ck_assert_str_eq(r->value[6], "in txn 3");
    /* (a broker puts each commit's marker at an offset of its own; the
     * mock does not) */
    ck_assert_int_ge(r->offset[6], 6);

    free(r);
    bd_kafka_admin_free(k);
    mock_stop(&m);
}
END_TEST

/* A checkpoint's JSON text (without its newline). */
static void ckpt_text(const char *file, uint64_t pos, const char *gtid, char *out, size_t n)
{
    bd_checkpoint c;
    memset(&c, 0, sizeof c);
    snprintf(c.server, sizeof c.server, "mariadb server_id=1");
    snprintf(c.file, sizeof c.file, "%s", file);
    c.pos = pos;
    snprintf(c.gtid, sizeof c.gtid, "%s", gtid);
    c.commit_us = pos * 10;
    bd_buf b = BD_BUF_INIT;
    bd_checkpoint_json(&c, &b);
    ck_assert(!bd_buf_failed(&b));
    ck_assert_uint_lt(b.len, n);
    snprintf(out, n, "%.*s", (int)b.len - 1, b.ptr);
    bd_buf_release(&b);
}

static void key_of(const char *source, char *out, size_t n)
{
    bd_buf b = BD_BUF_INIT;
    bd_state_checkpoint_key(source, &b);
    ck_assert(!bd_buf_failed(&b));
    ck_assert_uint_lt(b.len, n);
    snprintf(out, n, "%.*s", (int)b.len, b.ptr);
    bd_buf_release(&b);
}

/* bd_state_read_checkpoint: 0 with c, 1 none, -1. */
static int state_read(bd_kafka_admin *k, const char *topic, const char *source, bd_checkpoint *c,
                      bd_err *err)
{
    memset(c, 0xee, sizeof *c);
    return bd_state_read_checkpoint(k, topic, source, c, 10000, err);
}

START_TEST(test_mock_state_checkpoint)
{
    /* the key: a JSON object naming the source and the kind */
    char key[256], other[256], text[1024];
    key_of("db1", key, sizeof key);
    ck_assert_str_eq(key, "{\"source\":\"db1\",\"kind\":\"checkpoint\"}");
    key_of("a\"b\\c", other, sizeof other);
    json_error_t je;
    json_t *j = json_loads(other, 0, &je);
    ck_assert_msg(j != NULL, "%s: %s", other, je.text);
    ck_assert_str_eq(json_string_value(json_object_get(j, "source")), "a\"b\\c");
    ck_assert_str_eq(json_string_value(json_object_get(j, "kind")), "checkpoint");
    json_decref(j);
    key_of("db2", other, sizeof other);

    mock m;
    mock_start(&m);
    ck_assert(!rd_kafka_mock_topic_create(m.mc, "st", 1, 1));
    bd_kafka_admin *k = reader(&m);
    bd_checkpoint *c = malloc(sizeof *c);
    ck_assert_ptr_nonnull(c);
    bd_err err = {0};
    /* an empty topic, a missing one: none */
    ck_assert_int_eq(state_read(k, "st", "db1", c, &err), 1);
    ck_assert_str_eq(c->file, "");
    ck_assert_uint_eq(c->pos, 0);
    ck_assert_int_eq(state_read(k, "st.missing", "db1", c, &err), 1);

    rd_kafka_t *p = client(&m, RD_KAFKA_PRODUCER, NULL);
    ckpt_text("binlog.000001", 100, "0-1-1", text, sizeof text);
    produce_kv(p, "st", 0, key, text);
    ckpt_text("other.000009", 999, "0-2-9", text, sizeof text);
    produce_kv(p, "st", 0, other, text);
    ckpt_text("binlog.000002", 200, "0-1-2", text, sizeof text);
    produce_kv(p, "st", 0, key, text);
    /* not a checkpoint, but of another source, or of no key: not read */
    produce_kv(p, "st", 0, other, "{\"not\":\"a checkpoint\"}");
    produce_kv(p, "st", 0, NULL, "junk");
    produce_kv(p, "st", 0, "{\"source\":\"db1\",\"kind\":\"other\"}", "junk");
    ck_assert_int_eq(rd_kafka_flush(p, 5000), 0);

    /* the last record of the key wins */
    ck_assert_msg(state_read(k, "st", "db1", c, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(c->server, "mariadb server_id=1");
    ck_assert_str_eq(c->file, "binlog.000002");
    ck_assert_uint_eq(c->pos, 200);
    ck_assert_str_eq(c->gtid, "0-1-2");
    ck_assert_uint_eq(c->commit_us, 2000);
    ck_assert_int_eq(state_read(k, "st", "db3", c, &err), 1);
    ck_assert_str_eq(c->file, "");

    /* a tombstone forgets it; a later record is the checkpoint again */
    produce_kv(p, "st", 0, key, NULL);
    ck_assert_int_eq(rd_kafka_flush(p, 5000), 0);
    ck_assert_int_eq(state_read(k, "st", "db1", c, &err), 1);
    ck_assert_str_eq(c->file, "");
    ck_assert_uint_eq(c->pos, 0);
    ckpt_text("binlog.000003", 300, "0-1-3", text, sizeof text);
    produce_kv(p, "st", 0, key, text);
    ck_assert_int_eq(rd_kafka_flush(p, 5000), 0);
    ck_assert_msg(state_read(k, "st", "db1", c, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(c->file, "binlog.000003");
    ck_assert_uint_eq(c->pos, 300);
    ck_assert_str_eq(c->gtid, "0-1-3");

    /* a record of this source that is not a checkpoint: an error naming
     * the topic and the offset */
    produce_kv(p, "st", 0, key, "{\"binlogd_checkpoint\":1,\"file\":\"x\"}");
    ck_assert_int_eq(rd_kafka_flush(p, 5000), 0);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(state_read(k, "st", "db1", c, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_CORRUPT);
    ck_assert_msg(strstr(err.msg, "in topic st at offset 8") != NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "bad \"server\"") != NULL, "%s", err.msg);
    rd_kafka_destroy(p);

    free(c);
    bd_kafka_admin_free(k);
    mock_stop(&m);
}
END_TEST

/* bd_state_follow: each call reads only what came since the last, and
 * says whether a record of the source was among it. */
START_TEST(test_mock_state_follow)
{
    char key[256], other[256], text[1024];
    key_of("db1", key, sizeof key);
    key_of("db2", other, sizeof other);
    mock m;
    mock_start(&m);
    ck_assert(!rd_kafka_mock_topic_create(m.mc, "sf", 1, 1));
    bd_kafka_admin *k = reader(&m);
    bd_checkpoint *c = calloc(1, sizeof *c);
    ck_assert_ptr_nonnull(c);
    bd_err err = {0};
    int64_t next = -1;
    /* empty: none, and the offset stays at the start */
    ck_assert_int_eq(bd_state_follow(k, "sf", "db1", &next, c, 10000, 0, &err), 1);
    ck_assert_int_eq(next, -1);
    rd_kafka_t *p = client(&m, RD_KAFKA_PRODUCER, NULL);
    ckpt_text("binlog.000001", 100, "0-1-1", text, sizeof text);
    produce_kv(p, "sf", 0, key, text);
    ckpt_text("binlog.000002", 200, "0-1-2", text, sizeof text);
    produce_kv(p, "sf", 0, key, text);
    ck_assert_int_eq(rd_kafka_flush(p, 5000), 0);
    ck_assert_msg(bd_state_follow(k, "sf", "db1", &next, c, 10000, 0, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(c->file, "binlog.000002");
    ck_assert_uint_eq(c->pos, 200);
    ck_assert_int_eq(next, 2);
    /* nothing new: none, c as it was */
    ck_assert_int_eq(bd_state_follow(k, "sf", "db1", &next, c, 10000, 0, &err), 1);
    ck_assert_str_eq(c->file, "binlog.000002");
    ck_assert_int_eq(next, 2);
    /* another source's record: read past, none for this one */
    ckpt_text("other.000009", 9, "0-2-9", text, sizeof text);
    produce_kv(p, "sf", 0, other, text);
    ck_assert_int_eq(rd_kafka_flush(p, 5000), 0);
    ck_assert_int_eq(bd_state_follow(k, "sf", "db1", &next, c, 10000, 0, &err), 1);
    ck_assert_str_eq(c->file, "binlog.000002");
    ck_assert_int_eq(next, 3);
    /* a newer one, read with a budget */
    ckpt_text("binlog.000003", 300, "0-1-3", text, sizeof text);
    produce_kv(p, "sf", 0, key, text);
    ck_assert_int_eq(rd_kafka_flush(p, 5000), 0);
    ck_assert_msg(bd_state_follow(k, "sf", "db1", &next, c, 10000, 200, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(c->file, "binlog.000003");
    ck_assert_uint_eq(c->pos, 300);
    ck_assert_int_eq(next, 4);
    /* a tombstone clears it */
    produce_kv(p, "sf", 0, key, NULL);
    ck_assert_int_eq(rd_kafka_flush(p, 5000), 0);
    ck_assert_int_eq(bd_state_follow(k, "sf", "db1", &next, c, 10000, 0, &err), 0);
    ck_assert_str_eq(c->file, "");
    ck_assert_int_eq(next, 5);
    rd_kafka_destroy(p);
    free(c);
    bd_kafka_admin_free(k);
    mock_stop(&m);
}
END_TEST

/* librdkafka's mock cluster does not answer CreateTopics (2.0.2 has no
 * handler for it; the request waits for a controller until the timeout),
 * so only the failure of a create is seen here.  It does make a topic when
 * its metadata is asked for: bd_state_topic_ensure then finds it and does
 * not create it (a topic created by hand, for a principal that may not
 * create topics).  (Creating a topic: tests/integ, against a real
 * broker.) */
START_TEST(test_mock_state_topic_not_created)
{
    mock m;
    mock_start(&m);
    bd_kafka_admin *k = admin(&m);
    bd_err err = {0};
    static const char *const conf[] = {"cleanup.policy", "compact"};
    ck_assert_int_eq(bd_kafka_admin_create_topic(k, "nt.1", 1, conf, 1, 500, &err), -1);
    char want[300];
    snprintf(want, sizeof want, "kafka %s: creating topic nt.1: ", m.bootstraps);
    ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
    int created = -1;
    long long t0 = ms_now();
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(bd_state_topic_ensure(k, "nt.state", &created, 500, &err), 0);
    ck_assert_msg(ms_now() - t0 < 500 + 2500, "took %lld ms", ms_now() - t0);
    ck_assert_int_eq(created, 0);
    ck_assert_int_gt(bd_kafka_admin_partitions(k, "nt.state", 1000, &err), 0);
    bd_kafka_admin_free(k);
    mock_stop(&m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kafka_admin");
    TCase *tc = tcase_create("kafka_admin");
    /* valgrind makes librdkafka's threads slow */
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_bootstrap_servers);
    tcase_add_test(tc, test_settings_refused);
    tcase_add_test(tc, test_secrets_masked);
    tcase_add_test(tc, test_producer_settings_left_out);
    tcase_add_test(tc, test_quiet_and_named);
    tcase_add_test(tc, test_mock_partitions_watermarks_commit_time);
    tcase_add_test(tc, test_mock_group_offsets);
    tcase_add_test(tc, test_mock_read_partition);
    tcase_add_test(tc, test_mock_state_checkpoint);
    tcase_add_test(tc, test_mock_state_follow);
    tcase_add_test(tc, test_mock_state_topic_not_created);
    suite_add_tcase(s, tc);
    return tu_run(s) ? 1 : 0;
}
