/* test_sink_kafka.c - the publish stage's Kafka sink (lib/sink/sink_kafka.c)
 * against librdkafka's in-process mock cluster: the flow-control window
 * (max_in_flight, max_in_flight_bytes) with one thread serving its own
 * reports and with a polling thread, the oversize policy (the client's
 * limit and the broker's refusal), a failed delivery holding the
 * acknowledged position, the partition of each kind of message, and the
 * replay headers read back from the cluster, and exactly once: Kafka
 * transactions, the acknowledged position moving only at a commit, the
 * checkpoint records of the state topic, commit_due, abort and fencing. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "binlogd/acks.h"
#include "binlogd/checkpoint.h"
#include "binlogd/config.h"
#include "binlogd/kafka.h"
#include "binlogd/publish.h"
#include "binlogd/sink_kafka.h"
#include "binlogd/state_topic.h"
#include "kmock.h"
#include "testutil.h"

/* Kafka protocol ApiKeys */
enum { API_PRODUCE = 0, API_END_TXN = 26 };

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- a configuration built by hand: what bd_ksink_new reads --------------- */

typedef struct kconf {
    bd_config c;
    char *pairs[32];
} kconf;

/* bootstrap.servers of m, then the extra name/value pairs */
static void kconf_init(kconf *k, const mock *m, uint64_t max_msgs, uint64_t max_bytes, int oversize,
                       const char *const *extra, size_t nextra)
{
    memset(k, 0, sizeof *k);
    size_t n = 0;
    k->pairs[n++] = (char *)"bootstrap.servers";
    k->pairs[n++] = (char *)m->bootstraps;
    ck_assert_uint_le(n + 2 * nextra, sizeof k->pairs / sizeof k->pairs[0]);
    for (size_t i = 0; i < 2 * nextra; i++)
        k->pairs[n++] = (char *)extra[i];
    k->c.kafka = k->pairs;
    k->c.nkafka = n / 2;
    k->c.max_in_flight = max_msgs;
    k->c.max_in_flight_bytes = max_bytes;
    k->c.oversize = oversize;
}

/* ---- what the sink's callbacks saw ----------------------------------------- */

#define MAXREP 512

typedef struct rep {
    char topic[64];
    int32_t partition;
    size_t len;
    int err;
    int too_large;
    int ok;
} rep;

typedef struct sctx {
    bd_ksink *s;
    pthread_mutex_t mu;
    rep r[MAXREP];
    size_t n;
    uint64_t limit;    /* in flight at most, as a report sees it (0: not checked) */
    uint64_t max_seen; /* the most messages in flight a report saw */
    uint64_t over;     /* reports that saw more than limit */
    pthread_t data;    /* the thread that calls begin/emit/end */
    int other_thread;  /* reports served on another thread */
    char logs[16384];
    size_t loglen;
    int64_t stop_at_ms; /* stopping() says stop from then on (0: never) */
    atomic_int stopping_calls;
} sctx;

static void on_report(void *ctx, const bd_kafka_report *r, int ok)
{
    sctx *x = ctx;
    bd_acks_pos p;
    char f[64];
    uint64_t pos;
    bd_acks_position(bd_ksink_acks(x->s), &p, f, sizeof f, &pos, NULL);
    pthread_mutex_lock(&x->mu);
    if (!pthread_equal(pthread_self(), x->data)) x->other_thread++;
    if (p.in_flight > x->max_seen) x->max_seen = p.in_flight;
    if (x->limit && p.in_flight > x->limit) x->over++;
    if (x->n < MAXREP) {
        rep *o = &x->r[x->n++];
        snprintf(o->topic, sizeof o->topic, "%s", r->topic ? r->topic : "");
        o->partition = r->partition;
        o->len = r->len;
        o->err = r->err;
        o->too_large = r->too_large;
        o->ok = ok;
    }
    pthread_mutex_unlock(&x->mu);
}

static void on_log(void *ctx, int level, const char *msg)
{
    sctx *x = ctx;
    pthread_mutex_lock(&x->mu);
    int n = snprintf(x->logs + x->loglen, sizeof x->logs - x->loglen, "%d %s\n", level, msg);
    if (n > 0) x->loglen += (size_t)n < sizeof x->logs - x->loglen ? (size_t)n : 0;
    pthread_mutex_unlock(&x->mu);
}

static int on_stopping(void *ctx)
{
    sctx *x = ctx;
    atomic_fetch_add(&x->stopping_calls, 1);
    return x->stop_at_ms && now_ms() >= x->stop_at_ms;
}

static sctx *sctx_new(uint64_t limit)
{
    sctx *x = calloc(1, sizeof *x);
    ck_assert(x != NULL);
    pthread_mutex_init(&x->mu, NULL);
    x->limit = limit;
    x->data = pthread_self();
    atomic_init(&x->stopping_calls, 0);
    return x;
}

static void sctx_free(sctx *x)
{
    pthread_mutex_destroy(&x->mu);
    free(x);
}

static bd_ksink *sink_new(sctx *x, const kconf *k, int threads, size_t ring, const char *start_file,
                          uint64_t start_pos, const char *replay_id)
{
    bd_ksink_opts o = {0};
    o.threads = threads;
    o.ring = ring;
    o.start_file = start_file;
    o.start_pos = start_pos;
    o.replay_id = replay_id;
    o.on_report = on_report;
    o.log = on_log;
    o.stopping = on_stopping;
    o.ctx = x;
    bd_err err = {0};
    bd_ksink *s = bd_ksink_new(&k->c, &o, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    x->s = s;
    return s;
}

/* One message as the stage hands it over. */
static int emit(bd_ksink *s, const char *topic, enum bd_pub_part part, const char *table,
                const char *key, const char *value, size_t vlen, const char *file, uint64_t pos,
                uint32_t row, bd_err *err)
{
    bd_pub_msg m = {0};
    m.topic = topic;
    m.part = part;
    m.table = table;
    m.table_len = strlen(table);
    m.key = key;
    m.key_len = key ? strlen(key) : 0;
    m.value = value;
    m.value_len = vlen;
    m.op = 'c';
    m.file = file;
    m.pos = pos;
    m.row = row;
    return bd_ksink_emit(s, &m, err);
}

#define EMIT_OK(s, ...)                                                                            \
    do {                                                                                           \
        bd_err e_ = {0};                                                                           \
        int rc_ = emit(s, __VA_ARGS__, &e_);                                                       \
        ck_assert_msg(rc_ == 0, "emit: %d: %s", rc_, e_.msg);                                      \
    } while (0)

static void begin_ok(bd_ksink *s, uint64_t commit_us)
{
    bd_err err = {0};
    ck_assert_msg(bd_ksink_begin(s, commit_us, &err) == 0, "%s", err.msg);
    ck_assert_ptr_nonnull(bd_ksink_txn(s));
}

static void end_ok(bd_ksink *s, const char *file, uint64_t pos, uint64_t commit_us)
{
    bd_txn t = {0};
    t.in_txn = 1;
    t.commit_us = commit_us;
    bd_err err = {0};
    ck_assert_msg(bd_ksink_end(s, file, pos, &t, &err) == 0, "%s", err.msg);
    ck_assert_ptr_null(bd_ksink_txn(s));
}

static void flush_ok(bd_ksink *s)
{
    bd_err err = {0};
    ck_assert_msg(bd_ksink_flush(s, 20000, &err) == 0, "%s", err.msg);
}

/* The acknowledged position: file:pos and the rest. */
typedef struct apos {
    bd_acks_pos p;
    char file[64];
    uint64_t pos;
} apos;

static apos position(bd_ksink *s)
{
    apos a;
    memset(&a, 0, sizeof a);
    bd_acks_position(bd_ksink_acks(s), &a.p, a.file, sizeof a.file, &a.pos, NULL);
    return a;
}

#define CHECK_POS(s, f, ps)                                                                        \
    do {                                                                                           \
        apos a_ = position(s);                                                                     \
        ck_assert_msg(!strcmp(a_.file, f) && a_.pos == (ps), "position %s:%llu, want %s:%llu",     \
                      a_.file, (unsigned long long)a_.pos, f, (unsigned long long)(ps));           \
    } while (0)

/* ---- a thread that serves the producer (threads = 1) ------------------------ */

typedef struct poller {
    bd_kafka *k;
    atomic_int stop;
    pthread_t th;
} poller;

static void *poll_run(void *arg)
{
    poller *p = arg;
    struct pollfd pf = {.fd = bd_kafka_fd(p->k), .events = POLLIN};
    while (!atomic_load(&p->stop)) {
        if (poll(&pf, 1, 20) > 0) bd_kafka_poll(p->k);
    }
    return NULL;
}

static void poller_start(poller *p, bd_ksink *s)
{
    p->k = bd_ksink_kafka(s);
    atomic_init(&p->stop, 0);
    ck_assert(pthread_create(&p->th, NULL, poll_run, p) == 0);
}

static void poller_stop(poller *p)
{
    atomic_store(&p->stop, 1);
    pthread_join(p->th, NULL);
}

/* Wait (another thread serving) until retired transactions reach want. */
static void wait_retired(bd_ksink *s, uint64_t want, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    for (;;) {
        apos a = position(s);
        if (a.p.retired >= want) return;
        ck_assert_msg(now_ms() < end, "%llu of %llu transactions acknowledged after %d ms",
                      (unsigned long long)a.p.retired, (unsigned long long)want, timeout_ms);
        sleep_ms(5);
    }
}

/* ---- 1. the window ------------------------------------------------------------ */

enum { WTXN = 10, WPER = 5 }; /* 50 messages */

/* Produce WTXN transactions of WPER messages, checking between emits that
 * no more than max_msgs are in flight. */
static void window_run(bd_ksink *s, uint64_t max_msgs)
{
    char key[32], val[64];
    for (int t = 0; t < WTXN; t++) {
        begin_ok(s, 1000000 + (uint64_t)t);
        for (int i = 0; i < WPER; i++) {
            int id = t * WPER + i;
            snprintf(key, sizeof key, "{\"id\":%d}", id);
            snprintf(val, sizeof val, "{\"op\":\"c\",\"n\":%d}", id);
            EMIT_OK(s, "win", BD_PUB_BY_KEY, "pay.win", key, val, strlen(val), "binlog.000001",
                    100 + (uint64_t)id, 0);
            apos a = position(s);
            ck_assert_msg(a.p.in_flight <= max_msgs, "%llu in flight after emit %d",
                          (unsigned long long)a.p.in_flight, id);
        }
        end_ok(s, "binlog.000001", 1000 * (uint64_t)(t + 1), 1000000 + (uint64_t)t);
    }
}

static void window_check(sctx *x, bd_ksink *s)
{
    apos a = position(s);
    ck_assert_str_eq(a.file, "binlog.000001");
    ck_assert_uint_eq(a.pos, 1000 * WTXN);
    ck_assert_uint_eq(a.p.delivered, WTXN * WPER);
    ck_assert_uint_eq(a.p.failed, 0);
    ck_assert_uint_eq(a.p.in_flight, 0);
    ck_assert_uint_eq(a.p.in_flight_bytes, 0);
    ck_assert_uint_eq(a.p.open_txns, 0);
    ck_assert_uint_eq(a.p.retired, WTXN);
    ck_assert_int_eq(a.p.stuck, 0);
    ck_assert_uint_eq(a.p.commit_us, 1000000 + WTXN - 1);
    ck_assert_uint_eq(x->n, WTXN * WPER);
    for (size_t i = 0; i < x->n; i++) {
        ck_assert_msg(x->r[i].ok && x->r[i].err == 0, "report %zu: err %d", i, x->r[i].err);
        ck_assert_str_eq(x->r[i].topic, "win");
    }
    /* the window was full at times, and never more than full */
    ck_assert_uint_eq(x->over, 0);
    ck_assert_uint_eq(x->max_seen, x->limit);
    bd_ksink_counts c;
    bd_ksink_counts_get(s, &c);
    ck_assert_uint_eq(c.errors, 0);
    ck_assert_uint_eq(c.oversize_skipped, 0);
    char why[BD_ERRLEN];
    bd_ksink_first_failure(s, why, sizeof why);
    ck_assert_str_eq(why, "");
}

/* One thread: the sink serves its own reports while the window is full. */
START_TEST(ks_window_one_thread)
{
    mock m;
    mock_start(&m, 1);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "win", 3, 1) == 0);
    kconf k;
    kconf_init(&k, &m, 3, 1 << 20, BD_OVERSIZE_FAIL, NULL, 0);
    sctx *x = sctx_new(3);
    bd_ksink *s = sink_new(x, &k, 0, 4, "binlog.000001", 4, NULL);
    CHECK_POS(s, "binlog.000001", 4);
    window_run(s, 3);
    flush_ok(s);
    window_check(x, s);
    ck_assert_int_eq(x->other_thread, 0);
    bd_ksink_free(s);
    sctx_free(x);
    mock_stop(&m);
}
END_TEST

/* Two threads: the data thread sleeps on the window, a polling thread
 * serves the reports. */
START_TEST(ks_window_two_threads)
{
    mock m;
    mock_start(&m, 1);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "win", 3, 1) == 0);
    kconf k;
    /* batches wait 50 ms: the data thread fills the window before the
     * first report, even under valgrind */
    static const char *const linger[] = {"linger.ms", "50"};
    kconf_init(&k, &m, 3, 1 << 20, BD_OVERSIZE_FAIL, linger, 1);
    sctx *x = sctx_new(3);
    bd_ksink *s = sink_new(x, &k, 1, 4, "binlog.000001", 4, NULL);
    poller pl;
    poller_start(&pl, s);
    window_run(s, 3);
    wait_retired(s, WTXN, 20000);
    poller_stop(&pl);
    flush_ok(s);
    window_check(x, s);
    ck_assert_int_eq(x->other_thread, WTXN * WPER); /* every report on the poller */
    bd_ksink_free(s);
    sctx_free(x);
    mock_stop(&m);
}
END_TEST

/* The bytes window: 250-byte messages, at most 1000 bytes in flight
 * before the next is added. */
START_TEST(ks_window_bytes)
{
    mock m;
    mock_start(&m, 1);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "wb", 1, 1) == 0);
    kconf k;
    kconf_init(&k, &m, 1000, 1000, BD_OVERSIZE_FAIL, NULL, 0);
    sctx *x = sctx_new(0);
    bd_ksink *s = sink_new(x, &k, 0, 4, "binlog.000001", 4, NULL);
    char val[250];
    memset(val, 'v', sizeof val);
    uint64_t max_bytes = 0, max_msgs = 0;
    begin_ok(s, 0);
    for (int i = 0; i < 40; i++) {
        EMIT_OK(s, "wb", BD_PUB_BY_TABLE, "pay.wb", NULL, val, sizeof val, "binlog.000001",
                100 + (uint64_t)i, 0);
        apos a = position(s);
        if (a.p.in_flight_bytes > max_bytes) max_bytes = a.p.in_flight_bytes;
        if (a.p.in_flight > max_msgs) max_msgs = a.p.in_flight;
    }
    end_ok(s, "binlog.000001", 5000, 0);
    flush_ok(s);
    /* a message is added while fewer than 1000 bytes are in flight */
    ck_assert_uint_eq(max_bytes, 1000);
    ck_assert_uint_eq(max_msgs, 4);
    ck_assert_uint_le(x->max_seen, 4);
    apos a = position(s);
    ck_assert_uint_eq(a.p.delivered, 40);
    ck_assert_uint_eq(a.p.in_flight_bytes, 0);
    CHECK_POS(s, "binlog.000001", 5000);
    bd_ksink_free(s);
    sctx_free(x);
    mock_stop(&m);
}
END_TEST

/* threads = 1: a data thread asleep on a full window (the brokers are
 * down) is woken by bd_ksink_stop and stops; begin and emit stop at once
 * from then on. */
typedef struct feeder {
    bd_ksink *s;
    int rc[4]; /* begin, then three emits */
    bd_err err;
    atomic_int done;
} feeder;

static void *feed(void *arg)
{
    feeder *f = arg;
    f->rc[0] = bd_ksink_begin(f->s, 0, &f->err);
    /* two messages fill the window; the third waits for room that never
     * comes (the brokers are down) */
    for (int i = 1; i <= 3 && f->rc[i - 1] == 0; i++)
        f->rc[i] = emit(f->s, "down", BD_PUB_BY_KEY, "pay.down", "{\"id\":1}", "v", 1,
                        "binlog.000001", 100 * (uint64_t)i, 0, &f->err);
    atomic_store(&f->done, 1);
    return NULL;
}

START_TEST(ks_stop_wakes_waiter)
{
    mock m;
    mock_start(&m, 1);
    ck_assert(rd_kafka_mock_broker_set_down(m.mc, -1) == 0);
    kconf k;
    kconf_init(&k, &m, 2, 1 << 20, BD_OVERSIZE_FAIL, NULL, 0);
    sctx *x = sctx_new(2);
    bd_ksink *s = sink_new(x, &k, 1, 4, "binlog.000001", 4, NULL);
    poller pl;
    poller_start(&pl, s);
    feeder f = {s, {9, 9, 9, 9}, {0}, 0};
    atomic_init(&f.done, 0);
    pthread_t th;
    ck_assert(pthread_create(&th, NULL, feed, &f) == 0);
    int64_t end = now_ms() + 5000;
    while (position(s).p.in_flight < 2) {
        ck_assert_msg(now_ms() < end, "the window never filled");
        sleep_ms(5);
    }
    sleep_ms(200);
    ck_assert_int_eq(atomic_load(&f.done), 0); /* waiting */
    ck_assert_uint_eq(position(s).p.in_flight, 2);
    bd_ksink_stop(s);
    pthread_join(th, NULL);
    ck_assert_int_eq(f.rc[0], 0);
    ck_assert_int_eq(f.rc[1], 0);
    ck_assert_int_eq(f.rc[2], 0);
    ck_assert_int_eq(f.rc[3], -1);
    ck_assert_int_eq(f.err.code, BD_ERR_CALLBACK);
    ck_assert_str_eq(f.err.msg, "stopped");
    apos a = position(s);
    ck_assert_uint_eq(a.p.in_flight, 2);
    ck_assert_uint_eq(a.p.delivered, 0);
    CHECK_POS(s, "binlog.000001", 4);
    /* from now on, at once */
    bd_err err = {0};
    ck_assert_int_eq(bd_ksink_end(s, "binlog.000001", 400, NULL, &err), 0);
    ck_assert_int_eq(bd_ksink_begin(s, 0, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_CALLBACK);
    poller_stop(&pl);
    bd_ksink_free(s); /* without a flush: what is in flight is dropped */
    sctx_free(x);
    mock_stop(&m);
}
END_TEST

/* ---- 2. oversize ---------------------------------------------------------------- */

static const char *const SMALL_MAX[] = {"message.max.bytes", "2000"};

START_TEST(ks_oversize_stop)
{
    mock m;
    mock_start(&m, 1);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "big", 1, 1) == 0);
    kconf k;
    kconf_init(&k, &m, 100, 1 << 20, BD_OVERSIZE_FAIL, SMALL_MAX, 1);
    sctx *x = sctx_new(0);
    bd_ksink *s = sink_new(x, &k, 0, 4, "binlog.000002", 4, NULL);
    char *big = malloc(5000);
    memset(big, 'x', 5000);

    begin_ok(s, 0);
    EMIT_OK(s, "big", BD_PUB_BY_KEY, "pay.big", "{\"id\":1}", "small", 5, "binlog.000002", 4000, 0);
    bd_err err = {0};
    ck_assert_int_eq(emit(s, "big", BD_PUB_BY_KEY, "pay.big", "{\"id\":2}", big, 5000,
                          "binlog.000002", 4567, 3, &err),
                     -1);
    ck_assert_int_eq(err.code, BD_ERR_IO);
    ck_assert_msg(strstr(err.msg, "row change at `pay`.`big` at binlog.000002:4567 row 3 is 5008 "
                                  "bytes, more than Kafka accepts") != NULL,
                  "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "kafka.oversize=skip") != NULL, "%s", err.msg);
    /* the refused one is not in flight; the one before it is */
    apos a = position(s);
    ck_assert_uint_eq(a.p.in_flight, 1);
    ck_assert_uint_eq(a.p.in_flight_bytes, 8 + 5);
    flush_ok(s);
    a = position(s);
    ck_assert_uint_eq(a.p.delivered, 1);
    ck_assert_uint_eq(a.p.in_flight, 0);
    ck_assert_uint_eq(a.p.open_txns, 1);
    CHECK_POS(s, "binlog.000002", 4); /* the transaction never ended */
    bd_ksink_counts c;
    bd_ksink_counts_get(s, &c);
    ck_assert_uint_eq(c.oversize_skipped, 0);
    ck_assert_uint_eq(c.errors, 0);
    free(big);
    bd_ksink_free(s);
    sctx_free(x);
    mock_stop(&m);
}
END_TEST

START_TEST(ks_oversize_skip)
{
    mock m;
    mock_start(&m, 1);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "big", 4, 1) == 0);
    kconf k;
    kconf_init(&k, &m, 100, 1 << 20, BD_OVERSIZE_SKIP, SMALL_MAX, 1);
    sctx *x = sctx_new(0);
    bd_ksink *s = sink_new(x, &k, 0, 4, "binlog.000002", 4, NULL);
    char *big = malloc(5000);
    memset(big, 'x', 5000);

    /* a transaction with one message too large among others */
    begin_ok(s, 0);
    EMIT_OK(s, "big", BD_PUB_BY_KEY, "pay.big", "{\"id\":1}", "small", 5, "binlog.000002", 4000, 0);
    bd_err err = {0};
    ck_assert_int_eq(emit(s, "big", BD_PUB_BY_KEY, "pay.big", "{\"id\":2}", big, 5000,
                          "binlog.000002", 4567, 3, &err),
                     0);
    EMIT_OK(s, "big", BD_PUB_BY_KEY, "pay.big", "{\"id\":3}", "small", 5, "binlog.000002", 4600, 0);
    end_ok(s, "binlog.000002", 5000, 0);
    bd_ksink_counts c;
    bd_ksink_counts_get(s, &c);
    ck_assert_uint_eq(c.oversize_skipped, 1);
    ck_assert_msg(strstr(x->logs,
                         "row change at `pay`.`big` at binlog.000002:4567 row 3 is 5008 "
                         "bytes, more than Kafka accepts (message.max.bytes): skipped") != NULL,
                  "%s", x->logs);
    flush_ok(s);
    apos a = position(s);
    ck_assert_uint_eq(a.p.delivered, 2);
    ck_assert_uint_eq(a.p.failed, 0);
    CHECK_POS(s, "binlog.000002", 5000);

    /* a transaction whose only message is too large: passed over whole */
    begin_ok(s, 0);
    ck_assert_int_eq(
        emit(s, "big", BD_PUB_BY_TABLE, "pay.big", NULL, big, 5000, "binlog.000002", 5100, 0, &err),
        0);
    end_ok(s, "binlog.000002", 6000, 0);
    flush_ok(s);
    CHECK_POS(s, "binlog.000002", 6000);
    bd_ksink_counts_get(s, &c);
    ck_assert_uint_eq(c.oversize_skipped, 2);
    ck_assert_uint_eq(c.errors, 0);
    a = position(s);
    ck_assert_uint_eq(a.p.retired, 2);
    ck_assert_uint_eq(a.p.in_flight, 0);
    ck_assert_uint_eq(a.p.in_flight_bytes, 0);

    /* the policy changed (a reload): the next one stops */
    bd_ksink_set_oversize_skip(s, 0);
    begin_ok(s, 0);
    ck_assert_int_eq(emit(s, "big", BD_PUB_BY_KEY, "pay.big", "{\"id\":4}", big, 5000,
                          "binlog.000002", 6100, 0, &err),
                     -1);
    ck_assert_int_eq(err.code, BD_ERR_IO);
    flush_ok(s);
    CHECK_POS(s, "binlog.000002", 6000);
    bd_ksink_counts_get(s, &c);
    ck_assert_uint_eq(c.oversize_skipped, 2);
    ck_assert_uint_eq(x->n, 2); /* reports: the two small ones */
    free(big);
    bd_ksink_free(s);
    sctx_free(x);
    mock_stop(&m);
}
END_TEST

/* The broker refuses a message as too large (its own limit, lower than
 * the client's): skip counts it as taken, stop holds the position. */
START_TEST(ks_oversize_broker)
{
    for (int skip = 0; skip <= 1; skip++) {
        mock m;
        mock_start(&m, 1);
        ck_assert(rd_kafka_mock_topic_create(m.mc, "bb", 1, 1) == 0);
        kconf k;
        kconf_init(&k, &m, 100, 1 << 20, skip ? BD_OVERSIZE_SKIP : BD_OVERSIZE_FAIL, NULL, 0);
        sctx *x = sctx_new(0);
        bd_ksink *s = sink_new(x, &k, 0, 8, "binlog.000004", 4, NULL);
        begin_ok(s, 0);
        EMIT_OK(s, "bb", BD_PUB_BY_KEY, "pay.bb", "{\"id\":1}", "v", 1, "binlog.000004", 100, 0);
        end_ok(s, "binlog.000004", 200, 0);
        flush_ok(s);
        CHECK_POS(s, "binlog.000004", 200);
        rd_kafka_mock_push_request_errors(m.mc, API_PRODUCE, 1,
                                          RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
        begin_ok(s, 0);
        EMIT_OK(s, "bb", BD_PUB_BY_KEY, "pay.bb", "{\"id\":2}", "vv", 2, "binlog.000004", 300, 0);
        end_ok(s, "binlog.000004", 400, 0);
        flush_ok(s);
        ck_assert_uint_eq(x->n, 2);
        ck_assert_int_eq(x->r[1].err, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
        ck_assert_int_eq(x->r[1].too_large, 1);
        ck_assert_int_eq(x->r[1].ok, skip);
        bd_ksink_counts c;
        bd_ksink_counts_get(s, &c);
        apos a = position(s);
        char why[BD_ERRLEN];
        bd_ksink_first_failure(s, why, sizeof why);
        if (skip) {
            ck_assert_uint_eq(c.oversize_skipped, 1);
            ck_assert_uint_eq(c.errors, 1); /* every refusal counts, a skipped one too */
            CHECK_POS(s, "binlog.000004", 400);
            ck_assert_int_eq(a.p.stuck, 0);
            ck_assert_str_eq(why, "");
            ck_assert_msg(strstr(x->logs, "refused by the broker as too large: skipped") != NULL,
                          "%s", x->logs);
        } else {
            ck_assert_uint_eq(c.oversize_skipped, 0);
            ck_assert_uint_eq(c.errors, 1);
            CHECK_POS(s, "binlog.000004", 200);
            ck_assert_int_eq(a.p.stuck, 1);
            ck_assert_msg(strstr(why, "Kafka did not take a message for bb: ") == why, "%s", why);
        }
        bd_ksink_free(s);
        sctx_free(x);
        mock_stop(&m);
    }
}
END_TEST

/* ---- 3. a failed delivery holds the checkpoint ------------------------------- */

START_TEST(ks_failed_delivery_holds)
{
    mock m;
    mock_start(&m, 1);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "ok.t", 2, 1) == 0);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "bad.t", 1, 1) == 0);
    kconf k;
    kconf_init(&k, &m, 100, 1 << 20, BD_OVERSIZE_FAIL, NULL, 0);
    sctx *x = sctx_new(0);
    bd_ksink *s = sink_new(x, &k, 0, 4, "binlog.000003", 4, NULL);

    /* transaction 1: taken */
    begin_ok(s, 0);
    EMIT_OK(s, "ok.t", BD_PUB_BY_KEY, "pay.ok", "{\"id\":1}", "one", 3, "binlog.000003", 100, 0);
    EMIT_OK(s, "ok.t", BD_PUB_BY_KEY, "pay.ok", "{\"id\":2}", "two", 3, "binlog.000003", 100, 1);
    end_ok(s, "binlog.000003", 1000, 0);
    flush_ok(s);
    CHECK_POS(s, "binlog.000003", 1000);
    ck_assert_int_eq(position(s).p.stuck, 0);

    /* transaction 2: the broker refuses its messages for good */
    rd_kafka_mock_push_request_errors(m.mc, API_PRODUCE, 1,
                                      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    begin_ok(s, 0);
    EMIT_OK(s, "bad.t", BD_PUB_BY_KEY, "pay.bad", "{\"id\":3}", "three", 5, "binlog.000003", 1100,
            0);
    end_ok(s, "binlog.000003", 2000, 0);
    flush_ok(s); /* nothing in flight: the reports came, as failures */
    apos a = position(s);
    CHECK_POS(s, "binlog.000003", 1000);
    ck_assert_int_eq(a.p.stuck, 1);
    ck_assert_uint_eq(a.p.failed, 1);
    ck_assert_uint_eq(a.p.delivered, 2);
    ck_assert_uint_eq(a.p.in_flight, 0);

    bd_ksink_counts c;
    bd_ksink_counts_get(s, &c);
    ck_assert_uint_eq(c.errors, 1);
    char why[BD_ERRLEN];
    bd_ksink_first_failure(s, why, sizeof why);
    ck_assert_msg(strstr(why, "Kafka did not take a message for bad.t: ") == why, "%s", why);
    ck_assert_uint_gt(strlen(why), strlen("Kafka did not take a message for bad.t: "));
    size_t bad = 0;
    for (size_t i = 0; i < x->n; i++)
        if (!strcmp(x->r[i].topic, "bad.t")) {
            bad++;
            ck_assert_int_eq(x->r[i].ok, 0);
            ck_assert_int_eq(x->r[i].err, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
        }
    ck_assert_uint_eq(bad, 1);

    /* one thread (replay): the failure stops the stream at the next
     * transaction, at once and saying why, rather than fill the ring
     * with records that can never retire and wait there for ever */
    int64_t t0 = now_ms();
    bd_err err = {0};
    ck_assert_int_eq(bd_ksink_begin(s, 0, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_IO);
    ck_assert_str_eq(err.msg, why);
    ck_assert_int_lt(now_ms() - t0, 250);
    ck_assert_ptr_null(bd_ksink_txn(s));
    CHECK_POS(s, "binlog.000003", 1000);
    a = position(s);
    ck_assert_int_eq(a.p.stuck, 1);
    ck_assert_uint_eq(a.p.retired, 1);

    bd_ksink_free(s);
    sctx_free(x);
    mock_stop(&m);
}
END_TEST

/* ---- 4. partitions --------------------------------------------------------------- */

enum { NPARTS = 4 };

/* Emit one message, wait for its reports (n of them), return the last's partition. */
static int32_t emit_one(sctx *x, bd_ksink *s, enum bd_pub_part part, const char *table,
                        const char *key, size_t nrep)
{
    size_t before = x->n;
    EMIT_OK(s, "parts", part, table, key, "value", 5, "binlog.000001", 100, 0);
    flush_ok(s);
    ck_assert_uint_eq(x->n, before + nrep);
    for (size_t i = before; i < x->n; i++) {
        ck_assert_int_eq(x->r[i].err, 0);
        ck_assert_str_eq(x->r[i].topic, "parts");
    }
    return x->r[x->n - 1].partition;
}

START_TEST(ks_partitions)
{
    mock m;
    mock_start(&m, 1);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "parts", NPARTS, 1) == 0);
    kconf k;
    kconf_init(&k, &m, 100, 1 << 20, BD_OVERSIZE_FAIL, NULL, 0);
    sctx *x = sctx_new(0);
    bd_ksink *s = sink_new(x, &k, 0, 4, "binlog.000001", 4, NULL);
    begin_ok(s, 0);

    /* by key: murmur2 of the key bytes, as the Java client */
    int used[NPARTS] = {0};
    for (int i = 0; i < 24; i++) {
        char key[48];
        snprintf(key, sizeof key, i % 2 ? "{\"id\":%d}" : "{\"a\":\"x%d\",\"b\":7}", i);
        int32_t want = bd_kafka_partition_of(key, strlen(key), NPARTS);
        int32_t got = emit_one(x, s, BD_PUB_BY_KEY, "pay.t", key, 1);
        ck_assert_msg(got == want, "key %s: partition %d, want %d", key, got, want);
        used[got]++;
    }
    int nused = 0;
    for (int p = 0; p < NPARTS; p++)
        nused += used[p] > 0;
    ck_assert_int_ge(nused, 2);

    /* by table: the partition of "db.table" (no key) */
    memset(used, 0, sizeof used);
    for (int i = 0; i < 12; i++) {
        char table[32];
        snprintf(table, sizeof table, "pay.nokey_%d", i);
        int32_t want = bd_kafka_partition_of(table, strlen(table), NPARTS);
        for (int j = 0; j < 2; j++) { /* the same every time */
            int32_t got = emit_one(x, s, BD_PUB_BY_TABLE, table, NULL, 1);
            ck_assert_msg(got == want, "table %s: partition %d, want %d", table, got, want);
        }
        used[want]++;
    }
    nused = 0;
    for (int p = 0; p < NPARTS; p++)
        nused += used[p] > 0;
    ck_assert_int_ge(nused, 2);

    /* every partition (TRUNCATE) */
    size_t before = x->n;
    emit_one(x, s, BD_PUB_ALL, "pay.t", NULL, NPARTS);
    int hit[NPARTS] = {0};
    for (size_t i = before; i < x->n; i++) {
        ck_assert(x->r[i].partition >= 0 && x->r[i].partition < NPARTS);
        hit[x->r[i].partition]++;
    }
    for (int p = 0; p < NPARTS; p++)
        ck_assert_int_eq(hit[p], 1);

    end_ok(s, "binlog.000001", 9000, 0);
    flush_ok(s);
    apos a = position(s);
    ck_assert_uint_eq(a.p.delivered, 24 + 24 + NPARTS);
    CHECK_POS(s, "binlog.000001", 9000);
    bd_ksink_free(s);
    sctx_free(x);
    mock_stop(&m);
}
END_TEST

/* ---- 5. replay headers, read back from the cluster -------------------------- */

typedef struct got {
    size_t n;
    char key[8][32];
    char value[8][32];
    char id[8][64];  /* "" when the header is absent */
    char pos[8][64]; /* "" when the header is absent */
    int nheaders[8];
} got;

static void hdr(rd_kafka_headers_t *h, const char *name, char *out, size_t n)
{
    const void *v;
    size_t vl;
    out[0] = '\0';
    if (h && rd_kafka_header_get_last(h, name, &v, &vl) == 0 && v)
        snprintf(out, n, "%.*s", (int)vl, (const char *)v);
}

/* Read want messages of topic's one partition from the beginning (the
 * legacy consumer: no group needed), then check that nothing more comes. */
static void consume(const mock *m, const char *topic, size_t want, got *g)
{
    char es[256];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(c, mock_quiet);
    ck_assert(rd_kafka_conf_set(c, "bootstrap.servers", m->bootstraps, es, sizeof es) == 0);
    ck_assert(rd_kafka_conf_set(c, "fetch.wait.max.ms", "10", es, sizeof es) == 0);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, es, sizeof es);
    ck_assert_msg(rk != NULL, "%s", es);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    ck_assert(rd_kafka_consume_start(rkt, 0, RD_KAFKA_OFFSET_BEGINNING) == 0);
    memset(g, 0, sizeof *g);
    int64_t end = now_ms() + 10000, quiet_until = 0;
    while (g->n < want || now_ms() < quiet_until) {
        ck_assert_msg(now_ms() < end, "consumed %zu of %zu", g->n, want);
        rd_kafka_message_t *msg;
        while ((msg = rd_kafka_consume(rkt, 0, 5)) != NULL) {
            if (!msg->err) {
                ck_assert_uint_lt(g->n, 8);
                size_t i = g->n++;
                snprintf(g->key[i], sizeof g->key[i], "%.*s", (int)msg->key_len,
                         (const char *)msg->key);
                snprintf(g->value[i], sizeof g->value[i], "%.*s", (int)msg->len,
                         (const char *)msg->payload);
                rd_kafka_headers_t *h = NULL;
                if (rd_kafka_message_headers(msg, &h) != 0) h = NULL;
                g->nheaders[i] = h ? (int)rd_kafka_header_cnt(h) : 0;
                hdr(h, "binlogd.replay.id", g->id[i], sizeof g->id[i]);
                hdr(h, "binlogd.replay.pos", g->pos[i], sizeof g->pos[i]);
            }
            rd_kafka_message_destroy(msg);
        }
        if (g->n >= want && !quiet_until) quiet_until = now_ms() + 100;
    }
    ck_assert_uint_eq(g->n, want);
    rd_kafka_consume_stop(rkt, 0);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
}

START_TEST(ks_replay_headers)
{
    mock m;
    mock_start(&m, 1);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "rep", 1, 1) == 0);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "norep", 1, 1) == 0);
    kconf k;
    kconf_init(&k, &m, 100, 1 << 20, BD_OVERSIZE_FAIL, NULL, 0);
    sctx *x = sctx_new(0);
    bd_ksink *s = sink_new(x, &k, 0, 4, "binlog.000007", 4, "replay-7f3a");
    /* file names that change, longer and shorter */
    static const struct {
        const char *file;
        uint64_t pos;
        const char *want;
    } v[] = {
        {"binlog.000007", 1234, "binlog.000007:1234"},
        {"binlog.000007", 18446744073709551615ull, "binlog.000007:18446744073709551615"},
        {"binlog.000010", 4, "binlog.000010:4"},
        {"b.1", 56, "b.1:56"},
        {"binlog.0000100", 7, "binlog.0000100:7"},
        {"binlog.000010", 8, "binlog.000010:8"}, /* a prefix of the name before */
    };
    size_t nv = sizeof v / sizeof v[0];
    begin_ok(s, 0);
    for (size_t i = 0; i < nv; i++) {
        char key[16], val[16];
        snprintf(key, sizeof key, "{\"id\":%zu}", i);
        snprintf(val, sizeof val, "value %zu", i);
        EMIT_OK(s, "rep", BD_PUB_BY_KEY, "pay.rep", key, val, strlen(val), v[i].file, v[i].pos, 0);
    }
    end_ok(s, "binlog.000010", 100, 0);
    flush_ok(s);
    CHECK_POS(s, "binlog.000010", 100);
    got *g = calloc(1, sizeof *g);
    consume(&m, "rep", nv, g);
    for (size_t i = 0; i < nv; i++) {
        char key[16], val[16];
        snprintf(key, sizeof key, "{\"id\":%zu}", i);
        snprintf(val, sizeof val, "value %zu", i);
        ck_assert_str_eq(g->key[i], key);
        ck_assert_str_eq(g->value[i], val);
        ck_assert_int_eq(g->nheaders[i], 2);
        ck_assert_str_eq(g->id[i], "replay-7f3a");
        ck_assert_msg(!strcmp(g->pos[i], v[i].want), "message %zu: pos header %s, want %s", i,
                      g->pos[i], v[i].want);
    }
    bd_ksink_free(s);

    /* no replay id: no headers */
    s = sink_new(x, &k, 0, 4, "binlog.000007", 4, NULL);
    begin_ok(s, 0);
    EMIT_OK(s, "norep", BD_PUB_BY_KEY, "pay.rep", "{\"id\":1}", "plain", 5, "binlog.000007", 9, 0);
    end_ok(s, "binlog.000007", 100, 0);
    flush_ok(s);
    consume(&m, "norep", 1, g);
    ck_assert_str_eq(g->value[0], "plain");
    ck_assert_int_eq(g->nheaders[0], 0);
    ck_assert_str_eq(g->id[0], "");
    free(g);
    bd_ksink_free(s);
    sctx_free(x);
    mock_stop(&m);
}
END_TEST

/* ---- 6. settings the producer refuses ---------------------------------------- */

START_TEST(ks_new_refused)
{
    mock m;
    mock_start(&m, 1);
    static const char *const unknown[] = {"no.such.thing", "42"};
    static const char *const unsafe[] = {"acks", "1"};
    kconf k;
    sctx *x = sctx_new(0);
    bd_ksink_opts o = {0};
    o.ring = 4;
    o.start_file = "binlog.000001";
    o.replay_id = "r1";
    o.ctx = x;
    bd_err err = {0};
    kconf_init(&k, &m, 10, 1000, BD_OVERSIZE_FAIL, unknown, 1);
    ck_assert_ptr_null(bd_ksink_new(&k.c, &o, &err));
    ck_assert_msg(strstr(err.msg, "kafka.no.such.thing=42: No such configuration property") != NULL,
                  "%s", err.msg);
    kconf_init(&k, &m, 10, 1000, BD_OVERSIZE_FAIL, unsafe, 1);
    memset(&err, 0, sizeof err);
    ck_assert_ptr_null(bd_ksink_new(&k.c, &o, &err));
    ck_assert_msg(strstr(err.msg, "kafka.acks=1: refused") != NULL, "%s", err.msg);
    /* the producer's settings as check-config sees them */
    bd_kafka_opts ko;
    memset(&ko, 0xab, sizeof ko);
    k.c.allow_unsafe = 1;
    bd_ksink_kafka_opts(&k.c, &ko);
    ck_assert_uint_eq(ko.nconf, 2);
    ck_assert_str_eq(ko.conf[0], "bootstrap.servers");
    ck_assert_str_eq(ko.conf[1], m.bootstraps);
    ck_assert_str_eq(ko.conf[2], "acks");
    ck_assert_str_eq(ko.conf[3], "1");
    ck_assert_int_eq(ko.allow_unsafe, 1);
    ck_assert_ptr_null(ko.on_delivery);
    ck_assert_ptr_null(ko.log);
    sctx_free(x);
    mock_stop(&m);
}
END_TEST

/* ---- 7. exactly once: Kafka transactions and the state topic ------------------ */

#define STATE_TOPIC "binlogd.state"

static bd_ksink *eos_new(sctx *x, const kconf *k, size_t ring, const char *start_file,
                         uint64_t start_pos, const char *start_gtid, const char *txn_id,
                         const char *source)
{
    bd_ksink_opts o = {0};
    o.threads = 0;
    o.ring = ring;
    o.start_file = start_file;
    o.start_pos = start_pos;
    o.start_gtid = start_gtid;
    o.transactional_id = txn_id;
    o.state_topic = STATE_TOPIC;
    o.source = source;
    o.on_report = on_report;
    o.log = on_log;
    o.stopping = on_stopping;
    o.ctx = x;
    bd_err err = {0};
    bd_ksink *s = bd_ksink_new(&k->c, &o, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    x->s = s;
    return s;
}

static void txn_init_ok(bd_ksink *s)
{
    bd_err err = {0};
    ck_assert_msg(bd_ksink_txn_init(s, 20000, &err) == 0, "%s", err.msg);
}

static void end_gtid_ok(bd_ksink *s, const char *file, uint64_t pos, const char *gtid,
                        uint64_t commit_us)
{
    bd_txn t = {0};
    t.in_txn = 1;
    t.commit_us = commit_us;
    t.has_gtid = 1;
    snprintf(t.gtid, sizeof t.gtid, "%s", gtid);
    bd_err err = {0};
    ck_assert_msg(bd_ksink_end(s, file, pos, &t, &err) == 0, "%s", err.msg);
    ck_assert_ptr_null(bd_ksink_txn(s));
}

static void commit_ok(bd_ksink *s, const char *server)
{
    bd_err err = {0};
    ck_assert_msg(bd_ksink_commit(s, server, &err) == 0, "commit: %s", err.msg);
}

/* The acknowledged position's GTID set ("" when not known). */
static void position_gtid(bd_ksink *s, char *out, size_t n)
{
    bd_acks_pos p;
    char f[64];
    uint64_t pos;
    bd_buf g = BD_BUF_INIT;
    bd_acks_position(bd_ksink_acks(s), &p, f, sizeof f, &pos, &g);
    snprintf(out, n, "%s", g.ptr ? g.ptr : "");
    bd_buf_release(&g);
}

/* The records of the state topic's partition, as read back. */
typedef struct srec {
    size_t n;
    char *key[16];
    char *value[16]; /* NULL: a tombstone */
} srec;

static void srec_free(srec *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->key[i]);
        free(r->value[i]);
    }
    memset(r, 0, sizeof *r);
}

static char *dup_n(const void *p, size_t n)
{
    if (!p) return NULL;
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* The high watermark of STATE_TOPIC [0]: records ever produced there
 * (the mock gives transaction markers no offsets). */
static int64_t state_high(const mock *m)
{
    char es[256];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(c, mock_quiet);
    ck_assert(rd_kafka_conf_set(c, "bootstrap.servers", m->bootstraps, es, sizeof es) == 0);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, es, sizeof es);
    ck_assert_msg(rk != NULL, "%s", es);
    int64_t lo = -1, hi = -1;
    rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(rk, STATE_TOPIC, 0, &lo, &hi, 10000);
    ck_assert_msg(!e, "%s", rd_kafka_err2str(e));
    rd_kafka_destroy(rk);
    return hi;
}

/* Read want (at least 1) records of STATE_TOPIC [0] from its start (the
 * legacy consumer, as consume()), then check that nothing more comes and
 * that the partition holds no more. */
static void read_state(const mock *m, size_t want, srec *r)
{
    ck_assert_uint_gt(want, 0);
    char es[256];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(c, mock_quiet);
    ck_assert(rd_kafka_conf_set(c, "bootstrap.servers", m->bootstraps, es, sizeof es) == 0);
    ck_assert(rd_kafka_conf_set(c, "fetch.wait.max.ms", "10", es, sizeof es) == 0);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, es, sizeof es);
    ck_assert_msg(rk != NULL, "%s", es);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, STATE_TOPIC, NULL);
    ck_assert(rd_kafka_consume_start(rkt, 0, RD_KAFKA_OFFSET_BEGINNING) == 0);
    memset(r, 0, sizeof *r);
    int64_t end = now_ms() + 10000, quiet_until = 0;
    while (r->n < want || now_ms() < quiet_until) {
        ck_assert_msg(now_ms() < end, "read %zu of %zu state records", r->n, want);
        rd_kafka_message_t *msg;
        while ((msg = rd_kafka_consume(rkt, 0, 5)) != NULL) {
            if (!msg->err) {
                ck_assert_uint_lt(r->n, 16);
                r->key[r->n] = dup_n(msg->key, msg->key_len);
                r->value[r->n] = dup_n(msg->payload, msg->len);
                r->n++;
            }
            rd_kafka_message_destroy(msg);
        }
        if (r->n >= want && !quiet_until) quiet_until = now_ms() + 150;
    }
    ck_assert_uint_eq(r->n, want);
    ck_assert_int_eq(state_high(m), (int64_t)want);
    rd_kafka_consume_stop(rkt, 0);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
}

/* Record i of r is the checkpoint of source: its key, and its value
 * parsed into c. */
static void state_ckpt(const srec *r, size_t i, const char *source, bd_checkpoint *c)
{
    bd_buf key = BD_BUF_INIT;
    bd_state_checkpoint_key(source, &key);
    ck_assert_ptr_nonnull(r->key[i]);
    ck_assert_msg(strlen(r->key[i]) == key.len && !memcmp(r->key[i], key.ptr, key.len),
                  "record %zu: key %s, want %.*s", i, r->key[i], (int)key.len, key.ptr);
    bd_buf_release(&key);
    ck_assert_ptr_nonnull(r->value[i]);
    bd_err err = {0};
    ck_assert_msg(
        bd_checkpoint_parse(r->value[i], strlen(r->value[i]), "the state record", c, &err) == 0,
        "%s: %s", err.msg, r->value[i]);
}

/* Begin/emit/end and commit: the position moves at the commit, not at the
 * delivery reports; the state topic holds the checkpoint of the commit. */
START_TEST(ks_eos_commit)
{
    mock m;
    mock_start(&m, 1);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "eos.t", 2, 1) == 0);
    ck_assert(rd_kafka_mock_topic_create(m.mc, STATE_TOPIC, 1, 1) == 0);
    kconf k;
    kconf_init(&k, &m, 100, 1 << 20, BD_OVERSIZE_FAIL, NULL, 0);
    sctx *x = sctx_new(0);
    bd_ksink *s = eos_new(x, &k, 8, "binlog.000001", 4, "0-1-5", "binlogd.src1", "src1");
    txn_init_ok(s);
    ck_assert_uint_eq(bd_ksink_commits(s), 0);
    /* nothing open, nothing moved: nothing to commit */
    ck_assert_int_eq(bd_ksink_commit_due(s, 1, 0), 0);
    ck_assert_int_eq(bd_ksink_commit_due(s, 0, 0), 0);

    begin_ok(s, 111);
    /* inside a database transaction: never */
    ck_assert_int_eq(bd_ksink_commit_due(s, 1, 0), 0);
    EMIT_OK(s, "eos.t", BD_PUB_BY_KEY, "pay.eos", "{\"id\":1}", "one", 3, "binlog.000001", 100, 0);
    EMIT_OK(s, "eos.t", BD_PUB_BY_KEY, "pay.eos", "{\"id\":2}", "two", 3, "binlog.000001", 100, 1);
    EMIT_OK(s, "eos.t", BD_PUB_BY_KEY, "pay.eos", "{\"id\":3}", "three", 5, "binlog.000001", 200,
            0);
    end_gtid_ok(s, "binlog.000001", 1000, "0-1-6", 111);
    /* every report served, every message delivered: still not acknowledged */
    flush_ok(s);
    ck_assert_uint_eq(x->n, 3);
    for (size_t i = 0; i < x->n; i++) {
        ck_assert_int_eq(x->r[i].ok, 1);
        ck_assert_str_eq(x->r[i].topic, "eos.t");
    }
    apos a = position(s);
    CHECK_POS(s, "binlog.000001", 4);
    ck_assert_uint_eq(a.p.delivered, 3);
    ck_assert_uint_eq(a.p.in_flight, 0);
    ck_assert_uint_eq(a.p.retired, 0);
    ck_assert_uint_eq(a.p.open_txns, 1);
    ck_assert_uint_eq(a.p.seq, 0);
    ck_assert_uint_eq(a.p.commit_us, 0);
    ck_assert_uint_eq(bd_acks_pending(bd_ksink_acks(s)), 1);
    char g[128];
    position_gtid(s, g, sizeof g);
    ck_assert_str_eq(g, "0-1-5");
    ck_assert_uint_eq(bd_ksink_commits(s), 0);
    /* between transactions: due when idle (not yet when busy) */
    ck_assert_int_eq(bd_ksink_commit_due(s, 0, 600000), 0);
    ck_assert_int_eq(bd_ksink_commit_due(s, 1, 600000), 1);

    commit_ok(s, "mariadb server_id=1");
    ck_assert_uint_eq(bd_ksink_commits(s), 1);
    a = position(s);
    CHECK_POS(s, "binlog.000001", 1000);
    ck_assert_uint_eq(a.p.retired, 1);
    ck_assert_uint_eq(a.p.open_txns, 0);
    ck_assert_uint_eq(a.p.commit_us, 111);
    ck_assert_int_eq(a.p.stuck, 0);
    position_gtid(s, g, sizeof g);
    ck_assert_str_eq(g, "0-1-6");
    ck_assert_uint_eq(bd_acks_pending(bd_ksink_acks(s)), 0);
    /* committed: nothing waits any more */
    ck_assert_int_eq(bd_ksink_commit_due(s, 1, 0), 0);
    ck_assert_int_eq(bd_ksink_commit_due(s, 0, 0), 0);

    /* the state topic: one record, this source's checkpoint at the commit */
    srec r;
    read_state(&m, 1, &r);
    bd_checkpoint *c = calloc(1, sizeof *c);
    ck_assert_ptr_nonnull(c);
    state_ckpt(&r, 0, "src1", c);
    ck_assert_str_eq(c->server, "mariadb server_id=1");
    ck_assert_str_eq(c->file, "binlog.000001");
    ck_assert_uint_eq(c->pos, 1000);
    ck_assert_str_eq(c->gtid, "0-1-6");
    ck_assert_uint_eq(c->commit_us, 111);
    srec_free(&r);

    /* two more database transactions in one Kafka transaction: the
     * checkpoint after the last of them */
    begin_ok(s, 222);
    EMIT_OK(s, "eos.t", BD_PUB_BY_KEY, "pay.eos", "{\"id\":4}", "four", 4, "binlog.000001", 1100,
            0);
    end_gtid_ok(s, "binlog.000001", 2000, "0-1-7", 222);
    begin_ok(s, 333);
    EMIT_OK(s, "eos.t", BD_PUB_BY_KEY, "pay.eos", "{\"id\":5}", "five", 4, "binlog.000002", 300, 0);
    end_gtid_ok(s, "binlog.000002", 900, "0-1-8", 333);
    flush_ok(s);
    CHECK_POS(s, "binlog.000001", 1000);
    ck_assert_uint_eq(bd_acks_pending(bd_ksink_acks(s)), 2);
    commit_ok(s, "mariadb server_id=1");
    ck_assert_uint_eq(bd_ksink_commits(s), 2);
    CHECK_POS(s, "binlog.000002", 900);
    a = position(s);
    ck_assert_uint_eq(a.p.retired, 3);
    ck_assert_uint_eq(a.p.delivered, 5);
    ck_assert_uint_eq(a.p.commit_us, 333);
    position_gtid(s, g, sizeof g);
    ck_assert_str_eq(g, "0-1-8");
    read_state(&m, 2, &r);
    state_ckpt(&r, 0, "src1", c);
    ck_assert_uint_eq(c->pos, 1000);
    state_ckpt(&r, 1, "src1", c);
    ck_assert_str_eq(c->server, "mariadb server_id=1");
    ck_assert_str_eq(c->file, "binlog.000002");
    ck_assert_uint_eq(c->pos, 900);
    ck_assert_str_eq(c->gtid, "0-1-8");
    ck_assert_uint_eq(c->commit_us, 333);
    srec_free(&r);

    free(c);
    bd_ksink_free(s);
    sctx_free(x);
    mock_stop(&m);
}
END_TEST

/* commit_due: an open Kafka transaction is due when idle, or when it is
 * older than max_ms. */
START_TEST(ks_eos_commit_due)
{
    mock m;
    mock_start(&m, 1);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "eos.t", 1, 1) == 0);
    ck_assert(rd_kafka_mock_topic_create(m.mc, STATE_TOPIC, 1, 1) == 0);
    kconf k;
    kconf_init(&k, &m, 100, 1 << 20, BD_OVERSIZE_FAIL, NULL, 0);
    sctx *x = sctx_new(0);
    bd_ksink *s = eos_new(x, &k, 16, "binlog.000001", 4, NULL, "binlogd.due", "due");
    txn_init_ok(s);
    ck_assert_int_eq(bd_ksink_commit_due(s, 1, 0), 0);
    int64_t t0 = now_ms();
    begin_ok(s, 0);
    EMIT_OK(s, "eos.t", BD_PUB_BY_KEY, "pay.eos", "{\"id\":1}", "one", 3, "binlog.000001", 100, 0);
    end_ok(s, "binlog.000001", 500, 0);
    ck_assert_int_eq(bd_ksink_commit_due(s, 1, 600000), 1);
    if (now_ms() - t0 < 500) /* (valgrind may be slower than that) */
        ck_assert_int_eq(bd_ksink_commit_due(s, 0, 600000), 0);
    sleep_ms(150);
    ck_assert_int_eq(bd_ksink_commit_due(s, 0, 100), 1);
    ck_assert_int_eq(bd_ksink_commit_due(s, 0, 600000), 0);
    /* inside a database transaction: not even when it is old */
    begin_ok(s, 0);
    ck_assert_int_eq(bd_ksink_commit_due(s, 0, 100), 0);
    ck_assert_int_eq(bd_ksink_commit_due(s, 1, 0), 0);
    end_ok(s, "binlog.000001", 600, 0);
    ck_assert_int_eq(bd_ksink_commit_due(s, 0, 100), 1);
    commit_ok(s, "mariadb server_id=2");
    ck_assert_uint_eq(bd_ksink_commits(s), 1);
    CHECK_POS(s, "binlog.000001", 600);
    ck_assert_int_eq(bd_ksink_commit_due(s, 0, 0), 0);
    ck_assert_int_eq(bd_ksink_commit_due(s, 1, 0), 0);
    srec r;
    read_state(&m, 1, &r);
    bd_checkpoint *c = calloc(1, sizeof *c);
    ck_assert_ptr_nonnull(c);
    state_ckpt(&r, 0, "due", c);
    ck_assert_str_eq(c->server, "mariadb server_id=2");
    ck_assert_str_eq(c->file, "binlog.000001");
    ck_assert_uint_eq(c->pos, 600);
    ck_assert_str_eq(c->gtid, ""); /* started without a GTID set: not known */
    srec_free(&r);
    free(c);
    bd_ksink_free(s);
    sctx_free(x);
    mock_stop(&m);
}
END_TEST

/* A fresh start: the start position alone (no messages) is committed
 * when idle; bd_ksink_set_start replaces the start and keeps the
 * transactional mode. */
START_TEST(ks_eos_start_positions)
{
    mock m;
    mock_start(&m, 1);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "eos.t", 1, 1) == 0);
    ck_assert(rd_kafka_mock_topic_create(m.mc, STATE_TOPIC, 1, 1) == 0);
    kconf k;
    kconf_init(&k, &m, 100, 1 << 20, BD_OVERSIZE_FAIL, NULL, 0);
    sctx *x = sctx_new(0);
    bd_ksink *s = eos_new(x, &k, 8, "", 0, NULL, "binlogd.fresh", "fresh");
    txn_init_ok(s);
    /* no position yet */
    ck_assert_int_eq(bd_ksink_commit_due(s, 1, 0), 0);
    bd_acks_set_start(bd_ksink_acks(s), "binlog.000002", 4, BD_FLAVOR_MARIADB, "0-1-3");
    CHECK_POS(s, "binlog.000002", 4);
    ck_assert_int_eq(bd_ksink_commit_due(s, 0, 0), 0); /* busy: goes in the next one */
    ck_assert_int_eq(bd_ksink_commit_due(s, 1, 0), 1);
    commit_ok(s, "mariadb server_id=1");
    ck_assert_uint_eq(bd_ksink_commits(s), 1);
    ck_assert_int_eq(bd_ksink_commit_due(s, 1, 0), 0);
    srec r;
    read_state(&m, 1, &r);
    bd_checkpoint *c = calloc(1, sizeof *c);
    ck_assert_ptr_nonnull(c);
    state_ckpt(&r, 0, "fresh", c);
    ck_assert_str_eq(c->file, "binlog.000002");
    ck_assert_uint_eq(c->pos, 4);
    ck_assert_str_eq(c->gtid, "0-1-3");
    ck_assert_str_eq(c->server, "mariadb server_id=1");
    srec_free(&r);
    bd_ksink_free(s);

    /* a checkpoint read from the state topic: the start instead */
    s = eos_new(x, &k, 8, "", 0, NULL, "binlogd.resume", "resume");
    txn_init_ok(s);
    bd_acks *before = bd_ksink_acks(s);
    bd_err err = {0};
    /* a GTID set that is none: refused, the start as it was */
    ck_assert_int_eq(bd_ksink_set_start(s, "binlog.000009", 120, "not-a-gtid", &err), -1);
    ck_assert_str_ne(err.msg, "");
    ck_assert_ptr_eq(bd_ksink_acks(s), before);
    CHECK_POS(s, "", 0);
    memset(&err, 0, sizeof err);
    ck_assert_msg(bd_ksink_set_start(s, "binlog.000009", 120, "0-1-40", &err) == 0, "%s", err.msg);
    CHECK_POS(s, "binlog.000009", 120);
    char g[128];
    position_gtid(s, g, sizeof g);
    ck_assert_str_eq(g, "0-1-40");
    begin_ok(s, 0);
    EMIT_OK(s, "eos.t", BD_PUB_BY_KEY, "pay.eos", "{\"id\":1}", "one", 3, "binlog.000009", 200, 0);
    end_gtid_ok(s, "binlog.000009", 700, "0-1-41", 0);
    flush_ok(s);
    /* still transactional: delivered is not enough */
    CHECK_POS(s, "binlog.000009", 120);
    ck_assert_uint_eq(position(s).p.delivered, 1);
    ck_assert_int_eq(bd_ksink_commit_due(s, 1, 600000), 1);
    commit_ok(s, "mariadb server_id=1");
    CHECK_POS(s, "binlog.000009", 700);
    position_gtid(s, g, sizeof g);
    ck_assert_str_eq(g, "0-1-41");
    read_state(&m, 2, &r);
    state_ckpt(&r, 0, "fresh", c);
    state_ckpt(&r, 1, "resume", c);
    ck_assert_str_eq(c->file, "binlog.000009");
    ck_assert_uint_eq(c->pos, 700);
    ck_assert_str_eq(c->gtid, "0-1-41");
    srec_free(&r);
    free(c);
    bd_ksink_free(s);
    sctx_free(x);
    mock_stop(&m);
}
END_TEST

/* No line of x's log at BD_LOG_ERROR. */
static void no_error_logged(sctx *x)
{
    char lead[8];
    snprintf(lead, sizeof lead, "%d ", BD_LOG_ERROR);
    for (const char *l = x->logs; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
        ck_assert_msg(strncmp(l, lead, strlen(lead)) != 0, "an error logged: %s", x->logs);
}

/* abort: the position stays before the aborted transaction, nothing is
 * counted as committed. */
START_TEST(ks_eos_abort)
{
    mock m;
    mock_start(&m, 1);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "eos.t", 1, 1) == 0);
    ck_assert(rd_kafka_mock_topic_create(m.mc, STATE_TOPIC, 1, 1) == 0);
    kconf k;
    kconf_init(&k, &m, 100, 1 << 20, BD_OVERSIZE_FAIL, NULL, 0);
    sctx *x = sctx_new(0);
    bd_ksink *s = eos_new(x, &k, 8, "binlog.000001", 4, "0-1-5", "binlogd.abort", "ab");
    txn_init_ok(s);
    bd_ksink_abort(s); /* nothing open: nothing to do */
    begin_ok(s, 0);
    EMIT_OK(s, "eos.t", BD_PUB_BY_KEY, "pay.eos", "{\"id\":1}", "one", 3, "binlog.000001", 100, 0);
    end_gtid_ok(s, "binlog.000001", 500, "0-1-6", 0);
    flush_ok(s);
    bd_ksink_abort(s);
    CHECK_POS(s, "binlog.000001", 4);
    char g[128];
    position_gtid(s, g, sizeof g);
    ck_assert_str_eq(g, "0-1-5");
    apos a = position(s);
    ck_assert_uint_eq(a.p.retired, 0);
    ck_assert_uint_eq(a.p.delivered, 1);
    ck_assert_uint_eq(bd_ksink_commits(s), 0);
    no_error_logged(x);
    /* a stop inside a database transaction */
    bd_ksink_free(s);
    s = eos_new(x, &k, 8, "binlog.000001", 4, "0-1-5", "binlogd.abort", "ab");
    txn_init_ok(s);
    begin_ok(s, 0);
    EMIT_OK(s, "eos.t", BD_PUB_BY_KEY, "pay.eos", "{\"id\":1}", "one", 3, "binlog.000001", 100, 0);
    bd_ksink_abort(s);
    CHECK_POS(s, "binlog.000001", 4);
    ck_assert_uint_eq(bd_ksink_commits(s), 0);
    bd_ksink_free(s);
    /* nothing was committed: no checkpoint record was even produced */
    ck_assert_int_eq(state_high(&m), 0);
    sctx_free(x);
    mock_stop(&m);
}
END_TEST

/* Fenced: the broker answers a producer that another instance with the
 * same transactional.id fenced with PRODUCER_FENCED.  (librdkafka
 * 2.0.2's mock cluster does not fence by itself: a second producer's
 * InitProducerId gets a producer id of its own and the first one's
 * epoch stays valid, so the answer is injected here.)  The commit fails
 * with BD_ERR_FENCED, the position stays before the transaction, and
 * nothing more can begin. */
START_TEST(ks_eos_fenced)
{
    mock m;
    mock_start(&m, 1);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "eos.t", 1, 1) == 0);
    ck_assert(rd_kafka_mock_topic_create(m.mc, STATE_TOPIC, 1, 1) == 0);
    kconf k;
    kconf_init(&k, &m, 100, 1 << 20, BD_OVERSIZE_FAIL, NULL, 0);
    sctx *x = sctx_new(0);
    bd_ksink *s = eos_new(x, &k, 8, "binlog.000001", 4, NULL, "binlogd.same", "same");
    txn_init_ok(s);
    begin_ok(s, 0);
    EMIT_OK(s, "eos.t", BD_PUB_BY_KEY, "pay.eos", "{\"id\":1}", "one", 3, "binlog.000001", 100, 0);
    end_ok(s, "binlog.000001", 500, 0);
    commit_ok(s, "mariadb server_id=1");
    CHECK_POS(s, "binlog.000001", 500);

    begin_ok(s, 0);
    EMIT_OK(s, "eos.t", BD_PUB_BY_KEY, "pay.eos", "{\"id\":2}", "two", 3, "binlog.000001", 600, 0);
    end_ok(s, "binlog.000001", 900, 0);
    flush_ok(s);
    rd_kafka_mock_push_request_errors(m.mc, API_END_TXN, 1, RD_KAFKA_RESP_ERR_PRODUCER_FENCED);
    bd_err err = {0};
    ck_assert_int_eq(bd_ksink_commit(s, "mariadb server_id=1", &err), -1);
    ck_assert_msg(err.code == BD_ERR_FENCED, "code %d: %s", err.code, err.msg);
    ck_assert_str_ne(err.msg, "");
    CHECK_POS(s, "binlog.000001", 500);
    ck_assert_uint_eq(bd_ksink_commits(s), 1);
    ck_assert_uint_eq(position(s).p.retired, 1);
    /* a fenced producer produces nothing more */
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(bd_ksink_begin(s, 0, &err), -1);
    ck_assert_msg(err.code == BD_ERR_FENCED, "code %d: %s", err.code, err.msg);
    CHECK_POS(s, "binlog.000001", 500);
    /* (the state topic is not looked at: the mock shows the checkpoint
     * record of a transaction that never committed to every consumer) */
    bd_ksink_free(s);
    sctx_free(x);
    mock_stop(&m);
}
END_TEST

/* Two producers take turns, one Kafka transaction each: six transactions
 * updating one key, committed back to back without a flush of their own,
 * go to the producers in turn (one report thread: a message stays in
 * flight until a poll or a commit serves it), reach the partition once each
 * and in order, and each commit's checkpoint record reaches the state
 * topic in order.  Keys are placed by murmur2 among the partitions, as the
 * one producer of at least once places them. */
START_TEST(ks_eos_turns)
{
    mock m;
    mock_start(&m, 1);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "eos.o", 1, 1) == 0);
    ck_assert(rd_kafka_mock_topic_create(m.mc, "eos.p", 4, 1) == 0);
    ck_assert(rd_kafka_mock_topic_create(m.mc, STATE_TOPIC, 1, 1) == 0);
    kconf k;
    kconf_init(&k, &m, 100, 1 << 20, BD_OVERSIZE_FAIL, NULL, 0);
    sctx *x = sctx_new(0);
    /* at least once: one producer */
    bd_ksink *s = sink_new(x, &k, 0, 8, "binlog.000001", 4, NULL);
    bd_kafka *kk[2] = {NULL, NULL};
    ck_assert_uint_eq(bd_ksink_producers(s, kk), 1);
    ck_assert_ptr_eq(kk[0], bd_ksink_kafka(s));
    ck_assert_ptr_null(bd_ksink_txn_id(s, 0));
    bd_ksink_free(s);
    s = eos_new(x, &k, 8, "binlog.000001", 4, NULL, "binlogd.turns", "turns");
    ck_assert_uint_eq(bd_ksink_producers(s, kk), 2);
    ck_assert_ptr_eq(kk[0], bd_ksink_kafka(s));
    ck_assert_ptr_ne(kk[0], kk[1]);
    ck_assert_str_eq(bd_ksink_txn_id(s, 0), "binlogd.turns");
    ck_assert_str_eq(bd_ksink_txn_id(s, 1), "binlogd.turns#1");
    ck_assert_ptr_null(bd_ksink_txn_id(s, 2));
    txn_init_ok(s);
    for (unsigned i = 1; i <= 6; i++) {
        char v[8];
        snprintf(v, sizeof v, "v%u", i);
        begin_ok(s, i);
        EMIT_OK(s, "eos.o", BD_PUB_BY_KEY, "pay.o", "{\"id\":1}", v, strlen(v), "binlog.000001",
                100 * i, 0);
        /* the turn: transaction i on producer (i - 1) % 2, the other idle */
        ck_assert_uint_eq(bd_kafka_in_flight(kk[(i - 1) % 2]), 1);
        ck_assert_uint_eq(bd_kafka_in_flight(kk[i % 2]), 0);
        end_ok(s, "binlog.000001", 100 * i + 50, i);
        commit_ok(s, "mariadb server_id=1");
        ck_assert_uint_eq(bd_ksink_commits(s), i);
        CHECK_POS(s, "binlog.000001", 100 * i + 50);
    }
    got g;
    consume(&m, "eos.o", 6, &g);
    for (unsigned i = 0; i < 6; i++) {
        char v[8];
        snprintf(v, sizeof v, "v%u", i + 1);
        ck_assert_str_eq(g.key[i], "{\"id\":1}");
        ck_assert_str_eq(g.value[i], v);
    }
    srec r;
    read_state(&m, 6, &r);
    bd_checkpoint *c = calloc(1, sizeof *c);
    ck_assert_ptr_nonnull(c);
    for (unsigned i = 0; i < 6; i++) {
        state_ckpt(&r, i, "turns", c);
        ck_assert_uint_eq(c->pos, 100 * (i + 1) + 50);
        ck_assert_uint_eq(c->commit_us, i + 1);
    }
    free(c);
    srec_free(&r);
    /* keys among 4 partitions, on either producer: murmur2's partition */
    size_t before = x->n;
    static const char *const keys[] = {"{\"id\":1}", "{\"id\":2}", "{\"id\":3}",
                                       "{\"id\":4}", "{\"id\":5}", "{\"id\":6}"};
    for (unsigned i = 0; i < 6; i++) {
        begin_ok(s, 10 + i);
        EMIT_OK(s, "eos.p", BD_PUB_BY_KEY, "pay.p", keys[i], "v", 1, "binlog.000001", 1000 + i, 0);
        end_ok(s, "binlog.000001", 1000 + i + 1, 10 + i);
        commit_ok(s, "mariadb server_id=1");
    }
    ck_assert_uint_eq(x->n, before + 6);
    for (unsigned i = 0; i < 6; i++) {
        ck_assert_str_eq(x->r[before + i].topic, "eos.p");
        ck_assert_int_eq(x->r[before + i].partition,
                         bd_kafka_partition_of(keys[i], strlen(keys[i]), 4));
    }
    no_error_logged(x);
    bd_ksink_free(s);
    sctx_free(x);
    mock_stop(&m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sink_kafka");
    TCase *tc = tcase_create("sink_kafka");
    /* valgrind makes librdkafka's threads slow */
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, ks_window_one_thread);
    tcase_add_test(tc, ks_window_two_threads);
    tcase_add_test(tc, ks_window_bytes);
    tcase_add_test(tc, ks_stop_wakes_waiter);
    tcase_add_test(tc, ks_oversize_stop);
    tcase_add_test(tc, ks_oversize_skip);
    tcase_add_test(tc, ks_oversize_broker);
    tcase_add_test(tc, ks_failed_delivery_holds);
    tcase_add_test(tc, ks_partitions);
    tcase_add_test(tc, ks_replay_headers);
    tcase_add_test(tc, ks_new_refused);
    tcase_add_test(tc, ks_eos_commit);
    tcase_add_test(tc, ks_eos_turns);
    tcase_add_test(tc, ks_eos_commit_due);
    tcase_add_test(tc, ks_eos_start_positions);
    tcase_add_test(tc, ks_eos_abort);
    tcase_add_test(tc, ks_eos_fenced);
    suite_add_tcase(s, tc);
    return tu_run(s) ? 1 : 0;
}
