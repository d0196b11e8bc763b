/* sink_kafka.c - see include/binlogd/sink_kafka.h. */
#include "binlogd/sink_kafka.h"

#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "binlogd/buf.h"
#include "binlogd/state_topic.h"

#define PARTS_TIMEOUT_MS 30000
/* a commit (or abort) that librdkafka calls retriable is retried this long */
#define COMMIT_TIMEOUT_MS 60000
/* the least time from a producer's commit to its next Kafka transaction
 * (ktxn_begin) */
#define TXN_GAP_US 2000
/* exactly once: producers taking turns (see bd_ksink_commit) */
#define TURNS 2

struct bd_ksink {
    bd_ksink_opts o;
    bd_kafka *k;         /* at least once: the producer; exactly once: kk[0] (metadata too) */
    bd_kafka *kk[TURNS]; /* exactly once: the producers, taking turns */
    char *ids[TURNS];    /* exactly once: their transactional ids */
    size_t nk;           /* producers: 1, or TURNS with exactly once */
    int turn;            /* the producer the next messages go to (kk[turn]) */
    bd_acks *acks;
    bd_acks_txn *txn; /* the transaction being published */
    uint64_t max_msgs, max_bytes;
    atomic_int oversize_skip;
    atomic_int stopped;
    atomic_ullong oversize_skipped, errors;
    char *replay_id;
    char hpos[300]; /* the binlogd.replay.pos header: file:pos */
    uint64_t sent;  /* messages queued (threads = 0: reports served every 1024) */
    pthread_mutex_t fail_mu;
    char first_failure[BD_ERRLEN];
    /* exactly once (data thread) */
    char *txn_id, *state_topic, *source;
    int ktxn_open;               /* a Kafka transaction is open (kk[turn]'s) */
    int broken;                  /* one was aborted: no more (bd_ksink_abort) */
    uint64_t ktxn_start;         /* when it opened (monotonic ms) */
    uint64_t ktxn_end_us[TURNS]; /* when each producer's last commit returned (µs) */
    uint64_t state_seq;          /* the position's seq the state topic holds */
    atomic_ullong commits;       /* Kafka transactions committed */
    atomic_ullong commit_us;     /* time spent in commit_transaction (µs) */
};

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void bd_ksink_kafka_opts(const bd_config *c, bd_kafka_opts *ko)
{
    memset(ko, 0, sizeof *ko);
    ko->conf = (const char *const *)c->kafka;
    ko->nconf = c->nkafka;
    ko->allow_unsafe = c->allow_unsafe;
}

static void say(bd_ksink *s, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(bd_ksink *s, int level, const char *fmt, ...)
{
    if (!s->o.log) return;
    char m[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    s->o.log(s->o.ctx, level, m);
}

static void kafka_log(void *ctx, int level, const char *msg)
{
    bd_ksink *s = ctx;
    if (s->o.log) s->o.log(s->o.ctx, level, msg);
}

/* A delivery report: count it against its transaction's record. */
static void on_delivery(void *ctx, const bd_kafka_report *r)
{
    bd_ksink *s = ctx;
    int ok = r->err == 0;
    if (!r->opaque) {
        /* the checkpoint record: its transaction's commit fails with it */
        if (!ok && !r->purged) { /* purged: its transaction was aborted */
            atomic_fetch_add(&s->errors, 1);
            say(s, BD_LOG_ERROR, "Kafka did not take the checkpoint record for %s: %s",
                r->topic ? r->topic : "?", r->errstr ? r->errstr : "delivery failed");
        }
        return;
    }
    if (!ok && r->fenced && s->txn_id) {
        /* another instance took over: not Kafka's refusal of the message;
         * the caller hears of it (on_report) and stops */
        if (s->o.on_report) s->o.on_report(s->o.ctx, r, 0);
        bd_acks_delivered(s->acks, r->opaque, r->len, 0);
        return;
    }
    if (!ok && r->purged && s->txn_id) {
        /* its Kafka transaction was aborted (bd_ksink_abort): not Kafka's
         * refusal; the record stays unretired, and the sink is done */
        bd_acks_delivered(s->acks, r->opaque, r->len, 0);
        return;
    }
    if (!ok) atomic_fetch_add(&s->errors, 1); /* every refusal, a skipped one too */
    if (!ok && r->too_large && atomic_load(&s->oversize_skip)) {
        unsigned long long n = atomic_fetch_add(&s->oversize_skipped, 1) + 1;
        say(s, BD_LOG_WARNING,
            "a %zu-byte row change for %s was refused by the broker as too large: skipped "
            "(kafka.oversize=skip; %llu so far)",
            r->len, r->topic ? r->topic : "?", n);
        ok = 1;
    }
    if (!ok) {
        pthread_mutex_lock(&s->fail_mu);
        if (!s->first_failure[0])
            snprintf(s->first_failure, sizeof s->first_failure,
                     "Kafka did not take a message for %s: %s", r->topic ? r->topic : "?",
                     r->errstr ? r->errstr : "delivery failed");
        pthread_mutex_unlock(&s->fail_mu);
    }
    if (s->o.on_report) s->o.on_report(s->o.ctx, r, ok);
    bd_acks_delivered(s->acks, r->opaque, r->len, ok);
}

bd_ksink *bd_ksink_new(const bd_config *c, const bd_ksink_opts *o, bd_err *err)
{
    bd_ksink *s = calloc(1, sizeof *s);
    if (!s) {
        bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->o = *o;
    pthread_mutex_init(&s->fail_mu, NULL);
    s->max_msgs = c->max_in_flight;
    s->max_bytes = c->max_in_flight_bytes;
    atomic_store(&s->oversize_skip, c->oversize == BD_OVERSIZE_SKIP);
    if ((o->replay_id && !(s->replay_id = strdup(o->replay_id))) ||
        (o->transactional_id && !(s->txn_id = strdup(o->transactional_id))) ||
        !(s->state_topic = strdup(o->state_topic ? o->state_topic : "binlogd.state")) ||
        !(s->source = strdup(o->source ? o->source : ""))) {
        bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        goto fail;
    }
    s->acks = bd_acks_new(o->ring ? o->ring : 1, o->start_file, o->start_pos, BD_FLAVOR_UNKNOWN,
                          o->start_gtid, err);
    if (!s->acks) goto fail;
    if (s->txn_id) bd_acks_set_transactional(s->acks);
    bd_kafka_opts ko;
    bd_ksink_kafka_opts(c, &ko);
    ko.on_delivery = on_delivery;
    ko.log = kafka_log;
    ko.ctx = s;
    s->nk = s->txn_id ? TURNS : 1;
    for (size_t i = 0; i < s->nk; i++) {
        if (s->txn_id) {
            /* the first is the transactional.id itself (what an older
             * binlogd used: starting this one fences that) */
            size_t n = strlen(s->txn_id) + sizeof "#" + 20;
            if (!(s->ids[i] = malloc(n))) {
                bd_err_set(err, BD_ERR_NOMEM, "out of memory");
                goto fail;
            }
            snprintf(s->ids[i], n, i ? "%s#%zu" : "%s", s->txn_id, i);
        }
        ko.transactional_id = s->ids[i];
        s->kk[i] = bd_kafka_new(&ko, err);
        if (!s->kk[i]) goto fail;
    }
    s->k = s->kk[0];
    return s;
fail:
    bd_ksink_free(s);
    return NULL;
}

void bd_ksink_free(bd_ksink *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->nk; i++) {
        bd_kafka_free(s->kk[i]); /* runs no callback */
        free(s->ids[i]);
    }
    bd_acks_free(s->acks);
    pthread_mutex_destroy(&s->fail_mu);
    free(s->replay_id);
    free(s->txn_id);
    free(s->state_topic);
    free(s->source);
    free(s);
}

bd_kafka *bd_ksink_kafka(bd_ksink *s) { return s->k; }

size_t bd_ksink_producers(bd_ksink *s, bd_kafka **k)
{
    for (size_t i = 0; i < s->nk; i++)
        k[i] = s->kk[i];
    return s->nk;
}

const char *bd_ksink_txn_id(const bd_ksink *s, size_t i) { return i < s->nk ? s->ids[i] : NULL; }

void bd_ksink_poll(bd_ksink *s)
{
    for (size_t i = 0; i < s->nk; i++)
        bd_kafka_poll(s->kk[i]);
}

/* The producer whose turn it is. */
static bd_kafka *cur(const bd_ksink *s) { return s->kk[s->turn]; }
bd_acks *bd_ksink_acks(bd_ksink *s) { return s->acks; }
bd_acks_txn *bd_ksink_txn(const bd_ksink *s) { return s->txn; }

void bd_ksink_set_oversize_skip(bd_ksink *s, int skip) { atomic_store(&s->oversize_skip, skip); }

void bd_ksink_stop(bd_ksink *s)
{
    atomic_store(&s->stopped, 1);
    bd_acks_stop(s->acks);
}

static int stopping(bd_ksink *s)
{
    return atomic_load(&s->stopped) || (s->o.stopping && s->o.stopping(s->o.ctx));
}

/* One thread: a delivery Kafka did not take stops the stream at once
 * (its record never retires: the ring would fill and wait for ever).  0,
 * or -1 with err. */
static int failed(bd_ksink *s, bd_err *err)
{
    if (s->o.threads || !atomic_load(&s->errors)) return 0;
    pthread_mutex_lock(&s->fail_mu);
    int any = s->first_failure[0] != 0;
    if (any) bd_err_set(err, BD_ERR_IO, "%s", s->first_failure);
    pthread_mutex_unlock(&s->fail_mu);
    return any ? -1 : 0;
}

/* One thread: serve delivery reports while the tracker has no room (a
 * full ring with max_msgs 0, else the window).  0, or -1 with err
 * (BD_ERR_CALLBACK: stopped). */
static int serve_while_busy(bd_ksink *s, uint64_t max_msgs, bd_err *err)
{
    while (bd_acks_busy(s->acks, max_msgs, s->max_bytes)) {
        struct pollfd p[TURNS];
        for (size_t i = 0; i < s->nk; i++)
            p[i] = (struct pollfd){bd_kafka_fd(s->kk[i]), POLLIN, 0};
        poll(p, s->nk, 100); /* until reports wait, then serve them */
        bd_ksink_poll(s);
        if (failed(s, err) < 0) return -1;
        if (stopping(s)) return bd_err_set(err, BD_ERR_CALLBACK, "stopped");
    }
    if (failed(s, err) < 0) return -1;
    return stopping(s) ? bd_err_set(err, BD_ERR_CALLBACK, "stopped") : 0;
}

/* One thread: count a message of len bytes into the window, serving
 * reports while it is full (one lock a message when there is room).  0,
 * or -1 with err. */
static int add_serving(bd_ksink *s, size_t len, bd_err *err)
{
    for (;;) {
        if (failed(s, err) < 0) return -1;
        int r = bd_acks_try_add(s->acks, s->txn, len, s->max_msgs, s->max_bytes);
        if (r == 0) return 0;
        if (r == 2 || stopping(s)) return bd_err_set(err, BD_ERR_CALLBACK, "stopped");
        if (serve_while_busy(s, s->max_msgs, err) < 0) return -1;
    }
}

/* Exactly once: the Kafka transaction the next messages go in.  0, or -1
 * with err. */
static int ktxn_begin(bd_ksink *s, bd_err *err)
{
    if (!s->txn_id || s->ktxn_open) return 0;
    if (s->broken)
        return bd_err_set(err, BD_ERR_IO,
                          "a Kafka transaction was aborted: this sink begins no more");
    /* The coordinator answers a commit before it has written the commit
     * markers, and refuses to add a partition to the next transaction
     * until they are written (CONCURRENT_TRANSACTIONS), which librdkafka
     * retries only 20 ms later: a busy stream that opens the next one at
     * once paid that at 12% (2,000 transactions/s) to 60% (500/s) of its
     * commits on a local broker.  The producers take turns, so this
     * producer's last commit is usually a whole transaction ago; when it is
     * not (the other one's commit returned at once), waiting TXN_GAP_US
     * since it costs less (docs/performance.md, "Exactly once"). */
    uint64_t end = s->ktxn_end_us[s->turn], since = mono_us() - end;
    if (end && since < TXN_GAP_US) {
        struct timespec ts = {0, (long)(TXN_GAP_US - since) * 1000};
        nanosleep(&ts, NULL);
    }
    enum bd_kafka_txn_result r = bd_kafka_txn_begin(cur(s), err);
    if (r == BD_KAFKA_TXN_FENCED) err->code = BD_ERR_FENCED;
    if (r != BD_KAFKA_TXN_OK) return -1;
    s->ktxn_open = 1;
    s->ktxn_start = mono_ms();
    return 0;
}

int bd_ksink_begin(bd_ksink *s, uint64_t commit_us, bd_err *err)
{
    if (s->txn) return 0; /* a transaction cut unseen goes on (publish.h) */
    if (!s->o.threads && serve_while_busy(s, 0, err) < 0) return -1;
    if (ktxn_begin(s, err) < 0) return -1;
    if (!(s->txn = bd_acks_open(s->acks))) return bd_err_set(err, BD_ERR_CALLBACK, "stopped");
    bd_acks_txn_set_commit(s->txn, commit_us);
    return 0;
}

int bd_ksink_end(bd_ksink *s, const char *file, uint64_t pos, const bd_txn *t, bd_err *err)
{
    if (!s->txn && bd_ksink_begin(s, t ? t->commit_us : 0, err) < 0) return -1;
    bd_acks_txn *x = s->txn;
    s->txn = NULL;
    return bd_acks_close(s->acks, x, file, pos, t && t->has_gtid ? t->gtid : NULL,
                         t ? t->commit_us : 0, err);
}

/* The replay headers of a message of m (the file name copied only when
 * it changes). */
static void replay_headers(bd_ksink *s, const bd_pub_msg *m, bd_kafka_header h[2])
{
    size_t fl = strlen(m->file);
    if (strncmp(s->hpos, m->file, fl) || s->hpos[fl] != ':') {
        if (fl > sizeof s->hpos - 22) fl = sizeof s->hpos - 22;
        memcpy(s->hpos, m->file, fl);
        s->hpos[fl] = ':';
    }
    *bd_raw_u64(s->hpos + fl + 1, m->pos) = '\0';
    h[0] = (bd_kafka_header){"binlogd.replay.id", s->replay_id, strlen(s->replay_id)};
    h[1] = (bd_kafka_header){"binlogd.replay.pos", s->hpos, strlen(s->hpos)};
}

/* One message to one partition (BD_KAFKA_BY_KEY: its key's), waiting
 * while the window is full.  0, or -1 with err. */
static int produce(bd_ksink *s, const bd_pub_msg *m, int32_t partition, bd_err *err)
{
    size_t len = m->key_len + m->value_len;
    bd_kafka_header h[2];
    if (s->replay_id) replay_headers(s, m, h);
    bd_kafka_msg km = {m->topic,
                       partition,
                       m->key,
                       m->key_len,
                       m->value,
                       m->value_len,
                       s->replay_id ? h : NULL,
                       s->replay_id ? 2u : 0u,
                       s->txn};
    for (;;) {
        /* one thread: room is made by serving reports here; else the
         * polling thread makes it and wait_add sleeps until then */
        if (!s->o.threads) {
            if (add_serving(s, len, err) < 0) return -1;
        } else if (bd_acks_wait_add(s->acks, s->txn, len, s->max_msgs, s->max_bytes)) {
            return bd_err_set(err, BD_ERR_CALLBACK, "stopped");
        }
        bd_err pe = {0};
        enum bd_kafka_produce_result r = bd_kafka_send(cur(s), &km, &pe);
        if (r == BD_KAFKA_QUEUED) {
            /* one thread: reports (failures, librdkafka's log lines) are
             * served now and then, not only when the window is full */
            if (!s->o.threads && (++s->sent & 1023) == 0) bd_ksink_poll(s);
            return 0;
        }
        bd_acks_unadd(s->acks, s->txn, len);
        if (r == BD_KAFKA_FULL) {
            /* librdkafka's own queue is full: let reports drain it */
            if (!s->o.threads) bd_ksink_poll(s);
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
            if (stopping(s)) return bd_err_set(err, BD_ERR_CALLBACK, "stopped");
            continue;
        }
        /* written out only when needed: a formatted string per row costs
         * more than the rest of its path */
        char where[600];
        size_t dl = strcspn(m->table, ".");
        snprintf(where, sizeof where, "`%.*s`.`%s` at %s:%llu row %u", (int)dl, m->table,
                 m->table + dl + (m->table[dl] != 0), m->file, (unsigned long long)m->pos, m->row);
        if (r != BD_KAFKA_TOO_LARGE)
            return bd_err_set(err, BD_ERR_IO, "producing to %s (%s): %s", m->topic, where, pe.msg);
        if (atomic_load(&s->oversize_skip)) {
            unsigned long long n = atomic_fetch_add(&s->oversize_skipped, 1) + 1;
            say(s, BD_LOG_WARNING,
                "row change at %s is %zu bytes, more than Kafka accepts (message.max.bytes): "
                "skipped, as kafka.oversize=skip says (%llu so far)",
                where, len, n);
            return 0;
        }
        return bd_err_set(err, BD_ERR_IO,
                          "row change at %s is %zu bytes, more than Kafka accepts "
                          "(message.max.bytes): stopped before it, nothing lost; raise "
                          "message.max.bytes (and the topic's max.message.bytes) or set "
                          "kafka.oversize=skip",
                          where, len);
    }
}

int bd_ksink_emit(void *ctx, const bd_pub_msg *m, bd_err *err)
{
    bd_ksink *s = ctx;
    if (!s->txn && bd_ksink_begin(s, 0, err) < 0) return -1;
    if (m->part == BD_PUB_BY_KEY && (s->nk == 1 || !m->key || !bd_kafka_keys_murmur2(s->k)))
        return produce(s, m, BD_KAFKA_BY_KEY, err);
    /* Two producers would each place a key by their own view of the
     * topic's partitions, and after partitions are added they would
     * disagree until both had refreshed it: a key would change partition
     * at every turn.  So the key's partition is computed here as
     * librdkafka's murmur2 computes it, among the partitions first seen
     * (they stay put through the run).  No key: the table's partition
     * among those; TRUNCATE: every partition there is now, as the
     * producing one sees them. */
    int32_t n = bd_kafka_partitions(
        m->part == BD_PUB_ALL ? cur(s) : s->k, m->topic,
        m->part == BD_PUB_ALL ? BD_KAFKA_PARTS_NOW : BD_KAFKA_PARTS_FIRST, PARTS_TIMEOUT_MS, err);
    if (n < 0) return -1;
    if (m->part == BD_PUB_BY_KEY)
        return produce(s, m, bd_kafka_partition_of(m->key, m->key_len, n), err);
    if (m->part == BD_PUB_BY_TABLE)
        return produce(s, m, bd_kafka_partition_of(m->table, m->table_len, n), err);
    for (int32_t i = 0; i < n; i++)
        if (produce(s, m, i, err) < 0) return -1;
    return 0;
}

int bd_ksink_fenced(bd_ksink *s)
{
    int any = 0;
    for (size_t i = 0; s->txn_id && i < s->nk; i++)
        any |= bd_kafka_fenced(s->kk[i]);
    return any;
}

int bd_ksink_txn_init(bd_ksink *s, int timeout_ms, bd_err *err)
{
    /* every producer: each fences its older self, so that nothing an
     * older instance does can commit once this returns */
    for (size_t i = 0; i < s->nk; i++) {
        enum bd_kafka_txn_result r = bd_kafka_txn_init(s->kk[i], timeout_ms, err);
        if (r == BD_KAFKA_TXN_OK) continue;
        /* which one: with ACLs, the second may be refused alone */
        bd_err_prefix(err, "transactional.id %s: ", s->ids[i]);
        if (r == BD_KAFKA_TXN_FENCED) err->code = BD_ERR_FENCED;
        return -1;
    }
    return 0;
}

int bd_ksink_set_start(bd_ksink *s, const char *file, uint64_t pos, const char *gtid, bd_err *err)
{
    bd_acks *a = bd_acks_new(s->o.ring ? s->o.ring : 1, file, pos, BD_FLAVOR_UNKNOWN, gtid, err);
    if (!a) return -1;
    if (s->txn_id) bd_acks_set_transactional(a);
    bd_acks_free(s->acks);
    s->acks = a;
    return 0;
}

int bd_ksink_commit_due(bd_ksink *s, int idle, uint64_t max_ms)
{
    if (!s->txn_id || s->txn) return 0;
    /* records retire only at a commit: a ring half full must commit, or
     * opening the next record would wait for ever */
    size_t ring = s->o.ring ? s->o.ring : 1;
    if (s->ktxn_open)
        return idle || mono_ms() - s->ktxn_start >= max_ms ||
               bd_acks_pending(s->acks) >= (ring + 1) / 2;
    /* records without messages (a file's GTID set), or a start position:
     * only when idle, so that a busy stream puts them in its next one */
    if (!idle) return 0;
    if (bd_acks_pending(s->acks)) return 1;
    bd_acks_pos p;
    char f[8];
    uint64_t pos;
    bd_acks_position(s->acks, &p, f, sizeof f, &pos, NULL);
    return p.seq != s->state_seq && f[0];
}

/* The checkpoint record of c, produced to the state topic (any_thread:
 * from a thread other than the producing one).  0, or -1 with err. */
static int produce_record(bd_ksink *s, const bd_checkpoint *c, int any_thread, bd_err *err)
{
    bd_buf key = BD_BUF_INIT, val = BD_BUF_INIT;
    int rc = 0;
    bd_state_checkpoint_key(s->source, &key);
    bd_checkpoint_json(c, &val);
    if (bd_buf_failed(&key) || bd_buf_failed(&val)) {
        rc = bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        goto out;
    }
    bd_kafka_msg km = {s->state_topic, BD_STATE_PARTITION,
                       key.ptr,        key.len,
                       val.ptr,        val.len - 1 /* no newline */,
                       NULL,           0,
                       NULL,           any_thread};
    for (;;) {
        /* any thread: at least once, whose only producer is s->k */
        enum bd_kafka_produce_result r = bd_kafka_send(any_thread ? s->k : cur(s), &km, err);
        if (r == BD_KAFKA_QUEUED) break;
        if (r == BD_KAFKA_FULL && !any_thread) {
            /* the producing thread serves the reports that make room */
            bd_ksink_poll(s);
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
            continue;
        }
        rc = bd_err_prefix(err, "the checkpoint record for %s: ", s->state_topic);
        break;
    }
out:
    bd_buf_release(&key);
    bd_buf_release(&val);
    return rc;
}

/* The checkpoint record of the position the transaction's records reach
 * into the open Kafka transaction.  0, or -1 with err. */
static int produce_checkpoint(bd_ksink *s, const char *server, uint64_t *mark, bd_err *err)
{
    bd_checkpoint *c = calloc(1, sizeof *c);
    bd_buf g = BD_BUF_INIT;
    int rc = -1;
    if (!c) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    if (bd_acks_prospect(s->acks, mark, c->file, sizeof c->file, &c->pos, &c->commit_us, &g, err) <
        0)
        goto out;
    rc = 0;
    if (!c->file[0]) goto out; /* no position yet: nothing to record */
    snprintf(c->server, sizeof c->server, "%s", server ? server : "");
    if (g.len < sizeof c->gtid) snprintf(c->gtid, sizeof c->gtid, "%s", g.ptr ? g.ptr : "");
    if ((rc = ktxn_begin(s, err)) == 0) rc = produce_record(s, c, 0, err);
out:
    bd_buf_release(&g);
    free(c);
    return rc;
}

int bd_ksink_state_line(bd_ksink *s, const char *line, size_t n, bd_err *err)
{
    bd_buf key = BD_BUF_INIT;
    bd_state_schema_key(s->source, line, n, &key);
    int rc = bd_buf_failed(&key) ? bd_err_set(err, BD_ERR_NOMEM, "out of memory") : 0;
    if (rc == 0) rc = ktxn_begin(s, err);
    bd_kafka_msg km = {
        s->state_topic, BD_STATE_PARTITION, key.ptr, key.len, line, n, NULL, 0, NULL, 0};
    while (rc == 0) {
        enum bd_kafka_produce_result r = bd_kafka_send(cur(s), &km, err);
        if (r == BD_KAFKA_QUEUED) break;
        if (r != BD_KAFKA_FULL) {
            rc = bd_err_prefix(err, "a schema history line for %s: ", s->state_topic);
            break;
        }
        bd_ksink_poll(s);
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    bd_buf_release(&key);
    return rc;
}

int bd_ksink_mirror(bd_ksink *s, const bd_checkpoint *c, bd_err *err)
{
    if (s->txn_id) return 0; /* its commits carry the record */
    return produce_record(s, c, 1, err);
}

void bd_ksink_abort(bd_ksink *s)
{
    if (!s->txn_id || !s->ktxn_open) return;
    s->ktxn_open = 0;
    /* the aborted transaction's records are closed and delivered: a later
     * commit would retire them, past messages nobody can see */
    s->broken = 1;
    bd_err ae = {0};
    if (bd_kafka_txn_abort(cur(s), COMMIT_TIMEOUT_MS, &ae) != BD_KAFKA_TXN_OK)
        say(s, BD_LOG_ERROR, "%s", ae.msg);
}

int bd_ksink_commit(bd_ksink *s, const char *server, bd_err *err)
{
    if (!s->txn_id) return 0;
    if (s->broken)
        return bd_err_set(err, BD_ERR_IO,
                          "a Kafka transaction was aborted: this sink commits no more");
    if (!s->ktxn_open && !bd_acks_pending(s->acks)) {
        /* nothing new, unless the position was moved (a start) */
        bd_acks_pos p;
        char f[8];
        uint64_t pos;
        bd_acks_position(s->acks, &p, f, sizeof f, &pos, NULL);
        if (p.seq == s->state_seq) return 0;
    }
    uint64_t mark = 0;
    if (produce_checkpoint(s, server, &mark, err) < 0) {
        if (err->code != BD_ERR_FENCED) bd_ksink_abort(s);
        return -1;
    }
    if (!s->ktxn_open) return 0;
    uint64_t t0 = mono_us();
    enum bd_kafka_txn_result r = bd_kafka_txn_commit(cur(s), COMMIT_TIMEOUT_MS, err);
    atomic_fetch_add(&s->commit_us, mono_us() - t0);
    s->ktxn_open = 0;
    s->ktxn_end_us[s->turn] = mono_us();
    if (r == BD_KAFKA_TXN_OK) {
        /* The next Kafka transaction goes to the other producer.  The
         * coordinator writes a transaction's commit markers after it has
         * answered the commit, and until they are written it refuses to add
         * a partition to the next transaction of the same transactional.id
         * (CONCURRENT_TRANSACTIONS; librdkafka 2.0.2 tries again 20 ms
         * later): with two ids taking turns, the markers have a whole
         * transaction's time to land.  Order holds: the commit returned
         * once every message of this one was in the log, before the next
         * one produces anything; and the next one commits only after this
         * one has (docs/performance.md, "Exactly once"). */
        s->turn = (s->turn + 1) % (int)s->nk;
        bd_acks_commit_through(s->acks, mark);
        atomic_fetch_add(&s->commits, 1);
        bd_acks_pos p;
        char f[8];
        uint64_t pos;
        bd_acks_position(s->acks, &p, f, sizeof f, &pos, NULL);
        s->state_seq = p.seq;
        return 0;
    }
    if (r == BD_KAFKA_TXN_FENCED) {
        err->code = BD_ERR_FENCED;
        return -1;
    }
    if (r == BD_KAFKA_TXN_ABORTABLE) {
        /* nothing of it becomes visible; the position stays before it */
        s->ktxn_open = 1;
        bd_ksink_abort(s);
    }
    err->code = BD_ERR_IO;
    return -1;
}

uint64_t bd_ksink_commits(const bd_ksink *s) { return atomic_load(&((bd_ksink *)s)->commits); }

double bd_ksink_commit_seconds(const bd_ksink *s)
{
    return (double)atomic_load(&((bd_ksink *)s)->commit_us) / 1e6;
}

int bd_ksink_flush(bd_ksink *s, int timeout_ms, bd_err *err)
{
    /* every producer, the first failure kept */
    int r = 0;
    for (size_t i = 0; i < s->nk; i++) {
        bd_err e = {0};
        if (bd_kafka_flush(s->kk[i], timeout_ms, r < 0 ? &e : err) < 0) r = -1;
    }
    bd_ksink_poll(s);
    return r;
}

void bd_ksink_counts_get(const bd_ksink *s, bd_ksink_counts *c)
{
    c->oversize_skipped = atomic_load(&s->oversize_skipped);
    c->errors = atomic_load(&s->errors);
}

void bd_ksink_first_failure(bd_ksink *s, char *buf, size_t n)
{
    pthread_mutex_lock(&s->fail_mu);
    snprintf(buf, n, "%s", s->first_failure);
    pthread_mutex_unlock(&s->fail_mu);
}
